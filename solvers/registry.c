/* registry.c: the solver table (every solver fact lives in its entry; docs/design.md, "Adding a
 * solver"), lookup by name, the name list made from the table, and mb_solve, which every
 * caller goes through. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "solvers/solvers.h"

/* The registry, in the order --help, compare and the name list show. */
static const mb_solver_type *const all[] = {
    &mb_solver_full, &mb_solver_sqrt, &mb_solver_chen, &mb_solver_revolve,
    &mb_solver_hsm,  &mb_solver_ism,  &mb_solver_msm,  &mb_solver_msm_free,
    &mb_solver_msm2, &mb_solver_hrevolve, &mb_solver_disk_revolve,
};
#define N_SOLVERS (sizeof all / sizeof all[0])

const mb_solver_type *const *mb_solver_all(size_t *count)
{
    *count = N_SOLVERS;
    return all;
}

const mb_solver_type *mb_solver_lookup(const char *name)
{
    for (size_t i = 0; i < N_SOLVERS; i++)
        if (strcmp(all[i]->name, name) == 0)
            return all[i];
    return NULL;
}

/* The name list, written once (pthread_once) from the table and only read afterwards. */
static char names[N_SOLVERS * 32];
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void names_init(void)
{
    size_t used = 0;
    for (size_t i = 0; i < N_SOLVERS && used < sizeof names; i++) {
        int n = snprintf(names + used, sizeof names - used, "%s%s", i ? ", " : "", all[i]->name);
        used += n > 0 ? (size_t)n : 0;
    }
}

const char *mb_solver_names(void)
{
    pthread_once(&names_once, names_init);
    return names;
}

int mb_solver_plan_ops(const mb_solver_type *type, const mb_problem *p, uint64_t *ops,
                       int *exact)
{
    if (type->plan_ops == NULL)
        return MB_ERROR(MB_EINVAL, "%s: no closed-form op count", type->name);
    return type->plan_ops(p, ops, exact);
}

int mb_solver_check_ops(const mb_solver_type *type, const mb_problem *p)
{
    uint64_t ops;
    int exact;
    if (type->plan_ops == NULL)
        return MB_OK;
    int rc = type->plan_ops(p, &ops, &exact);
    return rc == MB_OK ? mb_plan_check_size(type->name, p->steps, ops, !exact) : rc;
}

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
        if ((rc = mb_solver_check_ops(type, p)) == MB_OK) /* the limits before the build */
            rc = type->build(p, o, &out->plan);
        out->feasible = rc == MB_OK;
    }
    out->solve_seconds = now_seconds() - t0;
    return rc;
}

int mb_solve_check(const mb_solver_type *type, const mb_problem *p, const mb_solve_options *o,
                   double *table_bytes)
{
    double bytes = 0;
    int64_t min;
    int rc = mb_problem_check(p);
    if (rc == MB_OK && (rc = type->min_budget(p, &min)) == MB_OK && p->budget >= min) {
        /* an infeasible budget is an answer, not a refusal: nothing to check */
        rc = mb_solver_check_ops(type, p);
        if (rc == MB_OK && type->table_check != NULL)
            rc = type->table_check(p, o, &bytes);
    }
    if (table_bytes)
        *table_bytes = bytes;
    return rc;
}
