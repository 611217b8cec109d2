# comptes.csv: the export tells the ERP which signatories use the portal.
# Accounts created, confirmed or closed since --since, one line each with
# the current values; an account unchanged since is not in it.  A closed
# account opens no session and uses none.
use strict;
use warnings;
use utf8;
use Test::More;
use Digest::SHA qw(sha256);
use FindBin;
require "$FindBin::Bin/lib.pl";
our ($ROOT, $TMP);

my $dbh = base_prete();
my ($rc, $out, $err) = lancer("tools/import '$ROOT/docs/exchange' && psql -X -q -v ON_ERROR_STOP=1 -f tools/demo-accounts.sql");
is($rc, 0, 'example batch and demo accounts loaded (Jean: confirmed 90 days ago)') or diag $err;
my $hash = valeur("SELECT mot_de_passe_hash FROM compte WHERE email = 'jean.martin\@example.org'");
my $personne = sub {
    my ($ref) = @_;
    return valeur('SELECT id FROM personne WHERE reference_externe = ?', $ref);
};

# Hélène registered and confirmed before the point in time: not exported.
$dbh->do("INSERT INTO compte (personne_id, email, mot_de_passe_hash, cree_le, confirme_le)
          VALUES (?, 'helene.lefevre\@example.net', ?, now() - interval '2 days', now() - interval '2 days')",
         undef, $personne->('P2345678-1'), $hash);
# Sophie registered before it, confirms after it.
$dbh->do("INSERT INTO compte (personne_id, email, mot_de_passe_hash, cree_le)
          VALUES (?, 'sophie.martin-leroy\@example.org', ?, now() - interval '1 hour')",
         undef, $personne->('P7654321-2'), $hash);
# Jean has a session open.
my $jeton = unpack 'H*', sha256('session de Jean');
$dbh->do("INSERT INTO session (compte_id, jeton_hash, expire_le, inactivite)
          SELECT id, decode(?, 'hex'), now() + interval '1 hour', interval '30 minutes' FROM compte WHERE email = 'jean.martin\@example.org'",
         undef, $jeton);
is(valeur("SELECT count(*) FROM session_valide(decode(?, 'hex'))", $jeton), 1,
   "Jean's session is valid");

my $t0 = valeur("SELECT to_char(now(), 'YYYY-MM-DD\"T\"HH24:MI:SS.USTZH:TZM')");
select(undef, undef, undef, 0.05);

# Marie registers (not confirmed yet), as the portal does it.
$dbh->do("SET ROLE portail_app");
$dbh->do("INSERT INTO compte (personne_id, email, mot_de_passe_hash) VALUES (?, 'marie.dupont\@example.net', ?)",
         undef, $personne->('P1234567-1'), $hash);
$dbh->do("UPDATE compte SET confirme_le = now() WHERE email = 'sophie.martin-leroy\@example.org'");
$dbh->do("RESET ROLE");
# Jean's account is closed.
$dbh->do("UPDATE compte SET ferme_le = now() WHERE email = 'jean.martin\@example.org'");

is(valeur("SELECT count(*) FROM session_valide(decode(?, 'hex'))", $jeton), 0,
   'a closed account uses no session it had');
is(valeur("SELECT compte_id FROM connexion_preparer('jean.martin\@example.org', '192.0.2.1', 5, 20, interval '15 minutes')"),
   undef, 'and a sign-in does not find it (it fails as for an unknown identifier)');
ok(valeur("SELECT compte_id FROM connexion_preparer('sophie.martin-leroy\@example.org', '192.0.2.1', 5, 20, interval '15 minutes')"),
   'an open account is found');

my $dir = "$TMP/export";
($rc, $out, $err) = lancer("tools/export --since '$t0' --dir '$dir'");
is($rc, 0, 'export succeeds') or diag $err;
like($out, qr/^comptes\.csv : 3 ligne\(s\)$/m, 'comptes.csv counted in the summary');
open my $f, '<:encoding(UTF-8)', "$dir/comptes.csv" or die $!;
my $entete = <$f>;
close $f;
is($entete, "reference_personne,reference_client,email,cree_le,confirme_le,ferme_le\n", 'the header of comptes.csv');

my $c = lire_csv("$dir/comptes.csv");
is_deeply([ map { $_->{email} } @$c ],
          ['marie.dupont@example.net', 'sophie.martin-leroy@example.org', 'jean.martin@example.org'],
          'the accounts created, confirmed or closed since, in the order of their latest event; not Hélène\'s');
my %par = map { $_->{email} => $_ } @$c;
my $iso = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d$/;
is($par{'marie.dupont@example.net'}{reference_personne}, 'P1234567-1', "the ERP's key of the person");
is($par{'marie.dupont@example.net'}{reference_client}, '1234567', 'and of the household');
like($par{'marie.dupont@example.net'}{cree_le}, $iso, 'created: when');
is($par{'marie.dupont@example.net'}{confirme_le}, '', 'not confirmed yet: empty');
is($par{'marie.dupont@example.net'}{ferme_le}, '', 'not closed: empty');
like($par{'sophie.martin-leroy@example.org'}{confirme_le}, $iso, 'confirmed: when');
ok($par{'sophie.martin-leroy@example.org'}{cree_le} lt $t0, 'with its creation before the point in time');
like($par{'jean.martin@example.org'}{ferme_le}, $iso, 'closed: when');
is($par{'jean.martin@example.org'}{reference_personne}, 'P7654321-1', 'the closed account\'s person');
like($par{'jean.martin@example.org'}{confirme_le}, $iso, 'with its old confirmation');

my $m = lire_csv("$dir/manifeste.csv")->[0];
($rc, $out, $err) = lancer("tools/export --since '$m->{jusqu_a}' --dir '$TMP/export2'");
is($rc, 0, 'the next export succeeds') or diag $err;
is(scalar @{ lire_csv("$TMP/export2/comptes.csv") }, 0, 'nothing changed since: comptes.csv has only its header');

done_testing();
