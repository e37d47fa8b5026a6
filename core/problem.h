/* problem.h: the problem a solver answers (steps, state sizes in units, budget) and the
 * parsers that turn command-line or config text into it without rounding or clamping. */
#ifndef MB_CORE_PROBLEM_H
#define MB_CORE_PROBLEM_H

#include <stdint.h>

#include "core/report.h"

/* The largest sequence length any solver accepts: steps are stored as int32 in plans. */
#define MB_MAX_STEPS INT64_C(2147483647)

/* A problem. Sizes are integers in units (docs/design.md, "Memory convention"): a hidden state is
 * `hidden_units` (a_h), an internal state `internal_units` (a_s >= a_h; it contains the
 * hidden state). With --alpha A, a_h = 1, a_s = A and unit_bytes = 0 (no byte size known);
 * with byte sizes the unit is their gcd and unit_bytes says how many bytes it is. The budget
 * counts h_0 and excludes the core workspace. */
typedef struct {
    int64_t steps;          /* t >= 1 */
    int64_t hidden_units;   /* a_h >= 1 */
    int64_t internal_units; /* a_s >= a_h */
    int64_t unit_bytes;     /* bytes per unit, or 0 with --alpha sizes */
    int64_t budget;         /* units, >= 0 */
    int64_t slow_budget;    /* level-1 (slow store) units: 0 = no slow level, or
                               MB_SLOW_UNLIMITED (docs/design.md, "Two storage levels") */
} mb_problem;

/* A slow store without a size limit. */
#define MB_SLOW_UNLIMITED INT64_MAX

/* One value of a problem as text, and the name of the key it came from, which every message
 * about it names: "--steps" on the command line, "configs/paper.ini:12: steps" in a config.
 * A NULL value means the key was not given. */
typedef struct {
    const char *key;
    const char *value;
} mb_keyval;

/* A problem as text: the options of a command or the keys of a config section. Config lines
 * and command-line options go through the same code and get the same checks. */
typedef struct {
    mb_keyval steps;          /* required: an integer in [1, MB_MAX_STEPS] */
    mb_keyval alpha;          /* sizes in hidden-state units: a_h = 1, a_s = alpha ... */
    mb_keyval hidden_bytes;   /* ... or byte sizes, both of them (not both forms) */
    mb_keyval internal_bytes;
    mb_keyval budget;         /* required: units, bytes or a percentage (mb_parse_budget) */
    mb_keyval slow_budget;    /* optional: as budget, or "unlimited"; absent or 0 = none */
} mb_problem_spec;

/* Builds and checks a problem from its text. MB_EINVAL or MB_ERANGE with a message that names
 * the key, the value and what is allowed; *out is set only on success. */
int mb_problem_from_spec(const mb_problem_spec *spec, mb_problem *out /* out */);

/* Sets a_h = 1, a_s = alpha, unit_bytes = 0. MB_EINVAL unless alpha >= 1. */
int mb_problem_set_alpha(mb_problem *p, int64_t alpha);

/* Sets the sizes from bytes: unit = gcd(hidden, internal), a_h = hidden/unit, a_s =
 * internal/unit. MB_EINVAL unless 1 <= hidden_bytes <= internal_bytes. */
int mb_problem_set_bytes(mb_problem *p, int64_t hidden_bytes, int64_t internal_bytes);

/* The memory of full BPTT in units, a_h + a_s*(t-1), into *out. MB_ERANGE on overflow. */
int mb_problem_full_units(const mb_problem *p, int64_t *out);

/* Appends the columns that identify a problem's sizes: steps, hidden_units, internal_units,
 * unit_bytes (empty with --alpha sizes). The budget belongs to the answer's columns
 * (mb_solution_record), beside what was solved within it. */
void mb_problem_record(mb_record *r, const mb_problem *p);

/* Checks a whole problem: steps in [1, MB_MAX_STEPS], 1 <= a_h <= a_s, budget >= 0,
 * slow_budget >= 0, and
 * that the full-BPTT memory is representable. The message names the offending field. */
int mb_problem_check(const mb_problem *p);

/* Parses a decimal integer in [min, max] for option or key `key`. The message names the key,
 * the text and the allowed range. */
int mb_parse_int(const char *key, const char *text, int64_t min, int64_t max,
                 int64_t *out /* out */);

/* Parses a non-negative decimal number of units. */
int mb_parse_double(const char *key, const char *text, double min, double *out /* out */);

/* Parses a byte size: an integer with an optional suffix B, KB, MB, GB, TB (powers of 1000)
 * or KiB, MiB, GiB, TiB (powers of 1024), case-insensitive ("64KiB", "3MB", "1GiB"). */
int mb_parse_bytes(const char *key, const char *text, int64_t *out /* out */);

/* Parses a budget against a problem whose sizes are set, into units:
 *   "249"   units;
 *   "64KiB" bytes (needs byte sizes): floor(bytes / unit_bytes), exact since every
 *           checkpoint is a whole number of units;
 *   "5%"    that percentage of full-BPTT memory, rounded down (decimals allowed: "2.5%").
 * Errors name the key, the text and the three accepted forms. */
int mb_parse_budget(const char *key, const char *text, const mb_problem *p,
                    int64_t *units /* out */);

/* Parses the slow store's budget: the forms of mb_parse_budget, or "unlimited"
 * (MB_SLOW_UNLIMITED). */
int mb_parse_slow_budget(const char *key, const char *text, const mb_problem *p,
                         int64_t *units /* out */);

#endif
