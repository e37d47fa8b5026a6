/* builder.h: a small helper the solvers share to emit a plan. Every op it emits is applied to
 * the IR state machine (core/ir.h) as well, so a solver that emits an invalid plan fails at
 * once with MB_EINTERNAL naming the op, and the forward count and peak it declares are the
 * machine's (solvers/ internal). */
#ifndef MB_SOLVERS_BUILDER_H
#define MB_SOLVERS_BUILDER_H

#include <stdint.h>

#include "core/plan.h"
#include "core/ir.h"

typedef struct {
    mb_plan *plan;
    mb_ir ir;     /* the state the plan so far leaves behind */
    int rc;       /* first error; later calls do nothing */
} mb_builder;

/* Starts a plan for p named `solver`: store {h_0}, core h_0. */
int mb_builder_init(mb_builder *b, const char *solver, const mb_problem *p);

/* Restores h_from (from the level that holds it) unless the core holds it, then runs
 * forward from+1 .. to. */
void mb_builder_forward(mb_builder *b, int64_t from, int64_t to);

void mb_builder_store_hidden(mb_builder *b, int64_t k);
void mb_builder_store_internal(mb_builder *b, int64_t k);

/* Stores h_k (internal = 0) or s_k (internal = 1) on storage level `level`. */
void mb_builder_store_at(mb_builder *b, int64_t k, int internal, int level);

/* Backward k; when s_k is only on the slow store it is read into the core first. */
void mb_builder_backward(mb_builder *b, int64_t k);

/* Frees step k from the level that holds it. */
void mb_builder_free(mb_builder *b, int64_t k);

/* Frees step k unless it already left the store (a child that owned it freed it early). */
void mb_builder_release(mb_builder *b, int64_t k);

/* Declares forward_ops and peak and hands the plan over (*out), or frees it and returns the
 * first error. A plan that does not end with every backward op done is MB_EINTERNAL. */
int mb_builder_finish(mb_builder *b, mb_plan **out /* out */);

/* Emits, into b, the ops of the subproblem of n steps from h_s under row `which` of a
 * one-level DP table (solvers/dp.c; rows as in mb_dp_table_costs). */
struct mb_dp_table;
void mb_dp_table_emit(const struct mb_dp_table *t, int which, mb_builder *b, int64_t s,
                      int64_t n);

#endif
