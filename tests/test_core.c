/* test_core.c: parsers (integers, byte sizes, budgets), sizes from bytes, file I/O, the
 * closed-form op counts, MB_NEVER, the allocator hook, the report writer and the problem
 * builder. The plan file reader and writer are tests/test_plan_file.c. */
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/fileio.h"
#include "core/report.h"
#include "test_util.h"

static void test_parse_int(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(mb_parse_int("--steps", "1000", 1, 100000, &v), MB_OK);
    assert_int_equal(v, 1000);
    assert_int_equal(mb_parse_int("--steps", "0", 1, 100000, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--steps"));
    assert_non_null(strstr(mb_errmsg(), "[1, 100000]"));
    assert_int_equal(mb_parse_int("--steps", "12x", 1, 100000, &v), MB_EINVAL);
    assert_int_equal(mb_parse_int("--steps", "", 1, 100000, &v), MB_EINVAL);
    assert_int_equal(mb_parse_int("--steps", " 5", 1, 100000, &v), MB_EINVAL);
    assert_int_equal(mb_parse_int("--steps", "99999999999999999999", 1, 100000, &v), MB_EINVAL);
}

static void test_parse_bytes(void **state)
{
    (void)state;
    int64_t v;
    assert_int_equal(mb_parse_bytes("--hidden-bytes", "64KiB", &v), MB_OK);
    assert_int_equal(v, 65536);
    assert_int_equal(mb_parse_bytes("--hidden-bytes", "3MB", &v), MB_OK);
    assert_int_equal(v, 3000000);
    assert_int_equal(mb_parse_bytes("--hidden-bytes", "1gib", &v), MB_OK);
    assert_int_equal(v, INT64_C(1) << 30);
    assert_int_equal(mb_parse_bytes("--hidden-bytes", "4096", &v), MB_OK);
    assert_int_equal(v, 4096);
    assert_int_equal(mb_parse_bytes("--hidden-bytes", "12XB", &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "KiB"));
    assert_int_equal(mb_parse_bytes("--hidden-bytes", "-4", &v), MB_EINVAL);
    assert_int_equal(mb_parse_bytes("--hidden-bytes", "99999999TiB", &v), MB_ERANGE);
}

static void test_sizes(void **state)
{
    (void)state;
    mb_problem p = {10, 0, 0, 0, 0, 0};
    assert_int_equal(mb_problem_set_bytes(&p, 2048, 6144), MB_OK);
    assert_int_equal(p.unit_bytes, 2048);
    assert_int_equal(p.hidden_units, 1);
    assert_int_equal(p.internal_units, 3);
    assert_int_equal(mb_problem_set_bytes(&p, 1000, 2500), MB_OK);
    assert_int_equal(p.unit_bytes, 500);
    assert_int_equal(p.hidden_units, 2);
    assert_int_equal(p.internal_units, 5);
    assert_int_equal(mb_problem_set_bytes(&p, 4096, 2048), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "2048"));
    assert_int_equal(mb_problem_set_alpha(&p, 0), MB_EINVAL);
    mb_problem big = {INT64_C(1) << 30, 1, INT64_C(1) << 40, 0, 0, 0};
    assert_int_equal(mb_problem_check(&big), MB_ERANGE);
    mb_problem neg = {10, 1, 5, 0, -1, 0};
    assert_int_equal(mb_problem_check(&neg), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "budget"));
}

static void test_parse_budget(void **state)
{
    (void)state;
    mb_problem p = problem_alpha(1000, 5, 0); /* full = 4996 units */
    int64_t u;
    assert_int_equal(mb_parse_budget("--budget", "249", &p, &u), MB_OK);
    assert_int_equal(u, 249);
    assert_int_equal(mb_parse_budget("--budget", "5%", &p, &u), MB_OK);
    assert_int_equal(u, 249); /* 249.8 rounded down */
    assert_int_equal(mb_parse_budget("--budget", "2.5%", &p, &u), MB_OK);
    assert_int_equal(u, 124);
    assert_int_equal(mb_parse_budget("--budget", "100%", &p, &u), MB_OK);
    assert_int_equal(u, 4996);
    assert_int_equal(mb_parse_budget("--budget", "250%", &p, &u), MB_OK);
    assert_int_equal(u, 12490);
    assert_int_equal(mb_parse_budget("--budget", "64KiB", &p, &u), MB_EINVAL); /* needs byte sizes */
    assert_non_null(strstr(mb_errmsg(), "needs byte sizes"));
    assert_int_equal(mb_parse_budget("--budget", "abc", &p, &u), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "abc"));
    assert_int_equal(mb_parse_budget("--budget", "-5", &p, &u), MB_EINVAL);
    assert_int_equal(mb_parse_budget("--budget", "5.%", &p, &u), MB_OK);
    assert_int_equal(mb_parse_budget("--budget", "%", &p, &u), MB_EINVAL);
    assert_int_equal(mb_parse_budget("--budget", "1.2.3%", &p, &u), MB_EINVAL);
    assert_int_equal(mb_parse_budget("--budget", "", &p, &u), MB_EINVAL);
    assert_int_equal(mb_problem_set_bytes(&p, 2048, 6144), MB_OK);
    assert_int_equal(mb_parse_budget("--budget", "64KiB", &p, &u), MB_OK);
    assert_int_equal(u, 32);
    assert_int_equal(mb_parse_budget("--budget", "65537B", &p, &u), MB_OK);
    assert_int_equal(u, 32); /* a partial unit holds no checkpoint */
}

/* Bounded reads and output files. */
static void test_fileio(void **state)
{
    (void)state;
    char dir[] = "/tmp/mb_test_io_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], *buf;
    size_t len;
    snprintf(path, sizeof path, "%s/f", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("0123456789", f);
    fclose(f);
    assert_int_equal(mb_read_file_max(path, 10, &buf, &len), MB_OK);
    assert_int_equal(len, 10);
    assert_string_equal(buf, "0123456789");
    mb_free(buf);
    assert_int_equal(mb_read_file_max(path, 9, &buf, &len), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "limit of 9 bytes"));
    assert_int_equal(mb_read_file_max(dir, 100, &buf, &len), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "is a directory"));
    assert_int_equal(mb_read_file_max("/dev/zero", 1000, &buf, &len), MB_EINVAL);
    mb_plan *p;
    assert_int_equal(mb_plan_load(dir, &p), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "is a directory"));
    assert_int_equal(mb_plan_load("/dev/zero", &p), MB_EPARSE);
    assert_non_null(strstr(mb_errmsg(), "byte 0"));

    /* writes: a new file, a failed write leaves nothing, a link keeps being a link */
    mb_atomic_file af;
    assert_int_equal(mb_atomic_open(&af, ""), MB_EINVAL);
    assert_int_equal(mb_atomic_open(&af, dir), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "is a directory"));
    assert_int_equal(mb_atomic_open(&af, path), MB_OK);
    fputs("new", af.f);
    assert_int_equal(mb_atomic_commit(&af), MB_OK);
    char link[300];
    snprintf(link, sizeof link, "%s/link", dir);
    assert_int_equal(symlink("f", link), 0);
    assert_int_equal(mb_atomic_open(&af, link), MB_OK);
    fputs("via link", af.f);
    assert_int_equal(mb_atomic_commit(&af), MB_OK);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(mb_read_file(path, &buf, &len), MB_OK);
    assert_string_equal(buf, "via link");
    mb_free(buf);
    assert_int_equal(mb_atomic_open(&af, "/dev/full"), MB_OK);
    assert_true(af.direct);
    fputs("x", af.f);
    assert_int_equal(mb_atomic_commit(&af), MB_EIO);
    assert_non_null(strstr(mb_errmsg(), "/dev/full"));
    assert_non_null(strstr(mb_errmsg(), "No space left on device"));
    assert_int_equal(lstat("/dev/full", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    char dangling[300];
    snprintf(dangling, sizeof dangling, "%s/dangling", dir);
    assert_int_equal(symlink("missing", dangling), 0);
    assert_int_equal(mb_atomic_open(&af, dangling), MB_EINVAL);
    remove(dangling);
    remove(link);
    remove(path);
    rmdir(dir);
}

/* Every solver with a closed-form op count (the table's plan_ops) matches the plans it builds
 * (exact, or a lower bound where it says so), and a plan over the limit is refused before it
 * is built. */
static void test_fixed_policy_op_counts(void **state)
{
    (void)state;
    size_t n_all, n = 0;
    const mb_solver_type *const *all = mb_solver_all(&n_all), *fixed[64];
    for (size_t i = 0; i < n_all && n < 64; i++)
        if (all[i]->plan_ops != NULL)
            fixed[n++] = all[i];
    assert_true(n >= 4); /* full, sqrt, chen, revolve */
    for (int64_t t = 1; t <= 400; t += t < 40 ? 1 : 7)
        for (size_t f = 0; f < n; f++)
            for (int64_t alpha = 1; alpha <= 4; alpha += 3) {
                mb_problem p = problem_alpha(t, alpha, 0);
                int64_t full;
                assert_int_equal(mb_problem_full_units(&p, &full), MB_OK);
                int64_t budgets[3] = {full, full / 3, 3};
                for (int b = 0; b < 3; b++) {
                    p.budget = budgets[b];
                    mb_solution s;
                    assert_int_equal(mb_solve(fixed[f], &p, NULL, &s), MB_OK);
                    if (!s.feasible)
                        continue;
                    uint64_t ops;
                    int exact;
                    assert_int_equal(mb_solver_plan_ops(fixed[f], &p, &ops, &exact), MB_OK);
                    if (exact ? ops != s.plan->n_ops : ops > s.plan->n_ops)
                        fail_msg("%s t=%lld alpha=%lld budget=%lld: closed form %llu, plan %zu",
                                 fixed[f]->name, (long long)t, (long long)alpha,
                                 (long long)p.budget, (unsigned long long)ops, s.plan->n_ops);
                    assert_int_equal(exact, fixed[f] != &mb_solver_revolve);
                    mb_plan_free(s.plan);
                }
            }
    for (size_t f = 0; f < n; f++) {
        mb_problem p = problem_alpha(MB_MAX_STEPS, 1, 0);
        assert_int_equal(mb_problem_full_units(&p, &p.budget), MB_OK);
        mb_solution s;
        assert_int_equal(mb_solve(fixed[f], &p, NULL, &s), MB_ERANGE);
        assert_null(s.plan);
        assert_non_null(strstr(mb_errmsg(), "268435456"));
        assert_non_null(strstr(mb_errmsg(), "t = 2147483647"));
    }
    uint64_t ops;
    int exact;
    mb_problem p = problem_alpha(10, 2, 100);
    assert_int_equal(mb_solver_plan_ops(&mb_solver_msm, &p, &ops, &exact), MB_EINVAL);
}

/* MB_NEVER: false conditions pass through; a true one is the condition's value in a release
 * build (the branch returns its error) and aborts with the place in a debug build. */
static void test_never(void **state)
{
    (void)state;
    int evaluated = 0;
    assert_int_equal(MB_NEVER(evaluated++ > 5), 0);
    assert_int_equal(evaluated, 1); /* evaluated once */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY); /* the child's abort message is expected */
        if (fd >= 0)
            dup2(fd, 2);
        _exit(MB_NEVER(evaluated == 1) ? 42 : 0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
#ifdef NDEBUG
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 42);
#else
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
#endif
}

/* The allocator hook: a NULL function is refused and changes nothing; a replacement sees every
 * call of mb_malloc and its siblings, mb_strdup and mb_strndup included. */
static int alloc_calls, free_calls;
static void *count_malloc(size_t n) { alloc_calls++; return malloc(n); }
static void *count_realloc(void *p, size_t n) { alloc_calls++; return realloc(p, n); }
static void *count_calloc(size_t c, size_t n) { alloc_calls++; return calloc(c, n); }
static void count_free(void *p) { free_calls++; free(p); }

static void test_allocator(void **state)
{
    (void)state;
    assert_int_equal(mb_replace_allocator(NULL, realloc, calloc, free), MB_EINVAL);
    assert_int_equal(mb_replace_allocator(malloc, realloc, calloc, NULL), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "all four"));
    assert_int_equal(mb_replace_allocator(count_malloc, count_realloc, count_calloc, count_free),
                     MB_OK);
    char *a = mb_strdup("checkpoint");
    char *b = mb_strndup("checkpoint", 5);
    int *c = mb_calloc(3, sizeof *c);
    char *d = mb_realloc(mb_malloc(1), 16);
    assert_string_equal(a, "checkpoint");
    assert_string_equal(b, "check");
    assert_int_equal(c[2], 0);
    mb_free(a);
    mb_free(b);
    mb_free(c);
    mb_free(d);
    mb_free(NULL); /* a no-op: the replacement is not called */
    assert_int_equal(alloc_calls, 5);
    assert_int_equal(free_calls, 4);
    assert_int_equal(mb_replace_allocator(malloc, realloc, calloc, free), MB_OK);
    mb_free(mb_malloc(8));
    assert_int_equal(alloc_calls, 5);
}

/* A CSV string field with a comma and quotes, longer than any internal buffer and made of
 * two-byte UTF-8 characters, is quoted whole, its quotes doubled, no byte lost or escaped. */
static void test_report_csv_long_string(void **state)
{
    (void)state;
    static mb_record r; /* large: not on the stack */
    memset(&r, 0, sizeof r);
    char v[1024] = "a,\"b\"";
    for (int i = 0; i < 300; i++)
        strcat(v, "\xc3\xa9"); /* e acute */
    mb_record_string(&r, "k", v);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    assert_int_equal(mb_record_print(m, &r, MB_FORMAT_CSV, 0), MB_OK);
    fclose(m);
    char want[1100] = "\"a,\"\"b\"\"";
    strcat(want, v + 5);
    strcat(want, "\"\n");
    assert_string_equal(buf, want);
    free(buf);
}

static void test_report(void **state)
{
    (void)state;
    mb_record r = {0};
    mb_record_string(&r, "solver", "msm, \"quoted\"");
    mb_record_int(&r, "steps", 1000);
    mb_record_double(&r, "cost_per_step", 1.95);
    mb_record_bool(&r, "feasible", 1);
    mb_record_empty(&r, "peak");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    mb_record_print(f, &r, MB_FORMAT_JSON, 1);
    mb_record_print(f, &r, MB_FORMAT_CSV, 1);
    fclose(f);
    assert_string_equal(buf, "{\"solver\": \"msm, \\\"quoted\\\"\", \"steps\": 1000, "
                             "\"cost_per_step\": 1.95, \"feasible\": true, \"peak\": null}\n"
                             "solver,steps,cost_per_step,feasible,peak\n"
                             "\"msm, \"\"quoted\"\"\",1000,1.95,true,\n");
    free(buf);
    mb_format fmt;
    assert_int_equal(mb_format_parse("--format", "xml", &fmt), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "text, json or csv"));
}

static void test_errors(void **state)
{
    (void)state;
    assert_string_equal(mb_strerror_name(MB_EBADPLAN), "MB_EBADPLAN");
    assert_int_equal(mb_exit_status(MB_OK), 0);
    assert_int_equal(mb_exit_status(MB_EINVAL), 2);
    assert_int_equal(mb_exit_status(MB_EINFEASIBLE), 3);
    assert_int_equal(mb_exit_status(MB_EBADPLAN), 4);
    assert_int_equal(mb_exit_status(MB_ENOMEM), 1);
    assert_int_equal(MB_ERROR(MB_EIO, "x %d", 7), MB_EIO);
    assert_string_equal(mb_errmsg(), "x 7");
    assert_non_null(strstr(mb_errwhere(), "test_core.c"));
}

/* The key/value builder: every message names the caller's key and value, whatever the key
 * looks like (a config's "file:line: key" here), and only a complete problem is returned. */
static void test_problem_spec(void **state)
{
    (void)state;
    mb_problem p = {0};
    mb_problem_spec spec = {{"f.ini:3: steps", "1000"}, {"f.ini:4: alpha", "5"},
                            {"f.ini:5: hidden_bytes", NULL}, {"f.ini:6: internal_bytes", NULL},
                            {"f.ini:7: budget", "5%"}, {"f.ini:8: slow_budget", NULL}};
    assert_int_equal(mb_problem_from_spec(&spec, &p), MB_OK);
    assert_int_equal(p.steps, 1000);
    assert_int_equal(p.internal_units, 5);
    assert_int_equal(p.budget, 249);

    mb_problem untouched = {7, 7, 7, 7, 7, 0};
    spec.steps.value = "0";
    p = untouched;
    assert_int_equal(mb_problem_from_spec(&spec, &p), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "f.ini:3: steps 0"));
    assert_int_equal(p.steps, 7); /* nothing written on failure */
    spec.steps.value = "1000";

    spec.hidden_bytes.value = "2KiB"; /* both forms of the sizes */
    assert_int_equal(mb_problem_from_spec(&spec, &p), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "f.ini:4: alpha"));
    assert_non_null(strstr(mb_errmsg(), "f.ini:5: hidden_bytes"));

    spec.alpha.value = NULL; /* one byte size alone */
    assert_int_equal(mb_problem_from_spec(&spec, &p), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "f.ini:6: internal_bytes"));

    spec.internal_bytes.value = "6KiB";
    spec.budget.value = "1MiB";
    assert_int_equal(mb_problem_from_spec(&spec, &p), MB_OK);
    assert_int_equal(p.unit_bytes, 2048);
    assert_int_equal(p.budget, 512);

    spec.internal_bytes.value = "1KiB"; /* internal smaller than hidden */
    assert_int_equal(mb_problem_from_spec(&spec, &p), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "f.ini:6: internal_bytes 1KiB"));

    spec.internal_bytes.value = NULL;
    spec.hidden_bytes.value = NULL;
    spec.alpha.value = "5";
    spec.budget.value = "64KiB"; /* bytes without byte sizes */
    assert_int_equal(mb_problem_from_spec(&spec, &p), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "f.ini:7: budget '64KiB'"));
    assert_non_null(strstr(mb_errmsg(), "f.ini:5: hidden_bytes"));

    spec.budget.value = NULL;
    assert_int_equal(mb_problem_from_spec(&spec, &p), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "f.ini:7: budget is required"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_int),        cmocka_unit_test(test_parse_bytes),
        cmocka_unit_test(test_sizes),            cmocka_unit_test(test_problem_spec),
        cmocka_unit_test(test_parse_budget),
        cmocka_unit_test(test_fileio),          cmocka_unit_test(test_fixed_policy_op_counts),
        cmocka_unit_test(test_never),            cmocka_unit_test(test_allocator),
        cmocka_unit_test(test_report_csv_long_string),
        cmocka_unit_test(test_report),           cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
