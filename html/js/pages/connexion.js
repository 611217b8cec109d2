// Sign-in, with the guide's words: "Bienvenue dans votre espace locataire",
// "Votre identifiant" (the e-mail), "Votre mot de passe", "Souviens-toi de
// moi", "Se connecter".  Tenants follow the guide's screenshots: the labels
// must be the ones they read there.

import { h } from '../dom.js';
import { Formulaire } from '../ui.js';
import { envoyer } from '../api.js';
import { page, emailPlausible } from './commun.js';

export default function afficher(ctx) {
    const conteneur = page('page-connexion', 'Bienvenue dans votre espace locataire',
        'Tous les services à votre portée.');

    const formulaire = new Formulaire('connexion', { bouton: 'Se connecter', enCours: 'Connexion en cours…' });
    const identifiant = formulaire.texte({
        nom: 'identifiant',
        libelle: 'Votre identifiant',
        type: 'email',
        aide: 'Votre identifiant est l\'adresse e-mail indiquée lors de votre inscription.',
        autocomplete: 'username',
        spellcheck: 'false',
        autocapitalize: 'off',
        messageVide: 'Veuillez saisir votre identifiant (votre adresse e-mail).',
        valider: (valeur) => (emailPlausible(valeur) ? null
            : 'Votre identifiant est votre adresse e-mail, par exemple nom@exemple.fr.'),
    });
    const motDePasse = formulaire.motDePasse({
        nom: 'mot_de_passe',
        libelle: 'Votre mot de passe',
        autocomplete: 'current-password',
        messageVide: 'Veuillez saisir votre mot de passe.',
    });
    const seSouvenir = formulaire.caseACocher({
        nom: 'se_souvenir',
        libelle: 'Souviens-toi de moi',
        aide: 'Vous resterez connecté sur cet appareil. À éviter sur un ordinateur partagé.',
    });
    formulaire.ajouter(
        identifiant,
        motDePasse,
        h('ul', { class: 'liens-oubli' },
            h('li', {}, h('a', { href: '#/mot-de-passe/oubli' }, 'Mot de passe oublié ?')),
            h('li', {}, h('a', { href: '#/identifiants/oubli' }, 'Identifiants oubliés ?'))),
        seSouvenir,
    );

    formulaire.quandEnvoye(async (valeurs) => {
        try {
            const session = await envoyer('/api/connexion', {
                identifiant: valeurs.identifiant,
                mot_de_passe: valeurs.mot_de_passe,
                se_souvenir: valeurs.se_souvenir,
            }, { sessionRequise: false });   // here a 401 means "wrong password"
            ctx.ouvrirSession(session);
            ctx.naviguer(ctx.retour ?? '/accueil');
        } catch (erreur) {
            // Never leave a refused password in the field.
            motDePasse.definirValeur('');
            throw erreur;
        }
    });

    conteneur.append(
        h('section', { class: 'carte carte-connexion', 'aria-labelledby': 'titre-connexion' },
            h('h2', { id: 'titre-connexion', class: 'carte-titre' }, 'Connexion à votre espace'),
            formulaire.element),
        h('p', { class: 'lien-inscription' },
            h('a', { href: '#/inscription' }, 'Si vous n\'avez pas de compte, vous pouvez vous inscrire ici.')),
    );
    return conteneur;
}
