/* test_sim.c: the verifier accepts what the solvers make and rejects corrupted plans, naming
 * the first bad op; the cost model and the HSM bound. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/ir.h"
#include "solvers/builder.h"
#include "test_util.h"

static mb_plan *make_plan(const mb_solver_type *type, int64_t t, int64_t alpha, int64_t m)
{
    mb_problem p = problem_alpha(t, alpha, m);
    mb_solution s;
    assert_int_equal(mb_solve(type, &p, NULL, &s), MB_OK);
    assert_true(s.feasible);
    return s.plan;
}

static mb_plan *copy_plan(const mb_plan *src)
{
    mb_plan *p = mb_plan_alloc(src->solver, &src->problem, src->n_ops);
    assert_non_null(p);
    memcpy(p->ops, src->ops, src->n_ops * sizeof *p->ops);
    p->n_ops = src->n_ops;
    p->forward_ops = src->forward_ops;
    p->peak = src->peak;
    return p;
}

/* Replays p and expects it invalid, with the first bad op at `at` (or any op when at < 0)
 * and `words` in the reason. */
static void expect_invalid(const mb_plan *p, long at, const char *words, const char *what)
{
    mb_sim_report r;
    assert_int_equal(mb_sim_replay(p, &r), MB_OK);
    if (r.valid)
        fail_msg("FAIL: %s: the verifier accepted a corrupted plan", what);
    if (at >= 0)
        EXPECT_EQ(r.bad_op, at, "%s: first bad op (%s)", what, r.reason);
    if (words && strstr(r.reason, words) == NULL)
        fail_msg("FAIL: %s: reason '%s' lacks '%s'", what, r.reason, words);
}

static void test_valid_plans_replay(void **state)
{
    (void)state;
    mb_plan *p = make_plan(&mb_solver_msm, 30, 3, 20);
    mb_sim_report r;
    assert_int_equal(mb_sim_replay(p, &r), MB_OK);
    assert_true(r.valid);
    EXPECT_EQ(r.forward_ops, p->forward_ops, "forward ops");
    EXPECT_EQ(r.backward_ops, 30, "backward ops");
    EXPECT_EQ(r.final_cursor, 0, "final cursor");
    assert_true(r.peak <= 20);
    mb_plan_free(p);
}

/* Dropping any op other than a free breaks the plan (a missing forward, restore, store or
 * backward leaves a later precondition unmet or the counts wrong). */
static void test_dropped_op(void **state)
{
    (void)state;
    mb_plan *orig = make_plan(&mb_solver_msm, 12, 2, 8);
    for (size_t i = 0; i < orig->n_ops; i++) {
        if (orig->ops[i].kind == MB_OP_FREE)
            continue;
        mb_plan *p = copy_plan(orig);
        memmove(p->ops + i, p->ops + i + 1, (p->n_ops - i - 1) * sizeof *p->ops);
        p->n_ops--;
        char what[64];
        snprintf(what, sizeof what, "op %zu dropped", i);
        expect_invalid(p, -1, NULL, what);
        mb_plan_free(p);
    }
    mb_plan_free(orig);
}

/* Swapping a backward with the op before it (when they differ) breaks the plan. */
static void test_swapped_ops(void **state)
{
    (void)state;
    mb_plan *orig = make_plan(&mb_solver_msm, 12, 2, 8);
    int swaps = 0;
    for (size_t i = 1; i < orig->n_ops; i++) {
        if (orig->ops[i].kind != MB_OP_BACKWARD || orig->ops[i - 1].kind == MB_OP_FREE)
            continue;
        mb_plan *p = copy_plan(orig);
        mb_op tmp = p->ops[i];
        p->ops[i] = p->ops[i - 1];
        p->ops[i - 1] = tmp;
        expect_invalid(p, (long)(i - 1), NULL, "backward swapped with the op before it");
        mb_plan_free(p);
        swaps++;
    }
    assert_true(swaps > 5);
    mb_plan_free(orig);
}

static mb_plan *hand_plan(int64_t t, int64_t a_s, int64_t budget, const mb_op *ops, size_t n)
{
    mb_problem pr = problem_alpha(t, a_s, budget);
    mb_plan *p = mb_plan_alloc("hand", &pr, 0);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(mb_plan_push_at(p, (mb_op_kind)ops[i].kind, ops[i].step, ops[i].level), MB_OK);
    return p;
}

#define OP(k, s) {(s), (k), 0}
#define OPL(k, s, l) {(s), (k), (l)}

static void test_hand_made_violations(void **state)
{
    (void)state;
    /* a valid baseline: full BPTT for t = 3, alpha = 2 */
    const mb_op good[] = {OP(MB_OP_FORWARD, 1), OP(MB_OP_STORE_INTERNAL, 1), OP(MB_OP_FORWARD, 2),
                          OP(MB_OP_STORE_INTERNAL, 2), OP(MB_OP_FORWARD, 3), OP(MB_OP_BACKWARD, 3),
                          OP(MB_OP_BACKWARD, 2), OP(MB_OP_FREE, 2), OP(MB_OP_BACKWARD, 1),
                          OP(MB_OP_FREE, 1)};
    mb_plan *p = hand_plan(3, 2, 5, good, 10);
    mb_sim_report r;
    assert_int_equal(mb_sim_replay(p, &r), MB_OK);
    assert_true(r.valid);
    EXPECT_EQ(r.peak, 5, "full BPTT peak");
    p->problem.budget = 4; /* a plan over its budget */
    expect_invalid(p, 3, "budget", "over budget");
    mb_plan_free(p);

    const mb_op out_of_order[] = {OP(MB_OP_FORWARD, 1), OP(MB_OP_STORE_INTERNAL, 1),
                                  OP(MB_OP_FORWARD, 2), OP(MB_OP_BACKWARD, 1)};
    p = hand_plan(2, 2, 10, out_of_order, 4);
    expect_invalid(p, 3, "out of order", "backward out of order");
    mb_plan_free(p);

    const mb_op restore_freed[] = {OP(MB_OP_FORWARD, 1), OP(MB_OP_STORE_HIDDEN, 1),
                                   OP(MB_OP_FREE, 1), OP(MB_OP_RESTORE, 1)};
    p = hand_plan(2, 2, 10, restore_freed, 4);
    expect_invalid(p, 3, "no checkpoint", "restore of a freed checkpoint");
    mb_plan_free(p);

    const mb_op internal_after_restore[] = {OP(MB_OP_FORWARD, 1), OP(MB_OP_STORE_HIDDEN, 1),
                                            OP(MB_OP_RESTORE, 0), OP(MB_OP_FORWARD, 1),
                                            OP(MB_OP_RESTORE, 1), OP(MB_OP_FREE, 1),
                                            OP(MB_OP_STORE_INTERNAL, 1)};
    p = hand_plan(2, 2, 10, internal_after_restore, 7);
    expect_invalid(p, 6, "not s_1", "store_internal without s in the core");
    mb_plan_free(p);

    const mb_op backward_without_s[] = {OP(MB_OP_FORWARD, 1), OP(MB_OP_FORWARD, 2),
                                        OP(MB_OP_RESTORE, 0), OP(MB_OP_BACKWARD, 2)};
    p = hand_plan(2, 2, 10, backward_without_s, 4);
    expect_invalid(p, 3, "neither", "backward without its internal state");
    mb_plan_free(p);

    const mb_op skip_forward[] = {OP(MB_OP_FORWARD, 2)};
    p = hand_plan(2, 2, 10, skip_forward, 1);
    expect_invalid(p, 0, "holds h_0", "forward from the wrong state");
    mb_plan_free(p);

    const mb_op past_cursor[] = {OP(MB_OP_FORWARD, 1), OP(MB_OP_BACKWARD, 1)};
    p = hand_plan(1, 2, 10, past_cursor, 2);
    assert_int_equal(mb_sim_replay(p, &r), MB_OK);
    assert_true(r.valid);
    assert_int_equal(mb_plan_push(p, MB_OP_FORWARD, 2), MB_OK);
    expect_invalid(p, 2, "out of range", "step beyond t");
    mb_plan_free(p);

    const mb_op unfinished[] = {OP(MB_OP_FORWARD, 1), OP(MB_OP_FORWARD, 2), OP(MB_OP_BACKWARD, 2)};
    p = hand_plan(2, 2, 10, unfinished, 3);
    expect_invalid(p, 3, "missing", "a plan that stops early");
    mb_plan_free(p);

    const mb_op twice[] = {OP(MB_OP_FORWARD, 1), OP(MB_OP_STORE_HIDDEN, 1),
                           OP(MB_OP_STORE_HIDDEN, 1)};
    p = hand_plan(2, 2, 10, twice, 3);
    expect_invalid(p, 2, "already stored", "storing a step twice");
    mb_plan_free(p);
}

/* Declarations that disagree with the replay are violations. */
static void test_declarations_checked(void **state)
{
    (void)state;
    mb_plan *p = make_plan(&mb_solver_hsm, 20, 1, 4);
    p->forward_ops += 1;
    expect_invalid(p, (long)p->n_ops, "declares", "wrong forward_ops");
    p->forward_ops -= 1;
    p->peak -= 1;
    expect_invalid(p, (long)p->n_ops, "peak", "wrong peak");
    mb_plan_free(p);
}

static void test_cost_model(void **state)
{
    (void)state;
    mb_plan *p = make_plan(&mb_solver_msm, 1000, 5, 249);
    mb_sim_report r;
    assert_int_equal(mb_sim_replay(p, &r), MB_OK);
    mb_cost_model m = mb_cost_model_default();
    /* (1950 + 2*1000) / (1000 + 2*1000): the abstract's "one third more time" */
    assert_true(fabs(mb_sim_predict(&r, &m) / 3000.0 - 3950.0 / 3000.0) < 1e-12);
    m.copy = 0.5;
    assert_true(fabs(mb_sim_predict(&r, &m) - (3950.0 + 0.5 * (double)r.copied_units)) < 1e-9);
    assert_true(r.copied_units > 0);
    /* the forwards after each step's first are recomputes, priced at c_r (c_f when unset) */
    EXPECT_EQ(r.recompute_ops, 950, "msm at 5%%: recompute ops");
    m.copy = 0;
    m.forward = 3;
    assert_true(fabs(mb_sim_predict(&r, &m) - (3 * 1950.0 + 2000.0)) < 1e-9);
    m.forward = 1;
    m.recompute = 1.5;
    assert_true(fabs(mb_sim_predict(&r, &m) - (1000.0 + 1.5 * 950.0 + 2000.0)) < 1e-9);
    m.recompute = 0;
    assert_true(fabs(mb_sim_predict(&r, &m) - 3000.0) < 1e-9);
    mb_plan_free(p);
    assert_true(fabs(mb_sim_hsm_bound(100, 1) - 10000.0) < 1e-6);
    assert_true(fabs(mb_sim_hsm_bound(16, 2) - 128.0) < 1e-9);
    /* the paper's first bound holds for the HSM optimum */
    for (int64_t t = 1; t <= 200; t += 13)
        for (int64_t m2 = 1; m2 <= 10; m2++) {
            mb_problem pr = problem_alpha(t, 1, m2);
            int64_t c = solve_checked(&mb_solver_hsm, &pr, NULL);
            assert_true((double)c <= mb_sim_hsm_bound(t, m2) + 1e-9);
        }
}

/* t = 3, a_s = 3: s_1 on the slow store, read back twice (once to recompute s_2, once for
 * backward 1); memory holds only h_0 (test_two_levels, test_replay_record). */
static const mb_op slow_s1[] = {
    OP(MB_OP_FORWARD, 1), OPL(MB_OP_STORE_INTERNAL, 1, 1), OP(MB_OP_FORWARD, 2),
    OP(MB_OP_FORWARD, 3), OP(MB_OP_BACKWARD, 3), OPL(MB_OP_RESTORE, 1, 1), OP(MB_OP_FORWARD, 2),
    OP(MB_OP_BACKWARD, 2), OPL(MB_OP_RESTORE, 1, 1), OP(MB_OP_BACKWARD, 1),
    OPL(MB_OP_FREE, 1, 1)};

/* Sizes near INT64_MAX: the store's size is checked arithmetic, so a store past the budget
 * is a violation at the op that makes it, never a wrapped size that looks valid. */
/* Two storage levels (docs/design.md, "Two storage levels"): each level's budget, reads
 * only from the level that holds the state, a slow internal state read whole into the core,
 * and the per-level counters and costs. */
static void test_two_levels(void **state)
{
    (void)state;
    mb_plan *p = hand_plan(3, 3, 1, slow_s1, 11);
    p->problem.slow_budget = 3;
    mb_sim_report r;
    assert_int_equal(mb_sim_replay(p, &r), MB_OK);
    assert_true(r.valid);
    EXPECT_EQ(r.peak, 1, "memory peak");
    EXPECT_EQ(r.slow_peak, 3, "slow peak");
    EXPECT_EQ(r.slow_writes, 1, "slow writes");
    EXPECT_EQ(r.slow_reads, 2, "slow reads");
    EXPECT_EQ(r.slow_written_units, 3, "slow units written");
    EXPECT_EQ(r.slow_read_units, 6, "slow units read (s_1 whole, twice)");
    EXPECT_EQ(r.copied_units, 0, "memory copies");
    mb_cost_model m = mb_cost_model_default();
    m.write = 10;
    m.read = 100;
    m.write_latency = 1000;
    m.read_latency = 10000;
    /* 4 forwards + 3 backwards*2 + 1000 + 3*10 + 2*10000 + 6*100 */
    assert_true(fabs(mb_sim_predict(&r, &m) - (4 + 6 + 1000 + 30 + 20000 + 600)) < 1e-9);
    p->problem.slow_budget = 2; /* s_1 does not fit on the slow store */
    expect_invalid(p, 1, "slow store would hold 0 + 3 units", "slow store over its budget");
    p->problem.slow_budget = 0; /* no slow level at all */
    expect_invalid(p, 1, "over its budget of 0", "a slow store of 0 units");
    p->problem.slow_budget = 3;
    p->ops[5].level = 0; /* a read from memory of a state on the slow store */
    expect_invalid(p, 5, "stored on level 1, not on level 0", "restore from the wrong level");
    p->ops[5].level = 1;
    p->ops[10].level = 0;
    expect_invalid(p, 10, "stored on level 1, not on level 0", "free on the wrong level");
    p->ops[10].level = 1;
    p->ops[8] = (mb_op)OP(MB_OP_RESTORE, 0); /* backward 1 straight from the slow store */
    expect_invalid(p, 9, "on the slow store; restore it", "backward from the slow store");
    p->ops[8] = (mb_op)OPL(MB_OP_RESTORE, 1, 1);
    p->ops[2].level = 1; /* a level on a forward */
    expect_invalid(p, 2, "level 1", "a level on a forward");
    mb_plan_free(p);

    /* a hidden state read from the slow store: the core holds h_1 only */
    const mb_op hidden[] = {OP(MB_OP_FORWARD, 1), OPL(MB_OP_STORE_HIDDEN, 1, 1),
                            OP(MB_OP_FORWARD, 2), OP(MB_OP_BACKWARD, 2),
                            OPL(MB_OP_RESTORE, 1, 1), OP(MB_OP_BACKWARD, 1)};
    p = hand_plan(2, 3, 1, hidden, 6);
    p->problem.slow_budget = MB_SLOW_UNLIMITED;
    expect_invalid(p, 5, "neither", "backward after a hidden read");
    mb_plan_free(p);

    /* h_0 moved to the slow store frees memory entirely */
    const mb_op moved[] = {OP(MB_OP_FREE, 0), OPL(MB_OP_STORE_HIDDEN, 0, 1), OP(MB_OP_FORWARD, 1),
                           OP(MB_OP_BACKWARD, 1), OPL(MB_OP_FREE, 0, 1)};
    p = hand_plan(1, 3, 1, moved, 5);
    p->problem.slow_budget = MB_SLOW_UNLIMITED;
    assert_int_equal(mb_sim_replay(p, &r), MB_OK);
    assert_true(r.valid);
    EXPECT_EQ(r.slow_written_units, 1, "h_0 written");
    mb_plan_free(p);
}

/* The columns of a replay (what `verify` prints) have one owner, mb_sim_record_replay: its
 * keys in order, with the slow level's between copied_units and first_violation, and values
 * from the report; the slow level's costs (simulate's) one too, mb_cost_model_record_slow. */
static void test_replay_record(void **state)
{
    (void)state;
    static const char *const keys[] = {
        "budget_units",  "valid",           "ops",             "forward_ops",
        "backward_ops",  "peak_units",      "cost_per_step",   "copied_units",
        "slow_budget_units", "slow_peak_units", "slow_writes", "slow_reads",
        "slow_written_units", "slow_read_units", "slow_written_bytes", "slow_read_bytes",
        "first_violation"};
    mb_plan *p = hand_plan(3, 3, 1, slow_s1, 11);
    p->problem.slow_budget = 3;
    mb_sim_report rep;
    assert_int_equal(mb_sim_replay(p, &rep), MB_OK);
    mb_record *r = calloc(1, sizeof *r);
    assert_non_null(r);
    mb_sim_record_replay(r, p, &rep);
    assert_int_equal(r->n, (int)(sizeof keys / sizeof keys[0]));
    for (int i = 0; i < r->n; i++)
        assert_string_equal(r->fields[i].key, keys[i]);
    EXPECT_EQ(r->fields[2].i, 11, "ops");
    EXPECT_EQ(r->fields[3].i, 4, "forward_ops");
    EXPECT_EQ(r->fields[11].i, 2, "slow_reads");
    assert_true(fabs(r->fields[6].d - 4.0 / 3.0) < 1e-12);
    p->problem.slow_budget = 2; /* invalid: the reason is the last column */
    assert_int_equal(mb_sim_replay(p, &rep), MB_OK);
    memset(r, 0, sizeof *r);
    mb_sim_record_replay(r, p, &rep);
    assert_non_null(strstr(r->strings + r->fields[r->n - 1].s, "over its budget"));
    mb_plan_free(p);
    /* one level: no slow columns */
    mb_problem q = {.steps = 4, .hidden_units = 1, .internal_units = 2, .budget = 7};
    assert_int_equal(mb_plan_full(&q, &p), MB_OK);
    assert_int_equal(mb_sim_replay(p, &rep), MB_OK);
    memset(r, 0, sizeof *r);
    mb_sim_record_replay(r, p, &rep);
    assert_int_equal(r->n, 9);
    assert_string_equal(r->fields[7].key, "copied_units");
    assert_string_equal(r->fields[8].key, "first_violation");
    /* the slow level's costs: sim's columns too, only beside a slow level */
    mb_cost_model m = mb_cost_model_default();
    m.read_latency = 0.5;
    memset(r, 0, sizeof *r);
    mb_cost_model_record_slow(r, &q, &m);
    assert_int_equal(r->n, 0);
    q.slow_budget = MB_SLOW_UNLIMITED;
    mb_cost_model_record_slow(r, &q, &m);
    assert_int_equal(r->n, 4);
    assert_string_equal(r->fields[0].key, "cost_write");
    assert_string_equal(r->fields[3].key, "cost_read_latency");
    assert_true(r->fields[3].d == 0.5);
    mb_plan_free(p);
    free(r);
}

static void test_ir_huge_sizes(void **state)
{
    (void)state;
    const int64_t big = INT64_MAX;
    mb_problem p = {1, 1, big, 0, big, 0};
    mb_ir m;
    assert_int_equal(mb_ir_init(&m, &p), MB_OK);
    assert_int_equal(mb_ir_apply(&m, (mb_op){1, MB_OP_FORWARD, 0}), MB_OK);
    assert_int_equal(mb_ir_apply(&m, (mb_op){1, MB_OP_STORE_INTERNAL, 0}), MB_EBADPLAN);
    assert_non_null(strstr(m.reason, "op 1 (store_internal 1)"));
    assert_non_null(strstr(m.reason, "over the budget"));
    assert_int_equal(m.size, 1); /* the state is unchanged by the refused op */
    /* the machine refuses everything after a violation */
    assert_int_equal(mb_ir_apply(&m, (mb_op){1, MB_OP_BACKWARD, 0}), MB_EBADPLAN);
    mb_ir_release(&m);

    /* h_0 and three hidden states of 3.07e18 units: the third store is the first bad op */
    const int64_t a_h = INT64_C(3070000000000000000);
    mb_problem q = {3, a_h, a_h, 0, big, 0};
    assert_int_equal(mb_ir_init(&m, &q), MB_OK);
    assert_int_equal(mb_ir_apply(&m, (mb_op){1, MB_OP_FORWARD, 0}), MB_OK);
    assert_int_equal(mb_ir_apply(&m, (mb_op){1, MB_OP_STORE_HIDDEN, 0}), MB_OK);
    assert_int_equal(mb_ir_apply(&m, (mb_op){2, MB_OP_FORWARD, 0}), MB_OK);
    assert_int_equal(mb_ir_apply(&m, (mb_op){2, MB_OP_STORE_HIDDEN, 0}), MB_OK); /* 9.21e18 fits */
    assert_int_equal(mb_ir_apply(&m, (mb_op){3, MB_OP_FORWARD, 0}), MB_OK);
    assert_int_equal(mb_ir_apply(&m, (mb_op){3, MB_OP_STORE_HIDDEN, 0}), MB_EBADPLAN);
    assert_int_equal(m.applied, 5);
    assert_non_null(strstr(m.reason, "op 5 (store_hidden 3)"));
    mb_ir_release(&m);

    /* copied_units that would overflow is MB_ERANGE, not a wrapped count */
    mb_problem r = {2, big / 2, big / 2, 0, big, 0};
    assert_int_equal(mb_ir_init(&m, &r), MB_OK);
    int rc = MB_OK;
    for (int i = 0; i < 4 && rc == MB_OK; i++)
        rc = mb_ir_apply(&m, (mb_op){0, MB_OP_RESTORE, 0});
    assert_int_equal(rc, MB_ERANGE);
    assert_true(m.copied_units > 0);
    mb_ir_release(&m);
}

/* A solver that emits an invalid op fails at once with MB_EINTERNAL (exit 1, a bug in
 * membptt), not MB_EBADPLAN (exit 4, a bad plan from the user). */
static void test_builder_catches_bad_ops(void **state)
{
    (void)state;
    mb_problem p = problem_alpha(4, 2, 100);
    mb_builder b;
    assert_int_equal(mb_builder_init(&b, "buggy", &p), MB_OK);
    mb_builder_forward(&b, 0, 2);
    mb_builder_store_internal(&b, 1); /* the core holds h_2, not s_1 */
    mb_plan *plan = NULL;
    assert_int_equal(mb_builder_finish(&b, &plan), MB_EINTERNAL);
    assert_null(plan);
    assert_non_null(strstr(mb_errmsg(), "solver buggy emitted an invalid plan"));
    assert_non_null(strstr(mb_errmsg(), "op 2 (store_internal 1)"));

    assert_int_equal(mb_builder_init(&b, "short", &p), MB_OK);
    mb_builder_forward(&b, 0, 4);
    mb_builder_backward(&b, 4);
    assert_int_equal(mb_builder_finish(&b, &plan), MB_EINTERNAL);
    assert_non_null(strstr(mb_errmsg(), "incomplete plan"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_plans_replay),
        cmocka_unit_test(test_dropped_op),
        cmocka_unit_test(test_swapped_ops),
        cmocka_unit_test(test_hand_made_violations),
        cmocka_unit_test(test_declarations_checked),
        cmocka_unit_test(test_cost_model),
        cmocka_unit_test(test_ir_huge_sizes),
        cmocka_unit_test(test_two_levels),
        cmocka_unit_test(test_replay_record),
        cmocka_unit_test(test_builder_catches_bad_ops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
