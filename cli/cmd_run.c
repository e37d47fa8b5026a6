/* cmd_run.c: `membptt run`: executes a plan (from a solver or a plan file) on a real LSTM, GRU
 * or tanh RNN, against full BPTT in the same process, and reports measured time, memory,
 * counters and the cost model's prediction. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        "                   [--input-grads] [--retry-contended N] [--format text|json|csv]\n\n"
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
        "  --retry-contended N  measure again, up to N times, while a run is contended\n"
        "                   (default 0)\n"
        "  --format F       text (default), json (one object) or csv (header + row)\n\n"
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

/* Builds the run's configuration from the options; exit 2 (MB_EINVAL) naming the option. */
static int build_config(const cli_values *v, mb_exec_config *c /* out */)
{
    *c = mb_exec_config_default();
    if (v->cell == NULL)
        return MB_ERROR(MB_EINVAL, "--cell is required: lstm, gru or rnn");
    int rc = mb_cell_parse("--cell", v->cell, &c->cell);
    if (rc == MB_OK && v->steps == NULL)
        rc = MB_ERROR(MB_EINVAL, "--steps is required (an integer >= 1)");
    if (rc == MB_OK)
        rc = mb_parse_int("--steps", v->steps, 1, MB_MAX_STEPS, &c->steps);
    static const char *const required[] = {"input", "hidden", "batch"};
    for (size_t i = 0; rc == MB_OK && i < 3; i++)
        if (!cli_given(v, required[i]))
            rc = MB_ERROR(MB_EINVAL, "--%s is required (an integer >= 1)", required[i]);
    if (rc != MB_OK)
        return rc;
    c->input = v->input;
    c->hidden = v->hidden;
    c->batch = v->batch;
    c->output = v->output; /* 0 when not given: O = I */
    if (cli_given(v, "repeat"))
        c->repeat = v->repeat;
    if (cli_given(v, "threads"))
        c->threads = v->threads;
    if (cli_given(v, "seed"))
        c->seed = (uint64_t)v->seed;
    c->pin = v->pin;
    if (cli_given(v, "retry-contended"))
        c->retry_contended = v->retry_contended;
    c->input_grads = v->input_grads;
    if (v->events != NULL)
        c->events = strcmp(v->events, "default") == 0 ? MB_COUNTERS_DEFAULT : v->events;
    if ((rc = mb_exec_config_check(c)) != MB_OK)
        return rc;
    if (v->plan == NULL && (v->solver == NULL || v->budget == NULL))
        return MB_ERROR(MB_EINVAL, "give --solver and --budget, or --plan FILE");
    if (v->plan != NULL && (v->solver != NULL || v->budget != NULL))
        return MB_ERROR(MB_EINVAL, "--plan '%s' runs a plan file: leave out --solver and --budget",
                        v->plan);
    if (c->events != NULL) {
        /* Validate the event list now (exit 2 naming a malformed one) before any work. */
        mb_counters *probe;
        if ((rc = mb_counters_open_key("--events", c->events, &probe)) != MB_OK)
            return rc;
        mb_counters_close(probe);
    }
    if (c->pin >= 0)
        return mb_topology_check("--pin", c->pin); /* exit 2 naming the core before any work */
    return MB_OK;
}

/* The plan to run: the solver's at the budget (parsed exactly as solve parses it, in the
 * cell's own units) or the plan file's. */
static int build_plan(const cli_values *v, const mb_exec_config *c, mb_problem *p /* out */,
                      mb_solution *s /* out */)
{
    *s = (mb_solution){.feasible = 1, .min_budget = -1}; /* a plan file: no solver was asked */
    int rc;
    if (v->plan != NULL) {
        if ((rc = mb_plan_load(v->plan, &s->plan)) != MB_OK)
            return rc;
        *p = s->plan->problem; /* mb_exec_run checks it against the cell before anything runs */
        return MB_OK;
    }
    const mb_solver_type *type = mb_solver_lookup(v->solver);
    if (type == NULL)
        return MB_ERROR(MB_EINVAL, "--solver '%s': unknown; one of: %s", v->solver,
                        mb_solver_names());
    if ((rc = mb_exec_problem(c, p)) != MB_OK ||
        (rc = mb_parse_budget("--budget", v->budget, p, &p->budget)) != MB_OK ||
        (rc = mb_problem_check(p)) != MB_OK || (rc = mb_solve(type, p, NULL, s)) != MB_OK)
        return rc;
    if (!s->feasible)
        return MB_ERROR(MB_EINFEASIBLE,
                        "--budget %s (%lld units of %lld bytes) is infeasible for %s at t = %lld; "
                        "the smallest feasible budget is %lld units (%lld bytes)",
                        v->budget, (long long)p->budget, (long long)p->unit_bytes, type->name,
                        (long long)p->steps, (long long)s->min_budget,
                        (long long)(s->min_budget * p->unit_bytes));
    return MB_OK;
}

int cmd_run(int argc, char **argv)
{
    cli_values v;
    mb_exec_config c;
    int rc = cli_parse(CLI_RUN, "run", argc, argv, &v);
    if (rc == MB_OK && v.help) {
        help();
        return 0;
    }
    if (rc == MB_OK && v.n_args > 0)
        rc = MB_ERROR(MB_EINVAL, "unexpected argument '%s'", v.args[0]);
    if (rc == MB_OK)
        rc = build_config(&v, &c);
    if (rc != MB_OK)
        return cli_fail("run", rc);
    mb_format format = v.format;
    mb_problem p;
    mb_solution s;
    if ((rc = build_plan(&v, &c, &p, &s)) != MB_OK)
        return cli_fail("run", rc);
    mb_plan *plan = s.plan;

    mb_exec_result res;
    rc = mb_exec_run(&c, plan, &res);
    if (rc == MB_EBADPLAN && v.plan != NULL) { /* a plan file refused: name it */
        char msg[768];
        snprintf(msg, sizeof msg, "--plan '%s': %s", v.plan, mb_errmsg());
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
