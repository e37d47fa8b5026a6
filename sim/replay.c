/* replay.c: the plan verifier: an independent replay of the plan IR's rules. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "sim/sim.h"

enum { NONE = 0, HIDDEN = 1, INTERNAL = 2 };

static void violation(mb_sim_report *r, size_t i, const mb_op *op, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void violation(mb_sim_report *r, size_t i, const mb_op *op, const char *fmt, ...)
{
    r->valid = 0;
    r->bad_op = i;
    int n = 0;
    if (op != NULL)
        n = snprintf(r->reason, sizeof r->reason, "op %zu (%s %d): ", i,
                     mb_op_name(op->kind) ? mb_op_name(op->kind) : "?", op->step);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason + n, sizeof r->reason - (size_t)n, fmt, ap);
    va_end(ap);
}

int mb_sim_replay(const mb_plan *plan, mb_sim_report *r)
{
    const mb_problem *p = &plan->problem;
    const int64_t t = p->steps, a_h = p->hidden_units, a_s = p->internal_units;
    memset(r, 0, sizeof *r);
    r->valid = 1;
    r->bad_op = plan->n_ops;
    unsigned char *store = calloc((size_t)t + 1, 1);
    if (store == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory replaying a plan of %lld steps", (long long)t);
    store[0] = HIDDEN;
    int64_t size = a_h, g = t, core = 0;
    int core_internal = 0;
    r->peak = size;
    if (size > p->budget)
        violation(r, 0, NULL, "h_0 alone (%lld units) exceeds the budget of %lld units",
                  (long long)size, (long long)p->budget);
    for (size_t i = 0; i < plan->n_ops && r->valid; i++) {
        const mb_op *op = &plan->ops[i];
        const int64_t k = op->step;
        if (k < 0 || k > t) {
            violation(r, i, op, "step out of range [0, %lld]", (long long)t);
            break;
        }
        switch (op->kind) {
        case MB_OP_FORWARD:
            if (core != k - 1)
                violation(r, i, op, "the core holds h_%lld, not h_%lld", (long long)core,
                          (long long)(k - 1));
            else if (k > g)
                violation(r, i, op, "runs past the gradient cursor g = %lld", (long long)g);
            core = k;
            core_internal = 1;
            r->forward_ops++;
            break;
        case MB_OP_STORE_HIDDEN:
        case MB_OP_STORE_INTERNAL: {
            int internal = op->kind == MB_OP_STORE_INTERNAL;
            if (core != k)
                violation(r, i, op, "the core holds h_%lld, not h_%lld", (long long)core,
                          (long long)k);
            else if (internal && !core_internal)
                violation(r, i, op, "the core holds h_%lld but not s_%lld (only a forward "
                          "leaves an internal state in the core)", (long long)k, (long long)k);
            else if (store[k] != NONE)
                violation(r, i, op, "step %lld is already stored", (long long)k);
            if (!r->valid)
                break;
            store[k] = internal ? INTERNAL : HIDDEN;
            size += internal ? a_s : a_h;
            r->copied_units += internal ? a_s : a_h;
            r->store_ops++;
            if (size > r->peak)
                r->peak = size;
            if (size > p->budget)
                violation(r, i, op, "the store reaches %lld units, over the budget of %lld",
                          (long long)size, (long long)p->budget);
            break;
        }
        case MB_OP_RESTORE:
            if (store[k] == NONE) {
                violation(r, i, op, "no checkpoint of step %lld is in the store", (long long)k);
                break;
            }
            core = k;
            core_internal = 0;
            r->copied_units += a_h;
            r->restore_ops++;
            break;
        case MB_OP_BACKWARD:
            if (k != g)
                violation(r, i, op, "out of order: the gradient cursor is at g = %lld",
                          (long long)g);
            else if (!(core == k && core_internal) && store[k] != INTERNAL)
                violation(r, i, op, "s_%lld is neither in the core nor in the store",
                          (long long)k);
            else {
                g = k - 1;
                r->backward_ops++;
            }
            break;
        case MB_OP_FREE:
            if (store[k] == NONE) {
                violation(r, i, op, "no checkpoint of step %lld is in the store", (long long)k);
                break;
            }
            size -= store[k] == INTERNAL ? a_s : a_h;
            store[k] = NONE;
            r->free_ops++;
            break;
        default:
            violation(r, i, op, "unknown op kind %d", op->kind);
        }
    }
    free(store);
    r->final_cursor = g;
    if (r->valid && g != 0)
        violation(r, plan->n_ops, NULL,
                  "the plan ends with the gradient cursor at g = %lld: backward ops for steps "
                  "%lld..1 are missing",
                  (long long)g, (long long)g);
    else if (r->valid && plan->forward_ops >= 0 && plan->forward_ops != r->forward_ops)
        violation(r, plan->n_ops, NULL, "the plan declares %lld forward ops; the replay counts %lld",
                  (long long)plan->forward_ops, (long long)r->forward_ops);
    else if (r->valid && plan->peak >= 0 && plan->peak != r->peak)
        violation(r, plan->n_ops, NULL, "the plan declares a peak of %lld units; the replay "
                  "reaches %lld", (long long)plan->peak, (long long)r->peak);
    return MB_OK;
}

mb_cost_model mb_cost_model_default(void) { return (mb_cost_model){1.0, 2.0, 0.0}; }

double mb_sim_predict(const mb_sim_report *r, const mb_cost_model *m)
{
    return (double)r->forward_ops * m->forward + (double)r->backward_ops * m->backward +
           (double)r->copied_units * m->copy;
}

double mb_sim_hsm_bound(int64_t t, int64_t slots)
{
    if (slots < 1)
        return INFINITY;
    return (double)slots * pow((double)t, 1.0 + 1.0 / (double)slots);
}
