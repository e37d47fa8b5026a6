/* replay.c: the plan verifier: drives the IR state machine (core/ir.h) over a whole plan and
 * checks what the plan declares about itself. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/ir.h"
#include "sim/sim.h"

static void copy_counts(mb_sim_report *r, const mb_ir *m)
{
    r->forward_ops = m->forward_ops;
    r->backward_ops = m->backward_ops;
    r->store_ops = m->store_ops;
    r->restore_ops = m->restore_ops;
    r->free_ops = m->free_ops;
    r->peak = m->peak;
    r->copied_units = m->copied_units;
    r->final_cursor = m->g;
}

static void invalid(mb_sim_report *r, size_t bad_op, const char *reason)
{
    r->valid = 0;
    r->bad_op = bad_op;
    snprintf(r->reason, sizeof r->reason, "%s", reason);
}

int mb_sim_replay(const mb_plan *plan, mb_sim_report *r)
{
    memset(r, 0, sizeof *r);
    r->valid = 1;
    r->bad_op = plan->n_ops;
    mb_ir m;
    int rc = mb_ir_init(&m, &plan->problem);
    if (rc == MB_EBADPLAN) {
        invalid(r, 0, m.reason);
        rc = MB_OK;
    }
    int64_t seen = 0; /* the highest step forwarded so far: a forward at or below it recomputes */
    for (size_t i = 0; rc == MB_OK && r->valid && i < plan->n_ops; i++) {
        rc = mb_ir_apply(&m, plan->ops[i]);
        if (rc == MB_EBADPLAN) {
            invalid(r, i, m.reason);
            rc = MB_OK;
        } else if (rc == MB_OK && plan->ops[i].kind == MB_OP_FORWARD) {
            if (plan->ops[i].step > seen)
                seen = plan->ops[i].step;
            else
                r->recompute_ops++;
        }
    }
    if (rc == MB_OK && r->valid && mb_ir_finish(&m) != MB_OK)
        invalid(r, plan->n_ops, m.reason);
    copy_counts(r, &m);
    mb_ir_release(&m);
    if (rc != MB_OK)
        return rc;
    char why[256];
    if (r->valid && plan->forward_ops >= 0 && plan->forward_ops != r->forward_ops) {
        snprintf(why, sizeof why, "the plan declares %lld forward ops; the replay counts %lld",
                 (long long)plan->forward_ops, (long long)r->forward_ops);
        invalid(r, plan->n_ops, why);
    } else if (r->valid && plan->peak >= 0 && plan->peak != r->peak) {
        snprintf(why, sizeof why, "the plan declares a peak of %lld units; the replay reaches "
                 "%lld", (long long)plan->peak, (long long)r->peak);
        invalid(r, plan->n_ops, why);
    }
    return MB_OK;
}

mb_cost_model mb_cost_model_default(void)
{
    return (mb_cost_model){.forward = 1.0, .backward = 2.0, .copy = 0.0, .recompute = NAN};
}

double mb_cost_recompute(const mb_cost_model *m)
{
    return isnan(m->recompute) ? m->forward : m->recompute;
}

double mb_sim_predict(const mb_sim_report *r, const mb_cost_model *m)
{
    return (double)(r->forward_ops - r->recompute_ops) * m->forward +
           (double)r->recompute_ops * mb_cost_recompute(m) +
           (double)r->backward_ops * m->backward + (double)r->copied_units * m->copy;
}

double mb_sim_hsm_bound(int64_t t, int64_t slots)
{
    if (slots < 1)
        return INFINITY;
    return (double)slots * pow((double)t, 1.0 + 1.0 / (double)slots);
}
