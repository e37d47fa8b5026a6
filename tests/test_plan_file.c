/* test_plan_file.c: the plan file (docs/design.md, "Plan files"): the round trip through a
 * file, every kind of malformed or hostile input refused with MB_EPARSE and a message that
 * names the problem, and reads longer than one chunk, through memory and a stream. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "core/plan.h"
#include "test_util.h"

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

/* Reads `len` bytes of text as a plan; expects MB_EPARSE and every word of the NULL-ended
 * list in the message, and a message that is printable ASCII or valid UTF-8 throughout. */
static void expect_parse_errorn(const char *text, size_t len, const char *const *words)
{
    mb_plan *p = NULL;
    int rc = mb_plan_read_json(text, len, &p);
    if (rc != MB_EPARSE)
        fail_msg("FAIL: plan '%.200s' gave %s, expected MB_EPARSE", text, mb_strerror_name(rc));
    const char *m = mb_errmsg();
    for (; *words; words++)
        if (strstr(m, *words) == NULL)
            fail_msg("FAIL: plan '%.200s': message '%s' lacks '%s'", text, m, *words);
    for (const unsigned char *c = (const unsigned char *)m; *c; c++)
        if (*c < 0x20 || *c >= 0x7F)
            fail_msg("FAIL: plan '%.200s': message '%s' holds byte 0x%02X", text, m, *c);
    assert_null(p);
}

#define EXPECT_ERR(text, ...)                                                              \
    do {                                                                                   \
        const char *const w_[] = {__VA_ARGS__, NULL};                                      \
        expect_parse_errorn((text), sizeof(text) - 1, w_);                                 \
    } while (0)

static void expect_parse_error(const char *text, const char *words)
{
    const char *const w[] = {words, NULL};
    expect_parse_errorn(text, strlen(text), w);
}

/* Reads text (len bytes) that must be a valid plan file; returns the plan. */
static mb_plan *expect_plan(const char *text, size_t len)
{
    mb_plan *p = NULL;
    int rc = mb_plan_read_json(text, len, &p);
    if (rc != MB_OK)
        fail_msg("FAIL: plan '%.200s' gave %s: %s", text, mb_strerror_name(rc), mb_errmsg());
    return p;
}

#define HEAD "{\"format\": \"membptt-plan\", \"version\": 1, \"steps\": 1, \"hidden_units\": 1, " \
             "\"internal_units\": 2, \"budget\": 3, "
#define OPS "\"ops\": [[\"forward\", 1], [\"backward\", 1]]"

static void test_plan_file_errors(void **state)
{
    (void)state;
    mb_plan *p;
    const char *ok = HEAD "\"extra\": {\"nested\": [1, 2.5, null, true]}, " OPS "}";
    p = expect_plan(ok, strlen(ok));
    assert_int_equal(p->n_ops, 2);
    assert_int_equal(p->forward_ops, -1); /* not declared */
    mb_plan_free(p);
    expect_parse_error("", "expected a JSON object");
    expect_parse_error("[1]", "expected a JSON object");
    expect_parse_error(HEAD "\"ops\": [[\"jump\", 1]]}", "unknown op 'jump'");
    expect_parse_error(HEAD "\"ops\": [[\"forward\", -1]]}", "out of range");
    expect_parse_error(HEAD "\"ops\": [[\"forward\", 1.5]]}", "expected an integer, found 1.5");
    expect_parse_error(HEAD "\"ops\": [[\"forward\", 1]}", "invalid JSON");
    expect_parse_error(HEAD "\"ops\": [[\"forward\"]]}", "op 0: too short");
    expect_parse_error(HEAD "\"ops\": [[\"forward\", 1, 2]]}", "op 0: expected ']'");
    expect_parse_error(HEAD "\"ops\": []} trailing", "trailing garbage");
    expect_parse_error("{\"format\": \"other\", \"ops\": []}", "format 'other'");
    expect_parse_error("{\"format\": \"membptt-plan\", \"version\": 3, \"steps\": 1, "
                       "\"hidden_units\": 1, \"internal_units\": 2, \"budget\": 3, \"ops\": []}",
                       "version 3");
    /* version 2: levels on store, restore and free; a slow budget; neither in version 1 */
#define HEAD2 "{\"format\": \"membptt-plan\", \"version\": 2, \"steps\": 1, " \
              "\"hidden_units\": 1, \"internal_units\": 2, \"budget\": 3, "
    const char *two = HEAD2 "\"slow_budget\": \"unlimited\", \"ops\": [[\"store_hidden\", 0, 1], "
                      "[\"free\", 0, 0], [\"forward\", 1], [\"backward\", 1], [\"free\", 0, 1]]}";
    p = expect_plan(two, strlen(two));
    assert_int_equal(p->problem.slow_budget, MB_SLOW_UNLIMITED);
    assert_int_equal(p->ops[0].level, 1);
    assert_int_equal(p->ops[1].level, 0);
    assert_int_equal(p->ops[4].level, 1);
    mb_plan_free(p);
    const char *two_n = HEAD2 "\"slow_budget\": 7, \"ops\": []}";
    p = expect_plan(two_n, strlen(two_n));
    assert_int_equal(p->problem.slow_budget, 7);
    mb_plan_free(p);
    expect_parse_error(HEAD2 "\"ops\": [[\"forward\", 1, 0]]}", "op 0: expected ']'");
    expect_parse_error(HEAD2 "\"ops\": [[\"store_hidden\", 1, 2]]}", "level 2");
    expect_parse_error(HEAD2 "\"ops\": [[\"restore\", 1, 1, 1]]}", "after the level");
    expect_parse_error(HEAD2 "\"slow_budget\": -1, \"ops\": []}", "slow_budget");
    expect_parse_error(HEAD2 "\"slow_budget\": \"lots\", \"ops\": []}", "'lots'");
    expect_parse_error(HEAD "\"slow_budget\": 3, \"ops\": []}", "needs version 2");
    expect_parse_error(HEAD "\"ops\": [[\"store_hidden\", 0, 0]]}", "op 0 has a level");
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

/* The cases of the plan reader that issue 7 lists: what is not JSON is refused, what is
 * JSON is read, and every message is clean. */
static void test_plan_reader_strict(void **state)
{
    (void)state;
    /* not JSON: bare words, leading zeros, VT/FF, bad \u, bytes after the object */
    EXPECT_ERR(HEAD "\"extra\": garbage, " OPS "}", "invalid JSON", "byte 1");
    EXPECT_ERR(HEAD "\"extra\": tru, " OPS "}", "invalid JSON");
    EXPECT_ERR(HEAD "\"extra\": +-+.., " OPS "}", "invalid JSON");
    EXPECT_ERR(HEAD "\"extra\": 010, " OPS "}", "invalid JSON");
    EXPECT_ERR(HEAD "\"extra\": 1,\v" OPS "}", "invalid JSON", "\\x0B", "white space");
    EXPECT_ERR(HEAD "\"extra\": 1,\f" OPS "}", "\\x0C");
    EXPECT_ERR(HEAD "\"extra\": \"\\u12\", " OPS "}", "non-hex");
    EXPECT_ERR(HEAD OPS "}\0garbage", "trailing garbage", "\\x00");
    EXPECT_ERR(HEAD OPS "}\0", "trailing garbage");
    EXPECT_ERR(HEAD "/* c */ " OPS "}", "invalid JSON");
    /* invalid UTF-8: a stray byte, an overlong form, a surrogate, past U+10FFFF */
    EXPECT_ERR(HEAD "\"extra\": \"\xFF\", " OPS "}", "UTF8");
    EXPECT_ERR(HEAD "\"extra\": \"\xC0\x80\", " OPS "}", "not valid Unicode", "\\xC0\\x80");
    EXPECT_ERR(HEAD "\"extra\": \"\xED\xA0\x80\", " OPS "}", "not valid Unicode");
    EXPECT_ERR(HEAD "\"extra\": \"\xF4\x90\x80\x80\", " OPS "}", "not valid Unicode");
    EXPECT_ERR(HEAD "\"e\xC0\xAF\": 1, " OPS "}", "key", "not valid Unicode");
    EXPECT_ERR("\xEF\xBB\xBF" HEAD OPS "}", "byte 0", "\\xEF");
    EXPECT_ERR("\xFF" HEAD OPS "}", "byte 0", "\\xFF");
    /* duplicate keys, known, unknown and nested */
    EXPECT_ERR(HEAD OPS ", \"ops\": [[\"forward\", 1]]}", "duplicate key \"ops\"");
    EXPECT_ERR(HEAD "\"steps\": 1, " OPS "}", "duplicate key \"steps\"");
    EXPECT_ERR(HEAD "\"st\\u0065ps\": 1, " OPS "}", "duplicate key \"steps\"");
    EXPECT_ERR(HEAD "\"x\": 1, \"x\": 2, " OPS "}", "duplicate key \"x\"");
    EXPECT_ERR(HEAD "\"x\": [{\"a\": 1, \"a\": 2}], " OPS "}", "duplicate key \"a\"");
    /* messages: a NUL does not cut them, raw bytes are escaped, missing and wrong types */
    EXPECT_ERR("{\"format\": \"membptt\\u0000plan\", " OPS "}", "format 'membptt\\x00plan'");
    EXPECT_ERR("{\"format\": \"membptt-plan\", \"steps\": 1, \"hidden_units\": 1, "
               "\"internal_units\": 2, \"budget\": 3, " OPS "}",
               "missing key \"version\"");
    EXPECT_ERR("{\"format\": \"membptt-plan\", \"version\": 1, \"steps\": -}",
               "expected an integer for \"steps\"", "byte 50:", "-}'");
    EXPECT_ERR("{\"format\": \"membptt-plan\", \"version\": 1, \"steps\": \"10\"}",
               "\"steps\": expected an integer, found a string");
    EXPECT_ERR("{\"format\": \"membptt-plan\", \"version\": 1, \"steps\": 1e3}",
               "\"steps\": expected an integer, found 1e3");
    EXPECT_ERR("{\"steps\": 99999999999999999999}", "out of range");
    EXPECT_ERR("{\"format\": 1}", "\"format\": expected a string, found a number", "byte 11");
    EXPECT_ERR(HEAD "\"solver\": \"a\\nb\", " OPS "}", "control character", "a\\x0Ab");
    EXPECT_ERR(HEAD "\"solver\": \"0123456789abcdef0123456789abcdef\", " OPS "}", "1 to 31");
    EXPECT_ERR(HEAD "\"ops\": [[\"forward\\u0000\", 1]]}", "unknown op 'forward\\x00'");
    EXPECT_ERR(HEAD "\"ops\": [[\"\xFF\", 1]]}", "UTF8");

    /* valid JSON that must be read: long unknown values and names, escaped keys, any
     * order, every JSON type under an unknown key */
    char *big = malloc(8000);
    assert_non_null(big);
    char name[101];
    memset(name, 'k', 100);
    name[100] = '\0';
    char *val = malloc(5001);
    assert_non_null(val);
    memset(val, 'v', 5000);
    val[5000] = '\0';
    int n = snprintf(big, 8000, HEAD "\"%s\": \"%s\", \"x\": garbage, " OPS "}", name, val);
    /* the bare word must fail ... */
    const char *const w[] = {"invalid JSON", NULL};
    expect_parse_errorn(big, (size_t)n, w);
    /* ... and the long name and value must not */
    n = snprintf(big, 8000, HEAD "\"%s\": \"%s\", \"x\": [], " OPS "}", name, val);
    mb_plan *p = expect_plan(big, (size_t)n);
    assert_int_equal(p->n_ops, 2);
    mb_plan_free(p);
    free(val);
    free(big);
    const char esc[] = "{\"ops\": [[\"forward\", 1], [\"backward\", 1]], \"b\\u0075dget\": 3, "
                       "\"st\\u0065ps\": 1, \"f\\u006Frmat\": \"membptt\\u002dplan\", "
                       "\"version\": 1, \"hidden_units\": 1, \"internal_units\": 2, "
                       "\"x\": {\"a\": [true, false, null, -0, 1E+2, \"\\ud83d\\ude00\", {}]}, "
                       "\"y\": \"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"}";
    p = expect_plan(esc, sizeof esc - 1);
    assert_int_equal(p->problem.steps, 1);
    assert_int_equal(p->problem.budget, 3);
    assert_int_equal(p->n_ops, 2);
    mb_plan_free(p);
}

/* A plan longer than one read chunk gives the same ops through memory and through a stream,
 * and an error in a later chunk names its byte in the whole input. */
static void test_plan_reader_chunks(void **state)
{
    (void)state;
    mb_problem pr = problem_alpha(3000, 2, 6001);
    mb_solution s;
    assert_int_equal(mb_solve(&mb_solver_full, &pr, NULL, &s), MB_OK);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(mb_plan_write_json(s.plan, f), MB_OK);
    fclose(f);
    assert_true(len > 3 * 65536 / 2);
    mb_plan *a = expect_plan(text, len), *b = NULL;
    f = fmemopen(text, len, "r");
    assert_non_null(f);
    assert_int_equal(mb_plan_read_stream(f, "mem", &b), MB_OK);
    fclose(f);
    assert_int_equal(a->n_ops, s.plan->n_ops);
    assert_int_equal(b->n_ops, s.plan->n_ops);
    for (size_t i = 0; i < a->n_ops; i++) {
        assert_true(a->ops[i].kind == s.plan->ops[i].kind && a->ops[i].step == s.plan->ops[i].step);
        assert_true(b->ops[i].kind == s.plan->ops[i].kind && b->ops[i].step == s.plan->ops[i].step);
    }
    mb_plan_free(a);
    mb_plan_free(b);
    /* break the op that starts past byte 100000 */
    char *at = strstr(text + 100000, "[\"");
    assert_non_null(at);
    at[1] = '\x01';
    f = fmemopen(text, len, "r");
    assert_int_equal(mb_plan_read_stream(f, "mem", &b), MB_EPARSE);
    fclose(f);
    char want[64];
    snprintf(want, sizeof want, "mem: byte %zu:", (size_t)(at + 1 - text));
    if (strstr(mb_errmsg(), want) == NULL)
        fail_msg("message '%s' lacks '%s'", mb_errmsg(), want);
    free(text);
    mb_plan_free(s.plan);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan_round_trip),
        cmocka_unit_test(test_plan_file_errors),
        cmocka_unit_test(test_plan_reader_strict),
        cmocka_unit_test(test_plan_reader_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
