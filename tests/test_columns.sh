#!/usr/bin/env bash
# test_columns.sh MEMBPTT BENCH_SOLVERS SOURCE_DIR: every CSV the project writes (reproduce's
# results with the LSTM measurement, a measured sweep with counters, its shards and their merge,
# the command outputs in --format csv, bench_solvers --out, the committed results) loads with a
# strict CSV reader (no comment line, every row as wide as the header, a newline after every
# row), has its JSON sidecar where docs/columns.md says so, and has the header docs/columns.md
# gives for its output, every column of it in the dictionary.
set -u
M=$1
BS=$2
SRC=$3
T=$(mktemp -d /tmp/mb_columns.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# reproduce: paper (smoke), timing, plan, fits, lstm-quick (measured), calibration
"$M" reproduce --out "$T/r" --analytic "$SRC/configs/smoke.ini" --quiet \
    --bench "$SRC/results/bench_solvers.csv" > "$T/reproduce.txt" 2>&1 ||
    { tail -5 "$T/reproduce.txt"; fail "reproduce failed"; }
# a measured sweep with counters (available here or not: the columns exist either way), in two
# shards merged
mkdir -p "$T/s"
printf '%s\n' '[output]' 'name = tiny' '[solvers]' 'names = msm' '[model]' 'cell = rnn' \
    'input = 4' 'hidden = 4' 'batch = 2' 'repetitions = 1' '[counters]' \
    'events = perf::TASK-CLOCK, PAPI_TOT_INS' '[problem m]' 'run = measured' 'steps = 8, 12' \
    'budget = 40%' > "$T/s/tiny.ini"
"$M" sweep "$T/s/tiny.ini" --out "$T/s" --quiet > /dev/null 2>&1 || fail "the measured sweep failed"
for i in 0 1; do
    "$M" sweep "$T/s/tiny.ini" --out "$T/s" --shard $i/2 --quiet > /dev/null 2>&1 || fail "shard $i/2 failed"
done
"$M" merge --out "$T/s/merged.csv" "$T/s/tiny.shard-0-of-2.csv" "$T/s/tiny.shard-1-of-2.csv" \
    > /dev/null 2>&1 || fail "merge failed"
# an analytic sweep with a slow store in one section
printf '%s\n' '[output]' 'name = slow' '[cost]' 'write = 0.5' 'read = 0.5' '[problem two]' \
    'solvers = msm2, hrevolve' 'steps = 30' 'alpha = 3' 'budget = 10%' \
    'slow_budget = 0, unlimited' '[problem one]' 'solvers = msm' 'steps = 20' 'alpha = 3' \
    'budget = 10%' > "$T/s/slow.ini"
"$M" sweep "$T/s/slow.ini" --out "$T/s" --quiet > /dev/null 2>&1 || fail "the slow-store sweep failed"
# the commands' CSV on standard output
mkdir -p "$T/o"
P=(--steps 20 --alpha 3 --budget 10)
"$M" solve --solver msm "${P[@]}" --format csv --plan-out "$T/o/plan.json" > "$T/o/solve.csv" || fail "solve"
"$M" simulate --solver msm "${P[@]}" --format csv > "$T/o/simulate.csv" || fail "simulate"
"$M" compare "${P[@]}" --format csv > "$T/o/compare.csv" || fail "compare"
"$M" verify "$T/o/plan.json" --format csv > "$T/o/verify.csv" || fail "verify"
"$M" run --cell rnn --steps 10 --input 4 --hidden 4 --batch 2 --solver msm --budget 40% \
    --repeat 1 --events PAPI_TOT_INS --format csv > "$T/o/run.csv" 2> /dev/null || fail "run"
# the solver benchmark, one small run
"$BS" --steps 60 --budgets 10 --methods fast --reps 1 --out "$T/o/bench.csv" 2> /dev/null || fail "bench_solvers --out"

# FILE OUTPUT SIDECAR(1: required) for each CSV
cat > "$T/list" << EOF
$T/r/results/smoke.csv sweep 1
$T/r/results/smoke.timing.csv timing 1
$T/r/results/plan-quick.csv plan 1
$T/r/results/fits-quick.csv fits 1
$T/r/results/lstm-quick.csv sweep-measured 1
$T/r/results/lstm-quick.timing.csv timing 1
$T/r/results/calibration-quick.csv calibration 1
$T/s/tiny.csv sweep-measured 1
$T/s/tiny.timing.csv timing 1
$T/s/tiny.shard-0-of-2.csv sweep-measured 1
$T/s/tiny.shard-1-of-2.timing.csv timing 1
$T/s/merged.csv sweep-measured 0
$T/s/slow.csv sweep-slow 1
$T/o/solve.csv solve 0
$T/o/simulate.csv simulate 0
$T/o/compare.csv compare 0
$T/o/verify.csv verify 0
$T/o/run.csv run 0
$T/o/bench.csv bench_solvers 1
$SRC/results/paper-quick.csv sweep 0
$SRC/results/plan-quick.csv plan 0
$SRC/results/bench_solvers.csv bench_solvers 1
EOF
# (merge's sidecar and the committed paper/plan sidecars, which hold machine data and are not
# committed, are not required here)
python3 - "$SRC/docs/columns.md" "$T/list" << 'EOF' || fails=$((fails + 1))
import csv, json, os, re, sys
doc = open(sys.argv[1]).read()
# the dictionary: every backquoted name in the first cell of its table's rows
dic = set()
part = doc.split("## Dictionary", 1)[1].split("## Outputs", 1)[0]
for line in part.splitlines():
    if line.startswith("| `"):
        dic.update(re.findall(r"`([^`]+)`", line.split("|")[1]))
# the outputs: "### NAME" then the first ```csv block
heads = {}
for m in re.finditer(r"^### (\S+)\n(.*?)```csv\n(.*?)\n```", doc, re.S | re.M):
    heads[m.group(1)] = m.group(3).split(",")
bad = 0
def fail(msg):
    global bad
    bad += 1
    print("FAIL:", msg)
for name, cols in heads.items():
    for c in cols:
        if c not in dic:
            fail("docs/columns.md: %s: column %s is not in the dictionary" % (name, c))
EVENT = re.compile(r"^.+\.(full_)?(first|recompute|backward|copy)$")
for entry in open(sys.argv[2]):
    path, output, need = entry.split()
    if not os.path.exists(path):
        fail("%s was not written" % path)
        continue
    text = open(path, newline="").read()
    if not text.endswith("\n"):
        fail("%s: no newline after its last row" % path)
    if any(l.startswith("#") for l in text.splitlines()):
        fail("%s: a comment line" % path)
    rows = list(csv.reader(text.splitlines(), strict=True))
    if not rows or len(rows) < 2:
        fail("%s: no header or no row" % path)
        continue
    header = rows[0]
    for i, r in enumerate(rows[1:], 2):
        if len(r) != len(header):
            fail("%s:%d: %d fields, the header %d" % (path, i, len(r), len(header)))
    # events: eight EVENT columns per requested event (four phases, both sides), after "counters"
    shown = []
    for c in header:
        if EVENT.match(c) and "counters" in header and header.index(c) > header.index("counters"):
            if c.endswith(".first") and not c.endswith(".full_first"):
                shown += ["EVENT.first", "EVENT.recompute", "EVENT.backward", "EVENT.copy", "EVENT.full_first", "EVENT.full_recompute", "EVENT.full_backward", "EVENT.full_copy"]
        else:
            shown.append(c)
    want = heads.get(output)
    if want is None:
        fail("docs/columns.md has no output %s" % output)
    elif "EVENT.first" in want and "EVENT.first" not in shown:
        fail("%s: no event columns, docs/columns.md's %s has them" % (path, output))
    else:
        if "EVENT.first" in want:  # as many groups as the file has
            i = want.index("EVENT.first")
            n = shown.count("EVENT.first")
            want = want[:i] + ["EVENT.first", "EVENT.recompute", "EVENT.backward", "EVENT.copy", "EVENT.full_first", "EVENT.full_recompute", "EVENT.full_backward", "EVENT.full_copy"] * n + want[i + 8:]
        if shown != want:
            extra = [c for c in shown if c not in want]
            missing = [c for c in want if c not in shown]
            fail("%s: header differs from docs/columns.md's %s (not documented: %s; missing: %s)"
                 % (path, output, extra, missing))
    if need == "1":
        side = re.sub(r"(\.timing)?\.csv$", "", path) + ".json"
        try:
            json.load(open(side))
        except Exception as e:
            fail("%s: no readable JSON sidecar %s (%s)" % (path, side, e))
sys.exit(1 if bad else 0)
EOF
[ $fails -eq 0 ] && echo "columns: every CSV loads strictly and matches docs/columns.md"
exit $((fails > 0))
