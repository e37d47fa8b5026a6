/* json.h: the JSON string writer that reports and plan files use, strict UTF-8 checking, the
 * quoting of untrusted text for messages, and the set of keys seen per object (duplicates are
 * refused). Reading JSON is yajl's job (core/plan_read.c). */
#ifndef MB_CORE_JSON_H
#define MB_CORE_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The length of the longest prefix of s[0..len) that is valid UTF-8 (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF). The text is valid when it returns len. */
size_t mb_utf8_valid_prefix(const char *s, size_t len);

/* Writes s (NUL-terminated) as a JSON string literal, escaping what JSON requires. Bytes that
 * are not valid UTF-8 are written as the six characters \\xHH, so the output is always valid
 * UTF-8 and valid JSON whatever s holds. */
void mb_json_write_string(FILE *f, const char *s);

/* Quotes untrusted text of `len` bytes for a message into dst (cap >= 16 bytes) and returns
 * dst: printable ASCII and valid multi-byte UTF-8 are kept, a backslash becomes \\, every
 * other byte (NUL, control characters, invalid UTF-8) becomes \xHH. Text that does not fit
 * ends in "..." and is never cut inside a character. C1 controls and U+FEFF (the
 * byte-order mark) are escaped too: they are invisible. */
const char *mb_text_quote(char *dst, size_t cap, const char *s, size_t len);

/* Writes s to f for a person to read: printable ASCII and valid multi-byte UTF-8 as they
 * are, every other byte as \xHH (a backslash stays a backslash). For messages and text
 * reports, so a terminal never receives control bytes or broken UTF-8. */
void mb_text_write(FILE *f, const char *s);

/* The keys seen in each object of a JSON document, to refuse a duplicate (RFC 8259 leaves them
 * undefined; yajl does not check): (object id, key) pairs in an open-addressing table.
 * Zero-initialise; mb_json_keyset_fini gives back its memory. */
typedef struct {
    struct mb_json_key_slot *slots;
    size_t cap, n;
} mb_json_keyset;

/* Adds the key s[0..len) of object `object`: 1 when new, 0 when that object already has it,
 * -1 when out of memory. */
int mb_json_keyset_add(mb_json_keyset *set, uint64_t object, const char *s, size_t len);

void mb_json_keyset_fini(mb_json_keyset *set);

#endif
