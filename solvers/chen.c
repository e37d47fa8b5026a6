/* chen.c: Chen et al.'s recursive method in hidden-state terms: keep the hidden state at the
 * middle of the current range, backpropagate the right half, free it, then the left half.
 * About log2(t) hidden states and (t/2)*log2(t) + t forward ops. */
#include "core/error.h"
#include "solvers/builder.h"
#include "solvers/solvers.h"

/* The plan of chen_build: a range of n >= 2 steps splits at y = floor(n/2): y forward, a
 * store, the right part, a restore, the left part, and one free of the stored state; a
 * range of one step is a forward and a backward. Only floor and ceiling sizes occur at each
 * depth, so a small memo makes it O(log t). */
typedef struct {
    int64_t n[130];
    uint64_t v[130];
    int used;
} memo;

static uint64_t chen_range(int64_t n, memo *m)
{
    if (n <= 1)
        return n == 1 ? 2 : 0;
    for (int i = 0; i < m->used; i++)
        if (m->n[i] == n)
            return m->v[i];
    int64_t y = n / 2;
    uint64_t v = (uint64_t)y + 3 + chen_range(n - y, m) + chen_range(y, m);
    if (m->used < 130) {
        m->n[m->used] = n;
        m->v[m->used++] = v;
    }
    return v;
}

static int chen_ops(const mb_problem *p, uint64_t *ops, int *exact)
{
    memo m = {.used = 0};
    *ops = chen_range(p->steps, &m);
    *exact = 1;
    return MB_OK;
}

typedef struct {
    int64_t s, n;
    int free_after; /* free h_s when done: the parent split stored it */
} range;

static int chen_build(const mb_problem *p, const mb_solve_options *o, mb_plan **out)
{
    (void)o;
    mb_builder b;
    int rc = mb_builder_init(&b, mb_solver_chen.name, p);
    if (rc != MB_OK)
        return rc;
    /* explicit stack: a split pops one range and pushes two, and the range on top halves,
     * so at most log2(t) + 2 <= 34 ranges are pending; the check keeps it an error, never
     * an overflow, should that reasoning ever break */
    enum { STACK = 64 };
    range stack[STACK];
    int n = 0;
    stack[n++] = (range){0, p->steps, 0};
    while (n > 0 && b.rc == MB_OK) {
        if (MB_NEVER(n > STACK - 2)) {
            b.rc = MB_ERROR(MB_EINTERNAL, "chen: more than %d pending ranges at t = %lld",
                            STACK - 2, (long long)p->steps);
            break;
        }
        range r = stack[--n];
        if (r.n == 0) {
            if (r.free_after)
                mb_builder_free(&b, r.s);
            continue;
        }
        if (r.n == 1) {
            mb_builder_forward(&b, r.s, r.s + 1);
            mb_builder_backward(&b, r.s + 1);
            if (r.free_after)
                mb_builder_free(&b, r.s);
            continue;
        }
        int64_t y = r.n / 2; /* left part y steps, right part n-y: the split point s+y */
        mb_builder_forward(&b, r.s, r.s + y);
        mb_builder_store_hidden(&b, r.s + y);
        stack[n++] = (range){r.s, y, r.free_after};
        stack[n++] = (range){r.s + y, r.n - y, 1};
    }
    return mb_builder_finish(&b, out);
}

static int chen_min_budget(const mb_problem *p, int64_t *out)
{
    int64_t depth = 0; /* hidden states held besides h_0 at the deepest point */
    for (int64_t n = p->steps; n > 1; n -= n / 2)
        depth++;
    *out = p->hidden_units * (1 + depth);
    return MB_OK;
}

const mb_solver_type mb_solver_chen = {
    .name = "chen",
    .summary = "Chen et al. recursive halving with hidden states: about log2(t) states, O(t log t) ops",
    .tie_break = "split at floor(n/2): the left part gets the smaller half",
    .min_budget = chen_min_budget,
    .build = chen_build,
    .plan_ops = chen_ops,
};
