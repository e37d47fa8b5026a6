/* arena.c: the checkpoint arena (arena.h). */
#include "exec/arena.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"

int mb_arena_init(mb_arena *a, int64_t limit, int64_t max_keys)
{
    memset(a, 0, sizeof *a);
    if (limit < 0 || max_keys < 1)
        return MB_ERROR(MB_EINTERNAL, "arena: limit %lld, keys %lld", (long long)limit,
                        (long long)max_keys);
    a->limit = limit;
    a->max_keys = max_keys;
    /* One byte more than the limit so that a zero limit still has a valid base. */
    a->base = mb_malloc((size_t)limit + 1);
    a->blocks = mb_malloc((size_t)max_keys * sizeof *a->blocks);
    a->key_off = mb_malloc((size_t)max_keys * sizeof *a->key_off);
    if (a->base == NULL || a->blocks == NULL || a->key_off == NULL) {
        mb_arena_release(a);
        return MB_ERROR(MB_ENOMEM, "out of memory allocating a checkpoint arena of %lld bytes",
                        (long long)limit);
    }
    /* Not memset: GCC folds malloc + memset(0) into calloc, which maps fresh pages without
     * touching them, and every run then paid the arena's page faults inside its timed copies
     * (docs/design.md, "The executor", the arena). */
    mb_mem_touch(a->base, (size_t)limit + 1);
    for (int64_t k = 0; k < max_keys; k++)
        a->key_off[k] = -1;
    return MB_OK;
}

void mb_arena_reset(mb_arena *a)
{
    for (size_t i = 0; i < a->n; i++)
        a->key_off[a->blocks[i].key] = -1;
    a->n = 0;
    a->used = a->peak = 0;
    a->compactions = a->compacted_bytes = 0;
}

static size_t page_size(void)
{
    long ps = sysconf(_SC_PAGESIZE);
    return ps > 0 ? (size_t)ps : 4096;
}

void mb_mem_touch(void *p, size_t n)
{
    if (p == NULL || n == 0)
        return;
    volatile unsigned char *b = p;
    const size_t ps = page_size();
    /* The first byte of each page the range spans, then its last byte. */
    size_t first = ps - (size_t)((uintptr_t)p % ps);
    b[0] = 0;
    for (size_t i = first; i < n; i += ps)
        b[i] = 0;
    b[n - 1] = 0;
}

int mb_mem_resident(const void *p, size_t n, int64_t *pages, int64_t *resident)
{
    *pages = *resident = 0;
    if (p == NULL || n == 0)
        return MB_OK;
    const size_t ps = page_size();
    uintptr_t lo = (uintptr_t)p / ps * ps, hi = ((uintptr_t)p + n + ps - 1) / ps * ps;
    unsigned char vec[4096];
    for (uintptr_t at = lo; at < hi;) {
        size_t np = (hi - at) / ps < sizeof vec ? (hi - at) / ps : sizeof vec;
        if (mincore((void *)at, np * ps, vec) != 0)
            return MB_ERROR(MB_EIO, "mincore: %s", strerror(errno));
        for (size_t i = 0; i < np; i++)
            *resident += vec[i] & 1;
        *pages += (int64_t)np;
        at += np * ps;
    }
    return MB_OK;
}

void mb_arena_release(mb_arena *a)
{
    mb_free(a->base);
    mb_free(a->blocks);
    mb_free(a->key_off);
    memset(a, 0, sizeof *a);
}

/* Slides every live block down to the lowest offsets, in order. */
static void compact(mb_arena *a)
{
    int64_t top = 0;
    for (size_t i = 0; i < a->n; i++) {
        mb_arena_block *b = &a->blocks[i];
        if (b->off != top) {
            memmove(a->base + top, a->base + b->off, (size_t)b->size);
            a->compacted_bytes += b->size;
            b->off = top;
            a->key_off[b->key] = top;
        }
        top += b->size;
    }
    a->compactions++;
}

static void insert_at(mb_arena *a, size_t i, int64_t off, int64_t size, int64_t key)
{
    memmove(&a->blocks[i + 1], &a->blocks[i], (a->n - i) * sizeof *a->blocks);
    a->blocks[i] = (mb_arena_block){off, size, key};
    a->n++;
    a->key_off[key] = off;
    a->used += size;
    if (a->used > a->peak)
        a->peak = a->used;
}

int mb_arena_alloc(mb_arena *a, int64_t size, int64_t key, int64_t *off)
{
    if (key < 0 || key >= a->max_keys || a->key_off[key] >= 0 || size < 0)
        return MB_ERROR(MB_EINTERNAL, "arena: bad request for key %lld (%lld bytes)",
                        (long long)key, (long long)size);
    if (size > a->limit - a->used)
        return MB_ERROR(MB_EINTERNAL,
                        "checkpoint arena overflow: a request of %lld bytes for step %lld with "
                        "%lld of %lld bytes in use (a plan passed its budget unnoticed)",
                        (long long)size, (long long)key, (long long)a->used,
                        (long long)a->limit);
    /* The top first (plans mostly store and free like a stack), then the first gap. */
    int64_t end = a->n ? a->blocks[a->n - 1].off + a->blocks[a->n - 1].size : 0;
    if (a->limit - end >= size) {
        insert_at(a, a->n, end, size, key);
        *off = end;
        return MB_OK;
    }
    int64_t prev = 0;
    for (size_t i = 0; i < a->n; i++) {
        if (a->blocks[i].off - prev >= size) {
            insert_at(a, i, prev, size, key);
            *off = prev;
            return MB_OK;
        }
        prev = a->blocks[i].off + a->blocks[i].size;
    }
    compact(a);
    end = a->used;
    insert_at(a, a->n, end, size, key);
    *off = end;
    return MB_OK;
}

int mb_arena_free(mb_arena *a, int64_t key)
{
    if (key < 0 || key >= a->max_keys || a->key_off[key] < 0)
        return MB_ERROR(MB_EINTERNAL, "arena: no block for step %lld", (long long)key);
    int64_t off = a->key_off[key];
    size_t lo = 0, hi = a->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->blocks[mid].off < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= a->n || a->blocks[lo].key != key)
        return MB_ERROR(MB_EINTERNAL, "arena: block map of step %lld is inconsistent",
                        (long long)key);
    a->used -= a->blocks[lo].size;
    memmove(&a->blocks[lo], &a->blocks[lo + 1], (a->n - lo - 1) * sizeof *a->blocks);
    a->n--;
    a->key_off[key] = -1;
    return MB_OK;
}

int64_t mb_arena_find(const mb_arena *a, int64_t key)
{
    return key >= 0 && key < a->max_keys ? a->key_off[key] : -1;
}
