// The link of the "new e-mail address" message:
// <public url>/#/dossier/email/confirmation?jeton=<token>.  Like the
// registration's, the token is sent as soon as the page opens, signed in
// or not (the link is often opened on a phone where the tenant is not
// signed in): the token is the key.

import { h, remplacer } from '../dom.js';
import { boiteMessage } from '../ui.js';
import { envoyer, lire } from '../api.js';
import { page } from './commun.js';

const ERREURS_DEFINITIVES = new Set(['jeton_invalide', 'changement_email_expire', 'adresse_utilisee']);

export default function afficher(ctx) {
    const conteneur = page('page-confirmation-email', 'Confirmation de votre nouvelle adresse e-mail');
    const resultat = h('div', { class: 'resultat', role: 'status' });
    conteneur.append(resultat);

    const suite = () => h('p', { class: 'lien-suite' }, ctx.session
        ? h('a', { href: '#/dossier', class: 'bouton bouton--principal' }, 'Retour à mon dossier')
        : h('a', { href: '#/connexion', class: 'bouton bouton--principal' }, 'Se connecter'));
    const nouvelleDemande = () => h('p', { class: 'lien-suite' }, ctx.session
        ? h('a', { href: '#/dossier' }, 'Faire une nouvelle demande de changement dans Mon dossier')
        : h('a', { href: '#/connexion' }, 'Se connecter pour faire une nouvelle demande (dans Mon dossier)'));

    const jeton = ctx.params.get('jeton');
    if (!jeton) {
        remplacer(resultat,
            boiteMessage('erreur', 'Ce lien de confirmation est incomplet. Ouvrez le lien reçu par e-mail en entier, ou copiez-le sans le couper dans la barre d\'adresse.'),
            nouvelleDemande());
        return conteneur;
    }

    const confirmer = async () => {
        remplacer(resultat, h('p', { class: 'en-cours' }, 'Confirmation de votre nouvelle adresse en cours…'));
        try {
            const reponse = await envoyer('/api/dossier/email/confirmation', { jeton }, { sessionRequise: false });
            ctx.effacerJeton();
            if (ctx.session) {
                // The session's account now has the new address.
                try {
                    ctx.ouvrirSession(await lire('/api/session', { sessionRequise: false }));
                } catch {
                    // the page still says what happened
                }
            }
            remplacer(resultat,
                boiteMessage('succes', reponse?.message ?? 'Votre nouvelle adresse e-mail est enregistrée.',
                    { titre: 'Votre adresse e-mail est changée' }),
                h('p', {}, 'Utilisez désormais cette adresse pour vous connecter.'),
                suite());
        } catch (erreur) {
            if (ERREURS_DEFINITIVES.has(erreur.code)) {
                ctx.effacerJeton();
                remplacer(resultat,
                    boiteMessage('erreur', erreur.message, { titre: 'Ce lien ne peut pas être utilisé' }),
                    nouvelleDemande());
            } else {
                remplacer(resultat,
                    boiteMessage('erreur', erreur.message),
                    h('p', { class: 'lien-suite' },
                        h('button', { type: 'button', class: 'bouton', onclick: confirmer }, 'Réessayer')));
            }
        }
    };
    confirmer();
    return conteneur;
}
