/* options.h: the command line's one option layer (docs/design.md, "Command line"). One table
 * holds every option of every command: its name, the commands that take it, how its value is
 * parsed and where the value goes. One parser applies it, so every command refuses alike, with
 * exit 2 naming the option: an option it does not take, an option given twice, a missing,
 * empty or malformed value. A command is then parse -> build -> run -> record -> print. */
#ifndef MB_CLI_OPTIONS_H
#define MB_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/problem.h"
#include "core/report.h"
#include "exec/exec.h"
#include "sim/sim.h"
#include "solvers/solvers.h"
#include "sweep/sweep.h"

/* The commands, as the bits of an option's `commands`. */
enum {
    CLI_SOLVE = 1u << 0,
    CLI_SIMULATE = 1u << 1,
    CLI_COMPARE = 1u << 2,
    CLI_VERIFY = 1u << 3,
    CLI_RUN = 1u << 4,
    CLI_SWEEP = 1u << 5,
    CLI_MERGE = 1u << 6,
    CLI_REPRODUCE = 1u << 7,
    CLI_PLOT = 1u << 8,
    CLI_STORE = 1u << 9, /* calibrate-store */
};

/* The values of an option that may be given more than once (--where), in the order given. */
#define CLI_LIST_MAX 16
typedef struct {
    const char *v[CLI_LIST_MAX];
    int n;
} cli_list;

/* Where the options' values go: one struct for every command, each reading its own fields.
 * Texts point into argv. What was not given is zero, except `cost` and `exec`, which start at
 * their modules' defaults (mb_cost_model_default, mb_exec_config_default), and `problem`,
 * whose keys are the options' names ("--steps") and whose values are NULL. */
typedef struct {
    mb_format format; /* verify, solve, simulate, compare, run, calibrate-store */
    /* sweep and merge */
    const char *out;
    mb_sweep_options sweep; /* --shard, --sync, --repair, --accept-other-build */
    int quiet, dry_run;
    /* solve, simulate and compare */
    const mb_solver_type *solver; /* and run */
    mb_problem_spec problem; /* the problem as text, each value checked on its own (the sizes
                                decide what a budget means); run reads budget, slow_budget */
    const char *plan_out;
    mb_solve_options solve; /* --dp and --max-table-mib (run's too) */
    mb_cost_model cost;     /* --cost-*, from mb_cost_model_default() (run: the slow store's) */
    const char *store_costs; /* and run */
    /* run */
    mb_exec_config exec; /* the network, the measurement and the slow store; calibrate-store's
                            cell, sizes and --repeat too */
    const char *plan;
    int progress; /* --progress: progress on stderr even when it is not a terminal */
    /* reproduce */
    struct {
        int full, resume, no_measure, force;
        const char *analytic, *bench; /* input files; --out, --quiet: out, quiet */
    } repro;
    /* plot */
    struct {
        int full, list, force, redraw, logx, logy;
        const char *bench, *csv, *x, *y, *by, *title;
        const char *sweep, *lstm, *plan_data; /* figure data: stems in DIR/results */
        cli_list where;                       /* --where COL=VAL, repeatable */
    } plot;
    /* calibrate-store */
    /* what was given, by the option's index in the table */
    unsigned char given[256];
    int help;
    char **args; /* the arguments that are not options */
    int n_args;
} cli_values;

/* Parses argv[1..argc) (argv[0] is the command's name) for command `command` (one CLI_* bit),
 * named `name` in messages. MB_OK with *v filled, or MB_EINVAL naming the option. --help sets
 * v->help and stops. */
int cli_parse(unsigned command, const char *name, int argc, char **argv, cli_values *v /* out */);

/* Prints "PROG CMD: error: <the last error message>" and returns the exit status of rc; for
 * usage errors (exit 2) it adds where --help is. cli_fail(cmd, rc) is
 * cli_fail_prog("membptt", cmd, rc). */
int cli_fail_prog(const char *prog, const char *cmd, int rc);

/* 1 when the option called `option` (without dashes) was given. */
int cli_given(const cli_values *v, const char *option);

/* MB_OK when no argument other than options was given, else MB_EINVAL naming the first. */
int cli_no_args(const cli_values *v);

/* Checks the table itself: every option names at least one command, and a name has at most
 * one row per command. MB_EINTERNAL naming the first fault (test_options runs it). */
int cli_options_check(void);

#endif
