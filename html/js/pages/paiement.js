import { rubriqueAVenir } from './a-venir.js';

export default function afficher(ctx) {
    return rubriqueAVenir({
        classe: 'page-paiement',
        titre: 'Paiements',
        description: 'Dans cette rubrique, vous pourrez gérer facilement et en toute sécurité vos paiements :',
        points: [
            'consulter le solde de votre compte et l\'historique de vos paiements ;',
            'payer votre loyer en ligne par carte bancaire ;',
            'programmer le prélèvement automatique et choisir la date de prélèvement ;',
            'mettre à jour vos coordonnées bancaires.',
        ],
    }, ctx);
}
