/* test_analysis.c: the analysis layer on fixture CSVs (tests/fixtures/): the HSM exponents and
 * the bound, the solver and Chen tables, the calibration recovering known per-op costs from
 * measured rows, measured against predicted ratios, the exponents of time and counters, the
 * fits CSV, the headline; and tables larger than any fixed array, which must lose no row. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analysis/analysis.h"
#include "core/alloc.h"
#include "core/error.h"
#include "test_util.h"

#ifndef MB_SOURCE_DIR
#error "MB_SOURCE_DIR must name the source tree (tests/CMakeLists.txt sets it)"
#endif

static mb_csv *load(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tests/fixtures/%s", MB_SOURCE_DIR, name);
    mb_csv *t = NULL;
    if (mb_csv_load(path, &t) != MB_OK)
        fail_msg("FAIL: loading %s: %s", path, mb_errmsg());
    return t;
}

/* Text a printer wrote, for checks on what reproduce shows. Free with free(). */
typedef struct {
    FILE *f;
    char *text;
    size_t len;
} capture;

static void capture_open(capture *c)
{
    c->text = NULL;
    c->len = 0;
    c->f = open_memstream(&c->text, &c->len);
    assert_non_null(c->f);
}

static void capture_expect(capture *c, const char *needle)
{
    fflush(c->f);
    if (strstr(c->text, needle) == NULL)
        fail_msg("FAIL: printed text lacks \"%s\":\n%s", needle, c->text);
}

static void capture_close(capture *c)
{
    fclose(c->f);
    free(c->text);
}

static int close_to(double a, double b, double rel) { return fabs(a - b) <= rel * fabs(b); }

static void test_hsm_fit(void **state)
{
    (void)state;
    mb_csv *t = load("analysis_paper.csv");
    mb_analysis_hsm h;
    assert_int_equal(mb_analysis_hsm_fit(t, "hsm", &h), MB_OK);
    EXPECT_EQ(h.n, 3, "budgets of the hsm section");
    const double m[3] = {10, 50, 1000};
    for (size_t k = 0; k < 3; k++)
        assert_true(h.groups[k].budget == m[k]);
    /* the figures reproduce printed for the whole quick sweep (this fixture holds m = 10 whole) */
    EXPECT_EQ(h.groups[0].points, 11, "points at m = 10");
    assert_int_equal(h.groups[0].rc, MB_OK);
    assert_true(fabs(h.groups[0].fit.exponent - 1.1765) < 5e-5);
    assert_true(fabs(h.groups[0].reference - 1.1) < 1e-12);
    assert_true(h.groups[0].t_min == 10 && h.groups[0].t_max == 10240);
    assert_true(fabs(h.groups[1].fit.exponent - 1.1099) < 5e-5);
    EXPECT_EQ(h.groups[2].points, 2, "points at m = 1000");
    assert_int_not_equal(h.groups[2].rc, MB_OK);
    capture c;
    capture_open(&c);
    mb_analysis_hsm_print(c.f, &h);
    capture_expect(&c, "      10      11    1.1765   [ 1.1648,  1.1882]     1.1000");
    capture_expect(&c, "    1000       2   (too few points: a power-law fit needs at least 3");
    capture_close(&c);
    mb_analysis_hsm_fini(&h);
    assert_null(h.groups);
    /* a section with no row: no group */
    assert_int_equal(mb_analysis_hsm_fit(t, "no-such-section", &h), MB_OK);
    EXPECT_EQ(h.n, 0, "groups of an empty section");
    mb_analysis_hsm_fini(&h);
    mb_csv_free(t);
}

static void test_hsm_bound(void **state)
{
    (void)state;
    mb_csv *t = load("analysis_paper.csv");
    mb_analysis_bound b;
    assert_int_equal(mb_analysis_hsm_bound(t, &b), MB_OK);
    /* rows of hsm and revolve (the entries with MB_SOLVER_HSM_BOUND) with a cost: 29, one of
     * them the tampered revolve row, t = 100, m = 2, C = 99999 > 2 * 100^1.5 */
    EXPECT_EQ(b.checked, 29, "rows checked");
    EXPECT_EQ(b.n_violations, 1, "violations");
    assert_string_equal(b.violations[0].solver, "revolve");
    assert_true(b.violations[0].steps == 100 && b.violations[0].slots == 2);
    assert_true(b.violations[0].cost == 99999 && close_to(b.violations[0].bound, 2000, 1e-12));
    capture c;
    capture_open(&c);
    mb_analysis_bound_print(c.f, &b, 20);
    capture_expect(&c, "bound violated: revolve t = 100, m = 2: C = 99999 > 2000");
    capture_expect(&c, "29 revolve/hsm points checked, 1 violations");
    capture_close(&c);
    mb_analysis_bound_fini(&b);
    mb_csv_free(t);
}

static void test_solver_table(void **state)
{
    (void)state;
    mb_csv *t = load("analysis_paper.csv");
    mb_analysis_solvers s;
    assert_int_equal(mb_analysis_solver_table(t, "budget", 1000, "5%", &s), MB_OK);
    EXPECT_EQ(s.n, 8, "solvers at 5%%");
    assert_string_equal(s.rows[0].solver, "full");
    assert_false(s.rows[0].feasible);
    assert_true(s.rows[0].min_budget_units == 4996);
    assert_string_equal(s.rows[6].solver, "msm");
    assert_true(s.rows[6].feasible && s.rows[6].forward_ops == 1950 &&
                s.rows[6].per_step == 1.95 && s.rows[6].budget_units == 249);
    assert_true(close_to(s.rows[6].time_vs_full, 1.31666667, 1e-12));
    assert_true(close_to(s.rows[6].memory_saved, 1 - 0.0498398719, 1e-12));
    capture c;
    capture_open(&c);
    mb_analysis_solvers_print(c.f, &s);
    capture_expect(&c, "full           249 infeasible: needs at least 4996 units");
    capture_expect(&c, "msm            249        1950    1.950      249        95.0%       1.317");
    capture_close(&c);
    mb_analysis_solvers_fini(&s);
    assert_int_equal(mb_analysis_solver_table(t, "budget", 999, "5%", &s), MB_OK);
    EXPECT_EQ(s.n, 0, "rows at another t");
    mb_analysis_solvers_fini(&s);
    mb_csv_free(t);
}

static void test_chen_table(void **state)
{
    (void)state;
    mb_csv *t = load("analysis_paper.csv");
    mb_analysis_chen c;
    assert_int_equal(mb_analysis_chen_table(t, "chen-search", "chen-memory", &mb_solver_sqrt,
                                            &mb_solver_msm, &c),
                     MB_OK);
    assert_true(c.steps == 4096);
    EXPECT_EQ(c.n, 3, "alphas at the largest t");
    const mb_analysis_chen_row *r = &c.rows[0];
    assert_true(r->beta == 2 && r->chen_memory == 253 && r->dp_memory == 156);
    assert_true(close_to(r->ratio, 156.0 / 253, 1e-15));
    assert_true(r->dp_cost_per_step == 1.97998047 && r->chen_cost_per_step == 1.984375);
    assert_true(c.rows[2].beta == 10 && c.rows[2].chen_memory == 757);
    capture cap;
    capture_open(&cap);
    mb_analysis_chen_print(cap.f, &c);
    capture_expect(&cap, "Against Chen's sqrt(t) at t = 4096");
    capture_expect(&cap, "    2          253              156      0.617              1.980");
    capture_close(&cap);
    mb_analysis_chen_fini(&c);
    /* the partners are chosen by the solver table's entries: with revolve as the reference
     * there is none, and its columns are NAN, not zero */
    assert_int_equal(mb_analysis_chen_table(t, "chen-search", "chen-memory", &mb_solver_revolve,
                                            &mb_solver_msm, &c),
                     MB_OK);
    assert_true(isnan(c.rows[0].chen_memory) && isnan(c.rows[0].ratio));
    mb_analysis_chen_fini(&c);
    mb_csv_free(t);
}

/* The fixture's costs (tests/fixtures/analysis_measured.csv): its times follow them exactly. */
static const double c_f = 2e-4, c_r = 2.6e-4, c_b = 5e-4, c_copy = 2e-10;

static void test_calibration(void **state)
{
    (void)state;
    mb_csv *t = load("analysis_measured.csv");
    mb_fit_run *runs;
    size_t n;
    assert_int_equal(mb_analysis_calibration_runs(t, &runs, &n), MB_OK);
    EXPECT_EQ(n, 24, "runs: each of the 12 measured rows and its full-BPTT partner");
    assert_true(runs[1].recompute_ops == 0 && runs[1].copied_bytes == 4096.0 * 999);
    mb_fit_calibration cal;
    assert_int_equal(mb_fit_calibrate(runs, n, &cal), MB_OK);
    mb_free(runs);
    assert_true(cal.copy_fitted);
    assert_true(close_to(cal.c_f, c_f, 1e-6));
    assert_true(close_to(cal.c_r, c_r, 1e-6));
    assert_true(close_to(cal.c_b, c_b, 1e-6));
    assert_true(close_to(cal.c_copy, c_copy, 1e-6));
    capture c;
    capture_open(&c);
    mb_record r = {0};
    mb_analysis_calibration_record(&r, &cal);
    assert_int_equal(mb_record_print(c.f, &r, MB_FORMAT_CSV, 1), MB_OK);
    capture_expect(&c, "rows,cost_step_s,cost_step_se_s,cost_recompute_s,cost_recompute_se_s,"
                       "r2,rms_s,cost_forward_s,cost_backward_s,cost_copy_s_per_byte\n24,");
    mb_analysis_calibration_print(c.f, 24, MB_OK, "", &cal);
    capture_expect(&c, "c_f = 2.000e-04 s");
    capture_expect(&c, "c_r = 2.600e-04 s");
    mb_analysis_calibration_print(c.f, 3, MB_EINVAL, "too few runs", &cal);
    capture_expect(&c, "not fitted: too few runs");
    capture_close(&c);
    /* an analytic table has no measured run */
    mb_csv *paper = load("analysis_paper.csv");
    assert_int_equal(mb_analysis_calibration_runs(paper, &runs, &n), MB_OK);
    EXPECT_EQ(n, 0, "runs of an analytic table");
    assert_null(runs);
    mb_csv_free(paper);
    mb_csv_free(t);
}

static void test_measured_table(void **state)
{
    (void)state;
    mb_csv *t = load("analysis_measured.csv");
    mb_fit_calibration cal = {.c_f = c_f, .c_r = c_r, .c_b = c_b, .c_copy = c_copy};
    mb_analysis_measured m;
    assert_int_equal(mb_analysis_measured_table(t, "budget", &cal, &m), MB_OK);
    EXPECT_EQ(m.n, 7, "budget rows");
    for (size_t k = 0; k < m.n; k++) { /* with the true costs the fit predicts what was timed */
        assert_true(close_to(m.rows[k].pred_fit, m.rows[k].measured, 1e-12));
        assert_true(m.rows[k].measured_min <= m.rows[k].measured &&
                    m.rows[k].measured <= m.rows[k].measured_max);
    }
    assert_true(m.rows[6].budget_units == 4996 && m.full_peak_bytes == 4996 * 800.0);
    assert_true(m.steps == 1000);
    capture c;
    capture_open(&c);
    mb_analysis_measured_print(c.f, &m);
    capture_expect(&c, "LSTM at t = 1000: measured against predicted");
    capture_expect(&c, "msm          249     5.0%");
    capture_close(&c);
    mb_analysis_measured_fini(&m);
    assert_int_equal(mb_analysis_measured_table(t, "budget", NULL, &m), MB_OK);
    assert_true(isnan(m.rows[0].pred_fit));
    mb_analysis_measured_fini(&m);
    mb_csv_free(t);
}

static void test_length_fits(void **state)
{
    (void)state;
    mb_csv *t = load("analysis_measured.csv");
    mb_analysis_length l;
    assert_int_equal(mb_analysis_length_fits(t, "length", &l), MB_OK);
    EXPECT_EQ(l.n, 1, "budgets of the length section");
    const mb_analysis_length_group *g = &l.groups[0];
    assert_true(g->budget == 40 && g->fitted);
    EXPECT_EQ(g->points, 5, "points");
    EXPECT_EQ(g->n_counters, 3, "counters");
    /* perf::TASK-CLOCK sums to 10 t^1.5 over the phases */
    assert_int_equal(g->counters[0].event_len, (int)strlen("perf::TASK-CLOCK"));
    assert_memory_equal(g->counters[0].event, "perf::TASK-CLOCK", 16);
    assert_true(g->counters[0].fitted && fabs(g->counters[0].fit.exponent - 1.5) < 1e-12);
    assert_true(!g->counters[1].fitted && g->counters[1].counted == 0); /* never counted */
    assert_true(!g->counters[2].fitted && g->counters[2].counted == 2); /* two rows only */
    capture c;
    capture_open(&c);
    mb_analysis_length_print(c.f, &l);
    capture_expect(&c, "(counter perf::TASK-CLOCK, all phases)");
    capture_expect(&c, "(counter PAPI_TOT_INS: not available on this machine)");
    capture_expect(&c, "(counter PAPI_L1_DCM: counted, but fewer than 3 positive totals");
    capture_close(&c);
    /* the fits CSV: no hsm fits here, time and one counter */
    capture_open(&c);
    int header = 1;
    assert_int_equal(mb_analysis_fits_write(c.f, NULL, &l, &header), MB_OK);
    assert_int_equal(header, 0);
    capture_expect(&c, "fit,group,points,exponent,exponent_se,ci95_low,ci95_high,prefactor,r2,"
                       "reference_exponent,reference\nlstm_time_vs_steps,budget=40,5,");
    capture_expect(&c, "\nlstm_perf::TASK-CLOCK_vs_steps,budget=40,5,1.5");
    fflush(c.f);
    size_t lines = 0;
    for (const char *p = c.text; *p; p++)
        lines += *p == '\n';
    EXPECT_EQ(lines, 3, "lines of the fits CSV");
    capture_close(&c);
    mb_analysis_length_fini(&l);
    mb_csv_free(t);
}

static void test_summary(void **state)
{
    (void)state;
    mb_csv *paper = load("analysis_paper.csv"), *lstm = load("analysis_measured.csv");
    mb_analysis_summary s;
    assert_int_equal(mb_analysis_summary_of(paper, lstm, "budget", &mb_solver_msm, 1000, "5%",
                                            &s),
                     MB_OK);
    assert_true(s.have_model && s.have_measured);
    assert_true(s.cost_per_step == 1.95 && close_to(s.time_vs_full, 1.31666667, 1e-12));
    assert_true(s.measured_cost_per_step == 1950.0 / 1000);
    assert_true(s.time_ratio_min < s.time_ratio && s.time_ratio < s.time_ratio_max);
    capture c;
    capture_open(&c);
    mb_analysis_summary_print(c.f, &s, 1000, "5%");
    capture_expect(&c, "the paper's headline, t = 1000 at 5% memory");
    capture_expect(&c, "predicted time ratio (c_f = 1, c_b = 2)              1.317x");
    capture_close(&c);
    /* chosen by the solver's table entry: hsm's 5% row exists, full BPTT's measured row not */
    assert_int_equal(mb_analysis_summary_of(paper, lstm, "budget", &mb_solver_hsm, 1000, "5%",
                                            &s),
                     MB_OK);
    assert_true(s.have_model && !s.have_measured && s.cost_per_step == 2.749);
    assert_int_equal(mb_analysis_summary_of(paper, NULL, "budget", &mb_solver_msm, 1000, "50%",
                                            &s),
                     MB_OK);
    assert_true(!s.have_model && !s.have_measured);
    capture_open(&c);
    mb_analysis_summary_print(c.f, &s, 1000, "50%");
    capture_expect(&c, "measured time ratio                            not measured");
    capture_close(&c);
    mb_csv_free(paper);
    mb_csv_free(lstm);
}

/* Writes a table with more rows and groups than the arrays reproduce once had (4,096 rows per
 * fit, 16 budgets, 64 rows per length budget) and loads it. */
static mb_csv *big_table(char *path, size_t cap)
{
    snprintf(path, cap, "/tmp/test_analysis_%ld.csv", (long)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "sweep,mode,solver,steps,hidden_units,budget_units,forward_ops,time_s,"
               "predicted_time\n");
    /* hsm: 20 budgets of 3 rows each, and budget 7 with 5000 rows (t = 10..5009); every row
     * over the bound, so 5060 violations */
    for (int m = 100; m < 120; m++)
        for (int t = 10; t < 13; t++)
            fprintf(f, "hsm,analytic,hsm,%d,1,%d,%d,,\n", t, m, 10 * t * t * t);
    for (int t = 10; t < 5010; t++)
        fprintf(f, "hsm,analytic,hsm,%d,1,7,%.17g,,\n", t, 8 * pow(t, 2.0));
    /* length: 20 budgets of 3 rows, and budget 5 with 70 rows */
    for (int b = 100; b < 120; b++)
        for (int t = 100; t < 103; t++)
            fprintf(f, "length,measured,msm,%d,1,%d,,%.17g,%d\n", t, b, 1e-3 * t, 3 * t);
    for (int t = 100; t < 170; t++)
        fprintf(f, "length,measured,msm,%d,1,5,,%.17g,%.17g\n", t, 2e-3 * pow(t, 1.25),
                pow(t, 1.5));
    fclose(f);
    mb_csv *t = NULL;
    assert_int_equal(mb_csv_load(path, &t), MB_OK);
    return t;
}

static void test_no_truncation(void **state)
{
    (void)state;
    char path[256];
    mb_csv *t = big_table(path, sizeof path);
    mb_analysis_hsm h;
    assert_int_equal(mb_analysis_hsm_fit(t, "hsm", &h), MB_OK);
    EXPECT_EQ(h.n, 21, "hsm budgets (the old array held 16)");
    EXPECT_EQ(h.groups[20].points, 5000, "rows of budget 7 (the old array held 4096)");
    assert_true(h.groups[20].t_max == 5009);
    assert_true(fabs(h.groups[20].fit.exponent - 2) < 1e-9);
    mb_analysis_hsm_fini(&h);
    mb_analysis_bound b;
    assert_int_equal(mb_analysis_hsm_bound(t, &b), MB_OK);
    EXPECT_EQ(b.checked, 5060, "rows checked");
    EXPECT_EQ(b.n_violations, 5060, "violations, every one kept");
    capture c;
    capture_open(&c);
    mb_analysis_bound_print(c.f, &b, 20);
    capture_expect(&c, "(5040 more violations not listed)");
    capture_close(&c);
    mb_analysis_bound_fini(&b);
    mb_analysis_length l;
    assert_int_equal(mb_analysis_length_fits(t, "length", &l), MB_OK);
    EXPECT_EQ(l.n, 21, "length budgets (the old array held 16)");
    EXPECT_EQ(l.groups[20].points, 70, "rows of budget 5 (the old array held 64)");
    assert_true(fabs(l.groups[20].measured.exponent - 1.25) < 1e-9);
    assert_true(fabs(l.groups[20].model.exponent - 1.5) < 1e-9);
    mb_analysis_length_fini(&l);
    mb_csv_free(t);
    remove(path);
}

static void test_missing_columns(void **state)
{
    (void)state;
    mb_csv *t = load("analysis_measured.csv"); /* no hidden_units, no peak_fraction */
    mb_analysis_bound b;
    assert_int_equal(mb_analysis_hsm_bound(t, &b), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "'hidden_units'"));
    mb_analysis_solvers s;
    assert_int_equal(mb_analysis_solver_table(t, "budget", 1000, "5%", &s), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "no column"));
    mb_analysis_measured m;
    mb_csv *paper = load("analysis_paper.csv");
    assert_int_equal(mb_analysis_measured_table(paper, "budget", NULL, &m), MB_EINVAL);
    mb_analysis_length l;
    assert_int_equal(mb_analysis_length_fits(paper, "budget", &l), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "time_s"));
    mb_csv_free(paper);
    mb_csv_free(t);
}

/* An allocator that fails its k-th allocation (fail_at; 0: none) and counts live blocks. */
static long alloc_count, fail_at, live_blocks;
static void *fault_malloc(size_t n)
{
    if (++alloc_count == fail_at)
        return NULL;
    void *p = malloc(n);
    live_blocks += p != NULL;
    return p;
}
static void *fault_calloc(size_t c, size_t n)
{
    if (++alloc_count == fail_at)
        return NULL;
    void *p = calloc(c, n);
    live_blocks += p != NULL;
    return p;
}
static void *fault_realloc(void *q, size_t n)
{
    if (++alloc_count == fail_at)
        return NULL;
    void *p = realloc(q, n);
    live_blocks += q == NULL && p != NULL;
    return p;
}
static void fault_free(void *p)
{
    live_blocks -= p != NULL;
    free(p);
}

/* Runs every analysis function over both fixtures with the k-th allocation failing, for every
 * k up to the first run that needs fewer: each returns MB_OK or MB_ENOMEM (never a result with
 * a group quietly missing), and after its fini nothing stays allocated. */
static int run_all(const mb_csv *paper, const mb_csv *lstm)
{
    mb_analysis_hsm h = {0};
    mb_analysis_bound b = {0};
    mb_analysis_solvers s = {0};
    mb_analysis_chen c = {0};
    mb_analysis_measured m = {0};
    mb_analysis_length l = {0};
    mb_fit_run *runs = NULL;
    size_t n = 0;
    mb_fit_calibration cal;
    int rc;
    if ((rc = mb_analysis_hsm_fit(paper, "hsm", &h)) == MB_OK &&
        (rc = mb_analysis_hsm_bound(paper, &b)) == MB_OK &&
        (rc = mb_analysis_solver_table(paper, "budget", 1000, "5%", &s)) == MB_OK &&
        (rc = mb_analysis_chen_table(paper, "chen-search", "chen-memory", &mb_solver_sqrt,
                                     &mb_solver_msm, &c)) == MB_OK &&
        (rc = mb_analysis_calibration_runs(lstm, &runs, &n)) == MB_OK &&
        (rc = mb_fit_calibrate(runs, n, &cal)) == MB_OK &&
        (rc = mb_analysis_measured_table(lstm, "budget", &cal, &m)) == MB_OK &&
        (rc = mb_analysis_length_fits(lstm, "length", &l)) == MB_OK) {
        EXPECT_EQ(h.n, 3, "hsm groups");
        EXPECT_EQ(l.groups[0].n_counters, 3, "counters");
        assert_true(l.groups[0].counters[0].fitted && h.groups[0].rc == MB_OK);
    }
    mb_free(runs);
    mb_analysis_hsm_fini(&h);
    mb_analysis_bound_fini(&b);
    mb_analysis_solvers_fini(&s);
    mb_analysis_chen_fini(&c);
    mb_analysis_measured_fini(&m);
    mb_analysis_length_fini(&l);
    return rc;
}

static void test_out_of_memory(void **state)
{
    (void)state;
    assert_int_equal(mb_replace_allocator(fault_malloc, fault_realloc, fault_calloc, fault_free),
                     MB_OK);
    fail_at = 0;
    mb_csv *paper = load("analysis_paper.csv"), *lstm = load("analysis_measured.csv");
    const long base = live_blocks;
    alloc_count = 0;
    assert_int_equal(run_all(paper, lstm), MB_OK);
    const long needed = alloc_count;
    assert_true(needed > 20);
    EXPECT_EQ(live_blocks, base, "blocks left after a whole run");
    for (long k = 1; k <= needed; k++) {
        alloc_count = 0;
        fail_at = k;
        int rc = run_all(paper, lstm);
        if (rc != MB_ENOMEM)
            fail_msg("FAIL: allocation %ld of %ld failed: status %d, expected MB_ENOMEM", k,
                     needed, rc);
        EXPECT_EQ(live_blocks, base, "blocks left after allocation %ld failed", k);
    }
    fail_at = 0;
    mb_csv_free(paper);
    mb_csv_free(lstm);
    EXPECT_EQ(live_blocks, 0, "blocks left at the end");
    assert_int_equal(mb_replace_allocator(malloc, realloc, calloc, free), MB_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hsm_fit),         cmocka_unit_test(test_hsm_bound),
        cmocka_unit_test(test_solver_table),    cmocka_unit_test(test_chen_table),
        cmocka_unit_test(test_calibration),     cmocka_unit_test(test_measured_table),
        cmocka_unit_test(test_length_fits),     cmocka_unit_test(test_summary),
        cmocka_unit_test(test_no_truncation),   cmocka_unit_test(test_missing_columns),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
