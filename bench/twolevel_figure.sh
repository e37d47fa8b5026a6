#!/usr/bin/env bash
# twolevel_figure.sh: the two-level figure (docs/design.md, "Two-level solvers"): predicted
# time of msm, hrevolve and msm2 relative to full BPTT against the memory budget (log axis),
# for the LSTM headline shape, at two slow-store speeds: the costs calibrate-store measured
# (COSTS) and the same store 10x faster (latencies and per-byte costs divided by 10). Measured
# `run --format json` results given after the output folder are drawn as points over the
# curves. Writes OUT/twolevel.csv, OUT/twolevel.gp, OUT/twolevel.png and OUT/twolevel.pdf.
# Usage: bench/twolevel_figure.sh MEMBPTT COSTS OUT [RUN.json ...]
set -eu
bin=${1:?usage: $0 MEMBPTT COSTS OUT [RUN.json ...]}
costs=${2:?usage: $0 MEMBPTT COSTS OUT [RUN.json ...]}
out=${3:?usage: $0 MEMBPTT COSTS OUT [RUN.json ...]}
shift 3
mkdir -p "$out"
T=1000 HB=65536 IB=294912 # LSTM, I = H = 256, B = 32: (h, c) and the internal state
awk '$1 ~ /^(write|read)_/ { $2 = $2 / 10 } { print }' "$costs" >"$out/fast.costs"
csv=$out/twolevel.csv
echo "speed,solver,budget_pct,predicted_time_vs_full,forward_ops,slow_writes,slow_reads" >"$csv"
for speed in measured fast; do
    c=$costs
    [ "$speed" = fast ] && c=$out/fast.costs
    for pct in 0.5 1 2 3 5 10 20 50; do
        for s in msm hrevolve msm2; do
            "$bin" simulate --solver "$s" --steps $T --hidden-bytes $HB --internal-bytes $IB \
                --budget "$pct%" --slow-budget unlimited --store-costs "$c" --format json |
                python3 -c '
import json, sys
d = json.load(sys.stdin)
print(",".join(str(x) for x in [sys.argv[1], d["solver"], sys.argv[2], d["predicted_time_vs_full"],
                                 d["forward_ops"], d["slow_writes"], d["slow_reads"]]))' "$speed" "$pct" >>"$csv"
        done
    done
done
pts=$out/twolevel_measured.dat
: >"$pts"
for f in "$@"; do
    python3 - "$f" >>"$pts" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(d["solver"], 100.0 * d["budget_fraction"], d["time_ratio"], d["predicted_time_ratio"],
      d["time_ratio_min"], d["time_ratio_max"])
PY
done
for speed in measured fast; do
    for so in msm hrevolve msm2; do
        awk -F, -v sp=$speed -v so=$so '$1 == sp && $2 == so { print $3, $4 }' "$csv" \
            >"$out/$speed-$so.dat"
    done
done
cat >"$out/twolevel.gp" <<'GP'
set logscale x
set xlabel "memory budget (% of full BPTT)"
set ylabel "time / full BPTT"
set key top right
set grid
set title "LSTM T=1000, I=H=256, B=32: predicted (lines), measured (points)"
plot "measured-msm.dat" with linespoints title "msm", \
     "measured-hrevolve.dat" with linespoints title "hrevolve (this disk)", \
     "measured-msm2.dat" with linespoints title "msm2 (this disk)", \
     "fast-hrevolve.dat" with lines dashtype 2 title "hrevolve (10x faster store)", \
     "fast-msm2.dat" with lines dashtype 2 title "msm2 (10x faster store)"
GP
if [ -s "$pts" ]; then # the measured runs over the curves
    sed -i '$ s/$/, \\/' "$out/twolevel.gp"
    echo '     "twolevel_measured.dat" using 2:3:5:6 with yerrorbars pointtype 7 pointsize 1.5 title "measured run (median, min-max)"' >>"$out/twolevel.gp"
fi
( cd "$out" && gnuplot -e "set terminal pngcairo size 900,600; set output 'twolevel.png'" twolevel.gp &&
  gnuplot -e "set terminal pdfcairo size 6in,4in; set output 'twolevel.pdf'" twolevel.gp )
echo "wrote $csv, $out/twolevel.png, $out/twolevel.pdf"
