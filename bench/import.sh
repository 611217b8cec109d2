#!/bin/sh
# Import benchmark: generates a demo batch of N households (default 10,000)
# with 24 months of ledger, loads it into a fresh scratch database, and times
# the first import and a second, forced one (same files: nothing changes).
#
#   bench/import.sh [N]
#
# Needs a PostgreSQL superuser through the PG* environment variables (default
# the helper cluster: PGHOST=127.0.0.1 PGPORT=5441 PGUSER=postgres).

set -eu
n=${1:-10000}
here=$(cd "$(dirname "$0")/.." && pwd)
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5441}" PGUSER="${PGUSER:-postgres}"
db=bench_import_$$
work=$(mktemp -d "${TMPDIR:-/tmp}/portail-bench.XXXXXX")
cleanup() { rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" 2>/dev/null || true; }
trap cleanup EXIT

now() { date +%s.%N; }
secs() { awk "BEGIN { printf \"%.1f\", $2 - $1 }"; }

t0=$(now)
python3 "$here/tools/demo-data" --households "$n" --out "$work/lot"
t1=$(now)
psql -X -q -d postgres -c "CREATE DATABASE $db"
"$here/sql/migrate" "dbname=$db" >/dev/null
export PGDATABASE=$db
t2=$(now)
"$here/tools/import" "$work/lot" >/dev/null
t3=$(now)
"$here/tools/import" --force "$work/lot" >/dev/null
t4=$(now)
"$here/tools/import" "$work/lot" >/dev/null
t5=$(now)

lignes=$(($(wc -l <"$work/lot/ecritures.csv") - 1))
pdf=$(($(wc -l <"$work/lot/documents.csv") - 1))
echo "foyers : $n, écritures : $lignes, PDF : $pdf ($(du -sh "$work/lot" | cut -f1) sur disque)"
echo "génération : $(secs "$t0" "$t1") s"
echo "premier import : $(secs "$t2" "$t3") s"
echo "second import (--force : tout revalidé, aucun changement) : $(secs "$t3" "$t4") s"
echo "troisième import (lot identique, ignoré) : $(secs "$t4" "$t5") s"
echo "charge de la machine : $(cut -d' ' -f1-3 /proc/loadavg)"
