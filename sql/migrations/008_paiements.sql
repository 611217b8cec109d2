-- Card payments (hosted payment page, Lyra/PayZen/Systempay form API) and
-- SEPA direct-debit mandates.

-- ISO 13616 check: country length, then mod 97 = 1 on the rearranged number
-- (first 4 characters moved to the end, A=10 ... Z=35).  Computed digit by
-- digit: the number is far beyond bigint.
CREATE FUNCTION portail.iban_valide(iban text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS
$$
DECLARE
    s text;
    c int;
    r int := 0;
    attendu int;
BEGIN
    IF iban !~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$' THEN
        RETURN false;
    END IF;
    -- Lengths of the SEPA countries a tenant's bank is likely to be in.
    attendu := CASE left(iban, 2)
        WHEN 'FR' THEN 27 WHEN 'MC' THEN 27 WHEN 'IT' THEN 27 WHEN 'DE' THEN 22
        WHEN 'BE' THEN 16 WHEN 'ES' THEN 24 WHEN 'PT' THEN 25 WHEN 'LU' THEN 20
        WHEN 'NL' THEN 18 WHEN 'CH' THEN 21 WHEN 'GB' THEN 22 WHEN 'IE' THEN 22
        ELSE NULL END;
    IF attendu IS NOT NULL AND length(iban) <> attendu THEN
        RETURN false;
    END IF;
    s := substr(iban, 5) || left(iban, 4);
    FOR i IN 1 .. length(s) LOOP
        c := ascii(substr(s, i, 1));
        IF c BETWEEN 48 AND 57 THEN
            r := (r * 10 + c - 48) % 97;
        ELSE
            r := (r * 100 + c - 55) % 97;
        END IF;
    END LOOP;
    RETURN r = 1;
END
$$;

CREATE TABLE portail.paiement_carte (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- vads_order_id: our order reference, shown on the provider's ticket.
    commande                text NOT NULL UNIQUE CHECK (commande ~ '^[A-Za-z0-9_-]{1,64}$'),
    -- vads_trans_id (6 characters, unique per day for the shop) and
    -- vads_trans_date (UTC): together they identify the transaction for the
    -- provider, so they are unique together here.
    transaction_id          text NOT NULL CHECK (transaction_id ~ '^[0-9A-Za-z]{6}$'),
    transaction_date        timestamptz NOT NULL DEFAULT date_trunc('second', now()),
    transaction_jour        date GENERATED ALWAYS AS ((transaction_date AT TIME ZONE 'UTC')::date) STORED,
    contrat_id              bigint NOT NULL REFERENCES portail.contrat,
    compte_id               bigint NOT NULL REFERENCES portail.compte,
    montant_cents           bigint NOT NULL CHECK (montant_cents > 0),
    -- ISO 4217 numeric code, as the provider wants it (978 = EUR).
    devise                  text NOT NULL DEFAULT '978' CHECK (devise = '978'),
    -- Our view of the payment; only a verified notification (IPN) moves it
    -- out of 'initie'.
    statut                  text NOT NULL DEFAULT 'initie' CHECK (statut IN
                                ('initie', 'accepte', 'refuse', 'abandonne', 'annule', 'erreur')),
    fournisseur             text NOT NULL DEFAULT 'payzen' CHECK (fournisseur ~ '^[a-z0-9_]{1,30}$'),
    mode                    text NOT NULL DEFAULT 'TEST' CHECK (mode IN ('TEST', 'PRODUCTION')),
    -- Provider's fields, copied from the notification.
    uuid_transaction        text UNIQUE CHECK (length(uuid_transaction) <= 64),  -- vads_trans_uuid
    statut_fournisseur      text CHECK (length(statut_fournisseur) <= 40),       -- vads_trans_status
    numero_autorisation     text CHECK (length(numero_autorisation) <= 20),      -- vads_auth_number
    marque_carte            text CHECK (length(marque_carte) <= 40),             -- vads_card_brand
    notification_recue_le   timestamptz,
    notification            jsonb,       -- the raw fields received, for disputes
    cree_le                 timestamptz NOT NULL DEFAULT now(),
    maj_le                  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (transaction_jour, transaction_id),
    CHECK (statut = 'initie' OR notification_recue_le IS NOT NULL),
    CHECK ((notification_recue_le IS NULL) = (notification IS NULL))
);
CREATE INDEX paiement_carte_contrat_idx ON portail.paiement_carte (contrat_id, cree_le DESC);
CREATE INDEX paiement_carte_compte_idx ON portail.paiement_carte (compte_id, cree_le DESC);
CREATE INDEX paiement_carte_notification_idx ON portail.paiement_carte (notification_recue_le)
    WHERE notification_recue_le IS NOT NULL;
CREATE TRIGGER paiement_carte_maj_le BEFORE UPDATE ON portail.paiement_carte
    FOR EACH ROW EXECUTE FUNCTION portail.toucher_maj_le('transaction_jour');

-- Mandate references (RUM) made by the portal: never derived from the IBAN
-- (a change of bank account must not change the RUM, and the RUM must not
-- leak the account).  OPH17-<year>-<8-digit sequence>.
CREATE SEQUENCE portail.mandat_rum_seq;
CREATE FUNCTION portail.nouvelle_rum() RETURNS text
    LANGUAGE sql VOLATILE
RETURN 'OPH17-' || to_char(now(), 'YYYY') || '-' || lpad(nextval('portail.mandat_rum_seq')::text, 8, '0');

CREATE TABLE portail.mandat_sepa (
    id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Unique mandate reference: at most 35 characters of the SEPA set.
    rum                     text NOT NULL UNIQUE DEFAULT portail.nouvelle_rum()
                            CHECK (rum ~ '^[A-Za-z0-9+?/:().,'' -]{1,35}$'),
    contrat_id              bigint NOT NULL REFERENCES portail.contrat,
    compte_id               bigint NOT NULL REFERENCES portail.compte,
    titulaire               text NOT NULL CHECK (btrim(titulaire) <> '' AND length(titulaire) <= 70),
    iban                    text NOT NULL CHECK (portail.iban_valide(iban)),
    bic                     text CHECK (bic ~ '^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$'),
    -- Among the days the office offers (configuration: 5, 10, 15).
    jour_prelevement        smallint NOT NULL CHECK (jour_prelevement BETWEEN 1 AND 28),
    signe_le                timestamptz NOT NULL DEFAULT now(),
    statut                  text NOT NULL DEFAULT 'actif' CHECK (statut IN ('actif', 'revoque')),
    revoque_le              timestamptz,
    revoque_par_compte_id   bigint REFERENCES portail.compte,
    -- The signed mandate (PDF the portal generates, document.nature 'mandat').
    document_id             bigint REFERENCES portail.document,
    cree_le                 timestamptz NOT NULL DEFAULT now(),
    maj_le                  timestamptz NOT NULL DEFAULT now(),
    CHECK ((statut = 'revoque') = (revoque_le IS NOT NULL)),
    CHECK (revoque_le IS NULL OR revoque_le >= signe_le),
    -- Not derived from the IBAN: the account number (IBAN without country
    -- and key) may not appear in the RUM.
    CHECK (strpos(upper(rum), substr(iban, 5)) = 0)
);
-- A contract is debited under one mandate at a time: a new bank account means
-- revoking the active mandate and signing a new one in the same transaction.
CREATE UNIQUE INDEX mandat_sepa_actif_idx ON portail.mandat_sepa (contrat_id) WHERE statut = 'actif';
CREATE INDEX mandat_sepa_contrat_idx ON portail.mandat_sepa (contrat_id, signe_le DESC);
CREATE INDEX mandat_sepa_maj_idx ON portail.mandat_sepa (maj_le);
CREATE TRIGGER mandat_sepa_maj_le BEFORE UPDATE ON portail.mandat_sepa
    FOR EACH ROW WHEN (OLD IS DISTINCT FROM NEW) EXECUTE FUNCTION portail.toucher_maj_le();

GRANT SELECT, INSERT ON portail.paiement_carte TO portail_app;
GRANT UPDATE (statut, uuid_transaction, statut_fournisseur, numero_autorisation, marque_carte,
              notification_recue_le, notification)
    ON portail.paiement_carte TO portail_app;
GRANT SELECT, INSERT ON portail.mandat_sepa TO portail_app;
GRANT UPDATE (statut, revoque_le, revoque_par_compte_id, document_id) ON portail.mandat_sepa TO portail_app;
GRANT USAGE ON SEQUENCE portail.mandat_rum_seq TO portail_app;
