#!/usr/bin/env bash
# slurm-array.sh: a membptt sweep as a Slurm job array, one shard per array task, and the merge
# that joins the shards into the file one process would write (docs/cluster.md).
#
#   scripts/slurm-array.sh submit CONFIG OUT_DIR N   sbatch an N-task array and a merge job that
#                                                   runs after all of them succeed
#   sbatch --array=0-(N-1) scripts/slurm-array.sh shard CONFIG OUT_DIR [N]
#                                                   one array task: shard SLURM_ARRAY_TASK_ID of
#                                                   N (what submit queues; --array=I reruns one),
#                                                   or without N, ID - MIN of the array's COUNT
#   scripts/slurm-array.sh merge CONFIG OUT_DIR N    join OUT_DIR/NAME.shard-*-of-N.csv into
#                                                   OUT_DIR/NAME.csv (+ its sidecar), check it
#
# MEMBPTT names the command (default: membptt on PATH). A shard that is cut short (time limit,
# preemption) resumes where it stopped when its task is run again (sbatch --array=I ...).
#SBATCH --job-name=membptt-sweep
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --hint=nomultithread
#SBATCH --mem-per-cpu=2G
#SBATCH --time=02:00:00
#SBATCH --output=membptt-sweep-%A_%a.log
set -euo pipefail
membptt=${MEMBPTT:-membptt}
usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ $# -ge 3 ] || usage
mode=$1 config=$2 out=$3

case $mode in
shard)
    id=${SLURM_ARRAY_TASK_ID:?shard: not in a Slurm array task (SLURM_ARRAY_TASK_ID unset)}
    if [ $# -ge 4 ]; then
        index=$id count=$4
    else
        count=${SLURM_ARRAY_TASK_COUNT:?shard: SLURM_ARRAY_TASK_COUNT unset}
        index=$((id - ${SLURM_ARRAY_TASK_MIN:-0}))
    fi
    # One BLAS thread per task; Slurm binds the task to its core (--cpu-bind=cores is the
    # default with task/affinity), and the sidecar records the binding each shard ran with.
    export OPENBLAS_NUM_THREADS=1
    exec "$membptt" sweep "$config" --shard "$index/$count" --out "$out" --quiet
    ;;
submit)
    [ $# -eq 4 ] || usage
    n=$4
    "$membptt" sweep "$config" --dry-run # refuse a bad config before anything is queued
    jid=$(sbatch --parsable --array="0-$((n - 1))" "${BASH_SOURCE[0]}" shard "$config" "$out" "$n")
    sbatch --parsable --dependency="afterok:${jid%%;*}" --job-name=membptt-merge \
        --output="membptt-merge-%j.log" "${BASH_SOURCE[0]}" merge "$config" "$out" "$n"
    ;;
merge)
    [ $# -eq 4 ] || usage
    n=$4
    shopt -s nullglob
    shards=("$out"/*.shard-*-of-"$n".csv)
    if [ ${#shards[@]} -ne "$n" ]; then
        echo "slurm-array.sh merge: $out holds ${#shards[@]} shard files of $n (*.shard-*-of-$n.csv)" >&2
        exit 2
    fi
    name=${shards[0]##*/}
    name=${name%.shard-*}
    "$membptt" merge --out "$out/$name.csv" "${shards[@]}"
    ;;
*) usage ;;
esac
