// The password checklist is the server's: on the registration page, a
// password that meets the office's three rules but is easy to guess
// (12345678!) is refused under the checklist with the server's own reason
// before anything is submitted, in words and in a polite live region; a
// pass-phrase is accepted; the name typed in the form is held against the
// password.  Needs POST /api/mot-de-passe/evaluation.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { avecNavigateur, nouvellePage, champ, ouvrir, verifierAccessibilite } from './lib/portail.js';

const navigateur = avecNavigateur();

describe('the server judges the password as it is typed', () => {
    it('a weak password shows the server\'s reason before submitting', async () => {
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        const evaluations = [];
        page.on('request', (requete) => {
            if (requete.url().endsWith('/api/mot-de-passe/evaluation')) {
                evaluations.push(JSON.parse(requete.postData()));
            }
        });
        let inscriptions = 0;
        page.on('request', (requete) => {
            if (requete.url().endsWith('/api/inscription')) {
                inscriptions += 1;
            }
        });
        try {
            await ouvrir(page, '/inscription');
            await champ(page, 'Nom').fill('Dupont');
            await champ(page, 'E-mail').fill('marie.dupont@example.net');
            const motDePasse = champ(page, 'Mot de passe');
            const avis = page.locator('#inscription-mot_de_passe-avis');
            assert.equal(await avis.getAttribute('aria-live'), 'polite');

            await motDePasse.pressSequentially('12345678!');
            // the three local rules are met...
            assert.deepEqual(await page.$$eval('#inscription-mot_de_passe-regles li', (lis) => lis.map((li) => li.dataset.etat)),
                ['oui', 'oui', 'oui']);
            // ...and the server says no, in words
            await avis.locator('.avis-raisons li').waitFor();
            assert.match(await avis.innerText(), /Mot de passe refusé par le portail/);
            assert.match(await avis.innerText(), /Ce mot de passe est trop courant ou trop facile à deviner/);
            assert.equal(await avis.locator('li[data-code="trop_previsible"]').count(), 1);
            // asked once typing paused, with the words typed in the form
            assert.ok(evaluations.length >= 1 && evaluations.length <= 3, `${evaluations.length} evaluations`);
            assert.deepEqual(evaluations.at(-1), { nom: 'Dupont', email: 'marie.dupont@example.net', mot_de_passe: '12345678!' });
            await verifierAccessibilite(page);

            // submitting shows that reason next to the field, without a request
            await champ(page, 'Référence client').fill('1234567');
            await champ(page, 'Confirmation du mot de passe').fill('12345678!');
            await page.getByRole('button', { name: 'Créer mon compte' }).click();
            await page.locator('.resume-erreurs').waitFor();
            assert.match(await page.locator('#inscription-mot_de_passe-erreur').innerText(), /trop facile à deviner/);
            assert.equal(inscriptions, 0);

            // the name typed is refused too
            await motDePasse.fill('');
            await motDePasse.pressSequentially('Dupont du 17 !');
            await avis.locator('li[data-code="contient_nom"]').waitFor();

            // a pass-phrase is accepted
            await motDePasse.fill('');
            await motDePasse.pressSequentially('cheval batterie agrafe 42!');
            await page.waitForFunction(() => document.getElementById('inscription-mot_de_passe-avis').innerText.includes('Mot de passe accepté par le portail.'));
            assert.equal(await avis.locator('.avis-raisons').count(), 0);
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });
});
