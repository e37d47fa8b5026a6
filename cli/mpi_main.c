/* mpi_main.c: `membptt-mpi sweep CONFIG [--out DIR] [--quiet]`, the sweep shared across MPI
 * ranks: point i is computed by rank i mod size, and rank 0 receives the rows in point order
 * and writes the same CSV a single process writes (resume included). Built only when CMake
 * finds MPI (MB_HAVE_MPI); run it under mpirun. */
#include <mpi.h>

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/fileio.h"
#include "sweep/sweep.h"

enum { TAG_ROW = 1 };

static int send_row(void *ctx, const char *row, size_t len, double solve_seconds)
{
    (void)ctx;
    char *buf = malloc(len + sizeof(double));
    if (buf == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    memcpy(buf, &solve_seconds, sizeof(double));
    memcpy(buf + sizeof(double), row, len);
    int rc = MPI_Send(buf, (int)(len + sizeof(double)), MPI_BYTE, 0, TAG_ROW, MPI_COMM_WORLD);
    free(buf);
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

int main(int argc, char **argv)
{
    MPI_Init(&argc, &argv);
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    mb_sweep_options o = {.out_dir = "results", .progress = stderr};
    int c, rc = MB_OK;
    if (argc < 2 || strcmp(argv[1], "sweep") != 0) {
        if (rank == 0)
            fprintf(stderr, "usage: mpirun -n N membptt-mpi sweep CONFIG [--out DIR] [--quiet]\n");
        MPI_Finalize();
        return 2;
    }
    opterr = 0;
    optind = 2;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1 && rc == MB_OK) {
        switch (c) {
        case 'o': o.out_dir = optarg; break;
        case 'q': o.progress = NULL; break;
        case 'h':
            if (rank == 0)
                printf("usage: mpirun -n N membptt-mpi sweep CONFIG [--out DIR] [--quiet]\n\n"
                       "membptt sweep shared across MPI ranks: rank r computes points r, r+N, ...\n"
                       "and rank 0 writes the CSV a single process would (same bytes, resumable).\n");
            MPI_Finalize();
            return 0;
        default: rc = MB_ERROR(MB_EINVAL, "unknown option or missing value '%s'", argv[optind - 1]);
        }
    }
    if (rc == MB_OK && optind != argc - 1)
        rc = MB_ERROR(MB_EINVAL, "one CONFIG file expected");
    if (rc == MB_OK)
        rc = mb_output_path_check("--out", o.out_dir, 1);
    mb_sweep_config *cfg = NULL;
    if (rc == MB_OK)
        rc = mb_sweep_config_load(argv[optind], &cfg);
    mb_sweep_comm comm = {rank, size, NULL, send_row, recv_row, bcast_size};
    o.comm = &comm;
    mb_sweep_result res;
    if (rc == MB_OK)
        rc = mb_sweep_run(cfg, &o, &res);
    mb_sweep_config_free(cfg);
    if (rc != MB_OK) {
        /* every rank parses the same config, so a config error is seen by all; anything else
         * leaves the others waiting: abort them all */
        fprintf(stderr, "membptt-mpi sweep (rank %d of %d): error: %s\n", rank, size, mb_errmsg());
        MPI_Abort(MPI_COMM_WORLD, mb_exit_status(rc));
        return mb_exit_status(rc);
    }
    if (rank == 0)
        printf("%s: %zu rows (%zu computed over %d ranks, %zu kept from an earlier run)\n",
               res.csv, res.points, res.computed, size, res.resumed);
    MPI_Finalize();
    return 0;
}
