# test_lib.sh: the pass/fail count every shell test shares (sourced; cli_lib.sh sources it
# too). It defines pass and fail (the counts) and:
#   ok NAME        counts a pass and prints "ok - NAME"
#   bad NAME WHY   counts a failure and prints "FAIL - NAME (WHY)"
#   finish         prints "N passed, M failed" and exits, with status 1 when any failed
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1 ($2)"; }
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit
}
