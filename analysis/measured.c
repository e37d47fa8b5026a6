/* measured.c: what the measured rows say: the per-op costs fitted to them, measured against
 * predicted time ratios, and the exponents of measured time and counters against t; and the
 * rows of the fits CSV (docs/design.md, "Analysis" and "Cost model"). */
#include "analysis/analysis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/internal.h"
#include "core/alloc.h"
#include "core/error.h"

int mb_analysis_calibration_runs(const mb_csv *t, mb_fit_run **runs, size_t *n)
{
    *runs = NULL;
    *n = 0;
    enum { MD, ST, RC, TS, TF, CB, IB, FF, FFF, N_COL };
    static const char *const names[N_COL] = {"mode",          "steps",          "recompute_ops",
                                             "time_s",        "time_full_s",    "copied_bytes",
                                             "internal_bytes", "first_forward_s",
                                             "full_first_forward_s"};
    int col[N_COL], rc = MB_OK;
    if (mb_csv_col(t, "mode") < 0 || mb_csv_col(t, "time_s") < 0)
        return MB_OK; /* an analytic table: no measured run */
    for (int i = 0; i < N_COL && rc == MB_OK; i++)
        rc = mb_an_col(t, names[i], &col[i]);
    if (rc != MB_OK)
        return rc;
    size_t cap = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        if (!mb_an_is(t, r, col[MD], "measured") || !isfinite(mb_csv_num(t, r, col[TS])))
            continue;
        const double steps = mb_csv_num(t, r, col[ST]);
        if ((rc = mb_an_grow((void **)runs, sizeof **runs, *n + 1, &cap)) != MB_OK) {
            mb_free(*runs);
            *runs = NULL;
            *n = 0;
            return rc;
        }
        (*runs)[(*n)++] = (mb_fit_run){steps, mb_csv_num(t, r, col[RC]),
                                       mb_csv_num(t, r, col[CB]), mb_csv_num(t, r, col[TS]),
                                       mb_csv_num(t, r, col[FF])};
        (*runs)[(*n)++] = (mb_fit_run){steps, 0, mb_csv_num(t, r, col[IB]) * (steps - 1),
                                       mb_csv_num(t, r, col[TF]), mb_csv_num(t, r, col[FFF])};
    }
    return MB_OK;
}

void mb_analysis_calibration_record(mb_record *r, const mb_fit_calibration *cal)
{
    mb_record_int(r, "rows", (int64_t)cal->total.n);
    mb_record_double(r, "cost_step_s", cal->total.coef[MB_FIT_STEP]);
    mb_record_double(r, "cost_step_se_s", cal->total.se[MB_FIT_STEP]);
    mb_record_double(r, "cost_recompute_s", cal->c_r);
    mb_record_double(r, "cost_recompute_se_s", cal->total.se[MB_FIT_RECOMPUTE]);
    mb_record_double(r, "r2", cal->total.r2);
    mb_record_double(r, "rms_s", cal->total.rms);
    mb_record_double(r, "cost_forward_s", cal->c_f);
    mb_record_double(r, "cost_backward_s", cal->c_b);
    if (cal->copy_fitted)
        mb_record_double(r, "cost_copy_s_per_byte", cal->c_copy);
    else
        mb_record_empty(r, "cost_copy_s_per_byte");
}

void mb_analysis_calibration_print(FILE *f, size_t runs, int rc, const char *why,
                                   const mb_fit_calibration *cal)
{
    fprintf(f, "\nLSTM: per-op costs fitted by least squares (gsl_multifit_linear) to %zu "
            "measured runs\n(each plan run and the full-BPTT run measured beside it;\n"
            " docs/design.md, \"Cost model\"):\n", runs);
    fprintf(f, "  time_s = (c_f + c_b) * t + c_r * recompute_ops + c_copy * copied_bytes, and\n"
            "  first_forward_s = c_f * t (every run does t first forwards and t backwards, so "
            "only the\n  first-forward phase tells c_f from c_b)\n");
    if (rc != MB_OK) {
        fprintf(f, "  not fitted: %s\n", why);
        return;
    }
    fprintf(f, "  c_f = %.3e s (+- %.1e), c_b = %.3e s, c_r = %.3e s (+- %.1e, c_r/c_f = %.3f), "
            "c_copy = %.2e s/byte%s, R^2 = %.4f\n",
            cal->c_f, cal->c_f_se, cal->c_b, cal->c_r, cal->total.se[MB_FIT_RECOMPUTE],
            cal->c_r / cal->c_f, cal->c_copy, cal->copy_fitted ? "" : " (not fitted)",
            cal->total.r2);
}

int mb_analysis_measured_table(const mb_csv *t, const char *section,
                               const mb_fit_calibration *cal, mb_analysis_measured *out)
{
    memset(out, 0, sizeof *out);
    out->full_peak_bytes = NAN;
    out->steps = NAN;
    enum { MD, SW, SV, ST, RC, CB, IB, BU, MF, TR, TRN, TRX, PR, PA, PS, BB, PFB, N_COL };
    static const char *const names[N_COL] = {
        "mode",          "sweep",          "solver",         "steps",
        "recompute_ops", "copied_bytes",   "internal_bytes", "budget_units",
        "budget_fraction", "time_ratio",   "time_ratio_min", "time_ratio_max",
        "predicted_time_ratio", "predicted_time_vs_full", "peak_store_bytes", "budget_bytes",
        "peak_store_full_bytes"};
    int col[N_COL], rc = MB_OK;
    for (int i = 0; i < N_COL && rc == MB_OK; i++)
        rc = mb_an_col(t, names[i], &col[i]);
    if (rc != MB_OK)
        return rc;
    if (t->n_rows > 0)
        out->full_peak_bytes = mb_csv_num(t, 0, col[PFB]);
    size_t cap = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        if (!mb_an_is(t, r, col[MD], "measured") || !mb_an_is(t, r, col[SW], section))
            continue;
        double pf = NAN;
        if (out->n == 0)
            out->steps = mb_csv_num(t, r, col[ST]);
        if (cal != NULL) {
            const double steps = mb_csv_num(t, r, col[ST]);
            double plan = (cal->c_f + cal->c_b) * steps + cal->c_r * mb_csv_num(t, r, col[RC]) +
                          cal->c_copy * mb_csv_num(t, r, col[CB]);
            double full = (cal->c_f + cal->c_b) * steps +
                          cal->c_copy * mb_csv_num(t, r, col[IB]) * (steps - 1);
            pf = plan / full;
        }
        if ((rc = mb_an_grow((void **)&out->rows, sizeof *out->rows, out->n, &cap)) != MB_OK) {
            mb_analysis_measured_fini(out);
            return rc;
        }
        out->rows[out->n++] = (mb_analysis_measured_row){
            .solver = t->rows[r][col[SV]],
            .budget_units = mb_csv_num(t, r, col[BU]),
            .budget_fraction = mb_csv_num(t, r, col[MF]),
            .measured = mb_csv_num(t, r, col[TR]),
            .measured_min = mb_csv_num(t, r, col[TRN]),
            .measured_max = mb_csv_num(t, r, col[TRX]),
            .pred_run = mb_csv_num(t, r, col[PR]),
            .pred_fit = pf,
            .pred_model = mb_csv_num(t, r, col[PA]),
            .peak_store_bytes = mb_csv_num(t, r, col[PS]),
            .budget_bytes = mb_csv_num(t, r, col[BB])};
    }
    return MB_OK;
}

void mb_analysis_measured_fini(mb_analysis_measured *m)
{
    mb_free(m->rows);
    memset(m, 0, sizeof *m);
}

void mb_analysis_measured_print(FILE *f, const mb_analysis_measured *m)
{
    fprintf(f, "\nLSTM at t = %g: measured against predicted (time relative to full BPTT in "
            "the same process)\n\n", m->steps);
    fprintf(f, "%-7s %8s %8s %10s %17s %12s %12s %12s %12s %12s\n", "solver", "budget",
            "memory", "measured", "min..max", "pred(run)", "pred(fit)", "pred(1,2)",
            "peak_MiB", "budget_MiB");
    for (size_t k = 0; k < m->n; k++) {
        const mb_analysis_measured_row *r = &m->rows[k];
        fprintf(f, "%-7s %8.15g %7.1f%% %10.3f %8.3f..%-7.3f %12.3f %12.3f %12.3f %12.3f %12.3f\n",
                r->solver, r->budget_units, 100 * r->budget_fraction, r->measured,
                r->measured_min, r->measured_max, r->pred_run, r->pred_fit, r->pred_model,
                r->peak_store_bytes / 1048576.0, r->budget_bytes / 1048576.0);
    }
    fprintf(f, "(pred(run): sim's model with the per-op costs measured in that run, c_r "
            "included; pred(fit):\n the least-squares costs above; pred(1,2): c_f = c_r = 1, "
            "c_b = 2; min..max: the measured ratio over the repetitions. Full BPTT's store peak "
            "is %.2f MiB.)\n", m->full_peak_bytes / 1048576.0);
}
