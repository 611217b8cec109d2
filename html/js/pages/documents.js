import { rubriqueAVenir } from './a-venir.js';

export default function afficher(ctx) {
    return rubriqueAVenir({
        classe: 'page-documents',
        titre: 'Vos documents',
        description: 'Cette rubrique vous permettra de consulter et de télécharger :',
        points: [
            'vos quittances de loyer ;',
            'vos avis d\'échéance (à partir de novembre 2023) ;',
            'vos régularisations de charges (à partir de novembre 2023).',
        ],
    }, ctx);
}
