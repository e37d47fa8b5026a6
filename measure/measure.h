/* measure.h: clocks, hardware and software counters per phase, the machine's topology and
 * pinning, and the metadata that each measured run records (see docs/design.md, "Measurement"). */
#ifndef MB_MEASURE_MEASURE_H
#define MB_MEASURE_MEASURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/report.h"

/* ---------------------------------------------------------------------------------------------
 * Clocks. Both return seconds as a double; they never fail on Linux (a clock that cannot be read
 * returns -1.0, which no caller can mistake for a time).
 */

/* Wall-clock time from CLOCK_MONOTONIC: only differences are meaningful. */
double mb_clock_wall(void);

/* CPU time of the whole process (all threads) from CLOCK_PROCESS_CPUTIME_ID. It includes
 * OpenBLAS's worker threads, which busy-wait for a while after the library loads and after each
 * multi-threaded call (see docs/design.md, "Measurement"). */
double mb_clock_cpu(void);

/* CPU time of the calling thread only, from CLOCK_THREAD_CPUTIME_ID. */
double mb_clock_thread_cpu(void);

/* The resolutions the kernel reports for the two clocks, in seconds (-1.0 when unknown). */
double mb_clock_wall_resolution(void);
double mb_clock_cpu_resolution(void);

/* What one read of `clock` (mb_clock_wall, mb_clock_thread_cpu, ...) costs in seconds: the
 * least over five rounds of the mean of 2000 reads, timed by the wall clock. */
double mb_clock_cost(double (*clock)(void));

/* Bytes this process has made the kernel read from / write to block devices so far
 * (/proc/self/io: read_bytes, write_bytes; page-cache hits and dirty pages never written
 * are not in them). 0, or -1 with both set to -1 where the kernel does not account task I/O. */
int mb_block_io(int64_t *read_bytes /* out */, int64_t *write_bytes /* out */);

/* The spread of n >= 1 values (GSL's sort and quantiles). Sorts v in place. */
mb_spread mb_spread_of(double *v, size_t n);

/* The median of n >= 1 values (mb_spread_of(v, n).median). Sorts v in place. */
double mb_median(double *v, size_t n);

/* A distribution-free interval for the median of n >= 1 values, from order statistics:
 * [x_(j), x_(n+1-j)] with the largest j whose coverage 1 - 2 P(Bin(n, 1/2) <= j - 1) is at
 * least `level` (0.95). Below n = 6 no pair reaches 95%: the interval is then [min, max] and
 * `coverage` says what it does reach (0.9375 at n = 5; 0 at n = 1). Sorts v in place. */
mb_interval mb_median_interval(double *v, size_t n, double level);

/* ---------------------------------------------------------------------------------------------
 * Counters. An mb_counters holds a list of named events and, for each, one accumulated value
 * per phase of a run. Each event is tried alone and kept only when it can be added to the one
 * PAPI event set that counts them all together (or, for a kernel software event PAPI cannot
 * count, to one perf_event group); an event that cannot be counted is *unavailable*: it has no
 * value (never a zero) and one notice that names it and says why.
 *
 * Counting covers the calling thread only (worker threads of a multi-threaded BLAS are not
 * counted); open, start, stop and close must all be called from the same thread. Events are
 * never multiplexed.
 */

enum {
    MB_PHASE_FIRST = 0,
    MB_PHASE_RECOMPUTE = 1,
    MB_PHASE_BACKWARD = 2,
    MB_PHASE_COPY = 3, /* store, restore and free */
    MB_PHASES = 4
};

/* The phase's name as JSON keys and CSV columns use it: "first", "recompute", "backward",
 * "copy";
 * NULL for a phase out of range. */
const char *mb_phase_name(int phase);

/* The events used when the caller gives none. */
#define MB_COUNTERS_DEFAULT \
    "PAPI_TOT_INS,PAPI_TOT_CYC,PAPI_L1_DCM,PAPI_L2_DCM,perf::TASK-CLOCK,perf::PAGE-FAULTS"

/* At most this many events in one list, each name at most MB_COUNTERS_NAME_MAX - 1 bytes. */
#define MB_COUNTERS_MAX 32
#define MB_COUNTERS_NAME_MAX 128

/* Where an available event's values come from (mb_counters_source): PAPI, or the kernel's
 * perf_event_open directly for a kernel software event ("perf::TASK-CLOCK", "perf::PAGE-FAULTS",
 * "perf::CPU-CLOCK", "perf::CONTEXT-SWITCHES", "perf::CPU-MIGRATIONS", "perf::MINOR-FAULTS",
 * "perf::MAJOR-FAULTS", ...) that PAPI cannot count, as where PAPI's perf_event component is
 * disabled because libpfm4 finds no core PMU (a KVM guest without a virtual PMU). */
#define MB_SOURCE_PAPI "papi"
#define MB_SOURCE_KERNEL "perf_event_open"
/* The same, counting user mode only: kernel.perf_event_paranoid >= 2 and not root. */
#define MB_SOURCE_KERNEL_USER "perf_event_open:u"

typedef struct mb_counters mb_counters;

/* Opens the events named in the comma-separated list `events_csv` (NULL: MB_COUNTERS_DEFAULT).
 * White space around a name is ignored. An empty name, a duplicate name, a name longer than
 * MB_COUNTERS_NAME_MAX - 1 bytes or more than MB_COUNTERS_MAX events is MB_EINVAL naming it,
 * and so is a name of no event on any machine: neither a preset (PAPI_XXX) nor a native event
 * named with its component (perf::TASK-CLOCK), or a PAPI_ name outside PAPI's preset table.
 * A well-formed name that this machine or this build cannot count (unknown to PAPI, a disabled
 * PAPI component, a missing PMU, a kernel that forbids it, a build without PAPI) is not an
 * error: the event is kept in the list as unavailable with its notice (when PAPI itself cannot
 * be initialised, that reason is every PAPI event's notice). MB_ENOMEM, or MB_EIO when the
 * kernel group cannot be enabled after its events each worked alone. On success the caller
 * owns *out and frees it with mb_counters_close. */
int mb_counters_open(const char *events_csv, mb_counters **out /* out */);

/* mb_counters_open with error messages that name `key` — the option or config key the list
 * came from ("--events", "configs/a.ini:7: counters") — instead of "events". */
int mb_counters_open_key(const char *key, const char *events_csv, mb_counters **out /* out */);

/* Starts a counting window (the values accumulated so far are kept): PAPI's counters start
 * from zero; the kernel group, which counts from open to close, is read. MB_EINVAL when
 * already started; MB_EIO with PAPI's or the system's reason when the counters cannot be
 * started or read. With no available event it does nothing and returns MB_OK. */
int mb_counters_start(mb_counters *c);

/* Ends the window and adds what was counted since mb_counters_start to phase `phase`.
 * MB_EINVAL for a phase out of range or when not started (the counters then stay stopped);
 * MB_EIO when the counters cannot be stopped or read; MB_ERANGE when a sum would overflow
 * int64 (that phase's sums are left unchanged). About 3 us per start/stop pair for two kernel
 * events on a KVM guest (bench_measure): open one window per phase change, not per op. */
int mb_counters_stop(mb_counters *c, int phase);

/* Sets every accumulated value back to "nothing accumulated"; availability is unchanged. */
void mb_counters_reset(mb_counters *c);

/* The number of events in the list (available or not), in the order they were given. */
size_t mb_counters_count(const mb_counters *c);

/* The name of event i as given (trimmed), or NULL when i is out of range. */
const char *mb_counters_name(const mb_counters *c, size_t i);

/* 1 when event i can be counted on this machine and build, else 0 (also for i out of range). */
int mb_counters_available(const mb_counters *c, size_t i);

/* The accumulated count of event i in phase `phase`: returns 0 and sets *v when the event is
 * available and something was stopped into that phase; -1 (and leaves *v alone) when the event
 * is unavailable, nothing was counted in that phase, or i or phase is out of range. */
int mb_counters_value(const mb_counters *c, size_t i, int phase, int64_t *v /* out */);

/* Why event i is unavailable, as one line that names the event and gives PAPI's reason
 * ("PAPI_TOT_INS: Component containing event is disabled (PAPI_ECMP_DISABLED); ..."); NULL
 * when it is available or i is out of range. The string lives as long as c. */
const char *mb_counters_notice(const mb_counters *c, size_t i);

/* Where event i's values come from (MB_SOURCE_PAPI, MB_SOURCE_KERNEL or
 * MB_SOURCE_KERNEL_USER), or NULL when it is unavailable. */
const char *mb_counters_source(const mb_counters *c, size_t i);

/* For an event counted by the kernel directly (MB_SOURCE_KERNEL or MB_SOURCE_KERNEL_USER):
 * why PAPI could not count it, in the form of a notice. NULL for any other event. */
const char *mb_counters_papi_reason(const mb_counters *c, size_t i);

/* Writes the values as one JSON object: each event's name maps to
 * {"first": n|null, "recompute": n|null, "backward": n|null}, or to null when the event is
 * unavailable. No trailing newline. */
void mb_counters_write_json(FILE *f, const mb_counters *c);

/* Frees c (which may be running); NULL is a no-op. */
void mb_counters_close(mb_counters *c);

/* The PAPI this build uses: "7.0.0.0" (the library's runtime version when it initialises, else
 * the header's, marked "(header)"), or "none" when built without PAPI. Initialises PAPI. */
const char *mb_counters_papi_version(void);

/* 1 when this build has PAPI support (MB_WITH_PAPI and libpapi found), else 0. */
int mb_counters_have_papi(void);

/* The kernel's perf_event_paranoid setting (what an unprivileged process may count), or -1
 * when it cannot be read. */
int mb_perf_event_paranoid(void);

/* ---------------------------------------------------------------------------------------------
 * Topology (hwloc).
 */

/* Binds the calling thread to core `core`, an hwloc logical core index (0 .. cores - 1 among
 * the cores this process may use). MB_EINVAL naming the core and the valid range when it does
 * not exist; MB_EIO with the system's reason when the binding fails. */
int mb_topology_pin(int core);

/* MB_OK when `core` names a core mb_topology_pin accepts; else MB_EINVAL with a message that
 * names `key` (the option, "--pin"), the core and the valid range. Pins nothing. */
int mb_topology_check(const char *key, int core);

/* Facts about the machine, filled by mb_topology_query. Sizes are -1 when hwloc does not know
 * them; strings are "" when unknown. */
typedef struct {
    char cpu_model[128];  /* the first package's CPUModel, as hwloc reports it */
    int packages;
    int cores;            /* physical cores this process may use */
    int pus;              /* hardware threads this process may use */
    int numa_nodes;
    int64_t l1d_bytes;    /* one core's L1 data (or unified) cache */
    int64_t l2_bytes;     /* the first L2 cache */
    int64_t l3_bytes;     /* the first L3 cache */
    char cpubind[64];     /* the calling thread's current CPU binding, as a list "0-1" */
    char simd[16];        /* the widest vector ISA the CPU reports: "avx512f", "avx2", "avx",
                             "sse4.2", "sse2" or "" (compare with OpenBLAS's core) */
} mb_topology;

/* Fills *t from hwloc for the calling thread. MB_EIO when hwloc cannot load the topology. */
int mb_topology_query(mb_topology *t /* out */);

/* ---------------------------------------------------------------------------------------------
 * Run metadata: everything a measured number depends on besides the run's own configuration.
 */

typedef struct {
    mb_topology topo;
    int pinned_core;          /* the core given to mb_topology_pin, -1 when not pinned */
    char membptt_version[32];
    char git_commit[64];      /* `git describe --always --dirty` at configure time, or "unknown" */
    char build_type[32];
    char compiler[128];       /* "gcc " __VERSION__ (clang's __VERSION__ names itself) */
    char c_flags[256];        /* the build type's flags and the project's compile options */
    char date_utc[32];        /* when mb_meta_init ran: "2026-11-29T05:00:00Z" */
    char papi_version[32];    /* "none" when built without PAPI */
    char hwloc_version[32];   /* the runtime library's */
    char gsl_version[32];
    char openblas_version[32]; /* from the header the build used */
    char openblas_config[256]; /* openblas_get_config() */
    char openblas_core[64];    /* openblas_get_corename() */
    int openblas_threads;      /* openblas_get_num_threads() */
    char blas_library[256];    /* the shared object that provides cblas_sgemm in this process */
    char *env_coretype;        /* OPENBLAS_CORETYPE as set, NULL when unset (owned) */
    char *env_l2_size;         /* OPENBLAS_L2_SIZE */
    char *env_num_threads;     /* OPENBLAS_NUM_THREADS */
    int perf_event_paranoid;   /* /proc/sys/kernel/perf_event_paranoid, -1 when unreadable */
    int euid;                  /* 0: root, whom perf_event_paranoid does not restrict */
    double wall_resolution_s;
    double cpu_resolution_s;
    double wall_cost_s;        /* one read of the wall clock (mb_clock_cost), -1 unknown */
    double thread_cpu_cost_s;  /* one read of the thread's CPU clock */
} mb_meta;

/* Fills *m for a run pinned to `pinned_core` (-1: not pinned): topology, library versions,
 * the OPENBLAS_* environment, compiler, build and date. Call it on the thread that runs the
 * measured work, after pinning. MB_EIO when the topology cannot be read, MB_ENOMEM. Free with
 * mb_meta_fini (also after a failure). */
int mb_meta_init(mb_meta *m /* out */, int pinned_core);

/* Frees what mb_meta_init allocated; m may be zeroed or already finished. */
void mb_meta_fini(mb_meta *m);

/* Copies the value of environment variable `name` into *value (malloc'd; the caller frees it),
 * or sets *value to NULL when the variable is unset. MB_EINVAL for an empty name, MB_ENOMEM. */
int mb_meta_getenv(const char *name, char **value /* out */);

/* Appends the metadata to record r as flat fields (machine_cpu_model, machine_l2_bytes,
 * openblas_coretype, ...); an unknown value is an empty field (null in JSON). The caller may
 * add its own fields before or after. The record holds MB_RECORD_MAX fields: this adds
 * MB_META_RECORD_FIELDS of them. */
#define MB_META_RECORD_FIELDS 34
void mb_meta_record(const mb_meta *m, mb_record *r);

/* A caller's configuration entry for mb_meta_write_json; value NULL is written as null. */
typedef struct {
    const char *key;
    const char *value;
} mb_meta_config;

/* Writes one JSON object {"meta": {...the fields of mb_meta_record...}, "counters": {name:
 * {"available": true|false, "source": "papi"|null, "notice": text|null}, ...}, "config": {key:
 * value, ...}} followed by a newline. `c` may be NULL (then "counters" is {}); `config` may be
 * NULL when n_config is 0 (config values are written as strings). MB_EIO when the write fails. */
int mb_meta_write_json(FILE *f, const mb_meta *m, const mb_counters *c,
                       const mb_meta_config *config, size_t n_config);

#endif
