#!/usr/bin/env bash
# test_cli.sh: end-to-end tests of the membptt command. Runs the binary given as $1 and checks,
# for every exit status (0 ok, 1 runtime failure, 2 invalid input, 3 infeasible budget,
# 4 invalid plan), the status AND that the message names the key, the value and the allowed
# forms (verify has its own, test_verify_cli.sh). Prints one line per check (ok - / FAIL - ...),
# then "N passed, M failed".
# Usage: bash tests/test_cli.sh build/cli/membptt
set -u

. "$(dirname "$0")/cli_lib.sh"

# jint KEY: the integer value of KEY in the one-line JSON object on stdout of the last run
# (empty when absent or not an integer). Cheaper than starting Python in a loop.
jint() { sed -n "s/.*\"$1\": \(-\{0,1\}[0-9][0-9]*\)[,}].*/\1/p" "$W/out"; }

SOLVERS=(full sqrt chen revolve hsm ism msm)
P=(--steps 10 --alpha 5) # a small problem; full BPTT needs 1 + 5*9 = 46 units
BUDGET_FORMS=("249" "64KiB" "5%")

# ---------------------------------------------------------------- top level
run --help
expect "membptt --help exits 0 and lists the commands" 0 solve simulate verify compare "Exit status"
run
expect "membptt without a command: exit 2 with the usage" 2 "Usage: membptt"
run bogus
expect "unknown command: exit 2, names it and the commands" 2 "'bogus'" solve simulate verify \
    compare
run --version
expect "membptt --version exits 0" 0 "membptt "

for cmd in solve simulate compare; do
    run "$cmd" --help
    expect "$cmd --help exits 0 and names its options" 0 --steps --alpha --hidden-bytes \
        --internal-bytes --budget --format
done
run solve --help
expect "solve --help names --solver, --plan-out and every solver" 0 --solver --plan-out \
    "${SOLVERS[@]}"
run simulate --help
expect "simulate --help names the cost model options" 0 --cost-forward --cost-backward --cost-copy \
    --cost-recompute
run verify --help
expect "verify --help exits 0 and names --format and the exit statuses" 0 --format "PLAN.json" \
    "exit status"

# ---------------------------------------------------------------- exit 2: invalid input
run solve --solver full --steps 0 --alpha 5 --budget 46
expect "--steps 0: exit 2, names --steps, the value and the range" 2 "--steps" " 0" "~\[1, [0-9]+\]"
run solve --solver full --steps -1 --alpha 5 --budget 46
expect "--steps -1: exit 2, names --steps and the range" 2 "--steps -1" "~\[1, [0-9]+\]"
run solve --solver full --steps 1e3 --alpha 5 --budget 46
expect "--steps 1e3: exit 2, not an integer" 2 "--steps '1e3'" "integer"
run solve --solver full --alpha 5 --budget 46 --steps
expect "--steps without a value: exit 2" 2 "--steps" "missing value"
run solve --solver full --alpha 5 --budget 46
expect "missing --steps: exit 2" 2 "--steps is required"

run solve --solver foo "${P[@]}" --budget 46
expect "unknown solver: exit 2, names it and lists the solvers" 2 "--solver 'foo'" "${SOLVERS[@]}"
run solve "${P[@]}" --budget 46
expect "missing --solver: exit 2, lists the solvers" 2 "--solver is required" "${SOLVERS[@]}"

run solve --solver full "${P[@]}" --budget abc
expect "--budget abc: exit 2, names it and the budget forms" 2 "--budget 'abc'" "${BUDGET_FORMS[@]}"
run solve --solver full "${P[@]}" --budget -5
expect "--budget -5: exit 2, names it and the budget forms" 2 "--budget '-5'" "${BUDGET_FORMS[@]}"
run solve --solver full "${P[@]}" --budget 5.5
expect "--budget 5.5 (no unit): exit 2" 2 "--budget '5.5'" "${BUDGET_FORMS[@]}"
run solve --solver full "${P[@]}" --budget 5.1234567891%
expect "--budget with more than 9 decimals: exit 2" 2 "--budget '5.1234567891%'" "percentage"
run solve --solver full "${P[@]}" --budget 64KiB
expect "--budget 64KiB with --alpha: exit 2, needs byte sizes" 2 "--budget '64KiB'" \
    "--hidden-bytes" "--internal-bytes" "--alpha"
run solve --solver full --steps 10 --hidden-bytes 2KiB --internal-bytes 6KiB --budget 64XB
expect "--budget 64XB (unknown suffix): exit 2" 2 "--budget '64XB'" "64KiB"
run solve --solver full "${P[@]}"
expect "missing --budget: exit 2, names the budget forms" 2 "--budget is required" \
    "${BUDGET_FORMS[@]}"

run solve --solver full --steps 10 --hidden-bytes 6KiB --internal-bytes 2KiB --budget 64KiB
expect "internal bytes < hidden bytes: exit 2, names both values" 2 "--internal-bytes 2KiB (2048 bytes)" \
    "--hidden-bytes 6KiB (6144 bytes)"
run solve --solver full --steps 10 --alpha 5 --hidden-bytes 2KiB --internal-bytes 6KiB \
    --budget 64KiB
expect "--alpha with byte sizes: exit 2, names both forms" 2 "--alpha" "--hidden-bytes" \
    "not both"
run solve --solver full --steps 10 --hidden-bytes 2KiB --budget 64KiB
expect "--hidden-bytes without --internal-bytes: exit 2" 2 "--alpha" "--hidden-bytes" \
    "--internal-bytes"
run solve --solver full --steps 10 --budget 46
expect "no sizes at all: exit 2" 2 "sizes are required" "--alpha"
run solve --solver full --steps 10 --hidden-bytes 0 --internal-bytes 6KiB --budget 64KiB
expect "--hidden-bytes 0: exit 2" 2 "--hidden-bytes 0" ">= 1"
run solve --solver full --steps 10 --hidden-bytes -5 --internal-bytes 6KiB --budget 64KiB
expect "--hidden-bytes -5: exit 2, names the byte-size forms" 2 "--hidden-bytes '-5'" "KiB" "MB"

run solve --solver full --steps 10 --alpha 0 --budget 46
expect "--alpha 0: exit 2, names --alpha and the range" 2 "--alpha 0" "~\[1, [0-9]+\]"
run solve --solver full --steps 1000000 --alpha 9223372036854775807 --budget 5%
expect "--alpha 9223372036854775807: exit 2, out of range" 2 "--alpha 9223372036854775807" \
    "out of range"
run solve --solver full --steps 2147483647 --alpha 1099511627776 --budget 5%
expect "a_s*(t-1) overflowing 64 bits: exit 2" 2 "overflows" "2147483646"
run solve --solver full --steps 10 --hidden-bytes 1 --internal-bytes 9000000TiB --budget 5
expect "--internal-bytes 9000000TiB: exit 2, overflows" 2 "--internal-bytes '9000000TiB'" \
    "overflows"
run solve --solver full --steps 10 --hidden-bytes 2KiB --internal-bytes 6KiB --budget 99999999TiB
expect "--budget 99999999TiB: exit 2, overflows" 2 "--budget '99999999TiB'" "overflows"
run solve --solver msm --steps 60000 --alpha 5 --budget 5% --max-table-mib 1
expect "DP table over --max-table-mib: exit 2, says how to fix it" 2 "DP table" "revolve"

run solve --solver full "${P[@]}" --budget 46 --bogus
expect "unknown option: exit 2, names it" 2 "'--bogus'" "--help"
run solve --solver full "${P[@]}" --budget 46 extra
expect "stray argument: exit 2, names it" 2 "'extra'"
run solve --solver full "${P[@]}" --budget 46 --format xml
expect "--format xml: exit 2, names the formats" 2 "--format 'xml'" text json csv
run solve --solver msm "${P[@]}" --budget 46 --dp bogus
expect "--dp bogus: exit 2, names fast and textbook" 2 "--dp 'bogus'" fast textbook
run simulate --solver msm "${P[@]}" --budget 46 --cost-forward -1
expect "--cost-forward -1: exit 2" 2 "--cost-forward '-1'" ">= 0"
run simulate --solver msm "${P[@]}" --budget 46 --cost-recompute -1
expect "--cost-recompute -1: exit 2" 2 "--cost-recompute '-1'" ">= 0"
run solve --solver msm "${P[@]}" --budget 46 --cost-recompute 1
expect "solve --cost-recompute: exit 2, solve does not use it" 2 "--cost-recompute" \
    "solve does not use"
run compare "${P[@]}" --budget 46 --plan-out "$W/compare.json"
expect "compare --plan-out: exit 2" 2 "--plan-out" "solve"

mkdir "$W/bad"
run solve --solver full --steps 0 --alpha 5 --budget 46 --plan-out "$W/bad/plan.json"
expect "invalid input with --plan-out: exit 2" 2 "--steps"
absent "no plan file written for invalid input" "$W/bad/plan.json"

# ---------------------------------------------------------------- exit 3: infeasible budget
mkdir "$W/inf"
run solve --solver full "${P[@]}" --budget 3 --plan-out "$W/inf/plan.json"
expect "full, t = 10, alpha 5, budget 3: exit 3, smallest feasible budget 46 = 1 + 5*9" 3 \
    "budget 3 units is infeasible" "smallest feasible budget is 46 units"
absent "no plan file written when infeasible" "$W/inf/plan.json"
run solve --solver full "${P[@]}" --budget 3 --format json --plan-out "$W/inf/plan.json"
if [ "$rc" = 3 ]; then
    ok "infeasible with --format json: exit 3"
else
    bad "infeasible with --format json: exit 3" "exit $rc vs expected 3"
fi
jcheck "infeasible --format json prints feasible false and min_budget 46" '
assert d["feasible"] is False, "feasible is %r" % d["feasible"]
assert d["min_budget_units"] == 46, "min_budget %r vs 46" % d["min_budget_units"]
assert d["budget_units"] == 3, "budget %r vs 3" % d["budget_units"]
assert d["forward_ops"] is None, "forward_ops %r vs null" % d["forward_ops"]'
absent "no plan file written when infeasible (json)" "$W/inf/plan.json"
run simulate --solver full "${P[@]}" --budget 45
expect "simulate, budget one below full BPTT: exit 3 naming 46" 3 "smallest feasible budget is 46"
run solve --solver msm "${P[@]}" --budget 0
expect "msm, budget 0: exit 3, smallest feasible budget 1 (h_0 alone)" 3 \
    "smallest feasible budget is 1 units"
run solve --solver full --steps 10 --hidden-bytes 2KiB --internal-bytes 6KiB --budget 1000B
expect "infeasible byte budget: exit 3, minimum 1 + 3*9 = 28 units in units and bytes" 3 \
    "budget 0 units is infeasible" "28 units (57344 bytes)"
run solve --solver full "${P[@]}" --budget 0%
expect "--budget 0%: exit 3" 3 "smallest feasible budget is 46"

# The named minimum is the smallest: each solver is feasible there (peak within it) and
# infeasible one unit below.
for s in "${SOLVERS[@]}"; do
    run solve --solver "$s" --steps 40 --alpha 3 --budget 0 --format json
    min=$(jint min_budget_units)
    if [ "$rc" != 3 ] || [ -z "$min" ]; then
        bad "$s: budget 0 is infeasible and names min_budget" "exit $rc, min_budget '$min'"
        continue
    fi
    run solve --solver "$s" --steps 40 --alpha 3 --budget "$min" --format json
    if [ "$rc" != 0 ]; then
        bad "$s: min_budget $min is the smallest feasible budget" "exit $rc at $min vs expected 0"
        continue
    fi
    peak=$(jint peak_units)
    run solve --solver "$s" --steps 40 --alpha 3 --budget $((min - 1))
    if [ "$min" -gt 0 ] && [ "$rc" != 3 ]; then
        bad "$s: min_budget $min is the smallest feasible budget" \
            "exit $rc at $((min - 1)) vs expected 3"
    elif [ "$peak" -gt "$min" ]; then
        bad "$s: min_budget $min is the smallest feasible budget" "peak $peak > budget $min"
    else
        ok "$s: min_budget $min (t = 40, alpha 3) is feasible, one less is not"
    fi
done

# ---------------------------------------------------------------- exit 1: runtime failure
mkdir -p "$W/rt/dir"
run solve --solver msm "${P[@]}" --budget 20 --plan-out "$W/rt/dir"
expect "--plan-out onto a directory: exit 2, names the path" 2 "$W/rt/dir" "is a directory"
absent "no temporary file left after a failed write" "$W/rt/none"
run solve --solver msm "${P[@]}" --budget 20 --plan-out "$W/rt/missing/plan.json"
expect "--plan-out into a missing folder: exit 1, names the path" 1 "$W/rt/missing/plan.json"

# ---------------------------------------------------------------- exit 0: output formats
run solve --solver full "${P[@]}" --budget 46 --format json
expect "solve --format json: exit 0" 0 "{"
jcheck "--format json prints one object with every key" '
keys = """solver steps hidden_units internal_units budget_units feasible min_budget_units forward_ops
          backward_ops peak_units cost_per_step solve_seconds""".split()
missing = [k for k in keys if k not in d]
assert not missing, "missing keys %s" % missing
assert d["solver"] == "full" and d["steps"] == 10 and d["feasible"] is True, d
assert d["forward_ops"] == 10 and d["backward_ops"] == 10 and d["peak_units"] == 46, d
assert d["min_budget_units"] == 46 and d["cost_per_step"] == 1, d'
run solve --solver msm "${P[@]}" --budget 20 --format csv
expect "solve --format csv: exit 0" 0 "solver,"
pycheck "--format csv: a header and one row with the same columns" "$W/out" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert len(rows) == 2, rows
assert len(rows[0]) == len(rows[1]) and len(rows[0]) >= 12, rows
h = dict(zip(rows[0], rows[1]))
assert h["solver"] == "msm" and h["steps"] == "10" and h["feasible"] == "true", h
EOF

run simulate --solver msm --steps 1000 --alpha 5 --budget 5% --format json
expect "headline simulate msm t=1000 alpha 5 budget 5%: exit 0" 0 "forward_ops"
jcheck "headline: budget 249 units, 1950 forward ops, 1.95 per step, valid" '
assert d["budget_units"] == 249, "budget %r vs 249" % d["budget_units"]
assert d["forward_ops"] == 1950, "forward_ops %r vs 1950" % d["forward_ops"]
assert abs(d["cost_per_step"] - 1.95) < 1e-9, d["cost_per_step"]
assert d["valid"] is True and d["peak_units"] <= 249, d'
run simulate --solver msm --steps 1000 --alpha 5 --budget 5%
expect "headline in text: forward_ops 1950" 0 "~^forward_ops +1950$"

run solve --solver msm --steps 100 --hidden-bytes 2KiB --internal-bytes 6KiB --budget 64KiB \
    --format json
expect "byte sizes 2KiB/6KiB, budget 64KiB: exit 0" 0 "unit_bytes"
jcheck "byte sizes: unit_bytes 2048, a_h 1, a_s 3, budget 32 units" '
assert d["unit_bytes"] == 2048, d["unit_bytes"]
assert (d["hidden_units"], d["internal_units"], d["budget_units"]) == (1, 3, 32), d
assert d["feasible"] is True and d["peak_units"] <= 32, d'

run compare
expect "compare (the headline, default): exit 0, every solver, msm 1950" 0 "${SOLVERS[@]}" \
    "~^msm +1950 +1\.950 "
run compare "${P[@]}" --budget 20 --format csv
expect "compare --format csv: exit 0" 0 "solver,"
pycheck "compare --format csv: header + one row per solver, same columns" "$W/out" \
    "${SOLVERS[@]}" <<'EOF'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
assert len({len(r) for r in rows}) == 1, "ragged rows"
names = [r[0] for r in rows[1:]]
assert all(s in names for s in sys.argv[2:]), names
EOF
run compare "${P[@]}" --budget 20 --format json
expect "compare --format json: exit 0" 0 '"solver"'
pycheck "compare --format json: one object per solver, forward_ops from the replay" "$W/out" \
    "${SOLVERS[@]}" <<'EOF'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
got = {r["solver"]: r for r in rows}
assert all(s in got for s in sys.argv[2:]), list(got)
assert got["full"]["feasible"] is False and got["full"]["min_budget_units"] == 46, got["full"]
assert got["msm"]["forward_ops"] == 16 and got["msm"]["peak_units"] <= 20, got["msm"]
EOF

# ---------------------------------------------------------------- output paths and stdout
OK_SOLVE=(solve --solver msm --steps 30 --alpha 3 --budget 12)
run "${OK_SOLVE[@]}" --plan-out ''
expect "--plan-out '': exit 2, names --plan-out" 2 "--plan-out ''"
run "${OK_SOLVE[@]}" --plan-out /dev/null
expect "--plan-out /dev/null: exit 0" 0 "forward_ops"
if [ -c /dev/null ]; then ok "/dev/null is still a character device"
else bad "/dev/null is still a character device" "$(ls -l /dev/null)"; fi
run "${OK_SOLVE[@]}" --plan-out /dev/full
expect "--plan-out /dev/full: exit 1, names it and ENOSPC" 1 "cannot write /dev/full" \
    "No space left on device"
if [ -c /dev/full ]; then ok "/dev/full is still a character device"
else bad "/dev/full is still a character device" "$(ls -l /dev/full)"; fi
"$BIN" "${OK_SOLVE[@]}" --plan-out /dev/stdout >"$W/stdout.json" 2>"$W/err"
rc=$?
if [ "$rc" = 0 ] && grep -q '"format": "membptt-plan"' "$W/stdout.json"; then
    ok "--plan-out /dev/stdout writes the plan into standard output"
else
    bad "--plan-out /dev/stdout writes the plan into standard output" "exit $rc"
fi
mkfifo "$W/fifo"
cat "$W/fifo" >"$W/fifo.out" &
reader=$!
run "${OK_SOLVE[@]}" --plan-out "$W/fifo"
wait "$reader"
if [ "$rc" = 0 ] && [ -p "$W/fifo" ] && grep -q '"ops"' "$W/fifo.out"; then
    ok "--plan-out onto a FIFO writes into it and leaves it a FIFO"
else
    bad "--plan-out onto a FIFO writes into it and leaves it a FIFO" "exit $rc"
fi
echo old >"$W/target.json"
ln -s target.json "$W/link.json"
run "${OK_SOLVE[@]}" --plan-out "$W/link.json"
if [ "$rc" = 0 ] && [ -L "$W/link.json" ] && grep -q '"ops"' "$W/target.json"; then
    ok "--plan-out onto a symlink replaces its target and keeps the link"
else
    bad "--plan-out onto a symlink replaces its target and keeps the link" "exit $rc"
fi
absent "no temporary file left beside a link's target" "$W/none"
ln -s missing.json "$W/dangling.json"
run "${OK_SOLVE[@]}" --plan-out "$W/dangling.json"
expect "--plan-out onto a dangling symlink: exit 2" 2 "$W/dangling.json" "symbolic link"
if [ "$(id -u)" != 0 ]; then
    mkdir "$W/ro" && chmod 555 "$W/ro"
    run "${OK_SOLVE[@]}" --plan-out "$W/ro/plan.json"
    expect "--plan-out into a read-only folder: exit 1, names the path and EACCES" 1 \
        "cannot write $W/ro/plan.json" "Permission denied"
    if grep -q '\.tmp\.' "$W/err"; then bad "the message names the user's path" "$(snippet "$W/err")"
    else ok "the message names the user's path, not the temporary one"; fi
elif command -v setpriv >/dev/null 2>&1; then
    # as root, EACCES needs another user: nobody, writing into a folder only root may write
    mkdir "$W/ro" && chmod 755 "$W/ro" && chmod o+x "$W"
    setpriv --reuid=65534 --regid=65534 --clear-groups "$BIN" "${OK_SOLVE[@]}" \
        --plan-out "$W/ro/plan.json" >"$W/out" 2>"$W/err"
    rc=$?
    expect "--plan-out into a folder the user cannot write: exit 1, names the path and EACCES" \
        1 "cannot write $W/ro/plan.json" "Permission denied"
    if grep -q '\.tmp\.' "$W/err"; then bad "the message names the user's path" "$(snippet "$W/err")"
    else ok "the message names the user's path, not the temporary one"; fi
else
    ok "# SKIP EACCES (root without setpriv)"
fi
mkdir "$W/fsize"
(ulimit -f 1 && "$BIN" solve --solver full --steps 2000 --alpha 1 --budget 100% \
    --plan-out "$W/fsize/plan.json" >"$W/out" 2>"$W/err")
rc=$?
expect "--plan-out past ulimit -f: exit 1, names the path and EFBIG" 1 \
    "cannot write $W/fsize/plan.json" "File too large"
absent "no plan file left past the file size limit" "$W/fsize/plan.json"
"$BIN" "${OK_SOLVE[@]}" >/dev/full 2>"$W/err"
rc=$?
expect "a report to a full standard output: exit 1" 1 "standard output" "No space left on device"
"$BIN" "${OK_SOLVE[@]}" >&- 2>"$W/err"
rc=$?
expect "a report to a closed standard output: exit 1" 1 "standard output"
"$BIN" compare >/dev/full 2>"$W/err"
rc=$?
expect "compare to a full standard output: exit 1" 1 "standard output"
"$BIN" "${OK_SOLVE[@]}" --plan-out "$W/plan.json" >/dev/null
"$BIN" verify "$W/plan.json" >/dev/full 2>"$W/err"
rc=$?
expect "verify to a full standard output: exit 1" 1 "standard output"

# ---------------------------------------------------------------- options each command uses
run compare --solver bogus
expect "compare --solver bogus: exit 2, compare takes no --solver" 2 "--solver" "compare does not use"
run compare --alpha 7 --hidden-bytes 4 --internal-bytes 8
expect "compare --alpha with byte sizes: exit 2, as solve" 2 "--alpha" "--hidden-bytes" "not both"
run compare --hidden-bytes 4 --internal-bytes 8 --budget 50%
expect "compare with byte sizes alone: exit 0" 0 "a_h = 1, a_s = 2 units"
run solve --solver full "${P[@]}" --budget 46 --cost-copy 1
expect "solve --cost-copy: exit 2, solve does not use it" 2 "--cost-copy" "solve does not use"
run simulate --solver full "${P[@]}" --budget 46 --cost-copy 1
expect "simulate --cost-copy: exit 0" 0 "predicted_time"
run solve --solver full --steps 10 --steps 20 --alpha 5 --budget 46
expect "an option given twice: exit 2, names it" 2 "--steps given twice"
run verify --format json --format text "$W/plan.json"
expect "verify --format twice: exit 2" 2 "--format given twice"

# compare's time/full is each plan's predicted time over full BPTT's, both under the same
# model: full BPTT is 1.000 of itself whatever the copy cost, and with c_copy = 1 its stores
# (a_s*(t-1) = 45 units at t = 10, alpha 5) count: 10*1 + 10*2 + 45 = 75.
run compare "${P[@]}" --budget 46 --cost-copy 1 --format json
pycheck "compare --cost-copy 1: full BPTT is 1.000 of itself" "$W/out" <<'EOF'
import json, sys
rows = {r["solver"]: r for r in map(json.loads, open(sys.argv[1]))}
assert abs(rows["full"]["predicted_time_vs_full"] - 1.0) < 1e-12, rows["full"]
EOF
run simulate --solver msm "${P[@]}" --budget 20 --cost-copy 1 --format json
msm_time=$(sed -n 's/.*"predicted_time": \([0-9.]*\).*/\1/p' "$W/out")
run compare "${P[@]}" --budget 20 --cost-copy 1 --format json
pycheck "compare --cost-copy 1: msm's ratio is simulate's predicted time over 75" "$W/out" \
    "$msm_time" <<'EOF'
import json, sys
rows = {r["solver"]: r for r in map(json.loads, open(sys.argv[1]))}
want = float(sys.argv[2]) / 75.0
assert abs(rows["msm"]["predicted_time_vs_full"] - want) < 1e-9, (rows["msm"], want)
EOF

# c_r: a recompute is a forward of a step already forwarded (forward_ops - t of them). Left
# out, c_r = c_f (so --cost-forward alone moves both); given, it prices recomputes alone.
run simulate --solver msm "${P[@]}" --budget 20 --format json
pycheck "simulate: recompute_ops = forward_ops - t, c_r defaults to c_f" "$W/out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["recompute_ops"] == d["forward_ops"] - 10 > 0, d
assert d["cost_recompute"] == 1 and d["predicted_time"] == d["forward_ops"] + 20, d
EOF
run simulate --solver msm "${P[@]}" --budget 20 --cost-forward 3 --format json
pycheck "simulate --cost-forward 3: c_r follows c_f" "$W/out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["cost_recompute"] == 3 and d["predicted_time"] == 3 * d["forward_ops"] + 20, d
EOF
run simulate --solver msm "${P[@]}" --budget 20 --cost-recompute 2.5 --format json
pycheck "simulate --cost-recompute 2.5: t*c_f + recompute*c_r + t*c_b" "$W/out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
want = 10 + 2.5 * d["recompute_ops"] + 20
assert abs(d["predicted_time"] - want) < 1e-9, (d, want)
EOF
run compare "${P[@]}" --budget 20 --cost-recompute 2.5 --format json
pycheck "compare --cost-recompute 2.5: msm's ratio is (10 + 2.5 R + 20) / 30" "$W/out" <<'EOF'
import json, sys
rows = {r["solver"]: r for r in map(json.loads, open(sys.argv[1]))}
m = rows["msm"]
want = (10 + 2.5 * (m["forward_ops"] - 10) + 20) / 30
assert abs(m["predicted_time_vs_full"] - want) < 1e-9, (m, want)
EOF

# ---------------------------------------------------------------- plans too long to build
for s in full sqrt chen revolve; do
    run solve --solver "$s" --steps 2147483647 --alpha 1 --budget 100%
    expect "$s at t = 2147483647: exit 2 before building, names the op count and the limit" 2 \
        "the $s plan for t = 2147483647 has" "~[0-9]{10,} ops" "268435456"
done

finish
