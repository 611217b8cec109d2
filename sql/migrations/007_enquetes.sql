-- Social surveys: SLS (supplément de loyer de solidarité, yearly) and OPS
-- (occupation du parc social, every two years).  A campaign's questions,
-- income ceilings, coefficients and late fees change every year and are set
-- by decree: they are data (definition jsonb, sent by the ERP), not code.

CREATE TABLE portail.enquete_campagne (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,29}$'),
    type            text NOT NULL CHECK (type IN ('SLS', 'OPS')),
    annee           smallint NOT NULL CHECK (annee BETWEEN 2000 AND 2100),
    ouverture_le    date NOT NULL,
    date_limite     date NOT NULL CHECK (date_limite > ouverture_le),
    -- {"questions": [...], "plafonds": {...}, "coefficients": [...],
    --  "frais": {...}}: see docs/data-model.md.
    definition      jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'
                                          AND jsonb_typeof(definition -> 'questions') = 'array'),
    cree_le         timestamptz NOT NULL DEFAULT now(),
    maj_le          timestamptz NOT NULL DEFAULT now(),
    archive_le      timestamptz
);
CREATE TRIGGER enquete_campagne_maj_le BEFORE UPDATE ON portail.enquete_campagne
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION portail.toucher_maj_le();

-- One survey addressed to a household for one of its contracts.
CREATE TABLE portail.enquete (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campagne_id             bigint NOT NULL REFERENCES portail.enquete_campagne,
    tiers_id                bigint NOT NULL REFERENCES portail.tiers,
    contrat_id              bigint NOT NULL,
    statut                  text NOT NULL DEFAULT 'a_completer' CHECK (statut IN ('a_completer', 'envoyee')),
    -- Draft answers, saved as the tenant goes; frozen once submitted.
    reponses                jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(reponses) = 'object'),
    modifie_par_compte_le   timestamptz,
    soumise_le              timestamptz,
    soumise_par_compte_id   bigint REFERENCES portail.compte,
    cree_le                 timestamptz NOT NULL DEFAULT now(),
    maj_le                  timestamptz NOT NULL DEFAULT now(),
    -- No longer addressed by the ERP (only while unanswered).
    archive_le              timestamptz,
    -- The contract belongs to the household.
    FOREIGN KEY (contrat_id, tiers_id) REFERENCES portail.contrat (id, tiers_id),
    UNIQUE (campagne_id, contrat_id),
    CHECK ((statut = 'envoyee') = (soumise_le IS NOT NULL)),
    CHECK ((statut = 'envoyee') = (soumise_par_compte_id IS NOT NULL))
);
CREATE INDEX enquete_contrat_idx ON portail.enquete (contrat_id);
CREATE INDEX enquete_tiers_idx ON portail.enquete (tiers_id);
CREATE INDEX enquete_soumise_idx ON portail.enquete (soumise_le) WHERE soumise_le IS NOT NULL;
CREATE TRIGGER enquete_maj_le BEFORE UPDATE ON portail.enquete
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION portail.toucher_maj_le();

-- Submitted answers are read-only (domain notes): once 'envoyee', neither the
-- answers nor the status may change, whoever tries.
CREATE FUNCTION portail.enquete_figee() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF OLD.statut = 'envoyee' AND (NEW.statut, NEW.reponses, NEW.soumise_le, NEW.soumise_par_compte_id)
            IS DISTINCT FROM (OLD.statut, OLD.reponses, OLD.soumise_le, OLD.soumise_par_compte_id) THEN
        RAISE EXCEPTION 'enquête % déjà envoyée : les réponses ne peuvent plus être modifiées', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER enquete_figee BEFORE UPDATE ON portail.enquete
    FOR EACH ROW EXECUTE FUNCTION portail.enquete_figee();

-- Tax notices (avis d'imposition) and other proofs joined to a survey.
CREATE TABLE portail.enquete_piece (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    enquete_id              bigint NOT NULL REFERENCES portail.enquete,
    nature                  text NOT NULL DEFAULT 'avis_imposition'
                            CHECK (nature IN ('avis_imposition', 'justificatif', 'autre')),
    -- Whose notice (free text: "Jean MARTIN").
    concerne                text CHECK (length(concerne) <= 200),
    nom_origine             text NOT NULL CHECK (length(nom_origine) BETWEEN 1 AND 255),
    mime                    text NOT NULL,
    taille                  integer NOT NULL CHECK (taille BETWEEN 1 AND 10485760),
    sha256                  bytea NOT NULL CHECK (octet_length(sha256) = 32),
    contenu                 bytea NOT NULL,
    depose_par_compte_id    bigint NOT NULL REFERENCES portail.compte,
    depose_le               timestamptz NOT NULL DEFAULT now(),
    CHECK (taille = octet_length(contenu)),
    CHECK (portail.contenu_conforme(contenu, mime))
);
ALTER TABLE portail.enquete_piece ALTER COLUMN contenu SET STORAGE EXTERNAL;
CREATE INDEX enquete_piece_enquete_idx ON portail.enquete_piece (enquete_id);

-- Attachments of a submitted survey are frozen too.
CREATE FUNCTION portail.enquete_piece_figee() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF EXISTS (SELECT 1 FROM portail.enquete
                WHERE id = CASE TG_OP WHEN 'DELETE' THEN OLD.enquete_id ELSE NEW.enquete_id END
                  AND statut = 'envoyee') THEN
        RAISE EXCEPTION 'enquête déjà envoyée : les pièces jointes ne peuvent plus être modifiées'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;
CREATE TRIGGER enquete_piece_figee BEFORE INSERT OR UPDATE OR DELETE ON portail.enquete_piece
    FOR EACH ROW EXECUTE FUNCTION portail.enquete_piece_figee();

GRANT SELECT ON portail.enquete_campagne TO portail_app;
GRANT SELECT ON portail.enquete TO portail_app;
GRANT UPDATE (statut, reponses, modifie_par_compte_le, soumise_le, soumise_par_compte_id)
    ON portail.enquete TO portail_app;
-- DELETE: the tenant may remove a wrong attachment before submitting.
GRANT SELECT, INSERT, DELETE ON portail.enquete_piece TO portail_app;
