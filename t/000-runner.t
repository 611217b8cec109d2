# Self-test of the local Test::Nginx::Socket runner (t/lib/Test/Nginx).
#
# The data blocks below exercise the supported sections against a stock
# nginx (return/add_header/proxy_pass/gzip/... only).  The plan is computed
# with the real Test::Nginx counting rules, so a counting bug fails the plan.
# After the blocks, t/fixtures/*.pl are run in nested perl processes (own
# port and server root) to prove that wrong expectations really fail, that
# unsupported/unknown sections abort the file, and to check ONLY/SKIP/LAST,
# reuse of the server, NO_CLEAN, load_module, env_to_nginx, master_on...
#
#   prove -I t/lib t/000-runner.t
#   TEST_NGINX_USE_VALGRIND=1 prove -I t/lib t/000-runner.t   (also checks
#       that a leak injected with LD_PRELOAD is reported, needs cc)

use Test::Nginx::Socket;
use IO::Socket::INET ();
use Digest::SHA ();
use File::Temp qw( tempdir );
use File::Spec ();
use IPC::Run ();
use TAP::Parser ();
use Time::HiRes qw( time );
use Test::More import => [qw( subtest )];

repeat_each(2);

# per block: tests per repetition (see the comment on each block)
my $per_repeat = 3 + 6 + 6 + 2 + 2 + 8 + 4 + 4 + 2 + 2 + 2 + 4 + 2 + 6 + 4 + 2 + 4
               + 2 + 1 + 3 + 2 + 2 + 1 + 2 + 1 + 2 + 2 + 3 + 2 + 2 + 2 + 2 + 3
               + 2;
my $fixture_tests = 9 + ($ENV{TEST_NGINX_USE_VALGRIND} ? 1 : 0);

plan tests => repeat_each() * $per_repeat + $fixture_tests;

$ENV{TEST_NGINX_FOO} = 'foo-value';

# a TCP port that accepts connections but never answers
our $Blackhole = IO::Socket::INET->new(
    Listen    => 5,
    LocalAddr => '127.0.0.1',
    LocalPort => 0,
    Proto     => 'tcp',
) or die "cannot create the blackhole listener: $!";
$ENV{TEST_NGINX_BLACKHOLE_PORT} = $Blackhole->sockport;

# custom sections, consumed by the callbacks below
push @Test::Nginx::Socket::ExtraSections, qw( req_path body_sha1 );

add_block_preprocessor(sub {
    my $block = shift;
    if (defined $block->req_path) {
        $block->set_value("request", "GET " . $block->req_path);
    }
});

add_response_body_check(sub {
    my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
    my $expected = $block->body_sha1;
    return unless defined $expected;
    my $name = $block->name;
    SKIP: {
        skip "$name - body_sha1 - tests skipped due to $dry_run", 1 if $dry_run;
        is(Digest::SHA::sha1_hex($body // ''), $expected,
           "$name - body_sha1 (req $repeated_req_idx)");
    }
});

run_tests();

run_fixtures();

# ---------------------------------------------------------------------------
# nested runs of t/fixtures/*.pl
# ---------------------------------------------------------------------------

sub free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, Proto => 'tcp')
        or die "no free port: $!";
    my $port = $s->sockport;
    close $s;
    return $port;
}

sub run_fixture {
    my ($file, %env) = @_;

    my %new_env = map { $_ => $ENV{$_} } grep { !/^TEST_NGINX_/ } keys %ENV;
    for my $keep (qw(TEST_NGINX_BINARY TEST_NGINX_SLEEP)) {
        $new_env{$keep} = $ENV{$keep} if defined $ENV{$keep};
    }
    my $servroot = tempdir("tn-fixture-XXXXXX", TMPDIR => 1, CLEANUP => 1);
    $new_env{TEST_NGINX_PORT} = free_port();
    $new_env{TEST_NGINX_SERVROOT} = $servroot;
    %new_env = (%new_env, %env);
    delete $new_env{$_} for grep { !defined $new_env{$_} } keys %new_env;

    my ($out, $err) = ('', '');
    my $t0 = time;
    {
        local %ENV = %new_env;
        IPC::Run::run([$^X, '-I', 't/lib', $file], \'', \$out, \$err,
                      IPC::Run::timeout(600));
    }
    my $status = $?;
    my @tap = split /\n/, $out;
    return {
        status   => $status,
        out      => $out,
        err      => $err,
        servroot => $servroot,
        port     => $new_env{TEST_NGINX_PORT},
        elapsed  => time - $t0,
        ok       => [ grep { /^ok \d+/ } @tap ],
        not_ok   => [ grep { /^not ok \d+/ } @tap ],
    };
}

sub show {
    my $r = shift;
    diag("exit status: $r->{status}\n--- stdout:\n$r->{out}\n--- stderr:\n$r->{err}");
}

sub run_fixtures {
    my $fx = 't/fixtures';

    # 1. every wrong expectation fails, and only those
    subtest 'wrong expectations make the corresponding subtests fail' => sub {
        my $r = run_fixture("$fx/wrong-expectations.pl");
        my $n = qr/\Q$fx\E\/wrong-expectations\.pl/;
        my @expected = (
            qr/^not ok \d+ - $n TEST 1: wrong status code - status code ok$/,
            qr/^not ok \d+ - $n TEST 2: wrong response_body - response_body - response is expected/,
            qr/^not ok \d+ - $n TEST 3: wrong response_body_like - response_body_like - /,
            qr/^not ok \d+ - $n TEST 4: matching response_body_unlike - response_body_unlike - /,
            qr/^not ok \d+ - $n TEST 5: wrong header value - header X-Foo ok$/,
            qr/^not ok \d+ - $n TEST 6: header should be absent - header X-Foo not present in the raw headers$/,
            qr/^not ok \d+ - $n TEST 7: wrong response_headers_like - header X-Foo like ok$/,
            qr/^not ok \d+ - $n TEST 8: wrong raw_response_headers_like - raw resp headers like$/,
            qr/^not ok \d+ - $n TEST 9: matching raw_response_headers_unlike - raw resp headers unlike$/,
            qr/^not ok \d+ - $n TEST 10: missing error_log pattern - pattern "no such line in the log" should match a line in error\.log \(req 0\)$/,
            qr/^not ok \d+ - $n TEST 11: present no_error_log pattern - pattern "\[error\]" should not match any line in error\.log but matches line /,
            qr/^not ok \d+ - $n TEST 12: missing error_log regex - pattern "\(\?\^:never\\d\+logged\)" should match a line in error\.log/,
            qr/^not ok \d+ - ERROR: client socket timed out - $n TEST 13: client timeout without abort$/,
            qr/^not ok \d+ - $n TEST 14: wrong body for the second request - response_body - response is expected \(repeated req 0, req 1\)$/,
            qr/^not ok \d+ - $n TEST 15: wrong second pipelined response - response_body - response is expected \(repeated req 0, req 1\)$/,
            qr/^not ok \d+ - $n TEST 16: error log is checked per request - pattern "nope\.txt" should match a line in error\.log \(req 0\)$/,
            qr/^not ok \d+ - $n TEST 17: must_die with a valid config - die as expected$/,
            qr/^not ok \d+ - $n TEST 18: wrong grep_error_log_out - grep_error_log_out \(req 0\)$/,
            qr/^not ok \d+ - $n TEST 19: missing access_log pattern - pattern "GET \/other" should match a line in access\.log \(req 0\)$/,
            qr/^not ok \d+ - $n TEST 20: nginx does not start - nginx failed to start: /,
            qr/^not ok \d+ - $n TEST 21: wrong error_code_like - status code ok$/,
            qr/^not ok \d+ - $n TEST 23: log line arrives too late without wait - pattern "late marker two" should match a line in error\.log \(req 0\)$/,
            qr/^not ok \d+ - $n TEST 24: wrong custom body check - body_sha1 \(req 0\)$/,
            qr/^not ok \d+ - $n TEST 25: wrong status of the first of two requests - status code ok$/,
            qr/^not ok \d+ - $n TEST 26: server reused but error log sliced - pattern "nope\.txt" should match a line in error\.log \(req 0\)$/,
        );
        my @not_ok = @{ $r->{not_ok} };
        for my $re (@expected) {
            my @hits = grep { $_ =~ $re } @not_ok;
            is(scalar @hits, 1, "exactly one failure matching $re") or show($r);
        }
        is(scalar @not_ok, scalar @expected, "no other failures")
            or diag(join "\n", @not_ok);
        is(scalar @{ $r->{ok} }, 34, "the correct expectations pass");
        like($r->{err}, qr/Failed test '.*TEST 20: nginx does not start.*\n(?:#.*\n)*#.*unknown directive "no_such_directive"/,
             "start failure shows nginx's error");
        # like the real module, failures inside the runner set no_ending:
        # the exit code stays 0 but the TAP (not ok, no plan) is a failure
        my $parser = TAP::Parser->new({ tap => $r->{out} });
        $parser->run;
        ok($parser->has_problems, "a TAP harness reports the fixture as failed");
        like($r->{err}, qr/got: "bye\\n"\n#\s+length: 4\n#\s+expected: "hello\\n"/,
             "body mismatch diagnostic shows both strings");
    };

    # 2. a section of the real Test::Nginx that is not implemented
    subtest 'unimplemented section aborts the file before any test' => sub {
        my $r = run_fixture("$fx/unsupported-section.pl");
        isnt($r->{status}, 0, "non-zero exit");
        like($r->{err}, qr/section "--- tcp_listen" of the real Test::Nginx::Socket is not implemented/,
             "the message names the section") or show($r);
        is(scalar @{ $r->{ok} } + scalar @{ $r->{not_ok} }, 0, "no test ran");
    };

    # 3. an unknown (misspelled) section
    subtest 'unknown section aborts the file' => sub {
        my $r = run_fixture("$fx/unknown-section.pl");
        isnt($r->{status}, 0, "non-zero exit");
        like($r->{err}, qr/unknown section "--- respone_body"/, "the message names the section")
            or show($r);
        unlike($r->{out}, qr/TEST 2/, "the bad block did not run");
    };

    # 4. SKIP and LAST
    subtest 'SKIP and LAST' => sub {
        my $r = run_fixture("$fx/skip-last.pl");
        is($r->{status}, 0, "passes") or show($r);
        my @names = map { /(TEST \d+)/ ? $1 : () } @{ $r->{ok} };
        my %seen = map { $_ => 1 } @names;
        is(join(',', sort keys %seen), 'TEST 2,TEST 3', "only TEST 2 and TEST 3 ran");
    };

    # 5. ONLY
    subtest 'ONLY' => sub {
        my $r = run_fixture("$fx/only.pl");
        is($r->{status}, 0, "passes") or show($r);
        my %seen = map { /(TEST \d+)/ ? ($1 => 1) : () } @{ $r->{ok} };
        is(join(',', sort keys %seen), 'TEST 2', "only TEST 2 ran");
        like($r->{err}, qr/I found ONLY/, "ONLY is reported");
    };

    # 6. server reuse, master/workers, env_to_nginx, load_module, NO_CLEAN,
    #    no plan (done_testing)
    subtest 'settings, server reuse, NO_CLEAN' => sub {
        my $stream = '/usr/lib/nginx/modules/ngx_stream_module.so';
        my %env = (TEST_NGINX_NO_CLEAN => 1, FIXTURE_ENV_A => 'a');
        $env{TEST_NGINX_LOAD_MODULES} = $stream
            if -f $stream && `nginx -V 2>&1` =~ /--with-stream=dynamic/;
        my $r = run_fixture("$fx/settings.pl", %env);
        is($r->{status}, 0, "passes") or show($r);
        is(scalar @{ $r->{not_ok} }, 0, "no failures");
        like($r->{out}, qr/^1\.\.\d+$/m, "done_testing printed the plan");

        my $conf = do {
            local $/;
            open my $in, '<', "$r->{servroot}/conf/nginx.conf" or die $!;
            <$in>;
        };
        like($conf, qr/^env FIXTURE_ENV_A;$/m, "env_to_nginx NAME");
        like($conf, qr/^env 'FIXTURE_B=1 2';$/m, "env_to_nginx NAME=value with spaces");
        like($conf, qr/^worker_processes  2;$/m, "workers(2)");
        like($conf, qr/^master_process on;$/m, "master_on()");
        like($conf, qr/^\s*worker_connections  128;$/m, "worker_connections(128)");
        like($conf, qr/^error_log \S+ info;$/m, "log_level('info')");
        like($conf, qr/^user root;$/m, "user root with master on as root") if $> == 0;
        unlike($conf, qr/root \Q$r->{servroot}\E\/html;/, "no_root_location()");
        if ($env{TEST_NGINX_LOAD_MODULES}) {
            like($conf, qr/\Aload_module \Q$stream\E;$/m, "load_module first");
            like($r->{out}, qr/^ok \d+ - .*TEST 1: .* - response_body .*$/m,
                 "HTTP -> stream proxy -> HTTP works");
        }

        # TEST_NGINX_NO_CLEAN left the server running: stop it ourselves
        my $pidfile = "$r->{servroot}/logs/nginx.pid";
        ok(-f $pidfile, "nginx left running (pid file exists)");
        if (open my $in, '<', $pidfile) {
            my $pid = <$in>;
            close $in;
            chomp $pid;
            ok($pid && kill(0, $pid), "nginx process $pid is alive");
            kill 'QUIT', $pid if $pid;
            for (1 .. 100) { last unless -f $pidfile; select undef, undef, undef, 0.05 }
            ok(!-f $pidfile, "stopped it");
        }
    };

    # 7. TEST_NGINX_FORCE_RESTART_ON_TEST=0
    subtest 'TEST_NGINX_FORCE_RESTART_ON_TEST=0 keeps an identical server' => sub {
        my $r = run_fixture("$fx/restart-off.pl", TEST_NGINX_FORCE_RESTART_ON_TEST => 0);
        is($r->{status}, 0, "passes") or show($r);
        is(scalar @{ $r->{not_ok} }, 0, "no failures");
        like($r->{out}, qr/^ok \d+ - same nginx.conf: nginx kept$/m, "kept");
        like($r->{out}, qr/^ok \d+ - other nginx.conf: nginx restarted$/m, "restarted");
    };

    # 8. TEST_NGINX_IGNORE_MISSING_DIRECTIVES=1
    subtest 'TEST_NGINX_IGNORE_MISSING_DIRECTIVES skips the block' => sub {
        my $r = run_fixture("$fx/missing-directive.pl",
                            TEST_NGINX_IGNORE_MISSING_DIRECTIVES => 1);
        is($r->{status}, 0, "passes") or show($r);
        my @skips = grep { /# skip .*TEST 1: .*the lack of directive no_such_directive/ }
                    @{ $r->{ok} };
        is(scalar @skips, 3, "the 3 tests of the block are skipped");
        like($r->{out}, qr/^ok \d+ - .*TEST 2: .*response_body/m, "the next block runs");
    };

    # 9. the runner never leaves nginx behind when the test file dies
    subtest 'nginx is stopped when the test file dies' => sub {
        my $r = run_fixture("$fx/dies.pl");
        isnt($r->{status}, 0, "the fixture died");
        like($r->{err}, qr/dying on purpose/, "with our message") or show($r);
        ok(!-f "$r->{servroot}/logs/nginx.pid", "no pid file left");
        my $alive = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                          PeerPort => $r->{port}, Proto => 'tcp');
        ok(!$alive, "nobody listens on port $r->{port} any more");
    };

    # 10. valgrind mode reports leaks (only when running in valgrind mode)
    if ($ENV{TEST_NGINX_USE_VALGRIND}) {
        subtest 'valgrind mode reports a leak' => sub {
            my $dir = tempdir("tn-leak-XXXXXX", TMPDIR => 1, CLEANUP => 1);
            open my $c, '>', "$dir/leak.c" or die $!;
            print $c <<'_C_';
#include <stdlib.h>
static void __attribute__((constructor)) portail_leak(void) {
    volatile char *p = malloc(4242);
    p[0] = 1;
    p = 0;
}
_C_
            close $c;
            if (system("cc -O0 -shared -fPIC -o $dir/leak.so $dir/leak.c") != 0) {
                plan skip_all => "no C compiler";
            }
            my $r = run_fixture("$fx/valgrind-leak.pl",
                                TEST_NGINX_USE_VALGRIND => 1,
                                LD_PRELOAD => "$dir/leak.so");
            my @vg = grep { /valgrind reported memory errors or leaks/ } @{ $r->{not_ok} };
            is(scalar @vg, 1, "the block fails because of valgrind") or show($r);
            like($r->{err}, qr/definitely lost/, "the report is in the diagnostics");
        };
    }
}

__DATA__

=== TEST 1: sanity
# 3 = status + body + no_error_log
--- config
    location = /t {
        return 200 "hello\n";
    }
--- request
GET /t
--- response_body
hello
--- no_error_log
[error]



=== TEST 2: status code, response headers, absent header, $ServerPort
# 6 = status + 4 headers + body_like
--- config
    location = /t {
        add_header X-Foo "bar baz" always;
        add_header X-Port $server_port always;
        return 404;
    }
--- request
GET /t
--- error_code: 404
--- response_headers
X-Foo: bar baz
!X-Bar
X-Port: $ServerPort
Content-Type: text/html
--- response_body_like: <title>404 Not Found</title>



=== TEST 3: response_headers_like, raw headers, body_unlike
# 6 = status + raw like + raw unlike + 2 headers_like + body_unlike
--- config
    location = /t {
        add_header X-Num "abc 123";
        return 200 "ok\n";
    }
--- request
GET /t
--- raw_response_headers_like: ^HTTP/1\.1 200 OK\r\n
--- raw_response_headers_unlike: X-Nope
--- response_headers_like
X-Num: abc \d+
Server: nginx.*
--- response_body_unlike: ^fail



=== TEST 4: more_headers, comments, default headers, trimmed body length
# 2
--- config
    location = /t {
        return 200 "foo=$http_x_foo len=$content_length host=$host conn=$http_connection\n";
    }
--- more_headers
X-Foo: bar
--- request
# a comment line before the request line
POST /t
hello world
--- response_body
foo=bar len=11 host=localhost conn=close



=== TEST 5: request body, HTTP/1.0, $TEST_NGINX_* expansion in config
# 2
--- config
    location = /t {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/echo;
        proxy_set_header X-Body $request_body;
        proxy_set_header X-Env "$TEST_NGINX_FOO";
    }
    location = /echo {
        return 200 "[$http_x_body] $http_x_env $server_protocol\n";
    }
--- request
POST /t HTTP/1.0
hello body
--- response_body
[hello body] foo-value HTTP/1.0



=== TEST 6: request eval array with eval arrays of expectations
# 8 = 2 * (status + header + body) + 2 * no_error_log
--- config
    location = /a { add_header X-Which a; return 200 "a\n"; }
    location = /b { add_header X-Which b; return 201 "b\n"; }
--- request eval
["GET /a", "GET /b"]
--- error_code eval
[200, 201]
--- response_headers eval
["X-Which: a", "X-Which: b"]
--- response_body eval
["a\n", "b\n"]
--- no_error_log
[error]



=== TEST 7: more_headers eval, one entry per request
# 4 = 2 * (status + body)
--- config
    location = /h { return 200 "$http_x_foo\n"; }
--- request eval
["GET /h", "GET /h"]
--- more_headers eval
["X-Foo: one", "X-Foo: two"]
--- response_body eval
["one\n", "two\n"]



=== TEST 8: pipelined requests on one connection
# 4 = 2 * (status + body)
--- config
    location = /p { return 200 "p=$arg_n c=$connection_requests\n"; }
--- pipelined_requests eval
["GET /p?n=1", "GET /p?n=2"]
--- response_body eval
["p=1 c=1\n", "p=2 c=2\n"]



=== TEST 9: raw_request string
# 2
--- config
    location = /r { return 200 "host=$host\n"; }
--- raw_request eval
"GET /r HTTP/1.0\r\nHost: x.example\r\n\r\n"
--- response_body
host=x.example



=== TEST 10: raw_request pieces with raw_request_middle_delay
# 2
--- config
    location = /r { return 200 "host=$host\n"; }
--- raw_request eval
["GET /r HTTP/1.1\r\nHo", "st: y.example\r\nConnection: close\r\n\r\n"]
--- raw_request_middle_delay: 0.05
--- response_body
host=y.example



=== TEST 11: one request split in packets with delay_before
# 2
--- config
    location = /t {
        proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT/echo;
        proxy_set_header X-Body $request_body;
    }
    location = /echo { return 200 "[$http_x_body]\n"; }
--- request eval
[["POST /t\nhel", {value => "lo", delay_before => 0.05}]]
--- response_body
[hello]



=== TEST 12: chunked gzip (binary) body, response_body_filters
# 4 = status + 2 headers + body
--- config
    location = /gz {
        gzip on;
        gzip_min_length 1;
        gzip_types text/plain;
        return 200 "hello gzip world\n";
    }
--- more_headers
Accept-Encoding: gzip
--- request
GET /gz
--- response_headers
Content-Encoding: gzip
Transfer-Encoding: chunked
--- response_body_filters eval
use IO::Uncompress::Gunzip qw(gunzip $GunzipError);
sub { my $in = shift; my $out; gunzip(\$in => \$out) or die "gunzip: $GunzipError"; $out }
--- response_body
hello gzip world



=== TEST 13: binary user file
# 2
--- config
--- user_files eval
[["bin.dat", "\x00\x01\xff\xfe\r\n"]]
--- request
GET /bin.dat
--- response_body eval
"\x00\x01\xff\xfe\r\n"



=== TEST 14: user_files with dates and sub directories
# 6 = 2 * (status + header + body)
--- config
--- user_files
>>> foo.txt 202001020304.05
Hello, world
>>> sub/dir/bar.txt
bar
--- request eval
["GET /foo.txt", "GET /sub/dir/bar.txt"]
--- response_headers eval
["Last-Modified: Thu, 02 Jan 2020 03:04:05 GMT", "Content-Length: 4"]
--- response_body eval
["Hello, world\n", "bar\n"]



=== TEST 15: error_log (eval list with a regex), no_error_log, log_level section
# 4 = status + 2 error_log + no_error_log
--- config
    location /missing/ { root html; }
--- log_level: error
--- request
GET /missing/nope.txt
--- error_code: 404
--- error_log eval
[qr/open\(\) "[^"]*nope\.txt" failed/, "No such file or directory"]
--- no_error_log
[debug]



=== TEST 16: grep_error_log
# 2 = status + grep_error_log_out
--- config
    location /missing/ { root html; }
--- request
GET /missing/nope.txt
--- error_code: 404
--- grep_error_log: No such file or directory
--- grep_error_log_out
No such file or directory



=== TEST 17: http_config, main_config, post_main_config, server_name
# 4 = 2 * (status + body)
--- main_config
    worker_rlimit_nofile 1024;
--- post_main_config
    pcre_jit on;
--- http_config
    map $arg_x $mapped { default "mapped-$arg_x"; }
    server {
        listen 127.0.0.1:$TEST_NGINX_SERVER_PORT;
        server_name other.example;
        location / { return 200 "other server\n"; }
    }
--- server_name: portail.test
--- config
    location = /sn { return 200 "$server_name $mapped\n"; }
--- request eval
["GET /sn?x=1", "GET /sn"]
--- more_headers eval
["Host: portail.test", "Host: other.example"]
--- response_body eval
["portail.test mapped-1\n", "other server\n"]



=== TEST 18: init runs before the requests
# 2
--- config
--- init
open my $fh, '>', html_dir() . "/init.txt" or die "cannot write: $!";
print $fh "from init\n";
close $fh;
--- request
GET /init.txt
--- response_body
from init



=== TEST 19: client timeout with abort does not fail
# 1 = status (nothing received)
--- config
    location = /slow {
        proxy_pass http://127.0.0.1:$TEST_NGINX_BLACKHOLE_PORT;
    }
--- request
GET /slow
--- timeout: 300ms
--- abort
--- error_code:



=== TEST 20: custom sections, block preprocessor, response body check
# 3 = status + body + body_sha1
--- config
    location = /c { return 200 "custom\n"; }
--- req_path: /c
--- response_body
custom
--- body_sha1: 8d627ac0b83820db9fdbef63c2f7ce5a6ff9f435



=== TEST 21: HEAD request
# 2
--- config
    location = /t { return 200 "hello\n"; }
--- request
HEAD /t
--- server_addr_for_client: 127.0.0.1
--- response_body



=== TEST 22: HTTP/0.9 response
# 2
--- config
    location = /t { return 200 "hello\n"; }
--- raw_request eval
"GET /t\r\n"
--- http09
--- response_body
hello



=== TEST 23: ignore_response
# 1 = no_error_log
--- config
    location = /t { return 500; }
--- request
GET /t
--- ignore_response
--- no_error_log
[error]



=== TEST 24: shutdown the writing side after the request
# 2
--- config
    location = /t { return 200 "after shutdown\n"; }
--- request
GET /t
--- shutdown
--- response_body
after shutdown



=== TEST 25: error_code_like
# 1
--- config
    location = /t { return 204; }
--- request
GET /t
--- error_code_like: ^20[0-4]$



=== TEST 26: skip_eval true: the block is replaced by skipped tests
# 2 skipped
--- config
    location = /t { return 500; }
--- request
GET /t
--- skip_eval: 2: 1 + 1 == 2



=== TEST 27: skip_nginx, condition false: runs
# 2
--- config
    location = /t { return 200 "new enough\n"; }
--- request
GET /t
--- response_body
new enough
--- skip_nginx: 2: < 1.0.0



=== TEST 28: skip_nginx, condition true: skipped
# 3 skipped
--- config
    location = /t { return 500; }
--- request
GET /t
--- skip_nginx: 3: >= 1.0.0



=== TEST 29: todo
# 2 todo-skipped
--- config
    location = /t { return 500; }
--- request
GET /t
--- todo: 2: not done yet



=== TEST 30: must_die
# 2 = die as expected + error_log
--- config
    location = /t { return a b c; }
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid number of arguments in "return" directive/



=== TEST 31: response_body eval returning a regex
# 2
--- config
    location = /t { return 200 "hello\nworld\n"; }
--- request
GET /t
--- response_body eval
qr/^hel+o$/m



=== TEST 32: charset
# 2
--- config
--- user_files eval
[["latin1.txt", "caf\xe9\n"]]
--- request
GET /latin1.txt
--- charset: ISO-8859-1
--- response_body
café



=== TEST 33: access_log and no_access_log
# 3 = status + access_log + no_access_log
--- config
    location = /t { return 200 "ok\n"; }
--- request
GET /t?from=access
--- access_log
"GET /t?from=access HTTP/1.1" 200
--- no_access_log
GET /nope



=== TEST 34: response_body_filters by name, $ServerPort in the expected body
# 2
--- config
    location = /t { return 200 "hello $server_port\n"; }
--- request
GET /t
--- response_body_filters
uc
--- response_body
HELLO $ServerPort
