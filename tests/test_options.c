/* test_options.c: the command line's option table (cli/options.c): the table is consistent
 * (a name has one row per command, each row used by a command), and the one parser refuses, for
 * every command alike, an option the command does not take, an option given twice, and a
 * missing, empty or malformed value, naming the option; values land where the table says. */
#include <string.h>

#include "cli/options.h"
#include "measure/measure.h"
#include "test_util.h"

/* Parses the NULL-terminated words for `command`. The parser keeps pointers into argv
 * (v->args), so argv outlives the call, as a real argv does: it is static, valid until the
 * next parse. */
static int parse(unsigned command, const char *name, const char **words, cli_values *v)
{
    static char *argv[32];
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
    const char *sweep[] = {"--out", "o", "--shard", "1/3", "--sync", "point", "--repair",
                           "--quiet", "cfg.ini", NULL};
    assert_int_equal(parse(CLI_SWEEP, "sweep", sweep, &v), MB_OK);
    assert_string_equal(v.out, "o");
    assert_int_equal(v.sweep.shard_index, 1);
    assert_int_equal(v.sweep.shard_count, 3);
    assert_int_equal(v.sweep.sync, MB_SWEEP_SYNC_POINT);
    assert_int_equal(v.sweep.repair, 1);
    assert_int_equal(v.quiet, 1);
    assert_int_equal(v.dry_run, 0);
    assert_true(cli_given(&v, "shard"));
    assert_false(cli_given(&v, "dry-run"));
    assert_int_equal(v.n_args, 1);
    assert_string_equal(v.args[0], "cfg.ini");
    const char *verify[] = {"--format", "json", "plan.json", NULL};
    assert_int_equal(parse(CLI_VERIFY, "verify", verify, &v), MB_OK);
    assert_int_equal(v.format, MB_FORMAT_JSON);
    const char *merge[] = {"--out", "-", "a.csv", "b.csv", NULL}; /* merge's --out is a file */
    assert_int_equal(parse(CLI_MERGE, "merge", merge, &v), MB_OK);
    assert_string_equal(v.out, "-");
    assert_int_equal(v.n_args, 2);
    const char *help[] = {"--quiet", "--help", NULL};
    assert_int_equal(parse(CLI_SWEEP, "sweep", help, &v), MB_OK);
    assert_int_equal(v.help, 1);
}

static void test_refusals(void **state)
{
    (void)state;
    cli_values v;
    const char *unused[] = {"--shard", "0/2", NULL};
    assert_int_equal(parse(CLI_MERGE, "merge", unused, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--shard: merge does not use this option (it is for "
                                        "sweep)"));
    const char *twice[] = {"--quiet", "--quiet", NULL};
    assert_int_equal(parse(CLI_SWEEP, "sweep", twice, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--quiet given twice"));
    const char *empty_out[] = {"--out", "", NULL};
    assert_int_equal(parse(CLI_SWEEP, "sweep", empty_out, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--out ''"));
    assert_int_equal(parse(CLI_MERGE, "merge", empty_out, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--out ''"));
    const char *missing[] = {"--format", NULL};
    assert_int_equal(parse(CLI_VERIFY, "verify", missing, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--format: missing value"));
    const char *bad[] = {"--shard", "2/2", NULL};
    assert_int_equal(parse(CLI_SWEEP, "sweep", bad, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--shard '2/2'"));
    const char *badsync[] = {"--sync", "often", NULL};
    assert_int_equal(parse(CLI_SWEEP, "sweep", badsync, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--sync"));
    const char *unknown[] = {"--bogus", NULL};
    assert_int_equal(parse(CLI_VERIFY, "verify", unknown, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "'--bogus'"));
}

/* reproduce's options: values land in repro (and the shared out, quiet); a sweep-only option
 * and a repeated flag are refused. */
static void test_reproduce(void **state)
{
    (void)state;
    cli_values v;
    const char *all[] = {"--full", "--out", "o", "--resume", "--no-measure", "--quiet",
                         "--analytic", "a.ini", "--bench", "b.csv", "--force", NULL};
    assert_int_equal(parse(CLI_REPRODUCE, "reproduce", all, &v), MB_OK);
    assert_true(v.repro.full && v.repro.resume && v.repro.no_measure && v.repro.force);
    assert_true(v.quiet);
    assert_string_equal(v.out, "o");
    assert_string_equal(v.repro.analytic, "a.ini");
    assert_string_equal(v.repro.bench, "b.csv");
    assert_int_equal(v.n_args, 0);
    const char *none[] = {NULL};
    assert_int_equal(parse(CLI_REPRODUCE, "reproduce", none, &v), MB_OK);
    assert_true(v.out == NULL && v.repro.bench == NULL && !v.repro.full);
    const char *shard[] = {"--shard", "0/2", NULL};
    assert_int_equal(parse(CLI_REPRODUCE, "reproduce", shard, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--shard: reproduce does not use this option"));
    const char *twice[] = {"--full", "--full", NULL};
    assert_int_equal(parse(CLI_REPRODUCE, "reproduce", twice, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--full given twice"));
    const char *full[] = {"--full", NULL}; /* reproduce's and plot's flag is not sweep's */
    assert_int_equal(parse(CLI_SWEEP, "sweep", full, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "(it is for reproduce and plot)"));
    const char *empty[] = {"--analytic", "", NULL};
    assert_int_equal(parse(CLI_REPRODUCE, "reproduce", empty, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--analytic ''"));
}

/* solve's problem lands as text in the spec (keys named), run's sizes as values in the
 * executor's configuration; what was not given keeps its module's default. */
static void test_command_values(void **state)
{
    (void)state;
    cli_values v;
    const char *solve[] = {"--solver", "msm", "--steps", "1000", "--alpha", "5", "--budget",
                           "5%", "--slow-budget", "unlimited", "--cost-write", "0.5", "--dp",
                           "textbook", "--max-table-mib", "2", NULL};
    assert_int_equal(parse(CLI_SOLVE, "solve", solve, &v), MB_OK);
    assert_string_equal(v.solver->name, "msm");
    assert_string_equal(v.problem.steps.key, "--steps");
    assert_string_equal(v.problem.steps.value, "1000");
    assert_string_equal(v.problem.budget.value, "5%");
    assert_string_equal(v.problem.slow_budget.value, "unlimited");
    assert_null(v.problem.hidden_bytes.value);
    assert_true(v.cost.write == 0.5);
    assert_true(v.cost.forward == 1.0 && v.cost.backward == 2.0); /* the defaults */
    assert_int_equal(v.solve.dp_method, MB_DP_TEXTBOOK);
    assert_int_equal(v.solve.max_table_bytes, INT64_C(2) << 20);
    const char *run[] = {"--cell", "gru", "--steps", "7", "--input", "3", "--hidden", "4",
                         "--batch", "2", "--seed", "9", "--repeat", "3", "--slow-direct",
                         "--events", "default", NULL};
    assert_int_equal(parse(CLI_RUN, "run", run, &v), MB_OK);
    assert_int_equal(v.exec.cell, MB_CELL_GRU);
    assert_int_equal(v.exec.steps, 7);
    assert_int_equal(v.exec.batch, 2);
    assert_int_equal(v.exec.seed, 9);
    assert_int_equal(v.exec.repeat, 3);
    assert_int_equal(v.exec.slow_direct, 1);
    assert_int_equal(v.exec.threads, 1); /* mb_exec_config_default's */
    assert_int_equal(v.exec.pin, -1);
    assert_string_equal(v.exec.events, MB_COUNTERS_DEFAULT);
    const char *store[] = {"--steps", "100001", NULL}; /* calibrate-store's own range */
    assert_int_equal(parse(CLI_STORE, "calibrate-store", store, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--steps"));
    assert_int_equal(parse(CLI_RUN, "run", store, &v), MB_OK);
}

/* One bad value of each kind, named with the option and the value; a repeated option; an
 * option of another command, naming the commands that take it. */
static void test_kind_refusals(void **state)
{
    (void)state;
    static const struct {
        unsigned command;
        const char *name, *option, *value, *expect;
    } bad[] = {
        {CLI_SOLVE, "solve", "--steps", "0", "--steps 0"},
        {CLI_SOLVE, "solve", "--alpha", "x", "--alpha 'x'"},
        {CLI_SOLVE, "solve", "--hidden-bytes", "-5", "--hidden-bytes '-5'"},
        {CLI_SOLVE, "solve", "--budget", "abc", "--budget 'abc'"},
        {CLI_RUN, "run", "--budget", "12XB", "--budget '12XB'"},
        {CLI_SIMULATE, "simulate", "--slow-budget", "lots", "unlimited"},
        {CLI_SOLVE, "solve", "--solver", "foo", "--solver 'foo': unknown; one of: full"},
        {CLI_RUN, "run", "--cell", "lsmt", "--cell 'lsmt'"},
        {CLI_RUN, "run", "--events", "PAPI_TOT_INS,,x", "event 2 is empty"},
        {CLI_RUN, "run", "--seed", "-1", "--seed -1"},
        {CLI_RUN, "run", "--cost-write", "-1", "--cost-write '-1'"},
        {CLI_COMPARE, "compare", "--cost-copy", "x", "--cost-copy 'x'"},
        {CLI_RUN, "run", "--max-table-mib", "0", "--max-table-mib 0"},
        {CLI_SOLVE, "solve", "--dp", "slow", "fast or textbook"},
        {CLI_RUN, "run", "--repeat", "0", "--repeat 0"},
        {CLI_STORE, "calibrate-store", "--repeat", "2", "--repeat 2"},
        {CLI_SOLVE, "solve", "--plan-out", "", "--plan-out ''"},
        {CLI_RUN, "run", "--store-costs", "", "--store-costs ''"},
    };
    cli_values v;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *words[] = {bad[i].option, bad[i].value, NULL};
        assert_int_equal(parse(bad[i].command, bad[i].name, words, &v), MB_EINVAL);
        if (strstr(mb_errmsg(), bad[i].expect) == NULL)
            fail_msg("%s %s: '%s' lacks '%s'", bad[i].option, bad[i].value, mb_errmsg(),
                     bad[i].expect);
    }
    const char *twice[] = {"--budget", "5%", "--budget", "6%", NULL};
    assert_int_equal(parse(CLI_RUN, "run", twice, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--budget given twice"));
    const char *other[] = {"--cell", "lstm", NULL};
    assert_int_equal(parse(CLI_SOLVE, "solve", other, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "--cell: solve does not use this option (it is for run "
                                        "and calibrate-store)"));
    const char *copy[] = {"--cost-copy", "1", NULL};
    assert_int_equal(parse(CLI_SOLVE, "solve", copy, &v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "(it is for simulate and compare)"));
    const char *stray[] = {"--input-grads", "extra", NULL};
    assert_int_equal(parse(CLI_RUN, "run", stray, &v), MB_OK);
    assert_int_equal(cli_no_args(&v), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "'extra'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_table), cmocka_unit_test(test_values),
                                       cmocka_unit_test(test_refusals),
                                       cmocka_unit_test(test_reproduce),
                                       cmocka_unit_test(test_command_values),
                                       cmocka_unit_test(test_kind_refusals)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
