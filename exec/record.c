/* record.c: the executor's record columns, shared by `membptt run` and the sweeps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "exec/exec.h"

static const char *const phase_name[MB_EXEC_PHASES] = {"first_forward", "recompute", "backward",
                                                       "copy"};

static void int_or_empty(mb_record *r, const char *key, int have, int64_t v)
{
    if (have)
        mb_record_int(r, key, v);
    else
        mb_record_empty(r, key);
}

static void double_or_empty(mb_record *r, const char *key, int have, double v)
{
    if (have)
        mb_record_double(r, key, v);
    else
        mb_record_empty(r, key);
}

/* The columns of mb_exec_record after the network's, in order; a NULL result empties them.
 * Every time and ratio is a spread over the repetitions: NAME (the median), NAME_min and
 * NAME_max (docs/design.md, "Measurement"). */
static void result_columns(mb_record *r, const mb_exec_result *res)
{
    char key[64];
    const int have = res != NULL;
    int_or_empty(r, "hidden_bytes", have, have ? res->hidden_bytes : 0);
    int_or_empty(r, "internal_bytes", have, have ? res->internal_bytes : 0);
    int_or_empty(r, "budget_bytes", have, have ? res->budget_bytes : 0);
    int_or_empty(r, "recompute_ops", have, have ? res->recompute_ops : 0);
    int_or_empty(r, "peak_store_bytes", have, have ? res->peak_store_bytes : 0);
    int_or_empty(r, "peak_store_full_bytes", have, have ? res->peak_store_full_bytes : 0);
    double_or_empty(r, "store_saved", have,
                    have ? 1.0 - (double)res->peak_store_bytes /
                                     (double)res->peak_store_full_bytes
                         : 0);
    int_or_empty(r, "workspace_bytes", have, have ? res->workspace_bytes : 0);
    int_or_empty(r, "peak_activation_bytes", have, have ? res->peak_activation_bytes : 0);
    int_or_empty(r, "vmhwm_bytes", have && res->vmhwm_bytes >= 0, have ? res->vmhwm_bytes : 0);
    int_or_empty(r, "vmhwm_full_bytes", have && res->vmhwm_full_bytes >= 0,
                 have ? res->vmhwm_full_bytes : 0);
    int_or_empty(r, "arena_compactions", have, have ? res->compactions : 0);
    mb_record_spread(r, "time", "_s", have ? &res->time_s : NULL);
    mb_record_spread(r, "time_full", "_s", have ? &res->time_full_s : NULL);
    mb_record_spread(r, "time_ratio", "", have ? &res->time_ratio : NULL);
    double_or_empty(r, "time_ratio_ci_low", have, have ? res->time_ratio_ci.low : 0);
    double_or_empty(r, "time_ratio_ci_high", have, have ? res->time_ratio_ci.high : 0);
    double_or_empty(r, "time_ratio_ci_coverage", have, have ? res->time_ratio_ci.coverage : 0);
    double_or_empty(r, "predicted_time_ratio", have, have ? res->predicted_time_ratio : 0);
    mb_record_spread(r, "cpu", "_s", have ? &res->cpu_s : NULL);
    mb_record_spread(r, "cpu_full", "_s", have ? &res->cpu_full_s : NULL);
    mb_record_spread(r, "cpu_ratio", "", have ? &res->cpu_ratio : NULL);
    /* per phase: the plan's wall time, then full BPTT's (which recomputes nothing) */
    for (int full = 0; full < 2; full++)
        for (int ph = 0; ph < MB_EXEC_PHASES; ph++) {
            if (full && ph == MB_EXEC_RECOMPUTE)
                continue;
            snprintf(key, sizeof key, "%s%s", full ? "full_" : "", phase_name[ph]);
            mb_record_spread(r, key, "_s",
                             !have ? NULL : full ? &res->wall_full[ph] : &res->wall[ph]);
        }
    if (res == NULL) {
        static const char *const keys[] = {"cost_forward_s", "cost_recompute_s",
                                           "cost_backward_s", "cost_copy_s_per_byte",
                                           "copied_bytes", "grad_max_abs_diff",
                                           "grad_bitwise_equal", "loss"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            mb_record_empty(r, keys[i]);
    } else {
        mb_record_double(r, "cost_forward_s", res->cost_forward_s);
        if (res->recompute_ops > 0)
            mb_record_double(r, "cost_recompute_s", res->cost_recompute_s);
        else
            mb_record_empty(r, "cost_recompute_s");
        mb_record_double(r, "cost_backward_s", res->cost_backward_s);
        mb_record_double(r, "cost_copy_s_per_byte", res->cost_copy_s_per_byte);
        mb_record_int(r, "copied_bytes", res->copied_bytes);
        mb_record_double(r, "grad_max_abs_diff", res->grad_max_abs_diff);
        mb_record_bool(r, "grad_bitwise_equal", res->grad_bitwise_equal);
        mb_record_double(r, "loss", res->loss);
    }
    /* Both sides' work and stores, and whether they had their core to themselves. */
    int_or_empty(r, "full_forward_ops", have, have ? res->full_forward_ops : 0);
    int_or_empty(r, "full_backward_ops", have, have ? res->full_backward_ops : 0);
    int_or_empty(r, "full_copied_bytes", have, have ? res->full_copied_bytes : 0);
    int_or_empty(r, "store_pages", have && res->store_pages >= 0, have ? res->store_pages : 0);
    int_or_empty(r, "store_resident_pages", have && res->store_resident_pages >= 0,
                 have ? res->store_resident_pages : 0);
    int_or_empty(r, "store_full_pages", have && res->store_full_pages >= 0,
                 have ? res->store_full_pages : 0);
    int_or_empty(r, "store_full_resident_pages", have && res->store_full_resident_pages >= 0,
                 have ? res->store_full_resident_pages : 0);
    double_or_empty(r, "cpu_wall_min", have, have ? res->cpu_wall_min : 0);
    double_or_empty(r, "cpu_wall_full_min", have, have ? res->cpu_wall_full_min : 0);
    if (have)
        mb_record_bool(r, "contended", res->contended);
    else
        mb_record_empty(r, "contended");
    int_or_empty(r, "attempts", have, have ? res->attempts : 0);
    int_or_empty(r, "projected_steps", have, have ? res->projected_steps : 0);
    int_or_empty(r, "projected_steps_full", have, have ? res->projected_steps_full : 0);
}

void mb_exec_record(mb_record *r, const mb_exec_config *c, const mb_exec_result *res)
{
    static const char *const net_keys[] = {"cell",    "input",   "hidden", "batch",      "output",
                                           "threads", "repeat",  "seed",   "input_grads"};
    if (res == NULL) {
        for (size_t i = 0; i < sizeof net_keys / sizeof net_keys[0]; i++)
            mb_record_empty(r, net_keys[i]);
    } else {
        mb_record_string(r, "cell", mb_cell_name(c->cell));
        mb_record_int(r, "input", c->input);
        mb_record_int(r, "hidden", c->hidden);
        mb_record_int(r, "batch", c->batch);
        mb_record_int(r, "output", c->output > 0 ? c->output : c->input);
        mb_record_int(r, "threads", c->threads);
        mb_record_int(r, "repeat", c->repeat);
        mb_record_int(r, "seed", (int64_t)c->seed);
        mb_record_bool(r, "input_grads", c->input_grads);
    }
    result_columns(r, res);
}

/* The event of res called name[0..n), or -1. */
static int find_event(const mb_exec_result *res, const char *name, size_t n)
{
    for (int e = 0; res != NULL && e < res->n_events; e++)
        if (strlen(res->event_name[e]) == n && memcmp(res->event_name[e], name, n) == 0)
            return e;
    return -1;
}

/* The next name of a comma-separated list at *p, without the white space around it, as
 * [*b, *e); advances *p past it. 0 at the end of the list. */
static int next_name(const char **p, const char **b, const char **e)
{
    if (**p == '\0')
        return 0;
    const char *end = strchr(*p, ',');
    *b = *p;
    *e = end ? end : *p + strlen(*p);
    *p = end ? end + 1 : *e;
    while (*b < *e && (**b == ' ' || **b == '\t'))
        (*b)++;
    while (*e > *b && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
        (*e)--;
    return 1;
}

void mb_exec_record_counters(mb_record *r, const char *events, const mb_exec_result *res)
{
    static const char *const phase[MB_EXEC_PHASES] = {"first", "recompute", "backward", "copy"};
    if (events == NULL) {
        mb_record_empty(r, "counters");
        return;
    }
    /* the list as given, one name per comma, white space around a name dropped (measure/);
     * never longer than the text it comes from */
    size_t cap = strlen(events) + 1, used = 0;
    char *list = res != NULL ? mb_malloc(cap) : NULL, key[MB_FIELD_KEY_MAX + 16];
    if (list != NULL) {
        list[0] = '\0';
        for (const char *p = events, *b, *e; next_name(&p, &b, &e);) {
            int n = snprintf(list + used, cap - used, "%s%.*s", used ? "," : "", (int)(e - b), b);
            used = n < 0 || (size_t)n >= cap - used ? cap - 1 : used + (size_t)n;
        }
        mb_record_string(r, "counters", list);
        mb_free(list);
    } else if (res != NULL) {
        mb_record_string(r, "counters", events); /* out of memory: the list untrimmed */
    } else {
        mb_record_empty(r, "counters");
    }
    /* NAME.first .. NAME.copy for the plan's run, then NAME.full_first .. for full BPTT's */
    for (const char *p = events, *b, *e; next_name(&p, &b, &e);) {
        int ev = find_event(res, b, (size_t)(e - b));
        for (int full = 0; full < 2; full++)
            for (int ph = 0; ph < MB_EXEC_PHASES; ph++) {
                snprintf(key, sizeof key, "%.*s.%s%s", (int)(e - b), b, full ? "full_" : "",
                         phase[ph]);
                const int64_t *v =
                    ev < 0 ? NULL : full ? res->event_value_full[ev] : res->event_value[ev];
                if (v != NULL && res->event_available[ev] && v[ph] >= 0)
                    mb_record_int(r, key, v[ph]);
                else
                    mb_record_empty(r, key);
            }
    }
}

void mb_exec_record_slow(mb_record *r, const mb_exec_config *c, const mb_problem *p,
                         const mb_exec_result *res)
{
    if (p->slow_budget == 0)
        return;
    mb_record_string(r, "slow_dir", c->slow_dir ? c->slow_dir : "");
    mb_record_string(r, "slow_mode", c->slow_direct ? "direct" : "buffered+fdatasync");
    mb_record_int(r, "slow_writes", res->slow.writes);
    mb_record_int(r, "slow_reads", res->slow.reads);
    mb_record_int(r, "slow_written_bytes", res->slow.written_bytes);
    mb_record_int(r, "slow_read_bytes", res->slow.read_bytes);
    mb_record_int(r, "slow_peak_bytes", res->slow.peak_bytes);
    mb_record_double(r, "slow_write_s", res->slow.write_s);
    mb_record_double(r, "slow_read_s", res->slow.read_s);
    /* what reached a block device during the plan run: empty where the kernel does not say */
    const int have = res->slow.device_read_bytes >= 0;
    int_or_empty(r, "slow_device_read_bytes", have, res->slow.device_read_bytes);
    int_or_empty(r, "slow_device_written_bytes", have, res->slow.device_written_bytes);
}
