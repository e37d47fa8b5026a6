/* record.c: the simulator's record columns and the one reference time of every "vs full"
 * ratio: full BPTT's canonical plan, replayed under the same cost model. */
#include "core/error.h"
#include "sim/sim.h"

int mb_sim_full_time(const mb_problem *p, const mb_cost_model *m, double *out)
{
    mb_plan *full;
    int rc = mb_plan_full(p, &full);
    if (rc != MB_OK)
        return rc;
    mb_sim_report rep;
    rc = mb_sim_replay(full, &rep);
    if (rc == MB_OK && MB_NEVER(!rep.valid))
        rc = MB_ERROR(MB_EINTERNAL, "internal error: the full plan fails its own replay: %s",
                      rep.reason);
    mb_plan_free(full);
    if (rc == MB_OK)
        *out = mb_sim_predict(&rep, m);
    return rc;
}

void mb_cost_model_record(mb_record *r, const mb_cost_model *m)
{
    mb_record_double(r, "cost_forward", m->forward);
    mb_record_double(r, "cost_backward", m->backward);
    mb_record_double(r, "cost_copy", m->copy);
}

void mb_cost_model_record_slow(mb_record *r, const mb_problem *p, const mb_cost_model *m)
{
    if (p->slow_budget == 0)
        return;
    mb_record_double(r, "cost_write", m->write);
    mb_record_double(r, "cost_read", m->read);
    mb_record_double(r, "cost_write_latency", m->write_latency);
    mb_record_double(r, "cost_read_latency", m->read_latency);
}

void mb_sim_record(mb_record *r, const mb_problem *p, const mb_sim_report *rep,
                   const mb_cost_model *m, double full_time, int hsm_bound)
{
    static const char *const keys[] = {"valid", "store_ops", "restore_ops", "copied_units",
                                       "predicted_time", "predicted_time_vs_full"};
    if (rep == NULL) {
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            mb_record_empty(r, keys[i]);
    } else {
        double predicted = mb_sim_predict(rep, m);
        mb_record_bool(r, keys[0], rep->valid);
        mb_record_int(r, keys[1], rep->store_ops);
        mb_record_int(r, keys[2], rep->restore_ops);
        mb_record_int(r, keys[3], rep->copied_units);
        mb_record_double(r, keys[4], predicted);
        mb_record_double(r, keys[5], predicted / full_time);
    }
    if (hsm_bound)
        mb_record_double(r, "hsm_bound", mb_sim_hsm_bound(p->steps, p->budget / p->hidden_units));
    else
        mb_record_empty(r, "hsm_bound");
}

void mb_sim_record_recompute(mb_record *r, const mb_sim_report *rep, const mb_cost_model *m)
{
    if (rep != NULL)
        mb_record_int(r, "recompute_ops", rep->recompute_ops);
    else
        mb_record_empty(r, "recompute_ops");
    mb_record_double(r, "cost_recompute", mb_cost_recompute(m));
}

void mb_sim_record_replay(mb_record *r, const mb_plan *plan, const mb_sim_report *rep)
{
    const mb_problem *p = &plan->problem;
    mb_record_int(r, "budget_units", p->budget);
    mb_record_bool(r, "valid", rep->valid);
    mb_record_int(r, "ops", (int64_t)plan->n_ops);
    mb_record_int(r, "forward_ops", rep->forward_ops);
    mb_record_int(r, "backward_ops", rep->backward_ops);
    mb_record_int(r, "peak_units", rep->peak);
    mb_record_double(r, "cost_per_step", (double)rep->forward_ops / (double)p->steps);
    mb_record_int(r, "copied_units", rep->copied_units);
    mb_sim_record_slow(r, p, rep);
    if (rep->valid)
        mb_record_empty(r, "first_violation");
    else
        mb_record_string(r, "first_violation", rep->reason);
}
