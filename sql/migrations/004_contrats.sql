-- Residences, contracts and what hangs on a contract: its signatories, the
-- occupants of the dwelling, the billing address and the home insurance.

-- Uploaded files are checked by content, not by the name or the type the
-- browser claims: PDF, JPEG and PNG only (docs/data-model.md, "Fichiers").
-- substring() of the first bytes reads a single TOAST chunk of an EXTERNAL
-- column, so the check stays cheap whatever the file size.
CREATE FUNCTION portail.contenu_conforme(contenu bytea, mime text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE mime
    WHEN 'application/pdf' THEN substring(contenu FROM 1 FOR 5) = '\x255044462d'::bytea
    WHEN 'image/jpeg'      THEN substring(contenu FROM 1 FOR 3) = '\xffd8ff'::bytea
    WHEN 'image/png'       THEN substring(contenu FROM 1 FOR 8) = '\x89504e470d0a1a0a'::bytea
    ELSE false END;

CREATE TABLE portail.residence (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,19}$'),
    nom             text NOT NULL CHECK (btrim(nom) <> '' AND length(nom) <= 100),
    adresse         text NOT NULL CHECK (btrim(adresse) <> '' AND length(adresse) <= 200),
    code_postal     text NOT NULL CHECK (code_postal ~ '^[0-9]{5}$'),
    commune         text NOT NULL CHECK (btrim(commune) <> '' AND length(commune) <= 100),
    -- Quartier prioritaire de la politique de la ville / zone de
    -- revitalisation rurale: dwellings there are exempt from the SLS survey.
    qpv             boolean NOT NULL DEFAULT false,
    zrr             boolean NOT NULL DEFAULT false,
    cree_le         timestamptz NOT NULL DEFAULT now(),
    maj_le          timestamptz NOT NULL DEFAULT now(),
    archive_le      timestamptz
);
CREATE TRIGGER residence_maj_le BEFORE UPDATE ON portail.residence
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION portail.toucher_maj_le();

CREATE TABLE portail.contrat (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    numero          text NOT NULL UNIQUE CHECK (numero ~ '^L/[0-9]{7}$'),
    tiers_id        bigint NOT NULL REFERENCES portail.tiers,
    nature          text NOT NULL CHECK (nature IN ('logement', 'stationnement', 'commerce', 'autre')),
    residence_id    bigint REFERENCES portail.residence,
    -- "Appartement T3, 2e étage, porte 21", "Place de parking n° 12".
    designation     text CHECK (length(designation) <= 200),
    adresse_ligne1  text NOT NULL CHECK (btrim(adresse_ligne1) <> '' AND length(adresse_ligne1) <= 100),
    adresse_ligne2  text CHECK (length(adresse_ligne2) <= 100),
    code_postal     text NOT NULL CHECK (code_postal ~ '^[0-9]{5}$'),
    commune         text NOT NULL CHECK (btrim(commune) <> '' AND length(commune) <= 100),
    -- Used by the SLS computation (surface x supplement x coefficient).
    surface_habitable_m2 numeric(7,2) CHECK (surface_habitable_m2 > 0),
    date_debut      date NOT NULL,
    date_fin        date CHECK (date_fin >= date_debut),
    -- Current monthly amounts.
    loyer_cents     bigint NOT NULL CHECK (loyer_cents >= 0),
    charges_cents   bigint NOT NULL CHECK (charges_cents >= 0),
    -- Balance as the ERP computed it, positive = the tenant owes, negative =
    -- credit.  tools/import refuses a batch where it differs from the sum of
    -- the contract's ledger (ecriture.montant_signe_cents).
    solde_cents     bigint NOT NULL DEFAULT 0,
    solde_au        timestamptz NOT NULL,
    jour_echeance   smallint NOT NULL CHECK (jour_echeance BETWEEN 1 AND 28),
    mode_paiement   text NOT NULL CHECK (mode_paiement IN
                        ('prelevement', 'virement', 'cheque', 'carte', 'especes', 'autre')),
    cree_le         timestamptz NOT NULL DEFAULT now(),
    maj_le          timestamptz NOT NULL DEFAULT now(),
    archive_le      timestamptz,
    -- Target of composite foreign keys (a survey's contract must belong to
    -- the survey's household).
    UNIQUE (id, tiers_id)
);
COMMENT ON COLUMN portail.contrat.solde_cents IS 'Solde en centimes : positif = le locataire doit, négatif = avoir';
CREATE INDEX contrat_tiers_idx ON portail.contrat (tiers_id);
CREATE INDEX contrat_residence_idx ON portail.contrat (residence_id);
CREATE TRIGGER contrat_maj_le BEFORE UPDATE ON portail.contrat
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION portail.toucher_maj_le();

-- Who signed the contract: at most two at a time (rang 1 and 2).  A co-tenant
-- who leaves keeps a closed row (retire_le): their account loses the
-- contract, history keeps who signed.
CREATE TABLE portail.contrat_signataire (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contrat_id      bigint NOT NULL REFERENCES portail.contrat,
    personne_id     bigint NOT NULL REFERENCES portail.personne,
    rang            smallint NOT NULL CHECK (rang IN (1, 2)),
    cree_le         timestamptz NOT NULL DEFAULT now(),
    maj_le          timestamptz NOT NULL DEFAULT now(),
    retire_le       timestamptz,
    UNIQUE (contrat_id, personne_id)
);
CREATE UNIQUE INDEX contrat_signataire_rang_idx ON portail.contrat_signataire (contrat_id, rang)
    WHERE retire_le IS NULL;
-- "Which contracts may this account see": personne -> contracts.
CREATE INDEX contrat_signataire_personne_idx ON portail.contrat_signataire (personne_id)
    WHERE retire_le IS NULL;
CREATE TRIGGER contrat_signataire_maj_le BEFORE UPDATE ON portail.contrat_signataire
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION portail.toucher_maj_le();

-- People living in the dwelling.  Rows come from the ERP (reference_externe)
-- or are added by the tenant (reference_externe null until the ERP sends the
-- occupant back with our id in id_portail).  Removal is a closed row
-- (retire_le), never a DELETE: the export must tell the ERP.
CREATE TABLE portail.occupant (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contrat_id              bigint NOT NULL REFERENCES portail.contrat,
    reference_externe       text UNIQUE CHECK (reference_externe ~ '^[A-Za-z0-9_./-]{1,40}$'),
    nom                     text NOT NULL CHECK (btrim(nom) <> '' AND length(nom) <= 100),
    prenom                  text NOT NULL CHECK (btrim(prenom) <> '' AND length(prenom) <= 100),
    date_naissance          date NOT NULL CHECK (date_naissance > DATE '1900-01-01'),
    lien                    text NOT NULL CHECK (lien IN
                                ('signataire', 'conjoint', 'enfant', 'ascendant', 'autre_parent', 'autre')),
    modifie_par_compte_le   timestamptz,
    cree_le                 timestamptz NOT NULL DEFAULT now(),
    maj_le                  timestamptz NOT NULL DEFAULT now(),
    retire_le               timestamptz
);
CREATE INDEX occupant_contrat_idx ON portail.occupant (contrat_id) WHERE retire_le IS NULL;
CREATE TRIGGER occupant_maj_le BEFORE UPDATE ON portail.occupant
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION portail.toucher_maj_le();

-- Change log of the tenant's edits to occupants, read by tools/export.
CREATE TABLE portail.occupant_modification (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occupant_id     bigint NOT NULL REFERENCES portail.occupant,
    contrat_id      bigint NOT NULL REFERENCES portail.contrat,
    compte_id       bigint NOT NULL REFERENCES portail.compte,
    action          text NOT NULL CHECK (action IN ('ajout', 'modification', 'retrait')),
    -- Values before/after (nom, prenom, date_naissance, lien); null before
    -- an addition, null after a removal.
    avant           jsonb,
    apres           jsonb,
    le              timestamptz NOT NULL DEFAULT now(),
    CHECK ((action = 'ajout') = (avant IS NULL)),
    CHECK ((action = 'retrait') = (apres IS NULL))
);
CREATE INDEX occupant_modification_le_idx ON portail.occupant_modification (le);
CREATE INDEX occupant_modification_contrat_idx ON portail.occupant_modification (contrat_id, le);
CREATE INDEX occupant_modification_occupant_idx ON portail.occupant_modification (occupant_id, le);

-- Billing address: append-only, one row per change; the current address of
-- a contract is its latest row (none: the dwelling's own address).  Each row
-- is thus also the change record the export sends.  Fields follow the
-- French postal standard (NF Z10-011): six lines of at most 38 characters,
-- line 6 = 5-digit postal code + locality in capitals.
CREATE TABLE portail.adresse_facturation (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contrat_id              bigint NOT NULL REFERENCES portail.contrat,
    destinataire            text NOT NULL CHECK (btrim(destinataire) <> '' AND length(destinataire) <= 38),
    complement_destinataire text CHECK (length(complement_destinataire) <= 38),   -- ligne 2 : appartement, chez...
    complement_adresse      text CHECK (length(complement_adresse) <= 38),        -- ligne 3 : bâtiment, résidence
    voie                    text NOT NULL CHECK (btrim(voie) <> '' AND length(voie) <= 38), -- ligne 4
    lieu_dit                text CHECK (length(lieu_dit) <= 38),                  -- ligne 5 : lieu-dit, BP
    code_postal             text NOT NULL CHECK (code_postal ~ '^[0-9]{5}$'),
    localite                text NOT NULL CHECK (localite ~ '^[A-Z0-9][A-Z0-9 ''-]{0,31}$'),
    compte_id               bigint NOT NULL REFERENCES portail.compte,
    cree_le                 timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX adresse_facturation_contrat_idx ON portail.adresse_facturation (contrat_id, cree_le DESC);
CREATE INDEX adresse_facturation_le_idx ON portail.adresse_facturation (cree_le);

-- Home insurance certificates uploaded by tenants, reviewed by the office.
CREATE TABLE portail.assurance_habitation (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contrat_id              bigint NOT NULL REFERENCES portail.contrat,
    assureur                text NOT NULL CHECK (btrim(assureur) <> '' AND length(assureur) <= 100),
    numero_police           text NOT NULL CHECK (btrim(numero_police) <> '' AND length(numero_police) <= 50),
    date_debut              date NOT NULL,
    date_fin                date NOT NULL CHECK (date_fin > date_debut),
    fichier                 bytea NOT NULL,
    fichier_mime            text NOT NULL,
    fichier_taille          integer NOT NULL CHECK (fichier_taille BETWEEN 1 AND 10485760),
    fichier_sha256          bytea NOT NULL CHECK (octet_length(fichier_sha256) = 32),
    fichier_nom_origine     text NOT NULL CHECK (length(fichier_nom_origine) BETWEEN 1 AND 255),
    statut                  text NOT NULL DEFAULT 'en_attente'
                            CHECK (statut IN ('en_attente', 'validee', 'refusee')),
    motif_refus             text,
    examinee_le             timestamptz,
    depose_par_compte_id    bigint NOT NULL REFERENCES portail.compte,
    depose_le               timestamptz NOT NULL DEFAULT now(),
    CHECK (fichier_taille = octet_length(fichier)),
    CHECK (portail.contenu_conforme(fichier, fichier_mime)),
    CHECK ((statut = 'en_attente') = (examinee_le IS NULL)),
    CHECK (statut = 'refusee' OR motif_refus IS NULL)
);
-- Read a slice with substring(): only the chunks asked are fetched.
ALTER TABLE portail.assurance_habitation ALTER COLUMN fichier SET STORAGE EXTERNAL;
CREATE INDEX assurance_contrat_idx ON portail.assurance_habitation (contrat_id, date_fin DESC);
CREATE INDEX assurance_depose_idx ON portail.assurance_habitation (depose_le);

GRANT SELECT ON portail.residence, portail.contrat, portail.contrat_signataire TO portail_app;
GRANT SELECT, INSERT ON portail.occupant TO portail_app;
GRANT UPDATE (nom, prenom, date_naissance, lien, modifie_par_compte_le, retire_le)
    ON portail.occupant TO portail_app;
GRANT SELECT, INSERT ON portail.occupant_modification TO portail_app;
GRANT SELECT, INSERT ON portail.adresse_facturation TO portail_app;
GRANT SELECT, INSERT ON portail.assurance_habitation TO portail_app;
