/* timeline.c: one plan of a config's [plan] section written as a CSV of its ops with the live
 * store after each (figure 6's timeline). docs/design.md, "Sweeps, records and figures". */
#include "sweep/sweep.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"

int mb_sweep_write_plan_ops(const mb_sweep_config *c, const char *path)
{
    if (c->plan_solver == NULL)
        return MB_ERROR(MB_EINVAL, "%s: no [plan] section (solver, steps, alpha, budget)", c->path);
    mb_problem p = {0};
    int rc;
    char ks[1200], ka[1200], kb[1200];
    snprintf(ks, sizeof ks, "%s steps", c->plan_where);
    snprintf(ka, sizeof ka, "%s alpha", c->plan_where);
    snprintf(kb, sizeof kb, "%s budget", c->plan_where);
    mb_problem_spec spec = {.steps = {ks, c->plan_steps}, .alpha = {ka, c->plan_alpha},
                            .hidden_bytes = {"hidden_bytes", NULL},
                            .internal_bytes = {"internal_bytes", NULL},
                            .budget = {kb, c->plan_budget}};
    if ((rc = mb_problem_from_spec(&spec, &p)) != MB_OK)
        return rc;
    int64_t alpha = p.internal_units;
    mb_solution s;
    if ((rc = mb_solve(c->plan_solver, &p, &c->solve, &s)) != MB_OK)
        return rc;
    if (!s.feasible)
        return MB_ERROR(MB_EINFEASIBLE, "%s: budget %lld units is infeasible for %s; the "
                        "smallest feasible budget is %lld units", c->plan_where,
                        (long long)p.budget, c->plan_solver->name, (long long)s.min_budget);
    const mb_plan *pl = s.plan;
    int64_t *size = mb_calloc((size_t)p.steps + 1, sizeof *size);   /* units stored per step */
    size_t *since = mb_calloc((size_t)p.steps + 1, sizeof *since);  /* op that stored it */
    size_t *until = mb_calloc(pl->n_ops + 1, sizeof *until);        /* per store op: freed at */
    char *computed = mb_calloc((size_t)p.steps + 1, 1);
    if (!size || !since || !until || !computed) {
        rc = MB_ERROR(MB_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < pl->n_ops; k++)
        until[k] = pl->n_ops;
    for (size_t k = 0; k < pl->n_ops; k++) {
        const mb_op *op = &pl->ops[k];
        if (op->kind == MB_OP_STORE_HIDDEN || op->kind == MB_OP_STORE_INTERNAL)
            since[op->step] = k;
        else if (op->kind == MB_OP_FREE)
            until[since[op->step]] = k;
    }
    mb_atomic_file af;
    if ((rc = mb_atomic_open(&af, path)) != MB_OK)
        goto done;
    fputs("op,kind,step,phase,store_units,budget_units,live_until_op\n", af.f);
    int64_t store = p.hidden_units; /* h_0 */
    size[0] = p.hidden_units;
    for (size_t k = 0; k < pl->n_ops; k++) {
        const mb_op *op = &pl->ops[k];
        const char *phase = mb_op_name(op->kind);
        if (op->kind == MB_OP_FORWARD) {
            phase = computed[op->step] ? "recompute" : "first_forward";
            computed[op->step] = 1;
        } else if (op->kind == MB_OP_STORE_HIDDEN) {
            size[op->step] = p.hidden_units;
            store += p.hidden_units;
        } else if (op->kind == MB_OP_STORE_INTERNAL) {
            size[op->step] = p.internal_units;
            store += p.internal_units;
        } else if (op->kind == MB_OP_FREE) {
            store -= size[op->step];
            size[op->step] = 0;
        }
        fprintf(af.f, "%zu,%s,%d,%s,%lld,%lld,", k, mb_op_name(op->kind), (int)op->step, phase,
                (long long)store, (long long)p.budget);
        if (op->kind == MB_OP_STORE_HIDDEN || op->kind == MB_OP_STORE_INTERNAL)
            fprintf(af.f, "%zu\n", until[k]);
        else
            fputs("\n", af.f);
    }
    if ((rc = mb_atomic_commit(&af)) == MB_OK) {
        /* what the plan is goes to the sidecar, never into the CSV */
        char title[512], st[32], al[32], bu[32];
        snprintf(title, sizeof title, "Plan of %s, t = %lld, alpha = %lld, budget %lld units (%s)",
                 c->plan_solver->name, (long long)p.steps, (long long)alpha,
                 (long long)p.budget, c->plan_budget);
        snprintf(st, sizeof st, "%lld", (long long)p.steps);
        snprintf(al, sizeof al, "%lld", (long long)alpha);
        snprintf(bu, sizeof bu, "%lld", (long long)p.budget);
        mb_meta_config cf[] = {{"config", c->path}, {"solver", c->plan_solver->name},
                               {"steps", st}, {"alpha", al}, {"budget_units", bu},
                               {"budget_spec", c->plan_budget}, {"title", title}};
        rc = mb_sidecar_write(path, "one plan, op by op (figure 6)", cf, sizeof cf / sizeof cf[0]);
    }
done:
    mb_free(size);
    mb_free(since);
    mb_free(until);
    mb_free(computed);
    mb_plan_free(s.plan);
    return rc;
}
