/* replay.c: the plan verifier: drives the IR state machine (core/ir.h) over a whole plan and
 * checks what the plan declares about itself. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"
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
    r->slow_peak = m->slow_peak;
    r->slow_writes = m->slow_writes;
    r->slow_reads = m->slow_reads;
    r->slow_written_units = m->slow_written_units;
    r->slow_read_units = m->slow_read_units;
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
    return (mb_cost_model){.forward = 1.0, .backward = 2.0, .recompute = NAN};
}

double mb_cost_recompute(const mb_cost_model *m)
{
    return isnan(m->recompute) ? m->forward : m->recompute;
}

double mb_cost_transfer(const mb_cost_model *m, int write, int64_t units)
{
    return write ? m->write_latency + (double)units * m->write
                 : m->read_latency + (double)units * m->read;
}

double mb_sim_predict(const mb_sim_report *r, const mb_cost_model *m)
{
    return (double)(r->forward_ops - r->recompute_ops) * m->forward +
           (double)r->recompute_ops * mb_cost_recompute(m) +
           (double)r->backward_ops * m->backward + (double)r->copied_units * m->copy +
           (double)r->slow_writes * m->write_latency + (double)r->slow_written_units * m->write +
           (double)r->slow_reads * m->read_latency + (double)r->slow_read_units * m->read;
}

double mb_sim_hsm_bound(int64_t t, int64_t slots)
{
    if (slots < 1)
        return INFINITY;
    return (double)slots * pow((double)t, 1.0 + 1.0 / (double)slots);
}

void mb_sim_record_slow(mb_record *r, const mb_problem *p, const mb_sim_report *rep)
{
    if (p->slow_budget != 0)
        mb_sim_record_slow_columns(r, p, rep);
}

static void int_or_empty(mb_record *r, const char *key, int known, int64_t v)
{
    if (known)
        mb_record_int(r, key, v);
    else
        mb_record_empty(r, key);
}

void mb_sim_record_slow_columns(mb_record *r, const mb_problem *p, const mb_sim_report *rep)
{
    if (p != NULL && p->slow_budget == MB_SLOW_UNLIMITED)
        mb_record_string(r, "slow_budget_units", "unlimited");
    else
        int_or_empty(r, "slow_budget_units", p != NULL, p ? p->slow_budget : 0);
    int known = p != NULL && rep != NULL;
    const mb_sim_report none = {0};
    if (rep == NULL)
        rep = &none;
    int_or_empty(r, "slow_peak_units", known, rep->slow_peak);
    int_or_empty(r, "slow_writes", known, rep->slow_writes);
    int_or_empty(r, "slow_reads", known, rep->slow_reads);
    int_or_empty(r, "slow_written_units", known, rep->slow_written_units);
    int_or_empty(r, "slow_read_units", known, rep->slow_read_units);
    /* no byte sizes (alpha), or more bytes than 64 bits hold: empty */
    int64_t wb = 0, rb = 0;
    int bytes = known && p->unit_bytes > 0 &&
                !__builtin_mul_overflow(rep->slow_written_units, p->unit_bytes, &wb) &&
                !__builtin_mul_overflow(rep->slow_read_units, p->unit_bytes, &rb);
    int_or_empty(r, "slow_written_bytes", bytes, wb);
    int_or_empty(r, "slow_read_bytes", bytes, rb);
}

static const char *const cost_keys[6] = {"forward_s",       "backward_s",
                                         "write_latency_s", "write_s_per_byte",
                                         "read_latency_s",  "read_s_per_byte"};

int mb_cost_model_save(const char *path, const mb_cost_model *m)
{
    mb_atomic_file af;
    int rc = mb_atomic_open(&af, path);
    if (rc != MB_OK)
        return rc;
    const double v[6] = {m->forward, m->backward, m->write_latency, m->write, m->read_latency,
                         m->read};
    fprintf(af.f, "membptt-store-costs 1\n");
    for (int i = 0; i < 6; i++)
        fprintf(af.f, "%s %.9g\n", cost_keys[i], v[i]);
    return mb_atomic_commit(&af);
}

int mb_cost_model_load(const char *path, int64_t unit_bytes, mb_cost_model *m)
{
    char *text;
    size_t len;
    int rc = mb_read_file_max(path, 1 << 16, &text, &len);
    if (rc != MB_OK)
        return rc;
    double v[6];
    int seen[6] = {0}, line = 0;
    char *save = NULL;
    for (char *l = strtok_r(text, "\n", &save); l != NULL && rc == MB_OK;
         l = strtok_r(NULL, "\n", &save)) {
        line++;
        if (line == 1) {
            if (strcmp(l, "membptt-store-costs 1") != 0)
                rc = MB_ERROR(MB_EINVAL, "--store-costs %s: line 1 is '%.60s'; expected "
                              "'membptt-store-costs 1' (from membptt calibrate-store)", path, l);
            continue;
        }
        char *sp = strchr(l, ' ');
        int k = -1;
        for (int i = 0; sp != NULL && i < 6; i++)
            if ((size_t)(sp - l) == strlen(cost_keys[i]) && strncmp(l, cost_keys[i], (size_t)(sp - l)) == 0)
                k = i;
        if (k < 0 || seen[k]++) {
            rc = MB_ERROR(MB_EINVAL, "--store-costs %s:%d: '%.60s'; expected one line each of "
                          "forward_s, backward_s, write_latency_s, write_s_per_byte, "
                          "read_latency_s, read_s_per_byte and a number", path, line, l);
            break;
        }
        char key[80];
        snprintf(key, sizeof key, "--store-costs %s:%d: %s", path, line, cost_keys[k]);
        rc = mb_parse_double(key, sp + 1, 0.0, &v[k]);
    }
    for (int i = 0; rc == MB_OK && i < 6; i++)
        if (!seen[i])
            rc = MB_ERROR(MB_EINVAL, "--store-costs %s: no line '%s VALUE'", path, cost_keys[i]);
    mb_free(text);
    if (rc != MB_OK)
        return rc;
    if (unit_bytes <= 0)
        return MB_ERROR(MB_EINVAL, "--store-costs %s: costs per byte need byte sizes, not alpha",
                        path);
    *m = mb_cost_model_default();
    m->forward = v[0];
    m->backward = v[1];
    m->copy = 0.0;
    m->write_latency = v[2];
    m->write = v[3] * (double)unit_bytes;
    m->read_latency = v[4];
    m->read = v[5] * (double)unit_bytes;
    return MB_OK;
}
