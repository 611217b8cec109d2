# Documents: the list (GET /api/documents) with its filters, downloads
# (GET /api/documents/{id}/fichier) small, large and to slow clients, and
# the quittances the portal makes for fully paid months the ERP sent none
# for (law of 6 July 1989, art. 21).
#
# The demo data are made for "today": months are read from the database,
# never written here.  {{v:NAME}} in a request or an expected value is one
# of the values below, computed when the block runs.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Digest::SHA qw(sha256_hex);
use File::Temp qw(tempfile);
use IO::Select;
use IO::Socket::INET;
use Socket qw(SOL_SOCKET SO_RCVBUF);
use Time::HiRes qw(time sleep);
use POSIX ();
use Portail::Test;
use Encode ();
use Unicode::Normalize ();

reset_database();
use_portail_defaults();
no_shuffle();
no_long_string();

my $JEAN   = 'jean.martin@example.org';
my $MARIE  = 'marie.dupont@example.net';
my $HELENE = 'helene.lefevre@example.org';

my @MOIS = qw(janvier février mars avril mai juin juillet août septembre
              octobre novembre décembre);

# Marie and Hélène have no account in the demo data: the same password
# hash as Jean's, confirmed.
for ([$MARIE, 'P1234567-1'], [$HELENE, 'P2345678-1']) {
    db()->do(q{INSERT INTO compte (personne_id, email, mot_de_passe_hash, confirme_le)
               SELECT p.id, $1, (SELECT mot_de_passe_hash FROM compte WHERE email = $3), now()
               FROM personne p WHERE p.reference_externe = $2}, undef, $_->[0], $_->[1], $JEAN);
}

# A document of 8 MB for Jean's contract (content that differs all along,
# so that a slice out of place shows in the checksum).
db()->do(q{INSERT INTO document (reference, contrat_id, nature, periode, titre, contenu, taille, sha256)
           SELECT 'TEST-GROS-DOCUMENT', k.id, 'regularisation_charges', DATE '2020-01-01',
                  'Régularisation des charges 2020', x.c, octet_length(x.c), sha256(x.c)
           FROM contrat k,
                (SELECT '%PDF-1.4 '::bytea || decode(string_agg(md5(i::text), '' ORDER BY i), 'hex') AS c
                 FROM generate_series(1, 500000) i) x
           WHERE k.numero = 'L/2087412'});

sub month_of {     # 'YYYY-MM' of a contract's n-th latest due notice (0: the latest)
    my ($numero, $n) = @_;
    return sql_value(q{SELECT to_char(e.periode, 'YYYY-MM') FROM ecriture e
                       JOIN contrat k ON k.id = e.contrat_id
                       WHERE k.numero = $1 AND e.type = 'echeance' AND e.archive_le IS NULL
                       GROUP BY e.periode ORDER BY e.periode DESC OFFSET $2 LIMIT 1}, $numero, $n);
}

sub en_lettres {   # '2025-10' -> 'octobre 2025'
    my ($y, $m) = $_[0] =~ /^(\d{4})-(\d{2})$/;
    return "$MOIS[$m - 1] $y";
}

sub euros {        # 41250 -> '412,50 €'
    my ($c) = @_;
    my $u = int($c / 100);
    1 while $u =~ s/^(\d+)(\d{3})/$1 $2/;
    return sprintf('%s,%02d €', $u, $c % 100);
}

# Marie's quittance of the 4th latest month: deleted (as if the ERP had not
# sent it), so that the portal makes it.  Same for the Martins' latest month.
my $TROU = month_of('L/2013936', 3);
my $MARTINS = month_of('L/2087412', 0);

my %V = (
    annee           => sub { sql_value(q{SELECT extract(year FROM max(periode))::int - 1 FROM document}) },
    trou            => sub { $TROU },
    trou_lettres    => sub { en_lettres($TROU) },
    trou_id         => sub { sql_value(q{SELECT id FROM document WHERE reference = $1}, "PORTAIL-Q-2013936-$TROU") },
    martins         => sub { $MARTINS },
    jean_quittance  => sub { sql_value(q{SELECT d.id FROM document d JOIN contrat k ON k.id = d.contrat_id
                                         WHERE k.numero = 'L/2087412' AND d.nature = 'quittance'
                                         ORDER BY d.periode DESC LIMIT 1}) },
    marie_avis      => sub { sql_value(q{SELECT d.id FROM document d JOIN contrat k ON k.id = d.contrat_id
                                         WHERE k.numero = 'L/2013936' AND d.nature = 'avis_echeance'
                                         ORDER BY d.periode DESC LIMIT 1}) },
    helene_impaye   => sub { month_of('L/2045678', 0) },
    helene_impaye2  => sub { month_of('L/2045678', 1) },
    helene_paye     => sub { month_of('L/2045678', 2) },
    gros            => sub { sql_value(q{SELECT id FROM document WHERE reference = 'TEST-GROS-DOCUMENT'}) },
    trou_disposition => sub { disposition('Quittance de loyer - ' . en_lettres($TROU) . ' - L2013936.pdf') },
);

# Content-Disposition as RFC 6266 wants it: an ASCII fallback, then the
# UTF-8 name percent-encoded
sub disposition {
    my ($name) = @_;
    # the fallback drops accents: "février" gives "fevrier"
    my $ascii = Unicode::Normalize::NFD(Encode::decode('UTF-8', $name));
    $ascii =~ s/\p{Mn}//g;
    my %apart = ("\x{152}" => 'OE', "\x{153}" => 'oe', "\x{C6}" => 'AE', "\x{E6}" => 'ae',
                 "\x{DF}" => 'ss', "\x{D8}" => 'O', "\x{F8}" => 'o');
    $ascii =~ s{([^\x00-\x7f])}{$apart{$1} // '_'}ge;
    $ascii =~ s/[^\x20-\x7e]|["\\%]/_/g;
    (my $utf8 = $name) =~ s/([^A-Za-z0-9._-])/sprintf('%%%02X', ord $1)/ge;
    return qq{attachment; filename="$ascii"; filename*=UTF-8''$utf8};
}

add_block_preprocessor(sub {
    my $block = shift;
    for my $section (qw(request response_body response_body_like response_headers
                        response_headers_like)) {
        my $v = $block->$section;
        next unless defined $v && !ref $v && $v =~ /\{\{v:/;
        $v =~ s/\{\{v:(\w+)\}\}/($V{$1} or die "no value $1\n")->()/ge;
        $block->set_value($section, $v);
    }
});

# --- helpers of the checks -------------------------------------------------

sub api {
    my ($email, $path, %o) = @_;
    my ($cookie) = open_session($email);
    my $r = http_request(path => $path, headers => { Cookie => "portail_session=$cookie" }, %o);
    $r->{json} = eval { json_decode($r->{body}) } if ($r->{headers}{'content-type'} // '') =~ /json/;
    return $r;
}

sub all_documents {     # every document of the list, following the pages
    my ($email, $query) = @_;
    my @docs;
    for (my $page = 1; ; $page++) {
        my $r = api($email, "/api/documents?par_page=100&page=$page" . ($query ? "&$query" : ''));
        die "list answered $r->{status}\n" unless $r->{status} == 200;
        push @docs, @{ $r->{json}{documents} };
        return \@docs if $page >= $r->{json}{pages};
    }
}

# An independent reading of "fully paid" (the same FIFO as the SQL, written
# again in Perl): month => date of the credit that settled it.
sub fifo_paid {
    my ($numero) = @_;
    my $rows = sql(q{SELECT e.sens, e.type, to_char(e.periode, 'YYYY-MM') AS mois,
                            e.montant_cents AS m, e.date_ecriture::text AS d
                     FROM ecriture e JOIN contrat k ON k.id = e.contrat_id
                     WHERE k.numero = $1 AND e.archive_le IS NULL
                     ORDER BY e.date_ecriture, e.id}, $numero);
    my @credits = grep { $_->{sens} eq 'credit' } @$rows;
    my ($ci, $avail, $cdate) = (0, 0, undef);
    my (%paid, %unpaid);
    for my $d (grep { $_->{sens} eq 'debit' } @$rows) {
        my $need = $d->{m};
        while ($need > 0) {
            if ($avail == 0) {
                last if $ci >= @credits;
                ($avail, $cdate) = ($credits[$ci]{m}, $credits[$ci]{d});
                $ci++;
            }
            my $take = $need < $avail ? $need : $avail;
            $need -= $take;
            $avail -= $take;
        }
        next unless $d->{type} eq 'echeance';
        if ($need > 0) {
            $unpaid{$d->{mois}} = 1;
        } elsif (!$paid{$d->{mois}} || $paid{$d->{mois}} lt $cdate) {
            $paid{$d->{mois}} = $cdate;
        }
    }
    delete @paid{keys %unpaid};
    return \%paid;
}

sub quittance_months {  # the quittance months the list shows for a contract
    my ($email, $digits) = @_;
    my $docs = all_documents($email, "contrat=$digits&nature=quittance");
    return [ sort map { $_->{periode} } @$docs ];
}

sub pdf_text {
    my ($bytes) = @_;
    my ($fh, $file) = tempfile(SUFFIX => '.pdf', UNLINK => 1);
    binmode $fh;
    print {$fh} $bytes;
    close $fh;
    my $info = `pdfinfo '$file' 2>&1`;
    is($?, 0, 'pdfinfo accepts the PDF') or diag($info);
    my $text = `pdftotext '$file' - 2>&1`;
    is($?, 0, 'pdftotext reads it');
    return ($info, $text);
}

sub nginx_pid {
    open my $fh, '<', $Test::Nginx::Util::PidFile or return;
    my $pid = <$fh>;
    chomp $pid;
    return $pid;
}

sub peak_memory_kb {
    my $pid = nginx_pid() or return;
    open my $fh, '<', "/proc/$pid/status" or return;
    while (<$fh>) {
        return $1 if /^VmHWM:\s+(\d+) kB/;
    }
    return;
}

# A client reading a download $chunk bytes at a time with a pause between
# reads; returns (headers, body).  Stops reading for good after $stop_at
# bytes when given, and keeps the socket open $hold seconds.  Gives up
# after $timeout seconds (20): a stalled download fails, it does not hang.
sub slow_download {
    my (%o) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984,
                                  Proto => 'tcp') or die "connect: $!";
    binmode $s;
    print {$s} "GET $o{path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
             . "Cookie: portail_session=$o{cookie}\r\n\r\n";
    my $buf = '';
    my $deadline = time + ($o{timeout} || 20);
    my $sel = IO::Select->new($s);
    while (time < $deadline && $sel->can_read($deadline - time)) {
        my $n = sysread($s, my $chunk, $o{chunk});
        last unless $n;
        $buf .= $chunk;
        if ($o{stop_at} && length $buf >= $o{stop_at}) {
            sleep $o{hold};
            last;
        }
        sleep $o{pause} if $o{pause};
    }
    close $s;
    my ($head, $body) = split /\r\n\r\n/, $buf, 2;
    return ($head // '', $body // '');
}

my %after = (

    definition => sub {
        # the ERP's generator settles months the same way: on the demo
        # data the portal finds a quittance exactly where the ERP made one
        my $gap = sql(q{
            WITH a AS (SELECT k.id, m.periode FROM contrat k, mois_acquittes(k.id) m),
                 d AS (SELECT contrat_id AS id, periode FROM document WHERE nature = 'quittance')
            SELECT (SELECT count(*) FROM (SELECT * FROM a EXCEPT SELECT * FROM d) x) AS portail_seul,
                   (SELECT count(*) FROM (SELECT * FROM d EXCEPT SELECT * FROM a) y) AS erp_seul,
                   (SELECT count(*) FROM a) AS total})->[0];
        is($gap->{portail_seul}, 0, 'no fully paid month the ERP gave no quittance for');
        is($gap->{erp_seul}, 0, 'no ERP quittance for a month the portal finds unpaid');
        cmp_ok($gap->{total}, '>', 1000, "over the $gap->{total} months of the demo office");

        for my $numero (qw(L/2013936 L/2013937 L/2087412 L/2045678)) {
            my $sql = sql(q{SELECT to_char(m.periode, 'YYYY-MM') AS mois, m.paiement_le::text AS le
                            FROM contrat k, mois_acquittes(k.id) m WHERE k.numero = $1}, $numero);
            is_deeply({ map { $_->{mois} => $_->{le} } @$sql }, fifo_paid($numero),
                      "$numero: months and payment dates as an independent FIFO finds them");
        }

        my $helene = fifo_paid('L/2045678');
        ok(!$helene->{ month_of('L/2045678', 0) } && !$helene->{ month_of('L/2045678', 1) },
           'Hélène: her last two months are not paid');
        is(scalar keys %$helene, sql_value(q{SELECT count(DISTINCT e.periode) FROM ecriture e
                                             JOIN contrat k ON k.id = e.contrat_id
                                             WHERE k.numero = 'L/2045678' AND e.type = 'echeance'}) - 2,
           'and all the others are');
        ok(sql_value(q{SELECT solde_cents < 0 FROM contrat WHERE numero = 'L/2087412'})
           && fifo_paid('L/2087412')->{$MARTINS}, 'the Martins, in credit, have even this month paid');

        # as if the ERP had sent no quittance for these months
        db()->do(q{DELETE FROM document WHERE reference IN ($1, $2)}, undef,
                 'DOC-2013936-' . ($TROU =~ s/-//r) . '-QUITTANCE',
                 'DOC-2087412-' . ($MARTINS =~ s/-//r) . '-QUITTANCE');
    },

    liste_jean => sub {
        my ($block, $body) = @_;
        my $j = json_decode($body);
        my $expected = sql_value(q{SELECT count(*) FROM document d JOIN contrat k ON k.id = d.contrat_id
                                   WHERE k.numero = 'L/2087412'})
                       + 1;   # the quittance of this month, deleted above, to make
        is($j->{total}, $expected, "all of Jean's documents are counted ($expected)");
        is(scalar @{ $j->{documents} }, 50, '50 a page by default');
        is($j->{pages}, int(($expected + 49) / 50), 'pages');
        is_deeply([ map { $_->{numero} } @{ $j->{contrats} } ], ['L/2087412'], 'his contract only');
        is_deeply([ map { "$_->{code}=$_->{libelle}" } @{ $j->{natures} } ],
                  ["avis_echeance=Avis d'échéance", 'quittance=Quittance de loyer',
                   'regularisation_charges=Régularisation des charges',
                   'recu_paiement=Reçu de paiement', 'mandat=Mandat de prélèvement'],
                  'the kinds, with their French labels');
        my @p = map { $_->{periode} } @{ $j->{documents} };
        is_deeply(\@p, [ sort { $b cmp $a } @p ], 'newest first');
        my $first = $j->{documents}[0];
        is($first->{nature}, 'quittance', 'in a month, the quittance first');
        ok($first->{a_generer}, 'this one to make');
        is($first->{id}, "q-2087412-$MARTINS", 'under its pseudo-id');
        my $avis = (grep { $_->{nature} eq 'avis_echeance' } @{ $j->{documents} })[0];
        like($avis->{id}, qr/^\d+$/, 'a stored document has its id');
        is($avis->{url}, "/api/documents/$avis->{id}/fichier", 'and its url');
        is($avis->{nom_fichier}, "Avis d'échéance - " . en_lettres($avis->{periode}) . ' - L2087412.pdf',
           'and a readable file name');
        is($avis->{taille}, sql_value(q{SELECT taille FROM document WHERE id = $1}, $avis->{id}), 'its size');
        is_deeply($j->{annees}, [ sort { $b <=> $a } @{ $j->{annees} } ], 'years, newest first');
        ok((grep { $_ == 2020 } @{ $j->{annees} }), 'every year with a document');
        my %seen;
        my $all = all_documents($JEAN);
        is(scalar(grep { !$seen{$_->{id}}++ } @$all), $expected, 'the pages hold each document once');
    },

    liste_parking => sub {
        my ($block, $body) = @_;
        my $j = json_decode($body);
        my $n = sql_value(q{SELECT count(*) FROM document d JOIN contrat k ON k.id = d.contrat_id
                            WHERE k.numero = 'L/2013937'});
        is($j->{total}, $n, "the parking's $n documents");
        is_deeply([ sort keys %{{ map { $_->{contrat} => 1 } @{ $j->{documents} } }} ], ['L/2013937'],
                  'and only those');
        is_deeply([ map { $_->{numero} } @{ $j->{contrats} } ], ['L/2013936', 'L/2013937'],
                  'both contracts offered for the filter, the dwelling first');
        is($j->{filtres}{contrat}, '2013937', 'the filter is echoed');
    },

    liste_avis => sub {
        my ($block, $body) = @_;
        my $j = json_decode($body);
        my $year = $V{annee}->();
        is($j->{total}, 24, "Marie's 24 notices of $year (dwelling and parking)");
        ok(!(grep { $_->{nature} ne 'avis_echeance' || $_->{periode} !~ /^$year-/ } @{ $j->{documents} }),
           'nothing else');
    },

    pages => sub {
        my ($block, $body) = @_;
        my $j = json_decode($body);
        my $all = all_documents($MARIE);
        is_deeply([ map { $_->{id} } @{ $j->{documents} } ], [ map { $_->{id} } @$all[7 .. 13] ],
                  'page 2 of 7 is the 8th to 14th documents of the whole list');
        is($j->{pages}, int((@$all + 6) / 7), 'pages');
    },

    helene_quittances => sub {
        my ($block, $body) = @_;
        is_deeply(quittance_months($HELENE, '2045678'), [ sort keys %{ fifo_paid('L/2045678') } ],
                  'Hélène: a quittance for each fully paid month, none for her two months in arrears');
        my $j = json_decode($body);
        ok(!(grep { $_->{a_generer} } @{ $j->{documents} }), 'all of them sent by the ERP');
    },

    impaye_refuse => sub {
        is(sql_value(q{SELECT count(*) FROM document WHERE reference LIKE 'PORTAIL-Q-2045678-%'}), 0,
           'no quittance stored for a month in arrears');
    },

    telecharge_jean => sub {
        my ($block, $body) = @_;
        my $d = sql(q{SELECT taille, encode(sha256, 'hex') AS sha FROM document WHERE id = $1},
                    $V{jean_quittance}->())->[0];
        is(length $body, $d->{taille}, 'every byte');
        is(sha256_hex($body), $d->{sha}, 'the very bytes stored');
    },

    erp_servi => sub {
        my ($block, $body) = @_;
        my $month = $V{helene_paye}->();
        is(sha256_hex($body),
           sql_value(q{SELECT encode(sha256, 'hex') FROM document WHERE reference = $1},
                     'DOC-2045678-' . ($month =~ s/-//r) . '-QUITTANCE'),
           "the pseudo-id of a month with the ERP's quittance serves the ERP's");
    },

    trou_liste => sub {
        my ($block, $body) = @_;
        my $j = json_decode($body);
        my ($q) = grep { $_->{periode} eq $TROU } @{ $j->{documents} };
        is_deeply($q, { id => "q-2013936-$TROU", contrat => 'L/2013936', nature => 'quittance',
                        libelle_nature => 'Quittance de loyer', periode => $TROU,
                        titre => 'Quittance de loyer ' . en_lettres($TROU), taille => undef,
                        mis_en_ligne_le => undef, a_generer => JSON::PP::true,
                        nom_fichier => 'Quittance de loyer - ' . en_lettres($TROU) . ' - L2013936.pdf',
                        url => "/api/documents/q-2013936-$TROU/fichier" },
                  'the month without quittance is offered, to make');
        is_deeply(quittance_months($MARIE, '2013936'), [ sort keys %{ fifo_paid('L/2013936') } ],
                  'with the ERP quittances, one per fully paid month');
    },

    trou_pdf => sub {
        my ($block, $body) = @_;
        my $d = sql(q{SELECT d.*, encode(d.sha256, 'hex') AS sha, k.numero FROM document d
                      JOIN contrat k ON k.id = d.contrat_id WHERE d.reference = $1},
                    "PORTAIL-Q-2013936-$TROU");
        is(scalar @$d, 1, 'the quittance is stored');
        $d = $d->[0];
        is($d->{nature}, 'quittance', 'as a quittance');
        is($d->{numero}, 'L/2013936', 'of that contract');
        is($d->{periode}, "$TROU-01", 'for that month');
        is($d->{sha}, sha256_hex($body), 'the bytes served are the bytes stored');
        is($d->{taille}, length $body, 'all of them');
        my $j = sql(q{SELECT details FROM journal WHERE action = 'document.quittance_generee'});
        is(scalar @$j, 1, 'its making is journaled');
        like($j->[0]{details} // '', qr/"periode": "$TROU"/, 'with the month');

        my $e = sql(q{SELECT e.loyer_cents, e.charges_cents, e.montant_cents FROM ecriture e
                      JOIN contrat k ON k.id = e.contrat_id
                      WHERE k.numero = 'L/2013936' AND e.type = 'echeance' AND to_char(e.periode, 'YYYY-MM') = $1},
                    $TROU)->[0];
        my ($y, $m) = split /-/, $TROU;
        my $paid = fifo_paid('L/2013936')->{$TROU};
        $paid =~ s/^(\d{4})-(\d{2})-(\d{2})$/$3\/$2\/$1/;
        my ($info, $text) = pdf_text($body);
        like($info, qr/^Title:\s+Quittance de loyer \Q${\ en_lettres($TROU)}\E$/m, 'its title');
        like($info, qr/^Pages:\s+1$/m, 'one page');
        like($text, qr/^Quittance de loyer$/m, 'titled "Quittance de loyer"');
        like($text, qr/Période du 01\/$m\/$y au \d\d\/$m\/$y \(\Q${\ en_lettres($TROU)}\E\)/,
             'for the period');
        like($text, qr/Mme Marie DUPONT/, 'to the tenant');
        like($text, qr/12 rue de la Scierie/, 'at her address');
        like($text, qr/17000 LA ROCHELLE/, 'postal line in capitals');
        like($text, qr/Contrat n° L\/2013936/, 'the contract');
        like($text, qr/Référence client : L\/1234567/, 'the client reference');
        like($text, qr/^Loyer$/m, 'rent');
        like($text, qr/Provisions sur charges/, 'and charges apart');
        for (['loyer', $e->{loyer_cents}], ['charges', $e->{charges_cents}], ['total', $e->{montant_cents}]) {
            like($text, qr/\Q${\ euros($_->[1])}\E/, "$_->[0] in French format: " . euros($_->[1]));
        }
        like($text, qr/la somme de \Q${\ euros($e->{montant_cents})}\E/, 'the sum received');
        like($text, qr/Date du paiement qui a soldé cette période : \Q$paid\E\./, 'the settling payment');
        like($text, qr/loi n° 89-462 du 6 juillet 1989, article 21/, 'the law');
        like($text, qr/annule tous\s+les reçus/s, 'cancels any receipt for the period');
        like($text, qr/Office Public de l'Habitat de l'Agglomération de La Rochelle/, "the office's name");
        like($text, qr/2 avenue de Varsovie/, 'its address');
        like($text, qr/05 46 00 49 94/, 'its phone');
        like($text, qr/PORTAIL-Q-2013936-$TROU/, 'its reference');
    },

    trou_encore => sub {
        my ($block, $body) = @_;
        is(sha256_hex($body), sql_value(q{SELECT encode(sha256, 'hex') FROM document WHERE reference = $1},
                                        "PORTAIL-Q-2013936-$TROU"),
           'the same bytes again');
        is(sql_value(q{SELECT count(*) FROM document d JOIN contrat k ON k.id = d.contrat_id
                       WHERE k.numero = 'L/2013936' AND d.nature = 'quittance'
                         AND to_char(d.periode, 'YYYY-MM') = $1}, $TROU), 1, 'still one quittance');
        is(sql_value(q{SELECT count(*) FROM journal WHERE action = 'document.quittance_generee'}), 1,
           'made once');
    },

    trou_range => sub {
        my ($block, $body) = @_;
        my $j = json_decode($body);
        my ($q) = grep { $_->{periode} eq $TROU } @{ $j->{documents} };
        is($q->{id}, $V{trou_id}->(), 'the list now gives the stored id');
        ok(!$q->{a_generer}, 'nothing left to make');
        is($q->{taille}, sql_value(q{SELECT taille FROM document WHERE id = $1}, $q->{id}), 'and its size');
    },

    martins => sub {
        my ($block, $body) = @_;
        my ($info, $text) = pdf_text($body);
        like($text, qr/M\. Jean MARTIN et Mme Sophie\s+MARTIN-LEROY/, 'both signatories');
        like($text, qr/\Q${\ en_lettres($MARTINS)}\E/, 'the current month');
        my $e = sql(q{SELECT e.montant_cents FROM ecriture e JOIN contrat k ON k.id = e.contrat_id
                      WHERE k.numero = 'L/2087412' AND e.type = 'echeance'
                        AND to_char(e.periode, 'YYYY-MM') = $1}, $MARTINS)->[0];
        like($text, qr/Total acquitté/, 'a total');
        like($text, qr/la somme de \Q${\ euros($e->{montant_cents})}\E/, "of this month's due");
    },

    helene_paie => sub {
        my $impaye2 = $V{helene_impaye2}->();
        my $impaye = $V{helene_impaye}->();
        my $due = sql_value(q{SELECT e.montant_cents FROM ecriture e JOIN contrat k ON k.id = e.contrat_id
                              WHERE k.numero = 'L/2045678' AND e.type = 'echeance'
                                AND to_char(e.periode, 'YYYY-MM') = $1}, $impaye2);
        my $pay = sub {
            my ($ref, $cents) = @_;
            db()->do(q{INSERT INTO ecriture (contrat_id, reference, type, sens, date_ecriture, periode,
                                             libelle, montant_cents, mode_paiement)
                       SELECT k.id, $1, 'paiement', 'credit', current_date, date_trunc('month', current_date),
                              'Paiement reçu, merci', $2, 'cheque'
                       FROM contrat k WHERE k.numero = 'L/2045678'}, undef, $ref, $cents);
        };

        $pay->('TEST-PAI-HELENE-1', $due - 1000);
        my $months = quittance_months($HELENE, '2045678');
        ok(!(grep { $_ eq $impaye2 || $_ eq $impaye } @$months),
           'a partial payment settles no month: no quittance (a receipt is no quittance)');

        $pay->('TEST-PAI-HELENE-2', 1000);
        $months = quittance_months($HELENE, '2045678');
        ok((grep { $_ eq $impaye2 } @$months), 'once the older month is paid in full, its quittance');
        ok(!(grep { $_ eq $impaye } @$months), 'but not the last month, still unpaid');
        is_deeply($months, [ sort keys %{ fifo_paid('L/2045678') } ], 'as the FIFO says');
    },

    helene_quittance => sub {
        my ($block, $body) = @_;
        my ($info, $text) = pdf_text($body);
        my $today = sql_value(q{SELECT to_char(current_date, 'DD/MM/YYYY')});
        like($text, qr/Mme Hélène LEFÈVRE/, 'to Hélène');
        like($text, qr/17180 PERIGNY/, 'postal line without accents');
        like($text, qr/Date du paiement qui a soldé cette période : \Q$today\E\./,
             'settled by the payment of today');
    },

    sql_refus => sub {
        my $pdf = '%PDF-1.4 test';
        my $compte = sub { sql_value(q{SELECT id FROM compte WHERE email = $1}, $_[0]) };
        my $month = $V{helene_impaye}->();
        is(scalar @{ sql(q{SELECT * FROM quittance_enregistrer($1, '2045678', $2::date, $3::bytea, NULL, 100)},
                         $compte->($HELENE), "$month-01", $pdf) }, 0,
           'storing a quittance of an unpaid month: refused by the database too');
        is(scalar @{ sql(q{SELECT * FROM quittance_enregistrer($1, '2045678', $2::date, $3::bytea, NULL, 100)},
                         $compte->($MARIE), $V{helene_paye}->() . '-01', $pdf) }, 0,
           "and in someone else's contract");
        is(sql_value(q{SELECT count(*) FROM document WHERE reference LIKE 'PORTAIL-Q-2045678-%'}), 1,
           'only the quittance made above is stored for Hélène');
        ok(!eval { db()->do(q{UPDATE document SET reference = 'PORTAIL-Q-2013936-1999-01'
                              WHERE reference = $1}, undef, "PORTAIL-Q-2013936-$TROU"); 1 },
           "a portal quittance's reference names its month");
    },

    gros => sub {
        my ($block, $body) = @_;
        my $d = sql(q{SELECT taille, encode(sha256, 'hex') AS sha FROM document
                      WHERE reference = 'TEST-GROS-DOCUMENT'})->[0];
        is(length $body, $d->{taille}, "all $d->{taille} bytes");
        is(sha256_hex($body), $d->{sha}, 'identical to the stored ones');

        # a second time, watching the worker's peak memory: slices, not the file
        my $before = peak_memory_kb();
        my $r = api($JEAN, '/api/documents/' . $V{gros}->() . '/fichier', timeout => 30);
        my $after = peak_memory_kb();
        is(sha256_hex($r->{body}), $d->{sha}, 'downloaded again');
        SKIP: {
            skip 'no /proc status of nginx', 1 unless defined $before && defined $after;
            # AddressSanitizer keeps freed memory in quarantine, valgrind
            # has its own: the peak then says nothing about how the file is
            # sent
            skip 'nginx built with AddressSanitizer', 1 if $ENV{ASAN_OPTIONS};
            skip 'nginx under valgrind', 1 if $ENV{TEST_NGINX_USE_VALGRIND};
            cmp_ok($after - $before, '<', 3 * 1024,
                   "the worker's peak memory grew by " . ($after - $before) . ' kB for 8 MB sent');
        }
    },

    lent => sub {
        my ($cookie) = open_session($JEAN);
        my $d = sql(q{SELECT id, encode(sha256, 'hex') AS sha FROM document
                      WHERE reference = 'TEST-GROS-DOCUMENT'})->[0];
        pipe(my $rd, my $wr) or die "pipe: $!";
        my $pid = fork // die "fork: $!";
        if ($pid == 0) {
            close $rd;
            # about 2 MB/s: the socket fills, nginx waits for it, slice by slice
            my ($head, $body) = slow_download(path => "/api/documents/$d->{id}/fichier",
                                              cookie => $cookie, chunk => 32768, pause => 0.015);
            print {$wr} length($body) . ' ' . sha256_hex($body) . "\n";
            close $wr;
            POSIX::_exit(0);
        }
        close $wr;
        sleep 0.3;
        my @times;
        for (1 .. 5) {
            my $t = time;
            my $r = http_request(path => '/api/sante');
            push @times, time - $t if $r->{status} == 200;
            sleep 0.1;
        }
        my $line = <$rd>;
        waitpid($pid, 0);
        is(scalar @times, 5, 'other requests are served during a slow download');
        cmp_ok((sort { $b <=> $a } @times)[0], '<', 0.5,
               sprintf('promptly (slowest %.3f s): the worker is not held', (sort { $b <=> $a } @times)[0]));
        is($line, "8000009 $d->{sha}\n", 'the slow client gets the whole file, intact');
    },

    bloque => sub {
        my ($cookie) = open_session($JEAN);
        my $d = $V{gros}->();
        my $t = time;
        my ($head, $body) = slow_download(path => "/api/documents/$d/fichier", cookie => $cookie,
                                          chunk => 65536, stop_at => 65536, hold => 3.5);
        like($head, qr/^HTTP\/1\.1 200/, 'the download started');
        is(http_request(path => '/api/sante')->{status}, 200, 'the portal serves on');
    },

    abandon => sub {
        my ($cookie) = open_session($JEAN);
        my $d = $V{gros}->();
        slow_download(path => "/api/documents/$d/fichier", cookie => $cookie,
                      chunk => 65536, stop_at => 1024 * 1024, hold => 0);
        sleep 0.5;
        is(http_request(path => '/api/sante')->{status}, 200, 'after a client left mid-download');
        my $r = api($JEAN, "/api/documents/$d/fichier", timeout => 30);
        is(length $r->{body}, 8000009, 'the next download is whole');
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: "fully paid", defined once, agrees with the ERP [definition]
--- request
GET /api/sante
--- error_code: 200



=== TEST 2: the list needs a session
--- request
GET /api/documents
--- error_code: 401
--- response_body chomp
{"error":"non_authentifie","message":"Votre session a expiré ou vous n'êtes pas connecté. Connectez-vous pour continuer."}



=== TEST 3: so does a download
--- request
GET /api/documents/1/fichier
--- error_code: 401
--- response_body chomp
{"error":"non_authentifie","message":"Votre session a expiré ou vous n'êtes pas connecté. Connectez-vous pour continuer."}



=== TEST 4: a session the database does not know
--- request
GET /api/documents
--- more_headers
Cookie: portail_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
--- error_code: 401
--- response_body_like chomp
"error":"non_authentifie"



=== TEST 5: Jean's documents, newest first, 50 a page [liste_jean]
--- request
GET /api/documents
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200
--- response_headers
Content-Type: application/json; charset=utf-8
Cache-Control: no-store
--- response_body_like chomp
^\{"documents" ?: ?\[\{"id" ?: ?"q-2087412-\d{4}-\d\d", ?"contrat" ?: ?"L/2087412", ?"nature" ?: ?"quittance", ?"libelle_nature" ?: ?"Quittance de loyer",



=== TEST 6: one contract of Marie's: her parking space [liste_parking]
--- request
GET /api/documents?contrat=2013937
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200



=== TEST 7: one kind, one year [liste_avis]
--- request
GET /api/documents?nature=avis_echeance&annee={{v:annee}}&par_page=100
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- response_body_like chomp
"filtres" ?: ?\{"contrat" ?: ?null, ?"nature" ?: ?"avis_echeance", ?"annee" ?: ?\d{4}\}



=== TEST 8: page 2 of 7 [pages]
--- request
GET /api/documents?par_page=7&page=2
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- response_body_like chomp
"page" ?: ?2, ?"par_page" ?: ?7,



=== TEST 9: past the last page: nothing, not an error
--- request
GET /api/documents?page=10000
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- response_body_like chomp
^\{"documents" ?: ?\[\], ?"page" ?: ?10000,



=== TEST 10: a filter naming someone else's contract is a 404
--- request
GET /api/documents?contrat=2087412
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 404
--- response_body chomp
{"error":"introuvable","message":"La ressource demandée n'existe pas."}



=== TEST 11: so is an unknown contract
--- request
GET /api/documents?contrat=9999999
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 404
--- response_body chomp
{"error":"introuvable","message":"La ressource demandée n'existe pas."}



=== TEST 12: bad filter values, each explained in French
--- request
GET /api/documents?contrat=abc&nature=facture&annee=25&page=0&par_page=500
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 422
--- response_body chomp
{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"contrat":"Le numéro de contrat est fait de 7 chiffres, sans le L/ (par exemple 2013936).","annee":"L'année s'écrit avec 4 chiffres (par exemple 2025).","page":"Le numéro de page est un nombre entier de 1 à 10000.","par_page":"Le nombre de documents par page est un nombre entier de 1 à 100.","nature":"Type de document inconnu : choisissez avis_echeance, quittance, regularisation_charges, recu_paiement ou mandat."}}



=== TEST 13: more bad values: signs, decimals, the L/, a huge number
--- request eval
[ "GET /api/documents?annee=2025.5",
  "GET /api/documents?page=-1",
  "GET /api/documents?contrat=L%2F2013936",
  "GET /api/documents?annee=1899",
  "GET /api/documents?page=99999999999999999999999" ]
--- more_headers eval
[ ("Cookie: portail_session={{session:marie.dupont\@example.net}}") x 5 ]
--- error_code eval
[ 422, 422, 422, 422, 422 ]
--- response_body_like eval
[ qr/"champs":\{"annee":/, qr/"champs":\{"page":/, qr/"champs":\{"contrat":/,
  qr/"champs":\{"annee":/, qr/"champs":\{"page":/ ]



=== TEST 14: filter values may be percent-encoded, and empty ones are ignored
--- request
GET /api/documents?nature=avis%5Fecheance&contrat=&annee=
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- response_body_like chomp
"filtres" ?: ?\{"contrat" ?: ?null, ?"nature" ?: ?"avis_echeance", ?"annee" ?: ?null\}



=== TEST 15: the list is read-only
--- request
POST /api/documents
{}
--- more_headers
Content-Type: application/json
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 405
--- response_headers
Allow: GET, HEAD
--- response_body_like chomp
"error":"methode_non_autorisee"



=== TEST 16: Hélène's quittances: none for her months in arrears [helene_quittances]
--- request
GET /api/documents?nature=quittance&par_page=100
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code: 200



=== TEST 17: a forged pseudo-id for a month not fully paid is a 404 [impaye_refuse]
--- request
GET /api/documents/q-2045678-{{v:helene_impaye}}/fichier
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code: 404
--- response_body chomp
{"error":"introuvable","message":"La ressource demandée n'existe pas."}
--- error_log
month not fully paid, or contract not the tenant's



=== TEST 18: the pseudo-id of a month with the ERP's quittance serves it [erp_servi]
--- request
GET /api/documents/q-2045678-{{v:helene_paye}}/fichier
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code: 200
--- response_headers
Content-Type: application/pdf



=== TEST 19: Jean downloads his last quittance [telecharge_jean]
--- request
GET /api/documents/{{v:jean_quittance}}/fichier
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200
--- response_headers
Content-Type: application/pdf
Cache-Control: no-store
X-Content-Type-Options: nosniff
--- response_headers_like
Content-Disposition: attachment; filename="Quittance de loyer - [a-z]+ \d{4} - L2087412\.pdf"; filename\*=UTF-8''Quittance%20de%20loyer%20-%20[a-zA-Z0-9%]+%20\d{4}%20-%20L2087412\.pdf
Content-Length: \d{4}



=== TEST 20: HEAD gives the headers only
--- request
HEAD /api/documents/{{v:jean_quittance}}/fichier
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200
--- response_headers_like
Content-Length: \d{4}
Content-Type: application/pdf
--- response_body chomp



=== TEST 21: someone else's document is a 404, not a 403
--- request
GET /api/documents/{{v:marie_avis}}/fichier
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 404
--- response_body chomp
{"error":"introuvable","message":"La ressource demandée n'existe pas."}
--- error_log
refused: unknown or not the tenant's



=== TEST 22: so is someone else's quittance to make
--- request
GET /api/documents/q-2013936-{{v:trou}}/fichier
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 404
--- response_body chomp
{"error":"introuvable","message":"La ressource demandée n'existe pas."}



=== TEST 23: unknown and malformed ids are 404 too
--- request eval
[ "GET /api/documents/999999999/fichier",
  "GET /api/documents/abc/fichier",
  "GET /api/documents/-1/fichier",
  "GET /api/documents/1234567890123456789/fichier",
  "GET /api/documents/q-2087412-2025-13/fichier",
  "GET /api/documents/q-2087412-0000-01/fichier",
  "GET /api/documents/q-208741-2025-01/fichier" ]
--- more_headers eval
[ ("Cookie: portail_session={{session:jean.martin\@example.org}}") x 7 ]
--- error_code eval
[ (404) x 7 ]
--- response_body_like eval
[ (qr/"error":"introuvable"/) x 7 ]



=== TEST 24: a fully paid month without quittance is offered, to make [trou_liste]
--- request
GET /api/documents?contrat=2013936&nature=quittance&par_page=100
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- response_body_like chomp
\{"id" ?: ?"q-2013936-{{v:trou}}", ?"contrat" ?: ?"L/2013936", ?"nature" ?: ?"quittance"



=== TEST 25: its first download makes it: a real PDF, stored [trou_pdf]
--- request
GET /api/documents/q-2013936-{{v:trou}}/fichier
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- response_headers
Content-Type: application/pdf
Cache-Control: no-store
X-Content-Type-Options: nosniff
Content-Disposition: {{v:trou_disposition}}
--- error_log
portail: quittance PORTAIL-Q-2013936-



=== TEST 26: the next download serves the same bytes [trou_encore]
--- request
GET /api/documents/q-2013936-{{v:trou}}/fichier
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200
--- no_error_log
made (



=== TEST 27: the list now gives it as a stored document [trou_range]
--- request
GET /api/documents?contrat=2013936&nature=quittance&par_page=100
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200



=== TEST 28: and its id serves it too [trou_encore]
--- request
GET /api/documents/{{v:trou_id}}/fichier
--- more_headers
Cookie: portail_session={{session:marie.dupont@example.net}}
--- error_code: 200



=== TEST 29: the Martins, in credit, get this month's quittance [martins]
--- request
GET /api/documents/q-2087412-{{v:martins}}/fichier
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200



=== TEST 30: Hélène pays: a partial payment gives no quittance, a full one does [helene_paie]
--- request
GET /api/sante
--- error_code: 200



=== TEST 31: the quittance of the month she paid in full [helene_quittance]
--- request
GET /api/documents/q-2045678-{{v:helene_impaye2}}/fichier
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code: 200



=== TEST 32: her last month, still unpaid, has none
--- request
GET /api/documents/q-2045678-{{v:helene_impaye}}/fichier
--- more_headers
Cookie: portail_session={{session:helene.lefevre@example.org}}
--- error_code: 404



=== TEST 33: the database refuses a quittance the ledger does not justify [sql_refus]
--- request
GET /api/sante
--- error_code: 200



=== TEST 34: a document of 8 MB arrives whole, in slices [gros]
--- request
GET /api/documents/{{v:gros}}/fichier
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
--- error_code: 200
--- response_headers
Content-Length: 8000009
Content-Type: application/pdf
--- response_headers_like
Content-Disposition: attachment; filename="Regularisation des charges - 2020 - L2087412\.pdf"; filename\*=UTF-8''R%C3%A9gularisation%20des%20charges%20-%202020%20-%20L2087412\.pdf
--- timeout: 30



=== TEST 35: a slow client gets it whole, and others are served meanwhile [lent]
--- request
GET /api/sante
--- error_code: 200
--- timeout: 30
--- error_log
writev() not ready



=== TEST 36: a client that stops reading is let go after send_timeout [bloque]
--- config
send_timeout 1s;
--- request
GET /api/sante
--- error_code: 200
--- timeout: 30
--- error_log
portail: client timed out while receiving a file



=== TEST 37: a client that leaves mid-download costs nothing [abandon]
--- request
GET /api/sante
--- error_code: 200
--- timeout: 30
