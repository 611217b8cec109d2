
/*
 * The one table of the API's errors, indexed by ngx_http_portail_err_e.
 * Statements that refuse an operation name the error by its code (a
 * payment already received, an amount above what is owed): those codes are
 * found through a hash built once at configuration time.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_portail_errors.h"


static const ngx_http_portail_error_t
    ngx_http_portail_errors[NGX_HTTP_PORTAIL_ERR_COUNT] = {

    /* every route */
    [NGX_HTTP_PORTAIL_ERR_REQUETE_INVALIDE] = {
      ngx_string("requete_invalide"), NGX_HTTP_BAD_REQUEST,
      "La requête est invalide." },
    [NGX_HTTP_PORTAIL_ERR_JSON_INVALIDE] = {
      ngx_string("json_invalide"), NGX_HTTP_BAD_REQUEST,
      "Le contenu envoyé n'est pas un objet JSON valide." },
    [NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE] = {
      ngx_string("non_authentifie"), NGX_HTTP_UNAUTHORIZED,
      "Votre session a expiré ou vous n'êtes pas connecté. "
      "Connectez-vous pour continuer." },
    [NGX_HTTP_PORTAIL_ERR_CSRF_INVALIDE] = {
      ngx_string("csrf_invalide"), NGX_HTTP_FORBIDDEN,
      "La demande n'a pas pu être vérifiée. Rechargez la page puis "
      "réessayez." },
    [NGX_HTTP_PORTAIL_ERR_INTERDIT] = {
      ngx_string("interdit"), NGX_HTTP_FORBIDDEN,
      "Vous n'avez pas accès à cette ressource." },
    [NGX_HTTP_PORTAIL_ERR_INTROUVABLE] = {
      ngx_string("introuvable"), NGX_HTTP_NOT_FOUND,
      "La ressource demandée n'existe pas." },
    [NGX_HTTP_PORTAIL_ERR_METHODE_NON_AUTORISEE] = {
      ngx_string("methode_non_autorisee"), NGX_HTTP_NOT_ALLOWED,
      "Cette opération n'est pas possible à cette adresse." },
    [NGX_HTTP_PORTAIL_ERR_CONFLIT] = {
      ngx_string("conflit"), NGX_HTTP_CONFLICT,
      "Cette opération n'est plus possible dans l'état actuel." },
    [NGX_HTTP_PORTAIL_ERR_CORPS_TROP_VOLUMINEUX] = {
      ngx_string("corps_trop_volumineux"), NGX_HTTP_REQUEST_ENTITY_TOO_LARGE,
      "Les données envoyées sont trop volumineuses." },
    [NGX_HTTP_PORTAIL_ERR_ADRESSE_TROP_LONGUE] = {
      ngx_string("adresse_trop_longue"), NGX_HTTP_REQUEST_URI_TOO_LARGE,
      "L'adresse demandée est trop longue." },
    [NGX_HTTP_PORTAIL_ERR_ENTETES_TROP_VOLUMINEUX] = {
      ngx_string("entetes_trop_volumineux"), NGX_HTTP_BAD_REQUEST,
      "Les en-têtes de la requête (ou ses cookies) sont trop volumineux." },
    [NGX_HTTP_PORTAIL_ERR_TYPE_NON_SUPPORTE] = {
      ngx_string("type_non_supporte"), NGX_HTTP_UNSUPPORTED_MEDIA_TYPE,
      "Le type de contenu envoyé n'est pas accepté ici." },
    [NGX_HTTP_PORTAIL_ERR_VALIDATION] = {
      ngx_string("validation"), 422,
      "Certains champs sont incorrects : corrigez-les puis réessayez." },
    [NGX_HTTP_PORTAIL_ERR_TROP_DE_REQUETES] = {
      ngx_string("trop_de_requetes"), 429,
      "Trop de demandes en peu de temps. Patientez un instant puis "
      "réessayez." },
    [NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE] = {
      ngx_string("erreur_interne"), NGX_HTTP_INTERNAL_SERVER_ERROR,
      "Une erreur est survenue de notre côté. Réessayez plus tard." },
    [NGX_HTTP_PORTAIL_ERR_BASE_INDISPONIBLE] = {
      ngx_string("base_indisponible"), NGX_HTTP_SERVICE_UNAVAILABLE,
      "Le service est momentanément indisponible. Réessayez dans "
      "quelques instants." },
    [NGX_HTTP_PORTAIL_ERR_SERVICE_SURCHARGE] = {
      ngx_string("service_surcharge"), NGX_HTTP_SERVICE_UNAVAILABLE,
      "Le service est très sollicité en ce moment. Réessayez dans "
      "quelques instants." },
    [NGX_HTTP_PORTAIL_ERR_DELAI_DEPASSE] = {
      ngx_string("delai_depasse"), NGX_HTTP_GATEWAY_TIME_OUT,
      "Le service a mis trop de temps à répondre. Réessayez dans "
      "quelques instants." },

    /* accounts */
    [NGX_HTTP_PORTAIL_ERR_IDENTIFIANTS_INVALIDES] = {
      ngx_string("identifiants_invalides"), NGX_HTTP_UNAUTHORIZED,
      "Identifiant ou mot de passe incorrect." },
    [NGX_HTTP_PORTAIL_ERR_COMPTE_NON_CONFIRME] = {
      ngx_string("compte_non_confirme"), NGX_HTTP_FORBIDDEN,
      "Votre compte n'est pas encore activé : cliquez sur le lien de "
      "confirmation reçu par e-mail. Sans e-mail après 24 heures, "
      "inscrivez-vous à nouveau." },
    [NGX_HTTP_PORTAIL_ERR_TROP_DE_TENTATIVES] = {
      ngx_string("trop_de_tentatives"), 429,
      "Trop de tentatives de connexion. Patientez quelques minutes "
      "avant de réessayer, ou utilisez « Mot de passe oublié ? »." },
    [NGX_HTTP_PORTAIL_ERR_TROP_D_EVALUATIONS] = {
      ngx_string("trop_d_evaluations"), 429,
      "Trop de mots de passe vérifiés depuis votre connexion. Patientez "
      "quelques minutes avant de réessayer." },
    [NGX_HTTP_PORTAIL_ERR_IDENTITE_NON_RECONNUE] = {
      ngx_string("identite_non_reconnue"), 422,
      "Le nom et la référence client ne correspondent à aucun "
      "signataire : vérifiez-les sur votre avis d'échéance." },
    [NGX_HTTP_PORTAIL_ERR_IDENTITE_AMBIGUE] = {
      ngx_string("identite_ambigue"), 422,
      "Plusieurs signataires portent ce nom : indiquez votre prénom "
      "et votre nom." },
    [NGX_HTTP_PORTAIL_ERR_JETON_INVALIDE] = {
      ngx_string("jeton_invalide"), NGX_HTTP_BAD_REQUEST,
      "Ce lien n'est pas valide ou a déjà été utilisé." },
    [NGX_HTTP_PORTAIL_ERR_JETON_EXPIRE] = {
      ngx_string("jeton_expire"), 410,
      "Ce lien a expiré. Pour une inscription, inscrivez-vous à "
      "nouveau avec les mêmes informations : un nouveau lien vous "
      "sera envoyé. Pour un mot de passe, refaites « Mot de passe "
      "oublié ? »." },

    /* the tenant's file */
    [NGX_HTTP_PORTAIL_ERR_ADRESSE_UTILISEE] = {
      ngx_string("adresse_utilisee"), NGX_HTTP_CONFLICT,
      "Cette adresse e-mail est déjà celle d'un autre compte : votre "
      "adresse n'a pas été changée." },
    [NGX_HTTP_PORTAIL_ERR_CHANGEMENT_EMAIL_EXPIRE] = {
      ngx_string("changement_email_expire"), 410,
      "Ce lien a expiré : refaites la demande de changement d'adresse "
      "depuis la page « Mon dossier »." },

    /* card payments */
    [NGX_HTTP_PORTAIL_ERR_PAIEMENT_INDISPONIBLE] = {
      ngx_string("paiement_indisponible"), NGX_HTTP_SERVICE_UNAVAILABLE,
      "Le paiement par carte n'est pas disponible pour le moment. "
      "Réessayez plus tard ou choisissez un autre moyen de paiement." },
    [NGX_HTTP_PORTAIL_ERR_AUCUN_MONTANT_DU] = {
      ngx_string("aucun_montant_du"), NGX_HTTP_CONFLICT,
      "Aucune somme n'est due sur ce contrat : il n'y a rien à payer "
      "pour le moment." },
    [NGX_HTTP_PORTAIL_ERR_PAIEMENT_DEJA_RECU] = {
      ngx_string("paiement_deja_recu"), NGX_HTTP_CONFLICT,
      "Votre paiement a bien été reçu : il sera pris en compte dans "
      "votre solde dans les 24h. Il n'y a rien d'autre à payer pour "
      "le moment." },
    [NGX_HTTP_PORTAIL_ERR_MONTANT_DU_TROP_FAIBLE] = {
      ngx_string("montant_du_trop_faible"), NGX_HTTP_CONFLICT,
      "La somme due est inférieure au minimum d'un paiement par carte "
      "(1,00 €) : réglez-la avec votre prochaine échéance." },
    [NGX_HTTP_PORTAIL_ERR_RECU_INDISPONIBLE] = {
      ngx_string("recu_indisponible"), NGX_HTTP_CONFLICT,
      "Le reçu n'est disponible que pour un paiement accepté." },
    [NGX_HTTP_PORTAIL_ERR_SIGNATURE_INVALIDE] = {
      ngx_string("signature_invalide"), NGX_HTTP_FORBIDDEN,
      "La signature de la notification de paiement est invalide." },
    [NGX_HTTP_PORTAIL_ERR_NOTIFICATION_INVALIDE] = {
      ngx_string("notification_invalide"), NGX_HTTP_BAD_REQUEST,
      "La notification de paiement est incomplète ou mal formée." },
    [NGX_HTTP_PORTAIL_ERR_COMMANDE_INCONNUE] = {
      ngx_string("commande_inconnue"), NGX_HTTP_NOT_FOUND,
      "Aucune commande ne correspond à cette notification de "
      "paiement." },
    [NGX_HTTP_PORTAIL_ERR_TRANSACTION_INCOHERENTE] = {
      ngx_string("transaction_incoherente"), NGX_HTTP_CONFLICT,
      "La notification ne correspond pas à la transaction de la "
      "commande." },
    [NGX_HTTP_PORTAIL_ERR_MONTANT_INCOHERENT] = {
      ngx_string("montant_incoherent"), NGX_HTTP_CONFLICT,
      "Le montant notifié ne correspond pas à celui de la commande." },
    [NGX_HTTP_PORTAIL_ERR_DEVISE_INCOHERENTE] = {
      ngx_string("devise_incoherente"), NGX_HTTP_CONFLICT,
      "La devise notifiée ne correspond pas à celle de la commande." },
    [NGX_HTTP_PORTAIL_ERR_TRANSACTION_EN_DOUBLE] = {
      ngx_string("transaction_en_double"), NGX_HTTP_CONFLICT,
      "Cette commande est déjà payée par une autre transaction : "
      "l'anomalie est enregistrée." },

    /* SEPA mandates */
    [NGX_HTTP_PORTAIL_ERR_PRELEVEMENT_INDISPONIBLE] = {
      ngx_string("prelevement_indisponible"), NGX_HTTP_SERVICE_UNAVAILABLE,
      "La souscription au prélèvement automatique n'est pas "
      "disponible en ligne pour le moment : contactez l'office." },

    /* uploads: a PDF refused for what it holds */
    [NGX_HTTP_PORTAIL_ERR_FICHIER_CONTENU_ACTIF] = {
      ngx_string("fichier_contenu_actif"), 422,
      "Ce PDF contient du contenu actif (JavaScript, lien, pièce "
      "jointe...) : enregistrez-le à nouveau avec « Imprimer en PDF » "
      "puis renvoyez-le." },
    [NGX_HTTP_PORTAIL_ERR_FICHIER_CHIFFRE] = {
      ngx_string("fichier_chiffre"), 422,
      "Ce PDF est chiffré ou protégé par un mot de passe : "
      "enregistrez-le sans protection avec « Imprimer en PDF » puis "
      "renvoyez-le." },
    [NGX_HTTP_PORTAIL_ERR_FICHIER_ILLISIBLE] = {
      ngx_string("fichier_illisible"), 422,
      "Ce PDF est endommagé ou illisible : enregistrez-le à nouveau "
      "avec « Imprimer en PDF » puis renvoyez-le." },
    [NGX_HTTP_PORTAIL_ERR_FICHIER_TROP_COMPLEXE] = {
      ngx_string("fichier_trop_complexe"), 422,
      "Ce PDF est trop lourd pour être vérifié : enregistrez-le à "
      "nouveau avec « Imprimer en PDF », ou en moins de pages, puis "
      "renvoyez-le." },
};


static ngx_hash_t  ngx_http_portail_errors_hash;


ngx_int_t
ngx_http_portail_errors_init(ngx_conf_t *cf)
{
    ngx_uint_t                       i;
    ngx_hash_init_t                  hash;
    ngx_hash_keys_arrays_t           keys;
    const ngx_http_portail_error_t  *e;

    keys.pool = cf->pool;
    keys.temp_pool = cf->temp_pool;

    if (ngx_hash_keys_array_init(&keys, NGX_HASH_SMALL) != NGX_OK) {
        return NGX_ERROR;
    }

    for (i = NGX_HTTP_PORTAIL_ERR_NONE + 1; i < NGX_HTTP_PORTAIL_ERR_COUNT;
         i++)
    {
        e = &ngx_http_portail_errors[i];

        /* a gap in the table is a programming error: refuse to start */
        if (e->code.len == 0 || e->status == 0 || e->message == NULL) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portail: error %ui has no entry", i);
            return NGX_ERROR;
        }

        if (ngx_hash_add_key(&keys, (ngx_str_t *) &e->code, (void *) i,
                             NGX_HASH_READONLY_KEY)
            != NGX_OK)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "portail: error code \"%V\" is listed twice",
                               &e->code);
            return NGX_ERROR;
        }
    }

    hash.hash = &ngx_http_portail_errors_hash;
    hash.key = ngx_hash_key;
    hash.max_size = 512;
    hash.bucket_size = ngx_align(64, ngx_cacheline_size);
    hash.name = "portail_errors_hash";
    hash.pool = cf->pool;
    hash.temp_pool = NULL;

    return ngx_hash_init(&hash, keys.keys.elts, keys.keys.nelts);
}


const ngx_http_portail_error_t *
ngx_http_portail_error(ngx_http_portail_err_e err)
{
    if (err <= NGX_HTTP_PORTAIL_ERR_NONE || err >= NGX_HTTP_PORTAIL_ERR_COUNT) {
        err = NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE;
    }

    return &ngx_http_portail_errors[err];
}


ngx_http_portail_err_e
ngx_http_portail_error_by_code(ngx_str_t *code)
{
    void  *found;

    found = ngx_hash_find(&ngx_http_portail_errors_hash,
                          ngx_hash_key(code->data, code->len),
                          code->data, code->len);

    return (ngx_http_portail_err_e) (uintptr_t) found;
}
