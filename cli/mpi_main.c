/* mpi_main.c: `membptt-mpi sweep CONFIG [options]`, the sweep shared across MPI ranks: point i
 * is computed by rank i mod size, and rank 0 receives the rows in point order and writes the
 * same CSV a single process writes (resume included). It takes `membptt sweep`'s options through
 * the same parser (cli/options.c, cli_sweep_parse) and exits as it does; --shard is refused (the
 * ranks are the shards) and --dry-run runs on rank 0 alone. Built only when CMake finds MPI;
 * run it under mpirun or srun (docs/cluster.md). */
#include <mpi.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/version.h"
#include "sweep/sweep.h"

enum { TAG_ROW = 1 };

static int send_row(void *ctx, const char *row, size_t len, double solve_seconds)
{
    (void)ctx;
    char *buf = mb_malloc(len + sizeof(double));
    if (buf == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    memcpy(buf, &solve_seconds, sizeof(double));
    memcpy(buf + sizeof(double), row, len);
    int rc = MPI_Send(buf, (int)(len + sizeof(double)), MPI_BYTE, 0, TAG_ROW, MPI_COMM_WORLD);
    mb_free(buf);
    return rc == MPI_SUCCESS ? MB_OK : MB_ERROR(MB_EIO, "MPI_Send failed (%d)", rc);
}

static int recv_row(void *ctx, int from, char **row, double *solve_seconds)
{
    (void)ctx;
    MPI_Status st;
    int n;
    if (MPI_Probe(from, TAG_ROW, MPI_COMM_WORLD, &st) != MPI_SUCCESS ||
        MPI_Get_count(&st, MPI_BYTE, &n) != MPI_SUCCESS || n < (int)sizeof(double))
        return MB_ERROR(MB_EIO, "MPI: no row from rank %d", from);
    char *buf = malloc((size_t)n + 1);
    if (buf == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    if (MPI_Recv(buf, n, MPI_BYTE, from, TAG_ROW, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
        MPI_SUCCESS) {
        free(buf);
        return MB_ERROR(MB_EIO, "MPI_Recv from rank %d failed", from);
    }
    memcpy(solve_seconds, buf, sizeof(double));
    size_t len = (size_t)n - sizeof(double);
    memmove(buf, buf + sizeof(double), len);
    buf[len] = '\0';
    *row = buf;
    return MB_OK;
}

static int bcast_size(void *ctx, size_t *value)
{
    (void)ctx;
    uint64_t v = *value;
    if (MPI_Bcast(&v, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
        return MB_ERROR(MB_EIO, "MPI_Bcast failed");
    *value = (size_t)v;
    return MB_OK;
}

#define PROG "membptt-mpi"

static void help(void)
{
    printf("usage: mpirun -n N " PROG " sweep CONFIG [options]\n"
           "       " PROG " sweep --help | --help | --version\n\n"
           "membptt sweep shared across MPI ranks: rank r computes points r, r+N, r+2N, ...\n"
           "and rank 0 writes the CSV a single process would (the same bytes; resumable). The\n"
           "options are membptt sweep's ('" PROG " sweep --help'), but --shard (the ranks are\n"
           "the shards; for a job array use membptt sweep --shard). Exit status: 0 ok, 1 runtime\n"
           "failure, 2 invalid option or config. A rank that fails after the sweep started ends\n"
           "every rank (MPI_Abort with that status). Recipes: docs/cluster.md.\n");
}

/* Every rank's status, agreed: the largest (0 when all succeeded). */
static int agree(int status)
{
    int all = status;
    if (MPI_Allreduce(&status, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD) != MPI_SUCCESS)
        return status ? status : 1;
    return all;
}

/* Everything before the sweep starts: every rank parses the same options and config, and the
 * ranks agree on the outcome, so a bad option or config ends each rank cleanly with the same
 * status (no MPI_Abort). Returns -1 to go on with *cfg loaded, or the exit status. */
static int prepare(int rank, int size, int argc, char **argv, cli_sweep_args *a,
                   mb_sweep_config **cfg)
{
    *cfg = NULL;
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        if (rank == 0)
            help();
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        if (rank == 0)
            printf(PROG " %s\n", MB_VERSION);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "sweep") != 0) {
        if (rank == 0)
            fprintf(stderr, PROG ": error: %s; the command is sweep\nRun '" PROG
                            " --help' for more.\n",
                    argc < 2 ? "no command given" : "unknown command");
        return 2;
    }
    int wants_help, rc = cli_sweep_parse(argc - 1, argv + 1, &wants_help, a);
    if (wants_help) {
        if (rank == 0) {
            cli_sweep_help("mpirun -n N " PROG);
            printf("\nUnder MPI, --shard is refused: the %d ranks share the points.\n", size);
        }
        return 0;
    }
    if (rc == MB_OK && a->o.shard_count > 1)
        rc = MB_ERROR(MB_EINVAL, "--shard: " PROG " shares the points across its ranks; for a "
                      "job array of shards use membptt sweep --shard I/N");
    if (rc == MB_OK)
        rc = mb_sweep_config_load(a->config, cfg);
    int status = rc == MB_OK ? 0 : mb_exit_status(rc), status0 = status;
    MPI_Bcast(&status0, 1, MPI_INT, 0, MPI_COMM_WORLD);
    if (status != 0 && rank == 0)
        cli_fail_prog(PROG, "sweep", rc);
    else if (status != 0 && status0 == 0) /* e.g. a file only this rank cannot read */
        fprintf(stderr, PROG " sweep (rank %d of %d): error: %s\n", rank, size, mb_errmsg());
    status = agree(status);
    if (status != 0 || !a->dry_run)
        return status != 0 ? status : -1;
    if (rank == 0) { /* --dry-run: one report, from rank 0 */
        rc = cli_sweep_dry_run(*cfg, a);
        status = rc == MB_OK ? 0 : cli_fail_prog(PROG, "sweep", rc);
    }
    MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return status;
}

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    cli_sweep_args a;
    mb_sweep_config *cfg;
    int status = prepare(rank, size, argc, argv, &a, &cfg);
    if (status >= 0) {
        mb_sweep_config_free(cfg);
        MPI_Finalize();
        return status;
    }
    mb_sweep_comm comm = {rank, size, NULL, send_row, recv_row, bcast_size};
    a.o.comm = &comm;
    mb_sweep_result res;
    int rc = mb_sweep_run(cfg, &a.o, &res);
    mb_sweep_config_free(cfg);
    if (rc != MB_OK) {
        /* the other ranks may be waiting for this one's rows: end them all with this status */
        fprintf(stderr, PROG " sweep (rank %d of %d): error: %s\n", rank, size, mb_errmsg());
        MPI_Abort(MPI_COMM_WORLD, mb_exit_status(rc));
        return mb_exit_status(rc);
    }
    if (rank == 0)
        printf("%s: %zu rows (%zu computed over %d ranks, %zu kept from an earlier run)\n",
               res.csv, res.points, res.computed, size, res.resumed);
    MPI_Finalize();
    return 0;
}
