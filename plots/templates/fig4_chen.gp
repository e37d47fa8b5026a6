# fig4_chen: against Chen's sqrt(t). Left: the memory BPTT-MSM needs for at most 2 forward
# ops per step, divided by Chen's sqrt(t)*(1+beta) (beta = alpha - 1); Chen's own memory (our
# sqrt solver's smallest budget) on the same scale. Right: cost per step at Chen's memory.
# Data: DATA below, sweeps "chen-search" and "chen-memory". Redraw from any folder:
# gnuplot fig4_chen.gp
@STYLE@
DATA = @PAPER@
A = "3 6 11"
sel(sw, sv, a) = strcol("sweep") eq sw && strcol("solver") eq sv && column("internal_units") == a && column("hidden_units") == 1
# the right panel's legend, with a note where series lie on each other's points (found by
# membptt plot in the data when it wrote this script)
array TITLES_COST = @TITLES_COST@
memnorm(dummy) = column("budget_units") / (sqrt(column("steps")) * column("internal_units"))
do for [fmt in "pdf png"] {
  eval out(fmt)
  set multiplot layout 1,2 title "BPTT-MSM against Chen's sqrt(t) checkpointing"
  set xlabel "sequence length t (log scale)"
  set logscale x
  set autoscale xfix
  set key bottom right
  set title "memory for cost <= 2 forward ops per step"
  set ylabel "memory / (sqrt(t) (1+{/Symbol b}))"
  set yrange [0:*]
  plot for [i=1:3] DATA using (sel("chen-search", "msm", word(A, i) + 0) ? column("steps") : NaN):(memnorm(0)) smooth unique with linespoints lt i title sprintf("MSM, {/Symbol b} = %d", word(A, i) + 0 - 1), \
       for [i=1:3] DATA using (sel("chen-memory", "sqrt", word(A, i) + 0) ? column("steps") : NaN):(memnorm(0)) smooth unique with linespoints lt i dt 2 lw 1 pt (4 + 2 * i) ps 0.7 title sprintf("Chen, {/Symbol b} = %d", word(A, i) + 0 - 1)
  set title "cost at Chen's memory"
  set ylabel "forward ops per step, C/t"
  set yrange [1.5:2.1]
  plot for [i=1:3] DATA using (sel("chen-memory", "msm", word(A, i) + 0) ? column("steps") : NaN):(column("cost_per_step")) smooth unique with linespoints lt i title TITLES_COST[i], \
       for [i=1:3] DATA using (sel("chen-memory", "sqrt", word(A, i) + 0) ? column("steps") : NaN):(column("cost_per_step")) smooth unique with linespoints lt i dt 2 lw 1 pt (4 + 2 * i) ps 0.7 title TITLES_COST[i + 3]
  unset multiplot
  unset output
}
