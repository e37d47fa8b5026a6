/* bench_solvers.c: the DP solver benchmark. For each (t, budget, DP) it times the fast table
 * builder, the textbook O(t^2 * rows) one and the earlier branch and bound (MB_DP_BNB) on the
 * same problem in the same run, reports medians, their ratios to the fast one, whether the
 * three policy tables are equal (hash of the whole table), and each run's peak memory.
 *
 * Every run is a fresh child process (fork), so its peak RSS (wait4) is that run's alone and
 * a run over its time limit can be stopped. The fast builder's timed runs do not hash the
 * policy table; one more untimed run gives its hash. A textbook or bnb run is timed with the
 * hashing included (a pass over the table: well under 1% of their time).
 *
 * The textbook builder is not started when its predicted time (ns per inner step measured
 * earlier in this run, times the inner steps) is over --textbook-limit; bnb runs are stopped
 * at --bnb-limit. Either way the row says so and leaves the time empty, never made up.
 *
 * Times: time_s (the median), time_min_s and time_max_s are wall-clock; cpu_s is the median
 * of the runs' user + system CPU time (from wait4), which is what "one core" means on a machine
 * shared with other work; the ratios in the summary are CPU ratios. vmhwm_mib is the largest
 * peak resident set (VmHWM, wait4's ru_maxrss) of the runs, in MiB.
 *
 * Output: CSV on stdout, or with --out FILE.csv into that file and its JSON sidecar FILE.json
 * (the rerun command and the machine's metadata); a summary table on stderr. Column names are
 * those of the sweeps (docs/columns.md). */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"
#include "solvers/solvers.h"
#include "measure/measure.h"
#include "sweep/sweep.h"

#define MAX_REPS 63

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* What a child reports. */
typedef struct {
    int rc;
    double seconds;
    int64_t cost;
    uint64_t hash;
    char msg[200];
} run_result;

/* Runs one mb_dp_cost in a child; *peak_mib gets its peak RSS (VmHWM), *cpu_s its user + system CPU
 * seconds (the whole child: the solve and little else). Returns 0 on success, 1 when
 * stopped at `limit` seconds (0: no limit), -1 on failure (message in r->msg). */
static int run_child(int moves, const mb_problem *p, mb_dp_method method, int hash,
                     double limit, run_result *r, double *peak_mib, double *cpu_s)
{
    int fd[2];
    memset(r, 0, sizeof *r);
    if (pipe(fd) != 0) {
        snprintf(r->msg, sizeof r->msg, "pipe: %s", strerror(errno));
        return -1;
    }
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(r->msg, sizeof r->msg, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        close(fd[0]);
        run_result c = {0};
        int64_t *costs = mb_malloc((size_t)(p->steps + 1) * sizeof *costs);
        mb_solve_options o = {.dp_method = method};
        double t0 = mb_clock_wall();
        c.rc = costs ? mb_dp_cost(moves, p, &o, costs, hash ? &c.hash : NULL) : MB_ENOMEM;
        c.seconds = mb_clock_wall() - t0;
        if (c.rc == MB_OK)
            c.cost = costs[p->steps];
        else
            snprintf(c.msg, sizeof c.msg, "%s", costs ? mb_errmsg() : "out of memory");
        ssize_t w = write(fd[1], &c, sizeof c);
        _exit(w == (ssize_t)sizeof c ? 0 : 1);
    }
    close(fd[1]);
    struct pollfd pfd = {fd[0], POLLIN, 0};
    int ready = poll(&pfd, 1, limit > 0 ? (int)(limit * 1000.0) : -1);
    int stopped = ready == 0;
    if (stopped)
        kill(pid, SIGKILL);
    ssize_t got = stopped ? 0 : read(fd[0], r, sizeof *r);
    close(fd[0]);
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR)
        ;
    *peak_mib = (double)ru.ru_maxrss / 1024.0;
    *cpu_s = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
             (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    if (stopped)
        return 1;
    if (got != (ssize_t)sizeof *r) {
        snprintf(r->msg, sizeof r->msg, "the child run failed (status %d)", status);
        return -1;
    }
    if (r->rc != MB_OK)
        return -1;
    return 0;
}

/* One method's measurement of one case. */
typedef struct {
    const char *method;
    int runs;
    double med, min, max, peak_mib, cpu_med;
    int64_t cost;
    uint64_t hash;
    int have_hash;
    char skipped[160];
} measure;

/* Times `reps` runs (each a child); with hash_in_run the runs hash the table, else one more
 * untimed run does. */
static int measure_method(int moves, const mb_problem *p, mb_dp_method method, int reps,
                          int hash_in_run, double limit, measure *m)
{
    double times[MAX_REPS], cpus[MAX_REPS], cpu;
    run_result r;
    m->peak_mib = 0.0;
    for (int i = 0; i < reps; i++) {
        double peak;
        int rc = run_child(moves, p, method, hash_in_run, limit, &r, &peak, &cpu);
        if (rc == 1) {
            snprintf(m->skipped, sizeof m->skipped, "stopped after %g s (--%s-limit)", limit,
                     m->method);
            m->runs = 0;
            return 0;
        }
        if (rc != 0) {
            fprintf(stderr, "bench_solvers: %s t=%lld: %s\n", m->method, (long long)p->steps,
                    r.msg);
            return 1;
        }
        times[i] = r.seconds;
        cpus[i] = cpu;
        m->peak_mib = peak > m->peak_mib ? peak : m->peak_mib;
        m->cost = r.cost;
        if (hash_in_run) {
            m->hash = r.hash;
            m->have_hash = 1;
        }
    }
    if (!hash_in_run) {
        double peak;
        if (run_child(moves, p, method, 1, 0.0, &r, &peak, &cpu) != 0) {
            fprintf(stderr, "bench_solvers: %s t=%lld: %s\n", m->method, (long long)p->steps,
                    r.msg);
            return 1;
        }
        m->hash = r.hash;
        m->have_hash = 1;
    }
    qsort(times, (size_t)reps, sizeof times[0], cmp_double);
    qsort(cpus, (size_t)reps, sizeof cpus[0], cmp_double);
    m->cpu_med = reps % 2 ? cpus[reps / 2] : 0.5 * (cpus[reps / 2 - 1] + cpus[reps / 2]);
    m->runs = reps;
    m->min = times[0];
    m->max = times[reps - 1];
    m->med = reps % 2 ? times[reps / 2] : 0.5 * (times[reps / 2 - 1] + times[reps / 2]);
    return 0;
}

static const struct {
    const char *name;
    int moves;
} DPS[] = {
    {"hsm", MB_MOVE_HIDDEN},
    {"ism", MB_MOVE_INTERNAL},
    {"msm", MB_MOVE_HIDDEN | MB_MOVE_INTERNAL},
    {"msm-free", MB_MOVE_HIDDEN | MB_MOVE_INTERNAL | MB_MOVE_FREE_START},
};

static void print_row(FILE *out, const mb_problem *p, int64_t alpha, const char *pct,
                      const char *solver, const measure *m, const measure *fast)
{
    fprintf(out, "%lld,1,%lld,%s%%,%lld,%s,%s,%d,", (long long)p->steps, (long long)alpha, pct,
            (long long)p->budget, solver, m->method, m->runs);
    if (m->runs > 0)
        fprintf(out, "%.4f,%.4f,%.4f,%.2f,%.4f,%.2f,%lld,%016llx,%s,%.0f,\n", m->med, m->min, m->max,
               m->med / fast->med, m->cpu_med, m->cpu_med / fast->cpu_med, (long long)m->cost,
               (unsigned long long)m->hash,
               m == fast ? "" : (m->cost == fast->cost && m->hash == fast->hash ? "yes" : "NO"),
               m->peak_mib);
    else
        fprintf(out, ",,,,,,,,,,%s\n", m->skipped);
    fflush(out);
}

/* What main passes to bench_point: the options and the CSV stream. */
typedef struct {
    int reps, ref_reps, want_tb, want_bnb;
    double tb_limit, bnb_limit;
    int64_t alpha;
    FILE *out;
} bench_args;

/* Times the methods at one point (t, budget percentage ps, solver ds), prints its rows and
 * its summary line, and checks that the tables agree. *ns_per_inner carries the textbook
 * DP's time per inner step from point to point, to skip runs past --textbook-limit. Returns
 * main's status: 0, 1 (a failure), 2 (bad usage) or -2 (bad usage, in mb_errmsg()). */
static int bench_point(const bench_args *a, int64_t t, const char *ps, const char *ds,
                       double *ns_per_inner)
{
    int moves = 0;
    for (size_t k = 0; k < sizeof DPS / sizeof DPS[0]; k++)
        if (strcmp(ds, DPS[k].name) == 0)
            moves = DPS[k].moves;
    if (moves == 0) {
        fprintf(stderr, "bench_solvers: --solvers '%s': expected hsm, ism, msm or "
                "msm-free\n", ds);
        return 2;
    }
    mb_problem p = {t, 1, a->alpha, 0, 0, 0};
    char pct[32];
    snprintf(pct, sizeof pct, "%s%%", ps);
    if (mb_parse_budget("--budgets", pct, &p, &p.budget) != MB_OK)
        return -2;
    if (p.budget < 1) {
        fprintf(stderr, "bench_solvers: --budgets %s: under one unit at t=%lld\n",
                ps, (long long)t);
        return 2;
    }
    measure f = {.method = "fast"}, tb = {.method = "textbook"}, bb = {.method = "bnb"};
    if (measure_method(moves, &p, MB_DP_FAST, a->reps, 0, 0.0, &f) != 0)
        return 1;
    print_row(a->out, &p, a->alpha, ps, ds, &f, &f);
    int64_t full;
    mb_problem_full_units(&p, &full);
    double rows = (double)(p.budget < full ? p.budget : full);
    int kinds = (moves & MB_MOVE_HIDDEN ? 1 : 0) + (moves & MB_MOVE_INTERNAL ? 1 : 0);
    double inner = (double)t * (double)t / 2.0 * rows * kinds;
    double predicted = *ns_per_inner * inner;
    if (a->want_tb) {
        if (*ns_per_inner == 0.0 || predicted <= a->tb_limit) {
            if (measure_method(moves, &p, MB_DP_TEXTBOOK, a->ref_reps, 1, 0.0,
                               &tb) != 0)
                return 1;
            *ns_per_inner = tb.med / inner;
        } else {
            snprintf(tb.skipped, sizeof tb.skipped,
                     "not run: estimated %.0f s > --textbook-limit %g", predicted,
                     a->tb_limit);
        }
        print_row(a->out, &p, a->alpha, ps, ds, &tb, &f);
    }
    if (a->want_bnb) {
        if (measure_method(moves, &p, MB_DP_BNB, a->ref_reps, 1, a->bnb_limit, &bb) != 0)
            return 1;
        print_row(a->out, &p, a->alpha, ps, ds, &bb, &f);
    }
    char tbs[32] = "-", tbc[32] = "-", tbr[16] = "-", bbs[32] = "-", bbc[32] = "-",
         bbr[16] = "-";
    const char *eq = "-";
    if (tb.runs > 0) {
        snprintf(tbs, sizeof tbs, "%.3f", tb.med);
        snprintf(tbc, sizeof tbc, "%.3f", tb.cpu_med);
        snprintf(tbr, sizeof tbr, "%.1f", tb.cpu_med / f.cpu_med);
    }
    if (bb.runs > 0) {
        snprintf(bbs, sizeof bbs, "%.3f", bb.med);
        snprintf(bbc, sizeof bbc, "%.3f", bb.cpu_med);
        snprintf(bbr, sizeof bbr, "%.1f", bb.cpu_med / f.cpu_med);
    }
    int compared = tb.runs > 0 || bb.runs > 0;
    int equal = (tb.runs == 0 || (tb.hash == f.hash && tb.cost == f.cost)) &&
                (bb.runs == 0 || (bb.hash == f.hash && bb.cost == f.cost));
    if (compared)
        eq = equal ? "yes" : "NO";
    fprintf(stderr, "%8lld %5s%% %-8s %8.3f %8.3f %10s %10s %8s %9s %9s %8s %6s %9.0f\n",
            (long long)t, ps, ds, f.med, f.cpu_med, tbs, tbc, tbr, bbs, bbc, bbr, eq,
            f.peak_mib);
    if (compared && !equal) {
        fprintf(stderr, "bench_solvers: the policy tables differ at t=%lld %s%% %s\n",
                (long long)t, ps, ds);
        return 1;
    }
    return 0;
}

static void usage(void)
{
    printf("usage: bench_solvers [--steps 1000,10000] [--budgets 5,20] [--alpha 5]\n"
           "                     [--solvers msm] [--methods fast,textbook,bnb]\n"
           "                     [--reps 5] [--ref-reps 1] [--textbook-limit S]\n"
           "                     [--bnb-limit S] [--out FILE.csv]\n\n"
           "Times the fast, textbook and branch-and-bound DP table builders on the\n"
           "same problems in the same run (median of --reps runs for fast, --ref-reps\n"
           "for the others), each run in its own process, and checks that their\n"
           "policy tables are equal. --solvers takes hsm, ism, msm, msm-free. Budgets\n"
           "are percentages of full-BPTT memory. CSV on stdout (or into FILE.csv, with\n"
           "its JSON sidecar FILE.json), a summary on stderr.\n");
}

/* The CSV header on out, the summary's on stderr. */
static void print_headers(FILE *out)
{
    fprintf(out, "steps,hidden_units,internal_units,budget_spec,budget_units,solver,method,runs,"
            "time_s,time_min_s,time_max_s,time_ratio_to_fast,cpu_s,cpu_ratio_to_fast,"
            "forward_ops,policy_hash,tables_equal,vmhwm_mib,skipped\n");
    fprintf(stderr, "(seconds: wall median; cpu: user+system median of the same runs)\n");
    fprintf(stderr, "%8s %6s %-8s %8s %8s %10s %10s %8s %9s %9s %8s %6s %9s\n", "t", "budget",
            "solver", "fast_s", "fast_cpu", "textbook_s", "tb_cpu", "tb/fast", "bnb_s",
            "bnb_cpu", "bnb/fast", "equal", "fast_MiB");
}

int main(int argc, char **argv)
{
    int reps = 5, ref_reps = 1;
    double tb_limit = 120.0, bnb_limit = 120.0;
    const char *steps_list = "1000,10000", *pct_list = "5,20", *dp_list = "msm";
    const char *methods = "fast,textbook,bnb", *out_path = NULL;
    int64_t alpha = 5;
    static const struct option opts[] = {
        {"reps", required_argument, NULL, 'r'},
        {"ref-reps", required_argument, NULL, 'R'},
        {"textbook-limit", required_argument, NULL, 'l'},
        {"bnb-limit", required_argument, NULL, 'L'},
        {"steps", required_argument, NULL, 's'},
        {"budgets", required_argument, NULL, 'b'},
        {"solvers", required_argument, NULL, 'd'},
        {"methods", required_argument, NULL, 'm'},
        {"alpha", required_argument, NULL, 'a'},
        {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int64_t v;
        switch (c) {
        case 'r':
            if (mb_parse_int("--reps", optarg, 1, MAX_REPS, &v) != MB_OK)
                goto bad;
            reps = (int)v;
            break;
        case 'R':
            if (mb_parse_int("--ref-reps", optarg, 1, MAX_REPS, &v) != MB_OK)
                goto bad;
            ref_reps = (int)v;
            break;
        case 'l':
            if (mb_parse_double("--textbook-limit", optarg, 0.0, &tb_limit) != MB_OK)
                goto bad;
            break;
        case 'L':
            if (mb_parse_double("--bnb-limit", optarg, 0.0, &bnb_limit) != MB_OK)
                goto bad;
            break;
        case 's': steps_list = optarg; break;
        case 'b': pct_list = optarg; break;
        case 'd': dp_list = optarg; break;
        case 'm': methods = optarg; break;
        case 'o': out_path = optarg; break;
        case 'a':
            if (mb_parse_int("--alpha", optarg, 1, 1000, &alpha) != MB_OK)
                goto bad;
            break;
        case 'h':
            usage();
            return 0;
        default:
            fprintf(stderr, "bench_solvers: unknown option; see --help\n");
            return 2;
        }
    }
    int want_tb = strstr(methods, "textbook") != NULL, want_bnb = strstr(methods, "bnb") != NULL;
    char rerun[1024];
    snprintf(rerun, sizeof rerun, "bench_solvers --steps %s --budgets %s --alpha %lld --solvers "
             "%s --methods %s --reps %d --ref-reps %d --textbook-limit %g --bnb-limit %g",
             steps_list, pct_list, (long long)alpha, dp_list, methods, reps, ref_reps, tb_limit,
             bnb_limit);
    fprintf(stderr, "rerun: %s\n", rerun);
    mb_atomic_file af = {.f = stdout};
    if (out_path && (mb_output_path_check("--out", out_path, 0) != MB_OK ||
                     mb_atomic_open(&af, out_path) != MB_OK))
        goto bad;
    int status = 0;
    FILE *out = af.f;
    print_headers(out);
    double ns_per_inner = 0.0; /* textbook seconds per inner step (t^2/2 * rows * kinds) */
    const bench_args args = {reps, ref_reps, want_tb, want_bnb, tb_limit, bnb_limit, alpha, out};
    char sl[256], dl[256];
    snprintf(sl, sizeof sl, "%s", steps_list);
    char *s1, *s2, *s3;
    for (char *ts = strtok_r(sl, ",", &s1); ts; ts = strtok_r(NULL, ",", &s1)) {
        int64_t t;
        if (mb_parse_int("--steps", ts, 1, INT64_C(1) << 29, &t) != MB_OK) {
            status = -2;
            goto done;
        }
        char pl[256];
        snprintf(pl, sizeof pl, "%s", pct_list);
        for (char *ps = strtok_r(pl, ",", &s2); ps; ps = strtok_r(NULL, ",", &s2)) {
            snprintf(dl, sizeof dl, "%s", dp_list);
            for (char *ds = strtok_r(dl, ",", &s3); ds; ds = strtok_r(NULL, ",", &s3)) {
                status = bench_point(&args, t, ps, ds, &ns_per_inner);
                if (status != 0)
                    goto done;
            }
        }
    }
done:
    if (status == -2)
        fprintf(stderr, "bench_solvers: %s\n", mb_errmsg());
    if (af.f != stdout) {
        if (status != 0) {
            mb_atomic_abort(&af);
        } else if (mb_atomic_commit(&af) != MB_OK) {
            status = 1;
        } else {
            mb_meta_config cf[] = {{"command", rerun}};
            if (mb_sidecar_write(out_path, "DP solver times: fast, textbook and branch-and-bound "
                                 "table builders on the same problems", cf, 1) != MB_OK)
                status = 1;
        }
        if (status == 1)
            fprintf(stderr, "bench_solvers: %s\n", mb_errmsg());
    }
    return status < 0 ? 2 : status;
bad:
    fprintf(stderr, "bench_solvers: %s\n", mb_errmsg());
    return 2;
}
