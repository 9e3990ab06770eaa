/* Reading the topology with hwloc and deriving the pin order from it. */
#include "topology.h"

#include "machine.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void cache_facts(hwloc_topology_t topo, hwloc_obj_type_t type, uint64_t *bytes, unsigned *count)
{
    int n = hwloc_get_nbobjs_by_type(topo, type);
    hwloc_obj_t o = n > 0 ? hwloc_get_obj_by_type(topo, type, 0) : NULL;
    *count = n > 0 ? (unsigned)n : 0;
    *bytes = o && o->attr ? o->attr->cache.size : 0;
}

static unsigned count_of(hwloc_topology_t topo, hwloc_obj_type_t type)
{
    int n = hwloc_get_nbobjs_by_type(topo, type);
    return n > 0 ? (unsigned)n : 0;
}

/* Physical cores first: round k takes the k-th PU of every core. Each PU once, however the
 * cores' cpusets overlap in a (malformed) topology file: the fuzzer found one that did. */
static int build_pin_order(struct ceil_topo *t)
{
    t->pin_order = calloc(t->pus ? t->pus : 1, sizeof *t->pin_order);
    hwloc_bitmap_t placed_set = hwloc_bitmap_alloc();
    if (!t->pin_order || !placed_set) {
        hwloc_bitmap_free(placed_set);
        return -ENOMEM;
    }
    unsigned placed = 0;
    if (t->cores == 0) { /* no Core objects: PUs in logical order */
        for (unsigned i = 0; i < t->pus; i++)
            t->pin_order[placed++] = (int)hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_PU, i)->os_index;
    }
    for (unsigned round = 0; placed < t->pus; round++) {
        unsigned before = placed, seen = 0;
        for (unsigned c = 0; c < t->cores && placed < t->pus; c++) {
            hwloc_obj_t core = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_CORE, c);
            hwloc_obj_t pu = hwloc_get_obj_inside_cpuset_by_type(t->topo, core->cpuset, HWLOC_OBJ_PU, round);
            seen += pu != NULL;
            if (pu && !hwloc_bitmap_isset(placed_set, pu->os_index)) {
                hwloc_bitmap_set(placed_set, pu->os_index);
                t->pin_order[placed++] = (int)pu->os_index;
            }
        }
        if (seen == 0 || (placed == before && round > t->pus))
            break; /* PUs outside any core: not pinned to */
    }
    hwloc_bitmap_free(placed_set);
    t->pin_count = placed;
    return placed ? 0 : -ENODEV;
}

/* hwloc 2.9 crashes on some malformed XML (an object with a cpuset but no complete_cpuset,
 * found by fuzzing): a file from elsewhere is read first in a child, which may die instead. */
static int xml_loads_safely(const char *path, char err[CEIL_ERRLEN])
{
    fflush(NULL);
    enum { LOADED = 0, REFUSED = 3 }; /* anything else: it crashed, even if a sanitizer exited for it */
    pid_t pid = fork();
    if (pid == 0) {
        int crash_signals[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
        for (unsigned i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
            signal(crash_signals[i], SIG_DFL);
        hwloc_topology_t topo;
        int ok = hwloc_topology_init(&topo) == 0 && hwloc_topology_set_xml(topo, path) == 0 &&
                 hwloc_topology_load(topo) == 0;
        _exit(ok ? LOADED : REFUSED);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return 0; /* cannot tell: let the real load say what it says */
    if (WIFSIGNALED(status) || (WEXITSTATUS(status) != LOADED && WEXITSTATUS(status) != REFUSED)) {
        snprintf(err, CEIL_ERRLEN, "%s: hwloc crashed reading it (%s %d): not a topology it can read", path,
                 WIFSIGNALED(status) ? "signal" : "exit status",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        return -EINVAL;
    }
    return 0;
}

int ceil_topo_load(struct ceil_topo *t, const char *xml_path, char err[CEIL_ERRLEN])
{
    memset(t, 0, sizeof *t);
    if (xml_path && xml_loads_safely(xml_path, err) != 0)
        return -EINVAL;
    if (hwloc_topology_init(&t->topo) != 0) {
        snprintf(err, CEIL_ERRLEN, "hwloc cannot start: %s", strerror(errno));
        return -ENOMEM;
    }
    if (xml_path && hwloc_topology_set_xml(t->topo, xml_path) != 0) {
        int e = errno;
        snprintf(err, CEIL_ERRLEN, "%s: hwloc cannot read it as a topology: %s", xml_path, strerror(e));
        ceil_topo_free(t);
        return -(e ? e : EINVAL);
    }
    if (hwloc_topology_load(t->topo) != 0) {
        int e = errno;
        snprintf(err, CEIL_ERRLEN, "%s: hwloc cannot load it: %s", xml_path ? xml_path : "this machine",
                 strerror(e));
        ceil_topo_free(t);
        return -(e ? e : EINVAL);
    }
    t->this_system = hwloc_topology_is_thissystem(t->topo);
    if (t->this_system && !xml_path)
        ceil_hypervisor(t->hypervisor, sizeof t->hypervisor);
    t->packages = count_of(t->topo, HWLOC_OBJ_PACKAGE);
    t->cores = count_of(t->topo, HWLOC_OBJ_CORE);
    t->pus = count_of(t->topo, HWLOC_OBJ_PU);
    t->numa_nodes = count_of(t->topo, HWLOC_OBJ_NUMANODE);
    cache_facts(t->topo, HWLOC_OBJ_L2CACHE, &t->l2_bytes, &t->l2_count);
    cache_facts(t->topo, HWLOC_OBJ_L3CACHE, &t->l3_bytes, &t->l3_count);
    hwloc_obj_t root = hwloc_get_root_obj(t->topo);
    t->numa_bytes = root->total_memory;
    const char *model = NULL;
    for (unsigned p = 0; !model && p < t->packages; p++)
        model = hwloc_obj_get_info_by_name(hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_PACKAGE, p), "CPUModel");
    if (!model)
        model = hwloc_obj_get_info_by_name(root, "CPUModel");
    snprintf(t->cpu_model, sizeof t->cpu_model, "%s", model ? model : "unknown");
    for (size_t len = strlen(t->cpu_model); len && t->cpu_model[len - 1] == ' ';) /* AMD pads it */
        t->cpu_model[--len] = '\0';
    if (t->pus == 0 || build_pin_order(t) != 0) {
        snprintf(err, CEIL_ERRLEN, "%s: the topology has no usable processing units",
                 xml_path ? xml_path : "this machine");
        ceil_topo_free(t);
        return -ENODEV;
    }
    return 0;
}

void ceil_topo_free(struct ceil_topo *t)
{
    if (t->topo)
        hwloc_topology_destroy(t->topo);
    free(t->pin_order);
    memset(t, 0, sizeof *t);
}

int ceil_topo_cpu_for(const struct ceil_topo *t, unsigned w)
{
    return t->pin_order[w % t->pin_count];
}

int ceil_topo_started_bound(const struct ceil_topo *t)
{
    hwloc_bitmap_t mine = hwloc_bitmap_alloc();
    int narrower = mine && hwloc_get_cpubind(t->topo, mine, HWLOC_CPUBIND_THREAD) == 0 &&
                   !hwloc_bitmap_isincluded(hwloc_topology_get_allowed_cpuset(t->topo), mine);
    hwloc_bitmap_free(mine);
    return narrower;
}

int ceil_topo_has_cpu(const struct ceil_topo *t, int cpu)
{
    for (unsigned i = 0; i < t->pin_count; i++)
        if (t->pin_order[i] == cpu)
            return 1;
    return 0;
}
