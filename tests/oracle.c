/* oracle.c: brute-force test oracles (the IR simulator and the exact IR optimum by 0-1 BFS;
 * the policy-class optimum is tests/oracle_policy.c), written from the IR semantics alone and
 * sharing no code with the solvers they check. */
#include "oracle.h"
#include "oracle_sim.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------
 * IR simulator: applies ops one at a time, checking each precondition.
 * ---------------------------------------------------------------------------------------- */

/* Puts `m` in the start state: core h_0, store {h_0}, g = t. `store` holds t+1 bytes. */
void mb_oracle_sim_init(sim_state *m, int t, int64_t a_h, int64_t a_s, uint8_t *store)
{
    m->t = t;
    m->a_h = a_h;
    m->a_s = a_s;
    m->core = 0;
    m->core_internal = 0;
    m->g = t;
    m->store = store;
    memset(store, 0, (size_t)t + 1);
    store[0] = CK_HIDDEN;
    m->size = a_h;
    m->peak = a_h;
    m->forwards = 0;
}

/* Applies one op; 0 when its precondition held, -1 (state unchanged) otherwise. */
int mb_oracle_sim_apply(sim_state *m, int kind, int k)
{
    if (k < 0 || k > m->t) {
        return -1;
    }
    switch (kind) {
    case MB_ORACLE_FORWARD:
        if (k < 1 || m->core != k - 1 || k > m->g) {
            return -1;
        }
        m->core = k;
        m->core_internal = 1;
        m->forwards++;
        return 0;
    case MB_ORACLE_STORE_HIDDEN:
    case MB_ORACLE_STORE_INTERNAL:
        if (m->core != k || m->store[k] != CK_NONE) {
            return -1;
        }
        if (kind == MB_ORACLE_STORE_INTERNAL) {
            if (!m->core_internal) {
                return -1;
            }
            m->store[k] = CK_INTERNAL;
            m->size += m->a_s;
        } else {
            m->store[k] = CK_HIDDEN;
            m->size += m->a_h;
        }
        if (m->size > m->peak) {
            m->peak = m->size;
        }
        return 0;
    case MB_ORACLE_RESTORE:
        if (m->store[k] == CK_NONE) {
            return -1;
        }
        m->core = k;
        m->core_internal = 0;
        return 0;
    case MB_ORACLE_BACKWARD:
        if (k < 1 || m->g != k) {
            return -1;
        }
        if (!((m->core == k && m->core_internal) || m->store[k] == CK_INTERNAL)) {
            return -1;
        }
        m->g = k - 1;
        return 0;
    case MB_ORACLE_FREE:
        if (m->store[k] == CK_NONE) {
            return -1;
        }
        m->size -= m->store[k] == CK_INTERNAL ? m->a_s : m->a_h;
        m->store[k] = CK_NONE;
        return 0;
    default:
        return -1;
    }
}

/* Checks the sizes shared by every entry point. */
int mb_oracle_sizes_ok(int64_t a_h, int64_t a_s)
{
    return a_h >= 1 && a_s >= a_h;
}

int mb_oracle_ir_simulate(int t, int64_t a_h, int64_t a_s, const mb_oracle_op *ops,
                          size_t n_ops, int64_t *forward_ops, int64_t *peak)
{
    if (t < 1 || t > 4096 || !mb_oracle_sizes_ok(a_h, a_s) || (ops == NULL && n_ops > 0)) {
        return -1;
    }
    uint8_t *store = malloc((size_t)t + 1);
    if (store == NULL) {
        return -1;
    }
    sim_state m;
    mb_oracle_sim_init(&m, t, a_h, a_s, store);
    int rc = 0;
    for (size_t i = 0; i < n_ops; i++) {
        if (mb_oracle_sim_apply(&m, ops[i].kind, ops[i].step) != 0) {
            rc = -1;
            break;
        }
    }
    if (m.g != 0) {
        rc = -1;
    }
    *forward_ops = m.forwards;
    *peak = m.peak;
    free(store);
    return rc;
}

/* ------------------------------------------------------------------------------------------
 * Exact IR optimum: layered 0-1 BFS over every IR state.
 * State index = ((g * (t+1) + core) * 2 + core_internal) * 3^(t+1) + store, where store is
 * the base-3 vector of CK_* digits over steps 0..t (digit k has weight 3^k).
 * ---------------------------------------------------------------------------------------- */

#define IR_UNSEEN UINT32_MAX

/* Tables and work arrays of one search, reusable across budgets. */
typedef struct {
    int t;
    int64_t a_h;
    int64_t a_s;
    uint32_t nstore;   /* 3^(t+1) */
    uint32_t n;        /* number of states */
    uint32_t p3[MB_ORACLE_IR_MAX_STEPS + 2];
    uint8_t *digits;   /* [nstore * (t+1)]: digit k of store code */
    int64_t *size;     /* [nstore]: units held by store code */
    uint32_t *dist;    /* [n] */
    uint8_t *done;     /* [n] */
    uint32_t *cur;     /* [n]: states of the current level (a stack) */
    uint32_t *next;    /* [n]: states of the next level */
    uint32_t *parent;  /* [n] or NULL: predecessor on a shortest path */
    uint16_t *how;     /* [n] or NULL: op into the state, kind << 8 | step */
} ir_ctx;

/* Frees everything ir_init allocated. */
static void ir_fini(ir_ctx *x)
{
    free(x->digits);
    free(x->size);
    free(x->dist);
    free(x->done);
    free(x->cur);
    free(x->next);
    free(x->parent);
    free(x->how);
    memset(x, 0, sizeof *x);
}

/* Builds the tables for (t, a_h, a_s); `with_parents` also allocates path arrays. 0 or -1. */
static int ir_init(ir_ctx *x, int t, int64_t a_h, int64_t a_s, int with_parents)
{
    memset(x, 0, sizeof *x);
    x->t = t;
    x->a_h = a_h;
    x->a_s = a_s;
    uint32_t steps = (uint32_t)t + 1;
    x->p3[0] = 1;
    for (uint32_t k = 1; k <= steps; k++) {
        x->p3[k] = x->p3[k - 1] * 3u;
    }
    x->nstore = x->p3[steps];
    x->n = steps * steps * 2u * x->nstore;
    x->digits = malloc((size_t)x->nstore * steps);
    x->size = malloc((size_t)x->nstore * sizeof *x->size);
    x->dist = malloc((size_t)x->n * sizeof *x->dist);
    x->done = malloc((size_t)x->n);
    x->cur = malloc((size_t)x->n * sizeof *x->cur);
    x->next = malloc((size_t)x->n * sizeof *x->next);
    if (with_parents) {
        x->parent = malloc((size_t)x->n * sizeof *x->parent);
        x->how = malloc((size_t)x->n * sizeof *x->how);
    }
    if (x->digits == NULL || x->size == NULL || x->dist == NULL || x->done == NULL ||
        x->cur == NULL || x->next == NULL ||
        (with_parents && (x->parent == NULL || x->how == NULL))) {
        ir_fini(x);
        return -1;
    }
    for (uint32_t st = 0; st < x->nstore; st++) {
        uint32_t rest = st;
        int64_t units = 0;
        for (uint32_t k = 0; k < steps; k++) {
            uint8_t d = (uint8_t)(rest % 3u);
            rest /= 3u;
            x->digits[(size_t)st * steps + k] = d;
            units += d == CK_HIDDEN ? a_h : d == CK_INTERNAL ? a_s : 0;
        }
        x->size[st] = units;
    }
    return 0;
}

/* The index of state (g, core, internal, store). */
static uint32_t ir_encode(const ir_ctx *x, int g, int core, int internal, uint32_t st)
{
    uint32_t steps = (uint32_t)x->t + 1;
    return (((uint32_t)g * steps + (uint32_t)core) * 2u + (uint32_t)internal) * x->nstore + st;
}

/* Work state of one BFS level: the relaxation target lists. */
typedef struct {
    ir_ctx *x;
    uint32_t level;
    uint32_t ncur;
    uint32_t nnext;
} ir_level;

/* Relaxes edge u -> v of cost `w` (0 or 1) entered by op (kind, step). */
static void ir_relax(ir_level *lv, uint32_t u, uint32_t v, uint32_t w, int kind, int step)
{
    ir_ctx *x = lv->x;
    uint32_t nd = lv->level + w;
    if (x->done[v] || x->dist[v] <= nd) {
        return;
    }
    x->dist[v] = nd;
    if (x->parent != NULL) {
        x->parent[v] = u;
        x->how[v] = (uint16_t)((unsigned)kind << 8 | (unsigned)step);
    }
    if (w == 0) {
        x->cur[lv->ncur++] = v;
    } else {
        x->next[lv->nnext++] = v;
    }
}

/* One 0-1 BFS under `budget`: the min forward ops to reach g == 0, or -1. When found, the
 * goal state goes to *goal. Levels are processed in order of cost; within a level a stack
 * closes over the 0-cost edges, so each state is finalised exactly once at its distance. */
static int64_t ir_search(ir_ctx *x, int64_t budget, uint32_t *goal)
{
    if (budget < x->a_h) {
        return -1;
    }
    const int t = x->t;
    const uint32_t steps = (uint32_t)t + 1;
    for (uint32_t i = 0; i < x->n; i++) {
        x->dist[i] = IR_UNSEEN;
    }
    memset(x->done, 0, x->n);
    ir_level lv = {x, 0, 0, 0};
    uint32_t start = ir_encode(x, t, 0, 0, x->p3[0] * CK_HIDDEN);
    x->dist[start] = 0;
    x->cur[lv.ncur++] = start;
    while (lv.ncur > 0) {
        lv.nnext = 0;
        while (lv.ncur > 0) {
            uint32_t u = x->cur[--lv.ncur];
            if (x->done[u]) {
                continue;
            }
            x->done[u] = 1;
            uint32_t st = u % x->nstore;
            uint32_t rest = u / x->nstore;
            int internal = (int)(rest % 2u);
            rest /= 2u;
            int core = (int)(rest % steps);
            int g = (int)(rest / steps);
            if (g == 0) {
                *goal = u;
                return (int64_t)lv.level;
            }
            const uint8_t *dg = x->digits + (size_t)st * steps;
            int64_t units = x->size[st];
            /* forward core+1 */
            if (core < g) {
                ir_relax(&lv, u, ir_encode(x, g, core + 1, 1, st), 1, MB_ORACLE_FORWARD,
                         core + 1);
            }
            /* store_hidden / store_internal core */
            if (dg[core] == CK_NONE) {
                if (units + x->a_h <= budget) {
                    ir_relax(&lv, u, ir_encode(x, g, core, internal, st + x->p3[core]), 0,
                             MB_ORACLE_STORE_HIDDEN, core);
                }
                if (internal && units + x->a_s <= budget) {
                    ir_relax(&lv, u,
                             ir_encode(x, g, core, internal, st + 2u * x->p3[core]), 0,
                             MB_ORACLE_STORE_INTERNAL, core);
                }
            }
            /* backward g */
            if ((core == g && internal) || dg[g] == CK_INTERNAL) {
                ir_relax(&lv, u, ir_encode(x, g - 1, core, internal, st), 0,
                         MB_ORACLE_BACKWARD, g);
            }
            /* restore k / free k */
            for (int k = 0; k <= t; k++) {
                if (dg[k] == CK_NONE) {
                    continue;
                }
                ir_relax(&lv, u, ir_encode(x, g, k, 0, st), 0, MB_ORACLE_RESTORE, k);
                ir_relax(&lv, u, ir_encode(x, g, core, internal, st - dg[k] * x->p3[k]), 0,
                         MB_ORACLE_FREE, k);
            }
        }
        uint32_t *tmp = x->cur;
        x->cur = x->next;
        x->next = tmp;
        lv.ncur = lv.nnext;
        lv.level++;
    }
    return -1;
}

/* Checks the arguments of the IR entry points. */
static int ir_args_ok(int t, int64_t a_h, int64_t a_s)
{
    return t >= 1 && t <= MB_ORACLE_IR_MAX_STEPS && mb_oracle_sizes_ok(a_h, a_s);
}

int64_t mb_oracle_ir_optimum(int t, int64_t a_h, int64_t a_s, int64_t budget)
{
    if (!ir_args_ok(t, a_h, a_s)) {
        return MB_ORACLE_ERROR;
    }
    if (budget < a_h) {
        return -1;
    }
    ir_ctx x;
    if (ir_init(&x, t, a_h, a_s, 0) != 0) {
        return MB_ORACLE_ERROR;
    }
    uint32_t goal;
    int64_t r = ir_search(&x, budget, &goal);
    ir_fini(&x);
    return r;
}

int64_t mb_oracle_ir_optimum_all(int t, int64_t a_h, int64_t a_s, int64_t max_budget,
                                 int64_t *out)
{
    if (!ir_args_ok(t, a_h, a_s) || max_budget < 0 || out == NULL) {
        return MB_ORACLE_ERROR;
    }
    ir_ctx x;
    int have_ctx = 0;
    int64_t b = 0;
    for (; b <= max_budget && b < a_h; b++) {
        out[b] = -1;
    }
    for (; b <= max_budget; b++) {
        if (b > a_h && out[b - 1] == (int64_t)t) {
            out[b] = t; /* t forward ops is a lower bound: every step needs one */
            continue;
        }
        if (!have_ctx) {
            if (ir_init(&x, t, a_h, a_s, 0) != 0) {
                return MB_ORACLE_ERROR;
            }
            have_ctx = 1;
        }
        uint32_t goal;
        out[b] = ir_search(&x, b, &goal);
    }
    if (have_ctx) {
        ir_fini(&x);
    }
    return 0;
}

int64_t mb_oracle_ir_plan(int t, int64_t a_h, int64_t a_s, int64_t budget, mb_oracle_op *ops,
                          size_t cap, size_t *n_ops)
{
    *n_ops = 0;
    if (!ir_args_ok(t, a_h, a_s) || (ops == NULL && cap > 0)) {
        return MB_ORACLE_ERROR;
    }
    if (budget < a_h) {
        return -1;
    }
    ir_ctx x;
    if (ir_init(&x, t, a_h, a_s, 1) != 0) {
        return MB_ORACLE_ERROR;
    }
    uint32_t goal = 0;
    int64_t r = ir_search(&x, budget, &goal);
    if (r >= 0) {
        uint32_t start = ir_encode(&x, t, 0, 0, x.p3[0] * CK_HIDDEN);
        size_t len = 0;
        for (uint32_t v = goal; v != start; v = x.parent[v]) {
            len++;
        }
        *n_ops = len;
        size_t i = len;
        for (uint32_t v = goal; v != start; v = x.parent[v]) {
            i--;
            if (i < cap) {
                ops[i].kind = (uint8_t)(x.how[v] >> 8);
                ops[i].step = (int32_t)(x.how[v] & 0xffu);
            }
        }
    }
    ir_fini(&x);
    return r;
}
