-- News shown on the home page, and tenants' requests (demandes) with their
-- status history, messages and attachments.

CREATE TABLE portail.actualite (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference       text NOT NULL UNIQUE CHECK (reference ~ '^[A-Za-z0-9_./-]{1,40}$'),
    titre           text NOT NULL CHECK (btrim(titre) <> '' AND length(titre) <= 200),
    texte           text NOT NULL CHECK (btrim(texte) <> '' AND length(texte) <= 20000),
    lien            text CHECK (lien ~ '^https://[^[:space:]]+$' AND length(lien) <= 500),
    -- Who sees it: everyone, the tenants of one residence, or the holders of
    -- one kind of contract (e.g. parking only).
    cible           text NOT NULL CHECK (cible IN ('tous', 'residence', 'nature_contrat')),
    residence_id    bigint REFERENCES portail.residence,
    nature_contrat  text CHECK (nature_contrat IN ('logement', 'stationnement', 'commerce', 'autre')),
    publie_le       timestamptz NOT NULL,
    expire_le       timestamptz CHECK (expire_le > publie_le),
    cree_le         timestamptz NOT NULL DEFAULT now(),
    maj_le          timestamptz NOT NULL DEFAULT now(),
    archive_le      timestamptz,
    -- The target's parameter is present exactly when the target needs it.
    CHECK ((cible = 'residence') = (residence_id IS NOT NULL)),
    CHECK ((cible = 'nature_contrat') = (nature_contrat IS NOT NULL))
);
CREATE INDEX actualite_publie_idx ON portail.actualite (publie_le DESC) WHERE archive_le IS NULL;
CREATE INDEX actualite_residence_idx ON portail.actualite (residence_id) WHERE residence_id IS NOT NULL;
CREATE TRIGGER actualite_maj_le BEFORE UPDATE ON portail.actualite
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION portail.toucher_maj_le();

-- Request numbers made by the portal: D + year + sequence (D2025-000042).
-- Requests recorded at the office keep the ERP's number.
CREATE SEQUENCE portail.demande_numero_seq;
CREATE FUNCTION portail.nouveau_numero_demande() RETURNS text
    LANGUAGE sql VOLATILE
RETURN 'D' || to_char(now(), 'YYYY') || '-' || lpad(nextval('portail.demande_numero_seq')::text, 6, '0');

CREATE TABLE portail.demande (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    numero          text NOT NULL UNIQUE DEFAULT portail.nouveau_numero_demande()
                    CHECK (numero ~ '^[A-Z0-9][A-Z0-9/-]{2,29}$'),
    -- Made on the portal (by an account) or recorded by the office (phone,
    -- counter) and sent by the ERP (docs/exchange.md, demandes.csv).
    origine         text NOT NULL DEFAULT 'portail' CHECK (origine IN ('portail', 'office')),
    contrat_id      bigint NOT NULL REFERENCES portail.contrat,
    compte_id       bigint REFERENCES portail.compte,
    -- A complaint (réclamation) is a request with its own handling rules.
    type            text NOT NULL DEFAULT 'demande' CHECK (type IN ('demande', 'reclamation')),
    categorie       text NOT NULL CHECK (categorie IN
                        ('technique_logement', 'parties_communes', 'paiement', 'voisinage', 'autre')),
    objet           text NOT NULL CHECK (btrim(objet) <> '' AND length(objet) <= 200),
    description     text NOT NULL CHECK (btrim(description) <> '' AND length(description) <= 10000),
    creneau_contact text CHECK (creneau_contact IN ('matin', 'midi', 'apres_midi', 'soir', 'indifferent')),
    -- Current status = the latest row of demande_statut (kept here for the
    -- list pages; both are written in the same transaction).
    statut          text NOT NULL DEFAULT 'nouvelle' CHECK (statut IN
                        ('nouvelle', 'en_cours', 'en_attente_locataire', 'resolue', 'fermee', 'rejetee')),
    statut_le       timestamptz NOT NULL DEFAULT now(),
    cree_le         timestamptz NOT NULL DEFAULT now(),
    maj_le          timestamptz NOT NULL DEFAULT now(),
    CHECK ((origine = 'portail') = (compte_id IS NOT NULL))
);
CREATE INDEX demande_contrat_idx ON portail.demande (contrat_id, cree_le DESC);
CREATE INDEX demande_compte_idx ON portail.demande (compte_id) WHERE compte_id IS NOT NULL;
CREATE INDEX demande_cree_idx ON portail.demande (cree_le) WHERE origine = 'portail';
CREATE TRIGGER demande_maj_le BEFORE UPDATE ON portail.demande
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION portail.toucher_maj_le();

CREATE TABLE portail.demande_statut (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    demande_id          bigint NOT NULL REFERENCES portail.demande,
    statut              text NOT NULL CHECK (statut IN
                            ('nouvelle', 'en_cours', 'en_attente_locataire', 'resolue', 'fermee', 'rejetee')),
    commentaire         text CHECK (length(commentaire) <= 10000),
    auteur              text NOT NULL CHECK (auteur IN ('locataire', 'office')),
    compte_id           bigint REFERENCES portail.compte,
    -- The ERP's event id: the same status update imported twice is one row
    -- (and one e-mail).
    reference_externe   text UNIQUE CHECK (reference_externe ~ '^[A-Za-z0-9_./-]{1,40}$'),
    le                  timestamptz NOT NULL DEFAULT now(),
    CHECK ((auteur = 'locataire') = (compte_id IS NOT NULL))
);
CREATE INDEX demande_statut_demande_idx ON portail.demande_statut (demande_id, le);

CREATE TABLE portail.demande_message (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    demande_id          bigint NOT NULL REFERENCES portail.demande,
    auteur              text NOT NULL CHECK (auteur IN ('locataire', 'office')),
    compte_id           bigint REFERENCES portail.compte,
    texte               text NOT NULL CHECK (btrim(texte) <> '' AND length(texte) <= 10000),
    reference_externe   text UNIQUE CHECK (reference_externe ~ '^[A-Za-z0-9_./-]{1,40}$'),
    le                  timestamptz NOT NULL DEFAULT now(),
    lu_le               timestamptz,
    CHECK ((auteur = 'locataire') = (compte_id IS NOT NULL)),
    CHECK (auteur = 'office' OR reference_externe IS NULL)
);
CREATE INDEX demande_message_demande_idx ON portail.demande_message (demande_id, le);
CREATE INDEX demande_message_le_idx ON portail.demande_message (le) WHERE auteur = 'locataire';

-- Photos / documents joined to a request by the tenant.
CREATE TABLE portail.demande_piece (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    demande_id          bigint NOT NULL REFERENCES portail.demande,
    message_id          bigint REFERENCES portail.demande_message,
    nom_origine         text NOT NULL CHECK (length(nom_origine) BETWEEN 1 AND 255),
    mime                text NOT NULL,
    taille              integer NOT NULL CHECK (taille BETWEEN 1 AND 10485760),
    sha256              bytea NOT NULL CHECK (octet_length(sha256) = 32),
    contenu             bytea NOT NULL,
    compte_id           bigint NOT NULL REFERENCES portail.compte,
    le                  timestamptz NOT NULL DEFAULT now(),
    CHECK (taille = octet_length(contenu)),
    CHECK (portail.contenu_conforme(contenu, mime))
);
ALTER TABLE portail.demande_piece ALTER COLUMN contenu SET STORAGE EXTERNAL;
CREATE INDEX demande_piece_demande_idx ON portail.demande_piece (demande_id);
CREATE INDEX demande_piece_le_idx ON portail.demande_piece (le);

GRANT SELECT ON portail.actualite TO portail_app;
GRANT SELECT, INSERT ON portail.demande TO portail_app;
-- The tenant may close their own request (status + history row).
GRANT UPDATE (statut, statut_le) ON portail.demande TO portail_app;
GRANT USAGE ON SEQUENCE portail.demande_numero_seq TO portail_app;
GRANT SELECT, INSERT ON portail.demande_statut TO portail_app;
GRANT SELECT, INSERT ON portail.demande_message TO portail_app;
GRANT UPDATE (lu_le) ON portail.demande_message TO portail_app;
GRANT SELECT, INSERT ON portail.demande_piece TO portail_app;
