#!/usr/bin/env bash
# mpi-sweep.sh: a membptt sweep across MPI ranks (membptt-mpi), one rank per core, pinned;
# rank 0 writes the file one process would write (docs/cluster.md).
#
#   sbatch --ntasks=N scripts/mpi-sweep.sh CONFIG OUT_DIR [OPTIONS]   under Slurm: srun
#   NP=N scripts/mpi-sweep.sh CONFIG OUT_DIR [OPTIONS]                elsewhere: mpirun
#
# OPTIONS are those of `membptt sweep` (--quiet, --sync WHEN, ...). MEMBPTT_MPI names the
# program (default: membptt-mpi on PATH); MPIRUN_ARGS adds mpirun arguments
# (--allow-run-as-root, --oversubscribe, --hostfile FILE).
#SBATCH --job-name=membptt-mpi
#SBATCH --ntasks=16
#SBATCH --cpus-per-task=1
#SBATCH --hint=nomultithread
#SBATCH --mem-per-cpu=2G
#SBATCH --time=02:00:00
#SBATCH --output=membptt-mpi-%j.log
set -euo pipefail
prog=${MEMBPTT_MPI:-membptt-mpi}
if [ $# -lt 2 ]; then
    sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
config=$1 out=$2
shift 2
export OPENBLAS_NUM_THREADS=1 # one BLAS thread per rank: the rank's core is its only core
if [ -n "${SLURM_JOB_ID:-}" ]; then
    # srun starts the ranks through PMIx (OpenMPI's Debian build supports it).
    exec srun --mpi=pmix --cpu-bind=cores "$prog" sweep "$config" --out "$out" "$@"
fi
# shellcheck disable=SC2086
exec mpirun -n "${NP:-$(nproc)}" --bind-to core --map-by core ${MPIRUN_ARGS:-} \
    -x OPENBLAS_NUM_THREADS "$prog" sweep "$config" --out "$out" "$@"
