// Documents and Paiement against the backend and the demo data (issue #6):
// Cédric THOMAS's documents (two contracts: the selector, the kinds, the
// years, the pages, a real PDF downloaded, an empty kind); Hélène
// LEFÈVRE's account (2 months of arrears: 943,60 €), a card payment made
// through the provider's sandbox, tools/payment-sandbox (its page, "Payer", the return
// page waiting for the notification, the row in the database, the ticket,
// the receipt in Documents), one refused; amounts refused by the page;
// Jean MARTIN, in credit, cannot pay by card; a SEPA mandate refused for
// its IBAN, then signed, shown masked, with its PDF.
//
// Order matters within this file: the payments come after Hélène's
// account is read, the receipt after the payment.

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import {
    avecNavigateur, nouvellePage, champ, ouvrir, attendreRoute, attendrePage, verifierAccessibilite, verifierLargeurs,
    routeCourante, ouvrirSession, creerCompte, sql, valeurSql, attendreIssue, exigerApi, DEMO, URL_PORTAIL,
    URL_BAC_A_SABLE,
} from './lib/portail.js';

const navigateur = avecNavigateur();

const API = ['/api/documents', '/api/documents/1/fichier', '/api/paiements', '/api/paiements/prelevement',
    '/api/paiements/carte/CB0/ticket'];

let cedric;
let helene;

before(async () => {
    // a household no other file signs in as (files run at the same time)
    cedric = await creerCompte({ reference: '5550732', prenom: 'Cédric', email: 'cedric.thomas@example.org' });
    helene = await creerCompte({ reference: '2345678', prenom: 'Hélène', email: 'helene.lefevre@example.org' });
});

async function pageDe(email, route, options) {
    const onglet = await nouvellePage(navigateur(), options);
    await ouvrirSession(onglet.contexte, email);
    await ouvrir(onglet.page, route);
    return onglet;
}

const texteDe = async (locator) => (await locator.innerText()).replace(/\s+/g, ' ');

// Downloads through the link as the tenant would, and checks it is a PDF
// (the browser's file) served as one (the same URL, asked with the
// context's cookies).
async function telechargerPdf(onglet, lien) {
    const [telechargement] = await Promise.all([onglet.page.waitForEvent('download'), lien.click()]);
    const octets = await readFile(await telechargement.path());
    assert.equal(octets.subarray(0, 5).toString('latin1'), '%PDF-', 'a PDF comes back');
    const reponse = await onglet.contexte.request.get(new URL(await lien.getAttribute('href'), URL_PORTAIL).href);
    assert.equal(reponse.status(), 200);
    assert.match(reponse.headers()['content-type'], /^application\/pdf/);
    assert.match(reponse.headers()['content-disposition'], /^attachment;/);
    return { nom: telechargement.suggestedFilename(), octets };
}

// Pays `montant` (typed the French way) from the Paiement page: the
// provider's form is posted, the sandbox's page (its own process and
// port) shows; returns the order.
async function allerAuBacASable(page, montant) {
    await champ(page, 'Montant à payer, en euros').fill(montant);
    await page.getByRole('button', { name: 'Payer par carte bancaire' }).click();
    await page.waitForURL(`${URL_BAC_A_SABLE}/vads-payment/`);
    assert.match(await page.locator('h1').innerText(), /Paiement de test/);
    return valeurSql('SELECT commande FROM portail.paiement_carte ORDER BY id DESC LIMIT 1');
}

describe('Documents (issue #6, real backend)', () => {
    it('Cédric\'s documents: kinds, years, pages, the contract chosen, a PDF downloaded', async () => {
        await exigerApi(...API);
        const onglet = await pageDe(cedric.email, '/accueil');
        const { page } = onglet;
        try {
            await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Documents' }).click();
            await attendreRoute(page, '/documents');
            const main = page.locator('main');
            assert.equal(await page.locator('main h1').innerText(), 'Vos documents');
            const total = await valeurSql(`SELECT count(*) FROM portail.document d JOIN portail.contrat c ON c.id = d.contrat_id
                WHERE c.numero IN ('L/2367872', 'L/2034735')`);
            const pages = Math.ceil(Number(total) / 20);
            assert.equal(await page.locator('#titre-liste-documents').innerText(), `${total} documents (page 1 sur ${pages})`);
            const natures = page.getByRole('navigation', { name: 'Type de document' });
            assert.deepEqual(await natures.getByRole('link').allInnerTexts(), ['Tous les documents', 'Avis d\'échéance',
                'Quittance de loyer', 'Régularisation des charges', 'Reçu de paiement', 'Mandat de prélèvement']);
            assert.equal(await natures.getByRole('link', { name: 'Tous les documents' }).getAttribute('aria-current'), 'page');
            const premier = page.locator('main li.document').first();
            assert.match(await texteDe(premier), /Période [a-zéû]+ \d{4}/, 'the period in words');
            assert.match(await texteDe(premier), /Contrat n° L\/(2367872|2034735)/, 'the contract, several being listed');
            assert.match(await texteDe(premier), /Mis en ligne le \d{2}\/\d{2}\/\d{4}/);
            await verifierLargeurs(page, 'the documents list');

            // the pages
            const pagination = page.getByRole('navigation', { name: 'Pages de la liste des documents' });
            await pagination.getByRole('link', { name: 'Page suivante' }).click();
            await attendreRoute(page, '/documents?page=2');
            assert.equal(await pagination.getByRole('link', { name: 'Page 2' }).getAttribute('aria-current'), 'page');
            assert.equal(await page.locator('main li.document').count(), 20);

            // a kind, then a year: the page goes back to 1, the filters add up
            await natures.getByRole('link', { name: 'Quittance de loyer' }).click();
            await attendreRoute(page, '/documents?nature=quittance');
            const quittances = Number(await valeurSql(`SELECT count(*) FROM portail.document d JOIN portail.contrat c ON c.id = d.contrat_id
                WHERE c.numero IN ('L/2367872', 'L/2034735') AND d.nature = 'quittance'`));
            assert.equal(await page.locator('#titre-liste-documents').innerText(),
                `${quittances} documents (page 1 sur ${Math.ceil(quittances / 20)})`);
            assert.deepEqual([...new Set(await page.locator('main li.document dl div:first-child dd').allInnerTexts())],
                ['Quittance de loyer']);
            const annees = page.getByRole('navigation', { name: 'Année' });
            const annee = (await annees.getByRole('link').allInnerTexts())[2];
            assert.match(annee, /^\d{4}$/);
            await annees.getByRole('link', { name: annee }).click();
            await attendreRoute(page, `/documents?nature=quittance&annee=${annee}`);
            const titres = await page.locator('main li.document h3').allInnerTexts();
            assert.ok(titres.length > 0 && titres.every((titre) => titre.startsWith('Quittance de loyer') && titre.endsWith(annee)), titres.join(', '));

            // the parking space's only: the selector keeps the filters
            await page.getByLabel('Contrat affiché').selectOption('2034735');
            await page.getByRole('button', { name: 'Afficher' }).click();
            await attendreRoute(page, `/documents?nature=quittance&annee=${annee}&contrat=2034735`);
            const noms = await page.locator('main li.document a.lien-fichier').evaluateAll((liens) => liens.map((a) => a.getAttribute('href')));
            assert.ok(noms.length > 0);
            assert.match(await page.locator('#titre-liste-documents').innerText(), /^\d+ documents?$/);
            assert.equal(await page.locator('main li.document').filter({ hasText: 'Contrat n° L/2367872' }).count(), 0,
                'one contract: none of the dwelling\'s, and no contract line');
            await verifierAccessibilite(page, 'the parking space\'s quittances of a year');

            // a real PDF, named in French
            const lien = page.locator('main li.document a.lien-fichier').first();
            assert.match((await lien.textContent()).replace(/\s+/g, ' '), /^Télécharger : Quittance de loyer [a-zéû]+ \d{4} \(PDF, [\d,]+ Ko\)$/);
            const { nom } = await telechargerPdf(onglet, lien);
            assert.match(nom, /^Quittance de loyer - [a-zéû]+ \d{4} - L2034735\.pdf$/);

            // an empty kind says so
            await ouvrir(page, '/documents?nature=recu_paiement&contrat=2034735');
            assert.match(await main.innerText(), /Vous n'avez aucun document de type « Reçu de paiement » pour le moment\./);
            await verifierAccessibilite(page, 'no document of a kind');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('a fully paid month without its quittance: made at the first download', async () => {
        await exigerApi(...API);
        // the ERP's quittance of Hélène's oldest month is taken away
        const periode = await valeurSql(`DELETE FROM portail.document WHERE id = (SELECT d.id FROM portail.document d
            JOIN portail.contrat c ON c.id = d.contrat_id WHERE c.numero = 'L/2045678' AND d.nature = 'quittance'
            ORDER BY d.periode LIMIT 1) RETURNING to_char(periode, 'YYYY-MM')`);
        assert.ok(periode);
        const onglet = await pageDe(helene.email, `/documents?nature=quittance&annee=${periode.slice(0, 4)}`);
        const { page } = onglet;
        try {
            const carte = page.locator('main li.document').filter({ hasText: 'établie au moment où vous la téléchargez' });
            assert.equal(await carte.count(), 1);
            await telechargerPdf(onglet, carte.locator('a.lien-fichier'));
            assert.equal(await valeurSql(`SELECT count(*) FROM portail.document d JOIN portail.contrat c ON c.id = d.contrat_id
                WHERE c.numero = 'L/2045678' AND d.nature = 'quittance' AND to_char(d.periode, 'YYYY-MM') = :'periode'`,
            { periode }), '1', 'made and stored');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });
});

describe('Paiement (issue #6, real backend)', () => {
    it('Hélène\'s account: the balance as of its date, what is due, the history a page at a time', async () => {
        await exigerApi(...API);
        const onglet = await pageDe(helene.email, '/accueil');
        const { page } = onglet;
        try {
            await page.getByRole('navigation', { name: 'Menu principal' }).getByRole('link', { name: 'Paiement' }).click();
            await attendreRoute(page, '/paiement');
            const main = page.locator('main');
            const texte = await texteDe(main);
            const soldeAu = await valeurSql(`SELECT to_char(solde_au AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD')
                FROM portail.contrat WHERE numero = 'L/2045678'`);
            const dateLongue = new Intl.DateTimeFormat('fr-FR', { day: '2-digit', month: 'long', year: 'numeric', timeZone: 'UTC' })
                .format(new Date(`${soldeAu}T00:00:00Z`));
            assert.match(texte, /Contrat n° L\/2045678 – Logement/);
            assert.match(texte, new RegExp(`Solde de votre compte au ${dateLongue} 943,60\\s€ reste à payer`));
            assert.match(texte, /Le solde de votre compte sera mis à jour dans les 24h\./, 'the guide\'s sentence');
            assert.match(texte, /Mode de paiement\s*:?\s*Chèque/);
            assert.equal(await champ(page, 'Montant à payer, en euros').inputValue(), '943,60', 'what is due, the French way');
            assert.match(texte, /Entre 1,00\s€ et 943,60\s€/);
            assert.match(texte, /Aucun prélèvement automatique n'est en place pour ce contrat\./);

            const tableau = page.getByRole('table');
            assert.match(await tableau.locator('caption').innerText(), /\(page 1 sur 3\)$/);
            const premiere = await tableau.locator('tbody tr').first().locator('th, td').allInnerTexts();
            assert.equal(premiere[0], `01/${soldeAu.slice(5, 7)}/${soldeAu.slice(0, 4)}`, 'a date the French way');
            assert.match(premiere[1], /^Échéance [a-zéû]+ \d{4} \(loyer et charges\)\nLoyer 387,60\s€, charges 84,20\s€$/);
            assert.deepEqual(premiere.slice(2).map((t) => t.replace(/\s/g, ' ')), ['471,80 €', '', '943,60 €'], 'running balance');
            await verifierLargeurs(page, 'Hélène\'s account');

            await page.getByRole('navigation', { name: 'Pages de l\'historique du compte' }).getByRole('link', { name: 'Page 3' }).click();
            await attendreRoute(page, '/paiement?contrat=2045678&page=3');
            assert.match(await tableau.locator('caption').innerText(), /\(page 3 sur 3\)$/);
            assert.equal(await page.getByRole('table').locator('tbody tr').count(), 10);
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('two contracts: each paid on its own, the one chosen follows to Documents', async () => {
        await exigerApi(...API);
        const onglet = await pageDe(cedric.email, '/paiement', { largeur: 320, hauteur: 700 });
        const { page } = onglet;
        try {
            assert.match(await texteDe(page.locator('main')), /Contrat n° L\/2367872 – Logement/, 'the dwelling first');
            assert.match(await texteDe(page.locator('main')), /chacun se paie séparément/);
            await page.getByLabel('Contrat affiché').selectOption('2034735');
            await page.getByRole('button', { name: 'Afficher' }).click();
            await attendreRoute(page, '/paiement?contrat=2034735');
            assert.equal(await page.locator('main h2.titre-contrat').innerText(), 'Contrat n° L/2034735 – Stationnement');
            await verifierLargeurs(page, 'the parking space\'s account at 320 px');
            await page.getByRole('link', { name: 'Vos reçus de paiement dans vos documents' }).click();
            await attendreRoute(page, '/documents?contrat=2034735&nature=recu_paiement');
            assert.equal(await page.getByLabel('Contrat affiché').inputValue(), '2034735');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('amounts the page refuses; Jean, in credit, cannot pay by card', async () => {
        await exigerApi(...API);
        const onglet = await pageDe(helene.email, '/paiement');
        const { page } = onglet;
        try {
            const montant = champ(page, 'Montant à payer, en euros');
            const payer = page.getByRole('button', { name: 'Payer par carte bancaire' });
            for (const [saisie, message] of [
                ['', 'Veuillez indiquer le montant à payer.'],
                ['douze', 'Indiquez un montant en euros, par exemple 12,50.'],
                ['0,50', 'Le montant minimum est de 1,00 €.'],
                ['1000', 'Le montant maximum est de 943,60 €.'],
            ]) {
                await montant.fill(saisie);
                await payer.click();
                await page.locator('#carte-montant_cents-erreur:not([hidden])').waitFor();
                assert.equal((await page.locator('#carte-montant_cents-erreur').innerText()).replace(/\s/g, ' '), `Erreur : ${message}`);
                assert.match((await page.locator('#carte .resume-erreurs').innerText()).replace(/\s/g, ' '), new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
            }
            await verifierAccessibilite(page, 'an amount refused');
            assert.equal(await valeurSql('SELECT count(*) FROM portail.paiement_carte'), '0', 'no order made');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
        const jean = await pageDe(DEMO.email, '/paiement');
        try {
            const texte = await texteDe(jean.page.locator('main'));
            assert.match(texte, /150,00\s€ en votre faveur \(crédit\)/);
            const carte = jean.page.getByRole('region', { name: 'Payer en ligne par carte bancaire' });
            assert.equal(await carte.getByRole('button').count(), 0, 'no card form');
            assert.ok((await texteDe(carte)).length > 40, 'a sentence says why');
            await verifierAccessibilite(jean.page, 'a tenant in credit');
            jean.verifierPropre();
        } finally {
            await jean.fermer();
        }
    });

    it('a card payment through the sandbox provider: accepted, recorded, its ticket, the receipt in Documents', async () => {
        await exigerApi(...API);
        const onglet = await pageDe(helene.email, '/paiement');
        const { page } = onglet;
        try {
            const commande = await allerAuBacASable(page, '12,50');
            assert.match((await page.locator('body').innerText()).replace(/\s/g, ' '), /12,50/);
            await page.getByRole('button', { name: 'Payer' }).click();
            await page.waitForURL(`${URL_PORTAIL}/#/paiement/retour?commande=${commande}`);
            await attendrePage(page);
            const resultat = page.locator('main .resultat[data-statut="accepte"]');
            await attendreIssue(page, resultat, 'the payment accepted');
            const texte = await texteDe(resultat);
            assert.match(texte, /Paiement accepté/);
            assert.match(texte, /Montant\s*:?\s*12,50\s€/);
            assert.match(texte, new RegExp(`Référence de la commande\\s*:?\\s*${commande}`));
            assert.deepEqual(await sql(`SELECT p.statut, p.montant_cents, c.numero FROM portail.paiement_carte p
                JOIN portail.contrat c ON c.id = p.contrat_id WHERE p.commande = :'commande'`, { commande }),
            [['accepte', '1250', 'L/2045678']]);
            await verifierLargeurs(page, 'the payment accepted');
            const { nom } = await telechargerPdf(onglet, page.getByRole('link', { name: /^Télécharger le ticket de paiement/ }));
            assert.equal(nom, `recu-paiement-${commande}.pdf`);

            // the account says it, until the office's next balance
            await page.getByRole('link', { name: 'Retour à vos paiements' }).click();
            await attendreRoute(page, '/paiement?contrat=2045678');
            const compte = await texteDe(page.locator('main'));
            assert.match(compte, /Paiements par carte en cours d'enregistrement/);
            assert.match(compte, new RegExp(`12,50\\s€ payés par carte le .* \\(commande ${commande}\\)`));
            assert.match(compte, /Reste à payer\s*:?\s*931,10\s€/);
            assert.equal(await champ(page, 'Montant à payer, en euros').inputValue(), '931,10');

            // the receipt among the documents
            await page.getByRole('link', { name: 'Vos reçus de paiement dans vos documents' }).click();
            await attendreRoute(page, '/documents?contrat=2045678&nature=recu_paiement');
            const recu = page.locator('main li.document');
            assert.equal(await recu.count(), 1);
            assert.match(await texteDe(recu), /Reçu de paiement/);
            await telechargerPdf(onglet, recu.locator('a.lien-fichier'));
            await verifierAccessibilite(page, 'the receipt in the documents');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('a card payment refused at the provider', async () => {
        await exigerApi(...API);
        const onglet = await pageDe(helene.email, '/paiement');
        const { page } = onglet;
        try {
            const commande = await allerAuBacASable(page, '5');
            await page.getByRole('button', { name: 'Refuser' }).click();
            await page.waitForURL(`${URL_PORTAIL}/#/paiement/retour?commande=${commande}`);
            await attendrePage(page);
            await page.locator('main .resultat[data-statut="refuse"]').waitFor();
            const texte = await texteDe(page.locator('main'));
            assert.match(texte, /Montant\s*:?\s*5,00\s€/);
            assert.equal(await page.getByRole('link', { name: /Télécharger le ticket/ }).count(), 0, 'no ticket');
            assert.equal(await page.getByRole('link', { name: 'Réessayer le paiement' }).getAttribute('href'), '#/paiement?contrat=2045678');
            assert.deepEqual(await sql(`SELECT statut, montant_cents FROM portail.paiement_carte ORDER BY id DESC LIMIT 1`),
                [['refuse', '500']]);
            await verifierLargeurs(page, 'the payment refused');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('the return page waits for a notification that comes after the payer', async () => {
        await exigerApi(...API);
        const onglet = await pageDe(helene.email, '/paiement');
        const { page } = onglet;
        try {
            // the order made by the page's own API client (JSON, CSRF header)
            const formulaire = await page.evaluate(() => import('/js/api.js')
                .then((api) => api.envoyer('/api/paiements/carte', { contrat: '2045678', montant_cents: 300 })));
            assert.equal(formulaire.url, `${URL_BAC_A_SABLE}/vads-payment/`);
            assert.equal(formulaire.champs.vads_url_return, `${URL_PORTAIL}/#/paiement/retour?commande=${formulaire.commande}`,
                'the provider sends the payer back to the SPA\'s return route');
            await ouvrir(page, `/paiement/retour?commande=${formulaire.commande}`);
            const attente = page.locator('main .resultat[data-statut="initie"]');
            assert.equal(await attente.count(), 1);
            assert.match(await texteDe(attente), /En attente de la confirmation de la banque/);
            await verifierAccessibilite(page, 'a payment waiting for the bank');

            // the provider's decision reaches the portal afterwards (its IPN, over HTTP)
            const decision = await onglet.contexte.request.post(`${URL_BAC_A_SABLE}/vads-payment/decision`,
                { form: { ...formulaire.champs, decision: 'payer' }, maxRedirects: 0 });
            assert.equal(decision.status(), 303);
            await page.locator('main .resultat[data-statut="accepte"]').waitFor({ timeout: 20000 });
            assert.match(await texteDe(page.locator('main')), /Paiement accepté.*Montant\s*:?\s*3,00\s€/);
            assert.equal(await page.getByRole('link', { name: /^Télécharger le ticket de paiement/ }).count(), 1);
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('a return link to an order that is not the tenant\'s', async () => {
        const onglet = await pageDe(helene.email, '/paiement/retour?commande=CB20200101000000');
        try {
            assert.match(await onglet.page.locator('main').innerText(), /Nous ne trouvons pas ce paiement parmi ceux de votre compte\./);
            await verifierAccessibilite(onglet.page, 'an unknown order');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });

    it('a SEPA mandate: an IBAN refused, then signed, shown masked, its PDF', async () => {
        await exigerApi(...API);
        const onglet = await pageDe(helene.email, '/paiement');
        const { page } = onglet;
        try {
            const ouvrirFormulaire = page.getByRole('button', { name: 'Mettre en place le prélèvement automatique' });
            await ouvrirFormulaire.click();
            assert.equal(await ouvrirFormulaire.getAttribute('aria-expanded'), 'true');
            const formulaire = page.locator('form#mandat');
            assert.equal(await champ(formulaire, 'Titulaire du compte').inputValue(), 'Hélène LEFÈVRE');
            await champ(formulaire, 'IBAN').fill('FR76 3000 6000 0112 3456 7890 188');
            await formulaire.getByRole('radio', { name: 'le 10 du mois' }).check();
            await formulaire.getByRole('button', { name: 'Signer le mandat de prélèvement' }).click();
            await page.locator('#mandat-iban-erreur:not([hidden])').waitFor();
            assert.match(await page.locator('#mandat-iban-erreur').innerText(), /clé de contrôle/, 'the server\'s check, next to the field');
            assert.match(await formulaire.locator('.resume-erreurs').innerText(), /Le formulaire contient une erreur/);
            assert.equal(await page.locator('#mandat-iban').getAttribute('aria-invalid'), 'true');
            assert.equal(await valeurSql('SELECT count(*) FROM portail.mandat_sepa'), '0');
            await verifierLargeurs(page, 'an IBAN refused');

            await champ(formulaire, 'IBAN').fill('fr76 3000 6000 0112 3456 7890 189');
            await formulaire.getByRole('button', { name: 'Signer le mandat de prélèvement' }).click();
            const carte = page.locator('main .carte').filter({ hasText: 'Votre mandat de prélèvement SEPA en cours' });
            await attendreIssue(page, carte, 'signing the mandate');
            await attendrePage(page);
            assert.match(await page.locator('main .message--flash').innerText(), /Votre mandat de prélèvement SEPA est enregistré\./);
            const texte = await texteDe(carte);
            assert.match(texte, /IBAN\s*:?\s*\*+0189/, 'masked');
            assert.doesNotMatch(texte, /30006000/);
            assert.match(texte, /Jour de prélèvement\s*:?\s*le 10 du mois/);
            assert.deepEqual(await sql(`SELECT m.iban, m.jour_prelevement, m.statut FROM portail.mandat_sepa m
                JOIN portail.contrat c ON c.id = m.contrat_id WHERE c.numero = 'L/2045678'`),
            [['FR7630006000011234567890189', '10', 'actif']]);
            await telechargerPdf(onglet, carte.getByRole('link', { name: /^Télécharger le mandat signé/ }));
            assert.ok(await page.getByRole('button', { name: /^Modifier vos coordonnées bancaires/ }).count());
            assert.equal(await routeCourante(page), '/paiement?contrat=2045678');
            await verifierLargeurs(page, 'the mandate signed');
            onglet.verifierPropre();
        } finally {
            await onglet.fermer();
        }
    });
    it('a card payment refused by the portal: the balance was paid meanwhile (409)', async () => {
        await exigerApi(...API);
        const onglet = await pageDe(helene.email, '/paiement');
        const { page } = onglet;
        const [[solde]] = await sql(`SELECT solde_cents FROM portail.contrat WHERE numero = 'L/2045678'`);
        try {
            // the office's new balance: 12,50 €, which the card payment accepted since covers
            await sql(`UPDATE portail.contrat SET solde_cents = 1250 WHERE numero = 'L/2045678'`);
            const commandes = await valeurSql('SELECT count(*) FROM portail.paiement_carte');
            await champ(page, 'Montant à payer, en euros').fill('20,00');
            await page.getByRole('button', { name: 'Payer par carte bancaire' }).click();
            const message = page.locator('#carte .zone-message .message--erreur');
            await message.waitFor();
            assert.match(await texteDe(message), /^Erreur : .{20,}/, 'the server\'s sentence');
            assert.equal(await page.title(), 'Erreur : Paiements – Portail locataire');
            assert.equal(await valeurSql('SELECT count(*) FROM portail.paiement_carte'), commandes, 'no order made');
            assert.ok(page.url().startsWith(`${URL_PORTAIL}/#/paiement`), 'still on the portal');
            await verifierAccessibilite(page, 'a card payment refused by the portal');

            await page.reload();
            await attendrePage(page);
            const carte = page.getByRole('region', { name: 'Payer en ligne par carte bancaire' });
            assert.equal(await carte.getByRole('button').count(), 0, 'no card form any more');
            assert.match(await texteDe(carte), /Votre paiement a bien été reçu/);
            assert.match(await texteDe(page.locator('main')), /Reste à payer\s*:?\s*0,00\s€/);
            onglet.verifierPropre();
        } finally {
            await sql(`UPDATE portail.contrat SET solde_cents = :'solde' WHERE numero = 'L/2045678'`, { solde });
            await onglet.fermer();
        }
    });
});
