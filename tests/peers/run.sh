#!/usr/bin/env bash
# Real peers against real server processes, on one PostgreSQL database (linli_peers):
#   1. the graphql-http conformance audit (every MUST and SHOULD, no warnings) and the graphql-ws reference client
#      across two replicas (a change made through one replica reaches a subscription on the other; a reconnect
#      with `after` misses nothing); without Redis, a persisted query is each replica's own;
#   2. three replicas with their jobs on behind haproxy (round robin, HTTP and websocket on one port): a head's
#      subscription sees a change another replica served; each scheduled job's effect happens once; a persisted
#      mutation registered on one replica is answered by hash on another (Redis); SIGTERM closes websockets with
#      1001 and the client resumes on another replica with `after`;
#   3. Redis killed and started again under load (a private redis-server): the documented degradation, then
#      recovery.
#
#   tests/peers/run.sh <path to the linli binary>
#
# Needs node (20+) and npm, PostgreSQL at $PEERS_PG (default postgres://postgres@127.0.0.1:5432), Redis at
# $PEERS_REDIS (default redis://127.0.0.1:6379), redis-server (for the private one on $PEERS_REDIS_PORT, 6390), and
# haproxy (installed from Debian's packages when missing).
set -euo pipefail
cd "$(dirname "$0")"
BIN=${1:?usage: tests/peers/run.sh path/to/linli}
BIN=$(realpath "$BIN")
began=$(date +%s)
command -v node >/dev/null || { echo "node is not installed (apt-get install nodejs npm)" >&2; exit 1; }
command -v redis-server >/dev/null || { echo "redis-server is not installed (apt-get install redis-server)" >&2; exit 1; }
if ! command -v haproxy >/dev/null; then
  apt-get install -y -qq haproxy >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq haproxy >/dev/null; }
fi
[ -d node_modules ] || npm ci --no-audit --no-fund --silent
PG=${PEERS_PG:-postgres://postgres@127.0.0.1:5432}
REDIS=${PEERS_REDIS:-redis://127.0.0.1:6379}
PRIVATE_REDIS_PORT=${PEERS_REDIS_PORT:-6390}
DB=linli_peers
psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
export DATABASE_URL="$PG/$DB" LINLI_LOG=${LINLI_LOG:-warn} LINLI_MEDIA_DIR=$(mktemp -d) LINLI_SLA_INTERVAL_MS=500
WORK=$(mktemp -d)
declare -A pid_of=()
cleanup() {
  local rc=$?
  for p in "${pid_of[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/redis/redis.pid" ] && kill "$(cat "$WORK/redis/redis.pid")" 2>/dev/null || true
  if [ "$rc" != 0 ]; then
    for f in "$WORK"/*.log; do echo "--- $f (last lines)" >&2; tail -n 15 "$f" >&2; done
  fi
}
trap cleanup EXIT
# start NAME PORT [VAR=value …] [serve's arguments]: a server process, waited for until /readyz answers.
start() {
  local name=$1 port=$2 envs=() args=()
  shift 2
  for a in "$@"; do case $a in *=*) envs+=("$a") ;; *) args+=("$a") ;; esac; done
  env LINLI_LISTEN="127.0.0.1:$port" "${envs[@]}" "$BIN" serve "${args[@]}" > "$WORK/$name.log" 2>&1 &
  pid_of[$name]=$!
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && return 0; sleep 0.2; done
  echo "the server $name on $port did not become ready:" >&2; cat "$WORK/$name.log" >&2; exit 1
}
# stop NAME…: SIGTERM, then each must exit 0 (a clean graceful stop).
stop() {
  for n in "$@"; do kill -TERM "${pid_of[$n]}"; done
  for n in "$@"; do
    local rc=0
    wait "${pid_of[$n]}" || rc=$?
    unset "pid_of[$n]"
    [ "$rc" = 0 ] || { echo "FAIL $n exited $rc after SIGTERM" >&2; exit 1; }
  done
}

echo "-- peers 1/6: graphql-http audit, graphql-ws across two replicas, APQ per replica without Redis"
start a 18101 --demo   # loads the demo district, then serves
start b 18102          # a second replica of the same district
node audit.mjs http://127.0.0.1:18101/graphql
node ws-client.mjs http://127.0.0.1:18101 http://127.0.0.1:18102
node apq.mjs local http://127.0.0.1:18101 http://127.0.0.1:18102
stop a b

echo "-- peers 2/6: three replicas, jobs on in each, behind haproxy; a subscription sees another replica's change"
# Short intervals so that a few seconds hold many rounds of every job in every replica. The login allowance of
# 127.0.0.1 in the shared Redis is every run's on this machine: this one gets its own burst (the allowance is not
# what is tested here).
LB_ENV=(REDIS_URL="$REDIS" LINLI_JOBS=on LINLI_SLA_INTERVAL_MS=200 LINLI_JOB_INTERVAL_MS=300 LINLI_OUTBOX_INTERVAL_MS=300
  LINLI_EXPORT_INTERVAL_MS=300 LINLI_KPI_CELL_INTERVAL_MS=1000 LINLI_SHUTDOWN_GRACE_SECS=5 LINLI_RATE_LIMITS=login_addr=600/600)
for i in 1 2 3; do start "r$i" "1811$i" "${LB_ENV[@]}"; done
cat > "$WORK/haproxy.cfg" <<EOF
global
  maxconn 512
defaults
  mode http
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  timeout tunnel 60s
  retries 3
  option redispatch 1
frontend peers
  bind 127.0.0.1:18110
  default_backend replicas
backend replicas
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  http-response set-header X-Served-By %[srv_name]
  default-server inter 250 fall 1 rise 2
  server r1 127.0.0.1:18111 check
  server r2 127.0.0.1:18112 check
  server r3 127.0.0.1:18113 check
EOF
haproxy -f "$WORK/haproxy.cfg" -db > "$WORK/haproxy.log" 2>&1 &
pid_of[haproxy]=$!
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18110/readyz >/dev/null && break; sleep 0.1; done
LB=http://127.0.0.1:18110
node lb.mjs $LB

echo "-- peers 3/6: each scheduled job runs once with jobs on in all three replicas"
node jobs.mjs "$DATABASE_URL" http://127.0.0.1:18111 http://127.0.0.1:18112 http://127.0.0.1:18113

echo "-- peers 4/6: a mutation's persisted-query hash registered on one replica is answered by another (Redis)"
node apq.mjs shared http://127.0.0.1:18111 http://127.0.0.1:18112

echo "-- peers 5/6: SIGTERM closes websockets with 1001; the client resumes on another replica with after"
node shutdown.mjs $LB "r1=${pid_of[r1]},r2=${pid_of[r2]},r3=${pid_of[r3]}" "$WORK/stopped"
victim=$(cat "$WORK/stopped")
rc=0; wait "${pid_of[$victim]}" || rc=$?
unset "pid_of[$victim]"
[ "$rc" = 0 ] || { echo "FAIL $victim exited $rc after SIGTERM (not a clean stop)" >&2; exit 1; }
kill "${pid_of[haproxy]}"; unset "pid_of[haproxy]"
stop $(for r in r1 r2 r3; do [ -n "${pid_of[$r]:-}" ] && echo $r; done)

echo "-- peers 6/6: Redis killed and started again under load: the documented degradation, then recovery"
mkdir -p "$WORK/redis"
redis-server --port "$PRIVATE_REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --pidfile "$WORK/redis/redis.pid" --dir "$WORK/redis" --logfile "$WORK/redis/redis.log"
for _ in $(seq 1 50); do redis-cli -p "$PRIVATE_REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
FAULT_ENV=(REDIS_URL="redis://127.0.0.1:$PRIVATE_REDIS_PORT" LINLI_JOBS=off LINLI_CLIENT_IP_HEADER=x-forwarded-for LINLI_RATE_LIMITS=login_addr=6/3)
start f1 18121 "${FAULT_ENV[@]}"
start f2 18122 "${FAULT_ENV[@]}"
node redis-fault.mjs http://127.0.0.1:18121 http://127.0.0.1:18122 "$PRIVATE_REDIS_PORT" "$WORK/redis"
stop f1 f2
redis-cli -p "$PRIVATE_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
echo "peers: all six steps passed in $(( $(date +%s) - began )) s"
