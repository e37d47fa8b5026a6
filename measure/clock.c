/* clock.c: the clocks every measurement uses, in seconds, and what one read costs. */
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

double mb_clock_cost(double (*clock)(void))
{
    enum { READS = 2000 };
    double best = -1.0;
    for (int round = 0; round < 5; round++) {
        double t0 = mb_clock_wall(), sink = 0;
        for (int i = 0; i < READS; i++)
            sink += clock();
        double t = (mb_clock_wall() - t0) / READS;
        if (sink != sink)
            return -1.0;
        if (best < 0 || t < best)
            best = t;
    }
    return best;
}
