/* test_core.c: parsers (integers, byte sizes, budgets), sizes from bytes, the plan file
 * round trip and its errors, and the report writer. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    mb_problem p = {10, 0, 0, 0, 0};
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
    mb_problem big = {INT64_C(1) << 30, 1, INT64_C(1) << 40, 0, 0};
    assert_int_equal(mb_problem_check(&big), MB_ERANGE);
    mb_problem neg = {10, 1, 5, 0, -1};
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

static void test_plan_round_trip(void **state)
{
    (void)state;
    mb_problem p = problem_alpha(40, 3, 30);
    mb_solution s;
    assert_int_equal(mb_solve(&mb_solver_msm, &p, NULL, &s), MB_OK);
    char path[] = "/tmp/mb_test_plan_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(mb_plan_save(s.plan, path), MB_OK);
    mb_plan *back;
    assert_int_equal(mb_plan_load(path, &back), MB_OK);
    remove(path);
    assert_string_equal(back->solver, "msm");
    assert_int_equal(back->n_ops, s.plan->n_ops);
    assert_memory_equal(&back->problem, &s.plan->problem, sizeof back->problem);
    assert_int_equal(back->forward_ops, s.plan->forward_ops);
    assert_int_equal(back->peak, s.plan->peak);
    for (size_t i = 0; i < back->n_ops; i++) {
        assert_int_equal(back->ops[i].kind, s.plan->ops[i].kind);
        assert_int_equal(back->ops[i].step, s.plan->ops[i].step);
    }
    mb_plan_free(back);
    mb_plan_free(s.plan);
}

static void expect_parse_error(const char *text, const char *words)
{
    mb_plan *p = NULL;
    int rc = mb_plan_read_json(text, strlen(text), &p);
    if (rc != MB_EPARSE)
        fail_msg("FAIL: plan '%s' gave %s, expected MB_EPARSE", text, mb_strerror_name(rc));
    if (strstr(mb_errmsg(), words) == NULL)
        fail_msg("FAIL: plan '%s': message '%s' lacks '%s'", text, mb_errmsg(), words);
    assert_null(p);
}

#define HEAD "{\"format\": \"membptt-plan\", \"version\": 1, \"steps\": 1, \"hidden_units\": 1, " \
             "\"internal_units\": 2, \"budget\": 3, "

static void test_plan_file_errors(void **state)
{
    (void)state;
    mb_plan *p;
    const char *ok = HEAD "\"extra\": {\"nested\": [1, 2.5, null, true]}, "
                          "\"ops\": [[\"forward\", 1], [\"backward\", 1]]}";
    assert_int_equal(mb_plan_read_json(ok, strlen(ok), &p), MB_OK);
    assert_int_equal(p->n_ops, 2);
    assert_int_equal(p->forward_ops, -1); /* not declared */
    mb_plan_free(p);
    expect_parse_error("", "expected '{'");
    expect_parse_error("[1]", "expected '{'");
    expect_parse_error(HEAD "\"ops\": [[\"jump\", 1]]}", "unknown op 'jump'");
    expect_parse_error(HEAD "\"ops\": [[\"forward\", -1]]}", "out of range");
    expect_parse_error(HEAD "\"ops\": [[\"forward\", 1.5]]}", "fraction");
    expect_parse_error(HEAD "\"ops\": [[\"forward\", 1]}", "expected ',' or ']'");
    expect_parse_error(HEAD "\"ops\": []} trailing", "trailing");
    expect_parse_error("{\"format\": \"other\", \"ops\": []}", "format 'other'");
    expect_parse_error("{\"format\": \"membptt-plan\", \"version\": 2, \"steps\": 1, "
                       "\"hidden_units\": 1, \"internal_units\": 2, \"budget\": 3, \"ops\": []}",
                       "version 2");
    expect_parse_error("{\"format\": \"membptt-plan\", \"version\": 1, \"steps\": 1, "
                       "\"hidden_units\": 1, \"internal_units\": 2, \"budget\": 3}",
                       "missing key \"ops\"");
    expect_parse_error("{\"format\": \"membptt-plan\", \"version\": 1, \"steps\": 0, "
                       "\"hidden_units\": 1, \"internal_units\": 2, \"budget\": 3, \"ops\": []}",
                       "steps");
    char deep[200];
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = '\0';
    char text[400];
    snprintf(text, sizeof text, HEAD "\"x\": %s", deep);
    expect_parse_error(text, "deeper");
    char *buf;
    size_t len;
    assert_int_equal(mb_read_file("/nonexistent/plan.json", &buf, &len), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "/nonexistent/plan.json"));
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
                            {"f.ini:7: budget", "5%"}};
    assert_int_equal(mb_problem_from_spec(&spec, &p), MB_OK);
    assert_int_equal(p.steps, 1000);
    assert_int_equal(p.internal_units, 5);
    assert_int_equal(p.budget, 249);

    mb_problem untouched = {7, 7, 7, 7, 7};
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
        cmocka_unit_test(test_plan_round_trip),  cmocka_unit_test(test_plan_file_errors),
        cmocka_unit_test(test_report),           cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
