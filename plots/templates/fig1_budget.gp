# fig1_budget: forward ops per step against the memory budget at t = 1000, alpha = 5, for
# every solver. Data: DATA below, rows of sweep "budget". Redraw from any folder:
# gnuplot fig1_budget.gp
@STYLE@
DATA = @PAPER@
sel(sv) = strcol("sweep") eq "budget" && strcol("solver") eq sv
# the legend: each solver, and which ones lie on another's points (found by membptt plot in the
# data when it wrote this script)
array TITLES = @TITLES@
do for [fmt in "pdf png"] {
  eval out(fmt)
  set title "Cost against memory, t = 1000, internal state = 5 hidden states"
  set xlabel "memory budget (fraction of full-BPTT memory a_h + a_s(t-1), log scale)"
  set ylabel "forward ops per step, C/t"
  set logscale x
  set autoscale xfix
  set offsets graph 0.03, graph 0.03, 0, 0
  set yrange [0.8:*]
  set key outside right top
  plot for [i=1:8] DATA using (sel(word("full sqrt chen revolve hsm ism msm msm-free", i)) ? column("budget_fraction") : NaN):(column("cost_per_step")) with linespoints lt i ps (i == 1 ? 1.6 : 0.55) title TITLES[i]
  unset output
}
