-- Closed accounts, and what the ERP learns of accounts.
--
-- The export tells the office's management software (ERP) which signatories
-- have a portal account: created, confirmed, closed (comptes.csv,
-- docs/exchange.md).  An account is closed when ferme_le is set: at the
-- tenant's request, or by the office (the ERP keeps the tenancy; the account
-- and its personal data go after their retention period,
-- docs/donnees-personnelles.md).  A closed account no longer opens a session
-- nor uses one it had: the session check and the sign-in's lookup below skip
-- it, and a sign-in with its identifier fails as with an unknown one.

ALTER TABLE portail.compte ADD COLUMN ferme_le timestamptz;
ALTER TABLE portail.compte ADD CONSTRAINT compte_ferme_apres_creation
    CHECK (ferme_le IS NULL OR ferme_le >= cree_le);
COMMENT ON COLUMN portail.compte.ferme_le IS
    'When the account was closed (no sign-in, no session after); exported in comptes.csv.';

-- As in 016, plus: the account is not closed.
CREATE OR REPLACE FUNCTION portail.session_valide(p_jeton_hash bytea)
RETURNS TABLE (session_id bigint, compte_id bigint, personne_id bigint,
               tiers_id bigint, se_souvenir boolean, a_toucher boolean)
LANGUAGE sql STABLE
AS $$
    SELECT s.id, s.compte_id, c.personne_id,
           (SELECT p.tiers_id FROM portail.personne p WHERE p.id = c.personne_id),
           s.se_souvenir,
           -- last activity is recorded at most once a minute
           s.vu_le < now() - interval '60 seconds'
    FROM portail.session s
    JOIN portail.compte c ON c.id = s.compte_id
    WHERE s.jeton_hash = p_jeton_hash
      AND s.fermee_le IS NULL
      AND s.expire_le > now()
      AND s.vu_le + s.inactivite > now()
      AND c.confirme_le IS NOT NULL
      AND c.ferme_le IS NULL
$$;

-- As in 010, plus: a closed account is not found (the sign-in then fails
-- as for an unknown identifier, and the attempt still counts).
CREATE OR REPLACE FUNCTION portail.connexion_preparer(p_identifiant text, p_ip inet,
                                           p_max_identifiant integer,
                                           p_max_adresse integer,
                                           p_fenetre interval)
RETURNS TABLE (compte_id bigint, mot_de_passe_hash text, confirme boolean,
               attente integer)
LANGUAGE sql STABLE
AS $$
    WITH succes AS (
        SELECT coalesce(max(t.le), '-infinity') AS le
        FROM portail.tentative_connexion t
        WHERE t.identifiant = p_identifiant AND t.reussie
    ),
    echecs_identifiant AS (
        SELECT t.le
        FROM portail.tentative_connexion t, succes
        WHERE t.identifiant = p_identifiant AND NOT t.reussie
          AND t.motif IS DISTINCT FROM 'limite'
          AND t.le > now() - p_fenetre AND t.le > succes.le
        ORDER BY t.le DESC
        OFFSET greatest(p_max_identifiant - 1, 0) LIMIT 1
    ),
    echecs_adresse AS (
        SELECT t.le
        FROM portail.tentative_connexion t
        WHERE t.adresse_ip = p_ip AND NOT t.reussie
          AND t.motif IS DISTINCT FROM 'limite'
          AND t.le > now() - p_fenetre
        ORDER BY t.le DESC
        OFFSET greatest(p_max_adresse - 1, 0) LIMIT 1
    )
    SELECT c.id, c.mot_de_passe_hash, c.confirme_le IS NOT NULL,
           greatest(0,
               ceil(extract(epoch FROM (SELECT le FROM echecs_identifiant)
                                       + p_fenetre - now())),
               ceil(extract(epoch FROM (SELECT le FROM echecs_adresse)
                                       + p_fenetre - now())))::integer
    FROM (SELECT 1) x
    LEFT JOIN portail.compte c ON c.email = p_identifiant AND c.ferme_le IS NULL
$$;
