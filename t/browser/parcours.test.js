// The flows of issue #4 end to end: the SPA, the module, PostgreSQL and
// the e-mails (tools/smtp-sink), as a tenant goes through them.  They need
// the backend and the demo office's data; without them they fail with a
// message saying what is missing (never skipped).
//
// Order matters within this file (node:test runs its tests one after the
// other): Marie DUPONT registers, then resets her password.  Jean MARTIN,
// the demo account, signs in with and without "Souviens-toi de moi".
// Failed sign-ins are kept to two (one per account): the server throttles
// them per account and per address.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    avecNavigateur, nouvellePage, champ, ouvrir, attendreRoute, verifierAccessibilite, verifierSansDefilementHorizontal,
    exigerApi, reperageCourriels, attendreCourriel, extraireLien, routeCourante, URL_PORTAIL, DEMO,
} from './lib/portail.js';

const navigateur = avecNavigateur();

const API = ['/api/session', '/api/connexion', '/api/deconnexion', '/api/inscription', '/api/inscription/confirmation',
    '/api/mot-de-passe/oubli', '/api/mot-de-passe/reinitialisation', '/api/identifiants/oubli'];

// A new address at each run: the database is new too, but a developer may
// run this file against `make run`'s (PORTAIL_URL=...).
// Passwords of our own making: the server refuses common ones.
const NUMERO = String(Date.now() % 1000000).padStart(6, '0');
const MARIE = {
    nom: 'Dupont',
    reference: '1234567',
    email: `marie.dupont.${NUMERO}@example.org`,
    motDePasse: `Tour-Lanterne-${NUMERO}`,
    nouveauMotDePasse: `Quai des Minimes ${NUMERO}!`,
};

/**
 * Waits for the outcome of a form: `succes` (a locator) appearing, or an
 * error shown by the SPA, in which case the test fails with that error's
 * text and `contexte` (what to check).
 */
async function attendreIssue(page, succes, contexte) {
    const erreur = page.locator('main .resume-erreurs:not([hidden]), main .zone-message .message, main .resultat .message--erreur');
    await succes.or(erreur).first().waitFor({ timeout: 15000 });
    if (await erreur.count() && !(await succes.count())) {
        assert.fail(`${contexte}: the page shows "${(await erreur.first().innerText()).replace(/\s+/g, ' ')}"`);
    }
}

async function seConnecter(page, email, motDePasse, { seSouvenir = false } = {}) {
    await champ(page, 'Votre identifiant').fill(email);
    await champ(page, 'Votre mot de passe').fill(motDePasse);
    if (seSouvenir) {
        await page.getByLabel('Souviens-toi de moi').check();
    }
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await attendreIssue(page, page.getByRole('navigation', { name: 'Menu principal' }),
        `sign-in of ${email} refused (is the demo data loaded: tools/demo-load?)`);
    await attendreRoute(page, /^\/accueil/);
}

async function seDeconnecter(page) {
    await page.getByRole('button', { name: /^Mon compte/ }).click();
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await attendreRoute(page, '/connexion');
}

/** GET /api/session from the page (its cookies): [status, body]. */
async function sessionServeur(page) {
    return page.evaluate(async () => {
        const reponse = await fetch('/api/session', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
        return [reponse.status, await reponse.json().catch(() => null)];
    });
}

/**
 * The session cookie.  The portal sets two cookies, both HttpOnly, none
 * readable by the page: the session, and the device cookie that keeps a
 * known browser in while the account is under attack from elsewhere.
 */
async function cookieSession(contexte) {
    const cookies = await contexte.cookies(URL_PORTAIL);
    assert.deepEqual(cookies.filter((cookie) => !cookie.httpOnly), [], 'no cookie the page can read');
    const session = cookies.filter((cookie) => cookie.name === 'portail_session');
    assert.equal(session.length, 1, `one session cookie, got ${JSON.stringify(cookies)}`);
    const appareil = cookies.filter((cookie) => cookie.name === 'portail_appareil');
    assert.equal(appareil.length, 1, 'and the device cookie');
    assert.equal(appareil[0].sameSite, 'Strict', 'the device cookie is SameSite=Strict');
    assert.equal(cookies.length, 2, `nothing else: ${JSON.stringify(cookies)}`);
    return session[0];
}

describe('flows with the backend (issue #4)', () => {
    it('Marie DUPONT registers, confirms from the e-mail, signs in, sees her name, signs out', async () => {
        await exigerApi(...API);
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            const dejaLa = await reperageCourriels();
            await ouvrir(page, '/inscription');
            await champ(page, 'Nom').fill(MARIE.nom);
            await champ(page, 'Référence client').fill(MARIE.reference);
            await champ(page, 'E-mail').fill(MARIE.email);
            await champ(page, 'Mot de passe').fill(MARIE.motDePasse);
            await champ(page, 'Confirmation du mot de passe').fill(MARIE.motDePasse);
            await page.getByRole('button', { name: 'Créer mon compte' }).click();
            const panneau = page.locator('.panneau-resultat');
            await attendreIssue(page, panneau, 'registration of Marie DUPONT refused');
            const message = await panneau.innerText();
            assert.match(message, /lien de confirmation/i, 'the server\'s message is shown');
            assert.match(message, /24 heures/);

            // the confirmation e-mail and its link
            const courriel = await attendreCourriel(MARIE.email, { dejaLa });
            const lien = extraireLien(courriel.texte, '/inscription/confirmation');
            assert.match(lien.base || '', /^https?:\/\/[^/]+/, `the link is absolute: ${lien.url}`);

            await ouvrir(page, lien.route);
            const resultat = page.locator('main .resultat .message');
            await attendreIssue(page, page.locator('main .resultat .message--succes'), 'confirmation refused');
            assert.equal(await routeCourante(page), '/inscription/confirmation', 'the used token leaves the address bar');
            await verifierAccessibilite(page, 'confirmation succeeded (real server)');
            assert.ok((await resultat.innerText()).length > 0);
            await page.getByRole('link', { name: 'Se connecter' }).click();
            await attendreRoute(page, '/connexion');

            await seConnecter(page, MARIE.email, MARIE.motDePasse);
            const compte = page.getByRole('button', { name: /^Mon compte/ });
            assert.match(await compte.innerText(), /Marie/);
            assert.match(await compte.innerText(), /DUPONT/i);
            assert.match(await page.locator('main').innerText(), /L\/2013936/, 'her dwelling contract');
            await verifierAccessibilite(page, 'the signed-in layout (real server)');
            await page.setViewportSize({ width: 320, height: 700 });
            await verifierSansDefilementHorizontal(page, 'the signed-in layout at 320 px (real server)');
            await page.setViewportSize({ width: 1280, height: 900 });
            const [statut, session] = await sessionServeur(page);
            assert.equal(statut, 200);
            assert.equal(session.compte.email, MARIE.email);

            await seDeconnecter(page);
            assert.ok(await page.locator('main .message--succes').count(), 'sign-out says so');
            assert.equal((await sessionServeur(page))[0], 401, 'the session is closed on the server');

            // the link is single use
            await ouvrir(page, lien.route);
            await page.locator('main .resultat .message--erreur').waitFor();
            assert.equal(await page.getByRole('link', { name: 'Vous inscrire à nouveau' }).count(), 1);
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('Marie forgets her password: link from the e-mail, new password, signs in with it', async () => {
        await exigerApi(...API);
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            const dejaLa = await reperageCourriels();
            await ouvrir(page, '/connexion');
            await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
            await attendreRoute(page, '/mot-de-passe/oubli');
            await champ(page, 'E-mail').fill(MARIE.email);
            await page.getByRole('button', { name: 'Recevoir le lien' }).click();
            await attendreIssue(page, page.locator('.panneau-resultat'), 'forgotten password refused');

            const courriel = await attendreCourriel(MARIE.email, { dejaLa });
            const lien = extraireLien(courriel.texte, '/mot-de-passe/reinitialisation');
            await ouvrir(page, lien.route);
            await champ(page, 'Nouveau mot de passe').fill(MARIE.nouveauMotDePasse);
            await champ(page, 'Confirmation du nouveau mot de passe').fill(MARIE.nouveauMotDePasse);
            await verifierAccessibilite(page, 'the reset form (real server)');
            await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
            await attendreIssue(page, page.locator('.panneau-resultat'), 'reset refused');
            await page.getByRole('link', { name: 'Se connecter' }).click();
            await attendreRoute(page, '/connexion');

            // the old password is refused (Marie's only failed sign-in)
            await champ(page, 'Votre identifiant').fill(MARIE.email);
            await champ(page, 'Votre mot de passe').fill(MARIE.motDePasse);
            await page.getByRole('button', { name: 'Se connecter' }).click();
            await page.locator('#connexion .zone-message .message').waitFor();

            await seConnecter(page, MARIE.email, MARIE.nouveauMotDePasse);
            await seDeconnecter(page);
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('"Souviens-toi de moi" gives a persistent cookie; without it, a session cookie', async () => {
        await exigerApi(...API);
        for (const seSouvenir of [true, false]) {
            const onglet = await nouvellePage(navigateur());
            const { page } = onglet;
            try {
                await ouvrir(page, '/connexion');
                await seConnecter(page, DEMO.email, DEMO.motDePasse, { seSouvenir });
                const cookie = await cookieSession(onglet.contexte);
                if (seSouvenir) {
                    assert.ok(cookie.expires > Date.now() / 1000 + 3600,
                        `a remembered session outlives the browser: expires ${new Date(cookie.expires * 1000).toISOString()}`);
                } else {
                    assert.equal(cookie.expires, -1, 'a session cookie (no Expires/Max-Age)');
                }
                assert.equal(cookie.sameSite === 'Strict' || cookie.sameSite === 'Lax', true, `SameSite: ${cookie.sameSite}`);
                const [statut, session] = await sessionServeur(page);
                assert.equal(statut, 200);
                assert.equal(session.se_souvenir, seSouvenir);
                assert.match(await page.getByRole('button', { name: /^Mon compte/ }).innerText(), /Jean/);
                await seDeconnecter(page);
                onglet.verifierPropre();
            } finally {
                await onglet.fermer();
            }
        }
    });

    it('a wrong password shows the server\'s message and opens no session', async () => {
        await exigerApi(...API);
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await ouvrir(page, '/connexion');
            await champ(page, 'Votre identifiant').fill(DEMO.email);
            await champ(page, 'Votre mot de passe').fill('PasLeBon99!');
            const reponse = page.waitForResponse((r) => r.url().endsWith('/api/connexion'));
            await page.getByRole('button', { name: 'Se connecter' }).click();
            const corps = await (await reponse).json();
            assert.equal(corps.error, 'identifiants_invalides');
            const alerte = page.locator('#connexion .zone-message');
            await alerte.locator('.message').waitFor();
            assert.match(await alerte.innerText(), new RegExp(corps.message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
            assert.equal(await routeCourante(page), '/connexion');
            assert.equal((await onglet.contexte.cookies(URL_PORTAIL)).filter((c) => c.httpOnly).length, 0, 'no session cookie');
            await verifierAccessibilite(page, 'sign-in refused (real server)');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });
});
