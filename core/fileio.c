/* fileio.c: whole-file reads and all-or-nothing writes. */
#include "core/fileio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"

int mb_atomic_open(mb_atomic_file *af, const char *path)
{
    if (strlen(path) + 32 >= sizeof af->tmp)
        return MB_ERROR(MB_EINVAL, "output path too long: %s", path);
    snprintf(af->path, sizeof af->path, "%s", path);
    snprintf(af->tmp, sizeof af->tmp, "%s.tmp.%ld", path, (long)getpid());
    af->f = fopen(af->tmp, "w");
    if (af->f == NULL)
        return MB_ERROR(MB_EIO, "cannot write %s: %s", af->tmp, strerror(errno));
    return MB_OK;
}

int mb_atomic_commit(mb_atomic_file *af)
{
    int failed = ferror(af->f) != 0;
    if (fflush(af->f) != 0)
        failed = 1;
    if (fsync(fileno(af->f)) != 0 && errno != EINVAL)
        failed = 1;
    if (fclose(af->f) != 0)
        failed = 1;
    af->f = NULL;
    if (failed) {
        int e = errno;
        remove(af->tmp);
        return MB_ERROR(MB_EIO, "cannot write %s: %s", af->path, strerror(e));
    }
    if (rename(af->tmp, af->path) != 0) {
        int e = errno;
        remove(af->tmp);
        return MB_ERROR(MB_EIO, "cannot rename %s to %s: %s", af->tmp, af->path, strerror(e));
    }
    return MB_OK;
}

void mb_atomic_abort(mb_atomic_file *af)
{
    if (af->f != NULL)
        fclose(af->f);
    af->f = NULL;
    remove(af->tmp);
}

int mb_read_file(const char *path, char **text, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL) /* a path that cannot be opened is bad input, not a runtime failure */
        return MB_ERROR(MB_EINVAL, "cannot read %s: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        char *grown = realloc(buf, cap * 2);
        if (grown == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    int read_error = ferror(f);
    if (f != stdin)
        fclose(f);
    if (buf == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory reading %s", path);
    if (read_error) {
        free(buf);
        return MB_ERROR(MB_EIO, "error reading %s", path);
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return MB_OK;
}
