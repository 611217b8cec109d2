-- The ledger of each contract and the documents (PDF) the office issues.

-- Sign convention: every amount is stored positive (montant_cents > 0) with a
-- direction (sens): 'debit' increases what the tenant owes (due notice,
-- charge reconciliation in the office's favour, fees, rejected payment),
-- 'credit' decreases it (payment, reconciliation in the tenant's favour,
-- credit note).  montant_signe_cents (+debit / -credit) sums to the contract's
-- balance: sum over the rows not archived = contrat.solde_cents, which
-- tools/import checks for every batch.
CREATE TABLE portail.ecriture (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contrat_id          bigint NOT NULL REFERENCES portail.contrat,
    -- The ERP's identifier of the entry: key of the exchange.
    reference           text NOT NULL UNIQUE CHECK (reference ~ '^[A-Za-z0-9_./-]{1,40}$'),
    type                text NOT NULL CHECK (type IN
                            ('echeance', 'paiement', 'regularisation_charges', 'ajustement', 'report_solde')),
    sens                text NOT NULL CHECK (sens IN ('debit', 'credit')),
    date_ecriture       date NOT NULL,
    -- The month the entry relates to (first day of the month).
    periode             date NOT NULL CHECK (periode = date_trunc('month', periode)::date),
    libelle             text NOT NULL CHECK (btrim(libelle) <> '' AND length(libelle) <= 200),
    montant_cents       bigint NOT NULL CHECK (montant_cents > 0),
    -- Due notices only: rent and charges separately (the quittance must show
    -- them apart), adding up to the amount.
    loyer_cents         bigint CHECK (loyer_cents >= 0),
    charges_cents       bigint CHECK (charges_cents >= 0),
    mode_paiement       text CHECK (mode_paiement IN
                            ('prelevement', 'virement', 'cheque', 'carte', 'especes', 'autre')),
    montant_signe_cents bigint GENERATED ALWAYS AS
                            (CASE sens WHEN 'debit' THEN montant_cents ELSE -montant_cents END) STORED,
    cree_le             timestamptz NOT NULL DEFAULT now(),
    maj_le              timestamptz NOT NULL DEFAULT now(),
    -- No longer sent by the ERP (entry cancelled, or out of the window the
    -- ERP sends): kept, but out of the balance and of the display.
    archive_le          timestamptz,
    CHECK (type <> 'echeance' OR (sens = 'debit' AND loyer_cents IS NOT NULL
                                  AND charges_cents IS NOT NULL
                                  AND loyer_cents + charges_cents = montant_cents)),
    CHECK (type = 'echeance' OR (loyer_cents IS NULL AND charges_cents IS NULL)),
    CHECK (type <> 'paiement' OR (sens = 'credit' AND mode_paiement IS NOT NULL)),
    CHECK (type = 'paiement' OR mode_paiement IS NULL)
);
COMMENT ON TABLE portail.ecriture IS 'Écritures du compte d''un contrat ; montants positifs, sens débit/crédit';
-- The payments page: a contract's entries, newest first.
CREATE INDEX ecriture_contrat_date_idx ON portail.ecriture (contrat_id, date_ecriture DESC, id DESC)
    WHERE archive_le IS NULL;
CREATE TRIGGER ecriture_maj_le BEFORE UPDATE ON portail.ecriture
    FOR EACH ROW EXECUTE FUNCTION portail.toucher_maj_le('montant_signe_cents');

-- Documents: the ERP's PDFs (notices, receipts, reconciliations) and the
-- mandates the portal generates.  The bytes live in PostgreSQL; STORAGE
-- EXTERNAL (uncompressed TOAST) lets substring(contenu FROM o FOR n) fetch
-- only the chunks of the range asked (HTTP Range, streaming in slices).
-- PDFs are already compressed: compressing them again would gain nothing.
CREATE TABLE portail.document (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- ERP documents carry the ERP's identifier; portal-made mandates none.
    reference       text UNIQUE CHECK (reference ~ '^[A-Za-z0-9_./-]{1,80}$'),
    contrat_id      bigint NOT NULL REFERENCES portail.contrat,
    nature          text NOT NULL CHECK (nature IN
                        ('avis_echeance', 'quittance', 'regularisation_charges', 'recu_paiement', 'mandat')),
    -- Month concerned (first day); for a yearly charge reconciliation,
    -- January of the year reconciled.
    periode         date NOT NULL CHECK (periode = date_trunc('month', periode)::date),
    titre           text NOT NULL CHECK (btrim(titre) <> '' AND length(titre) <= 200),
    contenu         bytea NOT NULL,
    mime            text NOT NULL DEFAULT 'application/pdf' CHECK (mime = 'application/pdf'),
    taille          integer NOT NULL CHECK (taille > 0),
    sha256          bytea NOT NULL CHECK (octet_length(sha256) = 32),
    cree_le         timestamptz NOT NULL DEFAULT now(),
    maj_le          timestamptz NOT NULL DEFAULT now(),
    CHECK (taille = octet_length(contenu)),
    CHECK (portail.contenu_conforme(contenu, mime)),
    -- Only the portal produces documents without an ERP reference (mandates).
    CHECK (nature = 'mandat' OR reference IS NOT NULL)
);
ALTER TABLE portail.document ALTER COLUMN contenu SET STORAGE EXTERNAL;
-- The documents page: one contract, one kind, newest period first.
CREATE INDEX document_contrat_nature_idx ON portail.document (contrat_id, nature, periode DESC);
CREATE TRIGGER document_maj_le BEFORE UPDATE ON portail.document
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION portail.toucher_maj_le();

GRANT SELECT ON portail.ecriture TO portail_app;
-- INSERT: the portal stores the PDF of a SEPA mandate it generates.
GRANT SELECT, INSERT ON portail.document TO portail_app;
