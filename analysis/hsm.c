/* hsm.c: the exponent of HSM's cost against t per budget, beside the paper's 1 + 1/m, and the
 * paper's bound C <= m t^(1+1/m) on every row of a solver it bounds (docs/design.md,
 * "Analysis"). */
#include "analysis/analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "core/alloc.h"
#include "core/error.h"
#include "sim/sim.h"

/* Fits one budget's rows of `section`. */
static int hsm_group(const mb_csv *t, const int col[4], const char *section, double m,
                     mb_analysis_hsm_group *g)
{
    enum { SW, ST, BU, FW };
    double *x = mb_malloc((t->n_rows + 1) * sizeof *x), *y = mb_malloc((t->n_rows + 1) * sizeof *y);
    if (x == NULL || y == NULL) {
        mb_free(x);
        mb_free(y);
        return MB_ERROR(MB_ENOMEM, "out of memory");
    }
    memset(g, 0, sizeof *g);
    g->budget = m;
    g->reference = 1 + 1 / m;
    g->t_min = INFINITY;
    for (size_t r = 0; r < t->n_rows; r++)
        if (mb_an_is(t, r, col[SW], section) && mb_csv_num(t, r, col[BU]) == m &&
            isfinite(mb_csv_num(t, r, col[FW]))) {
            x[g->points] = mb_csv_num(t, r, col[ST]);
            y[g->points] = mb_csv_num(t, r, col[FW]);
            g->t_min = fmin(g->t_min, x[g->points]);
            g->t_max = fmax(g->t_max, x[g->points]);
            g->points++;
        }
    g->rc = mb_fit_power_law(x, y, g->points, 0.95, &g->fit);
    if (g->rc != MB_OK)
        snprintf(g->why, sizeof g->why, "%s", mb_errmsg());
    mb_free(x);
    mb_free(y);
    return g->rc == MB_ENOMEM ? g->rc : MB_OK; /* no memory is an error, not a lack of data */
}

int mb_analysis_hsm_fit(const mb_csv *t, const char *section, mb_analysis_hsm *out)
{
    memset(out, 0, sizeof *out);
    int col[4], rc;
    if ((rc = mb_an_col(t, "sweep", &col[0])) != MB_OK ||
        (rc = mb_an_col(t, "steps", &col[1])) != MB_OK ||
        (rc = mb_an_col(t, "budget_units", &col[2])) != MB_OK ||
        (rc = mb_an_col(t, "forward_ops", &col[3])) != MB_OK)
        return rc;
    double *ms = NULL;
    size_t nm = 0, cap = 0;
    for (size_t r = 0; r < t->n_rows && rc == MB_OK; r++)
        if (mb_an_is(t, r, col[0], section))
            rc = mb_an_distinct(&ms, &nm, &cap, mb_csv_num(t, r, col[2]));
    if (rc == MB_OK && nm > 0 && (out->groups = mb_calloc(nm, sizeof *out->groups)) == NULL)
        rc = MB_ERROR(MB_ENOMEM, "out of memory");
    for (size_t k = 0; k < nm && rc == MB_OK; k++)
        if ((rc = hsm_group(t, col, section, ms[k], &out->groups[k])) == MB_OK)
            out->n++;
    mb_free(ms);
    if (rc != MB_OK)
        mb_analysis_hsm_fini(out);
    return rc;
}

void mb_analysis_hsm_fini(mb_analysis_hsm *h)
{
    mb_free(h->groups);
    memset(h, 0, sizeof *h);
}

void mb_analysis_hsm_print(FILE *f, const mb_analysis_hsm *h)
{
    fprintf(f, "\nHSM: exponent k of C(t) ~ t^k per budget m (least squares on log-log, 95%% "
            "CI),\nbeside the paper's bound exponent 1 + 1/m\n\n");
    fprintf(f, "%8s %7s %9s %21s %10s %8s   %s\n", "m", "points", "k", "95% CI", "1 + 1/m",
            "R^2", "t range");
    for (size_t k = 0; k < h->n; k++) {
        const mb_analysis_hsm_group *g = &h->groups[k];
        if (g->rc != MB_OK) {
            fprintf(f, "%8g %7zu   (too few points: %s)\n", g->budget, g->points, g->why);
            continue;
        }
        fprintf(f, "%8g %7zu %9.4f   [%7.4f, %7.4f] %10.4f %8.5f   %g..%g\n", g->budget,
                g->points, g->fit.exponent, g->fit.ci_low, g->fit.ci_high, g->reference,
                g->fit.r2, g->t_min, g->t_max);
    }
    fprintf(f, "(1 + 1/m is the exponent of C only for t >> m; below t = m + 1 the cost is "
            "2t - 1\n (slope 1), and a range that crosses from there into recomputation has a "
            "local slope\n above 1 + 1/m. The bound itself is checked point by point below.)\n");
}

int mb_analysis_hsm_bound(const mb_csv *t, mb_analysis_bound *out)
{
    memset(out, 0, sizeof *out);
    int sv, st, bu, fw, ha, rc;
    if ((rc = mb_an_col(t, "solver", &sv)) != MB_OK || (rc = mb_an_col(t, "steps", &st)) != MB_OK ||
        (rc = mb_an_col(t, "budget_units", &bu)) != MB_OK ||
        (rc = mb_an_col(t, "forward_ops", &fw)) != MB_OK ||
        (rc = mb_an_col(t, "hidden_units", &ha)) != MB_OK)
        return rc;
    size_t cap = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        const mb_solver_type *type = mb_an_solver(t, r, sv);
        if (type == NULL || !(type->flags & MB_SOLVER_HSM_BOUND))
            continue;
        double c = mb_csv_num(t, r, fw), tt = mb_csv_num(t, r, st);
        double m = floor(mb_csv_num(t, r, bu) / mb_csv_num(t, r, ha));
        if (!isfinite(c))
            continue;
        out->checked++;
        if (mb_fit_hsm_bound_holds(tt, m, c))
            continue;
        if ((rc = mb_an_grow((void **)&out->violations, sizeof *out->violations,
                             out->n_violations, &cap)) != MB_OK) {
            mb_analysis_bound_fini(out);
            return rc;
        }
        out->violations[out->n_violations++] = (mb_analysis_violation){
            t->rows[r][sv], tt, m, c, m * pow(tt, 1 + 1 / m)};
    }
    return MB_OK;
}

void mb_analysis_bound_fini(mb_analysis_bound *b)
{
    mb_free(b->violations);
    memset(b, 0, sizeof *b);
}

void mb_analysis_bound_print(FILE *f, const mb_analysis_bound *b, size_t max_listed)
{
    for (size_t k = 0; k < b->n_violations && k < max_listed; k++) {
        const mb_analysis_violation *v = &b->violations[k];
        fprintf(f, "  bound violated: %s t = %g, m = %g: C = %g > %g\n", v->solver, v->steps,
                v->slots, v->cost, v->bound);
    }
    if (b->n_violations > max_listed)
        fprintf(f, "  (%zu more violations not listed)\n", b->n_violations - max_listed);
    /* the solvers the bound covers, from the solver table: "hsm/revolve" */
    char names[256] = "";
    size_t n_types, used = 0;
    const mb_solver_type *const *types = mb_solver_all(&n_types);
    for (size_t i = 0; i < n_types; i++)
        if (types[i]->flags & MB_SOLVER_HSM_BOUND) {
            int w = snprintf(names + used, sizeof names - used, "%s%s", used ? "/" : "",
                             types[i]->name);
            if (w < 0 || (size_t)w >= sizeof names - used)
                break;
            used += (size_t)w;
        }
    fprintf(f, "\nBound C <= m t^(1+1/m): %zu %s points checked, %zu violations\n", b->checked,
            names, b->n_violations);
}
