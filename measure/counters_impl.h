/* counters_impl.h: the event set that measure/counters.c (parsing, the public functions) and
 * measure/counters_backend.c (PAPI and perf_event_open, or nothing without PAPI) share; private
 * to measure/. */
#ifndef MB_MEASURE_COUNTERS_IMPL_H
#define MB_MEASURE_COUNTERS_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "measure/measure.h"

#ifndef MB_HAVE_PAPI
#define MB_HAVE_PAPI 0
#endif

#if MB_HAVE_PAPI
#include <papi.h>
#endif

enum { SOURCE_NONE = 0, SOURCE_PAPI = 1, SOURCE_KERNEL = 2 };

typedef struct {
    char name[MB_COUNTERS_NAME_MAX];
    int available;
    int source;       /* SOURCE_PAPI or SOURCE_KERNEL when available */
    int slot;         /* SOURCE_PAPI: index of the event in the event set's values */
    int fd;           /* SOURCE_KERNEL: the perf_event file descriptor, else -1 */
    int kidx;         /* SOURCE_KERNEL: the index of its value in a group read */
    int user_only;    /* SOURCE_KERNEL: counts user mode only (the kernel refused more) */
    char notice[640]; /* why PAPI cannot count it (and why the kernel cannot); "" otherwise */
    int64_t v[MB_PHASES];
    int counted[MB_PHASES];
} mb_event;

struct mb_counters {
    size_t n;
    mb_event ev[MB_COUNTERS_MAX];
    int nslots;  /* events counted by PAPI, together in one event set */
    int nkernel; /* events counted by the kernel directly, in one group */
    int kleader; /* the group leader's fd, -1 when there is no group */
    uint64_t kbase[MB_COUNTERS_MAX]; /* the group's values when counting last started */
    int running;
#if MB_HAVE_PAPI
    int eventset; /* PAPI_NULL when PAPI counts no event */
#endif
};

/* The backend (counters_backend.c), one of two builds: with PAPI (MB_HAVE_PAPI=1) it counts
 * through PAPI and, for what PAPI cannot count, perf_event_open; without it every event is
 * unavailable with a notice that says so. */

/* A PAPI_ name that is not a PAPI preset is MB_EINVAL naming `key` (never without PAPI). */
int mb_counters_check_presets(const char *key, const mb_counters *c);

/* Opens what counts c's events; an event nothing can count gets its notice, not an error. */
int mb_counters_backend_open(mb_counters *c);

/* Starts counting; stop writes the counts since the start into vals[i] per event. */
int mb_counters_backend_start(mb_counters *c);
int mb_counters_backend_stop(mb_counters *c, long long *vals);

/* Releases what open took; safe on a set whose open failed or never ran. */
void mb_counters_backend_close(mb_counters *c);

#endif
