# The module's layers, read from the objects make built (tools/check-layers):
# no section calls another, lib/ calls neither core/ nor api/, and only the
# registry of core/ names sections; the payment provider's sandbox is not in
# the module (tools/payment-sandbox is a program of its own).  Then the
# checker itself is shown to catch each kind of breach, on small objects
# compiled here.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use FindBin;

my $root = "$FindBin::Bin/..";
my $objs = "$root/build/nginx/objs/addon";
my $check = "$root/tools/check-layers";

plan skip_all => "no built module under $objs (make first)"
    unless -d "$objs/core";

my $out = `$check $objs 2>&1`;
is($?, 0, 'the built module keeps its layers') or diag $out;
like($out, qr/^layers hold: \d+ core, \d+ api, \d+ lib objects$/m,
     'every layer has objects');

# every folder's objects: the three layers and nothing else
opendir my $dh, $objs or die "$objs: $!";
my @folders = sort grep { !/^\./ && -d "$objs/$_" } readdir $dh;
is("@folders", "api core lib", "the module is built from core/, api/ and lib/");

# the production module has no sandbox code, route or string
my @sandbox = grep { /sandbox|bac.a.sable/i }
    split /\n/, `strings $root/build/ngx_http_portail_module.so`;
is($?, 0, 'strings reads the module');
is("@sandbox", '', 'no sandbox in the module');


# The checker fails on each breach: a tree of tiny objects per case.
my $cc = $ENV{CC} // 'cc';

sub tree {
    my (%files) = @_;    # "layer/name.c" => source
    my $dir = tempdir(CLEANUP => 1);
    for my $path (keys %files) {
        my ($layer, $name) = split m{/}, $path;
        mkdir "$dir/$layer";
        open my $fh, '>', "$dir/$layer/$name" or die $!;
        print $fh $files{$path};
        close $fh;
        (my $obj = $name) =~ s/\.c$/.o/;
        system($cc, '-c', '-o', "$dir/$layer/$obj", "$dir/$layer/$name") == 0
            or die "cc $path failed";
    }
    return $dir;
}

my %base = (
    'core/ngx_http_portail_request.c' => "int core_reply(void) { return 0; }\n",
    'lib/ngx_http_portail_text.c'     => "int lib_count(void) { return 1; }\n",
    'api/ngx_http_portail_a.c'        => "int core_reply(void); int lib_count(void);\n"
                                       . "int a_init(void) { return core_reply() + lib_count(); }\n",
);

my $ok = tree(%base);
$out = `$check $ok 2>&1`;
is($?, 0, 'a section calling core and lib is accepted') or diag $out;

my @breaches = (
    [ 'a section calling another section',
      'api/ngx_http_portail_b.c' => "int a_init(void); int b_init(void) { return a_init(); }\n",
      qr{api/ngx_http_portail_b\.o uses a_init of api/ngx_http_portail_a\.o: a section calls another section} ],
    [ 'lib calling core',
      'lib/ngx_http_portail_bad.c' => "int core_reply(void); int bad(void) { return core_reply(); }\n",
      qr{lib/ngx_http_portail_bad\.o uses core_reply of core/\S+: lib/ calls core/} ],
    [ 'core naming a section outside the registry',
      'core/ngx_http_portail_router.c' => "int a_init(void); int route(void) { return a_init(); }\n",
      qr{core/ngx_http_portail_router\.o uses a_init of api/\S+: core/ names a section outside the registry} ],
);

for my $b (@breaches) {
    my ($what, $path, $src, $says) = @$b;
    my $dir = tree(%base, $path => $src);
    $out = `$check $dir 2>&1`;
    isnt($?, 0, "refused: $what");
    like($out, $says, "named: $what");
}

my $reg = tree(%base, 'core/ngx_http_portail_sections.c'
                      => "int a_init(void); int all(void) { return a_init(); }\n");
$out = `$check $reg 2>&1`;
is($?, 0, 'the registry may name sections') or diag $out;

done_testing();
