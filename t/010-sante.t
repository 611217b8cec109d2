# GET /api/sante, the router and the JSON error shape.
use Test::Nginx::Socket 'no_plan';
use Portail::Test;

reset_database();
use_portail_defaults();
no_shuffle();
run_tests();

__DATA__

=== TEST 1: the health check makes a round trip to PostgreSQL
--- request
GET /api/sante
--- response_body chomp
{"status":"ok","database":"ok"}
--- response_headers
Content-Type: application/json; charset=utf-8
Cache-Control: no-store
X-Content-Type-Options: nosniff
--- no_error_log
[error]



=== TEST 2: HEAD is served as GET, without a body
--- request
HEAD /api/sante
--- error_code: 200
--- response_body chomp
--- response_headers
Content-Type: application/json; charset=utf-8



=== TEST 3: a path the API does not have is a JSON 404
--- request
GET /api/nulle-part
--- error_code: 404
--- response_body chomp
{"error":"introuvable","message":"La ressource demandée n'existe pas."}
--- error_log
portail: answered 404 introuvable



=== TEST 4: a method the path does not have is a JSON 405 with Allow
--- request
DELETE /api/sante
--- error_code: 405
--- response_headers
Allow: GET, HEAD
--- response_body chomp
{"error":"methode_non_autorisee","message":"Cette opération n'est pas possible à cette adresse."}



=== TEST 5: nginx's own refusal of a large body is answered in JSON too
--- config
    location /api/ {
        portail_api;
        client_max_body_size 16;
        error_page 413 @portail_erreur;
    }
    location @portail_erreur {
        portail_api_errors;
    }
--- request
POST /api/sante
{"a": "more than sixteen bytes of body"}
--- error_code: 413
--- response_body chomp
{"error":"corps_trop_volumineux","message":"Les données envoyées sont trop volumineuses."}
--- response_headers
Content-Type: application/json; charset=utf-8



=== TEST 6: a trailing segment is another path
--- request
GET /api/sante/plus
--- error_code: 404
--- response_body_like chomp
"error":"introuvable"



=== TEST 7: without portail_database, the API answers 503, it does not crash
--- http_config
    portail_database_max_connections 1;
    # portail_database deliberately absent
--- config
    location /api/ { portail_api; }
--- request
GET /api/sante
--- error_code: 503
--- response_body_like chomp
"database":"indisponible"
