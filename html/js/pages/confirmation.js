// The confirmation link of the registration e-mail:
// <public url>/#/inscription/confirmation?jeton=<token>.  The page sends
// the token as soon as it opens (no button: the tenant already clicked in
// the e-mail; mail scanners that follow links run no script, so they cannot
// use the token up), then says what the server answered.

import { h, remplacer } from '../dom.js';
import { boiteMessage } from '../ui.js';
import { envoyer } from '../api.js';
import { page } from './commun.js';

export default function afficher(ctx) {
    const conteneur = page('page-confirmation', 'Confirmation de votre inscription');
    // Polite status region, present before the answer is put in it.
    const resultat = h('div', { class: 'resultat', role: 'status' });
    conteneur.append(resultat);

    const jeton = ctx.params.get('jeton');
    if (!jeton) {
        remplacer(resultat,
            boiteMessage('erreur', 'Ce lien de confirmation est incomplet. Ouvrez le lien reçu par e-mail en entier, ou copiez-le sans le couper dans la barre d\'adresse.'),
            h('p', { class: 'lien-suite' }, h('a', { href: '#/inscription' }, 'Vous inscrire à nouveau')));
        return conteneur;
    }

    const confirmer = async () => {
        remplacer(resultat, h('p', { class: 'en-cours' }, 'Confirmation de votre inscription en cours…'));
        try {
            const reponse = await envoyer('/api/inscription/confirmation', { jeton });
            ctx.effacerJeton();
            remplacer(resultat,
                boiteMessage('succes', reponse?.message ?? 'Votre inscription est confirmée.', { titre: 'Votre compte est activé' }),
                h('p', { class: 'lien-suite' }, h('a', { href: '#/connexion', class: 'bouton bouton--principal' }, 'Se connecter')));
        } catch (erreur) {
            if (erreur.code === 'jeton_invalide' || erreur.code === 'jeton_expire') {
                ctx.effacerJeton();
                remplacer(resultat,
                    boiteMessage('erreur', erreur.message, { titre: 'Ce lien ne peut pas être utilisé' }),
                    h('p', { class: 'lien-suite' }, h('a', { href: '#/inscription' }, 'Vous inscrire à nouveau')));
            } else {
                // Server or network trouble: the token is still good, let
                // the tenant try again without going back to the e-mail.
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
