# Metrics in Prometheus' text format (portail_metrics), restricted with
# allow/deny like any nginx location.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Portail::Test;

reset_database();
use_portail_defaults(config => <<'CONF');
    location = /metriques {
        portail_metrics;
        allow 127.0.0.1;
        deny all;
    }
CONF
no_shuffle();

sub login {
    my ($password) = @_;
    return http_request(method => 'POST', path => '/api/connexion',
                        headers => { 'Content-Type' => 'application/json' },
                        body => qq{{"identifiant":"jean.martin\@example.org","mot_de_passe":"$password"}});
}

my %after = (
    metrics => sub {
        http_request(path => '/api/sante') for 1 .. 3;
        login('Portail2024!');
        login('Faux12!motdepasse');
        db()->do(q{INSERT INTO courriel (destinataire, sujet, texte, prochain_essai_le)
                   VALUES ('attente@example.net', 'Plus tard', 'Texte', now() + interval '1 day')});

        my $r = http_request(path => '/metriques');
        is($r->{status}, 200, 'scraped');
        is($r->{headers}{'content-type'}, 'text/plain; version=0.0.4; charset=utf-8',
           "Prometheus' text format");
        my $m = $r->{body};
        like($m, qr/^portail_http_requests_total\{section="sante",status="200"\} 4$/m,
             'requests by section and status (the block\'s own included)');
        like($m, qr/^portail_http_requests_total\{section="connexion",status="200"\} 1$/m, 'sign-in ok');
        like($m, qr/^portail_http_requests_total\{section="connexion",status="401"\} 1$/m, 'sign-in refused');
        like($m, qr/^portail_signins_total\{outcome="ok"\} 1$/m, 'sign-ins ok');
        like($m, qr/^portail_signins_total\{outcome="failed"\} 1$/m, 'sign-ins failed');
        like($m, qr/^portail_signins_total\{outcome="throttled"\} 0$/m, 'none throttled');
        like($m, qr/^portail_db_connections\{worker="0"\} [1-9]\d*$/m, 'pool size');
        like($m, qr/^portail_db_connections_max\{worker="0"\} 8$/m, 'pool maximum');
        like($m, qr/^portail_db_waiting\{worker="0"\} 0$/m, 'nothing waiting');
        like($m, qr/^portail_db_queue_wait_seconds_count [1-9]\d*$/m, 'queue wait histogram');
        like($m, qr/^portail_db_query_seconds_bucket\{le="\+Inf"\} [1-9]\d*$/m, 'query time histogram');
        like($m, qr/^portail_db_up 1$/m, 'the database answered the scrape');
        like($m, qr/^portail_mail_outbox_backlog 1$/m, 'the outbox backlog');
        like($m, qr/^portail_mail_abandoned 0$/m, 'no e-mail abandoned');
    },
);
after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: what the node counted, and what the database says [metrics]
--- request
GET /api/sante
--- error_code: 200
--- timeout: 20



=== TEST 2: restricted like any location
--- config
    location /api/ { portail_api; }
    location = /metriques {
        portail_metrics;
        deny all;
    }
--- request
GET /metriques
--- error_code: 403
