/* csv.c: reading membptt's own CSV files back: the line splitter (RFC 4180 quotes, no embedded
 * newlines) that resume and merge check rows with, and the whole-table reader of fits, merge
 * and reproduce. */
#include "core/csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"

void mb_csv_fields_free(char **f, size_t n)
{
    for (size_t j = 0; j < n; j++)
        mb_free(f[j]);
    mb_free(f);
}

int mb_csv_split(const char *line, size_t len, char ***out, size_t *n)
{
    char **f = NULL;
    size_t cnt = 0, cap = 0, i = 0;
    int rc = MB_OK;
    *out = NULL;
    *n = 0;
    for (;;) {
        char *cell = mb_malloc(len + 1);
        size_t k = 0;
        if (cell == NULL) {
            rc = MB_ERROR(MB_ENOMEM, "out of memory");
            break;
        }
        if (i < len && line[i] == '"') {
            int closed = 0;
            i++;
            while (i < len) {
                if (line[i] == '"' && i + 1 < len && line[i + 1] == '"') {
                    cell[k++] = '"';
                    i += 2;
                } else if (line[i] == '"') {
                    i++;
                    closed = 1;
                    break;
                } else {
                    cell[k++] = line[i++];
                }
            }
            if (!closed || (i < len && line[i] != ',')) {
                mb_free(cell);
                rc = MB_ERROR(MB_EPARSE, "field %zu: a quoted field %s", cnt + 1,
                              closed ? "is followed by text before the comma" : "is not closed");
                break;
            }
        }
        while (i < len && line[i] != ',')
            cell[k++] = line[i++];
        cell[k] = '\0';
        if (cnt == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            char **nf = mb_realloc(f, ncap * sizeof *nf);
            if (nf == NULL) {
                mb_free(cell);
                rc = MB_ERROR(MB_ENOMEM, "out of memory");
                break;
            }
            f = nf;
            cap = ncap;
        }
        f[cnt++] = cell;
        if (i >= len)
            break;
        i++; /* the comma; after a last comma comes one more, empty field */
    }
    if (rc != MB_OK) {
        mb_csv_fields_free(f, cnt);
        return rc;
    }
    *out = f;
    *n = cnt;
    return MB_OK;
}

int mb_csv_load(const char *path, mb_csv **out)
{
    char *text;
    size_t len;
    *out = NULL;
    int rc = mb_read_file(path, &text, &len);
    if (rc != MB_OK)
        return rc;
    mb_csv *t = mb_calloc(1, sizeof *t);
    if (t == NULL) {
        mb_free(text);
        return MB_ERROR(MB_ENOMEM, "out of memory");
    }
    const char *p = text;
    int have_header = 0;
    size_t cap = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        if (l > 0 && p[l - 1] == '\r')
            l--;
        if (l > 0 && p[0] != '#') {
            char **f = NULL;
            size_t n = 0;
            if ((rc = mb_csv_split(p, l, &f, &n)) != MB_OK) {
                rc = MB_ERROR(rc, "%s: row %zu: %s", path, t->n_rows + 1, mb_errmsg());
                break;
            }
            if (!have_header) {
                t->names = f;
                t->n_cols = n;
                have_header = 1;
            } else {
                if (n != t->n_cols) {
                    mb_csv_fields_free(f, n);
                    rc = MB_ERROR(MB_EPARSE, "%s: row %zu has %zu fields, the header %zu", path,
                                  t->n_rows + 1, n, t->n_cols);
                    break;
                }
                if (nl == NULL) {
                    mb_csv_fields_free(f, n);
                    rc = MB_ERROR(MB_EPARSE, "%s: row %zu is torn (the file ends inside it, "
                                  "with no newline)", path, t->n_rows + 1);
                    break;
                }
                if (t->n_rows == cap) {
                    size_t ncap = cap ? 2 * cap : 64;
                    char ***nr = mb_realloc(t->rows, ncap * sizeof *nr);
                    if (nr == NULL) {
                        mb_csv_fields_free(f, n);
                        rc = MB_ERROR(MB_ENOMEM, "out of memory");
                        break;
                    }
                    t->rows = nr;
                    cap = ncap;
                }
                t->rows[t->n_rows++] = f;
            }
        }
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    mb_free(text);
    if (rc == MB_OK && !have_header)
        rc = MB_ERROR(MB_EPARSE, "%s: empty CSV (no header)", path);
    if (rc != MB_OK) {
        mb_csv_free(t);
        return rc;
    }
    *out = t;
    return MB_OK;
}

void mb_csv_free(mb_csv *t)
{
    if (t == NULL)
        return;
    for (size_t j = 0; j < t->n_cols; j++)
        mb_free(t->names[j]);
    mb_free(t->names);
    for (size_t i = 0; i < t->n_rows; i++) {
        for (size_t j = 0; j < t->n_cols; j++)
            mb_free(t->rows[i][j]);
        mb_free(t->rows[i]);
    }
    mb_free(t->rows);
    mb_free(t);
}

int mb_csv_col(const mb_csv *t, const char *name)
{
    for (size_t j = 0; j < t->n_cols; j++)
        if (strcmp(t->names[j], name) == 0)
            return (int)j;
    return -1;
}

double mb_csv_num(const mb_csv *t, size_t row, int col)
{
    if (col < 0 || row >= t->n_rows)
        return NAN;
    const char *s = t->rows[row][col];
    char *end;
    if (*s == '\0')
        return NAN;
    double v = strtod(s, &end);
    return *end == '\0' ? v : NAN;
}

