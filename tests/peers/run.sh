#!/usr/bin/env bash
# Real peers against real server processes: the graphql-http conformance audit (every MUST and SHOULD, no
# warnings) and the graphql-ws reference client across two replicas of one district on PostgreSQL (a change made
# through one replica reaches a subscription on the other; a reconnect with `after` misses nothing).
#
#   tests/peers/run.sh <path to the linli binary>
#
# Needs node (20+) and npm, PostgreSQL at $PEERS_PG (default postgres://postgres@127.0.0.1:5432).
set -euo pipefail
cd "$(dirname "$0")"
BIN=${1:?usage: tests/peers/run.sh path/to/linli}
command -v node >/dev/null || { echo "node is not installed (apt-get install nodejs npm)" >&2; exit 1; }
[ -d node_modules ] || npm ci --no-audit --no-fund --silent
PG=${PEERS_PG:-postgres://postgres@127.0.0.1:5432}
DB=linli_peers
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export DATABASE_URL="$PG/$DB" LINLI_LOG=${LINLI_LOG:-warn} LINLI_MEDIA_DIR=$(mktemp -d) LINLI_SLA_INTERVAL_MS=500
LOGS=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
start() {
  LINLI_LISTEN=127.0.0.1:$1 "$BIN" serve $2 > "$LOGS/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return 0; sleep 0.2; done
  echo "the server on $1 did not become ready:" >&2; cat "$LOGS/$1.log" >&2; exit 1
}
start 18101 --demo   # loads the demo district, then serves
start 18102 ""       # a second replica of the same district
node audit.mjs http://127.0.0.1:18101/graphql
node ws-client.mjs http://127.0.0.1:18101 http://127.0.0.1:18102
