// The sections that are not built yet: each keeps its real title and says
// what it will offer (the guide's description) and, plainly, that it is not
// available yet.  Each section has its own module (contrat.js, ...) so that
// it can be replaced by the real page without touching the router.

import { h } from '../dom.js';
import { boiteMessage } from '../ui.js';
import { page } from './commun.js';

export function rubriqueAVenir({ classe, titre, description, points = [] }, ctx) {
    const conteneur = page(['page-a-venir', classe], titre);
    conteneur.append(
        h('p', { class: 'chapeau' }, description),
        points.length ? h('ul', { class: 'liste-points' }, points.map((point) => h('li', {}, point))) : null,
        boiteMessage('info', 'Cette rubrique sera bientôt disponible.'),
        contactEnAttendant(ctx),
    );
    return conteneur;
}

function contactEnAttendant(ctx) {
    const organisme = ctx && ctx.organisme;
    if (!organisme || !organisme.telephone) {
        return h('p', {}, 'En attendant, vous pouvez contacter l\'Office : ses coordonnées figurent en bas de page.');
    }
    return h('p', {}, `En attendant, pour toute question, vous pouvez contacter l'Office au ${organisme.telephone}`,
        organisme.email ? ` ou à l'adresse ${organisme.email}` : '', '.');
}
