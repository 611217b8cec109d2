-- Abuse: e-mails throttled per recipient, per account and per client
-- address; sign-in failures counted per (identifier, address) and per
-- address, with known devices (a cookie set after a successful sign-in)
-- counted apart, so that failures from elsewhere never lock the owner out.
--
-- Every decision is taken in the statement that does the action: no other
-- round trip, and the same answer on every node since the state is here.

-- One row per request that would send an e-mail (forgotten password and
-- identifiers, registration, e-mail change), granted or not.
CREATE TABLE portail.courriel_demande (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    action          text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.]{1,63}$'),
    -- the address the e-mail goes to; null when nothing matched (forgotten
    -- identifiers): the request still counts for its client address
    destinataire    text CHECK (destinataire = lower(destinataire) AND length(destinataire) <= 320),
    compte_id       bigint REFERENCES portail.compte,
    adresse_ip      inet,
    accordee        boolean NOT NULL,
    le              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX courriel_demande_destinataire_idx
    ON portail.courriel_demande (destinataire, le) WHERE accordee;
CREATE INDEX courriel_demande_compte_idx
    ON portail.courriel_demande (compte_id, le) WHERE accordee;
CREATE INDEX courriel_demande_ip_idx ON portail.courriel_demande (adresse_ip, le);
CREATE INDEX courriel_demande_le_idx ON portail.courriel_demande (le);
GRANT SELECT, INSERT ON portail.courriel_demande TO portail_app;

-- Whether a request may send its e-mail, recorded either way.  p_limites is
-- {per recipient, per account, per client address, window in seconds},
-- from the module's directives.  Granted requests count for the recipient
-- and the account, every request for the address (a scanner trying
-- addresses is held back whatever it finds).  Requests for one recipient
-- are decided one after the other (a lock for the transaction), so that
-- sixty at once still get only the limit.
CREATE FUNCTION portail.courriel_accorde(p_action text, p_destinataire text,
                                         p_compte_id bigint, p_ip inet,
                                         p_limites integer[])
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    v_depuis   timestamptz := now() - make_interval(secs => p_limites[4]);
    v_accorde  boolean;
BEGIN
    IF p_destinataire IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(1701, hashtext(p_destinataire));
    END IF;

    v_accorde :=
        NOT EXISTS (SELECT 1 FROM portail.courriel_demande d
                    WHERE d.destinataire = p_destinataire AND d.accordee
                      AND d.le > v_depuis
                    OFFSET greatest(p_limites[1] - 1, 0) LIMIT 1)
        AND NOT EXISTS (SELECT 1 FROM portail.courriel_demande d
                        WHERE d.compte_id = p_compte_id AND d.accordee
                          AND d.le > v_depuis
                        OFFSET greatest(p_limites[2] - 1, 0) LIMIT 1)
        AND NOT EXISTS (SELECT 1 FROM portail.courriel_demande d
                        WHERE d.adresse_ip = p_ip AND d.le > v_depuis
                        OFFSET greatest(p_limites[3] - 1, 0) LIMIT 1);

    INSERT INTO portail.courriel_demande
        (action, destinataire, compte_id, adresse_ip, accordee)
    VALUES (p_action, p_destinataire, p_compte_id, p_ip, v_accorde);

    RETURN v_accorde;
END
$$;


-- What the forgotten password writes when no e-mail goes out, in place of
-- the link and its e-mail; never holds a row past its transaction.
CREATE TABLE portail.jeton_leurre (
    jeton_hash      bytea PRIMARY KEY CHECK (octet_length(jeton_hash) = 32),
    donnees         jsonb
);
GRANT SELECT, INSERT, DELETE ON portail.jeton_leurre TO portail_app;

-- Forgotten password.  Both paths, an address with an account and one
-- without (or a request over the limits), take the same steps: the same
-- lookups, the same writes (the request's record, a journal line, the link
-- or its stand-in), so that the time taken tells nothing.  'ok', or
-- 'limite' when the limits kept the e-mail back; the module answers the
-- same to both.
DROP FUNCTION portail.mot_de_passe_oubli(text, bytea, text, inet);

CREATE FUNCTION portail.mot_de_passe_oubli(p_email text, p_jeton_hash bytea,
                                           p_jeton text, p_ip inet,
                                           p_limites integer[])
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_compte   portail.compte;
    v_prenom   text;
    v_accorde  boolean;
    v_envoi    boolean;
BEGIN
    -- requests for one address are serialised by courriel_accorde's lock:
    -- no row lock, which only the known path could take
    SELECT c.* INTO v_compte FROM portail.compte c
    WHERE c.email = p_email AND c.confirme_le IS NOT NULL;

    v_accorde := portail.courriel_accorde('mot_de_passe.oubli', p_email,
                                          v_compte.id, p_ip, p_limites);
    v_envoi := v_accorde AND v_compte.id IS NOT NULL;

    SELECT prenom INTO v_prenom FROM portail.personne WHERE id = v_compte.personne_id;

    -- only the newest link works
    DELETE FROM portail.jeton
    WHERE compte_id = v_compte.id AND v_envoi
      AND usage = 'reinitialisation' AND utilise_le IS NULL;

    IF v_envoi THEN
        INSERT INTO portail.jeton (compte_id, usage, jeton_hash, expire_le)
        VALUES (v_compte.id, 'reinitialisation', p_jeton_hash, now() + interval '1 hour');

        PERFORM portail.envoyer_courriel(v_compte.email, 'mot_de_passe_reinitialisation',
            jsonb_build_object('prenom', v_prenom, 'jeton', p_jeton));
    ELSE
        -- the stand-ins of the link and of its e-mail: the same rows
        -- written (the e-mail to the very outbox), then rolled back to a
        -- savepoint, so no other session ever sees them, the sender
        -- included
        BEGIN
            INSERT INTO portail.jeton_leurre (jeton_hash, donnees)
            VALUES (p_jeton_hash, jsonb_build_object('prenom', v_prenom, 'jeton', p_jeton));
            PERFORM portail.envoyer_courriel(p_email, 'mot_de_passe_reinitialisation',
                jsonb_build_object('prenom', v_prenom, 'jeton', p_jeton));
            RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = 'portail: leurre';
        EXCEPTION WHEN raise_exception THEN
            NULL;
        END;
    END IF;

    PERFORM portail.journaliser(v_compte.id,
        CASE WHEN v_envoi THEN 'mot_de_passe.oubli'
             WHEN v_compte.id IS NULL THEN 'mot_de_passe.oubli_inconnu'
             ELSE 'mot_de_passe.oubli_limite' END, p_ip);

    RETURN CASE WHEN v_accorde THEN 'ok' ELSE 'limite' END;
END
$$;

-- Forgotten identifiers: each account found is a request for its address;
-- nothing found still counts for the client address.
DROP FUNCTION portail.identifiants_oubli(text, text, inet);

CREATE FUNCTION portail.identifiants_oubli(p_nom text, p_reference text, p_ip inet,
                                           p_limites integer[])
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v          record;
    v_trouve   boolean := false;
    v_retenu   boolean := false;
BEGIN
    FOR v IN
        SELECT c.id, c.email, p.prenom
        FROM portail.signataires_designes(p_nom, p_reference) p
        JOIN portail.compte c ON c.personne_id = p.id AND c.confirme_le IS NOT NULL
    LOOP
        v_trouve := true;

        IF NOT portail.courriel_accorde('identifiants.rappel', v.email, v.id,
                                        p_ip, p_limites)
        THEN
            v_retenu := true;
            CONTINUE;
        END IF;

        PERFORM portail.envoyer_courriel(v.email, 'identifiants_rappel',
            jsonb_build_object('prenom', v.prenom, 'identifiant', v.email));
        PERFORM portail.journaliser(v.id, 'identifiants.rappel', p_ip);
    END LOOP;

    IF NOT v_trouve
       AND NOT portail.courriel_accorde('identifiants.rappel', NULL, NULL,
                                        p_ip, p_limites)
    THEN
        v_retenu := true;
    END IF;

    RETURN CASE WHEN v_retenu THEN 'limite' ELSE 'ok' END;
END
$$;

-- Registration, as in 010, each of its three e-mails now a request that
-- the limits may keep back ('limite': nothing written, the same answer).
-- Registering again before confirming is how a tenant gets the
-- confirmation link sent again.
DROP FUNCTION portail.inscrire(text, text, text, text, bytea, text, inet);

CREATE FUNCTION portail.inscrire(p_nom text, p_reference text, p_email text,
                                 p_hash text, p_jeton_hash bytea,
                                 p_jeton text, p_ip inet, p_limites integer[])
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_personne  portail.personne;
    v_nombre    integer;
    v_compte    portail.compte;
    v_autre     portail.compte;
BEGIN
    SELECT count(*) INTO v_nombre
    FROM portail.signataires_designes(p_nom, p_reference);

    IF v_nombre = 0 THEN
        RETURN 'identite_non_reconnue';
    ELSIF v_nombre > 1 THEN
        -- two signatories of the household share that name
        RETURN 'identite_ambigue';
    END IF;

    SELECT * INTO v_personne FROM portail.signataires_designes(p_nom, p_reference);

    SELECT * INTO v_compte FROM portail.compte
    WHERE personne_id = v_personne.id FOR UPDATE;

    SELECT * INTO v_autre FROM portail.compte
    WHERE email = p_email AND personne_id <> v_personne.id;

    IF v_compte.confirme_le IS NOT NULL THEN
        IF NOT portail.courriel_accorde('inscription.deja_inscrit', v_compte.email,
                                        v_compte.id, p_ip, p_limites)
        THEN
            RETURN 'limite';
        END IF;
        PERFORM portail.envoyer_courriel(v_compte.email, 'inscription_compte_existant',
            jsonb_build_object('prenom', v_personne.prenom, 'nom', v_personne.nom));
        PERFORM portail.journaliser(v_compte.id, 'inscription.deja_inscrit', p_ip);
        RETURN 'ok';
    END IF;

    IF v_autre.id IS NOT NULL THEN
        IF NOT portail.courriel_accorde('inscription.adresse_utilisee', p_email,
                                        v_autre.id, p_ip, p_limites)
        THEN
            RETURN 'limite';
        END IF;
        PERFORM portail.envoyer_courriel(p_email, 'inscription_adresse_utilisee',
            jsonb_build_object('email', p_email));
        PERFORM portail.journaliser(v_autre.id, 'inscription.adresse_utilisee', p_ip);
        RETURN 'ok';
    END IF;

    IF NOT portail.courriel_accorde('inscription', p_email, v_compte.id, p_ip,
                                    p_limites)
    THEN
        RETURN 'limite';
    END IF;

    IF v_compte.id IS NULL THEN
        BEGIN
            INSERT INTO portail.compte (personne_id, email, mot_de_passe_hash)
            VALUES (v_personne.id, p_email, p_hash)
            RETURNING * INTO v_compte;
        EXCEPTION WHEN unique_violation THEN
            -- the same signatory or address registered a moment ago, in
            -- another request: that one sent its e-mail
            RETURN 'ok';
        END;
    ELSE
        -- registering again before confirming: the new details replace the
        -- old ones, and only the newest link works
        UPDATE portail.compte
        SET email = p_email, mot_de_passe_hash = p_hash
        WHERE id = v_compte.id;
        DELETE FROM portail.jeton
        WHERE compte_id = v_compte.id AND usage = 'confirmation';
    END IF;

    INSERT INTO portail.jeton (compte_id, usage, jeton_hash, expire_le)
    VALUES (v_compte.id, 'confirmation', p_jeton_hash, now() + interval '24 hours');

    PERFORM portail.envoyer_courriel(p_email, 'inscription_confirmation',
        jsonb_build_object('prenom', v_personne.prenom, 'nom', v_personne.nom,
                           'jeton', p_jeton));
    PERFORM portail.journaliser(v_compte.id, 'inscription', p_ip);

    RETURN 'ok';
END
$$;

-- Changing the sign-in address, as in 011, the request counted for the new
-- address, the account and the client address; over a limit nothing
-- changes and 'limite' is answered as 'ok' is.
DROP FUNCTION portail.email_changement_demander(bigint, text, bytea, text, inet);

CREATE FUNCTION portail.email_changement_demander(p_compte_id bigint, p_email text,
                                                  p_jeton_hash bytea, p_jeton text,
                                                  p_ip inet, p_limites integer[])
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_compte  portail.compte;
    v_prenom  text;
    v_nom     text;
BEGIN
    SELECT * INTO v_compte FROM portail.compte WHERE id = p_compte_id FOR UPDATE;

    IF v_compte.email = p_email THEN
        RETURN 'meme_adresse';
    END IF;

    IF NOT portail.courriel_accorde('dossier.email.demande', p_email, p_compte_id,
                                    p_ip, p_limites)
    THEN
        RETURN 'limite';
    END IF;

    SELECT prenom, nom INTO v_prenom, v_nom
    FROM portail.personne WHERE id = v_compte.personne_id;

    -- only the newest link works
    DELETE FROM portail.jeton
    WHERE compte_id = p_compte_id AND usage = 'changement_email' AND utilise_le IS NULL;

    INSERT INTO portail.jeton (compte_id, usage, jeton_hash, donnees, expire_le)
    VALUES (p_compte_id, 'changement_email', p_jeton_hash,
            jsonb_build_object('email', p_email), now() + interval '24 hours');

    PERFORM portail.envoyer_courriel(p_email, 'email_changement_confirmation',
        jsonb_build_object('prenom', v_prenom, 'nom', v_nom, 'email', p_email,
                           'jeton', p_jeton));
    PERFORM portail.envoyer_courriel(v_compte.email, 'email_changement_information',
        jsonb_build_object('prenom', v_prenom, 'email', p_email));
    PERFORM portail.journaliser(p_compte_id, 'dossier.email.demande', p_ip,
                                jsonb_build_object('email', p_email));

    RETURN 'ok';
END
$$;


-- Known devices (OWASP's device cookie): a random token set in a cookie
-- after a successful sign-in, kept here as its SHA-256 and bound to the
-- account.  Attempts that present it count apart from everyone else's.
CREATE TABLE portail.appareil (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    compte_id       bigint NOT NULL REFERENCES portail.compte,
    jeton_hash      bytea NOT NULL UNIQUE CHECK (octet_length(jeton_hash) = 32),
    cree_le         timestamptz NOT NULL DEFAULT now(),
    expire_le       timestamptz NOT NULL,
    CHECK (expire_le > cree_le)
);
CREATE INDEX appareil_compte_idx ON portail.appareil (compte_id);
CREATE INDEX appareil_expire_idx ON portail.appareil (expire_le);
GRANT SELECT, INSERT, DELETE ON portail.appareil TO portail_app;

ALTER TABLE portail.tentative_connexion
    ADD COLUMN appareil_id bigint REFERENCES portail.appareil ON DELETE SET NULL;
CREATE INDEX tentative_identifiant_ip_idx
    ON portail.tentative_connexion (identifiant, adresse_ip, le) WHERE NOT reussie;
CREATE INDEX tentative_appareil_idx
    ON portail.tentative_connexion (appareil_id, le) WHERE NOT reussie;

-- Before checking a password: the account (if any), the known device (if
-- the cookie's token is one of this account's), and how long to wait.
-- From a known device, only that device's own failures count.  From
-- anywhere else: failures of the identifier from this client address
-- (since its last success from there), of the address whatever the
-- identifiers, and, when p_max_compte is given, of the identifier from
-- every unknown client together: a much higher limit, which slows a
-- distributed attack and never applies to the owner's devices.  Refusals
-- for throttling do not count.
DROP FUNCTION portail.connexion_preparer(text, inet, integer, integer, interval);

CREATE FUNCTION portail.connexion_preparer(p_identifiant text, p_ip inet,
                                           p_max_identifiant integer,
                                           p_max_adresse integer,
                                           p_fenetre interval,
                                           p_appareil_hash bytea DEFAULT NULL,
                                           p_max_compte integer DEFAULT NULL)
RETURNS TABLE (compte_id bigint, mot_de_passe_hash text, confirme boolean,
               attente integer, appareil_id bigint)
LANGUAGE sql STABLE
AS $$
    WITH compte AS (
        -- a closed account is not found (019): it fails as an unknown one
        SELECT c.* FROM portail.compte c
        WHERE c.email = p_identifiant AND c.ferme_le IS NULL
    ),
    appareil AS (
        SELECT a.id FROM portail.appareil a, compte c
        WHERE a.jeton_hash = p_appareil_hash AND a.compte_id = c.id
          AND a.expire_le > now()
    ),
    echecs_appareil AS (
        SELECT t.le
        FROM portail.tentative_connexion t, appareil a
        WHERE t.appareil_id = a.id AND NOT t.reussie
          AND t.motif IS DISTINCT FROM 'limite'
          AND t.le > now() - p_fenetre
          AND t.le > coalesce((SELECT max(s.le) FROM portail.tentative_connexion s
                               WHERE s.appareil_id = a.id AND s.reussie),
                              '-infinity')
        ORDER BY t.le DESC
        OFFSET greatest(p_max_identifiant - 1, 0) LIMIT 1
    ),
    echecs_identifiant AS (
        SELECT t.le
        FROM portail.tentative_connexion t
        WHERE t.identifiant = p_identifiant AND t.adresse_ip = p_ip
          AND NOT t.reussie AND t.appareil_id IS NULL
          AND t.motif IS DISTINCT FROM 'limite'
          AND t.le > now() - p_fenetre
          AND t.le > coalesce((SELECT max(s.le) FROM portail.tentative_connexion s
                               WHERE s.identifiant = p_identifiant
                                 AND s.adresse_ip = p_ip AND s.reussie),
                              '-infinity')
        ORDER BY t.le DESC
        OFFSET greatest(p_max_identifiant - 1, 0) LIMIT 1
    ),
    echecs_adresse AS (
        SELECT t.le
        FROM portail.tentative_connexion t
        WHERE t.adresse_ip = p_ip AND NOT t.reussie AND t.appareil_id IS NULL
          AND t.motif IS DISTINCT FROM 'limite'
          AND t.le > now() - p_fenetre
        ORDER BY t.le DESC
        OFFSET greatest(p_max_adresse - 1, 0) LIMIT 1
    ),
    echecs_compte AS (
        SELECT t.le
        FROM portail.tentative_connexion t
        WHERE p_max_compte IS NOT NULL
          AND t.identifiant = p_identifiant AND NOT t.reussie
          AND t.appareil_id IS NULL
          AND t.motif IS DISTINCT FROM 'limite'
          AND t.le > now() - p_fenetre
        ORDER BY t.le DESC
        OFFSET greatest(coalesce(p_max_compte, 1) - 1, 0) LIMIT 1
    ),
    derniers AS (
        SELECT CASE WHEN EXISTS (SELECT 1 FROM appareil)
                    THEN ARRAY[(SELECT le FROM echecs_appareil)]
                    ELSE ARRAY[(SELECT le FROM echecs_identifiant),
                               (SELECT le FROM echecs_adresse),
                               (SELECT le FROM echecs_compte)] END AS le
    )
    SELECT c.id, c.mot_de_passe_hash, c.confirme_le IS NOT NULL,
           greatest(0, (SELECT max(ceil(extract(epoch FROM l + p_fenetre - now())))
                        FROM derniers, unnest(derniers.le) l))::integer,
           (SELECT id FROM appareil)
    FROM (SELECT 1) x
    LEFT JOIN compte c ON true
$$;

-- After checking it: records the attempt (with the known device it came
-- from, if any) and, on success, opens the session and, for a browser not
-- known yet, records its new device token (p_appareil_hash).  Returns the
-- session's body.
DROP FUNCTION portail.connexion_conclure(text, bigint, inet, text, text, bytea,
                                         interval, interval, boolean);

CREATE FUNCTION portail.connexion_conclure(p_identifiant text, p_compte_id bigint,
                                           p_ip inet, p_agent text, p_motif text,
                                           p_jeton_hash bytea, p_duree interval,
                                           p_inactivite interval,
                                           p_se_souvenir boolean,
                                           p_appareil_id bigint,
                                           p_appareil_hash bytea,
                                           p_appareil_duree interval)
RETURNS json
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO portail.tentative_connexion
        (compte_id, identifiant, adresse_ip, reussie, motif, appareil_id)
    VALUES (p_compte_id, left(p_identifiant, 320), p_ip,
            p_jeton_hash IS NOT NULL, p_motif, p_appareil_id);

    IF p_jeton_hash IS NULL THEN
        IF p_compte_id IS NOT NULL AND p_motif = 'mot_de_passe' THEN
            UPDATE portail.compte SET echecs_connexion = echecs_connexion + 1
            WHERE id = p_compte_id;
        END IF;
        RETURN NULL;
    END IF;

    INSERT INTO portail.session (compte_id, jeton_hash, expire_le, inactivite,
                                 se_souvenir, adresse_ip, agent)
    VALUES (p_compte_id, p_jeton_hash, now() + p_duree, p_inactivite,
            p_se_souvenir, p_ip, left(p_agent, 512));

    IF p_appareil_hash IS NOT NULL THEN
        DELETE FROM portail.appareil
        WHERE compte_id = p_compte_id AND expire_le <= now();
        INSERT INTO portail.appareil (compte_id, jeton_hash, expire_le)
        VALUES (p_compte_id, p_appareil_hash, now() + p_appareil_duree);
    END IF;

    UPDATE portail.compte
    SET derniere_connexion_le = now(), echecs_connexion = 0
    WHERE id = p_compte_id;

    PERFORM portail.journaliser(p_compte_id, 'connexion', p_ip,
                                jsonb_build_object('se_souvenir', p_se_souvenir,
                                                   'appareil_connu', p_appareil_id IS NOT NULL));

    RETURN portail.session_corps(p_compte_id, p_se_souvenir);
END
$$;
