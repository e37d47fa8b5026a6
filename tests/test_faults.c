/* test_faults.c: the page-fault guard (docs/design.md, "The executor", the arena). The headline shape scaled
 * down (LSTM, I = H = 128, B = 16, T = 1000, msm at 5%; full BPTT's store is 73 MB, past
 * glibc's largest mmap threshold, so a store allocated per run would be fresh pages every run)
 * runs the plan, full BPTT and the straight loop on one network. It asserts that each side's
 * store was resident before its first timed op, even in the warm-up (so it was touched, not
 * merely allocated), and that after the warm-up no phase of either side takes more than a few
 * page faults, counted by the kernel's software event for this thread. Linux only; exits 77
 * (skipped) with the reason where perf_event_open is refused. */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/error.h"
#include "exec/exec.h"
#include "solvers/solvers.h"

#define SKIP 77
/* A few faults are allowed: a stack page or a lazily mapped library page may land anywhere. */
#define FEW_FAULTS 8

static int fault_fd = -1;

static int64_t faults_now(void)
{
    uint64_t v = 0;
    if (read(fault_fd, &v, sizeof v) != (ssize_t)sizeof v) {
        fprintf(stderr, "FAIL: reading the page-fault counter: %s\n", strerror(errno));
        exit(1);
    }
    return (int64_t)v;
}

static int open_faults(int exclude_kernel)
{
    struct perf_event_attr a;
    memset(&a, 0, sizeof a);
    a.size = sizeof a;
    a.type = PERF_TYPE_SOFTWARE;
    a.config = PERF_COUNT_SW_PAGE_FAULTS;
    a.exclude_kernel = exclude_kernel ? 1u : 0u;
    a.exclude_hv = 1;
    return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

/* Faults per phase of one run, attributed at each phase change by the runner's hook. */
typedef struct {
    int64_t last;
    int64_t by_phase[MB_EXEC_PHASES];
} phase_faults;

static void hook(void *ctx, int from, int to)
{
    (void)to;
    phase_faults *pf = ctx;
    int64_t now = faults_now();
    if (from >= 0 && from < MB_EXEC_PHASES)
        pf->by_phase[from] += now - pf->last;
    pf->last = now;
}

static const char *const phase_name[MB_EXEC_PHASES] = {"first forward", "recompute", "backward",
                                                       "store/restore/free"};
static int failures;

static void run_side(mb_net *net, const mb_plan *plan, int side, int rep)
{
    const char *who = side == MB_EXEC_SIDE_PLAN ? "msm 5%" : "full BPTT";
    phase_faults pf;
    memset(&pf, 0, sizeof pf);
    mb_run_options o = {.side = side, .phase_hook = hook, .hook_ctx = &pf};
    mb_exec_stats st;
    if (mb_net_run(net, plan, &o, &st) != MB_OK) {
        fprintf(stderr, "FAIL: %s: %s\n", who, mb_errmsg());
        exit(1);
    }
    if (st.store_pages <= 0 || st.store_resident_pages != st.store_pages) {
        fprintf(stderr,
                "FAIL: %s run %d: the arena was not touched before timing (%lld of %lld pages "
                "resident)\n",
                who, rep, (long long)st.store_resident_pages, (long long)st.store_pages);
        failures++;
    }
    if (rep == 0)
        return; /* the warm-up */
    for (int ph = 0; ph < MB_EXEC_PHASES; ph++)
        if (pf.by_phase[ph] > FEW_FAULTS) {
            fprintf(stderr, "FAIL: %s run %d: %lld page faults in its timed %s phase (at most %d)\n",
                    who, rep, (long long)pf.by_phase[ph], phase_name[ph], FEW_FAULTS);
            failures++;
        }
}

static void run_straight(mb_net *net, int rep)
{
    mb_exec_stats st;
    int64_t before = faults_now();
    if (mb_net_run_straight(net, &st) != MB_OK) {
        fprintf(stderr, "FAIL: straight loop: %s\n", mb_errmsg());
        exit(1);
    }
    int64_t faults = faults_now() - before;
    if (st.store_pages <= 0 || st.store_resident_pages != st.store_pages) {
        fprintf(stderr, "FAIL: straight loop run %d: its store was not touched before timing "
                        "(%lld of %lld pages resident)\n",
                rep, (long long)st.store_resident_pages, (long long)st.store_pages);
        failures++;
    }
    if (rep > 0 && faults > FEW_FAULTS) {
        fprintf(stderr, "FAIL: straight loop run %d: %lld page faults (at most %d)\n", rep,
                (long long)faults, FEW_FAULTS);
        failures++;
    }
}

int main(void)
{
    fault_fd = open_faults(0);
    if (fault_fd < 0)
        fault_fd = open_faults(1); /* perf_event_paranoid >= 2: user mode only */
    if (fault_fd < 0) {
        printf("SKIP: perf_event_open refused the software page-fault event (%s); the page-fault "
               "guard cannot run here\n",
               strerror(errno));
        return SKIP;
    }
    mb_exec_config c = mb_exec_config_default();
    c.input = c.hidden = 128;
    c.batch = 16;
    c.steps = 1000;
    mb_problem p;
    mb_plan *full = NULL;
    mb_net *net = NULL;
    if (mb_exec_problem(&c, &p) != MB_OK || mb_plan_full(&p, &full) != MB_OK ||
        mb_net_create(&c, &net) != MB_OK) {
        fprintf(stderr, "FAIL: setting up: %s\n", mb_errmsg());
        return 1;
    }
    p.budget = full->problem.budget * 5 / 100;
    mb_solution s;
    if (mb_solve(mb_solver_lookup("msm"), &p, NULL, &s) != MB_OK || !s.feasible) {
        fprintf(stderr, "FAIL: msm at 5%%: %s\n", mb_errmsg());
        return 1;
    }
    /* A warm-up (rep 0), then two repetitions, interleaved as mb_exec_run does. */
    for (int rep = 0; rep < 3; rep++) {
        run_side(net, s.plan, MB_EXEC_SIDE_PLAN, rep);
        run_side(net, full, MB_EXEC_SIDE_FULL, rep);
        run_straight(net, rep);
    }
    mb_net_free(net);
    mb_plan_free(s.plan);
    mb_plan_free(full);
    close(fault_fd);
    return failures ? 1 : 0;
}
