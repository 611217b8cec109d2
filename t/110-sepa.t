# Direct debit: the SEPA mandate of a contract.  The IBAN is checked
# (ISO 13616), the RUM comes from the database, the mandate is a PDF with
# every mention the rulebook asks for, filed with the contract's documents;
# a new mandate revokes the previous one; tools/export sends both.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use File::Temp qw(tempdir);
use Portail::Test;
use Portail::Paiements;

start_payment_tests();
no_shuffle();

my %first;

# POST /api/paiements/prelevement with Hélène's details, some replaced
sub mandate {
    my (%f) = @_;
    return "POST /api/paiements/prelevement\n"
           . json_encode({ contrat => '2045678', titulaire => 'Hélène LEFÈVRE',
                           iban => 'FR7630006000011234567890189', jour_prelevement => 10, %f });
}

sub mandates {
    return sql(q{SELECT m.*, d.nature, d.contrat_id AS document_contrat
                 FROM mandat_sepa m JOIN contrat k ON k.id = m.contrat_id
                 LEFT JOIN document d ON d.id = m.document_id
                 WHERE k.numero = 'L/2045678' ORDER BY m.id});
}

my %after = (

    signed => sub {
        my ($block, $body) = @_;
        my $r = json_decode($body);
        my $m = mandates();
        is(scalar @$m, 1, 'one mandate');
        my $row = $m->[0];
        is($row->{iban}, 'FR7630006000011234567890189', 'the IBAN upper case, without spaces');
        is($row->{bic}, 'AGRIFRPP', 'the BIC too');
        is($row->{titulaire}, 'Hélène LEFÈVRE', 'the holder, trimmed');
        is($row->{jour_prelevement}, 10, 'the day');
        is($row->{statut}, 'actif', 'active');
        is($row->{rum}, $r->{mandat}{rum}, 'the RUM answered is the one stored');
        like($row->{rum}, qr/^OPH17-\d{4}-\d{8}$/, 'made by the database');
        is($row->{nature}, 'mandat', 'its PDF is a document of nature mandat');
        is($row->{document_contrat}, $row->{contrat_id}, 'of the same contract');
        is($r->{mandat}{document_id}, $row->{document_id}, 'whose id is answered');

        my $text = pdf_text(sql_value(q{SELECT contenu FROM document WHERE id = $1}, $row->{document_id}));
        $text =~ s/\s+/ /g;
        my $today = sql_value(q{SELECT to_char(now(), 'DD/MM/YYYY')});
        for my $mention ('Mandat de prélèvement SEPA',
                         "Référence unique du mandat (RUM) : $row->{rum}",
                         'paiement récurrent',
                         "Office Public de l'Habitat de l'Agglomération de La Rochelle",
                         '2 avenue de Varsovie, CS10555, 17023 La Rochelle Cedex 1',
                         'Identifiant créancier SEPA FR72ZZZ123456',
                         'Titulaire du compte Hélène LEFÈVRE',
                         'IBAN FR76 3000 6000 0112 3456 7890 189',
                         'BIC AGRIFRPP',
                         'le 10 de chaque mois',
                         "Date de signature le $today",
                         'vous autorisez Office Public',
                         'votre banque à débiter votre compte',
                         'dans les 8 semaines suivant la date de débit') {
            ok(index($text, $mention) >= 0, "the mandate says: $mention");
        }
        is(sql_value(q{SELECT count(*) FROM journal WHERE action = 'prelevement.mandat'}), 1, 'journaled');
        %first = %$row;
    },

    replaced => sub {
        my ($block, $body) = @_;
        my $r = json_decode($body);
        my $m = mandates();
        is(scalar @$m, 2, 'a new mandate, not an edited one');
        is($m->[0]{statut}, 'revoque', 'the previous one is revoked');
        ok($m->[0]{revoque_le}, 'with its date');
        ok($m->[0]{revoque_par_compte_id}, 'and who');
        is($m->[1]{statut}, 'actif', 'the new one is active');
        isnt($m->[1]{rum}, $first{rum}, 'with its own RUM');
        ok(!defined $m->[1]{bic}, 'no BIC: none');
        is($r->{mandat_revoque}, $first{rum}, 'the answer says which was revoked');
        isnt($m->[1]{document_id}, $first{document_id}, 'and its own PDF');
    },

    exported => sub {
        my $dir = tempdir(CLEANUP => 1) . '/lot';
        local $ENV{PGHOST} = $ENV{TEST_NGINX_POSTGRESQL_HOST};
        local $ENV{PGPORT} = $ENV{TEST_NGINX_POSTGRESQL_PORT};
        local $ENV{PGDATABASE} = $ENV{TEST_NGINX_POSTGRESQL_DB};
        local $ENV{PGUSER} = $ENV{TEST_PORTAIL_PG_SUPERUSER};
        my $out = `'${\ portail_root()}/tools/export' --since 2000-01-01T00:00:00+00:00 --dir '$dir' 2>&1`;
        is($?, 0, 'the export runs') or diag($out);
        open my $fh, '<', "$dir/mandats.csv" or return fail("no mandats.csv: $out");
        my @lines = <$fh>;
        close $fh;
        my $m = mandates();
        for my $row (@$m) {
            my ($line) = grep { index($_, $row->{rum}) == 0 } @lines;
            ok($line, "mandate $row->{rum} exported");
            like($line // '', qr/,$row->{statut},/, 'with its state');
            ok(-s "$dir/mandats/$row->{id}.pdf", 'and its PDF');
        }
    },

    nothing_stored => sub {
        is(scalar @{ mandates() }, 2, 'no mandate stored');
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: the direct debit page needs a session
--- request eval
[ "GET /api/paiements/prelevement", qq{POST /api/paiements/prelevement\n{"contrat": "2045678"}} ]
--- more_headers
Content-Type: application/json
--- error_code eval
[401, 401]



=== TEST 2: no mandate yet: the days offered and the creditor
--- request
GET /api/paiements/prelevement
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code: 200
--- response_body_like chomp
^\{"contrat" ?: ?\{"numero" ?: ?"L/2045678", ?"nature" ?: ?"logement", ?"designation" ?: ?"[^"]+"\}, ?"mode_paiement" ?: ?\{"code" ?: ?"cheque", ?"libelle" ?: ?"Chèque"\}, ?"mandat" ?: ?null, ?"jours_proposes" ?: ?\[5,10,15\], ?"souscription_possible" ?: ?true, ?"creancier" ?: ?\{"nom" ?: ?"Office Public de l'Habitat de l'Agglomération de La Rochelle", ?"adresse" ?: ?"2 avenue de Varsovie, CS10555, 17023 La Rochelle Cedex 1", ?"ics" ?: ?"FR72ZZZ123456"\}\}$



=== TEST 3: another household's contract, a number that is not one
--- request eval
[ "GET /api/paiements/prelevement?contrat=2013936", "GET /api/paiements/prelevement?contrat=2013" ]
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code eval
[404, 422]



=== TEST 4: signing needs the CSRF token
--- request
POST /api/paiements/prelevement
{"contrat": "2045678", "titulaire": "Hélène LEFÈVRE", "iban": "FR7630006000011234567890189", "jour_prelevement": 10}
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code: 403
--- response_body_like chomp
"error":"csrf_invalide"



=== TEST 5: a mandate signed online [signed]
--- request
POST /api/paiements/prelevement
{"contrat": "2045678", "titulaire": "  Hélène LEFÈVRE ", "iban": "fr76 3000 6000 0112 3456 7890 189", "bic": "agri frpp", "jour_prelevement": 10}
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
X-CSRF-Token: {{csrf:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code: 201
--- response_body_like chomp
^\{"mandat" ?: ?\{"rum" ?: ?"OPH17-\d{4}-\d{8}", ?"titulaire" ?: ?"Hélène LEFÈVRE", ?"iban_masque" ?: ?"\*{23}0189", ?"bic" ?: ?"AGRIFRPP", ?"jour_prelevement" ?: ?10, ?"signe_le" ?: ?"[^"]+", ?"document_id" ?: ?\d+\}, ?"mandat_revoque" ?: ?null, ?"message" ?: ?"Votre mandat de prélèvement SEPA est enregistré\. Il s'appliquera aux prochaines échéances de votre contrat L/2045678\."\}$
--- error_log
portail: SEPA mandate OPH17-



=== TEST 6: the page shows it, masked
--- request
GET /api/paiements/prelevement?contrat=2045678
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code: 200
--- response_body_like chomp
"mandat" ?: ?\{"rum" ?: ?"OPH17-\d{4}-\d{8}", ?"titulaire" ?: ?"Hélène LEFÈVRE", ?"iban_masque" ?: ?"\*{23}0189", ?"bic" ?: ?"AGRIFRPP", ?"jour_prelevement" ?: ?10,
--- response_body_unlike
3000 6000|30006000



=== TEST 7: another bank account: a new mandate, the previous one revoked [replaced]
--- request
POST /api/paiements/prelevement
{"contrat": "L/2045678", "titulaire": "Hélène Lefèvre", "iban": "DE89 3704 0044 0532 0130 00", "bic": "", "jour_prelevement": 5}
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
X-CSRF-Token: {{csrf:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code: 201
--- response_body_like chomp
"iban_masque" ?: ?"\*{18}3000", ?"bic" ?: ?null, ?"jour_prelevement" ?: ?5,.*"mandat_revoque" ?: ?"OPH17-\d{4}-\d{8}"



=== TEST 8: tools/export sends both mandates and their PDFs [exported]
--- request
GET /api/sante



=== TEST 9: IBANs that are not: length, check digits, letters, outside SEPA, none [nothing_stored]
--- request eval
[ map { main::mandate(iban => $_) }
  'FR76 3000 6000 0112 3456 7890 18', 'FR76 3000 6000 0112 3456 7890 188', 'FR76 3000 6000 0112 3456 7890 18É',
  'FRAB 3000 6000 0112 3456 7890 189', 'TR33 0006 1005 1978 6457 8413 26', '', 'GB82 WEST 1234 5698 7654 33',
  'FR76-3000-6000-0112-3456-7890-189' ]
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
X-CSRF-Token: {{csrf:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code eval
[ (422) x 8 ]
--- response_body_like eval
[ '"champs":\{"iban":"Un IBAN français compte 27 caractères \(FR76 puis 23 lettres ou chiffres\) : vérifiez votre saisie\."\}',
  '"champs":\{"iban":"Cet IBAN n\'est pas valide \(sa clé de contrôle ne correspond pas\) : vérifiez votre saisie\."\}',
  '"champs":\{"iban":"L\'IBAN ne peut contenir que des lettres et des chiffres \(les espaces sont acceptés\)\."\}',
  '"champs":\{"iban":"Un IBAN commence par le code du pays \(2 lettres\) et 2 chiffres de contrôle',
  '"champs":\{"iban":"Le prélèvement SEPA n\'est possible que sur un compte tenu dans un pays de la zone SEPA\."\}',
  '"champs":\{"iban":"Saisissez l\'IBAN du compte à débiter \(il figure sur votre RIB\)\."\}',
  '"champs":\{"iban":"Cet IBAN n\'est pas valide',
  '"champs":\{"iban":"L\'IBAN ne peut contenir que des lettres et des chiffres' ]



=== TEST 10: holder, BIC and day [nothing_stored]
--- request eval
[ main::mandate(titulaire => ' ', bic => 'AGRI', jour_prelevement => 11),
  main::mandate(titulaire => 'A' x 71, bic => '1GRIFRPP', jour_prelevement => '10'),
  main::mandate(titulaire => '<script>alert(1)</script>', iban => 76300060, jour_prelevement => 10.5),
  "POST /api/paiements/prelevement\n{}" ]
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
X-CSRF-Token: {{csrf:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code eval
[422, 422, 422, 422]
--- response_body_like eval
[ '"champs":\{"titulaire":"Saisissez le nom du titulaire du compte, tel qu\'il figure sur le RIB\.","bic":"Le BIC compte 8 ou 11 lettres et chiffres, par exemple AGRIFRPP ou AGRIFRPP882 \(il figure sur votre RIB\)\.","jour_prelevement":"Choisissez le jour du prélèvement parmi ceux que propose l\'office : le 5, le 10 ou le 15 du mois\."\}',
  '"champs":\{"titulaire":"Le nom du titulaire ne doit pas dépasser 70 caractères\.","bic":"Le BIC compte 8 ou 11[^"]+","jour_prelevement":"Choisissez[^"]+"\}',
  '"champs":\{"titulaire":"Le nom du titulaire ne peut contenir que des lettres, des chiffres, des espaces et les signes[^"]+","iban":"Ce champ doit être un texte\.","jour_prelevement":"[^"]+"\}',
  '"champs":\{"contrat":"Choisissez le contrat concerné\.","titulaire":"[^"]+","iban":"[^"]+","jour_prelevement":"[^"]+"\}' ]



=== TEST 11: another household's contract: 404 [nothing_stored]
--- request
POST /api/paiements/prelevement
{"contrat": "2013936", "titulaire": "Hélène LEFÈVRE", "iban": "FR7630006000011234567890189", "jour_prelevement": 10}
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
X-CSRF-Token: {{csrf:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code: 404
--- response_body chomp
{"error":"introuvable","message":"La ressource demandée n'existe pas."}



=== TEST 12: no creditor identifier configured: no mandate online
--- http_config eval: $Portail::Test::HTTP_CONFIG
--- request eval
[ "GET /api/paiements/prelevement",
  qq{POST /api/paiements/prelevement\n{"contrat": "2045678", "titulaire": "Hélène LEFÈVRE", "iban": "FR7630006000011234567890189", "jour_prelevement": 10}} ]
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
X-CSRF-Token: {{csrf:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code eval
[200, 503]
--- response_body_like eval
[ '"souscription_possible" ?: ?false, ?"creancier" ?: ?\{"nom" ?: ?"[^"]+", ?"adresse" ?: ?"[^"]+", ?"ics" ?: ?null\}',
  '"error":"prelevement_indisponible"' ]
