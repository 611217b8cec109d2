// A survey (#/enquete-sociale/<id>): the form the campaign's questions
// describe (GET /api/enquetes/<id> gives them: the portal has no question
// of its own), the household as the office knows it, correctable (add,
// remove, correct people), each adult's income of year N-2 in whole euros,
// the tax notices (joined one by one, removable until sending), a draft
// to save, then "Envoyer" with a confirmation.  Once sent: read-only, with
// the date.
//
// Answers are keyed as the API wants them (EnqueteReponses), and so are
// the fields' names ("reponses.revenus.o7", "reponses.composition.0.nom"):
// the server's `champs` and `manquants` land next to their fields.

import { h, ajouter, remplacer, focaliser } from '../dom.js';
import {
    Formulaire, boiteMessage, erreurChargement, lienRoute, demanderConfirmation, annoncer, pourLecteurs, ligneFichier,
} from '../ui.js';
import { lire, remplacerRessource, envoyer, envoyerFichiers, supprimerRessource, ErreurApi } from '../api.js';
import {
    formaterDate, formaterDateLongue, formaterDateHeure, formaterEurosEntiers, nomPersonne, aujourdhui,
} from '../format.js';
import { page, details, ligne, lienTelechargement } from './commun.js';
import { statutEnquete } from './enquete-sociale.js';

// The relationships a person of the household may have (the API's enum);
// the office's own labels come with the people it knows (lien_libelle).
const LIENS = [
    { code: 'signataire', libelle: 'Signataire du bail' },
    { code: 'conjoint', libelle: 'Conjoint(e)' },
    { code: 'enfant', libelle: 'Enfant' },
    { code: 'ascendant', libelle: 'Ascendant (parent, grand-parent)' },
    { code: 'autre_parent', libelle: 'Autre membre de la famille' },
    { code: 'autre', libelle: 'Autre personne' },
];

// Choices the campaigns give as codes (the OPS activity); others are
// shown as the campaign writes them.
const LIBELLES_CHOIX = {
    salarie: 'Salarié(e)',
    demandeur_emploi: 'Demandeur d\'emploi',
    retraite: 'Retraité(e)',
    etudiant: 'Étudiant(e)',
    sans_activite: 'Sans activité',
    independant: 'Indépendant(e)',
    autre: 'Autre',
};

const NATURES_PIECES = {
    avis_imposition: 'Avis d\'imposition',
    justificatif: 'Autre justificatif',
    autre: 'Autre document',
};

function libelleChoix(valeur) {
    return LIBELLES_CHOIX[valeur] ?? String(valeur);
}

function obligatoire(question) {
    return question.obligatoire !== false;
}

// 18 on January 1st of the campaign's year (the API's rule).
function estMajeur(personne, annee) {
    if (typeof personne.majeur === 'boolean' && !personne.modifiee) {
        return personne.majeur;
    }
    return Boolean(personne.date_naissance) && personne.date_naissance <= `${annee - 18}-01-01`;
}

function euros(saisie) {
    const compacte = String(saisie).replace(/[\s\u00a0\u202f€]/g, '');
    return /^\d{1,9}$/.test(compacte) ? Number(compacte) : null;
}

// ---------------------------------------------------------------------------
// Read-only: a survey sent

function reponseLisible(question, valeur, enquete) {
    if (valeur === undefined || valeur === null || valeur === '') {
        return h('span', { class: 'aide' }, 'Sans réponse');
    }
    switch (question.type) {
    case 'occupants':
        return h('ul', { class: 'liste-simple' }, (Array.isArray(valeur) ? valeur : []).map((personne) => h('li', {},
            `${nomPersonne(personne)}, né(e) le ${formaterDate(personne.date_naissance)} (${LIENS.find((l) => l.code === personne.lien)?.libelle ?? personne.lien})`)));
    case 'oui_non':
        return valeur ? 'Oui' : 'Non';
    case 'choix_par_adulte':
    case 'revenus_par_adulte': {
        const personnes = Array.isArray(enquete.reponses?.composition) ? enquete.reponses.composition : enquete.foyer ?? [];
        return h('ul', { class: 'liste-simple' }, Object.entries(valeur).map(([cle, v]) => {
            const personne = personnes.find((p) => p.cle === cle);
            return h('li', {}, `${personne ? nomPersonne(personne) : cle} : `,
                question.type === 'revenus_par_adulte' ? formaterEurosEntiers(v) : libelleChoix(v));
        }));
    }
    case 'date':
        return formaterDate(valeur);
    case 'choix':
        return libelleChoix(valeur);
    default:
        return String(valeur);
    }
}

function listePieces(enquete, { retirer = null } = {}) {
    const pieces = Array.isArray(enquete.pieces) ? enquete.pieces : [];
    if (!pieces.length) {
        return h('p', { class: 'liste-vide' }, 'Aucun document joint pour le moment.');
    }
    return h('ul', { class: 'liste-fichiers', 'aria-label': 'Documents joints' }, pieces.map((piece) => ligneFichier({
        nom: piece.nom,
        lien: lienTelechargement(piece.url, piece.nom, { mime: piece.mime, taille: piece.taille }),
        details: ` : ${NATURES_PIECES[piece.nature] ?? piece.nature}${piece.concerne ? ` de ${piece.concerne}` : ''}, déposé le ${formaterDate(piece.depose_le)}`,
        retirer: retirer ? () => retirer(piece) : null,
        danger: true,
    })));
}

function vueEnvoyee(enquete) {
    const questions = Array.isArray(enquete.questions) ? enquete.questions : [];
    return h('div', { class: 'enquete-envoyee' },
        boiteMessage('succes', `Vos réponses ont été envoyées à l'office le ${formaterDateHeure(enquete.soumise_le)}${enquete.soumise_par ? ` par ${enquete.soumise_par}` : ''}. Elles ne peuvent plus être modifiées : pour signaler une erreur, contactez l'office.`,
            { titre: 'Enquête envoyée' }),
        h('h2', {}, 'Vos réponses'),
        h('dl', { class: 'details details--empiles' }, questions.map((question) => ligne(question.libelle,
            reponseLisible(question, enquete.reponses?.[question.id], enquete)))),
        h('h2', {}, 'Documents joints'),
        listePieces(enquete));
}

// ---------------------------------------------------------------------------
// The form

class FormulaireEnquete {
    constructor(ctx, enquete, { quandEnvoyee }) {
        this.ctx = ctx;
        this.enquete = enquete;
        this.quandEnvoyee = quandEnvoyee;
        this.annee = enquete.campagne?.annee ?? new Date().getFullYear();
        this.questions = Array.isArray(enquete.questions) ? enquete.questions : [];
        this.questionFoyer = this.questions.find((question) => question.type === 'occupants') ?? null;
        this.champsDynamiques = [];
        this.valeursParAdulte = {};   // question id → { cle: value typed }
        const reponses = enquete.reponses ?? {};
        for (const question of this.questions) {
            if (question.type === 'choix_par_adulte' || question.type === 'revenus_par_adulte') {
                this.valeursParAdulte[question.id] = { ...(reponses[question.id] ?? {}) };
            }
        }
        const connus = Array.isArray(enquete.foyer) ? enquete.foyer : [];
        const reponduFoyer = this.questionFoyer && Array.isArray(reponses[this.questionFoyer.id]);
        this.personnes = (reponduFoyer ? reponses[this.questionFoyer.id] : connus).map((personne) => ({
            cle: personne.cle,
            occupant_id: personne.occupant_id ?? null,
            nom: personne.nom ?? '',
            prenom: personne.prenom ?? '',
            date_naissance: personne.date_naissance ?? '',
            lien: personne.lien ?? '',
            majeur: connus.find((connu) => connu.cle === personne.cle)?.majeur,
        }));

        this.formulaire = new Formulaire('enquete', { bouton: 'Envoyer mes réponses', enCours: 'Vérification en cours…' });
        this.formulaire.ajouterSource(() => this.champsDynamiques);
        this.zoneFoyer = h('div', {});
        this.zonesParAdulte = {};
        this.zoneConfirmation = h('div', { class: 'zone-confirmation' });

        for (const question of this.questions) {
            this.formulaire.ajouter(this.blocQuestion(question));
        }
        this.formulaire.ajouter(this.blocPieces());
        this.rendreFoyer();
        this.formulaire.ajouterBouton({
            libelle: 'Enregistrer le brouillon',
            partiel: true,
            gestionnaire: () => this.enregistrer(),
        });
        this.formulaire.quandEnvoye(() => this.verifierPuisConfirmer());
        this.formulaire.element.append(this.zoneConfirmation);
        this.element = this.formulaire.element;
    }

    // --- questions --------------------------------------------------------

    blocQuestion(question) {
        const reponses = this.enquete.reponses ?? {};
        const valeur = reponses[question.id];
        const nom = `reponses.${question.id}`;
        const f = this.formulaire;
        switch (question.type) {
        case 'occupants':
            return h('fieldset', { class: 'question question-foyer' },
                h('legend', { class: 'libelle' }, question.libelle, obligatoire(question) ? h('span', { class: 'obligatoire', 'aria-hidden': 'true' }, ' *') : null),
                question.aide ? h('p', { class: 'aide' }, question.aide) : null,
                h('p', { class: 'aide' }, `Les personnes qui vivaient dans le logement au 1er janvier ${this.annee}, vous compris. Ajoutez celles qui manquent, retirez celles qui sont parties.`),
                this.zoneFoyer);
        case 'choix':
            return this.enregistrerChamp(f.radios({
                nom, legende: question.libelle, aide: question.aide ?? null, obligatoire: obligatoire(question),
                choix: (question.choix ?? []).map((choix) => ({ code: String(choix), libelle: libelleChoix(choix) })),
                valeur: valeur ?? null,
                messageVide: 'Veuillez choisir une réponse.',
            }));
        case 'oui_non':
            return this.enregistrerChamp(f.radios({
                nom, legende: question.libelle, aide: question.aide ?? null, obligatoire: obligatoire(question), enLigne: true,
                choix: [{ code: 'true', libelle: 'Oui' }, { code: 'false', libelle: 'Non' }],
                valeur: typeof valeur === 'boolean' ? String(valeur) : null,
                messageVide: 'Veuillez répondre par oui ou par non.',
            }));
        case 'choix_par_adulte':
        case 'revenus_par_adulte': {
            const zone = h('div', {});
            this.zonesParAdulte[question.id] = zone;
            return h('fieldset', { class: 'question' },
                h('legend', { class: 'libelle' }, question.libelle, obligatoire(question) ? h('span', { class: 'obligatoire', 'aria-hidden': 'true' }, ' *') : null),
                question.aide ? h('p', { class: 'aide' }, question.aide) : null,
                question.type === 'revenus_par_adulte'
                    ? h('p', { class: 'aide' }, `Le revenu fiscal de référence ${this.enquete.annee_revenus ?? this.annee - 2} figure sur l'avis d'imposition ${(this.enquete.annee_revenus ?? this.annee - 2) + 1} de chaque personne. En euros, sans centimes ; 0 si la personne n'a pas de revenus.`)
                    : null,
                zone);
        }
        case 'texte':
            return this.enregistrerChamp(question.longueur_max && question.longueur_max <= 200
                ? f.texte({
                    nom, libelle: question.libelle, aide: question.aide ?? null, obligatoire: obligatoire(question),
                    maxlength: question.longueur_max, valeur: valeur ?? '',
                })
                : f.texteLong({
                    nom, libelle: question.libelle, aide: question.aide ?? null, obligatoire: obligatoire(question),
                    maxlength: question.longueur_max ?? null, valeur: valeur ?? '', lignes: 4,
                }));
        case 'nombre': {
            const bornes = [question.min !== undefined ? `au moins ${question.min}` : null,
                question.max !== undefined ? `au plus ${question.max}` : null].filter(Boolean).join(', ');
            return this.enregistrerChamp(f.texte({
                nom, libelle: question.libelle, obligatoire: obligatoire(question), inputmode: 'numeric', taille: 'court',
                aide: [question.aide, bornes ? `Un nombre entier, ${bornes}.` : 'Un nombre entier.'].filter(Boolean).join(' '),
                valeur: valeur ?? '',
                valider: (saisie) => {
                    const nombre = /^-?\d+$/.test(saisie) ? Number(saisie) : null;
                    if (nombre === null) {
                        return 'Veuillez indiquer un nombre entier.';
                    }
                    if ((question.min !== undefined && nombre < question.min) || (question.max !== undefined && nombre > question.max)) {
                        return `Veuillez indiquer un nombre ${bornes}.`;
                    }
                    return null;
                },
            }));
        }
        case 'date':
            return this.enregistrerChamp(f.texte({
                nom, libelle: question.libelle, aide: question.aide ?? null, obligatoire: obligatoire(question),
                type: 'date', taille: 'date', valeur: valeur ?? '',
            }));
        default:
            return this.enregistrerChamp(f.texte({
                nom, libelle: question.libelle, aide: question.aide ?? null, obligatoire: obligatoire(question),
                valeur: valeur ?? '',
            }));
        }
    }

    enregistrerChamp(champ) {
        this.formulaire.enregistrer(champ);
        champ.racine.classList.add('question');
        return champ.racine;
    }

    // --- the household ------------------------------------------------------

    // Reads what was typed into the people's fields before they are drawn
    // again (a person added or removed renumbers the fields).
    lireFoyer() {
        for (const personne of this.personnes) {
            for (const champ of personne.champs ?? []) {
                const cle = champ.nom.split('.').pop();
                const valeur = champ.valeur();
                if (personne[cle] !== valeur) {
                    personne[cle] = valeur;
                    personne.modifiee = true;
                }
            }
        }
    }

    lireParAdulte() {
        for (const champ of this.champsDynamiques) {
            const [, question, cle] = champ.nom.split('.');
            if (this.valeursParAdulte[question] && champ.parAdulte) {
                this.valeursParAdulte[question][cle] = champ.valeur();
            }
        }
    }

    adultes() {
        return this.personnes.filter((personne) => estMajeur(personne, this.annee));
    }

    nouvelleCle() {
        let numero = 1;
        while (this.personnes.some((personne) => personne.cle === `n${numero}`)) {
            numero += 1;
        }
        return `n${numero}`;
    }

    rendreFoyer({ focus = null } = {}) {
        if (!this.questionFoyer) {
            this.rendreParAdulte();
            return;
        }
        const f = this.formulaire;
        const base = `reponses.${this.questionFoyer.id}`;
        const elements = this.personnes.map((personne, index) => {
            const nomPersonneAffiche = nomPersonne(personne) || `Personne ${index + 1}`;
            const champ = (cle, options) => f.texte({ nom: `${base}.${index}.${cle}`, valeur: personne[cle] ?? '', ...options });
            const champs = [
                champ('nom', { libelle: 'Nom', maxlength: 100, spellcheck: 'false', messageVide: 'Veuillez indiquer le nom.' }),
                champ('prenom', { libelle: 'Prénom', maxlength: 100, spellcheck: 'false', messageVide: 'Veuillez indiquer le prénom.' }),
                champ('date_naissance', {
                    libelle: 'Date de naissance', type: 'date', taille: 'date', max: aujourdhui(),
                    messageVide: 'Veuillez indiquer la date de naissance.',
                }),
                f.choix({
                    nom: `${base}.${index}.lien`, libelle: 'Lien avec le signataire', choix: LIENS, valeur: personne.lien ?? '',
                    messageVide: 'Veuillez choisir le lien de cette personne avec le signataire.',
                }),
            ];
            personne.champs = champs;
            // A birth date changes who is an adult: the per-adult
            // questions follow.
            champs[2].controle.addEventListener('change', () => {
                this.lireFoyer();
                this.rendreParAdulte();
            });
            for (const c of [champs[0], champs[1]]) {
                c.controle.addEventListener('change', () => {
                    this.lireFoyer();
                    this.rendreParAdulte();
                });
            }
            const retirer = h('button', {
                type: 'button', class: 'bouton bouton--petit bouton--danger',
                onclick: () => {
                    this.lireFoyer();
                    this.lireParAdulte();
                    const [retiree] = this.personnes.splice(index, 1);
                    this.rendreFoyer({ focus: 'ajouter' });
                    annoncer(`${nomPersonne(retiree) || 'La personne'} est retiré(e) du foyer déclaré.`);
                },
            }, 'Retirer du foyer', pourLecteurs(` : ${nomPersonneAffiche}`));
            const titre = h('h3', { class: 'personne-titre', tabindex: '-1' },
                nomPersonneAffiche, personne.occupant_id ? null : h('span', { class: 'etiquette' }, 'ajoutée par vous'));
            personne.titre = titre;
            return h('li', { class: 'carte personne' },
                titre,
                h('div', { class: 'grille-champs' }, champs.map((c) => c.racine)),
                h('div', { class: 'actions actions--compactes' }, retirer));
        });
        const ajouterPersonne = h('button', {
            type: 'button', class: 'bouton',
            onclick: () => {
                this.lireFoyer();
                this.lireParAdulte();
                this.personnes.push({ cle: this.nouvelleCle(), occupant_id: null, nom: '', prenom: '', date_naissance: '', lien: '', modifiee: true });
                this.rendreFoyer({ focus: 'derniere' });
                annoncer('Une personne est ajoutée au foyer : renseignez son nom, son prénom, sa date de naissance et son lien avec le signataire.');
            },
        }, 'Ajouter une personne au foyer');
        remplacer(this.zoneFoyer,
            this.personnes.length
                ? h('ol', { class: 'liste-cartes liste-foyer' }, elements)
                : h('p', { class: 'liste-vide' }, 'Aucune personne dans le foyer déclaré.'),
            h('div', { class: 'actions' }, ajouterPersonne));
        this.champsFoyer = this.personnes.flatMap((personne) => personne.champs ?? []);
        this.rendreParAdulte();
        if (focus === 'ajouter') {
            ajouterPersonne.focus();
        } else if (focus === 'derniere') {
            this.personnes.at(-1).champs[0].controle.focus();
        }
    }

    rendreParAdulte() {
        this.lireParAdulte();
        const adultes = this.adultes();
        const champs = [];
        for (const question of this.questions) {
            const zone = this.zonesParAdulte[question.id];
            if (!zone) {
                continue;
            }
            const valeurs = this.valeursParAdulte[question.id];
            if (!adultes.length) {
                remplacer(zone, h('p', { class: 'liste-vide' }, 'Aucune personne majeure dans le foyer déclaré.'));
                continue;
            }
            const champsQuestion = adultes.map((adulte) => {
                const nom = `reponses.${question.id}.${adulte.cle}`;
                const qui = nomPersonne(adulte) || 'Personne sans nom';
                const champ = question.type === 'revenus_par_adulte'
                    ? this.formulaire.texte({
                        nom, libelle: `${qui}, en euros`, inputmode: 'numeric', taille: 'montant', autocomplete: 'off',
                        obligatoire: obligatoire(question), valeur: valeurs[adulte.cle] ?? '',
                        messageVide: `Veuillez indiquer le revenu fiscal de référence de ${qui} (0 s'il n'y en a pas).`,
                        valider: (saisie) => (euros(saisie) === null
                            ? 'Veuillez indiquer un montant en euros, sans centimes ni virgule (par exemple 21480).' : null),
                    })
                    : this.formulaire.choix({
                        nom, libelle: qui, obligatoire: obligatoire(question), valeur: valeurs[adulte.cle] ?? '',
                        choix: (question.choix ?? []).map((choix) => ({ code: String(choix), libelle: libelleChoix(choix) })),
                        messageVide: `Veuillez choisir une réponse pour ${qui}.`,
                    });
                champ.parAdulte = true;
                return champ;
            });
            champs.push(...champsQuestion);
            remplacer(zone, champsQuestion.map((champ) => champ.racine));
        }
        this.champsDynamiques = [...(this.champsFoyer ?? []), ...champs];
        if (this.choixConcerne) {
            this.majConcernes();
        }
    }

    // --- attachments ------------------------------------------------------

    blocPieces() {
        const demandeAvis = this.questions.some((question) => question.piece === 'avis_imposition');
        this.zonePieces = h('div', {});
        this.choixConcerne = this.formulaire.choix({
            nom: 'concerne', libelle: 'Document de', obligatoire: false, vide: null, choix: [],
        });
        this.choixNature = this.formulaire.choix({
            nom: 'nature', libelle: 'Type de document', obligatoire: false, vide: null,
            choix: [{ code: 'avis_imposition', libelle: 'Avis d\'imposition' }, { code: 'justificatif', libelle: 'Autre justificatif' }],
        });
        this.fichiers = this.formulaire.fichiers({
            nom: 'pieces', libelle: 'Fichiers à joindre', maximum: 5,
            aide: 'Le document entier, toutes ses pages, bien lisible.',
        });
        this.formulaire.enregistrer(this.fichiers);
        this.messagePieces = h('div', { role: 'status', class: 'zone-statut' });
        const joindre = h('button', { type: 'button', class: 'bouton', onclick: () => this.joindre(joindre) }, 'Joindre ces fichiers');
        this.rendrePieces();
        return h('fieldset', { class: 'question question-pieces' },
            h('legend', { class: 'libelle' }, demandeAvis ? 'Avis d\'imposition' : 'Justificatifs',
                demandeAvis ? h('span', { class: 'obligatoire', 'aria-hidden': 'true' }, ' *') : null),
            h('p', { class: 'aide' }, demandeAvis
                ? `Joignez l'avis d'imposition ${(this.enquete.annee_revenus ?? this.annee - 2) + 1} (sur les revenus ${this.enquete.annee_revenus ?? this.annee - 2}) de chaque personne majeure du foyer. Vous pouvez retirer un document tant que l'enquête n'est pas envoyée.`
                : 'Joignez les justificatifs demandés, s\'il y en a. Vous pouvez retirer un document tant que l\'enquête n\'est pas envoyée.'),
            h('h3', { class: 'sous-titre' }, 'Documents déjà joints'),
            this.messagePieces,
            this.zonePieces,
            h('h3', { class: 'sous-titre' }, 'Joindre un document'),
            h('div', { class: 'grille-champs' }, this.choixConcerne.racine, this.choixNature.racine),
            this.fichiers.racine,
            h('div', { class: 'actions actions--compactes' }, joindre));
    }

    majConcernes() {
        const adultes = this.adultes();
        const actuel = this.choixConcerne.valeur();
        const noms = adultes.map(nomPersonne).filter(Boolean);
        const options = [...noms, 'Tout le foyer'];
        remplacer(this.choixConcerne.controle, options.map((nom) => h('option', { value: nom }, nom)));
        this.choixConcerne.definirValeur(options.includes(actuel) ? actuel : options[0]);
    }

    rendrePieces() {
        remplacer(this.zonePieces, listePieces(this.enquete, { retirer: (piece) => this.retirer(piece) }));
        this.majConcernes();
    }

    async joindre(bouton) {
        this.fichiers.effacerErreur();
        this.messagePieces.replaceChildren();
        const fichiers = this.fichiers.valeur();
        if (!fichiers.length) {
            this.fichiers.afficherErreur('Choisissez d\'abord le ou les fichiers à joindre.');
            this.fichiers.controle.focus();
            return;
        }
        bouton.setAttribute('aria-disabled', 'true');
        bouton.textContent = 'Envoi des fichiers en cours…';
        try {
            const nature = this.choixNature.valeur() || 'avis_imposition';
            const detail = await envoyerFichiers(`/api/enquetes/${this.enquete.id}/pieces`, {
                concerne: this.choixConcerne.valeur(),
                [nature]: fichiers,
            });
            this.enquete.pieces = detail.pieces;
            this.fichiers.vider();
            this.rendrePieces();
            const texte = `${fichiers.map((fichier) => fichier.name).join(', ')} : joint${fichiers.length > 1 ? 's' : ''} à votre enquête.`;
            remplacer(this.messagePieces, boiteMessage('succes', texte));
            annoncer(texte);
        } catch (erreur) {
            const message = erreur instanceof ErreurApi
                ? Object.values(erreur.champs ?? {}).join(' ') || erreur.message
                : 'Une erreur inattendue est survenue. Veuillez réessayer.';
            this.fichiers.afficherErreur(message);
            this.fichiers.controle.focus();
        } finally {
            bouton.removeAttribute('aria-disabled');
            bouton.textContent = 'Joindre ces fichiers';
        }
    }

    async retirer(piece) {
        this.messagePieces.replaceChildren();
        try {
            const detail = await supprimerRessource(`/api/enquetes/${this.enquete.id}/pieces/${piece.id}`);
            this.enquete.pieces = detail.pieces;
            this.rendrePieces();
            const texte = `${piece.nom} est retiré de votre enquête.`;
            remplacer(this.messagePieces, boiteMessage('succes', texte));
            annoncer(texte);
            focaliser(this.zonePieces.querySelector('button, a') ?? this.fichiers.controle);
        } catch (erreur) {
            remplacer(this.messagePieces, boiteMessage('erreur', erreur.message ?? 'Le document n\'a pas pu être retiré.'));
        }
    }

    // --- saving and sending ---------------------------------------------

    reponses() {
        this.lireFoyer();
        this.lireParAdulte();
        const valeurs = this.formulaire.valeurs();
        const reponses = {};
        const adultes = new Set(this.adultes().map((adulte) => adulte.cle));
        for (const question of this.questions) {
            const nom = `reponses.${question.id}`;
            switch (question.type) {
            case 'occupants':
                reponses[question.id] = this.personnes.map((personne) => ({
                    cle: personne.cle,
                    ...(personne.occupant_id ? { occupant_id: personne.occupant_id } : {}),
                    nom: personne.nom,
                    prenom: personne.prenom,
                    date_naissance: personne.date_naissance,
                    lien: personne.lien,
                }));
                break;
            case 'oui_non':
                if (valeurs[nom] !== '' && valeurs[nom] !== undefined) {
                    reponses[question.id] = valeurs[nom] === 'true';
                }
                break;
            case 'choix_par_adulte':
            case 'revenus_par_adulte': {
                const parAdulte = {};
                for (const [cle, saisie] of Object.entries(this.valeursParAdulte[question.id] ?? {})) {
                    if (!adultes.has(cle) || saisie === '' || saisie === null || saisie === undefined) {
                        continue;
                    }
                    parAdulte[cle] = question.type === 'revenus_par_adulte' ? euros(saisie) : saisie;
                }
                if (Object.keys(parAdulte).length) {
                    reponses[question.id] = parAdulte;
                }
                break;
            }
            case 'nombre':
                if (valeurs[nom] !== '') {
                    reponses[question.id] = Number(valeurs[nom]);
                }
                break;
            default:
                if (valeurs[nom] !== '' && valeurs[nom] !== undefined) {
                    reponses[question.id] = valeurs[nom];
                }
            }
        }
        return reponses;
    }

    // The server's keys name a question ("reponses.revenus") or a field
    // ("reponses.revenus.o7"): a question's message goes to its first field.
    versChamps(champs) {
        const resultat = {};
        for (const [cle, message] of Object.entries(champs ?? {})) {
            const exact = this.formulaire.champ(cle);
            const premier = exact ?? this.formulaire.tousLesChamps().find((champ) => String(champ.nom).startsWith(`${cle}.`));
            resultat[premier ? premier.nom : cle] = message;
        }
        return resultat;
    }

    async enregistrer({ annoncerSucces = true } = {}) {
        let detail;
        try {
            detail = await remplacerRessource(`/api/enquetes/${this.enquete.id}`, { reponses: this.reponses() });
        } catch (erreur) {
            if (erreur instanceof ErreurApi && erreur.champs) {
                erreur.champs = this.versChamps(erreur.champs);
            }
            throw erreur;
        }
        this.enquete.modifie_le = detail.modifie_le;
        this.enquete.manquants = detail.manquants;
        this.enquete.complete = detail.complete;
        if (annoncerSucces) {
            this.formulaire.afficherMessage('succes', `Vos réponses sont enregistrées (brouillon du ${formaterDateHeure(detail.modifie_le)}). Elles ne sont pas encore transmises à l'office : cliquez sur « Envoyer mes réponses » quand tout est prêt.`);
            annoncer('Vos réponses sont enregistrées.');
        }
        return detail;
    }

    async verifierPuisConfirmer() {
        const detail = await this.enregistrer({ annoncerSucces: false });
        if (!detail.complete) {
            throw new ErreurApi({
                statut: 422,
                code: 'validation',
                message: 'Vos réponses sont enregistrées, mais l\'enquête n\'est pas complète : complétez ce qui manque, puis envoyez-la.',
                champs: this.versChamps(detail.manquants),
            });
        }
        demanderConfirmation(this.zoneConfirmation, {
            question: 'Envoyer vos réponses à l\'office ?',
            details: 'Une fois envoyées, vos réponses et vos documents ne pourront plus être modifiés.',
            confirmer: 'Oui, envoyer mes réponses',
            enCours: 'Envoi en cours…',
            annuler: 'Non, revenir à mes réponses',
            retour: this.formulaire.bouton,
            action: async () => {
                const envoyee = await envoyer(`/api/enquetes/${this.enquete.id}/envoi`, {});
                this.quandEnvoyee(envoyee);
            },
        });
    }
}

// ---------------------------------------------------------------------------
// The page

function entete(enquete) {
    const consequences = Array.isArray(enquete.consequences) ? enquete.consequences : [];
    return [
        details(
            ligne('Statut', statutEnquete(enquete)),
            ligne('Contrat', enquete.contrat),
            ligne('Date limite de réponse', formaterDateLongue(enquete.date_limite)),
            enquete.campagne?.reference_legale ? ligne('Texte de référence', enquete.campagne.reference_legale) : null,
        ),
        consequences.length && enquete.statut !== 'envoyee'
            ? boiteMessage(enquete.statut === 'hors_delai' ? 'erreur' : 'attention', consequences,
                { titre: enquete.statut === 'hors_delai' ? 'La date limite est dépassée : répondez au plus vite' : 'À savoir' })
            : null,
    ];
}

export default async function afficher(ctx) {
    const id = ctx.parametres.id;
    const retour = h('p', { class: 'lien-suite' }, lienRoute('/enquete-sociale', 'Retour à vos enquêtes'));
    let enquete;
    try {
        enquete = await lire(`/api/enquetes/${id}`);
    } catch (erreur) {
        const conteneur = page('page-enquete', 'Votre enquête');
        ajouter(conteneur, [erreurChargement(erreur, {
            introuvable: 'Cette enquête n\'existe pas ou ne concerne pas votre foyer.',
            reessayer: () => ctx.naviguer(`/enquete-sociale/${id}`),
        }), retour]);
        return conteneur;
    }
    const titre = enquete.campagne?.titre || 'Votre enquête';
    const conteneur = page('page-enquete', titre);
    conteneur.dataset.titre = titre;
    const zone = h('div', {});
    const rendreEnvoyee = (envoyee) => {
        remplacer(zone, entete(envoyee), vueEnvoyee(envoyee));
    };
    if (enquete.statut === 'envoyee' || enquete.modifiable === false) {
        rendreEnvoyee(enquete);
    } else {
        const formulaire = new FormulaireEnquete(ctx, enquete, {
            quandEnvoyee: (envoyee) => {
                rendreEnvoyee(envoyee);
                const boite = zone.querySelector('.message--succes');
                focaliser(boite);
                annoncer('Votre enquête est envoyée à l\'office.');
            },
        });
        remplacer(zone, entete(enquete),
            h('p', {}, 'Vos réponses sont enregistrées comme brouillon à chaque fois que vous cliquez sur « Enregistrer le brouillon » : vous pouvez revenir plus tard. Rien n\'est transmis à l\'office avant l\'envoi.'),
            enquete.modifie_le ? h('p', { class: 'aide' }, `Brouillon enregistré le ${formaterDateHeure(enquete.modifie_le)}.`) : null,
            h('h2', {}, 'Vos réponses'),
            formulaire.element);
    }
    ajouter(conteneur, [zone, retour]);
    return conteneur;
}
