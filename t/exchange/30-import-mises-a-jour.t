# A later batch: changes apply, rows no longer sent are closed (never
# deleted), a tenant's newer change is kept, a request's new status puts a
# French e-mail in the outbox in the same transaction.
use strict;
use warnings;
use utf8;
use Test::More;
use FindBin;
require "$FindBin::Bin/lib.pl";
our ($ROOT, $TMP);

base_prete();
my ($rc, $out, $err) = lancer("tools/import '$ROOT/docs/exchange'");
is($rc, 0, 'example batch imported') or diag $err;
($rc, $out, $err) = lancer("psql -X -q -v ON_ERROR_STOP=1 -f tools/demo-accounts.sql");
is($rc, 0, 'demo accounts added') or diag $err;

# Portal-side changes made before the next batch.
# Jean changed his mobile after the ERP extracted its next file: kept.
$main::dbh->do("UPDATE personne SET telephone_mobile = '+33600000001', modifie_par_compte_le = now() WHERE nom = 'MARTIN' AND prenom = 'Jean'");
# Sophie changed hers before: the ERP has seen it, its value wins.
$main::dbh->do("UPDATE personne SET telephone_mobile = '+33600000002', modifie_par_compte_le = '2025-11-01' WHERE nom = 'MARTIN-LEROY'");
# Jean declared an occupant on the portal (not known to the ERP yet).
my $jean = valeur("SELECT id FROM compte WHERE email = 'jean.martin\@example.org'");
my $occ = valeur("INSERT INTO occupant (contrat_id, nom, prenom, date_naissance, lien, modifie_par_compte_le)
                  SELECT id, 'MARTIN', 'Chloé', '2024-03-01', 'enfant', now() FROM contrat WHERE numero = 'L/2087412' RETURNING id");
my $avant_occupant_jean = valeur("SELECT maj_le FROM occupant WHERE reference_externe = 'O7654321-1'");

my $d = copie_exemple('lot2');
modifier_csv("$d/lot.csv", sub { $_[0] =~ s/^2025-11-20T05:00:00/2025-11-21T05:00:00/r });
modifier_csv("$d/personnes.csv", sub {
    $_[0] =~ s/\+33612345678/+33611111111/r =~ s/\+33698765432/+33622222222/r =~ s/\+33687654321/+33633333333/r });
modifier_csv("$d/contrats.csv", sub { $_[0] =~ s/,41250,9984,/,42000,9984,/r });
modifier_csv("$d/occupants.csv", sub { $_[0] =~ /^O1234567-2,/ ? undef : $_[0] });           # Léa DUPONT left
modifier_csv("$d/actualites.csv", sub { $_[0] =~ /^ACT-003,/ ? undef : $_[0] });
modifier_csv("$d/residences.csv", sub { $_[0] =~ /^R010,/ ? undef : $_[0] });
modifier_csv("$d/contrats_signataires.csv", sub { $_[0] =~ /^L\/2087412,P7654321-2,/ ? undef : $_[0] }); # Sophie left
modifier_csv("$d/enquetes.csv", sub { $_[0] =~ /,L\/2013936$/ ? undef : $_[0] });
# The parking's oldest notice and its payment are withdrawn by the ERP
# (balance unchanged).
my ($ech) = grep { /^ECH-2013937-/ } `cat '$d/ecritures.csv'`;
my ($mois) = $ech =~ /^ECH-2013937-(\d{6}),/;
modifier_csv("$d/ecritures.csv", sub { $_[0] =~ /^(ECH|PAI)-2013937-$mois,/ ? undef : $_[0] });
# Hélène pays one month: the balance drops by as much.
my ($solde) = `grep '^L/2045678,' '$d/contrats.csv'` =~ /,(-?\d+),2025-11-20T05:00:00\+01:00,/;
my ($du) = `grep '^ECH-2045678-202511,' '$d/ecritures.csv'` =~ /,echeance,debit,(\d+),/;
ajouter_ligne("$d/ecritures.csv", "PAI-2045678-20251118,L/2045678,2025-11-18,2025-11,paiement,credit,$du,,,Paiement reçu,cheque");
modifier_csv("$d/contrats.csv", sub { $_[0] =~ /^L\/2045678,/ ? $_[0] =~ s/,$solde,2025-11-20T05:00:00/,${\($solde - $du)},2025-11-20T05:00:00/r : $_[0] });
# The office answers the Martins' request.
ajouter_ligne("$d/demandes_statuts.csv", 'ST-E2025-00001-3,E2025-00001,en_cours,2025-11-20T09:15:00+01:00,"Le technicien passera jeudi 27 novembre au matin."');
ajouter_ligne("$d/demandes_messages.csv", 'MSG-E2025-00001-4,E2025-00001,2025-11-20T09:20:00+01:00,Merci de laisser l\'accès au compteur d\'eau.');

my $nb_avant = valeur('SELECT count(*) FROM courriel');
($rc, $out, $err) = lancer("tools/import '$d'");
is($rc, 0, 'second batch imported') or diag $err;

is(valeur("SELECT telephone_mobile FROM personne WHERE nom = 'DUPONT'"), '+33611111111', 'phone change applied');
is(valeur("SELECT telephone_mobile FROM personne WHERE prenom = 'Jean'"), '+33600000001',
   "tenant's change made after the ERP's extraction is kept");
is(valeur("SELECT telephone_mobile FROM personne WHERE nom = 'MARTIN-LEROY'"), '+33633333333',
   "ERP's value wins over a tenant's change it has seen");
is(valeur("SELECT loyer_cents FROM contrat WHERE numero = 'L/2013936'"), 42000, 'rent change applied');
ok(valeur("SELECT maj_le > cree_le FROM contrat WHERE numero = 'L/2013936'"), 'changed contract has maj_le bumped');
ok(valeur("SELECT maj_le = cree_le FROM contrat WHERE numero = 'L/2087412'"), 'unchanged contract keeps its maj_le');

ok(valeur("SELECT retire_le IS NOT NULL FROM occupant WHERE reference_externe = 'O1234567-2'"),
   'occupant no longer sent: closed (retire_le), row kept');
ok(valeur("SELECT retire_le IS NULL FROM occupant WHERE id = ?", $occ),
   'occupant declared on the portal and not yet known to the ERP: kept');
is(valeur("SELECT maj_le FROM occupant WHERE reference_externe = 'O7654321-1'"), $avant_occupant_jean,
   'unchanged occupant untouched');
ok(valeur("SELECT archive_le IS NOT NULL FROM actualite WHERE reference = 'ACT-003'"), 'news no longer sent: archived');
ok(valeur("SELECT archive_le IS NOT NULL FROM residence WHERE code = 'R010'"), 'residence no longer sent: archived');
ok(valeur("SELECT cs.retire_le IS NOT NULL FROM contrat_signataire cs JOIN personne p ON p.id = cs.personne_id
            WHERE p.reference_externe = 'P7654321-2'"), 'co-tenant no longer signatory: closed');
ok(valeur("SELECT e.archive_le IS NOT NULL FROM enquete e JOIN contrat c ON c.id = e.contrat_id WHERE c.numero = 'L/2013936'"),
   'unanswered survey no longer addressed: archived');
is(valeur("SELECT count(*) FROM ecriture WHERE archive_le IS NOT NULL"), 2, 'withdrawn ledger entries archived, not deleted');
is(valeur("SELECT count(*) FROM contrat_solde_controle WHERE ecart_cents <> 0"), 0, 'balances still match the ledger');
is(valeur("SELECT solde_cents FROM contrat WHERE numero = 'L/2045678'"), $solde - $du, "Hélène's payment lowers her balance");

is(valeur("SELECT statut FROM demande WHERE numero = 'E2025-00001'"), 'en_cours', 'request status updated');
is(valeur("SELECT count(*) FROM demande_statut h JOIN demande d ON d.id = h.demande_id WHERE d.numero = 'E2025-00001'"), 4,
   'status history grows');
is(valeur("SELECT count(*) FROM demande_message WHERE reference_externe = 'MSG-E2025-00001-4' AND auteur = 'office'"), 1,
   "office's message recorded");
my $mails = lignes("SELECT destinataire, sujet, texte, html FROM courriel WHERE id > (SELECT coalesce(max(id), 0) FROM courriel) - 10 ORDER BY id");
is(valeur('SELECT count(*) FROM courriel') - $nb_avant, 2, 'two e-mails queued: the status change and the message');
is($mails->[0]{destinataire}, 'jean.martin@example.org', "sent to the signatory's confirmed account");
is($mails->[0]{sujet}, 'Votre demande n° E2025-00001 : En cours de traitement', 'French subject with the status label');
like($mails->[0]{texte}, qr/Le technicien passera jeudi 27 novembre au matin\./, "the office's comment is in the text");
like($mails->[0]{html}, qr/<strong>En cours de traitement<\/strong>/, 'an HTML part too');
like($mails->[1]{sujet}, qr/nouveau message/, 'message e-mail');
like($mails->[1]{html}, qr/l&#39;accès au compteur/, 'HTML escaped');

# Same batch forced again: nothing changes, no second e-mail.
my $avant = empreinte_tables('import_lot');
($rc, $out, $err) = lancer("tools/import --force '$d'");
is($rc, 0, 'second batch forced again') or diag $err;
is_deeply(empreinte_tables('import_lot'), $avant, 'no change, no new e-mail, no timestamp bumped');

# The ERP takes in the occupant Jean declared and sends it back with our id.
my $d3 = "$TMP/lot3";
system('cp', '-r', $d, $d3) == 0 or die;
modifier_csv("$d3/lot.csv", sub { $_[0] =~ s/^2025-11-21T05:00:00/2025-11-22T05:00:00/r });
ajouter_ligne("$d3/occupants.csv", "O7654321-9,$occ,L/2087412,MARTIN,Chloé,2024-03-01,enfant");
($rc, $out, $err) = lancer("tools/import '$d3'");
is($rc, 0, 'third batch imported') or diag $err;
is(valeur("SELECT reference_externe FROM occupant WHERE id = ?", $occ), 'O7654321-9', "portal occupant now carries the ERP's reference");
is(valeur("SELECT count(*) FROM occupant WHERE nom = 'MARTIN' AND prenom = 'Chloé'"), 1, 'no duplicate occupant');

done_testing();
