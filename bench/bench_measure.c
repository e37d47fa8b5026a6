/* bench_measure.c: what one counter window costs — an mb_counters_start/mb_counters_stop pair —
 * for the default event list, for perf::TASK-CLOCK alone and for a list with no available event
 * (the call overhead alone), against a pair of mb_clock_wall reads measured in the same run. The
 * executor opens one window per phase change, so this is its per-switch overhead. Medians of
 * --reps repetitions of --pairs pairs; the events each list could count are printed. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "measure/measure.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median ns per start/stop pair over `reps` repetitions of `pairs` pairs (list NULL: two
 * clock reads instead). */
static double per_pair_ns(const char *list, int use_counters, int reps, int pairs)
{
    mb_counters *c = NULL;
    if (use_counters && mb_counters_open(list, &c) != MB_OK) {
        fprintf(stderr, "bench_measure: %s\n", mb_errmsg());
        exit(1);
    }
    double t[101];
    volatile double sink = 0.0;
    for (int r = 0; r < reps; r++) {
        double t0 = mb_clock_wall();
        for (int i = 0; i < pairs; i++) {
            if (use_counters) {
                if (mb_counters_start(c) != MB_OK || mb_counters_stop(c, i % MB_PHASES) != MB_OK) {
                    fprintf(stderr, "bench_measure: %s\n", mb_errmsg());
                    exit(1);
                }
            } else {
                sink += mb_clock_wall() - mb_clock_wall();
            }
        }
        t[r] = (mb_clock_wall() - t0) / pairs * 1e9;
    }
    if (use_counters) {
        printf("  %-24s counts:", list ? list : "(default)");
        int any = 0;
        for (size_t i = 0; i < mb_counters_count(c); i++)
            if (mb_counters_available(c, i)) {
                printf(" %s [%s]", mb_counters_name(c, i), mb_counters_source(c, i));
                any = 1;
            }
        printf("%s\n", any ? "" : " nothing");
        mb_counters_close(c);
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp_double);
    (void)sink;
    return t[reps / 2];
}

int main(int argc, char **argv)
{
    int reps = 7, pairs = 20000, opt;
    while ((opt = getopt(argc, argv, "r:p:")) != -1) {
        if (opt == 'r')
            reps = atoi(optarg);
        else if (opt == 'p')
            pairs = atoi(optarg);
        else {
            fprintf(stderr, "usage: bench_measure [-r REPS (1..101)] [-p PAIRS]\n");
            return 2;
        }
    }
    if (reps < 1 || reps > 101 || pairs < 1) {
        fprintf(stderr, "bench_measure: -r must be in 1..101 and -p >= 1\n");
        return 2;
    }
    printf("bench_measure: %d repetitions of %d start/stop pairs, medians\n", reps, pairs);
    double base = per_pair_ns(NULL, 0, reps, pairs);
    double none = per_pair_ns("PAPI_NOT_AN_EVENT", 1, reps, pairs);
    double task = per_pair_ns("perf::TASK-CLOCK", 1, reps, pairs);
    double dflt = per_pair_ns(NULL, 1, reps, pairs);
    printf("%-34s %10s %10s\n", "window", "ns/pair", "x clocks");
    printf("%-34s %10.0f %10.2f\n", "two mb_clock_wall reads (baseline)", base, 1.0);
    printf("%-34s %10.0f %10.2f\n", "no available event", none, none / base);
    printf("%-34s %10.0f %10.2f\n", "perf::TASK-CLOCK", task, task / base);
    printf("%-34s %10.0f %10.2f\n", "default list", dflt, dflt / base);
    printf("rerun: %s -r %d -p %d\n", argv[0], reps, pairs);
    return 0;
}
