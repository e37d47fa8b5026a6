/* stats.c: the spread of repeated measurements (min, median, max) and a distribution-free
 * interval for their median, from GSL (docs/design.md, "Measurement"). */
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "measure/measure.h"

mb_spread mb_spread_of(double *v, size_t n)
{
    gsl_sort(v, 1, n);
    mb_spread s = {gsl_stats_quantile_from_sorted_data(v, 1, n, 0.0),
                   gsl_stats_median_from_sorted_data(v, 1, n),
                   gsl_stats_quantile_from_sorted_data(v, 1, n, 1.0)};
    return s;
}

mb_interval mb_median_interval(double *v, size_t n, double level)
{
    gsl_sort(v, 1, n);
    /* [x_(j), x_(n+1-j)] holds the median with probability 1 - 2 P(Bin(n, 1/2) <= j - 1):
     * the largest j that still reaches `level`; j = 1 (min, max) when none does. */
    size_t j = 1;
    while (2 * (j + 1) <= n + 1 &&
           1.0 - 2.0 * gsl_cdf_binomial_P((unsigned)j, 0.5, (unsigned)n) >= level)
        j++;
    mb_interval iv = {v[j - 1], v[n - j],
                      n >= 2 ? 1.0 - 2.0 * gsl_cdf_binomial_P((unsigned)(j - 1), 0.5,
                                                               (unsigned)n)
                             : 0.0};
    return iv;
}

double mb_median(double *v, size_t n) { return mb_spread_of(v, n).median; }
