#!/usr/bin/env bash
# test_cluster.sh MEMBPTT MEMBPTT_MPI SOURCE_DIR: the cluster recipes of docs/cluster.md, run
# locally. The Slurm job array (scripts/slurm-array.sh): its shards run as background
# processes with SLURM_ARRAY_TASK_ID/COUNT set as Slurm sets them, its merge joins them, and
# the result is byte-identical to a one-process sweep; `submit` queues the array and a merge
# that depends on it (through a stand-in sbatch). The MPI script (scripts/mpi-sweep.sh) runs
# through mpirun when membptt-mpi was built (that part is skipped otherwise).
set -u
M=${1:?usage: test_cluster.sh MEMBPTT MEMBPTT_MPI SOURCE_DIR}
MPI=${2:?usage: test_cluster.sh MEMBPTT MEMBPTT_MPI SOURCE_DIR}
SRC=${3:?usage: test_cluster.sh MEMBPTT MEMBPTT_MPI SOURCE_DIR}
T=$(mktemp -d "${TMPDIR:-/tmp}/membptt-cluster.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/test_lib.sh"
cfg=$SRC/configs/smoke.ini
array=$SRC/scripts/slurm-array.sh
export MEMBPTT=$M

"$M" sweep "$cfg" --out "$T/one" --quiet >/dev/null 2>"$T/one.err" ||
    bad "one-process sweep" "$(head -c 300 "$T/one.err")"

# An array of 3 tasks with ids MIN..MIN+2, each in the background as Slurm would start them.
run_array() { # DIR MIN
    local pids=() i
    for i in 0 1 2; do
        SLURM_ARRAY_TASK_ID=$(($2 + i)) SLURM_ARRAY_TASK_COUNT=3 SLURM_ARRAY_TASK_MIN=$2 \
            bash "$array" shard "$cfg" "$1" >"$1.task$i.log" 2>&1 &
        pids+=($!)
    done
    local st=0
    for i in 0 1 2; do wait "${pids[$i]}" || st=1; done
    return $st
}
for min in 0 4; do
    d=$T/array$min
    mkdir -p "$d"
    if run_array "$d" $min; then ok "array tasks $min..$((min + 2)) all succeed"
    else bad "array tasks $min..$((min + 2))" "$(cat "$d".task*.log | head -c 300)"; fi
    n=$(ls "$d"/smoke.shard-*-of-3.csv 2>/dev/null | wc -l)
    [ "$n" = 3 ] && ok "3 shard files (ids from $min)" || bad "3 shard files (ids from $min)" "$n"
    if bash "$array" merge "$cfg" "$d" 3 >"$T/merge.out" 2>&1; then ok "merge of the array ($min)"
    else bad "merge of the array ($min)" "$(head -c 300 "$T/merge.out")"; fi
    if cmp -s "$d/smoke.csv" "$T/one/smoke.csv"; then
        ok "array ($min) merged byte-identical to one process"
    else
        bad "array ($min) merged byte-identical to one process" "$(cmp "$d/smoke.csv" "$T/one/smoke.csv" 2>&1)"
    fi
done

# With N given, the task id is the shard: one task rerun alone (--array=1) after it was lost.
d=$T/rerun
mkdir -p "$d"
for i in 0 2; do SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=3 bash "$array" shard "$cfg" "$d" 3 >/dev/null 2>&1; done
SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_TASK_COUNT=1 SLURM_ARRAY_TASK_MIN=1 bash "$array" shard "$cfg" "$d" 3 \
    >/dev/null 2>&1
bash "$array" merge "$cfg" "$d" 3 >/dev/null 2>&1
cmp -s "$d/smoke.csv" "$T/one/smoke.csv" && ok "one task rerun alone with N given: merged byte-identical" ||
    bad "one task rerun alone with N given" "$(ls "$d")"

# A shard missing: merge refuses (exit 2), and writes no CSV.
d=$T/missing
mkdir -p "$d"
SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=2 bash "$array" shard "$cfg" "$d" >/dev/null 2>&1
bash "$array" merge "$cfg" "$d" 2 >/dev/null 2>"$T/missing.err"
rc=$?
if [ $rc = 2 ] && [ ! -e "$d/smoke.csv" ]; then ok "merge with a shard missing: exit 2, no file"
else bad "merge with a shard missing" "exit $rc: $(head -c 200 "$T/missing.err")"; fi
# Outside an array task, shard refuses to guess.
SLURM_ARRAY_TASK_ID= bash "$array" shard "$cfg" "$T/none" >/dev/null 2>"$T/none.err"
rc=$?
[ $rc != 0 ] && grep -q SLURM_ARRAY_TASK_ID "$T/none.err" && ok "shard outside an array task is refused" ||
    bad "shard outside an array task" "exit $rc: $(head -c 200 "$T/none.err")"

# submit: a stand-in sbatch records what it is asked and answers job ids as sbatch --parsable.
mkdir -p "$T/bin"
cat >"$T/bin/sbatch" <<'EOS'
#!/usr/bin/env bash
n=$(($(wc -l <"$SBATCH_LOG" 2>/dev/null || echo 0) + 1))
echo "$*" >>"$SBATCH_LOG"
echo "$((1000 + n))"
EOS
chmod +x "$T/bin/sbatch"
if PATH=$T/bin:$PATH SBATCH_LOG=$T/sbatch.log bash "$array" submit "$cfg" "$T/sub" 4 >"$T/sub.out" 2>&1 &&
   grep -q -- "--array=0-3 .*slurm-array.sh shard $cfg $T/sub 4\$" "$T/sbatch.log" &&
   grep -q -- "--dependency=afterok:1001 .*slurm-array.sh merge $cfg $T/sub 4\$" "$T/sbatch.log"; then
    ok "submit queues a 4-task array and a merge after it"
else
    bad "submit" "$(cat "$T/sub.out" "$T/sbatch.log" 2>/dev/null | head -c 400)"
fi
printf '[output]\nname = bad\n[problem p]\nsteps = 0\nalpha = 1\nbudget = 1\n' >"$T/bad.ini"
: >"$T/sbatch2.log"
PATH=$T/bin:$PATH SBATCH_LOG=$T/sbatch2.log bash "$array" submit "$T/bad.ini" "$T/sub2" 4 >/dev/null 2>&1
rc=$?
[ $rc = 2 ] && [ ! -s "$T/sbatch2.log" ] && ok "submit of a bad config: exit 2, nothing queued" ||
    bad "submit of a bad config" "exit $rc, queued: $(cat "$T/sbatch2.log")"

# The MPI script, through mpirun (2 ranks, bound to cores).
if [ -x "$MPI" ] && command -v mpirun >/dev/null; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" # OpenMPI's own, see test_mpi.sh
    if NP=2 MEMBPTT_MPI=$MPI MPIRUN_ARGS="--allow-run-as-root --oversubscribe -x ASAN_OPTIONS" \
        timeout 300 bash "$SRC/scripts/mpi-sweep.sh" "$cfg" "$T/mpi" --quiet >"$T/mpi.out" 2>&1 &&
        cmp -s "$T/mpi/smoke.csv" "$T/one/smoke.csv"; then
        ok "mpi-sweep.sh with 2 ranks: byte-identical to one process"
    else
        bad "mpi-sweep.sh with 2 ranks" "$(head -c 400 "$T/mpi.out")"
    fi
else
    echo "skip - mpi-sweep.sh (membptt-mpi not built or no mpirun)"
fi
finish
