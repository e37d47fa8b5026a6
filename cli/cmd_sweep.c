/* cmd_sweep.c: `membptt sweep` (run a config's cartesian product into CSV, resumable,
 * shardable) and `membptt merge` (join shard CSVs into the single-process file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/fileio.h"
#include "sweep/sweep.h"

void cli_sweep_help(const char *prog)
{
    printf("usage: %s sweep CONFIG [--out DIR] [--shard I/N] [--quiet] [--dry-run]\n\n"
           "Runs every point of the config's [problem] sections (the cartesian product of\n"
           "solvers, sizes, steps and budgets) through the solver and the simulator and appends\n"
           "one CSV row per point to DIR/NAME.csv (NAME from [output] name, else the config's\n"
           "file name), with the metadata sidecar DIR/NAME.json and the solver times in\n"
           "DIR/NAME.timing.csv. Each row is synced to disk when it is complete; rerunning the\n"
           "same command after an interruption keeps the finished rows and computes the rest,\n"
           "and the file ends byte-identical to an uninterrupted run's.\n\n"
           "options:\n"
           "  --out DIR      output folder (default results)\n"
           "  --shard I/N    compute only points I, I+N, I+2N, ... (0 <= I < N) into\n"
           "                 NAME.shard-I-of-N.csv; join the N files with membptt merge\n"
           "  --quiet        no progress on stderr\n"
           "  --dry-run      check the config and every point, print the point count, run nothing\n\n"
           "Config syntax (INI): see configs/smoke.ini and README.md, \"Sweeps\". A value is a\n"
           "single value, a list a,b,c, a range first:last:step or a geometric range\n"
           "first*factor:last. Exit status: 0 ok, 1 runtime failure, 2 invalid config.\n", prog);
}

int cli_sweep_parse(int argc, char **argv, int *help, cli_sweep_args *a)
{
    cli_values v;
    memset(a, 0, sizeof *a);
    int rc = cli_parse(CLI_SWEEP, "sweep", argc, argv, &v);
    *help = rc == MB_OK && v.help;
    if (rc != MB_OK || *help)
        return rc;
    if (v.n_args != 1)
        return MB_ERROR(MB_EINVAL, v.n_args == 0 ? "a CONFIG file is required"
                                                 : "one CONFIG file expected, more given");
    a->config = v.args[0];
    a->dry_run = v.dry_run;
    a->o.out_dir = v.out != NULL ? v.out : "results";
    a->o.progress = !v.quiet;
    a->o.shard_index = v.shard_index;
    a->o.shard_count = v.shard_count;
    return mb_output_path_check("--out", a->o.out_dir, 1); /* the default too */
}

int cli_sweep_dry_run(const mb_sweep_config *cfg, const cli_sweep_args *a)
{
    (void)a;
    int rc = mb_sweep_config_check(cfg);
    if (rc == MB_OK)
        printf("%s: %zu points in %zu problem sections\n", cfg->path, mb_sweep_point_count(cfg),
               cfg->n_problems);
    return rc;
}

int cmd_sweep(int argc, char **argv)
{
    cli_sweep_args a;
    int help, rc = cli_sweep_parse(argc, argv, &help, &a);
    if (help) {
        cli_sweep_help("membptt");
        return 0;
    }
    if (rc != MB_OK)
        return cli_fail("sweep", rc);
    mb_sweep_config *cfg;
    if ((rc = mb_sweep_config_load(a.config, &cfg)) != MB_OK)
        return cli_fail("sweep", rc);
    if (a.dry_run) {
        rc = cli_sweep_dry_run(cfg, &a);
        mb_sweep_config_free(cfg);
        return rc == MB_OK ? 0 : cli_fail("sweep", rc);
    }
    mb_sweep_result res;
    rc = mb_sweep_run(cfg, &a.o, &res);
    mb_sweep_config_free(cfg);
    if (rc != MB_OK)
        return cli_fail("sweep", rc);
    printf("%s: %zu rows (%zu computed, %zu kept from an earlier run)\n", res.csv, res.points,
           res.computed, res.resumed);
    return 0;
}

int cmd_merge(int argc, char **argv)
{
    cli_values v;
    int rc = cli_parse(CLI_MERGE, "merge", argc, argv, &v);
    if (rc == MB_OK && v.help) {
        printf("usage: membptt merge --out FILE.csv SHARD.csv...\n\n"
               "Joins the shard CSVs of one sweep (membptt sweep --shard I/N, each with its\n"
               "sidecar NAME.shard-I-of-N.json) into the file a single process would have\n"
               "written, byte for byte. All N shards must be complete and of the same config.\n");
        return 0;
    }
    if (rc == MB_OK && v.out == NULL)
        rc = MB_ERROR(MB_EINVAL, "--out FILE is required");
    if (rc == MB_OK)
        rc = mb_output_path_check("--out", v.out, 0);
    if (rc == MB_OK && v.n_args == 0)
        rc = MB_ERROR(MB_EINVAL, "no shard files given");
    if (rc == MB_OK)
        rc = mb_sweep_merge(v.out, (const char *const *)v.args, (size_t)v.n_args);
    if (rc != MB_OK)
        return cli_fail("merge", rc);
    printf("%s: merged\n", v.out);
    return 0;
}
