# Requests (demandes): the list (open ones first, then the history, office
# requests and complaints included), a request's details, filing one with
# photos and PDFs (checked by content, metadata removed), messages, the
# attachments' download; the export to the ERP and the status coming back
# through the import, e-mailed to the tenant.
#
# Jean MARTIN's demo account; his co-tenant Sophie and Marie DUPONT (another
# household) get accounts here.
use Test::Nginx::Socket 'no_plan';
use Test::More;
use Digest::SHA qw(sha256_hex);
use Portail::Test;
use Portail::Echanges;
use Portail::Pieces;

reset_database();
use_portail_defaults();
use_compte_section();
no_shuffle();

my $JEAN = 'jean.martin@example.org';
my $SOPHIE = 'sophie.martin-leroy@example.org';
my $MARIE = 'marie.dupont@example.org';
my $YEAR = sql_value(q{SELECT to_char(now(), 'YYYY')});

compte_signataire($SOPHIE, '7654321', 'Sophie');
compte_signataire($MARIE, '1234567', 'Marie');

# Requests recorded at the office: a closed complaint of the Martins and a
# request of Marie's.
sub demande_office {
    my ($numero, $contrat, $type, $categorie, $objet, $statut) = @_;
    my $id = sql_value(q{INSERT INTO demande (numero, origine, contrat_id, type, categorie, objet,
                                              description, statut, statut_le, cree_le)
                         SELECT $1, 'office', id, $3, $4, $5, 'Déclaré à l''accueil.', $6,
                                now() - interval '1 day', now() - interval '20 days'
                           FROM contrat WHERE numero = $2 RETURNING id},
                       $numero, $contrat, $type, $categorie, $objet, $statut);
    db()->do(q{INSERT INTO demande_statut (demande_id, statut, auteur, le)
               VALUES ($1, 'nouvelle', 'office', now() - interval '20 days')}, undef, $id);
    db()->do(q{INSERT INTO demande_statut (demande_id, statut, commentaire, auteur, le)
               VALUES ($1, $2, 'Le voisin a été reçu par le gardien.', 'office', now() - interval '1 day')},
             undef, $id, $statut) if $statut ne 'nouvelle';
    return $id;
}
demande_office('E2000-09999', 'L/2087412', 'reclamation', 'voisinage', 'Bruit la nuit', 'fermee');
demande_office('E2000-09998', 'L/2013936', 'demande', 'parties_communes', 'Porte du hall', 'nouvelle');

# A photo Jean joined to his demo request (a PNG, as stored).
our $PIECE_JEAN = sql_value(q{INSERT INTO demande_piece (demande_id, nom_origine, mime, taille, sha256, contenu, compte_id)
                              SELECT d.id, 'fuite lavabo.png', 'image/png', length($1::bytea), sha256($1::bytea),
                                     $1::bytea, d.compte_id
                                FROM demande d WHERE d.numero = $2 RETURNING id},
                            '\\x' . unpack('H*', $PNG), "D$YEAR-000001");

# what the portal stores from now on goes to the next export
my $T0 = sql_value(q{SELECT to_char(clock_timestamp(), 'YYYY-MM-DD"T"HH24:MI:SS.USTZH:TZM')});

sub annee { $YEAR }
sub id { sql_value(q{SELECT id FROM demande WHERE numero = $1}, $_[0]) // die "no request $_[0]\n" }
sub dernier { sql_value(q{SELECT max(id) FROM demande WHERE origine = 'portail'}) }
sub piece { sql_value(q{SELECT min(id) FROM demande_piece WHERE demande_id = $1}, $_[0]) }

# the fields of a valid request, some of them replaced
sub formulaire {
    my %autre = @_;
    my @f = (contrat => '2087412', categorie => 'technique_logement', objet => 'Volet roulant cassé',
             description => "Le volet de la chambre ne remonte plus.\r\nIl est bloqué à mi-hauteur.",
             creneau_contact => 'soir');
    return map { $_ % 2 ? ($autre{$f[$_ - 1]} // $f[$_]) : $f[$_] } 0 .. $#f;
}

my %compte = (demandes => 0, pieces => 0);

sub compter {
    %compte = (demandes => sql_value(q{SELECT count(*) FROM demande}),
               pieces => sql_value(q{SELECT count(*) FROM demande_piece}));
}

sub numeros { [ map { $_->{numero} } @{ $_[0] } ] }

my %after = (

    liste_jean => sub {
        my ($block, $body) = @_;
        my $d = json_decode($body);
        is_deeply(numeros($d->{en_cours}), ["D$YEAR-000001", "E$YEAR-00001"],
                  'open requests, newest first, made on the portal or at the office');
        is_deeply(numeros($d->{historique}), ['E2000-09999'], 'closed ones in the history');
        my ($o) = grep { $_->{numero} eq "E$YEAR-00001" } @{ $d->{en_cours} };
        is($o->{origine}, 'office', 'recorded at the office');
        is($o->{statut_libelle}, 'En attente de votre réponse', 'status in French');
        is_deeply([ map { $_->{statut} } @{ $o->{historique} } ],
                  ['nouvelle', 'en_cours', 'en_attente_locataire'], 'with the whole history');
        is($o->{historique}[1]{commentaire}, 'Votre demande a été transmise au service concerné.',
           "and the office's comments");
        is($o->{nombre_messages}, 1, 'the number of messages');
        my $r = $d->{historique}[0];
        is($r->{type}, 'reclamation', 'a complaint is flagged');
        is($r->{type_libelle}, 'Réclamation', 'in French');
        is($r->{categorie_libelle}, 'Voisinage', 'category label');
        is($r->{statut_libelle}, 'Clôturée', 'closed');
        ok(!$r->{ouverte}, 'and no longer open');
        ok($d->{en_cours}[0]{ouverte}, 'open ones are');
        is_deeply([ map { $_->{libelle} } @{ $d->{formulaire}{categories} } ],
                  ['Problème technique dans le logement', 'Parties communes', 'Question sur un paiement',
                   'Voisinage', 'Autre'], "the form's categories, in French");
        is_deeply([ map { $_->{code} } @{ $d->{formulaire}{creneaux} } ],
                  ['matin', 'midi', 'apres_midi', 'soir', 'indifferent'], 'time slots');
        is($d->{formulaire}{pieces_max}, 5, 'five files at most');
        is($d->{formulaire}{taille_max_octets}, 5 * 1024 * 1024, 'of portail_upload_max_size each');
    },

    liste_sophie => sub {
        my ($block, $body) = @_;
        my $d = json_decode($body);
        is_deeply(numeros($d->{en_cours}), ["D$YEAR-000001", "E$YEAR-00001"],
                  "the co-tenant sees the contract's requests, Jean's included");
    },

    liste_marie => sub {
        my ($block, $body) = @_;
        my $d = json_decode($body);
        is_deeply(numeros($d->{en_cours}), ['E2000-09998'], 'another household sees only its own');
        is_deeply($d->{historique}, [], 'and no history');
    },

    detail_portail => sub {
        my ($block, $body) = @_;
        my $d = json_decode($body);
        is($d->{description}, 'Le robinet du lavabo goutte en permanence, même fermé à fond.', 'description');
        is($d->{creneau_contact_libelle}, 'Le matin', 'time slot in French');
        is($d->{messages}[0]{auteur_nom}, 'Jean MARTIN', "the tenant's message, signed");
        is_deeply([ map { "$_->{nom} $_->{mime} $_->{taille}" } @{ $d->{pieces} } ],
                  ['fuite lavabo.png image/png ' . length $PNG], 'the attachment, described');
        is($d->{pieces}[0]{url}, "/api/demandes/$d->{id}/pieces/$PIECE_JEAN", 'with its address');
    },

    detail_office => sub {
        my ($block, $body) = @_;
        my $d = json_decode($body);
        is($d->{messages}[0]{auteur}, 'office', "the office's message");
        like($d->{messages}[0]{texte}, qr/le technicien peut passer mardi ou jeudi matin/, 'its text');
        is(scalar @{ $d->{historique} }, 3, 'the history');
    },

    cree => sub {
        my ($block, $body) = @_;
        my $d = json_decode($body);
        my $id = dernier();
        is($d->{id}, $id, 'the new request is answered');
        like($d->{numero}, qr/^D$YEAR-\d{6}$/, 'with a portal number');
        my $row = sql(q{SELECT d.*, c.numero AS contrat, co.email FROM demande d
                        JOIN contrat c ON c.id = d.contrat_id JOIN compte co ON co.id = d.compte_id
                        WHERE d.id = $1}, $id)->[0];
        is($row->{origine}, 'portail', 'made on the portal');
        is($row->{email}, $JEAN, 'by Jean');
        is($row->{contrat}, 'L/2087412', 'for his contract');
        is($row->{type}, 'demande', 'a request (the default type)');
        is($row->{categorie}, 'technique_logement', 'category');
        is($row->{objet}, 'Volet roulant cassé', 'subject');
        is($row->{description}, "Le volet de la chambre ne remonte plus.\nIl est bloqué à mi-hauteur.",
           'description, line breaks kept (CR LF made LF)');
        is($row->{creneau_contact}, 'soir', 'time slot');
        is($row->{statut}, 'nouvelle', 'new');
        my $h = sql(q{SELECT statut, auteur, compte_id IS NOT NULL AS compte FROM demande_statut
                      WHERE demande_id = $1}, $id);
        is_deeply($h, [{ statut => 'nouvelle', auteur => 'locataire', compte => 1 }],
                  'its first status, by the tenant, in the same transaction');
        my $p = sql(q{SELECT nom_origine, mime, taille, contenu, encode(sha256, 'hex') AS sha256
                      FROM demande_piece WHERE demande_id = $1 ORDER BY id}, $id);
        is(scalar @$p, 2, 'two files stored');
        is($p->[0]{nom_origine}, 'photo volet.jpg', 'under their names, as labels');
        is($p->[0]{mime}, 'image/jpeg', 'type found by content');
        is($p->[0]{contenu}, $JPEG_NET, 'the photo is stored without its EXIF (GPS) and comment');
        is(index($p->[0]{contenu}, 'Exif'), -1, 'no EXIF left');
        is($p->[0]{taille}, length $JPEG_NET, 'size of what is stored');
        is($p->[0]{sha256}, sha256_hex($JPEG_NET), 'digest of what is stored');
        is($p->[1]{mime}, 'application/pdf', 'the PDF');
        is($p->[1]{contenu}, $PDF, 'unchanged');
        is_deeply([ map { $_->{nom} } @{ $d->{pieces} } ], ['photo volet.jpg', 'devis.pdf'],
                  'the answer lists the files');
        is($d->{pieces}[0]{url}, "/api/demandes/$id/pieces/" . piece($id), 'with their address');
        is(sql_value(q{SELECT count(*) FROM journal WHERE action = 'demande.creation'}), 1, 'journaled');
        my $r = http_request(path => $d->{pieces}[0]{url},
                             headers => { Cookie => 'portail_session=' . (open_session($JEAN))[0] });
        is($r->{status}, 200, 'the photo can be downloaded');
        is($r->{body}, $JPEG_NET, 'as stored, without its metadata');
        is($r->{headers}{'content-type'}, 'image/jpeg', 'with its type');
        compter();
    },

    reclamation => sub {
        my ($block, $body) = @_;
        my $row = sql(q{SELECT type, categorie, creneau_contact,
                               (SELECT count(*) FROM demande_piece p WHERE p.demande_id = d.id) AS pieces
                          FROM demande d WHERE id = $1}, dernier())->[0];
        is_deeply($row, { type => 'reclamation', categorie => 'parties_communes', creneau_contact => undef,
                          pieces => 0 }, 'a complaint without files nor time slot');
        compter();
    },

    rien_cree => sub {
        is(sql_value(q{SELECT count(*) FROM demande}), $compte{demandes}, 'no request stored');
        is(sql_value(q{SELECT count(*) FROM demande_piece}), $compte{pieces}, 'no file stored');
    },

    message => sub {
        my ($block, $body) = @_;
        my $d = json_decode($body);
        my $m = sql(q{SELECT m.auteur, m.texte, co.email FROM demande_message m
                      JOIN compte co ON co.id = m.compte_id
                      WHERE m.demande_id = $1 ORDER BY m.id DESC LIMIT 1}, id("E$YEAR-00001"))->[0];
        is_deeply($m, { auteur => 'locataire', email => $JEAN,
                        texte => "Mardi matin me convient.\nMerci." }, 'the message is stored');
        is($d->{messages}[-1]{texte}, "Mardi matin me convient.\nMerci.", 'and answered with the request');
        is(sql_value(q{SELECT statut FROM demande WHERE numero = $1}, "E$YEAR-00001"),
           'en_attente_locataire', 'the status is the office\'s to change');
        is(sql_value(q{SELECT count(*) FROM journal WHERE action = 'demande.message'}), 1, 'journaled');
    },

    export => sub {
        my ($rc, $out, $dir) = export_portail($T0);
        is($rc, 0, 'tools/export ran') or diag $out;
        my @nouvelles = @{ sql(q{SELECT numero FROM demande WHERE origine = 'portail' AND cree_le >= $1
                                 ORDER BY id}, $T0) };
        my $dem = lire_csv("$dir/demandes.csv");
        is_deeply(numeros($dem), numeros(\@nouvelles), 'the new requests are exported');
        is($dem->[0]{description}, "Le volet de la chambre ne remonte plus.\nIl est bloqué à mi-hauteur.",
           'with their description');
        is($dem->[0]{compte}, $JEAN, 'and who made them');
        my $st = lire_csv("$dir/demandes_statuts.csv");
        is(scalar(grep { $_->{statut} eq 'nouvelle' } @$st), scalar @nouvelles, 'their first status');
        my $msg = lire_csv("$dir/demandes_messages.csv");
        is_deeply([ map { $_->{texte} } @$msg ], ["Mardi matin me convient.\nMerci."], 'the message');
        my $pc = lire_csv("$dir/demandes_pieces.csv");
        is(scalar @$pc, 2, 'the files');
        for my $p (@$pc) {
            my $bytes = fichier_octets("$dir/$p->{fichier}");
            is(sha256_hex($bytes // ''), $p->{sha256}, "$p->{fichier} is written, its digest given");
        }
        is(fichier_octets("$dir/$pc->[0]{fichier}"), $JPEG_NET, 'the photo without its metadata');
    },

    import => sub {
        my $numero = sql_value(q{SELECT numero FROM demande WHERE id = $1}, id_cree());
        clear_mails();
        # extracted now, or just after the template's batch when that one
        # claims a later hour of today: a batch older than the last is refused
        my ($rc, $out) = import_lot(
            'lot.csv' => ['extrait_le,emetteur',
                          sql_value(q{SELECT to_char(greatest(now(), (SELECT max(extrait_le) FROM import_lot)),
                                                     'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM')}) . ',test'],
            'demandes_statuts.csv' => ['reference,numero_demande,statut,le,commentaire',
                                       "ST-T7-1,$numero,en_cours," . sql_value(q{SELECT to_char(now(), 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM')})
                                       . ',Un technicien passera jeudi.'],
            'demandes_messages.csv' => ['reference,numero_demande,le,texte',
                                        "MSG-T7-1,$numero," . sql_value(q{SELECT to_char(now(), 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM')})
                                        . ',Merci de laisser la fenêtre accessible.']);
        is($rc, 0, 'the office\'s batch is imported') or diag $out;
        is(sql_value(q{SELECT statut FROM demande WHERE numero = $1}, $numero), 'en_cours', 'new status');
        is(sql_value(q{SELECT count(*) FROM courriel WHERE destinataire = $1 AND sujet = $2}, $JEAN,
                     "Votre demande n° $numero : En cours de traitement"), 1, 'the tenant is told by e-mail');
        ok(wait_for_mail($JEAN, qr/En cours de traitement/), 'which the portal sends');
        ok(wait_for_mail($JEAN, qr/Merci de laisser la fen/), "and the office's message");
        my $r = http_request(path => '/api/demandes/' . id_cree(),
                             headers => { Cookie => 'portail_session=' . (open_session($JEAN))[0] });
        my $d = json_decode($r->{body});
        is($d->{statut_libelle}, 'En cours de traitement', 'the request shows it');
        is($d->{historique}[-1]{commentaire}, 'Un technicien passera jeudi.', "with the office's comment");
        is($d->{messages}[-1]{texte}, 'Merci de laisser la fenêtre accessible.', "and the office's message");
    },
);

sub id_cree { sql_value(q{SELECT min(id) FROM demande WHERE origine = 'portail' AND cree_le >= $1}, $T0) }

after_blocks(\%after);

run_tests();

__DATA__

=== TEST 1: the list needs a session
--- request
GET /api/demandes
--- error_code: 401
--- response_body chomp
{"error":"non_authentifie","message":"Votre session a expiré ou vous n'êtes pas connecté. Connectez-vous pour continuer."}



=== TEST 2: Jean's requests: open ones first, the closed ones as history, the form's labels [liste_jean]
--- request
GET /api/demandes
--- compte: jean.martin@example.org
--- error_code: 200
--- response_headers
Cache-Control: no-store
--- response_body_like chomp
^\{"en_cours" ?: ?\[.*"historique" ?: ?\[.*"formulaire" ?: ?\{



=== TEST 3: his co-tenant sees the contract's requests [liste_sophie]
--- request
GET /api/demandes
--- compte: sophie.martin-leroy@example.org
--- error_code: 200



=== TEST 4: another household sees its own only [liste_marie]
--- request
GET /api/demandes
--- compte: marie.dupont@example.org
--- error_code: 200



=== TEST 5: a request made on the portal, with its message [detail_portail]
--- request eval
"GET /api/demandes/" . main::id("D" . main::annee() . "-000001")
--- compte: jean.martin@example.org
--- error_code: 200



=== TEST 6: a request recorded at the office: its history and the office's message [detail_office]
--- request eval
"GET /api/demandes/" . main::id("E" . main::annee() . "-00001")
--- compte: jean.martin@example.org
--- error_code: 200



=== TEST 7: another household's request is not found
--- request eval
"GET /api/demandes/" . main::id("E2000-09998")
--- compte: jean.martin@example.org
--- error_code: 404
--- response_body chomp
{"error":"introuvable","message":"La ressource demandée n'existe pas."}



=== TEST 8: ids that are not ids are not found either
--- request eval
["GET /api/demandes/abc", "GET /api/demandes/123456789012345678901", "GET /api/demandes/-1"]
--- compte: jean.martin@example.org
--- error_code eval
[404, 404, 404]



=== TEST 9: a new request with a photo (its GPS position removed) and a PDF [cree]
--- request eval
"POST /api/demandes\n" . main::mp(main::formulaire(),
    pieces => ['photo volet.jpg', $main::JPEG_GPS, 'image/jpeg'],
    pieces => ['devis.pdf', $main::PDF, 'application/pdf'])
--- compte: jean.martin@example.org
--- more_headers
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code: 201
--- response_body_like chomp
"statut_libelle" ?: ?"Nouvelle"
--- error_log eval
qr/upload "photo volet.jpg": \d+ bytes of metadata removed/



=== TEST 10: an attachment is downloaded as a file, never shown inline
--- request eval
"GET /api/demandes/" . main::id("D" . main::annee() . "-000001") . "/pieces/$main::PIECE_JEAN"
--- compte: sophie.martin-leroy@example.org
--- error_code: 200
--- response_headers
Content-Type: image/png
Content-Disposition: attachment; filename="fuite lavabo.png"; filename*=UTF-8''fuite%20lavabo.png
Cache-Control: no-store
X-Content-Type-Options: nosniff
--- response_body eval
$main::PNG



=== TEST 11: another household cannot download it, nor through its own request's address
--- request eval
["GET /api/demandes/" . main::id("D" . main::annee() . "-000001") . "/pieces/$main::PIECE_JEAN",
 "GET /api/demandes/" . main::id("E2000-09998") . "/pieces/$main::PIECE_JEAN"]
--- compte: marie.dupont@example.org
--- error_code eval
[404, 404]
--- response_body eval
[qq{{"error":"introuvable","message":"La ressource demandée n'existe pas."}},
 qq{{"error":"introuvable","message":"La ressource demandée n'existe pas."}}]



=== TEST 12: a complaint without files nor time slot, the contract typed with its L/ [reclamation]
--- request eval
"POST /api/demandes\n" . main::mp(contrat => 'L/2087412', type => 'reclamation',
    categorie => 'parties_communes', objet => 'Ascenseur en panne',
    description => "L'ascenseur est en panne depuis lundi.", creneau_contact => '')
--- compte: jean.martin@example.org
--- more_headers
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code: 201
--- response_body_like chomp
"type_libelle" ?: ?"Réclamation"



=== TEST 13: missing and wrong fields [rien_cree]
--- request eval
["POST /api/demandes\n" . main::mp(),
 "POST /api/demandes\n" . main::mp(contrat => '12AB', type => 'urgent', categorie => 'plomberie',
                                   creneau_contact => 'nuit', description => " \r\n ")]
--- compte: jean.martin@example.org
--- more_headers
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code eval
[422, 422]
--- response_body eval
[qq{{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"contrat":"Choisissez le contrat concerné.","categorie":"Choisissez la catégorie de votre demande.","objet":"Indiquez l'objet de votre demande.","description":"Décrivez votre demande."}}},
 qq{{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"contrat":"Le numéro de contrat a 7 chiffres (L/2013936 ou 2013936).","type":"Choisissez « demande » ou « réclamation ».","categorie":"Choisissez la catégorie de votre demande.","creneau_contact":"Choisissez un moment de la journée.","objet":"Indiquez l'objet de votre demande.","description":"Décrivez votre demande."}}}]



=== TEST 14: too long, or with control characters [rien_cree]
--- request eval
["POST /api/demandes\n" . main::mp(main::formulaire(objet => "\xc3\xa9" x 201)),
 "POST /api/demandes\n" . main::mp(main::formulaire(description => "a" x 10001)),
 "POST /api/demandes\n" . main::mp(main::formulaire(description => "Bip\x07")),
 "POST /api/demandes\n" . main::mp(main::formulaire(objet => "Volet\ncassé"))]
--- compte: jean.martin@example.org
--- more_headers
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code eval
[422, 422, 422, 422]
--- response_body eval
[qq{{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"objet":"L'objet est trop long (200 caractères au plus)."}}},
 qq{{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"description":"Ce texte est trop long (10 000 caractères au plus)."}}},
 qq{{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"description":"Ce texte contient un caractère non autorisé."}}},
 qq{{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"objet":"Ce champ contient un caractère non autorisé."}}}]



=== TEST 15: a contract the tenant does not sign [rien_cree]
--- request eval
"POST /api/demandes\n" . main::mp(main::formulaire(contrat => '2013936'))
--- compte: jean.martin@example.org
--- more_headers
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code: 422
--- response_body chomp
{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"contrat":"Choisissez l'un de vos contrats."}}



=== TEST 16: a program named like a photo is refused, nothing is stored [rien_cree]
--- request eval
"POST /api/demandes\n" . main::mp(main::formulaire(),
    pieces => ['photo.jpg', $main::EXE, 'image/jpeg'],
    pieces => ['devis.pdf', $main::PDF, 'application/pdf'])
--- compte: jean.martin@example.org
--- more_headers
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code: 422
--- response_body chomp
{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"pieces":"Ce type de fichier n'est pas accepté : déposez un PDF, une photo JPEG ou une image PNG."}}
--- error_log
upload "photo.jpg" refused: not a PDF, JPEG or PNG



=== TEST 17: a file over portail_upload_max_size [rien_cree]
--- request eval
"POST /api/demandes\n" . main::mp(main::formulaire(),
    pieces => ['scan.pdf', $main::PDF_GROS, 'application/pdf'])
--- compte: jean.martin@example.org
--- more_headers
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code: 422
--- response_body chomp
{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"pieces":"Le fichier dépasse la taille maximale de 5 Mo."}}
--- timeout: 10



=== TEST 18: six files [rien_cree]
--- request eval
"POST /api/demandes\n" . main::mp(main::formulaire(),
    map { (pieces => ["p$_.pdf", $main::PDF, 'application/pdf']) } 1 .. 6)
--- compte: jean.martin@example.org
--- more_headers
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code: 422
--- response_body chomp
{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"pieces":"Vous pouvez joindre 5 fichiers au plus."}}



=== TEST 19: a PDF with a script: its code, its message on its field [rien_cree]
--- request eval
"POST /api/demandes\n" . main::mp(main::formulaire(),
    pieces => ['facture.pdf', $main::PDF_JS, 'application/pdf'])
--- compte: jean.martin@example.org
--- more_headers
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code: 422
--- response_body_like chomp
^\{"error":"fichier_contenu_actif","message":"Ce PDF contient du contenu actif \(JavaScript, lien, pièce jointe...\) : enregistrez-le à nouveau avec « Imprimer en PDF » puis renvoyez-le.","champs":\{"pieces":"Ce PDF contient du contenu actif
--- error_log
upload "facture.pdf" refused: fichier_contenu_actif: objet 1 0 : /OpenAction : action /JavaScript



=== TEST 20: filing a request needs the CSRF token [rien_cree]
--- request eval
"POST /api/demandes\n" . main::mp(main::formulaire())
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code: 403
--- response_body chomp
{"error":"csrf_invalide","message":"La demande n'a pas pu être vérifiée. Rechargez la page puis réessayez."}



=== TEST 21: and a session [rien_cree]
--- request eval
"POST /api/demandes\n" . main::mp(main::formulaire())
--- more_headers
Content-Type: multipart/form-data; boundary=PortailTest7d3f
--- error_code: 401



=== TEST 22: a form, not JSON [rien_cree]
--- request
POST /api/demandes
{"contrat": "2087412"}
--- compte: jean.martin@example.org
--- more_headers
Content-Type: application/json
--- error_code: 415
--- response_body chomp
{"error":"type_non_supporte","message":"Le type de contenu envoyé n'est pas accepté ici."}



=== TEST 23: a message on an open request [message]
--- request eval
"POST /api/demandes/" . main::id("E" . main::annee() . "-00001") . "/messages\n"
. '{"texte": "Mardi matin me convient.\r\nMerci."}'
--- compte: jean.martin@example.org
--- more_headers
Content-Type: application/json
--- error_code: 201



=== TEST 24: not on a closed one
--- request eval
"POST /api/demandes/" . main::id("E2000-09999") . "/messages\n" . '{"texte": "Le bruit a repris."}'
--- compte: jean.martin@example.org
--- more_headers
Content-Type: application/json
--- error_code: 409
--- response_body chomp
{"error":"conflit","message":"Cette demande est clôturée : vous ne pouvez plus y ajouter de message. Pour un nouveau besoin, faites une nouvelle demande."}



=== TEST 25: nor on another household's
--- request eval
"POST /api/demandes/" . main::id("E2000-09998") . "/messages\n" . '{"texte": "Bonjour"}'
--- compte: jean.martin@example.org
--- more_headers
Content-Type: application/json
--- error_code: 404
--- response_body chomp
{"error":"introuvable","message":"La ressource demandée n'existe pas."}



=== TEST 26: empty, blank, not a text, too long
--- request eval
[ map { "POST /api/demandes/" . main::id("E" . main::annee() . "-00001") . "/messages\n$_" }
  '{}', '{"texte": " \n "}', '{"texte": 42}', '{"texte": "' . ("x" x 10001) . '"}' ]
--- compte: jean.martin@example.org
--- more_headers
Content-Type: application/json
--- error_code eval
[422, 422, 422, 422]
--- response_body eval
[ map { qq{{"error":"validation","message":"Certains champs sont incorrects : corrigez-les puis réessayez.","champs":{"texte":"$_"}}} }
  "Écrivez votre message.", "Écrivez votre message.", "Ce champ doit être un texte.",
  "Ce texte est trop long (10 000 caractères au plus)." ]



=== TEST 27: not JSON
--- request eval
"POST /api/demandes/" . main::id("E" . main::annee() . "-00001") . "/messages\n{texte:"
--- compte: jean.martin@example.org
--- more_headers
Content-Type: application/json
--- error_code: 400
--- response_body chomp
{"error":"json_invalide","message":"Le contenu envoyé n'est pas un objet JSON valide."}



=== TEST 28: a message needs the CSRF token
--- request eval
"POST /api/demandes/" . main::id("E" . main::annee() . "-00001") . "/messages\n" . '{"texte": "Bonjour"}'
--- more_headers
Cookie: portail_session={{session:jean.martin@example.org}}
Content-Type: application/json
--- error_code: 403



=== TEST 29: the export gives the office the new requests, their files and the message [export]
--- request
GET /api/sante



=== TEST 30: the office's answer comes back through the import and is e-mailed [import]
--- request
GET /api/sante
--- timeout: 20
