/* point.c: the points of a sweep (the cartesian product of a [problem] section), the problem
 * each one is, and the record it produces through the solvers and the simulator. */
#include "sweep/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "exec/exec.h"
#include "measure/measure.h"

/* The columns of every row, in order: identifying columns first (docs/design.md, "Sweeps, records and figures").
 * Names of quantities that also appear in `membptt solve` are the same as there. */
static const char *const columns[] = {
    "sweep", "mode", "solver", "steps", "hidden_units", "internal_units", "unit_bytes",
    "budget_spec", "budget", "feasible", "min_budget", "forward_ops", "backward_ops", "peak",
    "cost_per_step", "memory_fraction", "peak_fraction", "valid", "store_ops", "restore_ops",
    "copied_units", "predicted_time", "predicted_time_vs_full", "hsm_bound",
};
#define N_COLUMNS (sizeof columns / sizeof columns[0])
#define N_IDENT 9 /* sweep .. budget */

/* The executor's columns of a measured row; the names are those of `membptt run`. */
static const char *const measured_columns[] = {
    "cell", "input", "hidden", "batch", "threads", "repeat", "seed", "hidden_bytes",
    "internal_bytes", "budget_bytes", "recompute_ops", "peak_store_bytes",
    "peak_store_full_bytes", "store_saved", "workspace_bytes", "peak_activation_bytes",
    "vmhwm_bytes", "vmhwm_full_bytes", "time_s", "time_full_s", "time_ratio",
    "predicted_time_ratio", "first_forward_s", "recompute_s", "backward_s", "copy_s",
    "full_first_forward_s", "full_backward_s", "full_copy_s", "cost_forward_s",
    "cost_recompute_s", "cost_backward_s", "cost_copy_s_per_byte", "copied_bytes",
    "grad_max_abs_diff", "grad_bitwise_equal",
};
#define N_MEASURED (sizeof measured_columns / sizeof measured_columns[0])
static const char *const counter_phase[] = {"first", "recompute", "backward"};

int mb_sweep_build_columns(mb_sweep_config *c)
{
    size_t n = N_COLUMNS + (c->measured ? N_MEASURED + 3 * c->n_counters : 0);
    c->columns = calloc(n, sizeof *c->columns);
    if (c->columns == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    size_t k = 0;
    char buf[256];
    for (size_t i = 0; i < N_COLUMNS; i++)
        c->columns[k++] = strdup(columns[i]);
    for (size_t i = 0; c->measured && i < N_MEASURED; i++)
        c->columns[k++] = strdup(measured_columns[i]);
    for (size_t e = 0; c->measured && e < c->n_counters; e++)
        for (int ph = 0; ph < 3; ph++) {
            snprintf(buf, sizeof buf, "%s.%s", c->counters[e], counter_phase[ph]);
            c->columns[k++] = strdup(buf);
        }
    c->n_columns = k;
    for (size_t i = 0; i < k; i++)
        if (c->columns[i] == NULL)
            return MB_ERROR(MB_ENOMEM, "out of memory");
    if (k > MB_RECORD_MAX)
        return MB_ERROR(MB_EINVAL, "%s: a row would have %zu columns, more than the %d a record "
                        "holds; request fewer counter events", c->path, k, MB_RECORD_MAX);
    return MB_OK;
}

/* The executor configuration of [model] for t steps. */
static int exec_config(const mb_sweep_config *c, int64_t steps, mb_exec_config *ec)
{
    *ec = mb_exec_config_default();
    int rc = mb_cell_parse("[model] cell", c->model.cell, &ec->cell);
    if (rc != MB_OK)
        return mb_sweep_model_error(c, rc);
    ec->input = c->model.input;
    ec->hidden = c->model.hidden;
    ec->batch = c->model.batch;
    ec->steps = steps;
    ec->threads = (int)c->model.threads;
    ec->repeat = (int)c->model.repetitions;
    ec->seed = (uint64_t)c->model.seed;
    if ((rc = mb_exec_config_check(ec)) != MB_OK)
        return mb_sweep_model_error(c, rc);
    return MB_OK;
}

int mb_sweep_model_check(const mb_sweep_config *c, int64_t steps)
{
    mb_exec_config ec;
    return exec_config(c, steps, &ec);
}

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
    int special = out->budget == NULL || strncmp(out->budget, "min(", 4) == 0;
    int rc;
    if (p->mode == MB_SWEEP_MEASURED) {
        /* sizes from the network of [model]: the executor's state bytes */
        mb_exec_config ec;
        int64_t steps;
        if ((rc = mb_parse_int(p->steps.where, out->steps, 1, MB_MAX_STEPS, &steps)) != MB_OK ||
            (rc = exec_config(c, steps, &ec)) != MB_OK)
            return rc;
        if ((rc = mb_exec_problem(&ec, &out->problem)) != MB_OK)
            return MB_ERROR(rc, "%s = %s: %s", p->steps.where, out->steps, mb_errmsg());
        if (!special &&
            (rc = mb_parse_budget(p->budget.where, out->budget, &out->problem,
                                  &out->problem.budget)) != MB_OK)
            return rc;
        if ((rc = mb_problem_check(&out->problem)) != MB_OK)
            return rc;
    } else if (p->alpha.n) {
        out->alpha = p->alpha.v[isz];
    } else if (p->hidden_bytes.n) {
        out->hidden_bytes = p->hidden_bytes.v[isz / p->internal_bytes.n];
        out->internal_bytes = p->internal_bytes.v[isz % p->internal_bytes.n];
    }
    /* The same key/value builder as the command line's options; every key is named by its
     * config place, "FILE:LINE: key". A search or min(SOLVER) budget is resolved below. */
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
    if (p->mode != MB_SWEEP_MEASURED && (rc = mb_problem_from_spec(&spec, &out->problem)) != MB_OK)
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
    if (c->n_counters > 0) {
        /* a name that is no event on any machine is refused here, before any row */
        char events[4096] = "";
        for (size_t e = 0; e < c->n_counters; e++)
            snprintf(events + strlen(events), sizeof events - strlen(events), "%s%s",
                     e ? "," : "", c->counters[e]);
        mb_counters *cc = NULL;
        int rc = mb_counters_open_key(c->counters_where, events, &cc);
        mb_counters_close(cc);
        if (rc != MB_OK)
            return rc;
    }
    size_t n = mb_sweep_point_count(c);
    for (size_t i = 0; i < n; i++) {
        mb_sweep_point pt;
        int rc = mb_sweep_point_get(c, i, &pt);
        if (rc != MB_OK)
            return rc;
    }
    return MB_OK;
}

void mb_sweep_point_ident(const mb_sweep_point *pt, int with_budget, mb_record *r)
{
    const mb_problem *p = &pt->problem;
    mb_record_string(r, "sweep", pt->section->name);
    mb_record_string(r, "mode", pt->section->mode == MB_SWEEP_MEASURED ? "measured" : "analytic");
    mb_record_string(r, "solver", pt->solver->name);
    mb_record_int(r, "steps", p->steps);
    mb_record_int(r, "hidden_units", p->hidden_units);
    mb_record_int(r, "internal_units", p->internal_units);
    if (p->unit_bytes > 0)
        mb_record_int(r, "unit_bytes", p->unit_bytes);
    else
        mb_record_empty(r, "unit_bytes");
    if (pt->budget) {
        mb_record_string(r, "budget_spec", pt->budget);
    } else {
        char spec[64];
        snprintf(spec, sizeof spec, "cost<=%g/step", pt->section->target_cost_per_step);
        mb_record_string(r, "budget_spec", spec);
    }
    if (with_budget && pt->budget)
        mb_record_int(r, "budget", p->budget);
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

/* Appends the executor's columns: measured when the point is measured and feasible, empty
 * otherwise (an analytic row of a config that also measures). Keys point into c->columns. */
static int measured_row(const mb_sweep_config *c, const mb_sweep_point *pt, const mb_plan *plan,
                        mb_record *r)
{
    size_t base = N_COLUMNS;
    const char *const *k = (const char *const *)c->columns + base;
    if (pt->section->mode != MB_SWEEP_MEASURED || plan == NULL) {
        for (size_t i = base; i < c->n_columns; i++)
            mb_record_empty(r, c->columns[i]);
        return MB_OK;
    }
    mb_exec_config ec;
    int rc = exec_config(c, pt->problem.steps, &ec);
    if (rc != MB_OK)
        return rc;
    char events[2048] = "";
    for (size_t e = 0; e < c->n_counters; e++)
        snprintf(events + strlen(events), sizeof events - strlen(events), "%s%s", e ? "," : "",
                 c->counters[e]);
    ec.events = c->n_counters ? events : NULL;
    mb_exec_result *res = calloc(1, sizeof *res);
    if (res == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    if ((rc = mb_exec_run(&ec, plan, res)) != MB_OK) {
        free(res);
        return rc;
    }
    size_t i = 0;
    mb_record_string(r, k[i++], mb_cell_name(ec.cell));
    mb_record_int(r, k[i++], ec.input);
    mb_record_int(r, k[i++], ec.hidden);
    mb_record_int(r, k[i++], ec.batch);
    mb_record_int(r, k[i++], ec.threads);
    mb_record_int(r, k[i++], ec.repeat);
    mb_record_int(r, k[i++], (int64_t)ec.seed);
    mb_record_int(r, k[i++], res->hidden_bytes);
    mb_record_int(r, k[i++], res->internal_bytes);
    mb_record_int(r, k[i++], res->budget_bytes);
    mb_record_int(r, k[i++], res->recompute_ops);
    mb_record_int(r, k[i++], res->peak_store_bytes);
    mb_record_int(r, k[i++], res->peak_store_full_bytes);
    mb_record_double(r, k[i++], 1.0 - (double)res->peak_store_bytes / (double)res->peak_store_full_bytes);
    mb_record_int(r, k[i++], res->workspace_bytes);
    mb_record_int(r, k[i++], res->peak_activation_bytes);
    if (res->vmhwm_bytes >= 0) {
        mb_record_int(r, k[i++], res->vmhwm_bytes);
        mb_record_int(r, k[i++], res->vmhwm_full_bytes);
    } else {
        mb_record_empty(r, k[i++]);
        mb_record_empty(r, k[i++]);
    }
    mb_record_double(r, k[i++], res->time_s);
    mb_record_double(r, k[i++], res->time_full_s);
    mb_record_double(r, k[i++], res->time_ratio);
    mb_record_double(r, k[i++], res->predicted_time_ratio);
    for (int ph = 0; ph < MB_EXEC_PHASES; ph++)
        mb_record_double(r, k[i++], res->wall[ph]);
    mb_record_double(r, k[i++], res->wall_full[MB_EXEC_FIRST]);
    mb_record_double(r, k[i++], res->wall_full[MB_EXEC_BACKWARD]);
    mb_record_double(r, k[i++], res->wall_full[MB_EXEC_COPY]);
    mb_record_double(r, k[i++], res->cost_forward_s);
    if (res->recompute_ops > 0)
        mb_record_double(r, k[i++], res->cost_recompute_s);
    else
        mb_record_empty(r, k[i++]);
    mb_record_double(r, k[i++], res->cost_backward_s);
    mb_record_double(r, k[i++], res->cost_copy_s_per_byte);
    mb_record_int(r, k[i++], res->copied_bytes);
    mb_record_double(r, k[i++], res->grad_max_abs_diff);
    mb_record_bool(r, k[i++], res->grad_bitwise_equal);
    /* counters in the config's order; one the executor could not read is empty */
    for (size_t e = 0; e < c->n_counters; e++) {
        int found = -1;
        for (int j = 0; j < res->n_events; j++)
            if (strcmp(res->event_name[j], c->counters[e]) == 0)
                found = j;
        for (int ph = 0; ph < 3; ph++) {
            if (found >= 0 && res->event_available[found] && res->event_value[found][ph] >= 0)
                mb_record_int(r, k[i++], res->event_value[found][ph]);
            else
                mb_record_empty(r, k[i++]);
        }
    }
    free(res);
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
    if (pt->budget == NULL) {
        rc = search_budget(c, pt, &pr, &s, &rep, solve_seconds, &found);
    } else {
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
    mb_sweep_point_ident(pt, 0, r);
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
    if (c->measured)
        rc = measured_row(c, pt, feasible ? s.plan : NULL, r);
    mb_plan_free(s.plan);
    if (rc != MB_OK)
        return rc;
    /* the row must have exactly the declared columns, in order */
    if ((rc = mb_record_check(r)) != MB_OK)
        return rc;
    if ((size_t)r->n != c->n_columns)
        return MB_ERROR(MB_EINTERNAL, "a sweep row has %d columns, the header %zu",
                        r->n, c->n_columns);
    for (size_t i = 0; i < c->n_columns; i++)
        if (strcmp(r->fields[i].key, c->columns[i]) != 0)
            return MB_ERROR(MB_EINTERNAL, "column %zu is %s, the header says %s", i,
                            r->fields[i].key, c->columns[i]);
    return MB_OK;
}
