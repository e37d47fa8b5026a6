/* options.c: the option table of every command and the one parser that applies it
 * (cli/options.h; docs/design.md, "Command line"). */
#include "cli/options.h"

#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/fileio.h"
#include "core/json.h"
#include "core/problem.h"
#include "measure/measure.h"

/* How a value is parsed. */
typedef enum {
    K_TEXT,   /* a non-empty text, kept as is (const char *) */
    K_FILE,   /* an output file path, non-empty (const char *) */
    K_FOLDER, /* an output folder path (mb_output_path_check: non-empty, not a file) */
    K_INT64,  /* an integer in [min, max] (int64_t) */
    K_INT,    /* an integer in [min, max] (int) */
    K_DOUBLE, /* a number >= 0 (double) */
    K_FLAG,   /* no value: sets an int to 1 */
    K_FORMAT, /* text, json or csv (mb_format) */
    K_DP,     /* fast or textbook (mb_dp_method) */
    K_MIB,    /* MiB in [1, 2^32], stored as bytes (int64_t) */
    K_SHARD,  /* I/N with 0 <= I < N (mb_sweep_options' shard_index, then shard_count) */
    K_SYNC,   /* point, end, batch:N or Ns (mb_sweep_sync_parse into mb_sweep_options) */
    K_SIZE,   /* a problem's integer in [min, max], kept as text (mb_keyval's value) */
    K_BYTES,  /* a byte size (4096, 64KiB, 3MB), kept as text (mb_keyval's value) */
    K_BUDGET, /* units, bytes or a percentage, kept as text: the sizes give its meaning */
    K_SLOW,   /* a slow budget: as K_BUDGET, or unlimited */
    K_SOLVER, /* a solver's name (const mb_solver_type *) */
    K_CELL,   /* lstm, gru or rnn (mb_cell_kind) */
    K_EVENTS, /* a counter list, checked by opening it; "default" is MB_COUNTERS_DEFAULT */
    K_SEED,   /* an integer in [0, 2^63) (uint64_t) */
    K_WHERE,  /* COL=VAL, repeatable (cli_list; at most CLI_LIST_MAX) */
} kind;

typedef struct {
    const char *name;
    unsigned commands;
    kind kind;
    size_t offset; /* of the destination in cli_values */
    int64_t min, max;
} option;

#define AT(field) offsetof(cli_values, field)

/* Every option of every command. A row says which commands take it; a name has two rows only
 * when it means two things to different commands (sweep's --out is a folder, merge's a file). */
enum { SOLVING = CLI_SOLVE | CLI_SIMULATE | CLI_COMPARE };

static const option table[] = {
    {"format", SOLVING | CLI_VERIFY | CLI_RUN | CLI_STORE, K_FORMAT, AT(format), 0, 0},
    {"out", CLI_SWEEP | CLI_REPRODUCE, K_FOLDER, AT(out), 0, 0},
    {"out", CLI_MERGE, K_FILE, AT(out), 0, 0},
    {"shard", CLI_SWEEP, K_SHARD, AT(sweep.shard_index), 0, 0},
    {"sync", CLI_SWEEP, K_SYNC, AT(sweep), 0, 0},
    {"repair", CLI_SWEEP, K_FLAG, AT(sweep.repair), 0, 0},
    {"accept-other-build", CLI_SWEEP | CLI_MERGE, K_FLAG, AT(sweep.accept_other_build), 0, 0},
    {"skip-failed", CLI_SWEEP, K_FLAG, AT(sweep.skip_failed), 0, 0},
    {"quiet", SOLVING | CLI_SWEEP | CLI_RUN | CLI_REPRODUCE, K_FLAG, AT(quiet), 0, 0},
    {"dry-run", CLI_SWEEP, K_FLAG, AT(dry_run), 0, 0},
    /* solve, simulate and compare */
    {"solver", CLI_SOLVE | CLI_SIMULATE | CLI_RUN, K_SOLVER, AT(solver), 0, 0},
    {"steps", SOLVING, K_SIZE, AT(problem.steps.value), 1, MB_MAX_STEPS},
    {"alpha", SOLVING, K_SIZE, AT(problem.alpha.value), 1, INT64_C(1) << 40},
    {"hidden-bytes", SOLVING, K_BYTES, AT(problem.hidden_bytes.value), 0, 0},
    {"internal-bytes", SOLVING, K_BYTES, AT(problem.internal_bytes.value), 0, 0},
    {"budget", SOLVING | CLI_RUN, K_BUDGET, AT(problem.budget.value), 0, 0},
    {"slow-budget", SOLVING | CLI_RUN, K_SLOW, AT(problem.slow_budget.value), 0, 0},
    {"plan-out", CLI_SOLVE | CLI_SIMULATE, K_FILE, AT(plan_out), 0, 0},
    {"dp", SOLVING, K_DP, AT(solve.dp_method), 0, 0},
    {"max-table-mib", SOLVING | CLI_RUN, K_MIB, AT(solve.max_table_bytes), 1, INT64_C(1) << 32},
    {"cost-forward", SOLVING, K_DOUBLE, AT(cost.forward), 0, 0},
    {"cost-backward", SOLVING, K_DOUBLE, AT(cost.backward), 0, 0},
    {"cost-copy", CLI_SIMULATE | CLI_COMPARE, K_DOUBLE, AT(cost.copy), 0, 0},
    {"cost-recompute", CLI_SIMULATE | CLI_COMPARE, K_DOUBLE, AT(cost.recompute), 0, 0},
    {"cost-write", SOLVING | CLI_RUN, K_DOUBLE, AT(cost.write), 0, 0},
    {"cost-read", SOLVING | CLI_RUN, K_DOUBLE, AT(cost.read), 0, 0},
    {"cost-write-latency", SOLVING | CLI_RUN, K_DOUBLE, AT(cost.write_latency), 0, 0},
    {"cost-read-latency", SOLVING | CLI_RUN, K_DOUBLE, AT(cost.read_latency), 0, 0},
    {"store-costs", SOLVING | CLI_RUN, K_TEXT, AT(store_costs), 0, 0},
    /* run */
    {"cell", CLI_RUN | CLI_STORE, K_CELL, AT(exec.cell), 0, 0},
    {"steps", CLI_RUN, K_INT64, AT(exec.steps), 1, INT64_MAX},
    {"input", CLI_RUN, K_INT64, AT(exec.input), 1, INT64_MAX},
    {"hidden", CLI_RUN, K_INT64, AT(exec.hidden), 1, INT64_MAX},
    {"batch", CLI_RUN, K_INT64, AT(exec.batch), 1, INT64_MAX},
    {"output", CLI_RUN, K_INT64, AT(exec.output), 1, INT64_MAX},
    {"plan", CLI_RUN, K_TEXT, AT(plan), 0, 0},
    {"repeat", CLI_RUN, K_INT, AT(exec.repeat), 1, 100000},
    {"threads", CLI_RUN, K_INT, AT(exec.threads), 1, 1024},
    {"pin", CLI_RUN, K_INT, AT(exec.pin), 0, 1 << 20},
    {"events", CLI_RUN, K_EVENTS, AT(exec.events), 0, 0},
    {"seed", CLI_RUN, K_SEED, AT(exec.seed), 0, 0},
    {"input-grads", CLI_RUN, K_FLAG, AT(exec.input_grads), 0, 0},
    {"slow-dir", CLI_RUN | CLI_STORE, K_TEXT, AT(exec.slow_dir), 0, 0},
    {"slow-direct", CLI_RUN | CLI_STORE, K_FLAG, AT(exec.slow_direct), 0, 0},
    {"retry-contended", CLI_RUN, K_INT, AT(exec.retry_contended), 0, 1000},
    {"progress", CLI_RUN, K_FLAG, AT(progress), 0, 0},
    /* reproduce */
    {"full", CLI_REPRODUCE, K_FLAG, AT(repro.full), 0, 0},
    {"resume", CLI_REPRODUCE, K_FLAG, AT(repro.resume), 0, 0},
    {"no-measure", CLI_REPRODUCE, K_FLAG, AT(repro.no_measure), 0, 0},
    {"analytic", CLI_REPRODUCE, K_TEXT, AT(repro.analytic), 0, 0},
    {"bench", CLI_REPRODUCE, K_TEXT, AT(repro.bench), 0, 0},
    {"force", CLI_REPRODUCE, K_FLAG, AT(repro.force), 0, 0},
    /* plot */
    {"out", CLI_PLOT, K_TEXT, AT(out), 0, 0}, /* a folder, or --csv's file stem */
    {"full", CLI_PLOT, K_FLAG, AT(plot.full), 0, 0},
    {"list", CLI_PLOT, K_FLAG, AT(plot.list), 0, 0},
    {"force", CLI_PLOT, K_FLAG, AT(plot.force), 0, 0},
    {"redraw", CLI_PLOT, K_FLAG, AT(plot.redraw), 0, 0},
    {"bench", CLI_PLOT, K_TEXT, AT(plot.bench), 0, 0},
    {"sweep", CLI_PLOT, K_TEXT, AT(plot.sweep), 0, 0},
    {"lstm", CLI_PLOT, K_TEXT, AT(plot.lstm), 0, 0},
    {"plan", CLI_PLOT, K_TEXT, AT(plot.plan_data), 0, 0},
    {"csv", CLI_PLOT, K_TEXT, AT(plot.csv), 0, 0},
    {"x", CLI_PLOT, K_TEXT, AT(plot.x), 0, 0},
    {"y", CLI_PLOT, K_TEXT, AT(plot.y), 0, 0},
    {"by", CLI_PLOT, K_TEXT, AT(plot.by), 0, 0},
    {"where", CLI_PLOT, K_WHERE, AT(plot.where), 0, 0},
    {"logx", CLI_PLOT, K_FLAG, AT(plot.logx), 0, 0},
    {"logy", CLI_PLOT, K_FLAG, AT(plot.logy), 0, 0},
    {"title", CLI_PLOT, K_TEXT, AT(plot.title), 0, 0},
    /* calibrate-store */
    {"out", CLI_STORE, K_FILE, AT(out), 0, 0},
    {"steps", CLI_STORE, K_INT64, AT(exec.steps), 1, 100000},
    {"input", CLI_STORE, K_INT64, AT(exec.input), 1, INT64_C(1) << 20},
    {"hidden", CLI_STORE, K_INT64, AT(exec.hidden), 1, INT64_C(1) << 20},
    {"batch", CLI_STORE, K_INT64, AT(exec.batch), 1, INT64_C(1) << 20},
    {"repeat", CLI_STORE, K_INT, AT(exec.repeat), 3, 100000},
};
#define N_OPTIONS (sizeof table / sizeof table[0])

static const char *const command_names[] = {"solve", "simulate",  "compare", "verify",
                                            "run",   "sweep",     "merge",   "reproduce",
                                            "plot",  "calibrate-store"};

/* "solve and simulate", "simulate, compare and run": the commands of `bits`. */
static void commands_text(unsigned bits, char *dst, size_t cap)
{
    size_t n = 0, k = 0, total = 0;
    for (size_t i = 0; i < sizeof command_names / sizeof command_names[0]; i++)
        total += (bits >> i) & 1u;
    dst[0] = '\0';
    for (size_t i = 0; i < sizeof command_names / sizeof command_names[0]; i++) {
        if (!((bits >> i) & 1u))
            continue;
        k++;
        int w = snprintf(dst + n, cap - n, "%s%s", k == 1 ? "" : k == total ? " and " : ", ",
                         command_names[i]);
        if (w < 0 || (size_t)w >= cap - n)
            return;
        n += (size_t)w;
    }
}

static int parse_value(const option *o, const char *text, cli_values *v)
{
    char key[40];
    snprintf(key, sizeof key, "--%s", o->name);
    void *dst = (char *)v + o->offset;
    int64_t i;
    int rc;
    switch (o->kind) {
    case K_TEXT:
        if (text[0] == '\0')
            return MB_ERROR(MB_EINVAL, "%s '': an empty value; see --help for what it takes", key);
        *(const char **)dst = text;
        return MB_OK;
    case K_FILE: /* the writer refuses a folder, a socket, ... when it opens the path */
        if (text[0] == '\0')
            return MB_ERROR(MB_EINVAL, "%s '': an empty path; give a file (an existing device "
                            "or FIFO is written into, a regular file is replaced)", key);
        *(const char **)dst = text;
        return MB_OK;
    case K_FOLDER:
        if ((rc = mb_output_path_check(key, text, 1)) == MB_OK)
            *(const char **)dst = text;
        return rc;
    case K_INT64: return mb_parse_int(key, text, o->min, o->max, (int64_t *)dst);
    case K_INT:
        if ((rc = mb_parse_int(key, text, o->min, o->max, &i)) == MB_OK)
            *(int *)dst = (int)i;
        return rc;
    case K_DOUBLE: return mb_parse_double(key, text, 0.0, (double *)dst);
    case K_FLAG: *(int *)dst = 1; return MB_OK;
    case K_FORMAT: return mb_format_parse(key, text, (mb_format *)dst);
    case K_DP:
        if (strcmp(text, "fast") == 0)
            *(mb_dp_method *)dst = MB_DP_FAST;
        else if (strcmp(text, "textbook") == 0)
            *(mb_dp_method *)dst = MB_DP_TEXTBOOK;
        else
            return MB_ERROR(MB_EINVAL, "%s '%s': expected fast or textbook", key, text);
        return MB_OK;
    case K_MIB:
        if ((rc = mb_parse_int(key, text, o->min, o->max, &i)) == MB_OK)
            *(int64_t *)dst = i << 20;
        return rc;
    case K_SYNC: return mb_sweep_sync_parse(key, text, &v->sweep);
    case K_SIZE:
        if ((rc = mb_parse_int(key, text, o->min, o->max, &i)) == MB_OK)
            *(const char **)dst = text; /* mb_problem_from_spec reads it again */
        return rc;
    case K_BYTES:
        if ((rc = mb_parse_bytes(key, text, &i)) == MB_OK)
            *(const char **)dst = text;
        return rc;
    case K_BUDGET:
    case K_SLOW: { /* the form alone: any sizes that take bytes, the sizes give the units */
        const mb_problem any = {.steps = 1, .hidden_units = 1, .internal_units = 1,
                                .unit_bytes = 1};
        rc = o->kind == K_SLOW ? mb_parse_slow_budget(key, text, &any, &i)
                               : mb_parse_budget(key, text, &any, &i);
        if (rc == MB_OK)
            *(const char **)dst = text;
        return rc;
    }
    case K_SOLVER:
        if ((*(const mb_solver_type **)dst = mb_solver_lookup(text)) == NULL)
            return MB_ERROR(MB_EINVAL, "%s '%s': unknown; one of: %s", key, text,
                            mb_solver_names());
        return MB_OK;
    case K_CELL: return mb_cell_parse(key, text, (mb_cell_kind *)dst);
    case K_EVENTS: { /* a malformed or unknown event is exit 2 before any work */
        const char *events = strcmp(text, "default") == 0 ? MB_COUNTERS_DEFAULT : text;
        mb_counters *probe;
        if ((rc = mb_counters_open_key(key, events, &probe)) != MB_OK)
            return rc;
        mb_counters_close(probe);
        *(const char **)dst = events;
        return MB_OK;
    }
    case K_WHERE: {
        cli_list *l = dst;
        const char *eq = strchr(text, '=');
        if (eq == NULL || eq == text)
            return MB_ERROR(MB_EINVAL, "%s '%s': expected COL=VAL (e.g. solver=msm)", key, text);
        if (l->n == CLI_LIST_MAX)
            return MB_ERROR(MB_EINVAL, "%s: at most %d of them", key, CLI_LIST_MAX);
        l->v[l->n++] = text;
        return MB_OK;
    }
    case K_SEED:
        if ((rc = mb_parse_int(key, text, 0, INT64_MAX, &i)) == MB_OK)
            *(uint64_t *)dst = (uint64_t)i;
        return rc;
    case K_SHARD: { /* I/N: two decimal integers, 0 <= I < N <= 1000000 */
        int64_t n;
        char a[32];
        const char *slash = strchr(text, '/');
        if (slash != NULL && slash - text < (long)sizeof a) {
            snprintf(a, sizeof a, "%.*s", (int)(slash - text), text);
            if (mb_parse_int(key, a, 0, 999999, &i) == MB_OK &&
                mb_parse_int(key, slash + 1, 1, 1000000, &n) == MB_OK && i < n) {
                v->sweep.shard_index = (int)i;
                v->sweep.shard_count = (int)n;
                return MB_OK;
            }
        }
        return MB_ERROR(MB_EINVAL, "%s '%s': expected I/N, two integers with 0 <= I < N <= "
                        "1000000 (e.g. 0/4)", key, text);
    }
    }
    return MB_ERROR(MB_EINTERNAL, "%s: option kind %d has no parser", key, (int)o->kind);
}

/* The row of `name` for `command`, or -1; *all gets the commands of every row of that name. */
static int row_of(const char *name, unsigned command, unsigned *all)
{
    int found = -1;
    *all = 0;
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (strcmp(table[i].name, name) == 0) {
            *all |= table[i].commands;
            if (table[i].commands & command)
                found = (int)i;
        }
    return found;
}

int cli_parse(unsigned command, const char *name, int argc, char **argv, cli_values *v)
{
    struct option longopts[N_OPTIONS + 2];
    size_t n = 0;
    memset(v, 0, sizeof *v);
    v->cost = mb_cost_model_default();
    v->exec = mb_exec_config_default();
    v->problem = (mb_problem_spec){{"--steps", NULL},  {"--alpha", NULL},
                                   {"--hidden-bytes", NULL}, {"--internal-bytes", NULL},
                                   {"--budget", NULL}, {"--slow-budget", NULL}};
    for (size_t i = 0; i < N_OPTIONS; i++) { /* each name once; val: its first row */
        size_t j = 0;
        while (j < n && strcmp(longopts[j].name, table[i].name) != 0)
            j++;
        if (j == n)
            longopts[n++] = (struct option){table[i].name,
                                            table[i].kind == K_FLAG ? no_argument
                                                                    : required_argument,
                                            NULL, (int)(256 + i)};
    }
    longopts[n++] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[n] = (struct option){NULL, 0, NULL, 0};
    opterr = 0;
    optind = 1;
    int c, rc = MB_OK;
    while (rc == MB_OK && (c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
        if (c == 'h') {
            v->help = 1;
            return MB_OK;
        }
        if (c == ':')
            return MB_ERROR(MB_EINVAL, "%s: missing value", argv[optind - 1]);
        if (c < 256 || c >= 256 + (int)N_OPTIONS)
            return MB_ERROR(MB_EINVAL, "unknown option '%s'", argv[optind - 1]);
        unsigned all;
        int r = row_of(table[c - 256].name, command, &all);
        if (r < 0) {
            char who[128];
            commands_text(all, who, sizeof who);
            return MB_ERROR(MB_EINVAL, "--%s: %s does not use this option (it is for %s)",
                            table[c - 256].name, name, who);
        }
        const option *o = &table[r];
        if (v->given[r]++ && o->kind != K_WHERE)
            return MB_ERROR(MB_EINVAL, "--%s given twice; give each option once", o->name);
        rc = parse_value(o, o->kind == K_FLAG ? "" : optarg, v);
    }
    v->args = argv + optind;
    v->n_args = argc - optind;
    return rc;
}

int cli_given(const cli_values *v, const char *name)
{
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (strcmp(table[i].name, name) == 0 && v->given[i])
            return 1;
    return 0;
}

int cli_no_args(const cli_values *v)
{
    if (v->n_args == 0)
        return MB_OK;
    char q[128];
    return MB_ERROR(MB_EINVAL, "unexpected argument '%s'",
                    mb_text_quote(q, sizeof q, v->args[0], strlen(v->args[0])));
}

int cli_options_check(void)
{
    if (N_OPTIONS > sizeof ((cli_values *)0)->given)
        return MB_ERROR(MB_EINTERNAL, "%zu options, room for %zu", (size_t)N_OPTIONS,
                        sizeof ((cli_values *)0)->given);
    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (table[i].commands == 0)
            return MB_ERROR(MB_EINTERNAL, "--%s: no command takes it", table[i].name);
        for (size_t j = 0; j < i; j++)
            if (strcmp(table[i].name, table[j].name) == 0 &&
                ((table[i].commands & table[j].commands) ||
                 (table[i].kind == K_FLAG) != (table[j].kind == K_FLAG)))
                return MB_ERROR(MB_EINTERNAL, "--%s: two rows for one command, or a flag and "
                                "an option with a value", table[i].name);
        if (strcmp(table[i].name, "help") == 0)
            return MB_ERROR(MB_EINTERNAL, "--help is every command's, not a table row");
    }
    return MB_OK;
}

int cli_fail_prog(const char *prog, const char *cmd, int rc)
{
    int status = mb_exit_status(rc);
    fprintf(stderr, "%s %s: error: ", prog, cmd);
    mb_text_write(stderr, mb_errmsg());
    fputc('\n', stderr);
    if (status == 2)
        fprintf(stderr, "Run '%s %s --help' for the options.\n", prog, cmd);
    return status;
}

int cli_fail(const char *cmd, int rc) { return cli_fail_prog("membptt", cmd, rc); }
