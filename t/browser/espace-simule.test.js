// The SPA against a stand-in of the API (the contract of issue #4): the
// signed-in layout, its menus with the keyboard, what is sent (JSON, the
// CSRF header), and how each answer of the contract is shown, including
// those the real server gives rarely (401 in the middle of a session, 429,
// 503, a network failure).  The static files are the real server's.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    avecNavigateur, nouvellePage, champ, ouvrir, attendreRoute, attendrePage, verifierAccessibilite,
    verifierSansDefilementHorizontal, simulerApi, routeCourante, ORGANISME, SESSION_JEAN, NON_AUTHENTIFIE,
} from './lib/portail.js';

const navigateur = avecNavigateur();

const MENU = ['Accueil', 'Contrat', 'Documents', 'Paiement', 'Demandes', 'Enquête sociale'];

// The home page's summary of SESSION_JEAN's contracts (GET /api/accueil).
const ACCUEIL = {
    contrats: SESSION_JEAN.contrats.map((contrat) => ({
        ...contrat, solde_cents: 0, solde_au: '2026-11-02T05:00:00+01:00', prochaine_echeance: null,
    })),
    demandes: { ouvertes: 0, dernieres: [] },
    enquete: null,
    actualites: [],
};

// Signed in as Jean MARTIN from the start (and signing in again works).
// The sections' own calls are not stood in for: they show their loading
// error, which the layout tests do not look at.
function apiConnecte(autres = {}) {
    return {
        'GET /api/portail': { body: ORGANISME },
        'GET /api/session': { body: SESSION_JEAN },
        'POST /api/connexion': { body: SESSION_JEAN },
        'GET /api/accueil': { body: ACCUEIL },
        ...autres,
    };
}

// Signed out; POST /api/connexion signs in as Jean.
function apiDeconnecte(autres = {}) {
    return {
        'GET /api/portail': { body: ORGANISME },
        'GET /api/session': NON_AUTHENTIFIE,
        'POST /api/connexion': { body: SESSION_JEAN },
        ...autres,
    };
}

async function actif(page) {
    return page.evaluate(() => {
        const el = document.activeElement;
        return `${el.tagName}:${(el.textContent || '').trim()}`;
    });
}

async function seConnecter(page, { email = 'jean.martin@example.org', motDePasse = 'Portail2024!', seSouvenir = false } = {}) {
    await champ(page, 'Votre identifiant').fill(email);
    await champ(page, 'Votre mot de passe').fill(motDePasse);
    if (seSouvenir) {
        await page.getByLabel('Souviens-toi de moi').check();
    }
    await page.getByRole('button', { name: 'Se connecter' }).click();
}

describe('signed-in layout', () => {
    it('header, menu in the guide\'s order, account menu, footer; WCAG 2.1 AA', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await simulerApi(page, apiConnecte());
            await ouvrir(page, '/accueil');
            assert.equal(await page.title(), 'Accueil – Portail locataire');
            const entete = page.getByRole('banner');
            assert.match(await entete.innerText(), /Office Public de l'Habitat de l'Agglomération de La Rochelle/);
            const menu = page.getByRole('navigation', { name: 'Menu principal' });
            assert.deepEqual(await menu.getByRole('link').allInnerTexts(), MENU);
            assert.equal(await menu.getByRole('link', { name: 'Accueil' }).getAttribute('aria-current'), 'page');
            const compte = page.getByRole('button', { name: 'Mon compte : M. Jean MARTIN' });
            assert.equal(await compte.getAttribute('aria-expanded'), 'false');
            assert.match(await page.locator('main').innerText(), /Bonjour M\. Jean MARTIN/);
            assert.match(await page.locator('main').innerText(), /Contrat n° L\/2013937/);
            assert.match(await page.getByRole('contentinfo').innerText(), /05 46 00 49 94/);
            await verifierAccessibilite(page, 'the signed-in home page');

            await compte.click();
            assert.equal(await compte.getAttribute('aria-expanded'), 'true');
            const menuCompte = page.getByRole('navigation', { name: 'Mon compte' });
            assert.ok(await menuCompte.getByRole('link', { name: 'Mon dossier' }).isVisible());
            assert.ok(await menuCompte.getByRole('button', { name: 'Se déconnecter' }).isVisible());
            await verifierAccessibilite(page, 'the account menu, open');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('each section has its real title, the focus on its h1, its menu link current', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await simulerApi(page, apiConnecte());
            await ouvrir(page, '/accueil');
            const titres = {
                Contrat: 'Votre contrat', Documents: 'Vos documents', Paiement: 'Paiements',
                Demandes: 'Vos demandes en cours', 'Enquête sociale': 'Enquête sociale',
            };
            for (const [lien, titre] of Object.entries(titres)) {
                await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: lien }).click();
                await page.waitForFunction((t) => document.querySelector('main h1')?.textContent === t, titre);
                await attendrePage(page);
                assert.equal(await page.title(), `${titre} – Portail locataire`);
                assert.equal(await actif(page), `H1:${titre}`, 'focus moved to the new h1');
                assert.equal(await page.getByRole('link', { name: lien, exact: true }).getAttribute('aria-current'), 'page');
                await verifierAccessibilite(page, titre);
            }
            await page.getByRole('button', { name: /Mon compte/ }).click();
            await page.getByRole('link', { name: 'Mon dossier' }).click();
            await attendreRoute(page, '/dossier');
            assert.equal(await page.locator('main h1').textContent(), 'Mon dossier');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('320 px: the menu is a disclosure button, usable with the keyboard; no sideways scrolling', async () => {
        const onglet = await nouvellePage(navigateur(), { largeur: 320, hauteur: 700 });
        const { page } = onglet;
        try {
            await simulerApi(page, apiConnecte());
            await ouvrir(page, '/accueil');
            await verifierSansDefilementHorizontal(page, 'the signed-in layout at 320 px');
            const bouton = page.getByRole('button', { name: 'Menu' });
            assert.equal(await bouton.getAttribute('aria-expanded'), 'false');
            assert.equal(await page.getByRole('link', { name: 'Documents' }).count(), 0, 'links folded away');

            await bouton.focus();
            await page.keyboard.press('Enter');
            assert.equal(await bouton.getAttribute('aria-expanded'), 'true');
            await verifierAccessibilite(page, 'the open menu at 320 px');
            await verifierSansDefilementHorizontal(page, 'the open menu at 320 px');
            // Tab goes through the links in order
            for (const libelle of MENU) {
                await page.keyboard.press('Tab');
                assert.equal(await actif(page), `A:${libelle}`);
            }
            // Escape folds the menu and gives the focus back to its button
            await page.keyboard.press('Escape');
            assert.equal(await bouton.getAttribute('aria-expanded'), 'false');
            assert.equal(await actif(page), 'BUTTON:Menu');

            // Space opens it too; choosing a page folds it and focuses the h1
            await page.keyboard.press(' ');
            assert.equal(await bouton.getAttribute('aria-expanded'), 'true');
            await page.keyboard.press('Tab');
            await page.keyboard.press('Tab');
            assert.equal(await actif(page), 'A:Contrat');
            await page.keyboard.press('Enter');
            await attendreRoute(page, '/contrat');
            assert.equal(await actif(page), 'H1:Votre contrat');
            assert.equal(await bouton.getAttribute('aria-expanded'), 'false');
            await verifierSansDefilementHorizontal(page, 'the contract page at 320 px');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('keyboard on a wide screen: menu links then the account menu, Escape closes it', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await simulerApi(page, apiConnecte());
            await ouvrir(page, '/accueil');
            assert.equal(await page.getByRole('button', { name: 'Menu' }).isVisible(), false, 'no menu button on wide screens');
            await page.keyboard.press('Tab');
            assert.equal(await actif(page), 'A:Aller au contenu');
            await page.keyboard.press('Tab');   // the office's name, home link
            for (const libelle of MENU) {
                await page.keyboard.press('Tab');
                assert.equal(await actif(page), `A:${libelle}`);
            }
            await page.keyboard.press('Tab');
            assert.match(await actif(page), /^BUTTON:Mon compte : M\. Jean MARTIN/);
            await page.keyboard.press('Enter');
            await page.keyboard.press('Tab');
            assert.equal(await actif(page), 'A:Mon dossier');
            await page.keyboard.press('Tab');
            assert.equal(await actif(page), 'BUTTON:Se déconnecter');
            await page.keyboard.press('Escape');
            assert.match(await actif(page), /^BUTTON:Mon compte/);
            assert.equal(await page.getByRole('button', { name: /Mon compte/ }).getAttribute('aria-expanded'), 'false');
            // leaving the open menu with Tab folds it
            await page.keyboard.press('Enter');
            await page.keyboard.press('Tab');
            await page.keyboard.press('Tab');
            await page.keyboard.press('Tab');
            assert.equal(await page.getByRole('button', { name: /Mon compte/ }).getAttribute('aria-expanded'), 'false');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });
});

describe('session', () => {
    it('sign-in sends JSON, then every change carries the CSRF token; sign-out says the server\'s message', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            const appels = await simulerApi(page, apiDeconnecte({
                'POST /api/deconnexion': { body: { message: 'Vous êtes déconnecté.' } },
            }));
            await ouvrir(page, '/connexion');
            await seConnecter(page, { seSouvenir: true });
            await attendreRoute(page, '/accueil');
            const connexion = appels.find((a) => a.cle === 'POST /api/connexion');
            assert.deepEqual(connexion.corps, { identifiant: 'jean.martin@example.org', mot_de_passe: 'Portail2024!', se_souvenir: true });
            assert.match(connexion.entetes['content-type'], /^application\/json/);
            assert.equal(await actif(page), 'H1:Accueil');

            await page.getByRole('button', { name: /Mon compte/ }).click();
            await page.getByRole('button', { name: 'Se déconnecter' }).click();
            await attendreRoute(page, '/connexion');
            const deconnexion = appels.find((a) => a.cle === 'POST /api/deconnexion');
            assert.equal(deconnexion.entetes['x-csrf-token'], SESSION_JEAN.csrf);
            assert.match(await page.locator('main .message').innerText(), /Vous êtes déconnecté\./);
            assert.equal(await page.getByRole('navigation', { name: 'Menu principal' }).count(), 0, 'signed-out header');
            // the private pages are closed again
            await page.evaluate(() => { window.location.hash = '#/contrat'; });
            await attendreRoute(page, '/connexion?retour=%2Fcontrat');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('a private page asks to sign in, then comes back', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await simulerApi(page, apiDeconnecte());
            await page.goto(`${process.env.PORTAIL_URL}/#/paiement`);
            await attendreRoute(page, '/connexion?retour=%2Fpaiement');
            await seConnecter(page);
            await attendreRoute(page, '/paiement');
            assert.equal(await page.locator('main h1').textContent(), 'Paiements');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('a 401 from any call sends back to sign-in, says the session expired, and returns after', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await simulerApi(page, apiConnecte({ 'GET /api/contrats': NON_AUTHENTIFIE }));
            await ouvrir(page, '/documents');
            // a page calling the API (as the real sections will) meets a 401
            await page.evaluate(() => import('/js/api.js').then((api) => api.lire('/api/contrats')).catch(() => null));
            await attendreRoute(page, '/connexion?retour=%2Fdocuments');
            assert.match(await page.locator('main .message').innerText(), /Votre session a expiré\. Veuillez vous reconnecter/);
            assert.equal(await page.getByRole('navigation', { name: 'Menu principal' }).count(), 0);
            await verifierAccessibilite(page, 'sign-in after the session expired');
            await seConnecter(page);
            await attendreRoute(page, '/documents');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('a refused CSRF token is fetched again once', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            const appels = await simulerApi(page, apiConnecte({
                'GET /api/session': (appel, numero) => ({ body: { ...SESSION_JEAN, csrf: numero === 1 ? 'ancien' : 'nouveau' } }),
                'POST /api/deconnexion': (appel) => (appel.entetes['x-csrf-token'] === 'nouveau'
                    ? { body: { message: 'Vous êtes déconnecté.' } }
                    : { status: 403, body: { error: 'csrf_invalide', message: 'La demande n\'a pas pu être vérifiée.' } }),
            }));
            await ouvrir(page, '/accueil');
            await page.getByRole('button', { name: /Mon compte/ }).click();
            await page.getByRole('button', { name: 'Se déconnecter' }).click();
            await attendreRoute(page, '/connexion');
            assert.match(await page.locator('main .message').innerText(), /Vous êtes déconnecté\./);
            assert.deepEqual(appels.filter((a) => a.cle === 'POST /api/deconnexion').map((a) => a.entetes['x-csrf-token']), ['ancien', 'nouveau']);
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    for (const [nom, reponse, attendu] of [
        ['wrong password (401)', { status: 401, body: { error: 'identifiants_invalides', message: 'Identifiant ou mot de passe incorrect.' } }, 'Identifiant ou mot de passe incorrect.'],
        ['account not confirmed (403)', { status: 403, body: { error: 'compte_non_confirme', message: 'Votre compte n\'est pas encore activé.' } }, 'Votre compte n\'est pas encore activé.'],
        ['too many attempts (429)', { status: 429, headers: { 'Retry-After': '900' }, body: { error: 'trop_de_tentatives', message: 'Trop de tentatives de connexion. Patientez quelques minutes.' } }, 'Trop de tentatives de connexion. Patientez quelques minutes. Vous pourrez réessayer dans environ 15 minutes.'],
        ['database down (503)', { status: 503, body: { error: 'base_indisponible', message: 'Le service est momentanément indisponible.' } }, 'Le service est momentanément indisponible.'],
        ['proxy error without JSON (502)', { status: 502, body: undefined }, 'Le service est momentanément indisponible. Veuillez réessayer dans quelques instants.'],
    ]) {
        it(`sign-in refused: ${nom} → the message, on the sign-in page`, async () => {
            const onglet = await nouvellePage(navigateur());
            const { page } = onglet;
            try {
                await simulerApi(page, apiDeconnecte({ 'POST /api/connexion': reponse }));
                await ouvrir(page, '/connexion');
                await seConnecter(page);
                const alerte = page.locator('#connexion .zone-message');
                await alerte.locator('.message').waitFor();
                assert.equal(await alerte.getAttribute('role'), 'alert');
                assert.match(await alerte.innerText(), new RegExp(attendu.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
                assert.equal(await routeCourante(page), '/connexion');
                assert.equal(await champ(page, 'Votre mot de passe').inputValue(), '', 'the refused password is cleared');
                assert.equal(await page.title(), 'Erreur : Connexion – Portail locataire');
                await verifierAccessibilite(page, `sign-in refused (${nom})`);
                onglet.verifierPropre();
            } finally {
                await onglet.fermer();
            }
        });
    }

    it('the portal unreachable: said in words', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await simulerApi(page, apiDeconnecte());
            await ouvrir(page, '/connexion');
            await page.route(`${process.env.PORTAIL_URL}/api/connexion`, (route) => route.abort('connectionrefused'));
            await seConnecter(page);
            await page.locator('#connexion .zone-message .message').waitFor();
            assert.match(await page.locator('#connexion .zone-message').innerText(), /Le portail ne répond pas\. Vérifiez votre connexion à internet/);
        } finally {
            await onglet.fermer();
        }
    });
});

describe('account pages against the contract', () => {
    async function remplirInscription(page, { reference = 'L/1234567', motDePasse = 'Rochelle2024!' } = {}) {
        await champ(page, 'Nom').fill('Dupont');
        await champ(page, 'Référence client').fill(reference);
        await champ(page, 'E-mail').fill('marie.dupont@example.org');
        await champ(page, 'Mot de passe').fill(motDePasse);
        await champ(page, 'Confirmation du mot de passe').fill(motDePasse);
        await page.getByRole('button', { name: 'Créer mon compte' }).click();
    }

    it('registration accepted: the reference without L/, no confirmation field sent, the server\'s message', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            const message = 'Un lien de confirmation vous a été envoyé par e-mail. Il est valable 24 heures.';
            const appels = await simulerApi(page, apiDeconnecte({ 'POST /api/inscription': { status: 202, body: { message } } }));
            await ouvrir(page, '/inscription');
            await remplirInscription(page);
            // in main: the page's live region says it too
            await page.locator('main').getByText(message).waitFor();
            const envoi = appels.find((a) => a.cle === 'POST /api/inscription');
            assert.deepEqual(envoi.corps, {
                nom: 'Dupont', reference_client: '1234567', email: 'marie.dupont@example.org', mot_de_passe: 'Rochelle2024!',
            });
            assert.equal(await actif(page), 'H2:Succès : Votre demande d\'inscription est enregistrée');
            await verifierAccessibilite(page, 'registration accepted');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('registration refused: the server\'s per-field messages by the fields and in the summary', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await simulerApi(page, apiDeconnecte({
                'POST /api/inscription': {
                    status: 422,
                    body: {
                        error: 'identite_non_reconnue',
                        message: 'Le nom et la référence client ne correspondent à aucun signataire.',
                        champs: { nom: 'Vérifiez le nom sur votre avis d\'échéance.', reference_client: 'Vérifiez la référence client.' },
                    },
                },
            }));
            await ouvrir(page, '/inscription');
            await remplirInscription(page);
            const resume = page.locator('.resume-erreurs');
            await resume.waitFor();
            assert.match(await resume.innerText(), /Le nom et la référence client ne correspondent à aucun signataire\./);
            assert.equal(await resume.getByRole('link').count(), 2);
            assert.match(await page.locator('#inscription-nom-erreur').innerText(), /Vérifiez le nom sur votre avis d'échéance\./);
            assert.equal(await champ(page, 'Référence client').getAttribute('aria-invalid'), 'true');
            assert.equal(await champ(page, 'E-mail').getAttribute('aria-invalid'), null);
            await verifierAccessibilite(page, 'registration refused by the server');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('confirmation: the token is sent at once; success leads to sign-in and the token leaves the address bar', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            const appels = await simulerApi(page, apiDeconnecte({
                'POST /api/inscription/confirmation': { body: { message: 'Votre compte est activé. Vous pouvez vous connecter.' } },
            }));
            await ouvrir(page, '/inscription/confirmation?jeton=AbC-123_x');
            await page.getByText('Votre compte est activé. Vous pouvez vous connecter.').waitFor();
            assert.deepEqual(appels.find((a) => a.cle === 'POST /api/inscription/confirmation').corps, { jeton: 'AbC-123_x' });
            assert.equal(await routeCourante(page), '/inscription/confirmation');
            await verifierAccessibilite(page, 'confirmation succeeded');
            await page.getByRole('link', { name: 'Se connecter' }).click();
            await attendreRoute(page, '/connexion');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    for (const [code, statut] of [['jeton_expire', 410], ['jeton_invalide', 400]]) {
        it(`confirmation refused (${code}): the server's message and a link to register again`, async () => {
            const onglet = await nouvellePage(navigateur());
            const { page } = onglet;
            try {
                const message = code === 'jeton_expire' ? 'Ce lien a expiré.' : 'Ce lien n\'est pas valide ou a déjà été utilisé.';
                await simulerApi(page, apiDeconnecte({
                    'POST /api/inscription/confirmation': { status: statut, body: { error: code, message } },
                }));
                await ouvrir(page, '/inscription/confirmation?jeton=perime');
                await page.getByText(message).waitFor();
                assert.equal(await page.getByRole('link', { name: 'Vous inscrire à nouveau' }).getAttribute('href'), '#/inscription');
                await verifierAccessibilite(page, `confirmation refused (${code})`);
                onglet.verifierPropre();
            } finally {
                await onglet.fermer();
            }
        });
    }

    it('confirmation while the server is down: the message and a retry button', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await simulerApi(page, apiDeconnecte({
                'POST /api/inscription/confirmation': (appel, numero) => (numero === 1
                    ? { status: 503, body: { error: 'service_surcharge', message: 'Le service est très sollicité en ce moment.' } }
                    : { body: { message: 'Votre compte est activé.' } }),
            }));
            await ouvrir(page, '/inscription/confirmation?jeton=abc');
            await page.getByText('Le service est très sollicité en ce moment.').waitFor();
            await page.getByRole('button', { name: 'Réessayer' }).click();
            await page.getByText('Votre compte est activé.').waitFor();
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('forgotten password and forgotten identifiers: the server\'s message', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            const appels = await simulerApi(page, apiDeconnecte({
                'POST /api/mot-de-passe/oubli': { status: 202, body: { message: 'Si un compte correspond à cette adresse, un e-mail vient de lui être envoyé.' } },
                'POST /api/identifiants/oubli': { status: 202, body: { message: 'Si un compte correspond, un rappel de votre identifiant vous a été envoyé.' } },
            }));
            await ouvrir(page, '/mot-de-passe/oubli');
            await champ(page, 'E-mail').fill('marie.dupont@example.org');
            await page.getByRole('button', { name: 'Recevoir le lien' }).click();
            await page.getByText('Si un compte correspond à cette adresse, un e-mail vient de lui être envoyé.').waitFor();
            assert.deepEqual(appels.find((a) => a.cle === 'POST /api/mot-de-passe/oubli').corps, { email: 'marie.dupont@example.org' });
            await verifierAccessibilite(page, 'forgotten password sent');

            await ouvrir(page, '/identifiants/oubli');
            await champ(page, 'Nom').fill('Dupont');
            await champ(page, 'Référence client').fill('1234567');
            await page.getByRole('button', { name: 'Recevoir mes identifiants' }).click();
            await page.getByText('Si un compte correspond, un rappel de votre identifiant vous a été envoyé.').waitFor();
            assert.deepEqual(appels.find((a) => a.cle === 'POST /api/identifiants/oubli').corps, { nom: 'Dupont', reference_client: '1234567' });
            await verifierAccessibilite(page, 'forgotten identifiers sent');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('reset: the token and the new password are sent; an expired link offers a new request', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            const appels = await simulerApi(page, apiDeconnecte({
                'POST /api/mot-de-passe/reinitialisation': (appel) => (appel.corps.jeton === 'bon'
                    ? { body: { message: 'Votre mot de passe est modifié. Connectez-vous avec le nouveau.' } }
                    : { status: 410, body: { error: 'jeton_expire', message: 'Ce lien a expiré.' } }),
            }));
            await ouvrir(page, '/mot-de-passe/reinitialisation?jeton=bon');
            await champ(page, 'Nouveau mot de passe').fill('Nouveau2025#');
            await champ(page, 'Confirmation du nouveau mot de passe').fill('Nouveau2025#');
            await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
            await page.getByText('Votre mot de passe est modifié. Connectez-vous avec le nouveau.').waitFor();
            assert.deepEqual(appels.find((a) => a.cle === 'POST /api/mot-de-passe/reinitialisation').corps, { jeton: 'bon', mot_de_passe: 'Nouveau2025#' });
            assert.equal(await routeCourante(page), '/mot-de-passe/reinitialisation');
            await verifierAccessibilite(page, 'reset succeeded');

            await ouvrir(page, '/mot-de-passe/reinitialisation?jeton=vieux');
            await champ(page, 'Nouveau mot de passe').fill('Nouveau2025#');
            await champ(page, 'Confirmation du nouveau mot de passe').fill('Nouveau2025#');
            await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
            await page.getByText('Ce lien a expiré.').waitFor();
            assert.equal(await page.getByRole('link', { name: 'Faire une nouvelle demande de mot de passe' }).getAttribute('href'), '#/mot-de-passe/oubli');
            await verifierAccessibilite(page, 'reset with an expired link');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });
});
