-- Retention of personal data: how long the portal keeps what, and the purge
-- that deletes what is past its period (tools/purge, docs/donnees-personnelles.md
-- gives the reasons and the legal bases).
--
-- The periods are data, one row per kind, so that an office can apply its
-- own schedule (its data protection officer's decision) with an UPDATE
-- rather than a new release.  The purge runs as the schema owner, in small
-- batches, each its own transaction; rows are taken FOR UPDATE SKIP LOCKED,
-- so purges running on several nodes at once share the work and never wait
-- on each other nor on the portal.

CREATE TABLE portail.conservation (
    objet       text PRIMARY KEY CHECK (objet IN ('session', 'jeton', 'tentative_connexion', 'courriel',
                                                  'journal', 'demande_piece', 'enquete_piece',
                                                  'assurance_habitation', 'compte_ferme')),
    duree       interval NOT NULL CHECK (duree > interval '0'),
    -- what goes, as the purge reports it
    libelle     text NOT NULL,
    -- Sign-in throttling counts the failures of the last portail_login_window
    -- (15 minutes by default): those must stay.
    CHECK (objet <> 'tentative_connexion' OR duree >= interval '1 day')
);
COMMENT ON TABLE portail.conservation IS
    'Retention periods: what tools/purge deletes once past its period (docs/donnees-personnelles.md).';
-- The portal reads it where a rule depends on a period (the freeze of
-- submitted surveys' attachments below).
GRANT SELECT ON portail.conservation TO portail_app;

INSERT INTO portail.conservation (objet, duree, libelle) VALUES
    ('session', '30 days', 'sessions expirées'),
    ('jeton', '7 days', 'liens à usage unique expirés'),
    ('tentative_connexion', '6 months', 'tentatives de connexion'),
    ('courriel', '3 months', 'courriels envoyés ou abandonnés'),
    ('journal', '1 year', 'lignes du journal d''audit'),
    ('demande_piece', '1 year', 'pièces jointes de demandes closes'),
    ('enquete_piece', '1 year', 'pièces d''enquêtes de campagnes closes'),
    ('assurance_habitation', '1 year', 'attestations d''assurance remplacées ou refusées'),
    ('compte_ferme', '30 days', 'comptes fermés, identifiant et mot de passe effacés');

-- A period as people say it: "6 mois", "1 an", "30 jours".
CREATE FUNCTION portail.duree_en_clair(d interval) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN concat_ws(' ',
    CASE WHEN extract(year FROM d) = 1 THEN '1 an'
         WHEN extract(year FROM d) > 1 THEN extract(year FROM d) || ' ans' END,
    CASE WHEN extract(month FROM d) > 0 THEN extract(month FROM d) || ' mois' END,
    CASE WHEN extract(day FROM d) = 1 THEN '1 jour'
         WHEN extract(day FROM d) > 1 THEN extract(day FROM d) || ' jours' END,
    CASE WHEN extract(hour FROM d) = 1 THEN '1 heure'
         WHEN extract(hour FROM d) > 1 THEN extract(hour FROM d) || ' heures' END);

-- Finding the outbox's finished messages without reading the whole table.
CREATE INDEX courriel_termine_idx ON portail.courriel ((coalesce(envoye_le, abandonne_le)))
    WHERE envoye_le IS NOT NULL OR abandonne_le IS NOT NULL;
-- Finding the closed accounts.
CREATE INDEX compte_ferme_idx ON portail.compte (ferme_le) WHERE ferme_le IS NOT NULL;

-- An address no real account can have (.invalid is reserved, RFC 2606):
-- the login of a closed account once its period is over.
CREATE FUNCTION portail.email_anonyme(p_compte_id bigint) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN 'compte-' || p_compte_id || '@ferme.invalid';

-- A submitted survey's attachments stay frozen (migration 007), except that
-- their retention period over, they may go: once the campaign closed longer
-- ago than enquete_piece's period.
CREATE OR REPLACE FUNCTION portail.enquete_piece_figee() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (
            SELECT 1 FROM portail.enquete e
              JOIN portail.enquete_campagne ca ON ca.id = e.campagne_id
             WHERE e.id = OLD.enquete_id
               AND ca.date_limite < now() - (SELECT duree FROM portail.conservation WHERE objet = 'enquete_piece')) THEN
        RETURN OLD;
    END IF;
    IF EXISTS (SELECT 1 FROM portail.enquete
                WHERE id = CASE TG_OP WHEN 'DELETE' THEN OLD.enquete_id ELSE NEW.enquete_id END
                  AND statut = 'envoyee') THEN
        RAISE EXCEPTION 'enquête déjà envoyée : les pièces jointes ne peuvent plus être modifiées'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;

-- One batch of at most p_lot rows of one kind past its period: deleted (or,
-- for closed accounts, their login and password erased).  Returns how many.
CREATE FUNCTION portail.purger_lot(p_objet text, p_lot integer) RETURNS integer
    LANGUAGE plpgsql AS
$$
DECLARE
    v_limite   timestamptz;
    v_table    text;
    v_colonne  text;
    v_n        integer;
BEGIN
    SELECT now() - duree INTO STRICT v_limite FROM portail.conservation WHERE objet = p_objet;
    -- The kinds that go a period after a date of their own: sessions 30 days
    -- after the end of their lifetime (closed or idle before or not), links
    -- after their expiry, attempts and journal lines after they were made.
    -- Table and column names come from this list only; the values are
    -- parameters.
    SELECT x.t, x.c INTO v_table, v_colonne
      FROM (VALUES ('session', 'session', 'expire_le'), ('jeton', 'jeton', 'expire_le'),
                   ('tentative_connexion', 'tentative_connexion', 'le'), ('journal', 'journal', 'le'))
           AS x(objet, t, c)
     WHERE x.objet = p_objet;
    IF FOUND THEN
        EXECUTE format('DELETE FROM portail.%1$I WHERE id IN (SELECT id FROM portail.%1$I WHERE %2$I < $1'
                       ' ORDER BY %2$I LIMIT $2 FOR UPDATE SKIP LOCKED)', v_table, v_colonne)
          USING v_limite, p_lot;
        GET DIAGNOSTICS v_n = ROW_COUNT;
        RETURN v_n;
    END IF;
    CASE p_objet
    WHEN 'courriel' THEN
        -- never a message still to send
        DELETE FROM portail.courriel WHERE id IN (
            SELECT id FROM portail.courriel
             WHERE (envoye_le IS NOT NULL OR abandonne_le IS NOT NULL)
               AND coalesce(envoye_le, abandonne_le) < v_limite
             ORDER BY coalesce(envoye_le, abandonne_le) LIMIT p_lot FOR UPDATE SKIP LOCKED);
    WHEN 'demande_piece' THEN
        -- the request closed (resolved, closed, rejected) that long ago
        DELETE FROM portail.demande_piece WHERE id IN (
            SELECT pc.id FROM portail.demande_piece pc JOIN portail.demande d ON d.id = pc.demande_id
             WHERE NOT portail.demande_ouverte(d.statut) AND d.statut_le < v_limite
             ORDER BY pc.id LIMIT p_lot FOR UPDATE OF pc SKIP LOCKED);
    WHEN 'enquete_piece' THEN
        -- the campaign's deadline passed that long ago (answered or not)
        DELETE FROM portail.enquete_piece WHERE id IN (
            SELECT pc.id FROM portail.enquete_piece pc
              JOIN portail.enquete e ON e.id = pc.enquete_id
              JOIN portail.enquete_campagne ca ON ca.id = e.campagne_id
             WHERE ca.date_limite < v_limite
             ORDER BY pc.id LIMIT p_lot FOR UPDATE OF pc SKIP LOCKED);
    WHEN 'assurance_habitation' THEN
        -- refused that long ago, or ended that long ago and replaced by a
        -- validated certificate deposited later: the contract's latest
        -- certificate always stays (the home page shows its state)
        DELETE FROM portail.assurance_habitation WHERE id IN (
            SELECT a.id FROM portail.assurance_habitation a
             WHERE (a.statut = 'refusee' AND a.examinee_le < v_limite)
                OR (a.date_fin < v_limite
                    AND EXISTS (SELECT 1 FROM portail.assurance_habitation b
                                 WHERE b.contrat_id = a.contrat_id AND b.statut = 'validee'
                                   AND b.depose_le > a.depose_le))
             ORDER BY a.id LIMIT p_lot FOR UPDATE SKIP LOCKED);
    WHEN 'compte_ferme' THEN
        -- The account row stays (requests, payments, mandates point to it)
        -- but says no more who used it.  Its sessions, links, sign-in
        -- attempts and journal lines go with their own periods.
        UPDATE portail.compte
           SET email = portail.email_anonyme(id),
               mot_de_passe_hash = '$argon2id$v=19$efface',
               derniere_connexion_le = NULL, bloque_jusqu_a = NULL, echecs_connexion = 0
         WHERE id IN (
            SELECT id FROM portail.compte
             WHERE ferme_le < v_limite AND email <> portail.email_anonyme(id)
             ORDER BY ferme_le LIMIT p_lot FOR UPDATE SKIP LOCKED);
    END CASE;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END
$$;

-- All of one kind, batch after batch, each committed on its own (a purge
-- holds no lock for long, and what it did stays done if it is stopped).
-- Called at the top level (CALL, outside a transaction block).
CREATE PROCEDURE portail.purger(p_objet text, p_lot integer, INOUT p_total bigint DEFAULT 0)
    LANGUAGE plpgsql AS
$$
DECLARE
    v_n  integer;
BEGIN
    IF p_lot IS NULL OR p_lot < 1 THEN
        RAISE EXCEPTION 'purge : taille de lot invalide (%), un entier positif est attendu', p_lot;
    END IF;
    p_total := 0;
    LOOP
        v_n := portail.purger_lot(p_objet, p_lot);
        p_total := p_total + v_n;
        COMMIT;
        -- a short batch: nothing left, or rows another purge holds now
        EXIT WHEN v_n < p_lot;
    END LOOP;
END
$$;

-- Destructive: the schema owner's only (functions are PUBLIC by default).
REVOKE EXECUTE ON FUNCTION portail.purger_lot(text, integer) FROM PUBLIC;
REVOKE EXECUTE ON PROCEDURE portail.purger(text, integer, bigint) FROM PUBLIC;
