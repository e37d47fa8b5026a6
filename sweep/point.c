/* point.c: the points of a sweep (the cartesian product of a [problem] section), the problem
 * each one is, and the record it produces through the solvers and the simulator. */
#include "sweep/sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

/* The columns of every row, in order: identifying columns first (docs/design.md, "Records").
 * Names of quantities that also appear in `membptt solve` are the same as there. */
static const char *const columns[] = {
    "sweep", "mode", "solver", "steps", "hidden_units", "internal_units", "unit_bytes",
    "budget_spec", "budget", "feasible", "min_budget", "forward_ops", "backward_ops", "peak",
    "cost_per_step", "memory_fraction", "peak_fraction", "valid", "store_ops", "restore_ops",
    "copied_units", "predicted_time", "predicted_time_vs_full", "hsm_bound",
};
#define N_COLUMNS (sizeof columns / sizeof columns[0])
#define N_IDENT 9 /* sweep .. budget */

size_t mb_sweep_column_count(void);
const char *mb_sweep_column(size_t i);
size_t mb_sweep_ident_count(void);

size_t mb_sweep_column_count(void) { return N_COLUMNS; }
const char *mb_sweep_column(size_t i) { return i < N_COLUMNS ? columns[i] : NULL; }
size_t mb_sweep_ident_count(void) { return N_IDENT; }

static size_t section_points(const mb_sweep_problem *p)
{
    size_t sizes = p->alpha.n ? p->alpha.n : p->hidden_bytes.n ? p->hidden_bytes.n * p->internal_bytes.n : 1;
    return p->n_solvers * sizes * p->steps.n * (p->budget.n ? p->budget.n : 1);
}

size_t mb_sweep_point_count(const mb_sweep_config *c)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n_problems; i++)
        n += section_points(&c->problems[i]);
    return n;
}

int mb_sweep_point_get(const mb_sweep_config *c, size_t index, mb_sweep_point *out)
{
    memset(out, 0, sizeof *out);
    out->index = index;
    size_t i = 0, rest = index;
    while (i < c->n_problems && rest >= section_points(&c->problems[i]))
        rest -= section_points(&c->problems[i++]);
    if (i == c->n_problems)
        return MB_ERROR(MB_EINVAL, "point %zu: the sweep has %zu points", index,
                        mb_sweep_point_count(c));
    const mb_sweep_problem *p = &c->problems[i];
    out->section = p;
    size_t nb = p->budget.n ? p->budget.n : 1, nt = p->steps.n;
    size_t nsz = p->alpha.n ? p->alpha.n : p->hidden_bytes.n ? p->hidden_bytes.n * p->internal_bytes.n : 1;
    size_t ib = rest % nb;
    rest /= nb;
    size_t it = rest % nt;
    rest /= nt;
    size_t isz = rest % nsz;
    rest /= nsz;
    out->solver = p->solvers[rest];
    out->steps = p->steps.v[it];
    out->budget = p->budget.n ? p->budget.v[ib] : NULL;
    if (p->alpha.n) {
        out->alpha = p->alpha.v[isz];
    } else if (p->hidden_bytes.n) {
        out->hidden_bytes = p->hidden_bytes.v[isz / p->internal_bytes.n];
        out->internal_bytes = p->internal_bytes.v[isz % p->internal_bytes.n];
    }
    /* The same key/value builder as the command line's options; every key is named by its
     * config place, "FILE:LINE: key". A search or min(SOLVER) budget is resolved below. */
    int special = out->budget == NULL || strncmp(out->budget, "min(", 4) == 0;
    mb_problem_spec spec = {
        .steps = {p->steps.where, out->steps},
        .alpha = {p->alpha.n ? p->alpha.where : "alpha", out->alpha},
        .hidden_bytes = {p->hidden_bytes.n ? p->hidden_bytes.where : "hidden_bytes",
                         out->hidden_bytes},
        .internal_bytes = {p->internal_bytes.n ? p->internal_bytes.where : "internal_bytes",
                           out->internal_bytes},
        .budget = {p->budget.n ? p->budget.where : p->target_key.where,
                   special ? "0" : out->budget},
    };
    int rc = mb_problem_from_spec(&spec, &out->problem);
    if (rc != MB_OK)
        return rc;
    if (out->budget == NULL)
        return MB_OK; /* a budget search: the budget is found when the point is evaluated */
    if (special) {
        char name[64];
        size_t n = strlen(out->budget);
        snprintf(name, sizeof name, "%.*s", (int)(n - 5), out->budget + 4);
        const mb_solver_type *s = mb_solver_lookup(name);
        if (s == NULL)
            return MB_ERROR(MB_EINVAL, "%s '%s': unknown solver", p->budget.where, out->budget);
        if ((rc = s->min_budget(&out->problem, &out->problem.budget)) != MB_OK)
            return rc;
    }
    return MB_OK;
}

int mb_sweep_config_check(const mb_sweep_config *c)
{
    size_t n = mb_sweep_point_count(c);
    for (size_t i = 0; i < c->n_problems; i++)
        if (c->problems[i].mode == MB_SWEEP_MEASURED)
            return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: run = measured: the executor is "
                            "not available in this build, so measured points cannot be run; "
                            "use run = analytic", c->path, c->problems[i].line,
                            c->problems[i].name);
    for (size_t i = 0; i < n; i++) {
        mb_sweep_point pt;
        int rc = mb_sweep_point_get(c, i, &pt);
        if (rc != MB_OK)
            return rc;
    }
    return MB_OK;
}

/* Solves the point at its budget; on success with a feasible plan, replays it. */
static int solve_replay(const mb_sweep_config *c, const mb_sweep_point *pt, const mb_problem *pr,
                        mb_solution *s, mb_sim_report *rep)
{
    int rc = mb_solve(pt->solver, pr, &c->solve, s);
    if (rc != MB_OK || !s->feasible)
        return rc;
    if ((rc = mb_sim_replay(s->plan, rep)) != MB_OK)
        return rc;
    if (!rep->valid)
        return MB_ERROR(MB_EINTERNAL, "solver %s produced an invalid plan at t = %lld, budget "
                        "%lld: %s (a bug in membptt)", pt->solver->name, (long long)pr->steps,
                        (long long)pr->budget, rep->reason);
    return MB_OK;
}

/* The smallest budget at which the solver's cost is at most target * t, by bisection (the
 * solvers allowed here never cost more with more memory). *found = 0 when even full-BPTT
 * memory does not reach the target. */
static int search_budget(const mb_sweep_config *c, const mb_sweep_point *pt, mb_problem *pr,
                         mb_solution *s, mb_sim_report *rep, double *seconds, int *found)
{
    double target = pt->section->target_cost_per_step * (double)pr->steps;
    int64_t lo, hi;
    int rc = pt->solver->min_budget(pr, &lo);
    if (rc != MB_OK)
        return rc;
    if ((rc = mb_problem_full_units(pr, &hi)) != MB_OK)
        return rc;
    if (hi < lo)
        hi = lo;
    *found = 0;
    *seconds = 0;
    /* cost at hi must reach the target, else nothing does */
    pr->budget = hi;
    if ((rc = solve_replay(c, pt, pr, s, rep)) != MB_OK)
        return rc;
    *seconds += s->solve_seconds;
    if (!s->feasible || (double)rep->forward_ops > target)
        return MB_OK;
    mb_plan_free(s->plan);
    s->plan = NULL;
    /* invariant: cost(hi) <= target; cost(lo - 1) is infeasible or > target */
    lo = lo - 1;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        pr->budget = mid;
        if ((rc = solve_replay(c, pt, pr, s, rep)) != MB_OK)
            return rc;
        *seconds += s->solve_seconds;
        if (s->feasible && (double)rep->forward_ops <= target)
            hi = mid;
        else
            lo = mid;
        mb_plan_free(s->plan);
        s->plan = NULL;
    }
    pr->budget = hi;
    if ((rc = solve_replay(c, pt, pr, s, rep)) != MB_OK)
        return rc;
    *seconds += s->solve_seconds;
    *found = 1;
    return MB_OK;
}

int mb_sweep_point_eval(const mb_sweep_config *c, const mb_sweep_point *pt, mb_record *r,
                        double *solve_seconds)
{
    memset(r, 0, sizeof *r);
    mb_problem pr = pt->problem;
    mb_solution s = {0};
    mb_sim_report rep = {0};
    int rc, found = 1;
    char spec[64];
    if (pt->budget == NULL) {
        snprintf(spec, sizeof spec, "cost<=%g/step", pt->section->target_cost_per_step);
        rc = search_budget(c, pt, &pr, &s, &rep, solve_seconds, &found);
    } else {
        snprintf(spec, sizeof spec, "%s", pt->budget);
        rc = solve_replay(c, pt, &pr, &s, &rep);
        *solve_seconds = s.solve_seconds;
    }
    if (rc != MB_OK) {
        mb_plan_free(s.plan);
        return rc;
    }
    int feasible = s.feasible && found;
    int64_t full;
    mb_problem_full_units(&pr, &full);
    mb_record_string(r, "sweep", pt->section->name);
    mb_record_string(r, "mode", pt->section->mode == MB_SWEEP_MEASURED ? "measured" : "analytic");
    mb_record_string(r, "solver", pt->solver->name);
    mb_record_int(r, "steps", pr.steps);
    mb_record_int(r, "hidden_units", pr.hidden_units);
    mb_record_int(r, "internal_units", pr.internal_units);
    if (pr.unit_bytes > 0)
        mb_record_int(r, "unit_bytes", pr.unit_bytes);
    else
        mb_record_empty(r, "unit_bytes");
    mb_record_string(r, "budget_spec", spec);
    if (found)
        mb_record_int(r, "budget", pr.budget);
    else
        mb_record_empty(r, "budget"); /* no budget reaches the target */
    mb_record_bool(r, "feasible", feasible);
    mb_record_int(r, "min_budget", s.min_budget);
    if (feasible) {
        double t = (double)pr.steps;
        mb_record_int(r, "forward_ops", rep.forward_ops);
        mb_record_int(r, "backward_ops", rep.backward_ops);
        mb_record_int(r, "peak", rep.peak);
        mb_record_double(r, "cost_per_step", (double)rep.forward_ops / t);
        mb_record_double(r, "memory_fraction", (double)pr.budget / (double)full);
        mb_record_double(r, "peak_fraction", (double)rep.peak / (double)full);
        mb_record_bool(r, "valid", rep.valid);
        mb_record_int(r, "store_ops", rep.store_ops);
        mb_record_int(r, "restore_ops", rep.restore_ops);
        mb_record_int(r, "copied_units", rep.copied_units);
        double pred = mb_sim_predict(&rep, &c->cost);
        mb_record_double(r, "predicted_time", pred);
        mb_record_double(r, "predicted_time_vs_full", pred / (t * (c->cost.forward + c->cost.backward)));
    } else {
        for (size_t i = 11; i < 23; i++)
            if (i == 15 && found)
                mb_record_double(r, columns[i], (double)pr.budget / (double)full);
            else
                mb_record_empty(r, columns[i]);
    }
    if (strcmp(pt->solver->name, "hsm") == 0 || strcmp(pt->solver->name, "revolve") == 0)
        mb_record_double(r, "hsm_bound", found ? mb_sim_hsm_bound(pr.steps, pr.budget / pr.hidden_units) : NAN);
    else
        mb_record_empty(r, "hsm_bound");
    mb_plan_free(s.plan);
    /* the row must have exactly the declared columns, in order */
    if ((rc = mb_record_check(r)) != MB_OK)
        return rc;
    if ((size_t)r->n != N_COLUMNS)
        return MB_ERROR(MB_EINTERNAL, "a sweep row has %d columns, the header %zu",
                        r->n, N_COLUMNS);
    for (size_t i = 0; i < N_COLUMNS; i++)
        if (strcmp(r->fields[i].key, columns[i]) != 0)
            return MB_ERROR(MB_EINTERNAL, "column %zu is %s, the header says %s", i,
                            r->fields[i].key, columns[i]);
    return MB_OK;
}
