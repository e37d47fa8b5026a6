/* test_sweep.c: sweep configs (valid, each kind of invalid, line numbers in messages),
 * range expansion, the point count, records that refuse to overflow, shards merged into the
 * single-process file, resume after a cut-off row, and the preflight (merge and resume against
 * hostile files: test_sweep_merge.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/error.h"
#include "core/fileio.h"
#include "core/report.h"
#include "sweep/sweep.h"
#include "test_util.h"

static const char base[] = "[solvers]\nnames = msm\n[problem]\nsteps = 10\nalpha = 5\n";

/* Parses text; expects rc and, when not OK, every needle in the message. */
static void expect_config(const char *text, int rc, const char *needle1, const char *needle2)
{
    mb_sweep_config *c = NULL;
    int got = mb_sweep_config_parse("t.ini", text, &c);
    if (got == MB_OK)
        got = mb_sweep_config_check(c);
    if (got != rc)
        fail_msg("config:\n%s\nreturned %d (%s), expected %d", text, got, mb_errmsg(), rc);
    if (rc != MB_OK) {
        if (needle1 && strstr(mb_errmsg(), needle1) == NULL)
            fail_msg("message '%s' lacks '%s'", mb_errmsg(), needle1);
        if (needle2 && strstr(mb_errmsg(), needle2) == NULL)
            fail_msg("message '%s' lacks '%s'", mb_errmsg(), needle2);
    }
    mb_sweep_config_free(c);
}

static void test_config_valid(void **state)
{
    (void)state;
    mb_sweep_config *c;
    assert_int_equal(mb_sweep_config_load(MB_SOURCE_DIR "/configs/smoke.ini", &c), MB_OK);
    assert_string_equal(c->name, "smoke");
    assert_int_equal((int)c->n_problems, 6);
    /* budget: 20 percentages x 6 solvers; hsm: 7 lengths x 2 budgets; mixed: 3 solvers x 5
     * lengths x 2 budgets; chen-search: 3 x 2 alphas; chen-memory: 2 solvers x 3 x 2; free:
     * 2 solvers x 2 lengths x 9 budgets */
    assert_int_equal((int)mb_sweep_point_count(c), 120 + 14 + 30 + 6 + 12 + 36);
    assert_int_equal(mb_sweep_config_check(c), MB_OK);
    mb_sweep_point pt;
    assert_int_equal(mb_sweep_point_get(c, 120, &pt), MB_OK); /* first point of [problem hsm] */
    assert_string_equal(pt.section->name, "hsm");
    assert_int_equal((int)pt.problem.steps, 10);
    assert_int_equal((int)pt.problem.budget, 10);
    assert_int_equal(mb_sweep_point_get(c, 217, &pt), MB_OK);
    assert_string_equal(pt.solver->name, "msm-free");
    assert_int_equal((int)pt.problem.steps, 100);
    assert_int_equal((int)pt.problem.budget, 20);
    assert_int_equal(mb_sweep_point_get(c, 218, &pt), MB_EINVAL);
    mb_sweep_config_free(c);
}

static void test_config_ranges(void **state)
{
    (void)state;
    mb_sweep_config *c;
    const char *text = "[problem a]\nsolvers = hsm, msm\nsteps = 10*2:80, 7\nalpha = 1:3\n"
                       "budget = 1%:3%:0.5%, 12, min(sqrt)\n";
    assert_int_equal(mb_sweep_config_parse("r.ini", text, &c), MB_OK);
    const mb_sweep_problem *p = &c->problems[0];
    assert_int_equal((int)p->steps.n, 5);
    assert_string_equal(p->steps.v[3], "80");
    assert_string_equal(p->steps.v[4], "7");
    assert_int_equal((int)p->alpha.n, 3);
    assert_int_equal((int)p->budget.n, 7);
    assert_string_equal(p->budget.v[1], "1.5%");
    assert_string_equal(p->budget.v[4], "3%");
    assert_string_equal(p->budget.v[6], "min(sqrt)");
    assert_string_equal(p->budget.where, "r.ini:5: budget");
    assert_int_equal((int)mb_sweep_point_count(c), 2 * 5 * 3 * 7);
    /* min(sqrt) resolves to the sqrt solver's smallest budget for the point's problem */
    mb_sweep_point pt;
    assert_int_equal(mb_sweep_point_get(c, 6, &pt), MB_OK);
    int64_t expect;
    assert_int_equal(mb_solver_sqrt.min_budget(&pt.problem, &expect), MB_OK);
    assert_int_equal((int)pt.problem.budget, (int)expect);
    mb_sweep_config_free(c);
    /* geometric with a real factor rounds and drops duplicates */
    assert_int_equal(mb_sweep_config_parse("g.ini", "[problem]\nsolvers=hsm\nsteps=1*1.5:5\n"
                                           "alpha=1\nbudget=3\n", &c), MB_OK);
    assert_int_equal((int)c->problems[0].steps.n, 4); /* 1, 2 (1.5), 2 (2.25) dropped, 3, 5 */
    mb_sweep_config_free(c);
}

static void test_config_invalid(void **state)
{
    (void)state;
    char text[1024];
    expect_config("[problem]\nsolvers = msm\nsteps = 10\nalpha = 5\nbudget = 5%\n", MB_OK, 0, 0);
    /* unknown section, unknown key, duplicate key: file, line, key and what is allowed */
    expect_config("[solver]\nnames = msm\n", MB_EINVAL, "t.ini:2: names", "allowed sections");
    snprintf(text, sizeof text, "%sbudget = 5%%\nbudgets = 5\n", base);
    expect_config(text, MB_EINVAL, "t.ini:7: budgets = '5'", "allowed keys");
    snprintf(text, sizeof text, "%sbudget = 5%%\nsteps = 11\n", base);
    expect_config(text, MB_EINVAL, "t.ini:7: steps = '11'", "first at line 4");
    /* bad values of each kind */
    expect_config("[problem]\nsolvers = msm, nope\n", MB_EINVAL, "t.ini:2: solvers", "unknown solver 'nope'");
    expect_config("[problem]\nsolvers=msm\nsteps = 0\n", MB_EINVAL, "t.ini:3: steps = '0'", "[1, ");
    expect_config("[problem]\nsolvers=msm\nsteps = 100:10:5\n", MB_EINVAL, "t.ini:3: steps", "first <= last");
    expect_config("[problem]\nsolvers=msm\nsteps = 10*0.5:100\n", MB_EINVAL, "t.ini:3", "factor > 1");
    expect_config("[problem]\nsolvers=msm\nsteps = 10,,20\n", MB_EINVAL, "t.ini:3", "empty item");
    expect_config("[problem]\nsolvers=msm\nsteps = ten\n", MB_EINVAL, "'ten'", "non-negative integer");
    snprintf(text, sizeof text, "%sbudget = 101%%\n", base);
    expect_config(text, MB_EINVAL, "t.ini:6: budget = '101%'", "[0, 100]");
    snprintf(text, sizeof text, "%sbudget = 1%%:10:1\n", base);
    expect_config(text, MB_EINVAL, "t.ini:6", "same kind");
    snprintf(text, sizeof text, "%sbudget = min(nope)\n", base);
    expect_config(text, MB_EINVAL, "t.ini:6", "unknown solver");
    snprintf(text, sizeof text, "%sbudget = 64KiB\n", base);
    expect_config(text, MB_EINVAL, "t.ini:6: budget '64KiB'", "byte sizes");
    expect_config("[cost]\nforward = -1\n[problem]\nsolvers=msm\nsteps=5\nalpha=2\nbudget=3\n",
                  MB_EINVAL, "t.ini:2: forward = '-1'", ">= 0");
    expect_config("[solvers]\ndp = quick\n", MB_EINVAL, "t.ini:2: dp = 'quick'", "fast or textbook");
    expect_config("[output]\nname = a/b\n", MB_EINVAL, "t.ini:2: name", "file stem");
    expect_config("[model]\nthreads = 0\n", MB_EINVAL, "t.ini:2: threads = '0'", "[1, 1024]");
    expect_config("[model]\ncell = transformer\n", MB_EINVAL, "t.ini:2: cell", "lstm, gru or rnn");
    /* structure: syntax, missing keys, conflicting keys, sizes */
    expect_config("[problem]\nsteps 10\n", MB_EINVAL, "t.ini:2: not INI syntax", NULL);
    expect_config("[problem]\nsolvers = msm\nsteps = 10\nalpha = 5\n", MB_EINVAL, "budget is required", NULL);
    expect_config("[problem]\nsolvers = msm\nalpha = 5\nbudget = 3\n", MB_EINVAL, "steps is required", NULL);
    expect_config("[problem]\nsolvers = msm\nsteps = 10\nbudget = 3\n", MB_EINVAL, "sizes are required", NULL);
    expect_config("[problem]\nsolvers=msm\nsteps=10\nalpha=5\nhidden_bytes=4\ninternal_bytes=8\nbudget=3\n",
                  MB_EINVAL, "t.ini:4: alpha", "not both");
    expect_config("[problem]\nsolvers=msm\nsteps=10\nhidden_bytes=8\ninternal_bytes=4\nbudget=3\n",
                  MB_EINVAL, "t.ini:5: internal_bytes 4", "contains the hidden state");
    expect_config("[problem]\nsolvers=sqrt\nsteps=10\nalpha=5\ntarget_cost_per_step=2\n", MB_EINVAL,
                  "t.ini:5: target_cost_per_step", "hsm, ism, msm");
    expect_config("[problem a]\nsolvers=msm\n[problem a]\nsteps=3\n", MB_EINVAL, "appears twice", NULL);
    expect_config("[cost]\nforward = 1\n", MB_EINVAL, "no [problem] section", NULL);
    expect_config("[problem]\nsolvers=msm\nsteps=10\nbudget=3\nrun=measured\n", MB_EINVAL,
                  "needs a [model]", NULL);
    expect_config("[model]\ncell=lstm\n[problem]\nsolvers=msm\nsteps=10\nalpha=5\nbudget=3\n"
                  "run=measured\n", MB_EINVAL, "sizes from the [model]", NULL);
    expect_config("[counters]\nevents = PAPI_TOT_CYC, PAPI_TOT_CYC\n", MB_EINVAL,
                  "t.ini:2: events", "listed twice");
    /* a line longer than the INI parser's limit is an error, not two half lines */
    char longline[600] = "[problem]\nsolvers=msm\nsteps = 1";
    for (int i = 0; i < 120; i++)
        strcat(longline, ",1");
    strcat(longline, "\n");
    expect_config(longline, MB_EINVAL, "t.ini:3: the line is longer", NULL);
    /* a geometric range whose factor barely grows ends with an error, not a hang */
    expect_config("[problem]\nsolvers=msm\nsteps = 10*1.000000000000001:20\n", MB_EINVAL,
                  "t.ini:3: steps", "too close to 1");
    expect_config("[problem]\nsolvers=msm\nsteps = 0*2:20\n", MB_EINVAL, "t.ini:3", "above 0");
    /* a section header with a third word is refused, not read as its first two */
    expect_config("[problem my budget]\nsolvers=msm\n", MB_EINVAL, "t.ini:2", "one word");
    /* seeds that GSL's mt19937 would alias to another seed */
    expect_config("[model]\nseed = 0\n", MB_EINVAL, "t.ini:2: seed = '0'", "4357");
    expect_config("[model]\nseed = 4294967297\n", MB_EINVAL, "t.ini:2: seed", "low 32 bits");
    /* a network the executor refuses is named by its config key and line */
    expect_config("[model]\ncell = lstm\nhidden = 1048576\ninput = 1048576\n[problem]\nsolvers=msm\n"
                  "steps=10\nbudget=100%\nrun=measured\n", MB_ERANGE, "t.ini:3: [model] hidden", "2^46");
    /* a counter that is no event on any machine is caught before any row, with its line */
    expect_config("[counters]\nevents = tsk-clock\n[problem]\nsolvers=msm\nsteps=10\nalpha=5\n"
                  "budget=3\n", MB_EINVAL, "t.ini:2: events", "tsk-clock");
}

/* The base config of the fingerprint walk: every key of every section that reaches a point. */
static const char walk_base[] =
    "[solvers]\nnames = msm, hsm\ndp = fast\nmax_table_mib = 512\n"
    "[cost]\nforward = 1\nbackward = 2\ncopy = 0\n"
    "[model]\ncell = lstm\nbatch = 1\ninput = 4\nhidden = 8\nthreads = 1\nrepetitions = 1\n"
    "seed = 1\n"
    "[counters]\nevents = perf::TASK-CLOCK\n"
    "[problem a]\nsolvers = msm\nsteps = 10\nalpha = 5\nbudget = 50%\n"
    "[problem b]\nsteps = 10\nhidden_bytes = 64\ninternal_bytes = 320\n"
    "target_cost_per_step = 2\n"
    "[problem m]\nsolvers = msm\nsteps = 5\nbudget = 100%\nrun = measured\n";

/* A store-costs file (membptt calibrate-store's format) that test_fingerprint_walk writes. */
#define WALK_COSTS "/tmp/mb_test_walk_costs.txt"

/* One changed line per key: (section, key, the line as written, another valid line). */
static const struct {
    const char *section, *key, *from, *to;
} walk[] = {
    {"solvers", "names", "names = msm, hsm", "names = msm"},
    {"solvers", "dp", "dp = fast", "dp = textbook"},
    {"solvers", "max_table_mib", "max_table_mib = 512", "max_table_mib = 256"},
    {"cost", "forward", "forward = 1", "forward = 1.5"},
    {"cost", "backward", "backward = 2", "backward = 3"},
    {"cost", "copy", "copy = 0", "copy = 1"},
    {"cost", "write", "copy = 0", "copy = 0\nwrite = 1"},
    {"cost", "read", "copy = 0", "copy = 0\nread = 1"},
    {"cost", "write_latency", "copy = 0", "copy = 0\nwrite_latency = 1"},
    {"cost", "read_latency", "copy = 0", "copy = 0\nread_latency = 1"},
    {"cost", "store_costs", "forward = 1\nbackward = 2", "store_costs = " WALK_COSTS},
    {"model", "slow_dir", "seed = 1", "seed = 1\nslow_dir = /tmp"},
    {"model", "cell", "cell = lstm", "cell = gru"},
    {"model", "batch", "batch = 1", "batch = 2"},
    {"model", "input", "input = 4", "input = 5"},
    {"model", "hidden", "hidden = 8", "hidden = 9"},
    {"model", "threads", "threads = 1", "threads = 2"},
    {"model", "repetitions", "repetitions = 1", "repetitions = 2"},
    {"model", "seed", "seed = 1", "seed = 2"},
    {"counters", "events", "events = perf::TASK-CLOCK", "events = perf::PAGE-FAULTS"},
    {"problem", "solvers", "solvers = msm\nsteps = 10", "solvers = hsm\nsteps = 10"},
    {"problem", "steps", "steps = 10\nalpha", "steps = 11\nalpha"},
    {"problem", "alpha", "alpha = 5", "alpha = 4"},
    {"problem", "budget", "budget = 50%", "budget = 60%"},
    {"problem", "slow_budget", "budget = 50%", "budget = 50%\nslow_budget = 10"},
    {"problem", "hidden_bytes", "hidden_bytes = 64", "hidden_bytes = 128"},
    {"problem", "internal_bytes", "internal_bytes = 320", "internal_bytes = 256"},
    {"problem", "target_cost_per_step", "target_cost_per_step = 2", "target_cost_per_step = 3"},
    {"problem", "run", "run = measured", "run = analytic\nalpha = 2"},
};

/* The names after "allowed keys: " / "allowed sections: " in the last message ("a, b and
 * [c]"): brackets dropped, names of two words ("problem NAME") left out. */
static int allowed_list(const char *marker, char out[32][32])
{
    const char *p = strstr(mb_errmsg(), marker);
    char buf[1024];
    int n = 0;
    assert_non_null(p);
    snprintf(buf, sizeof buf, "%s", p + strlen(marker));
    for (char *q = buf; *q; q++)
        if (*q == '[' || *q == ']')
            *q = ' ';
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok && n < 32; tok = strtok_r(NULL, ",", &save)) {
        char *and = strstr(tok, " and ");
        char *parts[2] = {tok, NULL};
        if (and) {
            *and = '\0';
            parts[1] = and + 5;
        }
        for (int i = 0; i < 2 && parts[i]; i++) {
            char word[32], extra[32];
            if (sscanf(parts[i], "%31s %31s", word, extra) == 1)
                snprintf(out[n++], 32, "%s", word);
        }
    }
    return n;
}

/* Every key a config may hold changes the fingerprint, except the two that reach no point
 * ([output] name and the [plan] drawing). The keys come from the parser's own messages, so a
 * key added to the parser without a line in `walk` fails here. */
static void test_fingerprint_walk(void **state)
{
    (void)state;
    mb_sweep_config *c;
    char base_fp[17], fp[17], text[2048];
    FILE *f = fopen(WALK_COSTS, "w");
    assert_non_null(f);
    fputs("membptt-store-costs 1\nforward_s 1e-4\nbackward_s 2e-4\nwrite_latency_s 1e-5\n"
          "write_s_per_byte 1e-9\nread_latency_s 1e-5\nread_s_per_byte 1e-9\n", f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(mb_sweep_config_parse("w.ini", walk_base, &c), MB_OK);
    mb_sweep_fingerprint(c, base_fp);
    mb_sweep_config_free(c);
    for (size_t i = 0; i < sizeof walk / sizeof walk[0]; i++) {
        const char *at = strstr(walk_base, walk[i].from);
        assert_non_null(at);
        snprintf(text, sizeof text, "%.*s%s%s", (int)(at - walk_base), walk_base, walk[i].to,
                 at + strlen(walk[i].from));
        if (mb_sweep_config_parse("w.ini", text, &c) != MB_OK)
            fail_msg("[%s] %s: %s", walk[i].section, walk[i].key, mb_errmsg());
        mb_sweep_fingerprint(c, fp);
        mb_sweep_config_free(c);
        if (strcmp(fp, base_fp) == 0)
            fail_msg("changing [%s] %s does not change the fingerprint", walk[i].section,
                     walk[i].key);
    }
    /* the walk covers every key of every section but [output] and [plan] */
    char sections[32][32], keys[32][32];
    assert_int_equal(mb_sweep_config_parse("w.ini", "[nosuch]\nx = 1\n", &c), MB_EINVAL);
    int ns = allowed_list("allowed sections: ", sections);
    assert_true(ns >= 7);
    for (int s = 0; s < ns; s++) {
        if (strcmp(sections[s], "output") == 0 || strcmp(sections[s], "plan") == 0)
            continue;
        snprintf(text, sizeof text, "[%s]\nnosuchkey = 1\n", sections[s]);
        assert_int_equal(mb_sweep_config_parse("w.ini", text, &c), MB_EINVAL);
        int nk = allowed_list("allowed keys: ", keys);
        assert_true(nk >= 1);
        for (int k = 0; k < nk; k++) {
            int found = 0;
            for (size_t i = 0; i < sizeof walk / sizeof walk[0]; i++)
                found |= strcmp(walk[i].section, sections[s]) == 0 &&
                         strcmp(walk[i].key, keys[k]) == 0;
            if (!found)
                fail_msg("[%s] %s is not in the fingerprint walk", sections[s], keys[k]);
        }
    }
    /* the output name and the plan do not reach a row */
    snprintf(text, sizeof text, "[output]\nname = other\n[plan]\nsolver = msm\nsteps = 10\n"
             "alpha = 2\nbudget = 5\n%s", walk_base);
    assert_int_equal(mb_sweep_config_parse("w.ini", text, &c), MB_OK);
    mb_sweep_fingerprint(c, fp);
    mb_sweep_config_free(c);
    assert_string_equal(fp, base_fp);
    unlink(WALK_COSTS);
}

static void test_record_overflow(void **state)
{
    (void)state;
    static mb_record r;
    static char names[MB_RECORD_MAX + 1][16];
    memset(&r, 0, sizeof r);
    for (int i = 0; i <= MB_RECORD_MAX; i++) {
        snprintf(names[i], sizeof names[i], "col%d", i);
        mb_record_int(&r, names[i], i);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(mb_record_print(f, &r, MB_FORMAT_CSV, 1), MB_ERANGE);
    assert_int_equal(mb_record_print(f, &r, MB_FORMAT_JSON, 1), MB_ERANGE);
    fclose(f);
    assert_int_equal((int)len, 0); /* nothing printed, not a record missing its last column */
    free(buf);
    char want[32];
    snprintf(want, sizeof want, "'col%d'", MB_RECORD_MAX);
    assert_non_null(strstr(mb_errmsg(), want));
}

static void test_shards_and_resume(void **state)
{
    (void)state;
    char dir[] = "/tmp/mb_test_sweep_XXXXXX";
    assert_non_null(mkdtemp(dir));
    mb_sweep_config *c;
    assert_int_equal(mb_sweep_config_load(MB_SOURCE_DIR "/configs/smoke.ini", &c), MB_OK);
    char one[256], two[256], merged[256], path[512];
    snprintf(one, sizeof one, "%s/one", dir);
    snprintf(two, sizeof two, "%s/two", dir);
    mb_sweep_options o = {.out_dir = one};
    mb_sweep_result res;
    assert_int_equal(mb_sweep_run(c, &o, &res), MB_OK);
    assert_int_equal((int)res.computed, 218);
    char *full = slurp(res.csv);
    /* every row has the header's field count; infeasible rows have empty cells, never 0 */
    mb_csv *t;
    assert_int_equal(mb_csv_load(res.csv, &t), MB_OK);
    assert_int_equal((int)t->n_rows, 218);
    int feas = mb_csv_col(t, "feasible"), fwd = mb_csv_col(t, "forward_ops");
    assert_true(feas >= 0 && fwd >= 0);
    assert_string_equal(t->rows[0][feas], "false"); /* full at 5% */
    assert_string_equal(t->rows[0][fwd], "");
    mb_csv_free(t);

    /* three shards merged, in any order, give the same bytes */
    const char *shard_paths[3];
    char sp[3][4400];
    for (int i = 0; i < 3; i++) {
        mb_sweep_options so = {.out_dir = two, .shard_index = i, .shard_count = 3};
        assert_int_equal(mb_sweep_run(c, &so, &res), MB_OK);
        assert_int_equal((int)res.points, i < 2 ? 73 : 72); /* 218 points round-robin */
        snprintf(sp[i], sizeof sp[i], "%s", res.csv);
    }
    shard_paths[0] = sp[2];
    shard_paths[1] = sp[0];
    shard_paths[2] = sp[1];
    snprintf(merged, sizeof merged, "%s/merged.csv", dir);
    assert_int_equal(mb_sweep_merge(merged, shard_paths, 3, 0), MB_OK);
    char *m = slurp(merged);
    assert_string_equal(m, full);
    free(m);
    /* a missing shard is refused */
    assert_int_equal(mb_sweep_merge(merged, shard_paths, 2, 0), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "3 shards"));

    /* resume: cut the file in the middle of a row; the rerun keeps the complete rows, drops
     * the partial one and ends byte-identical */
    snprintf(path, sizeof path, "%s/smoke.csv", one);
    size_t cut = strlen(full) * 2 / 3;
    assert_int_equal(truncate(path, (off_t)cut), 0);
    assert_int_equal(mb_sweep_run(c, &o, &res), MB_OK);
    assert_true(res.resumed > 0 && res.resumed < 218);
    assert_int_equal((int)(res.resumed + res.computed), 218);
    char *again = slurp(path);
    assert_string_equal(again, full);
    free(again);
    /* a complete file resumes to nothing */
    assert_int_equal(mb_sweep_run(c, &o, &res), MB_OK);
    assert_int_equal((int)res.computed, 0);
    mb_sweep_config_free(c);

    /* another config against the same file is refused (fingerprint), not appended to */
    assert_int_equal(mb_sweep_config_parse("other.ini", "[output]\nname=smoke\n[problem]\n"
                                           "solvers=msm\nsteps=10\nalpha=5\nbudget=3\n", &c), MB_OK);
    assert_int_equal(mb_sweep_run(c, &o, &res), MB_EINVAL);
    assert_non_null(strstr(mb_errmsg(), "different sweep"));
    mb_sweep_config_free(c);
    char *after = slurp(path);
    assert_string_equal(after, full);
    free(after);
    free(full);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Preflight: a point whose DP table passes the limit is refused before any row, naming its
 * section and values; a good config gets its plan. */
static void test_preflight(void **state)
{
    (void)state;
    static const char text[] = "[output]\nname = pf\n[solvers]\nmax_table_mib = 1\n"
                               "[problem ok]\nsolvers = msm, full\nsteps = 10:70:10\nalpha = 5\n"
                               "budget = 1, 50%\n"
                               "[problem big]\nsolvers = msm\nsteps = 20000\nalpha = 5\n"
                               "budget = 50%\n";
    mb_sweep_config *c;
    assert_int_equal(mb_sweep_config_parse("pf.ini", text, &c), MB_OK);
    mb_sweep_preflight_report rep;
    assert_int_equal(mb_sweep_preflight(c, 0, 0, &rep, NULL), MB_ERANGE);
    mb_sweep_preflight_free(&rep);
    const char *want = "point 28 ([problem big] msm, steps = 20000, alpha = 5, budget = 50%)";
    if (strstr(mb_errmsg(), want) == NULL || strstr(mb_errmsg(), "MiB") == NULL)
        fail_msg("preflight message '%s' lacks '%s'", mb_errmsg(), want);
    char dir[] = "/tmp/mb_test_preflight_XXXXXX", csv[300], cmd[600];
    assert_non_null(mkdtemp(dir));
    mb_sweep_options o = {.out_dir = dir};
    mb_sweep_result res;
    assert_int_equal(mb_sweep_run(c, &o, &res), MB_ERANGE);
    snprintf(csv, sizeof csv, "%s/pf.csv", dir);
    assert_int_equal(access(csv, F_OK), -1); /* no row, no file: refused before the first */
    mb_sweep_config_free(c);
    /* without the big section: the plan of 28 points, 7 of them infeasible (full at 1 unit) */
    char *cut = strdup(text);
    *strstr(cut, "[problem big]") = '\0';
    assert_int_equal(mb_sweep_config_parse("pf.ini", cut, &c), MB_OK);
    free(cut);
    double est[28];
    assert_int_equal(mb_sweep_preflight(c, 0, 0, &rep, est), MB_OK);
    assert_int_equal((int)rep.points, 28);
    assert_int_equal((int)rep.n_sections, 1);
    assert_int_equal((int)rep.sections[0].infeasible, 7 + 7); /* full at 1 and at 50% */
    assert_true(rep.analytic_seconds > 0 && rep.peak_bytes > 0);
    for (int k = 0; k < 28; k++)
        assert_true(est[k] > 0);
    mb_sweep_preflight_free(&rep);
    /* shard 1 of 3 gets its own points only */
    assert_int_equal(mb_sweep_preflight(c, 1, 3, &rep, NULL), MB_OK);
    assert_int_equal((int)rep.points, 9);
    mb_sweep_preflight_free(&rep);
    mb_sweep_config_free(c);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_valid),    cmocka_unit_test(test_config_ranges),
        cmocka_unit_test(test_config_invalid),  cmocka_unit_test(test_record_overflow),
        cmocka_unit_test(test_shards_and_resume), cmocka_unit_test(test_fingerprint_walk),
        cmocka_unit_test(test_preflight),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
