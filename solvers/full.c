/* full.c: standard BPTT, which keeps every internal state: t forward ops, a_h + a_s*(t-1). */
#include "core/error.h"
#include "solvers/builder.h"
#include "solvers/solvers.h"

static int full_min_budget(const mb_problem *p, int64_t *out)
{
    return mb_problem_full_units(p, out);
}

/* forward 1..t storing s_1..s_{t-1} (s_t stays in the core), then backward t..1. */
static int full_build(const mb_problem *p, const mb_solve_options *o, mb_plan **out)
{
    (void)o;
    int rc = mb_solver_check_ops(&mb_solver_full, p); /* before anything is built */
    if (rc != MB_OK)
        return rc;
    mb_builder b;
    rc = mb_builder_init(&b, "full", p);
    if (rc != MB_OK)
        return rc;
    for (int64_t k = 1; k <= p->steps; k++) {
        mb_builder_forward(&b, k - 1, k);
        if (k < p->steps)
            mb_builder_store_internal(&b, k);
    }
    mb_builder_backward(&b, p->steps);
    for (int64_t k = p->steps - 1; k >= 1; k--) {
        mb_builder_backward(&b, k);
        mb_builder_free(&b, k);
    }
    return mb_builder_finish(&b, out);
}

const mb_solver_type mb_solver_full = {
    "full", "standard BPTT: keep every internal state (t forward ops, the most memory)",
    "none needed: one plan per t", full_min_budget, full_build};
