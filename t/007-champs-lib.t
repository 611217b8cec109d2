# The field checks and parsers of lib/ (text, account, ids, contact,
# payment, forms, files; the password judge they link), alone: built with t/unit/champs.c, whose TAP this
# file passes on.  The same code is fuzzed by fuzz/ (make fuzz-regress).
use strict;
use warnings;
use File::Temp qw(tempdir);
use FindBin;

my $root = "$FindBin::Bin/..";
my $lib = "$root/ngx_portail_module/lib";
my $bin = tempdir(CLEANUP => 1) . '/champs';
my @src = map { "$lib/ngx_http_portail_$_.c" } qw(text account strength words ids contact payment forms files);

my $cc = $ENV{CC} || 'cc';
my $out = `$cc -std=c99 -Wall -Wextra -Werror -I$lib -o $bin $root/t/unit/champs.c @src -lpcre2-8 -lsodium -lz -lzxcvbn -lm 2>&1`;
if ($?) {
    print "1..1\nnot ok 1 - the unit test builds\n";
    print "# $_\n" for split /\n/, $out;
    exit 1;
}

exec $bin or die "$bin: $!\n";
