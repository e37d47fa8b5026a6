/* oracle_policy.c: the policy-class oracle (the optimum over the paper's policy class by
 * enumerating every policy tree), on the IR simulator of tests/oracle.c; like it, written from
 * the IR semantics alone. */
#include "oracle.h"
#include "oracle_sim.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------
 * Policy class: enumerate every policy tree by index, walk it into ops, simulate.
 * Tree counts per length (not costs) are tabulated so that a tree can be decoded from its
 * index in mixed radix: index blocks are naive, then hidden splits y = 1..n-1, then internal
 * splits y = 1..n-1.
 * ---------------------------------------------------------------------------------------- */

/* Enumeration context: tree counts and the sink collecting (forward ops, peak) results. */
typedef struct {
    int t;
    int64_t a_h;
    int64_t a_s;
    int moves;
    uint64_t count[MB_ORACLE_POLICY_MAX_STEPS + 1]; /* trees per subproblem length */
    int64_t budget;     /* single-budget sink: best over peak <= budget */
    int64_t best;
    int64_t *out;       /* or all-budget sink: out[peak] = min forward ops, NULL if unused */
    int64_t max_budget;
    int broken;         /* an op sequence failed in the simulator (a bug) */
} pol_ctx;

/* Fills ctx->count[0..t] for the allowed moves. */
static void pol_count(pol_ctx *p)
{
    p->count[0] = 1;
    for (int n = 1; n <= p->t; n++) {
        uint64_t c = p->count[n - 1];
        for (int y = 1; y < n; y++) {
            if (p->moves & 1) {
                c += p->count[n - y] * p->count[y];
            }
            if (p->moves & 2) {
                c += p->count[n - y] * p->count[y - 1];
            }
        }
        p->count[n] = c;
    }
}

/* Applies one op in the walk, flagging the context when a precondition fails. */
static void pol_op(pol_ctx *p, sim_state *m, int kind, int k)
{
    if (mb_oracle_sim_apply(m, kind, k) != 0) {
        p->broken = 1;
    }
}

/* Restores h_s unless the core is already at s, then forwards s+1..s+y. */
static void pol_advance(pol_ctx *p, sim_state *m, int s, int y)
{
    if (m->core != s) {
        pol_op(p, m, MB_ORACLE_RESTORE, s);
    }
    for (int k = s + 1; k <= s + y; k++) {
        pol_op(p, m, MB_ORACLE_FORWARD, k);
    }
}

/* Walks tree number `idx` (< count[n]) for subproblem (s, n), applying its ops to `m`. */
static void pol_walk(pol_ctx *p, sim_state *m, int s, int n, uint64_t idx)
{
    if (n == 0) {
        return;
    }
    if (idx < p->count[n - 1]) { /* naive */
        pol_advance(p, m, s, n);
        pol_op(p, m, MB_ORACLE_BACKWARD, s + n);
        pol_walk(p, m, s, n - 1, idx);
        return;
    }
    idx -= p->count[n - 1];
    if (p->moves & 1) { /* hidden split */
        for (int y = 1; y < n; y++) {
            uint64_t block = p->count[n - y] * p->count[y];
            if (idx < block) {
                pol_advance(p, m, s, y);
                pol_op(p, m, MB_ORACLE_STORE_HIDDEN, s + y);
                pol_walk(p, m, s + y, n - y, idx % p->count[n - y]);
                pol_op(p, m, MB_ORACLE_FREE, s + y);
                pol_walk(p, m, s, y, idx / p->count[n - y]);
                return;
            }
            idx -= block;
        }
    }
    if (p->moves & 2) { /* internal split */
        for (int y = 1; y < n; y++) {
            uint64_t block = p->count[n - y] * p->count[y - 1];
            if (idx < block) {
                pol_advance(p, m, s, y);
                pol_op(p, m, MB_ORACLE_STORE_INTERNAL, s + y);
                pol_walk(p, m, s + y, n - y, idx % p->count[n - y]);
                pol_op(p, m, MB_ORACLE_BACKWARD, s + y);
                pol_op(p, m, MB_ORACLE_FREE, s + y);
                pol_walk(p, m, s, y - 1, idx / p->count[n - y]);
                return;
            }
            idx -= block;
        }
    }
    p->broken = 1; /* index out of range */
}

/* Walks every tree for (0, t) and feeds (forward ops, peak) to the sink. 0 or -1. */
static int pol_enumerate(pol_ctx *p)
{
    uint8_t store[MB_ORACLE_POLICY_MAX_STEPS + 1];
    pol_count(p);
    for (uint64_t i = 0; i < p->count[p->t] && !p->broken; i++) {
        sim_state m;
        mb_oracle_sim_init(&m, p->t, p->a_h, p->a_s, store);
        pol_walk(p, &m, 0, p->t, i);
        if (m.g != 0) {
            p->broken = 1;
        }
        if (p->broken) {
            break;
        }
        if (p->out != NULL) {
            if (m.peak <= p->max_budget &&
                (p->out[m.peak] < 0 || m.forwards < p->out[m.peak])) {
                p->out[m.peak] = m.forwards;
            }
        } else if (m.peak <= p->budget && (p->best < 0 || m.forwards < p->best)) {
            p->best = m.forwards;
        }
    }
    return p->broken ? -1 : 0;
}

/* Checks the arguments of the policy entry points and fills the common context fields. */
static int pol_setup(pol_ctx *p, int t, int64_t a_h, int64_t a_s, int moves)
{
    if (t < 1 || t > MB_ORACLE_POLICY_MAX_STEPS || !mb_oracle_sizes_ok(a_h, a_s) || moves < 0 ||
        moves > 3) {
        return -1;
    }
    memset(p, 0, sizeof *p);
    p->t = t;
    p->a_h = a_h;
    p->a_s = a_s;
    p->moves = moves;
    p->best = -1;
    return 0;
}

int64_t mb_oracle_policy_class(int t, int64_t a_h, int64_t a_s, int64_t budget, int moves)
{
    pol_ctx p;
    if (pol_setup(&p, t, a_h, a_s, moves) != 0) {
        return MB_ORACLE_ERROR;
    }
    if (budget < a_h) {
        return -1;
    }
    p.budget = budget;
    if (pol_enumerate(&p) != 0) {
        return MB_ORACLE_ERROR;
    }
    return p.best;
}

int64_t mb_oracle_policy_class_all(int t, int64_t a_h, int64_t a_s, int64_t max_budget,
                                   int moves, int64_t *out)
{
    pol_ctx p;
    if (pol_setup(&p, t, a_h, a_s, moves) != 0 || max_budget < 0 || out == NULL) {
        return MB_ORACLE_ERROR;
    }
    for (int64_t b = 0; b <= max_budget; b++) {
        out[b] = -1;
    }
    p.out = out;
    p.max_budget = max_budget;
    if (pol_enumerate(&p) != 0) {
        return MB_ORACLE_ERROR;
    }
    for (int64_t b = 1; b <= max_budget; b++) { /* min over peaks <= b */
        if (out[b - 1] >= 0 && (out[b] < 0 || out[b - 1] < out[b])) {
            out[b] = out[b - 1];
        }
    }
    return 0;
}

uint64_t mb_oracle_policy_count(int t, int moves)
{
    pol_ctx p;
    if (pol_setup(&p, t, 1, 1, moves) != 0) {
        return 0;
    }
    pol_count(&p);
    return p.count[t];
}
