# fig6_plan: one plan drawn: each op's step against its index (first forward, recompute,
# backward), the live checkpoints as segments from store to free, and the store size against
# the budget. Data: DATA below. Redraw from any folder:
# gnuplot fig6_plan.gp
@STYLE@
DATA = @PLAN@
is(p) = strcol("phase") eq p
do for [fmt in "pdf png"] {
  eval out(fmt)
  set multiplot layout 2,1 title @PLANTITLE@ noenhanced
  set lmargin at screen 0.08
  set rmargin at screen 0.78
  set autoscale xfix
  set size 1, 0.62
  set origin 0, 0.33
  set ylabel "step"
  set format x ""
  set xlabel ""
  set key outside right top
  set yrange [0:*]
  plot DATA using (strcol("live_until_op") ne "" ? column("op") : NaN):(column("step")):(column("live_until_op") - column("op")):(0) with vectors nohead lt 8 lw 2 title "checkpoint held", \
       DATA using (is("first_forward") ? column("op") : NaN):(column("step")) with points lt 1 pt 7 ps 0.35 title "first forward", \
       DATA using (is("recompute") ? column("op") : NaN):(column("step")) with points lt 2 pt 6 ps 0.35 title "recompute", \
       DATA using (is("backward") ? column("op") : NaN):(column("step")) with points lt 3 pt 2 ps 0.5 title "backward"
  set size 1, 0.33
  set origin 0, 0
  set format x "%g"
  set xlabel "op index"
  set ylabel "store (units)"
  set yrange [0:*]
  plot DATA using (column("op")):(column("store_units")) with steps lt 1 title "store size", \
       DATA using (column("op")):(column("budget_units")) with lines lt 2 title "budget"
  unset multiplot
  unset output
}
