/* registry.c: the solvers by name, and mb_solve, which every caller goes through. */
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "solvers/solvers.h"

static const mb_solver_type *const all[] = {
    &mb_solver_full, &mb_solver_sqrt, &mb_solver_chen, &mb_solver_revolve,
    &mb_solver_hsm,  &mb_solver_ism,  &mb_solver_msm,    &mb_solver_msm_free,
    &mb_solver_msm2, &mb_solver_hrevolve, &mb_solver_disk_revolve,
};

const mb_solver_type *const *mb_solver_all(size_t *count)
{
    *count = sizeof all / sizeof all[0];
    return all;
}

const mb_solver_type *mb_solver_lookup(const char *name)
{
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(all[i]->name, name) == 0)
            return all[i];
    return NULL;
}

const char *mb_solver_names(void) { return "full, sqrt, chen, revolve, hsm, ism, msm, msm-free, msm2, hrevolve, disk-revolve"; }

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int mb_solve(const mb_solver_type *type, const mb_problem *p, const mb_solve_options *o,
             mb_solution *out)
{
    out->feasible = 0;
    out->min_budget = -1;
    out->plan = NULL;
    out->solve_seconds = 0.0;
    int rc = mb_problem_check(p);
    if (rc != MB_OK)
        return rc;
    double t0 = now_seconds();
    rc = type->min_budget(p, &out->min_budget);
    if (rc == MB_OK && p->budget >= out->min_budget) {
        rc = type->build(p, o, &out->plan);
        out->feasible = rc == MB_OK;
    }
    out->solve_seconds = now_seconds() - t0;
    return rc;
}
