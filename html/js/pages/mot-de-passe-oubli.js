// Forgotten password: the e-mail of the account; the server answers the
// same whether it exists or not (it must not reveal who has an account),
// and that answer is shown as it is.

import { h } from '../dom.js';
import { Formulaire, panneauSucces } from '../ui.js';
import { envoyer } from '../api.js';
import { page, champEmail, lienConnexion } from './commun.js';

export default function afficher() {
    const conteneur = page('page-mot-de-passe-oubli', 'Mot de passe oublié',
        'Indiquez l\'adresse e-mail de votre espace locataire : si elle correspond à un compte, vous recevrez un lien pour choisir un nouveau mot de passe.');

    const formulaire = new Formulaire('oubli-mot-de-passe', { bouton: 'Recevoir le lien', enCours: 'Envoi en cours…' });
    formulaire.ajouter(champEmail(formulaire));
    const zone = h('div', { class: 'zone-formulaire' }, formulaire.element);

    formulaire.quandEnvoye(async (valeurs) => {
        const reponse = await envoyer('/api/mot-de-passe/oubli', { email: valeurs.email });
        panneauSucces(zone, {
            titre: 'Votre demande est enregistrée',
            message: reponse?.message ?? 'Si cette adresse correspond à un compte, un e-mail vous a été envoyé.',
            suite: [
                h('p', {}, 'Pensez à vérifier vos courriers indésirables. Le lien n\'est valable que peu de temps : utilisez-le rapidement.'),
            ],
        });
    });

    conteneur.append(zone, lienConnexion());
    return conteneur;
}
