/* cmd_store.c: `membptt calibrate-store`: measures the slow store of a directory (latency and
 * bandwidth of writes and reads through the executor's own slow-store code, for a cell's state
 * sizes) and the cell's forward and backward step, and writes the store-costs file that
 * solve, simulate and run take with --store-costs (docs/design.md, "The slow store"). */
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "core/alloc.h"
#include "core/error.h"
#include "exec/exec.h"
#include "exec/slowstore.h"
#include "measure/measure.h"

static void help(void)
{
    printf("usage: membptt calibrate-store --slow-dir DIR --out FILE [--slow-direct]\n"
           "                               [--cell C --input I --hidden H --batch B] [--steps T]\n"
           "                               [--repeat N] [--format text|json|csv]\n\n"
           "Writes and reads checkpoints of the cell's hidden and internal state sizes (and 4x\n"
           "the internal size) N times each in a file in DIR, as `run --slow-dir` does (pwrite,\n"
           "fdatasync and dropping the pages, or O_DIRECT with --slow-direct), and fits\n"
           "latency + bytes/bandwidth to the medians by least squares; times the cell's forward\n"
           "and backward step in a full-BPTT run of T steps. Writes them to FILE for\n"
           "--store-costs (seconds; the slow store per byte). The file in DIR is removed.\n\n"
           "defaults: --cell lstm --input 256 --hidden 256 --batch 32 --steps 50 --repeat 20\n\n"
           "exit status: 0 ok, 1 runtime or I/O failure, 2 invalid input (a missing or\n"
           "unwritable directory)\n");
}

/* Least squares of y = a + b*x over n points. */
static void fit_line(const double *x, const double *y, int n, double *a, double *b)
{
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (int i = 0; i < n; i++) {
        sx += x[i];
        sy += y[i];
        sxx += x[i] * x[i];
        sxy += x[i] * y[i];
    }
    double d = n * sxx - sx * sx;
    *b = d != 0 ? (n * sxy - sx * sy) / d : 0;
    *a = (sy - *b * sx) / n;
}

enum { NSIZES = 3 };

/* Times `repeat` writes and reads of each size; medians into w[], r[]. */
static int time_store(const char *dir, mb_slow_mode mode, const int64_t *bytes, int repeat,
                      double *w, double *r)
{
    mb_slow_store s;
    unsigned char *buf = mb_malloc((size_t)bytes[NSIZES - 1]);
    double *tw = mb_malloc((size_t)repeat * sizeof *tw), *tr = mb_malloc((size_t)repeat * sizeof *tr);
    int rc = buf && tw && tr ? MB_OK : MB_ERROR(MB_ENOMEM, "out of memory for calibrate-store");
    if (rc == MB_OK)
        rc = mb_slow_open(&s, dir, mode, INT64_MAX, (int64_t)repeat, bytes[NSIZES - 1]);
    else
        memset(&s, 0, sizeof s), s.fd = -1;
    for (int64_t i = 0; rc == MB_OK && i < bytes[NSIZES - 1]; i++)
        buf[i] = (unsigned char)(i * 131 + 7);
    for (int z = 0; rc == MB_OK && z < NSIZES; z++) {
        for (int k = 0; rc == MB_OK && k < repeat; k++) {
            double w0 = s.n.write_s, r0 = s.n.read_s;
            rc = mb_slow_write(&s, k, buf, bytes[z]);
            if (rc == MB_OK)
                rc = mb_slow_read(&s, k, buf);
            tw[k] = s.n.write_s - w0;
            tr[k] = s.n.read_s - r0;
        }
        for (int k = 0; rc == MB_OK && k < repeat; k++)
            rc = mb_slow_free(&s, k);
        if (rc == MB_OK) {
            w[z] = mb_median(tw, (size_t)repeat);
            r[z] = mb_median(tr, (size_t)repeat);
        }
    }
    int crc = mb_slow_close(&s);
    mb_free(buf);
    mb_free(tw);
    mb_free(tr);
    return rc != MB_OK ? rc : crc;
}

/* Times the cell's forward and backward step: medians over `repeat` full-BPTT runs. */
static int time_cell(const mb_exec_config *c, int repeat, double *fwd, double *bwd)
{
    mb_problem p;
    int rc = mb_exec_problem(c, &p);
    mb_plan *full = NULL;
    mb_net *net = NULL;
    double *tf = mb_malloc((size_t)repeat * sizeof *tf), *tb = mb_malloc((size_t)repeat * sizeof *tb);
    if (rc == MB_OK && (tf == NULL || tb == NULL))
        rc = MB_ERROR(MB_ENOMEM, "out of memory for calibrate-store");
    if (rc == MB_OK)
        rc = mb_plan_full(&p, &full);
    if (rc == MB_OK)
        rc = mb_net_create(c, &net);
    mb_exec_stats st;
    if (rc == MB_OK)
        rc = mb_net_run(net, full, NULL, &st); /* warm-up */
    for (int k = 0; rc == MB_OK && k < repeat; k++) {
        rc = mb_net_run(net, full, NULL, &st);
        tf[k] = st.wall[MB_EXEC_FIRST] / (double)st.forward_ops;
        tb[k] = st.wall[MB_EXEC_BACKWARD] / (double)st.backward_ops;
    }
    if (rc == MB_OK) {
        *fwd = mb_median(tf, (size_t)repeat);
        *bwd = mb_median(tb, (size_t)repeat);
    }
    mb_net_free(net);
    mb_plan_free(full);
    mb_free(tf);
    mb_free(tb);
    return rc;
}

int cmd_calibrate_store(int argc, char **argv)
{
    cli_values v;
    int rc = cli_parse(CLI_STORE, "calibrate-store", argc, argv, &v);
    if (rc == MB_OK && v.help) {
        help();
        return 0;
    }
    mb_exec_config c = v.exec; /* this command's defaults where not given */
    c.input = cli_given(&v, "input") ? c.input : 256;
    c.hidden = cli_given(&v, "hidden") ? c.hidden : 256;
    c.batch = cli_given(&v, "batch") ? c.batch : 32;
    c.steps = cli_given(&v, "steps") ? c.steps : 50;
    const int64_t repeat = cli_given(&v, "repeat") ? c.repeat : 20;
    const char *dir = c.slow_dir, *out = v.out;
    const mb_format format = v.format;
    const mb_slow_mode mode = c.slow_direct ? MB_SLOW_DIRECT : MB_SLOW_BUFFERED;
    if (rc == MB_OK)
        rc = cli_no_args(&v);
    if (rc == MB_OK && dir == NULL)
        rc = MB_ERROR(MB_EINVAL, "--slow-dir is required: the directory to measure");
    if (rc == MB_OK && out == NULL)
        rc = MB_ERROR(MB_EINVAL, "--out is required: the store-costs file to write");
    if (rc == MB_OK)
        rc = mb_exec_config_check(&c);
    int64_t hb = 0, ib = 0;
    if (rc == MB_OK)
        rc = mb_exec_state_bytes(&c, &hb, &ib);
    if (rc != MB_OK)
        return cli_fail("calibrate-store", rc);
    const int64_t bytes[NSIZES] = {hb, ib, 4 * ib};
    signal(SIGXFSZ, SIG_IGN); /* EFBIG past a file-size limit, not a kill */
    double w[NSIZES], r[NSIZES], x[NSIZES];
    if ((rc = time_store(dir, mode, bytes, (int)repeat, w, r)) != MB_OK)
        return cli_fail("calibrate-store", rc);
    mb_cost_model m = mb_cost_model_default();
    if ((rc = time_cell(&c, 5, &m.forward, &m.backward)) != MB_OK)
        return cli_fail("calibrate-store", rc);
    for (int z = 0; z < NSIZES; z++)
        x[z] = (double)bytes[z];
    fit_line(x, w, NSIZES, &m.write_latency, &m.write);
    fit_line(x, r, NSIZES, &m.read_latency, &m.read);
    /* a noisy fit can give a negative intercept or slope: the model takes none */
    m.write_latency = fmax(m.write_latency, 0.0);
    m.read_latency = fmax(m.read_latency, 0.0);
    m.write = fmax(m.write, 0.0);
    m.read = fmax(m.read, 0.0);
    if ((rc = mb_cost_model_save(out, &m)) != MB_OK)
        return cli_fail("calibrate-store", rc);
    mb_record rec;
    memset(&rec, 0, sizeof rec);
    mb_record_string(&rec, "slow_dir", dir);
    mb_record_string(&rec, "slow_mode", mode == MB_SLOW_DIRECT ? "direct" : "buffered+fdatasync");
    mb_record_string(&rec, "cell", mb_cell_name(c.cell));
    mb_record_int(&rec, "hidden_bytes", hb);
    mb_record_int(&rec, "internal_bytes", ib);
    mb_record_int(&rec, "repeat", repeat);
    mb_record_double(&rec, "write_hidden_s", w[0]);
    mb_record_double(&rec, "write_internal_s", w[1]);
    mb_record_double(&rec, "write_4internal_s", w[2]);
    mb_record_double(&rec, "read_hidden_s", r[0]);
    mb_record_double(&rec, "read_internal_s", r[1]);
    mb_record_double(&rec, "read_4internal_s", r[2]);
    mb_record_double(&rec, "write_latency_s", m.write_latency);
    mb_record_double(&rec, "write_mb_per_s", m.write > 0 ? 1e-6 / m.write : INFINITY);
    mb_record_double(&rec, "read_latency_s", m.read_latency);
    mb_record_double(&rec, "read_mb_per_s", m.read > 0 ? 1e-6 / m.read : INFINITY);
    mb_record_double(&rec, "forward_s", m.forward);
    mb_record_double(&rec, "backward_s", m.backward);
    mb_record_string(&rec, "out", out);
    if ((rc = mb_record_print(stdout, &rec, format, 1)) != MB_OK)
        return cli_fail("calibrate-store", rc);
    return 0;
}
