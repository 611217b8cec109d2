// What several pages share: the identity fields of the office's guide
// (registration and forgotten identifiers ask for the same two), the e-mail
// check, and the page skeleton.

import { h } from '../dom.js';

// The guide's "Bon à savoir" hints, word for word: tenants compare them
// with their paper notice.
export const AIDE_NOM = 'Nom du signataire tel qu\'il est indiqué sur votre avis d\'échéance';
export const AIDE_REFERENCE = 'Numéro à 7 chiffres sans le L/ (voir référence en haut à gauche de votre avis d\'échéance)';

/**
 * The client reference as the server wants it: 7 digits.  People copy it
 * from the notice, where it reads "L/1234567", sometimes with spaces: the
 * server accepts and strips a leading "L/" or "L" too, this only saves a
 * round trip.  Returns null when it cannot be a reference.
 */
export function normaliserReference(saisie) {
    const compacte = saisie.replace(/\s+/g, '').replace(/^l\/?/i, '');
    return /^\d{7}$/.test(compacte) ? compacte : null;
}

// Deliberately loose (the server decides): something@something.tld, no
// spaces.  Catches the usual slips (missing @, comma for dot at the end).
export function emailPlausible(saisie) {
    return /^[^\s@]+@[^\s@]+\.[^\s@.,;]+$/.test(saisie);
}

export const MESSAGE_EMAIL = 'Veuillez saisir une adresse e-mail valide, par exemple nom@exemple.fr.';

export function champNom(formulaire) {
    return formulaire.texte({
        nom: 'nom',
        libelle: 'Nom',
        aide: AIDE_NOM,
        autocomplete: 'family-name',
        spellcheck: 'false',
        messageVide: 'Veuillez saisir le nom du signataire, tel qu\'il est indiqué sur votre avis d\'échéance.',
    });
}

export function champReference(formulaire) {
    return formulaire.texte({
        nom: 'reference_client',
        libelle: 'Référence client',
        aide: AIDE_REFERENCE,
        inputmode: 'numeric',
        autocomplete: 'off',
        spellcheck: 'false',
        messageVide: 'Veuillez saisir votre référence client (7 chiffres).',
        valider: (valeur) => (normaliserReference(valeur) ? null
            : 'La référence client est un numéro à 7 chiffres, sans le L/ (par exemple 1234567).'),
    });
}

export function champEmail(formulaire, { libelle = 'E-mail', aide = null } = {}) {
    return formulaire.texte({
        nom: 'email',
        libelle,
        aide,
        type: 'email',
        autocomplete: 'email',
        spellcheck: 'false',
        autocapitalize: 'off',
        messageVide: 'Veuillez saisir votre adresse e-mail.',
        valider: (valeur) => (emailPlausible(valeur) ? null : MESSAGE_EMAIL),
    });
}

/** The page skeleton: its single h1 and an optional introduction. */
export function page(classe, titre, ...introduction) {
    return h('div', { class: ['page', classe] },
        h('h1', {}, titre),
        introduction.map((texte) => h('p', { class: 'chapeau' }, texte)));
}

/** Back to sign-in, used at the end of several flows. */
export function lienConnexion(texte = 'Retour à la page de connexion') {
    return h('p', { class: 'lien-suite' }, h('a', { href: '#/connexion' }, texte));
}
