/* cli.h: the subcommands of the membptt command and what they share. */
#ifndef MB_CLI_CLI_H
#define MB_CLI_CLI_H

#include "core/problem.h"
#include "core/report.h"
#include "sim/sim.h"
#include "solvers/solvers.h"

/* Options of the commands that solve a problem (solve, simulate, compare). */
typedef struct {
    const mb_solver_type *solver; /* NULL for compare */
    mb_problem problem;
    mb_format format;
    const char *plan_out;
    mb_solve_options solve;
    mb_cost_model cost;
} cli_args;

/* Prints "membptt CMD: error: <the last error message>" and returns the exit status of rc.
 * For usage errors (exit 2) it adds where --help is. */
int cli_fail(const char *cmd, int rc);

int cmd_solve(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_reproduce(int argc, char **argv);

#endif
