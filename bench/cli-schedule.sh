#!/usr/bin/env bash
# `chainforce schedule` end to end (start the process, read the CSV, schedule both passes, print
# the CSV) on a random plan, timed with hyperfine.
#
#   bench/cli-schedule.sh [TASKS]        (default 5000 tasks, about 3 dependencies each)
#
# Needs: hyperfine (apt-get install -y hyperfine), python3, a release build of chainforce.
set -euo pipefail
cd "$(dirname "$0")/.."
TASKS=${1:-5000}
CHAINFORCE=${CHAINFORCE:-target/release/chainforce}
[ -x "$CHAINFORCE" ] || cargo build --release -p chainforce
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 - "$TASKS" >"$WORK/plan.csv" <<'PY'
import random, sys
n = int(sys.argv[1]); rng = random.Random(7)
print("id,name,duration,predecessors")
for i in range(n):
    preds = rng.sample(range(i), min(i, 3))
    text = "; ".join(f"t{p}{rng.choice(['', '', 'SS+1', 'FS+2', 'FF', 'FS-1'])}" for p in preds)
    print(f't{i},"任务 {i}",{rng.choice([0] + list(range(1, 21)))},{text}')
PY
hyperfine --warmup 3 --min-runs 30 -N \
  "$CHAINFORCE schedule $WORK/plan.csv --backward --target 2026-06-30" \
  "$CHAINFORCE schedule $WORK/plan.csv --forward --start 2026-03-02"
