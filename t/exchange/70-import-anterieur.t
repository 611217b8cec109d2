# Batches never go back in time: a batch the ERP extracted before the last
# one imported is refused (its snapshots would close what the ERP added
# since), with both dates named and nothing written; --force-older replays
# it deliberately, said on stderr and recorded in the journal of batches.
use strict;
use warnings;
use utf8;
use Test::More;
use FindBin;
require "$FindBin::Bin/lib.pl";
our ($ROOT);

base_prete();
my ($rc, $out, $err) = lancer("tools/import '$ROOT/docs/exchange'");
is($rc, 0, 'example batch imported (extracted 2025-11-20T05:00)') or diag $err;
my $dernier = valeur('SELECT max(id) FROM import_lot');

# The same office a year earlier: Marie's mobile was another one.
my $ancien = copie_exemple('ancien');
modifier_csv("$ancien/lot.csv", sub { $_[0] =~ s/^2025-11-20T05:00:00/2024-11-20T05:00:00/r });
modifier_csv("$ancien/personnes.csv", sub { $_[0] =~ s/\+33612345678/+33699999999/r });
my $avant = empreinte_tables();

for my $opt ('', '--force') {
    ($rc, $out, $err) = lancer("tools/import $opt '$ancien'");
    isnt($rc, 0, "an older batch is refused (tools/import $opt)");
    like($err, qr/^import : lot rejeté, rien n'a été importé \(1 erreur\(s\)\) :$/m, '... as a rejected batch');
    like($err, qr/^lot\.csv ligne 2, champ extrait_le : lot extrait le 2024-11-20T05:00:00\+01:00, avant le dernier lot importé \(n° $dernier, extrait le 2025-11-20T05:00:00\+01:00\)/m,
         '... naming its extraction and the last batch\'s') or diag $err;
    like($err, qr/--force-older/, '... and how to replay it deliberately');
    is_deeply(empreinte_tables(), $avant, '... and nothing is written, not even the bookkeeping row');
}

# Extracted at the same instant as the last batch: not older, imported.
my $meme = copie_exemple('meme');
modifier_csv("$meme/personnes.csv", sub { $_[0] =~ s/\+33612345678/+33611111111/r });
($rc, $out, $err) = lancer("tools/import '$meme'");
is($rc, 0, 'a batch extracted at the same instant as the last one is imported') or diag $err;
is($err, '', '... without a warning');
is(valeur('SELECT anterieur_au_lot_id FROM import_lot ORDER BY id DESC LIMIT 1'), undef,
   '... and is not marked as a replay');
$dernier = valeur('SELECT max(id) FROM import_lot');

# The deliberate replay.
($rc, $out, $err) = lancer("tools/import --force-older '$ancien'");
is($rc, 0, '--force-older imports the older batch') or diag $err;
my $lot = valeur('SELECT max(id) FROM import_lot');
like($out, qr/lot n° $lot importé/, '... as a new batch');
like($err, qr/^import : attention, lot n° $lot extrait le 2024-11-20T05:00:00\+01:00, avant le lot n° $dernier \(extrait le 2025-11-20T05:00:00\+01:00\) : importé quand même \(--force-older\)$/m,
     '... said on stderr with both batches and dates') or diag $err;
is(valeur('SELECT anterieur_au_lot_id FROM import_lot WHERE id = ?', $lot), $dernier,
   '... recorded in the journal of batches: which batch it went back behind');
is(valeur("SELECT extrait_le = '2024-11-20T05:00:00+01:00' FROM import_lot WHERE id = ?", $lot), 1,
   '... with its own extraction time');
is(valeur("SELECT telephone_mobile FROM personne WHERE reference_externe = 'P1234567-1'"), '+33699999999',
   '... and its data applied');

# The next nightly batch, newer than both, imports as usual.
my $suivant = copie_exemple('suivant');
modifier_csv("$suivant/lot.csv", sub { $_[0] =~ s/^2025-11-20T05:00:00/2025-11-21T05:00:00/r });
($rc, $out, $err) = lancer("tools/import '$suivant'");
is($rc, 0, 'the next batch imports') or diag $err;
is(valeur('SELECT anterieur_au_lot_id FROM import_lot ORDER BY id DESC LIMIT 1'), undef, '... not a replay');

# --force-older with a batch that is not older changes nothing of the rule.
modifier_csv("$suivant/lot.csv", sub { $_[0] =~ s/^2025-11-21T05:00:00/2025-11-22T05:00:00/r });
($rc, $out, $err) = lancer("tools/import --force-older '$suivant'");
is($rc, 0, '--force-older on a newer batch imports it') or diag $err;
unlike($err, qr/attention/, '... without a warning');
is(valeur('SELECT anterieur_au_lot_id FROM import_lot ORDER BY id DESC LIMIT 1'), undef, '... not marked as a replay');

($rc, $out, $err) = lancer("tools/import --force-olde '$suivant'");
is($rc, 2, 'an unknown option is a usage error');
like($err, qr/usage: tools\/import \[--force\] \[--force-older\] DIR/, '... with the usage');

done_testing();
