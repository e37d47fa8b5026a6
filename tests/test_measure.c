/* test_measure.c: clocks, the counter layer (available and unavailable events, list errors,
 * phases), pinning, topology and the run metadata as JSON. Built twice: against mb_measure and,
 * with MB_TEST_NOPAPI=1, against the same sources compiled without PAPI. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#include "core/error.h"
#include "measure/measure.h"

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

#define EXPECT(cond, ...)                                                                  \
    do {                                                                                   \
        if (!(cond))                                                                       \
            fail_msg("FAIL: " __VA_ARGS__);                                                \
    } while (0)

static yajl_val parse_json(const char *text)
{
    char err[256];
    yajl_val v = yajl_tree_parse(text, err, sizeof err);
    if (!v)
        fail_msg("FAIL: JSON does not parse: %s\n%s", err, text);
    return v;
}

static yajl_val get(yajl_val root, const char *a, const char *b)
{
    const char *path[3] = {a, b, NULL};
    return yajl_tree_get(root, path, yajl_t_any);
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

/* ------------------------------------------------------------------------------------------- */

typedef struct {
    int rc_pin0, rc_pin_big, rc_pin_neg, rc_check0, rc_check_big;
    char msg_big[256], msg_check[256];
    mb_topology after;
} pin_result;

static void *pin_thread(void *arg)
{
    pin_result *r = arg;
    r->rc_check_big = mb_topology_check("--pin", 100000);
    snprintf(r->msg_check, sizeof r->msg_check, "%s", mb_errmsg());
    r->rc_check0 = mb_topology_check("--pin", 0);
    r->rc_pin_big = mb_topology_pin(100000);
    snprintf(r->msg_big, sizeof r->msg_big, "%s", mb_errmsg());
    r->rc_pin_neg = mb_topology_pin(-1);
    r->rc_pin0 = mb_topology_pin(0);
    mb_topology_query(&r->after);
    return NULL;
}

/* Pinning runs in a thread of its own so the other tests keep the process's binding. */
static void test_pin(void **state)
{
    (void)state;
    pin_result r;
    memset(&r, 0, sizeof r);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, pin_thread, &r), 0);
    pthread_join(t, NULL);
    assert_int_equal(r.rc_pin0, MB_OK);
    assert_int_equal(r.rc_pin_big, MB_EINVAL);
    assert_int_equal(r.rc_pin_neg, MB_EINVAL);
    assert_int_equal(r.rc_check0, MB_OK);
    assert_int_equal(r.rc_check_big, MB_EINVAL);
    if (!strstr(r.msg_check, "--pin 100000: core 100000 does not exist"))
        fail_msg("FAIL: check message \"%s\" does not name --pin 100000", r.msg_check);
    if (!strstr(r.msg_big, "core 100000") || !strstr(r.msg_big, "cores 0.."))
        fail_msg("FAIL: pin message \"%s\" names neither the core nor the valid range", r.msg_big);
    /* Bound to one hardware thread: a single CPU number, no range or list. */
    if (r.after.cpubind[0] == '\0' || strpbrk(r.after.cpubind, "-,"))
        fail_msg("FAIL: binding after pinning to core 0 is \"%s\"", r.after.cpubind);
}

static void test_topology(void **state)
{
    (void)state;
    mb_topology t;
    assert_int_equal(mb_topology_query(&t), MB_OK);
    printf("topology: \"%s\", %d packages, %d cores, %d PUs, L1d %lld, L2 %lld, L3 %lld, bound "
           "to %s\n",
           t.cpu_model, t.packages, t.cores, t.pus, (long long)t.l1d_bytes,
           (long long)t.l2_bytes, (long long)t.l3_bytes, t.cpubind);
    assert_true(t.cores >= 1);
    assert_true(t.pus >= t.cores);
    assert_true(t.packages >= 1);
    assert_true(t.l1d_bytes == -1 || t.l1d_bytes >= 1024);
    assert_true(t.l2_bytes == -1 || t.l2_bytes >= t.l1d_bytes);
    assert_true(t.l3_bytes == -1 || t.l3_bytes >= t.l2_bytes);
    assert_true(t.cpubind[0] != '\0');
#if defined(__x86_64__)
    /* Every x86-64 CPU has SSE2 at least. */
    assert_true(t.simd[0] != '\0');
#endif
}

/* ------------------------------------------------------------------------------------------- */

static void test_getenv(void **state)
{
    (void)state;
    char *v = (char *)1;
    setenv("MB_TEST_MEASURE_VAR", "SkylakeX x", 1);
    assert_int_equal(mb_meta_getenv("MB_TEST_MEASURE_VAR", &v), MB_OK);
    assert_string_equal(v, "SkylakeX x");
    free(v);
    setenv("MB_TEST_MEASURE_VAR", "", 1);
    assert_int_equal(mb_meta_getenv("MB_TEST_MEASURE_VAR", &v), MB_OK);
    assert_string_equal(v, "");
    free(v);
    unsetenv("MB_TEST_MEASURE_VAR");
    assert_int_equal(mb_meta_getenv("MB_TEST_MEASURE_VAR", &v), MB_OK);
    assert_null(v);
    assert_int_equal(mb_meta_getenv("", &v), MB_EINVAL);
}

static void test_record(void **state)
{
    (void)state;
    mb_meta m;
    assert_int_equal(mb_meta_init(&m, -1), MB_OK);
    mb_record r;
    memset(&r, 0, sizeof r);
    mb_record_int(&r, "caller_field", 7);
    mb_meta_record(&m, &r);
    assert_int_equal(r.n, 1 + MB_META_RECORD_FIELDS);
    for (int i = 0; i < r.n; i++)
        if (strcmp(r.fields[i].key, "pinned_core") == 0)
            assert_int_equal(r.fields[i].type, MB_FIELD_EMPTY);
    mb_meta_fini(&m);
    mb_meta_fini(&m);
}

/* Writes the metadata of this process as JSON into a malloc'd string. */
static char *meta_json(int pinned_core, const mb_counters *c)
{
    mb_meta m;
    if (mb_meta_init(&m, pinned_core) != MB_OK)
        fail_msg("FAIL: mb_meta_init: %s", mb_errmsg());
    mb_meta_config config[] = {{"cell", "lstm"}, {"steps", "1000"}, {"plan", NULL}};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(mb_meta_write_json(f, &m, c, config, 3), MB_OK);
    fclose(f);
    mb_meta_fini(&m);
    return buf;
}

/* A string value equals `want`, or is null when want is NULL. */
static void expect_string_or_null(yajl_val root, const char *key, const char *want)
{
    yajl_val v = get(root, "meta", key);
    if (!v)
        fail_msg("FAIL: meta.%s missing", key);
    if (want == NULL) {
        if (!YAJL_IS_NULL(v))
            fail_msg("FAIL: meta.%s is set but the variable is unset", key);
    } else if (!YAJL_IS_STRING(v) || strcmp((v)->u.string, want) != 0) {
        fail_msg("FAIL: meta.%s is \"%s\", the environment has \"%s\"", key,
                 YAJL_IS_STRING(v) ? (v)->u.string : "(not a string)", want);
    }
}

static void test_meta_json(void **state)
{
    (void)state;
    mb_counters *c = NULL;
    assert_int_equal(mb_counters_open("nopmu::NO_SUCH_EVENT,perf::TASK-CLOCK", &c), MB_OK);
    char *text = meta_json(0, c);
    yajl_val root = parse_json(text);
    yajl_val meta = get(root, "meta", NULL);
    assert_true(YAJL_IS_OBJECT(meta));
    assert_int_equal(meta->u.object.len, MB_META_RECORD_FIELDS);
    /* The process's own environment, read here and never changed. */
    expect_string_or_null(root, "openblas_coretype", getenv("OPENBLAS_CORETYPE"));
    expect_string_or_null(root, "openblas_l2_size", getenv("OPENBLAS_L2_SIZE"));
    expect_string_or_null(root, "openblas_num_threads", getenv("OPENBLAS_NUM_THREADS"));
    yajl_val compiler = get(root, "meta", "compiler");
    assert_true(compiler && YAJL_IS_STRING(compiler) && strstr(compiler->u.string, __VERSION__));
    yajl_val pinned = get(root, "meta", "pinned_core");
    assert_true(pinned && YAJL_IS_INTEGER(pinned) && YAJL_GET_INTEGER(pinned) == 0);
    yajl_val cores = get(root, "meta", "machine_cores");
    assert_true(cores && YAJL_IS_INTEGER(cores) && YAJL_GET_INTEGER(cores) >= 1);
    yajl_val threads = get(root, "meta", "openblas_threads");
    assert_true(threads && YAJL_IS_INTEGER(threads) && YAJL_GET_INTEGER(threads) >= 1);
    yajl_val commit = get(root, "meta", "git_commit");
    assert_true(commit && YAJL_IS_STRING(commit) && (commit)->u.string[0] != '\0');
    yajl_val date = get(root, "meta", "date_utc");
    assert_true(date && YAJL_IS_STRING(date) && strlen((date)->u.string) == 20 &&
                (date)->u.string[10] == 'T' && (date)->u.string[19] == 'Z');
    yajl_val blas = get(root, "meta", "blas_library");
    assert_true(blas && YAJL_IS_STRING(blas));
    printf("cblas_sgemm comes from %s\n", (blas)->u.string);

    yajl_val bad = get(root, "counters", "nopmu::NO_SUCH_EVENT");
    assert_true(bad && YAJL_IS_OBJECT(bad));
    const char *p_avail[] = {"counters", "nopmu::NO_SUCH_EVENT", "available", NULL};
    const char *p_notice[] = {"counters", "nopmu::NO_SUCH_EVENT", "notice", NULL};
    assert_true(YAJL_IS_FALSE(yajl_tree_get(root, p_avail, yajl_t_any)));
    yajl_val notice = yajl_tree_get(root, p_notice, yajl_t_string);
    assert_non_null(notice);
    assert_string_equal((notice)->u.string, mb_counters_notice(c, 0));
    const char *p_tc[] = {"counters", "perf::TASK-CLOCK", "available", NULL};
    yajl_val tc = yajl_tree_get(root, p_tc, yajl_t_any);
    assert_true(tc && (mb_counters_available(c, 1) ? YAJL_IS_TRUE(tc) : YAJL_IS_FALSE(tc)));
    const char *p_src[] = {"counters", "perf::TASK-CLOCK", "source", NULL};
    const char *p_why[] = {"counters", "perf::TASK-CLOCK", "papi_notice", NULL};
    yajl_val src = yajl_tree_get(root, p_src, yajl_t_any);
    yajl_val why = yajl_tree_get(root, p_why, yajl_t_any);
    if (mb_counters_papi_reason(c, 1)) {
        assert_true(src && YAJL_IS_STRING(src) &&
                    strcmp(src->u.string, mb_counters_source(c, 1)) == 0 &&
                    strncmp(src->u.string, MB_SOURCE_KERNEL, strlen(MB_SOURCE_KERNEL)) == 0);
        assert_true(why && YAJL_IS_STRING(why) &&
                    strcmp(why->u.string, mb_counters_papi_reason(c, 1)) == 0);
    } else {
        assert_null(why);
    }

    yajl_val cell = get(root, "config", "cell");
    assert_true(cell && YAJL_IS_STRING(cell) && strcmp((cell)->u.string, "lstm") == 0);
    yajl_val plan = get(root, "config", "plan");
    assert_true(plan && YAJL_IS_NULL(plan));
    yajl_tree_free(root);
    free(text);
    mb_counters_close(c);
}

/* The OPENBLAS_* variables as a run sees them: set only inside a child process, which writes its
 * metadata to a pipe; this process's environment is never changed. */
static void test_meta_env_child(void **state)
{
    (void)state;
    int fd[2];
    assert_int_equal(pipe(fd), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        setenv("OPENBLAS_CORETYPE", "Haswell \"quoted\"", 1);
        setenv("OPENBLAS_L2_SIZE", "1048576", 1);
        unsetenv("OPENBLAS_NUM_THREADS");
        mb_meta m;
        memset(&m, 0, sizeof m);
        FILE *f = fdopen(fd[1], "w");
        int ok = f && mb_meta_init(&m, -1) == MB_OK && mb_meta_write_json(f, &m, NULL, NULL, 0) == MB_OK;
        mb_meta_fini(&m);
        if (f)
            fclose(f);
        _exit(ok ? 0 : 1);
    }
    close(fd[1]);
    char buf[16384];
    size_t len = 0;
    ssize_t got;
    while ((got = read(fd[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)got;
    close(fd[0]);
    buf[len] = '\0';
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    yajl_val root = parse_json(buf);
    expect_string_or_null(root, "openblas_coretype", "Haswell \"quoted\"");
    expect_string_or_null(root, "openblas_l2_size", "1048576");
    expect_string_or_null(root, "openblas_num_threads", NULL);
    assert_true(YAJL_IS_NULL(get(root, "meta", "pinned_core")));
    yajl_val counters = get(root, "counters", NULL);
    assert_true(counters && YAJL_IS_OBJECT(counters) && counters->u.object.len == 0);
    yajl_tree_free(root);
}

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
