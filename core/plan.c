/* plan.c: building plans and reading and writing the plan file. */
#include "core/plan.h"

#include <stdlib.h>
#include <string.h>

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
    mb_plan *plan = calloc(1, sizeof *plan);
    if (plan == NULL)
        return NULL;
    snprintf(plan->solver, sizeof plan->solver, "%s", solver);
    plan->problem = *p;
    plan->forward_ops = -1;
    plan->peak = -1;
    if (reserve > 0) {
        plan->ops = malloc(reserve * sizeof *plan->ops);
        if (plan->ops == NULL) {
            free(plan);
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
    free(plan->ops);
    free(plan);
}

int mb_plan_push(mb_plan *plan, mb_op_kind kind, int64_t step)
{
    if (plan->n_ops == plan->cap) {
        if (plan->n_ops >= MB_PLAN_MAX_OPS)
            return MB_ERROR(MB_ERANGE,
                            "the plan exceeds %zu ops (%s, t = %lld); use fewer steps or a "
                            "larger budget",
                            MB_PLAN_MAX_OPS, plan->solver, (long long)plan->problem.steps);
        size_t cap = plan->cap ? plan->cap * 2 : 256;
        mb_op *ops = realloc(plan->ops, cap * sizeof *ops);
        if (ops == NULL)
            return MB_ERROR(MB_ENOMEM, "out of memory growing a plan past %zu ops", plan->cap);
        plan->ops = ops;
        plan->cap = cap;
    }
    plan->ops[plan->n_ops].step = (int32_t)step;
    plan->ops[plan->n_ops].kind = (uint8_t)kind;
    plan->n_ops++;
    return MB_OK;
}

int mb_plan_write_json(const mb_plan *plan, FILE *f)
{
    const mb_problem *p = &plan->problem;
    fprintf(f, "{\"format\": \"%s\", \"version\": %d, \"solver\": ", MB_PLAN_FORMAT,
            MB_PLAN_VERSION);
    mb_json_write_string(f, plan->solver);
    fprintf(f,
            ", \"steps\": %lld, \"hidden_units\": %lld, \"internal_units\": %lld, "
            "\"unit_bytes\": %lld, \"budget\": %lld, \"forward_ops\": %lld, \"peak\": %lld,\n"
            " \"ops\": [",
            (long long)p->steps, (long long)p->hidden_units, (long long)p->internal_units,
            (long long)p->unit_bytes, (long long)p->budget, (long long)plan->forward_ops,
            (long long)plan->peak);
    for (size_t i = 0; i < plan->n_ops; i++)
        fprintf(f, "%s[\"%s\", %d]", i ? ",\n  " : "\n  ", op_names[plan->ops[i].kind],
                plan->ops[i].step);
    fputs("]}\n", f);
    return ferror(f) ? MB_ERROR(MB_EIO, "error writing the plan file") : MB_OK;
}

int mb_plan_save(const mb_plan *plan, const char *path)
{
    mb_atomic_file af;
    int rc = mb_atomic_open(&af, path);
    if (rc != MB_OK)
        return rc;
    rc = mb_plan_write_json(plan, af.f);
    if (rc != MB_OK) {
        mb_atomic_abort(&af);
        return rc;
    }
    return mb_atomic_commit(&af);
}

/* Reads the "ops" array into plan. */
static int read_ops(mb_json *j, mb_plan *plan)
{
    int rc = mb_json_expect(j, '[');
    if (rc != MB_OK)
        return rc;
    if (mb_json_peek(j) == ']') {
        j->pos++;
        return MB_OK;
    }
    for (;;) {
        char name[32];
        int64_t step;
        mb_op_kind kind = MB_OP_FORWARD;
        size_t at = j->pos;
        if ((rc = mb_json_expect(j, '[')) != MB_OK || (rc = mb_json_string(j, name, sizeof name)) ||
            (rc = mb_json_expect(j, ',')) != MB_OK || (rc = mb_json_int(j, &step)) != MB_OK ||
            (rc = mb_json_expect(j, ']')) != MB_OK)
            return rc;
        if (mb_op_from_name(name, &kind) != MB_OK)
            return MB_ERROR(MB_EPARSE,
                            "op %zu at byte %zu: unknown op '%s'; the ops are forward, "
                            "store_hidden, store_internal, restore, backward, free",
                            plan->n_ops, at, name);
        if (step < 0 || step > INT32_MAX)
            return MB_ERROR(MB_EPARSE, "op %zu at byte %zu: step %lld out of range [0, %d]",
                            plan->n_ops, at, (long long)step, INT32_MAX);
        if ((rc = mb_plan_push(plan, kind, step)) != MB_OK)
            return rc;
        int c = mb_json_peek(j);
        j->pos++;
        if (c == ']')
            return MB_OK;
        if (c != ',') {
            j->pos--;
            return MB_ERROR(MB_EPARSE, "JSON: expected ',' or ']' in ops at byte %zu", j->pos);
        }
    }
}

int mb_plan_read_json(const char *text, size_t len, mb_plan **out)
{
    mb_json j = {text, len, 0};
    mb_problem p = {0};
    mb_plan *plan = mb_plan_alloc("unknown", &p, 0);
    if (plan == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory reading a plan");
    int64_t version = -1;
    int have_format = 0, have_steps = 0, have_h = 0, have_s = 0, have_budget = 0, have_ops = 0;
    int have_fwd = 0, have_peak = 0;
    int rc = mb_json_expect(&j, '{');
    while (rc == MB_OK) {
        char key[64], sval[64];
        if ((rc = mb_json_string(&j, key, sizeof key)) != MB_OK ||
            (rc = mb_json_expect(&j, ':')) != MB_OK)
            break;
        if (strcmp(key, "format") == 0) {
            if ((rc = mb_json_string(&j, sval, sizeof sval)) != MB_OK)
                break;
            if (strcmp(sval, MB_PLAN_FORMAT) != 0) {
                rc = MB_ERROR(MB_EPARSE, "plan file: format '%s'; expected '%s'", sval,
                              MB_PLAN_FORMAT);
                break;
            }
            have_format = 1;
        } else if (strcmp(key, "solver") == 0) {
            rc = mb_json_string(&j, plan->solver, sizeof plan->solver);
        } else if (strcmp(key, "ops") == 0) {
            rc = read_ops(&j, plan);
            have_ops = 1;
        } else {
            int64_t *dst = strcmp(key, "version") == 0          ? &version
                           : strcmp(key, "steps") == 0          ? &plan->problem.steps
                           : strcmp(key, "hidden_units") == 0   ? &plan->problem.hidden_units
                           : strcmp(key, "internal_units") == 0 ? &plan->problem.internal_units
                           : strcmp(key, "unit_bytes") == 0     ? &plan->problem.unit_bytes
                           : strcmp(key, "budget") == 0         ? &plan->problem.budget
                           : strcmp(key, "forward_ops") == 0    ? &plan->forward_ops
                           : strcmp(key, "peak") == 0           ? &plan->peak
                                                                : NULL;
            rc = dst ? mb_json_int(&j, dst) : mb_json_skip(&j);
            have_steps |= dst == &plan->problem.steps;
            have_h |= dst == &plan->problem.hidden_units;
            have_s |= dst == &plan->problem.internal_units;
            have_budget |= dst == &plan->problem.budget;
            have_fwd |= dst == &plan->forward_ops;
            have_peak |= dst == &plan->peak;
        }
        if (rc != MB_OK)
            break;
        int c = mb_json_peek(&j);
        j.pos++;
        if (c == '}')
            break;
        if (c != ',') {
            j.pos--;
            rc = MB_ERROR(MB_EPARSE, "JSON: expected ',' or '}' at byte %zu", j.pos);
        }
    }
    if (rc == MB_OK && mb_json_peek(&j) != 0)
        rc = MB_ERROR(MB_EPARSE, "JSON: trailing data at byte %zu", j.pos);
    if (rc == MB_OK) {
        const char *missing = !have_format  ? "format"
                              : !have_steps ? "steps"
                              : !have_h     ? "hidden_units"
                              : !have_s     ? "internal_units"
                              : !have_budget ? "budget"
                              : !have_ops   ? "ops"
                                            : NULL;
        if (missing)
            rc = MB_ERROR(MB_EPARSE, "plan file: missing key \"%s\"", missing);
        else if (version != MB_PLAN_VERSION)
            rc = MB_ERROR(MB_EPARSE, "plan file: version %lld; this membptt reads version %d",
                          (long long)version, MB_PLAN_VERSION);
        else if ((have_fwd && plan->forward_ops < 0) || (have_peak && plan->peak < 0) ||
                 plan->problem.unit_bytes < 0)
            rc = MB_ERROR(MB_EPARSE, "plan file: forward_ops, peak and unit_bytes must be >= 0 "
                          "(got %lld, %lld, %lld); leave a key out when it is not known",
                          (long long)plan->forward_ops, (long long)plan->peak,
                          (long long)plan->problem.unit_bytes);
        else if (mb_problem_check(&plan->problem) != MB_OK) {
            char why[512];
            snprintf(why, sizeof why, "%s", mb_errmsg());
            rc = MB_ERROR(MB_EPARSE, "plan file: %s", why);
        }
    }
    if (rc != MB_OK) {
        mb_plan_free(plan);
        return rc;
    }
    *out = plan;
    return MB_OK;
}

int mb_plan_load(const char *path, mb_plan **out)
{
    char *text;
    size_t len;
    int rc = mb_read_file(path, &text, &len);
    if (rc != MB_OK)
        return rc;
    rc = mb_plan_read_json(text, len, out);
    free(text);
    return rc;
}
