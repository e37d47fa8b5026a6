# cli_lib.sh: the harness the end-to-end tests of the membptt command share; sourced by
# test_cli.sh, test_verify_cli.sh and test_run_cli.sh with the binary as $1. It sets BIN (an
# absolute path) and W (a scratch folder, the working directory, removed at exit), and defines:
#   run ARGS...           runs membptt; stdout in $W/out, stderr in $W/err, status in $rc
#   expect NAME STATUS [PATTERN...]
#                         checks the status and that each pattern occurs in stderr (stdout when
#                         STATUS is 0); patterns are fixed strings, or extended regular
#                         expressions after a ~. With EXPECT_QUIET_FAILURE=1 a failed run must
#                         also leave stdout empty.
#   jcheck NAME CODE      Python asserts on d, the JSON object the last run printed
#   pycheck NAME ARGS...  a Python script of asserts on standard input
#   absent NAME PATH      PATH must not exist, and no temporary file *.tmp.* beside it
#   snippet FILE; and ok, bad and finish from test_lib.sh

. "$(dirname "${BASH_SOURCE[0]}")/test_lib.sh"
BIN=${1:?usage: $0 PATH/TO/membptt}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
if [ ! -x "$BIN" ]; then
    echo "FAIL - $BIN is not an executable"
    echo "0 passed, 1 failed"
    exit 1
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/membptt-cli.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
cd "$W" || exit 1

rc=0
EXPECT_QUIET_FAILURE=${EXPECT_QUIET_FAILURE:-0}
run() { "$BIN" "$@" >"$W/out" 2>"$W/err"; rc=$?; }

# The first 300 characters of a file on one line, for failure reports.
snippet() { head -c 300 "$1" | tr '\n' ' '; }

expect() {
    local name=$1 want=$2 p where=$W/err
    shift 2
    [ "$want" = 0 ] && where=$W/out
    if [ "$rc" != "$want" ]; then
        bad "$name" "exit $rc vs expected $want; stderr: $(snippet "$W/err")"
        return 1
    fi
    if [ "$EXPECT_QUIET_FAILURE" = 1 ] && [ "$want" != 0 ] && [ -s "$W/out" ]; then
        bad "$name" "a failed run printed a result: $(snippet "$W/out")"
        return 1
    fi
    for p in "$@"; do
        if [ "${p#\~}" != "$p" ]; then
            grep -qE -- "${p#\~}" "$where" && continue
        else
            grep -qF -- "$p" "$where" && continue
        fi
        bad "$name" "message lacks '$p'; observed: $(snippet "$where")"
        return 1
    done
    ok "$name"
}

jcheck() {
    local name=$1 code=$2 msg
    if msg=$(python3 -c "import json, sys
d = json.load(open(sys.argv[1]))
$code" "$W/out" 2>&1); then
        ok "$name"
    else
        bad "$name" "$(echo "$msg" | tail -n 1); stdout: $(snippet "$W/out")"
    fi
}

pycheck() {
    local name=$1 msg
    shift
    if msg=$(python3 - "$@" 2>&1); then
        ok "$name"
    else
        bad "$name" "$(echo "$msg" | tail -n 1)"
    fi
}

# absent NAME PATH: PATH must not exist, and no temporary file *.tmp.* may be left beside it.
absent() {
    local name=$1 path=$2 left
    left=$(find "$(dirname "$path")" -maxdepth 1 -name '*.tmp.*' 2>/dev/null | head -n 1)
    if [ -e "$path" ]; then
        bad "$name" "$path exists vs expected no file"
    elif [ -n "$left" ]; then
        bad "$name" "temporary file $left left behind"
    else
        ok "$name"
    fi
}
