// "Vos documents", as the guide shows it: the tenant's due notices,
// quittances, charge reconciliations, payment receipts and SEPA mandates
// (GET /api/documents), newest first, for one contract or all of them,
// filtered by kind (the guide's tabs) and by year, a page at a time, each
// with its download link (GET /api/documents/{id}/fichier: a plain link,
// the session cookie goes with it).
//
// The filters are links (their state in the address: #/documents
// ?nature=quittance&annee=2025&page=2), so that the list can be
// bookmarked, and nothing changes while a list is being browsed (RGAA 7.5).
// A quittance the office has not sent yet for a fully paid month is made
// by the server at its first download: the page says so.

import { h, ajouter } from '../dom.js';
import { boiteMessage, erreurChargement, lienRoute, pourLecteurs } from '../ui.js';
import { lire } from '../api.js';
import { formaterDate, formaterMois, formaterTaille } from '../format.js';
import { page, details, ligne, selecteurContrat, navigationPages } from './commun.js';

const PAR_PAGE = 20;

// The filters of the address, as the API takes them; anything malformed
// is dropped (the server would refuse it with a 422).
function filtresDeLAdresse(ctx) {
    const nature = ctx.params.get('nature') || '';
    const annee = ctx.params.get('annee') || '';
    const page_ = Number(ctx.params.get('page') || '1');
    return {
        contrat: ctx.contrat,
        nature: /^[a-z_]{1,40}$/.test(nature) ? nature : null,
        annee: /^\d{4}$/.test(annee) ? annee : null,
        page: Number.isInteger(page_) && page_ >= 1 && page_ <= 10000 ? page_ : 1,
    };
}

// The route for some filters (null or missing: none; page 1 is implicit).
function routeDocuments({ contrat = null, nature = null, annee = null, page: numero = 1 }) {
    const requete = new URLSearchParams();
    if (contrat) {
        requete.set('contrat', contrat);
    }
    if (nature) {
        requete.set('nature', nature);
    }
    if (annee) {
        requete.set('annee', annee);
    }
    if (numero > 1) {
        requete.set('page', String(numero));
    }
    const texte = requete.toString();
    return `/documents${texte ? `?${texte}` : ''}`;
}

function cheminApi(filtres) {
    const requete = new URLSearchParams({ par_page: String(PAR_PAGE), page: String(filtres.page) });
    for (const cle of ['contrat', 'nature', 'annee']) {
        if (filtres[cle]) {
            requete.set(cle, filtres[cle]);
        }
    }
    return `/api/documents?${requete}`;
}

function filtre(route, texte, actif) {
    return h('li', {}, lienRoute(route, texte, { 'aria-current': actif ? 'page' : null }));
}

function filtresNature(liste, filtres) {
    return h('nav', { class: 'filtres', 'aria-label': 'Type de document' },
        h('ul', {},
            filtre(routeDocuments({ ...filtres, nature: null, page: 1 }), 'Tous les documents', !filtres.nature),
            liste.map((nature) => filtre(routeDocuments({ ...filtres, nature: nature.code, page: 1 }),
                nature.libelle, filtres.nature === nature.code))));
}

function filtresAnnee(annees, filtres) {
    // the year asked stays offered even when it has no document any more
    const offertes = filtres.annee && !annees.includes(Number(filtres.annee))
        ? [...annees, Number(filtres.annee)].sort().reverse() : annees;
    if (offertes.length < 2 && !filtres.annee) {
        return null;
    }
    return h('nav', { class: 'filtres', 'aria-label': 'Année' },
        h('ul', {},
            filtre(routeDocuments({ ...filtres, annee: null, page: 1 }), 'Toutes les années', !filtres.annee),
            offertes.map((annee) => filtre(routeDocuments({ ...filtres, annee: String(annee), page: 1 }),
                String(annee), filtres.annee === String(annee)))));
}

function periode(document_) {
    return /^\d{4}-\d{2}$/.test(document_.periode ?? '') ? formaterMois(`${document_.periode}-01`) : '';
}

function carteDocument(document_, plusieursContrats) {
    const titre = document_.titre || document_.libelle_nature;
    return h('li', { class: ['carte', 'document', `document--${document_.nature}`] },
        h('h3', { class: 'carte-titre' }, titre),
        details(
            ligne('Type', document_.libelle_nature),
            periode(document_) ? ligne('Période', periode(document_)) : null,
            plusieursContrats ? ligne('Contrat', `n° ${document_.contrat}`) : null,
            document_.mis_en_ligne_le ? ligne('Mis en ligne le', formaterDate(document_.mis_en_ligne_le)) : null,
        ),
        document_.a_generer
            ? h('p', { class: 'aide' }, 'Cette période est entièrement payée : la quittance est établie au moment où vous la téléchargez.')
            : null,
        h('p', { class: 'lien-suite' },
            h('a', { href: document_.url, download: '', class: 'lien-fichier' },
                'Télécharger', pourLecteurs(` : ${titre}`),
                ` (PDF${document_.taille ? `, ${formaterTaille(document_.taille)}` : ''})`)));
}

function phraseVide(filtres, natures) {
    const nature = natures.find((n) => n.code === filtres.nature);
    if (filtres.page > 1) {
        return 'Cette page de la liste est vide : revenez à la première page.';
    }
    if (nature && filtres.annee) {
        return `Aucun document de type « ${nature.libelle} » pour l'année ${filtres.annee}.`;
    }
    if (nature) {
        return `Vous n'avez aucun document de type « ${nature.libelle} » pour le moment.`;
    }
    if (filtres.annee) {
        return `Aucun document pour l'année ${filtres.annee}.`;
    }
    return 'Vous n\'avez aucun document disponible pour le moment.';
}

export default async function afficher(ctx) {
    const conteneur = page('page-documents', 'Vos documents',
        'Cette section vous permet de consulter et de télécharger les documents importants de votre location : les quittances de loyer, les avis d\'échéance (à partir de novembre 2023) et les régularisations de charges.');
    const filtres = filtresDeLAdresse(ctx);
    let reponse;
    try {
        reponse = await lire(cheminApi(filtres));
    } catch (erreur) {
        ajouter(conteneur, [
            selecteurContrat(ctx, { route: '/documents', contrats: ctx.contrats, courant: ctx.contrat, tous: true }),
            erreurChargement(erreur, {
                introuvable: 'Ce contrat n\'est pas rattaché à votre compte.',
                reessayer: () => ctx.naviguer(routeDocuments(filtres)),
            })]);
        return conteneur;
    }
    const documents = Array.isArray(reponse.documents) ? reponse.documents : [];
    const natures = Array.isArray(reponse.natures) ? reponse.natures : [];
    const annees = Array.isArray(reponse.annees) ? reponse.annees : [];
    const contrats = Array.isArray(reponse.contrats) ? reponse.contrats : [];
    const total = Number(reponse.total) || 0;
    const pages = Number(reponse.pages) || 1;
    const titreListe = total === 0 ? 'Aucun document'
        : total === 1 ? '1 document' : `${total} documents`;

    ajouter(conteneur, [
        selecteurContrat(ctx, {
            route: '/documents', contrats: ctx.contrats, courant: ctx.contrat, tous: true,
            parametres: () => {
                const garder = {};
                if (filtres.nature) {
                    garder.nature = filtres.nature;
                }
                if (filtres.annee) {
                    garder.annee = filtres.annee;
                }
                return garder;
            },
        }),
        filtresNature(natures, filtres),
        filtresAnnee(annees, filtres),
        h('section', { 'aria-labelledby': 'titre-liste-documents' },
            h('h2', { id: 'titre-liste-documents' }, titreListe,
                pages > 1 ? ` (page ${filtres.page} sur ${pages})` : ''),
            documents.length
                ? h('ul', { class: 'liste-cartes liste-documents' },
                    documents.map((document_) => carteDocument(document_, contrats.length > 1 && !filtres.contrat)))
                : h('p', { class: 'liste-vide' }, phraseVide(filtres, natures)),
            navigationPages({
                page: filtres.page, pages, libelle: 'Pages de la liste des documents',
                route: (numero) => routeDocuments({ ...filtres, page: numero }),
            })),
        boiteMessage('info', 'Les avis d\'échéance et les régularisations de charges sont disponibles à partir de novembre 2023. Une quittance n\'est délivrée que pour une période entièrement payée ; un paiement partiel donne un reçu.'),
    ]);
    return conteneur;
}
