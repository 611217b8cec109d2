// The office's password rule, as the guide states it ("8 caractères
// minimum, avec 2 chiffres et 1 caractère spécial"), checked exactly as the
// server checks it so that the checklist never says "ok" for a password the
// server then refuses (or the reverse):
//
// - length in characters, i.e. Unicode code points (not UTF-16 units:
//   an emoji is one character), from 8 to 128;
// - a digit is 0-9 only;
// - a special character is an ASCII printable character that is neither a
//   letter nor a digit (space included), or any non-ASCII character outside
//   the Latin letters U+00C0-U+024F (so "é" is a letter, "€" is special).
//
// These are instant hints: the verdict is the server's
// (POST /api/mot-de-passe/evaluation, asked as the tenant types, which also
// refuses names, the address and what is easy to guess), shown under the
// checklist and next to the field.

export const LONGUEUR_MIN = 8;
export const LONGUEUR_MAX = 128;
export const CHIFFRES_MIN = 2;
export const SPECIAUX_MIN = 1;

export function estChiffre(pointDeCode) {
    return pointDeCode >= 0x30 && pointDeCode <= 0x39;
}

function estLettreAscii(pointDeCode) {
    return (pointDeCode >= 0x41 && pointDeCode <= 0x5a) || (pointDeCode >= 0x61 && pointDeCode <= 0x7a);
}

export function estSpecial(pointDeCode) {
    if (pointDeCode >= 0x20 && pointDeCode <= 0x7e) {
        return !estLettreAscii(pointDeCode) && !estChiffre(pointDeCode);
    }
    if (pointDeCode > 0x7f) {
        return pointDeCode < 0xc0 || pointDeCode > 0x24f;
    }
    return false;   // ASCII control characters: neither
}

/**
 * Evaluates a password.  Returns the counts, one entry per rule of the
 * checklist (in the guide's order), whether it is too long, and whether the
 * whole rule is met.
 */
export function evaluer(motDePasse) {
    let longueur = 0;
    let chiffres = 0;
    let speciaux = 0;
    for (const caractere of motDePasse) {   // iterates by code point
        const pointDeCode = caractere.codePointAt(0);
        longueur += 1;
        if (estChiffre(pointDeCode)) {
            chiffres += 1;
        } else if (estSpecial(pointDeCode)) {
            speciaux += 1;
        }
    }
    const regles = [
        { cle: 'longueur', libelle: `${LONGUEUR_MIN} caractères minimum`, respectee: longueur >= LONGUEUR_MIN },
        { cle: 'chiffres', libelle: `${CHIFFRES_MIN} chiffres`, respectee: chiffres >= CHIFFRES_MIN },
        { cle: 'special', libelle: `${SPECIAUX_MIN} caractère spécial`, respectee: speciaux >= SPECIAUX_MIN },
    ];
    const tropLong = longueur > LONGUEUR_MAX;
    return {
        longueur,
        chiffres,
        speciaux,
        regles,
        tropLong,
        valide: !tropLong && regles.every((regle) => regle.respectee),
    };
}

/** The sentence shown next to the field when the password does not fit. */
export function messageErreur(evaluation) {
    if (evaluation.longueur === 0) {
        return 'Veuillez choisir un mot de passe.';
    }
    if (evaluation.tropLong) {
        return `Le mot de passe ne doit pas dépasser ${LONGUEUR_MAX} caractères.`;
    }
    const manquantes = evaluation.regles.filter((regle) => !regle.respectee).map((regle) => regle.libelle);
    return manquantes.length === 0 ? null
        : `Le mot de passe doit comporter au moins : ${manquantes.join(', ')}.`;
}
