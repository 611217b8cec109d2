# One bad line rejects the whole batch: non-zero exit, a French message naming
# the file, the line and the field, and nothing written.
use strict;
use warnings;
use utf8;
use Test::More;
use FindBin;
require "$FindBin::Bin/lib.pl";
our $ROOT;

base_prete();

sub nb_lignes { my ($f) = @_; open my $h, '<', $f or die; my $n = 0; $n++ while <$h>; return $n; }

# Each case: a name, how to spoil a copy of the example batch, the message.
my @cas = (
    ['bad household reference',
     sub { ajouter_ligne("$_[0]/tiers.csv", '12345,DURAND Paul,non') },
     qr/^tiers\.csv ligne 5, champ reference_client : format attendu 7 chiffres \(1234567\), trouvé « 12345 »$/m],
    ['bad date',
     sub { modifier_csv("$_[0]/contrats.csv", sub { $_[0] =~ s/,2011-09-01,/,2024-02-30,/r }) },
     qr/^contrats\.csv ligne 2, champ date_debut : date invalide « 2024-02-30 », format attendu AAAA-MM-JJ$/m],
    ['unknown contract in the ledger',
     sub { ajouter_ligne("$_[0]/ecritures.csv", 'PAI-X-1,L/9999999,2025-11-03,2025-11,paiement,credit,1000,,,Paiement,virement') },
     qr/^ecritures\.csv ligne \d+, champ numero_contrat : contrat inconnu « L\/9999999 »/m],
    ['amount with a decimal comma',
     sub { ajouter_ligne("$_[0]/ecritures.csv", 'PAI-X-2,L/2013936,2025-11-03,2025-11,paiement,credit,"12,50",,,Paiement,virement') },
     qr/^ecritures\.csv ligne \d+, champ montant_cents : montant invalide « 12,50 », entier en centimes attendu/m],
    ['negative amount',
     sub { ajouter_ligne("$_[0]/ecritures.csv", 'PAI-X-3,L/2013936,2025-11-03,2025-11,paiement,credit,-500,,,Paiement,virement') },
     qr/^ecritures\.csv ligne \d+, champ montant_cents : montant invalide « -500 »/m],
    ['bad contract number',
     sub { modifier_csv("$_[0]/contrats.csv", sub { $_[1] == 3 ? $_[0] =~ s{^L/2013937,}{L2013937,}r : $_[0] }) },
     qr{^contrats\.csv ligne 3, champ numero : format attendu L/1234567, trouvé « L2013937 »$}m],
    ['balance not matching the ledger',
     sub { modifier_csv("$_[0]/contrats.csv", sub { $_[1] == 2 ? $_[0] =~ s/,9984,0,/,9984,100,/r : $_[0] }) },
     qr/^contrats\.csv ligne 2, champ solde_cents : solde 100 différent de la somme des écritures du contrat \(0\)$/m],
    ['unknown enumerated value',
     sub { modifier_csv("$_[0]/contrats.csv", sub { $_[1] == 3 ? $_[0] =~ s/,stationnement,/,garage,/r : $_[0] }) },
     qr/^contrats\.csv ligne 3, champ nature : valeur inconnue « garage », valeurs possibles : logement, stationnement, commerce, autre$/m],
    ['document checksum',
     sub { modifier_csv("$_[0]/documents.csv", sub { $_[1] == 2 ? $_[0] =~ s/,[0-9a-f]{64}$/,${\('0' x 64)}/r : $_[0] }) },
     qr/^documents\.csv ligne 2, champ sha256 : empreinte différente de celle du fichier/m],
    ['missing PDF',
     sub { my ($d) = @_; my ($f) = glob("$d/documents/2013936/*.pdf"); unlink $f or die },
     qr/^documents\.csv ligne \d+, champ fichier : fichier introuvable/m],
    ['extra field (malformed CSV)',
     sub { modifier_csv("$_[0]/residences.csv", sub { $_[1] == 4 ? "$_[0],en trop" : $_[0] }) },
     qr/^import : lot rejeté, rien n'a été importé : residences\.csv ligne 4 : trop de champs sur la ligne$/m],
    ['bad header',
     sub { modifier_csv("$_[0]/occupants.csv", sub { $_[1] == 1 ? $_[0] =~ s/lien/parente/r : $_[0] }) },
     qr/^occupants\.csv ligne 1 : en-tête attendu « reference,id_portail,numero_contrat,nom,prenom,date_naissance,lien »/m],
    ['unknown file',
     sub { open my $f, '>', "$_[0]/contrat.csv" or die; close $f },
     qr/^import : fichier inconnu : contrat\.csv/m],
    ['status update of an unknown request',
     sub { ajouter_ligne("$_[0]/demandes_statuts.csv", 'ST-X-1,E1999-00001,resolue,2025-11-10T10:00:00+01:00,') },
     qr/^demandes_statuts\.csv ligne 5, champ numero_demande : demande inconnue « E1999-00001 »$/m],
);

# On an empty database: nothing at all may be written.
for my $c (@cas) {
    my ($nom, $gater, $re) = @$c;
    my $d = copie_exemple("vide-" . ($nom =~ s/\W+/-/gr));
    $gater->($d);
    my ($rc, $out, $err) = lancer("tools/import '$d'");
    isnt($rc, 0, "$nom: rejected (exit status $rc)");
    like($err, $re, "$nom: the message names the file, the line and the field") or diag $err;
    is(nombre_lignes_metier(), 0, "$nom: nothing written in an empty database");
}

# After a good batch: a bad one changes nothing.
my ($rc, $out, $err) = lancer("tools/import '$ROOT/docs/exchange'");
is($rc, 0, 'example batch imported') or diag $err;
my $avant = empreinte_tables();
for my $c (@cas[0, 2, 3, 6]) {
    my ($nom, $gater, $re) = @$c;
    my $d = copie_exemple("plein-" . ($nom =~ s/\W+/-/gr));
    # Also change something valid: it must not be applied either.
    modifier_csv("$d/personnes.csv", sub { $_[0] =~ s/\+33612345678/+33699999999/r });
    $gater->($d);
    my ($rc2, $out2, $err2) = lancer("tools/import --force '$d'");
    isnt($rc2, 0, "$nom: rejected after a good batch");
    like($err2, $re, "$nom: same message");
    is_deeply(empreinte_tables(), $avant, "$nom: every table unchanged, the valid change included");
}

# A snapshot file without lines would close everything: refused.
my $vide = copie_exemple('vide');
modifier_csv("$vide/occupants.csv", sub { $_[1] == 1 ? $_[0] : undef });
($rc, $out, $err) = lancer("tools/import '$vide'");
isnt($rc, 0, 'empty snapshot file refused');
like($err, qr/^occupants\.csv ligne 1, champ - : fichier sans ligne : il fermerait toutes les lignes/m, '... with the reason');
is_deeply(empreinte_tables(), $avant, 'nothing closed');

# Several errors are all reported, in file and line order.
my $d = copie_exemple('plusieurs');
ajouter_ligne("$d/tiers.csv", '12345,DURAND Paul,peut-être');
ajouter_ligne("$d/ecritures.csv", 'PAI-X-9,L/9999999,2025-13-03,2025-11,paiement,credit,1000,,,Paiement,virement');
($rc, $out, $err) = lancer("tools/import '$d'");
isnt($rc, 0, 'several errors: rejected');
like($err, qr/\((\d+) erreur\(s\)\)/, 'the number of errors is given');
my @l = grep { /ligne \d+, champ/ } split /\n/, $err;
is(scalar(@l), 4, 'one line per faulty field') or diag $err;
like($l[0], qr/^ecritures\.csv/, 'sorted by file name');
like($l[-1], qr/^tiers\.csv ligne 5, champ reference_client/, '... then by line and field');

done_testing();
