// Demandes against the backend (issue #7), as Louis LEFEBVRE (a dwelling
// and a parking space, no request yet), whose account is made here: the
// guide's empty state, a request filed WITH A PHOTO (a real JPEG,
// multipart), refused files and missing fields first; the request in the
// list with its status history; a message added; once the office closes
// it, in the history and closed to messages.
//
// Order matters within this file (one request goes through its life).

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
    avecNavigateur, nouvellePage, champ, ouvrir, attendreRoute, verifierAccessibilite, verifierLargeurs, ouvrirSession,
    creerCompte, sql, valeurSql, fixture, attendreIssue, actif, exigerApi,
} from './lib/portail.js';

const navigateur = avecNavigateur();

const API = ['/api/demandes', '/api/demandes/1', '/api/demandes/1/messages'];

const LOUIS = { reference: '1085835', prenom: 'Louis', email: 'louis.lefebvre@example.org' };
const OBJET = 'Fuite sous l\'évier de la cuisine';
const demande = {};

async function pageDeLouis(route, options) {
    const onglet = await nouvellePage(navigateur(), options);
    await ouvrirSession(onglet.contexte, LOUIS.email);
    await ouvrir(onglet.page, route);
    return onglet;
}

describe('Demandes (issue #7, real backend)', () => {
    it('no request yet: the guide\'s sentence; the history a click away, empty', async () => {
        await exigerApi(...API);
        await creerCompte(LOUIS);
        const onglet = await pageDeLouis('/demandes');
        const { page } = onglet;
        try {
            assert.equal(await page.locator('main h1').innerText(), 'Vos demandes en cours');
            assert.match(await page.locator('main').innerText(), /Vous n'avez actuellement aucune demande\./);
            await verifierLargeurs(page, 'no request');
            await page.getByRole('link', { name: 'consultez l\'historique de vos demandes et réclamations' }).click();
            await attendreRoute(page, '/demandes/historique');
            assert.match(await page.locator('main').innerText(), /Vous n'avez aucune demande clôturée\./);
            assert.equal(await page.locator('header a[data-route="/demandes"]').getAttribute('aria-current'), 'true');
            await verifierLargeurs(page, 'an empty history');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('a new request with a photo: errors first, files checked, sent as multipart, then shown', async () => {
        await exigerApi(...API);
        const onglet = await pageDeLouis('/demandes');
        const { page } = onglet;
        try {
            await page.getByRole('link', { name: 'Faire une nouvelle demande' }).click();
            await attendreRoute(page, '/demandes/nouvelle');
            const formulaire = page.locator('form#demande');

            // nothing filled in
            await page.getByRole('button', { name: 'Envoyer la demande' }).click();
            const resume = formulaire.locator('.resume-erreurs');
            await resume.waitFor();
            assert.ok(await resume.evaluate((el) => el === document.activeElement), 'the summary takes the focus');
            assert.match(await resume.innerText(), /Le formulaire contient 3 erreurs/);
            assert.match(await resume.innerText(), /Veuillez choisir la catégorie de votre demande\./);
            await resume.getByRole('link', { name: 'Veuillez indiquer l\'objet de votre demande.' }).click();
            assert.equal(await actif(page), 'INPUT#demande-objet', 'a link of the summary goes to its field');
            await verifierLargeurs(page, 'the request form with its errors');

            // the contracts, the dwelling first and chosen
            const contrat = champ(formulaire, 'Contrat concerné');
            assert.deepEqual(await contrat.locator('option').allInnerTexts(),
                ['Contrat n° L/2664166 – Logement', 'Contrat n° L/2278674 – Stationnement']);
            assert.equal(await contrat.inputValue(), '2664166');

            // files refused before sending; then the photo
            const fichiers = formulaire.getByLabel('Photos ou documents', { exact: true });
            await fichiers.setInputFiles([
                { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('pas une photo') },
                { name: 'video.mp4', mimeType: 'video/mp4', buffer: Buffer.from('pas une photo non plus') },
            ]);
            assert.match(await formulaire.locator('#demande-pieces-erreur').innerText(),
                /« notes\.txt » n'est pas au bon format.*« video\.mp4 » n'est pas au bon format/s);
            await fichiers.setInputFiles(fixture('photo-fuite.jpg'));
            const choisis = formulaire.getByRole('list', { name: 'Fichiers choisis : Photos ou documents' });
            await choisis.locator('img').waitFor();
            assert.match(await choisis.innerText(), /photo-fuite\.jpg \(JPEG, 2 Ko\)/, 'name, type and size');
            assert.equal(await formulaire.locator('#demande-pieces-erreur').isHidden(), true);
            assert.equal(await choisis.locator('img').getAttribute('alt'), '', 'the preview is decorative: the name says it');
            assert.match(await choisis.locator('img').getAttribute('src'), /^data:image\/jpeg;base64,/, 'a data: URL (the CSP)');
            // a second file, then removed again
            await fichiers.setInputFiles({ name: 'devis.pdf', mimeType: 'application/pdf', buffer: await readFile(fixture('avis-imposition-2024.pdf')) });
            assert.equal(await choisis.locator('li').count(), 2);
            await choisis.getByRole('button', { name: 'Retirer devis.pdf' }).click();
            assert.equal(await choisis.locator('li').count(), 1);
            assert.equal(await actif(page), 'INPUT#demande-pieces');

            await formulaire.getByLabel(/^Demande :/).check();
            await champ(formulaire, 'Catégorie').selectOption({ label: 'Problème technique dans le logement' });
            await champ(formulaire, 'Objet').fill(OBJET);
            await champ(formulaire, 'Description').fill('Une fuite d\'eau sous l\'évier depuis hier soir.\nLe placard est humide.');
            await champ(formulaire, 'Quand préférez-vous être contacté(e) ?').selectOption({ label: 'Le matin' });
            await verifierAccessibilite(page, 'the request form, filled in');
            const envoi = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/api/demandes'));
            await page.getByRole('button', { name: 'Envoyer la demande' }).click();
            const requete = await envoi;
            assert.match(requete.headers()['content-type'], /^multipart\/form-data; boundary=/);
            assert.ok(requete.headers()['x-csrf-token'], 'the CSRF token');
            await attendreRoute(page, /^\/demandes\/\d+$/);
            demande.id = (await page.evaluate(() => window.location.hash)).split('/').pop();

            const main = page.locator('main');
            assert.equal(await page.locator('main h1').innerText(), OBJET);
            assert.match(await main.locator('.message--flash').innerText(), /Votre demande n° D\d{4}-\d+ est enregistrée/);
            assert.match(await main.innerText(), /Statut : Nouvelle/);
            assert.match(await main.innerText(), /Le matin/);
            assert.match(await main.innerText(), /depuis hier soir\.\nLe placard est humide\./, 'line breaks kept');
            const piece = main.getByRole('link', { name: /photo-fuite\.jpg/ });
            assert.match(await piece.innerText(), /photo-fuite\.jpg \(JPEG, 2 Ko\)/);
            const [telechargement] = await Promise.all([page.waitForEvent('download'), piece.click()]);
            const octets = await readFile(await telechargement.path());
            assert.equal(octets.subarray(0, 3).toString('hex'), 'ffd8ff', 'a JPEG comes back');
            assert.deepEqual(await sql(`SELECT d.type, d.categorie, d.creneau_contact, c.numero, count(p.id)
                FROM portail.demande d JOIN portail.contrat c ON c.id = d.contrat_id
                LEFT JOIN portail.demande_piece p ON p.demande_id = d.id
                WHERE d.id = :'id' GROUP BY 1, 2, 3, 4`, { id: demande.id }),
            [['demande', 'technique_logement', 'matin', 'L/2664166', '1']]);
            await verifierLargeurs(page, 'the request just filed');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('the request in the list with its status history; a message added to it', async () => {
        assert.ok(demande.id, 'the previous test filed a request');
        const onglet = await pageDeLouis('/demandes');
        const { page } = onglet;
        try {
            const carte = page.locator('main li.demande').filter({ hasText: OBJET });
            assert.equal(await carte.count(), 1);
            assert.match(await carte.innerText(), /Statut : Nouvelle depuis le/);
            assert.match(await carte.innerText(), /L\/2664166/);
            await carte.getByText('Historique du suivi (1 étape)').click();
            assert.match(await carte.locator('.historique').innerText(), /Nouvelle \(par vous\)/);
            await verifierLargeurs(page, 'the list of requests');

            await carte.getByRole('link', { name: OBJET }).click();
            await attendreRoute(page, `/demandes/${demande.id}`);
            const formulaire = page.locator('form#message');
            await formulaire.getByRole('button', { name: 'Envoyer le message' }).click();
            await page.locator('#message-texte-erreur:not([hidden])').waitFor();
            await verifierAccessibilite(page, 'an empty message refused');
            await champ(formulaire, 'Votre message').fill('Je suis disponible mardi matin.\nMerci.');
            await formulaire.getByRole('button', { name: 'Envoyer le message' }).click();
            await attendreIssue(page, formulaire.locator('.zone-message .message--succes'), 'sending a message');
            const messages = page.getByRole('region', { name: 'Échanges avec l\'office' });
            assert.match(await messages.innerText(), /Louis LEFEBVRE, le .*\n+Je suis disponible mardi matin\.\nMerci\./);
            assert.equal(await champ(formulaire, 'Votre message').inputValue(), '', 'emptied');
            assert.equal(await valeurSql(`SELECT count(*) FROM portail.demande_message WHERE demande_id = :'id' AND texte = :'texte'`,
                { id: demande.id, texte: 'Je suis disponible mardi matin.\nMerci.' }), '1', 'recorded, line break included');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('closed by the office: in the history, no more messages', async () => {
        assert.ok(demande.id, 'the first test filed a request');
        await sql(`UPDATE portail.demande SET statut = 'resolue', statut_le = now() WHERE id = :'id';
            INSERT INTO portail.demande_statut (demande_id, statut, auteur, commentaire) VALUES (:'id', 'resolue', 'office', 'Joint remplacé le 3 décembre.')`,
        { id: demande.id });
        const onglet = await pageDeLouis('/demandes');
        const { page } = onglet;
        try {
            assert.match(await page.locator('main').innerText(), /Vous n'avez actuellement aucune demande\./);
            await page.getByRole('link', { name: 'consultez l\'historique de vos demandes et réclamations' }).click();
            await attendreRoute(page, '/demandes/historique');
            const carte = page.locator('main li.demande').filter({ hasText: OBJET });
            assert.match(await carte.innerText(), /Statut : Résolue/);
            await carte.getByText(/Historique du suivi/).click();
            assert.match(await carte.innerText(), /« Joint remplacé le 3 décembre\. »/);
            await page.getByRole('link', { name: /^Réclamations seulement/ }).click();
            await attendreRoute(page, '/demandes/historique?type=reclamation');
            assert.match(await page.locator('main').innerText(), /Vous n'avez aucune réclamation clôturée\./);
            await verifierLargeurs(page, 'the history, complaints only');

            await ouvrir(page, `/demandes/${demande.id}`);
            assert.match(await page.locator('main').innerText(), /Cette demande est clôturée/);
            assert.equal(await page.locator('form#message').count(), 0);

            // someone else's request, or none
            const autre = await valeurSql(`SELECT d.id FROM portail.demande d JOIN portail.contrat c ON c.id = d.contrat_id
                WHERE c.numero = 'L/2087412' LIMIT 1`);
            await ouvrir(page, `/demandes/${autre}`);
            assert.match(await page.locator('main').innerText(), /Cette demande n'existe pas ou ne concerne pas vos contrats\./);
            await verifierAccessibilite(page, 'another tenant\'s request');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });
});
