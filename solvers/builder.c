/* builder.c: emitting plan ops, each checked by the IR state machine as it is emitted. */
#include "solvers/builder.h"

#include <stdlib.h>

#include "core/error.h"

int mb_builder_init(mb_builder *b, const char *solver, const mb_problem *p)
{
    b->rc = MB_OK;
    b->plan = mb_plan_alloc(solver, p, 0);
    if (b->plan == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory starting a %s plan", solver);
    int rc = mb_ir_init(&b->ir, p);
    if (rc != MB_OK) {
        mb_ir_release(&b->ir);
        mb_plan_free(b->plan);
        return rc == MB_EBADPLAN ? MB_ERROR(MB_EINTERNAL, "%s: %s", solver, b->ir.reason) : rc;
    }
    return MB_OK;
}

static void push_at(mb_builder *b, mb_op_kind kind, int64_t k, int level)
{
    if (b->rc != MB_OK)
        return;
    b->rc = mb_plan_push_at(b->plan, kind, k, level);
    if (b->rc != MB_OK)
        return;
    b->rc = mb_ir_apply(&b->ir, b->plan->ops[b->plan->n_ops - 1]);
    if (b->rc == MB_EBADPLAN)
        b->rc = MB_ERROR(MB_EINTERNAL, "solver %s emitted an invalid plan: %s",
                         b->plan->solver, b->ir.reason);
}

static void push(mb_builder *b, mb_op_kind kind, int64_t k)
{
    push_at(b, kind, k, MB_LEVEL_MEMORY);
}

/* The level of step k's checkpoint, for restore and free (0 when k is out of range or not
 * stored: the IR then names the error). */
static int level_of(const mb_builder *b, int64_t k)
{
    if (k < 0 || k > b->ir.problem.steps || mb_ir_stored(&b->ir, k) == MB_IR_NONE)
        return MB_LEVEL_MEMORY;
    return mb_ir_stored_level(&b->ir, k);
}

void mb_builder_forward(mb_builder *b, int64_t from, int64_t to)
{
    if (b->ir.core != from)
        push_at(b, MB_OP_RESTORE, from, level_of(b, from));
    for (int64_t k = from + 1; k <= to; k++)
        push(b, MB_OP_FORWARD, k);
}

void mb_builder_store_hidden(mb_builder *b, int64_t k) { push(b, MB_OP_STORE_HIDDEN, k); }

void mb_builder_store_internal(mb_builder *b, int64_t k) { push(b, MB_OP_STORE_INTERNAL, k); }

void mb_builder_store_at(mb_builder *b, int64_t k, int internal, int level)
{
    push_at(b, internal ? MB_OP_STORE_INTERNAL : MB_OP_STORE_HIDDEN, k, level);
}

void mb_builder_backward(mb_builder *b, int64_t k)
{
    if (!(b->ir.core == k && b->ir.core_internal) && level_of(b, k) == MB_LEVEL_SLOW &&
        mb_ir_stored(&b->ir, k) == MB_IR_INTERNAL)
        push_at(b, MB_OP_RESTORE, k, MB_LEVEL_SLOW);
    push(b, MB_OP_BACKWARD, k);
}

void mb_builder_free(mb_builder *b, int64_t k) { push_at(b, MB_OP_FREE, k, level_of(b, k)); }

void mb_builder_release(mb_builder *b, int64_t k)
{
    if (b->rc == MB_OK && mb_ir_stored(&b->ir, k) != MB_IR_NONE)
        mb_builder_free(b, k);
}

int mb_builder_finish(mb_builder *b, mb_plan **out)
{
    if (b->rc == MB_OK && mb_ir_finish(&b->ir) != MB_OK)
        b->rc = MB_ERROR(MB_EINTERNAL, "solver %s emitted an incomplete plan: %s",
                         b->plan->solver, b->ir.reason);
    mb_ir_release(&b->ir);
    if (b->rc != MB_OK) {
        mb_plan_free(b->plan);
        return b->rc;
    }
    b->plan->forward_ops = b->ir.forward_ops;
    b->plan->peak = b->ir.peak;
    *out = b->plan;
    return MB_OK;
}
