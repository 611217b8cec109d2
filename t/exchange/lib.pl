# Shared helpers of the t/exchange tests (plain Perl TAP, Test::More + DBD::Pg).
#
# Each test file gets its own scratch database: created on the cluster named
# by TEST_NGINX_POSTGRESQL_HOST / _PORT as TEST_PORTAIL_PG_SUPERUSER, migrated
# with sql/migrate, dropped at the end.  The tools under test (tools/import,
# tools/export, tools/demo-data...) reach it through the PG* variables set
# here.
use strict;
use warnings;
use utf8;
use DBI;
use File::Temp qw(tempdir);
use File::Basename qw(dirname);
use Cwd qw(abs_path);
use Test::More;

our $ROOT = abs_path(dirname(__FILE__) . '/../..');
our $HOST = $ENV{TEST_NGINX_POSTGRESQL_HOST} || '127.0.0.1';
our $PORT = $ENV{TEST_NGINX_POSTGRESQL_PORT} || 5432;
our $SU   = $ENV{TEST_PORTAIL_PG_SUPERUSER} || 'postgres';
our $DB   = sprintf 'portail_tx_%d_%d', $$, int(rand(1_000_000));
our $TMP  = tempdir('portail-tx-XXXXXX', TMPDIR => 1, CLEANUP => 1);
# The example batch's day: dates in the example set are relative to it.
our $DATE_EXEMPLE = '2025-11-20';

binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

my $admin = DBI->connect("dbi:Pg:dbname=postgres;host=$HOST;port=$PORT", $SU, '',
                         { RaiseError => 1, PrintError => 0, AutoCommit => 1 })
    or BAIL_OUT("cannot connect to PostgreSQL at $HOST:$PORT as $SU");
$admin->do("CREATE DATABASE $DB");

delete $ENV{$_} for qw(PGSERVICE PGOPTIONS PGPASSFILE);
@ENV{qw(PGHOST PGPORT PGUSER PGDATABASE)} = ($HOST, $PORT, $SU, $DB);
$ENV{PGCLIENTENCODING} = 'UTF8';

our $dbh;

sub migrer {
    my $out = `cd '$ROOT' && sql/migrate 'host=$HOST port=$PORT user=$SU dbname=$DB' 2>&1`;
    return ($? >> 8, $out);
}

sub connecter {
    $dbh = DBI->connect("dbi:Pg:dbname=$DB;host=$HOST;port=$PORT", $SU, '',
                        { RaiseError => 1, PrintError => 0, AutoCommit => 1, pg_enable_utf8 => 1 });
    $dbh->do("SET search_path = portail, public");
    return $dbh;
}

# Migrated database and connection, for the tests that need just that.
sub base_prete {
    my ($rc, $out) = migrer();
    BAIL_OUT("sql/migrate failed: $out") if $rc;
    return connecter();
}

# Runs a command from the repository root; returns (exit status, stdout, stderr).
sub lancer {
    my ($cmd) = @_;
    my $n = int(rand(1e9));
    system("cd '$ROOT' && ( $cmd ) >'$TMP/out.$n' 2>'$TMP/err.$n'");
    my $rc = $? >> 8;
    my ($out, $err) = map { local $/; open my $f, '<:encoding(UTF-8)', $_ or die; my $s = <$f>; $s // '' }
                      ("$TMP/out.$n", "$TMP/err.$n");
    return ($rc, $out, $err);
}

sub valeur { my ($sql, @b) = @_; return ($dbh->selectrow_array($sql, undef, @b))[0]; }
sub lignes { my ($sql, @b) = @_; return $dbh->selectall_arrayref($sql, { Slice => {} }, @b); }

# Fingerprint of every table of the schema (all rows, all columns), so that
# "nothing changed" means nothing at all, timestamps included.
sub empreinte_tables {
    my (%sauf) = map { $_ => 1 } @_;
    my %h;
    for my $t (@{ $dbh->selectcol_arrayref(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'portail' ORDER BY 1") }) {
        next if $sauf{$t};
        $h{$t} = valeur("SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '')
                           FROM portail.$t x");
    }
    return \%h;
}

# Rows of data, not of the schema's own settings (the migrations applied,
# the retention periods).
sub nombre_lignes_metier {
    my $n = 0;
    for my $t (@{ $dbh->selectcol_arrayref(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'portail'
                AND tablename NOT IN ('schema_migrations', 'conservation')") }) {
        $n += valeur("SELECT count(*) FROM portail.$t");
    }
    return $n;
}

# A private copy of the committed example batch, to alter.
sub copie_exemple {
    my ($nom) = @_;
    my $d = "$TMP/$nom";
    system('cp', '-r', "$ROOT/docs/exchange", $d) == 0 or die "cp: $?";
    return $d;
}

# Rewrites a CSV file of a batch: $f receives each line (without its end) and
# its number (the header is 1) and returns the new line, or undef to drop it.
sub modifier_csv {
    my ($fichier, $f) = @_;
    open my $in, '<:encoding(UTF-8)', $fichier or die "$fichier: $!";
    my @l = <$in>;
    close $in;
    chomp @l;
    my @out;
    for my $i (0 .. $#l) {
        my $r = $f->($l[$i], $i + 1);
        push @out, $r if defined $r;
    }
    open my $o, '>:encoding(UTF-8)', $fichier or die "$fichier: $!";
    print $o "$_\n" for @out;
    close $o;
}

sub ajouter_ligne {
    my ($fichier, $ligne) = @_;
    open my $o, '>>:encoding(UTF-8)', $fichier or die "$fichier: $!";
    print $o "$ligne\n";
    close $o;
}

# Reads a CSV file (RFC 4180: quotes, doubled quotes, line breaks inside
# quotes) into a list of hashes keyed by the header's names.
sub lire_csv {
    my ($fichier) = @_;
    open my $f, '<:encoding(UTF-8)', $fichier or die "$fichier: $!";
    local $/;
    my $t = <$f>;
    close $f;
    my (@rangees, @champs, $champ);
    $champ = '';
    my $q = 0;
    for (my $i = 0; $i < length $t; $i++) {
        my $c = substr($t, $i, 1);
        if ($q) {
            if ($c eq '"') {
                if (substr($t, $i + 1, 1) eq '"') { $champ .= '"'; $i++ } else { $q = 0 }
            } else { $champ .= $c }
        } elsif ($c eq '"') { $q = 1 }
        elsif ($c eq ',') { push @champs, $champ; $champ = '' }
        elsif ($c eq "\n") { push @champs, $champ; push @rangees, [@champs]; @champs = (); $champ = '' }
        elsif ($c ne "\r") { $champ .= $c }
    }
    push @rangees, [@champs, $champ] if @champs || length $champ;
    my $entete = shift @rangees;
    return [ map { my $r = $_; +{ map { $entete->[$_] => $r->[$_] } 0 .. $#$entete } } @rangees ];
}

# Text of a PDF as poppler's pdftotext extracts it (decoded).
sub pdftexte {
    my ($f) = @_;
    my $t = `pdftotext -enc UTF-8 '$f' - 2>/dev/null`;
    utf8::decode($t);
    return $t;
}

# libsodium's own verification of an argon2id string (python3 + ctypes: the
# library the nginx module links with).
sub argon2_verifie {
    my ($hash, $mot) = @_;
    my $py = 'import ctypes, ctypes.util, sys
l = ctypes.CDLL(ctypes.util.find_library("sodium"))
assert l.sodium_init() >= 0
h, p = sys.argv[1].encode(), sys.argv[2].encode()
sys.exit(0 if l.crypto_pwhash_str_verify(h, p, ctypes.c_ulonglong(len(p))) == 0 else 1)';
    system('python3', '-c', $py, $hash, $mot);
    return $? == 0;
}

END {
    undef $dbh;
    if ($admin) {
        eval {
            $admin->do("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ?", undef, $DB);
            $admin->do("DROP DATABASE IF EXISTS $DB");
        };
        $admin->disconnect;
    }
}

1;
