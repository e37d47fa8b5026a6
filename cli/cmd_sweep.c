/* cmd_sweep.c: `membptt sweep` (run a config's cartesian product into CSV, resumable,
 * shardable) and `membptt merge` (join shard CSVs into the single-process file). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/error.h"
#include "core/fileio.h"
#include "sweep/sweep.h"

static void sweep_help(void)
{
    printf("usage: membptt sweep CONFIG [--out DIR] [--shard I/N] [--quiet] [--dry-run]\n\n"
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
           "first*factor:last. Exit status: 0 ok, 1 runtime failure, 2 invalid config.\n");
}

int cmd_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'}, {"shard", required_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},     {"dry-run", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},      {NULL, 0, NULL, 0}};
    mb_sweep_options o = {.out_dir = "results", .progress = 1};
    int dry = 0, c, rc = MB_OK;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1 && rc == MB_OK) {
        switch (c) {
        case 'o': o.out_dir = optarg; break;
        case 'q': o.progress = 0; break;
        case 'n': dry = 1; break;
        case 's': {
            char extra;
            if (sscanf(optarg, "%d/%d%c", &o.shard_index, &o.shard_count, &extra) != 2 ||
                o.shard_count < 1 || o.shard_index < 0 || o.shard_index >= o.shard_count)
                rc = MB_ERROR(MB_EINVAL, "--shard '%s': expected I/N with 0 <= I < N (e.g. 0/4)",
                              optarg);
            break;
        }
        case 'h': sweep_help(); return 0;
        case ':': rc = MB_ERROR(MB_EINVAL, "%s: missing value", argv[optind - 1]); break;
        default: rc = MB_ERROR(MB_EINVAL, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (rc == MB_OK && optind != argc - 1)
        rc = MB_ERROR(MB_EINVAL, optind >= argc ? "a CONFIG file is required"
                                                : "one CONFIG file expected, more given");
    if (rc == MB_OK)
        rc = mb_output_path_check("--out", o.out_dir, 1);
    if (rc != MB_OK)
        return cli_fail("sweep", rc);
    mb_sweep_config *cfg;
    if ((rc = mb_sweep_config_load(argv[optind], &cfg)) != MB_OK)
        return cli_fail("sweep", rc);
    if (dry) {
        rc = mb_sweep_config_check(cfg);
        if (rc == MB_OK)
            printf("%s: %zu points in %zu problem sections\n", cfg->path,
                   mb_sweep_point_count(cfg), cfg->n_problems);
        mb_sweep_config_free(cfg);
        return rc == MB_OK ? 0 : cli_fail("sweep", rc);
    }
    mb_sweep_result res;
    rc = mb_sweep_run(cfg, &o, &res);
    mb_sweep_config_free(cfg);
    if (rc != MB_OK)
        return cli_fail("sweep", rc);
    printf("%s: %zu rows (%zu computed, %zu kept from an earlier run)\n", res.csv, res.points,
           res.computed, res.resumed);
    return 0;
}

int cmd_merge(int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int c, rc = MB_OK;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1 && rc == MB_OK) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'h':
            printf("usage: membptt merge --out FILE.csv SHARD.csv...\n\n"
                   "Joins the shard CSVs of one sweep (membptt sweep --shard I/N, each with its\n"
                   "sidecar NAME.shard-I-of-N.json) into the file a single process would have\n"
                   "written, byte for byte. All N shards must be complete and of the same config.\n");
            return 0;
        case ':': rc = MB_ERROR(MB_EINVAL, "%s: missing value", argv[optind - 1]); break;
        default: rc = MB_ERROR(MB_EINVAL, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (rc == MB_OK && out == NULL)
        rc = MB_ERROR(MB_EINVAL, "--out FILE is required");
    if (rc == MB_OK)
        rc = mb_output_path_check("--out", out, 0);
    if (rc == MB_OK && optind >= argc)
        rc = MB_ERROR(MB_EINVAL, "no shard files given");
    if (rc == MB_OK)
        rc = mb_sweep_merge(out, (const char *const *)(argv + optind), (size_t)(argc - optind));
    if (rc != MB_OK)
        return cli_fail("merge", rc);
    printf("%s: merged\n", out);
    return 0;
}
