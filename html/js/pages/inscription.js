// Registration: the guide's fields and "Bon à savoir" hints, the password
// rules as a live checklist, a confirmation field checked here only (the
// server never gets it), and the server's answer ("un lien de confirmation
// ... valable 24 heures") once accepted.

import { h } from '../dom.js';
import { Formulaire, panneauSucces } from '../ui.js';
import { envoyer } from '../api.js';
import { page, champNom, champReference, champEmail, normaliserReference, lienConnexion } from './commun.js';

export default function afficher() {
    const conteneur = page('page-inscription', 'Créer votre espace locataire',
        'Remplissez tous les champs avec les informations de votre avis d\'échéance.');

    const formulaire = new Formulaire('inscription', { bouton: 'Créer mon compte', enCours: 'Création en cours…' });
    const nom = champNom(formulaire);
    const reference = champReference(formulaire);
    const email = champEmail(formulaire, {
        aide: 'Elle sera votre identifiant pour vous connecter. Le lien de confirmation y sera envoyé.',
    });
    const motDePasse = formulaire.motDePasse({
        nom: 'mot_de_passe',
        libelle: 'Mot de passe',
        autocomplete: 'new-password',
        regles: true,
        // the server refuses a password made of the name or address typed
        contexte: () => ({ nom: nom.valeur(), email: email.valeur() }),
        messageVide: 'Veuillez choisir un mot de passe.',
    });
    const confirmation = formulaire.motDePasse({
        nom: 'confirmation',
        libelle: 'Confirmation du mot de passe',
        aide: 'Saisissez à nouveau le même mot de passe.',
        autocomplete: 'new-password',
        messageVide: 'Veuillez saisir à nouveau votre mot de passe.',
    });
    formulaire.ajouter(nom, reference, email, motDePasse, confirmation);
    formulaire.verifierAussi((valeurs) => (
        valeurs.confirmation && valeurs.mot_de_passe && valeurs.confirmation !== valeurs.mot_de_passe
            ? { confirmation: 'Les deux mots de passe ne sont pas identiques.' } : null));

    const zone = h('div', { class: 'zone-formulaire' }, formulaire.element);
    formulaire.quandEnvoye(async (valeurs) => {
        const reponse = await envoyer('/api/inscription', {
            nom: valeurs.nom,
            reference_client: normaliserReference(valeurs.reference_client),
            email: valeurs.email,
            mot_de_passe: valeurs.mot_de_passe,
        });
        panneauSucces(zone, {
            titre: 'Votre demande d\'inscription est enregistrée',
            message: reponse?.message ?? 'Un lien de confirmation vous a été envoyé par e-mail.',
            suite: [
                h('p', {}, 'Si vous ne recevez pas l\'e-mail d\'ici quelques minutes, pensez à vérifier vos courriers indésirables.'),
                lienConnexion(),
            ],
        });
    });

    conteneur.append(
        // The guide's "Bon à savoir": the hints on the name and the
        // reference are under their fields (read with them), the password
        // rule is the checklist; what is left is the link's validity.
        h('aside', { class: 'bon-a-savoir', 'aria-labelledby': 'titre-bon-a-savoir' },
            h('h2', { id: 'titre-bon-a-savoir' }, 'Bon à savoir'),
            h('p', {}, 'Votre nom et votre référence client figurent sur votre avis d\'échéance.'),
            h('p', {}, 'Un lien de confirmation vous sera envoyé par e-mail pour valider la création de votre compte. Le lien sera valable 24 heures.')),
        zone,
        h('p', { class: 'lien-suite' }, 'Vous avez déjà un compte ? ', h('a', { href: '#/connexion' }, 'Connectez-vous'), '.'),
    );
    return conteneur;
}
