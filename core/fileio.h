/* fileio.h: whole-file reads and all-or-nothing writes (temporary name, then rename). */
#ifndef MB_CORE_FILEIO_H
#define MB_CORE_FILEIO_H

#include <stddef.h>
#include <stdio.h>

/* An output file being written under a temporary name beside its final path. */
typedef struct {
    FILE *f;
    char path[4096];
    char tmp[4096];
} mb_atomic_file;

/* Opens `path`.tmp.PID for writing. MB_EIO (naming the path and the reason) on failure. */
int mb_atomic_open(mb_atomic_file *af, const char *path);

/* Flushes and closes the temporary file and renames it onto the final path. On any error
 * the temporary file is removed and nothing is left at `path`. */
int mb_atomic_commit(mb_atomic_file *af);

/* Closes and removes the temporary file (after an error in the writer). */
void mb_atomic_abort(mb_atomic_file *af);

/* Reads a whole file ("-" is standard input) into a new NUL-terminated buffer the caller
 * frees. MB_EINVAL when it cannot be opened, MB_EIO on a read error; both name the path. */
int mb_read_file(const char *path, char **text /* out */, size_t *len /* out */);

#endif
