/* analysis.h: what `reproduce` learns from a sweep's rows (docs/design.md, "Analysis"): the HSM
 * exponents and the paper's bound on every point, the solver table, the comparison with Chen's
 * sqrt(t), the calibration of per-op costs from measured runs, measured against predicted time
 * ratios, the exponents of measured time and counters against t, and the headline summary.
 * Each computes a result from a table (core/csv.h) and never runs a solver; rows are chosen by
 * their sweep section and by the solver table's facts (solvers/solvers.h), never by a solver's
 * name written here. Every list grows with the data: nothing is dropped. Each result has a
 * printer that writes the table `reproduce` shows to a caller's stream, and the fits have
 * record functions (the columns of the fits and calibration CSVs). */
#ifndef MB_ANALYSIS_ANALYSIS_H
#define MB_ANALYSIS_ANALYSIS_H

#include <stddef.h>
#include <stdio.h>

#include "analysis/fit.h"
#include "core/csv.h"
#include "core/report.h"
#include "solvers/solvers.h"

/* --- HSM: the exponent of cost against t per budget, and the paper's bound. --- */

/* One budget of the HSM fit. */
typedef struct {
    double budget;       /* m, in budget_units */
    size_t points;       /* rows of that budget with a forward_ops value */
    double t_min, t_max; /* their range of steps */
    int rc;              /* MB_OK when `fit` holds the fit; else why not in `why` */
    char why[200];
    mb_fit_power fit;    /* forward_ops ~ steps^exponent */
    double reference;    /* the paper's exponent 1 + 1/m */
} mb_analysis_hsm_group;

typedef struct {
    mb_analysis_hsm_group *groups; /* in order of first appearance */
    size_t n;
} mb_analysis_hsm;

/* Fits forward_ops against steps, by budget_units, over the rows of sweep section `section`.
 * MB_EINVAL when a column it reads is missing; a budget with too few points is a group with
 * rc != MB_OK, not an error. Free with mb_analysis_hsm_fini. */
int mb_analysis_hsm_fit(const mb_csv *t, const char *section, mb_analysis_hsm *out /* out */);
void mb_analysis_hsm_fini(mb_analysis_hsm *h);
void mb_analysis_hsm_print(FILE *f, const mb_analysis_hsm *h);

/* A row over the paper's bound C <= m t^(1+1/m). */
typedef struct {
    const char *solver; /* points into the table */
    double steps, slots, cost, bound;
} mb_analysis_violation;

typedef struct {
    size_t checked;                    /* feasible rows of bounded solvers */
    mb_analysis_violation *violations; /* every one, in row order */
    size_t n_violations;
} mb_analysis_bound;

/* Checks the bound on every row whose solver's table entry has MB_SOLVER_HSM_BOUND and that
 * has a forward_ops value; m is floor(budget_units / hidden_units). Rows of solvers the
 * registry does not know are left out. Free with mb_analysis_bound_fini. */
int mb_analysis_hsm_bound(const mb_csv *t, mb_analysis_bound *out /* out */);
void mb_analysis_bound_fini(mb_analysis_bound *b);
/* Prints the first `max_listed` violations and the count. */
void mb_analysis_bound_print(FILE *f, const mb_analysis_bound *b, size_t max_listed);

/* --- The solver table at one problem. --- */

typedef struct {
    const char *solver; /* points into the table */
    int feasible;
    double steps, budget_units, min_budget_units, forward_ops, per_step, peak_units;
    double memory_saved;  /* 1 - peak_fraction */
    double time_vs_full;  /* predicted_time_vs_full */
} mb_analysis_solver_row;

typedef struct {
    mb_analysis_solver_row *rows;
    size_t n;
    double steps;     /* the problem's */
    const char *spec; /* its budget_spec (the caller's string) */
} mb_analysis_solvers;

/* Every row of section `section` at steps `steps` and budget_spec `spec`, in row order. */
int mb_analysis_solver_table(const mb_csv *t, const char *section, double steps,
                             const char *spec, mb_analysis_solvers *out /* out */);
void mb_analysis_solvers_fini(mb_analysis_solvers *s);
void mb_analysis_solvers_print(FILE *f, const mb_analysis_solvers *s);

/* --- Chen's sqrt(t) against a DP at the largest t of a search section. --- */

typedef struct {
    double beta;                  /* internal_units - 1 */
    double chen_memory;           /* the reference solver's budget in `memory_section` */
    double dp_memory;             /* the DP's smallest budget with C <= target (`search`) */
    double ratio;                 /* dp_memory / chen_memory */
    double dp_cost_per_step;      /* the DP at Chen's memory */
    double chen_cost_per_step;    /* the reference at its own memory */
} mb_analysis_chen_row;

typedef struct {
    double steps; /* the largest t of the search section; 0 when it has no row */
    mb_analysis_chen_row *rows;
    size_t n;
} mb_analysis_chen;

/* For each row of `search_section` at its largest t, the rows of `memory_section` with the
 * same t and internal_units: the one of solver `reference` (Chen's) and of solver `dp`.
 * A missing partner leaves its columns NAN. */
int mb_analysis_chen_table(const mb_csv *t, const char *search_section,
                           const char *memory_section, const mb_solver_type *reference,
                           const mb_solver_type *dp, mb_analysis_chen *out /* out */);
void mb_analysis_chen_fini(mb_analysis_chen *c);
void mb_analysis_chen_print(FILE *f, const mb_analysis_chen *c);

/* --- Measured runs: calibration, measured against predicted, asymptotics. --- */

/* The runs of the calibration from the measured rows (mode "measured", time_s known): each
 * plan run and the full-BPTT run measured beside it (no recompute; it stores s_1..s_{t-1},
 * internal_bytes*(t-1) bytes). *runs is malloc'ed (NULL when *n = 0). */
int mb_analysis_calibration_runs(const mb_csv *t, mb_fit_run **runs /* out */,
                                 size_t *n /* out */);

/* The columns of the calibration CSV for `cal`. */
void mb_analysis_calibration_record(mb_record *r, const mb_fit_calibration *cal);

/* Prints the calibration's fitted costs, or why there are none (rc != MB_OK; `why`). */
void mb_analysis_calibration_print(FILE *f, size_t runs, int rc, const char *why,
                                   const mb_fit_calibration *cal);

typedef struct {
    const char *solver; /* points into the table */
    double budget_units, budget_fraction;
    double measured, measured_min, measured_max; /* time_ratio and its spread */
    double pred_run;   /* predicted_time_ratio: the model with the run's own per-op costs */
    double pred_fit;   /* the calibration's costs; NAN without one */
    double pred_model; /* predicted_time_vs_full: c_f = c_r = 1, c_b = 2 */
    double peak_store_bytes, budget_bytes;
} mb_analysis_measured_row;

typedef struct {
    mb_analysis_measured_row *rows;
    size_t n;
    double full_peak_bytes; /* peak_store_full_bytes of the first row; NAN without rows */
    double steps;           /* t of the first row of the section; NAN without one */
} mb_analysis_measured;

/* The measured rows of section `section`, with the ratio the calibration `cal` predicts
 * (NULL: none). */
int mb_analysis_measured_table(const mb_csv *t, const char *section,
                               const mb_fit_calibration *cal,
                               mb_analysis_measured *out /* out */);
void mb_analysis_measured_fini(mb_analysis_measured *m);
void mb_analysis_measured_print(FILE *f, const mb_analysis_measured *m);

/* One counter's total over the plan's four phases against t. */
typedef struct {
    const char *event;  /* the column name's prefix, `event_len` characters */
    int event_len;
    size_t counted;     /* rows with a value in all four phases */
    int fitted;         /* `fit` holds a power law (3 or more positive totals) */
    mb_fit_power fit;
} mb_analysis_counter_fit;

/* One budget of the length section. */
typedef struct {
    double budget; /* budget_units */
    size_t points; /* rows with a time */
    int fitted;    /* both fits below hold */
    mb_fit_power measured, model; /* time_s and predicted_time against steps */
    mb_analysis_counter_fit *counters; /* one per EVENT.first column, when fitted */
    size_t n_counters;
} mb_analysis_length_group;

typedef struct {
    mb_analysis_length_group *groups;
    size_t n;
} mb_analysis_length;

/* Per budget of section `section`: the exponent of measured time, of the model's predicted
 * time and of every counter's total against steps. */
int mb_analysis_length_fits(const mb_csv *t, const char *section,
                            mb_analysis_length *out /* out */);
void mb_analysis_length_fini(mb_analysis_length *l);
void mb_analysis_length_print(FILE *f, const mb_analysis_length *l);

/* --- Records of the fits CSV. --- */

/* The columns of one row of the fits CSV: which fit, its group, the fit and the exponent it is
 * compared with (NAN: none) and where that comes from. */
void mb_analysis_fit_record(mb_record *r, const char *fit, const char *group,
                            const mb_fit_power *f, double reference, const char *reference_name);

/* Prints every fit of `h` and `l` (either may be NULL) as rows of the fits CSV; *header says
 * whether the header is still to be written and is cleared when it is. */
int mb_analysis_fits_write(FILE *f, const mb_analysis_hsm *h, const mb_analysis_length *l,
                           int *header /* in, out */);

/* --- The headline. --- */

typedef struct {
    int have_model; /* the analytic row was found */
    double memory_saved, cost_per_step, time_vs_full;
    int have_measured; /* the measured row was found */
    double store_saved, measured_cost_per_step, predicted_time_ratio;
    double time_ratio, time_ratio_min, time_ratio_max;
} mb_analysis_summary;

/* The first row of `section` with solver `solver`, steps `steps` and budget_spec `spec` in
 * `paper` (analytic) and in `measured` (may be NULL). */
int mb_analysis_summary_of(const mb_csv *paper, const mb_csv *measured, const char *section,
                           const mb_solver_type *solver, double steps, const char *spec,
                           mb_analysis_summary *out /* out */);
void mb_analysis_summary_print(FILE *f, const mb_analysis_summary *s, double steps,
                               const char *spec);

#endif
