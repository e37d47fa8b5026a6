/* cmd_solve.c: `membptt solve`, `membptt simulate` and `membptt compare`, which share the
 * problem options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "core/error.h"

static const char problem_help[] =
    "  --steps T              sequence length t (>= 1)\n"
    "  --alpha A              sizes in hidden-state units: a_h = 1, a_s = A (integer >= 1)\n"
    "  --hidden-bytes B       bytes of a hidden state (with --internal-bytes; the unit is\n"
    "  --internal-bytes B     their gcd). B takes suffixes: 4096, 64KiB, 3MB\n"
    "  --budget X             memory for checkpoints, h_0 included, the core excluded:\n"
    "                         units (249), bytes (64KiB, 3MB; needs byte sizes) or a\n"
    "                         percentage of full-BPTT memory a_h + a_s*(t-1) (5%, 2.5%)\n"
    "  --format F             text (default), json (one object) or csv (header + row)\n"
    "  --dp fast|textbook     how hsm/ism/msm fill their table; same results (default fast)\n"
    "  --max-table-mib N      refuse DP tables larger than N MiB (default 8192)\n"
    "  --slow-budget X        a slow store (level 1) beside memory: units, bytes, a\n"
    "                         percentage of full-BPTT memory or unlimited (default: none)\n"
    "  --cost-forward C  --cost-backward C      time of a forward / backward op (1, 2)\n"
    "  --cost-write W  --cost-read R            time per unit written to / read from the\n"
    "                         slow store (default 0)\n"
    "  --cost-write-latency L  --cost-read-latency L   time per slow-store transfer (0)\n"
    "  --store-costs FILE     all of these, in seconds, from membptt calibrate-store (needs\n"
    "                         byte sizes; not with the --cost-* options)\n"
    "  --quiet                no progress of long DP solves on stderr\n";

static void help(const char *cmd)
{
    if (strcmp(cmd, "compare") == 0) {
        printf("usage: membptt compare [--steps T] [--alpha A | --hidden-bytes B --internal-bytes B]\n"
               "                       [--budget X] [--format text|json|csv]\n\n"
               "Solves one problem with every solver, replays each plan and prints them side by\n"
               "side: forward ops, ops per step, peak memory and predicted time relative to full\n"
               "BPTT. Without options it is the paper's headline: t = 1000, alpha = 5, budget 5%%.\n"
               "With --format json it prints one object per solver, one per line (JSON lines);\n"
               "with --format csv one header and one row per solver.\n\n"
               "options:\n%s"
               "  --cost-copy C          time per unit copied into or out of memory (default 0)\n"
               "  --cost-recompute C     time of a recompute forward (default: --cost-forward)\n",
               problem_help);
        return;
    }
    int sim = strcmp(cmd, "simulate") == 0;
    printf("usage: membptt %s --solver NAME --steps T (--alpha A | --hidden-bytes B "
           "--internal-bytes B)\n"
           "                       --budget X [--format text|json|csv] [--plan-out FILE]%s\n\n",
           cmd, sim ? "\n                       [--cost-forward C] [--cost-backward C] [--cost-copy C]"
                 "\n                       [--cost-recompute C]" : "");
    if (strcmp(cmd, "solve") == 0)
        printf("The two-level solvers (msm2, hrevolve, disk-revolve) minimise predicted time and\n"
               "read the cost options; the others minimise forward ops.\n\n");
    if (sim)
        printf("Solves the problem, then replays the plan against the plan IR: it proves the\n"
               "plan valid (or names its first bad op), counts its ops, finds its peak and\n"
               "predicts its time as (forward_ops - recompute_ops)*c_f + recompute_ops*c_r +\n"
               "backward_ops*c_b + copied_units*c_copy (a recompute is a forward of a step\n"
               "already forwarded once).\n"
               "For hsm and revolve it prints the paper's bound m*t^(1+1/m) beside the cost.\n\n");
    else
        printf("Chooses which states to keep and which to recompute for t steps under a memory\n"
               "budget, prints the plan's cost and peak, and writes the plan file with --plan-out.\n\n");
    printf("options:\n"
           "  --solver NAME          one of: %s\n%s"
           "  --plan-out FILE        write the plan (JSON, format membptt-plan v1): a file is\n"
           "                         replaced whole or not at all (a link's target, not the\n"
           "                         link); a device or FIFO (/dev/stdout) is written into\n",
           mb_solver_names(), problem_help);
    if (sim)
        printf("  --cost-copy C          time per unit copied into or out of memory (default 0)\n"
               "  --cost-recompute C     time of a recompute forward (default: --cost-forward)\n");
    printf("\nsolvers:\n");
    size_t n;
    const mb_solver_type *const *all = mb_solver_all(&n);
    for (size_t i = 0; i < n; i++)
        printf("  %-8s %s\n           tie-break: %s\n", all[i]->name, all[i]->summary,
               all[i]->tie_break);
    printf("\nexit status: 0 ok, 1 runtime failure (a file or the report that cannot be written,\n"
           "or an internal error such as a solver plan failing its own replay), 2 invalid input,\n"
           "3 infeasible budget (the message names the smallest feasible one)\n");
}

mb_time_costs cli_time_costs(const mb_cost_model *m)
{
    return (mb_time_costs){m->forward, m->write, m->read, m->write_latency, m->read_latency};
}

int cli_costs(const cli_values *v, int64_t unit_bytes, mb_cost_model *out)
{
    static const char *const given_costs[] = {"cost-forward", "cost-backward", "cost-write",
                                              "cost-read", "cost-write-latency",
                                              "cost-read-latency"};
    *out = v->cost;
    if (v->store_costs == NULL)
        return MB_OK;
    for (size_t i = 0; i < sizeof given_costs / sizeof given_costs[0]; i++)
        if (cli_given(v, given_costs[i]))
            return MB_ERROR(MB_EINVAL, "--store-costs %s and --%s: give the costs one way",
                            v->store_costs, given_costs[i]);
    int rc = mb_cost_model_load(v->store_costs, unit_bytes, out);
    out->copy = v->cost.copy; /* not the store's: the file has none */
    out->recompute = v->cost.recompute;
    return rc;
}

/* Parses the options of solve, simulate or compare (`command`, one CLI_* bit) and builds the
 * problem, the costs and the solve options into a. Returns -1 to go on, or the exit status to
 * leave with (0 after --help). */
static int parse(int argc, char **argv, unsigned command, const char *cmd, cli_args *a)
{
    cli_values v;
    memset(a, 0, sizeof *a);
    int rc = cli_parse(command, cmd, argc, argv, &v);
    if (rc == MB_OK && v.help) {
        help(cmd);
        return 0;
    }
    if (rc == MB_OK)
        rc = cli_no_args(&v);
    if (rc == MB_OK && command != CLI_COMPARE && v.solver == NULL)
        rc = MB_ERROR(MB_EINVAL, "--solver is required; one of: %s", mb_solver_names());
    if (command == CLI_COMPARE) { /* the paper's headline unless told otherwise */
        mb_keyval *p = &v.problem.steps;
        v.problem.steps.value = p->value ? p->value : "1000";
        v.problem.budget.value = v.problem.budget.value ? v.problem.budget.value : "5%";
        if (!v.problem.alpha.value && !v.problem.hidden_bytes.value &&
            !v.problem.internal_bytes.value)
            v.problem.alpha.value = "5";
    }
    if (rc == MB_OK)
        rc = mb_problem_from_spec(&v.problem, &a->problem);
    if (rc == MB_OK)
        rc = cli_costs(&v, a->problem.unit_bytes, &a->cost);
    if (rc != MB_OK)
        return cli_fail(cmd, rc);
    a->solver = v.solver;
    a->format = v.format;
    a->plan_out = v.plan_out;
    a->solve = v.solve;
    a->solve.progress = v.quiet ? NULL : stderr; /* long DP solves say their size, progress */
    a->time = cli_time_costs(&a->cost);
    a->solve.cost = &a->time;
    return -1;
}

/* The columns of a solve: the solver, the problem, the answer and its solve time. */
static void record_solution(mb_record *r, const char *solver, const mb_problem *p,
                            const mb_solution *s)
{
    mb_record_string(r, "solver", solver);
    mb_problem_record(r, p);
    mb_solution_record(r, p, s);
    mb_solution_record_time(r, s);
}

/* Replays the solver's own plan; an invalid one is a bug in membptt, not bad input. */
static int replay_own(const mb_solver_type *type, const mb_plan *plan, mb_sim_report *rep)
{
    int rc = mb_sim_replay(plan, rep);
    if (rc == MB_OK && !rep->valid)
        rc = MB_ERROR(MB_EINTERNAL, "internal error: the %s plan fails its own replay: %s",
                      type->name, rep->reason);
    return rc;
}

static int infeasible(const char *cmd, const char *solver, const mb_problem *p, int64_t min)
{
    MB_ERROR(MB_EINFEASIBLE,
             "budget %lld units is infeasible for %s at t = %lld; the smallest feasible budget "
             "is %lld units",
             (long long)p->budget, solver, (long long)p->steps, (long long)min);
    if (p->unit_bytes > 0) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s (%lld bytes)", mb_errmsg(), (long long)(min * p->unit_bytes));
        MB_ERROR(MB_EINFEASIBLE, "%s", msg);
    }
    return cli_fail(cmd, MB_EINFEASIBLE);
}

static int solve_or_simulate(int argc, char **argv, const char *cmd, int simulate)
{
    cli_args a;
    int status = parse(argc, argv, simulate ? CLI_SIMULATE : CLI_SOLVE, cmd, &a);
    if (status >= 0)
        return status;
    mb_solution s;
    int rc = mb_solve(a.solver, &a.problem, &a.solve, &s);
    if (rc != MB_OK)
        return cli_fail(cmd, rc);
    mb_record r = {0};
    record_solution(&r, a.solver->name, &a.problem, &s);
    if (simulate) {
        mb_sim_report rep;
        double full_time = 0;
        if ((s.feasible && (rc = replay_own(a.solver, s.plan, &rep)) != MB_OK) ||
            (rc = mb_sim_full_time(&a.problem, &a.cost, &full_time)) != MB_OK) {
            mb_plan_free(s.plan);
            return cli_fail(cmd, rc);
        }
        mb_cost_model_record(&r, &a.cost);
        mb_sim_record(&r, &a.problem, s.feasible ? &rep : NULL, &a.cost, full_time,
                      (a.solver->flags & MB_SOLVER_HSM_BOUND) != 0);
        if (s.feasible)
            mb_sim_record_slow(&r, &a.problem, &rep);
        mb_cost_model_record_slow(&r, &a.problem, &a.cost);
        mb_sim_record_recompute(&r, s.feasible ? &rep : NULL, &a.cost);
    }
    if (s.feasible && a.plan_out && (rc = mb_plan_save(s.plan, a.plan_out)) != MB_OK) {
        mb_plan_free(s.plan);
        return cli_fail(cmd, rc);
    }
    rc = mb_record_print(stdout, &r, a.format, 1); /* main() checks that it was written */
    mb_plan_free(s.plan);
    if (rc != MB_OK)
        return cli_fail(cmd, rc);
    if (!s.feasible)
        return infeasible(cmd, a.solver->name, &a.problem, s.min_budget);
    return 0;
}

int cmd_solve(int argc, char **argv) { return solve_or_simulate(argc, argv, "solve", 0); }

int cmd_simulate(int argc, char **argv) { return solve_or_simulate(argc, argv, "simulate", 1); }

int cmd_compare(int argc, char **argv)
{
    cli_args a;
    int status = parse(argc, argv, CLI_COMPARE, "compare", &a);
    if (status >= 0)
        return status;
    const mb_problem *p = &a.problem;
    int64_t full;
    double full_time;
    int rc = mb_problem_full_units(p, &full);
    if (rc == MB_OK)
        rc = mb_sim_full_time(p, &a.cost, &full_time);
    if (rc != MB_OK)
        return cli_fail("compare", rc);
    if (a.format == MB_FORMAT_TEXT)
        printf("t = %lld, a_h = %lld, a_s = %lld units, budget %lld units (%.2f%% of full BPTT's "
               "%lld); time model c_f = %g, c_b = %g, c_copy = %g, c_r = %g\n\n"
               "%-12s %12s %9s %10s %12s %9s\n",
               (long long)p->steps, (long long)p->hidden_units, (long long)p->internal_units,
               (long long)p->budget, 100.0 * (double)p->budget / (double)full, (long long)full,
               a.cost.forward, a.cost.backward, a.cost.copy, mb_cost_recompute(&a.cost), "solver", "forward_ops", "per_step",
               "peak", "time/full", "solve_s");
    size_t n;
    const mb_solver_type *const *all = mb_solver_all(&n);
    int rows = 0;
    for (size_t i = 0; i < n; i++) {
        /* the two-level solvers only beside a slow store; one that cannot plan for this
         * slow store (disk-revolve with a finite one) says so and is left out */
        if ((all[i]->flags & MB_SOLVER_TWO_LEVEL) && p->slow_budget == 0)
            continue;
        mb_solution s;
        rc = mb_solve(all[i], p, &a.solve, &s);
        if (rc == MB_EINVAL && (all[i]->flags & MB_SOLVER_TWO_LEVEL)) {
            if (a.format == MB_FORMAT_TEXT)
                printf("%-12s n/a: %s\n", all[i]->name, mb_errmsg());
            continue;
        }
        if (rc != MB_OK)
            return cli_fail("compare", rc);
        mb_sim_report rep = {0};
        if (s.feasible && (rc = replay_own(all[i], s.plan, &rep)) != MB_OK) {
            mb_plan_free(s.plan);
            return cli_fail("compare", rc);
        }
        double rel = s.feasible ? mb_sim_predict(&rep, &a.cost) / full_time : 0.0;
        if (a.format == MB_FORMAT_TEXT) {
            if (s.feasible)
                printf("%-12s %12lld %9.3f %10lld %12.3f %9.3f\n", all[i]->name,
                       (long long)rep.forward_ops, (double)rep.forward_ops / (double)p->steps,
                       (long long)rep.peak, rel, s.solve_seconds);
            else
                printf("%-12s infeasible: needs a budget of at least %lld units\n", all[i]->name,
                       (long long)s.min_budget);
            mb_plan_free(s.plan);
            continue;
        }
        mb_record r = {0};
        record_solution(&r, all[i]->name, p, &s);
        mb_sim_record(&r, p, s.feasible ? &rep : NULL, &a.cost, full_time,
                      (all[i]->flags & MB_SOLVER_HSM_BOUND) != 0);
        if (s.feasible)
            mb_sim_record_slow(&r, p, &rep);
        rc = mb_record_print(stdout, &r, a.format, rows++ == 0);
        mb_plan_free(s.plan);
        if (rc != MB_OK)
            return cli_fail("compare", rc);
    }
    return 0;
}
