/* meta.c: the metadata each measured run records — machine, libraries, BLAS environment,
 * compiler, build and date — as flat record fields and as one JSON object (see docs/design.md,
 * "Measurement"). */
#include <cblas.h>
#include <dlfcn.h>
#include <gsl/gsl_version.h>
#include <hwloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json.h"
#include "core/version.h"
#include "measure/measure.h"

/* Set by CMake for this file only; the fallbacks keep a build without them honest. */
#ifndef MB_GIT_COMMIT
#define MB_GIT_COMMIT "unknown"
#endif
#ifndef MB_BUILD_TYPE
#define MB_BUILD_TYPE "unknown"
#endif
#ifndef MB_C_FLAGS
#define MB_C_FLAGS "unknown"
#endif

#if defined(__clang__)
#define MB_COMPILER __VERSION__ /* "Clang 14.0.6 ..." names itself */
#elif defined(__GNUC__)
#define MB_COMPILER "gcc " __VERSION__
#else
#define MB_COMPILER __VERSION__
#endif

#define COPY(dst, src) snprintf((dst), sizeof(dst), "%s", (src))

int mb_meta_getenv(const char *name, char **value)
{
    *value = NULL;
    if (!name || !name[0])
        return MB_ERROR(MB_EINVAL, "environment variable name is empty");
    const char *v = getenv(name);
    if (!v)
        return MB_OK;
    *value = mb_strdup(v);
    if (!*value)
        return MB_ERROR(MB_ENOMEM, "out of memory copying %s", name);
    return MB_OK;
}

/* The file of the shared object that defines cblas_sgemm for this process: the BLAS that every
 * cblas_sgemm call here actually runs (a -lgslcblas before -lopenblas would show up here). */
static void blas_library(char *buf, size_t cap)
{
    void (*fn)(void) = (void (*)(void))cblas_sgemm;
    void *addr;
    memcpy(&addr, &fn, sizeof addr);
    Dl_info info;
    if (dladdr(addr, &info) && info.dli_fname)
        snprintf(buf, cap, "%s", info.dli_fname);
    else
        snprintf(buf, cap, "%s", "");
}

/* Copies s without the spaces around it. */
static void copy_trimmed(char *dst, size_t cap, const char *s)
{
    while (*s == ' ')
        s++;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    snprintf(dst, cap, "%.*s", (int)n, s);
}

int mb_meta_init(mb_meta *m, int pinned_core)
{
    memset(m, 0, sizeof *m);
    m->pinned_core = pinned_core < 0 ? -1 : pinned_core;
    int rc = mb_topology_query(&m->topo);
    if (rc != MB_OK)
        return rc;
    COPY(m->membptt_version, MB_VERSION);
    COPY(m->git_commit, MB_GIT_COMMIT);
    COPY(m->build_type, MB_BUILD_TYPE);
    COPY(m->compiler, MB_COMPILER);
    COPY(m->c_flags, MB_C_FLAGS);
    time_t now = time(NULL);
    struct tm tm;
    if (now == (time_t)-1 || !gmtime_r(&now, &tm) ||
        strftime(m->date_utc, sizeof m->date_utc, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        m->date_utc[0] = '\0';
    COPY(m->papi_version, mb_counters_papi_version());
    unsigned api = hwloc_get_api_version();
    snprintf(m->hwloc_version, sizeof m->hwloc_version, "%s (API 0x%x)", HWLOC_VERSION, api);
    COPY(m->gsl_version, gsl_version);
    copy_trimmed(m->openblas_version, sizeof m->openblas_version, OPENBLAS_VERSION);
    const char *cfg = openblas_get_config();
    COPY(m->openblas_config, cfg ? cfg : "");
    const char *core = openblas_get_corename();
    COPY(m->openblas_core, core ? core : "");
    m->openblas_threads = openblas_get_num_threads();
    blas_library(m->blas_library, sizeof m->blas_library);
    if ((rc = mb_meta_getenv("OPENBLAS_CORETYPE", &m->env_coretype)) != MB_OK ||
        (rc = mb_meta_getenv("OPENBLAS_L2_SIZE", &m->env_l2_size)) != MB_OK ||
        (rc = mb_meta_getenv("OPENBLAS_NUM_THREADS", &m->env_num_threads)) != MB_OK)
        return rc;
    m->perf_event_paranoid = mb_perf_event_paranoid();
    m->euid = (int)geteuid();
    m->wall_resolution_s = mb_clock_wall_resolution();
    m->cpu_resolution_s = mb_clock_cpu_resolution();
    m->wall_cost_s = mb_clock_cost(mb_clock_wall);
    m->thread_cpu_cost_s = mb_clock_cost(mb_clock_thread_cpu);
    return MB_OK;
}

void mb_meta_fini(mb_meta *m)
{
    mb_free(m->env_coretype);
    mb_free(m->env_l2_size);
    mb_free(m->env_num_threads);
    m->env_coretype = m->env_l2_size = m->env_num_threads = NULL;
}

static void add_string(mb_record *r, const char *key, const char *v)
{
    if (v && v[0])
        mb_record_string(r, key, v);
    else
        mb_record_empty(r, key);
}

static void add_count(mb_record *r, const char *key, int64_t v)
{
    if (v >= 0)
        mb_record_int(r, key, v);
    else
        mb_record_empty(r, key);
}

/* An environment variable keeps the difference between unset (empty field) and set to "". */
static void add_env(mb_record *r, const char *key, const char *v)
{
    if (v)
        mb_record_string(r, key, v);
    else
        mb_record_empty(r, key);
}

void mb_meta_record(const mb_meta *m, mb_record *r)
{
    add_string(r, "membptt_version", m->membptt_version);
    add_string(r, "git_commit", m->git_commit);
    add_string(r, "build_type", m->build_type);
    add_string(r, "compiler", m->compiler);
    add_string(r, "c_flags", m->c_flags);
    add_string(r, "date_utc", m->date_utc);
    add_string(r, "machine_cpu_model", m->topo.cpu_model);
    add_count(r, "machine_packages", m->topo.packages);
    add_count(r, "machine_cores", m->topo.cores);
    add_count(r, "machine_pus", m->topo.pus);
    add_count(r, "machine_numa_nodes", m->topo.numa_nodes);
    add_count(r, "machine_l1d_bytes", m->topo.l1d_bytes);
    add_count(r, "machine_l2_bytes", m->topo.l2_bytes);
    add_count(r, "machine_l3_bytes", m->topo.l3_bytes);
    add_string(r, "machine_simd", m->topo.simd);
    add_count(r, "pinned_core", m->pinned_core);
    add_string(r, "cpubind", m->topo.cpubind);
    add_string(r, "papi_version", m->papi_version);
    add_string(r, "hwloc_version", m->hwloc_version);
    add_string(r, "gsl_version", m->gsl_version);
    add_string(r, "openblas_version", m->openblas_version);
    add_string(r, "openblas_config", m->openblas_config);
    add_string(r, "openblas_core", m->openblas_core);
    add_count(r, "openblas_threads", m->openblas_threads);
    add_string(r, "blas_library", m->blas_library);
    add_env(r, "openblas_coretype", m->env_coretype);
    add_env(r, "openblas_l2_size", m->env_l2_size);
    add_env(r, "openblas_num_threads", m->env_num_threads);
    if (m->perf_event_paranoid == -1)
        mb_record_empty(r, "perf_event_paranoid");
    else
        mb_record_int(r, "perf_event_paranoid", m->perf_event_paranoid);
    mb_record_int(r, "euid", m->euid);
    if (m->wall_resolution_s > 0)
        mb_record_double(r, "clock_wall_resolution_s", m->wall_resolution_s);
    else
        mb_record_empty(r, "clock_wall_resolution_s");
    if (m->cpu_resolution_s > 0)
        mb_record_double(r, "clock_cpu_resolution_s", m->cpu_resolution_s);
    else
        mb_record_empty(r, "clock_cpu_resolution_s");
    if (m->wall_cost_s > 0)
        mb_record_double(r, "clock_wall_cost_s", m->wall_cost_s);
    else
        mb_record_empty(r, "clock_wall_cost_s");
    if (m->thread_cpu_cost_s > 0)
        mb_record_double(r, "clock_thread_cpu_cost_s", m->thread_cpu_cost_s);
    else
        mb_record_empty(r, "clock_thread_cpu_cost_s");
}

int mb_meta_write_json(FILE *f, const mb_meta *m, const mb_counters *c,
                       const mb_meta_config *config, size_t n_config)
{
    mb_record r;
    memset(&r, 0, sizeof r);
    mb_meta_record(m, &r);
    fputs("{\"meta\": {", f);
    int rc = mb_record_print_json_members(f, &r);
    if (rc != MB_OK)
        return rc;
    fputs("}, \"counters\": {", f);
    size_t n = c ? mb_counters_count(c) : 0;
    for (size_t i = 0; i < n; i++) {
        fputs(i ? ", " : "", f);
        mb_json_write_string(f, mb_counters_name(c, i));
        fprintf(f, ": {\"available\": %s, \"source\": ",
                mb_counters_available(c, i) ? "true" : "false");
        const char *src = mb_counters_source(c, i), *notice = mb_counters_notice(c, i);
        if (src)
            mb_json_write_string(f, src);
        else
            fputs("null", f);
        fputs(", \"notice\": ", f);
        if (notice)
            mb_json_write_string(f, notice);
        else
            fputs("null", f);
        const char *why = mb_counters_papi_reason(c, i);
        if (why) {
            fputs(", \"papi_notice\": ", f);
            mb_json_write_string(f, why);
        }
        fputc('}', f);
    }
    fputs("}, \"config\": {", f);
    for (size_t i = 0; i < n_config; i++) {
        fputs(i ? ", " : "", f);
        mb_json_write_string(f, config[i].key ? config[i].key : "");
        fputs(": ", f);
        if (config[i].value)
            mb_json_write_string(f, config[i].value);
        else
            fputs("null", f);
    }
    fputs("}}\n", f);
    if (ferror(f))
        return MB_ERROR(MB_EIO, "metadata: write failed");
    return MB_OK;
}
