/* counters_backend.c: what counts the events of measure/counters.c: PAPI, and for what PAPI
 * cannot count the kernel's perf_event_open, when the build has PAPI (MB_HAVE_PAPI=1); without
 * it every event is unavailable with a notice (docs/design.md, "Measurement"). The same file
 * builds both ways, so that tests cover both. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "measure/counters_impl.h"

#if MB_HAVE_PAPI
#include <errno.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

/* Appends formatted text to the string in buf (of capacity cap), truncating. */
__attribute__((format(printf, 3, 4))) static void append(char *buf, size_t cap,
                                                         const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, cap - used, fmt, ap);
    va_end(ap);
}

/* ---------------------------------------------------------------------------------------------
 * The PAPI backend.
 */

#if MB_HAVE_PAPI

/* PAPI_library_init must run once per process, whatever thread gets here first. This state is
 * written only inside pthread_once; the other process-wide state of membptt is the allocator
 * hook (core/alloc.h). */
static pthread_once_t papi_once = PTHREAD_ONCE_INIT;
static int papi_init_ok;
static char papi_init_reason[256];
static char papi_version_text[32] = "none";

static unsigned long thread_id(void) { return (unsigned long)pthread_self(); }

static void papi_init(void)
{
    int v = PAPI_library_init(PAPI_VER_CURRENT);
    if (v != PAPI_VER_CURRENT) {
        if (v > 0)
            snprintf(papi_init_reason, sizeof papi_init_reason,
                     "PAPI_library_init: library version %d.%d does not match the header's %d.%d",
                     PAPI_VERSION_MAJOR(v), PAPI_VERSION_MINOR(v),
                     PAPI_VERSION_MAJOR(PAPI_VER_CURRENT), PAPI_VERSION_MINOR(PAPI_VER_CURRENT));
        else
            snprintf(papi_init_reason, sizeof papi_init_reason, "PAPI_library_init: %s",
                     PAPI_strerror(v));
        snprintf(papi_version_text, sizeof papi_version_text, "%d.%d.%d.%d (header)",
                 PAPI_VERSION_MAJOR(PAPI_VERSION), PAPI_VERSION_MINOR(PAPI_VERSION),
                 PAPI_VERSION_REVISION(PAPI_VERSION), PAPI_VERSION_INCREMENT(PAPI_VERSION));
        return;
    }
    int lib = PAPI_get_opt(PAPI_LIB_VERSION, NULL);
    if (lib < 0)
        lib = PAPI_VERSION;
    snprintf(papi_version_text, sizeof papi_version_text, "%d.%d.%d.%d", PAPI_VERSION_MAJOR(lib),
             PAPI_VERSION_MINOR(lib), PAPI_VERSION_REVISION(lib), PAPI_VERSION_INCREMENT(lib));
    int t = PAPI_thread_init(thread_id);
    if (t != PAPI_OK) {
        snprintf(papi_init_reason, sizeof papi_init_reason, "PAPI_thread_init: %s",
                 PAPI_strerror(t));
        return;
    }
    papi_init_ok = 1;
}

static int papi_ready(void)
{
    pthread_once(&papi_once, papi_init);
    return papi_init_ok;
}

/* PAPI's symbolic name for an error code, for notices that can be searched for. */
static const char *papi_code_name(int rc)
{
    switch (rc) {
    case PAPI_EINVAL: return "PAPI_EINVAL";
    case PAPI_ENOMEM: return "PAPI_ENOMEM";
    case PAPI_ESYS: return "PAPI_ESYS";
    case PAPI_ECMP: return "PAPI_ECMP";
    case PAPI_EBUG: return "PAPI_EBUG";
    case PAPI_ENOEVNT: return "PAPI_ENOEVNT";
    case PAPI_ECNFLCT: return "PAPI_ECNFLCT";
    case PAPI_ENOTRUN: return "PAPI_ENOTRUN";
    case PAPI_EISRUN: return "PAPI_EISRUN";
    case PAPI_ENOEVST: return "PAPI_ENOEVST";
    case PAPI_ENOTPRESET: return "PAPI_ENOTPRESET";
    case PAPI_ENOCNTR: return "PAPI_ENOCNTR";
    case PAPI_EMISC: return "PAPI_EMISC";
    case PAPI_EPERM: return "PAPI_EPERM";
    case PAPI_ENOINIT: return "PAPI_ENOINIT";
    case PAPI_ENOCMP: return "PAPI_ENOCMP";
    case PAPI_ENOSUPP: return "PAPI_ENOSUPP";
    case PAPI_ENOIMPL: return "PAPI_ENOIMPL";
    case PAPI_ECOMBO: return "PAPI_ECOMBO";
    case PAPI_ECMP_DISABLED: return "PAPI_ECMP_DISABLED";
    default: return "PAPI error";
    }
}

/* Fills ev->notice: the event, what failed, PAPI's reason and, where it explains the failure,
 * the state of the PAPI component that would count it and the kernel's perf_event_paranoid. */
static void set_notice(mb_event *ev, const char *what, int rc)
{
    int n = snprintf(ev->notice, sizeof ev->notice, "%s: %s%s%s (%s)", ev->name, what,
                     what[0] ? ": " : "", PAPI_strerror(rc), papi_code_name(rc));
    size_t used = n < 0 ? 0 : (size_t)n;
    if (used >= sizeof ev->notice)
        return;
    int code = 0, cidx;
    if (PAPI_event_name_to_code(ev->name, &code) == PAPI_OK) {
        cidx = PAPI_get_event_component(code);
    } else {
        /* A name PAPI cannot resolve: the component its prefix names ("rapl::..." -> rapl,
         * "sde:::..." -> sde); presets and "perf::" names belong to perf_event. */
        const char *sep = strstr(ev->name, "::");
        char prefix[64] = "perf_event";
        if (sep && sep > ev->name && (size_t)(sep - ev->name) < sizeof prefix &&
            strncmp(ev->name, "perf::", 6) != 0)
            snprintf(prefix, sizeof prefix, "%.*s", (int)(sep - ev->name), ev->name);
        cidx = PAPI_get_component_index(prefix);
        if (cidx < 0) {
            snprintf(ev->notice + used, sizeof ev->notice - used,
                     "; this PAPI has no component %s", prefix);
            return;
        }
    }
    const PAPI_component_info_t *ci = cidx >= 0 ? PAPI_get_component_info(cidx) : NULL;
    if (ci && ci->disabled != PAPI_OK)
        n = snprintf(ev->notice + used, sizeof ev->notice - used,
                     "; PAPI component %s is disabled: %s", ci->name, ci->disabled_reason);
    else
        n = 0;
    used += n < 0 ? 0 : (size_t)n;
    if (used >= sizeof ev->notice)
        return;
    int paranoid = mb_perf_event_paranoid();
    if ((rc == PAPI_EPERM || rc == PAPI_ESYS) && geteuid() != 0 && paranoid >= 2)
        snprintf(ev->notice + used, sizeof ev->notice - used,
                 "; kernel.perf_event_paranoid is %d and this process is not root", paranoid);
}

/* Tries event ev alone: create a set, add it, start and stop it. 1 when it can be counted. */
static int probe_alone(mb_event *ev)
{
    int code = 0;
    int rc = PAPI_event_name_to_code(ev->name, &code);
    if (rc != PAPI_OK) {
        set_notice(ev, "not an event PAPI can name on this machine", rc);
        return 0;
    }
    int es = PAPI_NULL;
    rc = PAPI_create_eventset(&es);
    if (rc != PAPI_OK) {
        set_notice(ev, "PAPI_create_eventset", rc);
        return 0;
    }
    int ok = 0;
    rc = PAPI_add_named_event(es, ev->name);
    if (rc != PAPI_OK) {
        set_notice(ev, "cannot be added to an event set", rc);
    } else if ((rc = PAPI_start(es)) != PAPI_OK) {
        set_notice(ev, "cannot be started", rc);
    } else {
        long long dummy = 0;
        rc = PAPI_stop(es, &dummy);
        if (rc != PAPI_OK)
            set_notice(ev, "cannot be stopped", rc);
        else
            ok = 1;
    }
    PAPI_cleanup_eventset(es);
    PAPI_destroy_eventset(&es);
    return ok;
}

/* The kernel's generic software events under the names libpfm4 gives them in PAPI
 * ("perf::TASK-CLOCK"). When PAPI cannot count one of these (its perf_event component is
 * disabled where libpfm4 finds no core PMU, as in a KVM guest without a virtual PMU), the same
 * kernel counter is opened directly with perf_event_open; its source is then "perf_event_open"
 * and the PAPI notice is kept (mb_counters_papi_reason). See docs/design.md, "Measurement". */
static const struct {
    const char *name;
    unsigned long long config;
} kernel_events[] = {
    {"CPU-CLOCK", PERF_COUNT_SW_CPU_CLOCK},
    {"TASK-CLOCK", PERF_COUNT_SW_TASK_CLOCK},
    {"PAGE-FAULTS", PERF_COUNT_SW_PAGE_FAULTS},
    {"FAULTS", PERF_COUNT_SW_PAGE_FAULTS},
    {"CONTEXT-SWITCHES", PERF_COUNT_SW_CONTEXT_SWITCHES},
    {"CS", PERF_COUNT_SW_CONTEXT_SWITCHES},
    {"CPU-MIGRATIONS", PERF_COUNT_SW_CPU_MIGRATIONS},
    {"MIGRATIONS", PERF_COUNT_SW_CPU_MIGRATIONS},
    {"MINOR-FAULTS", PERF_COUNT_SW_PAGE_FAULTS_MIN},
    {"MAJOR-FAULTS", PERF_COUNT_SW_PAGE_FAULTS_MAJ},
    {"ALIGNMENT-FAULTS", PERF_COUNT_SW_ALIGNMENT_FAULTS},
    {"EMULATION-FAULTS", PERF_COUNT_SW_EMULATION_FAULTS},
};

/* The kernel event a name stands for, "perf::NAME" or "perf::NAME:u" (user mode only). */
static int kernel_config(const char *name, unsigned long long *config, int *user_only)
{
    if (strncmp(name, "perf::", 6) != 0)
        return 0;
    const char *base = name + 6;
    size_t len = strlen(base);
    *user_only = len > 2 && strcmp(base + len - 2, ":u") == 0;
    if (*user_only)
        len -= 2;
    for (size_t i = 0; i < sizeof kernel_events / sizeof kernel_events[0]; i++)
        if (strlen(kernel_events[i].name) == len && strncmp(base, kernel_events[i].name, len) == 0) {
            *config = kernel_events[i].config;
            return 1;
        }
    return 0;
}

/* Opens the kernel counter `config` for the calling thread as the leader of a new group
 * (leader -1, opened stopped) or as a member of `leader`'s group. The fd, or -1 with errno. */
static int kernel_open(unsigned long long config, int leader, int user_only)
{
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = config;
    attr.disabled = leader < 0;
    attr.exclude_hv = 1;
    attr.exclude_kernel = user_only != 0;
    attr.read_format = PERF_FORMAT_GROUP;
    return (int)syscall(SYS_perf_event_open, &attr, 0, -1, leader, PERF_FLAG_FD_CLOEXEC);
}

/* Reads the n values of the group led by `leader` into v. 0, or -1 with errno. */
static int kernel_read(int leader, int n, uint64_t *v)
{
    uint64_t buf[1 + MB_COUNTERS_MAX];
    ssize_t want = (ssize_t)(sizeof buf[0] * (size_t)(1 + n));
    ssize_t got = read(leader, buf, (size_t)want);
    if (got != want || buf[0] != (uint64_t)n) {
        if (got >= 0)
            errno = EIO;
        return -1;
    }
    memcpy(v, buf + 1, sizeof buf[0] * (size_t)n);
    return 0;
}

/* Tries kernel counter `config` alone: open, enable, disable, read. 0, or -1 with errno. */
static int kernel_probe(unsigned long long config, int user_only)
{
    int fd = kernel_open(config, -1, user_only);
    if (fd < 0)
        return -1;
    uint64_t v;
    int rc = 0;
    if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) != 0 || ioctl(fd, PERF_EVENT_IOC_DISABLE, 0) != 0 ||
        kernel_read(fd, 1, &v) != 0)
        rc = -1;
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

static void kernel_notice(mb_event *ev, const char *what, int e)
{
    append(ev->notice, sizeof ev->notice, "; perf_event_open%s: %s", what, strerror(e));
    if ((e == EACCES || e == EPERM) && geteuid() != 0)
        append(ev->notice, sizeof ev->notice,
               "; kernel.perf_event_paranoid is %d and this process is not root",
               mb_perf_event_paranoid());
}

/* Adds each event that works alone to the one event set, keeping it only when the set still
 * starts with it: events that cannot be counted together are reported, never multiplexed. A
 * kernel software event PAPI cannot count is tried alone with perf_event_open and then joins
 * one group of such events, which counts from open to close: a window is the difference of two
 * group reads (one system call each). */
int mb_counters_backend_open(mb_counters *c)
{
    c->kleader = -1;
    int ready = papi_ready();
    for (size_t i = 0; i < c->n; i++) {
        mb_event *ev = &c->ev[i];
        int ok = 0;
        if (!ready)
            append(ev->notice, sizeof ev->notice, "%s: %s", ev->name, papi_init_reason);
        else if (probe_alone(ev)) {
            int rc = PAPI_OK;
            if (c->eventset == PAPI_NULL) {
                rc = PAPI_create_eventset(&c->eventset);
                if (rc != PAPI_OK) {
                    c->eventset = PAPI_NULL;
                    set_notice(ev, "PAPI_create_eventset", rc);
                }
            }
            if (rc == PAPI_OK) {
                rc = PAPI_add_named_event(c->eventset, ev->name);
                if (rc == PAPI_OK) {
                    rc = PAPI_start(c->eventset);
                    if (rc == PAPI_OK) {
                        long long vals[MB_COUNTERS_MAX];
                        rc = PAPI_stop(c->eventset, vals);
                    }
                    if (rc != PAPI_OK)
                        PAPI_remove_named_event(c->eventset, ev->name);
                }
                if (rc != PAPI_OK)
                    set_notice(ev, "cannot be counted together with the events listed before it",
                               rc);
                else
                    ok = 1;
            }
            if (ok) {
                ev->available = 1;
                ev->source = SOURCE_PAPI;
                ev->slot = c->nslots++;
                ev->notice[0] = '\0';
                continue;
            }
        }
        unsigned long long config;
        int user_only = 0;
        if (!kernel_config(ev->name, &config, &user_only))
            continue;
        /* perf_event_paranoid >= 2 lets a non-root process count its user mode only, as
         * `perf stat` does for it (":u"); the source then says so. */
        if (kernel_probe(config, user_only) != 0) {
            int e = errno;
            if (user_only || (e != EACCES && e != EPERM) || kernel_probe(config, 1) != 0) {
                kernel_notice(ev, "", e);
                continue;
            }
            user_only = 1;
        }
        ev->fd = kernel_open(config, c->kleader, user_only);
        if (ev->fd < 0) {
            kernel_notice(ev, " (with the kernel events listed before it)", errno);
            continue;
        }
        if (c->kleader < 0)
            c->kleader = ev->fd;
        ev->available = 1;
        ev->source = SOURCE_KERNEL;
        ev->user_only = user_only;
        ev->kidx = c->nkernel++;
    }
    if (c->kleader >= 0 &&
        (ioctl(c->kleader, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP) != 0 ||
         kernel_read(c->kleader, c->nkernel, c->kbase) != 0))
        return MB_ERROR(MB_EIO, "counters: the perf_event group of %d events cannot be enabled "
                        "and read: %s", c->nkernel, strerror(errno));
    return MB_OK;
}

int mb_counters_backend_start(mb_counters *c)
{
    if (c->nslots > 0) {
        int rc = PAPI_start(c->eventset);
        if (rc != PAPI_OK)
            return MB_ERROR(MB_EIO, "counters: PAPI_start: %s (%s)", PAPI_strerror(rc),
                            papi_code_name(rc));
    }
    if (c->nkernel > 0 && kernel_read(c->kleader, c->nkernel, c->kbase) != 0) {
        int e = errno;
        if (c->nslots > 0) {
            long long vals[MB_COUNTERS_MAX];
            PAPI_stop(c->eventset, vals);
        }
        return MB_ERROR(MB_EIO, "counters: cannot read the perf_event group: %s", strerror(e));
    }
    return MB_OK;
}

/* Stops everything (also after a failure) and sets vals[i] for each available event i. */
int mb_counters_backend_stop(mb_counters *c, long long *vals)
{
    int status = MB_OK;
    uint64_t now[MB_COUNTERS_MAX];
    if (c->nkernel > 0 && kernel_read(c->kleader, c->nkernel, now) != 0)
        status = MB_ERROR(MB_EIO, "counters: cannot read the perf_event group: %s",
                          strerror(errno));
    if (c->nslots > 0) {
        long long slots[MB_COUNTERS_MAX];
        int rc = PAPI_stop(c->eventset, slots);
        if (rc != PAPI_OK && status == MB_OK)
            status = MB_ERROR(MB_EIO, "counters: PAPI_stop: %s (%s)", PAPI_strerror(rc),
                              papi_code_name(rc));
        for (size_t i = 0; rc == PAPI_OK && i < c->n; i++)
            if (c->ev[i].source == SOURCE_PAPI)
                vals[i] = slots[c->ev[i].slot];
    }
    for (size_t i = 0; i < c->n && c->nkernel > 0 && status == MB_OK; i++) {
        const mb_event *ev = &c->ev[i];
        if (ev->source != SOURCE_KERNEL)
            continue;
        uint64_t d = now[ev->kidx] - c->kbase[ev->kidx];
        if (now[ev->kidx] < c->kbase[ev->kidx] || d > (uint64_t)INT64_MAX)
            status = MB_ERROR(MB_ERANGE, "counters: %s went from %llu to %llu", ev->name,
                              (unsigned long long)c->kbase[ev->kidx],
                              (unsigned long long)now[ev->kidx]);
        else
            vals[i] = (long long)d;
    }
    return status;
}

void mb_counters_backend_close(mb_counters *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->ev[i].fd >= 0)
            close(c->ev[i].fd);
    if (c->eventset == PAPI_NULL)
        return;
    if (c->running) {
        long long vals[MB_COUNTERS_MAX];
        PAPI_stop(c->eventset, vals);
    }
    PAPI_cleanup_eventset(c->eventset);
    PAPI_destroy_eventset(&c->eventset);
}

const char *mb_counters_papi_version(void)
{
    papi_ready();
    return papi_version_text;
}

int mb_counters_have_papi(void) { return 1; }

/* A PAPI_ name that is not in PAPI's preset table is a typo on every machine: MB_EINVAL.
 * (The table is the same whatever the hardware; only availability differs.) Skipped when PAPI
 * cannot start, since every event is then unavailable anyway. */
int mb_counters_check_presets(const char *key, const mb_counters *c)
{
    if (!papi_ready())
        return MB_OK;
    for (size_t i = 0; i < c->n; i++) {
        int code = 0;
        if (strncmp(c->ev[i].name, "PAPI_", 5) == 0 &&
            PAPI_event_name_to_code(c->ev[i].name, &code) != PAPI_OK)
            return MB_ERROR(MB_EINVAL, "%s: event \"%s\" is not a PAPI preset (papi_avail lists "
                            "them, e.g. PAPI_TOT_INS, PAPI_TOT_CYC, PAPI_L1_DCM)",
                            key, c->ev[i].name);
    }
    return MB_OK;
}

#else /* !MB_HAVE_PAPI */

/* Without PAPI there is no preset table to check a PAPI_ name against. */
int mb_counters_check_presets(const char *key, const mb_counters *c)
{
    (void)key;
    (void)c;
    return MB_OK;
}

int mb_counters_backend_open(mb_counters *c)
{
    for (size_t i = 0; i < c->n; i++)
        append(c->ev[i].notice, sizeof c->ev[i].notice, "%s: membptt was built without PAPI",
               c->ev[i].name);
    return MB_OK;
}

int mb_counters_backend_start(mb_counters *c)
{
    (void)c;
    return MB_OK;
}

int mb_counters_backend_stop(mb_counters *c, long long *vals)
{
    (void)c;
    (void)vals;
    return MB_OK;
}

void mb_counters_backend_close(mb_counters *c) { (void)c; }

const char *mb_counters_papi_version(void) { return "none"; }

int mb_counters_have_papi(void) { return 0; }

#endif

