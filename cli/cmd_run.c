/* cmd_run.c: `membptt run`: executes a plan (from a solver or a plan file) on a real LSTM, GRU
 * or tanh RNN, against full BPTT in the same process, and reports measured time, memory,
 * counters and the cost model's prediction. */
#include <getopt.h>
#include <signal.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/error.h"
#include "core/json.h"
#include "exec/exec.h"
#include "measure/measure.h"

enum {
    OPT_CELL = 256, OPT_STEPS, OPT_INPUT, OPT_HIDDEN, OPT_BATCH, OPT_OUTPUT, OPT_SOLVER,
    OPT_BUDGET, OPT_PLAN, OPT_REPEAT, OPT_THREADS, OPT_PIN, OPT_EVENTS, OPT_SEED, OPT_FORMAT,
    OPT_INPUT_GRADS, OPT_SLOW_BUDGET, OPT_SLOW_DIR, OPT_SLOW_DIRECT, OPT_STORE_COSTS,
    OPT_RETRY_CONTENDED, OPT_MAX_TABLE, OPT_HELP
};

static const struct option long_options[] = {
    {"cell", required_argument, NULL, OPT_CELL},
    {"steps", required_argument, NULL, OPT_STEPS},
    {"input", required_argument, NULL, OPT_INPUT},
    {"hidden", required_argument, NULL, OPT_HIDDEN},
    {"batch", required_argument, NULL, OPT_BATCH},
    {"output", required_argument, NULL, OPT_OUTPUT},
    {"solver", required_argument, NULL, OPT_SOLVER},
    {"budget", required_argument, NULL, OPT_BUDGET},
    {"plan", required_argument, NULL, OPT_PLAN},
    {"repeat", required_argument, NULL, OPT_REPEAT},
    {"threads", required_argument, NULL, OPT_THREADS},
    {"pin", required_argument, NULL, OPT_PIN},
    {"events", required_argument, NULL, OPT_EVENTS},
    {"seed", required_argument, NULL, OPT_SEED},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"input-grads", no_argument, NULL, OPT_INPUT_GRADS},
    {"slow-budget", required_argument, NULL, OPT_SLOW_BUDGET},
    {"slow-dir", required_argument, NULL, OPT_SLOW_DIR},
    {"slow-direct", no_argument, NULL, OPT_SLOW_DIRECT},
    {"store-costs", required_argument, NULL, OPT_STORE_COSTS},
    {"retry-contended", required_argument, NULL, OPT_RETRY_CONTENDED},
    {"max-table-mib", required_argument, NULL, OPT_MAX_TABLE},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static void help(void)
{
    printf(
        "usage: membptt run --cell lstm|gru|rnn --steps T --input I --hidden H --batch B\n"
        "                   (--solver S --budget X | --plan FILE) [--repeat N] [--threads N]\n"
        "                   [--pin CORE] [--events LIST] [--seed N] [--output O]\n"
        "                   [--input-grads] [--retry-contended N] [--max-table-mib N]\n"
        "                   [--format text|json|csv]\n\n"
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
        "loss is sum_k 0.5*||h_k W_y - y_k||^2, computed once per step inside backward k.\n\n"
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
        "                   uses them (required with --slow-budget and --solver)\n"
        "  --retry-contended N  measure again, up to N times, while a run is contended\n"
        "                   (default 0)\n"
        "  --max-table-mib N  refuse DP tables (hsm, ism, msm) larger than N MiB (default 8192)\n"
        "  --format F       text (default), json (one object) or csv (header + row)\n\n"
        "Full BPTT is the baseline: it runs with its own memory whatever the budget.\n\n"
        "exit status: 0 ok, 1 runtime failure, 2 invalid input, 3 infeasible budget (the\n"
        "message names the smallest feasible one), 4 a plan file that is invalid or for other\n"
        "sizes (the message names the first bad op)\n",
        mb_solver_names(), MB_COUNTERS_DEFAULT);
}

static int parse_int_opt(const char *key, const char *text, int64_t min, int64_t max, int *out)
{
    int64_t v;
    int rc = mb_parse_int(key, text, min, max, &v);
    if (rc == MB_OK)
        *out = (int)v;
    return rc;
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

int cmd_run(int argc, char **argv)
{
    const char *cell = NULL, *steps = NULL, *input = NULL, *hidden = NULL, *batch = NULL,
               *output = NULL, *solver = NULL, *budget = NULL, *plan_path = NULL,
               *slow = NULL, *costs_path = NULL;
    mb_exec_config c = mb_exec_config_default();
    mb_format format = MB_FORMAT_TEXT;
    int64_t max_table_mib = 8192;
    int rc = MB_OK;
    opterr = 0;
    optind = 1;
    int o, given[OPT_HELP - OPT_CELL + 1] = {0};
    while (rc == MB_OK && (o = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        if (o >= OPT_CELL && o < OPT_HELP && given[o - OPT_CELL]++) {
            rc = MB_ERROR(MB_EINVAL, "--%s given twice; give each option once",
                          long_options[o - OPT_CELL].name);
            break;
        }
        switch (o) {
        case OPT_CELL: cell = optarg; break;
        case OPT_STEPS: steps = optarg; break;
        case OPT_INPUT: input = optarg; break;
        case OPT_HIDDEN: hidden = optarg; break;
        case OPT_BATCH: batch = optarg; break;
        case OPT_OUTPUT: output = optarg; break;
        case OPT_SOLVER: solver = optarg; break;
        case OPT_BUDGET: budget = optarg; break;
        case OPT_PLAN: plan_path = optarg; break;
        case OPT_REPEAT: rc = parse_int_opt("--repeat", optarg, 1, 100000, &c.repeat); break;
        case OPT_THREADS: rc = parse_int_opt("--threads", optarg, 1, 1024, &c.threads); break;
        case OPT_PIN: rc = parse_int_opt("--pin", optarg, 0, 1 << 20, &c.pin); break;
        case OPT_EVENTS:
            c.events = strcmp(optarg, "default") == 0 ? MB_COUNTERS_DEFAULT : optarg;
            break;
        case OPT_SEED: {
            int64_t s;
            rc = mb_parse_int("--seed", optarg, 0, INT64_MAX, &s);
            c.seed = (uint64_t)s;
            break;
        }
        case OPT_FORMAT: rc = mb_format_parse("--format", optarg, &format); break;
        case OPT_INPUT_GRADS: c.input_grads = 1; break;
        case OPT_MAX_TABLE:
            rc = mb_parse_int("--max-table-mib", optarg, 1, INT64_C(1) << 32, &max_table_mib);
            break;
        case OPT_SLOW_BUDGET: slow = optarg; break;
        case OPT_SLOW_DIR: c.slow_dir = optarg; break;
        case OPT_SLOW_DIRECT: c.slow_direct = 1; break;
        case OPT_STORE_COSTS: costs_path = optarg; break;
        case OPT_RETRY_CONTENDED:
            rc = parse_int_opt("--retry-contended", optarg, 0, 1000, &c.retry_contended);
            break;
        case 'h':
        case OPT_HELP: help(); return 0;
        case ':': rc = MB_ERROR(MB_EINVAL, "%s: missing value", argv[optind - 1]); break;
        default: rc = MB_ERROR(MB_EINVAL, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (rc == MB_OK && optind < argc)
        rc = MB_ERROR(MB_EINVAL, "unexpected argument '%s'", argv[optind]);
    if (rc != MB_OK)
        return cli_fail("run", rc);

    /* Sizes: each required, each an integer >= 1 (the byte sizes are checked for overflow
     * by mb_exec_config_check). */
    const struct {
        const char *key, *text;
        int64_t *dst;
    } sizes[] = {{"--steps", steps, &c.steps}, {"--input", input, &c.input},
                 {"--hidden", hidden, &c.hidden}, {"--batch", batch, &c.batch}};
    if (cell == NULL)
        rc = MB_ERROR(MB_EINVAL, "--cell is required: lstm, gru or rnn");
    else
        rc = mb_cell_parse("--cell", cell, &c.cell);
    for (size_t i = 0; rc == MB_OK && i < 4; i++) {
        if (sizes[i].text == NULL)
            rc = MB_ERROR(MB_EINVAL, "%s is required (an integer >= 1)", sizes[i].key);
        else
            rc = mb_parse_int(sizes[i].key, sizes[i].text, 1, INT64_MAX, sizes[i].dst);
    }
    if (rc == MB_OK && output != NULL)
        rc = mb_parse_int("--output", output, 1, INT64_MAX, &c.output);
    if (rc == MB_OK)
        rc = mb_exec_config_check(&c);
    if (rc == MB_OK && plan_path == NULL && (solver == NULL || budget == NULL))
        rc = MB_ERROR(MB_EINVAL, "give --solver and --budget, or --plan FILE");
    if (rc == MB_OK && plan_path != NULL && slow != NULL)
        rc = MB_ERROR(MB_EINVAL, "--plan '%s' brings its own slow budget: leave out --slow-budget",
                      plan_path);
    if (rc == MB_OK && plan_path != NULL && (solver != NULL || budget != NULL))
        rc = MB_ERROR(MB_EINVAL, "--plan '%s' runs a plan file: leave out --solver and --budget",
                      plan_path);
    const mb_solver_type *type = NULL;
    if (rc == MB_OK && solver != NULL && (type = mb_solver_lookup(solver)) == NULL)
        rc = MB_ERROR(MB_EINVAL, "--solver '%s': unknown; one of: %s", solver, mb_solver_names());
    if (rc == MB_OK && c.events != NULL) {
        /* Validate the event list now (exit 2 naming a malformed one) before any work. */
        mb_counters *probe;
        rc = mb_counters_open_key("--events", c.events, &probe);
        if (rc == MB_OK)
            mb_counters_close(probe);
    }
    if (rc == MB_OK && c.pin >= 0)
        rc = mb_topology_check("--pin", c.pin); /* exit 2 naming the core before any work */
    if (rc != MB_OK)
        return cli_fail("run", rc);

    /* The problem in the cell's units; the budget parsed exactly as solve parses it. */
    int64_t hb, ib;
    if ((rc = mb_exec_state_bytes(&c, &hb, &ib)) != MB_OK)
        return cli_fail("run", rc);
    mb_plan *plan = NULL;
    mb_problem p;
    mb_cost_model solve_cost, byte_cost;
    mb_time_costs time_cost;
    mb_solve_options so = {0};
    mb_solution s = {.feasible = 1, .min_budget = -1}; /* a plan file: no solver was asked */
    if (plan_path == NULL) {
        char hbs[32], ibs[32], ts[32];
        snprintf(hbs, sizeof hbs, "%" PRId64, hb);
        snprintf(ibs, sizeof ibs, "%" PRId64, ib);
        snprintf(ts, sizeof ts, "%" PRId64, c.steps);
        const mb_problem_spec spec = {{"--steps", ts},
                                      {"--alpha", NULL},
                                      {"the cell's hidden bytes", hbs},
                                      {"the cell's internal bytes", ibs},
                                      {"--budget", budget},
                                      {"--slow-budget", slow}};
        if ((rc = mb_problem_from_spec(&spec, &p)) != MB_OK)
            return cli_fail("run", rc);
        int64_t budget_bytes;
        if (__builtin_mul_overflow(p.budget, p.unit_bytes, &budget_bytes))
            return cli_fail("run", MB_ERROR(MB_EINVAL,
                                            "--budget %s: %lld units of %lld bytes do not fit "
                                            "in a byte count; give at most %lld units",
                                            budget, (long long)p.budget,
                                            (long long)p.unit_bytes,
                                            (long long)(INT64_MAX / p.unit_bytes)));
        so.max_table_bytes = max_table_mib * (INT64_C(1) << 20);
        if (p.slow_budget != 0 && costs_path == NULL)
            return cli_fail("run", MB_ERROR(MB_EINVAL, "--slow-budget %s: give --store-costs FILE "
                                            "(membptt calibrate-store): the two-level solvers "
                                            "need the slow store's costs", slow));
        if (p.slow_budget != 0 && c.slow_dir == NULL)
            return cli_fail("run", MB_ERROR(MB_EINVAL, "--slow-budget %s: give --slow-dir DIR, "
                                            "where the slow store's file goes", slow));
        if (costs_path != NULL &&
            ((rc = mb_cost_model_load(costs_path, p.unit_bytes, &solve_cost)) != MB_OK ||
             (rc = mb_cost_model_load(costs_path, 1, &byte_cost)) != MB_OK))
            return cli_fail("run", rc);
        if (costs_path != NULL) {
            time_cost = cli_time_costs(&solve_cost);
            so.cost = &time_cost;
            c.slow_costs = &byte_cost;
        }
        if ((rc = mb_solve(type, &p, &so, &s)) != MB_OK)
            return cli_fail("run", rc);
        if (!s.feasible) {
            MB_ERROR(MB_EINFEASIBLE,
                     "--budget %s (%lld units of %lld bytes) is infeasible for %s at t = %lld; "
                     "the smallest feasible budget is %lld units (%lld bytes)",
                     budget, (long long)p.budget, (long long)p.unit_bytes, type->name,
                     (long long)p.steps, (long long)s.min_budget,
                     (long long)(s.min_budget * p.unit_bytes));
            return cli_fail("run", MB_EINFEASIBLE);
        }
        plan = s.plan;
    } else {
        if ((rc = mb_plan_load(plan_path, &plan)) != MB_OK)
            return cli_fail("run", rc);
        p = plan->problem; /* mb_exec_run checks it against the cell before anything runs */
        s.plan = plan;
    }

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
