/* clock.c: the clocks every measurement uses, in seconds, and the median of repeats. */
#include <stdlib.h>
#include <time.h>

#include "measure/measure.h"

static double read_clock(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return -1.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double read_resolution(clockid_t id)
{
    struct timespec ts;
    if (clock_getres(id, &ts) != 0)
        return -1.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double mb_clock_wall(void) { return read_clock(CLOCK_MONOTONIC); }

double mb_clock_cpu(void) { return read_clock(CLOCK_PROCESS_CPUTIME_ID); }

double mb_clock_thread_cpu(void) { return read_clock(CLOCK_THREAD_CPUTIME_ID); }

double mb_clock_wall_resolution(void) { return read_resolution(CLOCK_MONOTONIC); }

double mb_clock_cpu_resolution(void) { return read_resolution(CLOCK_PROCESS_CPUTIME_ID); }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double mb_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
