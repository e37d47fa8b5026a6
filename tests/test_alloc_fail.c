/* test_alloc_fail.c: allocation failures, SQLite's fault simulation over the allocator hook
 * (docs/design.md, "Allocation"). For each entry point (every solver's solve, saving, loading
 * and replaying a plan, an execution at a tiny size, a tiny sweep) and k = 1, 2, ... until the
 * operation no longer reaches its k-th allocation, the k-th call of mb_malloc and its siblings
 * fails once, and then (but for the sweep) together with every call after it. The operation
 * must then return MB_ENOMEM (nothing else), leave no output file behind (a sweep may leave
 * whole rows, which a rerun resumes to the same file), give back
 * every block it took (counted here, in every build; the sanitizer build's LeakSanitizer
 * checks the same at exit), and a run that meets no failure must give the answer of a run
 * without the hook. Prints FAIL lines and exits 1 on any failure. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/plan.h"
#include "exec/exec.h"
#include "sim/sim.h"
#include "solvers/solvers.h"
#include "sweep/sweep.h"

/* --- the failing allocator --------------------------------------------------------------- */

static long calls;   /* allocation calls since arm() */
static long fail_at; /* the call that fails; 0: none */
static int sticky;   /* 1: every call from fail_at on fails too (SQLite's persistent mode) */
static long failed;  /* calls that were failed */
static long live;    /* blocks handed out and not yet given back */

static int should_fail(void)
{
    if (++calls == fail_at || (sticky && fail_at > 0 && calls > fail_at)) {
        failed++;
        return 1;
    }
    return 0;
}

static void *f_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    void *p = malloc(n);
    live += p != NULL;
    return p;
}

static void *f_calloc(size_t c, size_t n)
{
    if (should_fail())
        return NULL;
    void *p = calloc(c, n);
    live += p != NULL;
    return p;
}

static void *f_realloc(void *old, size_t n)
{
    if (should_fail())
        return NULL;
    void *p = realloc(old, n);
    live += old == NULL && p != NULL;
    return p;
}

static void f_free(void *p)
{
    live -= p != NULL;
    free(p);
}

static void arm(long k)
{
    calls = 0;
    failed = 0;
    fail_at = k;
}

static int n_fail;

#define FAIL(...)                                                                              \
    do {                                                                                       \
        printf("FAIL: " __VA_ARGS__);                                                          \
        printf("\n");                                                                          \
        n_fail++;                                                                              \
    } while (0)

/* An operation under test: runs once, returns its status, and on MB_OK compares what it made
 * with the reference run's (ctx holds both); `leftovers` says whether a failed run left an
 * output behind (NULL: it writes none). */
typedef struct {
    const char *name;
    int (*run)(void *ctx);
    int (*same)(void *ctx); /* 1 when the last successful run matches the reference */
    int (*leftovers)(void *ctx);
    void *ctx;
} op;

/* The fault loop of one operation: a reference run without failures, then k = 1, 2, ...;
 * with sticky_mode, every allocation from the k-th on fails (the recovery paths must not need
 * memory either). */
static void fault_loop_mode(const op *o, int sticky_mode)
{
    sticky = 0;
    arm(0);
    long base = live;
    int rc = o->run(o->ctx);
    long total = calls;
    if (rc != MB_OK) {
        FAIL("%s: the run without failures returned %s (%s)", o->name, mb_strerror_name(rc),
             mb_errmsg());
        return;
    }
    if (live != base)
        FAIL("%s: the run without failures kept %ld blocks", o->name, live - base);
    long k;
    for (k = 1;; k++) {
        arm(k);
        sticky = sticky_mode;
        base = live;
        rc = o->run(o->ctx);
        if (live != base)
            FAIL("%s: failing allocation %ld: %ld blocks not given back (%s)", o->name, k,
                 live - base, mb_strerror_name(rc));
        if (failed == 0) { /* done: the operation no longer reaches call k */
            if (rc != MB_OK)
                FAIL("%s: with no failure left it returned %s (%s)", o->name,
                     mb_strerror_name(rc), mb_errmsg());
            break;
        }
        if (rc == MB_OK) {
            /* an allocation the operation can do without (a cache, a fallback) */
            if (o->same && !o->same(o->ctx))
                FAIL("%s: failing allocation %ld: MB_OK, but not the reference answer", o->name,
                     k);
        } else if (rc != MB_ENOMEM) {
            FAIL("%s: failing allocation %ld of %ld: %s (%s), expected MB_ENOMEM", o->name, k,
                 total, mb_strerror_name(rc), mb_errmsg());
        }
        if (rc != MB_OK && o->leftovers && o->leftovers(o->ctx))
            FAIL("%s: failing allocation %ld: a partial output was left behind", o->name, k);
        if (k > 100000) {
            FAIL("%s: still failing past 100000 allocations", o->name);
            break;
        }
    }
    arm(0);
    sticky = 0;
    printf("ok - %s: %ld allocations, each failed %s\n", o->name, k - 1,
           sticky_mode ? "with every one after it" : "once");
}

/* Both modes: the k-th allocation fails alone, then with every later one. */
static void fault_loop(const op *o)
{
    fault_loop_mode(o, 0);
    fault_loop_mode(o, 1);
}

/* --- solve -------------------------------------------------------------------------------- */

typedef struct {
    const mb_solver_type *type;
    mb_problem p;
    mb_solve_options o;
    int feasible;
    int64_t min_budget, forward_ops, peak;
    size_t n_ops;
    int have_ref;
    int same;
} solve_ctx;

static int solve_run(void *v)
{
    solve_ctx *c = v;
    mb_solution s;
    int rc = mb_solve(c->type, &c->p, &c->o, &s);
    if (rc != MB_OK)
        return rc;
    int64_t fw = s.plan ? s.plan->forward_ops : -1, pk = s.plan ? s.plan->peak : -1;
    size_t n = s.plan ? s.plan->n_ops : 0;
    if (!c->have_ref) {
        c->have_ref = 1;
        c->feasible = s.feasible;
        c->min_budget = s.min_budget;
        c->forward_ops = fw;
        c->peak = pk;
        c->n_ops = n;
    }
    c->same = s.feasible == c->feasible && s.min_budget == c->min_budget && fw == c->forward_ops &&
              pk == c->peak && n == c->n_ops;
    mb_plan_free(s.plan);
    return MB_OK;
}

static int solve_same(void *v) { return ((solve_ctx *)v)->same; }

static void test_solvers(void)
{
    size_t n;
    const mb_solver_type *const *all = mb_solver_all(&n);
    for (size_t i = 0; i < n; i++) {
        int methods = all[i]->flags & MB_SOLVER_DP ? 3 : 1;
        for (int m = 0; m < methods; m++) {
            solve_ctx c = {.type = all[i]};
            c.p.steps = 24;
            mb_problem_set_alpha(&c.p, 3);
            c.p.budget = 12;
            if (all[i]->flags & MB_SOLVER_TWO_LEVEL)
                c.p.slow_budget = MB_SLOW_UNLIMITED;
            c.o.dp_method = (mb_dp_method)m;
            mb_solution s; /* at the smallest feasible budget when 12 units is not */
            if (mb_solve(c.type, &c.p, &c.o, &s) == MB_OK && !s.feasible)
                c.p.budget = s.min_budget;
            mb_plan_free(s.plan);
            char name[96];
            snprintf(name, sizeof name, "solve %s%s", all[i]->name,
                     m == 1 ? " (textbook DP)" : m == 2 ? " (branch and bound DP)" : "");
            op o = {name, solve_run, solve_same, NULL, &c};
            fault_loop(&o);
        }
    }
}

/* --- plan files: save, then load and replay (membptt verify) -------------------------------- */

typedef struct {
    const mb_plan *plan;
    char dir[64], path[128];
    mb_sim_report ref;
    int have_ref, same;
} plan_ctx;

/* 1 when dir holds any entry but `keep` (NULL: any entry at all). */
static int dir_has_other(const char *dir, const char *keep)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return 1;
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            (keep == NULL || strcmp(e->d_name, keep) != 0))
            found = 1;
    closedir(d);
    return found;
}

static int save_run(void *v)
{
    plan_ctx *c = v;
    unlink(c->path);
    return mb_plan_save(c->plan, c->path);
}

static int save_leftovers(void *v) { return dir_has_other(((plan_ctx *)v)->dir, NULL); }

static int verify_run(void *v)
{
    plan_ctx *c = v;
    mb_plan *p;
    int rc = mb_plan_load(c->path, &p);
    if (rc != MB_OK)
        return rc;
    mb_sim_report rep;
    rc = mb_sim_replay(p, &rep);
    mb_plan_free(p);
    if (rc != MB_OK)
        return rc;
    if (!c->have_ref) {
        c->have_ref = 1;
        c->ref = rep;
    }
    c->same = memcmp(&rep, &c->ref, sizeof rep) == 0 && rep.valid;
    return MB_OK;
}

static int verify_same(void *v) { return ((plan_ctx *)v)->same; }

static void test_plan_files(void)
{
    mb_problem p = {.steps = 30, .budget = 14};
    mb_problem_set_alpha(&p, 2);
    mb_solve_options so = {0};
    mb_solution s;
    if (mb_solve(&mb_solver_msm, &p, &so, &s) != MB_OK || !s.feasible) {
        FAIL("plan files: msm found no plan (%s)", mb_errmsg());
        return;
    }
    plan_ctx c = {.plan = s.plan};
    snprintf(c.dir, sizeof c.dir, "/tmp/mb_alloc_fail_XXXXXX");
    if (mkdtemp(c.dir) == NULL) {
        FAIL("plan files: mkdtemp");
        mb_plan_free(s.plan);
        return;
    }
    snprintf(c.path, sizeof c.path, "%s/plan.json", c.dir);
    op save = {"save a plan", save_run, NULL, save_leftovers, &c};
    fault_loop(&save);
    op verify = {"load and replay a plan (verify)", verify_run, verify_same, NULL, &c};
    fault_loop(&verify);
    unlink(c.path);
    rmdir(c.dir);
    mb_plan_free(s.plan);
}

/* --- exec: an LSTM at a tiny size, msm's plan against full BPTT ----------------------------- */

typedef struct {
    mb_exec_config cfg;
    const mb_plan *plan;
    mb_exec_result ref;
    int have_ref, same;
} exec_ctx;

static int exec_run(void *v)
{
    exec_ctx *c = v;
    static mb_exec_result r; /* large: not on the stack */
    int rc = mb_exec_run(&c->cfg, c->plan, &r);
    if (rc != MB_OK)
        return rc;
    if (!c->have_ref) {
        c->have_ref = 1;
        c->ref = r;
    }
    c->same = r.forward_ops == c->ref.forward_ops && r.recompute_ops == c->ref.recompute_ops &&
              r.peak_store_bytes == c->ref.peak_store_bytes && r.grad_bitwise_equal &&
              r.loss == c->ref.loss;
    return MB_OK;
}

static int exec_same(void *v) { return ((exec_ctx *)v)->same; }

static void test_exec(void)
{
    static exec_ctx c; /* holds an mb_exec_result: not on the stack */
    c.cfg = mb_exec_config_default();
    c.cfg.cell = MB_CELL_LSTM;
    c.cfg.input = 3;
    c.cfg.hidden = 4;
    c.cfg.batch = 2;
    c.cfg.steps = 6;
    c.cfg.repeat = 1;
    c.cfg.retry_contended = 0;
    mb_problem p;
    mb_solve_options so = {0};
    mb_solution s;
    if (mb_exec_problem(&c.cfg, &p) != MB_OK) {
        FAIL("exec: no problem for the configuration (%s)", mb_errmsg());
        return;
    }
    int64_t full;
    mb_problem_full_units(&p, &full);
    p.budget = full / 2;
    if (mb_solve(&mb_solver_msm, &p, &so, &s) != MB_OK || !s.feasible) {
        FAIL("exec: msm found no plan (%s)", mb_errmsg());
        return;
    }
    c.plan = s.plan;
    op o = {"exec run (LSTM, T = 6, msm at half of full BPTT's memory)", exec_run, exec_same,
            NULL, &c};
    fault_loop(&o);
    mb_plan_free(s.plan);
}

/* --- sweep: two analytic points into a fresh folder ---------------------------------------- */

typedef struct {
    char dir[64], csv[128];
    char *ref_csv; /* the reference run's CSV */
    int same;
} sweep_ctx;

static const char sweep_ini[] = "[output]\nname = tiny\n[solvers]\nnames = hsm, msm\n"
                                "[problem]\nsteps = 12\nalpha = 2\nbudget = 40%\n";

static void remove_dir_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

static int sweep_once(sweep_ctx *c)
{
    mb_sweep_config *cfg = NULL;
    int rc = mb_sweep_config_parse("tiny.ini", sweep_ini, &cfg);
    if (rc == MB_OK)
        rc = mb_sweep_config_check(cfg);
    mb_sweep_result res;
    mb_sweep_options so = {.out_dir = c->dir, .sync = MB_SWEEP_SYNC_END};
    if (rc == MB_OK)
        rc = mb_sweep_run(cfg, &so, &res);
    mb_sweep_config_free(cfg);
    return rc;
}

static int sweep_run(void *v)
{
    sweep_ctx *c = v;
    remove_dir_files(c->dir);
    int rc = sweep_once(c);
    if (rc != MB_OK)
        return rc;
    char *text;
    size_t len;
    long saved = fail_at;
    fail_at = 0; /* reading the result back is not the operation */
    rc = mb_read_file(c->csv, &text, &len);
    fail_at = saved;
    if (rc != MB_OK)
        return rc;
    if (c->ref_csv == NULL)
        c->ref_csv = strdup(text); /* the C library's: not counted as the operation's */
    c->same = c->ref_csv != NULL && strcmp(text, c->ref_csv) == 0;
    mb_free(text);
    return MB_OK;
}

static int sweep_same(void *v) { return ((sweep_ctx *)v)->same; }

/* After a failed sweep the folder may hold whole rows, never a torn one: a rerun without
 * failures resumes it to the reference file. */
static int sweep_leftovers(void *v)
{
    sweep_ctx *c = v;
    long saved_at = fail_at, saved_calls = calls, saved_failed = failed, saved_live = live;
    fail_at = 0;
    int bad = sweep_once(c) != MB_OK;
    char *text = NULL;
    size_t len;
    if (!bad && mb_read_file(c->csv, &text, &len) == MB_OK)
        bad = strcmp(text, c->ref_csv) != 0;
    else
        bad = 1;
    mb_free(text);
    fail_at = saved_at;
    calls = saved_calls;
    failed = saved_failed;
    if (live != saved_live) {
        FAIL("sweep: the resuming rerun kept %ld blocks", live - saved_live);
        live = saved_live;
    }
    return bad;
}

static void test_sweep(void)
{
    sweep_ctx c = {0};
    /* on tmpfs where there is one: a sweep syncs its files, some 200 times here */
    struct stat st;
    snprintf(c.dir, sizeof c.dir, "%s/mb_alloc_fail_XXXXXX",
             stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0
                 ? "/dev/shm"
                 : "/tmp");
    if (mkdtemp(c.dir) == NULL) {
        FAIL("sweep: mkdtemp");
        return;
    }
    snprintf(c.csv, sizeof c.csv, "%s/tiny.csv", c.dir);
    op o = {"sweep (hsm and msm, one problem)", sweep_run, sweep_same, sweep_leftovers, &c};
    fault_loop_mode(&o, 0); /* once only: each run costs the sweep's metadata (0.2 s) */
    free(c.ref_csv);
    remove_dir_files(c.dir);
    rmdir(c.dir);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (mb_replace_allocator(f_malloc, f_realloc, f_calloc, f_free) != MB_OK) {
        printf("FAIL: mb_replace_allocator refused the test allocator\n");
        return 1;
    }
    test_solvers();
    test_plan_files();
    test_exec();
    test_sweep();
    if (n_fail) {
        printf("%d failures\n", n_fail);
        return 1;
    }
    return 0;
}
