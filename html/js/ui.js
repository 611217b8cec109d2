// Shared accessible components: form fields with their label, hint and
// error; password fields with a "show" toggle and the live rule checklist;
// forms with an error summary; message boxes; disclosure menus; edit zones
// (a button opening a form in place); the screen-reader announcer.
//
// The patterns follow RGAA 4 / WCAG 2.1 AA and the French state design
// system's conventions: every field has a visible <label>; required fields
// are marked by a visible asterisk explained above the form and by
// aria-required; an error is written next to its field (aria-invalid,
// aria-describedby) and listed in a summary at the top of the form whose
// links move focus to the field; nothing is told by colour alone (icons
// and words go with colours).

import { h, ajouter, remplacer, focaliser, idUnique } from './dom.js';
import { ErreurApi, envoyer } from './api.js';
import { evaluer, messageErreur, LONGUEUR_MAX } from './regles-mot-de-passe.js';
import { formaterTaille, libelleTypeFichier } from './format.js';

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

// An id from a field's name: names may be paths ("reponses.revenus.o7").
function idDeNom(formulaire, nom) {
    return `${formulaire.nom}-${String(nom).replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

class Champ {
    constructor(formulaire, options) {
        const {
            nom, libelle, obligatoire = true, aide = null, valider = null, messageVide = null,
            garderEspaces = false, valeur = null, classe = null,
        } = options;
        this.formulaire = formulaire;
        this.nom = nom;
        this.libelle = libelle;
        this.obligatoire = obligatoire;
        this.validateur = valider;
        this.messageVide = messageVide ?? `Veuillez renseigner le champ « ${libelle} ».`;
        this.garderEspaces = garderEspaces;
        this.id = idDeNom(formulaire, nom);
        this.idErreur = `${this.id}-erreur`;
        this.idAide = aide ? `${this.id}-aide` : null;

        this.controle = this.creerControle({
            id: this.id,
            name: nom,
            required: obligatoire,
            'aria-required': obligatoire ? 'true' : null,
        }, options);
        this.erreur = h('p', { class: 'erreur-champ', id: this.idErreur, hidden: true });
        this.aide = aide ? h('div', { class: 'aide', id: this.idAide }, aide) : null;
        this.label = h('label', { for: this.id, class: 'libelle' }, libelle, obligatoire ? ASTERISQUE() : null);
        this.racine = h('div', { class: ['champ', classe] }, this.label, this.aide, this.erreur, this.zoneSaisie());
        if (valeur !== null && valeur !== undefined) {
            this.definirValeur(valeur);
        }
        this.majDescription();
    }

    // The control itself: an <input> here; <select> and <textarea> below.
    // `attributs` are the common ones (id, name, required).
    creerControle(attributs, {
        type = 'text', autocomplete = null, inputmode = null, spellcheck = null, autocapitalize = null,
        maxlength = null, min = null, max = null, pattern = null, taille = null,
    }) {
        return h('input', {
            ...attributs, type, autocomplete, inputmode, spellcheck, autocapitalize, maxlength, min, max, pattern,
            class: taille ? `saisie--${taille}` : null,
        });
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

    /**
     * The error message for the current value, or null.  `partiel`: a
     * draft, where what is missing is not (yet) an error.
     */
    verifier({ partiel = false } = {}) {
        const valeur = this.valeur();
        if (this.obligatoire && valeur === '' && !partiel) {
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
        // what the server judges the password against besides the account
        // (registration: the name and address typed in the same form)
        this.contexte = options.contexte ?? (() => ({}));
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
        // The server's verdict, which the submission will get: the checks
        // above are instant hints, this is the answer (polite: it comes
        // after a pause in typing, and replaces itself).
        this.avisServeur = h('div', { class: 'avis-serveur', id: `${this.id}-avis`, 'aria-live': 'polite' });
        this.racine.append(h('div', { class: 'bloc-regles' }, titre, liste, this.annonceRegles, this.avisServeur));
        this.majDescription();

        this.derniereAnnonce = null;
        this.minuterie = null;
        this.minuterieAvis = null;
        this.avis = null;           // { valeur, contexte, acceptable, raisons }
        this.demandes = 0;
        this.controle.addEventListener('input', () => this.majRegles());
    }

    /** Asks the server's verdict once typing pauses; the last answer wins. */
    demanderAvis() {
        window.clearTimeout(this.minuterieAvis);
        const valeur = this.controle.value;
        if (valeur === '') {
            this.avis = null;
            this.avisServeur.replaceChildren();
            return;
        }
        this.minuterieAvis = window.setTimeout(async () => {
            const numero = ++this.demandes;
            const contexte = this.contexte();
            let verdict;
            try {
                verdict = await envoyer('/api/mot-de-passe/evaluation',
                    { ...contexte, mot_de_passe: valeur }, { sessionRequise: false });
            } catch {
                // throttled or unreachable: the submission will say it
                if (numero === this.demandes) {
                    this.avis = null;
                    this.avisServeur.replaceChildren();
                }
                return;
            }
            if (numero !== this.demandes || valeur !== this.controle.value) {
                return;
            }
            this.avis = {
                valeur, contexte: JSON.stringify(contexte), acceptable: verdict.acceptable, raisons: verdict.raisons,
            };
            this.afficherAvis();
        }, 500);
    }

    afficherAvis() {
        const { acceptable, raisons } = this.avis;
        const etat = acceptable ? 'oui' : 'non';
        this.avisServeur.replaceChildren(
            h('p', { class: 'avis-titre', dataset: { etat } },
                h('span', { class: 'regle-icone', 'aria-hidden': 'true' }),
                acceptable ? 'Mot de passe accepté par le portail.'
                    : 'Mot de passe refusé par le portail :'),
            acceptable ? null
                : h('ul', { class: 'avis-raisons' },
                    raisons.map((raison) => h('li', { dataset: { code: raison.code } }, raison.message))));
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
        this.demanderAvis();
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

    verifier({ partiel = false } = {}) {
        const valeur = this.valeur();
        if (valeur === '') {
            return this.obligatoire && !partiel ? this.messageVide : null;
        }
        if (this.avecRegles) {
            const message = messageErreur(evaluer(valeur));
            if (message) {
                return message;
            }
            // the server's refusal of this very password, with these words
            if (this.avis && this.avis.valeur === valeur && !this.avis.acceptable
                && this.avis.contexte === JSON.stringify(this.contexte())) {
                return this.avis.raisons[0]?.message ?? null;
            }
        }
        return this.validateur ? this.validateur(valeur) : null;
    }
}

/** A <select>: `choix` is [{ code, libelle }]; `vide` the first, empty option's label. */
class ChampChoix extends Champ {
    creerControle(attributs, { choix = [], vide = 'Choisissez dans la liste', autocomplete = null }) {
        return h('select', { ...attributs, autocomplete },
            vide === null ? null : h('option', { value: '' }, vide),
            choix.map(({ code, libelle }) => h('option', { value: code }, libelle)));
    }
}

/** A <textarea>: several lines; `lignes` rows tall. */
class ChampTexteLong extends Champ {
    creerControle(attributs, { lignes = 6, maxlength = null, spellcheck = null }) {
        return h('textarea', { ...attributs, rows: lignes, maxlength, spellcheck });
    }
}

/**
 * Radio buttons in a fieldset: the legend is the question, each button
 * has its label.  `choix` is [{ code, libelle }].
 */
class GroupeRadios {
    constructor(formulaire, {
        nom, legende, choix, obligatoire = true, aide = null, valeur = null, messageVide = null, enLigne = false,
    }) {
        this.nom = nom;
        this.obligatoire = obligatoire;
        this.id = idDeNom(formulaire, nom);
        this.idErreur = `${this.id}-erreur`;
        this.messageVide = messageVide ?? `Veuillez répondre à la question « ${legende} ».`;
        this.erreur = h('p', { class: 'erreur-champ', id: this.idErreur, hidden: true });
        const idAide = aide ? `${this.id}-aide` : null;
        this.idAide = idAide;
        this.boutons = choix.map(({ code, libelle }, i) => {
            const id = i === 0 ? this.id : `${this.id}-${i}`;
            const bouton = h('input', {
                type: 'radio', id, name: this.id, value: code, checked: valeur !== null && String(valeur) === String(code),
            });
            return { bouton, element: h('div', { class: 'radio' }, bouton, h('label', { for: id }, libelle)) };
        });
        this.racine = h('fieldset', { class: ['champ', 'groupe-radios', enLigne ? 'groupe-radios--ligne' : null] },
            h('legend', { class: 'libelle' }, legende, obligatoire ? ASTERISQUE() : null),
            aide ? h('p', { class: 'aide', id: idAide }, aide) : null,
            this.erreur,
            h('div', { class: 'groupe-radios-choix' }, this.boutons.map(({ element }) => element)));
        this.majDescription();
    }

    majDescription() {
        const ids = [!this.erreur.hidden ? this.idErreur : null, this.idAide].filter(Boolean).join(' ');
        for (const { bouton } of this.boutons) {
            if (ids) {
                bouton.setAttribute('aria-describedby', ids);
            } else {
                bouton.removeAttribute('aria-describedby');
            }
        }
    }

    valeur() {
        return this.boutons.find(({ bouton }) => bouton.checked)?.bouton.value ?? '';
    }

    definirValeur(valeur) {
        for (const { bouton } of this.boutons) {
            bouton.checked = bouton.value === String(valeur);
        }
    }

    verifier({ partiel = false } = {}) {
        return this.obligatoire && !partiel && this.valeur() === '' ? this.messageVide : null;
    }

    afficherErreur(message) {
        remplacer(this.erreur, pourLecteurs('Erreur : '), message);
        this.erreur.hidden = false;
        this.racine.classList.add('champ--erreur');
        for (const { bouton } of this.boutons) {
            bouton.setAttribute('aria-invalid', 'true');
        }
        this.majDescription();
    }

    effacerErreur() {
        this.erreur.replaceChildren();
        this.erreur.hidden = true;
        this.racine.classList.remove('champ--erreur');
        for (const { bouton } of this.boutons) {
            bouton.removeAttribute('aria-invalid');
        }
        this.majDescription();
    }
}

const EXTENSIONS = { pdf: 'application/pdf', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' };

/**
 * One file of a list of files (ul.liste-fichiers): one chosen in a form
 * (ChampFichiers below) or one already sent (a survey's documents).  Written
 * once so that both lists look and read alike.  `nom` is the file's name,
 * shown as `lien` (a download link) when given, followed by `details`;
 * `apercu` (a preview) comes first; `retirer`, when given, gets a "Retirer
 * <name>" button, red (`danger`) for a file the server already keeps.
 */
export function ligneFichier({ nom, lien = null, details, apercu = null, retirer = null, danger = false }) {
    return h('li', { class: 'fichier' },
        apercu,
        h('span', { class: 'fichier-nom' }, lien ?? nom, h('span', { class: 'fichier-details' }, details)),
        retirer ? h('button', {
            type: 'button', class: ['bouton', 'bouton--petit', danger ? 'bouton--danger' : null], onclick: retirer,
        }, 'Retirer', pourLecteurs(` ${nom}`)) : null);
}

/**
 * Files to send: a file input and the list of the files chosen so far
 * (several choices add up, each can be removed), with their name, type
 * and size, and a small preview of photos.  Types and sizes are checked
 * here first, so that nobody waits for a 5 MB upload to learn that it is
 * too big; the server checks the content again.
 */
class ChampFichiers {
    constructor(formulaire, {
        nom, libelle, aide = null, maximum = 5, tailleMax = 5 * 1024 * 1024,
        types = ['application/pdf', 'image/jpeg', 'image/png'], obligatoire = false, messageVide = null,
    }) {
        this.nom = nom;
        this.libelle = libelle;
        this.obligatoire = obligatoire;
        this.maximum = maximum;
        this.tailleMax = tailleMax;
        this.types = types;
        this.messageVide = messageVide ?? `Veuillez joindre un fichier (« ${libelle} »).`;
        this.fichiers = [];
        this.id = idDeNom(formulaire, nom);
        this.idErreur = `${this.id}-erreur`;
        this.idAide = `${this.id}-aide`;
        const formats = types.map((type) => libelleTypeFichier(type) || type).join(', ');
        const accept = [...types, ...Object.entries(EXTENSIONS)
            .filter(([, type]) => types.includes(type)).map(([extension]) => `.${extension}`)].join(',');
        this.controle = h('input', {
            type: 'file', id: this.id, name: nom, accept, multiple: maximum > 1,
            'aria-required': obligatoire ? 'true' : null,
            onchange: () => this.ajouterChoisis(),
        });
        this.erreur = h('p', { class: 'erreur-champ', id: this.idErreur, hidden: true });
        this.liste = h('ul', { class: 'liste-fichiers', 'aria-label': `Fichiers choisis : ${libelle}` });
        this.liste.hidden = true;
        this.racine = h('div', { class: ['champ', 'champ-fichiers'] },
            h('label', { for: this.id, class: 'libelle' }, libelle, obligatoire ? ASTERISQUE() : null),
            h('div', { class: 'aide', id: this.idAide },
                aide ? h('p', {}, aide) : null,
                h('p', {}, maximum > 1
                    ? `Formats acceptés : ${formats}. ${maximum} fichiers au maximum, ${formaterTaille(tailleMax)} au maximum chacun.`
                    : `Formats acceptés : ${formats}. ${formaterTaille(tailleMax)} au maximum.`)),
            this.erreur,
            this.controle,
            this.liste);
        this.majDescription();
    }

    majDescription() {
        this.controle.setAttribute('aria-describedby',
            [!this.erreur.hidden ? this.idErreur : null, this.idAide].filter(Boolean).join(' '));
    }

    typeDe(fichier) {
        if (this.types.includes(fichier.type)) {
            return fichier.type;
        }
        const extension = (fichier.name.split('.').pop() || '').toLowerCase();
        return !fichier.type && this.types.includes(EXTENSIONS[extension]) ? EXTENSIONS[extension] : null;
    }

    ajouterChoisis() {
        const refus = [];
        const ajoutes = [];
        for (const fichier of this.controle.files) {
            if (this.maximum === 1) {
                this.fichiers = [];
            }
            if (this.fichiers.length >= this.maximum) {
                refus.push(`« ${fichier.name} » n'a pas été ajouté : ${this.maximum} fichiers au maximum.`);
            } else if (!this.typeDe(fichier)) {
                refus.push(`« ${fichier.name} » n'est pas au bon format : seuls les fichiers ${this.types.map((type) => libelleTypeFichier(type) || type).join(', ')} sont acceptés.`);
            } else if (fichier.size > this.tailleMax) {
                refus.push(`« ${fichier.name} » est trop volumineux (${formaterTaille(fichier.size)}) : ${formaterTaille(this.tailleMax)} au maximum.`);
            } else if (fichier.size === 0) {
                refus.push(`« ${fichier.name} » est vide.`);
            } else {
                this.fichiers.push(fichier);
                ajoutes.push(fichier.name);
            }
        }
        this.controle.value = '';
        this.afficherListe();
        if (refus.length) {
            this.afficherErreur(refus.join(' '));
        } else {
            this.effacerErreur();
        }
        const total = `${this.fichiers.length} fichier${this.fichiers.length > 1 ? 's' : ''} sur ${this.maximum}.`;
        annoncer([ajoutes.length ? `Ajouté : ${ajoutes.join(', ')}.` : '', ...refus, this.maximum > 1 ? total : ''].join(' ').trim());
    }

    afficherListe() {
        this.liste.hidden = this.fichiers.length === 0;
        remplacer(this.liste, this.fichiers.map((fichier, i) => {
            const apercu = h('span', { class: 'fichier-apercu', 'aria-hidden': 'true' });
            if (fichier.type.startsWith('image/')) {
                // data: URLs only: the CSP allows no blob: images
                const lecteur = new FileReader();
                lecteur.addEventListener('load', () => {
                    remplacer(apercu, h('img', { src: lecteur.result, alt: '' }));
                });
                lecteur.readAsDataURL(fichier);
            } else {
                apercu.textContent = libelleTypeFichier(this.typeDe(fichier));
            }
            return ligneFichier({
                nom: fichier.name, apercu, retirer: () => this.retirer(i),
                details: ` (${libelleTypeFichier(this.typeDe(fichier))}, ${formaterTaille(fichier.size)})`,
            });
        }));
    }

    retirer(index) {
        const [retire] = this.fichiers.splice(index, 1);
        this.afficherListe();
        annoncer(`${retire.name} retiré. ${this.fichiers.length} fichier${this.fichiers.length > 1 ? 's' : ''} joint${this.fichiers.length > 1 ? 's' : ''}.`);
        this.controle.focus();
    }

    vider() {
        this.fichiers = [];
        this.afficherListe();
    }

    valeur() {
        return this.fichiers.slice();
    }

    verifier({ partiel = false } = {}) {
        return this.obligatoire && !partiel && this.fichiers.length === 0 ? this.messageVide : null;
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

class CaseACocher {
    constructor(formulaire, { nom, libelle, aide = null, valeur = false }) {
        this.nom = nom;
        this.id = idDeNom(formulaire, nom);
        this.controle = h('input', { type: 'checkbox', id: this.id, name: nom, checked: Boolean(valeur) });
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
        this.sources = [];
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

    /** A <select>: options.choix = [{ code, libelle }]. */
    choix(options) {
        return new ChampChoix(this, options);
    }

    /** A <textarea>. */
    texteLong(options) {
        return new ChampTexteLong(this, options);
    }

    /** Radio buttons: options.legende, options.choix = [{ code, libelle }]. */
    radios(options) {
        return new GroupeRadios(this, options);
    }

    /** Files: options.maximum, options.tailleMax (bytes), options.types (MIME). */
    fichiers(options) {
        return new ChampFichiers(this, options);
    }

    /** Appends fields (registered) or any other nodes to the form body. */
    ajouter(...elements) {
        for (const element of elements) {
            if (estChamp(element)) {
                this.champs.push(element);
                this.corps.append(element.racine);
            } else {
                ajouter(this.corps, [element]);
            }
        }
        return this;
    }

    /** Registers fields the caller places itself (in a grid, a list...). */
    enregistrer(...champs) {
        this.champs.push(...champs);
        return this;
    }

    /**
     * Fields that come and go (the people of a list the user edits): a
     * function returning the fields present, asked at each check.
     */
    ajouterSource(fonction) {
        this.sources.push(fonction);
    }

    tousLesChamps() {
        return [...this.champs, ...this.sources.flatMap((source) => source())];
    }

    /**
     * A second button next to the submit one (e.g. "Enregistrer le
     * brouillon"): it runs `gestionnaire` after the checks, `partiel`
     * leaving empty required fields alone.
     */
    ajouterBouton({ libelle, enCours = 'Enregistrement en cours…', gestionnaire, partiel = false }) {
        const bouton = h('button', { type: 'button', class: 'bouton' }, libelle);
        bouton.addEventListener('click', () => this.soumettre({ gestionnaire, partiel, bouton, libelle, enCours }));
        this.actions.append(bouton);
        return bouton;
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
        return this.tousLesChamps().find((champ) => champ.nom === nom);
    }

    valeurs() {
        return Object.fromEntries(this.tousLesChamps().map((champ) => [champ.nom, champ.valeur()]));
    }

    effacer() {
        for (const champ of this.tousLesChamps()) {
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

    verifierTout({ partiel = false } = {}) {
        const erreurs = {};
        for (const champ of this.tousLesChamps()) {
            const message = champ.verifier({ partiel });
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

    occuper(occupe, { bouton = this.bouton, libelle = this.libelleBouton, enCours = this.libelleEnCours } = {}) {
        this.occupe = occupe;
        // aria-disabled rather than disabled: a disabled button loses the
        // focus, and the keyboard user would be thrown back to the top.
        if (occupe) {
            bouton.setAttribute('aria-disabled', 'true');
            bouton.textContent = enCours;
            this.element.setAttribute('aria-busy', 'true');
        } else {
            bouton.removeAttribute('aria-disabled');
            bouton.textContent = libelle;
            this.element.removeAttribute('aria-busy');
        }
    }

    async soumettre({ gestionnaire = this.gestionnaire, partiel = false, ...bouton } = {}) {
        if (this.occupe) {
            return;
        }
        this.effacer();
        const erreurs = this.verifierTout({ partiel });
        if (Object.keys(erreurs).length) {
            this.afficherErreurs(erreurs);
            return;
        }
        for (const champ of this.tousLesChamps()) {
            if (champ instanceof ChampMotDePasse) {
                champ.masquer();
            }
        }
        this.occuper(true, bouton);
        try {
            await gestionnaire(this.valeurs());
        } catch (erreur) {
            this.montrerErreur(erreur);
        } finally {
            if (this.element.isConnected) {
                this.occuper(false, bouton);
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

function estChamp(element) {
    return Boolean(element) && typeof element.verifier === 'function' && element.racine instanceof Node;
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

// ---------------------------------------------------------------------------
// Edit zone (a button that opens a form in place)

/**
 * A button that opens, in a zone below it, a form to change something (an
 * occupant, the billing address, the bank details).  The same disclosure
 * semantics as disclosure() (aria-expanded, aria-controls), but not that
 * function: the form is built at each opening, so that it starts from the
 * data as they are now, and thrown away at closing; and neither Escape nor
 * a click elsewhere closes it, which would lose what was typed.  Opening
 * puts a heading (`niveau`: 4 for h4...) and the form in the zone and
 * focuses the field `champ`; the button again closes; "Annuler", added to
 * the form's actions here, closes and gives the focus back to the button.
 *
 *   const { bouton, zone } = zoneEdition({
 *       id: 'facturation-zone', libelle: 'Modifier l\'adresse de facturation',
 *       titre: 'Nouvelle adresse de facturation', niveau: 4,
 *       formulaire: () => formulaireAdresse(), champ: 'destinataire' });
 *
 * `formulaire` returns a Formulaire.  Returns { bouton, zone, fermer }: the
 * caller places the button and the zone, and may put something else in the
 * zone (demanderConfirmation) after setting aria-expanded to false.
 */
export function zoneEdition({
    id, libelle, classe = 'bouton', titre, niveau, formulaire: creerFormulaire, champ,
}) {
    const zone = h('div', { class: 'zone-edition', id });
    const bouton = h('button', {
        type: 'button', class: classe, 'aria-expanded': 'false', 'aria-controls': zone.id,
    }, libelle);
    const fermer = () => {
        zone.replaceChildren();
        bouton.setAttribute('aria-expanded', 'false');
    };
    bouton.addEventListener('click', () => {
        if (bouton.getAttribute('aria-expanded') === 'true') {
            fermer();
            return;
        }
        const formulaire = creerFormulaire();
        formulaire.ajouterAuxActions(h('button', {
            type: 'button', class: 'bouton', onclick: () => { fermer(); bouton.focus(); },
        }, 'Annuler'));
        remplacer(zone, h(`h${niveau}`, { class: 'titre-formulaire' }, titre), formulaire.element);
        bouton.setAttribute('aria-expanded', 'true');
        formulaire.champ(champ).controle.focus();
    });
    return { bouton, zone, fermer };
}

// ---------------------------------------------------------------------------
// Tabs

/**
 * The WAI-ARIA tabs pattern: a tablist of buttons, one panel shown.  The
 * tab list is one stop of the Tab key (roving tabindex); Left/Right arrows
 * move between tabs (and show them: "automatic activation", the panels
 * being already loaded), Home/End go to the first/last.  Tab then enters
 * the panel.
 *
 *   onglets({ id: 'contrat', libelle: 'Rubriques du contrat',
 *             onglets: [{ cle: 'donnees', titre: 'Données du contrat', contenu: node }, ...],
 *             actif: 'occupants', quandChange: (cle) => ... })
 *
 * Returns { element, afficher(cle, { focus }) }.
 */
export function onglets({ id, libelle, onglets: liste, actif = null, quandChange = null }) {
    const elements = liste.map((onglet) => {
        const idOnglet = `${id}-onglet-${onglet.cle}`;
        const idPanneau = `${id}-panneau-${onglet.cle}`;
        const bouton = h('button', {
            type: 'button', role: 'tab', id: idOnglet, class: 'onglet',
            'aria-controls': idPanneau, 'aria-selected': 'false', tabindex: '-1',
        }, onglet.titre);
        const panneau = h('div', {
            role: 'tabpanel', id: idPanneau, class: 'panneau-onglet', 'aria-labelledby': idOnglet, tabindex: '0', hidden: true,
        }, onglet.contenu);
        return { ...onglet, bouton, panneau };
    });
    const barre = h('div', { role: 'tablist', class: 'onglets-liste', 'aria-label': libelle },
        elements.map(({ bouton }) => bouton));

    function afficher(cle, { focus = false, signaler = true } = {}) {
        const choisi = elements.find((onglet) => onglet.cle === cle) ?? elements[0];
        for (const onglet of elements) {
            const estChoisi = onglet === choisi;
            onglet.bouton.setAttribute('aria-selected', estChoisi ? 'true' : 'false');
            onglet.bouton.setAttribute('tabindex', estChoisi ? '0' : '-1');
            onglet.panneau.hidden = !estChoisi;
        }
        if (focus) {
            choisi.bouton.focus();
        }
        if (signaler && quandChange) {
            quandChange(choisi.cle);
        }
    }

    barre.addEventListener('click', (evenement) => {
        const bouton = evenement.target.closest('[role="tab"]');
        const onglet = elements.find((o) => o.bouton === bouton);
        if (onglet) {
            afficher(onglet.cle);
        }
    });
    barre.addEventListener('keydown', (evenement) => {
        const index = elements.findIndex((onglet) => onglet.bouton === document.activeElement);
        if (index === -1) {
            return;
        }
        const suivant = {
            ArrowRight: (index + 1) % elements.length,
            ArrowLeft: (index - 1 + elements.length) % elements.length,
            Home: 0,
            End: elements.length - 1,
        }[evenement.key];
        if (suivant !== undefined) {
            evenement.preventDefault();
            afficher(elements[suivant].cle, { focus: true });
        }
    });

    afficher(actif, { signaler: false });
    const element = h('div', { class: 'onglets', id }, barre, elements.map(({ panneau }) => panneau));
    return { element, afficher };
}

// ---------------------------------------------------------------------------
// Confirmation before an action that cannot be undone

/**
 * Asks, in place, before doing something (removing an occupant, sending a
 * survey): the question (focused, so that a screen reader reads it), the
 * action's button and "Annuler", which gives the focus back to `retour`.
 * `zone` is emptied and gets the question; `action` runs on confirmation
 * (its errors are shown in the box, which stays).
 */
export function demanderConfirmation(zone, {
    question, details = null, confirmer, enCours = 'En cours…', annuler = 'Annuler', action, retour = null,
}) {
    const idQuestion = idUnique('confirmation');
    const titre = h('p', { class: 'confirmation-question', id: idQuestion, tabindex: '-1' }, question);
    const message = h('div', { role: 'alert', class: 'zone-message' });
    const boutonConfirmer = h('button', { type: 'button', class: 'bouton bouton--principal' }, confirmer);
    const boutonAnnuler = h('button', { type: 'button', class: 'bouton' }, annuler);
    const boite = h('div', { class: 'confirmation', role: 'group', 'aria-labelledby': idQuestion },
        titre, details ? h('p', {}, details) : null, message,
        h('div', { class: 'actions' }, boutonConfirmer, boutonAnnuler));
    let occupe = false;
    const fermer = () => {
        zone.replaceChildren();
        if (retour && retour.isConnected) {
            retour.focus();
        }
    };
    boutonAnnuler.addEventListener('click', fermer);
    boite.addEventListener('keydown', (evenement) => {
        if (evenement.key === 'Escape' && !occupe) {
            evenement.preventDefault();
            fermer();
        }
    });
    boutonConfirmer.addEventListener('click', async () => {
        if (occupe) {
            return;
        }
        occupe = true;
        boutonConfirmer.setAttribute('aria-disabled', 'true');
        boutonConfirmer.textContent = enCours;
        message.replaceChildren();
        try {
            await action();
        } catch (erreur) {
            if (!(erreur instanceof ErreurApi)) {
                console.error(erreur);
            }
            remplacer(message, boiteMessage('erreur', erreur instanceof ErreurApi ? erreur.message
                : 'Une erreur inattendue est survenue. Veuillez réessayer.'));
        } finally {
            occupe = false;
            boutonConfirmer.removeAttribute('aria-disabled');
            boutonConfirmer.textContent = confirmer;
        }
    });
    remplacer(zone, boite);
    focaliser(titre);
    return boite;
}

// ---------------------------------------------------------------------------
// Loading failures

/**
 * What a page shows when its data could not be read: the server's (or the
 * network's) sentence and a button to try again, which shows the page
 * anew.  A 404 gets its own words (`introuvable`: a link to something that
 * is not, or no longer, the tenant's).
 */
export function erreurChargement(erreur, { introuvable = null, reessayer = null } = {}) {
    if (!(erreur instanceof ErreurApi)) {
        console.error(erreur);
    }
    const statut = erreur instanceof ErreurApi ? erreur.statut : null;
    if (statut === 404 && introuvable) {
        return boiteMessage('erreur', introuvable);
    }
    const texte = erreur instanceof ErreurApi ? erreur.message
        : 'Une erreur inattendue est survenue pendant le chargement de cette page.';
    return h('div', { class: 'erreur-chargement' },
        boiteMessage('erreur', texte),
        reessayer ? h('p', {}, h('button', { type: 'button', class: 'bouton', onclick: reessayer }, 'Réessayer')) : null);
}
