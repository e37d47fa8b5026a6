/* test_fit.c: the GSL fits recover known exponents and per-op costs from synthetic data, and
 * refuse data they cannot fit. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "analysis/fit.h"
#include "sim/sim.h"
#include "solvers/solvers.h"
#include "test_util.h"

/* A deterministic pseudo-random number in [-1, 1] (LCG), so the test is reproducible. */
static double noise(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (double)(*s >> 11) / (double)(UINT64_C(1) << 53) * 2 - 1;
}

static void test_power_exact(void **state)
{
    (void)state;
    double x[8], y[8];
    for (int i = 0; i < 8; i++) {
        x[i] = 10.0 * pow(2, i);
        y[i] = 3.0 * pow(x[i], 1.25);
    }
    mb_fit_power f;
    assert_int_equal(mb_fit_power_law(x, y, 8, 0.95, &f), MB_OK);
    assert_true(fabs(f.exponent - 1.25) < 1e-12);
    assert_true(fabs(f.prefactor - 3.0) < 1e-9);
    assert_true(f.ci_high - f.ci_low < 1e-9);
    assert_true(f.r2 > 1 - 1e-12);
    assert_int_equal((int)f.n, 8);
}

static void test_power_noisy(void **state)
{
    (void)state;
    /* 5% multiplicative noise around y = 0.5 x^1.5: the 95% interval must contain 1.5 and be
     * narrow; with another exponent the interval must exclude 1.5. */
    double x[40], y[40];
    uint64_t s = 42;
    for (int i = 0; i < 40; i++) {
        x[i] = 50.0 + 25.0 * i;
        y[i] = 0.5 * pow(x[i], 1.5) * (1 + 0.05 * noise(&s));
    }
    mb_fit_power f;
    assert_int_equal(mb_fit_power_law(x, y, 40, 0.95, &f), MB_OK);
    assert_true(f.ci_low <= 1.5 && 1.5 <= f.ci_high);
    assert_true(f.ci_high - f.ci_low < 0.05);
    assert_true(f.exponent_se > 0);
    for (int i = 0; i < 40; i++)
        y[i] = 0.5 * pow(x[i], 1.7) * (1 + 0.05 * noise(&s));
    assert_int_equal(mb_fit_power_law(x, y, 40, 0.95, &f), MB_OK);
    assert_false(f.ci_low <= 1.5 && 1.5 <= f.ci_high);
}

static void test_power_hsm(void **state)
{
    (void)state;
    /* HSM's cost for fixed m grows like t^(1+1/m) up to log factors: for m = 2 the fitted
     * exponent over t = 100..12800 lies near 1.5 and below the bound's exponent plus 0.1. */
    double x[8], y[8];
    for (int i = 0; i < 8; i++) {
        mb_problem p = {.steps = 100 << i, .hidden_units = 1, .internal_units = 1, .budget = 2};
        x[i] = (double)p.steps;
        y[i] = (double)(p.steps + mb_binomial_advances(p.steps, 2));
        assert_true(mb_fit_hsm_bound_holds(x[i], 2, y[i]));
    }
    mb_fit_power f;
    assert_int_equal(mb_fit_power_law(x, y, 8, 0.95, &f), MB_OK);
    assert_true(fabs(f.exponent - 1.5) < 0.05);
    assert_false(mb_fit_hsm_bound_holds(1000, 2, 2 * pow(1000, 1.5) + 1));
}

static void test_power_errors(void **state)
{
    (void)state;
    double x[3] = {1, 1, 1}, y[3] = {1, 2, 3};
    mb_fit_power f;
    assert_int_equal(mb_fit_power_law(x, y, 3, 0.95, &f), MB_EINVAL);
    double x2[3] = {1, 2, -3};
    assert_int_equal(mb_fit_power_law(x2, y, 3, 0.95, &f), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "at least 3"));
    double x3[3] = {1, 2, 3};
    assert_int_equal(mb_fit_power_law(x3, y, 3, 1.5, &f), MB_EINVAL);
}

static void test_costs_recovery(void **state)
{
    (void)state;
    /* time = 3e-3*steps + 2.5e-3*recompute + 1e-6*copy + 2e-3*fourth, with 1% noise */
    const double truth[4] = {3e-3, 2.5e-3, 1e-6, 2e-3};
    double x[30 * 4], y[30];
    uint64_t s = 7;
    for (int i = 0; i < 30; i++) {
        double t = 100 + 37 * i;
        x[i * 4 + 0] = t;
        x[i * 4 + 1] = t * (0.1 + 0.05 * (i % 7));
        x[i * 4 + 2] = 1000.0 * (i % 5) + 50.0 * i;
        x[i * 4 + 3] = t * (1 + 0.01 * (i % 3));
        y[i] = 0;
        for (int j = 0; j < 4; j++)
            y[i] += truth[j] * x[i * 4 + j];
        y[i] *= 1 + 0.01 * noise(&s);
    }
    mb_fit_costs f;
    assert_int_equal(mb_fit_op_costs(x, y, 30, 4, NULL, &f), MB_OK);
    assert_true(f.r2 > 0.99);
    assert_true(fabs(f.coef[MB_FIT_RECOMPUTE] - truth[1]) < 0.1 * truth[1]);
    double pred = mb_fit_costs_predict(&f, &x[0]);
    assert_true(fabs(pred - y[0]) < 0.05 * y[0]);
    /* exact data: exact recovery */
    for (int i = 0; i < 30; i++) {
        y[i] = 0;
        for (int j = 0; j < 4; j++)
            y[i] += truth[j] * x[i * 4 + j];
    }
    assert_int_equal(mb_fit_op_costs(x, y, 30, 4, NULL, &f), MB_OK);
    for (int j = 0; j < 4; j++)
        assert_true(fabs(f.coef[j] - truth[j]) < 1e-9 * fabs(truth[j]) + 1e-15);
}

/* The runs of a measured sweep, made from real plans: msm and revolve at t = 200 over budgets
 * of 2% to 100% (budget sweep) and msm at 10 units for t = 50..400 (length sweep), each with
 * its full-BPTT partner; times from known c_f, c_r, c_b, c_copy (per byte, 4096-byte units),
 * times (1 + noise_level*noise). Returns the number of runs. */
static size_t synthetic_runs(mb_fit_run *runs, const double c[4], double noise_level)
{
    const double cf = c[0], cr = c[1], cb = c[2], ccopy = c[3], unit = 4096;
    const mb_solver_type *solvers[2] = {&mb_solver_msm, &mb_solver_revolve};
    uint64_t s = 11;
    size_t n = 0;
    for (int sweep = 0; sweep < 2; sweep++)
        for (int i = 0; i < 8; i++)
            for (int sv = 0; sv < (sweep == 0 ? 2 : 1); sv++) {
                const int64_t t = sweep == 0 ? 200 : 50 * (i + 1);
                const int64_t full = 1 + 5 * (t - 1);
                const double pct[8] = {2, 5, 10, 15, 25, 40, 70, 100};
                const int64_t m = sweep == 0 ? (int64_t)(pct[i] / 100 * (double)full) : 10;
                mb_problem p = problem_alpha(t, 5, m);
                mb_solution sol;
                assert_int_equal(mb_solve(solvers[sv], &p, NULL, &sol), MB_OK);
                assert_true(sol.feasible);
                mb_sim_report r;
                assert_int_equal(mb_sim_replay(sol.plan, &r), MB_OK);
                assert_true(r.valid);
                mb_plan_free(sol.plan);
                for (int which = 0; which < 2; which++) { /* the plan, then full BPTT */
                    mb_fit_run *run = &runs[n++];
                    run->steps = (double)t;
                    run->recompute_ops = which == 0 ? (double)r.recompute_ops : 0;
                    run->copied_bytes = which == 0 ? (double)r.copied_units * unit
                                                   : (double)(5 * (t - 1)) * unit;
                    run->first_s = cf * (double)t * (1 + noise_level * noise(&s));
                    run->time_s = ((cf + cb) * run->steps + cr * run->recompute_ops +
                                   ccopy * run->copied_bytes) * (1 + noise_level * noise(&s));
                }
            }
    return n;
}

/* The calibration recovers known c_f, c_r, c_b and c_copy from plans' counts. */
static void test_calibration(void **state)
{
    (void)state;
    const double truth[4] = {2e-4, 2.6e-4, 5e-4, 2e-10}; /* c_f, c_r, c_b, c_copy */
    mb_fit_run runs[64];
    size_t n = synthetic_runs(runs, truth, 0);
    assert_true(n == 48);
    mb_fit_calibration cal;
    assert_int_equal(mb_fit_calibrate(runs, n, &cal), MB_OK);
    assert_true(cal.copy_fitted);
    const double got[4] = {cal.c_f, cal.c_r, cal.c_b, cal.c_copy};
    for (int j = 0; j < 4; j++)
        assert_true(fabs(got[j] - truth[j]) < 1e-6 * truth[j]);
    assert_true(cal.n_first == n);
    /* 0.5% noise, copies about 6% of full BPTT's time: each cost within 3%, c_copy within
     * 30% (at 0.6% of the time, truth's c_copy drowns in such noise) */
    const double loud[4] = {2e-4, 2.6e-4, 5e-4, 2e-9};
    n = synthetic_runs(runs, loud, 0.005);
    assert_int_equal(mb_fit_calibrate(runs, n, &cal), MB_OK);
    assert_true(fabs(cal.c_f - loud[0]) < 0.03 * loud[0]);
    assert_true(fabs(cal.c_r - loud[1]) < 0.03 * loud[1]);
    assert_true(fabs(cal.c_b - loud[2]) < 0.03 * loud[2]);
    assert_true(fabs(cal.c_copy - loud[3]) < 0.3 * loud[3]);
    /* no copies anywhere: the copy term is dropped, the rest still recovered */
    for (size_t i = 0; i < n; i++)
        runs[i].copied_bytes = 0;
    n = synthetic_runs(runs, (const double[4]){2e-4, 2.6e-4, 5e-4, 0}, 0);
    for (size_t i = 0; i < n; i++)
        runs[i].copied_bytes = 0;
    assert_int_equal(mb_fit_calibrate(runs, n, &cal), MB_OK);
    assert_false(cal.copy_fitted);
    assert_true(fabs(cal.c_r - truth[1]) < 1e-6 * truth[1]);
    assert_true(cal.c_copy == 0);
    /* one length only and no recomputes: c_r cannot be told apart; the message names it */
    for (size_t i = 0; i < n; i++) {
        runs[i].steps = 200;
        runs[i].recompute_ops = 0;
    }
    assert_int_equal(mb_fit_calibrate(runs, n, &cal), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "recompute"));
    /* no first-forward times: c_f and c_b cannot be split */
    n = synthetic_runs(runs, truth, 0);
    for (size_t i = 0; i < n; i++)
        runs[i].first_s = NAN;
    assert_int_equal(mb_fit_calibrate(runs, n, &cal), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "first-forward"));
    assert_int_equal(mb_fit_calibrate(runs, 3, &cal), MB_EINVAL);
}

static void test_costs_errors(void **state)
{
    (void)state;
    /* the third column always equals the first: rank-deficient, and the message names it */
    double x[10 * 3], y[10];
    for (int i = 0; i < 10; i++) {
        x[i * 3 + 0] = 100 + i;
        x[i * 3 + 1] = 3 * i;
        x[i * 3 + 2] = 100 + i;
        y[i] = i + 1.0;
    }
    mb_fit_costs f;
    assert_int_equal(mb_fit_op_costs(x, y, 10, 3, NULL, &f), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "copy"));
    const char *const names[] = {"a", "b", "c"};
    assert_int_equal(mb_fit_op_costs(x, y, 10, 3, names, &f), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "the c count"));
    assert_int_equal(mb_fit_op_costs(x, y, 3, 3, NULL, &f), MB_EINVAL);
    assert_int_equal(mb_fit_op_costs(x, y, 10, 5, NULL, &f), MB_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_exact),   cmocka_unit_test(test_power_noisy),
        cmocka_unit_test(test_power_hsm),     cmocka_unit_test(test_power_errors),
        cmocka_unit_test(test_costs_recovery), cmocka_unit_test(test_costs_errors),
        cmocka_unit_test(test_calibration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
