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
#include "sim/fit.h"
#include "sim/sim.h"
#include "solvers/solvers.h"

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
    /* time = 1e-3*forward + 2.5e-3*recompute + 2e-3*backward + 1e-6*copy, with 1% noise */
    const double truth[4] = {1e-3, 2.5e-3, 2e-3, 1e-6};
    double x[30 * 4], y[30];
    uint64_t s = 7;
    for (int i = 0; i < 30; i++) {
        double t = 100 + 37 * i;
        x[i * 4 + 0] = t;
        x[i * 4 + 1] = t * (0.1 + 0.05 * (i % 7));
        x[i * 4 + 2] = t;
        x[i * 4 + 3] = 1000.0 * (i % 5) + 50.0 * i;
        /* backward == forward count on every row would be rank-deficient; vary it */
        x[i * 4 + 2] = t * (1 + 0.01 * (i % 3));
        y[i] = 0;
        for (int j = 0; j < 4; j++)
            y[i] += truth[j] * x[i * 4 + j];
        y[i] *= 1 + 0.01 * noise(&s);
    }
    mb_fit_costs f;
    assert_int_equal(mb_fit_op_costs(x, y, 30, 4, &f), MB_OK);
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
    assert_int_equal(mb_fit_op_costs(x, y, 30, 4, &f), MB_OK);
    for (int j = 0; j < 4; j++)
        assert_true(fabs(f.coef[j] - truth[j]) < 1e-9 * fabs(truth[j]) + 1e-15);
}

static void test_costs_errors(void **state)
{
    (void)state;
    /* backward always equals forward: rank-deficient, and the message names the column */
    double x[10 * 3], y[10];
    for (int i = 0; i < 10; i++) {
        x[i * 3 + 0] = 100 + i;
        x[i * 3 + 1] = 3 * i;
        x[i * 3 + 2] = 100 + i;
        y[i] = i + 1.0;
    }
    mb_fit_costs f;
    assert_int_equal(mb_fit_op_costs(x, y, 10, 3, &f), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "backward"));
    assert_int_equal(mb_fit_op_costs(x, y, 3, 3, &f), MB_EINVAL);
    assert_int_equal(mb_fit_op_costs(x, y, 10, 5, &f), MB_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_power_exact),   cmocka_unit_test(test_power_noisy),
        cmocka_unit_test(test_power_hsm),     cmocka_unit_test(test_power_errors),
        cmocka_unit_test(test_costs_recovery), cmocka_unit_test(test_costs_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
