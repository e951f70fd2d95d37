#!/usr/bin/env bash
# Load test (issue 10): wrk against `chainforce serve --demo --scale 300` on 127.0.0.1 — 64
# connections, a mix of pages and API reads with some writes, 60 s — and, as the physical
# reference, nginx serving a static page of the same size on the same machine.
#
#   bench/load.sh [SECONDS]        (default 60; needs wrk and nginx: apt-get install -y wrk nginx)
#
# Prints wrk's latency distribution for both; copy the figures into BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN="${1:-60}"
PORT=18181
NGINX_PORT=18182
PASSWORD="load-test-password"
for tool in wrk nginx curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install -y wrk nginx curl" >&2; exit 1; }
done
cargo build --release -p chainforce >/dev/null
BIN="${CARGO_TARGET_DIR:-target}/release/chainforce"
WORK=$(mktemp -d)
cleanup() { kill "${SERVER_PID:-}" 2>/dev/null || true; [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

CHAINFORCE_DEMO_PASSWORD="$PASSWORD" RUST_LOG=warn "$BIN" serve --demo --scale 300 --bind 127.0.0.1:$PORT >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 1; done
BASE="http://127.0.0.1:$PORT"

# Sign in as the office (it may read everything and raise problems) and keep the session.
curl -s -c "$WORK/jar" "$BASE/login" -o "$WORK/login.html"
TOKEN=$(grep -o 'name="_csrf" value="[^"]*"' "$WORK/login.html" | head -1 | sed 's/.*value="//;s/"//')
curl -s -b "$WORK/jar" -c "$WORK/jar" -o /dev/null -d "_csrf=$TOKEN&username=office&password=$PASSWORD&next=/" "$BASE/login"
SESSION=$(awk '$6=="cf_session"{print $7}' "$WORK/jar")
CSRF=$(curl -s -b "$WORK/jar" "$BASE/api/v1/me" | sed 's/.*"csrf_token":"\([^"]*\)".*/\1/')
[ -n "$SESSION" ] && [ -n "$CSRF" ] || { echo "could not sign in" >&2; exit 1; }

cat >"$WORK/mix.lua" <<LUA
-- 95% reads (pages and API), 5% writes (a problem raised on a project).
local session, csrf = "$SESSION", "$CSRF"
local reads = { "/", "/projects", "/projects?stage=signed", "/desk", "/problems", "/api/v1/projects", "/api/v1/overview" }
local n = 0
request = function()
  n = n + 1
  local headers = { ["Cookie"] = "cf_session=" .. session }
  if n % 20 == 0 then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    local project = (n % 300) + 1
    return wrk.format("POST", "/projects/" .. project .. "/problems", headers, "_csrf=" .. csrf .. "&title=load+test+" .. n)
  end
  local r = n % 10
  local path
  if r < 7 then path = reads[(n % #reads) + 1]
  elseif r < 9 then path = "/projects/" .. ((n % 300) + 1)
  else path = "/api/v1/projects/" .. ((n % 300) + 1) .. "/tasks" end
  return wrk.format("GET", path, headers)
end
LUA

echo "== chainforce (serve --demo --scale 300), 64 connections, ${SECONDS_TO_RUN}s"
wrk -t2 -c64 -d"${SECONDS_TO_RUN}s" --latency -s "$WORK/mix.lua" "$BASE"
echo "server time per route during the run (from /metrics: requests, mean ms, share of all server time):"
curl -s "$BASE/metrics" | python3 -c '
import re, sys
sums, counts = {}, {}
for line in sys.stdin:
    m = re.match(r"chainforce_http_request_seconds_(sum|count)\{(.*)\} (\S+)", line)
    if not m: continue
    key = re.search(r"method=\"([^\"]*)\"", m.group(2)).group(1) + " " + re.search(r"route=\"([^\"]*)\"", m.group(2)).group(1)
    d = sums if m.group(1) == "sum" else counts
    d[key] = d.get(key, 0) + float(m.group(3))
total = sum(sums.values()) or 1
for k in sorted(sums, key=lambda k: -sums[k]):
    print(f"  {k:<40} {counts[k]:>7.0f}  {sums[k] / counts[k] * 1000:7.2f} ms  {sums[k] / total * 100:5.1f}%")
'

# The reference: nginx serving a static page the size of the dashboard.
mkdir -p "$WORK/www"
chmod 755 "$WORK" "$WORK/www" # nginx's workers run as www-data and must read the page
curl -s -b "cf_session=$SESSION" "$BASE/" -o "$WORK/www/index.html"
chmod 644 "$WORK/www/index.html"
cat >"$WORK/nginx.conf" <<CONF
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  server { listen 127.0.0.1:$NGINX_PORT; root $WORK/www; }
}
CONF
nginx -c "$WORK/nginx.conf"
sleep 1
echo "== nginx, static page of $(wc -c <"$WORK/www/index.html") bytes, 64 connections, ${SECONDS_TO_RUN}s"
wrk -t2 -c64 -d"${SECONDS_TO_RUN}s" --latency "http://127.0.0.1:$NGINX_PORT/index.html"
