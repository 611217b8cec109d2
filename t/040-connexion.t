# Sign-in, sessions, CSRF, logout, throttling, and the session check of any
# location (portail_session on, $portail_account).
#
# Jean MARTIN's demo account: jean.martin@example.org / Portail2024!
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Time::HiRes qw(time);
use Portail::Test;

reset_database();
use_portail_defaults();
no_shuffle();

my $JEAN = 'jean.martin@example.org';
my %cookie;

sub login {
    my (%o) = @_;
    my $r = http_request(method => 'POST', path => '/api/connexion',
                         headers => { 'Content-Type' => 'application/json',
                                      %{ $o{headers} || {} } },
                         body => json_encode({ identifiant => $o{login} // $JEAN,
                                               mot_de_passe => $o{password} // 'Portail2024!',
                                               se_souvenir => $o{remember} ? JSON::PP::true : JSON::PP::false }));
    return $r;
}

my %after = (

    signed_in => sub {
        my $s = sql(q{SELECT s.se_souvenir, extract(epoch FROM s.expire_le - s.cree_le)::int AS duree,
                             extract(epoch FROM s.inactivite)::int AS inactivite
                      FROM session s JOIN compte c ON c.id = s.compte_id
                      WHERE c.email = $1 ORDER BY s.id DESC LIMIT 1}, $JEAN);
        is($s->[0]{duree}, 12 * 3600, 'a session lives 12 hours at most');
        is($s->[0]{inactivite}, 30 * 60, 'and 30 minutes without activity');
        ok(!$s->[0]{se_souvenir}, 'not remembered');
        is(sql_value(q{SELECT count(*) FROM tentative_connexion WHERE identifiant = $1 AND reussie}, $JEAN),
           1, 'the attempt is recorded');
        is(sql_value(q{SELECT count(*) FROM journal WHERE action = 'connexion'}), 1, 'and journaled');
    },

    remembered => sub {
        my $d = sql_value(q{SELECT extract(epoch FROM expire_le - cree_le)::int FROM session
                            ORDER BY id DESC LIMIT 1});
        is($d, 30 * 86400, 'a remembered session lives 30 days at most');
    },

    fixation => sub {
        my $planted = 'A' x 43;
        my $r = login(headers => { Cookie => "portail_session=$planted" });
        is($r->{status}, 200, 'signed in');
        my $new = session_cookie($r);
        ok($new && $new ne $planted, 'with a new session id, not the planted one');
        my $again = session_cookie(login());
        ok($again ne $new, 'a new id at each sign-in');
    },

    timing => sub {
        my ($known, $unknown) = (0, 0);
        for (1 .. 3) {
            my $t = time;
            login(login => $JEAN, password => "Faux$_!mot2passe");
            $known += time - $t;
            $t = time;
            login(login => "personne$_\@example.net", password => "Faux$_!mot2passe");
            $unknown += time - $t;
        }
        cmp_ok($unknown, '>', 0.5 * $known,
               sprintf('an unknown identifier costs as much as a known one (%.3fs / %.3fs)',
                       $unknown, $known));
        db()->do(q{DELETE FROM tentative_connexion});
    },

    throttled => sub {
        my $r = login();
        is($r->{status}, 429, 'even the right password waits');
        is(sql_value(q{SELECT count(*) FROM tentative_connexion
                       WHERE identifiant = $1 AND motif = 'limite'}, $JEAN), 2,
           'throttled attempts are recorded');
        db()->do(q{DELETE FROM tentative_connexion});
        is(login()->{status}, 200, 'once the window has passed, sign-in works');
    },

    unknown_throttled => sub {
        my $r = login(login => 'inconnu@example.net');
        is($r->{status}, 429, 'unknown identifiers are throttled the same way');
        db()->do(q{DELETE FROM tentative_connexion});
    },

    address_throttled => sub {
        db()->do(q{DELETE FROM tentative_connexion});
    },

    logged_out => sub {
        is(sql_value(q{SELECT count(*) FROM session WHERE fermee_le IS NOT NULL}), 1,
           'the session is closed in the database');
    },

    expired => sub {
        db()->do(q{UPDATE session SET vu_le = now() - interval '31 minutes'});
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: Jean signs in [signed_in]
--- request
POST /api/connexion
{"identifiant": "jean.martin@example.org", "mot_de_passe": "Portail2024!", "se_souvenir": false}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_body_like chomp
^\{"csrf":"[A-Za-z0-9_-]{43}","compte" ?: ?\{"id" ?: ?\d+, ?"email" ?: ?"jean.martin@example.org", ?"civilite" ?: ?"M.", ?"prenom" ?: ?"Jean", ?"nom" ?: ?"MARTIN"\}, ?"contrats" ?: ?\[\{"numero" ?: ?"L/\d{7}", ?"nature" ?: ?"logement"
--- response_headers_like
Set-Cookie: portail_appareil=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=15552000, portail_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax$
Cache-Control: no-store
--- error_log
portail: sign-in ok for "jean.martin@example.org"



=== TEST 2: "Souviens-toi de moi" gives a persistent cookie [remembered]
--- request
POST /api/connexion
{"identifiant": "jean.martin@example.org", "mot_de_passe": "Portail2024!", "se_souvenir": true}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_headers_like
Set-Cookie: portail_appareil=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=15552000, portail_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax; Max-Age=2592000$



=== TEST 3: the identifier is not case-sensitive, surrounding spaces ignored
--- request
POST /api/connexion
{"identifiant": "  Jean.MARTIN@Example.org ", "mot_de_passe": "Portail2024!"}
--- more_headers
Content-Type: application/json
--- error_code: 200



=== TEST 4: a session id planted before sign-in is replaced [fixation]
--- request
GET /api/sante
--- error_code: 200



=== TEST 5: a wrong password
--- request
POST /api/connexion
{"identifiant": "jean.martin@example.org", "mot_de_passe": "Portail2025!"}
--- more_headers
Content-Type: application/json
--- error_code: 401
--- response_body chomp
{"error":"identifiants_invalides","message":"Identifiant ou mot de passe incorrect."}
--- response_headers
!Set-Cookie
--- error_log
portail: sign-in failed for "jean.martin@example.org": wrong password



=== TEST 6: an unknown identifier gets exactly the same answer
--- request
POST /api/connexion
{"identifiant": "personne@example.net", "mot_de_passe": "Portail2025!"}
--- more_headers
Content-Type: application/json
--- error_code: 401
--- response_body chomp
{"error":"identifiants_invalides","message":"Identifiant ou mot de passe incorrect."}
--- error_log
portail: sign-in failed for "personne@example.net": unknown identifier



=== TEST 7: and takes as long [timing]
--- request
GET /api/sante
--- timeout: 30



=== TEST 8: five failures in a row...
--- request eval
[ map { qq{POST /api/connexion\n{"identifiant": "jean.martin\@example.org", "mot_de_passe": "Faux$_!mot2passe"}} } 1 .. 5 ]
--- more_headers
Content-Type: application/json
--- error_code eval
[401, 401, 401, 401, 401]
--- timeout: 30



=== TEST 9: ...and the sixth attempt waits, with Retry-After [throttled]
--- request
POST /api/connexion
{"identifiant": "jean.martin@example.org", "mot_de_passe": "Faux6!mot2passe"}
--- more_headers
Content-Type: application/json
--- error_code: 429
--- response_headers_like
Retry-After: (8[0-9]{2}|900)
--- response_body chomp
{"error":"trop_de_tentatives","message":"Trop de tentatives de connexion. Patientez quelques minutes avant de réessayer, ou utilisez « Mot de passe oublié ? »."}
--- error_log
portail: sign-in throttled for "jean.martin@example.org"



=== TEST 10: unknown identifiers are throttled the same way [unknown_throttled]
--- request eval
[ map { qq{POST /api/connexion\n{"identifiant": "inconnu\@example.net", "mot_de_passe": "Faux$_!mot2passe"}} } 1 .. 6 ]
--- more_headers
Content-Type: application/json
--- error_code eval
[401, 401, 401, 401, 401, 429]
--- timeout: 30



=== TEST 11: failures from one address across identifiers are throttled [address_throttled]
--- http_config
    portail_login_max_failures_per_address 3;
--- request eval
[ map { qq{POST /api/connexion\n{"identifiant": "x$_\@example.net", "mot_de_passe": "Faux1!mot2passe"}} } 1 .. 4 ]
--- more_headers
Content-Type: application/json
--- error_code eval
[401, 401, 401, 429]
--- timeout: 30



=== TEST 12: GET /api/session: who is signed in, and the CSRF token
--- request
GET /api/session
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200
--- response_body_like chomp
^\{"csrf":"{{csrf:jean.martin@example.org}}","compte" ?: ?\{



=== TEST 13: without a cookie: 401
--- request
GET /api/session
--- error_code: 401
--- response_body chomp
{"error":"non_authentifie","message":"Votre session a expiré ou vous n'êtes pas connecté. Connectez-vous pour continuer."}



=== TEST 14: with a made-up cookie: 401
--- request
GET /api/session
--- more_headers
Cookie: portail_session=QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZn
--- error_code: 401



=== TEST 15: logout needs the CSRF token
--- request
POST /api/deconnexion
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 403
--- response_body chomp
{"error":"csrf_invalide","message":"La demande n'a pas pu être vérifiée. Rechargez la page puis réessayez."}



=== TEST 16: a wrong CSRF token is refused too
--- request
POST /api/deconnexion
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
X-CSRF-Token: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
--- error_code: 403



=== TEST 17: logout ends the session server-side, and the cookie [logged_out]
--- request
POST /api/deconnexion
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org#logout}}
X-CSRF-Token: {{csrf:jean.martin@example.org#logout}}
--- error_code: 200
--- response_headers_like
Set-Cookie: portail_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0$
--- response_body_like chomp
"message":"Vous êtes déconnecté



=== TEST 18: the cookie of a closed session is refused
--- request
GET /api/session
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org#logout}}
--- error_code: 401



=== TEST 19: a session... [expired]
--- request
GET /api/session
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org#idle}}
--- error_code: 200



=== TEST 20: ...idle for longer than its timeout is refused
--- request
GET /api/session
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org#idle}}
--- error_code: 401



=== TEST 21: portail_session on protects any location, and $portail_account names the tenant
--- config
    location /prive/ {
        portail_session on;
        alias html/;
        add_header X-Compte $portail_account;
    }
--- user_files
>>> avis.txt
Avis d'échéance
--- request
GET /prive/avis.txt
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200
--- response_body
Avis d'échéance
--- response_headers_like
X-Compte: \d+



=== TEST 22: without a session, the protected location answers 401 in JSON
--- config
    location /prive/ {
        portail_session on;
        alias html/;
    }
--- user_files
>>> avis.txt
Avis d'échéance
--- request
GET /prive/avis.txt
--- error_code: 401
--- response_body_like chomp
"error":"non_authentifie"
--- response_headers
Content-Type: application/json; charset=utf-8



=== TEST 23: fields of the wrong type
--- request
POST /api/connexion
{"identifiant": "jean.martin@example.org", "mot_de_passe": "Portail2024!", "se_souvenir": "oui"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"champs":\{"se_souvenir":"Ce champ doit valoir vrai ou faux."\}



=== TEST 24: nothing typed
--- request
POST /api/connexion
{}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"identifiant":"Saisissez votre identifiant



=== TEST 25: a state change sent by another site is refused, before any session exists
--- request
POST /api/connexion
{"identifiant": "jean.martin@example.org", "mot_de_passe": "Portail2024!"}
--- more_headers
Content-Type: application/json
Sec-Fetch-Site: cross-site
--- error_code: 403
--- response_body_like chomp
"error":"csrf_invalide"
--- response_headers
!Set-Cookie



=== TEST 26: the same from the portal's own pages is fine
--- request
POST /api/connexion
{"identifiant": "jean.martin@example.org", "mot_de_passe": "Portail2024!"}
--- more_headers
Content-Type: application/json
Sec-Fetch-Site: same-origin
--- error_code: 200



=== TEST 27: over TLS (portail_cookie_secure on) the cookie takes the __Host- prefix
--- http_config
portail_cookie_secure on;
--- request
POST /api/connexion
{"identifiant": "jean.martin@example.org", "mot_de_passe": "Portail2024!"}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_headers_like
Set-Cookie: __Host-portail_appareil=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=15552000, __Host-portail_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax; Secure$



=== TEST 28: ...and that cookie is the session
--- http_config
portail_cookie_secure on;
--- request
GET /api/session
--- more_headers
Cookie: __Host-portail_session={{session:jean.martin@example.org}}
--- error_code: 200
--- response_body_like chomp
"email" ?: ?"jean.martin@example.org"



=== TEST 29: ...while one without the prefix, which a subdomain could have planted, is not
--- http_config
portail_cookie_secure on;
--- request
GET /api/session
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 401
--- response_body_like chomp
"error":"non_authentifie"
