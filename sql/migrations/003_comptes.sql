-- Portal accounts and everything around authentication: sessions, single-use
-- link tokens, login attempts, the e-mail outbox and the audit log.
-- Shapes are fixed by docs/schema-contract.md (the nginx module reads and
-- writes these tables directly).  None of it comes from the ERP: an account
-- belongs to a signatory (personne) but is portal data.

CREATE TABLE portail.compte (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- One account per signatory; co-tenants each open their own.
    personne_id             bigint NOT NULL UNIQUE REFERENCES portail.personne,
    -- Stored lower-case so the unique constraint is case-insensitive.
    email                   text NOT NULL UNIQUE
                            CHECK (email = lower(email) AND portail.est_email(email)),
    -- libsodium crypto_pwhash_str output; nothing else is accepted.
    mot_de_passe_hash       text NOT NULL CHECK (mot_de_passe_hash LIKE '$argon2id$v=19$%'),
    cree_le                 timestamptz NOT NULL DEFAULT now(),
    confirme_le             timestamptz,
    mot_de_passe_change_le  timestamptz,
    echecs_connexion        integer NOT NULL DEFAULT 0 CHECK (echecs_connexion >= 0),
    bloque_jusqu_a          timestamptz,
    derniere_connexion_le   timestamptz,
    CHECK (confirme_le IS NULL OR confirme_le >= cree_le)
);
COMMENT ON TABLE portail.compte IS 'Compte du portail (identifiant de connexion) d''un signataire';

CREATE TABLE portail.session (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    compte_id       bigint NOT NULL REFERENCES portail.compte,
    -- SHA-256 of the cookie's random token: a stolen table gives no session.
    jeton_hash      bytea NOT NULL UNIQUE CHECK (octet_length(jeton_hash) = 32),
    cree_le         timestamptz NOT NULL DEFAULT now(),
    vu_le           timestamptz NOT NULL DEFAULT now(),
    expire_le       timestamptz NOT NULL,
    inactivite      interval NOT NULL CHECK (inactivite > interval '0'),
    se_souvenir     boolean NOT NULL DEFAULT false,
    adresse_ip      inet,
    agent           text CHECK (length(agent) <= 512),
    fermee_le       timestamptz,
    CHECK (expire_le > cree_le)
);
-- Logout everywhere / password change: close the open sessions of an account.
CREATE INDEX session_compte_idx ON portail.session (compte_id) WHERE fermee_le IS NULL;
-- Purge of dead sessions.
CREATE INDEX session_expire_idx ON portail.session (expire_le);

CREATE TABLE portail.jeton (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    compte_id       bigint NOT NULL REFERENCES portail.compte,
    usage           text NOT NULL CHECK (usage IN ('confirmation', 'reinitialisation', 'changement_email')),
    jeton_hash      bytea NOT NULL UNIQUE CHECK (octet_length(jeton_hash) = 32),
    donnees         jsonb,
    cree_le         timestamptz NOT NULL DEFAULT now(),
    expire_le       timestamptz NOT NULL,
    utilise_le      timestamptz,
    -- Confirmation links live 24 h (the office's guide), reset links at most
    -- 1 h (ASVS): a longer token is a bug, refuse it here too.
    CHECK (expire_le > cree_le AND expire_le <= cree_le + interval '24 hours'),
    CHECK (usage <> 'reinitialisation' OR expire_le <= cree_le + interval '1 hour')
);
CREATE INDEX jeton_compte_idx ON portail.jeton (compte_id, usage) WHERE utilise_le IS NULL;
CREATE INDEX jeton_expire_idx ON portail.jeton (expire_le);

CREATE TABLE portail.tentative_connexion (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    compte_id       bigint REFERENCES portail.compte,   -- null: unknown identifier
    identifiant     text NOT NULL CHECK (identifiant = lower(identifiant) AND length(identifiant) <= 320),
    adresse_ip      inet,
    reussie         boolean NOT NULL,
    motif           text CHECK (length(motif) <= 200),
    le              timestamptz NOT NULL DEFAULT now()
);
-- Throttling counts recent failures per account and per address.
CREATE INDEX tentative_compte_idx ON portail.tentative_connexion (compte_id, le) WHERE NOT reussie;
CREATE INDEX tentative_ip_idx ON portail.tentative_connexion (adresse_ip, le) WHERE NOT reussie;
CREATE INDEX tentative_le_idx ON portail.tentative_connexion (le);

-- Outbox: whoever wants a mail sent inserts a row in its own transaction
-- (registration, import of a request's new status, ...), the module's sender
-- reserves rows (reserve_jusqu_a), sends, and stamps envoye_le / message_id.
CREATE TABLE portail.courriel (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    destinataire        text NOT NULL CHECK (portail.est_email(destinataire)),
    sujet               text NOT NULL CHECK (btrim(sujet) <> '' AND length(sujet) <= 250 AND sujet !~ '[\r\n]'),
    texte               text NOT NULL,
    html                text,
    cree_le             timestamptz NOT NULL DEFAULT now(),
    prochain_essai_le   timestamptz NOT NULL DEFAULT now(),
    essais              integer NOT NULL DEFAULT 0 CHECK (essais >= 0),
    reserve_jusqu_a     timestamptz,
    envoye_le           timestamptz,
    derniere_erreur     text,
    message_id          text UNIQUE
);
CREATE INDEX courriel_a_envoyer_idx ON portail.courriel (prochain_essai_le) WHERE envoye_le IS NULL;

-- Audit of tenant actions (append-only for the portal: INSERT only).
CREATE TABLE portail.journal (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    compte_id       bigint REFERENCES portail.compte,
    action          text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.]{1,63}$'),
    details         jsonb,
    adresse_ip      inet,
    le              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX journal_compte_idx ON portail.journal (compte_id, le);
CREATE INDEX journal_le_idx ON portail.journal (le);

GRANT SELECT, INSERT ON portail.compte TO portail_app;
GRANT UPDATE (email, mot_de_passe_hash, confirme_le, mot_de_passe_change_le,
              echecs_connexion, bloque_jusqu_a, derniere_connexion_le)
    ON portail.compte TO portail_app;
GRANT SELECT, INSERT, DELETE ON portail.session TO portail_app;
GRANT UPDATE (vu_le, expire_le, fermee_le) ON portail.session TO portail_app;
GRANT SELECT, INSERT, DELETE ON portail.jeton TO portail_app;
GRANT UPDATE (utilise_le) ON portail.jeton TO portail_app;
GRANT SELECT, INSERT ON portail.tentative_connexion TO portail_app;
GRANT SELECT, INSERT ON portail.courriel TO portail_app;
GRANT UPDATE (prochain_essai_le, essais, reserve_jusqu_a, envoye_le, derniere_erreur, message_id)
    ON portail.courriel TO portail_app;
GRANT INSERT ON portail.journal TO portail_app;
