package Test::Nginx::Socket;

# Local re-implementation of openresty's Test::Nginx::Socket (data-driven
# nginx tests on top of Test::Base).  The real module is not packaged for
# Debian.  This one follows the real module's semantics (request building,
# response parsing, checks and their test counts) for the sections it
# implements, and dies naming the section for anything else.
# See t/README.md.

use v5.10.1;
use Test::Base -base;

our $VERSION = '0.29_portail';

use POSIX qw( EAGAIN EWOULDBLOCK EINTR );
use Encode ();
use Time::HiRes qw( sleep time );
use List::Util qw( min );
use IO::Select ();
use IO::Socket::INET ();
use Digest::MD5 ();
use Digest::SHA ();
use HTTP::Response ();

use Test::Nginx::Util;

our @EXPORT = qw( env_to_nginx is_str plan run_tests run_test
  repeat_each config_preamble worker_connections
  master_process_enabled
  no_long_string workers master_on master_off
  log_level no_shuffle no_root_location use_hup
  server_name
  server_addr server_root html_dir server_port server_port_for_client
  timeout no_nginx_manager check_accum_error_log
  add_block_preprocessor bail_out add_cleanup_handler
  add_response_body_check
);

# custom sections used by this test file's callbacks; see Util.pm
our @ExtraSections;

our @ResponseBodyChecks;

$RunTestHelper = \&run_test_helper;
$CheckErrorLog = \&check_error_log;

sub set_http_config_filter ($) {
    $FilterHttpConfig = shift;
}

sub value_contains ($$);

sub add_response_body_check ($) {
    push @ResponseBodyChecks, shift;
}

# ---------------------------------------------------------------------------
# building requests
# ---------------------------------------------------------------------------

# Splits the first line "METHOD [URI [VERSION]]" off a request text and
# records the size of every piece, so that the request can be rewritten
# (normalized request line, headers inserted, body trimmed) without moving
# the boundaries between the packets the test author asked for.
sub parse_request ($$) {
    my ($name, $text) = @_;

    my $nl = index($text, "\n");
    my ($first, $content) = $nl >= 0
                            ? (substr($text, 0, $nl + 1), substr($text, $nl + 1))
                            : ($text, '');

    if (!length $first) {
        bail_out("$name - Request line should be non-empty");
    }

    if ($first !~ /^(\s*)(\S+)( *)((\S+)( *))?((\S+)( *))?(\s*)$/) {
        bail_out("$name - Request line is not valid. Should be 'meth [url [version]]' "
                 . "but got \"$first\".");
    }

    my %r = (
        skipped_before_method => length($1),
        method                => $2,
        skipped_after_method  => length($3),
        url                   => $5,
        url_size              => defined $5 ? length($5) : 0,
        skipped_after_url     => defined $6 ? length($6) : 0,
        http_ver              => $8,
        http_ver_size         => defined $8 ? length($8) : 0,
        skipped_after_http_ver => (defined $9 ? length($9) : 0) + length($10 // ''),
        content               => $content,
        content_size          => length($content),
    );
    $r{method_size} = length $r{method};
    $r{url} = '/' if !defined $r{url};
    $r{http_ver} = 'HTTP/1.1' if !defined $r{http_ver};

    return \%r;
}

# Apply a list of [original_length, replacement] segments covering the
# concatenation of the packets, keeping the packet boundaries: a replaced
# piece spanning a boundary is split at the same offset, insertions go to
# the packet holding the current position.
sub rewrite_packets ($$) {
    my ($segments, $packets) = @_;

    my @lens = map { length($_ // '') } @$packets;
    my @out = ('') x @lens;
    return \@out unless @lens;

    my $pi = 0;
    my $left = $lens[0];

    for my $seg (@$segments) {
        my ($n, $val) = @$seg;
        $n //= 0;
        $val //= '';

        if ($n == 0) {
            $out[$pi] .= $val;
            next;
        }

        while ($n > 0) {
            while ($left == 0 && $pi < $#lens) {
                $pi++;
                $left = $lens[$pi];
            }
            my $k = $n < $left ? $n : $left;
            if ($k == $n || $pi == $#lens) {
                $out[$pi] .= $val;
                $left -= $k;
                $left = 0 if $left < 0;
                last;
            }
            $out[$pi] .= substr($val, 0, $k, '');
            $left -= $k;
            $n -= $k;
        }
    }

    return \@out;
}

sub build_request_from_packets ($$$$$) {
    my ($name, $more_headers, $is_chunked, $conn_header, $request_packets) = @_;

    my $whole = join '', map { $_ // '' } @$request_packets;
    my $req = parse_request($name, $whole);

    my $len_header = '';
    my $content = $req->{content};
    if (!$is_chunked
        && defined $content
        && $content ne ''
        && $more_headers !~ /(?:^|\n)Content-Length:/)
    {
        $content =~ s/^\s+|\s+$//gs;
        $len_header .= "Content-Length: " . length($content) . "\r\n";
    }

    $more_headers =~ s/(?<!\r)\n/\r\n/gs;

    my $headers = '';
    if ($more_headers !~ /(?:^|\n)Host:/msi) {
        $headers .= "Host: $ServerName\r\n";
    }
    if ($more_headers !~ /(?:^|\n)Connection/msi) {
        $headers .= "Connection: $conn_header\r\n";
    }
    $headers .= "$more_headers$len_header\r\n";

    my @segments = (
        [$req->{skipped_before_method}, ''],
        [$req->{method_size}, "$req->{method} "],
        [$req->{skipped_after_method}, ''],
        [$req->{url_size}, "$req->{url} "],
        [$req->{skipped_after_url}, ''],
        [$req->{http_ver_size}, "$req->{http_ver}\r\n"],
        [$req->{skipped_after_http_ver}, ''],
        [0, $headers],
        [$req->{content_size}, $content],
    );

    return rewrite_packets(\@segments, $request_packets);
}

sub parse_more_headers ($) {
    my ($in) = @_;
    my @headers = split /\n+/, $in;
    my $is_chunked;
    my $out = '';
    for my $header (@headers) {
        next if $header =~ /^\s*\#/;
        my ($key, $val) = split /:\s*/, $header, 2;
        $val //= '';
        if (lc($key) eq 'transfer-encoding' and $val eq 'chunked') {
            $is_chunked = 1;
        }
        $out .= "$key: $val\r\n";
    }
    return ($out, $is_chunked);
}

sub more_headers_for ($$$) {
    my ($name, $more_headers, $i) = @_;
    if (ref $more_headers eq 'ARRAY') {
        my $hdr = $more_headers->[$i];
        if (!defined $hdr) {
            bail_out("$name - --- more_headers lacks data for the request #$i");
        }
        return parse_more_headers($hdr);
    }
    return parse_more_headers($more_headers);
}

# Returns a list of requests; each request is a list of packets
# ({ value => bytes, delay_before => seconds }) sent on one connection.
sub get_req_from_block ($) {
    my ($block) = @_;
    my $name = $block->name;

    my @req_list;

    if (defined $block->raw_request) {
        my $raw = $block->raw_request;
        if (ref $raw && ref $raw eq 'ARRAY') {
            push @req_list, [ map { { value => $_ } } @$raw ];
        } else {
            push @req_list, [ { value => $raw } ];
        }
        return \@req_list;
    }

    my $request = $block->request;
    if (defined $request && !ref $request) {
        # leading comments and blank lines
        while ($request =~ s/^\s*\#[^\n]+\s+|^\s+//gs) { }
    }

    my $more_headers = $block->more_headers // '';

    if ($block->pipelined_requests) {
        my $reqs = $block->pipelined_requests;
        if (!ref $reqs || ref $reqs ne 'ARRAY') {
            bail_out("$name - invalid entries in --- pipelined_requests");
        }
        my $prq = '';
        my $i = 0;
        for my $one (@$reqs) {
            my $conn_type = $i == @$reqs - 1 ? 'close' : 'keep-alive';
            my ($hdr, $is_chunked) = more_headers_for($name, $more_headers, $i);
            my $r = build_request_from_packets($name, $hdr, $is_chunked,
                                               $conn_type, [$one]);
            $prq .= $r->[0];
            $i++;
        }
        push @req_list, [ { value => $prq } ];
        return \@req_list;
    }

    if (!defined $request) {
        bail_out("$name - no --- request, --- raw_request or "
                 . "--- pipelined_requests section");
    }

    if (!ref $request) {
        my ($hdr, $is_chunked) = more_headers_for($name, $more_headers, 0);
        my $r = build_request_from_packets($name, $hdr, $is_chunked, 'close',
                                           [$request]);
        push @req_list, [ { value => $r->[0] } ];

    } elsif (ref $request eq 'ARRAY') {
        my $i = 0;
        for my $one_req (@$request) {
            my ($hdr, $is_chunked) = more_headers_for($name, $more_headers, $i);

            if (!ref $one_req) {
                my $r = build_request_from_packets($name, $hdr, $is_chunked,
                                                   'close', [$one_req]);
                push @req_list, [ { value => $r->[0] } ];

            } elsif (ref $one_req eq 'ARRAY') {
                my @packets;
                for my $p (@$one_req) {
                    if (!ref $p) {
                        push @packets, $p;
                    } elsif (ref $p eq 'HASH') {
                        push @packets, $p->{value};
                    } else {
                        bail_out("$name - Invalid syntax. $p should be a string "
                                 . "or hash with value.");
                    }
                }
                my $new = build_request_from_packets($name, $hdr, $is_chunked,
                                                     'close', \@packets);
                my @transformed;
                for my $idx (0 .. $#$one_req) {
                    my $orig = $one_req->[$idx];
                    if (ref $orig) {
                        push @transformed, { %$orig, value => $new->[$idx] };
                    } else {
                        push @transformed, { value => $new->[$idx] };
                    }
                }
                push @req_list, \@transformed;

            } else {
                bail_out("$name - Invalid syntax. $one_req should be a string "
                         . "or an array of packets.");
            }
            $i++;
        }

    } else {
        bail_out("$name - invalid ---request : MUST be string or array of requests");
    }

    return \@req_list;
}

# ---------------------------------------------------------------------------
# the HTTP client
# ---------------------------------------------------------------------------

sub connect_to_server ($$$$) {
    my ($name, $addr, $port, $timeout) = @_;

    my $total_tries = $TotalConnectingTimeouts ? 20 : 50;
    my $tries = 0;

    while (1) {
        $tries++;
        my $sock = IO::Socket::INET->new(
            PeerAddr => $addr,
            PeerPort => $port,
            Proto    => 'tcp',
            Timeout  => $timeout,
        );
        return $sock if $sock;

        my $err = $! ? "$!" : ($@ || 'unknown error');

        if (!nginx_is_running()) {
            my $tb = Test::More->builder;
            $tb->no_ending(1);
            Test::More::fail("$name - Can't connect to $addr:$port: $err (aborted)\n");
            $tb->diag("nginx is not running; tail of $ErrLogFile:\n" . error_log_tail(20));
            return undef;
        }

        if ($tries <= $total_tries) {
            my $s = sleep_time();
            my $wait = ($s + $s * $tries) * $tries / 2;
            $wait = 1 if $wait >= 1;
            if ($wait >= 0.6) {
                warn "$name - Can't connect to $addr:$port: $err\n";
                warn "\tRetry connecting after $wait sec\n" if $tries + 1 <= $total_tries;
            }
            sleep $wait;
            next;
        }

        my $msg = "$name - Can't connect to $addr:$port: $err (aborted)\n";
        if (++$TotalConnectingTimeouts < 3) {
            Test::More->builder->no_ending(1);
            Test::More::fail($msg);
        } else {
            bail_out($msg);
        }
        return undef;
    }
}

# Sends one request (a list of packets) on a new connection and reads the
# response until the server closes the connection.  The timeout applies
# between two I/O events, like in the real module.
sub send_request ($$$$) {
    my ($req, $middle_delay, $timeout, $block) = @_;

    my $name = $block->name;
    my @bits = @$req;

    my $head_req = 0;
    {
        my $all = join '', map { $_->{value} // '' } @bits;
        $head_req = 1 if $all =~ /^\s*HEAD\s+/;
    }

    my $addr = $block->server_addr_for_client // $ServerAddr;

    my $sock = connect_to_server($name, $addr, $ServerPortForClient, $timeout)
        or return (undef, $head_req);

    binmode $sock;
    $sock->blocking(0);
    local $SIG{PIPE} = 'IGNORE';

    my $resp = '';
    my $first = shift @bits;
    my $wbuf = $first ? $first->{value} // '' : '';
    my $woff = 0;
    my $writing = 1;
    my $open = 1;
    my $sel = IO::Select->new($sock);

    while ($open) {
        $! = 0;
        my ($r, $w) = IO::Select->select($sel, $writing ? $sel : undef, undef, $timeout);

        if (!$r && !$w) {
            next if $! == EINTR;

            # timed out
            close $sock;
            undef $open;
            if (!defined $block->abort) {
                my $tb = Test::More->builder;
                $tb->no_ending(1);
                Test::More::fail("ERROR: client socket timed out - $name\n");
            } else {
                sleep 0.005;
            }
            last;
        }

        if ($r && @$r) {
            while (1) {
                my $buf;
                my $n = sysread($sock, $buf, 8192);
                if (!defined $n) {
                    last if $! == EAGAIN || $! == EWOULDBLOCK;
                    next if $! == EINTR;
                    warn "WARNING: $name - HTTP response read failure: $!";
                    undef $open;
                    last;
                }
                if ($n == 0) {      # connection closed
                    undef $open;
                    last;
                }
                $resp .= $buf;
            }
            last unless $open;
        }

        if ($writing && $w && @$w) {
            while (1) {
                my $rest = length($wbuf) - $woff;
                if ($rest > 0) {
                    my $n = eval { syswrite($sock, $wbuf, $rest, $woff) };
                    if ($@) {
                        my $err = "write failed: $@";
                        warn "$err\n";
                        $resp = $err;
                        undef $open;
                        last;
                    }
                    if (!defined $n) {
                        last if $! == EAGAIN || $! == EWOULDBLOCK;
                        next if $! == EINTR;
                        my $err = "write failed: $!";
                        warn "$err\n";
                        $resp = $err if !length $resp;
                        undef $open;
                        last;
                    }
                    $woff += $n;
                    next;
                }

                my $next = shift @bits;
                if (!defined $next) {
                    # all data has been written
                    undef $writing;
                    my $shutdown = $block->shutdown;
                    if (defined $shutdown) {
                        $shutdown = 1 if $shutdown =~ /^$/s;
                        shutdown($sock, $shutdown);
                    }
                    last;
                }

                $wbuf = $next->{value} // '';
                $woff = 0;
                my $wait = defined $next->{delay_before} ? $next->{delay_before}
                                                         : $middle_delay;
                sleep $wait if $wait;
            }
        }
    }

    close $sock if $sock->opened;

    return ($resp, $head_req);
}

# ---------------------------------------------------------------------------
# response parsing
# ---------------------------------------------------------------------------

sub parse_response ($$$) {
    my ($name, $raw_resp, $head_req) = @_;

    my $left;

    my $raw_headers = '';
    if ($raw_resp =~ /(.*?\r\n)\r\n/s) {
        $raw_headers = $1;
    }

    my $res = HTTP::Response->parse($raw_resp);

    my $code = $res->code;
    my $enc = $res->header('Transfer-Encoding');
    my $len = $res->header('Content-Length');

    if ($code && $code !~ /^\d+$/) {
        undef $code;
        $res->code(undef);
    }

    if ($code && ($code == 304 || $code == 101)) {
        return ($res, $raw_headers);
    }

    if (defined $enc && $enc eq 'chunked') {
        my $raw = $res->content // '';
        my $decoded = '';

        while (1) {
            if ($raw =~ /\G 0 [\ \t]* \r\n \r\n /gcsx) {
                if ($raw =~ /\G (.+) /gcsx) {
                    $left = $1;
                }
                last;
            }

            if ($raw =~ m{ \G [\ \t]* ( [A-Fa-f0-9]+ ) [\ \t]* \r\n }gcsx) {
                my $size = hex($1);
                my $pos = pos($raw);
                if (length($raw) - $pos < $size) {
                    my $tb = Test::More->builder;
                    $tb->no_ending(1);
                    Test::More::fail("$name - invalid chunked data received "
                                     . "(not enought octets for the data section)");
                    return;
                }
                $decoded .= substr($raw, $pos, $size);
                pos($raw) = $pos + $size;

                if ($raw !~ /\G\r\n/gcs) {
                    my $tb = Test::More->builder;
                    $tb->no_ending(1);
                    Test::More::fail("$name - invalid chunked data received (expected CRLF).");
                    return;
                }

            } elsif ($raw =~ /\G.+/gcs) {
                my $tb = Test::More->builder;
                $tb->no_ending(1);
                Test::More::fail("$name - invalid chunked body received: $&");
                return;

            } else {
                my $tb = Test::More->builder;
                $tb->no_ending(1);
                Test::More::fail("$name - no last chunk found - $raw");
                return;
            }
        }

        $res->content($decoded);

    } elsif (defined $len && $len ne '' && $len >= 0) {
        my $raw = $res->content // '';
        if (length $raw < $len) {
            if (!$head_req) {
                warn "WARNING: $name - response body truncated: ",
                     "$len expected, but got ", length $raw, "\n";
            }
        } elsif (length $raw > $len) {
            $left = substr $raw, $len;
            $res->content(substr $raw, 0, $len);
        }
    }

    return ($res, $raw_headers, $left);
}

# ---------------------------------------------------------------------------
# checks
# ---------------------------------------------------------------------------

sub get_indexed_value ($$$$) {
    my ($name, $value, $req_idx, $need_array) = @_;
    if ($need_array) {
        if (ref $value && ref $value eq 'ARRAY') {
            return $value->[$req_idx];
        }
        bail_out("$name - You asked for many requests, the expected results "
                 . "should be arrays as well.");
    }
    if (ref $value && ref $value eq 'ARRAY') {
        if ($req_idx != 0) {
            bail_out("$name - SHOULD NOT HAPPEN: idx != 0 and don't need array.");
        }
        return $value->[0];
    }
    return $value;
}

sub check_error_code ($$$$$) {
    my ($block, $res, $dry_run, $req_idx, $need_array) = @_;
    my $name = $block->name;
    SKIP: {
        skip "$name - tests skipped due to $dry_run", 1 if $dry_run;

        my $got = ($res && $res->code) || '';
        if (defined $block->error_code_like) {
            my $val = get_indexed_value($name, $block->error_code_like, $req_idx,
                                        $need_array);
            Test::More::like($got, qr/$val/sm, "$name - status code ok");

        } elsif (defined $block->error_code) {
            Test::More::is($got,
                get_indexed_value($name, $block->error_code, $req_idx, $need_array),
                "$name - status code ok");

        } else {
            Test::More::is($got, 200, "$name - status code ok");
        }
    }
}

sub check_raw_response_headers ($$$$$) {
    my ($block, $raw_headers, $dry_run, $req_idx, $need_array) = @_;
    my $name = $block->name;

    if (defined $block->raw_response_headers_like) {
        SKIP: {
            skip "$name - raw_response_headers_like - tests skipped due to $dry_run", 1
                if $dry_run;
            my $expected = get_indexed_value($name, $block->raw_response_headers_like,
                                             $req_idx, $need_array);
            Test::More::like($raw_headers, qr/$expected/s, "$name - raw resp headers like");
        }
    }

    if (defined $block->raw_response_headers_unlike) {
        SKIP: {
            skip "$name - raw_response_headers_unlike - tests skipped due to $dry_run", 1
                if $dry_run;
            my $expected = get_indexed_value($name, $block->raw_response_headers_unlike,
                                             $req_idx, $need_array);
            Test::More::unlike($raw_headers, qr/$expected/s,
                               "$name - raw resp headers unlike");
        }
    }
}

sub check_response_headers ($$$$$$) {
    my ($block, $res, $raw_headers, $dry_run, $req_idx, $need_array) = @_;
    my $name = $block->name;

    if (defined $block->response_headers) {
        my $headers = parse_headers(get_indexed_value($name, $block->response_headers,
                                                      $req_idx, $need_array));
        for my $key (sort keys %$headers) {
            my $val = $headers->{$key};
            if (!defined $val) {
                SKIP: {
                    skip "$name - response_headers - tests skipped due to $dry_run", 1
                        if $dry_run;
                    Test::More::unlike($raw_headers, qr/^\s*\Q$key\E\s*:/ms,
                                       "$name - header $key not present in the raw headers");
                }
                next;
            }

            $val =~ s/\$ServerPort\b/$ServerPort/g;
            $val =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;

            my $actual_val = $res ? $res->header($key) : undef;
            $actual_val //= '';

            SKIP: {
                skip "$name - response_headers - tests skipped due to $dry_run", 1
                    if $dry_run;
                Test::More::is($actual_val, $val, "$name - header $key ok");
            }
        }

    } elsif (defined $block->response_headers_like) {
        my $headers = parse_headers(get_indexed_value($name, $block->response_headers_like,
                                                      $req_idx, $need_array));
        for my $key (sort keys %$headers) {
            my $val = $headers->{$key} // '';
            my $actual_val = $res ? $res->header($key) : undef;
            $actual_val //= '';
            SKIP: {
                skip "$name - response_headers_like - tests skipped due to $dry_run", 1
                    if $dry_run;
                Test::More::like($actual_val, qr/^$val$/, "$name - header $key like ok");
            }
        }
    }
}

sub run_filter_helper ($$$) {
    my ($block, $filter, $content) = @_;
    my $name = $block->name;

    if (ref $filter && ref $filter eq 'CODE') {
        $content = $filter->($content);

    } elsif (!ref $filter) {
        if ($filter eq 'md5_hex') {
            $content = Digest::MD5::md5_hex($content);
        } elsif ($filter eq 'sha1_hex') {
            $content = Digest::SHA::sha1_hex($content);
        } elsif ($filter eq 'uc') {
            $content = uc($content);
        } elsif ($filter eq 'lc') {
            $content = lc($content);
        } elsif ($filter eq 'ucfirst') {
            $content = ucfirst($content);
        } elsif ($filter eq 'lcfirst') {
            $content = lcfirst($content);
        } elsif ($filter eq 'length') {
            $content = length($content);
        } else {
            bail_out("$name - unknown filter, \"$filter\", "
                     . "specified in the --- response_body_filters section");
        }

    } else {
        bail_out("$name - the --- response_body_filters section "
                 . "only supports subroutine reference values and string values");
    }

    return $content;
}

sub transform_response_body ($$$) {
    my ($block, $res, $req_idx) = @_;

    return unless defined $res;
    my $content = $res->content;
    return unless defined $content;

    my $name = $block->name;
    my $filters = $block->response_body_filters;
    return unless defined $filters;

    my $is_2d_array = 0;

    if (!ref $filters) {
        $filters =~ s/^\s+|\s+$//gs;
        $filters = [split /\s+/, $filters];
    } elsif (ref $filters ne 'ARRAY') {
        $filters = [$filters];
    }

    if (ref $filters->[0] eq 'ARRAY') {
        $is_2d_array = 1;
        for my $elem (@$filters) {
            if (ref $elem ne 'ARRAY') {
                bail_out("$name - the --- response_body_filters two-dimensional array "
                         . "only be like [[uc], [lc]] not [[uc], lc]");
            }
        }
    }

    my $filter = $filters;
    if ($is_2d_array) {
        $filter = $filters->[$req_idx];
        bail_out("$name - the ---response_body_filters two-dimensional array "
                 . "unmatch the specified request($req_idx)") unless defined $filter;
    }

    my $new = $content;
    if (ref $filter && ref $filter eq 'ARRAY') {
        for my $f (@$filter) {
            $new = run_filter_helper($block, $f, $new);
        }
    } else {
        $new = run_filter_helper($block, $filter, $new);
    }

    $res->content($new);
}

sub check_response_body ($$$$$$) {
    my ($block, $res, $dry_run, $req_idx, $repeated_req_idx, $need_array) = @_;
    my $name = $block->name;

    if (defined $block->response_body) {
        my $content = $res ? $res->content : undef;
        if (defined $content) {
            $content =~ s/^TE: deflate,gzip;q=0\.3\r\n//gms;
            $content =~ s/^Connection: TE, close\r\n//gms;
        }

        my $expected = get_indexed_value($name, $block->response_body, $req_idx,
                                         $need_array);

        if ($block->charset) {
            Encode::from_to($expected, 'UTF-8', $block->charset);
        }

        unless (!defined $expected || ref $expected) {
            $expected =~ s/\$ServerPort\b/$ServerPort/g;
            $expected =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;
        }

        SKIP: {
            skip "$name - response_body - tests skipped due to $dry_run", 1 if $dry_run;
            if (ref $expected) {
                Test::More::like($content, $expected,
                    "$name - response_body - like (repeated req $repeated_req_idx, req $req_idx)");
            } elsif ($NoLongString) {
                is($content, $expected,
                   "$name - response_body - response is expected "
                   . "(repeated req $repeated_req_idx, req $req_idx)");
            } else {
                Test::Nginx::Util::is_string($content, $expected,
                   "$name - response_body - response is expected "
                   . "(repeated req $repeated_req_idx, req $req_idx)");
            }
        }

    } elsif (defined $block->response_body_like
             || defined $block->response_body_unlike)
    {
        my ($patterns, $type, $cmp);
        if (defined $block->response_body_like) {
            $patterns = $block->response_body_like;
            $type = 'like';
            $cmp = \&Test::More::like;
        } else {
            $patterns = $block->response_body_unlike;
            $type = 'unlike';
            $cmp = \&Test::More::unlike;
        }

        my $content = $res ? $res->content : undef;
        if (defined $content) {
            $content =~ s/^TE: deflate,gzip;q=0\.3\r\n//gms;
            $content =~ s/^Connection: TE, close\r\n//gms;
        }

        my $expected_pat = get_indexed_value($name, $patterns, $req_idx, $need_array);
        $expected_pat =~ s/\$ServerPort\b/$ServerPort/g;
        $expected_pat =~ s/\$ServerPortForClient\b/$ServerPortForClient/g;

        my $summary = trim($content) // '';

        SKIP: {
            skip "$name - response_body_$type - tests skipped due to $dry_run", 1
                if $dry_run;
            $cmp->($content, qr/$expected_pat/s,
                   "$name - response_body_$type - response is expected ($summary)");
        }
    }

    for my $check (@ResponseBodyChecks) {
        $check->($block, $res ? $res->content : undef, $req_idx, $repeated_req_idx,
                 $dry_run);
    }
}

sub fmt_str ($) {
    my $str = shift;
    chomp $str;
    $str =~ s/"/\\"/g;
    $str =~ s/\r/\\r/g;
    $str =~ s/\n/\\n/g;
    return $str;
}

sub value_contains ($$) {
    my ($val, $pat) = @_;
    if (!ref $val || ref $val eq 'Regexp') {
        return $val =~ /\Q$pat\E/;
    }
    if (ref $val eq 'ARRAY') {
        for my $v (@$val) {
            return 1 if value_contains($v, $pat);
        }
    }
    return undef;
}

sub patterns_of ($) {
    my $pats = shift;
    if (!ref $pats) {
        chomp $pats;
        return [split /\n+/, $pats];
    }
    if (ref $pats eq 'Regexp') {
        return [$pats];
    }
    return [@$pats];
}

sub line_matches ($$) {
    my ($line, $pat) = @_;
    return (ref $pat && $line =~ /$pat/) || $line =~ /\Q$pat\E/;
}

sub check_log_patterns ($$$$$$) {
    my ($block, $what, $file, $lines, $dry_run, $repeated_req_idx) = @_;
    my $name = $block->name;

    if (defined(my $p = $block->$what)) {
        my $pats = patterns_of($p);
        for my $line (@$lines) {
            for my $pat (@$pats) {
                next if !defined $pat;
                if (line_matches($line, $pat)) {
                    SKIP: {
                        skip "$name - $what - tests skipped due to $dry_run", 1 if $dry_run;
                        Test::More::pass("$name - pattern \"$pat\" matches a line in "
                                         . "$file (req $repeated_req_idx)");
                    }
                    undef $pat;
                }
            }
        }
        for my $pat (@$pats) {
            next if !defined $pat;
            SKIP: {
                skip "$name - $what - tests skipped due to $dry_run", 1 if $dry_run;
                Test::More::fail("$name - pattern \"$pat\" should match a line in "
                                 . "$file (req $repeated_req_idx)");
            }
        }
    }

    my $no = "no_$what";
    if (defined(my $p = $block->$no)) {
        my $pats = patterns_of($p);
        my %found;
        for my $i (0 .. $#$lines) {
            my $line = $lines->[$i];
            for my $pat (@$pats) {
                next if !defined $pat;
                next unless line_matches($line, $pat);
                if ($found{$pat}) {
                    Test::More->builder->no_ending(1);
                } else {
                    $found{$pat} = 1;
                }
                SKIP: {
                    skip "$name - $no - tests skipped due to $dry_run ($line)", 1 if $dry_run;
                    my $ln = fmt_str($line);
                    my $pf = fmt_str($pat);
                    my @more = @$lines[$i + 1 .. min($i + 9, $#$lines - 1)];
                    Test::More::fail("$name - pattern \"$pf\" should not match any line in "
                                     . "$file but matches line \"$ln\" (req $repeated_req_idx)\n"
                                     . join('', @more));
                }
            }
        }
        for my $pat (@$pats) {
            next if !defined $pat || $found{$pat};
            SKIP: {
                skip "$name - $no - tests skipped due to $dry_run", 1 if $dry_run;
                my $pf = fmt_str($pat);
                Test::More::pass("$name - pattern \"$pf\" does not match a line in "
                                 . "$file (req $repeated_req_idx)");
            }
        }
    }
}

sub check_access_log ($$$) {
    my ($block, $dry_run, $repeated_req_idx) = @_;
    return unless defined $block->access_log || defined $block->no_access_log;
    my $lines = access_log_data();
    check_log_patterns($block, 'access_log', 'access.log', $lines, $dry_run,
                       $repeated_req_idx);
}

sub check_error_log ($$$$$) {
    my ($block, $res, $dry_run, $repeated_req_idx, $need_array) = @_;
    my $name = $block->name;
    my $lines;

    my $check_write_guard_message = 1;
    my $check_alert_message = 1;
    my $check_crit_message = 1;
    my $check_emerg_message = 1;

    for my $sec (qw(error_log no_error_log)) {
        my $pats = $block->$sec;
        next unless defined $pats;
        undef $check_write_guard_message
            if value_contains($pats, "writing a global lua variable");
        undef $check_alert_message if value_contains($pats, "[alert");
        undef $check_crit_message if value_contains($pats, "[crit");
        undef $check_emerg_message if value_contains($pats, "[emerg");
    }

    my $grep_pat;
    my $grep_pats = $block->grep_error_log;
    if (defined $grep_pats) {
        if (ref $grep_pats && ref $grep_pats eq 'ARRAY') {
            $grep_pat = $grep_pats->[$repeated_req_idx];
        } else {
            $grep_pat = $grep_pats;
        }
    } elsif (defined $block->grep_error_log_out) {
        bail_out("$name - No --- grep_error_log defined but --- grep_error_log_out is defined");
    }

    if (defined $grep_pat) {
        my $expected = $block->grep_error_log_out;
        if (!defined $expected) {
            bail_out("$name - No --- grep_error_log_out defined but --- grep_error_log is defined");
        }
        if (ref $expected && ref $expected eq 'ARRAY') {
            $expected = $expected->[$repeated_req_idx];
        }

        SKIP: {
            skip "$name - error_log - tests skipped due to $dry_run", 1 if $dry_run;

            $lines ||= error_log_data();

            my $matched_lines = '';
            for my $line (@$lines) {
                if (ref $grep_pat && $line =~ /$grep_pat/ || $line =~ /\Q$grep_pat\E/) {
                    my $matched = $&;
                    if ($matched !~ /\n/) {
                        $matched_lines .= $matched . "\n";
                    }
                }
            }

            if (ref $expected eq 'Regexp') {
                Test::More::like($matched_lines, $expected,
                                 "$name - grep_error_log_out (req $repeated_req_idx)");
            } elsif ($NoLongString) {
                is($matched_lines, $expected,
                   "$name - grep_error_log_out (req $repeated_req_idx)");
            } else {
                Test::Nginx::Util::is_string($matched_lines, $expected,
                   "$name - grep_error_log_out (req $repeated_req_idx)");
            }
        }
    }

    if (defined $block->error_log || defined $block->no_error_log) {
        $lines ||= error_log_data();
        check_log_patterns($block, 'error_log', 'error.log', $lines || [], $dry_run,
                           $repeated_req_idx);
    }

    if (!$dry_run) {
        for my $c ([$check_write_guard_message, qr/writing a global lua variable/],
                   [$check_alert_message, qr/\[alert\]/],
                   [$check_crit_message, qr/\[crit\]/],
                   [$check_emerg_message, qr/\[emerg\]/])
        {
            next unless $c->[0];
            $lines ||= error_log_data();
            for my $line (@{ $lines || [] }) {
                if ($line =~ $c->[1]) {
                    warn "WARNING: $name - " . fmt_str($line) . "\n";
                }
            }
        }
    }

    for my $line (@{ $lines || [] }) {
        if ($line =~ /\bAssertion .*?failed\b/) {
            Test::More->builder->no_ending(1);
            chomp(my $l = $line);
            Test::More::fail("$name - $l\n");
        }
    }
}

# ---------------------------------------------------------------------------
# one repetition of a test block
# ---------------------------------------------------------------------------

sub run_test_helper ($$$) {
    my ($block, $dry_run, $repeated_req_idx) = @_;

    my $name = $block->name;

    my $r_req_list = get_req_from_block($block);

    if (!@$r_req_list) {
        bail_out("$name - request empty");
    }

    my $timeout = parse_time($block->timeout);
    $timeout = timeout() if !defined $timeout;

    my $res;
    my $req_idx = 0;
    my ($n, $need_array);

    for my $one_req (@$r_req_list) {
        my ($raw_resp, $head_req);

        if ($dry_run) {
            $raw_resp = "200 OK HTTP/1.0\r\nContent-Length: 0\r\n\r\n";
        } else {
            ($raw_resp, $head_req) = send_request($one_req,
                                                  $block->raw_request_middle_delay,
                                                  $timeout, $block);
        }

        if ($block->pipelined_requests) {
            $n = @{ $block->pipelined_requests };
            $need_array = 1;
        } else {
            $need_array = $#$r_req_list > 0;
        }

        while (1) {
            warn "!!! resp: [", $raw_resp // '', "]" if $Test::Nginx::Util::Verbose;

            $raw_resp //= '';

            my ($raw_headers, $left);

            if (!defined $block->ignore_response) {
                if (defined $block->http09) {
                    $res = HTTP::Response->new(200, "OK", [], $raw_resp);
                    $raw_headers = '';
                } else {
                    ($res, $raw_headers, $left) = parse_response($name, $raw_resp, $head_req);
                }
            }

            if (!$n) {
                if ($left) {
                    (my $l = $left) =~ s/([\0-\037\200-\377])/sprintf('\x{%02x}',ord $1)/eg;
                    warn "WARNING: $name - unexpected extra bytes after last chunk in ",
                         "response: \"$l\"\n";
                }
            } else {
                $raw_resp = $left;
                $n--;
            }

            if (!defined $block->ignore_response) {
                $raw_headers //= '';
                check_error_code($block, $res, $dry_run, $req_idx, $need_array);
                check_raw_response_headers($block, $raw_headers, $dry_run, $req_idx,
                                           $need_array);
                check_response_headers($block, $res, $raw_headers, $dry_run, $req_idx,
                                       $need_array);
                transform_response_body($block, $res, $req_idx);
                check_response_body($block, $res, $dry_run, $req_idx,
                                    $repeated_req_idx, $need_array);
            }

            if ($n || $req_idx < @$r_req_list - 1) {
                if ($block->wait) {
                    sleep($block->wait);
                }

                check_error_log($block, $res, $dry_run, $repeated_req_idx, $need_array);

                if (!defined $block->ignore_response) {
                    check_access_log($block, $dry_run, $repeated_req_idx);
                }
            }

            $req_idx++;

            last unless $n;
        }
    }

    if ($block->wait) {
        sleep($block->wait);
    }

    check_error_log($block, $res, $dry_run, $repeated_req_idx, $need_array);

    if (!defined $block->ignore_response) {
        check_access_log($block, $dry_run, $repeated_req_idx);
    }
}

1;
