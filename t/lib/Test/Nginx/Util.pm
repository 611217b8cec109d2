package Test::Nginx::Util;

# Local re-implementation of openresty's Test::Nginx::Util (the nginx
# process/config manager behind Test::Nginx::Socket).  The real module is
# not packaged for Debian; this one implements the subset of its behaviour
# described in t/README.md and refuses loudly what it does not implement.

use strict;
use warnings;

our $VERSION = '0.29_portail';

use base 'Exporter';

use POSIX qw( SIGQUIT SIGKILL SIGTERM WNOHANG );
use File::Spec ();
use File::Path qw( make_path remove_tree );
use List::Util qw( shuffle );
use Time::HiRes qw( sleep time );
use IO::Socket::INET ();
use Scalar::Util qw( looks_like_number );
use Carp qw( croak );
use Test::More ();

# ---------------------------------------------------------------------------
# settings (same names and defaults as the real Test::Nginx::Util)
# ---------------------------------------------------------------------------

our $Verbose              = $ENV{TEST_NGINX_VERBOSE};
our $RepeatEach           = 1;
our $NoShuffle            = $ENV{TEST_NGINX_NO_SHUFFLE} || 0;
our $UseValgrind          = $ENV{TEST_NGINX_USE_VALGRIND};
our $EventType            = $ENV{TEST_NGINX_EVENT_TYPE};
our $PostponeOutput       = $ENV{TEST_NGINX_POSTPONE_OUTPUT};
our $Timeout              = $ENV{TEST_NGINX_TIMEOUT} || 3;
our $CheckAccumErrLog     = $ENV{TEST_NGINX_CHECK_ACCUM_ERR_LOG};
our $LoadModules          = $ENV{TEST_NGINX_LOAD_MODULES};
our $ReusePort            = $ENV{TEST_NGINX_REUSE_PORT};
our $WorkerUser           = $ENV{TEST_NGINX_WORKER_USER};
our $ServerAddr           = '127.0.0.1';
our $ServerName           = 'localhost';
our $NginxBinary          = $ENV{TEST_NGINX_BINARY} || 'nginx';
our $Workers              = 1;
our $WorkerConnections    = 64;
our $LogLevel             = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $MasterProcessEnabled = $ENV{TEST_NGINX_MASTER_PROCESS} || 'off';
our $DaemonEnabled        = 'on';
our $ServerPort           = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
our $ServerPortForClient  = $ENV{TEST_NGINX_CLIENT_PORT} || $ServerPort || 1984;
our $NoRootLocation       = 0;
our $TestNginxSleep       = $ENV{TEST_NGINX_SLEEP} || 0.015;
our $ForceRestartOnTest   = defined $ENV{TEST_NGINX_FORCE_RESTART_ON_TEST}
                            ? $ENV{TEST_NGINX_FORCE_RESTART_ON_TEST} : 1;
our $NoLongString;
our $ConfigPreamble       = '';
our $FilterHttpConfig;
our $RunTestHelper;
our $CheckErrorLog;
our ($NginxVersion, $NginxRawVersion, $OpenSSLVersion);
our $NginxVOutput         = '';

our @EnvToNginx;
our @CleanupHandlers;
our @BlockPreprocessors;

# Valgrind: the value "1" (or any number) selects the default memcheck
# options, any other value is used as the valgrind options themselves.
our $ValgrindErrorExitCode = 99;
our $ValgrindStartTimeout  = $ENV{TEST_NGINX_VALGRIND_START_TIMEOUT} || 60;
our $ValgrindExitTimeout   = 120;

our $ServRoot = File::Spec->rel2abs($ENV{TEST_NGINX_SERVROOT} || 't/servroot');
$ENV{TEST_NGINX_SERVER_ROOT} = $ServRoot;

our $LogDir     = File::Spec->catfile($ServRoot, 'logs');
our $ErrLogFile = File::Spec->catfile($LogDir, 'error.log');
our $AccLogFile = File::Spec->catfile($LogDir, 'access.log');
our $HtmlDir    = File::Spec->catfile($ServRoot, 'html');
our $ConfDir    = File::Spec->catfile($ServRoot, 'conf');
our $ConfFile   = File::Spec->catfile($ConfDir, 'nginx.conf');
our $PidFile    = File::Spec->catfile($LogDir, 'nginx.pid');
our $ValgrindLogFile = File::Spec->catfile($LogDir, 'valgrind.log');
our $StartStderrFile = File::Spec->catfile($LogDir, 'nginx-start.stderr');

# state
our $PrevConfig;          # expanded "--- config" of the running server
our $PrevConfText;        # its whole nginx.conf
our $ChildPid;            # nginx (under valgrind) when it is our direct child
our $ChildStatus;         # its wait status once reaped
our $ErrLogFilePos = 0;   # where the next error_log_data() read starts
our $BlockErrLogStart = 0;
our $BlockAccLogStart = 0;
our $FirstTime = 1;
our $TotalConnectingTimeouts = 0;
our $InSubprocess;
my  $MainPid = $$;
my  $ResolvedBinary;

# features of the real Test::Nginx that this runner refuses to fake
my %UnsupportedEnv = (
    TEST_NGINX_USE_HUP          => 'HUP reload mode',
    TEST_NGINX_USE_STAP         => 'systemtap mode',
    TEST_NGINX_CHECK_LEAK       => 'check-leak mode',
    TEST_NGINX_BENCHMARK        => 'benchmark mode',
    TEST_NGINX_USE_HTTP2        => 'HTTP/2 mode',
    TEST_NGINX_USE_HTTP3        => 'HTTP/3 mode',
    TEST_NGINX_USE_RR           => 'rr recording',
    TEST_NGINX_NO_NGINX_MANAGER => 'running against an external nginx',
    TEST_NGINX_RANDOMIZE        => 'randomized ports/servroot',
);

our @EXPORT = qw(
    env_to_nginx
    is_str
    check_accum_error_log
    is_running
    $NoLongString
    no_long_string
    $ServerAddr
    server_addr
    $ServerName
    server_name
    parse_time
    verbose
    sleep_time
    bail_out
    add_cleanup_handler
    access_log_data
    error_log_data
    setup_server_root
    write_config_file
    get_canon_version
    get_nginx_version
    trim
    show_all_chars
    parse_headers
    run_tests
    run_test
    get_pid_from_pidfile
    $ServerPortForClient
    $ServerPort
    $NginxVersion
    $PidFile
    $ServRoot
    $ConfFile
    $ErrLogFile
    $RunTestHelper
    $CheckErrorLog
    $FilterHttpConfig
    $RepeatEach
    $TotalConnectingTimeouts
    add_block_preprocessor
    timeout
    worker_connections
    workers
    master_on
    master_off
    config_preamble
    repeat_each
    master_process_enabled
    log_level
    no_shuffle
    no_root_location
    html_dir
    server_root
    server_port
    server_port_for_client
    no_nginx_manager
    use_hup
    nginx_is_running
    nginx_pid
    error_log_tail
);

# ---------------------------------------------------------------------------
# small public helpers (same semantics as the real module)
# ---------------------------------------------------------------------------

sub is_running ($) {
    my $pid = shift;
    return 0 unless $pid;
    return 0 unless kill 0, $pid;
    # an exited daemon stays a zombie until init reaps it (which can take
    # seconds in containers): that is not a running process
    if (open my $in, '<', "/proc/$pid/stat") {
        my $stat = <$in> // '';
        close $in;
        return 0 if $stat =~ /^\d+ \(.*\) [ZX] /s;
    }
    return 1;
}

sub no_long_string () { $NoLongString = 1 }

sub is_str (@) {
    my ($got, $expected, $desc) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    if (ref $expected && ref $expected eq 'Regexp') {
        return Test::More::like($got, $expected, $desc);
    }
    if ($NoLongString) {
        return Test::More::is($got, $expected, $desc);
    }
    return is_string($got, $expected, $desc);
}

# Test::LongString::is_string when available, otherwise an equivalent
# check whose failure diagnostic points at the first differing character.
sub is_string {
    my ($got, $expected, $desc) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;

    if (eval { require Test::LongString; 1 }) {
        return Test::LongString::is_string($got, $expected, $desc);
    }

    my $tb = Test::More->builder;
    if (!defined $got || !defined $expected) {
        return Test::More::is($got, $expected, $desc);
    }
    if ($got eq $expected) {
        return $tb->ok(1, $desc);
    }
    my $ok = $tb->ok(0, $desc);
    my $max = length($got) < length($expected) ? length($got) : length($expected);
    my $i = 0;
    $i++ while $i < $max && substr($got, $i, 1) eq substr($expected, $i, 1);
    my $prefix = substr($got, 0, $i);
    my $line = 1 + ($prefix =~ tr/\n//);
    my $col = $i - (rindex($prefix, "\n") + 1) + 1;
    my $from = $i > 30 ? $i - 30 : 0;
    my $esc = sub {
        my $s = shift;
        $s =~ s/\\/\\\\/g;
        $s =~ s/\n/\\n/g;
        $s =~ s/\r/\\r/g;
        $s =~ s/\t/\\t/g;
        $s =~ s/([\x00-\x1f\x7f-\xff])/sprintf('\\x{%02x}', ord $1)/ge;
        $s =~ s/([^\x00-\xff])/sprintf('\\x{%x}', ord $1)/ge;
        return $s;
    };
    $tb->diag(sprintf(
        "         got: \"%s%s\"\n      length: %d\n    expected: \"%s%s\"\n"
        . "      length: %d\n    strings begin to differ at char %d (line %d column %d)",
        $from ? '...' : '', $esc->(substr($got, $from, 70)), length $got,
        $from ? '...' : '', $esc->(substr($expected, $from, 70)), length $expected,
        $i + 1, $line, $col));
    return $ok;
}

sub server_addr (@) {
    if (@_) { $ServerAddr = shift } else { return $ServerAddr }
}

sub server_name (@) {
    if (@_) { $ServerName = shift } else { return $ServerName }
}

sub timeout (@) {
    if (@_) { $Timeout = shift } else { return $Timeout }
}

sub no_shuffle () { $NoShuffle = 1 }

sub no_nginx_manager () {
    croak "no_nginx_manager() is not supported by this Test::Nginx runner "
        . "(t/lib/Test/Nginx/Util.pm)";
}

sub use_hup () {
    croak "use_hup() (HUP reload mode) is not supported by this Test::Nginx "
        . "runner (t/lib/Test/Nginx/Util.pm)";
}

sub env_to_nginx (@) {
    croak "env_to_nginx: no arguments specified" unless @_;
    for my $v (@_) {
        if ($v !~ /^[A-Za-z_]/ || $v =~ /\n/) {
            croak "env_to_nginx: bad argument value: $v\n";
        }
        push @EnvToNginx, $v;
    }
}

sub sleep_time { return $TestNginxSleep }

sub verbose { return $Verbose }

sub server_port (@) {
    if (@_) { $ServerPort = shift } else { return $ServerPort }
}

sub server_port_for_client (@) {
    if (@_) { $ServerPortForClient = shift } else { return $ServerPortForClient }
}

sub repeat_each (@) {
    $RepeatEach = shift if @_;
    return $RepeatEach;
}

sub worker_connections (@) {
    if (@_) { $WorkerConnections = shift } else { return $WorkerConnections }
}

sub no_root_location () { $NoRootLocation = 1 }

sub workers (@) {
    if (@_) { $Workers = shift } else { return $Workers }
}

sub log_level (@) {
    if (@_) { $LogLevel = shift } else { return $LogLevel }
}

sub check_accum_error_log () { $CheckAccumErrLog = 1 }

sub master_on ()  { $MasterProcessEnabled = 'on' }
sub master_off () { $MasterProcessEnabled = 'off' }

sub master_process_enabled (@) {
    if (@_) {
        $MasterProcessEnabled = shift() ? 'on' : 'off';
    } else {
        return $MasterProcessEnabled;
    }
}

sub config_preamble ($) { $ConfigPreamble = shift }

sub add_block_preprocessor(&) { unshift @BlockPreprocessors, shift }

sub add_cleanup_handler ($) { unshift @CleanupHandlers, shift }

sub html_dir ()    { return $HtmlDir }
sub server_root () { return $ServRoot }

sub parse_time ($) {
    my $tm = shift;
    if (defined $tm) {
        if ($tm =~ s/([^_a-zA-Z])ms$/$1/) {
            $tm = $tm / 1000;
        } elsif ($tm =~ s/([^_a-zA-Z])s$/$1/) {
            # seconds
        }
    }
    return $tm;
}

sub trim ($) {
    my $s = shift;
    return undef if !defined $s;
    $s =~ s/^\s+|\s+$//g;
    $s =~ s/\n/ /gs;
    $s =~ s/\s{2,}/ /gs;
    return $s;
}

sub show_all_chars ($) {
    my $s = shift;
    $s =~ s/\n/\\n/gs;
    $s =~ s/\r/\\r/gs;
    $s =~ s/\t/\\t/gs;
    return $s;
}

# "Name: value" lines -> { Name => value }; "!Name" -> { Name => undef }
sub parse_headers ($) {
    my $s = shift;
    my %headers;
    for my $line (split /^/m, $s) {
        $line =~ s/^\s+|\s+$//g;
        my $neg = ($line =~ s/^!\s*//);
        if ($neg) {
            $headers{$line} = undef;
        } else {
            my ($key, $val) = split /\s*:\s*/, $line, 2;
            $headers{$key} = $val;
        }
    }
    return \%headers;
}

sub get_canon_version (@) {
    sprintf "%d.%03d%03d", $_[0], $_[1], $_[2];
}

sub get_canon_version_for_OpenSSL (@) {
    if (defined $_[3]) {
        return sprintf "%d.%03d%03d%03d", $_[0], $_[1], $_[2], ord($_[3]) - ord('a');
    }
    return get_canon_version(@_);
}

# ---------------------------------------------------------------------------
# cleanup / bail out
# ---------------------------------------------------------------------------

sub cleanup () {
    for my $hdl (@CleanupHandlers) {
        $hdl->();
    }
}

sub bail_out (@) {
    cleanup();
    stop_nginx('bail_out', 0);
    Test::More::BAIL_OUT(@_);
}

# ---------------------------------------------------------------------------
# nginx binary
# ---------------------------------------------------------------------------

sub can_run ($) {
    my ($cmd) = @_;
    if ($cmd =~ m{/}) {
        return (-f $cmd && -x _) ? $cmd : undef;
    }
    for my $dir ((split /:/, $ENV{PATH} || ''), '.') {
        next if $dir eq '';
        my $abs = File::Spec->catfile($dir, $cmd);
        return $abs if -f $abs && -x _;
    }
    return undef;
}

sub nginx_binary () {
    return $ResolvedBinary if defined $ResolvedBinary;
    my $bin = can_run($NginxBinary);
    if (!$bin && !$ENV{TEST_NGINX_BINARY}) {
        for my $candidate ('/usr/sbin/nginx', '/usr/local/sbin/nginx',
                           '/usr/local/nginx/sbin/nginx',
                           '/usr/local/openresty/nginx/sbin/nginx')
        {
            if (-f $candidate && -x _) {
                $bin = $candidate;
                last;
            }
        }
    }
    if (!$bin) {
        bail_out("Cannot find the nginx executable \"$NginxBinary\" "
                 . "(set TEST_NGINX_BINARY or PATH)");
    }
    return $ResolvedBinary = $bin;
}

sub get_nginx_version () {
    my $bin = nginx_binary();
    my $out = `'$bin' -V 2>&1`;
    if (!defined $out || $? != 0) {
        $out //= '';
        bail_out("Failed to get the version of the nginx binary $bin: $out");
    }
    $NginxVOutput = $out;

    if ($out =~ m{built with OpenSSL (\d+)\.(\d+)\.(\d+)([a-z])?}s) {
        $OpenSSLVersion = get_canon_version_for_OpenSSL($1, $2, $3, $4);
    }

    if ($out =~ m{(?:nginx|openresty)[^/]*/(\d+)\.(\d+)\.(\d+)}s
        || $out =~ m{\w+/(\d+)\.(\d+)\.(\d+)}s)
    {
        $NginxRawVersion = "$1.$2.$3";
        return get_canon_version($1, $2, $3);
    }

    bail_out("Failed to parse the output of \"nginx -V\": $out\n");
}

# ---------------------------------------------------------------------------
# server root, user files, nginx.conf
# ---------------------------------------------------------------------------

sub setup_server_root ($) {
    my $first_time = shift;

    if (-d $ServRoot) {
        remove_tree($ConfDir, $HtmlDir, $LogDir,
                    glob("$ServRoot/*_cache"), glob("$ServRoot/*_temp"));
    }
    for my $dir ($ServRoot, $LogDir, $HtmlDir, $ConfDir) {
        next if -d $dir;
        make_path($dir);
        -d $dir or bail_out("Failed to do mkdir $dir: $!\n");
    }

    my $index_file = "$HtmlDir/index.html";
    open my $out, '>', $index_file
        or bail_out("Can't open $index_file for writing: $!\n");
    print $out '<html><head><title>It works!</title></head><body>It works!</body></html>';
    close $out;
}

sub gen_rand_port (;$$) {
    my ($tries, $used_ports) = @_;
    $tries //= 1000;
    $used_ports //= {};
    for (my $i = 0; $i < $tries; $i++) {
        my $port = int(rand 63550) + 1985;
        next if $used_ports->{$port};
        my $sock = IO::Socket::INET->new(
            LocalAddr => $ServerAddr,
            LocalPort => $port,
            Proto     => 'tcp',
            Timeout   => 0.1,
        );
        if (defined $sock) {
            $sock->close();
            return $port;
        }
    }
    return undef;
}

sub expand_env_in_text ($$$) {
    my ($text, $name, $rand_ports) = @_;
    return undef if !defined $text;

    my $used_ports = { $ServerPort => 1, map { $_ => 1 } values %$rand_ports };

    $text =~ s{\$(TEST_NGINX_[_A-Z0-9]+)}{
        my $var = $1;
        my $val;
        if ($var =~ /^TEST_NGINX_RAND_PORT_[0-9]+$/) {
            if (!defined $rand_ports->{$var}) {
                my $port = gen_rand_port(1000, $used_ports);
                defined $port or bail_out(
                    "$name - Cannot find an available listening port number for $var.\n");
                $rand_ports->{$var} = $port;
                $used_ports->{$port} = 1;
            }
            $val = $rand_ports->{$var};
        } else {
            defined $ENV{$var} or bail_out("$name - No environment $var defined.\n");
            $val = $ENV{$var};
        }
        $val;
    }eg;

    return $text;
}

sub write_user_files ($$) {
    my ($block, $rand_ports) = @_;
    my $name = $block->name;

    my $files = $block->user_files;
    return unless $files;

    if (!ref $files) {
        my @list;
        my ($fname, $body, $date);
        for my $line (split /^/m, $files) {
            if ($line =~ />>> (\S+)(?:\s+(.+))?/) {
                push @list, [$fname, $body, $date] if $fname;
                ($fname, $date) = ($1, $2);
                undef $body;
            } else {
                $body .= $line;
            }
        }
        push @list, [$fname, $body, $date] if $fname;
        $files = \@list;

    } elsif (ref $files ne 'ARRAY') {
        bail_out("$name - wrong value type: ", ref $files,
                 ", only scalar or ARRAY are accepted");
    }

    for my $file (@$files) {
        my ($fname, $body, $date) = @$file;
        $body //= '';
        my $path = $fname =~ m{^/} ? $fname : "$HtmlDir/$fname";
        if ($path =~ m{(.*)/}) {
            my $dir = $1;
            if (!-d $dir) {
                make_path($dir);
                -d $dir or bail_out("$name - Cannot create directory $dir");
            }
        }

        $body = expand_env_in_text($body, $name, $rand_ports);

        open my $out, '>', $path
            or bail_out("$name - Cannot open $path for writing: $!\n");
        binmode $out;
        print $out $body;
        close $out;

        if ($date) {
            local $ENV{TZ} = 'GMT';
            system('touch', '-t', $date, $path) == 0
                or bail_out("$name - Failed to run: touch -t '$date' $path\n");
        }
    }
}

sub nginx_has_module ($) {
    my $mod = shift;    # e.g. "http_proxy"
    return $NginxVOutput !~ /--without-${mod}_module\b/;
}

sub gen_config_text ($$$) {
    my ($block, $config, $rand_ports) = @_;

    my $name = $block->name;
    my $http_config = $block->http_config;
    my $main_config = $block->main_config;
    my $post_main_config = $block->post_main_config;
    my $err_log_file = $block->error_log_file;
    my $server_name = $block->server_name;

    $http_config = expand_env_in_text($http_config, $name, $rand_ports);
    $config //= '';
    $http_config //= '';

    if ($FilterHttpConfig) {
        $http_config = $FilterHttpConfig->($http_config);
    }

    my $postpone = $PostponeOutput;
    undef $postpone if $http_config =~ /\bpostpone_output\b/;

    my $extra_http_config = '';
    if (defined $postpone) {
        if ($postpone !~ /^\d+$/) {
            bail_out("Bad TEST_NGINX_POSTPONE_OUTPUT value: $postpone\n");
        }
        $extra_http_config .= "    postpone_output $postpone;\n";
    }

    $main_config = expand_env_in_text($main_config // '', $name, $rand_ports);
    $post_main_config = expand_env_in_text($post_main_config // '', $name, $rand_ports);

    $err_log_file ||= $ErrLogFile;
    $server_name //= $ServerName;

    my $master = $MasterProcessEnabled;
    my $daemon = $DaemonEnabled;
    if ($UseValgrind) {
        # valgrind follows a single process: no daemon, no master/workers
        $master = 'off';
        $daemon = 'off';
    }

    my $load_modules = '';
    if ($LoadModules) {
        for my $mod (grep { length } split /\s+/, $LoadModules) {
            $load_modules .= "load_module " . File::Spec->rel2abs($mod) . ";\n";
        }
    }

    # Distribution builds (Debian) compile in absolute temp paths outside
    # of the server root; keep everything under the server root instead,
    # unless the test sets them itself at the http level.
    my $temp_paths = '';
    for my $t (['client_body', 'http'], ['proxy', 'http_proxy'],
               ['fastcgi', 'http_fastcgi'], ['uwsgi', 'http_uwsgi'],
               ['scgi', 'http_scgi'])
    {
        my ($prefix, $mod) = @$t;
        next unless nginx_has_module($mod);
        next if $http_config =~ /\b${prefix}_temp_path\b/;
        $temp_paths .= "    ${prefix}_temp_path $ServRoot/${prefix}_temp;\n";
    }

    my $listen_opts = $ReusePort ? ' reuseport' : '';

    my $conf = <<_EOC_;
${load_modules}worker_processes  $Workers;
daemon $daemon;
master_process $master;
error_log $err_log_file $LogLevel;
pid       $PidFile;
env MOCKEAGAIN_VERBOSE;
env MOCKEAGAIN;
env MOCKEAGAIN_WRITE_TIMEOUT_PATTERN;
env LD_PRELOAD;
env LD_LIBRARY_PATH;
env DYLD_INSERT_LIBRARIES;
env DYLD_FORCE_FLAT_NAMESPACE;
_EOC_

    for my $v (@EnvToNginx) {
        my $e = $v =~ /\s/ ? "'$v'" : $v;
        $conf .= "env $e;\n";
    }

    $conf .= <<_EOC_;

$main_config

http {
    access_log $AccLogFile;

    default_type text/plain;
    keepalive_timeout  68;

$temp_paths
$extra_http_config
$http_config

    server {
        listen          $ServerAddr:$ServerPort$listen_opts;
        server_name     '$server_name';

        client_max_body_size 30M;

        # Begin preamble config...
$ConfigPreamble
        # End preamble config...

        # Begin test case config...
$config
        # End test case config.

_EOC_

    if (!$NoRootLocation) {
        $conf .= <<_EOC_;
        location / {
            root $HtmlDir;
            index index.html index.htm;
        }
_EOC_
    }

    $conf .= "    }\n}\n\n$post_main_config\n\nevents {\n    accept_mutex off;\n\n"
           . "    worker_connections  $WorkerConnections;\n";
    $conf .= "    use $EventType;\n" if $EventType;
    $conf .= "}\n\nenv ASAN_OPTIONS;\nenv MOCKNOEAGAIN_VERBOSE;\nenv MOCKNOEAGAIN;\n";

    if (defined $WorkerUser) {
        $conf .= "user $WorkerUser;\n";
    } elsif ($> == 0 && $master eq 'on') {
        # the workers must be able to read the server root
        $conf .= "user root;\n";
    }

    return $conf;
}

sub write_config_file ($$$) {
    my ($block, $config, $rand_ports) = @_;
    my $text = gen_config_text($block, $config, $rand_ports);
    open my $out, '>', $ConfFile
        or bail_out("Can't open $ConfFile for writing: $!\n");
    print $out $text;
    close $out;
    return $text;
}

# ---------------------------------------------------------------------------
# nginx process management
# ---------------------------------------------------------------------------

sub get_pid_from_pidfile ($) {
    my ($name) = @_;
    open my $in, '<', $PidFile
        or bail_out("$name - Failed to open the pid file $PidFile for reading: $!");
    my $pid = do { local $/; <$in> };
    close $in;
    $pid //= '';
    $pid =~ s/\s+//g;
    return $pid;
}

sub read_pidfile_quiet () {
    open my $in, '<', $PidFile or return undef;
    my $pid = do { local $/; <$in> };
    close $in;
    return undef unless defined $pid && $pid =~ /^\s*(\d+)\s*$/;
    return $1;
}

# is this pid an nginx (or valgrind running nginx) process?
sub looks_like_nginx ($) {
    my $pid = shift;
    return 0 unless is_running($pid);
    if (open my $in, '<', "/proc/$pid/cmdline") {
        my $cmd = do { local $/; <$in> } // '';
        close $in;
        return $cmd =~ /nginx|valgrind|memcheck/ ? 1 : 0;
    }
    return 1;   # no /proc: trust the pid file like the real module does
}

sub reap_child () {
    return unless defined $ChildPid;
    my $r = waitpid($ChildPid, WNOHANG);
    if ($r == $ChildPid) {
        $ChildStatus = $?;
        undef $ChildPid;
    } elsif ($r == -1) {
        undef $ChildPid;
    }
}

sub nginx_pid () {
    reap_child();
    return $ChildPid if defined $ChildPid;
    my $pid = read_pidfile_quiet();
    return $pid if $pid && looks_like_nginx($pid);
    return undef;
}

sub nginx_is_running () {
    return defined nginx_pid();
}

sub process_alive ($) {
    my $pid = shift;
    if (defined $ChildPid && $pid == $ChildPid) {
        reap_child();
        return defined $ChildPid;
    }
    return is_running($pid);
}

# QUIT, wait up to $wait seconds, then KILL the whole process group.
sub kill_process ($$$) {
    my ($pid, $wait, $name) = @_;
    return unless $pid;

    # A QUIT arriving just before nginx blocks in its event loop can stay
    # unnoticed: re-send it while nginx has not started exiting (it removes
    # its pid file when it does), like the real module.
    kill(SIGQUIT, $pid);
    my $left = $wait;
    my $since_quit = 0;
    while ($left > 0 && process_alive($pid)) {
        sleep 0.02;
        $left -= 0.02;
        $since_quit += 0.02;
        if ($since_quit >= 0.5 && -f $PidFile) {
            kill(SIGQUIT, $pid);
            $since_quit = 0;
        }
    }
    return if !process_alive($pid);

    warn "$name - timeout when waiting for the nginx process $pid to exit; killing it\n";
    my $pgrp = getpgrp($pid);
    if (defined $pgrp && $pgrp == $pid) {
        kill(SIGKILL, -$pid);
    } else {
        kill(SIGKILL, $pid);
    }
    $left = 5;
    while ($left > 0 && process_alive($pid)) {
        sleep 0.02;
        $left -= 0.02;
    }
}

sub stop_nginx ($$) {
    my ($name, $wait) = @_;
    $wait //= timeout();
    my $pid = nginx_pid();
    if ($pid) {
        kill_process($pid, $wait, $name);
    }
    # a stale pid file would confuse the next start
    if (-f $PidFile) {
        my $p = read_pidfile_quiet();
        unlink $PidFile if !$p || !looks_like_nginx($p);
    }
}

sub port_listening ($) {
    my $port = shift;
    my $hex = sprintf '%04X', $port;
    my $seen_proc;
    for my $f ('/proc/net/tcp', '/proc/net/tcp6') {
        open my $in, '<', $f or next;
        $seen_proc = 1;
        while (<$in>) {
            # sl local_address rem_address st
            if (/^\s*\d+:\s+[0-9A-Fa-f]+:$hex\s+[0-9A-Fa-f]+:[0-9A-Fa-f]+\s+0A\s/) {
                close $in;
                return 1;
            }
        }
        close $in;
    }
    return $seen_proc ? 0 : undef;
}

sub read_file_quiet ($) {
    my $f = shift;
    open my $in, '<', $f or return '';
    binmode $in;
    my $s = do { local $/; <$in> };
    close $in;
    return $s // '';
}

sub error_log_tail (;$) {
    my $n = shift || 30;
    my $data = read_file_quiet($ErrLogFile);
    my @lines = split /^/m, $data;
    @lines = @lines[-$n .. -1] if @lines > $n;
    return join '', @lines;
}

sub nginx_cmd () {
    my @cmd = (nginx_binary(), '-p', "$ServRoot/", '-c', $ConfFile);
    # Like a default build (whose compiled-in error log is logs/error.log
    # under the prefix), send early start-up errors to the error log.
    if (defined $NginxVersion && $NginxVersion >= 1.019005) {
        push @cmd, '-e', $ErrLogFile;
    }
    return @cmd;
}

# run a command with stdout to /dev/null and stderr to a file; wait status
sub run_nginx_cmd (@) {
    my @cmd = @_;
    my $pid = fork();
    if (!defined $pid) {
        bail_out("fork() failed: $!");
    }
    if ($pid == 0) {
        $InSubprocess = 1;
        open STDOUT, '>', '/dev/null';
        open STDERR, '>', $StartStderrFile;
        { no warnings 'exec'; exec { $cmd[0] } @cmd; }
        print STDERR "exec $cmd[0] failed: $!\n";
        POSIX::_exit(127);
    }
    waitpid($pid, 0);
    return $?;
}

# Memory that stock nginx never frees when a single process (master off,
# as used under valgrind) exits: the environment copy and the
# connection/event arrays of ngx_event_process_init().  The second form
# matches a stripped binary (Debian's), where ngx_event_process_init shows
# up as an anonymous frame of the nginx executable called directly by
# ngx_single_process_cycle; allocations made by a dynamic module live in
# the module's .so and are still reported.
our $BuiltinSuppressions = <<'_SUPP_';
{
   test-nginx-builtin:ngx_set_environment
   Memcheck:Leak
   match-leak-kinds: definite,indirect
   fun:malloc
   fun:ngx_alloc
   fun:ngx_set_environment
   fun:ngx_single_process_cycle
}
{
   test-nginx-builtin:ngx_event_process_init
   Memcheck:Leak
   match-leak-kinds: definite,indirect
   fun:malloc
   fun:ngx_alloc
   fun:ngx_event_process_init
   fun:ngx_single_process_cycle
}
{
   test-nginx-builtin:ngx_event_process_init-stripped
   Memcheck:Leak
   match-leak-kinds: definite,indirect
   fun:malloc
   fun:ngx_alloc
   obj:*/nginx
   fun:ngx_single_process_cycle
   fun:main
}
_SUPP_

sub write_builtin_suppressions () {
    my $file = File::Spec->catfile($ConfDir, 'test-nginx-builtin.supp');
    open my $out, '>', $file or bail_out("Can't open $file for writing: $!\n");
    print $out $BuiltinSuppressions;
    close $out;
    return $file;
}

# start nginx; returns (1) or (0, $reason)
sub start_nginx ($) {
    my ($name) = @_;

    my @cmd = nginx_cmd();
    undef $ChildStatus;

    if ($UseValgrind) {
        my @vg;
        if ($UseValgrind =~ /^\d+$/) {
            @vg = ('--tool=memcheck', '--leak-check=full',
                   '--show-leak-kinds=definite,indirect',
                   '--errors-for-leak-kinds=definite,indirect',
                   '--num-callers=50', '--gen-suppressions=all');
        } else {
            @vg = split ' ', $UseValgrind;
        }
        push @vg, '--suppressions=' . write_builtin_suppressions();
        push @vg, '--suppressions=valgrind.suppress' if -f 'valgrind.suppress';
        unlink $ValgrindLogFile;
        @cmd = ('valgrind', '-q', "--log-file=$ValgrindLogFile",
                "--error-exitcode=$ValgrindErrorExitCode", @vg, @cmd);

        warn "$name\n" if $Verbose;

        my $pid = fork();
        bail_out("$name - fork() failed: $!") unless defined $pid;
        if ($pid == 0) {
            $InSubprocess = 1;
            setpgrp(0, 0);
            open STDOUT, '>', '/dev/null';
            open STDERR, '>', $StartStderrFile;
            { no warnings 'exec'; exec { $cmd[0] } @cmd; }
            print STDERR "exec $cmd[0] failed: $!\n";
            POSIX::_exit(127);
        }
        $ChildPid = $pid;

        my $deadline = time + $ValgrindStartTimeout;
        while (time < $deadline) {
            reap_child();
            if (!defined $ChildPid) {
                return (0, "nginx (under valgrind) exited during start-up with status "
                           . ($ChildStatus // 'unknown'));
            }
            # the pid file is written once the signal handlers are set
            my $pidf = read_pidfile_quiet();
            if ($pidf && $pidf == $ChildPid) {
                my $l = port_listening($ServerPort);
                return (1) if !defined $l || $l;
            }
            sleep 0.05;
        }
        return (0, "nginx (under valgrind) did not write its pid file and listen on port $ServerPort "
                   . "within $ValgrindStartTimeout seconds");
    }

    my $waited = 0;
    my $i = 0;
    while (1) {
        my $status = run_nginx_cmd(@cmd);
        if ($status == 0) {
            last;
        }
        my $why = read_file_quiet($StartStderrFile) . error_log_tail(5);
        if ($why =~ /Address already in use/ && $waited < 5) {
            # a previous server may still be releasing the port
            $i++;
            my $delay = 0.1 * $i;
            $delay = 1 if $delay > 1;
            sleep $delay;
            $waited += $delay;
            next;
        }
        my $how = $status & 127 ? "killed by signal " . ($status & 127)
                                : "exit code " . ($status >> 8);
        return (0, "command \"@cmd\" failed ($how)", $status);
    }

    # "daemon on": the parent returns once the listening sockets are open;
    # wait for the daemon to write its pid file.
    my $deadline = time + 5;
    my $pid;
    while (time < $deadline) {
        $pid = read_pidfile_quiet();
        last if $pid && is_running($pid);
        undef $pid;
        sleep 0.01;
    }
    if (!$pid) {
        return (0, "nginx did not write its pid file $PidFile within 5 seconds");
    }

    # the listening socket is opened before daemonizing, but make sure
    # (without connecting, which nginx would log)
    while (time < $deadline) {
        my $l = port_listening($ServerPort);
        return (1) if !defined $l || $l;
        if (!is_running($pid)) {
            return (0, "nginx (pid $pid) exited right after start-up");
        }
        sleep 0.01;
    }
    return (0, "nginx does not listen on port $ServerPort after 5 seconds");
}

sub report_start_failure ($$) {
    my ($name, $reason) = @_;
    my $stderr = read_file_quiet($StartStderrFile);
    my $tail = error_log_tail(30);
    my $tb = Test::More->builder;
    Test::More::fail("$name - nginx failed to start: $reason");
    my $msg = "nginx could not be started for this block.\n";
    $msg .= "--- stderr of nginx:\n$stderr" if length $stderr;
    $msg .= "--- tail of $ErrLogFile:\n$tail" if length $tail;
    if ($UseValgrind && -s $ValgrindLogFile) {
        $msg .= "--- valgrind log:\n" . read_file_quiet($ValgrindLogFile);
    }
    if ("$stderr$tail" =~ /in \Q$ConfFile\E:(\d+)/) {
        my $lineno = $1;
        my @conf = split /^/m, read_file_quiet($ConfFile);
        my $from = $lineno > 4 ? $lineno - 4 : 1;
        my $to = $lineno + 2 < @conf ? $lineno + 2 : scalar @conf;
        $msg .= "--- $ConfFile around line $lineno:\n";
        for my $i ($from .. $to) {
            $msg .= sprintf "%s%4d  %s", ($i == $lineno ? '>' : ' '), $i,
                            $conf[$i - 1] // "\n";
        }
    } else {
        $msg .= "--- generated config: $ConfFile\n";
    }
    $tb->diag($msg);
}

# Stop the valgrind'ed nginx at the end of a block and fail the block when
# valgrind reported memory errors or leaks.
sub check_valgrind_report ($) {
    my ($name) = @_;
    my $pid = nginx_pid();
    if ($pid) {
        kill_process($pid, $ValgrindExitTimeout, $name);
    }
    reap_child();
    my $status = $ChildStatus;
    undef $ChildStatus;

    my $log = read_file_quiet($ValgrindLogFile);
    my @lines = grep { /^==\d+== / } split /^/m, $log;
    my @errors = grep { !/^==\d+== (?:Warning: |WARNING: |\s*$)/ } @lines;
    my $exit_error = defined $status && ($status >> 8) == $ValgrindErrorExitCode;

    if (@errors || $exit_error) {
        Test::More::fail("$name - valgrind reported memory errors or leaks");
        Test::More->builder->diag("valgrind report ($ValgrindLogFile):\n$log");
    } elsif (length $log) {
        warn "$name - valgrind output:\n$log";
    }
    unlink $PidFile if -f $PidFile && !nginx_is_running();
}

# ---------------------------------------------------------------------------
# logs
# ---------------------------------------------------------------------------

sub file_size ($) {
    my @st = stat $_[0];
    return @st ? $st[7] : 0;
}

sub error_log_data () {
    # leave some time for log-phase messages written after the connection
    # has been closed
    sleep $TestNginxSleep * 3;

    open my $in, '<', $ErrLogFile or return undef;

    if ($CheckAccumErrLog) {
        seek $in, $BlockErrLogStart, 0 if $BlockErrLogStart > 0;
    } elsif ($ErrLogFilePos > 0) {
        seek $in, $ErrLogFilePos, 0;
    }

    my @lines = <$in>;

    if (!$CheckAccumErrLog) {
        $ErrLogFilePos = tell($in);
    }

    close $in;
    return \@lines;
}

sub access_log_data () {
    sleep $TestNginxSleep * 3;
    open my $in, '<', $AccLogFile or die "open $AccLogFile failed: $!";
    seek $in, $BlockAccLogStart, 0 if $BlockAccLogStart > 0;
    my @lines = <$in>;
    close $in;
    return \@lines;
}

# ---------------------------------------------------------------------------
# block validation
# ---------------------------------------------------------------------------

# sections implemented by this runner
our %ImplementedSections = map { $_ => 1 } qw(
    ONLY SKIP LAST
    config http_config main_config post_main_config server_name
    log_level error_log_file
    init user_files
    request pipelined_requests more_headers raw_request
    raw_request_middle_delay shutdown server_addr_for_client timeout abort
    ignore_response http09
    error_code error_code_like
    response_headers response_headers_like
    raw_response_headers_like raw_response_headers_unlike
    response_body response_body_like response_body_unlike
    response_body_filters charset
    error_log no_error_log grep_error_log grep_error_log_out
    access_log no_access_log
    wait must_die
    skip_eval skip_nginx skip_nginx2 skip_openssl todo todo_nginx
    no_check_leak reload_fails
);

# sections of the real Test::Nginx::Socket that are NOT implemented here
our %UnimplementedSections = map { $_ => 1 } qw(
    request_eval response_body_eval curl curl_protocol curl_options curl_error
    http2 http3 quic_max_idle_timeout
    stap stap_out stap_out_like stap_out_unlike
    udp_listen udp_reply udp_reply_delay udp_query
    tcp_listen tcp_no_close tcp_reply_delay tcp_reply tcp_query tcp_query_len
    tcp_shutdown tcp_shutdown_delay
    shutdown_error_log no_shutdown_error_log skip_slave
);

# custom sections (consumed by add_block_preprocessor or
# add_response_body_check callbacks) must be declared by the test file:
#   push @Test::Nginx::Socket::ExtraSections, 'my_section';
# (harmless under the real Test::Nginx).
our @ExtraSections;

my %InternalKeys = map { $_ => 1 } qw(
    name description seq_num is_filtered blocks_object original_values
    test_nginx_enabled_http2 test_nginx_enabled_http3
);

sub block_sections ($) {
    my $block = shift;
    my @names;
    for my $k (sort keys %$block) {
        next if $InternalKeys{$k} || $k =~ /^_/;
        my $v = $block->{$k};
        next if ref $v eq 'ARRAY' && !grep { defined } @$v;
        push @names, $k;
    }
    return @names;
}

sub unsupported_section_msg ($$) {
    my ($block, $sec) = @_;
    my $name = $block->name;
    if ($UnimplementedSections{$sec}) {
        return "$0: block \"$name\": section \"--- $sec\" of the real "
             . "Test::Nginx::Socket is not implemented by this runner "
             . "(t/lib/Test/Nginx/Socket.pm); see t/README.md\n";
    }
    return "$0: block \"$name\": unknown section \"--- $sec\" (typo?). "
         . "If it is a custom section consumed by add_block_preprocessor() "
         . "or add_response_body_check(), declare it with "
         . "push \@Test::Nginx::Socket::ExtraSections, '$sec';\n";
}

sub check_block_sections ($) {
    my $block = shift;
    my %extra = map { $_ => 1 } @ExtraSections,
                                @Test::Nginx::Socket::ExtraSections;
    for my $sec (block_sections($block)) {
        next if $ImplementedSections{$sec} || $extra{$sec};
        die unsupported_section_msg($block, $sec);
    }
}

# ---------------------------------------------------------------------------
# main loop
# ---------------------------------------------------------------------------

my $SignalHandlersInstalled;

sub install_signal_handlers () {
    return if $SignalHandlersInstalled++;
    for my $sig (qw(INT TERM HUP)) {
        my $cur = $SIG{$sig};
        next if defined $cur && $cur ne 'DEFAULT' && $cur ne '';
        $SIG{$sig} = sub {
            # END blocks stop nginx
            warn "Test::Nginx: caught SIG$sig, stopping nginx\n";
            exit(128 + ($sig eq 'INT' ? 2 : $sig eq 'TERM' ? 15 : 1));
        };
    }
}

sub run_tests () {
    for my $var (sort keys %UnsupportedEnv) {
        if ($ENV{$var}) {
            die "$0: $var is set but the $UnsupportedEnv{$var} of the real "
              . "Test::Nginx is not supported by this runner "
              . "(t/lib/Test/Nginx/Util.pm)\n";
        }
    }

    $NginxVersion = get_nginx_version();

    if (!defined $ENV{TEST_NGINX_SERVER_PORT}) {
        $ENV{TEST_NGINX_SERVER_PORT} = $ServerPort;
    }

    install_signal_handlers();

    if ($UseValgrind && $MasterProcessEnabled eq 'on') {
        warn "$0: TEST_NGINX_USE_VALGRIND: running nginx with master_process off\n";
    }

    my @blocks = Test::Base::blocks();

    # fail fast on sections of the real Test::Nginx that we do not implement
    for my $block (@blocks) {
        for my $sec (@{ $block->{_section_order}[0] || [] }) {
            if ($UnimplementedSections{$sec}) {
                die unsupported_section_msg($block, $sec);
            }
        }
    }

    @blocks = shuffle @blocks unless $NoShuffle;

    for my $block (@blocks) {
        for my $hdl (@BlockPreprocessors) {
            $hdl->($block);
        }

        $block->set_value("name", $0 . " " . $block->name);
        check_block_sections($block);
        run_test($block);
    }

    cleanup();

    my $tb = Test::More->builder;
    if (!$tb->has_plan) {
        $tb->diag("WARNING: $0 declares no plan; the real Test::Nginx "
                  . "needs plan(...) or 'no_plan' (using done_testing here)");
        $tb->plan('no_plan');
        Test::More::done_testing();
    }
}

sub run_test ($) {
    my $block = shift;

    return if defined $block->SKIP;

    my $name = $block->name;

    my $first_time;
    if ($FirstTime) {
        $first_time = 1;
        undef $FirstTime;
    }

    my $rand_ports = {};
    my $config = expand_env_in_text($block->config, $name, $rand_ports);

    my $dry_run = 0;
    my $should_restart = 1;

    local $LogLevel = $LogLevel;
    if ($block->log_level) {
        $LogLevel = $block->log_level;
    }

    my $must_die;
    local $UseValgrind = $UseValgrind;
    if (defined $block->must_die) {
        $must_die = $block->must_die;
        undef $UseValgrind;     # no point checking a server that must die
    }

    if (!defined $config) {
        if (!defined $PrevConfig) {
            bail_out("$name - No '--- config' section specified and could not "
                     . "get previous one.");
        }
        # reuse the running server (and its config) like the real module
        $config = $PrevConfig;
        $should_restart = nginx_is_running() ? 0 : 1;

    } elsif (!$ForceRestartOnTest && defined $PrevConfText && !$UseValgrind
             && !defined $must_die && nginx_is_running()
             && gen_config_text($block, $config, $rand_ports) eq $PrevConfText)
    {
        # TEST_NGINX_FORCE_RESTART_ON_TEST=0 and the very same nginx.conf
        $should_restart = 0;
    }

    # skip / todo sections
    my ($tests_to_skip, $should_skip, $skip_reason);

    if (defined(my $skip_eval = $block->skip_eval)) {
        if ($skip_eval =~ m{^ \s* (\d+) \s* : \s* (.*) }xs) {
            $tests_to_skip = $1;
            $skip_reason = "skip_eval";
            my $code = $2;
            $should_skip = eval $code;
            if ($@) {
                bail_out("$name - skip_eval - failed to eval the Perl code \"$code\": $@");
            }
        }
    }

    if (defined(my $skip_nginx = $block->skip_nginx)) {
        if ($skip_nginx =~ m{^ \s* (\d+) \s* : \s* ([<>]=?) \s* (\d+)\.(\d+)\.(\d+)
                              (?: \s* : \s* (.*) )? \s*$}x)
        {
            my ($n, $op, $v1, $v2, $v3, $reason) = ($1, $2, $3, $4, $5, $6);
            $tests_to_skip = $n;
            my $ver = get_canon_version($v1, $v2, $v3);
            $skip_reason = $reason || "nginx version $op $v1.$v2.$v3";
            if ((!defined $NginxVersion and $op =~ /^</)
                or eval "$NginxVersion $op $ver")
            {
                $should_skip = 1;
            }
        } else {
            bail_out("$name - Invalid --- skip_nginx spec: $skip_nginx");
        }

    } elsif (defined(my $skip_nginx2 = $block->skip_nginx2)) {
        if ($skip_nginx2 =~ m{^ \s* (\d+) \s* : \s*
                               ([<>]=?) \s* (\d+)\.(\d+)\.(\d+) \s* (or|and) \s*
                               ([<>]=?) \s* (\d+)\.(\d+)\.(\d+)
                               (?: \s* : \s* (.*) )? \s*$}x)
        {
            my @m = ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11);
            $tests_to_skip = $m[0];
            my ($opa, $vera) = ($m[1], get_canon_version(@m[2 .. 4]));
            my $opx = $m[5];
            my ($opb, $verb) = ($m[6], get_canon_version(@m[7 .. 9]));
            $skip_reason = $m[10];
            if ((!defined $NginxVersion)
                or ($opx eq 'or' and (eval "$NginxVersion $opa $vera"
                                      or eval "$NginxVersion $opb $verb"))
                or ($opx eq 'and' and (eval "$NginxVersion $opa $vera"
                                       and eval "$NginxVersion $opb $verb")))
            {
                $should_skip = 1;
            }
        } else {
            bail_out("$name - Invalid --- skip_nginx2 spec: $skip_nginx2");
        }
    }

    if (defined(my $skip_openssl = $block->skip_openssl)) {
        if ($skip_openssl =~ m{^ \s* (\d+) \s* : \s* ([<>]=?) \s* (\d+)\.(\d+)\.(\d+)([a-z])?
                                (?: \s* : \s* (.*) )? \s*$}x)
        {
            $tests_to_skip = $1;
            my ($op, $v1, $v2, $v3, $v4) = ($2, $3, $4, $5, $6);
            $skip_reason = $7;
            if (!$skip_reason) {
                $skip_reason = !defined $OpenSSLVersion ? "Not built with OpenSSL"
                             : "OpenSSL version $op $v1.$v2.$v3" . ($v4 // '');
            }
            my $ver = get_canon_version_for_OpenSSL($v1, $v2, $v3, $v4);
            if (!defined $OpenSSLVersion or eval "$OpenSSLVersion $op $ver") {
                $should_skip = 1;
            }
        } else {
            bail_out("$name - Invalid --- skip_openssl spec: $skip_openssl");
        }
    }

    $skip_reason //= "various reasons";

    my ($should_todo, $todo_reason);
    if (defined(my $todo_nginx = $block->todo_nginx)) {
        if ($todo_nginx =~ m{^ \s* ([<>]=?) \s* (\d+)\.(\d+)\.(\d+)
                              (?: \s* : \s* (.*) )? \s*$}x)
        {
            my ($op, @v) = ($1, $2, $3, $4);
            $todo_reason = $5;
            my $ver = get_canon_version(@v);
            if ((!defined $NginxVersion and $op =~ /^</)
                or eval "$NginxVersion $op $ver")
            {
                $should_todo = 1;
            }
        } else {
            bail_out("$name - Invalid --- todo_nginx spec: $todo_nginx");
        }
    }

    if (defined(my $todo = $block->todo)) {
        if ($todo =~ m{^ \s* (\d+) \s* : \s* (.*) }xs) {
            $should_todo = 1;
            $tests_to_skip = $1;
            $todo_reason = $2;
        } else {
            bail_out("$name - Invalid --- todo spec: $todo");
        }
    }

    $todo_reason //= "various reasons";

    my $reused = 0;

    if (!$should_skip && $should_restart) {
        stop_nginx($name, timeout());
        undef $ChildStatus;

        $PrevConfig = $config;

        setup_server_root($first_time);
        write_user_files($block, $rand_ports);
        $PrevConfText = write_config_file($block, $config, $rand_ports);

        $ErrLogFilePos = 0;
        $BlockErrLogStart = 0;
        $BlockAccLogStart = 0;

        if (defined $must_die) {
            my $i = 0;
            while ($i < $RepeatEach) {
                my $status = run_nginx_cmd(nginx_cmd());
                my ($exit_code, $coredump);
                my $exec_failed = $status == -1 || ($status >> 8) == 127;
                $exit_code = $status >> 8;
                $coredump = $status & 128;

                if ($exec_failed) {
                    Test::More::fail("$name - failed to execute the nginx command line");
                } elsif ($coredump) {
                    Test::More::fail("$name - nginx core dumped");
                } elsif (looks_like_number($must_die)) {
                    Test::More::is($must_die, $exit_code,
                                   "$name - die with the expected exit code");
                } else {
                    Test::More::isnt($status, 0, "$name - die as expected");
                }

                $CheckErrorLog->($block, undef, $dry_run, $i, 0);

                if ($status == 0) {
                    warn "WARNING: $name - nginx must die but it does not; "
                       . "killing it (req $i)\n";
                    for (1 .. 15) {
                        last if -f $PidFile;
                        sleep $TestNginxSleep;
                    }
                    stop_nginx($name, timeout());
                }
                $i++;
            }
            undef $PrevConfig;
            undef $PrevConfText;
            return;
        }

        my ($ok, $reason, $status) = start_nginx($name);
        if (!$ok) {
            my $directive;
            if ($ENV{TEST_NGINX_IGNORE_MISSING_DIRECTIVES}
                and $directive = check_if_missing_directives())
            {
                $dry_run = "the lack of directive $directive";
            } else {
                report_start_failure($name, $reason);
                stop_nginx($name, 1);
                undef $PrevConfig;
                undef $PrevConfText;
                return;
            }
        }

        sleep $TestNginxSleep;

    } elsif (!$should_skip) {
        # server reused: only look at what this block logs
        $reused = 1;
        write_user_files($block, $rand_ports);
        $BlockErrLogStart = file_size($ErrLogFile);
        $BlockAccLogStart = file_size($AccLogFile);
        $ErrLogFilePos = $BlockErrLogStart;
    }

    if ($block->init) {
        eval $block->init;
        if ($@) {
            bail_out("$name - init failed: $@");
        }
    }

    my $i = 0;
    while ($i++ < $RepeatEach) {
        warn "Run the test block ", $block->name, " ...\n" if $Verbose;

        if ($i > 1) {
            write_user_files($block, $rand_ports);
        }

        if ($should_skip && defined $tests_to_skip) {
            SKIP: {
                Test::More::skip("$name - $skip_reason", $tests_to_skip);
                $RunTestHelper->($block, $dry_run, $i - 1);
            }

        } elsif ($should_todo) {
            TODO: {
                Test::More::todo_skip("$name - $todo_reason", $tests_to_skip);
                $RunTestHelper->($block, $dry_run, $i - 1);
            }

        } else {
            $RunTestHelper->($block, $dry_run, $i - 1);
        }
    }

    if (my $total_errlog = $ENV{TEST_NGINX_ERROR_LOG}) {
        if (-s $ErrLogFile) {
            if (open my $out, '>>', $total_errlog) {
                print $out "\n=== $0 $name\n";
                open my $in, '<', $ErrLogFile;
                if ($in) {
                    seek $in, $BlockErrLogStart, 0 if $reused;
                    local $/ = \65536;
                    print $out $_ while <$in>;
                    close $in;
                }
                close $out;
            } else {
                bail_out("Failed to append to $total_errlog: $!\n");
            }
        }
    }

    if ($UseValgrind && !$should_skip && !$dry_run) {
        check_valgrind_report($name);
    }
}

sub check_if_missing_directives () {
    open my $in, '<', $ErrLogFile or return 0;
    while (<$in>) {
        if (/\[emerg\] \S+?: unknown directive "([^"]+)"/) {
            close $in;
            return $1;
        }
    }
    close $in;
    my $stderr = read_file_quiet($StartStderrFile);
    if ($stderr =~ /unknown directive "([^"]+)"/) {
        return $1;
    }
    return 0;
}

END {
    return if $InSubprocess || $$ != $MainPid;
    local $?;   # do not confuse Test::Builder's exit code

    cleanup();

    if ($UseValgrind || !$ENV{TEST_NGINX_NO_CLEAN}) {
        stop_nginx('END', timeout());
    }
}

1;
