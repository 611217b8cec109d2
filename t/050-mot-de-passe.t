# Forgotten password, reset, forgotten identifiers.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Portail::Test;

reset_database();
clear_mails();
use_portail_defaults();
no_shuffle();

my $JEAN = 'jean.martin@example.org';

my %after = (

    reset_sent => sub {
        my $m = wait_for_mail($JEAN, qr/nouveau mot de passe/, 10);
        ok($m, 'the reset e-mail was delivered');
        like(mail_text($m // { raw => '' }),
             qr{https://portail\.example\.org/#/mot-de-passe/reinitialisation\?jeton=[A-Za-z0-9_-]{43}},
             'with its link');
        is(sql_value(q{SELECT extract(epoch FROM expire_le - cree_le)::int FROM jeton
                       WHERE usage = 'reinitialisation' ORDER BY id DESC LIMIT 1}), 3600,
           'valid one hour');
    },

    nothing_for_unknown => sub {
        sleep 1;
        ok(!wait_for_mail('personne@example.net', undef, 1), 'no mail to an unknown address');
        is(sql_value(q{SELECT count(*) FROM jeton WHERE usage = 'reinitialisation'}), 1,
           'no token for it');
    },

    weak_refused => sub {
        is(sql_value(q{SELECT count(*) FROM jeton WHERE usage = 'reinitialisation'
                       AND utilise_le IS NULL}), 1,
           'a refused password does not consume the link');
    },

    reset_done => sub {
        is(sql_value(q{SELECT count(*) FROM session s JOIN compte c ON c.id = s.compte_id
                       WHERE c.email = $1 AND s.fermee_le IS NULL}, $JEAN), 0,
           'every session of the account is closed');
        ok(sql_value(q{SELECT mot_de_passe_change_le IS NOT NULL FROM compte WHERE email = $1}, $JEAN),
           'the change is dated');
        ok(wait_for_mail($JEAN, qr/vient d'être modifié/, 10), 'the owner is told');
    },

    expire_next => sub {
        is(wait_for_mail_count($JEAN, qr/jeton=/, 2), 2, 'a second link was sent');
        db()->do(q{UPDATE jeton SET cree_le = now() - interval '2 hours',
                                    expire_le = now() - interval '1 hour'
                   WHERE usage = 'reinitialisation' AND utilise_le IS NULL});
    },

    reminder_sent => sub {
        my $m = wait_for_mail($JEAN, qr/votre identifiant est/, 10);
        ok($m, 'the reminder was delivered to the address on file');
        like(mail_text($m // { raw => '' }), qr/jean\.martin\@example\.org/, 'naming the identifier');
    },

    no_reminder => sub {
        sleep 1;
        is(scalar(grep { mail_text($_) =~ /votre identifiant est/ } mails()), 1,
           'no reminder for unknown people or people without an account');
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: an open session, to see it closed by the reset
--- request
GET /api/session
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org#avant}}
--- error_code: 200



=== TEST 2: forgotten password: a link by e-mail [reset_sent]
--- request
POST /api/mot-de-passe/oubli
{"email": "Jean.Martin@example.org"}
--- more_headers
Content-Type: application/json
--- error_code: 202
--- response_body chomp
{"message":"Si un compte correspond à cette adresse, un e-mail vient de vous être envoyé avec un lien pour choisir un nouveau mot de passe. Le lien est valable 1 heure."}
--- timeout: 15



=== TEST 3: an unknown address gets exactly the same answer [nothing_for_unknown]
--- request
POST /api/mot-de-passe/oubli
{"email": "personne@example.net"}
--- more_headers
Content-Type: application/json
--- error_code: 202
--- response_body chomp
{"message":"Si un compte correspond à cette adresse, un e-mail vient de vous être envoyé avec un lien pour choisir un nouveau mot de passe. Le lien est valable 1 heure."}
--- timeout: 15



=== TEST 4: a malformed address is a field error, whoever it is
--- request
POST /api/mot-de-passe/oubli
{"email": "jean.martin"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"email":"Saisissez une adresse e-mail valide



=== TEST 5: the new password follows the rules [weak_refused]
--- request
POST /api/mot-de-passe/reinitialisation
{"jeton": "{{mail_token:jean.martin@example.org}}", "mot_de_passe": "nouveau"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"mot_de_passe":"Le mot de passe doit contenir au moins 8 caractères."



=== TEST 6: the link sets the new password [reset_done]
--- request
POST /api/mot-de-passe/reinitialisation
{"jeton": "{{mail_token:jean.martin@example.org}}", "mot_de_passe": "Vieux-Port 17#2026"}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_body chomp
{"message":"Votre mot de passe est modifié. Vous pouvez vous connecter avec ce nouveau mot de passe."}
--- timeout: 15



=== TEST 7: the session opened before is over
--- request
GET /api/session
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org#avant}}
--- error_code: 401



=== TEST 8: the link is single-use
--- request
POST /api/mot-de-passe/reinitialisation
{"jeton": "{{mail_token:jean.martin@example.org}}", "mot_de_passe": "Encore 12 autres!"}
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body_like chomp
"error":"jeton_invalide"



=== TEST 9: the old password no longer works, the new one does
--- request eval
[qq{POST /api/connexion\n{"identifiant": "jean.martin\@example.org", "mot_de_passe": "Portail2024!"}},
 qq{POST /api/connexion\n{"identifiant": "jean.martin\@example.org", "mot_de_passe": "Vieux-Port 17#2026"}}]
--- more_headers
Content-Type: application/json
--- error_code eval
[401, 200]



=== TEST 10: a new link... [expire_next]
--- request
POST /api/mot-de-passe/oubli
{"email": "jean.martin@example.org"}
--- more_headers
Content-Type: application/json
--- error_code: 202
--- timeout: 15



=== TEST 11: ...used after its hour: 410
--- request
POST /api/mot-de-passe/reinitialisation
{"jeton": "{{mail_token:jean.martin@example.org}}", "mot_de_passe": "Vieux-Port 18#2026"}
--- more_headers
Content-Type: application/json
--- error_code: 410
--- response_body_like chomp
"error":"jeton_expire"



=== TEST 12: a made-up link
--- request
POST /api/mot-de-passe/reinitialisation
{"jeton": "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZn", "mot_de_passe": "Vieux-Port 18#2026"}
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body_like chomp
"error":"jeton_invalide"



=== TEST 13: forgotten identifiers: sent to the address on file [reminder_sent]
--- request
POST /api/identifiants/oubli
{"nom": "MARTIN", "reference_client": "7654321"}
--- more_headers
Content-Type: application/json
--- error_code: 202
--- response_body chomp
{"message":"Si ces informations correspondent à un compte, votre identifiant vient d'être envoyé à l'adresse e-mail de ce compte."}
--- timeout: 15



=== TEST 14: unknown people and signatories without an account get the same answer [no_reminder]
--- request eval
[qq{POST /api/identifiants/oubli\n{"nom": "Personne", "reference_client": "7654321"}},
 qq{POST /api/identifiants/oubli\n{"nom": "Dupont", "reference_client": "1234567"}}]
--- more_headers
Content-Type: application/json
--- error_code eval
[202, 202]
--- response_body eval
[qq{{"message":"Si ces informations correspondent à un compte, votre identifiant vient d'être envoyé à l'adresse e-mail de ce compte."}},
 qq{{"message":"Si ces informations correspondent à un compte, votre identifiant vient d'être envoyé à l'adresse e-mail de ce compte."}}]
--- timeout: 15



=== TEST 15: the fields' form is checked
--- request
POST /api/identifiants/oubli
{"nom": "Martin", "reference_client": "76543"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"reference_client":"La référence client est un numéro à 7 chiffres
