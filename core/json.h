/* json.h: the small JSON reader and string writer that plan files and reports need. */
#ifndef MB_CORE_JSON_H
#define MB_CORE_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A read cursor over a JSON text. Errors are MB_EPARSE with the byte offset. */
typedef struct {
    const char *s;
    size_t len;
    size_t pos;
} mb_json;

/* Skips white space and returns the next character, or 0 at the end. */
int mb_json_peek(mb_json *j);

/* Consumes the character c (after white space) or fails naming what was found. */
int mb_json_expect(mb_json *j, char c);

/* Reads a string into buf (at most cap-1 bytes; longer is an error). */
int mb_json_string(mb_json *j, char *buf, size_t cap);

/* Reads an integer (no fraction, no exponent) that fits int64. */
int mb_json_int(mb_json *j, int64_t *out);

/* Skips one value of any type (nesting depth at most 64). */
int mb_json_skip(mb_json *j);

/* Writes s as a JSON string literal, escaping what JSON requires. */
void mb_json_write_string(FILE *f, const char *s);

#endif
