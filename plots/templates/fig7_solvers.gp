# fig7_solvers: time to solve the MSM dynamic program against t, the fast and the textbook
# O(t^2 m) filling, at budgets of 1%, 5% and 20% (alpha = 5). Data: DATA below (bench_solvers,
# one row per (t, budget, solver, method); median CPU seconds). Redraw from any folder:
# gnuplot fig7_solvers.gp
@STYLE@
DATA = @BENCH@
P = "1 5 20"
sel(p, m) = strcol("budget_spec") eq p."%" && strcol("solver") eq "msm" && strcol("method") eq m
do for [fmt in "pdf png"] {
  eval out(fmt)
  set title "Solver time: fast against textbook dynamic program (MSM, alpha = 5)"
  set xlabel "sequence length t (log scale)"
  set ylabel "median CPU time of one solve (s, log scale)"
  set logscale xy
  set autoscale xfix
  set offsets graph 0.05, graph 0.05, 0, 0
  set key outside right top
  plot for [i=1:3] DATA using (sel(word(P, i), "fast") ? column("steps") : NaN):(column("cpu_s")) smooth unique with linespoints lt i title "fast, budget ".word(P, i)."%", \
       for [i=1:3] DATA using (sel(word(P, i), "textbook") ? column("steps") : NaN):(column("cpu_s")) smooth unique with linespoints lt (i + 3) title "textbook, budget ".word(P, i)."%"
  unset output
}
