// The reset link of the "forgotten password" e-mail:
// <public url>/#/mot-de-passe/reinitialisation?jeton=<token>.  A new
// password (same live rules as registration) and its confirmation; the
// token goes with it.  A successful reset ends every session on the
// server, this browser's included.

import { h, remplacer } from '../dom.js';
import { Formulaire, boiteMessage, panneauSucces } from '../ui.js';
import { envoyer } from '../api.js';
import { page, lienConnexion } from './commun.js';

function lienNouvelleDemande() {
    return h('p', { class: 'lien-suite' }, h('a', { href: '#/mot-de-passe/oubli' }, 'Faire une nouvelle demande de mot de passe'));
}

export default function afficher(ctx) {
    const conteneur = page('page-reinitialisation', 'Choisir un nouveau mot de passe');
    const zone = h('div', { class: 'zone-formulaire' });
    conteneur.append(zone);

    const jeton = ctx.params.get('jeton');
    if (!jeton) {
        remplacer(zone,
            boiteMessage('erreur', 'Ce lien de réinitialisation est incomplet. Ouvrez le lien reçu par e-mail en entier, ou copiez-le sans le couper dans la barre d\'adresse.'),
            lienNouvelleDemande());
        return conteneur;
    }

    const formulaire = new Formulaire('reinitialisation', { bouton: 'Enregistrer le mot de passe', enCours: 'Enregistrement en cours…' });
    const motDePasse = formulaire.motDePasse({
        nom: 'mot_de_passe',
        libelle: 'Nouveau mot de passe',
        autocomplete: 'new-password',
        regles: true,
        messageVide: 'Veuillez choisir un nouveau mot de passe.',
    });
    const confirmation = formulaire.motDePasse({
        nom: 'confirmation',
        libelle: 'Confirmation du nouveau mot de passe',
        aide: 'Saisissez à nouveau le même mot de passe.',
        autocomplete: 'new-password',
        messageVide: 'Veuillez saisir à nouveau votre nouveau mot de passe.',
    });
    formulaire.ajouter(motDePasse, confirmation);
    formulaire.verifierAussi((valeurs) => (
        valeurs.confirmation && valeurs.mot_de_passe && valeurs.confirmation !== valeurs.mot_de_passe
            ? { confirmation: 'Les deux mots de passe ne sont pas identiques.' } : null));

    formulaire.quandEnvoye(async (valeurs) => {
        try {
            const reponse = await envoyer('/api/mot-de-passe/reinitialisation', {
                jeton,
                mot_de_passe: valeurs.mot_de_passe,
            });
            ctx.effacerJeton();
            ctx.fermerSession();
            panneauSucces(zone, {
                titre: 'Votre mot de passe est modifié',
                message: reponse?.message ?? 'Votre nouveau mot de passe est enregistré.',
                suite: [h('p', { class: 'lien-suite' },
                    h('a', { href: '#/connexion', class: 'bouton bouton--principal' }, 'Se connecter'))],
            });
        } catch (erreur) {
            if (erreur.code === 'jeton_invalide' || erreur.code === 'jeton_expire') {
                ctx.effacerJeton();
                remplacer(zone,
                    boiteMessage('erreur', erreur.message, { titre: 'Ce lien ne peut pas être utilisé' }),
                    lienNouvelleDemande());
                zone.querySelector('.message').setAttribute('tabindex', '-1');
                zone.querySelector('.message').focus();
                return;
            }
            throw erreur;   // per-field or general message, shown by the form
        }
    });

    zone.append(formulaire.element);
    conteneur.append(lienConnexion());
    return conteneur;
}
