/* plots.h: the publication figures: gnuplot scripts (plots/templates/) filled in with the
 * paths of the CSVs they read, written beside the figures, and run by gnuplot to PDF
 * (pdfcairo) and PNG (pngcairo). Every figure is drawn from CSV alone: rerunning its .gp in
 * the plots folder redraws it. docs/design.md, "Figures". */
#ifndef MB_PLOTS_PLOTS_H
#define MB_PLOTS_PLOTS_H

#include <stddef.h>

/* A placeholder and its value: "@PAPER@" in a template becomes `value`. */
typedef struct {
    const char *name; /* "PAPER", without the @ */
    const char *value;
} mb_plot_var;

/* The figures in order, and what each one reads. */
typedef struct {
    const char *name;    /* "fig1_budget": the template, the .gp, .pdf and .png stem */
    const char *summary; /* one line */
    const char *needs;   /* the placeholder of its data: "PAPER", "LSTM", "PLAN" or "BENCH" */
} mb_plot_figure;

const mb_plot_figure *mb_plot_figures(size_t *count /* out */);

/* The figure called `name`, or NULL. */
const mb_plot_figure *mb_plot_lookup(const char *name);

/* Writes DIR/NAME.gp: the template with every @VAR@ replaced (@STYLE@ by the shared style,
 * @OUT@ by NAME). MB_EINVAL for an unknown figure or a placeholder left without a value (the
 * message names it), MB_EIO when it cannot write. */
int mb_plot_write(const char *dir, const char *name, const mb_plot_var *vars, size_t n_vars);

/* 1 when a gnuplot with the pdfcairo and pngcairo terminals is on PATH. */
int mb_plot_have_gnuplot(void);

/* Runs `gnuplot NAME.gp` in DIR and checks that NAME.pdf and NAME.png exist and are not empty.
 * MB_EIO naming the figure with gnuplot's last message when it fails. */
int mb_plot_run(const char *dir, const char *name);

#endif
