/* test_core.c: parsers (integers, byte sizes, budgets), sizes from bytes, the plan file
 * round trip and its errors, and the report writer. */
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

/* A CSV string field with a comma and quotes, longer than any internal buffer and made of
 * two-byte UTF-8 characters, is quoted whole, its quotes doubled, no byte lost or escaped. */
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
        cmocka_unit_test(test_plan_round_trip),  cmocka_unit_test(test_plan_file_errors),
        cmocka_unit_test(test_plan_reader_strict), cmocka_unit_test(test_plan_reader_chunks),
        cmocka_unit_test(test_fileio),          cmocka_unit_test(test_fixed_policy_op_counts),
        cmocka_unit_test(test_never),            cmocka_unit_test(test_allocator),
        cmocka_unit_test(test_report_csv_long_string),
        cmocka_unit_test(test_report),           cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
