# The database itself refuses bad states, whoever writes.
use strict;
use warnings;
use utf8;
use Test::More;
use FindBin;
require "$FindBin::Bin/lib.pl";
our $ROOT;

my $dbh = base_prete();
my ($rc, $out, $err) = lancer("tools/import '$ROOT/docs/exchange' && psql -X -q -v ON_ERROR_STOP=1 -f tools/demo-accounts.sql");
is($rc, 0, 'example batch and demo accounts loaded') or diag $err;
my $c = valeur("SELECT id FROM contrat WHERE numero = 'L/2087412'");
my $k = valeur("SELECT id FROM compte LIMIT 1");

sub refuse {
    my ($nom, $sql, $re, @b) = @_;
    $dbh->begin_work;
    eval { $dbh->do($sql, undef, @b); 1 } and do { $dbh->rollback; fail("$nom: accepted"); return };
    my $e = $@;
    $dbh->rollback;
    like($e, $re, $nom);
}

refuse('negative ledger amount',
       "INSERT INTO ecriture (contrat_id, reference, type, sens, date_ecriture, periode, libelle, montant_cents, mode_paiement)
        VALUES (?, 'T-1', 'paiement', 'credit', '2025-11-01', '2025-11-01', 'x', -100, 'cheque')", qr/ecriture_montant_cents_check/, $c);
refuse('zero ledger amount',
       "INSERT INTO ecriture (contrat_id, reference, type, sens, date_ecriture, periode, libelle, montant_cents, mode_paiement)
        VALUES (?, 'T-1', 'paiement', 'credit', '2025-11-01', '2025-11-01', 'x', 0, 'cheque')", qr/check/, $c);
refuse('payment on the debit side',
       "INSERT INTO ecriture (contrat_id, reference, type, sens, date_ecriture, periode, libelle, montant_cents, mode_paiement)
        VALUES (?, 'T-1', 'paiement', 'debit', '2025-11-01', '2025-11-01', 'x', 100, 'cheque')", qr/check/, $c);
refuse('due notice whose rent + charges differ from the amount',
       "INSERT INTO ecriture (contrat_id, reference, type, sens, date_ecriture, periode, libelle, montant_cents, loyer_cents, charges_cents)
        VALUES (?, 'T-1', 'echeance', 'debit', '2025-11-01', '2025-11-01', 'x', 1000, 600, 300)", qr/check/, $c);
refuse('period not a first day of month',
       "INSERT INTO ecriture (contrat_id, reference, type, sens, date_ecriture, periode, libelle, montant_cents)
        VALUES (?, 'T-1', 'ajustement', 'debit', '2025-11-01', '2025-11-15', 'x', 100)", qr/periode_check/, $c);
refuse('negative rent', "UPDATE contrat SET loyer_cents = -1 WHERE id = ?", qr/contrat_loyer_cents_check/, $c);
refuse('card payment of 0', "INSERT INTO paiement_carte (commande, transaction_id, contrat_id, compte_id, montant_cents)
                             VALUES ('CB-1', '000001', ?, ?, 0)", qr/montant_cents_check/, $c, $k);
refuse('card transaction id not 6 characters', "INSERT INTO paiement_carte (commande, transaction_id, contrat_id, compte_id, montant_cents)
                             VALUES ('CB-1', '1234567', ?, ?, 100)", qr/transaction_id_check/, $c, $k);
refuse('same transaction id twice the same day',
       "INSERT INTO paiement_carte (commande, transaction_id, contrat_id, compte_id, montant_cents)
        VALUES ('CB-1', '000001', ?, ?, 100), ('CB-2', '000001', ?, ?, 100)", qr/duplicate key.*transaction_jour/s, $c, $k, $c, $k);
refuse('household reference of 5 digits', "INSERT INTO tiers (reference_client, libelle) VALUES ('12345', 'X')",
       qr/tiers_reference_client_check/);
refuse('contract number without L/', "UPDATE contrat SET numero = '2087412' WHERE id = ?", qr/contrat_numero_check/, $c);
refuse('phone not E.164', "UPDATE personne SET telephone_mobile = '06 12 34 56 78'", qr/telephone_mobile_check/);
refuse('account e-mail not lower case',
       "UPDATE compte SET email = 'Jean.Martin\@example.org'", qr/compte_email_check/);

# SEPA mandates.
my $iban = 'FR7630006000011234567890189';
$dbh->do("INSERT INTO mandat_sepa (contrat_id, compte_id, titulaire, iban, jour_prelevement) VALUES (?, ?, 'Jean MARTIN', ?, 5)",
         undef, $c, $k, $iban);
refuse('second active mandate on a contract',
       "INSERT INTO mandat_sepa (contrat_id, compte_id, titulaire, iban, jour_prelevement) VALUES (?, ?, 'Jean MARTIN', ?, 10)",
       qr/mandat_sepa_actif_idx/, $c, $k, 'FR1420041010050500013M02606');
refuse('invalid IBAN (key)',
       "INSERT INTO mandat_sepa (contrat_id, compte_id, titulaire, iban, jour_prelevement) VALUES (?, ?, 'X', 'FR7630006000011234567890188', 5)",
       qr/mandat_sepa_iban_check/, $c, $k);
refuse('RUM derived from the IBAN',
       "INSERT INTO mandat_sepa (rum, contrat_id, compte_id, titulaire, iban, jour_prelevement, statut, revoque_le)
        VALUES ('R30006000011234567890189', ?, ?, 'X', ?, 5, 'revoque', now())", qr/check/, $c, $k, $iban);
refuse('RUM longer than 35 characters',
       "INSERT INTO mandat_sepa (rum, contrat_id, compte_id, titulaire, iban, jour_prelevement, statut, revoque_le)
        VALUES (repeat('A', 36), ?, ?, 'X', 'FR1420041010050500013M02606', 5, 'revoque', now())", qr/rum_check/, $c, $k);
refuse('revoked mandate without a revocation date',
       "UPDATE mandat_sepa SET statut = 'revoque' WHERE contrat_id = ?", qr/check/, $c);
$dbh->begin_work;
$dbh->do("UPDATE mandat_sepa SET statut = 'revoque', revoque_le = now() WHERE contrat_id = ? AND statut = 'actif'", undef, $c);
$dbh->do("INSERT INTO mandat_sepa (contrat_id, compte_id, titulaire, iban, jour_prelevement) VALUES (?, ?, 'Jean MARTIN', ?, 10)",
         undef, $c, $k, 'FR1420041010050500013M02606');
$dbh->commit;
is(valeur("SELECT count(*) FROM mandat_sepa WHERE contrat_id = ? AND statut = 'actif'", $c), 1,
   'revoke + new mandate in one transaction: one active mandate');

# Files.
refuse('document that is not a PDF',
       "INSERT INTO document (reference, contrat_id, nature, periode, titre, contenu, taille, sha256)
        VALUES ('D-1', ?, 'quittance', '2025-11-01', 'x', 'hello', 5, sha256('hello'))", qr/document_check/, $c);
refuse('attachment with a lying size',
       "INSERT INTO demande_piece (demande_id, nom_origine, mime, taille, sha256, contenu, compte_id)
        SELECT id, 'a.png', 'image/png', 99, sha256('\\x89504e470d0a1a0a'::bytea), '\\x89504e470d0a1a0a'::bytea, ? FROM demande LIMIT 1",
       qr/check/, $k);

# Surveys: answers frozen once submitted.
my $e = valeur("SELECT id FROM enquete WHERE contrat_id = ?", $c);
$dbh->do("UPDATE enquete SET statut = 'envoyee', soumise_le = now(), soumise_par_compte_id = ?, reponses = '{\"a\": 1}' WHERE id = ?",
         undef, $k, $e);
refuse('changing a submitted survey', "UPDATE enquete SET reponses = '{\"a\": 2}' WHERE id = ?", qr/déjà envoyée/, $e);
refuse('adding a tax notice to a submitted survey',
       "INSERT INTO enquete_piece (enquete_id, nom_origine, mime, taille, sha256, contenu, depose_par_compte_id)
        VALUES (?, 'a.pdf', 'application/pdf', 5, sha256('%PDF-'), '%PDF-', ?)", qr/déjà envoyée/, $e, $k);
refuse('submitted survey without a date',
       "UPDATE enquete SET statut = 'envoyee' WHERE statut = 'a_completer'", qr/check/);
refuse('survey for a contract of another household',
       "INSERT INTO enquete (campagne_id, tiers_id, contrat_id)
        SELECT (SELECT id FROM enquete_campagne LIMIT 1), (SELECT id FROM tiers WHERE reference_client = '1234567'), ?", qr/foreign key/, $c);

# Misc.
refuse('news for a residence without the residence',
       "INSERT INTO actualite (reference, titre, texte, cible, publie_le) VALUES ('A-1', 'x', 'y', 'residence', now())", qr/check/);
refuse('billing address with a bad postal code',
       "INSERT INTO adresse_facturation (contrat_id, destinataire, voie, code_postal, localite, compte_id)
        VALUES (?, 'X', '1 RUE', '1700', 'LA ROCHELLE', ?)", qr/code_postal_check/, $c, $k);
refuse('billing address line longer than 38 characters',
       "INSERT INTO adresse_facturation (contrat_id, destinataire, voie, code_postal, localite, compte_id)
        VALUES (?, 'X', repeat('A', 39), '17000', 'LA ROCHELLE', ?)", qr/voie_check/, $c, $k);
refuse('a third signatory on a contract',
       "INSERT INTO contrat_signataire (contrat_id, personne_id, rang) SELECT ?, id, 2 FROM personne WHERE nom = 'DUPONT'",
       qr/contrat_signataire_rang_idx/, $c);
refuse('reset link valid more than an hour',
       "INSERT INTO jeton (compte_id, usage, jeton_hash, expire_le) VALUES (?, 'reinitialisation', sha256('x'), now() + interval '2 hours')",
       qr/check/, $k);
refuse('password hash that is not argon2id',
       "UPDATE compte SET mot_de_passe_hash = 'md5abcdef'", qr/mot_de_passe_hash_check/);

# And the portal's role cannot do what it has no business doing.
$dbh->do('SET ROLE portail_app');
refuse('portal role truncating', 'TRUNCATE journal', qr/permission denied/);
refuse('portal role changing the ledger', "UPDATE ecriture SET montant_cents = 1", qr/permission denied/);
refuse('portal role creating a table', 'CREATE TABLE portail.x (a int)', qr/permission denied/);
refuse('portal role reading the audit log', 'SELECT * FROM journal', qr/permission denied/);
$dbh->do('RESET ROLE');

done_testing();
