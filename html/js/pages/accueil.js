// Home of the signed-in tenant: a greeting, the contracts of the session
// (dwelling, parking space: each is paid separately, the guide insists),
// and the news of the account (not built yet: said plainly).

import { h } from '../dom.js';
import { boiteMessage } from '../ui.js';
import { nomComplet, libelleNature } from '../format.js';
import { page } from './commun.js';

function carteContrat(contrat) {
    return h('li', { class: 'carte carte-contrat' },
        h('h3', { class: 'carte-titre' }, `Contrat n° ${contrat.numero}`),
        h('dl', { class: 'details' },
            h('div', {}, h('dt', {}, 'Nature'), h('dd', {}, libelleNature(contrat.nature))),
            contrat.adresse ? h('div', {}, h('dt', {}, 'Adresse'), h('dd', {}, contrat.adresse)) : null));
}

export default function afficher(ctx) {
    const compte = ctx.session?.compte;
    const conteneur = page('page-accueil', 'Accueil');
    const contrats = Array.isArray(ctx.session?.contrats) ? ctx.session.contrats : [];

    conteneur.append(
        h('p', { class: 'chapeau' }, `Bonjour ${nomComplet(compte)}, bienvenue dans votre espace locataire.`),
        h('section', { 'aria-labelledby': 'titre-contrats' },
            h('h2', { id: 'titre-contrats' }, contrats.length > 1 ? 'Vos contrats' : 'Votre contrat'),
            contrats.length
                ? h('ul', { class: 'liste-cartes' }, contrats.map(carteContrat))
                : h('p', {}, 'Aucun contrat n\'est rattaché à votre compte pour le moment.'),
            contrats.length > 1
                ? h('p', { class: 'aide' }, 'Chaque contrat (logement, stationnement) a son propre solde et se règle séparément.')
                : null),
        h('section', { 'aria-labelledby': 'titre-actualites' },
            h('h2', { id: 'titre-actualites' }, 'Vos dernières actualités'),
            boiteMessage('info', 'Cette rubrique sera bientôt disponible.')),
    );
    return conteneur;
}
