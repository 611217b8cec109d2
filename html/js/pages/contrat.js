// "Votre contrat", as the guide shows it: a contract selector when the
// tenant has several ("Contrat n° L/2013936"), then four tabs: Données du
// contrat, Occupants (declare, correct, remove), Adresse de facturation
// (change), Assurance habitation (the certificate in force, those sent and
// their review, renewal by sending the new certificate).
//
// The address keeps the contract and the tab (#/contrat?contrat=2013936
// &onglet=assurance): the home page links straight to the renewal.

import { h, ajouter, remplacer, focaliser } from '../dom.js';
import {
    Formulaire, boiteMessage, onglets, demanderConfirmation, erreurChargement, annoncer, pourLecteurs, zoneEdition,
} from '../ui.js';
import { lire, envoyer, remplacerRessource, supprimerRessource, envoyerFichiers } from '../api.js';
import {
    formaterDate, formaterDateLongue, formaterMontant, formaterDateHeure, libelleModePaiement, nomPersonne,
    nomComplet, numeroCourt, aujourdhui,
} from '../format.js';
import {
    page, details, ligne, libelleContrat, contratChoisi, selecteurContrat, lienTelechargement, aucunContrat,
} from './commun.js';

const ONGLETS = [
    ['donnees', 'Données du contrat'],
    ['occupants', 'Occupants'],
    ['facturation', 'Adresse de facturation'],
    ['assurance', 'Assurance habitation'],
];

// A success said in the panel: focused (the form that had the focus is
// gone) and announced.
function succes(zone, texte) {
    const boite = boiteMessage('succes', texte);
    boite.setAttribute('tabindex', '-1');
    remplacer(zone, boite);
    focaliser(boite);
    annoncer(texte);
}

// ---------------------------------------------------------------------------
// Données du contrat

function adresseContrat(adresse) {
    if (!adresse) {
        return null;
    }
    return h('address', { class: 'adresse' },
        [adresse.ligne1, adresse.ligne2, [adresse.code_postal, adresse.commune].filter(Boolean).join(' ')]
            .filter(Boolean).map((ligneAdresse) => h('span', { class: 'adresse-ligne' }, ligneAdresse)));
}

function ongletDonnees(contrat) {
    const signataires = Array.isArray(contrat.signataires) ? contrat.signataires : [];
    return h('div', {},
        h('h3', {}, 'Données du contrat'),
        details(
            ligne('Numéro de contrat', contrat.numero),
            ligne('Nature', contrat.nature_libelle),
            contrat.designation ? ligne('Désignation', contrat.designation) : null,
            contrat.residence ? ligne('Résidence', contrat.residence) : null,
            ligne('Adresse', adresseContrat(contrat.adresse)),
            ligne('Date d\'entrée', formaterDateLongue(contrat.date_debut)),
            contrat.date_fin ? ligne('Date de fin', formaterDateLongue(contrat.date_fin)) : null,
            signataires.length ? ligne(signataires.length > 1 ? 'Signataires' : 'Signataire',
                signataires.map(nomComplet).join(', ')) : null,
        ),
        h('h3', {}, 'Loyer et charges'),
        details(
            ligne('Loyer', formaterMontant(contrat.loyer_cents)),
            ligne('Charges', formaterMontant(contrat.charges_cents)),
            ligne('Total mensuel', formaterMontant(contrat.total_cents)),
            contrat.jour_echeance ? ligne('Échéance', `le ${contrat.jour_echeance} de chaque mois`) : null,
            ligne('Mode de paiement', libelleModePaiement(contrat.mode_paiement)),
        ));
}

// ---------------------------------------------------------------------------
// Occupants

function champsOccupant(formulaire, liens, occupant = null) {
    const nom = formulaire.texte({
        nom: 'nom', libelle: 'Nom', autocomplete: 'off', spellcheck: 'false', maxlength: 100, valeur: occupant?.nom,
        messageVide: 'Veuillez indiquer le nom de l\'occupant.',
    });
    const prenom = formulaire.texte({
        nom: 'prenom', libelle: 'Prénom', autocomplete: 'off', spellcheck: 'false', maxlength: 100, valeur: occupant?.prenom,
        messageVide: 'Veuillez indiquer le prénom de l\'occupant.',
    });
    const naissance = formulaire.texte({
        nom: 'date_naissance', libelle: 'Date de naissance', type: 'date', max: aujourdhui(), min: '1900-01-02',
        valeur: occupant?.date_naissance, taille: 'date',
        messageVide: 'Veuillez indiquer la date de naissance.',
        valider: (valeur) => (!/^\d{4}-\d{2}-\d{2}$/.test(valeur) ? 'Veuillez indiquer une date complète (jour, mois, année).'
            : valeur > aujourdhui() ? 'La date de naissance ne peut pas être dans le futur.'
                : valeur <= '1900-01-01' ? 'Veuillez vérifier l\'année de naissance.' : null),
    });
    const lien = formulaire.choix({
        nom: 'lien', libelle: 'Lien avec le ou les signataires', choix: liens, valeur: occupant?.lien,
        messageVide: 'Veuillez choisir le lien de cette personne avec le ou les signataires.',
    });
    formulaire.ajouter(nom, prenom, naissance, lien);
}

function ongletOccupants(numero, donnees) {
    const racine = h('div', {});
    const zoneMessage = h('div', { class: 'zone-statut' });
    let occupants = donnees.occupants;
    const liens = donnees.liens;

    async function recharger(message) {
        const reponse = await lire(`/api/contrats/${numero}/occupants`);
        occupants = reponse.occupants;
        rendre();
        succes(zoneMessage, message);
    }

    function formulaireOccupant(occupant) {
        const nomFormulaire = occupant ? `occupant-${occupant.id}` : 'occupant-nouveau';
        const formulaire = new Formulaire(nomFormulaire, {
            bouton: occupant ? 'Enregistrer les modifications' : 'Ajouter cet occupant',
            enCours: 'Enregistrement en cours…',
        });
        champsOccupant(formulaire, liens, occupant);
        formulaire.quandEnvoye(async (valeurs) => {
            const corps = {
                nom: valeurs.nom, prenom: valeurs.prenom, date_naissance: valeurs.date_naissance, lien: valeurs.lien,
            };
            if (occupant) {
                await remplacerRessource(`/api/contrats/${numero}/occupants/${occupant.id}`, corps);
                await recharger(`Les informations de ${nomPersonne(corps)} sont enregistrées. L'office en sera informé.`);
            } else {
                await envoyer(`/api/contrats/${numero}/occupants`, corps);
                await recharger(`${nomPersonne(corps)} est ajouté(e) aux occupants du logement. L'office en sera informé.`);
            }
        });
        return formulaire;
    }

    function carteOccupant(occupant) {
        const nom = nomPersonne(occupant);
        const { bouton: modifier, zone } = zoneEdition({
            id: `occupant-${occupant.id}-zone`, classe: 'bouton bouton--petit', libelle: ['Modifier', pourLecteurs(` ${nom}`)],
            titre: `Modifier les informations de ${nom}`, niveau: 5,
            formulaire: () => formulaireOccupant(occupant), champ: 'nom',
        });
        const retirer = h('button', { type: 'button', class: 'bouton bouton--petit bouton--danger' }, 'Retirer', pourLecteurs(` ${nom}`));
        retirer.addEventListener('click', () => {
            modifier.setAttribute('aria-expanded', 'false');
            demanderConfirmation(zone, {
                question: `Retirer ${nom} des occupants du logement ?`,
                details: 'Faites-le si cette personne n\'habite plus dans le logement. L\'office en sera informé.',
                confirmer: `Oui, retirer ${nom}`,
                enCours: 'Retrait en cours…',
                retour: retirer,
                action: async () => {
                    await supprimerRessource(`/api/contrats/${numero}/occupants/${occupant.id}`);
                    await recharger(`${nom} est retiré(e) des occupants du logement. L'office en sera informé.`);
                },
            });
        });
        return h('li', { class: 'carte occupant' },
            h('h4', { class: 'carte-titre' }, nom),
            details(
                ligne('Date de naissance', formaterDate(occupant.date_naissance)),
                ligne('Lien', occupant.lien_libelle || occupant.lien),
            ),
            occupant.declare_sur_portail
                ? h('p', { class: 'etiquette' }, 'Déclaré sur le portail : en attente de prise en compte par l\'office')
                : null,
            h('div', { class: 'actions actions--compactes' }, modifier, retirer),
            zone);
    }

    function rendre() {
        const { bouton: ajouter, zone: zoneAjout } = zoneEdition({
            id: 'occupant-ajout-zone', libelle: 'Ajouter un occupant',
            titre: 'Déclarer un nouvel occupant', niveau: 4,
            formulaire: () => formulaireOccupant(null), champ: 'nom',
        });
        remplacer(racine,
            h('h3', {}, 'Occupants du logement'),
            h('p', {}, 'Les personnes qui vivent dans le logement. Signalez une arrivée, un départ ou une erreur : l\'office met à jour votre dossier.'),
            zoneMessage,
            occupants.length
                ? h('ul', { class: 'liste-cartes' }, occupants.map(carteOccupant))
                : h('p', {}, 'Aucun occupant n\'est enregistré pour ce contrat.'),
            h('div', { class: 'actions' }, ajouter),
            zoneAjout);
    }

    rendre();
    return racine;
}

// ---------------------------------------------------------------------------
// Adresse de facturation

const LIGNES_ADRESSE = [
    ['destinataire', 'Destinataire', true, 'Nom et prénom, ou raison sociale'],
    ['complement_destinataire', 'Complément destinataire', false, 'Par exemple : chez Mme Dupont'],
    ['complement_adresse', 'Complément d\'adresse', false, 'Bâtiment, escalier, appartement'],
    ['voie', 'Numéro et voie', true, 'Par exemple : 12 rue des Merciers'],
    ['lieu_dit', 'Lieu-dit ou boîte postale', false, null],
];

function adresseFacturation(adresse) {
    return h('address', { class: 'adresse' },
        [adresse.destinataire, adresse.complement_destinataire, adresse.complement_adresse, adresse.voie,
            adresse.lieu_dit, [adresse.code_postal, adresse.localite].filter(Boolean).join(' ')]
            .filter(Boolean).map((ligneAdresse) => h('span', { class: 'adresse-ligne' }, ligneAdresse)));
}

function ongletFacturation(numero, adresseInitiale) {
    const racine = h('div', {});
    const zoneMessage = h('div', { class: 'zone-statut' });
    let adresse = adresseInitiale;

    function formulaireAdresse() {
        const formulaire = new Formulaire('facturation', { bouton: 'Enregistrer l\'adresse', enCours: 'Enregistrement en cours…' });
        for (const [nom, libelle, obligatoire, aide] of LIGNES_ADRESSE) {
            formulaire.ajouter(formulaire.texte({
                nom, libelle, obligatoire, aide: aide ? `${aide}. 38 caractères au maximum.` : '38 caractères au maximum.',
                maxlength: 38, valeur: adresse[nom] ?? '', autocomplete: nom === 'voie' ? 'address-line1' : 'off',
            }));
        }
        formulaire.ajouter(
            formulaire.texte({
                nom: 'code_postal', libelle: 'Code postal', inputmode: 'numeric', autocomplete: 'postal-code',
                maxlength: 5, taille: 'court', valeur: adresse.code_postal ?? '',
                messageVide: 'Veuillez indiquer le code postal.',
                valider: (valeur) => (/^\d{5}$/.test(valeur) ? null : 'Le code postal a 5 chiffres, par exemple 17000.'),
            }),
            formulaire.texte({
                nom: 'localite', libelle: 'Localité', autocomplete: 'address-level2', maxlength: 32,
                valeur: adresse.localite ?? '', messageVide: 'Veuillez indiquer la localité.',
            }));
        formulaire.quandEnvoye(async (valeurs) => {
            const corps = {};
            for (const [nom, , obligatoire] of LIGNES_ADRESSE) {
                corps[nom] = valeurs[nom] || (obligatoire ? '' : null);
            }
            corps.code_postal = valeurs.code_postal;
            corps.localite = valeurs.localite;
            adresse = await remplacerRessource(`/api/contrats/${numero}/adresse-facturation`, corps);
            rendre();
            succes(zoneMessage, 'Votre adresse de facturation est enregistrée. L\'office en sera informé.');
        });
        return formulaire;
    }

    function rendre() {
        const { bouton: modifier, zone } = zoneEdition({
            id: 'facturation-zone', libelle: 'Modifier l\'adresse de facturation',
            titre: 'Nouvelle adresse de facturation', niveau: 4,
            formulaire: formulaireAdresse, champ: 'destinataire',
        });
        remplacer(racine,
            h('h3', {}, 'Adresse de facturation'),
            h('p', {}, 'L\'adresse à laquelle l\'office vous envoie vos avis d\'échéance et courriers.'),
            zoneMessage,
            adresseFacturation(adresse),
            adresse.source === 'contrat'
                ? h('p', { class: 'aide' }, 'C\'est l\'adresse du logement : aucune autre adresse de facturation n\'a été indiquée.')
                : adresse.modifiee_le ? h('p', { class: 'aide' }, `Adresse indiquée le ${formaterDate(adresse.modifiee_le)}.`) : null,
            h('div', { class: 'actions' }, modifier),
            zone);
    }

    rendre();
    return racine;
}

// ---------------------------------------------------------------------------
// Assurance habitation

function urlAttestation(numero, assurance) {
    return `/api/contrats/${numero}/assurance/${assurance.id}/fichier`;
}

function statutAttestation(assurance) {
    return h('span', { class: ['statut', `statut--${assurance.statut}`] }, assurance.statut_libelle || assurance.statut);
}

function detailsAttestation(numero, assurance) {
    return details(
        ligne('Assureur', assurance.assureur),
        ligne('Numéro de contrat d\'assurance', assurance.numero_police),
        ligne('Période couverte', `du ${formaterDate(assurance.date_debut)} au ${formaterDate(assurance.date_fin)}`),
        ligne('Vérification par l\'office', statutAttestation(assurance)),
        assurance.motif_refus ? ligne('Motif du refus', assurance.motif_refus) : null,
        ligne('Envoyée le', formaterDateHeure(assurance.depose_le)),
        assurance.fichier ? ligne('Attestation', lienTelechargement(urlAttestation(numero, assurance), assurance.fichier.nom,
            { mime: assurance.fichier.type, taille: assurance.fichier.taille })) : null,
    );
}

// The certificate in force, and what to do about it.
function etatAssurance(courante) {
    if (!courante) {
        return boiteMessage('attention', 'Nous n\'avons pas d\'attestation d\'assurance habitation pour ce contrat. Votre logement doit être assuré pendant toute la durée de votre contrat : transmettez votre attestation ci-dessous.');
    }
    const jour = aujourdhui();
    const dans30Jours = new Date(Date.parse(`${jour}T00:00:00Z`) + 30 * 86400000).toISOString().slice(0, 10);
    if (courante.date_fin < jour) {
        return boiteMessage('erreur', `Votre assurance habitation a expiré le ${formaterDateLongue(courante.date_fin)}. Transmettez votre nouvelle attestation ci-dessous.`);
    }
    if (courante.date_fin <= dans30Jours) {
        return boiteMessage('attention', `Votre assurance habitation expire le ${formaterDateLongue(courante.date_fin)}. Pensez à transmettre votre nouvelle attestation.`);
    }
    return null;
}

function formulaireAttestation(numero, quandEnvoyee) {
    const formulaire = new Formulaire('assurance', { bouton: 'Envoyer l\'attestation', enCours: 'Envoi en cours…' });
    formulaire.ajouter(
        formulaire.texte({
            nom: 'assureur', libelle: 'Assureur', maxlength: 100, aide: 'Par exemple : MAIF, MACIF, AXA…',
            messageVide: 'Veuillez indiquer le nom de votre assureur.',
        }),
        formulaire.texte({
            nom: 'numero_police', libelle: 'Numéro de contrat d\'assurance', maxlength: 50, spellcheck: 'false',
            aide: 'Il figure sur votre attestation (numéro de police ou de sociétaire).',
            messageVide: 'Veuillez indiquer le numéro de votre contrat d\'assurance.',
        }),
        formulaire.texte({
            nom: 'date_debut', libelle: 'Date de début de validité', type: 'date', taille: 'date',
            messageVide: 'Veuillez indiquer la date de début de validité de l\'attestation.',
        }),
        formulaire.texte({
            nom: 'date_fin', libelle: 'Date de fin de validité', type: 'date', taille: 'date',
            messageVide: 'Veuillez indiquer la date de fin de validité de l\'attestation.',
        }),
        formulaire.fichiers({
            nom: 'attestation', libelle: 'Attestation d\'assurance', maximum: 1, obligatoire: true,
            aide: 'Le document de votre assureur (ou sa photo, bien lisible).',
            messageVide: 'Veuillez joindre votre attestation d\'assurance.',
        }));
    formulaire.verifierAussi((valeurs) => (
        valeurs.date_debut && valeurs.date_fin && valeurs.date_fin <= valeurs.date_debut
            ? { date_fin: 'La date de fin doit être postérieure à la date de début.' } : null));
    formulaire.quandEnvoye(async (valeurs) => {
        await envoyerFichiers(`/api/contrats/${numero}/assurance`, {
            assureur: valeurs.assureur,
            numero_police: valeurs.numero_police,
            date_debut: valeurs.date_debut,
            date_fin: valeurs.date_fin,
            attestation: valeurs.attestation,
        });
        await quandEnvoyee();
    });
    return formulaire;
}

function ongletAssurance(numero, donneesInitiales) {
    const racine = h('div', {});
    const zoneMessage = h('div', { class: 'zone-statut' });
    let donnees = donneesInitiales;

    function rendre() {
        const courante = donnees.courante;
        const historique = Array.isArray(donnees.historique) ? donnees.historique : [];
        const formulaire = formulaireAttestation(numero, async () => {
            donnees = await lire(`/api/contrats/${numero}/assurance`);
            rendre();
            succes(zoneMessage, 'Votre attestation est envoyée. L\'office va la vérifier ; vous pouvez suivre cette vérification ci-dessous.');
        });
        remplacer(racine,
            h('h3', {}, 'Assurance habitation'),
            zoneMessage,
            etatAssurance(courante),
            courante ? h('section', { class: 'carte', 'aria-labelledby': 'titre-assurance-courante' },
                h('h4', { id: 'titre-assurance-courante', class: 'carte-titre' }, 'Attestation en vigueur'),
                detailsAttestation(numero, courante)) : null,
            h('section', { 'aria-labelledby': 'titre-assurance-envoi' },
                h('h4', { id: 'titre-assurance-envoi' }, 'Renouveler votre assurance : transmettre une attestation'),
                h('p', {}, 'Chaque année, transmettez l\'attestation de votre assurance habitation. L\'office la vérifie puis l\'enregistre.'),
                formulaire.element),
            h('section', { 'aria-labelledby': 'titre-assurance-historique' },
                h('h4', { id: 'titre-assurance-historique' }, 'Attestations envoyées'),
                historique.length
                    ? h('ul', { class: 'liste-cartes' }, historique.map((assurance) => h('li', { class: 'carte' },
                        h('p', { class: 'carte-titre' }, `${assurance.assureur}, du ${formaterDate(assurance.date_debut)} au ${formaterDate(assurance.date_fin)}`),
                        detailsAttestation(numero, assurance))))
                    : h('p', {}, 'Aucune attestation n\'a encore été envoyée depuis le portail.')));
    }

    rendre();
    return racine;
}

// ---------------------------------------------------------------------------
// The page

export default async function afficher(ctx) {
    const conteneur = page('page-contrat', 'Votre contrat',
        'Cette rubrique vous donne un aperçu clair et détaillé de vos contrats : consultez-les, mettez à jour les occupants du logement et votre adresse de facturation, actualisez votre assurance habitation.');
    const choisi = contratChoisi(ctx, ctx.contrats);
    if (!choisi) {
        conteneur.append(aucunContrat());
        return conteneur;
    }
    const numero = numeroCourt(choisi.numero);
    const ongletDemande = ctx.params.get('onglet');
    const actif = ONGLETS.some(([cle]) => cle === ongletDemande) ? ongletDemande : 'donnees';

    let contrat;
    let occupants;
    let assurance;
    try {
        [contrat, occupants, assurance] = await Promise.all([
            lire(`/api/contrats/${numero}`),
            lire(`/api/contrats/${numero}/occupants`),
            lire(`/api/contrats/${numero}/assurance`),
        ]);
    } catch (erreur) {
        ajouter(conteneur, [
            selecteurContrat(ctx, { route: '/contrat', contrats: ctx.contrats, courant: numero }),
            erreurChargement(erreur, {
                introuvable: 'Ce contrat n\'est pas rattaché à votre compte.',
                reessayer: () => ctx.naviguer(`/contrat?contrat=${numero}`),
            })]);
        return conteneur;
    }

    const contenus = {
        donnees: ongletDonnees(contrat),
        occupants: ongletOccupants(numero, occupants),
        facturation: ongletFacturation(numero, contrat.adresse_facturation),
        assurance: ongletAssurance(numero, assurance),
    };
    let ongletCourant = actif;
    const { element } = onglets({
        id: 'contrat',
        libelle: `Rubriques du contrat n° ${contrat.numero}`,
        onglets: ONGLETS.map(([cle, titre]) => ({ cle, titre, contenu: contenus[cle] })),
        actif,
        quandChange: (cle) => {
            ongletCourant = cle;
            ctx.remplacerParametres({ onglet: cle === 'donnees' ? null : cle });
        },
    });
    ajouter(conteneur, [
        // Another contract opens on the same tab.
        selecteurContrat(ctx, {
            route: '/contrat', contrats: ctx.contrats, courant: numero,
            parametres: () => (ongletCourant === 'donnees' ? {} : { onglet: ongletCourant }),
        }),
        h('h2', { class: 'titre-contrat' }, libelleContrat(contrat)),
        element,
    ]);
    return conteneur;
}
