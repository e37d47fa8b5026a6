#!/usr/bin/env bash
# test_plots.sh MEMBPTT SOURCE_DIR: the figures of the smoke config come out of gnuplot as
# non-empty PDF and PNG files with their .gp beside them, and a .gp redraws its figure from
# the CSV alone. Skipped (exit 77) when gnuplot with the cairo terminals is not installed.
set -u
M=$1
SRC=$2
if ! command -v gnuplot > /dev/null || ! gnuplot -e 'set terminal' 2>&1 | grep -q pngcairo; then
    echo "SKIP: gnuplot with the pdfcairo/pngcairo terminals is not installed (Debian: gnuplot-nox)"
    exit 77
fi
T=$(mktemp -d /tmp/mb_plots.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$M" reproduce --out "$T" --analytic "$SRC/configs/smoke.ini" --no-measure --quiet \
    --bench "$SRC/results/bench_solvers.csv" > "$T/out.txt" 2>&1 || { cat "$T/out.txt"; fail "reproduce failed"; }
for f in fig1_budget fig2_hsm fig3_mixed fig4_chen fig6_plan fig7_solvers fig8_free; do
    [ -s "$T/plots/$f.gp" ] || fail "$f.gp missing"
    [ "$(head -c 4 "$T/plots/$f.pdf" 2> /dev/null)" = "%PDF" ] || fail "$f.pdf is not a PDF"
    [ "$(head -c 4 "$T/plots/$f.png" 2> /dev/null | tail -c 3)" = "PNG" ] || fail "$f.png is not a PNG"
    [ "$(stat -c %s "$T/plots/$f.png" 2> /dev/null || echo 0)" -gt 10000 ] || fail "$f.png is nearly empty"
done
grep -q "fig5_lstm     skipped: no data" "$T/out.txt" || fail "fig5 without LSTM data should be skipped with a message"
# a kept .gp redraws its figure from the CSV alone
rm -f "$T/plots/fig2_hsm.png" "$T/plots/fig2_hsm.pdf"
(cd "$T/plots" && gnuplot fig2_hsm.gp) || fail "gnuplot fig2_hsm.gp failed"
[ -s "$T/plots/fig2_hsm.png" ] && [ -s "$T/plots/fig2_hsm.pdf" ] || fail "fig2_hsm.gp did not redraw"
# an unknown figure is a usage error
"$M" plot --out "$T" fig9 > /dev/null 2>&1
[ $? -eq 2 ] || fail "plot fig9 should exit 2"
[ $fails -eq 0 ] && echo "plots: all checks passed"
exit $((fails > 0))
