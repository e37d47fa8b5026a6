/* solvers.h: the registry of policy solvers. Each turns a problem into a plan of the plan IR;
 * nothing here knows of BLAS, counters or how a plan is run. */
#ifndef MB_SOLVERS_SOLVERS_H
#define MB_SOLVERS_SOLVERS_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "core/plan.h"
#include "core/problem.h"

/* How the dynamic programs compute their table. All give identical tables and plans; the
 * textbook one is kept as the oracle of the others (docs/design.md, "The fast DP
 * (exactness)"). */
typedef enum {
    MB_DP_FAST = 0,     /* windows from increment envelopes, rise lists, bounded halving */
    MB_DP_TEXTBOOK = 1, /* every split of every entry: O(t^2 * budgets) */
    MB_DP_BNB = 2,      /* the earlier branch and bound over y-intervals, kept as a baseline */
} mb_dp_method;

/* The time the two-level solvers minimise (docs/design.md, "Two-level solvers"), in one time
 * unit: per forward op, and per transfer of the slow store (a latency plus a cost per unit of
 * state). Backward ops (t in every plan) and memory copies are left out. */
typedef struct {
    double forward;                     /* c_f */
    double write, read;                 /* per unit written to / read from the slow store */
    double write_latency, read_latency; /* per write / read */
} mb_time_costs;

/* Options shared by all solvers. Zero-initialise, then set what you need. */
typedef struct {
    mb_dp_method dp_method;
    int64_t max_table_bytes; /* refuse DP tables larger than this; 0 means 8 GiB */
    FILE *progress; /* NULL: silent; else long DP solves say their table size and progress */
    const mb_time_costs *cost; /* what the two-level solvers minimise; NULL: c_f = 1 and
                                  free transfers */
} mb_solve_options;

/* What a solver's table entry says about it (mb_solver_type.flags). */
enum {
    MB_SOLVER_HSM_BOUND = 1, /* its cost is within the paper's bound m*t^(1+1/m) (hsm_bound) */
    MB_SOLVER_MONOTONE = 2,  /* its cost never grows with the budget (a sweep may bisect on it) */
    MB_SOLVER_DP = 4,        /* it fills a DP table: mb_solve_options' dp_method and
                              * max_table_bytes apply */
    MB_SOLVER_TWO_LEVEL = 8, /* it plans over memory and a slow store and minimises predicted
                                time (compare lists it only beside a slow store) */
};

/* A solver: a const table entry (GSL's gsl_root_fsolver_type), the single source of every fact
 * about it; the registry (solvers/registry.c) lists the entries, and nothing outside it
 * compares solver names. `min_budget` gives the smallest budget in units at which `build`
 * succeeds; `build` is only called by mb_solve, with a budget >= that and after the limits
 * (plan_ops against MB_PLAN_MAX_OPS) passed, and returns a plan with forward_ops and peak
 * declared. Adding a solver: docs/design.md, "Adding a solver". */
typedef struct {
    const char *name;      /* the string configs, CSV rows and --solver use */
    const char *summary;   /* one line for --help */
    const char *tie_break; /* how the same inputs always give the same plan */
    int (*min_budget)(const mb_problem *p, int64_t *out /* out */);
    int (*build)(const mb_problem *p, const mb_solve_options *o, mb_plan **out /* out */);
    /* The number of ops of the plan `build` returns for p, in closed form and cheap (exact
     * when *exact is set, else a lower bound), or NULL when there is none (the DPs, which
     * bound their table instead). */
    int (*plan_ops)(const mb_problem *p, uint64_t *ops /* out */, int *exact /* out */);
    /* For the DPs: the limits `build` applies to its table (steps, budget units,
     * max_table_bytes), checked without filling it; *bytes gets the table's size. NULL for
     * a solver without a table. */
    int (*table_check)(const mb_problem *p, const mb_solve_options *o, double *bytes /* out */);
    unsigned flags;        /* MB_SOLVER_* */
} mb_solver_type;

extern const mb_solver_type mb_solver_full;
extern const mb_solver_type mb_solver_sqrt;
extern const mb_solver_type mb_solver_chen;
extern const mb_solver_type mb_solver_revolve;
extern const mb_solver_type mb_solver_hsm;
extern const mb_solver_type mb_solver_ism;
extern const mb_solver_type mb_solver_msm;
extern const mb_solver_type mb_solver_msm_free;
extern const mb_solver_type mb_solver_msm2;
extern const mb_solver_type mb_solver_hrevolve;
extern const mb_solver_type mb_solver_disk_revolve;

/* All solvers in registry order; *count gets their number. */
const mb_solver_type *const *mb_solver_all(size_t *count /* out */);

/* The solver called `name`, or NULL. */
const mb_solver_type *mb_solver_lookup(const char *name);

/* A comma-separated list of the solver names in registry order, made from the table, for
 * error messages and --help. */
const char *mb_solver_names(void);

/* The answer of one solve. */
typedef struct {
    int feasible;         /* 1 when the budget admits a plan */
    int64_t min_budget;   /* the smallest feasible budget, units */
    mb_plan *plan;        /* NULL when infeasible; owned by the caller (mb_plan_free) */
    double solve_seconds; /* wall time of min_budget + build */
} mb_solution;

/* Appends the columns of an answer to p: budget, feasible, min_budget, forward_ops,
 * backward_ops, peak, cost_per_step, memory_fraction (budget over full-BPTT memory),
 * peak_fraction. A budget < 0 (a search that found none) and a min_budget < 0 (a plan file:
 * no solver was asked) are empty; the plan's columns are empty when s is infeasible. */
void mb_solution_record(mb_record *r, const mb_problem *p, const mb_solution *s);

/* Appends solve_seconds, which varies from run to run (sweeps keep it out of their rows). */
void mb_solution_record_time(mb_record *r, const mb_solution *s);

/* Checks the problem, then solves it: the smallest budget, the limits (a plan over
 * MB_PLAN_MAX_OPS by the solver's closed-form count is MB_ERANGE before anything is built),
 * then the build. An infeasible budget is a normal answer (MB_OK with feasible = 0 and
 * min_budget set), not an error. */
int mb_solve(const mb_solver_type *type, const mb_problem *p, const mb_solve_options *o,
             mb_solution *out /* out */);

/* Applies the limits a solve of p would hit, without solving: the plan's op count for the
 * fixed policies (plan_ops), the table size for the dynamic programs (table_check). MB_OK when the solve
 * would not be refused for its size (an infeasible budget is not refused: it is an answer);
 * else the error the solve would raise. *table_bytes (may be NULL) gets the DP table's size,
 * 0 for a solver without a table. For preflight checks (`membptt sweep --dry-run`). */
int mb_solve_check(const mb_solver_type *type, const mb_problem *p, const mb_solve_options *o,
                   double *table_bytes /* out, may be NULL */);

/* --- Closed forms (Griewank & Walther 2000), used by revolve and by the tests. --- */

/* beta(s, r) = C(s+r, s), saturating at INT64_MAX. */
int64_t mb_binomial_beta(int64_t s, int64_t r);

/* The least r with beta(s, r) >= l (the repetition number), for l >= 1, s >= 1. */
int64_t mb_binomial_reps(int64_t l, int64_t s);

/* Revolve's minimal number of advances n(l, s) = r*l - beta(s+1, r-1), n(1, s) = 0. */
int64_t mb_binomial_advances(int64_t l, int64_t s);

/* Revolve's first advance for l steps and s snapshots (GW2000, bottom of p. 34), l >= 2,
 * s >= 2: how many steps to run before taking the next snapshot. */
int64_t mb_binomial_split(int64_t l, int64_t s);

/* --- Plan sizes (the table's plan_ops). --- */

/* The number of ops of the plan `type` builds for p (its plan_ops): *exact = 1 when exact,
 * 0 for a lower bound. MB_EINVAL for a solver without a closed form. */
int mb_solver_plan_ops(const mb_solver_type *type, const mb_problem *p, uint64_t *ops /* out */,
                       int *exact /* out */);

/* MB_ERANGE (naming the count and the limit) when that plan would exceed MB_PLAN_MAX_OPS;
 * MB_OK for a solver without a closed form. mb_solve calls it before `build`. */
int mb_solver_check_ops(const mb_solver_type *type, const mb_problem *p);

/* sqrt's segment length: the least k with k*k >= t. */
int64_t mb_sqrt_segment(int64_t t);

/* --- The dynamic programs, exposed for the benchmark and the tests. --- */

/* Which moves a DP may use: HSM = hidden, ISM = internal, MSM = both, msm-free = all three. */
enum {
    MB_MOVE_HIDDEN = 1,     /* store h_y */
    MB_MOVE_INTERNAL = 2,   /* store s_y */
    MB_MOVE_FREE_START = 4, /* free an owned start state once s_{s+1} is stored (msm-free) */
};

/* Solves the DP with the given moves and builds its plan (named `name`). */
int mb_dp_build(const char *name, int moves, const mb_problem *p, const mb_solve_options *o,
                mb_plan **out /* out */);

/* A solved DP table kept for the two-level solvers, which use the one-level optimum of the
 * subproblems that live in memory (solvers/twolevel.c). Rows are named by `which`: 0 the top
 * (the problem's budget), 1 its hidden child (budget - a_h), 2 its internal child
 * (budget - a_s); a child the moves or the budget do not allow has no row. */
typedef struct mb_dp_table mb_dp_table;

/* Solves the DP with the given moves for p (as mb_dp_build) and keeps the table. */
int mb_dp_table_alloc(int moves, const mb_problem *p, const mb_solve_options *o,
                      mb_dp_table **out /* out */);

/* Frees a table. NULL is a no-op. */
void mb_dp_table_free(mb_dp_table *t);

/* The costs C(k, row's budget), k = 0..steps, of row `which`, or NULL when it has none. The
 * table owns them. */
const int64_t *mb_dp_table_costs(const mb_dp_table *t, int which);

/* --- The two-level solvers (solvers/twolevel.c, docs/design.md, "Two-level solvers"). --- */

/* msm2's dynamic program with the given moves (MB_MOVE_HIDDEN and/or MB_MOVE_INTERNAL, on
 * either level) and its plan, named `name`. *time_out (may be NULL) gets its predicted time
 * without the backward ops: c_f * forward ops + the slow store's transfers. */
int mb_twolevel_build(const char *name, int moves, const mb_problem *p,
                      const mb_solve_options *o, mb_plan **out /* out */,
                      double *time_out /* out */);

/* H-Revolve (disk = 0) or Disk-Revolve (disk = 1) and its plan, with *time_out as above. */
int mb_hrevolve_build(const char *name, int disk, const mb_problem *p,
                      const mb_solve_options *o, mb_plan **out /* out */,
                      double *time_out /* out */);

/* Checks, without filling anything, that the DP's table for p fits the limits (steps, budget
 * units, o->max_table_bytes): MB_ERANGE with the message the solve would give. *bytes (may be
 * NULL) gets the table's size. */
int mb_dp_check(int moves, const mb_problem *p, const mb_solve_options *o,
                double *bytes /* out, may be NULL */);

/* The DP's optimal costs without a plan, for tests and benchmarks: costs[k] = C(k, budget)
 * for k = 0..steps (the caller's array has steps+1 entries). *policy_hash, when not NULL,
 * gets a hash of the whole policy table, so two methods can be compared entry by entry. */
int mb_dp_cost(int moves, const mb_problem *p, const mb_solve_options *o,
               int64_t *costs /* out [steps+1] */, uint64_t *policy_hash /* out, may be NULL */);

#endif
