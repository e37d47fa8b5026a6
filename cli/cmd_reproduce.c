/* cmd_reproduce.c: `membptt reproduce`: the paper's sweeps, an LSTM measurement, fits, the
 * summary table and every figure (drawn by cmd_plot.c). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"
#include "plots/plots.h"
#include "sim/fit.h"
#include "sweep/sweep.h"
#include "measure/measure.h"

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---------------------------------------------------------------------------------------------
 * Fits and tables
 */

static int is(const mb_csv *t, size_t r, int col, const char *v)
{
    return col >= 0 && strcmp(t->rows[r][col], v) == 0;
}

typedef struct {
    FILE *csv; /* fits CSV (one record schema) */
    int header_done;
} fit_out;

static void fit_row(fit_out *fo, const char *fit, const char *group, const mb_fit_power *f,
                    double reference, const char *reference_name)
{
    mb_record r = {0};
    mb_record_string(&r, "fit", fit);
    mb_record_string(&r, "group", group);
    mb_record_int(&r, "points", (int64_t)f->n);
    mb_record_double(&r, "exponent", f->exponent);
    mb_record_double(&r, "exponent_se", f->exponent_se);
    mb_record_double(&r, "ci95_low", f->ci_low);
    mb_record_double(&r, "ci95_high", f->ci_high);
    mb_record_double(&r, "prefactor", f->prefactor);
    mb_record_double(&r, "r2", f->r2);
    if (isfinite(reference))
        mb_record_double(&r, "reference_exponent", reference);
    else
        mb_record_empty(&r, "reference_exponent");
    mb_record_string(&r, "reference", reference_name);
    mb_record_print(fo->csv, &r, MB_FORMAT_CSV, !fo->header_done);
    fo->header_done = 1;
}

/* Per budget m: the exponent of HSM cost against t, beside the paper's 1 + 1/m; and the
 * bound C <= m t^(1+1/m) on every HSM/revolve row. */
static void hsm_fits(const mb_csv *t, fit_out *fo)
{
    int sw = mb_csv_col(t, "sweep"), sv = mb_csv_col(t, "solver"), st = mb_csv_col(t, "steps"),
        bu = mb_csv_col(t, "budget_units"), fw = mb_csv_col(t, "forward_ops"),
        ha = mb_csv_col(t, "hidden_units");
    double x[4096], y[4096];
    double ms[16];
    int nm = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        if (!is(t, r, sw, "hsm"))
            continue;
        double m = mb_csv_num(t, r, bu);
        int seen = 0;
        for (int k = 0; k < nm; k++)
            seen |= ms[k] == m;
        if (!seen && nm < 16)
            ms[nm++] = m;
    }
    printf("\nHSM: exponent k of C(t) ~ t^k per budget m (least squares on log-log, 95%% CI),"
           "\nbeside the paper's bound exponent 1 + 1/m\n\n");
    printf("%8s %7s %9s %21s %10s %8s   %s\n", "m", "points", "k", "95% CI", "1 + 1/m", "R^2",
           "t range");
    for (int k = 0; k < nm; k++) {
        size_t n = 0;
        double tmin = INFINITY, tmax = 0;
        for (size_t r = 0; r < t->n_rows && n < 4096; r++)
            if (is(t, r, sw, "hsm") && mb_csv_num(t, r, bu) == ms[k] &&
                isfinite(mb_csv_num(t, r, fw))) {
                x[n] = mb_csv_num(t, r, st);
                y[n] = mb_csv_num(t, r, fw);
                tmin = fmin(tmin, x[n]);
                tmax = fmax(tmax, x[n]);
                n++;
            }
        mb_fit_power f;
        char group[32];
        snprintf(group, sizeof group, "m=%g", ms[k]);
        if (mb_fit_power_law(x, y, n, 0.95, &f) != MB_OK) {
            printf("%8g %7zu   (too few points: %s)\n", ms[k], n, mb_errmsg());
            continue;
        }
        printf("%8g %7zu %9.4f   [%7.4f, %7.4f] %10.4f %8.5f   %g..%g\n", ms[k], n, f.exponent,
               f.ci_low, f.ci_high, 1 + 1 / ms[k], f.r2, tmin, tmax);
        fit_row(fo, "hsm_cost_vs_steps", group, &f, 1 + 1 / ms[k], "paper bound m*t^(1+1/m)");
    }
    printf("(1 + 1/m is the exponent of C only for t >> m; below t = m + 1 the cost is 2t - 1\n"
           " (slope 1), and a range that crosses from there into recomputation has a local slope\n"
           " above 1 + 1/m. The bound itself is checked point by point below.)\n");
    size_t checked = 0, bad = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        const mb_solver_type *type = mb_solver_lookup(t->rows[r][sv]);
        if (type == NULL || !(type->flags & MB_SOLVER_HSM_BOUND))
            continue;
        double c = mb_csv_num(t, r, fw), tt = mb_csv_num(t, r, st);
        double m = floor(mb_csv_num(t, r, bu) / mb_csv_num(t, r, ha));
        if (!isfinite(c))
            continue;
        checked++;
        if (!mb_fit_hsm_bound_holds(tt, m, c)) {
            if (bad++ < 20)
                printf("  bound violated: %s t = %g, m = %g: C = %g > %g\n", t->rows[r][sv], tt,
                       m, c, m * pow(tt, 1 + 1 / m));
        }
    }
    printf("\nBound C <= m t^(1+1/m): %zu HSM/revolve points checked, %zu violations\n", checked,
           bad);
}

/* The first row matching sweep, solver, steps and budget_spec, or -1. */
static long find_row(const mb_csv *t, const char *sweep, const char *solver, const char *steps,
                     const char *spec)
{
    int sw = mb_csv_col(t, "sweep"), sv = mb_csv_col(t, "solver"), st = mb_csv_col(t, "steps"),
        sp = mb_csv_col(t, "budget_spec");
    for (size_t r = 0; r < t->n_rows; r++)
        if (is(t, r, sw, sweep) && is(t, r, sv, solver) && is(t, r, st, steps) &&
            (spec == NULL || is(t, r, sp, spec)))
            return (long)r;
    return -1;
}

static void solver_table(const mb_csv *t)
{
    int sv = mb_csv_col(t, "solver"), fw = mb_csv_col(t, "forward_ops"),
        pk = mb_csv_col(t, "peak_units"), pf = mb_csv_col(t, "peak_fraction"),
        pt = mb_csv_col(t, "predicted_time_vs_full"), fe = mb_csv_col(t, "feasible"),
        mn = mb_csv_col(t, "min_budget_units"), sw = mb_csv_col(t, "sweep"),
        sp = mb_csv_col(t, "budget_spec"), bu = mb_csv_col(t, "budget_units");
    printf("\nEvery solver at t = 1000, alpha = 5, budget 5%% of full-BPTT memory (the paper's "
           "headline problem;\ntime model c_f = 1, c_b = 2)\n\n");
    printf("%-9s %8s %11s %8s %8s %12s %11s\n", "solver", "budget", "forward_ops", "per_step",
           "peak", "memory_saved", "time/full");
    for (size_t r = 0; r < t->n_rows; r++) {
        if (!is(t, r, sw, "budget") || !is(t, r, sp, "5%"))
            continue;
        if (!is(t, r, fe, "true")) {
            printf("%-9s %8s infeasible: needs at least %s units\n", t->rows[r][sv],
                   t->rows[r][bu], t->rows[r][mn]);
            continue;
        }
        printf("%-9s %8s %11s %8.3f %8s %11.1f%% %11.3f\n", t->rows[r][sv], t->rows[r][bu],
               t->rows[r][fw], mb_csv_num(t, r, fw) / 1000.0, t->rows[r][pk],
               100 * (1 - mb_csv_num(t, r, pf)), mb_csv_num(t, r, pt));
    }
}

static void chen_table(const mb_csv *t)
{
    int sw = mb_csv_col(t, "sweep"), sv = mb_csv_col(t, "solver"), st = mb_csv_col(t, "steps"),
        al = mb_csv_col(t, "internal_units"), bu = mb_csv_col(t, "budget_units"),
        cps = mb_csv_col(t, "cost_per_step");
    double tmax = 0;
    for (size_t r = 0; r < t->n_rows; r++)
        if (is(t, r, sw, "chen-search"))
            tmax = fmax(tmax, mb_csv_num(t, r, st));
    if (tmax == 0)
        return;
    printf("\nAgainst Chen's sqrt(t) at t = %g (memory in units of a hidden state; Chen's memory\n"
           "is our sqrt solver's smallest budget, about sqrt(t)(1+beta))\n\n", tmax);
    printf("%5s %12s %16s %10s %18s %18s\n", "beta", "Chen memory", "MSM mem, C<=2t", "ratio",
           "MSM C/t at Chen", "Chen C/t");
    for (size_t r = 0; r < t->n_rows; r++) {
        if (!is(t, r, sw, "chen-search") || mb_csv_num(t, r, st) != tmax)
            continue;
        double a = mb_csv_num(t, r, al), msm_mem = mb_csv_num(t, r, bu);
        double chen_mem = NAN, msm_c = NAN, chen_c = NAN;
        for (size_t q = 0; q < t->n_rows; q++) {
            if (!is(t, q, sw, "chen-memory") || mb_csv_num(t, q, st) != tmax ||
                mb_csv_num(t, q, al) != a)
                continue;
            if (is(t, q, sv, "sqrt")) {
                chen_mem = mb_csv_num(t, q, bu);
                chen_c = mb_csv_num(t, q, cps);
            } else if (is(t, q, sv, "msm"))
                msm_c = mb_csv_num(t, q, cps);
        }
        printf("%5g %12g %16g %10.3f %18.3f %18.3f\n", a - 1, chen_mem, msm_mem,
               msm_mem / chen_mem, msm_c, chen_c);
    }
    printf("(the paper: for the same cost the DP needs markedly less memory -- a reviewer read "
           "\"about half\" --\n and at Chen's memory it is not much faster: that budget is "
           "already in the regime of diminishing returns)\n");
}

/* Measured rows: calibration of per-op costs, predicted against measured ratios, and the
 * exponent of measured time against t. */
static void lstm_fits(const mb_csv *t, fit_out *fo, FILE *cal_out)
{
    int md = mb_csv_col(t, "mode"), sw = mb_csv_col(t, "sweep"), st = mb_csv_col(t, "steps"),
        rc_ = mb_csv_col(t, "recompute_ops"),
        ts = mb_csv_col(t, "time_s"), tf = mb_csv_col(t, "time_full_s"),
        tr = mb_csv_col(t, "time_ratio"), pr = mb_csv_col(t, "predicted_time_ratio"),
        pa = mb_csv_col(t, "predicted_time_vs_full"), mf = mb_csv_col(t, "budget_fraction"),
        ps = mb_csv_col(t, "peak_store_bytes"), bb = mb_csv_col(t, "budget_bytes"),
        pfb = mb_csv_col(t, "peak_store_full_bytes"), bu = mb_csv_col(t, "budget_units"),
        sv = mb_csv_col(t, "solver");
    int cb = mb_csv_col(t, "copied_bytes"), ib = mb_csv_col(t, "internal_bytes"),
        ff = mb_csv_col(t, "first_forward_s"), fff = mb_csv_col(t, "full_first_forward_s");
    if (md < 0 || ts < 0)
        return;
    /* rows: each measured plan run and the full-BPTT run measured beside it (no recompute;
     * it stores s_1..s_{t-1}, so it copies internal_bytes*(t-1) bytes) */
    size_t n = 0;
    mb_fit_run *runs = mb_malloc((2 * t->n_rows + 1) * sizeof *runs);
    double *x = mb_malloc((t->n_rows + 1) * sizeof *x), *y = mb_malloc((t->n_rows + 1) * sizeof *y);
    if (runs == NULL || x == NULL || y == NULL) {
        mb_free(runs);
        mb_free(x);
        mb_free(y);
        return;
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        if (!is(t, r, md, "measured") || !isfinite(mb_csv_num(t, r, ts)))
            continue;
        const double steps = mb_csv_num(t, r, st);
        runs[n++] = (mb_fit_run){steps, mb_csv_num(t, r, rc_), mb_csv_num(t, r, cb),
                                 mb_csv_num(t, r, ts), mb_csv_num(t, r, ff)};
        runs[n++] = (mb_fit_run){steps, 0, mb_csv_num(t, r, ib) * (steps - 1),
                                 mb_csv_num(t, r, tf), mb_csv_num(t, r, fff)};
    }
    mb_fit_calibration cal;
    int have_fit = 0;
    printf("\nLSTM: per-op costs fitted by least squares (gsl_multifit_linear) to %zu measured "
           "runs\n(each plan run and the full-BPTT run measured beside it;\n"
           " docs/design.md, \"Cost model\"):\n", n);
    printf("  time_s = (c_f + c_b) * t + c_r * recompute_ops + c_copy * copied_bytes, and\n"
           "  first_forward_s = c_f * t (every run does t first forwards and t backwards, so "
           "only the\n  first-forward phase tells c_f from c_b)\n");
    if (mb_fit_calibrate(runs, n, &cal) == MB_OK) {
        have_fit = 1;
        printf("  c_f = %.3e s (+- %.1e), c_b = %.3e s, c_r = %.3e s (+- %.1e, c_r/c_f = %.3f), "
               "c_copy = %.2e s/byte%s, R^2 = %.4f\n",
               cal.c_f, cal.c_f_se, cal.c_b, cal.c_r, cal.total.se[MB_FIT_RECOMPUTE],
               cal.c_r / cal.c_f, cal.c_copy, cal.copy_fitted ? "" : " (not fitted)",
               cal.total.r2);
        mb_record r = {0};
        mb_record_int(&r, "rows", (int64_t)cal.total.n);
        mb_record_double(&r, "cost_step_s", cal.total.coef[MB_FIT_STEP]);
        mb_record_double(&r, "cost_step_se_s", cal.total.se[MB_FIT_STEP]);
        mb_record_double(&r, "cost_recompute_s", cal.c_r);
        mb_record_double(&r, "cost_recompute_se_s", cal.total.se[MB_FIT_RECOMPUTE]);
        mb_record_double(&r, "r2", cal.total.r2);
        mb_record_double(&r, "rms_s", cal.total.rms);
        mb_record_double(&r, "cost_forward_s", cal.c_f);
        mb_record_double(&r, "cost_backward_s", cal.c_b);
        if (cal.copy_fitted)
            mb_record_double(&r, "cost_copy_s_per_byte", cal.c_copy);
        else
            mb_record_empty(&r, "cost_copy_s_per_byte");
        mb_record_print(cal_out, &r, MB_FORMAT_CSV, 1);
    } else {
        printf("  not fitted: %s\n", mb_errmsg());
    }
    printf("\nLSTM at t = 1000: measured against predicted (time relative to full BPTT in the "
           "same process)\n\n");
    printf("%-7s %8s %8s %10s %12s %12s %12s %12s %12s\n", "solver", "budget", "memory",
           "measured", "pred(run)", "pred(fit)", "pred(1,2)", "peak_MiB", "budget_MiB");
    for (size_t r = 0; r < t->n_rows; r++) {
        if (!is(t, r, md, "measured") || !is(t, r, sw, "budget"))
            continue;
        double pf = NAN;
        if (have_fit) {
            const double steps = mb_csv_num(t, r, st);
            double plan = (cal.c_f + cal.c_b) * steps + cal.c_r * mb_csv_num(t, r, rc_) +
                          cal.c_copy * mb_csv_num(t, r, cb);
            double full = (cal.c_f + cal.c_b) * steps +
                          cal.c_copy * mb_csv_num(t, r, ib) * (steps - 1);
            pf = plan / full;
        }
        printf("%-7s %8s %7.1f%% %10.3f %12.3f %12.3f %12.3f %12.3f %12.3f\n", t->rows[r][sv],
               t->rows[r][bu], 100 * mb_csv_num(t, r, mf), mb_csv_num(t, r, tr),
               mb_csv_num(t, r, pr), pf, mb_csv_num(t, r, pa),
               mb_csv_num(t, r, ps) / 1048576.0, mb_csv_num(t, r, bb) / 1048576.0);
    }
    printf("(pred(run): sim's model with the per-op costs measured in that run, c_r included; "
           "pred(fit):\n the least-squares costs above; pred(1,2): c_f = c_r = 1, c_b = 2. Full "
           "BPTT's store peak is %.2f MiB.)\n",
           pfb >= 0 && t->n_rows ? mb_csv_num(t, 0, pfb) / 1048576.0 : NAN);
    /* measured asymptotics: time against t at each fixed budget of sweep "length" */
    double budgets[16];
    int nb = 0;
    for (size_t r = 0; r < t->n_rows; r++)
        if (is(t, r, sw, "length")) {
            double b = mb_csv_num(t, r, bu);
            int seen = 0;
            for (int k = 0; k < nb; k++)
                seen |= budgets[k] == b;
            if (!seen && nb < 16)
                budgets[nb++] = b;
        }
    if (nb > 0)
        printf("\nLSTM: exponent of time against t at fixed budgets (measured, and the model's "
               "forward_ops*1 + t*2)\n\n%8s %7s %10s %21s %10s\n", "budget", "points",
               "measured", "95% CI", "model");
    int pt_ = mb_csv_col(t, "predicted_time");
    for (int k = 0; k < nb; k++) {
        size_t m = 0;
        double *xx = x, *ym = y, ya[64];
        for (size_t r = 0; r < t->n_rows && m < 64; r++)
            if (is(t, r, sw, "length") && mb_csv_num(t, r, bu) == budgets[k] &&
                isfinite(mb_csv_num(t, r, ts))) {
                xx[m] = mb_csv_num(t, r, st);
                ym[m] = mb_csv_num(t, r, ts);
                ya[m] = mb_csv_num(t, r, pt_);
                m++;
            }
        mb_fit_power fm, fa;
        char group[32];
        snprintf(group, sizeof group, "budget=%g", budgets[k]);
        if (mb_fit_power_law(xx, ym, m, 0.95, &fm) != MB_OK ||
            mb_fit_power_law(xx, ya, m, 0.95, &fa) != MB_OK) {
            printf("%8g %7zu   (too few points)\n", budgets[k], m);
            continue;
        }
        printf("%8g %7zu %10.4f   [%7.4f, %7.4f] %10.4f\n", budgets[k], m, fm.exponent,
               fm.ci_low, fm.ci_high, fa.exponent);
        fit_row(fo, "lstm_time_vs_steps", group, &fm, fa.exponent, "model predicted_time");
        /* every counter that was counted: its total over the four phases against t */
        for (size_t col = 0; col < t->n_cols; col++) {
            const char *name = t->names[col];
            size_t nl = strlen(name);
            if (nl < 7 || strcmp(name + nl - 6, ".first") != 0)
                continue;
            char ev[160], kr[200], kb[200], kc[200];
            snprintf(ev, sizeof ev, "%.*s", (int)(nl - 6), name);
            snprintf(kr, sizeof kr, "%s.recompute", ev);
            snprintf(kb, sizeof kb, "%s.backward", ev);
            snprintf(kc, sizeof kc, "%s.copy", ev);
            int cr = mb_csv_col(t, kr), cbk = mb_csv_col(t, kb), cc = mb_csv_col(t, kc);
            size_t mm = 0, counted = 0;
            for (size_t r = 0; r < t->n_rows && mm < 64; r++)
                if (is(t, r, sw, "length") && mb_csv_num(t, r, bu) == budgets[k]) {
                    double v = mb_csv_num(t, r, (int)col) + mb_csv_num(t, r, cr) +
                               mb_csv_num(t, r, cbk) + mb_csv_num(t, r, cc);
                    if (!isfinite(v))
                        continue; /* not counted on this machine: no fit, no zero */
                    counted++;
                    xx[mm] = mb_csv_num(t, r, st);
                    ym[mm++] = v;
                }
            mb_fit_power fc_;
            if (mm >= 3 && mb_fit_power_law(xx, ym, mm, 0.95, &fc_) == MB_OK) {
                printf("%8s %7zu %10.4f   [%7.4f, %7.4f] %10.4f   (counter %s, all phases)\n", "",
                       mm, fc_.exponent, fc_.ci_low, fc_.ci_high, fa.exponent, ev);
                char fit[200];
                snprintf(fit, sizeof fit, "lstm_%s_vs_steps", ev);
                fit_row(fo, fit, group, &fc_, fa.exponent, "model predicted_time");
            } else if (counted == 0) {
                printf("%8s %7s %10s   (counter %s: not available on this machine)\n", "", "-",
                       "-", ev);
            } else {
                printf("%8s %7zu %10s   (counter %s: counted, but fewer than 3 positive totals: "
                       "no power law)\n", "", counted, "-", ev);
            }
        }
    }
    mb_free(runs);
    mb_free(x);
    mb_free(y);
}

/* The summary: t = 1000 at 5% memory, beside the paper's numbers. */
static void summary(const mb_csv *paper, const mb_csv *lstm)
{
    long r = find_row(paper, "budget", "msm", "1000", "5%");
    printf("\n==== membptt reproduce: the paper's headline, t = 1000 at 5%% memory ====\n\n");
    printf("%-44s %14s %16s\n", "", "membptt", "paper");
    if (r >= 0) {
        int pf = mb_csv_col(paper, "peak_fraction"), cps = mb_csv_col(paper, "cost_per_step"),
            pt = mb_csv_col(paper, "predicted_time_vs_full");
        printf("%-44s %13.1f%% %16s\n", "memory saved (MSM, alpha = 5, model)",
               100 * (1 - mb_csv_num(paper, (size_t)r, pf)), "95%");
        printf("%-44s %14.3f %16s\n", "forward ops per step (C/t)",
               mb_csv_num(paper, (size_t)r, cps), "-");
        printf("%-44s %13.3fx %16s\n", "predicted time ratio (c_f = 1, c_b = 2)",
               mb_csv_num(paper, (size_t)r, pt), "~1.33x");
    }
    long q = lstm ? find_row(lstm, "budget", "msm", "1000", "5%") : -1;
    if (q >= 0) {
        int ss = mb_csv_col(lstm, "store_saved"), tr = mb_csv_col(lstm, "time_ratio"),
            pr = mb_csv_col(lstm, "predicted_time_ratio"), cps = mb_csv_col(lstm, "cost_per_step");
        printf("%-44s %13.1f%% %16s\n", "memory saved (LSTM run, measured store peak)",
               100 * mb_csv_num(lstm, (size_t)q, ss), "95%");
        printf("%-44s %14.3f %16s\n", "forward ops per step (LSTM run)",
               mb_csv_num(lstm, (size_t)q, cps), "-");
        printf("%-44s %13.3fx %16s\n", "predicted time ratio (LSTM, measured op costs)",
               mb_csv_num(lstm, (size_t)q, pr), "~1.33x");
        printf("%-44s %13.3fx %16s\n", "measured time ratio (LSTM, median)",
               mb_csv_num(lstm, (size_t)q, tr), "~1.33x");
    } else {
        printf("%-44s %14s %16s\n", "measured time ratio", "not measured", "~1.33x");
    }
    printf("\n(paper: \"saves 95%% of memory usage while using only one third more time per "
           "iteration\nthan the standard BPTT\"; our LSTM's sizes are ours: the paper's are not "
           "known)\n");
}

/* ---------------------------------------------------------------------------------------------
 * reproduce
 */

/* Runs a built-in config (`name`) or, when `file` is set, the config file. */
static int run_config(const char *name, const char *file, const char *results, int resume,
                      int quiet, mb_sweep_config **cfg_out)
{
    mb_sweep_config *cfg;
    int rc;
    if (file) {
        rc = mb_sweep_config_load(file, &cfg);
    } else {
        const char *text = mb_sweep_embedded_config(name);
        char label[256];
        snprintf(label, sizeof label, "configs/%s.ini", name);
        rc = mb_sweep_config_parse(label, text ? text : "", &cfg);
    }
    if (rc != MB_OK)
        return rc;
    if (!resume) {
        const char *ext[] = {"csv", "json", "timing.csv"};
        for (int i = 0; i < 3; i++) {
            char p[4400];
            snprintf(p, sizeof p, "%s/%s.%s", results, cfg->name, ext[i]);
            remove(p);
        }
    }
    mb_sweep_options o = {.out_dir = results, .progress = quiet ? NULL : stderr};
    mb_sweep_result res;
    double t0 = mb_clock_wall();
    rc = mb_sweep_run(cfg, &o, &res);
    if (rc != MB_OK) {
        mb_sweep_config_free(cfg);
        return rc;
    }
    printf("  %-34s %4zu rows (%zu computed, %zu kept) in %.1f s\n", res.csv, res.points,
           res.computed, res.resumed, mb_clock_wall() - t0);
    fflush(stdout);
    *cfg_out = cfg;
    return MB_OK;
}

static void reproduce_help(void)
{
    printf("usage: membptt reproduce [--full] [--out DIR] [--resume] [--no-measure] [--quiet]\n"
           "                         [--analytic FILE] [--bench FILE] [--force]\n\n"
           "Regenerates the paper's results: the analytic sweeps of its figures (configs/quick.ini,\n"
           "or configs/paper.ini with --full; both are built into the command), a real LSTM\n"
           "measurement (configs/lstm-quick.ini, or configs/lstm.ini), the fits (HSM exponents\n"
           "against 1 + 1/m, the bound on every point, per-op cost calibration, measured\n"
           "asymptotics), a summary table beside the paper's numbers, and eight figures.\n\n"
           "Writes DIR/results/*.csv (+ .json metadata) and DIR/plots/*.pdf, *.png with the .gp\n"
           "script of each. The default uses about 27 s of CPU; --full about 224 s (README.md).\n\n"
           "options:\n"
           "  --full          the whole of paper.ini and lstm.ini\n"
           "  --out DIR       output folder (default .: results/ and plots/ here)\n"
           "  --resume        keep rows of an earlier, interrupted run (default: recompute)\n"
           "  --no-measure    skip the LSTM measurement (analytic results only)\n"
           "  --analytic FILE an analytic config instead of the built-in one; figures read the\n"
           "                  sections named as in configs/quick.ini (configs/smoke.ini: seconds)\n"
           "  --bench FILE    solver timings for figure 7 (default results/bench_solvers.csv,\n"
           "                  written by bench_solvers)\n"
           "  --quiet         no progress on stderr\n"
           "  --force         replace figure scripts you edited (kept and drawn otherwise)\n");
}

int cmd_reproduce(int argc, char **argv)
{
    static const struct option opts[] = {
        {"full", no_argument, NULL, 'f'},       {"out", required_argument, NULL, 'o'},
        {"resume", no_argument, NULL, 'r'},     {"no-measure", no_argument, NULL, 'n'},
        {"quiet", no_argument, NULL, 'q'},      {"bench", required_argument, NULL, 'b'},
        {"analytic", required_argument, NULL, 'a'}, {"force", no_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    const char *out = ".", *bench = "results/bench_solvers.csv", *analytic = NULL;
    int full = 0, resume = 0, measure = 1, quiet = 0, force = 0, c, rc = MB_OK;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1 && rc == MB_OK) {
        switch (c) {
        case 'f': full = 1; break;
        case 'o': out = optarg; break;
        case 'F': force = 1; break;
        case 'r': resume = 1; break;
        case 'n': measure = 0; break;
        case 'q': quiet = 1; break;
        case 'b': bench = optarg; break;
        case 'a': analytic = optarg; break;
        case 'h': reproduce_help(); return 0;
        case ':': rc = MB_ERROR(MB_EINVAL, "%s: missing value", argv[optind - 1]); break;
        default: rc = MB_ERROR(MB_EINVAL, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (rc == MB_OK && optind < argc)
        rc = MB_ERROR(MB_EINVAL, "unexpected argument '%s'", argv[optind]);
    if (rc == MB_OK)
        rc = mb_output_path_check("--out", out, 1);
    if (rc != MB_OK)
        return cli_fail("reproduce", rc);
    cli_repro_set setv = full ? cli_full_set : cli_quick_set;
    const cli_repro_set *set = &setv;
    char results[4200];
    snprintf(results, sizeof results, "%s/results", out);
    if ((rc = cli_mkdir_p(results)) != MB_OK)
        return cli_fail("reproduce", rc);
    double t0 = mb_clock_wall();
    setvbuf(stdout, NULL, _IOLBF, 0); /* lines in order with the progress on stderr */
    printf("membptt reproduce%s: sweeps into %s\n", full ? " --full" : "", results);
    mb_sweep_config *acfg = NULL, *lcfg = NULL;
    if ((rc = run_config(set->analytic_config, analytic, results, resume, quiet, &acfg)) != MB_OK)
        return cli_fail("reproduce", rc);
    char stem[80];
    snprintf(stem, sizeof stem, "%s", acfg->name); /* the CSV the figures read */
    setv.paper = stem;
    char path[4400];
    snprintf(path, sizeof path, "%s/%s.csv", results, set->plan);
    rc = mb_sweep_write_plan_ops(acfg, path);
    mb_sweep_config_free(acfg);
    if (rc != MB_OK)
        return cli_fail("reproduce", rc);
    printf("  %-34s one plan, op by op (figure 6)\n", path);
    if (measure) {
        if ((rc = run_config(set->lstm_config, NULL, results, resume, quiet, &lcfg)) != MB_OK)
            return cli_fail("reproduce", rc);
        mb_sweep_config_free(lcfg);
    }
    /* fits and tables */
    mb_csv *paper = NULL, *lstm = NULL;
    snprintf(path, sizeof path, "%s/%s.csv", results, set->paper);
    if ((rc = mb_csv_load(path, &paper)) != MB_OK)
        return cli_fail("reproduce", rc);
    if (measure) {
        snprintf(path, sizeof path, "%s/%s.csv", results, set->lstm);
        if ((rc = mb_csv_load(path, &lstm)) != MB_OK) {
            mb_csv_free(paper);
            return cli_fail("reproduce", rc);
        }
    }
    mb_atomic_file fits, cal;
    char fpath[4400], cpath[4400];
    snprintf(fpath, sizeof fpath, "%s/%s.csv", results, set->fits);
    snprintf(cpath, sizeof cpath, "%s/%s.csv", results, set->calibration);
    if ((rc = mb_atomic_open(&fits, fpath)) != MB_OK ||
        (rc = mb_atomic_open(&cal, cpath)) != MB_OK) {
        mb_csv_free(paper);
        mb_csv_free(lstm);
        return cli_fail("reproduce", rc);
    }
    fit_out fo = {fits.f, 0};
    summary(paper, lstm);
    solver_table(paper);
    hsm_fits(paper, &fo);
    chen_table(paper);
    if (lstm)
        lstm_fits(lstm, &fo, cal.f);
    mb_csv_free(paper);
    mb_csv_free(lstm);
    /* each CSV with its sidecar; a CSV with no row is not written (no stale one stays) */
    char config_name[512];
    snprintf(config_name, sizeof config_name, "%s", analytic ? analytic : set->analytic_config);
    mb_meta_config fcf[] = {{"command", "membptt reproduce"}, {"analytic_config", config_name},
                            {"lstm_config", measure ? set->lstm_config : NULL}};
    struct {
        mb_atomic_file *af;
        const char *path, *what;
    } outs[] = {{&fits, fpath, "least-squares fits: HSM cost and LSTM time against steps, with "
                               "95% intervals and the model's exponent"},
                {&cal, cpath, "per-op costs of the LSTM fitted to its measured medians"}};
    for (int i = 0; i < 2; i++) {
        char side[4400];
        mb_sidecar_path(outs[i].path, side, sizeof side);
        if (ftell(outs[i].af->f) == 0) {
            mb_atomic_abort(outs[i].af);
            remove(outs[i].path);
            remove(side);
            continue;
        }
        if ((rc = mb_atomic_commit(outs[i].af)) != MB_OK ||
            (rc = mb_sidecar_write(outs[i].path, outs[i].what, fcf,
                                   sizeof fcf / sizeof fcf[0])) != MB_OK) {
            if (i == 0)
                mb_atomic_abort(&cal);
            return cli_fail("reproduce", rc);
        }
    }
    printf("\nFits: %s%s%s\n", fpath, measure ? ", " : "", measure ? cpath : "");
    printf("\nFigures (gnuplot, from the CSVs alone; each .gp redraws its figure):\n");
    int drawn;
    rc = cli_draw_figures(out, set, exists(bench) ? bench : NULL, force, 0, NULL, 0, &drawn);
    printf("\nDone in %.0f s.\n", mb_clock_wall() - t0);
    return rc == MB_OK ? 0 : cli_fail("reproduce", rc);
}
