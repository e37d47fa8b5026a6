/* rows.c: reading a table's cells and growing arrays for the analysis (analysis/internal.h). */
#include "analysis/internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

int mb_an_col(const mb_csv *t, const char *name, int *col)
{
    *col = mb_csv_col(t, name);
    if (*col < 0)
        return MB_ERROR(MB_EINVAL, "the table has no column '%s' (docs/columns.md lists the "
                        "columns of each output)", name);
    return MB_OK;
}

int mb_an_is(const mb_csv *t, size_t r, int col, const char *value)
{
    return col >= 0 && r < t->n_rows && strcmp(t->rows[r][col], value) == 0;
}

const mb_solver_type *mb_an_solver(const mb_csv *t, size_t r, int col)
{
    return col >= 0 && r < t->n_rows ? mb_solver_lookup(t->rows[r][col]) : NULL;
}

int mb_an_grow(void **items, size_t size, size_t n, size_t *cap)
{
    if (n < *cap)
        return MB_OK;
    size_t room = *cap ? 2 * *cap : 8;
    if (room > SIZE_MAX / size)
        return MB_ERROR(MB_ENOMEM, "out of memory (%zu items of %zu bytes)", room, size);
    void *p = mb_realloc(*items, room * size);
    if (p == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory (%zu items of %zu bytes)", room, size);
    *items = p;
    *cap = room;
    return MB_OK;
}

int mb_an_distinct(double **values, size_t *n, size_t *cap, double v)
{
    for (size_t k = 0; k < *n; k++)
        if ((*values)[k] == v)
            return MB_OK;
    int rc = mb_an_grow((void **)values, sizeof **values, *n, cap);
    if (rc == MB_OK)
        (*values)[(*n)++] = v;
    return rc;
}
