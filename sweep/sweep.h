/* sweep.h: sweep configurations (INI files), the points of their cartesian product, the
 * records each point produces, and the runner that writes them to CSV with resume, shards
 * and (through a small communication interface) MPI ranks. docs/design.md, "Sweeps, records and figures". */
#ifndef MB_SWEEP_SWEEP_H
#define MB_SWEEP_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/csv.h"
#include "core/problem.h"
#include "core/report.h"
#include "measure/measure.h"
#include "sim/sim.h"
#include "solvers/solvers.h"

#define MB_SWEEP_MAX_VALUES 100000 /* values one key may expand to */
#define MB_SWEEP_MAX_POINTS 10000000

/* A key's expanded values, with where it was written ("configs/paper.ini:12: budget"). */
typedef struct {
    char **v;       /* texts, one per value ("1000", "5%", "min(sqrt)") */
    size_t n, cap;  /* values, room (grown by doubling) */
    int line;       /* 0 when the key was not given */
    char where[1100]; /* "FILE:LINE: key", the key every message names */
} mb_sweep_values;

enum { MB_SWEEP_ANALYTIC = 0, MB_SWEEP_MEASURED = 1 };

/* One [problem NAME] section: one cartesian product of solvers x sizes x steps x budgets. */
typedef struct {
    char name[64];
    int line;
    int mode;                        /* MB_SWEEP_ANALYTIC or MB_SWEEP_MEASURED */
    const mb_solver_type **solvers;  /* from `solvers`, else from [solvers] names */
    size_t n_solvers;
    mb_sweep_values solvers_key;
    mb_sweep_values steps, alpha, hidden_bytes, internal_bytes, budget;
    mb_sweep_values slow_budget; /* the slow store's (level 1) budgets; none: one level */
    int slow_columns; /* the config has a slow level somewhere: rows carry its columns */
    double target_cost_per_step; /* > 0: search the smallest budget reaching it (no budget key) */
    mb_sweep_values target_key;
} mb_sweep_problem;

/* The measured-run model ([model]); used by measured sections through the executor. */
typedef struct {
    char cell[16];
    int64_t batch, input, hidden, threads, repetitions, seed;
    int given; /* 1 when the section exists */
    int line[7]; /* the line of each key (cell, batch, input, hidden, threads, repetitions,
                    seed), 0 when not given; messages about the network name them */
} mb_sweep_model;

/* A whole configuration. */
typedef struct {
    char path[1024];  /* as given; messages name it */
    char name[64];    /* [output] name, default the file name without .ini */
    char *text;       /* the file's text (copied into the metadata sidecar) */
    mb_sweep_problem *problems;
    size_t n_problems;
    const mb_solver_type **default_solvers;
    size_t n_default_solvers;
    mb_solve_options solve;
    mb_cost_model cost;
    mb_sweep_model model;
    /* the slow level (docs/design.md, "Two storage levels"): [cost] store_costs, a file of
     * calibrate-store read when the config is (its per-byte costs, scaled by each point's unit
     * size; it replaces [cost] forward, backward, write, read and the latencies), and [model]
     * slow_dir, where measured points keep their slow store */
    int has_store_costs;
    mb_cost_model store_costs;  /* seconds; write and read per byte */
    char store_costs_where[1100]; /* "FILE:LINE: [cost] store_costs" */
    char slow_dir[1024];
    char slow_dir_where[1100];
    int two_level; /* some section has a slow_budget key */
    char **counters; /* [counters] events */
    size_t n_counters;
    char counters_where[1100]; /* "FILE:LINE: events" */
    uint64_t keys_hash; /* FNV-1a of every key that reaches a point, as written: [solvers],
                           [cost], [model], [counters] and [problem] (not [output], [plan]) */
    /* [plan]: one plan drawn as an ops CSV (figure 6); solver NULL when absent */
    const mb_solver_type *plan_solver;
    char plan_steps[32], plan_alpha[32], plan_budget[32];
    char plan_where[1100];
    /* the CSV columns: the analytic ones, then (when a section is measured) the executor's
     * and one per counter event and phase */
    char **columns;
    size_t n_columns;
    int measured; /* some section has run = measured */
} mb_sweep_config;

/* Parses the config file at `path`. Errors (MB_EINVAL, exit 2) name the file, the line, the
 * key, the value and what is allowed. Unknown sections and keys are errors. */
int mb_sweep_config_load(const char *path, mb_sweep_config **out /* out */);

/* The same from a string; `path` is the name messages use. */
int mb_sweep_config_parse(const char *path, const char *text, mb_sweep_config **out /* out */);

void mb_sweep_config_free(mb_sweep_config *c);

/* 1 when s can be a sweep's output name ([output] name, the stem of its files) or a section's
 * name: letters, digits, _ - . (1 to 63 of them). */
int mb_sweep_name_ok(const char *s);

/* The number of points (rows) of the whole config, summed over its problem sections. */
size_t mb_sweep_point_count(const mb_sweep_config *c);

/* One point: a problem with its solver, and the texts it was built from. */
typedef struct {
    size_t index;
    const mb_sweep_problem *section;
    const mb_solver_type *solver;
    const char *steps, *alpha, *hidden_bytes, *internal_bytes, *budget; /* NULL = not used */
    const char *slow_budget; /* NULL: no slow level */
    mb_problem problem; /* steps and sizes set; budget set unless it is a search */
} mb_sweep_point;

/* Point `index` (0-based, in file order, then solver, sizes, steps, budget). The problem is
 * built and checked; a bad value is MB_EINVAL naming the config line. */
int mb_sweep_point_get(const mb_sweep_config *c, size_t index, mb_sweep_point *out /* out */);

/* Checks the counter names and every point's keys without solving (exit 2 before any work
 * when one is bad); mb_sweep_preflight checks more. */
int mb_sweep_config_check(const mb_sweep_config *c);

/* One section in the plan of a sweep. */
typedef struct {
    const char *name;  /* the section's name (points into the config) */
    int measured;
    size_t points, infeasible; /* infeasible: the budget is below the solver's minimum (a row
                                  that says so, not an error) */
    double seconds;    /* rough estimate of its points' time */
    double peak_bytes; /* the most memory one of its points needs (DP table, measured run) */
} mb_sweep_section_plan;

/* The plan of a sweep (or of one shard of it), from mb_sweep_preflight. */
typedef struct {
    size_t points, measured;
    double analytic_seconds, measured_seconds; /* rough estimates */
    double peak_bytes;
    size_t peak_point;
    mb_sweep_section_plan *sections; /* n_sections, in config order (owned) */
    size_t n_sections;
} mb_sweep_preflight_report;

/* Checks every point of the shard (shard_count <= 1: of the sweep) before anything runs: the
 * counter names, each point's keys, the limits its solve would hit (plan size, DP table size
 * against [solvers] max_table_mib; a budget search at full-BPTT memory, the largest it tries)
 * and a measured run's memory against the machine's. A bad point is MB_EINVAL or MB_ERANGE
 * naming its index, section and values. On success fills *rep (free it with
 * mb_sweep_preflight_free) and, when `estimates` is not NULL, estimates[k] with the estimated
 * seconds of the shard's k-th point. */
int mb_sweep_preflight(const mb_sweep_config *c, int shard_index, int shard_count,
                       mb_sweep_preflight_report *rep /* out */, double *estimates /* out */);
void mb_sweep_preflight_free(mb_sweep_preflight_report *rep);

/* Prints the plan: points, kind, infeasible points, estimated time and memory peak per
 * section, then the totals. */
void mb_sweep_preflight_print(FILE *f, const mb_sweep_config *c,
                              const mb_sweep_preflight_report *rep);

/* Fills the identifying columns of the point's row into r (sweep, mode, solver, steps,
 * hidden_units, internal_units, unit_bytes, budget_spec, and budget when `with_budget` is set
 * and the budget is known before solving, i.e. the point is not a budget search). The row of
 * mb_sweep_point_eval begins with exactly these; resume and merge compare rows against them. */
void mb_sweep_point_ident(const mb_sweep_point *pt, int with_budget, mb_record *r /* out */);

/* Solves, replays and fills `row` (the CSV columns; identifying columns first). When the point
 * is measured the executor's columns follow. *solve_seconds gets the solver's wall time, which
 * is not part of the row (it differs run to run; see the timing file). */
int mb_sweep_point_eval(const mb_sweep_config *c, const mb_sweep_point *pt, mb_record *row /* out */,
                        double *solve_seconds /* out */);

/* The row of a point whose evaluation failed (recorded by --skip-failed): its identifying
 * columns, every value empty, status "failed". */
int mb_sweep_point_failed(const mb_sweep_config *c, const mb_sweep_point *pt,
                          mb_record *row /* out */);

/* A channel between the ranks of a parallel sweep (MPI). Rank 0 writes; the others send it
 * their rows as text in point order. NULL in a single process. */
typedef struct {
    int rank, size;
    void *ctx;
    int (*send_row)(void *ctx, const char *row, size_t len, double solve_seconds);
    int (*recv_row)(void *ctx, int from, char **row /* out, malloc */, double *solve_seconds);
    int (*bcast_size)(void *ctx, size_t *value); /* rank 0's value to all */
} mb_sweep_comm;

/* When rows reach the disk (fsync). Every row is written and flushed to the file as soon as it
 * is complete, so a killed process loses at most the row in flight whatever the policy; the
 * policy decides how much a crash of the machine itself may lose. docs/design.md, "Sweeps,
 * records and figures". */
typedef enum {
    MB_SWEEP_SYNC_TIME = 0, /* every sync_every seconds (0: MB_SWEEP_SYNC_SECONDS), and at the end */
    MB_SWEEP_SYNC_POINT,    /* after every row */
    MB_SWEEP_SYNC_BATCH,    /* after every sync_every rows, and at the end */
    MB_SWEEP_SYNC_END,      /* once, at the end */
} mb_sweep_sync;
#define MB_SWEEP_SYNC_SECONDS 2

typedef struct {
    const char *out_dir;     /* folder for NAME.csv, NAME.json, NAME.timing.csv */
    int shard_index;         /* with shard_count > 1: this process does points i mod n */
    int shard_count;         /* 0 or 1: no sharding */
    FILE *progress;          /* where progress goes (a bar when it is a terminal); NULL: none */
    double progress_every;   /* seconds between plain progress lines (not a terminal): 0 the
                                default (2 s); < 0 a line after every point (tests of the ETA) */
    const mb_sweep_comm *comm;
    int repair;              /* resume: a kept row that is not its point is recomputed, with the
                                rows after it, instead of being an error */
    int accept_other_build;  /* resume: keep rows another build or machine wrote (the sidecar's
                                provenance says which rows came from which) */
    int skip_failed;         /* a point whose evaluation fails becomes a row with status
                                "failed" (values empty; the message goes to the progress stream
                                and the timing file) and the sweep goes on */
    mb_sweep_sync sync;
    int sync_every;          /* seconds (MB_SWEEP_SYNC_TIME) or rows (MB_SWEEP_SYNC_BATCH) */
} mb_sweep_options;

/* Parses a --sync value: "point", "end", "batch:N" (N rows) or "Ns" (N seconds). MB_EINVAL
 * naming `key` and what is allowed. */
int mb_sweep_sync_parse(const char *key, const char *text, mb_sweep_options *o /* out */);

typedef struct {
    size_t points;   /* this process's (or shard's) points */
    size_t resumed;  /* rows found complete in an existing file and kept */
    size_t computed; /* rows computed by this run */
    size_t repaired; /* rows of an existing file dropped by --repair and computed again */
    size_t failed;   /* points recorded as failed (--skip-failed) */
    char csv[4400];  /* the CSV written */
} mb_sweep_result;

/* Runs the sweep. Rows are appended to OUT/NAME.csv (OUT/NAME.shard-I-of-N.csv with a shard)
 * as they are computed; rerunning resumes after the last complete row when the existing file
 * has the same header and config fingerprint, every kept row is its point's (field count,
 * values, identifying columns) and came from this build and machine. Outputs that exist and are
 * not regular files are refused before anything is written. */
int mb_sweep_run(const mb_sweep_config *c, const mb_sweep_options *o,
                 mb_sweep_result *out /* out */);

/* Joins the shard CSVs of one sweep (in any order; each names its shard in its sidecar)
 * into `out_csv`, byte-identical to the single-process file, with its sidecar and timing file
 * beside it (OUT.json, OUT.timing.csv). Every row is proved before anything is written: the
 * shards are one sweep (same fingerprint and config, same shard count, each index once, all
 * complete), each shard has the rows its sidecar counts, each row is the point the config
 * assigns to that shard and position, and every row comes from one build (membptt version,
 * commit, DP method and, for measured rows, machine) unless `accept_other_build` is set (then
 * the sidecar's provenance records which rows came from which). Anything else is
 * MB_EINVAL/MB_EPARSE naming the shard (and the line, or what differs), and nothing is
 * written. `out_csv` "-" writes the CSV to standard output (no sidecar or timing file); an
 * output that is one of the inputs is refused. */
int mb_sweep_merge(const char *out_csv, const char *const *shards, size_t n,
                   int accept_other_build);

/* The fingerprint of a config (FNV-1a 64, hex): every key that reaches a point as written,
 * the settings they resolve to, the columns and every point's identifying columns. */
void mb_sweep_fingerprint(const mb_sweep_config *c, char hex[17] /* out */);

/* Writes the plan of the [plan] section as a CSV of its ops (op, kind, step, store_units,
 * budget) to `path`. MB_EINVAL when the config has no [plan] section. */
int mb_sweep_write_plan_ops(const mb_sweep_config *c, const char *path);

/* The text of configs/NAME.ini as built into the library ("quick", "lstm-quick", "paper",
 * "lstm", "smoke"), or NULL. */
const char *mb_sweep_embedded_config(const char *name);

/* Reading our own CSVs back: core/csv.h (mb_csv_load, mb_csv_col, ...). */

/* --- Sidecars of the other CSVs (sidecar.c) --- */

/* The sidecar's path: `csv` with ".csv" replaced by ".json" (or ".json" appended). */
int mb_sidecar_path(const char *csv, char *out, size_t cap);

/* Writes the JSON sidecar of a CSV that is not a sweep's (a plan's ops, fits, a calibration,
 * a benchmark): {"format": "membptt-csv-metadata", "csv": its name, "what": what it holds,
 * "run": the machine's metadata (measure/) with `config` (how it was made)}, whole or not at
 * all. Every CSV membptt writes has a sidecar; none carries comment lines. */
int mb_sidecar_write(const char *csv, const char *what, const mb_meta_config *config,
                     size_t n_config);

/* The string `key` of the "config" a CSV's sidecar records (run.config.KEY, as
 * mb_sidecar_write wrote it), read with yajl's tree parser, into out (cut at cap). MB_EINVAL
 * when the sidecar has no such string, MB_EPARSE when it is not JSON, the read's error when it
 * cannot be read. */
int mb_sidecar_config_value(const char *csv, const char *key, char *out, size_t cap);

#endif
