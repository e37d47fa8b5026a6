/* config.c: sweep configurations in INI through inih (Debian's libinih): sections, keys,
 * ranges (first:last:step), geometric ranges (first*factor:last) and lists (a, b, c). Every
 * value is checked where it is read; a message names file, line, key, value and what is
 * allowed. docs/design.md, "Sweeps, records and figures". */
#include "sweep/internal.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/json.h"

/* The parse state handed to inih. */
typedef struct {
    mb_sweep_config *c;
    const char *text;  /* the stream the reader serves lines from */
    size_t pos;
    int line;          /* the line inih is handling (counted by our reader) */
    int long_line;     /* the first line longer than the parser's limit */
    int rc;            /* the first error */
    char section[64];  /* the current section's kind: "problem", "output", ... */
    mb_sweep_problem *problem; /* the current [problem] section */
    int seen[16][64];  /* seen[section kind][key index] = line (duplicate keys) */
    int seen_sections[8]; /* line of each non-problem section's first key */
    int header_pending;   /* a [section] line was read since the last key */
} parser;

/* Serves one line at a time to inih and counts lines, so handlers know their line. A line
 * longer than the parser's buffer is an error rather than silently split. */
static char *reader(char *str, int num, void *stream)
{
    parser *ps = stream;
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

static int fail(parser *ps, const char *key, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Records the first error: "FILE:LINE: key = 'value': what is wrong; what is allowed". */
static int fail(parser *ps, const char *key, const char *value, const char *fmt, ...)
{
    if (ps->rc != MB_OK)
        return 0;
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    /* the key and value are the user's bytes: quoted, so a message is always clean text */
    char qk[128], qv[256], qw[512];
    ps->rc = MB_ERROR(MB_EINVAL, "%s:%d: %s = '%s': %s", ps->c->path, ps->line,
                      mb_text_quote(qk, sizeof qk, key, strlen(key)),
                      mb_text_quote(qv, sizeof qv, value, strlen(value)),
                      mb_text_quote(qw, sizeof qw, what, strlen(what)));
    return 0;
}

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = mb_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    size_t i = 0;
    while (isspace((unsigned char)s[i]))
        i++;
    memmove(s, s + i, n - i + 1);
}

static int push(mb_sweep_values *v, const char *text)
{
    if (v->n >= MB_SWEEP_MAX_VALUES)
        return 0;
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 8;
        char **nv = mb_realloc(v->v, cap * sizeof *nv);
        if (nv == NULL)
            return 0;
        v->v = nv;
        v->cap = cap;
    }
    if ((v->v[v->n] = xstrdup(text)) == NULL)
        return 0;
    v->n++;
    return 1;
}

static void values_free(mb_sweep_values *v)
{
    for (size_t i = 0; i < v->n; i++)
        mb_free(v->v[i]);
    mb_free(v->v);
    v->v = NULL;
    v->n = v->cap = 0;
}

/* What a value of each key may be. */
typedef enum { K_INT, K_BYTES, K_BUDGET, K_NAME } value_kind;

static const char range_help[] =
    "a value, a list a,b,c, a range first:last:step (step 1 when left out) or a geometric "
    "range first*factor:last (factor > 1, values rounded to integers)";

/* A number with an optional suffix: "5%", "64KiB", "12". For budgets the suffix class must
 * be the same at both ends of a range. */
typedef struct {
    double x;      /* the number (bytes already multiplied out for byte suffixes) */
    int percent;   /* ended in % */
    int bytes;     /* had a byte suffix (B, KiB, ...) */
} number;

static int parse_number(const char *text, value_kind kind, number *out)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(text);
    if (len == 0)
        return 0;
    if (kind == K_BUDGET && text[len - 1] == '%') {
        char buf[64];
        if (len >= sizeof buf)
            return 0;
        memcpy(buf, text, len - 1);
        buf[len - 1] = '\0';
        char *end;
        errno = 0;
        double v = strtod(buf, &end);
        if (*end != '\0' || buf[0] == '\0' || !isdigit((unsigned char)buf[0]) || errno || v < 0 ||
            v > 100)
            return 0;
        out->x = v;
        out->percent = 1;
        return 1;
    }
    if (!isdigit((unsigned char)text[0]))
        return 0;
    int64_t v;
    if (kind == K_INT) {
        char *end;
        errno = 0;
        long long ll = strtoll(text, &end, 10);
        if (*end != '\0' || errno)
            return 0;
        out->x = (double)ll;
        return 1;
    }
    /* bytes, or budget units / bytes */
    const char *p = text;
    while (isdigit((unsigned char)*p))
        p++;
    if (mb_parse_bytes("value", text, &v) != MB_OK)
        return 0;
    out->x = (double)v;
    out->bytes = *p != '\0';
    if (kind == K_BYTES)
        out->bytes = 1;
    return 1;
}

static void format_number(const number *n, value_kind kind, char *buf, size_t cap)
{
    if (n->percent)
        snprintf(buf, cap, "%.10g%%", n->x);
    else if (kind == K_BUDGET && n->bytes)
        snprintf(buf, cap, "%.0fB", n->x);
    else
        snprintf(buf, cap, "%.0f", n->x);
}

/* Expands one key's text into values, checking each. */
static int expand(parser *ps, const char *key, const char *value, value_kind kind,
                  mb_sweep_values *out)
{
    char *copy = xstrdup(value);
    if (copy == NULL) {
        ps->rc = MB_ERROR(MB_ENOMEM, "out of memory reading %s", ps->c->path);
        return 0;
    }
    int ok = 1;
    char *item = copy;
    while (ok && item != NULL) {
        /* split at the next comma outside parentheses */
        char *next = NULL;
        int depth = 0;
        for (char *q = item; *q; q++) {
            if (*q == '(')
                depth++;
            else if (*q == ')')
                depth--;
            else if (*q == ',' && depth == 0) {
                *q = '\0';
                next = q + 1;
                break;
            }
        }
        trim(item);
        if (*item == '\0') {
            ok = fail(ps, key, value, "an empty item in the list; allowed: %s", range_help);
            break;
        }
        if (kind == K_NAME) {
            ok = push(out, item);
        } else if (kind == K_BUDGET && strncmp(item, "min(", 4) == 0) {
            size_t n = strlen(item);
            char name[64];
            if (item[n - 1] != ')' || n - 5 >= sizeof name) {
                ok = fail(ps, key, value, "'%s': expected min(SOLVER) with SOLVER one of %s", item,
                          mb_solver_names());
                break;
            }
            memcpy(name, item + 4, n - 5);
            name[n - 5] = '\0';
            if (mb_solver_lookup(name) == NULL) {
                ok = fail(ps, key, value, "min(%s): unknown solver; one of %s", name,
                          mb_solver_names());
                break;
            }
            ok = push(out, item);
        } else if (strchr(item, ':') == NULL) {
            number n;
            if (!parse_number(item, kind, &n)) {
                ok = fail(ps, key, value, "'%s' is not a valid value; allowed: %s", item,
                          kind == K_BUDGET
                              ? "units (249), bytes with a suffix (64KiB), a percentage of "
                                "full-BPTT memory in [0, 100] (5%), min(SOLVER), a list or a range"
                          : kind == K_BYTES ? "a byte size (4096, 64KiB, 3MB), a list or a range"
                                            : "a non-negative integer, a list or a range");
                break;
            }
            ok = push(out, item);
        } else {
            /* a range: first:last[:step] or first*factor:last */
            char *a = item, *b = strchr(item, ':'), *s = NULL;
            *b++ = '\0';
            if ((s = strchr(b, ':')) != NULL)
                *s++ = '\0';
            char *star = strchr(a, '*');
            double factor = 0;
            if (star != NULL) {
                *star = '\0';
                char *end;
                errno = 0;
                factor = strtod(star + 1, &end);
                if (*end != '\0' || errno || !(factor > 1.0) || s != NULL) {
                    ok = fail(ps, key, value, "a geometric range is first*factor:last with a "
                              "factor > 1 and no step; allowed: %s", range_help);
                    break;
                }
            }
            number first, last, step = {1, 0, 0};
            trim(a);
            trim(b);
            if (s)
                trim(s);
            if (!parse_number(a, kind, &first) || !parse_number(b, kind, &last) ||
                (s && !parse_number(s, kind, &step))) {
                ok = fail(ps, key, value, "a bound or step is not a valid value; allowed: %s",
                          range_help);
                break;
            }
            if (first.percent != last.percent || (s && step.percent != first.percent) ||
                (kind == K_BUDGET && first.bytes != last.bytes)) {
                ok = fail(ps, key, value, "the ends and step of a range must have the same kind "
                          "(all percentages, all bytes or all units)");
                break;
            }
            if (first.x > last.x || !(step.x > 0)) {
                ok = fail(ps, key, value, "a range needs first <= last and a step > 0; "
                          "allowed: %s", range_help);
                break;
            }
            if (star && !(first.x > 0)) {
                ok = fail(ps, key, value, "a geometric range starts above 0; allowed: %s",
                          range_help);
                break;
            }
            char buf[64];
            double prev = -1;
            size_t count = 0;
            for (size_t i = 0;; i++) {
                number v = first;
                /* every step counts, repeated values too, so a factor too close to 1 ends
                 * with this error instead of running for ever */
                if (i >= MB_SWEEP_MAX_VALUES) {
                    ok = fail(ps, key, value, "expands to more than %d values%s",
                              MB_SWEEP_MAX_VALUES,
                              star ? " (the factor is too close to 1)" : "");
                    break;
                }
                if (star) {
                    v.x = nearbyint(first.x * pow(factor, (double)i));
                    if (v.x > last.x * (1 + 1e-12))
                        break;
                    if (v.x == prev)
                        continue;
                    prev = v.x;
                } else {
                    v.x = first.x + (double)i * step.x;
                    if (v.x > last.x + 1e-9 * step.x)
                        break;
                    if (!first.percent)
                        v.x = nearbyint(v.x);
                    else
                        v.x = nearbyint(v.x * 1e9) / 1e9;
                }
                if (++count > MB_SWEEP_MAX_VALUES) {
                    ok = fail(ps, key, value, "expands to more than %d values",
                              MB_SWEEP_MAX_VALUES);
                    break;
                }
                format_number(&v, kind, buf, sizeof buf);
                if (!push(out, buf)) {
                    ok = fail(ps, key, value, "out of memory");
                    break;
                }
            }
        }
        if (!ok && ps->rc == MB_OK)
            fail(ps, key, value, "out of memory or more than %d values", MB_SWEEP_MAX_VALUES);
        item = next;
    }
    mb_free(copy);
    return ok;
}

static int set_where(parser *ps, mb_sweep_values *v, const char *key)
{
    v->line = ps->line;
    snprintf(v->where, sizeof v->where, "%s:%d: %s", ps->c->path, ps->line, key);
    return 1;
}

static int solver_list(parser *ps, const char *key, const char *value, mb_sweep_values *names,
                       const mb_solver_type ***out, size_t *n)
{
    if (!expand(ps, key, value, K_NAME, names))
        return 0;
    set_where(ps, names, key);
    *out = mb_calloc(names->n, sizeof **out);
    if (*out == NULL)
        return fail(ps, key, value, "out of memory");
    for (size_t i = 0; i < names->n; i++) {
        (*out)[i] = mb_solver_lookup(names->v[i]);
        if ((*out)[i] == NULL)
            return fail(ps, key, value, "unknown solver '%s'; allowed: %s", names->v[i],
                        mb_solver_names());
        for (size_t j = 0; j < i; j++)
            if ((*out)[j] == (*out)[i])
                return fail(ps, key, value, "solver '%s' is listed twice", names->v[i]);
    }
    *n = names->n;
    return 1;
}

static int parse_pos_int(parser *ps, const char *key, const char *value, int64_t min, int64_t max,
                         int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (*end != '\0' || value[0] == '\0' || isspace((unsigned char)value[0]) || errno ||
        v < min || v > max)
        return fail(ps, key, value, "expected an integer in [%lld, %lld]", (long long)min,
                    (long long)max);
    *out = (int64_t)v;
    return 1;
}

static int parse_real(parser *ps, const char *key, const char *value, double min, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (*end != '\0' || value[0] == '\0' || errno || !(v >= min) || !isfinite(v))
        return fail(ps, key, value, "expected a finite number >= %g", min);
    *out = v;
    return 1;
}

static int name_ok(const char *s)
{
    if (*s == '\0' || strlen(s) >= 64)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
            return 0;
    return 1;
}

/* The sections and their keys; a key's index marks duplicates. */
static const char *const sections[] = {"output", "solvers", "cost", "model", "counters",
                                       "problem", "plan"};
static const char *const keys_output[] = {"name", NULL};
static const char *const keys_solvers[] = {"names", "dp", "max_table_mib", NULL};
static const char *const keys_cost[] = {"forward", "backward", "copy", NULL};
static const char *const keys_model[] = {"cell", "batch", "input", "hidden", "threads",
                                         "repetitions", "seed", NULL};
static const char *const keys_counters[] = {"events", NULL};
static const char *const keys_problem[] = {"solvers", "steps", "alpha", "hidden_bytes",
                                           "internal_bytes", "budget", "target_cost_per_step",
                                           "run", NULL};
static const char *const keys_plan[] = {"solver", "steps", "alpha", "budget", NULL};
static const char *const *const section_keys[] = {keys_output, keys_solvers, keys_cost,
                                                  keys_model, keys_counters, keys_problem,
                                                  keys_plan};
#define N_SECTIONS ((int)(sizeof sections / sizeof sections[0]))

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

static int handle_problem(parser *ps, const char *key, const char *value)
{
    mb_sweep_problem *p = ps->problem;
    mb_sweep_values *v = NULL;
    value_kind kind = K_INT;
    if (strcmp(key, "solvers") == 0)
        return solver_list(ps, key, value, &p->solvers_key, &p->solvers, &p->n_solvers);
    if (strcmp(key, "run") == 0) {
        if (strcmp(value, "analytic") == 0)
            p->mode = MB_SWEEP_ANALYTIC;
        else if (strcmp(value, "measured") == 0)
            p->mode = MB_SWEEP_MEASURED;
        else
            return fail(ps, key, value, "expected analytic (solver + simulator) or measured "
                        "(the executor, with the [model] section)");
        return 1;
    }
    if (strcmp(key, "target_cost_per_step") == 0) {
        set_where(ps, &p->target_key, key);
        if (!parse_real(ps, key, value, 1.0, &p->target_cost_per_step))
            return 0;
        return 1;
    }
    if (strcmp(key, "steps") == 0)
        v = &p->steps;
    else if (strcmp(key, "alpha") == 0)
        v = &p->alpha;
    else if (strcmp(key, "hidden_bytes") == 0)
        v = &p->hidden_bytes, kind = K_BYTES;
    else if (strcmp(key, "internal_bytes") == 0)
        v = &p->internal_bytes, kind = K_BYTES;
    else
        v = &p->budget, kind = K_BUDGET;
    set_where(ps, v, key);
    if (!expand(ps, key, value, kind, v))
        return 0;
    /* bounds of the integer keys, checked per value so the message names the bad one */
    for (size_t i = 0; i < v->n; i++) {
        int64_t x;
        if (v == &p->steps && mb_parse_int(key, v->v[i], 1, MB_MAX_STEPS, &x) != MB_OK)
            return fail(ps, key, value, "%s is not a sequence length; allowed: integers in "
                        "[1, %lld], as %s", v->v[i], (long long)MB_MAX_STEPS, range_help);
        if (v == &p->alpha && mb_parse_int(key, v->v[i], 1, INT64_C(1) << 40, &x) != MB_OK)
            return fail(ps, key, value, "%s: alpha is an integer >= 1 (internal state size in "
                        "hidden-state units)", v->v[i]);
        if (kind == K_BYTES && (mb_parse_bytes(key, v->v[i], &x) != MB_OK || x < 1))
            return fail(ps, key, value, "%s: a state size is at least 1 byte", v->v[i]);
    }
    return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    parser *ps = user;
    if (ps->rc != MB_OK)
        return 0;
    char qs[160]; /* the section as written, quoted for messages */
    mb_text_quote(qs, sizeof qs, section, strlen(section));
    /* section kind and optional name: "problem fig1" */
    char kind[64] = "", sname[64] = "", extra[2] = "";
    if (sscanf(section, "%63s %63s %1s", kind, sname, extra) == 3 ||
        strlen(section) > sizeof kind + sizeof sname)
        return fail(ps, name, value, "in section [%s]: a section header is [KIND] or [problem "
                    "NAME], with NAME one word", qs);
    int sec = section_index(kind);
    if (sec < 0)
        return fail(ps, name, value, "in unknown section [%s]; allowed sections: [output], "
                    "[solvers], [cost], [model], [counters], [plan], [problem] and "
                    "[problem NAME]", qs);
    int k = key_index(sec, name);
    if (k < 0) {
        char list[512];
        key_list(sec, list, sizeof list);
        return fail(ps, name, value, "unknown key in [%s]; allowed keys: %s", qs, list);
    }
    if (*value == '\0')
        return fail(ps, name, value, "empty value");
    mb_sweep_config *c = ps->c;
    /* A [section] line read since the last key starts a new section (the reader saw it). */
    int header = ps->header_pending;
    ps->header_pending = 0;
    if (sec == 5) {
        const char *pname = sname[0] ? sname : "default";
        if (ps->problem == NULL || header) {
            if (!name_ok(pname))
                return fail(ps, name, value, "section [%s]: a problem name is letters, digits, "
                            "_ - . (at most 63)", qs);
            for (size_t i = 0; i < c->n_problems; i++)
                if (strcmp(c->problems[i].name, pname) == 0)
                    return fail(ps, name, value, "section [%s] appears twice (first at line %d)",
                                qs, c->problems[i].line);
            mb_sweep_problem *np = mb_realloc(c->problems, (c->n_problems + 1) * sizeof *np);
            if (np == NULL)
                return fail(ps, name, value, "out of memory");
            c->problems = np;
            ps->problem = &c->problems[c->n_problems++];
            memset(ps->problem, 0, sizeof *ps->problem);
            snprintf(ps->problem->name, sizeof ps->problem->name, "%s", pname);
            ps->problem->line = ps->line;
            memset(ps->seen[sec], 0, sizeof ps->seen[sec]);
        }
    } else if (sname[0]) {
        return fail(ps, name, value, "section [%s] takes no name; only [problem NAME] does",
                    qs);
    } else if (header) {
        if (ps->seen_sections[sec])
            return fail(ps, name, value, "section [%s] appears twice (first key at line %d)",
                        qs, ps->seen_sections[sec]);
        ps->seen_sections[sec] = ps->line;
    }
    snprintf(ps->section, sizeof ps->section, "%s", section);
    /* The fingerprint hashes every key that can change a point, exactly as written; only the
     * output name and the [plan] drawing do not reach a row. */
    if (sec != 0 && sec != 6) {
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
    if (ps->seen[sec][k])
        return fail(ps, name, value, "given twice in [%s] (first at line %d)", qs,
                    ps->seen[sec][k]);
    ps->seen[sec][k] = ps->line;

    switch (sec) {
    case 0: /* output */
        if (!name_ok(value))
            return fail(ps, name, value, "expected a file stem of letters, digits, _ - . "
                        "(at most 63)");
        snprintf(c->name, sizeof c->name, "%s", value);
        return 1;
    case 1: /* solvers */
        if (k == 0) {
            mb_sweep_values names = {0};
            int ok = solver_list(ps, name, value, &names, &c->default_solvers,
                                 &c->n_default_solvers);
            values_free(&names);
            return ok;
        }
        if (k == 1) {
            if (strcmp(value, "fast") == 0)
                c->solve.dp_method = MB_DP_FAST;
            else if (strcmp(value, "textbook") == 0)
                c->solve.dp_method = MB_DP_TEXTBOOK;
            else
                return fail(ps, name, value, "expected fast or textbook");
            return 1;
        } else {
            int64_t mib;
            if (!parse_pos_int(ps, name, value, 1, INT64_C(1) << 32, &mib))
                return 0;
            c->solve.max_table_bytes = mib << 20;
            return 1;
        }
    case 2: /* cost */
        return parse_real(ps, name, value, 0.0,
                          k == 0 ? &c->cost.forward : k == 1 ? &c->cost.backward : &c->cost.copy);
    case 3: /* model */
        c->model.given = 1;
        c->model.line[k] = ps->line;
        if (k == 0) {
            if (strcmp(value, "lstm") != 0 && strcmp(value, "gru") != 0 &&
                strcmp(value, "rnn") != 0)
                return fail(ps, name, value, "expected lstm, gru or rnn");
            snprintf(c->model.cell, sizeof c->model.cell, "%s", value);
            return 1;
        } else {
            int64_t *dst[] = {NULL, &c->model.batch, &c->model.input, &c->model.hidden,
                              &c->model.threads, &c->model.repetitions, &c->model.seed};
            if (k == 6) {
                /* GSL's mt19937 keeps the low 32 bits of a seed and reads 0 as 4357: a seed
                 * outside [1, 2^32 - 1] would silently be another seed's run */
                int64_t seed;
                if (!parse_pos_int(ps, name, value, 0, INT64_MAX, &seed))
                    return 0;
                if (seed < 1 || seed > INT64_C(4294967295))
                    return fail(ps, name, value, "expected a seed in [1, 4294967295]: the "
                                "generator (GSL's mt19937) uses the low 32 bits and reads 0 as "
                                "4357, so other seeds repeat one of these");
                *dst[k] = seed;
                return 1;
            }
            int64_t max = k == 4 ? 1024 : k == 5 ? 10000 : 1 << 20;
            return parse_pos_int(ps, name, value, 1, max, dst[k]);
        }
    case 4: { /* counters */
        mb_sweep_values ev = {0};
        if (!expand(ps, name, value, K_NAME, &ev))
            return 0;
        for (size_t i = 0; i < ev.n; i++) {
            int ok = strlen(ev.v[i]) < 120;
            for (const char *q = ev.v[i]; *q; q++)
                ok &= isalnum((unsigned char)*q) || strchr("_-:.", *q) != NULL;
            for (size_t j = 0; j < i; j++)
                if (strcmp(ev.v[j], ev.v[i]) == 0)
                    ok = 0;
            if (!ok) {
                fail(ps, name, value, "'%s' is not a counter name or is listed twice; allowed: "
                     "PAPI or perf event names such as PAPI_TOT_CYC, perf::TASK-CLOCK", ev.v[i]);
                values_free(&ev);
                return 0;
            }
        }
        c->counters = ev.v;
        c->n_counters = ev.n;
        snprintf(c->counters_where, sizeof c->counters_where, "%s:%d: %s", c->path, ps->line,
                 name);
        return 1;
    }
    case 5:
        return handle_problem(ps, name, value);
    default: { /* plan */
        const mb_solver_type *s;
        int64_t x;
        switch (k) {
        case 0:
            if ((s = mb_solver_lookup(value)) == NULL)
                return fail(ps, name, value, "unknown solver; allowed: %s", mb_solver_names());
            c->plan_solver = s;
            snprintf(c->plan_where, sizeof c->plan_where, "%s:%d: [plan]", c->path, ps->line);
            return 1;
        case 1:
            if (!parse_pos_int(ps, name, value, 1, 100000, &x))
                return 0;
            snprintf(c->plan_steps, sizeof c->plan_steps, "%s", value);
            return 1;
        case 2:
            if (!parse_pos_int(ps, name, value, 1, 1 << 20, &x))
                return 0;
            snprintf(c->plan_alpha, sizeof c->plan_alpha, "%s", value);
            return 1;
        default: {
            number n;
            if (strlen(value) >= sizeof c->plan_budget || !parse_number(value, K_BUDGET, &n))
                return fail(ps, name, value, "expected units (249) or a percentage (5%%)");
            snprintf(c->plan_budget, sizeof c->plan_budget, "%s", value);
            return 1;
        }
        }
    }
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

static int finish(parser *ps)
{
    mb_sweep_config *c = ps->c;
    if (c->n_problems == 0 && c->plan_solver == NULL)
        return MB_ERROR(MB_EINVAL, "%s: no [problem] section: a sweep needs at least one (keys: "
                        "solvers, steps, alpha or hidden_bytes + internal_bytes, budget or "
                        "target_cost_per_step, run)", c->path);
    if (c->plan_solver && (!c->plan_steps[0] || !c->plan_alpha[0] || !c->plan_budget[0]))
        return MB_ERROR(MB_EINVAL, "%s: [plan] needs solver, steps, alpha and budget", c->path);
    for (size_t i = 0; i < c->n_problems; i++) {
        mb_sweep_problem *p = &c->problems[i];
        const char *where = c->path;
        if (p->n_solvers == 0) {
            if (c->n_default_solvers == 0)
                return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: no solvers: give `solvers` here "
                                "or `names` in [solvers]; allowed: %s", where, p->line, p->name,
                                mb_solver_names());
            p->solvers = mb_calloc(c->n_default_solvers, sizeof *p->solvers);
            if (p->solvers == NULL)
                return MB_ERROR(MB_ENOMEM, "out of memory");
            memcpy(p->solvers, c->default_solvers, c->n_default_solvers * sizeof *p->solvers);
            p->n_solvers = c->n_default_solvers;
        }
        if (p->steps.n == 0)
            return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: steps is required (a value, list "
                            "or range of sequence lengths)", where, p->line, p->name);
        int has_alpha = p->alpha.n > 0, has_bytes = p->hidden_bytes.n + p->internal_bytes.n > 0;
        if (has_alpha && has_bytes)
            return MB_ERROR(MB_EINVAL, "%s: give alpha or hidden_bytes + internal_bytes, not "
                            "both", p->alpha.where);
        if (has_bytes && (p->hidden_bytes.n == 0 || p->internal_bytes.n == 0))
            return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: hidden_bytes and internal_bytes "
                            "go together", where, p->line, p->name);
        if ((has_alpha || has_bytes) && p->mode == MB_SWEEP_MEASURED)
            return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: run = measured takes the state "
                            "sizes from the [model] network; remove alpha / hidden_bytes / "
                            "internal_bytes", where, p->line, p->name);
        if (p->mode == MB_SWEEP_MEASURED)
            c->measured = 1;
        if (!has_alpha && !has_bytes && p->mode == MB_SWEEP_ANALYTIC)
            return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: sizes are required: alpha, or "
                            "hidden_bytes and internal_bytes", where, p->line, p->name);
        if (p->budget.n > 0 && p->target_cost_per_step > 0)
            return MB_ERROR(MB_EINVAL, "%s: give budget or target_cost_per_step, not both",
                            p->target_key.where);
        if (p->budget.n == 0 && p->target_cost_per_step == 0)
            return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: budget is required (units, bytes, "
                            "a percentage, min(SOLVER), a list or a range), or "
                            "target_cost_per_step", where, p->line, p->name);
        if (p->target_cost_per_step > 0)
            for (size_t s = 0; s < p->n_solvers; s++) {
                if (p->solvers[s]->flags & MB_SOLVER_MONOTONE)
                    continue;
                char allowed[256] = "";
                size_t n_all;
                const mb_solver_type *const *all = mb_solver_all(&n_all);
                for (size_t k = 0; k < n_all; k++)
                    if (all[k]->flags & MB_SOLVER_MONOTONE)
                        snprintf(allowed + strlen(allowed), sizeof allowed - strlen(allowed),
                                 "%s%s", allowed[0] ? ", " : "", all[k]->name);
                return MB_ERROR(MB_EINVAL, "%s: solver %s: the budget search needs a cost "
                                "that never grows with the budget; allowed: %s",
                                p->target_key.where, p->solvers[s]->name, allowed);
            }
        if (p->mode == MB_SWEEP_MEASURED && !c->model.given)
            return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: run = measured needs a [model] "
                            "section (cell, batch, input, hidden, threads, repetitions)", where,
                            p->line, p->name);
    }
    if (c->model.given) {
        if (c->model.cell[0] == '\0')
            snprintf(c->model.cell, sizeof c->model.cell, "lstm");
        if (c->model.batch == 0)
            c->model.batch = 1;
        if (c->model.input == 0)
            c->model.input = 32;
        if (c->model.hidden == 0)
            c->model.hidden = 64;
        if (c->model.threads == 0)
            c->model.threads = 1;
        if (c->model.repetitions == 0)
            c->model.repetitions = 3;
        if (c->model.seed == 0)
            c->model.seed = 1; /* as `membptt run` */
        /* the network alone (one step), so a bad size is named here, before any point */
        int rc = mb_sweep_model_check(c, 1);
        if (rc != MB_OK)
            return rc;
    }
    size_t total = 0;
    for (size_t i = 0; i < c->n_problems; i++) {
        const mb_sweep_problem *p = &c->problems[i];
        double n = (double)p->n_solvers * (double)p->steps.n *
                   (double)(p->alpha.n ? p->alpha.n : 1) *
                   (double)(p->hidden_bytes.n ? p->hidden_bytes.n * p->internal_bytes.n : 1) *
                   (double)(p->budget.n ? p->budget.n : 1);
        if (n + (double)total > MB_SWEEP_MAX_POINTS)
            return MB_ERROR(MB_EINVAL, "%s:%d: [problem %s]: the sweep has more than %d points",
                            c->path, p->line, p->name, MB_SWEEP_MAX_POINTS);
        total += (size_t)n;
    }
    return mb_sweep_build_columns(c);
}

int mb_sweep_config_parse(const char *path, const char *text, mb_sweep_config **out)
{
    *out = NULL;
    mb_sweep_config *c = mb_calloc(1, sizeof *c);
    if (c == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    snprintf(c->path, sizeof c->path, "%s", path);
    c->text = xstrdup(text);
    c->cost = mb_cost_model_default();
    /* default name: the file name without folders and without .ini */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(c->name, sizeof c->name, "%s", base);
    char *dot = strrchr(c->name, '.');
    if (dot && strcmp(dot, ".ini") == 0)
        *dot = '\0';
    if (!name_ok(c->name))
        snprintf(c->name, sizeof c->name, "sweep");
    parser ps = {.c = c, .text = text};
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
        rc = finish(&ps);
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
        values_free(&p->solvers_key);
        values_free(&p->steps);
        values_free(&p->alpha);
        values_free(&p->hidden_bytes);
        values_free(&p->internal_bytes);
        values_free(&p->budget);
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
