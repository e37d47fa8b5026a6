/* fit.h: least-squares fits over sweep rows (GSL): power-law exponents on log-log axes with
 * confidence intervals, and the calibration of per-op costs from measured times.
 * docs/design.md, "Fits". */
#ifndef MB_SIM_FIT_H
#define MB_SIM_FIT_H

#include <stddef.h>

/* y = prefactor * x^exponent fitted as a line through (ln x, ln y). */
typedef struct {
    size_t n;           /* points used (x > 0 and y > 0) */
    double exponent;    /* the slope on log-log axes */
    double exponent_se; /* its standard error (from the scatter of the points) */
    double ci_low, ci_high; /* two-sided confidence interval at `level` (Student t, n-2 dof) */
    double level;       /* e.g. 0.95 */
    double prefactor;
    double r2;          /* of the log-log line */
} mb_fit_power;

/* Fits the power law. MB_EINVAL when fewer than 3 points are positive or all x are equal,
 * or level is not in (0, 1). With exactly collinear data the interval has zero width. */
int mb_fit_power_law(const double *x, const double *y, size_t n, double level,
                     mb_fit_power *out /* out */);

/* The columns of a calibration: per-op costs, in this order. */
enum { MB_FIT_FORWARD = 0, MB_FIT_RECOMPUTE = 1, MB_FIT_BACKWARD = 2, MB_FIT_COPY = 3,
       MB_FIT_MAX_TERMS = 4 };

/* time = sum_j coef[j] * count[j], fitted without an intercept (gsl_multifit_linear). */
typedef struct {
    size_t n, p;                  /* rows, terms */
    double coef[MB_FIT_MAX_TERMS]; /* seconds per op (or per unit copied) */
    double se[MB_FIT_MAX_TERMS];   /* standard errors */
    double r2;                     /* 1 - SS_res / SS_tot (SS_tot about the mean) */
    double rms;                    /* root mean square residual, seconds */
} mb_fit_costs;

/* Fits p terms (1 <= p <= MB_FIT_MAX_TERMS) to n > p rows; x is row-major n x p (counts), y
 * the measured times. MB_EINVAL when the design is rank-deficient (a term never varies
 * independently: the message names the column) or n <= p. */
int mb_fit_op_costs(const double *x, const double *y, size_t n, size_t p,
                    mb_fit_costs *out /* out */);

/* The fitted time of one row of counts (p entries). */
double mb_fit_costs_predict(const mb_fit_costs *f, const double *x);

/* The paper's HSM bound check: 1 when cost <= m * t^(1 + 1/m) (m hidden slots, h_0 counted). */
int mb_fit_hsm_bound_holds(double t, double m, double cost);

#endif
