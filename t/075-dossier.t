# Dossier: GET and PATCH /api/dossier (phones in E.164, professional
# situation, consents), changing the sign-in address (current password,
# link to the new address, the old one told, 409 when taken meanwhile) and
# the password (other sessions end, the owner is told).
#
# Jean MARTIN: jean.martin@example.org / Portail2024!, fixe +33546123456,
# mobile +33698765432, salarie.  Marie DUPONT gets an account here.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Portail::Test;

reset_database();
clear_mails();
use_portail_defaults();
no_shuffle();

my $JEAN = 'jean.martin@example.org';
my $MARIE = 'marie.dupont@example.net';

Portail::Test::db()->do(q{INSERT INTO compte (personne_id, email, mot_de_passe_hash, confirme_le)
           SELECT p.id, $1, (SELECT mot_de_passe_hash FROM compte WHERE email = $2), now()
           FROM personne p JOIN tiers t ON t.id = p.tiers_id
           WHERE t.reference_client = '1234567' AND p.prenom = 'Marie'},
         undef, $MARIE, $JEAN);

sub jean {
    return sql(q{SELECT * FROM personne WHERE prenom = 'Jean' AND nom = 'MARTIN'})->[0];
}

# a request of Jean's (or $o{email}'s) with a fresh session and its token
sub api {
    my ($method, $path, $body, %o) = @_;
    my ($cookie, $csrf) = $o{session} ? @{ $o{session} } : open_session($o{email} // $JEAN);
    my %h = (Cookie => "portail_session=$cookie");
    $h{'X-CSRF-Token'} = $csrf unless $o{no_csrf};
    $h{'Content-Type'} = 'application/json' if defined $body;
    my $r = http_request(method => $method, path => $path, headers => \%h,
                         body => defined $body ? json_encode($body) : '',
                         timeout => 15);
    $r->{json} = eval { json_decode($r->{body}) } // {};
    return $r;
}

sub journal_count {
    my ($action) = @_;
    return sql_value(q{SELECT count(*) FROM journal WHERE action = $1}, $action);
}

my %after = (

    read => sub {
        my ($block, $body) = @_;
        my $d = json_decode($body);
        is($d->{email}, $JEAN, 'the sign-in address');
        is($d->{telephone_fixe}, '+33546123456', 'the landline in E.164');
        is($d->{telephone_fixe_affichage}, '05 46 12 34 56', 'and as a French reader writes it');
        is($d->{telephone_mobile_affichage}, '06 98 76 54 32', 'the mobile too');
        is($d->{situation_professionnelle}, 'salarie', 'the situation');
        is($d->{situation_professionnelle_libelle}, 'Salarié(e)', 'with its French label');
        is(join(',', map { $_->{code} } @{ $d->{situations_professionnelles} }),
           'salarie,demandeur_emploi,retraite,etudiant,sans_activite,independant,autre',
           'the choices of the form');
        is(join('|', map { $_->{libelle} } @{ $d->{situations_professionnelles} }),
           "Salarié(e)|Demandeur d'emploi|Retraité(e)|Étudiant(e)|Sans activité|Indépendant(e)|Autre",
           'in French');
        ok(!$d->{consentements}{dematerialisation} && !$d->{consentements}{actualites},
           'no consent given yet');
        is($d->{email_en_attente}, undef, 'no address change pending');
    },

    patched => sub {
        my ($block, $body) = @_;
        my $d = json_decode($body);
        my $p = jean();
        is($p->{telephone_mobile}, '+33612345678', '"06 12 34 56 78" stored in E.164');
        is($p->{telephone_fixe}, '+33546001122', '"05.46.00.11.22" too');
        is($p->{situation_professionnelle}, 'retraite', 'the new situation');
        ok($p->{consentement_dematerialisation_le}, 'the consent with its date');
        ok(!$p->{consentement_actualites_le}, 'the other consent untouched');
        ok($p->{modifie_par_compte_le}, 'marked for the export');
        is($d->{telephone_mobile_affichage}, '06 12 34 56 78', 'the answer is the new state');
        is($d->{situation_professionnelle_libelle}, 'Retraité(e)', 'with labels');
        ok($d->{consentements}{dematerialisation}, 'consent shown');
        is(journal_count('dossier.modification'), 1, 'journaled');
        my $details = sql_value(q{SELECT details::text FROM journal WHERE action = 'dossier.modification'});
        like($details, qr/telephone_mobile/, 'with the fields changed');
    },

    formats => sub {
        for my $typed ('+33 6 12 34 56 78', '0033612345678', '+33 (0)6 12 34 56 78',
                       '06-12-34-56-78', '0612345678') {
            my $r = api('PATCH', '/api/dossier', { telephone_mobile => $typed });
            is($r->{status}, 200, "\"$typed\" accepted");
            is(jean()->{telephone_mobile}, '+33612345678', "\"$typed\" is +33612345678");
        }
        my $r = api('PATCH', '/api/dossier', { telephone_fixe => '+32 2 123 45 67' });
        is($r->{status}, 200, 'a Belgian number');
        is(jean()->{telephone_fixe}, '+3221234567', 'kept in E.164');
        is($r->{json}{telephone_fixe_affichage}, '+3221234567', 'and shown so');

        my $before = jean()->{modifie_par_compte_le};
        $r = api('PATCH', '/api/dossier', { telephone_fixe => '+32 2 123 45 67' });
        is($r->{status}, 200, 'the same value again');
        is(jean()->{modifie_par_compte_le}, $before, 'changes nothing, exports nothing');
    },

    bad_input => sub {
        my $before = jean();
        my %cases = (
            'a short number'             => [{ telephone_mobile => '06 12 34' }, 'telephone_mobile'],
            'letters'                    => [{ telephone_fixe => '05 AB 12 34 56' }, 'telephone_fixe'],
            'a number that is a number'  => [{ telephone_fixe => 546123456 }, 'telephone_fixe'],
            'a +33 number too long'      => [{ telephone_mobile => '+33 6 12 34 56 78 9' }, 'telephone_mobile'],
            'a situation off the list'   => [{ situation_professionnelle => 'chomeur' }, 'situation_professionnelle'],
            'a consent that is not a boolean' => [{ consentement_actualites => 'oui' }, 'consentement_actualites'],
        );
        for my $name (sort keys %cases) {
            my ($body, $field) = @{ $cases{$name} };
            my $r = api('PATCH', '/api/dossier', { %$body, situation_professionnelle => 'etudiant',
                                                   %$body });
            is($r->{status}, 422, "$name: 422");
            is($r->{json}{error}, 'validation', "$name: a validation error");
            ok($r->{json}{champs}{$field}, "$name: on $field ($r->{json}{champs}{$field})");
        }
        is_deeply(jean(), $before, 'nothing was changed by refused requests');
    },

    cleared => sub {
        my $p = jean();
        is($p->{telephone_fixe}, undef, 'an empty string clears the number');
        is($p->{consentement_dematerialisation_le}, undef, 'a withdrawn consent loses its date');
        ok($p->{consentement_actualites_le}, 'a consent given');
        my $date = $p->{consentement_actualites_le};
        my $r = api('PATCH', '/api/dossier', { consentement_actualites => JSON::PP::true });
        is($r->{status}, 200, 'given again');
        is(jean()->{consentement_actualites_le}, $date, 'keeps its first date');
    },

    email_asked => sub {
        my $c = sql(q{SELECT email FROM compte WHERE personne_id = (SELECT id FROM personne
                      WHERE prenom = 'Jean' AND nom = 'MARTIN')})->[0];
        is($c->{email}, $JEAN, 'the address is not changed yet');
        my $j = sql(q{SELECT donnees->>'email' AS email, utilise_le,
                             extract(epoch FROM expire_le - cree_le)::int AS duree
                      FROM jeton WHERE usage = 'changement_email'});
        is(scalar @$j, 1, 'one link');
        is($j->[0]{email}, 'jean.nouveau@example.org', 'for the new address, lower-cased');
        is($j->[0]{duree}, 86400, 'valid 24 hours');
        my $m = wait_for_mail('jean.nouveau@example.org', qr/jeton=/, 15);
        ok($m, 'a link sent to the new address');
        like(mail_text($m // { raw => '' }),
             qr{https://portail\.example\.org/#/dossier/email/confirmation\?jeton=[A-Za-z0-9_-]{43}},
             'to the confirmation page');
        my $old = wait_for_mail($JEAN, qr/vient d'être demandé, vers l'adresse/, 15);
        ok($old, 'the current address is told');
        like(mail_text($old // { raw => '' }), qr/jean\.nouveau\@example\.org/, 'of the new address');
        my $d = api('GET', '/api/dossier');
        is($d->{json}{email_en_attente}{email}, 'jean.nouveau@example.org', 'the change is shown pending');
        is(journal_count('dossier.email.demande'), 1, 'journaled');
    },

    wrong_password => sub {
        is(sql_value(q{SELECT count(*) FROM tentative_connexion
                       WHERE identifiant = $1 AND NOT reussie AND motif = 'mot_de_passe'}, $JEAN),
           1, 'a wrong current password is a failed attempt of the account');
        is(sql_value(q{SELECT echecs_connexion FROM compte WHERE email = $1}, $JEAN), 1, 'counted');
        is(sql_value(q{SELECT count(*) FROM jeton WHERE usage = 'changement_email'}), 1,
           'no new link');
    },

    throttled => sub {
        for (2 .. 5) {
            api('POST', '/api/dossier/email', { nouvel_email => 'x@example.org', mot_de_passe => "Faux$_!!" });
        }
        my $r = api('POST', '/api/dossier/email',
                    { nouvel_email => 'jean.nouveau@example.org', mot_de_passe => 'Portail2024!' });
        is($r->{status}, 429, 'after 5 failures even the right password waits');
        ok($r->{headers}{'retry-after'}, 'with Retry-After');
        my $l = http_request(method => 'POST', path => '/api/connexion',
                             headers => { 'Content-Type' => 'application/json' },
                             body => json_encode({ identifiant => $JEAN, mot_de_passe => 'Portail2024!' }));
        is($l->{status}, 429, 'and so does signing in: the same throttling');
        Portail::Test::db()->do(q{DELETE FROM tentative_connexion});
    },

    taken => sub {
        my $m = wait_for_mail($MARIE, qr/jeton=/, 15);
        ok($m, "the link goes to the address, whoever owns it");
        my ($token) = mail_text($m // { raw => '' }) =~ /jeton=([A-Za-z0-9_-]{43})/;
        my $r = http_request(method => 'POST', path => '/api/dossier/email/confirmation',
                             headers => { 'Content-Type' => 'application/json' },
                             body => json_encode({ jeton => $token // '' }));
        is($r->{status}, 409, 'confirming it: 409');
        like($r->{body}, qr/"error":"adresse_utilisee"/, 'the address belongs to another account');
        is(sql_value(q{SELECT count(*) FROM compte WHERE email = $1}, $JEAN), 1, "Jean's address unchanged");
        is(sql_value(q{SELECT count(*) FROM compte WHERE email = $1}, $MARIE), 1, "Marie's account untouched");
    },

    asked_again => sub {
        # the next block takes the newest link: it must have arrived
        is(wait_for_mail_count('jean.nouveau@example.org', qr/jeton=/, 2, 20), 2,
           'a second link sent');
    },

    confirmed => sub {
        my $c = sql(q{SELECT c.email, p.email_contact, p.modifie_par_compte_le
                      FROM compte c JOIN personne p ON p.id = c.personne_id
                      WHERE p.prenom = 'Jean' AND p.nom = 'MARTIN'})->[0];
        is($c->{email}, 'jean.nouveau@example.org', 'the new sign-in address');
        is($c->{email_contact}, 'jean.nouveau@example.org', 'copied to the contact address');
        ok($c->{modifie_par_compte_le}, 'marked for the export');
        ok(sql_value(q{SELECT utilise_le IS NOT NULL FROM jeton WHERE usage = 'changement_email'
                       ORDER BY id DESC LIMIT 1}), 'the link is used');
        is(journal_count('dossier.email.confirmation'), 1, 'journaled');
    },

    taken_meanwhile => sub {
        # a link for an address that an account takes before it is opened
        my ($cookie, $csrf) = open_session('jean.nouveau@example.org');
        my $r = api('POST', '/api/dossier/email',
                    { nouvel_email => 'lea.dupont@example.net', mot_de_passe => 'Portail2024!' },
                    session => [$cookie, $csrf]);
        is($r->{status}, 202, 'asked');
        my $token = mail_token('lea.dupont@example.net');
        Portail::Test::db()->do(q{UPDATE compte SET email = 'lea.dupont@example.net' WHERE email = $1}, undef, $MARIE);
        $r = http_request(method => 'POST', path => '/api/dossier/email/confirmation',
                          headers => { 'Content-Type' => 'application/json' },
                          body => json_encode({ jeton => $token }));
        is($r->{status}, 409, 'taken meanwhile: 409 when confirming');
        is(sql_value(q{SELECT count(*) FROM compte WHERE email = 'jean.nouveau@example.org'}), 1,
           'the address stays');
        Portail::Test::db()->do(q{UPDATE compte SET email = $1 WHERE email = 'lea.dupont@example.net'}, undef, $MARIE);
    },

    expired_link => sub {
        Portail::Test::db()->do(q{UPDATE jeton SET cree_le = cree_le - interval '2 days',
                                  expire_le = expire_le - interval '2 days'
                                  WHERE usage = 'changement_email' AND utilise_le IS NULL});
    },

    password_wrong => sub {
        is(sql_value(q{SELECT count(*) FROM tentative_connexion WHERE NOT reussie}), 1,
           'a failed attempt');
        is(sql_value(q{SELECT mot_de_passe_change_le > now() - interval '1 minute' FROM compte
                       WHERE email = 'jean.nouveau@example.org'}), 0, 'the password is unchanged');
        Portail::Test::db()->do(q{DELETE FROM tentative_connexion});
    },

    password_changed => sub {
        my ($block, $body) = @_;
        my $c = sql(q{SELECT id, mot_de_passe_change_le > now() - interval '1 minute' AS recent
                      FROM compte WHERE email = 'jean.nouveau@example.org'})->[0];
        ok($c->{recent}, 'the password is changed');
        is(sql_value(q{SELECT count(*) FROM session WHERE compte_id = $1 AND fermee_le IS NULL}, $c->{id}),
           1, 'only this session stays open');
        ok(sql_value(q{SELECT fermee_le IS NOT NULL FROM session WHERE agent = 'autre navigateur'}),
           'the other one is closed');
        ok(wait_for_mail('jean.nouveau@example.org', qr/Le mot de passe de votre compte sur le portail locataire vient/, 15),
           'the owner is told');
        is(journal_count('dossier.mot_de_passe'), 1, 'journaled');
        my $l = http_request(method => 'POST', path => '/api/connexion',
                             headers => { 'Content-Type' => 'application/json' },
                             body => json_encode({ identifiant => 'jean.nouveau@example.org',
                                                   mot_de_passe => 'Vieux-Port 17#2026' }));
        is($l->{status}, 200, 'signing in with the new password works');
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: Jean's details [read]
--- request
GET /api/dossier
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200
--- response_headers
Cache-Control: no-store



=== TEST 2: no session: 401
--- request
GET /api/dossier
--- error_code: 401



=== TEST 3: phones as typed, a situation, a consent [patched]
--- request
PATCH /api/dossier
{"telephone_mobile": "06 12 34 56 78", "telephone_fixe": "05.46.00.11.22", "situation_professionnelle": "retraite", "consentement_dematerialisation": true}
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
X-CSRF-Token: {{csrf:jean.martin@example.org}}
Content-Type: application/json
--- error_code: 200



=== TEST 4: every way of typing a French number [formats]
--- request
GET /api/dossier
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200
--- timeout: 20



=== TEST 5: bad input: a field error each, nothing changed [bad_input]
--- request
GET /api/dossier
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200
--- timeout: 20



=== TEST 6: without the CSRF token: 403
--- request
PATCH /api/dossier
{"telephone_fixe": ""}
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
Content-Type: application/json
--- error_code: 403
--- response_body_like chomp
"error":"csrf_invalide"



=== TEST 7: not JSON: 400
--- request
PATCH /api/dossier
telephone_fixe=
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
X-CSRF-Token: {{csrf:jean.martin@example.org}}
Content-Type: application/json
--- error_code: 400



=== TEST 8: clearing a number, withdrawing a consent, giving one [cleared]
--- request
PATCH /api/dossier
{"telephone_fixe": "", "consentement_dematerialisation": false, "consentement_actualites": true}
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
X-CSRF-Token: {{csrf:jean.martin@example.org}}
Content-Type: application/json
--- error_code: 200
--- timeout: 10



=== TEST 9: a new sign-in address, current password given [email_asked]
--- request
POST /api/dossier/email
{"nouvel_email": " Jean.Nouveau@Example.org ", "mot_de_passe": "Portail2024!"}
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
X-CSRF-Token: {{csrf:jean.martin@example.org}}
Content-Type: application/json
--- error_code: 202
--- response_body chomp
{"message":"Un lien de confirmation vient d'être envoyé à votre nouvelle adresse e-mail : ouvrez-le pour confirmer le changement. Il est valable 24 heures. D'ici là, votre adresse actuelle reste celle de votre compte."}
--- timeout: 20



=== TEST 10: a wrong current password [wrong_password]
--- request
POST /api/dossier/email
{"nouvel_email": "jean.autre@example.org", "mot_de_passe": "Portail2025!"}
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
X-CSRF-Token: {{csrf:jean.martin@example.org}}
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"champs":\{"mot_de_passe":"Le mot de passe actuel est incorrect."\}



=== TEST 11: throttled like sign-in [throttled]
--- request
GET /api/dossier
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200
--- timeout: 30



=== TEST 12: the fields are checked
--- request
POST /api/dossier/email
{"nouvel_email": "pas-une-adresse", "mot_de_passe": ""}
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
X-CSRF-Token: {{csrf:jean.martin@example.org}}
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"champs":\{"nouvel_email":"Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.","mot_de_passe":"Saisissez votre mot de passe actuel."\}



=== TEST 13: the current address is not a change
--- request
POST /api/dossier/email
{"nouvel_email": "jean.martin@example.org", "mot_de_passe": "Portail2024!"}
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
X-CSRF-Token: {{csrf:jean.martin@example.org}}
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"nouvel_email":"C'est déjà l'adresse e-mail de votre compte."
--- timeout: 10



=== TEST 14: an address with an account gets the same answer [taken]
--- request
POST /api/dossier/email
{"nouvel_email": "marie.dupont@example.net", "mot_de_passe": "Portail2024!"}
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
X-CSRF-Token: {{csrf:jean.martin@example.org}}
Content-Type: application/json
--- error_code: 202
--- response_body chomp
{"message":"Un lien de confirmation vient d'être envoyé à votre nouvelle adresse e-mail : ouvrez-le pour confirmer le changement. Il est valable 24 heures. D'ici là, votre adresse actuelle reste celle de votre compte."}
--- timeout: 20



=== TEST 15: without the CSRF token: 403
--- request
POST /api/dossier/email
{"nouvel_email": "jean.nouveau@example.org", "mot_de_passe": "Portail2024!"}
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
Content-Type: application/json
--- error_code: 403



=== TEST 16: ask again for the new address [asked_again]
--- request
POST /api/dossier/email
{"nouvel_email": "jean.nouveau@example.org", "mot_de_passe": "Portail2024!"}
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
X-CSRF-Token: {{csrf:jean.martin@example.org}}
Content-Type: application/json
--- error_code: 202
--- timeout: 20



=== TEST 17: the link confirms it, from any browser [confirmed]
--- request
POST /api/dossier/email/confirmation
{"jeton": "{{mail_token:jean.nouveau@example.org}}"}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_body chomp
{"message":"Votre nouvelle adresse e-mail est confirmée : c'est désormais votre identifiant de connexion."}



=== TEST 18: once only
--- request
POST /api/dossier/email/confirmation
{"jeton": "{{mail_token:jean.nouveau@example.org}}"}
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body_like chomp
"error":"jeton_invalide"



=== TEST 19: a made-up link
--- request
POST /api/dossier/email/confirmation
{"jeton": "not-a-token"}
--- more_headers
Content-Type: application/json
--- error_code: 400



=== TEST 20: an address taken between the request and the link [taken_meanwhile]
--- request
GET /api/dossier
--- more_headers
Cookie: portail_session={{session:jean.nouveau@example.org}}
--- error_code: 200
--- timeout: 30



=== TEST 21: a link past its 24 hours [expired_link]
--- request
POST /api/dossier/email
{"nouvel_email": "jean.tard@example.org", "mot_de_passe": "Portail2024!"}
--- more_headers
Cookie: portail_session={{session:jean.nouveau@example.org}}
X-CSRF-Token: {{csrf:jean.nouveau@example.org}}
Content-Type: application/json
--- error_code: 202
--- timeout: 20



=== TEST 22: ...is refused with 410
--- request
POST /api/dossier/email/confirmation
{"jeton": "{{mail_token:jean.tard@example.org}}"}
--- more_headers
Content-Type: application/json
--- error_code: 410
--- response_body_like chomp
"error":"changement_email_expire"



=== TEST 23: password: the current one is checked [password_wrong]
--- request
POST /api/dossier/mot-de-passe
{"mot_de_passe_actuel": "Portail2025!", "nouveau_mot_de_passe": "Vieux-Port 17#2026"}
--- more_headers
Cookie: portail_session={{session:jean.nouveau@example.org}}
X-CSRF-Token: {{csrf:jean.nouveau@example.org}}
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"champs":\{"mot_de_passe_actuel":"Le mot de passe actuel est incorrect."\}
--- timeout: 10



=== TEST 24: the new one follows the registration rules
--- request
POST /api/dossier/mot-de-passe
{"mot_de_passe_actuel": "Portail2024!", "nouveau_mot_de_passe": "court"}
--- more_headers
Cookie: portail_session={{session:jean.nouveau@example.org}}
X-CSRF-Token: {{csrf:jean.nouveau@example.org}}
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"champs":\{"nouveau_mot_de_passe":



=== TEST 25: without the CSRF token: 403
--- request
POST /api/dossier/mot-de-passe
{"mot_de_passe_actuel": "Portail2024!", "nouveau_mot_de_passe": "Vieux-Port 17#2026"}
--- more_headers
Cookie: portail_session={{session:jean.nouveau@example.org}}
Content-Type: application/json
--- error_code: 403



=== TEST 26: without a session: 401
--- request
POST /api/dossier/mot-de-passe
{"mot_de_passe_actuel": "Portail2024!", "nouveau_mot_de_passe": "Vieux-Port 17#2026"}
--- more_headers
Content-Type: application/json
--- error_code: 401



=== TEST 27: changed: the other sessions end, this one stays [password_changed]
--- init
my ($c) = Portail::Test::open_session('jean.nouveau@example.org');
Portail::Test::db()->do(q{UPDATE session SET agent = 'autre navigateur' WHERE id = (SELECT max(id) FROM session)});
--- request eval
["POST /api/dossier/mot-de-passe\n" . q{{"mot_de_passe_actuel": "Portail2024!", "nouveau_mot_de_passe": "Vieux-Port 17#2026"}},
 "GET /api/dossier"]
--- more_headers eval
["Cookie: portail_session={{session:jean.nouveau\@example.org#reste}}\nX-CSRF-Token: {{csrf:jean.nouveau\@example.org#reste}}\nContent-Type: application/json",
 "Cookie: portail_session={{session:jean.nouveau\@example.org#reste}}"]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr/"message":"Votre mot de passe est modifié\. Vos autres sessions ouvertes ont été fermées/, qr/"email" ?: ?"jean\.nouveau\@example\.org"/]
--- timeout: 20



=== TEST 28: the new password must differ from the current one
--- request
POST /api/dossier/mot-de-passe
{"mot_de_passe_actuel": "Vieux-Port 17#2026", "nouveau_mot_de_passe": "Vieux-Port 17#2026"}
--- more_headers
Cookie: portail_session={{session:jean.nouveau@example.org}}
X-CSRF-Token: {{csrf:jean.nouveau@example.org}}
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"nouveau_mot_de_passe":"Choisissez un mot de passe différent de l'actuel."
