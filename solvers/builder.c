/* builder.c: emitting plan ops while keeping count of what they cost. */
#include "solvers/builder.h"

#include <stdlib.h>

#include "core/error.h"

int mb_builder_init(mb_builder *b, const char *solver, const mb_problem *p)
{
    b->plan = mb_plan_alloc(solver, p, 0);
    b->stored = calloc((size_t)p->steps + 1, 1);
    b->a_h = p->hidden_units;
    b->a_s = p->internal_units;
    b->store = b->peak = p->hidden_units;
    b->forwards = 0;
    b->core = 0;
    b->rc = MB_OK;
    if (b->plan == NULL || b->stored == NULL) {
        mb_plan_free(b->plan);
        free(b->stored);
        return MB_ERROR(MB_ENOMEM, "out of memory starting a %s plan", solver);
    }
    b->stored[0] = 1;
    return MB_OK;
}

static void push(mb_builder *b, mb_op_kind kind, int64_t k)
{
    if (b->rc == MB_OK)
        b->rc = mb_plan_push(b->plan, kind, k);
}

void mb_builder_forward(mb_builder *b, int64_t from, int64_t to)
{
    if (b->core != from)
        push(b, MB_OP_RESTORE, from);
    for (int64_t k = from + 1; k <= to; k++)
        push(b, MB_OP_FORWARD, k);
    b->forwards += to - from;
    b->core = to;
}

static void grow(mb_builder *b, int64_t units)
{
    b->store += units;
    if (b->store > b->peak)
        b->peak = b->store;
}

void mb_builder_store_hidden(mb_builder *b, int64_t k)
{
    push(b, MB_OP_STORE_HIDDEN, k);
    b->stored[k] = 1;
    grow(b, b->a_h);
}

void mb_builder_store_internal(mb_builder *b, int64_t k)
{
    push(b, MB_OP_STORE_INTERNAL, k);
    b->stored[k] = 2;
    grow(b, b->a_s);
}

void mb_builder_backward(mb_builder *b, int64_t k) { push(b, MB_OP_BACKWARD, k); }

void mb_builder_free(mb_builder *b, int64_t k)
{
    push(b, MB_OP_FREE, k);
    b->store -= b->stored[k] == 2 ? b->a_s : b->a_h;
    b->stored[k] = 0;
}

void mb_builder_release(mb_builder *b, int64_t k)
{
    if (b->stored[k] != 0)
        mb_builder_free(b, k);
}

int mb_builder_finish(mb_builder *b, mb_plan **out)
{
    free(b->stored);
    b->stored = NULL;
    if (b->rc != MB_OK) {
        mb_plan_free(b->plan);
        return b->rc;
    }
    b->plan->forward_ops = b->forwards;
    b->plan->peak = b->peak;
    *out = b->plan;
    return MB_OK;
}
