-- Accueil, Dossier and Contrat (issue #5): what the module's statements of
-- those three sections call.
--
-- Reads are SQL functions RETURNS TABLE (compte_id, session_id, a_toucher,
-- corps json): PostgreSQL inlines them into the prepared statement that
-- calls them, so a page is one statement planned once, whose first three
-- columns are the session check (portail.session_valide) and whose last is
-- the JSON answer.  A contract number that is not the tenant's gives a row
-- with corps NULL: the module answers 404 without telling why.
--
-- Writes are PL/pgSQL functions taking the account the statement's
-- session check found; each change, its audit row (journal), its export
-- trace (modifie_par_compte_le, occupant_modification, a new
-- adresse_facturation row) and its e-mails are one transaction.  They
-- return (resultat, corps): 'ok' with the new state, or a stable code the
-- module turns into an error ('introuvable', 'date_future', ...).

-- Labels -------------------------------------------------------------------

CREATE FUNCTION portail.libelle_situation_professionnelle(v text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE v
    WHEN 'salarie' THEN 'Salarié(e)'
    WHEN 'demandeur_emploi' THEN 'Demandeur d''emploi'
    WHEN 'retraite' THEN 'Retraité(e)'
    WHEN 'etudiant' THEN 'Étudiant(e)'
    WHEN 'sans_activite' THEN 'Sans activité'
    WHEN 'independant' THEN 'Indépendant(e)'
    WHEN 'autre' THEN 'Autre'
    END;

CREATE FUNCTION portail.libelle_lien_occupant(v text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE v
    WHEN 'signataire' THEN 'Signataire du contrat'
    WHEN 'conjoint' THEN 'Conjoint(e)'
    WHEN 'enfant' THEN 'Enfant'
    WHEN 'ascendant' THEN 'Ascendant (parent, grand-parent)'
    WHEN 'autre_parent' THEN 'Autre membre de la famille'
    WHEN 'autre' THEN 'Autre'
    END;

CREATE FUNCTION portail.libelle_nature_contrat(v text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE v
    WHEN 'logement' THEN 'Logement'
    WHEN 'stationnement' THEN 'Stationnement'
    WHEN 'commerce' THEN 'Local commercial'
    WHEN 'autre' THEN 'Autre'
    END;

CREATE FUNCTION portail.libelle_statut_assurance(v text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE v
    WHEN 'en_attente' THEN 'En cours de vérification'
    WHEN 'validee' THEN 'Validée'
    WHEN 'refusee' THEN 'Refusée'
    END;

-- The forms' choices, in the order they are offered.
CREATE FUNCTION portail.choix_situation_professionnelle() RETURNS json
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (SELECT json_agg(json_build_object('code', v,
                            'libelle', portail.libelle_situation_professionnelle(v))
                        ORDER BY n)
        FROM unnest(ARRAY['salarie', 'demandeur_emploi', 'retraite', 'etudiant',
                          'sans_activite', 'independant', 'autre'])
             WITH ORDINALITY AS u(v, n));

CREATE FUNCTION portail.choix_lien_occupant() RETURNS json
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (SELECT json_agg(json_build_object('code', v,
                            'libelle', portail.libelle_lien_occupant(v))
                        ORDER BY n)
        FROM unnest(ARRAY['conjoint', 'enfant', 'ascendant', 'autre_parent',
                          'autre', 'signataire'])
             WITH ORDINALITY AS u(v, n));

-- +33612345678 as a French reader expects it: 06 12 34 56 78.  Other
-- countries' numbers stay in E.164.
CREATE FUNCTION portail.telephone_affichage(v text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN v ~ '^\+33[1-9][0-9]{8}$'
            THEN regexp_replace('0' || substr(v, 4), '([0-9]{2})(?=[0-9])', '\1 ', 'g')
            ELSE v END;

-- The start of a news text for the home page: whole words, an ellipsis
-- when cut.
CREATE FUNCTION portail.extrait(v text, n integer) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN length(v) <= n
            THEN regexp_replace(btrim(v), '\s+', ' ', 'g')
            ELSE regexp_replace(left(regexp_replace(btrim(v), '\s+', ' ', 'g'), n + 1),
                                '\s+\S*$', '') || '…' END;

-- The next due date of a contract from its day of the month (1-28, so it
-- exists every month): this month's if not passed yet, else next month's.
CREATE FUNCTION portail.prochaine_echeance(jour smallint, aujourdhui date) RETURNS date
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN extract(day FROM aujourdhui) <= jour
            THEN date_trunc('month', aujourdhui)::date + (jour - 1)
            ELSE (date_trunc('month', aujourdhui) + interval '1 month')::date + (jour - 1) END;

-- "LA ROCHELLE", "ST MARTIN DE RE": a locality as line 6 of a French
-- address wants it (the module converts what the tenant typed the same way).
CREATE FUNCTION portail.localite_postale(v text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN left(btrim(regexp_replace(
           regexp_replace(upper(public.unaccent('public.unaccent'::regdictionary, v)),
                          '[^A-Z0-9'' -]+', ' ', 'g'),
           ' {2,}', ' ', 'g')), 32);

-- Row → JSON --------------------------------------------------------------

CREATE FUNCTION portail.occupant_json(o portail.occupant) RETURNS json
    LANGUAGE sql STABLE
RETURN json_build_object(
    'id', o.id, 'nom', o.nom, 'prenom', o.prenom,
    'date_naissance', o.date_naissance, 'lien', o.lien,
    'lien_libelle', portail.libelle_lien_occupant(o.lien),
    -- added on the portal and not yet taken in by the office
    'declare_sur_portail', o.reference_externe IS NULL,
    'modifie_le', o.modifie_par_compte_le);

-- What occupant_modification records of an occupant (the export's fields).
CREATE FUNCTION portail.occupant_donnees(o portail.occupant) RETURNS jsonb
    LANGUAGE sql STABLE
RETURN jsonb_build_object('nom', o.nom, 'prenom', o.prenom,
                          'date_naissance', o.date_naissance, 'lien', o.lien);

CREATE FUNCTION portail.assurance_json(a portail.assurance_habitation) RETURNS json
    LANGUAGE sql STABLE
RETURN json_build_object(
    'id', a.id, 'assureur', a.assureur, 'numero_police', a.numero_police,
    'date_debut', a.date_debut, 'date_fin', a.date_fin,
    'statut', a.statut, 'statut_libelle', portail.libelle_statut_assurance(a.statut),
    'motif_refus', a.motif_refus, 'examinee_le', a.examinee_le,
    'depose_le', a.depose_le,
    'fichier', json_build_object('nom', a.fichier_nom_origine,
                                 'type', a.fichier_mime,
                                 'taille', a.fichier_taille));

-- A contract as the contract pages show it.
CREATE FUNCTION portail.contrat_json(p_contrat_id bigint) RETURNS json
    LANGUAGE sql STABLE
AS $$
    SELECT json_build_object(
        'numero', k.numero,
        'numero_court', substr(k.numero, 3),
        'nature', k.nature,
        'nature_libelle', portail.libelle_nature_contrat(k.nature),
        'designation', k.designation,
        'residence', r.nom,
        'adresse', json_build_object('ligne1', k.adresse_ligne1,
                                     'ligne2', k.adresse_ligne2,
                                     'code_postal', k.code_postal,
                                     'commune', k.commune),
        'date_debut', k.date_debut,
        'date_fin', k.date_fin,
        'signataires', coalesce((
            SELECT json_agg(json_build_object('civilite', p.civilite,
                                              'prenom', p.prenom, 'nom', p.nom)
                            ORDER BY cs.rang)
            FROM portail.contrat_signataire cs
            JOIN portail.personne p ON p.id = cs.personne_id
            WHERE cs.contrat_id = k.id AND cs.retire_le IS NULL), '[]'::json),
        'loyer_cents', k.loyer_cents,
        'charges_cents', k.charges_cents,
        'total_cents', k.loyer_cents + k.charges_cents,
        'jour_echeance', k.jour_echeance,
        'mode_paiement', k.mode_paiement)
    FROM portail.contrat k
    LEFT JOIN portail.residence r ON r.id = k.residence_id
    WHERE k.id = p_contrat_id
$$;

-- The billing address in force: the latest row, or else the dwelling's
-- address made into postal lines.
CREATE FUNCTION portail.adresse_facturation_json(p_contrat_id bigint) RETURNS json
    LANGUAGE sql STABLE
AS $$
    SELECT json_build_object(
        'contrat', k.numero,
        'source', CASE WHEN a.id IS NULL THEN 'contrat' ELSE 'facturation' END,
        'destinataire', CASE WHEN a.id IS NULL THEN left(t.libelle, 38) ELSE a.destinataire END,
        'complement_destinataire', a.complement_destinataire,
        'complement_adresse', CASE WHEN a.id IS NULL THEN k.adresse_ligne2 ELSE a.complement_adresse END,
        'voie', CASE WHEN a.id IS NULL THEN k.adresse_ligne1 ELSE a.voie END,
        'lieu_dit', a.lieu_dit,
        'code_postal', coalesce(a.code_postal, k.code_postal),
        'localite', coalesce(a.localite, portail.localite_postale(k.commune)),
        'modifiee_le', a.cree_le)
    FROM portail.contrat k
    JOIN portail.tiers t ON t.id = k.tiers_id
    LEFT JOIN LATERAL (
        SELECT * FROM portail.adresse_facturation f
        WHERE f.contrat_id = k.id
        ORDER BY f.cree_le DESC, f.id DESC LIMIT 1) a ON true
    WHERE k.id = p_contrat_id
$$;

-- The certificate in force: the one ending last, unless refused.
CREATE FUNCTION portail.assurance_courante(p_contrat_id bigint) RETURNS json
    LANGUAGE sql STABLE
AS $$
    SELECT portail.assurance_json(a)
    FROM portail.assurance_habitation a
    WHERE a.contrat_id = p_contrat_id AND a.statut <> 'refusee'
    ORDER BY a.date_fin DESC, a.id DESC
    LIMIT 1
$$;

-- Accueil -----------------------------------------------------------------

-- A news item is shown once published, until it expires, unless archived.
-- A plain expression: inlined, so the partial indexes below still apply.
CREATE FUNCTION portail.actualite_en_ligne(archive_le timestamptz, publie_le timestamptz,
                                           expire_le timestamptz)
RETURNS boolean
LANGUAGE sql STABLE
RETURN archive_le IS NULL AND publie_le <= now()
       AND (expire_le IS NULL OR expire_le > now());

-- The home page reads the newest news of each audience: one index each, so
-- that news of other residences and old ones are never walked through.  They
-- replace the index on publie_le alone (006), made for the home page: with
-- it, the planner would walk all the news for a residence that has none.
DROP INDEX portail.actualite_publie_idx;
CREATE INDEX actualite_tous_idx ON portail.actualite (publie_le DESC)
    WHERE archive_le IS NULL AND cible = 'tous';
CREATE INDEX actualite_residence_publie_idx ON portail.actualite (residence_id, publie_le DESC)
    WHERE archive_le IS NULL AND cible = 'residence';
CREATE INDEX actualite_nature_publie_idx ON portail.actualite (nature_contrat, publie_le DESC)
    WHERE archive_le IS NULL AND cible = 'nature_contrat';
--
-- THE hot path: one statement, every lookup on an index.  p_numero (null:
-- all contracts) narrows the page to one contract.  The news are those of
-- the tenant's profile: for everyone, for the residence or the kind of one
-- of the contracts shown.

CREATE FUNCTION portail.accueil(p_jeton_hash bytea, p_numero text)
RETURNS TABLE (compte_id bigint, session_id bigint, a_toucher boolean,
               corps json)
LANGUAGE sql STABLE
AS $$
    SELECT s.compte_id, s.session_id, s.a_toucher,
        CASE WHEN p_numero IS NULL OR EXISTS (
                 SELECT 1 FROM portail.contrats_du_compte(s.compte_id) k
                 WHERE k.numero = p_numero)
        THEN json_build_object(
            'contrat', p_numero,
            'aujourdhui', j.aujourdhui,
            'actualites', coalesce((
                SELECT json_agg(json_build_object(
                           'id', a.id, 'titre', a.titre,
                           'extrait', portail.extrait(a.texte, 200),
                           'publie_le', a.publie_le, 'expire_le', a.expire_le,
                           'lien', a.lien)
                       ORDER BY a.publie_le DESC, a.id DESC)
                -- the 5 newest of each audience, each read on its own
                -- index, then the 5 newest of those
                FROM (SELECT a.*
                      FROM ((SELECT a.*
                             FROM portail.actualite a
                             WHERE a.cible = 'tous'
                               AND portail.actualite_en_ligne(a.archive_le, a.publie_le,
                                                              a.expire_le)
                             ORDER BY a.publie_le DESC
                             LIMIT 5)
                            UNION ALL
                            (SELECT a.*
                             FROM (SELECT DISTINCT k.residence_id
                                   FROM portail.contrats_du_compte(s.compte_id) k
                                   WHERE p_numero IS NULL OR k.numero = p_numero) r
                             CROSS JOIN LATERAL (
                                 SELECT a.*
                                 FROM portail.actualite a
                                 WHERE a.cible = 'residence'
                                   AND a.residence_id = r.residence_id
                                   AND portail.actualite_en_ligne(a.archive_le, a.publie_le,
                                                                  a.expire_le)
                                 ORDER BY a.publie_le DESC
                                 LIMIT 5) a)
                            UNION ALL
                            (SELECT a.*
                             FROM (SELECT DISTINCT k.nature
                                   FROM portail.contrats_du_compte(s.compte_id) k
                                   WHERE p_numero IS NULL OR k.numero = p_numero) n
                             CROSS JOIN LATERAL (
                                 SELECT a.*
                                 FROM portail.actualite a
                                 WHERE a.cible = 'nature_contrat'
                                   AND a.nature_contrat = n.nature
                                   AND portail.actualite_en_ligne(a.archive_le, a.publie_le,
                                                                  a.expire_le)
                                 ORDER BY a.publie_le DESC
                                 LIMIT 5) a)) a
                      ORDER BY a.publie_le DESC, a.id DESC
                      LIMIT 5) a), '[]'::json),
            'contrats', coalesce((
                SELECT json_agg(json_build_object(
                           'numero', k.numero,
                           'nature', k.nature,
                           'nature_libelle', portail.libelle_nature_contrat(k.nature),
                           'designation', k.designation,
                           'solde_cents', k.solde_cents,
                           'solde_au', k.solde_au,
                           'echeance_cents', k.loyer_cents + k.charges_cents,
                           'prochaine_echeance',
                               portail.prochaine_echeance(k.jour_echeance, j.aujourdhui),
                           'mode_paiement', k.mode_paiement,
                           'assurance', CASE WHEN k.nature = 'logement' THEN (
                               SELECT json_build_object(
                                   'etat', CASE
                                       WHEN a.id IS NULL THEN 'aucune'
                                       WHEN a.date_fin < j.aujourdhui THEN 'expiree'
                                       WHEN a.date_fin <= j.aujourdhui + 30 THEN 'expire_bientot'
                                       ELSE 'valide' END,
                                   'date_fin', a.date_fin,
                                   'statut', a.statut)
                               FROM (SELECT 1) x
                               LEFT JOIN LATERAL (
                                   SELECT a.id, a.date_fin, a.statut
                                   FROM portail.assurance_habitation a
                                   WHERE a.contrat_id = k.id AND a.statut <> 'refusee'
                                   ORDER BY a.date_fin DESC
                                   LIMIT 1) a ON true) END)
                       ORDER BY k.nature = 'logement' DESC, k.numero)
                FROM portail.contrats_du_compte(s.compte_id) k
                WHERE p_numero IS NULL OR k.numero = p_numero), '[]'::json),
            'demandes', (
                SELECT json_build_object(
                    'ouvertes', count(*),
                    'dernieres', coalesce(json_agg(json_build_object(
                                     'numero', d.numero, 'objet', d.objet,
                                     'contrat', d.contrat,
                                     'statut', d.statut,
                                     'statut_libelle', portail.libelle_statut_demande(d.statut),
                                     'statut_le', d.statut_le,
                                     'cree_le', d.cree_le)
                                 ORDER BY d.cree_le DESC, d.id DESC)
                                 FILTER (WHERE d.rang <= 3), '[]'::json))
                FROM (SELECT d.id, d.numero, d.objet, d.statut, d.statut_le,
                             d.cree_le, k.numero AS contrat,
                             row_number() OVER (ORDER BY d.cree_le DESC, d.id DESC) AS rang
                      FROM portail.contrats_du_compte(s.compte_id) k
                      JOIN portail.demande d ON d.contrat_id = k.id
                      WHERE (p_numero IS NULL OR k.numero = p_numero)
                        AND d.statut IN ('nouvelle', 'en_cours', 'en_attente_locataire')) d),
            'enquete', (
                SELECT json_build_object(
                    'id', e.id, 'type', c.type, 'annee', c.annee,
                    'contrat', k.numero,
                    'date_limite', c.date_limite,
                    'en_retard', c.date_limite < j.aujourdhui)
                FROM portail.contrats_du_compte(s.compte_id) k
                JOIN portail.enquete e ON e.contrat_id = k.id
                JOIN portail.enquete_campagne c ON c.id = e.campagne_id
                WHERE (p_numero IS NULL OR k.numero = p_numero)
                  AND e.statut = 'a_completer' AND e.archive_le IS NULL
                  AND c.archive_le IS NULL AND c.ouverture_le <= j.aujourdhui
                ORDER BY c.date_limite, e.id
                LIMIT 1))
        END
    FROM portail.session_valide(p_jeton_hash) s
    CROSS JOIN (SELECT (now() AT TIME ZONE 'Europe/Paris')::date AS aujourdhui) j
$$;

-- One news item in full, if the tenant's profile sees it.
CREATE FUNCTION portail.actualite_lire(p_jeton_hash bytea, p_id bigint)
RETURNS TABLE (compte_id bigint, session_id bigint, a_toucher boolean,
               corps json)
LANGUAGE sql STABLE
AS $$
    SELECT s.compte_id, s.session_id, s.a_toucher, (
        SELECT json_build_object('id', a.id, 'titre', a.titre, 'texte', a.texte,
                                 'lien', a.lien, 'publie_le', a.publie_le,
                                 'expire_le', a.expire_le)
        FROM portail.actualite a
        WHERE a.id = p_id
          AND portail.actualite_en_ligne(a.archive_le, a.publie_le, a.expire_le)
          AND (a.cible = 'tous'
               OR (a.cible = 'residence' AND a.residence_id IN (
                       SELECT k.residence_id FROM portail.contrats_du_compte(s.compte_id) k))
               OR (a.cible = 'nature_contrat' AND a.nature_contrat IN (
                       SELECT k.nature FROM portail.contrats_du_compte(s.compte_id) k))))
    FROM portail.session_valide(p_jeton_hash) s
$$;

-- Dossier -----------------------------------------------------------------

CREATE FUNCTION portail.dossier_corps(p_compte_id bigint) RETURNS json
    LANGUAGE sql STABLE
AS $$
    SELECT json_build_object(
        'email', c.email,
        'email_en_attente', (
            SELECT json_build_object('email', j.donnees ->> 'email',
                                     'demande_le', j.cree_le,
                                     'expire_le', j.expire_le)
            FROM portail.jeton j
            WHERE j.compte_id = c.id AND j.usage = 'changement_email'
              AND j.utilise_le IS NULL AND j.expire_le > now()
            ORDER BY j.cree_le DESC, j.id DESC
            LIMIT 1),
        'civilite', p.civilite,
        'prenom', p.prenom,
        'nom', p.nom,
        'email_contact', p.email_contact,
        'telephone_fixe', p.telephone_fixe,
        'telephone_fixe_affichage', portail.telephone_affichage(p.telephone_fixe),
        'telephone_mobile', p.telephone_mobile,
        'telephone_mobile_affichage', portail.telephone_affichage(p.telephone_mobile),
        'situation_professionnelle', p.situation_professionnelle,
        'situation_professionnelle_libelle',
            portail.libelle_situation_professionnelle(p.situation_professionnelle),
        'situations_professionnelles', portail.choix_situation_professionnelle(),
        'consentements', json_build_object(
            'dematerialisation', p.consentement_dematerialisation_le IS NOT NULL,
            'dematerialisation_le', p.consentement_dematerialisation_le,
            'actualites', p.consentement_actualites_le IS NOT NULL,
            'actualites_le', p.consentement_actualites_le),
        'modifie_le', p.modifie_par_compte_le,
        'mot_de_passe_change_le', c.mot_de_passe_change_le)
    FROM portail.compte c
    JOIN portail.personne p ON p.id = c.personne_id
    WHERE c.id = p_compte_id
$$;

-- PATCH /api/dossier: p_modifs holds only the fields sent, already checked
-- and normalised by the module (phones in E.164, null to clear; consents
-- as booleans).  A consent given again keeps its first date; withdrawn,
-- its date is cleared.  Nothing changed: nothing written, nothing exported.
CREATE FUNCTION portail.dossier_modifier(p_compte_id bigint, p_modifs jsonb,
                                         p_ip inet)
RETURNS json
LANGUAGE plpgsql
AS $$
DECLARE
    v_avant   portail.personne;
    v_apres   portail.personne;
    v_champs  jsonb := '[]';
BEGIN
    SELECT p.* INTO v_avant
    FROM portail.compte c JOIN portail.personne p ON p.id = c.personne_id
    WHERE c.id = p_compte_id
    FOR UPDATE OF p;

    v_apres := v_avant;

    IF p_modifs ? 'telephone_fixe' THEN
        v_apres.telephone_fixe := p_modifs ->> 'telephone_fixe';
    END IF;
    IF p_modifs ? 'telephone_mobile' THEN
        v_apres.telephone_mobile := p_modifs ->> 'telephone_mobile';
    END IF;
    IF p_modifs ? 'situation_professionnelle' THEN
        v_apres.situation_professionnelle := p_modifs ->> 'situation_professionnelle';
    END IF;
    IF p_modifs ? 'consentement_dematerialisation' THEN
        v_apres.consentement_dematerialisation_le :=
            CASE WHEN (p_modifs ->> 'consentement_dematerialisation')::boolean
                 THEN coalesce(v_avant.consentement_dematerialisation_le, now()) END;
    END IF;
    IF p_modifs ? 'consentement_actualites' THEN
        v_apres.consentement_actualites_le :=
            CASE WHEN (p_modifs ->> 'consentement_actualites')::boolean
                 THEN coalesce(v_avant.consentement_actualites_le, now()) END;
    END IF;

    SELECT coalesce(jsonb_agg(k ORDER BY k), '[]') INTO v_champs
    FROM (VALUES
        ('telephone_fixe', v_avant.telephone_fixe IS DISTINCT FROM v_apres.telephone_fixe),
        ('telephone_mobile', v_avant.telephone_mobile IS DISTINCT FROM v_apres.telephone_mobile),
        ('situation_professionnelle', v_avant.situation_professionnelle
                                      IS DISTINCT FROM v_apres.situation_professionnelle),
        ('consentement_dematerialisation', v_avant.consentement_dematerialisation_le
                                   IS DISTINCT FROM v_apres.consentement_dematerialisation_le),
        ('consentement_actualites', v_avant.consentement_actualites_le
                                    IS DISTINCT FROM v_apres.consentement_actualites_le)
    ) AS x(k, change)
    WHERE change;

    IF jsonb_array_length(v_champs) > 0 THEN
        UPDATE portail.personne
        SET telephone_fixe = v_apres.telephone_fixe,
            telephone_mobile = v_apres.telephone_mobile,
            situation_professionnelle = v_apres.situation_professionnelle,
            consentement_dematerialisation_le = v_apres.consentement_dematerialisation_le,
            consentement_actualites_le = v_apres.consentement_actualites_le,
            modifie_par_compte_le = now()
        WHERE id = v_avant.id;

        PERFORM portail.journaliser(p_compte_id, 'dossier.modification', p_ip,
                                    jsonb_build_object('champs', v_champs));
    END IF;

    RETURN portail.dossier_corps(p_compte_id);
END
$$;

-- A wrong current password typed on the Dossier page is a failed sign-in
-- attempt of the account: it counts towards the same throttling.
CREATE FUNCTION portail.mot_de_passe_actuel_refuse(p_compte_id bigint, p_ip inet,
                                                   p_action text)
RETURNS void
LANGUAGE sql
AS $$
    INSERT INTO portail.tentative_connexion (compte_id, identifiant, adresse_ip,
                                             reussie, motif)
    SELECT id, email, p_ip, false, 'mot_de_passe'
    FROM portail.compte WHERE id = p_compte_id;

    UPDATE portail.compte SET echecs_connexion = echecs_connexion + 1
    WHERE id = p_compte_id;

    SELECT portail.journaliser(p_compte_id, p_action, p_ip);
$$;

-- Changing the sign-in address: nothing changes until the link sent to the
-- new address is opened; the current address is told.  The answer is the
-- same whether the new address has an account or not.
CREATE FUNCTION portail.email_changement_demander(p_compte_id bigint, p_email text,
                                                  p_jeton_hash bytea, p_jeton text,
                                                  p_ip inet)
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

-- 'ok', 'jeton_invalide', 'jeton_expire' or 'adresse_utilisee' (another
-- account took the address meanwhile: only the link's owner learns it).
CREATE FUNCTION portail.email_changement_confirmer(p_jeton_hash bytea, p_ip inet)
RETURNS text
LANGUAGE plpgsql
AS $$
DECLARE
    v_jeton     portail.jeton;
    v_email     text;
    v_personne  bigint;
BEGIN
    SELECT * INTO v_jeton FROM portail.jeton
    WHERE jeton_hash = p_jeton_hash AND usage = 'changement_email'
    FOR UPDATE;

    IF v_jeton.id IS NULL OR v_jeton.utilise_le IS NOT NULL THEN
        RETURN 'jeton_invalide';
    ELSIF v_jeton.expire_le <= now() THEN
        RETURN 'jeton_expire';
    END IF;

    v_email := v_jeton.donnees ->> 'email';

    BEGIN
        UPDATE portail.compte SET email = v_email
        WHERE id = v_jeton.compte_id
        RETURNING personne_id INTO v_personne;
    EXCEPTION WHEN unique_violation THEN
        PERFORM portail.journaliser(v_jeton.compte_id, 'dossier.email.adresse_utilisee', p_ip);
        RETURN 'adresse_utilisee';
    END;

    UPDATE portail.personne SET email_contact = v_email, modifie_par_compte_le = now()
    WHERE id = v_personne;

    UPDATE portail.jeton SET utilise_le = now() WHERE id = v_jeton.id;

    PERFORM portail.journaliser(v_jeton.compte_id, 'dossier.email.confirmation', p_ip,
                                jsonb_build_object('email', v_email));

    RETURN 'ok';
END
$$;

-- New password: the other sessions end (this one stays), pending reset
-- links die, the owner is told.
CREATE FUNCTION portail.mot_de_passe_changer(p_compte_id bigint, p_session_id bigint,
                                             p_hash text, p_ip inet)
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    v_compte  portail.compte;
    v_prenom  text;
BEGIN
    UPDATE portail.compte
    SET mot_de_passe_hash = p_hash, mot_de_passe_change_le = now(),
        echecs_connexion = 0
    WHERE id = p_compte_id
    RETURNING * INTO v_compte;

    UPDATE portail.session SET fermee_le = now()
    WHERE compte_id = p_compte_id AND fermee_le IS NULL AND id <> p_session_id;

    DELETE FROM portail.jeton
    WHERE compte_id = p_compte_id AND usage = 'reinitialisation' AND utilise_le IS NULL;

    SELECT prenom INTO v_prenom FROM portail.personne WHERE id = v_compte.personne_id;

    PERFORM portail.envoyer_courriel(v_compte.email, 'mot_de_passe_modifie',
        jsonb_build_object('prenom', v_prenom));
    PERFORM portail.journaliser(p_compte_id, 'dossier.mot_de_passe', p_ip);
END
$$;

-- Contrats ----------------------------------------------------------------

CREATE FUNCTION portail.contrats_liste(p_jeton_hash bytea, p_numero text)
RETURNS TABLE (compte_id bigint, session_id bigint, a_toucher boolean,
               corps json)
LANGUAGE sql STABLE
AS $$
    SELECT s.compte_id, s.session_id, s.a_toucher,
        CASE WHEN p_numero IS NULL OR EXISTS (
                 SELECT 1 FROM portail.contrats_du_compte(s.compte_id) k
                 WHERE k.numero = p_numero)
        THEN json_build_object(
            'contrat', p_numero,
            'contrats', coalesce((
                SELECT json_agg(portail.contrat_json(k.id)
                                ORDER BY k.nature = 'logement' DESC, k.numero)
                FROM portail.contrats_du_compte(s.compte_id) k
                WHERE p_numero IS NULL OR k.numero = p_numero), '[]'::json))
        END
    FROM portail.session_valide(p_jeton_hash) s
$$;

CREATE FUNCTION portail.contrat_detail(p_jeton_hash bytea, p_numero text)
RETURNS TABLE (compte_id bigint, session_id bigint, a_toucher boolean,
               corps json)
LANGUAGE sql STABLE
AS $$
    -- the list's object with three more keys, in this order (jsonb would
    -- sort the keys)
    SELECT s.compte_id, s.session_id, s.a_toucher, (
        SELECT (left(portail.contrat_json(k.id)::text, -1)
                || ', "occupants" : ' || coalesce((
                       SELECT json_agg(portail.occupant_json(o)
                                       ORDER BY o.date_naissance, o.id)
                       FROM portail.occupant o
                       WHERE o.contrat_id = k.id AND o.retire_le IS NULL), '[]'::json)::text
                || ', "adresse_facturation" : '
                || coalesce(portail.adresse_facturation_json(k.id)::text, 'null')
                || ', "assurance" : '
                || coalesce(portail.assurance_courante(k.id)::text, 'null')
                || '}')::json
        FROM portail.contrats_du_compte(s.compte_id) k
        WHERE k.numero = p_numero)
    FROM portail.session_valide(p_jeton_hash) s
$$;

CREATE FUNCTION portail.occupants_liste(p_jeton_hash bytea, p_numero text)
RETURNS TABLE (compte_id bigint, session_id bigint, a_toucher boolean,
               corps json)
LANGUAGE sql STABLE
AS $$
    SELECT s.compte_id, s.session_id, s.a_toucher, (
        SELECT json_build_object(
            'contrat', k.numero,
            'occupants', coalesce((
                SELECT json_agg(portail.occupant_json(o)
                                ORDER BY o.date_naissance, o.id)
                FROM portail.occupant o
                WHERE o.contrat_id = k.id AND o.retire_le IS NULL), '[]'::json),
            'liens', portail.choix_lien_occupant())
        FROM portail.contrats_du_compte(s.compte_id) k
        WHERE k.numero = p_numero)
    FROM portail.session_valide(p_jeton_hash) s
$$;

-- Occupants: adding, changing (p_id given, p_retirer false) or removing
-- (p_retirer true) one, with its occupant_modification row for the export.
CREATE FUNCTION portail.occupant_ecrire(p_compte_id bigint, p_numero text,
                                        p_id bigint, p_retirer boolean,
                                        p_nom text, p_prenom text,
                                        p_date_naissance date, p_lien text,
                                        p_ip inet)
RETURNS TABLE (resultat text, corps json)
LANGUAGE plpgsql
AS $$
DECLARE
    v_contrat  bigint;
    v_avant    portail.occupant;
    v_apres    portail.occupant;
BEGIN
    SELECT k.id INTO v_contrat
    FROM portail.contrats_du_compte(p_compte_id) k WHERE k.numero = p_numero;

    IF v_contrat IS NULL THEN
        RETURN QUERY SELECT 'introuvable'::text, NULL::json;
        RETURN;
    END IF;

    IF p_id IS NOT NULL THEN
        SELECT * INTO v_avant FROM portail.occupant
        WHERE id = p_id AND contrat_id = v_contrat AND retire_le IS NULL
        FOR UPDATE;

        IF v_avant.id IS NULL THEN
            RETURN QUERY SELECT 'introuvable'::text, NULL::json;
            RETURN;
        END IF;
    END IF;

    IF NOT p_retirer AND p_date_naissance > (now() AT TIME ZONE 'Europe/Paris')::date THEN
        RETURN QUERY SELECT 'date_future'::text, NULL::json;
        RETURN;
    END IF;

    IF p_id IS NULL THEN
        INSERT INTO portail.occupant (contrat_id, nom, prenom, date_naissance, lien,
                                      modifie_par_compte_le)
        VALUES (v_contrat, p_nom, p_prenom, p_date_naissance, p_lien, now())
        RETURNING * INTO v_apres;

        INSERT INTO portail.occupant_modification (occupant_id, contrat_id, compte_id,
                                                   action, avant, apres)
        VALUES (v_apres.id, v_contrat, p_compte_id, 'ajout', NULL,
                portail.occupant_donnees(v_apres));

        PERFORM portail.journaliser(p_compte_id, 'contrat.occupant.ajout', p_ip,
            jsonb_build_object('contrat', p_numero, 'occupant', v_apres.id));

        RETURN QUERY SELECT 'ok'::text, portail.occupant_json(v_apres);
        RETURN;
    END IF;

    IF p_retirer THEN
        UPDATE portail.occupant SET retire_le = now(), modifie_par_compte_le = now()
        WHERE id = v_avant.id
        RETURNING * INTO v_apres;

        INSERT INTO portail.occupant_modification (occupant_id, contrat_id, compte_id,
                                                   action, avant, apres)
        VALUES (v_avant.id, v_contrat, p_compte_id, 'retrait',
                portail.occupant_donnees(v_avant), NULL);

        PERFORM portail.journaliser(p_compte_id, 'contrat.occupant.retrait', p_ip,
            jsonb_build_object('contrat', p_numero, 'occupant', v_avant.id));

        RETURN QUERY SELECT 'ok'::text, json_build_object(
            'message', 'L''occupant a été retiré de votre déclaration. '
                       'L''office en est informé.',
            'occupant', portail.occupant_json(v_apres),
            'retire_le', v_apres.retire_le);
        RETURN;
    END IF;

    IF (v_avant.nom, v_avant.prenom, v_avant.date_naissance, v_avant.lien)
       IS NOT DISTINCT FROM (p_nom, p_prenom, p_date_naissance, p_lien)
    THEN
        RETURN QUERY SELECT 'ok'::text, portail.occupant_json(v_avant);
        RETURN;
    END IF;

    UPDATE portail.occupant
    SET nom = p_nom, prenom = p_prenom, date_naissance = p_date_naissance,
        lien = p_lien, modifie_par_compte_le = now()
    WHERE id = v_avant.id
    RETURNING * INTO v_apres;

    INSERT INTO portail.occupant_modification (occupant_id, contrat_id, compte_id,
                                               action, avant, apres)
    VALUES (v_avant.id, v_contrat, p_compte_id, 'modification',
            portail.occupant_donnees(v_avant), portail.occupant_donnees(v_apres));

    PERFORM portail.journaliser(p_compte_id, 'contrat.occupant.modification', p_ip,
        jsonb_build_object('contrat', p_numero, 'occupant', v_avant.id));

    RETURN QUERY SELECT 'ok'::text, portail.occupant_json(v_apres);
END
$$;

CREATE FUNCTION portail.adresse_facturation_lire(p_jeton_hash bytea, p_numero text)
RETURNS TABLE (compte_id bigint, session_id bigint, a_toucher boolean,
               corps json)
LANGUAGE sql STABLE
AS $$
    SELECT s.compte_id, s.session_id, s.a_toucher, (
        SELECT portail.adresse_facturation_json(k.id)
        FROM portail.contrats_du_compte(s.compte_id) k
        WHERE k.numero = p_numero)
    FROM portail.session_valide(p_jeton_hash) s
$$;

-- A new row per change (append-only: it is also what the export sends);
-- the same address again adds nothing.
CREATE FUNCTION portail.adresse_facturation_modifier(p_compte_id bigint, p_numero text,
        p_destinataire text, p_complement_destinataire text,
        p_complement_adresse text, p_voie text, p_lieu_dit text,
        p_code_postal text, p_localite text, p_ip inet)
RETURNS TABLE (resultat text, corps json)
LANGUAGE plpgsql
AS $$
DECLARE
    v_contrat  bigint;
    v_actuelle portail.adresse_facturation;
BEGIN
    SELECT k.id INTO v_contrat
    FROM portail.contrats_du_compte(p_compte_id) k WHERE k.numero = p_numero;

    IF v_contrat IS NULL THEN
        RETURN QUERY SELECT 'introuvable'::text, NULL::json;
        RETURN;
    END IF;

    SELECT * INTO v_actuelle FROM portail.adresse_facturation
    WHERE contrat_id = v_contrat
    ORDER BY cree_le DESC, id DESC LIMIT 1;

    IF v_actuelle.id IS NULL
       OR (v_actuelle.destinataire, v_actuelle.complement_destinataire,
           v_actuelle.complement_adresse, v_actuelle.voie, v_actuelle.lieu_dit,
           v_actuelle.code_postal, v_actuelle.localite)
          IS DISTINCT FROM
          (p_destinataire, p_complement_destinataire, p_complement_adresse,
           p_voie, p_lieu_dit, p_code_postal, p_localite)
    THEN
        INSERT INTO portail.adresse_facturation (contrat_id, destinataire,
            complement_destinataire, complement_adresse, voie, lieu_dit,
            code_postal, localite, compte_id)
        VALUES (v_contrat, p_destinataire, p_complement_destinataire,
                p_complement_adresse, p_voie, p_lieu_dit, p_code_postal,
                p_localite, p_compte_id);

        PERFORM portail.journaliser(p_compte_id, 'contrat.adresse_facturation', p_ip,
                                    jsonb_build_object('contrat', p_numero));
    END IF;

    RETURN QUERY SELECT 'ok'::text, portail.adresse_facturation_json(v_contrat);
END
$$;

CREATE FUNCTION portail.assurances_lire(p_jeton_hash bytea, p_numero text)
RETURNS TABLE (compte_id bigint, session_id bigint, a_toucher boolean,
               corps json)
LANGUAGE sql STABLE
AS $$
    SELECT s.compte_id, s.session_id, s.a_toucher, (
        SELECT json_build_object(
            'contrat', k.numero,
            'courante', portail.assurance_courante(k.id),
            'historique', coalesce((
                SELECT json_agg(portail.assurance_json(a)
                                ORDER BY a.depose_le DESC, a.id DESC)
                FROM portail.assurance_habitation a
                WHERE a.contrat_id = k.id), '[]'::json))
        FROM portail.contrats_du_compte(s.compte_id) k
        WHERE k.numero = p_numero)
    FROM portail.session_valide(p_jeton_hash) s
$$;

-- A certificate, stored pending the office's review.
CREATE FUNCTION portail.assurance_deposer(p_compte_id bigint, p_numero text,
        p_assureur text, p_numero_police text, p_date_debut date, p_date_fin date,
        p_fichier bytea, p_mime text, p_sha256 bytea, p_nom text, p_ip inet)
RETURNS TABLE (resultat text, corps json)
LANGUAGE plpgsql
AS $$
DECLARE
    v_contrat  bigint;
    v_a        portail.assurance_habitation;
BEGIN
    SELECT k.id INTO v_contrat
    FROM portail.contrats_du_compte(p_compte_id) k WHERE k.numero = p_numero;

    IF v_contrat IS NULL THEN
        RETURN QUERY SELECT 'introuvable'::text, NULL::json;
        RETURN;
    END IF;

    INSERT INTO portail.assurance_habitation (contrat_id, assureur, numero_police,
        date_debut, date_fin, fichier, fichier_mime, fichier_taille, fichier_sha256,
        fichier_nom_origine, depose_par_compte_id)
    VALUES (v_contrat, p_assureur, p_numero_police, p_date_debut, p_date_fin,
            p_fichier, p_mime, octet_length(p_fichier), p_sha256,
            p_nom, p_compte_id)
    RETURNING * INTO v_a;

    PERFORM portail.journaliser(p_compte_id, 'contrat.assurance.depot', p_ip,
        jsonb_build_object('contrat', p_numero, 'assurance', v_a.id,
                           'taille', v_a.fichier_taille));

    RETURN QUERY SELECT 'ok'::text, portail.assurance_json(v_a);
END
$$;
