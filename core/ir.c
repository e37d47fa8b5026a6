/* ir.c: the plan IR's rules, once (docs/design.md, "The plan IR"). */
#include "core/ir.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

/* Records the first violation of op `op` (NULL for the plan as a whole) and raises it. */
static int violation(mb_ir *m, const mb_op *op, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int violation(mb_ir *m, const mb_op *op, const char *fmt, ...)
{
    int n = 0;
    if (op != NULL) {
        const char *name = mb_op_name(op->kind);
        n = snprintf(m->reason, sizeof m->reason, "op %zu (%s %d): ", m->applied,
                     name ? name : "?", op->step);
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->reason + n, sizeof m->reason - (size_t)n, fmt, ap);
    va_end(ap);
    return MB_ERROR(MB_EBADPLAN, "%s", m->reason);
}

int mb_ir_init(mb_ir *m, const mb_problem *p)
{
    memset(m, 0, sizeof *m);
    m->problem = *p;
    if (p->steps < 1 || p->steps > MB_MAX_STEPS || p->hidden_units < 1 ||
        p->internal_units < p->hidden_units || p->budget < 0)
        return MB_ERROR(MB_EINVAL, "plan IR: invalid problem (t = %lld, a_h = %lld, a_s = %lld, "
                        "budget %lld)", (long long)p->steps, (long long)p->hidden_units,
                        (long long)p->internal_units, (long long)p->budget);
    m->store = mb_calloc((size_t)p->steps + 1, 1);
    if (m->store == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory for the store map of %lld steps",
                        (long long)p->steps);
    m->store[0] = MB_IR_HIDDEN;
    m->size = m->peak = p->hidden_units;
    m->g = p->steps;
    if (m->size > p->budget)
        return violation(m, NULL, "h_0 alone (%lld units) exceeds the budget of %lld units",
                         (long long)m->size, (long long)p->budget);
    return MB_OK;
}

void mb_ir_release(mb_ir *m)
{
    mb_free(m->store);
    m->store = NULL;
}

/* Adds v to *counter, or fails with MB_ERANGE naming it. */
static int count(int64_t *counter, int64_t v, const char *name)
{
    int64_t sum;
    if (__builtin_add_overflow(*counter, v, &sum))
        return MB_ERROR(MB_ERANGE, "plan IR: %s overflows 64 bits", name);
    *counter = sum;
    return MB_OK;
}

int mb_ir_apply(mb_ir *m, mb_op op)
{
    if (m->reason[0] != '\0')
        return MB_ERROR(MB_EBADPLAN, "%s", m->reason);
    const int64_t k = op.step, t = m->problem.steps;
    const int64_t a_h = m->problem.hidden_units, a_s = m->problem.internal_units;
    const int level = op.level;
    if (k < 0 || k > t)
        return violation(m, &op, "step out of range [0, %lld]", (long long)t);
    if (level > MB_LEVEL_SLOW || (level != 0 && !mb_op_has_level(op.kind)))
        return violation(m, &op, "level %d; store, restore and free take level 0 (memory) or "
                         "1 (the slow store), other ops none", level);
    const unsigned char slot = m->store[k] & 3;
    const int slot_level = (m->store[k] & MB_IR_SLOW_BIT) ? 1 : 0;
    int rc = MB_OK;
    switch (op.kind) {
    case MB_OP_FORWARD:
        if (m->core != k - 1)
            return violation(m, &op, "the core holds h_%lld, not h_%lld", (long long)m->core,
                             (long long)(k - 1));
        if (k > m->g)
            return violation(m, &op, "runs past the gradient cursor g = %lld", (long long)m->g);
        m->core = k;
        m->core_internal = 1;
        m->forward_ops++;
        break;
    case MB_OP_STORE_HIDDEN:
    case MB_OP_STORE_INTERNAL: {
        const int internal = op.kind == MB_OP_STORE_INTERNAL;
        const int64_t units = internal ? a_s : a_h;
        if (m->core != k)
            return violation(m, &op, "the core holds h_%lld, not h_%lld", (long long)m->core,
                             (long long)k);
        if (internal && !m->core_internal)
            return violation(m, &op, "the core holds h_%lld but not s_%lld (only a forward or "
                             "a read of s_%lld from the slow store leaves an internal state in "
                             "the core)", (long long)k, (long long)k, (long long)k);
        if (slot != MB_IR_NONE)
            return violation(m, &op, "step %lld is already stored (on level %d)", (long long)k,
                             slot_level);
        /* size <= budget holds before the op, so budget - size cannot overflow. */
        int64_t *size = level ? &m->slow_size : &m->size;
        int64_t *peak = level ? &m->slow_peak : &m->peak;
        const int64_t budget = level ? m->problem.slow_budget : m->problem.budget;
        if (units > budget - *size) {
            if (level)
                return violation(m, &op, "the slow store would hold %lld + %lld units, over "
                                 "its budget of %lld", (long long)*size, (long long)units,
                                 (long long)budget);
            return violation(m, &op, "the store would hold %lld + %lld units, over the budget "
                             "of %lld", (long long)*size, (long long)units, (long long)budget);
        }
        if (level) {
            if ((rc = count(&m->slow_written_units, units, "slow_written_units")) != MB_OK ||
                (rc = count(&m->slow_writes, 1, "slow_writes")) != MB_OK)
                return rc;
        } else if ((rc = count(&m->copied_units, units, "copied_units")) != MB_OK)
            return rc;
        m->store[k] = (unsigned char)((internal ? MB_IR_INTERNAL : MB_IR_HIDDEN) |
                                      (level ? MB_IR_SLOW_BIT : 0));
        *size += units;
        if (*size > *peak)
            *peak = *size;
        m->store_ops++;
        break;
    }
    case MB_OP_RESTORE: {
        if (slot == MB_IR_NONE)
            return violation(m, &op, "no checkpoint of step %lld is in the store", (long long)k);
        if (slot_level != level)
            return violation(m, &op, "step %lld is stored on level %d, not on level %d",
                             (long long)k, slot_level, level);
        /* A read from the slow store brings the whole checkpoint into the core: s_k when it
         * is an internal state (docs/design.md, "Two storage levels"). */
        const int whole = level && slot == MB_IR_INTERNAL;
        if (level) {
            if ((rc = count(&m->slow_read_units, whole ? a_s : a_h, "slow_read_units")) != MB_OK ||
                (rc = count(&m->slow_reads, 1, "slow_reads")) != MB_OK)
                return rc;
        } else if ((rc = count(&m->copied_units, a_h, "copied_units")) != MB_OK)
            return rc;
        m->core = k;
        m->core_internal = whole;
        m->restore_ops++;
        break;
    }
    case MB_OP_BACKWARD:
        if (k != m->g)
            return violation(m, &op, "out of order: the gradient cursor is at g = %lld",
                             (long long)m->g);
        if (!(m->core == k && m->core_internal) &&
            !(slot == MB_IR_INTERNAL && slot_level == MB_LEVEL_MEMORY)) {
            if (slot == MB_IR_INTERNAL)
                return violation(m, &op, "s_%lld is on the slow store; restore it into the "
                                 "core first", (long long)k);
            return violation(m, &op, "s_%lld is neither in the core nor in the store",
                             (long long)k);
        }
        m->g = k - 1;
        m->backward_ops++;
        break;
    case MB_OP_FREE:
        if (slot == MB_IR_NONE)
            return violation(m, &op, "no checkpoint of step %lld is in the store", (long long)k);
        if (slot_level != level)
            return violation(m, &op, "step %lld is stored on level %d, not on level %d",
                             (long long)k, slot_level, level);
        *(level ? &m->slow_size : &m->size) -= slot == MB_IR_INTERNAL ? a_s : a_h;
        m->store[k] = MB_IR_NONE;
        m->free_ops++;
        break;
    default:
        return violation(m, &op, "unknown op kind %d", op.kind);
    }
    m->applied++;
    return MB_OK;
}

int mb_ir_finish(mb_ir *m)
{
    if (m->reason[0] != '\0')
        return MB_ERROR(MB_EBADPLAN, "%s", m->reason);
    if (m->g != 0)
        return violation(m, NULL, "the plan ends with the gradient cursor at g = %lld: backward "
                         "ops for steps %lld..1 are missing", (long long)m->g, (long long)m->g);
    return MB_OK;
}
