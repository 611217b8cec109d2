# The PostgreSQL pool: queueing, limits, timeouts, outages, clients leaving.
#
# Each block warms the pool with its request, then its scenario (run from
# the response check below, keyed by the block's name) drives concurrent or
# aborted clients and faults against the running nginx and checks what
# tenants would see and what PostgreSQL holds.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Time::HiRes qw(time sleep);
use Portail::Test;

reset_database();
use_portail_defaults();
no_shuffle();

# connections the portal holds, by state
sub portal_connections {
    my $rows = sql(q{SELECT state, count(*) AS n FROM pg_stat_activity
                     WHERE usename = 'portail_app' GROUP BY state});
    return { map { ($_->{state} // 'none') => $_->{n} } @$rows };
}

sub total { my $h = shift; my $t = 0; $t += $_ for values %$h; return $t }

sub statuses {
    my %n;
    $n{$_->{status}}++ for @_;
    return join ' ', map { "${_}x$n{$_}" } sort keys %n;
}

my %scenario = (

    queue => sub {
        my @r = concurrent_requests(40, path => '/api/sante');
        is(statuses(@r), '200x40', 'forty requests share two connections');
        cmp_ok(total(portal_connections()), '<=', 2,
               'no more connections than the maximum');
    },

    queue_full => sub {
        hold_lock('portail.schema_migrations', 1.5);
        my @r = concurrent_requests(6, path => '/api/sante', timeout => 8);
        release_locks();
        is(statuses(@r), '200x3 503x3',
           'one running, two waiting, three refused');
        my @refused = grep { $_->{status} == 503 } @r;
        like($_->{body}, qr/"error":"service_surcharge"/, 'refusal is JSON')
            for @refused;
        cmp_ok($_->{time}, '<', 0.5, 'refused at once') for @refused;
    },

    queue_timeout => sub {
        hold_lock('portail.schema_migrations', 1.5);
        my @r = concurrent_requests(3, path => '/api/sante', timeout => 8);
        release_locks();
        is(statuses(@r), '200x1 503x2', 'waiting past the wait timeout: 503');
        for my $r (grep { $_->{status} == 503 } @r) {
            cmp_ok($r->{time}, '>=', 0.25, 'refused after the wait timeout');
            cmp_ok($r->{time}, '<', 1.2, 'not after the lock');
        }
    },

    query_timeout => sub {
        hold_lock('portail.schema_migrations', 2);
        my $t = time;
        my $r = http_request(path => '/api/sante');
        my $took = time - $t;
        is($r->{status}, 504, 'a statement past the timeout is a 504');
        like($r->{body}, qr/"error":"delai_depasse"/, 'in JSON');
        cmp_ok($took, '<', 1.5, 'answered at the timeout');
        release_locks();
        $r = http_request(path => '/api/sante');
        is($r->{status}, 200, 'the connection serves again afterwards');
        my $c = portal_connections();
        ok(!$c->{active} && !$c->{'idle in transaction'},
           'no connection left busy: ' . join(',', %$c));
        cmp_ok(total($c), '<=', 1, 'no connection leaked');
    },

    outage => sub {
        pg_stop();
        my $t = time;
        my $r = http_request(path => '/api/sante');
        is($r->{status}, 503, 'PostgreSQL down: 503');
        like($r->{body}, qr/"database":"indisponible"/, 'database indisponible');
        cmp_ok(time - $t, '<', 2, 'quickly, not after a hang');
        pg_start();
        pg_settle();
        $r = http_request(path => '/api/sante');
        is($r->{status}, 200,
           'PostgreSQL back: the very next request succeeds, nginx untouched');
        my @r = concurrent_requests(10, path => '/api/sante');
        is(statuses(@r), '200x10', 'and all the following');
    },

    restart_idle => sub {
        # the pool holds idle connections when PostgreSQL restarts
        my @r = concurrent_requests(4, path => '/api/sante');
        is(statuses(@r), '200x4', 'pool warm');
        pg_stop();
        pg_start();
        pg_settle();
        @r = concurrent_requests(4, path => '/api/sante');
        is(statuses(@r), '200x4', 'dead pooled connections are not reused');
    },

    client_gone => sub {
        hold_lock('portail.schema_migrations', 1);
        abort_request(0.2, path => '/api/sante');
        release_locks();
        sleep 0.2;
        my $r = http_request(path => '/api/sante');
        is($r->{status}, 200, 'the pooled connection serves the next request');
        my $c = portal_connections();
        cmp_ok(total($c), '<=', 1, 'no connection leaked');
        ok(!$c->{active}, 'none left busy');
    },
);

after_blocks(\%scenario);

run_tests();

__DATA__

=== TEST 1: more concurrent requests than connections queue and all succeed [queue]
--- http_config
    portail_database_max_connections 2;
    portail_database_queue_length 100;
--- request
GET /api/sante
--- response_body_like chomp
"status":"ok"
--- timeout: 15



=== TEST 2: past the wait queue's length: 503 at once [queue_full]
--- http_config
    portail_database_max_connections 1;
    portail_database_queue_length 2;
    portail_database_query_timeout 5s;
--- request
GET /api/sante
--- response_body_like chomp
"status":"ok"
--- error_log
portail: database wait queue full
--- timeout: 15



=== TEST 3: past the wait timeout: 503 [queue_timeout]
--- http_config
    portail_database_max_connections 1;
    portail_database_queue_timeout 300ms;
    portail_database_query_timeout 5s;
--- request
GET /api/sante
--- response_body_like chomp
"status":"ok"
--- error_log
portail: no database connection free after
--- timeout: 15



=== TEST 4: a statement longer than the timeout: 504, connection clean [query_timeout]
--- http_config
    portail_database_max_connections 1;
    portail_database_query_timeout 500ms;
--- request
GET /api/sante
--- response_body_like chomp
"status":"ok"
--- timeout: 15



=== TEST 5: PostgreSQL down then back, nginx untouched [outage]
--- http_config
    portail_database_max_connections 4;
--- request
GET /api/sante
--- response_body_like chomp
"status":"ok"
--- error_log
portail: cannot connect to the database
--- timeout: 30



=== TEST 6: idle pooled connections across a PostgreSQL restart [restart_idle]
--- http_config
    portail_database_max_connections 4;
--- request
GET /api/sante
--- response_body_like chomp
"status":"ok"
--- timeout: 30



=== TEST 7: a client leaving mid-query leaks nothing [client_gone]
--- http_config
    portail_database_max_connections 1;
    portail_database_query_timeout 3s;
--- request
GET /api/sante
--- response_body_like chomp
"status":"ok"
--- error_log
portail: client closed the connection while the database was working
--- timeout: 15
