/* twolevel.h: what the two-level solvers share, msm2 (solvers/twolevel.c) with H-Revolve and
 * Disk-Revolve (solvers/hrevolve.c): the costs of one problem in the time unit of the cost
 * model, the check of a plan's time against its table, and their smallest budget. */
#ifndef MB_SOLVERS_TWOLEVEL_H
#define MB_SOLVERS_TWOLEVEL_H

#include "core/problem.h"
#include "solvers/builder.h"
#include "solvers/solvers.h"

/* A forward op (f), writing a hidden or internal state to the slow store (wh, ws) and reading
 * one back (rh, rs), latencies included, in the time unit of o->cost (c_f = 1 and free
 * transfers without one). */
typedef struct {
    double f, wh, ws, rh, rs;
} mb_tl_costs;

mb_tl_costs mb_twolevel_costs(const mb_problem *p, const mb_solve_options *o);

/* Checks that the time of the plan emitted so far (what the builder's IR state machine
 * counted: forwards and the slow store's transfers) is the table's, `want`: a disagreement is
 * a bug, never a result (MB_EINTERNAL). Returns b->rc when the build already failed. */
int mb_twolevel_check_time(mb_builder *b, const mb_solve_options *o, double want);

/* The smallest budget of every two-level solver: h_0 alone, in memory. */
int mb_twolevel_min_budget(const mb_problem *p, int64_t *out /* out */);

#endif
