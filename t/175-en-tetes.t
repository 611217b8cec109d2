# What every answer carries, as the shipped configuration sets it
# (conf/portail-securite.conf at the server level): each security header
# exactly once, on the module's answers and on the errors nginx raises
# before the module runs; and those errors in JSON on the API's paths
# (a URI too long, headers too large, a bad request), nginx's own page
# elsewhere.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use IO::Socket::INET;
use Portail::Test;

reset_database();
use_portail_defaults();
no_shuffle();

my @SECURITY = qw(Strict-Transport-Security Content-Security-Policy Referrer-Policy
                  Permissions-Policy X-Content-Type-Options X-Frame-Options);

# a request sent as is; the status, the header lines and the body
sub raw {
    my ($request) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => Portail::Test::server_port(),
                                  Timeout => 10) or die "connect: $!\n";
    print {$s} $request;
    local $/;
    my $answer = <$s> // '';
    close $s;
    my ($head, $body) = split /\r\n\r\n/, $answer, 2;
    my @lines = split /\r\n/, $head // '';
    my ($status) = (shift(@lines) // '') =~ m{^HTTP/1\.\d (\d{3})};
    return ($status // 0, \@lines, $body // '');
}

sub each_once {
    my ($what, $lines) = @_;
    for my $h (@SECURITY) {
        my $n = grep { /^\Q$h\E:/i } @$lines;
        is($n, 1, "$what: $h once");
    }
}

sub json_error {
    my ($what, $status, $lines, $body, $code, $http) = @_;
    is($status, $http, "$what: $http");
    ok((grep { m{^Content-Type: application/json}i } @$lines), "$what: in JSON");
    like($body, qr/^\{"error":"$code","message":"[^"]+"\}$/, "$what: error $code with its message");
}

my %after = (
    module_answers => sub {
        my ($status, $lines) = raw("GET /api/sante HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        is($status, 200, 'the health check answers');
        each_once('GET /api/sante', $lines);
        is(scalar(grep { /^Cache-Control: no-store$/i } @$lines), 1, 'Cache-Control: no-store once');
        ($status, $lines) = raw("GET /api/accueil HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        is($status, 401, 'an API error of the module');
        each_once('401 of the module', $lines);
    },

    uri_too_long => sub {
        my ($status, $lines, $body) = raw('GET /api/' . ('a' x 9000) . " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        json_error('a URI too long on the API', $status, $lines, $body, 'adresse_trop_longue', 414);
        each_once('414 raised by nginx', $lines);
        ($status, $lines, $body) = raw('GET /' . ('a' x 9000) . " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        is($status, 414, 'a URI too long elsewhere: 414');
        like($body, qr{<title>414 Request-URI Too Large</title>}, 'nginx\'s own page there');
        each_once('414 outside the API', $lines);
    },

    headers_too_large => sub {
        my ($status, $lines, $body) = raw("GET /api/sante HTTP/1.1\r\nHost: localhost\r\nCookie: x="
                                          . ('b' x 9000) . "\r\nConnection: close\r\n\r\n");
        json_error('a cookie too large', $status, $lines, $body, 'entetes_trop_volumineux', 400);
        each_once('494 raised by nginx', $lines);
    },

    bad_request => sub {
        my ($status, $lines, $body) = raw("GET /api/sante HTTP/1.1\r\nHost: localhost\r\nHost: other\r\nConnection: close\r\n\r\n");
        json_error('two Host headers', $status, $lines, $body, 'requete_invalide', 400);
        each_once('400 raised by nginx', $lines);
        ($status, $lines, $body) = raw("GET /api/sa\x01nte HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        json_error('a control character in the request line', $status, $lines, $body, 'requete_invalide', 400);
        ($status, $lines, $body) = raw("BONJOUR\r\n\r\n");
        is($status, 400, 'not HTTP at all: 400');
        like($body, qr{<title>400 Bad Request</title>}, 'nginx\'s page: nothing says it was the API');
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: the module's answers carry each security header once, and no-store [module_answers]
--- request
GET /api/sante
--- error_code: 200



=== TEST 2: a URI too long: JSON on the API, nginx's page elsewhere, the headers on both [uri_too_long]
--- request
GET /api/sante
--- error_code: 200



=== TEST 3: headers too large (494) [headers_too_large]
--- request
GET /api/sante
--- error_code: 200



=== TEST 4: bad requests nginx refuses before any location [bad_request]
--- request
GET /api/sante
--- error_code: 200
