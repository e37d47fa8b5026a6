/* opcount.c: how many ops the fixed-policy solvers' plans hold, in closed form, so a plan
 * over MB_PLAN_MAX_OPS is refused before anything is built (docs/design.md, "Plan files"). */
#include <math.h>
#include <string.h>

#include "core/error.h"
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

/* sqrt (solvers/sqrt.c), L = the last segment's start, m = L/k earlier segments:
 * first pass t forward, m hidden and t-L-1 internal stores; the last segment t-L backward
 * and t-L-1 frees, then h_L freed; each earlier segment a restore, k forward, k-1 stores,
 * k backward, k-1 frees, and h_a freed when a > 0. */
static uint64_t sqrt_ops(int64_t t)
{
    const uint64_t k = (uint64_t)mb_sqrt_segment(t), L = (uint64_t)(((t - 1) / (int64_t)k)) * k;
    const uint64_t m = L / k, last = (uint64_t)t - L, T = (uint64_t)t;
    uint64_t n = T + m + (last - 1) + last + (last - 1);
    if (m > 0)
        n += 1 + m * (1 + k + (k - 1) + k + (k - 1)) + (m - 1);
    return n;
}

/* chen (solvers/chen.c): a range of n >= 2 steps splits at y = floor(n/2): y forward, a
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

int mb_solver_plan_ops(const mb_solver_type *type, const mb_problem *p, uint64_t *ops,
                       int *exact)
{
    const int64_t t = p->steps;
    *exact = 1;
    if (strcmp(type->name, "full") == 0)
        *ops = 4 * (uint64_t)t - 2; /* t forward, t backward, t-1 stores, t-1 frees */
    else if (strcmp(type->name, "sqrt") == 0)
        *ops = sqrt_ops(t);
    else if (strcmp(type->name, "chen") == 0) {
        memo m = {.used = 0};
        *ops = chen_range(t, &m);
    } else if (strcmp(type->name, "revolve") == 0) {
        /* t backward and t + n(t, s) forward at least (GW2000); restores, stores and frees
         * come on top */
        int64_t snaps = p->budget / p->hidden_units;
        int64_t adv = snaps >= 1 ? mb_binomial_advances(t, snaps) : 0;
        *ops = 2 * (uint64_t)t + (uint64_t)(adv > 0 ? adv : 0);
        *exact = 0;
    } else
        return MB_ERROR(MB_EINVAL, "%s: no closed-form op count (only full, sqrt, chen and "
                        "revolve have one)", type->name);
    return MB_OK;
}

int mb_solver_check_ops(const mb_solver_type *type, const mb_problem *p)
{
    uint64_t ops;
    int exact;
    int rc = mb_solver_plan_ops(type, p, &ops, &exact);
    return rc == MB_OK ? mb_plan_check_size(type->name, p->steps, ops, !exact) : rc;
}
