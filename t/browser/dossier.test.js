// Mon dossier against the backend (issue #5), as Sophie MARTIN-LEROY,
// Jean's co-tenant, whose account is made here: phones typed the French
// way, the professional situation from the server's list, consents, the
// sign-in address changed (wrong password first; the link of the e-mail
// opened signed out; signing in with the new address), the password
// changed with the live rules, then used.
//
// Order matters within this file: the address changes before the
// password.  Jean's own account is left alone (other files sign in with it).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
    avecNavigateur, nouvellePage, champ, ouvrir, attendreRoute, verifierAccessibilite, verifierLargeurs, routeCourante,
    ouvrirSession, creerCompte, sql, valeurSql, attendreIssue, seConnecter, seDeconnecter, reperageCourriels,
    attendreCourriel, extraireLien, exigerApi, DEMO,
} from './lib/portail.js';

const navigateur = avecNavigateur();

const API = ['/api/dossier', '/api/dossier/email', '/api/dossier/email/confirmation', '/api/dossier/mot-de-passe'];

const SOPHIE = { reference: '7654321', prenom: 'Sophie', email: 'sophie.martin-leroy@example.org' };
const NOUVELLE_ADRESSE = 'sophie.leroy@example.net';
const NOUVEAU_MOT_DE_PASSE = 'Minimes 2027 #voile';

async function personne(colonnes) {
    return (await sql(`SELECT ${colonnes} FROM portail.personne p JOIN portail.compte c ON c.personne_id = p.id
        WHERE p.prenom = 'Sophie' AND p.nom = 'MARTIN-LEROY'`))[0];
}

async function ouvrirDossier(email) {
    const onglet = await nouvellePage(navigateur());
    await ouvrirSession(onglet.contexte, email);
    await ouvrir(onglet.page, '/dossier');
    return onglet;
}

describe('Mon dossier (issue #5, real backend)', () => {
    it('reached from the account menu; phones checked here, saved, shown the French way', async () => {
        await exigerApi(...API);
        await creerCompte(SOPHIE);
        const onglet = await nouvellePage(navigateur());
        const { page } = onglet;
        try {
            await ouvrirSession(onglet.contexte, SOPHIE.email);
            await ouvrir(page, '/accueil');
            await page.getByRole('button', { name: /^Mon compte/ }).click();
            await page.getByRole('link', { name: 'Mon dossier' }).click();
            await attendreRoute(page, '/dossier');
            assert.equal(await page.locator('main h1').innerText(), 'Mon dossier');
            assert.equal(await page.locator('header a[data-route="/dossier"]').getAttribute('aria-current'), 'page');
            const main = page.locator('main');
            assert.match(await main.innerText(), /Mme Sophie MARTIN-LEROY/);
            assert.match(await main.innerText(), new RegExp(SOPHIE.email.replace(/\./g, '\\.')));
            await verifierLargeurs(page, 'Mon dossier');

            const telephones = page.locator('#telephones');
            await champ(telephones, 'Téléphone mobile').fill('06 11 22');
            await champ(telephones, 'Téléphone fixe').fill('05.46.41.22.33');
            await telephones.getByRole('button', { name: 'Enregistrer les numéros' }).click();
            await telephones.locator('.resume-erreurs').waitFor();
            assert.match(await page.locator('#telephones-telephone_mobile-erreur').innerText(), /par exemple 06 12 34 56 78/);
            assert.equal(await champ(telephones, 'Téléphone fixe').getAttribute('aria-invalid'), null);
            await verifierLargeurs(page, 'Mon dossier with a phone error');

            await champ(telephones, 'Téléphone mobile').fill('0611223344');
            await telephones.getByRole('button', { name: 'Enregistrer les numéros' }).click();
            await attendreIssue(page, telephones.locator('.zone-message .message--succes'), 'saving the phones');
            assert.equal(await champ(telephones, 'Téléphone mobile').inputValue(), '06 11 22 33 44', 'shown back as the server gives it');
            assert.equal(await champ(telephones, 'Téléphone fixe').inputValue(), '05 46 41 22 33');
            assert.deepEqual(await personne('p.telephone_mobile, p.telephone_fixe'), ['+33611223344', '+33546412233'], 'stored in E.164');

            // the professional situation, from the server's list
            const situation = page.locator('#situation');
            const liste = champ(situation, 'Votre situation professionnelle');
            const libelles = await liste.locator('option').allInnerTexts();
            assert.ok(libelles.includes('Retraité(e)') && libelles.includes('Demandeur d\'emploi'), libelles.join(', '));
            await liste.selectOption({ label: 'Retraité(e)' });
            await situation.getByRole('button', { name: 'Enregistrer la situation' }).click();
            await attendreIssue(page, situation.locator('.zone-message .message--succes'), 'saving the situation');
            assert.match(await situation.innerText(), /Votre situation professionnelle est enregistrée : Retraité\(e\)\./);
            assert.match(await main.innerText(), /Situation professionnelle\s+Retraité\(e\)/);
            assert.deepEqual(await personne('p.situation_professionnelle'), ['retraite']);

            // consents
            const consentements = page.locator('#consentements');
            await consentements.getByLabel(/recevoir par e-mail les actualités/).check();
            await consentements.getByRole('button', { name: 'Enregistrer mes choix' }).click();
            await attendreIssue(page, consentements.locator('.zone-message .message--succes'), 'saving the consents');
            const [actualites, dematerialisation] = await personne('p.consentement_actualites_le IS NOT NULL, p.consentement_dematerialisation_le IS NOT NULL');
            assert.deepEqual([actualites, dematerialisation], ['t', 'f']);
            assert.notEqual(await personne('p.modifie_par_compte_le').then(([v]) => v), null, 'marked for the export');
            await verifierAccessibilite(page, 'Mon dossier after the changes');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('the sign-in address: the current password asked, a link sent, opened signed out, then used to sign in', async () => {
        await exigerApi(...API);
        const onglet = await ouvrirDossier(SOPHIE.email);
        const { page } = onglet;
        const ailleurs = await nouvellePage(navigateur());
        try {
            const formulaire = page.locator('#email');
            await champ(formulaire, 'Nouvelle adresse e-mail').fill('sophie.leroy@example');
            await formulaire.getByRole('button', { name: 'Changer d\'adresse e-mail' }).click();
            await formulaire.locator('.resume-erreurs').waitFor();
            assert.match(await formulaire.locator('.resume-erreurs').innerText(), /Le formulaire contient 2 erreurs/);
            await verifierAccessibilite(page, 'the address form with its errors');

            // a wrong password: the server's message next to the field
            await champ(formulaire, 'Nouvelle adresse e-mail').fill(NOUVELLE_ADRESSE);
            await champ(formulaire, 'Mot de passe actuel').fill('PasLeBon-2024!');
            await formulaire.getByRole('button', { name: 'Changer d\'adresse e-mail' }).click();
            await page.locator('#email-mot_de_passe-erreur:not([hidden])').waitFor();
            assert.match(await page.locator('#email-mot_de_passe-erreur').innerText(), /incorrect/);
            assert.equal(await champ(formulaire, 'Mot de passe actuel').inputValue(), '', 'a refused password is not kept');
            await verifierLargeurs(page, 'the address form refused by the server');

            const dejaLa = await reperageCourriels();
            await champ(formulaire, 'Mot de passe actuel').fill(DEMO.motDePasse);
            await formulaire.getByRole('button', { name: 'Changer d\'adresse e-mail' }).click();
            await attendreIssue(page, formulaire.locator('.zone-message .message--succes'), 'asking for the address change');
            assert.match(await formulaire.locator('.zone-message').innerText(), /lien/);
            assert.equal(await valeurSql(`SELECT email FROM portail.compte WHERE email = :'e'`, { e: SOPHIE.email }), SOPHIE.email,
                'nothing changes before the link is opened');

            const courriel = await attendreCourriel(NOUVELLE_ADRESSE, { dejaLa });
            const lien = extraireLien(courriel.texte, '/dossier/email/confirmation');

            // the link opened in another browser, signed out
            await ouvrir(ailleurs.page, lien.route);
            await attendreIssue(ailleurs.page, ailleurs.page.locator('main .resultat .message--succes'), 'confirming the new address');
            assert.match(await ailleurs.page.locator('main').innerText(), /Votre adresse e-mail est changée/);
            assert.equal(await routeCourante(ailleurs.page), '/dossier/email/confirmation', 'the used token leaves the address bar');
            assert.equal(await valeurSql(`SELECT count(*) FROM portail.compte WHERE email = :'e'`, { e: NOUVELLE_ADRESSE }), '1');
            await verifierLargeurs(ailleurs.page, 'the address confirmed');
            await ailleurs.page.getByRole('link', { name: 'Se connecter' }).click();
            await attendreRoute(ailleurs.page, '/connexion');
            await seConnecter(ailleurs.page, NOUVELLE_ADRESSE, DEMO.motDePasse);
            assert.match(await ailleurs.page.getByRole('button', { name: /^Mon compte/ }).innerText(), /Sophie/);

            // the link works once
            await ouvrir(ailleurs.page, lien.route);
            await ailleurs.page.locator('main .resultat .message--erreur').waitFor();
            assert.match(await ailleurs.page.locator('main').innerText(), /Ce lien ne peut pas être utilisé/);
            await verifierAccessibilite(ailleurs.page, 'a used address link');

            // the first tab's dossier shows the new address
            await page.reload();
            await attendreRoute(page, '/dossier');
            assert.match(await page.getByRole('region', { name: 'Adresse e-mail' }).innerText(),
                new RegExp(`identifiant de connexion\\)?\\s+${NOUVELLE_ADRESSE.replace(/\./g, '\\.')}`));
            onglet.verifierPropre();
            ailleurs.verifierPropre();
        } finally {
            await onglet.fermer();
            await ailleurs.fermer();
        }
    });

    it('the password: the registration\'s live rules, confirmation, then signing in with the new one', async () => {
        await exigerApi(...API);
        const onglet = await ouvrirDossier(NOUVELLE_ADRESSE);
        const { page } = onglet;
        try {
            const formulaire = page.locator('#mot-de-passe');
            const nouveau = champ(formulaire, 'Nouveau mot de passe');
            await nouveau.fill('court1');
            const regles = formulaire.getByRole('list', { name: 'Votre mot de passe doit contenir :' });
            assert.deepEqual(await regles.locator('li').evaluateAll((els) => els.map((el) => el.dataset.etat)), ['non', 'non', 'non']);
            await nouveau.fill(NOUVEAU_MOT_DE_PASSE);
            assert.deepEqual(await regles.locator('li').evaluateAll((els) => els.map((el) => el.dataset.etat)), ['oui', 'oui', 'oui']);
            await champ(formulaire, 'Mot de passe actuel').fill(DEMO.motDePasse);
            await champ(formulaire, 'Confirmation du nouveau mot de passe').fill(`${NOUVEAU_MOT_DE_PASSE}!`);
            await formulaire.getByRole('button', { name: 'Changer le mot de passe' }).click();
            await page.locator('#mot-de-passe-confirmation-erreur:not([hidden])').waitFor();
            assert.match(await page.locator('#mot-de-passe-confirmation-erreur').innerText(), /ne sont pas identiques/);
            await verifierLargeurs(page, 'the password form with an error');

            await champ(formulaire, 'Confirmation du nouveau mot de passe').fill(NOUVEAU_MOT_DE_PASSE);
            await formulaire.getByRole('button', { name: 'Changer le mot de passe' }).click();
            await attendreIssue(page, formulaire.locator('.zone-message .message--succes'), 'changing the password');
            assert.equal(await nouveau.inputValue(), '', 'the fields are emptied');

            await seDeconnecter(page);
            await seConnecter(page, NOUVELLE_ADRESSE, NOUVEAU_MOT_DE_PASSE);
            assert.match(await page.getByRole('button', { name: /^Mon compte/ }).innerText(), /Sophie/);
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });
});
