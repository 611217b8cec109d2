# Backups restore: the test database (demo data, an account that signed in)
# is dumped with `pg_dump -Fc`, restored with `pg_restore --exit-on-error`
# into a new empty database, and the restored copy is checked as ops would
# after a restore: the same triggers, functions, indexes, constraints,
# grants, sequence positions and row counts, its triggers still behave, and
# an nginx pointed at it serves the signed-in tenant the same home page as
# the original.
#
# pg_dump and pg_restore are the client tools of PostgreSQL's own version,
# run as the superuser the tests use, over TCP as an office's backup job
# would (the cluster itself belongs to an unprivileged account).
use Test::Nginx::Socket 'no_plan';
use Test::More;
use DBI;
use File::Temp qw(tempdir);
use Portail::Test;

reset_database();
use_portail_defaults();
no_shuffle();

my $ORIGINE = $ENV{TEST_NGINX_POSTGRESQL_DB};
my $RESTAUREE = "${ORIGINE}_restauree";
$ENV{TEST_NGINX_BASE_RESTAUREE} = $RESTAUREE;
my $TMP = tempdir('portail-sauvegarde-XXXXXX', TMPDIR => 1, CLEANUP => 1);
my $JEAN = '{"identifiant":"jean.martin@example.org","mot_de_passe":"Portail2024!"}';

# the state the second block compares with
my ($cookie, $accueil_origine);

sub connecter {
    my ($base) = @_;
    my $h = DBI->connect("dbi:Pg:host=$ENV{TEST_NGINX_POSTGRESQL_HOST};"
                         . "port=$ENV{TEST_NGINX_POSTGRESQL_PORT};dbname=$base",
                         $ENV{TEST_PORTAIL_PG_SUPERUSER}, '',
                         { RaiseError => 1, AutoCommit => 1, PrintError => 0 });
    $h->{pg_placeholder_dollaronly} = 1;
    $h->do(q{SET client_min_messages = warning});
    return $h;
}

# A client tool of PostgreSQL with the test cluster's connection: exit
# status and what it wrote on stderr.
sub outil {
    my (@cmd) = @_;
    local $ENV{PGHOST} = $ENV{TEST_NGINX_POSTGRESQL_HOST};
    local $ENV{PGPORT} = $ENV{TEST_NGINX_POSTGRESQL_PORT};
    local $ENV{PGUSER} = $ENV{TEST_PORTAIL_PG_SUPERUSER};
    delete local $ENV{PGOPTIONS};
    system("@{[ map { quotemeta } @cmd ]} 2>'$TMP/err'");
    my $rc = $? >> 8;
    open my $f, '<', "$TMP/err" or die $!;
    local $/;
    my $err = <$f> // '';
    return ($rc, $err);
}

# What must be equal in both databases, one sorted list of lines per kind.
my %INVENTAIRE = (
    triggers => q{
        SELECT c.relname || ' ' || pg_get_triggerdef(t.oid)
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE c.relnamespace = 'portail'::regnamespace AND NOT t.tgisinternal
         ORDER BY 1},
    fonctions => q{
        SELECT p.oid::regprocedure::text || ' ' || md5(pg_get_functiondef(p.oid))
               || ' ' || coalesce(p.proacl::text, '')
          FROM pg_proc p
         WHERE p.pronamespace = 'portail'::regnamespace AND p.prokind IN ('f', 'p')
         ORDER BY 1},
    index => q{
        SELECT indexdef FROM pg_indexes WHERE schemaname = 'portail' ORDER BY 1},
    contraintes => q{
        SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
          FROM pg_constraint WHERE connamespace = 'portail'::regnamespace ORDER BY 1},
    droits_relations => q{
        SELECT relname || ' ' || relkind::text || ' ' || coalesce(relacl::text, '')
          FROM pg_class WHERE relnamespace = 'portail'::regnamespace ORDER BY 1},
    droits_colonnes => q{
        SELECT c.relname || '.' || a.attname || ' ' || a.attacl::text
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         WHERE c.relnamespace = 'portail'::regnamespace AND a.attacl IS NOT NULL
         ORDER BY 1},
    droits_schemas => q{
        SELECT nspname || ' ' || coalesce(nspacl::text, '') FROM pg_namespace
         WHERE nspname IN ('portail', 'public') ORDER BY 1},
    extensions => q{
        SELECT extname || ' ' || extversion FROM pg_extension ORDER BY 1},
    sequences => q{
        SELECT sequencename || ' ' || coalesce(last_value::text, '-')
          FROM pg_sequences WHERE schemaname = 'portail' ORDER BY 1},
);

sub inventaire {
    my ($h, $sorte) = @_;
    return $h->selectcol_arrayref($INVENTAIRE{$sorte});
}

sub comptes_lignes {
    my ($h) = @_;
    my %n;
    for my $t (@{ $h->selectcol_arrayref(
            q{SELECT tablename FROM pg_tables WHERE schemaname = 'portail' ORDER BY 1}) }) {
        ($n{$t}) = $h->selectrow_array(qq{SELECT count(*) FROM portail."$t"});
    }
    return \%n;
}

my %after = (

    sauvegarde => sub {
        # the tenant signs in on the original: the session is the portal's own
        my $r = http_request(method => 'POST', path => '/api/connexion',
                             headers => { 'Content-Type' => 'application/json' },
                             body => $JEAN);
        is($r->{status}, 200, 'Jean signs in on the original portal');
        $cookie = session_cookie($r);
        ok($cookie, 'and gets a session cookie');
        $r = http_request(path => '/api/accueil',
                          headers => { Cookie => "portail_session=$cookie" });
        is($r->{status}, 200, 'his home page on the original');
        $accueil_origine = $r->{body};
        like($accueil_origine, qr/"actualites"/, 'with news items');

        my ($rc, $err) = outil('pg_dump', '-Fc', '-d', $ORIGINE, '-f', "$TMP/portail.dump");
        is($rc, 0, 'pg_dump -Fc of the portal database') or diag $err;

        my $admin = connecter('postgres');
        $admin->do(qq{DROP DATABASE IF EXISTS "$RESTAUREE" WITH (FORCE)});
        $admin->do(qq{CREATE DATABASE "$RESTAUREE" TEMPLATE template0});
        $admin->disconnect;
        ($rc, $err) = outil('pg_restore', '--exit-on-error', '-d', $RESTAUREE, "$TMP/portail.dump");
        is($rc, 0, 'pg_restore --exit-on-error into an empty database') or diag $err;
        is($err, '', 'pg_restore reports nothing');

        my $o = connecter($ORIGINE);
        my $c = connecter($RESTAUREE);
        for my $sorte (sort keys %INVENTAIRE) {
            my $attendu = inventaire($o, $sorte);
            ok(scalar @$attendu, "the original has $sorte");
            is_deeply(inventaire($c, $sorte), $attendu, "the restored database has the same $sorte");
        }
        is_deeply(comptes_lignes($c), comptes_lignes($o), 'the same number of rows in every table');

        # The triggers keep working on the copy: maj_le moves on a real
        # change only, and the generated excerpt follows the text.
        my ($id, $maj) = $c->selectrow_array(
            q{SELECT id, maj_le FROM portail.actualite ORDER BY id LIMIT 1});
        $c->do(q{UPDATE portail.actualite SET titre = titre WHERE id = $1}, undef, $id);
        is(($c->selectrow_array(q{SELECT maj_le FROM portail.actualite WHERE id = $1}, undef, $id))[0],
           $maj, 'restored: an update that changes nothing leaves maj_le');
        $c->do(q{UPDATE portail.actualite SET texte = 'Texte restauré.' WHERE id = $1}, undef, $id);
        my ($maj2, $extrait) = $c->selectrow_array(
            q{SELECT maj_le, extrait FROM portail.actualite WHERE id = $1}, undef, $id);
        isnt($maj2, $maj, 'restored: a real change moves maj_le');
        is($extrait, 'Texte restauré.', 'restored: the excerpt is computed again');
        # put it back: the home pages are compared next
        $c->do(q{UPDATE portail.actualite a SET texte = o.texte, maj_le = o.maj_le
                   FROM (SELECT $2::text AS texte, $3::timestamptz AS maj_le) o WHERE a.id = $1},
               undef, $id, $o->selectrow_array(q{SELECT texte, maj_le FROM portail.actualite WHERE id = $1},
                                               undef, $id));
        $o->disconnect;
        $c->disconnect;
    },

    restauree => sub {
        # this block's nginx reads the restored database only
        my $r = http_request(path => '/api/accueil',
                             headers => { Cookie => "portail_session=$cookie" });
        is($r->{status}, 200, 'the restored portal knows the session');
        is($r->{body}, $accueil_origine, 'and serves the same home page as the original');

        $r = http_request(method => 'POST', path => '/api/connexion',
                          headers => { 'Content-Type' => 'application/json' }, body => $JEAN);
        is($r->{status}, 200, 'Jean signs in on the restored portal (his password hash, a new session row)');
        my $nouveau = session_cookie($r);
        $r = http_request(path => '/api/accueil',
                          headers => { Cookie => "portail_session=$nouveau" });
        is($r->{status}, 200, 'with the new session too');
        is($r->{body}, $accueil_origine, 'the same home page');

        my $c = connecter($RESTAUREE);
        is(($c->selectrow_array(q{SELECT count(*) FROM portail.session s JOIN portail.compte c ON c.id = s.compte_id
                                   WHERE c.email = 'jean.martin@example.org'}))[0],
           2, 'the restored database took the new session');
        $c->disconnect;
        my $o = connecter($ORIGINE);
        is(($o->selectrow_array(q{SELECT count(*) FROM portail.session s JOIN portail.compte c ON c.id = s.compte_id
                                   WHERE c.email = 'jean.martin@example.org'}))[0],
           1, 'and the original did not');
        $o->disconnect;
    },
);
after_blocks(\%after);

END {
    local $?;
    eval {
        my $admin = connecter('postgres');
        $admin->do(qq{DROP DATABASE IF EXISTS "$RESTAUREE" WITH (FORCE)});
        $admin->disconnect;
    };
}

run_tests();

__DATA__

=== TEST 1: pg_dump -Fc of the portal, pg_restore --exit-on-error into an empty database: the same schema, rights and rows [sauvegarde]
--- request
GET /api/sante
--- error_code: 200
--- timeout: 60



=== TEST 2: an nginx on the restored database serves the signed-in tenant the same home page [restauree]
--- http_config
    portail_database "host=$TEST_NGINX_POSTGRESQL_HOST port=$TEST_NGINX_POSTGRESQL_PORT dbname=$TEST_NGINX_BASE_RESTAUREE user=$TEST_NGINX_POSTGRESQL_USER";
    portail_public_url https://portail.example.org;
--- request
GET /api/sante
--- response_body chomp
{"status":"ok","database":"ok"}
--- timeout: 30
