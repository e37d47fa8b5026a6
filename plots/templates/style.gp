# Shared style (pasted into every figure script so each script stands alone). Every series
# differs in dash pattern and point shape as well as colour, so figures read in greyscale.
# HERE: this script's folder (from ARG0, the script's path as gnuplot was given it), so the
# script runs from any directory: its data and its figures are found beside it.
HERE = ""
if (exists("ARG0")) { do for [i = strlen(ARG0):1:-1] { if (HERE eq "" && ARG0[i:i] eq "/") { HERE = ARG0[1:i] } } }
OUT = @OUT@
set datafile separator comma
set datafile columnheaders
# rows a figure does not select become NaN: treat them as missing, so lines join across them
set datafile missing NaN
set linetype 1 lc rgb "#000000" dt 1 pt 7 ps 0.55 lw 1.6
set linetype 2 lc rgb "#D55E00" dt 2 pt 5 ps 0.55 lw 1.6
set linetype 3 lc rgb "#0072B2" dt 3 pt 9 ps 0.65 lw 1.6
set linetype 4 lc rgb "#009E73" dt 4 pt 13 ps 0.65 lw 1.6
set linetype 5 lc rgb "#CC79A7" dt 5 pt 11 ps 0.65 lw 1.6
set linetype 6 lc rgb "#E69F00" dt (8,3,2,3,2,3) pt 4 ps 0.55 lw 1.6
set linetype 7 lc rgb "#56B4E9" dt (12,4) pt 6 ps 0.55 lw 1.6
set linetype 8 lc rgb "#777777" dt (2,2,8,2) pt 2 ps 0.6 lw 1.6
set linetype cycle 8
set grid lc rgb "#e0e0e0" lw 0.8
set key samplen 3.5 spacing 1.1
# out(fmt): switch to the PDF or the PNG terminal and its file
out(fmt) = fmt eq "pdf" ? "set terminal pdfcairo size 6in,3.6in font 'Helvetica,9' enhanced; set output HERE.OUT.'.pdf'" : "set terminal pngcairo size 1200,720 font 'Helvetica,13' enhanced; set output HERE.OUT.'.png'"
