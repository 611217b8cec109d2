// "Enquête sociale": the SLS and OPS surveys addressed to the tenant's
// household, with their deadline, their status (à compléter, envoyée, hors
// délai) and what a late or missing answer costs, as the server words it
// from the campaign's own amounts.

import { h, ajouter } from '../dom.js';
import { boiteMessage, erreurChargement, lienRoute } from '../ui.js';
import { lire } from '../api.js';
import { formaterDateLongue, formaterDateHeure } from '../format.js';
import { page, details, ligne } from './commun.js';

export function statutEnquete(enquete) {
    return h('span', { class: ['statut', `statut--${enquete.statut}`] }, enquete.statut_libelle || enquete.statut);
}

function carteEnquete(enquete) {
    const titre = enquete.campagne?.titre || `Enquête ${enquete.campagne?.type ?? ''}`;
    const envoyee = enquete.statut === 'envoyee';
    const consequences = Array.isArray(enquete.consequences) ? enquete.consequences : [];
    let action;
    if (envoyee) {
        action = `Consulter vos réponses à l'enquête ${enquete.campagne?.type ?? ''} ${enquete.campagne?.annee ?? ''}`;
    } else if (enquete.modifie_le) {
        action = `Continuer l'enquête ${enquete.campagne?.type ?? ''} ${enquete.campagne?.annee ?? ''}`;
    } else {
        action = `Répondre à l'enquête ${enquete.campagne?.type ?? ''} ${enquete.campagne?.annee ?? ''}`;
    }
    return h('li', { class: 'carte enquete' },
        h('h2', { class: 'carte-titre' }, titre),
        details(
            ligne('Statut', statutEnquete(enquete)),
            ligne('Contrat', enquete.contrat),
            ligne('Date limite de réponse', formaterDateLongue(enquete.date_limite)),
            envoyee && enquete.soumise_le
                ? ligne('Envoyée', `le ${formaterDateHeure(enquete.soumise_le)}${enquete.soumise_par ? ` par ${enquete.soumise_par}` : ''}`)
                : null,
            !envoyee && enquete.modifie_le ? ligne('Brouillon enregistré le', formaterDateHeure(enquete.modifie_le)) : null,
        ),
        consequences.length
            ? boiteMessage(enquete.statut === 'hors_delai' ? 'erreur' : 'attention', consequences,
                { titre: enquete.statut === 'hors_delai' ? 'La date limite est dépassée' : 'À savoir' })
            : null,
        h('p', { class: 'lien-suite' },
            lienRoute(`/enquete-sociale/${enquete.id}`, action.trim(), { class: envoyee ? null : 'bouton bouton--principal' })));
}

export default async function afficher(ctx) {
    const conteneur = page('page-enquete-sociale', 'Enquête sociale',
        'Répondez directement en ligne aux enquêtes SLS (supplément de loyer de solidarité) et OPS (occupation du parc social), et déposez votre avis d\'imposition dans le portail.');
    let reponse;
    try {
        reponse = await lire('/api/enquetes');
    } catch (erreur) {
        conteneur.append(erreurChargement(erreur, { reessayer: () => ctx.naviguer('/enquete-sociale') }));
        return conteneur;
    }
    const enquetes = Array.isArray(reponse?.enquetes) ? reponse.enquetes : [];
    ajouter(conteneur, [
        enquetes.length
            ? h('ul', { class: 'liste-cartes', 'aria-label': 'Vos enquêtes' }, enquetes.map(carteEnquete))
            : h('p', { class: 'liste-vide' }, 'Vous n\'avez aucune enquête à compléter pour le moment.'),
        h('aside', { class: 'bon-a-savoir', 'aria-labelledby': 'titre-bon-a-savoir-enquete' },
            h('h2', { id: 'titre-bon-a-savoir-enquete' }, 'Bon à savoir'),
            h('p', {}, 'L\'enquête est obligatoire : l\'office en a besoin pour calculer votre loyer et répondre aux demandes de l\'État.'),
            h('p', {}, 'Préparez l\'avis d\'imposition de chaque personne majeure du foyer : vous pourrez le déposer directement en ligne (PDF ou photo).'),
            h('p', {}, 'Vous pouvez enregistrer vos réponses et revenir plus tard : rien n\'est transmis à l\'office avant que vous ne cliquiez sur « Envoyer ».')),
    ]);
    return conteneur;
}
