/* counters.c: named event counters accumulated per phase (see docs/design.md, "Measurement"):
 * the event list, its checks and the public functions. What counts the events, PAPI or
 * nothing, is measure/counters_backend.c; the same files build both ways, so that tests cover
 * both. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include "measure/counters_impl.h"
#include "measure/measure.h"

static const char *const phase_names[MB_PHASES] = {"first", "recompute", "backward", "copy"};

const char *mb_phase_name(int phase)
{
    if (phase < 0 || phase >= MB_PHASES)
        return NULL;
    return phase_names[phase];
}

/* ---------------------------------------------------------------------------------------------
 * Parsing the list: the same for both builds.
 */

static int is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; }

/* 1 when `name` has the form of an event name some machine's PAPI could count: a preset
 * (PAPI_ and capitals, digits, underscores) or a native event named with its component or
 * PMU ("perf::TASK-CLOCK", "rapl::RAPL_ENERGY_PKG", "sde:::LIB::EVENT"). Anything else is a
 * typo on every machine and is refused; a well-formed name that this machine cannot count is
 * kept as unavailable, so one configuration runs on machines with different PMUs. */
static int event_syntax_ok(const char *name)
{
    if (strncmp(name, "PAPI_", 5) == 0) {
        if (name[5] == '\0')
            return 0;
        for (const char *q = name + 5; *q; q++)
            if (!((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_'))
                return 0;
        return 1;
    }
    const char *sep = strstr(name, "::");
    return sep != NULL && sep > name && sep[2] != '\0';
}

static int parse_list(const char *key, const char *csv, mb_counters *c)
{
    const char *p = csv;
    size_t pos = 0;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *b = p, *e = p + len;
        while (b < e && is_space(*b))
            b++;
        while (e > b && is_space(e[-1]))
            e--;
        pos++;
        if (b == e)
            return MB_ERROR(MB_EINVAL,
                            "%s \"%s\": event %zu is empty (give event names separated by "
                            "commas, e.g. \"%s\")",
                            key, csv, pos, MB_COUNTERS_DEFAULT);
        size_t n = (size_t)(e - b);
        if (n >= MB_COUNTERS_NAME_MAX)
            return MB_ERROR(MB_EINVAL, "%s: event %zu \"%.*s\" is %zu bytes long; at most %d allowed",
                            key, pos, (int)n, b, n, MB_COUNTERS_NAME_MAX - 1);
        if (c->n >= MB_COUNTERS_MAX)
            return MB_ERROR(MB_EINVAL, "%s \"%s\": more than %d events", key, csv,
                            MB_COUNTERS_MAX);
        for (size_t i = 0; i < c->n; i++)
            if (strlen(c->ev[i].name) == n && memcmp(c->ev[i].name, b, n) == 0)
                return MB_ERROR(MB_EINVAL, "%s \"%s\": event \"%.*s\" is listed twice", key,
                                csv, (int)n, b);
        mb_event *ev = &c->ev[c->n++];
        memcpy(ev->name, b, n);
        ev->name[n] = '\0';
        if (!event_syntax_ok(ev->name))
            return MB_ERROR(MB_EINVAL,
                            "%s: event \"%s\" is not an event name: give a PAPI preset "
                            "(PAPI_TOT_INS) or a native event named with its component "
                            "(perf::TASK-CLOCK, rapl::RAPL_ENERGY_PKG)",
                            key, ev->name);
        ev->slot = -1;
        ev->fd = -1;
        if (!end)
            return MB_OK;
        p = end + 1;
    }
}

/* ---------------------------------------------------------------------------------------------
 * The public functions: the same for both builds.
 */

int mb_perf_event_paranoid(void)
{
    FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
    int v = -1;
    if (f) {
        if (fscanf(f, "%d", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

int mb_counters_open(const char *events_csv, mb_counters **out)
{
    return mb_counters_open_key("events", events_csv, out);
}

int mb_counters_open_key(const char *key, const char *events_csv, mb_counters **out)
{
    *out = NULL;
    mb_counters *c = mb_calloc(1, sizeof *c);
    if (!c)
        return MB_ERROR(MB_ENOMEM, "counters: out of memory");
    c->kleader = -1;
#if MB_HAVE_PAPI
    c->eventset = PAPI_NULL;
#endif
    key = key ? key : "events";
    int rc = parse_list(key, events_csv ? events_csv : MB_COUNTERS_DEFAULT, c);
    if (rc == MB_OK)
        rc = mb_counters_check_presets(key, c);
    if (rc == MB_OK)
        rc = mb_counters_backend_open(c);
    if (rc != MB_OK) {
        mb_counters_close(c);
        return rc;
    }
    *out = c;
    return MB_OK;
}

int mb_counters_start(mb_counters *c)
{
    if (c->running)
        return MB_ERROR(MB_EINVAL, "counters: started twice without a stop");
    int rc = mb_counters_backend_start(c);
    if (rc != MB_OK)
        return rc;
    c->running = 1;
    return MB_OK;
}

int mb_counters_stop(mb_counters *c, int phase)
{
    if (!c->running)
        return MB_ERROR(MB_EINVAL, "counters: stopped without a start");
    long long vals[MB_COUNTERS_MAX] = {0};
    int rc = mb_counters_backend_stop(c, vals);
    c->running = 0;
    if (rc != MB_OK)
        return rc;
    if (phase < 0 || phase >= MB_PHASES)
        return MB_ERROR(MB_EINVAL, "counters: phase %d out of range 0..%d", phase, MB_PHASES - 1);
    int64_t sums[MB_COUNTERS_MAX];
    for (size_t i = 0; i < c->n; i++) {
        const mb_event *ev = &c->ev[i];
        if (!ev->available)
            continue;
        if (__builtin_add_overflow(ev->v[phase], (int64_t)vals[i], &sums[i]))
            return MB_ERROR(MB_ERANGE, "counters: %s in phase %s overflows int64", ev->name,
                            phase_names[phase]);
    }
    for (size_t i = 0; i < c->n; i++) {
        mb_event *ev = &c->ev[i];
        if (!ev->available)
            continue;
        ev->v[phase] = sums[i];
        ev->counted[phase] = 1;
    }
    return MB_OK;
}

void mb_counters_reset(mb_counters *c)
{
    for (size_t i = 0; i < c->n; i++)
        for (int p = 0; p < MB_PHASES; p++) {
            c->ev[i].v[p] = 0;
            c->ev[i].counted[p] = 0;
        }
}

size_t mb_counters_count(const mb_counters *c) { return c->n; }

const char *mb_counters_name(const mb_counters *c, size_t i)
{
    return i < c->n ? c->ev[i].name : NULL;
}

int mb_counters_available(const mb_counters *c, size_t i)
{
    return i < c->n && c->ev[i].available;
}

int mb_counters_value(const mb_counters *c, size_t i, int phase, int64_t *v)
{
    if (i >= c->n || phase < 0 || phase >= MB_PHASES)
        return -1;
    const mb_event *ev = &c->ev[i];
    if (!ev->available || !ev->counted[phase])
        return -1;
    *v = ev->v[phase];
    return 0;
}

const char *mb_counters_notice(const mb_counters *c, size_t i)
{
    if (i >= c->n || c->ev[i].available)
        return NULL;
    return c->ev[i].notice;
}

const char *mb_counters_source(const mb_counters *c, size_t i)
{
    if (i >= c->n || !c->ev[i].available)
        return NULL;
    if (c->ev[i].source == SOURCE_KERNEL)
        return c->ev[i].user_only ? MB_SOURCE_KERNEL_USER : MB_SOURCE_KERNEL;
    return MB_SOURCE_PAPI;
}

const char *mb_counters_papi_reason(const mb_counters *c, size_t i)
{
    if (i >= c->n || c->ev[i].source != SOURCE_KERNEL)
        return NULL;
    return c->ev[i].notice;
}

void mb_counters_write_json(FILE *f, const mb_counters *c)
{
    fputc('{', f);
    for (size_t i = 0; i < c->n; i++) {
        if (i)
            fputs(", ", f);
        mb_json_write_string(f, c->ev[i].name);
        fputs(": ", f);
        if (!c->ev[i].available) {
            fputs("null", f);
            continue;
        }
        fputc('{', f);
        for (int p = 0; p < MB_PHASES; p++) {
            int64_t v;
            fprintf(f, "%s\"%s\": ", p ? ", " : "", phase_names[p]);
            if (mb_counters_value(c, i, p, &v) == 0)
                fprintf(f, "%" PRId64, v);
            else
                fputs("null", f);
        }
        fputc('}', f);
    }
    fputc('}', f);
}

void mb_counters_close(mb_counters *c)
{
    if (!c)
        return;
    mb_counters_backend_close(c);
    mb_free(c);
}
