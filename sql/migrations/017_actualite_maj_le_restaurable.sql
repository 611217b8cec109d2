-- A dump of the database restores again (pg_dump -Fc, then pg_restore
-- --exit-on-error into an empty database).
--
-- The trigger that keeps actualite.maj_le filtered its calls with
-- WHEN (OLD IS DISTINCT FROM NEW).  Since actualite has a generated column
-- (extrait, migration 016), PostgreSQL refuses to create such a trigger: a
-- BEFORE trigger's WHEN clause may not look at a whole NEW row when the
-- table has generated columns (they are not computed yet).  ALTER TABLE ...
-- ADD COLUMN did not check the trigger already there, but pg_restore
-- creates the table with the column first and then the trigger, and stopped
-- there: every nightly dump was unrestorable.
--
-- The trigger now does what those of the other tables with generated
-- columns do (personne, ecriture, paiement_carte): no WHEN clause, and the
-- generated column's name passed to portail.toucher_maj_le(), which compares
-- the rows without it.  maj_le still moves only when a stored value changes.

DROP TRIGGER actualite_maj_le ON portail.actualite;
CREATE TRIGGER actualite_maj_le BEFORE UPDATE ON portail.actualite
    FOR EACH ROW EXECUTE FUNCTION portail.toucher_maj_le('extrait');
