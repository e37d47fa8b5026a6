/* hrevolve.c: the published hidden-state algorithms for two storage levels (docs/design.md,
 * "Two-level solvers"): H-Revolve (Herrmann and Pallez) and Disk-Revolve (Aupy, Herrmann,
 * Hovland and Robert). Like msm2 (solvers/twolevel.c) they minimise predicted time and take
 * the one-level optimum of the subproblems that live in memory from solvers/dp.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "solvers/builder.h"
#include "solvers/solvers.h"
#include "solvers/twolevel.h"

/* --- H-Revolve and Disk-Revolve: hidden states only, the published recurrences. ---
 * In their terms (uf = c_f, ub = c_f + c_b, memory copies free, x_0 = h_0): C0(n) = the
 * one-level optimum C_hsm(n, m) of a start held in memory with the whole budget m.
 * H-Revolve (Herrmann and Pallez 2020, two levels), k slow slots of a_h units:
 *   O(n, k) = min(f*C0(n), [k >= 1] W_h + P(n, k))             start to memory or slow store
 *   P(n, k) = min(f*C0(n), min_j j*f + O(n-j, k-1) + R_h + P(j, k))   start on the slow store
 * Disk-Revolve (Aupy, Herrmann, Hovland and Robert 2016), an unlimited slow store:
 *   D(n)  = min(f*C0(n), min_j W_h + j*f + D(n-j) + R_h + E(j))
 *   E(n)  = min(f*C0(n), min_j j*f + f*C0(n-j) + R_h + E(j))   (1D-Revolve: start on disk)
 * The top is O(t, slots) and D(t); choosing the slow store for h_0 moves it there. Ties keep
 * the first term (memory), then the smallest j. */
enum { HR_MEM = 0, HR_SLOW = 1, HR_SPLIT = 2 };

typedef struct {
    int disk;            /* 1: Disk-Revolve, 0: H-Revolve */
    int64_t T, K;        /* steps; slow slots (rows 0..K), K = 0 with `unlimited` */
    int unlimited;
    size_t W;
    mb_dp_table *mem;    /* C_hsm(., m) */
    const int64_t *C0;
    double *O, *P;       /* [K+1][W]: O = D and P = E for Disk-Revolve */
    int32_t *pO, *pP;    /* policies: HR_MEM / HR_SLOW, or j*4 + HR_SPLIT */
} hr_table;

static void hr_free(hr_table *h)
{
    mb_dp_table_free(h->mem);
    mb_free(h->O);
    mb_free(h->P);
    mb_free(h->pO);
    mb_free(h->pP);
}

static int hr_fill(hr_table *h, int disk, const mb_problem *p, const mb_solve_options *o,
                   const mb_tl_costs *k)
{
    memset(h, 0, sizeof *h);
    h->disk = disk;
    h->T = p->steps;
    h->W = (size_t)p->steps + 1;
    int64_t full;
    int rc = mb_problem_full_units(p, &full);
    if (rc != MB_OK)
        return rc;
    h->unlimited = p->slow_budget >= full;
    if (disk && !h->unlimited && p->slow_budget != 0)
        return MB_ERROR(MB_EINVAL, "disk-revolve assumes an unlimited slow store (slow budget "
                        "%lld units; give --slow-budget unlimited, or use hrevolve or msm2)",
                        (long long)p->slow_budget);
    h->K = h->unlimited ? 0 : p->slow_budget / p->hidden_units;
    if (h->K > 4096)
        return MB_ERROR(MB_ERANGE, "hrevolve: %lld slow slots; it handles up to 4096 (or "
                        "unlimited)", (long long)h->K);
    mb_problem q = *p;
    q.slow_budget = 0;
    if ((rc = mb_dp_table_alloc(MB_MOVE_HIDDEN, &q, o, &h->mem)) != MB_OK)
        return rc;
    h->C0 = mb_dp_table_costs(h->mem, 0);
    size_t cells = (size_t)(h->K + 1) * h->W;
    h->O = mb_malloc(cells * sizeof *h->O);
    h->P = mb_malloc(cells * sizeof *h->P);
    h->pO = mb_malloc(cells * sizeof *h->pO);
    h->pP = mb_malloc(cells * sizeof *h->pP);
    if (h->O == NULL || h->P == NULL || h->pO == NULL || h->pP == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory for the %s table",
                        disk ? "disk-revolve" : "hrevolve");
    const double f = k->f;
    for (int64_t m = 0; m <= h->K; m++) {
        double *O = h->O + (size_t)m * h->W, *P = h->P + (size_t)m * h->W;
        int32_t *pO = h->pO + (size_t)m * h->W, *pP = h->pP + (size_t)m * h->W;
        const int slow = p->slow_budget != 0 && (h->unlimited || m >= 1);
        /* the row of a child that takes one more slow slot */
        const double *Oc = h->unlimited ? O : m >= 1 ? O - h->W : NULL;
        O[0] = P[0] = 0.0;
        pO[0] = pP[0] = HR_MEM;
        for (int64_t n = 1; n <= h->T; n++) {
            const double mem = f * (double)h->C0[n];
            double bp = mem; /* P (H-Revolve) or E (Disk-Revolve) */
            int32_t pp = HR_MEM;
            for (int64_t j = 1; slow && j < n; j++) {
                double v = disk ? (double)j * f + f * (double)h->C0[n - j] + k->rh + P[j]
                                : (double)j * f + Oc[n - j] + k->rh + P[j];
                if (v < bp) {
                    bp = v;
                    pp = (int32_t)(j * 4 + HR_SPLIT);
                }
            }
            P[n] = bp;
            pP[n] = pp;
            double bo = mem;
            int32_t po = HR_MEM;
            if (!disk && slow && k->wh + P[n] < bo) {
                bo = k->wh + P[n];
                po = HR_SLOW;
            }
            for (int64_t j = 1; disk && slow && j < n; j++) {
                double v = k->wh + (double)j * f + O[n - j] + k->rh + P[j];
                if (v < bo) {
                    bo = v;
                    po = (int32_t)(j * 4 + HR_SPLIT);
                }
            }
            O[n] = bo;
            pO[n] = po;
        }
    }
    return MB_OK;
}

enum { HK_O, HK_P, HK_MEM, HK_RELEASE };

typedef struct {
    int kind;
    int64_t s, n, m;
} hr_task;

/* The start h_s to the slow store (h_0 leaves memory first). */
static void to_slow(mb_builder *b, int64_t s)
{
    if (s == 0)
        mb_builder_free(b, 0);
    mb_builder_store_at(b, s, 0, MB_LEVEL_SLOW);
}

static void hr_emit(const hr_table *h, mb_builder *b)
{
    size_t cap = 64, n = 0;
    hr_task *st = mb_malloc(cap * sizeof *st);
    if (st == NULL) {
        b->rc = MB_ERROR(MB_ENOMEM, "out of memory extracting a plan");
        return;
    }
    st[n++] = (hr_task){HK_O, 0, h->T, h->K};
    while (n > 0 && b->rc == MB_OK) {
        hr_task k = st[--n];
        if (n + 4 > cap) {
            hr_task *g = mb_realloc(st, 2 * cap * sizeof *st);
            if (g == NULL) {
                b->rc = MB_ERROR(MB_ENOMEM, "out of memory extracting a plan");
                break;
            }
            st = g;
            cap *= 2;
        }
        if (k.kind == HK_RELEASE) {
            mb_builder_release(b, k.s);
            continue;
        }
        if (k.kind == HK_MEM) {
            mb_dp_table_emit(h->mem, 0, b, k.s, k.n);
            continue;
        }
        if (k.n == 0)
            continue;
        size_t i = (size_t)k.m * h->W + (size_t)k.n;
        int32_t pol = k.kind == HK_O ? h->pO[i] : h->pP[i];
        int64_t j = pol >> 2;
        /* a child that takes one more slow slot */
        int64_t mc = h->unlimited ? k.m : k.m - 1;
        if (pol == HR_MEM) { /* the start into memory (h_0 is there), then C_hsm */
            mb_builder_forward(b, k.s, k.s);
            if (k.kind == HK_P)
                mb_builder_free(b, k.s);
            if (k.s != 0 || k.kind == HK_P)
                mb_builder_store_at(b, k.s, 0, MB_LEVEL_MEMORY);
            st[n++] = (hr_task){HK_MEM, k.s, k.n, 0};
        } else if (pol == HR_SLOW) { /* H-Revolve: the start to the slow store */
            to_slow(b, k.s);
            st[n++] = (hr_task){HK_P, k.s, k.n, k.m};
        } else if (k.kind == HK_O) { /* Disk-Revolve: start to disk, split at j */
            to_slow(b, k.s);
            mb_builder_forward(b, k.s, k.s + j);
            st[n++] = (hr_task){HK_P, k.s, j, k.m};
            st[n++] = (hr_task){HK_RELEASE, k.s + j, 0, 0};
            st[n++] = (hr_task){HK_O, k.s + j, k.n - j, k.m};
        } else { /* a split of a start on the slow store */
            mb_builder_forward(b, k.s, k.s + j);
            st[n++] = (hr_task){HK_P, k.s, j, k.m};
            st[n++] = (hr_task){HK_RELEASE, k.s + j, 0, 0};
            if (h->disk) { /* 1D-Revolve: the child in memory */
                mb_builder_store_at(b, k.s + j, 0, MB_LEVEL_MEMORY);
                st[n++] = (hr_task){HK_MEM, k.s + j, k.n - j, 0};
            } else
                st[n++] = (hr_task){HK_O, k.s + j, k.n - j, mc};
        }
    }
    mb_free(st);
}

int mb_hrevolve_build(const char *name, int disk, const mb_problem *p,
                      const mb_solve_options *o, mb_plan **out, double *time_out)
{
    const mb_tl_costs k = mb_twolevel_costs(p, o);
    hr_table h;
    int rc = hr_fill(&h, disk, p, o, &k);
    if (rc == MB_OK) {
        double want = h.O[(size_t)h.K * h.W + (size_t)h.T];
        mb_builder b;
        if ((rc = mb_builder_init(&b, name, p)) == MB_OK) {
            hr_emit(&h, &b);
            b.rc = mb_twolevel_check_time(&b, o, want);
            rc = mb_builder_finish(&b, out);
        }
        if (rc == MB_OK && time_out != NULL)
            *time_out = want;
    }
    hr_free(&h);
    return rc;
}

static int build_hrevolve(const mb_problem *p, const mb_solve_options *o, mb_plan **out)
{
    return mb_hrevolve_build("hrevolve", 0, p, o, out, NULL);
}

static int build_disk_revolve(const mb_problem *p, const mb_solve_options *o, mb_plan **out)
{
    return mb_hrevolve_build("disk-revolve", 1, p, o, out, NULL);
}

#define HR_TIE_BREAK "the start into memory unless the slow store is strictly cheaper; smallest j"

const mb_solver_type mb_solver_hrevolve = {
    "hrevolve",
    "H-Revolve (Herrmann & Pallez 2020): hidden states over memory and a slow store of "
    "limited size (least predicted time in its class)",
    .tie_break = HR_TIE_BREAK,
    .min_budget = mb_twolevel_min_budget,
    .build = build_hrevolve,
    .flags = MB_SOLVER_TWO_LEVEL | MB_SOLVER_DP};

const mb_solver_type mb_solver_disk_revolve = {
    "disk-revolve",
    "Disk-Revolve (Aupy, Herrmann, Hovland & Robert 2016): hidden states over memory and an "
    "unlimited slow store (least predicted time in its class)",
    .tie_break = HR_TIE_BREAK,
    .min_budget = mb_twolevel_min_budget,
    .build = build_disk_revolve,
    .flags = MB_SOLVER_TWO_LEVEL | MB_SOLVER_DP};
