# sql/migrate run several times at once on a fresh database (web nodes
# upgraded together): every run succeeds, each migration is applied once,
# by one of them, and the schema is the one a single run makes.
use strict;
use warnings;
use utf8;
use Test::More;
use FindBin;
require "$FindBin::Bin/lib.pl";
our ($ROOT, $TMP, $HOST, $PORT, $SU, $DB);

my @fichiers = map { s{.*/}{}r =~ s/\.sql$//r } sort glob "$ROOT/sql/migrations/[0-9][0-9][0-9]_*.sql";
ok(scalar @fichiers, scalar(@fichiers) . ' migrations to apply');

my $n = 3;
my $conninfo = "host=$HOST port=$PORT user=$SU dbname=$DB";
my $cmd = join ' & ', map { "(sql/migrate '$conninfo' >'$TMP/run$_.out' 2>'$TMP/run$_.err'; echo \$? >'$TMP/run$_.rc')" } 1 .. $n;
lancer("$cmd; wait");

my %par;    # migration => the runs that say they applied it
for my $i (1 .. $n) {
    my ($rc, $out, $err) = map { local $/; open my $f, '<:encoding(UTF-8)', "$TMP/run$i.$_" or die "$TMP/run$i.$_: $!"; scalar <$f> }
                           qw(rc out err);
    chomp $rc;
    is($rc, 0, "run $i of $n at once succeeds") or diag $err;
    is($err, '', "run $i reports no error");
    push @{ $par{$_} }, $i for $out =~ /^migrate: applied (\S+)$/mg;
}
is_deeply([ sort keys %par ], \@fichiers, 'every migration was applied by one of the runs');
is_deeply([ grep { @{ $par{$_} } > 1 } sort keys %par ], [], 'none by two');

connecter();
is(valeur('SELECT count(*) FROM portail.schema_migrations'), scalar @fichiers, 'one record per migration');
is(valeur("SELECT string_agg(name, ',' ORDER BY version) FROM portail.schema_migrations"), join(',', @fichiers),
   'all of them, in order');
is(valeur('SELECT count(*) FROM portail.schema_migrations WHERE applied_at IS NULL OR checksum !~ ?', '^[0-9a-f]{64}$'), 0,
   'each with its checksum');

my ($rc, $out) = migrer();
is($rc, 0, 'a run after them succeeds');
like($out, qr/schema up to date/, '... and has nothing to do');

done_testing();
