#!/usr/bin/env bash
# Instructions per request of one scenario, counted by callgrind: repeatable for the same binary and data whatever
# else the machine is doing (wall-clock figures on a shared 2-core machine are not). The release server runs
# under `valgrind --tool=callgrind` with jobs off (a job's work would be counted against the requests), is warmed
# with wrk, its counters zeroed, driven for --duration seconds, dumped; the total divided by the requests answered
# is the figure.
#
#   BENCH_DB=linli_s1 BENCH_BIN=path/to/linli bench/callgrind.sh --scenario submit [--clients 4] [--warmup 10]
#       [--duration 20] [--slices "1/9 2/9"]
#
# The database is one `bench/run.sh` seeded (its manifest in bench/out/$BENCH_DB). `--slices "W M"`: the slices of
# the fresh reports the warm-up and the measured run acknowledge (give each binary of a comparison its own pair,
# so that no report is acknowledged twice). Prints `CALLGRIND scenario=… requests=… instructions=… per_request=…`.
# Needs valgrind, wrk, PostgreSQL at $BENCH_PG (default postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")/.."

SCENARIO=submit CLIENTS=4 WARMUP=10 DURATION=20 SLICES="1/9 2/9"
while [ $# -gt 0 ]; do
  case "$1" in
    --scenario) SCENARIO=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --slices) SLICES=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
read -r WARM_SLICE RUN_SLICE <<< "$SLICES"
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-linli_bench}
OUT=bench/out/$DB
PORT=${BENCH_PORT:-18089}
BIN=${BENCH_BIN:-${CARGO_TARGET_DIR:-$PWD/target}/release/linli}
[ -f "$OUT/manifest.json" ] || [ -d "$OUT" ] || { echo "no manifest in $OUT: seed with bench/run.sh first" >&2; exit 1; }
SOCKET_DIR=/var/run/postgresql
OPTS=""; [ -S $SOCKET_DIR/.s.PGSQL.5432 ] && OPTS="?host=$SOCKET_DIR"
export DATABASE_URL="$PG/$DB$OPTS"
export LINLI_JWT_SECRET=bench-secret-bench-secret-bench-secret LINLI_ACCESS_TOKEN_TTL_SECS=86400
# Rate limits off unless LINLI_RATE_LIMITS says (e.g. generous allowances, to count what checking them costs).
export LINLI_LOG=warn LINLI_LISTEN=127.0.0.1:$PORT LINLI_RATE_LIMITS=${LINLI_RATE_LIMITS:-off} LINLI_JOBS=off

"$BIN" bench-tokens --out "$OUT" >/dev/null
CG=$(mktemp -d)
valgrind --tool=callgrind --callgrind-out-file="$CG/cg.out" "$BIN" serve > "$CG/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null || { cat "$CG/server.log" >&2; exit 1; }
drive() { # slice, seconds
  SCENARIO=$SCENARIO INPUTS=$OUT SLICE=$1 THREADS=1 wrk -t1 -c"$CLIENTS" -d"$2"s --timeout 30s -s bench/lua/graphql.lua \
    "http://127.0.0.1:$PORT" 2>"$CG/wrk.err" | grep '^RESULT' || true
}
drive "$WARM_SLICE" "$WARMUP" >/dev/null
callgrind_control -z $SERVER >/dev/null
line=$(drive "$RUN_SLICE" "$DURATION")
callgrind_control -d $SERVER >/dev/null
sleep 1
requests=$(echo "$line" | sed -n 's/.*requests=\([0-9]*\).*/\1/p')
errors=$(echo "$line" | sed -n 's/.*graphql_errors=\([0-9]*\).*/\1/p')
# The dump callgrind_control -d wrote (cg.out.1, …, one per thread with --separate-threads): its `summary:` and
# `totals:` lines both hold the instructions (taken once).
total=$(for f in "$CG"/cg.out.*; do awk '/^(summary|totals):/ {v = $2} END {print v + 0}' "$f"; done | awk '{s += $1} END {print s + 0}')
[ "${requests:-0}" -gt 0 ] || { echo "no requests answered: $line" >&2; cat "$CG/wrk.err" >&2; exit 1; }
echo "CALLGRIND scenario=$SCENARIO clients=$CLIENTS requests=$requests graphql_errors=${errors:-?} instructions=$total per_request=$((total / requests))"
