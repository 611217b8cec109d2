# Contrat: the tenant's contracts, occupants (added, changed, removed:
# never deleted, every change recorded for the export), the billing address
# (append-only, French postal lines), home insurance certificates (uploaded,
# checked by content, downloaded back).
#
# Marie DUPONT (1234567, account made here): dwelling L/2013936 (occupants
# Marie and Léa DUPONT) and parking L/2013937.  Jean MARTIN: L/2087412.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Digest::SHA qw(sha256_hex);
use Portail::Test;
use Portail::Pdf qw(page_pdf);

reset_database();
# uploads: nginx's own limit on the body too, below portail_upload_max_body
use_portail_defaults(config => <<'CONF');
    location /api/contrats/ {
        portail_api;
        client_max_body_size 8m;
        error_page 400 403 404 405 413 414 429 500 502 503 504 @portail_erreur;
    }
CONF
no_shuffle();

my $JEAN = 'jean.martin@example.org';
my $MARIE = 'marie.dupont@example.net';

Portail::Test::db()->do(q{INSERT INTO compte (personne_id, email, mot_de_passe_hash, confirme_le)
           SELECT p.id, $1, (SELECT mot_de_passe_hash FROM compte WHERE email = $2), now()
           FROM personne p JOIN tiers t ON t.id = p.tiers_id
           WHERE t.reference_client = '1234567' AND p.prenom = 'Marie'},
         undef, $MARIE, $JEAN);

sub slurp {
    my ($f) = @_;
    open my $fh, '<:raw', $f or die "$f: $!";
    local $/;
    return scalar <$fh>;
}

my $PDF = slurp(portail_root() . '/docs/exchange/documents/2013936/2025-06-avis.pdf');
my $PNG = slurp('/usr/share/gitweb/static/git-logo.png');

# a request of Marie's (or $o{email}'s) with a fresh session
sub api {
    my ($method, $path, $body, %o) = @_;
    my ($cookie, $csrf) = open_session($o{email} // $MARIE);
    my %h = (Cookie => "portail_session=$cookie");
    $h{'X-CSRF-Token'} = $csrf unless $o{no_csrf};
    my $payload = '';
    if (ref $body eq 'ARRAY') {
        ($h{'Content-Type'}, $payload) = multipart(@$body);
    } elsif (defined $body) {
        $h{'Content-Type'} = 'application/json';
        $payload = json_encode($body);
    }
    my $r = http_request(method => $method, path => $path, headers => \%h,
                         body => $payload, timeout => 15);
    $r->{json} = eval { json_decode($r->{body}) } // {};
    return $r;
}

# multipart/form-data from [name => value] and [name => [filename, type, bytes]]
sub multipart {
    my (@fields) = @_;
    my $b = 'portailTest' . int(rand(1e9));
    my $out = '';
    while (my ($name, $v) = splice @fields, 0, 2) {
        $out .= "--$b\r\n";
        if (ref $v) {
            $out .= qq{Content-Disposition: form-data; name="$name"; filename="$v->[0]"\r\n}
                  . "Content-Type: $v->[1]\r\n\r\n$v->[2]\r\n";
        } else {
            $out .= qq{Content-Disposition: form-data; name="$name"\r\n\r\n$v\r\n};
        }
    }
    $out .= "--$b--\r\n";
    return ("multipart/form-data; boundary=$b", $out);
}

# the fields of a certificate upload, some replaced
sub certificate {
    my (%o) = @_;
    my @f = (assureur => 'MAIF', numero_police => 'HAB-1234567', date_debut => '2026-01-01',
             date_fin => '2027-01-01',
             attestation => ['attestation MAIF.pdf', 'application/pdf', $PDF]);
    my @out;
    while (my ($k, $v) = splice @f, 0, 2) {
        push @out, $k, exists $o{$k} ? $o{$k} : $v;
    }
    return \@out;
}

sub counts {
    return join ',', map { sql_value("SELECT count(*) FROM $_") }
        qw(occupant occupant_modification adresse_facturation assurance_habitation);
}

my $occupant_marie;     # the occupant Marie adds
my $occupant_jean = sql_value(q{SELECT o.id FROM occupant o JOIN contrat k ON k.id = o.contrat_id
                                WHERE k.numero = 'L/2087412' ORDER BY o.id LIMIT 1});

my %after = (

    list => sub {
        my ($block, $body) = @_;
        my $l = json_decode($body);
        is(join(',', map { $_->{numero} } @{ $l->{contrats} }), 'L/2013936,L/2013937',
           'her two contracts, the dwelling first');
        my $k = $l->{contrats}[0];
        is($k->{numero_court}, '2013936', 'the number as paths have it');
        is($k->{nature_libelle}, 'Logement', 'kind in French');
        like($k->{designation}, qr/Appartement T3/, 'designation');
        is($k->{adresse}{code_postal}, '17000', 'address');
        is($k->{date_debut}, '2011-09-01', 'start date');
        is_deeply([map { "$_->{prenom} $_->{nom}" } @{ $k->{signataires} }], ['Marie DUPONT'], 'signatories');
        is($k->{loyer_cents}, 41250, 'rent in cents');
        is($k->{charges_cents}, 9984, 'charges in cents');
        is($l->{contrats}[1]{nature}, 'stationnement', 'and the parking space');
    },

    jean_list => sub {
        my ($block, $body) = @_;
        my $l = json_decode($body);
        is(scalar @{ $l->{contrats} }, 1, "Jean's contract only");
        is(join(', ', map { "$_->{prenom} $_->{nom}" } @{ $l->{contrats}[0]{signataires} }),
           'Jean MARTIN, Sophie MARTIN-LEROY', 'both signatories, in their order');
    },

    detail => sub {
        my ($block, $body) = @_;
        my $k = json_decode($body);
        is($k->{numero}, 'L/2013936', 'the contract');
        is(join(',', map { $_->{prenom} } @{ $k->{occupants} }), 'Marie,Léa', 'its occupants');
        is($k->{occupants}[1]{lien_libelle}, 'Enfant', 'with the relationship in French');
        is($k->{adresse_facturation}{source}, 'contrat', 'no billing address: the dwelling\'s');
        is($k->{adresse_facturation}{localite}, 'LA ROCHELLE', 'as a postal line');
        is($k->{adresse_facturation}{voie}, '12 rue de la Scierie', 'street');
        is($k->{assurance}, undef, 'no certificate yet');
    },

    occupants => sub {
        my ($block, $body) = @_;
        my $o = json_decode($body);
        is($o->{contrat}, 'L/2013936', 'the answer names the contract');
        is(scalar @{ $o->{occupants} }, 2, 'two occupants');
        ok(!$o->{occupants}[0]{declare_sur_portail}, 'known to the office');
        is(join(',', map { $_->{code} } @{ $o->{liens} }),
           'conjoint,enfant,ascendant,autre_parent,autre,signataire', 'the relationships offered');
    },

    added => sub {
        my ($block, $body) = @_;
        my $o = json_decode($body);
        $occupant_marie = $o->{id};
        ok($o->{declare_sur_portail}, 'declared on the portal');
        my $row = sql(q{SELECT * FROM occupant WHERE id = $1}, $o->{id})->[0];
        is("$row->{prenom} $row->{nom} $row->{date_naissance} $row->{lien}",
           'Hugo DUPONT 2012-05-17 enfant', 'stored as sent');
        ok($row->{modifie_par_compte_le}, 'marked for the export');
        is($row->{reference_externe}, undef, 'no ERP reference yet');
        my $m = sql(q{SELECT action, avant, apres::jsonb->>'prenom' AS prenom, compte_id
                      FROM occupant_modification WHERE occupant_id = $1}, $o->{id});
        is(scalar @$m, 1, 'one change recorded');
        is($m->[0]{action}, 'ajout', 'an addition');
        is($m->[0]{avant}, undef, 'nothing before');
        is($m->[0]{prenom}, 'Hugo', 'the values after');
        is($m->[0]{compte_id}, sql_value(q{SELECT id FROM compte WHERE email = $1}, $MARIE), 'by Marie');
    },

    occupant_bad => sub {
        my $before = counts();
        my %cases = (
            'a birth date in the future' => [{ date_naissance => '2099-01-01' }, 'date_naissance'],
            'tomorrow'                   => [{ date_naissance => sql_value(q{SELECT ((now() AT TIME ZONE 'Europe/Paris')::date + 1)::text}) }, 'date_naissance'],
            'before 1900'                => [{ date_naissance => '1899-12-31' }, 'date_naissance'],
            '1 January 1900'             => [{ date_naissance => '1900-01-01' }, 'date_naissance'],
            'a date that does not exist' => [{ date_naissance => '2023-02-29' }, 'date_naissance'],
            'a French date'              => [{ date_naissance => '17/05/2012' }, 'date_naissance'],
            'a date as a number'         => [{ date_naissance => 20120517 }, 'date_naissance'],
            'no name'                    => [{ nom => '  ' }, 'nom'],
            'a name too long'            => [{ nom => 'D' x 101 }, 'nom'],
            'a control character'        => [{ prenom => "Hu\x01go" }, 'prenom'],
            'a relationship off the list'=> [{ lien => 'cousin' }, 'lien'],
            'no relationship'            => [{ lien => undef }, 'lien'],
        );
        for my $name (sort keys %cases) {
            my ($bad, $field) = @{ $cases{$name} };
            my %o = (nom => 'DUPONT', prenom => 'Hugo', date_naissance => '2012-05-17', lien => 'enfant', %$bad);
            delete $o{$_} for grep { !defined $o{$_} } keys %o;
            my $r = api('POST', '/api/contrats/2013936/occupants', \%o);
            is($r->{status}, 422, "$name: 422");
            ok($r->{json}{champs}{$field}, "$name: on $field (" . ($r->{json}{champs}{$field} // '') . ")");
        }
        my $r = api('PUT', "/api/contrats/2013936/occupants/$occupant_marie",
                    { nom => 'DUPONT', prenom => 'Hugo', date_naissance => '2100-01-01', lien => 'enfant' });
        is($r->{status}, 422, 'a change is checked the same way');
        is(counts(), $before, 'nothing was written');
    },

    changed => sub {
        my $r = api('PUT', "/api/contrats/2013936/occupants/$occupant_marie",
                    { nom => 'DUPONT', prenom => 'Hugo-Louis', date_naissance => '2012-05-17',
                      lien => 'autre_parent' });
        is($r->{status}, 200, 'changed: 200');
        my $o = $r->{json};
        is($o->{prenom}, 'Hugo-Louis', 'the answer is the new state');
        my $m = sql(q{SELECT avant::jsonb->>'prenom' AS avant, apres::jsonb->>'prenom' AS apres,
                             apres::jsonb->>'lien' AS lien
                      FROM occupant_modification WHERE occupant_id = $1 AND action = 'modification'},
                    $occupant_marie);
        is(scalar @$m, 1, 'one change recorded');
        is("$m->[0]{avant} -> $m->[0]{apres}", 'Hugo -> Hugo-Louis', 'before and after');
        is($m->[0]{lien}, 'autre_parent', 'every field after');
        my $same = api('PUT', "/api/contrats/2013936/occupants/$occupant_marie",
                       { nom => 'DUPONT', prenom => 'Hugo-Louis', date_naissance => '2012-05-17',
                         lien => 'autre_parent' });
        is($same->{status}, 200, 'the same values again');
        is(sql_value(q{SELECT count(*) FROM occupant_modification WHERE occupant_id = $1}, $occupant_marie),
           2, 'record nothing');
    },

    others => sub {
        my $before = counts();
        my @cases = (
            ['PUT', "/api/contrats/2013936/occupants/$occupant_jean", 'Jean\'s occupant under her contract'],
            ['PUT', "/api/contrats/2087412/occupants/$occupant_jean", 'Jean\'s occupant under his contract'],
            ['DELETE', "/api/contrats/2087412/occupants/$occupant_jean", 'removing Jean\'s occupant'],
            ['PUT', "/api/contrats/2013937/occupants/$occupant_marie", 'her occupant under her other contract'],
            ['PUT', '/api/contrats/2013936/occupants/999999', 'an occupant that does not exist'],
            ['PUT', '/api/contrats/2013936/occupants/12a', 'an id that is not one'],
            ['POST', '/api/contrats/2087412/occupants', 'adding to Jean\'s contract'],
            ['GET', '/api/contrats/2087412/occupants', 'Jean\'s occupants'],
            ['GET', '/api/contrats/2087412', 'Jean\'s contract'],
            ['GET', '/api/contrats/2087412/adresse-facturation', 'Jean\'s billing address'],
            ['PUT', '/api/contrats/2087412/adresse-facturation', 'changing it'],
            ['GET', '/api/contrats/2087412/assurance', 'Jean\'s insurance'],
            ['GET', '/api/contrats/9999999', 'a contract that does not exist'],
            ['GET', '/api/contrats/201393', 'six digits'],
            ['GET', '/api/contrats/L%2F2013936', 'a slash'],
            ['GET', '/api/contrats?contrat=2087412', 'filtering on Jean\'s'],
        );
        for my $c (@cases) {
            my ($method, $path, $name) = @$c;
            my $body = $method eq 'PUT' && $path =~ /adresse/
                ? { destinataire => 'X', voie => '1 rue X', code_postal => '17000', localite => 'X' }
                : $method =~ /^(PUT|POST)$/
                ? { nom => 'X', prenom => 'Y', date_naissance => '2000-01-01', lien => 'autre' } : undef;
            my $r = api($method, $path, $body);
            is($r->{status}, 404, "$name: 404");
            like($r->{body}, qr/"error":"introuvable"/, "$name: introuvable");
        }
        is(counts(), $before, 'nothing was written');
    },

    removed => sub {
        my $no = api('DELETE', "/api/contrats/2013936/occupants/$occupant_marie", undef, no_csrf => 1);
        is($no->{status}, 403, 'without the CSRF token: 403');
        ok(!sql_value(q{SELECT retire_le FROM occupant WHERE id = $1}, $occupant_marie), 'and not removed');
        my $del = api('DELETE', "/api/contrats/2013936/occupants/$occupant_marie");
        is($del->{status}, 200, 'removed: 200');
        like($del->{json}{message}, qr/L'occupant a été retiré/, 'with a message');
        my $row = sql(q{SELECT * FROM occupant WHERE id = $1}, $occupant_marie)->[0];
        ok($row, 'the occupant is still there');
        ok($row->{retire_le}, 'removed, with the time');
        my $m = sql(q{SELECT action, avant::jsonb->>'prenom' AS prenom, apres FROM occupant_modification
                      WHERE occupant_id = $1 AND action = 'retrait'}, $occupant_marie);
        is(scalar @$m, 1, 'the removal is recorded');
        is($m->[0]{prenom}, 'Hugo-Louis', 'with what was there');
        is($m->[0]{apres}, undef, 'and nothing after');
        my $l = api('GET', '/api/contrats/2013936/occupants');
        is(scalar @{ $l->{json}{occupants} }, 2, 'no longer listed');
        my $again = api('DELETE', "/api/contrats/2013936/occupants/$occupant_marie");
        is($again->{status}, 404, 'removing it again: 404');
        is(sql_value(q{SELECT count(*) FROM journal WHERE action LIKE 'contrat.occupant.%'}), 3,
           'each change journaled');
    },

    billing => sub {
        my ($block, $body) = @_;
        my $a = json_decode($body);
        is($a->{localite}, 'LA ROCHELLE', '"La Rochelle" in capitals');
        is($a->{source}, 'facturation', 'the address in force');
        my $rows = sql(q{SELECT * FROM adresse_facturation ORDER BY id});
        is(scalar @$rows, 1, 'one row');
        is($rows->[0]{complement_destinataire}, undef, 'an empty line is null');
        is($rows->[0]{voie}, '3 avenue de Varsovie', 'trimmed');
        my $r = api('PUT', '/api/contrats/2013936/adresse-facturation', json_decode($block->request =~ /(\{.*\})/s ? $1 : '{}'));
        is($r->{status}, 200, 'the same address again');
        is(sql_value(q{SELECT count(*) FROM adresse_facturation}), 1, 'adds no row');
        $r = api('PUT', '/api/contrats/2013936/adresse-facturation',
                 { destinataire => 'Mme DUPONT Marie', complement_adresse => 'Résidence Les Sables',
                   voie => '8 rue du Port', code_postal => '17410',
                   localite => "  Saint-Martin-de-Ré " });
        is($r->{status}, 200, 'a new address');
        is($r->{json}{localite}, 'SAINT-MARTIN-DE-RE', 'accents removed');
        is(sql_value(q{SELECT count(*) FROM adresse_facturation}), 2, 'a new row: append-only');
        is(api('GET', '/api/contrats/2013936/adresse-facturation')->{json}{voie}, '8 rue du Port',
           'the latest row is in force');
        is(api('GET', '/api/contrats/2013936')->{json}{adresse_facturation}{localite}, 'SAINT-MARTIN-DE-RE',
           'and shown on the contract');
    },

    billing_bad => sub {
        my $before = counts();
        my %ok = (destinataire => 'Mme DUPONT Marie', voie => '8 rue du Port', code_postal => '17410',
                  localite => 'Saint-Martin-de-Ré');
        my %cases = (
            'a line over 38 characters' => [{ voie => '8 rue du Commandant Jean-Baptiste Charcot' }, 'voie'],
            'no recipient'              => [{ destinataire => '' }, 'destinataire'],
            'no street'                 => [{ voie => undef }, 'voie'],
            'a 4-digit postal code'     => [{ code_postal => '1741' }, 'code_postal'],
            'letters in the code'       => [{ code_postal => '17A10' }, 'code_postal'],
            'a locality with a symbol'  => [{ localite => 'La Rochelle ☀' }, 'localite'],
            'a locality too long'       => [{ localite => 'SAINT-QUELQUE-CHOSE-SUR-LE-GRAND-FLEUVE' }, 'localite'],
            'a complement too long'     => [{ lieu_dit => 'L' x 39 }, 'lieu_dit'],
            'a number for a line'       => [{ complement_adresse => 12 }, 'complement_adresse'],
        );
        for my $name (sort keys %cases) {
            my ($bad, $field) = @{ $cases{$name} };
            my %o = (%ok, %$bad);
            delete $o{$_} for grep { !defined $o{$_} } keys %o;
            my $r = api('PUT', '/api/contrats/2013936/adresse-facturation', \%o);
            is($r->{status}, 422, "$name: 422");
            ok($r->{json}{champs}{$field}, "$name: on $field (" . ($r->{json}{champs}{$field} // '') . ")");
        }
        is(counts(), $before, 'nothing was written');
    },

    insured => sub {
        my $up = api('POST', '/api/contrats/2013936/assurance', certificate());
        is($up->{status}, 201, 'a certificate uploaded: 201');
        my $a = $up->{json};
        is($a->{statut}, 'en_attente', 'pending review');
        is($a->{statut_libelle}, 'En cours de vérification', 'in French');
        my $row = sql(q{SELECT *, encode(fichier_sha256, 'hex') AS sha,
                               fichier = decode($2, 'hex') AS same
                        FROM assurance_habitation WHERE id = $1}, $a->{id}, unpack('H*', $PDF))->[0];
        ok($row->{same}, 'the file is stored as sent');
        is($row->{fichier_mime}, 'application/pdf', 'recognised as a PDF');
        is($row->{fichier_taille}, length $PDF, 'its size');
        is($row->{sha}, sha256_hex($PDF), 'its SHA-256');
        is($row->{fichier_nom_origine}, 'attestation MAIF.pdf', 'the name it had, as a label');
        is("$row->{assureur} $row->{numero_police} $row->{date_debut} $row->{date_fin}",
           'MAIF HAB-1234567 2026-01-01 2027-01-01', 'the fields');
        is(sql_value(q{SELECT count(*) FROM journal WHERE action = 'contrat.assurance.depot'}), 1, 'journaled');

        my $l = api('GET', '/api/contrats/2013936/assurance');
        is($l->{json}{courante}{id}, $a->{id}, 'the certificate in force');
        is(scalar @{ $l->{json}{historique} }, 1, 'and the history');

        my $f = api('GET', "/api/contrats/2013936/assurance/$a->{id}/fichier");
        is($f->{status}, 200, 'downloaded back');
        is(sha256_hex($f->{body}), sha256_hex($PDF), 'the same bytes');
        is($f->{headers}{'content-type'}, 'application/pdf', 'as a PDF');
        like($f->{headers}{'content-disposition'} // '', qr/^attachment; filename="attestation-assurance-2013936-\d+\.pdf"/,
             'an attachment under a name the portal chose');
        is($f->{headers}{'x-content-type-options'}, 'nosniff', 'nosniff');
        is($f->{headers}{'cache-control'}, 'no-store', 'no-store');

        for my $c (["/api/contrats/2087412/assurance/$a->{id}/fichier", $JEAN, "by Jean under his contract"],
                   ["/api/contrats/2013936/assurance/$a->{id}/fichier", $JEAN, "by Jean under hers"],
                   ["/api/contrats/2013937/assurance/$a->{id}/fichier", $MARIE, "under her other contract"],
                   ["/api/contrats/2013936/assurance/999999/fichier", $MARIE, "a certificate that does not exist"]) {
            my $r = api('GET', $c->[0], undef, email => $c->[1]);
            is($r->{status}, 404, "$c->[2]: 404");
        }
        my $r = http_request(path => "/api/contrats/2013936/assurance/$a->{id}/fichier");
        is($r->{status}, 401, 'no session: 401');

        # over one slice (256 KiB): streamed from PostgreSQL piece by piece
        my $big = page_pdf(content => 'q Q ' x (256 * 1024), content_filters => []);
        my $up2 = api('POST', '/api/contrats/2013936/assurance',
                      certificate(attestation => ['grande.pdf', 'application/pdf', $big]));
        is($up2->{status}, 201, 'a 1 MB certificate');
        $f = api('GET', "/api/contrats/2013936/assurance/$up2->{json}{id}/fichier");
        is($f->{headers}{'content-length'}, length $big, 'announced with its length');
        is(sha256_hex($f->{body}), sha256_hex($big), 'sent whole, slice after slice');

        my $png = api('POST', '/api/contrats/2013936/assurance',
                      certificate(attestation => ['photo.png', 'image/png', $PNG], date_debut => '2027-01-01',
                                  date_fin => '2028-01-01'));
        is($png->{status}, 201, 'a PNG photo of the certificate');
        is($png->{json}{fichier}{type}, 'image/png', 'recognised as PNG');
        $l = api('GET', '/api/contrats/2013936/assurance');
        is($l->{json}{courante}{id}, $png->{json}{id}, 'the one ending last is in force');
        $f = api('GET', "/api/contrats/2013936/assurance/$png->{json}{id}/fichier");
        like($f->{headers}{'content-disposition'} // '', qr/\.png"/, 'downloaded as .png');
    },

    bad_uploads => sub {
        my $before = counts();
        my $js = page_pdf(catalog => '/OpenAction << /S /JavaScript /JS (app.alert\(1\)) >>');
        my %cases = (
            'a text file'                   => [{ attestation => ['attestation.txt', 'text/plain', "Assuré chez MAIF\n"] }, 'attestation'],
            'a file that claims PDF but is not' => [{ attestation => ['attestation.pdf', 'application/pdf', "<html>not a pdf</html>"] }, 'attestation'],
            'a truncated PDF'               => [{ attestation => ['attestation.pdf', 'application/pdf', substr($PDF, 0, 600)] }, 'attestation'],
            'a PDF with JavaScript'         => [{ attestation => ['attestation.pdf', 'application/pdf', $js] }, 'attestation'],
            'a PDF opening a web page'      => [{ attestation => ['attestation.pdf', 'application/pdf',
                                                  page_pdf(catalog => '/OpenAction << /S /URI /URI (https://example.net/) >>')] }, 'attestation'],
            'a file over 5 MB'              => [{ attestation => ['gros.pdf', 'application/pdf', $PDF . (' ' x (5 * 1024 * 1024)) . "%%EOF\n"] }, 'attestation'],
            'an empty file'                 => [{ attestation => ['vide.pdf', 'application/pdf', ''] }, 'attestation'],
            'no file'                       => [{ attestation => 'texte' }, 'attestation'],
            'an end before the start'       => [{ date_fin => '2025-12-31' }, 'date_fin'],
            'an end on the start'           => [{ date_fin => '2026-01-01' }, 'date_fin'],
            'a date that does not exist'    => [{ date_debut => '2026-02-30' }, 'date_debut'],
            'a French date'                 => [{ date_fin => '01/01/2027' }, 'date_fin'],
            'no insurer'                    => [{ assureur => ' ' }, 'assureur'],
            'a policy number too long'      => [{ numero_police => 'P' x 51 }, 'numero_police'],
        );
        for my $name (sort keys %cases) {
            my $r = api('POST', '/api/contrats/2013936/assurance', certificate(%{ $cases{$name}[0] }));
            is($r->{status}, 422, "$name: 422");
            ok($r->{json}{champs}{$cases{$name}[1]},
               "$name: on $cases{$name}[1] (" . ($r->{json}{champs}{$cases{$name}[1]} // '') . ")");
        }
        my ($type, $body) = multipart(@{ certificate() });
        my $r = api('POST', '/api/contrats/2013936/assurance', certificate(attestation =>
                    ['enorme.pdf', 'application/pdf', $PDF . (' ' x (9 * 1024 * 1024)) . "%%EOF\n"]));
        is($r->{status}, 413, 'a body over client_max_body_size: 413');
        like($r->{body}, qr/"error":"corps_trop_volumineux"/, 'in JSON');
        $r = api('POST', '/api/contrats/2013936/assurance', certificate(), no_csrf => 1);
        is($r->{status}, 403, 'without the CSRF token: 403');
        $r = http_request(method => 'POST', path => '/api/contrats/2013936/assurance',
                          headers => { 'Content-Type' => $type }, body => $body);
        is($r->{status}, 401, 'without a session: 401');
        $r = api('POST', '/api/contrats/2087412/assurance', certificate());
        is($r->{status}, 404, "on Jean's contract: 404");
        $r = api('POST', '/api/contrats/2013936/assurance', { assureur => 'MAIF' });
        is($r->{status}, 415, 'JSON instead of a form: 415');
        is(counts(), $before, 'nothing was stored');
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: Marie's contracts [list]
--- request
GET /api/contrats
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200



=== TEST 2: one of them, named in the answer
--- request
GET /api/contrats?contrat=2013937
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- response_body_like chomp
^\{"contrat" ?: ?"L/2013937", ?"contrats" ?: ?\[\{"numero" ?: ?"L/2013937"[^\[]*"signataires"[^\]]*\]



=== TEST 3: Jean's, with its two signatories [jean_list]
--- request
GET /api/contrats
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200



=== TEST 4: no session: 401
--- request
GET /api/contrats
--- error_code: 401



=== TEST 5: a contract in detail [detail]
--- request
GET /api/contrats/2013936
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200



=== TEST 6: with its L as printed
--- request
GET /api/contrats/L2013936
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- response_body_like chomp
^\{"numero" ?: ?"L/2013936"



=== TEST 7: another tenant's contract: 404
--- request
GET /api/contrats/2013936
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 404
--- response_body_like chomp
"error":"introuvable"



=== TEST 8: the occupants [occupants]
--- request
GET /api/contrats/2013936/occupants
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200



=== TEST 9: adding one [added]
--- request
POST /api/contrats/2013936/occupants
{"nom": "DUPONT", "prenom": " Hugo ", "date_naissance": "2012-05-17", "lien": "enfant"}
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
X-CSRF-Token: {{csrf:marie.dupont@example.net}}
Content-Type: application/json
--- error_code: 201



=== TEST 10: bad input, each with its field error [occupant_bad]
--- request
GET /api/contrats/2013936/occupants
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- timeout: 30



=== TEST 11: without the CSRF token: 403
--- request
POST /api/contrats/2013936/occupants
{"nom": "DUPONT", "prenom": "Hugo", "date_naissance": "2012-05-17", "lien": "enfant"}
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
Content-Type: application/json
--- error_code: 403



=== TEST 12: changing one [changed]
--- request
GET /api/contrats/2013936/occupants
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- timeout: 10



=== TEST 13: other tenants' contracts and occupants, ids that are not: 404 [others]
--- request
GET /api/contrats/2013936/occupants
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- timeout: 30



=== TEST 14: removing one: never deleted, recorded [removed]
--- request
GET /api/contrats/2013936/occupants
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- timeout: 10



=== TEST 15: the billing address by default: the dwelling's
--- request
GET /api/contrats/2013936/adresse-facturation
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- response_body_like chomp
"source" ?: ?"contrat", ?"destinataire" ?: ?"DUPONT Marie"



=== TEST 16: a billing address, the locality typed as people do [billing]
--- request
PUT /api/contrats/2013936/adresse-facturation
{"destinataire": "Mme DUPONT Marie", "complement_destinataire": "", "voie": " 3 avenue de Varsovie ", "code_postal": "17000", "localite": "La Rochelle"}
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
X-CSRF-Token: {{csrf:marie.dupont@example.net}}
Content-Type: application/json
--- error_code: 200
--- timeout: 15



=== TEST 17: billing address: bad input [billing_bad]
--- request
GET /api/contrats/2013936/adresse-facturation
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- timeout: 30



=== TEST 18: billing address without the CSRF token: 403
--- request
PUT /api/contrats/2013936/adresse-facturation
{"destinataire": "Mme DUPONT Marie", "voie": "3 avenue de Varsovie", "code_postal": "17000", "localite": "La Rochelle"}
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
Content-Type: application/json
--- error_code: 403



=== TEST 19: no certificate yet
--- request
GET /api/contrats/2013936/assurance
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- response_body_like chomp
^\{"contrat" ?: ?"L/2013936", ?"courante" ?: ?null, ?"historique" ?: ?\[\]\}$



=== TEST 20: bad uploads and bad fields [bad_uploads]
--- request
GET /api/contrats/2013936/assurance
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- timeout: 60



=== TEST 21: a certificate uploaded, then downloaded by its owner only [insured]
--- request
GET /api/contrats/2013936/assurance
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- timeout: 30
