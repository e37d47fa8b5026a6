/* run.c: the sweep runner: rows appended in point order and flushed one by one (synced to disk
 * by the --sync policy), resume after an interruption with every kept row proved, shards for
 * job arrays, the row channel of MPI ranks, and the progress display. docs/design.md, "Sweeps,
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

/* Progress: a bar with rate and ETA on a terminal, a plain line every few seconds (and at the
 * end) otherwise. The ETA weights the points left by their preflight estimates, kind by kind
 * (analytic, measured), each kind's estimates scaled by the ratio of measured to estimated time
 * of the points of that kind done so far (the estimates as they are until one is done: the
 * kinds' errors are not alike, so one kind's ratio says nothing of the other's). */
typedef struct {
    FILE *f;
    int tty;
    size_t total, done, base, shown;
    double start, last, last_point, every;
    const double *est;          /* per point of this run, seconds */
    const unsigned char *kind;  /* per point: 0 analytic, 1 measured */
    double left[2], pred[2], spent[2];
} progress;

static void progress_point(progress *pg, size_t k)
{
    double t = mb_clock_wall();
    int kd = pg->kind[k];
    pg->left[kd] -= pg->est[k];
    pg->pred[kd] += pg->est[k];
    pg->spent[kd] += t - pg->last_point;
    pg->last_point = t;
}

static double progress_eta(const progress *pg)
{
    double ratio[2], eta = 0;
    for (int kd = 0; kd < 2; kd++)
        ratio[kd] = pg->pred[kd] > 0 ? pg->spent[kd] / pg->pred[kd] : NAN;
    for (int kd = 0; kd < 2; kd++)
        eta += (pg->left[kd] > 0 ? pg->left[kd] : 0) * (isfinite(ratio[kd]) ? ratio[kd] : 1.0);
    return eta;
}

static void progress_show(progress *pg, int final)
{
    if (pg->f == NULL)
        return;
    double t = mb_clock_wall(), el = t - pg->start;
    double every = pg->tty ? 0.1 : pg->every == 0 ? 2.0 : pg->every;
    if (!final && t - pg->last < every)
        return;
    if (final && !pg->tty && pg->shown == pg->done)
        return; /* the last plain line already said it */
    pg->shown = pg->done;
    pg->last = t;
    size_t new_done = pg->done - pg->base;
    double rate = el > 0 ? (double)new_done / el : 0;
    double eta = final ? 0 : progress_eta(pg);
    double frac = pg->total ? (double)pg->done / (double)pg->total : 1;
    char etas[32];
    if (isfinite(eta))
        snprintf(etas, sizeof etas, eta < 100 ? "%.1f s" : "%.0f s", eta);
    else
        snprintf(etas, sizeof etas, "-");
    if (pg->tty) {
        char bar[31];
        int w = (int)(frac * 30);
        for (int i = 0; i < 30; i++)
            bar[i] = i < w ? '#' : '.';
        bar[30] = '\0';
        fprintf(pg->f, "\r[%s] %zu/%zu %5.1f%%  %.1f points/s  ETA %s   ", bar, pg->done,
                pg->total, 100 * frac, rate, etas);
        if (final)
            fputc('\n', pg->f);
    } else {
        fprintf(pg->f, "membptt sweep: %zu/%zu points (%.0f%%), %.1f points/s, elapsed %.2f s, "
                "ETA %s\n", pg->done, pg->total, 100 * frac, rate, el, etas);
    }
    fflush(pg->f);
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

int mb_sweep_timing_line(const mb_sweep_config *c, size_t i, double secs, char *buf, size_t cap)
{
    mb_sweep_point pt;
    int rc = mb_sweep_point_get(c, i, &pt);
    if (rc != MB_OK)
        return rc;
    int n = snprintf(buf, cap, "%zu,%s,%s,%lld,%s,", i, pt.section->name, pt.solver->name,
                     (long long)pt.problem.steps, pt.budget ? pt.budget : "search");
    if (isfinite(secs) && n > 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, "%.6f", secs);
    return MB_OK;
}

const char mb_sweep_timing_header[] = "point,sweep,solver,steps,budget_spec,solve_seconds\n";

/* Rewrites the timing file for a run that keeps order[0 .. done): its header, then one line per
 * kept point (the last one the old file has for it, or an empty time when it has none, as
 * after a kill between a row and its time), whole or not at all. */
static int timing_restart(const mb_sweep_config *c, const char *path, const size_t *order,
                          size_t done)
{
    char *text = NULL, line[512];
    size_t len = 0;
    const char **have = mb_calloc(done ? done : 1, sizeof *have);
    if (have == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    struct stat st;
    if (done > 0 && stat(path, &st) == 0 && mb_read_file(path, &text, &len) != MB_OK)
        text = NULL; /* unreadable: the times are lost, the rows are not */
    for (char *p = text; p && *p;) {
        char *nl = strchr(p, '\n');
        if (nl == NULL)
            break; /* a torn last line */
        *nl = '\0';
        char *end;
        errno = 0;
        unsigned long long i = strtoull(p, &end, 10);
        if (end != p && *end == ',' && errno == 0) {
            /* order is increasing: find the kept position of point i */
            size_t lo = 0, hi = done;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (order[mid] < i)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < done && order[lo] == i)
                have[lo] = p;
        }
        p = nl + 1;
    }
    mb_atomic_file af;
    int rc = mb_atomic_open(&af, path);
    if (rc == MB_OK) {
        fputs(mb_sweep_timing_header, af.f);
        for (size_t k = 0; k < done && rc == MB_OK; k++) {
            if (have[k]) {
                fprintf(af.f, "%s\n", have[k]);
            } else if ((rc = mb_sweep_timing_line(c, order[k], NAN, line, sizeof line)) == MB_OK) {
                fprintf(af.f, "%s\n", line);
            }
        }
        if (rc == MB_OK)
            rc = mb_atomic_commit(&af);
        else
            mb_atomic_abort(&af);
    }
    mb_free(text);
    mb_free(have);
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

int mb_sweep_run(const mb_sweep_config *c, const mb_sweep_options *o, mb_sweep_result *res)
{
    memset(res, 0, sizeof *res);
    const mb_sweep_comm *comm = o->comm;
    int rank = comm ? comm->rank : 0, size = comm ? comm->size : 1;
    if (o->shard_count > 1 && comm)
        return MB_ERROR(MB_EINVAL, "--shard and MPI ranks do not combine; use one or the other");
    if (o->shard_count > 1 && (o->shard_index < 0 || o->shard_index >= o->shard_count))
        return MB_ERROR(MB_EINVAL, "--shard %d/%d: the index must be in [0, %d]", o->shard_index,
                        o->shard_count, o->shard_count - 1);
    size_t total = mb_sweep_point_count(c);
    size_t *order = mb_malloc((total ? total : 1) * sizeof *order);
    double *est = mb_malloc((total ? total : 1) * sizeof *est);
    unsigned char *kind = mb_malloc(total ? total : 1);
    mb_sweep_preflight_report plan = {0};
    int rc = MB_OK;
    if (order == NULL || est == NULL || kind == NULL) {
        mb_free(order);
        mb_free(est);
        mb_free(kind);
        return MB_ERROR(MB_ENOMEM, "out of memory");
    }
    size_t n_mine = 0;
    for (size_t i = 0; i < total; i++)
        if (mb_sweep_shard_owns(o->shard_index, o->shard_count, i))
            order[n_mine++] = i;
    /* every point checked before the first row (docs/design.md, "Sweeps, records and
     * figures"), with the estimates the ETA weights points by */
    if ((rc = mb_sweep_preflight(c, o->shard_index, o->shard_count, &plan, est)) != MB_OK) {
        mb_sweep_preflight_free(&plan);
        mb_free(order);
        mb_free(est);
        mb_free(kind);
        return rc;
    }
    for (size_t k = 0; k < n_mine; k++) {
        mb_sweep_point pt;
        kind[k] = mb_sweep_point_get(c, order[k], &pt) == MB_OK &&
                  pt.section->mode == MB_SWEEP_MEASURED;
    }
    res->points = n_mine;
    char fp[17];
    mb_sweep_fingerprint(c, fp);
    const char *dir = o->out_dir ? o->out_dir : ".";
    char stem[4200], csv[4300], sidecar[4300], timing[4300], line[512];
    if (o->shard_count > 1)
        snprintf(stem, sizeof stem, "%s/%s.shard-%d-of-%d", dir, c->name, o->shard_index,
                 o->shard_count);
    else
        snprintf(stem, sizeof stem, "%s/%s", dir, c->name);
    snprintf(csv, sizeof csv, "%s.csv", stem);
    snprintf(sidecar, sizeof sidecar, "%s.json", stem);
    snprintf(timing, sizeof timing, "%s.timing.csv", stem);
    snprintf(res->csv, sizeof res->csv, "%s", csv);

    kept kp = {0};
    mb_sweep_build now = {0};
    FILE *out = NULL, *tf = NULL;
    char *header = NULL;
    if (rank == 0) {
        if ((rc = mkdirs(dir)) != MB_OK || (rc = mb_sweep_regular_or_absent(csv, "the CSV")) ||
            (rc = mb_sweep_regular_or_absent(sidecar, "the sidecar")) ||
            (rc = mb_sweep_regular_or_absent(timing, "the timing file")))
            goto fail;
        if ((rc = mb_sweep_build_current(c, &now)) != MB_OK)
            goto fail;
        if ((rc = resume_check(c, o, csv, sidecar, fp, &now, order, n_mine, &kp)) != MB_OK)
            goto fail;
    }
    size_t done = kp.rows;
    if (comm && (rc = comm->bcast_size(comm->ctx, &done)) != MB_OK)
        goto fail;
    res->resumed = done;
    res->repaired = kp.repaired;
    mb_sweep_sidecar_info info = {.config = c, .fingerprint = fp, .csv = csv,
                                  .points = (int64_t)n_mine, .rows = (int64_t)done,
                                  .shard_index = o->shard_index, .shard_count = o->shard_count,
                                  .ranks = size, .provenance = kp.prov};
    if (rank == 0) {
        prov_append(&kp, &now, done, n_mine);
        info.n_provenance = kp.n_prov;
        info.complete = done == n_mine;
        if ((rc = mb_sweep_sidecar_write(sidecar, &info)) != MB_OK ||
            (rc = timing_restart(c, timing, order, done)) != MB_OK)
            goto fail;
        int fresh = done == 0;
        out = fopen(csv, fresh ? "w" : "a");
        if (out == NULL || (tf = fopen(timing, "a")) == NULL) {
            rc = MB_ERROR(MB_EIO, "cannot write %s: %s", out ? timing : csv, strerror(errno));
            goto fail;
        }
        if (fresh && ((rc = mb_sweep_header(c, &header)) != MB_OK ||
                      (rc = put(out, header, strlen(header), csv, 1)) != MB_OK))
            goto fail;
    }
    progress pg = {.f = rank == 0 ? o->progress : NULL, .total = n_mine, .done = done,
                   .base = done, .start = mb_clock_wall(), .est = est, .kind = kind,
                   .every = o->progress_every};
    pg.tty = pg.f && isatty(fileno(pg.f));
    pg.last_point = pg.start;
    for (size_t k = done; k < n_mine; k++)
        pg.left[kind[k]] += est[k];
    if (pg.f && done < n_mine) {
        fprintf(pg.f, "membptt sweep: %zu points to compute (%zu kept), estimated %.0f s "
                "analytic + %.0f s measured; memory peak %.0f MiB\n", n_mine - done, done,
                pg.left[0], pg.left[1], plan.peak_bytes / 1048576.0);
        fflush(pg.f);
    }
    double synced_at = mb_clock_wall();
    size_t synced_rows = done;
    double every = o->sync_every > 0 ? o->sync_every : MB_SWEEP_SYNC_SECONDS;
    for (size_t k = done; k < n_mine; k++) {
        size_t i = order[k];
        int owner = (int)(i % (size_t)size);
        char *text = NULL;
        size_t len = 0;
        double secs = 0;
        if (owner == rank) {
            mb_sweep_point pt;
            mb_record r;
            rc = mb_sweep_point_get(c, i, &pt);
            if (rc == MB_OK)
                rc = mb_sweep_point_eval(c, &pt, &r, &secs);
            if (rc == MB_OK)
                rc = row_text(&r, &text, &len);
            if (rank != 0) {
                /* a failure travels to rank 0 as its message with a negative time */
                const char *msg = rc == MB_OK ? text : mb_errmsg();
                int src = comm->send_row(comm->ctx, msg, strlen(msg), rc == MB_OK ? secs : -1.0);
                free(text);
                if ((rc != MB_OK && !o->skip_failed) || src != MB_OK)
                    goto fail;
                rc = src;
                continue;
            }
            if (rc != MB_OK) {
                free(text);
                text = NULL;
                if (!o->skip_failed || (rc = failed_row(c, o, i, mb_errmsg(), &text, &len)))
                    goto fail;
                secs = NAN;
                res->failed++;
            }
        } else if (rank == 0) {
            if ((rc = comm->recv_row(comm->ctx, owner, &text, &secs)) != MB_OK)
                goto fail;
            len = strlen(text);
            if (secs < 0) {
                char msg[1024];
                snprintf(msg, sizeof msg, "rank %d: %s", owner, text);
                free(text);
                text = NULL;
                if (!o->skip_failed) {
                    rc = MB_ERROR(MB_EINVAL, "%s", msg);
                    goto fail;
                }
                if ((rc = failed_row(c, o, i, msg, &text, &len)) != MB_OK)
                    goto fail;
                secs = NAN;
                res->failed++;
            }
        } else {
            continue;
        }
        /* the time first: a kill between the two leaves a time without its row, which the
         * resume drops, never a row without its time */
        int sync = o->sync == MB_SWEEP_SYNC_POINT ||
                   (o->sync == MB_SWEEP_SYNC_BATCH && k + 1 - synced_rows >= (size_t)every) ||
                   (o->sync == MB_SWEEP_SYNC_TIME && mb_clock_wall() - synced_at >= every);
        rc = mb_sweep_timing_line(c, i, secs, line, sizeof line);
        if (rc == MB_OK) {
            size_t ll = strlen(line);
            line[ll++] = '\n';
            rc = put(tf, line, ll, timing, sync);
        }
        if (rc == MB_OK)
            rc = put(out, text, len, csv, sync);
        free(text);
        if (rc != MB_OK)
            goto fail;
        if (sync) {
            synced_at = mb_clock_wall();
            synced_rows = k + 1;
        }
        res->computed++;
        pg.done = k + 1;
        progress_point(&pg, k);
        progress_show(&pg, 0);
    }
    if (rank == 0) {
        progress_show(&pg, 1);
        rc = put(out, "", 0, csv, 1);
        if (rc == MB_OK)
            rc = put(tf, "", 0, timing, 1);
        int e = fclose(out) != 0;
        out = NULL;
        e |= fclose(tf) != 0;
        tf = NULL;
        if (rc == MB_OK && e)
            rc = MB_ERROR(MB_EIO, "cannot close %s: %s", csv, strerror(errno));
        if (rc != MB_OK)
            goto fail;
        info.rows = (int64_t)n_mine;
        info.complete = 1;
        rc = mb_sweep_sidecar_write(sidecar, &info);
    }
fail:
    if (out)
        fclose(out);
    if (tf)
        fclose(tf);
    mb_free(header);
    mb_free(order);
    mb_free(est);
    mb_free(kind);
    mb_sweep_preflight_free(&plan);
    return rc;
}
