# The committed example batch (docs/exchange) imports; importing it again
# changes nothing: no row, no timestamp.
use strict;
use warnings;
use utf8;
use Test::More;
use FindBin;
require "$FindBin::Bin/lib.pl";

base_prete();
our $ROOT;
my $ex = "$ROOT/docs/exchange";

my ($rc, $out, $err) = lancer("tools/import '$ex'");
is($rc, 0, 'the example batch imports') or diag $err;
like($out, qr/lot n° 1 importé/, 'batch number reported');

my %attendu = (tiers => 3, personne => 4, contrat => 4, contrat_signataire => 5, occupant => 7,
               residence => 10, actualite => 7, demande => 2, enquete_campagne => 2, enquete => 3);
for my $t (sort keys %attendu) {
    is(valeur("SELECT count(*) FROM portail.$t"), $attendu{$t}, "$t: $attendu{$t} rows");
}
my $n_ecr = `tail -n +2 '$ex/ecritures.csv' | wc -l` + 0;
is(valeur('SELECT count(*) FROM portail.ecriture'), $n_ecr, 'every ledger line is in');
my $n_doc = `tail -n +2 '$ex/documents.csv' | wc -l` + 0;
is(valeur('SELECT count(*) FROM portail.document'), $n_doc, 'every document is in');
is(valeur('SELECT count(*) FROM portail.contrat_solde_controle WHERE ecart_cents <> 0'), 0,
   'every balance equals the sum of its ledger');
is(valeur("SELECT count(*) FROM portail.document WHERE sha256 <> sha256(contenu) OR taille <> octet_length(contenu)"), 0,
   'documents stored with their size and checksum');
is(valeur("SELECT convert_from(substring(contenu FROM 1 FOR 5), 'UTF8') FROM portail.document LIMIT 1"), '%PDF-',
   'document bytes are PDFs');
is(valeur("SELECT count(*) FROM portail.demande_statut"), 5, 'request history: creation + status updates');
is(valeur("SELECT statut FROM portail.demande WHERE numero = 'E2025-00001'"), 'en_attente_locataire',
   'current status of a request is its latest');
is(valeur("SELECT count(*) FROM portail.courriel"), 0, 'no e-mail: no account yet');
ok(valeur("SELECT (definition -> 'frais' ->> 'frais_dossier_eur')::numeric = 25 FROM portail.enquete_campagne WHERE type = 'SLS'"),
   'survey campaign definition (fees, ceilings) is data');
is(valeur("SELECT telephone_fixe FROM portail.personne WHERE nom = 'LEFÈVRE'"), '+33546998877', 'phones in E.164');
is(valeur("SELECT nom_normalise FROM portail.personne WHERE nom = 'MARTIN-LEROY'"), 'MARTIN LEROY', 'normalised name generated');

# Same files again: skipped as identical.
my $avant = empreinte_tables();
($rc, $out, $err) = lancer("tools/import '$ex'");
is($rc, 0, 'second import succeeds');
like($out, qr/identique au dernier lot/, 'identical batch detected');
is_deeply(empreinte_tables(), $avant, 'nothing changed, not even the bookkeeping');

# And forced through the whole pipeline: still nothing changes in the data.
($rc, $out, $err) = lancer("tools/import --force '$ex'");
is($rc, 0, 'forced re-import succeeds') or diag $err;
like($out, qr/aucun changement/, 'forced re-import reports no change');
my $apres = empreinte_tables();
is(valeur('SELECT count(*) FROM portail.import_lot'), 2, 'the forced batch is recorded');
delete $avant->{import_lot};
delete $apres->{import_lot};
is_deeply($apres, $avant, 'every table identical after the forced re-import (rows, maj_le, archive_le...)');

done_testing();
