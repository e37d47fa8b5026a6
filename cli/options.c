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
static const option table[] = {
    {"format", CLI_VERIFY, K_FORMAT, AT(format), 0, 0},
    {"out", CLI_SWEEP, K_FOLDER, AT(out), 0, 0},
    {"out", CLI_MERGE, K_FILE, AT(out), 0, 0},
    {"shard", CLI_SWEEP, K_SHARD, AT(sweep.shard_index), 0, 0},
    {"sync", CLI_SWEEP, K_SYNC, AT(sweep), 0, 0},
    {"repair", CLI_SWEEP, K_FLAG, AT(sweep.repair), 0, 0},
    {"accept-other-build", CLI_SWEEP | CLI_MERGE, K_FLAG, AT(sweep.accept_other_build), 0, 0},
    {"skip-failed", CLI_SWEEP, K_FLAG, AT(sweep.skip_failed), 0, 0},
    {"quiet", CLI_SWEEP, K_FLAG, AT(quiet), 0, 0},
    {"dry-run", CLI_SWEEP, K_FLAG, AT(dry_run), 0, 0},
    /* solve, simulate and compare */
    /* run */
    /* reproduce */
    /* plot */
    /* calibrate-store */
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
        if (v->given[r]++)
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
