/* validate.c: a sweep config's keys checked against each other once the file is read (sizes,
 * budgets, searches, measured sections and their network), the defaults filled in, the number
 * of points bounded and the columns built. docs/design.md, "Sweeps, records and figures". */
#include "sweep/parser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

/* The solvers a budget search may use (their cost never grows with the budget), as a list. */
static void monotone_solvers(char *allowed, size_t cap)
{
    size_t n_all;
    const mb_solver_type *const *all = mb_solver_all(&n_all);
    allowed[0] = '\0';
    for (size_t k = 0; k < n_all; k++)
        if (all[k]->flags & MB_SOLVER_MONOTONE)
            snprintf(allowed + strlen(allowed), cap - strlen(allowed), "%s%s",
                     allowed[0] ? ", " : "", all[k]->name);
}

/* [cost] store_costs replaces the costs it holds: given with one of them, refused. */
static int costs_check(const mb_sweep_parser *ps)
{
    static const char *const replaced[] = {"forward", "backward", NULL, "write", "read",
                                           "write_latency", "read_latency"};
    const mb_sweep_config *c = ps->c;
    for (int k = 0; c->has_store_costs && k < 7; k++)
        if (replaced[k] && ps->seen[SEC_COST_INDEX][k])
            return MB_ERROR(MB_EINVAL, "%s: given with [cost] %s (line %d): the file holds the "
                            "forward, backward, write and read costs and the latencies; give "
                            "them one way", c->store_costs_where, replaced[k],
                            ps->seen[SEC_COST_INDEX][k]);
    return MB_OK;
}

/* One [problem] section: its solvers (else [solvers] names), the keys it needs and the keys
 * that exclude each other. */
static int problem_check(mb_sweep_config *c, mb_sweep_problem *p)
{
    const char *where = c->path;
    if (p->n_solvers == 0) {
        if (c->n_default_solvers == 0)
            return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: no solvers: give `solvers` here "
                            "or `names` in [solvers]; allowed: %s", where, p->line, p->name,
                            mb_solver_names());
        p->solvers = mb_calloc(c->n_default_solvers, sizeof *p->solvers);
        if (p->solvers == NULL)
            return MB_ERROR(MB_ENOMEM, "out of memory");
        memcpy(p->solvers, c->default_solvers, c->n_default_solvers * sizeof *p->solvers);
        p->n_solvers = c->n_default_solvers;
    }
    if (p->steps.n == 0)
        return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: steps is required (a value, list "
                        "or range of sequence lengths)", where, p->line, p->name);
    int has_alpha = p->alpha.n > 0, has_bytes = p->hidden_bytes.n + p->internal_bytes.n > 0;
    if (has_alpha && has_bytes)
        return MB_ERROR(MB_EINVAL, "%s: give alpha or hidden_bytes + internal_bytes, not "
                        "both", p->alpha.where);
    if (has_bytes && (p->hidden_bytes.n == 0 || p->internal_bytes.n == 0))
        return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: hidden_bytes and internal_bytes "
                        "go together", where, p->line, p->name);
    if ((has_alpha || has_bytes) && p->mode == MB_SWEEP_MEASURED)
        return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: run = measured takes the state "
                        "sizes from the [model] network; remove alpha / hidden_bytes / "
                        "internal_bytes", where, p->line, p->name);
    if (p->mode == MB_SWEEP_MEASURED)
        c->measured = 1;
    if (!has_alpha && !has_bytes && p->mode == MB_SWEEP_ANALYTIC)
        return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: sizes are required: alpha, or "
                        "hidden_bytes and internal_bytes", where, p->line, p->name);
    if (p->budget.n > 0 && p->target_cost_per_step > 0)
        return MB_ERROR(MB_EINVAL, "%s: give budget or target_cost_per_step, not both",
                        p->target_key.where);
    if (p->budget.n == 0 && p->target_cost_per_step == 0)
        return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: budget is required (units, bytes, "
                        "a percentage, min(SOLVER), a list or a range), or "
                        "target_cost_per_step", where, p->line, p->name);
    for (size_t s = 0; p->target_cost_per_step > 0 && s < p->n_solvers; s++) {
        if (p->solvers[s]->flags & MB_SOLVER_MONOTONE)
            continue;
        char allowed[256];
        monotone_solvers(allowed, sizeof allowed);
        return MB_ERROR(MB_EINVAL, "%s: solver %s: the budget search needs a cost that never "
                        "grows with the budget; allowed: %s", p->target_key.where,
                        p->solvers[s]->name, allowed);
    }
    if (p->mode == MB_SWEEP_MEASURED && p->slow_budget.n > 0 && c->slow_dir[0] == '\0')
        return MB_ERROR(MB_EINVAL, "%s: run = measured with a slow store needs [model] slow_dir "
                        "(the folder where the executor creates its slow store's file)",
                        p->slow_budget.where);
    p->slow_columns = c->two_level;
    if (p->mode == MB_SWEEP_MEASURED && !c->model.given)
        return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: run = measured needs a [model] "
                        "section (cell, batch, input, hidden, threads, repetitions)", where,
                        p->line, p->name);
    return MB_OK;
}

/* The [model] defaults (those of `membptt run`), then the network alone (one step), so a bad
 * size is named here, before any point. */
static int model_defaults(mb_sweep_config *c)
{
    if (c->model.cell[0] == '\0')
        snprintf(c->model.cell, sizeof c->model.cell, "lstm");
    if (c->model.batch == 0)
        c->model.batch = 1;
    if (c->model.input == 0)
        c->model.input = 32;
    if (c->model.hidden == 0)
        c->model.hidden = 64;
    if (c->model.threads == 0)
        c->model.threads = 1;
    if (c->model.repetitions == 0)
        c->model.repetitions = 3;
    if (c->model.seed == 0)
        c->model.seed = 1;
    return mb_sweep_model_check(c, 1);
}

int mb_sweep_config_finish(mb_sweep_parser *ps)
{
    mb_sweep_config *c = ps->c;
    int rc;
    if (c->n_problems == 0 && c->plan_solver == NULL)
        return MB_ERROR(MB_EINVAL, "%s: no [problem] section: a sweep needs at least one (keys: "
                        "solvers, steps, alpha or hidden_bytes + internal_bytes, budget or "
                        "target_cost_per_step, run)", c->path);
    if (c->plan_solver && (!c->plan_steps[0] || !c->plan_alpha[0] || !c->plan_budget[0]))
        return MB_ERROR(MB_EINVAL, "%s: [plan] needs solver, steps, alpha and budget", c->path);
    if ((rc = costs_check(ps)) != MB_OK)
        return rc;
    for (size_t i = 0; i < c->n_problems; i++)
        if ((rc = problem_check(c, &c->problems[i])) != MB_OK)
            return rc;
    if (c->model.given && (rc = model_defaults(c)) != MB_OK)
        return rc;
    size_t total = 0;
    for (size_t i = 0; i < c->n_problems; i++) {
        const mb_sweep_problem *p = &c->problems[i];
        double n = (double)p->n_solvers * (double)p->steps.n *
                   (double)(p->alpha.n ? p->alpha.n : 1) *
                   (double)(p->hidden_bytes.n ? p->hidden_bytes.n * p->internal_bytes.n : 1) *
                   (double)(p->budget.n ? p->budget.n : 1);
        if (n + (double)total > MB_SWEEP_MAX_POINTS)
            return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: the sweep has more than %d points",
                            c->path, p->line, p->name, MB_SWEEP_MAX_POINTS);
        total += (size_t)n;
    }
    return mb_sweep_build_columns(c);
}
