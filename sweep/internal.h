/* internal.h: what the files of sweep/ share and nothing outside sweep/ may use: the sidecar
 * (sidecar.c), the checks of a row against its point (identity.c), and the progress display
 * (progress.c). docs/design.md, "Sweeps, records and figures". */
#ifndef MB_SWEEP_INTERNAL_H
#define MB_SWEEP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sweep/sweep.h"

/* The build and machine a range of rows came from (the sidecar's "provenance"). */
typedef struct {
    int64_t rows_from, rows_to; /* rows [from, to) of the CSV, 0-based; the last range of a
                                 * sweep in progress ends at its last point */
    char version[32];           /* membptt's */
    char commit[64];            /* git describe at configure time */
    char dp[16];                /* the DP method the config resolved to: fast, textbook */
    char machine[320];          /* measured configs: "CPU; BLAS core; N threads"; else "" */
} mb_sweep_build;

#define MB_SWEEP_MAX_PROVENANCE 64

/* What a sidecar (NAME.json) says, read back with yajl's tree parser. */
typedef struct {
    char fingerprint[17];
    int64_t points, rows;
    int complete;
    int shard_index, shard_count;
    char config[1024]; /* the config's path as the sweep was given it */
    char *config_text; /* the config's text (owned; free with mb_sweep_sidecar_fini) */
    mb_sweep_build provenance[MB_SWEEP_MAX_PROVENANCE];
    size_t n_provenance;
} mb_sweep_sidecar;

/* What a sidecar is written from. */
typedef struct {
    const mb_sweep_config *config;
    const char *fingerprint;
    const char *csv;       /* the CSV it describes */
    int64_t points, rows;
    int complete;
    int shard_index, shard_count, ranks;
    const mb_sweep_build *provenance;
    size_t n_provenance;
} mb_sweep_sidecar_info;

/* Writes the sidecar at `path` (whole or not at all) with yajl's generator: the format tag,
 * the fields of `info`, the run metadata of this machine (measure/), the cost model, the
 * counters and the config text. */
int mb_sweep_sidecar_write(const char *path, const mb_sweep_sidecar_info *info);

/* Reads the sidecar at `path`. MB_EPARSE naming the path and what is wrong when it is not
 * valid JSON or lacks a field of the format ("corrupt"), MB_EINVAL when it cannot be read. */
int mb_sweep_sidecar_read(const char *path, mb_sweep_sidecar *out /* out */);
void mb_sweep_sidecar_fini(mb_sweep_sidecar *s);

/* The build and (for a config with measured sections) the machine this process is. */
int mb_sweep_build_current(const mb_sweep_config *c, mb_sweep_build *out /* out */);

/* "" when a and b are the same build, else what differs ("commit abc vs def"). */
void mb_sweep_build_diff(const mb_sweep_build *a, const mb_sweep_build *b, char *buf, size_t cap);

/* The sidecar path of a CSV path: "DIR/NAME.csv" -> "DIR/NAME.json"; MB_EINVAL when the path
 * does not end in .csv. `timing` (may be NULL) gets "DIR/NAME.timing.csv". */
int mb_sweep_paths_of(const char *csv, char *sidecar, size_t cap, char *timing, size_t tcap);

/* The CSV header line of the config (with its newline) into a new string. */
int mb_sweep_header(const mb_sweep_config *c, char **out /* out, malloc */);

/* Checks one complete CSV row (without its newline) of `csv`, line number `line`, against
 * point `index` of the config: field count, well-formed fields and the point's identifying
 * columns. MB_EPARSE naming the file, the line and what is wrong. */
int mb_sweep_row_check(const mb_sweep_config *c, const char *csv, size_t line, const char *row,
                       size_t len, size_t index);


/* Refuses an output path that exists and is not a regular file (a FIFO, a device, a folder):
 * MB_EINVAL naming `what` and the path. */
int mb_sweep_regular_or_absent(const char *path, const char *what);

/* The timing file: its header, and the line of point i (no newline; secs NAN, not known, is
 * an empty field) into buf. */
extern const char mb_sweep_timing_header[];
int mb_sweep_timing_line(const mb_sweep_config *c, size_t i, double secs, char *buf, size_t cap);

/* Rewrites the timing file at `path` for a run that keeps order[0 .. done): its header, then
 * one line per kept point (the last one the old file has for it, or an empty time when it has
 * none, as after a kill between a row and its time), whole or not at all. */
int mb_sweep_timing_restart(const mb_sweep_config *c, const char *path, const size_t *order,
                            size_t done);

/* Progress: a bar with rate and ETA on a terminal, a plain line every few seconds (and at the
 * end) otherwise. The ETA weights the points left by their preflight estimates, kind by kind
 * (analytic, measured), each kind's estimates scaled by the ratio of measured to estimated time
 * of the points of that kind done so far (the estimates as they are until one is done: the
 * kinds' errors are not alike, so one kind's ratio says nothing of the other's). */
typedef struct {
    FILE *f;
    int tty;
    size_t total, done, base, shown;
    double start, last, last_point, every;
    const double *est;          /* per point of this run, seconds */
    const unsigned char *kind;  /* per point: 0 analytic, 1 measured */
    double left[2], pred[2], spent[2];
} mb_sweep_progress;

/* Counts point k (of this run's order) as done now: its estimate leaves what is left and its
 * time joins its kind's measured time. */
void mb_sweep_progress_point(mb_sweep_progress *pg, size_t k);

/* Shows the progress (at most every 0.1 s on a terminal, every pg->every seconds otherwise;
 * always when `final`, once). */
void mb_sweep_progress_show(mb_sweep_progress *pg, int final);

/* The cost model of point pt: [cost]'s, or the store-costs file's scaled to the point's unit
 * (MB_EINVAL naming the key when the point has no byte sizes). */
int mb_sweep_point_cost(const mb_sweep_config *c, const mb_sweep_point *pt,
                        mb_cost_model *m /* out */);

/* Builds c->columns (point.c). */
int mb_sweep_build_columns(mb_sweep_config *c);

/* Checks the [model] network for `steps` steps with the executor's own check; its messages
 * name the config's FILE:LINE and key (mb_sweep_model_error), not the command's options. */
int mb_sweep_model_check(const mb_sweep_config *c, int64_t steps);

/* Re-raises the last error (status rc) with the config place of the [model] key it is about. */
int mb_sweep_model_error(const mb_sweep_config *c, int rc);

/* Checks the [counters] names (mb_counters_open_key with the key's FILE:LINE). */
int mb_sweep_counters_check(const mb_sweep_config *c);

/* Whether point i belongs to shard `index` of `count` (count <= 1: every point does). */
int mb_sweep_shard_owns(int index, int count, size_t i);

#endif
