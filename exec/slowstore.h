/* slowstore.h: the executor's slow store (docs/design.md, "The slow store"): level 1 of the
 * plan IR as one file in a directory the user names, created exclusively, written with pwrite
 * and read with pread at block-aligned offsets (optionally O_DIRECT, so the page cache does
 * not turn it into memory), with a hard byte limit like the arena's, and removed when closed. */
#ifndef MB_EXEC_SLOWSTORE_H
#define MB_EXEC_SLOWSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "exec/exec.h"

/* The file's block: offsets and, with O_DIRECT, transfer sizes are multiples of it. */
#define MB_SLOW_BLOCK 4096

/* How the file is opened. */
typedef enum {
    MB_SLOW_BUFFERED = 0, /* the page cache in between; each write is followed by
                             fdatasync and POSIX_FADV_DONTNEED so reads come from the device */
    MB_SLOW_DIRECT = 1,   /* O_DIRECT: refused where the file system does not support it */
} mb_slow_mode;

typedef struct {
    int fd;
    char path[4096];     /* the file, for messages and removal; "" when none */
    mb_slow_mode mode;
    int64_t limit;       /* bytes the live checkpoints may hold */
    int64_t used;        /* bytes of live checkpoints */
    int64_t slot;        /* bytes reserved per step: the largest state, block-aligned */
    int64_t *size;       /* [max_keys]: bytes of key's checkpoint, -1 when none */
    int64_t max_keys;
    unsigned char *bounce; /* block-aligned buffer of `slot` bytes for O_DIRECT */
    mb_slow_counts n;      /* what it did; write_s includes the sync */
} mb_slow_store;

/* Creates the store's file in `dir` (O_CREAT | O_EXCL, mode 0600, a unique name) for keys
 * 0..max_keys-1 of at most `max_bytes` each, with a limit of `limit` bytes of live
 * checkpoints. A missing directory, one that is not a directory or not writable, or a file
 * system without O_DIRECT in MB_SLOW_DIRECT mode is MB_EINVAL naming the directory and the
 * reason; no file is left behind on any error. */
int mb_slow_open(mb_slow_store *s, const char *dir, mb_slow_mode mode, int64_t limit,
                 int64_t max_keys, int64_t max_bytes);

/* Writes `bytes` bytes of `src` as key's checkpoint. Past the limit: MB_EINTERNAL (the plan
 * IR proved the plan within it). A failed write (ENOSPC, EFBIG, EIO, ...) is MB_EIO naming
 * the file and the reason. */
int mb_slow_write(mb_slow_store *s, int64_t key, const void *src, int64_t bytes);

/* Reads key's checkpoint (all of its bytes) into dst. MB_EINTERNAL when there is none, MB_EIO
 * on a failed or short read. */
int mb_slow_read(mb_slow_store *s, int64_t key, void *dst);

/* Forgets key's checkpoint (its bytes count no more against the limit). */
int mb_slow_free(mb_slow_store *s, int64_t key);

/* Closes and removes the file (safe on a zeroed or failed store). MB_EIO when the removal
 * fails for another reason than the file being gone already. */
int mb_slow_close(mb_slow_store *s);

#endif
