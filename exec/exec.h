/* exec.h: the real executor (docs/design.md, "The executor"): recurrent cells on OpenBLAS, a
 * checkpoint arena with a hard byte limit, and a plan runner that drives the plan IR's state
 * machine op by op before it touches memory.
 *
 * Two levels:
 *   - mb_net: one network (cell, sizes, seeded weights, inputs and targets) and its workspace;
 *     mb_net_run executes one plan once, leaves its gradients in the network
 *     (mb_net_grads) and returns per-phase measurements.
 *   - mb_exec_run: what `membptt run` and the sweeps call: a plan and full BPTT on the same
 *     network, interleaved after a warm-up, medians, their ratio, the predicted ratio and the
 *     gradient difference. */
#ifndef MB_EXEC_EXEC_H
#define MB_EXEC_EXEC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/plan.h"
#include "core/problem.h"
#include "core/report.h"
#include "sim/sim.h"

typedef enum { MB_CELL_LSTM = 0, MB_CELL_GRU = 1, MB_CELL_RNN = 2 } mb_cell_kind;

/* Element type of a network: float32 (runs, benchmarks, bitwise checks) or float64 (the
 * finite-difference gradient check). Both run the same cell code. */
typedef enum { MB_DTYPE_F32 = 0, MB_DTYPE_F64 = 1 } mb_dtype;

/* "lstm", "gru", "rnn"; NULL for an invalid kind. */
const char *mb_cell_name(mb_cell_kind cell);

/* Parses a cell name for option `key`; MB_EINVAL naming the text and the three names. */
int mb_cell_parse(const char *key, const char *text, mb_cell_kind *out /* out */);

/* What to run. Zero-initialise, then set the fields; mb_exec_config_default gives the
 * defaults (LSTM, seed 1, one BLAS thread, repeat 5, no pinning, no counters). */
typedef struct {
    mb_cell_kind cell;
    int64_t input;     /* I >= 1 */
    int64_t hidden;    /* H >= 1 */
    int64_t batch;     /* B >= 1 */
    int64_t steps;     /* T >= 1 */
    int64_t output;    /* O, outputs of the linear head; 0 means O = I */
    mb_dtype dtype;
    uint64_t seed;     /* gsl_rng mt19937 seed of weights, h_0, inputs and targets */
    int threads;       /* OpenBLAS threads, >= 1 */
    int repeat;        /* measured repetitions of mb_exec_run, >= 1 */
    int input_grads;   /* 1: the backward also computes dL/dx_k (off: training needs none) */
    int retry_contended; /* measure again, up to this many times, while a run is contended */
    int pin;           /* core to pin to, or -1 */
    const char *events;/* counter events (comma-separated) or NULL */
    const char *slow_dir; /* where a plan's slow store (level 1) lives as a file, or NULL */
    int slow_direct;      /* 1: open it with O_DIRECT (exec/slowstore.h) */
    const mb_cost_model *slow_costs; /* the slow store's costs in seconds, per byte
                                        (calibrate-store), for the prediction; NULL: what the
                                        run measures */
    FILE *progress; /* NULL: silent; else mb_exec_run says where it is (warm-up, each pair,
                       an ETA once a pair is timed), on one line when it is a terminal */
} mb_exec_config;

mb_exec_config mb_exec_config_default(void);

/* Checks a configuration (every size >= 1, products representable); messages name the field
 * as `--input` etc. MB_EINVAL or MB_ERANGE. */
int mb_exec_config_check(const mb_exec_config *c);

/* A cell's state sizes in bytes for configuration c (its dtype included):
 *   hidden_bytes: what a hidden checkpoint h_k holds (LSTM: h_k and c_k);
 *   internal_bytes: everything the backward step k needs (s_k, which contains h_k).
 * MB_ERANGE when they overflow. */
int mb_exec_state_bytes(const mb_exec_config *c, int64_t *hidden_bytes /* out */,
                        int64_t *internal_bytes /* out */);

/* The problem of configuration c: steps = T and sizes in units from the byte sizes
 * (mb_problem_set_bytes); budget left 0 for the caller (mb_parse_budget). */
int mb_exec_problem(const mb_exec_config *c, mb_problem *out /* out */);

/* Checks that `plan` is for configuration c (steps, unit sizes, unit bytes) and valid under
 * the plan IR, replaying it whole before anything runs. MB_EBADPLAN naming the mismatch or the
 * first bad op. */
int mb_exec_check_plan(const mb_exec_config *c, const mb_plan *plan);

/* ---------------------------------------------------------------------------------------- */

/* Phases of a run; every op's time goes to exactly one. Numbered as measure/'s phases, so
 * counters are read per phase with the same numbers. */
enum {
    MB_EXEC_FIRST = 0,     /* forward k run for the first time */
    MB_EXEC_RECOMPUTE = 1, /* forward k run again */
    MB_EXEC_BACKWARD = 2,  /* backward k (the head and loss of step k included) */
    MB_EXEC_COPY = 3,      /* store, restore and free */
    MB_EXEC_PHASES = 4
};

/* What a run's slow store did: transfers, their bytes, the peak of live bytes, and the wall
 * seconds of its writes (with their sync) and reads; and what reached a block device during
 * the plan run (mb_block_io's difference; -1 where the kernel does not say). */
typedef struct {
    int64_t writes, reads, written_bytes, read_bytes, peak_bytes;
    double write_s, read_s;
    int64_t device_read_bytes, device_written_bytes;
} mb_slow_counts;

/* What one execution of a plan measured. */
typedef struct {
    int64_t forward_ops, recompute_ops, backward_ops, store_ops, restore_ops, free_ops;
    int64_t copied_bytes;     /* bytes copied into and out of the store */
    int64_t arena_bytes;      /* the arena's hard limit: the plan's peak in bytes (never more
                               * than its budget) */
    int64_t peak_store_bytes; /* largest arena use, h_0 included */
    int64_t workspace_bytes;  /* the core workspace (allocated once per network) */
    int64_t projected_steps;  /* steps whose input projection the run computed (whole aligned
                               * blocks; cached blocks are not counted again) */
    int64_t compactions;      /* times the arena slid its blocks together */
    int64_t compacted_bytes;
    /* The store's pages (arena or straight store) and how many were resident when the timed
     * part began (mincore); -1 when unknown. Equal when the store was touched before timing. */
    int64_t store_pages, store_resident_pages;
    double wall[MB_EXEC_PHASES]; /* seconds per phase, from the monotonic clock */
    double wall_total;
    double cpu_total;            /* the calling thread's CPU seconds, read once per run */
    double loss; /* sum over steps of 0.5*||W_y h_k - y_k||^2 (in double) */
    mb_slow_counts slow; /* the slow store (all 0 without one) */
} mb_exec_stats;

typedef struct mb_net mb_net;

/* The two sides of a comparison; each has its own arena in a network. */
enum { MB_EXEC_SIDE_PLAN = 0, MB_EXEC_SIDE_FULL = 1, MB_EXEC_SIDES = 2 };

/* Options of one execution. Zero-initialise. */
typedef struct {
    int64_t arena_limit_bytes; /* 0: the plan's budget in bytes; > 0: this limit (tests) */
    int side;                  /* whose arena: MB_EXEC_SIDE_PLAN (0) or MB_EXEC_SIDE_FULL */
    int no_timing;             /* 1: no clock at phase changes (whole-run times only) */
    int verified;              /* 1: the caller has replayed the plan and found it valid
                                * (mb_exec_run does, once): no whole-plan replay first */
    void (*phase_hook)(void *ctx, int phase_from, int phase_to); /* counters, or NULL */
    void *hook_ctx;
    const char *slow_dir;      /* the slow store's directory (plans that write to level 1) */
    int slow_direct;           /* open the slow store's file with O_DIRECT */
} mb_run_options;

/* A network for configuration c (weights, h_0, inputs, targets from the seeded rng), with
 * its workspace. Sets the OpenBLAS thread count. */
int mb_net_create(const mb_exec_config *c, mb_net **out /* out */);
void mb_net_free(mb_net *net);

/* Executes `plan` once: replays it whole through the IR state machine unless o->verified
 * (an invalid plan is refused before anything runs), zeroes the gradients, applies every op
 * to the IR state machine before it runs it, and takes every checkpoint from one arena whose
 * limit is the plan's budget in bytes (MB_EINTERNAL if a request passes it). The arena
 * belongs to the network (one per side, o->side): it is allocated and its pages touched on
 * the first run, and reused by later runs with the same limit, so no timed run pays its page
 * faults. The plan must be for the network's sizes (MB_EBADPLAN otherwise, before anything
 * runs). */
int mb_net_run(mb_net *net, const mb_plan *plan, const mb_run_options *o,
               mb_exec_stats *stats /* out */);

/* Full BPTT as a straight-line hand-written loop over the same kernels: every s_k in one
 * array (the network's, allocated and touched on the first call, reused after), no plan, no
 * arena. The overhead baseline and a second oracle. */
int mb_net_run_straight(mb_net *net, mb_exec_stats *stats /* out */);

/* The loss of one forward pass from h_0 (no gradients), in double. */
int mb_net_loss(mb_net *net, double *loss /* out */);

/* The parameters and gradients: one contiguous array each, n elements of the network's dtype
 * (float or double), in the order W_x, W_h, biases, W_y. Gradients are those of the last run. */
void *mb_net_params(mb_net *net, size_t *n /* out */);
const void *mb_net_grads(const mb_net *net, size_t *n /* out */);

/* h_0 (LSTM: h_0 then c_0, batch-major) and dL/dh_0 of the last run; n elements each. */
void *mb_net_h0(mb_net *net, size_t *n /* out */);
const void *mb_net_dh0(const mb_net *net, size_t *n /* out */);

/* dL/dx of the last run (T*B*I elements) when input_grads is set, else NULL. */
const void *mb_net_dx(const mb_net *net, size_t *n /* out */);

/* Where each parameter block starts (element offsets into mb_net_params), for tests. */
typedef struct {
    size_t wx, wh, bias, wy, end;
} mb_net_layout;
mb_net_layout mb_net_param_layout(const mb_net *net);

/* ---------------------------------------------------------------------------------------- */

#define MB_EXEC_MAX_EVENTS 32

/* What mb_exec_run measured over `repeat` interleaved pairs of runs (plan, then full BPTT),
 * after one warm-up of each. Every time is the spread (min, median, max) over the
 * repetitions; a ratio is that of the plan's run to full BPTT's run of the same pair. */
typedef struct {
    mb_cell_kind cell;
    int64_t hidden_bytes, internal_bytes, unit_bytes, budget_bytes;
    int64_t forward_ops, recompute_ops, backward_ops, copied_bytes;     /* the plan's */
    int64_t full_forward_ops, full_backward_ops, full_copied_bytes;     /* full BPTT's */
    int64_t peak_store_bytes, peak_store_full_bytes; /* the plan's and full BPTT's */
    int64_t workspace_bytes;
    int64_t projected_steps, projected_steps_full; /* input projections computed, in steps */
    int64_t peak_activation_bytes; /* peak store + core workspace */
    int64_t vmhwm_bytes, vmhwm_full_bytes; /* peak RSS during a plan run / a full run; -1 unknown */
    /* Each side's store pages, and the fewest of them resident when a timed run began (all,
     * when the store was touched before timing); -1 unknown. */
    int64_t store_pages, store_resident_pages, store_full_pages, store_full_resident_pages;
    int64_t compactions;
    mb_spread time_s, time_full_s, time_ratio; /* wall time of whole runs and their ratio */
    mb_spread cpu_s, cpu_full_s, cpu_ratio;    /* the same in the thread's CPU time */
    mb_spread wall[MB_EXEC_PHASES], wall_full[MB_EXEC_PHASES]; /* per phase (plan, full) */
    /* An order-statistics interval for the median time ratio (mb_median_interval at 95%):
     * [low, high] and the probability that it holds the median (below 0.95 when repeat < 6). */
    mb_interval time_ratio_ci;
    /* Contention: the lowest thread-CPU / wall ratio of any run of each side; a run that got
     * less than MB_EXEC_CONTENDED of its core was shared with other work. */
    double cpu_wall_min, cpu_wall_full_min;
    int contended; /* some run of either side was below MB_EXEC_CONTENDED */
    int attempts;  /* measurements made: 1 + the retries that contention caused */
    double cost_forward_s, cost_recompute_s, cost_backward_s, cost_copy_s_per_byte; /* per op */
    double predicted_time_ratio; /* sim's cost model with the costs above */
    mb_slow_counts slow; /* the slow store in the last plan run (0 without one) */
    double grad_max_abs_diff;    /* plan vs full BPTT, all gradients and dL/dh_0 */
    int grad_bitwise_equal;
    double loss;
    /* Counters per event, side and phase (first forward, recompute, backward, copy), read in
     * one counted run of each side after the timed ones: -1 where nothing was counted. */
    int n_events;
    char event_name[MB_EXEC_MAX_EVENTS][128];
    char event_notice[MB_EXEC_MAX_EVENTS][640]; /* as long as measure/ writes them */
    char event_source[MB_EXEC_MAX_EVENTS][24];  /* "papi", "perf_event_open"...; "" if none */
    int64_t event_value[MB_EXEC_MAX_EVENTS][MB_EXEC_PHASES];      /* the plan's run */
    int64_t event_value_full[MB_EXEC_MAX_EVENTS][MB_EXEC_PHASES]; /* full BPTT's run */
    int event_available[MB_EXEC_MAX_EVENTS];
} mb_exec_result;

/* Appends the slow store's columns of a run of a plan for p (slow_dir, slow_mode, slow_writes,
 * slow_reads, slow_written_bytes, slow_read_bytes, slow_peak_bytes, slow_write_s,
 * slow_read_s); nothing when p has no slow level, so one-level records keep their columns. */
void mb_exec_record_slow(mb_record *r, const mb_exec_config *c, const mb_problem *p,
                         const mb_exec_result *res);

/* Below this thread-CPU / wall ratio a run did not have its core to itself. */
#define MB_EXEC_CONTENDED 0.9

/* Runs `plan` and full BPTT on configuration c: checks the plan (mb_exec_check_plan), one
 * warm-up of each, then c->repeat interleaved pairs; fills *out with medians. Full BPTT is the
 * baseline and runs with an arena of its own size whatever the plan's budget. */
int mb_exec_run(const mb_exec_config *c, const mb_plan *plan, mb_exec_result *out /* out */);

/* Appends an execution's columns (docs/design.md, "The executor"), the same in `membptt run`
 * and in the sweeps' measured rows: the network (cell, input, hidden, batch, output, threads,
 * repeat, seed), then what res measured: state and budget bytes, recompute_ops, peak store
 * bytes (plan and full BPTT), store_saved, workspace and peak activation bytes, peak RSS,
 * arena_compactions, the medians of wall and CPU time with their ratios, the predicted ratio,
 * wall and CPU time per phase (plan, then full BPTT, which has no recompute phase), the per-op
 * costs, copied_bytes, the gradient difference and the loss. With res NULL (nothing ran) every
 * column is empty. The steps, solver, budget in units and op counts are the problem's and
 * the solution's columns. */
void mb_exec_record(mb_record *r, const mb_exec_config *c, const mb_exec_result *res);

/* Appends the counter columns of the event list `events` (comma-separated, as in
 * mb_exec_config.events): "counters" (the list, empty without events), then NAME.first,
 * NAME.recompute and NAME.backward per event, empty where res is NULL or the event could not
 * be counted in that phase. */
void mb_exec_record_counters(mb_record *r, const char *events, const mb_exec_result *res);

#endif
