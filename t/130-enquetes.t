# Social surveys (enquêtes SLS / OPS): the list with deadlines, statuses and
# what a late answer costs (amounts from the campaign's definition), the
# form as the office knows the household, draft answers checked against the
# campaign's questions, tax notices as attachments, the submission (once,
# complete, then read-only), and the export of the answers with their files.
#
# Hélène LEFÈVRE (2345678) has an SLS survey to answer; Marie DUPONT's is
# made an OPS one; Jean MARTIN's is another household's.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Digest::SHA qw(sha256_hex);
use Portail::Test;
use Portail::Echanges;
use Portail::Pieces;

reset_database();
use_portail_defaults();
use_compte_section();
no_shuffle();

my $HELENE = 'helene.lefevre@example.org';
my $MARIE = 'marie.dupont@example.org';
my $JEAN = 'jean.martin@example.org';

compte_signataire($HELENE, '2345678', 'Hélène');
compte_signataire($MARIE, '1234567', 'Marie');

sub enquete {
    sql_value(q{SELECT e.id FROM enquete e JOIN contrat c ON c.id = e.contrat_id WHERE c.numero = $1}, $_[0])
        // die "no survey for $_[0]\n";
}
our $E_HELENE = enquete('L/2045678');
our $E_JEAN = enquete('L/2087412');
our $E_MARIE = enquete('L/2013936');
our $O_HELENE = sql_value(q{SELECT o.id FROM occupant o JOIN contrat c ON c.id = o.contrat_id
                            WHERE c.numero = 'L/2045678'});
our $O_MARIE = sql_value(q{SELECT o.id FROM occupant o JOIN contrat c ON c.id = o.contrat_id
                           WHERE c.numero = 'L/2013936' AND o.prenom = 'Marie'});
our $O_LEA = sql_value(q{SELECT o.id FROM occupant o JOIN contrat c ON c.id = o.contrat_id
                         WHERE c.numero = 'L/2013936' AND o.prenom <> 'Marie'});

# Marie's household gets the OPS survey, whose campaign also asks a number:
# questions are data of the campaign, not code.
db()->do(q{UPDATE enquete SET campagne_id = (SELECT id FROM enquete_campagne WHERE type = 'OPS')
            WHERE id = $1}, undef, $E_MARIE);
db()->do(q{UPDATE enquete_campagne
              SET definition = jsonb_set(definition, '{questions}', definition -> 'questions'
                  || '[{"id": "vehicules", "type": "nombre", "min": 0, "max": 5,
                        "libelle": "Nombre de véhicules du foyer"}]')
            WHERE type = 'OPS'});

# Attachments joined earlier: a proof (not a tax notice) to Hélène's survey,
# Jean's tax notice to his.
sub piece_sql {
    my ($enquete, $nature, $concerne, $nom) = @_;
    return sql_value(q{INSERT INTO enquete_piece (enquete_id, nature, concerne, nom_origine, mime, taille, sha256,
                                                   contenu, depose_par_compte_id)
                       SELECT $1, $2, $3, $4, 'application/pdf', length($5::bytea), sha256($5::bytea), $5::bytea,
                              (SELECT id FROM compte WHERE email = 'jean.martin@example.org')
                       RETURNING id}, $enquete, $nature, $concerne, $nom, '\\x' . unpack('H*', $PDF));
}
our $PIECE_HELENE = piece_sql($E_HELENE, 'justificatif', 'Hélène LEFÈVRE', 'attestation retraite.pdf');
our $PIECE_JEAN = piece_sql($E_JEAN, 'avis_imposition', 'Jean MARTIN', 'avis 2024.pdf');

my $T0 = sql_value(q{SELECT to_char(clock_timestamp(), 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM')});
my $LIMITE = sql_value(q{SELECT to_char(date_limite, 'DD/MM/YYYY') FROM enquete_campagne WHERE type = 'SLS'});

# Hélène's answers, her grandson having moved in.
sub reponses_helene {
    my (%autre) = @_;
    return json_encode({ reponses => {
        composition => [
            { cle => "o$O_HELENE", occupant_id => 0 + $O_HELENE, nom => 'LEFÈVRE', prenom => 'Hélène',
              date_naissance => '1959-01-30', lien => 'signataire' },
            { cle => 'n1', nom => 'LEFÈVRE', prenom => 'Hugo', date_naissance => '2001-03-14',
              lien => 'autre_parent' } ],
        situation_familiale => 'veuf / veuve',
        handicap => JSON::PP::false,
        revenus => { "o$O_HELENE" => 21480, n1 => 9200 },
        %autre } });
}

sub put { "PUT /api/enquetes/$_[0]\n$_[1]" }

sub detail {
    my ($email, $id) = @_;
    my $r = http_request(path => "/api/enquetes/$id",
                         headers => { Cookie => 'portail_session=' . (open_session($email))[0] });
    return json_decode($r->{body});
}

sub campagne_sls { db()->do(qq{UPDATE enquete_campagne SET $_[0] WHERE type = 'SLS'}) }

my %etat;

sub reponses_en_base { sql_value(q{SELECT reponses::text FROM enquete WHERE id = $1}, $_[0]) }
sub pieces_en_base { sql_value(q{SELECT count(*) FROM enquete_piece WHERE enquete_id = $1}, $_[0]) }

my %after = (

    liste => sub {
        my ($block, $body) = @_;
        my $l = json_decode($body)->{enquetes};
        is(scalar @$l, 1, 'one survey for her household');
        my $e = $l->[0];
        is($e->{id}, $E_HELENE, 'hers');
        is($e->{campagne}{type}, 'SLS', 'an SLS survey');
        is($e->{campagne}{titre}, 'Enquête Supplément de Loyer de Solidarité ' . $e->{campagne}{annee},
           "the campaign's title");
        is($e->{statut}, 'a_completer', 'to answer');
        is($e->{statut_libelle}, 'À compléter', 'in French');
        is($e->{contrat}, 'L/2045678', 'for her dwelling');
        is_deeply($e->{consequences},
                  ["Vous avez jusqu'au $LIMITE pour répondre.",
                   "Sans réponse dans les 15 jours suivant la mise en demeure de l'office, le supplément de loyer "
                   . "de solidarité (SLS) peut vous être facturé au taux maximum, avec des frais de dossier de "
                   . "25,00 €. Il est recalculé dès réception de votre réponse."],
                  'what a missing answer costs');
        is($e->{frais}{frais_dossier_cents}, 2500, 'the fee in cents');
    },

    frais_donnees => sub {
        my ($block, $body) = @_;
        my $e = json_decode($body)->{enquetes}[0];
        like($e->{consequences}[1], qr/frais de dossier de 31,50 €/, "the amount is the campaign's");
        is($e->{frais}{frais_dossier_cents}, 3150, 'in cents too');
        campagne_sls(q{definition = jsonb_set(definition, '{frais,frais_dossier_eur}', '25.0')});
    },

    hors_delai => sub {
        my ($block, $body) = @_;
        my $e = json_decode($body)->{enquetes}[0];
        is($e->{statut}, 'hors_delai', 'not sent past the deadline');
        is($e->{statut_libelle}, 'Hors délai', 'in French');
        like($e->{consequences}[0], qr/^Le délai de réponse a expiré le \d\d\/\d\d\/\d{4} : répondez dès maintenant/,
             'said so');
        campagne_sls(q{ouverture_le = ouverture_le + 40, date_limite = date_limite + 40});
    },

    ops => sub {
        my ($block, $body) = @_;
        my $e = json_decode($body)->{enquetes}[0];
        is($e->{campagne}{type}, 'OPS', "Marie's is an OPS survey");
        is($e->{consequences}[1], 'Une réponse absente ou tardive peut entraîner une pénalité de 7,62 €, '
                                  . 'plus 7,62 € par mois de retard.', 'with its own penalties');
        is_deeply($e->{frais}, { penalite_cents => 762, penalite_par_mois_retard_cents => 762 }, 'in cents');
    },

    formulaire => sub {
        my ($block, $body) = @_;
        my $d = json_decode($body);
        is_deeply($d->{foyer}, [{ cle => "o$O_HELENE", occupant_id => $O_HELENE, nom => 'LEFÈVRE',
                                  prenom => 'Hélène', date_naissance => '1959-01-30', lien => 'signataire',
                                  lien_libelle => 'Signataire du bail', majeur => JSON::PP::true }],
                  'the household as the office knows it');
        is_deeply([ map { "$_->{id}:$_->{type}" } @{ $d->{questions} } ],
                  ['composition:occupants', 'situation_familiale:choix', 'handicap:oui_non',
                   'revenus:revenus_par_adulte'], "the campaign's questions");
        is($d->{annee_revenus}, $d->{campagne}{annee} - 2, 'incomes of year N-2');
        is_deeply($d->{reponses}, {}, 'nothing answered yet');
        is_deeply([ map { "$_->{nature}:$_->{nom}" } @{ $d->{pieces} } ],
                  ['justificatif:attestation retraite.pdf'], 'the attachments');
        ok($d->{modifiable}, 'it can be changed');
        ok(!$d->{complete}, 'it is not complete');
        is_deeply([ sort keys %{ $d->{manquants} } ],
                  ['pieces', 'reponses.composition', 'reponses.handicap', 'reponses.revenus',
                   'reponses.situation_familiale'], 'what is missing');
    },

    brouillon => sub {
        my ($block, $body) = @_;
        is(reponses_en_base($E_HELENE), '{"handicap": false, "situation_familiale": "veuf / veuve"}',
           'the draft is saved, null answers dropped');
        ok(sql_value(q{SELECT modifie_par_compte_le > now() - interval '1 minute' FROM enquete WHERE id = $1},
                     $E_HELENE), 'dated');
        is(sql_value(q{SELECT count(*) FROM journal WHERE action = 'enquete.brouillon'}), 1, 'journaled');
        $etat{reponses} = reponses_en_base($E_HELENE);
        ok(!json_decode($body)->{complete}, 'a partial draft');
    },

    inchange => sub {
        is(reponses_en_base($E_HELENE), $etat{reponses}, 'the draft is unchanged');
        is(reponses_en_base($E_JEAN), '{}', "the other household's too");
    },

    pas_envoyee => sub {
        is(sql_value(q{SELECT statut FROM enquete WHERE id = $1}, $E_HELENE), 'a_completer', 'not sent');
    },

    piece_ajoutee => sub {
        my ($block, $body) = @_;
        my $p = sql(q{SELECT nature, concerne, nom_origine, mime, contenu, encode(sha256, 'hex') AS sha256
                      FROM enquete_piece WHERE enquete_id = $1 ORDER BY id DESC LIMIT 1}, $E_HELENE)->[0];
        is_deeply($p, { nature => 'avis_imposition', concerne => 'Hélène LEFÈVRE', nom_origine => 'avis 2024.pdf',
                        mime => 'application/pdf', contenu => $PDF, sha256 => sha256_hex($PDF) },
                  'the tax notice is stored');
        my $d = json_decode($body);
        is($d->{pieces}[-1]{url}, "/api/enquetes/$E_HELENE/pieces/" . sql_value(q{SELECT max(id) FROM enquete_piece}),
           'and listed');
        ok(!exists $d->{manquants}{pieces}, 'the tax notice is no longer missing');
        my $r = http_request(path => $d->{pieces}[-1]{url},
                             headers => { Cookie => 'portail_session=' . (open_session($HELENE))[0] });
        is($r->{body}, $PDF, 'it can be downloaded');
        $etat{pieces} = pieces_en_base($E_HELENE);
    },

    piece_jpeg => sub {
        my ($block, $body) = @_;
        my $d = json_decode($body);
        my $p = $d->{pieces}[-1];
        is(sql_value(q{SELECT contenu FROM enquete_piece WHERE id = $1}, $p->{id}), $JPEG_NET,
           'a photo of a notice is stored without its EXIF (GPS)');
        my ($cookie, $csrf) = open_session($HELENE);
        my $r = http_request(method => 'DELETE', path => $p->{url},
                             headers => { Cookie => "portail_session=$cookie", 'X-CSRF-Token' => $csrf });
        is($r->{status}, 200, 'a wrong attachment can be removed');
        is(sql_value(q{SELECT count(*) FROM enquete_piece WHERE id = $1}, $p->{id}), 0, 'it is');
        ok(!grep({ $_->{id} == $p->{id} } @{ json_decode($r->{body})->{pieces} }), 'and no longer listed');
        is(sql_value(q{SELECT count(*) FROM journal WHERE action = 'enquete.piece_suppression'}), 1, 'journaled');
        $r = http_request(method => 'DELETE', path => $p->{url},
                          headers => { Cookie => "portail_session=$cookie", 'X-CSRF-Token' => $csrf });
        is($r->{status}, 404, 'removing it again: not found');
    },

    pieces_inchangees => sub {
        is(pieces_en_base($E_HELENE), $etat{pieces}, 'no attachment added');
        is(pieces_en_base($E_JEAN), 1, "nor to the other household's");
    },

    complete => sub {
        my ($block, $body) = @_;
        my $d = json_decode($body);
        ok($d->{complete}, 'complete');
        is_deeply($d->{manquants}, {}, 'nothing missing');
        is_deeply($d->{reponses}{revenus}, { "o$O_HELENE" => 21480, n1 => 9200 }, "each adult's income");
    },

    envoyee => sub {
        my ($block, $body) = @_;
        my $d = json_decode($body);
        is($d->{statut}, 'envoyee', 'sent');
        is($d->{statut_libelle}, 'Envoyée', 'in French');
        is($d->{soumise_par}, 'Hélène LEFÈVRE', 'by Hélène');
        ok(!$d->{modifiable}, 'read-only from now on');
        is_deeply($d->{consequences}, [], 'nothing more to fear');
        my $e = sql(q{SELECT e.statut, co.email, e.soumise_le > now() - interval '1 minute' AS recente
                      FROM enquete e JOIN compte co ON co.id = e.soumise_par_compte_id WHERE e.id = $1}, $E_HELENE)->[0];
        is_deeply($e, { statut => 'envoyee', email => $HELENE, recente => 1 }, 'dated, by her account');
        is(sql_value(q{SELECT count(*) FROM journal WHERE action = 'enquete.envoi'}), 1, 'journaled');
        $etat{reponses} = reponses_en_base($E_HELENE);
        $etat{pieces} = pieces_en_base($E_HELENE);
    },

    figee => sub {
        is(reponses_en_base($E_HELENE), $etat{reponses}, 'the answers did not change');
        is(pieces_en_base($E_HELENE), $etat{pieces}, 'nor the attachments');
        eval { db()->do(q{UPDATE enquete SET reponses = '{}' WHERE id = $1}, undef, $E_HELENE) };
        like($@, qr/déjà envoyée/, 'the schema itself refuses a change of a sent survey');
    },

    liste_envoyee => sub {
        my ($block, $body) = @_;
        my $e = json_decode($body)->{enquetes}[0];
        is($e->{statut_libelle}, 'Envoyée', 'the list says it is sent');
        like($e->{soumise_le}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/, 'when');
    },

    ops_envoyee => sub {
        my ($block, $body) = @_;
        my $d = json_decode($body);
        is($d->{statut}, 'envoyee', 'an OPS survey is sent without tax notice: its campaign does not require it');
        is(pieces_en_base($E_MARIE), 0, 'none joined');
    },

    export => sub {
        my ($rc, $out, $dir) = export_portail($T0);
        is($rc, 0, 'tools/export ran') or diag $out;
        my $e = lire_csv("$dir/enquetes.csv");
        is_deeply([ map { "$_->{code_campagne} $_->{numero_contrat} $_->{compte}" } @$e ],
                  [ map { sql_value(q{SELECT code FROM enquete_campagne WHERE type = $1}, $_->[0]) . " $_->[1] $_->[2]" }
                        ['SLS', 'L/2045678', $HELENE], ['OPS', 'L/2013936', $MARIE] ],
                  'the surveys sent are exported');
        my $r = json_decode($e->[0]{reponses});
        is_deeply($r->{revenus}, { "o$O_HELENE" => 21480, n1 => 9200 }, 'with the answers');
        is($r->{composition}[1]{prenom}, 'Hugo', 'the household as corrected');
        my $p = lire_csv("$dir/enquetes_pieces.csv");
        is_deeply([ sort map { "$_->{nature}:$_->{nom_origine}" } @$p ],
                  ['avis_imposition:avis 2024.pdf', 'justificatif:attestation retraite.pdf'], 'and the attachments');
        for (@$p) {
            is(sha256_hex(fichier_octets("$dir/$_->{fichier}") // ''), $_->{sha256}, "$_->{fichier} is written");
        }
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: the surveys need a session
--- request
GET /api/enquetes
--- error_code: 401
--- response_body chomp
{"error":"non_authentifie","message":"Votre session a expiré ou vous n'êtes pas connecté. Connectez-vous pour continuer."}



=== TEST 2: Hélène's SLS survey, its deadline and what a missing answer costs [liste]
--- request
GET /api/enquetes
--- compte: helene.lefevre@example.org
--- error_code: 200



=== TEST 3: the amounts are the campaign's [frais_donnees]
--- init
main::campagne_sls(q{definition = jsonb_set(definition, '{frais,frais_dossier_eur}', '31.5')});
--- request
GET /api/enquetes
--- compte: helene.lefevre@example.org
--- error_code: 200



=== TEST 4: past the deadline, not sent: "hors délai" [hors_delai]
--- init
main::campagne_sls(q{ouverture_le = ouverture_le - 40, date_limite = date_limite - 40});
--- request
GET /api/enquetes
--- compte: helene.lefevre@example.org
--- error_code: 200



=== TEST 5: an OPS survey has its own penalties [ops]
--- request
GET /api/enquetes
--- compte: marie.dupont@example.org
--- error_code: 200



=== TEST 6: the form: the household as known, the campaign's questions, the attachments [formulaire]
--- request eval
"GET /api/enquetes/$main::E_HELENE"
--- compte: helene.lefevre@example.org
--- error_code: 200



=== TEST 7: another household's survey, or no survey at all, is not found
--- request eval
["GET /api/enquetes/$main::E_JEAN", "GET /api/enquetes/abc", "GET /api/enquetes/$main::E_JEAN/pieces/$main::PIECE_JEAN"]
--- compte: helene.lefevre@example.org
--- error_code eval
[404, 404, 404]
--- response_body eval
[ (qq{{"error":"introuvable","message":"La ressource demandée n'existe pas."}}) x 3 ]



=== TEST 8: a partial draft is saved [brouillon]
--- request eval
main::put($main::E_HELENE, '{"reponses": {"situation_familiale": "veuf / veuve", "handicap": false, "revenus": null}}')
--- compte: helene.lefevre@example.org
--- more_headers
Content-Type: application/json
--- error_code: 200



=== TEST 9: answers that do not fit the questions [inchange]
--- request eval
main::put($main::E_HELENE, '{"reponses": {"situation_familiale": "mariée", "handicap": "non", "inconnue": 1,
  "revenus": {"o' . $main::O_HELENE . '": 12500.5, "inconnu": 100}}}')
--- compte: helene.lefevre@example.org
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body eval
qq{{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"reponses.handicap":"Répondez par oui ou par non.","reponses.inconnue":"Cette question ne fait pas partie de l'enquête.","reponses.revenus.o$main::O_HELENE":"Indiquez le revenu fiscal de référence en euros, sans centimes (0 s'il n'y en a pas).","reponses.revenus.inconnu":"Cette personne n'est pas une personne majeure du foyer.","reponses.situation_familiale":"Choisissez l'une des réponses proposées."}}}



=== TEST 10: incomes are whole euros, zero or more [inchange]
--- request eval
[ map { main::put($main::E_HELENE, main::reponses_helene(revenus => { "o$main::O_HELENE" => $_ })) }
  -1, "21480", 1e10 ]
--- compte: helene.lefevre@example.org
--- more_headers
Content-Type: application/json
--- error_code eval
[422, 422, 422]
--- response_body eval
[ (qq{{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"reponses.revenus.o$main::O_HELENE":"Indiquez le revenu fiscal de référence en euros, sans centimes (0 s'il n'y en a pas)."}}}) x 3 ]



=== TEST 11: a household that does not hold together [inchange]
--- request eval
main::put($main::E_HELENE, '{"reponses": {"composition": [
  {"cle": "o' . $main::O_HELENE . '", "occupant_id": ' . $main::O_HELENE . ', "nom": "LEFÈVRE", "prenom": "Hélène", "date_naissance": "1959-01-30", "lien": "signataire"},
  {"cle": "o' . $main::O_HELENE . '", "occupant_id": ' . $main::O_LEA . ', "nom": " ", "prenom": "Léa", "date_naissance": "2030-02-30", "lien": "cousine", "age": 3},
  "Hugo"]}}')
--- compte: helene.lefevre@example.org
--- more_headers
Content-Type: application/json
--- error_code: 422
--- response_body eval
qq{{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"reponses.composition.2":"Indiquez le nom, le prénom, la date de naissance et le lien de chaque personne.","reponses.composition.1.age":"Information inconnue.","reponses.composition.1.cle":"Deux personnes ont le même identifiant.","reponses.composition.1.nom":"Indiquez le nom (100 caractères au plus).","reponses.composition.1.lien":"Choisissez le lien de cette personne avec le signataire.","reponses.composition.1.occupant_id":"Cette personne n'est pas connue dans votre logement.","reponses.composition.1.date_naissance":"Indiquez une date de naissance valide (AAAA-MM-JJ)."}}}



=== TEST 12: answers must come as an object [inchange]
--- request eval
[ main::put($main::E_HELENE, '{"reponse": {}}'), main::put($main::E_HELENE, '{"reponses": [1, 2]}'),
  main::put($main::E_HELENE, '{"reponses": {"composition": []}}') ]
--- compte: helene.lefevre@example.org
--- more_headers
Content-Type: application/json
--- error_code eval
[422, 422, 422]
--- response_body eval
[ (qq{{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"reponses":"Envoyez les réponses de l'enquête (un objet, une entrée par question)."}}}) x 2,
  qq{{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"reponses.composition":"Indiquez les personnes qui vivent dans le logement (20 au plus)."}}} ]



=== TEST 13: not JSON, and without the CSRF token [inchange]
--- request eval
[ main::put($main::E_HELENE, '{"reponses": '), main::put($main::E_HELENE, '{"reponses": {}}') ]
--- more_headers eval
[ "Cookie: portail_session={{session:helene.lefevre\@example.org}}\nX-CSRF-Token: {{csrf:helene.lefevre\@example.org}}\nContent-Type: application/json",
  "Cookie: portail_session={{session:helene.lefevre\@example.org}}\nContent-Type: application/json" ]
--- error_code eval
[400, 403]



=== TEST 14: another household's survey cannot be changed [inchange]
--- request eval
main::put($main::E_JEAN, '{"reponses": {"handicap": true}}')
--- compte: helene.lefevre@example.org
--- more_headers
Content-Type: application/json
--- error_code: 404



=== TEST 15: an incomplete survey is not sent: what is missing [pas_envoyee]
--- request eval
"POST /api/enquetes/$main::E_HELENE/envoi"
--- compte: helene.lefevre@example.org
--- error_code: 422
--- response_body chomp
{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"pieces":"Joignez l'avis d'imposition de chaque personne majeure du foyer.","reponses.revenus":"Répondez à cette question.","reponses.composition":"Répondez à cette question."}}



=== TEST 16: her tax notice [piece_ajoutee]
--- request eval
"POST /api/enquetes/$main::E_HELENE/pieces\n"
. main::mp(concerne => 'Hélène LEFÈVRE', avis_imposition => ['avis 2024.pdf', $main::PDF, 'application/pdf'])
--- compte: helene.lefevre@example.org
--- more_headers
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code: 201



=== TEST 17: a photo of a notice loses its metadata; a wrong one can be removed [piece_jpeg]
--- request eval
"POST /api/enquetes/$main::E_HELENE/pieces\n"
. main::mp(concerne => 'Hugo', justificatif => ['photo.jpg', $main::JPEG_GPS, 'image/jpeg'])
--- compte: helene.lefevre@example.org
--- more_headers
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code: 201



=== TEST 18: no file, a fake one, an oversized one, nobody concerned [pieces_inchangees]
--- request eval
[ "POST /api/enquetes/$main::E_HELENE/pieces\n" . main::mp(concerne => 'Hélène LEFÈVRE'),
  "POST /api/enquetes/$main::E_HELENE/pieces\n"
  . main::mp(concerne => 'Hélène LEFÈVRE', avis_imposition => ['avis.pdf', $main::EXE, 'application/pdf']),
  "POST /api/enquetes/$main::E_HELENE/pieces\n"
  . main::mp(concerne => 'Hélène LEFÈVRE', avis_imposition => ['avis.pdf', $main::PDF_GROS, 'application/pdf']),
  "POST /api/enquetes/$main::E_HELENE/pieces\n"
  . main::mp(concerne => '  ', avis_imposition => ['avis.pdf', $main::PDF, 'application/pdf']) ]
--- compte: helene.lefevre@example.org
--- more_headers
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code eval
[422, 422, 422, 422]
--- response_body eval
[ map { qq{{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{$_}}} }
  q{"avis_imposition":"Joignez votre avis d'imposition (PDF, photo JPEG ou image PNG)."},
  q{"avis_imposition":"Ce type de fichier n'est pas accepté : déposez un PDF, une photo JPEG ou une image PNG."},
  q{"avis_imposition":"Le fichier dépasse la taille maximale de 5 Mo."},
  q{"concerne":"Indiquez à qui correspond ce document (prénom et nom)."} ]
--- timeout: 10



=== TEST 19: nor to another household's survey [pieces_inchangees]
--- request eval
"POST /api/enquetes/$main::E_JEAN/pieces\n"
. main::mp(concerne => 'Jean MARTIN', avis_imposition => ['avis.pdf', $main::PDF, 'application/pdf'])
--- compte: helene.lefevre@example.org
--- more_headers
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code: 404



=== TEST 20: another household's attachment cannot be removed, nor one that is no attachment [pieces_inchangees]
--- request eval
[ "DELETE /api/enquetes/$main::E_JEAN/pieces/$main::PIECE_JEAN",
  "DELETE /api/enquetes/$main::E_HELENE/pieces/abc",
  "DELETE /api/enquetes/$main::E_HELENE/pieces/$main::PIECE_JEAN" ]
--- compte: helene.lefevre@example.org
--- error_code eval
[404, 404, 404]



=== TEST 21: an attachment is downloaded as a file
--- request eval
"GET /api/enquetes/$main::E_HELENE/pieces/$main::PIECE_HELENE"
--- compte: helene.lefevre@example.org
--- error_code: 200
--- response_headers
Content-Type: application/pdf
Content-Disposition: attachment; filename="attestation retraite.pdf"; filename*=UTF-8''attestation%20retraite.pdf
Cache-Control: no-store
X-Content-Type-Options: nosniff
--- response_body eval
$main::PDF



=== TEST 22: the household corrected, each adult's income: complete [complete]
--- request eval
main::put($main::E_HELENE, main::reponses_helene())
--- compte: helene.lefevre@example.org
--- more_headers
Content-Type: application/json
--- error_code: 200



=== TEST 23: sending needs the CSRF token [pas_envoyee]
--- request eval
"POST /api/enquetes/$main::E_HELENE/envoi"
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code: 403



=== TEST 24: sent, once, dated [envoyee]
--- request eval
"POST /api/enquetes/$main::E_HELENE/envoi"
--- compte: helene.lefevre@example.org
--- error_code: 200



=== TEST 25: sending twice, changing the answers or the attachments afterwards: 409 [figee]
--- request eval
[ "POST /api/enquetes/$main::E_HELENE/envoi",
  main::put($main::E_HELENE, '{"reponses": {}}'),
  "POST /api/enquetes/$main::E_HELENE/pieces\n"
  . main::mp(concerne => 'Hélène LEFÈVRE', avis_imposition => ['avis.pdf', $main::PDF, 'application/pdf']),
  "DELETE /api/enquetes/$main::E_HELENE/pieces/$main::PIECE_HELENE" ]
--- compte: helene.lefevre@example.org
--- more_headers eval
[ '', 'Content-Type: application/json', 'Content-Type: multipart/form-data; boundary=PortailTest7d3f', '' ]
--- error_code eval
[409, 409, 409, 409]
--- response_body_like eval
[ (qr/^\{"error":"conflit","message":"Cette enquête a été envoyée le \d\d\/\d\d\/\d{4} à \d\dh\d\d : elle ne peut plus être modifiée ni envoyée à nouveau. Pour signaler une erreur, contactez l'office."\}$/) x 4 ]



=== TEST 26: the list says it is sent [liste_envoyee]
--- request
GET /api/enquetes
--- compte: helene.lefevre@example.org
--- error_code: 200



=== TEST 27: questions are the campaign's: a number within its bounds
--- request eval
[ map { main::put($main::E_MARIE, qq{{"reponses": {"vehicules": $_}}}) } 7, '"deux"', 2.5, 2 ]
--- compte: marie.dupont@example.org
--- more_headers
Content-Type: application/json
--- error_code eval
[422, 422, 422, 200]



=== TEST 28: an OPS survey complete without tax notice is sent [ops_envoyee]
--- request eval
[ main::put($main::E_MARIE, main::json_encode({ reponses => {
      composition => [ { cle => "o$main::O_MARIE", occupant_id => 0 + $main::O_MARIE, nom => 'DUPONT', prenom => 'Marie',
                         date_naissance => '1968-04-12', lien => 'signataire' } ],
      situation_familiale => 'divorcé(e) / séparé(e)', handicap => JSON::PP::true,
      activite => { "o$main::O_MARIE" => 'salarie' }, vehicules => 1 } })),
  "POST /api/enquetes/$main::E_MARIE/envoi" ]
--- compte: marie.dupont@example.org
--- more_headers eval
[ 'Content-Type: application/json', '' ]
--- error_code eval
[200, 200]



=== TEST 29: the export gives the office the answers and their files [export]
--- request
GET /api/sante
