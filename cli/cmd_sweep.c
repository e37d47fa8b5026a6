/* cmd_sweep.c: `membptt sweep` (run a config's cartesian product into CSV, resumable,
 * shardable) and `membptt merge` (join shard CSVs into the single-process file). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/problem.h"
#include "sweep/sweep.h"

void cli_sweep_help(const char *prog)
{
    printf("usage: %s sweep CONFIG [--out DIR] [--shard I/N] [--sync WHEN] [--repair]\n"
           "           [--skip-failed] [--accept-other-build] [--quiet] [--dry-run]\n\n"
           "Runs every point of the config's [problem] sections (the cartesian product of\n"
           "solvers, sizes, steps and budgets) through the solver and the simulator and appends\n"
           "one CSV row per point to DIR/NAME.csv (NAME from [output] name, else the config's\n"
           "file name), with the metadata sidecar DIR/NAME.json and the solver times in\n"
           "DIR/NAME.timing.csv. Each row is written and flushed when it is complete; rerunning\n"
           "the same command after an interruption checks every finished row against its point,\n"
           "keeps them and computes the rest, and the file ends byte-identical to an\n"
           "uninterrupted run's.\n\n"
           "options:\n"
           "  --out DIR      output folder (default out, which git ignores)\n"
           "  --shard I/N    compute only points I, I+N, I+2N, ... (0 <= I < N) into\n"
           "                 NAME.shard-I-of-N.csv; join the N files with membptt merge\n"
           "  --sync WHEN    when rows reach the disk (fsync): point (every row), batch:N (every\n"
           "                 N rows), Ns (every N seconds; default %ds) or end; a killed process\n"
           "                 loses at most the row in flight whatever WHEN is\n"
           "  --repair       on resume, compute again the rows from the first one that is not\n"
           "                 its point's (instead of stopping with exit 2)\n"
           "  --skip-failed  a point that fails while it is computed (out of memory, say) is\n"
           "                 recorded as a row with status failed and empty values, and the\n"
           "                 sweep goes on (without it the sweep stops; finished rows stay)\n"
           "  --accept-other-build\n"
           "                 on resume, keep rows another membptt build or machine wrote (the\n"
           "                 sidecar records which rows came from which build)\n"
           "  --quiet        no progress on stderr\n"
           "  --dry-run      check the config and every point (keys, the DP table size against\n"
           "                 [solvers] max_table_mib, a measured run's memory against this\n"
           "                 machine), print the plan of the sweep (points, infeasible points,\n"
           "                 rough time and memory peak per section), run nothing; a sweep\n"
           "                 makes the same checks before its first row\n\n"
           "Config syntax (INI): see configs/smoke.ini and README.md, \"Sweeps\". A value is a\n"
           "single value, a list a,b,c, a range first:last:step or a geometric range\n"
           "first*factor:last. Exit status: 0 ok, 1 runtime failure, 2 invalid config, option\n"
           "or existing output.\n", prog, MB_SWEEP_SYNC_SECONDS);
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
    a->o = v.sweep; /* --shard, --sync, --repair, --accept-other-build */
    a->o.out_dir = v.out != NULL ? v.out : "out";
    a->o.progress = v.quiet ? NULL : stderr;
    return mb_output_path_check("--out", a->o.out_dir, 1); /* the default too */
}

int cli_sweep_dry_run(const mb_sweep_config *cfg, const cli_sweep_args *a)
{
    mb_sweep_preflight_report plan;
    int rc = mb_sweep_preflight(cfg, a->o.shard_index, a->o.shard_count, &plan, NULL);
    if (rc == MB_OK)
        mb_sweep_preflight_print(stdout, cfg, &plan);
    mb_sweep_preflight_free(&plan);
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
    printf("%s: %zu rows (%zu computed, %zu kept from an earlier run", res.csv, res.points,
           res.computed, res.resumed);
    if (res.repaired)
        printf(", %zu bad ones computed again", res.repaired);
    if (res.failed)
        printf(", %zu failed and recorded with status failed", res.failed);
    printf(")\n");
    return 0;
}

int cmd_merge(int argc, char **argv)
{
    cli_values v;
    int rc = cli_parse(CLI_MERGE, "merge", argc, argv, &v);
    if (rc == MB_OK && v.help) {
        printf("usage: membptt merge --out FILE.csv [--accept-other-build] SHARD.csv...\n\n"
               "Joins the shard CSVs of one sweep (membptt sweep --shard I/N, each with its\n"
               "sidecar NAME.shard-I-of-N.json) into the file a single process would have\n"
               "written, byte for byte, with its sidecar FILE.json and timing file\n"
               "FILE.timing.csv, so that a later sweep into the same folder resumes from it.\n"
               "Every row is checked first: all N shards complete and of one sweep (same\n"
               "fingerprint and shard count, each index once), each with the rows its sidecar\n"
               "counts, each row the point the config assigns to its shard and position.\n"
               "Anything else is exit 2 naming the shard and line, and nothing is written.\n"
               "Shards written by different builds (membptt version, commit, DP method, or\n"
               "the machine of measured rows) are refused, naming what differs, unless\n"
               "--accept-other-build (the sidecar then records which rows came from which).\n"
               "--out - writes the CSV to standard output (no sidecar or timing file); an\n"
               "output that is one of the inputs is refused.\n");
        return 0;
    }
    if (rc == MB_OK && v.out == NULL)
        rc = MB_ERROR(MB_EINVAL, "--out FILE is required");
    if (rc == MB_OK)
        rc = mb_output_path_check("--out", v.out, 0);
    if (rc == MB_OK && v.n_args == 0)
        rc = MB_ERROR(MB_EINVAL, "no shard files given");
    if (rc == MB_OK)
        rc = mb_sweep_merge(v.out, (const char *const *)v.args, (size_t)v.n_args,
                           v.sweep.accept_other_build);
    if (rc != MB_OK)
        return cli_fail("merge", rc);
    if (strcmp(v.out, "-") != 0)
        printf("%s: merged\n", v.out);
    return 0;
}
