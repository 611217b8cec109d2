-- Performance (issue #8): the small label and format helpers the read
-- statements call are inlined by PostgreSQL again.
--
-- A LANGUAGE sql function made of one expression is inlined into the
-- statement that calls it, unless it is declared STRICT and its expression
-- is not strict itself (a CASE, an IN list): PostgreSQL then calls it
-- through the SQL-function executor, which parses and plans its body anew
-- at each execution of the calling statement.  The home page calls four of
-- them (an excerpt per news item, a label and a due date per contract, a
-- label per request): a fifth of its time went there.
--
-- Without STRICT the answers are the same: each expression below already
-- gives NULL for a NULL argument (no WHEN matches, NULL IN (...) is NULL).
-- The due date also loses a hidden dependency on the session's time zone
-- (date_trunc of a date picked the timestamptz version), which kept it from
-- being inlined as the IMMUTABLE function it is declared.

ALTER FUNCTION portail.libelle_situation_professionnelle(text) CALLED ON NULL INPUT;
ALTER FUNCTION portail.libelle_lien_occupant(text) CALLED ON NULL INPUT;
ALTER FUNCTION portail.libelle_nature_contrat(text) CALLED ON NULL INPUT;
ALTER FUNCTION portail.libelle_statut_assurance(text) CALLED ON NULL INPUT;
ALTER FUNCTION portail.libelle_statut_demande(text) CALLED ON NULL INPUT;
ALTER FUNCTION portail.telephone_affichage(text) CALLED ON NULL INPUT;
ALTER FUNCTION portail.extrait(text, integer) CALLED ON NULL INPUT;
ALTER FUNCTION portail.demande_libelle_categorie(text) CALLED ON NULL INPUT;
ALTER FUNCTION portail.demande_libelle_creneau(text) CALLED ON NULL INPUT;
ALTER FUNCTION portail.demande_libelle_type(text) CALLED ON NULL INPUT;
ALTER FUNCTION portail.demande_ouverte(text) CALLED ON NULL INPUT;
ALTER FUNCTION portail.enquete_libelle_lien(text) CALLED ON NULL INPUT;
ALTER FUNCTION portail.enquete_libelle_etat(text) CALLED ON NULL INPUT;

CREATE OR REPLACE FUNCTION portail.prochaine_echeance(jour smallint, aujourdhui date) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN extract(day FROM aujourdhui) <= jour
            THEN date_trunc('month', aujourdhui::timestamp)::date + (jour - 1)
            ELSE (date_trunc('month', aujourdhui::timestamp) + interval '1 month')::date + (jour - 1) END;
