/* test_util.h: helpers shared by the test programs: solve-and-replay with a failure message
 * that says what was observed and what was expected. */
#ifndef MB_TESTS_TEST_UTIL_H
#define MB_TESTS_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/fileio.h"
#include "sim/sim.h"
#include "solvers/solvers.h"

/* Fails the current test with "FAIL: what (observed vs expected)" when a != b. */
#define EXPECT_EQ(a, b, ...)                                                              \
    do {                                                                                  \
        long long a_ = (long long)(a), b_ = (long long)(b);                               \
        if (a_ != b_) {                                                                   \
            char what_[640];                                                              \
            snprintf(what_, sizeof what_, __VA_ARGS__);                                   \
            fail_msg("FAIL: %s (%lld vs %lld expected)", what_, a_, b_);                  \
        }                                                                                 \
    } while (0)

static inline mb_problem problem_alpha(int64_t t, int64_t alpha, int64_t budget)
{
    mb_problem p = {t, 1, alpha, 0, budget, 0};
    return p;
}

/* Solves, and when feasible replays the plan and checks it is valid, within budget, and that
 * the declared forward ops and peak match the replay. Returns the forward ops or -1 when
 * infeasible; *min_budget gets the solver's smallest feasible budget. */
static inline int64_t solve_checked(const mb_solver_type *type, const mb_problem *p,
                                    int64_t *min_budget)
{
    mb_solution s;
    int rc = mb_solve(type, p, NULL, &s);
    if (rc != MB_OK)
        fail_msg("FAIL: %s t=%lld a_h=%lld a_s=%lld m=%lld: %s", type->name,
                 (long long)p->steps, (long long)p->hidden_units, (long long)p->internal_units,
                 (long long)p->budget, mb_errmsg());
    if (min_budget)
        *min_budget = s.min_budget;
    if (!s.feasible)
        return -1;
    mb_sim_report r;
    assert_int_equal(mb_sim_replay(s.plan, &r), MB_OK);
    if (!r.valid)
        fail_msg("FAIL: %s t=%lld a_h=%lld a_s=%lld m=%lld: invalid plan: %s", type->name,
                 (long long)p->steps, (long long)p->hidden_units, (long long)p->internal_units,
                 (long long)p->budget, r.reason);
    if (r.peak > p->budget)
        fail_msg("FAIL: %s peak %lld over budget %lld", type->name, (long long)r.peak,
                 (long long)p->budget);
    EXPECT_EQ(r.backward_ops, p->steps, "%s backward ops", type->name);
    int64_t fwd = s.plan->forward_ops;
    mb_plan_free(s.plan);
    return fwd;
}

/* The whole file at `path` (mb_read_file; free it), failing the test when it cannot be read. */
__attribute__((noinline, unused)) static char *slurp(const char *path)
{
    char *text = NULL;
    size_t len;
    if (mb_read_file(path, &text, &len) != MB_OK)
        fail_msg("cannot read %s: %s", path, mb_errmsg());
    assert_non_null(text);
    return text;
}

/* Writes `text` as the whole file at `path`, failing the test when it cannot. */
static inline void spit(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

#endif
