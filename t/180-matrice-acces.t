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
use Portail::Pdf ();
use Portail::Paiements qw($PAYMENT_CONFIG);

reset_database();
use_portail_defaults(http_config => $PAYMENT_CONFIG);
no_shuffle();

my $api = YAML::XS::LoadFile(portail_root() . '/docs/openapi.yaml');
my $A = 'jean.martin@example.org';

# B's identifiers: SQL giving the value, by path and parameter ("*" for
# any path), once B's own data is set up (an account, a request with a
# file, a survey attachment, an insurance attestation: see setup_b)
my $B = q{(SELECT t.id FROM tiers t WHERE t.reference_client = '1234567')};
my $marie_contrat = qq{SELECT substr(k.numero, 3) FROM contrat k
                       WHERE k.tiers_id = $B AND k.nature = 'logement'};
my $b_demande = qq{SELECT d.id FROM demande d JOIN contrat k ON k.id = d.contrat_id
                   WHERE k.tiers_id = $B ORDER BY d.id LIMIT 1};
my $b_enquete = qq{SELECT e.id FROM enquete e WHERE e.tiers_id = $B ORDER BY e.id LIMIT 1};
my $b_commande = qq{SELECT p.commande FROM paiement_carte p JOIN contrat k ON k.id = p.contrat_id
                    WHERE k.tiers_id = $B ORDER BY p.id LIMIT 1};
my %ids = (
    '*' => { numero => $marie_contrat, contrat => $marie_contrat },
    '/api/contrats/{numero}/occupants/{id}' => {
        id => qq{SELECT o.id FROM occupant o JOIN contrat k ON k.id = o.contrat_id
                 WHERE k.tiers_id = $B AND o.retire_le IS NULL ORDER BY o.id LIMIT 1},
    },
    '/api/contrats/{numero}/assurance/{id}/fichier' => {
        id => qq{SELECT a.id FROM assurance_habitation a JOIN contrat k ON k.id = a.contrat_id
                 WHERE k.tiers_id = $B ORDER BY a.id LIMIT 1},
    },
    '/api/documents/{id}/fichier' => {
        id => qq{SELECT d.id FROM document d JOIN contrat k ON k.id = d.contrat_id
                 WHERE k.tiers_id = $B ORDER BY d.id LIMIT 1},
    },
    '/api/actualites/{id}' => {
        id => q{SELECT a.id FROM actualite a WHERE a.cible = 'residence' AND a.residence_id NOT IN
                  (SELECT k.residence_id FROM contrat k JOIN tiers t ON t.id = k.tiers_id
                   WHERE t.reference_client = '7654321' AND k.residence_id IS NOT NULL)
                ORDER BY a.id LIMIT 1},
    },
    '/api/paiements/carte/{commande}' => { commande => $b_commande },
    '/api/paiements/carte/{commande}/ticket' => { commande => $b_commande },
    '/api/demandes/{id}' => { id => $b_demande },
    '/api/demandes/{id}/messages' => { id => $b_demande },
    '/api/demandes/{id}/pieces/{piece}' => {
        id => $b_demande,
        piece => qq{SELECT p.id FROM demande_piece p JOIN demande d ON d.id = p.demande_id
                    JOIN contrat k ON k.id = d.contrat_id WHERE k.tiers_id = $B
                    ORDER BY p.id LIMIT 1},
    },
    '/api/enquetes/{id}' => { id => $b_enquete },
    '/api/enquetes/{id}/pieces' => { id => $b_enquete },
    '/api/enquetes/{id}/envoi' => { id => $b_enquete },
    '/api/enquetes/{id}/pieces/{piece}' => {
        id => $b_enquete,
        piece => qq{SELECT p.id FROM enquete_piece p JOIN enquete e ON e.id = p.enquete_id
                    WHERE e.tiers_id = $B ORDER BY p.id LIMIT 1},
    },
);

# B's own data, as B would have made it
sub setup_b {
    my $pdf = "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
    my $hash = sql_value(q{SELECT mot_de_passe_hash FROM compte WHERE email = 'jean.martin@example.org'});
    my $compte = sql_value(qq{INSERT INTO compte (personne_id, email, mot_de_passe_hash, confirme_le)
                              SELECT p.id, 'marie.b\@example.net', \$1, now() FROM personne p
                              WHERE p.tiers_id = $B ORDER BY p.id LIMIT 1 RETURNING id}, $hash);
    my $contrat = sql_value(qq{SELECT id FROM contrat WHERE tiers_id = $B AND nature = 'logement'});
    my $demande = sql_value(q{INSERT INTO demande (contrat_id, compte_id, categorie, objet, description)
                              VALUES ($1, $2, 'autre', 'Matrice', 'Demande de B') RETURNING id},
                            $contrat, $compte);
    db()->do(q{INSERT INTO demande_piece (demande_id, nom_origine, mime, taille, sha256, contenu, compte_id)
               VALUES ($1, 'b.pdf', 'application/pdf', $2, sha256($3::bytea), $3::bytea, $4)},
             undef, $demande, length $pdf, $pdf, $compte);
    my $enquete = sql_value($b_enquete);
    if (!$enquete) {
        $enquete = sql_value(qq{INSERT INTO enquete (campagne_id, tiers_id, contrat_id)
                                SELECT c.id, $B, \$1 FROM enquete_campagne c ORDER BY c.id LIMIT 1
                                RETURNING id}, $contrat);
    }
    db()->do(q{INSERT INTO enquete_piece (enquete_id, nom_origine, mime, taille, sha256, contenu,
                                          depose_par_compte_id)
               VALUES ($1, 'avis.pdf', 'application/pdf', $2, sha256($3::bytea), $3::bytea, $4)},
             undef, $enquete, length $pdf, $pdf, $compte);
    db()->do(q{INSERT INTO assurance_habitation (contrat_id, assureur, numero_police, date_debut,
                 date_fin, fichier, fichier_mime, fichier_taille, fichier_sha256,
                 fichier_nom_origine, depose_par_compte_id)
               VALUES ($1, 'Assureur B', 'B-1', current_date, current_date + 365, $2::bytea,
                       'application/pdf', $3, sha256($2::bytea), 'b.pdf', $4)},
             undef, $contrat, $pdf, length $pdf, $compte);
    db()->do(q{INSERT INTO paiement_carte (commande, transaction_id, contrat_id, compte_id, montant_cents)
               VALUES ('MATRICEB1', 'MB0001', $1, $2, 1000)}, undef, $contrat, $compte);
}

# the parameter's value for B
sub b_value {
    my ($path, $param) = @_;
    my $sql = $ids{$path}{$param} // $ids{'*'}{$param} // return undef;
    return sql_value($sql);
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
        # YAML::XS gives characters: encoded to UTF-8 here
        return ('application/json',
                defined $ex ? JSON::PP->new->utf8->canonical->encode($ex) : '{}');
    }
    if ($content->{'multipart/form-data'}) {
        my $b = 'matrice';
        # a PDF the inspector accepts: the answer is the route's own
        my $pdf = Portail::Pdf::page_pdf();
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
                utf8::encode($v);
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
        setup_b();
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
                my $v = b_value($path, $param);
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
