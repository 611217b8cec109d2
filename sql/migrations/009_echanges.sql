-- Exchange with the ERP: bookkeeping of import batches, the value checks the
-- import's validation shares with the constraints, and control views.
-- Staging tables are temporary tables of tools/import (one session, no WAL):
-- their layout is the CSV formats of docs/exchange.md.

CREATE TABLE portail.import_lot (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- SHA-256 over the sorted "sha256  name" lines of the batch's CSV and
    -- JSON files (PDFs are covered by their checksums in documents.csv):
    -- a batch identical to the last one is not imported again
    -- (docs/exchange.md, "Idempotence").
    empreinte       text NOT NULL CHECK (empreinte ~ '^[0-9a-f]{64}$'),
    -- {"contrats.csv": "<sha256>", ...}
    fichiers        jsonb NOT NULL CHECK (jsonb_typeof(fichiers) = 'object'),
    emetteur        text,
    extrait_le      timestamptz NOT NULL,
    debut_le        timestamptz NOT NULL,
    fin_le          timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Rows inserted / updated / closed per table.
    comptes         jsonb NOT NULL DEFAULT '{}',
    CHECK (fin_le >= debut_le)
);
CREATE INDEX import_lot_empreinte_idx ON portail.import_lot (empreinte);

-- A calendar date written YYYY-MM-DD that exists (2024-02-30 does not).
-- Pure SQL, no exception block: it runs on every ledger line of a batch.
-- Not STRICT, and a single expression, so that the planner inlines it (a
-- SQL function call costs more than the whole check).
CREATE FUNCTION portail.est_date_iso(v text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN v ~ '^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
            THEN substr(v, 9, 2)::int <= extract(day FROM make_date(substr(v, 1, 4)::int, substr(v, 6, 2)::int, 1)
                                                         + interval '1 month - 1 day')
            ELSE false END;

-- A month written YYYY-MM.
CREATE FUNCTION portail.est_mois_iso(v text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN v ~ '^(19|20)[0-9]{2}-(0[1-9]|1[0-2])$';

-- An ISO 8601 instant (2025-11-20T06:00:00+01:00, or without offset: then in
-- the session's time zone, Europe/Paris for the import), or null when the
-- text is not one.  The shape is checked first so that the input parser's
-- leniency ("now", "today", "epoch") is never reached.
CREATE FUNCTION portail.essai_timestamptz(v text) RETURNS timestamptz
    LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS
$$
BEGIN
    IF v !~ '^(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$'
       OR NOT portail.est_date_iso(left(v, 10)) THEN
        RETURN NULL;
    END IF;
    RETURN v::timestamptz;
EXCEPTION WHEN datetime_field_overflow OR invalid_datetime_format THEN
    RETURN NULL;
END
$$;

-- A JSON object, or null when the text is not one.
CREATE FUNCTION portail.essai_jsonb(v text) RETURNS jsonb
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS
$$
BEGIN
    RETURN v::jsonb;
EXCEPTION WHEN invalid_text_representation THEN
    RETURN NULL;
END
$$;

-- French label of a request's status, as the portal and the e-mails show it.
CREATE FUNCTION portail.libelle_statut_demande(statut text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE statut
    WHEN 'nouvelle' THEN 'Nouvelle'
    WHEN 'en_cours' THEN 'En cours de traitement'
    WHEN 'en_attente_locataire' THEN 'En attente de votre réponse'
    WHEN 'resolue' THEN 'Résolue'
    WHEN 'fermee' THEN 'Clôturée'
    WHEN 'rejetee' THEN 'Rejetée'
    END;

CREATE FUNCTION portail.html_echapper(v text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN replace(replace(replace(replace(replace(v, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'),
                       '"', '&quot;'), '''', '&#39;');

-- Balance control: a non-zero ecart means the stored balance and the ledger
-- disagree (tools/import never lets that happen; this is for monitoring).
CREATE VIEW portail.contrat_solde_controle AS
SELECT c.id AS contrat_id, c.numero, c.solde_cents, c.solde_au,
       coalesce(sum(e.montant_signe_cents), 0)::bigint AS somme_ecritures_cents,
       c.solde_cents - coalesce(sum(e.montant_signe_cents), 0)::bigint AS ecart_cents
  FROM portail.contrat c
  LEFT JOIN portail.ecriture e ON e.contrat_id = c.id AND e.archive_le IS NULL
 GROUP BY c.id;

-- The billing address in force: the latest row of each contract.
CREATE VIEW portail.adresse_facturation_courante AS
SELECT DISTINCT ON (contrat_id) *
  FROM portail.adresse_facturation
 ORDER BY contrat_id, cree_le DESC, id DESC;

GRANT SELECT ON portail.adresse_facturation_courante TO portail_app;
