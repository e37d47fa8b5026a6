/* values.c: the values of a sweep config's keys: lists (a, b, c), ranges (first:last:step),
 * geometric ranges (first*factor:last), numbers with their suffixes (5%, 64KiB) and the checks
 * of single values, each failure recorded with the file, line, key, value and what is allowed.
 * docs/design.md, "Sweeps, records and figures". */
#include "sweep/parser.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/json.h"

int mb_sweep_nomem(mb_sweep_parser *ps, const char *key)
{
    if (ps->rc == MB_OK)
        ps->rc = MB_ERROR(MB_ENOMEM, "%s:%d: %s: out of memory", ps->c->path, ps->line, key);
    return 0;
}

int mb_sweep_fail(mb_sweep_parser *ps, const char *key, const char *value, const char *fmt, ...)
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
    if ((v->v[v->n] = mb_strdup(text)) == NULL)
        return 0;
    v->n++;
    return 1;
}

void mb_sweep_values_free(mb_sweep_values *v)
{
    for (size_t i = 0; i < v->n; i++)
        mb_free(v->v[i]);
    mb_free(v->v);
    v->v = NULL;
    v->n = v->cap = 0;
}

const char mb_sweep_range_help[] =
    "a value, a list a,b,c, a range first:last:step (step 1 when left out) or a geometric "
    "range first*factor:last (factor > 1, values rounded to integers)";

/* A number with an optional suffix: "5%", "64KiB", "12". For budgets the suffix class must
 * be the same at both ends of a range. */
typedef struct {
    double x;      /* the number (bytes already multiplied out for byte suffixes) */
    int percent;   /* ended in % */
    int bytes;     /* had a byte suffix (B, KiB, ...) */
} number;

static int parse_number(const char *text, mb_sweep_value_kind kind, number *out)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(text);
    if (len == 0)
        return 0;
    if ((kind == MB_VALUE_BUDGET || kind == MB_VALUE_SLOW) && text[len - 1] == '%') {
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
    if (kind == MB_VALUE_INT) {
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
    if (kind == MB_VALUE_BYTES)
        out->bytes = 1;
    return 1;
}

static void format_number(const number *n, mb_sweep_value_kind kind, char *buf, size_t cap)
{
    if (n->percent)
        snprintf(buf, cap, "%.10g%%", n->x);
    else if ((kind == MB_VALUE_BUDGET || kind == MB_VALUE_SLOW) && n->bytes)
        snprintf(buf, cap, "%.0fB", n->x);
    else
        snprintf(buf, cap, "%.0f", n->x);
}

/* A range of `item` ("first:last[:step]" or "first*factor:last", cut in place) into out. */
static int expand_range(mb_sweep_parser *ps, const char *key, const char *value,
                        mb_sweep_value_kind kind, char *item, mb_sweep_values *out)
{
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
        if (*end != '\0' || errno || !(factor > 1.0) || s != NULL)
            return mb_sweep_fail(ps, key, value, "a geometric range is first*factor:last with a "
                                 "factor > 1 and no step; allowed: %s", mb_sweep_range_help);
    }
    number first, last, step = {1, 0, 0};
    trim(a);
    trim(b);
    if (s)
        trim(s);
    if (!parse_number(a, kind, &first) || !parse_number(b, kind, &last) ||
        (s && !parse_number(s, kind, &step)))
        return mb_sweep_fail(ps, key, value, "a bound or step is not a valid value; allowed: %s",
                             mb_sweep_range_help);
    if (first.percent != last.percent || (s && step.percent != first.percent) ||
        (kind != MB_VALUE_INT && kind != MB_VALUE_BYTES && first.bytes != last.bytes))
        return mb_sweep_fail(ps, key, value, "the ends and step of a range must have the same "
                             "kind (all percentages, all bytes or all units)");
    if (first.x > last.x || !(step.x > 0))
        return mb_sweep_fail(ps, key, value, "a range needs first <= last and a step > 0; "
                             "allowed: %s", mb_sweep_range_help);
    if (star && !(first.x > 0))
        return mb_sweep_fail(ps, key, value, "a geometric range starts above 0; allowed: %s",
                             mb_sweep_range_help);
    char buf[64];
    double prev = -1;
    size_t count = 0;
    for (size_t i = 0;; i++) {
        number v = first;
        /* every step counts, repeated values too, so a factor too close to 1 ends with this
         * error instead of running for ever */
        if (i >= MB_SWEEP_MAX_VALUES)
            return mb_sweep_fail(ps, key, value, "expands to more than %d values%s",
                                 MB_SWEEP_MAX_VALUES,
                                 star ? " (the factor is too close to 1)" : "");
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
        if (++count > MB_SWEEP_MAX_VALUES)
            return mb_sweep_fail(ps, key, value, "expands to more than %d values",
                                 MB_SWEEP_MAX_VALUES);
        format_number(&v, kind, buf, sizeof buf);
        if (!push(out, buf))
            return mb_sweep_nomem(ps, key);
    }
    return 1;
}

/* One item of a list that is not a range: min(SOLVER), a name or a number. */
static int expand_one(mb_sweep_parser *ps, const char *key, const char *value,
                      mb_sweep_value_kind kind, const char *item, mb_sweep_values *out)
{
    if (kind == MB_VALUE_BUDGET && strncmp(item, "min(", 4) == 0) {
        size_t n = strlen(item);
        char name[64];
        if (item[n - 1] != ')' || n - 5 >= sizeof name)
            return mb_sweep_fail(ps, key, value, "'%s': expected min(SOLVER) with SOLVER one "
                                 "of %s", item, mb_solver_names());
        memcpy(name, item + 4, n - 5);
        name[n - 5] = '\0';
        if (mb_solver_lookup(name) == NULL)
            return mb_sweep_fail(ps, key, value, "min(%s): unknown solver; one of %s", name,
                                 mb_solver_names());
    } else if (kind == MB_VALUE_SLOW && strcmp(item, "unlimited") == 0) {
        /* a slow store without a size limit */
    } else if (kind != MB_VALUE_NAME && !mb_sweep_value_ok(item, kind)) {
        return mb_sweep_fail(ps, key, value, "'%s' is not a valid value; allowed: %s", item,
                             kind == MB_VALUE_SLOW
                                 ? "0 (no slow level), units (249), bytes with a suffix "
                                   "(64KiB), a percentage of full-BPTT memory (50%), unlimited, "
                                   "a list or a range"
                             : kind == MB_VALUE_BUDGET
                                 ? "units (249), bytes with a suffix (64KiB), a percentage of "
                                   "full-BPTT memory in [0, 100] (5%), min(SOLVER), a list or "
                                   "a range"
                             : kind == MB_VALUE_BYTES
                                 ? "a byte size (4096, 64KiB, 3MB), a list or a range"
                                 : "a non-negative integer, a list or a range");
    }
    return push(out, item);
}

int mb_sweep_value_ok(const char *text, mb_sweep_value_kind kind)
{
    number n;
    return kind == MB_VALUE_NAME ? text[0] != '\0' : parse_number(text, kind, &n);
}

int mb_sweep_expand(mb_sweep_parser *ps, const char *key, const char *value,
                    mb_sweep_value_kind kind, mb_sweep_values *out)
{
    char *copy = mb_strdup(value);
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
            ok = mb_sweep_fail(ps, key, value, "an empty item in the list; allowed: %s",
                               mb_sweep_range_help);
            break;
        }
        if (kind != MB_VALUE_NAME && strncmp(item, "min(", 4) != 0 && strchr(item, ':'))
            ok = expand_range(ps, key, value, kind, item, out);
        else
            ok = expand_one(ps, key, value, kind, item, out);
        if (!ok && ps->rc == MB_OK && out->n >= MB_SWEEP_MAX_VALUES)
            mb_sweep_fail(ps, key, value, "more than %d values", MB_SWEEP_MAX_VALUES);
        else if (!ok)
            mb_sweep_nomem(ps, key);
        item = next;
    }
    mb_free(copy);
    return ok;
}

int mb_sweep_set_where(mb_sweep_parser *ps, mb_sweep_values *v, const char *key)
{
    v->line = ps->line;
    snprintf(v->where, sizeof v->where, "%s:%d: %s", ps->c->path, ps->line, key);
    return 1;
}

int mb_sweep_solver_list(mb_sweep_parser *ps, const char *key, const char *value,
                         mb_sweep_values *names, const mb_solver_type ***out, size_t *n)
{
    if (!mb_sweep_expand(ps, key, value, MB_VALUE_NAME, names))
        return 0;
    mb_sweep_set_where(ps, names, key);
    *out = mb_calloc(names->n, sizeof **out);
    if (*out == NULL)
        return mb_sweep_nomem(ps, key);
    for (size_t i = 0; i < names->n; i++) {
        (*out)[i] = mb_solver_lookup(names->v[i]);
        if ((*out)[i] == NULL)
            return mb_sweep_fail(ps, key, value, "unknown solver '%s'; allowed: %s", names->v[i],
                        mb_solver_names());
        for (size_t j = 0; j < i; j++)
            if ((*out)[j] == (*out)[i])
                return mb_sweep_fail(ps, key, value, "solver '%s' is listed twice", names->v[i]);
    }
    *n = names->n;
    return 1;
}

int mb_sweep_parse_int(mb_sweep_parser *ps, const char *key, const char *value, int64_t min,
                       int64_t max, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (*end != '\0' || value[0] == '\0' || isspace((unsigned char)value[0]) || errno ||
        v < min || v > max)
        return mb_sweep_fail(ps, key, value, "expected an integer in [%lld, %lld]", (long long)min,
                    (long long)max);
    *out = (int64_t)v;
    return 1;
}

int mb_sweep_parse_real(mb_sweep_parser *ps, const char *key, const char *value, double min,
                        double *out)
{
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    if (*end != '\0' || value[0] == '\0' || errno || !(v >= min) || !isfinite(v))
        return mb_sweep_fail(ps, key, value, "expected a finite number >= %g", min);
    *out = v;
    return 1;
}

int mb_sweep_name_ok(const char *s)
{
    if (*s == '\0' || strlen(s) >= 64)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
            return 0;
    return 1;
}

