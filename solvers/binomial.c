/* binomial.c: Griewank & Walther's closed forms for binomial checkpointing (Revolve). */
#include "solvers/solvers.h"

__extension__ typedef __int128 i128;

int64_t mb_binomial_beta(int64_t s, int64_t r)
{
    /* C(s+r, s) computed as prod_{i=1..r} (s+i)/i, exact at each step, saturating */
    i128 v = 1;
    for (int64_t i = 1; i <= r; i++) {
        v = v * (s + i) / i;
        if (v > INT64_MAX)
            return INT64_MAX;
    }
    return (int64_t)v;
}

int64_t mb_binomial_reps(int64_t l, int64_t s)
{
    int64_t r = 0;
    while (mb_binomial_beta(s, r) < l)
        r++;
    return r;
}

int64_t mb_binomial_advances(int64_t l, int64_t s)
{
    if (l <= 1)
        return 0;
    int64_t r = mb_binomial_reps(l, s);
    return r * l - mb_binomial_beta(s + 1, r - 1);
}

int64_t mb_binomial_split(int64_t l, int64_t s)
{
    if (s >= l - 1)
        return 1; /* enough snapshots for every step */
    int64_t r = mb_binomial_reps(l, s);
    int64_t b_s_rm1 = mb_binomial_beta(s, r - 1);
    int64_t b_sm1_rm1 = mb_binomial_beta(s - 1, r - 1);
    int64_t b_sm2_rm1 = mb_binomial_beta(s - 2, r - 1);
    if (l <= b_s_rm1 + b_sm2_rm1)
        return mb_binomial_beta(s, r - 2);
    if (l < b_s_rm1 + b_sm1_rm1 + b_sm2_rm1)
        return l - b_sm1_rm1 - b_sm2_rm1;
    return b_s_rm1;
}
