/* run.c: the sweep runner: rows appended and synced one by one, resume after an interruption,
 * shards for job arrays, a row channel for MPI ranks, the JSON metadata sidecar, merging
 * shards, and the progress display. docs/design.md, "Sweeps". */
#include "sweep/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_version.h>

#include "core/error.h"
#include "core/fileio.h"
#include "core/json.h"
#include "measure/measure.h"


#ifndef MB_VERSION
#define MB_VERSION "unknown"
#endif
#ifndef MB_INIH_VERSION
#define MB_INIH_VERSION "unknown"
#endif

static void fnv(uint64_t *h, const char *s)
{
    for (; *s; s++) {
        *h ^= (unsigned char)*s;
        *h *= UINT64_C(1099511628211);
    }
    *h ^= 0xff; /* separator */
    *h *= UINT64_C(1099511628211);
}

/* The identifying columns of a point, as its CSV row begins ("sweep,mode,...,budget,"). The
 * budget of a search is not known before solving, so a search row is identified up to
 * budget_spec. */
static int ident_prefix(const mb_sweep_config *c, size_t i, char *buf, size_t cap)
{
    mb_sweep_point pt;
    int rc = mb_sweep_point_get(c, i, &pt);
    if (rc != MB_OK)
        return rc;
    const mb_problem *p = &pt.problem;
    char ub[32] = "";
    if (p->unit_bytes > 0)
        snprintf(ub, sizeof ub, "%lld", (long long)p->unit_bytes);
    char spec[64];
    if (pt.budget)
        snprintf(spec, sizeof spec, "%s", pt.budget);
    else
        snprintf(spec, sizeof spec, "cost<=%g/step", pt.section->target_cost_per_step);
    int n = snprintf(buf, cap, "%s,%s,%s,%lld,%lld,%lld,%s,%s,", pt.section->name,
                     pt.section->mode == MB_SWEEP_MEASURED ? "measured" : "analytic",
                     pt.solver->name, (long long)p->steps, (long long)p->hidden_units,
                     (long long)p->internal_units, ub, spec);
    if (pt.budget && n > 0 && (size_t)n < cap)
        snprintf(buf + n, cap - (size_t)n, "%lld,", (long long)p->budget);
    return MB_OK;
}

static void header_line(const mb_sweep_config *c, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t i = 0; i < c->n_columns; i++)
        snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s", i ? "," : "", c->columns[i]);
    snprintf(buf + strlen(buf), cap - strlen(buf), "\n");
}

void mb_sweep_fingerprint(const mb_sweep_config *c, char hex[17])
{
    uint64_t h = UINT64_C(1469598103934665603);
    char buf[16384];
    header_line(c, buf, sizeof buf);
    fnv(&h, buf);
    snprintf(buf, sizeof buf, "cost %.17g %.17g %.17g dp %d", c->cost.forward, c->cost.backward,
             c->cost.copy, (int)c->solve.dp_method);
    fnv(&h, buf);
    size_t n = mb_sweep_point_count(c);
    for (size_t i = 0; i < n; i++)
        if (ident_prefix(c, i, buf, sizeof buf) == MB_OK)
            fnv(&h, buf);
    snprintf(hex, 17, "%016llx", (unsigned long long)h);
}

static int mkdirs(const char *dir)
{
    char buf[4096];
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

/* Extracts the value of a top-level "key" from our own sidecar JSON (strings and integers). */
static int sidecar_get(const char *text, const char *key, char *out, size_t cap)
{
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(text, pat);
    if (p == NULL)
        return 0;
    p += strlen(pat);
    size_t n = 0;
    if (*p == '"') {
        p++;
        while (p[n] && p[n] != '"')
            n++;
    } else {
        while (p[n] && p[n] != ',' && p[n] != '\n' && p[n] != '}')
            n++;
    }
    if (n >= cap)
        return 0;
    memcpy(out, p, n);
    out[n] = '\0';
    return 1;
}

static void json_kv(FILE *f, const char *key, const char *value, int comma)
{
    fputs("  ", f);
    mb_json_write_string(f, key);
    fputs(": ", f);
    if (value)
        mb_json_write_string(f, value);
    else
        fputs("null", f);
    fputs(comma ? ",\n" : "\n", f);
}

/* The sidecar: what made the rows, where, with what (docs/design.md, "Records"). */
static int write_sidecar(const char *path, const mb_sweep_config *c, const mb_sweep_options *o,
                         const char *fp, size_t points, size_t rows, int complete,
                         const char *csv)
{
    mb_atomic_file af;
    int rc = mb_atomic_open(&af, path);
    if (rc != MB_OK)
        return rc;
    FILE *f = af.f;
    fputs("{\n", f);
    json_kv(f, "format", "membptt-sweep-metadata", 1);
    fputs("  \"version\": 1,\n", f);
    json_kv(f, "csv", csv, 1);
    json_kv(f, "config", c->path, 1);
    json_kv(f, "name", c->name, 1);
    json_kv(f, "fingerprint", fp, 1);
    fprintf(f, "  \"points\": %zu,\n  \"rows\": %zu,\n  \"complete\": %s,\n", points, rows,
            complete ? "true" : "false");
    int sc = o->shard_count > 1 ? o->shard_count : 1;
    fprintf(f, "  \"shard_index\": %d,\n  \"shard_count\": %d,\n", o->shard_count > 1 ? o->shard_index : 0, sc);
    fprintf(f, "  \"ranks\": %d,\n", o->comm ? o->comm->size : 1);
    json_kv(f, "timing_file", "NAME.timing.csv: solve_seconds per point (kept out of the rows so "
            "that reruns and merges are byte-identical)", 1);
    fprintf(f, "  \"versions\": {\"membptt\": \"%s\", \"gsl\": \"%s\", \"inih\": \"%s\"},\n",
            MB_VERSION, GSL_VERSION, MB_INIH_VERSION);
    /* machine, library versions, git commit, OPENBLAS_* environment: measure/'s metadata */
    mb_meta meta;
    /* The requested counters as this machine can count them: availability, source, notice. */
    mb_counters *cc = NULL;
    if (c->n_counters > 0) {
        char events[2048] = "";
        for (size_t e = 0; e < c->n_counters; e++)
            snprintf(events + strlen(events), sizeof events - strlen(events), "%s%s",
                     e ? "," : "", c->counters[e]);
        if (mb_counters_open_key("[counters] events", events, &cc) != MB_OK)
            cc = NULL;
    }
    if (mb_meta_init(&meta, -1) == MB_OK) {
        fputs("  \"run\": ", f);
        mb_meta_write_json(f, &meta, cc, NULL, 0);
        fseek(f, -1, SEEK_CUR); /* replace its newline */
        fputs(",\n", f);
    } else {
        fputs("  \"run\": null,\n", f);
    }
    mb_meta_fini(&meta);
    fputs("  \"cost_model\": {", f);
    fprintf(f, "\"forward\": %.17g, \"backward\": %.17g, \"copy\": %.17g},\n", c->cost.forward,
            c->cost.backward, c->cost.copy);
    fputs("  \"counters\": {\"requested\": [", f);
    for (size_t i = 0; i < c->n_counters; i++) {
        fputs(i ? ", " : "", f);
        mb_json_write_string(f, c->counters[i]);
    }
    fputs("], \"note\": \"analytic rows read no counters; measured rows count them through the "
          "executor; run.counters says which this machine can count, from where, or why not\"},\n",
          f);
    mb_counters_close(cc);
    fputs("  \"config_text\": ", f);
    mb_json_write_string(f, c->text ? c->text : "");
    fputs("\n}\n", f);
    return mb_atomic_commit(&af);
}

/* Progress on stderr: a bar with rate and ETA on a terminal, a plain line every few seconds
 * (and at the end) otherwise. */
typedef struct {
    int on, tty;
    size_t total, done, base, shown;
    double start, last;
} progress;

static void progress_show(progress *pg, int final)
{
    if (!pg->on)
        return;
    double t = mb_clock_wall(), el = t - pg->start;
    if (!final && t - pg->last < (pg->tty ? 0.1 : 2.0))
        return;
    if (final && !pg->tty && pg->shown == pg->done)
        return; /* the last plain line already said it */
    pg->shown = pg->done;
    pg->last = t;
    size_t new_done = pg->done - pg->base;
    double rate = el > 0 ? (double)new_done / el : 0;
    double eta = rate > 0 ? (double)(pg->total - pg->done) / rate : NAN;
    double frac = pg->total ? (double)pg->done / (double)pg->total : 1;
    char etas[32];
    if (isfinite(eta))
        snprintf(etas, sizeof etas, "%.0f s", eta);
    else
        snprintf(etas, sizeof etas, "-");
    if (pg->tty) {
        char bar[31];
        int w = (int)(frac * 30);
        for (int i = 0; i < 30; i++)
            bar[i] = i < w ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r[%s] %zu/%zu %5.1f%%  %.1f points/s  ETA %s   ", bar, pg->done,
                pg->total, 100 * frac, rate, etas);
        if (final)
            fputc('\n', stderr);
    } else {
        fprintf(stderr, "membptt sweep: %zu/%zu points (%.0f%%), %.1f points/s, ETA %s\n",
                pg->done, pg->total, 100 * frac, rate, etas);
    }
    fflush(stderr);
}

/* Formats a record as its CSV row (no header) into a new string. */
static int row_text(const mb_record *r, char **out, size_t *len)
{
    FILE *m = open_memstream(out, len);
    if (m == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    int rc = mb_record_print(m, r, MB_FORMAT_CSV, 0);
    fclose(m);
    return rc;
}

static int write_synced(FILE *f, const char *text, size_t len, const char *path)
{
    if (fwrite(text, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0)
        return MB_ERROR(MB_EIO, "cannot write %s: %s", path, strerror(errno));
    return MB_OK;
}

/* Whether point i belongs to this process (shard) and, under MPI, which rank computes it. */
static int mine(const mb_sweep_options *o, size_t i)
{
    return o->shard_count <= 1 || (int)(i % (size_t)o->shard_count) == o->shard_index;
}

/* Checks an existing CSV for resume; *rows gets its complete rows (a partial last line is
 * cut off the file). *rows = 0 and nothing checked when the file is absent or empty. */
static int resume_check(const mb_sweep_config *c, const mb_sweep_options *o, const char *csv,
                        const char *sidecar, const char *fp, const size_t *order, size_t n_mine,
                        size_t *rows)
{
    *rows = 0;
    struct stat st;
    if (stat(csv, &st) != 0 || st.st_size == 0)
        return MB_OK;
    char *text, *meta;
    size_t len, mlen;
    int rc = mb_read_file(csv, &text, &len);
    if (rc != MB_OK)
        return rc;
    if (mb_read_file(sidecar, &meta, &mlen) != MB_OK) {
        free(text);
        return MB_ERROR(MB_EINVAL, "%s exists but its metadata %s does not, so it cannot be "
                        "resumed safely; remove it or choose another --out", csv, sidecar);
    }
    char got[64] = "";
    sidecar_get(meta, "fingerprint", got, sizeof got);
    free(meta);
    if (strcmp(got, fp) != 0) {
        free(text);
        return MB_ERROR(MB_EINVAL, "%s was written by a different sweep (config fingerprint %s, "
                        "this config %s); remove it or choose another --out", csv, got, fp);
    }
    char header[16384];
    header_line(c, header, sizeof header);
    size_t hl = strlen(header);
    if (len < hl || memcmp(text, header, hl) != 0) {
        free(text);
        return MB_ERROR(MB_EINVAL, "%s: its header differs from this sweep's columns; remove it "
                        "or choose another --out", csv);
    }
    /* cut a partial last line (the row in flight when the sweep was stopped) */
    size_t keep = len;
    while (keep > hl && text[keep - 1] != '\n')
        keep--;
    if (keep < len && truncate(csv, (off_t)keep) != 0) {
        free(text);
        return MB_ERROR(MB_EIO, "cannot truncate %s: %s", csv, strerror(errno));
    }
    size_t k = 0;
    const char *line = text + hl;
    char prefix[4096];
    while (line < text + keep) {
        const char *nl = memchr(line, '\n', (size_t)(text + keep - line));
        if (k >= n_mine) {
            free(text);
            return MB_ERROR(MB_EINVAL, "%s has more rows than this sweep has points (%zu); "
                            "remove it or choose another --out", csv, n_mine);
        }
        if ((rc = ident_prefix(c, order[k], prefix, sizeof prefix)) != MB_OK) {
            free(text);
            return rc;
        }
        if (strncmp(line, prefix, strlen(prefix)) != 0) {
            free(text);
            return MB_ERROR(MB_EINVAL, "%s: row %zu is not point %zu of this sweep (expected it "
                            "to begin '%s'); remove it or choose another --out", csv, k + 1,
                            order[k], prefix);
        }
        k++;
        line = nl + 1;
    }
    (void)o;
    free(text);
    *rows = k;
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
    int rc = mb_sweep_config_check(c);
    if (rc != MB_OK)
        return rc;
    size_t total = mb_sweep_point_count(c);
    size_t *order = malloc((total ? total : 1) * sizeof *order);
    if (order == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    size_t n_mine = 0;
    for (size_t i = 0; i < total; i++)
        if (mine(o, i))
            order[n_mine++] = i;
    res->points = n_mine;
    char fp[17];
    mb_sweep_fingerprint(c, fp);
    const char *dir = o->out_dir ? o->out_dir : ".";
    char stem[4200], csv[4300], sidecar[4300], timing[4300];
    if (o->shard_count > 1)
        snprintf(stem, sizeof stem, "%s/%s.shard-%d-of-%d", dir, c->name, o->shard_index,
                 o->shard_count);
    else
        snprintf(stem, sizeof stem, "%s/%s", dir, c->name);
    snprintf(csv, sizeof csv, "%s.csv", stem);
    snprintf(sidecar, sizeof sidecar, "%s.json", stem);
    snprintf(timing, sizeof timing, "%s.timing.csv", stem);
    snprintf(res->csv, sizeof res->csv, "%s", csv);

    size_t done = 0;
    FILE *out = NULL, *tf = NULL;
    if (rank == 0) {
        if ((rc = mkdirs(dir)) != MB_OK)
            goto fail;
        if ((rc = resume_check(c, o, csv, sidecar, fp, order, n_mine, &done)) != MB_OK)
            goto fail;
    }
    if (comm && (rc = comm->bcast_size(comm->ctx, &done)) != MB_OK)
        goto fail;
    res->resumed = done;
    if (rank == 0) {
        if ((rc = write_sidecar(sidecar, c, o, fp, n_mine, done, done == n_mine, csv)) != MB_OK)
            goto fail;
        int fresh = done == 0;
        out = fopen(csv, fresh ? "w" : "a");
        tf = fopen(timing, fresh ? "w" : "a");
        if (out == NULL || tf == NULL) {
            rc = MB_ERROR(MB_EIO, "cannot write %s: %s", out ? timing : csv, strerror(errno));
            goto fail;
        }
        if (fresh) {
            char header[16384];
            header_line(c, header, sizeof header);
            if ((rc = write_synced(out, header, strlen(header), csv)) != MB_OK)
                goto fail;
            fputs("point,sweep,solver,steps,budget_spec,solve_seconds\n", tf);
        }
    }
    progress pg = {.on = o->progress && rank == 0, .tty = isatty(2), .total = n_mine,
                   .done = done, .base = done, .start = mb_clock_wall(), .last = 0};
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
                if (rc != MB_OK || src != MB_OK)
                    goto fail;
                continue;
            }
            if (rc != MB_OK) {
                free(text);
                goto fail;
            }
        } else if (rank == 0) {
            if ((rc = comm->recv_row(comm->ctx, owner, &text, &secs)) != MB_OK)
                goto fail;
            len = strlen(text);
            if (secs < 0) {
                rc = MB_ERROR(MB_EINVAL, "rank %d: %s", owner, text);
                free(text);
                goto fail;
            }
        } else {
            continue;
        }
        rc = write_synced(out, text, len, csv);
        free(text);
        if (rc != MB_OK)
            goto fail;
        mb_sweep_point pt;
        mb_sweep_point_get(c, i, &pt);
        fprintf(tf, "%zu,%s,%s,%lld,%s,%.6f\n", i, pt.section->name, pt.solver->name,
                (long long)pt.problem.steps, pt.budget ? pt.budget : "search", secs);
        fflush(tf);
        res->computed++;
        pg.done = k + 1;
        progress_show(&pg, 0);
    }
    if (rank == 0) {
        progress_show(&pg, 1);
        int e = fclose(out) != 0;
        out = NULL;
        e |= fclose(tf) != 0;
        tf = NULL;
        if (e) {
            rc = MB_ERROR(MB_EIO, "cannot close %s: %s", csv, strerror(errno));
            goto fail;
        }
        rc = write_sidecar(sidecar, c, o, fp, n_mine, n_mine, 1, csv);
    }
fail:
    if (out)
        fclose(out);
    if (tf)
        fclose(tf);
    free(order);
    return rc;
}

/* --- merge --- */

int mb_sweep_merge(const char *out_csv, const char *const *shards, size_t n)
{
    if (n == 0)
        return MB_ERROR(MB_EINVAL, "merge: no shard files given");
    char **text = calloc(n, sizeof *text);
    const char **pos = calloc(n, sizeof *pos);
    int *index = calloc(n, sizeof *index);
    int rc = MB_OK, count = 0;
    size_t points = 0;
    const char **list = NULL;
    char fp0[64] = "", header[4096] = "";
    mb_atomic_file af = {0};
    if (text == NULL || pos == NULL || index == NULL) {
        rc = MB_ERROR(MB_ENOMEM, "out of memory");
        goto done;
    }
    /* timing files (NAME.shard-I-of-N.timing.csv) match the usual glob; they are not shards */
    size_t kept = 0;
    list = calloc(n, sizeof *list);
    if (list == NULL) {
        rc = MB_ERROR(MB_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < n; k++) {
        size_t l = strlen(shards[k]);
        if (l < 11 || strcmp(shards[k] + l - 11, ".timing.csv") != 0)
            list[kept++] = shards[k];
    }
    shards = list;
    n = kept;
    for (size_t k = 0; k < n; k++) {
        size_t len;
        char sidecar[4300], *meta, v[64];
        const char *dot = strrchr(shards[k], '.');
        if (dot == NULL || strcmp(dot, ".csv") != 0) {
            rc = MB_ERROR(MB_EINVAL, "merge: %s: expected a shard CSV (NAME.shard-I-of-N.csv)",
                          shards[k]);
            goto done;
        }
        snprintf(sidecar, sizeof sidecar, "%.*s.json", (int)(dot - shards[k]), shards[k]);
        if ((rc = mb_read_file(sidecar, &meta, &len)) != MB_OK)
            goto done;
        int ok = sidecar_get(meta, "shard_index", v, sizeof v);
        index[k] = atoi(v);
        ok = ok && sidecar_get(meta, "shard_count", v, sizeof v);
        int cnt = atoi(v);
        char fp[64] = "", complete[16] = "";
        ok = ok && sidecar_get(meta, "fingerprint", fp, sizeof fp) &&
             sidecar_get(meta, "complete", complete, sizeof complete);
        free(meta);
        if (!ok) {
            rc = MB_ERROR(MB_EPARSE, "merge: %s: not a sweep metadata file", sidecar);
            goto done;
        }
        if (strcmp(complete, "true") != 0) {
            rc = MB_ERROR(MB_EINVAL, "merge: %s is incomplete; rerun its shard to finish it",
                          shards[k]);
            goto done;
        }
        if (k == 0) {
            count = cnt;
            snprintf(fp0, sizeof fp0, "%s", fp);
        } else if (cnt != count || strcmp(fp, fp0) != 0) {
            rc = MB_ERROR(MB_EINVAL, "merge: %s belongs to another sweep or shard count (%d "
                          "shards, fingerprint %s; the first file has %d, %s)", shards[k], cnt,
                          fp, count, fp0);
            goto done;
        }
        for (size_t j = 0; j < k; j++)
            if (index[j] == index[k]) {
                rc = MB_ERROR(MB_EINVAL, "merge: %s and %s are both shard %d", shards[j],
                              shards[k], index[k]);
                goto done;
            }
        if ((rc = mb_read_file(shards[k], &text[k], &len)) != MB_OK)
            goto done;
        const char *nl = strchr(text[k], '\n');
        if (nl == NULL) {
            rc = MB_ERROR(MB_EPARSE, "merge: %s has no header", shards[k]);
            goto done;
        }
        size_t hl = (size_t)(nl - text[k]) + 1;
        if (k == 0)
            snprintf(header, sizeof header, "%.*s", (int)hl, text[k]);
        else if (strlen(header) != hl || strncmp(header, text[k], hl) != 0) {
            rc = MB_ERROR(MB_EINVAL, "merge: %s has another header than %s", shards[k], shards[0]);
            goto done;
        }
        pos[k] = text[k] + hl;
        for (const char *p = pos[k]; *p; p++)
            points += *p == '\n';
    }
    if ((size_t)count != n) {
        rc = MB_ERROR(MB_EINVAL, "merge: the sweep has %d shards; %zu given", count, n);
        goto done;
    }
    if ((rc = mb_atomic_open(&af, out_csv)) != MB_OK)
        goto done;
    fputs(header, af.f);
    for (size_t i = 0; i < points; i++) {
        size_t k = 0;
        while ((size_t)index[k] != i % n)
            k++;
        const char *nl = strchr(pos[k], '\n');
        if (nl == NULL) {
            mb_atomic_abort(&af);
            rc = MB_ERROR(MB_EINVAL, "merge: shard %d ends early (at point %zu)", index[k], i);
            goto done;
        }
        fwrite(pos[k], 1, (size_t)(nl - pos[k]) + 1, af.f);
        pos[k] = nl + 1;
    }
    rc = mb_atomic_commit(&af);
done:
    for (size_t k = 0; text && k < n; k++)
        free(text[k]);
    if (list)
        free((void *)list);
    free(text);
    free(pos);
    free(index);
    return rc;
}

/* --- reading CSVs --- */

/* Splits one CSV line (quotes as RFC 4180, no embedded newlines) into fields. */
static int split_line(const char *line, size_t len, char ***out, size_t *n)
{
    char **f = NULL;
    size_t cnt = 0;
    size_t i = 0;
    for (;;) {
        char *cell = malloc(len + 1);
        size_t k = 0;
        if (cell == NULL)
            goto oom;
        if (i < len && line[i] == '"') {
            i++;
            while (i < len) {
                if (line[i] == '"' && i + 1 < len && line[i + 1] == '"') {
                    cell[k++] = '"';
                    i += 2;
                } else if (line[i] == '"') {
                    i++;
                    break;
                } else
                    cell[k++] = line[i++];
            }
        }
        while (i < len && line[i] != ',')
            cell[k++] = line[i++];
        cell[k] = '\0';
        char **nf = realloc(f, (cnt + 1) * sizeof *nf);
        if (nf == NULL) {
            free(cell);
            goto oom;
        }
        f = nf;
        f[cnt++] = cell;
        if (i >= len)
            break;
        i++; /* the comma */
    }
    *out = f;
    *n = cnt;
    return MB_OK;
oom:
    for (size_t j = 0; j < cnt; j++)
        free(f[j]);
    free(f);
    return MB_ERROR(MB_ENOMEM, "out of memory");
}

int mb_csv_load(const char *path, mb_csv **out)
{
    char *text;
    size_t len;
    *out = NULL;
    int rc = mb_read_file(path, &text, &len);
    if (rc != MB_OK)
        return rc;
    mb_csv *t = calloc(1, sizeof *t);
    if (t == NULL) {
        free(text);
        return MB_ERROR(MB_ENOMEM, "out of memory");
    }
    const char *p = text;
    int have_header = 0;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        if (l > 0 && p[l - 1] == '\r')
            l--;
        if (l > 0 && p[0] != '#') {
            char **f = NULL;
            size_t n = 0;
            if ((rc = split_line(p, l, &f, &n)) != MB_OK)
                break;
            if (!have_header) {
                t->names = f;
                t->n_cols = n;
                have_header = 1;
            } else {
                if (n != t->n_cols) {
                    for (size_t j = 0; j < n; j++)
                        free(f[j]);
                    free(f);
                    rc = MB_ERROR(MB_EPARSE, "%s: row %zu has %zu fields, the header %zu", path,
                                  t->n_rows + 1, n, t->n_cols);
                    break;
                }
                char ***nr = realloc(t->rows, (t->n_rows + 1) * sizeof *nr);
                if (nr == NULL) {
                    rc = MB_ERROR(MB_ENOMEM, "out of memory");
                    break;
                }
                t->rows = nr;
                t->rows[t->n_rows++] = f;
            }
        }
        if (nl == NULL)
            break;
        p = nl + 1;
    }
    free(text);
    if (rc == MB_OK && !have_header)
        rc = MB_ERROR(MB_EPARSE, "%s: empty CSV (no header)", path);
    if (rc != MB_OK) {
        mb_csv_free(t);
        return rc;
    }
    *out = t;
    return MB_OK;
}

void mb_csv_free(mb_csv *t)
{
    if (t == NULL)
        return;
    for (size_t j = 0; j < t->n_cols; j++)
        free(t->names[j]);
    free(t->names);
    for (size_t i = 0; i < t->n_rows; i++) {
        for (size_t j = 0; j < t->n_cols; j++)
            free(t->rows[i][j]);
        free(t->rows[i]);
    }
    free(t->rows);
    free(t);
}

int mb_csv_col(const mb_csv *t, const char *name)
{
    for (size_t j = 0; j < t->n_cols; j++)
        if (strcmp(t->names[j], name) == 0)
            return (int)j;
    return -1;
}

double mb_csv_num(const mb_csv *t, size_t row, int col)
{
    if (col < 0 || row >= t->n_rows)
        return NAN;
    const char *s = t->rows[row][col];
    char *end;
    if (*s == '\0')
        return NAN;
    double v = strtod(s, &end);
    return *end == '\0' ? v : NAN;
}

/* --- one plan as a CSV of ops (figure 6) --- */

int mb_sweep_write_plan_ops(const mb_sweep_config *c, const char *path)
{
    if (c->plan_solver == NULL)
        return MB_ERROR(MB_EINVAL, "%s: no [plan] section (solver, steps, alpha, budget)", c->path);
    mb_problem p = {0};
    int rc;
    char ks[1200], ka[1200], kb[1200];
    snprintf(ks, sizeof ks, "%s steps", c->plan_where);
    snprintf(ka, sizeof ka, "%s alpha", c->plan_where);
    snprintf(kb, sizeof kb, "%s budget", c->plan_where);
    mb_problem_spec spec = {.steps = {ks, c->plan_steps}, .alpha = {ka, c->plan_alpha},
                            .hidden_bytes = {"hidden_bytes", NULL},
                            .internal_bytes = {"internal_bytes", NULL},
                            .budget = {kb, c->plan_budget}};
    if ((rc = mb_problem_from_spec(&spec, &p)) != MB_OK)
        return rc;
    int64_t alpha = p.internal_units;
    mb_solution s;
    if ((rc = mb_solve(c->plan_solver, &p, &c->solve, &s)) != MB_OK)
        return rc;
    if (!s.feasible)
        return MB_ERROR(MB_EINFEASIBLE, "%s: budget %lld units is infeasible for %s; the "
                        "smallest feasible budget is %lld units", c->plan_where,
                        (long long)p.budget, c->plan_solver->name, (long long)s.min_budget);
    const mb_plan *pl = s.plan;
    int64_t *size = calloc((size_t)p.steps + 1, sizeof *size);   /* units stored per step */
    size_t *since = calloc((size_t)p.steps + 1, sizeof *since);  /* op that stored it */
    size_t *until = calloc(pl->n_ops + 1, sizeof *until);        /* per store op: freed at */
    char *computed = calloc((size_t)p.steps + 1, 1);
    if (!size || !since || !until || !computed) {
        rc = MB_ERROR(MB_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < pl->n_ops; k++)
        until[k] = pl->n_ops;
    for (size_t k = 0; k < pl->n_ops; k++) {
        const mb_op *op = &pl->ops[k];
        if (op->kind == MB_OP_STORE_HIDDEN || op->kind == MB_OP_STORE_INTERNAL)
            since[op->step] = k;
        else if (op->kind == MB_OP_FREE)
            until[since[op->step]] = k;
    }
    mb_atomic_file af;
    if ((rc = mb_atomic_open(&af, path)) != MB_OK)
        goto done;
    fputs("op,kind,step,phase,store_units,budget_units,live_until_op\n", af.f);
    int64_t store = p.hidden_units; /* h_0 */
    size[0] = p.hidden_units;
    for (size_t k = 0; k < pl->n_ops; k++) {
        const mb_op *op = &pl->ops[k];
        const char *phase = mb_op_name(op->kind);
        if (op->kind == MB_OP_FORWARD) {
            phase = computed[op->step] ? "recompute" : "first_forward";
            computed[op->step] = 1;
        } else if (op->kind == MB_OP_STORE_HIDDEN) {
            size[op->step] = p.hidden_units;
            store += p.hidden_units;
        } else if (op->kind == MB_OP_STORE_INTERNAL) {
            size[op->step] = p.internal_units;
            store += p.internal_units;
        } else if (op->kind == MB_OP_FREE) {
            store -= size[op->step];
            size[op->step] = 0;
        }
        fprintf(af.f, "%zu,%s,%d,%s,%lld,%lld,", k, mb_op_name(op->kind), (int)op->step, phase,
                (long long)store, (long long)p.budget);
        if (op->kind == MB_OP_STORE_HIDDEN || op->kind == MB_OP_STORE_INTERNAL)
            fprintf(af.f, "%zu\n", until[k]);
        else
            fputs("\n", af.f);
    }
    if ((rc = mb_atomic_commit(&af)) == MB_OK) {
        /* what the plan is goes to the sidecar, never into the CSV */
        char title[512], st[32], al[32], bu[32];
        snprintf(title, sizeof title, "Plan of %s, t = %lld, alpha = %lld, budget %lld units (%s)",
                 c->plan_solver->name, (long long)p.steps, (long long)alpha,
                 (long long)p.budget, c->plan_budget);
        snprintf(st, sizeof st, "%lld", (long long)p.steps);
        snprintf(al, sizeof al, "%lld", (long long)alpha);
        snprintf(bu, sizeof bu, "%lld", (long long)p.budget);
        mb_meta_config cf[] = {{"config", c->path}, {"solver", c->plan_solver->name},
                               {"steps", st}, {"alpha", al}, {"budget_units", bu},
                               {"budget_spec", c->plan_budget}, {"title", title}};
        rc = mb_sidecar_write(path, "one plan, op by op (figure 6)", cf, sizeof cf / sizeof cf[0]);
    }
done:
    free(size);
    free(since);
    free(until);
    free(computed);
    mb_plan_free(s.plan);
    return rc;
}
