<?php
// GET /api/accueil in PHP 8.2 with pdo_pgsql: the peer the portal is
// measured against (bench/run).  Same statement, same JSON (built by
// PostgreSQL), same answers as the module's
// (ngx_portail_module/api/ngx_http_portail_accueil.c): 200 with the page, 401
// without a valid session, the session's last activity recorded at most
// once a minute.
//
// Written as a careful PHP developer would: a persistent connection per
// FPM child (the session settings given at connection time), one round trip
// per request (PQexecParams: PDO would otherwise prepare and deallocate a
// statement around each request, two more round trips, since a PHP request
// cannot keep a prepared statement for the next one), the JSON relayed as
// it comes.  opcache on, production php.ini (bench/peers/php/php-fpm.conf).

declare(strict_types=1);

// bench/run checks that this is the module's statement, byte for byte
// (PDO numbers "?" placeholders $1, $2 as the module does).
const ACCUEIL = 'SELECT compte_id, session_id, a_toucher, corps'
    . ' FROM portail.accueil(?::bytea, ?::text)';

const TOUCHER = 'UPDATE portail.session SET vu_le = now()'
    . ' WHERE id = ?::bigint AND fermee_le IS NULL';

function reponse(int $status, string $json): void
{
    http_response_code($status);
    header('Content-Type: application/json; charset=utf-8');
    header('Cache-Control: no-store');
    header('X-Content-Type-Options: nosniff');
    echo $json;
}

function non_authentifie(): void
{
    reponse(401, '{"error":"non_authentifie","message":'
        . '"Votre session a expiré ou vous n\'êtes pas connecté : connectez-vous."}');
}

$cookie = $_COOKIE['portail_session'] ?? '';
if (strlen($cookie) !== 43 || !preg_match('/^[A-Za-z0-9_-]{43}$/D', $cookie)) {
    non_authentifie();
    return;
}
$jeton = base64_decode(strtr($cookie, '-_', '+/') . '=', true);
if ($jeton === false || strlen($jeton) !== 32) {
    non_authentifie();
    return;
}

$db = new PDO(
    'pgsql:host=' . getenv('PORTAIL_PGHOST') . ';port=' . getenv('PORTAIL_PGPORT')
    . ';dbname=' . getenv('PORTAIL_PGDATABASE')
    . ";options='-c search_path=portail -c TimeZone=Europe/Paris"
    . " -c DateStyle=ISO,DMY -c statement_timeout=5s'",
    'portail_app',
    null,
    [
        PDO::ATTR_PERSISTENT => true,
        PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
        PDO::ATTR_STRINGIFY_FETCHES => true,
        PDO::PGSQL_ATTR_DISABLE_PREPARES => true,
    ]
);

$st = $db->prepare(ACCUEIL);
$st->bindValue(1, hash('sha256', $jeton, true), PDO::PARAM_LOB);
$st->bindValue(2, null, PDO::PARAM_NULL);
$st->execute();
$ligne = $st->fetch(PDO::FETCH_NUM);
$st = null;

if ($ligne === false) {
    non_authentifie();
    return;
}

if ($ligne[2] === true || $ligne[2] === 't' || $ligne[2] === '1') {
    $db->prepare(TOUCHER)->execute([$ligne[1]]);
}

if ($ligne[3] === null) {
    reponse(404, '{"error":"introuvable","message":"Cette page n\'existe pas."}');
    return;
}

reponse(200, $ligne[3]);
