/* json.c: a strict, allocation-free JSON reader cursor and a string writer. */
#include "core/json.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

int mb_json_peek(mb_json *j)
{
    while (j->pos < j->len && isspace((unsigned char)j->s[j->pos]))
        j->pos++;
    return j->pos < j->len ? (unsigned char)j->s[j->pos] : 0;
}

static int fail(const mb_json *j, const char *what)
{
    if (j->pos >= j->len)
        return MB_ERROR(MB_EPARSE, "JSON: expected %s at byte %zu, found the end of the input",
                        what, j->pos);
    return MB_ERROR(MB_EPARSE, "JSON: expected %s at byte %zu, found '%c'", what, j->pos,
                    j->s[j->pos]);
}

int mb_json_expect(mb_json *j, char c)
{
    if (mb_json_peek(j) != (unsigned char)c) {
        char what[4] = {'\'', c, '\'', 0};
        return fail(j, what);
    }
    j->pos++;
    return MB_OK;
}

int mb_json_string(mb_json *j, char *buf, size_t cap)
{
    if (mb_json_peek(j) != '"')
        return fail(j, "a string");
    size_t start = j->pos++, n = 0;
    while (j->pos < j->len && j->s[j->pos] != '"') {
        char c = j->s[j->pos++];
        if ((unsigned char)c < 0x20)
            return MB_ERROR(MB_EPARSE, "JSON: control character in string at byte %zu",
                            j->pos - 1);
        if (c == '\\') {
            if (j->pos >= j->len)
                break;
            char e = j->s[j->pos++];
            switch (e) {
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            case 'r': c = '\r'; break;
            case 'b': c = '\b'; break;
            case 'f': c = '\f'; break;
            case '/': case '\\': case '"': c = e; break;
            case 'u':
                if (j->pos + 4 > j->len)
                    return MB_ERROR(MB_EPARSE, "JSON: short \\u escape at byte %zu", j->pos);
                j->pos += 4;
                c = '?'; /* names in plan files are ASCII; keep the length honest */
                break;
            default:
                return MB_ERROR(MB_EPARSE, "JSON: bad escape \\%c at byte %zu", e, j->pos - 1);
            }
        }
        if (n + 1 >= cap)
            return MB_ERROR(MB_EPARSE, "JSON: string at byte %zu longer than %zu bytes", start,
                            cap - 1);
        buf[n++] = c;
    }
    if (j->pos >= j->len)
        return MB_ERROR(MB_EPARSE, "JSON: unterminated string starting at byte %zu", start);
    j->pos++;
    buf[n] = '\0';
    return MB_OK;
}

int mb_json_int(mb_json *j, int64_t *out)
{
    int c = mb_json_peek(j);
    if (c != '-' && !isdigit(c))
        return fail(j, "an integer");
    const char *p = j->s + j->pos;
    size_t n = 0;
    char tmp[32];
    while (j->pos + n < j->len && n < sizeof tmp - 1 &&
           (isdigit((unsigned char)p[n]) || (n == 0 && p[n] == '-')))
        n++;
    if (j->pos + n < j->len && strchr(".eE", p[n]) != NULL && p[n] != '\0')
        return MB_ERROR(MB_EPARSE, "JSON: expected an integer at byte %zu, found a fraction",
                        j->pos);
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    errno = 0;
    char *end;
    long long v = strtoll(tmp, &end, 10);
    if (errno == ERANGE || *end != '\0' || n == 0 || (n == 1 && tmp[0] == '-'))
        return MB_ERROR(MB_EPARSE, "JSON: integer out of range at byte %zu", j->pos);
    j->pos += n;
    *out = (int64_t)v;
    return MB_OK;
}

static int skip_depth(mb_json *j, int depth)
{
    if (depth > 64)
        return MB_ERROR(MB_EPARSE, "JSON: nesting deeper than 64 at byte %zu", j->pos);
    int c = mb_json_peek(j), rc;
    char tmp[4096];
    if (c == '"')
        return mb_json_string(j, tmp, sizeof tmp);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        j->pos++;
        if (mb_json_peek(j) == close) {
            j->pos++;
            return MB_OK;
        }
        for (;;) {
            if (c == '{') {
                if ((rc = mb_json_string(j, tmp, sizeof tmp)) != MB_OK ||
                    (rc = mb_json_expect(j, ':')) != MB_OK)
                    return rc;
            }
            if ((rc = skip_depth(j, depth + 1)) != MB_OK)
                return rc;
            int d = mb_json_peek(j);
            j->pos++;
            if (d == close)
                return MB_OK;
            if (d != ',') {
                j->pos--;
                return fail(j, c == '{' ? "',' or '}'" : "',' or ']'");
            }
        }
    }
    /* number, true, false, null */
    size_t start = j->pos;
    while (j->pos < j->len && (isalnum((unsigned char)j->s[j->pos]) ||
                               strchr("+-.", j->s[j->pos]) != NULL))
        j->pos++;
    if (j->pos == start)
        return fail(j, "a value");
    return MB_OK;
}

int mb_json_skip(mb_json *j) { return skip_depth(j, 0); }

void mb_json_write_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}
