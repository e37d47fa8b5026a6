/* plots.c: writes gnuplot scripts (the embedded templates filled in with quoted data, or a
 * plot of any CSV) and runs gnuplot on them. */
#include "plots/plots.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"

/* templates.c, generated from the files in plots/templates */
extern const struct mb_plot_template {
    const char *name, *text;
} mb_plot_templates[];

#define BUDGET(sv) {"sweep=budget;solver=" sv, "budget_fraction", "cost_per_step", sv}
#define CHEN(sv, a, label) {"sweep=chen-memory;hidden_units=1;solver=" sv ";internal_units=" a, \
                            "steps", "cost_per_step", label}
#define LSTM(y, label) {"sweep=budget;mode=measured;solver=msm", "budget_fraction", y, label}

static const mb_plot_figure figures[] = {
    {"fig1_budget", "cost per step against the memory budget, t = 1000, alpha = 5, every solver",
     "PAPER",
     {{"TITLES", {BUDGET("full"), BUDGET("sqrt"), BUDGET("chen"), BUDGET("revolve"),
                  BUDGET("hsm"), BUDGET("ism"), BUDGET("msm"), BUDGET("msm-free")}}}},
    {"fig2_hsm", "HSM cost per step against t for m = 10..1000, with BPTT and the bound", "PAPER",
     {{0}}},
    {"fig3_mixed", "HSM vs ISM vs MSM against t, alpha = 5, budgets 50 and 100 units", "PAPER",
     {{0}}},
    {"fig4_chen", "against Chen's sqrt(t): memory for 2 ops per step, cost at Chen's memory",
     "PAPER",
     {{"TITLES_COST",
       {CHEN("msm", "3", "MSM, {/Symbol b} = 2"), CHEN("msm", "6", "MSM, {/Symbol b} = 5"),
        CHEN("msm", "11", "MSM, {/Symbol b} = 10"), CHEN("sqrt", "3", "Chen, {/Symbol b} = 2"),
        CHEN("sqrt", "6", "Chen, {/Symbol b} = 5"), CHEN("sqrt", "11", "Chen, {/Symbol b} = 10")}}}},
    {"fig5_lstm", "measured against predicted on an LSTM: time ratio and peak bytes", "LSTM",
     {{"TITLES_PEAK",
       {LSTM("peak_store_bytes", "measured peak"), LSTM("budget_bytes", "budget"),
        LSTM("peak_store_full_bytes", "full BPTT")}}}},
    {"fig6_plan", "one plan drawn: ops, live checkpoints, store size against the budget", "PLAN",
     {{0}}},
    {"fig7_solvers", "solver time against t, fast against textbook DP", "BENCH", {{0}}},
    {"fig8_free", "msm-free against msm at small budgets", "PAPER", {{0}}},
};

const mb_plot_figure *mb_plot_figures(size_t *count)
{
    *count = sizeof figures / sizeof figures[0];
    return figures;
}

const mb_plot_figure *mb_plot_lookup(const char *name)
{
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
        if (strcmp(figures[i].name, name) == 0)
            return &figures[i];
    return NULL;
}

static const char *template_text(const char *name)
{
    for (size_t i = 0; mb_plot_templates[i].name; i++)
        if (strcmp(mb_plot_templates[i].name, name) == 0)
            return mb_plot_templates[i].text;
    return NULL;
}

int mb_plot_put_string(FILE *f, const char *what, const char *s)
{
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return MB_ERROR(MB_EINVAL, "%s holds a control character (byte %d at offset %zu); "
                            "a gnuplot script cannot carry it", what, (unsigned char)*p,
                            (size_t)(p - s));
    fputc('\'', f);
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            fputc('\'', f); /* the one escape of a single-quoted gnuplot string */
        fputc(*p, f);
    }
    fputc('\'', f);
    return MB_OK;
}

/* Writes a placeholder's value as data (see mb_plot_var). */
static int put_value(FILE *f, const char *what, const char *value, int kind)
{
    if (kind == MB_PLOT_PATH && value[0] != '/')
        fputs("HERE.", f); /* HERE: the script's folder, set by the shared style */
    if (kind != MB_PLOT_LIST)
        return mb_plot_put_string(f, what, value);
    fputc('[', f);
    for (const char *p = value;;) {
        size_t n = strcspn(p, "\n");
        char *item = mb_strndup(p, n);
        if (item == NULL)
            return MB_ERROR(MB_ENOMEM, "out of memory");
        int rc = mb_plot_put_string(f, what, item);
        mb_free(item);
        if (rc != MB_OK)
            return rc;
        if (p[n] == '\0')
            break;
        fputs(", ", f);
        p += n + 1;
    }
    fputc(']', f);
    return MB_OK;
}

/* Appends the template to f, replacing @VAR@ by its value written as data. */
static int expand(FILE *f, const char *text, const char *name, const mb_plot_var *vars,
                  size_t n_vars, int depth)
{
    for (const char *p = text; *p; p++) {
        const char *end;
        if (*p != '@' || (end = strchr(p + 1, '@')) == NULL || end - p > 32 || end == p + 1) {
            fputc(*p, f);
            continue;
        }
        char var[40];
        snprintf(var, sizeof var, "%.*s", (int)(end - p - 1), p + 1);
        int ident = 1;
        for (const char *q = var; *q; q++)
            ident &= (*q >= 'A' && *q <= 'Z') || *q == '_';
        if (!ident) {
            fputc(*p, f);
            continue;
        }
        const mb_plot_var *v = NULL;
        mb_plot_var out = {"OUT", name, MB_PLOT_TEXT};
        if (strcmp(var, "OUT") == 0)
            v = &out;
        for (size_t i = 0; i < n_vars && v == NULL; i++)
            if (strcmp(vars[i].name, var) == 0)
                v = &vars[i];
        int rc = MB_OK;
        if (strcmp(var, "STYLE") == 0 && depth == 0) {
            rc = expand(f, template_text("style"), name, vars, n_vars, 1);
        } else if (v == NULL) {
            rc = MB_ERROR(MB_EINVAL, "figure %s: no value for @%s@ (its data file is missing)",
                          name, var);
        } else {
            char what[96];
            snprintf(what, sizeof what, "figure %s: the value of @%s@", name, var);
            rc = put_value(f, what, v->value, v->kind);
        }
        if (rc != MB_OK)
            return rc;
        p = end;
    }
    return MB_OK;
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

#define CHECK_LINE "# membptt plot script, checksum "

/* 1 when `text` is a script as membptt wrote it: its first line's checksum matches the rest. */
static int unedited(const char *text, size_t len)
{
    size_t k = strlen(CHECK_LINE);
    const char *nl = memchr(text, '\n', len);
    unsigned long long want;
    char extra;
    if (nl == NULL || len < k || strncmp(text, CHECK_LINE, k) != 0 ||
        sscanf(text + k, "%16llx%c", &want, &extra) != 2 || extra != ' ')
        return 0;
    return fnv1a(nl + 1, len - (size_t)(nl + 1 - text)) == want;
}

/* Writes `body` to `path` under the checksum line, unless an edited script is there. */
static int commit_script(const char *path, const char *body, size_t len, int force, int *kept)
{
    *kept = 0;
    struct stat st;
    if (stat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode))
            return MB_ERROR(MB_EINVAL, "%s exists and is not a regular file; a plot script "
                            "goes there", path);
        if (!force) {
            char *old;
            size_t olen;
            int rc = mb_read_file(path, &old, &olen);
            if (rc != MB_OK)
                return rc;
            int checked = olen >= strlen(CHECK_LINE) && memcmp(old, CHECK_LINE,
                                                                strlen(CHECK_LINE)) == 0;
            *kept = !unedited(old, olen);
            mb_free(old);
            if (*kept && checked)
                return MB_OK;
            if (*kept) {
                /* written before scripts had a checksum: edited or not, it is kept aside */
                char aside[4200];
                snprintf(aside, sizeof aside, "%s.old", path);
                if (rename(path, aside) != 0)
                    return MB_ERROR(MB_EIO, "cannot move %s to %s: %s", path, aside,
                                    strerror(errno));
                *kept = 2;
            }
        }
    }
    mb_atomic_file af;
    int rc = mb_atomic_open(&af, path);
    if (rc != MB_OK)
        return rc;
    fprintf(af.f, CHECK_LINE "%016llx (membptt replaces this file while the lines below are "
            "as it wrote them; edit them and it keeps and draws your version)\n",
            (unsigned long long)fnv1a(body, len));
    fwrite(body, 1, len, af.f);
    return mb_atomic_commit(&af);
}

/* Fills a script in memory with write(), then commits it to DIR/STEM.gp. */
static int write_script(const char *dir, const char *stem, int force, int *kept,
                        int (*write)(FILE *, const void *), const void *arg)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s.gp", dir, stem) >= sizeof path)
        return MB_ERROR(MB_EINVAL, "path too long: %s/%s.gp", dir, stem);
    char *body = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&body, &len);
    if (m == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    int rc = write(m, arg);
    if (fclose(m) != 0 && rc == MB_OK)
        rc = MB_ERROR(MB_ENOMEM, "out of memory");
    if (rc == MB_OK)
        rc = commit_script(path, body, len, force, kept);
    free(body);
    return rc;
}

typedef struct {
    const char *text, *name;
    const mb_plot_var *vars;
    size_t n_vars;
} template_job;

static int write_template(FILE *f, const void *arg)
{
    const template_job *j = arg;
    return expand(f, j->text, j->name, j->vars, j->n_vars, 0);
}

int mb_plot_write(const char *dir, const char *name, const mb_plot_var *vars, size_t n_vars,
                  int force, int *kept)
{
    const char *text = template_text(name);
    if (text == NULL || mb_plot_lookup(name) == NULL)
        return MB_ERROR(MB_EINVAL, "unknown figure '%s'", name);
    template_job j = {text, name, vars, n_vars};
    return write_script(dir, name, force, kept, write_template, &j);
}

typedef struct {
    const char *stem;
    const mb_plot_spec *s;
} spec_job;

static int write_spec(FILE *f, const void *arg)
{
    const spec_job *j = arg;
    const mb_plot_spec *s = j->s;
    int rc;
    fprintf(f, "# %s.gp: one column of a CSV against another, drawn by membptt plot --csv.\n"
            "# Redraw from any folder: gnuplot %s.gp (paths are taken from this script's "
            "folder).\n", j->stem, j->stem);
    if ((rc = expand(f, template_text("style"), j->stem, NULL, 0, 1)) != MB_OK)
        return rc;
    const struct {
        const char *name, *what, *value;
        int kind;
    } vars[] = {{"OUT", "--out", j->stem, MB_PLOT_TEXT},
                {"DATA", "--csv", s->data, MB_PLOT_PATH},
                {"XCOL", "--x", s->x, MB_PLOT_TEXT},
                {"YCOL", "--y", s->y, MB_PLOT_TEXT},
                {"BYCOL", "--by", s->by ? s->by : "", MB_PLOT_TEXT},
                {"TITLE", "the title", s->title ? s->title : "", MB_PLOT_TEXT}};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        fprintf(f, "%s = ", vars[i].name);
        if ((rc = put_value(f, vars[i].what, vars[i].value, vars[i].kind)) != MB_OK)
            return rc;
        fputc('\n', f);
    }
    fputs("array SERIES = [", f);
    for (size_t i = 0; i < s->n_series; i++) {
        fputs(i ? ", " : "", f);
        if ((rc = mb_plot_put_string(f, "a --by value", s->series[i])) != MB_OK)
            return rc;
    }
    fputs("]\narray TITLES = [", f);
    for (size_t i = 0; i < s->n_series; i++) {
        fputs(i ? ", " : "", f);
        if ((rc = mb_plot_put_string(f, "a legend entry", s->titles[i])) != MB_OK)
            return rc;
    }
    fputs("]\n# the rows drawn (--where): the text of each field, compared exactly\nkeep(dummy) = 1",
          f);
    for (size_t k = 0; k < s->n_where; k++) {
        fputs(" && strcol(", f);
        if ((rc = mb_plot_put_string(f, "a --where column", s->where_col[k])) != MB_OK)
            return rc;
        fputs(") eq ", f);
        if ((rc = mb_plot_put_string(f, "a --where value", s->where_val[k])) != MB_OK)
            return rc;
    }
    fprintf(f, "\nsel(i) = keep(0)%s\n", s->by ? " && strcol(BYCOL) eq SERIES[i]" : "");
    fprintf(f, "do for [fmt in \"pdf png\"] {\n"
            "  eval out(fmt)\n"
            "  set title TITLE noenhanced\n"
            "  set xlabel XCOL%s noenhanced\n"
            "  set ylabel YCOL%s noenhanced\n"
            "%s%s"
            "  set key outside right top noenhanced%s\n"
            "  plot for [i=1:|SERIES|] DATA using (sel(i) ? column(XCOL) : NaN):(column(YCOL)) "
            "%s lt i title TITLES[i]\n"
            "  unset output\n"
            "}\n",
            s->logx ? ".' (log scale)'" : "", s->logy ? ".' (log scale)'" : "",
            s->logx ? "  set logscale x\n" : "", s->logy ? "  set logscale y\n" : "",
            s->by ? " title BYCOL" : "", s->points_only ? "with points" : "smooth unique with linespoints");
    return MB_OK;
}

int mb_plot_write_spec(const char *dir, const char *stem, const mb_plot_spec *s, int force,
                       int *kept)
{
    spec_job j = {stem, s};
    return write_script(dir, stem, force, kept, write_spec, &j);
}

int mb_plot_coincide(const double *xa, const double *ya, size_t na, const double *xb,
                     const double *yb, size_t nb, size_t *shared)
{
    size_t k = 0;
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            if (xa[i] == xb[j] && ya[i] == yb[j]) {
                k++;
                break;
            }
    *shared = k;
    if (na > 0 && k == na && na == nb)
        return 2;
    return k >= 2 && 2 * k >= na ? 1 : 0;
}

void mb_plot_discard(const char *dir, const char *name)
{
    const char *ext[] = {"pdf", "png"};
    for (int i = 0; i < 2; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext[i]);
        remove(path);
    }
}

int mb_plot_have_gnuplot(void)
{
    FILE *p = popen("gnuplot -e \"set terminal\" 2>&1 < /dev/null", "r");
    if (p == NULL)
        return 0;
    char line[256];
    int pdf = 0, png = 0;
    while (fgets(line, sizeof line, p)) {
        pdf |= strstr(line, "pdfcairo") != NULL;
        png |= strstr(line, "pngcairo") != NULL;
    }
    int st = pclose(p);
    return st == 0 && pdf && png;
}

static int nonempty(const char *dir, const char *name, const char *ext)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    return stat(path, &st) == 0 && st.st_size > 0;
}

int mb_plot_run(const char *dir, const char *name)
{
    char log[4096], gp[4096];
    snprintf(log, sizeof log, "%s/%s.log", dir, name);
    snprintf(gp, sizeof gp, "%s.gp", name);
    mb_plot_discard(dir, name);
    pid_t pid = fork();
    if (pid < 0)
        return MB_ERROR(MB_EIO, "cannot start gnuplot: %s", strerror(errno));
    if (pid == 0) {
        FILE *l = freopen(log, "w", stderr);
        (void)l;
        if (chdir(dir) != 0)
            _exit(126);
        execlp("gnuplot", "gnuplot", gp, (char *)NULL);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    char *msg = NULL;
    size_t len = 0;
    mb_read_file(log, &msg, &len);
    int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0 && nonempty(dir, name, "pdf") &&
             nonempty(dir, name, "png");
    int rc = MB_OK;
    if (!ok) {
        /* the last line of gnuplot's output says what went wrong */
        const char *last = "";
        if (msg && len) {
            while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
                msg[--len] = '\0';
            last = strrchr(msg, '\n') ? strrchr(msg, '\n') + 1 : msg;
        }
        rc = MB_ERROR(MB_EIO, "figure %s: gnuplot %s in %s (%s)", name,
                      WIFEXITED(st) && WEXITSTATUS(st) == 127 ? "was not found" : "failed",
                      dir, *last ? last : "no PDF or PNG written");
    } else {
        remove(log);
    }
    mb_free(msg);
    return rc;
}

/* The legend note of series s: whether its points coincide with those of an earlier series
 * (all of them, or at least half: mb_plot_coincide). */
void mb_plot_coincide_note(double *const *xs, double *const *ys, const size_t *np,
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
int mb_plot_legend_titles(const mb_csv *t, const mb_plot_legend *lg, char **out)
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
        mb_plot_coincide_note(xs, ys, np, labels, s, note, sizeof note);
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

/* The path of the file `target` seen from the folder `from` (both absolute, as realpath gives
 * them): "../" for each folder of `from` below their common folders, then the rest of `target`. */
void mb_plot_relative_path(const char *from, const char *target, char *out, size_t cap)
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
