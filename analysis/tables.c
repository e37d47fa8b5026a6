/* tables.c: the solver table at one problem, Chen's sqrt(t) against a DP, and the headline
 * summary beside the paper's numbers (docs/design.md, "Analysis"). */
#include "analysis/analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "core/alloc.h"
#include "core/error.h"

int mb_analysis_solver_table(const mb_csv *t, const char *section, double steps,
                             const char *spec, mb_analysis_solvers *out)
{
    memset(out, 0, sizeof *out);
    enum { SW, SP, ST, SV, FE, BU, MN, FW, PK, PF, PT, N_COL };
    static const char *const names[N_COL] = {
        "sweep",        "budget_spec", "steps",      "solver",     "feasible",
        "budget_units", "min_budget_units", "forward_ops", "peak_units", "peak_fraction",
        "predicted_time_vs_full"};
    int col[N_COL], rc = MB_OK;
    for (int i = 0; i < N_COL && rc == MB_OK; i++)
        rc = mb_an_col(t, names[i], &col[i]);
    out->steps = steps;
    out->spec = spec;
    size_t cap = 0;
    for (size_t r = 0; r < t->n_rows && rc == MB_OK; r++) {
        if (!mb_an_is(t, r, col[SW], section) || !mb_an_is(t, r, col[SP], spec) ||
            mb_csv_num(t, r, col[ST]) != steps)
            continue;
        if ((rc = mb_an_grow((void **)&out->rows, sizeof *out->rows, out->n, &cap)) != MB_OK)
            break;
        out->rows[out->n++] = (mb_analysis_solver_row){
            .solver = t->rows[r][col[SV]],
            .feasible = mb_an_is(t, r, col[FE], "true"),
            .steps = steps,
            .budget_units = mb_csv_num(t, r, col[BU]),
            .min_budget_units = mb_csv_num(t, r, col[MN]),
            .forward_ops = mb_csv_num(t, r, col[FW]),
            .per_step = mb_csv_num(t, r, col[FW]) / steps,
            .peak_units = mb_csv_num(t, r, col[PK]),
            .memory_saved = 1 - mb_csv_num(t, r, col[PF]),
            .time_vs_full = mb_csv_num(t, r, col[PT])};
    }
    if (rc != MB_OK)
        mb_analysis_solvers_fini(out);
    return rc;
}

void mb_analysis_solvers_fini(mb_analysis_solvers *s)
{
    mb_free(s->rows);
    memset(s, 0, sizeof *s);
}

void mb_analysis_solvers_print(FILE *f, const mb_analysis_solvers *s)
{
    fprintf(f, "\nEvery solver at t = %g, alpha = 5, budget %s of full-BPTT memory (the paper's "
            "headline problem;\ntime model c_f = 1, c_b = 2)\n\n", s->steps, s->spec);
    fprintf(f, "%-9s %8s %11s %8s %8s %12s %11s\n", "solver", "budget", "forward_ops",
            "per_step", "peak", "memory_saved", "time/full");
    for (size_t k = 0; k < s->n; k++) {
        const mb_analysis_solver_row *r = &s->rows[k];
        if (!r->feasible) {
            fprintf(f, "%-9s %8.15g infeasible: needs at least %.15g units\n", r->solver,
                    r->budget_units, r->min_budget_units);
            continue;
        }
        fprintf(f, "%-9s %8.15g %11.15g %8.3f %8.15g %11.1f%% %11.3f\n", r->solver,
                r->budget_units, r->forward_ops, r->per_step, r->peak_units,
                100 * r->memory_saved, r->time_vs_full);
    }
}

int mb_analysis_chen_table(const mb_csv *t, const char *search_section,
                           const char *memory_section, const mb_solver_type *reference,
                           const mb_solver_type *dp, mb_analysis_chen *out)
{
    memset(out, 0, sizeof *out);
    int sw, sv, st, al, bu, cps, rc;
    if ((rc = mb_an_col(t, "sweep", &sw)) != MB_OK || (rc = mb_an_col(t, "solver", &sv)) != MB_OK ||
        (rc = mb_an_col(t, "steps", &st)) != MB_OK ||
        (rc = mb_an_col(t, "internal_units", &al)) != MB_OK ||
        (rc = mb_an_col(t, "budget_units", &bu)) != MB_OK ||
        (rc = mb_an_col(t, "cost_per_step", &cps)) != MB_OK)
        return rc;
    for (size_t r = 0; r < t->n_rows; r++)
        if (mb_an_is(t, r, sw, search_section))
            out->steps = fmax(out->steps, mb_csv_num(t, r, st));
    size_t cap = 0;
    for (size_t r = 0; r < t->n_rows && out->steps > 0; r++) {
        if (!mb_an_is(t, r, sw, search_section) || mb_csv_num(t, r, st) != out->steps)
            continue;
        double a = mb_csv_num(t, r, al);
        mb_analysis_chen_row row = {a - 1, NAN, mb_csv_num(t, r, bu), NAN, NAN, NAN};
        for (size_t q = 0; q < t->n_rows; q++) {
            if (!mb_an_is(t, q, sw, memory_section) || mb_csv_num(t, q, st) != out->steps ||
                mb_csv_num(t, q, al) != a)
                continue;
            const mb_solver_type *type = mb_an_solver(t, q, sv);
            if (type == reference) {
                row.chen_memory = mb_csv_num(t, q, bu);
                row.chen_cost_per_step = mb_csv_num(t, q, cps);
            } else if (type == dp) {
                row.dp_cost_per_step = mb_csv_num(t, q, cps);
            }
        }
        row.ratio = row.dp_memory / row.chen_memory;
        if ((rc = mb_an_grow((void **)&out->rows, sizeof *out->rows, out->n, &cap)) != MB_OK) {
            mb_analysis_chen_fini(out);
            return rc;
        }
        out->rows[out->n++] = row;
    }
    return MB_OK;
}

void mb_analysis_chen_fini(mb_analysis_chen *c)
{
    mb_free(c->rows);
    memset(c, 0, sizeof *c);
}

void mb_analysis_chen_print(FILE *f, const mb_analysis_chen *c)
{
    if (c->steps == 0)
        return;
    fprintf(f, "\nAgainst Chen's sqrt(t) at t = %g (memory in units of a hidden state; Chen's "
            "memory\nis our sqrt solver's smallest budget, about sqrt(t)(1+beta))\n\n", c->steps);
    fprintf(f, "%5s %12s %16s %10s %18s %18s\n", "beta", "Chen memory", "MSM mem, C<=2t",
            "ratio", "MSM C/t at Chen", "Chen C/t");
    for (size_t k = 0; k < c->n; k++) {
        const mb_analysis_chen_row *r = &c->rows[k];
        fprintf(f, "%5g %12g %16g %10.3f %18.3f %18.3f\n", r->beta, r->chen_memory,
                r->dp_memory, r->ratio, r->dp_cost_per_step, r->chen_cost_per_step);
    }
    fprintf(f, "(the paper: for the same cost the DP needs markedly less memory -- a reviewer "
            "read \"about half\" --\n and at Chen's memory it is not much faster: that budget is "
            "already in the regime of diminishing returns)\n");
}

/* The first row of `section`, solver `solver`, steps `steps`, budget_spec `spec`, or -1. */
static long find_row(const mb_csv *t, const char *section, const mb_solver_type *solver,
                     double steps, const char *spec)
{
    int sw = mb_csv_col(t, "sweep"), sv = mb_csv_col(t, "solver"), st = mb_csv_col(t, "steps"),
        sp = mb_csv_col(t, "budget_spec");
    for (size_t r = 0; r < t->n_rows; r++)
        if (mb_an_is(t, r, sw, section) && mb_an_solver(t, r, sv) == solver &&
            mb_csv_num(t, r, st) == steps && mb_an_is(t, r, sp, spec))
            return (long)r;
    return -1;
}

int mb_analysis_summary_of(const mb_csv *paper, const mb_csv *measured, const char *section,
                           const mb_solver_type *solver, double steps, const char *spec,
                           mb_analysis_summary *out)
{
    memset(out, 0, sizeof *out);
    long r = find_row(paper, section, solver, steps, spec);
    if (r >= 0) {
        size_t i = (size_t)r;
        out->have_model = 1;
        out->memory_saved = 1 - mb_csv_num(paper, i, mb_csv_col(paper, "peak_fraction"));
        out->cost_per_step = mb_csv_num(paper, i, mb_csv_col(paper, "cost_per_step"));
        out->time_vs_full = mb_csv_num(paper, i, mb_csv_col(paper, "predicted_time_vs_full"));
    }
    long q = measured ? find_row(measured, section, solver, steps, spec) : -1;
    if (q >= 0) {
        size_t i = (size_t)q;
        const mb_csv *m = measured;
        out->have_measured = 1;
        out->store_saved = mb_csv_num(m, i, mb_csv_col(m, "store_saved"));
        out->measured_cost_per_step = mb_csv_num(m, i, mb_csv_col(m, "cost_per_step"));
        out->predicted_time_ratio = mb_csv_num(m, i, mb_csv_col(m, "predicted_time_ratio"));
        out->time_ratio = mb_csv_num(m, i, mb_csv_col(m, "time_ratio"));
        out->time_ratio_min = mb_csv_num(m, i, mb_csv_col(m, "time_ratio_min"));
        out->time_ratio_max = mb_csv_num(m, i, mb_csv_col(m, "time_ratio_max"));
    }
    return MB_OK;
}

void mb_analysis_summary_print(FILE *f, const mb_analysis_summary *s, double steps,
                               const char *spec)
{
    fprintf(f, "\n==== membptt reproduce: the paper's headline, t = %g at %s memory ====\n\n",
            steps, spec);
    fprintf(f, "%-44s %14s %16s\n", "", "membptt", "paper");
    if (s->have_model) {
        fprintf(f, "%-44s %13.1f%% %16s\n", "memory saved (MSM, alpha = 5, model)",
                100 * s->memory_saved, "95%");
        fprintf(f, "%-44s %14.3f %16s\n", "forward ops per step (C/t)", s->cost_per_step, "-");
        fprintf(f, "%-44s %13.3fx %16s\n", "predicted time ratio (c_f = 1, c_b = 2)",
                s->time_vs_full, "~1.33x");
    }
    if (!s->have_measured) {
        fprintf(f, "%-44s %14s %16s\n", "measured time ratio", "not measured", "~1.33x");
    } else {
        fprintf(f, "%-44s %13.1f%% %16s\n", "memory saved (LSTM run, measured store peak)",
                100 * s->store_saved, "95%");
        fprintf(f, "%-44s %14.3f %16s\n", "forward ops per step (LSTM run)",
                s->measured_cost_per_step, "-");
        fprintf(f, "%-44s %13.3fx %16s\n", "predicted time ratio (LSTM, measured op costs)",
                s->predicted_time_ratio, "~1.33x");
        fprintf(f, "%-44s %13.3fx %16s\n", "measured time ratio (LSTM, median)", s->time_ratio,
                "~1.33x");
        if (isfinite(s->time_ratio_min) && isfinite(s->time_ratio_max))
            fprintf(f, "%-44s %6.3f..%.3fx %16s\n", "  its min..max over the repetitions",
                    s->time_ratio_min, s->time_ratio_max, "");
    }
    fprintf(f, "\n(paper: \"saves 95%% of memory usage while using only one third more time per "
            "iteration\nthan the standard BPTT\"; our LSTM's sizes are ours: the paper's are not "
            "known)\n");
}
