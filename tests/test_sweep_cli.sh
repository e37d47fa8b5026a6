#!/usr/bin/env bash
# test_sweep_cli.sh MEMBPTT SOURCE_DIR: membptt sweep end to end: a sweep killed with SIGKILL
# in the middle resumes to the same bytes as an uninterrupted run; shards merge to the same
# bytes; bad configs exit 2 naming file and line. (The MPI and gnuplot checks are in their own
# tests.)
set -u
M=$1
SRC=$2
T=$(mktemp -d /tmp/mb_sweep_cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cat > "$T/slow.ini" <<'INI'
[output]
name = slow
[problem slow]
solvers = msm, ism
steps = 100:400:50
alpha = 5
budget = 4%:20%:4%
INI
total=70

"$M" sweep "$T/slow.ini" --out "$T/ref" --quiet > /dev/null || fail "uninterrupted sweep failed"
rows=$(($(wc -l < "$T/ref/slow.csv") - 1))
[ "$rows" -eq $total ] || fail "uninterrupted sweep has $rows rows, expected $total"

# kill it with SIGKILL once some rows are on disk
"$M" sweep "$T/slow.ini" --out "$T/killed" --quiet > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 600); do
    if [ -f "$T/killed/slow.csv" ] && [ "$(wc -l < "$T/killed/slow.csv")" -ge 6 ]; then break; fi
    sleep 0.02
done
kill -9 $pid 2> /dev/null
wait $pid 2> /dev/null
have=$(($(wc -l < "$T/killed/slow.csv") - 1))
if [ "$have" -ge $total ]; then
    echo "SKIP-PART: the sweep finished before it could be killed ($have rows)"
else
    echo "killed after $have complete rows"
fi
out=$("$M" sweep "$T/slow.ini" --out "$T/killed" --quiet) || fail "resume failed"
echo "$out"
case "$out" in *"kept from an earlier run"*) ;; *) fail "resume did not report kept rows";; esac
cmp "$T/ref/slow.csv" "$T/killed/slow.csv" || fail "resumed CSV differs from the uninterrupted one"

# the timing file kept its header and has one line per point, whatever the kill interrupted
head -n 1 "$T/killed/slow.timing.csv" | grep -q '^point,sweep,solver' || fail "timing header lost"
[ "$(wc -l < "$T/killed/slow.timing.csv")" -eq $((total + 1)) ] ||
    fail "timing file has $(wc -l < "$T/killed/slow.timing.csv") lines, expected $((total + 1))"

# durability: kill -9 at a random moment under each --sync policy; the resume ends
# byte-identical and the timing file has every point (the moment is printed for a rerun)
for mode in point batch:7 3s end; do
    rm -rf "$T/dur"
    at=$((RANDOM % total + 1)) # the kill comes once this many lines are there (or at the end)
    "$M" sweep "$T/slow.ini" --out "$T/dur" --quiet --sync "$mode" > /dev/null 2>&1 &
    pid=$!
    while kill -0 $pid 2> /dev/null; do
        [ -f "$T/dur/slow.csv" ] && [ "$(wc -l < "$T/dur/slow.csv")" -ge $at ] && break
        sleep 0.005
    done
    kill -9 $pid 2> /dev/null
    wait $pid 2> /dev/null
    have=$([ -f "$T/dur/slow.csv" ] && wc -l < "$T/dur/slow.csv" || echo 0)
    delay="line $at"
    echo "--sync $mode: killed at $delay with $have lines"
    "$M" sweep "$T/slow.ini" --out "$T/dur" --quiet --sync "$mode" > /dev/null ||
        fail "--sync $mode: resume after kill -9 at $delay failed"
    cmp -s "$T/ref/slow.csv" "$T/dur/slow.csv" || fail "--sync $mode: resumed CSV differs (kill at $delay)"
    [ "$(wc -l < "$T/dur/slow.timing.csv")" -eq $((total + 1)) ] ||
        fail "--sync $mode: the timing file lost points (kill at $delay)"
done
"$M" sweep "$T/slow.ini" --out "$T/dur" --sync sometimes > /dev/null 2>&1
[ $? -eq 2 ] || fail "--sync sometimes should exit 2"

# a partial last line (a row cut mid-write) is dropped and recomputed
head -c 2000 "$T/ref/slow.csv" > "$T/killed/slow.csv"
"$M" sweep "$T/slow.ini" --out "$T/killed" --quiet > /dev/null || fail "resume after a cut row failed"
cmp "$T/ref/slow.csv" "$T/killed/slow.csv" || fail "resume after a cut row differs"

# One definition of "vs full": with copies in the cost model, compare and a sweep give every
# solver the same predicted_time_vs_full (the replayed full plan under the same model), and
# full BPTT is 1 of itself (the sweep once divided by t*(c_f + c_b) and gave 2.65).
cat > "$T/copy.ini" <<'INI'
[output]
name = copy
[solvers]
names = full, sqrt, chen, revolve, hsm, ism, msm, msm-free
[cost]
forward = 1
backward = 2
copy = 1
[problem copy]
steps = 100
alpha = 5
budget = 20%, 100%
INI
"$M" sweep "$T/copy.ini" --out "$T/copy" --quiet > /dev/null || fail "the copy-cost sweep failed"
for b in 20% 100%; do
    "$M" compare --steps 100 --alpha 5 --budget $b --cost-copy 1 --format csv > "$T/cmp$b.csv" ||
        fail "compare --budget $b --cost-copy 1 failed"
done
python3 - "$T/copy/copy.csv" "$T/cmp20%.csv" "$T/cmp100%.csv" <<'EOF2' || fail "compare and sweep disagree on predicted_time_vs_full"
import csv, sys
sweep = {(r["solver"], r["budget_spec"]): r for r in csv.DictReader(open(sys.argv[1]))}
seen = 0
for path, spec in ((sys.argv[2], "20%"), (sys.argv[3], "100%")):
    for r in csv.DictReader(open(path)):
        s = sweep[(r["solver"], spec)]
        a, b = r["predicted_time_vs_full"], s["predicted_time_vs_full"]
        assert (a == "") == (b == ""), (r["solver"], spec, a, b)
        if a:
            assert abs(float(a) - float(b)) < 1e-9, (r["solver"], spec, a, b)
            assert float(s["copied_units"]) > 0, s
            seen += 1
assert abs(float(sweep[("full", "100%")]["predicted_time_vs_full"]) - 1) < 1e-12, sweep[("full", "100%")]
assert seen >= 15, seen
EOF2

# shards through the command line, then merge
for i in 0 1 2 3; do
    "$M" sweep "$T/slow.ini" --out "$T/sh" --shard $i/4 --quiet > /dev/null || fail "shard $i failed"
done
"$M" merge --out "$T/merged.csv" "$T"/sh/slow.shard-*.csv > /dev/null || fail "merge failed"
cmp "$T/ref/slow.csv" "$T/merged.csv" || fail "merged shards differ from the single-process CSV"
"$M" merge --out "$T/m2.csv" "$T"/sh/slow.shard-0-of-4.csv > /dev/null 2>&1
[ $? -eq 2 ] || fail "merge of an incomplete shard set should exit 2"
[ -f "$T/merged.json" ] && [ -f "$T/merged.timing.csv" ] || fail "merge wrote no sidecar or timing file"
# --out - writes standard output and creates no file named -
(cd "$T" && "$M" merge --out - sh/slow.shard-*.csv > stdout.csv) || fail "merge --out - failed"
cmp "$T/ref/slow.csv" "$T/stdout.csv" || fail "merge --out - differs from the single-process CSV"
[ ! -e "$T/-" ] || fail "merge --out - created a file named -"
# an output that is one of the inputs is refused and the input left as it was
cp "$T/sh/slow.shard-1-of-4.csv" "$T/keep.csv"
"$M" merge --out "$T/sh/slow.shard-1-of-4.csv" "$T"/sh/slow.shard-*.csv > /dev/null 2>&1
[ $? -eq 2 ] || fail "merge --out INPUT should exit 2"
cmp "$T/keep.csv" "$T/sh/slow.shard-1-of-4.csv" || fail "merge --out INPUT changed the input"
# a shard that lost its last row: exit 2 naming the shard, no output
sed -i '$d' "$T/sh/slow.shard-2-of-4.csv"
msg=$("$M" merge --out "$T/m3.csv" "$T"/sh/slow.shard-*.csv 2>&1)
[ $? -eq 2 ] || fail "merge of a shard with a lost row should exit 2"
case "$msg" in *"slow.shard-2-of-4.csv"*"missing"*) ;; *) fail "lost-row message: $msg";; esac
[ ! -e "$T/m3.csv" ] || fail "a refused merge left its output"
# --shard values that do not fit an int are refused, not wrapped
for bad in 4294967297/2 1/4294967298 -1/2 1/2x " 1/2" 0x1/2; do
    "$M" sweep "$T/slow.ini" --out "$T/bad" --shard "$bad" > /dev/null 2>&1
    [ $? -eq 2 ] || fail "--shard '$bad' should exit 2"
done
# a FIFO where the CSV goes is refused at once (no hang)
mkdir -p "$T/fifo" && mkfifo "$T/fifo/slow.csv"
timeout 20 "$M" sweep "$T/slow.ini" --out "$T/fifo" --quiet > /dev/null 2>&1
[ $? -eq 2 ] || fail "a FIFO output should exit 2"

# --skip-failed: a point that fails while it is computed (here its DP table cannot be allocated
# under a memory limit that the preflight, which only sizes it, does not hit) becomes a row with
# status failed and the sweep goes on; without it the sweep stops and keeps the rows before
if ldd "$M" 2> /dev/null | grep -q libasan; then
    echo "SKIP-PART: --skip-failed under ulimit -v (a sanitizer build reserves more address space)"
else
    printf '[solvers]\nmax_table_mib = 8192\n[problem p]\nsolvers = msm\nsteps = 10, 12000, 20\nalpha = 5\nbudget = 50%%\n' > "$T/fails.ini"
    msg=$( (ulimit -v 600000; "$M" sweep "$T/fails.ini" --out "$T/fails" --quiet) 2>&1 )
    rc=$?
    [ $rc -eq 1 ] || fail "a point out of memory should stop the sweep with exit 1 (got $rc: $msg)"
    [ "$(wc -l < "$T/fails/fails.csv")" -eq 2 ] || fail "the row before the failed point was not kept"
    (ulimit -v 600000; "$M" sweep "$T/fails.ini" --out "$T/fails2" --quiet --skip-failed) > /dev/null 2>&1 ||
        fail "--skip-failed did not go on"
    st=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } { printf "%s ", $c["status"] }' "$T/fails2/fails.csv")
    [ "$st" = "ok failed ok " ] || fail "status column with --skip-failed: '$st'"
fi

# bad configs: exit 2, file and line in the message
printf '[problem]\nsolvers = msm\nsteps = 10\nalpha = 5\nbudget = 5%%\nbudjet = 3\n' > "$T/bad.ini"
msg=$("$M" sweep "$T/bad.ini" --out "$T/bad" 2>&1)
rc=$?
[ $rc -eq 2 ] || fail "unknown key: exit $rc, expected 2"
case "$msg" in *"bad.ini:6: budjet = '3': unknown key"*) ;; *) fail "unknown key message: $msg";; esac
[ ! -e "$T/bad/bad.csv" ] || fail "a bad config left a CSV behind"
"$M" sweep "$T/bad.ini" --shard 3/2 > /dev/null 2>&1
[ $? -eq 2 ] || fail "--shard 3/2 should exit 2"
"$M" sweep /nonexistent.ini > /dev/null 2>&1
[ $? -eq 2 ] || fail "a missing config should exit 2"
"$M" sweep "$SRC/configs/smoke.ini" --dry-run | grep -q "218 points" || fail "dry run of smoke.ini"
# preflight: the 8th point needs a DP table past the limit; refused before the first row
printf '[problem small]\nsolvers = msm\nsteps = 10:70:10\nalpha = 5\nbudget = 50%%\n[problem huge]\nsolvers = msm\nsteps = 100000\nalpha = 5\nbudget = 50%%\n' > "$T/huge.ini"
msg=$("$M" sweep "$T/huge.ini" --dry-run 2>&1)
[ $? -eq 2 ] || fail "--dry-run of a point past the DP limit should exit 2"
case "$msg" in *"point 7 ([problem huge] msm, steps = 100000, alpha = 5, budget = 50%)"*) ;; *) fail "preflight message: $msg";; esac
"$M" sweep "$T/huge.ini" --out "$T/huge" --quiet > /dev/null 2>&1
[ $? -eq 2 ] || fail "a sweep with a point past the DP limit should exit 2"
[ ! -e "$T/huge/huge.csv" ] || fail "a sweep refused by preflight left a CSV"

# a measured sweep: rows of the executor, peak store within the budget, gradients as full BPTT's
cat > "$T/meas.ini" <<'INI'
[model]
cell = lstm
input = 4
hidden = 8
batch = 2
repetitions = 1
[counters]
events = perf::TASK-CLOCK
[problem m]
run = measured
solvers = msm
steps = 30
budget = 10%, 100%
INI
"$M" sweep "$T/meas.ini" --out "$T/meas" --quiet > /dev/null || fail "measured sweep failed"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
         { if (!($c["time_s"] > 0)) { print "FAIL: time_s " $c["time_s"]; bad = 1 }
           if ($c["peak_store_bytes"] + 0 > $c["budget_bytes"] + 0) { print "FAIL: peak over budget"; bad = 1 }
           if ($c["grad_bitwise_equal"] != "true") { print "FAIL: gradients differ"; bad = 1 }
           if (!("perf::TASK-CLOCK.backward" in c)) { print "FAIL: no counter column"; bad = 1 }
           n++ }
         END { if (n != 2) { print "FAIL: " n " measured rows"; bad = 1 }; exit bad }' \
    "$T/meas/meas.csv" || fail "measured rows"
python3 - "$T/meas/meas.json" <<'PY' || fail "the sidecar says whether perf::TASK-CLOCK can be counted here"
import json, sys
d = json.load(open(sys.argv[1]))
e = d["run"]["counters"]["perf::TASK-CLOCK"]
assert e["available"] in (True, False) and "source" in e, e
PY

[ $fails -eq 0 ] && echo "sweep CLI: all checks passed"
exit $((fails > 0))
