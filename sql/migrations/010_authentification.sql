-- Authentication: what the module's statements call.  Each function is one
-- transaction (one statement from nginx), so an account, its token and the
-- e-mail that carries it are stored together or not at all.
--
-- Passwords arrive already hashed (argon2id, in nginx's thread pool); tokens
-- arrive as their SHA-256 (bytea) plus, where an e-mail must carry the link,
-- the token itself, kept in the outbox row until the mail is sent.

-- E-mails are rendered by the module when sent (templates and the office's
-- contact details live in its configuration): rows name a template and its
-- data.  Rows written by other producers (tools/import) keep their text.
ALTER TABLE portail.courriel
    ALTER COLUMN sujet DROP NOT NULL,
    ALTER COLUMN texte DROP NOT NULL,
    ADD COLUMN modele text CHECK (modele ~ '^[a-z][a-z_]{2,62}$'),
    ADD COLUMN donnees jsonb,
    -- A relay that refused the message for good (5xx): not retried.
    ADD COLUMN abandonne_le timestamptz,
    ADD CONSTRAINT courriel_contenu_ck
        CHECK (modele IS NOT NULL OR (sujet IS NOT NULL AND texte IS NOT NULL));
GRANT UPDATE (donnees, abandonne_le) ON portail.courriel TO portail_app;

-- Throttling counts failures per identifier typed, known or not, so that the
-- answer never tells whether an account exists.
CREATE INDEX tentative_identifiant_idx ON portail.tentative_connexion (identifiant, le);

-- The session behind a cookie, if it is still valid: open, within its
-- absolute lifetime and its idle timeout, on a confirmed account.  A plain
-- SQL function: PostgreSQL inlines it into each statement that uses it.
CREATE FUNCTION portail.session_valide(p_jeton_hash bytea)
RETURNS TABLE (session_id bigint, compte_id bigint, personne_id bigint,
               tiers_id bigint, se_souvenir boolean, a_toucher boolean)
LANGUAGE sql STABLE
AS $$
    SELECT s.id, s.compte_id, c.personne_id, p.tiers_id, s.se_souvenir,
           -- last activity is recorded at most once a minute
           s.vu_le < now() - interval '60 seconds'
    FROM portail.session s
    JOIN portail.compte c ON c.id = s.compte_id
    JOIN portail.personne p ON p.id = c.personne_id
    WHERE s.jeton_hash = p_jeton_hash
      AND s.fermee_le IS NULL
      AND s.expire_le > now()
      AND s.vu_le + s.inactivite > now()
      AND c.confirme_le IS NOT NULL
$$;

-- The contracts an account sees: those its signatory signs today.
CREATE FUNCTION portail.contrats_du_compte(p_compte_id bigint)
RETURNS SETOF portail.contrat
LANGUAGE sql STABLE
AS $$
    SELECT k.*
    FROM portail.compte c
    JOIN portail.contrat_signataire cs ON cs.personne_id = c.personne_id
                                      AND cs.retire_le IS NULL
    JOIN portail.contrat k ON k.id = cs.contrat_id AND k.archive_le IS NULL
    WHERE c.id = p_compte_id
$$;

-- Body of GET /api/session and of a successful sign-in (the module adds
-- the CSRF token, which the database never sees).
CREATE FUNCTION portail.session_corps(p_compte_id bigint, p_se_souvenir boolean)
RETURNS json
LANGUAGE sql STABLE
AS $$
    SELECT json_build_object(
        'compte', json_build_object(
            'id', c.id, 'email', c.email, 'civilite', p.civilite,
            'prenom', p.prenom, 'nom', p.nom),
        'contrats', coalesce((
            SELECT json_agg(json_build_object(
                       'numero', k.numero, 'nature', k.nature,
                       'designation', k.designation,
                       'adresse', concat_ws(' ', k.adresse_ligne1,
                                            k.adresse_ligne2, k.code_postal,
                                            k.commune))
                   ORDER BY k.nature = 'logement' DESC, k.numero)
            FROM portail.contrats_du_compte(c.id) k), '[]'::json),
        'se_souvenir', p_se_souvenir)
    FROM portail.compte c
    JOIN portail.personne p ON p.id = c.personne_id
    WHERE c.id = p_compte_id
$$;

-- The signatories a name and client reference designate: the name as
-- printed on the notice, with or without the first name, in either order,
-- ignoring case, accents, hyphens and extra spaces.
CREATE FUNCTION portail.signataires_designes(p_nom text, p_reference text)
RETURNS SETOF portail.personne
LANGUAGE sql STABLE
AS $$
    SELECT p.*
    FROM portail.tiers t
    JOIN portail.personne p ON p.tiers_id = t.id AND p.archive_le IS NULL
    WHERE t.reference_client = p_reference
      AND t.archive_le IS NULL
      AND portail.normaliser_nom(p_nom) IN (
              p.nom_normalise,
              portail.normaliser_nom(coalesce(p.prenom, '') || ' ' || p.nom),
              portail.normaliser_nom(p.nom || ' ' || coalesce(p.prenom, '')))
      AND EXISTS (SELECT 1 FROM portail.contrat_signataire cs
                  WHERE cs.personne_id = p.id AND cs.retire_le IS NULL)
$$;

CREATE FUNCTION portail.journaliser(p_compte_id bigint, p_action text,
                                    p_ip inet, p_details jsonb DEFAULT NULL)
RETURNS void
LANGUAGE sql
AS $$
    INSERT INTO portail.journal (compte_id, action, details, adresse_ip)
    VALUES (p_compte_id, p_action, p_details, p_ip)
$$;

CREATE FUNCTION portail.envoyer_courriel(p_destinataire text, p_modele text,
                                         p_donnees jsonb)
RETURNS void
LANGUAGE sql
AS $$
    INSERT INTO portail.courriel (destinataire, modele, donnees)
    VALUES (p_destinataire, p_modele, p_donnees)
$$;

-- Registration.  Answers 'ok' whenever name and reference designate one
-- signatory, whatever happens next, so that the answer never tells whether
-- an address or a signatory already has an account: the e-mail tells the
-- address's owner.
CREATE FUNCTION portail.inscrire(p_nom text, p_reference text, p_email text,
                                 p_hash text, p_jeton_hash bytea,
                                 p_jeton text, p_ip inet)
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
        PERFORM portail.envoyer_courriel(v_compte.email, 'inscription_compte_existant',
            jsonb_build_object('prenom', v_personne.prenom, 'nom', v_personne.nom));
        PERFORM portail.journaliser(v_compte.id, 'inscription.deja_inscrit', p_ip);
        RETURN 'ok';
    END IF;

    IF v_autre.id IS NOT NULL THEN
        PERFORM portail.envoyer_courriel(p_email, 'inscription_adresse_utilisee',
            jsonb_build_object('email', p_email));
        PERFORM portail.journaliser(v_autre.id, 'inscription.adresse_utilisee', p_ip);
        RETURN 'ok';
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

-- 'ok', 'jeton_invalide' (unknown or used) or 'jeton_expire'.
CREATE FUNCTION portail.jeton_etat(p_jeton_hash bytea, p_usage text)
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT CASE
        WHEN j.id IS NULL OR j.utilise_le IS NOT NULL THEN 'jeton_invalide'
        WHEN j.expire_le <= now() THEN 'jeton_expire'
        ELSE 'ok' END
    FROM (SELECT 1) x
    LEFT JOIN portail.jeton j ON j.jeton_hash = p_jeton_hash AND j.usage = p_usage
$$;

CREATE FUNCTION portail.confirmer_inscription(p_jeton_hash bytea, p_ip inet)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_jeton  portail.jeton;
BEGIN
    SELECT * INTO v_jeton FROM portail.jeton
    WHERE jeton_hash = p_jeton_hash AND usage = 'confirmation'
    FOR UPDATE;

    IF v_jeton.id IS NULL OR v_jeton.utilise_le IS NOT NULL THEN
        RETURN 'jeton_invalide';
    ELSIF v_jeton.expire_le <= now() THEN
        RETURN 'jeton_expire';
    END IF;

    UPDATE portail.jeton SET utilise_le = now() WHERE id = v_jeton.id;
    UPDATE portail.compte SET confirme_le = now()
    WHERE id = v_jeton.compte_id AND confirme_le IS NULL;
    PERFORM portail.journaliser(v_jeton.compte_id, 'inscription.confirmation', p_ip);

    RETURN 'ok';
END
$$;

-- Before checking a password: the account (if any), and how long the
-- identifier or the address must wait.  Failures count within p_fenetre
-- and since the identifier's last success; refusals for throttling do not
-- count, so a patient tenant gets back in once the window has passed.
CREATE FUNCTION portail.connexion_preparer(p_identifiant text, p_ip inet,
                                           p_max_identifiant integer,
                                           p_max_adresse integer,
                                           p_fenetre interval)
RETURNS TABLE (compte_id bigint, mot_de_passe_hash text, confirme boolean,
               attente integer)
LANGUAGE sql STABLE
AS $$
    WITH succes AS (
        SELECT coalesce(max(t.le), '-infinity') AS le
        FROM portail.tentative_connexion t
        WHERE t.identifiant = p_identifiant AND t.reussie
    ),
    echecs_identifiant AS (
        SELECT t.le
        FROM portail.tentative_connexion t, succes
        WHERE t.identifiant = p_identifiant AND NOT t.reussie
          AND t.motif IS DISTINCT FROM 'limite'
          AND t.le > now() - p_fenetre AND t.le > succes.le
        ORDER BY t.le DESC
        OFFSET greatest(p_max_identifiant - 1, 0) LIMIT 1
    ),
    echecs_adresse AS (
        SELECT t.le
        FROM portail.tentative_connexion t
        WHERE t.adresse_ip = p_ip AND NOT t.reussie
          AND t.motif IS DISTINCT FROM 'limite'
          AND t.le > now() - p_fenetre
        ORDER BY t.le DESC
        OFFSET greatest(p_max_adresse - 1, 0) LIMIT 1
    )
    SELECT c.id, c.mot_de_passe_hash, c.confirme_le IS NOT NULL,
           greatest(0,
               ceil(extract(epoch FROM (SELECT le FROM echecs_identifiant)
                                       + p_fenetre - now())),
               ceil(extract(epoch FROM (SELECT le FROM echecs_adresse)
                                       + p_fenetre - now())))::integer
    FROM (SELECT 1) x
    LEFT JOIN portail.compte c ON c.email = p_identifiant
$$;

-- After checking it: records the attempt, and on success opens the session
-- (p_jeton_hash given) and returns its body.
CREATE FUNCTION portail.connexion_conclure(p_identifiant text, p_compte_id bigint,
                                           p_ip inet, p_agent text, p_motif text,
                                           p_jeton_hash bytea, p_duree interval,
                                           p_inactivite interval,
                                           p_se_souvenir boolean)
RETURNS json
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO portail.tentative_connexion
        (compte_id, identifiant, adresse_ip, reussie, motif)
    VALUES (p_compte_id, left(p_identifiant, 320), p_ip,
            p_jeton_hash IS NOT NULL, p_motif);

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

    UPDATE portail.compte
    SET derniere_connexion_le = now(), echecs_connexion = 0
    WHERE id = p_compte_id;

    PERFORM portail.journaliser(p_compte_id, 'connexion', p_ip,
                                jsonb_build_object('se_souvenir', p_se_souvenir));

    RETURN portail.session_corps(p_compte_id, p_se_souvenir);
END
$$;

CREATE FUNCTION portail.deconnecter(p_jeton_hash bytea, p_ip inet)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    v_compte  bigint;
BEGIN
    UPDATE portail.session SET fermee_le = now()
    WHERE jeton_hash = p_jeton_hash AND fermee_le IS NULL
    RETURNING compte_id INTO v_compte;

    IF v_compte IS NOT NULL THEN
        PERFORM portail.journaliser(v_compte, 'deconnexion', p_ip);
    END IF;
END
$$;

-- Forgotten password: a reset link (1 hour) for a confirmed account; the
-- same answer, and no trace but the journal, for an unknown address.
CREATE FUNCTION portail.mot_de_passe_oubli(p_email text, p_jeton_hash bytea,
                                           p_jeton text, p_ip inet)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_compte   portail.compte;
    v_prenom   text;
BEGIN
    SELECT c.* INTO v_compte FROM portail.compte c
    WHERE c.email = p_email AND c.confirme_le IS NOT NULL
    FOR UPDATE;

    IF v_compte.id IS NULL THEN
        RETURN 'ok';
    END IF;

    SELECT prenom INTO v_prenom FROM portail.personne WHERE id = v_compte.personne_id;

    -- only the newest link works
    DELETE FROM portail.jeton
    WHERE compte_id = v_compte.id AND usage = 'reinitialisation' AND utilise_le IS NULL;

    INSERT INTO portail.jeton (compte_id, usage, jeton_hash, expire_le)
    VALUES (v_compte.id, 'reinitialisation', p_jeton_hash, now() + interval '1 hour');

    PERFORM portail.envoyer_courriel(v_compte.email, 'mot_de_passe_reinitialisation',
        jsonb_build_object('prenom', v_prenom, 'jeton', p_jeton));
    PERFORM portail.journaliser(v_compte.id, 'mot_de_passe.oubli', p_ip);

    RETURN 'ok';
END
$$;

-- Reset: the token is consumed, the password replaced, every session of
-- the account closed, and the owner told.
CREATE FUNCTION portail.reinitialiser_mot_de_passe(p_jeton_hash bytea, p_hash text,
                                                   p_ip inet)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_jeton   portail.jeton;
    v_compte  portail.compte;
    v_prenom  text;
BEGIN
    SELECT * INTO v_jeton FROM portail.jeton
    WHERE jeton_hash = p_jeton_hash AND usage = 'reinitialisation'
    FOR UPDATE;

    IF v_jeton.id IS NULL OR v_jeton.utilise_le IS NOT NULL THEN
        RETURN 'jeton_invalide';
    ELSIF v_jeton.expire_le <= now() THEN
        RETURN 'jeton_expire';
    END IF;

    UPDATE portail.jeton SET utilise_le = now() WHERE id = v_jeton.id;

    UPDATE portail.compte
    SET mot_de_passe_hash = p_hash, mot_de_passe_change_le = now(),
        echecs_connexion = 0
    WHERE id = v_jeton.compte_id
    RETURNING * INTO v_compte;

    UPDATE portail.session SET fermee_le = now()
    WHERE compte_id = v_compte.id AND fermee_le IS NULL;

    SELECT prenom INTO v_prenom FROM portail.personne WHERE id = v_compte.personne_id;

    PERFORM portail.envoyer_courriel(v_compte.email, 'mot_de_passe_modifie',
        jsonb_build_object('prenom', v_prenom));
    PERFORM portail.journaliser(v_compte.id, 'mot_de_passe.reinitialisation', p_ip);

    RETURN 'ok';
END
$$;

-- Forgotten identifiers: the sign-in identifier (the account's e-mail) is
-- sent to that address, never shown; same answer whatever is found.
CREATE FUNCTION portail.identifiants_oubli(p_nom text, p_reference text, p_ip inet)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v  record;
BEGIN
    FOR v IN
        SELECT c.id, c.email, p.prenom
        FROM portail.signataires_designes(p_nom, p_reference) p
        JOIN portail.compte c ON c.personne_id = p.id AND c.confirme_le IS NOT NULL
    LOOP
        PERFORM portail.envoyer_courriel(v.email, 'identifiants_rappel',
            jsonb_build_object('prenom', v.prenom, 'identifiant', v.email));
        PERFORM portail.journaliser(v.id, 'identifiants.rappel', p_ip);
    END LOOP;

    RETURN 'ok';
END
$$;
