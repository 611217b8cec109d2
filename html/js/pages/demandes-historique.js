// The closed requests and complaints (resolved, closed, rejected), the
// last closed first: the guide's "historique de vos réclamations".  A
// filter keeps the complaints only.

import { h, ajouter } from '../dom.js';
import { erreurChargement, lienRoute } from '../ui.js';
import { lire } from '../api.js';
import { page, selecteurContrat } from './commun.js';
import { carteDemande, filtrerParContrat } from './demandes-commun.js';

export default async function afficher(ctx) {
    const conteneur = page('page-demandes-historique', 'Historique de vos demandes et réclamations',
        'Vos demandes et réclamations clôturées, les plus récentes d\'abord.');
    let reponse;
    try {
        reponse = await lire('/api/demandes');
    } catch (erreur) {
        conteneur.append(erreurChargement(erreur, { reessayer: () => ctx.naviguer('/demandes/historique') }));
        return conteneur;
    }
    const reclamationsSeules = ctx.params.get('type') === 'reclamation';
    const toutes = filtrerParContrat(reponse.historique, ctx.contrat);
    const reclamations = toutes.filter((demande) => demande.type === 'reclamation');
    const affichees = reclamationsSeules ? reclamations : toutes;
    const suffixe = ctx.contrat ? `contrat=${ctx.contrat}` : '';
    const filtre = (route, texte, actif) => h('li', {}, lienRoute(route, texte, { 'aria-current': actif ? 'page' : null }));
    ajouter(conteneur, [
        h('p', {}, lienRoute('/demandes', 'Retour à vos demandes en cours')),
        selecteurContrat(ctx, {
            route: '/demandes/historique', contrats: ctx.contrats, courant: ctx.contrat, tous: true,
            parametres: reclamationsSeules ? { type: 'reclamation' } : {},
        }),
        h('nav', { class: 'filtres', 'aria-label': 'Filtrer l\'historique' },
            h('ul', {},
                filtre(`/demandes/historique${suffixe ? `?${suffixe}` : ''}`, `Demandes et réclamations (${toutes.length})`, !reclamationsSeules),
                filtre(`/demandes/historique?type=reclamation${suffixe ? `&${suffixe}` : ''}`, `Réclamations seulement (${reclamations.length})`, reclamationsSeules))),
        affichees.length
            ? h('ul', { class: 'liste-cartes', 'aria-label': reclamationsSeules ? 'Réclamations clôturées' : 'Demandes clôturées' },
                affichees.map((demande) => carteDemande(demande)))
            : h('p', { class: 'liste-vide' }, reclamationsSeules
                ? 'Vous n\'avez aucune réclamation clôturée.' : 'Vous n\'avez aucune demande clôturée.'),
    ]);
    return conteneur;
}
