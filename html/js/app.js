// The single-page app: session state, the header/footer shell, and the
// hash router.
//
// Hash routing (#/connexion, #/inscription/confirmation?jeton=...) because
// nginx serves one index.html for everything and because a hash is never
// sent to the server: the links of the e-mails carry their token in it, so
// the token appears in no access log and in no Referer.
//
// A page is a module of pages/ whose default export is
//     async function afficher(ctx) → Node   (the page, with its single h1)
// where ctx is described at contexte() below.  Pages are loaded on demand.
// A route may have one numeric segment (/demandes/:id), given to the page
// as ctx.parametres.id.  A page may name itself more precisely than its
// route (the request's number) with data-titre on the node it returns.

import { lire, envoyer, definirCsrf, quandSessionExpiree } from './api.js';
import { h, remplacer, focaliser } from './dom.js';
import { annoncer, boiteMessage, disclosure, marquerTitreErreur } from './ui.js';
import { nomComplet, numeroCourt } from './format.js';

const NOM_PORTAIL = 'Portail locataire';

// acces: 'anonyme' = only when signed out (a signed-in user goes home),
//        'public'  = either way (links from e-mails),
//        'prive'   = signed in only (else sign-in, then back here).
const ROUTES = {
    '/connexion': { titre: 'Connexion', acces: 'anonyme', page: () => import('./pages/connexion.js') },
    '/inscription': { titre: 'Inscription', acces: 'anonyme', page: () => import('./pages/inscription.js') },
    '/inscription/confirmation': { titre: 'Confirmation de votre inscription', acces: 'public', page: () => import('./pages/confirmation.js') },
    '/mot-de-passe/oubli': { titre: 'Mot de passe oublié', acces: 'anonyme', page: () => import('./pages/mot-de-passe-oubli.js') },
    '/mot-de-passe/reinitialisation': { titre: 'Nouveau mot de passe', acces: 'public', page: () => import('./pages/reinitialisation.js') },
    '/identifiants/oubli': { titre: 'Identifiants oubliés', acces: 'anonyme', page: () => import('./pages/identifiants-oubli.js') },
    '/accueil': { titre: 'Accueil', acces: 'prive', page: () => import('./pages/accueil.js') },
    '/contrat': { titre: 'Votre contrat', acces: 'prive', page: () => import('./pages/contrat.js') },
    '/documents': { titre: 'Vos documents', acces: 'prive', page: () => import('./pages/documents.js') },
    '/paiement': { titre: 'Paiements', acces: 'prive', page: () => import('./pages/paiement.js') },
    '/paiement/retour': { titre: 'Résultat de votre paiement', acces: 'prive', page: () => import('./pages/paiement-retour.js') },
    '/demandes': { titre: 'Vos demandes en cours', acces: 'prive', page: () => import('./pages/demandes.js') },
    '/enquete-sociale': { titre: 'Enquête sociale', acces: 'prive', page: () => import('./pages/enquete-sociale.js') },
    '/dossier': { titre: 'Mon dossier', acces: 'prive', page: () => import('./pages/dossier.js') },
    '/dossier/email/confirmation': { titre: 'Confirmation de votre nouvelle adresse e-mail', acces: 'public', page: () => import('./pages/dossier-email-confirmation.js') },
    '/actualites/:id': { titre: 'Actualité', acces: 'prive', page: () => import('./pages/actualite.js') },
    '/demandes/nouvelle': { titre: 'Faire une nouvelle demande', acces: 'prive', page: () => import('./pages/demande-nouvelle.js') },
    '/demandes/historique': { titre: 'Historique de vos demandes et réclamations', acces: 'prive', page: () => import('./pages/demandes-historique.js') },
    '/demandes/:id': { titre: 'Votre demande', acces: 'prive', page: () => import('./pages/demande.js') },
    '/enquete-sociale/:id': { titre: 'Votre enquête', acces: 'prive', page: () => import('./pages/enquete.js') },
};

// Sub-pages light up their section of the menu (a news item is the home
// page's).
const SECTIONS = { '/actualites': '/accueil' };

function sectionDe(chemin) {
    const premier = `/${chemin.split('/')[1] || ''}`;
    return SECTIONS[premier] ?? premier;
}

// Exact routes first, then those with a numeric segment.
function trouverRoute(chemin) {
    if (ROUTES[chemin] && !chemin.includes(':')) {
        return { route: ROUTES[chemin], parametres: {} };
    }
    const segments = chemin.split('/');
    for (const [modele, route] of Object.entries(ROUTES)) {
        const parties = modele.split('/');
        if (!modele.includes(':') || parties.length !== segments.length) {
            continue;
        }
        const parametres = {};
        const correspond = parties.every((partie, i) => {
            if (partie.startsWith(':')) {
                parametres[partie.slice(1)] = segments[i];
                return /^[0-9]{1,18}$/.test(segments[i]);
            }
            return partie === segments[i];
        });
        if (correspond) {
            return { route, parametres };
        }
    }
    return null;
}
const PAGE_INTROUVABLE = { titre: 'Page introuvable', acces: 'public', page: () => import('./pages/introuvable.js') };

// The main menu, in the guide's order and spelling.
const MENU = [
    ['/accueil', 'Accueil'],
    ['/contrat', 'Contrat'],
    ['/documents', 'Documents'],
    ['/paiement', 'Paiement'],
    ['/demandes', 'Demandes'],
    ['/enquete-sociale', 'Enquête sociale'],
];

const etat = {
    session: null,        // body of GET /api/session, or null when signed out
    organisme: null,      // body.organisme of GET /api/portail
    flash: null,          // { type, texte } shown once by the next page
    routeCourante: null,  // path of the page shown
    contrat: null,        // the contract chosen (7 digits), kept in menu links
    numeroNavigation: 0,  // guards against a slow page overwriting a newer one
    premierAffichage: true,
};

// ---------------------------------------------------------------------------
// Routes

function lireHash() {
    const hash = window.location.hash.replace(/^#/, '');
    const indexQuestion = hash.indexOf('?');
    const chemin = indexQuestion === -1 ? hash : hash.slice(0, indexQuestion);
    const requete = indexQuestion === -1 ? '' : hash.slice(indexQuestion + 1);
    return { chemin: chemin.replace(/\/+$/, '') || '/', params: new URLSearchParams(requete) };
}

export function naviguer(route, { remplacer: remplacerHistorique = false } = {}) {
    const cible = `#${route}`;
    if (window.location.hash === cible) {
        afficherRoute();   // same route: show it again (e.g. after sign-out)
    } else if (remplacerHistorique) {
        window.history.replaceState(null, '', cible);
        afficherRoute();
    } else {
        window.location.hash = cible;   // hashchange → afficherRoute()
    }
}

// Where to go back after signing in: only a private route of ours, so that
// a crafted link cannot send the user anywhere else.
function retourValide(retour) {
    if (!retour) {
        return null;
    }
    const trouvee = trouverRoute(retour.split('?')[0]);
    return trouvee && trouvee.route.acces === 'prive' ? retour : null;
}

function routeParDefaut() {
    return etat.session ? '/accueil' : '/connexion';
}

async function afficherRoute() {
    const { chemin, params } = lireHash();
    if (chemin === '/') {
        naviguer(routeParDefaut(), { remplacer: true });
        return;
    }
    const trouvee = trouverRoute(chemin);
    const route = trouvee ? trouvee.route : PAGE_INTROUVABLE;
    if (route.acces === 'prive' && !etat.session) {
        etat.flash = etat.flash ?? { type: 'info', texte: 'Veuillez vous connecter pour accéder à cette page.' };
        const retour = chemin + (params.toString() ? `?${params}` : '');
        naviguer(`/connexion?retour=${encodeURIComponent(retour)}`, { remplacer: true });
        return;
    }
    if (route.acces === 'anonyme' && etat.session) {
        naviguer('/accueil', { remplacer: true });
        return;
    }

    if (route.acces === 'prive') {
        retenirContrat(params.get('contrat'));
    }

    etat.numeroNavigation += 1;
    const numero = etat.numeroNavigation;
    const main = document.getElementById('contenu');
    main.setAttribute('aria-busy', 'true');
    let contenu;
    try {
        const module = await route.page();
        contenu = await module.default(contexte(params, trouvee ? trouvee.parametres : {}));
    } catch (erreur) {
        console.error(erreur);
        contenu = pageEnErreur();
    }
    if (numero !== etat.numeroNavigation) {
        return;   // the user went elsewhere meanwhile
    }

    etat.routeCourante = chemin;
    document.title = `${contenu.dataset?.titre || route.titre} – ${NOM_PORTAIL}`;
    marquerTitreErreur(false);
    rendreEntete();
    remplacer(main, contenu);
    marquerRendu();
    main.removeAttribute('aria-busy');
    afficherFlash(main);

    // On a route change, focus goes to the page's h1: screen readers start
    // reading the new page there, keyboard users start tabbing from there.
    // Not on the first load, where the browser's own start is expected.
    window.scrollTo(0, 0);
    if (!etat.premierAffichage) {
        focaliser(main.querySelector('h1'));
    }
    etat.premierAffichage = false;
}

// The address the page shown answers (tests wait for it: a new hash is
// set before its page is built).
function marquerRendu() {
    document.getElementById('contenu').dataset.rendu = window.location.hash;
}

function afficherFlash(main) {
    if (!etat.flash) {
        return;
    }
    const { type, texte } = etat.flash;
    etat.flash = null;
    const boite = boiteMessage(type, texte);
    boite.classList.add('message--flash');
    const h1 = main.querySelector('h1');
    if (h1) {
        h1.after(boite);
    } else {
        main.prepend(boite);
    }
    annoncer(texte);
}

function pageEnErreur() {
    return h('div', { class: 'page' },
        h('h1', {}, 'La page n\'a pas pu être affichée'),
        boiteMessage('erreur', 'Une erreur est survenue pendant le chargement de cette page. Vérifiez votre connexion à internet, puis rechargez la page.'),
        h('p', {}, h('a', { href: '#/' }, 'Revenir à l\'accueil du portail')));
}

// ---------------------------------------------------------------------------
// Session

function ouvrirSession(session) {
    etat.session = session;
    definirCsrf(session && session.csrf);
}

function fermerSession() {
    etat.session = null;
    etat.contrat = null;
    definirCsrf(null);
}

function contratsDeSession() {
    return Array.isArray(etat.session?.contrats) ? etat.session.contrats : [];
}

// The contract chosen in a page's address (?contrat=2013936) is kept for
// the other pages, if it is one of the tenant's; anything else is ignored
// (the server would answer 404 anyway).
function retenirContrat(valeur) {
    if (!valeur) {
        return;
    }
    const court = numeroCourt(valeur);
    if (contratsDeSession().some((contrat) => numeroCourt(contrat.numero) === court)) {
        etat.contrat = court;
    }
}

async function seDeconnecter() {
    let message = 'Vous êtes déconnecté. À bientôt sur votre espace locataire.';
    try {
        const reponse = await envoyer('/api/deconnexion', {}, { sessionRequise: false });
        if (reponse && reponse.message) {
            message = reponse.message;
        }
    } catch (erreur) {
        // Already signed out on the server (expired), or unreachable: the
        // page forgets the session either way; the cookie is HttpOnly and
        // the server ends it at its expiry.
        if (erreur.statut !== 401) {
            message = erreur.message;
        }
    }
    fermerSession();
    etat.flash = { type: 'succes', texte: message };
    naviguer('/connexion');
}

// A 401 from any call that needed the session: back to sign-in, then back
// to the same page.  Several calls may fail together: only the first acts.
quandSessionExpiree(() => {
    const prive = ROUTES[etat.routeCourante]?.acces === 'prive';
    if (!etat.session && !prive) {
        return;
    }
    fermerSession();
    etat.flash = { type: 'attention', texte: 'Votre session a expiré. Veuillez vous reconnecter pour continuer.' };
    const { chemin, params } = lireHash();
    const retour = chemin + (params.toString() ? `?${params}` : '');
    naviguer(`/connexion?retour=${encodeURIComponent(retour)}`, { remplacer: true });
});

/**
 * What a page gets:
 *   params        URLSearchParams of the hash's query (?jeton=...)
 *   parametres    the route's numeric segments ({ id: '12' })
 *   contrats      the session's contracts (dwelling first)
 *   contrat       the contract chosen, as its 7 digits, or null: the page's
 *                 ?contrat= when it is one of the tenant's, else the one
 *                 chosen on an earlier page
 *   choisirContrat(numero)   remembers a choice made on the page (null:
 *                 all the contracts)
 *   session       GET /api/session's body (compte, contrats, csrf...) or null
 *   organisme     the office's details (may be null while loading)
 *   naviguer(route, { remplacer })
 *   ouvrirSession(session)   after a successful sign-in
 *   fermerSession()          when the server ended the session
 *   retour        where to go after signing in (validated), or null
 *   effacerJeton()  removes ?jeton=... from the address bar once used
 */
function contexte(params, parametres = {}) {
    return {
        params,
        parametres,
        contrats: contratsDeSession(),
        contrat: etat.contrat,
        choisirContrat(numero) {
            if (numero) {
                retenirContrat(numero);
            } else {
                etat.contrat = null;   // "Tous vos contrats"
            }
            rendreEntete();
        },
        session: etat.session,
        organisme: etat.organisme,
        naviguer,
        ouvrirSession,
        fermerSession,
        retour: retourValide(params.get('retour')),
        effacerJeton() {
            const { chemin } = lireHash();
            window.history.replaceState(null, '', `#${chemin}`);
            marquerRendu();
        },
        /** A message shown once by the next page (after naviguer()). */
        flash(type, texte) {
            etat.flash = { type, texte };
        },
        /**
         * Changes the address's query without showing the page again (a
         * tab chosen): the address can be bookmarked or shared as it is.
         */
        remplacerParametres(valeurs) {
            const { chemin, params: actuels } = lireHash();
            for (const [cle, valeur] of Object.entries(valeurs)) {
                if (valeur === null || valeur === undefined || valeur === '') {
                    actuels.delete(cle);
                } else {
                    actuels.set(cle, valeur);
                }
            }
            const requete = actuels.toString();
            window.history.replaceState(null, '', `#${chemin}${requete ? `?${requete}` : ''}`);
            marquerRendu();
        },
    };
}

// ---------------------------------------------------------------------------
// Shell: header and footer

function nomOrganisme() {
    return etat.organisme?.nom || 'Office Public de l\'Habitat de l\'Agglomération de La Rochelle';
}

function rendreEntete() {
    const zone = document.getElementById('entete-navigation');
    document.getElementById('marque-organisme').textContent = nomOrganisme();
    if (!etat.session) {
        zone.replaceChildren();
        zone.hidden = true;
        return;
    }
    zone.hidden = false;

    // Built once per session; only aria-current changes between pages.
    if (!zone.firstChild || zone.dataset.compte !== String(etat.session.compte?.id)) {
        zone.dataset.compte = String(etat.session.compte?.id);
        remplacer(zone, construireNavigation(), construireMenuCompte());
    }
    // The page itself is "page"; a sub-page (a request, a news item) is
    // "true": its section is current, the link does not lead to it.
    const section = sectionDe(etat.routeCourante ?? '');
    const suffixe = etat.contrat && contratsDeSession().length > 1 ? `?contrat=${etat.contrat}` : '';
    for (const lien of zone.querySelectorAll('a[data-route]')) {
        if (lien.dataset.route === etat.routeCourante) {
            lien.setAttribute('aria-current', 'page');
        } else if (lien.dataset.route === section) {
            lien.setAttribute('aria-current', 'true');
        } else {
            lien.removeAttribute('aria-current');
        }
        if (lien.dataset.contrat !== undefined) {
            lien.setAttribute('href', `#${lien.dataset.route}${suffixe}`);
        }
    }
    // A page was chosen: fold the menus (on small screens they cover it).
    for (const bouton of zone.querySelectorAll('[aria-expanded="true"]')) {
        bouton.click();
    }
}

function construireNavigation() {
    const liste = h('ul', { class: 'navigation-liste', id: 'navigation-principale' },
        MENU.map(([route, libelle]) => h('li', {},
            h('a', { href: `#${route}`, dataset: { route, contrat: '' } }, libelle))));
    const bouton = h('button', { type: 'button', class: 'bouton-menu', id: 'bouton-menu' },
        h('span', { class: 'bouton-menu-icone', 'aria-hidden': 'true' }), 'Menu');
    const nav = h('nav', { class: 'navigation', 'aria-label': 'Menu principal' }, bouton, liste);
    disclosure(bouton, liste);
    return nav;
}

function construireMenuCompte() {
    const nom = nomComplet(etat.session.compte) || etat.session.compte?.email || 'Mon compte';
    const liste = h('ul', { class: 'compte-liste', id: 'menu-compte' },
        h('li', {}, h('a', { href: '#/dossier', dataset: { route: '/dossier' } }, 'Mon dossier')),
        h('li', {}, h('button', { type: 'button', class: 'bouton-lien', onclick: seDeconnecter }, 'Se déconnecter')));
    const bouton = h('button', { type: 'button', class: 'bouton-compte', id: 'bouton-compte' },
        h('span', { class: 'sr-only' }, 'Mon compte : '), nom,
        h('span', { class: 'bouton-compte-fleche', 'aria-hidden': 'true' }));
    const bloc = h('div', { class: 'compte' }, bouton, liste);
    disclosure(bouton, liste);
    return h('nav', { class: 'menu-compte', 'aria-label': 'Mon compte' }, bloc);
}

// tel: links want the international form: "05 46 00 49 94" → +33546004994
function lienTelephone(numero) {
    const chiffres = numero.replace(/[^\d+]/g, '');
    return chiffres.startsWith('0') ? `tel:+33${chiffres.slice(1)}` : `tel:${chiffres}`;
}

function rendrePied() {
    const organisme = etat.organisme;
    const zone = document.getElementById('pied-coordonnees');
    if (!organisme) {
        return;
    }
    let site = null;
    try {
        const url = new URL(organisme.site);
        if (url.protocol === 'https:' || url.protocol === 'http:') {
            site = url;
        }
    } catch {
        site = null;
    }
    remplacer(zone,
        h('h2', { class: 'pied-titre' }, 'Pour tout renseignement, contactez-nous'),
        h('address', { class: 'pied-adresse' },
            h('p', { class: 'pied-nom' }, organisme.nom),
            organisme.adresse ? h('p', {}, organisme.adresse) : null,
            organisme.telephone ? h('p', {}, 'Téléphone : ',
                h('a', { href: lienTelephone(organisme.telephone) }, organisme.telephone)) : null,
            organisme.email ? h('p', {}, 'E-mail : ',
                h('a', { href: `mailto:${organisme.email}` }, organisme.email)) : null,
            site ? h('p', {}, 'Site internet : ',
                h('a', { href: site.href }, site.host + (site.pathname === '/' ? '' : site.pathname))) : null));
}

async function chargerOrganisme() {
    try {
        const reponse = await lire('/api/portail', { sessionRequise: false });
        etat.organisme = reponse && reponse.organisme ? reponse.organisme : null;
    } catch {
        etat.organisme = null;   // the footer keeps its static sentence
    }
    rendrePied();
    document.getElementById('marque-organisme').textContent = nomOrganisme();
}

// ---------------------------------------------------------------------------
// Start

function installerEcouteurs() {
    window.addEventListener('hashchange', () => {
        // In-page anchors (#contenu) are not routes; they are handled below
        // and never reach here, unless typed in the address bar.
        if (window.location.hash.startsWith('#/') || window.location.hash === '') {
            afficherRoute();
        }
    });
    // Skip link and other in-page links: move the focus without touching
    // the hash, which belongs to the router.
    document.addEventListener('click', (evenement) => {
        const lien = evenement.target.closest('a[href^="#"]');
        if (!lien || lien.getAttribute('href').startsWith('#/') || lien.dataset.champ) {
            return;
        }
        const cible = document.getElementById(lien.getAttribute('href').slice(1));
        if (cible) {
            evenement.preventDefault();
            focaliser(cible);
        }
    });
}

async function demarrer() {
    installerEcouteurs();
    chargerOrganisme();
    try {
        ouvrirSession(await lire('/api/session', { sessionRequise: false }));
    } catch (erreur) {
        fermerSession();
        // Signed out is the normal case (401).  A server or network failure
        // is said, so that "sign in" is not mistaken for the problem.
        if (erreur.statut === 0 || erreur.statut >= 500) {
            etat.flash = { type: 'erreur', texte: erreur.message };
        }
    }
    await afficherRoute();
}

demarrer();
