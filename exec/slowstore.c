/* slowstore.c: the slow store as a file (docs/design.md, "The slow store"). */
#include "exec/slowstore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "measure/measure.h"

static int64_t align_up(int64_t v)
{
    return (v + MB_SLOW_BLOCK - 1) / MB_SLOW_BLOCK * MB_SLOW_BLOCK;
}

int mb_slow_open(mb_slow_store *s, const char *dir, mb_slow_mode mode, int64_t limit,
                 int64_t max_keys, int64_t max_bytes)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->mode = mode;
    s->limit = limit;
    s->max_keys = max_keys;
    s->slot = align_up(max_bytes);
    struct stat st;
    if (dir == NULL || dir[0] == '\0')
        return MB_ERROR(MB_EINVAL, "--slow-dir: expected a directory for the slow store");
    if (stat(dir, &st) != 0)
        return MB_ERROR(MB_EINVAL, "--slow-dir '%s': %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return MB_ERROR(MB_EINVAL, "--slow-dir '%s': not a directory", dir);
    if (access(dir, W_OK | X_OK) != 0)
        return MB_ERROR(MB_EINVAL, "--slow-dir '%s': not writable (%s)", dir, strerror(errno));
    int64_t span;
    if (__builtin_mul_overflow(s->slot, max_keys, &span))
        return MB_ERROR(MB_ERANGE, "slow store: %lld steps of %lld bytes overflow a file offset",
                        (long long)max_keys, (long long)s->slot);
    s->size = mb_malloc((size_t)max_keys * sizeof *s->size);
    if (s->size == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory for the slow store's map");
    for (int64_t k = 0; k < max_keys; k++)
        s->size[k] = -1;
    if (posix_memalign((void **)&s->bounce, MB_SLOW_BLOCK, (size_t)s->slot) != 0) {
        s->bounce = NULL;
        return MB_ERROR(MB_ENOMEM, "out of memory for the slow store's buffer");
    }
    int flags = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | (mode == MB_SLOW_DIRECT ? O_DIRECT : 0);
    for (int attempt = 0; attempt < 100 && s->fd < 0; attempt++) {
        snprintf(s->path, sizeof s->path, "%s/membptt-slow-%ld-%d.bin", dir, (long)getpid(),
                 attempt);
        s->fd = open(s->path, flags, 0600);
        if (s->fd < 0 && errno != EEXIST) {
            int e = errno;
            s->path[0] = '\0';
            if (mode == MB_SLOW_DIRECT && e == EINVAL)
                return MB_ERROR(MB_EINVAL, "--slow-dir '%s': the file system does not support "
                                "O_DIRECT (drop --slow-direct)", dir);
            return MB_ERROR(MB_EINVAL, "--slow-dir '%s': cannot create the slow store's file: "
                            "%s", dir, strerror(e));
        }
    }
    if (s->fd < 0) {
        s->path[0] = '\0';
        return MB_ERROR(MB_EINVAL, "--slow-dir '%s': 100 file names taken", dir);
    }
    return MB_OK;
}

/* Moves n bytes between buf and the file at off, whole (pwrite or pread until done). */
static int transfer(const mb_slow_store *s, int write, void *buf, int64_t n, off_t off,
                    int64_t key)
{
    for (int64_t done = 0; done < n;) {
        ssize_t m = write ? pwrite(s->fd, (const char *)buf + done, (size_t)(n - done), off + done)
                          : pread(s->fd, (char *)buf + done, (size_t)(n - done), off + done);
        if (m < 0 && errno == EINTR)
            continue;
        if (m <= 0)
            return MB_ERROR(MB_EIO, "slow store %s: %s step %lld (%lld bytes): %s", s->path,
                            write ? "writing" : "reading", (long long)key, (long long)n,
                            m < 0 ? strerror(errno)
                                  : write ? "nothing written" : "the file is shorter than written");
        done += m;
    }
    return MB_OK;
}

int mb_slow_write(mb_slow_store *s, int64_t key, const void *src, int64_t bytes)
{
    if (key < 0 || key >= s->max_keys || s->size[key] >= 0 || bytes > s->slot)
        return MB_ERROR(MB_EINTERNAL, "slow store: bad write of %lld bytes for step %lld",
                        (long long)bytes, (long long)key);
    if (bytes > s->limit - s->used)
        return MB_ERROR(MB_EINTERNAL, "slow store: %lld + %lld bytes would pass its limit of "
                        "%lld bytes", (long long)s->used, (long long)bytes, (long long)s->limit);
    const int64_t n = s->mode == MB_SLOW_DIRECT ? align_up(bytes) : bytes;
    const void *buf = src;
    if (s->mode == MB_SLOW_DIRECT) {
        memcpy(s->bounce, src, (size_t)bytes);
        memset(s->bounce + bytes, 0, (size_t)(n - bytes));
        buf = s->bounce;
    }
    double t0 = mb_clock_wall();
    const off_t off = (off_t)(key * s->slot);
    int rc = transfer(s, 1, (void *)buf, n, off, key);
    if (rc != MB_OK)
        return rc;
    if (s->mode == MB_SLOW_BUFFERED) { /* on the device, then out of the page cache */
        if (fdatasync(s->fd) != 0)
            return MB_ERROR(MB_EIO, "slow store %s: fdatasync: %s", s->path, strerror(errno));
        (void)posix_fadvise(s->fd, off, n, POSIX_FADV_DONTNEED);
    }
    s->n.write_s += mb_clock_wall() - t0;
    s->size[key] = bytes;
    s->used += bytes;
    if (s->used > s->n.peak_bytes)
        s->n.peak_bytes = s->used;
    s->n.writes++;
    s->n.written_bytes += bytes;
    return MB_OK;
}

int mb_slow_read(mb_slow_store *s, int64_t key, void *dst)
{
    if (key < 0 || key >= s->max_keys || s->size[key] < 0)
        return MB_ERROR(MB_EINTERNAL, "slow store: no checkpoint of step %lld", (long long)key);
    const int64_t bytes = s->size[key];
    const int64_t n = s->mode == MB_SLOW_DIRECT ? align_up(bytes) : bytes;
    void *buf = s->mode == MB_SLOW_DIRECT ? (void *)s->bounce : dst;
    double t0 = mb_clock_wall();
    const off_t off = (off_t)(key * s->slot);
    int rc = transfer(s, 0, buf, n, off, key);
    if (rc != MB_OK)
        return rc;
    if (s->mode == MB_SLOW_BUFFERED) /* the next read of it comes from the device too */
        (void)posix_fadvise(s->fd, off, n, POSIX_FADV_DONTNEED);
    if (s->mode == MB_SLOW_DIRECT)
        memcpy(dst, s->bounce, (size_t)bytes);
    s->n.read_s += mb_clock_wall() - t0;
    s->n.reads++;
    s->n.read_bytes += bytes;
    return MB_OK;
}

int mb_slow_free(mb_slow_store *s, int64_t key)
{
    if (key < 0 || key >= s->max_keys || s->size[key] < 0)
        return MB_ERROR(MB_EINTERNAL, "slow store: no checkpoint of step %lld to free",
                        (long long)key);
    s->used -= s->size[key];
    s->size[key] = -1;
    return MB_OK;
}

int mb_slow_close(mb_slow_store *s)
{
    int rc = MB_OK;
    struct stat st;
    /* a file that lost its name (its directory removed) kept working through the descriptor;
     * say so rather than report a run whose store vanished under it */
    if (s->fd >= 0 && s->path[0] != '\0' && fstat(s->fd, &st) == 0 && st.st_nlink == 0)
        rc = MB_ERROR(MB_EIO, "slow store %s: the file was removed during the run (its "
                      "directory vanished?)", s->path);
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    if (s->path[0] != '\0' && unlink(s->path) != 0 && errno != ENOENT)
        rc = MB_ERROR(MB_EIO, "slow store: cannot remove %s: %s", s->path, strerror(errno));
    s->path[0] = '\0';
    mb_free(s->size);
    s->size = NULL;
    mb_free(s->bounce);
    s->bounce = NULL;
    return rc;
}
