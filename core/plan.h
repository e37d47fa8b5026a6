/* plan.h: the plan IR, the one interface between the solvers and everything that runs a plan,
 * and its stable JSON file format ("membptt-plan", version 1). */
#ifndef MB_CORE_PLAN_H
#define MB_CORE_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/problem.h"

#define MB_PLAN_FORMAT "membptt-plan"
/* The version written for plans with a slow level (levels on ops); plans without one are
 * still written as version 1, and both versions are read (docs/design.md, "Plan files"). */
#define MB_PLAN_VERSION 2
#define MB_PLAN_VERSION_ONE_LEVEL 1

/* The most ops a plan may hold (2 GiB of ops): longer plans are refused, not swapped. */
#define MB_PLAN_MAX_OPS ((size_t)1 << 28)

/* The six ops (docs/design.md, "The plan IR"). State: the core (h_j, plus s_j right after
 * `forward j`), the store (at most one checkpoint per step: h_k of a_h units or s_k of a_s
 * units), and the gradient cursor g, which starts at t. The store starts holding h_0.
 *   forward k        core holds h_{k-1}, k <= g        -> core holds h_k and s_k (cost 1)
 *   store_hidden k   core holds h_k, step k not stored -> h_k joins the store
 *   store_internal k core holds s_k, step k not stored -> s_k joins the store
 *   restore k        step k is stored (h_k or s_k)     -> core holds h_k only
 *   backward k       g == k, s_k in core or store      -> g = k-1 (core unchanged)
 *   free k           step k is stored                  -> it leaves the store
 * A valid plan ends with g == 0 and never holds more than the budget in the store. */
typedef enum {
    MB_OP_FORWARD = 0,
    MB_OP_STORE_HIDDEN = 1,
    MB_OP_STORE_INTERNAL = 2,
    MB_OP_RESTORE = 3,
    MB_OP_BACKWARD = 4,
    MB_OP_FREE = 5,
} mb_op_kind;

#define MB_OP_KIND_COUNT 6

/* The storage levels (docs/design.md, "Two storage levels"): memory and the slow store. */
enum { MB_LEVEL_MEMORY = 0, MB_LEVEL_SLOW = 1, MB_LEVEL_COUNT = 2 };

/* One op: 8 bytes, so a plan of C forward ops takes about 8*(C + 4t) bytes. `level` is the
 * storage level of store, restore and free ops, and 0 on forward and backward. */
typedef struct {
    int32_t step;
    uint8_t kind;  /* mb_op_kind */
    uint8_t level; /* MB_LEVEL_MEMORY or MB_LEVEL_SLOW */
} mb_op;

/* 1 when ops of this kind carry a level (store_hidden, store_internal, restore, free). */
int mb_op_has_level(int kind);

/* A plan with the problem it answers and what its solver declares about it. The simulator
 * checks the declarations; nothing else trusts them. */
typedef struct {
    char solver[32];
    mb_problem problem;  /* steps, sizes in units, unit_bytes, budget */
    int64_t forward_ops; /* declared by the solver */
    int64_t peak;        /* declared by the solver, units */
    size_t n_ops;
    size_t cap;
    mb_op *ops;
} mb_plan;

/* The name of an op kind ("store_hidden"), or NULL for an invalid kind. */
const char *mb_op_name(int kind);

/* Looks an op name up; MB_EINVAL naming the six valid names when unknown. */
int mb_op_from_name(const char *name, mb_op_kind *kind /* out */);

/* A new empty plan for problem `p` (copied), made by `solver`. NULL when out of memory.
 * `reserve` ops are allocated up front (0 is fine). The caller owns it: mb_plan_free. */
mb_plan *mb_plan_alloc(const char *solver, const mb_problem *p, size_t reserve);

/* Frees a plan and its ops. NULL is a no-op. */
void mb_plan_free(mb_plan *plan);

/* Refuses, before anything is built, a plan of `ops` ops (its closed-form count; a lower
 * bound when `at_least` is set) over MB_PLAN_MAX_OPS: MB_ERANGE naming the solver, t, the
 * count and the limit. MB_OK when it fits. */
int mb_plan_check_size(const char *solver, int64_t steps, uint64_t ops, int at_least);

/* Appends an op, growing the array geometrically. MB_ERANGE past MB_PLAN_MAX_OPS ops,
 * MB_ENOMEM when it cannot grow. */
int mb_plan_push(mb_plan *plan, mb_op_kind kind, int64_t step);

/* The canonical full-BPTT plan for p's steps and sizes: forward 1..t storing s_1..s_{t-1}
 * (s_t stays in the core), then backward t..1, freeing each s_k after its backward. Its cost
 * is t and its peak a_h + a_s*(t-1) (mb_problem_full_units), which is also the plan's budget
 * whatever p->budget says. The `full` solver, the executor's baseline and the simulator's
 * reference time ("vs full") all use this one plan. MB_ERANGE past MB_PLAN_MAX_OPS or when
 * the memory overflows, MB_ENOMEM; the caller frees *out. */
int mb_plan_full(const mb_problem *p, mb_plan **out /* out */);

/* The number of ops of mb_plan_full's plan for t steps: 4t - 2. */
uint64_t mb_plan_full_ops(int64_t steps);

/* mb_plan_push with a storage level (0 or 1) on a store, restore or free op. */
int mb_plan_push_at(mb_plan *plan, mb_op_kind kind, int64_t step, int level);

/* Writes the plan file to `f` (one JSON object, one op per line): version 1 for a plan
 * without a slow level, else version 2 with "slow_budget" and a level on every store,
 * restore and free op. MB_EIO on a write error. */
int mb_plan_write_json(const mb_plan *plan, FILE *f);

/* Writes the plan file to `path` through a temporary name and a rename, so a failed or
 * interrupted write leaves no partial file. */
int mb_plan_save(const mb_plan *plan, const char *path);

/* The largest plan file read: 64 bytes for each of MB_PLAN_MAX_OPS ops (16 GiB). The
 * writer uses at most 35 bytes an op; the margin is for other writers' white space. Longer
 * input is refused as soon as it passes the limit. */
#define MB_PLAN_MAX_BYTES ((uint64_t)64 * MB_PLAN_MAX_OPS)

/* Reads a plan file from memory. The text is strict JSON (RFC 8259: UTF-8 validated, no
 * duplicate keys at any depth, nothing after the top-level object) holding one object with
 * the keys of format membptt-plan version 1 or 2; unknown keys are ignored whatever their
 * value. Version 2 adds "slow_budget" (units, or "unlimited"; absent = 0) and an optional
 * third element, the level 0 or 1, on store, restore and free ops; a version-1 file reads
 * as level 0 throughout and may carry neither.
 * Structure errors (not JSON, wrong format or version, a missing or duplicate key, a value of
 * the wrong type, an unknown op) are MB_EPARSE with the byte offset; whether the ops form a
 * valid plan is left to the simulator. On success *out is a new plan the caller frees. */
int mb_plan_read_json(const char *text, size_t len, mb_plan **out /* out */);

/* Reads a plan file from a stream in chunks (memory stays flat but for the ops), refusing it
 * as soon as it is malformed or passes MB_PLAN_MAX_BYTES. Read errors are MB_EIO. */
int mb_plan_read_stream(FILE *f, const char *name, mb_plan **out /* out */);

/* Reads the plan file at `path` ("-" is standard input). A path that cannot be opened or is
 * a directory is MB_EINVAL (bad input), a read error MB_EIO; both name the path. */
int mb_plan_load(const char *path, mb_plan **out /* out */);

#endif
