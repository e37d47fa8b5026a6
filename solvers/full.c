/* full.c: standard BPTT, which keeps every internal state: t forward ops, a_h + a_s*(t-1). */
#include "core/error.h"
#include "solvers/solvers.h"

static int full_min_budget(const mb_problem *p, int64_t *out)
{
    return mb_problem_full_units(p, out);
}

static int full_ops(const mb_problem *p, uint64_t *ops, int *exact)
{
    *ops = mb_plan_full_ops(p->steps);
    *exact = 1;
    return MB_OK;
}

/* The canonical full-BPTT plan (core/plan.h, mb_plan_full), answering the caller's budget. */
static int full_build(const mb_problem *p, const mb_solve_options *o, mb_plan **out)
{
    (void)o;
    int rc = mb_plan_full(p, out);
    if (rc == MB_OK)
        (*out)->problem.budget = p->budget;
    return rc;
}

const mb_solver_type mb_solver_full = {
    .name = "full",
    .summary = "standard BPTT: keep every internal state (t forward ops, the most memory)",
    .tie_break = "none needed: one plan per t",
    .min_budget = full_min_budget,
    .build = full_build,
    .plan_ops = full_ops,
};
