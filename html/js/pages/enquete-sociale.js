import { rubriqueAVenir } from './a-venir.js';

export default function afficher(ctx) {
    return rubriqueAVenir({
        classe: 'page-enquete-sociale',
        titre: 'Enquête sociale',
        description: 'Dans cette rubrique, vous pourrez répondre en ligne aux enquêtes SLS (supplément de loyer de solidarité) et OPS (occupation du parc social), et déposer directement votre avis d\'imposition.',
    }, ctx);
}
