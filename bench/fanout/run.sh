#!/usr/bin/env bash
# The fan-out benchmark of live updates: seeds a small district into its own database, then for each run starts the
# release server afresh, opens --subs subscriptions over /graphql/ws, acknowledges --rate fresh reports per second
# for --duration seconds, and writes the figures of every run to bench/out/fanout.md.
#
#   bench/fanout/run.sh [--subs 1000] [--rate 200] [--duration 30] [--runs 2] [--scale 0.1] [--reuse]
#
# BENCH_BIN=path/to/linli measures that binary (default: $CARGO_TARGET_DIR/release/linli, built if absent).
# --reuse keeps the seeded database and takes the next unused fresh reports (bench/out/linli_fanout/next_offset
# remembers how many earlier runs acknowledged).
# Needs: node and npm, PostgreSQL at $BENCH_PG (default postgres://postgres@127.0.0.1:5432), psql.
set -euo pipefail
cd "$(dirname "$0")/../.."

SUBS=1000 RATE=200 DURATION=30 RUNS=2 SCALE=0.1 REUSE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --subs) SUBS=$2; shift 2 ;;
    --rate) RATE=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --scale) SCALE=$2; shift 2 ;;
    --reuse) REUSE=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-linli_fanout}
OUT=bench/out/$DB
PORT=${BENCH_PORT:-18090}
RESULTS=${BENCH_RESULTS:-bench/out/fanout.md}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
# As bench/run.sh: the Unix socket when PostgreSQL is on this host.
SOCKET_DIR=/var/run/postgresql
if [ -z "${BENCH_PG_OPTS+set}" ]; then
  BENCH_PG_OPTS=""
  [ -S $SOCKET_DIR/.s.PGSQL.5432 ] && BENCH_PG_OPTS="?host=$SOCKET_DIR"
fi
export DATABASE_URL="$PG/$DB$BENCH_PG_OPTS"
export LINLI_JWT_SECRET=bench-secret-bench-secret-bench-secret LINLI_ACCESS_TOKEN_TTL_SECS=86400
export LINLI_LOG=${LINLI_LOG:-warn} LINLI_LISTEN=127.0.0.1:$PORT
# Every client is on 127.0.0.1: rate limits would refuse the harness (they are measured on their own).
export LINLI_RATE_LIMITS=off
# The background jobs would work through the seeded history's backlog (72 h auto-closes, SLA timers) alongside the
# load; they are another replica's business here (LINLI_JOBS=on measures with them). The sequencer and the followers
# run either way.
export LINLI_JOBS=${LINLI_JOBS:-off}

BIN=${BENCH_BIN:-$CARGO_TARGET_DIR/release/linli}
if [ -z "${BENCH_BIN:-}" ] && [ ! -x "$BIN" ]; then cargo build --release --quiet -p linli; fi
[ -d bench/fanout/node_modules ] || (cd bench/fanout && npm ci --no-audit --no-fund --silent)
mkdir -p "$OUT"

PER_RUN=$(( RATE * DURATION ))
if [ $REUSE = 0 ]; then
  # Fresh reports per district at scale 1: enough for every run's slice, and a tenth more.
  FRESH=$(awk -v n=$(( PER_RUN * RUNS )) -v s="$SCALE" 'BEGIN { printf "%d", n * 1.1 / s + 1 }')
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  $BIN seed-scale --scale "$SCALE" --fresh "$FRESH" --out "$OUT" > "$OUT/seed.txt"
  echo 0 > "$OUT/next_offset"
  # A bulk load leaves dirty pages and unvacuumed tables: a checkpoint and autovacuum in the middle of the first run
  # stalled every commit for seconds. A deployment's database is not minutes after a bulk load: settle it first.
  psql "$PG/$DB" -qc "VACUUM (ANALYZE)" -c "CHECKPOINT"
else
  $BIN bench-tokens --out "$OUT"
fi
# What fanout.mjs needs to know which subscriptions each acknowledgement concerns: the units and reporter of every
# SUBMITTED report, and the inbox units of every head.
psql "$PG/$DB" -qAtF $'\t' -c "SELECT id, reporter_id, neighbourhood_id, group_id, area_id, community_id FROM report WHERE status = 'SUBMITTED'" > "$OUT/fresh.tsv"
psql "$PG/$DB" -qAtF $'\t' -c "SELECT user_id, role, scope_id FROM appointment WHERE ends_at IS NULL AND starts_at <= now() AND role IN ('NEIGHBOUR_HEAD', 'GROUP_HEAD', 'AREA_HEAD', 'COMMUNITY_ADMIN')" > "$OUT/units.tsv"

OFFSET=$(cat "$OUT/next_offset" 2>/dev/null || echo 0)
JSONS=()
for run in $(seq 1 "$RUNS"); do
  log=$OUT/server-$run.log
  $BIN serve > "$log" 2>&1 &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
  sleep 1 # the followers and jobs have started: "idle" is the server at rest
  after=$(psql "$PG/$DB" -qAtc "SELECT COALESCE(MAX(seq), 0) FROM domain_event")
  json=$OUT/fanout-$run.json
  node bench/fanout/fanout.mjs --base "http://127.0.0.1:$PORT" --inputs "$OUT" --after "$after" --subs "$SUBS" \
    --rate "$RATE" --duration "$DURATION" --offset "$OFFSET" --server-pid $SERVER --clk-tck "$(getconf CLK_TCK)" \
    --json "$json" | tee "$OUT/fanout-$run.txt"
  OFFSET=$(( OFFSET + PER_RUN ))
  echo $OFFSET > "$OUT/next_offset"
  JSONS+=("$json")
  kill $SERVER 2>/dev/null || true
  wait $SERVER 2>/dev/null || true
  trap - EXIT
done

node bench/fanout/report.mjs "${JSONS[@]}" > "$RESULTS"
echo "wrote $RESULTS"
