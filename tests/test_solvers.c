/* test_solvers.c: every solver's plans verify over many problems; the DPs match Griewank &
 * Walther's closed forms and the paper's headline; the fast DP equals the textbook one. */
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static int64_t full_units(const mb_problem *p)
{
    int64_t f;
    assert_int_equal(mb_problem_full_units(p, &f), MB_OK);
    return f;
}

/* Every solver, over lengths, sizes and budgets from below its minimum to far above full:
 * below the minimum it is infeasible, at and above it the plan is valid, within budget, and
 * its declared counts match the replay. */
static void test_all_solvers_valid(void **state)
{
    (void)state;
    const int64_t steps[] = {1, 2, 3, 4, 5, 7, 8, 13, 31, 64, 100};
    const int64_t sizes[][2] = {{1, 1}, {1, 2}, {1, 5}, {2, 7}, {3, 3}};
    size_t n;
    const mb_solver_type *const *all = mb_solver_all(&n);
    for (size_t si = 0; si < n; si++)
        for (size_t ti = 0; ti < sizeof steps / sizeof steps[0]; ti++)
            for (size_t zi = 0; zi < sizeof sizes / sizeof sizes[0]; zi++) {
                mb_problem p = {steps[ti], sizes[zi][0], sizes[zi][1], 0, 0, 0};
                int64_t full = full_units(&p), min;
                p.budget = full * 4;
                int64_t best = solve_checked(all[si], &p, &min);
                assert_true(best >= p.steps);
                assert_true(min >= p.hidden_units && min <= full);
                p.budget = min - 1;
                EXPECT_EQ(solve_checked(all[si], &p, NULL), -1, "%s t=%lld below min budget",
                          all[si]->name, (long long)p.steps);
                if (all[si]->build == mb_solver_sqrt.build || all[si]->build == mb_solver_chen.build) {
                    mb_solution sol;
                    p.budget = min;
                    assert_int_equal(mb_solve(all[si], &p, NULL, &sol), MB_OK);
                    EXPECT_EQ(sol.plan->peak, min, "%s t=%lld: min budget is the plan's peak",
                              all[si]->name, (long long)p.steps);
                    mb_plan_free(sol.plan);
                }
                int64_t budgets[] = {min, min + 1, (min + full) / 2, full - 1, full, full + 3};
                int64_t prev = INT64_MAX, prev_budget = -1;
                for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
                    if (budgets[b] < min || budgets[b] <= prev_budget)
                        continue;
                    prev_budget = budgets[b];
                    p.budget = budgets[b];
                    int64_t c = solve_checked(all[si], &p, NULL);
                    assert_true(c >= p.steps);
                    if (all[si]->build != mb_solver_sqrt.build &&
                        all[si]->build != mb_solver_chen.build && c > prev)
                        fail_msg("FAIL: %s t=%lld cost rises with budget (%lld > %lld)",
                                 all[si]->name, (long long)p.steps, (long long)c,
                                 (long long)prev);
                    prev = c;
                }
            }
}

/* Full BPTT costs t and needs a_h + a_s*(t-1); with only h_0 every DP costs t(t+1)/2. */
static void test_extremes(void **state)
{
    (void)state;
    for (int64_t t = 1; t <= 40; t++) {
        mb_problem p = problem_alpha(t, 5, 0);
        int64_t min;
        p.budget = full_units(&p);
        EXPECT_EQ(solve_checked(&mb_solver_full, &p, &min), t, "full cost t=%lld", (long long)t);
        EXPECT_EQ(min, 1 + 5 * (t - 1), "full min budget t=%lld", (long long)t);
        EXPECT_EQ(solve_checked(&mb_solver_msm, &p, NULL), t, "msm at full memory t=%lld",
                  (long long)t);
        p.budget = 1;
        const mb_solver_type *dps[] = {&mb_solver_hsm, &mb_solver_ism, &mb_solver_msm,
                                       &mb_solver_revolve};
        for (int k = 0; k < 4; k++)
            EXPECT_EQ(solve_checked(dps[k], &p, NULL), t * (t + 1) / 2, "%s with only h_0 t=%lld",
                      dps[k]->name, (long long)t);
    }
}

/* HSM = t + n(t, m) for all t <= 300, m <= 40 (one table per m gives every t); revolve has
 * the same cost from its closed-form split rule. ISM with alpha 1 = n(t+1, m). */
static void test_closed_forms(void **state)
{
    (void)state;
    const int64_t T = 300;
    int64_t *c = malloc((size_t)(T + 1) * sizeof *c);
    assert_non_null(c);
    for (int64_t m = 1; m <= 40; m++) {
        mb_problem p = problem_alpha(T, 1, m);
        assert_int_equal(mb_dp_cost(MB_MOVE_HIDDEN, &p, NULL, c, NULL), MB_OK);
        for (int64_t t = 1; t <= T; t++)
            EXPECT_EQ(c[t], t + mb_binomial_advances(t, m), "hsm C(%lld,%lld) vs t + n(t,m)",
                      (long long)t, (long long)m);
        assert_int_equal(mb_dp_cost(MB_MOVE_INTERNAL, &p, NULL, c, NULL), MB_OK);
        for (int64_t t = 1; t <= T; t++)
            EXPECT_EQ(c[t], mb_binomial_advances(t + 1, m), "ism alpha=1 C(%lld,%lld) vs n(t+1,m)",
                      (long long)t, (long long)m);
    }
    free(c);
    for (int64_t t = 1; t <= 120; t += 7)
        for (int64_t m = 1; m <= 12; m++) {
            mb_problem p = problem_alpha(t, 3, m);
            EXPECT_EQ(solve_checked(&mb_solver_revolve, &p, NULL),
                      t + mb_binomial_advances(t, m), "revolve t=%lld m=%lld", (long long)t,
                      (long long)m);
        }
}

/* Griewank's calibration: 225 steps, 15 snapshots, 522 advances. */
static void test_griewank_522(void **state)
{
    (void)state;
    EXPECT_EQ(mb_binomial_advances(225, 15), 522, "n(225, 15)");
    mb_problem p = problem_alpha(225, 1, 15);
    EXPECT_EQ(solve_checked(&mb_solver_revolve, &p, NULL), 225 + 522, "revolve 225/15");
    EXPECT_EQ(solve_checked(&mb_solver_hsm, &p, NULL), 225 + 522, "hsm 225/15");
}

/* The paper's headline: t = 1000, alpha = 5, budget 5% (249 units): 1950 forward ops. */
static void test_headline(void **state)
{
    (void)state;
    mb_problem p = problem_alpha(1000, 5, 0);
    assert_int_equal(mb_parse_budget("--budget", "5%", &p, &p.budget), MB_OK);
    EXPECT_EQ(p.budget, 249, "5%% of 4996 units");
    EXPECT_EQ(solve_checked(&mb_solver_msm, &p, NULL), 1950, "msm headline");
    EXPECT_EQ(solve_checked(&mb_solver_msm_free, &p, NULL), 1950, "msm-free headline");
}

/* Compares the fast (and, with with_bnb, the branch-and-bound) tables with the textbook one
 * for problem p and the given moves: every cost of the top row and the hash of the whole
 * policy table. */
static void expect_tables_equal(int moves, const mb_problem *p, int with_bnb, int64_t *a,
                                int64_t *b)
{
    mb_solve_options fast = {.dp_method = MB_DP_FAST}, textbook = {.dp_method = MB_DP_TEXTBOOK},
                     bnb = {.dp_method = MB_DP_BNB};
    uint64_t ha, hb, hc;
    assert_int_equal(mb_dp_cost(moves, p, &textbook, b, &hb), MB_OK);
    assert_int_equal(mb_dp_cost(moves, p, &fast, a, &ha), MB_OK);
    for (int64_t t = 0; t <= p->steps; t++)
        EXPECT_EQ(a[t], b[t], "moves %d sizes %lld/%lld m=%lld C(%lld)", moves,
                  (long long)p->hidden_units, (long long)p->internal_units, (long long)p->budget,
                  (long long)t);
    if (ha != hb)
        fail_msg("FAIL: moves %d t=%lld sizes %lld/%lld m=%lld: fast and textbook policy tables "
                 "differ",
                 moves, (long long)p->steps, (long long)p->hidden_units,
                 (long long)p->internal_units, (long long)p->budget);
    if (!with_bnb)
        return;
    assert_int_equal(mb_dp_cost(moves, p, &bnb, a, &hc), MB_OK);
    if (hc != hb)
        fail_msg("FAIL: moves %d t=%lld m=%lld: bnb and textbook policy tables differ", moves,
                 (long long)p->steps, (long long)p->budget);
}

static const int ALL_MOVES[] = {
    MB_MOVE_HIDDEN, MB_MOVE_INTERNAL, MB_MOVE_HIDDEN | MB_MOVE_INTERNAL,
    MB_MOVE_HIDDEN | MB_MOVE_INTERNAL | MB_MOVE_FREE_START};

/* The fast builder's tables equal the textbook ones entry by entry (policy hash and costs)
 * for every DP, over lengths, sizes and budgets from the minimum (a_h) to beyond full. */
static void test_fast_equals_textbook(void **state)
{
    (void)state;
    const int64_t sizes[][2] = {{1, 1}, {1, 2}, {1, 5}, {2, 7}, {3, 4}, {1, 3}};
    const int64_t steps[] = {1, 2, 3, 5, 17, 40, 97, 230};
    int64_t *a = malloc(231 * sizeof *a), *b = malloc(231 * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    for (size_t mi = 0; mi < 4; mi++)
        for (size_t zi = 0; zi < sizeof sizes / sizeof sizes[0]; zi++)
            for (size_t ti = 0; ti < sizeof steps / sizeof steps[0]; ti++) {
                mb_problem p = {steps[ti], sizes[zi][0], sizes[zi][1], 0, 0, 0};
                int64_t full = full_units(&p);
                for (int64_t f = 0; f <= 10; f++) {
                    /* f = 0: the minimum a_h; 1..9 spread to full; 10: beyond full */
                    p.budget = f == 10 ? full + 3
                                       : p.hidden_units + (full - p.hidden_units) * (f * f) / 81;
                    expect_tables_equal(ALL_MOVES[mi], &p, p.steps <= 97, a, b);
                }
            }
    free(a);
    free(b);
}

/* Longer sequences, where the fast builder's windows, rise lists and bounded halving all come
 * into play (rows with increments of 3 and more that are not convex). */
static void test_fast_equals_textbook_long(void **state)
{
    (void)state;
    const struct {
        int64_t t, a_h, a_s, budget;
    } cases[] = {
        {1000, 1, 5, 49}, {1000, 1, 5, 249}, {700, 1, 3, 90}, {600, 2, 7, 160}, {500, 3, 4, 120},
    };
    int64_t *a = malloc(1001 * sizeof *a), *b = malloc(1001 * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (size_t mi = 0; mi < 4; mi++) {
            mb_problem p = {cases[i].t, cases[i].a_h, cases[i].a_s, 0, cases[i].budget, 0};
            expect_tables_equal(ALL_MOVES[mi], &p, 1, a, b);
        }
    free(a);
    free(b);
}

/* Costs past 32 bits are exact (the old 65535-step limit is gone): with only h_0 every DP
 * costs t(t+1)/2; HSM matches t + n(t, m) at t = 100000 for m = 2, 3 along the row. */
static void test_dp_long_exact(void **state)
{
    (void)state;
    const int64_t T = 100000;
    int64_t *c = malloc((size_t)(T + 1) * sizeof *c);
    assert_non_null(c);
    for (size_t mi = 0; mi < 4; mi++) {
        mb_problem p = problem_alpha(T, 5, 1);
        assert_int_equal(mb_dp_cost(ALL_MOVES[mi], &p, NULL, c, NULL), MB_OK);
        EXPECT_EQ(c[T], T * (T + 1) / 2, "moves %d C(%lld, 1) = t(t+1)/2 (over 2^31)",
                  ALL_MOVES[mi], (long long)T);
        assert_true(c[T] > INT64_C(2147483647));
    }
    for (int64_t m = 2; m <= 3; m++) {
        mb_problem p = problem_alpha(T, 1, m);
        assert_int_equal(mb_dp_cost(MB_MOVE_HIDDEN, &p, NULL, c, NULL), MB_OK);
        for (int64_t t = 1; t <= T; t += t < T - 64 ? 37 : 1) /* spread, and the last 64 */
            if (c[t] != t + mb_binomial_advances(t, m))
                fail_msg("FAIL: hsm C(%lld, %lld) = %lld, t + n(t,m) = %lld", (long long)t,
                         (long long)m, (long long)c[t],
                         (long long)(t + mb_binomial_advances(t, m)));
    }
    /* The plan of a long solve replays to the table's cost. */
    mb_problem p = problem_alpha(70000, 1, 3);
    EXPECT_EQ(solve_checked(&mb_solver_hsm, &p, NULL), 70000 + mb_binomial_advances(70000, 3),
              "hsm plan at t = 70000, m = 3");
    free(c);
}

/* MSM is never worse than HSM or ISM, msm-free never worse than MSM, and every DP is never
 * worse than the heuristics that fit the same budget. */
static void test_dominance(void **state)
{
    (void)state;
    for (int64_t t = 1; t <= 60; t += 3)
        for (int64_t alpha = 1; alpha <= 6; alpha += 2) {
            mb_problem p = problem_alpha(t, alpha, 0);
            int64_t full = full_units(&p);
            for (p.budget = 1; p.budget <= full; p.budget += 1 + full / 23) {
                int64_t h = solve_checked(&mb_solver_hsm, &p, NULL);
                int64_t i = solve_checked(&mb_solver_ism, &p, NULL);
                int64_t m = solve_checked(&mb_solver_msm, &p, NULL);
                int64_t f = solve_checked(&mb_solver_msm_free, &p, NULL);
                assert_true(m <= h && m <= i && f <= m);
                const mb_solver_type *heur[] = {&mb_solver_sqrt, &mb_solver_chen,
                                                &mb_solver_revolve};
                for (int k = 0; k < 3; k++) {
                    int64_t c = solve_checked(heur[k], &p, NULL);
                    if (c >= 0 && c < m)
                        fail_msg("FAIL: %s beats msm at t=%lld alpha=%lld m=%lld (%lld < %lld)",
                                 heur[k]->name, (long long)t, (long long)alpha,
                                 (long long)p.budget, (long long)c, (long long)m);
                }
            }
        }
}

/* Problems the DPs refuse say so, before allocating their tables: a table over the memory
 * limit names the MiB it needs and the limit; the refusal comes from the row count's lower
 * bound when even the budget map would not fit. */
static void test_dp_limits(void **state)
{
    (void)state;
    mb_solution s;
    mb_problem p = problem_alpha(2000, 5, 2000);
    mb_solve_options o = {.dp_method = MB_DP_FAST, .max_table_bytes = 1 << 20};
    assert_int_equal(mb_solve(&mb_solver_msm, &p, &o, &s), MB_ERANGE);
    assert_non_null(strstr(mb_errmsg(), "MiB"));
    assert_non_null(strstr(mb_errmsg(), "limit of 1 MiB"));
    assert_null(s.plan);
    /* 2^28 budget rows of 2^20 steps: 2^50 bytes. Refused from the lower bound alone. */
    p = problem_alpha(INT64_C(1) << 20, 1, INT64_C(1) << 28);
    o.max_table_bytes = INT64_C(1) << 30;
    int64_t *c = malloc(((size_t)1 << 20) * sizeof *c + sizeof *c);
    assert_non_null(c);
    for (int method = MB_DP_FAST; method <= MB_DP_BNB; method++) {
        o.dp_method = (mb_dp_method)method;
        assert_int_equal(mb_dp_cost(MB_MOVE_HIDDEN | MB_MOVE_INTERNAL, &p, &o, c, NULL),
                         MB_ERANGE);
        assert_non_null(strstr(mb_errmsg(), "over the limit of 1024 MiB"));
    }
    free(c);
    /* The default limit (8 GiB) refuses too, and a budget beyond the bitmap's range is named. */
    p = problem_alpha(100000, 5, 200000);
    assert_int_equal(mb_solve(&mb_solver_msm, &p, NULL, &s), MB_ERANGE);
    assert_non_null(strstr(mb_errmsg(), "8192 MiB"));
    p = problem_alpha(INT64_C(1) << 28, 5, (INT64_C(1) << 28) + 1);
    assert_int_equal(mb_solve(&mb_solver_msm, &p, NULL, &s), MB_ERANGE);
    assert_non_null(strstr(mb_errmsg(), "units"));
    /* Revolve serves what the DPs refuse. */
    p = problem_alpha(70000, 1, 10);
    assert_int_equal(mb_solve(&mb_solver_revolve, &p, NULL, &s), MB_OK);
    assert_true(s.feasible);
    mb_plan_free(s.plan);
}

/* A solve given a progress stream says nothing when it is short. */
static void test_dp_progress_quiet(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    assert_non_null(f);
    mb_problem p = problem_alpha(300, 5, 100);
    mb_solve_options o = {.dp_method = MB_DP_FAST, .progress = f};
    int64_t c[301];
    assert_int_equal(mb_dp_cost(MB_MOVE_HIDDEN | MB_MOVE_INTERNAL, &p, &o, c, NULL), MB_OK);
    assert_int_equal(ftell(f), 0);
    fclose(f);
}

/* Looking solvers up by name; the name list is the table's names, in its order. */
static void test_registry(void **state)
{
    (void)state;
    size_t n;
    const mb_solver_type *const *all = mb_solver_all(&n);
    assert_true(n >= 8);
    char names[512] = "";
    for (size_t i = 0; i < n; i++) {
        assert_ptr_equal(mb_solver_lookup(all[i]->name), all[i]);
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                 all[i]->name);
        /* every entry says what it is and how it breaks ties */
        assert_true(all[i]->summary != NULL && all[i]->summary[0] != '\0');
        assert_true(all[i]->tie_break != NULL && all[i]->tie_break[0] != '\0');
        assert_non_null(all[i]->min_budget);
        assert_non_null(all[i]->build);
    }
    assert_string_equal(mb_solver_names(), names);
    assert_null(mb_solver_lookup("MSM"));
    assert_null(mb_solver_lookup(""));
}

/* The flags of the table hold: a MONOTONE solver never costs more with more budget, an
 * HSM_BOUND one stays within m*t^(1+1/m), and a DP solver refuses a table over
 * max_table_bytes (what dp_method and max_table_bytes apply to). */
static void test_table_flags(void **state)
{
    (void)state;
    size_t n;
    const mb_solver_type *const *all = mb_solver_all(&n);
    for (size_t i = 0; i < n; i++) {
        const mb_solver_type *type = all[i];
        for (int64_t t = 1; t <= 60; t += t < 12 ? 1 : 7)
            for (int64_t alpha = 1; alpha <= 4; alpha += 3) {
                mb_problem p = problem_alpha(t, alpha, 0);
                int64_t full = full_units(&p), last = -1;
                for (p.budget = 1; p.budget <= full + 1; p.budget++) {
                    int64_t min, cost = solve_checked(type, &p, &min);
                    if (cost < 0)
                        continue;
                    if ((type->flags & MB_SOLVER_MONOTONE) && last >= 0 && cost > last)
                        fail_msg("%s t=%lld alpha=%lld: cost %lld at budget %lld > %lld "
                                 "below it", type->name, (long long)t, (long long)alpha,
                                 (long long)cost, (long long)p.budget, (long long)last);
                    if ((type->flags & MB_SOLVER_HSM_BOUND) &&
                        (double)cost > mb_sim_hsm_bound(t, p.budget) * (1 + 1e-12))
                        fail_msg("%s t=%lld budget %lld: cost %lld over the HSM bound",
                                 type->name, (long long)t, (long long)p.budget,
                                 (long long)cost);
                    last = cost;
                }
            }
        if (type->flags & MB_SOLVER_DP) {
            mb_problem p = problem_alpha(2000, 5, 2000);
            mb_solve_options o = {.max_table_bytes = 1 << 20};
            mb_solution s;
            assert_int_equal(mb_solve(type, &p, &o, &s), MB_ERANGE);
            assert_null(s.plan);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_table_flags),
        cmocka_unit_test(test_all_solvers_valid),
        cmocka_unit_test(test_extremes),
        cmocka_unit_test(test_closed_forms),
        cmocka_unit_test(test_griewank_522),
        cmocka_unit_test(test_headline),
        cmocka_unit_test(test_fast_equals_textbook),
        cmocka_unit_test(test_fast_equals_textbook_long),
        cmocka_unit_test(test_dp_long_exact),
        cmocka_unit_test(test_dominance),
        cmocka_unit_test(test_dp_limits),
        cmocka_unit_test(test_dp_progress_quiet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
