/* arena.h: the checkpoint store's memory: one block of `limit` bytes, allocated once, from
 * which every checkpoint is carved (docs/design.md, "The executor"). The limit is hard: a
 * request that would bring the bytes in use past it is MB_EINTERNAL (a solver or executor bug:
 * the plan IR already proved the plan within budget). Checkpoints are contiguous blocks; when
 * the free bytes suffice but no gap is large enough, the arena slides its blocks together
 * (counted, so a report shows it) and the callers' offsets follow. */
#ifndef MB_EXEC_ARENA_H
#define MB_EXEC_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int64_t off, size, key; /* key: the step the block holds */
} mb_arena_block;

typedef struct {
    unsigned char *base;
    int64_t limit;       /* bytes */
    int64_t used;        /* bytes in live blocks */
    int64_t peak;        /* largest `used` */
    int64_t compactions, compacted_bytes;
    mb_arena_block *blocks; /* live blocks sorted by offset */
    size_t n;
    int64_t *key_off;       /* [max_keys]: the offset of key's block, or -1 */
    int64_t max_keys;
} mb_arena;

/* Allocates the arena's memory (limit bytes) for blocks keyed 0..max_keys-1 and writes every
 * page of it (mb_mem_touch), so its page faults happen here, once per arena, and never inside
 * a timed run. MB_ENOMEM when it cannot. */
int mb_arena_init(mb_arena *a, int64_t limit, int64_t max_keys);
void mb_arena_release(mb_arena *a);

/* Empties the arena for another run (no live block, peak and compaction counts zero), keeping
 * its memory and so its touched pages: an arena is allocated once and reused across runs
 * (docs/design.md, "The executor", the arena). */
void mb_arena_reset(mb_arena *a);

/* Writes one byte of every page of [p, p + n) through a volatile pointer: a write the compiler
 * must perform, unlike a memset(0) after malloc, which it may fold into calloc (which touches
 * nothing). Afterwards every page of the range is mapped. */
void mb_mem_touch(void *p, size_t n);

/* Counts the pages spanned by [p, p + n) (*pages) and those of them resident in memory now
 * (*resident), from mincore(2). MB_EIO when the kernel cannot say. */
int mb_mem_resident(const void *p, size_t n, int64_t *pages /* out */,
                    int64_t *resident /* out */);

/* Carves `size` bytes for `key`; *off gets the block's offset from a->base. MB_EINTERNAL
 * naming the request, the bytes in use and the limit when it does not fit. */
int mb_arena_alloc(mb_arena *a, int64_t size, int64_t key, int64_t *off /* out */);

/* Frees the block of `key`. MB_EINTERNAL when there is none. */
int mb_arena_free(mb_arena *a, int64_t key);

/* The offset of `key`'s block, or -1. */
int64_t mb_arena_find(const mb_arena *a, int64_t key);

#endif
