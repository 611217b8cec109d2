# GET /api/paiements: a contract's balance, how it is paid, what card
# payments are possible, and its ledger with the running balance, page by
# page; the payment directives that nginx refuses.
#
# Hélène LEFÈVRE (2345678, L/2045678, 943,60 € due, pays by cheque), Marie
# DUPONT (1234567, L/2013936 and the parking L/2013937, up to date, direct
# debit), Jean MARTIN (7654321, L/2087412, 150,00 € in credit).
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Portail::Test;
use Portail::Paiements;

start_payment_tests();
no_shuffle();

sub get_as {
    my ($email, $path) = @_;
    my ($cookie) = open_session($email);
    my $r = http_request(path => $path, headers => { Cookie => "portail_session=$cookie" });
    return ($r, $r->{status} == 200 ? json_decode($r->{body}) : undef);
}

my %after = (

    # every page, checked against the ledger in the database
    ledger => sub {
        my $rows = sql(q{SELECT e.date_ecriture::text AS date, e.libelle, e.montant_signe_cents AS signe
                         FROM ecriture e JOIN contrat k ON k.id = e.contrat_id
                         WHERE k.numero = 'L/2045678' AND e.archive_le IS NULL
                         ORDER BY e.date_ecriture DESC, e.id DESC});
        my (@all, $pages);
        for (my $page = 1; ; $page++) {
            my (undef, $p) = get_as($HELENE, "/api/paiements?page=$page");
            $pages //= $p->{historique}{pages};
            is($p->{historique}{total}, scalar @$rows, "page $page: the total") if $page == 1;
            last unless @{ $p->{historique}{ecritures} };
            ok(@{ $p->{historique}{ecritures} } <= 20, "page $page: 20 entries at most");
            push @all, @{ $p->{historique}{ecritures} };
            last if $page > 10;
        }
        is(scalar @all, scalar @$rows, 'all entries, once');
        is($pages, int((@$rows + 19) / 20), 'as many pages as needed');
        my $solde = sql_value(q{SELECT solde_cents FROM contrat WHERE numero = 'L/2045678'});
        my $bad = 0;
        for my $i (0 .. $#all) {
            $bad++ if $all[$i]{date} ne $rows->[$i]{date};
            $bad++ if $all[$i]{solde_cents} != $solde;
            my $signe = ($all[$i]{debit_cents} // 0) - ($all[$i]{credit_cents} // 0);
            $bad++ if $signe != $rows->[$i]{signe};
            $solde -= $signe;
        }
        is($bad, 0, 'newest first, each with the balance after it');
        is($solde, 0, 'counted back to the opening balance');
    },

    card_paid => sub {
        my $o = new_order(commande => 'CBTEST-PAYE', trans_id => '300001', contrat => 'L/2045678',
                          email => $HELENE, montant => 47180);
        db()->do(q{UPDATE paiement_carte SET statut = 'accepte', notification_recue_le = now(),
                   notification = '{}' WHERE commande = 'CBTEST-PAYE'});
        my (undef, $p) = get_as($HELENE, '/api/paiements');
        is($p->{solde}{montant_cents}, 94360, 'the balance stays the ERP\'s');
        is($p->{paiement_carte}{montant_du_cents}, 47180, 'what is still due counts the card payment');
        is($p->{paiement_carte}{montant_max_cents}, 47180, 'and so does the maximum');
        is($p->{paiements_en_cours}[0]{commande}, 'CBTEST-PAYE', 'the payment is listed until the balance has it');
        is($p->{paiements_en_cours}[0]{montant_cents}, 47180, 'with its amount');

        db()->do(q{UPDATE paiement_carte SET montant_cents = 94360 WHERE commande = 'CBTEST-PAYE'});
        (undef, $p) = get_as($HELENE, '/api/paiements');
        ok(!$p->{paiement_carte}{disponible}, 'all paid: no card payment');
        like($p->{paiement_carte}{message}, qr/Votre paiement a bien été reçu/, 'and the page says why');

        db()->do(q{UPDATE contrat SET solde_au = now() + interval '1 minute' WHERE numero = 'L/2045678'});
        (undef, $p) = get_as($HELENE, '/api/paiements');
        is_deeply($p->{paiements_en_cours}, [], 'once the balance is newer, the payment is in it');
        db()->do(q{UPDATE contrat SET solde_au = now() - interval '1 hour'});
        db()->do(q{DELETE FROM paiement_carte WHERE commande = 'CBTEST-PAYE'});
    },

    mandate_shown => sub {
        sql(q{INSERT INTO mandat_sepa (contrat_id, compte_id, titulaire, iban, jour_prelevement)
              SELECT k.id, c.id, 'Marie DUPONT', 'FR7630006000011234567890189', 5
                FROM contrat k, compte c WHERE k.numero = 'L/2013936' AND c.email = $1
              RETURNING id}, $MARIE);
        my (undef, $p) = get_as($MARIE, '/api/paiements');
        is($p->{mode_paiement}{code}, 'prelevement', 'paid by direct debit');
        is($p->{mandat}{iban_masque}, ('*' x 23) . '0189', 'the IBAN masked but its last 4 characters');
        like($p->{mandat}{rum}, qr/^OPH17-\d{4}-\d{8}$/, 'with its RUM');
        is($p->{mandat}{jour_prelevement}, 5, 'and the day');
        unlike(json_encode($p), qr/30006000011234567890189/, 'the IBAN never in full');
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: the account page needs a session
--- request
GET /api/paiements
--- error_code: 401
--- response_body_like chomp
"error":"non_authentifie"



=== TEST 2: Hélène's account: what is due, how she pays, the last entries
--- request
GET /api/paiements
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code: 200
--- response_headers
Content-Type: application/json; charset=utf-8
Cache-Control: no-store
--- response_body_like chomp
^\{"contrat" ?: ?\{"numero" ?: ?"L/2045678", ?"nature" ?: ?"logement", ?"designation" ?: ?"Appartement T2[^"]*", ?"adresse" ?: ?"14 rue des Tamaris[^"]*"\}, ?"solde" ?: ?\{"montant_cents" ?: ?94360, ?"au" ?: ?"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[.\d]*\+0[12]:00", ?"situation" ?: ?"a_payer", ?"message" ?: ?"Le solde de votre compte sera mis à jour dans les 24h\."\}, ?"mode_paiement" ?: ?\{"code" ?: ?"cheque", ?"libelle" ?: ?"Chèque"\}, ?"mandat" ?: ?null, ?"paiement_carte" ?: ?\{"disponible" ?: ?true, ?"montant_du_cents" ?: ?94360, ?"montant_min_cents" ?: ?100, ?"montant_max_cents" ?: ?94360, ?"message" ?: ?null\}, ?"paiements_en_cours" ?: ?\[\], ?"historique" ?: ?\{"page" ?: ?1, ?"par_page" ?: ?20, ?"total" ?: ?\d+, ?"pages" ?: ?\d+, ?"ecritures" ?: ?\[\{"date" ?: ?"\d{4}-\d\d-01", ?"periode" ?: ?"\d{4}-\d\d", ?"type" ?: ?"echeance", ?"libelle" ?: ?"Échéance [^"]+", ?"debit_cents" ?: ?47180, ?"credit_cents" ?: ?null, ?"loyer_cents" ?: ?38760, ?"charges_cents" ?: ?8420, ?"mode_paiement" ?: ?null, ?"solde_cents" ?: ?94360\}, ?\{[^}]*"debit_cents" ?: ?47180,[^}]*"solde_cents" ?: ?47180\}, ?\{[^}]*"type" ?: ?"paiement",[^}]*"credit_cents" ?: ?47180,[^}]*"mode_paiement" ?: ?"cheque", ?"solde_cents" ?: ?0\}



=== TEST 3: every page, with the running balance [ledger]
--- request
GET /api/sante



=== TEST 4: a page past the last one is empty
--- request
GET /api/paiements?page=999
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code: 200
--- response_body_like chomp
"page" ?: ?999, ?"par_page" ?: ?20, ?"total" ?: ?\d+, ?"pages" ?: ?\d+, ?"ecritures" ?: ?\[\]\}\}$



=== TEST 5: in credit: nothing to pay by card
--- request
GET /api/paiements
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200
--- response_body_like chomp
"solde" ?: ?\{"montant_cents" ?: ?-15000,[^}]*"situation" ?: ?"crediteur",.*"paiement_carte" ?: ?\{"disponible" ?: ?false, ?"montant_du_cents" ?: ?0, ?"montant_min_cents" ?: ?100, ?"montant_max_cents" ?: ?null, ?"message" ?: ?"Aucune somme n'est due sur ce contrat : il n'y a rien à payer pour le moment\."\}



=== TEST 6: two contracts: the dwelling by default, each paid on its own
--- request eval
[ "GET /api/paiements", "GET /api/paiements?contrat=2013937", "GET /api/paiements?contrat=L/2013936" ]
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.org}}
--- error_code eval
[200, 200, 200]
--- response_body_like eval
[ '^\{"contrat" ?: ?\{"numero" ?: ?"L/2013936", ?"nature" ?: ?"logement"',
  '^\{"contrat" ?: ?\{"numero" ?: ?"L/2013937", ?"nature" ?: ?"stationnement",.*"situation" ?: ?"a_jour"',
  '^\{"contrat" ?: ?\{"numero" ?: ?"L/2013936"' ]



=== TEST 7: another household's contract: 404
--- request
GET /api/paiements?contrat=2045678
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.org}}
--- error_code: 404
--- response_body chomp
{"error":"introuvable","message":"La ressource demandée n'existe pas."}



=== TEST 8: a contract number or a page that is not one
--- request eval
[ "GET /api/paiements?contrat=20456", "GET /api/paiements?page=0", "GET /api/paiements?page=deux&contrat=abcdefg" ]
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code eval
[422, 422, 422]
--- response_body_like eval
[ '"champs":\{"contrat":"Le numéro de contrat compte 7 chiffres, par exemple 2013936 pour le contrat L/2013936\."\}',
  '"champs":\{"page":"La page est un nombre entier à partir de 1\."\}',
  '"champs":\{"contrat":"[^"]+","page":"[^"]+"\}' ]



=== TEST 9: a card payment waiting for the balance [card_paid]
--- request
GET /api/sante



=== TEST 10: the active mandate, masked [mandate_shown]
--- request
GET /api/sante



=== TEST 11: card payments not configured: the page says so
--- http_config eval: $Portail::Test::HTTP_CONFIG
--- request
GET /api/paiements
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code: 200
--- response_body_like chomp
"paiement_carte" ?: ?\{"disponible" ?: ?false,[^}]*"message" ?: ?"Le paiement par carte n'est pas disponible pour le moment\."\}



=== TEST 12: the sandbox's plain-HTTP page never serves PRODUCTION mode
--- http_config eval
$Portail::Test::HTTP_CONFIG . $Portail::Paiements::PAYMENT_CONFIG . "portail_payment_mode PRODUCTION;\n"
--- must_die
--- error_log
[emerg]
must be an https:// URL (http:// is accepted in TEST mode only)



=== TEST 13: the module has no sandbox of its own any more: the old directive is unknown
--- http_config eval
$Portail::Test::HTTP_CONFIG . "portail_payment_sandbox on;\n"
--- must_die
--- error_log
[emerg]
unknown directive "portail_payment_sandbox"



=== TEST 14: a shop id without its key and page
--- http_config eval
$Portail::Test::HTTP_CONFIG . "portail_payment_site_id 12345678;\n"
--- must_die
--- error_log
[emerg]
card payments need portail_payment_url



=== TEST 15: a shop id that is not 8 digits
--- http_config eval
$Portail::Test::HTTP_CONFIG . "portail_payment_url https://secure.payzen.eu/vads-payment/; portail_payment_site_id 1234; portail_payment_key 0123456789abcdef;\n"
--- must_die
--- error_log
[emerg]
portail_payment_site_id "1234" must be the shop's 8 digits



=== TEST 16: a key too short
--- http_config eval
$Portail::Test::HTTP_CONFIG . "portail_payment_url https://secure.payzen.eu/vads-payment/; portail_payment_site_id 12345678; portail_payment_key court;\n"
--- must_die
--- error_log
[emerg]
portail_payment_key must be the provider's key



=== TEST 17: the provider's page over plain HTTP in PRODUCTION
--- http_config eval
$Portail::Test::HTTP_CONFIG . "portail_payment_mode PRODUCTION; portail_payment_url http://paiement.example.net/; portail_payment_site_id 12345678; portail_payment_key 0123456789abcdef;\n"
--- must_die
--- error_log
[emerg]
must be an https:// URL



=== TEST 18: a maximum amount of nothing
--- http_config eval
$Portail::Test::HTTP_CONFIG . "portail_payment_max_amount 0;\n"
--- must_die
--- error_log
[emerg]
portail_payment_max_amount must be between 1 and 1000000 euros



=== TEST 19: debit days: of the month, increasing
--- http_config eval
$Portail::Test::HTTP_CONFIG . "portail_sepa_debit_days 5 29;\n"
--- must_die
--- error_log
[emerg]
invalid debit day "29"



=== TEST 20: a creditor identifier whose check digits are wrong
--- http_config eval
$Portail::Test::HTTP_CONFIG . "portail_sepa_creditor_id FR73ZZZ123456;\n"
--- must_die
--- error_log
[emerg]
portail_sepa_creditor_id "FR73ZZZ123456" is not a valid SEPA creditor identifier
