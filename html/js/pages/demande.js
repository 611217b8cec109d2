// One request (#/demandes/<id>): what was asked, its statuses, the files
// joined, the conversation with the office, and a message to add while it
// is open.

import { h, ajouter, remplacer, focaliser } from '../dom.js';
import { Formulaire, boiteMessage, erreurChargement, lienRoute, annoncer } from '../ui.js';
import { lire, envoyer } from '../api.js';
import { formaterDate, formaterDateHeure } from '../format.js';
import { page, details, ligne, lienTelechargement } from './commun.js';
import { historiqueStatuts } from './demandes-commun.js';

function messages(liste) {
    if (!liste.length) {
        return h('p', {}, 'Aucun message pour le moment.');
    }
    return h('ol', { class: 'messages' }, liste.map((message) => h('li', {
        class: ['message-echange', message.auteur === 'office' ? 'message-echange--office' : 'message-echange--locataire'],
    },
    h('p', { class: 'message-echange-entete' },
        h('span', { class: 'message-echange-auteur' }, message.auteur === 'office' ? 'L\'office' : (message.auteur_nom || 'Vous')),
        ', le ', h('time', { datetime: message.le }, formaterDateHeure(message.le))),
    h('p', { class: 'texte-libre' }, message.texte))));
}

function pieces(liste) {
    if (!liste.length) {
        return h('p', {}, 'Aucune pièce jointe.');
    }
    return h('ul', { class: 'liste-simple' }, liste.map((piece) => h('li', {},
        lienTelechargement(piece.url, piece.nom, { mime: piece.mime, taille: piece.taille }),
        piece.le ? `, ajoutée le ${formaterDate(piece.le)}` : '')));
}

export default async function afficher(ctx) {
    const id = ctx.parametres.id;
    const retour = h('p', { class: 'lien-suite' }, lienRoute('/demandes', 'Retour à vos demandes'));
    let demande;
    try {
        demande = await lire(`/api/demandes/${id}`);
    } catch (erreur) {
        const conteneur = page('page-demande', 'Votre demande');
        ajouter(conteneur, [erreurChargement(erreur, {
            introuvable: 'Cette demande n\'existe pas ou ne concerne pas vos contrats.',
            reessayer: () => ctx.naviguer(`/demandes/${id}`),
        }), retour]);
        return conteneur;
    }

    const conteneur = page('page-demande', demande.objet);
    conteneur.dataset.titre = `${demande.type_libelle || 'Demande'} n° ${demande.numero}`;
    const zoneMessages = h('div', {});
    const rendreMessages = () => remplacer(zoneMessages, messages(Array.isArray(demande.messages) ? demande.messages : []));
    rendreMessages();

    let ajoutMessage;
    if (demande.ouverte) {
        const formulaire = new Formulaire('message', { bouton: 'Envoyer le message', enCours: 'Envoi en cours…' });
        const texte = formulaire.texteLong({
            nom: 'texte', libelle: 'Votre message', maxlength: 10000, lignes: 5,
            aide: 'Répondez à l\'office ou précisez votre demande (10 000 caractères au maximum).',
            messageVide: 'Veuillez écrire votre message.',
        });
        formulaire.ajouter(texte);
        formulaire.quandEnvoye(async (valeurs) => {
            demande = await envoyer(`/api/demandes/${id}/messages`, { texte: valeurs.texte });
            rendreMessages();
            texte.definirValeur('');
            formulaire.afficherMessage('succes', 'Votre message est envoyé à l\'office.');
            annoncer('Votre message est envoyé à l\'office.');
            focaliser(zoneMessages.querySelector('.message-echange:last-child'));
        });
        ajoutMessage = h('section', { 'aria-labelledby': 'titre-ajout-message' },
            h('h2', { id: 'titre-ajout-message' }, 'Ajouter un message'), formulaire.element);
    } else {
        ajoutMessage = boiteMessage('info', 'Cette demande est clôturée : vous ne pouvez plus y ajouter de message. Pour un nouveau besoin, faites une nouvelle demande.');
    }

    ajouter(conteneur, [
        h('p', { class: 'chapeau' }, `${demande.type_libelle || 'Demande'} n° ${demande.numero}`),
        h('p', { class: 'demande-statut' }, 'Statut : ', h('span', { class: 'statut' }, demande.statut_libelle),
            demande.statut_le ? ` depuis le ${formaterDate(demande.statut_le)}` : ''),
        details(
            ligne('Catégorie', demande.categorie_libelle || demande.categorie),
            ligne('Contrat', demande.contrat),
            ligne(demande.origine === 'office' ? 'Enregistrée par l\'office le' : 'Déposée le', formaterDateHeure(demande.cree_le)),
            demande.creneau_contact_libelle ? ligne('Pour vous joindre', demande.creneau_contact_libelle) : null,
        ),
        h('section', { 'aria-labelledby': 'titre-description' },
            h('h2', { id: 'titre-description' }, 'Description'),
            h('p', { class: 'texte-libre' }, demande.description)),
        h('section', { 'aria-labelledby': 'titre-pieces' },
            h('h2', { id: 'titre-pieces' }, 'Pièces jointes'),
            pieces(Array.isArray(demande.pieces) ? demande.pieces : [])),
        h('section', { 'aria-labelledby': 'titre-suivi' },
            h('h2', { id: 'titre-suivi' }, 'Suivi de la demande'),
            historiqueStatuts(demande.historique)),
        h('section', { 'aria-labelledby': 'titre-messages' },
            h('h2', { id: 'titre-messages' }, 'Échanges avec l\'office'),
            zoneMessages),
        ajoutMessage,
        retour,
    ]);
    return conteneur;
}
