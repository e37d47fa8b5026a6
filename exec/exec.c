/* exec.c: configurations, cell sizes, plan checks, and mb_exec_run (a plan against full BPTT
 * on the same network, interleaved, with medians and the model's prediction). */
#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "exec/internal.h"
#include "measure/measure.h"
#include "sim/sim.h"

static const char *const cell_names[] = {"lstm", "gru", "rnn"};

const char *mb_cell_name(mb_cell_kind cell)
{
    return (unsigned)cell < 3 ? cell_names[cell] : NULL;
}

int mb_cell_parse(const char *key, const char *text, mb_cell_kind *out)
{
    for (int i = 0; i < 3; i++)
        if (text != NULL && strcmp(text, cell_names[i]) == 0) {
            *out = (mb_cell_kind)i;
            return MB_OK;
        }
    return MB_ERROR(MB_EINVAL, "%s '%s': unknown cell; expected lstm, gru or rnn", key,
                    text ? text : "");
}

mb_exec_config mb_exec_config_default(void)
{
    mb_exec_config c;
    memset(&c, 0, sizeof c);
    c.cell = MB_CELL_LSTM;
    c.dtype = MB_DTYPE_F32;
    c.seed = 1;
    c.threads = 1;
    c.repeat = 5;
    c.pin = -1;
    return c;
}

/* a*b*... of up to 4 factors into *out, false on overflow of the limit. */
static int mul_ok(int64_t limit, int64_t *out, int64_t a, int64_t b, int64_t c, int64_t d)
{
    int64_t v;
    if (__builtin_mul_overflow(a, b, &v) || __builtin_mul_overflow(v, c, &v) ||
        __builtin_mul_overflow(v, d, &v) || v > limit)
        return 0;
    *out = v;
    return 1;
}

int mb_exec_config_check(const mb_exec_config *c)
{
    if (mb_cell_name(c->cell) == NULL)
        return MB_ERROR(MB_EINVAL, "--cell: unknown cell %d; expected lstm, gru or rnn",
                        (int)c->cell);
    const struct {
        const char *key;
        int64_t v;
    } sizes[] = {{"--input", c->input}, {"--hidden", c->hidden}, {"--batch", c->batch},
                 {"--steps", c->steps}};
    for (size_t i = 0; i < 4; i++)
        if (sizes[i].v < 1)
            return MB_ERROR(MB_EINVAL, "%s %lld: must be >= 1", sizes[i].key,
                            (long long)sizes[i].v);
    if (c->output < 0)
        return MB_ERROR(MB_EINVAL, "--output %lld: must be >= 1 (0 means the input size)",
                        (long long)c->output);
    if (c->steps > MB_MAX_STEPS)
        return MB_ERROR(MB_ERANGE, "--steps %lld: at most %lld", (long long)c->steps,
                        (long long)MB_MAX_STEPS);
    if (c->threads < 1 || c->threads > 1024)
        return MB_ERROR(MB_EINVAL, "--threads %d: must be in [1, 1024]", c->threads);
    /* No more BLAS threads than hardware threads this process may use (more only oversubscribe
     * the cores and can hang OpenBLAS under a memory limit), nor than OpenBLAS was built for. */
    cpu_set_t set;
    int hw = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
    if (hw > 0 && c->threads > hw)
        return MB_ERROR(MB_EINVAL, "--threads %d: this process may use %d hardware thread%s",
                        c->threads, hw, hw == 1 ? "" : "s");
    const char *cfg = openblas_get_config(), *mt = cfg ? strstr(cfg, "MAX_THREADS=") : NULL;
    int blas_max = mt ? atoi(mt + strlen("MAX_THREADS=")) : 0;
    if (blas_max > 0 && c->threads > blas_max)
        return MB_ERROR(MB_EINVAL, "--threads %d: this OpenBLAS runs at most %d threads (%s)",
                        c->threads, blas_max, cfg);
    if (c->repeat < 1 || c->repeat > 100000)
        return MB_ERROR(MB_EINVAL, "--repeat %d: must be in [1, 100000]", c->repeat);
    if (c->dtype != MB_DTYPE_F32 && c->dtype != MB_DTYPE_F64)
        return MB_ERROR(MB_EINVAL, "dtype %d: must be float32 or float64", (int)c->dtype);
    /* Every matrix dimension handed to BLAS is an int; every buffer must fit in memory. */
    const int64_t O = c->output > 0 ? c->output : c->input;
    const int64_t big = INT64_C(1) << 46; /* 64 TiB: no buffer may be larger */
    int64_t v;
    if (!mul_ok(INT_MAX, &v, 6, c->hidden, 1, 1) || !mul_ok(INT_MAX, &v, c->input, 1, 1, 1) ||
        !mul_ok(INT_MAX, &v, O, 1, 1, 1) || !mul_ok(INT_MAX, &v, c->batch, 1, 1, 1))
        return MB_ERROR(MB_ERANGE, "sizes input %lld, hidden %lld, batch %lld: a matrix "
                        "dimension exceeds %d", (long long)c->input, (long long)c->hidden,
                        (long long)c->batch, INT_MAX);
    if (!mul_ok(big, &v, 9 * 8, c->hidden, c->batch, 1))
        return MB_ERROR(MB_ERANGE, "--hidden %lld with --batch %lld: a state of %s bytes is too "
                        "large", (long long)c->hidden, (long long)c->batch, "more than 2^46");
    if (!mul_ok(big, &v, 8 * c->steps, c->batch, c->input, 1) ||
        !mul_ok(big, &v, 8 * c->steps, c->batch, O, 1))
        return MB_ERROR(MB_ERANGE, "--steps %lld, --batch %lld, --input %lld: the inputs and "
                        "targets would take more than 2^46 bytes", (long long)c->steps,
                        (long long)c->batch, (long long)c->input);
    if (!mul_ok(big, &v, 8 * 6, c->hidden, c->hidden + c->input + O + 1, 1))
        return MB_ERROR(MB_ERANGE, "--hidden %lld, --input %lld: the weights would take more "
                        "than 2^46 bytes", (long long)c->hidden, (long long)c->input);
    return MB_OK;
}

int mb_exec_state_bytes(const mb_exec_config *c, int64_t *hidden_bytes, int64_t *internal_bytes)
{
    int rc = mb_exec_config_check(c);
    if (rc != MB_OK)
        return rc;
    int64_t hid, in, G, nb;
    mb_cell_shape(c->cell, c->hidden, c->batch, &hid, &in, &G, &nb);
    const int64_t esz = c->dtype == MB_DTYPE_F64 ? 8 : 4;
    *hidden_bytes = hid * esz;
    *internal_bytes = in * esz;
    return MB_OK;
}

int mb_exec_problem(const mb_exec_config *c, mb_problem *out)
{
    int64_t hb, ib;
    int rc = mb_exec_state_bytes(c, &hb, &ib);
    if (rc != MB_OK)
        return rc;
    memset(out, 0, sizeof *out);
    out->steps = c->steps;
    rc = mb_problem_set_bytes(out, hb, ib);
    if (rc == MB_OK)
        rc = mb_problem_full_units(out, &out->budget);
    return rc;
}

/* mb_exec_check_plan, keeping the replay's report (*r) for the prediction. */
static int check_plan(const mb_exec_config *c, const mb_plan *plan, mb_sim_report *r)
{
    mb_problem want;
    int rc = mb_exec_problem(c, &want);
    if (rc != MB_OK)
        return rc;
    const mb_problem *p = &plan->problem;
    int64_t hb = want.hidden_units * want.unit_bytes, ib = want.internal_units * want.unit_bytes;
    if (p->steps != want.steps)
        return MB_ERROR(MB_EBADPLAN, "the plan is for %lld steps; --steps is %lld",
                        (long long)p->steps, (long long)want.steps);
    int64_t ph, pi;
    if (p->unit_bytes <= 0 || __builtin_mul_overflow(p->hidden_units, p->unit_bytes, &ph) ||
        __builtin_mul_overflow(p->internal_units, p->unit_bytes, &pi) || ph != hb || pi != ib)
        return MB_ERROR(MB_EBADPLAN,
                        "the plan's sizes (a_h = %lld, a_s = %lld, unit_bytes = %lld) do not fit "
                        "the %s cell: it needs hidden %lld bytes and internal %lld bytes "
                        "(a_h = %lld, a_s = %lld units of %lld bytes)",
                        (long long)p->hidden_units, (long long)p->internal_units,
                        (long long)p->unit_bytes, mb_cell_name(c->cell), (long long)hb,
                        (long long)ib, (long long)want.hidden_units,
                        (long long)want.internal_units, (long long)want.unit_bytes);
    rc = mb_sim_replay(plan, r);
    if (rc != MB_OK)
        return rc;
    if (!r->valid)
        return MB_ERROR(MB_EBADPLAN, "invalid plan: %s", r->reason);
    if (r->slow_writes > 0 && c->slow_dir == NULL)
        return MB_ERROR(MB_EINVAL, "the plan writes %lld checkpoints to a slow store (level 1); "
                        "give a directory for it (--slow-dir DIR)", (long long)r->slow_writes);
    return MB_OK;
}

int mb_exec_check_plan(const mb_exec_config *c, const mb_plan *plan)
{
    mb_sim_report r;
    return check_plan(c, plan, &r);
}

/* ---- mb_exec_run ------------------------------------------------------------------------- */

/* Resets the kernel's peak-RSS mark (Linux clear_refs 5); 0 on success. */
static int hwm_reset(void)
{
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f == NULL)
        return -1;
    int ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* VmHWM in bytes, or -1. */
static int64_t hwm_read(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    char line[256];
    long long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %lld kB", &kib) == 1)
            break;
    fclose(f);
    return kib < 0 ? -1 : (int64_t)kib * 1024;
}

/* Counters per phase, the copies (store, restore and free) a phase of their own: the runner's
 * phases are numbered as measure/'s. */
_Static_assert((int)MB_EXEC_PHASES == (int)MB_PHASES && (int)MB_EXEC_COPY == (int)MB_PHASE_COPY &&
                   (int)MB_EXEC_FIRST == (int)MB_PHASE_FIRST &&
                   (int)MB_EXEC_RECOMPUTE == (int)MB_PHASE_RECOMPUTE,
               "exec/ and measure/ number the phases alike");
typedef struct {
    mb_counters *c;
    int counting; /* the phase being counted, or -1 */
    int failed;
} counter_ctx;

static void counter_hook(void *ctx_, int from, int to)
{
    (void)from;
    counter_ctx *ctx = ctx_;
    if (ctx->counting >= 0 && mb_counters_stop(ctx->c, ctx->counting) != MB_OK)
        ctx->failed = 1;
    ctx->counting = -1;
    if (to >= 0 && to < MB_PHASES) {
        if (mb_counters_start(ctx->c) != MB_OK)
            ctx->failed = 1;
        else
            ctx->counting = to;
    }
}

/* Copies the gradients and dL/dh_0 of the last run into buf. */
static void save_grads(const mb_net *net, unsigned char *buf)
{
    const size_t gb = net->lay.end * net->esz;
    memcpy(buf, net->grads, gb);
    memcpy(buf + gb, net->dh0, net->hid_elems * net->esz);
}

static double max_abs_diff(const mb_net *net, const unsigned char *a, const unsigned char *b,
                           int *bitwise)
{
    const size_t n = net->lay.end + net->hid_elems;
    *bitwise = memcmp(a, b, n * net->esz) == 0;
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        double d = net->esz == sizeof(float)
                       ? fabs((double)((const float *)(const void *)a)[i] -
                              (double)((const float *)(const void *)b)[i])
                       : fabs(((const double *)(const void *)a)[i] -
                              ((const double *)(const void *)b)[i]);
        if (d > m || d != d)
            m = d;
    }
    return m;
}

/* What one timed run records (per repetition and side). */
enum { V_WALL, V_CPU, V_PHASE, V_N = V_PHASE + MB_EXEC_PHASES };

/* The spread of column j of side `which` over the R repetitions of v into *out; col has room
 * for R values. */
static mb_spread spread_col(const double *v, int R, int which, int j, double *col)
{
    for (int r = 0; r < R; r++)
        col[r] = v[((size_t)r * 2 + (size_t)which) * V_N + (size_t)j];
    return mb_spread_of(col, (size_t)R);
}

/* The options of a run of one side: the plan's side also has the slow store's directory. */
static mb_run_options side_options(const mb_exec_config *c, int which)
{
    mb_run_options o = {.side = which == 0 ? MB_EXEC_SIDE_PLAN : MB_EXEC_SIDE_FULL,
                        .verified = 1};
    if (which == 0) {
        o.slow_dir = c->slow_dir;
        o.slow_direct = c->slow_direct;
    }
    return o;
}

/* Progress of a run on c->progress (docs/design.md, "Command line"): one line, rewritten in
 * place on a terminal, else one line per step; `end` finishes the line on a terminal. */
static void progress_say(const mb_exec_config *c, int end, const char *fmt, ...)
{
    if (c->progress == NULL)
        return;
    int tty = isatty(fileno(c->progress));
    va_list ap;
    va_start(ap, fmt);
    fputs(tty ? "\rrun: " : "run: ", c->progress);
    vfprintf(c->progress, fmt, ap);
    va_end(ap);
    fputs(tty ? (end ? "\033[K\n" : "\033[K") : "\n", c->progress);
    fflush(c->progress);
}

/* The timed part: R interleaved pairs (plan, then full BPTT), each run timed by the runner
 * alone; fills out's times, ratios, contention, resident pages and peak RSS, and leaves the
 * gradients of the last pair in gp and gf. v holds R*2*V_N values, col 2*R. */
static int measure_pairs(const mb_exec_config *c, mb_net *net, const mb_plan *plan,
                         const mb_plan *full, int R, mb_exec_result *out, unsigned char *gp,
                         unsigned char *gf, double *v, double *col, mb_exec_stats *sp,
                         mb_exec_stats *sf)
{
    const mb_run_options opt[MB_EXEC_SIDES] = {side_options(c, 0), side_options(c, 1)};
    int64_t *resident[2] = {&out->store_resident_pages, &out->store_full_resident_pages};
    int64_t *pages[2] = {&out->store_pages, &out->store_full_pages};
    int64_t *hwm_out[2] = {&out->vmhwm_bytes, &out->vmhwm_full_bytes};
    double *cpu_wall[2] = {&out->cpu_wall_min, &out->cpu_wall_full_min};
    int hwm_ok = 1;
    for (int which = 0; which < 2; which++) {
        *resident[which] = *pages[which] = *hwm_out[which] = -1;
        *cpu_wall[which] = INFINITY;
    }
    out->contended = 0;
    double pair_s = 0; /* wall time of the pairs so far, for the ETA */
    for (int r = 0; r < R; r++) {
        for (int which = 0; which < 2; which++) {
            mb_exec_stats *st = which == 0 ? sp : sf;
            if (hwm_reset() != 0)
                hwm_ok = 0;
            int rc = mb_net_run(net, which == 0 ? plan : full, &opt[which], st);
            if (rc != MB_OK)
                return rc;
            int64_t hwm = hwm_ok ? hwm_read() : -1;
            if (hwm > *hwm_out[which])
                *hwm_out[which] = hwm;
            if (st->store_pages >= 0 &&
                (*resident[which] < 0 || st->store_resident_pages < *resident[which])) {
                *resident[which] = st->store_resident_pages;
                *pages[which] = st->store_pages;
            }
            double *row = v + ((size_t)r * 2 + (size_t)which) * V_N;
            row[V_WALL] = st->wall_total;
            row[V_CPU] = st->cpu_total;
            for (int ph = 0; ph < MB_EXEC_PHASES; ph++)
                row[V_PHASE + ph] = st->wall[ph];
            /* Contention: the run's thread got less of the core than its wall time. */
            double share = st->wall_total > 0 ? st->cpu_total / st->wall_total : 1.0;
            if (share < *cpu_wall[which])
                *cpu_wall[which] = share;
            if (share < MB_EXEC_CONTENDED)
                out->contended = 1;
            save_grads(net, which == 0 ? gp : gf);
        }
        pair_s += v[((size_t)r * 2) * V_N + V_WALL] + v[((size_t)r * 2 + 1) * V_N + V_WALL];
        double left = pair_s / (r + 1) * (R - r - 1 + (c->events != NULL));
        progress_say(c, 0, "pair %d/%d timed, about %.*f s left", r + 1, R, left < 10 ? 1 : 0,
                     left);
    }
    if (!hwm_ok)
        out->vmhwm_bytes = out->vmhwm_full_bytes = -1;
    out->time_s = spread_col(v, R, 0, V_WALL, col);
    out->time_full_s = spread_col(v, R, 1, V_WALL, col);
    out->cpu_s = spread_col(v, R, 0, V_CPU, col);
    out->cpu_full_s = spread_col(v, R, 1, V_CPU, col);
    for (int ph = 0; ph < MB_EXEC_PHASES; ph++) {
        out->wall[ph] = spread_col(v, R, 0, V_PHASE + ph, col);
        out->wall_full[ph] = spread_col(v, R, 1, V_PHASE + ph, col);
    }
    /* Ratios of the two runs of each pair, which ran back to back. */
    for (int j = 0; j < 2; j++) {
        int k = j == 0 ? V_WALL : V_CPU;
        for (int r = 0; r < R; r++)
            col[r] = v[((size_t)r * 2) * V_N + (size_t)k] /
                     v[((size_t)r * 2 + 1) * V_N + (size_t)k];
        if (j == 0) {
            memcpy(col + R, col, (size_t)R * sizeof *col);
            out->time_ratio_ci = mb_median_interval(col + R, (size_t)R, 0.95);
            out->time_ratio = mb_spread_of(col, (size_t)R);
        } else {
            out->cpu_ratio = mb_spread_of(col, (size_t)R);
        }
    }
    return MB_OK;
}

/* One counted run of each side after the timed ones, so that counter reads (system calls at
 * every phase change) never enter a timed number; copies the values into out. */
static int count_sides(const mb_exec_config *c, mb_net *net, const mb_plan *plan,
                       const mb_plan *full, counter_ctx *cc, mb_exec_result *out)
{
    size_t ne = mb_counters_count(cc->c);
    out->n_events = ne > MB_EXEC_MAX_EVENTS ? MB_EXEC_MAX_EVENTS : (int)ne;
    for (int which = 0; which < 2; which++) {
        mb_run_options o = side_options(c, which);
        o.no_timing = 1;
        o.phase_hook = counter_hook;
        o.hook_ctx = cc;
        mb_exec_stats st;
        mb_counters_reset(cc->c);
        int rc = mb_net_run(net, which == 0 ? plan : full, &o, &st);
        if (rc != MB_OK)
            return rc;
        if (cc->failed)
            return MB_ERROR(MB_EIO, "the counters failed during the run: %s", mb_errmsg());
        int64_t(*dst)[MB_EXEC_PHASES] = which == 0 ? out->event_value : out->event_value_full;
        for (int e = 0; e < out->n_events; e++)
            for (int ph = 0; ph < MB_EXEC_PHASES; ph++) {
                int64_t val;
                dst[e][ph] = mb_counters_value(cc->c, (size_t)e, ph, &val) == 0 ? val : -1;
            }
    }
    for (int e = 0; e < out->n_events; e++) {
        snprintf(out->event_name[e], sizeof out->event_name[e], "%s",
                 mb_counters_name(cc->c, (size_t)e));
        out->event_available[e] = mb_counters_available(cc->c, (size_t)e);
        const char *why = mb_counters_notice(cc->c, (size_t)e);
        snprintf(out->event_notice[e], sizeof out->event_notice[e], "%s", why ? why : "");
        const char *src = mb_counters_source(cc->c, (size_t)e);
        snprintf(out->event_source[e], sizeof out->event_source[e], "%s", src ? src : "");
    }
    return MB_OK;
}

/* Fills what the runs of the plan (sp) and of full BPTT (sf) leave in *out besides the times:
 * sizes, op counts, the per-op costs from full BPTT of the same run (every forward is a first
 * forward there) and the ratio the cost model predicts with them (rp: the plan's replay). */
static int fill_result(const mb_exec_config *c, const mb_plan *plan, const mb_sim_report *rp,
                       const mb_exec_stats *sp, const mb_exec_stats *sf, mb_exec_result *out)
{
    int64_t hb, ib;
    mb_exec_state_bytes(c, &hb, &ib);
    out->cell = c->cell;
    out->hidden_bytes = hb;
    out->internal_bytes = ib;
    out->unit_bytes = plan->problem.unit_bytes;
    out->budget_bytes = plan->problem.budget * plan->problem.unit_bytes;
    out->forward_ops = sp->forward_ops;
    out->recompute_ops = sp->recompute_ops;
    out->backward_ops = sp->backward_ops;
    out->copied_bytes = sp->copied_bytes;
    out->full_forward_ops = sf->forward_ops;
    out->full_backward_ops = sf->backward_ops;
    out->full_copied_bytes = sf->copied_bytes;
    out->peak_store_bytes = sp->peak_store_bytes;
    out->peak_store_full_bytes = sf->peak_store_bytes;
    out->workspace_bytes = sp->workspace_bytes;
    out->projected_steps = sp->projected_steps;
    out->projected_steps_full = sf->projected_steps;
    out->peak_activation_bytes = sp->peak_store_bytes + sp->workspace_bytes;
    out->compactions = sp->compactions;
    const double T = (double)c->steps;
    out->cost_forward_s = out->wall_full[MB_EXEC_FIRST].median / T;
    out->cost_backward_s = out->wall_full[MB_EXEC_BACKWARD].median / T;
    out->cost_copy_s_per_byte =
        sf->copied_bytes > 0 ? out->wall_full[MB_EXEC_COPY].median / (double)sf->copied_bytes : 0;
    out->cost_recompute_s = sp->recompute_ops > 0 ? out->wall[MB_EXEC_RECOMPUTE].median /
                                                       (double)sp->recompute_ops
                                                 : NAN;
    double full_time;
    mb_cost_model model = mb_cost_model_default();
    model.forward = out->cost_forward_s;
    model.backward = out->cost_backward_s;
    model.copy = out->cost_copy_s_per_byte * (double)plan->problem.unit_bytes;
    model.recompute = out->cost_recompute_s; /* NAN, so c_f, when nothing recomputes */
    /* the slow store: the costs given (calibrate-store), else what this run measured */
    out->slow = sp->slow;
    const double u = (double)plan->problem.unit_bytes;
    if (c->slow_costs != NULL) {
        model.write = c->slow_costs->write * u;
        model.read = c->slow_costs->read * u;
        model.write_latency = c->slow_costs->write_latency;
        model.read_latency = c->slow_costs->read_latency;
    } else {
        const mb_slow_counts *n = &sp->slow;
        model.write = n->written_bytes > 0 ? n->write_s / (double)n->written_bytes * u : 0;
        model.read = n->read_bytes > 0 ? n->read_s / (double)n->read_bytes * u : 0;
    }
    int rc = mb_sim_full_time(&plan->problem, &model, &full_time);
    if (rc != MB_OK)
        return rc;
    out->predicted_time_ratio = mb_sim_predict(rp, &model) / full_time;
    return MB_OK;
}

int mb_exec_run(const mb_exec_config *c, const mb_plan *plan, mb_exec_result *out)
{
    memset(out, 0, sizeof *out);
    /* The plan is replayed once, here; full BPTT's canonical plan once, in mb_sim_full_time
     * below. The runs then skip their whole-plan replay (mb_run_options.verified) and only
     * apply each op to the state machine as they execute it. */
    mb_sim_report rp;
    int rc = check_plan(c, plan, &rp);
    if (rc != MB_OK)
        return rc;
    if (c->retry_contended < 0 || c->retry_contended > 1000)
        return MB_ERROR(MB_EINVAL, "--retry-contended %d: must be in [0, 1000]",
                        c->retry_contended);
    mb_plan *full = NULL;
    rc = mb_plan_full(&plan->problem, &full);
    if (rc != MB_OK)
        return rc;

    mb_net *net = NULL;
    unsigned char *gp = NULL, *gf = NULL;
    double *v = NULL, *col = NULL;
    counter_ctx cc = {NULL, -1, 0};
    if (c->pin >= 0) {
        rc = mb_topology_pin(c->pin);
        if (rc != MB_OK)
            goto done;
    }
    if (c->events != NULL) {
        rc = mb_counters_open(c->events, &cc.c);
        if (rc != MB_OK)
            goto done;
    }
    rc = mb_net_create(c, &net);
    if (rc != MB_OK)
        goto done;
    const int R = c->repeat;
    const size_t gbytes = (net->lay.end + net->hid_elems) * net->esz;
    gp = mb_malloc(gbytes);
    gf = mb_malloc(gbytes);
    v = mb_malloc((size_t)R * 2 * V_N * sizeof *v);
    col = mb_malloc((size_t)R * 2 * sizeof *col);
    if (gp == NULL || gf == NULL || v == NULL || col == NULL) {
        rc = MB_ERROR(MB_ENOMEM, "out of memory for the run's records");
        goto done;
    }
    mb_exec_stats sp, sf;
    /* Each side runs with its own arena, allocated and touched by its warm-up run and reused
     * by every repetition (docs/design.md, "The executor", the arena). */
    const mb_run_options warm[MB_EXEC_SIDES] = {side_options(c, 0), side_options(c, 1)};
    progress_say(c, 0, "warm-up: the plan and full BPTT once each, then %d timed pair%s", R,
                 R == 1 ? "" : "s");
    rc = mb_net_run(net, plan, &warm[MB_EXEC_SIDE_PLAN], &sp);
    if (rc == MB_OK)
        rc = mb_net_run(net, full, &warm[MB_EXEC_SIDE_FULL], &sf);
    for (out->attempts = 0; rc == MB_OK && out->attempts <= c->retry_contended;) {
        rc = measure_pairs(c, net, plan, full, R, out, gp, gf, v, col, &sp, &sf);
        out->attempts++;
        if (!out->contended)
            break;
    }
    if (rc == MB_OK && cc.c != NULL) {
        progress_say(c, 0, "counters: one more run of each side");
        rc = count_sides(c, net, plan, full, &cc, out);
    }
    if (rc == MB_OK)
        progress_say(c, 1, "%d pair%s timed in %d attempt%s", R, R == 1 ? "" : "s",
                     out->attempts, out->attempts == 1 ? "" : "s");
    if (rc != MB_OK)
        goto done;

    if ((rc = fill_result(c, plan, &rp, &sp, &sf, out)) != MB_OK)
        goto done;
    out->grad_max_abs_diff = max_abs_diff(net, gp, gf, &out->grad_bitwise_equal);
    out->loss = sp.loss;
done:
    mb_counters_close(cc.c);
    mb_free(v);
    mb_free(col);
    mb_free(gp);
    mb_free(gf);
    mb_net_free(net);
    mb_plan_free(full);
    return rc;
}
