#!/usr/bin/env bash
# Crash durability (issue 10): start the server, drive a stream of writes, kill it with SIGKILL at
# random moments KILLS times (default 20), restart it each time, then check that every write the
# server acknowledged is there and that the audit chain verifies.
#
#   bench/crash-loop.sh [sqlite|postgres] [KILLS]
#   (postgres uses CHAINFORCE_TEST_POSTGRES_URL's server, default postgres://postgres@127.0.0.1:5432/test)
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND="${1:-sqlite}"
KILLS="${2:-20}"
PORT=18191
PASSWORD="crash-loop-password"
cargo build --release -p chainforce >/dev/null
BIN="${CARGO_TARGET_DIR:-target}/release/chainforce"
WORK=$(mktemp -d)
trap 'kill -9 "${SERVER_PID:-}" 2>/dev/null || true; kill "${WRITER_PID:-}" 2>/dev/null || true' EXIT

case "$BACKEND" in
  sqlite) DB="$WORK/crash.sqlite" ;;
  postgres)
    ADMIN_URL="${CHAINFORCE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
    NAME="cf_crash_$(date +%s)"
    psql "$ADMIN_URL" -qc "CREATE DATABASE $NAME"
    DB="${ADMIN_URL%/*}/$NAME" ;;
  *) echo "backend is sqlite or postgres" >&2; exit 2 ;;
esac
export CHAINFORCE_DATABASE_URL="$DB" CHAINFORCE_ADMIN_PASSWORD="$PASSWORD" CHAINFORCE_UPLOAD_DIR="$WORK/uploads" RUST_LOG=warn

start() {
  "$BIN" serve --bind 127.0.0.1:$PORT >>"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "server did not start" >&2; cat "$WORK/server.log" >&2; exit 1
}

# The writer: creates projects through the API and records each name the server acknowledged
# (HTTP 201). It signs in again whenever the server has restarted.
writer() {
  local n=0
  while true; do
    if ! curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then sleep 0.05; continue; fi
    rm -f "$WORK/jar"
    curl -s -c "$WORK/jar" "http://127.0.0.1:$PORT/login" -o "$WORK/login.html" || continue
    local token; token=$(grep -o 'name="_csrf" value="[^"]*"' "$WORK/login.html" | head -1 | sed 's/.*value="//;s/"//')
    curl -s -b "$WORK/jar" -c "$WORK/jar" -o /dev/null -d "_csrf=$token&username=admin&password=$PASSWORD" "http://127.0.0.1:$PORT/login" || continue
    local csrf; csrf=$(curl -s -b "$WORK/jar" "http://127.0.0.1:$PORT/api/v1/me" | sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
    [ -n "$csrf" ] || continue
    while true; do
      n=$((n + 1))
      local name="crash-write-$n"
      local code
      code=$(curl -s -o /dev/null -w '%{http_code}' -b "$WORK/jar" -H "x-csrf-token: $csrf" -H 'content-type: application/json' \
        -d "{\"name\":\"$name\",\"total_investment\":\"$n\"}" "http://127.0.0.1:$PORT/api/v1/projects" || true)
      if [ "$code" = "201" ]; then echo "$name" >>"$WORK/acknowledged"; elif [ "$code" != "000" ]; then echo "$name $code" >>"$WORK/other"; fi
      [ "$code" = "000" ] && break
    done
  done
}

start
touch "$WORK/acknowledged" "$WORK/other"
writer &
WRITER_PID=$!
for i in $(seq 1 "$KILLS"); do
  # Let the writer sign in again and get some writes acknowledged, so that every kill lands in
  # the middle of a stream of writes rather than during a restart (at most 15 s).
  before=$(wc -l <"$WORK/acknowledged")
  for _ in $(seq 1 150); do [ "$(wc -l <"$WORK/acknowledged")" -gt "$before" ] && break; sleep 0.1; done
  sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.3 + rand() * 2.0 }')"
  kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  start
done
sleep 1
kill "$WRITER_PID" 2>/dev/null || true; wait "$WRITER_PID" 2>/dev/null || true

# Every acknowledged write must be there.
rm -f "$WORK/jar"
curl -s -c "$WORK/jar" "http://127.0.0.1:$PORT/login" -o "$WORK/login.html"
token=$(grep -o 'name="_csrf" value="[^"]*"' "$WORK/login.html" | head -1 | sed 's/.*value="//;s/"//')
curl -s -b "$WORK/jar" -c "$WORK/jar" -o /dev/null -d "_csrf=$token&username=admin&password=$PASSWORD" "http://127.0.0.1:$PORT/login"
# The project list is paged (at most 200 a page): read the writer's projects page by page until
# a page comes back empty.
: >"$WORK/present.raw"
page=1
while :; do
  body=$(curl -s -b "$WORK/jar" "http://127.0.0.1:$PORT/api/v1/projects?q=crash-write&per_page=200&page=$page")
  if [ -z "$body" ] || [ "$body" = "[]" ]; then break; fi
  printf '%s' "$body" | grep -o '"name":"crash-write-[0-9]*"' | sed 's/"name":"//;s/"//' >>"$WORK/present.raw" || true
  page=$((page + 1))
done
sort "$WORK/present.raw" >"$WORK/present"
kill -9 "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
sort "$WORK/acknowledged" >"$WORK/acked.sorted"
missing=$(comm -23 "$WORK/acked.sorted" "$WORK/present" | wc -l)
acked=$(wc -l <"$WORK/acked.sorted")
echo "backend: $BACKEND, kills: $KILLS, acknowledged writes: $acked, missing after restarts: $missing, other answers: $(wc -l <"$WORK/other" 2>/dev/null || echo 0)"
"$BIN" audit verify
[ "$missing" -eq 0 ] || { echo "LOST WRITES:"; comm -23 "$WORK/acked.sorted" "$WORK/present" | head; exit 1; }
[ "$BACKEND" = postgres ] && psql "$ADMIN_URL" -qc "DROP DATABASE $NAME" || true
echo "crash loop passed"
