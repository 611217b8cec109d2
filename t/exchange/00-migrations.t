# The migrations apply on an empty database, a second run is a no-op, and the
# portal's role gets exactly DML rights (no TRUNCATE, no DDL).
use strict;
use warnings;
use utf8;
use Test::More;
use FindBin;
require "$FindBin::Bin/lib.pl";

my ($rc, $out) = migrer();
is($rc, 0, 'sql/migrate applies on an empty database') or diag $out;
like($out, qr/applied 009_echanges/, 'the data model migrations (002-009) are applied');
my $dbh = connecter();
my $avant = valeur("SELECT string_agg(version || name || checksum || applied_at, ',' ORDER BY version) FROM portail.schema_migrations");
my $schema_avant = valeur("SELECT md5(string_agg(c.relname || ':' || c.relkind::text, ',' ORDER BY c.relname)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'portail'");

($rc, $out) = migrer();
is($rc, 0, 'second run succeeds');
like($out, qr/schema up to date/, 'second run applies nothing');
is(valeur("SELECT string_agg(version || name || checksum || applied_at, ',' ORDER BY version) FROM portail.schema_migrations"),
   $avant, 'schema_migrations unchanged by the second run');
is(valeur("SELECT md5(string_agg(c.relname || ':' || c.relkind::text, ',' ORDER BY c.relname)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'portail'"),
   $schema_avant, 'no object created or dropped by the second run');

# Tables of the contract and of the data model.
my %tables = map { $_ => 1 } @{ $dbh->selectcol_arrayref("SELECT tablename FROM pg_tables WHERE schemaname = 'portail'") };
for my $t (qw(tiers personne compte session jeton tentative_connexion courriel journal residence contrat
              contrat_signataire occupant occupant_modification adresse_facturation assurance_habitation
              ecriture document actualite demande demande_statut demande_message demande_piece
              enquete_campagne enquete enquete_piece paiement_carte mandat_sepa import_lot)) {
    ok($tables{$t}, "table portail.$t exists");
}

# Columns fixed by docs/schema-contract.md.
my %contrat = (
    tiers => [qw(id reference_client cree_le maj_le)],
    personne => [qw(id tiers_id civilite nom prenom nom_normalise email_contact telephone_fixe telephone_mobile
                    situation_professionnelle modifie_par_compte_le reference_externe)],
    compte => [qw(id personne_id email mot_de_passe_hash cree_le confirme_le mot_de_passe_change_le
                  echecs_connexion bloque_jusqu_a derniere_connexion_le)],
    session => [qw(id compte_id jeton_hash cree_le vu_le expire_le inactivite se_souvenir adresse_ip agent fermee_le)],
    jeton => [qw(id compte_id usage jeton_hash donnees cree_le expire_le utilise_le)],
    tentative_connexion => [qw(id compte_id identifiant adresse_ip reussie motif le)],
    courriel => [qw(id destinataire sujet texte html cree_le prochain_essai_le essais reserve_jusqu_a envoye_le
                    derniere_erreur message_id)],
    journal => [qw(id compte_id action details adresse_ip le)],
);
for my $t (sort keys %contrat) {
    my %c = map { $_ => 1 } @{ $dbh->selectcol_arrayref(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'portail' AND table_name = ?", undef, $t) };
    my @manque = grep { !$c{$_} } @{ $contrat{$t} };
    is("@manque", '', "$t has the columns of the schema contract");
}
is(valeur("SELECT attgenerated FROM pg_attribute WHERE attrelid = 'portail.personne'::regclass AND attname = 'nom_normalise'"),
   's', 'personne.nom_normalise is a generated column');
is(valeur("SELECT portail.normaliser_nom(' Lefèvre-d''Artagnan  St. Jean ')"), 'LEFEVRE D ARTAGNAN ST JEAN',
   'normaliser_nom: unaccent, upper case, separators to spaces, collapsed');
is(valeur("SELECT provolatile FROM pg_proc WHERE oid = 'portail.normaliser_nom(text)'::regprocedure"), 'i',
   'normaliser_nom is IMMUTABLE');

# Storage of the file columns: substring() reads only the chunks asked.
for my $c (['document', 'contenu'], ['assurance_habitation', 'fichier'], ['demande_piece', 'contenu'], ['enquete_piece', 'contenu']) {
    is(valeur("SELECT attstorage FROM pg_attribute WHERE attrelid = ?::regclass AND attname = ?", "portail.$c->[0]", $c->[1]),
       'e', "$c->[0].$c->[1] has STORAGE EXTERNAL");
}

# The portal's rights.
my $trunc = valeur("SELECT count(*) FILTER (WHERE has_table_privilege('portail_app', 'portail.' || tablename, 'TRUNCATE'))
                      FROM pg_tables WHERE schemaname = 'portail'");
is($trunc, 0, 'portail_app may TRUNCATE no table');
ok(!valeur("SELECT has_schema_privilege('portail_app', 'portail', 'CREATE')"), 'portail_app has no DDL right on the schema');
ok(valeur("SELECT has_table_privilege('portail_app', 'portail.contrat', 'SELECT')"), 'portail_app reads contracts');
ok(!valeur("SELECT has_table_privilege('portail_app', 'portail.contrat', 'INSERT')"), 'portail_app does not write contracts');
ok(!valeur("SELECT has_table_privilege('portail_app', 'portail.ecriture', 'UPDATE')"), 'portail_app does not change the ledger');
ok(valeur("SELECT has_column_privilege('portail_app', 'portail.personne', 'telephone_mobile', 'UPDATE')"),
   'portail_app updates a phone number');
ok(!valeur("SELECT has_column_privilege('portail_app', 'portail.personne', 'nom', 'UPDATE')"),
   'portail_app cannot rename a signatory');
ok(valeur("SELECT has_table_privilege('portail_app', 'portail.mandat_sepa', 'INSERT')"), 'portail_app signs mandates');
ok(!valeur("SELECT has_table_privilege('portail_app', 'portail.import_lot', 'SELECT')"), 'exchange bookkeeping is not the portal\'s');

# Every foreign key column is indexed or covered (lookups and deletes).
my $sans_index = $dbh->selectcol_arrayref(q{
    SELECT c.conrelid::regclass || '(' || a.attname || ')'
      FROM pg_constraint c
      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
     WHERE c.contype = 'f' AND c.connamespace = 'portail'::regnamespace
       AND c.conrelid::regclass::text NOT IN ('portail.journal', 'portail.tentative_connexion')
       AND a.attname NOT IN ('compte_id', 'depose_par_compte_id', 'soumise_par_compte_id',
                             'revoque_par_compte_id', 'document_id', 'message_id', 'residence_id')
       AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
});
is("@$sans_index", '', 'foreign keys towards contracts, households, requests... are indexed');

done_testing();
