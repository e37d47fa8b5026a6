/* twolevel.c: the solvers for two storage levels (docs/design.md, "Two-level solvers"):
 * msm2, the MSM dynamic program over memory and a slow store with hidden and internal states
 * on either level (the published hidden-state algorithms H-Revolve and Disk-Revolve are in
 * solvers/hrevolve.c, and share this file's costs). All three minimise predicted time
 * (forward ops times c_f plus the slow store's transfers; backward ops are t in every plan)
 * and take the one-level optimum of the subproblems that live in memory from solvers/dp.c.
 *
 * msm2's recurrence. A "slow-mode" subproblem of n steps has its start state in the core on
 * entry, memory holding nothing of its own (G units free), and f1 units free on the slow
 * store; its start is h_0 in memory (class M), h_s on the slow store (Dh) or s_s there (Ds),
 * restored at cost rho = 0, R_h or R_s. With f = c_f, C the one-level MSM table, W/R the
 * write and read costs of a hidden (h) or internal (s) state:
 *   naive          n*f + [n > 1] (rho + V(n-1, c, f1))
 *   memory h_y     y*f + f*C(n-y, G)             + rho + V(y, c, f1)        G >= a_h
 *   memory s_y     y*f + f*C(n-y, G + a_h - a_s) + [y > 1] (rho + V(y-1, c, f1))   G >= a_s
 *   slow h_y       y*f + W_h + V(n-y, Dh, f1-a_h) + rho + V(y, c, f1)       f1 >= a_h
 *   slow s_y       y*f + W_s + V(n-y, Ds, f1-a_s) + R_s + [y > 1] (rho + V(y-1, c, f1))
 *   promote (Dh)   f*C(n, G): move the start into memory and finish in memory    G >= a_h
 * The top is min(V(t, M, m1) with G = m - a_h, W_h + V(t, Dh, m1 - a_h) with G = m: h_0
 * moved to the slow store). Tie-break: the first of the moves in the order above unless a
 * later one is strictly cheaper, the smallest y within a move, h_0 kept in memory unless
 * moving it is strictly cheaper. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "solvers/builder.h"
#include "solvers/solvers.h"
#include "solvers/twolevel.h"

enum { CL_M = 0, CL_DH = 1, CL_DS = 2, CL_COUNT = 3 };
enum { MV_NAIVE, MV_MEM_H, MV_MEM_S, MV_SLOW_H, MV_SLOW_S, MV_PROMOTE };

static const mb_time_costs default_costs = {1.0, 0.0, 0.0, 0.0, 0.0};

static const mb_time_costs *model_of(const mb_solve_options *o)
{
    return o && o->cost ? o->cost : &default_costs;
}

mb_tl_costs mb_twolevel_costs(const mb_problem *p, const mb_solve_options *o)
{
    const mb_time_costs *m = model_of(o);
    const double h = (double)p->hidden_units, i = (double)p->internal_units;
    return (mb_tl_costs){m->forward, m->write_latency + h * m->write,
                      m->write_latency + i * m->write, m->read_latency + h * m->read,
                      m->read_latency + i * m->read};
}

/* The slow store's free units as table rows: every value reachable from the top ones by the
 * moves, ascending (a child's row precedes its parent's), or one row standing for an
 * unlimited store (its children are itself). */
typedef struct {
    int unlimited;
    int64_t n;      /* rows */
    int64_t *value; /* [n] free units */
    int64_t *index; /* [max + 1] row of a value, -1 when unreachable */
} tl_rows;

static void rows_free(tl_rows *r)
{
    mb_free(r->value);
    mb_free(r->index);
}

static int rows_init(tl_rows *r, int64_t m1, int64_t full, int moves, int64_t a_h, int64_t a_s)
{
    memset(r, 0, sizeof *r);
    if (m1 >= full) { /* more than full BPTT needs: the same as unlimited */
        r->unlimited = 1;
        r->n = 1;
        r->value = mb_malloc(sizeof *r->value);
        if (r->value == NULL)
            return MB_ERROR(MB_ENOMEM, "out of memory for the slow store's rows");
        r->value[0] = INT64_MAX;
        return MB_OK;
    }
    if (m1 > (INT64_C(1) << 26))
        return MB_ERROR(MB_ERANGE, "slow budget of %lld units: the two-level tables handle at "
                        "most %lld finite units; give unlimited or a larger unit",
                        (long long)m1, (long long)(INT64_C(1) << 26));
    r->index = mb_malloc((size_t)(m1 + 1) * sizeof *r->index);
    if (r->index == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory for the slow store's rows");
    for (int64_t v = 0; v <= m1; v++)
        r->index[v] = -1;
    /* both tops: m1 (h_0 in memory) and m1 - a_h (h_0 moved) */
    r->index[m1] = 0;
    if (m1 >= a_h)
        r->index[m1 - a_h] = 0;
    for (int64_t v = m1; v >= 0; v--) {
        if (r->index[v] < 0)
            continue;
        if ((moves & MB_MOVE_HIDDEN) && v >= a_h)
            r->index[v - a_h] = 0;
        if ((moves & MB_MOVE_INTERNAL) && v >= a_s)
            r->index[v - a_s] = 0;
    }
    for (int64_t v = 0; v <= m1; v++)
        if (r->index[v] >= 0)
            r->index[v] = r->n++;
    r->value = mb_malloc((size_t)r->n * sizeof *r->value);
    if (r->value == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory for the slow store's rows");
    for (int64_t v = 0; v <= m1; v++)
        if (r->index[v] >= 0)
            r->value[r->index[v]] = v;
    return MB_OK;
}

/* The row of free units v - d (d = a_h or a_s), v >= d. */
static int64_t row_minus(const tl_rows *r, int64_t row, int64_t d)
{
    return r->unlimited ? row : r->index[r->value[row] - d];
}

/* One slow-mode table: cost and policy per (row, class, n). */
typedef struct {
    int64_t T;
    size_t W;
    int64_t G;            /* memory units free in slow mode */
    mb_dp_table *mem;     /* one-level table of budget min(G + a_h, full) */
    const int64_t *C_h;   /* C(., G), or NULL */
    const int64_t *C_s;   /* C(., G + a_h - a_s), or NULL */
    double *cost;         /* [rows][CL_COUNT][W] */
    int32_t *policy;      /* [rows][CL_COUNT][W]: y*8 + move */
} tl_table;

static void table_free(tl_table *t)
{
    mb_dp_table_free(t->mem);
    mb_free(t->cost);
    mb_free(t->policy);
}

static size_t at(const tl_table *t, int64_t row, int c, int64_t n)
{
    return ((size_t)row * CL_COUNT + (size_t)c) * t->W + (size_t)n;
}

/* Fills the table for memory G free in slow mode. */
static int table_fill(tl_table *t, const tl_rows *rows, int moves, const mb_problem *p,
                      const mb_solve_options *o, const mb_tl_costs *k, int64_t G, int64_t full)
{
    const int64_t a_h = p->hidden_units, a_s = p->internal_units, T = p->steps;
    memset(t, 0, sizeof *t);
    t->T = T;
    t->W = (size_t)T + 1;
    t->G = G;
    double limit = o && o->max_table_bytes > 0 ? (double)o->max_table_bytes : 8.0 * (1 << 30);
    double need = (double)rows->n * CL_COUNT * (double)t->W * 12.0;
    if (need > limit)
        return MB_ERROR(MB_ERANGE, "the two-level table for %lld steps and %lld slow-store rows "
                        "needs %.0f MiB, over the limit of %.0f MiB (--max-table-mib); use an "
                        "unlimited or smaller slow budget", (long long)T, (long long)rows->n,
                        need / (1 << 20), limit / (1 << 20));
    if (G >= a_h) {
        mb_problem q = *p;
        q.budget = G + a_h < full ? G + a_h : full;
        q.slow_budget = 0;
        int mem_moves = moves & (MB_MOVE_HIDDEN | MB_MOVE_INTERNAL);
        int rc = mb_dp_table_alloc(mem_moves, &q, o, &t->mem);
        if (rc != MB_OK)
            return rc;
        t->C_h = mb_dp_table_costs(t->mem, 1);
        if ((moves & MB_MOVE_INTERNAL) && G >= a_s)
            t->C_s = mb_dp_table_costs(t->mem, 2);
        if (!(moves & MB_MOVE_HIDDEN)) { /* ism's table has no hidden row: no memory h_y */
            t->C_h = NULL;
        }
    }
    t->cost = mb_malloc((size_t)rows->n * CL_COUNT * t->W * sizeof *t->cost);
    t->policy = mb_malloc((size_t)rows->n * CL_COUNT * t->W * sizeof *t->policy);
    if (t->cost == NULL || t->policy == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory for a two-level table of %.0f MiB",
                        need / (1 << 20));
    const double f = k->f, rho[CL_COUNT] = {0.0, k->rh, k->rs};
    const int hid = (moves & MB_MOVE_HIDDEN) != 0, in = (moves & MB_MOVE_INTERNAL) != 0;
    for (int64_t r = 0; r < rows->n; r++) {
        const int64_t f1 = rows->value[r];
        const int slow_h = hid && f1 >= a_h, slow_s = in && f1 >= a_s;
        const double *Vh = slow_h ? t->cost + at(t, row_minus(rows, r, a_h), CL_DH, 0) : NULL;
        const double *Vs = slow_s ? t->cost + at(t, row_minus(rows, r, a_s), CL_DS, 0) : NULL;
        for (int c = 0; c < CL_COUNT; c++) {
            double *V = t->cost + at(t, r, c, 0);
            int32_t *P = t->policy + at(t, r, c, 0);
            V[0] = 0.0;
            P[0] = 0;
        }
        for (int64_t n = 1; n <= T; n++) {
            for (int c = 0; c < CL_COUNT; c++) {
                double *V = t->cost + at(t, r, c, 0);
                const double ro = rho[c];
                double best = (double)n * f + (n > 1 ? ro + V[n - 1] : 0.0);
                int32_t pol = MV_NAIVE;
                if (t->C_h != NULL)
                    for (int64_t y = 1; y < n; y++) {
                        double v = (double)y * f + f * (double)t->C_h[n - y] + ro + V[y];
                        if (v < best) {
                            best = v;
                            pol = (int32_t)(y * 8 + MV_MEM_H);
                        }
                    }
                if (t->C_s != NULL)
                    for (int64_t y = 1; y < n; y++) {
                        double v = (double)y * f + f * (double)t->C_s[n - y] +
                                   (y > 1 ? ro + V[y - 1] : 0.0);
                        if (v < best) {
                            best = v;
                            pol = (int32_t)(y * 8 + MV_MEM_S);
                        }
                    }
                if (Vh != NULL)
                    for (int64_t y = 1; y < n; y++) {
                        double v = (double)y * f + k->wh + Vh[n - y] + ro + V[y];
                        if (v < best) {
                            best = v;
                            pol = (int32_t)(y * 8 + MV_SLOW_H);
                        }
                    }
                if (Vs != NULL)
                    for (int64_t y = 1; y < n; y++) {
                        double v = (double)y * f + k->ws + Vs[n - y] + k->rs +
                                   (y > 1 ? ro + V[y - 1] : 0.0);
                        if (v < best) {
                            best = v;
                            pol = (int32_t)(y * 8 + MV_SLOW_S);
                        }
                    }
                if (c == CL_DH && hid && t->C_h != NULL) {
                    double v = f * (double)t->C_h[n];
                    if (v < best) {
                        best = v;
                        pol = MV_PROMOTE;
                    }
                }
                V[n] = best;
                t->policy[at(t, r, c, n)] = pol;
            }
        }
    }
    return MB_OK;
}

/* Work items of the plan walk. */
enum { TK_RUN, TK_MEM, TK_RELEASE, TK_FREE, TK_BACKWARD };

typedef struct {
    int kind, c, which;
    int64_t s, n, row;
} tl_task;

/* Walks a table from (row, class) over steps s+1..s+n into b. */
static void table_emit(const tl_table *t, const tl_rows *rows, const mb_problem *p,
                       mb_builder *b, int64_t s0, int64_t n0, int64_t row0, int c0)
{
    const int64_t a_h = p->hidden_units, a_s = p->internal_units;
    size_t cap = 64, n = 0;
    tl_task *st = mb_malloc(cap * sizeof *st);
    if (st == NULL) {
        b->rc = MB_ERROR(MB_ENOMEM, "out of memory extracting a plan");
        return;
    }
    st[n++] = (tl_task){TK_RUN, c0, 0, s0, n0, row0};
    while (n > 0 && b->rc == MB_OK) {
        tl_task k = st[--n];
        if (n + 4 > cap) {
            tl_task *g = mb_realloc(st, 2 * cap * sizeof *st);
            if (g == NULL) {
                b->rc = MB_ERROR(MB_ENOMEM, "out of memory extracting a plan");
                break;
            }
            st = g;
            cap *= 2;
        }
        switch (k.kind) {
        case TK_MEM: mb_dp_table_emit(t->mem, k.which, b, k.s, k.n); continue;
        case TK_RELEASE: mb_builder_release(b, k.s); continue;
        case TK_FREE: mb_builder_free(b, k.s); continue;
        case TK_BACKWARD: mb_builder_backward(b, k.s); continue;
        default: break;
        }
        if (k.n == 0)
            continue;
        int32_t pol = t->policy[at(t, k.row, k.c, k.n)];
        int32_t mv = pol & 7;
        int64_t y = pol >> 3, e = k.s + y;
        if (mv == MV_PROMOTE) { /* the start into memory, then the one-level policy */
            mb_builder_forward(b, k.s, k.s);
            mb_builder_free(b, k.s);
            mb_builder_store_at(b, k.s, 0, MB_LEVEL_MEMORY);
            st[n++] = (tl_task){TK_MEM, 0, 1, k.s, k.n, 0};
            continue;
        }
        if (mv == MV_NAIVE) {
            mb_builder_forward(b, k.s, k.s + k.n);
            mb_builder_backward(b, k.s + k.n);
            st[n++] = (tl_task){TK_RUN, k.c, 0, k.s, k.n - 1, k.row};
            continue;
        }
        mb_builder_forward(b, k.s, e);
        const int internal = mv == MV_MEM_S || mv == MV_SLOW_S;
        const int slow = mv == MV_SLOW_H || mv == MV_SLOW_S;
        mb_builder_store_at(b, e, internal, slow ? MB_LEVEL_SLOW : MB_LEVEL_MEMORY);
        if (internal) {
            st[n++] = (tl_task){TK_RUN, k.c, 0, k.s, y - 1, k.row};
            st[n++] = (tl_task){TK_FREE, 0, 0, e, 0, 0};
            st[n++] = (tl_task){TK_BACKWARD, 0, 0, e, 0, 0};
        } else {
            st[n++] = (tl_task){TK_RUN, k.c, 0, k.s, y, k.row};
            st[n++] = (tl_task){TK_RELEASE, 0, 0, e, 0, 0};
        }
        if (slow)
            st[n++] = (tl_task){TK_RUN, internal ? CL_DS : CL_DH, 0, e, k.n - y,
                                row_minus(rows, k.row, internal ? a_s : a_h)};
        else
            st[n++] = (tl_task){TK_MEM, 0, internal ? 2 : 1, e, k.n - y, 0};
    }
    mb_free(st);
}

int mb_twolevel_check_time(mb_builder *b, const mb_solve_options *o, double want)
{
    if (b->rc != MB_OK)
        return b->rc;
    const mb_time_costs *m = model_of(o);
    const mb_ir *ir = &b->ir;
    double got = (double)ir->forward_ops * m->forward +
                 (double)ir->slow_writes * m->write_latency +
                 (double)ir->slow_written_units * m->write +
                 (double)ir->slow_reads * m->read_latency + (double)ir->slow_read_units * m->read;
    if (MB_NEVER(fabs(got - want) > 1e-9 * fmax(1.0, fabs(want))))
        return MB_ERROR(MB_EINTERNAL, "%s: the plan takes %.17g, its table %.17g",
                        b->plan->solver, got, want);
    return MB_OK;
}

int mb_twolevel_build(const char *name, int moves, const mb_problem *p,
                      const mb_solve_options *o, mb_plan **out, double *time_out)
{
    const int64_t a_h = p->hidden_units, m0 = p->budget;
    int64_t full;
    int rc = mb_problem_full_units(p, &full);
    if (rc != MB_OK)
        return rc;
    const mb_tl_costs k = mb_twolevel_costs(p, o);
    tl_rows rows;
    if ((rc = rows_init(&rows, p->slow_budget, full, moves, a_h, p->internal_units)) != MB_OK) {
        rows_free(&rows);
        return rc;
    }
    /* variant 0: h_0 stays in memory; variant 1: h_0 moved to the slow store */
    tl_table tab[2];
    memset(tab, 0, sizeof tab);
    double best = INFINITY;
    int use = -1;
    for (int v = 0; v < 2 && rc == MB_OK; v++) {
        int64_t m1 = rows.unlimited ? INT64_MAX : p->slow_budget - (v ? a_h : 0);
        if (v == 1 && !((moves & MB_MOVE_HIDDEN) && p->slow_budget >= a_h))
            break;
        int64_t G = v ? m0 : m0 - a_h;
        if ((rc = table_fill(&tab[v], &rows, moves, p, o, &k, G, full)) != MB_OK)
            break;
        int64_t row = rows.unlimited ? 0 : rows.index[m1];
        double c = tab[v].cost[at(&tab[v], row, v ? CL_DH : CL_M, p->steps)] + (v ? k.wh : 0.0);
        if (c < best) {
            best = c;
            use = v;
        }
    }
    if (rc == MB_OK) {
        mb_builder b;
        if ((rc = mb_builder_init(&b, name, p)) == MB_OK) {
            int64_t m1 = rows.unlimited ? INT64_MAX : p->slow_budget - (use ? a_h : 0);
            int64_t row = rows.unlimited ? 0 : rows.index[m1];
            if (use == 1) {
                mb_builder_free(&b, 0);
                mb_builder_store_at(&b, 0, 0, MB_LEVEL_SLOW);
            }
            table_emit(&tab[use], &rows, p, &b, 0, p->steps, row, use ? CL_DH : CL_M);
            b.rc = mb_twolevel_check_time(&b, o, best);
            rc = mb_builder_finish(&b, out);
        }
        if (rc == MB_OK && time_out != NULL)
            *time_out = best;
    }
    table_free(&tab[0]);
    table_free(&tab[1]);
    rows_free(&rows);
    return rc;
}

int mb_twolevel_min_budget(const mb_problem *p, int64_t *out)
{
    *out = p->hidden_units; /* h_0 alone, as in memory */
    return MB_OK;
}

static int build_msm2(const mb_problem *p, const mb_solve_options *o, mb_plan **out)
{
    return mb_twolevel_build("msm2", MB_MOVE_HIDDEN | MB_MOVE_INTERNAL, p, o, out, NULL);
}

const mb_solver_type mb_solver_msm2 = {
    "msm2",
    "MSM over memory and a slow store, hidden and internal states on either level (least "
    "predicted time in its class)",
    "naive, then memory h_y, memory s_y, slow h_y, slow s_y, promote, each only if strictly "
    "cheaper; smallest y; h_0 kept in memory unless moving it is strictly cheaper",
    .min_budget = mb_twolevel_min_budget,
    .build = build_msm2,
    .flags = MB_SOLVER_TWO_LEVEL | MB_SOLVER_DP};
