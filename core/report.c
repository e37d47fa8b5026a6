/* report.c: text, JSON and CSV output of one record. */
#include "core/report.h"

#include <math.h>
#include <string.h>

#include "core/error.h"
#include "core/json.h"

int mb_format_parse(const char *key, const char *text, mb_format *out)
{
    static const char *const names[] = {"text", "json", "csv"};
    for (int i = 0; i < 3; i++)
        if (strcmp(text, names[i]) == 0) {
            *out = (mb_format)i;
            return MB_OK;
        }
    return MB_ERROR(MB_EINVAL, "%s '%s': expected text, json or csv", key, text);
}

static mb_field *add(mb_record *r, const char *key, int type)
{
    if (r->n >= MB_RECORD_MAX || strlen(key) >= sizeof r->fields[0].key) {
        if (r->overflow[0] == '\0') /* reported by mb_record_check and every print */
            snprintf(r->overflow, sizeof r->overflow, "%.*s", (int)sizeof r->overflow - 1, key);
        return NULL;
    }
    mb_field *f = &r->fields[r->n++];
    memset(f, 0, sizeof *f);
    memcpy(f->key, key, strlen(key) + 1);
    f->type = type;
    return f;
}

void mb_record_int(mb_record *r, const char *key, int64_t v)
{
    mb_field *f = add(r, key, MB_FIELD_INT);
    if (f)
        f->i = v;
}

void mb_record_double(mb_record *r, const char *key, double v)
{
    mb_field *f = add(r, key, isfinite(v) ? MB_FIELD_DOUBLE : MB_FIELD_EMPTY);
    if (f)
        f->d = v;
}

void mb_record_string(mb_record *r, const char *key, const char *v)
{
    size_t n = strlen(v) + 1;
    if (n > sizeof r->strings - r->strings_used) {
        if (r->overflow[0] == '\0') /* a value that does not fit is never cut short */
            snprintf(r->overflow, sizeof r->overflow, "%.*s", (int)sizeof r->overflow - 1, key);
        return;
    }
    mb_field *f = add(r, key, MB_FIELD_STRING);
    if (f) {
        f->s = r->strings_used;
        memcpy(r->strings + f->s, v, n);
        r->strings_used += n;
    }
}

void mb_record_bool(mb_record *r, const char *key, int v)
{
    mb_field *f = add(r, key, MB_FIELD_BOOL);
    if (f)
        f->i = v != 0;
}

void mb_record_empty(mb_record *r, const char *key) { add(r, key, MB_FIELD_EMPTY); }

/* A CSV field; bytes that are not printable or not valid UTF-8 are written as \xHH. */
static void print_csv_string(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\n") == NULL) {
        mb_text_write(out, s);
        return;
    }
    fputc('"', out);
    char piece[256];
    while (*s) {
        /* the text up to the next quote, in pieces that never split a UTF-8 sequence */
        size_t n = strcspn(s, "\"");
        if (n > sizeof piece - 1) {
            n = sizeof piece - 1;
            while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
                n--;
            if (n == 0)
                n = sizeof piece - 1; /* no sequence is that long: not UTF-8, escaped anyway */
        }
        memcpy(piece, s, n);
        piece[n] = '\0';
        mb_text_write(out, piece);
        s += n;
        if (*s == '"') {
            fputs("\"\"", out);
            s++;
        }
    }
    fputc('"', out);
}

static void print_value(FILE *out, const mb_record *r, const mb_field *f, mb_format format)
{
    switch (f->type) {
    case MB_FIELD_INT:
        fprintf(out, "%lld", (long long)f->i);
        break;
    case MB_FIELD_DOUBLE:
        fprintf(out, "%.9g", f->d);
        break;
    case MB_FIELD_BOOL:
        fputs(f->i ? "true" : "false", out);
        break;
    case MB_FIELD_STRING:
        if (format == MB_FORMAT_JSON)
            mb_json_write_string(out, r->strings + f->s);
        else if (format == MB_FORMAT_CSV)
            print_csv_string(out, r->strings + f->s);
        else
            mb_text_write(out, r->strings + f->s);
        break;
    default:
        fputs(format == MB_FORMAT_JSON ? "null" : format == MB_FORMAT_CSV ? "" : "-", out);
    }
}

int mb_record_check(const mb_record *r)
{
    if (r->overflow[0] != '\0')
        return MB_ERROR(MB_ERANGE, "record field '%s' exceeds the limit of %d fields of "
                        "names up to %d bytes and %d bytes of text (MB_RECORD_MAX, "
                        "MB_FIELD_KEY_MAX, MB_RECORD_TEXT); nothing was printed",
                        r->overflow, MB_RECORD_MAX, MB_FIELD_KEY_MAX - 1, MB_RECORD_TEXT);
    return MB_OK;
}

int mb_record_print_header(FILE *out, const mb_record *r)
{
    int rc = mb_record_check(r);
    if (rc != MB_OK)
        return rc;
    for (int i = 0; i < r->n; i++)
        fprintf(out, "%s%s", i ? "," : "", r->fields[i].key);
    fputc('\n', out);
    return MB_OK;
}

int mb_record_print_json_members(FILE *out, const mb_record *r)
{
    int rc = mb_record_check(r);
    if (rc != MB_OK)
        return rc;
    for (int i = 0; i < r->n; i++) {
        fputs(i ? ", " : "", out);
        mb_json_write_string(out, r->fields[i].key);
        fputs(": ", out);
        print_value(out, r, &r->fields[i], MB_FORMAT_JSON);
    }
    return MB_OK;
}

int mb_record_print(FILE *out, const mb_record *r, mb_format format, int header)
{
    int rc = mb_record_check(r);
    if (rc != MB_OK)
        return rc;
    if (format == MB_FORMAT_JSON) {
        fputc('{', out);
        mb_record_print_json_members(out, r);
        fputs("}\n", out);
    } else if (format == MB_FORMAT_CSV) {
        if (header)
            mb_record_print_header(out, r);
        for (int i = 0; i < r->n; i++) {
            fputs(i ? "," : "", out);
            print_value(out, r, &r->fields[i], format);
        }
        fputc('\n', out);
    } else {
        int width = 0;
        for (int i = 0; i < r->n; i++)
            if ((int)strlen(r->fields[i].key) > width)
                width = (int)strlen(r->fields[i].key);
        for (int i = 0; i < r->n; i++) {
            fprintf(out, "%-*s  ", width, r->fields[i].key);
            print_value(out, r, &r->fields[i], format);
            fputc('\n', out);
        }
    }
    return MB_OK;
}

void mb_record_spread(mb_record *r, const char *name, const char *unit, const mb_spread *s)
{
    static const char *const which[] = {"", "_min", "_max"};
    char key[MB_FIELD_KEY_MAX];
    for (int i = 0; i < 3; i++) {
        snprintf(key, sizeof key, "%s%s%s", name, which[i], unit);
        if (s == NULL)
            mb_record_empty(r, key);
        else
            mb_record_double(r, key, i == 0 ? s->median : i == 1 ? s->min : s->max);
    }
}
