# Export after tenant-side changes, made with SQL as the portal does it (as
# the portail_app role, so the grants are tested too): the export contains
# exactly those changes, with their files.
use strict;
use warnings;
use utf8;
use Test::More;
use Digest::SHA qw(sha256_hex);
use FindBin;
require "$FindBin::Bin/lib.pl";
our ($ROOT, $TMP);

my $dbh = base_prete();
my ($rc, $out, $err) = lancer("tools/import '$ROOT/docs/exchange' && psql -X -q -v ON_ERROR_STOP=1 -f tools/demo-accounts.sql");
is($rc, 0, 'example batch and demo accounts loaded') or diag $err;

my $t0 = valeur("SELECT to_char(now(), 'YYYY-MM-DD\"T\"HH24:MI:SS.USTZH:TZM')");
select(undef, undef, undef, 0.05);

my $pdf = "%PDF-1.4\n% attestation d'assurance\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
my $png = "\x89PNG\r\n\x1a\n" . ("\0" x 32);
my $hex = sub { unpack 'H*', $_[0] };

$dbh->do("SET ROLE portail_app");
my $compte = valeur("SELECT id FROM compte WHERE email = 'jean.martin\@example.org'");
my $contrat = valeur("SELECT id FROM contrat WHERE numero = 'L/2087412'");
$dbh->begin_work;
# Dossier: a new mobile number.
$dbh->do("UPDATE personne SET telephone_mobile = '+33655443322', situation_professionnelle = 'independant',
                 modifie_par_compte_le = now()
           WHERE id = (SELECT personne_id FROM compte WHERE id = ?)", undef, $compte);
# Occupants: one added, one changed, one removed (each with its log row).
my $ajout = valeur("INSERT INTO occupant (contrat_id, nom, prenom, date_naissance, lien, modifie_par_compte_le)
                    VALUES (?, 'MARTIN', 'Chloé', '2024-03-01', 'enfant', now()) RETURNING id", $contrat);
$dbh->do("INSERT INTO occupant_modification (occupant_id, contrat_id, compte_id, action, apres)
          VALUES (?, ?, ?, 'ajout', '{\"nom\": \"MARTIN\", \"prenom\": \"Chloé\", \"date_naissance\": \"2024-03-01\", \"lien\": \"enfant\"}')",
         undef, $ajout, $contrat, $compte);
my ($lucas) = valeur("SELECT id FROM occupant WHERE prenom = 'Lucas'");
$dbh->do("UPDATE occupant SET date_naissance = '2010-05-18', modifie_par_compte_le = now() WHERE id = ?", undef, $lucas);
$dbh->do("INSERT INTO occupant_modification (occupant_id, contrat_id, compte_id, action, avant, apres)
          VALUES (?, ?, ?, 'modification', '{\"nom\": \"MARTIN\", \"prenom\": \"Lucas\", \"date_naissance\": \"2010-05-17\", \"lien\": \"enfant\"}',
                  '{\"nom\": \"MARTIN\", \"prenom\": \"Lucas\", \"date_naissance\": \"2010-05-18\", \"lien\": \"enfant\"}')",
         undef, $lucas, $contrat, $compte);
my ($emma) = valeur("SELECT id FROM occupant WHERE prenom = 'Emma'");
$dbh->do("UPDATE occupant SET retire_le = now(), modifie_par_compte_le = now() WHERE id = ?", undef, $emma);
$dbh->do("INSERT INTO occupant_modification (occupant_id, contrat_id, compte_id, action, avant)
          VALUES (?, ?, ?, 'retrait', '{\"nom\": \"MARTIN\", \"prenom\": \"Emma\", \"date_naissance\": \"2014-09-08\", \"lien\": \"enfant\"}')",
         undef, $emma, $contrat, $compte);
# Billing address.
$dbh->do("INSERT INTO adresse_facturation (contrat_id, destinataire, voie, code_postal, localite, compte_id)
          VALUES (?, 'M. JEAN MARTIN', '4 RUE DES GOELANDS', '17440', 'AYTRE', ?)", undef, $contrat, $compte);
# Home insurance certificate.
$dbh->do("INSERT INTO assurance_habitation (contrat_id, assureur, numero_police, date_debut, date_fin, fichier,
                 fichier_mime, fichier_taille, fichier_sha256, fichier_nom_origine, depose_par_compte_id)
          VALUES (?, 'MAIF', 'HAB-778899', '2025-10-01', '2026-09-30', decode(?, 'hex'), 'application/pdf', ?,
                  sha256(decode(?, 'hex')), 'attestation 2025.pdf', ?)",
         undef, $contrat, $hex->($pdf), length $pdf, $hex->($pdf), $compte);
# SEPA: a mandate, then a change of bank account (revoke + new mandate).
$dbh->do("INSERT INTO mandat_sepa (contrat_id, compte_id, titulaire, iban, bic, jour_prelevement)
          VALUES (?, ?, 'Jean MARTIN', 'FR7630006000011234567890189', 'AGRIFRPP', 5)", undef, $contrat, $compte);
$dbh->do("UPDATE mandat_sepa SET statut = 'revoque', revoque_le = now(), revoque_par_compte_id = ? WHERE contrat_id = ? AND statut = 'actif'",
         undef, $compte, $contrat);
$dbh->do("INSERT INTO mandat_sepa (contrat_id, compte_id, titulaire, iban, jour_prelevement)
          VALUES (?, ?, 'Jean MARTIN', 'FR1420041010050500013M02606', 10)", undef, $contrat, $compte);
# A request with a message and a photo.
my $dem = valeur("INSERT INTO demande (contrat_id, compte_id, categorie, objet, description, creneau_contact)
                  VALUES (?, ?, 'parties_communes', 'Porte du hall qui ne ferme plus', 'La porte du hall B claque et ne se verrouille plus.', 'soir')
                  RETURNING id", $contrat, $compte);
$dbh->do("INSERT INTO demande_statut (demande_id, statut, auteur, compte_id) VALUES (?, 'nouvelle', 'locataire', ?)", undef, $dem, $compte);
my $msg = valeur("INSERT INTO demande_message (demande_id, auteur, compte_id, texte) VALUES (?, 'locataire', ?, 'Photo jointe.') RETURNING id",
                 $dem, $compte);
$dbh->do("INSERT INTO demande_piece (demande_id, message_id, nom_origine, mime, taille, sha256, contenu, compte_id)
          VALUES (?, ?, 'porte.png', 'image/png', ?, sha256(decode(?, 'hex')), decode(?, 'hex'), ?)",
         undef, $dem, $msg, length $png, $hex->($png), $hex->($png), $compte);
# The SLS survey, answered with a tax notice.
my $enq = valeur("SELECT e.id FROM enquete e WHERE e.contrat_id = ?", $contrat);
$dbh->do("INSERT INTO enquete_piece (enquete_id, nature, concerne, nom_origine, mime, taille, sha256, contenu, depose_par_compte_id)
          VALUES (?, 'avis_imposition', 'Jean MARTIN', 'avis 2024.pdf', 'application/pdf', ?, sha256(decode(?, 'hex')), decode(?, 'hex'), ?)",
         undef, $enq, length $pdf, $hex->($pdf), $hex->($pdf), $compte);
$dbh->do("UPDATE enquete SET reponses = '{\"revenus\": [{\"personne\": \"Jean MARTIN\", \"rfr\": 31250}]}', statut = 'envoyee',
                 soumise_le = now(), soumise_par_compte_id = ?, modifie_par_compte_le = now() WHERE id = ?", undef, $compte, $enq);
# A card payment, accepted by the provider's notification.
$dbh->do("INSERT INTO paiement_carte (commande, transaction_id, contrat_id, compte_id, montant_cents)
          VALUES ('CB-000001', '000123', ?, ?, 15000)", undef, $contrat, $compte);
$dbh->do("UPDATE paiement_carte SET statut = 'accepte', statut_fournisseur = 'AUTHORISED', numero_autorisation = '3fc116',
                 uuid_transaction = 'a1b2c3', notification_recue_le = now(),
                 notification = '{\"vads_trans_status\": \"AUTHORISED\", \"vads_amount\": \"15000\"}'
           WHERE commande = 'CB-000001'");
$dbh->commit;
$dbh->do("RESET ROLE");
pass('the portal role made every change (grants are enough)');

my $dir = "$TMP/export";
($rc, $out, $err) = lancer("tools/export --since '$t0' --dir '$dir'");
is($rc, 0, 'export succeeds') or diag $err;

my %n = (coordonnees => 1, occupants => 3, adresses_facturation => 1, assurances => 1, mandats => 2,
         demandes => 1, demandes_statuts => 1, demandes_messages => 1, demandes_pieces => 1, enquetes => 1,
         enquetes_pieces => 1, paiements_carte => 1);
my %f;
for my $k (sort keys %n) {
    $f{$k} = lire_csv("$dir/$k.csv");
    is(scalar @{ $f{$k} }, $n{$k}, "$k.csv: exactly $n{$k} row(s)");
}
is($f{coordonnees}[0]{telephone_mobile}, '+33655443322', 'the new phone number');
is($f{coordonnees}[0]{reference_personne}, 'P7654321-1', "the ERP's key of the person");
is(join(',', map { $_->{action} } @{ $f{occupants} }), 'ajout,modification,retrait', 'occupant changes in order');
is($f{occupants}[0]{id_portail}, $ajout, 'an added occupant carries the id the ERP sends back');
is($f{occupants}[1]{date_naissance}, '2010-05-18', 'the changed value');
is($f{occupants}[2]{reference}, 'O7654321-4', "a removed occupant carries the ERP's reference");
is($f{adresses_facturation}[0]{localite}, 'AYTRE', 'billing address');
my $a = $f{assurances}[0];
is($a->{numero_police}, 'HAB-778899', 'insurance certificate');
ok(-f "$dir/$a->{fichier}", "its file is there ($a->{fichier})");
is(sha256_hex(do { local $/; open my $h, '<:raw', "$dir/$a->{fichier}" or die; <$h> }), $a->{sha256}, 'with the announced checksum');
is($a->{sha256}, sha256_hex($pdf), 'and the bytes uploaded');
is(join(',', map { $_->{statut} } @{ $f{mandats} }), 'revoque,actif', 'mandates: the revoked one and the new one');
like($f{mandats}[1]{rum}, qr/^OPH17-\d{4}-\d{8}$/, "the portal's RUM");
is($f{demandes}[0]{objet}, 'Porte du hall qui ne ferme plus', "the new request only (not the demo's older one)");
is($f{demandes_messages}[0]{texte}, 'Photo jointe.', 'its message');
my $p = $f{demandes_pieces}[0];
is(-s "$dir/$p->{fichier}", length $png, 'the photo file');
like($f{enquetes}[0]{reponses}, qr/"rfr": 31250/, 'survey answers as JSON');
is($f{enquetes}[0]{code_campagne}, 'SLS-2025', 'survey campaign');
ok(-f "$dir/$f{enquetes_pieces}[0]{fichier}", 'tax notice file');
is($f{paiements_carte}[0]{statut}, 'accepte', 'card payment');
is($f{paiements_carte}[0]{montant_cents}, 15000, 'its amount');
my $m = lire_csv("$dir/manifeste.csv")->[0];
ok($m->{jusqu_a} ge $t0, 'manifest gives the next --since');

# Since that point: nothing.
($rc, $out, $err) = lancer("tools/export --since '$m->{jusqu_a}' --dir '$TMP/export2'");
is($rc, 0, 'second export succeeds') or diag $err;
my $total = 0;
$total += scalar @{ lire_csv("$TMP/export2/$_.csv") } for keys %n;
is($total, 0, 'nothing changed since: every file empty');

($rc, $out, $err) = lancer("tools/export --since 'hier' --dir '$TMP/export3'");
isnt($rc, 0, 'bad --since refused');
like($err, qr/--since invalide/, 'with a French message');

done_testing();
