# fig8_free: where the plan IR beats the paper's policy class: msm-free (MSM that may also free
# a start state after its last use) against msm at small budgets, alpha = 3, t = 30 and 100.
# Data: DATA below, rows of sweep "free". Redraw from any folder:
# gnuplot fig8_free.gp
@STYLE@
DATA = @PAPER@
sel(sv, t) = strcol("sweep") eq "free" && strcol("solver") eq sv && column("steps") == t
do for [fmt in "pdf png"] {
  eval out(fmt)
  set multiplot layout 1,2 title "msm-free against msm (the paper's policy class) at small budgets, alpha = 3"
  set xlabel "budget (units, h_0 included)"
  set ylabel "forward ops per step, C/t"
  set key top right
  do for [t in "30 100"] {
    set title "t = ".t
    plot DATA using (sel("msm", t + 0) ? column("budget_units") : NaN):(column("cost_per_step")) smooth unique with linespoints lt 1 title "msm", \
         DATA using (sel("msm-free", t + 0) ? column("budget_units") : NaN):(column("cost_per_step")) smooth unique with linespoints lt 2 title "msm-free"
  }
  unset multiplot
  unset output
}
