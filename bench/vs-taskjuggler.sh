#!/usr/bin/env bash
# Schedules one random plan with chainforce and with TaskJuggler (tj3), checks that every task gets
# the same start and finish day, and prints both times.
#
#   bench/vs-taskjuggler.sh [TASKS] [SEED]       (default 1000 tasks, seed 1)
#
# Needs: tj3 (apt-get install -y tj3), python3, and a release build of chainforce
# (cargo build --release -p chainforce), or CHAINFORCE=/path/to/chainforce.
#
# What is compared, and why:
# * Forward (as soon as possible) scheduling from a Monday, finish-to-start and start-to-start
#   dependencies with non-negative lags (tj3 `depends x { gaplength Nd }` and `{ onstart }`), and
#   milestones (reached by finish-to-start links only; see the generator for why). TaskJuggler has no finish-to-finish or start-to-finish dependency and no negative
#   gap, so those stay out of the plan.
# * Calendar: the 2026 statutory days off as TaskJuggler `leaves holiday`, weekends otherwise, and
#   no make-up working days (补班) on either side, since TaskJuggler cannot make a Saturday work.
#   chainforce gets the same days as a holiday file with the make-up days removed.
# * TaskJuggler reports instants: a task starting after a predecessor that ends at 17:00 "starts"
#   at 17:00 that day. Each instant is turned into the working day it belongs to: a start into the
#   first working day whose hours end after it, a finish into the last one whose hours begin
#   before it, a milestone into its own day.
set -euo pipefail
cd "$(dirname "$0")/.."
TASKS=${1:-1000}
SEED=${2:-1}
CHAINFORCE=${CHAINFORCE:-target/release/chainforce}
command -v tj3 >/dev/null || { echo "tj3 is missing: apt-get install -y tj3" >&2; exit 2; }
[ -x "$CHAINFORCE" ] || cargo build --release -p chainforce
WORK=$(mktemp -d)
if [ -n "${KEEP:-}" ]; then echo "kept in $WORK" >&2; else trap 'rm -rf "$WORK"' EXIT; fi

python3 - "$TASKS" "$SEED" "$WORK" <<'PY'
import json, random, sys
n, seed, work = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(seed)
notice = json.load(open("data/calendars/2026.json", encoding="utf-8"))
off = [d for d in notice["days"] if d["isOffDay"] and d["date"].startswith("2026")]
# chainforce: 2026 days off only; 2027 and 2028 known but plain (both sides: weekends only).
cal = [{"year": 2026, "days": off}, {"year": 2027, "days": []}, {"year": 2028, "days": []}]
json.dump(cal, open(f"{work}/calendar.json", "w", encoding="utf-8"), ensure_ascii=False)
rows, tj = [], []
for i in range(n):
    preds = {}
    if i > 0:
        for p in rng.sample(range(max(0, i - 200), i), min(i, rng.choice([0, 1, 2, 3, 3]))):
            preds[p] = (rng.choice(["FS", "FS", "FS", "SS"]), rng.choice([0, 0, 0, 1, 2, 5]))
    # A milestone needs a predecessor: at the project start TaskJuggler's instant (00:00) and
    # chainforce's (the first morning) name different days for the same moment.
    dur = 0 if preds and rng.random() < 0.08 else rng.randint(1, 15)
    if dur == 0:
        # Start-to-start into a milestone is left out: TaskJuggler puts such a milestone at the
        # instant its predecessor's start was computed from (17:00 on Friday for a task pushed
        # past a weekend by a finish-to-start link), chainforce at the morning that task starts
        # (Monday). The same instant, labelled with different days.
        preds = {p: ("FS", lag) for p, (k, lag) in preds.items()}
    text = "; ".join(f"t{p}{k}+{lag}" if (k, lag) != ("FS", 0) else f"t{p}" for p, (k, lag) in preds.items())
    rows.append(f"t{i},{dur},{text}")
    deps = []
    for p, (k, lag) in preds.items():
        attrs = (["onstart"] if k == "SS" else []) + ([f"gaplength {lag}d"] if lag else [])
        deps.append(f"t{p}" + (" { " + " ".join(attrs) + " }" if attrs else ""))
    body = ("milestone" if dur == 0 else f"length {dur}d") + (" depends " + ", ".join(deps) if deps else "")
    tj.append(f'task t{i} "t{i}" {{ {body} }}')
open(f"{work}/plan.csv", "w").write("id,duration,predecessors\n" + "\n".join(rows) + "\n")
with open(f"{work}/plan.tjp", "w", encoding="utf-8") as f:
    f.write('project p "p" 2026-01-05 +5y {\n  timezone "UTC"\n  timingresolution 60min\n'
            '  workinghours mon - fri 9:00 - 17:00\n  workinghours sat, sun off\n  dailyworkinghours 8\n}\n')
    for d in off:
        f.write(f'leaves holiday "{d["name"]}" {d["date"]}\n')
    f.write("\n".join(tj) + "\n")
    f.write('taskreport out "tj" {\n  formats csv\n  columns id, start, end\n'
            '  timeformat "%Y-%m-%d %H:%M"\n  hideresource 1\n}\n')
PY

now() { date +%s.%N; }
t0=$(now)
"$CHAINFORCE" schedule "$WORK/plan.csv" --forward --start 2026-01-05 --calendar "$WORK/calendar.json" >"$WORK/chainforce.csv"
t1=$(now)
(cd "$WORK" && tj3 --no-color plan.tjp >tj3.log 2>&1) || { tail -20 "$WORK/tj3.log" >&2; exit 1; }
t2=$(now)

status=0
python3 - "$WORK" <<'PY' || status=$?
import csv, datetime as dt, json, sys
work = sys.argv[1]
cal = json.load(open(f"{work}/calendar.json", encoding="utf-8"))
off = {d["date"] for n in cal for d in n["days"]}
def working(day): return day.weekday() < 5 and day.isoformat() not in off
def step(day, k):
    day += dt.timedelta(days=k)
    while not working(day): day += dt.timedelta(days=k)
    return day
durations = {r["id"]: int(r["duration"]) for r in csv.DictReader(open(f"{work}/plan.csv"))}
ours = {r["id"]: (r["early_start"], r["early_finish"]) for r in csv.DictReader(open(f"{work}/chainforce.csv"))}
theirs = {}
for r in csv.DictReader(open(f"{work}/tj.csv"), delimiter=";"):
    s = dt.datetime.strptime(r["Start"], "%Y-%m-%d %H:%M")
    e = dt.datetime.strptime(r["End"], "%Y-%m-%d %H:%M")
    if durations[r["Id"]] == 0:
        day = s.date() if working(s.date()) else step(s.date(), 1)
        theirs[r["Id"]] = (day.isoformat(), day.isoformat())
        continue
    sd = s.date() if working(s.date()) and s.hour < 17 else step(s.date(), 1)
    ed = e.date() if working(e.date()) and (e.hour, e.minute) > (9, 0) else step(e.date(), -1)
    theirs[r["Id"]] = (sd.isoformat(), ed.isoformat())
diff = [(k, ours[k], theirs.get(k)) for k in ours if ours[k] != theirs.get(k)]
print(f"tasks compared: {len(ours)}; different: {len(diff)}")
for k, a, b in diff[:10]:
    print(f"  {k}: chainforce {a}, TaskJuggler {b}")
sys.exit(1 if diff or len(ours) != len(theirs) else 0)
PY
awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "chainforce: %.3f s\nTaskJuggler: %.3f s\n", b - a, c - b }'
exit $status
