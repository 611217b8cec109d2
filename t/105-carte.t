# Card payments: the signed form for the provider's page, the provider's
# notification (IPN) with forged, replayed and inconsistent ones, the
# order's state for the return page, the payment ticket, and a payment
# end to end through the provider's sandbox (tools/payment-sandbox, its own
# process: its IPN reaches nginx over HTTP).
#
# Hélène LEFÈVRE (2345678, L/2045678) owes two months (943,60 €), of which
# the orders made here pay 100,00 € each once accepted; Marie
# DUPONT (1234567, L/2013936) is up to date; Jean MARTIN is in credit.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Portail::Test;
use Portail::Paiements;

start_payment_tests();
start_sandbox();
no_shuffle();

# a form posted to the sandbox, as the browser does
sub to_sandbox {
    my ($path, $body) = @_;
    return http_request(method => 'POST', port => $SANDBOX_PORT, path => $path,
                        headers => { 'Content-Type' => 'application/x-www-form-urlencoded' },
                        body => $body);
}

# the form of a payment page, signed with $key (ours by default)
sub sandbox_form {
    my ($key, %set) = @_;
    my %f = (vads_action_mode => 'INTERACTIVE', vads_amount => '47180', vads_ctx_mode => 'TEST',
             vads_currency => '978', vads_page_action => 'PAYMENT', vads_payment_config => 'SINGLE',
             vads_site_id => '12345678', vads_trans_date => '20260115100000', vads_trans_id => '100002',
             vads_version => 'V2', vads_order_id => 'CBTEST-FRAUDE', %set);
    $f{signature} = sign(\%f, $key);
    return %f;
}

sub access_log {
    open my $fh, '<', $Test::Nginx::Util::AccLogFile or return '';
    local $/;
    return <$fh>;
}

sub order {
    my ($name, $trans_id, %o) = @_;
    return new_order(commande => "CBTEST-\U$name", trans_id => $trans_id,
                     contrat => 'L/2045678', email => $HELENE, montant => 10000, %o);
}

our %O = (
    accepte => order('accepte', '100001'),
    fraude  => order('fraude', '100002'),
    refuse  => order('refuse', '100003'),
    abandon => order('abandon', '100004'),
    attente => order('attente', '100005'),
    annule  => order('annule', '100006'),
);

# 50 cents due on Marie's parking space: less than a card payment
db()->do(q{UPDATE contrat SET solde_cents = 50 WHERE numero = 'L/2013937'});

sub ipn { "POST /api/paiements/notification\n" . form_body(ipn_fields(@_)) }

sub order_row {
    my ($commande) = @_;
    return sql(q{SELECT * FROM paiement_carte WHERE commande = $1}, $commande)->[0];
}

sub helene_request {
    my (%o) = @_;
    my ($cookie, $csrf) = open_session($HELENE);
    return http_request(%o, headers => { Cookie => "portail_session=$cookie",
                                         'X-CSRF-Token' => $csrf,
                                         %{ $o{headers} || {} } });
}

my %snapshot;

my %after = (

    form_signed => sub {
        my ($block, $body) = @_;
        my $r = json_decode($body);
        my $c = $r->{champs};
        is($c->{signature}, sign($c), 'the signature is the provider\'s (HMAC-SHA-256, sorted values, key)');
        is($c->{vads_amount}, '47180', 'amount in cents');
        is($c->{vads_currency}, '978', 'euros');
        is($c->{vads_ctx_mode}, 'TEST', 'test mode');
        is($c->{vads_site_id}, $SHOP, 'our shop');
        is($c->{vads_order_id}, $r->{commande}, 'the order');
        like($c->{vads_trans_id}, qr/^[0-8]\d{5}$/, 'a 6-digit transaction id');
        my $utc = sql_value(q{SELECT to_char(transaction_date AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISS')
                              FROM paiement_carte WHERE commande = $1}, $r->{commande});
        is($c->{vads_trans_date}, $utc, 'the transaction date, UTC');
        is($c->{vads_url_check}, 'https://portail.example.org/api/paiements/notification', 'IPN URL');
        is($c->{vads_url_return}, "https://portail.example.org/#/paiement/retour?commande=$r->{commande}",
           'the return page');
        is($r->{url}, $SANDBOX_URL, 'the provider\'s page (portail_payment_url)');
        my $row = order_row($r->{commande});
        is($row->{statut}, 'initie', 'the order waits for the notification');
        is($row->{montant_cents}, 47180, 'for that amount');
        is($row->{fournisseur}, 'payzen', 'made for the provider\'s protocol');
        is($row->{mode}, 'TEST', 'in TEST mode');
        is($row->{transaction_id}, $c->{vads_trans_id}, 'with its transaction id');
        is(sql_value(q{SELECT count(*) FROM journal WHERE action = 'paiement.carte.commande'}), 1,
           'journaled');
    },

    # Marie makes 20 orders within the hour: the next one waits
    rafale => sub {
        new_order(commande => "CBTEST-RAFALE$_", trans_id => sprintf('2000%02d', $_),
                  contrat => 'L/2013936', email => $MARIE, montant => 5000,
                  cree_le => 'now') for 1 .. 20;
    },

    default_amount => sub {
        my ($block, $body) = @_;
        my $r = json_decode($body);
        is($r->{montant_cents}, 94360, 'no amount: what is due');
        is($r->{champs}{vads_amount}, '94360', 'in the form too');
    },

    ipn_accepted => sub {
        my $row = order_row('CBTEST-ACCEPTE');
        is($row->{statut}, 'accepte', 'the payment is recorded');
        is($row->{statut_fournisseur}, 'AUTHORISED', 'with the provider\'s status');
        is($row->{numero_autorisation}, '123456', 'its authorisation');
        is($row->{marque_carte}, 'CB', 'the card brand');
        ok($row->{notification_recue_le}, 'and when');
        my $raw = json_decode($row->{notification});
        is($raw->{vads_card_number}, '497010XXXXXX0055', 'the raw fields are kept');
        ok($raw->{signature}, 'with the signature');
        my $doc = sql(q{SELECT d.* FROM document d JOIN contrat k ON k.id = d.contrat_id
                        WHERE d.reference = 'PORTAIL-RECU-CBTEST-ACCEPTE' AND k.numero = 'L/2045678'});
        is(scalar @$doc, 1, 'the ticket is filed with the contract\'s documents');
        is($doc->[0]{nature}, 'recu_paiement', 'as a payment receipt, not a quittance');
        my $text = pdf_text(sql_value(q{SELECT contenu FROM document WHERE reference = 'PORTAIL-RECU-CBTEST-ACCEPTE'}));
        like($text, qr/100,00 €/, 'showing the amount');
        unlike($text, qr/Quittance/, 'never called a quittance');
        $snapshot{accepte} = $row;
    },

    ipn_replayed => sub {
        my $row = order_row('CBTEST-ACCEPTE');
        is($row->{maj_le}, $snapshot{accepte}{maj_le}, 'a replay changes nothing');
        is($row->{notification_recue_le}, $snapshot{accepte}{notification_recue_le},
           'not even the time of notification');
        is(sql_value(q{SELECT count(*) FROM document WHERE reference LIKE 'PORTAIL-RECU-CBTEST-ACCEPTE'}), 1,
           'one ticket');
        is(sql_value(q{SELECT count(*) FROM journal WHERE action = 'paiement.carte.notification_rejouee'}), 1,
           'the replay is journaled');
    },

    still_initie => sub {
        my $row = order_row('CBTEST-FRAUDE');
        is($row->{statut}, 'initie', 'nothing recorded');
        ok(!defined $row->{notification}, 'no notification kept');
    },

    ipn_refused => sub {
        is(order_row('CBTEST-REFUSE')->{statut}, 'refuse', 'refused');
        is(sql_value(q{SELECT count(*) FROM document WHERE reference = 'PORTAIL-RECU-CBTEST-REFUSE'}), 0,
           'no ticket');
    },

    ipn_pending => sub {
        my $row = order_row('CBTEST-ATTENTE');
        is($row->{statut}, 'initie', 'waiting for the authorisation: not final');
        is($row->{statut_fournisseur}, 'WAITING_AUTHORISATION', 'but known');
    },

    ipn_ignored => sub {
        my $row = order_row('CBTEST-ANNULE');
        is($row->{statut}, 'accepte', 'an accepted payment stays accepted');
        is($row->{statut_fournisseur}, 'AUTHORISED', 'its notification is kept');
        is(sql_value(q{SELECT count(*) FROM journal WHERE action = 'paiement.carte.notification_ignoree'}), 1,
           'the later one is journaled');
    },

    ipn_duplicate => sub {
        my $row = order_row('CBTEST-ANNULE');
        is($row->{statut}, 'accepte', 'the order stays paid once');
        is($row->{uuid_transaction}, ('a' x 26) . '100006', 'by its first transaction');
        my $j = sql(q{SELECT details FROM journal WHERE action = 'paiement.carte.transaction_en_double'});
        is(scalar @$j, 1, 'the double payment is journaled for the office');
        my $d = json_decode($j->[0]{details});
        is($d->{uuid_paye}, ('a' x 26) . '100006', 'with the transaction kept');
        is($d->{uuid_notifie}, 'b' x 32, 'and the second one, to refund');
        is($d->{montant_cents}, 10000, 'its amount');
        my $m = http_request(path => '/metriques');
        like($m->{body}, qr/^portail_card_payment_duplicates_total 1$/m, 'counted for an alert');
    },

    ticket => sub {
        my ($block, $body) = @_;
        my $text = pdf_text($body);
        like($text, qr/Reçu de paiement par carte bancaire/, 'a payment receipt');
        like($text, qr/100,00 €/, 'with the amount');
        like($text, qr/CBTEST-ACCEPTE/, 'and the order');
        like($text, qr/L\/2045678/, 'and the contract');
    },

    ticket_lazy => sub {
        db()->do(q{DELETE FROM document WHERE reference = 'PORTAIL-RECU-CBTEST-ACCEPTE'});
        my $r = helene_request(path => '/api/paiements/carte/CBTEST-ACCEPTE/ticket');
        is($r->{status}, 200, 'the ticket is made again when missing');
        like(pdf_text($r->{body}), qr/100,00 €/, 'the same');
        is(sql_value(q{SELECT count(*) FROM document WHERE reference = 'PORTAIL-RECU-CBTEST-ACCEPTE'}), 1,
           'and filed again');
    },

    sandbox_pay => sub {
        my ($cookie, $csrf) = open_session($HELENE);
        my %h = (Cookie => "portail_session=$cookie", 'X-CSRF-Token' => $csrf);
        my $r = http_request(method => 'POST', path => '/api/paiements/carte',
                             headers => { %h, 'Content-Type' => 'application/json' },
                             body => '{"contrat": "2045678", "montant_cents": 12345}');
        is($r->{status}, 201, 'order made');
        my $form = json_decode($r->{body});
        my $commande = $form->{commande};

        # the browser posts the form to the provider (here, the sandbox)
        is($form->{url}, $SANDBOX_URL, 'the form goes to the sandbox');
        $r = to_sandbox(path_of($form->{url}), form_body($form->{champs}));
        is($r->{status}, 200, 'the sandbox shows its page');
        like($r->{headers}{'content-type'}, qr{^text/html}, 'in HTML');
        like($r->{body}, qr/Paiement de test — aucune carte n'est débitée/, 'saying no card is debited');
        like($r->{body}, qr/123,45 €/, 'with the amount');
        like($r->{body}, qr/<button type="submit" name="decision" value="payer">Payer<\/button>/, 'Payer');
        like($r->{body}, qr/value="refuser">Refuser</, 'Refuser');
        unlike($r->{body}, qr/<script|<style|style=/, 'no inline script or style (CSP)');

        like($r->{body}, qr{<form method="post" action="/vads-payment/decision">}, 'the decision goes to the sandbox');

        # "Payer"
        $r = to_sandbox('/vads-payment/decision', form_body(html_fields($r->{body}), decision => 'payer'));
        is($r->{status}, 303, 'the browser is sent back');
        is($r->{headers}{location}, $form->{champs}{vads_url_return}, 'to the return page');
        like(access_log(), qr{^127\.0\.0\.1 .*"POST /api/paiements/notification HTTP/1\.1" 200 .*"portail-payment-sandbox"$}m,
             'the IPN reached nginx over HTTP, from the sandbox');
        like(sandbox_log(), qr{IPN AUTHORISED for order \Q$commande\E: POST http://127\.0\.0\.1:\d+/api/paiements/notification -> 200},
             'the sandbox logs the portal\'s answer');

        my $row = order_row($commande);
        is($row->{statut}, 'accepte', 'the notification was recorded before the return');
        is($row->{statut_fournisseur}, 'AUTHORISED', 'as the provider says it');
        like(json_decode($row->{notification})->{vads_trans_uuid}, qr/^[0-9a-f]{32}$/, 'with a uuid');

        $r = http_request(path => "/api/paiements/carte/$commande", headers => \%h);
        like($r->{body}, qr/"statut" ?: ?"accepte"/, 'the return page sees it accepted');

        $r = http_request(path => "/api/paiements/carte/$commande/ticket", headers => \%h);
        is($r->{status}, 200, 'the ticket is there');
        is($r->{headers}{'content-type'}, 'application/pdf', 'a PDF');
        like(pdf_text($r->{body}), qr/123,45 €/, 'showing the amount');

        $r = http_request(path => '/api/paiements?contrat=2045678', headers => \%h);
        my $p = json_decode($r->{body});
        ok((grep { $_->{commande} eq $commande } @{ $p->{paiements_en_cours} }),
           'the account page lists the payment until the balance includes it');
    },

    sandbox_refuse => sub {
        my ($cookie, $csrf) = open_session($HELENE);
        my %h = (Cookie => "portail_session=$cookie", 'X-CSRF-Token' => $csrf);
        my $r = http_request(method => 'POST', path => '/api/paiements/carte',
                             headers => { %h, 'Content-Type' => 'application/json' },
                             body => '{"contrat": "2045678", "montant_cents": 1000}');
        my $form = json_decode($r->{body});
        $r = to_sandbox('/vads-payment/', form_body($form->{champs}));
        $r = to_sandbox('/vads-payment/decision', form_body(html_fields($r->{body}), decision => 'refuser'));
        is($r->{status}, 303, 'back to the portal');
        is(order_row($form->{commande})->{statut}, 'refuse', 'refused');
        $r = http_request(path => "/api/paiements/carte/$form->{commande}/ticket", headers => \%h);
        is($r->{status}, 409, 'no ticket for a refused payment');
    },

    sandbox_forged_signature => sub {
        my %f = sandbox_form(undef, vads_amount => '100');
        $f{signature} = 'A' x 43 . '=';
        my $r = to_sandbox('/vads-payment/', form_body(\%f));
        is($r->{status}, 403, 'the sandbox refuses a form we did not sign');
        like($r->{headers}{'content-type'}, qr{^text/html}, 'with a page, as the provider does');
        like($r->{body}, qr/La signature du formulaire de paiement est invalide/, 'saying why');
    },

    sandbox_not_a_payment => sub {
        my $r = to_sandbox('/vads-payment/', form_body({ sandbox_form(undef, vads_action_mode => 'SILENT') }));
        is($r->{status}, 400, 'a signed form that is not a payment form');
        like($r->{body}, qr/Le formulaire de paiement est incomplet ou mal formé \(vads_action_mode\)\./, 'saying which field');
    },

    sandbox_forged_decision => sub {
        my $r = to_sandbox('/vads-payment/decision',
                           form_body({ sandbox_form('pas-la-bonne-cle-000000') }) . '&decision=payer');
        is($r->{status}, 403, 'a decision on a forged form is refused');
        unlike(sandbox_log(), qr/order CBTEST-FRAUDE/, 'and no IPN is sent');
        is(order_row('CBTEST-FRAUDE')->{statut}, 'initie', 'a forged decision records nothing');
    },

    sandbox_unknown_decision => sub {
        my $r = to_sandbox('/vads-payment/decision', form_body({ sandbox_form(undef) }) . '&decision=rembourser');
        is($r->{status}, 400, 'an unknown decision');
        like($r->{body}, qr/Choisissez « Payer » ou « Refuser »\./, 'the two choices');
        is(order_row('CBTEST-FRAUDE')->{statut}, 'initie', 'nothing recorded');
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: card payment without a session: 401
--- request
POST /api/paiements/carte
{"contrat": "2045678"}
--- more_headers
Content-Type: application/json
--- error_code: 401
--- response_body_like chomp
"error":"non_authentifie"



=== TEST 2: card payment without the CSRF token: 403
--- request
POST /api/paiements/carte
{"contrat": "2045678"}
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code: 403
--- response_body_like chomp
"error":"csrf_invalide"



=== TEST 3: wrong types
--- request
POST /api/paiements/carte
{"contrat": 2045678, "montant_cents": "471.80"}
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
X-CSRF-Token: {{csrf:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
^\{"error":"validation",.*"champs":\{"contrat":"Ce champ doit être un texte\.","montant_cents":"Le montant est un nombre entier de centimes \(47180 pour 471,80 €\)\."\}\}$



=== TEST 4: no contract, an amount under 1 euro
--- request
POST /api/paiements/carte
{"montant_cents": 99}
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
X-CSRF-Token: {{csrf:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"champs":\{"contrat":"Choisissez le contrat à payer\.","montant_cents":"Un paiement par carte est de 1,00 € au moins\."\}



=== TEST 5: over the configured maximum (portail_payment_max_amount 1000)
--- request
POST /api/paiements/carte
{"contrat": "2045678", "montant_cents": 100001}
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
X-CSRF-Token: {{csrf:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"montant_cents":"Un paiement par carte est de 1 000,00 € au plus\."



=== TEST 6: a malformed contract number
--- request
POST /api/paiements/carte
{"contrat": "20456789"}
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
X-CSRF-Token: {{csrf:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"contrat":"Le numéro de contrat compte 7 chiffres



=== TEST 7: another household's contract: 404
--- request
POST /api/paiements/carte
{"contrat": "2013936"}
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
X-CSRF-Token: {{csrf:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code: 404
--- response_body_like chomp
"error":"introuvable"



=== TEST 8: a tenant in credit has nothing to pay
--- request
POST /api/paiements/carte
{"contrat": "2087412", "montant_cents": 1000}
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
X-CSRF-Token: {{csrf:jean.martin@example.org}}
Content-Type: application/json
--- error_code: 409
--- response_body chomp
{"error":"aucun_montant_du","message":"Aucune somme n'est due sur ce contrat : il n'y a rien à payer pour le moment."}



=== TEST 9: never more than what is due
--- request
POST /api/paiements/carte
{"contrat": "2045678", "montant_cents": 94361}
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
X-CSRF-Token: {{csrf:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code: 422
--- response_body_like chomp
"montant_cents":"Le montant ne peut pas dépasser la somme due \(943,60 €\)\."



=== TEST 10: the order and its signed form [form_signed]
--- request
POST /api/paiements/carte
{"contrat": "L/2045678", "montant_cents": 47180}
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
X-CSRF-Token: {{csrf:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code: 201
--- response_body_like eval
'^\{"champs":\{"vads_action_mode":"INTERACTIVE","vads_amount":"47180","vads_ctx_mode":"TEST","vads_currency":"978",.*"vads_page_action":"PAYMENT","vads_payment_config":"SINGLE","vads_site_id":"12345678","vads_trans_date":"\d{14}","vads_trans_id":"\d{6}",.*"vads_version":"V2","signature":"[A-Za-z0-9+/]{43}="\},"commande":"CB\d{14}","montant_cents":47180,"url":"' . quotemeta($Portail::Paiements::SANDBOX_URL) . '"\}$'
--- response_headers
Cache-Control: no-store



=== TEST 11: without an amount, what is due [default_amount]
--- request
POST /api/paiements/carte
{"contrat": "2045678", "montant_cents": null}
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
X-CSRF-Token: {{csrf:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code: 201



=== TEST 12: less than 1,00 € due [rafale]
--- request
POST /api/paiements/carte
{"contrat": "2013937"}
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.org}}
X-CSRF-Token: {{csrf:marie.dupont@example.org}}
Content-Type: application/json
--- error_code: 409
--- response_body chomp
{"error":"montant_du_trop_faible","message":"La somme due est inférieure au minimum d'un paiement par carte (1,00 €) : réglez-la avec votre prochaine échéance."}



=== TEST 13: a tenant ordering again and again waits
--- request
POST /api/paiements/carte
{"contrat": "2013936", "montant_cents": 1000}
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.org}}
X-CSRF-Token: {{csrf:marie.dupont@example.org}}
Content-Type: application/json
--- error_code: 429
--- response_body_like chomp
"error":"trop_de_requetes"



=== TEST 14: card payments not configured: 503
--- http_config eval: $Portail::Test::HTTP_CONFIG
--- request
POST /api/paiements/carte
{"contrat": "2045678"}
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
X-CSRF-Token: {{csrf:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code: 503
--- response_body_like chomp
"error":"paiement_indisponible"



=== TEST 15: the provider notifies an accepted payment [ipn_accepted]
--- request eval
main::ipn($main::O{accepte})
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 200
--- response_headers
Content-Type: text/plain; charset=utf-8
--- response_body
OK accepte
--- error_log
portail: payment notification for order "CBTEST-ACCEPTE": accepte



=== TEST 16: the same notification again: same answer, nothing changes [ipn_replayed]
--- request eval
main::ipn($main::O{accepte})
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 200
--- response_body
OK accepte



=== TEST 17: the browser comes back after the notification: the order's state
--- request
GET /api/paiements/carte/CBTEST-ACCEPTE
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code: 200
--- response_body_like chomp
^\{"commande" ?: ?"CBTEST-ACCEPTE", ?"contrat" ?: ?"L/2045678", ?"montant_cents" ?: ?10000, ?"statut" ?: ?"accepte", ?"libelle" ?: ?"Paiement accepté",.*"ticket_disponible" ?: ?true, ?"message" ?: ?"Votre paiement de 100,00 € a été accepté\. Le solde de votre compte sera mis à jour dans les 24h\."\}$



=== TEST 18: an order nobody returned to nor notified: still waiting
--- request
GET /api/paiements/carte/CBTEST-FRAUDE
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code: 200
--- response_body_like chomp
"statut" ?: ?"initie", ?"libelle" ?: ?"En attente de la confirmation de la banque",.*"ticket_disponible" ?: ?false



=== TEST 19: another tenant's order: 404
--- request
GET /api/paiements/carte/CBTEST-ACCEPTE
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.org}}
--- error_code: 404
--- response_body_like chomp
"error":"introuvable"



=== TEST 20: a malformed order reference: 404
--- request
GET /api/paiements/carte/CB%27;DROP
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code: 404



=== TEST 21: the order's state needs a session
--- request
GET /api/paiements/carte/CBTEST-ACCEPTE
--- error_code: 401



=== TEST 22: the ticket of the accepted payment [ticket]
--- request
GET /api/paiements/carte/CBTEST-ACCEPTE/ticket
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code: 200
--- response_headers
Content-Type: application/pdf
Content-Disposition: attachment; filename="recu-paiement-CBTEST-ACCEPTE.pdf"; filename*=UTF-8''recu-paiement-CBTEST-ACCEPTE.pdf
Cache-Control: no-store
X-Content-Type-Options: nosniff



=== TEST 23: made again if it was lost [ticket_lazy]
--- request
GET /api/sante
--- error_code: 200



=== TEST 24: another tenant's ticket: 404
--- request
GET /api/paiements/carte/CBTEST-ACCEPTE/ticket
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.org}}
--- error_code: 404



=== TEST 25: no ticket for a payment not accepted
--- request
GET /api/paiements/carte/CBTEST-FRAUDE/ticket
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code: 409
--- response_body chomp
{"error":"recu_indisponible","message":"Le reçu n'est disponible que pour un paiement accepté."}



=== TEST 26: forged notification: signed with another key [still_initie]
--- request eval
main::ipn($main::O{fraude}, key => 'une-autre-cle-0000000')
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 403
--- response_body chomp
{"error":"signature_invalide","message":"La signature de la notification de paiement est invalide."}
--- error_log
portail: payment form with a wrong signature refused



=== TEST 27: forged notification: a field changed after signing [still_initie]
--- request eval
main::ipn($main::O{fraude}, after => { vads_trans_status => 'AUTHORISED', vads_amount => 100 })
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 403
--- response_body_like chomp
"error":"signature_invalide"



=== TEST 28: no signature [still_initie]
--- request eval
"POST /api/paiements/notification\n" . main::form_body(vads_order_id => 'CBTEST-FRAUDE', vads_trans_status => 'AUTHORISED')
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 403
--- response_body_like chomp
"error":"signature_invalide"



=== TEST 29: the amount does not match the order [still_initie]
--- request eval
main::ipn($main::O{fraude}, set => { vads_amount => 100, vads_effective_amount => 100 })
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 409
--- response_body chomp
{"error":"montant_incoherent","message":"Le montant notifié ne correspond pas à celui de la commande."}



=== TEST 30: the currency does not match [still_initie]
--- request eval
main::ipn($main::O{fraude}, set => { vads_currency => '840' })
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 409
--- response_body_like chomp
"error":"devise_incoherente"



=== TEST 31: the transaction is not the order's [still_initie]
--- request eval
[ main::ipn($main::O{fraude}, set => { vads_trans_id => '999999' }),
  main::ipn($main::O{fraude}, set => { vads_trans_date => '20260116100000' }),
  main::ipn($main::O{fraude}, set => { vads_ctx_mode => 'PRODUCTION' }),
  main::ipn($main::O{fraude}, set => { vads_trans_uuid => ('a' x 26) . '100001' }),
  main::ipn($main::O{fraude}, set => { vads_site_id => '87654321' }) ]
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code eval
[409, 409, 409, 409, 409]
--- response_body_like eval
[ ('"error":"transaction_incoherente"') x 5 ]



=== TEST 32: an order nobody made: 404
--- request eval
main::ipn({ %{ $main::O{fraude} }, commande => 'CBTEST-INCONNUE' })
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 404
--- response_body chomp
{"error":"commande_inconnue","message":"Aucune commande ne correspond à cette notification de paiement."}



=== TEST 33: fields missing or malformed, even signed [still_initie]
--- request eval
[ main::ipn($main::O{fraude}, remove => ['vads_amount']),
  main::ipn($main::O{fraude}, remove => ['vads_trans_status']),
  main::ipn($main::O{fraude}, set => { vads_amount => '47180.00' }),
  main::ipn($main::O{fraude}, set => { vads_order_id => 'CBTEST-FRAUDE&vads_amount=1' }),
  main::ipn($main::O{fraude}, set => { vads_trans_status => "AUTHORISED\nX" }),
  main::ipn($main::O{fraude}, set => { vads_auth_number => '1' x 21 }) ]
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code eval
[400, 400, 400, 400, 400, 400]
--- response_body_like eval
[ ('"error":"notification_invalide"') x 6 ]



=== TEST 34: a field given twice: which one would the signature vouch for? [still_initie]
--- request eval
"POST /api/paiements/notification\n" . main::form_body(%{ main::ipn_fields($main::O{fraude}) }, vads_amount => 1)
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 400
--- response_body_like chomp
"error":"notification_invalide"



=== TEST 35: a body that is not a form
--- request eval
[ "POST /api/paiements/notification\nvads_order_id=CB%zz",
  "POST /api/paiements/notification\nvads_order_id=CB%00TEST",
  "POST /api/paiements/notification\n=AUTHORISED" ]
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code eval
[400, 400, 400]
--- response_body_like eval
[ ('"error":"requete_invalide"') x 3 ]



=== TEST 36: JSON is not what the provider sends
--- request
POST /api/paiements/notification
{"vads_order_id": "CBTEST-FRAUDE"}
--- more_headers
Content-Type: application/json
--- error_code: 415
--- response_body_like chomp
"error":"type_non_supporte"



=== TEST 37: a refused payment [ipn_refused]
--- request eval
main::ipn($main::O{refuse}, set => { vads_trans_status => 'REFUSED', vads_result => '05', vads_auth_number => '' })
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 200
--- response_body
OK refuse



=== TEST 38: the payer gave up on the provider's page
--- request eval
main::ipn($main::O{abandon}, set => { vads_trans_status => 'ABANDONED' }, remove => ['vads_trans_uuid', 'vads_auth_number', 'vads_card_number', 'vads_card_brand'])
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 200
--- response_body
OK abandonne



=== TEST 39: waiting for the authorisation, then authorised [ipn_pending]
--- request eval
[ main::ipn($main::O{attente}, set => { vads_trans_status => 'WAITING_AUTHORISATION' }) ]
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code eval
[200]
--- response_body eval
["OK initie\n"]



=== TEST 40: ...then authorised
--- request eval
main::ipn($main::O{attente})
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 200
--- response_body
OK accepte



=== TEST 41: a later notification does not undo an accepted payment [ipn_ignored]
--- request eval
[ main::ipn($main::O{annule}),
  main::ipn($main::O{annule}, set => { vads_trans_status => 'CANCELLED' }) ]
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code eval
[200, 200]
--- response_body eval
["OK accepte\n", "OK accepte\n"]



=== TEST 42: a second transaction for an order already paid: 409, journaled, counted [ipn_duplicate]
--- config
    location = /metriques {
        portail_metrics;
    }
--- request eval
main::ipn($main::O{annule}, set => { vads_trans_uuid => 'b' x 32 })
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code: 409
--- response_body_like chomp
"error":"transaction_en_double"
--- error_log
portail: order "CBTEST-ANNULE" already paid, and the provider notifies another transaction



=== TEST 43: the sandbox, end to end: order, page, "Payer", notification, return, ticket [sandbox_pay]
--- request
GET /api/sante
--- error_code: 200



=== TEST 44: the sandbox: "Refuser" [sandbox_refuse]
--- request
GET /api/sante
--- error_code: 200



=== TEST 45: the sandbox checks the form's signature like the provider [sandbox_forged_signature]
--- request
GET /api/sante
--- error_code: 200



=== TEST 46: ...and the form's fields (signed, but not a payment form) [sandbox_not_a_payment]
--- request
GET /api/sante
--- error_code: 200



=== TEST 47: a decision on a forged form records nothing [sandbox_forged_decision]
--- request
GET /api/sante
--- error_code: 200



=== TEST 48: an unknown decision [sandbox_unknown_decision]
--- request
GET /api/sante
--- error_code: 200



=== TEST 49: the portal has no sandbox of its own: no such page, whatever the configuration
--- request eval
[ "POST /api/bac-a-sable/paiement\nvads_amount=100",
  "POST /api/bac-a-sable/paiement/decision\nvads_amount=100&decision=payer" ]
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- error_code eval
[404, 404]
--- response_body_like eval
['"error":"introuvable"', '"error":"introuvable"']



=== TEST 50: ...the form goes to the provider's page
--- http_config eval
$Portail::Test::HTTP_CONFIG . <<'CONF'
    portail_payment_url https://secure.payzen.eu/vads-payment/;
    portail_payment_site_id 12345678;
    portail_payment_key cle-de-test-du-portail-0001;
CONF
--- request
POST /api/paiements/carte
{"contrat": "2045678", "montant_cents": 100}
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
X-CSRF-Token: {{csrf:helene.lefevre@example.org}}
Content-Type: application/json
--- error_code: 201
--- response_body_like chomp
"url":"https://secure.payzen.eu/vads-payment/"\}$
