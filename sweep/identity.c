/* identity.c: what makes a sweep's rows its own: the config fingerprint, the header, and the
 * check of one stored row against the point it must be (resume and merge keep nothing they
 * have not proved). docs/design.md, "Sweeps, records and figures". */
#include "sweep/internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"

static void fnv(uint64_t *h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        *h ^= (unsigned char)s[i];
        *h *= UINT64_C(1099511628211);
    }
    *h ^= 0xff; /* separator */
    *h *= UINT64_C(1099511628211);
}

int mb_sweep_header(const mb_sweep_config *c, char **out)
{
    size_t len = 1;
    for (size_t i = 0; i < c->n_columns; i++)
        len += strlen(c->columns[i]) + 1;
    char *h = mb_malloc(len);
    if (h == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < c->n_columns; i++) {
        size_t n = strlen(c->columns[i]);
        if (i)
            h[k++] = ',';
        memcpy(h + k, c->columns[i], n);
        k += n;
    }
    h[k++] = '\n';
    h[k] = '\0';
    *out = h;
    return MB_OK;
}

/* The identifying columns of point i as CSV text ("sweep,mode,...,budget"), into buf. */
static int ident_text(const mb_sweep_config *c, size_t i, FILE *m, char *buf, size_t cap,
                      size_t *len)
{
    mb_sweep_point pt;
    int rc = mb_sweep_point_get(c, i, &pt);
    if (rc != MB_OK)
        return rc;
    mb_record r = {0};
    mb_sweep_point_ident(&pt, 1, &r);
    rewind(m);
    mb_record_print(m, &r, MB_FORMAT_CSV, 0);
    long n = ftell(m);
    if (fflush(m) != 0 || n <= 0 || (size_t)n >= cap)
        return MB_ERROR(MB_EINTERNAL, "point %zu: its identifying columns do not fit %zu bytes",
                        i, cap);
    *len = (size_t)n - 1; /* without the newline */
    buf[*len] = '\0';
    return MB_OK;
}

/* The fingerprint hashes every key of the config that reaches a point as the parser saw it
 * (c->keys_hash: no hand list of keys to forget), the header, the settings those keys resolve
 * to (defaults included: the cost model, the DP method and its table limit, the [model]
 * network) and every point's identifying columns. */
void mb_sweep_fingerprint(const mb_sweep_config *c, char hex[17])
{
    uint64_t h = UINT64_C(1469598103934665603);
    char buf[4096];
    char *header = NULL;
    if (mb_sweep_header(c, &header) == MB_OK)
        fnv(&h, header, strlen(header));
    mb_free(header);
    int n = snprintf(buf, sizeof buf,
                     "keys %016llx cost %.17g %.17g %.17g dp %d table %lld model %s %lld %lld "
                     "%lld %lld %lld %lld",
                     (unsigned long long)c->keys_hash, c->cost.forward, c->cost.backward,
                     c->cost.copy, (int)c->solve.dp_method, (long long)c->solve.max_table_bytes,
                     c->model.cell, (long long)c->model.batch, (long long)c->model.input,
                     (long long)c->model.hidden, (long long)c->model.threads,
                     (long long)c->model.repetitions, (long long)c->model.seed);
    fnv(&h, buf, (size_t)n);
    if (c->two_level || c->has_store_costs) {
        /* the slow level's costs as they resolve (a store-costs file's values as read) */
        const mb_cost_model *s = c->has_store_costs ? &c->store_costs : &c->cost;
        n = snprintf(buf, sizeof buf, "slow %d %.17g %.17g %.17g %.17g %.17g %.17g dir %s",
                     c->has_store_costs, s->forward, s->backward, s->write, s->read,
                     s->write_latency, s->read_latency, c->slow_dir);
        fnv(&h, buf, (size_t)n);
    }
    FILE *m = fmemopen(buf, sizeof buf, "w");
    size_t total = mb_sweep_point_count(c), len;
    for (size_t i = 0; m && i < total; i++)
        if (ident_text(c, i, m, buf, sizeof buf, &len) == MB_OK)
            fnv(&h, buf, len);
    if (m)
        fclose(m);
    snprintf(hex, 17, "%016llx", (unsigned long long)h);
}

/* A field of a stored row that the record writer could have printed: empty, a number, true,
 * false, or names (letters, digits, _ . : + - and the characters of a budget spec; commas in
 * a list of counter events). */
static int well_formed(const char *s)
{
    if (*s == '\0' || strcmp(s, "true") == 0 || strcmp(s, "false") == 0)
        return 1;
    char *end;
    errno = 0;
    (void)strtod(s, &end);
    if (*end == '\0' && end != s)
        return 1;
    for (; *s; s++)
        if (!(('a' <= *s && *s <= 'z') || ('A' <= *s && *s <= 'Z') || ('0' <= *s && *s <= '9') ||
              strchr("_.:+-<=/%(),", *s)))
            return 0;
    return 1;
}

int mb_sweep_row_check(const mb_sweep_config *c, const char *csv, size_t line, const char *row,
                       size_t len, size_t index)
{
    char **f = NULL, **g = NULL, buf[4096], q[128];
    size_t n = 0, ng = 0, il;
    int rc = mb_csv_split(row, len, &f, &n);
    if (rc != MB_OK)
        return MB_ERROR(MB_EPARSE, "%s:%zu: %s", csv, line, mb_errmsg());
    if (n != c->n_columns) {
        rc = MB_ERROR(MB_EPARSE, "%s:%zu: the row has %zu fields, the header %zu", csv, line, n,
                      c->n_columns);
        goto done;
    }
    for (size_t j = 0; j < n; j++)
        if (!well_formed(f[j])) {
            rc = MB_ERROR(MB_EPARSE, "%s:%zu: column %s = '%s' is not a value membptt writes "
                          "(a number, true, false, a name or empty)", csv, line, c->columns[j],
                          mb_text_quote(q, sizeof q, f[j], strlen(f[j])));
            goto done;
        }
    FILE *m = fmemopen(buf, sizeof buf, "w");
    if (m == NULL) {
        rc = MB_ERROR(MB_ENOMEM, "out of memory");
        goto done;
    }
    rc = ident_text(c, index, m, buf, sizeof buf, &il);
    fclose(m);
    if (rc != MB_OK || (rc = mb_csv_split(buf, il, &g, &ng)) != MB_OK)
        goto done;
    for (size_t j = 0; j < ng && j < n; j++)
        if (strcmp(f[j], g[j]) != 0) {
            rc = MB_ERROR(MB_EPARSE, "%s:%zu: the row is not point %zu of this sweep: %s = '%s', "
                          "the point has '%s' (point %zu begins '%s')", csv, line, index,
                          c->columns[j], mb_text_quote(q, sizeof q, f[j], strlen(f[j])), g[j],
                          index, buf);
            goto done;
        }
done:
    mb_csv_fields_free(f, n);
    mb_csv_fields_free(g, ng);
    return rc;
}

int mb_sweep_paths_of(const char *csv, char *sidecar, size_t cap, char *timing, size_t tcap)
{
    size_t n = strlen(csv);
    if (n < 5 || strcmp(csv + n - 4, ".csv") != 0 || csv[n - 5] == '/')
        return MB_ERROR(MB_EINVAL, "'%s': expected a CSV path NAME.csv", csv);
    if (snprintf(sidecar, cap, "%.*s.json", (int)(n - 4), csv) >= (int)cap ||
        (timing && snprintf(timing, tcap, "%.*s.timing.csv", (int)(n - 4), csv) >= (int)tcap))
        return MB_ERROR(MB_EINVAL, "'%s': the path is too long", csv);
    return MB_OK;
}

int mb_sweep_regular_or_absent(const char *path, const char *what)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno == ENOENT ? MB_OK
                               : MB_ERROR(MB_EIO, "%s %s: %s", what, path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return MB_ERROR(MB_EINVAL, "%s %s is not a regular file (%s); sweeps write only regular "
                        "files: remove it or choose another --out", what, path,
                        S_ISFIFO(st.st_mode)  ? "a FIFO"
                        : S_ISDIR(st.st_mode) ? "a folder"
                        : S_ISCHR(st.st_mode) ? "a character device"
                        : S_ISBLK(st.st_mode) ? "a block device"
                                              : "a socket or another special file");
    return MB_OK;
}

int mb_sweep_shard_owns(int index, int count, size_t i)
{
    return count <= 1 || (int)(i % (size_t)count) == index;
}
