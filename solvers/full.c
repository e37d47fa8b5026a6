/* full.c: standard BPTT, which keeps every internal state: t forward ops, a_h + a_s*(t-1). */
#include "core/error.h"
#include "solvers/solvers.h"

static int full_min_budget(const mb_problem *p, int64_t *out)
{
    return mb_problem_full_units(p, out);
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
    "full", "standard BPTT: keep every internal state (t forward ops, the most memory)",
    "none needed: one plan per t", full_min_budget, full_build, 0};
