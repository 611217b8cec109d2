# Several nginx nodes on one database: sessions, logout and the e-mail
# outbox are the database's, not a node's.  The test's nginx is node A; a
# second nginx, configured like `make run` does, is node B.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Time::HiRes qw(sleep time);
use Portail::Test;

reset_database();
clear_mails();
use_portail_defaults();
no_shuffle();

my $JEAN = '{"identifiant":"jean.martin@example.org","mot_de_passe":"Portail2024!"}';

my %after = (

    sessions => sub {
        my ($b, $stop) = start_node(name => 'noeud-b');

        my $r = http_request(method => 'POST', path => '/api/connexion',
                             headers => { 'Content-Type' => 'application/json' },
                             body => $JEAN);
        is($r->{status}, 200, 'signed in on node A');
        my $cookie = session_cookie($r);
        my $csrf = json_decode($r->{body})->{csrf};

        $r = http_request(port => $b, path => '/api/session',
                          headers => { Cookie => "portail_session=$cookie" });
        is($r->{status}, 200, 'the session opened on A works on B');
        is(json_decode($r->{body})->{csrf}, $csrf, 'with the same CSRF token');

        $r = http_request(port => $b, method => 'POST', path => '/api/deconnexion',
                          headers => { Cookie => "portail_session=$cookie",
                                       'X-CSRF-Token' => $csrf });
        is($r->{status}, 200, 'signed out on B');

        $r = http_request(path => '/api/session',
                          headers => { Cookie => "portail_session=$cookie" });
        is($r->{status}, 401, 'A refuses the session B closed');

        $stop->();
    },

    outbox => sub {
        # node B with two workers: three senders in all for one outbox
        my ($b, $stop) = start_node(name => 'noeud-b', workers => 2);

        my $n = 40;
        for my $i (1 .. $n) {
            db()->do(q{INSERT INTO courriel (destinataire, modele, donnees)
                       VALUES ($1, 'identifiants_rappel', $2::jsonb)}, undef,
                     "noeuds$i\@example.net",
                     qq{{"prenom":"N$i","identifiant":"noeuds$i\@example.net"}});
        }

        my $deadline = time + 30;
        sleep 0.2 while time < $deadline
            && sql_value(q{SELECT count(*) FROM courriel WHERE destinataire LIKE 'noeuds%'
                           AND envoye_le IS NULL}) > 0;
        is(sql_value(q{SELECT count(*) FROM courriel WHERE destinataire LIKE 'noeuds%'
                       AND envoye_le IS NOT NULL}), $n, 'every message sent');
        sleep 1;
        my %count;
        $count{$_->{to}}++ for grep { ($_->{to} // '') =~ /^noeuds/ } mails();
        is(scalar keys %count, $n, 'every recipient got it');
        is(scalar(grep { $_ != 1 } values %count), 0, 'exactly once, with two nodes sending');

        $stop->();
    },
);
after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: a session opened on one node works on the other; a logout on one is refused on the other [sessions]
--- request
GET /api/sante
--- error_code: 200
--- timeout: 30



=== TEST 2: the e-mail outbox shared by two nodes: each message sent once [outbox]
--- request
GET /api/sante
--- error_code: 200
--- timeout: 60
