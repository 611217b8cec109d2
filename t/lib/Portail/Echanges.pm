package Portail::Echanges;

# The ERP exchange seen from the Test::Nginx files: run tools/export and
# tools/import on the test database (as the schema owner, like the office's
# jobs), read the CSV files they write.  Values are bytes, like the test
# files' own strings.

use strict;
use warnings;

use Exporter 'import';
use File::Temp qw(tempdir);
use Portail::Test qw(portail_root);

our @EXPORT = qw(export_portail import_lot lire_csv fichier_octets);

sub _env {
    return (PGHOST => $ENV{TEST_NGINX_POSTGRESQL_HOST},
            PGPORT => $ENV{TEST_NGINX_POSTGRESQL_PORT},
            PGDATABASE => $ENV{TEST_NGINX_POSTGRESQL_DB},
            PGUSER => $ENV{TEST_PORTAIL_PG_SUPERUSER},
            PGCLIENTENCODING => 'UTF8');
}

sub _run {
    my (@cmd) = @_;
    my %env = _env();
    local @ENV{keys %env} = values %env;
    my $cmd = join ' ', map { "'$_'" } @cmd;
    my $out = `$cmd 2>&1`;
    return ($? >> 8, $out);
}

# tools/export --since $since into a new directory: (exit code, output, dir)
sub export_portail {
    my ($since) = @_;
    my $dir = tempdir('portail-export-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my ($rc, $out) = _run(portail_root() . '/tools/export', '--since', $since, '--dir', $dir);
    return ($rc, $out, $dir);
}

# tools/import of a batch: %files maps a CSV name to its lines (header first)
sub import_lot {
    my (%files) = @_;
    my $dir = tempdir('portail-lot-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    for my $name (keys %files) {
        open my $f, '>:raw', "$dir/$name" or die "$dir/$name: $!";
        print {$f} map { "$_\n" } @{ $files{$name} };
        close $f;
    }
    return _run(portail_root() . '/tools/import', $dir);
}

sub fichier_octets {
    my ($path) = @_;
    open my $f, '<:raw', $path or return undef;
    local $/;
    my $b = <$f>;
    close $f;
    return $b;
}

# RFC 4180 (quotes, doubled quotes, line breaks inside quotes) into a list
# of hashes keyed by the header's names
sub lire_csv {
    my ($path) = @_;
    my $t = fichier_octets($path) // die "$path: $!\n";
    my (@rows, @fields);
    my ($field, $q) = ('', 0);
    for (my $i = 0; $i < length $t; $i++) {
        my $c = substr($t, $i, 1);
        if ($q) {
            if ($c eq '"' && substr($t, $i + 1, 1) eq '"') { $field .= '"'; $i++ }
            elsif ($c eq '"') { $q = 0 }
            else { $field .= $c }
        } elsif ($c eq '"') { $q = 1 }
        elsif ($c eq ',') { push @fields, $field; $field = '' }
        elsif ($c eq "\n") { push @rows, [@fields, $field]; @fields = (); $field = '' }
        elsif ($c ne "\r") { $field .= $c }
    }
    push @rows, [@fields, $field] if @fields || length $field;
    my $head = shift @rows || [];
    return [ map { my $r = $_; +{ map { $head->[$_] => $r->[$_] } 0 .. $#$head } } @rows ];
}

1;
