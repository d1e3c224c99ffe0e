#!/usr/bin/env bash
# The load harness: seeds PostgreSQL with a district of the real shape, starts the release server, drives each
# scenario with wrk at 1, 16 and 64 clients, runs the same SQL statements straight through the pool as the
# ceiling, and writes bench/RESULTS.md (numbers as ratios to the ceiling measured in the same run).
#
#   bench/run.sh [--scale 1] [--duration 10] [--warmup 2] [--clients "1 16 64"] [--reuse] [--results bench/RESULTS.md]
#                [--cell-changes R]
#
# --cell-changes R changes R KPI cells a second during each read scenario's measured run (a random compound's
# month among the last three whole months, its version bumped as a change to one of its reports bumps it), so that
# the KPI reads are measured while their scopes change under them: no answer kept in memory holds for long, and the
# changed compounds' months are read from their facts until the cell builder (every 5 s) has run.
#
# Each read scenario is first run unmeasured for --warmup seconds at the same concurrency, so that its figures are
# the steady state (the server's caches of people and compounds filled, as they are minutes after a deploy)
# rather than its first second.
#
# Needs: wrk (apt-get install wrk), PostgreSQL at $BENCH_PG (default postgres://postgres@127.0.0.1:5432), python3.
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE=1 DURATION=10 WARMUP=2 CLIENTS="1 16 64" REUSE=0 RESULTS=bench/RESULTS.md FRESH=300000 PROFILE=release
SCENARIOS="my_reports inbox area_inbox area_inbox_closed queue report similar kpi_street kpi_ranking open311_day submit acknowledge mixed"
SLA_TIMERS=100000 CELL_CHANGES=0
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) SCALE=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --fresh) FRESH=$2; shift 2 ;;
    --reuse) REUSE=1; shift ;;
    --debug) PROFILE=debug; shift ;;
    --only) SCENARIOS=$2; shift 2 ;;
    --results) RESULTS=$2; shift 2 ;;
    --sla-timers) SLA_TIMERS=$2; shift 2 ;;
    --cell-changes) CELL_CHANGES=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install wrk" >&2; exit 1; }
PG=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}
DB=${BENCH_DB:-linli_bench}
OUT=bench/out/$DB  # per database, so a run on another database never clobbers this one's manifest and tokens
PORT=${BENCH_PORT:-18088}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
# The server (and the ceiling, through the same pool) reaches PostgreSQL over its Unix socket when it is on this
# host, as a deployment with both on one machine would: no TCP and no TLS on loopback (PostgreSQL's default `ssl =
# on` made sqlx encrypt every message, on both sides). BENCH_PG_OPTS="" connects exactly as $BENCH_PG says.
SOCKET_DIR=/var/run/postgresql
if [ -z "${BENCH_PG_OPTS+set}" ]; then
  BENCH_PG_OPTS=""
  [ -S $SOCKET_DIR/.s.PGSQL.5432 ] && BENCH_PG_OPTS="?host=$SOCKET_DIR"
fi
export DATABASE_URL="$PG/$DB$BENCH_PG_OPTS"
export LINLI_JWT_SECRET=bench-secret-bench-secret-bench-secret LINLI_ACCESS_TOKEN_TTL_SECS=86400
export LINLI_LOG=${LINLI_LOG:-warn} LINLI_LISTEN=127.0.0.1:$PORT
BIN=$CARGO_TARGET_DIR/$PROFILE/linli
# Rate limits would refuse the harness's load (every client is on 127.0.0.1); they are measured on their own.
export LINLI_RATE_LIMITS=off

# BENCH_BIN=path/to/linli measures that binary instead of building this checkout (a before/after comparison).
if [ -n "${BENCH_BIN:-}" ]; then BIN=$BENCH_BIN
elif [ $PROFILE = release ]; then cargo build --release --quiet; else cargo build --quiet; fi
mkdir -p $OUT
RAW=$OUT/raw.tsv
: > $RAW
echo -e "clk_tck\t$(getconf CLK_TCK)" >> $RAW
echo -e "db_transport\t$([ -n "$BENCH_PG_OPTS" ] && echo "Unix socket" || echo "$PG (TCP)")" >> $RAW

if [ $REUSE = 0 ]; then
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  start=$(date +%s%N)
  $BIN seed-scale --scale "$SCALE" --fresh "$FRESH" --out $OUT | tee $OUT/seed.txt
  echo -e "seed_ms\t$(( ($(date +%s%N) - start) / 1000000 ))" >> $RAW
else
  $BIN bench-tokens --out $OUT
  # Hand the fresh reports back to their heads: acknowledgements of an earlier run are undone.
  psql "$PG/$DB" -qc "DELETE FROM report_event e USING report r WHERE e.report_id = r.id AND e.kind = 'ACKNOWLEDGED' AND r.status = 'ACKNOWLEDGED' AND r.acknowledged_at >= current_date" \
    -c "UPDATE report r SET status = 'SUBMITTED', version = 1, acknowledged_at = NULL, waiting_since = r.submitted_at, queue_at = r.submitted_at, last_event_id = (SELECT e.id FROM report_event e WHERE e.report_id = r.id AND e.kind = 'SUBMITTED'), last_event_kind = 'SUBMITTED', last_event_at = r.submitted_at WHERE r.status = 'ACKNOWLEDGED' AND r.acknowledged_at >= current_date" \
    -c "UPDATE report SET queue_at = waiting_since, escalated_at = NULL, escalations = 0, sla_stage = NULL, sla_level = NULL, sla_fires_at = NULL WHERE escalated_at IS NOT NULL"
fi

$BIN serve > $OUT/server.log 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

# Each run that acknowledges gets its own slice of the fresh reports (9 slices: 3 API runs, 3 ceiling runs and 3
# mixed runs), so no report is acknowledged twice.
slot=0
for scenario in $SCENARIOS; do
  for c in $CLIENTS; do
    slot=$((slot + 1))
    threads=$(( c < 2 ? 1 : 2 ))
    api_slice="$(( (slot - 1) % 3 + 1 ))/9"; ceil_slice="$(( (slot - 1) % 3 + 4 ))/9"
    [ $scenario = mixed ] && api_slice="$(( (slot - 1) % 3 + 7 ))/9"
    case $scenario in
      submit|acknowledge|mixed) ;; # writes: nothing to warm, and a warm-up would use up fresh reports
      *) [ "$WARMUP" -gt 0 ] && SCENARIO=$scenario INPUTS=$OUT SLICE=$api_slice THREADS=$threads \
           wrk -t$threads -c$c -d${WARMUP}s --timeout 5s -s bench/lua/graphql.lua "http://127.0.0.1:$PORT" >/dev/null 2>&1 || true ;;
    esac
    rss_log=$OUT/rss-$scenario-$c.txt
    ( while kill -0 $SERVER 2>/dev/null; do grep VmRSS /proc/$SERVER/status | awk '{print $2}'; sleep 0.5; done ) > $rss_log &
    sampler=$!
    changer=""
    case $scenario in
      submit|acknowledge|mixed) ;;
      *) if [ "$CELL_CHANGES" != 0 ]; then
           gap=$(python3 -c "print(1 / $CELL_CHANGES)")
           ( while :; do
               psql "$PG/$DB" -qc "UPDATE kpi_cell SET version = version + 1 WHERE (compound_id, month) IN (SELECT compound_id, month FROM kpi_cell WHERE month >= CAST(date_trunc('month', current_date) - interval '3 months' AS date) AND month < CAST(date_trunc('month', current_date) AS date) ORDER BY random() LIMIT 1)" >/dev/null
               sleep "$gap"
             done ) &
           changer=$!
         fi ;;
    esac
    # The server's CPU time over the run (user + system, in clock ticks): CPU per request is steadier than
    # throughput on a shared machine, and it is what the server itself costs.
    cpu0=$(awk '{print $14 + $15}' /proc/$SERVER/stat)
    line=$(SCENARIO=$scenario INPUTS=$OUT SLICE=$api_slice THREADS=$threads \
      wrk -t$threads -c$c -d${DURATION}s --timeout 5s -s bench/lua/graphql.lua "http://127.0.0.1:$PORT" 2>$OUT/wrk-$scenario-$c.err | grep '^RESULT' || true)
    cpu1=$(awk '{print $14 + $15}' /proc/$SERVER/stat)
    [ -n "$changer" ] && { kill $changer 2>/dev/null || true; wait $changer 2>/dev/null || true; }
    kill $sampler 2>/dev/null || true
    rss=$(sort -n $rss_log | tail -1)
    echo -e "api\t$scenario\t$c\t$line rss_kb=${rss:-0} cpu_ticks=$((cpu1 - cpu0))" | tee -a $RAW
    if [ $scenario != mixed ]; then
      line=$($BIN bench-ceiling --scenario $scenario --concurrency $c --duration $DURATION --out $OUT --slice $ceil_slice | grep '^RESULT' || true)
      echo -e "ceiling\t$scenario\t$c\t$line" | tee -a $RAW
    fi
  done
done
echo -e "server_peak_rss_kb\t$(grep VmHWM /proc/$SERVER/status | awk '{print $2}')" >> $RAW

# The escalation job through SLA_TIMERS due timers against the same statements bare (last: it moves the reports it
# escalates to the top of their inboxes; a --reuse run puts them back).
# The server is stopped first: its own timer job would fire the armed timers alongside.
kill $SERVER 2>/dev/null || true
wait $SERVER 2>/dev/null || true
if [ "$SLA_TIMERS" -gt 0 ]; then
  line=$($BIN bench-sla --timers "$SLA_TIMERS" | grep '^RESULT' || true)
  echo -e "sla\t-\t-\t$line" | tee -a $RAW
  # Arming, firing and disarming rewrote every armed row several times: vacuum now, so the next run (--reuse) does
  # not read a table of dead rows (round 8 measured reads after an unvacuumed SLA run).
  psql "$PG/$DB" -qc "VACUUM (ANALYZE) report"
fi

# At real scale a sequential scan of reports or events is a failure; a sliver of data legitimately uses them.
if [ $PROFILE = release ]; then STRICT_EXPLAIN=1 bash bench/explain.sh; else EXPLAIN_DIR=$OUT/explain bash bench/explain.sh; fi
python3 bench/report.py --raw $RAW --scale "$SCALE" --duration "$DURATION" --out "$RESULTS"
echo "wrote $RESULTS"
