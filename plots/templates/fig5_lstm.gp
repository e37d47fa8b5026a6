# fig5_lstm: measured against predicted on a real LSTM (t = 1000): time per iteration relative
# to full BPTT (the median, with bars from the smallest to the largest ratio of the
# repetitions), and peak store bytes, against the budget. Data: DATA below, measured rows of
# sweep "budget". Redraw from any folder:
# gnuplot fig5_lstm.gp
@STYLE@
DATA = @LSTM@
sel(sv) = strcol("sweep") eq "budget" && strcol("mode") eq "measured" && strcol("solver") eq sv
MiB = 1048576.0
# the peak panel's legend, with a note where series lie on each other's points (found by
# membptt plot in the data when it wrote this script)
array TITLES_PEAK = @TITLES_PEAK@
do for [fmt in "pdf png"] {
  eval out(fmt)
  set multiplot layout 1,2 title "BPTT-MSM on an LSTM, t = 1000: measured and predicted"
  set xlabel "memory budget (fraction of full-BPTT memory, log scale)"
  set logscale x
  set xrange [0.007:1.4]
  set title "time per iteration / full BPTT"
  set ylabel "time ratio"
  set yrange [*:*]
  set key top right
  plot DATA using (sel("msm") ? column("budget_fraction") : NaN):(column("time_ratio")) smooth unique with linespoints lt 1 title "measured (median)", \
       DATA using (sel("msm") ? column("budget_fraction") : NaN):(column("time_ratio")):(column("time_ratio_min")):(column("time_ratio_max")) with yerrorbars lt 1 pt 0 title "measured, min..max of the repetitions", \
       DATA using (sel("msm") ? column("budget_fraction") : NaN):(column("predicted_time_ratio")) smooth unique with linespoints lt 2 title "predicted, per-op costs of the run", \
       DATA using (sel("msm") ? column("budget_fraction") : NaN):(column("predicted_time_vs_full")) smooth unique with linespoints lt 3 title "predicted, c_f = 1, c_b = 2"
  set title "peak store memory"
  set ylabel "MiB"
  set yrange [0:*]
  set key at graph 0.03, graph 0.9 left top Left reverse
  plot DATA using (sel("msm") ? column("budget_fraction") : NaN):(column("peak_store_bytes") / MiB) smooth unique with linespoints lt 1 title TITLES_PEAK[1], \
       DATA using (sel("msm") ? column("budget_fraction") : NaN):(column("budget_bytes") / MiB) smooth unique with lines lt 8 title TITLES_PEAK[2], \
       DATA using (sel("msm") ? column("budget_fraction") : NaN):(column("peak_store_full_bytes") / MiB) smooth unique with lines lt 2 title TITLES_PEAK[3]
  set key default # drop the "at" before the next pass's first panel
  set key samplen 3.5 spacing 1.1
  unset multiplot
  unset output
}
