/* plots.h: the publication figures and the user's own: gnuplot scripts (templates in
 * plots/templates/, or written for `membptt plot --csv`) that read CSV only, written beside the
 * figures and run by gnuplot to PDF (pdfcairo) and PNG (pngcairo). Every string that reaches a
 * script is a quoted gnuplot string, never script text, and every path is taken from the
 * script's own folder, so a script runs from any directory. docs/design.md, "Figures". */
#ifndef MB_PLOTS_PLOTS_H
#define MB_PLOTS_PLOTS_H

#include <stddef.h>
#include <stdio.h>

#include "core/csv.h"

/* What a placeholder's value is. Every kind is written as data: a single-quoted gnuplot
 * string (quotes doubled; control characters refused), never pasted as script text. */
enum {
    MB_PLOT_TEXT, /* one string */
    MB_PLOT_PATH, /* a file path: a relative one is taken from the script's folder */
    MB_PLOT_LIST  /* strings separated by '\n': a gnuplot array literal ['a', 'b'] */
};

/* A placeholder and its value: "@PAPER@" in a template becomes `value`, as `kind` says. */
typedef struct {
    const char *name; /* "PAPER", without the @ */
    const char *value;
    int kind; /* MB_PLOT_TEXT, MB_PLOT_PATH or MB_PLOT_LIST */
} mb_plot_var;

/* One series of a figure: the rows where every "col=val" of `where` (';'-separated) holds,
 * drawn as column y against column x, with its legend entry. */
typedef struct {
    const char *where, *x, *y, *label;
} mb_plot_series;

/* The legend of one panel: @VAR@ becomes the array of its series' entries, each with a note
 * when its points coincide with an earlier series' (filled by the caller, which reads the CSV:
 * mb_plot_coincide). */
typedef struct {
    const char *var; /* "TITLES" */
    mb_plot_series series[8];
} mb_plot_legend;

/* The figures in order, and what each one reads. */
typedef struct {
    const char *name;    /* "fig1_budget": the template, the .gp, .pdf and .png stem */
    const char *summary; /* one line */
    const char *needs;   /* the placeholder of its data: "PAPER", "LSTM", "PLAN" or "BENCH" */
    mb_plot_legend legends[2]; /* the panels whose series may lie on each other (var NULL: none) */
} mb_plot_figure;

const mb_plot_figure *mb_plot_figures(size_t *count /* out */);

/* The figure called `name`, or NULL. */
const mb_plot_figure *mb_plot_lookup(const char *name);

/* Writes `s` as one single-quoted gnuplot string ('it''s'): inside it gnuplot substitutes
 * nothing (no backquotes, no macros). MB_EINVAL naming `what` for a control character, which
 * no gnuplot string literal can hold safely. */
int mb_plot_put_string(FILE *f, const char *what, const char *s);

/* Writes DIR/NAME.gp: the template with every @VAR@ replaced (@STYLE@ by the shared style,
 * @OUT@ by NAME). The script's first line holds a checksum of the rest: an existing NAME.gp
 * whose lines differ from what membptt wrote (the user restyled it) is kept unless `force`,
 * and *kept is 1; one with no checksum line (from before scripts had one) is moved to
 * NAME.gp.old and replaced, and *kept is 2; otherwise *kept is 0. MB_EINVAL for an unknown figure, a placeholder left without a value or a
 * value with a control character (the message names it), MB_EIO when it cannot write. */
int mb_plot_write(const char *dir, const char *name, const mb_plot_var *vars, size_t n_vars,
                  int force, int *kept /* out */);

/* A plot of any CSV (`membptt plot --csv`): y against x, one series per value of `by`, rows
 * kept only where every where_col[k] holds the text where_val[k]. */
typedef struct {
    const char *data;  /* the CSV: absolute, or relative to the script's folder */
    const char *x, *y; /* column names */
    const char *by;    /* the series column, or NULL for one series */
    const char *const *where_col, *const *where_val;
    size_t n_where;
    const char *const *series; /* the values of `by` to draw (one entry "" without `by`) */
    const char *const *titles; /* their legend entries */
    size_t n_series;
    int logx, logy;
    int points_only; /* 1: no lines (a series has several rows at one x) */
    const char *title;
} mb_plot_spec;

/* Writes DIR/STEM.gp drawing `s` into STEM.pdf and STEM.png beside it; the same checksum
 * rule and *kept as mb_plot_write. */
int mb_plot_write_spec(const char *dir, const char *stem, const mb_plot_spec *s, int force,
                       int *kept /* out */);

/* How series a meets series b: 2 when they hold the same (x, y) points, 1 when at least half
 * of a's points (two or more) are points of b, 0 otherwise. *shared counts a's points that
 * are points of b. */
int mb_plot_coincide(const double *xa, const double *ya, size_t na, const double *xb,
                     const double *yb, size_t nb, size_t *shared /* out */);

/* 1 when a gnuplot with the pdfcairo and pngcairo terminals is on PATH. */
int mb_plot_have_gnuplot(void);

/* Runs `gnuplot NAME.gp` in DIR and checks that NAME.pdf and NAME.png exist and are not empty.
 * MB_EIO naming the figure with gnuplot's last message when it fails. */
int mb_plot_run(const char *dir, const char *name);

/* Removes DIR/NAME.pdf and DIR/NAME.png (a .gp was rewritten but cannot be drawn: no figure
 * may stay beside a script it no longer matches). */
void mb_plot_discard(const char *dir, const char *name);

/* The legend note of series s ("" or " (= LABEL)", " (= LABEL at K of N)", " (no points)"):
 * whether its points coincide with those of an earlier series, all of them or at least half
 * (mb_plot_coincide); the note names the series it shares the most points with. */
void mb_plot_coincide_note(double *const *xs, double *const *ys, const size_t *np,
                           const char *const *labels, size_t s, char *note, size_t cap);

/* The entries of one figure legend, '\n'-separated, into *out (the caller frees it with
 * free, open_memstream's): each series' label with its coincidence note, from the rows of t each series
 * selects. */
int mb_plot_legend_titles(const mb_csv *t, const mb_plot_legend *lg, char **out /* out */);

/* The path of the file `target` seen from the folder `from` (both absolute, as realpath gives
 * them): "../" for each folder of `from` below their common folders, then the rest of
 * `target`. */
void mb_plot_relative_path(const char *from, const char *target, char *out, size_t cap);

#endif
