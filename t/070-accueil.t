# Accueil: GET /api/accueil (news of the tenant's profile, and at a glance
# balances, next due dates, insurance, open requests, a survey to answer)
# and GET /api/actualites/{id}.
#
# Jean MARTIN (7654321): one dwelling L/2087412 in residence R004, in credit.
# Marie DUPONT (1234567): dwelling L/2013936 and parking L/2013937, both in
# residence R001; her account is made here.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Encode ();
use Portail::Test;

reset_database();
use_portail_defaults();
no_shuffle();

my $JEAN = 'jean.martin@example.org';
my $MARIE = 'marie.dupont@example.net';

Portail::Test::db()->do(q{INSERT INTO compte (personne_id, email, mot_de_passe_hash, confirme_le)
           SELECT p.id, $1, (SELECT mot_de_passe_hash FROM compte WHERE email = $2), now()
           FROM personne p JOIN tiers t ON t.id = p.tiers_id
           WHERE t.reference_client = '1234567' AND p.prenom = 'Marie'},
         undef, $MARIE, $JEAN);

my $today = sql_value(q{SELECT (now() AT TIME ZONE 'Europe/Paris')::date::text});
my ($y, $m, $d) = split /-/, $today;

# the due date a person would work out from the day of the month
sub next_due {
    my ($day) = @_;
    my ($ny, $nm) = ($y, $m);
    if ($d > $day) {
        $nm++;
        if ($nm > 12) { $nm = 1; $ny++ }
    }
    return sprintf('%04d-%02d-%02d', $ny, $nm, $day);
}

# A certificate for Marie's dwelling ending in 10 days, and a refused one
# ending later, which must not count.
my $PDF = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
sub insurance {
    my ($numero, $fin, $statut) = @_;
    db()->do(q{INSERT INTO assurance_habitation (contrat_id, assureur, numero_police, date_debut,
                   date_fin, fichier, fichier_mime, fichier_taille, fichier_sha256,
                   fichier_nom_origine, statut, examinee_le, motif_refus, depose_par_compte_id)
               SELECT k.id, 'MAIF', 'P-1', $2::date - 365, $2::date, $3::bytea, 'application/pdf',
                      length($3::bytea), sha256($3::bytea), 'a.pdf', $4,
                      CASE WHEN $4 <> 'en_attente' THEN now() END,
                      CASE WHEN $4 = 'refusee' THEN 'illisible' END,
                      (SELECT id FROM compte WHERE email = $5)
               FROM contrat k WHERE k.numero = $1},
             undef, $numero, $fin, $PDF, $statut, $MARIE);
}
insurance('L/2013936', sql_value(q{SELECT ((now() AT TIME ZONE 'Europe/Paris')::date + 10)::text}), 'validee');
insurance('L/2013936', sql_value(q{SELECT ((now() AT TIME ZONE 'Europe/Paris')::date + 200)::text}), 'refusee');

sub titles {
    my ($home) = @_;
    return join ' | ', map { $_->{titre} } @{ $home->{actualites} };
}

my %after = (

    jean_home => sub {
        my ($block, $body) = @_;
        my $h = json_decode($body);
        is(scalar @{ $h->{contrats} }, 1, 'Jean has one contract');
        my $k = $h->{contrats}[0];
        is($k->{numero}, 'L/2087412', 'his dwelling');
        is($k->{solde_cents}, -15000, 'in credit: a negative balance');
        like($k->{solde_au}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/, 'with its date');
        is($k->{prochaine_echeance}, next_due(10), 'next due date from the 10th of the month');
        is($k->{echeance_cents}, 52318 + 12046, 'rent and charges');
        is($k->{assurance}{etat}, 'aucune', 'no certificate on file');
        my $t = titles($h);
        like($t, qr/Enquête sociale/, 'news for everyone');
        like($t, qr/Le Clos des Mouettes/, 'news of his residence');
        like($t, qr/Chauffage collectif/, 'news for dwellings');
        unlike($t, qr/boîtes aux lettres/, 'not those of another residence');
        unlike($t, qr/Parkings/, 'not those for parking holders');
        unlike($t, qr/Fermeture exceptionnelle/, 'not expired ones');
        my @dates = map { $_->{publie_le} } @{ $h->{actualites} };
        is_deeply(\@dates, [sort { $b cmp $a } @dates], 'newest first');
        ok(length $h->{actualites}[0]{extrait} <= 210, 'an excerpt, not the text');
        is($h->{demandes}{ouvertes},
           sql_value(q{SELECT count(*) FROM demande d JOIN contrat k ON k.id = d.contrat_id
                       WHERE k.numero = 'L/2087412'
                         AND d.statut IN ('nouvelle', 'en_cours', 'en_attente_locataire')}),
           'open requests counted');
        ok(@{ $h->{demandes}{dernieres} } >= 1 && @{ $h->{demandes}{dernieres} } <= 3,
           'the few latest');
        ok($h->{demandes}{dernieres}[0]{statut_libelle}, 'with a French status');
        is($h->{enquete}{type}, 'SLS', 'the survey to answer');
        ok(!$h->{enquete}{en_retard}, 'not late yet');
    },

    marie_home => sub {
        my ($block, $body) = @_;
        my $h = json_decode($body);
        is(join(',', map { $_->{numero} } @{ $h->{contrats} }), 'L/2013936,L/2013937',
           'both contracts, the dwelling first');
        is($h->{contrats}[0]{assurance}{etat}, 'expire_bientot',
           'a certificate ending within 30 days (the refused one does not count)');
        is($h->{contrats}[1]{assurance}, undef, 'no insurance asked for a parking space');
        is($h->{contrats}[0]{prochaine_echeance}, next_due(5), 'due on the 5th');
        my $t = titles($h);
        like($t, qr/boîtes aux lettres/, 'news of her residence');
        like($t, qr/Parkings/, 'news for parking holders');
        unlike($t, qr/Le Clos des Mouettes/, "not Jean's residence's");
    },

    late_survey => sub {
        my ($block, $body) = @_;
        my $h = json_decode($body);
        ok($h->{enquete}{en_retard}, 'a survey past its deadline is late');
        is($h->{enquete}{contrat}, 'L/2013936', 'and names its contract');
        is($h->{contrats}[0]{assurance}{etat}, 'expiree', 'an expired certificate');
    },

    marie_parking => sub {
        my ($block, $body) = @_;
        my $h = json_decode($body);
        is($h->{contrat}, 'L/2013937', 'the answer names the contract');
        is(join(',', map { $_->{numero} } @{ $h->{contrats} }), 'L/2013937', 'only that one');
        unlike(titles($h), qr/Chauffage collectif/, 'no news for dwellings on the parking page');
        is($h->{enquete}, undef, 'the survey is the dwelling\'s');
    },

    many_news => sub {
        my ($block, $body) = @_;
        my $h = json_decode($body);
        is(scalar @{ $h->{actualites} }, 5, 'five news at most');
        is($h->{actualites}[0]{titre}, 'Longue 6', 'the newest first');
        my $e = $h->{actualites}[0]{extrait};
        like($e, qr/…$/, 'a long text is cut, with an ellipsis');
        ok(length(Encode::decode('UTF-8', $e)) <= 201, 'at about 200 characters');
        like($e, qr/ mot…$/, 'on a whole word');
    },

    rewritten_news => sub {
        my ($block, $body) = @_;
        my $h = json_decode($body);
        is($h->{actualites}[0]{titre}, 'Longue 6', 'the same item');
        is($h->{actualites}[0]{extrait}, "Le texte a été réécrit par l'office.",
           'the new text, spaces tidied, uncut');
    },

    news_item => sub {
        my ($block, $body) = @_;
        my $a = json_decode($body);
        is($a->{titre}, 'Enquête sociale : répondez en ligne', 'the item');
        like($a->{texte}, qr/avis d'imposition\.$/, 'in full');
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: Jean's home page [jean_home]
--- request
GET /api/accueil
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200
--- response_headers
Content-Type: application/json; charset=utf-8
Cache-Control: no-store



=== TEST 2: Marie's: two contracts, her residence's and parking holders' news [marie_home]
--- request
GET /api/accueil
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200



=== TEST 3: one contract at a time: ?contrat= [marie_parking]
--- request
GET /api/accueil?contrat=2013937
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200



=== TEST 4: L/2013937 spelt in full works too
--- request
GET /api/accueil?contrat=L%2F2013937
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- response_body_like chomp
^\{"contrat" ?: ?"L/2013937"



=== TEST 5: a survey past its deadline, a certificate past its end [late_survey]
--- init
Portail::Test::db()->do(q{UPDATE enquete_campagne SET date_limite = (now() AT TIME ZONE 'Europe/Paris')::date - 1,
                                       ouverture_le = (now() AT TIME ZONE 'Europe/Paris')::date - 40});
Portail::Test::db()->do(q{UPDATE assurance_habitation SET date_fin = (now() AT TIME ZONE 'Europe/Paris')::date - 1
           WHERE statut = 'validee'});
--- request
GET /api/accueil
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200



=== TEST 6: the five newest, with excerpts [many_news]
--- init
Portail::Test::db()->do(q{INSERT INTO actualite (reference, titre, texte, cible, publie_le)
    SELECT 'LONG-' || g, 'Longue ' || g, repeat('mot ', 100), 'tous', now() - interval '1 hour' * (7 - g)
    FROM generate_series(1, 6) g});
--- request
GET /api/accueil
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200



=== TEST 7: another tenant's contract is not found
--- request
GET /api/accueil?contrat=2013936
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 404
--- response_body_like chomp
"error":"introuvable"



=== TEST 8: nor is something that is not a contract number
--- request
GET /api/accueil?contrat=20139%3B
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 404



=== TEST 9: no session: 401
--- request
GET /api/accueil
--- error_code: 401
--- response_body_like chomp
"error":"non_authentifie"



=== TEST 10: a session that will be closed
--- request
GET /api/accueil
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org#fermee}}
--- error_code: 200



=== TEST 11: once closed: 401
--- init
Portail::Test::db()->do(q{UPDATE session SET fermee_le = now()});
--- request
GET /api/accueil
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org#fermee}}
--- error_code: 401



=== TEST 12: a news item in full [news_item]
--- request eval
"GET /api/actualites/" . Portail::Test::sql_value(q{SELECT id FROM actualite WHERE reference = 'ACT-002'})
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200



=== TEST 13: another residence's news item: 404
--- request eval
"GET /api/actualites/" . Portail::Test::sql_value(q{SELECT id FROM actualite WHERE reference = 'ACT-004'})
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 404



=== TEST 14: an expired one: 404
--- request eval
"GET /api/actualites/" . Portail::Test::sql_value(q{SELECT id FROM actualite WHERE reference = 'ACT-003'})
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 404



=== TEST 15: an archived one: 404
--- init
Portail::Test::db()->do(q{UPDATE actualite SET archive_le = now() WHERE reference = 'ACT-001'});
--- request eval
"GET /api/actualites/" . Portail::Test::sql_value(q{SELECT id FROM actualite WHERE reference = 'ACT-001'})
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 404



=== TEST 16: an id that is not one: 404
--- request
GET /api/actualites/12abc
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 404



=== TEST 17: news need a session too
--- request
GET /api/actualites/1
--- error_code: 401



=== TEST 18: the office rewrites a news item: its excerpt follows [rewritten_news]
--- init
Portail::Test::db()->do(q{UPDATE actualite SET texte = E'  Le texte   a été\n réécrit par l''office.  '
    WHERE reference = 'LONG-6'});
--- request
GET /api/accueil
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200
