# The e-mails one import batch triggers go out in the order of the events
# they tell: the office's batch brings a request recorded at the counter,
# three status changes and a message, written in its files newest first; the
# outbox gets them oldest first (the sender claims rows in id order).
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Portail::Test;
use Portail::Echanges;

reset_database();
use_portail_defaults();
no_shuffle();

my $JEAN = 'jean.martin@example.org';
my $NUMERO = 'E2099-00125';

# instants relative to now (the batch is extracted after the template's)
sub instant {
    my ($decalage) = @_;
    return sql_value(q{SELECT to_char(greatest(now(), (SELECT max(extrait_le) FROM import_lot)) + $1::interval,
                                      'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM')}, $decalage);
}

my %after = (

    ordre => sub {
        clear_mails();
        my $premier = sql_value(q{SELECT coalesce(max(id), 0) FROM courriel});
        my ($rc, $out) = import_lot(
            'lot.csv' => ['extrait_le,emetteur', instant('0 seconds') . ',test'],
            'demandes.csv' => ['numero,numero_contrat,type,categorie,objet,description,creneau_contact,cree_le',
                               "$NUMERO,L/2087412,demande,technique_logement,Volet roulant bloqué,"
                               . "Le volet de la chambre ne remonte plus.,matin," . instant('-5 hours')],
            # newest first, as an ERP may well list them
            'demandes_statuts.csv' => ['reference,numero_demande,statut,le,commentaire',
                                       "ST-125-3,$NUMERO,resolue," . instant('-1 hour') . ',Volet réparé.',
                                       "ST-125-2,$NUMERO,en_attente_locataire," . instant('-2 hours')
                                       . ',Merci de nous dire quand passer.',
                                       "ST-125-1,$NUMERO,en_cours," . instant('-4 hours') . ',Transmis au technicien.'],
            'demandes_messages.csv' => ['reference,numero_demande,le,texte',
                                        "MSG-125-1,$NUMERO," . instant('-3 hours') . ',Le technicien a commandé la pièce.']);
        is($rc, 0, "the office's batch is imported") or diag $out;
        like($out, qr/courriels : 4 ajoutés/, 'four e-mails, counted once');
        is(sql_value(q{SELECT comptes -> 'courriels' ->> 'ajoutés' FROM import_lot ORDER BY id DESC LIMIT 1}), 4,
           'the journal of batches counts them all');

        my @attendus = ("Votre demande n° $NUMERO : En cours de traitement",
                        "Votre demande n° $NUMERO : nouveau message",
                        "Votre demande n° $NUMERO : En attente de votre réponse",
                        "Votre demande n° $NUMERO : Résolue");
        my $outbox = sql(q{SELECT destinataire, sujet FROM courriel WHERE id > $1 ORDER BY id}, $premier);
        is_deeply([ map { $_->{sujet} } @$outbox ], \@attendus,
                  'the outbox has them in the order of the events, statuses and message mixed');
        is_deeply([ map { $_->{destinataire} } @$outbox ], [ ($JEAN) x 4 ],
                  "all for the signatory's account");

        is(wait_for_mail_count($JEAN, qr/\Q$NUMERO\E/, 4, 20), 4, 'the four are sent');
        # the sink names each message by its arrival time: mails() is in that
        # order; the sender claims the oldest rows and sends them in that order
        is_deeply([ map { mail_text($_) =~ /(nouveau statut : [^.]+|Nos services vous ont écrit)/ ? $1 : '?' }
                    grep { lc($_->{to} // '') eq $JEAN } mails() ],
                  ['nouveau statut : En cours de traitement', 'Nos services vous ont écrit',
                   "nouveau statut : En attente de votre réponse", 'nouveau statut : Résolue'],
                  'and he reads them in the order things happened');
    },
);
after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: one batch's status and message e-mails are queued oldest event first [ordre]
--- request
GET /api/sante
--- error_code: 200
--- timeout: 40
