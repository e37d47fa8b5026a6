#!/usr/bin/env bash
# test_verify_cli.sh: end-to-end tests of `membptt verify`: a plan from solve --plan-out is
# valid (from a file and from standard input), corrupted copies and the crafted corpus give
# exit 4 naming the first bad op or exit 2 naming the file, endless or raw-byte input is
# refused at its first bad byte, and every message and report stays clean UTF-8. Prints one
# line per check, then "N passed, M failed".
# Usage: bash tests/test_verify_cli.sh build/cli/membptt
set -u

CORPUS=$(cd "$(dirname "$0")" && pwd)/corpus
. "$(dirname "$0")/cli_lib.sh"

# ---------------------------------------------------------------- verify: exit 0 and 4
run solve --solver msm --steps 30 --alpha 3 --budget 12 --plan-out "$W/plan.json"
expect "solve --plan-out: exit 0" 0 "forward_ops"
if [ -f "$W/plan.json" ] && grep -q '"format": "membptt-plan"' "$W/plan.json"; then
    ok "solve --plan-out writes a membptt-plan file"
else
    bad "solve --plan-out writes a membptt-plan file" "no plan at $W/plan.json"
fi
absent "no temporary file left after a plan is written" "$W/none"
run verify "$W/plan.json"
expect "verify a plan from solve --plan-out: exit 0, valid" 0 "~^valid +true$" "~^forward_ops +58$"
touch "$W/plan.json" # so that a missing plan fails the check below, not the redirection
run verify - <"$W/plan.json"
expect "verify - reads the plan from standard input" 0 "~^valid +true$"
run verify --format json "$W/plan.json"
jcheck "verify --format json: valid true, counts match the solver" '
assert d["valid"] is True and d["forward_ops"] == 58 and d["backward_ops"] == 30, d
assert d["peak_units"] <= d["budget_units"] == 12, d'

# Corrupted copies of $W/plan.json, made in one Python run: $W/CASE.json is the plan and
# $W/CASE.want the strings the verify message must contain, one a line. The op indices are
# computed from the plan, so they follow the solver's choices.
CASES4=(dropped_backward swapped_backwards swapped_first restore_freed budget_below_peak
    forward_ops_mismatch peak_mismatch missing_last_backward)
CASES2=(wrong_format wrong_version missing_ops unknown_op step_out_of_range)
if ! msg=$(python3 - "$W" "${CASES4[@]}" "${CASES2[@]}" 2>&1 <<'EOF'
import copy, json, sys
w, cases = sys.argv[1], sys.argv[2:]
orig = json.load(open(w + "/plan.json"))
for case in cases:
    d = copy.deepcopy(orig)
    ops = d["ops"]
    out = []
    def name(i):
        return "op %d (%s %d)" % (i, ops[i][0], ops[i][1])
    if case == "dropped_backward":
        i = next(i for i, o in enumerate(ops) if o[0] == "backward")
        del ops[i]
        j = next(j for j in range(i, len(ops)) if ops[j][0] == "backward")
        out = [name(j), "out of order", "g = %d" % (ops[j][1] + 1)]
    elif case == "swapped_backwards":
        i = next(i for i in range(len(ops) - 1) if ops[i][0] == ops[i + 1][0] == "backward")
        ops[i], ops[i + 1] = ops[i + 1], ops[i]
        out = [name(i), "out of order"]
    elif case == "swapped_first":
        ops[0], ops[1] = ops[1], ops[0]
        out = [name(0), "core holds h_0"]
    elif case == "restore_freed":
        i = next(i for i, o in enumerate(ops) if o[0] == "free" and o[1] > 0)
        ops.insert(i + 1, ["restore", ops[i][1]])
        out = [name(i + 1), "no checkpoint of step %d" % ops[i][1]]
    elif case == "budget_below_peak":
        d["budget"] = d["peak"] - 1
        size, stored = d["hidden_units"], {0: d["hidden_units"]}
        for i, (op, k) in enumerate(ops):
            if op in ("store_hidden", "store_internal"):
                stored[k] = d["hidden_units"] if op == "store_hidden" else d["internal_units"]
                size += stored[k]
                if size > d["budget"]:
                    break
            elif op == "free":
                size -= stored.pop(k)
        out = [name(i), "over the budget of %d" % d["budget"]]
    elif case == "forward_ops_mismatch":
        d["forward_ops"] += 1
        out = ["declares %d forward ops" % d["forward_ops"], "counts %d" % (d["forward_ops"] - 1)]
    elif case == "peak_mismatch":
        d["peak"] += 1
        out = ["declares a peak of %d" % d["peak"], "reaches %d" % (d["peak"] - 1)]
    elif case == "missing_last_backward":
        i = max(i for i, o in enumerate(ops) if o[0] == "backward")
        del ops[i]
        out = ["g = 1", "missing"]
    elif case == "wrong_format":
        d["format"] = "other-plan"
        out = ["format", "'other-plan'", "membptt-plan"]
    elif case == "wrong_version":
        d["version"] = 3
        out = ["version 3", "1 and 2"]
    elif case == "missing_ops":
        del d["ops"]
        out = ['"ops"']
    elif case == "unknown_op":
        ops[3] = ["jump", 2]
        out = ["op 3", "'jump'", "forward", "store_hidden", "store_internal", "restore",
               "backward", "free"]
    elif case == "step_out_of_range":
        ops[0] = ["forward", -1]
        out = ["op 0", "-1", "out of range"]
    json.dump(d, open("%s/%s.json" % (w, case), "w"))
    open("%s/%s.want" % (w, case), "w").write("\n".join(out) + "\n")
EOF
); then
    bad "build the corrupted plans" "$(echo "$msg" | tail -n 1)"
fi

# verify_case CASE STATUS [WORD...]: verify the corrupted plan CASE, expect STATUS and the
# words the case's .want file lists (plus WORD...).
verify_case() {
    local c=$1 status=$2 want=()
    shift 2
    [ -f "$W/$c.want" ] && mapfile -t want <"$W/$c.want"
    if [ ${#want[@]} -eq 0 ]; then
        bad "verify $c" "could not build the corrupted plan"
        return
    fi
    run verify "$W/$c.json"
    expect "verify $c: exit $status, message names ${want[0]}" "$status" "$@" "${want[@]}"
}

for c in "${CASES4[@]}"; do
    verify_case "$c" 4 "invalid plan"
done
run verify --format json "$W/restore_freed.json"
jcheck "verify --format json of an invalid plan: valid false, first_violation names the op" '
assert d["valid"] is False, d
assert d["first_violation"].startswith("op "), d["first_violation"]'

# ---------------------------------------------------------------- verify: exit 2
for c in "${CASES2[@]}"; do
    verify_case "$c" 2
done
head -c 200 "$W/plan.json" >"$W/truncated.json"
run verify "$W/truncated.json"
expect "verify malformed (truncated) JSON: exit 2, JSON error with a byte offset" 2 "JSON" "byte"
printf '{"format": "membptt-plan", "version": 1,}' >"$W/comma.json"
run verify "$W/comma.json"
expect "verify JSON with a trailing comma: exit 2" 2 "JSON"
: >"$W/empty.json"
run verify "$W/empty.json"
expect "verify an empty file: exit 2" 2 "JSON"
run verify "$W/does-not-exist.json"
expect "verify a nonexistent file: exit 2, names it" 2 "$W/does-not-exist.json"
run verify
expect "verify without a file: exit 2" 2 "one plan file"
run verify "$W/plan.json" "$W/plan.json"
expect "verify with two files: exit 2" 2 "one plan file"
run verify --bogus "$W/plan.json"
expect "verify unknown option: exit 2" 2 "'--bogus'"

# clean FILE: FILE holds only printable ASCII, tab, line feed and valid UTF-8 (messages and
# reports never echo raw control bytes or broken UTF-8).
clean() { python3 -c 'import sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
assert all(c in "\t\n" or ord(c) >= 32 and ord(c) != 127 for c in t), repr(t)' "$1" 2>/dev/null; }

# ---------------------------------------------------------------- plan files: the corpus
# tests/corpus/S-NAME.json must give exit S from verify; S-NAME.want lists strings the message
# (stderr, or stdout when S is 0) must contain. The same files seed the mutation test.
n_corpus=0
for f in "$CORPUS"/*.json; do
    base=${f##*/}
    status=${base%%-*}
    want=()
    [ -f "${f%.json}.want" ] && mapfile -t want <"${f%.json}.want"
    run verify "$f"
    expect "corpus ${base%.json}: exit $status" "$status" "${want[@]}" || continue
    if ! clean "$W/err" || ! clean "$W/out"; then
        bad "corpus ${base%.json}: messages are clean UTF-8" "$(snippet "$W/err")"
        continue
    fi
    run verify --format json "$f"
    if [ "$status" = 2 ] && [ -s "$W/out" ]; then
        bad "corpus ${base%.json}: --format json prints nothing on a parse error" "$(snippet "$W/out")"
    elif [ "$status" != 2 ] && ! python3 -c 'import json, sys
json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))' "$W/out" 2>/dev/null; then
        bad "corpus ${base%.json}: --format json is valid UTF-8 JSON" "$(snippet "$W/out")"
    fi
    n_corpus=$((n_corpus + 1))
done
if [ "$n_corpus" -ge 50 ]; then
    ok "corpus: $n_corpus crafted plan files give their exit status and clean messages"
else
    bad "corpus: every crafted plan file passes" "$n_corpus passed"
fi

# ---------------------------------------------------------------- bounded input
# Endless input is refused at its first bad byte ("byte 0"), not read to its end; the
# timeout only keeps a regression from hanging the suite.
"$BIN" verify /dev/zero >"$W/out" 2>"$W/err"
rc=$?
expect "verify /dev/zero: exit 2 at byte 0" 2 "/dev/zero" "byte 0" "\\x00"
timeout 60 bash -c 'yes | "$1" verify -' _ "$BIN" >"$W/out" 2>"$W/err"
rc=$?
expect "yes | verify -: exit 2 at byte 0" 2 "standard input" "byte 0" "near 'y\x0Ay"
timeout 60 bash -c '{ printf "{\"x\": \""; yes; } | "$1" verify -' _ "$BIN" >"$W/out" 2>"$W/err"
rc=$?
expect "an endless string: exit 2 at its first line feed" 2 "~byte [78]:" "y\\x0Ay"
"$BIN" sweep /dev/zero --out "$W/zero" >"$W/out" 2>"$W/err"
rc=$?
expect "sweep /dev/zero (a config read whole): exit 2, a bounded read" 2 "/dev/zero" "limit"
run verify "$W"
expect "verify a directory: exit 2, is a directory" 2 "$W" "is a directory"
run verify - <"$W"
expect "verify - with a directory on stdin: exit 2" 2 "is a directory"
printf '\xff\x01' >"$W/raw.json"
run verify --format json "$W/raw.json"
expect "verify raw bytes: exit 2, the bytes escaped" 2 '\xFF'
if clean "$W/err"; then ok "raw bytes never reach the message"; else
    bad "raw bytes never reach the message" "$(snippet "$W/err")"; fi
run verify --format json "$W/$(printf 'bad\xffname').json"
if [ "$rc" = 2 ] && clean "$W/err"; then ok "a path with an invalid byte is escaped in the message"
else bad "a path with an invalid byte is escaped in the message" "exit $rc; $(snippet "$W/err")"; fi
cp "$CORPUS/0-minimal.json" "$W/$(printf 'ok\xffname').json"
run verify --format json "$W/$(printf 'ok\xffname').json"
expect "verify --format json of a path with an invalid byte: exit 0" 0 '"valid": true'
if clean "$W/out"; then ok "--format json stays valid UTF-8 with an invalid byte in the path"
else bad "--format json stays valid UTF-8 with an invalid byte in the path" "$(snippet "$W/out")"; fi

finish
