// The portal's API client: the only module that calls fetch().
//
// - Cookies only (credentials: 'same-origin'): the session cookie is
//   HttpOnly, the page never sees it.
// - The CSRF token, given by GET /api/session and POST /api/connexion, is
//   kept in this module's memory only (never localStorage/sessionStorage:
//   anything stored there is readable by any script that ever runs on the
//   origin) and sent as X-CSRF-Token on every state-changing request.
// - Every failure becomes an ErreurApi carrying a French sentence to show:
//   the server's `message` when it sent one, otherwise one chosen here from
//   the status (proxies and network failures send no JSON).
// - A 401 on a call that needed the session means it expired: the app is
//   told through quandSessionExpiree() and sends the user to sign-in.

const METHODES_MODIFIANTES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// Long enough for a slow mobile network and the server's own timeouts
// (504 delai_depasse comes before this), short enough not to leave the
// user in front of a button that never answers.  Files (five photos from
// a phone on a poor connection) get longer.
const DELAI_MS = 30000;
const DELAI_FICHIERS_MS = 180000;

let jetonCsrf = null;
let gestionnaireSessionExpiree = null;

export function definirCsrf(jeton) {
    jetonCsrf = typeof jeton === 'string' && jeton !== '' ? jeton : null;
}

export function quandSessionExpiree(fonction) {
    gestionnaireSessionExpiree = fonction;
}

export class ErreurApi extends Error {
    constructor({ statut, code, message, champs = null, reessayerApres = null }) {
        super(message);
        this.name = 'ErreurApi';
        this.statut = statut;
        this.code = code;
        this.champs = champs;
        this.reessayerApres = reessayerApres;
    }
}

const MESSAGES_PAR_STATUT = {
    0: "Le portail ne répond pas. Vérifiez votre connexion à internet, puis réessayez.",
    400: "La demande n'a pas pu être traitée. Veuillez vérifier les informations saisies.",
    401: "Votre session a expiré. Veuillez vous reconnecter.",
    403: "Vous n'avez pas accès à cette information.",
    404: "La ressource demandée n'existe pas.",
    409: "Cette opération n'est plus possible. Veuillez recharger la page.",
    413: "Les données envoyées sont trop volumineuses.",
    429: "Trop de tentatives. Veuillez patienter quelques minutes avant de réessayer.",
    500: "Une erreur inattendue est survenue. Veuillez réessayer dans quelques instants.",
    503: "Le service est momentanément indisponible. Veuillez réessayer dans quelques instants.",
    504: "Le service met trop de temps à répondre. Veuillez réessayer dans quelques instants.",
};

function messageParDefaut(statut) {
    if (MESSAGES_PAR_STATUT[statut]) {
        return MESSAGES_PAR_STATUT[statut];
    }
    return statut >= 500 ? MESSAGES_PAR_STATUT[503] : MESSAGES_PAR_STATUT[500];
}

// Retry-After is either seconds or an HTTP date (RFC 9110).
function lireReessayerApres(entete) {
    if (!entete) {
        return null;
    }
    if (/^\d+$/.test(entete.trim())) {
        return Number(entete.trim());
    }
    const date = Date.parse(entete);
    return Number.isNaN(date) ? null : Math.max(0, Math.round((date - Date.now()) / 1000));
}

async function lireJson(reponse) {
    const type = reponse.headers.get('Content-Type') || '';
    if (!type.includes('application/json')) {
        return null;
    }
    try {
        return await reponse.json();
    } catch {
        return null;
    }
}

/**
 * Calls the API and returns the decoded JSON body (null when there is none).
 *
 *   chemin    '/api/...'
 *   corps     object sent as JSON (POST/PUT/PATCH)
 *   options.sessionRequise  false for calls whose 401 means something else
 *             than an expired session (sign-in: wrong password; the session
 *             probe at start-up; sign-out).
 */
export async function appeler(methode, chemin, corps, options = {}) {
    try {
        return await appelerUneFois(methode, chemin, corps, options);
    } catch (erreur) {
        // The token is derived from the session cookie: if the cookie
        // changed behind this page's back (signed in again in another tab),
        // the token in memory is stale.  Fetch the current one and try
        // once more; a second refusal is shown as it is.
        if (erreur.code !== 'csrf_invalide' || options.deuxiemeEssai) {
            throw erreur;
        }
        const session = await appelerUneFois('GET', '/api/session', undefined, options);
        definirCsrf(session && session.csrf);
        return appelerUneFois(methode, chemin, corps, { ...options, deuxiemeEssai: true });
    }
}

async function appelerUneFois(methode, chemin, corps, { sessionRequise = true } = {}) {
    const entetes = { Accept: 'application/json' };
    // A FormData goes as multipart/form-data: the browser writes the
    // Content-Type itself, with the boundary it chose.
    const multipart = typeof FormData !== 'undefined' && corps instanceof FormData;
    if (corps !== undefined && !multipart) {
        entetes['Content-Type'] = 'application/json';
    }
    if (METHODES_MODIFIANTES.has(methode) && jetonCsrf) {
        entetes['X-CSRF-Token'] = jetonCsrf;
    }

    const abandon = new AbortController();
    const minuterie = setTimeout(() => abandon.abort(), multipart ? DELAI_FICHIERS_MS : DELAI_MS);
    let reponse;
    try {
        reponse = await fetch(chemin, {
            method: methode,
            headers: entetes,
            body: corps === undefined || multipart ? corps : JSON.stringify(corps),
            credentials: 'same-origin',
            cache: 'no-store',
            signal: abandon.signal,
        });
    } catch (erreur) {
        const delaiDepasse = erreur && erreur.name === 'AbortError';
        throw new ErreurApi({
            statut: 0,
            code: delaiDepasse ? 'delai_depasse' : 'reseau',
            message: delaiDepasse ? MESSAGES_PAR_STATUT[504] : MESSAGES_PAR_STATUT[0],
        });
    } finally {
        clearTimeout(minuterie);
    }

    const donnees = await lireJson(reponse);
    if (reponse.ok) {
        return donnees;
    }

    const erreur = new ErreurApi({
        statut: reponse.status,
        code: (donnees && typeof donnees.error === 'string') ? donnees.error : `http_${reponse.status}`,
        message: (donnees && typeof donnees.message === 'string' && donnees.message)
            ? donnees.message : messageParDefaut(reponse.status),
        champs: (donnees && donnees.champs && typeof donnees.champs === 'object') ? donnees.champs : null,
        reessayerApres: lireReessayerApres(reponse.headers.get('Retry-After')),
    });
    if (reponse.status === 401 && sessionRequise && gestionnaireSessionExpiree) {
        jetonCsrf = null;
        gestionnaireSessionExpiree(erreur);
    }
    throw erreur;
}

export const lire = (chemin, options) => appeler('GET', chemin, undefined, options);
export const envoyer = (chemin, corps, options) => appeler('POST', chemin, corps ?? {}, options);
export const remplacerRessource = (chemin, corps, options) => appeler('PUT', chemin, corps ?? {}, options);
export const modifierRessource = (chemin, corps, options) => appeler('PATCH', chemin, corps ?? {}, options);
export const supprimerRessource = (chemin, options) => appeler('DELETE', chemin, undefined, options);

/**
 * Sends files (and the fields that go with them) as multipart/form-data:
 * `donnees` is a FormData, or an object whose values are strings, Files or
 * arrays of Files (each File appended under the same name).
 */
export function envoyerFichiers(chemin, donnees, options) {
    let corps = donnees;
    if (!(donnees instanceof FormData)) {
        corps = new FormData();
        for (const [nom, valeur] of Object.entries(donnees)) {
            for (const element of Array.isArray(valeur) ? valeur : [valeur]) {
                if (element === null || element === undefined) {
                    continue;
                }
                if (element instanceof Blob) {
                    corps.append(nom, element, element.name);
                } else {
                    corps.append(nom, String(element));
                }
            }
        }
    }
    return appeler('POST', chemin, corps, options);
}

