/* sim.h: the analytic simulator: replays any plan against the plan IR, proves it valid or
 * names its first bad op, counts what it does, and predicts its time under a cost model. */
#ifndef MB_SIM_SIM_H
#define MB_SIM_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "core/plan.h"
#include "core/report.h"

/* What a replay found. Counts cover the ops replayed, up to the first violation. */
typedef struct {
    int valid;             /* 1 when every op met its precondition and the plan ended at g = 0 */
    size_t bad_op;         /* index of the first bad op (n_ops when the end was bad) */
    char reason[256];      /* the first violation, in words; "" when valid */
    int64_t forward_ops;   /* the plan's cost */
    int64_t recompute_ops; /* forward ops of a step already forwarded once (forward_ops - t
                            * for a valid plan): the recomputation */
    int64_t backward_ops;
    int64_t store_ops;     /* store_hidden + store_internal */
    int64_t restore_ops;
    int64_t free_ops;
    int64_t peak;          /* largest store size, units, h_0 included */
    int64_t copied_units;  /* units copied into and out of the store */
    int64_t slow_peak;     /* largest slow-store (level 1) size, units */
    int64_t slow_writes, slow_reads;             /* stores to / restores from level 1 */
    int64_t slow_written_units, slow_read_units; /* their units */
    int64_t final_cursor;  /* g after the last op replayed */
} mb_sim_report;

/* Replays `plan` against its own problem (steps, sizes, budget) through the IR state machine
 * (core/ir.h). Returns MB_OK whether or not the plan is valid (see report->valid); MB_ENOMEM
 * when it cannot allocate, MB_EINVAL when the plan's problem is not a problem (steps < 1,
 * a_s < a_h, ...), MB_ERANGE when copied_units would overflow 64 bits. Declared
 * forward_ops and peak, when present (>= 0), must match the replay, or the plan is invalid. */
int mb_sim_replay(const mb_plan *plan, mb_sim_report *report /* out */);

/* Per-op costs of the analytic time model (docs/design.md, "Cost model"). */
typedef struct {
    double forward;  /* per first forward of a step, c_f (default 1) */
    double backward; /* per backward op, c_b (default 2) */
    double copy;     /* per unit copied into or out of memory's store, c_copy (default 0) */
    double write;    /* per unit written to the slow store (default 0) */
    double read;     /* per unit read from the slow store (default 0) */
    double write_latency; /* per write to the slow store (default 0) */
    double read_latency;  /* per read from the slow store (default 0) */
    double recompute; /* per recompute forward, c_r; NAN (the default) means c_r = c_f */
} mb_cost_model;

/* c_r of model m: m->recompute, or m->forward when it is NAN. */
double mb_cost_recompute(const mb_cost_model *m);


/* The defaults of docs/design.md: c_f = 1, c_b = 2, every copy and transfer free. */
mb_cost_model mb_cost_model_default(void);

/* The time of one transfer of `units` to (write = 1) or from (write = 0) the slow store. */
double mb_cost_transfer(const mb_cost_model *m, int write, int64_t units);

/* Predicted time = forward_ops*c_f + backward_ops*c_b + copied_units*c_copy
 *   + slow_writes*w_lat + slow_written_units*w + slow_reads*r_lat + slow_read_units*r. */
double mb_sim_predict(const mb_sim_report *r, const mb_cost_model *m);

/* The time of full BPTT for p's steps and sizes under model m: the canonical full plan
 * (mb_plan_full), replayed and predicted, stores and frees included. The one reference of
 * every "vs full" ratio, predicted or measured (docs/design.md, "Cost model"). */
int mb_sim_full_time(const mb_problem *p, const mb_cost_model *m, double *out /* out */);

/* Appends the cost model's columns: cost_forward, cost_backward, cost_copy. */
void mb_cost_model_record(mb_record *r, const mb_cost_model *m);

/* Appends the slow level's costs of model m: cost_write, cost_read, cost_write_latency,
 * cost_read_latency. Nothing when p has no slow level, so one-level records keep their
 * columns. */
void mb_cost_model_record_slow(mb_record *r, const mb_problem *p, const mb_cost_model *m);

/* Appends a simulation report's columns: valid, store_ops, restore_ops, copied_units,
 * predicted_time, predicted_time_vs_full (the predicted time over full_time, which
 * mb_sim_full_time gives), hsm_bound (the paper's bound at p's budget when `hsm_bound` is set,
 * for solvers it bounds, else empty). With rep NULL (no plan) every column but hsm_bound is
 * empty. */
void mb_sim_record(mb_record *r, const mb_problem *p, const mb_sim_report *rep,
                   const mb_cost_model *m, double full_time, int hsm_bound);

/* Appends the recompute columns of `simulate`: recompute_ops (of rep; empty when rep is NULL)
 * and cost_recompute (m's c_r, c_f when unset). */
void mb_sim_record_recompute(mb_record *r, const mb_sim_report *rep, const mb_cost_model *m);

/* Appends the slow level's columns of a replay of a plan for p (slow_budget_units, slow_peak_units,
 * slow_writes, slow_reads, slow_written_units, slow_read_units, and the same in bytes when
 * the unit's bytes are known) to r. Nothing when p has no slow level, so one-level records
 * keep their columns. */
void mb_sim_record_slow(mb_record *r, const mb_problem *p, const mb_sim_report *rep);

/* The same columns whatever p's slow level (slow_budget_units 0 without one), for tables whose
 * rows must all have them (a sweep with a slow level in some section); with p NULL (a header)
 * or rep NULL (no plan) the values are empty (slow_budget_units is p's when p is given). */
void mb_sim_record_slow_columns(mb_record *r, const mb_problem *p, const mb_sim_report *rep);

/* Appends the columns of a replay of `plan` (rep, from mb_sim_replay), what `membptt verify`
 * reports: budget_units (the budget the plan declares, which the replay checked), valid, ops,
 * forward_ops, backward_ops, peak_units, cost_per_step, copied_units, the slow level's columns
 * (mb_sim_record_slow) and first_violation (rep's reason; empty for a valid plan). */
void mb_sim_record_replay(mb_record *r, const mb_plan *plan, const mb_sim_report *rep);

/* The store-costs file (`membptt calibrate-store --out FILE`, read by --store-costs): the
 * time model in seconds, with the slow store's costs per byte, one "key value" line each
 * after the line "membptt-store-costs 1":
 *   forward_s, backward_s            seconds per forward / backward op of the cell
 *   write_latency_s, write_s_per_byte   seconds per write, and per byte written
 *   read_latency_s, read_s_per_byte     seconds per read, and per byte read
 * mb_cost_model_save writes m so (its write and read fields per byte); it goes through a
 * temporary name and a rename. */
int mb_cost_model_save(const char *path, const mb_cost_model *m);

/* Reads a store-costs file into *m in units of `unit_bytes` bytes (write and read per unit;
 * copy 0). Every key is required, once, with a finite value >= 0; anything else is MB_EINVAL
 * naming the file, the line and what is allowed. */
int mb_cost_model_load(const char *path, int64_t unit_bytes, mb_cost_model *m /* out */);

/* The paper's HSM upper bound m * t^(1 + 1/m), m = hidden slots (h_0 included). */
double mb_sim_hsm_bound(int64_t t, int64_t slots);

#endif
