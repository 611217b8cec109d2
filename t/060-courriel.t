# The e-mail outbox: delivered once from inside nginx, retried when the
# relay refuses for a while, abandoned (and kept) when it refuses for good,
# rendered in French with the office's details from the configuration, and sent
# once across a PostgreSQL restart.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Time::HiRes qw(sleep time);
use Portail::Test;

reset_database();
clear_mails();
use_portail_defaults(http_config => <<'CONF');
    portail_office_phone "05 46 00 00 17";
    portail_office_address "1 quai du Port, 17000 La Rochelle";
CONF
no_shuffle();

my $refuse = $ENV{TEST_PORTAIL_SMTP_REFUSE} // die "TEST_PORTAIL_SMTP_REFUSE unset\n";
my $hold = $ENV{TEST_PORTAIL_SMTP_HOLD} // die "TEST_PORTAIL_SMTP_HOLD unset\n";

# The sink has a message once the SMTP dialogue ends; the worker records it
# as sent right after, in its own round trip: wait for that too.
sub wait_until {
    my ($what, $cond) = @_;
    my $deadline = time + 15;
    until ($cond->()) {
        if (time > $deadline) { fail($what); return }
        sleep 0.1;
    }
    pass($what);
}

my %after = (

    delivered_once => sub {
        my @ids = map { outbox("lot$_\@example.net", 'identifiants_rappel',
                               { prenom => 'Lot', identifiant => "lot$_\@example.net" }) } 1 .. 12;
        wait_until('twelve messages sent', sub {
            sql_value(q{SELECT count(*) FROM courriel WHERE envoye_le IS NOT NULL
                        AND destinataire LIKE 'lot%'}) == 12 });
        sleep 1;
        my %n;
        $n{$_->{to}}++ for grep { ($_->{to} // '') =~ /^lot/ } mails();
        is(scalar(keys %n), 12, 'each recipient got its message');
        is(scalar(grep { $_ != 1 } values %n), 0, 'exactly once');
        is(sql_value(q{SELECT count(DISTINCT message_id) FROM courriel
                       WHERE destinataire LIKE 'lot%'}), 12, 'each with its own Message-ID');
    },

    rendered => sub {
        my $id = outbox('rendu@example.net', 'mot_de_passe_reinitialisation',
                        { prenom => 'Élodie <b>', jeton => 'A' x 43 });
        my $m = wait_for_mail('rendu@example.net', undef, 15);
        ok($m, 'sent');
        $m //= { raw => '' };
        like($m->{raw}, qr/^Subject: =\?UTF-8\?B\?[A-Za-z0-9+\/=]+\?=\r?$/m, 'subject encoded');
        like($m->{raw}, qr/^Message-ID: <courriel\.$id\.\d+\@/m, 'stable Message-ID');
        like($m->{raw}, qr{Content-Type: text/html; charset=utf-8}, 'an HTML part too');
        my $text = mail_text($m);
        like($text, qr/Bonjour Élodie <b>,/, 'French text with the data');
        like($text, qr/Tél\. 05 46 00 00 17/, "the office's phone from the configuration");
        like($text, qr/1 quai du Port, 17000 La Rochelle/, "and its address");
        my ($html) = $m->{raw} =~ m{text/html; charset=utf-8\r?\nContent-Transfer-Encoding: base64\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)};
        $html = MIME::Base64::decode_base64($html // '');
        like($html, qr/Élodie &lt;b&gt;/, 'values are escaped in HTML');
        like($html, qr{<a href="https://portail\.example\.org/#/mot-de-passe/reinitialisation\?jeton=A{43}">},
             'the link is clickable');
        wait_until('marked sent', sub {
            sql_value(q{SELECT envoye_le IS NOT NULL FROM courriel WHERE id = $1}, $id) });
        ok(!sql_value(q{SELECT donnees ? 'jeton' FROM courriel WHERE id = $1}, $id),
           'the token is removed once sent');
    },

    retried => sub {
        open my $fh, '>', $refuse or die $!;
        print $fh "451\n";
        close $fh;
        my $id = outbox('retard@example.net', 'identifiants_rappel',
                        { prenom => 'Retard', identifiant => 'retard@example.net' });
        wait_until('the relay refused it for now', sub {
            (sql_value(q{SELECT essais FROM courriel WHERE id = $1}, $id) // 0) >= 1
            && defined sql_value(q{SELECT derniere_erreur FROM courriel WHERE id = $1}, $id) });
        like(sql_value(q{SELECT derniere_erreur FROM courriel WHERE id = $1}, $id), qr/^451/,
             'the reason is kept');
        ok(sql_value(q{SELECT prochain_essai_le > now() FROM courriel WHERE id = $1}, $id),
           'it waits before the next attempt');
        unlink $refuse;
        db()->do(q{UPDATE courriel SET prochain_essai_le = now() WHERE id = $1}, undef, $id);
        ok(wait_for_mail('retard@example.net', undef, 15), 'delivered once the relay accepts');
        wait_until('marked sent', sub {
            sql_value(q{SELECT envoye_le IS NOT NULL FROM courriel WHERE id = $1}, $id) });
    },

    abandoned => sub {
        open my $fh, '>', $refuse or die $!;
        print $fh "550\n";
        close $fh;
        my $id = outbox('inexistant@example.net', 'identifiants_rappel',
                        { prenom => 'X', identifiant => 'inexistant@example.net' });
        wait_until('the relay refused it for good', sub {
            sql_value(q{SELECT abandonne_le IS NOT NULL FROM courriel WHERE id = $1}, $id) });
        unlink $refuse;
        like(sql_value(q{SELECT derniere_erreur FROM courriel WHERE id = $1}, $id), qr/^550/,
             'kept with the reason');
    },

    relay_down => sub {
        my $id = outbox('panne@example.net', 'identifiants_rappel',
                        { prenom => 'Panne', identifiant => 'panne@example.net' });
        wait_until('a failure is recorded', sub {
            defined sql_value(q{SELECT derniere_erreur FROM courriel WHERE id = $1}, $id) });
        ok(!sql_value(q{SELECT envoye_le IS NOT NULL OR abandonne_le IS NOT NULL
                        FROM courriel WHERE id = $1}, $id), 'not lost: it stays to send');
    },

    imported_text => sub {
        my $id = sql_value(q{INSERT INTO courriel (destinataire, sujet, texte)
                             VALUES ('texte@example.net', 'Votre demande a changé', 'Texte libre é')
                             RETURNING id});
        my $m = wait_for_mail('texte@example.net', undef, 15);
        ok($m, 'messages written as text by other producers are sent as they are');
        like(mail_text($m // { raw => '' }), qr/^Texte libre é/, 'body kept');
    },
    # the relay accepts while PostgreSQL is down: the worker records the
    # message once the database is back, and never sends it again
    db_restart => sub {
        unlink "$hold.holding";
        open my $fh, '>', $hold or die $!;
        close $fh;
        my $id = outbox('redemarrage@example.net', 'identifiants_rappel',
                        { prenom => 'Redémarrage', identifiant => 'redemarrage@example.net' });
        my $deadline = time + 15;
        sleep 0.05 until -e "$hold.holding" || time > $deadline;
        ok(-e "$hold.holding", 'the relay has the message and holds its answer');
        pg_stop();
        unlink $hold;
        sleep 1;    # the relay says 250; the record of it fails
        pg_start();
        wait_until('recorded once PostgreSQL is back', sub {
            sql_value(q{SELECT envoye_le IS NOT NULL FROM courriel WHERE id = $1}, $id) });
        sleep 10;   # past the lease (10 s) of the claim made before the restart
        is(scalar(grep { ($_->{to} // '') eq 'redemarrage@example.net' } mails()), 1,
           'delivered exactly once');
        is(sql_value(q{SELECT essais FROM courriel WHERE id = $1}, $id), 1,
           'claimed once');
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: messages in the outbox are delivered, each exactly once [delivered_once]
--- request
GET /api/sante
--- timeout: 30



=== TEST 2: rendering: French, encoded subject, HTML escaped, office details [rendered]
--- request
GET /api/sante
--- timeout: 30



=== TEST 3: a temporary refusal is retried later, nothing lost [retried]
--- request
GET /api/sante
--- timeout: 40



=== TEST 4: a permanent refusal is abandoned, and kept [abandoned]
--- request
GET /api/sante
--- timeout: 30



=== TEST 5: relay down: the failure is recorded, the message stays [relay_down]
--- http_config
    portail_database "host=$TEST_NGINX_POSTGRESQL_HOST port=$TEST_NGINX_POSTGRESQL_PORT dbname=$TEST_NGINX_POSTGRESQL_DB user=$TEST_NGINX_POSTGRESQL_USER";
    portail_smtp 127.0.0.1:9;
    portail_mail_interval 100ms;
    portail_upload_pdf_check $TEST_NGINX_PORTAIL_PDFCHECK;
--- request
GET /api/sante
--- error_log
portail: e-mail delivery failed
--- timeout: 30



=== TEST 6: messages written with their text (by the import) [imported_text]
--- request
GET /api/sante
--- timeout: 30



=== TEST 7: PostgreSQL restarts between the relay's acceptance and its record: sent once [db_restart]
--- http_config
    portail_mail_lease 10s;
    portail_mail_timeout 5s;
--- request
GET /api/sante
--- grep_error_log eval
qr/recording it when the database answers again|e-mails sent while the database could not record them are recorded/
--- grep_error_log_out
recording it when the database answers again
e-mails sent while the database could not record them are recorded
--- timeout: 40
