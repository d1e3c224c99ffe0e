#!/usr/bin/env bash
# The console's own checks and its tests in a real browser (issue 17), run by .ci/run:
#   1. npm ci; lint, type-check and the Vitest unit tests (npm run check);
#   2. the committed build (console/dist, which the binary embeds) is what the committed source builds to;
#   3. a real server (the given binary, dev mode, the demo district, SQLite) and tests/console/e2e.mjs driving
#      Debian's chromium with playwright-core; screenshots of every page under $CONSOLE_SHOTS (default: a new
#      temporary folder), not committed;
#   4. tests/console/scan.mjs: scan-to-login in the browser against its own server (port $CONSOLE_SCAN_PORT, default
#      18124) whose WECHAT_API_BASE is a fake WeChat inside the script; its screenshots go to the same folder.
# Usage: bash tests/console/run.sh path/to/linli
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="${1:?usage: run.sh path/to/linli}"
BIN="$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")"
WORK=$(mktemp -d)
SHOTS="${CONSOLE_SHOTS:-$WORK/shots}"
PORT="${CONSOLE_E2E_PORT:-18123}"
SERVER_PID=
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; }
trap cleanup EXIT

if ! command -v chromium >/dev/null; then
  apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }
fi
# A Chinese font, so that the screenshots show the console's text rather than boxes (not needed for the tests).
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  apt-get install -y -qq fonts-wqy-zenhei >/dev/null 2>&1 || echo "note: no Chinese font; screenshots will show boxes" >&2
fi

echo "-- console: npm ci, lint, type-check, unit tests"
(cd console && npm ci --no-audit --no-fund --loglevel=error && npm run --silent check)

echo "-- console: the committed build matches the source"
(cd console && npx tsc -b && npx vite build --logLevel warn --outDir "$WORK/dist" --emptyOutDir)
if ! diff -r console/dist "$WORK/dist" >/dev/null; then
  echo "FATAL: console/dist is not what console/ builds to: run \`npm run build\` in console/ and commit console/dist" >&2
  diff -rq console/dist "$WORK/dist" >&2 || true
  exit 1
fi

echo "-- console: in a real browser against the demo district"
(cd tests/console && npm ci --no-audit --no-fund --loglevel=error)
mkdir -p "$WORK/server"
(cd "$WORK/server" && LINLI_LISTEN="127.0.0.1:$PORT" LINLI_RATE_LIMITS=off LINLI_JOBS=on exec "$BIN" serve --demo >"$WORK/server.log" 2>&1) &
SERVER_PID=$!
for _ in $(seq 1 60); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break
  sleep 1
done
node tests/console/e2e.mjs "http://127.0.0.1:$PORT" "$SHOTS" || { tail -50 "$WORK/server.log" >&2; exit 1; }

echo "-- console: scan-to-login in a real browser, WeChat faked"
node tests/console/scan.mjs "$BIN" "$SHOTS"
echo "screenshots: $SHOTS"
