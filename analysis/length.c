/* length.c: measured asymptotics: per budget of a length sweep, the exponent of measured time,
 * of the model's predicted time and of every counted event against t; and the rows of the fits
 * CSV (docs/design.md, "Analysis"). */
#include "analysis/analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "core/alloc.h"
#include "core/error.h"

/* The columns one budget's fits read. */
typedef struct {
    int sw, st, bu, ts, pt;
} length_cols;

/* The total over the plan's four phases of the counter whose ".first" column is `first`: the
 * other three columns are found by name; a row without all four is not counted. */
static int counter_fit(const mb_csv *t, const length_cols *c, const char *section, double budget,
                       int first, double *x, double *y, mb_analysis_counter_fit *out)
{
    const char *name = t->names[first];
    size_t len = strlen(name) - strlen(".first");
    char *key = mb_malloc(len + 16);
    if (key == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    static const char *const phases[3] = {".recompute", ".backward", ".copy"};
    int other[3];
    for (int k = 0; k < 3; k++) {
        snprintf(key, len + 16, "%.*s%s", (int)len, name, phases[k]);
        other[k] = mb_csv_col(t, key);
    }
    mb_free(key);
    memset(out, 0, sizeof *out);
    out->event = name;
    out->event_len = (int)len;
    for (size_t r = 0; r < t->n_rows; r++) {
        if (!mb_an_is(t, r, c->sw, section) || mb_csv_num(t, r, c->bu) != budget)
            continue;
        double v = mb_csv_num(t, r, first) + mb_csv_num(t, r, other[0]) +
                   mb_csv_num(t, r, other[1]) + mb_csv_num(t, r, other[2]);
        if (!isfinite(v))
            continue; /* not counted on this machine: no fit, no zero */
        x[out->counted] = mb_csv_num(t, r, c->st);
        y[out->counted++] = v;
    }
    int rc = out->counted >= 3 ? mb_fit_power_law(x, y, out->counted, 0.95, &out->fit)
                               : MB_EINVAL;
    out->fitted = rc == MB_OK;
    return rc == MB_ENOMEM ? rc : MB_OK; /* no memory is an error, not a lack of data */
}

/* One budget: time and the model against t, then every counter. */
static int length_group(const mb_csv *t, const length_cols *c, const char *section,
                        double budget, double *x, double *y, double *ya,
                        mb_analysis_length_group *g)
{
    memset(g, 0, sizeof *g);
    g->budget = budget;
    for (size_t r = 0; r < t->n_rows; r++)
        if (mb_an_is(t, r, c->sw, section) && mb_csv_num(t, r, c->bu) == budget &&
            isfinite(mb_csv_num(t, r, c->ts))) {
            x[g->points] = mb_csv_num(t, r, c->st);
            y[g->points] = mb_csv_num(t, r, c->ts);
            ya[g->points++] = mb_csv_num(t, r, c->pt);
        }
    int rc = mb_fit_power_law(x, y, g->points, 0.95, &g->measured);
    if (rc == MB_OK)
        rc = mb_fit_power_law(x, ya, g->points, 0.95, &g->model);
    g->fitted = rc == MB_OK;
    if (!g->fitted)
        return rc == MB_ENOMEM ? rc : MB_OK; /* no memory is an error, not a lack of data */
    size_t cap = 0;
    for (size_t col = 0; col < t->n_cols; col++) {
        size_t nl = strlen(t->names[col]);
        if (nl < 7 || strcmp(t->names[col] + nl - 6, ".first") != 0)
            continue;
        rc = mb_an_grow((void **)&g->counters, sizeof *g->counters, g->n_counters, &cap);
        if (rc == MB_OK)
            rc = counter_fit(t, c, section, budget, (int)col, x, y, &g->counters[g->n_counters]);
        if (rc != MB_OK)
            return rc;
        g->n_counters++;
    }
    return MB_OK;
}

int mb_analysis_length_fits(const mb_csv *t, const char *section, mb_analysis_length *out)
{
    memset(out, 0, sizeof *out);
    length_cols c;
    int rc;
    if ((rc = mb_an_col(t, "sweep", &c.sw)) != MB_OK || (rc = mb_an_col(t, "steps", &c.st)) != MB_OK ||
        (rc = mb_an_col(t, "budget_units", &c.bu)) != MB_OK)
        return rc;
    c.ts = mb_csv_col(t, "time_s");
    c.pt = mb_csv_col(t, "predicted_time");
    double *budgets = NULL;
    size_t nb = 0, cap = 0;
    for (size_t r = 0; r < t->n_rows && rc == MB_OK; r++)
        if (mb_an_is(t, r, c.sw, section))
            rc = mb_an_distinct(&budgets, &nb, &cap, mb_csv_num(t, r, c.bu));
    if (rc == MB_OK && nb > 0 && (c.ts < 0 || c.pt < 0))
        rc = MB_ERROR(MB_EINVAL, "section '%s' has rows but the table no time_s or "
                      "predicted_time column", section);
    double *x = mb_malloc((t->n_rows + 1) * sizeof *x), *y = mb_malloc((t->n_rows + 1) * sizeof *y),
           *ya = mb_malloc((t->n_rows + 1) * sizeof *ya);
    if (rc == MB_OK && (x == NULL || y == NULL || ya == NULL ||
                        (nb > 0 && (out->groups = mb_calloc(nb, sizeof *out->groups)) == NULL)))
        rc = MB_ERROR(MB_ENOMEM, "out of memory");
    for (size_t k = 0; k < nb && rc == MB_OK; k++) {
        rc = length_group(t, &c, section, budgets[k], x, y, ya, &out->groups[k]);
        out->n++; /* freed by fini even when it failed half way */
    }
    mb_free(budgets);
    mb_free(x);
    mb_free(y);
    mb_free(ya);
    if (rc != MB_OK)
        mb_analysis_length_fini(out);
    return rc;
}

void mb_analysis_length_fini(mb_analysis_length *l)
{
    for (size_t k = 0; k < l->n; k++)
        mb_free(l->groups[k].counters);
    mb_free(l->groups);
    memset(l, 0, sizeof *l);
}

void mb_analysis_length_print(FILE *f, const mb_analysis_length *l)
{
    if (l->n > 0)
        fprintf(f, "\nLSTM: exponent of time against t at fixed budgets (measured, and the "
                "model's forward_ops*1 + t*2)\n\n%8s %7s %10s %21s %10s\n", "budget", "points",
                "measured", "95% CI", "model");
    for (size_t k = 0; k < l->n; k++) {
        const mb_analysis_length_group *g = &l->groups[k];
        if (!g->fitted) {
            fprintf(f, "%8g %7zu   (too few points)\n", g->budget, g->points);
            continue;
        }
        fprintf(f, "%8g %7zu %10.4f   [%7.4f, %7.4f] %10.4f\n", g->budget, g->points,
                g->measured.exponent, g->measured.ci_low, g->measured.ci_high,
                g->model.exponent);
        for (size_t i = 0; i < g->n_counters; i++) {
            const mb_analysis_counter_fit *c = &g->counters[i];
            if (c->fitted)
                fprintf(f, "%8s %7zu %10.4f   [%7.4f, %7.4f] %10.4f   (counter %.*s, all "
                        "phases)\n", "", c->counted, c->fit.exponent, c->fit.ci_low,
                        c->fit.ci_high, g->model.exponent, c->event_len, c->event);
            else if (c->counted == 0)
                fprintf(f, "%8s %7s %10s   (counter %.*s: not available on this machine)\n", "",
                        "-", "-", c->event_len, c->event);
            else
                fprintf(f, "%8s %7zu %10s   (counter %.*s: counted, but fewer than 3 positive "
                        "totals: no power law)\n", "", c->counted, "-", c->event_len, c->event);
        }
    }
}

void mb_analysis_fit_record(mb_record *r, const char *fit, const char *group,
                            const mb_fit_power *f, double reference, const char *reference_name)
{
    mb_record_string(r, "fit", fit);
    mb_record_string(r, "group", group);
    mb_record_int(r, "points", (int64_t)f->n);
    mb_record_double(r, "exponent", f->exponent);
    mb_record_double(r, "exponent_se", f->exponent_se);
    mb_record_double(r, "ci95_low", f->ci_low);
    mb_record_double(r, "ci95_high", f->ci_high);
    mb_record_double(r, "prefactor", f->prefactor);
    mb_record_double(r, "r2", f->r2);
    if (isfinite(reference))
        mb_record_double(r, "reference_exponent", reference);
    else
        mb_record_empty(r, "reference_exponent");
    mb_record_string(r, "reference", reference_name);
}

/* Prints one row of the fits CSV. */
static int fit_row(FILE *f, int *header, const char *fit, const char *group,
                   const mb_fit_power *p, double reference, const char *reference_name)
{
    mb_record r = {0};
    mb_analysis_fit_record(&r, fit, group, p, reference, reference_name);
    int rc = mb_record_print(f, &r, MB_FORMAT_CSV, *header);
    *header = 0;
    return rc;
}

int mb_analysis_fits_write(FILE *f, const mb_analysis_hsm *h, const mb_analysis_length *l,
                           int *header)
{
    int rc = MB_OK;
    char group[64];
    for (size_t k = 0; h != NULL && k < h->n && rc == MB_OK; k++) {
        const mb_analysis_hsm_group *g = &h->groups[k];
        if (g->rc != MB_OK)
            continue;
        snprintf(group, sizeof group, "m=%g", g->budget);
        rc = fit_row(f, header, "hsm_cost_vs_steps", group, &g->fit, g->reference,
                     "paper bound m*t^(1+1/m)");
    }
    for (size_t k = 0; l != NULL && k < l->n && rc == MB_OK; k++) {
        const mb_analysis_length_group *g = &l->groups[k];
        if (!g->fitted)
            continue;
        snprintf(group, sizeof group, "budget=%g", g->budget);
        rc = fit_row(f, header, "lstm_time_vs_steps", group, &g->measured, g->model.exponent,
                     "model predicted_time");
        for (size_t i = 0; i < g->n_counters && rc == MB_OK; i++) {
            const mb_analysis_counter_fit *c = &g->counters[i];
            if (!c->fitted)
                continue;
            size_t cap = (size_t)c->event_len + 16;
            char *name = mb_malloc(cap);
            if (name == NULL)
                return MB_ERROR(MB_ENOMEM, "out of memory");
            snprintf(name, cap, "lstm_%.*s_vs_steps", c->event_len, c->event);
            rc = fit_row(f, header, name, group, &c->fit, g->model.exponent,
                         "model predicted_time");
            mb_free(name);
        }
    }
    return rc;
}
