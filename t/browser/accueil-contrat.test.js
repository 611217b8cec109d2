// Accueil and Contrat against the backend and the demo data (issue #5):
// Jean MARTIN's home page (balance in words, next due date, insurance to
// send, the survey, his requests, the profile's news) and a news item;
// his contract's tabs with the keyboard; occupants added, changed and
// removed; the billing address changed; a certificate refused by the
// browser, then sent and downloaded, and the home page after it.  Olivier
// BERNARD (a dwelling and a parking space) chooses his contract with the
// keyboard, and the choice follows him.
//
// Order matters within this file: the home page is read before the
// certificate is sent.  Other files do not touch Jean's contract.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
    avecNavigateur, nouvellePage, champ, ouvrir, attendreRoute, attendrePage, verifierAccessibilite,
    verifierSansDefilementHorizontal, verifierLargeurs, routeCourante, ouvrirSession, creerCompte, sql, valeurSql,
    fixture, attendreIssue, actif, exigerApi, DEMO,
} from './lib/portail.js';

const navigateur = avecNavigateur();

const API = ['/api/accueil', '/api/actualites/1', '/api/contrats', '/api/contrats/2087412/occupants',
    '/api/contrats/2087412/adresse-facturation', '/api/contrats/2087412/assurance'];

const JEAN = DEMO.email;

// Dates the server computes in Europe/Paris: today there, and a year on.
async function dates() {
    const [[aujourdhui, dansUnAn]] = await sql(`SELECT (now() AT TIME ZONE 'Europe/Paris')::date::text,
        ((now() AT TIME ZONE 'Europe/Paris')::date + 364)::text`);
    return { aujourdhui, dansUnAn };
}

async function pageDe(email, route, options) {
    const onglet = await nouvellePage(navigateur(), options);
    await ouvrirSession(onglet.contexte, email);
    await ouvrir(onglet.page, route);
    return onglet;
}

describe('Accueil (issue #5, real backend)', () => {
    it('Jean\'s home page: balance in words with its date, due date, insurance to send, survey, requests, news', async () => {
        await exigerApi(...API);
        const onglet = await pageDe(JEAN, '/accueil');
        const { page } = onglet;
        try {
            const main = page.locator('main');
            const texte = (await main.innerText()).replace(/\s+/g, ' ');
            const [[soldeAu, echeance]] = await sql(`SELECT to_char(solde_au AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD'), jour_echeance
                FROM portail.contrat WHERE numero = 'L/2087412'`);
            const dateLongue = new Intl.DateTimeFormat('fr-FR', { day: '2-digit', month: 'long', year: 'numeric', timeZone: 'UTC' })
                .format(new Date(`${soldeAu}T00:00:00Z`));
            assert.match(texte, new RegExp(`Solde de votre compte au ${dateLongue}`), 'the balance\'s date, written long');
            assert.match(texte, /150,00\s€ en votre faveur \(crédit\)/, 'a credit said in words, not by colour alone');
            assert.match(texte, new RegExp(`Prochaine échéance ${String(echeance).padStart(2, '0')} [a-zéû]+ \\d{4}`), 'the next due date');
            assert.match(texte, /643,64\s€/, 'with its amount');
            assert.match(texte, /Nous n'avons pas d'attestation d'assurance habitation pour ce logement\./);
            const lienAssurance = page.getByRole('link', { name: 'Transmettre votre attestation d\'assurance habitation' });
            assert.equal(await lienAssurance.getAttribute('href'), '#/contrat?contrat=2087412&onglet=assurance');
            assert.match(texte, /Enquête SLS \d{4} \(contrat n° L\/2087412\) : à compléter avant le/);
            assert.equal(await page.getByRole('link', { name: /^Répondre à l'enquête SLS/ }).getAttribute('href'),
                `#/enquete-sociale/${await valeurSql(`SELECT e.id FROM portail.enquete e JOIN portail.contrat c ON c.id = e.contrat_id
                    WHERE c.numero = 'L/2087412'`)}`);
            assert.match(texte, /Vous avez 2 demandes en cours\./);
            assert.match(texte, /Robinet de la salle de bains qui fuit \(n° D\d{4}-000001\) : Nouvelle/);

            // the news: the guide's title, newest first, dates in French
            const actualites = page.getByRole('region', { name: 'Liste des dernières actualités de votre profil' });
            const titres = await actualites.getByRole('heading', { level: 3 }).allInnerTexts();
            assert.ok(titres.length >= 3, `several news items: ${titres}`);
            assert.equal(titres[0], 'Enquête sociale : répondez en ligne', 'the newest first');
            assert.ok(titres.includes('Le Clos des Mouettes : entretien des espaces verts'), 'his residence\'s');
            const publiees = await actualites.locator('time').evaluateAll((els) => els.map((el) => el.getAttribute('datetime')));
            assert.deepEqual(publiees, [...publiees].sort().reverse(), 'newest first');
            assert.match(await actualites.locator('.actualite-date').first().innerText(), /^Publiée le \d{2} [a-zéû]+ \d{4}$/);
            await verifierLargeurs(page, 'Jean\'s home page');

            await actualites.getByRole('link', { name: titres[0] }).click();
            await attendreRoute(page, /^\/actualites\/\d+$/);
            assert.equal(await page.locator('main h1').innerText(), titres[0]);
            assert.equal(await page.title(), `${titres[0]} – Portail locataire`);
            assert.match(await main.innerText(), /avis d'imposition\./, 'the text in full');
            assert.equal(await actif(page), `H1:${titres[0]}`);
            assert.equal(await page.getByRole('link', { name: 'Accueil', exact: true }).getAttribute('aria-current'), 'true',
                'the home page\'s section stays lit');
            await verifierLargeurs(page, 'a news item');
            await page.getByRole('link', { name: 'Retour à l\'accueil' }).click();
            await attendreRoute(page, '/accueil');

            // another tenant's news item, or one that does not exist
            await ouvrir(page, '/actualites/999999');
            assert.match(await main.innerText(), /Cette actualité n'existe pas ou n'est plus en ligne\./);
            await verifierAccessibilite(page, 'a news item that does not exist');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });
});

describe('Contrat (issue #5, real backend)', () => {
    it('the four tabs with the keyboard only; the tab is kept in the address', async () => {
        await exigerApi(...API);
        const onglet = await pageDe(JEAN, '/accueil');
        const { page } = onglet;
        try {
            await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Contrat' }).focus();
            await page.keyboard.press('Enter');
            await attendreRoute(page, '/contrat');
            assert.equal(await actif(page), 'H1:Votre contrat');
            assert.equal(await page.getByRole('heading', { level: 2 }).first().innerText(), 'Contrat n° L/2087412 – Logement');
            const liste = page.getByRole('tablist', { name: 'Rubriques du contrat n° L/2087412' });
            assert.deepEqual(await liste.getByRole('tab').allInnerTexts(),
                ['Données du contrat', 'Occupants', 'Adresse de facturation', 'Assurance habitation'], 'the guide\'s tabs');
            const panneau = page.getByRole('tabpanel');
            assert.match(await panneau.innerText(), /Le Clos des Mouettes/);
            assert.match(await panneau.innerText(), /M\. Jean MARTIN, Mme Sophie MARTIN-LEROY/);
            assert.match(await panneau.innerText(), /Total mensuel\s*:?\s*643,64\s€/);

            // one Tab stop for the whole tab list: the selected tab
            await page.keyboard.press('Tab');
            assert.equal(await actif(page), 'BUTTON:Données du contrat');
            await page.keyboard.press('ArrowRight');
            assert.equal(await actif(page), 'BUTTON:Occupants');
            assert.equal(await page.getByRole('tab', { name: 'Occupants' }).getAttribute('aria-selected'), 'true');
            assert.match(await page.getByRole('tabpanel').innerText(), /Occupants du logement/);
            assert.equal(await routeCourante(page), '/contrat?onglet=occupants');
            await page.keyboard.press('End');
            assert.equal(await actif(page), 'BUTTON:Assurance habitation');
            await page.keyboard.press('ArrowRight');
            assert.equal(await actif(page), 'BUTTON:Données du contrat', 'wraps around');
            await page.keyboard.press('ArrowLeft');
            assert.equal(await actif(page), 'BUTTON:Assurance habitation');
            await page.keyboard.press('Home');
            await page.keyboard.press('ArrowRight');
            await page.keyboard.press('ArrowRight');
            assert.equal(await actif(page), 'BUTTON:Adresse de facturation');
            assert.equal(await routeCourante(page), '/contrat?onglet=facturation');
            assert.equal(await page.getByRole('tab', { selected: false }).count(), 3);
            // Tab leaves the list for the panel
            await page.keyboard.press('Tab');
            assert.equal(await page.evaluate(() => document.activeElement.getAttribute('role')), 'tabpanel');
            await verifierLargeurs(page, 'the contract\'s billing address tab');

            // the address opens the same tab (a link from the home page)
            await ouvrir(page, '/contrat?contrat=2087412&onglet=assurance');
            assert.equal(await page.getByRole('tab', { name: 'Assurance habitation' }).getAttribute('aria-selected'), 'true');
            await ouvrir(page, '/contrat?contrat=2013936');
            assert.match(await page.locator('main').innerText(), /Contrat n° L\/2087412/, 'another tenant\'s number is not shown');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('occupants: errors by the fields, add, change, remove after confirmation', async () => {
        await exigerApi(...API);
        const onglet = await pageDe(JEAN, '/contrat?onglet=occupants');
        const { page } = onglet;
        try {
            const panneau = page.getByRole('tabpanel');
            const cartes = panneau.locator('li.occupant');
            const avant = await cartes.count();

            // add: empty, then a birth date in the future
            await panneau.getByRole('button', { name: 'Ajouter un occupant' }).click();
            assert.equal(await panneau.getByRole('button', { name: 'Ajouter un occupant' }).getAttribute('aria-expanded'), 'true');
            assert.equal(await actif(page), 'INPUT#occupant-nouveau-nom', 'the focus goes to the form');
            await panneau.getByRole('button', { name: 'Ajouter cet occupant' }).click();
            const resume = panneau.locator('.resume-erreurs');
            await resume.waitFor();
            assert.match(await resume.innerText(), /Le formulaire contient 4 erreurs/);
            assert.equal(await champ(panneau, 'Nom').getAttribute('aria-invalid'), 'true');
            assert.match(await panneau.locator('#occupant-nouveau-lien-erreur').innerText(), /Veuillez choisir le lien/);
            assert.equal(await page.title(), 'Erreur : Votre contrat – Portail locataire');
            await verifierLargeurs(page, 'the occupant form with its errors');

            await champ(panneau, 'Nom').fill('MARTIN');
            await champ(panneau, 'Prénom').fill('Léo');
            await champ(panneau, 'Date de naissance').fill('2099-04-02');
            await champ(panneau, 'Lien avec le ou les signataires').selectOption({ label: 'Enfant' });
            await panneau.getByRole('button', { name: 'Ajouter cet occupant' }).click();
            await page.locator('#occupant-nouveau-date_naissance-erreur:not([hidden])').waitFor();
            assert.match(await page.locator('#occupant-nouveau-date_naissance-erreur').innerText(), /ne peut pas être dans le futur/);

            await champ(panneau, 'Date de naissance').fill('2019-04-02');
            await panneau.getByRole('button', { name: 'Ajouter cet occupant' }).click();
            await attendreIssue(page, panneau.locator('.zone-statut .message--succes'), 'adding an occupant');
            assert.match(await panneau.locator('.zone-statut').innerText(), /Léo MARTIN est ajouté\(e\) aux occupants/);
            assert.equal(await cartes.count(), avant + 1);
            const leo = cartes.filter({ hasText: 'Léo MARTIN' });
            assert.match(await leo.innerText(), /02\/04\/2019/);
            assert.match(await leo.innerText(), /Déclaré sur le portail : en attente de prise en compte par l'office/);
            assert.equal(await valeurSql(`SELECT count(*) FROM portail.occupant o JOIN portail.contrat c ON c.id = o.contrat_id
                WHERE c.numero = 'L/2087412' AND o.prenom = 'Léo' AND o.date_naissance = '2019-04-02' AND o.retire_le IS NULL`), '1');

            // change
            await leo.getByRole('button', { name: 'Modifier Léo MARTIN' }).click();
            const formulaire = leo.locator('form');
            assert.equal(await champ(formulaire, 'Prénom').inputValue(), 'Léo', 'the form is filled in');
            await champ(formulaire, 'Prénom').fill('Léon');
            await formulaire.getByRole('button', { name: 'Enregistrer les modifications' }).click();
            await attendreIssue(page, panneau.locator('.zone-statut .message--succes', { hasText: 'Léon MARTIN' }), 'changing an occupant');
            assert.match(await panneau.locator('.zone-statut').innerText(), /Les informations de Léon MARTIN sont enregistrées/);
            assert.equal(await cartes.filter({ hasText: 'Léon MARTIN' }).count(), 1);

            // remove: asked first; "Annuler" gives the focus back
            const emma = cartes.filter({ hasText: 'Emma MARTIN' });
            await emma.getByRole('button', { name: 'Retirer Emma MARTIN' }).click();
            const question = emma.getByRole('group', { name: 'Retirer Emma MARTIN des occupants du logement ?' });
            await question.waitFor();
            assert.equal(await actif(page), 'P:Retirer Emma MARTIN des occupants du logement ?');
            await verifierAccessibilite(page, 'the confirmation before removing');
            await question.getByRole('button', { name: 'Annuler' }).click();
            assert.match(await actif(page), /^BUTTON:Retirer Emma MARTIN/);
            assert.equal(await cartes.filter({ hasText: 'Emma MARTIN' }).count(), 1, 'nothing removed');
            await emma.getByRole('button', { name: 'Retirer Emma MARTIN' }).click();
            await emma.getByRole('button', { name: 'Oui, retirer Emma MARTIN' }).click();
            await attendreIssue(page, panneau.locator('.zone-statut .message--succes', { hasText: 'Emma MARTIN' }), 'removing an occupant');
            assert.match(await panneau.locator('.zone-statut').innerText(), /Emma MARTIN est retiré\(e\) des occupants/);
            assert.equal(await cartes.filter({ hasText: 'Emma MARTIN' }).count(), 0);
            assert.equal(await cartes.count(), avant);
            assert.equal(await valeurSql(`SELECT count(*) FROM portail.occupant o JOIN portail.contrat c ON c.id = o.contrat_id
                WHERE c.numero = 'L/2087412' AND o.prenom = 'Emma' AND o.retire_le IS NOT NULL`), '1', 'a dated removal');
            await verifierLargeurs(page, 'the occupants after the changes');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('billing address: shown, a wrong postal code, then changed (the locality in capitals)', async () => {
        await exigerApi(...API);
        const onglet = await pageDe(JEAN, '/contrat?onglet=facturation');
        const { page } = onglet;
        try {
            const panneau = page.getByRole('tabpanel');
            assert.match(await panneau.locator('address').innerText(), /21 rue des Goélands\s+17440 AYTRE/);
            assert.match(await panneau.innerText(), /C'est l'adresse du logement/);
            await panneau.getByRole('button', { name: 'Modifier l\'adresse de facturation' }).click();
            assert.equal(await champ(panneau, 'Numéro et voie').inputValue(), '21 rue des Goélands', 'filled in');
            await champ(panneau, 'Destinataire').fill('M. Jean MARTIN');
            await champ(panneau, 'Complément d\'adresse').fill('');
            await champ(panneau, 'Numéro et voie').fill('12 rue des Merciers');
            await champ(panneau, 'Code postal').fill('170');
            await champ(panneau, 'Localité').fill('La Rochelle');
            await panneau.getByRole('button', { name: 'Enregistrer l\'adresse' }).click();
            await panneau.locator('#facturation-code_postal-erreur:not([hidden])').waitFor();
            assert.match(await panneau.locator('#facturation-code_postal-erreur').innerText(), /5 chiffres/);
            await verifierAccessibilite(page, 'the billing address form with an error');

            await champ(panneau, 'Code postal').fill('17000');
            await panneau.getByRole('button', { name: 'Enregistrer l\'adresse' }).click();
            await attendreIssue(page, panneau.locator('.zone-statut .message--succes'), 'changing the billing address');
            assert.match(await panneau.locator('address').innerText(), /M\. Jean MARTIN\s+12 rue des Merciers\s+17000 LA ROCHELLE/);
            assert.equal(await panneau.locator('address').innerText().then((t) => /Bâtiment A/.test(t)), false, 'the emptied line is gone');
            assert.deepEqual(await sql(`SELECT a.voie, a.code_postal, a.localite, a.complement_adresse FROM portail.adresse_facturation a
                JOIN portail.contrat c ON c.id = a.contrat_id WHERE c.numero = 'L/2087412' ORDER BY a.id DESC LIMIT 1`),
            [['12 rue des Merciers', '17000', 'LA ROCHELLE', null]]);
            await verifierLargeurs(page, 'the billing address, changed');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('home insurance: files refused in the browser, a certificate sent, listed, downloaded; the home page follows', async () => {
        await exigerApi(...API);
        const { aujourdhui, dansUnAn } = await dates();
        const onglet = await pageDe(JEAN, '/contrat?contrat=2087412&onglet=assurance');
        const { page } = onglet;
        try {
            const panneau = page.getByRole('tabpanel');
            assert.match(await panneau.innerText(), /Nous n'avons pas d'attestation d'assurance habitation pour ce contrat/);
            assert.match(await panneau.innerText(), /Aucune attestation n'a encore été envoyée/);
            const fichier = panneau.getByLabel(/^Attestation d'assurance/);
            const envoyees = [];
            page.on('request', (requete) => {
                if (requete.method() === 'POST' && requete.url().endsWith('/assurance')) {
                    envoyees.push(requete);
                }
            });

            // refused before anything is sent: the type, the size
            await fichier.setInputFiles({ name: 'attestation.txt', mimeType: 'text/plain', buffer: Buffer.from('Assuré chez MAIF') });
            const erreur = panneau.locator('#assurance-attestation-erreur');
            await erreur.waitFor();
            assert.match(await erreur.innerText(), /« attestation\.txt » n'est pas au bon format : seuls les fichiers PDF, JPEG, PNG sont acceptés\./);
            await fichier.setInputFiles({ name: 'enorme.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(5 * 1024 * 1024 + 1, 0x25) });
            assert.match(await erreur.innerText(), /« enorme\.pdf » est trop volumineux \(5 Mo\) : 5 Mo au maximum\./);
            assert.equal(await fichier.getAttribute('aria-invalid'), 'true');
            await verifierAccessibilite(page, 'the certificate form with a refused file');
            await panneau.getByRole('button', { name: 'Envoyer l\'attestation' }).click();
            await panneau.locator('.resume-erreurs').waitFor();
            assert.match(await panneau.locator('.resume-erreurs').innerText(), /Le formulaire contient 5 erreurs/);
            assert.equal(envoyees.length, 0, 'nothing sent');
            await verifierLargeurs(page, 'the certificate form with its errors');

            await champ(panneau, 'Assureur').fill('MAIF');
            await champ(panneau, 'Numéro de contrat d\'assurance').fill('HAB-2027-0042');
            await champ(panneau, 'Date de début de validité').fill(aujourdhui);
            await champ(panneau, 'Date de fin de validité').fill(dansUnAn);
            await fichier.setInputFiles(fixture('attestation-assurance-2027.pdf'));
            const liste = panneau.getByRole('list', { name: /^Fichiers choisis/ });
            assert.match(await liste.innerText(), /attestation-assurance-2027\.pdf \(PDF, 762 octets\)/, 'the name, type and size');
            await panneau.getByRole('button', { name: 'Envoyer l\'attestation' }).click();
            await attendreIssue(page, panneau.locator('.zone-statut .message--succes'), 'sending the certificate');
            assert.equal(envoyees.length, 1);
            assert.match(envoyees[0].headers()['content-type'], /^multipart\/form-data; boundary=/);
            const courante = panneau.getByRole('region', { name: 'Attestation en vigueur' });
            assert.match(await courante.innerText(), /MAIF/);
            assert.match(await courante.innerText(), /En cours de vérification/, 'its review status');
            const historique = panneau.getByRole('region', { name: 'Attestations envoyées' });
            assert.equal(await historique.locator('li.carte').count(), 1);
            assert.deepEqual(await sql(`SELECT a.assureur, a.numero_police, a.statut, a.fichier_nom_origine FROM portail.assurance_habitation a
                JOIN portail.contrat c ON c.id = a.contrat_id WHERE c.numero = 'L/2087412'`),
            [['MAIF', 'HAB-2027-0042', 'en_attente', 'attestation-assurance-2027.pdf']]);
            await verifierLargeurs(page, 'the insurance tab after sending');

            // download what was sent
            const [telechargement] = await Promise.all([
                page.waitForEvent('download'),
                courante.getByRole('link', { name: /attestation-assurance-2027\.pdf/ }).click(),
            ]);
            assert.match(telechargement.suggestedFilename(), /^attestation-assurance-2087412-\d+\.pdf$/);
            const recu = await readFile(await telechargement.path());
            assert.deepEqual(recu, await readFile(fixture('attestation-assurance-2027.pdf')), 'the same bytes');

            // the home page now says the insurance is valid, pending review
            await page.getByRole('link', { name: 'Accueil', exact: true }).click();
            await attendreRoute(page, /^\/accueil/);
            assert.match((await page.locator('main').innerText()).replace(/\s+/g, ' '),
                /Assurance habitation : valide jusqu'au .* \(attestation en cours de vérification par l'office\)\./);
            assert.equal(await page.getByRole('link', { name: /Transmettre votre attestation/ }).count(), 0);
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('a dwelling and a parking space: the contract chosen with the keyboard, kept in the address and the menu', async () => {
        await exigerApi(...API);
        const olivier = await creerCompte({ reference: '3438794', prenom: 'Olivier', email: 'olivier.bernard@example.org' });
        const onglet = await nouvellePage(navigateur(), { largeur: 320, hauteur: 700 });
        const { page } = onglet;
        try {
            await ouvrirSession(onglet.contexte, olivier.email);
            await ouvrir(page, '/contrat?onglet=occupants');
            await attendrePage(page);
            await verifierSansDefilementHorizontal(page, 'the contract page with its selector at 320 px');
            const liste = champ(page, 'Contrat affiché');
            assert.deepEqual(await liste.locator('option').allInnerTexts(),
                ['Contrat n° L/2170371 – Logement', 'Contrat n° L/2608465 – Stationnement'], 'the dwelling first');
            assert.equal(await page.getByRole('heading', { level: 2 }).first().innerText(), 'Contrat n° L/2170371 – Logement');

            // keyboard only: Tab to the list, an arrow, Tab, Enter
            await page.locator('main h1').evaluate((h1) => { h1.tabIndex = -1; h1.focus(); });
            await page.keyboard.press('Tab');
            assert.equal(await actif(page), `SELECT#${await liste.getAttribute('id')}`);
            await page.keyboard.press('ArrowDown');
            assert.equal(await routeCourante(page), '/contrat?onglet=occupants', 'choosing does not reload the page (RGAA 7.5)');
            await page.keyboard.press('Tab');
            assert.equal(await actif(page), 'BUTTON:Afficher');
            await page.keyboard.press('Enter');
            await attendreRoute(page, '/contrat?onglet=occupants&contrat=2608465');
            assert.equal(await page.getByRole('heading', { level: 2 }).first().innerText(), 'Contrat n° L/2608465 – Stationnement');
            assert.equal(await page.getByRole('tab', { name: 'Occupants' }).getAttribute('aria-selected'), 'true', 'same tab');
            assert.equal(await champ(page, 'Contrat affiché').inputValue(), '2608465');
            await verifierLargeurs(page, 'the parking contract');

            // the other pages follow
            await page.getByRole('button', { name: 'Menu' }).click();
            const menu = page.getByRole('navigation', { name: 'Menu principal' });
            assert.equal(await menu.getByRole('link', { name: 'Demandes' }).getAttribute('href'), '#/demandes?contrat=2608465');
            await menu.getByRole('link', { name: 'Accueil' }).click();
            await attendreRoute(page, '/accueil?contrat=2608465');
            const cartes = page.locator('main li.carte-contrat h3');
            assert.deepEqual(await cartes.allInnerTexts(), ['Contrat n° L/2608465 – Stationnement'], 'the home page narrowed');
            assert.equal(await champ(page, 'Contrat affiché').inputValue(), '2608465');
            await champ(page, 'Contrat affiché').selectOption({ label: 'Tous vos contrats' });
            await page.getByRole('button', { name: 'Afficher' }).click();
            await attendreRoute(page, '/accueil');
            assert.equal(await cartes.count(), 2, 'both contracts again');
            await page.getByRole('button', { name: 'Menu' }).click();
            assert.equal(await menu.getByRole('link', { name: 'Demandes' }).getAttribute('href'), '#/demandes', 'the choice is forgotten');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });
});
