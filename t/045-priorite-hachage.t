# portail_password_priority: the threads that hash passwords run below the
# worker's priority, so that on a busy core the pages being read come
# before a sign-in's argon2id (docs/performance.md, workload 4).
#
# Linux only: a priority belongs to a thread there, read in
# /proc/PID/task/TID/stat.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Portail::Test;

reset_database();
use_portail_defaults();
no_shuffle();
# worker_priority applies to worker processes only
master_on();

# nice of every thread of the serving processes: { tid => nice }, and the
# processes' own (the event loops)
sub threads_nice {
    open my $fh, '<', $Test::Nginx::Util::PidFile or return;
    my $master = <$fh>;
    chomp $master;
    my @pids;
    for my $stat (glob '/proc/[0-9]*/stat') {
        open my $s, '<', $stat or next;
        my ($pid, $rest) = (<$s> // '') =~ /^(\d+) \(.*\) (.*)$/ or next;
        push @pids, $pid if (split ' ', $rest)[1] == $master;
    }
    my (%threads, %loops);
    for my $pid (@pids) {
        for my $task (glob "/proc/$pid/task/*/stat") {
            open my $s, '<', $task or next;
            my ($tid, $rest) = (<$s> // '') =~ /^(\d+) \(.*\) (.*)$/ or next;
            # after "(comm) ": state is field 3, nice field 19
            my $nice = (split ' ', $rest)[16];
            if ($tid == $pid) { $loops{$tid} = $nice } else { $threads{$tid} = $nice }
        }
    }
    return (\%threads, \%loops);
}

sub sign_in {
    my $r = http_request(method => 'POST', path => '/api/connexion',
                         headers => { 'Content-Type' => 'application/json' },
                         body => json_encode({ identifiant => 'jean.martin@example.org',
                                               mot_de_passe => 'Portail2024!',
                                               se_souvenir => JSON::PP::false }));
    is($r->{status}, 200, 'signed in');
}

my %after = (

    lowered => sub {
        sign_in() for 1 .. 3;
        my ($threads, $loops) = threads_nice();
        ok(scalar(keys %$loops), 'the worker is found');
        # the tests may themselves run under nice: relative to what the
        # worker was given
        my $own = getpriority(0, 0);
        is_deeply([sort { $a <=> $b } values %$loops], [map { $own } keys %$loops],
                  'the event loop keeps its priority');
        my $lowered = $own + 5 > 19 ? 19 : $own + 5;
        ok(scalar(grep { $_ == $lowered } values %$threads),
           'the threads that hashed run 5 below it')
            or diag(explain($threads));
        ok(!grep({ $_ != $lowered && $_ != $own } values %$threads), 'and no other value');
    },

    unchanged => sub {
        sign_in() for 1 .. 3;
        my ($threads) = threads_nice();
        ok(scalar(keys %$threads), 'the thread pool is there');
        my $own = getpriority(0, 0);
        ok(!grep({ $_ != $own } values %$threads), 'portail_password_priority 0: left as they are')
            or diag(explain($threads));
    },

    relative => sub {
        sign_in() for 1 .. 3;
        my ($threads, $loops) = threads_nice();
        ok(!grep({ $_ != 5 } values %$loops), 'worker_priority 5 applies to the worker')
            or diag(explain($loops));
        ok(scalar(grep { $_ == 8 } values %$threads), 'the hashing threads are 3 below it')
            or diag(explain($threads));
    },
);

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: by default, passwords are hashed at nice 5 [lowered]
--- request
GET /api/sante
--- error_code: 200



=== TEST 2: portail_password_priority 0 leaves the threads alone [unchanged]
--- http_config
    portail_password_priority 0;
--- request
GET /api/sante
--- error_code: 200



=== TEST 3: relative to worker_priority [relative]
--- main_config
    worker_priority 5;
--- http_config
    portail_password_priority 3;
--- request
GET /api/sante
--- error_code: 200



=== TEST 4: more than 19 is refused
--- http_config
    portail_password_priority 20;
--- must_die
--- error_log
[emerg]
portail_password_priority must be between 0 and 19



=== TEST 5: nor a word
--- http_config
    portail_password_priority bas;
--- must_die
--- error_log
[emerg]
invalid number
