// Filing a request or a complaint: the contract, the category, the
// subject, the description, when to be reached, and up to 5 photos or PDFs
// (previews of their names and sizes), sent as multipart/form-data.  The
// lists (categories, times, types, how many files, how big) are the
// server's, from GET /api/demandes.

import { h, ajouter } from '../dom.js';
import { Formulaire, erreurChargement, lienRoute } from '../ui.js';
import { lire, envoyerFichiers } from '../api.js';
import { numeroCourt } from '../format.js';
import { page, libelleContrat, contratChoisi } from './commun.js';

const AIDE_TYPES = {
    demande: 'une intervention, une information, un document…',
    reclamation: 'vous signalez un problème qui n\'a pas été réglé ou un désaccord avec l\'office.',
};

export default async function afficher(ctx) {
    const conteneur = page('page-demande-nouvelle', 'Faire une nouvelle demande',
        'Décrivez votre demande : elle est transmise aux services de l\'office, et vous pourrez suivre son avancement dans « Vos demandes ».');
    let reponse;
    try {
        reponse = await lire('/api/demandes');
    } catch (erreur) {
        conteneur.append(erreurChargement(erreur, { reessayer: () => ctx.naviguer('/demandes/nouvelle') }));
        return conteneur;
    }
    const parametres = reponse.formulaire ?? {};
    const contrats = ctx.contrats;
    const choisi = contratChoisi(ctx, contrats);

    const formulaire = new Formulaire('demande', { bouton: 'Envoyer la demande', enCours: 'Envoi en cours…' });
    const types = (parametres.types ?? []).map(({ code, libelle }) => ({
        code, libelle: AIDE_TYPES[code] ? `${libelle} : ${AIDE_TYPES[code]}` : libelle,
    }));
    formulaire.ajouter(formulaire.radios({
        nom: 'type', legende: 'Type', choix: types, valeur: 'demande',
        messageVide: 'Veuillez choisir entre une demande et une réclamation.',
    }));
    if (contrats.length > 1) {
        formulaire.ajouter(formulaire.choix({
            nom: 'contrat', libelle: 'Contrat concerné',
            choix: contrats.map((contrat) => ({ code: numeroCourt(contrat.numero), libelle: libelleContrat(contrat) })),
            valeur: choisi ? numeroCourt(choisi.numero) : '', vide: null,
            messageVide: 'Veuillez choisir le contrat concerné.',
        }));
    } else if (choisi) {
        formulaire.ajouter(h('p', { class: 'champ' }, h('span', { class: 'libelle' }, 'Contrat concerné'), libelleContrat(choisi)));
    }
    formulaire.ajouter(
        formulaire.choix({
            nom: 'categorie', libelle: 'Catégorie', choix: parametres.categories ?? [],
            messageVide: 'Veuillez choisir la catégorie de votre demande.',
        }),
        formulaire.texte({
            nom: 'objet', libelle: 'Objet', maxlength: 200,
            aide: 'En quelques mots, par exemple : « Fuite sous l\'évier de la cuisine » (200 caractères au maximum).',
            messageVide: 'Veuillez indiquer l\'objet de votre demande.',
        }),
        formulaire.texteLong({
            nom: 'description', libelle: 'Description', maxlength: 10000, lignes: 8,
            aide: 'Ce qui se passe, depuis quand, où dans le logement ou la résidence.',
            messageVide: 'Veuillez décrire votre demande.',
        }),
        formulaire.choix({
            nom: 'creneau_contact', libelle: 'Quand préférez-vous être contacté(e) ?', obligatoire: false,
            choix: parametres.creneaux ?? [], vide: 'Pas de préférence indiquée',
        }),
        formulaire.fichiers({
            nom: 'pieces', libelle: 'Photos ou documents',
            aide: 'Facultatif : une photo aide souvent à traiter la demande plus vite.',
            maximum: parametres.pieces_max ?? 5,
            tailleMax: parametres.taille_max_octets ?? 5 * 1024 * 1024,
            types: parametres.formats ?? ['application/pdf', 'image/jpeg', 'image/png'],
        }));
    formulaire.ajouterAuxActions(lienRoute('/demandes', 'Annuler et revenir à vos demandes'));

    formulaire.quandEnvoye(async (valeurs) => {
        const cree = await envoyerFichiers('/api/demandes', {
            type: valeurs.type,
            contrat: valeurs.contrat ?? (choisi ? numeroCourt(choisi.numero) : ''),
            categorie: valeurs.categorie,
            objet: valeurs.objet,
            description: valeurs.description,
            creneau_contact: valeurs.creneau_contact || null,
            pieces: valeurs.pieces,
        });
        ctx.flash('succes', `Votre ${cree.type === 'reclamation' ? 'réclamation' : 'demande'} n° ${cree.numero} est enregistrée. L'office la traitera dans les meilleurs délais ; vous pouvez suivre son avancement ici.`);
        ctx.naviguer(`/demandes/${cree.id}`);
    });

    ajouter(conteneur, [formulaire.element]);
    return conteneur;
}
