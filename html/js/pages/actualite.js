// One news item in full (#/actualites/<id>), from the home page's list.

import { h, ajouter } from '../dom.js';
import { erreurChargement, lienRoute } from '../ui.js';
import { lire } from '../api.js';
import { formaterDateLongue } from '../format.js';
import { page } from './commun.js';

// The office writes plain text: paragraphs are separated by blank lines,
// single line breaks are kept (CSS white-space: pre-line).
function paragraphes(texte) {
    return String(texte ?? '').split(/\n\s*\n/).filter((bloc) => bloc.trim())
        .map((bloc) => h('p', { class: 'texte-libre' }, bloc.trim()));
}

// The API gives https links only; checked again here, as any URL that
// becomes an href.
function lienExterne(adresse) {
    try {
        const url = new URL(adresse);
        return url.protocol === 'https:' ? url : null;
    } catch {
        return null;
    }
}

export default async function afficher(ctx) {
    const retour = h('p', { class: 'lien-suite' }, lienRoute('/accueil', 'Retour à l\'accueil'));
    let actualite;
    try {
        actualite = await lire(`/api/actualites/${ctx.parametres.id}`);
    } catch (erreur) {
        const conteneur = page('page-actualite', 'Actualité');
        conteneur.append(erreurChargement(erreur, {
            introuvable: 'Cette actualité n\'existe pas ou n\'est plus en ligne.',
            reessayer: () => ctx.naviguer(`/actualites/${ctx.parametres.id}`),
        }), retour);
        return conteneur;
    }
    const conteneur = page('page-actualite', actualite.titre);
    conteneur.dataset.titre = actualite.titre;
    const url = actualite.lien ? lienExterne(actualite.lien) : null;
    ajouter(conteneur, [
        h('p', { class: 'actualite-date' }, 'Publiée le ',
            h('time', { datetime: actualite.publie_le }, formaterDateLongue(actualite.publie_le))),
        h('div', { class: 'actualite-texte' }, paragraphes(actualite.texte)),
        url ? h('p', {}, h('a', { href: url.href, rel: 'noopener' }, 'En savoir plus sur le site de l\'office'),
            ` (${url.host})`) : null,
        retour,
    ]);
    return conteneur;
}
