// "Mon dossier" (the account menu): what the guide lists — the e-mail
// address, the phone numbers, the password, the professional situation —
// and the tenant's consents.  Each is its own small form: changing a phone
// number does not ask for the password, changing the sign-in address or
// the password does (the server checks it).

import { h, ajouter, remplacer } from '../dom.js';
import { Formulaire, boiteMessage, erreurChargement, annoncer } from '../ui.js';
import { lire, envoyer, modifierRessource } from '../api.js';
import { nomComplet, formaterDate, formaterDateHeure } from '../format.js';
import { page, details, ligne, champEmail } from './commun.js';

// Loose: digits and the usual separators, 10 digits for a French number
// or an international form; the server normalises and decides.
function telephonePlausible(valeur) {
    const chiffres = valeur.replace(/[\s.\-()/]/g, '');
    return /^(0\d{9}|\+\d{6,15}|00\d{6,15})$/.test(chiffres.replace(/^\+33\(?0\)?/, '+33'));
}

const MESSAGE_TELEPHONE = 'Veuillez saisir un numéro de téléphone valide, par exemple 06 12 34 56 78 (ou +32 2 123 45 67 à l\'étranger).';

function section(id, titre, ...contenu) {
    return h('section', { class: 'carte section-dossier', 'aria-labelledby': id },
        h('h2', { id, class: 'carte-titre' }, titre), contenu);
}

function blocEmail(dossier) {
    const zone = h('div', {});
    const attente = dossier.email_en_attente;
    const formulaire = new Formulaire('email', { bouton: 'Changer d\'adresse e-mail', enCours: 'Envoi en cours…' });
    const nouvelle = champEmail(formulaire, {
        nom: 'nouvel_email',
        libelle: 'Nouvelle adresse e-mail',
        aide: 'Elle deviendra votre identifiant de connexion. Un lien de confirmation y sera envoyé.',
    });
    const motDePasse = formulaire.motDePasse({
        nom: 'mot_de_passe',
        libelle: 'Mot de passe actuel',
        autocomplete: 'current-password',
        aide: 'Pour vérifier que c\'est bien vous.',
        messageVide: 'Veuillez saisir votre mot de passe actuel.',
    });
    formulaire.ajouter(nouvelle, motDePasse);
    formulaire.verifierAussi((valeurs) => (
        valeurs.nouvel_email && valeurs.nouvel_email.toLowerCase() === String(dossier.email).toLowerCase()
            ? { nouvel_email: 'C\'est déjà votre adresse e-mail actuelle.' } : null));
    formulaire.quandEnvoye(async (valeurs) => {
        try {
            const reponse = await envoyer('/api/dossier/email', {
                nouvel_email: valeurs.nouvel_email, mot_de_passe: valeurs.mot_de_passe,
            });
            motDePasse.definirValeur('');
            nouvelle.definirValeur('');
            formulaire.afficherMessage('succes', reponse?.message
                ?? `Un lien de confirmation a été envoyé à ${valeurs.nouvel_email}.`,
            ['Votre adresse ne change qu\'une fois ce lien ouvert (il est valable 24 heures).']);
            annoncer(reponse?.message ?? 'Un lien de confirmation a été envoyé à votre nouvelle adresse.');
        } catch (erreur) {
            motDePasse.definirValeur('');
            throw erreur;
        }
    });
    ajouter(zone, [
        details(ligne('Adresse e-mail (identifiant de connexion)', dossier.email)),
        attente ? boiteMessage('info', `Un changement vers ${attente.email} a été demandé le ${formaterDateHeure(attente.demande_le)} : il sera effectif quand vous aurez ouvert le lien envoyé à cette adresse (valable jusqu'au ${formaterDateHeure(attente.expire_le)}).`) : null,
        formulaire.element,
    ]);
    return section('titre-dossier-email', 'Adresse e-mail', zone);
}

function blocTelephones(dossier, mettreAJour) {
    const formulaire = new Formulaire('telephones', {
        bouton: 'Enregistrer les numéros', enCours: 'Enregistrement en cours…', mentionObligatoire: false,
    });
    const verifier = (valeur) => (telephonePlausible(valeur) ? null : MESSAGE_TELEPHONE);
    const fixe = formulaire.texte({
        nom: 'telephone_fixe', libelle: 'Téléphone fixe', type: 'tel', autocomplete: 'tel', obligatoire: false,
        aide: 'Par exemple : 05 46 12 34 56. Laissez vide pour le supprimer.', valider: verifier,
        valeur: dossier.telephone_fixe_affichage ?? dossier.telephone_fixe ?? '',
    });
    const mobile = formulaire.texte({
        nom: 'telephone_mobile', libelle: 'Téléphone mobile', type: 'tel', autocomplete: 'tel', obligatoire: false,
        aide: 'Par exemple : 06 12 34 56 78. Laissez vide pour le supprimer.', valider: verifier,
        valeur: dossier.telephone_mobile_affichage ?? dossier.telephone_mobile ?? '',
    });
    formulaire.ajouter(fixe, mobile);
    formulaire.quandEnvoye(async (valeurs) => {
        const nouveau = await modifierRessource('/api/dossier', {
            telephone_fixe: valeurs.telephone_fixe || null,
            telephone_mobile: valeurs.telephone_mobile || null,
        });
        mettreAJour(nouveau);
        fixe.definirValeur(nouveau.telephone_fixe_affichage ?? '');
        mobile.definirValeur(nouveau.telephone_mobile_affichage ?? '');
        formulaire.afficherMessage('succes', 'Vos numéros de téléphone sont enregistrés. L\'office en sera informé.');
    });
    return section('titre-dossier-telephones', 'Numéros de téléphone', formulaire.element);
}

function blocSituation(dossier, mettreAJour) {
    const formulaire = new Formulaire('situation', {
        bouton: 'Enregistrer la situation', enCours: 'Enregistrement en cours…', mentionObligatoire: false,
    });
    const choix = Array.isArray(dossier.situations_professionnelles) ? dossier.situations_professionnelles : [];
    formulaire.ajouter(formulaire.choix({
        nom: 'situation_professionnelle', libelle: 'Votre situation professionnelle', obligatoire: false,
        choix, vide: 'Non renseignée', valeur: dossier.situation_professionnelle ?? '',
    }));
    formulaire.quandEnvoye(async (valeurs) => {
        const nouveau = await modifierRessource('/api/dossier', {
            situation_professionnelle: valeurs.situation_professionnelle || null,
        });
        mettreAJour(nouveau);
        formulaire.afficherMessage('succes', nouveau.situation_professionnelle_libelle
            ? `Votre situation professionnelle est enregistrée : ${nouveau.situation_professionnelle_libelle}.`
            : 'Votre situation professionnelle est enregistrée.');
    });
    return section('titre-dossier-situation', 'Situation professionnelle', formulaire.element);
}

function dateConsentement(date) {
    return date ? ` (accepté le ${formaterDate(date)})` : '';
}

function blocConsentements(dossier, mettreAJour) {
    const consentements = dossier.consentements ?? {};
    const formulaire = new Formulaire('consentements', {
        bouton: 'Enregistrer mes choix', enCours: 'Enregistrement en cours…', mentionObligatoire: false,
    });
    const dematerialisation = formulaire.caseACocher({
        nom: 'consentement_dematerialisation',
        libelle: `Je choisis de recevoir mes documents (avis d'échéance, quittances) uniquement dans mon espace locataire, sans courrier papier${dateConsentement(consentements.dematerialisation_le)}`,
        valeur: consentements.dematerialisation,
    });
    const actualites = formulaire.caseACocher({
        nom: 'consentement_actualites',
        libelle: `J'accepte de recevoir par e-mail les actualités de l'office${dateConsentement(consentements.actualites_le)}`,
        valeur: consentements.actualites,
    });
    formulaire.ajouter(dematerialisation, actualites,
        h('p', { class: 'aide' }, 'Vous pouvez changer d\'avis à tout moment.'));
    formulaire.quandEnvoye(async (valeurs) => {
        const nouveau = await modifierRessource('/api/dossier', {
            consentement_dematerialisation: valeurs.consentement_dematerialisation,
            consentement_actualites: valeurs.consentement_actualites,
        });
        mettreAJour(nouveau);
        formulaire.afficherMessage('succes', 'Vos choix sont enregistrés.');
    });
    return section('titre-dossier-consentements', 'Vos préférences', formulaire.element);
}

function blocMotDePasse(dossier) {
    const formulaire = new Formulaire('mot-de-passe', { bouton: 'Changer le mot de passe', enCours: 'Enregistrement en cours…' });
    const actuel = formulaire.motDePasse({
        nom: 'mot_de_passe_actuel', libelle: 'Mot de passe actuel', autocomplete: 'current-password',
        messageVide: 'Veuillez saisir votre mot de passe actuel.',
    });
    const nouveau = formulaire.motDePasse({
        nom: 'nouveau_mot_de_passe', libelle: 'Nouveau mot de passe', autocomplete: 'new-password', regles: true,
        messageVide: 'Veuillez choisir un nouveau mot de passe.',
    });
    const confirmation = formulaire.motDePasse({
        nom: 'confirmation', libelle: 'Confirmation du nouveau mot de passe', autocomplete: 'new-password',
        aide: 'Saisissez à nouveau le même mot de passe.',
        messageVide: 'Veuillez saisir à nouveau votre nouveau mot de passe.',
    });
    formulaire.ajouter(actuel, nouveau, confirmation);
    formulaire.verifierAussi((valeurs) => {
        if (valeurs.confirmation && valeurs.nouveau_mot_de_passe && valeurs.confirmation !== valeurs.nouveau_mot_de_passe) {
            return { confirmation: 'Les deux mots de passe ne sont pas identiques.' };
        }
        if (valeurs.nouveau_mot_de_passe && valeurs.nouveau_mot_de_passe === valeurs.mot_de_passe_actuel) {
            return { nouveau_mot_de_passe: 'Le nouveau mot de passe doit être différent de l\'actuel.' };
        }
        return null;
    });
    formulaire.quandEnvoye(async (valeurs) => {
        try {
            const reponse = await envoyer('/api/dossier/mot-de-passe', {
                mot_de_passe_actuel: valeurs.mot_de_passe_actuel,
                nouveau_mot_de_passe: valeurs.nouveau_mot_de_passe,
            });
            for (const champ of [actuel, nouveau, confirmation]) {
                champ.definirValeur('');
            }
            nouveau.majRegles();
            formulaire.afficherMessage('succes', reponse?.message ?? 'Votre mot de passe est modifié.');
        } catch (erreur) {
            actuel.definirValeur('');
            throw erreur;
        }
    });
    return section('titre-dossier-mot-de-passe', 'Mot de passe',
        dossier.mot_de_passe_change_le
            ? h('p', { class: 'aide' }, `Dernière modification le ${formaterDate(dossier.mot_de_passe_change_le)}.`) : null,
        formulaire.element);
}

export default async function afficher(ctx) {
    const conteneur = page('page-dossier', 'Mon dossier',
        'Mettez à jour votre adresse e-mail, vos numéros de téléphone, votre mot de passe et votre situation professionnelle.');
    let dossier;
    try {
        dossier = await lire('/api/dossier');
    } catch (erreur) {
        conteneur.append(erreurChargement(erreur, { reessayer: () => ctx.naviguer('/dossier') }));
        return conteneur;
    }
    const identite = h('div', {});
    const mettreAJour = (nouveau) => {
        dossier = nouveau;
        remplacer(identite, details(
            ligne('Nom', nomComplet(dossier) || dossier.nom),
            ligne('Situation professionnelle', dossier.situation_professionnelle_libelle || 'Non renseignée'),
            dossier.modifie_le ? ligne('Dernière mise à jour', formaterDateHeure(dossier.modifie_le)) : null,
        ));
    };
    mettreAJour(dossier);
    ajouter(conteneur, [
        section('titre-dossier-identite', 'Vos informations', identite,
            h('p', { class: 'aide' }, 'Pour corriger votre nom, contactez l\'office : ses coordonnées figurent en bas de page.')),
        blocEmail(dossier),
        blocTelephones(dossier, mettreAJour),
        blocSituation(dossier, mettreAJour),
        blocConsentements(dossier, mettreAJour),
        blocMotDePasse(dossier),
    ]);
    return conteneur;
}
