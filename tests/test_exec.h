/* test_exec.h: what the two files of the executor's test share (test_exec.c and
 * test_exec_plans.c): a small configuration and a solver's plan for it. Include after
 * test_util.h. */
#ifndef MB_TESTS_TEST_EXEC_H
#define MB_TESTS_TEST_EXEC_H

#include "exec/exec.h"
#include "solvers/solvers.h"
#include "test_util.h"

static inline mb_exec_config small_config(mb_cell_kind cell, mb_dtype dtype, int64_t T)
{
    mb_exec_config c = mb_exec_config_default();
    c.cell = cell;
    c.dtype = dtype;
    c.input = 5;
    c.hidden = 7;
    c.batch = 3;
    c.steps = T;
    c.output = 4;
    c.seed = 42;
    return c;
}

/* A solver's plan for configuration c at `budget` units, or NULL when infeasible. */
static inline mb_plan *plan_for(const mb_exec_config *c, const mb_solver_type *type, int64_t budget)
{
    mb_problem p;
    assert_int_equal(mb_exec_problem(c, &p), MB_OK);
    p.budget = budget;
    mb_solution s;
    if (mb_solve(type, &p, NULL, &s) != MB_OK)
        fail_msg("FAIL: %s: %s", type->name, mb_errmsg());
    return s.feasible ? s.plan : NULL;
}

/* The tests of test_exec_plans.c. */
void test_arena(void **state);
void test_compaction_in_a_run(void **state);
void test_arena_limit_fires(void **state);
void test_bad_plans_refused(void **state);
void test_full_plan_matches_solver(void **state);

#endif
