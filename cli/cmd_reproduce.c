/* cmd_reproduce.c: `membptt reproduce`: the paper's sweeps, an LSTM measurement, fits, the
 * summary table and every figure (drawn by cmd_plot.c). */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/analysis.h"
#include "cli/cli.h"
#include "cli/options.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"
#include "plots/plots.h"
#include "sweep/sweep.h"
#include "measure/measure.h"

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The tables and fits of one reproduction (analysis/analysis.h), printed to stdout; the fits
 * and the calibration go to their CSVs. The headline is MSM at t = 1000, 5% (the paper's). */
static int analyse(const mb_csv *paper, const mb_csv *lstm, FILE *fits, FILE *cal)
{
    mb_analysis_summary sum;
    mb_analysis_solvers solvers = {0};
    mb_analysis_hsm hsm = {0};
    mb_analysis_bound bound = {0};
    mb_analysis_chen chen = {0};
    mb_analysis_length length = {0};
    mb_analysis_measured measured = {0};
    int rc, header = 1;
    if ((rc = mb_analysis_summary_of(paper, lstm, "budget", &mb_solver_msm, 1000, "5%", &sum)) ||
        (rc = mb_analysis_solver_table(paper, "budget", 1000, "5%", &solvers)) ||
        (rc = mb_analysis_hsm_fit(paper, "hsm", &hsm)) ||
        (rc = mb_analysis_hsm_bound(paper, &bound)) ||
        (rc = mb_analysis_chen_table(paper, "chen-search", "chen-memory", &mb_solver_sqrt,
                                     &mb_solver_msm, &chen)))
        goto done;
    mb_analysis_summary_print(stdout, &sum, 1000, "5%");
    mb_analysis_solvers_print(stdout, &solvers);
    mb_analysis_hsm_print(stdout, &hsm);
    mb_analysis_bound_print(stdout, &bound, 20);
    mb_analysis_chen_print(stdout, &chen);
    if (lstm != NULL) {
        mb_fit_run *runs;
        size_t n;
        mb_fit_calibration c;
        if ((rc = mb_analysis_calibration_runs(lstm, &runs, &n)) != MB_OK)
            goto done;
        int fitted = mb_fit_calibrate(runs, n, &c);
        mb_free(runs);
        if ((rc = fitted == MB_ENOMEM ? fitted : MB_OK) != MB_OK)
            goto done; /* no memory is an error, not a calibration the data cannot give */
        mb_analysis_calibration_print(stdout, n, fitted, mb_errmsg(), &c);
        if (fitted == MB_OK) {
            mb_record r = {0};
            mb_analysis_calibration_record(&r, &c);
            if ((rc = mb_record_print(cal, &r, MB_FORMAT_CSV, 1)) != MB_OK)
                goto done;
        }
        if ((rc = mb_analysis_measured_table(lstm, "budget", fitted == MB_OK ? &c : NULL,
                                             &measured)) != MB_OK ||
            (rc = mb_analysis_length_fits(lstm, "length", &length)) != MB_OK)
            goto done;
        mb_analysis_measured_print(stdout, &measured);
        mb_analysis_length_print(stdout, &length);
    }
    rc = mb_analysis_fits_write(fits, &hsm, &length, &header);
done:
    mb_analysis_solvers_fini(&solvers);
    mb_analysis_hsm_fini(&hsm);
    mb_analysis_bound_fini(&bound);
    mb_analysis_chen_fini(&chen);
    mb_analysis_measured_fini(&measured);
    mb_analysis_length_fini(&length);
    return rc;
}

/* Loads the sweeps' CSVs from `results`, analyses them (printing the tables) and writes the
 * fits and calibration CSVs there, each with its sidecar. */
static int analyse_into(const char *results, const cli_repro_set *set, int measure,
                        const char *analytic)
{
    int rc;
    char path[4400];
    mb_csv *paper = NULL, *lstm = NULL;
    snprintf(path, sizeof path, "%s/%s.csv", results, set->paper);
    if ((rc = mb_csv_load(path, &paper)) != MB_OK)
        return rc;
    if (measure) {
        snprintf(path, sizeof path, "%s/%s.csv", results, set->lstm);
        if ((rc = mb_csv_load(path, &lstm)) != MB_OK) {
            mb_csv_free(paper);
            return rc;
        }
    }
    mb_atomic_file fits, cal;
    char fpath[4400], cpath[4400];
    snprintf(fpath, sizeof fpath, "%s/%s.csv", results, set->fits);
    snprintf(cpath, sizeof cpath, "%s/%s.csv", results, set->calibration);
    if ((rc = mb_atomic_open(&fits, fpath)) == MB_OK &&
        (rc = mb_atomic_open(&cal, cpath)) != MB_OK)
        mb_atomic_abort(&fits);
    if (rc != MB_OK) {
        mb_csv_free(paper);
        mb_csv_free(lstm);
        return rc;
    }
    rc = analyse(paper, lstm, fits.f, cal.f);
    mb_csv_free(paper);
    mb_csv_free(lstm);
    if (rc != MB_OK) {
        mb_atomic_abort(&fits);
        mb_atomic_abort(&cal);
        return rc;
    }
    /* each CSV with its sidecar; a CSV with no row is not written (no stale one stays) */
    char config_name[512];
    snprintf(config_name, sizeof config_name, "%s", analytic ? analytic : set->analytic_config);
    mb_meta_config fcf[] = {{"command", "membptt reproduce"}, {"analytic_config", config_name},
                            {"lstm_config", measure ? set->lstm_config : NULL}};
    struct {
        mb_atomic_file *af;
        const char *path, *what;
    } outs[] = {{&fits, fpath, "least-squares fits: HSM cost and LSTM time against steps, with "
                               "95% intervals and the model's exponent"},
                {&cal, cpath, "per-op costs of the LSTM fitted to its measured medians"}};
    for (int i = 0; i < 2; i++) {
        char side[4400];
        mb_sidecar_path(outs[i].path, side, sizeof side);
        if (ftell(outs[i].af->f) == 0) {
            mb_atomic_abort(outs[i].af);
            remove(outs[i].path);
            remove(side);
            continue;
        }
        if ((rc = mb_atomic_commit(outs[i].af)) != MB_OK ||
            (rc = mb_sidecar_write(outs[i].path, outs[i].what, fcf,
                                   sizeof fcf / sizeof fcf[0])) != MB_OK) {
            if (i == 0)
                mb_atomic_abort(&cal);
            return rc;
        }
    }
    printf("\nFits: %s%s%s\n", fpath, measure ? ", " : "", measure ? cpath : "");
    return MB_OK;
}

/* ---------------------------------------------------------------------------------------------
 * reproduce
 */

/* Runs a built-in config (`name`) or, when `file` is set, the config file. */
static int run_config(const char *name, const char *file, const char *results, int resume,
                      int quiet, mb_sweep_config **cfg_out)
{
    mb_sweep_config *cfg;
    int rc;
    if (file) {
        rc = mb_sweep_config_load(file, &cfg);
    } else {
        const char *text = mb_sweep_embedded_config(name);
        char label[256];
        snprintf(label, sizeof label, "configs/%s.ini", name);
        rc = mb_sweep_config_parse(label, text ? text : "", &cfg);
    }
    if (rc != MB_OK)
        return rc;
    if (!resume) {
        const char *ext[] = {"csv", "json", "timing.csv"};
        for (int i = 0; i < 3; i++) {
            char p[4400];
            snprintf(p, sizeof p, "%s/%s.%s", results, cfg->name, ext[i]);
            remove(p);
        }
    }
    mb_sweep_options o = {.out_dir = results, .progress = quiet ? NULL : stderr};
    mb_sweep_result res;
    double t0 = mb_clock_wall();
    rc = mb_sweep_run(cfg, &o, &res);
    if (rc != MB_OK) {
        mb_sweep_config_free(cfg);
        return rc;
    }
    printf("  %-34s %4zu rows (%zu computed, %zu kept) in %.1f s\n", res.csv, res.points,
           res.computed, res.resumed, mb_clock_wall() - t0);
    fflush(stdout);
    *cfg_out = cfg;
    return MB_OK;
}

static void reproduce_help(void)
{
    printf("usage: membptt reproduce [--full] [--out DIR] [--resume] [--no-measure] [--quiet]\n"
           "                         [--analytic FILE] [--bench FILE] [--force]\n\n"
           "Regenerates the paper's results: the analytic sweeps of its figures (configs/quick.ini,\n"
           "or configs/paper.ini with --full; both are built into the command), a real LSTM\n"
           "measurement (configs/lstm-quick.ini, or configs/lstm.ini), the fits (HSM exponents\n"
           "against 1 + 1/m, the bound on every point, per-op cost calibration, measured\n"
           "asymptotics), a summary table beside the paper's numbers, and eight figures.\n\n"
           "Writes DIR/results/*.csv (+ .json metadata) and DIR/plots/*.pdf, *.png with the .gp\n"
           "script of each; DIR is out/ unless --out says otherwise. The committed references in\n"
           "results/ change only through `make reference`. The default uses about 27 s of CPU;\n"
           "--full about 224 s (README.md).\n\n"
           "options:\n"
           "  --full          the whole of paper.ini and lstm.ini\n"
           "  --out DIR       output folder (default out: out/results and out/plots)\n"
           "  --resume        keep rows of an earlier, interrupted run (default: recompute)\n"
           "  --no-measure    skip the LSTM measurement (analytic results only)\n"
           "  --analytic FILE an analytic config instead of the built-in one; figures read the\n"
           "                  sections named as in configs/quick.ini (configs/smoke.ini: seconds)\n"
           "  --bench FILE    solver timings for figure 7 (default results/bench_solvers.csv,\n"
           "                  written by bench_solvers)\n"
           "  --quiet         no progress on stderr\n"
           "  --force         replace figure scripts you edited (kept and drawn otherwise)\n");
}

/* Runs the analytic sweep (v->repro.analytic, or the set's built-in config), writes its plan
 * CSV, then the measured sweep unless --no-measure. The analytic CSV's stem, which the
 * figures read, goes to stem[cap]. */
static int run_sweeps(const char *results, const cli_repro_set *set, const cli_values *v,
                      char *stem, size_t cap)
{
    mb_sweep_config *cfg = NULL;
    int rc = run_config(set->analytic_config, v->repro.analytic, results, v->repro.resume,
                        v->quiet, &cfg);
    if (rc != MB_OK)
        return rc;
    snprintf(stem, cap, "%s", cfg->name);
    char path[4400];
    snprintf(path, sizeof path, "%s/%s.csv", results, set->plan);
    rc = mb_sweep_write_plan_ops(cfg, path);
    mb_sweep_config_free(cfg);
    if (rc != MB_OK)
        return rc;
    printf("  %-34s one plan, op by op (figure 6)\n", path);
    if (v->repro.no_measure)
        return MB_OK;
    if ((rc = run_config(set->lstm_config, NULL, results, v->repro.resume, v->quiet, &cfg)) ==
        MB_OK)
        mb_sweep_config_free(cfg);
    return rc;
}

int cmd_reproduce(int argc, char **argv)
{
    cli_values v;
    int rc = cli_parse(CLI_REPRODUCE, "reproduce", argc, argv, &v);
    if (rc == MB_OK && v.help) {
        reproduce_help();
        return 0;
    }
    if (rc == MB_OK && v.n_args > 0)
        rc = MB_ERROR(MB_EINVAL, "unexpected argument '%s'", v.args[0]);
    const char *out = v.out ? v.out : "out"; /* never the source folders (git-ignored) */
    const char *bench = v.repro.bench ? v.repro.bench : "results/bench_solvers.csv";
    if (rc == MB_OK)
        rc = mb_output_path_check("--out", out, 1);
    if (rc != MB_OK)
        return cli_fail("reproduce", rc);
    cli_repro_set set = v.repro.full ? cli_full_set : cli_quick_set;
    char results[4200], stem[80];
    snprintf(results, sizeof results, "%s/results", out);
    if ((rc = cli_mkdir_p(results)) != MB_OK)
        return cli_fail("reproduce", rc);
    double t0 = mb_clock_wall();
    setvbuf(stdout, NULL, _IOLBF, 0); /* lines in order with the progress on stderr */
    printf("membptt reproduce%s: sweeps into %s\n", v.repro.full ? " --full" : "", results);
    if ((rc = run_sweeps(results, &set, &v, stem, sizeof stem)) != MB_OK)
        return cli_fail("reproduce", rc);
    set.paper = stem; /* the CSV the figures read */
    if ((rc = analyse_into(results, &set, !v.repro.no_measure, v.repro.analytic)) != MB_OK)
        return cli_fail("reproduce", rc);
    printf("\nFigures (gnuplot, from the CSVs alone; each .gp redraws its figure):\n");
    int drawn;
    rc = cli_draw_figures(out, &set, exists(bench) ? bench : NULL, v.repro.force, 0, NULL, 0,
                          &drawn);
    printf("\nDone in %.0f s.\n", mb_clock_wall() - t0);
    return rc == MB_OK ? 0 : cli_fail("reproduce", rc);
}
