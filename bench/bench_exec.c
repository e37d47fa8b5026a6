/* bench_exec.c: the executor's benchmarks, each against a baseline measured in the same run:
 *   overhead  full BPTT's plan through the executor vs a straight-line hand-written BPTT loop
 *             of the same cell (same kernels, one array of s_k, no plan, no arena); goal <= 1.03
 *   share     the fraction of the LSTM forward step spent in sgemm: bare sgemm calls of the
 *             step's shapes vs the whole step; goal >= 70% for H >= 256
 *   headline  the paper's headline problem on real hardware (LSTM I = H = 256, B = 32,
 *             T = 1000, msm at 5% of full BPTT's store): store memory saved, time ratio,
 *             predicted ratio, per-op costs
 * Medians over --repeat runs, interleaved. Prints the command to rerun it. */
#include <cblas.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "exec/exec.h"
#include "measure/measure.h"
#include "solvers/solvers.h"

#ifdef I
#undef I /* <complex.h>'s, from OpenBLAS's cblas.h */
#endif


/* Process CPU time (mb_clock_cpu): with one BLAS thread it counts the work and not the time
 * other processes hold the core, so ratios stay meaningful on a loaded machine. */


static void die(const char *what)
{
    fprintf(stderr, "bench_exec: %s: %s\n", what, mb_errmsg());
    exit(1);
}

typedef struct {
    int64_t I, H, B, T;
    int repeat;
    mb_cell_kind cell;
} args;

/* The executor configuration of the command line's sizes, for cell `cell`. */
static mb_exec_config config_of(const args *a, mb_cell_kind cell)
{
    mb_exec_config c = mb_exec_config_default();
    c.cell = cell;
    c.input = a->I;
    c.hidden = a->H;
    c.batch = a->B;
    c.steps = a->T;
    return c;
}

static void bench_overhead(const args *a)
{
    mb_exec_config c = config_of(a, a->cell);
    mb_net *net;
    if (mb_net_create(&c, &net) != MB_OK)
        die("network");
    mb_problem p;
    mb_plan *full;
    if (mb_exec_problem(&c, &p) != MB_OK || mb_plan_full(&p, &full) != MB_OK)
        die("full plan");
    const int R = a->repeat;
    double *te = malloc((size_t)R * sizeof *te), *ts = malloc((size_t)R * sizeof *ts);
    double *ce = malloc((size_t)R * sizeof *ce), *cs = malloc((size_t)R * sizeof *cs);
    mb_exec_stats st;
    if (mb_net_run(net, full, NULL, &st) != MB_OK || mb_net_run_straight(net, &st) != MB_OK)
        die("warm-up");
    for (int r = 0; r < R; r++) {
        /* Alternate the order so neither always runs second. */
        for (int k = 0; k < 2; k++) {
            int exec = (r + k) % 2 == 0;
            double t0 = mb_clock_wall(), c0 = mb_clock_cpu();
            int rc = exec ? mb_net_run(net, full, NULL, &st) : mb_net_run_straight(net, &st);
            double t = mb_clock_wall() - t0, cpu = mb_clock_cpu() - c0;
            if (rc != MB_OK)
                die("run");
            (exec ? te : ts)[r] = t;
            (exec ? ce : cs)[r] = cpu;
        }
    }
    double me = mb_median(te, (size_t)R), ms = mb_median(ts, (size_t)R), mce = mb_median(ce, (size_t)R), mcs = mb_median(cs, (size_t)R);
    printf("overhead  %s I=%lld H=%lld B=%lld T=%lld: executor (full plan) %.4f s, straight "
           "loop %.4f s, ratio %.4f; CPU %.4f s vs %.4f s, ratio %.4f (goal <= 1.03)\n",
           mb_cell_name(a->cell), (long long)a->I, (long long)a->H, (long long)a->B,
           (long long)a->T, me, ms, me / ms, mce, mcs, mce / mcs);
    free(te);
    free(ts);
    free(ce);
    free(cs);
    mb_plan_free(full);
    mb_net_free(net);
}

/* The LSTM forward step against its two sgemm calls alone, on buffers of the same shapes. */
static void bench_share(const args *a)
{
    mb_exec_config c = config_of(a, MB_CELL_LSTM);
    mb_net *net;
    if (mb_net_create(&c, &net) != MB_OK)
        die("network");
    const int64_t G = 4 * a->H;
    float *x = calloc((size_t)(a->B * a->I), sizeof *x), *h = calloc((size_t)(a->B * a->H), 4);
    float *wx = calloc((size_t)(a->I * G), 4), *wh = calloc((size_t)(a->H * G), 4);
    float *out = calloc((size_t)(a->B * G), 4);
    float *wy = calloc((size_t)(a->H * a->I), 4), *gy = calloc((size_t)(a->H * a->I), 4);
    float *yb = calloc((size_t)(a->B * a->I), 4), *dh = calloc((size_t)(a->B * a->H), 4);
    for (int64_t i = 0; i < a->H * a->I; i++)
        wy[i] = (float)((i % 9) - 4) * 0.01f;
    for (int64_t i = 0; i < a->B * a->I; i++)
        x[i] = (float)((i % 7) - 3) * 0.1f;
    for (int64_t i = 0; i < a->B * a->H; i++)
        h[i] = (float)((i % 5) - 2) * 0.1f;
    for (int64_t i = 0; i < a->I * G; i++)
        wx[i] = (float)((i % 11) - 5) * 0.01f;
    for (int64_t i = 0; i < a->H * G; i++)
        wh[i] = (float)((i % 13) - 6) * 0.01f;
    const int R = a->repeat;
    double *tf = malloc((size_t)R * sizeof *tf), *tg = malloc((size_t)R * sizeof *tg);
    double *cf = malloc((size_t)R * sizeof *cf), *cg = malloc((size_t)R * sizeof *cg);
    double *ch = malloc((size_t)R * sizeof *ch), *cb = malloc((size_t)R * sizeof *cb);
    mb_exec_stats st;
    for (int r = -1; r < R; r++) {
        if (mb_net_run_straight(net, &st) != MB_OK)
            die("straight run");
        double t0 = mb_clock_wall(), c0 = mb_clock_cpu();
        for (int64_t k = 0; k < a->T; k++) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)a->B, (int)G, (int)a->I,
                        1.0f, x, (int)a->I, wx, (int)G, 0.0f, out, (int)G);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)a->B, (int)G, (int)a->H,
                        1.0f, h, (int)a->H, wh, (int)G, 1.0f, out, (int)G);
        }
        double tgemm = mb_clock_wall() - t0, cgemm = mb_clock_cpu() - c0;
        /* The head's three GEMMs (y = h W_y, dW_y += h^T dy, dh += dy W_y^T), O = I, as
         * backward k runs them once per step. */
        double c1 = mb_clock_cpu();
        for (int64_t k = 0; k < a->T; k++) {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)a->B, (int)a->I,
                        (int)a->H, 1.0f, h, (int)a->H, wy, (int)a->I, 0.0f, yb, (int)a->I);
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)a->H, (int)a->I,
                        (int)a->B, 1.0f, h, (int)a->H, yb, (int)a->I, 1.0f, gy, (int)a->I);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)a->B, (int)a->H,
                        (int)a->I, 1.0f, yb, (int)a->I, wy, (int)a->I, 1.0f, dh, (int)a->H);
        }
        double chead = mb_clock_cpu() - c1;
        if (r >= 0) {
            tf[r] = st.wall[MB_EXEC_FIRST] / (double)a->T;
            tg[r] = tgemm / (double)a->T;
            cf[r] = st.cpu[MB_EXEC_FIRST] / (double)a->T;
            cg[r] = cgemm / (double)a->T;
            ch[r] = chead / (double)a->T;
            cb[r] = st.cpu[MB_EXEC_BACKWARD] / (double)a->T;
        }
    }
    double mf = mb_median(tf, (size_t)R), mg = mb_median(tg, (size_t)R), mcf = mb_median(cf, (size_t)R), mcg = mb_median(cg, (size_t)R);
    printf("share     LSTM I=%lld H=%lld B=%lld: forward step %.1f us, its sgemm calls alone "
           "%.1f us: sgemm share %.1f%%; CPU %.1f us vs %.1f us: %.1f%% (goal >= 70%%)\n",
           (long long)a->I, (long long)a->H, (long long)a->B, 1e6 * mf, 1e6 * mg, 100 * mg / mf,
           1e6 * mcf, 1e6 * mcg, 100 * mcg / mcf);
    double mch = mb_median(ch, (size_t)R), mcb = mb_median(cb, (size_t)R);
    printf("head      its three GEMMs (O = I = %lld) %.1f us CPU per step, once per step inside "
           "backward: %.1f%% of a backward step (%.1f us CPU), %.1f%% of a forward step\n",
           (long long)a->I, 1e6 * mch, 100 * mch / mcb, 1e6 * mcb, 100 * mch / mcf);
    free(cf);
    free(cg);
    free(ch);
    free(cb);
    free(x);
    free(h);
    free(wx);
    free(wh);
    free(out);
    free(wy);
    free(gy);
    free(yb);
    free(dh);
    free(tf);
    free(tg);
    mb_net_free(net);
}

static void bench_headline(const args *a, const char *solver_name, const char *budget)
{
    mb_exec_config c = config_of(a, a->cell);
    c.repeat = a->repeat;
    mb_problem p;
    if (mb_exec_problem(&c, &p) != MB_OK)
        die("problem");
    int64_t full_units = p.budget;
    if (mb_parse_budget("--budget", budget, &p, &p.budget) != MB_OK)
        die("budget");
    const mb_solver_type *type = mb_solver_lookup(solver_name);
    mb_solution s;
    if (type == NULL || mb_solve(type, &p, NULL, &s) != MB_OK || !s.feasible)
        die("solve");
    mb_exec_result r;
    if (mb_exec_run(&c, s.plan, &r) != MB_OK)
        die("run");
    printf("headline  %s I=%lld H=%lld B=%lld T=%lld, %s at %s (%lld of %lld units): "
           "forward ops %lld (%.3f per step)\n"
           "          store peak %lld bytes vs full BPTT %lld: %.1f%% saved; VmHWM %.1f MiB vs "
           "%.1f MiB\n"
           "          time %.3f s vs full %.3f s: ratio %.3f (paper ~1.33, goal <= 1.30), "
           "predicted %.3f; CPU %.3f s vs %.3f s: ratio %.3f\n"
           "          per op: forward %.1f us, recompute %.1f us, backward %.1f us (head "
           "included); copies %.3f s\n"
           "          gradients bitwise equal to full BPTT: %s\n",
           mb_cell_name(a->cell), (long long)a->I, (long long)a->H, (long long)a->B,
           (long long)a->T, solver_name, budget, (long long)p.budget, (long long)full_units,
           (long long)r.forward_ops, (double)r.forward_ops / (double)a->T,
           (long long)r.peak_store_bytes, (long long)r.peak_store_full_bytes,
           100.0 * (1.0 - (double)r.peak_store_bytes / (double)r.peak_store_full_bytes),
           (double)r.vmhwm_bytes / 1048576.0, (double)r.vmhwm_full_bytes / 1048576.0, r.time_s,
           r.time_full_s, r.time_ratio, r.predicted_time_ratio, r.cpu_s, r.cpu_full_s, r.cpu_ratio,
           1e6 * r.cost_forward_s,
           1e6 * r.cost_recompute_s, 1e6 * r.cost_backward_s, r.wall[MB_EXEC_COPY],
           r.grad_bitwise_equal ? "yes" : "NO");
    mb_plan_free(s.plan);
}

int main(int argc, char **argv)
{
    args a = {256, 256, 32, 1000, 3, MB_CELL_LSTM};
    const char *what = "all", *solver = "msm", *budget = "5%";
    static const struct option opts[] = {
        {"what", required_argument, NULL, 'w'},  {"input", required_argument, NULL, 'i'},
        {"hidden", required_argument, NULL, 'H'}, {"batch", required_argument, NULL, 'b'},
        {"steps", required_argument, NULL, 't'},  {"repeat", required_argument, NULL, 'r'},
        {"cell", required_argument, NULL, 'c'},   {"solver", required_argument, NULL, 's'},
        {"budget", required_argument, NULL, 'm'}, {NULL, 0, NULL, 0}};
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int rc = MB_OK;
        switch (o) {
        case 'w': what = optarg; break;
        case 'i': rc = mb_parse_int("--input", optarg, 1, 1 << 16, &a.I); break;
        case 'H': rc = mb_parse_int("--hidden", optarg, 1, 1 << 16, &a.H); break;
        case 'b': rc = mb_parse_int("--batch", optarg, 1, 1 << 16, &a.B); break;
        case 't': rc = mb_parse_int("--steps", optarg, 1, 1 << 20, &a.T); break;
        case 'r': {
            int64_t r;
            rc = mb_parse_int("--repeat", optarg, 1, 1000, &r);
            a.repeat = (int)r;
            break;
        }
        case 'c': rc = mb_cell_parse("--cell", optarg, &a.cell); break;
        case 's': solver = optarg; break;
        case 'm': budget = optarg; break;
        default:
            fprintf(stderr, "usage: bench_exec [--what overhead|share|headline|all] [--cell C] "
                            "[--input I] [--hidden H] [--batch B] [--steps T] [--repeat N] "
                            "[--solver S] [--budget X]\n");
            return 2;
        }
        if (rc != MB_OK)
            die("option");
    }
    const char *env = getenv("OPENBLAS_CORETYPE");
    printf("# bench_exec: one OpenBLAS thread (%s), OPENBLAS_CORETYPE=%s; medians of %d\n",
           openblas_get_corename(), env ? env : "(unset)", a.repeat);
    int all = strcmp(what, "all") == 0;
    if (all || strcmp(what, "overhead") == 0)
        bench_overhead(&a);
    if (all || strcmp(what, "share") == 0)
        bench_share(&a);
    if (all || strcmp(what, "headline") == 0)
        bench_headline(&a, solver, budget);
    printf("# rerun: bench_exec --what %s --cell %s --input %lld --hidden %lld --batch %lld "
           "--steps %lld --repeat %d --solver %s --budget %s\n",
           what, mb_cell_name(a.cell), (long long)a.I, (long long)a.H, (long long)a.B,
           (long long)a.T, a.repeat, solver, budget);
    return 0;
}
