#!/usr/bin/env bash
# API fuzzing (issue 10): schemathesis (PyPI) against /api/openapi.json of `serve --demo`,
# signed in as the office (who may call everything), checking that no request gets a 5xx.
#
#   bench/api-fuzz.sh [MAX_EXAMPLES]     (default 200 per operation; pip install schemathesis)
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES="${1:-200}"
PORT=18201
PASSWORD="api-fuzz-password"
command -v st >/dev/null || command -v schemathesis >/dev/null || { echo "pip install schemathesis" >&2; exit 1; }
ST=$(command -v st || command -v schemathesis)
cargo build --release -p chainforce >/dev/null
BIN="${CARGO_TARGET_DIR:-target}/release/chainforce"
WORK=$(mktemp -d)
trap 'kill "${SERVER_PID:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT
CHAINFORCE_DEMO_PASSWORD="$PASSWORD" RUST_LOG=warn "$BIN" serve --demo --bind 127.0.0.1:$PORT >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 1; done
BASE="http://127.0.0.1:$PORT"
curl -s -c "$WORK/jar" "$BASE/login" -o "$WORK/login.html"
TOKEN=$(grep -o 'name="_csrf" value="[^"]*"' "$WORK/login.html" | head -1 | sed 's/.*value="//;s/"//')
curl -s -b "$WORK/jar" -c "$WORK/jar" -o /dev/null -d "_csrf=$TOKEN&username=office&password=$PASSWORD&next=/" "$BASE/login"
SESSION=$(awk '$6=="cf_session"{print $7}' "$WORK/jar")
CSRF=$(curl -s -b "$WORK/jar" "$BASE/api/v1/me" | sed 's/.*"csrf_token":"\([^"]*\)".*/\1/')
"$ST" run "$BASE/api/openapi.json" --url "$BASE" \
  -H "Cookie: cf_session=$SESSION" -H "X-CSRF-Token: $CSRF" \
  --checks not_a_server_error --max-examples "$EXAMPLES" --workers 2
echo "server errors logged:"; grep -c ' ERROR ' "$WORK/server.log" || true
