#!/usr/bin/env bash
# gen-manpage.sh BIN OUT: writes the membptt(1) man page from the command's own --help texts,
# at build time (cli/CMakeLists.txt): help2man turns the top-level --help and --version into
# NAME, SYNOPSIS and DESCRIPTION, and a COMMANDS section holds every subcommand's --help as
# it prints it (the subcommands are those the top-level --help lists).
set -euo pipefail
bin=${1:?usage: gen-manpage.sh PATH/TO/membptt OUT}
out=${2:?usage: gen-manpage.sh PATH/TO/membptt OUT}
inc=$(mktemp "${TMPDIR:-/tmp}/membptt-man.XXXXXX")
trap 'rm -f "$inc" "$out.tmp"' EXIT

# Text as roff no-fill lines: backslashes escaped, a leading . or ' made literal.
roff() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }

commands=$("$bin" --help | sed -n '/^[Cc]ommands:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
if [ -z "$commands" ]; then
    echo "gen-manpage.sh: '$bin --help' lists no commands" >&2
    exit 1
fi
{
    echo "[COMMANDS]"
    echo "Each command's options, as \\fBmembptt \\fIcommand\\fB \\-\\-help\\fR prints them."
    for c in $commands; do
        echo ".SS \"membptt $c\""
        echo ".nf"
        "$bin" "$c" --help | roff
        echo ".fi"
    done
    echo "[FILES]"
    echo ".TP"
    echo ".I configs/*.ini"
    echo "the sweep configurations built into the command (\\fBmembptt sweep\\fR and \\fBreproduce\\fR)"
    echo "[SEE ALSO]"
    echo "The README and docs/design.md of the source distribution (installed under"
    echo "\\%share/doc/membptt), and Gruslys et al., \\fIMemory-Efficient Backpropagation Through"
    echo "Time\\fR, NeurIPS 2016 (arXiv 1606.03401)."
} >"$inc"
help2man --no-info --section=1 \
    --name="memory-budgeted backpropagation through time" \
    --include="$inc" --output="$out.tmp" "$bin"
mv "$out.tmp" "$out"
