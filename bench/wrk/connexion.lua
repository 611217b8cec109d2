-- Sign-ins, back to back: POST /api/connexion with the JSON body the SPA
-- sends, each connection (one per thread) for its own benchmark account,
-- counted from BENCH_FIRST_ACCOUNT (bench/sql/comptes.sql: bench-<k>).
-- Every answer opens a new session (argon2id in the thread pool).

local count = 0

function setup(thread)
   count = count + 1
   thread:set("account", tonumber(os.getenv("BENCH_FIRST_ACCOUNT")) + count - 1)
end

function init(args)
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   wrk.body = string.format(
      '{"identifiant":"bench-%d@example.org","mot_de_passe":"Portail2024!",' ..
      '"se_souvenir":false}', account)
end

dofile("bench/wrk/report.lua")
