/* solve_and_run.c: membptt as a library. Solves a small LSTM's problem at 10% of full BPTT's
 * memory with msm, prints the plan's cost, then runs the plan beside full BPTT on that LSTM. */
#include <membptt.h>
#include <stdio.h>

int main(void) {
    mb_exec_config c = mb_exec_config_default(); /* LSTM, seed 1, one BLAS thread */
    c.input = 8, c.hidden = 16, c.batch = 2, c.steps = 100, c.repeat = 1;
    mb_problem p;
    mb_solve_options o = {0};
    mb_solution s = {0};
    mb_exec_result r;
    if (mb_exec_problem(&c, &p) != MB_OK ||
        mb_parse_budget("budget", "10%", &p, &p.budget) != MB_OK ||
        mb_solve(mb_solver_lookup("msm"), &p, &o, &s) != MB_OK || !s.feasible)
        goto fail;
    printf("msm: t = %lld, budget %lld units of %lld bytes: %lld forward ops, peak %lld units\n",
           (long long)p.steps, (long long)p.budget, (long long)p.unit_bytes,
           (long long)s.plan->forward_ops, (long long)s.plan->peak);
    if (mb_exec_run(&c, s.plan, &r) != MB_OK)
        goto fail;
    printf("lstm: peak store %lld of %lld bytes, gradients %s full BPTT's\n",
           (long long)r.peak_store_bytes, (long long)r.peak_store_full_bytes,
           r.grad_bitwise_equal ? "bitwise equal to" : "differ from");
    mb_plan_free(s.plan);
    return 0;
fail:
    fprintf(stderr, "solve_and_run: %s\n", mb_errmsg());
    mb_plan_free(s.plan);
    return 1;
}
