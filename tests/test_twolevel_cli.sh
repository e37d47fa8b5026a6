#!/usr/bin/env bash
# test_twolevel_cli.sh: end-to-end tests of the slow store (docs/design.md, "Two storage
# levels"): its options on solve, simulate and compare, plan files of version 2 through
# verify, and their bad input. Prints one line per check, then "N passed, M failed".
# Usage: bash tests/test_twolevel_cli.sh build/cli/membptt
set -u

. "$(dirname "$0")/cli_lib.sh"

P=(--steps 10 --alpha 5) # full BPTT needs 1 + 5*9 = 46 units

run simulate --solver msm "${P[@]}" --budget 10 --slow-budget lots
expect "--slow-budget lots: exit 2, names the option and the forms" 2 "--slow-budget 'lots'" "unlimited"
run simulate --solver msm "${P[@]}" --budget 10 --slow-budget 1KiB
expect "--slow-budget in bytes with alpha: exit 2" 2 "--slow-budget '1KiB'" "byte sizes"
run simulate --solver msm "${P[@]}" --budget 10 --slow-budget -3
expect "--slow-budget -3: exit 2" 2 "--slow-budget"
run simulate --solver msm "${P[@]}" --budget 10 --cost-write -1
expect "--cost-write -1: exit 2" 2 "--cost-write '-1'" ">= 0"
run simulate --solver msm "${P[@]}" --budget 10 --cost-read x
expect "--cost-read x: exit 2" 2 "--cost-read 'x'"
run simulate --solver msm "${P[@]}" --budget 10 --cost-read-latency 1 --cost-read-latency 2
expect "--cost-read-latency twice: exit 2" 2 "given twice"

# absent or 0: exactly today's output (no slow columns, a version-1 plan file)
run simulate --solver msm "${P[@]}" --budget 10 --format csv
cp "$W/out" "$W/one.csv"
run simulate --solver msm "${P[@]}" --budget 10 --slow-budget 0 --format csv
# the same columns and values but for the solve time
strip() {
    local c
    c=$(head -1 "$1" | tr , '\n' | grep -n '^solve_seconds$' | cut -d: -f1)
    awk -F, -v c="$c" 'BEGIN { OFS = "," } { $c = ""; print }' "$1"
}
if [ "$(strip "$W/out")" = "$(strip "$W/one.csv")" ] && ! grep -q slow "$W/out"; then
    ok "--slow-budget 0 prints what no slow level prints"
else bad "--slow-budget 0 prints what no slow level prints" "$(snippet "$W/out")"; fi
run solve --solver msm "${P[@]}" --budget 10 --plan-out "$W/one.json"
expect "one-level plan file" 0
grep -q '"version": 1' "$W/one.json" && ok "no slow level: plan file version 1" ||
    bad "no slow level: plan file version 1" "$(head -c 200 "$W/one.json")"

run simulate --solver msm "${P[@]}" --budget 10 --slow-budget unlimited --format json
expect "msm with a slow store: exit 0" 0 '"slow_budget": "unlimited"' '"slow_writes": 0'

# the two-level solvers: a version-2 plan that verify replays to the same counts
C=(--cost-write 0.3 --cost-read 0.3)
run simulate --solver msm2 --steps 200 --alpha 5 --budget 2% --slow-budget unlimited "${C[@]}" \
    --plan-out "$W/m2.json" --format json
expect "msm2 simulate: exit 0" 0 '"solver": "msm2"'
jcheck "msm2 uses the slow store and beats msm's time" '
assert d["slow_writes"] > 0 and d["slow_reads"] > 0, d
assert d["predicted_time"] < 3 * 200 * 2.0, d'
cp "$W/out" "$W/m2.out"
grep -q '"version": 2' "$W/m2.json" && ok "msm2 plan file is version 2" ||
    bad "msm2 plan file is version 2" "$(head -c 200 "$W/m2.json")"
run verify --format json "$W/m2.json"
expect "verify the msm2 plan: exit 0" 0 '"valid": true'
pycheck "verify counts what simulate counted" "$W/out" "$W/m2.out" <<'EOF'
import json, sys
v, s = (json.load(open(f)) for f in sys.argv[1:3])
for k in ["forward_ops", "peak", "slow_peak", "slow_writes", "slow_reads", "slow_written_units",
          "slow_read_units"]:
    assert v[k] == s[k], (k, v[k], s[k])
EOF
sed 's/"slow_budget": "unlimited"/"slow_budget": 3/' "$W/m2.json" >"$W/m2small.json"
run verify "$W/m2small.json"
expect "the same plan with a 3-unit slow store: exit 4, names the slow budget" 4 \
    "slow store would hold" "budget of 3"
run compare --steps 200 --alpha 5 --budget 2% --slow-budget unlimited "${C[@]}"
expect "compare with a slow store lists the two-level solvers" 0 msm2 hrevolve disk-revolve
run compare --steps 200 --alpha 5 --budget 2% --slow-budget 20 "${C[@]}"
expect "compare with a finite slow store: disk-revolve says why it is left out" 0 msm2 hrevolve \
    "disk-revolve" "unlimited slow store"
run compare --steps 200 --alpha 5 --budget 2%
if grep -q msm2 "$W/out"; then bad "compare without a slow store: no two-level solvers" "$(snippet "$W/out")"
else ok "compare without a slow store: no two-level solvers"; fi
run solve --solver disk-revolve --steps 20 --alpha 5 --budget 5 --slow-budget 10
expect "disk-revolve with a finite slow store: exit 2" 2 "disk-revolve" "unlimited"
run solve --solver disk-revolve --steps 20 --alpha 5 --budget 5 --format csv
cp "$W/out" "$W/dr.csv"
run solve --solver hsm --steps 20 --alpha 5 --budget 5 --format csv
if [ "$(cut -d, -f9 "$W/dr.csv")" = "$(cut -d, -f9 "$W/out")" ]; then
    ok "disk-revolve without a slow store: hsm's forward ops"
else bad "disk-revolve without a slow store: hsm's forward ops" "$(cat "$W/dr.csv")"; fi

finish
