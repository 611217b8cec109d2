// The page the payment provider sends the payer back to
// (vads_url_return = <portail_public_url>/#/paiement/retour?commande=...).
// Coming back records nothing: only the provider's notification, server to
// server, does; it may arrive after the payer.  So the page reads the
// order's state (GET /api/paiements/carte/{commande}) and, while it is
// still "initie", asks again a few times, then says what happened, with
// the payment ticket (a receipt, PDF) once the payment is accepted.

import { h, ajouter, remplacer } from '../dom.js';
import { boiteMessage, erreurChargement, lienRoute, annoncer, pourLecteurs } from '../ui.js';
import { lire } from '../api.js';
import { formaterDateHeure, formaterMontant, numeroCourt } from '../format.js';
import { page, details, ligne } from './commun.js';

const ESSAIS = 8;
const INTERVALLE_MS = 1500;

const TYPES = { accepte: 'succes', initie: 'info' };

function attendre(ms) {
    return new Promise((resolve) => { window.setTimeout(resolve, ms); });
}

function resultat(commande) {
    const contrat = numeroCourt(commande.contrat);
    const type = TYPES[commande.statut] ?? 'erreur';
    const titre = h('h2', { class: 'message-titre' }, commande.libelle || commande.statut);
    return h('div', { class: 'resultat', dataset: { statut: commande.statut } },
        h('div', { class: ['message', `message--${type}`] },
            titre,
            commande.message ? h('p', {}, commande.message) : null),
        details(
            ligne('Montant', formaterMontant(commande.montant_cents)),
            ligne('Contrat', `n° ${commande.contrat}`),
            ligne('Référence de la commande', commande.commande),
            ligne('Commencé le', formaterDateHeure(commande.cree_le))),
        commande.ticket_disponible
            ? h('p', {}, h('a', {
                href: `/api/paiements/carte/${encodeURIComponent(commande.commande)}/ticket`, download: '', class: 'lien-fichier',
            }, 'Télécharger le ticket de paiement', pourLecteurs(` de la commande ${commande.commande}`), ' (PDF)'))
            : null,
        commande.ticket_disponible
            ? h('p', { class: 'aide' }, 'Le ticket est aussi rangé dans vos documents (reçus de paiement). Il ne vaut pas quittance de loyer.')
            : null,
        h('p', { class: 'lien-suite' },
            ['refuse', 'abandonne', 'annule', 'erreur'].includes(commande.statut)
                ? [lienRoute(`/paiement?contrat=${contrat}`, 'Réessayer le paiement'), ' · '] : null,
            lienRoute(`/paiement?contrat=${contrat}`, 'Retour à vos paiements')));
}

export default async function afficher(ctx) {
    const conteneur = page('page-paiement-retour', 'Résultat de votre paiement');
    const reference = ctx.params.get('commande') ?? '';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(reference)) {
        ajouter(conteneur, [
            boiteMessage('erreur', 'Ce lien ne désigne aucun paiement. Retrouvez vos paiements par carte dans la rubrique Paiement.'),
            h('p', {}, lienRoute('/paiement', 'Aller à vos paiements'))]);
        return conteneur;
    }
    const chemin = `/api/paiements/carte/${encodeURIComponent(reference)}`;
    let commande;
    try {
        commande = await lire(chemin);
    } catch (erreur) {
        ajouter(conteneur, [
            erreurChargement(erreur, {
                introuvable: 'Nous ne trouvons pas ce paiement parmi ceux de votre compte.',
                reessayer: () => ctx.naviguer(`/paiement/retour?commande=${encodeURIComponent(reference)}`),
            }),
            h('p', {}, lienRoute('/paiement', 'Aller à vos paiements'))]);
        return conteneur;
    }
    const zone = h('div', { class: 'zone-resultat' }, resultat(commande));
    conteneur.append(zone);
    if (commande.statut === 'initie') {
        suivre(zone, chemin);
    }
    return conteneur;
}

// Asks again while the notification has not arrived; stops when the page
// is left.
async function suivre(zone, chemin) {
    for (let essai = 0; essai < ESSAIS; essai += 1) {
        await attendre(INTERVALLE_MS);
        if (!zone.isConnected) {
            return;
        }
        let commande;
        try {
            commande = await lire(chemin);
        } catch {
            continue;   // a network hiccup: try again
        }
        if (!zone.isConnected) {
            return;
        }
        if (commande.statut !== 'initie') {
            // said through the page's live region; the focus stays where
            // the reader is
            remplacer(zone, resultat(commande));
            annoncer(`${commande.libelle}. ${commande.message ?? ''}`);
            return;
        }
    }
    zone.append(boiteMessage('attention', 'La confirmation de la banque n\'est pas encore arrivée. Si votre carte a été débitée, le paiement apparaîtra dans vos paiements et son ticket dans vos documents : rechargez cette page dans quelques minutes.'));
}
