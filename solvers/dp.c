/* dp.c: the dynamic programs of Gruslys et al. (HSM, ISM, MSM) and msm-free in the units of
 * docs/design.md: a fast exact table builder, the textbook one that is its oracle, the older
 * branch and bound kept as a baseline, and plan extraction.
 *
 * THE RECURRENCE. C(t, m) is the least number of forward ops that backpropagates t steps from
 * a start state h_s that the budget m (units, the start's a_h included) already holds:
 *   naive      t + C(t-1, m)                         (s_t stays in the core)
 *   hidden y   y + C(y, m)   + C(t-y, m-a_h)         1 <= y < t, m-a_h >= a_h
 *   internal y y + C(y-1, m) + C(t-y, m-a_s)         1 <= y < t, m-a_s >= a_h
 * msm-free adds what the plan IR allows beyond the paper's class: a subproblem that owns its
 * start checkpoint (h_0 at the top, or an h_y its parent stored for it) may free it once it
 * is no longer needed, which is right after storing s_{s+1} in an internal split at y = 1:
 *   free-start 1 + C'(t-1, m - a_s + a_h)            owned start, m >= a_s
 * Rows then carry an ownership flag: C(t, m, owned). Hidden children own their start;
 * internal children (start inside a stored s_y) do not; left parts inherit the parent's.
 * C(0, .) = 0. Tie-break (every method, so plans are identical): the naive move unless a
 * split is strictly cheaper; among splits, a hidden split unless an internal one is strictly
 * cheaper, then the free-start move only if strictly cheaper still; within a kind, the
 * smallest y. Only budgets reachable from the top budget by the moves get a row; budgets
 * above full-BPTT memory are solved at full memory (every entry there is the unique "store
 * every internal state" policy, so the plan is the same).
 *
 * WHY THE FAST BUILDER IS EXACT (also in docs/design.md, "The fast DP (exactness)").
 * Write c(u) = C(u) - C(u-1), u >= 1, for the increments of a row.
 *
 * Lemma 1. Every row has C(1) = 1 and c(u) >= 1 for all u >= 1.
 *   C(1) = 1: no split exists at t = 1, and naive and free-start both cost 1 + C(0) = 1.
 *   c(u) >= 1 by induction on t over all rows at once; assume it for every row and u < t.
 *   C(t) is a minimum of candidates; each one is >= C(t-1) + 1:
 *   - naive: t + C(t-1) >= C(t-1) + 1 as t >= 1.
 *   - hidden y < t-1: y + C(y) + C'(t-y) = [y + C(y) + C'(t-1-y)] + c'(t-y); the bracket is
 *     the hidden candidate y of C(t-1), so >= C(t-1), and c'(t-y) >= 1 as t-y < t.
 *     hidden y = t-1: (t-1) + C(t-1) + C'(1) = C(t-1) + t >= C(t-1) + 1.
 *   - internal y < t-1: as for hidden. internal y = t-1: (t-1) + C(t-2) + 1 = t + C(t-2),
 *     and C(t-1) <= naive = (t-1) + C(t-2), so it is >= C(t-1) + 1.
 *   - free-start: 1 + C''(t-1) = [1 + C''(t-2)] + c''(t-1) >= C(t-1) + 1 for t >= 2 (the
 *     bracket is the free-start candidate of C(t-1)); at t = 1 every candidate is 1.
 *
 * One split kind of one entry. For row A at length t and a split kind with child row B,
 *   F(y) = y + A(y+sh) + B(t-y),  1 <= y <= t-1,  sh = 0 (hidden) or -1 (internal);
 * A is this row, known at indices < t when C(t) is computed; B is complete. Write a, b for
 * their increments, D(y) = F(y+1) - F(y) = 1 + a(y+1+sh) - b(t-y) (1 <= y <= t-2), and y*
 * for the SMALLEST minimiser of F, the one the textbook scan returns.
 *
 * Lemma 2. If y* >= 2 then D(y*-1) < 0, i.e. b(t-y*+1) >= a(y*+sh) + 2 (F(y*-1) > F(y*)
 *   since y* is the smallest minimiser). If y* <= t-2 then D(y*) >= 0, i.e.
 *   a(y*+1+sh) + 1 >= b(t-y*).
 *
 * Lemma 3 (y* = 1 for short t). Let f3(B) be the least u with b(u) >= 3 (none: infinite).
 *   If y* >= 2 then t-y*+1 >= f3(B), so y* <= t+1-f3(B). Proof: by Lemmas 2 and 1,
 *   b(t-y*+1) >= a(y*+sh) + 2 >= 3. So for t <= f3(B) (in particular for every t when B's
 *   increments never reach 3) y* = 1, and F(1) = 1 + C(1+sh) + B(t-1) is 2 + B(t-1) for
 *   hidden and 1 + B(t-1) for internal splits. Also b(2) = B(2) - 1 <= 2 (B(2) <= naive = 3),
 *   so f3 >= 3 and y* = t-1 >= 2 is impossible; the code still evaluates it when the window
 *   of Lemma 4 reaches it, so nothing below depends on this remark.
 *
 * Lemma 4 (window). Let HX(u) = max c(w) over 1 <= w <= u and LX(u) = min c(w) over
 *   u <= w <= (last index known) for a row X, so HX and LX are nondecreasing in u, HX(u) >=
 *   c(u) >= LX(u). Let h(y) = HB(t-y+1) - LA(y+sh) - 2 and g(y) = HA(y+1+sh) + 1 - LB(t-y).
 *   If y* >= 2 then h(y*) >= 0 (Lemma 2 with HB >= b, LA <= a); h is nonincreasing in y, so
 *   y* <= zR := the last y in [2, t-1] with h(y) >= 0 (no such y: y* = 1). If 2 <= y* <= t-2
 *   then g(y*) >= 0 (Lemma 2); g is nondecreasing in y, so y* >= zL := the first y >= 2 with
 *   g(y) >= 0. Both bounds only grow with t: from t to t+1, HB(t-y+2) >= HB(t-y+1) and LA(v)
 *   can only fall as increments are appended, so h rises; LB(t+1-y) >= LB(t-y) and HA(v) is
 *   fixed once a(v) is known, so g falls. Hence the code keeps zL and zR as pointers that
 *   only move forward, and a y that failed once (g < 0 below zL) fails for every later t.
 *
 * Lemma 5 (rises). If 2 <= y* <= t-2 then A rises at p = y*+1+sh (a(p) > a(p-1)) or B rises
 *   at u = t-y*+1 (b(u) > b(u-1)). Proof: D(y*) - D(y*-1) > 0 by Lemma 2, and it equals
 *   [a(y*+1+sh) - a(y*+sh)] + [b(t-y*+1) - b(t-y*)], so one bracket is positive.
 *
 * Lemma 6 (interval bound). For y in [s, e], D(w) for w in [s, e-1] lies in [dmin, dmax]
 *   with dmin = 1 + LA(s+1+sh) - HB(t-s) and dmax = 1 + HA(e+sh) - LB(t-e+1) (the a indices
 *   are in [s+1+sh, e+sh], the b indices in [t-e+1, t-s]). So F(y) >= F(s) + (e-s) *
 *   min(0, dmin) and F(y) >= F(e) - (e-s) * max(0, dmax) for every y in [s, e].
 *
 * The search. Every candidate is compared with the rule "keep (v, y) if v < best, or v = best
 * and y < best's y", so the result is the least F and, among equal F, the least y, in
 * whatever order candidates come, provided y* is compared or skipped only where it cannot
 * win. It compares y = 1; stops there when h(2) < 0 (Lemma 4; Lemma 3 gives the same for
 * t <= f3(B) without looking); else takes the window [lo, hi] = [max(2, zL), min(zR, t-2)]
 * (Lemma 4) and either scans it, or compares exactly the y in it where A or B rises
 * (Lemma 5), or halves it recursively, comparing both ends of each part and dropping a part
 * whose bound (Lemma 6) exceeds the best so far, or equals it while the part starts at or
 * after the best's y; and compares y = t-1 when zR >= t-1. So y* is compared and the result
 * is exactly the textbook's. Nothing assumes convexity (rows are not convex); every bound
 * comes from the increments actually present, recorded as each row is filled. The naive and
 * free-start moves have one candidate each, compared as in the textbook DP.
 *
 * COSTS are int64: C(t, m) <= t(t+1)/2 < 2^57 for t < 2^29, the largest t a policy entry
 * (y*4 + kind in int32) can hold. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "solvers/builder.h"
#include "solvers/solvers.h"

#define KIND_NAIVE 0
#define KIND_HIDDEN 1
#define KIND_INTERNAL 2
#define KIND_FREE_START 3
#define MAX_DP_STEPS ((INT64_C(1) << 29) - 1) /* policy entries are y*4 + kind in int32 */
#define MAX_DP_BUDGET (INT64_C(1) << 28)      /* rows are found with a bitmap over states */
#define LEAF 16                               /* branch and bound: intervals scanned */
#define NONE INT64_MAX

typedef struct {
    int moves;
    int64_t a_h, a_s;
    int64_t T;
    size_t W;        /* T + 1 entries per row */
    size_t rows;     /* number of (budget, owned) rows */
    int64_t *state;  /* [rows] 2*budget + owned, ascending: every child precedes its parent */
    int32_t *child;  /* [rows][3]: row of the hidden, internal and free-start child, or -1 */
    int32_t *policy; /* [rows][W]: y*4 + kind */
    size_t ring;     /* rows kept of costs: enough for every child */
    int64_t *cost;   /* [ring][W] */
    int32_t *rises;   /* fast: [ring][W] ascending u >= 2 with c(u) > c(u-1) */
    int64_t *nrises;  /* fast: [ring] */
    int64_t *f3;      /* fast: [ring] least u with c(u) >= 3 (Lemma 3), or NONE */
    int32_t *env_hi;  /* fast: [ring][W] max c(w) over 1 <= w <= u */
    int32_t *env_lo;  /* fast: [ring][W] min c(w) over u <= w <= (last one known) */
    int32_t P;       /* branch and bound: leaves of each row's segment tree */
    uint16_t *seg;   /* branch and bound: [ring][2P] min trees over increments */
} dp_table;

static void dp_free(dp_table *d)
{
    mb_free(d->state);
    mb_free(d->child);
    mb_free(d->policy);
    mb_free(d->cost);
    mb_free(d->rises);
    mb_free(d->nrises);
    mb_free(d->f3);
    mb_free(d->env_hi);
    mb_free(d->env_lo);
    mb_free(d->seg);
}

static int64_t *cost_row(const dp_table *d, size_t r)
{
    return d->cost + (r % d->ring) * d->W;
}

static const char *dp_name(int moves)
{
    if (moves & MB_MOVE_FREE_START)
        return "msm-free";
    if ((moves & MB_MOVE_HIDDEN) && (moves & MB_MOVE_INTERNAL))
        return "msm";
    return moves & MB_MOVE_HIDDEN ? "hsm" : "ism";
}

/* Bytes of the tables for `rows` rows and `ring` kept cost rows. */
static double dp_need(const dp_table *d, mb_dp_method method, double rows, double ring)
{
    double w = (double)d->W;
    double need = rows * (w * 4.0 + 8.0 + 12.0) + ring * w * 8.0;
    if (method == MB_DP_FAST)
        need += ring * (w * 12.0 + 16.0);
    if (method == MB_DP_BNB)
        need += ring * 2.0 * 2.0 * (double)d->P;
    return need;
}

static int dp_refuse(const dp_table *d, size_t rows, double need, double limit)
{
    return MB_ERROR(MB_ERANGE,
                    "the DP table for %lld steps and %zu budget rows needs %.0f MiB, over the "
                    "limit of %.0f MiB (--max-table-mib); use a smaller budget, fewer steps or "
                    "revolve",
                    (long long)d->T, rows, need / (1 << 20), limit / (1 << 20));
}

static int64_t bsearch_state(const int64_t *state, size_t n, int64_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (state[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && state[lo] == key ? (int64_t)lo : -1;
}

/* Finds the rows: the (budget, owned) pairs reachable from the top by the enabled moves,
 * numbered in increasing order of 2*budget + owned, so every child precedes its parent.
 * Refuses, before allocating anything large, tables over `limit` bytes. */
static int dp_rows(dp_table *d, int64_t top, mb_dp_method method, double limit, double *need)
{
    const int free_start = (d->moves & MB_MOVE_FREE_START) != 0;
    const int64_t a_h = d->a_h, a_s = d->a_s;
    /* A lower bound on the rows without any table: the chain top, top-a, top-2a, ... >= a_h
     * that the hidden (a = a_h) or internal (a = a_s) move alone reaches. */
    int64_t chain = 1;
    if (d->moves & MB_MOVE_HIDDEN)
        chain = (top - a_h) / a_h + 1;
    if ((d->moves & MB_MOVE_INTERNAL) && (top - a_h) / a_s + 1 > chain)
        chain = (top - a_h) / a_s + 1;
    size_t nstates = 2 * ((size_t)top + 1);
    size_t map_bytes = (nstates + 63) / 64 * 8;
    double lb = dp_need(d, method, (double)chain, 1.0) + (double)map_bytes;
    if (lb > limit)
        return dp_refuse(d, (size_t)chain, lb, limit);
    uint64_t *reach = mb_calloc((nstates + 63) / 64, 8);
    if (reach == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory for %zu budget rows", nstates);
#define REACHED(st) ((reach[(size_t)(st) >> 6] >> ((size_t)(st) & 63)) & 1)
#define REACH(st) (reach[(size_t)(st) >> 6] |= UINT64_C(1) << ((size_t)(st) & 63))
    REACH(2 * top + free_start);
    size_t n = 0;
    for (int64_t st = (int64_t)nstates - 1; st >= 2 * a_h; st--) {
        if (!REACHED(st))
            continue;
        int64_t v = st / 2, owned = st % 2;
        n++;
        if ((d->moves & MB_MOVE_HIDDEN) && v - a_h >= a_h)
            REACH(2 * (v - a_h) + free_start);
        if ((d->moves & MB_MOVE_INTERNAL) && v - a_s >= a_h)
            REACH(2 * (v - a_s));
        if (free_start && owned && v >= a_s)
            REACH(2 * (v - a_s + a_h));
    }
    d->rows = n;
    d->state = mb_malloc(n * sizeof *d->state);
    d->child = mb_malloc(3 * n * sizeof *d->child);
    if (d->state == NULL || d->child == NULL) {
        mb_free(reach);
        return MB_ERROR(MB_ENOMEM, "out of memory for %zu budget rows", n);
    }
    size_t r = 0;
    for (size_t st = 2 * (size_t)a_h; st < nstates; st++)
        if (REACHED(st))
            d->state[r++] = (int64_t)st;
    mb_free(reach);
#undef REACHED
#undef REACH
    d->ring = 1;
    for (r = 0; r < n; r++) {
        int64_t v = d->state[r] / 2, owned = d->state[r] % 2;
        int64_t ch[3] = {-1, -1, -1};
        if ((d->moves & MB_MOVE_HIDDEN) && v - a_h >= a_h)
            ch[0] = bsearch_state(d->state, r, 2 * (v - a_h) + free_start);
        if ((d->moves & MB_MOVE_INTERNAL) && v - a_s >= a_h)
            ch[1] = bsearch_state(d->state, r, 2 * (v - a_s));
        if (free_start && owned && v >= a_s)
            ch[2] = bsearch_state(d->state, r, 2 * (v - a_s + a_h));
        for (int k = 0; k < 3; k++) {
            d->child[3 * r + (size_t)k] = (int32_t)ch[k];
            if (ch[k] >= 0 && r - (size_t)ch[k] + 1 > d->ring)
                d->ring = r - (size_t)ch[k] + 1;
        }
    }
    *need = dp_need(d, method, (double)d->rows, (double)d->ring);
    if (*need > limit)
        return dp_refuse(d, d->rows, *need, limit);
    return MB_OK;
}

/* --- Progress on long solves --- */

typedef struct {
    FILE *f;     /* NULL: silent */
    int tty;     /* rewrite one line with \r; else a plain line every few seconds */
    double t0, last;
    int shown;   /* a progress line was written */
    const char *name;
} dp_progress;

static double dp_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#define PROGRESS_AFTER_S 3.0  /* quiet for solves shorter than this */
#define PROGRESS_TTY_S 0.5    /* terminal: refresh period */
#define PROGRESS_PLAIN_S 10.0 /* file or pipe: one line per period */

static void progress_rows(dp_progress *g, size_t done, size_t rows)
{
    if (g->f == NULL)
        return;
    double now = dp_now(), el = now - g->t0;
    if (done < rows) {
        if (el < PROGRESS_AFTER_S || now - g->last < (g->tty ? PROGRESS_TTY_S : PROGRESS_PLAIN_S))
            return;
    } else if (!g->shown) {
        return;
    }
    g->last = now;
    g->shown = 1;
    double rate = el > 0 ? (double)done / el : 0.0;
    double eta = rate > 0 ? (double)(rows - done) / rate : 0.0;
    fprintf(g->f, "%s%s: DP rows %zu/%zu (%.0f%%), %.0f rows/s, %.0f s elapsed, ETA %.0f s%s%s",
            g->tty ? "\r" : "", g->name, done, rows, 100.0 * (double)done / (double)rows, rate,
            el, eta, g->tty ? "\033[K" : "", g->tty && done < rows ? "" : "\n");
    fflush(g->f);
}

/* --- Split searches: each returns the least F(y) = y + A[y+sh] + B[t-y] over 1 <= y < t and
 * the smallest y attaining it (t >= 2). --- */

/* The textbook scan: every y, the least F first (vectorised, range_min), then its first y. */
static int64_t range_min(const int64_t *A, const int64_t *B, int64_t t, int64_t lo, int64_t hi);

static void split_scan(const int64_t *A, int sh, const int64_t *B, int64_t t, int64_t *best,
                       int64_t *by)
{
    int64_t m = range_min(A + sh, B, t, 1, t - 1);
    for (int64_t y = 1; y < t; y++)
        if (y + A[y + sh] + B[t - y] == m) {
            *best = m;
            *by = y;
            return;
        }
}

/* --- The fast search (the exactness argument at the top of this file). --- */

/* Keeps (v, y) when it beats (*best, *by): a smaller F, or the same F at a smaller y. */
#define TAKE(v, y, best, by)                                   \
    do {                                                       \
        if ((v) < *(best) || ((v) == *(best) && (y) < *(by))) { \
            *(best) = (v);                                     \
            *(by) = (y);                                       \
        }                                                      \
    } while (0)

/* The state of one split kind along one row, kept across t. */
typedef struct {
    const int64_t *A, *B;     /* this row (known below t) and the child row */
    const int32_t *HA, *LA;   /* this row's increment envelopes; LA over the known part */
    const int32_t *HB, *LB;   /* the child's */
    const int32_t *ra;        /* this row's rises, ascending */
    const int64_t *nra;       /* their count, which grows with t */
    const int32_t *rb;        /* the child's */
    int64_t nrb;
    int sh;                   /* 0 hidden, -1 internal */
    int64_t f3;               /* the child's f3 (Lemma 3): y* = 1 for t <= f3 */
    int64_t zr, zl;           /* zR and zL of Lemma 4; both only grow with t */
    int64_t ia0, ia1, ib0, ib1; /* window_rises' places in the two rise lists */
} split_ctx;

static inline int64_t split_f(const split_ctx *c, int64_t t, int64_t y)
{
    return y + c->A[y + c->sh] + c->B[t - y];
}

/* The least y + A[y] + B[t-y] over y in [lo, hi] (A already shifted by sh). Vectorised where
 * the compiler can: on x86-64 an AVX2 copy is chosen at run time when the CPU has it. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
static int64_t range_min(const int64_t *A, const int64_t *B, int64_t t, int64_t lo, int64_t hi)
{
    int64_t m = INT64_MAX;
    for (int64_t y = lo; y <= hi; y++) {
        int64_t v = y + A[y] + B[t - y];
        m = v < m ? v : m;
    }
    return m;
}

#define SCAN_CHUNK 64
#define BOUND_LEAF 32

/* Every y in [lo, hi]: the least F by chunks, then the first y attaining it in the first
 * chunk that has it. */
static void window_scan(const split_ctx *c, int64_t t, int64_t lo, int64_t hi, int64_t *best,
                        int64_t *by)
{
    const int64_t *A = c->A + c->sh, *B = c->B;
    int64_t m = INT64_MAX, at = lo;
    for (int64_t s = lo; s <= hi; s += SCAN_CHUNK) {
        int64_t e = s + SCAN_CHUNK - 1 < hi ? s + SCAN_CHUNK - 1 : hi;
        int64_t v = range_min(A, B, t, s, e);
        if (v < m) {
            m = v;
            at = s;
        }
    }
    if (m > *best || (m == *best && *by < lo))
        return;
    for (int64_t y = at;; y++)
        if (y + A[y] + B[t - y] == m) {
            TAKE(m, y, best, by);
            return;
        }
}

/* Moves *i to the first index of list[0..n) whose entry is >= key (n if none), from where it
 * was: the keys of one row and split kind move little from one t to the next. */
static inline void seek(const int32_t *list, int64_t n, int64_t key, int64_t *i)
{
    while (*i > 0 && list[*i - 1] >= key)
        --*i;
    while (*i < n && list[*i] < key)
        ++*i;
}

/* Lemma 5: the y in [lo, hi] where A rises at y+1+sh or B rises at t-y+1. Returns 0, having
 * evaluated nothing, when there are more than `cap`. */
static int window_rises(split_ctx *c, int64_t t, int64_t lo, int64_t hi, int64_t cap,
                        int64_t *best, int64_t *by)
{
    const int sh = c->sh;
    seek(c->ra, *c->nra, lo + 1 + sh, &c->ia0);
    seek(c->ra, *c->nra, hi + 2 + sh, &c->ia1);
    seek(c->rb, c->nrb, t + 1 - hi, &c->ib0);
    seek(c->rb, c->nrb, t + 2 - lo, &c->ib1);
    if ((c->ia1 - c->ia0) + (c->ib1 - c->ib0) > cap)
        return 0;
    for (int64_t i = c->ia0; i < c->ia1; i++) {
        int64_t y = c->ra[i] - 1 - sh;
        TAKE(split_f(c, t, y), y, best, by);
    }
    for (int64_t i = c->ib0; i < c->ib1; i++) {
        int64_t y = t + 1 - c->rb[i];
        TAKE(split_f(c, t, y), y, best, by);
    }
    return 1;
}

/* Lemma 6: prunes [s, e] by a lower bound of F from both ends, with the increments bounded by
 * the envelopes, then halves it; short intervals are scanned. Left half first. */
static void window_bound(const split_ctx *c, int64_t t, int64_t s, int64_t e, int64_t *best,
                         int64_t *by)
{
    if (e - s < BOUND_LEAF) {
        window_scan(c, t, s, e, best, by);
        return;
    }
    const int sh = c->sh;
    int64_t fs = split_f(c, t, s), fe = split_f(c, t, e);
    TAKE(fs, s, best, by);
    TAKE(fe, e, best, by);
    int64_t dmin = 1 + c->LA[s + 1 + sh] - c->HB[t - s];
    int64_t dmax = 1 + c->HA[e + sh] - c->LB[t - e + 1];
    int64_t lb1 = fs + (e - s) * (dmin < 0 ? dmin : 0);
    int64_t lb2 = fe - (e - s) * (dmax > 0 ? dmax : 0);
    int64_t lb = lb1 > lb2 ? lb1 : lb2;
    if (lb > *best || (lb == *best && s >= *by))
        return;
    int64_t mid = s + (e - s) / 2;
    window_bound(c, t, s + 1, mid, best, by);
    window_bound(c, t, mid + 1, e - 1, best, by);
}

#define SCAN_SMALL 24 /* windows this narrow are scanned */

/* The entries with h(2) >= 0 (Lemma 4): improves (*best, *by), which holds y = 1, with the
 * window's candidates (Lemma 5), its bounded halving (Lemma 6), or a scan of it. */
static void split_window(split_ctx *c, int64_t t, int64_t *best, int64_t *by)
{
    const int sh = c->sh;
#define H_OK(y) (c->HB[t - (y) + 1] - c->LA[(y) + sh] >= 2)
#define G_OK(y) (c->HA[(y) + 1 + sh] + 1 >= c->LB[t - (y)])
    while (c->zr < t - 1 && H_OK(c->zr + 1))
        c->zr++;
    int64_t hi = c->zr < t - 2 ? c->zr : t - 2;
    while (c->zl <= hi && !G_OK(c->zl))
        c->zl++;
#undef H_OK
#undef G_OK
    int64_t lo = c->zl;
    if (lo <= hi) {
        int64_t width = hi - lo + 1;
        if (width <= SCAN_SMALL)
            window_scan(c, t, lo, hi, best, by);
        else if (!window_rises(c, t, lo, hi, width / 8, best, by))
            window_bound(c, t, lo, hi, best, by);
    }
    if (c->zr >= t - 1) /* the right end (never: b(2) <= 2, Lemma 3; kept for the argument) */
        TAKE(split_f(c, t, t - 1), t - 1, best, by);
}

/* Records the increments c(u) of row slot `slot` for u in [from, to]: the envelopes, rises,
 * and f3 that the rows using this one as a child read (and this row itself, Lemmas 3-6). */
static void note_increments(dp_table *d, size_t slot, int64_t from, int64_t to)
{
    const size_t W = d->W;
    const int64_t *row = d->cost + slot * W;
    int32_t *ehi = d->env_hi + slot * W, *elo = d->env_lo + slot * W;
    int32_t *rises = d->rises + slot * W;
    for (int64_t t = from; t <= to; t++) {
        int64_t inc = row[t] - row[t - 1], prev = t >= 2 ? row[t - 1] - row[t - 2] : inc;
        int32_t c = (int32_t)inc; /* 1 <= inc <= t < 2^29 (Lemma 1) */
        if (inc > prev)
            rises[d->nrises[slot]++] = (int32_t)t;
        if (inc >= 3 && d->f3[slot] == NONE)
            d->f3[slot] = t;
        ehi[t] = t >= 2 && ehi[t - 1] > c ? ehi[t - 1] : c;
        elo[t] = c; /* suffix minima of the known increments: lower the tail */
        for (int64_t u = t - 1; u >= 1 && elo[u] > c; u--)
            elo[u] = c;
    }
}

/* Fills the table with the fast method. Each row runs in two phases: while t <= f3 of every
 * split child, y = 1 is the only split candidate (Lemma 3) and the loop is short; after that,
 * each split kind goes through split_window when Lemma 4 does not already settle it. */
static void fill_fast(dp_table *d, dp_progress *g)
{
    const int64_t T = d->T;
    const size_t W = d->W;
    for (size_t r = 0; r < d->rows; r++) {
        const size_t slot = r % d->ring;
        int64_t *row = d->cost + slot * W;
        int32_t *pol = d->policy + r * W;
        const int32_t *ch = d->child + 3 * r;
        d->nrises[slot] = 0;
        d->f3[slot] = NONE;
        d->env_hi[slot * W] = d->env_lo[slot * W] = 0; /* unused: increments start at u = 1 */
        split_ctx c[2];
        int nk = 0;
        int64_t quick_to = T; /* phase 1 ends here */
        for (int k = 0; k < 2; k++) {
            if (ch[k] < 0)
                continue;
            const size_t sb = (size_t)ch[k] % d->ring;
            c[nk] = (split_ctx){row, d->cost + sb * W, d->env_hi + slot * W,
                                d->env_lo + slot * W, d->env_hi + sb * W, d->env_lo + sb * W,
                                d->rises + slot * W, &d->nrises[slot], d->rises + sb * W,
                                d->nrises[sb], k == 0 ? 0 : -1, d->f3[sb], 2, 2, 0, 0, 0, 0};
            if (d->f3[sb] != NONE && d->f3[sb] < quick_to)
                quick_to = d->f3[sb]; /* y* = 1 for t <= f3 (Lemma 3) */
            nk++;
        }
        const int64_t *Bh = ch[0] >= 0 ? cost_row(d, (size_t)ch[0]) : NULL;
        const int64_t *Bi = ch[1] >= 0 ? cost_row(d, (size_t)ch[1]) : NULL;
        const int64_t *freed = ch[2] >= 0 ? cost_row(d, (size_t)ch[2]) : NULL;
        row[0] = 0;
        pol[0] = 0;
        row[1] = 1; /* every move costs 1 at t = 1, and the naive one wins ties */
        pol[1] = 1 * 4 + KIND_NAIVE;
        /* Phase 1: hidden y = 1 costs 1 + C(1) + Bh(t-1), internal y = 1 costs 1 + C(0) +
         * Bi(t-1). The naive move costs t + C(t-1) >= 2t-1 (Lemma 1), so it is only looked at
         * when no split is below 2t-1, which keeps C(t-1) off the loop's critical path. */
        int reach3 = 0; /* an increment >= 3 so far */
        for (int64_t t = 2; t <= quick_to; t++) {
            int64_t best = INT64_MAX;
            int32_t choice = 0;
            if (Bh != NULL) {
                best = 2 + Bh[t - 1];
                choice = 1 * 4 + KIND_HIDDEN;
            }
            if (Bi != NULL && 1 + Bi[t - 1] < best) {
                best = 1 + Bi[t - 1];
                choice = 1 * 4 + KIND_INTERNAL;
            }
            if (freed != NULL && 1 + freed[t - 1] < best) {
                best = 1 + freed[t - 1];
                choice = 1 * 4 + KIND_FREE_START;
            }
            if (best >= 2 * t - 1 && t + row[t - 1] <= best) { /* naive wins ties */
                best = t + row[t - 1];
                choice = (int32_t)t * 4 + KIND_NAIVE;
            }
            reach3 |= best - row[t - 1] >= 3;
            row[t] = best;
            pol[t] = choice;
        }
        /* The envelopes and rises are read only in phase 2 of this row or of a row
         * for which this one is a child with f3 set (Lemma 3); a row whose increments stay
         * below 3 with no phase 2 needs none of them. */
        if (quick_to < T || reach3)
            note_increments(d, slot, 1, quick_to);
        /* Phase 2. */
        for (int64_t t = quick_to + 1; t <= T; t++) {
            int64_t best = t + row[t - 1];
            int64_t choice = t * 4 + KIND_NAIVE;
            for (int k = 0; k < nk; k++) {
                split_ctx *x = &c[k];
                int64_t y = 1, v = 1 + row[1 + x->sh] + x->B[t - 1];
                if (t > x->f3 && x->HB[t - 1] - x->LA[2 + x->sh] >= 2)
                    split_window(x, t, &v, &y);
                if (v < best) {
                    best = v;
                    choice = y * 4 + (x->sh == 0 ? KIND_HIDDEN : KIND_INTERNAL);
                }
            }
            if (freed != NULL && 1 + freed[t - 1] < best) {
                best = 1 + freed[t - 1];
                choice = 1 * 4 + KIND_FREE_START;
            }
            row[t] = best;
            pol[t] = (int32_t)choice;
            note_increments(d, slot, t, t);
        }
        progress_rows(g, r + 1, d->rows);
    }
}

/* --- The old branch and bound over y-intervals, kept as a baseline for the benchmark: for
 * y in [lo, hi], F(y) >= lo + A(lo+sh) + B(t-hi) + (hi-lo) * min(1 + minA, minB), with the
 * minimum increments read from a min segment tree per row (increments clamped to 65535,
 * which only lowers the bound). --- */

static uint16_t *seg_row(const dp_table *d, size_t r)
{
    return d->seg + (r % d->ring) * 2 * (size_t)d->P;
}

static void seg_set(uint16_t *seg, int32_t P, int64_t i, int64_t v)
{
    size_t n = (size_t)P + (size_t)i;
    seg[n] = (uint16_t)(v > 65535 ? 65535 : v);
    for (n >>= 1; n >= 1; n >>= 1) {
        uint16_t a = seg[2 * n], b = seg[2 * n + 1];
        seg[n] = a < b ? a : b;
    }
}

/* A lower bound on min(seg leaves a..b), from at most two aligned nodes covering them. */
static inline int64_t seg_min(const uint16_t *seg, int32_t P, int64_t a, int64_t b)
{
    uint32_t len = (uint32_t)(b - a + 1);
    int level = len <= 1 ? 0 : 32 - __builtin_clz(len - 1);
    uint16_t x = seg[((uint32_t)P + (uint32_t)a) >> level];
    uint16_t y = seg[((uint32_t)P + (uint32_t)b) >> level];
    return x < y ? x : y;
}

typedef struct {
    const int64_t *A, *B;
    const uint16_t *Aseg, *Bseg;
    int sh;
    int32_t P;
    int64_t t;
} bnb_search;

static void bnb(const bnb_search *s, int64_t lo, int64_t hi, int64_t *best, int64_t *by)
{
    if (hi - lo < LEAF) {
        for (int64_t y = lo; y <= hi; y++) {
            int64_t v = y + s->A[y + s->sh] + s->B[s->t - y];
            if (v < *best || (v == *best && y < *by)) {
                *best = v;
                *by = y;
            }
        }
        return;
    }
    int64_t stepA = 1 + seg_min(s->Aseg, s->P, lo + s->sh, hi - 1 + s->sh); /* F's A part */
    int64_t stepB = seg_min(s->Bseg, s->P, s->t - hi, s->t - lo - 1);
    int64_t lb = lo + s->A[lo + s->sh] + s->B[s->t - hi] +
                 (hi - lo) * (stepA < stepB ? stepA : stepB);
    if (lb > *best || (lb == *best && lo > *by))
        return;
    int64_t mid = lo + (hi - lo) / 2;
    bnb(s, lo, mid, best, by);
    bnb(s, mid + 1, hi, best, by);
}

/* --- Filling the table --- */

/* Fills the table with the textbook scan or the branch and bound. */
static void dp_fill(dp_table *d, mb_dp_method method, dp_progress *g)
{
    const int64_t T = d->T;
    for (size_t r = 0; r < d->rows; r++) {
        int64_t *row = cost_row(d, r);
        int32_t *pol = d->policy + r * d->W;
        uint16_t *seg = method == MB_DP_BNB ? seg_row(d, r) : NULL;
        if (seg)
            memset(seg, 0, 2 * (size_t)d->P * sizeof *seg);
        const int32_t *ch = d->child + 3 * r;
        int64_t seed[2] = {1, 1};
        row[0] = 0;
        pol[0] = 0;
        for (int64_t t = 1; t <= T; t++) {
            int64_t best = t + row[t - 1];
            int64_t choice = t * 4 + KIND_NAIVE;
            for (int k = 0; k < 2 && t > 1; k++) {
                if (ch[k] < 0)
                    continue;
                const int64_t *B = cost_row(d, (size_t)ch[k]);
                int sh = k == 0 ? 0 : -1;
                int64_t v = INT64_MAX, y = 0;
                if (method == MB_DP_TEXTBOOK) {
                    split_scan(row, sh, B, t, &v, &y);
                } else {
                    bnb_search s = {row, B, seg, seg_row(d, (size_t)ch[k]), sh, d->P, t};
                    y = seed[k] < t ? seed[k] : t - 1;
                    v = y + row[y + sh] + B[t - y];
                    bnb(&s, 1, t - 1, &v, &y);
                    seed[k] = y;
                }
                if (v < best) {
                    best = v;
                    choice = y * 4 + (k == 0 ? KIND_HIDDEN : KIND_INTERNAL);
                }
            }
            if (ch[2] >= 0) { /* free the owned start, keep s_{s+1}: one candidate */
                int64_t v = 1 + cost_row(d, (size_t)ch[2])[t - 1];
                if (v < best) {
                    best = v;
                    choice = 1 * 4 + KIND_FREE_START;
                }
            }
            row[t] = best;
            pol[t] = (int32_t)choice;
            if (seg)
                seg_set(seg, d->P, t - 1, row[t] - row[t - 1]);
        }
        progress_rows(g, r + 1, d->rows);
    }
}

/* Sets up the table's rows for problem p with the given moves and checks its size against
 * the limit, allocating nothing else: *need gets the bytes the table will take. */
static int dp_size(dp_table *d, int moves, const mb_problem *p, const mb_solve_options *o,
                   double *need)
{
    memset(d, 0, sizeof *d);
    d->moves = moves;
    d->a_h = p->hidden_units;
    d->a_s = p->internal_units;
    d->T = p->steps;
    if (p->steps > MAX_DP_STEPS)
        return MB_ERROR(MB_ERANGE,
                        "steps %lld: the dynamic programs handle at most %lld steps; use revolve "
                        "for longer sequences",
                        (long long)p->steps, (long long)MAX_DP_STEPS);
    d->W = (size_t)d->T + 1;
    int64_t full;
    int rc = mb_problem_full_units(p, &full);
    if (rc != MB_OK)
        return rc;
    int64_t top = p->budget < full ? p->budget : full;
    if (top > MAX_DP_BUDGET)
        return MB_ERROR(MB_ERANGE,
                        "budget %lld units: the dynamic programs handle at most %lld units; give "
                        "sizes with a larger common unit (e.g. round byte sizes to 64 bytes)",
                        (long long)top, (long long)MAX_DP_BUDGET);
    mb_dp_method method = o == NULL ? MB_DP_FAST : o->dp_method;
    if (method != MB_DP_FAST && method != MB_DP_TEXTBOOK && method != MB_DP_BNB)
        return MB_ERROR(MB_EINVAL, "DP method %d: expected fast, textbook or bnb", (int)method);
    d->P = 1;
    if (method == MB_DP_BNB)
        while (d->P <= d->T)
            d->P *= 2;
    double limit = o && o->max_table_bytes > 0 ? (double)o->max_table_bytes : 8.0 * (1 << 30);
    return dp_rows(d, top, method, limit, need);
}

int mb_dp_check(int moves, const mb_problem *p, const mb_solve_options *o, double *bytes)
{
    dp_table d;
    double need = 0.0;
    int rc = dp_size(&d, moves, p, o, &need);
    dp_free(&d);
    if (bytes)
        *bytes = need;
    return rc;
}

/* Sets up and fills the table for problem p with the given moves. */
static int dp_solve(dp_table *d, int moves, const mb_problem *p, const mb_solve_options *o)
{
    double need = 0.0;
    mb_dp_method method = o == NULL ? MB_DP_FAST : o->dp_method;
    int rc = dp_size(d, moves, p, o, &need);
    if (rc != MB_OK)
        return rc;
    dp_progress g = {o ? o->progress : NULL, 0, dp_now(), 0.0, 0, dp_name(moves)};
    if (g.f != NULL) {
        g.tty = isatty(fileno(g.f));
        g.last = g.t0;
        if (need >= 256.0 * (1 << 20))
            fprintf(g.f, "%s: DP table of %zu rows x %zu steps: %.0f MiB\n", g.name, d->rows,
                    d->W, need / (1 << 20));
    }
    d->policy = mb_malloc(d->rows * d->W * sizeof *d->policy);
    d->cost = mb_malloc(d->ring * d->W * sizeof *d->cost);
    int ok = d->policy != NULL && d->cost != NULL;
    if (method == MB_DP_FAST) {
        d->rises = mb_malloc(d->ring * d->W * sizeof *d->rises);
        d->nrises = mb_malloc(d->ring * sizeof *d->nrises);
        d->f3 = mb_malloc(d->ring * sizeof *d->f3);
        d->env_hi = mb_malloc(d->ring * d->W * sizeof *d->env_hi);
        d->env_lo = mb_malloc(d->ring * d->W * sizeof *d->env_lo);
        ok = ok && d->rises != NULL &&
             d->nrises != NULL && d->f3 != NULL && d->env_hi != NULL && d->env_lo != NULL;
    }
    if (method == MB_DP_BNB) {
        d->seg = mb_malloc(d->ring * 2 * (size_t)d->P * sizeof *d->seg);
        ok = ok && d->seg != NULL;
    }
    if (!ok)
        return MB_ERROR(MB_ENOMEM, "out of memory for a DP table of %.0f MiB", need / (1 << 20));
    if (method == MB_DP_FAST)
        fill_fast(d, &g);
    else
        dp_fill(d, method, &g);
    return MB_OK;
}

/* Work items of the plan walk: run a subproblem, or finish a split. */
enum { TASK_RUN, TASK_FREE, TASK_RELEASE, TASK_BACKWARD };

typedef struct {
    int kind;
    int64_t s, n; /* start step and length (TASK_RUN), or the step (others) */
    int32_t row;
} task;

/* Emits the ops of the subproblem of n steps from h_s under policy row `row` into b, without
 * recursion. */
static void dp_emit(const dp_table *d, mb_builder *b, int64_t s, int64_t n0, int32_t row)
{
    size_t cap = 64, n = 0;
    task *stack = mb_malloc(cap * sizeof *stack);
    if (stack == NULL) {
        if (b->rc == MB_OK)
            b->rc = MB_ERROR(MB_ENOMEM, "out of memory extracting a plan");
        return;
    }
    stack[n++] = (task){TASK_RUN, s, n0, row};
    while (n > 0 && b->rc == MB_OK) {
        task k = stack[--n];
        if (n + 4 > cap) {
            task *grown = mb_realloc(stack, 2 * cap * sizeof *stack);
            if (grown == NULL) {
                b->rc = MB_ERROR(MB_ENOMEM, "out of memory extracting a plan");
                break;
            }
            stack = grown;
            cap *= 2;
        }
        if (k.kind == TASK_FREE) {
            mb_builder_free(b, k.s);
            continue;
        }
        if (k.kind == TASK_RELEASE) { /* a hidden child may have freed its start already */
            mb_builder_release(b, k.s);
            continue;
        }
        if (k.kind == TASK_BACKWARD) {
            mb_builder_backward(b, k.s);
            continue;
        }
        if (k.n == 0)
            continue;
        int32_t pol = d->policy[(size_t)k.row * d->W + (size_t)k.n];
        int32_t kind = pol & 3, y = pol >> 2;
        mb_builder_forward(b, k.s, kind == KIND_FREE_START ? k.s : k.s + y);
        if (kind == KIND_NAIVE) {
            mb_builder_backward(b, k.s + k.n);
            stack[n++] = (task){TASK_RUN, k.s, k.n - 1, k.row};
        } else if (kind == KIND_HIDDEN) {
            mb_builder_store_hidden(b, k.s + y);
            stack[n++] = (task){TASK_RUN, k.s, y, k.row};
            stack[n++] = (task){TASK_RELEASE, k.s + y, 0, 0};
            stack[n++] = (task){TASK_RUN, k.s + y, k.n - y, d->child[3 * (size_t)k.row]};
        } else if (kind == KIND_INTERNAL) {
            mb_builder_store_internal(b, k.s + y);
            stack[n++] = (task){TASK_RUN, k.s, y - 1, k.row};
            stack[n++] = (task){TASK_FREE, k.s + y, 0, 0};
            stack[n++] = (task){TASK_BACKWARD, k.s + y, 0, 0};
            stack[n++] = (task){TASK_RUN, k.s + y, k.n - y, d->child[3 * (size_t)k.row + 1]};
        } else { /* free-start: h_s was restored above and is not needed again */
            mb_builder_free(b, k.s);
            mb_builder_forward(b, k.s, k.s + 1);
            mb_builder_store_internal(b, k.s + 1);
            stack[n++] = (task){TASK_FREE, k.s + 1, 0, 0};
            stack[n++] = (task){TASK_BACKWARD, k.s + 1, 0, 0};
            stack[n++] = (task){TASK_RUN, k.s + 1, k.n - 1, d->child[3 * (size_t)k.row + 2]};
        }
    }
    mb_free(stack);
}

/* Walks the policy table from the top row into a plan. */
static int dp_extract(const dp_table *d, const char *name, const mb_problem *p, mb_plan **out)
{
    mb_builder b;
    int rc = mb_builder_init(&b, name, p);
    if (rc != MB_OK)
        return rc;
    dp_emit(d, &b, 0, d->T, (int32_t)(d->rows - 1));
    return mb_builder_finish(&b, out);
}

struct mb_dp_table {
    dp_table d;
};

int mb_dp_table_alloc(int moves, const mb_problem *p, const mb_solve_options *o,
                      mb_dp_table **out)
{
    mb_dp_table *t = mb_calloc(1, sizeof *t);
    if (t == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory for a DP table");
    int rc = dp_solve(&t->d, moves, p, o);
    if (rc != MB_OK) {
        mb_dp_table_free(t);
        return rc;
    }
    *out = t;
    return MB_OK;
}

void mb_dp_table_free(mb_dp_table *t)
{
    if (t == NULL)
        return;
    dp_free(&t->d);
    mb_free(t);
}

/* The row of `which` (0 the top, 1 its hidden child, 2 its internal child), or -1. */
static int32_t table_row(const mb_dp_table *t, int which)
{
    int32_t top = (int32_t)(t->d.rows - 1);
    return which == 0 ? top : t->d.child[3 * (size_t)top + (size_t)(which - 1)];
}

const int64_t *mb_dp_table_costs(const mb_dp_table *t, int which)
{
    int32_t row = table_row(t, which);
    return row < 0 ? NULL : cost_row(&t->d, (size_t)row);
}

void mb_dp_table_emit(const mb_dp_table *t, int which, mb_builder *b, int64_t s, int64_t n)
{
    int32_t row = table_row(t, which);
    if (MB_NEVER(row < 0)) { /* the callers ask for the rows the table has */
        if (b->rc == MB_OK)
            b->rc = MB_ERROR(MB_EINTERNAL, "DP table: no row %d", which);
        return;
    }
    dp_emit(&t->d, b, s, n, row);
}

int mb_dp_build(const char *name, int moves, const mb_problem *p, const mb_solve_options *o,
                mb_plan **out)
{
    dp_table d;
    int rc = dp_solve(&d, moves, p, o);
    if (rc == MB_OK) {
        rc = dp_extract(&d, name, p, out);
        int64_t table = cost_row(&d, d.rows - 1)[d.T];
        if (rc == MB_OK && MB_NEVER((*out)->forward_ops != table)) {
            rc = MB_ERROR(MB_EINTERNAL, "%s plan has %lld forward ops, its table "
                          "%lld", name, (long long)(*out)->forward_ops, (long long)table);
            mb_plan_free(*out);
            *out = NULL;
        }
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
        const int64_t *top = cost_row(&d, d.rows - 1);
        for (int64_t k = 0; k <= d.T; k++)
            costs[k] = top[k];
        if (policy_hash != NULL) { /* FNV-1a over the entries in row order */
            uint64_t h = UINT64_C(1469598103934665603);
            size_t n = d.rows * d.W;
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
    return mb_dp_build(mb_solver_hsm.name, MB_MOVE_HIDDEN, p, o, out);
}

static int build_ism(const mb_problem *p, const mb_solve_options *o, mb_plan **out)
{
    return mb_dp_build(mb_solver_ism.name, MB_MOVE_INTERNAL, p, o, out);
}

static int build_msm(const mb_problem *p, const mb_solve_options *o, mb_plan **out)
{
    return mb_dp_build(mb_solver_msm.name, MB_MOVE_HIDDEN | MB_MOVE_INTERNAL, p, o, out);
}

static int build_msm_free(const mb_problem *p, const mb_solve_options *o, mb_plan **out)
{
    return mb_dp_build(mb_solver_msm_free.name, MB_MOVE_HIDDEN | MB_MOVE_INTERNAL | MB_MOVE_FREE_START, p, o,
                       out);
}

static int check_hsm(const mb_problem *p, const mb_solve_options *o, double *bytes)
{
    return mb_dp_check(MB_MOVE_HIDDEN, p, o, bytes);
}

static int check_ism(const mb_problem *p, const mb_solve_options *o, double *bytes)
{
    return mb_dp_check(MB_MOVE_INTERNAL, p, o, bytes);
}

static int check_msm(const mb_problem *p, const mb_solve_options *o, double *bytes)
{
    return mb_dp_check(MB_MOVE_HIDDEN | MB_MOVE_INTERNAL, p, o, bytes);
}

static int check_msm_free(const mb_problem *p, const mb_solve_options *o, double *bytes)
{
    return mb_dp_check(MB_MOVE_HIDDEN | MB_MOVE_INTERNAL | MB_MOVE_FREE_START, p, o, bytes);
}

#define DP_TIE_BREAK                                                                       \
    "naive move unless a split is strictly cheaper; hidden split unless an internal one is " \
    "strictly cheaper; smallest split point y"

const mb_solver_type mb_solver_hsm = {
    .name = "hsm",
    .summary = "Gruslys et al. dynamic program storing hidden states only (optimal, = Revolve)",
    .tie_break = DP_TIE_BREAK,
    .min_budget = dp_min_budget,
    .build = build_hsm,
    .table_check = check_hsm,
    .flags = MB_SOLVER_HSM_BOUND | MB_SOLVER_MONOTONE | MB_SOLVER_DP,
};
const mb_solver_type mb_solver_ism = {
    .name = "ism",
    .summary = "Gruslys et al. dynamic program storing internal states only (optimal in its class)",
    .tie_break = DP_TIE_BREAK,
    .min_budget = dp_min_budget,
    .build = build_ism,
    .table_check = check_ism,
    .flags = MB_SOLVER_MONOTONE | MB_SOLVER_DP,
};
const mb_solver_type mb_solver_msm = {
    .name = "msm",
    .summary = "Gruslys et al. dynamic program mixing hidden and internal states (optimal in its class)",
    .tie_break = DP_TIE_BREAK,
    .min_budget = dp_min_budget,
    .build = build_msm,
    .table_check = check_msm,
    .flags = MB_SOLVER_MONOTONE | MB_SOLVER_DP,
};
const mb_solver_type mb_solver_msm_free = {
    .name = "msm-free",
    .summary = "msm that also frees a start state after its last use (the plan IR's optimum on every case checked, t <= 7)",
    .tie_break = DP_TIE_BREAK ", then free-start",
    .min_budget = dp_min_budget,
    .build = build_msm_free,
    .table_check = check_msm_free,
    .flags = MB_SOLVER_MONOTONE | MB_SOLVER_DP,
};
