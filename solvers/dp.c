/* dp.c: the dynamic programs of Gruslys et al. (HSM, ISM, MSM) in the units of DESIGN.md,
 * a fast exact table builder and the textbook one that is its oracle, and plan extraction.
 *
 * C(t, m) is the least number of forward ops that backpropagates t steps from a start state
 * h_s that the budget m (units, the start's a_h included) already holds:
 *   naive      t + C(t-1, m)                         (s_t stays in the core)
 *   hidden y   y + C(y, m)   + C(t-y, m-a_h)         1 <= y < t, m-a_h >= a_h
 *   internal y y + C(y-1, m) + C(t-y, m-a_s)         1 <= y < t, m-a_s >= a_h
 * msm-free adds what the plan IR allows beyond the paper's class: a subproblem that owns its
 * start checkpoint (h_0 at the top, or an h_y its parent stored for it) may free it once it
 * is no longer needed, which is right after storing s_{s+1} in an internal split at y = 1:
 *   free-start 1 + C'(t-1, m - a_s + a_h)            owned start, m >= a_s
 * Rows then carry an ownership flag: C(t, m, owned). Hidden children own their start;
 * internal children (start inside a stored s_y) do not; left parts inherit the parent's.
 * Tie-break (both builders, so plans are identical): the naive move unless a split is
 * strictly cheaper; among splits, a hidden split unless an internal one is strictly cheaper,
 * then the free-start move only if strictly cheaper still; within a kind, the smallest y.
 *
 * Rows: only budgets reachable from the top budget by subtracting a_h and a_s get a row.
 * Budgets above full-BPTT memory are solved at full memory: every entry there is the unique
 * "store every internal state" policy, so the plan is the same.
 *
 * The fast builder finds each entry's best split by branch and bound over y-intervals.
 * For y in [lo, hi], F(y) = y + C(y+sh, m) + C(t-y, m') is at least
 *   F_lo_hi = lo + C(lo+sh, m) + C(t-hi, m') + (hi-lo) * min(1 + dA, dB),
 * where dA and dB are lower bounds on the per-step increments C(u+1) - C(u) of the two rows
 * over the ranges involved, read from a min segment tree per row. The bound is exact on
 * stretches where both rows grow linearly, so intervals that cannot hold a minimiser are
 * dropped after one look. Nothing is assumed about convexity: every y not pruned by a
 * valid lower bound is evaluated, so the result equals the textbook DP entry by entry. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "solvers/builder.h"
#include "solvers/solvers.h"

#define KIND_NAIVE 0
#define KIND_HIDDEN 1
#define KIND_INTERNAL 2
#define KIND_FREE_START 3
#define MAX_DP_STEPS 65535      /* costs up to t(t+1)/2 fit int32 */
#define MAX_DP_BUDGET (1 << 28) /* rows are found with a bitmap over [0, budget] */
#define LEAF 16                 /* intervals this short are scanned */

typedef struct {
    int moves;
    int64_t a_h, a_s;
    int32_t T;
    int32_t P;       /* leaves of each row's segment tree, a power of two > T */
    size_t rows;     /* number of (budget, owned) rows */
    int64_t *budget; /* [rows] ascending (owned rows after unowned ones of equal budget) */
    int32_t *child;  /* [rows][3]: row of the hidden, internal and free-start child, or -1 */
    int32_t *policy; /* [rows][T+1]: y*4 + kind */
    size_t ring;     /* rows kept of costs and trees: enough for every child */
    int32_t *cost;   /* [ring][T+1] */
    uint16_t *seg;   /* [ring][2P], fast method only */
} dp_table;

static void dp_free(dp_table *d)
{
    free(d->budget);
    free(d->child);
    free(d->policy);
    free(d->cost);
    free(d->seg);
}

static int32_t *cost_row(const dp_table *d, size_t r)
{
    return d->cost + (r % d->ring) * (size_t)(d->T + 1);
}

static uint16_t *seg_row(const dp_table *d, size_t r)
{
    return d->seg + (r % d->ring) * 2 * (size_t)d->P;
}

/* Finds the rows: the (budget, owned) pairs reachable from the top by the enabled moves,
 * numbered in increasing order of 2*budget + owned, so every child precedes its parent. */
static int dp_rows(dp_table *d, int64_t top)
{
    const int free_start = (d->moves & MB_MOVE_FREE_START) != 0;
    const int64_t a_h = d->a_h, a_s = d->a_s;
    size_t nstates = 2 * ((size_t)top + 1);
    unsigned char *reach = calloc(nstates, 1);
    int32_t *index = NULL;
    if (reach == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory for %zu budget rows", nstates);
    reach[2 * top + free_start] = 1;
    size_t n = 0;
    for (int64_t st = (int64_t)nstates - 1; st >= 2 * a_h; st--) {
        if (!reach[st])
            continue;
        int64_t v = st / 2, owned = st % 2;
        n++;
        if ((d->moves & MB_MOVE_HIDDEN) && v - a_h >= a_h)
            reach[2 * (v - a_h) + free_start] = 1;
        if ((d->moves & MB_MOVE_INTERNAL) && v - a_s >= a_h)
            reach[2 * (v - a_s)] = 1;
        if (free_start && owned && v >= a_s)
            reach[2 * (v - a_s + a_h)] = 1;
    }
    d->rows = n;
    d->budget = malloc(n * sizeof *d->budget);
    d->child = malloc(3 * n * sizeof *d->child);
    index = malloc(nstates * sizeof *index);
    if (d->budget == NULL || d->child == NULL || index == NULL) {
        free(reach);
        free(index);
        return MB_ERROR(MB_ENOMEM, "out of memory for %zu budget rows", n);
    }
    size_t r = 0;
    for (size_t st = 0; st < nstates; st++) {
        index[st] = reach[st] ? (int32_t)r : -1;
        if (reach[st])
            d->budget[r++] = (int64_t)st / 2;
    }
    d->ring = 1;
    r = 0;
    for (size_t st = 0; st < nstates; st++) {
        if (!reach[st])
            continue;
        int64_t v = (int64_t)st / 2, owned = (int64_t)st % 2;
        int32_t ch[3] = {-1, -1, -1};
        if ((d->moves & MB_MOVE_HIDDEN) && v - a_h >= a_h)
            ch[0] = index[2 * (v - a_h) + free_start];
        if ((d->moves & MB_MOVE_INTERNAL) && v - a_s >= a_h)
            ch[1] = index[2 * (v - a_s)];
        if (free_start && owned && v >= a_s)
            ch[2] = index[2 * (v - a_s + a_h)];
        for (int k = 0; k < 3; k++) {
            d->child[3 * r + (size_t)k] = ch[k];
            if (ch[k] >= 0 && r - (size_t)ch[k] + 1 > d->ring)
                d->ring = r - (size_t)ch[k] + 1;
        }
        r++;
    }
    free(reach);
    free(index);
    return MB_OK;
}

static void seg_set(uint16_t *seg, int32_t P, int32_t i, int32_t v)
{
    size_t n = (size_t)P + (size_t)i;
    seg[n] = (uint16_t)(v > 65535 ? 65535 : v);
    for (n >>= 1; n >= 1; n >>= 1) {
        uint16_t a = seg[2 * n], b = seg[2 * n + 1];
        seg[n] = a < b ? a : b;
    }
}

/* A lower bound on min(seg leaves a..b), from at most two aligned nodes covering them. */
static inline int32_t seg_min(const uint16_t *seg, int32_t P, int32_t a, int32_t b)
{
    uint32_t len = (uint32_t)(b - a + 1);
    int level = len <= 1 ? 0 : 32 - __builtin_clz(len - 1);
    uint16_t x = seg[((uint32_t)P + (uint32_t)a) >> level];
    uint16_t y = seg[((uint32_t)P + (uint32_t)b) >> level];
    return x < y ? x : y;
}

typedef struct {
    const int32_t *A; /* this row's costs; A[y+sh] */
    const uint16_t *Aseg;
    int sh; /* 0 for hidden splits, -1 for internal ones */
    const int32_t *B; /* the child row's costs; B[t-y] */
    const uint16_t *Bseg;
    int32_t P;
    int32_t t;
} split_search;

/* Branch and bound: improves (*best, *by) with the least F(y), smallest y, over [lo, hi]. */
static void bb(const split_search *s, int32_t lo, int32_t hi, int64_t *best, int32_t *by)
{
    if (hi - lo < LEAF) {
        for (int32_t y = lo; y <= hi; y++) {
            int64_t v = (int64_t)y + s->A[y + s->sh] + s->B[s->t - y];
            if (v < *best || (v == *best && y < *by)) {
                *best = v;
                *by = y;
            }
        }
        return;
    }
    int32_t dA = 1 + seg_min(s->Aseg, s->P, lo + s->sh, hi - 1 + s->sh);
    int32_t dB = seg_min(s->Bseg, s->P, s->t - hi, s->t - lo - 1);
    int64_t lb = (int64_t)lo + s->A[lo + s->sh] + s->B[s->t - hi] +
                 (int64_t)(hi - lo) * (dA < dB ? dA : dB);
    if (lb > *best || (lb == *best && lo > *by))
        return;
    int32_t mid = lo + (hi - lo) / 2;
    bb(s, lo, mid, best, by);
    bb(s, mid + 1, hi, best, by);
}

/* The textbook inner minimum: least F(y) over 1 <= y < t, then its smallest y. */
static void scan(const int32_t *A, int sh, const int32_t *B, int32_t t, int64_t *best,
                 int32_t *by)
{
    int32_t m = INT32_MAX;
    for (int32_t y = 1; y < t; y++) {
        int32_t v = y + A[y + sh] + B[t - y];
        m = v < m ? v : m;
    }
    for (int32_t y = 1; y < t; y++)
        if (y + A[y + sh] + B[t - y] == m) {
            *best = m;
            *by = y;
            return;
        }
}

static int dp_fill(dp_table *d, mb_dp_method method)
{
    const int32_t T = d->T;
    for (size_t r = 0; r < d->rows; r++) {
        int32_t *row = cost_row(d, r);
        int32_t *pol = d->policy + r * (size_t)(T + 1);
        uint16_t *seg = method == MB_DP_FAST ? seg_row(d, r) : NULL;
        if (seg)
            memset(seg, 0, 2 * (size_t)d->P * sizeof *seg);
        const int32_t *ch = d->child + 3 * r;
        int32_t seed[2] = {1, 1};
        row[0] = 0;
        pol[0] = 0;
        for (int32_t t = 1; t <= T; t++) {
            int64_t best = (int64_t)t + row[t - 1];
            int32_t choice = t * 4 + KIND_NAIVE;
            for (int k = 0; k < 2 && t > 1; k++) {
                if (ch[k] < 0)
                    continue;
                const int32_t *B = cost_row(d, (size_t)ch[k]);
                int sh = k == 0 ? 0 : -1;
                int64_t v = INT64_MAX;
                int32_t y = 0;
                if (method == MB_DP_TEXTBOOK) {
                    scan(row, sh, B, t, &v, &y);
                } else {
                    split_search s = {row, seg, sh, B, seg_row(d, (size_t)ch[k]), d->P, t};
                    y = seed[k] < t ? seed[k] : t - 1;
                    v = (int64_t)y + row[y + sh] + B[t - y];
                    bb(&s, 1, t - 1, &v, &y);
                    seed[k] = y;
                }
                if (v < best) {
                    best = v;
                    choice = y * 4 + (k == 0 ? KIND_HIDDEN : KIND_INTERNAL);
                }
            }
            if (ch[2] >= 0) { /* free the owned start, keep s_{s+1}: one candidate */
                int64_t v = 1 + (int64_t)cost_row(d, (size_t)ch[2])[t - 1];
                if (v < best) {
                    best = v;
                    choice = 1 * 4 + KIND_FREE_START;
                }
            }
            row[t] = (int32_t)best;
            pol[t] = choice;
            if (seg)
                seg_set(seg, d->P, t - 1, row[t] - row[t - 1]);
        }
    }
    return MB_OK;
}

/* Sets up and fills the table for problem p with the given moves. */
static int dp_solve(dp_table *d, int moves, const mb_problem *p, const mb_solve_options *o)
{
    memset(d, 0, sizeof *d);
    d->moves = moves;
    d->a_h = p->hidden_units;
    d->a_s = p->internal_units;
    if (p->steps > MAX_DP_STEPS)
        return MB_ERROR(MB_ERANGE,
                        "steps %lld: the dynamic programs handle at most %d steps (their costs "
                        "are 32-bit); use revolve for longer sequences",
                        (long long)p->steps, MAX_DP_STEPS);
    d->T = (int32_t)p->steps;
    int64_t full;
    int rc = mb_problem_full_units(p, &full);
    if (rc != MB_OK)
        return rc;
    int64_t top = p->budget < full ? p->budget : full;
    if (top > MAX_DP_BUDGET)
        return MB_ERROR(MB_ERANGE,
                        "budget %lld units: the dynamic programs handle at most %d units; give "
                        "sizes with a larger common unit (e.g. round byte sizes to 64 bytes)",
                        (long long)top, MAX_DP_BUDGET);
    if ((rc = dp_rows(d, top)) != MB_OK)
        return rc;
    d->P = 1;
    while (d->P <= d->T)
        d->P *= 2;
    int fast = o == NULL || o->dp_method == MB_DP_FAST;
    double need = (double)d->rows * (d->T + 1) * 4.0 + (double)d->ring * (d->T + 1) * 4.0 +
                  (fast ? (double)d->ring * 2.0 * d->P * 2.0 : 0.0);
    double limit = o && o->max_table_bytes > 0 ? (double)o->max_table_bytes : 8.0 * (1 << 30);
    if (need > limit)
        return MB_ERROR(MB_ERANGE,
                        "the DP table for %d steps and %zu budget rows needs %.0f MiB, over the "
                        "limit of %.0f MiB (--max-table-mib); use a smaller budget, fewer steps "
                        "or revolve",
                        d->T, d->rows, need / (1 << 20), limit / (1 << 20));
    d->policy = malloc(d->rows * (size_t)(d->T + 1) * sizeof *d->policy);
    d->cost = malloc(d->ring * (size_t)(d->T + 1) * sizeof *d->cost);
    if (fast)
        d->seg = malloc(d->ring * 2 * (size_t)d->P * sizeof *d->seg);
    if (d->policy == NULL || d->cost == NULL || (fast && d->seg == NULL))
        return MB_ERROR(MB_ENOMEM, "out of memory for a DP table of %.2f GiB", need / (1 << 30));
    return dp_fill(d, fast ? MB_DP_FAST : MB_DP_TEXTBOOK);
}

/* Work items of the plan walk: run a subproblem, or finish a split. */
enum { TASK_RUN, TASK_FREE, TASK_RELEASE, TASK_BACKWARD };

typedef struct {
    int kind;
    int32_t s, n; /* start step and length (TASK_RUN), or the step (others) */
    int32_t row;
} task;

/* Walks the policy table from the top row into a plan, without recursion. */
static int dp_extract(const dp_table *d, const char *name, const mb_problem *p, mb_plan **out)
{
    const int32_t T = d->T;
    mb_builder b;
    int rc = mb_builder_init(&b, name, p);
    if (rc != MB_OK)
        return rc;
    size_t cap = 64, n = 0;
    task *stack = malloc(cap * sizeof *stack);
    if (stack == NULL)
        b.rc = MB_ERROR(MB_ENOMEM, "out of memory extracting a plan");
    else
        stack[n++] = (task){TASK_RUN, 0, T, (int32_t)(d->rows - 1)};
    while (n > 0 && b.rc == MB_OK) {
        task k = stack[--n];
        if (n + 4 > cap) {
            task *grown = realloc(stack, 2 * cap * sizeof *stack);
            if (grown == NULL) {
                b.rc = MB_ERROR(MB_ENOMEM, "out of memory extracting a plan");
                break;
            }
            stack = grown;
            cap *= 2;
        }
        if (k.kind == TASK_FREE) {
            mb_builder_free(&b, k.s);
            continue;
        }
        if (k.kind == TASK_RELEASE) { /* a hidden child may have freed its start already */
            mb_builder_release(&b, k.s);
            continue;
        }
        if (k.kind == TASK_BACKWARD) {
            mb_builder_backward(&b, k.s);
            continue;
        }
        if (k.n == 0)
            continue;
        int32_t pol = d->policy[(size_t)k.row * (size_t)(T + 1) + (size_t)k.n];
        int32_t kind = pol & 3, y = pol >> 2;
        mb_builder_forward(&b, k.s, kind == KIND_FREE_START ? k.s : k.s + y);
        if (kind == KIND_NAIVE) {
            mb_builder_backward(&b, k.s + k.n);
            stack[n++] = (task){TASK_RUN, k.s, k.n - 1, k.row};
        } else if (kind == KIND_HIDDEN) {
            mb_builder_store_hidden(&b, k.s + y);
            stack[n++] = (task){TASK_RUN, k.s, y, k.row};
            stack[n++] = (task){TASK_RELEASE, k.s + y, 0, 0};
            stack[n++] = (task){TASK_RUN, k.s + y, k.n - y, d->child[3 * (size_t)k.row]};
        } else if (kind == KIND_INTERNAL) {
            mb_builder_store_internal(&b, k.s + y);
            stack[n++] = (task){TASK_RUN, k.s, y - 1, k.row};
            stack[n++] = (task){TASK_FREE, k.s + y, 0, 0};
            stack[n++] = (task){TASK_BACKWARD, k.s + y, 0, 0};
            stack[n++] = (task){TASK_RUN, k.s + y, k.n - y, d->child[3 * (size_t)k.row + 1]};
        } else { /* free-start: h_s was restored above and is not needed again */
            mb_builder_free(&b, k.s);
            mb_builder_forward(&b, k.s, k.s + 1);
            mb_builder_store_internal(&b, k.s + 1);
            stack[n++] = (task){TASK_FREE, k.s + 1, 0, 0};
            stack[n++] = (task){TASK_BACKWARD, k.s + 1, 0, 0};
            stack[n++] = (task){TASK_RUN, k.s + 1, k.n - 1, d->child[3 * (size_t)k.row + 2]};
        }
    }
    free(stack);
    return mb_builder_finish(&b, out);
}

int mb_dp_build(const char *name, int moves, const mb_problem *p, const mb_solve_options *o,
                mb_plan **out)
{
    dp_table d;
    int rc = dp_solve(&d, moves, p, o);
    if (rc == MB_OK) {
        rc = dp_extract(&d, name, p, out);
        if (rc == MB_OK && (*out)->forward_ops != cost_row(&d, d.rows - 1)[d.T])
            rc = MB_ERROR(MB_EBADPLAN, "internal error: %s plan has %lld forward ops, its table "
                          "%d", name, (long long)(*out)->forward_ops,
                          cost_row(&d, d.rows - 1)[d.T]);
    }
    dp_free(&d);
    return rc;
}

int mb_dp_cost(int moves, const mb_problem *p, const mb_solve_options *o, int64_t *costs,
               uint64_t *policy_hash)
{
    dp_table d;
    int rc = dp_solve(&d, moves, p, o);
    if (rc == MB_OK) {
        const int32_t *top = cost_row(&d, d.rows - 1);
        for (int32_t k = 0; k <= d.T; k++)
            costs[k] = top[k];
        if (policy_hash != NULL) {
            uint64_t h = UINT64_C(1469598103934665603);
            size_t n = d.rows * (size_t)(d.T + 1);
            for (size_t i = 0; i < n; i++)
                h = (h ^ (uint32_t)d.policy[i]) * UINT64_C(1099511628211);
            *policy_hash = h;
        }
    }
    dp_free(&d);
    return rc;
}

static int dp_min_budget(const mb_problem *p, int64_t *out)
{
    *out = p->hidden_units; /* h_0 alone: recompute from it before every backward */
    return MB_OK;
}

static int build_hsm(const mb_problem *p, const mb_solve_options *o, mb_plan **out)
{
    return mb_dp_build("hsm", MB_MOVE_HIDDEN, p, o, out);
}

static int build_ism(const mb_problem *p, const mb_solve_options *o, mb_plan **out)
{
    return mb_dp_build("ism", MB_MOVE_INTERNAL, p, o, out);
}

static int build_msm(const mb_problem *p, const mb_solve_options *o, mb_plan **out)
{
    return mb_dp_build("msm", MB_MOVE_HIDDEN | MB_MOVE_INTERNAL, p, o, out);
}

static int build_msm_free(const mb_problem *p, const mb_solve_options *o, mb_plan **out)
{
    return mb_dp_build("msm-free", MB_MOVE_HIDDEN | MB_MOVE_INTERNAL | MB_MOVE_FREE_START, p, o,
                       out);
}

#define DP_TIE_BREAK                                                                       \
    "naive move unless a split is strictly cheaper; hidden split unless an internal one is " \
    "strictly cheaper; smallest split point y"

const mb_solver_type mb_solver_hsm = {
    "hsm", "Gruslys et al. dynamic program storing hidden states only (optimal, = Revolve)",
    DP_TIE_BREAK, dp_min_budget, build_hsm};
const mb_solver_type mb_solver_ism = {
    "ism", "Gruslys et al. dynamic program storing internal states only (optimal in its class)",
    DP_TIE_BREAK, dp_min_budget, build_ism};
const mb_solver_type mb_solver_msm = {
    "msm", "Gruslys et al. dynamic program mixing hidden and internal states (optimal in its class)",
    DP_TIE_BREAK, dp_min_budget, build_msm};
const mb_solver_type mb_solver_msm_free = {
    "msm-free", "msm that also frees a start state after its last use (the plan IR's optimum on every case checked, t <= 7)",
    DP_TIE_BREAK ", then free-start", dp_min_budget, build_msm_free};
