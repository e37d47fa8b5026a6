/* cmd_verify.c: `membptt verify PLAN.json`: replays a plan file from any source. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "core/error.h"

static void help(void)
{
    printf("usage: membptt verify [--format text|json|csv] PLAN.json\n\n"
           "Replays a plan file (format membptt-plan, version 1 or 2; '-' reads standard\n"
           "input) against the plan IR: every op's precondition, each storage level's budget\n"
           "at every instant, the backward order t..1, and the forward_ops and peak the file\n"
           "declares. A plan with a slow store also reports its slow peak and the units (and\n"
           "bytes) written to and read from it.\n\n"
           "exit status: 0 valid (the summary is printed), 4 invalid (the message names the\n"
           "first bad op: index, op, step, reason), 2 unreadable or malformed file.\n");
}

int cmd_verify(int argc, char **argv)
{
    cli_values v;
    int rc = cli_parse(CLI_VERIFY, "verify", argc, argv, &v);
    if (rc == MB_OK && v.help) {
        help();
        return 0;
    }
    if (rc == MB_OK && v.n_args != 1)
        rc = MB_ERROR(MB_EINVAL, "expected exactly one plan file, got %d arguments", v.n_args);
    if (rc != MB_OK)
        return cli_fail("verify", rc);
    const char *path = v.args[0];
    mb_format format = v.format;
    mb_plan *plan;
    if ((rc = mb_plan_load(path, &plan)) != MB_OK)
        return cli_fail("verify", rc);
    mb_sim_report rep;
    if ((rc = mb_sim_replay(plan, &rep)) != MB_OK) {
        mb_plan_free(plan);
        return cli_fail("verify", rc);
    }
    const mb_problem *p = &plan->problem;
    mb_record r = {0};
    mb_record_string(&r, "plan", path);
    mb_record_string(&r, "solver", plan->solver);
    mb_problem_record(&r, p);
    mb_sim_record_replay(&r, plan, &rep);
    mb_plan_free(plan);
    int prc = mb_record_print(stdout, &r, format, 1);
    if (prc != MB_OK)
        return cli_fail("verify", prc);
    if (!rep.valid) {
        MB_ERROR(MB_EBADPLAN, "invalid plan: %s", rep.reason);
        return cli_fail("verify", MB_EBADPLAN);
    }
    return 0;
}
