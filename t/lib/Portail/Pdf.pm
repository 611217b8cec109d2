package Portail::Pdf;

# PDFs made in the tests, genuine or hostile: objects written as text, with
# a classic cross-reference table or a cross-reference stream, objects
# packed in an object stream, streams encoded through any chain of the
# standard filters (the encoders are here: ASCIIHex, ASCII85, LZW,
# RunLength, Flate).  Offsets and lengths are computed, so that qpdf reads
# every file without rebuilding anything: what a test refuses, it refuses
# for what the file holds.
#
#   pdf(objects => { 1 => '<< /Type /Catalog /Pages 2 0 R >>',
#                    4 => { dict => '/Type /XObject ...', data => $bytes,
#                           filters => ['Fl', 'AHx'] },
#                    5 => { raw => $encoded, filters => ['Fl'] } },
#       root => 1, xref => 'table' | 'stream',
#       objstm => [1, 2, 3], objstm_filters => [...], xref_filters => [...],
#       objstm_raw => $bytes)   # the object stream's data as it is
#
# Filters are listed in the order of /Filter (the order of decoding):
# ['AHx', 'Fl'] is /Filter [/ASCIIHexDecode /FlateDecode], hex of deflated
# data.

use strict;
use warnings;

use Exporter 'import';
use Compress::Zlib ();

our @EXPORT_OK = qw(pdf page_pdf encode filter_names zeros_deflated);

my %NAME = (AHx => 'ASCIIHexDecode', A85 => 'ASCII85Decode', LZW => 'LZWDecode',
            RL => 'RunLengthDecode', Fl => 'FlateDecode');

my %ENCODE = (
    AHx => sub { uc(unpack 'H*', $_[0]) . '>' },
    A85 => \&_a85,
    LZW => \&_lzw,
    RL  => \&_rl,
    Fl  => sub { Compress::Zlib::compress($_[0]) },
);

sub filter_names {
    my @f = @_;
    return '' unless @f;
    return '/Filter ' . (@f == 1 ? "/$NAME{$f[0]}" : '[' . join(' ', map { "/$NAME{$_}" } @f) . ']');
}

# data encoded so that decoding through @filters, in that order, gives it back
sub encode {
    my ($data, @filters) = @_;
    for my $f (reverse @filters) {
        my $e = $ENCODE{$f} or die "unknown filter $f\n";
        $data = $e->($data);
    }
    return $data;
}

sub _a85 {
    my ($d) = @_;
    my $out = '';
    for (my $i = 0; $i < length $d; $i += 4) {
        my $chunk = substr($d, $i, 4);
        my $n = length $chunk;
        my $v = unpack 'N', $chunk . ("\0" x (4 - $n));
        if ($n == 4 && $v == 0) {
            $out .= 'z';
            next;
        }
        my @c;
        for (1 .. 5) {
            unshift @c, chr(33 + $v % 85);
            $v = int($v / 85);
        }
        $out .= join '', @c[0 .. $n];
    }
    return "$out~>";
}

# LZW as PDF has it (EarlyChange 1): 9 to 12 bit codes, a clear code first
# and before the table is full, 257 at the end.
sub _lzw {
    my ($d) = @_;
    my ($bits, $nbits, $out) = (0, 0, '');
    my $put = sub {
        my ($code, $width) = @_;
        $bits = ($bits << $width) | $code;
        $nbits += $width;
        while ($nbits >= 8) {
            $out .= chr(($bits >> ($nbits - 8)) & 0xff);
            $nbits -= 8;
        }
        $bits &= (1 << $nbits) - 1;
    };
    # the width the decoder reads the k-th code after a clear with
    my $width = sub {
        my ($k) = @_;
        return 9 if $k < 255;
        return 10 if $k < 767;
        return 11 if $k < 1791;
        return 12;
    };
    my (%dict, $next, $k);
    my $reset = sub { %dict = map { (chr($_) => $_) } 0 .. 255; $next = 258; $k = 1 };
    $put->(256, 9);
    $reset->();
    my $w = '';
    for my $c (split //, $d) {
        if (exists $dict{$w . $c}) {
            $w .= $c;
            next;
        }
        $put->($dict{$w}, $width->($k++));
        $dict{$w . $c} = $next++;
        $w = $c;
        if ($k > 3800) {
            $put->(256, $width->($k));
            $reset->();
        }
    }
    $put->($dict{$w}, $width->($k++)) if length $w;
    $put->(257, $width->($k));
    $put->(0, 8 - $nbits) if $nbits;
    return $out;
}

sub _rl {
    my ($d) = @_;
    my $out = '';
    for (my $i = 0; $i < length $d; $i += 128) {
        my $chunk = substr($d, $i, 128);
        $out .= chr(length($chunk) - 1) . $chunk;
    }
    return $out . chr(128);
}

# zlib data that inflates to $n zero bytes (1 + a multiple of 258), made
# without deflating them: one literal, then "258 bytes again at distance 1"
# in deflate's fixed codes, 13 bits each.  For a file that decodes to
# gigabytes.
sub zeros_deflated {
    my ($n) = @_;
    my $k = int(($n - 1) / 258);
    # a deflate bit string, least significant bit first; Huffman codes
    # most significant bit first
    my $bits = '1' . '10'                      # last block, fixed codes
             . '00110000'                      # literal 0
             . ('11000101' . '00000') x $k     # length 258, distance 1
             . '0000000';                      # end of block
    $bits .= '0' x ((8 - length($bits) % 8) % 8);
    # adler32 of $n zeros: a = 1, b = n
    return "\x78\x01" . pack('b*', $bits) . pack('N', (($n % 65521) << 16) | 1);
}

sub _object {
    my ($o) = @_;
    return $o unless ref $o;
    my $data = defined $o->{raw} ? $o->{raw} : encode($o->{data}, @{ $o->{filters} // [] });
    my $dict = join ' ', grep { length } ($o->{dict} // ''), filter_names(@{ $o->{filters} // [] }),
                                        ($o->{parms} // ''), '/Length ' . length($data);
    return "<< $dict >>\nstream\n$data\nendstream";
}

sub pdf {
    my (%o) = @_;
    my %objects = %{ $o{objects} };
    my %in_stm = map { ($_ => 1) } @{ $o{objstm} // [] };
    my $xref = $o{xref} // (%in_stm ? 'stream' : 'table');
    my $version = $o{version} // ($xref eq 'stream' ? '1.5' : '1.4');
    my $out = "%PDF-$version\n%\xe2\xe3\xcf\xd3\n";
    my (%offset, %where);

    my @nums = sort { $a <=> $b } keys %objects;
    my $max = $nums[-1] // 0;

    # the object stream gets the number after the last object, the
    # cross-reference stream the one after
    my $stm_num;
    if (%in_stm) {
        $stm_num = ++$max;
        my ($head, $body, $i) = ('', '', 0);
        for my $n (sort { $a <=> $b } keys %in_stm) {
            die "object $n is a stream: it cannot be in an object stream\n" if ref $objects{$n};
            $head .= "$n " . length($body) . ' ';
            $body .= $objects{$n} . "\n";
            $where{$n} = $i++;
        }
        $objects{$stm_num} = { dict => "/Type /ObjStm /N $i /First " . length($head),
                               data => $head . $body, filters => $o{objstm_filters} // [],
                               raw => $o{objstm_raw} };
        delete $objects{$_} for keys %in_stm;
    }

    for my $n (sort { $a <=> $b } keys %objects) {
        $offset{$n} = length $out;
        $out .= "$n 0 obj\n" . _object($objects{$n}) . "\nendobj\n";
    }

    my $trailer = "/Root $o{root} 0 R" . ($o{trailer} ? " $o{trailer}" : '');

    if ($xref eq 'table') {
        my $size = $max + 1;
        my $start = length $out;
        $out .= "xref\n0 $size\n0000000000 65535 f\r\n";
        for my $n (1 .. $max) {
            $out .= defined $offset{$n} ? sprintf("%010d 00000 n\r\n", $offset{$n})
                                        : "0000000000 00000 f\r\n";
        }
        $out .= "trailer\n<< /Size $size $trailer >>\nstartxref\n$start\n%%EOF\n";
        return $out;
    }

    my $xnum = ++$max;
    my $size = $max + 1;
    my $start = length $out;
    $offset{$xnum} = $start;
    my $rows = pack('CNn', 0, 0, 65535);
    for my $n (1 .. $max) {
        $rows .= defined $where{$n}  ? pack('CNn', 2, $stm_num, $where{$n})
               : defined $offset{$n} ? pack('CNn', 1, $offset{$n}, 0)
               :                       pack('CNn', 0, 0, 0);
    }
    $out .= "$xnum 0 obj\n" . _object({ dict => "/Type /XRef /Size $size /W [1 4 2] $trailer",
                                        data => $rows, filters => $o{xref_filters} // [] })
          . "\nendobj\nstartxref\n$start\n%%EOF\n";
    return $out;
}

# One page with some text: what the objects of a test add to.  %o as for
# pdf(); catalog, page and pages are 1, 2 and 3, the content 4, the font 5;
# the catalog's, page's and page resources' extra keys in catalog, page,
# resources.
sub page_pdf {
    my (%o) = @_;
    my $content = $o{content} // "BT /F1 12 Tf 72 720 Td (Attestation d'assurance) Tj ET";
    my %objects = (
        1 => "<< /Type /Catalog /Pages 3 0 R " . ($o{catalog} // '') . " >>",
        2 => "<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
           . "/Resources << /Font << /F1 5 0 R >> " . ($o{resources} // '') . " >> "
           . ($o{page} // '') . " >>",
        3 => "<< /Type /Pages /Kids [2 0 R] /Count 1 >>",
        4 => { data => $content, filters => $o{content_filters} // ['Fl'] },
        5 => "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        %{ $o{objects} // {} },
    );
    delete $o{$_} for qw(content catalog page resources objects content_filters);
    return pdf(objects => \%objects, root => 1, %o);
}

1;
