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
strip() { cut -d, -f1-12,14- "$1"; }
if [ "$(strip "$W/out")" = "$(strip "$W/one.csv")" ] && ! grep -q slow "$W/out"; then
    ok "--slow-budget 0 prints what no slow level prints"
else bad "--slow-budget 0 prints what no slow level prints" "$(snippet "$W/out")"; fi
run solve --solver msm "${P[@]}" --budget 10 --plan-out "$W/one.json"
expect "one-level plan file" 0
grep -q '"version": 1' "$W/one.json" && ok "no slow level: plan file version 1" ||
    bad "no slow level: plan file version 1" "$(head -c 200 "$W/one.json")"

run simulate --solver msm "${P[@]}" --budget 10 --slow-budget unlimited --format json
expect "msm with a slow store: exit 0" 0 '"slow_budget": "unlimited"' '"slow_writes": 0'

finish
