// What several pages share: the identity fields of the office's guide
// (registration and forgotten identifiers ask for the same two), the e-mail
// check, and the page skeleton.

import { h, idUnique } from '../dom.js';
import { pourLecteurs, boiteMessage } from '../ui.js';
import {
    libelleNature, numeroCourt, numeroLong, formaterTaille, libelleTypeFichier, formaterDateLongue, formaterMontant,
} from '../format.js';

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

export function champEmail(formulaire, { nom = 'email', libelle = 'E-mail', aide = null } = {}) {
    return formulaire.texte({
        nom,
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

/** A row of a description list: a term and its value(s). */
export function ligne(terme, ...valeur) {
    return h('div', {}, h('dt', {}, terme), h('dd', {}, valeur));
}

/** A description list; rows that are null are left out. */
export function details(...lignes) {
    return h('dl', { class: 'details' }, lignes);
}

/** "Contrat n° L/2013936 – Logement", as the guide names a contract. */
export function libelleContrat(contrat) {
    const nature = contrat.nature_libelle || libelleNature(contrat.nature);
    return `Contrat n° ${numeroLong(contrat.numero)}${nature ? ` – ${nature}` : ''}`;
}

/** What a page about one contract says when the account has none. */
export function aucunContrat() {
    return boiteMessage('info', 'Aucun contrat n\'est rattaché à votre compte pour le moment.');
}

/**
 * The contract a page shows: the one chosen (?contrat=, or earlier), if it
 * is in `contrats`, else the first (the dwelling: the API lists it first).
 */
export function contratChoisi(ctx, contrats) {
    return contrats.find((contrat) => numeroCourt(contrat.numero) === ctx.contrat) ?? contrats[0] ?? null;
}

/**
 * The contract selector of the guide ("Contrat n° L/2013936" in a list),
 * for tenants with several contracts (a dwelling and a parking space).  A
 * list and a button, not a list that reloads the page as soon as it
 * changes (RGAA 7.5: no change of context on input): arrows go through
 * the contracts, the button shows the one chosen, whose number goes in the
 * page's address (?contrat=2013936) and follows the tenant to the other
 * pages.  `tous`: a first choice for all the contracts (lists).
 * `parametres`: the other parameters of the address to keep (an object, or
 * a function giving them at the time of the choice).
 * Returns null when there is only one contract.
 */
export function selecteurContrat(ctx, { route, contrats, courant, tous = false, parametres = {} }) {
    if (contrats.length < 2) {
        return null;
    }
    const id = idUnique('choix-contrat');
    const liste = h('select', { id, name: 'contrat' },
        tous ? h('option', { value: '' }, 'Tous vos contrats') : null,
        contrats.map((contrat) => h('option', {
            value: numeroCourt(contrat.numero),
            selected: courant !== null && numeroCourt(contrat.numero) === courant,
        }, libelleContrat(contrat))));
    const formulaire = h('form', {
        class: 'selecteur-contrat', method: 'get', 'aria-label': 'Choix du contrat',
        onsubmit: (evenement) => {
            evenement.preventDefault();
            const requete = new URLSearchParams(typeof parametres === 'function' ? parametres() : parametres);
            if (liste.value) {
                requete.set('contrat', liste.value);
            }
            ctx.choisirContrat(liste.value || null);
            const texte = requete.toString();
            ctx.naviguer(`${route}${texte ? `?${texte}` : ''}`);
        },
    },
    h('label', { for: id, class: 'libelle' }, 'Contrat affiché'),
    h('div', { class: 'selecteur-contrat-ligne' },
        liste,
        h('button', { type: 'submit', class: 'bouton' }, 'Afficher')));
    return formulaire;
}

/** A link to download a file the API serves (a certificate, an attachment). */
export function lienTelechargement(url, nom, { mime = null, taille = null } = {}) {
    const precisions = [libelleTypeFichier(mime), taille !== null ? formaterTaille(taille) : null].filter(Boolean).join(', ');
    return h('a', { href: url, download: '', class: 'lien-fichier' },
        pourLecteurs('Télécharger '), nom, precisions ? ` (${precisions})` : '');
}

/**
 * The pages of a long list: "Page précédente", the page numbers (the
 * current one marked aria-current), "Page suivante"; links, so that a page
 * can be bookmarked.  `route(numero)` gives a page's route.  Null when
 * there is only one page.
 */
export function navigationPages({ page: courante, pages, route, libelle }) {
    if (pages < 2) {
        return null;
    }
    const numeros = [];
    for (let numero = 1; numero <= pages; numero += 1) {
        // around the current page, the first and the last: not 50 links
        if (numero === 1 || numero === pages || Math.abs(numero - courante) <= 2) {
            numeros.push(numero);
        } else if (numeros[numeros.length - 1] !== '…') {
            numeros.push('…');
        }
    }
    return h('nav', { class: 'pagination', 'aria-label': libelle },
        h('ul', {},
            courante > 1 ? h('li', {}, h('a', { href: `#${route(courante - 1)}` }, 'Page précédente')) : null,
            numeros.map((numero) => (numero === '…'
                ? h('li', { 'aria-hidden': 'true' }, '…')
                : h('li', {}, h('a', { href: `#${route(numero)}`, 'aria-current': numero === courante ? 'page' : null },
                    pourLecteurs('Page '), String(numero))))),
            courante < pages ? h('li', {}, h('a', { href: `#${route(courante + 1)}` }, 'Page suivante')) : null));
}

/**
 * A contract's balance "as of" its date, said in words as well as in
 * figures: the amount alone (or its colour) does not say who owes whom.
 * Positive cents: the tenant owes; negative: in credit.
 */
export function blocSolde(centimes, au) {
    const cents = Number(centimes) || 0;
    let sens;
    let classe;
    if (cents > 0) {
        sens = 'reste à payer';
        classe = 'solde--du';
    } else if (cents < 0) {
        sens = 'en votre faveur (crédit)';
        classe = 'solde--credit';
    } else {
        sens = 'votre compte est à jour';
        classe = 'solde--zero';
    }
    return h('div', { class: ['solde', classe] },
        h('p', { class: 'solde-libelle' }, `Solde de votre compte au ${formaterDateLongue(au)}`),
        h('p', { class: 'solde-montant' },
            h('span', { class: 'solde-valeur' }, formaterMontant(Math.abs(cents))),
            ' ', h('span', { class: 'solde-sens' }, sens)));
}
