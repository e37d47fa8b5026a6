/* config.c: sweep configurations in INI through inih (Debian's libinih): the sections and
 * their keys, each key handed to its section's handler and its values to values.c, then the
 * checks across keys (validate.c). A message names file, line, key, value and what is allowed.
 * docs/design.md, "Sweeps, records and figures". */
#include "sweep/parser.h"

#include <ctype.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/json.h"

/* Serves one line at a time to inih and counts lines, so handlers know their line. A line
 * longer than the parser's buffer is an error rather than silently split. */
static char *reader(char *str, int num, void *stream)
{
    mb_sweep_parser *ps = stream;
    if (ps->text[ps->pos] == '\0')
        return NULL;
    const char *start = ps->text + ps->pos;
    const char *nl = strchr(start, '\n');
    size_t len = nl ? (size_t)(nl - start) + 1 : strlen(start);
    ps->pos += len;
    ps->line++;
    if (len >= (size_t)num) {
        if (ps->long_line == 0)
            ps->long_line = ps->line;
        len = 0; /* hand inih an empty line; the error is raised after parsing */
    }
    memcpy(str, start, len);
    str[len] = '\0';
    const char *q = str;
    while (*q == ' ' || *q == '\t')
        q++;
    if (*q == '[')
        ps->header_pending = 1;
    return str;
}

/* The sections and their keys; a key's index marks duplicates. */
static const char *const sections[] = {"output", "solvers", "cost", "model", "counters",
                                       "problem", "plan"};
static const char *const keys_output[] = {"name", NULL};
static const char *const keys_solvers[] = {"names", "dp", "max_table_mib", NULL};
static const char *const keys_cost[] = {"forward", "backward", "copy", "write", "read",
                                        "write_latency", "read_latency", "store_costs", NULL};
static const char *const keys_model[] = {"cell", "batch", "input", "hidden", "threads",
                                         "repetitions", "seed", "slow_dir", NULL};
static const char *const keys_counters[] = {"events", NULL};
static const char *const keys_problem[] = {"solvers", "steps", "alpha", "hidden_bytes",
                                           "internal_bytes", "budget", "target_cost_per_step",
                                           "run", "slow_budget", NULL};
static const char *const keys_plan[] = {"solver", "steps", "alpha", "budget", NULL};
static const char *const *const section_keys[] = {keys_output, keys_solvers, keys_cost,
                                                  keys_model, keys_counters, keys_problem,
                                                  keys_plan};
#define N_SECTIONS ((int)(sizeof sections / sizeof sections[0]))
enum { SEC_OUTPUT, SEC_SOLVERS, SEC_COST = SEC_COST_INDEX, SEC_MODEL, SEC_COUNTERS, SEC_PROBLEM, SEC_PLAN };

static int key_index(int sec, const char *name)
{
    for (int i = 0; section_keys[sec][i]; i++)
        if (strcmp(section_keys[sec][i], name) == 0)
            return i;
    return -1;
}

static void key_list(int sec, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (int i = 0; section_keys[sec][i]; i++)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", i ? ", " : "",
                 section_keys[sec][i]);
}

static int section_index(const char *kind)
{
    for (int i = 0; i < N_SECTIONS; i++)
        if (strcmp(sections[i], kind) == 0)
            return i;
    return -1;
}

static int handle_problem(mb_sweep_parser *ps, const char *key, const char *value)
{
    mb_sweep_problem *p = ps->problem;
    mb_sweep_values *v = NULL;
    mb_sweep_value_kind kind = MB_VALUE_INT;
    if (strcmp(key, "solvers") == 0)
        return mb_sweep_solver_list(ps, key, value, &p->solvers_key, &p->solvers, &p->n_solvers);
    if (strcmp(key, "run") == 0) {
        if (strcmp(value, "analytic") == 0)
            p->mode = MB_SWEEP_ANALYTIC;
        else if (strcmp(value, "measured") == 0)
            p->mode = MB_SWEEP_MEASURED;
        else
            return mb_sweep_fail(ps, key, value, "expected analytic (solver + simulator) or measured "
                        "(the executor, with the [model] section)");
        return 1;
    }
    if (strcmp(key, "target_cost_per_step") == 0) {
        mb_sweep_set_where(ps, &p->target_key, key);
        if (!mb_sweep_parse_real(ps, key, value, 1.0, &p->target_cost_per_step))
            return 0;
        return 1;
    }
    if (strcmp(key, "steps") == 0)
        v = &p->steps;
    else if (strcmp(key, "alpha") == 0)
        v = &p->alpha;
    else if (strcmp(key, "hidden_bytes") == 0)
        v = &p->hidden_bytes, kind = MB_VALUE_BYTES;
    else if (strcmp(key, "internal_bytes") == 0)
        v = &p->internal_bytes, kind = MB_VALUE_BYTES;
    else if (strcmp(key, "slow_budget") == 0)
        v = &p->slow_budget, kind = MB_VALUE_SLOW, ps->c->two_level = 1;
    else
        v = &p->budget, kind = MB_VALUE_BUDGET;
    mb_sweep_set_where(ps, v, key);
    if (!mb_sweep_expand(ps, key, value, kind, v))
        return 0;
    /* bounds of the integer keys, checked per value so the message names the bad one */
    for (size_t i = 0; i < v->n; i++) {
        int64_t x;
        if (v == &p->steps && mb_parse_int(key, v->v[i], 1, MB_MAX_STEPS, &x) != MB_OK)
            return mb_sweep_fail(ps, key, value, "%s is not a sequence length; allowed: integers in "
                        "[1, %lld], as %s", v->v[i], (long long)MB_MAX_STEPS, mb_sweep_range_help);
        if (v == &p->alpha && mb_parse_int(key, v->v[i], 1, INT64_C(1) << 40, &x) != MB_OK)
            return mb_sweep_fail(ps, key, value, "%s: alpha is an integer >= 1 (internal state size in "
                        "hidden-state units)", v->v[i]);
        if (kind == MB_VALUE_BYTES && (mb_parse_bytes(key, v->v[i], &x) != MB_OK || x < 1))
            return mb_sweep_fail(ps, key, value, "%s: a state size is at least 1 byte", v->v[i]);
    }
    return 1;
}

/* Opens the section a key belongs to: a new [problem NAME] after its header line, or the
 * first key of another section (each at most once). 0 after recording the error. */
static int open_section(mb_sweep_parser *ps, int sec, const char *sname, const char *qs,
                        const char *name, const char *value)
{
    mb_sweep_config *c = ps->c;
    /* A [section] line read since the last key starts a new section (the reader saw it). */
    int header = ps->header_pending;
    ps->header_pending = 0;
    if (sec == SEC_PROBLEM) {
        const char *pname = sname[0] ? sname : "default";
        if (ps->problem != NULL && !header)
            return 1;
        if (!mb_sweep_name_ok(pname))
            return mb_sweep_fail(ps, name, value, "section [%s]: a problem name is letters, "
                                 "digits, _ - . (at most 63)", qs);
        for (size_t i = 0; i < c->n_problems; i++)
            if (strcmp(c->problems[i].name, pname) == 0)
                return mb_sweep_fail(ps, name, value, "section [%s] appears twice (first at "
                                     "line %d)", qs, c->problems[i].line);
        mb_sweep_problem *np = mb_realloc(c->problems, (c->n_problems + 1) * sizeof *np);
        if (np == NULL)
            return mb_sweep_nomem(ps, name);
        c->problems = np;
        ps->problem = &c->problems[c->n_problems++];
        memset(ps->problem, 0, sizeof *ps->problem);
        snprintf(ps->problem->name, sizeof ps->problem->name, "%s", pname);
        ps->problem->line = ps->line;
        memset(ps->seen[sec], 0, sizeof ps->seen[sec]);
    } else if (sname[0]) {
        return mb_sweep_fail(ps, name, value, "section [%s] takes no name; only [problem NAME] "
                             "does", qs);
    } else if (header) {
        if (ps->seen_sections[sec])
            return mb_sweep_fail(ps, name, value, "section [%s] appears twice (first key at "
                                 "line %d)", qs, ps->seen_sections[sec]);
        ps->seen_sections[sec] = ps->line;
    }
    return 1;
}

/* The fingerprint hashes every key that can change a point, exactly as written; only the
 * output name and the [plan] drawing do not reach a row. */
static void hash_key(mb_sweep_config *c, const char *section, const char *name,
                     const char *value)
{
    const char *parts[] = {section, name, value};
    for (int i = 0; i < 3; i++) {
        for (const char *q = parts[i]; *q; q++) {
            c->keys_hash ^= (unsigned char)*q;
            c->keys_hash *= UINT64_C(1099511628211);
        }
        c->keys_hash ^= 0xff;
        c->keys_hash *= UINT64_C(1099511628211);
    }
}

static int handle_solvers(mb_sweep_parser *ps, int k, const char *name, const char *value)
{
    mb_sweep_config *c = ps->c;
    if (k == 0) {
        mb_sweep_values names = {0};
        int ok = mb_sweep_solver_list(ps, name, value, &names, &c->default_solvers,
                                      &c->n_default_solvers);
        mb_sweep_values_free(&names);
        return ok;
    }
    if (k == 1) {
        if (strcmp(value, "fast") == 0)
            c->solve.dp_method = MB_DP_FAST;
        else if (strcmp(value, "textbook") == 0)
            c->solve.dp_method = MB_DP_TEXTBOOK;
        else
            return mb_sweep_fail(ps, name, value, "expected fast or textbook");
        return 1;
    }
    int64_t mib;
    if (!mb_sweep_parse_int(ps, name, value, 1, INT64_C(1) << 32, &mib))
        return 0;
    c->solve.max_table_bytes = mib << 20;
    return 1;
}

/* [cost]: the analytic time model's per-op costs (docs/design.md, "Cost model"), the slow
 * store's per-unit and per-transfer costs, or a store-costs file of calibrate-store (a path
 * relative to the config's folder), read now so the fingerprint holds its values. */
static int handle_cost(mb_sweep_parser *ps, int k, const char *name, const char *value)
{
    mb_sweep_config *c = ps->c;
    double *dst[] = {&c->cost.forward, &c->cost.backward, &c->cost.copy, &c->cost.write,
                     &c->cost.read, &c->cost.write_latency, &c->cost.read_latency};
    if (k < 7)
        return mb_sweep_parse_real(ps, name, value, 0.0, dst[k]);
    char path[2200];
    const char *slash = strrchr(c->path, '/');
    if (value[0] == '/' || slash == NULL)
        snprintf(path, sizeof path, "%s", value);
    else
        snprintf(path, sizeof path, "%.*s/%s", (int)(slash - c->path), c->path, value);
    snprintf(c->store_costs_where, sizeof c->store_costs_where, "%s:%d: [cost] store_costs",
             c->path, ps->line);
    int rc = mb_cost_model_load(path, 1, &c->store_costs);
    if (rc == MB_ENOMEM)
        return mb_sweep_nomem(ps, name);
    if (rc != MB_OK)
        return mb_sweep_fail(ps, name, value, "%s (a file membptt calibrate-store writes; a "
                             "relative path is taken from the config's folder)", mb_errmsg());
    c->has_store_costs = 1;
    return 1;
}

static int handle_model(mb_sweep_parser *ps, int k, const char *name, const char *value)
{
    mb_sweep_config *c = ps->c;
    if (k == 7) { /* slow_dir: checked by the preflight of the points that use it */
        if (strlen(value) >= sizeof c->slow_dir)
            return mb_sweep_fail(ps, name, value, "a path of at most %zu bytes",
                                 sizeof c->slow_dir - 1);
        snprintf(c->slow_dir, sizeof c->slow_dir, "%s", value);
        snprintf(c->slow_dir_where, sizeof c->slow_dir_where, "%s:%d: [model] slow_dir",
                 c->path, ps->line);
        return 1;
    }
    c->model.given = 1;
    c->model.line[k] = ps->line;
    if (k == 0) {
        if (strcmp(value, "lstm") != 0 && strcmp(value, "gru") != 0 && strcmp(value, "rnn") != 0)
            return mb_sweep_fail(ps, name, value, "expected lstm, gru or rnn");
        snprintf(c->model.cell, sizeof c->model.cell, "%s", value);
        return 1;
    }
    int64_t *dst[] = {NULL, &c->model.batch, &c->model.input, &c->model.hidden,
                      &c->model.threads, &c->model.repetitions, &c->model.seed};
    if (k == 6) {
        /* GSL's mt19937 keeps the low 32 bits of a seed and reads 0 as 4357: a seed outside
         * [1, 2^32 - 1] would silently be another seed's run */
        int64_t seed;
        if (!mb_sweep_parse_int(ps, name, value, 0, INT64_MAX, &seed))
            return 0;
        if (seed < 1 || seed > INT64_C(4294967295))
            return mb_sweep_fail(ps, name, value, "expected a seed in [1, 4294967295]: the "
                                 "generator (GSL's mt19937) uses the low 32 bits and reads 0 as "
                                 "4357, so other seeds repeat one of these");
        *dst[k] = seed;
        return 1;
    }
    int64_t max = k == 4 ? 1024 : k == 5 ? 10000 : 1 << 20;
    return mb_sweep_parse_int(ps, name, value, 1, max, dst[k]);
}

static int handle_counters(mb_sweep_parser *ps, const char *name, const char *value)
{
    mb_sweep_config *c = ps->c;
    mb_sweep_values ev = {0};
    if (!mb_sweep_expand(ps, name, value, MB_VALUE_NAME, &ev))
        return 0;
    for (size_t i = 0; i < ev.n; i++) {
        int ok = strlen(ev.v[i]) < 120;
        for (const char *q = ev.v[i]; *q; q++)
            ok &= isalnum((unsigned char)*q) || strchr("_-:.", *q) != NULL;
        for (size_t j = 0; j < i; j++)
            if (strcmp(ev.v[j], ev.v[i]) == 0)
                ok = 0;
        if (!ok) {
            mb_sweep_fail(ps, name, value, "'%s' is not a counter name or is listed twice; "
                          "allowed: PAPI or perf event names such as PAPI_TOT_CYC, "
                          "perf::TASK-CLOCK", ev.v[i]);
            mb_sweep_values_free(&ev);
            return 0;
        }
    }
    c->counters = ev.v;
    c->n_counters = ev.n;
    snprintf(c->counters_where, sizeof c->counters_where, "%s:%d: %s", c->path, ps->line, name);
    return 1;
}

static int handle_plan(mb_sweep_parser *ps, int k, const char *name, const char *value)
{
    mb_sweep_config *c = ps->c;
    const mb_solver_type *s;
    int64_t x;
    switch (k) {
    case 0:
        if ((s = mb_solver_lookup(value)) == NULL)
            return mb_sweep_fail(ps, name, value, "unknown solver; allowed: %s",
                                 mb_solver_names());
        c->plan_solver = s;
        snprintf(c->plan_where, sizeof c->plan_where, "%s:%d: [plan]", c->path, ps->line);
        return 1;
    case 1:
        if (!mb_sweep_parse_int(ps, name, value, 1, 100000, &x))
            return 0;
        snprintf(c->plan_steps, sizeof c->plan_steps, "%s", value);
        return 1;
    case 2:
        if (!mb_sweep_parse_int(ps, name, value, 1, 1 << 20, &x))
            return 0;
        snprintf(c->plan_alpha, sizeof c->plan_alpha, "%s", value);
        return 1;
    default:
        if (strlen(value) >= sizeof c->plan_budget || !mb_sweep_value_ok(value, MB_VALUE_BUDGET))
            return mb_sweep_fail(ps, name, value, "expected units (249) or a percentage (5%%)");
        snprintf(c->plan_budget, sizeof c->plan_budget, "%s", value);
        return 1;
    }
}

/* inih's handler: one key of one section, checked and stored. */
static int handler(void *user, const char *section, const char *name, const char *value)
{
    mb_sweep_parser *ps = user;
    if (ps->rc != MB_OK)
        return 0;
    char qs[160]; /* the section as written, quoted for messages */
    mb_text_quote(qs, sizeof qs, section, strlen(section));
    /* section kind and optional name: "problem fig1" */
    char kind[64] = "", sname[64] = "", extra[2] = "";
    if (sscanf(section, "%63s %63s %1s", kind, sname, extra) == 3 ||
        strlen(section) > sizeof kind + sizeof sname)
        return mb_sweep_fail(ps, name, value, "in section [%s]: a section header is [KIND] or "
                             "[problem NAME], with NAME one word", qs);
    int sec = section_index(kind);
    if (sec < 0)
        return mb_sweep_fail(ps, name, value, "in unknown section [%s]; allowed sections: "
                             "[output], [solvers], [cost], [model], [counters], [plan], "
                             "[problem] and [problem NAME]", qs);
    int k = key_index(sec, name);
    if (k < 0) {
        char list[512];
        key_list(sec, list, sizeof list);
        return mb_sweep_fail(ps, name, value, "unknown key in [%s]; allowed keys: %s", qs, list);
    }
    if (*value == '\0')
        return mb_sweep_fail(ps, name, value, "empty value");
    mb_sweep_config *c = ps->c;
    if (!open_section(ps, sec, sname, qs, name, value))
        return 0;
    snprintf(ps->section, sizeof ps->section, "%s", section);
    if (sec != SEC_OUTPUT && sec != SEC_PLAN)
        hash_key(c, section, name, value);
    if (ps->seen[sec][k])
        return mb_sweep_fail(ps, name, value, "given twice in [%s] (first at line %d)", qs,
                             ps->seen[sec][k]);
    ps->seen[sec][k] = ps->line;
    switch (sec) {
    case SEC_OUTPUT:
        if (!mb_sweep_name_ok(value))
            return mb_sweep_fail(ps, name, value, "expected a file stem of letters, digits, "
                                 "_ - . (at most 63)");
        snprintf(c->name, sizeof c->name, "%s", value);
        return 1;
    case SEC_SOLVERS: return handle_solvers(ps, k, name, value);
    case SEC_COST: return handle_cost(ps, k, name, value);
    case SEC_MODEL: return handle_model(ps, k, name, value);
    case SEC_COUNTERS: return handle_counters(ps, name, value);
    case SEC_PROBLEM: return handle_problem(ps, name, value);
    default: return handle_plan(ps, k, name, value);
    }
}

int mb_sweep_model_error(const mb_sweep_config *c, int rc)
{
    /* the executor names its command-line options; a config names FILE:LINE: key */
    static const char *const flags[] = {"--cell", "--batch", "--input", "--hidden", "--threads",
                                        "--repeat", "--seed"};
    const char *msg = mb_errmsg();
    char copy[2048];
    snprintf(copy, sizeof copy, "%s", msg);
    const char *first = NULL;
    int key = -1;
    for (int k = 0; k < 7; k++) {
        const char *at = strstr(copy, flags[k]);
        if (at != NULL && c->model.line[k] > 0 && (first == NULL || at < first)) {
            first = at;
            key = k;
        }
    }
    if (key >= 0)
        return MB_ERROR(rc, "%s:%d: [model] %s: %s", c->path, c->model.line[key],
                        keys_model[key], copy);
    int line = 0;
    for (int k = 0; k < 7; k++)
        if (c->model.line[k] > 0 && (line == 0 || c->model.line[k] < line))
            line = c->model.line[k];
    return MB_ERROR(rc, "%s:%d: [model]: %s", c->path, line, copy);
}

int mb_sweep_config_parse(const char *path, const char *text, mb_sweep_config **out)
{
    *out = NULL;
    mb_sweep_config *c = mb_calloc(1, sizeof *c);
    if (c == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    snprintf(c->path, sizeof c->path, "%s", path);
    c->text = mb_strdup(text);
    c->cost = mb_cost_model_default();
    /* default name: the file name without folders and without .ini */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(c->name, sizeof c->name, "%s", base);
    char *dot = strrchr(c->name, '.');
    if (dot && strcmp(dot, ".ini") == 0)
        *dot = '\0';
    if (!mb_sweep_name_ok(c->name))
        snprintf(c->name, sizeof c->name, "sweep");
    mb_sweep_parser ps = {.c = c, .text = text};
    int r = ini_parse_stream(reader, &ps, handler, &ps);
    int rc = ps.rc;
    if (rc == MB_OK && ps.long_line)
        rc = MB_ERROR(MB_EINVAL, "%s:%d: the line is longer than %d characters; split the list "
                      "over continuation lines (indented) or use a range", path, ps.long_line,
                      INI_MAX_LINE - 2);
    if (rc == MB_OK && r > 0)
        rc = MB_ERROR(MB_EINVAL, "%s:%d: not INI syntax: expected [section], key = value, a "
                      "comment (; or #) or a blank line", path, r);
    if (rc == MB_OK && r < 0)
        rc = MB_ERROR(MB_ENOMEM, "%s: the INI parser ran out of memory", path);
    if (rc == MB_OK)
        rc = mb_sweep_config_finish(&ps);
    if (rc != MB_OK) {
        mb_sweep_config_free(c);
        return rc;
    }
    *out = c;
    return MB_OK;
}

int mb_sweep_config_load(const char *path, mb_sweep_config **out)
{
    char *text;
    size_t len;
    *out = NULL;
    int rc = mb_read_file(path, &text, &len);
    if (rc != MB_OK)
        return rc;
    if (strlen(text) != len) {
        mb_free(text);
        return MB_ERROR(MB_EINVAL, "%s: contains a NUL byte; a config is a text file", path);
    }
    rc = mb_sweep_config_parse(path, text, out);
    mb_free(text);
    return rc;
}

void mb_sweep_config_free(mb_sweep_config *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n_problems; i++) {
        mb_sweep_problem *p = &c->problems[i];
        mb_free(p->solvers);
        mb_sweep_values_free(&p->solvers_key);
        mb_sweep_values_free(&p->steps);
        mb_sweep_values_free(&p->alpha);
        mb_sweep_values_free(&p->hidden_bytes);
        mb_sweep_values_free(&p->internal_bytes);
        mb_sweep_values_free(&p->budget);
        mb_sweep_values_free(&p->slow_budget);
    }
    for (size_t i = 0; i < c->n_counters; i++)
        mb_free(c->counters[i]);
    mb_free(c->counters);
    for (size_t i = 0; i < c->n_columns; i++)
        mb_free(c->columns[i]);
    mb_free(c->columns);
    mb_free(c->problems);
    mb_free(c->default_solvers);
    mb_free(c->text);
    mb_free(c);
}

extern const struct mb_sweep_embedded {
    const char *name, *text;
} mb_sweep_embedded_configs[];

const char *mb_sweep_embedded_config(const char *name)
{
    for (size_t i = 0; mb_sweep_embedded_configs[i].name; i++)
        if (strcmp(mb_sweep_embedded_configs[i].name, name) == 0)
            return mb_sweep_embedded_configs[i].text;
    return NULL;
}
