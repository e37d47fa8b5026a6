/* alloc.h: the allocator hook; every heap allocation of membptt goes through these functions. */
#ifndef MB_CORE_ALLOC_H
#define MB_CORE_ALLOC_H

#include <stddef.h>

/* The four functions of an allocator, with the C library's signatures and contracts. */
typedef void *(*mb_malloc_func)(size_t size);
typedef void *(*mb_realloc_func)(void *ptr, size_t size);
typedef void *(*mb_calloc_func)(size_t count, size_t size);
typedef void (*mb_free_func)(void *ptr);

/* Replaces the allocator that mb_malloc, mb_realloc, mb_calloc, mb_free, mb_strdup and
 * mb_strndup call (libuv's uv_replace_allocator). All four must be given: a NULL one
 * returns MB_EINVAL and changes nothing. The hook is process-wide: call it before any other
 * membptt function and before starting threads, never while memory from the previous
 * allocator is still live (it would be given back to the wrong one). Tests use it to fail
 * the k-th allocation (docs/design.md, "Allocation"). */
int mb_replace_allocator(mb_malloc_func malloc_func, mb_realloc_func realloc_func,
                         mb_calloc_func calloc_func, mb_free_func free_func);

/* malloc, realloc, calloc and free through the hook; mb_free(NULL) is a no-op. Memory from
 * these is given back with mb_free only; memory the C library allocates by itself (getline,
 * open_memstream, realpath) and that of third-party libraries is given back with their own
 * free. mb_realloc leaves the block unchanged on failure, as realloc does. */
void *mb_malloc(size_t size) __attribute__((malloc, alloc_size(1)));
void *mb_realloc(void *ptr, size_t size) __attribute__((alloc_size(2)));
void *mb_calloc(size_t count, size_t size) __attribute__((malloc, alloc_size(1, 2)));
void mb_free(void *ptr);

/* A copy of the string s (at most n bytes of it, for mb_strndup) in memory from mb_malloc,
 * or NULL when that fails. */
char *mb_strdup(const char *s) __attribute__((malloc));
char *mb_strndup(const char *s, size_t n) __attribute__((malloc));

#endif
