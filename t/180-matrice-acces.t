# The access control matrix, enumerated from docs/openapi.yaml so that a new
# endpoint cannot be forgotten:
#   - without a session, every x-portail-session route answers 401;
#   - without the CSRF header, every x-portail-csrf route answers 403;
#   - tenant A (Jean MARTIN) using tenant B's (Marie DUPONT's) identifiers
#     in the path gets 404, on every route that takes one.
# A route whose path takes an identifier must have B's value in %ids below:
# the test fails for a route it does not know.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use YAML::XS ();
use Portail::Test;

reset_database();
use_portail_defaults();
no_shuffle();

my $api = YAML::XS::LoadFile(portail_root() . '/docs/openapi.yaml');
my $A = 'jean.martin@example.org';

# B's identifiers, by path parameter and path: SQL giving the value
my $marie_contrat = q{SELECT substr(k.numero, 3) FROM contrat k JOIN tiers t ON t.id = k.tiers_id
                      WHERE t.reference_client = '1234567' AND k.nature = 'logement'};
my %ids = (
    numero   => $marie_contrat,
    contrat  => $marie_contrat,
    occupant => q{SELECT o.id FROM occupant o JOIN contrat k ON k.id = o.contrat_id
                  JOIN tiers t ON t.id = k.tiers_id WHERE t.reference_client = '1234567'
                  ORDER BY o.id LIMIT 1},
    document => q{SELECT d.id FROM document d JOIN contrat k ON k.id = d.contrat_id
                  JOIN tiers t ON t.id = k.tiers_id WHERE t.reference_client = '1234567'
                  ORDER BY d.id LIMIT 1},
    demande  => q{SELECT d.id FROM demande d JOIN contrat k ON k.id = d.contrat_id
                  JOIN tiers t ON t.id = k.tiers_id WHERE t.reference_client = '1234567'
                  ORDER BY d.id LIMIT 1},
    enquete  => q{SELECT e.id FROM enquete e JOIN tiers t ON t.id = e.tiers_id
                  WHERE t.reference_client IN ('1234567', '2345678') ORDER BY e.id LIMIT 1},
    actualite => q{SELECT a.id FROM actualite a JOIN residence r ON r.id = a.residence_id
                   WHERE a.cible = 'residence' AND r.id NOT IN
                     (SELECT k.residence_id FROM contrat k JOIN tiers t ON t.id = k.tiers_id
                      WHERE t.reference_client = '7654321' AND k.residence_id IS NOT NULL)
                   ORDER BY a.id LIMIT 1},
);

# a parameter's name as the paths spell it, to the key above; paths may use
# {id} for the resource their segment names
sub param_key {
    my ($path, $param) = @_;
    return $param if exists $ids{$param};
    if ($param eq 'id' || $param eq 'piece' || $param eq 'commande') {
        my ($resource) = $path =~ m{/([a-z-]+)/\{\Q$param\E\}};
        my %by = (contrats => 'numero', occupants => 'occupant', documents => 'document',
                  demandes => 'demande', enquetes => 'enquete', actualites => 'actualite');
        return $by{$resource} if $resource && $by{$resource};
    }
    return undef;
}

sub operations {
    my @ops;
    for my $path (sort keys %{ $api->{paths} }) {
        for my $method (sort keys %{ $api->{paths}{$path} }) {
            next unless $method =~ /^(get|post|put|patch|delete)$/;
            push @ops, [uc $method, $path, $api->{paths}{$path}{$method}];
        }
    }
    return @ops;
}

# a body that passes validation, from the operation's documented example
sub example_body {
    my ($spec) = @_;
    my $content = $spec->{requestBody}{content} or return (undef, '');
    if (my $json = $content->{'application/json'}) {
        my $ex = $json->{example} // $json->{schema}{example}
            // ($json->{examples} ? (values %{ $json->{examples} })[0]{value} : undef);
        return ('application/json', defined $ex ? json_encode($ex) : '{}');
    }
    if ($content->{'multipart/form-data'}) {
        my $b = 'matrice';
        my $pdf = "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
        my $form = '';
        my $props = $content->{'multipart/form-data'}{schema}{properties} || {};
        for my $name (sort keys %$props) {
            my $p = $props->{$name};
            if (($p->{format} // '') eq 'binary'
                || (($p->{type} // '') eq 'array' && (($p->{items}{format} // '') eq 'binary'))) {
                $form .= "--$b\r\nContent-Disposition: form-data; name=\"$name\"; filename=\"a.pdf\"\r\n"
                       . "Content-Type: application/pdf\r\n\r\n$pdf\r\n";
            } else {
                my $v = $p->{example} // 'x';
                $form .= "--$b\r\nContent-Disposition: form-data; name=\"$name\"\r\n\r\n$v\r\n";
            }
        }
        return ("multipart/form-data; boundary=$b", "$form--$b--\r\n");
    }
    if ($content->{'application/x-www-form-urlencoded'}) {
        return ('application/x-www-form-urlencoded', 'a=b');
    }
    return (undef, '');
}

my %after = (

    matrix => sub {
        my @ops = operations();
        ok(@ops >= 10, scalar(@ops) . ' operations in docs/openapi.yaml');

        for my $op (@ops) {
            my ($method, $path, $spec) = @$op;
            my ($type, $body) = example_body($spec);
            my %ct = $type ? ('Content-Type' => $type) : ();

            # B's identifiers in the path
            my $uri = $path;
            my $has_ids = 0;
            my $missing = 0;
            while ($uri =~ /\{(\w+)\}/) {
                my $param = $1;
                my $key = param_key($path, $param);
                my $v = $key ? sql_value($ids{$key}) : undef;
                $missing++ unless defined $v;
                $has_ids++;
                $v //= 'x';
                $uri =~ s/\{\Q$param\E\}/$v/;
            }
            ok(!$missing, "$method $path: B's identifiers known to the matrix")
                or next;

            if ($spec->{'x-portail-session'}) {
                my $r = http_request(method => $method, path => $uri, headers => {%ct},
                                     body => $body);
                is($r->{status}, 401, "$method $path without a session: 401");
                like($r->{body}, qr/"error":"non_authentifie"/, "$method $path: non_authentifie");
            }

            my ($cookie, $csrf) = open_session($A);

            if ($spec->{'x-portail-csrf'}) {
                my $r = http_request(method => $method, path => $uri,
                                     headers => { %ct, Cookie => "portail_session=$cookie" },
                                     body => $body);
                is($r->{status}, 403, "$method $path without the CSRF header: 403");
                like($r->{body}, qr/"error":"csrf_invalide"/, "$method $path: csrf_invalide");
            }

            if ($has_ids) {
                my $r = http_request(method => $method, path => $uri,
                                     headers => { %ct, Cookie => "portail_session=$cookie",
                                                  'X-CSRF-Token' => $csrf },
                                     body => $body);
                is($r->{status}, 404, "$method $uri (B's) with A's session: 404")
                    or diag(substr($r->{body}, 0, 300));
                like($r->{body}, qr/"error":"introuvable"/, "$method $path: introuvable");
            }
        }
    },
);
after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: every documented operation, without session, without CSRF, with another tenant's ids [matrix]
--- request
GET /api/sante
--- timeout: 300
