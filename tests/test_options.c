/* test_options.c: the command line's option table (cli/options.c): the table is consistent
 * (each name once, each used by a command), and the one parser refuses, for every command alike,
 * an option the command does not take, an option given twice, and a missing or empty value,
 * naming the option; values land where the table says. */
#include <string.h>

#include "cli/options.h"
#include "test_util.h"

/* Parses the NULL-terminated words for `command`. */
static int parse(unsigned command, const char *name, const char **words, cli_values *v)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = (char *)name;
    for (; *words != NULL && argc < 31; words++)
        argv[argc++] = (char *)*words;
    argv[argc] = NULL;
    return cli_parse(command, name, argc, argv, v);
}

static void test_table(void **state)
{
    (void)state;
    assert_int_equal(cli_options_check(), MB_OK);
}

static void test_values(void **state)
{
    (void)state;
    cli_values v;
    const char *solve[] = {"--solver", "msm", "--steps", "10", "--alpha", "5", "--budget", "5%",
                           "--dp", "textbook", "--max-table-mib", "3", "--format", "json", NULL};
    assert_int_equal(parse(CLI_SOLVE, "solve", solve, &v), MB_OK);
    assert_string_equal(v.solver, "msm");
    assert_string_equal(v.budget, "5%");
    assert_int_equal(v.solve.dp_method, MB_DP_TEXTBOOK);
    assert_int_equal(v.solve.max_table_bytes, 3 << 20);
    assert_int_equal(v.format, MB_FORMAT_JSON);
    assert_true(cli_given(&v, "steps"));
    assert_false(cli_given(&v, "plan-out"));
    assert_int_equal(v.n_args, 0);
    const char *run[] = {"--input", "7", "--repeat", "3", "--input-grads", "extra", NULL};
    assert_int_equal(parse(CLI_RUN, "run", run, &v), MB_OK);
    assert_int_equal(v.input, 7);
    assert_int_equal(v.repeat, 3);
    assert_int_equal(v.input_grads, 1);
    assert_int_equal(v.pin, -1);
    assert_int_equal(v.n_args, 1);
    assert_string_equal(v.args[0], "extra");
    const char *help[] = {"--steps", "5", "--help", NULL};
    assert_int_equal(parse(CLI_COMPARE, "compare", help, &v), MB_OK);
    assert_int_equal(v.help, 1);
}

static void test_refusals(void **state)
{
    (void)state;
    cli_values v;
    const char *unused[] = {"--cost-copy", "1", NULL};
    assert_int_equal(parse(CLI_SOLVE, "solve", unused, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--cost-copy: solve does not use this option (it is for "
                                        "simulate and compare)"));
    const char *twice[] = {"--steps", "1", "--steps", "2", NULL};
    assert_int_equal(parse(CLI_RUN, "run", twice, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--steps given twice"));
    const char *empty_out[] = {"--plan-out", "", NULL};
    assert_int_equal(parse(CLI_SOLVE, "solve", empty_out, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--plan-out ''"));
    const char *empty[] = {"--events", "", NULL};
    assert_int_equal(parse(CLI_RUN, "run", empty, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--events ''"));
    const char *missing[] = {"--budget", NULL};
    assert_int_equal(parse(CLI_SOLVE, "solve", missing, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--budget: missing value"));
    const char *bad[] = {"--repeat", "0", NULL};
    assert_int_equal(parse(CLI_RUN, "run", bad, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--repeat"));
    const char *unknown[] = {"--bogus", NULL};
    assert_int_equal(parse(CLI_VERIFY, "verify", unknown, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "'--bogus'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_table), cmocka_unit_test(test_values),
                                       cmocka_unit_test(test_refusals)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
