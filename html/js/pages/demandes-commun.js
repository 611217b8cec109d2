// What the request pages share: a request as a card of a list (its
// status, and the history of its statuses a click away), the history as
// a list, and the filter by contract.

import { h } from '../dom.js';
import { lienRoute } from '../ui.js';
import { formaterDate, formaterDateHeure, numeroCourt } from '../format.js';
import { details, ligne } from './commun.js';

/** The statuses of a request, oldest first, with the office's comments. */
export function historiqueStatuts(historique) {
    const etapes = Array.isArray(historique) ? historique : [];
    return h('ol', { class: 'historique' }, etapes.map((etape) => h('li', {},
        h('span', { class: 'historique-date' }, formaterDateHeure(etape.le)), ' : ',
        h('span', { class: 'statut' }, etape.statut_libelle || etape.statut),
        etape.auteur === 'locataire' ? ' (par vous)' : '',
        etape.commentaire ? h('p', { class: 'historique-commentaire texte-libre' }, `« ${etape.commentaire} »`) : null)));
}

function pluriel(nombre, singulier, pluriel_) {
    return `${nombre} ${nombre > 1 ? pluriel_ : singulier}`;
}

/** A request in a list: its subject (a link to it), status, and details. */
export function carteDemande(demande, { niveau = 'h2' } = {}) {
    const etapes = Array.isArray(demande.historique) ? demande.historique : [];
    const echanges = [
        demande.nombre_messages ? pluriel(demande.nombre_messages, 'message', 'messages') : null,
        demande.nombre_pieces ? pluriel(demande.nombre_pieces, 'pièce jointe', 'pièces jointes') : null,
    ].filter(Boolean).join(', ');
    return h('li', { class: ['carte', 'demande', demande.type === 'reclamation' ? 'demande--reclamation' : null] },
        h(niveau, { class: 'carte-titre' }, lienRoute(`/demandes/${demande.id}`, demande.objet)),
        h('p', { class: 'demande-statut' }, 'Statut : ',
            h('span', { class: 'statut' }, demande.statut_libelle || demande.statut),
            demande.statut_le ? ` depuis le ${formaterDate(demande.statut_le)}` : ''),
        details(
            ligne('Numéro', demande.numero),
            ligne('Type', demande.type_libelle || demande.type),
            ligne('Catégorie', demande.categorie_libelle || demande.categorie),
            ligne('Contrat', demande.contrat),
            ligne(demande.origine === 'office' ? 'Enregistrée par l\'office le' : 'Déposée le', formaterDate(demande.cree_le)),
            echanges ? ligne('Échanges', echanges) : null,
        ),
        etapes.length ? h('details', { class: 'depliant' },
            h('summary', {}, `Historique du suivi (${pluriel(etapes.length, 'étape', 'étapes')})`),
            historiqueStatuts(etapes)) : null);
}

/** The requests of one contract (7 digits), or all of them (null). */
export function filtrerParContrat(demandes, contrat) {
    const liste = Array.isArray(demandes) ? demandes : [];
    return contrat ? liste.filter((demande) => numeroCourt(demande.contrat) === contrat) : liste;
}
