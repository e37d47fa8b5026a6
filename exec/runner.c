/* runner.c: the network (weights, data, workspace) and the plan runner. */
#include <cblas.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/alloc.h"
#include "core/error.h"
#include "exec/arena.h"
#include "exec/slowstore.h"
#include "exec/internal.h"
#include "measure/measure.h"
#include "core/ir.h"

/* ---- the network ------------------------------------------------------------------------- */

static void *zalloc(size_t n, size_t esz, int *failed)
{
    if (n == 0)
        n = 1;
    void *p = mb_calloc(n, esz);
    if (p == NULL)
        *failed = 1;
    return p;
}

/* Fills n elements with uniform values in [-scale, scale) from the rng. */
static void fill(void *dst, size_t n, size_t esz, gsl_rng *rng, double scale)
{
    for (size_t i = 0; i < n; i++) {
        double v = scale * (2.0 * gsl_rng_uniform(rng) - 1.0);
        if (esz == sizeof(float))
            ((float *)dst)[i] = (float)v;
        else
            ((double *)dst)[i] = v;
    }
}

int mb_net_create(const mb_exec_config *c, mb_net **out)
{
    int rc = mb_exec_config_check(c);
    if (rc != MB_OK)
        return rc;
    mb_net *net = mb_calloc(1, sizeof *net);
    if (net == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory creating a network");
    net->cfg = *c;
    net->cfg.events = NULL;
    net->I = c->input;
    net->H = c->hidden;
    net->B = c->batch;
    net->T = c->steps;
    net->O = c->output > 0 ? c->output : c->input;
    net->esz = c->dtype == MB_DTYPE_F64 ? sizeof(double) : sizeof(float);
    int64_t hid, in, G, nb;
    mb_cell_shape(c->cell, net->H, net->B, &hid, &in, &G, &nb);
    net->G = G;
    net->hid_elems = (size_t)hid;
    net->int_elems = (size_t)in;
    net->ops = mb_cell_ops_get(c->cell, c->dtype);
    const size_t I = (size_t)net->I, H = (size_t)net->H, B = (size_t)net->B,
                 T = (size_t)net->T, O = (size_t)net->O, Gs = (size_t)G, esz = net->esz;
    net->lay.wx = 0;
    net->lay.wh = I * Gs;
    net->lay.bias = net->lay.wh + H * Gs;
    net->lay.wy = net->lay.bias + (size_t)nb;
    net->lay.end = net->lay.wy + H * O;

    int failed = 0;
    net->params = zalloc(net->lay.end, esz, &failed);
    net->grads = zalloc(net->lay.end, esz, &failed);
    net->h0 = zalloc(net->hid_elems, esz, &failed);
    net->dh0 = zalloc(net->hid_elems, esz, &failed);
    net->x = zalloc(T * B * I, esz, &failed);
    net->y = zalloc(T * B * O, esz, &failed);
    if (c->input_grads)
        net->dx = zalloc(T * B * I, esz, &failed);
    for (int i = 0; i < 2; i++) {
        net->core[i] = zalloc(net->int_elems, esz, &failed);
        net->dh[i] = zalloc(net->hid_elems, esz, &failed);
    }
    /* the GRU's pending step keeps two more blocks beside its gate gradients (cell_impl.h) */
    const size_t pend = c->cell == MB_CELL_GRU ? 2 * B * H : 0;
    net->scr_a = zalloc(B * Gs + pend, esz, &failed);
    net->scr_b = zalloc(B * Gs, esz, &failed);
    net->scr_y = zalloc(B * O, esz, &failed);
    net->chunk = (128 + net->B - 1) / net->B;
    if (net->chunk > net->T)
        net->chunk = net->T;
    net->proj_block_bytes = (size_t)net->chunk * B * Gs * esz;
    net->proj = zalloc((size_t)MB_PROJ_SLOTS * (size_t)net->chunk * B * Gs, esz, &failed);
    mb_proj_reset(net);
    if (failed) {
        mb_net_free(net);
        return MB_ERROR(MB_ENOMEM, "out of memory creating a %s network (I=%lld H=%lld B=%lld "
                        "T=%lld)", mb_cell_name(c->cell), (long long)c->input,
                        (long long)c->hidden, (long long)c->batch, (long long)c->steps);
    }
    net->workspace_bytes =
        (int64_t)((2 * net->int_elems + 2 * net->hid_elems + 2 * B * Gs + pend + B * O +
                   (size_t)MB_PROJ_SLOTS * (size_t)net->chunk * B * Gs) * esz);

    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (rng == NULL) {
        mb_net_free(net);
        return MB_ERROR(MB_ENOMEM, "out of memory allocating the random generator");
    }
    gsl_rng_set(rng, (unsigned long)c->seed);
    const double sw = 1.0 / sqrt((double)net->H);
    unsigned char *P = net->params;
    fill(P + net->lay.wx * esz, I * Gs, esz, rng, 1.0 / sqrt((double)net->I));
    fill(P + net->lay.wh * esz, H * Gs, esz, rng, sw);
    fill(P + net->lay.bias * esz, (size_t)nb, esz, rng, 0.1);
    fill(P + net->lay.wy * esz, H * O, esz, rng, sw);
    fill(net->h0, net->hid_elems, esz, rng, 0.5);
    fill(net->x, T * B * I, esz, rng, 1.0);
    fill(net->y, T * B * O, esz, rng, 1.0);
    gsl_rng_free(rng);
    openblas_set_num_threads(c->threads);
    *out = net;
    return MB_OK;
}

void mb_net_free(mb_net *net)
{
    if (net == NULL)
        return;
    mb_free(net->params);
    mb_free(net->grads);
    mb_free(net->h0);
    mb_free(net->dh0);
    mb_free(net->x);
    mb_free(net->y);
    mb_free(net->dx);
    for (int i = 0; i < 2; i++) {
        mb_free(net->core[i]);
        mb_free(net->dh[i]);
    }
    mb_free(net->scr_a);
    mb_free(net->scr_b);
    mb_free(net->scr_y);
    mb_free(net->proj);
    for (int i = 0; i < MB_EXEC_SIDES; i++)
        mb_arena_release(&net->arena[i]);
    mb_free(net->straight);
    mb_free(net);
}

void *mb_net_params(mb_net *net, size_t *n)
{
    *n = net->lay.end;
    return net->params;
}

const void *mb_net_grads(const mb_net *net, size_t *n)
{
    *n = net->lay.end;
    return net->grads;
}

void *mb_net_h0(mb_net *net, size_t *n)
{
    *n = net->hid_elems;
    return net->h0;
}

const void *mb_net_dh0(const mb_net *net, size_t *n)
{
    *n = net->hid_elems;
    return net->dh0;
}

const void *mb_net_dx(const mb_net *net, size_t *n)
{
    *n = net->dx ? (size_t)(net->T * net->B * net->I) : 0;
    return net->dx;
}

mb_net_layout mb_net_param_layout(const mb_net *net) { return net->lay; }

/* Step k's input, target and input gradient (k >= 1). */
static const void *x_at(const mb_net *net, int64_t k)
{
    return (const unsigned char *)net->x + (size_t)((k - 1) * net->B * net->I) * net->esz;
}

static const void *y_at(const mb_net *net, int64_t k)
{
    return (const unsigned char *)net->y + (size_t)((k - 1) * net->B * net->O) * net->esz;
}

static void *dx_at(const mb_net *net, int64_t k)
{
    if (net->dx == NULL)
        return NULL;
    return (unsigned char *)net->dx + (size_t)((k - 1) * net->B * net->I) * net->esz;
}

static void start_run(mb_net *net)
{
    mb_proj_reset(net);
    memset(net->grads, 0, net->lay.end * net->esz);
    memset(net->dh[0], 0, net->hid_elems * net->esz);
    net->loss = 0;
    net->pending = 0;
}

int mb_net_loss(mb_net *net, double *loss)
{
    mb_proj_reset(net);
    const size_t hb = net->hid_elems * net->esz;
    memcpy(net->core[0], net->h0, hb);
    int cur = 0;
    double sum = 0;
    for (int64_t k = 1; k <= net->T; k++) {
        net->ops->forward(net, net->core[cur], mb_proj_at(net, k),
                          net->core[1 - cur]);
        cur = 1 - cur;
        sum += net->ops->head_loss(net, net->core[cur], y_at(net, k));
    }
    *loss = sum;
    return MB_OK;
}

int mb_net_run_straight(mb_net *net, mb_exec_stats *st)
{
    memset(st, 0, sizeof *st);
    const size_t ib = net->int_elems * net->esz, hb = net->hid_elems * net->esz;
    const int64_t T = net->T;
    if (net->straight == NULL) {
        /* Once per network, touched here so no timed run pays its page faults
         * (docs/design.md, "The executor", the arena). */
        net->straight_bytes = (size_t)T * ib;
        net->straight = mb_malloc(net->straight_bytes);
        if (net->straight == NULL)
            return MB_ERROR(MB_ENOMEM, "out of memory: full BPTT needs %lld bytes",
                            (long long)((int64_t)T * (int64_t)ib));
        mb_mem_touch(net->straight, net->straight_bytes);
    }
    unsigned char *S = net->straight;
    if (mb_mem_resident(S, net->straight_bytes, &st->store_pages, &st->store_resident_pages) !=
        MB_OK)
        st->store_pages = st->store_resident_pages = -1;
    start_run(net);
    double c0 = mb_clock_thread_cpu(), w0 = mb_clock_wall();
    /* Each step is computed in a core buffer (cache-hot) and copied to its slot: measured
     * faster than writing s_k straight into the cold array, so the baseline is the faster. */
    memcpy(net->core[0], net->h0, hb);
    int cur = 0;
    for (int64_t k = 1; k <= T; k++) {
        net->ops->forward(net, net->core[cur], mb_proj_at(net, k), net->core[1 - cur]);
        cur = 1 - cur;
        memcpy(S + (size_t)(k - 1) * ib, net->core[cur], ib);
    }
    double w1 = mb_clock_wall();
    int g = 0;
    for (int64_t k = T; k >= 1; k--) {
        net->ops->backward(net, S + (size_t)(k - 1) * ib, x_at(net, k), y_at(net, k),
                           net->dh[g], net->dh[1 - g], dx_at(net, k));
        g = 1 - g;
    }
    net->ops->finish(net, net->h0, net->dh[g]); /* step 1 waits for h_0 */
    double w2 = mb_clock_wall(), c2 = mb_clock_thread_cpu();
    memcpy(net->dh0, net->dh[g], hb);
    st->forward_ops = T;
    st->backward_ops = T;
    st->peak_store_bytes = (int64_t)hb + (T - 1) * (int64_t)ib;
    st->workspace_bytes = net->workspace_bytes;
    st->projected_steps = net->projected_steps;
    st->wall[MB_EXEC_FIRST] = w1 - w0;
    st->wall[MB_EXEC_BACKWARD] = w2 - w1;
    st->wall_total = w2 - w0;
    st->cpu_total = c2 - c0;
    st->loss = net->loss;
    return MB_OK;
}

/* ---- the plan runner --------------------------------------------------------------------- */

/* Phase changes read the monotonic clock only (a vDSO read, tens of ns); CPU-time clocks are
 * system calls on a VM (microseconds) and are read once per run (docs/design.md,
 * "Measurement"). */
typedef struct {
    mb_exec_stats *st;
    const mb_run_options *o;
    int phase;
    double w;
} clock_state;

static void enter_phase(clock_state *cs, int phase)
{
    if (phase == cs->phase)
        return;
    if (!cs->o->no_timing) {
        double w = mb_clock_wall();
        if (cs->phase >= 0)
            cs->st->wall[cs->phase] += w - cs->w;
        cs->w = w;
    }
    if (cs->o->phase_hook)
        cs->o->phase_hook(cs->o->hook_ctx, cs->phase, phase);
    cs->phase = phase;
}

/* The plan's sizes against the network's, in bytes. */
static int check_sizes(const mb_net *net, const mb_plan *plan, int64_t *budget_bytes)
{
    const mb_problem *p = &plan->problem;
    const int64_t hb = (int64_t)(net->hid_elems * net->esz),
                  ib = (int64_t)(net->int_elems * net->esz);
    int64_t ph, pi;
    if (p->steps != net->T)
        return MB_ERROR(MB_EBADPLAN, "the plan is for %lld steps; the network has %lld",
                        (long long)p->steps, (long long)net->T);
    if (p->unit_bytes <= 0 || __builtin_mul_overflow(p->hidden_units, p->unit_bytes, &ph) ||
        __builtin_mul_overflow(p->internal_units, p->unit_bytes, &pi) || ph != hb || pi != ib)
        return MB_ERROR(MB_EBADPLAN,
                        "the plan's state sizes (a_h = %lld, a_s = %lld units of %lld bytes) are "
                        "not the %s cell's (hidden %lld bytes, internal %lld bytes)",
                        (long long)p->hidden_units, (long long)p->internal_units,
                        (long long)p->unit_bytes, mb_cell_name(net->cfg.cell), (long long)hb,
                        (long long)ib);
    if (p->budget < 0 || __builtin_mul_overflow(p->budget, p->unit_bytes, budget_bytes))
        return MB_ERROR(MB_EBADPLAN, "the plan's budget of %lld units is not representable in "
                        "bytes", (long long)p->budget);
    return MB_OK;
}

/* Replays the whole plan through the IR state machine, touching nothing. */
static int dry_run(const mb_plan *plan)
{
    mb_ir m;
    int rc = mb_ir_init(&m, &plan->problem);
    for (size_t i = 0; rc == MB_OK && i < plan->n_ops; i++)
        rc = mb_ir_apply(&m, plan->ops[i]);
    if (rc == MB_OK)
        rc = mb_ir_finish(&m);
    mb_ir_release(&m);
    return rc;
}

/* 1 when some op of the plan stores on the slow store. */
static int plan_writes_slow(const mb_plan *plan)
{
    for (size_t i = 0; i < plan->n_ops; i++)
        if (plan->ops[i].level == MB_LEVEL_SLOW)
            return 1;
    return 0;
}

/* The arena of side o->side, allocated and touched once and reused while its limit stays the
 * same (docs/design.md, "The executor", the arena), sized by the plan's peak, which the IR
 * proved (the replay checks the declared peak), never more than the budget: a generous budget
 * costs no memory. Records its pages and how many were resident in *st. */
static int side_arena(mb_net *net, const mb_plan *plan, const mb_run_options *o,
                      int64_t budget_bytes, mb_exec_stats *st, mb_arena **out)
{
    const int64_t T = net->T;
    if (o->side < 0 || o->side >= MB_EXEC_SIDES)
        return MB_ERROR(MB_EINTERNAL, "run: side %d", o->side);
    mb_arena *const arena = &net->arena[o->side];
    int64_t limit = budget_bytes, peak_bytes;
    if (plan->peak > 0 && !__builtin_mul_overflow(plan->peak, plan->problem.unit_bytes,
                                                  &peak_bytes) && peak_bytes < limit)
        limit = peak_bytes;
    if (o->arena_limit_bytes > 0)
        limit = o->arena_limit_bytes;
    if (arena->base != NULL && arena->limit == limit && arena->max_keys == T + 1) {
        mb_arena_reset(arena);
    } else {
        mb_arena_release(arena);
        int rc = mb_arena_init(arena, limit, T + 1);
        if (rc != MB_OK)
            return rc;
    }
    if (mb_mem_resident(arena->base, (size_t)limit + 1, &st->store_pages,
                        &st->store_resident_pages) != MB_OK)
        st->store_pages = st->store_resident_pages = -1;
    *out = arena;
    return MB_OK;
}

/* Opens the slow store of a plan that writes to it, limited to its slow budget in bytes. */
static int open_slow(const mb_net *net, const mb_plan *plan, const mb_run_options *o,
                     mb_slow_store *slow)
{
    int64_t slow_limit = INT64_MAX, sb = plan->problem.slow_budget;
    if (sb != MB_SLOW_UNLIMITED && __builtin_mul_overflow(sb, plan->problem.unit_bytes, &slow_limit))
        slow_limit = INT64_MAX;
    if (o->slow_dir == NULL)
        return MB_ERROR(MB_EINVAL, "the plan writes checkpoints to a slow store; give a "
                        "directory for it (--slow-dir DIR)");
    return mb_slow_open(slow, o->slow_dir, o->slow_direct ? MB_SLOW_DIRECT : MB_SLOW_BUFFERED,
                        slow_limit, net->T + 1, (int64_t)(net->int_elems * net->esz));
}

/* What a finished run leaves in *st besides its op counts and times: the arena's, the
 * network's and the slow store's figures (the bytes that reached a device since io_r0/io_w0,
 * -1 when unknown). */
static void run_stats(const mb_net *net, const mb_arena *arena, const mb_slow_store *slow,
                      int64_t io_r0, int64_t io_w0, mb_exec_stats *st)
{
    st->arena_bytes = arena->limit;
    st->peak_store_bytes = arena->peak;
    st->workspace_bytes = net->workspace_bytes;
    st->projected_steps = net->projected_steps;
    st->compactions = arena->compactions;
    st->compacted_bytes = arena->compacted_bytes;
    st->loss = net->loss;
    st->slow = slow->n;
    st->slow.device_read_bytes = st->slow.device_written_bytes = -1;
    if (slow->fd >= 0) {
        /* after the last write's sync; the file's removal writes nothing back */
        int64_t r1, w1;
        if (io_r0 >= 0 && mb_block_io(&r1, &w1) == 0) {
            st->slow.device_read_bytes = r1 - io_r0;
            st->slow.device_written_bytes = w1 - io_w0;
        }
    }
}

/* A store op: the core's first `bytes` bytes become checkpoint op.step, in the arena or on the
 * slow store as op.level says. */
static int store(mb_arena *arena, mb_slow_store *slow, mb_op op, size_t bytes, const void *core,
                 mb_exec_stats *st)
{
    int64_t off;
    int rc = op.level == MB_LEVEL_SLOW ? mb_slow_write(slow, op.step, core, (int64_t)bytes)
                                       : mb_arena_alloc(arena, (int64_t)bytes, op.step, &off);
    if (rc != MB_OK)
        return rc;
    if (op.level != MB_LEVEL_SLOW) {
        memcpy(arena->base + off, core, bytes);
        st->copied_bytes += (int64_t)bytes;
    }
    st->store_ops++;
    return MB_OK;
}

/* A restore op (op i of the plan): the core gets h_k (and c_k) back from the arena, or the
 * whole checkpoint, h_k or s_k, from the slow store. */
static int restore(const mb_arena *arena, mb_slow_store *slow, mb_op op, size_t i, size_t hb,
                   void *core, mb_exec_stats *st)
{
    if (op.level == MB_LEVEL_SLOW) {
        int rc = mb_slow_read(slow, op.step, core);
        if (rc != MB_OK)
            return rc;
        st->restore_ops++;
        return MB_OK;
    }
    int64_t off = mb_arena_find(arena, op.step);
    if (MB_NEVER(off < 0)) /* the IR found it in the store */
        return MB_ERROR(MB_EINTERNAL, "op %zu: restore %lld finds no block in the arena", i,
                        (long long)op.step);
    memcpy(core, arena->base + off, hb);
    st->restore_ops++;
    st->copied_bytes += (int64_t)hb;
    return MB_OK;
}

/* The internal state s_k that backward k reads: the core's when it holds s_k, else its
 * checkpoint in the arena; NULL when there is none (the IR state machine m says which). */
static const void *internal_state(const mb_arena *arena, const mb_ir *m, int64_t k,
                                  const void *core)
{
    if (m->core == k && m->core_internal)
        return core;
    int64_t off = mb_arena_find(arena, k);
    if (off < 0 || mb_ir_stored(m, k) != MB_IR_INTERNAL)
        return NULL;
    return arena->base + off;
}

int mb_net_run(mb_net *net, const mb_plan *plan, const mb_run_options *o, mb_exec_stats *st)
{
    static const mb_run_options defaults = {0};
    if (o == NULL)
        o = &defaults;
    memset(st, 0, sizeof *st);
    int64_t budget_bytes = 0;
    int rc = check_sizes(net, plan, &budget_bytes);
    if (rc == MB_OK && !o->verified)
        rc = dry_run(plan);
    if (rc != MB_OK)
        return rc;

    const size_t hb = net->hid_elems * net->esz, ib = net->int_elems * net->esz;
    mb_arena *arena = NULL;
    if ((rc = side_arena(net, plan, o, budget_bytes, st, &arena)) != MB_OK)
        return rc;
    mb_ir m;
    memset(&m, 0, sizeof m);
    mb_slow_store slow;
    memset(&slow, 0, sizeof slow);
    slow.fd = -1;
    rc = mb_ir_init(&m, &plan->problem);
    int64_t off = 0;
    if (rc == MB_OK && plan_writes_slow(plan))
        rc = open_slow(net, plan, o, &slow);
    if (rc == MB_OK)
        rc = mb_arena_alloc(arena, (int64_t)hb, 0, &off);
    if (rc != MB_OK)
        goto done;
    memcpy(arena->base + off, net->h0, hb);
    start_run(net);
    memcpy(net->core[0], net->h0, hb);
    int cur = 0, g = 0;
    int64_t seen = 0; /* the highest step forwarded so far */
    clock_state cs = {st, o, -1, 0};
    int64_t io_r0 = -1, io_w0 = -1; /* what reached a device: only with a slow store */
    if (slow.fd >= 0)
        mb_block_io(&io_r0, &io_w0);
    double c_start = mb_clock_thread_cpu(), t_start = mb_clock_wall();
    for (size_t i = 0; i < plan->n_ops; i++) {
        const mb_op op = plan->ops[i];
        if (MB_NEVER(mb_ir_apply(&m, op) != MB_OK)) {
            rc = MB_ERROR(MB_EINTERNAL, "the plan passed its dry run but op %zu failed: %s", i,
                          m.reason);
            goto done;
        }
        const int64_t k = op.step;
        switch (op.kind) {
        case MB_OP_FORWARD:
            if (k > seen) {
                enter_phase(&cs, MB_EXEC_FIRST);
                seen = k;
            } else {
                enter_phase(&cs, MB_EXEC_RECOMPUTE);
                st->recompute_ops++;
            }
            net->ops->forward(net, net->core[cur],
                              mb_proj_at(net, k),
                              net->core[1 - cur]);
            cur = 1 - cur;
            st->forward_ops++;
            break;
        case MB_OP_STORE_HIDDEN:
        case MB_OP_STORE_INTERNAL:
            enter_phase(&cs, MB_EXEC_COPY);
            if ((rc = store(arena, &slow, op, op.kind == MB_OP_STORE_HIDDEN ? hb : ib,
                            net->core[cur], st)) != MB_OK)
                goto done;
            break;
        case MB_OP_RESTORE:
            enter_phase(&cs, MB_EXEC_COPY);
            if ((rc = restore(arena, &slow, op, i, hb, net->core[cur], st)) != MB_OK)
                goto done;
            break;
        case MB_OP_BACKWARD: {
            enter_phase(&cs, MB_EXEC_BACKWARD);
            const void *s = internal_state(arena, &m, k, net->core[cur]);
            if (MB_NEVER(s == NULL)) { /* the IR found s_k */
                rc = MB_ERROR(MB_EINTERNAL, "op %zu: backward %lld finds no s_%lld", i,
                              (long long)k, (long long)k);
                goto done;
            }
            net->ops->backward(net, s, x_at(net, k), y_at(net, k), net->dh[g], net->dh[1 - g],
                               dx_at(net, k));
            g = 1 - g;
            st->backward_ops++;
            break;
        }
        case MB_OP_FREE:
            enter_phase(&cs, MB_EXEC_COPY);
            rc = op.level == MB_LEVEL_SLOW ? mb_slow_free(&slow, k) : mb_arena_free(arena, k);
            if (rc != MB_OK)
                goto done;
            st->free_ops++;
            break;
        default: /* the IR refused it above */
            (void)MB_NEVER(1);
            rc = MB_ERROR(MB_EINTERNAL, "op %zu: unknown kind %d", i, op.kind);
            goto done;
        }
    }
    net->ops->finish(net, net->h0, net->dh[g]); /* step 1 waits for h_0 (backward phase) */
    enter_phase(&cs, -1);
    st->wall_total = mb_clock_wall() - t_start;
    st->cpu_total = mb_clock_thread_cpu() - c_start;
    if (MB_NEVER(mb_ir_finish(&m) != MB_OK)) {
        rc = MB_ERROR(MB_EINTERNAL, "the plan passed its dry run but did not finish: %s",
                      m.reason);
        goto done;
    }
    memcpy(net->dh0, net->dh[g], hb);
    run_stats(net, arena, &slow, io_r0, io_w0, st);
done:
    mb_ir_release(&m);
    int crc = mb_slow_close(&slow); /* the file goes, on success and on error */
    return rc == MB_OK ? crc : rc;
}
