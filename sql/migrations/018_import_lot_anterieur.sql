-- An ERP batch never takes the portal back in time unless someone meant it.
--
-- tools/import refuses a batch whose extraction (lot.csv, extrait_le) is
-- earlier than that of the last batch imported: its snapshots would close
-- the contracts, signatories and surveys the ERP added since, and reopen
-- what it closed.  `tools/import --force-older` imports it anyway, for a
-- deliberate replay; the batch's bookkeeping row then says which batch it
-- went back behind, so that the journal of batches shows every such replay
-- (docs/exchange.md, "Batches never go back in time").

ALTER TABLE portail.import_lot
    ADD COLUMN anterieur_au_lot_id bigint REFERENCES portail.import_lot (id);
COMMENT ON COLUMN portail.import_lot.anterieur_au_lot_id IS
    'Set when the batch was extracted before the last batch imported and imported anyway (tools/import --force-older): that batch.';
-- Foreign keys are indexed (deleting a batch's row looks its replays up).
CREATE INDEX import_lot_anterieur_idx ON portail.import_lot (anterieur_au_lot_id)
    WHERE anterieur_au_lot_id IS NOT NULL;
