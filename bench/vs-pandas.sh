#!/usr/bin/env bash
# Times importing a 100,000-row × 20-column county ledger (台账, issue 5) with chainforce and with
# the Python tools offices reach for, on the same file, and prints time and peak memory of each.
#
#   bench/vs-pandas.sh [ROWS]          (default 100000; OPENPYXL=1 also times pandas+openpyxl,
#                                        which takes about half a minute)
#
# Needs: python3 with pandas, python-calamine and openpyxl (pip install pandas python-calamine
# openpyxl), GNU time (apt-get install -y time), and cargo.
#
# What is compared: chainforce finds the two-row merged header, maps the 20 columns, converts
# every amount (亿元/万元 text or numbers) and date (date cells, "2026年6月", "2023.5.17"), and
# checks every row with ProjectForm::validate(). python-calamine and pandas only read the cells
# into memory (pandas also builds a DataFrame with a two-level header); they check nothing. The
# chainforce figure is the import alone, printed by the example; the peak memory is the whole
# process's, reading the file included.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-100000}
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "GNU time is missing: apt-get install -y time" >&2; exit 2; }
python3 -c "import pandas, python_calamine, openpyxl" 2>/dev/null \
  || { echo "pip install pandas python-calamine openpyxl" >&2; exit 2; }
cargo build --quiet --release -p chainforce-exchange --example ledger_bench
BENCH=${CARGO_TARGET_DIR:-target}/release/examples/ledger_bench
WORK=$(mktemp -d)
if [ -n "${KEEP:-}" ]; then echo "kept in $WORK" >&2; else trap 'rm -rf "$WORK"' EXIT; fi
FILE=$WORK/ledger.xlsx

"$BENCH" generate "$FILE" "$ROWS"
echo "file: $ROWS rows × 20 columns, $(du -k "$FILE" | cut -f1) KB; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

run() {  # label, command...
  local label=$1; shift
  "$TIME" -f "$label: wall %e s, user %U s, peak RSS %M KB" "$@" 2>&1 >/dev/null | tail -1
}

"$TIME" -f "chainforce process: wall %e s, user %U s, peak RSS %M KB" "$BENCH" import "$FILE" 2>&1
run "python-calamine" python3 -c "
import sys
from python_calamine import CalamineWorkbook
rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_name('重点项目').to_python()
print(len(rows))" "$FILE"
run "pandas (calamine)" python3 -c "
import sys, pandas as pd
df = pd.read_excel(sys.argv[1], sheet_name='重点项目', header=[1, 2], engine='calamine')
print(len(df))" "$FILE"
if [ -n "${OPENPYXL:-}" ]; then
  run "pandas (openpyxl)" python3 -c "
import sys, pandas as pd
df = pd.read_excel(sys.argv[1], sheet_name='重点项目', header=[1, 2], engine='openpyxl')
print(len(df))" "$FILE"
fi

# A sheet filled to Excel's last row: the import stops at its row limit (200,000 by default).
"$BENCH" tall "$WORK/tall.xlsx" 1048575
"$TIME" -f "chainforce, 1,048,576-row sheet: wall %e s, peak RSS %M KB" "$BENCH" import "$WORK/tall.xlsx" 2>&1
