/* point.c: the points of a sweep (the cartesian product of a [problem] section), the problem
 * each one is, and the record it produces through the solvers and the simulator. */
#include "sweep/internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "exec/exec.h"
#include "measure/measure.h"

/* What one row holds; a NULL pointer leaves that module's columns empty. */
typedef struct {
    const mb_sweep_problem *section;   /* NULL: the header (every value empty) */
    const char *solver, *budget_spec, *slow_spec;
    const mb_problem *problem;         /* budget < 0: a search that found no budget */
    const mb_solution *solution;
    const mb_sim_report *report;       /* the replay of a feasible plan */
    double full_time;                  /* full BPTT under the point's cost model */
    const mb_cost_model *cost;         /* the point's (mb_sweep_point_cost); NULL: [cost] */
    int hsm_bound;                     /* the solver has the paper's bound and a budget */
    const mb_exec_config *exec;
    const mb_exec_result *result;      /* a measured run */
    const char *status;                /* NULL: "ok" */
} row_values;

/* The config's counter events as one comma-separated list, or NULL without any. */
static const char *counter_list(const mb_sweep_config *c, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t e = 0; e < c->n_counters; e++)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", e ? "," : "", c->counters[e]);
    return c->n_counters ? buf : NULL;
}

/* The identifying columns up to budget_spec: the one place that writes them, for rows
 * (fill_row) and for the checks of stored rows (mb_sweep_point_ident). */
static void ident_fields(mb_record *r, const mb_sweep_problem *section, const char *solver,
                         const mb_problem *p, const char *budget_spec, int slow_columns,
                         const char *slow_spec)
{
    if (section != NULL) {
        mb_record_string(r, "sweep", section->name);
        mb_record_string(r, "mode", section->mode == MB_SWEEP_MEASURED ? "measured"
                                                                       : "analytic");
        mb_record_string(r, "solver", solver);
    } else {
        mb_record_empty(r, "sweep");
        mb_record_empty(r, "mode");
        mb_record_empty(r, "solver");
    }
    mb_problem_record(r, p);
    mb_record_string(r, "budget_spec", budget_spec ? budget_spec : "");
    if (slow_columns) /* a config with a slow level: its budget as written ("" without one) */
        mb_record_string(r, "slow_budget_spec", slow_spec ? slow_spec : "");
}

/* A point's budget_spec: its budget as written, or the target of a budget search. */
static const char *budget_spec(const mb_sweep_point *pt, char *buf, size_t cap)
{
    if (pt->budget)
        return pt->budget;
    snprintf(buf, cap, "cost<=%g/step", pt->section->target_cost_per_step);
    return buf;
}

/* Fills a row: identifying columns first (sweep, mode, solver, the problem, budget_spec), then
 * each module's own columns: the answer's (solvers/), the simulator's (sim/) and, for configs
 * that measure, the executor's (exec/). Last comes the row's status: "ok", or
 * "failed" for a point recorded by --skip-failed. The header is the keys of a row filled once
 * with nothing (docs/design.md, "Sweeps, records and figures"). */
static void fill_row(const mb_sweep_config *c, const row_values *v, mb_record *r)
{
    static const mb_problem none_problem = {.budget = -1};
    static const mb_solution none_solution = {.min_budget = -1};
    const mb_problem *p = v->problem ? v->problem : &none_problem;
    const mb_solution *s = v->solution ? v->solution : &none_solution;
    ident_fields(r, v->section, v->solver, p, v->budget_spec, c->two_level, v->slow_spec);
    mb_solution_record(r, p, s);
    mb_sim_record(r, p, v->report, v->cost ? v->cost : &c->cost, v->full_time, v->hsm_bound);
    if (c->two_level)
        mb_sim_record_slow_columns(r, v->problem, v->report);
    if (c->measured) {
        char events[2048];
        mb_exec_record(r, v->exec, v->result);
        mb_exec_record_counters(r, counter_list(c, events, sizeof events), v->result);
    }
    mb_record_string(r, "status", v->status ? v->status : "ok");
}

int mb_sweep_point_failed(const mb_sweep_config *c, const mb_sweep_point *pt, mb_record *r)
{
    char buf[64];
    memset(r, 0, sizeof *r);
    row_values v = {.section = pt->section, .solver = pt->solver->name,
                    .budget_spec = budget_spec(pt, buf, sizeof buf), .problem = &pt->problem,
                    .slow_spec = pt->slow_budget, .status = "failed"};
    fill_row(c, &v, r);
    for (int i = 0; i < r->n; i++)
        if (strcmp(r->fields[i].key, "feasible") == 0)
            r->fields[i].type = MB_FIELD_EMPTY; /* not known: the point did not finish */
    return mb_record_check(r);
}

int mb_sweep_build_columns(mb_sweep_config *c)
{
    mb_record *r = mb_calloc(1, sizeof *r);
    if (r == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    fill_row(c, &(row_values){0}, r);
    if (r->overflow[0] != '\0') {
        mb_free(r);
        return MB_ERROR(MB_EINVAL, "%s: a row would have more than the %d columns a record "
                        "holds; request fewer counter events", c->path, MB_RECORD_MAX);
    }
    c->columns = mb_calloc((size_t)r->n, sizeof *c->columns);
    int rc = c->columns == NULL ? MB_ERROR(MB_ENOMEM, "out of memory") : MB_OK;
    for (int i = 0; rc == MB_OK && i < r->n; i++, c->n_columns++)
        if ((c->columns[i] = mb_strdup(r->fields[i].key)) == NULL)
            rc = MB_ERROR(MB_ENOMEM, "out of memory");
    mb_free(r);
    return rc;
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
    return p->n_solvers * sizes * p->steps.n * (p->slow_budget.n ? p->slow_budget.n : 1) *
           (p->budget.n ? p->budget.n : 1);
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
    size_t ns = p->slow_budget.n ? p->slow_budget.n : 1;
    size_t ib = rest % nb;
    rest /= nb;
    size_t is = rest % ns;
    rest /= ns;
    size_t it = rest % nt;
    rest /= nt;
    size_t isz = rest % nsz;
    rest /= nsz;
    out->solver = p->solvers[rest];
    out->steps = p->steps.v[it];
    out->budget = p->budget.n ? p->budget.v[ib] : NULL;
    out->slow_budget = p->slow_budget.n ? p->slow_budget.v[is] : NULL;
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
        if (out->slow_budget &&
            (rc = mb_parse_slow_budget(p->slow_budget.where, out->slow_budget, &out->problem,
                                       &out->problem.slow_budget)) != MB_OK)
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
        .slow_budget = {p->slow_budget.where, out->slow_budget},
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

int mb_sweep_counters_check(const mb_sweep_config *c)
{
    /* a name that is no event on any machine is refused here, before any row */
    char events[4096];
    mb_counters *cc = NULL;
    int rc = mb_counters_open_key(c->counters_where, counter_list(c, events, sizeof events), &cc);
    mb_counters_close(cc);
    return rc;
}

int mb_sweep_config_check(const mb_sweep_config *c)
{
    if (c->n_counters > 0) {
        int rc = mb_sweep_counters_check(c);
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
    char spec[64];
    ident_fields(r, pt->section, pt->solver->name, &pt->problem, budget_spec(pt, spec, sizeof spec),
                 pt->section->slow_columns, pt->slow_budget);
    if (with_budget && pt->budget)
        mb_record_int(r, "budget_units", pt->problem.budget);
}

int mb_sweep_point_cost(const mb_sweep_config *c, const mb_sweep_point *pt,
                        mb_cost_model *m)
{
    *m = c->cost;
    if (!c->has_store_costs)
        return MB_OK;
    if (pt->problem.unit_bytes <= 0)
        return MB_ERROR(MB_EINVAL, "%s: its costs are per byte; [problem %s] gives sizes in "
                        "units (alpha): give hidden_bytes and internal_bytes, or run = "
                        "measured", c->store_costs_where, pt->section->name);
    double copy = c->cost.copy;
    *m = c->store_costs;
    m->write *= (double)pt->problem.unit_bytes;
    m->read *= (double)pt->problem.unit_bytes;
    m->copy = copy;
    return MB_OK;
}

/* Solves the point at its budget; on success with a feasible plan, replays it. The two-level
 * solvers minimise the time of the point's cost model. */
static int solve_replay(const mb_sweep_config *c, const mb_sweep_point *pt, const mb_problem *pr,
                        mb_solution *s, mb_sim_report *rep)
{
    mb_cost_model m;
    int rc = mb_sweep_point_cost(c, pt, &m);
    if (rc != MB_OK)
        return rc;
    mb_time_costs time = {m.forward, m.write, m.read, m.write_latency, m.read_latency};
    mb_solve_options so = c->solve;
    so.cost = &time;
    rc = mb_solve(pt->solver, pr, &so, s);
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

/* Runs a feasible plan of a measured point on the network of [model]: *out gets the result
 * (the caller frees it) and *ec its configuration. */
static int measure_point(const mb_sweep_config *c, const mb_sweep_point *pt, const mb_plan *plan,
                         char *events, size_t cap, mb_exec_config *ec, mb_exec_result **out)
{
    int rc = exec_config(c, pt->problem.steps, ec);
    if (rc != MB_OK)
        return rc;
    ec->events = counter_list(c, events, cap);
    if (pt->problem.slow_budget != 0) {
        ec->slow_dir = c->slow_dir;
        ec->slow_costs = c->has_store_costs ? &c->store_costs : NULL;
    }
    mb_exec_result *res = mb_calloc(1, sizeof *res);
    if (res == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    if ((rc = mb_exec_run(ec, plan, res)) != MB_OK) {
        mb_free(res);
        return rc;
    }
    *out = res;
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
    char buf[64];
    const char *spec = budget_spec(pt, buf, sizeof buf);
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
    mb_solution none = {.min_budget = s.min_budget}; /* no budget reaches the target */
    mb_problem asked = pr;
    if (!found)
        asked.budget = -1;
    row_values v = {.section = pt->section, .solver = pt->solver->name, .budget_spec = spec,
                    .problem = &asked, .solution = found ? &s : &none,
                    .report = feasible ? &rep : NULL,
                    .hsm_bound = found && (pt->solver->flags & MB_SOLVER_HSM_BOUND)};
    mb_cost_model cost;
    rc = mb_sweep_point_cost(c, pt, &cost);
    v.cost = &cost;
    v.slow_spec = pt->slow_budget;
    if (rc == MB_OK)
        rc = mb_sim_full_time(&pr, &cost, &v.full_time);
    mb_exec_config ec;
    mb_exec_result *res = NULL;
    char events[2048];
    if (rc == MB_OK && feasible && pt->section->mode == MB_SWEEP_MEASURED &&
        (rc = measure_point(c, pt, s.plan, events, sizeof events, &ec, &res)) == MB_OK) {
        v.exec = &ec;
        v.result = res;
    }
    if (rc == MB_OK)
        fill_row(c, &v, r);
    mb_free(res);
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
