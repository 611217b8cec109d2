-- POST /api/mot-de-passe/evaluation tells whether a password would be
-- accepted.  Each evaluation is counted per client address, so that the
-- judge cannot be queried at will (a limit per window, shared by the
-- nodes), and a signed-in tenant's names and address come with the answer:
-- the module judges the password against them, as a password change does.

CREATE TABLE portail.evaluation_mot_de_passe (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    adresse_ip      inet,
    le              timestamptz NOT NULL DEFAULT now()
);
-- Counting one address's recent evaluations, and forgetting old ones.
CREATE INDEX evaluation_mot_de_passe_ip_idx ON portail.evaluation_mot_de_passe (adresse_ip, le);
CREATE INDEX evaluation_mot_de_passe_le_idx ON portail.evaluation_mot_de_passe (le);

GRANT SELECT, INSERT, DELETE ON portail.evaluation_mot_de_passe TO portail_app;

-- One evaluation: permis is false when the address is over p_limite in the
-- last p_fenetre (nothing is counted then); noms ("prenom nom") and email
-- are the signed-in account's, null without a valid session.
CREATE FUNCTION portail.mot_de_passe_evaluer(p_jeton_hash bytea, p_ip inet,
                                             p_limite integer,
                                             p_fenetre interval)
RETURNS TABLE (permis boolean, noms text, email text)
LANGUAGE plpgsql
AS $$
DECLARE
    v_n  integer;
BEGIN
    DELETE FROM portail.evaluation_mot_de_passe WHERE le < now() - p_fenetre;

    SELECT count(*) INTO v_n
    FROM portail.evaluation_mot_de_passe e
    WHERE e.adresse_ip IS NOT DISTINCT FROM p_ip
      AND e.le >= now() - p_fenetre;

    IF v_n >= p_limite THEN
        RETURN QUERY SELECT false, NULL::text, NULL::text;
        RETURN;
    END IF;

    INSERT INTO portail.evaluation_mot_de_passe (adresse_ip) VALUES (p_ip);

    RETURN QUERY
        SELECT true, concat_ws(' ', p.prenom, p.nom), c.email
        FROM (SELECT 1) un
        LEFT JOIN portail.session_valide(p_jeton_hash) s ON true
        LEFT JOIN portail.compte c ON c.id = s.compte_id
        LEFT JOIN portail.personne p ON p.id = c.personne_id;
END
$$;
