'use strict';
// GET /api/accueil in Node.js with express and pg: the peer the portal is
// measured against (bench/run).  Same statement, same JSON (built by
// PostgreSQL), same answers as the module's
// (ngx_portail_module/api/ngx_http_portail_accueil.c): 200 with the page, 401
// without a valid session, the session's last activity recorded at most
// once a minute, without waiting for it.
//
// Written as a careful Node developer would: production mode, a pool of
// PORTAIL_POOL connections (the portal's pool size), a named statement
// (pg prepares it once per connection), the session settings given at
// connection time, the JSON column relayed as text (not parsed and
// serialised again), no ETag.

const crypto = require('crypto');
const express = require('express');
const { Pool, types } = require('pg');

// bench/run checks that this is the module's statement, byte for byte.
const ACCUEIL = 'SELECT compte_id, session_id, a_toucher, corps'
    + ' FROM portail.accueil($1::bytea, $2::text)';

const TOUCHER = 'UPDATE portail.session SET vu_le = now()'
    + ' WHERE id = $1::bigint AND fermee_le IS NULL';

types.setTypeParser(types.builtins.JSON, (v) => v);
types.setTypeParser(types.builtins.INT8, (v) => v);

const pool = new Pool({
    host: process.env.PORTAIL_PGHOST || '127.0.0.1',
    port: Number(process.env.PORTAIL_PGPORT || 5432),
    database: process.env.PORTAIL_PGDATABASE || 'portail',
    user: 'portail_app',
    max: Number(process.env.PORTAIL_POOL || 8),
    idleTimeoutMillis: 60000,
    options: '-c search_path=portail -c TimeZone=Europe/Paris'
        + ' -c DateStyle=ISO,DMY -c statement_timeout=5s',
});

const COOKIE = /(?:^|;\s*)portail_session=([A-Za-z0-9_-]{43})(?:;|$)/;

function answer(res, status, json) {
    res.status(status).set({
        'Content-Type': 'application/json; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
    }).send(json);
}

function nonAuthentifie(res) {
    answer(res, 401, '{"error":"non_authentifie","message":'
        + '"Votre session a expiré ou vous n\'êtes pas connecté : connectez-vous."}');
}

const app = express();
app.disable('x-powered-by');
app.set('etag', false);

app.get('/api/accueil', async (req, res) => {
    const m = COOKIE.exec(req.headers.cookie || '');
    const token = m && Buffer.from(m[1], 'base64url');
    if (!token || token.length !== 32) {
        nonAuthentifie(res);
        return;
    }
    const hash = crypto.createHash('sha256').update(token).digest();
    let r;
    try {
        r = await pool.query({ name: 'accueil', text: ACCUEIL, values: [hash, null] });
    } catch (e) {
        answer(res, 503, '{"error":"indisponible","message":"Service indisponible."}');
        return;
    }
    const row = r.rows[0];
    if (!row) {
        nonAuthentifie(res);
        return;
    }
    if (row.a_toucher) {
        pool.query({ name: 'toucher', text: TOUCHER, values: [row.session_id] })
            .catch(() => {});
    }
    if (row.corps === null) {
        answer(res, 404, '{"error":"introuvable","message":"Cette page n\'existe pas."}');
        return;
    }
    answer(res, 200, row.corps);
});

app.listen(Number(process.env.PORT || 8482), '127.0.0.1');
