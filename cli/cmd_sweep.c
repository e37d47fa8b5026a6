/* cmd_sweep.c: `membptt sweep` (run a config's cartesian product into CSV, resumable,
 * shardable) and `membptt merge` (join shard CSVs into the single-process file). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/problem.h"
#include "sweep/sweep.h"

static void sweep_help(void)
{
    printf("usage: membptt sweep CONFIG [--out DIR] [--shard I/N] [--sync WHEN] [--repair]\n"
           "                     [--skip-failed] [--accept-other-build] [--quiet] [--dry-run]\n\n"
           "Runs every point of the config's [problem] sections (the cartesian product of\n"
           "solvers, sizes, steps and budgets) through the solver and the simulator and appends\n"
           "one CSV row per point to DIR/NAME.csv (NAME from [output] name, else the config's\n"
           "file name), with the metadata sidecar DIR/NAME.json and the solver times in\n"
           "DIR/NAME.timing.csv. Each row is written and flushed when it is complete; rerunning\n"
           "the same command after an interruption checks every finished row against its point,\n"
           "keeps them and computes the rest, and the file ends byte-identical to an\n"
           "uninterrupted run's.\n\n"
           "options:\n"
           "  --out DIR      output folder (default results)\n"
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
           "or existing output.\n", MB_SWEEP_SYNC_SECONDS);
}

/* Parses --shard I/N: two decimal integers, nothing else, 0 <= I < N <= 1000000. */
static int parse_shard(const char *text, mb_sweep_options *o)
{
    char a[32], b[32];
    const char *slash = strchr(text, '/');
    int64_t i, n;
    if (slash == NULL || slash - text >= (long)sizeof a || strlen(slash + 1) >= sizeof b)
        goto bad;
    snprintf(a, sizeof a, "%.*s", (int)(slash - text), text);
    snprintf(b, sizeof b, "%s", slash + 1);
    if (mb_parse_int("--shard", a, 0, 999999, &i) != MB_OK ||
        mb_parse_int("--shard", b, 1, 1000000, &n) != MB_OK || i >= n)
        goto bad;
    o->shard_index = (int)i;
    o->shard_count = (int)n;
    return MB_OK;
bad:
    return MB_ERROR(MB_EINVAL, "--shard '%s': expected I/N, two integers with 0 <= I < N <= "
                    "1000000 (e.g. 0/4)", text);
}

int cmd_sweep(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},  {"shard", required_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},      {"dry-run", no_argument, NULL, 'n'},
        {"sync", required_argument, NULL, 'y'}, {"repair", no_argument, NULL, 'r'},
        {"accept-other-build", no_argument, NULL, 'a'}, {"skip-failed", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    mb_sweep_options o = {.out_dir = "results", .progress = stderr};
    int dry = 0, c, rc = MB_OK;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1 && rc == MB_OK) {
        switch (c) {
        case 'o': o.out_dir = optarg; break;
        case 'q': o.progress = NULL; break;
        case 'n': dry = 1; break;
        case 'r': o.repair = 1; break;
        case 'a': o.accept_other_build = 1; break;
        case 'f': o.skip_failed = 1; break;
        case 'y': rc = mb_sweep_sync_parse("--sync", optarg, &o); break;
        case 's': rc = parse_shard(optarg, &o); break;
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
        mb_sweep_preflight_report plan;
        rc = mb_sweep_preflight(cfg, o.shard_index, o.shard_count, &plan, NULL);
        if (rc == MB_OK)
            mb_sweep_preflight_print(stdout, cfg, &plan);
        mb_sweep_preflight_free(&plan);
        mb_sweep_config_free(cfg);
        return rc == MB_OK ? 0 : cli_fail("sweep", rc);
    }
    mb_sweep_result res;
    rc = mb_sweep_run(cfg, &o, &res);
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
                   "written, byte for byte, with its sidecar FILE.json and timing file\n"
                   "FILE.timing.csv, so that a later sweep into the same folder resumes from it.\n"
                   "Every row is checked first: all N shards complete and of one sweep (same\n"
                   "fingerprint and shard count, each index once), each with the rows its sidecar\n"
                   "counts, each row the point the config assigns to its shard and position.\n"
                   "Anything else is exit 2 naming the shard and line, and nothing is written.\n"
                   "--out - writes the CSV to standard output (no sidecar or timing file); an\n"
                   "output that is one of the inputs is refused.\n");
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
    if (strcmp(out, "-") != 0)
        printf("%s: merged\n", out);
    return 0;
}
