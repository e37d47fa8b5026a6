/* fileio.h: bounded reads and output files that are written whole or not at all. */
#ifndef MB_CORE_FILEIO_H
#define MB_CORE_FILEIO_H

#include <stddef.h>
#include <stdio.h>

/* An output file being written. A regular file (or a new one) is written under a temporary
 * name beside it and renamed onto it at the end, so a failed write leaves nothing behind; a
 * symbolic link to a regular file is followed and the file it names is replaced, never the
 * link. A character device or FIFO that exists (/dev/null, /dev/stdout, a pipe) is written
 * into directly, never replaced. Messages always name the path the user gave. */
typedef struct {
    FILE *f;
    int direct;      /* 1: writing straight into a device or FIFO */
    char path[4096]; /* the path as given */
    char dest[4096]; /* the regular file the rename replaces (the link's target) */
    char tmp[4096 + 32]; /* the temporary name, "" when direct */
} mb_atomic_file;

/* Opens `path` for writing as described above. MB_EINVAL (exit 2) for an empty path, a
 * directory, a dangling symbolic link or a socket; MB_EIO (exit 1) when it cannot be created
 * (the message names the path and the reason: EACCES, ENOENT, ...). */
int mb_atomic_open(mb_atomic_file *af, const char *path);

/* Flushes and closes the file and, for a regular file, renames it onto its final path. On
 * any error (ENOSPC, EFBIG, EIO, ...) the temporary file is removed, nothing is left at the
 * path, and the message names the path and the reason. */
int mb_atomic_commit(mb_atomic_file *af);

/* Closes and removes the temporary file (after an error in the writer). */
void mb_atomic_abort(mb_atomic_file *af);

/* Checks an output path given with `option` ("--out", "--plan-out") before anything is
 * written, so an empty path never turns "DIR/results" into "/results". MB_EINVAL (exit 2)
 * naming the option and the value when the path is empty, longer than 3800 bytes, holds a
 * control character, or names an existing non-folder when `folder` is set (an existing folder
 * when it is not). A missing path is fine: the command creates it. */
int mb_output_path_check(const char *option, const char *path, int folder);

/* Opens `path` for reading ("-" is standard input). MB_EINVAL (bad input) naming the path
 * when it cannot be opened or is a directory. Close with mb_input_close. */
int mb_input_open(const char *path, FILE **f /* out */);

/* Closes a file from mb_input_open (standard input is left open). */
void mb_input_close(FILE *f);

/* The largest file mb_read_file reads: 256 MiB (sweep CSVs of a million rows fit; endless
 * input such as /dev/zero is refused after a fraction of a second). */
#define MB_READ_FILE_MAX ((size_t)256 << 20)

/* Reads a whole file ("-" is standard input) of at most `max` bytes into a new NUL-terminated
 * buffer the caller frees. MB_EINVAL when it cannot be opened, is a directory or is longer
 * than `max` (refused as soon as it passes the limit, so endless input ends quickly); MB_EIO
 * on a read error. Every message names the path. */
int mb_read_file_max(const char *path, size_t max, char **text /* out */, size_t *len /* out */);

/* mb_read_file_max with max = MB_READ_FILE_MAX. */
int mb_read_file(const char *path, char **text /* out */, size_t *len /* out */);

#endif
