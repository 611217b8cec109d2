# Hostile input, to every endpoint docs/openapi.yaml lists: malformed and
# deeply nested JSON, wrong types, huge numbers and strings, invalid UTF-8,
# NUL bytes, SQL and script injection, path traversal, wrong and missing
# content types, oversized and truncated bodies, slow clients.
#
# Expected: a 4xx answer in JSON ({"error", "message"}), never a 5xx, no
# worker crash ([alert] in the log fails every block), nothing stored.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use YAML::XS ();
use IO::Socket::INET;
use Time::HiRes qw(sleep time);
use Portail::Test;
use Portail::Paiements qw($PAYMENT_CONFIG);

reset_database();
# configured as in production: payments too
use_portail_defaults(http_config => $PAYMENT_CONFIG, config => <<'CONF');
    client_body_timeout 2s;
    client_header_timeout 2s;
CONF
no_shuffle();

my $api = YAML::XS::LoadFile(portail_root() . '/docs/openapi.yaml');
my $JEAN = 'jean.martin@example.org';

# what a tenant-side attack must not change
my @watched = qw(compte session jeton courriel occupant adresse_facturation
                 assurance_habitation demande demande_message demande_piece
                 enquete_piece paiement_carte mandat_sepa);

sub snapshot {
    my %n;
    for my $t (@watched) {
        $n{$t} = sql_value("SELECT count(*) FROM $t") if sql_value(
            q{SELECT to_regclass($1) IS NOT NULL}, "portail.$t");
    }
    # a refused sign-in is recorded: that is its purpose, not a change
    return \%n;
}

my @strings = (
    "' OR 1=1 --", "'; DROP TABLE portail.compte; --", "\\\" OR \"\"=\"",
    '<script>alert(1)</script>', '<img src=x onerror=alert(1)>',
    '../../../../etc/passwd', '..\\..\\windows\\win.ini', '%00', "\x{00e9}" x 3,
    'x' x 5000, "\xc3\x28", "\xff\xfe", "a\x00b", '${jndi:ldap://x}',
    '{{7*7}}', "\r\nSet-Cookie: x=y",
);

my @bodies = (
    '{', '}', '[]', '"chaine"', '42', 'null', '{"a":}', '{"a":1,"a":2}',
    ('[' x 5000) . (']' x 5000), '{"a":' . ('{"a":' x 3000) . '1' . ('}' x 3001),
    '{"nom":1e400}', '{"nom":-99999999999999999999999999999999}',
    qq{{"nom":"\xc3\x28"}}, qq{{"nom":"a\\u0000b"}}, "{\"nom\":\"a\x00b\"}",
    '{"nom":[1,2,3],"email":{"x":1},"mot_de_passe":true,"reference_client":null}',
);

sub operations {
    my @ops;
    for my $path (sort keys %{ $api->{paths} }) {
        for my $method (sort keys %{ $api->{paths}{$path} }) {
            next unless $method =~ /^(get|post|put|patch|delete)$/;
            push @ops, [uc $method, $path, $api->{paths}{$path}{$method}];
        }
    }
    return @ops;
}

# a path with its parameters filled with hostile or made-up values
sub fill {
    my ($path, $value) = @_;
    (my $p = $path) =~ s/\{[^}]+\}/$value/g;
    return $p;
}

# an endpoint that takes a body must refuse a hostile one (4xx); one that
# takes none ignores it: either way, never a 5xx
sub check_answer {
    my ($what, $r, $takes_body) = @_;
    my $ok = $takes_body ? ($r->{status} >= 400 && $r->{status} < 500)
                         : ($r->{status} > 0 && $r->{status} < 500);
    ok($ok, "$what: " . ($takes_body ? '4xx' : 'no 5xx') . " ($r->{status})")
        or diag(substr($r->{body}, 0, 300));
    if ($r->{status} >= 400 && ($r->{headers}{'content-type'} // '') =~ m{json}) {
        like($r->{body}, qr/^\{"error":"[a-z_]+","message":"[^"]+"/, "$what: a JSON error");
    }
}

my %after = (

    bodies => sub {
        my ($cookie, $csrf) = open_session($JEAN);
        my $before = snapshot();
        for my $op (operations()) {
            my ($method, $path, $spec) = @$op;
            next if $method eq 'GET';
            my $uri = fill($path, '2013936');
            my $takes = $spec->{requestBody} ? 1 : 0;
            my %auth = (Cookie => "portail_session=$cookie", 'X-CSRF-Token' => $csrf);
            for my $body (@bodies) {
                my $r = http_request(method => $method, path => $uri,
                                     headers => { %auth, 'Content-Type' => 'application/json' },
                                     body => $body);
                check_answer("$method $path with " . substr($body, 0, 20), $r, $takes);
            }
            for my $s (@strings) {
                my %doc = map { $_ => $s } qw(nom prenom email mot_de_passe reference_client
                    identifiant jeton texte objet description titulaire iban assureur);
                my $r = http_request(method => $method, path => $uri,
                                     headers => { %auth, 'Content-Type' => 'application/json' },
                                     body => json_encode(\%doc));
                # a verdict on any text (x-portail-any-text) is no refusal
                check_answer("$method $path with field " . substr($s, 0, 12), $r,
                             $takes && !$spec->{'x-portail-any-text'});
            }
            for my $type ('text/plain', 'application/x-www-form-urlencoded', '', 'application/jsonx',
                          'multipart/form-data') {
                my $r = http_request(method => $method, path => $uri,
                                     headers => { %auth, ($type ? ('Content-Type' => $type) : ()) },
                                     body => 'nom=Dupont');
                check_answer("$method $path as '$type'", $r, $takes);
            }
            my $r = http_request(method => $method, path => $uri,
                                 headers => { %auth, 'Content-Type' => 'application/json' },
                                 body => '{"x":"' . ('a' x (70 * 1024)) . '"}');
            check_answer("$method $path with 70 KB", $r, $takes);
        }
        is_deeply(snapshot(), $before, 'nothing stored by any of it');
    },

    paths => sub {
        my ($cookie) = open_session($JEAN);
        for my $op (operations()) {
            my ($method, $path) = @$op;
            next unless $path =~ /\{/;
            for my $v ('..%2F..%2Fetc%2Fpasswd', '%00', "'%20OR%201=1", '9' x 40, '-1',
                       '0x10', 'L%2F2013936', '%C3%28', '%3Cscript%3E') {
                my $r = http_request(method => $method, path => fill($path, $v),
                                     headers => { Cookie => "portail_session=$cookie",
                                                  'Content-Type' => 'application/json' },
                                     body => $method eq 'GET' ? '' : '{}');
                check_answer("$method $path with $v", $r, 1);
            }
        }
        for my $q ('?contrat=%27', '?annee=1e9', '?page=-1', '?contrat=' . ('9' x 500),
                   '?%00=%00', '?a[]=1&a[]=2') {
            for my $op (grep { $_->[0] eq 'GET' } operations()) {
                my $r = http_request(path => fill($op->[1], '2013936') . $q,
                                     headers => { Cookie => "portail_session=$cookie" });
                ok($r->{status} < 500, "GET $op->[1]$q: no 5xx ($r->{status})");
            }
        }
    },

    transport => sub {
        # a body shorter than announced: nginx gives up after client_body_timeout
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT});
        print $s "POST /api/connexion HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
               . "Content-Length: 100\r\nConnection: close\r\n\r\n{\"identifiant\":";
        my $t = time;
        my $answer = '';
        while (sysread($s, my $buf, 4096)) { $answer .= $buf }
        like($answer, qr{^HTTP/1\.1 (408|400)|^$}, 'a truncated body ends with a 4xx or a closed connection');
        cmp_ok(time - $t, '<', 6, 'within the body timeout');

        # slow clients: a header a byte at a time, many at once
        my @slow = map {
            IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT})
        } 1 .. 50;
        for my $c (@slow) { syswrite($c, "GET /api/sante HTTP/1.1\r\nHo") if $c }
        my $r = http_request(path => '/api/sante');
        is($r->{status}, 200, 'the portal still answers while slow clients hang on');
        sleep 2.5;
        $r = http_request(path => '/api/sante');
        is($r->{status}, 200, 'and after they are dropped');
        close $_ for grep { $_ } @slow;

        # a body over client_max_body_size (30M in tests): refused in JSON
        $r = http_request(method => 'POST', path => '/api/inscription',
                          headers => { 'Content-Type' => 'application/json',
                                       'Content-Length' => 50 * 1024 * 1024 },
                          body => '');
        is($r->{status}, 413, "a 50 MB body announced: refused before it is sent");
        like($r->{body}, qr/"error":"corps_trop_volumineux"/, 'in JSON');
    },
);
after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: hostile bodies to every endpoint that takes one [bodies]
--- request
GET /api/sante
--- timeout: 300



=== TEST 2: hostile path segments and query strings [paths]
--- request
GET /api/sante
--- timeout: 120



=== TEST 3: truncated bodies, slow clients, oversized bodies [transport]
--- request
GET /api/sante
--- timeout: 60
