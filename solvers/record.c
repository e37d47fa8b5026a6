/* record.c: the record columns of a solver's answer (docs/design.md, "Sweeps, records and
 * figures"), the same in every command and every sweep row. */
#include "solvers/solvers.h"

void mb_solution_record(mb_record *r, const mb_problem *p, const mb_solution *s)
{
    int64_t full = 0;
    int have_full = mb_problem_full_units(p, &full) == 0 && full > 0;
    if (p->budget >= 0)
        mb_record_int(r, "budget_units", p->budget);
    else
        mb_record_empty(r, "budget_units");
    mb_record_bool(r, "feasible", s->feasible);
    if (s->min_budget >= 0)
        mb_record_int(r, "min_budget_units", s->min_budget);
    else
        mb_record_empty(r, "min_budget_units");
    if (s->feasible) {
        mb_record_int(r, "forward_ops", s->plan->forward_ops);
        mb_record_int(r, "backward_ops", p->steps);
        mb_record_int(r, "peak_units", s->plan->peak);
        mb_record_double(r, "cost_per_step", (double)s->plan->forward_ops / (double)p->steps);
    } else {
        mb_record_empty(r, "forward_ops");
        mb_record_empty(r, "backward_ops");
        mb_record_empty(r, "peak_units");
        mb_record_empty(r, "cost_per_step");
    }
    if (have_full && p->budget >= 0)
        mb_record_double(r, "budget_fraction", (double)p->budget / (double)full);
    else
        mb_record_empty(r, "budget_fraction");
    if (have_full && s->feasible)
        mb_record_double(r, "peak_fraction", (double)s->plan->peak / (double)full);
    else
        mb_record_empty(r, "peak_fraction");
}

void mb_solution_record_time(mb_record *r, const mb_solution *s)
{
    mb_record_double(r, "solve_seconds", s->solve_seconds);
}
