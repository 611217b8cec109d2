// The signed-out pages against the real server: titles, headings and the
// guide's labels, WCAG 2.1 AA (axe-core), 320 px without sideways
// scrolling, the error summary, the live password checklist, the "show"
// toggle, the skip link, and the rules shared with the server (password,
// formats).  These need only GET /api/session and GET /api/portail.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    avecNavigateur, nouvellePage, champ, ouvrir, attendreRoute, decrirePage, verifierAccessibilite,
    verifierSansDefilementHorizontal, routeCourante,
} from './lib/portail.js';

const navigateur = avecNavigateur();

// Route → what the page must show.  `libelles`: the labels of its fields,
// in order (without the required-field asterisk).
const PAGES = [
    {
        route: '/connexion',
        titre: 'Connexion – Portail locataire',
        h1: 'Bienvenue dans votre espace locataire',
        libelles: ['Votre identifiant', 'Votre mot de passe', 'Souviens-toi de moi'],
        textes: ['Tous les services à votre portée.'],
        liens: ['Mot de passe oublié ?', 'Identifiants oubliés ?', 'Si vous n\'avez pas de compte, vous pouvez vous inscrire ici.'],
        bouton: 'Se connecter',
    },
    {
        route: '/inscription',
        titre: 'Inscription – Portail locataire',
        h1: 'Créer votre espace locataire',
        libelles: ['Nom', 'Référence client', 'E-mail', 'Mot de passe', 'Confirmation du mot de passe'],
        textes: [
            'Nom du signataire tel qu\'il est indiqué sur votre avis d\'échéance',
            'Numéro à 7 chiffres sans le L/ (voir référence en haut à gauche de votre avis d\'échéance)',
            '8 caractères minimum', '2 chiffres', '1 caractère spécial',
        ],
        bouton: 'Créer mon compte',
    },
    {
        route: '/inscription/confirmation',
        titre: 'Confirmation de votre inscription – Portail locataire',
        h1: 'Confirmation de votre inscription',
        libelles: [],
        textes: ['Ce lien de confirmation est incomplet.'],
        liens: ['Vous inscrire à nouveau'],
    },
    {
        route: '/mot-de-passe/oubli',
        titre: 'Mot de passe oublié – Portail locataire',
        h1: 'Mot de passe oublié',
        libelles: ['E-mail'],
        bouton: 'Recevoir le lien',
    },
    {
        route: '/mot-de-passe/reinitialisation?jeton=abc',
        titre: 'Nouveau mot de passe – Portail locataire',
        h1: 'Choisir un nouveau mot de passe',
        libelles: ['Nouveau mot de passe', 'Confirmation du nouveau mot de passe'],
        textes: ['8 caractères minimum'],
        bouton: 'Enregistrer le mot de passe',
    },
    {
        route: '/identifiants/oubli',
        titre: 'Identifiants oubliés – Portail locataire',
        h1: 'Identifiants oubliés',
        libelles: ['Nom', 'Référence client'],
        bouton: 'Recevoir mes identifiants',
    },
    {
        route: '/nulle-part',
        titre: 'Page introuvable – Portail locataire',
        h1: 'Page introuvable',
        libelles: [],
    },
];

describe('signed-out pages', () => {
    for (const attendu of PAGES) {
        it(`${attendu.route}: title, h1, labels, WCAG 2.1 AA, 320 px`, async () => {
            const onglet = await nouvellePage(navigateur());
            const { page } = onglet;
            try {
                await ouvrir(page, attendu.route);
                const decrit = await decrirePage(page);
                assert.equal(decrit.lang, 'fr');
                assert.equal(decrit.titre, attendu.titre);
                assert.deepEqual(decrit.h1, [attendu.h1], 'one h1, the right one');
                assert.deepEqual(decrit.libelles, attendu.libelles);
                const texte = await page.locator('main').innerText();
                for (const morceau of attendu.textes || []) {
                    assert.ok(texte.includes(morceau), `"${morceau}" is on ${attendu.route}`);
                }
                for (const lien of attendu.liens || []) {
                    assert.equal(await page.getByRole('link', { name: lien, exact: true }).count(), 1, `link "${lien}"`);
                }
                if (attendu.bouton) {
                    assert.equal(await page.getByRole('button', { name: attendu.bouton, exact: true }).count(), 1);
                }
                // landmarks
                for (const role of ['banner', 'main', 'contentinfo']) {
                    assert.equal(await page.getByRole(role).count(), 1, `one ${role} landmark`);
                }
                // every required field is marked for assistive technologies
                const sansAria = await page.$$eval('main input[required]:not([aria-required="true"])', (champs) => champs.map((c) => c.id));
                assert.deepEqual(sansAria, []);
                await verifierAccessibilite(page, attendu.route);

                await page.setViewportSize({ width: 320, height: 640 });
                await verifierSansDefilementHorizontal(page, `${attendu.route} at 320 px`);
                await verifierAccessibilite(page, `${attendu.route} at 320 px`);
                onglet.verifierPropre();
            } finally {
                await onglet.fermer();
            }
        });
    }

    it('the footer shows the office\'s contact details from GET /api/portail', async () => {
        const onglet = await nouvellePage(navigateur());
        try {
            await ouvrir(onglet.page, '/connexion');
            const pied = onglet.page.getByRole('contentinfo');
            await pied.getByRole('link', { name: '05 46 00 49 94' }).waitFor();
            const texte = await pied.innerText();
            for (const morceau of ['Office Public de l\'Habitat de l\'Agglomération de La Rochelle',
                '2 avenue de Varsovie, CS10555, 17023 La Rochelle Cedex 1', 'contact@office-agglo-larochelle.fr']) {
                assert.ok(texte.includes(morceau), `footer has "${morceau}"`);
            }
            assert.equal(await pied.getByRole('link', { name: '05 46 00 49 94' }).getAttribute('href'), 'tel:+33546004994');
            assert.equal(await pied.getByRole('link', { name: 'contact@office-agglo-larochelle.fr' }).getAttribute('href'),
                'mailto:contact@office-agglo-larochelle.fr');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });
});

describe('forms', () => {
    it('registration sent empty: errors by the fields, a summary that links to them, still WCAG 2.1 AA', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await ouvrir(page, '/inscription');
            await page.getByRole('button', { name: 'Créer mon compte' }).click();
            const resume = page.locator('.resume-erreurs');
            await resume.waitFor();
            assert.equal(await page.title(), 'Erreur : Inscription – Portail locataire');
            assert.equal(await resume.locator('h2').textContent(), 'Erreur : Le formulaire contient 5 erreurs');
            assert.ok(await resume.evaluate((el) => el === document.activeElement), 'focus on the summary');
            assert.equal(await resume.getByRole('link').count(), 5);

            for (const libelle of ['Nom', 'Référence client', 'E-mail', 'Mot de passe', 'Confirmation du mot de passe']) {
                const controle = champ(page, libelle);
                assert.equal(await controle.getAttribute('aria-invalid'), 'true', `${libelle} is invalid`);
                const decrit = await controle.evaluate((el) => el.getAttribute('aria-describedby').split(' ')
                    .map((id) => document.getElementById(id)?.textContent ?? '').join(' | '));
                assert.match(decrit, /Erreur : Veuillez/, `${libelle}'s error is tied to it`);
            }
            await verifierAccessibilite(page, 'the registration form with errors');

            // a summary link focuses its field and leaves the route alone
            await resume.getByRole('link', { name: /référence client/ }).click();
            assert.equal(await page.evaluate(() => document.activeElement.id), 'inscription-reference_client');
            assert.equal(await routeCourante(page), '/inscription');

            // errors go away once corrected
            await champ(page, 'Nom').fill('Dupont');
            await champ(page, 'Référence client').fill('L/12345');
            await page.getByRole('button', { name: 'Créer mon compte' }).click();
            await page.waitForFunction(() => document.querySelector('.resume-erreurs h2')?.textContent.includes('4 erreurs'));
            assert.equal(await champ(page, 'Nom').getAttribute('aria-invalid'), null);
            assert.match(await page.locator('#inscription-reference_client-erreur').innerText(), /numéro à 7 chiffres/);

            await page.setViewportSize({ width: 320, height: 640 });
            await verifierSansDefilementHorizontal(page, 'the registration form with errors at 320 px');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('the password checklist follows the typing and is announced politely', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await ouvrir(page, '/inscription');
            const motDePasse = champ(page, 'Mot de passe');
            const etats = () => page.$$eval('#inscription-mot_de_passe-regles li', (lis) => lis.map((li) => li.dataset.etat));
            assert.deepEqual(await etats(), ['non', 'non', 'non']);

            await motDePasse.pressSequentially('abc1');
            assert.deepEqual(await etats(), ['non', 'non', 'non']);
            await motDePasse.pressSequentially('2');
            assert.deepEqual(await etats(), ['non', 'oui', 'non']);
            const annonce = page.locator('#inscription-mot_de_passe-etat-regles');
            assert.equal(await annonce.getAttribute('aria-live'), 'polite');
            await page.waitForFunction(() => document.getElementById('inscription-mot_de_passe-etat-regles').textContent.includes('1 sur 3'));
            assert.match(await annonce.textContent(), /Il manque : 8 caractères minimum, 1 caractère spécial/);

            // (a password the server accepts too: its verdict is the final one)
            await motDePasse.pressSequentially('Fjord Kiwi Sable!');
            assert.deepEqual(await etats(), ['oui', 'oui', 'oui']);
            await page.waitForFunction(() => document.getElementById('inscription-mot_de_passe-etat-regles').textContent === 'Le mot de passe respecte toutes les règles.');
            // each item says its state in words, not by colour alone
            assert.match(await page.locator('#inscription-mot_de_passe-regles').innerText(), /8 caractères minimum/);
            assert.equal(await page.locator('#inscription-mot_de_passe-regles li .sr-only').first().textContent(), ' : respectée');
            // the field is described by the checklist
            const decrit = await motDePasse.getAttribute('aria-describedby');
            assert.ok(decrit.split(' ').includes('inscription-mot_de_passe-regles'));

            // a different confirmation is refused before sending
            await champ(page, 'Nom').fill('Dupont');
            await champ(page, 'Référence client').fill('1234567');
            await champ(page, 'E-mail').fill('marie@example.org');
            await champ(page, 'Confirmation du mot de passe').fill('autre chose');
            await page.getByRole('button', { name: 'Créer mon compte' }).click();
            await page.locator('.resume-erreurs').waitFor();
            assert.match(await page.locator('.resume-erreurs').innerText(), /Les deux mots de passe ne sont pas identiques\./);
            assert.equal(await page.locator('.resume-erreurs li').count(), 1);
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('"Afficher" shows the password, "Masquer" hides it again', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await ouvrir(page, '/connexion');
            const motDePasse = champ(page, 'Votre mot de passe');
            await motDePasse.fill('Secret12!');
            const bouton = page.getByRole('button', { name: 'Afficher le mot de passe' });
            assert.equal(await bouton.getAttribute('aria-controls'), 'connexion-mot_de_passe');
            await bouton.click();
            assert.equal(await motDePasse.getAttribute('type'), 'text');
            await page.getByRole('button', { name: 'Masquer le mot de passe' }).click();
            assert.equal(await motDePasse.getAttribute('type'), 'password');
            assert.equal(await motDePasse.inputValue(), 'Secret12!');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('sign-in checks its fields before sending', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await ouvrir(page, '/connexion');
            await champ(page, 'Votre identifiant').fill('jean.martin');
            await page.getByRole('button', { name: 'Se connecter' }).click();
            const resume = page.locator('.resume-erreurs');
            await resume.waitFor();
            assert.match(await resume.innerText(), /Votre identifiant est votre adresse e-mail/);
            assert.match(await resume.innerText(), /Veuillez saisir votre mot de passe\./);
            await verifierAccessibilite(page, 'the sign-in form with errors');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });
});

describe('navigation', () => {
    it('the skip link is the first tab stop and moves the focus to the content', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await ouvrir(page, '/connexion');
            await page.keyboard.press('Tab');
            const lien = await page.evaluate(() => ({ texte: document.activeElement.textContent, href: document.activeElement.getAttribute('href') }));
            assert.deepEqual(lien, { texte: 'Aller au contenu', href: '#contenu' });
            assert.ok(await page.locator('.lien-evitement').isVisible(), 'visible when focused');
            await page.keyboard.press('Enter');
            assert.equal(await page.evaluate(() => document.activeElement.id), 'contenu');
            assert.equal(await routeCourante(page), '/connexion', 'the route is kept');
            await page.keyboard.press('Tab');
            assert.equal(await page.evaluate(() => document.activeElement.id), 'connexion-identifiant');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('links between pages: title updated, focus on the new h1', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await ouvrir(page, '/connexion');
            await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
            await attendreRoute(page, '/mot-de-passe/oubli');
            assert.equal(await page.title(), 'Mot de passe oublié – Portail locataire');
            assert.equal(await page.evaluate(() => document.activeElement.tagName + ':' + document.activeElement.textContent), 'H1:Mot de passe oublié');
            await page.goBack();
            await attendreRoute(page, '/connexion');
            assert.equal(await page.title(), 'Connexion – Portail locataire');
            await page.getByRole('link', { name: 'Si vous n\'avez pas de compte, vous pouvez vous inscrire ici.' }).click();
            await attendreRoute(page, '/inscription');
            assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Créer votre espace locataire');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('a private page asks to sign in first, and says so', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await page.goto(`${process.env.PORTAIL_URL}/#/documents`);
            await attendreRoute(page, '/connexion?retour=%2Fdocuments');
            assert.match(await page.locator('main .message').innerText(), /Veuillez vous connecter pour accéder à cette page\./);
            await verifierAccessibilite(page, 'sign-in with a message');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });
});

describe('rules shared with the server', () => {
    it('password rule: code points, 0-9, specials outside Latin letters', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await ouvrir(page, '/connexion');
            const resultats = await page.evaluate(async () => {
                const { evaluer } = await import('/js/regles-mot-de-passe.js');
                const cas = ['', 'abcdefg12!', 'abcdefgh12', 'été12345 ', 'Éléphant12', 'Éléphant12€', 'a😀b12cde',
                    'a'.repeat(126) + '1!', 'a'.repeat(127) + '1!', '١٢abcdef!', 'aaaaaa12ß', 'aaaaaa12×', 'aaaaaa12\t'];
                return Object.fromEntries(cas.map((mdp) => {
                    const e = evaluer(mdp);
                    return [mdp.length > 20 ? `${mdp.length} units` : mdp, [e.longueur, e.chiffres, e.speciaux, e.valide]];
                }));
            });
            assert.deepEqual(resultats, {
                '': [0, 0, 0, false],
                'abcdefg12!': [10, 2, 1, true],
                'abcdefgh12': [10, 2, 0, false],
                'été12345 ': [9, 5, 1, true],            // space is special, é is a letter
                'Éléphant12': [10, 2, 0, false],
                'Éléphant12€': [11, 2, 1, true],         // € (U+20AC) is special
                'a😀b12cde': [8, 2, 1, true],             // one code point, outside Latin letters
                '128 units': [128, 1, 1, false],         // one digit only
                '129 units': [129, 1, 1, false],
                '١٢abcdef!': [9, 0, 3, false],            // Arabic-Indic digits are not 0-9
                'aaaaaa12ß': [9, 2, 0, false],           // ß (U+00DF) is a Latin letter
                'aaaaaa12×': [9, 2, 0, false],           // × (U+00D7) is in U+00C0–U+024F
                'aaaaaa12\t': [9, 2, 0, false],          // a control character is not special
            });
            const limite = await page.evaluate(async () => {
                const { evaluer } = await import('/js/regles-mot-de-passe.js');
                return [evaluer(`${'a'.repeat(125)}12!`).valide, evaluer(`${'a'.repeat(126)}12!`).tropLong];
            });
            assert.deepEqual(limite, [true, true], '128 characters at most');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('French dates and amounts', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await ouvrir(page, '/connexion');
            const formats = await page.evaluate(async () => {
                const f = await import('/js/format.js');
                return [
                    f.formaterDate('2023-10-03'),
                    f.formaterDate('2023-12-31T23:30:00Z'),   // already 1 January in La Rochelle
                    f.formaterDateLongue('2023-10-03'),
                    f.formaterMois('2023-11-01'),
                    f.formaterDateHeure('2023-10-03T12:05:00Z'),
                    f.formaterMontant(1250),
                    f.formaterMontant(-15000),
                    f.formaterMontant(123456789),
                    f.formaterMontant(0),
                    f.formaterDate('n\'importe quoi'),
                    f.nomComplet({ civilite: 'Mme', prenom: 'Marie', nom: 'DUPONT' }),
                    f.libelleNature('stationnement'),
                ].map((texte) => texte.replace(/[\u00a0\u202f]/g, ' '));
            });
            assert.deepEqual(formats, [
                '03/10/2023', '01/01/2024', '03 octobre 2023', 'novembre 2023', '03/10/2023 à 14:05',
                '12,50 €', '-150,00 €', '1 234 567,89 €', '0,00 €', '', 'Mme Marie DUPONT', 'Stationnement',
            ]);
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });
});
