/* sqrt.c: Chen et al.'s sqrt(t) checkpointing: segments of k = ceil(sqrt(t)) steps, the
 * hidden state at each segment boundary kept in the first pass, each segment recomputed
 * once with its internal states kept, then backpropagated. The last segment is not
 * recomputed: its internal states are kept during the first pass. */
#include <math.h>

#include "core/error.h"
#include "solvers/builder.h"
#include "solvers/solvers.h"

int64_t mb_sqrt_segment(int64_t t)
{
    int64_t k = (int64_t)sqrt((double)t);
    while (k * k < t)
        k++;
    while (k > 1 && (k - 1) * (k - 1) >= t)
        k--;
    return k;
}

/* The plan of sqrt_build, L = the last segment's start, m = L/k earlier segments:
 * first pass t forward, m hidden and t-L-1 internal stores; the last segment t-L backward
 * and t-L-1 frees, then h_L freed; each earlier segment a restore, k forward, k-1 stores,
 * k backward, k-1 frees, and h_a freed when a > 0. */
static int sqrt_ops(const mb_problem *p, uint64_t *ops, int *exact)
{
    const int64_t t = p->steps;
    const uint64_t k = (uint64_t)mb_sqrt_segment(t), L = (uint64_t)(((t - 1) / (int64_t)k)) * k;
    const uint64_t m = L / k, last = (uint64_t)t - L, T = (uint64_t)t;
    uint64_t n = T + m + (last - 1) + last + (last - 1);
    if (m > 0)
        n += 1 + m * (1 + k + (k - 1) + k + (k - 1)) + (m - 1);
    *ops = n;
    *exact = 1;
    return MB_OK;
}

/* Backpropagates steps a+1..b whose internal states a+1..b-1 are stored and s_b is in the
 * core, freeing each as it goes. */
static void backprop_segment(mb_builder *b, int64_t a, int64_t last)
{
    mb_builder_backward(b, last);
    for (int64_t k = last - 1; k > a; k--) {
        mb_builder_backward(b, k);
        mb_builder_free(b, k);
    }
}

static int sqrt_build(const mb_problem *p, const mb_solve_options *o, mb_plan **out)
{
    (void)o;
    const int64_t t = p->steps, k = mb_sqrt_segment(t);
    const int64_t last_start = ((t - 1) / k) * k; /* boundary before the last segment */
    mb_builder b;
    int rc = mb_builder_init(&b, mb_solver_sqrt.name, p);
    if (rc != MB_OK)
        return rc;
    /* first pass: boundaries as hidden states, the last segment's internal states */
    for (int64_t j = 1; j <= t; j++) {
        mb_builder_forward(&b, j - 1, j);
        if (j <= last_start && j % k == 0)
            mb_builder_store_hidden(&b, j);
        else if (j > last_start && j < t)
            mb_builder_store_internal(&b, j);
    }
    backprop_segment(&b, last_start, t);
    if (last_start > 0)
        mb_builder_free(&b, last_start); /* the last segment was never recomputed from it */
    /* earlier segments, last to first: recompute with internal states, then backprop */
    for (int64_t a = last_start - k; a >= 0; a -= k) {
        mb_builder_forward(&b, a, a); /* restore h_a */
        if (a > 0)
            mb_builder_free(&b, a); /* the core holds it now; nothing else needs it */
        for (int64_t j = a + 1; j <= a + k; j++) {
            mb_builder_forward(&b, j - 1, j);
            if (j < a + k)
                mb_builder_store_internal(&b, j);
        }
        backprop_segment(&b, a, a + k);
    }
    return mb_builder_finish(&b, out);
}

/* The plan does not depend on the budget: its peak is the smallest feasible budget. The peak
 * is the larger of the first pass (h_0, every boundary, the last segment's internal states)
 * and the recomputation of the segment before the last (h_0 and the boundaries below it,
 * and k-1 internal states). Tests check this against the replayed plan. */
static int sqrt_min_budget(const mb_problem *p, int64_t *out)
{
    const int64_t t = p->steps, k = mb_sqrt_segment(t), last_start = ((t - 1) / k) * k;
    int64_t first = p->hidden_units * (1 + last_start / k) +
                    p->internal_units * (t - last_start - 1);
    int64_t later = 0;
    if (last_start >= k) {
        int64_t hidden = (last_start - k) / k;
        later = p->hidden_units * (hidden > 1 ? hidden : 1) + p->internal_units * (k - 1);
    }
    *out = first > later ? first : later;
    return MB_OK;
}

const mb_solver_type mb_solver_sqrt = {
    .name = "sqrt",
    .summary = "Chen et al. sqrt(t) checkpointing: segments of ceil(sqrt(t)) steps, about 2 forward ops per step",
    .tie_break = "none needed: one plan per t",
    .min_budget = sqrt_min_budget,
    .build = sqrt_build,
    .plan_ops = sqrt_ops,
};
