package Portail::Paiements;

# What the payment tests share (t/100-paiements.t, t/105-carte.t,
# t/110-sepa.t): the payment configuration with test keys, the provider's
# sandbox (tools/payment-sandbox, a process of its own), accounts for the
# demo households that have none, card orders made directly in the
# database, the provider's signature (computed here independently of the
# module), urlencoded forms and the text of a PDF.

use strict;
use warnings;

use Exporter 'import';
use Digest::SHA qw(hmac_sha256);
use MIME::Base64 qw(encode_base64);
use File::Temp qw(tempfile);
use IO::Socket::INET;
use Time::HiRes qw(sleep);
use Portail::Test;

our @EXPORT = qw(
    $SHOP $KEY $PAYMENT_CONFIG $HELENE $MARIE start_payment_tests
    $SANDBOX_PORT $SANDBOX_URL start_sandbox sandbox_log
    create_account new_order sign form_body ipn_fields pdf_text html_fields
    path_of
);

our $HELENE = 'helene.lefevre@example.org';
our $MARIE = 'marie.dupont@example.org';

our $SHOP = '12345678';
our $KEY = 'cle-de-test-du-portail-0001';

# the sandbox's port, chosen now so that the configuration can name it
our $SANDBOX_PORT = Portail::Test::_free_port();
our $SANDBOX_URL = "http://127.0.0.1:$SANDBOX_PORT/vads-payment/";

our $PAYMENT_CONFIG = <<"CONF";
    portail_payment_url $SANDBOX_URL;
    portail_payment_site_id $SHOP;
    portail_payment_key $KEY;
    portail_payment_max_amount 1000;
    portail_sepa_debit_days 5 10 15;
    portail_sepa_creditor_id FR72ZZZ123456;
CONF

# A fresh database with the payment configuration, accounts for Hélène
# LEFÈVRE and Marie DUPONT (the demo has none), and balances the ERP computed
# an hour ago: card payments notified since are not in them.
sub start_payment_tests {
    reset_database();
    use_portail_defaults(http_config => $PAYMENT_CONFIG);
    create_account('2345678', 'Hélène', $HELENE);
    create_account('1234567', 'Marie', $MARIE);
    db()->do(q{UPDATE contrat SET solde_au = now() - interval '1 hour'});
    return;
}

# tools/payment-sandbox on $SANDBOX_PORT, for our shop and key, notifying
# the nginx under test (its portail_public_url is not this machine); stopped
# when the test file ends.  Its log: sandbox_log().
my ($sandbox_pid, $sandbox_log, $sandbox_owner);

sub start_sandbox {
    my $root = portail_root();
    $sandbox_log = "$root/var/test/payment-sandbox-$$.log";
    my $ipn = 'http://127.0.0.1:' . Portail::Test::server_port() . '/api/paiements/notification';
    $sandbox_owner = $$;
    $sandbox_pid = fork // die "fork: $!\n";
    if ($sandbox_pid == 0) {
        open STDERR, '>>', $sandbox_log or die "$sandbox_log: $!\n";
        exec "$root/tools/payment-sandbox", '--listen', "127.0.0.1:$SANDBOX_PORT",
             '--site-id', $SHOP, '--key', $KEY, '--ipn-url', $ipn;
        die "tools/payment-sandbox: $!\n";
    }
    my $deadline = time + 10;
    until (IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $SANDBOX_PORT)) {
        die "tools/payment-sandbox does not listen on $SANDBOX_PORT\n" if time > $deadline;
        sleep 0.05;
    }
    return;
}

sub sandbox_log {
    open my $fh, '<', $sandbox_log or return '';
    local $/;
    return <$fh>;
}

END {
    # only the test itself, not a process it forked that exits
    if ($sandbox_pid && $$ == $sandbox_owner) {
        local $?;    # the sandbox's end is not the test's
        kill 'TERM', $sandbox_pid;
        waitpid($sandbox_pid, 0);
    }
}

# A confirmed account for a signatory (by client reference and first
# name), with Jean MARTIN's password: returns its id.
sub create_account {
    my ($reference, $prenom, $email) = @_;
    return sql_value(q{
        INSERT INTO compte (personne_id, email, mot_de_passe_hash, confirme_le)
        SELECT p.id, $3, (SELECT mot_de_passe_hash FROM compte
                          WHERE email = 'jean.martin@example.org'), now()
          FROM personne p JOIN tiers t ON t.id = p.tiers_id
         WHERE t.reference_client = $1 AND p.prenom = $2
        RETURNING id}, $reference, $prenom, $email)
        // die "no signatory $prenom in household $reference\n";
}

# A card order as POST /api/paiements/carte makes it, at a fixed time
# (vads_trans_date 20260115100000) and in the past for the rate limit.
sub new_order {
    my (%o) = @_;
    my $date = $o{date} // '2026-01-15 10:00:00+00';
    sql(q{INSERT INTO paiement_carte (commande, transaction_id, transaction_date,
                                      contrat_id, compte_id, montant_cents, mode,
                                      fournisseur, cree_le)
          SELECT $1, $2, $3::timestamptz, k.id, c.id, $6, 'TEST', 'payzen',
                 coalesce($7::timestamptz, $3::timestamptz)
            FROM contrat k, compte c
           WHERE k.numero = $4 AND c.email = $5 RETURNING id},
        $o{commande}, $o{trans_id}, $date, $o{contrat}, $o{email}, $o{montant},
        $o{cree_le});
    (my $vads_date = $date) =~ s/[^0-9]//g;
    return { %o, vads_date => substr($vads_date, 0, 14) };
}

# Base64(HMAC-SHA-256(key, values of the vads_* fields by name, "+", key))
sub sign {
    my ($fields, $key) = @_;
    $key //= $KEY;
    my $data = join('', map { "$fields->{$_}+" } sort grep { /^vads_/ } keys %$fields) . $key;
    return encode_base64(hmac_sha256($data, $key), '');
}

sub _escape {
    my ($s) = @_;
    $s =~ s/([^A-Za-z0-9_.~-])/sprintf('%%%02X', ord $1)/ge;
    return $s;
}

# an application/x-www-form-urlencoded body (pairs: repeats allowed)
sub form_body {
    my (@pairs) = @_;
    @pairs = map { ($_, $pairs[0]{$_}) } sort keys %{ $pairs[0] } if ref $pairs[0] eq 'HASH';
    my @out;
    while (my ($k, $v) = splice(@pairs, 0, 2)) {
        push @out, _escape($k) . '=' . _escape($v);
    }
    return join '&', @out;
}

# The provider's notification for an order, signed unless told otherwise.
sub ipn_fields {
    my ($order, %o) = @_;
    my %f = (
        vads_action_mode => 'INTERACTIVE',
        vads_amount => $order->{montant},
        vads_auth_mode => 'FULL',
        vads_auth_number => '123456',
        vads_auth_result => '00',
        vads_card_brand => 'CB',
        vads_card_number => '497010XXXXXX0055',
        vads_ctx_mode => 'TEST',
        vads_currency => '978',
        vads_effective_amount => $order->{montant},
        vads_operation_type => 'DEBIT',
        vads_order_id => $order->{commande},
        vads_page_action => 'PAYMENT',
        vads_payment_config => 'SINGLE',
        vads_result => '00',
        vads_site_id => $SHOP,
        vads_trans_date => $order->{vads_date},
        vads_trans_id => $order->{trans_id},
        vads_trans_status => 'AUTHORISED',
        vads_trans_uuid => $order->{uuid} // ('a' x 26) . $order->{trans_id},
        vads_url_check_src => 'PAY',
        vads_version => 'V2',
        %{ $o{set} || {} },
    );
    delete @f{ @{ $o{remove} || [] } };
    $f{signature} = sign(\%f, $o{key});
    %f = (%f, %{ $o{after} || {} });
    return \%f;
}

# the text pdftotext finds in a PDF (bytes in, UTF-8 bytes out)
sub pdf_text {
    my ($pdf) = @_;
    my ($fh, $file) = tempfile(SUFFIX => '.pdf', UNLINK => 1);
    binmode $fh;
    print {$fh} $pdf;
    close $fh;
    open my $out, '-|', 'pdftotext', '-layout', '-enc', 'UTF-8', $file, '-'
        or die "pdftotext: $!\n";
    local $/;
    my $text = <$out> // '';
    close $out;
    return $text;
}

# the hidden fields of an HTML form, entities decoded
sub html_fields {
    my ($html) = @_;
    my @pairs;
    while ($html =~ /<input type="hidden" name="([^"]*)" value="([^"]*)">/g) {
        my ($k, $v) = ($1, $2);
        for ($k, $v) {
            s/&lt;/</g; s/&gt;/>/g; s/&quot;/"/g; s/&amp;/&/g;
        }
        push @pairs, $k, $v;
    }
    return @pairs;
}

# the path of an absolute URL
sub path_of {
    my ($url) = @_;
    $url =~ s{^https?://[^/]+}{};
    return $url;
}

1;
