-- Payments (issue #6): the account page of a contract, card payments
-- through the provider's hosted page and its notifications (IPN), the
-- payment ticket, SEPA mandates.  What the module's statements call; the
-- tables are those of 008_paiements.sql.

-- "1 234,56 €", as ngx_http_portail_format_euros() writes it.
CREATE FUNCTION portail.paiements_euros(p_cents bigint) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE WHEN p_cents < 0 THEN '-' ELSE '' END
    || regexp_replace((abs(p_cents) / 100)::text, '(\d)(?=(\d{3})+$)', '\1 ', 'g')
    || ',' || lpad((abs(p_cents) % 100)::text, 2, '0') || ' €';

-- How a contract is paid: {"code": ..., "libelle": ...}
CREATE FUNCTION portail.paiements_mode(p_mode text) RETURNS json
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN json_build_object('code', p_mode, 'libelle', CASE p_mode
    WHEN 'prelevement' THEN 'Prélèvement automatique'
    WHEN 'virement' THEN 'Virement'
    WHEN 'cheque' THEN 'Chèque'
    WHEN 'carte' THEN 'Carte bancaire'
    WHEN 'especes' THEN 'Espèces'
    ELSE 'Autre' END);

-- An IBAN as shown back to its owner: only the last 4 characters.
CREATE FUNCTION portail.iban_masque(p_iban text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN repeat('*', greatest(length(p_iban) - 4, 0)) || right(p_iban, 4);

-- A mandate as the API shows it: never the IBAN in full.
CREATE FUNCTION portail.mandat_json(m portail.mandat_sepa) RETURNS json
    LANGUAGE sql STABLE
RETURN json_build_object(
    'rum', m.rum, 'titulaire', m.titulaire,
    'iban_masque', portail.iban_masque(m.iban), 'bic', m.bic,
    'jour_prelevement', m.jour_prelevement, 'signe_le', m.signe_le,
    'document_id', m.document_id);

-- The provider's transaction status (vads_trans_status) in our words.
-- NULL: not final yet (waiting for an authorisation, a manual check...):
-- the order stays 'initie' and a later notification will tell.
CREATE FUNCTION portail.paiement_carte_statut(p_statut text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE p_statut
    WHEN 'AUTHORISED' THEN 'accepte'
    WHEN 'CAPTURED' THEN 'accepte'
    WHEN 'ACCEPTED' THEN 'accepte'
    WHEN 'REFUSED' THEN 'refuse'
    WHEN 'ABANDONED' THEN 'abandonne'
    WHEN 'CANCELLED' THEN 'annule'
    WHEN 'EXPIRED' THEN 'annule'
    WHEN 'CAPTURE_FAILED' THEN 'erreur'
    WHEN 'NOT_CREATED' THEN 'erreur'
    WHEN 'ERROR' THEN 'erreur'
    ELSE NULL END;

CREATE FUNCTION portail.paiement_carte_libelle(p_statut text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE p_statut
    WHEN 'initie' THEN 'En attente de la confirmation de la banque'
    WHEN 'accepte' THEN 'Paiement accepté'
    WHEN 'refuse' THEN 'Paiement refusé'
    WHEN 'abandonne' THEN 'Paiement abandonné'
    WHEN 'annule' THEN 'Paiement annulé'
    ELSE 'Paiement en erreur' END;

-- A contract of the account's, by its 7 digits (NULL: not one of theirs).
CREATE FUNCTION portail.paiements_contrat(p_compte_id bigint, p_contrat text)
RETURNS portail.contrat
LANGUAGE sql STABLE
AS $$
    SELECT c.* FROM portail.contrats_du_compte(p_compte_id) c
    WHERE c.numero = 'L/' || p_contrat
$$;

-- What is still due on a contract: the balance the ERP computed, less the
-- card payments accepted since (the balance is updated within 24 hours).
CREATE FUNCTION portail.paiement_du(p_contrat_id bigint) RETURNS bigint
    LANGUAGE sql STABLE
RETURN (SELECT k.solde_cents - coalesce((
            SELECT sum(pc.montant_cents) FROM portail.paiement_carte pc
            WHERE pc.contrat_id = k.id AND pc.statut = 'accepte'
              AND pc.notification_recue_le > k.solde_au), 0)
        FROM portail.contrat k WHERE k.id = p_contrat_id);

-- Body of GET /api/paiements: the contract asked (7 digits) or, without
-- one, the tenant's first (the dwelling before the parking space); NULL
-- when the tenant does not see it.  One page of the ledger, newest first,
-- with the balance after each entry, counted back from today's balance.
CREATE FUNCTION portail.paiements_corps(p_compte_id bigint, p_contrat text,
                                        p_page integer, p_par_page integer,
                                        p_max_cents bigint, p_carte boolean)
RETURNS json
LANGUAGE sql STABLE
AS $$
    WITH k AS (
        SELECT c.*
        FROM portail.contrats_du_compte(p_compte_id) c
        WHERE p_contrat IS NULL OR c.numero = 'L/' || p_contrat
        ORDER BY c.nature = 'logement' DESC, c.numero
        LIMIT 1
    ),
    du AS (
        SELECT portail.paiement_du(k.id) AS cents FROM k
    ),
    e AS (
        SELECT e.*,
               k.solde_cents - coalesce(sum(e.montant_signe_cents) OVER (
                   ORDER BY e.date_ecriture DESC, e.id DESC
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS solde_apres,
               row_number() OVER (ORDER BY e.date_ecriture DESC, e.id DESC) AS rang,
               count(*) OVER () AS total
        FROM k
        JOIN portail.ecriture e ON e.contrat_id = k.id AND e.archive_le IS NULL
    ),
    t AS (
        SELECT coalesce(max(total), 0) AS total FROM e
    )
    SELECT json_build_object(
        'contrat', json_build_object(
            'numero', k.numero, 'nature', k.nature, 'designation', k.designation,
            'adresse', concat_ws(' ', k.adresse_ligne1, k.adresse_ligne2,
                                 k.code_postal, k.commune)),
        'solde', json_build_object(
            'montant_cents', k.solde_cents,
            'au', k.solde_au,
            'situation', CASE WHEN k.solde_cents > 0 THEN 'a_payer'
                              WHEN k.solde_cents < 0 THEN 'crediteur'
                              ELSE 'a_jour' END,
            'message', 'Le solde de votre compte sera mis à jour dans les 24h.'),
        'mode_paiement', portail.paiements_mode(k.mode_paiement),
        'mandat', (
            SELECT portail.mandat_json(m)
            FROM portail.mandat_sepa m
            WHERE m.contrat_id = k.id AND m.statut = 'actif'),
        'paiement_carte', json_build_object(
            'disponible', p_carte AND du.cents >= 100,
            'montant_du_cents', greatest(du.cents, 0),
            'montant_min_cents', 100,
            'montant_max_cents', CASE WHEN du.cents >= 100
                                      THEN least(du.cents, p_max_cents) END,
            'message', CASE
                WHEN NOT p_carte THEN
                    'Le paiement par carte n''est pas disponible pour le moment.'
                WHEN du.cents >= 100 THEN NULL
                WHEN du.cents < k.solde_cents THEN
                    'Votre paiement a bien été reçu : il sera pris en compte '
                    'dans votre solde dans les 24h.'
                WHEN k.solde_cents <= 0 THEN
                    'Aucune somme n''est due sur ce contrat : '
                    'il n''y a rien à payer pour le moment.'
                ELSE 'Le montant dû est inférieur au minimum d''un paiement '
                     'par carte (1,00 €).' END),
        'paiements_en_cours', coalesce((
            SELECT json_agg(json_build_object(
                       'commande', pc.commande, 'montant_cents', pc.montant_cents,
                       'statut', pc.statut, 'recu_le', pc.notification_recue_le)
                   ORDER BY pc.notification_recue_le DESC)
            FROM portail.paiement_carte pc
            WHERE pc.contrat_id = k.id AND pc.statut = 'accepte'
              AND pc.notification_recue_le > k.solde_au), '[]'::json),
        'historique', json_build_object(
            'page', p_page,
            'par_page', p_par_page,
            'total', t.total,
            'pages', greatest(1, (t.total + p_par_page - 1) / p_par_page),
            'ecritures', coalesce((
                SELECT json_agg(json_build_object(
                           'date', e.date_ecriture,
                           'periode', to_char(e.periode, 'YYYY-MM'),
                           'type', e.type,
                           'libelle', e.libelle,
                           'debit_cents', CASE WHEN e.sens = 'debit' THEN e.montant_cents END,
                           'credit_cents', CASE WHEN e.sens = 'credit' THEN e.montant_cents END,
                           'loyer_cents', e.loyer_cents,
                           'charges_cents', e.charges_cents,
                           'mode_paiement', e.mode_paiement,
                           'solde_cents', e.solde_apres)
                       ORDER BY e.rang)
                FROM e
                WHERE e.rang > (p_page - 1)::bigint * p_par_page
                  AND e.rang <= p_page::bigint * p_par_page), '[]'::json)))
    FROM k, du, t
$$;

-- A card payment order (POST /api/paiements/carte).  p_montant NULL: the
-- amount due.  The order carries the provider's transaction id (6 digits,
-- unique per UTC day: drawn at random, drawn again on a collision) and
-- date; the module signs the form with them.
CREATE FUNCTION portail.paiement_carte_creer(p_compte_id bigint, p_contrat text,
                                             p_montant bigint, p_max_cents bigint,
                                             p_mode text, p_fournisseur text,
                                             p_ip inet)
RETURNS TABLE (resultat text, commande text, transaction_id text,
               transaction_date text, montant_cents bigint, du_cents bigint,
               numero text)
LANGUAGE plpgsql
AS $$
DECLARE
    v_contrat   portail.contrat;
    v_du        bigint;
    v_montant   bigint;
    v_date      timestamptz := date_trunc('second', now());
    v_trans     text;
    v_commande  text;
BEGIN
    v_contrat := portail.paiements_contrat(p_compte_id, p_contrat);

    IF v_contrat.id IS NULL THEN
        RETURN QUERY SELECT 'introuvable', NULL::text, NULL::text, NULL::text,
                            NULL::bigint, NULL::bigint, NULL::text;
        RETURN;
    END IF;

    -- a tenant trying again and again is fine; a script is not
    IF (SELECT count(*) FROM portail.paiement_carte pc
        WHERE pc.compte_id = p_compte_id
          AND pc.cree_le > now() - interval '1 hour') >= 20 THEN
        RETURN QUERY SELECT 'trop_de_requetes', NULL::text, NULL::text, NULL::text,
                            NULL::bigint, NULL::bigint, v_contrat.numero;
        RETURN;
    END IF;

    v_du := portail.paiement_du(v_contrat.id);

    IF v_du < 100 THEN
        RETURN QUERY SELECT CASE WHEN v_du < v_contrat.solde_cents
                                 THEN 'paiement_deja_recu'
                                 WHEN v_du > 0 THEN 'montant_du_trop_faible'
                                 ELSE 'aucun_montant_du' END,
                            NULL::text, NULL::text, NULL::text,
                            NULL::bigint, greatest(v_du, 0), v_contrat.numero;
        RETURN;
    END IF;

    v_montant := coalesce(p_montant, least(v_du, p_max_cents));

    IF v_montant > v_du THEN
        RETURN QUERY SELECT 'montant_superieur_du', NULL::text, NULL::text, NULL::text,
                            v_montant, v_du, v_contrat.numero;
        RETURN;
    END IF;

    FOR i IN 1 .. 20 LOOP
        v_trans := lpad(floor(random() * 900000)::int::text, 6, '0');
        v_commande := 'CB' || to_char(v_date AT TIME ZONE 'UTC', 'YYYYMMDD') || v_trans;
        BEGIN
            INSERT INTO portail.paiement_carte
                (commande, transaction_id, transaction_date, contrat_id, compte_id,
                 montant_cents, mode, fournisseur)
            VALUES (v_commande, v_trans, v_date, v_contrat.id, p_compte_id,
                    v_montant, p_mode, p_fournisseur);
            EXIT;
        EXCEPTION WHEN unique_violation THEN
            IF i = 20 THEN
                RAISE;
            END IF;
        END;
    END LOOP;

    PERFORM portail.journaliser(p_compte_id, 'paiement.carte.commande', p_ip,
        jsonb_build_object('commande', v_commande, 'contrat', v_contrat.numero,
                           'montant_cents', v_montant));

    RETURN QUERY SELECT 'ok', v_commande, v_trans,
                        to_char(v_date AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISS'),
                        v_montant, v_du, v_contrat.numero;
END
$$;

-- What a payment ticket shows, and how it is filed as a document.
CREATE FUNCTION portail.paiement_recu(p_paiement_id bigint)
RETURNS TABLE (paiement_id bigint, contrat_id bigint, reference text,
               periode date, titre text, numero text, designation text,
               adresse text, payeur text, montant_cents bigint, paye_le text,
               commande text, transaction_id text, autorisation text,
               marque text, carte text, mode text)
LANGUAGE sql STABLE
AS $$
    SELECT pc.id, k.id, 'PORTAIL-RECU-' || pc.commande,
           date_trunc('month', pc.notification_recue_le)::date,
           'Reçu de paiement par carte du '
               || to_char(pc.notification_recue_le, 'DD/MM/YYYY'),
           k.numero, k.designation,
           concat_ws(', ', k.adresse_ligne1, k.adresse_ligne2,
                     k.code_postal || ' ' || k.commune),
           concat_ws(' ', p.civilite, p.prenom, p.nom),
           pc.montant_cents,
           to_char(pc.notification_recue_le, 'DD/MM/YYYY à HH24:MI'),
           pc.commande, pc.transaction_id, pc.numero_autorisation,
           pc.marque_carte, left(pc.notification ->> 'vads_card_number', 40),
           pc.mode
    FROM portail.paiement_carte pc
    JOIN portail.contrat k ON k.id = pc.contrat_id
    JOIN portail.compte c ON c.id = pc.compte_id
    JOIN portail.personne p ON p.id = c.personne_id
    WHERE pc.id = p_paiement_id AND pc.statut = 'accepte'
$$;

-- Files the ticket the module made as a document of the contract (nature
-- recu_paiement, so it is listed with the others); made once: a second
-- one for the same payment is not stored.  The document's id.
CREATE FUNCTION portail.paiement_recu_enregistrer(p_paiement_id bigint, p_contenu bytea)
RETURNS bigint
LANGUAGE plpgsql
AS $$
DECLARE
    v_id  bigint;
BEGIN
    INSERT INTO portail.document (reference, contrat_id, nature, periode, titre,
                                  contenu, taille, sha256)
    SELECT r.reference, r.contrat_id, 'recu_paiement', r.periode, r.titre,
           p_contenu, octet_length(p_contenu), sha256(p_contenu)
    FROM portail.paiement_recu(p_paiement_id) r
    ON CONFLICT (reference) DO NOTHING
    RETURNING id INTO v_id;

    IF v_id IS NULL THEN
        SELECT d.id INTO v_id
        FROM portail.paiement_recu(p_paiement_id) r
        JOIN portail.document d ON d.reference = r.reference;
    END IF;

    RETURN v_id;
END
$$;

-- The provider's notification (IPN), its signature already verified by the
-- module.  Recorded once: a replay (same transaction, same status) changes
-- nothing and gets the same answer; an accepted payment stays accepted (a
-- later refund or cancellation is the office's business, in its ERP).
-- resultat: 'ok', or what does not match the order; recu: the ticket is
-- still to be made.
CREATE FUNCTION portail.paiement_carte_notifier(p_commande text, p_transaction_id text,
                                                p_transaction_date text,
                                                p_montant bigint, p_devise text,
                                                p_mode text, p_statut_fournisseur text,
                                                p_uuid text, p_autorisation text,
                                                p_marque text, p_champs jsonb,
                                                p_ip inet)
RETURNS TABLE (resultat text, statut text, paiement_id bigint, recu boolean)
LANGUAGE plpgsql
AS $$
DECLARE
    v_pc      portail.paiement_carte;
    v_statut  text;
    v_recu    boolean;
BEGIN
    SELECT * INTO v_pc FROM portail.paiement_carte pc
    WHERE pc.commande = p_commande
    FOR UPDATE;

    IF v_pc.id IS NULL THEN
        RETURN QUERY SELECT 'commande_inconnue', NULL::text, NULL::bigint, false;
        RETURN;
    END IF;

    IF v_pc.transaction_id <> p_transaction_id
       OR to_char(v_pc.transaction_date AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISS')
          <> p_transaction_date
       OR v_pc.mode <> p_mode
       OR (p_uuid IS NOT NULL
           AND EXISTS (SELECT 1 FROM portail.paiement_carte x
                       WHERE x.uuid_transaction = p_uuid AND x.id <> v_pc.id))
    THEN
        RETURN QUERY SELECT 'transaction_incoherente', v_pc.statut, v_pc.id, false;
        RETURN;
    END IF;

    IF v_pc.montant_cents <> p_montant THEN
        RETURN QUERY SELECT 'montant_incoherent', v_pc.statut, v_pc.id, false;
        RETURN;
    END IF;

    IF v_pc.devise <> p_devise THEN
        RETURN QUERY SELECT 'devise_incoherente', v_pc.statut, v_pc.id, false;
        RETURN;
    END IF;

    v_recu := NOT EXISTS (SELECT 1 FROM portail.document d
                          WHERE d.reference = 'PORTAIL-RECU-' || v_pc.commande);

    IF v_pc.notification IS NOT NULL
       AND (v_pc.statut = 'accepte'
            OR (v_pc.uuid_transaction IS NOT DISTINCT FROM p_uuid
                AND v_pc.statut_fournisseur IS NOT DISTINCT FROM p_statut_fournisseur))
    THEN
        PERFORM portail.journaliser(v_pc.compte_id,
            CASE WHEN v_pc.uuid_transaction IS NOT DISTINCT FROM p_uuid
                      AND v_pc.statut_fournisseur IS NOT DISTINCT FROM p_statut_fournisseur
                 THEN 'paiement.carte.notification_rejouee'
                 ELSE 'paiement.carte.notification_ignoree' END,
            p_ip, jsonb_build_object('commande', v_pc.commande,
                                     'statut_fournisseur', p_statut_fournisseur,
                                     'uuid', p_uuid));
        RETURN QUERY SELECT 'ok', v_pc.statut, v_pc.id,
                            v_pc.statut = 'accepte' AND v_recu;
        RETURN;
    END IF;

    v_statut := coalesce(portail.paiement_carte_statut(p_statut_fournisseur), 'initie');

    UPDATE portail.paiement_carte
    SET statut = v_statut, uuid_transaction = p_uuid,
        statut_fournisseur = p_statut_fournisseur,
        numero_autorisation = p_autorisation, marque_carte = p_marque,
        notification_recue_le = now(), notification = p_champs
    WHERE id = v_pc.id;

    PERFORM portail.journaliser(v_pc.compte_id, 'paiement.carte.notification', p_ip,
        jsonb_build_object('commande', v_pc.commande, 'statut', v_statut,
                           'statut_fournisseur', p_statut_fournisseur,
                           'montant_cents', v_pc.montant_cents));

    RETURN QUERY SELECT 'ok', v_statut, v_pc.id, v_statut = 'accepte' AND v_recu;
END
$$;

-- GET /api/paiements/carte/{commande}: an order of the tenant's, for the
-- page the browser comes back to.  NULL: not theirs.
CREATE FUNCTION portail.paiement_carte_etat(p_compte_id bigint, p_commande text)
RETURNS json
LANGUAGE sql STABLE
AS $$
    SELECT json_build_object(
        'commande', pc.commande,
        'contrat', k.numero,
        'montant_cents', pc.montant_cents,
        'statut', pc.statut,
        'libelle', portail.paiement_carte_libelle(pc.statut),
        'cree_le', pc.cree_le,
        'notification_recue_le', pc.notification_recue_le,
        'ticket_disponible', pc.statut = 'accepte',
        'message', CASE pc.statut
            WHEN 'initie' THEN
                'Nous attendons la confirmation de votre banque. Cette page '
                'se met à jour dès qu''elle nous parvient.'
            WHEN 'accepte' THEN
                'Votre paiement de ' || portail.paiements_euros(pc.montant_cents)
                || ' a été accepté. Le solde de votre compte sera mis à jour '
                'dans les 24h.'
            WHEN 'refuse' THEN
                'Votre paiement a été refusé : aucune somme n''a été débitée. '
                'Vous pouvez réessayer ou utiliser un autre moyen de paiement.'
            ELSE
                'Votre paiement n''a pas abouti : aucune somme n''a été débitée.'
            END)
    FROM portail.paiement_carte pc
    JOIN portail.contrats_du_compte(p_compte_id) k ON k.id = pc.contrat_id
    WHERE pc.commande = p_commande AND pc.compte_id = p_compte_id
$$;

-- GET /api/paiements/prelevement: the contract's active mandate, the debit
-- days the office offers and who the creditor is (no ICS configured: no
-- mandate can be signed).  The contract asked or, without one, the
-- tenant's first; NULL: not the tenant's.
CREATE FUNCTION portail.prelevement_corps(p_compte_id bigint, p_contrat text,
                                          p_jours integer[], p_creancier text,
                                          p_adresse text, p_ics text)
RETURNS json
LANGUAGE sql STABLE
AS $$
    SELECT json_build_object(
        'contrat', json_build_object('numero', k.numero, 'nature', k.nature,
                                     'designation', k.designation),
        'mode_paiement', portail.paiements_mode(k.mode_paiement),
        'mandat', (
            SELECT portail.mandat_json(m)
            FROM portail.mandat_sepa m
            WHERE m.contrat_id = k.id AND m.statut = 'actif'),
        'jours_proposes', to_json(p_jours),
        'souscription_possible', p_ics IS NOT NULL,
        'creancier', json_build_object('nom', p_creancier, 'adresse', p_adresse,
                                       'ics', p_ics))
    FROM portail.contrats_du_compte(p_compte_id) k
    WHERE p_contrat IS NULL OR k.numero = 'L/' || p_contrat
    ORDER BY k.nature = 'logement' DESC, k.numero
    LIMIT 1
$$;

-- POST /api/paiements/prelevement, after the module made the mandate's PDF
-- with the RUM and the signing time it was given (portail.nouvelle_rum()
-- and now() in the statement before): the previous active mandate of the
-- contract is revoked, the new one and its PDF stored, in one transaction.
-- NULL: not the tenant's contract.
CREATE FUNCTION portail.mandat_signer(p_compte_id bigint, p_contrat text,
                                      p_rum text, p_signe_le timestamptz,
                                      p_titulaire text, p_iban text, p_bic text,
                                      p_jour smallint, p_pdf bytea, p_ip inet)
RETURNS json
LANGUAGE plpgsql
AS $$
DECLARE
    v_contrat   portail.contrat;
    v_ancien    text;
    v_doc       bigint;
    v_mandat    portail.mandat_sepa;
BEGIN
    v_contrat := portail.paiements_contrat(p_compte_id, p_contrat);

    IF v_contrat.id IS NULL THEN
        RETURN NULL;
    END IF;

    -- two signatures at once for a contract: one after the other, the
    -- second revoking the first
    PERFORM pg_advisory_xact_lock(hashtext('portail.mandat_sepa'), v_contrat.id::integer);

    UPDATE portail.mandat_sepa
    SET statut = 'revoque', revoque_le = greatest(now(), signe_le),
        revoque_par_compte_id = p_compte_id
    WHERE contrat_id = v_contrat.id AND statut = 'actif'
    RETURNING rum INTO v_ancien;

    INSERT INTO portail.document (contrat_id, nature, periode, titre, contenu,
                                  taille, sha256)
    VALUES (v_contrat.id, 'mandat', date_trunc('month', p_signe_le)::date,
            'Mandat de prélèvement SEPA ' || p_rum, p_pdf,
            octet_length(p_pdf), sha256(p_pdf))
    RETURNING id INTO v_doc;

    INSERT INTO portail.mandat_sepa (rum, contrat_id, compte_id, titulaire, iban,
                                     bic, jour_prelevement, signe_le, document_id)
    VALUES (p_rum, v_contrat.id, p_compte_id, p_titulaire, p_iban, p_bic, p_jour,
            p_signe_le, v_doc)
    RETURNING * INTO v_mandat;

    PERFORM portail.journaliser(p_compte_id, 'prelevement.mandat', p_ip,
        jsonb_build_object('contrat', v_contrat.numero, 'rum', p_rum,
                           'mandat_revoque', v_ancien));

    RETURN json_build_object(
        'mandat', portail.mandat_json(v_mandat),
        'mandat_revoque', v_ancien,
        'message', 'Votre mandat de prélèvement SEPA est enregistré. '
                   'Il s''appliquera aux prochaines échéances de votre contrat '
                   || v_contrat.numero || '.');
END
$$;
