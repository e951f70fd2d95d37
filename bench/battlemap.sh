#!/usr/bin/env bash
# Server time of the battle map (挂图作战) and a unit's desk on a county of 300 projects (issue 4).
#
#   bench/battlemap.sh [REQUESTS]        (default 50 requests per page, after 5 warm-up requests)
#
# Starts `chainforce serve --demo --scale 300` (release build), signs in as the office (for the
# map) and as 发改委 (for its desk), and requests each page REQUESTS times, one at a time. Two
# measures of server time per page:
#   * time to first byte seen by curl on 127.0.0.1 (the handler renders the whole page before the
#     first byte leaves): median, 95th percentile and maximum;
#   * the server's own mean from /metrics (chainforce_http_request_seconds _sum / _count, taken in
#     the `measure` middleware around routing, session, handler and rendering).
# Needs: curl, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}
PORT=18191
PASSWORD="bench-password-battlemap"
TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release -p chainforce >/dev/null
BIN="$TARGET/release/chainforce"
WORK=$(mktemp -d)
cleanup() { kill "${SERVER_PID:-}" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

START=$(date +%s)
CHAINFORCE_DEMO_PASSWORD="$PASSWORD" RUST_LOG=warn "$BIN" serve --demo --scale 300 --bind 127.0.0.1:$PORT >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 900); do curl -sf "$BASE/healthz" >/dev/null && break; sleep 1; done
echo "demo county loaded and serving after $(( $(date +%s) - START )) s"

login() { # user jar
  curl -s -c "$2" "$BASE/login" -o "$WORK/login.html"
  local token
  token=$(grep -o 'name="_csrf" value="[^"]*"' "$WORK/login.html" | head -1 | sed 's/.*value="//;s/"//')
  curl -s -b "$2" -c "$2" -o /dev/null -d "_csrf=$token&username=$1&password=$PASSWORD&next=/" "$BASE/login"
}
login office "$WORK/office"
login fgw "$WORK/fgw"

curl -s -b "$WORK/office" "$BASE/api/v1/map" >"$WORK/map.json"
python3 - "$WORK/map.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
tasks = sum(len(p["tasks"]) for p in m["projects"])
print(f"battle map: {len(m['projects'])} active projects, {tasks} tasks, counts {m['counts']}")
PY

measure() { # label jar path
  local out="$WORK/times-$1"
  : >"$out"
  for _ in $(seq 1 5); do curl -s -o /dev/null -b "$2" "$BASE$3"; done
  for _ in $(seq 1 "$N"); do
    curl -s -o "$WORK/body" -b "$2" -w '%{time_starttransfer} %{size_download} %{http_code}\n' "$BASE$3" >>"$out"
  done
  python3 - "$1" "$3" "$out" <<'PY'
import sys
label, path, f = sys.argv[1:4]
rows = [l.split() for l in open(f)]
codes = {r[2] for r in rows}
t = sorted(float(r[0]) * 1000 for r in rows)
p = lambda q: t[min(len(t) - 1, int(q * len(t)))]
print(f"{label:<22} {path:<32} HTTP {','.join(sorted(codes))}  {int(rows[-1][1]) / 1e6:.2f} MB  "
      f"TTFB median {p(0.5):.1f} ms  p95 {p(0.95):.1f} ms  max {t[-1]:.1f} ms")
PY
}

measure "map (task rows)" "$WORK/office" "/map"
measure "map (project lanes)" "$WORK/office" "/map?rows=projects"
TOWNSHIP=$(curl -s -b "$WORK/office" "$BASE/api/v1/units" | python3 -c 'import json,sys; print(next(u["id"] for u in json.load(sys.stdin) if u["kind"] == "township"))')
measure "map, one township" "$WORK/office" "/map?township_id=$TOWNSHIP"
measure "desk of 发改委" "$WORK/fgw" "/desk"
measure "api map" "$WORK/office" "/api/v1/map"

# The same pages right after a change: a progress note on a task of the map moves the board's
# version (see crates/storage/src/board.rs), so the next request reads the 15,000 tasks again and
# draws the map anew instead of serving the body kept for the previous version.
python3 - "$BASE" "$WORK/office" "$WORK/fgw" "$WORK/map.json" "$N" <<'PY'
import json, sys, time, urllib.request
base, office_jar, fgw_jar, map_json, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
def session(jar):
    return next(l.split()[6] for l in open(jar) if "cf_session" in l)
office, fgw = session(office_jar), session(fgw_jar)
def call(path, cookie, body=None, csrf=None):
    req = urllib.request.Request(base + path, data=body, method="POST" if body else "GET")
    req.add_header("Cookie", "cf_session=" + cookie)
    if body:
        req.add_header("Content-Type", "application/json")
        req.add_header("X-CSRF-Token", csrf)
    start = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        first = r.read(1)
        ttfb = time.perf_counter() - start
        data = first + r.read()
    return ttfb * 1000, data
csrf = json.loads(call("/api/v1/me", office)[1])["csrf_token"]
task = next(t["id"] for p in json.load(open(map_json))["projects"] for t in p["tasks"] if t["status"] != "done")
def after_change(label, path, cookie):
    times = []
    for i in range(n):
        version = json.loads(call(f"/api/v1/tasks/{task}", office)[1])["version"]
        call(f"/api/v1/tasks/{task}/progress", office, json.dumps({"version": version, "note": f"bench {i}"}).encode(), csrf)
        times.append(call(path, cookie)[0])
    times.sort()
    print(f"{label:<22} {path:<32} after a change: TTFB median {times[len(times) // 2]:.1f} ms  "
          f"p95 {times[min(len(times) - 1, int(0.95 * len(times)))]:.1f} ms  max {times[-1]:.1f} ms")
after_change("map (task rows)", "/map", office)
after_change("desk of 发改委", "/desk", fgw)
after_change("api map", "/api/v1/map", office)
PY

echo "server-side mean (from /metrics, all requests above incl. warm-up and after changes):"
curl -s "$BASE/metrics" | python3 -c '
import re, sys
sums, counts = {}, {}
for line in sys.stdin:
    m = re.match(r"chainforce_http_request_seconds_(sum|count)\{(.*)\} (\S+)", line)
    if not m: continue
    route = re.search(r"route=\"([^\"]*)\"", m.group(2)).group(1)
    if route not in ("/map", "/desk", "/api/v1/map"): continue
    (sums if m.group(1) == "sum" else counts)[route] = float(m.group(3))
for r in sorted(sums):
    print(f"  {r:<14} {counts[r]:.0f} requests, mean {sums[r] / counts[r] * 1000:.1f} ms")
'
