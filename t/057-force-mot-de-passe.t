# New passwords judged alike on registration, password change and reset,
# and POST /api/mot-de-passe/evaluation saying beforehand what each will
# answer: the office's floor, the account's own words, zxcvbn's estimate
# with French words; evaluations throttled per address.
#
# Jean MARTIN: jean.martin@example.org / Portail2024!; the signatory
# DUPONT of 1234567 has no account.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Portail::Test;

reset_database();
clear_mails();
use_portail_defaults();
no_shuffle();

my $JEAN = 'jean.martin@example.org';
# well formed, unknown: the password is judged before the link is looked up
my $TOKEN = 'A' x 43;

sub post {
    my ($path, $body, $session) = @_;
    my %h = ('Content-Type' => 'application/json');
    if ($session) {
        $h{Cookie} = "portail_session=$session->[0]";
        $h{'X-CSRF-Token'} = $session->[1];
    }
    my $r = http_request(method => 'POST', path => $path, headers => \%h,
                         body => json_encode($body), timeout => 15);
    $r->{json} = eval { json_decode($r->{body}) } // {};
    return $r;
}

sub evaluate {
    my ($password, %o) = @_;
    my %b = (mot_de_passe => $password);
    $b{email} = $o{email} if defined $o{email};
    $b{nom} = $o{nom} if defined $o{nom};
    my $r = post('/api/mot-de-passe/evaluation', \%b, $o{session});
    is($r->{status}, 200, "evaluated: '$password'") or diag($r->{body});
    return $r->{json};
}

# what a submission says of its password field: undef when accepted
sub same_verdict {
    my ($what, $password, $verdict, $field, $answer) = @_;
    my $message = $answer->{json}{champs}{$field};
    if ($verdict->{acceptable}) {
        ok(!defined $message, "$what accepts '$password' as evaluated")
            or diag($answer->{body});
    } else {
        is($message, $verdict->{raisons}[0]{message},
           "$what refuses '$password' with the evaluation's first reason")
            or diag($answer->{body});
    }
}

my @PASSWORDS = (
    '12345678!', '        12!', 'Azerty123!', 'court', 'Rochelle#x1',
    'Martin-Zebre-Velo 42', 'M4rt1n#Zebre 99', 'jean.martin 2024!',
    'Dupont-Ciel 77!', 'dupont-marie-88!', 'abcdefgh12!', 'soleil2024!!',
    'cheval batterie agrafe 42!', 'Vieux-Port 17#2026',
    'Tr0mbone&Gu1tare!', 'les 3 mouettes du quai 12 crient',
);

my %after = (

    floor_and_guesses => sub {
        for my $p ('12345678!', '        12!', 'Azerty123!', 'abcdefgh12!') {
            my $v = evaluate($p);
            ok(!$v->{acceptable}, "'$p' is not acceptable");
            ok((grep { $_->{code} eq 'trop_previsible' } @{ $v->{raisons} }),
               "'$p': too predictable");
        }
        my $v = evaluate('court');
        is(join(',', map { $_->{code} } @{ $v->{raisons} }),
           'trop_court,chiffres,caractere_special,trop_previsible',
           'every reason, the floor first');
        is($v->{raisons}[0]{message}, 'Le mot de passe doit contenir au moins 8 caractères.',
           "in the office's words");
        $v = evaluate('cheval batterie agrafe 42!');
        ok($v->{acceptable}, 'a pass-phrase is acceptable');
        is_deeply($v->{raisons}, [], 'with no reason');
    },

    own_words => sub {
        my $s = [open_session($JEAN)];
        for my $p ('Martin-Zebre-Velo 42', 'M4rt1n#Zebre 99') {
            my $v = evaluate($p, session => $s);
            is($v->{raisons}[0]{code}, 'contient_nom', "'$p' signed in: the tenant's name");
        }
        my $v = evaluate('Martin-Zebre-Velo 42');
        ok($v->{acceptable}, 'the same without an account: nothing to hold against it');
        $v = evaluate('Martin-Zebre-Velo 42', email => 'paul.martin@example.net');
        is($v->{raisons}[0]{code}, 'contient_email', 'registering: the address typed');
        $v = evaluate('Dupont-Ciel 77!', nom => 'Dupont', email => 'x@example.net');
        is($v->{raisons}[0]{code}, 'contient_nom', 'registering: the name typed');
        $v = evaluate('jean.martin 2024!', email => 'paul.martin@example.net', session => $s);
        is($v->{raisons}[0]{code}, 'contient_nom',
           "signed in, the account's words, not the body's");
    },

    # each password evaluated, then submitted: the same verdict
    same_as_submission => sub {
        my $s = [open_session($JEAN)];
        my $current = 'Portail2024!';
        for my $p (@PASSWORDS) {
            my $v = evaluate($p, session => $s);
            my $r = post('/api/dossier/mot-de-passe',
                         { mot_de_passe_actuel => $current, nouveau_mot_de_passe => $p }, $s);
            same_verdict('a password change', $p, $v, 'nouveau_mot_de_passe', $r);
            if ($v->{acceptable}) {
                is($r->{status}, 200, "'$p' is now Jean's password") or diag($r->{body});
                $current = $p;
            }

            $v = evaluate($p);
            $r = post('/api/mot-de-passe/reinitialisation', { jeton => $TOKEN, mot_de_passe => $p });
            same_verdict('a reset', $p, $v, 'mot_de_passe', $r);
            is($r->{json}{error}, 'jeton_invalide', "'$p': then the link is checked")
                if $v->{acceptable};

            $v = evaluate($p, nom => 'Dupont', email => 'marie.dupont@example.net');
            $r = post('/api/inscription', { nom => 'Dupont', reference_client => '9999999',
                                            email => 'marie.dupont@example.net',
                                            mot_de_passe => $p });
            same_verdict('a registration', $p, $v, 'mot_de_passe', $r);
            is($r->{json}{error}, 'identite_non_reconnue', "'$p': then the signatory is looked for")
                if $v->{acceptable};
        }
        ok(sql_value(q{SELECT mot_de_passe_change_le IS NOT NULL FROM compte WHERE email = $1}, $JEAN),
           'the accepted ones were set');
    },

    throttled => sub {
        my ($block, $body) = @_;
        is(sql_value(q{SELECT count(*) FROM evaluation_mot_de_passe}), 3,
           'the refused evaluation is not counted');
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: the floor, then the estimate [floor_and_guesses]
--- request
POST /api/mot-de-passe/evaluation
{"mot_de_passe": "12345678!"}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_body_like chomp
^\{"acceptable":false,"raisons":\[\{"code":"trop_previsible","message":"Ce mot de passe est trop courant
--- timeout: 60



=== TEST 2: the tenant's own words [own_words]
--- request
POST /api/mot-de-passe/evaluation
{"mot_de_passe": "        12!"}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_body_like chomp
"acceptable":false
--- timeout: 60



=== TEST 3: change, reset and registration answer as evaluated [same_as_submission]
--- request
POST /api/mot-de-passe/evaluation
{"mot_de_passe": "cheval batterie agrafe 42!", "email": "marie.dupont@example.net"}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_body chomp
{"acceptable":true,"raisons":[]}
--- timeout: 180



=== TEST 4: 12345678! and eight spaces and 12! refused on a password change
--- request eval
["POST /api/dossier/mot-de-passe\n" . q{{"mot_de_passe_actuel": "Portail2024!", "nouveau_mot_de_passe": "12345678!"}},
 "POST /api/dossier/mot-de-passe\n" . q{{"mot_de_passe_actuel": "Portail2024!", "nouveau_mot_de_passe": "        12!"}}]
--- more_headers eval
["Cookie: portail_session={{session:jean.martin\@example.org#a}}\nX-CSRF-Token: {{csrf:jean.martin\@example.org#a}}\nContent-Type: application/json",
 "Cookie: portail_session={{session:jean.martin\@example.org#a}}\nX-CSRF-Token: {{csrf:jean.martin\@example.org#a}}\nContent-Type: application/json"]
--- error_code eval
[422, 422]
--- response_body_like eval
['"nouveau_mot_de_passe":"Ce mot de passe est trop courant', '"nouveau_mot_de_passe":"Ce mot de passe est trop courant']
--- timeout: 20



=== TEST 5: and on a reset and a registration
--- request eval
["POST /api/mot-de-passe/reinitialisation\n" . q{{"jeton": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "mot_de_passe": "12345678!"}},
 "POST /api/mot-de-passe/reinitialisation\n" . q{{"jeton": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "mot_de_passe": "        12!"}},
 "POST /api/inscription\n" . q{{"nom": "Dupont", "reference_client": "1234567", "email": "m.d@example.net", "mot_de_passe": "12345678!"}},
 "POST /api/inscription\n" . q{{"nom": "Dupont", "reference_client": "1234567", "email": "m.d@example.net", "mot_de_passe": "        12!"}}]
--- more_headers eval
[("Content-Type: application/json") x 4]
--- error_code eval
[422, 422, 422, 422]
--- response_body_like eval
[('"mot_de_passe":"Ce mot de passe est trop courant') x 4]
--- timeout: 20



=== TEST 6: evaluations are throttled per address [throttled]
--- http_config
    portail_password_evaluations_per_address 3;
    portail_password_evaluation_window 1h;
--- init
Portail::Test::db()->do(q{DELETE FROM evaluation_mot_de_passe});
--- request eval
[("POST /api/mot-de-passe/evaluation\n" . q{{"mot_de_passe": "Vieux-Port 17#2026"}}) x 4]
--- more_headers eval
[("Content-Type: application/json") x 4]
--- error_code eval
[200, 200, 200, 429]
--- response_body_like eval
['"acceptable":true', '"acceptable":true', '"acceptable":true', '"error":"trop_d_evaluations"']
--- raw_response_headers_like eval
['', '', '', 'Retry-After: 3600']
--- timeout: 20



=== TEST 7: from another site: 403
--- request
POST /api/mot-de-passe/evaluation
{"mot_de_passe": "Vieux-Port 17#2026"}
--- more_headers
Content-Type: application/json
Sec-Fetch-Site: cross-site
--- error_code: 403
--- response_body_like chomp
"error":"csrf_invalide"



=== TEST 8: no password: 422
--- request
POST /api/mot-de-passe/evaluation
{"email": "x@example.net"}
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"champs":\{"mot_de_passe":"Saisissez le mot de passe à évaluer."\}
