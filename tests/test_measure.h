/* test_measure.h: what the two files of the measure test share (test_measure.c: clocks and
 * counters; test_measure_meta.c: pinning, topology and the run metadata). */
#ifndef MB_TESTS_TEST_MEASURE_H
#define MB_TESTS_TEST_MEASURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <yajl/yajl_tree.h>

#define EXPECT(cond, ...)                                                                  \
    do {                                                                                   \
        if (!(cond))                                                                       \
            fail_msg("FAIL: " __VA_ARGS__);                                                \
    } while (0)

static inline yajl_val parse_json(const char *text)
{
    char err[256];
    yajl_val v = yajl_tree_parse(text, err, sizeof err);
    if (!v)
        fail_msg("FAIL: JSON does not parse: %s\n%s", err, text);
    return v;
}

static inline yajl_val get(yajl_val root, const char *a, const char *b)
{
    const char *path[3] = {a, b, NULL};
    return yajl_tree_get(root, path, yajl_t_any);
}

/* The tests of test_measure_meta.c. */
void test_pin(void **state);
void test_topology(void **state);
void test_getenv(void **state);
void test_record(void **state);
void test_meta_json(void **state);
void test_meta_env_child(void **state);

#endif
