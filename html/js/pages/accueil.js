// Home of the signed-in tenant (GET /api/accueil, one round trip): a
// greeting, each contract at a glance (balance "as of" its date, said in
// words as well as in figures; next due date; home insurance to renew),
// the open requests, a survey waiting for an answer, and the guide's
// "Liste des dernières actualités de votre profil".

import { h, ajouter } from '../dom.js';
import { boiteMessage, erreurChargement, lienRoute, pourLecteurs } from '../ui.js';
import { lire } from '../api.js';
import {
    nomComplet, formaterDateLongue, formaterMontant, numeroCourt, formaterDate,
} from '../format.js';
import { page, details, ligne, libelleContrat, selecteurContrat, blocSolde } from './commun.js';

function lienAssurance(contrat, texte) {
    return lienRoute(`/contrat?contrat=${numeroCourt(contrat.numero)}&onglet=assurance`, texte);
}

// Home insurance (dwellings only): what to do, if anything.
function assurance(contrat) {
    const etat = contrat.assurance;
    if (!etat) {
        return null;
    }
    const fin = etat.date_fin ? formaterDateLongue(etat.date_fin) : null;
    switch (etat.etat) {
    case 'aucune':
        return boiteMessage('attention', [
            'Nous n\'avons pas d\'attestation d\'assurance habitation pour ce logement.',
            h('p', {}, lienAssurance(contrat, 'Transmettre votre attestation d\'assurance habitation')),
        ]);
    case 'expiree':
        return boiteMessage('erreur', [
            `Votre assurance habitation a expiré le ${fin}. Vous devez être assuré pendant toute la durée de votre contrat.`,
            h('p', {}, lienAssurance(contrat, 'Renouveler votre assurance : transmettre la nouvelle attestation')),
        ]);
    case 'expire_bientot':
        return boiteMessage('attention', [
            `Votre assurance habitation expire le ${fin}.`,
            h('p', {}, lienAssurance(contrat, 'Renouveler votre assurance : transmettre la nouvelle attestation')),
        ]);
    default:
        return h('p', { class: 'etat-assurance' },
            `Assurance habitation : valide jusqu'au ${fin}`,
            etat.statut === 'en_attente' ? ' (attestation en cours de vérification par l\'office)' : '', '.');
    }
}

function carteContrat(contrat) {
    return h('li', { class: 'carte carte-contrat' },
        h('h3', { class: 'carte-titre' }, libelleContrat(contrat)),
        contrat.designation ? h('p', { class: 'aide' }, contrat.designation) : null,
        blocSolde(contrat.solde_cents, contrat.solde_au),
        details(
            contrat.prochaine_echeance
                ? ligne('Prochaine échéance', formaterDateLongue(contrat.prochaine_echeance),
                    contrat.echeance_cents ? ` (${formaterMontant(contrat.echeance_cents)})` : '')
                : null),
        assurance(contrat),
        h('p', { class: 'lien-suite' },
            lienRoute(`/contrat?contrat=${numeroCourt(contrat.numero)}`,
                ['Voir le contrat', pourLecteurs(` n° ${contrat.numero}`)])));
}

function blocDemandes(demandes) {
    const ouvertes = Number(demandes?.ouvertes) || 0;
    const dernieres = Array.isArray(demandes?.dernieres) ? demandes.dernieres : [];
    return h('section', { class: 'carte', 'aria-labelledby': 'titre-accueil-demandes' },
        h('h2', { id: 'titre-accueil-demandes', class: 'carte-titre' }, 'Vos demandes en cours'),
        h('p', {}, ouvertes === 0 ? 'Vous n\'avez actuellement aucune demande en cours.'
            : ouvertes === 1 ? 'Vous avez 1 demande en cours.' : `Vous avez ${ouvertes} demandes en cours.`),
        dernieres.length ? h('ul', { class: 'liste-simple' }, dernieres.map((demande) => h('li', {},
            h('span', { class: 'demande-objet' }, demande.objet),
            ` (n° ${demande.numero}) : `,
            h('span', { class: 'statut' }, demande.statut_libelle),
            demande.statut_le ? ` depuis le ${formaterDate(demande.statut_le)}` : ''))) : null,
        h('p', { class: 'lien-suite' },
            lienRoute('/demandes', 'Suivre vos demandes'), ' · ',
            lienRoute('/demandes/nouvelle', 'Faire une nouvelle demande')));
}

function blocEnquete(enquete) {
    if (!enquete) {
        return null;
    }
    const titre = `Enquête ${enquete.type} ${enquete.annee}`;
    const lien = h('p', {}, lienRoute(`/enquete-sociale/${enquete.id}`, `Répondre à l'enquête ${enquete.type} ${enquete.annee}`));
    return h('section', { class: 'carte', 'aria-labelledby': 'titre-accueil-enquete' },
        h('h2', { id: 'titre-accueil-enquete', class: 'carte-titre' }, 'Enquête sociale à compléter'),
        enquete.en_retard
            ? boiteMessage('erreur', [
                `${titre} (contrat n° ${enquete.contrat}) : la date limite du ${formaterDateLongue(enquete.date_limite)} est dépassée. Répondez dès que possible : sans réponse, des frais et pénalités peuvent s'appliquer.`,
                lien])
            : boiteMessage('attention', [
                `${titre} (contrat n° ${enquete.contrat}) : à compléter avant le ${formaterDateLongue(enquete.date_limite)}.`,
                lien]));
}

function blocActualites(actualites) {
    return h('section', { 'aria-labelledby': 'titre-actualites', class: 'actualites' },
        h('h2', { id: 'titre-actualites' }, 'Liste des dernières actualités de votre profil'),
        actualites.length
            ? h('ul', { class: 'liste-cartes' }, actualites.map((actualite) => h('li', { class: 'carte actualite' },
                h('h3', { class: 'carte-titre' }, lienRoute(`/actualites/${actualite.id}`, actualite.titre)),
                h('p', { class: 'actualite-date' }, 'Publiée le ', h('time', { datetime: actualite.publie_le }, formaterDateLongue(actualite.publie_le))),
                actualite.extrait ? h('p', {}, actualite.extrait) : null)))
            : h('p', {}, 'Aucune actualité pour le moment.'));
}

export default async function afficher(ctx) {
    const compte = ctx.session?.compte;
    const conteneur = page('page-accueil', 'Accueil',
        `Bonjour ${nomComplet(compte)}, bienvenue dans votre espace locataire.`);
    const chemin = ctx.contrat ? `/api/accueil?contrat=${encodeURIComponent(ctx.contrat)}` : '/api/accueil';
    let accueil;
    try {
        accueil = await lire(chemin);
    } catch (erreur) {
        conteneur.append(erreurChargement(erreur, { reessayer: () => ctx.naviguer('/accueil') }));
        return conteneur;
    }
    const contrats = Array.isArray(accueil?.contrats) ? accueil.contrats : [];
    const selecteur = selecteurContrat(ctx, {
        route: '/accueil', contrats: ctx.contrats, courant: accueil?.contrat ? numeroCourt(accueil.contrat) : null, tous: true,
    });
    ajouter(conteneur, [
        selecteur,
        h('section', { 'aria-labelledby': 'titre-contrats' },
            h('h2', { id: 'titre-contrats' }, contrats.length > 1 ? 'Vos contrats en un coup d\'œil' : 'Votre contrat en un coup d\'œil'),
            contrats.length
                ? h('ul', { class: 'liste-cartes' }, contrats.map(carteContrat))
                : h('p', {}, 'Aucun contrat n\'est rattaché à votre compte pour le moment.'),
            contrats.length > 1
                ? h('p', { class: 'aide' }, 'Chaque contrat (logement, stationnement) a son propre solde et se règle séparément.')
                : null),
        blocEnquete(accueil?.enquete),
        blocDemandes(accueil?.demandes),
        blocActualites(Array.isArray(accueil?.actualites) ? accueil.actualites : []),
    ]);
    return conteneur;
}
