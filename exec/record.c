/* record.c: the executor's record columns, shared by `membptt run` and the sweeps. */
#include <stdio.h>
#include <string.h>

#include "exec/exec.h"

static const char *const phase_name[MB_EXEC_PHASES] = {"first_forward", "recompute", "backward",
                                                       "copy"};

/* The columns of mb_exec_record after the network's, in order; a NULL result empties them. */
static void result_columns(mb_record *r, const mb_exec_result *res)
{
    char key[64];
    if (res == NULL) {
        static const char *const keys[] = {
            "hidden_bytes", "internal_bytes", "budget_bytes", "recompute_ops",
            "peak_store_bytes", "peak_store_full_bytes", "store_saved", "workspace_bytes",
            "peak_activation_bytes", "vmhwm_bytes", "vmhwm_full_bytes", "arena_compactions",
            "time_s", "time_full_s", "time_ratio", "predicted_time_ratio", "cpu_s",
            "cpu_full_s", "cpu_ratio"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            mb_record_empty(r, keys[i]);
    } else {
        mb_record_int(r, "hidden_bytes", res->hidden_bytes);
        mb_record_int(r, "internal_bytes", res->internal_bytes);
        mb_record_int(r, "budget_bytes", res->budget_bytes);
        mb_record_int(r, "recompute_ops", res->recompute_ops);
        mb_record_int(r, "peak_store_bytes", res->peak_store_bytes);
        mb_record_int(r, "peak_store_full_bytes", res->peak_store_full_bytes);
        mb_record_double(r, "store_saved", 1.0 - (double)res->peak_store_bytes /
                                                     (double)res->peak_store_full_bytes);
        mb_record_int(r, "workspace_bytes", res->workspace_bytes);
        mb_record_int(r, "peak_activation_bytes", res->peak_activation_bytes);
        if (res->vmhwm_bytes >= 0) {
            mb_record_int(r, "vmhwm_bytes", res->vmhwm_bytes);
            mb_record_int(r, "vmhwm_full_bytes", res->vmhwm_full_bytes);
        } else {
            mb_record_empty(r, "vmhwm_bytes");
            mb_record_empty(r, "vmhwm_full_bytes");
        }
        mb_record_int(r, "arena_compactions", res->compactions);
        mb_record_double(r, "time_s", res->time_s);
        mb_record_double(r, "time_full_s", res->time_full_s);
        mb_record_double(r, "time_ratio", res->time_ratio);
        mb_record_double(r, "predicted_time_ratio", res->predicted_time_ratio);
        mb_record_double(r, "cpu_s", res->cpu_s);
        mb_record_double(r, "cpu_full_s", res->cpu_full_s);
        mb_record_double(r, "cpu_ratio", res->cpu_ratio);
    }
    /* per phase: the plan's wall and CPU time, then full BPTT's (which recomputes nothing) */
    for (int full = 0; full < 2; full++)
        for (int ph = 0; ph < MB_EXEC_PHASES; ph++) {
            if (full && ph == MB_EXEC_RECOMPUTE)
                continue;
            const double *wall = res == NULL ? NULL : full ? res->wall_full : res->wall;
            const double *cpu = res == NULL ? NULL : full ? res->cpu_full : res->cpu;
            snprintf(key, sizeof key, "%s%s_s", full ? "full_" : "", phase_name[ph]);
            if (wall != NULL)
                mb_record_double(r, key, wall[ph]);
            else
                mb_record_empty(r, key);
            snprintf(key, sizeof key, "%s%s_cpu_s", full ? "full_" : "", phase_name[ph]);
            if (cpu != NULL)
                mb_record_double(r, key, cpu[ph]);
            else
                mb_record_empty(r, key);
        }
    if (res == NULL) {
        static const char *const keys[] = {"cost_forward_s", "cost_recompute_s",
                                           "cost_backward_s", "cost_copy_s_per_byte",
                                           "copied_bytes", "grad_max_abs_diff",
                                           "grad_bitwise_equal", "loss", "projected_steps",
                                           "projected_steps_full"};
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            mb_record_empty(r, keys[i]);
        return;
    }
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
    mb_record_int(r, "projected_steps", res->projected_steps);
    mb_record_int(r, "projected_steps_full", res->projected_steps_full);
}

void mb_exec_record(mb_record *r, const mb_exec_config *c, const mb_exec_result *res)
{
    static const char *const net_keys[] = {"cell",    "input",  "hidden", "batch",
                                           "output",  "threads", "repeat", "seed"};
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
    static const char *const phase[] = {"first", "recompute", "backward"};
    if (events == NULL) {
        mb_record_empty(r, "counters");
        return;
    }
    /* the list as given, one name per comma, white space around a name dropped (measure/) */
    char list[MB_FIELD_KEY_MAX * 2] = "", key[MB_FIELD_KEY_MAX + 16];
    size_t used = 0;
    for (const char *p = events, *b, *e; next_name(&p, &b, &e);) {
        int n = snprintf(list + used, sizeof list - used, "%s%.*s", used ? "," : "",
                         (int)(e - b), b);
        used = n < 0 || (size_t)n >= sizeof list - used ? sizeof list - 1 : used + (size_t)n;
    }
    if (res != NULL)
        mb_record_string(r, "counters", list);
    else
        mb_record_empty(r, "counters");
    for (const char *p = events, *b, *e; next_name(&p, &b, &e);) {
        int ev = find_event(res, b, (size_t)(e - b));
        for (int ph = 0; ph < 3; ph++) {
            snprintf(key, sizeof key, "%.*s.%s", (int)(e - b), b, phase[ph]);
            if (ev >= 0 && res->event_available[ev] && res->event_value[ev][ph] >= 0)
                mb_record_int(r, key, res->event_value[ev][ph]);
            else
                mb_record_empty(r, key);
        }
    }
}
