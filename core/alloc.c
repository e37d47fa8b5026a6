/* alloc.c: the allocator hook behind mb_malloc and its siblings (core/alloc.h). */
#include "core/alloc.h"

#include "core/error.h"

#include <stdlib.h>
#include <string.h>

/* Process-wide state (as is PAPI's initialisation in measure/counters.c): the allocator,
 * replaced only by mb_replace_allocator before any other call (core/alloc.h says when). */
static struct {
    mb_malloc_func malloc_func;
    mb_realloc_func realloc_func;
    mb_calloc_func calloc_func;
    mb_free_func free_func;
} allocator = {malloc, realloc, calloc, free};

int mb_replace_allocator(mb_malloc_func malloc_func, mb_realloc_func realloc_func,
                         mb_calloc_func calloc_func, mb_free_func free_func)
{
    if (malloc_func == NULL || realloc_func == NULL || calloc_func == NULL || free_func == NULL)
        return MB_ERROR(MB_EINVAL, "mb_replace_allocator: all four functions must be given");
    allocator.malloc_func = malloc_func;
    allocator.realloc_func = realloc_func;
    allocator.calloc_func = calloc_func;
    allocator.free_func = free_func;
    return MB_OK;
}

void *mb_malloc(size_t size) { return allocator.malloc_func(size); }

void *mb_realloc(void *ptr, size_t size) { return allocator.realloc_func(ptr, size); }

void *mb_calloc(size_t count, size_t size) { return allocator.calloc_func(count, size); }

void mb_free(void *ptr)
{
    if (ptr != NULL)
        allocator.free_func(ptr);
}

char *mb_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *copy = mb_malloc(len + 1);
    if (copy == NULL)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *mb_strdup(const char *s) { return mb_strndup(s, strlen(s)); }
