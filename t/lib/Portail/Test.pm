package Portail::Test;

# What portail's Test::Nginx files share: the test database (a fresh copy of
# the template `make test` prepared, per test file), direct SQL to set up and
# check database state, PostgreSQL fault injection, concurrent and aborted
# HTTP clients, and the mails the local SMTP server kept.
#
# Everything comes from the environment tools/test exports; the defaults let
# a single file run by hand against a cluster started the same way.

use strict;
use warnings;

use DBI;
use Exporter 'import';
use IO::Select;
use IO::Socket::INET;
use JSON::PP;
use Time::HiRes qw(sleep time);
use POSIX ();
use File::Basename qw(dirname);
use Cwd qw(abs_path);
use MIME::Base64 qw(encode_base64url decode_base64url);
use Digest::SHA qw(sha256 hmac_sha256);

our @EXPORT = qw(
    reset_database db sql sql_value pg_stop pg_start pg_signal pg_settle
    hold_lock release_locks http_request concurrent_requests
    abort_request mails clear_mails wait_for_mail json_decode json_encode
    portail_root use_portail_defaults $HTTP_CONFIG $API_CONFIG $TEMPLATES_CONFIG
    mail_token mail_text open_session csrf_for after_blocks wait_for_mail_count
    outbox
    start_node start_standby standby_sql_value standby_caught_up session_cookie
);

$ENV{TEST_NGINX_POSTGRESQL_HOST} ||= '127.0.0.1';
$ENV{TEST_NGINX_POSTGRESQL_PORT} ||= 5432;
$ENV{TEST_NGINX_POSTGRESQL_DB}   ||= 'portail_test';
$ENV{TEST_NGINX_POSTGRESQL_USER} ||= 'portail_app';
$ENV{TEST_PORTAIL_PG_SUPERUSER}  ||= 'postgres';
$ENV{TEST_PORTAIL_TEMPLATE}      ||= 'portail_template';

my $root = abs_path(dirname(__FILE__) . '/../../..');

# The configuration blocks get unless they say otherwise: the pool on the
# test database, the inspector of uploaded PDFs make built, and the API
# with nginx's own errors answered in JSON.  A block with an http block of
# its own names the inspector as $TEST_NGINX_PORTAIL_PDFCHECK.
$ENV{TEST_NGINX_SMTP_PORT} ||= 2525;
$ENV{TEST_NGINX_PORTAIL_PDFCHECK} ||= "$root/build/portail-pdfcheck";

our $HTTP_CONFIG = <<"CONF";
    portail_database "host=$ENV{TEST_NGINX_POSTGRESQL_HOST} port=$ENV{TEST_NGINX_POSTGRESQL_PORT} dbname=$ENV{TEST_NGINX_POSTGRESQL_DB} user=$ENV{TEST_NGINX_POSTGRESQL_USER}";
    portail_smtp 127.0.0.1:$ENV{TEST_NGINX_SMTP_PORT};
    portail_mail_interval 100ms;
    portail_public_url https://portail.example.org;
    portail_upload_pdf_check $ENV{TEST_NGINX_PORTAIL_PDFCHECK};
CONF

our $TEMPLATES_CONFIG = "    portail_templates $root/templates;\n";

our $API_CONFIG = <<"CONF";
    include $root/conf/portail-securite.conf;
    error_page 400 414 500 /api/.erreur;
    error_page 494 =494 /api/.erreur;   # nginx would make it a bare 400
    location = /api/.erreur {
        internal;
        portail_api_errors;
    }
    location /api/ {
        portail_api;
        error_page 400 403 404 405 413 414 429 500 502 503 504 \@portail_erreur;
    }
    location \@portail_erreur {
        portail_api_errors;
    }
CONF

my $ASAN_OPTIONS = $ENV{ASAN_OPTIONS};

sub use_portail_defaults {
    my (%o) = @_;
    Test::Nginx::Socket::add_block_preprocessor(sub {
        my $block = shift;
        _expand_placeholders($block);
        my $http = $block->http_config // '';
        my $server = $block->config // '';
        $block->set_value('http_config',
                          $HTTP_CONFIG . ($o{http_config} // '') . $http)
            unless $http =~ /portail_database\s/;
        $block->set_value('config', $API_CONFIG . ($o{config} // '') . $server)
            unless $server =~ /portail_api\s*;/;

        # the checkout's templates, not the package's
        my $with = $block->http_config // '';
        $block->set_value('http_config', $TEMPLATES_CONFIG . $with)
            unless $with =~ /portail_templates\s/;

        # and the checkout's PDF inspector, even in a block with a database
        # of its own (a restored copy, a standby)
        $with = $block->http_config // '';
        $block->set_value('http_config',
                          "    portail_upload_pdf_check $ENV{TEST_NGINX_PORTAIL_PDFCHECK};\n" . $with)
            unless $with =~ /portail_upload_pdf_check\s/;

        # an nginx that must refuse its configuration exits from main()
        # without freeing its startup pools: nginx's leak, not ours, and
        # every such exit would report it.  Memory errors are still caught.
        if (defined $ASAN_OPTIONS) {
            $ENV{ASAN_OPTIONS} = defined $block->must_die
                ? "$ASAN_OPTIONS:detect_leaks=0" : $ASAN_OPTIONS;
        }

        # whatever a block checks, nginx must not report a bug of ours
        # (an [alert] is also how a crashed worker shows)
        my $said = $block->error_log;
        $said = join "\n", @$said if ref $said eq 'ARRAY';
        unless (defined $said && $said =~ /\[(alert|crit|emerg)\]/) {
            my $no = $block->no_error_log // '';
            $no .= "\n" if length $no && $no !~ /\n$/;
            $block->set_value('no_error_log', $no . "[alert]\n[crit]\n[emerg]\n");
        }
    });
}

sub portail_root { $root }

sub _dsn {
    my ($db) = @_;
    return "dbi:Pg:host=$ENV{TEST_NGINX_POSTGRESQL_HOST};"
         . "port=$ENV{TEST_NGINX_POSTGRESQL_PORT};dbname=$db";
}

sub _connect {
    my ($db) = @_;
    return DBI->connect(_dsn($db), $ENV{TEST_PORTAIL_PG_SUPERUSER}, '',
                        { RaiseError => 1, AutoCommit => 1, PrintError => 0,
                          pg_enable_utf8 => 0 });
}

my $dbh;

# A new copy of the template for the calling test file: tests never see
# each other's changes.
sub reset_database {
    undef $dbh;
    my $admin = _connect('postgres');
    $admin->do(q{SET client_min_messages = warning});
    my $name = $ENV{TEST_NGINX_POSTGRESQL_DB};
    $admin->do(qq{DROP DATABASE IF EXISTS "$name" WITH (FORCE)});
    $admin->do(qq{CREATE DATABASE "$name" TEMPLATE "$ENV{TEST_PORTAIL_TEMPLATE}"});
    $admin->disconnect;
    return;
}

sub db {
    if (!$dbh || !$dbh->ping) {
        $dbh = _connect($ENV{TEST_NGINX_POSTGRESQL_DB});
        # "?" is a jsonb operator here, not a placeholder
        $dbh->{pg_placeholder_dollaronly} = 1;
        $dbh->do(q{SET search_path = portail});
        $dbh->do(q{SET TimeZone = 'Europe/Paris'});
    }
    return $dbh;
}

# rows as hash references
sub sql {
    my ($query, @bind) = @_;
    return db()->selectall_arrayref($query, { Slice => {} }, @bind);
}

sub sql_value {
    my ($query, @bind) = @_;
    my $row = db()->selectrow_arrayref($query, undef, @bind);
    return $row ? $row->[0] : undef;
}

# Checks run after a block's last request, chosen by a [name] at the end of
# the block's title: database state, e-mails, scenarios with concurrent or
# aborted clients that the data sections cannot express.
sub after_blocks {
    my ($hooks) = @_;
    Test::Nginx::Socket::add_response_body_check(sub {
        my ($block, $body, $req_idx, $repeated_req_idx, $dry_run) = @_;
        return if $dry_run;
        my $req = $block->request;
        my $last = ref $req eq 'ARRAY' ? $#$req : 0;
        return unless $req_idx == $last;
        my ($name) = $block->name =~ /\[(\w+)\]\s*$/ or return;
        my $run = $hooks->{$name} or die "no check named $name\n";
        $run->($block, $body);
    });
}

# --- placeholders ------------------------------------------------------------
#
# Values only known while the tests run, put into a block's request and
# headers just before it runs (block preprocessors run then, in Test::Nginx
# as here):
#   {{mail_token:ADDRESS}}  the token of the link in the newest mail to ADDRESS
#   {{session:EMAIL}}       a cookie value for a new session of EMAIL's account
#   {{csrf:EMAIL}}          the CSRF token of that session (same block)
#   {{session:EMAIL#label}} the same, shared by all blocks using that label

my %block_session;

sub _expand_placeholders {
    my ($block) = @_;
    %block_session = ();
    for my $section (qw(request more_headers response_body response_body_like)) {
        my $v = $block->$section;
        next unless defined $v;
        my $changed = 0;
        if (ref $v eq 'ARRAY') {
            for (@$v) { $changed += _expand(\$_) }
        } else {
            $changed = _expand(\$v);
        }
        $block->set_value($section, $v) if $changed;
    }
}

sub _expand {
    my ($ref) = @_;
    return 0 unless defined $$ref;
    return $$ref =~ s/\{\{(mail_token|session|csrf):([^}]+)\}\}/_value($1, $2)/ge;
}

# "EMAIL#label" names a session shared by the blocks of the file
my %file_session;

sub _value {
    my ($kind, $arg) = @_;
    return mail_token($arg) if $kind eq 'mail_token';
    my ($email, $label) = split /#/, $arg, 2;
    my $store = defined $label ? \%file_session : \%block_session;
    $store->{$arg} ||= [ open_session($email) ];
    return $kind eq 'session' ? $store->{$arg}[0] : $store->{$arg}[1];
}

# A session opened directly in the database, as a sign-in would: returns
# (cookie value, CSRF token).
sub open_session {
    my ($email, %o) = @_;
    my $token = '';
    open my $rnd, '<:raw', '/dev/urandom' or die "urandom: $!";
    read($rnd, $token, 32) == 32 or die "urandom: short read";
    close $rnd;
    my $compte = sql_value(q{SELECT id FROM compte WHERE email = lower($1)}, $email)
        // die "no account for $email\n";
    db()->do(q{INSERT INTO session (compte_id, jeton_hash, expire_le, inactivite, se_souvenir)
               VALUES ($1, $2, now() + $3::interval, $4::interval, false)},
             undef, $compte, _bytea(sha256($token)),
             $o{lifetime} // '12 hours', $o{idle} // '30 minutes');
    return (encode_base64url($token), csrf_for(encode_base64url($token)));
}

# the session cookie an answer sets (sign-in), or undef
sub session_cookie {
    my ($r) = @_;
    my ($v) = ($r->{headers}{'set-cookie'} // '') =~ /portail_session=([^;]*)/;
    return $v;
}

sub csrf_for {
    my ($cookie) = @_;
    return encode_base64url(hmac_sha256('csrf', decode_base64url($cookie)));
}

sub _bytea {
    my ($bin) = @_;
    return '\\x' . unpack('H*', $bin);
}

# The text part of a message kept by the SMTP sink, decoded from base64.
sub mail_text {
    my ($m) = @_;
    my $raw = $m->{raw};
    my @parts = split /\r?\n--portail-\d+/, $raw;
    for my $p (@parts) {
        next unless $p =~ m{Content-Type: text/plain};
        my ($body) = $p =~ /\r?\n\r?\n(.*)/s;
        $body =~ s/\s+//g;
        # bytes, as the test files' own strings
        return MIME::Base64::decode_base64($body);
    }
    return $raw;
}

sub mail_token {
    my ($to) = @_;
    my $m = wait_for_mail($to, qr/jeton=/, 10) or die "no mail with a link to $to\n";
    my ($token) = mail_text($m) =~ /jeton=([A-Za-z0-9_-]{43})/
        or die "no link with a token in the mail to $to\n";
    return $token;
}

# --- another nginx node ------------------------------------------------------
#
# A second nginx on the same database, configured like `make run` does
# (tools/nginx-conf), for the tests of several nodes.  Returns its port and
# a function that stops it.

sub start_node {
    my (%o) = @_;
    my $name = $o{name} || 'noeud';
    my $prefix = "$root/var/test/$name";
    system('rm', '-rf', $prefix);
    mkdir $_ for $prefix, "$prefix/logs", "$prefix/tmp", "$prefix/conf";
    my $port = do {
        my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                      LocalPort => 0, ReuseAddr => 1);
        my $p = $s->sockport;
        close $s;
        $p;
    };
    my $module = $ENV{TEST_NGINX_LOAD_MODULES} || "$root/build/ngx_http_portail_module.so";
    local $ENV{PORTAIL_ROOT} = $root;
    local $ENV{PORTAIL_PREFIX} = $prefix;
    local $ENV{PORT} = $port;
    local $ENV{PGPORT} = $ENV{TEST_NGINX_POSTGRESQL_PORT};
    local $ENV{PGDATABASE} = $ENV{TEST_NGINX_POSTGRESQL_DB};
    local $ENV{SMTP_PORT} = $ENV{TEST_NGINX_SMTP_PORT};
    local $ENV{WORKERS} = $o{workers} || 1;
    local $ENV{PORTAIL_EXTRA_HTTP} = $o{http_config} // '';
    my $conf = `$root/tools/nginx-conf`;
    die "tools/nginx-conf failed\n" if $?;
    $conf =~ s{^load_module \S+;}{load_module $module;}m;
    open my $fh, '>', "$prefix/conf/nginx.conf" or die $!;
    print $fh $conf;
    close $fh;
    my $nginx = $ENV{TEST_NGINX_BINARY} || '/usr/sbin/nginx';
    system($nginx, '-p', "$prefix/", '-c', "$prefix/conf/nginx.conf",
           '-e', "$prefix/logs/error.log") == 0
        or die "the second node did not start: " . `tail -n 5 $prefix/logs/error.log`;
    my $deadline = time + 10;
    until (IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port)) {
        die "the second node does not listen\n" if time > $deadline;
        sleep 0.05;
    }
    my $stop = sub {
        if (open my $pf, '<', "$prefix/logs/nginx.pid") {
            my $pid = <$pf>;
            chomp $pid;
            kill 'QUIT', $pid;
            my $until = time + 10;
            sleep 0.05 while kill(0, $pid) && time < $until;
            kill 'KILL', $pid if kill 0, $pid;
        }
    };
    return ($port, $stop);
}

# --- a streaming hot standby -------------------------------------------------
#
# A standby of the test cluster made by the test itself (pg_basebackup -R,
# tools/pgcluster replica), for lag-tolerant reads.  Returns its port and a
# function that removes it.  Call reset_database() first: a database
# dropped on the primary ends the standby's sessions on it.

sub _free_port {
    my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, ReuseAddr => 1);
    my $p = $s->sockport;
    close $s;
    return $p;
}

sub start_standby {
    my $dir = _cluster() . '-standby';
    system("$root/tools/pgcluster", 'destroy', $dir);
    my $port = _free_port();
    system("$root/tools/pgcluster", 'replica', $dir, $port,
           $ENV{TEST_NGINX_POSTGRESQL_PORT}) == 0
        or die "the standby did not start\n";
    standby_caught_up($port);
    my $stop = sub { system("$root/tools/pgcluster", 'destroy', $dir) };
    return ($port, $stop, $dir);
}

sub _standby_connect {
    my ($port) = @_;
    return DBI->connect("dbi:Pg:host=$ENV{TEST_NGINX_POSTGRESQL_HOST};port=$port;"
                        . "dbname=$ENV{TEST_NGINX_POSTGRESQL_DB}",
                        $ENV{TEST_PORTAIL_PG_SUPERUSER}, '',
                        { RaiseError => 1, AutoCommit => 1, PrintError => 0 });
}

# a value read on the standby (as superuser: pg_wal_replay_pause() too)
sub standby_sql_value {
    my ($port, $query, @bind) = @_;
    my $h = _standby_connect($port);
    $h->{pg_placeholder_dollaronly} = 1;
    $h->do(q{SET search_path = portail});
    my ($v) = $h->selectrow_array($query, undef, @bind);
    $h->disconnect;
    return $v;
}

# waits until the standby replayed all the primary wrote so far
sub standby_caught_up {
    my ($port) = @_;
    my $target = sql_value(q{SELECT pg_current_wal_lsn()::text});
    my $deadline = time + 20;
    while (time < $deadline) {
        my $done = eval {
            standby_sql_value($port, q{SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn},
                              $target);
        };
        return 1 if $done;
        sleep 0.05;
    }
    die "the standby did not catch up with the primary\n";
}

# --- PostgreSQL faults -----------------------------------------------------

sub _cluster {
    my $dir = $ENV{TEST_PORTAIL_PG_DIR}
        or die "TEST_PORTAIL_PG_DIR is not set: run through make test\n";
    return $dir;
}

sub pg_stop {
    undef $dbh;
    system("$root/tools/pgcluster", 'stop', _cluster()) == 0
        or die "cannot stop PostgreSQL\n";
}

sub pg_start {
    system("$root/tools/pgcluster", 'start', _cluster(),
           $ENV{TEST_NGINX_POSTGRESQL_PORT}) == 0
        or die "cannot start PostgreSQL\n";
}

# SIGSTOP / SIGCONT / SIGKILL to the postmaster and its backends
sub pg_signal {
    my ($sig) = @_;
    my $dir = _cluster();
    $dir = readlink($dir) if -l $dir;
    open my $fh, '<', "$dir/postmaster.pid" or die "no postmaster.pid: $!\n";
    my $pid = <$fh>;
    chomp $pid;
    close $fh;
    my @pids = ($pid);
    if (open my $ps, '-|', 'pgrep', '-P', $pid) {
        push @pids, map { chomp; $_ } <$ps>;
    }
    kill $sig, @pids;
    return;
}

# waits until PostgreSQL accepts connections again
sub pg_settle {
    my $deadline = time + 10;
    while (time < $deadline) {
        my $h = eval { _connect('postgres') };
        if ($h) { $h->disconnect; return 1 }
        sleep 0.1;
    }
    die "PostgreSQL did not come back\n";
}

# A background session holding a lock for some seconds: statements that need
# the table wait, as behind a long transaction.
my @holders;

sub hold_lock {
    my ($table, $seconds) = @_;
    pipe(my $r, my $w) or die "pipe: $!";
    my $pid = fork // die "fork: $!";
    if ($pid == 0) {
        close $r;
        my $h = _connect($ENV{TEST_NGINX_POSTGRESQL_DB});
        $h->begin_work;
        $h->do("LOCK TABLE $table IN ACCESS EXCLUSIVE MODE");
        print {$w} "locked\n";
        close $w;
        sleep $seconds;
        $h->commit;
        $h->disconnect;
        POSIX::_exit(0);
    }
    close $w;
    my $line = <$r>;
    close $r;
    die "lock holder failed\n" unless $line && $line eq "locked\n";
    push @holders, $pid;
    return $pid;
}

sub release_locks {
    for my $pid (@holders) {
        waitpid($pid, 0);
    }
    @holders = ();
}

END {
    kill 'TERM', @holders if @holders;
}

# --- HTTP -------------------------------------------------------------------

sub server_port {
    return $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
}

sub _raw_request {
    my (%o) = @_;
    my $method = $o{method} || 'GET';
    my $body = $o{body} // '';
    my $headers = $o{headers} || {};
    my $req = "$method $o{path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n";
    for my $k (sort keys %$headers) {
        $req .= "$k: $headers->{$k}\r\n";
    }
    $req .= "Content-Length: " . length($body) . "\r\n"
        if (length $body || $method ne 'GET') && !grep { lc eq 'content-length' } keys %$headers;
    return "$req\r\n$body";
}

sub _parse_response {
    my ($raw) = @_;
    my ($head, $body) = split /\r\n\r\n/, $raw, 2;
    return { status => 0, body => '', headers => {} } unless defined $head;
    my @lines = split /\r\n/, $head;
    my ($status) = (shift(@lines) // '') =~ m{^HTTP/\d\.\d (\d{3})};
    my (%h, @cookies);
    for (@lines) {
        my ($k, $v) = /^([^:]+):\s*(.*)$/ or next;
        $h{lc $k} = $v;
        push @cookies, $v if lc $k eq 'set-cookie';
    }
    if (($h{'transfer-encoding'} // '') =~ /chunked/i) {
        my $out = '';
        while ($body =~ s/^([0-9a-fA-F]+)\r\n//) {
            my $n = hex $1;
            last if $n == 0;
            $out .= substr($body, 0, $n, '');
            $body =~ s/^\r\n//;
        }
        $body = $out;
    }
    return { status => $status // 0, headers => \%h, cookies => \@cookies,
             body => $body // '' };
}

# one request, with a time limit; returns { status, headers, cookies, body,
# time }: headers keeps the last of a repeated header, cookies every
# Set-Cookie
sub http_request {
    my (%o) = @_;
    my @r = concurrent_requests(1, %o);
    return $r[0];
}

# n identical requests sent at once on n connections, answers read as they
# come (one process, IO::Select): the way to put a pool under pressure.
sub concurrent_requests {
    my ($n, %o) = @_;
    my $timeout = $o{timeout} || 10;
    my $payload = _raw_request(%o);
    my (%buf, %start, %done, @order);
    my $sel = IO::Select->new;
    for my $i (1 .. $n) {
        # local_addr: another client address (Linux routes all of 127/8
        # to lo, so 127.0.0.2 reaches a server on 127.0.0.1)
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $o{port} || server_port(),
                                      ($o{local_addr} ? (LocalAddr => $o{local_addr}) : ()),
                                      Proto => 'tcp', Timeout => 5)
            or die "connect: $!";
        binmode $s;
        $start{$s} = time;
        syswrite($s, $payload) == length $payload or die "write: $!";
        $buf{$s} = '';
        push @order, $s;
        $sel->add($s);
    }
    my $deadline = time + $timeout;
    while ($sel->count && time < $deadline) {
        for my $s ($sel->can_read(0.05)) {
            my $got = sysread($s, my $chunk, 65536);
            if (!$got) {
                $done{$s} = time - $start{$s};
                $sel->remove($s);
                close $s;
                next;
            }
            $buf{$s} .= $chunk;
        }
    }
    my @out;
    for my $s (@order) {
        my $r = _parse_response($buf{$s});
        $r->{time} = $done{$s} // -1;
        push @out, $r;
        if (!exists $done{$s}) { $sel->remove($s); close $s; }
    }
    return @out;
}

# sends a request and closes the connection after $after seconds, before
# the answer: a tenant closing the tab
sub abort_request {
    my ($after, %o) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => server_port(), Proto => 'tcp')
        or die "connect: $!";
    syswrite($s, _raw_request(%o));
    sleep $after;
    close $s;
    return;
}

# Test files hold UTF-8 bytes (no "use utf8"): JSON goes from bytes to
# bytes, never through Perl characters, so nothing is encoded twice.
sub json_decode { JSON::PP->new->decode($_[0]) }

sub json_encode {
    my $s = JSON::PP->new->canonical->encode($_[0]);
    utf8::downgrade($s);
    return $s;
}

# --- mail -------------------------------------------------------------------

sub _mail_dir {
    my $dir = $ENV{TEST_PORTAIL_MAIL_DIR}
        or die "TEST_PORTAIL_MAIL_DIR is not set: run through make test\n";
    return $dir;
}

# messages kept by tools/smtp-sink, oldest first: { file, to, raw, headers }
sub mails {
    my $dir = _mail_dir();
    opendir my $dh, $dir or return ();
    my @files = sort grep { /\.eml$/ } readdir $dh;
    closedir $dh;
    my @out;
    for my $f (@files) {
        open my $fh, '<:raw', "$dir/$f" or next;
        local $/;
        my $raw = <$fh>;
        close $fh;
        my ($to) = $raw =~ /^X-Envelope-To: (.*?)\r?$/m;
        push @out, { file => "$dir/$f", to => $to, raw => $raw };
    }
    return @out;
}

# waits until $n messages to $to (matching $re) have arrived
sub wait_for_mail_count {
    my ($to, $re, $n, $timeout) = @_;
    my $deadline = time + ($timeout || 10);
    my $count = 0;
    while (time < $deadline) {
        $count = grep { defined $_->{to} && lc $_->{to} eq lc $to
                        && (!$re || $_->{raw} =~ $re || mail_text($_) =~ $re) } mails();
        return $count if $count >= $n;
        sleep 0.1;
    }
    return $count;
}

# a message for the outbox, as the SQL functions write them: its id
sub outbox {
    my ($to, $model, $data) = @_;
    return sql_value(q{INSERT INTO courriel (destinataire, modele, donnees)
                       VALUES ($1, $2, $3::jsonb) RETURNING id},
                     $to, $model, json_encode($data));
}

sub clear_mails {
    unlink map { $_->{file} } mails();
}

# waits for a message to $to (and matching $re when given)
sub wait_for_mail {
    my ($to, $re, $timeout) = @_;
    my $deadline = time + ($timeout || 10);
    while (time < $deadline) {
        for my $m (reverse mails()) {
            next unless defined $m->{to} && lc $m->{to} eq lc $to;
            next if $re && $m->{raw} !~ $re && mail_text($m) !~ $re;
            return $m;
        }
        sleep 0.1;
    }
    return undef;
}

1;
