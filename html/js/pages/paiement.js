// "Paiements", as the guide shows it, one contract at a time (each is paid
// on its own: the contract selector): the balance "as of" the time the
// office computed it, with the guide's sentence about the 24 hours; what is
// still due; card payments accepted since; paying by card; the direct
// debit (the SEPA mandate in force, masked, its signed PDF, and the form
// to set one up or change the bank details); the account's history with
// the balance after each entry, a page at a time.
//
// Paying by card: POST /api/paiements/carte makes the order and answers
// the provider's form (its address and signed fields).  The browser must
// post that form itself (a real form submission, not fetch): the card is
// typed on the provider's page, never here.  The provider sends the payer
// back to #/paiement/retour?commande=... (paiement-retour.js).

import { h, ajouter } from '../dom.js';
import {
    Formulaire, boiteMessage, erreurChargement, pourLecteurs, lienRoute, zoneEdition,
} from '../ui.js';
import { lire, envoyer } from '../api.js';
import {
    formaterDate, formaterDateHeure, formaterMontant, numeroCourt, nomPersonne,
} from '../format.js';
import {
    page, details, ligne, libelleContrat, contratChoisi, selecteurContrat, blocSolde, navigationPages, aucunContrat,
} from './commun.js';

const montantSaisi = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false });

/**
 * An amount typed the French way ("12,50", "1 234,5", "12.50", "12 €")
 * → integer cents, or null when it is not an amount.
 */
export function lireMontant(saisie) {
    const texte = String(saisie).replace(/[\s\u00a0\u202f]/g, '').replace(/€$/, '').replace('.', ',');
    const trouve = /^(\d{1,9})(?:,(\d{1,2}))?$/.exec(texte);
    if (!trouve) {
        return null;
    }
    return Number(trouve[1]) * 100 + Number((trouve[2] ?? '0').padEnd(2, '0'));
}

// ---------------------------------------------------------------------------
// The balance

function situation(compte) {
    const solde = compte.solde ?? {};
    const carte = compte.paiement_carte ?? {};
    const enCours = Array.isArray(compte.paiements_en_cours) ? compte.paiements_en_cours : [];
    return h('section', { 'aria-labelledby': 'titre-situation' },
        h('h2', { id: 'titre-situation' }, 'Situation du compte'),
        blocSolde(solde.montant_cents, solde.au),
        h('p', { class: 'aide' }, `Solde calculé le ${formaterDateHeure(solde.au)}. `,
            solde.message || 'Le solde de votre compte sera mis à jour dans les 24h.'),
        details(
            ligne('Mode de paiement', compte.mode_paiement?.libelle ?? ''),
            enCours.length && Number.isInteger(carte.montant_du_cents)
                ? ligne('Reste à payer', formaterMontant(carte.montant_du_cents)) : null),
        enCours.length ? h('div', {},
            h('h3', {}, 'Paiements par carte en cours d\'enregistrement'),
            h('p', {}, 'Ces paiements sont acceptés ; ils apparaîtront dans votre solde à sa prochaine mise à jour.'),
            h('ul', { class: 'liste-simple' }, enCours.map((paiement) => h('li', {},
                `${formaterMontant(paiement.montant_cents)} payés par carte le ${formaterDateHeure(paiement.recu_le)} `,
                `(commande ${paiement.commande}) : `,
                h('a', { href: `/api/paiements/carte/${encodeURIComponent(paiement.commande)}/ticket`, download: '' },
                    'télécharger le ticket', pourLecteurs(` du paiement ${paiement.commande}`), ' (PDF)'))))) : null);
}

// ---------------------------------------------------------------------------
// Card payment

// Posts the provider's form: hidden fields, as they came, to its address.
function allerChezLePrestataire(formulaire) {
    const adresse = new URL(formulaire.url, window.location.href);
    if (adresse.protocol !== 'https:' && adresse.protocol !== 'http:') {
        throw new Error(`payment page at an unexpected address: ${formulaire.url}`);
    }
    const envoi = h('form', { method: 'post', action: adresse.href, hidden: true, class: 'formulaire-prestataire' },
        Object.entries(formulaire.champs ?? {}).map(([nom, valeur]) => h('input', { type: 'hidden', name: nom, value: String(valeur) })));
    document.body.append(envoi);
    envoi.submit();
}

function paiementCarte(numero, compte) {
    const carte = compte.paiement_carte ?? {};
    const section = h('section', { 'aria-labelledby': 'titre-carte' },
        h('h2', { id: 'titre-carte' }, 'Payer en ligne par carte bancaire'));
    if (!carte.disponible) {
        section.append(boiteMessage('info', carte.message || 'Le paiement par carte n\'est pas possible pour ce contrat pour le moment.'));
        return section;
    }
    const minimum = carte.montant_min_cents ?? 100;
    const maximum = carte.montant_max_cents ?? carte.montant_du_cents;
    const formulaire = new Formulaire('carte', { bouton: 'Payer par carte bancaire', enCours: 'Redirection vers le paiement sécurisé…' });
    formulaire.ajouter(formulaire.texte({
        nom: 'montant_cents', libelle: 'Montant à payer, en euros', inputmode: 'decimal', autocomplete: 'off', taille: 'montant',
        valeur: carte.montant_du_cents ? montantSaisi.format(carte.montant_du_cents / 100) : '',
        aide: `Par défaut, ce qui reste à payer. Entre ${formaterMontant(minimum)} et ${formaterMontant(maximum)}, par exemple 12,50.`,
        messageVide: 'Veuillez indiquer le montant à payer.',
        valider: (valeur) => {
            const cents = lireMontant(valeur);
            if (cents === null) {
                return 'Indiquez un montant en euros, par exemple 12,50.';
            }
            if (cents < minimum) {
                return `Le montant minimum est de ${formaterMontant(minimum)}.`;
            }
            if (maximum && cents > maximum) {
                return `Le montant maximum est de ${formaterMontant(maximum)}.`;
            }
            return null;
        },
    }));
    formulaire.quandEnvoye(async (valeurs) => {
        const reponse = await envoyer('/api/paiements/carte', { contrat: numero, montant_cents: lireMontant(valeurs.montant_cents) });
        formulaire.afficherMessage('info', 'Vous êtes redirigé vers la page de paiement sécurisée de la banque…');
        allerChezLePrestataire(reponse);
        // the button stays busy while the browser leaves the page
        await new Promise((resolve) => { window.setTimeout(resolve, 15000); });
    });
    ajouter(section, [
        h('p', {}, 'Vous saisirez les informations de votre carte sur la page sécurisée de notre banque, pas sur le portail. '
            + 'À la fin du paiement, vous pourrez télécharger votre ticket de paiement.'),
        formulaire.element,
    ]);
    return section;
}

// ---------------------------------------------------------------------------
// Direct debit (SEPA mandate)

function lienMandat(mandat) {
    return mandat.document_id
        ? h('a', { href: `/api/documents/${encodeURIComponent(mandat.document_id)}/fichier`, download: '', class: 'lien-fichier' },
            'Télécharger le mandat signé', pourLecteurs(` ${mandat.rum}`), ' (PDF)')
        : null;
}

function detailsMandat(mandat) {
    return details(
        ligne('Titulaire du compte', mandat.titulaire),
        ligne('IBAN', h('span', { class: 'iban' }, mandat.iban_masque)),
        mandat.bic ? ligne('BIC', mandat.bic) : null,
        ligne('Jour de prélèvement', `le ${mandat.jour_prelevement} du mois`),
        ligne('Référence unique du mandat (RUM)', mandat.rum),
        ligne('Signé le', formaterDate(mandat.signe_le)));
}

// Letters and digits once spaces are gone, 15 to 34 of them: the server
// checks the rest (the country's length, the check digits).
function ibanPlausible(valeur) {
    return /^[A-Za-z]{2}\d{2}[A-Za-z0-9]{11,30}$/.test(valeur.replace(/\s+/g, ''));
}

function formulaireMandat(ctx, numero, prelevement) {
    const mandat = prelevement.mandat;
    const jours = Array.isArray(prelevement.jours_proposes) ? prelevement.jours_proposes : [];
    const formulaire = new Formulaire('mandat', { bouton: 'Signer le mandat de prélèvement', enCours: 'Signature en cours…' });
    formulaire.ajouter(
        formulaire.texte({
            nom: 'titulaire', libelle: 'Titulaire du compte', maxlength: 70, autocomplete: 'name', spellcheck: 'false',
            valeur: mandat?.titulaire ?? nomPersonne(ctx.session?.compte),
            aide: 'Le nom tel qu\'il figure sur votre RIB.',
            messageVide: 'Veuillez indiquer le titulaire du compte.',
        }),
        formulaire.texte({
            nom: 'iban', libelle: 'IBAN', maxlength: 42, autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters',
            aide: 'Il figure sur votre RIB, par exemple FR76 3000 6000 0112 3456 7890 189. Les espaces sont acceptés.',
            messageVide: 'Veuillez indiquer l\'IBAN du compte à prélever.',
            valider: (valeur) => (ibanPlausible(valeur) ? null
                : 'Un IBAN commence par 2 lettres et 2 chiffres, suivis de 11 à 30 lettres ou chiffres, par exemple FR76 3000 6000 0112 3456 7890 189.'),
        }),
        formulaire.texte({
            nom: 'bic', libelle: 'BIC', obligatoire: false, maxlength: 11, autocomplete: 'off', spellcheck: 'false',
            autocapitalize: 'characters', taille: 'court',
            aide: 'Facultatif : 8 ou 11 lettres et chiffres, par exemple AGRIFRPP.',
        }),
        formulaire.radios({
            nom: 'jour_prelevement', legende: 'Jour de prélèvement', enLigne: true,
            choix: jours.map((jour) => ({ code: String(jour), libelle: `le ${jour} du mois` })),
            valeur: mandat ? String(mandat.jour_prelevement) : null,
            messageVide: 'Veuillez choisir le jour du prélèvement.',
        }),
        h('p', { class: 'mention-sepa' },
            `En signant ce mandat, vous autorisez ${prelevement.creancier?.nom ?? 'l\'office'} à envoyer des instructions à votre banque `
            + 'pour débiter votre compte, et votre banque à débiter votre compte conformément à ces instructions. '
            + 'Vous bénéficiez du droit d\'être remboursé par votre banque selon les conditions de la convention que vous avez passée avec elle ; '
            + 'une demande de remboursement doit être présentée dans les 8 semaines suivant la date de débit de votre compte.'),
        mandat ? h('p', {}, 'Le nouveau mandat remplace le mandat en cours, qui sera révoqué.') : null);
    formulaire.quandEnvoye(async (valeurs) => {
        const reponse = await envoyer('/api/paiements/prelevement', {
            contrat: numero,
            titulaire: valeurs.titulaire,
            iban: valeurs.iban,
            bic: valeurs.bic || null,
            jour_prelevement: Number(valeurs.jour_prelevement),
        });
        ctx.flash('succes', reponse?.message || 'Votre mandat de prélèvement est signé.');
        ctx.naviguer(`/paiement?contrat=${numero}`);
    });
    return formulaire;
}

function prelevementAutomatique(ctx, numero, prelevement) {
    const mandat = prelevement.mandat;
    const section = h('section', { 'aria-labelledby': 'titre-prelevement' },
        h('h2', { id: 'titre-prelevement' }, 'Prélèvement automatique'),
        h('p', {}, 'Programmez le prélèvement automatique et choisissez la date de prélèvement. '
            + 'Si vous avez changé de banque, mettez à jour vos coordonnées bancaires en signant un nouveau mandat.'));
    if (mandat) {
        section.append(h('div', { class: 'carte' },
            h('h3', { class: 'carte-titre' }, 'Votre mandat de prélèvement SEPA en cours'),
            detailsMandat(mandat),
            lienMandat(mandat) ? h('p', {}, lienMandat(mandat)) : null));
    } else {
        section.append(h('p', {}, 'Aucun prélèvement automatique n\'est en place pour ce contrat.'));
    }
    if (!prelevement.souscription_possible) {
        section.append(boiteMessage('info', 'La mise en place du prélèvement automatique n\'est pas disponible en ligne pour le moment : contactez l\'office.'));
        return section;
    }
    const { bouton: ouvrir, zone } = zoneEdition({
        id: 'mandat-zone',
        libelle: mandat ? 'Modifier vos coordonnées bancaires ou le jour de prélèvement' : 'Mettre en place le prélèvement automatique',
        titre: 'Mandat de prélèvement SEPA', niveau: 3,
        formulaire: () => formulaireMandat(ctx, numero, prelevement), champ: 'titulaire',
    });
    ajouter(section, [h('div', { class: 'actions' }, ouvrir), zone]);
    return section;
}

// ---------------------------------------------------------------------------
// History

function historique(numero, compte) {
    const histo = compte.historique ?? {};
    const ecritures = Array.isArray(histo.ecritures) ? histo.ecritures : [];
    const pageCourante = Number(histo.page) || 1;
    const pages = Number(histo.pages) || 1;
    const section = h('section', { 'aria-labelledby': 'titre-historique' },
        h('h2', { id: 'titre-historique' }, 'Historique de votre compte'));
    if (!ecritures.length) {
        section.append(h('p', { class: 'liste-vide' }, pageCourante > 1
            ? 'Cette page de l\'historique est vide : revenez à la première page.'
            : 'Aucune opération n\'est enregistrée sur ce compte pour le moment.'));
        return section;
    }
    const legende = `Opérations du compte, de la plus récente à la plus ancienne${pages > 1 ? ` (page ${pageCourante} sur ${pages})` : ''}`;
    const montant = (cents) => (Number.isInteger(cents) ? formaterMontant(cents) : '');
    ajouter(section, [
        h('div', { class: 'tableau-defilant', role: 'region', 'aria-label': 'Historique du compte', tabindex: '0' },
            h('table', { class: 'tableau tableau-historique' },
                h('caption', {}, legende),
                h('thead', {}, h('tr', {},
                    h('th', { scope: 'col' }, 'Date'),
                    h('th', { scope: 'col' }, 'Opération'),
                    h('th', { scope: 'col', class: 'nombre' }, 'Débit'),
                    h('th', { scope: 'col', class: 'nombre' }, 'Crédit'),
                    h('th', { scope: 'col', class: 'nombre' }, 'Solde après l\'opération'))),
                h('tbody', {}, ecritures.map((ecriture) => h('tr', {},
                    h('td', {}, formaterDate(ecriture.date)),
                    h('th', { scope: 'row' }, ecriture.libelle,
                        ecriture.loyer_cents !== null && ecriture.loyer_cents !== undefined
                            ? h('span', { class: 'detail-ecriture' },
                                `Loyer ${formaterMontant(ecriture.loyer_cents)}, charges ${formaterMontant(ecriture.charges_cents)}`)
                            : null),
                    h('td', { class: 'nombre', 'data-libelle': 'Débit' }, montant(ecriture.debit_cents)),
                    h('td', { class: 'nombre', 'data-libelle': 'Crédit' }, montant(ecriture.credit_cents)),
                    h('td', { class: 'nombre', 'data-libelle': 'Solde après l\'opération' }, formaterMontant(ecriture.solde_cents))))))),
        h('p', { class: 'aide' }, 'Un solde positif est une somme à payer ; un solde négatif est en votre faveur.'),
        navigationPages({
            page: pageCourante, pages, libelle: 'Pages de l\'historique du compte',
            route: (n) => `/paiement?contrat=${numero}${n > 1 ? `&page=${n}` : ''}`,
        }),
    ]);
    return section;
}

// ---------------------------------------------------------------------------
// The page

export default async function afficher(ctx) {
    const conteneur = page('page-paiement', 'Paiements',
        'Dans cette section, vous pouvez gérer facilement et en toute sécurité vos paiements : consulter l\'état de votre solde et l\'historique des paiements, payer votre loyer en ligne par carte bancaire, programmer le prélèvement automatique et mettre à jour vos coordonnées bancaires.');
    const choisi = contratChoisi(ctx, ctx.contrats);
    if (!choisi) {
        conteneur.append(aucunContrat());
        return conteneur;
    }
    const numero = numeroCourt(choisi.numero);
    const numeroPage = /^\d{1,4}$/.test(ctx.params.get('page') ?? '') ? Number(ctx.params.get('page')) : 1;
    const selecteur = selecteurContrat(ctx, { route: '/paiement', contrats: ctx.contrats, courant: numero });
    let compte;
    let prelevement;
    try {
        [compte, prelevement] = await Promise.all([
            lire(`/api/paiements?contrat=${numero}${numeroPage > 1 ? `&page=${numeroPage}` : ''}`),
            lire(`/api/paiements/prelevement?contrat=${numero}`),
        ]);
    } catch (erreur) {
        ajouter(conteneur, [selecteur, erreurChargement(erreur, {
            introuvable: 'Ce contrat n\'est pas rattaché à votre compte.',
            reessayer: () => ctx.naviguer(`/paiement?contrat=${numero}`),
        })]);
        return conteneur;
    }
    ajouter(conteneur, [
        selecteur,
        ctx.contrats.length > 1
            ? h('p', { class: 'aide' }, 'Vous avez plusieurs contrats (logement, stationnement) : chacun se paie séparément. Choisissez le contrat à payer ci-dessus.')
            : null,
        h('h2', { class: 'titre-contrat' }, libelleContrat(compte.contrat ?? choisi)),
        situation(compte),
        paiementCarte(numero, compte),
        prelevementAutomatique(ctx, numero, prelevement),
        historique(numero, compte),
        h('p', { class: 'lien-suite' }, lienRoute(`/documents?contrat=${numero}&nature=recu_paiement`, 'Vos reçus de paiement dans vos documents')),
    ]);
    return conteneur;
}
