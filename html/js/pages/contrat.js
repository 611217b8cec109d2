import { rubriqueAVenir } from './a-venir.js';

export default function afficher(ctx) {
    return rubriqueAVenir({
        classe: 'page-contrat',
        titre: 'Votre contrat',
        description: 'Dans cette rubrique, vous trouverez toutes les informations importantes sur vos contrats actuels. Vous pourrez :',
        points: [
            'consulter vos contrats ;',
            'mettre à jour vos informations personnelles (coordonnées, situation, occupants…) ;',
            'renouveler votre assurance habitation en joignant votre attestation.',
        ],
    }, ctx);
}
