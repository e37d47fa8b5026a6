/* bench_exec.c: the executor's benchmarks, each against a baseline measured in the same run,
 * interleaved; every figure is min / median / max over --repeat runs, and every run's thread
 * CPU time is compared with its wall time (a run below 90% of its core is marked contended):
 *   overhead  full BPTT's plan through the executor vs a straight-line hand-written BPTT loop
 *             of the same cell (same kernels, one array of s_k, no plan, no arena); goal <= 1.03
 *   share     full BPTT's step (the executor's run / t) vs the bare sgemm calls of the same
 *             step (same shapes, projections in the same aligned blocks, same thread count),
 *             LSTM; goal <= 1.10
 *   headline  the paper's headline problem on real hardware (LSTM I = H = 256, B = 32,
 *             T = 1000, msm at 5% of full BPTT's store): store memory saved, time ratio with
 *             its spread and interval, predicted ratio, per-op costs
 *   timing    what the runner's clocks cost: a plan run with its per-phase clock reads vs the
 *             same run without them, at the sizes given (make run's quick LSTM: I = 32,
 *             H = 64, B = 4, T = 1000); goal < 1%
 * Times come from inside the runs (the stores are allocated and touched before). Prints the
 * command to rerun it. */
#include <cblas.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "exec/exec.h"
#include "measure/measure.h"
#include "solvers/solvers.h"

#ifdef I
#undef I /* <complex.h>'s, from OpenBLAS's cblas.h */
#endif

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

/* A run's share of its core; below MB_EXEC_CONTENDED it was contended. */
static double share_of(double cpu, double wall) { return wall > 0 ? cpu / wall : 1.0; }

/* Prints "min/median/max" of n values (sorted in place). */
static mb_spread spread(double *v, int n) { return mb_spread_of(v, (size_t)n); }

static void print_contention(const char *what, double worst)
{
    printf("          %s: thread CPU / wall at worst %.3f%s\n", what, worst,
           worst < MB_EXEC_CONTENDED ? " CONTENDED (rerun on a quieter machine)" : "");
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
    double *te = mb_malloc((size_t)R * sizeof *te), *ts = mb_malloc((size_t)R * sizeof *ts);
    double *ratio = mb_malloc((size_t)R * sizeof *ratio), worst = INFINITY;
    mb_exec_stats st;
    if (mb_net_run(net, full, NULL, &st) != MB_OK || mb_net_run_straight(net, &st) != MB_OK)
        die("warm-up");
    for (int r = 0; r < R; r++) {
        /* Alternate the order so neither always runs second. */
        for (int k = 0; k < 2; k++) {
            int exec = (r + k) % 2 == 0;
            int rc = exec ? mb_net_run(net, full, NULL, &st) : mb_net_run_straight(net, &st);
            if (rc != MB_OK)
                die("run");
            (exec ? te : ts)[r] = st.wall_total;
            double sh = share_of(st.cpu_total, st.wall_total);
            worst = sh < worst ? sh : worst;
        }
        ratio[r] = te[r] / ts[r];
    }
    mb_spread e = spread(te, R), s = spread(ts, R), q = spread(ratio, R);
    printf("overhead  %s I=%lld H=%lld B=%lld T=%lld: executor (full plan) %.4f/%.4f/%.4f s, "
           "straight loop %.4f/%.4f/%.4f s, ratio %.4f/%.4f/%.4f (min/median/max; goal "
           "<= 1.03)\n",
           mb_cell_name(a->cell), (long long)a->I, (long long)a->H, (long long)a->B,
           (long long)a->T, e.min, e.median, e.max, s.min, s.median, s.max, q.min, q.median,
           q.max);
    print_contention("overhead", worst);
    mb_free(te);
    mb_free(ts);
    mb_free(ratio);
    mb_plan_free(full);
    mb_net_free(net);
}

static void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k,
                 const float *A, int64_t lda, const float *B, int64_t ldb, float beta, float *C,
                 int64_t ldc)
{
    cblas_sgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, 1.0f, A, (int)lda, B, (int)ldb,
                beta, C, (int)ldc);
}

/* Full BPTT's LSTM step against the bare sgemm calls of the same step, in the cell's order and
 * shapes (exec/cell_impl.h): per block of `chunk` steps one projection GEMM of chunk*B rows;
 * per step the recurrent GEMM, and in backward the head's three GEMMs and the three gradient
 * GEMMs (dW_x, dW_h, dh). */
static void bench_share(const args *a)
{
    mb_exec_config c = config_of(a, MB_CELL_LSTM);
    mb_net *net;
    mb_problem p;
    mb_plan *full;
    if (mb_net_create(&c, &net) != MB_OK || mb_exec_problem(&c, &p) != MB_OK ||
        mb_plan_full(&p, &full) != MB_OK)
        die("network");
    const int64_t I = a->I, H = a->H, B = a->B, T = a->T, G = 4 * H, O = a->I;
    const int64_t chunk = (128 + B - 1) / B < T ? (128 + B - 1) / B : T;
    float *x = mb_calloc((size_t)(chunk * B * I), 4), *proj = mb_calloc((size_t)(chunk * B * G), 4);
    float *wx = mb_calloc((size_t)(I * G), 4), *wh = mb_calloc((size_t)(H * G), 4);
    float *h = mb_calloc((size_t)(B * H), 4), *gates = mb_calloc((size_t)(B * G), 4);
    float *wy = mb_calloc((size_t)(H * O), 4), *gwy = mb_calloc((size_t)(H * O), 4);
    float *yv = mb_calloc((size_t)(B * O), 4), *dh = mb_calloc((size_t)(B * H), 4);
    float *gwx = mb_calloc((size_t)(I * G), 4), *gwh = mb_calloc((size_t)(H * G), 4);
    float *dout = mb_calloc((size_t)(B * H), 4);
    for (int64_t i = 0; i < I * G; i++)
        wx[i] = (float)((i % 11) - 5) * 0.01f;
    for (int64_t i = 0; i < H * G; i++)
        wh[i] = (float)((i % 13) - 6) * 0.01f;
    for (int64_t i = 0; i < H * O; i++)
        wy[i] = (float)((i % 9) - 4) * 0.01f;
    for (int64_t i = 0; i < chunk * B * I; i++)
        x[i] = (float)((i % 7) - 3) * 0.1f;
    for (int64_t i = 0; i < B * H; i++)
        h[i] = (float)((i % 5) - 2) * 0.1f;
    const int R = a->repeat;
    double *tf = mb_malloc((size_t)R * sizeof *tf), *tg = mb_malloc((size_t)R * sizeof *tg);
    double *ratio = mb_malloc((size_t)R * sizeof *ratio), worst = INFINITY;
    mb_exec_stats st;
    for (int r = -1; r < R; r++) {
        if (mb_net_run(net, full, NULL, &st) != MB_OK)
            die("full BPTT run");
        double sh = share_of(st.cpu_total, st.wall_total);
        double c0 = mb_clock_thread_cpu(), t0 = mb_clock_wall();
        for (int64_t k = 0; k < T; k++) { /* forward */
            if (k % chunk == 0)
                gemm(CblasNoTrans, CblasNoTrans, chunk * B, G, I, x, I, wx, G, 0, proj, G);
            gemm(CblasNoTrans, CblasNoTrans, B, G, H, h, H, wh, G, 0, gates, G);
        }
        for (int64_t k = 0; k < T; k++) { /* backward, the head included */
            gemm(CblasNoTrans, CblasNoTrans, B, O, H, h, H, wy, O, 0, yv, O);
            gemm(CblasTrans, CblasNoTrans, H, O, B, h, H, yv, O, 1, gwy, O);
            gemm(CblasNoTrans, CblasTrans, B, H, O, yv, O, wy, O, 1, dh, H);
            gemm(CblasTrans, CblasNoTrans, I, G, B, x, I, gates, G, 1, gwx, G);
            gemm(CblasTrans, CblasNoTrans, H, G, B, h, H, gates, G, 1, gwh, G);
            gemm(CblasNoTrans, CblasTrans, B, H, G, gates, G, wh, G, 0, dout, H);
        }
        double tgemm = mb_clock_wall() - t0, cgemm = mb_clock_thread_cpu() - c0;
        double sg = share_of(cgemm, tgemm);
        if (r >= 0) {
            tf[r] = st.wall_total / (double)T;
            tg[r] = tgemm / (double)T;
            ratio[r] = tf[r] / tg[r];
            worst = sh < worst ? sh : worst;
            worst = sg < worst ? sg : worst;
        }
    }
    mb_spread f = spread(tf, R), g = spread(tg, R), q = spread(ratio, R);
    printf("share     LSTM I=%lld H=%lld B=%lld T=%lld: full BPTT's step %.1f/%.1f/%.1f us, "
           "its bare sgemm calls %.1f/%.1f/%.1f us: step / sgemm %.3f/%.3f/%.3f (sgemm share "
           "%.1f%% at the median; goal <= 1.10)\n",
           (long long)I, (long long)H, (long long)B, (long long)T, 1e6 * f.min, 1e6 * f.median,
           1e6 * f.max, 1e6 * g.min, 1e6 * g.median, 1e6 * g.max, q.min, q.median, q.max,
           100 / q.median);
    print_contention("share", worst);
    mb_free(x);
    mb_free(proj);
    mb_free(wx);
    mb_free(wh);
    mb_free(h);
    mb_free(gates);
    mb_free(wy);
    mb_free(gwy);
    mb_free(yv);
    mb_free(dh);
    mb_free(gwx);
    mb_free(gwh);
    mb_free(dout);
    mb_free(tf);
    mb_free(tg);
    mb_free(ratio);
    mb_plan_free(full);
    mb_net_free(net);
}

/* The runner's clocks: a plan run with its per-phase reads against the same run with none
 * (mb_run_options.no_timing), interleaved; the difference of the medians is their cost. */
static void bench_timing(const args *a, const char *solver_name, const char *budget)
{
    mb_exec_config c = config_of(a, a->cell);
    mb_problem p;
    if (mb_exec_problem(&c, &p) != MB_OK ||
        mb_parse_budget("--budget", budget, &p, &p.budget) != MB_OK)
        die("problem");
    const mb_solver_type *type = mb_solver_lookup(solver_name);
    mb_solution sol;
    mb_net *net;
    if (type == NULL || mb_solve(type, &p, NULL, &sol) != MB_OK || !sol.feasible ||
        mb_net_create(&c, &net) != MB_OK)
        die("solve");
    const int R = a->repeat;
    double *tt = mb_malloc((size_t)R * sizeof *tt), *tu = mb_malloc((size_t)R * sizeof *tu);
    double worst = INFINITY;
    mb_run_options timed = {.verified = 1}, untimed = {.verified = 1, .no_timing = 1};
    mb_exec_stats st;
    int64_t switches = 0;
    if (mb_net_run(net, sol.plan, &timed, &st) != MB_OK)
        die("warm-up");
    for (size_t i = 1; i < sol.plan->n_ops; i++) /* phase changes: one clock read each */
        switches += (sol.plan->ops[i].kind == MB_OP_FORWARD) !=
                        (sol.plan->ops[i - 1].kind == MB_OP_FORWARD) ||
                    (sol.plan->ops[i].kind == MB_OP_BACKWARD) !=
                        (sol.plan->ops[i - 1].kind == MB_OP_BACKWARD);
    for (int r = 0; r < R; r++)
        for (int k = 0; k < 2; k++) {
            int t = (r + k) % 2 == 0;
            if (mb_net_run(net, sol.plan, t ? &timed : &untimed, &st) != MB_OK)
                die("run");
            (t ? tt : tu)[r] = st.wall_total;
            double sh = share_of(st.cpu_total, st.wall_total);
            worst = sh < worst ? sh : worst;
        }
    mb_spread t = spread(tt, R), u = spread(tu, R);
    double read = mb_clock_cost(mb_clock_wall), cpu_read = mb_clock_cost(mb_clock_thread_cpu);
    printf("timing    %s I=%lld H=%lld B=%lld T=%lld, %s at %s: timed %.5f/%.5f/%.5f s, untimed "
           "%.5f/%.5f/%.5f s: %+.2f%% at the medians (goal < 1%%); about %lld phase changes x "
           "%.0f ns per monotonic read = %.3f%% of the run (a thread-CPU read costs %.2f us "
           "here: at every phase change it would add %.1f%%)\n",
           mb_cell_name(a->cell), (long long)a->I, (long long)a->H, (long long)a->B,
           (long long)a->T, solver_name, budget, t.min, t.median, t.max, u.min, u.median, u.max,
           100 * (t.median / u.median - 1), (long long)switches, 1e9 * read,
           100 * (double)switches * read / u.median, 1e6 * cpu_read,
           100 * (double)switches * cpu_read / u.median);
    print_contention("timing", worst);
    mb_free(tt);
    mb_free(tu);
    mb_plan_free(sol.plan);
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
           "          time %.3f/%.3f/%.3f s vs full %.3f/%.3f/%.3f s (min/median/max)\n"
           "          time ratio %.3f/%.3f/%.3f, 95%% interval of the median [%.3f, %.3f] "
           "(order statistics, coverage %.4f); predicted %.3f; paper ~1.33\n"
           "          thread CPU ratio %.3f/%.3f/%.3f; CPU/wall at worst %.3f (plan), %.3f "
           "(full)%s\n"
           "          per op: forward %.1f us, recompute %.1f us, backward %.1f us (head "
           "included); copies %.3f s (plan), %.3f s (full)\n"
           "          gradients bitwise equal to full BPTT: %s\n",
           mb_cell_name(a->cell), (long long)a->I, (long long)a->H, (long long)a->B,
           (long long)a->T, solver_name, budget, (long long)p.budget, (long long)full_units,
           (long long)r.forward_ops, (double)r.forward_ops / (double)a->T,
           (long long)r.peak_store_bytes, (long long)r.peak_store_full_bytes,
           100.0 * (1.0 - (double)r.peak_store_bytes / (double)r.peak_store_full_bytes),
           (double)r.vmhwm_bytes / 1048576.0, (double)r.vmhwm_full_bytes / 1048576.0,
           r.time_s.min, r.time_s.median, r.time_s.max, r.time_full_s.min,
           r.time_full_s.median, r.time_full_s.max, r.time_ratio.min, r.time_ratio.median,
           r.time_ratio.max, r.time_ratio_ci.low, r.time_ratio_ci.high, r.time_ratio_ci.coverage,
           r.predicted_time_ratio, r.cpu_ratio.min, r.cpu_ratio.median, r.cpu_ratio.max,
           r.cpu_wall_min, r.cpu_wall_full_min,
           r.contended ? " CONTENDED (rerun on a quieter machine)" : "",
           1e6 * r.cost_forward_s, 1e6 * r.cost_recompute_s, 1e6 * r.cost_backward_s,
           r.wall[MB_EXEC_COPY].median, r.wall_full[MB_EXEC_COPY].median,
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
            fprintf(stderr, "usage: bench_exec [--what overhead|share|headline|timing|all] [--cell C] "
                            "[--input I] [--hidden H] [--batch B] [--steps T] [--repeat N] "
                            "[--solver S] [--budget X]\n");
            return 2;
        }
        if (rc != MB_OK)
            die("option");
    }
    const char *env = getenv("OPENBLAS_CORETYPE");
    printf("# bench_exec: one OpenBLAS thread (%s), OPENBLAS_CORETYPE=%s; min/median/max of %d; "
           "clock reads %.0f ns (monotonic), %.2f us (thread CPU)\n",
           openblas_get_corename(), env ? env : "(unset)", a.repeat,
           1e9 * mb_clock_cost(mb_clock_wall), 1e6 * mb_clock_cost(mb_clock_thread_cpu));
    int all = strcmp(what, "all") == 0;
    if (all || strcmp(what, "overhead") == 0)
        bench_overhead(&a);
    if (all || strcmp(what, "share") == 0)
        bench_share(&a);
    if (all || strcmp(what, "headline") == 0)
        bench_headline(&a, solver, budget);
    if (all || strcmp(what, "timing") == 0)
        bench_timing(&a, solver, budget);
    printf("# rerun: bench_exec --what %s --cell %s --input %lld --hidden %lld --batch %lld "
           "--steps %lld --repeat %d --solver %s --budget %s\n",
           what, mb_cell_name(a.cell), (long long)a.I, (long long)a.H, (long long)a.B,
           (long long)a.T, a.repeat, solver, budget);
    return 0;
}
