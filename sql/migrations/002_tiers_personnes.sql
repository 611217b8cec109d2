-- Households (tiers) and the people who sign their contracts (personne).
--
-- Both come from the office's management software (ERP) through tools/import;
-- the portal only changes a signatory's contact details, professional
-- situation and consents (column-level UPDATE grant below), and stamps
-- modifie_par_compte_le so that tools/export sends the change back.
-- archive_le marks rows the ERP stopped sending: history (accounts, requests,
-- payments) still points to them, so they are never deleted.

-- Name matching for registration: the signatory types the name "as printed on
-- the avis d'échéance"; case, accents, hyphens, apostrophes, dots and extra
-- spaces must not matter ("Lefèvre", "LEFEVRE", "le fèvre" all match
-- "LEFÈVRE").  The unaccent dictionary is named explicitly (schema-qualified
-- regdictionary) so the result never depends on search_path: that is what
-- makes IMMUTABLE true and the function usable in generated columns and
-- indexes.  A SQL-standard body is parsed once, at creation, with its
-- dependencies recorded.
CREATE FUNCTION portail.normaliser_nom(nom text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN btrim(regexp_replace(
           upper(public.unaccent('public.unaccent'::regdictionary, nom)),
           '[[:space:]''’‘`´.‐‑‒–—-]+', ' ', 'g'));

COMMENT ON FUNCTION portail.normaliser_nom(text) IS
    'Nom comparable : sans accents, en majuscules, tirets/apostrophes/points remplacés par des espaces, espaces réduits';

-- Shared shape checks, used by CHECK constraints here and by the import's
-- validation so that both say the same thing.
CREATE FUNCTION portail.est_email(v text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN length(v) <= 254 AND v ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:].]+$';

-- Phones are stored in E.164 (+33546004994): one form to compare, to dial
-- and to export.
CREATE FUNCTION portail.est_telephone(v text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN v ~ '^\+[1-9][0-9]{7,14}$';

-- Trigger: maj_le follows real changes only, so an idempotent re-import (which
-- updates nothing) bumps nothing either.  Tables without generated columns
-- filter in the trigger's WHEN clause (cheapest: no call at all); a WHEN
-- clause may not look at a whole NEW row that has generated columns, so those
-- tables pass the generated columns' names as arguments and the comparison
-- is made here, without them.
CREATE FUNCTION portail.toucher_maj_le() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_NARGS > 0 AND (to_jsonb(NEW) - TG_ARGV) = (to_jsonb(OLD) - TG_ARGV) THEN
        RETURN NEW;
    END IF;
    NEW.maj_le := now();
    RETURN NEW;
END
$$;

CREATE TABLE portail.tiers (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The 7 digits printed as L/1234567 on the notices; the tenant types them
    -- to register.
    reference_client   text NOT NULL UNIQUE
                       CHECK (reference_client ~ '^[0-9]{7}$'),
    -- Household label as the ERP prints it ("MARTIN Jean et Sophie").
    libelle            text NOT NULL CHECK (btrim(libelle) <> '' AND length(libelle) <= 200),
    -- Housing benefit (APL/AL) recipients are exempt from the SLS survey.
    aide_logement      boolean NOT NULL DEFAULT false,
    cree_le            timestamptz NOT NULL DEFAULT now(),
    maj_le             timestamptz NOT NULL DEFAULT now(),
    archive_le         timestamptz
);
COMMENT ON TABLE portail.tiers IS 'Foyer (compte client du progiciel), référence client à 7 chiffres';
CREATE TRIGGER tiers_maj_le BEFORE UPDATE ON portail.tiers
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION portail.toucher_maj_le();

CREATE TABLE portail.personne (
    id                          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tiers_id                    bigint NOT NULL REFERENCES portail.tiers,
    -- The ERP's identifier of the person: the key of every exchange.
    reference_externe           text NOT NULL UNIQUE
                                CHECK (reference_externe ~ '^[A-Za-z0-9_./-]{1,40}$'),
    civilite                    text CHECK (civilite IN ('M.', 'Mme')),
    nom                         text NOT NULL CHECK (btrim(nom) <> '' AND length(nom) <= 100),
    prenom                      text CHECK (length(prenom) <= 100),
    nom_normalise               text GENERATED ALWAYS AS (portail.normaliser_nom(nom)) STORED,
    date_naissance              date CHECK (date_naissance > DATE '1900-01-01'),
    email_contact               text CHECK (portail.est_email(email_contact)),
    telephone_fixe              text CHECK (portail.est_telephone(telephone_fixe)),
    telephone_mobile            text CHECK (portail.est_telephone(telephone_mobile)),
    situation_professionnelle   text CHECK (situation_professionnelle IN
                                    ('salarie', 'demandeur_emploi', 'retraite', 'etudiant',
                                     'sans_activite', 'independant', 'autre')),
    -- RGPD consents, with their date (null = not given).
    consentement_dematerialisation_le timestamptz,
    consentement_actualites_le  timestamptz,
    -- Last change made by the tenant on the portal: tools/export selects on
    -- it, and tools/import does not overwrite a change the ERP has not seen
    -- yet (see docs/exchange.md, "Conflits").
    modifie_par_compte_le       timestamptz,
    cree_le                     timestamptz NOT NULL DEFAULT now(),
    maj_le                      timestamptz NOT NULL DEFAULT now(),
    archive_le                  timestamptz
);
COMMENT ON TABLE portail.personne IS 'Signataire de contrat(s), rattaché à un foyer';
CREATE INDEX personne_tiers_idx ON portail.personne (tiers_id, nom_normalise);
CREATE INDEX personne_modifie_idx ON portail.personne (modifie_par_compte_le)
    WHERE modifie_par_compte_le IS NOT NULL;
CREATE TRIGGER personne_maj_le BEFORE UPDATE ON portail.personne
    FOR EACH ROW EXECUTE FUNCTION portail.toucher_maj_le('nom_normalise');

GRANT SELECT ON portail.tiers, portail.personne TO portail_app;
-- What the "Dossier" page lets the tenant change, and nothing else.
GRANT UPDATE (email_contact, telephone_fixe, telephone_mobile, situation_professionnelle,
              consentement_dematerialisation_le, consentement_actualites_le,
              modifie_par_compte_le)
    ON portail.personne TO portail_app;
