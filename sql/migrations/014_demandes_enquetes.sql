-- Requests (demandes) and social surveys (enquêtes SLS / OPS): what the
-- module's statements call (ngx_http_portail_demandes.c, _enquetes.c).
--
-- Every function takes the account the session designates and answers for
-- it only: a request or survey of a contract the account does not sign
-- (today) is "introuvable", exactly like one that does not exist.  Actions
-- answer a portail.resultat_api: a code the module maps to a status
-- ('ok' 200, 'cree' 201, 'introuvable' 404, 'conflit' 409 with a French
-- message, 'validation' 422 with a message per field) and the JSON body.

CREATE TYPE portail.resultat_api AS (code text, corps json);


-- --- French labels ---------------------------------------------------------

CREATE FUNCTION portail.demande_libelle_categorie(categorie text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE categorie
    WHEN 'technique_logement' THEN 'Problème technique dans le logement'
    WHEN 'parties_communes' THEN 'Parties communes'
    WHEN 'paiement' THEN 'Question sur un paiement'
    WHEN 'voisinage' THEN 'Voisinage'
    WHEN 'autre' THEN 'Autre'
    END;

CREATE FUNCTION portail.demande_libelle_creneau(creneau text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE creneau
    WHEN 'matin' THEN 'Le matin'
    WHEN 'midi' THEN 'Entre midi et deux'
    WHEN 'apres_midi' THEN 'L''après-midi'
    WHEN 'soir' THEN 'En fin de journée'
    WHEN 'indifferent' THEN 'Indifférent'
    END;

CREATE FUNCTION portail.demande_libelle_type(type text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE type WHEN 'demande' THEN 'Demande' WHEN 'reclamation' THEN 'Réclamation' END;

-- Open: the office still works on it, the tenant may write to it.
CREATE FUNCTION portail.demande_ouverte(statut text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN statut IN ('nouvelle', 'en_cours', 'en_attente_locataire');

-- What the request form offers, with the labels (codes as the schema's
-- CHECK lists them).
CREATE FUNCTION portail.demande_formulaire(p_taille_max bigint, p_pieces_max integer)
RETURNS json
LANGUAGE sql IMMUTABLE
AS $$
    SELECT json_build_object(
        'categories', (SELECT json_agg(json_build_object(
                                  'code', c, 'libelle', portail.demande_libelle_categorie(c)) ORDER BY o)
                         FROM unnest(ARRAY['technique_logement', 'parties_communes', 'paiement',
                                           'voisinage', 'autre']) WITH ORDINALITY AS x(c, o)),
        'creneaux', (SELECT json_agg(json_build_object(
                                'code', c, 'libelle', portail.demande_libelle_creneau(c)) ORDER BY o)
                       FROM unnest(ARRAY['matin', 'midi', 'apres_midi', 'soir',
                                         'indifferent']) WITH ORDINALITY AS x(c, o)),
        'types', (SELECT json_agg(json_build_object(
                             'code', c, 'libelle', portail.demande_libelle_type(c)) ORDER BY o)
                    FROM unnest(ARRAY['demande', 'reclamation']) WITH ORDINALITY AS x(c, o)),
        'pieces_max', p_pieces_max,
        'taille_max_octets', p_taille_max,
        'formats', json_build_array('application/pdf', 'image/jpeg', 'image/png'))
$$;


-- --- Requests --------------------------------------------------------------

-- The requests an account sees: all those of the contracts it signs today,
-- whoever made them (its co-tenant, the office at the counter).
CREATE FUNCTION portail.demandes_du_compte(p_compte_id bigint)
RETURNS SETOF portail.demande
LANGUAGE sql STABLE
AS $$
    SELECT d.*
    FROM portail.contrats_du_compte(p_compte_id) k
    JOIN portail.demande d ON d.contrat_id = k.id
$$;

-- A request as the lists show it: current status and the whole history.
CREATE FUNCTION portail.demande_json(d portail.demande) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object(
        'id', d.id, 'numero', d.numero, 'origine', d.origine,
        'contrat', (SELECT k.numero FROM portail.contrat k WHERE k.id = d.contrat_id),
        'type', d.type, 'type_libelle', portail.demande_libelle_type(d.type),
        'categorie', d.categorie,
        'categorie_libelle', portail.demande_libelle_categorie(d.categorie),
        'objet', d.objet,
        'statut', d.statut, 'statut_libelle', portail.libelle_statut_demande(d.statut),
        'statut_le', d.statut_le,
        'ouverte', portail.demande_ouverte(d.statut),
        'cree_le', d.cree_le,
        'historique', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'statut', h.statut,
                       'statut_libelle', portail.libelle_statut_demande(h.statut),
                       'commentaire', h.commentaire, 'auteur', h.auteur, 'le', h.le)
                   ORDER BY h.le, h.id)
            FROM portail.demande_statut h WHERE h.demande_id = d.id), '[]'),
        'nombre_messages', (SELECT count(*) FROM portail.demande_message m
                             WHERE m.demande_id = d.id),
        'nombre_pieces', (SELECT count(*) FROM portail.demande_piece p
                           WHERE p.demande_id = d.id))
$$;

-- The whole request: description, conversation, attachments (never their
-- bytes: they are downloaded one by one).
CREATE FUNCTION portail.demande_detail_json(d portail.demande) RETURNS json
LANGUAGE sql STABLE
AS $$
    SELECT (portail.demande_json(d) || jsonb_build_object(
        'description', d.description,
        'creneau_contact', d.creneau_contact,
        'creneau_contact_libelle', portail.demande_libelle_creneau(d.creneau_contact),
        'messages', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', m.id, 'auteur', m.auteur,
                       'auteur_nom', CASE WHEN m.auteur = 'office' THEN 'L''office'
                                          ELSE concat_ws(' ', p.prenom, p.nom) END,
                       'texte', m.texte, 'le', m.le)
                   ORDER BY m.le, m.id)
            FROM portail.demande_message m
            LEFT JOIN portail.compte c ON c.id = m.compte_id
            LEFT JOIN portail.personne p ON p.id = c.personne_id
            WHERE m.demande_id = d.id), '[]'),
        'pieces', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', p.id, 'nom', p.nom_origine, 'mime', p.mime, 'taille', p.taille,
                       'message_id', p.message_id, 'le', p.le,
                       'url', '/api/demandes/' || d.id || '/pieces/' || p.id)
                   ORDER BY p.id)
            FROM portail.demande_piece p WHERE p.demande_id = d.id), '[]')))::json
$$;

-- GET /api/demandes: open requests first (newest first), then the closed
-- ones ("l'historique de vos réclamations"), and what the form offers.
CREATE FUNCTION portail.demandes_liste(p_compte_id bigint, p_taille_max bigint,
                                       p_pieces_max integer)
RETURNS portail.resultat_api
LANGUAGE sql STABLE
AS $$
    SELECT 'ok', json_build_object(
        'en_cours', coalesce((
            SELECT jsonb_agg(portail.demande_json(d) ORDER BY d.cree_le DESC, d.id DESC)
            FROM portail.demandes_du_compte(p_compte_id) d
            WHERE portail.demande_ouverte(d.statut)), '[]'),
        'historique', coalesce((
            SELECT jsonb_agg(portail.demande_json(d) ORDER BY d.statut_le DESC, d.id DESC)
            FROM portail.demandes_du_compte(p_compte_id) d
            WHERE NOT portail.demande_ouverte(d.statut)), '[]'),
        'formulaire', portail.demande_formulaire(p_taille_max, p_pieces_max))
$$;

CREATE FUNCTION portail.demande_lire(p_compte_id bigint, p_id bigint)
RETURNS portail.resultat_api
LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN d.id IS NULL THEN 'introuvable' ELSE 'ok' END,
           CASE WHEN d.id IS NOT NULL THEN portail.demande_detail_json(d) END
    FROM (SELECT 1) x
    LEFT JOIN portail.demandes_du_compte(p_compte_id) d ON d.id = p_id
$$;

-- A new request: the request, its first status and its files in one
-- transaction.  p_pieces describes the files ([{nom, mime, sha256 (hex)}],
-- checked and cleaned by the module), p_contenus holds their bytes in the
-- same order.
CREATE FUNCTION portail.demande_creer(p_compte_id bigint, p_contrat text, p_type text,
                                      p_categorie text, p_objet text, p_description text,
                                      p_creneau text, p_pieces jsonb, p_contenus bytea[],
                                      p_ip inet)
RETURNS portail.resultat_api
LANGUAGE plpgsql
AS $$
DECLARE
    v_contrat  bigint;
    v_demande  portail.demande;
    v_piece    jsonb;
    i          integer;
BEGIN
    SELECT k.id INTO v_contrat
    FROM portail.contrats_du_compte(p_compte_id) k
    WHERE k.numero = 'L/' || p_contrat;

    IF v_contrat IS NULL THEN
        RETURN ('validation'::text, json_build_object('contrat',
                'Choisissez l''un de vos contrats.'));
    END IF;

    INSERT INTO portail.demande (origine, contrat_id, compte_id, type, categorie, objet,
                                 description, creneau_contact)
    VALUES ('portail', v_contrat, p_compte_id, p_type, p_categorie, btrim(p_objet),
            replace(p_description, E'\r\n', E'\n'), p_creneau)
    RETURNING * INTO v_demande;

    INSERT INTO portail.demande_statut (demande_id, statut, auteur, compte_id, le)
    VALUES (v_demande.id, 'nouvelle', 'locataire', p_compte_id, v_demande.cree_le);

    FOR i IN 1 .. coalesce(jsonb_array_length(p_pieces), 0) LOOP
        v_piece := p_pieces -> (i - 1);
        INSERT INTO portail.demande_piece (demande_id, nom_origine, mime, taille, sha256,
                                           contenu, compte_id)
        VALUES (v_demande.id, v_piece ->> 'nom', v_piece ->> 'mime',
                octet_length(p_contenus[i]), decode(v_piece ->> 'sha256', 'hex'),
                p_contenus[i], p_compte_id);
    END LOOP;

    PERFORM portail.journaliser(p_compte_id, 'demande.creation', p_ip,
        jsonb_build_object('demande', v_demande.numero,
                           'pieces', coalesce(jsonb_array_length(p_pieces), 0)));

    RETURN ('cree'::text, portail.demande_detail_json(v_demande));
END
$$;

-- A message of the tenant on an open request.
CREATE FUNCTION portail.demande_message_ajouter(p_compte_id bigint, p_id bigint,
                                                p_texte text, p_ip inet)
RETURNS portail.resultat_api
LANGUAGE plpgsql
AS $$
DECLARE
    v_demande  portail.demande;
BEGIN
    -- the row is locked: a status the import writes meanwhile waits
    SELECT d.* INTO v_demande
    FROM portail.demande d
    WHERE d.id = p_id
      AND d.contrat_id IN (SELECT k.id FROM portail.contrats_du_compte(p_compte_id) k)
    FOR UPDATE;

    IF v_demande.id IS NULL THEN
        RETURN ('introuvable'::text, NULL::json);
    END IF;

    IF NOT portail.demande_ouverte(v_demande.statut) THEN
        RETURN ('conflit'::text, json_build_object('message', format(
            'Cette demande est %s : vous ne pouvez plus y ajouter de message. '
            'Pour un nouveau besoin, faites une nouvelle demande.',
            lower(portail.libelle_statut_demande(v_demande.statut)))));
    END IF;

    INSERT INTO portail.demande_message (demande_id, auteur, compte_id, texte)
    VALUES (v_demande.id, 'locataire', p_compte_id, replace(p_texte, E'\r\n', E'\n'));

    PERFORM portail.journaliser(p_compte_id, 'demande.message', p_ip,
                                jsonb_build_object('demande', v_demande.numero));

    RETURN ('cree'::text, portail.demande_detail_json(v_demande));
END
$$;

-- An attachment of a request the account sees.
CREATE FUNCTION portail.demande_piece_visible(p_compte_id bigint, p_demande_id bigint,
                                              p_piece_id bigint)
RETURNS SETOF portail.demande_piece
LANGUAGE sql STABLE
AS $$
    SELECT p.*
    FROM portail.demande_piece p
    JOIN portail.demande d ON d.id = p.demande_id
    WHERE p.id = p_piece_id AND d.id = p_demande_id
      AND d.contrat_id IN (SELECT k.id FROM portail.contrats_du_compte(p_compte_id) k)
$$;


-- --- Surveys ---------------------------------------------------------------

CREATE FUNCTION portail.enquete_libelle_lien(lien text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE lien
    WHEN 'signataire' THEN 'Signataire du bail'
    WHEN 'conjoint' THEN 'Conjoint(e)'
    WHEN 'enfant' THEN 'Enfant'
    WHEN 'ascendant' THEN 'Ascendant (parent, grand-parent)'
    WHEN 'autre_parent' THEN 'Autre membre de la famille'
    WHEN 'autre' THEN 'Autre personne'
    END;

-- The tenant's view of a survey: 'hors_delai' is a survey not sent past its
-- deadline (it can still be sent: late answers are taken, see the notes on
-- fees).
CREATE FUNCTION portail.enquete_etat(statut text, date_limite date) RETURNS text
    LANGUAGE sql STABLE
RETURN CASE
    WHEN statut = 'envoyee' THEN 'envoyee'
    WHEN (now() AT TIME ZONE 'Europe/Paris')::date > date_limite THEN 'hors_delai'
    ELSE 'a_completer' END;

CREATE FUNCTION portail.enquete_libelle_etat(etat text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE etat
    WHEN 'a_completer' THEN 'À compléter'
    WHEN 'envoyee' THEN 'Envoyée'
    WHEN 'hors_delai' THEN 'Hors délai'
    END;

-- An amount of the campaign's definition (euros, a JSON number) as French
-- text, or null when the definition has no such number.
CREATE FUNCTION portail.enquete_euros(v jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN jsonb_typeof(v) = 'number'
            THEN replace(to_char((v #>> '{}')::numeric, 'FM999999990.00'), '.', ',') || ' €' END;

-- A number of the definition (or of an answer), or the default when the
-- value is not a JSON number: data from outside is never cast blindly.
CREATE FUNCTION portail.enquete_nombre(v jsonb, defaut numeric) RETURNS numeric
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN jsonb_typeof(v) = 'number' THEN (v #>> '{}')::numeric ELSE defaut END;

-- The campaign's fees and penalties, amounts in integer cents: every
-- "<name>_eur" number becomes "<name>_cents"; other values as they are.
CREATE FUNCTION portail.enquete_frais(p_definition jsonb) RETURNS json
LANGUAGE sql IMMUTABLE
AS $$
    SELECT coalesce(json_object_agg(
               CASE WHEN k ~ '_eur$' AND jsonb_typeof(v) = 'number'
                    THEN regexp_replace(k, '_eur$', '_cents') ELSE k END,
               CASE WHEN k ~ '_eur$' AND jsonb_typeof(v) = 'number'
                    THEN to_jsonb(round((v #>> '{}')::numeric * 100)::bigint) ELSE v END), '{}')
    FROM jsonb_each(CASE WHEN jsonb_typeof(p_definition -> 'frais') = 'object'
                         THEN p_definition -> 'frais' ELSE '{}' END) AS f(k, v)
$$;

-- What a late or missing answer costs, in French, from the amounts of the
-- campaign's definition (set by decree each year: never written here).
CREATE FUNCTION portail.enquete_consequences(p_definition jsonb, p_type text,
                                             p_date_limite date, p_etat text)
RETURNS json
LANGUAGE sql IMMUTABLE
AS $$
    WITH f AS (
        SELECT coalesce(p_definition -> 'frais', '{}') AS frais,
               to_char(p_date_limite, 'DD/MM/YYYY') AS limite)
    SELECT coalesce(json_agg(phrase ORDER BY n), '[]')
    FROM f, LATERAL (VALUES
        (1, CASE p_etat
            WHEN 'a_completer' THEN format('Vous avez jusqu''au %s pour répondre.', f.limite)
            WHEN 'hors_delai' THEN format('Le délai de réponse a expiré le %s : répondez dès '
                                          'maintenant pour limiter les conséquences.', f.limite)
            END),
        (2, CASE WHEN p_type = 'SLS' AND (f.frais ? 'taux_applique_sans_reponse'
                                          OR f.frais ? 'frais_dossier_eur') THEN
            'Sans réponse'
            || CASE WHEN jsonb_typeof(f.frais -> 'mise_en_demeure_delai_jours') = 'number'
                    THEN format(' dans les %s jours suivant la mise en demeure de l''office',
                                f.frais ->> 'mise_en_demeure_delai_jours') ELSE '' END
            || ', le supplément de loyer de solidarité (SLS) peut vous être facturé'
            || CASE WHEN f.frais ->> 'taux_applique_sans_reponse' = 'maximum'
                    THEN ' au taux maximum' ELSE '' END
            || coalesce(', avec des frais de dossier de '
                        || portail.enquete_euros(f.frais -> 'frais_dossier_eur'), '')
            || '. Il est recalculé dès réception de votre réponse.'
            WHEN p_type <> 'SLS' AND f.frais ? 'frais_dossier_eur' THEN
            'Sans réponse, des frais de dossier de '
            || portail.enquete_euros(f.frais -> 'frais_dossier_eur') || ' peuvent vous être facturés.'
            END),
        (3, CASE WHEN portail.enquete_euros(f.frais -> 'penalite_eur') IS NOT NULL THEN
            'Une réponse absente ou tardive peut entraîner une pénalité de '
            || portail.enquete_euros(f.frais -> 'penalite_eur')
            || coalesce(', plus ' || portail.enquete_euros(f.frais -> 'penalite_par_mois_retard_eur')
                        || ' par mois de retard', '')
            || '.' END)
    ) AS x(n, phrase)
    WHERE p_etat <> 'envoyee' AND phrase IS NOT NULL
$$;

-- The surveys an account sees: those of the contracts it signs; one the ERP
-- stopped addressing disappears unless it was answered.
CREATE FUNCTION portail.enquete_du_compte(p_compte_id bigint, p_id bigint) RETURNS bigint
LANGUAGE sql STABLE
AS $$
    SELECT e.id
    FROM portail.enquete e
    WHERE e.id = p_id
      AND (e.archive_le IS NULL OR e.statut = 'envoyee')
      AND e.contrat_id IN (SELECT k.id FROM portail.contrats_du_compte(p_compte_id) k)
$$;

-- The household as the office knows it: the contract's occupants, with
-- the key ("o" + id) per-adult answers use.  Adult: 18 on the 1st of
-- January of the campaign's year (the composition asked is at that date).
CREATE FUNCTION portail.enquete_foyer(p_contrat_id bigint, p_annee integer) RETURNS json
LANGUAGE sql STABLE
AS $$
    SELECT coalesce(json_agg(json_build_object(
               'cle', 'o' || o.id, 'occupant_id', o.id, 'nom', o.nom, 'prenom', o.prenom,
               'date_naissance', o.date_naissance, 'lien', o.lien,
               'lien_libelle', portail.enquete_libelle_lien(o.lien),
               'majeur', o.date_naissance <= make_date(p_annee - 18, 1, 1))
           ORDER BY o.lien <> 'signataire', o.date_naissance, o.id), '[]')
    FROM portail.occupant o
    WHERE o.contrat_id = p_contrat_id AND o.retire_le IS NULL
$$;

-- Checks one person of the household as the tenant corrected it; returns
-- the field errors (champs), keys prefixed by p_champ.
CREATE FUNCTION portail.enquete_personne_erreurs(p jsonb, p_champ text, p_contrat_id bigint)
RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN jsonb_typeof(p) <> 'object' THEN
        jsonb_build_object(p_champ, 'Indiquez le nom, le prénom, la date de naissance et le lien '
                                    'de chaque personne.')
    ELSE coalesce((
        SELECT jsonb_object_agg(p_champ || '.' || champ, message)
        FROM (
            SELECT k AS champ, 'Information inconnue.' AS message
            FROM jsonb_object_keys(p) k
            WHERE k NOT IN ('cle', 'occupant_id', 'nom', 'prenom', 'date_naissance', 'lien')
            UNION ALL
            SELECT 'cle', 'Identifiant de personne invalide (lettres minuscules, chiffres, '
                          '- ou _, 20 au plus).'
            WHERE coalesce(p ->> 'cle', '') !~ '^[a-z0-9_-]{1,20}$'
               OR jsonb_typeof(p -> 'cle') <> 'string'
            UNION ALL
            SELECT c, CASE c WHEN 'nom' THEN 'Indiquez le nom (100 caractères au plus).'
                             ELSE 'Indiquez le prénom (100 caractères au plus).' END
            FROM unnest(ARRAY['nom', 'prenom']) c
            WHERE jsonb_typeof(p -> c) IS DISTINCT FROM 'string'
               OR btrim(p ->> c) = '' OR length(p ->> c) > 100
               OR p ->> c ~ '[[:cntrl:]]'
            UNION ALL
            SELECT 'date_naissance', 'Indiquez une date de naissance valide (AAAA-MM-JJ).'
            WHERE jsonb_typeof(p -> 'date_naissance') IS DISTINCT FROM 'string'
               OR NOT portail.est_date_iso(p ->> 'date_naissance')
               -- ISO dates compare as text: no cast of what the tenant sent
               OR p ->> 'date_naissance' COLLATE "C" <= '1900-01-01'
               OR p ->> 'date_naissance' COLLATE "C"
                  > to_char(now() AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD')
            UNION ALL
            SELECT 'lien', 'Choisissez le lien de cette personne avec le signataire.'
            WHERE coalesce(p ->> 'lien', '') NOT IN
                      ('signataire', 'conjoint', 'enfant', 'ascendant', 'autre_parent', 'autre')
               OR jsonb_typeof(p -> 'lien') <> 'string'
            UNION ALL
            SELECT 'occupant_id', 'Cette personne n''est pas connue dans votre logement.'
            WHERE p ? 'occupant_id'
              AND (jsonb_typeof(p -> 'occupant_id') <> 'number'
                   OR (p ->> 'occupant_id') !~ '^[0-9]{1,18}$'
                   OR NOT EXISTS (SELECT 1 FROM portail.occupant o
                                  WHERE o.contrat_id = p_contrat_id AND o.retire_le IS NULL
                                    AND o.id::text = p ->> 'occupant_id'))
        ) e), '{}') END
$$;

-- Checks answers against the campaign's definition (the questions are data:
-- their types, their choices, whether they are required).  Drafts may be
-- partial; p_envoi also asks for every required answer and attachment.
-- Returns the field errors (champs), '{}' when none.
--
-- Question types: occupants (the household, corrected), choix, oui_non,
-- choix_par_adulte, revenus_par_adulte (income of year N-2 from the tax
-- notice, integer euros >= 0), texte, nombre, date; a type this portal does
-- not know takes any plain value.  A question is required unless
-- "obligatoire": false; one with "piece": "<nature>" that is required asks
-- for at least one attachment of that nature.
CREATE FUNCTION portail.enquete_verifier(p_enquete_id bigint, p_reponses jsonb, p_envoi boolean)
RETURNS jsonb
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    v_def       jsonb;
    v_annee     integer;
    v_contrat   bigint;
    v_majorite  date;
    v_champs    jsonb;
    v_adultes   text[];
    v_cles      text[] := '{}';
    v_ids       text[] := '{}';
    v_q         jsonb;
    v_id        text;
    v_type      text;
    v_champ     text;
    v_val       jsonb;
    v_x         jsonb;
    v_k         text;
    v_obl       boolean;
    v_choix     jsonb;
    i           integer;
BEGIN
    SELECT c.definition, c.annee, e.contrat_id INTO v_def, v_annee, v_contrat
    FROM portail.enquete e JOIN portail.enquete_campagne c ON c.id = e.campagne_id
    WHERE e.id = p_enquete_id;

    v_majorite := make_date(v_annee - 18, 1, 1);

    SELECT coalesce(jsonb_object_agg('reponses.' || k,
                                     'Cette question ne fait pas partie de l''enquête.'), '{}')
    INTO v_champs
    FROM jsonb_object_keys(p_reponses) k
    WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v_def -> 'questions') q
                      WHERE q ->> 'id' = k);

    -- The adults per-adult answers refer to: the household as answered, or
    -- else as the office knows it.
    v_adultes := ARRAY(SELECT 'o' || o.id FROM portail.occupant o
                       WHERE o.contrat_id = v_contrat AND o.retire_le IS NULL
                         AND o.date_naissance <= v_majorite ORDER BY o.id);

    FOR v_q IN SELECT q FROM jsonb_array_elements(v_def -> 'questions') q
               WHERE q ->> 'type' = 'occupants' LOOP
        v_champ := 'reponses.' || (v_q ->> 'id');
        v_val := p_reponses -> (v_q ->> 'id');
        CONTINUE WHEN v_val IS NULL;

        IF jsonb_typeof(v_val) <> 'array' OR jsonb_array_length(v_val) NOT BETWEEN 1 AND 20 THEN
            v_champs := v_champs || jsonb_build_object(v_champ,
                'Indiquez les personnes qui vivent dans le logement (20 au plus).');
            CONTINUE;
        END IF;

        v_adultes := '{}';
        FOR i IN 0 .. jsonb_array_length(v_val) - 1 LOOP
            v_x := v_val -> i;
            v_champs := v_champs
                || portail.enquete_personne_erreurs(v_x, v_champ || '.' || i, v_contrat);
            CONTINUE WHEN jsonb_typeof(v_x) <> 'object';

            IF v_x ->> 'cle' = ANY (v_cles) THEN
                v_champs := v_champs || jsonb_build_object(v_champ || '.' || i || '.cle',
                    'Deux personnes ont le même identifiant.');
            END IF;
            v_cles := v_cles || (v_x ->> 'cle');

            IF v_x ->> 'occupant_id' = ANY (v_ids) THEN
                v_champs := v_champs || jsonb_build_object(v_champ || '.' || i || '.occupant_id',
                    'Cette personne figure deux fois.');
            END IF;
            v_ids := v_ids || (v_x ->> 'occupant_id');

            IF portail.est_date_iso(v_x ->> 'date_naissance')
               AND v_x ->> 'date_naissance' COLLATE "C" <= to_char(v_majorite, 'YYYY-MM-DD') THEN
                v_adultes := v_adultes || (v_x ->> 'cle');
            END IF;
        END LOOP;

        IF p_envoi AND cardinality(v_adultes) = 0 AND NOT v_champs ? v_champ THEN
            v_champs := v_champs || jsonb_build_object(v_champ,
                'Le foyer doit compter au moins une personne majeure.');
        END IF;
    END LOOP;

    FOR v_q IN SELECT q FROM jsonb_array_elements(v_def -> 'questions') q LOOP
        v_id := v_q ->> 'id';
        v_type := v_q ->> 'type';
        v_champ := 'reponses.' || v_id;
        v_val := p_reponses -> v_id;
        v_obl := coalesce(v_q -> 'obligatoire', 'true') <> 'false';
        v_choix := CASE WHEN jsonb_typeof(v_q -> 'choix') = 'array' THEN v_q -> 'choix'
                        ELSE '[]' END;

        IF v_val IS NULL THEN
            IF p_envoi AND v_obl THEN
                v_champs := v_champs || jsonb_build_object(v_champ, 'Répondez à cette question.');
            END IF;

        ELSIF v_type = 'occupants' THEN
            NULL;   -- checked above

        ELSIF v_type = 'choix' THEN
            IF jsonb_typeof(v_val) <> 'string' OR NOT v_choix @> jsonb_build_array(v_val) THEN
                v_champs := v_champs || jsonb_build_object(v_champ,
                    'Choisissez l''une des réponses proposées.');
            END IF;

        ELSIF v_type = 'oui_non' THEN
            IF jsonb_typeof(v_val) <> 'boolean' THEN
                v_champs := v_champs || jsonb_build_object(v_champ, 'Répondez par oui ou par non.');
            END IF;

        ELSIF v_type IN ('choix_par_adulte', 'revenus_par_adulte') THEN
            IF jsonb_typeof(v_val) <> 'object' THEN
                v_champs := v_champs || jsonb_build_object(v_champ,
                    'Répondez pour chaque personne majeure du foyer.');
                CONTINUE;
            END IF;

            FOR v_k, v_x IN SELECT * FROM jsonb_each(v_val) LOOP
                IF NOT v_k = ANY (v_adultes) THEN
                    v_champs := v_champs || jsonb_build_object(v_champ || '.' || v_k,
                        'Cette personne n''est pas une personne majeure du foyer.');
                ELSIF v_type = 'choix_par_adulte'
                      AND (jsonb_typeof(v_x) <> 'string'
                           OR NOT v_choix @> jsonb_build_array(v_x)) THEN
                    v_champs := v_champs || jsonb_build_object(v_champ || '.' || v_k,
                        'Choisissez l''une des réponses proposées.');
                ELSIF v_type = 'revenus_par_adulte'
                      AND (jsonb_typeof(v_x) <> 'number' OR v_x::text !~ '^[0-9]{1,9}$') THEN
                    v_champs := v_champs || jsonb_build_object(v_champ || '.' || v_k,
                        'Indiquez le revenu fiscal de référence en euros, sans centimes '
                        '(0 s''il n''y en a pas).');
                END IF;
            END LOOP;

            IF p_envoi AND v_obl THEN
                SELECT v_champs || coalesce(jsonb_object_agg(v_champ || '.' || a,
                           'Répondez pour cette personne.'), '{}')
                INTO v_champs
                FROM unnest(v_adultes) a
                WHERE NOT v_val ? a;
            END IF;

        ELSIF v_type = 'texte' THEN
            IF jsonb_typeof(v_val) <> 'string'
               OR length(v_val #>> '{}') > portail.enquete_nombre(v_q -> 'longueur_max', 2000) THEN
                v_champs := v_champs || jsonb_build_object(v_champ, 'Ce texte est trop long.');
            ELSIF p_envoi AND v_obl AND btrim(v_val #>> '{}') = '' THEN
                v_champs := v_champs || jsonb_build_object(v_champ, 'Répondez à cette question.');
            END IF;

        ELSIF v_type = 'nombre' THEN
            IF jsonb_typeof(v_val) <> 'number' OR v_val::text !~ '^-?[0-9]{1,12}$'
               OR portail.enquete_nombre(v_val, 0)
                  < portail.enquete_nombre(v_q -> 'min', -1e12)
               OR portail.enquete_nombre(v_val, 0)
                  > portail.enquete_nombre(v_q -> 'max', 1e12) THEN
                v_champs := v_champs || jsonb_build_object(v_champ,
                    'Indiquez un nombre entier dans les limites demandées.');
            END IF;

        ELSIF v_type = 'date' THEN
            IF jsonb_typeof(v_val) <> 'string' OR NOT portail.est_date_iso(v_val #>> '{}') THEN
                v_champs := v_champs || jsonb_build_object(v_champ,
                    'Indiquez une date valide (AAAA-MM-JJ).');
            END IF;

        ELSIF jsonb_typeof(v_val) IN ('object', 'array')
              OR length(v_val #>> '{}') > 2000 THEN
            v_champs := v_champs || jsonb_build_object(v_champ, 'Réponse invalide.');
        END IF;

        IF p_envoi AND v_obl AND jsonb_typeof(v_q -> 'piece') = 'string'
           AND NOT EXISTS (SELECT 1 FROM portail.enquete_piece p
                           WHERE p.enquete_id = p_enquete_id AND p.nature = v_q ->> 'piece') THEN
            v_champs := v_champs || jsonb_build_object('pieces', CASE v_q ->> 'piece'
                WHEN 'avis_imposition' THEN 'Joignez l''avis d''imposition de chaque personne '
                                            'majeure du foyer.'
                ELSE 'Joignez les justificatifs demandés.' END);
        END IF;
    END LOOP;

    RETURN v_champs;
END
$$;

-- A survey as the list shows it.
CREATE FUNCTION portail.enquete_json(p_id bigint) RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object(
        'id', e.id,
        'campagne', jsonb_build_object(
            'code', c.code, 'type', c.type, 'annee', c.annee,
            'titre', coalesce(c.definition ->> 'titre', 'Enquête ' || c.type || ' ' || c.annee),
            'reference_legale', c.definition ->> 'reference_legale',
            'ouverture_le', c.ouverture_le, 'date_limite', c.date_limite),
        'contrat', k.numero,
        'statut', x.etat, 'statut_libelle', portail.enquete_libelle_etat(x.etat),
        'date_limite', c.date_limite,
        'modifie_le', e.modifie_par_compte_le,
        'soumise_le', e.soumise_le,
        'soumise_par', (SELECT concat_ws(' ', p.prenom, p.nom)
                          FROM portail.compte co JOIN portail.personne p ON p.id = co.personne_id
                         WHERE co.id = e.soumise_par_compte_id),
        'consequences', portail.enquete_consequences(c.definition, c.type, c.date_limite, x.etat),
        'frais', portail.enquete_frais(c.definition))
    FROM portail.enquete e
    JOIN portail.enquete_campagne c ON c.id = e.campagne_id
    JOIN portail.contrat k ON k.id = e.contrat_id,
    LATERAL (SELECT portail.enquete_etat(e.statut, c.date_limite) AS etat) x
    WHERE e.id = p_id
$$;

-- The form: the household as known, the campaign's questions, the draft,
-- the attachments, and what is still missing before sending.
CREATE FUNCTION portail.enquete_detail_json(p_id bigint) RETURNS json
LANGUAGE sql STABLE
AS $$
    SELECT (portail.enquete_json(e.id) || jsonb_build_object(
        'annee_revenus', coalesce(c.definition -> 'annee_revenus', to_jsonb(c.annee - 2)),
        'questions', c.definition -> 'questions',
        'foyer', portail.enquete_foyer(e.contrat_id, c.annee),
        'reponses', e.reponses,
        'pieces', coalesce((
            SELECT jsonb_agg(jsonb_build_object(
                       'id', p.id, 'nature', p.nature, 'concerne', p.concerne,
                       'nom', p.nom_origine, 'mime', p.mime, 'taille', p.taille,
                       'depose_le', p.depose_le,
                       'url', '/api/enquetes/' || e.id || '/pieces/' || p.id)
                   ORDER BY p.id)
            FROM portail.enquete_piece p WHERE p.enquete_id = e.id), '[]'),
        'modifiable', e.statut <> 'envoyee',
        'manquants', v.manquants,
        'complete', v.manquants = '{}'))::json
    FROM portail.enquete e
    JOIN portail.enquete_campagne c ON c.id = e.campagne_id,
    LATERAL (SELECT CASE WHEN e.statut = 'envoyee' THEN '{}'::jsonb
                         ELSE portail.enquete_verifier(e.id, e.reponses, true) END AS manquants) v
    WHERE e.id = p_id
$$;

-- GET /api/enquetes: surveys to answer first.
CREATE FUNCTION portail.enquetes_liste(p_compte_id bigint)
RETURNS portail.resultat_api
LANGUAGE sql STABLE
AS $$
    SELECT 'ok', json_build_object('enquetes', coalesce((
        SELECT jsonb_agg(portail.enquete_json(e.id)
                         ORDER BY e.statut = 'envoyee', c.date_limite DESC, e.id DESC)
        FROM portail.enquete e
        JOIN portail.enquete_campagne c ON c.id = e.campagne_id
        WHERE (e.archive_le IS NULL OR e.statut = 'envoyee')
          AND e.contrat_id IN (SELECT k.id FROM portail.contrats_du_compte(p_compte_id) k)),
        '[]'))
$$;

CREATE FUNCTION portail.enquete_lire(p_compte_id bigint, p_id bigint)
RETURNS portail.resultat_api
LANGUAGE sql STABLE
AS $$
    SELECT CASE WHEN x.id IS NULL THEN 'introuvable' ELSE 'ok' END,
           portail.enquete_detail_json(x.id)
    FROM (SELECT portail.enquete_du_compte(p_compte_id, p_id) AS id) x
$$;

-- The survey, locked for a change, or null when the account does not see it.
CREATE FUNCTION portail.enquete_verrouiller(p_compte_id bigint, p_id bigint)
RETURNS portail.enquete
LANGUAGE sql
AS $$
    SELECT e.* FROM portail.enquete e
    WHERE e.id = portail.enquete_du_compte(p_compte_id, p_id)
    FOR UPDATE
$$;

-- Why a change of the survey (or of its attachment p_piece_id) is refused,
-- if it is: not the account's ('introuvable'), or sent ('conflit'); a null
-- code otherwise.
CREATE FUNCTION portail.enquete_refus(e portail.enquete, p_piece_id bigint DEFAULT NULL)
RETURNS portail.resultat_api
LANGUAGE sql STABLE
AS $$
    SELECT CASE
        WHEN e.id IS NULL
             OR (p_piece_id IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM portail.enquete_piece p
                                 WHERE p.id = p_piece_id AND p.enquete_id = e.id))
        THEN ('introuvable', NULL)::portail.resultat_api
        WHEN e.statut = 'envoyee'
        THEN ('conflit', json_build_object('message', format(
                 'Cette enquête a été envoyée le %s : elle ne peut plus être modifiée ni '
                 'envoyée à nouveau. Pour signaler une erreur, contactez l''office.',
                 to_char(e.soumise_le AT TIME ZONE 'Europe/Paris',
                         'DD/MM/YYYY "à" HH24"h"MI'))))::portail.resultat_api
        ELSE (NULL, NULL)::portail.resultat_api END
$$;

-- PUT /api/enquetes/{id}: the draft is replaced by the answers given
-- (null answers are dropped).
CREATE FUNCTION portail.enquete_enregistrer(p_compte_id bigint, p_id bigint,
                                            p_reponses jsonb, p_ip inet)
RETURNS portail.resultat_api
LANGUAGE plpgsql
AS $$
DECLARE
    v_enquete  portail.enquete;
    v_refus    portail.resultat_api;
    v_champs   jsonb;
BEGIN
    v_enquete := portail.enquete_verrouiller(p_compte_id, p_id);
    v_refus := portail.enquete_refus(v_enquete);

    IF v_refus.code IS NOT NULL THEN
        RETURN v_refus;
    END IF;

    p_reponses := jsonb_strip_nulls(p_reponses);
    v_champs := portail.enquete_verifier(v_enquete.id, p_reponses, false);

    IF v_champs <> '{}' THEN
        RETURN ('validation'::text, v_champs::json);
    END IF;

    UPDATE portail.enquete SET reponses = p_reponses, modifie_par_compte_le = now()
    WHERE id = v_enquete.id;

    PERFORM portail.journaliser(p_compte_id, 'enquete.brouillon', p_ip,
                                jsonb_build_object('enquete', v_enquete.id));

    RETURN ('ok'::text, portail.enquete_detail_json(v_enquete.id));
END
$$;

-- Attachments (tax notices): p_pieces = [{nom, mime, sha256 (hex), nature}],
-- p_contenus their bytes in the same order.
CREATE FUNCTION portail.enquete_pieces_ajouter(p_compte_id bigint, p_id bigint,
                                               p_concerne text, p_pieces jsonb,
                                               p_contenus bytea[], p_max integer, p_ip inet)
RETURNS portail.resultat_api
LANGUAGE plpgsql
AS $$
DECLARE
    v_enquete  portail.enquete;
    v_refus    portail.resultat_api;
    v_piece    jsonb;
    i          integer;
BEGIN
    v_enquete := portail.enquete_verrouiller(p_compte_id, p_id);
    v_refus := portail.enquete_refus(v_enquete);

    IF v_refus.code IS NOT NULL THEN
        RETURN v_refus;
    END IF;

    IF (SELECT count(*) FROM portail.enquete_piece p WHERE p.enquete_id = v_enquete.id)
       + jsonb_array_length(p_pieces) > p_max THEN
        RETURN ('validation'::text, json_build_object('avis_imposition', format(
            'Une enquête compte %s pièces jointes au plus : supprimez-en avant d''en ajouter.',
            p_max)));
    END IF;

    FOR i IN 1 .. jsonb_array_length(p_pieces) LOOP
        v_piece := p_pieces -> (i - 1);
        INSERT INTO portail.enquete_piece (enquete_id, nature, concerne, nom_origine, mime,
                                           taille, sha256, contenu, depose_par_compte_id)
        VALUES (v_enquete.id, v_piece ->> 'nature', btrim(p_concerne), v_piece ->> 'nom',
                v_piece ->> 'mime', octet_length(p_contenus[i]),
                decode(v_piece ->> 'sha256', 'hex'), p_contenus[i], p_compte_id);
    END LOOP;

    PERFORM portail.journaliser(p_compte_id, 'enquete.piece_ajout', p_ip,
        jsonb_build_object('enquete', v_enquete.id, 'pieces', jsonb_array_length(p_pieces)));

    RETURN ('cree'::text, portail.enquete_detail_json(v_enquete.id));
END
$$;

CREATE FUNCTION portail.enquete_piece_supprimer(p_compte_id bigint, p_id bigint,
                                                p_piece_id bigint, p_ip inet)
RETURNS portail.resultat_api
LANGUAGE plpgsql
AS $$
DECLARE
    v_enquete  portail.enquete;
    v_refus    portail.resultat_api;
BEGIN
    v_enquete := portail.enquete_verrouiller(p_compte_id, p_id);
    -- an id that is not one (NULL) is no attachment
    v_refus := portail.enquete_refus(v_enquete, coalesce(p_piece_id, 0));

    IF v_refus.code IS NOT NULL THEN
        RETURN v_refus;
    END IF;

    DELETE FROM portail.enquete_piece WHERE id = p_piece_id;

    PERFORM portail.journaliser(p_compte_id, 'enquete.piece_suppression', p_ip,
        jsonb_build_object('enquete', v_enquete.id, 'piece', p_piece_id));

    RETURN ('ok'::text, portail.enquete_detail_json(v_enquete.id));
END
$$;

-- POST /api/enquetes/{id}/envoi: once, by a signatory of the contract, when
-- complete; the survey is then frozen (trigger enquete_figee).
CREATE FUNCTION portail.enquete_envoyer(p_compte_id bigint, p_id bigint, p_ip inet)
RETURNS portail.resultat_api
LANGUAGE plpgsql
AS $$
DECLARE
    v_enquete  portail.enquete;
    v_refus    portail.resultat_api;
    v_champs   jsonb;
BEGIN
    v_enquete := portail.enquete_verrouiller(p_compte_id, p_id);
    v_refus := portail.enquete_refus(v_enquete);

    IF v_refus.code IS NOT NULL THEN
        RETURN v_refus;
    END IF;

    -- contrats_du_compte already means "signs it today": said again here
    -- because the rule is the survey's, not the visibility's
    IF NOT EXISTS (SELECT 1 FROM portail.compte c
                   JOIN portail.contrat_signataire cs ON cs.personne_id = c.personne_id
                                                     AND cs.retire_le IS NULL
                   WHERE c.id = p_compte_id AND cs.contrat_id = v_enquete.contrat_id) THEN
        RETURN ('introuvable'::text, NULL::json);
    END IF;

    v_champs := portail.enquete_verifier(v_enquete.id, v_enquete.reponses, true);

    IF v_champs <> '{}' THEN
        RETURN ('validation'::text, v_champs::json);
    END IF;

    UPDATE portail.enquete
    SET statut = 'envoyee', soumise_le = now(), soumise_par_compte_id = p_compte_id
    WHERE id = v_enquete.id;

    PERFORM portail.journaliser(p_compte_id, 'enquete.envoi', p_ip,
                                jsonb_build_object('enquete', v_enquete.id));

    RETURN ('ok'::text, portail.enquete_detail_json(v_enquete.id));
END
$$;

-- An attachment of a survey the account sees.
CREATE FUNCTION portail.enquete_piece_visible(p_compte_id bigint, p_enquete_id bigint,
                                              p_piece_id bigint)
RETURNS SETOF portail.enquete_piece
LANGUAGE sql STABLE
AS $$
    SELECT p.*
    FROM portail.enquete_piece p
    WHERE p.id = p_piece_id
      AND p.enquete_id = portail.enquete_du_compte(p_compte_id, p_enquete_id)
$$;
