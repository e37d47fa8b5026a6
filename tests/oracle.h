/* oracle.h: brute-force test oracles, independent of the solvers, for the exact optimum over
 * all plans of the plan IR and for the optimum over the paper's policy class (small t only). */
#ifndef MB_TESTS_ORACLE_H
#define MB_TESTS_ORACLE_H

#include <stddef.h>
#include <stdint.h>

/* The largest t the IR search accepts (t = 8 is about 3.2M states, ~40 MB). */
#define MB_ORACLE_IR_MAX_STEPS 8
/* The largest t the policy enumeration accepts (t = 10 with both moves is ~4.3M trees,
 * a few seconds). */
#define MB_ORACLE_POLICY_MAX_STEPS 10

/* Return value for bad arguments (t out of range, a_h < 1, a_s < a_h, moves outside 0..3),
 * out of memory, or an internal inconsistency; distinct from -1 ("no plan fits"). */
#define MB_ORACLE_ERROR INT64_C(-2)

/* Op kinds, numbered as in core/plan.h (mb_op_kind) but defined here so the oracle needs
 * nothing from the code it checks. */
enum {
    MB_ORACLE_FORWARD = 0,
    MB_ORACLE_STORE_HIDDEN = 1,
    MB_ORACLE_STORE_INTERNAL = 2,
    MB_ORACLE_RESTORE = 3,
    MB_ORACLE_BACKWARD = 4,
    MB_ORACLE_FREE = 5,
};

/* One IR op. */
typedef struct {
    int32_t step;
    uint8_t kind; /* MB_ORACLE_* */
} mb_oracle_op;

/* Smallest number of forward ops over ALL valid plans of the plan IR whose store never
 * exceeds `budget` units, for t steps, hidden size a_h units, internal size a_s units
 * (a_s >= a_h >= 1). Returns -1 when no valid plan fits (in particular when budget < a_h,
 * since the store starts holding h_0). Exact: a 0-1 BFS over IR states (core position, core
 * internal flag, store as a base-3 vector over steps 0..t, gradient cursor) in which the
 * budget prunes transitions. Intended for t <= 7; MB_ORACLE_ERROR for t outside
 * 1..MB_ORACLE_IR_MAX_STEPS or bad sizes. */
int64_t mb_oracle_ir_optimum(int t, int64_t a_h, int64_t a_s, int64_t budget);

/* mb_oracle_ir_optimum for every budget 0..max_budget at once, into out[0..max_budget]. One
 * BFS per budget sharing one allocation; once a budget reaches the lower bound t, all larger
 * budgets are filled with t without searching. Returns 0, or MB_ORACLE_ERROR (then `out`
 * is unspecified). */
int64_t mb_oracle_ir_optimum_all(int t, int64_t a_h, int64_t a_s, int64_t max_budget,
                                 int64_t *out /* [max_budget + 1] */);

/* Like mb_oracle_ir_optimum, and also reconstructs one optimal plan: its ops go to
 * ops[0..min(cap, *n_ops)-1] and its full length to *n_ops (0 when no plan fits). Zero-cost
 * ops come in whatever order the search found them; the plan is valid, not tidy. */
int64_t mb_oracle_ir_plan(int t, int64_t a_h, int64_t a_s, int64_t budget, mb_oracle_op *ops,
                          size_t cap, size_t *n_ops /* out */);

/* Runs ops through the IR semantics from the start state (core h_0, store {h_0}, g = t).
 * Returns 0 when every precondition holds and the plan ends with g == 0, setting
 * *forward_ops and *peak (max store size, initial a_h included); -1 otherwise (the outputs
 * then describe the prefix before the failing op). Any t >= 1 up to 4096. */
int mb_oracle_ir_simulate(int t, int64_t a_h, int64_t a_s, const mb_oracle_op *ops,
                          size_t n_ops, int64_t *forward_ops /* out */,
                          int64_t *peak /* out */);

/* Smallest cost over the paper's policy class, by brute-force enumeration of every policy
 * tree (no DP over costs): each tree is walked into its op sequence, which runs through the
 * IR simulator, giving (forward ops, peak store); returns the min forward ops over trees with
 * peak <= budget, or -1. `moves` is a bit set: 1 = hidden-state split allowed, 2 =
 * internal-state split allowed (3 = MSM, 1 = HSM, 2 = ISM; the naive move is always
 * allowed). Intended for t <= 7; MB_ORACLE_ERROR for bad arguments. */
int64_t mb_oracle_policy_class(int t, int64_t a_h, int64_t a_s, int64_t budget, int moves);

/* mb_oracle_policy_class for every budget 0..max_budget from one enumeration, into
 * out[0..max_budget]. Returns 0 or MB_ORACLE_ERROR. */
int64_t mb_oracle_policy_class_all(int t, int64_t a_h, int64_t a_s, int64_t max_budget,
                                   int moves, int64_t *out /* [max_budget + 1] */);

/* The number of policy trees for t steps under `moves` (0 on bad arguments). */
uint64_t mb_oracle_policy_count(int t, int moves);

#endif
