/* parser.h: what the three files that read a sweep config share, and nothing else includes:
 * config.c reads the INI file and hands each key to its section, values.c expands and checks a
 * key's values (lists, ranges, numbers), validate.c checks the keys against each other once the
 * file is read and fills the defaults. docs/design.md, "Sweeps, records and figures". */
#ifndef MB_SWEEP_PARSER_H
#define MB_SWEEP_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "sweep/internal.h"

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
} mb_sweep_parser;

/* Records the first error as an allocation failure at the current line: MB_ENOMEM, never
 * MB_EINVAL (the input may be fine). Returns 0. */
int mb_sweep_nomem(mb_sweep_parser *ps, const char *key);

/* The index of [cost] in the parser's `seen` table (config.c's section list). */
#define SEC_COST_INDEX 2

/* Records the first error: "FILE:LINE: key = 'value': what is wrong; what is allowed" (the
 * user's bytes quoted, so the message is clean text). Returns 0, so handlers can return it. */
int mb_sweep_fail(mb_sweep_parser *ps, const char *key, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* What a value of each key may be. */
typedef enum {
    MB_VALUE_INT,    /* a non-negative integer */
    MB_VALUE_BYTES,  /* a byte size (4096, 64KiB) */
    MB_VALUE_BUDGET, /* units, bytes with a suffix, a percentage or min(SOLVER) */
    MB_VALUE_SLOW,   /* a slow store's budget: units, bytes, a percentage or unlimited */
    MB_VALUE_NAME,   /* a word, kept as written */
} mb_sweep_value_kind;

/* The forms a list of values may take, for messages. */
extern const char mb_sweep_range_help[];

/* Expands one key's text (a value, a list, a range or a geometric range) into out, checking
 * each value against `kind`. 0 after recording the error. */
int mb_sweep_expand(mb_sweep_parser *ps, const char *key, const char *value,
                    mb_sweep_value_kind kind, mb_sweep_values *out /* out */);

/* 1 when `text` is one value of `kind` (no list, no range). */
int mb_sweep_value_ok(const char *text, mb_sweep_value_kind kind);

/* Frees a key's values and empties it. */
void mb_sweep_values_free(mb_sweep_values *v);

/* Records where v was written ("FILE:LINE: key"); returns 1. */
int mb_sweep_set_where(mb_sweep_parser *ps, mb_sweep_values *v, const char *key);

/* A list of solver names into the solver table's entries (each known, none twice). */
int mb_sweep_solver_list(mb_sweep_parser *ps, const char *key, const char *value,
                         mb_sweep_values *names, const mb_solver_type ***out /* out */,
                         size_t *n /* out */);

/* One integer in [min, max], one finite number >= min; 0 after recording the error. */
int mb_sweep_parse_int(mb_sweep_parser *ps, const char *key, const char *value, int64_t min,
                       int64_t max, int64_t *out /* out */);
int mb_sweep_parse_real(mb_sweep_parser *ps, const char *key, const char *value, double min,
                        double *out /* out */);

/* After the file is read: the keys checked against each other (sizes, budgets, the measured
 * network), the defaults filled, the point count bounded and the columns built. */
int mb_sweep_config_finish(mb_sweep_parser *ps);

#endif
