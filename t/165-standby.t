# Lag-tolerant reads on a PostgreSQL hot standby (portail_database_standby),
# against a streaming replica the test makes itself (pg_basebackup -R):
# which reads it answers, that only the primary says a session is open, that
# a standby lagging past portail_database_standby_max_lag, or stopped, is
# not asked, and that writes never go to it.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Time::HiRes qw(sleep time);
use Portail::Test;

reset_database();

my ($STANDBY, $remove_standby, $STANDBY_DIR) = start_standby();
END { local $?; $remove_standby->() if $remove_standby }

my $conninfo = "host=$ENV{TEST_NGINX_POSTGRESQL_HOST} port=$STANDBY "
             . "dbname=$ENV{TEST_NGINX_POSTGRESQL_DB} user=$ENV{TEST_NGINX_POSTGRESQL_USER}";

use_portail_defaults(http_config => <<"CONF", config => <<'CONF');
    portail_database_standby "$conninfo";
CONF
    location = /metrics {
        portail_metrics;
    }
CONF
no_shuffle();

my $JEAN = 'jean.martin@example.org';

sub metric {
    my ($name) = @_;
    my $r = http_request(path => '/metrics');
    my $sum = 0;
    my $seen;
    for (split /\n/, $r->{body}) {
        next if /^#/;
        if (/^\Q$name\E(?:\{[^}]*\})? (\S+)$/ || (index($name, '{') > 0 && /^\Q$name\E (\S+)$/)) {
            $sum += $1;
            $seen = 1;
        }
    }
    return $seen ? $sum : undef;
}

sub standby_reads { metric('portail_db_standby_reads_total{answered_by="standby"}') // 0 }
sub primary_reads { metric('portail_db_standby_reads_total{answered_by="primary"}') // 0 }

sub wait_usable {
    my ($want) = @_;
    my $deadline = time + 15;
    while (time < $deadline) {
        my $u = metric('portail_db_standby_usable');
        return 1 if defined $u && $u == $want;
        sleep 0.1;
    }
    return 0;
}

sub get {
    my ($path, $cookie) = @_;
    return http_request(path => $path,
                        headers => { Cookie => "portail_session=$cookie" });
}

sub pause_replay  { standby_sql_value($STANDBY, q{SELECT pg_wal_replay_pause()}) }
sub resume_replay { standby_sql_value($STANDBY, q{SELECT pg_wal_replay_resume()}) }

my %after = (

    reads => sub {
        ok(wait_usable(1), 'the standby is measured close enough, and used');

        my ($cookie, $csrf) = open_session($JEAN);
        standby_caught_up($STANDBY);

        my $before = standby_reads();
        my $list = get('/api/documents', $cookie);
        is($list->{status}, 200, 'documents listed');
        my $docs = json_decode($list->{body})->{documents};
        ok(@$docs > 0, 'Jean has documents');
        is(standby_reads(), $before + 1, 'the standby answered the list');

        my $file = get("/api/documents/$docs->[0]{id}/fichier", $cookie);
        is($file->{status}, 200, 'a document downloaded');
        like($file->{body}, qr/^%PDF-/, 'a PDF');
        is(standby_reads(), $before + 2, 'the standby answered the download');

        my $news = sql_value(q{SELECT id FROM actualite WHERE cible = 'tous'
                               AND publie_le <= now() ORDER BY id LIMIT 1});
        my $n = get("/api/actualites/$news", $cookie);
        is($n->{status}, 200, 'a news item read');
        is(standby_reads(), $before + 3, 'the standby answered it');

        # reads that must be current, and every write, stay on the primary
        for my $path ('/api/accueil', '/api/paiements', '/api/dossier', '/api/session') {
            is(get($path, $cookie)->{status}, 200, "$path answered");
        }
        my $r = http_request(method => 'POST', path => '/api/deconnexion',
                             headers => { Cookie => "portail_session=$cookie",
                                          'X-CSRF-Token' => $csrf });
        is($r->{status}, 200, 'signed out: a write, on the primary');
        is(standby_reads(), $before + 3, 'none of those went to the standby');
        is(primary_reads(), 0, 'nothing had to be asked again');
        is(standby_sql_value($STANDBY, q{SELECT count(*) FROM pg_stat_activity
                                         WHERE application_name = 'portail'
                                         AND backend_type = 'client backend'}) > 0,
           1, 'the module holds connections on the standby');
    },

    fresh => sub {
        ok(wait_usable(1), 'the standby is used');

        # a session the standby knows, then replay stops: what the primary
        # writes next does not reach the standby
        my ($old, $old_csrf) = open_session($JEAN);
        standby_caught_up($STANDBY);
        pause_replay();

        # a session opened since: only the primary knows it
        my ($new) = open_session($JEAN);
        my $before = primary_reads();
        is(get('/api/documents', $new)->{status}, 200,
           'a session newer than the standby works');
        is(primary_reads(), $before + 1, 'the primary answered, the standby having no row');

        # a news item published since
        db()->do(q{INSERT INTO actualite (reference, titre, texte, cible, publie_le)
                   VALUES ('STANDBY-1', 'Toute fraîche', 'Publiée à l''instant.', 'tous', now())});
        my $id = sql_value(q{SELECT id FROM actualite WHERE reference = 'STANDBY-1'});
        my $n = get("/api/actualites/$id", $new);
        is($n->{status}, 200, 'a news item newer than the standby is found');
        like($n->{body}, qr/Toute fra/, 'the primary answered it');

        # the old session closed on the primary: still open on the standby
        my $r = http_request(method => 'POST', path => '/api/deconnexion',
                             headers => { Cookie => "portail_session=$old",
                                          'X-CSRF-Token' => $old_csrf });
        is($r->{status}, 200, 'signed out on the primary');
        is(standby_sql_value($STANDBY, q{SELECT count(*) FROM session
                                         WHERE fermee_le IS NULL AND compte_id =
                                         (SELECT id FROM compte WHERE email = $1)}, $JEAN) > 0,
           1, 'the standby, paused, still has the session open');
        $r = get('/api/documents', $old);
        is($r->{status}, 401, 'yet the closed session is refused: the primary checks it');
        like($r->{body}, qr/"error":"non_authentifie"/, 'answered as signed out');

        resume_replay();
    },

    lagging => sub {
        ok(wait_usable(1), 'the standby is used');
        my ($cookie) = open_session($JEAN);
        standby_caught_up($STANDBY);

        pause_replay();
        db()->do(q{UPDATE actualite SET titre = titre WHERE id = (SELECT min(id) FROM actualite)});
        ok(wait_usable(0), 'replay paused: the standby falls behind by over 1s, and is left');
        cmp_ok(metric('portail_db_standby_lag_seconds'), '>', 1, 'the lag is in the metrics');

        my ($s, $p) = (standby_reads(), primary_reads());
        is(get('/api/documents', $cookie)->{status}, 200, 'documents still listed');
        is(standby_reads() . '/' . primary_reads(), "$s/$p",
           'by the primary alone, the standby not asked');

        resume_replay();
        ok(wait_usable(1), 'caught up again: used again');
        is(get('/api/documents', $cookie)->{status}, 200, 'documents listed');
        is(standby_reads(), $s + 1, 'by the standby');
    },

    down => sub {
        ok(wait_usable(1), 'the standby is used');
        my ($cookie) = open_session($JEAN);

        system(portail_root() . '/tools/pgcluster', 'stop', $STANDBY_DIR) == 0
            or die "cannot stop the standby\n";
        ok(wait_usable(0), 'the standby stopped: left');
        for (1 .. 3) {
            is(get('/api/documents', $cookie)->{status}, 200, 'documents listed by the primary');
        }

        system(portail_root() . '/tools/pgcluster', 'replica', $STANDBY_DIR, $STANDBY,
               $ENV{TEST_NGINX_POSTGRESQL_PORT}) == 0
            or die "cannot start the standby\n";
        standby_caught_up($STANDBY);
        ok(wait_usable(1), 'back: used again');
        my $s = standby_reads();
        is(get('/api/documents', $cookie)->{status}, 200, 'documents listed');
        is(standby_reads(), $s + 1, 'by the standby');
    },
);
after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: lag-tolerant reads go to the standby, the others and writes to the primary [reads]
--- request
GET /api/sante
--- error_code: 200
--- timeout: 30



=== TEST 2: only the primary says a session is open, or a row missing [fresh]
--- http_config
    portail_database_standby_max_lag 1h;
--- request
GET /api/sante
--- error_code: 200
--- timeout: 30



=== TEST 3: a standby lagging past portail_database_standby_max_lag is left until it catches up [lagging]
--- http_config
    portail_database_standby_max_lag 1s;
--- request
GET /api/sante
--- error_code: 200
--- timeout: 40
--- error_log
standby
behind the primary, reads go to the primary
within 1000 ms of the primary



=== TEST 4: a standby that stops is left, and used again when back [down]
--- request
GET /api/sante
--- error_code: 200
--- timeout: 40
--- error_log
reads go to the primary
