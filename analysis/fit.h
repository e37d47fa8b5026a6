/* fit.h: least-squares fits over sweep rows (GSL): power-law exponents on log-log axes with
 * confidence intervals, and the calibration of per-op costs from measured times.
 * docs/design.md, "Fits". */
#ifndef MB_ANALYSIS_FIT_H
#define MB_ANALYSIS_FIT_H

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

/* The columns of a calibration (docs/design.md, "Cost model"), in this order: steps t (every
 * run does t first forwards and t backwards, so one term carries c_f + c_b), recompute
 * forwards, and bytes copied into and out of the store. A fourth column is the caller's. */
enum { MB_FIT_STEP = 0, MB_FIT_RECOMPUTE = 1, MB_FIT_COPY = 2, MB_FIT_MAX_TERMS = 4 };

/* time = sum_j coef[j] * count[j], fitted without an intercept (gsl_multifit_linear). */
typedef struct {
    size_t n, p;                  /* rows, terms */
    double coef[MB_FIT_MAX_TERMS]; /* seconds per op (or per byte copied) */
    double se[MB_FIT_MAX_TERMS];   /* standard errors */
    double r2;                     /* 1 - SS_res / SS_tot (SS_tot about the mean) */
    double rms;                    /* root mean square residual, seconds */
} mb_fit_costs;

/* Fits p terms (1 <= p <= MB_FIT_MAX_TERMS) to n > p rows; x is row-major n x p (counts), y
 * the measured times; names[j] names column j in messages (NULL: the calibration's names).
 * MB_EINVAL when the design is rank-deficient (a term never varies independently: the message
 * names the column) or n <= p. */
int mb_fit_op_costs(const double *x, const double *y, size_t n, size_t p,
                    const char *const *names, mb_fit_costs *out /* out */);

/* The fitted time of one row of counts (p entries). */
double mb_fit_costs_predict(const mb_fit_costs *f, const double *x);

/* One measured run for the calibration: its counts and times. */
typedef struct {
    double steps;         /* t */
    double recompute_ops; /* forwards after the first forward of their step */
    double copied_bytes;  /* into and out of the store */
    double time_s;        /* the whole run */
    double first_s;       /* its first-forward phase; NAN when not measured */
} mb_fit_run;

/* The calibrated cost model. */
typedef struct {
    mb_fit_costs total; /* time_s = c_step*t + c_r*recompute_ops [+ c_copy*copied_bytes] */
    int copy_fitted;    /* 0 when the copy column did not vary independently and was left out */
    double c_f, c_b, c_r, c_copy; /* seconds per op, c_copy per byte (0 when not fitted) */
    double c_f_se;      /* standard error of c_f */
    size_t n_first;     /* rows whose first-forward time split c_step into c_f and c_b */
} mb_fit_calibration;

/* Fits the cost model of docs/design.md ("Cost model") to n measured runs: the totals give
 * c_step = c_f + c_b, c_r and c_copy by least squares (the copy term is dropped, and
 * copy_fitted = 0, when it does not vary independently of the others); the first-forward
 * phases give c_f = sum(t*first_s) / sum(t^2) (least squares through the origin) and
 * c_b = c_step - c_f. MB_EINVAL (message names the column) when t or the recompute count does
 * not vary independently, when fewer than 4 rows are given, or when no row has a first-forward
 * time. */
int mb_fit_calibrate(const mb_fit_run *runs, size_t n, mb_fit_calibration *out /* out */);

/* The paper's HSM bound check: 1 when cost <= m * t^(1 + 1/m) (m hidden slots, h_0 counted). */
int mb_fit_hsm_bound_holds(double t, double m, double cost);

#endif
