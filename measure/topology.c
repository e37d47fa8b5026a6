/* topology.c: the machine's caches and cores from hwloc, and pinning the calling thread to one
 * core (see docs/design.md, "Measurement"). */
#include <errno.h>
#include <hwloc.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "measure/measure.h"

static int load(hwloc_topology_t *topo)
{
    if (hwloc_topology_init(topo) != 0)
        return MB_ERROR(MB_EIO, "hwloc: cannot initialise a topology: %s", strerror(errno));
    if (hwloc_topology_load(*topo) != 0) {
        int e = errno;
        hwloc_topology_destroy(*topo);
        return MB_ERROR(MB_EIO, "hwloc: cannot load the machine's topology: %s", strerror(e));
    }
    return MB_OK;
}

/* MB_OK when `core` is one of the topology's cores; else the error naming key and range. */
static int check_core(hwloc_topology_t topo, const char *key, int core)
{
    int cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    if (cores <= 0)
        return MB_ERROR(MB_EIO, "hwloc: this machine reports no cores");
    if (core < 0 || core >= cores)
        return MB_ERROR(MB_EINVAL,
                        "%s %d: core %d does not exist: this process may use cores 0..%d "
                        "(hwloc logical indices)",
                        key, core, core, cores - 1);
    return MB_OK;
}

int mb_topology_check(const char *key, int core)
{
    hwloc_topology_t topo;
    int rc = load(&topo);
    if (rc != MB_OK)
        return rc;
    rc = check_core(topo, key ? key : "core", core);
    hwloc_topology_destroy(topo);
    return rc;
}

int mb_topology_pin(int core)
{
    hwloc_topology_t topo;
    int rc = load(&topo);
    if (rc != MB_OK)
        return rc;
    rc = check_core(topo, "pin", core);
    if (rc != MB_OK) {
        hwloc_topology_destroy(topo);
        return rc;
    }
    hwloc_obj_t obj = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, (unsigned)core);
    /* One hardware thread of the core, so that the thread cannot move between siblings. */
    hwloc_bitmap_t set = hwloc_bitmap_dup(obj->cpuset);
    if (!set) {
        hwloc_topology_destroy(topo);
        return MB_ERROR(MB_ENOMEM, "hwloc: out of memory");
    }
    hwloc_bitmap_singlify(set);
    rc = MB_OK;
    if (hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT) != 0) {
        int e = errno;
        char text[64];
        hwloc_bitmap_list_snprintf(text, sizeof text, set);
        rc = MB_ERROR(MB_EIO, "core %d: cannot bind this thread to CPU %s: %s", core, text,
                      strerror(e));
    }
    hwloc_bitmap_free(set);
    hwloc_topology_destroy(topo);
    return rc;
}

/* The size of the first cache of `type` whose kind is data or unified, or -1. */
static int64_t cache_bytes(hwloc_topology_t topo, hwloc_obj_type_t type)
{
    int n = hwloc_get_nbobjs_by_type(topo, type);
    for (int i = 0; i < n; i++) {
        hwloc_obj_t o = hwloc_get_obj_by_type(topo, type, (unsigned)i);
        if (o && o->attr && o->attr->cache.type != HWLOC_OBJ_CACHE_INSTRUCTION)
            return (int64_t)o->attr->cache.size;
    }
    return -1;
}

int mb_topology_query(mb_topology *t)
{
    memset(t, 0, sizeof *t);
    t->l1d_bytes = t->l2_bytes = t->l3_bytes = -1;
    hwloc_topology_t topo;
    int rc = load(&topo);
    if (rc != MB_OK)
        return rc;
    t->packages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
    t->cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    t->pus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
    t->numa_nodes = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
    t->l1d_bytes = cache_bytes(topo, HWLOC_OBJ_L1CACHE);
    t->l2_bytes = cache_bytes(topo, HWLOC_OBJ_L2CACHE);
    t->l3_bytes = cache_bytes(topo, HWLOC_OBJ_L3CACHE);
    hwloc_obj_t pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
    const char *model = pkg ? hwloc_obj_get_info_by_name(pkg, "CPUModel") : NULL;
    if (model) {
        snprintf(t->cpu_model, sizeof t->cpu_model, "%s", model);
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    const char *simd = __builtin_cpu_supports("avx512f") ? "avx512f"
                       : __builtin_cpu_supports("avx2") ? "avx2"
                       : __builtin_cpu_supports("avx")  ? "avx"
                       : __builtin_cpu_supports("sse4.2") ? "sse4.2"
                       : __builtin_cpu_supports("sse2") ? "sse2"
                                                        : "";
    snprintf(t->simd, sizeof t->simd, "%s", simd);
#endif
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (set && hwloc_get_cpubind(topo, set, HWLOC_CPUBIND_THREAD) == 0)
        hwloc_bitmap_list_snprintf(t->cpubind, sizeof t->cpubind, set);
    hwloc_bitmap_free(set);
    hwloc_topology_destroy(topo);
    return MB_OK;
}
