/* timing.c: a sweep's timing file, NAME.timing.csv: one line per point with the solver's wall
 * time, which differs run to run and so stays out of the rows; rewritten whole on a resume.
 * docs/design.md, "Sweeps, records and figures". */
#include "sweep/internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"

int mb_sweep_timing_line(const mb_sweep_config *c, size_t i, double secs, char *buf, size_t cap)
{
    mb_sweep_point pt;
    int rc = mb_sweep_point_get(c, i, &pt);
    if (rc != MB_OK)
        return rc;
    int n = snprintf(buf, cap, "%zu,%s,%s,%lld,%s,", i, pt.section->name, pt.solver->name,
                     (long long)pt.problem.steps, pt.budget ? pt.budget : "search");
    if (isfinite(secs) && n > 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, "%.6f", secs);
    return MB_OK;
}

const char mb_sweep_timing_header[] = "point,sweep,solver,steps,budget_spec,solve_seconds\n";

/* Rewrites the timing file for a run that keeps order[0 .. done): its header, then one line per
 * kept point (the last one the old file has for it, or an empty time when it has none, as
 * after a kill between a row and its time), whole or not at all. */
int mb_sweep_timing_restart(const mb_sweep_config *c, const char *path, const size_t *order,
                          size_t done)
{
    char *text = NULL, line[512];
    size_t len = 0;
    const char **have = mb_calloc(done ? done : 1, sizeof *have);
    if (have == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    struct stat st;
    if (done > 0 && stat(path, &st) == 0 && mb_read_file(path, &text, &len) != MB_OK)
        text = NULL; /* unreadable: the times are lost, the rows are not */
    for (char *p = text; p && *p;) {
        char *nl = strchr(p, '\n');
        if (nl == NULL)
            break; /* a torn last line */
        *nl = '\0';
        char *end;
        errno = 0;
        unsigned long long i = strtoull(p, &end, 10);
        if (end != p && *end == ',' && errno == 0) {
            /* order is increasing: find the kept position of point i */
            size_t lo = 0, hi = done;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (order[mid] < i)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < done && order[lo] == i)
                have[lo] = p;
        }
        p = nl + 1;
    }
    mb_atomic_file af;
    int rc = mb_atomic_open(&af, path);
    if (rc == MB_OK) {
        fputs(mb_sweep_timing_header, af.f);
        for (size_t k = 0; k < done && rc == MB_OK; k++) {
            if (have[k]) {
                fprintf(af.f, "%s\n", have[k]);
            } else if ((rc = mb_sweep_timing_line(c, order[k], NAN, line, sizeof line)) == MB_OK) {
                fprintf(af.f, "%s\n", line);
            }
        }
        if (rc == MB_OK)
            rc = mb_atomic_commit(&af);
        else
            mb_atomic_abort(&af);
    }
    mb_free(text);
    mb_free(have);
    return rc;
}
