/* revolve.c: Griewank & Walther's binomial schedule (Revolve) in hidden-state terms, built
 * from the closed-form split rule alone (no table). With s = floor(budget / a_h) snapshots,
 * h_0 counted as one, its cost is t + n(t, s), the optimum of HSM. */
#include <stdlib.h>

#include "core/alloc.h"
#include "core/error.h"
#include "solvers/builder.h"
#include "solvers/solvers.h"

typedef struct {
    int64_t s, n, snaps;
    int free_after; /* free h_s when this range is done: its parent stored it */
} range;

/* t backward and t + n(t, s) forward at least (GW2000); restores, stores and frees come on
 * top, so this is a lower bound. */
static int revolve_ops(const mb_problem *p, uint64_t *ops, int *exact)
{
    const int64_t t = p->steps, snaps = p->budget / p->hidden_units;
    int64_t adv = snaps >= 1 ? mb_binomial_advances(t, snaps) : 0;
    *ops = 2 * (uint64_t)t + (uint64_t)(adv > 0 ? adv : 0);
    *exact = 0;
    return MB_OK;
}

static int revolve_build(const mb_problem *p, const mb_solve_options *o, mb_plan **out)
{
    (void)o;
    mb_builder b;
    int rc = mb_builder_init(&b, mb_solver_revolve.name, p);
    if (rc != MB_OK)
        return rc;
    int64_t snaps = p->budget / p->hidden_units;
    size_t cap = 64, n = 0;
    range *stack = mb_malloc(cap * sizeof *stack);
    if (stack == NULL)
        b.rc = MB_ERROR(MB_ENOMEM, "out of memory building a revolve plan");
    else
        stack[n++] = (range){0, p->steps, snaps, 0};
    while (n > 0 && b.rc == MB_OK) {
        range r = stack[--n];
        if (n + 2 > cap) {
            range *grown = mb_realloc(stack, 2 * cap * sizeof *stack);
            if (grown == NULL) {
                b.rc = MB_ERROR(MB_ENOMEM, "out of memory building a revolve plan");
                break;
            }
            stack = grown;
            cap *= 2;
        }
        if (r.n >= 1 && (r.snaps <= 1 || r.n == 1)) {
            /* one snapshot: run to the end from h_s, backward, and repeat one step shorter */
            mb_builder_forward(&b, r.s, r.s + r.n);
            mb_builder_backward(&b, r.s + r.n);
            stack[n++] = (range){r.s, r.n - 1, r.snaps, r.free_after};
            continue;
        }
        if (r.n == 0) {
            if (r.free_after)
                mb_builder_free(&b, r.s);
            continue;
        }
        int64_t y = mb_binomial_split(r.n, r.snaps);
        mb_builder_forward(&b, r.s, r.s + y);
        mb_builder_store_hidden(&b, r.s + y);
        stack[n++] = (range){r.s, y, r.snaps, r.free_after};
        stack[n++] = (range){r.s + y, r.n - y, r.snaps - 1, 1};
    }
    mb_free(stack);
    return mb_builder_finish(&b, out);
}

static int revolve_min_budget(const mb_problem *p, int64_t *out)
{
    *out = p->hidden_units; /* one snapshot, h_0 */
    return MB_OK;
}

const mb_solver_type mb_solver_revolve = {
    .name = "revolve",
    .summary = "Griewank-Walther binomial checkpointing from its closed-form split rule (no table)",
    .tie_break = "GW2000 split rule (bottom of p. 34)",
    .min_budget = revolve_min_budget,
    .build = revolve_build,
    .plan_ops = revolve_ops,
    .flags = MB_SOLVER_HSM_BOUND | MB_SOLVER_MONOTONE,
};
