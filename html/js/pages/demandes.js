import { rubriqueAVenir } from './a-venir.js';

export default function afficher(ctx) {
    return rubriqueAVenir({
        classe: 'page-demandes',
        titre: 'Vos demandes',
        description: 'Dans cette rubrique, vous pourrez voir toutes les demandes effectuées concernant votre contrat et suivre leur avancement.',
    }, ctx);
}
