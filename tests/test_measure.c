/* test_measure.c: clocks and the counter layer (available and unavailable events, list errors,
 * phases); with tests/test_measure_meta.c (pinning, topology and the run metadata as JSON) one
 * program, built twice: against mb_measure and, with MB_TEST_NOPAPI=1, against the same
 * sources compiled without PAPI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/error.h"
#include "measure/measure.h"
#include "test_measure.h"

#ifndef MB_TEST_NOPAPI
#define MB_TEST_NOPAPI 0
#endif
#ifndef MB_TEST_SDE
#define MB_TEST_SDE 0
#endif

#if MB_TEST_SDE
/* PAPI's software-defined events: counters this program owns and PAPI reads through its "sde"
 * component, which works where no PMU does. They test PAPI's own counting path end to end with
 * counts known exactly. Registered in main before PAPI is initialised. */
#include <sde_lib.h>
static long long sde_items, sde_bytes;
#endif

/* Spins until this thread has used `seconds` of CPU time (or 20 times that in wall time, on a
 * crowded machine), doing arithmetic the compiler cannot drop. */
static double busy(double seconds)
{
    volatile double x = 0.0;
    double c0 = mb_clock_thread_cpu(), w0 = mb_clock_wall();
    while (mb_clock_thread_cpu() - c0 < seconds && mb_clock_wall() - w0 < 20.0 * seconds)
        for (int i = 0; i < 10000; i++)
            x = x + 1e-9 * (double)i;
    return x;
}

/* ------------------------------------------------------------------------------------------- */

static void test_clocks(void **state)
{
    (void)state;
    double p0 = mb_clock_cpu(), w0 = mb_clock_wall(), c0 = mb_clock_thread_cpu();
    assert_true(w0 >= 0.0);
    assert_true(c0 >= 0.0);
    busy(0.05);
    double c1 = mb_clock_thread_cpu(), w1 = mb_clock_wall(), p1 = mb_clock_cpu();
    double dw = w1 - w0, dc = c1 - c0, dp = p1 - p0;
    if (!(dw >= 0.05))
        fail_msg("FAIL: wall clock advanced %g s over a 0.05 s busy loop", dw);
    if (!(dc > 0.0))
        fail_msg("FAIL: thread CPU clock advanced %g s over a busy loop", dc);
    /* One busy thread cannot use more CPU time than wall time (1 ms of slack for the reads). The
     * process's CPU time also counts other threads (OpenBLAS's spinning workers), so it is only
     * bounded below by this thread's. */
    if (!(dc <= dw + 1e-3))
        fail_msg("FAIL: thread CPU time %g s > wall time %g s for a busy loop", dc, dw);
    if (!(dp >= dc - 1e-3))
        fail_msg("FAIL: process CPU time %g s < this thread's %g s", dp, dc);
    double rw = mb_clock_wall_resolution(), rc = mb_clock_cpu_resolution();
    if (!(rw > 0.0 && rw <= 1e-3 && rc > 0.0 && rc <= 1e-3))
        fail_msg("FAIL: clock resolutions %g s and %g s (expected in (0, 1 ms])", rw, rc);
}

static void test_list_errors(void **state)
{
    (void)state;
    mb_counters *c = (mb_counters *)1;
    assert_int_equal(mb_counters_open("", &c), MB_EINVAL);
    assert_null(c);
    assert_non_null(strstr(mb_errmsg(), "event 1 is empty"));
    assert_int_equal(mb_counters_open_key("--events", "PAPI_TOT_INS,,perf::TASK-CLOCK", &c),
                     MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--events \"PAPI_TOT_INS,,perf::TASK-CLOCK\""));
    assert_non_null(strstr(mb_errmsg(), "event 2 is empty"));
    assert_non_null(strstr(mb_errmsg(), "PAPI_TOT_INS,,perf::TASK-CLOCK"));
    assert_int_equal(mb_counters_open("PAPI_TOT_INS, ", &c), MB_EINVAL);
    assert_int_equal(mb_counters_open("perf::TASK-CLOCK, perf::TASK-CLOCK", &c), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "\"perf::TASK-CLOCK\" is listed twice"));

    /* a name that is no event on any machine is a typo: refused, named, the forms given */
    assert_int_equal(mb_counters_open_key("--events", "perf::TASK-CLOCK,bogus", &c), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--events: event \"bogus\" is not an event name"));
    assert_non_null(strstr(mb_errmsg(), "PAPI_TOT_INS"));
    assert_int_equal(mb_counters_open("PAPI_", &c), MB_EINVAL);
    assert_int_equal(mb_counters_open("::TASK-CLOCK", &c), MB_EINVAL);
    assert_int_equal(mb_counters_open("PAPI_tot_ins", &c), MB_EINVAL);
    /* a PAPI_ name outside PAPI's preset table, where there is a table to look in */
    if (mb_counters_have_papi()) {
        assert_int_equal(mb_counters_open("PAPI_NOT_AN_EVENT", &c), MB_EINVAL);
        assert_non_null(strstr(mb_errmsg(), "\"PAPI_NOT_AN_EVENT\" is not a PAPI preset"));
    }
    assert_null(c);

    char longname[MB_COUNTERS_NAME_MAX + 8];
    memset(longname, 'X', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(mb_counters_open(longname, &c), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "at most 127"));

    char many[MB_COUNTERS_MAX * 8 + 64] = "";
    for (int i = 0; i <= MB_COUNTERS_MAX; i++) {
        char one[16];
        snprintf(one, sizeof one, "%sx::E%d", i ? "," : "", i);
        strcat(many, one);
    }
    assert_int_equal(mb_counters_open(many, &c), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "more than 32 events"));
    assert_null(c);
}

/* A name that no PMU and no PAPI version has: unavailable, a notice that names it, no value in
 * any phase (never a zero), null in the JSON values. */
static void test_forced_unavailable(void **state)
{
    (void)state;
    mb_counters *c = NULL;
    assert_int_equal(mb_counters_open(" nopmu::NO_SUCH_EVENT ,perf::MB_NO_SUCH_EVENT", &c), MB_OK);
    assert_int_equal(mb_counters_count(c), 2);
    assert_string_equal(mb_counters_name(c, 0), "nopmu::NO_SUCH_EVENT");
    assert_string_equal(mb_counters_name(c, 1), "perf::MB_NO_SUCH_EVENT");
    assert_null(mb_counters_name(c, 2));
    assert_int_equal(mb_counters_start(c), MB_OK);
    busy(0.001);
    assert_int_equal(mb_counters_stop(c, MB_PHASE_FIRST), MB_OK);
    for (size_t i = 0; i < 2; i++) {
        const char *name = mb_counters_name(c, i);
        assert_false(mb_counters_available(c, i));
        assert_null(mb_counters_source(c, i));
        const char *notice = mb_counters_notice(c, i);
        assert_non_null(notice);
        if (strncmp(notice, name, strlen(name)) != 0 || notice[strlen(name)] != ':')
            fail_msg("FAIL: notice \"%s\" does not start with \"%s:\"", notice, name);
        if (!mb_counters_have_papi()) {
            char want[256];
            snprintf(want, sizeof want, "%s: membptt was built without PAPI", name);
            assert_string_equal(notice, want);
        } else if (!strstr(notice, "(PAPI_")) {
            fail_msg("FAIL: notice \"%s\" gives no PAPI error code", notice);
        }
        printf("notice: %s\n", notice);
        for (int p = 0; p < MB_PHASES; p++) {
            int64_t v = -12345;
            assert_int_equal(mb_counters_value(c, i, p, &v), -1);
            assert_int_equal(v, -12345);
        }
    }
    /* A component this PAPI does not have is named in the notice. */
    mb_counters *d = NULL;
    assert_int_equal(mb_counters_open("mbnope::EVENT", &d), MB_OK);
    assert_false(mb_counters_available(d, 0));
    if (mb_counters_have_papi() && !strstr(mb_counters_notice(d, 0), "no component mbnope"))
        fail_msg("FAIL: notice \"%s\" does not name the missing component",
                 mb_counters_notice(d, 0));
    mb_counters_close(d);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    mb_counters_write_json(f, c);
    fclose(f);
    yajl_val root = parse_json(buf);
    yajl_val v = get(root, "nopmu::NO_SUCH_EVENT", NULL);
    assert_non_null(v);
    assert_true(YAJL_IS_NULL(v));
    assert_true(YAJL_IS_NULL(get(root, "perf::MB_NO_SUCH_EVENT", NULL)));
    yajl_tree_free(root);
    free(buf);
    mb_counters_close(c);
}

/* The default list: every event is either available (with a source, no notice) or unavailable
 * (a notice, no source); an available event has a value exactly in the phases stopped into. */
static void test_default_list(void **state)
{
    (void)state;
    mb_counters *c = NULL;
    assert_int_equal(mb_counters_open(NULL, &c), MB_OK);
    assert_int_equal(mb_counters_count(c), 6);
    assert_string_equal(mb_counters_name(c, 0), "PAPI_TOT_INS");
    assert_string_equal(mb_counters_name(c, 5), "perf::PAGE-FAULTS");
    assert_int_equal(mb_counters_start(c), MB_OK);
    busy(0.01);
    assert_int_equal(mb_counters_stop(c, MB_PHASE_BACKWARD), MB_OK);
    for (size_t i = 0; i < mb_counters_count(c); i++) {
        int64_t v = -1;
        if (mb_counters_available(c, i)) {
            assert_null(mb_counters_notice(c, i));
            assert_non_null(mb_counters_source(c, i));
            assert_int_equal(mb_counters_value(c, i, MB_PHASE_BACKWARD, &v), 0);
            assert_true(v >= 0);
            assert_int_equal(mb_counters_value(c, i, MB_PHASE_FIRST, &v), -1);
            assert_int_equal(mb_counters_value(c, i, MB_PHASE_RECOMPUTE, &v), -1);
            printf("available: %s = %lld (%s)\n", mb_counters_name(c, i), (long long)v,
                   mb_counters_source(c, i));
        } else {
            assert_non_null(mb_counters_notice(c, i));
            assert_null(mb_counters_source(c, i));
            assert_int_equal(mb_counters_value(c, i, MB_PHASE_BACKWARD, &v), -1);
            printf("notice: %s\n", mb_counters_notice(c, i));
        }
    }
    /* test_measure_nopapi links the no-PAPI build; test_measure whatever this build has. */
    if (MB_TEST_NOPAPI)
        assert_int_equal(mb_counters_have_papi(), 0);
    if (!mb_counters_have_papi()) {
        assert_string_equal(mb_counters_papi_version(), "none");
        for (size_t i = 0; i < mb_counters_count(c); i++)
            assert_false(mb_counters_available(c, i));
    } else {
        assert_string_not_equal(mb_counters_papi_version(), "none");
    }
    mb_counters_reset(c);
    int64_t v;
    for (size_t i = 0; i < mb_counters_count(c); i++)
        assert_int_equal(mb_counters_value(c, i, MB_PHASE_BACKWARD, &v), -1);
    mb_counters_close(c);
}

static void test_state_errors(void **state)
{
    (void)state;
    mb_counters *c = NULL;
    assert_int_equal(mb_counters_open("perf::TASK-CLOCK", &c), MB_OK);
    assert_int_equal(mb_counters_stop(c, MB_PHASE_FIRST), MB_EINVAL);
    assert_int_equal(mb_counters_start(c), MB_OK);
    assert_int_equal(mb_counters_start(c), MB_EINVAL);
    assert_int_equal(mb_counters_stop(c, MB_PHASES), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "phase 4"));
    /* The failed stop left the counters stopped; they start again. */
    assert_int_equal(mb_counters_start(c), MB_OK);
    assert_int_equal(mb_counters_stop(c, -1), MB_EINVAL);
    assert_null(mb_phase_name(-1));
    assert_null(mb_phase_name(MB_PHASES));
    assert_string_equal(mb_phase_name(MB_PHASE_RECOMPUTE), "recompute");
    assert_string_equal(mb_phase_name(MB_PHASE_COPY), "copy");
    /* Closing a running set is allowed. */
    assert_int_equal(mb_counters_start(c), MB_OK);
    mb_counters_close(c);
    mb_counters_close(NULL);
}

/* perf::TASK-CLOCK counts this thread's CPU time in ns: over a busy loop it must agree with the
 * thread's CPU clock, and two windows stopped into one phase add up. */
static void test_task_clock(void **state)
{
    (void)state;
    mb_counters *c = NULL;
    assert_int_equal(mb_counters_open("perf::TASK-CLOCK", &c), MB_OK);
    if (!mb_counters_available(c, 0)) {
        printf("SKIP task clock: %s\n", mb_counters_notice(c, 0));
        mb_counters_close(c);
        return;
    }
    double c0 = mb_clock_thread_cpu();
    assert_int_equal(mb_counters_start(c), MB_OK);
    busy(0.05);
    assert_int_equal(mb_counters_stop(c, MB_PHASE_RECOMPUTE), MB_OK);
    double dc = mb_clock_thread_cpu() - c0;
    int64_t ns = 0;
    assert_int_equal(mb_counters_value(c, 0, MB_PHASE_RECOMPUTE, &ns), 0);
    double ratio = (double)ns * 1e-9 / dc;
    printf("perf::TASK-CLOCK %lld ns, CPU clock %.6f s, ratio %.3f\n", (long long)ns, dc, ratio);
    /* Unprivileged under perf_event_paranoid >= 2 the kernel counts user mode only. */
    FILE *pf = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
    int paranoid = -1;
    if (pf) {
        if (fscanf(pf, "%d", &paranoid) != 1)
            paranoid = -1;
        fclose(pf);
    }
    if (geteuid() != 0 && paranoid >= 2 && strcmp(mb_counters_source(c, 0), MB_SOURCE_PAPI) != 0)
        assert_string_equal(mb_counters_source(c, 0), MB_SOURCE_KERNEL_USER);
    if (geteuid() == 0)
        assert_string_not_equal(mb_counters_source(c, 0), MB_SOURCE_KERNEL_USER);
    if (strncmp(mb_counters_source(c, 0), MB_SOURCE_KERNEL, strlen(MB_SOURCE_KERNEL)) == 0) {
        const char *why = mb_counters_papi_reason(c, 0);
        assert_non_null(why);
        assert_true(strncmp(why, "perf::TASK-CLOCK: ", 18) == 0);
        printf("counted by perf_event_open because %s\n", why);
    } else {
        assert_null(mb_counters_papi_reason(c, 0));
    }
    if (!(ns > 0 && ratio > 0.8 && ratio < 1.05))
        fail_msg("FAIL: TASK-CLOCK %lld ns vs CPU clock %g s (ratio %g, expected 0.8..1.05)",
                 (long long)ns, dc, ratio);
    /* ":u", user mode only: from PAPI, or from the kernel with that source. */
    mb_counters *u = NULL;
    assert_int_equal(mb_counters_open("perf::TASK-CLOCK:u", &u), MB_OK);
    if (mb_counters_available(u, 0)) {
        const char *src = mb_counters_source(u, 0);
        if (strcmp(src, MB_SOURCE_PAPI) != 0)
            assert_string_equal(src, MB_SOURCE_KERNEL_USER);
        int64_t uns = 0;
        assert_int_equal(mb_counters_start(u), MB_OK);
        busy(0.01);
        assert_int_equal(mb_counters_stop(u, MB_PHASE_FIRST), MB_OK);
        assert_int_equal(mb_counters_value(u, 0, MB_PHASE_FIRST, &uns), 0);
        EXPECT(uns > 5000000, "perf::TASK-CLOCK:u counted %lld ns over 10 ms of CPU",
               (long long)uns);
    } else {
        printf("SKIP task clock :u: %s\n", mb_counters_notice(u, 0));
    }
    mb_counters_close(u);

    assert_int_equal(mb_counters_start(c), MB_OK);
    busy(0.02);
    assert_int_equal(mb_counters_stop(c, MB_PHASE_RECOMPUTE), MB_OK);
    int64_t ns2 = 0;
    assert_int_equal(mb_counters_value(c, 0, MB_PHASE_RECOMPUTE, &ns2), 0);
    if (!(ns2 > ns + 15000000))
        fail_msg("FAIL: a second window of 20 ms CPU added %lld ns to the phase",
                 (long long)(ns2 - ns));
    mb_counters_close(c);
}

/* perf::PAGE-FAULTS over the first touch of 1024 fresh small pages counts at least 1024. */
static void test_page_faults(void **state)
{
    (void)state;
    mb_counters *c = NULL;
    assert_int_equal(mb_counters_open("perf::PAGE-FAULTS", &c), MB_OK);
    if (!mb_counters_available(c, 0)) {
        printf("SKIP page faults: %s\n", mb_counters_notice(c, 0));
        mb_counters_close(c);
        return;
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE), n = 1024;
    char *mem = mmap(NULL, n * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(mem != MAP_FAILED);
    madvise(mem, n * page, MADV_NOHUGEPAGE);
    assert_int_equal(mb_counters_start(c), MB_OK);
    for (size_t i = 0; i < n; i++)
        mem[i * page] = (char)i;
    assert_int_equal(mb_counters_stop(c, MB_PHASE_FIRST), MB_OK);
    munmap(mem, n * page);
    int64_t faults = 0;
    assert_int_equal(mb_counters_value(c, 0, MB_PHASE_FIRST, &faults), 0);
    printf("perf::PAGE-FAULTS: %lld over the first touch of %zu pages\n", (long long)faults, n);
    if (faults < (int64_t)n || faults > 4 * (int64_t)n)
        fail_msg("FAIL: %lld page faults for %zu fresh pages (expected %zu..%zu)",
                 (long long)faults, n, n, 4 * n);
    mb_counters_close(c);
}

#if MB_TEST_SDE
/* Two PAPI events, an unavailable one between them and a kernel event after them: each value
 * lands on its own event, windows add up within a phase, and an int64 overflow is refused with
 * the phase left as it was. */
static void test_papi_sde(void **state)
{
    (void)state;
    mb_counters *c = NULL;
    assert_int_equal(mb_counters_open("sde:::MBTEST::BYTES,nopmu::NO_SUCH_EVENT,sde:::MBTEST::ITEMS,"
                                      "perf::TASK-CLOCK",
                                      &c),
                     MB_OK);
    for (size_t i = 0; i < 3; i += 2) {
        if (!mb_counters_available(c, i))
            fail_msg("FAIL: %s unavailable: %s", mb_counters_name(c, i), mb_counters_notice(c, i));
        assert_string_equal(mb_counters_source(c, i), MB_SOURCE_PAPI);
        assert_null(mb_counters_notice(c, i));
        assert_null(mb_counters_papi_reason(c, i));
    }
    assert_false(mb_counters_available(c, 1));
    assert_int_equal(mb_counters_start(c), MB_OK);
    sde_items += 1000;
    sde_bytes += 64000;
    assert_int_equal(mb_counters_stop(c, MB_PHASE_FIRST), MB_OK);
    sde_items += 5; /* between windows: not counted */
    assert_int_equal(mb_counters_start(c), MB_OK);
    sde_items += 234;
    sde_bytes += 1;
    assert_int_equal(mb_counters_stop(c, MB_PHASE_FIRST), MB_OK);
    assert_int_equal(mb_counters_start(c), MB_OK);
    sde_items += 7;
    assert_int_equal(mb_counters_stop(c, MB_PHASE_BACKWARD), MB_OK);
    int64_t v = -1;
    assert_int_equal(mb_counters_value(c, 2, MB_PHASE_FIRST, &v), 0);
    EXPECT(v == 1234, "ITEMS in phase first: %lld, expected 1234", (long long)v);
    assert_int_equal(mb_counters_value(c, 0, MB_PHASE_FIRST, &v), 0);
    EXPECT(v == 64001, "BYTES in phase first: %lld, expected 64001", (long long)v);
    assert_int_equal(mb_counters_value(c, 2, MB_PHASE_BACKWARD, &v), 0);
    EXPECT(v == 7, "ITEMS in phase backward: %lld, expected 7", (long long)v);
    assert_int_equal(mb_counters_value(c, 0, MB_PHASE_BACKWARD, &v), 0);
    EXPECT(v == 0, "BYTES in phase backward: %lld, expected 0", (long long)v);
    assert_int_equal(mb_counters_value(c, 2, MB_PHASE_RECOMPUTE, &v), -1);
    assert_int_equal(mb_counters_value(c, 1, MB_PHASE_FIRST, &v), -1);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    mb_counters_write_json(f, c);
    fclose(f);
    yajl_val root = parse_json(buf);
    const char *p_first[] = {"sde:::MBTEST::ITEMS", "first", NULL};
    const char *p_rec[] = {"sde:::MBTEST::ITEMS", "recompute", NULL};
    yajl_val first = yajl_tree_get(root, p_first, yajl_t_any);
    assert_true(first && YAJL_IS_INTEGER(first) && YAJL_GET_INTEGER(first) == 1234);
    yajl_val rec = yajl_tree_get(root, p_rec, yajl_t_any);
    assert_true(rec && YAJL_IS_NULL(rec));
    assert_true(YAJL_IS_NULL(get(root, "nopmu::NO_SUCH_EVENT", NULL)));
    yajl_tree_free(root);
    free(buf);

    sde_items = 0; /* no overflow in this program's own counter */
    assert_int_equal(mb_counters_start(c), MB_OK);
    sde_items += INT64_MAX - 1000;
    assert_int_equal(mb_counters_stop(c, MB_PHASE_FIRST), MB_ERANGE);
    assert_non_null(strstr(mb_errmsg(), "sde:::MBTEST::ITEMS in phase first overflows"));
    assert_int_equal(mb_counters_value(c, 2, MB_PHASE_FIRST, &v), 0);
    EXPECT(v == 1234, "ITEMS in phase first after a refused overflow: %lld", (long long)v);
    sde_items = 0;
    mb_counters_close(c);
}
#endif

int main(void)
{
#if MB_TEST_SDE
    papi_handle_t sde = papi_sde_init("MBTEST");
    if (papi_sde_register_counter(sde, "ITEMS", PAPI_SDE_RO | PAPI_SDE_DELTA, PAPI_SDE_long_long,
                                  &sde_items) != 0 ||
        papi_sde_register_counter(sde, "BYTES", PAPI_SDE_RO | PAPI_SDE_DELTA, PAPI_SDE_long_long,
                                  &sde_bytes) != 0) {
        fprintf(stderr, "FAIL: cannot register PAPI software-defined events\n");
        return 1;
    }
#endif
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clocks),
        cmocka_unit_test(test_list_errors),
        cmocka_unit_test(test_forced_unavailable),
        cmocka_unit_test(test_default_list),
        cmocka_unit_test(test_state_errors),
        cmocka_unit_test(test_task_clock),
        cmocka_unit_test(test_page_faults),
#if MB_TEST_SDE
        cmocka_unit_test(test_papi_sde),
#endif
        cmocka_unit_test(test_pin),
        cmocka_unit_test(test_topology),
        cmocka_unit_test(test_getenv),
        cmocka_unit_test(test_record),
        cmocka_unit_test(test_meta_json),
        cmocka_unit_test(test_meta_env_child),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
