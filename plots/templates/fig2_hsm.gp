# fig2_hsm: BPTT-HSM forward ops per step against t for m = 10, 50, 100, 500, 1000 hidden
# slots (h_0 included), with standard BPTT (1 op per step) and the paper's bound m*t^(1/m) per
# step for m = 10 and 50. Data: DATA below, rows of sweep "hsm". Redraw from any folder:
# gnuplot fig2_hsm.gp
@STYLE@
DATA = @PAPER@
M = "10 50 100 500 1000"
sel(m) = strcol("sweep") eq "hsm" && column("budget_units") == m
do for [fmt in "pdf png"] {
  eval out(fmt)
  set title "BPTT-HSM: cost per step against sequence length"
  set xlabel "sequence length t (log scale)"
  set ylabel "forward ops per step, C/t (log scale)"
  set logscale xy
  set autoscale xfix
  set yrange [0.9:90]
  set key outside right top
  plot for [i=1:5] DATA using (sel(word(M, i) + 0) ? column("steps") : NaN):(column("cost_per_step")) smooth unique with linespoints lt i title "HSM, m = ".word(M, i), \
       1 with lines lt 8 lw 2.5 title "standard BPTT", \
       10 * x**(1.0/10) with lines lt 1 dt 3 lw 1.5 title "bound m t^{1/m}, m = 10", \
       50 * x**(1.0/50) with lines lt 2 dt 3 lw 1.5 title "bound m t^{1/m}, m = 50"
  unset output
}
