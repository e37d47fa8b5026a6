/* fileio.c: bounded reads and all-or-nothing writes (docs/design.md, "Plan files"). */
#include "core/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"

/* The path quoted for a message. */
#define QUOTE(buf, s) mb_text_quote((buf), sizeof(buf), (s), strlen(s))

int mb_atomic_open(mb_atomic_file *af, const char *path)
{
    char q[512];
    memset(af, 0, sizeof *af);
    if (path[0] == '\0')
        return MB_ERROR(MB_EINVAL, "empty output path");
    if (strlen(path) >= sizeof af->path)
        return MB_ERROR(MB_EINVAL, "output path too long (%zu bytes): %s", strlen(path),
                        QUOTE(q, path));
    snprintf(af->path, sizeof af->path, "%s", path);
    snprintf(af->dest, sizeof af->dest, "%s", path);
    struct stat ls, st;
    int have_l = lstat(path, &ls) == 0;
    int have = stat(path, &st) == 0;
    if (have && S_ISDIR(st.st_mode))
        return MB_ERROR(MB_EINVAL, "cannot write %s: is a directory", QUOTE(q, path));
    if (have_l && S_ISLNK(ls.st_mode) && !have)
        return MB_ERROR(MB_EINVAL, "cannot write %s: a symbolic link to a missing file (%s); "
                        "membptt replaces no link", QUOTE(q, path), strerror(errno));
    if (have && S_ISSOCK(st.st_mode))
        return MB_ERROR(MB_EINVAL, "cannot write %s: is a socket", QUOTE(q, path));
    if (have && !S_ISREG(st.st_mode)) {
        /* a device or FIFO: write into it, never replace it */
        int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0 || (af->f = fdopen(fd, "w")) == NULL) {
            int e = errno;
            if (fd >= 0)
                close(fd);
            return MB_ERROR(MB_EIO, "cannot write %s: %s", QUOTE(q, path), strerror(e));
        }
        af->direct = 1;
        return MB_OK;
    }
    if (have_l && S_ISLNK(ls.st_mode)) { /* replace the file the link names, not the link */
        char *real = realpath(path, NULL);
        if (real == NULL || strlen(real) >= sizeof af->dest) {
            int e = real ? ENAMETOOLONG : errno;
            free(real); /* realpath's own malloc */
            return MB_ERROR(MB_EIO, "cannot write %s: %s", QUOTE(q, path), strerror(e));
        }
        snprintf(af->dest, sizeof af->dest, "%s", real);
        free(real); /* realpath's own malloc */
    }
    snprintf(af->tmp, sizeof af->tmp, "%s.tmp.%ld", af->dest, (long)getpid());
    int fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 || (af->f = fdopen(fd, "w")) == NULL) {
        int e = errno;
        if (fd >= 0) {
            close(fd);
            remove(af->tmp);
        }
        af->tmp[0] = '\0';
        return MB_ERROR(MB_EIO, "cannot write %s: %s", QUOTE(q, path), strerror(e));
    }
    return MB_OK;
}

int mb_atomic_commit(mb_atomic_file *af)
{
    char q[512];
    int e = 0;
    if (ferror(af->f))
        e = errno ? errno : EIO;
    if (fflush(af->f) != 0 && e == 0)
        e = errno;
    if (!af->direct && fsync(fileno(af->f)) != 0 && e == 0)
        e = errno;
    if (fclose(af->f) != 0 && e == 0)
        e = errno;
    af->f = NULL;
    if (e != 0) {
        if (!af->direct)
            remove(af->tmp);
        return MB_ERROR(MB_EIO, "cannot write %s: %s", QUOTE(q, af->path), strerror(e));
    }
    if (!af->direct && rename(af->tmp, af->dest) != 0) {
        e = errno;
        remove(af->tmp);
        return MB_ERROR(MB_EIO, "cannot write %s: %s", QUOTE(q, af->path), strerror(e));
    }
    return MB_OK;
}

void mb_atomic_abort(mb_atomic_file *af)
{
    if (af->f != NULL)
        fclose(af->f);
    af->f = NULL;
    if (!af->direct && af->tmp[0] != '\0')
        remove(af->tmp);
}

int mb_output_path_check(const char *option, const char *path, int folder)
{
    char q[512];
    const char *what = folder ? "a folder" : "a file";
    if (path[0] == '\0')
        return MB_ERROR(MB_EINVAL, "%s '': an empty path; give %s (e.g. %s)", option, what,
                        folder ? "out" : "out.csv");
    if (strlen(path) > 3800)
        return MB_ERROR(MB_EINVAL, "%s: path too long (%zu bytes; at most 3800)", option,
                        strlen(path));
    for (const char *p = path; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return MB_ERROR(MB_EINVAL, "%s %s: holds a control character; give %s whose name "
                            "has none", option, QUOTE(q, path), what);
    struct stat st;
    if (stat(path, &st) == 0 && (folder ? !S_ISDIR(st.st_mode) : S_ISDIR(st.st_mode)))
        return MB_ERROR(MB_EINVAL, "%s %s: %s; give %s", option, QUOTE(q, path),
                        folder ? "exists and is not a folder" : "is a folder", what);
    return MB_OK;
}

int mb_input_open(const char *path, FILE **f)
{
    char q[512];
    if (path[0] == '\0')
        return MB_ERROR(MB_EINVAL, "empty input path");
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (in == NULL) /* a path that cannot be opened is bad input, not a runtime failure */
        return MB_ERROR(MB_EINVAL, "cannot read %s: %s", QUOTE(q, path), strerror(errno));
    struct stat st;
    if (fstat(fileno(in), &st) == 0 && S_ISDIR(st.st_mode)) {
        mb_input_close(in);
        return MB_ERROR(MB_EINVAL, "cannot read %s: is a directory",
                        in == stdin ? "standard input" : QUOTE(q, path));
    }
    *f = in;
    return MB_OK;
}

void mb_input_close(FILE *f)
{
    if (f != NULL && f != stdin)
        fclose(f);
}

int mb_read_file_max(const char *path, size_t max, char **text, size_t *len)
{
    char q[512];
    const char *name = strcmp(path, "-") == 0 ? "standard input" : path;
    FILE *f;
    int rc = mb_input_open(path, &f);
    if (rc != MB_OK)
        return rc;
    size_t cap = 1 << 16, n = 0;
    char *buf = mb_malloc(cap);
    while (buf != NULL) {
        size_t want = cap - n - 1;
        if (want > max + 1 - n)
            want = max + 1 - n; /* one byte past the limit tells a file that is too long */
        size_t got = fread(buf + n, 1, want, f);
        n += got;
        if (n > max || got < want)
            break;
        if (n + 1 < cap)
            continue;
        char *grown = mb_realloc(buf, cap * 2);
        if (grown == NULL) {
            mb_free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    int read_error = ferror(f) ? errno : 0;
    mb_input_close(f);
    if (buf == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory reading %s", QUOTE(q, name));
    if (n > max) {
        mb_free(buf);
        return MB_ERROR(MB_EINVAL, "%s is longer than the limit of %zu bytes", QUOTE(q, name),
                        max);
    }
    if (read_error) {
        mb_free(buf);
        return MB_ERROR(MB_EIO, "error reading %s: %s", QUOTE(q, name), strerror(read_error));
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return MB_OK;
}

int mb_read_file(const char *path, char **text, size_t *len)
{
    return mb_read_file_max(path, MB_READ_FILE_MAX, text, len);
}
