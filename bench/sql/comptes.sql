-- Benchmark tenants: :n signatories get a confirmed account
-- bench-<k>@example.org (password Portail2024!, Jean MARTIN's argon2id
-- hash) and one open session each, whose cookie the benchmark derives
-- without asking the database:
--
--   cookie k   = base64url(sha256('bench-<k>'))          (the 32-byte token)
--   jeton_hash = sha256(sha256('bench-<k>'))             (what the portal stores)
--
-- so that pgbench can send the very statement the portal sends with the
-- token hash computed from its variable.  Idempotent: accounts are kept,
-- sessions are reopened (last activity now), and the sessions sign-ins made
-- in earlier runs are removed so that every run starts from the same table.
--
--   psql -v n=1000 -f bench/sql/comptes.sql

\set ON_ERROR_STOP 1
SET search_path = portail, public;
BEGIN;

-- Signatories without an account, in an order spread over the households
-- (not the first ones imported), one per household.
WITH deja AS (
    SELECT count(*) AS nb FROM compte WHERE email LIKE 'bench-%@example.org'
),
candidats AS (
    SELECT DISTINCT ON (p.tiers_id) p.id, p.tiers_id
    FROM personne p
    JOIN contrat_signataire cs ON cs.personne_id = p.id AND cs.retire_le IS NULL
    JOIN contrat k ON k.id = cs.contrat_id AND k.archive_le IS NULL
                  AND k.nature = 'logement'
    WHERE NOT EXISTS (SELECT 1 FROM compte c WHERE c.personne_id = p.id)
      AND NOT EXISTS (SELECT 1 FROM compte c JOIN personne q ON q.id = c.personne_id
                      WHERE q.tiers_id = p.tiers_id)
    ORDER BY p.tiers_id, cs.rang
),
choisis AS (
    SELECT c.id, deja.nb + row_number() OVER (ORDER BY md5(c.id::text)) AS k
    FROM candidats c, deja
    ORDER BY md5(c.id::text)
    LIMIT greatest(:n - (SELECT nb FROM deja), 0)
)
INSERT INTO compte (personne_id, email, mot_de_passe_hash, cree_le,
                    confirme_le, mot_de_passe_change_le)
SELECT id, 'bench-' || k || '@example.org',
       '$argon2id$v=19$m=65536,t=2,p=1$TOgslo9Seqqqooh+W8QVJw$uu9jP6TkzpNPjXDkCATP9ThOQzSmpC01YYp09rzfI2c',
       now() - interval '1 day', now() - interval '1 day', now() - interval '1 day'
FROM choisis;

-- The other tenants: in a portal in service, many households have an
-- account and a session, whatever the benchmark measures; with only the
-- benchmark's hundred accounts, PostgreSQL reads the account and session
-- tables whole (a few pages) where a real database is read through their
-- indexes, and workload 5 compares sizes on unlike plans.  One household
-- in three gets an account (locataire-<k>@example.net) with one open
-- session whose token nobody knows; kept from one run to the next.
WITH voulu AS (
    SELECT (SELECT count(*) FROM tiers) / 3 - (SELECT count(*) FROM compte) AS nb
),
candidats AS (
    SELECT DISTINCT ON (p.tiers_id) p.id, p.tiers_id
    FROM personne p
    JOIN contrat_signataire cs ON cs.personne_id = p.id AND cs.retire_le IS NULL
    WHERE NOT EXISTS (SELECT 1 FROM compte c JOIN personne q ON q.id = c.personne_id
                      WHERE q.tiers_id = p.tiers_id)
    ORDER BY p.tiers_id, cs.rang
),
nouveaux AS (
    INSERT INTO compte (personne_id, email, mot_de_passe_hash, cree_le,
                        confirme_le, mot_de_passe_change_le)
    SELECT c.id, 'locataire-' || c.id || '@example.net',
           '$argon2id$v=19$m=65536,t=2,p=1$TOgslo9Seqqqooh+W8QVJw$uu9jP6TkzpNPjXDkCATP9ThOQzSmpC01YYp09rzfI2c',
           now() - interval '30 days', now() - interval '30 days', now() - interval '30 days'
    FROM candidats c, voulu
    ORDER BY md5(c.id::text)
    LIMIT greatest((SELECT nb FROM voulu), 0)
    RETURNING id
)
INSERT INTO session (compte_id, jeton_hash, expire_le, inactivite, se_souvenir)
SELECT n.id, sha256(convert_to('locataire-' || n.id || '-' || random(), 'UTF8')),
       now() + interval '30 days', interval '30 days', true
FROM nouveaux n;

DELETE FROM session s
USING compte c
WHERE c.id = s.compte_id AND c.email LIKE 'bench-%@example.org';

DELETE FROM tentative_connexion WHERE identifiant LIKE 'bench-%@example.org';

UPDATE compte SET echecs_connexion = 0, bloque_jusqu_a = NULL
WHERE email LIKE 'bench-%@example.org';

INSERT INTO session (compte_id, jeton_hash, expire_le, inactivite, se_souvenir)
SELECT c.id,
       sha256(sha256(convert_to('bench-' || substring(c.email FROM '^bench-([0-9]+)@'), 'UTF8'))),
       now() + interval '30 days', interval '30 days', false
FROM compte c
WHERE c.email LIKE 'bench-%@example.org';

COMMIT;

SELECT count(*) AS comptes FROM compte WHERE email LIKE 'bench-%@example.org';
