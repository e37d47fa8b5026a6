/* merge.c: joins the shard CSVs of one sweep into the file one process would have written,
 * with its sidecar and timing file, after proving every row: the shards are one sweep, each
 * has the rows its sidecar counts, and each row is the point the config gives its shard and
 * position. docs/design.md, "Sweeps, records and figures". */
#include "sweep/internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"

typedef struct {
    const char *path;
    char sidecar[4300], timing[4300];
    mb_sweep_sidecar sc;
    char *text;       /* the CSV */
    const char *next; /* its next row */
    size_t n_rows;
    const char **row;   /* row[r]: the start of shard row r (ends at its newline) */
    const char **time;  /* time[r]: the timing line of shard row r, or NULL */
    char *ttext;        /* the timing file */
    size_t prov;        /* cursor into sc.provenance while merging */
} shard;

static int same_file(const char *a, const char *b)
{
    struct stat x, y;
    if (strcmp(a, b) == 0)
        return 1;
    return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Reads shard k's sidecar and checks that it belongs with the first one. */
static int read_sidecar(shard *all, size_t n, size_t k, int *seen)
{
    shard *s = &all[k];
    const shard *first = &all[0];
    int rc = mb_sweep_paths_of(s->path, s->sidecar, sizeof s->sidecar, s->timing,
                               sizeof s->timing);
    if (rc != MB_OK)
        return MB_ERROR(rc, "merge: %s", mb_errmsg());
    if ((rc = mb_sweep_sidecar_read(s->sidecar, &s->sc)) != MB_OK)
        return MB_ERROR(rc, "merge: %s", mb_errmsg());
    const mb_sweep_sidecar *sc = &s->sc;
    if (!sc->complete)
        return MB_ERROR(MB_EINVAL, "merge: %s is incomplete (%lld of %lld rows); rerun its shard "
                        "to finish it", s->path, (long long)sc->rows, (long long)sc->points);
    if (k > 0 && (sc->shard_count != first->sc.shard_count ||
                  strcmp(sc->fingerprint, first->sc.fingerprint) != 0 ||
                  strcmp(sc->config_text, first->sc.config_text) != 0))
        return MB_ERROR(MB_EINVAL, "merge: %s belongs to another sweep or shard count (%d "
                        "shards, fingerprint %s; %s has %d, %s)", s->path, sc->shard_count,
                        sc->fingerprint, first->path, first->sc.shard_count,
                        first->sc.fingerprint);
    if ((size_t)sc->shard_count != n)
        return MB_ERROR(MB_EINVAL, "merge: %s is shard %d of %d: the sweep has %d shards; %zu "
                        "given", s->path, sc->shard_index, sc->shard_count, sc->shard_count, n);
    if (seen[sc->shard_index] >= 0)
        return MB_ERROR(MB_EINVAL, "merge: %s and %s are both shard %d of %d",
                        all[seen[sc->shard_index]].path, s->path, sc->shard_index,
                        sc->shard_count);
    seen[sc->shard_index] = (int)k;
    return MB_OK;
}

/* Reads shard s's CSV and proves each row: the header, complete lines, the row count of its
 * sidecar, and each row the point the config assigns to this shard and position. */
static int read_rows(const mb_sweep_config *c, shard *s, const char *header, size_t total)
{
    size_t len;
    int rc = mb_read_file(s->path, &s->text, &len);
    if (rc != MB_OK)
        return MB_ERROR(rc, "merge: %s", mb_errmsg());
    size_t hl = strlen(header);
    if (len < hl || memcmp(s->text, header, hl) != 0)
        return MB_ERROR(MB_EPARSE, "merge: %s:1: the header is not this sweep's columns",
                        s->path);
    if (strlen(s->text) != len)
        return MB_ERROR(MB_EPARSE, "merge: %s: contains a NUL byte", s->path);
    int idx = s->sc.shard_index, cnt = s->sc.shard_count;
    size_t want = total > (size_t)idx ? (total - (size_t)idx + (size_t)cnt - 1) / (size_t)cnt : 0;
    if ((size_t)s->sc.rows != want || (size_t)s->sc.points != want)
        return MB_ERROR(MB_EPARSE, "merge: %s: its sidecar counts %lld rows; shard %d of %d of "
                        "this sweep has %zu", s->path, (long long)s->sc.rows, idx, cnt, want);
    s->row = mb_calloc(want ? want : 1, sizeof *s->row);
    s->time = mb_calloc(want ? want : 1, sizeof *s->time);
    if (s->row == NULL || s->time == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    const char *p = s->text + hl, *end = s->text + len;
    size_t r = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t line = r + 2;
        if (nl == NULL)
            return MB_ERROR(MB_EPARSE, "merge: %s:%zu: the last row is torn (no newline); rerun "
                            "the shard to complete it", s->path, line);
        if (r >= want)
            return MB_ERROR(MB_EPARSE, "merge: %s:%zu: an extra row: the shard has %zu points "
                            "and its sidecar counts %zu rows", s->path, line, want, want);
        rc = mb_sweep_row_check(c, s->path, line, p, (size_t)(nl - p),
                                (size_t)idx + r * (size_t)cnt);
        if (rc != MB_OK)
            return MB_ERROR(rc, "merge: %s", mb_errmsg());
        s->row[r++] = p;
        p = nl + 1;
    }
    if (r != want)
        return MB_ERROR(MB_EPARSE, "merge: %s: %zu rows, but shard %d of %d of this sweep has "
                        "%zu points (its sidecar counts %zu): rows are missing after line %zu",
                        s->path, r, idx, cnt, want, want, r + 1);
    s->n_rows = r;
    /* the solve times, by point; a shard without its timing file merges with empty times */
    struct stat st;
    if (stat(s->timing, &st) == 0 && mb_read_file(s->timing, &s->ttext, &len) == MB_OK) {
        for (char *q = s->ttext; *q;) {
            char *nl = strchr(q, '\n');
            if (nl == NULL)
                break;
            *nl = '\0';
            char *e;
            errno = 0;
            unsigned long long i = strtoull(q, &e, 10);
            size_t pi = i < total ? (size_t)i : total;
            if (e != q && *e == ',' && errno == 0 && pi < total && pi % (size_t)cnt == (size_t)idx)
                s->time[pi / (size_t)cnt] = q;
            q = nl + 1;
        }
    }
    return MB_OK;
}

/* Refuses an output (the CSV, its sidecar or timing file) that is the input `in`, its sidecar
 * or its timing file, under any name (a link too). */
static int not_an_input(const char *in, const char *out_csv, const char *out_sidecar,
                        const char *out_timing)
{
    char sc[4300], tm[4300];
    const char *ins[] = {in, sc, tm};
    if (mb_sweep_paths_of(in, sc, sizeof sc, tm, sizeof tm) != MB_OK)
        sc[0] = tm[0] = '\0';
    for (int a = 0; a < 3; a++)
        if (ins[a][0] && (same_file(ins[a], out_csv) || same_file(ins[a], out_sidecar) ||
                          same_file(ins[a], out_timing)))
            return MB_ERROR(MB_EINVAL, "merge --out %s: it would overwrite the input %s; "
                            "choose another output", out_csv, ins[a]);
    return MB_OK;
}

/* The build of point j of the merged file (shard row j / count of shard j % count). */
static const mb_sweep_build *build_of(shard *s, size_t count, size_t j)
{
    int64_t r = (int64_t)(j / count);
    while (s->prov + 1 < s->sc.n_provenance && s->sc.provenance[s->prov].rows_to <= r)
        s->prov++;
    return s->sc.n_provenance ? &s->sc.provenance[s->prov] : NULL;
}

static int write_all(const mb_sweep_config *c, shard **by_index, size_t n, size_t total,
                     const char *header, const char *out, FILE *f, FILE *tf)
{
    char line[512];
    fputs(header, f);
    if (tf)
        fputs(mb_sweep_timing_header, tf);
    for (size_t j = 0; j < total; j++) {
        shard *s = by_index[j % n];
        const char *row = s->row[j / n];
        fwrite(row, 1, (size_t)((const char *)strchr(row, '\n') - row) + 1, f);
        if (tf == NULL)
            continue;
        const char *t = s->time[j / n];
        if (t == NULL) {
            int rc = mb_sweep_timing_line(c, j, NAN, line, sizeof line);
            if (rc != MB_OK)
                return rc;
            t = line;
        }
        fprintf(tf, "%s\n", t);
    }
    if (ferror(f) || (tf && ferror(tf)))
        return MB_ERROR(MB_EIO, "merge: cannot write %s: %s", out, strerror(errno));
    return MB_OK;
}

/* The provenance of the merged rows, range by range: the shards' builds in point order. Rows
 * of different builds are refused, naming the shards and what differs, unless
 * accept_other_build. */
static int merged_provenance(shard **by_index, size_t n, size_t total, int accept_other_build,
                             mb_sweep_build *prov, size_t *n_prov)
{
    size_t first_shard = 0;
    char why[600];
    for (size_t j = 0; j < total; j++) {
        const mb_sweep_build *b = build_of(by_index[j % n], n, j);
        if (b == NULL)
            return MB_ERROR(MB_EPARSE, "merge: %s records no build for its rows",
                            by_index[j % n]->sidecar);
        if (*n_prov > 0)
            mb_sweep_build_diff(&prov[*n_prov - 1], b, why, sizeof why);
        if (*n_prov > 0 && why[0] == '\0') {
            prov[*n_prov - 1].rows_to = (int64_t)j + 1;
            continue;
        }
        /* rows of one merged file come from one build unless the user accepts more */
        if (*n_prov > 0 && !accept_other_build) {
            mb_sweep_build_diff(&prov[0], b, why, sizeof why);
            return MB_ERROR(MB_EINVAL, "merge: %s and %s were written by different builds or "
                            "machines (%s); rerun the shards with one build, or merge with "
                            "--accept-other-build to keep both (the sidecar records which rows "
                            "came from which)", by_index[first_shard]->path,
                            by_index[j % n]->path, why);
        }
        if (*n_prov == 0)
            first_shard = j % n;
        if (*n_prov == MB_SWEEP_MAX_PROVENANCE)
            return MB_ERROR(MB_EINVAL, "merge: the rows come from more than %d changes of build "
                            "or machine; rerun the shards with one build",
                            MB_SWEEP_MAX_PROVENANCE);
        prov[*n_prov] = *b;
        prov[*n_prov].rows_from = (int64_t)j;
        prov[(*n_prov)++].rows_to = (int64_t)j + 1;
    }
    return MB_OK;
}

/* The merged CSV, its timing file and its sidecar: all three or none. */
static int write_files(const mb_sweep_config *c, shard **by_index, size_t n, size_t total,
                       const char *header, const char *out_csv, const char *out_sidecar,
                       const char *out_timing, const char *fp, const mb_sweep_build *prov,
                       size_t n_prov)
{
    mb_atomic_file af = {0}, at = {0};
    int rc;
    if ((rc = mb_sweep_regular_or_absent(out_csv, "merge --out")) != MB_OK ||
        (rc = mb_sweep_regular_or_absent(out_sidecar, "merge: the sidecar")) != MB_OK ||
        (rc = mb_sweep_regular_or_absent(out_timing, "merge: the timing file")) != MB_OK ||
        (rc = mb_atomic_open(&af, out_csv)) != MB_OK)
        return rc;
    if ((rc = mb_atomic_open(&at, out_timing)) != MB_OK) {
        mb_atomic_abort(&af);
        return rc;
    }
    if ((rc = write_all(c, by_index, n, total, header, out_csv, af.f, at.f)) != MB_OK) {
        mb_atomic_abort(&af);
        mb_atomic_abort(&at);
        return rc;
    }
    if ((rc = mb_atomic_commit(&af)) != MB_OK) {
        mb_atomic_abort(&at);
        return rc;
    }
    mb_sweep_sidecar_info info = {.config = c, .fingerprint = fp, .csv = out_csv,
                                  .points = (int64_t)total, .rows = (int64_t)total,
                                  .complete = 1, .shard_count = 1, .ranks = 1,
                                  .provenance = prov, .n_provenance = n_prov};
    if ((rc = mb_atomic_commit(&at)) != MB_OK ||
        (rc = mb_sweep_sidecar_write(out_sidecar, &info)) != MB_OK) {
        unlink(out_csv);
        unlink(out_timing);
    }
    return rc;
}

int mb_sweep_merge(const char *out_csv, const char *const *shards, size_t n_in,
                   int accept_other_build)
{
    if (n_in == 0)
        return MB_ERROR(MB_EINVAL, "merge: no shard files given");
    if (out_csv == NULL || out_csv[0] == '\0')
        return MB_ERROR(MB_EINVAL, "merge --out '': an output path is required (FILE.csv, or - "
                        "for standard output)");
    int to_stdout = strcmp(out_csv, "-") == 0;
    char out_sidecar[4300] = "", out_timing[4300] = "";
    int rc;
    if (!to_stdout && (rc = mb_sweep_paths_of(out_csv, out_sidecar, sizeof out_sidecar,
                                              out_timing, sizeof out_timing)) != MB_OK)
        return MB_ERROR(rc, "merge --out: %s (its sidecar and timing file go beside it)",
                        mb_errmsg());
    shard *sh = mb_calloc(n_in, sizeof *sh);
    shard **by_index = NULL;
    int *seen = NULL;
    mb_sweep_config *c = NULL;
    char *header = NULL, fp[17];
    size_t n = 0, total = 0;
    if (sh == NULL) {
        rc = MB_ERROR(MB_ENOMEM, "out of memory");
        goto done;
    }
    /* timing files (NAME.shard-I-of-N.timing.csv) match the usual glob; they are not shards */
    for (size_t k = 0; k < n_in; k++) {
        size_t l = strlen(shards[k]);
        if (l < 11 || strcmp(shards[k] + l - 11, ".timing.csv") != 0)
            sh[n++].path = shards[k];
    }
    if (n == 0) {
        rc = MB_ERROR(MB_EINVAL, "merge: no shard CSVs given, only timing files");
        goto done;
    }
    for (size_t k = 0; k < n_in && !to_stdout && rc == MB_OK; k++)
        rc = not_an_input(shards[k], out_csv, out_sidecar, out_timing);
    if (rc != MB_OK)
        goto done;
    seen = mb_malloc(n * sizeof *seen);
    if (seen == NULL) {
        rc = MB_ERROR(MB_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < n; k++)
        seen[k] = -1;
    for (size_t k = 0; k < n; k++)
        if ((rc = read_sidecar(sh, n, k, seen)) != MB_OK)
            goto done;
    /* the config the shards were computed from, as this membptt reads it */
    if ((rc = mb_sweep_config_parse(sh[0].sc.config, sh[0].sc.config_text, &c)) != MB_OK) {
        rc = MB_ERROR(rc, "merge: %s: the config its sidecar holds cannot be read: %s",
                      sh[0].sidecar, mb_errmsg());
        goto done;
    }
    mb_sweep_fingerprint(c, fp);
    if (strcmp(fp, sh[0].sc.fingerprint) != 0) {
        rc = MB_ERROR(MB_EINVAL, "merge: %s: fingerprint %s, but its config as this membptt "
                      "reads it has %s: the shards were written by another version; rerun them",
                      sh[0].sidecar, sh[0].sc.fingerprint, fp);
        goto done;
    }
    total = mb_sweep_point_count(c);
    by_index = mb_calloc(n, sizeof *by_index);
    if (by_index == NULL || (rc = mb_sweep_header(c, &header)) != MB_OK) {
        rc = by_index ? rc : MB_ERROR(MB_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < n; k++) {
        if ((rc = read_rows(c, &sh[k], header, total)) != MB_OK)
            goto done;
        by_index[sh[k].sc.shard_index] = &sh[k];
    }
    /* the provenance of the merged rows, range by range */
    mb_sweep_build prov[MB_SWEEP_MAX_PROVENANCE];
    size_t n_prov = 0;
    if ((rc = merged_provenance(by_index, n, total, accept_other_build, prov, &n_prov)) != MB_OK)
        goto done;
    if (to_stdout) {
        rc = write_all(c, by_index, n, total, header, "standard output", stdout, NULL);
        if (rc == MB_OK && fflush(stdout) != 0)
            rc = MB_ERROR(MB_EIO, "merge: cannot write standard output: %s", strerror(errno));
        goto done;
    }
    rc = write_files(c, by_index, n, total, header, out_csv, out_sidecar, out_timing, fp, prov,
                     n_prov);
done:
    for (size_t k = 0; sh && k < n; k++) {
        mb_sweep_sidecar_fini(&sh[k].sc);
        mb_free(sh[k].text);
        mb_free(sh[k].ttext);
        mb_free(sh[k].row);
        mb_free(sh[k].time);
    }
    mb_free(sh);
    mb_free(by_index);
    mb_free(seen);
    mb_free(header);
    mb_sweep_config_free(c);
    return rc;
}
