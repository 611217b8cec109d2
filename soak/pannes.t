# Faults under load (make soak; docs/security.md lists what it proves).
#
# A second nginx, configured as `make run` is (2 workers, tools/nginx-conf),
# serves tenants reading their home page and filing requests with a PDF
# attached, from several processes at once, while each block injects one
# fault: PostgreSQL killed (SIGKILL) and restarted, paused (SIGSTOP) and
# resumed, its connections exhausted, a statement held behind a lock, an
# nginx worker killed, nginx reloaded.  Every answer is recorded, then:
#
# - while the fault lasts, only 503/504 with a JSON error (or the answer
#   itself); never a 500, 502, or a connection dropped (but by the worker
#   we killed, for the requests it was serving);
# - from 2 s after the fault ends, every answer is the right one;
# - afterwards, connections back within the pool's limits on both sides
#   (PostgreSQL's pg_stat_activity, and no half-closed socket in nginx), no
#   transaction left open, no worker crashed but the one we killed;
# - nothing half-written: every request acknowledged (201) is stored, every
#   stored request has its status and its whole attachment; e-mails sent once.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Time::HiRes qw(time sleep);
use POSIX ();
use IO::Handle;
use DBI;
use Portail::Test;
use Portail::Pieces;

reset_database();
clear_mails();
use_portail_defaults();
no_shuffle();

my $JEAN = 'jean.martin@example.org';
my $WORKERS = 2;
my $POOL = 8;            # tools/nginx-conf: portail_database_max_connections
my $READERS = $ENV{SOAK_READERS} || 6;
my $WRITERS = $ENV{SOAK_WRITERS} || 2;
my $DIR = portail_root() . '/var/test/pannes-charge';
my $PGPORT = $ENV{TEST_NGINX_POSTGRESQL_PORT};

# a short lease: messages of a killed worker are sent again within the run
my ($PORT, $stop_node) = start_node(name => 'pannes', workers => $WORKERS,
                                    http_config => 'portail_mail_lease 20s;');
my $PREFIX = portail_root() . '/var/test/pannes';
END { $stop_node->() if $stop_node }

my @sessions = map { [ open_session($JEAN, lifetime => '2 hours', idle => '2 hours') ] } 1 .. $READERS + $WRITERS;
my $contrat = sql_value(q{SELECT right(k.numero, 7) FROM compte c,
                                 LATERAL portail.contrats_du_compte(c.id) k
                           WHERE c.email = $1 ORDER BY k.numero LIMIT 1}, $JEAN);

# figures for docs/security.md, printed at the end
my %total = (requests => 0, faults => 0, crashes => 0, lost => 0);

# --- the load --------------------------------------------------------------

sub node_log { my $f = "$PREFIX/logs/error.log"; open my $fh, '<', $f or return ''; local $/; <$fh> }

sub master_pid {
    open my $fh, '<', "$PREFIX/logs/nginx.pid" or die "no pid file: $!";
    my $pid = <$fh>;
    chomp $pid;
    return $pid;
}

sub worker_pids {
    my $master = master_pid();
    open my $ps, '-|', 'pgrep', '-P', $master or return ();
    return map { chomp; $_ } <$ps>;
}

# one client process: sends its request again and again until told to stop,
# and writes a line per answer: start, end, status, error code, label
sub client {
    my ($file, $send, $pause) = @_;
    my $pid = fork // die "fork: $!";
    return $pid if $pid;
    open my $out, '>', $file or POSIX::_exit(1);
    $out->autoflush(1);
    my $n = 0;
    until (-e "$DIR/stop") {
        my $label = "$$-" . ++$n;
        my $t0 = time;
        my $r = eval { $send->($label) } // { status => 0, body => '' };
        my ($err) = ($r->{body} // '') =~ /"error":"([a-z_]+)"/;
        my $json = ($r->{body} // '') =~ /"message":"/ ? 1 : 0;
        printf $out "%.3f %.3f %d %s %d %s\n", $t0, time, $r->{status}, $err // '-', $json, $label;
        sleep $pause if $pause;
    }
    close $out;
    POSIX::_exit(0);
}

sub start_load {
    system('rm', '-rf', $DIR);
    mkdir $DIR or die "$DIR: $!";
    my @pids;
    for my $i (0 .. $READERS - 1) {
        my $cookie = $sessions[$i][0];
        push @pids, client("$DIR/lecture$i", sub {
            http_request(port => $PORT, path => '/api/accueil', timeout => 15,
                         headers => { Cookie => "portail_session=$cookie" });
        });
    }
    for my $i (0 .. $WRITERS - 1) {
        my ($cookie, $csrf) = @{ $sessions[$READERS + $i] };
        push @pids, client("$DIR/ecriture$i", sub {
            my ($label) = @_;
            http_request(port => $PORT, path => '/api/demandes', method => 'POST', timeout => 15,
                headers => { Cookie => "portail_session=$cookie", 'X-CSRF-Token' => $csrf,
                             'Content-Type' => "multipart/form-data; boundary=$BOUNDARY" },
                body => mp(contrat => $contrat, categorie => 'technique_logement',
                           objet => "Panne $label", description => 'Soak: la porte du garage grince.',
                           pieces => ["constat $label.pdf", $PDF, 'application/pdf']));
        }, 0.05);
    }
    return \@pids;
}

sub stop_load {
    my ($pids) = @_;
    open my $fh, '>', "$DIR/stop" or die $!;
    close $fh;
    waitpid($_, 0) for @$pids;
    my @samples;
    for my $f (glob "$DIR/lecture* $DIR/ecriture*") {
        my $kind = $f =~ /lecture/ ? 'lecture' : 'ecriture';
        open my $in, '<', $f or next;
        while (<$in>) {
            my ($t0, $t1, $status, $err, $json, $label) = split;
            push @samples, { start => $t0, end => $t1, status => $status, error => $err,
                             json => $json, label => $label, kind => $kind };
        }
    }
    return \@samples;
}

sub statuses {
    my %n;
    $n{$_->{status}}++ for @_;
    return join ' ', map { "${_}x$n{$_}" } sort keys %n;
}

sub ok_status { my $s = shift; $s->{status} == ($s->{kind} eq 'lecture' ? 200 : 201) }

# --- the checks after each fault -------------------------------------------

sub check_run {
    my ($name, $samples, $fault_start, $fault_end, %o) = @_;
    $total{requests} += @$samples;
    $total{faults}++ if defined $fault_start;

    my @before = grep { $_->{end} < ($fault_start // 9e9) } @$samples;
    my @after = grep { $_->{start} > ($fault_end // 0) + 2 } @$samples;
    my @during = grep { !ok_status($_) } @$samples;

    cmp_ok(scalar(@$samples), '>', 50, "$name: load sent (" . scalar(@$samples) . ' requests)');
    is(scalar(grep { !ok_status($_) } @before), 0, "$name: all answered before the fault")
        if defined $fault_start;

    my @bad = grep { !ok_status($_) && !($_->{status} =~ /^50[34]$/ && $_->{json}) } @during;
    my @dropped = grep { $_->{status} == 0 } @bad;
    if ($o{dropped_max}) {
        cmp_ok(scalar(@dropped), '<=', $o{dropped_max},
               "$name: only the requests of the killed worker were cut (" . scalar(@dropped) . ')');
        @bad = grep { $_->{status} != 0 } @bad;
    }
    is(scalar(@bad), 0, "$name: during the fault only 503/504 in JSON ("
       . statuses(@during) . ')') or diag(join "\n", map { "$_->{status} $_->{error} $_->{label}" } @bad[0 .. ($#bad > 9 ? 9 : $#bad)]);
    if (defined $fault_end) {
        my $last_bad = 0;
        $_->{end} > $last_bad and $last_bad = $_->{end} for grep { !ok_status($_) } @$samples;
        my $recovery = $last_bad > $fault_end ? $last_bad - $fault_end : 0;
        diag(sprintf "%s: last failed answer %.2f s after the fault ended", $name, $recovery);
        $total{recovery} = $recovery if $recovery > ($total{recovery} // 0);
        cmp_ok(scalar(@after), '>', 10, "$name: load after the fault");
        my @late = grep { !ok_status($_) } @after;
        is(scalar(@late), 0, "$name: everything answered from 2 s after the fault ("
           . statuses(@after) . ')');
    }
    if ($o{all_ok}) {
        is(statuses(grep { !ok_status($_) } @$samples), '', "$name: no request failed");
    }

    # connections: each worker within its pool, as many on PostgreSQL's side
    # as nginx's processes hold (no backend left behind by a client that
    # went, no socket nginx forgot: CLOSE-WAIT), none left in a transaction
    my ($count, $held, $idle_tx, $close_wait, $fullest);
    my $deadline = time + 10;
    do {
        sleep 0.5;
        pg_settle();
        my $r = sql(q{SELECT count(*) AS n,
                             count(*) FILTER (WHERE state LIKE 'idle in transaction%') AS tx
                        FROM pg_stat_activity WHERE usename = 'portail_app'})->[0];
        ($count, $idle_tx) = ($r->{n}, $r->{tx});
        my %per_pid;
        for (`ss -Htnp state established '( dport = :$PGPORT )'`) {
            $per_pid{$1}++ while /"nginx",pid=(\d+)/g;
        }
        $held = 0;
        $held += $_ for values %per_pid;
        my %workers = map { $_ => 1 } worker_pids();
        ($fullest) = sort { $b <=> $a } map { $per_pid{$_} // 0 } keys %workers;
        $close_wait = () = grep { /:$PGPORT\s*$/ || /:$PGPORT\s/ } `ss -Htn state close-wait`;
    } until (($count == $held && !$idle_tx && !$close_wait) || time > $deadline);
    cmp_ok($fullest // 0, '<=', $POOL, "$name: each worker within its pool (at most " . ($fullest // 0) . ')');
    is($count, $held, "$name: PostgreSQL has as many connections as nginx holds ($count)");
    is($idle_tx, 0, "$name: no transaction left open");
    is($close_wait, 0, "$name: no connection left half-closed in nginx");

    my $log = node_log();
    my $crashes = () = $log =~ /exited on signal/g;
    is($crashes, $o{killed} // 0, "$name: no worker crashed" . ($o{killed} ? ' but the one killed' : ''));
    my @alerts = grep { !/exited on signal 9/ } $log =~ /^.*\[(?:alert|crit|emerg)\].*$/mg;
    is(scalar(@alerts), 0, "$name: no alert in nginx's log") or diag(join "\n", @alerts[0 .. 4]);
    $total{crashes} += $crashes - ($o{killed} // 0);
    truncate "$PREFIX/logs/error.log", 0;

    # nothing lost, nothing half-written
    my %stored = map { $_->[0] => 1 } @{ db()->selectall_arrayref(
        q{SELECT substr(objet, 7) FROM demande WHERE objet LIKE 'Panne %'}) };
    my @lost = grep { $_->{kind} eq 'ecriture' && $_->{status} == 201 && !$stored{$_->{label}} } @$samples;
    is(scalar(@lost), 0, "$name: every request acknowledged is stored ("
       . scalar(grep { $_->{kind} eq 'ecriture' && $_->{status} == 201 } @$samples) . ' acknowledged)');
    $total{lost} += @lost;
    is(sql_value(q{SELECT count(*) FROM demande d WHERE d.objet LIKE 'Panne %' AND (
                       NOT EXISTS (SELECT 1 FROM demande_statut s WHERE s.demande_id = d.id)
                    OR (SELECT count(*) FROM demande_piece p WHERE p.demande_id = d.id) <> 1
                    OR EXISTS (SELECT 1 FROM demande_piece p WHERE p.demande_id = d.id
                               AND (p.sha256 <> sha256(p.contenu) OR p.contenu <> $1::bytea)))},
                 '\\x' . unpack('H*', $PDF)), 0,
       "$name: every stored request has its status and its whole attachment");
}

# e-mails queued while the fault happens, as actions would queue them
my $queued = 0;

sub queue_mails {
    my ($n) = @_;
    for (1 .. $n) {
        $queued++;
        sql_value(q{INSERT INTO courriel (destinataire, modele, donnees)
                    VALUES ($1, 'identifiants_rappel', $2::jsonb) RETURNING id},
                  "soak$queued\@example.net",
                  json_encode({ prenom => 'Soak', identifiant => "soak$queued\@example.net" }));
    }
}

# runs the load, the fault between $before and the end of $fault, then more load
sub under_load {
    my ($name, $fault, %o) = @_;
    my $pids = start_load();
    sleep 2;
    queue_mails(20);
    sleep 1;
    my $start = time;
    $fault->();
    my $end = time;
    sleep $o{after} // 4;
    my $samples = stop_load($pids);
    check_run($name, $samples, $start, $end, %o);
}

# --- the faults ------------------------------------------------------------

my %scenario = (

    baseline => sub {
        my $pids = start_load();
        sleep 5;
        check_run('no fault', stop_load($pids), undef, undef, all_ok => 1);
    },

    pg_kill => sub {
        under_load('PostgreSQL killed', sub {
            pg_signal('KILL');
            sleep 2;
            pg_start();
            pg_settle();
        });
    },

    pg_pause => sub {
        under_load('PostgreSQL paused', sub {
            pg_signal('STOP');
            sleep 3;
            pg_signal('CONT');
        });
    },

    exhausted => sub {
        under_load('PostgreSQL out of connections', sub {
            my @held;
            my $dsn = "dbi:Pg:host=$ENV{TEST_NGINX_POSTGRESQL_HOST};port=$PGPORT;dbname=postgres";
            while (my $h = DBI->connect($dsn, $ENV{TEST_PORTAIL_PG_SUPERUSER}, undef,
                                        { PrintError => 0, RaiseError => 0 })) {
                push @held, $h;
                last if @held > 300;
            }
            # the pool's open connections go too: it must reconnect, and cannot
            $held[0]->do(q{SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                           WHERE usename = 'portail_app'}) if @held;
            sleep 3;
            $_->disconnect for @held;
        });
    },

    slow => sub {
        under_load('a statement held behind a lock', sub {
            hold_lock('portail.session', 7);
            release_locks();
        }, after => 5);
    },

    worker_kill => sub {
        under_load('an nginx worker killed', sub {
            my ($victim) = worker_pids();
            kill 'KILL', $victim;
            sleep 1;
        }, killed => 1, dropped_max => $READERS + $WRITERS);
    },

    reload => sub {
        under_load('nginx reloaded', sub {
            kill 'HUP', master_pid();
            sleep 2;
        }, all_ok => 1);
    },

    figures => sub {
        diag(sprintf 'soak: %d requests, %d faults injected, %d worker crashes, '
                   . '%d acknowledged writes lost, %d e-mails queued during faults, '
                   . 'slowest recovery %.2f s',
                     @total{qw(requests faults crashes lost)}, $queued, $total{recovery} // 0);
        is($total{crashes}, 0, 'no crash in the whole run');
        my $deadline = time + 60;
        sleep 0.5 while sql_value(q{SELECT count(*) FROM courriel WHERE destinataire LIKE 'soak%'
                                    AND envoye_le IS NULL}) && time < $deadline;
        is(sql_value(q{SELECT count(*) FROM courriel WHERE destinataire LIKE 'soak%'
                       AND envoye_le IS NOT NULL}), $queued,
           "the $queued e-mails queued during the faults are all sent");
        my %to;
        $to{$_->{to}}++ for grep { ($_->{to} // '') =~ /^soak\d+\@/ } mails();
        is(scalar(keys %to), $queued, 'each recipient got its message');
        is(join(' ', map { "$_ x$to{$_}" } grep { $to{$_} > 1 } sort keys %to), '',
           'each e-mail delivered once');
        $total{mails} = $queued;
        is($total{lost}, 0, 'nothing lost in the whole run');
    },
);

after_blocks(\%scenario);

run_tests();

__DATA__

=== TEST 1: the load alone: everything answered [baseline]
--- request
GET /api/sante
--- timeout: 60



=== TEST 2: PostgreSQL killed (SIGKILL) and restarted under load [pg_kill]
--- request
GET /api/sante
--- timeout: 60



=== TEST 3: PostgreSQL paused (SIGSTOP) and resumed under load [pg_pause]
--- request
GET /api/sante
--- timeout: 60



=== TEST 4: PostgreSQL's connections exhausted under load [exhausted]
--- request
GET /api/sante
--- timeout: 60



=== TEST 5: a statement held behind a lock past the query timeout [slow]
--- request
GET /api/sante
--- timeout: 60



=== TEST 6: an nginx worker killed under load [worker_kill]
--- request
GET /api/sante
--- timeout: 60



=== TEST 7: nginx reloaded under load [reload]
--- request
GET /api/sante
--- timeout: 60



=== TEST 8: the run's figures; every e-mail queued during the faults sent once [figures]
--- request
GET /api/sante
--- timeout: 90
