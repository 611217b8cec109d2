// Enquête sociale against the backend and the demo data (issue #7), as
// Émilie LECOMTE (client reference 5828678: she and Hugo MORIN sign the
// lease of L/2570151, their son Laurent lives with them; the demo data
// addresses them this year's SLS survey), whose account is made here.
// Hélène LEFÈVRE, whom the demo data also gives an SLS survey, is
// documents-paiement.test.js's, and files run at the same time.
//
// The list (the survey, its deadline, "À compléter"); the form with the
// household as the office knows it; a person added, the incomes of year
// N-2 typed the French way (one refused first), a draft saved, kept
// across a reload and in the database; tax notices refused (too large,
// not a PDF) then one joined; the confirmation step, then the survey sent:
// read-only and dated, "envoyee" in the database with its attachment.
//
// Order matters within this file (one survey goes through its life).

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
    avecNavigateur, nouvellePage, champ, ouvrir, attendreRoute, attendrePage, verifierAccessibilite, verifierLargeurs,
    ouvrirSession, creerCompte, sql, valeurSql, fixture, attendreIssue, actif, exigerApi, URL_PORTAIL,
} from './lib/portail.js';

const navigateur = avecNavigateur();

const API = ['/api/enquetes', '/api/enquetes/1', '/api/enquetes/1/pieces/1'];

const EMILIE = { reference: '5828678', prenom: 'Émilie', email: 'emilie.lecomte@example.org' };
const CONTRAT = 'L/2570151';
const AVIS = 'avis-imposition-2024.pdf';

// The survey as the database has it: { id, titre, annee, limite, type }.
const enquete = {};

const texteDe = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ');

before(async () => {
    await creerCompte(EMILIE);
    const [ligne] = await sql(`SELECT e.id, c.definition ->> 'titre', c.annee, c.date_limite, c.type
        FROM portail.enquete e JOIN portail.enquete_campagne c ON c.id = e.campagne_id
        JOIN portail.contrat k ON k.id = e.contrat_id
        WHERE k.numero = :'contrat' AND c.type = 'SLS'`, { contrat: CONTRAT });
    assert.ok(ligne, `the demo data gives ${CONTRAT} an SLS survey`);
    [enquete.id, enquete.titre, enquete.annee, enquete.limite, enquete.type] = ligne;
});

// Runs `corps(page, onglet)` on `route`, signed in as Émilie; then no CSP
// violation nor script error may have happened.
async function chezEmilie(route, corps) {
    const onglet = await nouvellePage(navigateur());
    try {
        await ouvrirSession(onglet.contexte, EMILIE.email);
        await ouvrir(onglet.page, route);
        await corps(onglet.page, onglet);
        onglet.verifierPropre();
    } finally {
        await onglet.fermer();
    }
}

// "2026-12-17" → "17 décembre 2026", as the page writes deadlines.
function dateLongue(iso) {
    return new Intl.DateTimeFormat('fr-FR', { day: '2-digit', month: 'long', year: 'numeric', timeZone: 'UTC' })
        .format(new Date(`${iso}T00:00:00Z`));
}

// Today in La Rochelle, dd/mm/yyyy.
function aujourdhuiCourt() {
    return new Intl.DateTimeFormat('fr-FR', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'Europe/Paris' })
        .format(new Date());
}

// The people of the household's form: one card each.
const personnes = (page) => page.locator('main form#enquete li.personne');

async function valeursPersonne(carte) {
    return {
        nom: await champ(carte, 'Nom').inputValue(),
        prenom: await champ(carte, 'Prénom').inputValue(),
        naissance: await champ(carte, 'Date de naissance').inputValue(),
        lien: await champ(carte, 'Lien avec le signataire').inputValue(),
    };
}

describe('Enquête sociale (issue #7, real backend)', () => {
    it('the list: the SLS survey, its deadline, to be completed', async () => {
        await exigerApi(...API);
        await chezEmilie('/accueil', async (page) => {
            await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Enquête sociale' }).click();
            await attendreRoute(page, '/enquete-sociale');
            assert.equal(await page.locator('main h1').innerText(), 'Enquête sociale');
            const cartes = page.getByRole('list', { name: 'Vos enquêtes' }).locator('li.enquete');
            assert.equal(await cartes.count(), 1, 'one survey for this household');
            const carte = cartes.first();
            assert.equal(await carte.locator('h2').innerText(), enquete.titre);
            const texte = await texteDe(carte);
            assert.match(texte, /Statut\s*:?\s*À compléter/);
            assert.match(texte, new RegExp(`Contrat\\s*:?\\s*${CONTRAT.replace('/', '\\/')}`));
            assert.match(texte, new RegExp(`Date limite de réponse\\s*:?\\s*${dateLongue(enquete.limite)}`), 'the deadline, in French');
            assert.match(texte, /25,00\s€/, 'the SLS file fee, from the campaign');
            assert.doesNotMatch(texte, /Brouillon enregistré/);
            await verifierLargeurs(page, 'the list of surveys');
            await carte.getByRole('link', { name: `Répondre à l'enquête SLS ${enquete.annee}` }).click();
            await attendreRoute(page, `/enquete-sociale/${enquete.id}`);
            assert.equal(await page.locator('main h1').innerText(), enquete.titre);
        });
    });

    it('the form: the household as the office knows it, corrected, incomes typed the French way, a draft kept', async () => {
        assert.ok(enquete.id, 'the survey was found');
        await chezEmilie(`/enquete-sociale/${enquete.id}`, async (page) => {
            const formulaire = page.locator('main form#enquete');
            assert.match(await texteDe(page.locator('main')), /Statut\s*:?\s*À compléter/);
            assert.match(await texteDe(page.locator('main')), /CCH art\. L441-3 à L441-9/);

            // the household the office knows, in its order
            assert.equal(await personnes(page).count(), 3);
            assert.deepEqual(await valeursPersonne(personnes(page).nth(0)),
                { nom: 'MORIN', prenom: 'Hugo', naissance: '1985-09-18', lien: 'signataire' });
            assert.deepEqual(await valeursPersonne(personnes(page).nth(1)),
                { nom: 'LECOMTE', prenom: 'Émilie', naissance: '1987-12-23', lien: 'signataire' });
            assert.deepEqual(await valeursPersonne(personnes(page).nth(2)),
                { nom: 'MORIN', prenom: 'Laurent', naissance: '2016-09-14', lien: 'enfant' });
            // an income per adult: the child has none
            const revenus = formulaire.getByLabel(/, en euros/);
            assert.deepEqual(await revenus.evaluateAll((champs) => champs.map((c) => c.labels[0].textContent.replace(/\s*\*$/, '').trim())),
                ['Hugo MORIN, en euros', 'Émilie LECOMTE, en euros']);
            await verifierLargeurs(page, 'the survey form');

            // Émilie's mother lives with them since the summer: added,
            // she is an adult, so her income is asked for too
            await formulaire.getByRole('button', { name: 'Ajouter une personne au foyer' }).click();
            assert.equal(await personnes(page).count(), 4);
            const odette = personnes(page).nth(3);
            assert.equal(await actif(page), `INPUT#${await champ(odette, 'Nom').getAttribute('id')}`, 'the new person\'s first field has the focus');
            assert.match(await odette.locator('h3').innerText(), /ajoutée par vous/);
            await champ(odette, 'Nom').fill('LECOMTE');
            await champ(odette, 'Prénom').fill('Odette');
            await champ(odette, 'Date de naissance').fill('1948-05-02');
            await champ(odette, 'Date de naissance').dispatchEvent('change');
            await champ(odette, 'Lien avec le signataire').selectOption('ascendant');
            await champ(formulaire, 'Odette LECOMTE, en euros').waitFor();

            await formulaire.getByRole('radio', { name: 'Concubinage' }).check();
            await formulaire.getByRole('group', { name: /carte mobilité inclusion/ }).getByRole('radio', { name: 'Non' }).check();
            // cents are refused by the page
            await champ(formulaire, 'Hugo MORIN, en euros').fill('21 480,50');
            await formulaire.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
            const resume = formulaire.locator('.resume-erreurs');
            await resume.waitFor();
            assert.match(await resume.innerText(), /Veuillez indiquer un montant en euros, sans centimes ni virgule/);
            await verifierAccessibilite(page, 'the survey form with an income refused');
            // thousands separated by a space, or a narrow no-break one, as French writes them
            await champ(formulaire, 'Hugo MORIN, en euros').fill('21 480');
            await champ(formulaire, 'Émilie LECOMTE, en euros').fill('18\u202f950');
            await champ(formulaire, 'Odette LECOMTE, en euros').fill('9870');
            await formulaire.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
            await attendreIssue(page, formulaire.locator('.message--succes').filter({ hasText: 'Vos réponses sont enregistrées' }), 'saving the draft');
            assert.match(await texteDe(formulaire.locator('.message--succes')), /brouillon du \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2}.*pas encore transmises/);

            // in the database: the answers as the API keeps them
            const brouillon = JSON.parse(await valeurSql(`SELECT json_build_object('reponses', reponses, 'statut', statut,
                'modifie', modifie_par_compte_le IS NOT NULL, 'soumise', soumise_le) FROM portail.enquete WHERE id = :'id'`, { id: enquete.id }));
            assert.equal(brouillon.statut, 'a_completer');
            assert.equal(brouillon.modifie, true, 'modifie_par_compte_le recorded');
            assert.equal(brouillon.soumise, null);
            const { reponses } = brouillon;
            assert.equal(reponses.situation_familiale, 'concubinage');
            assert.equal(reponses.handicap, false);
            assert.deepEqual(reponses.composition.map((p) => [p.prenom, p.nom, p.date_naissance, p.lien]), [
                ['Hugo', 'MORIN', '1985-09-18', 'signataire'],
                ['Émilie', 'LECOMTE', '1987-12-23', 'signataire'],
                ['Laurent', 'MORIN', '2016-09-14', 'enfant'],
                ['Odette', 'LECOMTE', '1948-05-02', 'ascendant'],
            ]);
            const cle = Object.fromEntries(reponses.composition.map((p) => [p.prenom, p.cle]));
            assert.ok(cle.Odette && !/^o\d+$/.test(cle.Odette), 'a new person is not an occupant of the office');
            assert.deepEqual(reponses.revenus, { [cle.Hugo]: 21480, [cle['Émilie']]: 18950, [cle.Odette]: 9870 },
                'whole euros, as JSON integers');

            // reloaded: the draft is there
            await page.reload();
            await attendrePage(page);
            assert.match(await texteDe(page.locator('main')), /Brouillon enregistré le \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2}/);
            assert.equal(await personnes(page).count(), 4);
            assert.deepEqual(await valeursPersonne(personnes(page).nth(3)),
                { nom: 'LECOMTE', prenom: 'Odette', naissance: '1948-05-02', lien: 'ascendant' });
            assert.equal(await champ(formulaire, 'Hugo MORIN, en euros').inputValue(), '21480');
            assert.equal(await champ(formulaire, 'Émilie LECOMTE, en euros').inputValue(), '18950');
            assert.equal(await champ(formulaire, 'Odette LECOMTE, en euros').inputValue(), '9870');
            assert.equal(await formulaire.getByRole('radio', { name: 'Concubinage' }).isChecked(), true);
            await verifierAccessibilite(page, 'the survey form with its draft');

            // the list says a draft is there
            await page.getByRole('link', { name: 'Retour à vos enquêtes' }).click();
            await attendreRoute(page, '/enquete-sociale');
            const carte = page.locator('main li.enquete');
            assert.match(await texteDe(carte), /Brouillon enregistré le \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2}/);
            assert.equal(await carte.getByRole('link', { name: `Continuer l'enquête SLS ${enquete.annee}` }).count(), 1);
        });
    });

    it('tax notices: a file too large and a fake PDF refused, then the notice joined', async () => {
        assert.ok(enquete.id, 'the survey was found');
        await chezEmilie(`/enquete-sociale/${enquete.id}`, async (page, onglet) => {
            const formulaire = page.locator('main form#enquete');
            const pieces = formulaire.locator('fieldset.question-pieces');
            assert.match(await pieces.innerText(), /Aucun document joint pour le moment\./);
            assert.deepEqual(await champ(pieces, 'Document de').locator('option').allInnerTexts(),
                ['Hugo MORIN', 'Émilie LECOMTE', 'Odette LECOMTE', 'Tout le foyer'], 'the adults of the draft');
            const fichiers = champ(pieces, 'Fichiers à joindre');
            const erreur = pieces.locator('.erreur-champ:not([hidden])');

            // too large: refused by the page before any upload
            await fichiers.setInputFiles({ name: 'avis-scanne.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(6 * 1024 * 1024, 0x25) });
            assert.match(await erreur.innerText(), /« avis-scanne\.pdf » est trop volumineux \(6 Mo\) : 5 Mo au maximum\./);
            await verifierAccessibilite(page, 'a file refused for its size');

            // a text file named .pdf: the page lets it go, the server
            // looks at its content
            await fichiers.setInputFiles({ name: 'avis.pdf', mimeType: 'application/pdf', buffer: Buffer.from('Ceci n\'est pas un avis d\'imposition.\n') });
            assert.equal(await erreur.count(), 0);
            const refus = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/api/enquetes/${enquete.id}/pieces`));
            await pieces.getByRole('button', { name: 'Joindre ces fichiers' }).click();
            assert.equal((await refus).status(), 422);
            await erreur.waitFor();
            assert.match(await erreur.innerText(), /Ce type de fichier n'est pas accepté : déposez un PDF/);
            assert.equal(await actif(page), `INPUT#${await fichiers.getAttribute('id')}`, 'the focus back on the file field');
            assert.equal(await valeurSql(`SELECT count(*) FROM portail.enquete_piece WHERE enquete_id = :'id'`, { id: enquete.id }), '0');
            await verifierAccessibilite(page, 'a fake PDF refused by the server');

            // the real notice, Émilie's
            await champ(pieces, 'Document de').selectOption('Émilie LECOMTE');
            await champ(pieces, 'Type de document').selectOption('avis_imposition');
            await fichiers.setInputFiles([]);
            const choisis = pieces.getByRole('list', { name: 'Fichiers choisis : Fichiers à joindre' });
            for (const bouton of await choisis.getByRole('button', { name: /^Retirer/ }).all()) {
                await bouton.click();
            }
            await fichiers.setInputFiles(fixture(AVIS));
            assert.match(await choisis.innerText(), new RegExp(`${AVIS.replace(/\./g, '\\.')} \\(PDF, `));
            const envoi = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/enquetes/${enquete.id}/pieces`));
            await pieces.getByRole('button', { name: 'Joindre ces fichiers' }).click();
            const requete = await envoi;
            assert.match(requete.headers()['content-type'], /^multipart\/form-data; boundary=/);
            assert.ok(requete.headers()['x-csrf-token'], 'the CSRF token');
            await attendreIssue(page, pieces.locator('.message--succes'), 'joining the tax notice');
            assert.match(await pieces.locator('.message--succes').innerText(), new RegExp(`${AVIS.replace(/\./g, '\\.')} : joint à votre enquête\\.`));
            const joints = pieces.getByRole('list', { name: 'Documents joints' });
            assert.equal(await joints.locator('li').count(), 1);
            assert.match(await texteDe(joints), new RegExp(`: Avis d'imposition de Émilie LECOMTE, déposé le ${aujourdhuiCourt()}`),
                'whose it is and when, dd/mm/yyyy');
            // what was stored comes back
            const lien = joints.getByRole('link', { name: new RegExp(AVIS.replace(/\./g, '\\.')) });
            const reponse = await onglet.contexte.request.get(new URL(await lien.getAttribute('href'), URL_PORTAIL).href);
            assert.equal(reponse.status(), 200, `${await lien.getAttribute('href')}: ${await reponse.text()}`);
            assert.match(reponse.headers()['content-type'], /^application\/pdf/);
            assert.match(reponse.headers()['content-disposition'], /^attachment;/);
            // A point on the name itself: Playwright's default point (the
            // centre of the link's first fragment, once it has scrolled
            // the page smoothly) was reported covered by the link's parent
            // span, though document.elementFromPoint finds the link all
            // along its line.
            const [telechargement] = await Promise.all([page.waitForEvent('download'), lien.click({ position: { x: 20, y: 9 } })]);
            const octets = await readFile(await telechargement.path());
            assert.equal(octets.subarray(0, 5).toString('latin1'), '%PDF-', 'a PDF comes back');
            assert.deepEqual(await sql(`SELECT nature, concerne, nom_origine, mime, taille > 0
                FROM portail.enquete_piece WHERE enquete_id = :'id'`, { id: enquete.id }),
            [['avis_imposition', 'Émilie LECOMTE', AVIS, 'application/pdf', 't']]);
            await verifierLargeurs(page, 'the survey form with its tax notice');
        });
    });

    it('sent: confirmation first, then read-only and dated; envoyee in the database with its notice', async () => {
        assert.ok(enquete.id, 'the survey was found');
        await chezEmilie(`/enquete-sociale/${enquete.id}`, async (page) => {
            const formulaire = page.locator('main form#enquete');
            const bouton = formulaire.getByRole('button', { name: 'Envoyer mes réponses' });

            // the confirmation step: "Non" goes back, nothing sent
            await bouton.click();
            const confirmation = page.getByRole('group', { name: 'Envoyer vos réponses à l\'office ?' });
            await attendreIssue(page, confirmation, 'the survey complete for sending');
            assert.match(await confirmation.innerText(), /ne pourront plus être modifiés/);
            await verifierAccessibilite(page, 'the confirmation before sending');
            await confirmation.getByRole('button', { name: 'Non, revenir à mes réponses' }).click();
            assert.equal(await confirmation.count(), 0);
            assert.equal(await actif(page), 'BUTTON:Envoyer mes réponses', 'the focus back on the button');
            assert.equal(await valeurSql(`SELECT statut FROM portail.enquete WHERE id = :'id'`, { id: enquete.id }), 'a_completer');

            await bouton.click();
            await confirmation.waitFor();
            const envoi = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/api/enquetes/${enquete.id}/envoi`));
            await confirmation.getByRole('button', { name: 'Oui, envoyer mes réponses' }).click();
            assert.equal((await envoi).status(), 200);
            const envoyee = page.locator('main .message--succes').filter({ hasText: 'Enquête envoyée' });
            await attendreIssue(page, envoyee, 'sending the survey');
            assert.ok(await envoyee.evaluate((el) => el === document.activeElement || el.contains(document.activeElement)),
                'the confirmation takes the focus');
            const main = page.locator('main');
            assert.match(await texteDe(envoyee),
                /Vos réponses ont été envoyées à l'office le \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2} par Émilie LECOMTE\. Elles ne peuvent plus être modifiées/);
            assert.match(await texteDe(main), /Statut\s*:?\s*Envoyée/);
            // read-only: no form, no field, no button but the download
            assert.equal(await page.locator('main form, main input, main select, main textarea, main button').count(), 0, 'read-only');
            const texte = await texteDe(main);
            assert.match(texte, /Odette LECOMTE, né\(e\) le 02\/05\/1948 \(Ascendant/);
            assert.match(texte, /Émilie LECOMTE : 18\s950\s€/);
            assert.match(texte, /Hugo MORIN : 21\s480\s€/);
            assert.match(texte, /concubinage/i);
            assert.equal(await main.getByRole('list', { name: 'Documents joints' }).getByRole('link', { name: new RegExp(AVIS.replace(/\./g, '\\.')) }).count(), 1);
            await verifierLargeurs(page, 'the survey sent');

            // in the database: sent, by Émilie, with its notice
            assert.deepEqual(await sql(`SELECT e.statut, e.soumise_le IS NOT NULL, k.email,
                    (SELECT count(*) FROM portail.enquete_piece p WHERE p.enquete_id = e.id AND p.nature = 'avis_imposition'
                        AND substring(p.contenu FROM 1 FOR 5) = '%PDF-'::bytea)
                FROM portail.enquete e JOIN portail.compte k ON k.id = e.soumise_par_compte_id
                WHERE e.id = :'id'`, { id: enquete.id }),
            [['envoyee', 't', EMILIE.email, '1']]);

            // reloaded, and in the list
            await page.reload();
            await attendrePage(page);
            assert.equal(await page.locator('main form').count(), 0, 'still read-only');
            await page.getByRole('link', { name: 'Retour à vos enquêtes' }).click();
            await attendreRoute(page, '/enquete-sociale');
            const carte = page.locator('main li.enquete');
            assert.match(await texteDe(carte), /Statut\s*:?\s*Envoyée/);
            assert.match(await texteDe(carte), /Envoyée\s*:?\s*le \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2} par Émilie LECOMTE/);
            assert.equal(await carte.getByRole('link', { name: `Consulter vos réponses à l'enquête SLS ${enquete.annee}` }).count(), 1);
            await verifierLargeurs(page, 'the list with the survey sent');
        });
    });

    it('another household\'s survey is not shown', async () => {
        const autre = await valeurSql(`SELECT e.id FROM portail.enquete e JOIN portail.contrat c ON c.id = e.contrat_id
            WHERE c.numero = 'L/2045678'`);
        assert.ok(autre, 'Hélène LEFÈVRE\'s survey');
        await chezEmilie(`/enquete-sociale/${autre}`, async (page) => {
            assert.match(await page.locator('main').innerText(), /Cette enquête n'existe pas ou ne concerne pas votre foyer\./);
            await verifierAccessibilite(page, 'another household\'s survey');
        });
    });
});
