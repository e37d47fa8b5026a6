/* sidecar.c: the JSON metadata beside every CSV membptt writes: a sweep's (NAME.json),
 * written with yajl's generator and read back with yajl's tree parser, with the provenance of
 * its rows (which build and machine wrote them); and the simpler one of the other CSVs (a
 * plan's ops, fits, a calibration, a benchmark). docs/design.md, "Sweeps, records and
 * figures". */
#include "sweep/internal.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_version.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/fileio.h"
#include "core/json.h"
#include "measure/measure.h"

#ifndef MB_INIH_VERSION
#define MB_INIH_VERSION "unknown"
#endif

#define SIDECAR_FORMAT "membptt-sweep-metadata"
#define SIDECAR_VERSION 2

static const char *dp_name(const mb_sweep_config *c)
{
    return c->solve.dp_method == MB_DP_TEXTBOOK ? "textbook" : "fast";
}

int mb_sweep_build_current(const mb_sweep_config *c, mb_sweep_build *b)
{
    memset(b, 0, sizeof *b);
    mb_meta m;
    int rc = mb_meta_init(&m, -1);
    if (rc == MB_OK) {
        snprintf(b->version, sizeof b->version, "%s", m.membptt_version);
        snprintf(b->commit, sizeof b->commit, "%s", m.git_commit);
        if (c->measured)
            snprintf(b->machine, sizeof b->machine, "%s; BLAS core %s; %d BLAS threads",
                     m.topo.cpu_model[0] ? m.topo.cpu_model : "unknown CPU", m.openblas_core,
                     m.openblas_threads);
    }
    mb_meta_fini(&m);
    snprintf(b->dp, sizeof b->dp, "%s", dp_name(c));
    return rc;
}

void mb_sweep_build_diff(const mb_sweep_build *a, const mb_sweep_build *b, char *buf, size_t cap)
{
    buf[0] = '\0';
    const char *names[] = {"membptt version", "commit", "DP method", "machine"};
    const char *x[] = {a->version, a->commit, a->dp, a->machine};
    const char *y[] = {b->version, b->commit, b->dp, b->machine};
    for (int i = 0; i < 4; i++)
        if (strcmp(x[i], y[i]) != 0)
            snprintf(buf + strlen(buf), cap - strlen(buf), "%s%s '%s' vs '%s'",
                     buf[0] ? ", " : "", names[i], x[i], y[i]);
}

/* --- writing --- */

/* A string for the generator: bytes that are not valid UTF-8 become the text \xHH (as
 * mb_json_write_string does), so the file is always valid JSON. */
static void gen_str(yajl_gen g, const char *s)
{
    size_t len = strlen(s);
    if (mb_utf8_valid_prefix(s, len) == len) {
        yajl_gen_string(g, (const unsigned char *)s, len);
        return;
    }
    char *buf = mb_malloc(4 * len + 1);
    if (buf == NULL) {
        yajl_gen_null(g);
        return;
    }
    size_t k = 0;
    while (len > 0) {
        size_t ok = mb_utf8_valid_prefix(s, len);
        memcpy(buf + k, s, ok);
        k += ok;
        s += ok;
        len -= ok;
        if (len > 0) {
            k += (size_t)sprintf(buf + k, "\\x%02X", (unsigned char)*s);
            s++;
            len--;
        }
    }
    yajl_gen_string(g, (const unsigned char *)buf, k);
    mb_free(buf);
}

static void gen_key_str(yajl_gen g, const char *key, const char *value)
{
    gen_str(g, key);
    if (value)
        gen_str(g, value);
    else
        yajl_gen_null(g);
}

static void gen_key_int(yajl_gen g, const char *key, int64_t v)
{
    gen_str(g, key);
    yajl_gen_integer(g, (long long)v);
}

/* Re-emits a parsed tree (the run metadata measure/ writes as text) through the generator. */
static void gen_tree(yajl_gen g, yajl_val v)
{
    if (v == NULL || YAJL_IS_NULL(v)) {
        yajl_gen_null(g);
    } else if (YAJL_IS_STRING(v)) {
        gen_str(g, v->u.string);
    } else if (YAJL_IS_NUMBER(v)) {
        yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
    } else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v)) {
        yajl_gen_bool(g, YAJL_IS_TRUE(v));
    } else if (YAJL_IS_ARRAY(v)) {
        yajl_gen_array_open(g);
        for (size_t i = 0; i < v->u.array.len; i++)
            gen_tree(g, v->u.array.values[i]);
        yajl_gen_array_close(g);
    } else {
        yajl_gen_map_open(g);
        for (size_t i = 0; i < v->u.object.len; i++) {
            gen_str(g, v->u.object.keys[i]);
            gen_tree(g, v->u.object.values[i]);
        }
        yajl_gen_map_close(g);
    }
}

/* The run metadata of this machine (measure/), with the config's counters as this machine can
 * count them, as a tree; NULL when it cannot be read. */
static yajl_val run_metadata(const mb_sweep_config *c)
{
    mb_counters *cc = NULL;
    if (c->n_counters > 0) {
        char events[4096] = "";
        for (size_t e = 0; e < c->n_counters; e++)
            snprintf(events + strlen(events), sizeof events - strlen(events), "%s%s",
                     e ? "," : "", c->counters[e]);
        if (mb_counters_open_key("[counters] events", events, &cc) != MB_OK)
            cc = NULL;
    }
    yajl_val tree = NULL;
    mb_meta meta;
    char *text = NULL;
    size_t len = 0;
    if (mb_meta_init(&meta, -1) == MB_OK) {
        FILE *m = open_memstream(&text, &len);
        if (m != NULL) {
            int rc = mb_meta_write_json(m, &meta, cc, NULL, 0);
            if (fclose(m) == 0 && rc == MB_OK)
                tree = yajl_tree_parse(text, NULL, 0);
        }
    }
    free(text);
    mb_meta_fini(&meta);
    mb_counters_close(cc);
    return tree;
}

int mb_sweep_sidecar_write(const char *path, const mb_sweep_sidecar_info *in)
{
    const mb_sweep_config *c = in->config;
    yajl_gen g = yajl_gen_alloc(NULL);
    if (g == NULL)
        return MB_ERROR(MB_ENOMEM, "out of memory");
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_map_open(g);
    gen_key_str(g, "format", SIDECAR_FORMAT);
    gen_key_int(g, "version", SIDECAR_VERSION);
    gen_key_str(g, "csv", in->csv);
    gen_key_str(g, "config", c->path);
    gen_key_str(g, "name", c->name);
    gen_key_str(g, "fingerprint", in->fingerprint);
    gen_key_int(g, "points", in->points);
    gen_key_int(g, "rows", in->rows);
    gen_str(g, "complete");
    yajl_gen_bool(g, in->complete);
    gen_key_int(g, "shard_index", in->shard_count > 1 ? in->shard_index : 0);
    gen_key_int(g, "shard_count", in->shard_count > 1 ? in->shard_count : 1);
    gen_key_int(g, "ranks", in->ranks > 0 ? in->ranks : 1);
    gen_key_str(g, "timing_file", "NAME.timing.csv: solve_seconds per point (kept out of the "
                "rows so that reruns and merges are byte-identical)");
    gen_str(g, "provenance");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < in->n_provenance; i++) {
        const mb_sweep_build *b = &in->provenance[i];
        yajl_gen_map_open(g);
        gen_key_int(g, "rows_from", b->rows_from);
        gen_key_int(g, "rows_to", b->rows_to);
        gen_key_str(g, "membptt", b->version);
        gen_key_str(g, "commit", b->commit);
        gen_key_str(g, "dp", b->dp);
        gen_key_str(g, "machine", b->machine);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    gen_str(g, "versions");
    yajl_gen_map_open(g);
    gen_key_str(g, "gsl", GSL_VERSION);
    gen_key_str(g, "inih", MB_INIH_VERSION);
    yajl_gen_map_close(g);
    /* machine, library versions, git commit, OPENBLAS_* environment: measure/'s metadata */
    gen_str(g, "run");
    yajl_val run = run_metadata(c);
    gen_tree(g, run);
    yajl_tree_free(run);
    gen_str(g, "cost_model");
    yajl_gen_map_open(g);
    gen_str(g, "forward");
    yajl_gen_double(g, c->cost.forward);
    gen_str(g, "backward");
    yajl_gen_double(g, c->cost.backward);
    gen_str(g, "copy");
    yajl_gen_double(g, c->cost.copy);
    yajl_gen_map_close(g);
    gen_str(g, "counters");
    yajl_gen_map_open(g);
    gen_str(g, "requested");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < c->n_counters; i++)
        gen_str(g, c->counters[i]);
    yajl_gen_array_close(g);
    gen_key_str(g, "note", "analytic rows read no counters; measured rows count them through "
                "the executor; run.counters says which this machine can count, from where, or "
                "why not");
    yajl_gen_map_close(g);
    gen_key_str(g, "config_text", c->text ? c->text : "");
    yajl_gen_map_close(g);

    const unsigned char *buf;
    size_t len;
    int rc = MB_OK;
    if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
        rc = MB_ERROR(MB_EINTERNAL, "the sidecar of %s is not well-formed JSON", in->csv);
    } else {
        mb_atomic_file af;
        if ((rc = mb_atomic_open(&af, path)) == MB_OK) {
            fwrite(buf, 1, len, af.f);
            rc = mb_atomic_commit(&af);
        }
    }
    yajl_gen_free(g);
    return rc;
}

/* --- reading --- */

static yajl_val field(yajl_val root, const char *key)
{
    const char *path[] = {key, NULL};
    return yajl_tree_get(root, path, yajl_t_any);
}

static int corrupt(const char *path, const char *what)
{
    return MB_ERROR(MB_EPARSE, "%s is corrupt (%s); it is not a sweep sidecar membptt wrote. "
                    "Remove it with its CSV, or restore it", path, what);
}

static int get_int(yajl_val root, const char *path, const char *key, int64_t min, int64_t *out)
{
    yajl_val v = field(root, key);
    if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < min) {
        char what[96];
        snprintf(what, sizeof what, "\"%s\" is missing or not an integer >= %lld", key,
                 (long long)min);
        return corrupt(path, what);
    }
    *out = YAJL_GET_INTEGER(v);
    return MB_OK;
}

static int get_str(yajl_val root, const char *path, const char *key, char *out, size_t cap)
{
    yajl_val v = root ? (root->type == yajl_t_object ? field(root, key) : NULL) : NULL;
    const char *s = YAJL_GET_STRING(v);
    if (s == NULL || strlen(s) >= cap) {
        char what[96];
        snprintf(what, sizeof what, "\"%s\" is missing, not a string or too long", key);
        return corrupt(path, what);
    }
    snprintf(out, cap, "%s", s);
    return MB_OK;
}

int mb_sweep_sidecar_read(const char *path, mb_sweep_sidecar *s)
{
    memset(s, 0, sizeof *s);
    char *text;
    size_t len;
    int rc = mb_read_file_max(path, (size_t)64 << 20, &text, &len);
    if (rc != MB_OK)
        return rc;
    char err[256] = "";
    yajl_val root = strlen(text) == len ? yajl_tree_parse(text, err, sizeof err) : NULL;
    mb_free(text);
    if (root == NULL) {
        char *nl = strchr(err, '\n'); /* yajl's message continues with a context dump */
        if (nl)
            *nl = '\0';
        return corrupt(path, err[0] ? err : "not JSON text");
    }
    char fmt[64];
    int64_t version = 0, x = 0;
    if (!YAJL_IS_OBJECT(root)) {
        rc = corrupt(path, "not a JSON object");
        goto done;
    }
    if ((rc = get_str(root, path, "format", fmt, sizeof fmt)) != MB_OK)
        goto done;
    if (strcmp(fmt, SIDECAR_FORMAT) != 0) {
        rc = corrupt(path, "\"format\" is not " SIDECAR_FORMAT);
        goto done;
    }
    if ((rc = get_int(root, path, "version", 1, &version)) != MB_OK)
        goto done;
    if (version != SIDECAR_VERSION) {
        rc = MB_ERROR(MB_EINVAL, "%s: sidecar format version %lld, this membptt writes and "
                      "reads version %d; rerun the sweep into another folder", path,
                      (long long)version, SIDECAR_VERSION);
        goto done;
    }
    if ((rc = get_str(root, path, "fingerprint", s->fingerprint, sizeof s->fingerprint)) ||
        (rc = get_int(root, path, "points", 0, &s->points)) ||
        (rc = get_int(root, path, "rows", 0, &s->rows)) ||
        (rc = get_int(root, path, "shard_index", 0, &x)))
        goto done;
    s->shard_index = x > 1 << 30 ? -1 : (int)x;
    if ((rc = get_int(root, path, "shard_count", 1, &x)) != MB_OK)
        goto done;
    s->shard_count = x > 1 << 30 ? -1 : (int)x;
    if (s->shard_index < 0 || s->shard_count < 0 || s->shard_index >= s->shard_count ||
        s->rows > s->points) {
        rc = corrupt(path, "shard_index, shard_count, rows and points do not agree");
        goto done;
    }
    yajl_val v = field(root, "complete");
    if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v)) {
        rc = corrupt(path, "\"complete\" is not true or false");
        goto done;
    }
    s->complete = YAJL_IS_TRUE(v);
    if ((rc = get_str(root, path, "config", s->config, sizeof s->config)) != MB_OK)
        goto done;
    const char *ct = YAJL_GET_STRING(field(root, "config_text"));
    if (ct == NULL || (s->config_text = mb_strdup(ct)) == NULL) {
        rc = ct ? MB_ERROR(MB_ENOMEM, "out of memory") : corrupt(path, "no \"config_text\"");
        goto done;
    }
    yajl_val pv = field(root, "provenance");
    if (!YAJL_IS_ARRAY(pv) || pv->u.array.len > MB_SWEEP_MAX_PROVENANCE) {
        rc = corrupt(path, "\"provenance\" is not an array of at most 64 ranges");
        goto done;
    }
    int64_t next = 0;
    for (size_t i = 0; i < pv->u.array.len; i++) {
        yajl_val e = pv->u.array.values[i];
        mb_sweep_build *b = &s->provenance[i];
        if (!YAJL_IS_OBJECT(e)) {
            rc = corrupt(path, "a provenance entry is not an object");
            goto done;
        }
        if ((rc = get_int(e, path, "rows_from", 0, &b->rows_from)) ||
            (rc = get_int(e, path, "rows_to", 0, &b->rows_to)) ||
            (rc = get_str(e, path, "membptt", b->version, sizeof b->version)) ||
            (rc = get_str(e, path, "commit", b->commit, sizeof b->commit)) ||
            (rc = get_str(e, path, "dp", b->dp, sizeof b->dp)) ||
            (rc = get_str(e, path, "machine", b->machine, sizeof b->machine)))
            goto done;
        if (b->rows_from != next || b->rows_to < b->rows_from) {
            rc = corrupt(path, "the provenance ranges do not follow each other");
            goto done;
        }
        next = b->rows_to;
    }
    s->n_provenance = pv->u.array.len;
    if (next > s->points) {
        rc = corrupt(path, "the provenance ranges pass the last point");
        goto done;
    }
done:
    yajl_tree_free(root);
    if (rc != MB_OK)
        mb_sweep_sidecar_fini(s);
    return rc;
}

void mb_sweep_sidecar_fini(mb_sweep_sidecar *s)
{
    mb_free(s->config_text);
    s->config_text = NULL;
}

/* --- the sidecar of a CSV that is not a sweep's --- */

int mb_sidecar_path(const char *csv, char *out, size_t cap)
{
    size_t n = strlen(csv);
    if (n > 4 && strcmp(csv + n - 4, ".csv") == 0)
        n -= 4;
    if ((size_t)snprintf(out, cap, "%.*s.json", (int)n, csv) >= cap)
        return MB_ERROR(MB_EINVAL, "path too long: %s", csv);
    return MB_OK;
}

int mb_sidecar_write(const char *csv, const char *what, const mb_meta_config *config,
                     size_t n_config)
{
    char path[4200];
    int rc = mb_sidecar_path(csv, path, sizeof path);
    if (rc != MB_OK)
        return rc;
    mb_atomic_file af;
    if ((rc = mb_atomic_open(&af, path)) != MB_OK)
        return rc;
    const char *base = strrchr(csv, '/');
    fputs("{\"format\": \"membptt-csv-metadata\", \"version\": 1, \"csv\": ", af.f);
    mb_json_write_string(af.f, base ? base + 1 : csv);
    fputs(", \"what\": ", af.f);
    mb_json_write_string(af.f, what);
    fputs(", \"columns\": \"docs/columns.md\",\n \"run\": ", af.f);
    mb_meta meta;
    if ((rc = mb_meta_init(&meta, -1)) == MB_OK)
        rc = mb_meta_write_json(af.f, &meta, NULL, config, n_config);
    mb_meta_fini(&meta);
    fputs("}\n", af.f);
    if (rc != MB_OK) {
        mb_atomic_abort(&af);
        return rc;
    }
    return mb_atomic_commit(&af);
}

int mb_sidecar_config_value(const char *csv, const char *key, char *out, size_t cap)
{
    char path[4200], *text = NULL, err[256] = "";
    size_t len;
    out[0] = '\0';
    int rc = mb_sidecar_path(csv, path, sizeof path);
    if (rc == MB_OK)
        rc = mb_read_file_max(path, (size_t)1 << 22, &text, &len);
    if (rc != MB_OK)
        return rc;
    yajl_val root = strlen(text) == len ? yajl_tree_parse(text, err, sizeof err) : NULL;
    mb_free(text);
    if (root == NULL) {
        char *nl = strchr(err, '\n'); /* yajl's message continues with a context dump */
        if (nl)
            *nl = '\0';
        return MB_ERROR(MB_EPARSE, "%s: not valid JSON (%s)", path, err[0] ? err : "empty");
    }
    const char *where[] = {"run", "config", key, NULL};
    yajl_val v = yajl_tree_get(root, where, yajl_t_string);
    if (v != NULL)
        snprintf(out, cap, "%s", YAJL_GET_STRING(v));
    else
        rc = MB_ERROR(MB_EINVAL, "%s: no run.config.%s string", path, key);
    yajl_tree_free(root);
    return rc;
}
