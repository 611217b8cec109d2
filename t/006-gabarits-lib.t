# The template parser of lib/ (ngx_http_portail_template.c), alone: built
# with t/unit/template.c, whose TAP this file passes on.  The same parser
# is fuzzed by fuzz/fuzz_template.c (make fuzz-regress).
use strict;
use warnings;
use File::Temp qw(tempdir);
use FindBin;

my $root = "$FindBin::Bin/..";
my $lib = "$root/ngx_portail_module/lib";
my $bin = tempdir(CLEANUP => 1) . '/template';

my $cc = $ENV{CC} || 'cc';
my $out = `$cc -std=c99 -Wall -Wextra -Werror -I$lib -o $bin $root/t/unit/template.c $lib/ngx_http_portail_template.c $lib/ngx_http_portail_text.c 2>&1`;
if ($?) {
    print "1..1\nnot ok 1 - the unit test builds\n";
    print "# $_\n" for split /\n/, $out;
    exit 1;
}

exec $bin or die "$bin: $!\n";
