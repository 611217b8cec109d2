// What the browser tests share: Chromium (Debian's, through
// playwright-core), pages that record CSP violations and script errors,
// axe-core checks, a stand-in for the API (for the parts of the SPA the
// backend does not drive yet, or that are hard to provoke: a 401 mid-way,
// a 429, a 503), and the e-mails the SMTP sink kept.
//
// Environment (tools/browser-test exports it):
//   PORTAIL_URL       the portal, e.g. http://127.0.0.1:43219
//   PORTAIL_MAIL_DIR  the folder where tools/smtp-sink writes *.eml

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import axe from 'axe-core';

export const URL_PORTAIL = (process.env.PORTAIL_URL || '').replace(/\/+$/, '');
export const DOSSIER_COURRIELS = process.env.PORTAIL_MAIL_DIR || '';
// the card payment provider (tools/payment-sandbox)
export const URL_BAC_A_SABLE = (process.env.PORTAIL_SANDBOX_URL || 'http://127.0.0.1:8090').replace(/\/+$/, '');

if (!URL_PORTAIL) {
    throw new Error('PORTAIL_URL is not set: run these tests with tools/browser-test');
}

// The demo office's account (tools/demo-load): confirmed, co-tenant of the
// contract of client reference 7654321.
export const DEMO = { email: 'jean.martin@example.org', motDePasse: 'Portail2024!' };

// Debian's Chromium; never a downloaded one.  Without the background
// networking flags Chromium keeps trying to reach Google's hosts, which
// this machine's closed network refuses.  playwright-core gives each launch
// a fresh, temporary user-data-dir (and removes it at close).
const CHROMIUM = '/usr/bin/chromium';
const ARGUMENTS_CHROMIUM = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * One Chromium per test file, launched before its tests and closed after.
 * Returns a getter: `const navigateur = avecNavigateur(); ... navigateur()`.
 */
export function avecNavigateur() {
    let instance = null;
    before(async () => {
        instance = await chromium.launch({
            executablePath: CHROMIUM,
            headless: true,
            args: ARGUMENTS_CHROMIUM,
            timeout: 30000,
        });
    });
    after(async () => {
        if (instance) {
            await instance.close();
        }
    });
    return () => instance;
}

/**
 * A new browsing context (its own cookies) and page.  Records CSP
 * violations and uncaught script errors; `verifierPropre()` fails the test
 * if there were any.  `largeur` sets the viewport width (320 for the
 * smallest phones).
 */
export async function nouvellePage(navigateur, { largeur = 1280, hauteur = 900 } = {}) {
    const contexte = await navigateur.newContext({
        viewport: { width: largeur, height: hauteur },
        locale: 'fr-FR',
        timezoneId: 'Europe/Paris',
    });
    contexte.setDefaultTimeout(10000);
    // loading the app (index.html, its modules) waits for a machine that
    // other builds share: slow, not wrong
    contexte.setDefaultNavigationTimeout(30000);
    const page = await contexte.newPage();
    const violationsCsp = [];
    const erreursScript = [];
    page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
            violationsCsp.push(message.text());
        }
    });
    page.on('pageerror', (erreur) => erreursScript.push(String(erreur && erreur.stack || erreur)));
    return {
        page,
        contexte,
        verifierPropre() {
            assert.deepEqual(violationsCsp, [], 'the page broke its Content-Security-Policy');
            assert.deepEqual(erreursScript, [], 'the page threw script errors');
        },
        async fermer() {
            await contexte.close();
        },
    };
}

/**
 * Waits until the router has shown the page of the current address (its
 * h1 is there, main not busy, and main says which address it shows: a new
 * hash is set before its page is built, so the previous page would do).
 */
export async function attendrePage(page) {
    await page.waitForFunction(() => {
        const main = document.getElementById('contenu');
        return main && !main.hasAttribute('aria-busy') && main.querySelector('h1')
            && main.dataset.rendu === window.location.hash;
    });
}

/** Opens a route ('/connexion', '/inscription/confirmation?jeton=x'). */
export async function ouvrir(page, route) {
    await page.goto(`${URL_PORTAIL}/#${route}`);
    await attendrePage(page);
}

/** The route shown, e.g. '/connexion?retour=%2Fdocuments'. */
export async function routeCourante(page) {
    return page.evaluate(() => window.location.hash.replace(/^#/, ''));
}

/** Waits for the hash to become `route` (exact, or a RegExp). */
export async function attendreRoute(page, route) {
    const attendu = route instanceof RegExp ? { source: route.source, flags: route.flags } : route;
    await page.waitForFunction((attendu) => {
        const hash = window.location.hash.replace(/^#/, '');
        return typeof attendu === 'string' ? hash === attendu : new RegExp(attendu.source, attendu.flags).test(hash);
    }, attendu);
    await attendrePage(page);
}

/**
 * Runs axe-core on the page with WCAG 2.1 A and AA rules and fails with a
 * readable list if anything is found.  axe is injected through the
 * DevTools protocol, which the page's CSP does not govern.
 */
export async function verifierAccessibilite(page, quoi) {
    const present = await page.evaluate(() => typeof window.axe === 'object');
    if (!present) {
        await page.evaluate(axe.source);
    }
    const resultats = await page.evaluate(async (etiquettes) => window.axe.run(document, {
        runOnly: { type: 'tag', values: etiquettes },
        resultTypes: ['violations'],
    }), WCAG);
    const lignes = resultats.violations.map((violation) => [
        `- ${violation.id} (${violation.impact}): ${violation.help}`,
        ...violation.nodes.slice(0, 5).map((noeud) => `    ${noeud.target.join(' ')}\n      ${noeud.failureSummary.replace(/\n/g, '\n      ')}`),
    ].join('\n'));
    assert.equal(resultats.violations.length, 0, `axe found WCAG 2.1 AA violations on ${quoi}:\n${lignes.join('\n')}`);
}

/** The page must not scroll sideways (320 px wide: RGAA 10.11 / WCAG 1.4.10). */
export async function verifierSansDefilementHorizontal(page, quoi) {
    const mesures = await page.evaluate(() => ({
        contenu: document.documentElement.scrollWidth,
        fenetre: document.documentElement.clientWidth,
    }));
    assert.ok(mesures.contenu <= mesures.fenetre,
        `${quoi} scrolls horizontally: ${mesures.contenu}px of content in ${mesures.fenetre}px`);
}

/**
 * A form field by its visible label.  Required fields' labels end with an
 * asterisk hidden from assistive technologies, which Playwright's exact
 * getByLabel would still see: this matches the label with or without it.
 */
export function champ(page, libelle) {
    const echappe = libelle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return page.getByLabel(new RegExp(`^\\s*${echappe}\\s*\\*?\\s*$`));
}

/** The document's title, the single h1's text, and the page's field labels. */
export async function decrirePage(page) {
    return page.evaluate(() => ({
        titre: document.title,
        h1: [...document.querySelectorAll('h1')].map((h1) => h1.textContent.trim()),
        libelles: [...document.querySelectorAll('main label')].map((label) => label.textContent.replace(/\s+/g, ' ').replace(/\s*\*$/, '').trim()),
        lang: document.documentElement.lang,
    }));
}

// ---------------------------------------------------------------------------
// The backend

/**
 * Fails, loudly, when the backend does not have a route yet.  The router
 * answers a path it has with 405 to a method it lacks, and a path it does
 * not have with 404 "introuvable": a GET tells which, without side effects
 * (no sign-in attempt counted, no mail sent).
 */
export async function exigerApi(...chemins) {
    const manquants = [];
    for (const chemin of chemins) {
        let reponse;
        try {
            reponse = await fetch(`${URL_PORTAIL}${chemin}`, { headers: { Accept: 'application/json' } });
        } catch (erreur) {
            assert.fail(`the portal does not answer at ${URL_PORTAIL}: ${erreur.message}`);
        }
        if (reponse.status === 404) {
            manquants.push(chemin);
        }
    }
    assert.deepEqual(manquants, [],
        `the backend lacks ${manquants.join(', ')} (404): this flow needs the API of issue #4`);
}

// ---------------------------------------------------------------------------
// The database: accounts and sessions made directly, as t/lib/Portail/Test.pm
// does, so that each test makes what it needs without going through
// registration (argon2id, throttling) again.

// tools/browser-test's database; against a running portal
// (PORTAIL_BROWSER_URL), the database libpq's environment names.
const BASE = process.env.PORTAIL_BROWSER_URL ? (process.env.PGDATABASE || 'portail') : 'portail_browser';
const SUPERUTILISATEUR = process.env.TEST_PORTAIL_PG_SUPERUSER || process.env.PGUSER || 'postgres';

/**
 * Runs SQL as the schema's owner and returns the rows, each an array of
 * text values (NULL as null).  Parameters are psql variables, quoted by
 * psql: sql("SELECT id FROM portail.compte WHERE email = :'email'",
 * { email: 'x@example.org' }).
 */
export function sql(requete, variables = {}) {
    const arguments_ = ['-X', '-q', '-A', '-t', '-F', '\x1f', '-v', 'ON_ERROR_STOP=1', '-P', 'null=\x1e',
        '-U', SUPERUTILISATEUR, '-d', BASE];
    for (const [nom, valeur] of Object.entries(variables)) {
        arguments_.push('-v', `${nom}=${valeur}`);
    }
    return new Promise((resolve, reject) => {
        // Through stdin: psql interpolates :'variables' there, not in -c.
        const processus = execFile('psql', arguments_, { encoding: 'utf8' }, (erreur, sortie, erreurs) => {
            if (erreur) {
                reject(new Error(`psql: ${erreurs || erreur.message}\n${requete}`));
                return;
            }
            resolve(sortie.split('\n').filter((ligne) => ligne !== '')
                .map((ligne) => ligne.split('\x1f').map((valeur) => (valeur === '\x1e' ? null : valeur))));
        });
        processus.stdin.end(`${requete};\n`);
    });
}

/** The first column of the first row, or null. */
export async function valeurSql(requete, variables = {}) {
    const lignes = await sql(requete, variables);
    return lignes.length ? lignes[0][0] : null;
}

/**
 * A confirmed account for a signatory of the demo office (client
 * reference, first name), with Jean MARTIN's password (DEMO.motDePasse).
 * Made again if it exists (a second run against the same database).
 * Returns { email, motDePasse, id }.
 */
export async function creerCompte({ reference, prenom, email }) {
    const id = await valeurSql(`
        INSERT INTO portail.compte (personne_id, email, mot_de_passe_hash, confirme_le)
        SELECT p.id, lower(:'email'),
               (SELECT mot_de_passe_hash FROM portail.compte WHERE email = 'jean.martin@example.org'), now()
          FROM portail.personne p JOIN portail.tiers t ON t.id = p.tiers_id
         WHERE t.reference_client = :'reference' AND p.prenom = :'prenom'
        ON CONFLICT (personne_id) DO UPDATE
           SET email = EXCLUDED.email, mot_de_passe_hash = EXCLUDED.mot_de_passe_hash,
               confirme_le = greatest(now(), portail.compte.cree_le), echecs_connexion = 0, bloque_jusqu_a = NULL
        RETURNING id`, { email, reference, prenom });
    assert.ok(id, `no signatory ${prenom} for the client reference ${reference} in the demo data`);
    return { email: email.toLowerCase(), motDePasse: DEMO.motDePasse, id: Number(id) };
}

/**
 * Signs a browsing context in as `email` without the sign-in form: a
 * session row (its token's SHA-256, as the module keeps it) and the
 * cookie.  Pages opened after it are signed in.
 */
export async function ouvrirSession(contexte, email) {
    const jeton = randomBytes(32);
    const empreinte = createHash('sha256').update(jeton).digest('hex');
    const id = await valeurSql(`
        INSERT INTO portail.session (compte_id, jeton_hash, expire_le, inactivite, se_souvenir)
        SELECT id, decode(:'empreinte', 'hex'), now() + interval '12 hours', interval '2 hours', false
          FROM portail.compte WHERE email = lower(:'email')
        RETURNING id`, { empreinte, email });
    assert.ok(id, `no account ${email}`);
    await contexte.addCookies([{
        name: 'portail_session', value: jeton.toString('base64url'), url: URL_PORTAIL, httpOnly: true, sameSite: 'Lax',
    }]);
}

/** A test file of t/browser/fixtures. */
export function fixture(nom) {
    return fileURLToPath(new URL(`../fixtures/${nom}`, import.meta.url));
}

/**
 * Waits for the outcome of a form: `succes` (a locator) appearing, or an
 * error shown by the SPA, in which case the test fails with that error's
 * text and `contexte` (what to check).
 */
export async function attendreIssue(page, succes, contexte) {
    const erreur = page.locator('main .resume-erreurs:not([hidden]), main .zone-message .message--erreur, main .resultat .message--erreur, main .erreur-chargement');
    await succes.or(erreur).first().waitFor({ timeout: 20000 });
    if (await erreur.count() && !(await succes.count())) {
        assert.fail(`${contexte}: the page shows "${(await erreur.first().innerText()).replace(/\s+/g, ' ')}"`);
    }
}

/** Signs in through the form (then waits for the home page). */
export async function seConnecter(page, email, motDePasse) {
    await champ(page, 'Votre identifiant').fill(email);
    await champ(page, 'Votre mot de passe').fill(motDePasse);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await attendreIssue(page, page.getByRole('navigation', { name: 'Menu principal' }), `sign-in of ${email} refused`);
    await attendreRoute(page, /^\/accueil/);
}

/** Signs out through the account menu. */
export async function seDeconnecter(page) {
    await page.getByRole('button', { name: /^Mon compte/ }).click();
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await attendreRoute(page, '/connexion');
}

/** The element that has the focus: "TAG:text", or "TAG#id" for a field. */
export async function actif(page) {
    return page.evaluate(() => {
        const el = document.activeElement;
        const texte = (el.textContent || '').replace(/\s+/g, ' ').trim();
        return texte && !el.matches('input, select, textarea') ? `${el.tagName}:${texte}` : `${el.tagName}#${el.id}`;
    });
}

/** axe at 1280 px, then at 320 px with no sideways scrolling, then back. */
export async function verifierLargeurs(page, quoi) {
    await verifierAccessibilite(page, quoi);
    const taille = page.viewportSize();
    await page.setViewportSize({ width: 320, height: 700 });
    await verifierSansDefilementHorizontal(page, `${quoi} at 320 px`);
    await verifierAccessibilite(page, `${quoi} at 320 px`);
    await page.setViewportSize(taille);
}

// ---------------------------------------------------------------------------
// A stand-in for the API

/**
 * Answers the page's /api/ calls from `reponses`, keyed 'METHOD /api/path'
 * (query string ignored).  A value is { status, body, headers } or a
 * function (requete, numero) returning one (numero counts the calls of that
 * key, from 1).  Unlisted calls get the API's own 404.  Returns the list of
 * calls made: { cle, methode, chemin, entetes, corps }.
 */
export async function simulerApi(page, reponses) {
    const appels = [];
    const compteurs = new Map();
    await page.route(`${URL_PORTAIL}/api/**`, async (route) => {
        const requete = route.request();
        const url = new URL(requete.url());
        const cle = `${requete.method()} ${url.pathname}`;
        let corps = null;
        try {
            corps = requete.postData() ? JSON.parse(requete.postData()) : null;
        } catch {
            corps = requete.postData();
        }
        const appel = { cle, methode: requete.method(), chemin: url.pathname, entetes: await requete.allHeaders(), corps };
        appels.push(appel);
        compteurs.set(cle, (compteurs.get(cle) || 0) + 1);
        let reponse = reponses[cle];
        if (typeof reponse === 'function') {
            reponse = await reponse(appel, compteurs.get(cle));
        }
        if (!reponse) {
            reponse = { status: 404, body: { error: 'introuvable', message: 'La ressource demandée n\'existe pas.' } };
        }
        await route.fulfill({
            status: reponse.status ?? 200,
            headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...(reponse.headers || {}) },
            body: reponse.body === undefined ? '' : JSON.stringify(reponse.body),
        });
    });
    return appels;
}

// The contract's examples (issue #4), for the stand-in.
export const ORGANISME = {
    organisme: {
        nom: 'Office Public de l\'Habitat de l\'Agglomération de La Rochelle',
        telephone: '05 46 00 49 94',
        email: 'contact@office-agglo-larochelle.fr',
        adresse: '2 avenue de Varsovie, CS10555, 17023 La Rochelle Cedex 1',
        site: 'https://www.office-agglo-larochelle.fr',
    },
};

export const SESSION_JEAN = {
    compte: { id: 1, email: 'jean.martin@example.org', civilite: 'M.', prenom: 'Jean', nom: 'MARTIN' },
    contrats: [
        { numero: 'L/2013937', nature: 'logement', adresse: '12 rue des Gabares, 17000 La Rochelle' },
        { numero: 'L/2013938', nature: 'stationnement', adresse: '12 rue des Gabares, 17000 La Rochelle' },
    ],
    csrf: 'csrf-de-test-0123456789',
    se_souvenir: false,
};

export const NON_AUTHENTIFIE = {
    status: 401,
    body: { error: 'non_authentifie', message: 'Vous devez vous connecter pour accéder à cette page.' },
};

// ---------------------------------------------------------------------------
// E-mails kept by tools/smtp-sink

function decoderQuotedPrintable(texte) {
    const sansCoupures = texte.replace(/=\r?\n/g, '');
    const octets = [];
    for (let i = 0; i < sansCoupures.length; i += 1) {
        const c = sansCoupures[i];
        if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(sansCoupures.slice(i + 1, i + 3))) {
            octets.push(parseInt(sansCoupures.slice(i + 1, i + 3), 16));
            i += 2;
        } else {
            octets.push(sansCoupures.charCodeAt(i) & 0xff);
        }
    }
    return Buffer.from(octets);
}

function lireEntetes(bloc) {
    const entetes = new Map();
    for (const ligne of bloc.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
        const deuxPoints = ligne.indexOf(':');
        if (deuxPoints > 0) {
            const nom = ligne.slice(0, deuxPoints).trim().toLowerCase();
            const valeur = ligne.slice(deuxPoints + 1).trim();
            entetes.set(nom, entetes.has(nom) ? `${entetes.get(nom)}, ${valeur}` : valeur);
        }
    }
    return entetes;
}

function parametre(entete, nom) {
    const trouve = new RegExp(`${nom}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(entete || '');
    return trouve ? (trouve[1] ?? trouve[2]) : null;
}

// A MIME entity (given as a latin1 string: one char per byte) → the text
// of its text/* parts, decoded (transfer encoding, then charset).
function textesMime(brut) {
    const separation = /\r?\n\r?\n/.exec(brut);
    const entetes = lireEntetes(separation ? brut.slice(0, separation.index) : brut);
    const corps = separation ? brut.slice(separation.index + separation[0].length) : '';
    const type = entetes.get('content-type') || 'text/plain';
    if (/^multipart\//i.test(type)) {
        const frontiere = parametre(type, 'boundary');
        if (!frontiere) {
            return [];
        }
        const echappee = frontiere.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const parties = corps.split(new RegExp(`\\r?\\n?--${echappee}(?:--)?[ \\t]*\\r?\\n?`));
        return parties.filter((partie) => partie.trim() !== '').flatMap(textesMime);
    }
    if (!/^text\//i.test(type)) {
        return [];
    }
    const encodage = (entetes.get('content-transfer-encoding') || '7bit').toLowerCase();
    let octets;
    if (encodage === 'quoted-printable') {
        octets = decoderQuotedPrintable(corps);
    } else if (encodage === 'base64') {
        octets = Buffer.from(corps.replace(/\s+/g, ''), 'base64');
    } else {
        octets = Buffer.from(corps, 'latin1');
    }
    const jeu = (parametre(type, 'charset') || 'utf-8').toLowerCase();
    return [new TextDecoder(jeu).decode(octets)];
}

/** Decodes a message file's content: its headers and the text of its parts. */
export function decoderCourriel(contenu) {
    const brut = Buffer.isBuffer(contenu) ? contenu.toString('latin1') : contenu;
    const separation = /\r?\n\r?\n/.exec(brut);
    return {
        entetes: lireEntetes(separation ? brut.slice(0, separation.index) : brut),
        texte: textesMime(brut).join('\n'),
    };
}

/** Names of the kept messages, newest first (names start with time_ns). */
async function fichiersCourriels() {
    const noms = (await readdir(DOSSIER_COURRIELS)).filter((nom) => nom.endsWith('.eml') && !nom.startsWith('.'));
    return noms.sort().reverse();
}

/** Marks "now" in the mail folder: only messages after it count. */
export async function reperageCourriels() {
    assert.ok(DOSSIER_COURRIELS, 'PORTAIL_MAIL_DIR is not set');
    const noms = await fichiersCourriels();
    return new Set(noms);
}

/**
 * Waits (up to `delai` ms) for the newest message to `destinataire` that was
 * not in `dejaLa` (a reperageCourriels() result), and returns it decoded:
 * { fichier, entetes, texte }.
 */
export async function attendreCourriel(destinataire, { dejaLa = new Set(), delai = 10000 } = {}) {
    assert.ok(DOSSIER_COURRIELS, 'PORTAIL_MAIL_DIR is not set');
    const fin = Date.now() + delai;
    const cible = destinataire.toLowerCase();
    for (;;) {
        for (const nom of await fichiersCourriels()) {
            if (dejaLa.has(nom)) {
                continue;
            }
            const message = decoderCourriel(await readFile(path.join(DOSSIER_COURRIELS, nom)));
            const pour = (message.entetes.get('x-envelope-to') || '').toLowerCase().split(/\s*,\s*/);
            if (pour.includes(cible)) {
                return { fichier: nom, ...message };
            }
        }
        if (Date.now() > fin) {
            assert.fail(`no e-mail to ${destinataire} arrived in ${DOSSIER_COURRIELS} within ${delai / 1000} s`);
        }
        await new Promise((resolve) => { setTimeout(resolve, 200); });
    }
}

/**
 * The link of an e-mail to a route of the SPA ('/inscription/confirmation'):
 * { url, route } where route is what follows the '#', e.g.
 * '/inscription/confirmation?jeton=...'.
 */
export function extraireLien(texte, chemin) {
    const echappe = chemin.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    const trouve = new RegExp(`(https?://[^\\s"'<>#]*)?#(${echappe}\\?jeton=[A-Za-z0-9_\\-.~%]+)`).exec(texte);
    assert.ok(trouve, `no link to #${chemin}?jeton=... in the e-mail:\n${texte.slice(0, 2000)}`);
    return { url: trouve[0], route: trouve[2], base: trouve[1] || null };
}
