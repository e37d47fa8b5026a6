/* test_measure_meta.c: pinning, topology, environment values and the run metadata as JSON
 * (the measure test's second file; main is in test_measure.c). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "measure/measure.h"
#include "test_measure.h"

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
void test_pin(void **state)
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

void test_topology(void **state)
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

void test_getenv(void **state)
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

void test_record(void **state)
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

void test_meta_json(void **state)
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
void test_meta_env_child(void **state)
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

