-- A second transaction notified for an order already paid: the provider
-- took the tenant's money twice (a form posted again, two tabs).  Until
-- now the notification was answered 200 and only journaled as ignored;
-- it now returns 'transaction_en_double' (409 for the provider, an error
-- line and portail_card_payment_duplicates_total for ops) and journals
-- everything the office needs to refund: both transactions, the amount and
-- the raw fields.  A later notification of the same transaction, or one
-- that took no money (refused, cancelled), is still ignored as before.

CREATE OR REPLACE FUNCTION portail.paiement_carte_notifier(p_commande text, p_transaction_id text,
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

    -- Paid already, and the provider tells of another transaction that
    -- took money: the tenant was charged twice.  Recorded for the office
    -- (which refunds it), answered as a conflict, never as a success.
    IF v_pc.statut = 'accepte'
       AND p_uuid IS DISTINCT FROM v_pc.uuid_transaction
       AND portail.paiement_carte_statut(p_statut_fournisseur) = 'accepte'
    THEN
        PERFORM portail.journaliser(v_pc.compte_id,
            'paiement.carte.transaction_en_double', p_ip,
            jsonb_build_object('commande', v_pc.commande,
                               'uuid_paye', v_pc.uuid_transaction,
                               'uuid_notifie', p_uuid,
                               'statut_fournisseur', p_statut_fournisseur,
                               'montant_cents', p_montant,
                               'champs', p_champs));
        RETURN QUERY SELECT 'transaction_en_double', v_pc.statut, v_pc.id, false;
        RETURN;
    END IF;

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
