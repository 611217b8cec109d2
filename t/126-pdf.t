# Uploaded PDFs, inspected by portail-pdfcheck (libqpdf) from the thread
# pool before a handler stores them: scripts and actions hidden in object
# streams behind any chain of filters (found through a cross-reference
# stream), automatic actions, links out, embedded files, XFA, encryption,
# broken files and decompression bombs are refused, each with its code and
# its message on the field, and nothing is stored; what genuine notices
# and certificates hold is accepted, unchanged; the event loop serves
# others while a large PDF is inspected.
#
# The hostile files are made here (Portail::Pdf); the genuine ones too, but
# one printed by Chromium (t/fixtures/pdf/) and the portal's own.  Requests
# (POST /api/demandes) are Jean MARTIN's, on his contract L/2087412.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use File::Temp qw(tempdir);
use IO::Select;
use IO::Socket::INET;
use Portail::Test;
use Portail::Pdf qw(pdf page_pdf zeros_deflated);
use Portail::Pieces qw($JPEG_NET $BOUNDARY mp use_compte_section);
use Compress::Zlib ();

reset_database();
use_portail_defaults();
use_compte_section();
no_shuffle();

my $JEAN = 'jean.martin@example.org';
my $TMP = tempdir(CLEANUP => 1);

my %MESSAGE = (
    fichier_contenu_actif => "Ce PDF contient du contenu actif (JavaScript, lien, pièce jointe...) : "
                           . "enregistrez-le à nouveau avec « Imprimer en PDF » puis renvoyez-le.",
    fichier_chiffre => "Ce PDF est chiffré ou protégé par un mot de passe : enregistrez-le sans "
                     . "protection avec « Imprimer en PDF » puis renvoyez-le.",
    fichier_illisible => "Ce PDF est endommagé ou illisible : enregistrez-le à nouveau avec "
                       . "« Imprimer en PDF » puis renvoyez-le.",
    fichier_trop_complexe => "Ce PDF est trop lourd pour être vérifié : enregistrez-le à nouveau avec "
                           . "« Imprimer en PDF », ou en moins de pages, puis renvoyez-le.",
);

sub slurp {
    my ($f) = @_;
    open my $fh, '<:raw', $f or die "$f: $!";
    local $/;
    return scalar <$fh>;
}

sub spew {
    my ($f, $data) = @_;
    open my $fh, '>:raw', $f or die "$f: $!";
    print $fh $data;
    close $fh;
    return $f;
}

# qpdf's command line on a PDF: its output
sub qpdf {
    my ($pdf, @args) = @_;
    my $in = spew("$TMP/in.pdf", $pdf);
    unlink "$TMP/out.pdf";
    system('qpdf', @args, $in, "$TMP/out.pdf") == 0 or die "qpdf @args failed\n";
    return slurp("$TMP/out.pdf");
}

# Jean files a request with that PDF: the raw request, and the answer
sub request_with {
    my ($name, $pdf) = @_;
    my ($cookie, $csrf) = open_session($JEAN);
    return (method => 'POST', path => '/api/demandes', timeout => 30,
            body => mp(formulaire(), pieces => [$name, $pdf, 'application/pdf']),
            headers => { Cookie => "portail_session=$cookie", 'X-CSRF-Token' => $csrf,
                         'Content-Type' => "multipart/form-data; boundary=$BOUNDARY" });
}

sub file_request {
    my $r = http_request(request_with(@_));
    $r->{json} = eval { json_decode($r->{body}) } // {};
    return $r;
}

sub stored {
    return join ',', map { sql_value("SELECT count(*) FROM $_") } qw(demande demande_piece);
}

# each refused with that code, its message on the field, nothing stored
sub refused {
    my ($code, %cases) = @_;
    for my $name (sort keys %cases) {
        my $before = stored();
        my $r = file_request("$name.pdf", $cases{$name});
        is($r->{status}, 422, "$name: 422");
        is($r->{json}{error}, $code, "$name: $code") or diag($r->{body});
        is($r->{json}{message}, $MESSAGE{$code}, "$name: its message");
        is($r->{json}{champs}{pieces}, $MESSAGE{$code}, "$name: on the field");
        is(stored(), $before, "$name: nothing stored");
    }
}

# the fields of a request, for the blocks that send one themselves
sub formulaire {
    return (contrat => '2087412', categorie => 'technique_logement', objet => 'Volet roulant cassé',
            description => 'Il ne remonte plus.');
}

# the issue's file: the catalog and its script in an LZW object stream
our $LZW_JS = page_pdf(catalog => '/OpenAction 6 0 R',
                       objects => { 6 => '<< /S /JavaScript /JS (app.alert\(1\)) >>' },
                       objstm => [1, 2, 3, 5, 6], objstm_filters => ['LZW'], xref_filters => ['LZW']);

my $LINK = '<< /Type /Annot /Subtype /Link /Rect [72 700 300 720] /Border [0 0 0] /A %s >>';

my %after = (

    actifs => sub {
        my %cases;
        # the issue's file: the catalog and its script in an object stream
        # behind each filter and behind all of them, found through a
        # cross-reference stream encoded the same way
        for my $chain (['AHx'], ['A85'], ['LZW'], ['RL'], ['AHx', 'A85', 'LZW', 'RL', 'Fl']) {
            $cases{'script in an object stream, ' . join('+', @$chain)} = page_pdf(
                catalog => '/OpenAction 6 0 R',
                objects => { 6 => '<< /S /JavaScript /JS (app.alert\(1\)) >>' },
                objstm => [1, 2, 3, 5, 6], objstm_filters => $chain, xref_filters => $chain);
        }
        %cases = (%cases,
            'a script named with #xx escapes' =>
                page_pdf(catalog => '/OpenAction << /S /J#61vaScript /J#53 (app.alert\(1\)) >>'),
            'a script as a stream' =>
                page_pdf(catalog => '/OpenAction << /S /JavaScript /JS 6 0 R >>',
                         objects => { 6 => { data => 'app.launchURL("https://x.example/")', filters => ['Fl'] } }),
            "the document's scripts (name tree)" =>
                page_pdf(catalog => '/Names << /JavaScript << /Names [(init) 6 0 R] >> >>',
                         objects => { 6 => '<< /S /JavaScript /JS (this.print\(\)) >>' }),
            'a web page opened with the page (/AA /O)' =>
                page_pdf(page => '/AA << /O << /S /URI /URI (https://phishing.example/) >> >>'),
            'a web page opened with the document' =>
                page_pdf(catalog => '/OpenAction << /S /URI /URI (https://phishing.example/) >>'),
            'a menu command on opening' =>
                page_pdf(catalog => '/OpenAction << /S /Named /N /Print >>'),
            'a GoTo on opening chained to something else' =>
                page_pdf(catalog => '/OpenAction << /S /GoTo /D [2 0 R /Fit] /Next [<< /S /GoTo /D [2 0 R /Fit] >> 6 0 R] >>',
                         objects => { 6 => '<< /S /Launch /F (calc.exe) >>' }),
            'a field that formats itself with a script' =>
                page_pdf(catalog => '/AcroForm << /Fields [6 0 R] >>', page => '/Annots [6 0 R]',
                         objects => { 6 => '<< /Type /Annot /Subtype /Widget /FT /Tx /T (montant) /Rect [72 600 200 620] '
                                         . '/AA << /F << /S /JavaScript /JS (AFNumber_Format\(2\)) >> >> >>' }),
            'a link launching a program' =>
                page_pdf(page => '/Annots [6 0 R]', objects => { 6 => sprintf($LINK, '<< /S /Launch /F (cmd.exe) >>') }),
            'a link to a web page' =>
                page_pdf(page => '/Annots [6 0 R]', objects => { 6 => sprintf($LINK, '<< /S /URI /URI (https://www.maif.fr/) >>') }),
            'a link to another file on a share' =>
                page_pdf(page => '/Annots [6 0 R]',
                         objects => { 6 => sprintf($LINK, '<< /S /GoToR /F (//serveur/partage/a.pdf) /D [0 /Fit] >>') }),
            'a link into an embedded file' =>
                page_pdf(page => '/Annots [6 0 R]',
                         objects => { 6 => sprintf($LINK, '<< /S /GoToE /D [0 /Fit] /T << /R /C /N (a) >> >>') }),
            'a form sent to a server' =>
                page_pdf(catalog => '/AcroForm << /Fields [6 0 R] >>', page => '/Annots [6 0 R]',
                         objects => { 6 => '<< /Type /Annot /Subtype /Widget /FT /Btn /Ff 65536 /T (envoyer) /Rect [72 600 200 620] '
                                         . '/A << /S /SubmitForm /F << /FS /URL /F (https://collecte.example/) >> >> >>' }),
            'form data imported from a file' =>
                page_pdf(catalog => '/OpenAction << /S /GoTo /D [2 0 R /Fit] >>', page => '/Annots [6 0 R]',
                         objects => { 6 => sprintf($LINK, '<< /S /ImportData /F (donnees.fdf) >>') }),
            'an embedded file (name tree, /EF, /EmbeddedFile)' =>
                page_pdf(catalog => '/Names << /EmbeddedFiles << /Names [(facture.exe) 6 0 R] >> >>',
                         objects => { 6 => '<< /Type /Filespec /F (facture.exe) /EF << /F 7 0 R >> >>',
                                      7 => { dict => '/Type /EmbeddedFile', data => "MZ\x90\0\3", filters => ['Fl'] } }),
            'a file attachment annotation' =>
                page_pdf(page => '/Annots [6 0 R]',
                         objects => { 6 => '<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 10 10] /FS 7 0 R >>',
                                      7 => '<< /Type /Filespec /F (notes.txt) >>' }),
            'an XFA form' =>
                page_pdf(catalog => '/AcroForm << /Fields [] /XFA 6 0 R >>',
                         objects => { 6 => { data => '<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"/>', filters => ['Fl'] } }),
            'a Flash (RichMedia) annotation' =>
                page_pdf(page => '/Annots [6 0 R]', objects => { 6 => '<< /Type /Annot /Subtype /RichMedia /Rect [0 0 10 10] >>' }),
            'a sound played on opening' =>
                page_pdf(catalog => '/OpenAction << /S /Sound /Sound 6 0 R >>',
                         objects => { 6 => { dict => '/Type /Sound /R 8000', data => "\0" x 64 } }),
        );
        refused('fichier_contenu_actif', %cases);
    },

    chiffres => sub {
        my $plain = page_pdf();
        refused('fichier_chiffre',
            'encrypted with a password to open it' => qpdf($plain, '--encrypt', 'ouvrir', 'proprio', '256', '--'),
            'encrypted, opening without a password (AES-256)' => qpdf($plain, '--encrypt', '', 'proprio', '256', '--'),
            'encrypted, opening without a password (RC4)' =>
                qpdf($plain, '--allow-weak-crypto', '--encrypt', '', 'proprio', '128', '--use-aes=n', '--'));
    },

    illisibles => sub {
        my $plain = page_pdf();
        my $z = Compress::Zlib::compress('BT /F1 12 Tf 72 720 Td (Texte) Tj ET');
        (my $shifted = $plain) =~ s/(\d{10}) 00000 n/sprintf('%010d 00000 n', $1 + 7)/e;
        refused('fichier_illisible',
            'truncated' => substr($plain, 0, int(length($plain) / 2)),
            'only a header' => "%PDF-1.7\n%%EOF\n",
            'garbage after the header' => "%PDF-1.4\n" . join('', map { chr(($_ * 7919) % 256) } 1 .. 4000),
            'a broken Flate stream' =>
                page_pdf(objects => { 4 => { raw => "x\x9c" . ("\xfe\xff" x 40), filters => ['Fl'] } }),
            'a broken LZW stream' => page_pdf(objects => { 4 => { raw => "\xff" x 64, filters => ['LZW'] } }),
            'a broken ASCII85 stream' => page_pdf(objects => { 4 => { raw => 'vvvvv~>', filters => ['A85'] } }),
            'a filter nobody knows' =>
                page_pdf(objects => { 4 => { dict => '/Filter /SecretDecode', raw => 'abc' } }),
            'a broken object stream' =>
                page_pdf(objstm => [1, 2, 3, 5], objstm_filters => ['Fl'], objstm_raw => substr($z, 0, 8) . 'xxxx'),
            # what a reader would have to rebuild, and could rebuild otherwise
            'a cross-reference table that points beside the objects' => $shifted,
            'a key given twice (readers differ on which one counts)' =>
                page_pdf(catalog => '/Pages 3 0 R'),
            'no cross-reference table' => "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                                        . "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
                                        . "trailer << /Root 1 0 R >>\n%%EOF\n");
    },

    bombes => sub {
        # a gigabyte of zeros behind two Flate filters: 13 KB
        my $bomb = Compress::Zlib::compress(zeros_deflated(1 + 258 * 4_200_000), 9);
        refused('fichier_trop_complexe',
            'a content stream that decodes to 1 GB' =>
                page_pdf(objects => { 4 => { raw => $bomb, filters => ['Fl', 'Fl'] } }),
            'an object stream that decodes to 1 GB (qpdf decodes it itself)' =>
                page_pdf(objstm => [1, 2, 3, 5], objstm_filters => ['Fl', 'Fl'], objstm_raw => $bomb),
            'an image that decodes to 1 GB' =>
                page_pdf(resources => '/XObject << /Im1 6 0 R >>',
                         objects => { 6 => { dict => '/Type /XObject /Subtype /Image /Width 40000 /Height 8750 '
                                                   . '/ColorSpace /DeviceRGB /BitsPerComponent 8',
                                             raw => $bomb, filters => ['Fl', 'Fl'] } }));
        my $r = http_request(path => '/api/sante');
        is($r->{status}, 200, 'the worker still answers');
    },

    authentiques => sub {
        my $chromium = slurp(portail_root() . '/t/fixtures/pdf/avis-impot-chromium.pdf');
        my %cases = (
            'a plain one-page PDF' => page_pdf(),
            'opening on its page, fitted ([3 0 R /Fit])' => page_pdf(catalog => '/OpenAction [2 0 R /Fit]'),
            'opening with a GoTo to its page' => page_pdf(catalog => '/OpenAction << /S /GoTo /D [2 0 R /FitH 842] >>'),
            'a link and an outline within the document' =>
                page_pdf(catalog => '/Outlines 7 0 R /PageMode /UseOutlines', page => '/Annots [6 0 R]',
                         objects => { 6 => sprintf($LINK, '<< /S /GoTo /D [2 0 R /XYZ 0 842 0] >>'),
                                      7 => '<< /Type /Outlines /First 8 0 R /Last 8 0 R /Count 1 >>',
                                      8 => '<< /Title (Attestation) /Parent 7 0 R /Dest [2 0 R /Fit] >>' }),
            'a form without scripts' =>
                page_pdf(catalog => '/AcroForm << /Fields [6 0 R] /NeedAppearances true >>', page => '/Annots [6 0 R]',
                         objects => { 6 => '<< /Type /Annot /Subtype /Widget /FT /Tx /T (nom) /V (Martin) /Rect [72 600 200 620] >>' }),
            'object and cross-reference streams' =>
                page_pdf(objstm => [1, 2, 3, 5], objstm_filters => ['Fl'], xref_filters => ['Fl']),
            'a scanned page (a JPEG image)' =>
                page_pdf(content => 'q 595 0 0 842 0 0 cm /Im1 Do Q',
                         resources => '/XObject << /Im1 6 0 R >>',
                         objects => { 6 => { dict => '/Type /XObject /Subtype /Image /Width 1 /Height 1 '
                                                   . '/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode',
                                             raw => $JPEG_NET } }),
            'printed by Chromium (fonts, vector logo)' => $chromium,
            'printed by Chromium, then in object streams' => qpdf($chromium, '--object-streams=generate'),
            'printed by Chromium, linearized' => qpdf($chromium, '--linearize'),
            "the portal's own notice" =>
                slurp(portail_root() . '/docs/exchange/documents/2013936/2025-06-avis.pdf'),
        );
        for my $name (sort keys %cases) {
            my $before = sql_value(q{SELECT count(*) FROM demande_piece});
            my $r = file_request("$name.pdf", $cases{$name});
            is($r->{status}, 201, "$name: accepted") or diag($r->{body});
            my $p = sql(q{SELECT mime, contenu FROM demande_piece WHERE demande_id = $1}, $r->{json}{id} // 0);
            is(scalar @$p, 1, "$name: stored");
            ok(@$p && $p->[0]{contenu} eq $cases{$name}, "$name: unchanged");
            is(sql_value(q{SELECT count(*) FROM demande_piece}), $before + 1, "$name: one file more");
        }
    },

    boucle => sub {
        # 200 MB to decode: a valid file, and a second or so of qpdf
        my $big = page_pdf(objects => { 4 => { raw => Compress::Zlib::compress(zeros_deflated(1 + 258 * 800_000), 9),
                                               filters => ['Fl', 'Fl'] } });
        my %req = request_with('gros.pdf', $big);
        my $payload = Portail::Test::_raw_request(%req);
        my $upload = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => Portail::Test::server_port(),
                                           Proto => 'tcp') or die "connect: $!";
        syswrite($upload, $payload) == length $payload or die "write: $!";
        my $pending = IO::Select->new($upload);

        # while it is inspected, the health check is answered, again and again
        my ($answered, $while_pending) = (0, 0);
        for (1 .. 5) {
            my $r = http_request(path => '/api/sante', timeout => 5);
            $answered++ if $r->{status} == 200;
            $while_pending++ if $r->{status} == 200 && !$pending->can_read(0);
        }
        is($answered, 5, 'the health check answers during the inspection');
        ok($while_pending >= 3, "the upload was still being inspected meanwhile ($while_pending of 5)");

        my $raw = '';
        while ($pending->can_read(30)) {
            sysread($upload, my $chunk, 65536) or last;
            $raw .= $chunk;
        }
        like($raw, qr{^HTTP/1\.1 201 }, 'and the large PDF is accepted in the end');
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: active content, wherever it hides, is refused [actifs]
--- request
GET /api/sante
--- timeout: 60



=== TEST 2: encrypted PDFs are refused [chiffres]
--- request
GET /api/sante
--- timeout: 30



=== TEST 3: what qpdf cannot read without rebuilding it is refused [illisibles]
--- request
GET /api/sante
--- timeout: 30



=== TEST 4: decompression bombs are refused, the worker untouched [bombes]
--- request
GET /api/sante
--- timeout: 60



=== TEST 5: genuine notices and certificates are accepted, unchanged [authentiques]
--- request
GET /api/sante
--- timeout: 60



=== TEST 6: the event loop serves others while a large PDF is inspected [boucle]
--- request
GET /api/sante
--- timeout: 60



=== TEST 7: the refusal in the log: what was found, and where
--- request eval
"POST /api/demandes\n" . main::mp(main::formulaire(), pieces => ['avis.pdf', $main::LZW_JS, 'application/pdf'])
--- compte: jean.martin@example.org
--- more_headers
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code: 422
--- response_body_like chomp
^\{"error":"fichier_contenu_actif","message":"Ce PDF contient du contenu actif
--- error_log
upload "avis.pdf": PDF inspected: actif
upload "avis.pdf" refused: fichier_contenu_actif: objet 1 0 : /OpenAction : action /JavaScript



=== TEST 8: an inspector that gives no verdict: the file is refused, the error logged
--- http_config
    portail_database "host=$TEST_NGINX_POSTGRESQL_HOST port=$TEST_NGINX_POSTGRESQL_PORT dbname=$TEST_NGINX_POSTGRESQL_DB user=$TEST_NGINX_POSTGRESQL_USER";
    portail_upload_pdf_check /bin/true;
--- request eval
"POST /api/demandes\n" . main::mp(main::formulaire(), pieces => ['avis.pdf', Portail::Pdf::page_pdf(), 'application/pdf'])
--- compte: jean.martin@example.org
--- more_headers
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code: 422
--- response_body_like chomp
^\{"error":"fichier_illisible",
--- error_log
upload "avis.pdf": portail-pdfcheck gave no verdict



=== TEST 9: an inspector that cannot be run: nginx does not start
--- http_config
    portail_database "host=$TEST_NGINX_POSTGRESQL_HOST port=$TEST_NGINX_POSTGRESQL_PORT dbname=$TEST_NGINX_POSTGRESQL_DB user=$TEST_NGINX_POSTGRESQL_USER";
    portail_upload_pdf_check /nonexistent/portail-pdfcheck;
--- must_die
--- error_log
[emerg]
portail_upload_pdf_check "/nonexistent/portail-pdfcheck" cannot be run



=== TEST 10: a thread pool nginx does not have: nginx does not start
--- http_config
    portail_upload_thread_pool absent;
--- must_die
--- error_log
[emerg]
unknown thread pool "absent"
