/* cli.h: the subcommands of the membptt command and what they share. */
#ifndef MB_CLI_CLI_H
#define MB_CLI_CLI_H

#include "cli/options.h"
#include "core/problem.h"
#include "core/report.h"
#include "sim/sim.h"
#include "solvers/solvers.h"
#include "sweep/sweep.h"

/* Options of the commands that solve a problem (solve, simulate, compare). */
typedef struct {
    const mb_solver_type *solver; /* NULL for compare */
    mb_problem problem;
    mb_format format;
    const char *plan_out;
    mb_solve_options solve;
    mb_cost_model cost;
    mb_time_costs time; /* what the two-level solvers minimise: cli_time_costs(&cost) */
} cli_args;

/* The two-level solvers' time model from the simulator's cost model (the same costs). */
mb_time_costs cli_time_costs(const mb_cost_model *m);

/* The cost model of solve, simulate, compare and run, from their options (cli_values in
 * cli/options.h): the --cost-* values, or the --store-costs file's (seconds; the slow store's
 * per unit of unit_bytes bytes) with --cost-copy and --cost-recompute kept; both ways at once
 * is MB_EINVAL naming the two options (cmd_solve.c). */
int cli_costs(const cli_values *v, int64_t unit_bytes, mb_cost_model *out /* out */);

/* Prints "membptt CMD: error: <the last error message>" and returns the exit status of rc.
 * For usage errors (exit 2) it adds where --help is. */
int cli_fail(const char *cmd, int rc);

/* The CSV stems of one reproduction (quick or full), in DIR/results. */
typedef struct {
    const char *analytic_config, *lstm_config; /* embedded config names */
    const char *paper, *lstm, *plan, *fits, *calibration; /* stems in results/ */
} cli_repro_set;

extern const cli_repro_set cli_quick_set, cli_full_set;

/* mkdir -p: creates `dir` and the folders above it. */
int cli_mkdir_p(const char *dir);

/* Writes and draws the figures whose data exist into OUT/plots, from the CSVs in OUT/results
 * (cmd_plot.c). A .gp the user edited is kept and drawn unless `force`; with `redraw` the kept
 * scripts are drawn and none is written. A figure named in `only` that is not drawn, a CSV
 * with a torn row or a gnuplot failure makes it return an error; *drawn counts the figures
 * drawn. Prints one line per figure. */
int cli_draw_figures(const char *out, const cli_repro_set *set, const char *bench, int force,
                     int redraw, char **only, int n_only, int *drawn /* out */);

/* `sweep`'s arguments, what `membptt sweep` and `membptt-mpi sweep` share (cli/cmd_sweep.c). */
typedef struct {
    mb_sweep_options o; /* out_dir, progress, shard; comm is the caller's */
    int dry_run;
    const char *config;
} cli_sweep_args;

/* Parses sweep's options through the option table. MB_OK with *a set, or an error naming the
 * option; *help is set (and nothing else) when --help was given. */
int cli_sweep_parse(int argc, char **argv, int *help /* out */, cli_sweep_args *a /* out */);

/* Prints sweep's help; `prog` begins its usage line ("membptt", "mpirun -n N membptt-mpi"). */
void cli_sweep_help(const char *prog);

/* --dry-run: checks the config and every point, prints the count; runs nothing. */
int cli_sweep_dry_run(const mb_sweep_config *cfg, const cli_sweep_args *a);

int cmd_solve(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_reproduce(int argc, char **argv);
int cmd_calibrate_store(int argc, char **argv);

#endif
