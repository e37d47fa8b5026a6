/* test_exec_plans.c: the executor's arena (its limit is hard, gaps reused, compaction) and the
 * plans it refuses before anything runs (invalid, over budget, the wrong size); full BPTT's
 * canonical plan is the full solver's. Part of the exec test; main is in test_exec.c. */
#include <stdlib.h>
#include <string.h>

#include "exec/arena.h"
#include "exec/exec.h"
#include "exec/internal.h"
#include "sim/sim.h"
#include "test_exec.h"
#include "test_util.h"

/* The arena refuses a request past its limit, reuses gaps and compacts when it must. */
void test_arena(void **state)
{
    (void)state;
    mb_arena a;
    int64_t off;
    assert_int_equal(mb_arena_init(&a, 100, 10), MB_OK);
    assert_int_equal(mb_arena_alloc(&a, 40, 0, &off), MB_OK);
    EXPECT_EQ(off, 0, "first block");
    assert_int_equal(mb_arena_alloc(&a, 20, 1, &off), MB_OK);
    EXPECT_EQ(off, 40, "second block");
    assert_int_equal(mb_arena_alloc(&a, 30, 2, &off), MB_OK);
    memset(a.base + off, 7, 30);
    assert_int_equal(mb_arena_alloc(&a, 11, 3, &off), MB_EINTERNAL);
    assert_non_null(strstr(mb_errmsg(), "arena overflow"));
    assert_int_equal(mb_arena_free(&a, 0), MB_OK);
    /* 50 free bytes: 40 at the bottom, 10 at the top; 45 needs a compaction */
    assert_int_equal(mb_arena_alloc(&a, 45, 4, &off), MB_OK);
    EXPECT_EQ(a.compactions, 1, "compactions");
    EXPECT_EQ(mb_arena_find(&a, 2), 20, "step 2 slid down");
    for (int i = 0; i < 30; i++)
        assert_int_equal(a.base[20 + i], 7);
    EXPECT_EQ(a.peak, 95, "peak");
    assert_int_equal(mb_arena_free(&a, 4), MB_OK);
    assert_int_equal(mb_arena_free(&a, 4), MB_EINTERNAL);
    mb_arena_release(&a);
}

/* A hand-made valid plan whose store fragments: after `free 1` the arena holds h_0 and h_2
 * with a hole between them, and s_3 fits only once the blocks slide together. The gradients
 * (which read the moved h_2 back) must still equal full BPTT's bit for bit. LSTM: a_h = 1,
 * a_s = 3 units; budget 5 = h_0 + h_2 + s_3. */
void test_compaction_in_a_run(void **state)
{
    (void)state;
    mb_exec_config c = small_config(MB_CELL_LSTM, MB_DTYPE_F32, 3);
    mb_net *net;
    assert_int_equal(mb_net_create(&c, &net), MB_OK);
    mb_problem p;
    assert_int_equal(mb_exec_problem(&c, &p), MB_OK);
    assert_int_equal(p.hidden_units, 1);
    assert_int_equal(p.internal_units, 3);
    p.budget = 5;
    mb_plan *plan = mb_plan_alloc("hand", &p, 0);
    const struct {
        mb_op_kind kind;
        int step;
    } ops[] = {{MB_OP_FORWARD, 1}, {MB_OP_STORE_HIDDEN, 1}, {MB_OP_FORWARD, 2},
               {MB_OP_STORE_HIDDEN, 2}, {MB_OP_FREE, 1}, {MB_OP_FORWARD, 3},
               {MB_OP_STORE_INTERNAL, 3}, {MB_OP_BACKWARD, 3}, {MB_OP_FREE, 3},
               {MB_OP_RESTORE, 2}, {MB_OP_FREE, 2}, {MB_OP_RESTORE, 0},
               {MB_OP_FORWARD, 1}, {MB_OP_FORWARD, 2}, {MB_OP_BACKWARD, 2},
               {MB_OP_RESTORE, 0}, {MB_OP_FORWARD, 1}, {MB_OP_BACKWARD, 1}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        assert_int_equal(mb_plan_push(plan, ops[i].kind, ops[i].step), MB_OK);
    plan->forward_ops = -1;
    plan->peak = -1;
    mb_exec_stats st, ref;
    assert_int_equal(mb_net_run_straight(net, &ref), MB_OK);
    size_t n, nh;
    const void *g0 = mb_net_grads(net, &n), *h00 = mb_net_dh0(net, &nh);
    float *g = malloc(n * sizeof *g), *gh = malloc(nh * sizeof *gh);
    memcpy(g, g0, n * sizeof *g);
    memcpy(gh, h00, nh * sizeof *gh);
    if (mb_net_run(net, plan, NULL, &st) != MB_OK)
        fail_msg("FAIL: the hand-made plan: %s", mb_errmsg());
    EXPECT_EQ(st.compactions, 1, "compactions");
    EXPECT_EQ(st.peak_store_bytes, 5 * p.unit_bytes, "peak");
    EXPECT_EQ(st.recompute_ops, 3, "recompute ops");
    assert_memory_equal(mb_net_grads(net, &n), g, n * sizeof *g);
    assert_memory_equal(mb_net_dh0(net, &nh), gh, nh * sizeof *gh);
    free(g);
    free(gh);
    mb_plan_free(plan);
    mb_net_free(net);
}

/* A valid plan run with a smaller arena than its budget: the limit fires, loudly. */
void test_arena_limit_fires(void **state)
{
    (void)state;
    mb_exec_config c = small_config(MB_CELL_LSTM, MB_DTYPE_F32, 12);
    mb_net *net;
    assert_int_equal(mb_net_create(&c, &net), MB_OK);
    mb_problem p;
    assert_int_equal(mb_exec_problem(&c, &p), MB_OK);
    mb_plan *plan = plan_for(&c, &mb_solver_full, p.budget);
    mb_run_options o = {0};
    o.arena_limit_bytes = (p.budget - 1) * p.unit_bytes;
    mb_exec_stats st;
    assert_int_equal(mb_net_run(net, plan, &o, &st), MB_EINTERNAL);
    assert_non_null(strstr(mb_errmsg(), "arena overflow"));
    assert_int_equal(mb_exit_status(MB_EINTERNAL), 1);
    mb_plan_free(plan);
    mb_net_free(net);
}

/* Invalid, over-budget and wrong-size plans are refused before any op runs: the gradients
 * keep a sentinel value. */
void test_bad_plans_refused(void **state)
{
    (void)state;
    mb_exec_config c = small_config(MB_CELL_GRU, MB_DTYPE_F32, 15);
    mb_net *net;
    assert_int_equal(mb_net_create(&c, &net), MB_OK);
    mb_problem p;
    assert_int_equal(mb_exec_problem(&c, &p), MB_OK);
    int64_t min;
    assert_int_equal(mb_solver_msm.min_budget(&p, &min), MB_OK);
    mb_plan *plan = plan_for(&c, &mb_solver_msm, min + 3);
    size_t n;
    float *g = (float *)(void *)mb_net_grads(net, &n);
    mb_exec_stats st;

    /* swap two ops near the end: an out-of-order backward */
    mb_op keep = plan->ops[plan->n_ops - 1];
    plan->ops[plan->n_ops - 1] = plan->ops[plan->n_ops - 2];
    plan->ops[plan->n_ops - 2] = keep;
    for (size_t i = 0; i < n; i++)
        g[i] = 123.0f;
    assert_int_equal(mb_net_run(net, plan, NULL, &st), MB_EBADPLAN);
    assert_non_null(strstr(mb_errmsg(), "op "));
    assert_int_equal(mb_exec_check_plan(&c, plan), MB_EBADPLAN);
    assert_true(g[0] == 123.0f && g[n - 1] == 123.0f);
    plan->ops[plan->n_ops - 2] = plan->ops[plan->n_ops - 1];
    plan->ops[plan->n_ops - 1] = keep;
    assert_int_equal(mb_exec_check_plan(&c, plan), MB_OK);

    /* the same plan with a budget below its peak */
    plan->problem.budget = plan->peak - 1;
    plan->peak = -1;
    assert_int_equal(mb_net_run(net, plan, NULL, &st), MB_EBADPLAN);
    assert_non_null(strstr(mb_errmsg(), "budget"));
    assert_true(g[0] == 123.0f);
    plan->problem.budget = min + 3;

    /* a plan for other sizes */
    mb_exec_config other = c;
    other.hidden = 8;
    assert_int_equal(mb_exec_check_plan(&other, plan), MB_EBADPLAN);
    assert_non_null(strstr(mb_errmsg(), "do not fit"));
    other = c;
    other.steps = 16;
    assert_int_equal(mb_exec_check_plan(&other, plan), MB_EBADPLAN);
    plan->problem.unit_bytes = 0;
    assert_int_equal(mb_net_run(net, plan, NULL, &st), MB_EBADPLAN);
    assert_true(g[0] == 123.0f);
    mb_plan_free(plan);
    mb_net_free(net);
}

/* The executor's baseline is core's canonical full-BPTT plan (the `full` solver's too): valid
 * under replay, t forward ops, peak a_h + a_s*(t-1), whatever budget the sizes came with. */
void test_full_plan_matches_solver(void **state)
{
    (void)state;
    mb_exec_config c = small_config(MB_CELL_GRU, MB_DTYPE_F32, 17);
    mb_problem p;
    assert_int_equal(mb_exec_problem(&c, &p), MB_OK);
    int64_t full;
    assert_int_equal(mb_problem_full_units(&p, &full), MB_OK);
    p.budget = 1; /* ignored: the plan runs at its own memory */
    mb_plan *mine, *theirs = plan_for(&c, &mb_solver_full, full);
    assert_int_equal(mb_plan_full(&p, &mine), MB_OK);
    mb_sim_report rep;
    assert_int_equal(mb_sim_replay(mine, &rep), MB_OK);
    EXPECT_EQ(rep.valid, 1, "the full plan is valid: %s", rep.reason);
    EXPECT_EQ(rep.forward_ops, 17, "forward ops");
    EXPECT_EQ(rep.peak, full, "peak");
    EXPECT_EQ(mine->problem.budget, full, "budget");
    EXPECT_EQ((int64_t)mine->n_ops, (int64_t)mb_plan_full_ops(17), "ops");
    EXPECT_EQ(mine->n_ops, theirs->n_ops, "the solver's plan has as many ops");
    mb_plan_free(mine);
    mb_plan_free(theirs);
}

