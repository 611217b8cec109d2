# Registration (POST /api/inscription) and its confirmation by e-mail.
#
# Demo households (sql: tools/demo-data): Marie DUPONT 1234567 and Hélène
# LEFÈVRE 2345678 have no account; Jean MARTIN (7654321) has the confirmed
# account jean.martin@example.org; Sophie MARTIN-LEROY is his co-tenant.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Portail::Test;

reset_database();
clear_mails();
use_portail_defaults();
no_shuffle();

my %after = (

    marie_registered => sub {
        my $c = sql(q{SELECT c.confirme_le, p.nom FROM compte c
                      JOIN personne p ON p.id = c.personne_id
                      WHERE c.email = 'marie.dupont@example.net'});
        is(scalar @$c, 1, 'an account exists for the address, lower-cased');
        is($c->[0]{nom}, 'DUPONT', 'for the signatory designated');
        ok(!defined $c->[0]{confirme_le}, 'not confirmed yet');
        my $j = sql_value(q{SELECT extract(epoch FROM j.expire_le - j.cree_le)::int
                            FROM jeton j JOIN compte c ON c.id = j.compte_id
                            WHERE c.email = 'marie.dupont@example.net'
                              AND j.usage = 'confirmation'});
        is($j, 86400, 'the confirmation link lives 24 hours');
        my $m = wait_for_mail('marie.dupont@example.net', undef, 10);
        ok($m, 'the confirmation e-mail was delivered');
        like(mail_text($m), qr{https://portail\.example\.org/#/inscription/confirmation\?jeton=[A-Za-z0-9_-]{43}},
             'with the link to the portal');
        like(mail_text($m), qr/valable 24 heures/, 'saying how long it lives');
        unlike($m->{raw} . mail_text($m), qr/Rochelle#2024x/, 'never the password');
        is(sql_value(q{SELECT count(*) FROM courriel WHERE donnees ? 'jeton'
                       AND envoye_le IS NOT NULL}), 0,
           'the token leaves the outbox once sent');
    },

    marie_confirmed => sub {
        ok(sql_value(q{SELECT confirme_le IS NOT NULL FROM compte
                       WHERE email = 'marie.dupont@example.net'}),
           'the account is confirmed');
    },

    address_in_use => sub {
        is(sql_value(q{SELECT c.email FROM compte c JOIN personne p ON p.id = c.personne_id
                       WHERE p.nom_normalise = 'LEFEVRE'}), 'helene.phrase@example.net',
           "an address in use does not become another signatory's");
        my $m = wait_for_mail('jean.martin@example.org', qr/déjà celle d'un compte/, 10);
        ok($m, 'the address owner is told that the address has an account');
    },

    already_registered => sub {
        my $m = wait_for_mail('jean.martin@example.org', qr/Vous avez déjà un compte/, 10);
        like(mail_text($m // {raw => ''}), qr/Vous avez déjà un compte/, 'the signatory is told he has an account');
        is(sql_value(q{SELECT count(*) FROM compte WHERE email = 'autre.jean@example.net'}), 0,
           'no second account for the signatory');
        ok(!wait_for_mail('autre.jean@example.net', undef, 1), 'nothing to the typed address');
    },

    helene_registered => sub {
        my $m = wait_for_mail('helene@example.net', undef, 10);
        ok($m, 'confirmation sent');
        # the link has passed its 24 hours
        db()->do(q{UPDATE jeton SET cree_le = now() - interval '25 hours',
                                    expire_le = now() - interval '1 hour'
                   WHERE usage = 'confirmation' AND compte_id =
                         (SELECT id FROM compte WHERE email = 'helene@example.net')});
    },

    helene_again => sub {
        is(sql_value(q{SELECT count(*) FROM compte WHERE email = 'helene.l@example.net'}), 1,
           'registering again replaces the details of the unconfirmed account');
        is(sql_value(q{SELECT count(*) FROM compte WHERE email = 'helene@example.net'}), 0,
           'the old address is gone');
        wait_for_mail('helene.l@example.net', undef, 10);
    },

    sophie_registered => sub {
        ok(sql_value(q{SELECT count(*) FROM compte c JOIN personne p ON p.id = c.personne_id
                       WHERE p.nom = 'MARTIN-LEROY'}) == 1,
           'the co-tenant has her own account');
    },

    nothing_stored => sub {
        is(sql_value(q{SELECT count(*) FROM compte WHERE email LIKE 'refus%'}), 0,
           'a refused registration stores nothing');
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: Marie DUPONT registers with her name as on the notice [marie_registered]
--- request
POST /api/inscription
{"nom": "Dupont", "reference_client": "1234567", "email": "Marie.Dupont@example.net", "mot_de_passe": "Rochelle#2024x"}
--- more_headers
Content-Type: application/json
--- error_code: 202
--- response_body chomp
{"message":"Votre demande d'inscription est enregistrée. Un lien de confirmation vient de vous être envoyé par e-mail : cliquez dessus pour activer votre compte. Le lien est valable 24 heures."}
--- timeout: 15



=== TEST 2: an unconfirmed account cannot sign in
--- request
POST /api/connexion
{"identifiant": "marie.dupont@example.net", "mot_de_passe": "Rochelle#2024x"}
--- more_headers
Content-Type: application/json
--- error_code: 403
--- response_body_like chomp
"error":"compte_non_confirme"
--- response_headers
!Set-Cookie



=== TEST 3: the link from the e-mail confirms the account [marie_confirmed]
--- request
POST /api/inscription/confirmation
{"jeton": "{{mail_token:marie.dupont@example.net}}"}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_body chomp
{"message":"Votre compte est activé. Vous pouvez maintenant vous connecter avec votre adresse e-mail et votre mot de passe."}



=== TEST 4: the link is single-use
--- request
POST /api/inscription/confirmation
{"jeton": "{{mail_token:marie.dupont@example.net}}"}
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body chomp
{"error":"jeton_invalide","message":"Ce lien n'est pas valide ou a déjà été utilisé."}



=== TEST 5: once confirmed, Marie signs in
--- request
POST /api/connexion
{"identifiant": "marie.dupont@example.net", "mot_de_passe": "Rochelle#2024x"}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_body_like chomp
"nom" ?: ?"DUPONT".*"numero" ?: ?"L/2013936"
--- response_headers_like
Set-Cookie: portail_appareil=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Max-Age=15552000, portail_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax



=== TEST 6: a name that does not match: one message for both fields [nothing_stored]
--- request
POST /api/inscription
{"nom": "Durand", "reference_client": "1234567", "email": "refus1@example.net", "mot_de_passe": "Rochelle#2024x"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body chomp
{"error":"identite_non_reconnue","message":"Le nom et la référence client ne correspondent à aucun signataire : vérifiez-les sur votre avis d'échéance.","champs":{"nom":"Le nom et la référence client ne correspondent à aucun signataire : vérifiez-les sur votre avis d'échéance.","reference_client":"Le nom et la référence client ne correspondent à aucun signataire : vérifiez-les sur votre avis d'échéance."}}



=== TEST 7: an unknown reference gets exactly the same answer [nothing_stored]
--- request
POST /api/inscription
{"nom": "Dupont", "reference_client": "9999999", "email": "refus2@example.net", "mot_de_passe": "Rochelle#2024x"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body chomp
{"error":"identite_non_reconnue","message":"Le nom et la référence client ne correspondent à aucun signataire : vérifiez-les sur votre avis d'échéance.","champs":{"nom":"Le nom et la référence client ne correspondent à aucun signataire : vérifiez-les sur votre avis d'échéance.","reference_client":"Le nom et la référence client ne correspondent à aucun signataire : vérifiez-les sur votre avis d'échéance."}}



=== TEST 8: each field says what is wrong with it [nothing_stored]
--- request
POST /api/inscription
{"nom": "", "reference_client": "L/12345", "email": "refus3@", "mot_de_passe": "court1!"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body chomp
{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"nom":"Saisissez le nom du signataire, tel qu'il figure sur votre avis d'échéance.","reference_client":"La référence client est un numéro à 7 chiffres, sans le L/ (en haut à gauche de votre avis d'échéance).","email":"Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.","mot_de_passe":"Le mot de passe doit contenir au moins 8 caractères."}}



=== TEST 9: passwords need two digits
--- request
POST /api/inscription
{"nom": "Dupont", "reference_client": "1234567", "email": "refus4@example.net", "mot_de_passe": "Rochelle#x1"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"mot_de_passe":"Le mot de passe doit contenir au moins 2 chiffres."



=== TEST 10: passwords need a special character
--- request
POST /api/inscription
{"nom": "Dupont", "reference_client": "1234567", "email": "refus5@example.net", "mot_de_passe": "Rochelle2024"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"mot_de_passe":"Le mot de passe doit contenir au moins 1 caractère spécial



=== TEST 11: very common passwords are refused even when they follow the rules
--- request
POST /api/inscription
{"nom": "Dupont", "reference_client": "1234567", "email": "refus6@example.net", "mot_de_passe": "Azerty123!"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"mot_de_passe":"Ce mot de passe est trop courant



=== TEST 12: long pass-phrases are welcome (80 characters)
--- request
POST /api/inscription
{"nom": "LEFEVRE", "reference_client": "2345678", "email": "helene.phrase@example.net", "mot_de_passe": "le port de La Rochelle, ses deux tours, 14 bateaux et 22 mouettes qui crient fort"}
--- more_headers
Content-Type: application/json
--- error_code: 202



=== TEST 13: too long a password is refused (129 characters)
--- request
POST /api/inscription
{"nom": "LEFEVRE", "reference_client": "2345678", "email": "refus7@example.net", "mot_de_passe": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa12!"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"mot_de_passe":"Le mot de passe ne doit pas dépasser 128 caractères."



=== TEST 14: an address that already has an account: the usual answer, the owner is told [address_in_use]
--- request
POST /api/inscription
{"nom": "Lefèvre", "reference_client": "2345678", "email": "Jean.Martin@example.org", "mot_de_passe": "Rochelle#2024x"}
--- more_headers
Content-Type: application/json
--- error_code: 202
--- response_body chomp
{"message":"Votre demande d'inscription est enregistrée. Un lien de confirmation vient de vous être envoyé par e-mail : cliquez dessus pour activer votre compte. Le lien est valable 24 heures."}
--- timeout: 15



=== TEST 15: a signatory who has an account already: the usual answer, his address is told [already_registered]
--- request
POST /api/inscription
{"nom": "Jean Martin", "reference_client": "7654321", "email": "autre.jean@example.net", "mot_de_passe": "Rochelle#2024x"}
--- more_headers
Content-Type: application/json
--- error_code: 202
--- response_body chomp
{"message":"Votre demande d'inscription est enregistrée. Un lien de confirmation vient de vous être envoyé par e-mail : cliquez dessus pour activer votre compte. Le lien est valable 24 heures."}
--- timeout: 15



=== TEST 16: accents, case, hyphens and spaces do not matter; the co-tenant registers too [sophie_registered]
--- request
POST /api/inscription
{"nom": "  sophie   martin leroy ", "reference_client": "L/7654321", "email": "sophie@example.net", "mot_de_passe": "Rochelle#2024x"}
--- more_headers
Content-Type: application/json
--- error_code: 202



=== TEST 17: Hélène registers; her link will expire [helene_registered]
--- request
POST /api/inscription
{"nom": "LEFEVRE", "reference_client": "2345678", "email": "helene@example.net", "mot_de_passe": "Rochelle#2024x"}
--- more_headers
Content-Type: application/json
--- error_code: 202
--- timeout: 15



=== TEST 18: an expired link says how to get a new one
--- request
POST /api/inscription/confirmation
{"jeton": "{{mail_token:helene@example.net}}"}
--- more_headers
Content-Type: application/json
--- error_code: 410
--- response_body chomp
{"error":"jeton_expire","message":"Ce lien a expiré. Pour une inscription, inscrivez-vous à nouveau avec les mêmes informations : un nouveau lien vous sera envoyé. Pour un mot de passe, refaites « Mot de passe oublié ? »."}



=== TEST 19: registering again sends a new link [helene_again]
--- request
POST /api/inscription
{"nom": "Lefèvre", "reference_client": "2345678", "email": "helene.l@example.net", "mot_de_passe": "Rochelle#2024x"}
--- more_headers
Content-Type: application/json
--- error_code: 202
--- timeout: 15



=== TEST 20: which works
--- request
POST /api/inscription/confirmation
{"jeton": "{{mail_token:helene.l@example.net}}"}
--- more_headers
Content-Type: application/json
--- error_code: 200



=== TEST 21: a malformed link
--- request
POST /api/inscription/confirmation
{"jeton": "../../etc/passwd"}
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body_like chomp
"error":"jeton_invalide"



=== TEST 22: JSON only
--- request
POST /api/inscription
nom=Dupont&reference_client=1234567
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 415
--- response_body_like chomp
"error":"type_non_supporte"



=== TEST 23: a body that is not JSON
--- request
POST /api/inscription
{"nom": "Dupont",
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body_like chomp
"error":"json_invalide"



=== TEST 24: fields of the wrong type [nothing_stored]
--- request
POST /api/inscription
{"nom": ["Dupont"], "reference_client": 1234567, "email": null, "mot_de_passe": {"a": 1}}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"nom":"Ce champ doit être un texte.","reference_client":"Ce champ doit être un texte."
