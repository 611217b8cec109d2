// Forgotten identifiers: the identifier is the e-mail; the tenant gives the
// name and the client reference of the notice, and the server sends a
// reminder to the account's address if they match one (same answer either
// way, shown as it is).

import { h } from '../dom.js';
import { Formulaire, panneauSucces } from '../ui.js';
import { envoyer } from '../api.js';
import { page, champNom, champReference, normaliserReference, lienConnexion } from './commun.js';

export default function afficher() {
    const conteneur = page('page-identifiants-oubli', 'Identifiants oubliés',
        'Votre identifiant est l\'adresse e-mail de votre espace locataire. Indiquez votre nom et votre référence client : si un compte leur correspond, nous vous enverrons un rappel par e-mail.');

    const formulaire = new Formulaire('oubli-identifiants', { bouton: 'Recevoir mes identifiants', enCours: 'Envoi en cours…' });
    formulaire.ajouter(champNom(formulaire), champReference(formulaire));
    const zone = h('div', { class: 'zone-formulaire' }, formulaire.element);

    formulaire.quandEnvoye(async (valeurs) => {
        const reponse = await envoyer('/api/identifiants/oubli', {
            nom: valeurs.nom,
            reference_client: normaliserReference(valeurs.reference_client),
        });
        panneauSucces(zone, {
            titre: 'Votre demande est enregistrée',
            message: reponse?.message ?? 'Si ces informations correspondent à un compte, un e-mail vous a été envoyé.',
        });
    });

    conteneur.append(zone, h('p', { class: 'lien-suite' },
        'Vous n\'avez pas encore de compte ? ', h('a', { href: '#/inscription' }, 'Inscrivez-vous'), '.'),
    lienConnexion());
    return conteneur;
}
