package Portail::Pieces;

# What the section tests with uploads share: accounts for the demo data's
# signatories, multipart/form-data bodies, and sample files (bytes).

use strict;
use warnings;

use Exporter 'import';
use Portail::Test qw(db);
use Portail::Pdf qw(page_pdf);

our @EXPORT = qw(compte_signataire use_compte_section mp $BOUNDARY $PDF $PDF_JS
                 $PDF_GROS $EXE $JPEG_GPS $JPEG_NET $PNG);

# A confirmed account (Jean's password) for a signatory of the demo data.
sub compte_signataire {
    my ($email, $reference, $prenom) = @_;
    db()->do(q{INSERT INTO compte (personne_id, email, mot_de_passe_hash, confirme_le)
               SELECT p.id, $1, (SELECT mot_de_passe_hash FROM compte
                                  WHERE email = 'jean.martin@example.org'), now()
                 FROM personne p JOIN tiers t ON t.id = p.tiers_id
                WHERE t.reference_client = $2 AND p.prenom = $3},
             undef, $email, $reference, $prenom) == 1 or die "no signatory $prenom\n";
}

# "--- compte: EMAIL": the block's requests are that tenant's, with a
# session cookie and its CSRF token (Portail::Test's placeholders, expanded
# by the preprocessor use_portail_defaults() installed, which runs after
# this one).
sub use_compte_section {
    push @Test::Nginx::Socket::ExtraSections, 'compte';
    Test::Nginx::Socket::add_block_preprocessor(sub {
        my ($block) = @_;
        my $email = $block->compte or return;
        my $h = "Cookie: portail_session={{session:$email}}\nX-CSRF-Token: {{csrf:$email}}\n";
        my $more = $block->more_headers;
        $block->set_value('more_headers', ref $more eq 'ARRAY' ? [ map { $h . $_ } @$more ]
                                                                : $h . ($more // ''));
    });
}

# multipart/form-data (Content-Type: multipart/form-data; boundary=$BOUNDARY):
# name => value, or name => [filename, bytes, type]
our $BOUNDARY = 'PortailTest7d3f';

sub mp {
    my @f = @_;
    my $body = '';
    while (my ($k, $v) = splice @f, 0, 2) {
        $body .= "--$BOUNDARY\r\nContent-Disposition: form-data; name=\"$k\"";
        $body .= ref $v ? "; filename=\"$v->[0]\"\r\nContent-Type: $v->[2]\r\n\r\n$v->[1]\r\n"
                        : "\r\n\r\n$v\r\n";
    }
    return "$body--$BOUNDARY--\r\n";
}

# a one-page PDF (a font, a compressed content stream), and the same
# opening on a script (Portail::Pdf: what the inspector reads as is)
our $PDF = page_pdf();
our $PDF_JS = page_pdf(catalog => '/OpenAction << /S /JavaScript /JS (app.alert\(1\)) >>');
# over the default portail_upload_max_size (5m)
our $PDF_GROS = "%PDF-1.4\n%" . ("0" x (5 * 1024 * 1024)) . "\n%%EOF\n";
our $EXE = "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00 pas une photo";

# A JPEG carrying the GPS position (EXIF) and a comment, and what must be
# kept of it: everything but those two segments.
my $APP0 = "\xff\xe0" . pack('n', 16) . "JFIF\0\x01\x01\0\0\x01\0\x01\0\0";
my $TIFF = "MM\0\x2a" . pack('N', 8)
         . pack('n', 1) . pack('nnNN', 0x8825, 4, 1, 26) . pack('N', 0)      # IFD0: GPSInfo
         . pack('n', 2) . pack('nnN', 1, 2, 2) . "N\0\0\0"                    # GPSLatitudeRef N
         . pack('nnNN', 2, 5, 3, 56) . pack('N', 0)                           # GPSLatitude
         . pack('N6', 46, 1, 9, 1, 3312, 100);                                # 46° 9' 33.12"
my $APP1 = "\xff\xe1" . pack('n', length($TIFF) + 8) . "Exif\0\0" . $TIFF;
my $COM = "Pris au 4 rue des Goelands 17440";
$COM = "\xff\xfe" . pack('n', length($COM) + 2) . $COM;
my $SCAN = "\xff\xda" . pack('n', 8) . "\x01\x01\x00\x00\x3f\x00" . "\x12\x34\x56\x78\x9a" . "\xff\xd9";
our $JPEG_GPS = "\xff\xd8" . $APP0 . $APP1 . $COM . $SCAN;
our $JPEG_NET = "\xff\xd8" . $APP0 . $SCAN;

# a 1x1 PNG
our $PNG = "\x89PNG\r\n\x1a\n" . pack('N', 13) . "IHDR" . pack('NNCCCCC', 1, 1, 8, 0, 0, 0, 0)
         . "\0\0\0\0" . pack('N', 0) . "IEND\xaeB`\x82";

1;
