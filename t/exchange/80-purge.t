# tools/purge: what is past its retention period goes (sessions, links,
# sign-in attempts, outbox, audit journal, uploads, closed accounts' logins),
# what is not stays (recent sign-in attempts: throttling counts them; mail
# still to send; the contract's latest insurance certificate); two purges at
# once share the work; a second run finds nothing; the portal's role may not
# purge.
use strict;
use warnings;
use utf8;
use Test::More;
use FindBin;
require "$FindBin::Bin/lib.pl";
our ($ROOT, $TMP);

my $dbh = base_prete();
my ($rc, $out, $err) = lancer("tools/import '$ROOT/docs/exchange' && psql -X -q -v ON_ERROR_STOP=1 -f tools/demo-accounts.sql");
is($rc, 0, 'example batch and demo accounts loaded') or diag $err;

my $hash = valeur("SELECT mot_de_passe_hash FROM compte WHERE email = 'jean.martin\@example.org'");
my $jean = valeur("SELECT id FROM compte WHERE email = 'jean.martin\@example.org'");
my $contrat = valeur("SELECT id FROM contrat WHERE numero = 'L/2087412'");
my $pdf = unpack 'H*', "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
my $png = unpack 'H*', "\x89PNG\r\n\x1a\n" . ("\0" x 32);
my $n = 0;
my $jeton = sub { sprintf '%064x', ++$n };    # 32 distinct bytes, as hex

# What must go (%va) and what must stay (%reste), by kind: lists of ids.
my (%va, %reste);

# Sessions: ended 31 days ago; ended yesterday; still open.
for my $c (['31 days', \%va], ['1 day', \%reste], ['-1 hour', \%reste]) {
    push @{ $c->[1]{session} }, valeur("INSERT INTO session (compte_id, jeton_hash, cree_le, vu_le, expire_le, inactivite)
        VALUES (?, decode(?, 'hex'), now() - ?::interval - interval '1 hour', now() - ?::interval - interval '1 hour',
                now() - ?::interval, interval '30 minutes') RETURNING id", $jean, $jeton->(), ($c->[0]) x 3);
}
# Single-use links: expired 8 days ago, an hour ago.
for my $c (['8 days', \%va], ['1 hour', \%reste]) {
    push @{ $c->[1]{jeton} }, valeur("INSERT INTO jeton (compte_id, usage, jeton_hash, cree_le, expire_le)
        VALUES (?, 'reinitialisation', decode(?, 'hex'), now() - ?::interval - interval '1 hour', now() - ?::interval)
        RETURNING id", $jean, $jeton->(), ($c->[0]) x 2);
}
# Sign-in attempts: 250 of 7 months ago (several batches), one of 5 months,
# and five failures of the last minutes on one identifier.
push @{ $va{tentative_connexion} }, @{ $dbh->selectcol_arrayref(
    "INSERT INTO tentative_connexion (identifiant, adresse_ip, reussie, le)
     SELECT 'ancien' || i || '\@example.net', '192.0.2.7', false, now() - interval '7 months' - i * interval '1 minute'
       FROM generate_series(1, 250) i RETURNING id") };
push @{ $reste{tentative_connexion} }, valeur("INSERT INTO tentative_connexion (identifiant, reussie, le)
    VALUES ('jean.martin\@example.org', true, now() - interval '5 months') RETURNING id");
push @{ $reste{tentative_connexion} }, @{ $dbh->selectcol_arrayref(
    "INSERT INTO tentative_connexion (compte_id, identifiant, adresse_ip, reussie, le)
     SELECT ?, 'jean.martin\@example.org', '198.51.100.9', false, now() - i * interval '1 minute'
       FROM generate_series(1, 5) i RETURNING id", undef, $jean) };
# Outbox: sent and abandoned 4 months ago; sent a month ago; never sent.
for my $c (["envoye_le = now() - interval '4 months'", \%va], ["abandonne_le = now() - interval '4 months'", \%va],
           ["envoye_le = now() - interval '1 month'", \%reste], ["essais = 3", \%reste]) {
    my $id = valeur("INSERT INTO courriel (destinataire, sujet, texte, cree_le, prochain_essai_le)
                     VALUES ('jean.martin\@example.org', 'Essai', 'Texte', now() - interval '5 months',
                             now() - interval '5 months') RETURNING id");
    $dbh->do("UPDATE courriel SET $c->[0] WHERE id = ?", undef, $id);
    push @{ $c->[1]{courriel} }, $id;
}
# Audit journal: 13 and 11 months old.
for my $c (['13 months', \%va], ['11 months', \%reste]) {
    push @{ $c->[1]{journal} }, valeur("INSERT INTO journal (compte_id, action, adresse_ip, le)
        VALUES (?, 'connexion', '192.0.2.8', now() - ?::interval) RETURNING id", $jean, $c->[0]);
}
# Request attachments: of a request closed 13 months ago; closed 6 months
# ago; of an open request, sent 2 years ago.
for my $c (['fermee', '13 months', \%va], ['resolue', '6 months', \%reste], ['en_cours', '2 years', \%reste]) {
    my $d = valeur("INSERT INTO demande (contrat_id, compte_id, categorie, objet, description, statut, statut_le, cree_le)
                    VALUES (?, ?, 'autre', 'Objet', 'Description', ?, now() - ?::interval, now() - interval '3 years')
                    RETURNING id", $contrat, $jean, $c->[0], $c->[1]);
    push @{ $c->[2]{demande_piece} }, valeur("INSERT INTO demande_piece (demande_id, nom_origine, mime, taille, sha256, contenu, compte_id, le)
        VALUES (?, 'photo.png', 'image/png', ?, sha256(decode(?, 'hex')), decode(?, 'hex'), ?, now() - interval '2 years')
        RETURNING id", $d, length($png) / 2, $png, $png, $jean);
}
# Survey attachments (a tax notice), of submitted surveys: a campaign closed
# 400 days ago, and one still open.
my %piece_enquete;
for my $c (['SLS-ANCIENNE', '-430 days', '-400 days', \%va], ['SLS-OUVERTE', '-20 days', '10 days', \%reste]) {
    my $ca = valeur("INSERT INTO enquete_campagne (code, type, annee, ouverture_le, date_limite, definition)
                     VALUES (?, 'SLS', 2024, current_date + ?::interval, current_date + ?::interval, '{\"questions\": []}')
                     RETURNING id", @$c[0 .. 2]);
    my $e = valeur("INSERT INTO enquete (campagne_id, tiers_id, contrat_id) SELECT ?, tiers_id, id FROM contrat WHERE id = ?
                    RETURNING id", $ca, $contrat);
    my $p = valeur("INSERT INTO enquete_piece (enquete_id, nom_origine, mime, taille, sha256, contenu, depose_par_compte_id)
                    VALUES (?, 'avis.pdf', 'application/pdf', ?, sha256(decode(?, 'hex')), decode(?, 'hex'), ?) RETURNING id",
                   $e, length($pdf) / 2, $pdf, $pdf, $jean);
    $dbh->do("UPDATE enquete SET statut = 'envoyee', soumise_le = now(), soumise_par_compte_id = ? WHERE id = ?", undef, $jean, $e);
    push @{ $c->[3]{enquete_piece} }, $p;
    $piece_enquete{$c->[0]} = $p;
}
# Insurance certificates: ended 2 years ago and replaced by a validated one;
# refused 13 months ago; the replacement; another contract's only one, ended
# 2 years ago.
my $assurance = sub {
    my ($k, $debut, $statut, $examinee, $depose) = @_;
    return valeur("INSERT INTO assurance_habitation (contrat_id, assureur, numero_police, date_debut, date_fin, fichier,
                       fichier_mime, fichier_taille, fichier_sha256, fichier_nom_origine, statut, examinee_le, motif_refus,
                       depose_par_compte_id, depose_le)
                   VALUES (?, 'MAIF', 'P-1', current_date - ?::interval, current_date - ?::interval + interval '1 year',
                           decode(?, 'hex'), 'application/pdf', ?, sha256(decode(?, 'hex')), 'a.pdf', ?,
                           CASE WHEN ? <> 'en_attente' THEN now() - ?::interval END,
                           CASE WHEN ? = 'refusee' THEN 'illisible' END, ?, now() - ?::interval)
                   RETURNING id", $k, $debut, $debut, $pdf, length($pdf) / 2, $pdf, $statut, $statut, $examinee,
                   $statut, $jean, $depose);
};
push @{ $va{assurance_habitation} }, $assurance->($contrat, '3 years', 'validee', '3 years', '3 years');
push @{ $va{assurance_habitation} }, $assurance->($contrat, '2 months', 'refusee', '13 months', '13 months');
push @{ $reste{assurance_habitation} }, $assurance->($contrat, '1 month', 'validee', '1 month', '1 month');
my $autre = valeur("SELECT id FROM contrat WHERE numero = 'L/2013936'");
push @{ $reste{assurance_habitation} }, $assurance->($autre, '3 years', 'validee', '3 years', '3 years');
# Closed accounts: 31 days ago (its login goes), 5 days ago (stays).
for my $c (['P1234567-1', 'marie.dupont@example.net', '31 days', \%va], ['P7654321-2', 'sophie@example.org', '5 days', \%reste]) {
    push @{ $c->[3]{compte_ferme} }, valeur("INSERT INTO compte (personne_id, email, mot_de_passe_hash, cree_le, confirme_le, ferme_le)
        SELECT id, ?, ?, now() - interval '1 year', now() - interval '1 year', now() - ?::interval
          FROM personne WHERE reference_externe = ? RETURNING id", $c->[1], $hash, $c->[2], $c->[0]);
}

my %table = (compte_ferme => 'compte');
my $present = sub {
    my ($objet, $id) = @_;
    return valeur("SELECT count(*) FROM portail.\"" . ($table{$objet} // $objet) . '" WHERE id = ?', $id)
        if $objet ne 'compte_ferme';
    return valeur("SELECT count(*) FROM portail.compte WHERE id = ? AND email NOT LIKE '%\@ferme.invalid'", $id);
};

# The portal's own role may not purge.
$dbh->do('SET ROLE portail_app');
ok(!eval { $dbh->do("CALL portail.purger('journal', 10, NULL)"); 1 }, 'portail_app may not call the purge');
like($@, qr/permission denied/, '... refused by PostgreSQL');
$dbh->do('RESET ROLE');
# A submitted survey's attachment of an open campaign stays frozen.
ok(!eval { $dbh->do('DELETE FROM enquete_piece WHERE id = ?', undef, $piece_enquete{'SLS-OUVERTE'}); 1 },
   'an open campaign\'s submitted attachment cannot be deleted');
like($@, qr/enquête déjà envoyée/, '... the freeze still says why');
# The period of sign-in attempts cannot drop below what throttling counts.
ok(!eval { $dbh->do("UPDATE conservation SET duree = '10 minutes' WHERE objet = 'tentative_connexion'"); 1 },
   'sign-in attempts cannot be kept less than a day');

# Two purges at once, in batches of 40.
my $cmd = join ' & ', map { "(tools/purge --lot 40 >'$TMP/purge$_.out' 2>'$TMP/purge$_.err'; echo \$? >'$TMP/purge$_.rc')" } 1, 2;
lancer("$cmd; wait");
my %compte;    # kind => sum of what both runs report
for my $i (1, 2) {
    my ($rc, $o, $e) = map { local $/; open my $f, '<:encoding(UTF-8)', "$TMP/purge$i.$_" or die $!; scalar <$f> } qw(rc out err);
    chomp $rc;
    is($rc, 0, "purge $i of two at once succeeds") or diag $e;
    is($e, '', "purge $i reports no error");
    like($o, qr/^purge : tentatives de connexion \(conservation : 6 mois\) : \d+$/m, "purge $i says what it did, kind by kind");
    like($o, qr/^purge : terminé, \d+ ligne\(s\) traitée\(s\)$/m, '... and the total');
    for my $l (split /\n/, $o) {
        my ($quoi, $k) = $l =~ /^purge : (.*) \(conservation : [^)]*\) : (\d+)$/ or next;
        $compte{$quoi} += $k;
    }
}
my %libelle = map { @$_ } @{ $dbh->selectall_arrayref('SELECT objet, libelle FROM conservation') };
for my $objet (sort keys %libelle) {
    is($compte{$libelle{$objet}} // 0, scalar @{ $va{$objet} // [] }, "$objet: the two runs together count what was due, once");
    is_deeply([ grep { $present->($objet, $_) } @{ $va{$objet} // [] } ], [], "$objet: past its period, gone");
    is_deeply([ grep { !$present->($objet, $_) } @{ $reste{$objet} // [] } ], [], "$objet: within its period, kept");
}
is(valeur('SELECT email FROM compte WHERE id = ?', $va{compte_ferme}[0]), "compte-$va{compte_ferme}[0]\@ferme.invalid",
   'a closed account\'s login is replaced by an address no one has');
is(valeur("SELECT count(*) FROM compte WHERE mot_de_passe_hash = ? AND id = ?", $hash, $va{compte_ferme}[0]), 0,
   '... and its password hash erased');
is(valeur('SELECT count(*) FROM compte WHERE id = ?', $va{compte_ferme}[0]), 1, '... the row stays (history points to it)');
is(valeur("SELECT attente FROM connexion_preparer('jean.martin\@example.org', '198.51.100.9', 5, 30, interval '15 minutes')") > 0, 1,
   'the recent failures still throttle the identifier from where they came');

($rc, $out, $err) = lancer('tools/purge');
is($rc, 0, 'a purge after them succeeds') or diag $err;
like($out, qr/^purge : terminé, 0 ligne\(s\) traitée\(s\)$/m, '... and finds nothing to do');

($rc, $out, $err) = lancer('tools/purge --lot zero');
is($rc, 2, 'a bad --lot is a usage error');
like($err, qr/--lot attend un entier positif/, '... said in French');

done_testing();
