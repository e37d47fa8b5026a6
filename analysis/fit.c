/* fit.c: power-law and per-op cost fits with GSL (gsl_fit_linear, gsl_multifit_linear). */
#include "analysis/fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_statistics_double.h>

#include "core/alloc.h"
#include "core/error.h"
#include "sim/sim.h"

int mb_fit_power_law(const double *x, const double *y, size_t n, double level, mb_fit_power *out)
{
    memset(out, 0, sizeof *out);
    if (!(level > 0 && level < 1))
        return MB_ERROR(MB_EINVAL, "confidence level %g: must be in (0, 1)", level);
    double *lx = mb_malloc((n ? n : 1) * sizeof *lx), *ly = mb_malloc((n ? n : 1) * sizeof *ly);
    if (lx == NULL || ly == NULL) {
        mb_free(lx);
        mb_free(ly);
        return MB_ERROR(MB_ENOMEM, "out of memory");
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (x[i] > 0 && y[i] > 0 && isfinite(x[i]) && isfinite(y[i])) {
            lx[m] = log(x[i]);
            ly[m] = log(y[i]);
            m++;
        }
    int rc = MB_OK;
    double c0, c1, cov00, cov01, cov11, sumsq;
    int distinct = 0;
    for (size_t i = 1; i < m; i++)
        distinct |= lx[i] != lx[0];
    if (m < 3 || !distinct) {
        rc = MB_ERROR(MB_EINVAL, "a power-law fit needs at least 3 positive points with "
                      "different x; got %zu", m);
        goto done;
    }
    gsl_set_error_handler_off();
    if (gsl_fit_linear(lx, 1, ly, 1, m, &c0, &c1, &cov00, &cov01, &cov11, &sumsq) != GSL_SUCCESS) {
        rc = MB_ERROR(MB_EINVAL, "the log-log fit failed (degenerate data)");
        goto done;
    }
    double tss = gsl_stats_tss(ly, 1, m);
    double se = sqrt(cov11 > 0 ? cov11 : 0);
    double tq = gsl_cdf_tdist_Pinv(0.5 + level / 2, (double)(m - 2));
    out->n = m;
    out->exponent = c1;
    out->exponent_se = se;
    out->ci_low = c1 - tq * se;
    out->ci_high = c1 + tq * se;
    out->level = level;
    out->prefactor = exp(c0);
    out->r2 = tss > 0 ? 1 - sumsq / tss : 1;
done:
    mb_free(lx);
    mb_free(ly);
    return rc;
}

int mb_fit_op_costs(const double *x, const double *y, size_t n, size_t p,
                    const char *const *names, mb_fit_costs *out)
{
    static const char *const calibration[] = {"steps", "recompute", "copy", "fourth"};
    if (names == NULL)
        names = calibration;
    memset(out, 0, sizeof *out);
    if (p < 1 || p > MB_FIT_MAX_TERMS)
        return MB_ERROR(MB_EINVAL, "a cost calibration has 1 to %d terms; got %zu",
                        MB_FIT_MAX_TERMS, p);
    if (n <= p)
        return MB_ERROR(MB_EINVAL, "a cost calibration with %zu terms needs more than %zu "
                        "measured rows; got %zu", p, p, n);
    gsl_set_error_handler_off();
    gsl_matrix *X = gsl_matrix_alloc(n, p);
    gsl_vector *Y = gsl_vector_alloc(n), *c = gsl_vector_alloc(p);
    gsl_matrix *cov = gsl_matrix_alloc(p, p);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, p);
    int rc = MB_OK;
    if (!X || !Y || !c || !cov || !w) {
        rc = MB_ERROR(MB_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < p; j++)
            gsl_matrix_set(X, i, j, x[i * p + j]);
        gsl_vector_set(Y, i, y[i]);
    }
    /* rank: a singular value below 1e-10 of the largest means a dependent column */
    double chisq;
    if (gsl_multifit_linear_svd(X, w) != GSL_SUCCESS) {
        rc = MB_ERROR(MB_EINVAL, "the cost calibration failed (degenerate data)");
        goto done;
    }
    size_t rank = gsl_multifit_linear_rank(1e-10, w);
    if (rank < p) {
        /* name the first column that is a combination of the earlier ones */
        size_t bad = p - 1;
        for (size_t k = 1; k <= p; k++) {
            gsl_matrix_view sub = gsl_matrix_submatrix(X, 0, 0, n, k);
            gsl_multifit_linear_workspace *w2 = gsl_multifit_linear_alloc(n, k);
            size_t r2 = k;
            if (w2 && gsl_multifit_linear_svd(&sub.matrix, w2) == GSL_SUCCESS)
                r2 = gsl_multifit_linear_rank(1e-10, w2);
            gsl_multifit_linear_free(w2);
            if (r2 < k) {
                bad = k - 1;
                break;
            }
        }
        rc = MB_ERROR(MB_EINVAL, "the cost calibration is rank-deficient: the %s count does not "
                      "vary independently of the other terms in these rows; measure a wider "
                      "range of budgets or drop the term", names[bad]);
        goto done;
    }
    if (gsl_multifit_linear(X, Y, c, cov, &chisq, w) != GSL_SUCCESS) {
        rc = MB_ERROR(MB_EINVAL, "the cost calibration failed (degenerate data)");
        goto done;
    }
    double tss = gsl_stats_tss(y, 1, n);
    out->n = n;
    out->p = p;
    for (size_t j = 0; j < p; j++) {
        out->coef[j] = gsl_vector_get(c, j);
        double v = gsl_matrix_get(cov, j, j);
        out->se[j] = sqrt(v > 0 ? v : 0);
    }
    out->r2 = tss > 0 ? 1 - chisq / tss : 1;
    out->rms = sqrt(chisq / (double)n);
done:
    gsl_matrix_free(X);
    gsl_vector_free(Y);
    gsl_vector_free(c);
    gsl_matrix_free(cov);
    gsl_multifit_linear_free(w);
    return rc;
}

int mb_fit_calibrate(const mb_fit_run *runs, size_t n, mb_fit_calibration *out)
{
    memset(out, 0, sizeof *out);
    if (n < 4)
        return MB_ERROR(MB_EINVAL, "a cost calibration needs at least 4 measured runs; got %zu",
                        n);
    double *x = mb_malloc(n * 3 * sizeof *x), *y = mb_malloc(n * sizeof *y);
    if (x == NULL || y == NULL) {
        mb_free(x);
        mb_free(y);
        return MB_ERROR(MB_ENOMEM, "out of memory");
    }
    double sty = 0, stt = 0;
    for (size_t i = 0; i < n; i++) {
        x[i * 3 + MB_FIT_STEP] = runs[i].steps;
        x[i * 3 + MB_FIT_RECOMPUTE] = runs[i].recompute_ops;
        x[i * 3 + MB_FIT_COPY] = runs[i].copied_bytes;
        y[i] = runs[i].time_s;
        if (isfinite(runs[i].first_s)) {
            sty += runs[i].steps * runs[i].first_s;
            stt += runs[i].steps * runs[i].steps;
            out->n_first++;
        }
    }
    int rc = mb_fit_op_costs(x, y, n, 3, NULL, &out->total);
    out->copy_fitted = rc == MB_OK;
    if (rc == MB_EINVAL) { /* the copy column (the last) may be what is dependent: drop it */
        for (size_t i = 0; i < n; i++) {
            x[i * 2 + 0] = runs[i].steps;
            x[i * 2 + 1] = runs[i].recompute_ops;
        }
        rc = mb_fit_op_costs(x, y, n, 2, NULL, &out->total);
    }
    mb_free(x);
    mb_free(y);
    if (rc != MB_OK)
        return rc;
    if (out->n_first == 0 || !(stt > 0))
        return MB_ERROR(MB_EINVAL, "a cost calibration needs the first-forward time of at "
                        "least one run to split c_f + c_b");
    const double c_step = out->total.coef[MB_FIT_STEP];
    out->c_f = sty / stt;
    out->c_b = c_step - out->c_f;
    out->c_r = out->total.coef[MB_FIT_RECOMPUTE];
    out->c_copy = out->copy_fitted ? out->total.coef[MB_FIT_COPY] : 0;
    /* residual scatter of first_s about c_f*t, over the rows that have it */
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(runs[i].first_s)) {
            double d = runs[i].first_s - out->c_f * runs[i].steps;
            ss += d * d;
        }
    out->c_f_se = out->n_first > 1 ? sqrt(ss / (double)(out->n_first - 1) / stt) : 0;
    return MB_OK;
}

double mb_fit_costs_predict(const mb_fit_costs *f, const double *x)
{
    double s = 0;
    for (size_t j = 0; j < f->p; j++)
        s += f->coef[j] * x[j];
    return s;
}

int mb_fit_hsm_bound_holds(double t, double m, double cost)
{
    return cost <= mb_sim_hsm_bound((int64_t)t, (int64_t)m) * (1 + 1e-12);
}
