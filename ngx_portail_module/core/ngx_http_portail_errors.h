
/*
 * The errors the API answers: one enum, one table (ngx_http_portail_errors.c)
 * giving each its HTTP status, its stable code and its French message.
 * Every error is {"error": "<code>", "message": "<sentence>"}; clients act
 * on the code, people read the message.  docs/openapi.yaml lists the same
 * codes.
 */


#ifndef _NGX_HTTP_PORTAIL_ERRORS_H_INCLUDED_
#define _NGX_HTTP_PORTAIL_ERRORS_H_INCLUDED_


#include <ngx_config.h>
#include <ngx_core.h>


typedef enum {
    /* no error: what a check answers when it found nothing wrong */
    NGX_HTTP_PORTAIL_ERR_NONE = 0,

    /* every route */
    NGX_HTTP_PORTAIL_ERR_REQUETE_INVALIDE,
    NGX_HTTP_PORTAIL_ERR_JSON_INVALIDE,
    NGX_HTTP_PORTAIL_ERR_NON_AUTHENTIFIE,
    NGX_HTTP_PORTAIL_ERR_CSRF_INVALIDE,
    NGX_HTTP_PORTAIL_ERR_INTERDIT,
    NGX_HTTP_PORTAIL_ERR_INTROUVABLE,
    NGX_HTTP_PORTAIL_ERR_METHODE_NON_AUTORISEE,
    NGX_HTTP_PORTAIL_ERR_CONFLIT,
    NGX_HTTP_PORTAIL_ERR_CORPS_TROP_VOLUMINEUX,
    NGX_HTTP_PORTAIL_ERR_ADRESSE_TROP_LONGUE,
    NGX_HTTP_PORTAIL_ERR_ENTETES_TROP_VOLUMINEUX,
    NGX_HTTP_PORTAIL_ERR_TYPE_NON_SUPPORTE,
    NGX_HTTP_PORTAIL_ERR_VALIDATION,
    NGX_HTTP_PORTAIL_ERR_TROP_DE_REQUETES,
    NGX_HTTP_PORTAIL_ERR_ERREUR_INTERNE,
    NGX_HTTP_PORTAIL_ERR_BASE_INDISPONIBLE,
    NGX_HTTP_PORTAIL_ERR_SERVICE_SURCHARGE,
    NGX_HTTP_PORTAIL_ERR_DELAI_DEPASSE,

    /* accounts */
    NGX_HTTP_PORTAIL_ERR_IDENTIFIANTS_INVALIDES,
    NGX_HTTP_PORTAIL_ERR_COMPTE_NON_CONFIRME,
    NGX_HTTP_PORTAIL_ERR_TROP_DE_TENTATIVES,
    NGX_HTTP_PORTAIL_ERR_TROP_D_EVALUATIONS,
    NGX_HTTP_PORTAIL_ERR_IDENTITE_NON_RECONNUE,
    NGX_HTTP_PORTAIL_ERR_IDENTITE_AMBIGUE,
    NGX_HTTP_PORTAIL_ERR_JETON_INVALIDE,
    NGX_HTTP_PORTAIL_ERR_JETON_EXPIRE,

    /* the tenant's file */
    NGX_HTTP_PORTAIL_ERR_ADRESSE_UTILISEE,
    NGX_HTTP_PORTAIL_ERR_CHANGEMENT_EMAIL_EXPIRE,

    /* card payments */
    NGX_HTTP_PORTAIL_ERR_PAIEMENT_INDISPONIBLE,
    NGX_HTTP_PORTAIL_ERR_AUCUN_MONTANT_DU,
    NGX_HTTP_PORTAIL_ERR_PAIEMENT_DEJA_RECU,
    NGX_HTTP_PORTAIL_ERR_MONTANT_DU_TROP_FAIBLE,
    NGX_HTTP_PORTAIL_ERR_RECU_INDISPONIBLE,
    NGX_HTTP_PORTAIL_ERR_SIGNATURE_INVALIDE,
    NGX_HTTP_PORTAIL_ERR_NOTIFICATION_INVALIDE,
    NGX_HTTP_PORTAIL_ERR_COMMANDE_INCONNUE,
    NGX_HTTP_PORTAIL_ERR_TRANSACTION_INCOHERENTE,
    NGX_HTTP_PORTAIL_ERR_MONTANT_INCOHERENT,
    NGX_HTTP_PORTAIL_ERR_DEVISE_INCOHERENTE,
    NGX_HTTP_PORTAIL_ERR_TRANSACTION_EN_DOUBLE,

    /* SEPA mandates */
    NGX_HTTP_PORTAIL_ERR_PRELEVEMENT_INDISPONIBLE,

    /* uploads: a PDF refused for what it holds (portail-pdfcheck) */
    NGX_HTTP_PORTAIL_ERR_FICHIER_CONTENU_ACTIF,
    NGX_HTTP_PORTAIL_ERR_FICHIER_CHIFFRE,
    NGX_HTTP_PORTAIL_ERR_FICHIER_ILLISIBLE,
    NGX_HTTP_PORTAIL_ERR_FICHIER_TROP_COMPLEXE,

    NGX_HTTP_PORTAIL_ERR_COUNT
} ngx_http_portail_err_e;


typedef struct {
    ngx_str_t                         code;
    ngx_uint_t                        status;
    const char                       *message;
} ngx_http_portail_error_t;


ngx_int_t ngx_http_portail_errors_init(ngx_conf_t *cf);
const ngx_http_portail_error_t *ngx_http_portail_error(
    ngx_http_portail_err_e err);
/* the error a statement names by its code; NGX_HTTP_PORTAIL_ERR_NONE if none */
ngx_http_portail_err_e ngx_http_portail_error_by_code(ngx_str_t *code);


#endif /* _NGX_HTTP_PORTAIL_ERRORS_H_INCLUDED_ */
