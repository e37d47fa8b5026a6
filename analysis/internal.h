/* internal.h: what the analysis files share: reading a table's cells and growing arrays. */
#ifndef MB_ANALYSIS_INTERNAL_H
#define MB_ANALYSIS_INTERNAL_H

#include <stddef.h>

#include "core/csv.h"
#include "solvers/solvers.h"

/* The column called `name`: MB_EINVAL naming it when the table has none. */
int mb_an_col(const mb_csv *t, const char *name, int *col /* out */);

/* 1 when column `col` of row r is `value` (0 when col < 0). */
int mb_an_is(const mb_csv *t, size_t r, int col, const char *value);

/* The solver table's entry of row r's solver (column `col`), or NULL when the registry does not
 * know it. */
const mb_solver_type *mb_an_solver(const mb_csv *t, size_t r, int col);

/* Makes room for one more element of size `size` in *items (holding *n, room for *cap),
 * doubling the room; MB_ENOMEM when it cannot. */
int mb_an_grow(void **items, size_t size, size_t n, size_t *cap);

/* Appends v to the set *values (*n, *cap) unless it is there. */
int mb_an_distinct(double **values, size_t *n, size_t *cap, double v);

#endif
