/* csv.h: reading membptt's own CSV files back, beside the writer (core/report.h): the line
 * splitter that sweep resume and merge check rows with, and the whole-table reader of the
 * fits, merge, reproduce and plot. */
#ifndef MB_CORE_CSV_H
#define MB_CORE_CSV_H

#include <stddef.h>

/* A whole CSV table: the header's names and every row's fields, as text. */
typedef struct {
    char **names;
    size_t n_cols;
    char ***rows; /* rows[i][j] */
    size_t n_rows;
} mb_csv;

/* Reads the table at `path`; every row must have the header's width. MB_EINVAL when the file
 * cannot be opened, MB_EPARSE naming the file and line of a malformed row, MB_ENOMEM. The
 * caller frees *out with mb_csv_free. */
int mb_csv_load(const char *path, mb_csv **out /* out */);
void mb_csv_free(mb_csv *t);

/* The column called `name`, or -1. */
int mb_csv_col(const mb_csv *t, const char *name);

/* The cell as a number; NAN when empty or not a number. */
double mb_csv_num(const mb_csv *t, size_t row, int col);

/* Splits one CSV line (RFC 4180 quotes, no embedded newlines) into fields. MB_EPARSE for a
 * quote that is not closed or is followed by something other than a comma. */
int mb_csv_split(const char *line, size_t len, char ***out /* out */, size_t *n /* out */);
void mb_csv_fields_free(char **f, size_t n);

#endif
