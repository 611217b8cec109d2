-- Documents: the tenant's list (GET /api/documents), the download checks
-- (GET /api/documents/{id}/fichier), and the rent receipts (quittances) the
-- portal makes itself for fully paid months the ERP sent none for.
--
-- Law of 6 July 1989, art. 21: a quittance is free, exists only for a
-- period fully paid, and shows rent and charges apart.  "Fully paid" is
-- defined once, here (portail.mois_acquittes), for the list and for the
-- download, so that both always agree.

-- A portal-made quittance carries a reference the portal generates,
-- PORTAIL-Q-<contract digits>-<YYYY-MM>: the existing CHECK (a reference
-- unless the document is a mandate) then holds, the reference's UNIQUE
-- makes two concurrent generations of the same month store one document,
-- and this constraint keeps the prefix for what its name says.
ALTER TABLE portail.document ADD CONSTRAINT document_quittance_portail_ck
    CHECK (reference NOT LIKE 'PORTAIL-Q-%'
           OR (nature = 'quittance'
               AND reference ~ '^PORTAIL-Q-[0-9]{7}-[0-9]{4}-(0[1-9]|1[0-2])$'
               AND right(reference, 7) = to_char(periode, 'YYYY-MM')));

-- French labels of the kinds of documents (what the SPA shows in its tabs).
CREATE FUNCTION portail.nature_document_libelle(p_nature text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE p_nature
    WHEN 'avis_echeance' THEN 'Avis d''échéance'
    WHEN 'quittance' THEN 'Quittance de loyer'
    WHEN 'regularisation_charges' THEN 'Régularisation des charges'
    WHEN 'recu_paiement' THEN 'Reçu de paiement'
    WHEN 'mandat' THEN 'Mandat de prélèvement' END;

-- 'octobre 2025': no lc_time dependency (to_char's TM depends on the
-- server's locales).  Not STRICT, and only immutable operations (no
-- to_char, no text || integer): PostgreSQL then inlines it and the
-- functions below into the statements that call them, instead of calling
-- them row by row.
CREATE FUNCTION portail.mois_en_lettres(p_mois date) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (ARRAY['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet',
              'août', 'septembre', 'octobre', 'novembre', 'décembre'])
           [extract(month FROM p_mois)::integer]
       || ' ' || extract(year FROM p_mois)::integer::text;

-- The name a download gets: 'Quittance de loyer - octobre 2025 -
-- L2013936.pdf'.  A reconciliation is named by its year, a receipt by its
-- title (several may share a month); characters file systems refuse
-- become '-' (other control characters are made harmless by the
-- Content-Disposition encoding), with translate(), not a regular
-- expression: it runs for every row of every list.
CREATE FUNCTION portail.document_nom_fichier(p_nature text, p_periode date,
                                             p_titre text, p_numero text)
RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN translate(
    CASE p_nature
        WHEN 'recu_paiement' THEN p_titre
        WHEN 'regularisation_charges' THEN
            portail.nature_document_libelle(p_nature) || ' - '
            || extract(year FROM p_periode)::integer::text
        ELSE portail.nature_document_libelle(p_nature) || ' - '
            || portail.mois_en_lettres(p_periode) END
    || ' - ' || replace(p_numero, '/', '') || '.pdf',
    E'/\\:*?"<>|\t\n\r', '------------');

-- The months of a contract that are fully paid, with what a quittance
-- shows: rent, charges, total, and the date of the credit that settled
-- them.
--
-- Definition (FIFO, the imputation of the Civil Code art. 1342-10 when
-- the debtor said nothing: the oldest debt first).  The contract's ledger
-- (entries not archived) is two queues in date order (then entry id):
-- the debits (due notices, reconciliations owed, refunds of a credit,
-- rejected payments, balances carried over) and the credits (payments,
-- reconciliations in the tenant's favour, credits carried over).  Credits
-- pay debits in that order.  A due notice is settled when the credits,
-- all together, cover it and every debit before it: its cumulated debits
-- <= the sum of all credits.  It was settled by the first credit whose
-- cumulated credits reach its cumulated debits; that credit's date is the
-- payment date the quittance shows.  A month is fully paid when every due
-- notice of that month (periode) is settled; its amounts are the sums of
-- those notices.  So a month in arrears, or any month after an unpaid debt
-- (a reconciliation left unpaid included), gets no quittance until the
-- debt is paid.
--
-- In SQL: the running sums of each queue, then, walking both from the
-- largest sum down, the smallest credit date seen so far: for a debit,
-- that is the date of the first credit whose running sum reaches its own
-- (credits are in date order, so their sums and dates grow together; at
-- equal sums the credit comes first: a payment of exactly the amount due
-- settles it).  One contract's ledger is read through
-- ecriture_contrat_date_idx (24 months: some fifty rows) and sorted twice.
CREATE FUNCTION portail.mois_acquittes(p_contrat_id bigint)
RETURNS TABLE (periode date, loyer_cents bigint, charges_cents bigint,
               montant_cents bigint, paiement_le date)
LANGUAGE sql STABLE
AS $$
    WITH e AS (
        SELECT e.type, e.sens, e.date_ecriture, e.periode, e.montant_cents,
               e.loyer_cents, e.charges_cents,
               sum(e.montant_cents) OVER (PARTITION BY e.sens
                                          ORDER BY e.date_ecriture, e.id)
                   AS cumul
        FROM portail.ecriture e
        WHERE e.contrat_id = p_contrat_id AND e.archive_le IS NULL
    ),
    x AS (
        SELECT e.*,
               min(e.date_ecriture) FILTER (WHERE e.sens = 'credit')
                   OVER (ORDER BY e.cumul DESC, e.sens
                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                   AS paiement_le
        FROM e
    )
    SELECT x.periode, sum(x.loyer_cents)::bigint, sum(x.charges_cents)::bigint,
           sum(x.montant_cents)::bigint, max(x.paiement_le)
    FROM x
    WHERE x.type = 'echeance'
    GROUP BY x.periode
    HAVING bool_and(x.paiement_le IS NOT NULL)
$$;

COMMENT ON FUNCTION portail.mois_acquittes(bigint) IS
    'Mois intégralement payés d''un contrat (imputation FIFO des crédits sur les débits) : ceux qui ouvrent droit à quittance';

-- Body of GET /api/documents.  NULL when p_contrat names a contract the
-- account does not see (404: ids of others cannot be probed).
--
-- The documents are those of the account's contracts (contrats_du_compte),
-- read per contract through document_contrat_nature_idx (never the content:
-- a TOAST column is only read when selected), plus, for each fully paid
-- month without any quittance, a quittance to generate ("a_generer": true)
-- with the stable pseudo-id q-<contract digits>-<YYYY-MM>.  Newest period
-- first; within a month the quittance, the receipts, the notice.
--
-- PL/pgSQL, so that the statement is planned once per pooled connection,
-- and with a generic plan from the first call: planning it costs some
-- 20 ms, running it 1 to 2 ms (10,000 households, 75,000 documents), and
-- the filters only choose among a tenant's few rows, reached by index.
CREATE FUNCTION portail.documents_liste(p_compte_id bigint, p_contrat text,
                                        p_nature text, p_annee integer,
                                        p_page integer, p_par_page integer)
RETURNS json
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    v_corps  json;
BEGIN
    IF p_contrat IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM portail.contrats_du_compte(p_compte_id) k
        WHERE k.numero = 'L/' || p_contrat)
    THEN
        RETURN NULL;
    END IF;

    WITH k AS (
        SELECT k.id, k.numero, k.nature, k.designation
        FROM portail.contrats_du_compte(p_compte_id) k
    ),
    choisis AS (
        SELECT k.* FROM k
        WHERE p_contrat IS NULL OR k.numero = 'L/' || p_contrat
    ),
    tous AS (
        SELECT d.id AS ordre, d.id::text AS id, c.numero, d.nature, d.periode,
               d.titre, d.taille, d.cree_le, false AS a_generer
        FROM choisis c
        JOIN portail.document d ON d.contrat_id = c.id
        WHERE p_nature IS NULL OR d.nature = p_nature
        UNION ALL
        SELECT 0, 'q-' || substr(c.numero, 3) || '-'
                  || to_char(m.periode, 'YYYY-MM'),
               c.numero, 'quittance', m.periode,
               'Quittance de loyer ' || portail.mois_en_lettres(m.periode),
               NULL, NULL, true
        FROM choisis c
        CROSS JOIN LATERAL portail.mois_acquittes(c.id) m
        WHERE (p_nature IS NULL OR p_nature = 'quittance')
          AND NOT EXISTS (SELECT 1 FROM portail.document d
                          WHERE d.contrat_id = c.id AND d.nature = 'quittance'
                            AND d.periode = m.periode)
    ),
    retenus AS (
        SELECT t.* FROM tous t
        WHERE p_annee IS NULL OR extract(year FROM t.periode) = p_annee
    ),
    page AS (
        SELECT r.* FROM retenus r
        ORDER BY r.periode DESC,
                 array_position(ARRAY['quittance', 'recu_paiement',
                                      'avis_echeance', 'regularisation_charges',
                                      'mandat'], r.nature),
                 r.numero, r.ordre DESC
        OFFSET (p_page - 1) * p_par_page LIMIT p_par_page
    ),
    total AS (
        SELECT count(*) AS n FROM retenus
    )
    SELECT json_build_object(
        'documents', coalesce((
            SELECT json_agg(json_build_object(
                       'id', p.id,
                       'contrat', p.numero,
                       'nature', p.nature,
                       'libelle_nature', portail.nature_document_libelle(p.nature),
                       'periode', to_char(p.periode, 'YYYY-MM'),
                       'titre', p.titre,
                       'taille', p.taille,
                       'mis_en_ligne_le', date_trunc('second', p.cree_le),
                       'a_generer', p.a_generer,
                       'nom_fichier', portail.document_nom_fichier(p.nature, p.periode,
                                                                   p.titre, p.numero),
                       'url', '/api/documents/' || p.id || '/fichier')
                   ORDER BY p.periode DESC,
                            array_position(ARRAY['quittance', 'recu_paiement',
                                                 'avis_echeance',
                                                 'regularisation_charges',
                                                 'mandat'], p.nature),
                            p.numero, p.ordre DESC)
            FROM page p), '[]'::json),
        'page', p_page,
        'par_page', p_par_page,
        'total', total.n,
        'pages', greatest(1, ceil(total.n::numeric / p_par_page))::integer,
        'filtres', json_build_object('contrat', p_contrat, 'nature', p_nature,
                                     'annee', p_annee),
        'contrats', coalesce((
            SELECT json_agg(json_build_object(
                       'numero', k.numero, 'reference', substr(k.numero, 3),
                       'nature', k.nature, 'designation', k.designation)
                   ORDER BY k.nature = 'logement' DESC, k.numero)
            FROM k), '[]'::json),
        'natures', (
            SELECT json_agg(json_build_object(
                       'code', n.code,
                       'libelle', portail.nature_document_libelle(n.code))
                   ORDER BY n.rang)
            FROM unnest(ARRAY['avis_echeance', 'quittance',
                              'regularisation_charges', 'recu_paiement',
                              'mandat']) WITH ORDINALITY AS n(code, rang)),
        'annees', coalesce((
            SELECT json_agg(a.annee ORDER BY a.annee DESC)
            FROM (SELECT DISTINCT extract(year FROM t.periode)::integer AS annee
                  FROM tous t) a), '[]'::json))
    INTO v_corps
    FROM total;

    RETURN v_corps;
END
$$;

-- GET /api/documents/q-2013936-2025-10/fichier, first step: the quittance
-- of that month if one exists (the ERP's first, else the one the portal
-- made: the same bytes at every download), else, when the month is fully
-- paid, what the PDF shows.  No row: not the account's contract, or the
-- month is not fully paid (404 either way).
CREATE FUNCTION portail.quittance_a_produire(p_compte_id bigint, p_contrat text,
                                             p_periode date, p_tranche integer)
RETURNS TABLE (document_id bigint, taille integer, nom_fichier text,
               debut bytea, reference text, titre text,
               periode_libelle text, periode_du text, periode_au text,
               locataires text, reference_client text, contrat text,
               contrat_nature text, designation text, adresse1 text,
               adresse2 text, ville text, loyer_cents bigint,
               charges_cents bigint, montant_cents bigint, paiement_le text,
               etablie_le text)
LANGUAGE sql STABLE
AS $$
    WITH k AS (
        SELECT k.* FROM portail.contrats_du_compte(p_compte_id) k
        WHERE k.numero = 'L/' || p_contrat
    ),
    existant AS (
        SELECT d.id, d.taille,
               portail.document_nom_fichier(d.nature, d.periode, d.titre,
                                            k.numero) AS nom,
               substring(d.contenu FROM 1 FOR p_tranche) AS debut
        FROM k
        JOIN portail.document d ON d.contrat_id = k.id
                               AND d.nature = 'quittance'
                               AND d.periode = p_periode
        ORDER BY d.reference LIKE 'PORTAIL-%', d.id
        LIMIT 1
    )
    SELECT e.id, e.taille, e.nom, e.debut,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM existant e
    UNION ALL
    SELECT NULL, NULL, NULL, NULL,
           'PORTAIL-Q-' || p_contrat || '-' || to_char(p_periode, 'YYYY-MM'),
           'Quittance de loyer ' || portail.mois_en_lettres(p_periode),
           portail.mois_en_lettres(p_periode),
           to_char(p_periode, 'DD/MM/YYYY'),
           to_char((p_periode + interval '1 month' - interval '1 day')::date,
                   'DD/MM/YYYY'),
           (SELECT string_agg(concat_ws(' ', p.civilite, p.prenom, p.nom),
                              ' et ' ORDER BY cs.rang)
            FROM portail.contrat_signataire cs
            JOIN portail.personne p ON p.id = cs.personne_id
            WHERE cs.contrat_id = k.id AND cs.retire_le IS NULL),
           'L/' || t.reference_client,
           k.numero,
           CASE k.nature WHEN 'logement' THEN 'Logement'
                         WHEN 'stationnement' THEN 'Stationnement'
                         WHEN 'commerce' THEN 'Local commercial'
                         ELSE 'Autre' END,
           k.designation, k.adresse_ligne1, k.adresse_ligne2,
           k.code_postal || ' '
           || upper(public.unaccent('public.unaccent'::regdictionary, k.commune)),
           m.loyer_cents, m.charges_cents, m.montant_cents,
           to_char(m.paiement_le, 'DD/MM/YYYY'),
           to_char(now(), 'DD/MM/YYYY')
    FROM k
    JOIN portail.tiers t ON t.id = k.tiers_id
    JOIN LATERAL portail.mois_acquittes(k.id) m ON m.periode = p_periode
    WHERE NOT EXISTS (SELECT 1 FROM existant)
$$;

-- Second step: stores the PDF the module made, unless a quittance of that
-- month exists by now (another download, an import), after checking again
-- in this transaction that the contract is the account's and the month
-- fully paid.  Returns the quittance to serve: always the stored one.
CREATE FUNCTION portail.quittance_enregistrer(p_compte_id bigint, p_contrat text,
                                              p_periode date, p_contenu bytea,
                                              p_ip inet, p_tranche integer)
RETURNS TABLE (document_id bigint, taille integer, nom_fichier text,
               debut bytea)
LANGUAGE plpgsql
AS $$
#variable_conflict use_column
DECLARE
    v_contrat  portail.contrat;
    v_id       bigint;
BEGIN
    SELECT k.* INTO v_contrat
    FROM portail.contrats_du_compte(p_compte_id) k
    WHERE k.numero = 'L/' || p_contrat;

    IF v_contrat.id IS NULL THEN
        RETURN;
    END IF;

    IF NOT EXISTS (SELECT 1 FROM portail.document d
                   WHERE d.contrat_id = v_contrat.id AND d.nature = 'quittance'
                     AND d.periode = p_periode)
    THEN
        IF NOT EXISTS (SELECT 1 FROM portail.mois_acquittes(v_contrat.id) m
                       WHERE m.periode = p_periode)
        THEN
            RETURN;
        END IF;

        INSERT INTO portail.document (reference, contrat_id, nature, periode,
                                      titre, contenu, taille, sha256)
        VALUES ('PORTAIL-Q-' || p_contrat || '-' || to_char(p_periode, 'YYYY-MM'),
                v_contrat.id, 'quittance', p_periode,
                'Quittance de loyer ' || portail.mois_en_lettres(p_periode),
                p_contenu, octet_length(p_contenu), sha256(p_contenu))
        ON CONFLICT (reference) DO NOTHING
        RETURNING id INTO v_id;

        IF v_id IS NOT NULL THEN
            PERFORM portail.journaliser(p_compte_id, 'document.quittance_generee',
                p_ip, jsonb_build_object('document_id', v_id,
                                         'contrat', v_contrat.numero,
                                         'periode', to_char(p_periode, 'YYYY-MM')));
        END IF;
    END IF;

    RETURN QUERY
        SELECT d.id, d.taille,
               portail.document_nom_fichier(d.nature, d.periode, d.titre,
                                            v_contrat.numero),
               substring(d.contenu FROM 1 FOR p_tranche)
        FROM portail.document d
        WHERE d.contrat_id = v_contrat.id AND d.nature = 'quittance'
          AND d.periode = p_periode
        ORDER BY d.reference LIKE 'PORTAIL-%', d.id
        LIMIT 1;
END
$$;
