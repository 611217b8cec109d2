// French formats for dates and amounts, shared by every page.
//
// Intl does the work (non-breaking spaces before "€" and between thousands,
// as French typography wants); these helpers fix the conventions of the
// API so that pages do not each reinvent them:
// - calendar dates come as "YYYY-MM-DD" and are shown as they are, without
//   any time-zone shift (a due date is the same day everywhere);
// - instants come as ISO 8601 timestamps and are shown in La Rochelle's
//   time zone, whatever the device's;
// - money comes as integer cents.

const FUSEAU = 'Europe/Paris';

const dateCourte = new Intl.DateTimeFormat('fr-FR', {
    day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC',
});
const dateLongue = new Intl.DateTimeFormat('fr-FR', {
    day: '2-digit', month: 'long', year: 'numeric', timeZone: 'UTC',
});
const moisAnnee = new Intl.DateTimeFormat('fr-FR', {
    month: 'long', year: 'numeric', timeZone: 'UTC',
});
const instantCourt = new Intl.DateTimeFormat('fr-FR', {
    day: '2-digit', month: '2-digit', year: 'numeric', timeZone: FUSEAU,
});
const instantLong = new Intl.DateTimeFormat('fr-FR', {
    day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: FUSEAU,
});
const euros = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

const DATE_CALENDAIRE = /^(\d{4})-(\d{2})-(\d{2})$/;

// A calendar date as a Date at midnight UTC, formatted in UTC: no shift.
// Instants go through the office's time zone instead.
function versDate(valeur) {
    if (valeur instanceof Date) {
        return { date: valeur, calendaire: false };
    }
    const texte = String(valeur ?? '');
    const calendaire = DATE_CALENDAIRE.exec(texte);
    if (calendaire) {
        const [, annee, mois, jour] = calendaire.map(Number);
        return { date: new Date(Date.UTC(annee, mois - 1, jour)), calendaire: true };
    }
    return { date: new Date(texte), calendaire: false };
}

function valide(date) {
    return !Number.isNaN(date.getTime());
}

/** "2023-10-03" → "03/10/2023"; an instant → its day in La Rochelle. */
export function formaterDate(valeur) {
    const { date, calendaire } = versDate(valeur);
    if (!valide(date)) {
        return '';
    }
    return (calendaire ? dateCourte : instantCourt).format(date);
}

/** "2023-10-03" → "03 octobre 2023" (as the guide writes balances' dates). */
export function formaterDateLongue(valeur) {
    const { date, calendaire } = versDate(valeur);
    if (!valide(date)) {
        return '';
    }
    if (calendaire) {
        return dateLongue.format(date);
    }
    // an instant: take its day in La Rochelle, then write it long
    const [jour, mois, annee] = instantCourt.format(date).split('/').map(Number);
    return dateLongue.format(new Date(Date.UTC(annee, mois - 1, jour)));
}

/** A month given by its first day ("2023-11-01") → "novembre 2023". */
export function formaterMois(valeur) {
    const { date } = versDate(valeur);
    return valide(date) ? moisAnnee.format(date) : '';
}

/** An instant → "03/10/2023 14:05" in La Rochelle's time. */
export function formaterDateHeure(valeur) {
    const { date } = versDate(valeur);
    return valide(date) ? instantLong.format(date).replace(' ', ' à ') : '';
}

/** Integer cents → "12,50 €" (1250 → "12,50 €", -300 → "-3,00 €"). */
export function formaterMontant(centimes) {
    const nombre = Number(centimes);
    if (!Number.isFinite(nombre)) {
        return '';
    }
    return euros.format(nombre / 100);
}

const NATURES = { logement: 'Logement', stationnement: 'Stationnement' };

/** A contract's nature as shown to tenants. */
export function libelleNature(nature) {
    return NATURES[nature] ?? (nature ? nature.charAt(0).toUpperCase() + nature.slice(1) : '');
}

/** "M." + "Jean" + "MARTIN" → "M. Jean MARTIN", skipping what is missing. */
export function nomComplet(compte) {
    if (!compte) {
        return '';
    }
    return [compte.civilite, compte.prenom, compte.nom].filter((partie) => partie && String(partie).trim()).join(' ');
}

/** "L/2013936" → "2013936", the contract as API paths and our URLs take it. */
export function numeroCourt(numero) {
    return String(numero ?? '').trim().replace(/^L\/?/i, '');
}

/** "2013936" or "L/2013936" → "L/2013936", as tenants read it on their notice. */
export function numeroLong(numero) {
    const court = numeroCourt(numero);
    return court ? `L/${court}` : '';
}

const octetsParUnite = [['Go', 1024 ** 3], ['Mo', 1024 ** 2], ['Ko', 1024]];
const unDecimal = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });

/** A size in bytes, the French way: "850 octets", "12 Ko", "4,8 Mo". */
export function formaterTaille(octets) {
    const nombre = Number(octets);
    if (!Number.isFinite(nombre) || nombre < 0) {
        return '';
    }
    for (const [unite, taille] of octetsParUnite) {
        if (nombre >= taille) {
            return `${unDecimal.format(nombre / taille)} ${unite}`;
        }
    }
    return nombre <= 1 ? `${nombre} octet` : `${nombre} octets`;
}

const eurosEntiers = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR', maximumFractionDigits: 0 });

/** Whole euros (a tax income): 21480 → "21 480 €". */
export function formaterEurosEntiers(euros) {
    const nombre = Number(euros);
    return Number.isFinite(nombre) ? eurosEntiers.format(nombre) : '';
}

const TYPES_FICHIERS = { 'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG' };

/** A file's type as people say it: "application/pdf" → "PDF". */
export function libelleTypeFichier(mime) {
    return TYPES_FICHIERS[mime] ?? '';
}

/** "Jean" + "MARTIN" → "Jean MARTIN" (an occupant, a household member). */
export function nomPersonne(personne) {
    if (!personne) {
        return '';
    }
    return [personne.prenom, personne.nom].filter((partie) => partie && String(partie).trim()).join(' ');
}

/** Today's date in La Rochelle, as "YYYY-MM-DD". */
export function aujourdhui() {
    const [jour, mois, annee] = instantCourt.format(new Date()).split('/');
    return `${annee}-${mois}-${jour}`;
}

const MODES_PAIEMENT = {
    prelevement: 'Prélèvement automatique',
    virement: 'Virement',
    cheque: 'Chèque',
    carte: 'Carte bancaire',
    especes: 'Espèces',
    autre: 'Autre',
};

/** How a contract is paid, in words ("prelevement" → "Prélèvement automatique"). */
export function libelleModePaiement(mode) {
    return MODES_PAIEMENT[mode] ?? (mode || '');
}
