// An address that is no page of the portal (a mistyped or outdated link).

import { h } from '../dom.js';
import { page } from './commun.js';

export default function afficher(ctx) {
    const conteneur = page('page-introuvable', 'Page introuvable',
        'L\'adresse demandée ne correspond à aucune page du portail locataire. Le lien est peut-être incomplet ou ancien.');
    conteneur.append(h('p', { class: 'lien-suite' },
        h('a', { href: '#/' }, ctx.session ? 'Revenir à l\'accueil de votre espace' : 'Revenir à la page de connexion')));
    return conteneur;
}
