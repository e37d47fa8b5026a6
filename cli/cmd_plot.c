/* cmd_plot.c: `membptt plot`: the paper's figures from the CSVs of reproduce, any membptt CSV
 * as a figure of one column against another (--csv), and reruns of kept scripts (--redraw).
 * docs/design.md, "Figures". */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/options.h"
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

/* ---------------------------------------------------------------------------------------------
 * The paper's figures
 */

/* The title of figure 6: the "title" its plan's sidecar records (sweep/'s plan writer), read
 * with yajl (mb_sidecar_config_value); "one plan" when there is none. */
static void plan_title(const char *plan, char *title, size_t cap)
{
    char path[4400];
    if (mb_sidecar_path(plan, path, sizeof path) != MB_OK || !exists(path) ||
        mb_sidecar_config_value(plan, "title", title, cap) != MB_OK || title[0] == '\0')
        snprintf(title, cap, "one plan");
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
                if ((rc = mb_plot_legend_titles(t, &f->legends[k], &titles[k])) == MB_OK)
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

/* --- plot --csv: any CSV --------------------------------------------------------------------- */
#define MAX_WHERE CLI_LIST_MAX
#define MAX_SERIES 64

typedef struct {
    const char *csv, *x, *y, *by, *out, *title;
    const char *where_col[MAX_WHERE], *where_val[MAX_WHERE];
    char *where_buf[MAX_WHERE];
    size_t n_where;
    int logx, logy, force;
} csv_args;

/* The --csv arguments from the parsed options; --where COL=VAL split at its first '='. */
static int csv_args_of(const cli_values *v, const char *out, csv_args *a)
{
    *a = (csv_args){.csv = v->plot.csv, .x = v->plot.x, .y = v->plot.y, .by = v->plot.by,
                    .out = out, .title = v->plot.title, .logx = v->plot.logx,
                    .logy = v->plot.logy, .force = v->plot.force};
    for (int k = 0; k < v->plot.where.n && k < MAX_WHERE; k++) {
        const char *w = v->plot.where.v[k], *eq = strchr(w, '=');
        if ((a->where_buf[k] = mb_strndup(w, (size_t)(eq - w))) == NULL)
            return MB_ERROR(MB_ENOMEM, "out of memory");
        a->where_col[k] = a->where_buf[k];
        a->where_val[k] = eq + 1;
        a->n_where++;
    }
    return MB_OK;
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

/* The points of a --csv figure: its series (in the order of their first row) and each one's
 * points side by side. */
typedef struct {
    const char *series[MAX_SERIES];
    size_t ns, n, kept_rows;
    size_t np[MAX_SERIES], start[MAX_SERIES + 1];
    double *sx, *sy;
    char *titles[MAX_SERIES];
    int points_only; /* some series has two rows at one x: points, not lines */
} csv_points;

static void points_free(csv_points *p)
{
    for (size_t s = 0; s < p->ns; s++)
        mb_free(p->titles[s]);
    mb_free(p->sx);
    mb_free(p->sy);
}

/* The rows --where keeps, as points of the series --by gives, sorted by series. */
static int collect_points(const mb_csv *t, const csv_args *a, csv_points *p)
{
    int cx = -1, cy = -1, cb = -1, cw[MAX_WHERE];
    int rc = column_of(t, "--x", a->x, &cx);
    if (rc == MB_OK)
        rc = column_of(t, "--y", a->y, &cy);
    if (rc == MB_OK && a->by)
        rc = column_of(t, "--by", a->by, &cb);
    for (size_t k = 0; k < a->n_where && rc == MB_OK; k++)
        rc = column_of(t, "--where", a->where_col[k], &cw[k]);
    double *xs = mb_malloc((t->n_rows + 1) * sizeof *xs), *ys = mb_malloc((t->n_rows + 1) * sizeof *ys);
    size_t *of = mb_malloc((t->n_rows + 1) * sizeof *of);
    if (rc == MB_OK && (xs == NULL || ys == NULL || of == NULL))
        rc = MB_ERROR(MB_ENOMEM, "out of memory");
    for (size_t r = 0; r < t->n_rows && rc == MB_OK; r++) {
        int keep = 1;
        for (size_t k = 0; k < a->n_where; k++)
            keep &= strcmp(t->rows[r][cw[k]], a->where_val[k]) == 0;
        if (!keep)
            continue;
        p->kept_rows++;
        double x, y;
        if ((rc = cell_number(t, r, cx, "--x", &x)) != MB_OK ||
            (rc = cell_number(t, r, cy, "--y", &y)) != MB_OK)
            break;
        const char *sv = cb >= 0 ? t->rows[r][cb] : "";
        size_t s = 0;
        while (s < p->ns && strcmp(p->series[s], sv) != 0)
            s++;
        if (s == p->ns && p->ns == MAX_SERIES) {
            rc = MB_ERROR(MB_EINVAL, "--by %s: more than %d values; narrow the rows with "
                          "--where", a->by, MAX_SERIES);
            break;
        }
        if (s == p->ns)
            p->series[p->ns++] = sv;
        if (isnan(x) || isnan(y))
            continue; /* an empty cell: a value not known, not a point */
        xs[p->n] = x;
        ys[p->n] = y;
        of[p->n++] = s;
        p->np[s]++;
    }
    if (rc == MB_OK && p->n == 0)
        rc = MB_ERROR(MB_EINVAL, "%s: no row to plot (%zu rows, %zu kept by --where, none with "
                      "numbers in both %s and %s)", a->csv, t->n_rows, p->kept_rows, a->x, a->y);
    if (rc == MB_OK && ((p->sx = mb_malloc(p->n * sizeof *p->sx)) == NULL ||
                        (p->sy = mb_malloc(p->n * sizeof *p->sy)) == NULL))
        rc = MB_ERROR(MB_ENOMEM, "out of memory");
    if (rc == MB_OK) {
        for (size_t s = 0; s < p->ns; s++)
            p->start[s + 1] = p->start[s] + p->np[s];
        size_t fill[MAX_SERIES];
        memcpy(fill, p->start, sizeof fill);
        for (size_t i = 0; i < p->n; i++) {
            p->sx[fill[of[i]]] = xs[i];
            p->sy[fill[of[i]]++] = ys[i];
        }
    }
    mb_free(xs);
    mb_free(ys);
    mb_free(of);
    return rc;
}

/* How the series meet: points instead of lines where a series has two rows at one x, and
 * each legend entry's note when its points coincide with an earlier series'. */
static int series_titles(const csv_args *a, csv_points *p)
{
    for (size_t s = 0; s < p->ns && !p->points_only; s++)
        for (size_t i = p->start[s]; i < p->start[s + 1] && !p->points_only; i++)
            for (size_t j = p->start[s]; j < i; j++)
                if (p->sx[i] == p->sx[j]) {
                    p->points_only = 1;
                    fprintf(stderr, "membptt plot: note: series '%s' has several rows at %s = "
                            "%g: drawn as points, not lines (narrow with --where or split with "
                            "--by)\n", p->series[s], a->x, p->sx[i]);
                    break;
                }
    double *px[MAX_SERIES], *py[MAX_SERIES];
    for (size_t s = 0; s < p->ns; s++) {
        px[s] = p->sx + p->start[s];
        py[s] = p->sy + p->start[s];
    }
    for (size_t s = 0; s < p->ns; s++) {
        const char *label = a->by ? p->series[s] : a->y;
        char note[512];
        mb_plot_coincide_note(px, py, p->np, p->series, s, note, sizeof note);
        size_t len = strlen(label) + strlen(note) + 1;
        if ((p->titles[s] = mb_malloc(len)) == NULL)
            return MB_ERROR(MB_ENOMEM, "out of memory");
        snprintf(p->titles[s], len, "%s%s", label, note);
    }
    return MB_OK;
}

/* The script STEM.gp, beside STEM's folder with the CSV's path seen from there, and its
 * drawing; an edited script is refused unless --force. */
static int write_and_draw(const csv_args *a, const csv_points *p)
{
    char dir[4096], stem[4096], absdir[PATH_MAX], abscsv[PATH_MAX], data[2 * PATH_MAX];
    const char *slash = strrchr(a->out, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - a->out) : 1, slash ? a->out : ".");
    if (slash == a->out)
        snprintf(dir, sizeof dir, "/");
    snprintf(stem, sizeof stem, "%s", slash ? slash + 1 : a->out);
    if (stem[0] == '\0')
        return MB_ERROR(MB_EINVAL, "--out '%s': ends with '/'; give a file stem (e.g. "
                        "out/mine)", a->out);
    int rc = cli_mkdir_p(dir);
    if (rc != MB_OK)
        return rc;
    if (realpath(dir, absdir) == NULL || realpath(a->csv, abscsv) == NULL)
        return MB_ERROR(MB_EIO, "cannot resolve %s or %s: %s", dir, a->csv, strerror(errno));
    mb_plot_relative_path(absdir, abscsv, data, sizeof data);
    char title[1024];
    if (a->title)
        snprintf(title, sizeof title, "%s", a->title);
    else
        snprintf(title, sizeof title, "%s against %s%s%s", a->y, a->x, a->by ? " by " : "",
                 a->by ? a->by : "");
    mb_plot_spec sp = {data, a->x, a->y, a->by, a->where_col, a->where_val, a->n_where,
                       p->series, (const char *const *)p->titles, p->ns, a->logx, a->logy,
                       p->points_only, title};
    int kept;
    if ((rc = mb_plot_write_spec(dir, stem, &sp, a->force, &kept)) != MB_OK)
        return rc;
    if (kept == 2)
        fprintf(stderr, "membptt plot: note: %s/%s.gp had no checksum line (written by an "
                "earlier membptt, or by you): moved to %s.gp.old\n", dir, stem, stem);
    if (kept == 1)
        return MB_ERROR(MB_EINVAL, "%s/%s.gp exists and is not the script membptt wrote there "
                        "(edited?): plot --redraw %s/%s.gp draws it as it is, --force replaces "
                        "it", dir, stem, dir, stem);
    if (!mb_plot_have_gnuplot()) {
        mb_plot_discard(dir, stem);
        return MB_ERROR(MB_EIO, "%s/%s.gp written, not drawn: gnuplot with the pdfcairo and "
                        "pngcairo terminals is not installed (Debian: gnuplot-nox)", dir, stem);
    }
    if ((rc = mb_plot_run(dir, stem)) == MB_OK)
        printf("%s/%s.pdf, %s/%s.png, %s/%s.gp: %zu points in %zu series\n", dir, stem, dir,
               stem, dir, stem, p->n, p->ns);
    return rc;
}

static int plot_csv(const csv_args *a)
{
    int rc;
    if ((rc = mb_output_path_check("--out", a->out, 0)) != MB_OK)
        return rc;
    mb_csv *t;
    if ((rc = load_whole(a->csv, &t)) != MB_OK)
        return rc;
    csv_points p = {0};
    if ((rc = collect_points(t, a, &p)) == MB_OK && (rc = series_titles(a, &p)) == MB_OK)
        rc = write_and_draw(a, &p);
    points_free(&p);
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
    printf("usage: membptt plot [--full] [--out DIR] [--sweep NAME] [--lstm NAME] [--plan NAME]\n"
           "                    [--bench FILE] [--force] [--list] [FIGURE...]\n"
           "       membptt plot --csv FILE --x COL --y COL [--by COL] [--where COL=VAL]...\n"
           "                    [--logx] [--logy] [--title TEXT] [--out STEM] [--force]\n"
           "       membptt plot --redraw [--out DIR] [FIGURE...] | --redraw SCRIPT.gp...\n\n"
           "The paper's figures (all, or the ones named) from the CSVs in DIR/results (DIR:\n"
           "out, where membptt reproduce writes): the quick set, the full one with --full, or\n"
           "any sweep's: --sweep NAME reads DIR/results/NAME.csv for the analytic figures,\n"
           "--lstm NAME the measured one, --plan NAME figure 6's plan (membptt sweep --out\n"
           "DIR/results writes NAME.csv there). Into DIR/plots/FIGURE.pdf, .png and the .gp\n"
           "script that draws it.\n\n"
           "--csv draws any membptt CSV (your own sweep's too): COL of --y against COL of --x,\n"
           "one series per value of --by, only the rows where every --where COL=VAL holds (the\n"
           "field's text, compared exactly), into STEM.pdf, STEM.png and STEM.gp (default STEM:\n"
           "out/ and the CSV's name without .csv, then -Y-vs-X). Series that coincide say so\n"
           "in the legend. The .gp takes its paths from its own folder: gnuplot STEM.gp\n"
           "redraws it from anywhere.\n\n"
           "A .gp you edited is never replaced without --force: the figures are drawn from your\n"
           "version; --csv refuses (exit 2). --redraw runs the kept scripts as they are.\n"
           "Needs gnuplot with the cairo terminals (Debian: gnuplot-nox). A figure named on the\n"
           "command line that cannot be drawn, or a CSV with a torn row, is an error.\n");
}

/* The options that do not go together, and the names on the command line. */
static int plot_check(const cli_values *v, int scripts)
{
    const int csv_mode = v->plot.csv != NULL, figure_data = v->plot.full || v->plot.sweep ||
                         v->plot.lstm || v->plot.plan_data || v->plot.bench;
    if (!csv_mode && (v->plot.x || v->plot.y || v->plot.by || v->plot.where.n ||
                      v->plot.logx || v->plot.logy || v->plot.title))
        return MB_ERROR(MB_EINVAL, "--x, --y, --by, --where, --logx, --logy and --title need "
                        "--csv FILE");
    if (csv_mode && (figure_data || v->plot.redraw || v->n_args > 0))
        return MB_ERROR(MB_EINVAL, "--csv takes no figure names, --full, --sweep, --lstm, "
                        "--plan, --bench or --redraw (redraw its script with plot --redraw "
                        "STEM.gp)");
    if (csv_mode && (v->plot.x == NULL || v->plot.y == NULL))
        return MB_ERROR(MB_EINVAL, "--csv needs --x COL and --y COL");
    if (v->plot.full && (v->plot.sweep || v->plot.lstm || v->plot.plan_data))
        return MB_ERROR(MB_EINVAL, "--full names the full set's sweeps; give it or --sweep, "
                        "--lstm and --plan, not both");
    if (scripts && (!v->plot.redraw || v->out || figure_data))
        return MB_ERROR(MB_EINVAL, "a .gp script on the command line needs --redraw (and no "
                        "--out, --full, --sweep, --lstm, --plan or --bench)");
    const char *names[] = {v->plot.sweep, v->plot.lstm, v->plot.plan_data};
    const char *opts[] = {"--sweep", "--lstm", "--plan"};
    for (int k = 0; k < 3; k++)
        if (names[k] && !mb_sweep_name_ok(names[k]))
            return MB_ERROR(MB_EINVAL, "%s '%s': a sweep's output name (letters, digits, _ - "
                            "., as [output] name), whose CSV is DIR/results/NAME.csv", opts[k],
                            names[k]);
    for (int i = 0; !csv_mode && !scripts && i < v->n_args; i++)
        if (mb_plot_lookup(v->args[i]) == NULL)
            return MB_ERROR(MB_EINVAL, "unknown figure '%s'; membptt plot --list names them",
                            v->args[i]);
    if (v->out != NULL && !csv_mode)
        return mb_output_path_check("--out", v->out, 1);
    return MB_OK;
}

/* The paper's figures from DIR/results, with the sweeps the options name. */
static int plot_figures(const cli_values *v)
{
    if (!mb_plot_have_gnuplot())
        return MB_ERROR(MB_EIO, "gnuplot with the pdfcairo and pngcairo terminals is not "
                        "installed (Debian: gnuplot-nox)");
    const char *out = v->out ? v->out : "out";
    const char *bench = v->plot.bench ? v->plot.bench : "results/bench_solvers.csv";
    cli_repro_set set = v->plot.full ? cli_full_set : cli_quick_set;
    if (v->plot.sweep)
        set.paper = v->plot.sweep;
    if (v->plot.lstm)
        set.lstm = v->plot.lstm;
    if (v->plot.plan_data)
        set.plan = v->plot.plan_data;
    int drawn = 0;
    int rc = cli_draw_figures(out, &set, exists(bench) ? bench : NULL, v->plot.force,
                              v->plot.redraw, v->args, v->n_args, &drawn);
    if (rc == MB_OK && drawn == 0)
        rc = MB_ERROR(MB_EINVAL, "no figure drawn: no data in %s/results; run membptt "
                      "reproduce first (or name your sweep with --sweep NAME)", out);
    return rc;
}

int cmd_plot(int argc, char **argv)
{
    cli_values v;
    csv_args a = {0};
    int rc = cli_parse(CLI_PLOT, "plot", argc, argv, &v);
    if (rc == MB_OK && v.help) {
        plot_help();
        return 0;
    }
    if (rc == MB_OK && v.plot.list) {
        size_t nf;
        const mb_plot_figure *figs = mb_plot_figures(&nf);
        for (size_t i = 0; i < nf; i++)
            printf("%-13s %s\n", figs[i].name, figs[i].summary);
        return 0;
    }
    int scripts = 0; /* --redraw SCRIPT.gp ... */
    for (int i = 0; rc == MB_OK && i < v.n_args; i++) {
        size_t l = strlen(v.args[i]);
        scripts |= l > 3 && strcmp(v.args[i] + l - 3, ".gp") == 0;
    }
    if (rc == MB_OK)
        rc = plot_check(&v, scripts);
    char stem_buf[4400];
    const char *out = v.out;
    if (rc == MB_OK && v.plot.csv && out == NULL) {
        /* out/NAME-Y-vs-X: the CSV's name without its folders and .csv */
        const char *base = strrchr(v.plot.csv, '/');
        base = base ? base + 1 : v.plot.csv;
        size_t l = strlen(base);
        if (l > 4 && strcmp(base + l - 4, ".csv") == 0)
            l -= 4;
        snprintf(stem_buf, sizeof stem_buf, "out/%.*s-%s-vs-%s", (int)l, base, v.plot.y,
                 v.plot.x);
        for (char *p = stem_buf + 4; *p; p++)
            if (*p == '/' || (unsigned char)*p < 0x20)
                *p = '_';
        out = stem_buf;
    }
    if (rc == MB_OK && v.plot.csv) {
        if ((rc = csv_args_of(&v, out, &a)) == MB_OK)
            rc = plot_csv(&a);
    } else if (rc == MB_OK && scripts) {
        if (!mb_plot_have_gnuplot())
            rc = MB_ERROR(MB_EIO, "gnuplot with the pdfcairo and pngcairo terminals is not "
                          "installed (Debian: gnuplot-nox)");
        for (int i = 0; rc == MB_OK && i < v.n_args; i++)
            rc = redraw_script(v.args[i]);
    } else if (rc == MB_OK) {
        rc = plot_figures(&v);
    }
    for (size_t k = 0; k < a.n_where; k++)
        mb_free(a.where_buf[k]);
    return rc == MB_OK ? 0 : cli_fail("plot", rc);
}
