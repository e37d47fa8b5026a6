/* preflight.c: every point of a sweep checked before the first row (its keys, the limits its
 * solve would hit, a measured run's memory against the machine) and the plan of the sweep:
 * points per section, rough time per kind of point, the memory peak; the same estimates weight
 * the progress display's ETA. docs/design.md, "Sweeps, records and figures". */
#include "sweep/internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "exec/exec.h"
#include "measure/measure.h"

/* The rough speeds of the estimates, measured on a shared 2-core VM with OpenBLAS's SSE3
 * kernels: filling a DP table (an msm table of 15.5 MiB for t = 1800 filled in 0.93 s),
 * replaying a plan, and the executor's rate in the floating-point work counted below (an LSTM of
 * 64 hidden units, batch 4, ran 1.3e10 to 1.7e10 of them per second: the input projections are
 * batched and not recomputed). The progress display corrects them with the times it measures,
 * kind by kind. */
#define DP_BYTES_PER_S 2e7
#define OPS_PER_S 5e7
#define FLOPS_PER_S 1.6e10
#define MEASURED_OVERHEAD_S 1e-2 /* a network's weights, data and arenas, per measured point */
#define POINT_OVERHEAD_S 2e-5

/* The forward ops of a measured point's plan, before it is solved: hidden-state checkpointing
 * with the budget's hidden slots (Griewank's closed form, t + n(t, m), which every solver of a
 * point meets or beats up to a small factor), t(t+1)/2 with no slot, and 2t for a budget search
 * (its budget is not known yet). The recomputation grows as the budget shrinks against t, so a
 * series of lengths at one budget is not linear in t. */
static double plan_forward_ops(const mb_sweep_point *pt, const mb_problem *p)
{
    double t = (double)p->steps;
    if (pt->budget == NULL)
        return 2 * t;
    int64_t slots = p->budget / p->hidden_units;
    if (slots < 1)
        return t * (t + 1) / 2;
    return t + (double)mb_binomial_advances(p->steps, slots);
}

/* A measured run: for the plan and for full BPTT, its forward ops and t backward steps (about
 * two forward steps' work each), once to warm up, `repetitions` times to measure and once
 * counted. The forward step of an LSTM is 4 gates of (input + hidden) x hidden per batch row;
 * GRU 3, tanh RNN 1. */
static double measured_seconds(const mb_sweep_config *c, const mb_sweep_point *pt,
                               const mb_problem *p)
{
    double gates = strcmp(c->model.cell, "gru") == 0 ? 3 : strcmp(c->model.cell, "rnn") == 0 ? 1 : 4;
    double fwd = 2.0 * gates * (double)c->model.batch * (double)c->model.hidden *
                 (double)(c->model.input + c->model.hidden);
    double t = (double)p->steps, runs = (double)c->model.repetitions + 2.0;
    double steps = plan_forward_ops(pt, p) + 2 * t + 3 * t; /* the plan's, then full BPTT's */
    return runs * steps * fwd / FLOPS_PER_S + MEASURED_OVERHEAD_S;
}

/* The bytes a measured run holds at once: full BPTT's store and the plan's (at most its
 * budget), the inputs and their gradients, and the weights with their gradients. */
static double measured_bytes(const mb_sweep_config *c, const mb_problem *p)
{
    int64_t full = 0;
    mb_problem_full_units(p, &full);
    double unit = p->unit_bytes > 0 ? (double)p->unit_bytes : 4.0;
    double store = (double)full * unit + (double)(p->budget > 0 ? p->budget : full) * unit;
    double inputs = 2.0 * 4.0 * (double)p->steps * (double)c->model.batch * (double)c->model.input;
    double gates = strcmp(c->model.cell, "gru") == 0 ? 3 : strcmp(c->model.cell, "rnn") == 0 ? 1 : 4;
    double weights = 2.0 * 4.0 * gates * (double)c->model.hidden *
                     (double)(c->model.input + c->model.hidden + 1);
    return store + inputs + weights;
}

static double machine_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    return pages > 0 && size > 0 ? (double)pages * (double)size : INFINITY;
}

/* [model] slow_dir, where a measured point's slow store is created: an existing folder this
 * process can write. */
static int slow_dir_check(const mb_sweep_config *c)
{
    struct stat st;
    if (stat(c->slow_dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
        access(c->slow_dir, W_OK | X_OK) != 0)
        return MB_ERROR(MB_EINVAL, "%s = '%s': %s; allowed: an existing folder this user can "
                        "write, on the storage the slow store is meant to be (checked before "
                        "any row)", c->slow_dir_where, c->slow_dir,
                        stat(c->slow_dir, &st) != 0 ? strerror(errno)
                        : !S_ISDIR(st.st_mode)      ? "not a folder"
                                                    : "not writable");
    return MB_OK;
}

/* Names a point for a message: "point 7 ([problem big] msm, steps = 100000, budget = 5%)". */
static void point_name(const mb_sweep_point *pt, char *buf, size_t cap)
{
    char sizes[160] = "";
    if (pt->alpha)
        snprintf(sizes, sizeof sizes, ", alpha = %s", pt->alpha);
    else if (pt->hidden_bytes)
        snprintf(sizes, sizeof sizes, ", hidden_bytes = %s, internal_bytes = %s",
                 pt->hidden_bytes, pt->internal_bytes);
    snprintf(buf, cap, "point %zu ([problem %s] %s, steps = %s%s, %s%s)", pt->index,
             pt->section->name, pt->solver->name, pt->steps, sizes,
             pt->budget ? "budget = " : "budget search up to full-BPTT memory",
             pt->budget ? pt->budget : "");
}

int mb_sweep_preflight(const mb_sweep_config *c, int shard_index, int shard_count,
                       mb_sweep_preflight_report *rep, double *estimates)
{
    memset(rep, 0, sizeof *rep);
    int rc = MB_OK;
    if (c->n_counters > 0 && (rc = mb_sweep_counters_check(c)) != MB_OK)
        return rc;
    rep->sections = mb_calloc(c->n_problems ? c->n_problems : 1, sizeof *rep->sections);
    if (rep->sections == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    rep->n_sections = c->n_problems;
    for (size_t s = 0; s < c->n_problems; s++) {
        rep->sections[s].name = c->problems[s].name;
        rep->sections[s].measured = c->problems[s].mode == MB_SWEEP_MEASURED;
    }
    double ram = machine_bytes();
    size_t total = mb_sweep_point_count(c), k = 0;
    char what[512];
    for (size_t i = 0; i < total; i++) {
        if (!mb_sweep_shard_owns(shard_index, shard_count, i))
            continue;
        mb_sweep_point pt;
        if ((rc = mb_sweep_point_get(c, i, &pt)) != MB_OK)
            return rc;
        mb_problem p = pt.problem;
        int64_t min = 0, full = 0;
        if ((rc = mb_problem_full_units(&p, &full)) != MB_OK ||
            (rc = pt.solver->min_budget(&p, &min)) != MB_OK)
            return rc;
        if (pt.budget == NULL)
            p.budget = full > min ? full : min; /* the largest budget the search solves at */
        double table = 0;
        mb_cost_model cost;
        if ((rc = mb_sweep_point_cost(c, &pt, &cost)) != MB_OK ||
            (pt.section->mode == MB_SWEEP_MEASURED && p.slow_budget != 0 &&
             (rc = slow_dir_check(c)) != MB_OK))
            return rc;
        if ((rc = mb_solve_check(pt.solver, &p, &c->solve, &table)) != MB_OK) {
            point_name(&pt, what, sizeof what);
            return MB_ERROR(rc, "%s: %s (checked before any row)", what, mb_errmsg());
        }
        mb_sweep_section_plan *sp = &rep->sections[(size_t)(pt.section - c->problems)];
        double secs = POINT_OVERHEAD_S + table / DP_BYTES_PER_S +
                      3.0 * (double)p.steps / OPS_PER_S;
        if (pt.budget == NULL)
            secs *= 2.0 + log2((double)(full > min ? full - min : 1) + 1.0); /* bisection */
        double bytes = table;
        int infeasible = pt.budget != NULL && p.budget < min;
        if (pt.section->mode == MB_SWEEP_MEASURED && !infeasible) {
            double mb = measured_bytes(c, &p);
            if (mb > 0.9 * ram) {
                point_name(&pt, what, sizeof what);
                return MB_ERROR(MB_ERANGE, "%s: a measured run needs about %.1f GiB, more than "
                                "90%% of this machine's %.1f GiB; use a smaller [model] network "
                                "or fewer steps (checked before any row)", what, mb / 1073741824.0,
                                ram / 1073741824.0);
            }
            secs += measured_seconds(c, &pt, &p);
            bytes = mb > bytes ? mb : bytes;
        }
        sp->points++;
        sp->infeasible += (size_t)infeasible;
        sp->seconds += secs;
        if (bytes > sp->peak_bytes)
            sp->peak_bytes = bytes;
        rep->points++;
        if (pt.section->mode == MB_SWEEP_MEASURED) {
            rep->measured++;
            rep->measured_seconds += secs;
        } else {
            rep->analytic_seconds += secs;
        }
        if (bytes > rep->peak_bytes) {
            rep->peak_bytes = bytes;
            rep->peak_point = i;
        }
        if (estimates)
            estimates[k] = secs;
        k++;
    }
    return MB_OK;
}

void mb_sweep_preflight_free(mb_sweep_preflight_report *rep)
{
    mb_free(rep->sections);
    rep->sections = NULL;
}

static void print_time(FILE *f, double s)
{
    if (s < 1)
        fprintf(f, "%7.2f s", s);
    else if (s < 600)
        fprintf(f, "%7.0f s", s);
    else
        fprintf(f, "%5.1f min", s / 60);
}

static void print_bytes(FILE *f, double b)
{
    if (b < 1048576)
        fprintf(f, "%7.1f KiB", b / 1024);
    else if (b < 1073741824.0)
        fprintf(f, "%7.1f MiB", b / 1048576);
    else
        fprintf(f, "%7.1f GiB", b / 1073741824.0);
}

void mb_sweep_preflight_print(FILE *f, const mb_sweep_config *c,
                              const mb_sweep_preflight_report *rep)
{
    fprintf(f, "%s: %zu points in %zu problem sections, every one checked\n", c->path,
            rep->points, c->n_problems);
    fprintf(f, "  %-20s %8s  %-8s %10s %11s %12s\n", "section", "points", "kind", "infeasible",
            "est. time", "peak memory");
    for (size_t s = 0; s < rep->n_sections; s++) {
        const mb_sweep_section_plan *sp = &rep->sections[s];
        fprintf(f, "  %-20s %8zu  %-8s %10zu ", sp->name, sp->points,
                sp->measured ? "measured" : "analytic", sp->infeasible);
        print_time(f, sp->seconds);
        fputs("  ", f);
        print_bytes(f, sp->peak_bytes);
        fputc('\n', f);
    }
    fprintf(f, "  estimated time: analytic ");
    print_time(f, rep->analytic_seconds);
    fprintf(f, ", measured ");
    print_time(f, rep->measured_seconds);
    fprintf(f, " (rough; the progress display corrects it as points finish)\n");
    fprintf(f, "  memory peak: ");
    print_bytes(f, rep->peak_bytes);
    fprintf(f, " (point %zu: a DP table or a measured run)\n", rep->peak_point);
}
