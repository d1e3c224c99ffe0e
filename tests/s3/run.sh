#!/usr/bin/env bash
# The upload, media-check and export tests with photos in S3 buckets, on moto's S3 server (installed from PyPI
# when missing), and on PostgreSQL and Redis, as in production. Fails (never skips) when moto cannot start.
#   bash tests/s3/run.sh                  # moto on 127.0.0.1:5000 (another free port if 5000 is taken)
#   TEST_DATABASE_URL= bash tests/s3/run.sh   # the same on SQLite
set -euo pipefail
cd "$(dirname "$0")/../.."

MOTO_VERSION=5.2.1
PYTHON="${PYTHON:-python3}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target}"
export TEST_DATABASE_URL="${TEST_DATABASE_URL-postgres://postgres@127.0.0.1:5432/postgres}"
export TEST_REDIS_URL="${TEST_REDIS_URL-redis://127.0.0.1:6379}"

if ! "$PYTHON" -c "import moto, moto.server, flask, flask_cors; assert moto.__version__ == '$MOTO_VERSION'" 2>/dev/null; then
  echo "installing moto[server]==$MOTO_VERSION"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi

port_free() { ! "$PYTHON" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $1)))" 2>/dev/null; }
PORT="${S3_PORT:-5000}"
if ! port_free "$PORT"; then
  PORT=$("$PYTHON" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
fi
MOTO_LOG="${CARGO_TARGET_DIR}/moto-s3.log"
mkdir -p "$CARGO_TARGET_DIR"
"$PYTHON" -m moto.server -H 127.0.0.1 -p "$PORT" >"$MOTO_LOG" 2>&1 &
MOTO_PID=$!
trap 'kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true' EXIT

ENDPOINT="http://127.0.0.1:$PORT"
for i in $(seq 1 120); do
  if ! kill -0 "$MOTO_PID" 2>/dev/null; then
    echo "FATAL: moto's server exited at start; its log:" >&2
    cat "$MOTO_LOG" >&2
    exit 1
  fi
  if curl -sf -o /dev/null "$ENDPOINT/"; then
    break
  fi
  if [ "$i" = 120 ]; then
    echo "FATAL: moto's server did not answer on $ENDPOINT within 60 s; its log:" >&2
    tail -50 "$MOTO_LOG" >&2
    exit 1
  fi
  sleep 0.5
done
echo "moto $MOTO_VERSION answers on $ENDPOINT (database: ${TEST_DATABASE_URL:-SQLite})"

# upload:: and media_check:: are the photos; export:: stores its files in the same store (multipart uploads);
# common::s3:: checks the request signing the harness creates buckets with.
TEST_S3_ENDPOINT="$ENDPOINT" cargo test --workspace --locked --test api -- upload:: media_check:: export:: common::s3::
