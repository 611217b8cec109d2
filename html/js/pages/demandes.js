// "Vos demandes en cours", as the guide shows it: the open requests and
// complaints of the tenant's contracts (their own, their co-tenant's, those
// the office recorded), each with its status and the history of its
// statuses; "Vous n'avez actuellement aucune demande." when there is none;
// the closed ones one click away (the guide's "Si vous voulez consulter
// l'historique de vos réclamations, cliquez ici").

import { h, ajouter } from '../dom.js';
import { erreurChargement, lienRoute } from '../ui.js';
import { lire } from '../api.js';
import { page, selecteurContrat } from './commun.js';
import { carteDemande, filtrerParContrat } from './demandes-commun.js';

export default async function afficher(ctx) {
    const conteneur = page('page-demandes', 'Vos demandes en cours',
        'Cette section vous permet de consulter et de suivre les demandes que vous avez effectuées auprès de nos services locatifs, y compris leur statut actuel.');
    let reponse;
    try {
        reponse = await lire('/api/demandes');
    } catch (erreur) {
        conteneur.append(erreurChargement(erreur, { reessayer: () => ctx.naviguer('/demandes') }));
        return conteneur;
    }
    const enCours = filtrerParContrat(reponse.en_cours, ctx.contrat);
    const closes = filtrerParContrat(reponse.historique, ctx.contrat);
    ajouter(conteneur, [
        h('p', {}, 'Si vous voulez consulter l\'historique de vos réclamations, ',
            lienRoute('/demandes/historique', 'consultez l\'historique de vos demandes et réclamations'),
            closes.length ? ` (${closes.length} clôturée${closes.length > 1 ? 's' : ''}).` : '.'),
        h('p', { class: 'actions' },
            h('a', { href: '#/demandes/nouvelle', class: 'bouton bouton--principal' }, 'Faire une nouvelle demande')),
        selecteurContrat(ctx, { route: '/demandes', contrats: ctx.contrats, courant: ctx.contrat, tous: true }),
        enCours.length
            ? h('ul', { class: 'liste-cartes', 'aria-label': 'Demandes en cours' }, enCours.map((demande) => carteDemande(demande)))
            : h('p', { class: 'liste-vide' }, 'Vous n\'avez actuellement aucune demande.'),
    ]);
    return conteneur;
}
