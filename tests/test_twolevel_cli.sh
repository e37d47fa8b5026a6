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
expect "msm with a slow store: exit 0" 0 '"slow_budget_units": "unlimited"' '"slow_writes": 0'

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
for k in ["forward_ops", "peak_units", "slow_peak_units", "slow_writes", "slow_reads", "slow_written_units",
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

# ---------------------------------------------------------------- the executor's slow store
S=(--cell lstm --steps 30 --input 6 --hidden 8 --batch 3 --repeat 1)
cat >"$W/cheap.costs" <<'EOF'
membptt-store-costs 1
forward_s 0.001
backward_s 0.002
write_latency_s 0
write_s_per_byte 1e-12
read_latency_s 0
read_s_per_byte 1e-12
EOF
mkdir "$W/slow"
run run "${S[@]}" --solver msm2 --budget 10% --slow-budget unlimited --slow-dir "$W/slow" \
    --store-costs "$W/cheap.costs" --format json
expect "run msm2 with a slow store: exit 0" 0 '"slow_writes"'
jcheck "slow store used, gradients bitwise equal to full BPTT" '
assert d["slow_writes"] > 0 and d["slow_reads"] > 0, d
assert d["slow_written_bytes"] > 0 and d["slow_peak_bytes"] <= d["slow_written_bytes"], d
assert d["grad_bitwise_equal"] is True and d["grad_max_abs_diff"] == 0, d'
# what reached the device: at least the store's bytes on a disk (the page cache is bypassed),
# an integer or empty elsewhere (tmpfs holds no device; some kernels keep no task I/O count)
case $(stat -f -c %T "$W/slow") in
tmpfs | ramfs) jcheck "device bytes on a memory file system: a count or empty" '
assert d["slow_device_written_bytes"] is None or d["slow_device_written_bytes"] >= 0, d' ;;
*) jcheck "the slow store reached the device (/proc/self/io)" '
w, r = d["slow_device_written_bytes"], d["slow_device_read_bytes"]
assert w is None or (w >= d["slow_written_bytes"] and r >= d["slow_read_bytes"]), d' ;;
esac
[ -z "$(ls -A "$W/slow")" ] && ok "the slow store's file is removed after the run" ||
    bad "the slow store's file is removed after the run" "$(ls "$W/slow")"
if run run "${S[@]}" --solver msm2 --budget 10% --slow-budget unlimited --slow-dir "$W/slow" \
    --slow-direct --store-costs "$W/cheap.costs" --format json && [ "$rc" = 0 ]; then
    jcheck "O_DIRECT: bitwise equal gradients" 'assert d["grad_bitwise_equal"] is True, d'
elif grep -q "O_DIRECT" "$W/err"; then
    ok "O_DIRECT unsupported here: refused with a clear message"
else bad "--slow-direct" "exit $rc: $(snippet "$W/err")"; fi
run run "${S[@]}" --solver msm2 --budget 10% --slow-budget unlimited --slow-dir "$W/nowhere" \
    --store-costs "$W/cheap.costs"
expect "a slow directory that does not exist: exit 2, named" 2 "--slow-dir" "nowhere"
touch "$W/afile"
run run "${S[@]}" --solver msm2 --budget 10% --slow-budget unlimited --slow-dir "$W/afile" \
    --store-costs "$W/cheap.costs"
expect "a slow directory that is a file: exit 2" 2 "not a directory"
run run "${S[@]}" --solver msm2 --budget 10% --slow-budget unlimited --store-costs "$W/cheap.costs"
expect "--slow-budget without --slow-dir: exit 2" 2 "--slow-dir"
run run "${S[@]}" --solver msm2 --budget 10% --slow-budget unlimited --slow-dir "$W/slow"
expect "--slow-budget without --store-costs: exit 2" 2 "--store-costs"
printf 'membptt-store-costs 1\nforward_s x\n' >"$W/bad.costs"
run run "${S[@]}" --solver msm2 --budget 10% --slow-budget unlimited --slow-dir "$W/slow" \
    --store-costs "$W/bad.costs"
expect "a malformed store-costs file: exit 2, names the line" 2 "bad.costs:2" "forward_s"
# not writable and full: a read-only and a tiny tmpfs when we may mount, else permissions
# and a file-size limit
if [ "$(id -u)" = 0 ] && mkdir "$W/ro" "$W/tiny" && mount -t tmpfs -o ro,size=1m tmpfs "$W/ro" 2>/dev/null; then
    run run "${S[@]}" --solver msm2 --budget 10% --slow-budget unlimited --slow-dir "$W/ro" \
        --store-costs "$W/cheap.costs"
    expect "a read-only slow directory: exit 2" 2 "--slow-dir" "not writable"
    umount "$W/ro"
    mount -t tmpfs -o size=8k tmpfs "$W/tiny"
    run run "${S[@]}" --solver msm2 --budget 10% --slow-budget unlimited --slow-dir "$W/tiny" \
        --store-costs "$W/cheap.costs"
    expect "a full file system (8 KiB tmpfs): exit 1, names the file and the reason" 1 \
        "slow store" "No space left on device"
    [ -z "$(ls -A "$W/tiny")" ] && ok "full file system: no file left" ||
        bad "full file system: no file left" "$(ls "$W/tiny")"
    umount "$W/tiny"
else
    mkdir -p "$W/ro" && chmod 500 "$W/ro"
    run run "${S[@]}" --solver msm2 --budget 10% --slow-budget unlimited --slow-dir "$W/ro" \
        --store-costs "$W/cheap.costs"
    expect "a read-only slow directory: exit 2" 2 "--slow-dir" "not writable"
    ( ulimit -f 8; run run "${S[@]}" --solver msm2 --budget 10% --slow-budget unlimited \
        --slow-dir "$W/slow" --store-costs "$W/cheap.costs"; echo "$rc" >"$W/rc.fsize" )
    [ "$(cat "$W/rc.fsize")" = 1 ] && grep -q "File too large" "$W/err" &&
        ok "a file-size limit mid-run: exit 1, EFBIG named" ||
        bad "a file-size limit mid-run: exit 1, EFBIG named" "$(snippet "$W/err")"
    [ -z "$(ls -A "$W/slow")" ] && ok "file-size limit: no file left" ||
        bad "file-size limit: no file left" "$(ls "$W/slow")"
fi

# The slow directory disappears mid-run. The plan run in progress keeps its open file (POSIX:
# an unlinked file lives while it is open) and notices when it closes it: exit 1, "removed
# during the run"; had the directory gone between two plan runs, the next could not create
# its file: exit 2 naming the directory. Either way no result on stdout and nothing left.
# Many short repetitions, so the directory goes while the run is still going.
mkdir -p "$W/vanish"
( "$BIN" run --cell lstm --steps 200 --input 6 --hidden 8 --batch 3 --repeat 400 --solver msm2 \
    --budget 5% --slow-budget unlimited --slow-dir "$W/vanish" --store-costs "$W/cheap.costs" \
    >"$W/vout" 2>"$W/verr"; echo $? >"$W/vrc" ) &
vpid=$!
for _ in $(seq 1 3000); do
    [ -n "$(ls -A "$W/vanish" 2>/dev/null)" ] && break
    [ -s "$W/vrc" ] && break
    sleep 0.01
done
rm -rf "$W/vanish"
wait "$vpid"
if [ "$(cat "$W/vrc")" = 0 ]; then
    bad "a slow directory removed mid-run" "the run ended before the directory went (exit 0)"
elif { { [ "$(cat "$W/vrc")" = 1 ] && grep -q "removed during the run" "$W/verr"; } ||
         { [ "$(cat "$W/vrc")" = 2 ] && grep -q "vanish" "$W/verr"; }; } &&
    [ ! -s "$W/vout" ] && [ ! -e "$W/vanish" ]; then
    ok "a slow directory removed mid-run: exit $(cat "$W/vrc"), named, no result, nothing left"
else bad "a slow directory removed mid-run" "exit $(cat "$W/vrc"): $(snippet "$W/verr")"; fi

# calibrate-store: a store-costs file that run and simulate read back
run calibrate-store --slow-dir "$W/slow" --out "$W/disk.costs" --steps 5 --repeat 3 \
    --input 6 --hidden 8 --batch 3 --format json
expect "calibrate-store: exit 0" 0 '"write_latency_s"'
jcheck "calibrate-store: positive sizes and costs" '
assert d["hidden_bytes"] > 0 and d["internal_bytes"] > d["hidden_bytes"], d
assert d["forward_s"] > 0 and d["backward_s"] > 0, d'
head -1 "$W/disk.costs" | grep -q '^membptt-store-costs 1$' && ok "the costs file's header" ||
    bad "the costs file's header" "$(head -c 100 "$W/disk.costs")"
[ -z "$(ls -A "$W/slow")" ] && ok "calibrate-store leaves no file in the directory" ||
    bad "calibrate-store leaves no file in the directory" "$(ls "$W/slow")"
run run "${S[@]}" --solver msm2 --budget 10% --slow-budget unlimited --slow-dir "$W/slow" \
    --store-costs "$W/disk.costs" --format json
expect "run with the measured costs: exit 0" 0 '"predicted_time_ratio"'
run simulate --solver msm2 --steps 30 --hidden-bytes 768 --internal-bytes 3456 --budget 10% \
    --slow-budget unlimited --store-costs "$W/disk.costs" --format json
expect "simulate --store-costs: exit 0" 0 '"cost_write"'
run simulate --solver msm2 "${P[@]}" --budget 10 --slow-budget unlimited --store-costs "$W/disk.costs"
expect "simulate --store-costs with alpha sizes: exit 2" 2 "byte sizes"
run simulate --solver msm2 --steps 30 --hidden-bytes 768 --internal-bytes 3456 --budget 10% \
    --slow-budget unlimited --store-costs "$W/disk.costs" --cost-write 1
expect "--store-costs with --cost-write: exit 2" 2 "--store-costs" "--cost-write"
run calibrate-store --slow-dir "$W/nowhere" --out "$W/x.costs"
expect "calibrate-store, missing directory: exit 2" 2 "--slow-dir" "nowhere"
[ ! -e "$W/x.costs" ] && ok "no costs file after a failure" || bad "no costs file after a failure" "exists"

finish
