# fig3_mixed: HSM, ISM and MSM against t at alpha = 5, for a budget of 50 units (10 internal
# or 50 hidden states, or any mix) and of 100 units (20 / 100). Data: DATA below, rows of sweep
# "mixed". Redraw from any folder:
# gnuplot fig3_mixed.gp
@STYLE@
DATA = @PAPER@
S = "hsm ism msm"
NAMES = "HSM ISM MSM"
sel(sv, b) = strcol("sweep") eq "mixed" && strcol("solver") eq sv && column("budget_units") == b
do for [fmt in "pdf png"] {
  eval out(fmt)
  set multiplot layout 1,2 title "Hidden, internal and mixed state memorization, alpha = 5"
  do for [b in "50 100"] {
    set title sprintf("budget %s units (%d internal or %s hidden states)", b, (b + 0) / 5, b)
    set xlabel "sequence length t (log scale)"
    set ylabel "forward ops per step, C/t"
    set logscale x
    set yrange [0.9:*]
    set key top left Left reverse
    plot for [i=1:3] DATA using (sel(word(S, i), b + 0) ? column("steps") : NaN):(column("cost_per_step")) smooth unique with linespoints lt (i + 1) title word(NAMES, i)
  }
  unset multiplot
  unset output
}
