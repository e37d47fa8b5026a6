#!/usr/bin/env bash
# test_mpi.sh MEMBPTT MEMBPTT_MPI SOURCE_DIR: the sweep shared across 2 MPI ranks writes the
# same CSV as one process, and resumes a cut file to the same bytes; membptt-mpi's help,
# version, refusals and exit statuses are membptt sweep's, without MPI_Abort. Skipped (exit 77) when
# membptt-mpi was not built (no MPI at configure time) or mpirun is missing.
set -u
M=$1
MPI=$2
SRC=$3
if [ ! -x "$MPI" ] || ! command -v mpirun > /dev/null; then
    echo "SKIP: MPI not available (membptt-mpi not built or no mpirun); install libopenmpi-dev and openmpi-bin"
    exit 77
fi
T=$(mktemp -d /tmp/mb_mpi.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# Under AddressSanitizer, LeakSanitizer reports OpenMPI's own allocations (in MCA components
# it has unloaded, so no suppression can name them): leak checking is off for the MPI runs
# only. The same sweep code runs leak-checked in the single-process tests (sweep, sweep_cli).
run_mpi() {
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        timeout 300 mpirun --allow-run-as-root -n 2 --oversubscribe -x ASAN_OPTIONS "$MPI" sweep "$@"
}

"$M" sweep "$SRC/configs/smoke.ini" --out "$T/one" --quiet > /dev/null || fail "single-process sweep failed"
run_mpi "$SRC/configs/smoke.ini" --out "$T/mpi" --quiet > "$T/mpi.out" 2>&1 || { cat "$T/mpi.out"; fail "mpirun sweep failed"; }
grep -q "over 2 ranks" "$T/mpi.out" || fail "the MPI run did not use 2 ranks: $(cat "$T/mpi.out")"
cmp "$T/one/smoke.csv" "$T/mpi/smoke.csv" || fail "the 2-rank CSV differs from the single-process CSV"
# resume under MPI: cut the file mid-row, rerun, same bytes
head -c 9000 "$T/one/smoke.csv" > "$T/mpi/smoke.csv"
run_mpi "$SRC/configs/smoke.ini" --out "$T/mpi" --quiet > "$T/mpi2.out" 2>&1 || { cat "$T/mpi2.out"; fail "mpirun resume failed"; }
grep -q "kept from an earlier run" "$T/mpi2.out" && ! grep -q " 0 kept" "$T/mpi2.out" || fail "MPI resume kept no rows: $(cat "$T/mpi2.out")"
cmp "$T/one/smoke.csv" "$T/mpi/smoke.csv" || fail "the resumed 2-rank CSV differs"
# The same options, help, version and exit statuses as membptt sweep; --shard and --dry-run end
# every rank cleanly (exit status, no MPI_Abort).
mpi_case() { # NAME STATUS STDOUT-PATTERN ARGS... (the pattern "" means stdout must be empty)
    local name=$1 want=$2 pat=$3 rc
    shift 3
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" timeout 120 \
        mpirun --allow-run-as-root -n 2 --oversubscribe -x ASAN_OPTIONS "$MPI" "$@" \
        >"$T/case.out" 2>"$T/case.err"
    rc=$?
    [ "$rc" = "$want" ] || fail "$name: exit $rc, expected $want: $(head -c 300 "$T/case.err")"
    grep -q "MPI_ABORT" "$T/case.err" && fail "$name: ended with MPI_Abort"
    if [ -z "$pat" ]; then
        [ -s "$T/case.out" ] && fail "$name: printed on stdout: $(head -c 200 "$T/case.out")"
    else
        grep -q -- "$pat" "$T/case.out" || fail "$name: stdout lacks '$pat': $(head -c 200 "$T/case.out")"
    fi
    [ "$(grep -c -- "$pat" "$T/case.out")" -le 1 ] || fail "$name: printed by more than one rank"
}
mpi_case "--help" 0 "membptt-mpi sweep CONFIG" --help
mpi_case "--version" 0 "membptt-mpi [0-9]" --version
mpi_case "sweep --help" 0 "^usage: mpirun -n N membptt-mpi sweep" sweep --help
mpi_case "sweep --dry-run" 0 "points in" sweep "$SRC/configs/smoke.ini" --dry-run
mpi_case "sweep --shard: refused" 2 "" sweep "$SRC/configs/smoke.ini" --shard 0/2
grep -q -- "--shard" "$T/case.err" || fail "--shard refusal does not name --shard"
mpi_case "unknown option" 2 "" sweep "$SRC/configs/smoke.ini" --bogus
mpi_case "missing config" 2 "" sweep "$T/none.ini"
mpi_case "empty --out" 2 "" sweep "$SRC/configs/smoke.ini" --out ''
mpi_case "no command" 2 ""
# `membptt sweep` gives the same statuses for the same mistakes.
for a in "--bogus" "--out ''"; do
    eval "\"$M\" sweep \"$SRC/configs/smoke.ini\" $a" >/dev/null 2>&1
    [ $? = 2 ] || fail "membptt sweep $a: not exit 2"
done

[ $fails -eq 0 ] && echo "mpi: all checks passed"
exit $((fails > 0))
