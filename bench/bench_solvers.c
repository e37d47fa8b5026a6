/* bench_solvers.c: the solver benchmark: the fast MSM table builder against the textbook
 * O(t^2 * budget) one, measured in the same run, with medians, their ratio and a check that
 * both give the same optimal cost and the same policy table.
 *
 * The textbook builder is run only while its predicted time (its measured ns per inner step,
 * times t^2 * rows) stays under --textbook-limit seconds; a skipped case says so and gives
 * the estimate, never a made-up time. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/error.h"
#include "solvers/solvers.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Times `reps` runs of one builder; returns the median seconds, *cost and *hash. */
static double run(mb_dp_method method, const mb_problem *p, int reps, int64_t *costs,
                  int64_t *cost, uint64_t *hash, double *min_s, double *max_s)
{
    mb_solve_options o = {.dp_method = method};
    double times[64];
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        int rc = mb_dp_cost(MB_MOVE_HIDDEN | MB_MOVE_INTERNAL, p, &o, costs, hash);
        times[r] = now() - t0;
        if (rc != MB_OK) {
            fprintf(stderr, "bench_solvers: %s\n", mb_errmsg());
            exit(1);
        }
        *cost = costs[p->steps];
    }
    qsort(times, (size_t)reps, sizeof times[0], cmp_double);
    *min_s = times[0];
    *max_s = times[reps - 1];
    return times[reps / 2];
}

static long max_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

int main(int argc, char **argv)
{
    int reps = 3;
    double limit = 120.0;
    const char *steps_list = "1000,4000,10000", *pct_list = "1,5,20";
    int64_t alpha = 5;
    static const struct option opts[] = {
        {"reps", required_argument, NULL, 'r'},
        {"textbook-limit", required_argument, NULL, 'l'},
        {"steps", required_argument, NULL, 's'},
        {"budgets", required_argument, NULL, 'b'},
        {"alpha", required_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int64_t v;
        switch (c) {
        case 'r':
            if (mb_parse_int("--reps", optarg, 1, 63, &v) != MB_OK)
                goto bad;
            reps = (int)v;
            break;
        case 'l':
            if (mb_parse_double("--textbook-limit", optarg, 0.0, &limit) != MB_OK)
                goto bad;
            break;
        case 's': steps_list = optarg; break;
        case 'b': pct_list = optarg; break;
        case 'a':
            if (mb_parse_int("--alpha", optarg, 1, 1000, &alpha) != MB_OK)
                goto bad;
            break;
        case 'h':
            printf("usage: bench_solvers [--steps 1000,4000,10000] [--budgets 1,5,20] [--alpha 5]\n"
                   "                     [--reps 3] [--textbook-limit SECONDS]\n\n"
                   "Times the fast and the textbook MSM table builders on the same problems in\n"
                   "the same run (median of --reps runs; the textbook one runs once when a run\n"
                   "is predicted to take over 10 s) and checks they agree entry by entry.\n"
                   "Budgets are percentages of full-BPTT memory.\n");
            return 0;
        default:
            fprintf(stderr, "bench_solvers: unknown option; see --help\n");
            return 2;
        }
    }
    printf("# rerun: bench_solvers --steps %s --budgets %s --alpha %lld --reps %d "
           "--textbook-limit %g\n",
           steps_list, pct_list, (long long)alpha, reps, limit);
    printf("steps,alpha,budget_pct,budget_units,forward_ops,fast_median_s,fast_min_s,fast_max_s,"
           "textbook_median_s,textbook_runs,speedup,tables_equal,max_rss_mib\n");
    double ns_per_inner = 0.0; /* textbook seconds per (t^2/2 * rows) inner step, measured */
    char sl[256];
    snprintf(sl, sizeof sl, "%s", steps_list);
    for (char *ts = strtok(sl, ","); ts; ts = strtok(NULL, ",")) {
        int64_t t;
        if (mb_parse_int("--steps", ts, 1, 65535, &t) != MB_OK)
            goto bad;
        int64_t *costs = malloc((size_t)(t + 1) * sizeof *costs);
        char pl[256];
        snprintf(pl, sizeof pl, "%s", pct_list);
        char *save;
        for (char *ps = strtok_r(pl, ",", &save); ps; ps = strtok_r(NULL, ",", &save)) {
            mb_problem p = {t, 1, alpha, 0, 0};
            char pct[32];
            snprintf(pct, sizeof pct, "%s%%", ps);
            if (mb_parse_budget("budget", pct, &p, &p.budget) != MB_OK) {
                free(costs);
                goto bad;
            }
            int64_t fc, tc = -1;
            uint64_t fh, th = 0;
            double fmin, fmax, tmin, tmax;
            double fmed = run(MB_DP_FAST, &p, reps, costs, &fc, &fh, &fmin, &fmax);
            double inner = (double)t * (double)t / 2.0 * (double)p.budget;
            double predicted = ns_per_inner * inner;
            double tmed = -1.0;
            int truns = 0;
            if (ns_per_inner == 0.0 || predicted <= limit) {
                truns = predicted > 10.0 ? 1 : reps;
                tmed = run(MB_DP_TEXTBOOK, &p, truns, costs, &tc, &th, &tmin, &tmax);
                ns_per_inner = tmed / inner;
            }
            printf("%lld,%lld,%s,%lld,%lld,%.4f,%.4f,%.4f,", (long long)t, (long long)alpha, ps,
                   (long long)p.budget, (long long)fc, fmed, fmin, fmax);
            if (truns > 0)
                printf("%.4f,%d,%.2f,%s,", tmed, truns, tmed / fmed,
                       fc == tc && fh == th ? "yes" : "NO");
            else
                printf(",0,,skipped (textbook estimated %.0f s > limit),", predicted);
            printf("%ld\n", max_rss_mib());
            fflush(stdout);
            if (truns > 0 && (fc != tc || fh != th)) {
                fprintf(stderr, "bench_solvers: fast and textbook tables differ at t=%lld\n",
                        (long long)t);
                free(costs);
                return 1;
            }
        }
        free(costs);
    }
    return 0;
bad:
    fprintf(stderr, "bench_solvers: %s\n", mb_errmsg());
    return 2;
}
