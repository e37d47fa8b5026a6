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

# series that lie on each other say so in the legend (hsm and revolve have the same costs)
grep -q "^array TITLES = \[.*'hsm (= revolve)'" "$T/plots/fig1_budget.gp" || fail "fig1: the legend does not say that hsm = revolve"

# plot reads the quick set's names: the smoke rows stand in for the paper's
cp "$T/results/smoke.csv" "$T/results/paper-quick.csv"

# --- every string that reaches a script is data, never code ---------------------------------
# Each hostile string would create a marker file in $T/m if gnuplot (or a shell) ran it: the
# command pwnd (on PATH) makes one, so file names need no slash.
mkdir -p "$T/m" "$T/bin"
printf '#!/bin/sh\ntouch "%s/m/$1"\n' "$T" > "$T/bin/pwnd"
chmod +x "$T/bin/pwnd"
export PATH="$T/bin:$PATH"
H1='x" ; system("pwnd dq") ; print "'
H2="y\` pwnd bq \` ' ; system('pwnd sq') ; \$(pwnd sh) @X"
# a plan whose title (in its sidecar) is hostile
H="$H1 $H2" python3 -c '
import json, os, sys
p = sys.argv[1]
d = json.load(open(p))
d["run"]["config"]["title"] = os.environ["H"]
json.dump(d, open(p, "w"))' "$T/results/plan-quick.json" || fail "cannot edit the plan sidecar"
grep -q 'pwnd sq' "$T/results/plan-quick.json" || fail "the hostile title is not in the plan sidecar"
"$M" plot --out "$T" fig6_plan > "$T/p6.txt" 2>&1 || { cat "$T/p6.txt"; fail "fig6 with a hostile title failed"; }
grep -q "pwnd sq" "$T/plots/fig6_plan.gp" || fail "fig6 does not show the plan's title from its sidecar"
# a bench file whose name holds quotes, backquotes and a command substitution
B="$T/it's \`pwnd name\` \$(pwnd name2) \"q\".csv"
cp "$SRC/results/bench_solvers.csv" "$B"
"$M" plot --out "$T" --bench "$B" fig7_solvers > "$T/p7.txt" 2>&1 || { cat "$T/p7.txt"; fail "fig7 from a hostile file name failed"; }
[ "$(head -c 3 "$T/plots/fig7_solvers.png" | tail -c 2)" = "PN" ] || fail "fig7 from a hostile file name not drawn"
# plot --csv: hostile file name, column names, series values and --where
C="$T/we'ird \`pwnd csvname\`.csv"
printf 'n,val,who%s\n' "'\`pwnd col\`" > "$C"
for i in 1 2 3; do
    printf '%d,%d,%s\n' $i $((i * i)) "a'; system('pwnd series')" >> "$C"
    printf '%d,%d,%s\n' $i $((i + 1)) "b\` pwnd series2 \`" >> "$C"
done
"$M" plot --csv "$C" --x n --y val --by "who'\`pwnd col\`" --where "n=1'\`pwnd w\`" \
    --out "$T/h'q\`pwnd out\`" > "$T/pc.txt" 2>&1
[ $? -eq 2 ] || fail "--where matching no row should exit 2"
"$M" plot --csv "$C" --x n --y val --by "who'\`pwnd col\`" \
    --title "$H1" --out "$T/h'q\`pwnd out\`" > "$T/pc.txt" 2>&1 || { cat "$T/pc.txt"; fail "plot --csv with hostile names failed"; }
[ -s "$T/h'q\`pwnd out\`.png" ] || fail "plot --csv with hostile names drew no PNG"
(cd / && gnuplot "$T/h'q\`pwnd out\`.gp" 2> /dev/null) || fail "the hostile --csv script does not rerun"
printf 'a\tb\n' > "$T/tab.txt"
"$M" plot --csv "$C" --x n --y val --title "$(cat "$T/tab.txt")" --out "$T/tab" > /dev/null 2>&1
[ $? -eq 2 ] || fail "a control character in a title should be refused (exit 2)"
[ -z "$(ls -A "$T/m")" ] || fail "a hostile string was executed: $(ls "$T/m")"

# --- empty or unusable output paths: exit 2 naming the option, nothing written -------------
for cmd in "reproduce --no-measure --out" "plot --out" "sweep $SRC/configs/smoke.ini --out" \
           "merge a.csv --out" "plot --csv $T/results/smoke.csv --x steps --y budget_units --out"; do
    # shellcheck disable=SC2086
    (cd "$T" && "$M" $cmd "" > "$T/e.txt" 2>&1)
    st=$?
    [ $st -eq 2 ] && grep -q -- "--out" "$T/e.txt" || fail "membptt $cmd '' should exit 2 naming --out (status $st: $(head -c 200 "$T/e.txt"))"
done
"$M" sweep "$SRC/configs/smoke.ini" --out "$T/results/smoke.csv" > "$T/e.txt" 2>&1
[ $? -eq 2 ] || fail "sweep --out naming a file should exit 2"

# --- a figure named but not drawn, and a torn CSV, are failures -----------------------------
"$M" plot --out "$T" fig5_lstm > "$T/e.txt" 2>&1
[ $? -ne 0 ] || fail "plot fig5_lstm without its data should fail"
cp "$T/results/paper-quick.csv" "$T/whole.csv"
head -c -3 "$T/whole.csv" > "$T/results/paper-quick.csv"
"$M" plot --out "$T" fig1_budget > "$T/e.txt" 2>&1
[ $? -ne 0 ] || fail "plot of a CSV with a torn last row should fail"
[ ! -e "$T/plots/fig1_budget.png" ] || fail "a torn CSV left a figure behind"
cp "$T/whole.csv" "$T/results/paper-quick.csv"

# --- scripts run from any folder, and an edited one is kept -----------------------------------
(cd / && gnuplot "$T/plots/fig1_budget.gp" 2> "$T/g.txt") || fail "gnuplot with the script's absolute path failed: $(cat "$T/g.txt")"
(cd "$T" && gnuplot plots/fig2_hsm.gp 2> "$T/g.txt") || fail "gnuplot plots/fig2_hsm.gp from the folder above failed"
! grep -q "No data" "$T/g.txt" || fail "gnuplot plots/fig2_hsm.gp from the folder above: No data"
echo "set title 'my own title'" >> "$T/plots/fig3_mixed.gp"
"$M" plot --out "$T" fig3_mixed > "$T/e.txt" 2>&1 || fail "plot with an edited fig3_mixed.gp failed"
grep -q "my own title" "$T/plots/fig3_mixed.gp" || fail "plot replaced an edited .gp"
grep -q "edited" "$T/e.txt" || fail "plot did not say it kept the edited .gp"
"$M" plot --out "$T" --force fig3_mixed > "$T/e.txt" 2>&1 || fail "plot --force failed"
! grep -q "my own title" "$T/plots/fig3_mixed.gp" || fail "plot --force kept the edited .gp"
# a script without the checksum line (an earlier membptt's) is moved aside, not lost
sed -i 1d "$T/plots/fig8_free.gp"
"$M" plot --out "$T" fig8_free > "$T/e.txt" 2>&1 || fail "plot over a script without a checksum failed"
[ -s "$T/plots/fig8_free.gp.old" ] && head -1 "$T/plots/fig8_free.gp" | grep -q checksum || fail "a script without a checksum was not moved to .gp.old and rewritten"
rm -f "$T/plots/fig2_hsm.png"
"$M" plot --out "$T" --redraw fig2_hsm > "$T/e.txt" 2>&1 && [ -s "$T/plots/fig2_hsm.png" ] || fail "plot --redraw fig2_hsm did not redraw"

# --- plot --csv on a user's own config --------------------------------------------------------
mkdir -p "$T/u"
printf '%s\n' '[output]' 'name = mine' '[solvers]' 'names = revolve, hsm, msm' '[problem budget]' \
    'steps = 120' 'alpha = 5' 'budget = 2%:20%:2%' '[problem length]' 'solvers = hsm' \
    'steps = 10*2:160' 'alpha = 1' 'budget = 10' > "$T/u/mine.ini"
"$M" sweep "$T/u/mine.ini" --out "$T/u" --quiet > /dev/null 2>&1 || fail "sweep of the user config failed"
U="$M plot --csv $T/u/mine.csv --x budget_units --y cost_per_step --by solver --where sweep=budget --out $T/u/fig/cost"
$U > "$T/e.txt" 2>&1 || fail "plot --csv on a user config failed: $(cat "$T/e.txt")"
grep -q "30 points in 3 series" "$T/e.txt" || fail "plot --csv: expected 30 points in 3 series ($(cat "$T/e.txt"))"
[ "$(stat -c %s "$T/u/fig/cost.png" 2> /dev/null || echo 0)" -gt 10000 ] || fail "plot --csv drew no PNG"
grep -q "'hsm (= revolve)'" "$T/u/fig/cost.gp" || fail "hsm and revolve coincide, and the legend does not say so"
! grep -q "'msm (= " "$T/u/fig/cost.gp" || fail "msm is said to coincide with another solver"
grep -q "DATA = HERE.'../mine.csv'" "$T/u/fig/cost.gp" || fail "the script does not take the CSV from its own folder"
rm -f "$T/u/fig/cost.png"
(cd / && gnuplot "$T/u/fig/cost.gp" 2> "$T/g.txt") && [ -s "$T/u/fig/cost.png" ] || fail "gnuplot cost.gp from / failed: $(cat "$T/g.txt")"
$U > "$T/e.txt" 2>&1 || fail "plot --csv again (script unedited) failed"
echo "set title 'mine'" >> "$T/u/fig/cost.gp"
$U > "$T/e.txt" 2>&1
[ $? -eq 2 ] && grep -q -- "--force" "$T/e.txt" || fail "plot --csv over an edited script should exit 2 naming --force"
grep -q "set title 'mine'" "$T/u/fig/cost.gp" || fail "plot --csv replaced an edited script"
"$M" plot --redraw "$T/u/fig/cost.gp" > "$T/e.txt" 2>&1 || fail "plot --redraw SCRIPT.gp failed"
$U --force > "$T/e.txt" 2>&1 || fail "plot --csv --force failed"
! grep -q "set title 'mine'" "$T/u/fig/cost.gp" || fail "plot --csv --force kept the edited script"
"$M" plot --csv "$T/u/mine.csv" --x solver --y cost_per_step --out "$T/u/x" > "$T/e.txt" 2>&1
[ $? -eq 2 ] && grep -q "not a number" "$T/e.txt" || fail "--x of a text column should exit 2"
"$M" plot --csv "$T/u/mine.csv" --x nosuch --y cost_per_step --out "$T/u/x" > "$T/e.txt" 2>&1
[ $? -eq 2 ] && grep -q "no such column" "$T/e.txt" || fail "--x of a missing column should exit 2"
# without --out: into out/ of the working folder, named after the CSV
(cd "$T/u" && "$M" plot --csv "$T/u/mine.csv" --x steps --y cost_per_step --where sweep=length --logx --logy) > "$T/e.txt" 2>&1 &&
    [ -s "$T/u/out/mine-cost_per_step-vs-steps.png" ] || fail "plot --csv with the default STEM (out/) failed: $(cat "$T/e.txt")"
# --where is repeatable (the conditions all hold); one without = is exit 2 naming it
"$M" plot --csv "$T/u/mine.csv" --x budget_units --y cost_per_step --where sweep=budget --where solver=msm --out "$T/u/two" > "$T/e.txt" 2>&1 &&
    grep -q "10 points in 1 series" "$T/e.txt" || fail "two --where conditions: $(cat "$T/e.txt")"
"$M" plot --csv "$T/u/mine.csv" --x steps --y cost_per_step --where sweep > "$T/e.txt" 2>&1
[ $? -eq 2 ] && grep -q -- "--where 'sweep': expected COL=VAL" "$T/e.txt" || fail "--where without = should exit 2: $(cat "$T/e.txt")"

# --- the paper's figures from a sweep of any name -------------------------------------------
# the user's sweep (sections named as the figures want) into DIR/results; plot --sweep NAME
mkdir -p "$T/any/results"
sed 's/^name = .*/name = my-run/' "$SRC/configs/smoke.ini" > "$T/any/my.ini"
"$M" sweep "$T/any/my.ini" --out "$T/any/results" --quiet > /dev/null 2>&1 || fail "the sweep of another name failed"
"$M" plot --out "$T/any" --sweep my-run fig1_budget fig2_hsm > "$T/e.txt" 2>&1 || fail "plot --sweep my-run failed: $(cat "$T/e.txt")"
[ -s "$T/any/plots/fig1_budget.png" ] && grep -q "results/my-run.csv" "$T/any/plots/fig1_budget.gp" ||
    fail "plot --sweep my-run did not draw from results/my-run.csv"
"$M" plot --out "$T/any" --sweep nosuch fig1_budget > "$T/e.txt" 2>&1
[ $? -ne 0 ] && grep -q "nosuch.csv" "$T/e.txt" || fail "plot --sweep of a missing sweep should fail naming it: $(cat "$T/e.txt")"
"$M" plot --out "$T/any" --sweep "../x" fig1_budget > "$T/e.txt" 2>&1
[ $? -eq 2 ] || fail "plot --sweep with a path should exit 2"

# --- without gnuplot, no figure stays beside a rewritten script ------------------------------
mkdir -p "$T/nogp"
ln -s "$(command -v sh)" "$T/nogp/sh"
PATH="$T/nogp" "$M" reproduce --out "$T" --analytic "$SRC/configs/smoke.ini" --no-measure --quiet > "$T/e.txt" 2>&1
for f in fig1_budget fig2_hsm fig6_plan; do
    [ -s "$T/plots/$f.gp" ] || fail "$f.gp not written without gnuplot"
    [ ! -e "$T/plots/$f.png" ] && [ ! -e "$T/plots/$f.pdf" ] || fail "$f: a stale figure stayed beside its rewritten .gp"
done
[ $fails -eq 0 ] && echo "plots: all checks passed"
exit $((fails > 0))
