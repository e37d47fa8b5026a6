/* cmd_plot.c: `membptt plot`: the paper's figures from the CSVs of reproduce, any membptt CSV
 * as a figure of one column against another (--csv), and reruns of kept scripts (--redraw).
 * docs/design.md, "Figures". */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"
#include "plots/plots.h"
#include "sweep/sweep.h"

const cli_repro_set cli_quick_set = {"quick", "lstm-quick", "paper-quick", "lstm-quick",
                                     "plan-quick", "fits-quick", "calibration-quick"};
const cli_repro_set cli_full_set = {"paper", "lstm", "paper", "lstm", "plan", "fits",
                                    "calibration"};

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int cli_mkdir_p(const char *dir)
{
    char buf[4096];
    if ((size_t)snprintf(buf, sizeof buf, "%s", dir) >= sizeof buf)
        return MB_ERROR(MB_EINVAL, "path too long: %s", dir);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return MB_ERROR(MB_EIO, "cannot create %s: %s", buf, strerror(errno));
            *p = '/';
        }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return MB_ERROR(MB_EIO, "cannot create %s: %s", buf, strerror(errno));
    return MB_OK;
}

/* Loads a CSV to plot: whole or refused. mb_csv_load checks that every row has the header's
 * width; a torn last row can still have it (a number cut short), so the file must also end
 * with a newline, which a sweep writes only after a complete row. */
static int load_whole(const char *path, mb_csv **out)
{
    char *text;
    size_t len;
    *out = NULL;
    int rc = mb_read_file(path, &text, &len);
    if (rc != MB_OK)
        return rc;
    int torn = len > 0 && text[len - 1] != '\n';
    mb_free(text);
    if (torn)
        return MB_ERROR(MB_EPARSE, "%s: the last row is torn (no newline at its end); rerun "
                        "the sweep that writes it (it resumes) before plotting", path);
    return mb_csv_load(path, out);
}

/* The legend note of series s: whether its points coincide with those of an earlier series
 * (all of them, or at least half: mb_plot_coincide). */
static void coincide_note(double *const *xs, double *const *ys, const size_t *np,
                          const char *const *labels, size_t s, char *note, size_t cap)
{
    int best = 0;
    size_t most = 0;
    note[0] = '\0';
    for (size_t q = 0; q < s; q++) {
        size_t shared;
        int how = mb_plot_coincide(xs[s], ys[s], np[s], xs[q], ys[q], np[q], &shared);
        if (how == 0 || how < best || (how == best && shared <= most))
            continue; /* the note names the series it shares the most points with */
        best = how;
        most = shared;
        if (how == 2)
            snprintf(note, cap, " (= %s)", labels[q]);
        else
            snprintf(note, cap, " (= %s at %zu of %zu)", labels[q], shared, np[s]);
    }
    if (np[s] == 0)
        snprintf(note, cap, " (no points)");
}

/* ---------------------------------------------------------------------------------------------
 * The paper's figures
 */

/* The title of figure 6: the "title" its plan's sidecar records (sweep/'s plan writer). */
static void plan_title(const char *plan, char *title, size_t cap)
{
    char path[4400], *text;
    size_t len, n = 0;
    snprintf(title, cap, "one plan");
    if (mb_sidecar_path(plan, path, sizeof path) != MB_OK || !exists(path) ||
        mb_read_file_max(path, (size_t)1 << 20, &text, &len) != MB_OK)
        return;
    const char *p = strstr(text, "\"title\": \"");
    for (p = p ? p + 10 : ""; *p && *p != '"' && n + 1 < cap; p++) {
        if (*p == '\\' && p[1] != '\0')
            p++; /* an escaped character is taken as itself: no control character */
        title[n++] = *p;
    }
    if (n > 0)
        title[n] = '\0';
    mb_free(text);
}

/* 1 when row r holds every "col=val" of `where` (';'-separated). */
static int row_matches(const mb_csv *t, size_t r, const char *where)
{
    for (const char *p = where; *p;) {
        size_t n = strcspn(p, ";");
        const char *eq = memchr(p, '=', n);
        if (eq == NULL)
            return 0;
        int c = -1;
        for (size_t j = 0; j < t->n_cols && c < 0; j++)
            if (strlen(t->names[j]) == (size_t)(eq - p) && strncmp(t->names[j], p, (size_t)(eq - p)) == 0)
                c = (int)j;
        const char *v = eq + 1;
        size_t vn = n - (size_t)(v - p);
        if (c < 0 || strlen(t->rows[r][c]) != vn || strncmp(t->rows[r][c], v, vn) != 0)
            return 0;
        p += n + (p[n] == ';');
    }
    return 1;
}

/* The entries of one legend, '\n'-separated, into *out (the caller frees): each series'
 * label, with a note when its points coincide with an earlier series'. */
static int legend_titles(const mb_csv *t, const mb_plot_legend *lg, char **out)
{
    size_t n = 0, np[8] = {0};
    double *xs[8] = {0}, *ys[8] = {0};
    const char *labels[8];
    int rc = MB_OK;
    while (n < 8 && lg->series[n].label)
        n++;
    for (size_t s = 0; s < n && rc == MB_OK; s++) {
        const mb_plot_series *se = &lg->series[s];
        labels[s] = se->label;
        xs[s] = mb_malloc((t->n_rows + 1) * sizeof(double));
        ys[s] = mb_malloc((t->n_rows + 1) * sizeof(double));
        if (xs[s] == NULL || ys[s] == NULL) {
            rc = MB_ERROR(MB_ENOMEM, "out of memory");
            break;
        }
        int cx = mb_csv_col(t, se->x), cy = mb_csv_col(t, se->y);
        for (size_t r = 0; r < t->n_rows; r++) {
            double x = mb_csv_num(t, r, cx), y = mb_csv_num(t, r, cy);
            if (isfinite(x) && isfinite(y) && row_matches(t, r, se->where)) {
                xs[s][np[s]] = x;
                ys[s][np[s]++] = y;
            }
        }
    }
    size_t len = 0;
    FILE *m = rc == MB_OK ? open_memstream(out, &len) : NULL;
    if (rc == MB_OK && m == NULL)
        rc = MB_ERROR(MB_ENOMEM, "out of memory");
    for (size_t s = 0; s < n && rc == MB_OK; s++) {
        char note[512];
        coincide_note(xs, ys, np, labels, s, note, sizeof note);
        fprintf(m, "%s%s%s", s ? "\n" : "", labels[s], note);
    }
    if (m != NULL && fclose(m) != 0 && rc == MB_OK)
        rc = MB_ERROR(MB_ENOMEM, "out of memory");
    for (size_t s = 0; s < n; s++) {
        mb_free(xs[s]);
        mb_free(ys[s]);
    }
    return rc;
}

int cli_draw_figures(const char *out, const cli_repro_set *set, const char *bench, int force,
                     int redraw, char **only, int n_only, int *drawn)
{
    char plots[4200], results[4200], paper[4400], lstm[4400], plan[4400];
    char title[256], bench_path[PATH_MAX + 64] = "";
    snprintf(plots, sizeof plots, "%s/plots", out);
    snprintf(results, sizeof results, "%s/results", out);
    int rc = cli_mkdir_p(plots);
    if (rc != MB_OK)
        return rc;
    int have_gp = mb_plot_have_gnuplot();
    snprintf(paper, sizeof paper, "%s/%s.csv", results, set->paper);
    snprintf(lstm, sizeof lstm, "%s/%s.csv", results, set->lstm);
    snprintf(plan, sizeof plan, "%s/%s.csv", results, set->plan);
    plan_title(plan, title, sizeof title);
    /* the scripts take relative paths from their own folder: ../results/... */
    char rp[512], rl[512], rpl[512];
    snprintf(rp, sizeof rp, "../results/%s.csv", set->paper);
    snprintf(rl, sizeof rl, "../results/%s.csv", set->lstm);
    snprintf(rpl, sizeof rpl, "../results/%s.csv", set->plan);
    if (bench) {
        /* ../results/bench_solvers.csv when the bench file is the one in results/, else its
         * absolute path */
        char inres[4400], a[PATH_MAX], b[PATH_MAX];
        snprintf(inres, sizeof inres, "%s/bench_solvers.csv", results);
        if (realpath(bench, b) == NULL)
            snprintf(b, sizeof b, "%s", bench);
        if (realpath(inres, a) && strcmp(a, b) == 0)
            snprintf(bench_path, sizeof bench_path, "../results/bench_solvers.csv");
        else
            snprintf(bench_path, sizeof bench_path, "%s", b);
    }
    mb_plot_var vars[] = {{"PAPER", rp, MB_PLOT_PATH},
                          {"LSTM", rl, MB_PLOT_PATH},
                          {"PLAN", rpl, MB_PLOT_PATH},
                          {"BENCH", bench_path, MB_PLOT_PATH},
                          {"PLANTITLE", title, MB_PLOT_TEXT}};
    size_t nf;
    const mb_plot_figure *figs = mb_plot_figures(&nf);
    int failed = 0;
    *drawn = 0;
    for (size_t i = 0; i < nf; i++) {
        const mb_plot_figure *f = &figs[i];
        int named = 0;
        for (int k = 0; k < n_only; k++)
            named |= strcmp(only[k], f->name) == 0;
        if (n_only > 0 && !named)
            continue;
        const char *data = strcmp(f->needs, "PAPER") == 0 ? paper
                           : strcmp(f->needs, "LSTM") == 0 ? lstm
                           : strcmp(f->needs, "PLAN") == 0 ? plan
                                                          : bench;
        char gp[4400];
        snprintf(gp, sizeof gp, "%s/%s.gp", plots, f->name);
        int kept = 0;
        if (redraw) {
            if (!exists(gp)) {
                printf("  %-13s skipped: no %s to redraw\n", f->name, gp);
                failed |= named;
                continue;
            }
            kept = 1;
        } else {
            mb_csv *t = NULL;
            if (data == NULL || !exists(data)) {
                printf("  %-13s skipped: no data (%s)\n", f->name, data ? data : "no bench file");
                failed |= named; /* a figure asked for by name must be drawn */
                continue;
            }
            if ((rc = load_whole(data, &t)) != MB_OK) {
                fprintf(stderr, "membptt: figure %s not drawn: %s\n", f->name, mb_errmsg());
                mb_plot_discard(plots, f->name);
                failed = 1;
                continue;
            }
            /* the figure's legends, with a note where series coincide */
            mb_plot_var all[sizeof vars / sizeof vars[0] + 2];
            char *titles[2] = {NULL, NULL};
            size_t nv = sizeof vars / sizeof vars[0];
            memcpy(all, vars, sizeof vars);
            for (int k = 0; k < 2 && rc == MB_OK && f->legends[k].var; k++)
                if ((rc = legend_titles(t, &f->legends[k], &titles[k])) == MB_OK)
                    all[nv++] = (mb_plot_var){f->legends[k].var, titles[k], MB_PLOT_LIST};
            mb_csv_free(t);
            if (rc == MB_OK)
                rc = mb_plot_write(plots, f->name, all, nv, force, &kept);
            free(titles[0]);
            free(titles[1]);
            if (rc != MB_OK) {
                fprintf(stderr, "membptt: %s\n", mb_errmsg());
                failed = 1;
                continue;
            }
        }
        if (!have_gp) {
            /* no figure may stay beside a script it no longer matches */
            mb_plot_discard(plots, f->name);
            printf("  %-13s %s written; not drawn: gnuplot with pdfcairo/pngcairo is not "
                   "installed\n", gp, f->name);
            continue;
        }
        if ((rc = mb_plot_run(plots, f->name)) != MB_OK) {
            fprintf(stderr, "membptt: %s\n", mb_errmsg());
            failed = 1;
            continue;
        }
        (*drawn)++;
        printf("  %-13s %s/%s.pdf, .png, .gp  (%s)%s\n", f->name, plots, f->name, f->summary,
               redraw || kept == 0 ? ""
               : kept == 1 ? "\n                drawn from your edited .gp, which was kept "
                             "(--force replaces it)"
                           : "\n                the .gp from an earlier membptt was moved to "
                             ".gp.old");
    }
    if (failed)
        return MB_ERROR(MB_EIO, "some figures could not be drawn (messages above)");
    return MB_OK;
}

/* ---------------------------------------------------------------------------------------------
 * plot --csv: any CSV
 */

#define MAX_WHERE 16
#define MAX_SERIES 64

typedef struct {
    const char *csv, *x, *y, *by, *out, *title;
    const char *where_col[MAX_WHERE], *where_val[MAX_WHERE];
    char *where_buf[MAX_WHERE];
    size_t n_where;
    int logx, logy, force;
} csv_args;

/* The path of the file `target` seen from the folder `from` (both absolute, as realpath gives
 * them): "../" for each folder of `from` below their common folders, then the rest of `target`. */
static void relative_path(const char *from, const char *target, char *out, size_t cap)
{
    size_t common = 0; /* the common folders end before target[common] */
    for (size_t i = 1;; i++) {
        int from_end = from[i] == '\0' || from[i] == '/';
        if (from_end && target[i] == '/' && strncmp(from, target, i) == 0)
            common = i;
        if (from[i] == '\0' || from[i] != target[i])
            break;
    }
    size_t n = 0;
    out[0] = '\0';
    for (const char *p = from + common; *p; p++)
        if (*p == '/' && p[1] != '\0' && n + 4 < cap)
            n += (size_t)snprintf(out + n, cap - n, "../");
    snprintf(out + n, cap - n, "%s", target + common + 1);
}

static int column_of(const mb_csv *t, const char *option, const char *name, int *col)
{
    *col = mb_csv_col(t, name);
    if (*col >= 0)
        return MB_OK;
    char list[1024] = "";
    size_t n = 0;
    for (size_t j = 0; j < t->n_cols && n < sizeof list; j++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", j ? ", " : "", t->names[j]);
    return MB_ERROR(MB_EINVAL, "%s '%s': no such column; the file has: %s", option, name, list);
}

/* x and y of every kept row as numbers: an empty cell is a missing point, anything else that
 * is not a number is refused. */
static int cell_number(const mb_csv *t, size_t r, int col, const char *option, double *v)
{
    const char *s = t->rows[r][col];
    *v = NAN;
    if (s[0] == '\0')
        return MB_OK;
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    if (*end != '\0' || end == s || !isfinite(*v))
        return MB_ERROR(MB_EINVAL, "%s %s: row %zu holds '%s', not a number", option,
                        t->names[col], r + 1, s);
    return MB_OK;
}

static int plot_csv(const csv_args *a)
{
    int rc;
    if ((rc = mb_output_path_check("--out", a->out, 0)) != MB_OK)
        return rc;
    mb_csv *t;
    if ((rc = load_whole(a->csv, &t)) != MB_OK)
        return rc;
    int cx = -1, cy = -1, cb = -1, cw[MAX_WHERE];
    rc = column_of(t, "--x", a->x, &cx);
    if (rc == MB_OK)
        rc = column_of(t, "--y", a->y, &cy);
    if (rc == MB_OK && a->by)
        rc = column_of(t, "--by", a->by, &cb);
    for (size_t k = 0; k < a->n_where && rc == MB_OK; k++)
        rc = column_of(t, "--where", a->where_col[k], &cw[k]);
    /* the series, in the order of their first row, and their points */
    const char *series[MAX_SERIES];
    size_t ns = 0, *np = mb_calloc(MAX_SERIES, sizeof *np), kept_rows = 0;
    double *xs = mb_malloc((t->n_rows + 1) * sizeof *xs), *ys = mb_malloc((t->n_rows + 1) * sizeof *ys);
    size_t *of = mb_malloc((t->n_rows + 1) * sizeof *of);
    if (rc == MB_OK && (np == NULL || xs == NULL || ys == NULL || of == NULL))
        rc = MB_ERROR(MB_ENOMEM, "out of memory");
    size_t n = 0;
    for (size_t r = 0; r < t->n_rows && rc == MB_OK; r++) {
        int keep = 1;
        for (size_t k = 0; k < a->n_where; k++)
            keep &= strcmp(t->rows[r][cw[k]], a->where_val[k]) == 0;
        if (!keep)
            continue;
        kept_rows++;
        double x, y;
        if ((rc = cell_number(t, r, cx, "--x", &x)) != MB_OK ||
            (rc = cell_number(t, r, cy, "--y", &y)) != MB_OK)
            break;
        const char *sv = cb >= 0 ? t->rows[r][cb] : "";
        size_t s = 0;
        while (s < ns && strcmp(series[s], sv) != 0)
            s++;
        if (s == ns) {
            if (ns == MAX_SERIES) {
                rc = MB_ERROR(MB_EINVAL, "--by %s: more than %d values; narrow the rows with "
                              "--where", a->by, MAX_SERIES);
                break;
            }
            series[ns++] = sv;
        }
        if (isnan(x) || isnan(y))
            continue; /* an empty cell: a value not known, not a point */
        xs[n] = x;
        ys[n] = y;
        of[n++] = s;
        np[s]++;
    }
    if (rc == MB_OK && n == 0)
        rc = MB_ERROR(MB_EINVAL, "%s: no row to plot (%zu rows, %zu kept by --where, none with "
                      "numbers in both %s and %s)", a->csv, t->n_rows, kept_rows, a->x, a->y);
    /* each series' points side by side, then how the series meet */
    double *sx = NULL, *sy = NULL;
    size_t start[MAX_SERIES + 1] = {0};
    char *titles[MAX_SERIES] = {0};
    int points_only = 0;
    if (rc == MB_OK) {
        sx = mb_malloc(n * sizeof *sx);
        sy = mb_malloc(n * sizeof *sy);
        if (sx == NULL || sy == NULL)
            rc = MB_ERROR(MB_ENOMEM, "out of memory");
    }
    if (rc == MB_OK) {
        for (size_t s = 0; s < ns; s++)
            start[s + 1] = start[s] + np[s];
        size_t fill[MAX_SERIES];
        memcpy(fill, start, sizeof fill);
        for (size_t i = 0; i < n; i++) {
            sx[fill[of[i]]] = xs[i];
            sy[fill[of[i]]++] = ys[i];
        }
        for (size_t s = 0; s < ns && !points_only; s++)
            for (size_t i = start[s]; i < start[s + 1] && !points_only; i++)
                for (size_t j = start[s]; j < i; j++)
                    if (sx[i] == sx[j]) {
                        points_only = 1;
                        fprintf(stderr, "membptt plot: note: series '%s' has several rows at "
                                "%s = %g: drawn as points, not lines (narrow with --where or "
                                "split with --by)\n", series[s], a->x, sx[i]);
                        break;
                    }
        double *px[MAX_SERIES], *py[MAX_SERIES];
        for (size_t s = 0; s < ns; s++) {
            px[s] = sx + start[s];
            py[s] = sy + start[s];
        }
        for (size_t s = 0; s < ns && rc == MB_OK; s++) {
            const char *label = a->by ? series[s] : a->y;
            char note[512];
            coincide_note(px, py, np, series, s, note, sizeof note);
            size_t len = strlen(label) + strlen(note) + 1;
            if ((titles[s] = mb_malloc(len)) == NULL)
                rc = MB_ERROR(MB_ENOMEM, "out of memory");
            else
                snprintf(titles[s], len, "%s%s", label, note);
        }
    }
    /* the script: beside STEM's folder, with the CSV's path seen from there */
    char dir[4096], stem[4096], absdir[PATH_MAX], abscsv[PATH_MAX], data[2 * PATH_MAX];
    if (rc == MB_OK) {
        const char *slash = strrchr(a->out, '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - a->out) : 1,
                 slash ? a->out : ".");
        if (slash == a->out)
            snprintf(dir, sizeof dir, "/");
        snprintf(stem, sizeof stem, "%s", slash ? slash + 1 : a->out);
        if (stem[0] == '\0')
            rc = MB_ERROR(MB_EINVAL, "--out '%s': ends with '/'; give a file stem "
                          "(e.g. out/mine)", a->out);
    }
    if (rc == MB_OK && (rc = cli_mkdir_p(dir)) == MB_OK) {
        if (realpath(dir, absdir) == NULL || realpath(a->csv, abscsv) == NULL)
            rc = MB_ERROR(MB_EIO, "cannot resolve %s or %s: %s", dir, a->csv, strerror(errno));
        else
            relative_path(absdir, abscsv, data, sizeof data);
    }
    if (rc == MB_OK) {
        char title[1024];
        if (a->title)
            snprintf(title, sizeof title, "%s", a->title);
        else
            snprintf(title, sizeof title, "%s against %s%s%s", a->y, a->x,
                     a->by ? " by " : "", a->by ? a->by : "");
        mb_plot_spec sp = {data, a->x, a->y, a->by, a->where_col, a->where_val, a->n_where,
                           series, (const char *const *)titles, ns, a->logx, a->logy,
                           points_only, title};
        int kept;
        rc = mb_plot_write_spec(dir, stem, &sp, a->force, &kept);
        if (rc == MB_OK && kept == 2)
            fprintf(stderr, "membptt plot: note: %s/%s.gp had no checksum line (written by an "
                    "earlier membptt, or by you): moved to %s.gp.old\n", dir, stem, stem);
        if (rc == MB_OK && kept == 1)
            rc = MB_ERROR(MB_EINVAL, "%s/%s.gp exists and is not the script membptt wrote "
                          "there (edited?): plot --redraw %s/%s.gp draws it as it is, --force "
                          "replaces it", dir, stem, dir, stem);
    }
    if (rc == MB_OK && !mb_plot_have_gnuplot()) {
        mb_plot_discard(dir, stem);
        rc = MB_ERROR(MB_EIO, "%s/%s.gp written, not drawn: gnuplot with the pdfcairo and "
                      "pngcairo terminals is not installed (Debian: gnuplot-nox)", dir, stem);
    }
    if (rc == MB_OK && (rc = mb_plot_run(dir, stem)) == MB_OK)
        printf("%s/%s.pdf, %s/%s.png, %s/%s.gp: %zu points in %zu series\n", dir, stem, dir,
               stem, dir, stem, n, ns);
    for (size_t s = 0; s < ns; s++)
        mb_free(titles[s]);
    mb_free(sx);
    mb_free(sy);
    mb_free(np);
    mb_free(xs);
    mb_free(ys);
    mb_free(of);
    mb_csv_free(t);
    return rc;
}

/* plot --redraw SCRIPT.gp: runs a kept script in its folder. */
static int redraw_script(const char *path)
{
    size_t len = strlen(path);
    if (len < 4 || strcmp(path + len - 3, ".gp") != 0 || !exists(path))
        return MB_ERROR(MB_EINVAL, "--redraw '%s': not an existing .gp script", path);
    char dir[4096], stem[4096];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
    if (slash == path)
        snprintf(dir, sizeof dir, "/");
    snprintf(stem, sizeof stem, "%.*s", (int)(len - 3 - (slash ? (size_t)(slash + 1 - path) : 0)),
             slash ? slash + 1 : path);
    int rc = mb_plot_run(dir, stem);
    if (rc == MB_OK)
        printf("%s/%s.pdf, %s/%s.png: redrawn from %s\n", dir, stem, dir, stem, path);
    return rc;
}

static void plot_help(void)
{
    printf("usage: membptt plot [--full] [--out DIR] [--bench FILE] [--force] [--list] [FIGURE...]\n"
           "       membptt plot --csv FILE --x COL --y COL [--by COL] [--where COL=VAL]...\n"
           "                    [--logx] [--logy] [--title TEXT] [--out STEM] [--force]\n"
           "       membptt plot --redraw [--out DIR] [FIGURE...] | --redraw SCRIPT.gp...\n\n"
           "The paper's figures (all, or the ones named) from the CSVs that membptt reproduce\n"
           "wrote into DIR/results (the quick set, or the full one with --full):\n"
           "DIR/plots/NAME.pdf, .png and the .gp script that draws it.\n\n"
           "--csv draws any membptt CSV (your own sweep's too): COL of --y against COL of --x,\n"
           "one series per value of --by, only the rows where every --where COL=VAL holds (the\n"
           "field's text, compared exactly), into STEM.pdf, STEM.png and STEM.gp (default STEM:\n"
           "the CSV's path without .csv, then -Y-vs-X). Series that coincide say so in the\n"
           "legend. The .gp takes its paths from its own folder: gnuplot STEM.gp redraws it\n"
           "from anywhere.\n\n"
           "A .gp you edited is never replaced without --force: the figures are drawn from your\n"
           "version; --csv refuses (exit 2). --redraw runs the kept scripts as they are.\n"
           "Needs gnuplot with the cairo terminals (Debian: gnuplot-nox). A figure named on the\n"
           "command line that cannot be drawn, or a CSV with a torn row, is an error.\n");
}

int cmd_plot(int argc, char **argv)
{
    enum { O_CSV = 256, O_X, O_Y, O_BY, O_WHERE, O_LOGX, O_LOGY, O_TITLE, O_FORCE, O_REDRAW };
    static const struct option opts[] = {
        {"full", no_argument, NULL, 'f'},      {"out", required_argument, NULL, 'o'},
        {"bench", required_argument, NULL, 'b'}, {"list", no_argument, NULL, 'l'},
        {"csv", required_argument, NULL, O_CSV}, {"x", required_argument, NULL, O_X},
        {"y", required_argument, NULL, O_Y},   {"by", required_argument, NULL, O_BY},
        {"where", required_argument, NULL, O_WHERE}, {"logx", no_argument, NULL, O_LOGX},
        {"logy", no_argument, NULL, O_LOGY},   {"title", required_argument, NULL, O_TITLE},
        {"force", no_argument, NULL, O_FORCE}, {"redraw", no_argument, NULL, O_REDRAW},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0}};
    const char *out = NULL, *bench = "results/bench_solvers.csv";
    csv_args a = {0};
    int full = 0, redraw = 0, bench_given = 0, c, rc = MB_OK;
    unsigned seen = 0;
    opterr = 0;
    optind = 1;
    size_t nf;
    const mb_plot_figure *figs = mb_plot_figures(&nf);
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1 && rc == MB_OK) {
        if (c >= O_CSV && c != O_WHERE) {
            if (seen & (1u << (c - O_CSV)))
                rc = MB_ERROR(MB_EINVAL, "%s given twice", argv[optind - 1]);
            seen |= 1u << (c - O_CSV);
        }
        switch (c) {
        case 'f': full = 1; break;
        case 'o': out = optarg; break;
        case 'b': bench = optarg; bench_given = 1; break;
        case O_CSV: a.csv = optarg; break;
        case O_X: a.x = optarg; break;
        case O_Y: a.y = optarg; break;
        case O_BY: a.by = optarg; break;
        case O_TITLE: a.title = optarg; break;
        case O_LOGX: a.logx = 1; break;
        case O_LOGY: a.logy = 1; break;
        case O_FORCE: a.force = 1; break;
        case O_REDRAW: redraw = 1; break;
        case O_WHERE: {
            const char *eq = strchr(optarg, '=');
            if (eq == NULL || eq == optarg)
                rc = MB_ERROR(MB_EINVAL, "--where '%s': expected COL=VAL (e.g. solver=msm)",
                              optarg);
            else if (a.n_where == MAX_WHERE)
                rc = MB_ERROR(MB_EINVAL, "--where: at most %d conditions", MAX_WHERE);
            else if ((a.where_buf[a.n_where] = mb_strndup(optarg, (size_t)(eq - optarg))) == NULL)
                rc = MB_ERROR(MB_ENOMEM, "out of memory");
            else {
                a.where_col[a.n_where] = a.where_buf[a.n_where];
                a.where_val[a.n_where++] = eq + 1;
            }
            break;
        }
        case 'l':
            for (size_t i = 0; i < nf; i++)
                printf("%-13s %s\n", figs[i].name, figs[i].summary);
            return 0;
        case 'h': plot_help(); return 0;
        case ':': rc = MB_ERROR(MB_EINVAL, "%s: missing value", argv[optind - 1]); break;
        default: rc = MB_ERROR(MB_EINVAL, "unknown option '%s'", argv[optind - 1]);
        }
    }
    int csv_mode = a.csv != NULL;
    int scripts = 0; /* --redraw SCRIPT.gp ... */
    for (int i = optind; i < argc; i++) {
        size_t l = strlen(argv[i]);
        scripts |= l > 3 && strcmp(argv[i] + l - 3, ".gp") == 0;
    }
    if (rc == MB_OK && !csv_mode && (a.x || a.y || a.by || a.n_where || a.logx || a.logy ||
                                     a.title))
        rc = MB_ERROR(MB_EINVAL, "--x, --y, --by, --where, --logx, --logy and --title need "
                      "--csv FILE");
    if (rc == MB_OK && csv_mode && (full || bench_given || redraw || optind < argc))
        rc = MB_ERROR(MB_EINVAL, "--csv takes no figure names, --full, --bench or --redraw "
                      "(redraw its script with plot --redraw STEM.gp)");
    if (rc == MB_OK && csv_mode && (a.x == NULL || a.y == NULL))
        rc = MB_ERROR(MB_EINVAL, "--csv needs --x COL and --y COL");
    if (rc == MB_OK && scripts && (!redraw || out || full || bench_given))
        rc = MB_ERROR(MB_EINVAL, "a .gp script on the command line needs --redraw (and no "
                      "--out, --full or --bench)");
    for (int i = optind; rc == MB_OK && !csv_mode && !scripts && i < argc; i++)
        if (mb_plot_lookup(argv[i]) == NULL)
            rc = MB_ERROR(MB_EINVAL, "unknown figure '%s'; membptt plot --list names them",
                          argv[i]);
    if (rc == MB_OK && out != NULL && !csv_mode)
        rc = mb_output_path_check("--out", out, 1);
    char stem_buf[4400];
    if (rc == MB_OK && csv_mode && out == NULL) {
        size_t l = strlen(a.csv);
        if (l > 4 && strcmp(a.csv + l - 4, ".csv") == 0)
            l -= 4;
        snprintf(stem_buf, sizeof stem_buf, "%.*s-%s-vs-%s", (int)l, a.csv, a.y, a.x);
        for (char *p = stem_buf + l; *p; p++)
            if (*p == '/' || (unsigned char)*p < 0x20)
                *p = '_';
        out = stem_buf;
    }
    if (rc == MB_OK && csv_mode) {
        a.out = out;
        rc = plot_csv(&a);
    } else if (rc == MB_OK && scripts) {
        if (!mb_plot_have_gnuplot())
            rc = MB_ERROR(MB_EIO, "gnuplot with the pdfcairo and pngcairo terminals is not "
                          "installed (Debian: gnuplot-nox)");
        for (int i = optind; rc == MB_OK && i < argc; i++)
            rc = redraw_script(argv[i]);
    } else if (rc == MB_OK) {
        if (!mb_plot_have_gnuplot())
            rc = MB_ERROR(MB_EIO, "gnuplot with the pdfcairo and pngcairo terminals is not "
                          "installed (Debian: gnuplot-nox)");
        int drawn = 0;
        if (rc == MB_OK)
            rc = cli_draw_figures(out ? out : ".", full ? &cli_full_set : &cli_quick_set,
                                  exists(bench) ? bench : NULL, a.force, redraw, argv + optind,
                                  argc - optind, &drawn);
        if (rc == MB_OK && drawn == 0)
            rc = MB_ERROR(MB_EINVAL, "no figure drawn: no data in %s/results; run membptt "
                          "reproduce first", out ? out : ".");
    }
    for (size_t k = 0; k < a.n_where; k++)
        mb_free(a.where_buf[k]);
    return rc == MB_OK ? 0 : cli_fail("plot", rc);
}
