/* oracle2.h: a brute-force oracle for two storage levels, independent of the solvers: every
 * plan of msm2's class (docs/design.md, "Two-level solvers") for tiny t, each replayed by its
 * own two-level IR simulator, the cheapest within both budgets returned. */
#ifndef MB_TESTS_ORACLE2_H
#define MB_TESTS_ORACLE2_H

#include <stdint.h>

/* The largest t the enumeration accepts. */
#define MB_ORACLE2_MAX_STEPS 6

/* A tiny two-level problem with integer costs (so sums are exact). slow_budget < 0 means
 * unlimited. Costs: f per forward; a write of a hidden / internal state wh / ws, a read rh /
 * rs (latency and per-unit terms already added). `moves`: 1 hidden states, 2 internal
 * states, 3 both, on either level. */
typedef struct {
    int t;
    int64_t a_h, a_s, budget, slow_budget;
    int64_t f, wh, ws, rh, rs;
    int moves;
} mb_oracle2_problem;

/* The least f*forwards + slow transfers over every plan of the class that fits both budgets,
 * or -1 when none does, or -2 on bad arguments or out of memory. *plans (may be NULL) gets
 * the number of complete plans enumerated. */
int64_t mb_oracle2_optimum(const mb_oracle2_problem *p, int64_t *plans /* out */);

#endif
