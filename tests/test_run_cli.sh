#!/usr/bin/env bash
# test_run_cli.sh: end-to-end tests of `membptt run`: a small run per cell (JSON keys, op counts
# equal to the plan's, bitwise-equal gradients, the store within budget), and its bad input:
# sizes 0, negative or overflowing, an unknown cell or solver, a malformed event list, an
# infeasible budget (3), a plan file for other sizes or an invalid plan (4); progress on stderr
# only (a terminal, --progress; --quiet), the slow store's costs given directly. A failed run
# prints nothing on stdout. Prints one line per check, then "N passed, M failed".
# Usage: bash tests/test_run_cli.sh build/cli/membptt
set -u

EXPECT_QUIET_FAILURE=1 # a failed run prints nothing on stdout
. "$(dirname "$0")/cli_lib.sh"

SMALL=(--steps 20 --input 6 --hidden 8 --batch 3 --repeat 1)

run run --help
expect "help: exit 0" 0 "--cell" "--plan FILE" "full BPTT"

for cell in lstm gru rnn; do
    run run --cell $cell "${SMALL[@]}" --solver msm --budget 30% --format json
    expect "$cell msm 30%: exit 0" 0 '"cell": "'$cell'"'
    jcheck "$cell: keys, counts, bitwise gradients, store within budget" '
for k in ["cell", "steps", "input", "hidden", "batch", "solver", "budget_bytes", "hidden_bytes",
          "internal_bytes", "forward_ops", "backward_ops", "peak_store_bytes",
          "peak_activation_bytes", "time_s", "time_full_s", "time_ratio",
          "predicted_time_ratio", "grad_max_abs_diff", "counters", "vmhwm_bytes",
          "first_forward_s", "recompute_s", "backward_s"]:
    assert k in d, k
assert d["forward_ops"] == d["steps"] + d["recompute_ops"] > d["steps"], d["forward_ops"]
assert d["cpu_s"] >= 0 and d["loss"] > 0 and d["arena_compactions"] >= 0, d
assert d["backward_ops"] == 20
assert d["grad_max_abs_diff"] == 0 and d["grad_bitwise_equal"] is True
assert 0 < d["peak_store_bytes"] <= d["budget_bytes"] < d["peak_store_full_bytes"]
assert d["counters"] is None
# every time and ratio: min <= median <= max; the ratio interval holds the median
for k in ["time", "time_full", "time_ratio", "cpu", "cpu_full", "cpu_ratio", "first_forward",
          "recompute", "backward", "copy", "full_first_forward", "full_backward", "full_copy"]:
    unit = "" if k.endswith("ratio") else "_s"
    lo, med, hi = d[k + "_min" + unit], d[k + unit], d[k + "_max" + unit]
    assert lo <= med <= hi, (k, lo, med, hi)
assert d["time_ratio_ci_low"] <= d["time_ratio"] <= d["time_ratio_ci_high"], d
assert d["contended"] in (True, False) and d["attempts"] == 1, d
assert d["store_resident_pages"] == d["store_pages"] > 0, d
assert d["store_full_resident_pages"] == d["store_full_pages"] > 0, d
assert d["clock_wall_cost_s"] > 0 and d["clock_thread_cpu_cost_s"] > 0, d
assert d["time_ratio"] > 0
# the predicted ratio is the model with the per-op costs of this run (recomputes at the c_r
# measured here) over full BPTT under the same model, full BPTT storing t-1 internal states
# (measured costs can put it below 1 under load)
t, cf, cb, cc = d["steps"], d["cost_forward_s"], d["cost_backward_s"], d["cost_copy_s_per_byte"]
cr = d["cost_recompute_s"]
plan = t * cf + d["recompute_ops"] * cr + d["backward_ops"] * cb + d["copied_bytes"] * cc
full = t * (cf + cb) + d["internal_bytes"] * (t - 1) * cc
assert abs(d["predicted_time_ratio"] - plan / full) < 1e-6 * plan / full, (d["predicted_time_ratio"], plan / full)
'
done

run run --cell lstm "${SMALL[@]}" --solver full --budget 100% --format csv
expect "full 100% csv: exit 0" 0 "solver,steps,hidden_units"
if [ "$(wc -l <"$W/out")" = 2 ]; then ok "csv: header and one row"; else bad "csv" "$(snippet "$W/out")"; fi

# counters: an event this machine may not count is reported empty, with a notice
run run --cell rnn "${SMALL[@]}" --solver sqrt --budget 50% --events PAPI_TOT_INS --format json
expect "events: exit 0" 0 '"counters": {"PAPI_TOT_INS": '
jcheck "events: a value or null, never a made-up zero when unavailable" '
v = d["counters"]["PAPI_TOT_INS"]
assert v is None or (v["first"] > 0 and v["backward"] > 0), v
'
if grep -q "notice: PAPI_TOT_INS: " "$W/err" || grep -q '"PAPI_TOT_INS": {"first": [1-9]' "$W/out"; then
    ok "events: unavailable means a notice on stderr"
else bad "events notice" "$(snippet "$W/err")"; fi
# an event no PMU has: null in JSON, one notice naming it on stderr; a kernel software event
# counted where it is available, with a value in each phase that ran
run run --cell lstm "${SMALL[@]}" --solver msm --budget 30% --events 'nopmu::NO_SUCH_EVENT,perf::TASK-CLOCK' --format json
expect "events: a well-formed name this machine lacks: exit 0" 0 '"nopmu::NO_SUCH_EVENT": null'
jcheck "events: per phase, null only where unavailable" '
ev = d["counters"]
assert list(ev) == ["nopmu::NO_SUCH_EVENT", "perf::TASK-CLOCK"], ev
assert ev["nopmu::NO_SUCH_EVENT"] is None
tc = ev["perf::TASK-CLOCK"]
assert tc is None or (tc["first"] > 0 and tc["recompute"] > 0 and tc["backward"] > 0), tc
src = d["counter_sources"]
assert src["nopmu::NO_SUCH_EVENT"] is None, src
assert (tc is None) == (src["perf::TASK-CLOCK"] is None), src
assert src["perf::TASK-CLOCK"] in (None, "papi", "perf_event_open", "perf_event_open:u"), src
'
if [ "$(grep -c 'notice: nopmu::NO_SUCH_EVENT: ' "$W/err")" = 1 ]; then
    ok "events: one notice for the unknown event"
else bad "events: unknown event notice" "$(snippet "$W/err")"; fi
run run --cell gru "${SMALL[@]}" --solver msm --budget 30% --events 'perf::TASK-CLOCK' --format csv
if head -1 "$W/out" | grep -q 'perf::TASK-CLOCK.first,perf::TASK-CLOCK.recompute,perf::TASK-CLOCK.backward,perf::TASK-CLOCK.copy,perf::TASK-CLOCK.full_first,perf::TASK-CLOCK.full_recompute,perf::TASK-CLOCK.full_backward,perf::TASK-CLOCK.full_copy'; then
    ok "events: csv has one column per event and phase"
else bad "events csv" "$(snippet "$W/out")"; fi

# the full plan run through `run` against full BPTT: both sides do the same work, copy the same
# bytes, hold the same store and take the same page faults in every phase (docs/design.md,
# "The executor")
run run --cell lstm --steps 200 --input 32 --hidden 32 --batch 8 --repeat 3 --solver full --budget 100% --events perf::PAGE-FAULTS --format json
expect "full against full BPTT: exit 0" 0 '"counters_full": '
jcheck "full against full BPTT: equal ops, bytes and page faults on both sides" '
assert d["forward_ops"] == d["full_forward_ops"] == 200 and d["recompute_ops"] == 0, d
assert d["backward_ops"] == d["full_backward_ops"] == 200, d
assert d["copied_bytes"] == d["full_copied_bytes"] and d["peak_store_bytes"] == d["peak_store_full_bytes"], d
pf, pff = d["counters"]["perf::PAGE-FAULTS"], d["counters_full"]["perf::PAGE-FAULTS"]
if pf is not None:
    for ph in ("first", "backward", "copy"):
        assert pf[ph] == pff[ph] and pf[ph] <= 8, (ph, pf, pff)
'
# the documented maximum of 32 events, names of 40 bytes: every column fits the record, and the
# counters column keeps the whole list (over 255 bytes)
EV=perf::PAGE-FAULTS
for i in $(seq -w 1 31); do EV="$EV,nopmu::EVENT_NAME_OF_FORTY_BYTES_NUMBER_$i"; done
for fmt in text csv; do
    run run --cell rnn "${SMALL[@]}" --solver msm --budget 30% --events "$EV" --format $fmt
    expect "32 events, $fmt: exit 0" 0 "nopmu::EVENT_NAME_OF_FORTY_BYTES_NUMBER_31"
done
if python3 -c 'import csv,sys; rows=list(csv.reader(open(sys.argv[1]))); r=dict(zip(*rows)); assert r["counters"]==sys.argv[2], r["counters"]; assert "nopmu::EVENT_NAME_OF_FORTY_BYTES_NUMBER_31.full_copy" in r' \
    "$W/out" "$EV" 2>"$W/py"; then
    ok "32 events: the counters column holds the whole list, every column present"
else bad "32 events csv" "$(snippet "$W/py")"; fi
run run --cell rnn "${SMALL[@]}" --solver msm --budget 30% --events "$EV,nopmu::ONE_TOO_MANY"
expect "33 events: exit 2" 2 "--events"
# the arena is sized by the plan's peak: a budget of 1 TiB on a tiny LSTM runs
run run --cell lstm "${SMALL[@]}" --solver msm --budget 1TiB --format json
expect "budget 1TiB: exit 0" 0 '"budget_bytes": 10995116'
jcheck "budget 1TiB: the arena holds the plan's peak, not the budget" '
assert d["budget_bytes"] > 10**12 and d["peak_store_bytes"] <= d["peak_store_full_bytes"], d
assert d["input_grads"] is False, d
'
run run --cell lstm "${SMALL[@]}" --solver msm --budget 9223372036854775807
expect "a budget in units that overflows bytes: exit 2" 2 "--budget 9223372036854775807"
run run --cell lstm "${SMALL[@]}" --solver msm --budget 30% --threads $(( $(nproc) + 1 ))
expect "more threads than the machine: exit 2" 2 "--threads $(( $(nproc) + 1 ))" "hardware thread"
run run --cell lstm "${SMALL[@]}" --solver msm --budget 30% --input-grads --format json
jcheck "input-grads recorded" 'assert d["input_grads"] is True, d'
run run --cell lstm --steps 100000 --input 4 --hidden 4 --batch 2 --solver msm --budget 50% --max-table-mib 1
expect "DP table refused: exit 2, advice run accepts" 2 "--max-table-mib"
run run --cell lstm "${SMALL[@]}" --solver msm --budget 30% --retry-contended -1
expect "retry-contended -1: exit 2" 2 "--retry-contended -1"

# bad input: exit 2 naming the option and the value
run run --cell lstm --steps 0 --input 4 --hidden 4 --batch 2 --solver msm --budget 50%
expect "steps 0: exit 2" 2 "--steps 0"
run run --cell lstm --steps 10 --input 4 --hidden -3 --batch 2 --solver msm --budget 50%
expect "hidden -3: exit 2" 2 "--hidden -3"
run run --cell lstm --steps 10 --input 4 --hidden 4 --batch 0 --solver msm --budget 50%
expect "batch 0: exit 2" 2 "--batch 0"
run run --cell lstm --steps 10 --input 4 --hidden 4 --batch 99999999999999999999 --solver msm --budget 50%
expect "batch overflowing int64: exit 2" 2 "--batch 99999999999999999999"
run run --cell lstm --steps 10 --input 4 --hidden 1099511627776 --batch 2 --solver msm --budget 50%
expect "state bytes overflow: exit 2" 2 "hidden 1099511627776"
run run --cell lstm --steps 10 --input 4 --hidden 65536 --batch 1073741824 --solver msm --budget 50%
expect "state of too many bytes: exit 2" 2 "--hidden 65536 with --batch 1073741824"
run run --cell lsmt --steps 10 --input 4 --hidden 3 --batch 2 --solver msm --budget 50%
expect "unknown cell: exit 2" 2 "--cell 'lsmt'" "lstm, gru or rnn"
run run --cell gru --steps 10 --input 4 --hidden 3 --batch 2 --solver msn --budget 50%
expect "unknown solver: exit 2" 2 "--solver 'msn'"
run run --cell gru --steps 10 --input 4 --hidden 3 --batch 2 --solver msm --budget 50% --hidden 5
expect "option given twice: exit 2" 2 "--hidden given twice"
run run --cell gru --steps 10 --input 4 --hidden 3 --batch 2 --solver msm --budget 5 parsecs
expect "stray argument: exit 2" 2 "'parsecs'"
run run --cell gru --steps 10 --input 4 --hidden 3 --batch 2 --solver msm --budget 12XB
expect "bad budget: exit 2" 2 "--budget '12XB'" "5%"
run run --cell gru --steps 10 --input 4 --hidden 3 --batch 2 --solver msm
expect "no budget: exit 2" 2 "--budget"
run run --cell gru --steps 10 --input 4 --hidden 3 --batch 2 --solver msm --budget 50% --events 'PAPI_TOT_INS,,x'
expect "malformed event list: exit 2" 2 "--events \"PAPI_TOT_INS,,x\": event 2 is empty"
run run --cell gru --steps 10 --input 4 --hidden 3 --batch 2 --solver msm --budget 50% --events 'perf::TASK-CLOCK,tsk-clock'
expect "unknown event name: exit 2, names it and the forms" 2 '--events: event "tsk-clock" is not an event name' PAPI_TOT_INS perf::TASK-CLOCK
run run --cell gru --steps 10 --input 4 --hidden 3 --batch 2 --solver msm --budget 50% --events 'PAPI_TOT_INZ'
expect "a PAPI_ name that is no preset: exit 2" 2 '--events: event "PAPI_TOT_INZ" is not a PAPI preset'
run run --cell gru --steps 10 --input 4 --hidden 3 --batch 2 --solver msm --budget 50% --threads 0
expect "threads 0: exit 2" 2 "--threads 0"
run run --cell gru --steps 10 --input 4 --hidden 3 --batch 2 --solver msm --budget 50% --repeat -1
expect "repeat -1: exit 2" 2 "--repeat -1"
run run --cell gru --steps 10 --input 4 --hidden 3 --batch 2 --solver msm --budget 50% --pin 100000
expect "pin a core that does not exist: exit 2" 2 "--pin 100000: core 100000 does not exist"

# infeasible budget: exit 3 naming the smallest feasible one (full BPTT needs a_h + a_s*(t-1)
# = 1 + 3*9 units)
run run --cell lstm --steps 10 --input 4 --hidden 4 --batch 2 --solver full --budget 27
expect "infeasible: exit 3" 3 "smallest feasible budget is 28 units"

# plan files: LSTM H=4 B=1 has hidden 32 bytes (h, c), internal 96 bytes (h, c, 4 gates)
"$BIN" solve --solver msm --steps 12 --hidden-bytes 32 --internal-bytes 96 --budget 40% --plan-out plan.json >/dev/null
run run --cell lstm --steps 12 --input 3 --hidden 4 --batch 1 --plan plan.json --format json
expect "plan file for these sizes: exit 0" 0 '"solver": "msm"'
jcheck "plan file: bitwise gradients" 'assert d["grad_bitwise_equal"] is True'
run run --cell lstm --steps 12 --input 3 --hidden 4 --batch 2 --plan plan.json
expect "plan for other sizes: exit 4" 4 "plan.json" "do not fit"
run run --cell gru --steps 12 --input 3 --hidden 4 --batch 1 --plan plan.json
expect "plan for another cell: exit 4" 4 "do not fit"
run run --cell lstm --steps 13 --input 3 --hidden 4 --batch 1 --plan plan.json
expect "plan for other steps: exit 4" 4 "12 steps"
# an invalid plan: the first backward op moved to the front
python3 - plan.json bad.json <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
i = next(i for i, op in enumerate(p["ops"]) if op[0] == "backward")
p["ops"].insert(0, p["ops"].pop(i))
json.dump(p, open(sys.argv[2], "w"))
EOF
run run --cell lstm --steps 12 --input 3 --hidden 4 --batch 1 --plan bad.json
expect "invalid plan: exit 4 naming the first bad op" 4 "op 0 (backward"
# over budget: the declared budget below the plan's peak
python3 - plan.json over.json <<'EOF'
import json, sys
p = json.load(open(sys.argv[1]))
p["budget"] = p["peak"] - 1
json.dump(p, open(sys.argv[2], "w"))
EOF
run run --cell lstm --steps 12 --input 3 --hidden 4 --batch 1 --plan over.json
expect "over-budget plan: exit 4" 4 "budget"
run run --cell lstm --steps 12 --input 3 --hidden 4 --batch 1 --plan missing.json
expect "missing plan file: exit 2" 2 "missing.json"
run run --cell lstm --steps 12 --input 3 --hidden 4 --batch 1 --plan plan.json --solver msm
expect "plan and solver: exit 2" 2 "--plan"

# progress (docs/design.md, "Command line"): on stderr only, when it is a terminal or with
# --progress; stdout is the same result with or without it (its measured values aside)
PR=(--cell rnn --steps 12 --input 3 --hidden 4 --batch 1 --solver msm --budget 40% --repeat 3 --format csv)
run run "${PR[@]}" --progress
expect "--progress on a pipe: exit 0" 0 "solver,steps"
if grep -q "warm-up" "$W/err" && grep -q "pair 1/3 timed, about [0-9.]* s left" "$W/err" &&
    grep -q "pair 3/3" "$W/err"; then
    ok "--progress: warm-up, each pair and the time left on stderr"
else
    bad "--progress on stderr" "$(snippet "$W/err")"
fi
cp "$W/out" progress.csv
run run "${PR[@]}"
# a warning (a contended run on a loaded machine) is not progress
if [ "$rc" = 0 ] && [ -z "$(grep -v '^membptt run: warning: ' "$W/err")" ]; then
    ok "no progress when stderr is not a terminal"
else bad "silent on a pipe" "$(snippet "$W/err")"; fi
cp "$W/out" plain1.csv
pycheck "stdout with progress: the same header, and the same values but the measured ones" \
    progress.csv plain1.csv <<'EOF'
import csv, re, sys
texts = [open(f).read() for f in sys.argv[1:]]
assert "\r" not in texts[0] and "run:" not in texts[0], texts[0][:200]
assert texts[0].split("\n", 1)[0] == texts[1].split("\n", 1)[0], "headers differ"
rows = [list(csv.DictReader(open(f))) for f in sys.argv[1:]]
assert all(len(r) == 1 for r in rows), [len(r) for r in rows]
p, a = rows[0][0], rows[1][0]
# what a run measures (times, their ratios and costs, peak RSS, CPU share, the clock's cost,
# the date, contention, resident pages) differs from run to run; nothing else may
measured = re.compile(r"(_s$|_s_|ratio|vmhwm|cpu_wall|date_utc|^clock_|contended|attempts|resident)")
kept = [k for k in a if not measured.search(k)]
for k in ["solver", "steps", "forward_ops", "backward_ops", "peak_store_bytes", "grad_max_abs_diff", "loss"]:
    assert k in kept, k
diff = [(k, p[k], a[k]) for k in kept if p[k] != a[k]]
assert not diff, diff
EOF
run run "${PR[@]}" --quiet --progress
expect "--quiet with --progress: exit 2" 2 "--quiet and --progress"
if command -v script >/dev/null; then
    # script(1) gives the command a terminal; stdout goes to a file, stderr stays on it
    script -qec "'$BIN' run ${PR[*]} >tty.csv" /dev/null >tty.txt 2>&1
    if grep -q "warm-up" tty.txt && grep -q $'\r' tty.txt && head -1 tty.csv | grep -q "^solver,"; then
        ok "progress on a terminal, rewritten in place; stdout the result alone"
    else
        bad "progress on a terminal" "$(snippet tty.txt)"
    fi
    script -qec "'$BIN' run ${PR[*]} --quiet >ttyq.csv" /dev/null >ttyq.txt 2>&1
    # nothing but a warning may reach stderr (a loaded machine can make the run contended)
    if [ -z "$(tr -d '\r' <ttyq.txt | grep -v '^membptt run: warning: ')" ] &&
        [ "$(head -1 ttyq.csv)" = "$(head -1 tty.csv)" ]; then
        ok "--quiet on a terminal: no progress on stderr"
    else
        bad "--quiet on a terminal" "$(snippet ttyq.txt)"
    fi
else
    echo "skip - progress on a terminal (no script(1) here)"
fi

# the slow store's costs given directly (--cost-write/--cost-read, as solve takes them) choose
# the same plan as simulate with the same costs; bad values and both ways at once are refused
mkdir -p "$W/slow"
SC=(--cell lstm --steps 12 --input 3 --hidden 4 --batch 1 --repeat 1 --solver msm2 --budget 10%
    --slow-budget unlimited)
C2=(--cost-write 0.25 --cost-read 0.5 --cost-write-latency 0.125)
run run "${SC[@]}" --slow-dir "$W/slow" "${C2[@]}" --format json
expect "run with --cost-write/--cost-read: exit 0" 0 '"slow_writes"'
cp "$W/out" direct.json
run simulate --solver msm2 --steps 12 --hidden-bytes 32 --internal-bytes 96 --budget 10% \
    --slow-budget unlimited "${C2[@]}" --format json
expect "simulate with the same costs: exit 0" 0 '"slow_writes"'
pycheck "run and simulate with the same costs: the same plan" direct.json "$W/out" <<'EOF'
import json, sys
r, s = (json.load(open(f)) for f in sys.argv[1:])
for k in ["forward_ops", "backward_ops", "slow_writes", "slow_reads"]:
    assert r[k] == s[k], (k, r[k], s[k])
assert r["slow_writes"] > 0, r["slow_writes"]
EOF
if [ -z "$(ls -A "$W/slow")" ]; then ok "the slow store's file removed"; else bad "slow dir" "$(ls "$W/slow")"; fi
run run "${SC[@]}" --slow-dir "$W/slow" --cost-write -1 --cost-read 1
expect "--cost-write -1: exit 2" 2 "--cost-write '-1'" ">= 0"
run run "${SC[@]}" --slow-dir "$W/slow" --cost-write 1 --cost-read fast
expect "--cost-read fast: exit 2" 2 "--cost-read 'fast'"
run run "${SC[@]}" --slow-dir "$W/slow" --cost-write-latency 1e999
expect "--cost-write-latency 1e999: exit 2" 2 "--cost-write-latency"
run run "${SC[@]}" --slow-dir "$W/slow" --cost-write 1
expect "--cost-write without --cost-read: exit 2, names both ways" 2 "--store-costs" "--cost-read R"
printf 'membptt-store-costs 1\nforward_s 1e-3\nbackward_s 2e-3\nwrite_latency_s 0\nwrite_s_per_byte 1e-9\nread_latency_s 0\nread_s_per_byte 1e-9\n' >cheap.costs
run run "${SC[@]}" --slow-dir "$W/slow" --store-costs cheap.costs --cost-read 1
expect "--store-costs with --cost-read: exit 2, one way" 2 "--store-costs cheap.costs and --cost-read" "one way"
run run "${SC[@]}" --slow-dir "$W/slow" --store-costs cheap.costs --format json
expect "--store-costs alone: exit 0" 0 '"slow_writes"'

finish
