/* problem.c: problem validation and the parsers for integers, byte sizes and budgets. */
#include "core/problem.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"

__extension__ typedef __int128 i128; /* exact percentages of 64-bit budgets */

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b != 0) {
        int64_t r = a % b;
        a = b;
        b = r;
    }
    return a;
}

int mb_problem_set_alpha(mb_problem *p, int64_t alpha)
{
    if (alpha < 1)
        return MB_ERROR(MB_EINVAL, "alpha %lld: must be an integer >= 1 (internal state size "
                        "in hidden-state units)", (long long)alpha);
    p->hidden_units = 1;
    p->internal_units = alpha;
    p->unit_bytes = 0;
    return MB_OK;
}

int mb_problem_set_bytes(mb_problem *p, int64_t hidden_bytes, int64_t internal_bytes)
{
    if (hidden_bytes < 1)
        return MB_ERROR(MB_EINVAL, "hidden state of %lld bytes: must be >= 1 byte",
                        (long long)hidden_bytes);
    if (internal_bytes < hidden_bytes)
        return MB_ERROR(MB_EINVAL,
                        "internal state of %lld bytes: must be >= the hidden state's %lld bytes, "
                        "since the internal state contains the hidden state",
                        (long long)internal_bytes, (long long)hidden_bytes);
    int64_t unit = gcd64(hidden_bytes, internal_bytes);
    p->unit_bytes = unit;
    p->hidden_units = hidden_bytes / unit;
    p->internal_units = internal_bytes / unit;
    return MB_OK;
}

int mb_problem_full_units(const mb_problem *p, int64_t *out)
{
    int64_t extra;
    if (__builtin_mul_overflow(p->internal_units, p->steps - 1, &extra) ||
        __builtin_add_overflow(extra, p->hidden_units, out))
        return MB_ERROR(MB_ERANGE,
                        "full-BPTT memory a_h + a_s*(t-1) = %lld + %lld*%lld overflows 64 bits; "
                        "use fewer steps or smaller sizes",
                        (long long)p->hidden_units, (long long)p->internal_units,
                        (long long)(p->steps - 1));
    return MB_OK;
}

int mb_problem_check(const mb_problem *p)
{
    if (p->steps < 1 || p->steps > MB_MAX_STEPS)
        return MB_ERROR(MB_EINVAL, "steps %lld: must be in [1, %lld]", (long long)p->steps,
                        (long long)MB_MAX_STEPS);
    if (p->hidden_units < 1)
        return MB_ERROR(MB_EINVAL, "hidden_units %lld: must be >= 1", (long long)p->hidden_units);
    if (p->internal_units < p->hidden_units)
        return MB_ERROR(MB_EINVAL, "internal_units %lld: must be >= hidden_units (%lld)",
                        (long long)p->internal_units, (long long)p->hidden_units);
    if (p->budget < 0)
        return MB_ERROR(MB_EINVAL, "budget %lld: must be >= 0 units", (long long)p->budget);
    if (p->slow_budget < 0)
        return MB_ERROR(MB_EINVAL, "slow_budget %lld: must be >= 0 units",
                        (long long)p->slow_budget);
    int64_t full;
    return mb_problem_full_units(p, &full);
}

int mb_parse_int(const char *key, const char *text, int64_t min, int64_t max, int64_t *out)
{
    if (text == NULL || *text == '\0')
        return MB_ERROR(MB_EINVAL, "%s: missing value; expected an integer in [%lld, %lld]", key,
                        (long long)min, (long long)max);
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (*end != '\0' || isspace((unsigned char)text[0]))
        return MB_ERROR(MB_EINVAL, "%s '%s': not an integer; expected an integer in [%lld, %lld]",
                        key, text, (long long)min, (long long)max);
    if (errno == ERANGE || v < min || v > max)
        return MB_ERROR(MB_EINVAL, "%s %s: out of range; expected an integer in [%lld, %lld]", key,
                        text, (long long)min, (long long)max);
    *out = (int64_t)v;
    return MB_OK;
}

int mb_parse_double(const char *key, const char *text, double min, double *out)
{
    char *end;
    errno = 0;
    double v = (text && *text) ? strtod(text, &end) : 0.0;
    if (text == NULL || *text == '\0' || *end != '\0' || errno == ERANGE || !(v >= min) ||
        v > 1e300)
        return MB_ERROR(MB_EINVAL, "%s '%s': expected a finite number >= %g", key,
                        text ? text : "", min);
    *out = v;
    return MB_OK;
}

/* Splits "123KiB" into the digits and the suffix; *mult gets the suffix's multiplier, or 0
 * when there is no suffix. Returns 0 on an unknown suffix. */
static int split_suffix(const char *text, int64_t *number, int64_t *mult)
{
    static const struct {
        const char *name;
        int64_t mult;
    } suffixes[] = {
        {"b", 1},
        {"kb", INT64_C(1000)},
        {"mb", INT64_C(1000000)},
        {"gb", INT64_C(1000000000)},
        {"tb", INT64_C(1000000000000)},
        {"kib", INT64_C(1) << 10},
        {"mib", INT64_C(1) << 20},
        {"gib", INT64_C(1) << 30},
        {"tib", INT64_C(1) << 40},
    };
    if (!isdigit((unsigned char)text[0]))
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno == ERANGE)
        return 0;
    *number = (int64_t)v;
    if (*end == '\0') {
        *mult = 0;
        return 1;
    }
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
        if (strcasecmp(end, suffixes[i].name) == 0) {
            *mult = suffixes[i].mult;
            return 1;
        }
    return 0;
}

int mb_parse_bytes(const char *key, const char *text, int64_t *out)
{
    int64_t number, mult;
    if (text == NULL || !split_suffix(text, &number, &mult))
        return MB_ERROR(MB_EINVAL,
                        "%s '%s': expected a byte size: an integer with an optional suffix B, KB, "
                        "MB, GB, TB, KiB, MiB, GiB or TiB (e.g. 4096, 64KiB, 3MB)",
                        key, text ? text : "");
    if (mult == 0)
        mult = 1;
    if (__builtin_mul_overflow(number, mult, out))
        return MB_ERROR(MB_ERANGE, "%s '%s': too large (overflows 64 bits)", key, text);
    return MB_OK;
}

/* Parses "12.5" into num/den exactly (den a power of ten, at most 9 decimals). */
static int parse_decimal(const char *s, size_t len, int64_t *num, int64_t *den)
{
    int64_t n = 0, d = 1;
    int seen_dot = 0, digits = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.' && !seen_dot) {
            seen_dot = 1;
            continue;
        }
        if (!isdigit((unsigned char)c))
            return 0;
        if (n > INT64_C(100000000000) || (seen_dot && d >= INT64_C(1000000000)))
            return 0;
        n = n * 10 + (c - '0');
        if (seen_dot)
            d *= 10;
        digits++;
    }
    if (digits == 0)
        return 0;
    *num = n;
    *den = d;
    return 1;
}

int mb_parse_budget(const char *key, const char *text, const mb_problem *p, int64_t *units)
{
    static const char forms[] =
        "expected units (249), bytes with a suffix (64KiB, 3MB; needs byte sizes) or a "
        "percentage of full-BPTT memory (5%)";
    if (text == NULL || *text == '\0')
        return MB_ERROR(MB_EINVAL, "%s: missing value; %s", key, forms);
    size_t len = strlen(text);
    if (text[len - 1] == '%') {
        int64_t num, den, full = 0;
        if (!parse_decimal(text, len - 1, &num, &den))
            return MB_ERROR(MB_EINVAL, "%s '%s': not a valid percentage; %s", key, text, forms);
        int rc = mb_problem_full_units(p, &full);
        if (rc != MB_OK)
            return rc;
        i128 v = (i128)full * num / ((i128)den * 100);
        if (v > INT64_MAX)
            return MB_ERROR(MB_ERANGE, "%s '%s': too large", key, text);
        *units = (int64_t)v;
        return MB_OK;
    }
    int64_t number, mult;
    if (!split_suffix(text, &number, &mult))
        return MB_ERROR(MB_EINVAL, "%s '%s': %s", key, text, forms);
    if (mult == 0) {
        *units = number;
        return MB_OK;
    }
    if (p->unit_bytes <= 0)
        return MB_ERROR(MB_EINVAL,
                        "%s '%s': a budget in bytes needs byte sizes (hidden and internal bytes), "
                        "not alpha; give units (249) or a percentage (5%%)",
                        key, text);
    int64_t bytes;
    if (__builtin_mul_overflow(number, mult, &bytes))
        return MB_ERROR(MB_ERANGE, "%s '%s': too large (overflows 64 bits)", key, text);
    *units = bytes / p->unit_bytes;
    return MB_OK;
}

int mb_parse_slow_budget(const char *key, const char *text, const mb_problem *p,
                         int64_t *units)
{
    if (text != NULL && strcmp(text, "unlimited") == 0) {
        *units = MB_SLOW_UNLIMITED;
        return MB_OK;
    }
    size_t n = text ? strlen(text) : 0;
    if (n > 0 && tolower((unsigned char)text[n - 1]) == 'b' && p->unit_bytes == 0)
        return MB_ERROR(MB_EINVAL, "%s '%s': a size in bytes needs byte sizes, not alpha; give "
                        "units, a percentage of full-BPTT memory (50%%) or unlimited", key, text);
    int rc = mb_parse_budget(key, text, p, units);
    if (rc != MB_OK) {
        char why[400];
        snprintf(why, sizeof why, "%s", mb_errmsg());
        return MB_ERROR(rc, "%s, or unlimited", why);
    }
    return MB_OK;
}

int mb_problem_from_spec(const mb_problem_spec *spec, mb_problem *out)
{
    mb_problem p = {0};
    const mb_keyval *a = &spec->alpha, *hb = &spec->hidden_bytes, *ib = &spec->internal_bytes;
    int rc;
    if (spec->steps.value == NULL)
        return MB_ERROR(MB_EINVAL, "%s is required: the sequence length, an integer in [1, %lld]",
                        spec->steps.key, (long long)MB_MAX_STEPS);
    if ((rc = mb_parse_int(spec->steps.key, spec->steps.value, 1, MB_MAX_STEPS, &p.steps)) != MB_OK)
        return rc;
    if (a->value != NULL && (hb->value != NULL || ib->value != NULL))
        return MB_ERROR(MB_EINVAL, "%s and %s: give one form of the sizes, alpha or bytes, not "
                        "both", a->key, hb->value != NULL ? hb->key : ib->key);
    if (a->value != NULL) {
        int64_t alpha;
        if ((rc = mb_parse_int(a->key, a->value, 1, INT64_C(1) << 40, &alpha)) != MB_OK)
            return rc;
        mb_problem_set_alpha(&p, alpha);
    } else if (hb->value != NULL && ib->value != NULL) {
        int64_t h, s;
        if ((rc = mb_parse_bytes(hb->key, hb->value, &h)) != MB_OK ||
            (rc = mb_parse_bytes(ib->key, ib->value, &s)) != MB_OK)
            return rc;
        if (h < 1)
            return MB_ERROR(MB_EINVAL, "%s %s: must be >= 1 byte", hb->key, hb->value);
        if (s < h)
            return MB_ERROR(MB_EINVAL, "%s %s (%lld bytes): must be >= %s %s (%lld bytes), since "
                            "the internal state contains the hidden state", ib->key, ib->value,
                            (long long)s, hb->key, hb->value, (long long)h);
        mb_problem_set_bytes(&p, h, s);
    } else if (hb->value != NULL || ib->value != NULL) {
        const mb_keyval *given = hb->value != NULL ? hb : ib, *missing = hb->value ? ib : hb;
        return MB_ERROR(MB_EINVAL, "%s %s: byte sizes need %s too (or give %s A instead)",
                        given->key, given->value, missing->key, a->key);
    } else
        return MB_ERROR(MB_EINVAL, "sizes are required: %s A, or both %s and %s", a->key,
                        hb->key, ib->key);
    if (spec->budget.value == NULL)
        return MB_ERROR(MB_EINVAL, "%s is required: units (249), bytes (64KiB) or a percentage "
                        "of full-BPTT memory (5%%)", spec->budget.key);
    size_t n = strlen(spec->budget.value);
    if (p.unit_bytes == 0 && n > 0 && tolower((unsigned char)spec->budget.value[n - 1]) == 'b')
        return MB_ERROR(MB_EINVAL, "%s '%s': a budget in bytes needs byte sizes (%s and %s), "
                        "not %s; give units (249) or a percentage (5%%)", spec->budget.key,
                        spec->budget.value, hb->key, ib->key, a->key);
    if ((rc = mb_parse_budget(spec->budget.key, spec->budget.value, &p, &p.budget)) != MB_OK)
        return rc;
    if (spec->slow_budget.value != NULL &&
        (rc = mb_parse_slow_budget(spec->slow_budget.key, spec->slow_budget.value, &p,
                                   &p.slow_budget)) != MB_OK)
        return rc;
    if ((rc = mb_problem_check(&p)) != MB_OK)
        return rc;
    *out = p;
    return MB_OK;
}

void mb_problem_record(mb_record *r, const mb_problem *p)
{
    mb_record_int(r, "steps", p->steps);
    mb_record_int(r, "hidden_units", p->hidden_units);
    mb_record_int(r, "internal_units", p->internal_units);
    if (p->unit_bytes > 0)
        mb_record_int(r, "unit_bytes", p->unit_bytes);
    else
        mb_record_empty(r, "unit_bytes");
}
