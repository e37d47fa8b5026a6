/* report.h: the one report writer: a record of named fields printed as an aligned text table,
 * one JSON object or a CSV header and row. Library code fills records; only the command line
 * prints them. */
#ifndef MB_CORE_REPORT_H
#define MB_CORE_REPORT_H

#include <stdint.h>
#include <stdio.h>

typedef enum { MB_FORMAT_TEXT = 0, MB_FORMAT_JSON = 1, MB_FORMAT_CSV = 2 } mb_format;

/* Parses "text", "json" or "csv" for option `key`. */
int mb_format_parse(const char *key, const char *text, mb_format *out /* out */);

enum { MB_FIELD_INT, MB_FIELD_DOUBLE, MB_FIELD_STRING, MB_FIELD_BOOL, MB_FIELD_EMPTY };

/* The longest column name a record holds (a counter's "component::EVENT:u.recompute"). */
#define MB_FIELD_KEY_MAX 160

typedef struct {
    char key[MB_FIELD_KEY_MAX]; /* a column name with its unit: "peak", "solve_seconds"; a
                                 * copy, so a key built in a local buffer may go away */
    int type;
    int64_t i;
    double d;
    size_t s; /* a string's offset in the record's text */
} mb_field;

/* Sized for the widest record a command produces: `run` with the documented maximum of 32
 * counter events (each counted per phase on both sides, 8 columns an event) beside its own,
 * the problem's, the solution's and the metadata's columns; and text for a list of 32 event
 * names of the longest length. */
#define MB_RECORD_MAX 512
#define MB_RECORD_TEXT 16384

/* An ordered record. Identifying columns first; new columns are appended, never renamed.
 * A field added past MB_RECORD_MAX, whose key is longer than MB_FIELD_KEY_MAX - 1, or whose
 * string value does not fit in what is left of MB_RECORD_TEXT, is not stored: the record remembers the first key that did not fit, and printing it is an error
 * (MB_ERANGE), so a column is never silently lost or renamed. Each module fills the columns
 * of what it produces (mb_problem_record, mb_solution_record, mb_sim_record, mb_exec_record,
 * mb_meta_record); callers never list columns by hand. */
typedef struct {
    mb_field fields[MB_RECORD_MAX];
    int n;
    char strings[MB_RECORD_TEXT]; /* the string values, each ending in a NUL */
    size_t strings_used;
    char overflow[MB_FIELD_KEY_MAX]; /* the first key that did not fit, or "" */
} mb_record;

/* The spread of repeated measurements (measure/'s mb_spread_of): the smallest, the median
 * (the mean of the middle two when n is even) and the largest. */
typedef struct {
    double min, median, max;
} mb_spread;

/* An interval [low, high] that holds a median with probability `coverage`
 * (measure/'s mb_median_interval). */
typedef struct {
    double low, high, coverage;
} mb_interval;

void mb_record_int(mb_record *r, const char *key, int64_t v);
void mb_record_double(mb_record *r, const char *key, double v);
void mb_record_string(mb_record *r, const char *key, const char *v);
void mb_record_bool(mb_record *r, const char *key, int v);
/* A value that is not known: "" in CSV, null in JSON, "-" in text. Never a zero. */
void mb_record_empty(mb_record *r, const char *key);

/* Appends a spread as three columns: NAME (the median), NAME_min and NAME_max, each followed
 * by `unit` ("_s" gives time_s, time_min_s, time_max_s; "" gives time_ratio, ...); s NULL
 * appends three empty columns. */
void mb_record_spread(mb_record *r, const char *name, const char *unit, const mb_spread *s);

/* MB_OK, or MB_ERANGE naming the first key that exceeded MB_RECORD_MAX fields. */
int mb_record_check(const mb_record *r);

/* Prints the record. CSV prints the header row only when `header` is set. Prints nothing and
 * returns MB_ERANGE when the record overflowed (mb_record_check). */
int mb_record_print(FILE *f, const mb_record *r, mb_format format, int header);

/* Prints the record's fields as the members of a JSON object, `"key": value, ...`, without the
 * braces, so a caller can put them inside a larger object. MB_ERANGE as mb_record_print. */
int mb_record_print_json_members(FILE *f, const mb_record *r);

/* Prints only the CSV header row (the keys, comma-separated, then a newline). MB_ERANGE as
 * mb_record_print. */
int mb_record_print_header(FILE *f, const mb_record *r);

#endif
