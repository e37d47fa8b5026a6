#!/usr/bin/env bash
# test_man.sh: the generated membptt(1) renders without a warning (groff -ww) and through
# man -l, and has a section for every command that `membptt --help` lists, holding that
# command's own --help text. Usage: test_man.sh PATH/TO/membptt.1 PATH/TO/membptt
set -u
page=${1:?usage: test_man.sh MANPAGE BINARY}
bin=${2:?usage: test_man.sh MANPAGE BINARY}
W=$(mktemp -d "${TMPDIR:-/tmp}/membptt-man.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT
. "$(dirname "$0")/test_lib.sh"

if [ ! -s "$page" ]; then
    echo "FAIL - $page is missing or empty"
    echo "0 passed, 1 failed"
    exit 1
fi
if groff -man -Tutf8 -ww -z "$page" 2>"$W/groff.err" && [ ! -s "$W/groff.err" ]; then
    ok "groff renders it without a warning"
else
    bad "groff renders it without a warning" "$(head -c 300 "$W/groff.err")"
fi
if MANWIDTH=100 man -P cat -l "$page" 2>"$W/man.err" | col -b >"$W/page.txt" && [ -s "$W/page.txt" ]; then
    ok "man -l renders it"
else
    bad "man -l renders it" "$(head -c 300 "$W/man.err")"
fi
for s in NAME SYNOPSIS DESCRIPTION COMMANDS "SEE ALSO"; do
    if grep -q "^$s" "$W/page.txt"; then ok "section $s"; else bad "section $s" "not in the page"; fi
done
grep -q "membptt $("$bin" --version | sed 's/^membptt //')" "$W/page.txt" &&
    ok "the page names the version" || bad "the page names the version" "$("$bin" --version)"

commands=$("$bin" --help | sed -n '/^[Cc]ommands:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
n=$(wc -w <<<"$commands")
if [ "$n" -ge 9 ]; then ok "membptt --help lists $n commands"; else bad "commands listed" "$commands"; fi
for c in $commands; do
    # The section's heading, then the first line of the command's --help, verbatim.
    first=$("$bin" "$c" --help | head -1 | sed 's/^ *//')
    if grep -q "^   membptt $c\$" "$W/page.txt" && grep -qF -- "$first" "$W/page.txt"; then
        ok "a section for $c with its --help"
    else
        bad "a section for $c with its --help" "heading or '$first' missing"
    fi
done
finish
