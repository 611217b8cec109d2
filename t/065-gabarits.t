# The wording of e-mails and PDFs comes from templates/ (docs/templates.md),
# not from the module: a directory put before the checkout's in
# portail_templates changes a mail's subject and text and a PDF's wording,
# file by file, with the same module (and a misspelt copy there is
# reported); a reload reads them again and refuses a broken one; values
# are HTML-escaped in HTML parts only; a malformed or missing template
# stops nginx, naming the file and the line.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use File::Temp qw(tempdir);
use File::Path qw(make_path);
use MIME::Base64 ();
use Time::HiRes qw(sleep time);
use Portail::Test;
use Portail::Paiements;

reset_database();
clear_mails();
use_portail_defaults();
no_shuffle();
# a reload starts new workers, with the new configuration
master_on();

my $root = portail_root();
my $module = (split ' ', $ENV{TEST_NGINX_LOAD_MODULES}
                         || "$root/build/ngx_http_portail_module.so")[0];

# no sentence of an e-mail or a PDF is compiled in
my $strings = `strings '$module'`;
is($?, 0, "strings reads $module");
for my $said ('Bonjour', 'Ce message est envoyé automatiquement',
              'Quittance délivrée gratuitement', 'Provisions sur charges',
              'Reçu de paiement par carte', 'Titulaire du compte',
              'Vos droits concernant le présent mandat') {
    unlike($strings, qr/\Q$said\E/, "the module has no \"$said\"");
}

# --- directories of templates ------------------------------------------------

my $tmp = tempdir(CLEANUP => 1);

sub write_file {
    my ($path, $text) = @_;
    (my $dir = $path) =~ s{/[^/]+$}{};
    make_path($dir);
    open my $fh, '>:raw', $path or die "$path: $!";
    print {$fh} $text;
    close $fh;
}

sub read_file {
    my ($path) = @_;
    open my $fh, '<:raw', $path or die "$path: $!";
    local $/;
    return scalar <$fh>;
}

# the checkout's file, changed by a substitution
sub copy_changed {
    my ($dir, $file, $change) = @_;
    local $_ = read_file("$root/templates/$file");
    $change->();
    write_file("$dir/$file", $_);
}

# the office's copies: one e-mail's subject and text, the quittance
our $BUREAU = "$tmp/bureau";
write_file("$BUREAU/courriels/identifiants_rappel.sujet",
           "{{! la copie de l'office }}\nVotre identifiant, {{ prenom }}\n");
write_file("$BUREAU/courriels/identifiants_rappel.txt",
           "Salut {{prenom}} !\r\n\r\nVotre identifiant : {{identifiant}}\r\n\r\n{{lien}}\r\n");
# a copy whose name the portal does not know: said, not silently ignored
write_file("$BUREAU/courriels/identifiants_rapel.txt", "Salut {{prenom}} !\n");
copy_changed($BUREAU, 'pdf/quittance.txt', sub {
    s/^Quittance de loyer$/Quittance de loyer, copie de l'office/m or die;
    s/^Quittance délivrée gratuitement.*?(?=\n\n)/Quittance gratuite ({{organisme_nom}}), loi n° 89-462, article 21./ms or die;
});

# copies edited while nginx runs
our $RELOAD = "$tmp/rechargement";
our $BROKEN = "$tmp/casse";
write_file("$_/courriels/mot_de_passe_modifie.sujet", "Avant, {{prenom}}\n")
    for $RELOAD, $BROKEN;

# malformed copies, each alone in its directory
our %BAD = map { $_ => "$tmp/$_" } qw(ouvert inconnue vide texte_inconnu texte_manquant);
write_file("$BAD{ouvert}/courriels/mot_de_passe_modifie.txt",
           "{{! le texte }}\nBonjour {{prenom,\n\nÀ bientôt.\n");
write_file("$BAD{inconnue}/courriels/inscription_confirmation.html",
           "<p>Bonjour {{prenom}},</p>\n<p><a href=\"{{lien}}\">{{lien}}</a> {{ identifiant }}</p>\n");
make_path($BAD{vide});
copy_changed($BAD{texte_inconnu}, 'pdf/mandat.txt', sub { s/^\[type\]$/[genre]/m or die });
copy_changed($BAD{texte_manquant}, 'pdf/recu_paiement.txt', sub { s/^\[solde\]\n.*//ms or die });

$ENV{TEST_NGINX_CHECKOUT} = $root;
$ENV{"TEST_NGINX_\U$_"} = $BAD{$_} for keys %BAD;
$ENV{TEST_NGINX_BUREAU} = $BUREAU;
$ENV{TEST_NGINX_RELOAD} = $RELOAD;
$ENV{TEST_NGINX_BROKEN} = $BROKEN;

# --- e-mails -----------------------------------------------------------------

# subject, text and HTML of the message to $to, decoded
sub received {
    my ($to) = @_;
    my $m = wait_for_mail($to, undef, 15) or return;
    my ($subject) = $m->{raw} =~ /^Subject: =\?UTF-8\?B\?([^?]+)\?=\r?$/m;
    my %p = (subject => MIME::Base64::decode_base64($subject // ''));
    for my $type (qw(plain html)) {
        my ($b) = $m->{raw} =~ m{Content-Type: text/$type; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n([A-Za-z0-9+/=\r\n]+)};
        $p{$type} = MIME::Base64::decode_base64($b // '');
    }
    return \%p;
}

sub master_pid {
    open my $fh, '<', $Test::Nginx::Util::PidFile or die "no pid file\n";
    my $pid = <$fh>;
    chomp $pid;
    return $pid;
}

# HUP to the master, then until the workers of the new configuration (or
# of the old one, if it is refused) serve
sub reload {
    my $log = $Test::Nginx::Util::ErrLogFile;
    my $before = -s $log;
    kill 'HUP', master_pid() or die "HUP: $!\n";
    my $deadline = time + 10;
    while (time < $deadline) {
        open my $fh, '<', $log or die $!;
        seek $fh, $before, 0;
        local $/;
        my $since = <$fh> // '';
        last if $since =~ /start worker process|configuration file .* test failed|\[emerg\]/;
        sleep 0.1;
    }
    sleep 1;    # the old workers finish
}

sub quittance_pdf {
    my $marie = 'marie.dupont@example.org';
    create_account('1234567', 'Marie', $marie)
        unless sql_value(q{SELECT count(*) FROM compte WHERE email = $1}, $marie);
    my $month = sql_value(q{SELECT to_char(e.periode, 'YYYY-MM') FROM ecriture e
                            JOIN contrat k ON k.id = e.contrat_id
                            WHERE k.numero = 'L/2013936' AND e.type = 'echeance'
                            AND e.archive_le IS NULL
                            GROUP BY e.periode ORDER BY e.periode DESC OFFSET 3 LIMIT 1});
    # as if the management software had sent no quittance for that month
    db()->do(q{DELETE FROM document WHERE contrat_id = (SELECT id FROM contrat WHERE numero = 'L/2013936')
               AND nature = 'quittance' AND periode = $1::date}, undef, "$month-01");
    my ($cookie) = open_session($marie);
    my $r = http_request(path => "/api/documents/q-2013936-$month/fichier",
                         headers => { Cookie => "portail_session=$cookie" });
    is($r->{status}, 200, "the quittance of $month is made");
    return pdf_text($r->{body});
}

my %after = (

    override_mail => sub {
        outbox('bureau@example.net', 'identifiants_rappel',
               { prenom => 'Élodie', identifiant => 'elodie@example.net' });
        my $m = received('bureau@example.net') or return fail('the message is sent');
        is($m->{subject}, "Votre identifiant, Élodie", "the office's subject");
        like($m->{plain}, qr/\ASalut Élodie !\r\n\r\nVotre identifiant : elodie\@example\.net\r\n\r\nhttps:\/\/portail\.example\.org\/#\/mot-de-passe\/oubli\r\n\r\n-- \r\n/,
             "the office's text (CRLF), then the signature");
        like($m->{plain}, qr/Ce message est envoyé automatiquement/,
             "the signature from the next directory, the checkout's");
        like($m->{html}, qr/<p>Bonjour Élodie,<\/p>/, "the HTML part from the checkout's");
        like($m->{html}, qr/\A<!DOCTYPE html>\n<html lang="fr">/, 'in its frame');
    },

    escaped => sub {
        outbox('echappe@example.net', 'mot_de_passe_modifie',
               { prenom => q{<b>Élodie</b> & 'co' "x"} });
        my $m = received('echappe@example.net') or return fail('the message is sent');
        like($m->{plain}, qr/^Bonjour <b>Élodie<\/b> & 'co' "x",\r$/m, 'the text part has the value as typed');
        like($m->{html}, qr/<p>Bonjour &lt;b&gt;Élodie&lt;\/b&gt; &amp; &#39;co&#39; &quot;x&quot;,<\/p>/,
             'the HTML part has it escaped');
        unlike($m->{html}, qr/<b>Élodie/, 'and never as markup');
        like($m->{html}, qr/<title>Votre mot de passe a été modifié<\/title>/, 'the subject titles the HTML');
    },

    override_pdf => sub {
        my $text = quittance_pdf();
        like($text, qr/^\s*Quittance de loyer, copie de l'office\s*$/m, "the office's title");
        like($text, qr/Quittance gratuite \(Office Public de l'Habitat de l'Agglomération de La Rochelle\), loi n° 89-462,/,
             "the office's legal mention, with a variable");
        unlike($text, qr/Quittance délivrée gratuitement/, 'not the package\'s');
        like($text, qr/Provisions sur charges/, 'the texts it did not change are there');
        like($text, qr/512,34 €/, 'and the amounts');
    },

    reload => sub {
        outbox('avant@example.net', 'mot_de_passe_modifie', { prenom => 'Zoé' });
        my $m = received('avant@example.net') or return fail('the message is sent');
        is($m->{subject}, 'Avant, Zoé', 'the subject of the file');
        write_file("$RELOAD/courriels/mot_de_passe_modifie.sujet", "Après, {{prenom}}\n");
        reload();
        outbox('apres@example.net', 'mot_de_passe_modifie', { prenom => 'Zoé' });
        $m = received('apres@example.net') or return fail('the message is sent');
        is($m->{subject}, 'Après, Zoé', 'the file edited, nginx reloaded: the new subject');
    },

    reload_broken => sub {
        write_file("$BROKEN/courriels/mot_de_passe_modifie.sujet", "Après, {{prenom\n");
        reload();
        outbox('casse@example.net', 'mot_de_passe_modifie', { prenom => 'Zoé' });
        my $m = received('casse@example.net') or return fail('the message is sent');
        is($m->{subject}, 'Avant, Zoé', 'a broken file at reload: the running wording stays');
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: a directory before the checkout's: a mail's subject and text from there, the rest from the next [override_mail]
--- http_config
    portail_templates $TEST_NGINX_BUREAU $TEST_NGINX_CHECKOUT/templates;
--- request
GET /api/sante
--- error_log eval
[qr{portail: template "courriels/identifiants_rappel\.txt" read from /\S+/bureau/courriels/identifiants_rappel\.txt},
 qr{\[warn\] .*portail: /\S+/bureau/courriels/identifiants_rapel\.txt is not a template of the portal, it is ignored}]
--- timeout: 30



=== TEST 2: {{prenom}} with markup: escaped in the HTML part, not in the text [escaped]
--- request
GET /api/sante
--- timeout: 30



=== TEST 3: a PDF's wording from the directory before the checkout's [override_pdf]
--- http_config
    portail_templates $TEST_NGINX_BUREAU $TEST_NGINX_CHECKOUT/templates;
--- request
GET /api/sante
--- timeout: 30



=== TEST 4: a template edited, then nginx reloaded: the new wording, the same module [reload]
--- http_config
    portail_templates $TEST_NGINX_RELOAD $TEST_NGINX_CHECKOUT/templates;
--- request
GET /api/sante
--- timeout: 60



=== TEST 5: a template broken, then nginx reloaded: refused, named; the workers keep the wording they had [reload_broken]
--- http_config
    portail_templates $TEST_NGINX_BROKEN $TEST_NGINX_CHECKOUT/templates;
--- request
GET /api/sante
--- error_log eval
["[emerg]", qr{portail: unterminated "\{\{prenom" in /\S+/casse/courriels/mot_de_passe_modifie\.sujet:1$}m]
--- timeout: 60



=== TEST 6: an unterminated {{ stops nginx: file and line
--- http_config
    portail_templates $TEST_NGINX_OUVERT $TEST_NGINX_CHECKOUT/templates;
--- must_die
--- error_log eval
["[emerg]", qr{portail: unterminated "\{\{prenom," in /\S+/ouvert/courriels/mot_de_passe_modifie\.txt:2$}m]



=== TEST 7: a variable the template does not have stops nginx: file, line, and the variables it has
--- http_config
    portail_templates $TEST_NGINX_INCONNUE $TEST_NGINX_CHECKOUT/templates;
--- must_die
--- error_log eval
["[emerg]", qr{portail: unknown variable "\{\{identifiant\}\}" in /\S+/inconnue/courriels/inscription_confirmation\.html:2; the variables of this template: prenom, nom, lien, organisme_nom,}]



=== TEST 8: a template in no directory stops nginx, naming where it was looked for
--- http_config
    portail_templates $TEST_NGINX_VIDE;
--- must_die
--- error_log eval
["[emerg]", qr{portail: the template "courriels/pied\.txt" is missing: no /\S+/vide/courriels/pied\.txt$}m]



=== TEST 9: a PDF text the file should not have stops nginx: file, line, and the texts it has
--- http_config
    portail_templates $TEST_NGINX_TEXTE_INCONNU $TEST_NGINX_CHECKOUT/templates;
--- must_die
--- error_log eval
["[emerg]", qr{portail: unknown text "\[genre\]" in /\S+/texte_inconnu/pdf/mandat\.txt:\d+; the texts of this file: titre, rum, type, autorisation,}]



=== TEST 10: a PDF text missing from its file stops nginx, naming the file
--- http_config
    portail_templates $TEST_NGINX_TEXTE_MANQUANT $TEST_NGINX_CHECKOUT/templates;
--- must_die
--- error_log eval
["[emerg]", qr{portail: missing text "\[solde\]" in /\S+/texte_manquant/pdf/recu_paiement\.txt$}m]
