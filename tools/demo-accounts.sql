-- Demo portal data (not ERP data): Jean MARTIN's confirmed account and a
-- request he made on the portal.  Run after tools/import of a tools/demo-data
-- batch (tools/demo-load does both); idempotent.
--
-- Password: Portail2024!  The hash is a real libsodium crypto_pwhash_str
-- string (argon2id, opslimit 2, memlimit 64 MiB), made once with
--   python3 -c 'import ctypes, ctypes.util; ...crypto_pwhash_str(...)'
-- (see t/exchange/lib.pl, argon2_verifie, for the verification side).

\set ON_ERROR_STOP 1
SET search_path = portail, public;
BEGIN;

INSERT INTO compte (personne_id, email, mot_de_passe_hash, cree_le, confirme_le, mot_de_passe_change_le)
SELECT p.id, 'jean.martin@example.org',
       '$argon2id$v=19$m=65536,t=2,p=1$TOgslo9Seqqqooh+W8QVJw$uu9jP6TkzpNPjXDkCATP9ThOQzSmpC01YYp09rzfI2c',
       now() - interval '90 days', now() - interval '90 days' + interval '10 minutes',
       now() - interval '90 days'
  FROM personne p JOIN tiers t ON t.id = p.tiers_id
 WHERE t.reference_client = '7654321' AND p.nom_normalise = 'MARTIN' AND p.prenom = 'Jean'
ON CONFLICT DO NOTHING;

-- A request Jean made on the portal, with its first history row and a message.
WITH c AS (SELECT co.id AS compte_id, ct.id AS contrat_id
             FROM compte co JOIN contrat ct ON ct.numero = 'L/2087412'
            WHERE co.email = 'jean.martin@example.org'),
d AS (INSERT INTO demande (numero, origine, contrat_id, compte_id, type, categorie, objet, description,
                           creneau_contact, statut, statut_le, cree_le)
      SELECT 'D' || to_char(now(), 'YYYY') || '-000001', 'portail', c.contrat_id, c.compte_id, 'demande',
             'technique_logement', 'Robinet de la salle de bains qui fuit',
             'Le robinet du lavabo goutte en permanence, même fermé à fond.', 'matin', 'nouvelle',
             now() - interval '2 days', now() - interval '2 days'
        FROM c
       WHERE NOT EXISTS (SELECT 1 FROM demande x WHERE x.compte_id = c.compte_id)
      RETURNING id, compte_id, cree_le),
h AS (INSERT INTO demande_statut (demande_id, statut, auteur, compte_id, le)
      SELECT id, 'nouvelle', 'locataire', compte_id, cree_le FROM d)
INSERT INTO demande_message (demande_id, auteur, compte_id, texte, le)
SELECT id, 'locataire', compte_id, 'Je suis disponible le matin en semaine.', cree_le + interval '1 minute' FROM d;

-- Keep the portal's own number sequence past the demo request.
SELECT setval('demande_numero_seq', greatest(2, (SELECT last_value FROM demande_numero_seq)));

COMMIT;
