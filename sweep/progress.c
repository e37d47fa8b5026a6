/* progress.c: the sweep's progress display: points done, rate and an ETA weighted by each
 * point's estimate and corrected kind by kind. docs/design.md, "Sweeps, records and figures". */
#include "sweep/internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "measure/measure.h"


void mb_sweep_progress_point(mb_sweep_progress *pg, size_t k)
{
    double t = mb_clock_wall();
    int kd = pg->kind[k];
    pg->left[kd] -= pg->est[k];
    pg->pred[kd] += pg->est[k];
    pg->spent[kd] += t - pg->last_point;
    pg->last_point = t;
}

/* The time left: each kind's estimate of its points left, corrected by how its timed points
 * compared with their estimates. *guess: some points left are of a kind none of whose points
 * has been timed yet, so their part is the uncorrected estimate (off by more than 2x at
 * times on a loaded machine): the display says so. */
static double progress_eta(const mb_sweep_progress *pg, int *guess)
{
    double ratio[2], eta = 0;
    *guess = 0;
    for (int kd = 0; kd < 2; kd++)
        ratio[kd] = pg->pred[kd] > 0 ? pg->spent[kd] / pg->pred[kd] : NAN;
    for (int kd = 0; kd < 2; kd++) {
        if (pg->left[kd] > 0 && !isfinite(ratio[kd]))
            *guess = 1;
        eta += (pg->left[kd] > 0 ? pg->left[kd] : 0) * (isfinite(ratio[kd]) ? ratio[kd] : 1.0);
    }
    return eta;
}

void mb_sweep_progress_show(mb_sweep_progress *pg, int final)
{
    if (pg->f == NULL)
        return;
    double t = mb_clock_wall(), el = t - pg->start;
    double every = pg->tty ? 0.1 : pg->every == 0 ? 2.0 : pg->every;
    if (!final && t - pg->last < every)
        return;
    if (final && !pg->tty && pg->shown == pg->done)
        return; /* the last plain line already said it */
    pg->shown = pg->done;
    pg->last = t;
    size_t new_done = pg->done - pg->base;
    double rate = el > 0 ? (double)new_done / el : 0;
    int guess = 0;
    double eta = final ? 0 : progress_eta(pg, &guess);
    double frac = pg->total ? (double)pg->done / (double)pg->total : 1;
    char etas[48];
    if (isfinite(eta))
        snprintf(etas, sizeof etas, eta < 100 ? "%.1f s%s" : "%.0f s%s", eta,
                 guess ? " (first guess)" : "");
    else
        snprintf(etas, sizeof etas, "-");
    if (pg->tty) {
        char bar[31];
        int w = (int)(frac * 30);
        for (int i = 0; i < 30; i++)
            bar[i] = i < w ? '#' : '.';
        bar[30] = '\0';
        fprintf(pg->f, "\r[%s] %zu/%zu %5.1f%%  %.1f points/s  ETA %s   ", bar, pg->done,
                pg->total, 100 * frac, rate, etas);
        if (final)
            fputc('\n', pg->f);
    } else {
        fprintf(pg->f, "membptt sweep: %zu/%zu points (%.0f%%), %.1f points/s, elapsed %.2f s, "
                "ETA %s\n", pg->done, pg->total, 100 * frac, rate, el, etas);
    }
    fflush(pg->f);
}
