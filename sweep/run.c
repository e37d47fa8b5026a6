/* run.c: the sweep runner: rows appended in point order and flushed one by one (synced to disk
 * by the --sync policy), resume after an interruption with every kept row proved, shards for
 * job arrays and the row channel of MPI ranks (the progress display: progress.c). docs/design.md, "Sweeps,
 * records and figures". */
#include "sweep/internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/problem.h"
#include "measure/measure.h"

int mb_sweep_sync_parse(const char *key, const char *text, mb_sweep_options *o)
{
    int64_t n;
    size_t len = strlen(text);
    if (strcmp(text, "point") == 0) {
        o->sync = MB_SWEEP_SYNC_POINT;
    } else if (strcmp(text, "end") == 0) {
        o->sync = MB_SWEEP_SYNC_END;
    } else if (strncmp(text, "batch:", 6) == 0 &&
               mb_parse_int(key, text + 6, 1, 1000000000, &n) == MB_OK) {
        o->sync = MB_SWEEP_SYNC_BATCH;
        o->sync_every = (int)n;
    } else if (len > 1 && text[len - 1] == 's') {
        char num[32];
        snprintf(num, sizeof num, "%.*s", (int)(len - 1), text);
        if (len - 1 >= sizeof num || mb_parse_int(key, num, 1, 86400, &n) != MB_OK)
            goto bad;
        o->sync = MB_SWEEP_SYNC_TIME;
        o->sync_every = (int)n;
    } else {
        goto bad;
    }
    return MB_OK;
bad:
    return MB_ERROR(MB_EINVAL, "%s '%s': expected point (sync every row), batch:N (every N "
                    "rows), Ns (every N seconds, 1 to 86400; the default is %ds) or end",
                    key, text, MB_SWEEP_SYNC_SECONDS);
}

static int mkdirs(const char *dir)
{
    char buf[4096];
    if (dir[0] == '\0')
        return MB_ERROR(MB_EINVAL, "--out '': an output folder is required");
    snprintf(buf, sizeof buf, "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return MB_ERROR(MB_EIO, "cannot create folder %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return MB_ERROR(MB_EIO, "cannot create folder %s: %s", buf, strerror(errno));
    return MB_OK;
}

/* Formats a record as its CSV row (no header) into a new string (open_memstream's: given back
 * with free, as the rows recv_row receives are). */
static int row_text(const mb_record *r, char **out, size_t *len)
{
    FILE *m = open_memstream(out, len);
    if (m == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    int rc = mb_record_print(m, r, MB_FORMAT_CSV, 0);
    fclose(m);
    return rc;
}

/* The row of point i that failed with message `msg`, for --skip-failed: its identifying
 * columns, empty values, status "failed"; the message goes to the progress stream. */
static int failed_row(const mb_sweep_config *c, const mb_sweep_options *o, size_t i,
                      const char *msg, char **text, size_t *len)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", msg);
    mb_sweep_point pt;
    mb_record *r = mb_malloc(sizeof *r);
    if (r == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    int rc = mb_sweep_point_get(c, i, &pt);
    if (rc == MB_OK)
        rc = mb_sweep_point_failed(c, &pt, r);
    if (rc == MB_OK)
        rc = row_text(r, text, len);
    mb_free(r);
    if (rc == MB_OK && o->progress) {
        fprintf(o->progress, "\nmembptt sweep: point %zu failed; recorded with status failed "
                "(--skip-failed): %s\n", i, copy);
        fflush(o->progress);
    }
    return rc;
}

/* What a resume keeps: the number of rows and the provenance of those rows. */
typedef struct {
    size_t rows, repaired;
    mb_sweep_build prov[MB_SWEEP_MAX_PROVENANCE];
    size_t n_prov;
} kept;

/* Checks an existing CSV for resume (docs/design.md, "Sweeps, records and figures"): the
 * sidecar is read (a corrupt one is an error), its fingerprint and the header must be this
 * sweep's, a partial last line is cut off, and every complete row must be its point's and come
 * from this build. With o->repair, the rows from the first bad one on are cut off instead of
 * being an error. Nothing is kept when the file is absent, empty or a torn header. */
static int resume_check(const mb_sweep_config *c, const mb_sweep_options *o, const char *csv,
                        const char *sidecar, const char *fp, const mb_sweep_build *now,
                        const size_t *order, size_t n_mine, kept *out)
{
    memset(out, 0, sizeof *out);
    struct stat st;
    if (stat(csv, &st) != 0 || st.st_size == 0)
        return MB_OK;
    char *text = NULL, *header = NULL, why[600];
    size_t len;
    mb_sweep_sidecar sc = {0};
    int rc = mb_sweep_header(c, &header);
    if (rc != MB_OK || (rc = mb_read_file(csv, &text, &len)) != MB_OK)
        goto done;
    size_t hl = strlen(header);
    if (len < hl && memcmp(text, header, len) == 0 && memchr(text, '\n', len) == NULL) {
        /* a header cut while it was written: nothing to keep, start again */
        goto done;
    }
    if (stat(sidecar, &st) != 0) {
        rc = MB_ERROR(MB_EINVAL, "%s exists but its metadata %s does not, so it cannot be "
                      "resumed safely; remove it or choose another --out", csv, sidecar);
        goto done;
    }
    if ((rc = mb_sweep_sidecar_read(sidecar, &sc)) != MB_OK)
        goto done;
    if (strcmp(sc.fingerprint, fp) != 0) {
        rc = MB_ERROR(MB_EINVAL, "%s was written by a different sweep (config fingerprint %s, "
                      "this config %s); remove it or choose another --out", csv, sc.fingerprint,
                      fp);
        goto done;
    }
    int want_count = o->shard_count > 1 ? o->shard_count : 1;
    int want_index = o->shard_count > 1 ? o->shard_index : 0;
    if (sc.shard_count != want_count || sc.shard_index != want_index) {
        rc = MB_ERROR(MB_EINVAL, "%s: its sidecar says shard %d of %d, this run is shard %d of "
                      "%d; remove it or choose another --out", csv, sc.shard_index,
                      sc.shard_count, want_index, want_count);
        goto done;
    }
    if (len < hl || memcmp(text, header, hl) != 0) {
        rc = MB_ERROR(MB_EINVAL, "%s: its header differs from this sweep's columns; remove it "
                      "or choose another --out", csv);
        goto done;
    }
    /* cut a partial last line (the row in flight when the sweep was stopped) */
    size_t keep = len;
    while (keep > hl && text[keep - 1] != '\n')
        keep--;
    size_t k = 0;
    const char *line = text + hl;
    while (line < text + keep) {
        const char *nl = memchr(line, '\n', (size_t)(text + keep - line));
        size_t lineno = k + 2;
        if (k >= n_mine)
            rc = MB_ERROR(MB_EPARSE, "%s:%zu: the file has more rows than this sweep has "
                          "points (%zu)", csv, lineno, n_mine);
        else
            rc = mb_sweep_row_check(c, csv, lineno, line, (size_t)(nl - line), order[k]);
        if (rc != MB_OK) {
            if (!o->repair) {
                rc = MB_ERROR(rc, "%s; rerun with --repair to compute the rows from this one on "
                              "again, or remove the file", mb_errmsg());
                goto done;
            }
            rc = MB_OK;
            for (const char *q = line; q < text + keep; q++)
                out->repaired += *q == '\n';
            keep = (size_t)(line - text);
            break;
        }
        k++;
        line = nl + 1;
    }
    /* the provenance of the kept rows: this build's, unless other builds were accepted */
    for (size_t i = 0; i < sc.n_provenance && (size_t)sc.provenance[i].rows_from < k; i++) {
        mb_sweep_build b = sc.provenance[i];
        if ((size_t)b.rows_to > k || i + 1 == sc.n_provenance)
            b.rows_to = (int64_t)k;
        mb_sweep_build_diff(&b, now, why, sizeof why);
        if (why[0] && !o->accept_other_build) {
            rc = MB_ERROR(MB_EINVAL, "%s: rows %lld to %lld were written by another build or "
                          "machine (%s); rerun with --accept-other-build to keep them (the "
                          "sidecar records which rows came from which), or remove the file",
                          csv, (long long)b.rows_from + 1, (long long)b.rows_to, why);
            goto done;
        }
        out->prov[out->n_prov++] = b;
    }
    if (out->n_prov == 0 && k > 0) {
        rc = MB_ERROR(MB_EINVAL, "%s: its sidecar %s records no build for its %zu rows; remove "
                      "the file", csv, sidecar, k);
        goto done;
    }
    if (keep < len && truncate(csv, (off_t)keep) != 0) {
        rc = MB_ERROR(MB_EIO, "cannot truncate %s: %s", csv, strerror(errno));
        goto done;
    }
    out->rows = k;
done:
    mb_sweep_sidecar_fini(&sc);
    mb_free(text);
    mb_free(header);
    return rc;
}

/* Appends the range [from, to) of this build to the provenance, joining it to the last range
 * when that is the same build. */
static void prov_append(kept *kp, const mb_sweep_build *now, size_t from, size_t to)
{
    char why[600];
    if (kp->n_prov > 0) {
        mb_sweep_build *last = &kp->prov[kp->n_prov - 1];
        mb_sweep_build_diff(last, now, why, sizeof why);
        if (why[0] == '\0') {
            last->rows_to = (int64_t)to;
            return;
        }
    }
    if (kp->n_prov == MB_SWEEP_MAX_PROVENANCE) /* keep the count bounded: join the oldest two */
        memmove(kp->prov, kp->prov + 1, --kp->n_prov * sizeof *kp->prov);
    mb_sweep_build b = *now;
    b.rows_from = (int64_t)from;
    b.rows_to = (int64_t)to;
    kp->prov[kp->n_prov++] = b;
}

/* Flushes a row's bytes to the file (always) and to the disk (when `sync`). */
static int put(FILE *f, const char *text, size_t len, const char *path, int sync)
{
    if (fwrite(text, 1, len, f) != len || fflush(f) != 0 || (sync && fsync(fileno(f)) != 0))
        return MB_ERROR(MB_EIO, "cannot write %s: %s", path, strerror(errno));
    return MB_OK;
}

/* What one run of a sweep works with: the points of this process, their estimates, and the
 * outputs rank 0 writes, with how many of their bytes are complete rows. */
typedef struct {
    const mb_sweep_config *c;
    const mb_sweep_options *o;
    int rank, size;
    size_t n_mine;        /* this process's (or shard's) points */
    size_t *order;        /* their indices, increasing */
    double *est;          /* their estimated seconds (preflight) */
    unsigned char *kind;  /* 1 for a measured point */
    mb_sweep_preflight_report plan;
    char fp[17];
    char csv[4300], sidecar[4300], timing[4300];
    FILE *out, *tf;
    off_t csv_good, timing_good; /* bytes that end with a complete row (rank 0) */
    double synced_at;
    size_t synced_rows;
} runner;

/* The points of this process (its shard's), checked before the first row (docs/design.md,
 * "Sweeps, records and figures"), with the estimates the ETA weights them by. */
static int runner_init(runner *w, const mb_sweep_config *c, const mb_sweep_options *o)
{
    memset(w, 0, sizeof *w);
    w->c = c;
    w->o = o;
    w->rank = o->comm ? o->comm->rank : 0;
    w->size = o->comm ? o->comm->size : 1;
    if (o->shard_count > 1 && o->comm)
        return MB_ERROR(MB_EINVAL, "--shard and MPI ranks do not combine; use one or the other");
    if (o->shard_count > 1 && (o->shard_index < 0 || o->shard_index >= o->shard_count))
        return MB_ERROR(MB_EINVAL, "--shard %d/%d: the index must be in [0, %d]", o->shard_index,
                        o->shard_count, o->shard_count - 1);
    size_t total = mb_sweep_point_count(c);
    w->order = mb_malloc((total ? total : 1) * sizeof *w->order);
    w->est = mb_malloc((total ? total : 1) * sizeof *w->est);
    w->kind = mb_malloc(total ? total : 1);
    if (w->order == NULL || w->est == NULL || w->kind == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    for (size_t i = 0; i < total; i++)
        if (mb_sweep_shard_owns(o->shard_index, o->shard_count, i))
            w->order[w->n_mine++] = i;
    int rc = mb_sweep_preflight(c, o->shard_index, o->shard_count, &w->plan, w->est);
    if (rc != MB_OK)
        return rc;
    for (size_t k = 0; k < w->n_mine; k++) {
        mb_sweep_point pt;
        w->kind[k] = mb_sweep_point_get(c, w->order[k], &pt) == MB_OK &&
                     pt.section->mode == MB_SWEEP_MEASURED;
    }
    mb_sweep_fingerprint(c, w->fp);
    const char *dir = o->out_dir ? o->out_dir : ".";
    char stem[4200];
    if (o->shard_count > 1)
        snprintf(stem, sizeof stem, "%s/%s.shard-%d-of-%d", dir, c->name, o->shard_index,
                 o->shard_count);
    else
        snprintf(stem, sizeof stem, "%s/%s", dir, c->name);
    snprintf(w->csv, sizeof w->csv, "%s.csv", stem);
    snprintf(w->sidecar, sizeof w->sidecar, "%s.json", stem);
    snprintf(w->timing, sizeof w->timing, "%s.timing.csv", stem);
    return MB_OK;
}

/* The size of an open file, as the position the next complete row starts at. */
static off_t size_of(FILE *f)
{
    struct stat st;
    return fstat(fileno(f), &st) == 0 ? st.st_size : 0;
}

/* Rank 0, after the resume check kept `done` rows: the sidecar (whole or not at all), the
 * timing file restarted with the kept points, the CSV opened to append (with its header when
 * it starts fresh). */
static int runner_open(runner *w, const mb_sweep_sidecar_info *info, size_t done)
{
    int rc;
    if ((rc = mb_sweep_sidecar_write(w->sidecar, info)) != MB_OK ||
        (rc = mb_sweep_timing_restart(w->c, w->timing, w->order, done)) != MB_OK)
        return rc;
    int fresh = done == 0;
    w->out = fopen(w->csv, fresh ? "w" : "a");
    if (w->out == NULL || (w->tf = fopen(w->timing, "a")) == NULL)
        return MB_ERROR(MB_EIO, "cannot write %s: %s", w->out ? w->timing : w->csv,
                        strerror(errno));
    w->timing_good = size_of(w->tf);
    if (fresh) {
        char *header = NULL;
        if ((rc = mb_sweep_header(w->c, &header)) == MB_OK)
            rc = put(w->out, header, strlen(header), w->csv, 1);
        mb_free(header);
        if (rc != MB_OK)
            return rc;
    }
    w->csv_good = size_of(w->out);
    return MB_OK;
}

/* Closes the outputs. After a failure (rc != MB_OK) the files are cut back to their last
 * complete row, so a full disk or an I/O error leaves no torn row and the kept rows resume
 * (a CSV that never got its header is removed). The stream is closed first: what its buffer
 * still held must not land after the cut. */
static int runner_close(runner *w, int rc)
{
    int e = 0;
    if (w->out)
        e |= fclose(w->out) != 0;
    if (w->tf)
        e |= fclose(w->tf) != 0;
    int opened = w->out != NULL;
    w->out = w->tf = NULL;
    if (rc == MB_OK && e)
        return MB_ERROR(MB_EIO, "cannot close %s: %s", w->csv, strerror(errno));
    if (rc == MB_OK || !opened || mb_exit_status(rc) != 1)
        return rc;
    char msg[2048];
    snprintf(msg, sizeof msg, "%s", mb_errmsg());
    int cut = w->csv_good > 0 ? truncate(w->csv, w->csv_good) : unlink(w->csv);
    cut |= truncate(w->timing, w->timing_good);
    return MB_ERROR(rc, "%s; %s", msg,
                    cut ? "the files could not be cut back to their last complete row (a "
                          "rerun drops a torn row)"
                        : "the rows written before it are kept whole; rerun the same command "
                          "to resume when there is room");
}

/* The row of point i into *text: computed here, or (rank 0) received from the rank that owns
 * it. *mine = 0 when this process writes nothing for it (another rank's point, or a point this
 * rank computed and sent). A failed point is its failed row under --skip-failed. */
static int point_row(runner *w, size_t i, char **text, size_t *len, double *secs, int *mine,
                     size_t *failed)
{
    const mb_sweep_comm *comm = w->o->comm;
    int owner = (int)(i % (size_t)w->size), rc = MB_OK;
    *text = NULL;
    *mine = 0;
    *secs = 0;
    if (owner == w->rank) {
        mb_sweep_point pt;
        mb_record r;
        rc = mb_sweep_point_get(w->c, i, &pt);
        if (rc == MB_OK)
            rc = mb_sweep_point_eval(w->c, &pt, &r, secs);
        if (rc == MB_OK)
            rc = row_text(&r, text, len);
        if (w->rank != 0) {
            /* a failure travels to rank 0 as its message with a negative time */
            const char *msg = rc == MB_OK ? *text : mb_errmsg();
            int src = comm->send_row(comm->ctx, msg, strlen(msg), rc == MB_OK ? *secs : -1.0);
            free(*text); /* open_memstream's: the C library's free */
            *text = NULL;
            return rc != MB_OK && !w->o->skip_failed ? rc : src;
        }
        if (rc == MB_OK) {
            *mine = 1;
            return MB_OK;
        }
        free(*text);
        *text = NULL;
        if (!w->o->skip_failed || (rc = failed_row(w->c, w->o, i, mb_errmsg(), text, len)))
            return rc;
    } else if (w->rank == 0) {
        if ((rc = comm->recv_row(comm->ctx, owner, text, secs)) != MB_OK)
            return rc;
        *len = strlen(*text);
        *mine = 1;
        if (*secs >= 0)
            return MB_OK;
        char msg[1024];
        snprintf(msg, sizeof msg, "rank %d: %s", owner, *text);
        free(*text);
        *text = NULL;
        if (!w->o->skip_failed)
            return MB_ERROR(MB_EINVAL, "%s", msg);
        if ((rc = failed_row(w->c, w->o, i, msg, text, len)) != MB_OK)
            return rc;
    } else {
        return MB_OK;
    }
    *mine = 1;
    *secs = NAN;
    (*failed)++;
    return MB_OK;
}

/* Appends the row of the k-th point (index i): its time first, so a kill between the two
 * leaves a time without its row, which the resume drops, never a row without its time; synced
 * to the disk by the --sync policy. */
static int write_row(runner *w, size_t k, size_t i, const char *text, size_t len, double secs)
{
    const mb_sweep_options *o = w->o;
    double every = o->sync_every > 0 ? o->sync_every : MB_SWEEP_SYNC_SECONDS;
    int sync = o->sync == MB_SWEEP_SYNC_POINT ||
               (o->sync == MB_SWEEP_SYNC_BATCH && k + 1 - w->synced_rows >= (size_t)every) ||
               (o->sync == MB_SWEEP_SYNC_TIME && mb_clock_wall() - w->synced_at >= every);
    char line[512];
    int rc = mb_sweep_timing_line(w->c, i, secs, line, sizeof line);
    if (rc != MB_OK)
        return rc;
    size_t ll = strlen(line);
    line[ll++] = '\n';
    if ((rc = put(w->tf, line, ll, w->timing, sync)) != MB_OK ||
        (rc = put(w->out, text, len, w->csv, sync)) != MB_OK)
        return rc;
    w->timing_good += (off_t)ll;
    w->csv_good += (off_t)len;
    if (sync) {
        w->synced_at = mb_clock_wall();
        w->synced_rows = k + 1;
    }
    return MB_OK;
}

int mb_sweep_run(const mb_sweep_config *c, const mb_sweep_options *o, mb_sweep_result *res)
{
    memset(res, 0, sizeof *res);
    runner w;
    kept kp = {0};
    mb_sweep_build now = {0};
    int rc = runner_init(&w, c, o);
    res->points = w.n_mine;
    snprintf(res->csv, sizeof res->csv, "%s", w.csv);
    if (rc == MB_OK && w.rank == 0) {
        const char *dir = o->out_dir ? o->out_dir : ".";
        if ((rc = mkdirs(dir)) != MB_OK ||
            (rc = mb_sweep_regular_or_absent(w.csv, "the CSV")) ||
            (rc = mb_sweep_regular_or_absent(w.sidecar, "the sidecar")) ||
            (rc = mb_sweep_regular_or_absent(w.timing, "the timing file")) ||
            (rc = mb_sweep_build_current(c, &now)) != MB_OK)
            goto fail;
        rc = resume_check(c, o, w.csv, w.sidecar, w.fp, &now, w.order, w.n_mine, &kp);
    }
    size_t done = kp.rows;
    if (rc == MB_OK && o->comm)
        rc = o->comm->bcast_size(o->comm->ctx, &done);
    if (rc != MB_OK)
        goto fail;
    res->resumed = done;
    res->repaired = kp.repaired;
    mb_sweep_sidecar_info info = {.config = c, .fingerprint = w.fp, .csv = w.csv,
                                  .points = (int64_t)w.n_mine, .rows = (int64_t)done,
                                  .shard_index = o->shard_index, .shard_count = o->shard_count,
                                  .ranks = w.size, .provenance = kp.prov};
    if (w.rank == 0) {
        prov_append(&kp, &now, done, w.n_mine);
        info.n_provenance = kp.n_prov;
        info.complete = done == w.n_mine;
        if ((rc = runner_open(&w, &info, done)) != MB_OK)
            goto fail;
    }
    mb_sweep_progress pg = {.f = w.rank == 0 ? o->progress : NULL, .total = w.n_mine,
                            .done = done, .base = done, .start = mb_clock_wall(), .est = w.est,
                            .kind = w.kind, .every = o->progress_every};
    pg.tty = pg.f && isatty(fileno(pg.f));
    pg.last_point = pg.start;
    for (size_t k = done; k < w.n_mine; k++)
        pg.left[w.kind[k]] += w.est[k];
    if (pg.f && done < w.n_mine) {
        fprintf(pg.f, "membptt sweep: %zu points to compute (%zu kept), estimated %.0f s "
                "analytic + %.0f s measured; memory peak %.0f MiB\n", w.n_mine - done, done,
                pg.left[0], pg.left[1], w.plan.peak_bytes / 1048576.0);
        fflush(pg.f);
    }
    w.synced_at = mb_clock_wall();
    w.synced_rows = done;
    for (size_t k = done; k < w.n_mine && rc == MB_OK; k++) {
        char *text = NULL;
        size_t len = 0;
        double secs;
        int mine;
        rc = point_row(&w, w.order[k], &text, &len, &secs, &mine, &res->failed);
        if (rc == MB_OK && mine) {
            rc = write_row(&w, k, w.order[k], text, len, secs);
            res->computed += rc == MB_OK;
            pg.done = k + 1;
            mb_sweep_progress_point(&pg, k);
            mb_sweep_progress_show(&pg, 0);
        }
        free(text); /* open_memstream's: the C library's free */
    }
    if (rc == MB_OK && w.rank == 0) {
        mb_sweep_progress_show(&pg, 1);
        if ((rc = put(w.out, "", 0, w.csv, 1)) == MB_OK)
            rc = put(w.tf, "", 0, w.timing, 1);
        if ((rc = runner_close(&w, rc)) == MB_OK) {
            info.rows = (int64_t)w.n_mine;
            info.complete = 1;
            rc = mb_sweep_sidecar_write(w.sidecar, &info);
        }
    }
fail:
    rc = runner_close(&w, rc);
    mb_free(w.order);
    mb_free(w.est);
    mb_free(w.kind);
    mb_sweep_preflight_free(&w.plan);
    return rc;
}
