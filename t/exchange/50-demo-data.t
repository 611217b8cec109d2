# tools/demo-data: deterministic, real PDFs, the three reference households,
# loaded through the real import path by tools/demo-load.
use strict;
use warnings;
use utf8;
use Test::More;
use FindBin;
require "$FindBin::Bin/lib.pl";
our ($ROOT, $TMP);

my $dbh = base_prete();
my $date = '2026-03-12';

my ($rc, $out, $err) = lancer("python3 tools/demo-data --out '$TMP/a' --date $date");
is($rc, 0, 'demo-data runs (default size)') or diag $err;
like($err, qr/40 foyers/, 'default: 40 households');
($rc) = lancer("python3 tools/demo-data --out '$TMP/b' --date $date");
is(`cd '$TMP/a' && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum`,
   `cd '$TMP/b' && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum`,
   'same size and date: byte-identical output');
($rc) = lancer("python3 tools/demo-data --out '$TMP/c' --date $date --households 41");
isnt(`cd '$TMP/a' && sha256sum personnes.csv | cut -c1-64`, `cd '$TMP/c' && sha256sum personnes.csv | cut -c1-64`,
     'another size: another office');

# PDFs: valid (pdfinfo), amounts in French format (pdftotext).
my @pdf = split /\n/, `cd '$TMP/a' && find documents -name '*.pdf' | LC_ALL=C sort`;
ok(@pdf > 500, scalar(@pdf) . ' PDF files');
my $ko = 0;
for my $i (grep { $_ % 25 == 0 } 0 .. $#pdf) {
    system("pdfinfo '$TMP/a/$pdf[$i]' >/dev/null 2>&1") == 0 or do { $ko++; diag "pdfinfo refuses $pdf[$i]" };
}
is($ko, 0, 'pdfinfo accepts the PDFs (one in 25 checked)');
my $avis = pdftexte("$TMP/a/documents/2013936/2026-03-avis.pdf");
like($avis, qr/AVIS D'ÉCHÉANCE/, 'accents render (WinAnsiEncoding)');
like($avis, qr/412,50 €/, 'rent in French format');
like($avis, qr/99,84 €/, 'charges');
like($avis, qr/512,34 €/, 'total: 512,34 €');
like($avis, qr{Référence client : L/1234567}, 'client reference printed as L/1234567');
my $q = pdftexte("$TMP/a/documents/2013936/2026-03-quittance.pdf");
like($q, qr/QUITTANCE DE LOYER/, 'receipt for a paid month');
like($q, qr/512,34 €/, 'receipt amount');
like($q, qr/article 21/, 'receipt cites the law');
my @reg = glob("$TMP/a/documents/2013936/*-regularisation.pdf");
ok(@reg >= 1, 'yearly charge reconciliation documents');
like(pdftexte("$reg[0]"), qr/RÉGULARISATION DES CHARGES \d{4}.*Provisions versées/s, 'reconciliation details');
like(`pdfinfo '$TMP/a/documents/2013936/2026-03-avis.pdf'`, qr/Pages:\s+1/, 'one A4 page');
ok(!-e "$TMP/a/documents/2045678/2026-03-quittance.pdf", 'no receipt for Hélène\'s unpaid current month');
ok(!-e "$TMP/a/documents/2045678/2026-02-quittance.pdf", '... nor the previous one');
ok(-e "$TMP/a/documents/2045678/2026-01-quittance.pdf", '... but one for the month before');
like(pdftexte("$TMP/a/documents/2045678/2026-03-avis.pdf"), qr/Solde antérieur/, 'notice shows the previous balance');

# Load through the real path.
($rc, $out, $err) = lancer("tools/demo-load --date $date");
is($rc, 0, 'tools/demo-load loads it') or diag "$out\n$err";
is(valeur('SELECT count(*) FROM tiers'), 40, '40 households');
is(valeur('SELECT count(*) FROM contrat_solde_controle WHERE ecart_cents <> 0'), 0, 'every balance equals its ledger');

# Marie DUPONT.
my $marie = lignes("SELECT c.numero, c.nature, c.solde_cents FROM contrat c JOIN tiers t ON t.id = c.tiers_id
                     WHERE t.reference_client = '1234567' ORDER BY c.numero");
is_deeply([map { "$_->{numero}:$_->{nature}" } @$marie], ['L/2013936:logement', 'L/2013937:stationnement'],
          'Marie DUPONT: dwelling L/2013936 and a parking space');
is(valeur("SELECT count(*) FROM compte c JOIN personne p ON p.id = c.personne_id WHERE p.nom = 'DUPONT'"), 0,
   'Marie has no account');
is(valeur("SELECT nom_normalise FROM personne p JOIN tiers t ON t.id = p.tiers_id WHERE t.reference_client = '1234567'"),
   'DUPONT', 'her name as the registration form matches it');
is(valeur("SELECT count(*) FROM document d JOIN contrat c ON c.id = d.contrat_id WHERE c.numero = 'L/2013936' AND d.nature = 'quittance'"),
   24, 'receipts for her 24 paid months');

# The MARTINs.
my $sign = lignes("SELECT p.prenom, p.nom, cs.rang FROM contrat_signataire cs JOIN personne p ON p.id = cs.personne_id
                    JOIN contrat c ON c.id = cs.contrat_id WHERE c.numero = 'L/2087412' AND cs.retire_le IS NULL ORDER BY cs.rang");
is_deeply([map { "$_->{prenom} $_->{nom}" } @$sign], ['Jean MARTIN', 'Sophie MARTIN-LEROY'], 'co-tenants of one dwelling');
is(valeur("SELECT count(*) FROM contrat c JOIN tiers t ON t.id = c.tiers_id WHERE t.reference_client = '7654321'"), 1,
   'one contract for 7654321');
ok(valeur("SELECT solde_cents < 0 FROM contrat WHERE numero = 'L/2087412'"), 'the Martins are in credit');
my $hash = valeur("SELECT c.mot_de_passe_hash FROM compte c WHERE c.email = 'jean.martin\@example.org' AND c.confirme_le IS NOT NULL");
like($hash, qr/^\$argon2id\$v=19\$m=65536,t=2,p=1\$/, "Jean's confirmed account with an argon2id hash");
ok(argon2_verifie($hash, 'Portail2024!'), "libsodium verifies it against Portail2024!");
ok(!argon2_verifie($hash, 'Portail2024?'), '... and refuses another password');

# Hélène LEFÈVRE.
my $h = lignes("SELECT c.id, c.solde_cents FROM contrat c JOIN tiers t ON t.id = c.tiers_id WHERE t.reference_client = '2345678'");
is(scalar @$h, 1, 'Hélène: one dwelling');
my $deux = valeur("SELECT sum(montant_cents) FROM (SELECT montant_cents FROM ecriture WHERE contrat_id = ? AND type = 'echeance'
                    ORDER BY periode DESC LIMIT 2) x", $h->[0]{id});
is($h->[0]{solde_cents}, $deux, 'her balance is exactly her last two monthly dues');
is(valeur("SELECT count(*) FROM ecriture WHERE contrat_id = ? AND type = 'paiement' AND periode >= date_trunc('month', ?::date - interval '1 month')",
          $h->[0]{id}, $date), 0, 'no payment for those two months');
is(valeur("SELECT ca.type || '/' || e.statut FROM enquete e JOIN enquete_campagne ca ON ca.id = e.campagne_id WHERE e.contrat_id = ?",
          $h->[0]{id}), 'SLS/a_completer', 'an SLS survey to answer');
ok(valeur("SELECT ouverture_le <= ?::date AND date_limite > ?::date FROM enquete_campagne WHERE type = 'SLS'", $date, $date),
   'the SLS campaign is open');
is(valeur("SELECT count(*) FROM compte c JOIN personne p ON p.id = c.personne_id WHERE p.nom = 'LEFÈVRE'"), 0, 'no account');
is(valeur("SELECT nom_normalise FROM personne WHERE nom = 'LEFÈVRE'"), 'LEFEVRE', 'her name matches without accent');

# The office as a whole.
is(valeur("SELECT count(*) FROM enquete e JOIN enquete_campagne ca ON ca.id = e.campagne_id JOIN contrat c ON c.id = e.contrat_id
            JOIN tiers t ON t.id = e.tiers_id JOIN residence r ON r.id = c.residence_id
           WHERE ca.type = 'SLS' AND (t.aide_logement OR r.qpv OR r.zrr)"), 0,
   'no SLS survey for housing benefit recipients nor QPV/ZRR dwellings');
is(valeur("SELECT count(*) FROM contrat c WHERE c.nature = 'logement'
             AND (SELECT count(*) FROM enquete e WHERE e.contrat_id = c.id) <> 1"), 0, 'every dwelling gets one survey (SLS or OPS)');
ok(valeur("SELECT definition -> 'plafonds_ressources_eur' IS NOT NULL AND definition -> 'coefficients_depassement' IS NOT NULL
                  AND definition -> 'frais' IS NOT NULL
             FROM enquete_campagne WHERE type = 'SLS'"), 'SLS ceilings, coefficients and fees are data');
ok(valeur("SELECT count(*) FROM enquete_campagne WHERE type = 'OPS'") == 1, 'an OPS campaign');
is(valeur("SELECT string_agg(DISTINCT cible, ',' ORDER BY cible) FROM actualite"), 'nature_contrat,residence,tous',
   'news for all, per residence and per kind of contract');
ok(valeur("SELECT count(DISTINCT statut) FROM demande") >= 4, 'requests in several statuses');
ok(valeur("SELECT count(*) FROM demande WHERE type = 'reclamation'") >= 1, 'complaints among them');
ok(valeur("SELECT count(*) FROM demande_message") >= 1, 'with messages');
ok(valeur("SELECT count(*) FROM demande_statut") > valeur("SELECT count(*) FROM demande"), 'and a status history');
my $profil = lignes("SELECT count(*) FILTER (WHERE solde_cents > 0) AS dette, count(*) FILTER (WHERE solde_cents < 0) AS avoir,
                            count(*) FILTER (WHERE solde_cents = 0) AS a_jour FROM contrat");
ok($profil->[0]{a_jour} > $profil->[0]{dette} + $profil->[0]{avoir}, 'most contracts up to date');
ok($profil->[0]{dette} >= 2 && $profil->[0]{avoir} >= 1, 'some in arrears, some in credit');
is(valeur("SELECT count(*) FROM ecriture e JOIN contrat c ON c.id = e.contrat_id WHERE e.type = 'echeance' AND c.numero = 'L/2013936'"), 24,
   '24 months of due notices');
is(valeur("SELECT max(periode) FROM ecriture"), '2026-03-01', 'up to the current month');

done_testing();
