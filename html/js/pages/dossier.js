import { rubriqueAVenir } from './a-venir.js';

export default function afficher(ctx) {
    return rubriqueAVenir({
        classe: 'page-dossier',
        titre: 'Mon dossier',
        description: 'Dans cette rubrique, vous pourrez mettre à jour :',
        points: [
            'votre adresse e-mail ;',
            'votre numéro de téléphone ;',
            'votre mot de passe ;',
            'votre situation professionnelle.',
        ],
    }, ctx);
}
