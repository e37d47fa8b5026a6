/* main.c: `membptt <subcommand> [options]`: dispatch, top-level help and version. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/error.h"
#include "core/json.h"
#include "core/version.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    {"solve", cmd_solve, "choose a policy for a length and a budget; print its cost, write its plan"},
    {"simulate", cmd_simulate, "solve, replay the plan, report validity, counts, peak, predicted time"},
    {"verify", cmd_verify, "replay a plan file from any source; name its first invalid op"},
    {"run", cmd_run, "run a plan on a real LSTM/GRU/RNN against full BPTT: time, memory, counters"},
    {"compare", cmd_compare, "every solver on one problem, side by side"},
    {"calibrate-store", cmd_calibrate_store, "measure a slow-store directory and a cell; write --store-costs"},
    {"sweep", cmd_sweep, "run a config's points into CSV (resumable, shardable)"},
    {"merge", cmd_merge, "join the shard CSVs of a sweep into the single-process file"},
    {"plot", cmd_plot, "draw the figures, or any CSV, with gnuplot (PDF + PNG + .gp)"},
    {"reproduce", cmd_reproduce, "the paper's tables and figures: sweeps, LSTM, fits, plots"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fputs("Usage: membptt <command> [options]\n\n"
          "membptt decides which RNN states backpropagation through time should keep and which\n"
          "it should recompute under a memory budget, and what that costs.\n\ncommands:\n",
          f);
    int width = 0; /* the longest name, so that a summary never touches its name */
    for (size_t i = 0; i < N_COMMANDS; i++)
        if ((int)strlen(commands[i].name) > width)
            width = (int)strlen(commands[i].name);
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-*s  %s\n", width, commands[i].name, commands[i].summary);
    fputs("\nRun 'membptt <command> --help' for a command's options.\n"
          "Exit status: 0 success, 1 runtime failure, 2 invalid input, 3 infeasible budget,\n"
          "4 invalid plan.\n",
          f);
}

/* A closed standard stream would be reused by the next file opened (a plan written into the
 * report's descriptor). Each closed one gets /dev/null opened the other way round, so
 * reading stdin finds nothing and writing stdout fails and is reported at exit. */
static void guard_std_streams(void)
{
    static const int modes[3] = {O_WRONLY, O_RDONLY, O_WRONLY};
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
            int got = open("/dev/null", modes[fd]);
            if (got >= 0 && got != fd) {
                dup2(got, fd);
                close(got);
            }
        }
}

/* The report is on standard output: a write error there (a full disk, a closed pipe) loses
 * it, so it fails the command (exit 1) even when everything else succeeded. */
static int finish_stdout(int status)
{
    int failed = ferror(stdout) != 0, e = 0; /* the reason is lost when a write failed earlier */
    if (fflush(stdout) != 0) {
        failed = 1;
        e = errno;
    }
    if (fclose(stdout) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    if (!failed)
        return status;
    fprintf(stderr, "membptt: error: cannot write the report to standard output: %s\n",
            e ? strerror(e) : "a write failed");
    return status == 0 ? 1 : status;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("membptt %s\n", MB_VERSION);
        return 0;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    char q[128];
    fprintf(stderr, "membptt: error: unknown command '%s'; the commands are",
            mb_text_quote(q, sizeof q, argv[1], strlen(argv[1])));
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(stderr, "%s %s", i ? "," : "", commands[i].name);
    fputs("\nRun 'membptt --help' for more.\n", stderr);
    return 2;
}

int main(int argc, char **argv)
{
    guard_std_streams();
    /* past a file size limit (ulimit -f) a write fails with EFBIG and is reported, naming the
     * file, instead of the process being killed with a partial file left behind */
    signal(SIGXFSZ, SIG_IGN);
    return finish_stdout(dispatch(argc, argv));
}
