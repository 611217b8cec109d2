# Abuse: the endpoints that send e-mail are throttled per recipient, per
# account and per client address, with the same answer whatever happens;
# sign-in failures lock out only where they come from, and a known device
# (its cookie) keeps its owner in while the account is attacked.
#
# Jean MARTIN's demo account: jean.martin@example.org / Portail2024!
# Clients at 127.0.0.2 and up play the attackers (Linux routes 127/8 to lo).
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Digest::SHA qw(sha256_hex);
use MIME::Base64 qw(decode_base64url);
use Portail::Test;

reset_database();
clear_mails();
use_portail_defaults();
no_shuffle();

my $JEAN = 'jean.martin@example.org';
my $RESET_ANSWER = '{"message":"Si un compte correspond à cette adresse, un e-mail vient de '
    . 'vous être envoyé avec un lien pour choisir un nouveau mot de passe. Le lien est '
    . 'valable 1 heure."}';
my $REMINDER_ANSWER = '{"message":"Si ces informations correspondent à un compte, votre '
    . 'identifiant vient d\'être envoyé à l\'adresse e-mail de ce compte."}';

sub post {
    my ($path, $body, %o) = @_;
    my $headers = delete $o{headers} || {};
    return http_request(method => 'POST', path => $path,
                        headers => { 'Content-Type' => 'application/json', %$headers },
                        body => json_encode($body), %o);
}

sub login {
    my (%o) = @_;
    my $cookie = $o{device} ? { Cookie => "portail_appareil=$o{device}" } : {};
    return post('/api/connexion',
                { identifiant => $o{login} // $JEAN,
                  mot_de_passe => $o{password} // 'Portail2024!' },
                headers => $cookie,
                ($o{from} ? (local_addr => $o{from}) : ()));
}

sub device_of {
    my ($r) = @_;
    my ($v) = map { /^portail_appareil=([^;]*)/ ? $1 : () } @{ $r->{cookies} };
    return $v;
}

sub forget_all {
    db()->do(q{DELETE FROM courriel_demande});
    db()->do(q{DELETE FROM tentative_connexion});
}

my $device;

my %after = (

    reset_flood => sub {
        my @r;
        push @r, concurrent_requests(20, method => 'POST', path => '/api/mot-de-passe/oubli',
                                     headers => { 'Content-Type' => 'application/json' },
                                     body => json_encode({ email => $JEAN }), timeout => 30)
            for 1 .. 3;
        is(scalar(grep { $_->{status} == 202 } @r), 60, '60 answers 202');
        is(scalar(grep { $_->{body} eq $RESET_ANSWER } @r), 60, 'all with the usual message');
        is(sql_value(q{SELECT count(*) FROM courriel WHERE destinataire = $1
                       AND modele = 'mot_de_passe_reinitialisation'}, $JEAN), 3,
           'three e-mails queued, no more');
        is(sql_value(q{SELECT count(*) FROM courriel_demande WHERE NOT accordee}), 57,
           'the 57 others recorded as kept back');
        is(sql_value(q{SELECT count(*) FROM jeton WHERE usage = 'reinitialisation'
                       AND utilise_le IS NULL}), 1, 'one link alive, the last sent');
        is(wait_for_mail_count($JEAN, qr/nouveau mot de passe/, 3, 15), 3,
           'three e-mails delivered');
        sleep 1;
        is(scalar(grep { lc($_->{to} // '') eq $JEAN } mails()), 3, 'and no fourth');
        forget_all();
    },

    scanner => sub {
        my @r = map {
            post('/api/mot-de-passe/oubli', { email => "cible$_\@example.net" },
                 local_addr => '127.0.0.2')
        } 1 .. 12;
        push @r, post('/api/mot-de-passe/oubli', { email => $JEAN }, local_addr => '127.0.0.2');
        is(scalar(grep { $_->{status} == 202 && $_->{body} eq $RESET_ANSWER } @r), 13,
           'every address gets the same answer');
        is(sql_value(q{SELECT count(*) FROM courriel_demande
                       WHERE adresse_ip = '127.0.0.2' AND accordee}), 10,
           'the client address had its ten');
        is(sql_value(q{SELECT count(*) FROM courriel WHERE destinataire = $1}, $JEAN), 3,
           'Jean got nothing from the scanner');
        my $r = post('/api/mot-de-passe/oubli', { email => $JEAN });
        is($r->{body}, $RESET_ANSWER, 'from another address...');
        is(sql_value(q{SELECT count(*) FROM courriel WHERE destinataire = $1}, $JEAN), 4,
           '...his own request is sent');
        forget_all();
    },

    reminders => sub {
        my @r = map {
            post('/api/identifiants/oubli', { nom => 'MARTIN', reference_client => '7654321' })
        } 1 .. 6;
        is(scalar(grep { $_->{status} == 202 && $_->{body} eq $REMINDER_ANSWER } @r), 6,
           'six times the same answer');
        is(sql_value(q{SELECT count(*) FROM courriel WHERE destinataire = $1
                       AND modele = 'identifiants_rappel'}, $JEAN), 3, 'three reminders queued');
        forget_all();
    },

    email_change => sub {
        my ($cookie, $csrf) = open_session($JEAN);
        my @r = map {
            post('/api/dossier/email', { nouvel_email => "jean.n$_\@example.org",
                                         mot_de_passe => 'Portail2024!' },
                 headers => { Cookie => "portail_session=$cookie", 'X-CSRF-Token' => $csrf })
        } 1 .. 7;
        is(scalar(grep { $_->{status} == 202 } @r), 7, 'seven times 202');
        is(scalar(grep { $_->{body} eq $r[0]{body} } @r), 7, 'with the same message');
        is(sql_value(q{SELECT count(*) FROM courriel
                       WHERE modele = 'email_changement_confirmation'}), 5,
           'five links sent for the account, no more');
        is(sql_value(q{SELECT count(*) FROM courriel_demande
                       WHERE action = 'dossier.email.demande' AND NOT accordee}), 2,
           'two kept back');
        forget_all();
    },

    metric => sub {
        my $count = sub {
            my ($n) = http_request(path => '/metriques')->{body}
                =~ /^portail_mails_throttled_total (\d+)$/m;
            return $n;
        };
        my $before = $count->();
        ok(defined $before, 'portail_mails_throttled_total is shown');
        post('/api/mot-de-passe/oubli', { email => $JEAN }) for 1 .. 5;
        is($count->() - ($before // 0), 2, 'each e-mail kept back is counted');
        forget_all();
    },

    elsewhere => sub {
        my @r = map { login(password => "Faux$_!mot2passe", from => '127.0.0.2') } 1 .. 7;
        is_deeply([ map { $_->{status} } @r ], [401, 401, 401, 401, 401, 429, 429],
                  'the attacker at 127.0.0.2 is held back after five failures');
        like($r[5]{headers}{'retry-after'} // '', qr/^\d+$/, 'with Retry-After');
        my $r = login();
        is($r->{status}, 200, 'the owner at 127.0.0.1 signs in all the same');
        $device = device_of($r);
        like($device // '', qr/^[A-Za-z0-9_-]{43}$/, 'and gets a device cookie');
        like(join("\n", @{ $r->{cookies} }),
             qr/^portail_appareil=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=15552000$/m,
             'HttpOnly, SameSite=Strict, 180 days');
        is(sql_value(q{SELECT encode(jeton_hash, 'hex') FROM appareil}),
           sha256_hex(decode_base64url($device // '')), 'stored as its SHA-256');
        is(login(password => 'Portail2024!', from => '127.0.0.2')->{status}, 429,
           'the attacker\'s address stays held back, even with the right password');
        forget_all();
    },

    device_kept => sub {
        # an attack from the owner's own address (a shared NAT)
        my @r = map { login(password => "Faux$_!mot2passe") } 1 .. 6;
        is($r[5]{status}, 429, 'browsers without the cookie are held back');
        my $r = login(device => $device);
        is($r->{status}, 200, 'the owner\'s device gets in');
        ok(!device_of($r), 'a known device keeps its cookie');
        is(sql_value(q{SELECT count(*) FROM appareil}), 1, 'still one device');
        forget_all();
    },

    distributed => sub {
        my @r = map { login(password => "Faux$_!mot2passe", from => "127.0.0.$_") } 2 .. 5;
        is_deeply([ map { $_->{status} } @r ], [401, 401, 401, 429],
                  'failures from many addresses add up for browsers without the cookie');
        is(login(from => '127.0.0.9')->{status}, 429, 'a new browser waits');
        is(login(device => $device)->{status}, 200, 'the owner\'s device does not');
        my $forged = 'A' x 43;
        is(login(device => $forged)->{status}, 429, 'a made-up device cookie is nobody\'s');
        forget_all();
    },

    device_guessing => sub {
        my @r = map { login(password => "Faux$_!mot2passe", device => $device) } 1 .. 6;
        is_deeply([ map { $_->{status} } @r ], [401, 401, 401, 401, 401, 429],
                  'a known device has its own limit');
        is(login()->{status}, 200, 'which does not hold back the owner\'s other browsers');
        is(sql_value(q{SELECT count(*) FROM tentative_connexion WHERE appareil_id IS NOT NULL
                       AND NOT reussie AND motif = 'mot_de_passe'}), 5,
           'failures recorded against the device');
        forget_all();
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: 60 forgotten-password requests for one address: three e-mails [reset_flood]
--- request
GET /api/sante
--- timeout: 60



=== TEST 2: a scanner trying many addresses from one client: held back per address, same answer [scanner]
--- http_config
    portail_mail_max_per_address 10;
--- request
GET /api/sante
--- timeout: 30
--- error_log
portail: forgotten password: e-mail kept back by the limits



=== TEST 3: forgotten identifiers, six times: three reminders [reminders]
--- request
GET /api/sante
--- timeout: 30



=== TEST 4: e-mail change, seven addresses: five links for the account [email_change]
--- request
GET /api/sante
--- timeout: 60



=== TEST 5: e-mails kept back are counted [metric]
--- config
    location = /metriques { portail_metrics; }
--- request
GET /api/sante
--- timeout: 30



=== TEST 6: failures from 127.0.0.2 do not lock the owner out at 127.0.0.1 [elsewhere]
--- request
GET /api/sante
--- timeout: 60



=== TEST 7: attacked from the owner's own address, the owner's device still gets in [device_kept]
--- request
GET /api/sante
--- timeout: 60



=== TEST 8: a distributed attack slows unknown browsers, never the owner's device [distributed]
--- http_config
    portail_login_max_failures_per_account 3;
--- request
GET /api/sante
--- timeout: 60



=== TEST 9: guessing with a stolen device cookie is limited too [device_guessing]
--- request
GET /api/sante
--- timeout: 60



=== TEST 10: over TLS the device cookie takes the __Host- prefix and Secure
--- http_config
    portail_cookie_secure on;
--- request
POST /api/connexion
{"identifiant": "jean.martin@example.org", "mot_de_passe": "Portail2024!"}
--- more_headers
Content-Type: application/json
--- error_code: 200
--- response_headers_like
Set-Cookie: __Host-portail_appareil=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=15552000, __Host-portail_session=.*
