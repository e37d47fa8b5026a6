/* json.c: the JSON string writer, strict UTF-8 checking, message quoting and the key set that
 * refuses duplicate keys. */
#include "core/json.h"

#include <string.h>

#include "core/alloc.h"

/* The length of the valid UTF-8 character at s (1..4), or 0 when it is not valid. */
static size_t utf8_char(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else
        return 0;
    if (len < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

/* The length of the character at s when it is valid UTF-8 and visible: C1 controls
 * (U+0080..U+009F) and the byte-order mark U+FEFF count as not printable (0). */
static size_t printable_char(const unsigned char *s, size_t len)
{
    size_t n = utf8_char(s, len);
    if (n == 1 && (s[0] < 0x20 || s[0] == 0x7F))
        return 0;
    if (n == 2 && s[0] == 0xC2 && s[1] < 0xA0)
        return 0;
    if (n == 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        return 0;
    return n;
}

size_t mb_utf8_valid_prefix(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_char(u + i, len - i);
        if (n == 0)
            break;
        i += n;
    }
    return i;
}

void mb_json_write_string(FILE *f, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s);
    fputc('"', f);
    for (size_t i = 0; i < len;) {
        unsigned char c = u[i];
        size_t n = utf8_char(u + i, len - i);
        if (n == 0) {
            fprintf(f, "\\\\x%02X", c);
            i++;
            continue;
        }
        if (n > 1)
            fwrite(u + i, 1, n, f);
        else if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c == '\n')
            fputs("\\n", f);
        else if (c < 0x20 || c == 0x7F)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
        i += n;
    }
    fputc('"', f);
}

const char *mb_text_quote(char *dst, size_t cap, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        char piece[8];
        size_t n = printable_char(u + i, len - i), w;
        if (n > 1) {
            memcpy(piece, u + i, n);
            w = n;
        } else if (n == 1 && u[i] != '\\') {
            piece[0] = (char)u[i];
            w = 1;
        } else if (n == 1 && u[i] == '\\') {
            memcpy(piece, "\\\\", 2);
            w = 2;
        } else {
            snprintf(piece, sizeof piece, "\\x%02X", u[i]);
            w = 4;
            n = 1;
        }
        /* keep room for "..." and the NUL unless this is the last piece */
        size_t room = i + n == len ? cap - 1 : cap - 4;
        if (o + w > room) {
            memcpy(dst + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(dst + o, piece, w);
        o += w;
        i += n;
    }
    dst[o] = '\0';
    return dst;
}

void mb_text_write(FILE *f, const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        size_t n = printable_char(u + i, len - i);
        if (n > 1)
            fwrite(u + i, 1, n, f);
        else if (n == 1)
            fputc(u[i], f);
        else {
            fprintf(f, "\\x%02X", u[i]);
            n = 1;
        }
        i += n;
    }
}

struct mb_json_key_slot {
    uint64_t hash;
    uint64_t object;
    char *key; /* NULL: empty slot */
    size_t len;
};

static uint64_t fnv1a(uint64_t object, const char *s, size_t len)
{
    uint64_t h = 1469598103934665603u ^ object;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211u;
    return h;
}

int mb_json_keyset_add(mb_json_keyset *set, uint64_t object, const char *s, size_t len)
{
    if (2 * (set->n + 1) > set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 64;
        struct mb_json_key_slot *t = mb_calloc(cap, sizeof *t);
        if (t == NULL)
            return -1;
        for (size_t i = 0; i < set->cap; i++) {
            if (set->slots[i].key == NULL)
                continue;
            size_t j = set->slots[i].hash & (cap - 1);
            while (t[j].key != NULL)
                j = (j + 1) & (cap - 1);
            t[j] = set->slots[i];
        }
        mb_free(set->slots);
        set->slots = t;
        set->cap = cap;
    }
    uint64_t h = fnv1a(object, s, len);
    size_t j = h & (set->cap - 1);
    for (; set->slots[j].key != NULL; j = (j + 1) & (set->cap - 1))
        if (set->slots[j].hash == h && set->slots[j].object == object &&
            set->slots[j].len == len && memcmp(set->slots[j].key, s, len) == 0)
            return 0;
    char *copy = mb_malloc(len + 1); /* not mb_strndup: a key may hold \u0000 */
    if (copy == NULL)
        return -1;
    memcpy(copy, s, len);
    copy[len] = '\0';
    set->slots[j] = (struct mb_json_key_slot){h, object, copy, len};
    set->n++;
    return 1;
}

void mb_json_keyset_fini(mb_json_keyset *set)
{
    for (size_t i = 0; i < set->cap; i++)
        mb_free(set->slots[i].key);
    mb_free(set->slots);
    set->slots = NULL;
    set->cap = set->n = 0;
}
