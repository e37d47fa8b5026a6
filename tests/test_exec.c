/* test_exec.c: the executor. Every solver's plans give float32 gradients bitwise equal to full
 * BPTT with op counts equal to the plan's; float64 gradients match finite differences; the
 * arena's limit is hard; invalid, over-budget and wrong-size plans are refused before anything
 * runs; the float approximations of tanh and sigmoid are accurate. */
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "exec/arena.h"
#include "exec/exec.h"
#include "exec/internal.h"
#include "sim/sim.h"
#include "test_util.h"

static mb_exec_config small_config(mb_cell_kind cell, mb_dtype dtype, int64_t T)
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
static mb_plan *plan_for(const mb_exec_config *c, const mb_solver_type *type, int64_t budget)
{
    mb_problem p;
    assert_int_equal(mb_exec_problem(c, &p), MB_OK);
    p.budget = budget;
    mb_solution s;
    if (mb_solve(type, &p, NULL, &s) != MB_OK)
        fail_msg("FAIL: %s: %s", type->name, mb_errmsg());
    return s.feasible ? s.plan : NULL;
}

static void test_tanh_approximation(void **state)
{
    (void)state;
    double worst_t = 0, worst_s = 0;
    for (int i = -200000; i <= 200000; i++) {
        float x = (float)i * 1e-4f;
        double et = fabs((double)mb_exec_tanhf(x) - tanh((double)x));
        double es = fabs((double)mb_exec_sigmoidf(x) - 1.0 / (1.0 + exp(-(double)x)));
        worst_t = et > worst_t ? et : worst_t;
        worst_s = es > worst_s ? es : worst_s;
    }
    if (worst_t > 1e-6 || worst_s > 1e-6)
        fail_msg("FAIL: approximation error tanh %.3g, sigmoid %.3g (limit 1e-6)", worst_t,
                 worst_s);
    assert_true(mb_exec_tanhf(100.0f) <= 1.0f && mb_exec_tanhf(100.0f) > 0.999999f);
    assert_true(mb_exec_tanhf(-100.0f) >= -1.0f && mb_exec_tanhf(-100.0f) < -0.999999f);
}

static void test_state_bytes(void **state)
{
    (void)state;
    mb_exec_config c = small_config(MB_CELL_LSTM, MB_DTYPE_F32, 10);
    int64_t hb, ib;
    assert_int_equal(mb_exec_state_bytes(&c, &hb, &ib), MB_OK);
    EXPECT_EQ(hb, 2 * 7 * 3 * 4, "LSTM hidden bytes (h and c)");
    EXPECT_EQ(ib, 6 * 7 * 3 * 4, "LSTM internal bytes (h, c and four gates)");
    c.cell = MB_CELL_GRU;
    assert_int_equal(mb_exec_state_bytes(&c, &hb, &ib), MB_OK);
    EXPECT_EQ(hb, 7 * 3 * 4, "GRU hidden bytes");
    EXPECT_EQ(ib, 5 * 7 * 3 * 4, "GRU internal bytes");
    c.cell = MB_CELL_RNN;
    c.dtype = MB_DTYPE_F64;
    assert_int_equal(mb_exec_state_bytes(&c, &hb, &ib), MB_OK);
    EXPECT_EQ(hb, 7 * 3 * 8, "RNN hidden bytes (float64)");
    EXPECT_EQ(ib, 7 * 3 * 8, "RNN internal bytes (float64): h alone");
    mb_problem p;
    c.cell = MB_CELL_LSTM;
    c.dtype = MB_DTYPE_F32;
    assert_int_equal(mb_exec_problem(&c, &p), MB_OK);
    EXPECT_EQ(p.unit_bytes, 2 * 7 * 3 * 4, "unit = gcd");
    EXPECT_EQ(p.hidden_units, 1, "a_h");
    EXPECT_EQ(p.internal_units, 3, "a_s");
    c.hidden = 0;
    assert_int_equal(mb_exec_state_bytes(&c, &hb, &ib), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--hidden 0"));
    c.hidden = INT64_C(1) << 40;
    assert_int_equal(mb_exec_state_bytes(&c, &hb, &ib), MB_ERANGE);
}

/* Runs every solver at several budgets (its minimum included) on one cell and compares the
 * float32 gradients and dL/dh_0 bit for bit with full BPTT, and the op counts with the
 * plan's replay. */
static void bitwise_all_solvers(mb_cell_kind cell)
{
    /* B = 4: the input projections come in aligned blocks of ceil(128/B) = 32 steps, so
     * T = 40 crosses a block boundary and recomputation starts inside blocks. */
    const int64_t T = 40;
    mb_exec_config c = small_config(cell, MB_DTYPE_F32, T);
    c.batch = 4;
    mb_net *net;
    assert_int_equal(mb_net_create(&c, &net), MB_OK);
    size_t n, nh;
    mb_exec_stats ref_st;
    assert_int_equal(mb_net_run_straight(net, &ref_st), MB_OK);
    const size_t gb = mb_net_param_layout(net).end * sizeof(float);
    float *ref = malloc(gb), *ref_h0 = malloc(2 * 7 * 4 * sizeof(float));
    const void *g0 = mb_net_grads(net, &n), *h00 = mb_net_dh0(net, &nh);
    memcpy(ref, g0, gb);
    memcpy(ref_h0, h00, nh * sizeof(float));
    /* the gradients are not trivially zero */
    double norm = 0;
    for (size_t i = 0; i < n; i++)
        norm += fabs((double)ref[i]);
    assert_true(norm > 1e-3);

    mb_problem p;
    assert_int_equal(mb_exec_problem(&c, &p), MB_OK);
    const int64_t full = p.budget;
    size_t count;
    const mb_solver_type *const *all = mb_solver_all(&count);
    int runs = 0;
    for (size_t s = 0; s < count; s++) {
        int64_t min;
        assert_int_equal(all[s]->min_budget(&p, &min), MB_OK);
        const int64_t budgets[] = {min, min + 1, min + (full - min) / 7, (min + full) / 2, full};
        for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
            mb_plan *plan = plan_for(&c, all[s], budgets[b]);
            if (plan == NULL)
                fail_msg("FAIL: %s infeasible at %lld >= its minimum %lld", all[s]->name,
                         (long long)budgets[b], (long long)min);
            mb_sim_report r;
            assert_int_equal(mb_sim_replay(plan, &r), MB_OK);
            assert_true(r.valid);
            mb_exec_stats st;
            int rc = mb_net_run(net, plan, NULL, &st);
            if (rc != MB_OK)
                fail_msg("FAIL: %s %s budget %lld: %s", mb_cell_name(cell), all[s]->name,
                         (long long)budgets[b], mb_errmsg());
            EXPECT_EQ(st.forward_ops, r.forward_ops, "%s %s m=%lld forward ops",
                      mb_cell_name(cell), all[s]->name, (long long)budgets[b]);
            EXPECT_EQ(st.backward_ops, T, "%s backward ops", all[s]->name);
            EXPECT_EQ(st.store_ops, r.store_ops, "%s store ops", all[s]->name);
            EXPECT_EQ(st.restore_ops, r.restore_ops, "%s restore ops", all[s]->name);
            EXPECT_EQ(st.recompute_ops, r.forward_ops - T, "%s recompute ops", all[s]->name);
            EXPECT_EQ(st.peak_store_bytes, r.peak * p.unit_bytes, "%s peak bytes", all[s]->name);
            assert_true(st.peak_store_bytes <= budgets[b] * p.unit_bytes);
            /* the arena is sized by the plan's peak, never more than its budget */
            EXPECT_EQ(st.arena_bytes, r.peak * p.unit_bytes, "%s arena limit", all[s]->name);
            EXPECT_EQ(st.copied_bytes, r.copied_units * p.unit_bytes, "%s copied", all[s]->name);
            const void *gr = mb_net_grads(net, &n), *dh = mb_net_dh0(net, &nh);
            if (memcmp(gr, ref, gb) != 0 || memcmp(dh, ref_h0, nh * sizeof(float)) != 0)
                fail_msg("FAIL: %s %s budget %lld: gradients differ from full BPTT",
                         mb_cell_name(cell), all[s]->name, (long long)budgets[b]);
            mb_plan_free(plan);
            runs++;
        }
    }
    assert_true(runs >= 40);
    free(ref);
    free(ref_h0);
    mb_net_free(net);
}

/* Steps a one-block projection cache (the executor's earlier policy) would project for plan:
 * every forward whose aligned block is not the last one projected projects it whole. */
static int64_t one_block_projections(const mb_plan *plan, int64_t chunk)
{
    int64_t cached = -1, n = 0, T = plan->problem.steps;
    for (size_t i = 0; i < plan->n_ops; i++)
        if (plan->ops[i].kind == MB_OP_FORWARD) {
            int64_t b = (plan->ops[i].step - 1) / chunk;
            if (b != cached) {
                n += T - b * chunk < chunk ? T - b * chunk : chunk;
                cached = b;
            }
        }
    return n;
}

/* The projection cache (docs/design.md, "The executor", input projections): with B = 16 the
 * blocks are 8 steps, so T = 200 has 25 of them. Full BPTT projects each step once; every
 * plan projects each step at least once and never more than a one-block cache would, msm at
 * its headline-like budgets markedly less; gradients stay bitwise equal to full BPTT's. */
static void test_projection_cache(void **state)
{
    (void)state;
    const int64_t T = 200;
    mb_exec_config c = small_config(MB_CELL_LSTM, MB_DTYPE_F32, T);
    c.batch = 16;
    mb_net *net;
    assert_int_equal(mb_net_create(&c, &net), MB_OK);
    mb_exec_stats ref_st, st;
    assert_int_equal(mb_net_run_straight(net, &ref_st), MB_OK);
    EXPECT_EQ(ref_st.projected_steps, T, "full BPTT projects every step once");
    size_t n, nh;
    const void *g0 = mb_net_grads(net, &n), *h00 = mb_net_dh0(net, &nh);
    float *ref = malloc(n * sizeof *ref), *ref_h0 = malloc(nh * sizeof *ref_h0);
    memcpy(ref, g0, n * sizeof *ref);
    memcpy(ref_h0, h00, nh * sizeof *ref_h0);
    mb_problem p;
    assert_int_equal(mb_exec_problem(&c, &p), MB_OK);
    const mb_solver_type *types[] = {&mb_solver_msm, &mb_solver_revolve, &mb_solver_hsm};
    const int pct[] = {2, 5, 20, 50};
    int64_t saved = 0, total_rec = 0;
    for (size_t t = 0; t < 3; t++)
        for (size_t b = 0; b < 4; b++) {
            mb_plan *plan = plan_for(&c, types[t], p.budget * pct[b] / 100);
            assert_non_null(plan);
            assert_int_equal(mb_net_run(net, plan, NULL, &st), MB_OK);
            const int64_t old = one_block_projections(plan, 8);
            if (st.projected_steps < T || st.projected_steps > old)
                fail_msg("FAIL: %s at %d%%: projected %lld steps (expected %lld..%lld)",
                         types[t]->name, pct[b], (long long)st.projected_steps, (long long)T,
                         (long long)old);
            if (t == 0) {
                saved += old - st.projected_steps;
                total_rec += st.recompute_ops;
            }
            if (memcmp(mb_net_grads(net, &n), ref, n * sizeof *ref) != 0 ||
                memcmp(mb_net_dh0(net, &nh), ref_h0, nh * sizeof *ref_h0) != 0)
                fail_msg("FAIL: %s at %d%%: gradients differ from full BPTT", types[t]->name,
                         pct[b]);
            mb_plan_free(plan);
        }
    /* msm: the cache saves at least a fifth of a projection per recompute */
    if (5 * saved < total_rec)
        fail_msg("FAIL: msm: the cache saved %lld projected steps over %lld recomputes",
                 (long long)saved, (long long)total_rec);
    free(ref);
    free(ref_h0);
    mb_net_free(net);
}

static void test_bitwise_lstm(void **state)
{
    (void)state;
    bitwise_all_solvers(MB_CELL_LSTM);
}

static void test_bitwise_gru(void **state)
{
    (void)state;
    bitwise_all_solvers(MB_CELL_GRU);
}

static void test_bitwise_rnn(void **state)
{
    (void)state;
    bitwise_all_solvers(MB_CELL_RNN);
}

/* Central differences of the float64 loss against the backward's gradients, on every weight,
 * bias, head weight, h_0 (and c_0) entry and on the inputs. The gradients come from an msm plan
 * at a small budget, so recomputation is part of what is checked. */
static void gradient_check(mb_cell_kind cell)
{
    mb_exec_config c = small_config(cell, MB_DTYPE_F64, 9);
    c.input = 3;
    c.hidden = 4;
    c.batch = 2;
    c.output = 3;
    c.input_grads = 1;
    mb_net *net;
    assert_int_equal(mb_net_create(&c, &net), MB_OK);
    mb_problem p;
    assert_int_equal(mb_exec_problem(&c, &p), MB_OK);
    int64_t min;
    assert_int_equal(mb_solver_msm.min_budget(&p, &min), MB_OK);
    mb_plan *plan = plan_for(&c, &mb_solver_msm, min + 2);
    assert_non_null(plan);
    mb_exec_stats st;
    assert_int_equal(mb_net_run(net, plan, NULL, &st), MB_OK);
    assert_true(st.recompute_ops > 0);
    double loss;
    assert_int_equal(mb_net_loss(net, &loss), MB_OK);
    if (fabs(loss - st.loss) > 1e-12 * fabs(loss))
        fail_msg("FAIL: loss %.17g from the backward vs %.17g from a forward", st.loss, loss);

    size_t n, nh, nx;
    double *w = mb_net_params(net, &n);
    double *h0 = mb_net_h0(net, &nh);
    double *grad = malloc(n * sizeof *grad), *gh = malloc(nh * sizeof *gh);
    const void *g0 = mb_net_grads(net, &n), *h00 = mb_net_dh0(net, &nh);
    memcpy(grad, g0, n * sizeof *grad);
    memcpy(gh, h00, nh * sizeof *gh);
    const double *gx0 = mb_net_dx(net, &nx);
    double *gx = malloc(nx * sizeof *gx);
    memcpy(gx, gx0, nx * sizeof *gx);
    double *x = (double *)net->x;

    const mb_net_layout lay = mb_net_param_layout(net);
    struct {
        const char *name;
        double *v;
        const double *g;
        size_t n;
    } blocks[] = {
        {"W_x", w + lay.wx, grad + lay.wx, lay.wh - lay.wx},
        {"W_h", w + lay.wh, grad + lay.wh, lay.bias - lay.wh},
        {"bias", w + lay.bias, grad + lay.bias, lay.wy - lay.bias},
        {"W_y", w + lay.wy, grad + lay.wy, lay.end - lay.wy},
        {"h_0", h0, gh, nh},
        {"x", x, gx, nx},
    };
    const double eps = 1e-5;
    for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
        double maxdiff = 0, maxg = 0;
        for (size_t i = 0; i < blocks[b].n; i++) {
            double keep = blocks[b].v[i], lp, lm;
            blocks[b].v[i] = keep + eps;
            mb_net_loss(net, &lp);
            blocks[b].v[i] = keep - eps;
            mb_net_loss(net, &lm);
            blocks[b].v[i] = keep;
            double fd = (lp - lm) / (2 * eps), an = blocks[b].g[i];
            maxdiff = fmax(maxdiff, fabs(fd - an));
            maxg = fmax(maxg, fabs(an));
        }
        assert_true(maxg > 1e-3);
        double rel = maxdiff / maxg;
        if (!(rel < 1e-6))
            fail_msg("FAIL: %s %s: relative error %.3g (max |diff| %.3g, max |grad| %.3g)",
                     mb_cell_name(cell), blocks[b].name, rel, maxdiff, maxg);
    }
    free(grad);
    free(gh);
    free(gx);
    mb_plan_free(plan);
    mb_net_free(net);
}

static void test_gradcheck_lstm(void **state)
{
    (void)state;
    gradient_check(MB_CELL_LSTM);
}

static void test_gradcheck_gru(void **state)
{
    (void)state;
    gradient_check(MB_CELL_GRU);
}

static void test_gradcheck_rnn(void **state)
{
    (void)state;
    gradient_check(MB_CELL_RNN);
}

/* The arena refuses a request past its limit, reuses gaps and compacts when it must. */
static void test_arena(void **state)
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
static void test_compaction_in_a_run(void **state)
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
static void test_arena_limit_fires(void **state)
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
static void test_bad_plans_refused(void **state)
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
static void test_full_plan_matches_solver(void **state)
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

/* mb_exec_run: medians, counts, bitwise equality and a prediction, on a small problem. */
static void test_exec_run(void **state)
{
    (void)state;
    mb_exec_config c = small_config(MB_CELL_LSTM, MB_DTYPE_F32, 30);
    c.repeat = 3;
    mb_problem p;
    assert_int_equal(mb_exec_problem(&c, &p), MB_OK);
    mb_plan *plan = plan_for(&c, &mb_solver_msm, p.budget / 5);
    mb_exec_result r;
    assert_int_equal(mb_exec_run(&c, plan, &r), MB_OK);
    EXPECT_EQ(r.forward_ops, plan->forward_ops, "forward ops");
    EXPECT_EQ(r.backward_ops, 30, "backward ops");
    EXPECT_EQ(r.full_forward_ops, 30, "full forward ops");
    assert_true(r.grad_bitwise_equal);
    assert_true(r.grad_max_abs_diff == 0.0);
    assert_true(r.peak_store_bytes <= r.budget_bytes);
    assert_true(r.peak_store_full_bytes > r.peak_store_bytes);
    assert_true(r.time_s.median > 0 && r.time_full_s.median > 0);
    /* The prediction is sim's one definition with this run's own per-op costs. Its value is
     * not asserted above 1: at these microsecond sizes copies can cost more than the few
     * recomputes, and full BPTT copies more. */
    {
        mb_sim_report rep;
        assert_int_equal(mb_sim_replay(plan, &rep), MB_OK);
        mb_cost_model m = mb_cost_model_default();
        m.forward = r.cost_forward_s;
        m.backward = r.cost_backward_s;
        m.recompute = r.cost_recompute_s;
        m.copy = r.cost_copy_s_per_byte * (double)plan->problem.unit_bytes;
        double full_time;
        assert_int_equal(mb_sim_full_time(&plan->problem, &m, &full_time), MB_OK);
        const double want = mb_sim_predict(&rep, &m) / full_time;
        assert_true(isfinite(r.predicted_time_ratio) && r.predicted_time_ratio > 0);
        assert_true(fabs(r.predicted_time_ratio - want) <= 1e-12 * want);
    }
    assert_true(r.cost_forward_s > 0 && r.cost_backward_s > 0);
    /* both sides' work, and both stores touched before timing */
    EXPECT_EQ(r.full_backward_ops, 30, "full backward ops");
    EXPECT_EQ(r.full_copied_bytes, 29 * r.internal_bytes, "full BPTT stores s_1..s_29");
    assert_true(r.store_pages > 0 && r.store_resident_pages == r.store_pages);
    assert_true(r.store_full_pages > 0 && r.store_full_resident_pages == r.store_full_pages);
    /* every spread is ordered, and the interval holds the median */
    const mb_spread *all[] = {&r.time_s,          &r.time_full_s,          &r.time_ratio,
                              &r.cpu_s,           &r.cpu_full_s,           &r.cpu_ratio,
                              &r.wall[0],         &r.wall[1],              &r.wall[2],
                              &r.wall[3],         &r.wall_full[0],         &r.wall_full[2],
                              &r.wall_full[3]};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!(all[i]->min <= all[i]->median && all[i]->median <= all[i]->max))
            fail_msg("FAIL: spread %zu out of order (%g, %g, %g)", i, all[i]->min,
                     all[i]->median, all[i]->max);
    assert_true(r.time_ratio_ci.low <= r.time_ratio.median &&
                r.time_ratio.median <= r.time_ratio_ci.high);
    /* three repetitions: the interval is [min, max], which holds the median with 75% */
    assert_true(r.time_ratio_ci.low == r.time_ratio.min && r.time_ratio_ci.high == r.time_ratio.max);
    assert_true(fabs(r.time_ratio_ci.coverage - 0.75) < 1e-12);
    EXPECT_EQ(r.attempts, 1, "one attempt without --retry-contended");
    assert_true(r.cpu_wall_min > 0 && r.cpu_wall_full_min > 0);
    mb_plan_free(plan);
}

/* A sibling thread that spins on the CPU set of the thread that started it. */
static atomic_int spin_stop;
static void *spin(void *arg)
{
    cpu_set_t *set = arg;
    pthread_setaffinity_np(pthread_self(), sizeof *set, set);
    volatile unsigned long n = 0;
    while (!atomic_load(&spin_stop))
        n++;
    return NULL;
}

/* Contention: with a busy sibling thread pinned to the same core, every run gets about half of
 * it; the result is marked contended, and --retry-contended measures again, as many times. */
static void test_contended(void **state)
{
    (void)state;
    mb_exec_config c = small_config(MB_CELL_LSTM, MB_DTYPE_F32, 200);
    /* Each repetition must last many scheduler time slices (a few ms here), or a short run can
     * fit inside one slice and see a whole core despite the busy sibling. */
    c.hidden = 64;
    c.input = 64;
    c.batch = 64;
    c.repeat = 3;
    c.retry_contended = 2;
    mb_problem p;
    assert_int_equal(mb_exec_problem(&c, &p), MB_OK);
    mb_plan *plan = plan_for(&c, &mb_solver_msm, p.budget / 5);
    cpu_set_t old, one;
    assert_int_equal(pthread_getaffinity_np(pthread_self(), sizeof old, &old), 0);
    CPU_ZERO(&one);
    for (size_t cpu = 0; cpu < CPU_SETSIZE; cpu++)
        if (CPU_ISSET(cpu, &old)) {
            CPU_SET(cpu, &one);
            break;
        }
    assert_int_equal(pthread_setaffinity_np(pthread_self(), sizeof one, &one), 0);
    atomic_store(&spin_stop, 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, spin, &one), 0);
    mb_exec_result r;
    int rc = mb_exec_run(&c, plan, &r);
    atomic_store(&spin_stop, 1);
    pthread_join(th, NULL);
    pthread_setaffinity_np(pthread_self(), sizeof old, &old);
    assert_int_equal(rc, MB_OK);
    if (!r.contended || r.attempts != 3)
        fail_msg("FAIL: a run sharing its core with a busy thread: contended %d, attempts %d "
                 "(expected 1, 3), CPU/wall at worst %.3f (plan) %.3f (full)",
                 r.contended, r.attempts, r.cpu_wall_min, r.cpu_wall_full_min);
    assert_true(r.cpu_wall_min < MB_EXEC_CONTENDED || r.cpu_wall_full_min < MB_EXEC_CONTENDED);
    assert_true(r.grad_bitwise_equal); /* contention changes times, never results */
    mb_plan_free(plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tanh_approximation), cmocka_unit_test(test_state_bytes),
        cmocka_unit_test(test_bitwise_lstm),       cmocka_unit_test(test_bitwise_gru),
        cmocka_unit_test(test_bitwise_rnn),        cmocka_unit_test(test_gradcheck_lstm),
        cmocka_unit_test(test_gradcheck_gru),      cmocka_unit_test(test_gradcheck_rnn),
        cmocka_unit_test(test_arena), cmocka_unit_test(test_compaction_in_a_run),              cmocka_unit_test(test_arena_limit_fires),
        cmocka_unit_test(test_bad_plans_refused),  cmocka_unit_test(test_exec_run), cmocka_unit_test(test_contended),
        cmocka_unit_test(test_full_plan_matches_solver), cmocka_unit_test(test_projection_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
