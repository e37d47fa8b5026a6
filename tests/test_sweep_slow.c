/* test_sweep_slow.c: sweep keys for the slow store (docs/design.md, "Two storage levels"): a
 * sweep of msm, msm2 and hrevolve over memory and slow-store budgets, checked against what the
 * solvers must satisfy (msm2 without a slow store is msm; a larger slow store never costs more;
 * msm2 never costs more than hrevolve), and every bad slow-level key refused before any row
 * with exit 2 naming the section, the key, the value and what is allowed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/csv.h"
#include "core/error.h"
#include "sweep/sweep.h"

static int fails;
#define CHECK(cond, ...)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            fprintf(stderr, "FAIL: " __VA_ARGS__);                                            \
            fputc('\n', stderr);                                                              \
            fails++;                                                                          \
        }                                                                                     \
    } while (0)

static const char config[] =
    "[output]\nname = slow\n"
    "[cost]\nforward = 1\nbackward = 2\nwrite = 0.5\nread = 0.5\nwrite_latency = 1\n"
    "read_latency = 1\n"
    "[problem two]\nsolvers = msm, msm2, hrevolve\nsteps = 60\nalpha = 3\n"
    "budget = 5%, 10%\nslow_budget = 0, 10%, unlimited\n"
    "[problem one]\nsolvers = msm\nsteps = 30\nalpha = 3\nbudget = 10%\n";

/* The value of column `name` in the row of (solver, budget_spec, slow_budget_spec). */
static double value(const mb_csv *t, const char *solver, const char *budget, const char *slow,
                    const char *name)
{
    int cs = mb_csv_col(t, "solver"), cb = mb_csv_col(t, "budget_spec"),
        cw = mb_csv_col(t, "slow_budget_spec"), cv = mb_csv_col(t, name);
    for (size_t r = 0; cs >= 0 && cb >= 0 && cw >= 0 && cv >= 0 && r < t->n_rows; r++)
        if (strcmp(t->rows[r][cs], solver) == 0 && strcmp(t->rows[r][cb], budget) == 0 &&
            strcmp(t->rows[r][cw], slow) == 0)
            return mb_csv_num(t, r, cv);
    return NAN;
}

static void sweep_checks(void)
{
    mb_sweep_config *c;
    int rc = mb_sweep_config_parse("slow.ini", config, &c);
    CHECK(rc == MB_OK, "the config (%s)", mb_errmsg());
    if (rc != MB_OK)
        return;
    CHECK(mb_sweep_point_count(c) == 3 * 2 * 3 + 1, "%zu points, expected 19",
          mb_sweep_point_count(c));
    char dir[] = "/tmp/mb_test_sweep_slow_XXXXXX", cmd[300];
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    mb_sweep_options o = {.out_dir = dir};
    mb_sweep_result res;
    rc = mb_sweep_run(c, &o, &res);
    CHECK(rc == MB_OK, "the sweep (%s)", mb_errmsg());
    mb_csv *t = NULL;
    if (rc == MB_OK && (rc = mb_csv_load(res.csv, &t)) == MB_OK) {
        CHECK(t->n_rows == 19, "%zu rows", t->n_rows);
        const char *cols[] = {"slow_budget_spec", "slow_budget_units", "slow_peak_units",
                              "slow_writes", "slow_reads", "predicted_time"};
        for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
            CHECK(mb_csv_col(t, cols[k]) >= 0, "no column %s", cols[k]);
        const char *budgets[] = {"5%", "10%"}, *slows[] = {"0", "10%", "unlimited"};
        for (int b = 0; b < 2; b++) {
            const char *m = budgets[b];
            double msm = value(t, "msm", m, "0", "forward_ops");
            double m2 = value(t, "msm2", m, "0", "forward_ops");
            CHECK(msm == m2, "budget %s, no slow store: msm2 %g forward ops, msm %g", m, m2, msm);
            CHECK(value(t, "msm2", m, "0", "slow_writes") == 0, "msm2 wrote with no slow store");
            for (int s = 0; s < 3; s++) {
                double two = value(t, "msm2", m, slows[s], "predicted_time");
                double hr = value(t, "hrevolve", m, slows[s], "predicted_time");
                CHECK(isfinite(two) && isfinite(hr) && two <= hr + 1e-9,
                      "budget %s, slow %s: msm2 %g above hrevolve %g", m, slows[s], two, hr);
                if (s > 0) {
                    double before = value(t, "msm2", m, slows[s - 1], "predicted_time");
                    CHECK(two <= before + 1e-9, "budget %s: msm2 costs %g with slow store %s, "
                          "more than %g with %s", m, two, slows[s], before, slows[s - 1]);
                }
            }
            double cheap = value(t, "msm2", m, "unlimited", "slow_writes");
            CHECK(cheap > 0, "budget %s: msm2 never used an unlimited slow store at a write "
                  "cost below a recomputation", m);
        }
        /* the section without a slow level: its rows have the columns, with no slow store */
        CHECK(value(t, "msm", "10%", "", "slow_budget_units") == 0,
              "a one-level row's slow_budget_units is not 0");
    }
    mb_csv_free(t);
    /* the fingerprint holds the slow store's costs */
    char a[17], b[17];
    mb_sweep_fingerprint(c, a);
    mb_sweep_config_free(c);
    char *other = strdup(config);
    *strstr(other, "read = 0.5") = '\0';
    char text[2048];
    snprintf(text, sizeof text, "%sread = 0.25\n%s", other, strstr(config, "write_latency"));
    free(other);
    if (mb_sweep_config_parse("slow.ini", text, &c) == MB_OK) {
        mb_sweep_fingerprint(c, b);
        CHECK(strcmp(a, b) != 0, "the fingerprint ignores the read cost");
        mb_sweep_config_free(c);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0, "rm");
}

/* A config that must be refused (parse, or the preflight of a sweep) with status rc and every
 * needle in the message, and no CSV written. */
static void refused(const char *what, const char *text, int rc, const char *n1, const char *n2,
                    const char *n3)
{
    mb_sweep_config *c = NULL;
    int got = mb_sweep_config_parse("bad.ini", text, &c);
    char dir[] = "/tmp/mb_test_sweep_slow_XXXXXX", csv[300];
    if (got == MB_OK && mkdtemp(dir) != NULL) {
        mb_sweep_options o = {.out_dir = dir};
        mb_sweep_result res;
        got = mb_sweep_run(c, &o, &res);
        snprintf(csv, sizeof csv, "%s/%s.csv", dir, c->name);
        CHECK(access(csv, F_OK) != 0, "%s: a CSV was written", what);
        unlink(csv);
        snprintf(csv, sizeof csv, "%s/%s.json", dir, c->name);
        unlink(csv);
        rmdir(dir);
    }
    mb_sweep_config_free(c);
    CHECK(got == rc, "%s: status %d (%s), expected %d", what, got, mb_errmsg(), rc);
    const char *needles[] = {n1, n2, n3};
    for (int k = 0; k < 3; k++)
        CHECK(needles[k] == NULL || strstr(mb_errmsg(), needles[k]) != NULL,
              "%s: the message '%s' lacks '%s'", what, mb_errmsg(), needles[k]);
}

static void bad_keys(void)
{
    const char *head = "[problem p]\nsolvers = msm2\nsteps = 20\nalpha = 3\nbudget = 20%\n";
    char text[1024];
    snprintf(text, sizeof text, "%sslow_budget = lots\n", head);
    refused("a slow budget that is no budget", text, MB_EINVAL, "bad.ini:6: slow_budget",
            "'lots'", "unlimited");
    snprintf(text, sizeof text, "%sslow_budget = 10%%:5%%\n", head);
    refused("a backwards range", text, MB_EINVAL, "slow_budget", "first <= last", NULL);
    snprintf(text, sizeof text, "[cost]\nwrite = -1\n%sslow_budget = 10\n", head);
    refused("a negative write cost", text, MB_EINVAL, "bad.ini:2: write", "'-1'", ">= 0");
    snprintf(text, sizeof text, "[cost]\nstore_costs = /nonexistent/costs.txt\n%s", head);
    refused("a store-costs file that does not exist", text, MB_EINVAL, "store_costs",
            "/nonexistent/costs.txt", "calibrate-store");
    /* a store-costs file with costs given in [cost] too; then with sizes in units */
    char costs[] = "/tmp/mb_test_costs_XXXXXX";
    int fd = mkstemp(costs);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    CHECK(f != NULL, "mkstemp");
    if (f == NULL)
        return;
    fprintf(f, "membptt-store-costs 1\nforward_s 1e-4\nbackward_s 2e-4\nwrite_latency_s 1e-5\n"
            "write_s_per_byte 1e-9\nread_latency_s 1e-5\nread_s_per_byte 1e-9\n");
    fclose(f);
    snprintf(text, sizeof text, "[cost]\nstore_costs = %s\nwrite = 1\n%sslow_budget = 10\n",
             costs, head);
    refused("store_costs with write", text, MB_EINVAL, "store_costs", "[cost] write", "one way");
    snprintf(text, sizeof text, "[cost]\nstore_costs = %s\n%sslow_budget = 10\n", costs, head);
    refused("store_costs with alpha sizes", text, MB_EINVAL, "store_costs", "[problem p]",
            "hidden_bytes");
    unlink(costs);
    /* measured points with a slow store: slow_dir required, and an existing writable folder */
    const char *model = "[model]\ncell = lstm\ninput = 8\nhidden = 8\nbatch = 1\n"
                        "repetitions = 1\n";
    snprintf(text, sizeof text, "%s[problem m]\nrun = measured\nsolvers = msm2\nsteps = 20\n"
             "budget = 20%%\nslow_budget = unlimited\n", model);
    refused("a measured slow store without slow_dir", text, MB_EINVAL, "slow_budget",
            "slow_dir", NULL);
    snprintf(text, sizeof text, "%sslow_dir = /nonexistent/slow\n[problem m]\nrun = measured\n"
             "solvers = msm2\nsteps = 20\nbudget = 20%%\nslow_budget = unlimited\n", model);
    refused("a slow_dir that does not exist", text, MB_EINVAL, "bad.ini:7: [model] slow_dir",
            "/nonexistent/slow", "existing folder");
}

int main(void)
{
    sweep_checks();
    bad_keys();
    return fails ? 1 : 0;
}
