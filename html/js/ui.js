// Shared accessible components: form fields with their label, hint and
// error; password fields with a "show" toggle and the live rule checklist;
// forms with an error summary; message boxes; disclosure menus; the
// screen-reader announcer.
//
// The patterns follow RGAA 4 / WCAG 2.1 AA and the French state design
// system's conventions: every field has a visible <label>; required fields
// are marked by a visible asterisk explained above the form and by
// aria-required; an error is written next to its field (aria-invalid,
// aria-describedby) and listed in a summary at the top of the form whose
// links move focus to the field; nothing is told by colour alone (icons
// and words go with colours).

import { h, ajouter, remplacer, focaliser } from './dom.js';
import { ErreurApi } from './api.js';
import { evaluer, messageErreur, LONGUEUR_MAX } from './regles-mot-de-passe.js';

// ---------------------------------------------------------------------------
// Announcer and page title

/**
 * Says something to screen-reader users through the page's polite live
 * region (#annonce, present in index.html from the start: regions added
 * later are not reliably announced).  The text is cleared first so that
 * the same sentence said twice is announced twice.
 */
export function annoncer(texte) {
    const region = document.getElementById('annonce');
    if (!region) {
        return;
    }
    region.textContent = '';
    window.setTimeout(() => { region.textContent = texte; }, 100);
}

const PREFIXE_ERREUR = 'Erreur : ';

/**
 * Marks the document's title while a form shows errors (RGAA 8.6: the title
 * tells a screen-reader user, before anything else, that the page came back
 * with errors).
 */
export function marquerTitreErreur(actif) {
    const titre = document.title.startsWith(PREFIXE_ERREUR)
        ? document.title.slice(PREFIXE_ERREUR.length) : document.title;
    document.title = actif ? PREFIXE_ERREUR + titre : titre;
}

// ---------------------------------------------------------------------------
// Small building blocks

/** Text only screen readers get (e.g. the state of a checklist item). */
export function pourLecteurs(texte) {
    return h('span', { class: 'sr-only' }, texte);
}

/** An in-app link (hash route). */
export function lienRoute(route, texte, props = {}) {
    return h('a', { ...props, href: `#${route}` }, texte);
}

const TITRES_MESSAGE = { succes: 'Succès', erreur: 'Erreur', info: 'Information', attention: 'Attention' };

/**
 * A message box.  `type`: succes | erreur | info | attention.  The type is
 * said in words (visually hidden title, plus a distinct icon), not only by
 * the colour.  Returns the box; the caller chooses whether it is announced
 * (inserted in a live region) or focused.
 */
export function boiteMessage(type, contenu, { titre = null } = {}) {
    const boite = h('div', { class: ['message', `message--${type}`] });
    if (titre) {
        ajouter(boite, [h('p', { class: 'message-titre' }, pourLecteurs(`${TITRES_MESSAGE[type]} : `), titre)]);
    }
    const corps = Array.isArray(contenu) ? contenu : [contenu];
    for (const partie of corps) {
        ajouter(boite, [typeof partie === 'string'
            ? h('p', {}, titre ? null : pourLecteurs(`${TITRES_MESSAGE[type]} : `), partie)
            : partie]);
    }
    return boite;
}

/**
 * The success panel that replaces a form once the server accepted it: a
 * heading (focused, so that the screen reader starts reading there and the
 * keyboard user is not left on a button that no longer exists) and the
 * server's message.
 */
export function panneauSucces(conteneur, { titre, message, suite = [] }) {
    const entete = h('h2', { class: 'message-titre', tabindex: '-1' }, pourLecteurs('Succès : '), titre);
    const panneau = h('div', { class: ['message', 'message--succes', 'panneau-resultat'] },
        entete, h('p', {}, message), suite);
    remplacer(conteneur, panneau);
    focaliser(entete);
    annoncer(message);
    return panneau;
}

// ---------------------------------------------------------------------------
// Fields

const ASTERISQUE = () => h('span', { class: 'obligatoire', 'aria-hidden': 'true' }, ' *');

class Champ {
    constructor(formulaire, options) {
        const {
            nom, libelle, type = 'text', obligatoire = true, aide = null, autocomplete = null,
            inputmode = null, valider = null, messageVide = null, spellcheck = null,
            autocapitalize = null, garderEspaces = false,
        } = options;
        this.formulaire = formulaire;
        this.nom = nom;
        this.libelle = libelle;
        this.obligatoire = obligatoire;
        this.validateur = valider;
        this.messageVide = messageVide ?? `Veuillez renseigner le champ « ${libelle} ».`;
        this.garderEspaces = garderEspaces;
        this.id = `${formulaire.nom}-${nom}`;
        this.idErreur = `${this.id}-erreur`;
        this.idAide = aide ? `${this.id}-aide` : null;

        this.controle = h('input', {
            id: this.id,
            name: nom,
            type,
            autocomplete,
            inputmode,
            spellcheck,
            autocapitalize,
            required: obligatoire,
            'aria-required': obligatoire ? 'true' : null,
        });
        this.erreur = h('p', { class: 'erreur-champ', id: this.idErreur, hidden: true });
        this.aide = aide ? h('div', { class: 'aide', id: this.idAide }, aide) : null;
        this.label = h('label', { for: this.id, class: 'libelle' }, libelle, obligatoire ? ASTERISQUE() : null);
        this.racine = h('div', { class: 'champ' }, this.label, this.aide, this.erreur, this.zoneSaisie());
        this.majDescription();
    }

    // The input, possibly wrapped (password fields add a button).
    zoneSaisie() {
        return this.controle;
    }

    // Extra ids the input is described by (the password checklist).
    descriptionsSupplementaires() {
        return [];
    }

    majDescription() {
        const ids = [];
        if (!this.erreur.hidden) {
            ids.push(this.idErreur);
        }
        if (this.idAide) {
            ids.push(this.idAide);
        }
        ids.push(...this.descriptionsSupplementaires());
        if (ids.length) {
            this.controle.setAttribute('aria-describedby', ids.join(' '));
        } else {
            this.controle.removeAttribute('aria-describedby');
        }
    }

    valeur() {
        return this.garderEspaces ? this.controle.value : this.controle.value.trim();
    }

    definirValeur(valeur) {
        this.controle.value = valeur;
    }

    /** The error message for the current value, or null. */
    verifier() {
        const valeur = this.valeur();
        if (this.obligatoire && valeur === '') {
            return this.messageVide;
        }
        if (valeur !== '' && this.validateur) {
            return this.validateur(valeur);
        }
        return null;
    }

    afficherErreur(message) {
        remplacer(this.erreur, pourLecteurs('Erreur : '), message);
        this.erreur.hidden = false;
        this.controle.setAttribute('aria-invalid', 'true');
        this.racine.classList.add('champ--erreur');
        this.majDescription();
    }

    effacerErreur() {
        this.erreur.replaceChildren();
        this.erreur.hidden = true;
        this.controle.removeAttribute('aria-invalid');
        this.racine.classList.remove('champ--erreur');
        this.majDescription();
    }
}

class ChampMotDePasse extends Champ {
    constructor(formulaire, options) {
        super(formulaire, { ...options, type: 'password', garderEspaces: true });
        this.avecRegles = Boolean(options.regles);
        if (this.avecRegles) {
            this.construireRegles();
        }
    }

    zoneSaisie() {
        const sr = pourLecteurs(' le mot de passe');
        const texte = h('span', {}, 'Afficher');
        // A plain button whose words change ("Afficher" / "Masquer"): its
        // name always says what pressing it will do.  The visible word
        // starts the accessible name (WCAG 2.5.3, label in name).
        this.bascule = h('button', {
            type: 'button',
            class: 'bouton-afficher',
            'aria-controls': this.id,
            onclick: () => {
                const masque = this.controle.type === 'password';
                this.controle.type = masque ? 'text' : 'password';
                texte.textContent = masque ? 'Masquer' : 'Afficher';
            },
        }, texte, sr);
        return h('div', { class: 'saisie-mot-de-passe' }, this.controle, this.bascule);
    }

    /** Hides the password again (before sending: password managers expect it). */
    masquer() {
        if (this.controle.type !== 'password') {
            this.bascule.click();
        }
    }

    construireRegles() {
        this.idRegles = `${this.id}-regles`;
        this.elementsRegles = new Map();
        const liste = h('ul', { class: 'regles', id: this.idRegles });
        for (const regle of evaluer('').regles) {
            const etat = pourLecteurs(' : non respectée');
            const element = h('li', { class: 'regle', dataset: { etat: 'non' } },
                h('span', { class: 'regle-icone', 'aria-hidden': 'true' }),
                h('span', {}, regle.libelle), etat);
            this.elementsRegles.set(regle.cle, { element, etat });
            liste.append(element);
        }
        // Polite and summarised: reading the whole list at every keystroke
        // would drown what the user types.
        this.annonceRegles = h('p', { class: 'sr-only', 'aria-live': 'polite', id: `${this.id}-etat-regles` });
        const titre = h('p', { class: 'regles-titre', id: `${this.id}-regles-titre` }, 'Votre mot de passe doit contenir :');
        liste.setAttribute('aria-labelledby', titre.id);
        this.racine.append(h('div', { class: 'bloc-regles' }, titre, liste, this.annonceRegles));
        this.majDescription();

        this.derniereAnnonce = null;
        this.minuterie = null;
        this.controle.addEventListener('input', () => this.majRegles());
    }

    descriptionsSupplementaires() {
        return this.avecRegles && this.idRegles ? [this.idRegles] : [];
    }

    majRegles() {
        const evaluation = evaluer(this.controle.value);
        for (const regle of evaluation.regles) {
            const { element, etat } = this.elementsRegles.get(regle.cle);
            element.dataset.etat = regle.respectee ? 'oui' : 'non';
            etat.textContent = regle.respectee ? ' : respectée' : ' : non respectée';
        }
        window.clearTimeout(this.minuterie);
        this.minuterie = window.setTimeout(() => this.annoncerRegles(evaluation), 800);
    }

    annoncerRegles(evaluation) {
        let texte;
        const manquantes = evaluation.regles.filter((regle) => !regle.respectee);
        if (evaluation.tropLong) {
            texte = `Mot de passe trop long : ${LONGUEUR_MAX} caractères au maximum.`;
        } else if (manquantes.length === 0) {
            texte = 'Le mot de passe respecte toutes les règles.';
        } else {
            const respectees = evaluation.regles.length - manquantes.length;
            texte = `Règles respectées : ${respectees} sur ${evaluation.regles.length}. `
                + `Il manque : ${manquantes.map((regle) => regle.libelle).join(', ')}.`;
        }
        if (texte !== this.derniereAnnonce) {
            this.derniereAnnonce = texte;
            this.annonceRegles.textContent = texte;
        }
    }

    verifier() {
        const valeur = this.valeur();
        if (valeur === '') {
            return this.obligatoire ? this.messageVide : null;
        }
        if (this.avecRegles) {
            const message = messageErreur(evaluer(valeur));
            if (message) {
                return message;
            }
        }
        return this.validateur ? this.validateur(valeur) : null;
    }
}

class CaseACocher {
    constructor(formulaire, { nom, libelle, aide = null }) {
        this.nom = nom;
        this.id = `${formulaire.nom}-${nom}`;
        this.controle = h('input', { type: 'checkbox', id: this.id, name: nom });
        const idAide = aide ? `${this.id}-aide` : null;
        if (idAide) {
            this.controle.setAttribute('aria-describedby', idAide);
        }
        this.racine = h('div', { class: 'champ champ-case' },
            this.controle,
            h('label', { for: this.id }, libelle),
            aide ? h('p', { class: 'aide', id: idAide }, aide) : null);
    }

    valeur() {
        return this.controle.checked;
    }

    verifier() {
        return null;
    }

    afficherErreur() {}

    effacerErreur() {}
}

// ---------------------------------------------------------------------------
// Forms

/**
 * A form with client-side checks, an error summary, a message zone and a
 * submit button that cannot send twice.
 *
 *   const f = new Formulaire('connexion', { bouton: 'Se connecter', enCours: 'Connexion en cours…' });
 *   const email = f.texte({ nom: 'identifiant', libelle: 'Votre identifiant', type: 'email' });
 *   f.ajouter(email, ...);
 *   f.quandEnvoye(async (valeurs) => { ... });   // throw ErreurApi to show it
 *   page.append(f.element);
 */
export class Formulaire {
    constructor(nom, { bouton, enCours = 'Envoi en cours…', mentionObligatoire = true } = {}) {
        this.nom = nom;
        this.champs = [];
        this.verifications = [];
        this.occupe = false;
        this.libelleBouton = bouton;
        this.libelleEnCours = enCours;

        this.resume = h('div', {
            class: 'resume-erreurs', tabindex: '-1', hidden: true,
            'aria-labelledby': `${nom}-resume-titre`,
        });
        // Exists (empty) from the start so that what is put in it later is
        // announced: assertive, because it answers the user's own action.
        this.zoneMessage = h('div', { class: 'zone-message', role: 'alert' });
        this.corps = h('div', { class: 'formulaire-corps' });
        this.bouton = h('button', { type: 'submit', class: 'bouton bouton--principal' }, bouton);
        this.actions = h('div', { class: 'actions' }, this.bouton);
        // method="post": should a script fail before taking the submit
        // over, the browser must not put the password in a URL.
        this.element = h('form', {
            class: 'formulaire', novalidate: true, id: nom, method: 'post',
            onsubmit: (evenement) => { evenement.preventDefault(); this.soumettre(); },
        },
        mentionObligatoire
            ? h('p', { class: 'mention-obligatoire' }, 'Les champs marqués d\'un astérisque (', h('span', { class: 'obligatoire' }, '*'), ') sont obligatoires.')
            : null,
        this.resume, this.zoneMessage, this.corps, this.actions);
    }

    texte(options) {
        return new Champ(this, options);
    }

    motDePasse(options) {
        return new ChampMotDePasse(this, options);
    }

    caseACocher(options) {
        return new CaseACocher(this, options);
    }

    /** Appends fields (registered) or any other nodes to the form body. */
    ajouter(...elements) {
        for (const element of elements) {
            if (element instanceof Champ || element instanceof CaseACocher) {
                this.champs.push(element);
                this.corps.append(element.racine);
            } else {
                ajouter(this.corps, [element]);
            }
        }
        return this;
    }

    /** Adds nodes next to the submit button (e.g. secondary links). */
    ajouterAuxActions(...elements) {
        ajouter(this.actions, elements);
    }

    /** A check involving several fields: returns { nomDuChamp: message } or null. */
    verifierAussi(fonction) {
        this.verifications.push(fonction);
    }

    quandEnvoye(fonction) {
        this.gestionnaire = fonction;
    }

    champ(nom) {
        return this.champs.find((champ) => champ.nom === nom);
    }

    valeurs() {
        return Object.fromEntries(this.champs.map((champ) => [champ.nom, champ.valeur()]));
    }

    effacer() {
        for (const champ of this.champs) {
            champ.effacerErreur();
        }
        this.resume.hidden = true;
        this.resume.replaceChildren();
        this.zoneMessage.replaceChildren();
        marquerTitreErreur(false);
    }

    /** Shows a message (not tied to a field) in the form's alert zone. */
    afficherMessage(type, texte, suite = []) {
        remplacer(this.zoneMessage, boiteMessage(type, [texte, ...suite]));
        if (type === 'erreur') {
            marquerTitreErreur(true);
        }
    }

    /**
     * Shows errors: each next to its field, all in the summary, which gets
     * the focus.  `erreurs` is { nomDuChamp: message }; names that are not
     * fields of this form (server-side names we do not show) are listed in
     * the summary without a link.  `introduction` is an optional sentence
     * (the server's message) above the list.
     */
    afficherErreurs(erreurs, introduction = null) {
        const entrees = Object.entries(erreurs).filter(([, message]) => message);
        const liste = h('ul', {});
        for (const [nom, message] of entrees) {
            const champ = this.champ(nom);
            if (champ) {
                champ.afficherErreur(message);
                liste.append(h('li', {}, h('a', { href: `#${champ.id}`, dataset: { champ: champ.id } }, message)));
            } else {
                liste.append(h('li', {}, message));
            }
        }
        // In-page links: focusing the field must not change the hash (it
        // is the router's), so the click is handled here.
        liste.addEventListener('click', (evenement) => {
            const lien = evenement.target.closest('a[data-champ]');
            if (lien) {
                evenement.preventDefault();
                const cible = document.getElementById(lien.dataset.champ);
                if (cible) {
                    cible.scrollIntoView({ block: 'center' });
                    cible.focus();
                }
            }
        });
        const nombre = entrees.length;
        remplacer(this.resume,
            h('h2', { id: `${this.nom}-resume-titre`, class: 'resume-erreurs-titre' },
                pourLecteurs('Erreur : '),
                nombre > 1 ? `Le formulaire contient ${nombre} erreurs` : 'Le formulaire contient une erreur'),
            introduction ? h('p', {}, introduction) : null,
            liste);
        this.resume.hidden = false;
        marquerTitreErreur(true);
        focaliser(this.resume);
    }

    verifierTout() {
        const erreurs = {};
        for (const champ of this.champs) {
            const message = champ.verifier();
            if (message) {
                erreurs[champ.nom] = message;
            }
        }
        const valeurs = this.valeurs();
        for (const verification of this.verifications) {
            for (const [nom, message] of Object.entries(verification(valeurs) || {})) {
                if (message && !erreurs[nom]) {
                    erreurs[nom] = message;
                }
            }
        }
        return erreurs;
    }

    occuper(occupe) {
        this.occupe = occupe;
        // aria-disabled rather than disabled: a disabled button loses the
        // focus, and the keyboard user would be thrown back to the top.
        if (occupe) {
            this.bouton.setAttribute('aria-disabled', 'true');
            this.bouton.textContent = this.libelleEnCours;
            this.element.setAttribute('aria-busy', 'true');
        } else {
            this.bouton.removeAttribute('aria-disabled');
            this.bouton.textContent = this.libelleBouton;
            this.element.removeAttribute('aria-busy');
        }
    }

    async soumettre() {
        if (this.occupe) {
            return;
        }
        this.effacer();
        const erreurs = this.verifierTout();
        if (Object.keys(erreurs).length) {
            this.afficherErreurs(erreurs);
            return;
        }
        for (const champ of this.champs) {
            if (champ instanceof ChampMotDePasse) {
                champ.masquer();
            }
        }
        this.occuper(true);
        try {
            await this.gestionnaire(this.valeurs());
        } catch (erreur) {
            this.montrerErreur(erreur);
        } finally {
            if (this.element.isConnected) {
                this.occuper(false);
            }
        }
    }

    /** Shows an ErreurApi: per-field messages if any, else the message. */
    montrerErreur(erreur) {
        if (!(erreur instanceof ErreurApi)) {
            console.error(erreur);   // a bug of ours: say so in the console
            this.afficherMessage('erreur', 'Une erreur inattendue est survenue. Veuillez réessayer.');
            return;
        }
        if (erreur.champs && Object.keys(erreur.champs).length) {
            this.afficherErreurs(erreur.champs, erreur.message);
        } else {
            this.afficherMessage('erreur', erreur.message + delaiAttente(erreur));
        }
    }
}

// A 429 says how long to wait (Retry-After): tell it in minutes, which the
// server's sentence ("quelques minutes") leaves vague.
function delaiAttente(erreur) {
    if (erreur.statut !== 429 || !erreur.reessayerApres || erreur.reessayerApres < 60) {
        return '';
    }
    const minutes = Math.ceil(erreur.reessayerApres / 60);
    return minutes === 1 ? ' Vous pourrez réessayer dans environ une minute.'
        : ` Vous pourrez réessayer dans environ ${minutes} minutes.`;
}

// ---------------------------------------------------------------------------
// Disclosure (menu button)

/**
 * Makes `bouton` show and hide `panneau` (WAI-ARIA disclosure pattern, not
 * the "menu" role: these are plain lists of links, used with Tab).  Escape
 * closes and gives the focus back to the button; so does a click elsewhere;
 * moving the focus out of the panel closes it too (optional).
 */
export function disclosure(bouton, panneau, { fermerEnSortant = true } = {}) {
    const ouvert = () => bouton.getAttribute('aria-expanded') === 'true';
    const definir = (etat) => {
        bouton.setAttribute('aria-expanded', etat ? 'true' : 'false');
        panneau.classList.toggle('ouvert', etat);
    };
    definir(false);
    bouton.setAttribute('aria-controls', panneau.id);
    bouton.addEventListener('click', () => definir(!ouvert()));

    const conteneur = bouton.parentElement;
    const surTouche = (evenement) => {
        if (evenement.key === 'Escape' && ouvert()) {
            evenement.preventDefault();
            definir(false);
            bouton.focus();
        }
    };
    bouton.addEventListener('keydown', surTouche);
    panneau.addEventListener('keydown', surTouche);
    const surClicAilleurs = (evenement) => {
        if (!bouton.isConnected) {
            // the header was rebuilt (sign-in, sign-out): forget this one
            document.removeEventListener('click', surClicAilleurs);
            return;
        }
        if (ouvert() && !bouton.contains(evenement.target) && !panneau.contains(evenement.target)) {
            definir(false);
        }
    };
    document.addEventListener('click', surClicAilleurs);
    if (fermerEnSortant) {
        const surSortie = (evenement) => {
            const suivant = evenement.relatedTarget;
            if (ouvert() && suivant && !panneau.contains(suivant) && suivant !== bouton
                && !(conteneur && conteneur.contains(suivant))) {
                definir(false);
            }
        };
        panneau.addEventListener('focusout', surSortie);
        bouton.addEventListener('focusout', surSortie);
    }
    return { ouvrir: () => definir(true), fermer: () => definir(false), ouvert };
}
