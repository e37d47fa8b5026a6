#!/usr/bin/env bash
# test_sweep_disk.sh MEMBPTT SOURCE_DIR: a sweep on a full file system (a small tmpfs): the
# sidecar, the timing file or the CSV cannot be written; the sweep exits 1 naming the file and
# the reason, leaves every file whole (no torn row, no temporary file) and the results already
# in the folder intact; with room again the same command resumes to the bytes of an
# uninterrupted run. Needs root (mount); skipped (77) otherwise, saying why.
set -u
M=$1
SRC=$2
T=$(mktemp -d /tmp/mb_sweep_disk.XXXXXX)
D=$T/small
mkdir -p "$D"
cleanup() {
    mountpoint -q "$D" && umount "$D"
    rm -rf "$T"
}
trap cleanup EXIT
if [ "$(id -u)" != 0 ] || ! mount -t tmpfs -o size=4k tmpfs "$D" 2> "$T/mount.err"; then
    echo "SKIP: cannot mount a small tmpfs (needs root and mount rights): $(cat "$T/mount.err" 2> /dev/null)"
    exit 77
fi
umount "$D"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cfg=$SRC/configs/smoke.ini
"$M" sweep "$cfg" --out "$T/ref" --quiet > /dev/null || fail "the reference sweep failed"
kib() { echo $(( ($(stat -c %s "$1") + 4095) / 4096 * 4 )); }
side=$(kib "$T/ref/smoke.json")
csv=$(kib "$T/ref/smoke.csv")
tim=$(kib "$T/ref/smoke.timing.csv")

# Checks the folder after a refused sweep: exit 1, a message naming the file and the reason,
# every CSV ending with a complete row, no temporary file, the earlier result untouched.
check_full() {
    local what=$1 rc=$2
    [ "$rc" = 1 ] || fail "$what: exit $rc, expected 1"
    grep -q "No space left on device" "$T/err" || fail "$what: the message does not say the disk is full: $(cat "$T/err")"
    grep -q "cannot write $D/smoke" "$T/err" || fail "$what: the message does not name the file: $(cat "$T/err")"
    for f in "$D"/*.csv; do
        [ -f "$f" ] || continue
        [ -s "$f" ] && [ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" != '\n' ] && fail "$what: $f ends with a torn row"
    done
    if [ -f "$D/smoke.csv" ]; then
        n=$(head -1 "$D/smoke.csv" | tr -cd , | wc -c)
        awk -F, -v n="$n" 'NF - 1 != n { exit 1 }' "$D/smoke.csv" || fail "$what: a row of smoke.csv has another field count than its header"
        cmp -s <(head -c "$(stat -c %s "$D/smoke.csv")" "$T/ref/smoke.csv") "$D/smoke.csv" || fail "$what: the kept rows differ from the reference"
    fi
    ls "$D" | grep -q '\.tmp\.' && fail "$what: a temporary file was left: $(ls "$D")"
    cmp -s "$D/earlier.csv" "$T/earlier.csv" || fail "$what: the earlier result in the folder changed"
}

# 1. No room for the sidecar: nothing of the sweep is written.
mount -t tmpfs -o size=$((side - 4))k tmpfs "$D" || exit 1
printf "x,y\n1,2\n3,4\n" > "$T/earlier.csv"
cp "$T/earlier.csv" "$D/earlier.csv"
"$M" sweep "$cfg" --out "$D" --quiet > /dev/null 2> "$T/err"
check_full "no room for the sidecar" $?
[ -e "$D/smoke.csv" ] && fail "no room for the sidecar: a CSV was created"
umount "$D"

# 2. Room for the sidecar and part of the rows: the CSV or its timing file fills the disk.
mount -t tmpfs -o size=$((side + 8 + csv / 2 + tim / 2))k tmpfs "$D" || exit 1
cp "$T/earlier.csv" "$D/earlier.csv"
"$M" sweep "$cfg" --out "$D" --quiet > /dev/null 2> "$T/err"
check_full "the disk fills during the rows" $?
rows=$(($(wc -l < "$D/smoke.csv") - 1))
[ "$rows" -gt 0 ] || fail "the disk fills during the rows: no row was kept ($rows)"
grep -q "rerun the same command to resume" "$T/err" || fail "the message does not say how to go on: $(cat "$T/err")"
# 3. With room again the same command resumes and ends byte-identical.
mount -o remount,size=4m "$D"
"$M" sweep "$cfg" --out "$D" --quiet > "$T/out" 2> "$T/err" || fail "the resume failed: $(cat "$T/err")"
grep -q "kept from an earlier run" "$T/out" || fail "the resume did not keep the rows: $(cat "$T/out")"
cmp -s "$D/smoke.csv" "$T/ref/smoke.csv" || fail "the resumed CSV differs from an uninterrupted run's"
cmp -s "$D/earlier.csv" "$T/earlier.csv" || fail "the earlier result changed"

[ $fails -eq 0 ] && echo "sweep on a full file system: refused whole, resumed to the same bytes"
exit $((fails > 0))
