/* ir.h: the plan IR as a state machine (docs/design.md, "The plan IR"), beside the IR's
 * vocabulary (core/plan.h). It is the one place the IR's rules live: the verifier
 * (mb_sim_replay), the solvers' plan builder and the real executor all apply ops to it, and the executor does so before it touches any memory, so an
 * invalid plan is refused op by op and can never corrupt a run.
 *
 * Every size and counter is checked arithmetic: a store that would pass the budget is a
 * violation even when the sizes are near INT64_MAX, and a counter that would overflow is an
 * MB_ERANGE error, never a wrapped number. */
#ifndef MB_CORE_IR_H
#define MB_CORE_IR_H

#include <stddef.h>
#include <stdint.h>

#include "core/plan.h"
#include "core/problem.h"

/* What the store holds of one step. */
typedef enum { MB_IR_NONE = 0, MB_IR_HIDDEN = 1, MB_IR_INTERNAL = 2 } mb_ir_slot;

/* The store map's byte per step: the mb_ir_slot, plus this bit when it is on level 1. */
#define MB_IR_SLOW_BIT 4

/* The machine: the core, the store and the gradient cursor, plus what it has counted.
 * Read its fields freely; change them only through the functions below. */
typedef struct {
    mb_problem problem;     /* steps, a_h, a_s, budget (units) */
    unsigned char *store;   /* [steps+1] of mb_ir_slot, | MB_IR_SLOW_BIT on level 1 */
    int64_t size;           /* units in memory (level 0) now, h_0 included */
    int64_t peak;           /* largest size so far */
    int64_t slow_size;      /* units on the slow store (level 1) now */
    int64_t slow_peak;      /* largest slow_size so far */
    int64_t core;           /* the step whose h the core holds */
    int core_internal;      /* 1 when the core also holds s_core (right after a forward) */
    int64_t g;              /* gradient cursor: dL/dh_g is ready; starts at t */
    size_t applied;         /* ops applied so far (the index of the next op) */
    int64_t forward_ops, backward_ops, store_ops, restore_ops, free_ops;
    int64_t copied_units;   /* units copied into memory (stores) and out of it (restores) */
    int64_t slow_writes, slow_reads;             /* stores to and restores from level 1 */
    int64_t slow_written_units, slow_read_units; /* their units */
    char reason[256];       /* the violation, in words, after MB_EBADPLAN; "" before */
} mb_ir;

/* Starts the machine for problem p: the store holds h_0, the core holds h_0, g = t.
 * MB_ENOMEM when the store map cannot be allocated; MB_EBADPLAN (reason set) when h_0 alone
 * exceeds the budget. On MB_EBADPLAN the machine is initialised and must be released. */
int mb_ir_init(mb_ir *m, const mb_problem *p);

/* Frees the store map. Safe on a zeroed machine. */
void mb_ir_release(mb_ir *m);

/* Applies one op. MB_OK, or MB_EBADPLAN with m->reason = "op I (KIND K): why" (the state is
 * then unchanged and the machine refuses every further op), or MB_ERANGE when a counter would
 * overflow. Also raises the error (mb_errmsg) with the same words. */
int mb_ir_apply(mb_ir *m, mb_op op);

/* Checks the end of a plan: g = 0 (all t backward ops done). MB_EBADPLAN with the reason
 * otherwise. */
int mb_ir_finish(mb_ir *m);

/* What the store holds of step k (0 <= k <= t), on either level. */
static inline mb_ir_slot mb_ir_stored(const mb_ir *m, int64_t k)
{
    return (mb_ir_slot)(m->store[k] & 3);
}

/* The level of step k's checkpoint (meaningful when mb_ir_stored(m, k) != MB_IR_NONE). */
static inline int mb_ir_stored_level(const mb_ir *m, int64_t k)
{
    return (m->store[k] & MB_IR_SLOW_BIT) ? 1 : 0;
}

#endif
