/* plan_read.c: the plan file reader, on yajl's streaming parser (docs/design.md, "Plan
 * files"). yajl checks the JSON grammar and UTF-8; this file adds what yajl leaves out of
 * RFC 8259 (vertical tab and form feed are not white space, UTF-8 without overlong forms or
 * surrogates, unique keys) and maps the one object onto a plan. Nothing but the ops grows
 * with the input: values of unknown keys are skipped as they stream past. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/json.h"
#include "core/plan.h"

enum { K_FORMAT, K_VERSION, K_SOLVER, K_STEPS, K_HIDDEN, K_INTERNAL, K_UNIT_BYTES, K_BUDGET,
       K_FORWARD_OPS, K_PEAK, K_OPS, K_SLOW_BUDGET, K_COUNT };

static const char *const key_names[K_COUNT] = {
    "format", "version", "solver", "steps", "hidden_units", "internal_units", "unit_bytes",
    "budget", "forward_ops", "peak", "ops", "slow_budget",
};

/* Where the reader is in the document. */
enum {
    S_START,   /* before the top-level value */
    S_TOP,     /* in the top-level object, expecting a key or '}' */
    S_VALUE,   /* expecting the value of key `key` (-1: an unknown key) */
    S_SKIP,    /* inside the value of an unknown key, `depth` containers deep */
    S_OPS,     /* in "ops", expecting an op '[' or ']' */
    S_OP_NAME, /* in an op, expecting its name */
    S_OP_STEP, /* in an op, expecting its step */
    S_OP_END,  /* in an op, expecting ']' (or the level of a store, restore or free) */
    S_OP_LAST, /* in an op after its level, expecting ']' */
    S_DONE,    /* after the top-level object */
};

#define MAX_DEPTH 64

typedef struct {
    yajl_handle h;
    mb_plan *plan;
    const char *name;          /* what messages call the input */
    uint64_t offset;           /* bytes fed before the current chunk */
    int state, key, depth;
    int seen[K_COUNT];
    int64_t version;
    size_t op_at;              /* index of the op being read */
    int op_kind;
    int64_t op_step;
    int op_level;
    size_t first_level;        /* index of the first op with a level; SIZE_MAX: none */
    uint64_t objects;          /* objects opened so far: the id of the next */
    uint64_t stack[MAX_DEPTH + 2]; /* object id per open container (UINT64_MAX: an array) */
    mb_json_keyset keys;       /* the keys seen, per object */
    int rc;                    /* an error found in a callback */
    char why[400];             /* its message, without the place */
} reader;

static const char *what(int type)
{
    static const char *const names[] = {"null", "true or false", "a number", "a string",
                                        "an object", "an array"};
    return names[type];
}

enum { V_NULL, V_BOOL, V_NUMBER, V_STRING, V_OBJECT, V_ARRAY };

/* Records an error in a callback; yajl then stops with yajl_status_client_canceled. */
static int stop(reader *r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int stop(reader *r, int rc, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why, sizeof r->why, fmt, ap);
    va_end(ap);
    r->rc = rc;
    return 0;
}

/* Parses a JSON number lexeme (yajl has checked its grammar) as an int64: no fraction, no
 * exponent. `key` and `op` name it in messages: "\"steps\"", or op `op`'s step when key is
 * NULL. The common case, a short run of digits, takes no library call. */
static int number_int(reader *r, const char *s, size_t len, const char *key, size_t op,
                      int64_t *out)
{
    if (len > 0 && len <= 18) {
        size_t i = s[0] == '-';
        int64_t v = 0;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            v = 10 * v + (s[i] - '0');
        if (i == len && len > (size_t)(s[0] == '-')) {
            *out = s[0] == '-' ? -v : v;
            return 1;
        }
    }
    char q[64], name[48];
    mb_text_quote(q, sizeof q, s, len);
    if (key == NULL)
        snprintf(name, sizeof name, "op %zu: step", op);
    else
        snprintf(name, sizeof name, "%s", key);
    if (memchr(s, '.', len) || memchr(s, 'e', len) || memchr(s, 'E', len))
        return stop(r, MB_EPARSE, "%s: expected an integer, found %s", name, q);
    char tmp[32];
    errno = 0;
    long long v = 0;
    if (len < sizeof tmp) {
        memcpy(tmp, s, len);
        tmp[len] = '\0';
        v = strtoll(tmp, NULL, 10);
    }
    if (len >= sizeof tmp || errno == ERANGE)
        return stop(r, MB_EPARSE, "%s: integer %s out of range [%" PRId64 ", %" PRId64 "]",
                    name, q, INT64_MIN, INT64_MAX);
    *out = (int64_t)v;
    return 1;
}

static int check_utf8(reader *r, const unsigned char *s, size_t len, const char *what_str)
{
    if (mb_utf8_valid_prefix((const char *)s, len) == len)
        return 1;
    char q[80];
    mb_text_quote(q, sizeof q, (const char *)s, len);
    return stop(r, MB_EPARSE,
                "%s \"%s\" is not valid Unicode (invalid UTF-8, or an escaped lone surrogate)",
                what_str, q);
}

/* A container opens inside the value of an unknown key. */
static int skip_open(reader *r, int object)
{
    if (r->depth >= MAX_DEPTH)
        return stop(r, MB_EPARSE, "JSON nesting deeper than %d", MAX_DEPTH);
    r->depth++;
    r->stack[r->depth] = object ? r->objects++ : UINT64_MAX;
    return 1;
}

/* The value of a key of the top-level object (S_VALUE). */
static int top_value(reader *r, int type, const char *s, size_t len)
{
    char key[48];
    int k = r->key;
    r->state = S_TOP;
    if (k < 0) { /* an unknown key: skip its value */
        if (type == V_OBJECT || type == V_ARRAY) {
            r->state = S_SKIP;
            return skip_open(r, type == V_OBJECT);
        }
        return 1;
    }
    snprintf(key, sizeof key, "\"%s\"", key_names[k]);
    if (k == K_FORMAT || k == K_SOLVER) {
        if (type != V_STRING)
            return stop(r, MB_EPARSE, "%s: expected a string, found %s", key, what(type));
        char q[80];
        mb_text_quote(q, sizeof q, s, len);
        if (k == K_FORMAT) {
            if (len != strlen(MB_PLAN_FORMAT) || memcmp(s, MB_PLAN_FORMAT, len) != 0)
                return stop(r, MB_EPARSE, "format '%s'; expected '%s'", q, MB_PLAN_FORMAT);
            return 1;
        }
        if (len == 0 || len >= sizeof r->plan->solver)
            return stop(r, MB_EPARSE, "\"solver\": '%s' must be 1 to %zu bytes", q,
                        sizeof r->plan->solver - 1);
        for (size_t i = 0; i < len; i++)
            if ((unsigned char)s[i] < 0x20 || s[i] == 0x7F)
                return stop(r, MB_EPARSE,
                            "\"solver\": '%s' holds a control character", q);
        memcpy(r->plan->solver, s, len);
        r->plan->solver[len] = '\0';
        return 1;
    }
    if (k == K_SLOW_BUDGET && type == V_STRING) {
        if (len != 9 || memcmp(s, "unlimited", 9) != 0) {
            char q[80];
            mb_text_quote(q, sizeof q, s, len);
            return stop(r, MB_EPARSE, "\"slow_budget\": '%s'; expected an integer >= 0 "
                        "(units) or \"unlimited\"", q);
        }
        r->plan->problem.slow_budget = MB_SLOW_UNLIMITED;
        return 1;
    }
    if (k == K_OPS) {
        if (type != V_ARRAY)
            return stop(r, MB_EPARSE, "\"ops\": expected an array of [name, step], found %s",
                        what(type));
        r->state = S_OPS;
        return 1;
    }
    if (type != V_NUMBER)
        return stop(r, MB_EPARSE, "%s: expected an integer, found %s", key, what(type));
    mb_problem *p = &r->plan->problem;
    int64_t *dst = k == K_VERSION       ? &r->version
                   : k == K_STEPS       ? &p->steps
                   : k == K_HIDDEN      ? &p->hidden_units
                   : k == K_INTERNAL    ? &p->internal_units
                   : k == K_UNIT_BYTES  ? &p->unit_bytes
                   : k == K_BUDGET      ? &p->budget
                   : k == K_FORWARD_OPS ? &r->plan->forward_ops
                   : k == K_SLOW_BUDGET ? &p->slow_budget
                                        : &r->plan->peak;
    return number_int(r, s, len, key, 0, dst);
}

/* A value inside "ops": an op's '[', its name, step and level (S_OPS to S_OP_LAST); in any
 * other state a value is a bug. */
static int op_value(reader *r, int type, const char *s, size_t len)
{
    switch (r->state) {
    case S_OPS:
        if (type != V_ARRAY)
            return stop(r, MB_EPARSE, "op %zu: expected [name, step], found %s", r->op_at,
                        what(type));
        r->state = S_OP_NAME;
        return 1;
    case S_OP_NAME: {
        if (type != V_STRING)
            return stop(r, MB_EPARSE, "op %zu: expected an op name, found %s", r->op_at,
                        what(type));
        static const size_t op_len[MB_OP_KIND_COUNT] = {7, 12, 14, 7, 8, 4};
        for (int i = 0; i < MB_OP_KIND_COUNT; i++) {
            if (len == op_len[i] && memcmp(s, mb_op_name(i), len) == 0) {
                r->op_kind = i;
                r->state = S_OP_STEP;
                return 1;
            }
        }
        char q[80];
        mb_text_quote(q, sizeof q, s, len);
        return stop(r, MB_EPARSE,
                    "op %zu: unknown op '%s'; the ops are forward, store_hidden, "
                    "store_internal, restore, backward, free",
                    r->op_at, q);
    }
    case S_OP_STEP: {
        if (type != V_NUMBER)
            return stop(r, MB_EPARSE, "op %zu: expected the step (an integer), found %s",
                        r->op_at, what(type));
        if (!number_int(r, s, len, NULL, r->op_at, &r->op_step))
            return 0;
        if (r->op_step < 0 || r->op_step > INT32_MAX)
            return stop(r, MB_EPARSE, "op %zu: step %" PRId64 " out of range [0, %d]", r->op_at,
                        r->op_step, INT32_MAX);
        r->op_level = 0;
        r->state = S_OP_END;
        return 1;
    }
    case S_OP_END: {
        if (type != V_NUMBER || !mb_op_has_level(r->op_kind))
            return stop(r, MB_EPARSE, "op %zu: expected ']' after the step, found %s; an op is "
                        "[name, step], or [name, step, level] for store, restore and free",
                        r->op_at, what(type));
        int64_t level;
        if (!number_int(r, s, len, NULL, r->op_at, &level))
            return 0;
        if (level != MB_LEVEL_MEMORY && level != MB_LEVEL_SLOW)
            return stop(r, MB_EPARSE, "op %zu: level %" PRId64 "; expected 0 (memory) or 1 "
                        "(the slow store)", r->op_at, level);
        r->op_level = (int)level;
        if (r->first_level == SIZE_MAX)
            r->first_level = r->op_at;
        r->state = S_OP_LAST;
        return 1;
    }
    case S_OP_LAST:
        return stop(r, MB_EPARSE, "op %zu: expected ']' after the level, found %s; an op is at "
                    "most [name, step, level]", r->op_at, what(type));
    default: /* S_TOP, S_DONE: yajl delivers a key there, or nothing */
        (void)MB_NEVER(1);
        return stop(r, MB_EINTERNAL, "unexpected %s", what(type));
    }
}

/* Every value goes through here; `s`/`len` is the lexeme of numbers and strings. */
static int on_value(reader *r, int type, const char *s, size_t len)
{
    switch (r->state) {
    case S_START:
        if (type != V_OBJECT)
            return stop(r, MB_EPARSE, "expected a JSON object ('{'), found %s", what(type));
        r->state = S_TOP;
        r->depth = 0;
        r->stack[0] = r->objects++;
        return 1;
    case S_VALUE:
        return top_value(r, type, s, len);
    case S_SKIP:
        if (type == V_OBJECT || type == V_ARRAY)
            return skip_open(r, type == V_OBJECT);
        return 1;
    default: /* S_OPS to S_OP_LAST */
        return op_value(r, type, s, len);
    }
}

static int cb_null(void *ctx) { return on_value(ctx, V_NULL, NULL, 0); }
static int cb_bool(void *ctx, int b) { (void)b; return on_value(ctx, V_BOOL, NULL, 0); }
static int cb_number(void *ctx, const char *s, size_t len)
{
    return on_value(ctx, V_NUMBER, s, len);
}
static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
    if (!check_utf8(ctx, s, len, "string"))
        return 0;
    return on_value(ctx, V_STRING, (const char *)s, len);
}
static int cb_start_map(void *ctx) { return on_value(ctx, V_OBJECT, NULL, 0); }
static int cb_start_array(void *ctx) { return on_value(ctx, V_ARRAY, NULL, 0); }

static int cb_key(void *ctx, const unsigned char *s, size_t len)
{
    reader *r = ctx;
    if (!check_utf8(r, s, len, "key"))
        return 0;
    int added = mb_json_keyset_add(&r->keys, r->stack[r->depth], (const char *)s, len);
    if (added < 0)
        return stop(r, MB_ENOMEM, "out of memory reading the keys");
    if (added == 0) {
        char q[80];
        mb_text_quote(q, sizeof q, (const char *)s, len);
        return stop(r, MB_EPARSE, "duplicate key \"%s\"; every key may appear once", q);
    }
    if (r->state == S_TOP) {
        r->key = -1;
        for (int k = 0; k < K_COUNT; k++)
            if (len == strlen(key_names[k]) && memcmp(s, key_names[k], len) == 0)
                r->key = k;
        if (r->key >= 0)
            r->seen[r->key] = 1;
        r->state = S_VALUE;
    }
    return 1;
}

static int cb_end_map(void *ctx)
{
    reader *r = ctx;
    if (r->state == S_TOP) {
        r->state = S_DONE;
        return 1;
    }
    /* S_SKIP: yajl guarantees the nesting */
    if (--r->depth == 0)
        r->state = S_TOP;
    return 1;
}

static int cb_end_array(void *ctx)
{
    reader *r = ctx;
    switch (r->state) {
    case S_OPS:
        r->state = S_TOP;
        return 1;
    case S_OP_NAME:
    case S_OP_STEP:
        return stop(r, MB_EPARSE, "op %zu: too short; an op is [name, step]", r->op_at);
    case S_OP_END:
    case S_OP_LAST: {
        int rc = mb_plan_push_at(r->plan, (mb_op_kind)r->op_kind, r->op_step, r->op_level);
        if (rc != MB_OK)
            return stop(r, rc, "%s", mb_errmsg());
        r->op_at++;
        r->state = S_OPS;
        return 1;
    }
    default: /* S_SKIP */
        if (--r->depth == 0)
            r->state = S_TOP;
        return 1;
    }
}

static const yajl_callbacks callbacks = {
    cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
    cb_start_map, cb_key, cb_end_map, cb_start_array, cb_end_array,
};

/* What the reader expects next, for the message of a JSON syntax error. */
static void expecting(const reader *r, char *buf, size_t cap)
{
    switch (r->state) {
    case S_START:
        snprintf(buf, cap, "; expected a JSON object ('{')");
        break;
    case S_VALUE:
        if (r->key == K_FORMAT || r->key == K_SOLVER)
            snprintf(buf, cap, "; expected a string for \"%s\"", key_names[r->key]);
        else if (r->key == K_OPS)
            snprintf(buf, cap, "; expected an array for \"ops\"");
        else if (r->key >= 0)
            snprintf(buf, cap, "; expected an integer for \"%s\"", key_names[r->key]);
        else
            buf[0] = '\0';
        break;
    case S_OP_STEP:
        snprintf(buf, cap, "; expected an integer, the step of op %zu", r->op_at);
        break;
    case S_OP_NAME:
        snprintf(buf, cap, "; expected the name of op %zu", r->op_at);
        break;
    default:
        buf[0] = '\0';
    }
}

static int reader_init(reader *r, const char *name)
{
    memset(r, 0, sizeof *r);
    r->name = name ? name : "plan file";
    r->key = -1;
    r->version = -1;
    r->first_level = SIZE_MAX;
    mb_problem p = {0};
    r->plan = mb_plan_alloc("unknown", &p, 0);
    if (r->plan == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory reading a plan");
    r->h = yajl_alloc(&callbacks, NULL, r);
    if (r->h == NULL) {
        mb_plan_free(r->plan);
        return MB_ERROR(MB_ENOMEM, "out of memory reading a plan");
    }
    /* RFC 8259: no comments, UTF-8 checked, one value and nothing after it */
    yajl_config(r->h, yajl_allow_comments, 0);
    yajl_config(r->h, yajl_dont_validate_strings, 0);
    yajl_config(r->h, yajl_allow_trailing_garbage, 0);
    yajl_config(r->h, yajl_allow_multiple_values, 0);
    yajl_config(r->h, yajl_allow_partial_values, 0);
    return MB_OK;
}

static void reader_free(reader *r)
{
    if (r->h)
        yajl_free(r->h);
    mb_json_keyset_fini(&r->keys);
    mb_plan_free(r->plan);
}

/* Turns a yajl failure on `chunk` into an MB_ERROR naming the byte. */
static int fail(reader *r, yajl_status st, const unsigned char *chunk, size_t len)
{
    size_t used = yajl_get_bytes_consumed(r->h);
    uint64_t at = r->offset + (used > 0 ? used - 1 : 0);
    char name[160];
    mb_text_quote(name, sizeof name, r->name, strlen(r->name));
    if (st == yajl_status_client_canceled)
        return MB_ERROR(r->rc, "%s: byte %" PRIu64 ": %s", name, at, r->why);
    unsigned char *e = yajl_get_error(r->h, 0, chunk, len);
    char msg[160], found[64] = "", exp[96];
    mb_text_quote(msg, sizeof msg, (const char *)e, e ? strcspn((const char *)e, "\n") : 0);
    yajl_free_error(r->h, e);
    if (used > 0 && used <= len) { /* the bytes around the one yajl stopped at */
        size_t from = used - 1 >= 4 ? used - 5 : 0, to = used + 4 < len ? used + 4 : len;
        char q[48];
        mb_text_quote(q, sizeof q, (const char *)chunk + from, to - from);
        snprintf(found, sizeof found, " (near '%s')", q);
    } else if (chunk == NULL)
        snprintf(found, sizeof found, " (at the end of the input)");
    expecting(r, exp, sizeof exp);
    return MB_ERROR(MB_EPARSE, "%s: byte %" PRIu64 ": invalid JSON: %s%s%s", name, at, msg,
                    found, exp);
}

/* Feeds one chunk. */
static int reader_feed(reader *r, const unsigned char *chunk, size_t len)
{
    if (r->offset + len > MB_PLAN_MAX_BYTES) {
        char name[160];
        mb_text_quote(name, sizeof name, r->name, strlen(r->name));
        return MB_ERROR(MB_EPARSE, "%s: longer than the limit of %" PRIu64 " bytes (64 bytes "
                        "for each of at most %zu ops)", name, MB_PLAN_MAX_BYTES, MB_PLAN_MAX_OPS);
    }
    /* vertical tab and form feed: yajl takes them for white space, RFC 8259 does not (and
     * inside a string they are unescaped control characters) */
    const unsigned char *vt = memchr(chunk, 0x0B, len);
    const unsigned char *ff = memchr(chunk, 0x0C, vt ? (size_t)(vt - chunk) : len);
    size_t good = ff ? (size_t)(ff - chunk) : vt ? (size_t)(vt - chunk) : len;
    yajl_status st = yajl_parse(r->h, chunk, good);
    if (st != yajl_status_ok)
        return fail(r, st, chunk, good);
    if (good < len) {
        char name[160];
        mb_text_quote(name, sizeof name, r->name, strlen(r->name));
        return MB_ERROR(MB_EPARSE, "%s: byte %" PRIu64 ": invalid JSON: byte \\x%02X is not "
                        "JSON white space (space, tab, line feed, carriage return)",
                        name, r->offset + good, chunk[good]);
    }
    r->offset += len;
    return MB_OK;
}

/* Ends the input and checks the keys; hands the plan over on success. */
static int reader_finish(reader *r, mb_plan **out)
{
    yajl_status st = yajl_complete_parse(r->h);
    if (st != yajl_status_ok)
        return fail(r, st, NULL, 0);
    char name[160];
    mb_text_quote(name, sizeof name, r->name, strlen(r->name));
    static const int required[] = {K_FORMAT, K_VERSION, K_STEPS, K_HIDDEN, K_INTERNAL,
                                   K_BUDGET, K_OPS};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!r->seen[required[i]])
            return MB_ERROR(MB_EPARSE, "%s: missing key \"%s\"", name,
                            key_names[required[i]]);
    mb_plan *plan = r->plan;
    if (r->version != MB_PLAN_VERSION && r->version != MB_PLAN_VERSION_ONE_LEVEL)
        return MB_ERROR(MB_EPARSE, "%s: version %" PRId64 "; this membptt reads versions %d "
                        "and %d", name, r->version, MB_PLAN_VERSION_ONE_LEVEL, MB_PLAN_VERSION);
    if (r->version == MB_PLAN_VERSION_ONE_LEVEL && r->seen[K_SLOW_BUDGET])
        return MB_ERROR(MB_EPARSE, "%s: \"slow_budget\" needs version %d (version 1 plans have "
                        "one storage level)", name, MB_PLAN_VERSION);
    if (r->version == MB_PLAN_VERSION_ONE_LEVEL && r->first_level != SIZE_MAX)
        return MB_ERROR(MB_EPARSE, "%s: op %zu has a level, which needs version %d (version 1 "
                        "ops are [name, step])", name, r->first_level, MB_PLAN_VERSION);
    if ((r->seen[K_FORWARD_OPS] && plan->forward_ops < 0) ||
        (r->seen[K_PEAK] && plan->peak < 0) || plan->problem.unit_bytes < 0)
        return MB_ERROR(MB_EPARSE, "%s: forward_ops, peak and unit_bytes must be >= 0 (got "
                        "%" PRId64 ", %" PRId64 ", %" PRId64 "); leave a key out when it is "
                        "not known", name, plan->forward_ops, plan->peak,
                        plan->problem.unit_bytes);
    if (mb_problem_check(&plan->problem) != MB_OK) {
        char why[400];
        snprintf(why, sizeof why, "%s", mb_errmsg());
        return MB_ERROR(MB_EPARSE, "%s: %s", name, why);
    }
    *out = plan;
    r->plan = NULL;
    return MB_OK;
}

#define CHUNK ((size_t)1 << 16)

int mb_plan_read_json(const char *text, size_t len, mb_plan **out)
{
    reader r;
    int rc = reader_init(&r, "plan file");
    if (rc != MB_OK)
        return rc;
    for (size_t at = 0; rc == MB_OK && at < len; at += CHUNK)
        rc = reader_feed(&r, (const unsigned char *)text + at, len - at < CHUNK ? len - at : CHUNK);
    if (rc == MB_OK)
        rc = reader_finish(&r, out);
    reader_free(&r);
    return rc;
}

int mb_plan_read_stream(FILE *f, const char *name, mb_plan **out)
{
    reader r;
    int rc = reader_init(&r, name);
    if (rc != MB_OK)
        return rc;
    unsigned char *buf = mb_malloc(CHUNK);
    if (buf == NULL)
        rc = MB_ERROR(MB_ENOMEM, "out of memory reading %s", r.name);
    while (rc == MB_OK) {
        size_t n = fread(buf, 1, CHUNK, f);
        if (n > 0)
            rc = reader_feed(&r, buf, n);
        if (rc != MB_OK || n < CHUNK) {
            if (rc == MB_OK && ferror(f)) {
                char q[160];
                rc = MB_ERROR(MB_EIO, "error reading %s: %s",
                              mb_text_quote(q, sizeof q, r.name, strlen(r.name)),
                              strerror(errno));
            }
            break;
        }
    }
    if (rc == MB_OK)
        rc = reader_finish(&r, out);
    mb_free(buf);
    reader_free(&r);
    return rc;
}

int mb_plan_load(const char *path, mb_plan **out)
{
    FILE *f;
    int rc = mb_input_open(path, &f);
    if (rc != MB_OK)
        return rc;
    rc = mb_plan_read_stream(f, strcmp(path, "-") == 0 ? "standard input" : path, out);
    mb_input_close(f);
    return rc;
}
