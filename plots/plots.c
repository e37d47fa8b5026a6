/* plots.c: fills in the embedded gnuplot templates and runs gnuplot on them. */
#include "plots/plots.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "core/fileio.h"

/* templates.c, generated from the files in plots/templates */
extern const struct mb_plot_template {
    const char *name, *text;
} mb_plot_templates[];

static const mb_plot_figure figures[] = {
    {"fig1_budget", "cost per step against the memory budget, t = 1000, alpha = 5, every solver", "PAPER"},
    {"fig2_hsm", "HSM cost per step against t for m = 10..1000, with BPTT and the bound", "PAPER"},
    {"fig3_mixed", "HSM vs ISM vs MSM against t, alpha = 5, budgets 50 and 100 units", "PAPER"},
    {"fig4_chen", "against Chen's sqrt(t): memory for 2 ops per step, cost at Chen's memory", "PAPER"},
    {"fig5_lstm", "measured against predicted on an LSTM: time ratio and peak bytes", "LSTM"},
    {"fig6_plan", "one plan drawn: ops, live checkpoints, store size against the budget", "PLAN"},
    {"fig7_solvers", "solver time against t, fast against textbook DP", "BENCH"},
    {"fig8_free", "msm-free against msm at small budgets", "PAPER"},
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

/* Appends the template to f, replacing @VAR@; *missing gets the first unknown one. */
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
        const char *value = NULL;
        if (strcmp(var, "OUT") == 0)
            value = name;
        for (size_t i = 0; i < n_vars && value == NULL; i++)
            if (strcmp(vars[i].name, var) == 0)
                value = vars[i].value;
        if (strcmp(var, "STYLE") == 0 && depth == 0) {
            int rc = expand(f, template_text("style"), name, vars, n_vars, 1);
            if (rc != MB_OK)
                return rc;
        } else if (value == NULL) {
            return MB_ERROR(MB_EINVAL, "figure %s: no value for @%s@ (its data file is "
                            "missing)", name, var);
        } else {
            fputs(value, f);
        }
        p = end;
    }
    return MB_OK;
}

int mb_plot_write(const char *dir, const char *name, const mb_plot_var *vars, size_t n_vars)
{
    const char *text = template_text(name);
    if (text == NULL || mb_plot_lookup(name) == NULL)
        return MB_ERROR(MB_EINVAL, "unknown figure '%s'", name);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.gp", dir, name);
    mb_atomic_file af;
    int rc = mb_atomic_open(&af, path);
    if (rc != MB_OK)
        return rc;
    if ((rc = expand(af.f, text, name, vars, n_vars, 0)) != MB_OK) {
        mb_atomic_abort(&af);
        return rc;
    }
    return mb_atomic_commit(&af);
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
    for (const char *ext = "pdf"; ext; ext = strcmp(ext, "pdf") == 0 ? "png" : NULL) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
        remove(path);
    }
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
    free(msg);
    return rc;
}
