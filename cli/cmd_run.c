/* cmd_run.c: `membptt run`: executes a plan (from a solver or a plan file) on a real LSTM, GRU
 * or tanh RNN, against full BPTT in the same process, and reports measured time, memory,
 * counters and the cost model's prediction. */
#include <signal.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/json.h"
#include "exec/exec.h"
#include "measure/measure.h"

static void help(void)
{
    printf(
        "usage: membptt run --cell lstm|gru|rnn --steps T --input I --hidden H --batch B\n"
        "                   (--solver S --budget X | --plan FILE) [--repeat N] [--threads N]\n"
        "                   [--pin CORE] [--events LIST] [--seed N] [--output O]\n"
        "                   [--input-grads] [--retry-contended N] [--max-table-mib N]\n"
        "                   [--slow-budget X --slow-dir DIR [--slow-direct]\n"
        "                    (--store-costs F | --cost-write W --cost-read R)]\n"
        "                   [--format text|json|csv] [--quiet | --progress]\n\n"
        "Runs a plan on a real recurrent network (OpenBLAS, float32) and full BPTT on the same\n"
        "network in the same process: one warm-up of each, then N interleaved pairs. Reports\n"
        "min, median and max over the pairs of every time and of the time ratio (with a 95%%\n"
        "order-statistics interval for its median), the plan's ops (equal to the plan's own\n"
        "counts) and full BPTT's, peak store bytes (never above the budget), peak RSS, wall\n"
        "time per phase (first forward, recompute, backward, copies) on both sides, the\n"
        "thread's CPU time per run, per-op costs measured in this run, the time ratio sim's\n"
        "cost model predicts with them, and the largest difference between the plan's\n"
        "gradients and full BPTT's (0 with one thread: they are bitwise equal). A run whose\n"
        "thread got less than 90%% of its core (CPU time / wall time) is marked contended,\n"
        "with a warning on stderr. Counters are read per phase on both sides in one extra\n"
        "run of each, after the timed ones.\n\n"
        "The cell's state sizes set the problem: a hidden checkpoint is h_k (LSTM: h_k and\n"
        "c_k), an internal one everything backward step k needs; the unit is their gcd. The\n"
        "loss is sum_k 0.5*||h_k W_y - y_k||^2, computed once per step inside backward k.\n\n");
    printf(
        "options:\n"
        "  --cell C         lstm, gru or rnn\n"
        "  --steps T        sequence length (>= 1)\n"
        "  --input I        input size (>= 1)\n"
        "  --hidden H       hidden size (>= 1)\n"
        "  --batch B        batch size (>= 1)\n"
        "  --output O       outputs of the linear head (default I)\n"
        "  --solver S       a solver: %s\n"
        "  --budget X       store memory, h_0 included, the core excluded: units (249), bytes\n"
        "                   (64KiB, 3MB) or a percentage of full-BPTT memory (5%%, 2.5%%)\n"
        "  --plan FILE      run this plan file instead (membptt-plan v1, from solve --plan-out);\n"
        "                   it must be for these sizes, and is verified before anything runs\n"
        "  --repeat N       measured pairs (default 5)\n"
        "  --threads N      OpenBLAS threads (default 1: bitwise-reproducible gradients)\n"
        "  --pin CORE       pin to this core (hwloc logical index)\n"
        "  --events LIST    counters per phase, comma-separated PAPI names, or 'default' for\n"
        "                   %s; an unavailable event is\n"
        "                   reported empty with a notice, never as a zero\n"
        "  --seed N         seed of the weights, h_0, inputs and targets (default 1)\n"
        "  --input-grads    also compute dL/dx (training does not need it; off by default)\n"
        "  --slow-budget X  a slow store beside memory (units, bytes, %% of full-BPTT memory or\n"
        "                   unlimited): level 1 of the plan, a file in --slow-dir\n"
        "  --slow-dir DIR   where the slow store's file is created (exclusively; removed at the\n"
        "                   end and on error); needed by any plan that writes to level 1\n"
        "  --slow-direct    open it with O_DIRECT (default: buffered, each write synced to the\n"
        "                   device and dropped from the page cache, each read dropped after)\n"
        "  --store-costs F  the slow store's and the cell's costs from calibrate-store: the\n"
        "                   two-level solvers minimise time with them, and the predicted ratio\n"
        "                   uses them (with --slow-budget and --solver, this or --cost-write\n"
        "                   and --cost-read)\n"
        "  --cost-write W  --cost-read R   the slow store's costs given directly, as solve\n"
        "                   takes them: time per unit of state (unit_bytes bytes) written to /\n"
        "                   read from it, in forward steps (c_f = 1, c_b = 2); the solver\n"
        "                   minimises time with them, the predicted ratio uses the slow store's\n"
        "                   costs this run measures\n"
        "  --cost-write-latency L  --cost-read-latency L   time per transfer, as W (default 0)\n"
        "  --retry-contended N  measure again, up to N times, while a run is contended\n"
        "                   (default 0)\n"
        "  --max-table-mib N  refuse DP tables (hsm, ism, msm) larger than N MiB (default 8192)\n"
        "  --format F       text (default), json (one object) or csv (header + row)\n"
        "  --quiet          no progress on stderr (by default, when stderr is a terminal: the\n"
        "                   warm-up, each timed pair and an estimate of the time left)\n"
        "  --progress       progress on stderr even when it is not a terminal\n\n"
        "Full BPTT is the baseline: it runs with its own memory whatever the budget.\n\n"
        "exit status: 0 ok, 1 runtime failure, 2 invalid input, 3 infeasible budget (the\n"
        "message names the smallest feasible one), 4 a plan file that is invalid or for other\n"
        "sizes (the message names the first bad op)\n",
        mb_solver_names(), MB_COUNTERS_DEFAULT);
}

/* JSON writes the counters as one object instead of flat columns: each event's name maps to
 * {"first": n, "recompute": n, "backward": n, "copy": n} (null for a phase nothing was counted
 * in), or to null when the event is unavailable; null without --events. `full` picks full
 * BPTT's run instead of the plan's. */
static void print_counters_json(FILE *f, const mb_exec_result *res, const char *events, int full)
{
    if (events == NULL) {
        fputs("null", f);
        return;
    }
    static const char *const phase[MB_EXEC_PHASES] = {"first", "recompute", "backward", "copy"};
    fputc('{', f);
    for (int e = 0; e < res->n_events; e++) {
        fputs(e ? ", " : "", f);
        mb_json_write_string(f, res->event_name[e]);
        if (!res->event_available[e]) {
            fputs(": null", f);
            continue;
        }
        const int64_t *v = full ? res->event_value_full[e] : res->event_value[e];
        fputs(": {", f);
        for (int ph = 0; ph < MB_EXEC_PHASES; ph++) {
            fprintf(f, "%s\"%s\": ", ph ? ", " : "", phase[ph]);
            if (v[ph] >= 0)
                fprintf(f, "%" PRId64, v[ph]);
            else
                fputs("null", f);
        }
        fputc('}', f);
    }
    fputc('}', f);
}

/* Prints the record as one JSON object followed by "counters" and "counters_full"
 * (print_counters_json) and "counter_sources" (event name -> where it was counted, null when unavailable). */
static int print_json_with_counters(const mb_record *r, const mb_exec_result *res,
                                    const char *events)
{
    int rc = mb_record_check(r); /* before anything is printed */
    if (rc != MB_OK)
        return rc;
    fputc('{', stdout);
    mb_record_print_json_members(stdout, r);
    fputs(r->n > 0 ? ", \"counters\": " : "\"counters\": ", stdout);
    print_counters_json(stdout, res, events, 0);
    fputs(", \"counters_full\": ", stdout);
    print_counters_json(stdout, res, events, 1);
    /* Where each available event was counted: PAPI, or the kernel's perf_event_open where
     * PAPI cannot count a kernel software event (docs/design.md, "Measurement"). */
    fputs(", \"counter_sources\": ", stdout);
    if (events == NULL) {
        fputs("null", stdout);
    } else {
        fputc('{', stdout);
        for (int e = 0; e < res->n_events; e++) {
            fputs(e ? ", " : "", stdout);
            mb_json_write_string(stdout, res->event_name[e]);
            fputs(": ", stdout);
            if (res->event_source[e][0])
                mb_json_write_string(stdout, res->event_source[e]);
            else
                fputs("null", stdout);
        }
        fputc('}', stdout);
    }
    fputs("}\n", stdout);
    return MB_OK;
}

/* What run builds from its options before anything runs. */
typedef struct {
    mb_exec_config c;
    mb_format format;
    const char *plan_path;
    const char *budget, *slow; /* the budgets' texts, for messages */
    mb_problem p;
    mb_solution s;             /* the solver's answer; a plan file's: feasible, no minimum */
    mb_cost_model solve_cost;  /* what the two-level solvers minimise (per unit) */
    mb_cost_model byte_cost;   /* the slow store's costs per byte, for the prediction */
    mb_time_costs time_cost;
} run_job;

/* Checks what the options say alone: the required ones, the network's sizes, one way to get
 * a plan, the pinned core (exit 2 naming the option before any work). */
static int check(const cli_values *v, run_job *j)
{
    static const char *const required[] = {"cell", "steps", "input", "hidden", "batch"};
    int rc = cli_no_args(v);
    for (size_t i = 0; rc == MB_OK && i < sizeof required / sizeof required[0]; i++)
        if (!cli_given(v, required[i]))
            rc = MB_ERROR(MB_EINVAL, i == 0 ? "--cell is required: lstm, gru or rnn"
                                            : "--%s is required (an integer >= 1)",
                          required[i]);
    if (rc == MB_OK)
        rc = mb_exec_config_check(&j->c);
    if (rc == MB_OK && j->plan_path == NULL && (v->solver == NULL || j->budget == NULL))
        rc = MB_ERROR(MB_EINVAL, "give --solver and --budget, or --plan FILE");
    if (rc == MB_OK && j->plan_path != NULL && j->slow != NULL)
        rc = MB_ERROR(MB_EINVAL, "--plan '%s' brings its own slow budget: leave out --slow-budget",
                      j->plan_path);
    if (rc == MB_OK && j->plan_path != NULL && (v->solver != NULL || j->budget != NULL))
        rc = MB_ERROR(MB_EINVAL, "--plan '%s' runs a plan file: leave out --solver and --budget",
                      j->plan_path);
    if (rc == MB_OK && v->quiet && v->progress)
        rc = MB_ERROR(MB_EINVAL, "--quiet and --progress: give one");
    if (rc == MB_OK && j->c.pin >= 0)
        rc = mb_topology_check("--pin", j->c.pin);
    return rc;
}

/* The problem in the cell's units (mb_exec_problem) with the budgets parsed as solve parses
 * them, the slow store's costs (cli_costs, shared with solve), and the solver's plan. */
static int solve_plan(const cli_values *v, run_job *j)
{
    mb_problem *p = &j->p;
    int rc = mb_exec_problem(&j->c, p);
    if (rc == MB_OK)
        rc = mb_parse_budget("--budget", j->budget, p, &p->budget);
    if (rc == MB_OK && j->slow != NULL)
        rc = mb_parse_slow_budget("--slow-budget", j->slow, p, &p->slow_budget);
    if (rc == MB_OK)
        rc = mb_problem_check(p);
    int64_t budget_bytes;
    if (rc == MB_OK && __builtin_mul_overflow(p->budget, p->unit_bytes, &budget_bytes))
        return MB_ERROR(MB_EINVAL, "--budget %s: %lld units of %lld bytes do not fit in a byte "
                        "count; give at most %lld units", j->budget, (long long)p->budget,
                        (long long)p->unit_bytes, (long long)(INT64_MAX / p->unit_bytes));
    int direct = cli_given(v, "cost-write") && cli_given(v, "cost-read");
    if (rc == MB_OK && p->slow_budget != 0 && v->store_costs == NULL && !direct)
        return MB_ERROR(MB_EINVAL, "--slow-budget %s: give the slow store's costs, --store-costs "
                        "FILE (membptt calibrate-store) or --cost-write W --cost-read R: the "
                        "two-level solvers need them", j->slow);
    if (rc == MB_OK && p->slow_budget != 0 && j->c.slow_dir == NULL)
        return MB_ERROR(MB_EINVAL, "--slow-budget %s: give --slow-dir DIR, where the slow "
                        "store's file goes", j->slow);
    if (rc == MB_OK)
        rc = cli_costs(v, p->unit_bytes, &j->solve_cost);
    if (rc == MB_OK && v->store_costs != NULL) { /* the prediction takes them per byte */
        rc = cli_costs(v, 1, &j->byte_cost);
        j->c.slow_costs = &j->byte_cost;
    }
    j->time_cost = cli_time_costs(&j->solve_cost);
    mb_solve_options so = v->solve;
    so.cost = &j->time_cost;
    if (rc == MB_OK)
        rc = mb_solve(v->solver, p, &so, &j->s);
    if (rc == MB_OK && !j->s.feasible) {
        mb_plan_free(j->s.plan);
        j->s.plan = NULL;
        rc = MB_ERROR(MB_EINFEASIBLE, "--budget %s (%lld units of %lld bytes) is infeasible for %s "
                      "at t = %lld; the smallest feasible budget is %lld units (%lld bytes)",
                      j->budget, (long long)p->budget, (long long)p->unit_bytes,
                      v->solver->name, (long long)p->steps, (long long)j->s.min_budget,
                      (long long)(j->s.min_budget * p->unit_bytes));
    }
    return rc;
}

/* Builds the job from the options: checks them, then solves, or loads the plan file. */
static int build(const cli_values *v, run_job *j)
{
    memset(j, 0, sizeof *j);
    j->c = v->exec;
    j->format = v->format;
    j->plan_path = v->plan;
    j->budget = v->problem.budget.value;
    j->slow = v->problem.slow_budget.value;
    j->s = (mb_solution){.feasible = 1, .min_budget = -1};
    /* progress on a terminal (or when asked for); stdout carries the result alone */
    j->c.progress = !v->quiet && (v->progress || isatty(STDERR_FILENO)) ? stderr : NULL;
    int rc = check(v, j);
    if (rc != MB_OK)
        return rc;
    if (j->plan_path == NULL)
        return solve_plan(v, j);
    mb_plan *plan;
    if ((rc = mb_plan_load(j->plan_path, &plan)) != MB_OK)
        return rc;
    j->p = plan->problem; /* mb_exec_run checks it against the cell before anything runs */
    j->s.plan = plan;
    return MB_OK;
}

int cmd_run(int argc, char **argv)
{
    cli_values v;
    run_job j;
    int rc = cli_parse(CLI_RUN, "run", argc, argv, &v);
    if (rc == MB_OK && v.help) {
        help();
        return 0;
    }
    if (rc == MB_OK)
        rc = build(&v, &j);
    if (rc != MB_OK)
        return cli_fail("run", rc);
    mb_exec_config c = j.c;
    mb_plan *plan = j.s.plan;
    const char *plan_path = j.plan_path;
    const mb_format format = j.format;
    const mb_problem p = j.p;
    const mb_solution s = j.s;

    mb_exec_result res;
    /* a file-size limit makes writes past it fail with EFBIG instead of killing us */
    signal(SIGXFSZ, SIG_IGN);
    rc = mb_exec_run(&c, plan, &res);
    if (rc == MB_EBADPLAN && plan_path != NULL) { /* a plan file refused: name it */
        char msg[768];
        snprintf(msg, sizeof msg, "--plan '%s': %s", plan_path, mb_errmsg());
        MB_ERROR(rc, "%s", msg);
    }
    if (rc != MB_OK) {
        mb_plan_free(plan);
        return cli_fail("run", rc);
    }
    for (int e = 0; e < res.n_events; e++)
        if (!res.event_available[e])
            fprintf(stderr, "membptt run: notice: %s\n", res.event_notice[e]);
    if (res.contended) /* marked in every output too (the contended column) */
        fprintf(stderr,
                "membptt run: warning: contended: a run had %.0f%% (plan) / %.0f%% (full BPTT) "
                "of its core at worst, below %.0f%%; its times are not trustworthy (%d "
                "attempt%s; --retry-contended N measures again)\n",
                100 * res.cpu_wall_min, 100 * res.cpu_wall_full_min, 100 * MB_EXEC_CONTENDED,
                res.attempts, res.attempts == 1 ? "" : "s");

    mb_record r;
    memset(&r, 0, sizeof r);
    mb_record_string(&r, "solver", plan->solver);
    mb_problem_record(&r, &p);
    mb_solution_record(&r, &p, &s);
    mb_exec_record(&r, &c, &res);
    mb_exec_record_slow(&r, &c, &p, &res);
    if (format != MB_FORMAT_JSON) /* JSON has them as one object (print_counters_json) */
        mb_exec_record_counters(&r, c.events, &res);

    mb_meta meta;
    rc = mb_meta_init(&meta, c.pin);
    if (rc == MB_OK)
        mb_meta_record(&meta, &r);
    mb_meta_fini(&meta);
    mb_plan_free(plan);
    if (rc != MB_OK)
        return cli_fail("run", rc);
    if (format == MB_FORMAT_JSON) {
        rc = print_json_with_counters(&r, &res, c.events);
        if (rc != MB_OK)
            return cli_fail("run", rc);
    } else if ((rc = mb_record_print(stdout, &r, format, 1)) != MB_OK) {
        return cli_fail("run", rc);
    }
    return 0;
}
