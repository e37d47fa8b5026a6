/* plan.c: building plans and reading and writing the plan file. */
#include "core/plan.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/json.h"

static const char *const op_names[MB_OP_KIND_COUNT] = {
    "forward", "store_hidden", "store_internal", "restore", "backward", "free",
};

const char *mb_op_name(int kind)
{
    return kind >= 0 && kind < MB_OP_KIND_COUNT ? op_names[kind] : NULL;
}

int mb_op_from_name(const char *name, mb_op_kind *kind)
{
    for (int k = 0; k < MB_OP_KIND_COUNT; k++)
        if (strcmp(name, op_names[k]) == 0) {
            *kind = (mb_op_kind)k;
            return MB_OK;
        }
    return MB_ERROR(MB_EINVAL,
                    "unknown op '%s'; the ops are forward, store_hidden, store_internal, "
                    "restore, backward, free",
                    name);
}

mb_plan *mb_plan_alloc(const char *solver, const mb_problem *p, size_t reserve)
{
    mb_plan *plan = mb_calloc(1, sizeof *plan);
    if (plan == NULL)
        return NULL;
    snprintf(plan->solver, sizeof plan->solver, "%s", solver);
    plan->problem = *p;
    plan->forward_ops = -1;
    plan->peak = -1;
    if (reserve > 0) {
        plan->ops = mb_malloc(reserve * sizeof *plan->ops);
        if (plan->ops == NULL) {
            mb_free(plan);
            return NULL;
        }
        plan->cap = reserve;
    }
    return plan;
}

void mb_plan_free(mb_plan *plan)
{
    if (plan == NULL)
        return;
    mb_free(plan->ops);
    mb_free(plan);
}

int mb_plan_check_size(const char *solver, int64_t steps, uint64_t ops, int at_least)
{
    if (ops <= MB_PLAN_MAX_OPS)
        return MB_OK;
    return MB_ERROR(MB_ERANGE,
                    "the %s plan for t = %lld has %s%llu ops, over the limit of %zu ops a plan "
                    "may hold; use fewer steps",
                    solver, (long long)steps, at_least ? "at least " : "",
                    (unsigned long long)ops, MB_PLAN_MAX_OPS);
}

int mb_op_has_level(int kind)
{
    return kind == MB_OP_STORE_HIDDEN || kind == MB_OP_STORE_INTERNAL || kind == MB_OP_RESTORE ||
           kind == MB_OP_FREE;
}

int mb_plan_push(mb_plan *plan, mb_op_kind kind, int64_t step)
{
    return mb_plan_push_at(plan, kind, step, MB_LEVEL_MEMORY);
}

int mb_plan_push_at(mb_plan *plan, mb_op_kind kind, int64_t step, int level)
{
    if (plan->n_ops == plan->cap) {
        if (plan->n_ops >= MB_PLAN_MAX_OPS)
            return MB_ERROR(MB_ERANGE,
                            "the plan exceeds %zu ops (%s, t = %lld); use fewer steps or a "
                            "larger budget",
                            MB_PLAN_MAX_OPS, plan->solver, (long long)plan->problem.steps);
        size_t cap = plan->cap ? plan->cap * 2 : 256;
        mb_op *ops = mb_realloc(plan->ops, cap * sizeof *ops);
        if (ops == NULL)
            return MB_ERROR(MB_ENOMEM, "out of memory growing a plan past %zu ops", plan->cap);
        plan->ops = ops;
        plan->cap = cap;
    }
    plan->ops[plan->n_ops].step = (int32_t)step;
    plan->ops[plan->n_ops].kind = (uint8_t)kind;
    plan->ops[plan->n_ops].level = (uint8_t)level;
    plan->n_ops++;
    return MB_OK;
}

int mb_plan_write_json(const mb_plan *plan, FILE *f)
{
    const mb_problem *p = &plan->problem;
    const int two = p->slow_budget != 0;
    fprintf(f, "{\"format\": \"%s\", \"version\": %d, \"solver\": ", MB_PLAN_FORMAT,
            two ? MB_PLAN_VERSION : MB_PLAN_VERSION_ONE_LEVEL);
    mb_json_write_string(f, plan->solver);
    fprintf(f,
            ", \"steps\": %lld, \"hidden_units\": %lld, \"internal_units\": %lld, "
            "\"unit_bytes\": %lld, \"budget\": %lld",
            (long long)p->steps, (long long)p->hidden_units, (long long)p->internal_units,
            (long long)p->unit_bytes, (long long)p->budget);
    if (p->slow_budget == MB_SLOW_UNLIMITED)
        fputs(", \"slow_budget\": \"unlimited\"", f);
    else if (two)
        fprintf(f, ", \"slow_budget\": %lld", (long long)p->slow_budget);
    /* declarations that are not known (-1) are left out, as the reader asks */
    if (plan->forward_ops >= 0)
        fprintf(f, ", \"forward_ops\": %lld", (long long)plan->forward_ops);
    if (plan->peak >= 0)
        fprintf(f, ", \"peak\": %lld", (long long)plan->peak);
    fputs(",\n \"ops\": [", f);
    for (size_t i = 0; i < plan->n_ops; i++) {
        const mb_op *op = &plan->ops[i];
        if (two && mb_op_has_level(op->kind))
            fprintf(f, "%s[\"%s\", %d, %d]", i ? ",\n  " : "\n  ", op_names[op->kind], op->step,
                    op->level);
        else
            fprintf(f, "%s[\"%s\", %d]", i ? ",\n  " : "\n  ", op_names[op->kind], op->step);
    }
    fputs("]}\n", f);
    return ferror(f) ? MB_ERROR(MB_EIO, "error writing the plan file") : MB_OK;
}

int mb_plan_save(const mb_plan *plan, const char *path)
{
    mb_atomic_file af;
    int rc = mb_atomic_open(&af, path);
    if (rc != MB_OK)
        return rc;
    /* a write error leaves the stream in error: the commit reports it with the path and the
     * reason (ENOSPC, EFBIG, ...) and removes the temporary file */
    (void)mb_plan_write_json(plan, af.f);
    return mb_atomic_commit(&af);
}

uint64_t mb_plan_full_ops(int64_t steps)
{
    return 4 * (uint64_t)steps - 2; /* t forward, t-1 stores, t backward, t-1 frees */
}

int mb_plan_full(const mb_problem *p, mb_plan **out)
{
    mb_problem q = *p;
    int rc = mb_problem_full_units(&q, &q.budget);
    if (rc == MB_OK)
        rc = mb_plan_check_size("full", q.steps, mb_plan_full_ops(q.steps), 0);
    if (rc != MB_OK)
        return rc;
    mb_plan *plan = mb_plan_alloc("full", &q, (size_t)mb_plan_full_ops(q.steps));
    if (plan == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory for full BPTT's plan (t = %lld)",
                        (long long)q.steps);
    for (int64_t k = 1; k <= q.steps && rc == MB_OK; k++) {
        rc = mb_plan_push(plan, MB_OP_FORWARD, k);
        if (rc == MB_OK && k < q.steps)
            rc = mb_plan_push(plan, MB_OP_STORE_INTERNAL, k);
    }
    if (rc == MB_OK)
        rc = mb_plan_push(plan, MB_OP_BACKWARD, q.steps);
    for (int64_t k = q.steps - 1; k >= 1 && rc == MB_OK; k--) {
        rc = mb_plan_push(plan, MB_OP_BACKWARD, k);
        if (rc == MB_OK)
            rc = mb_plan_push(plan, MB_OP_FREE, k);
    }
    if (rc != MB_OK) {
        mb_plan_free(plan);
        return rc;
    }
    plan->forward_ops = q.steps;
    plan->peak = q.budget;
    *out = plan;
    return MB_OK;
}
