/* The machine as hwloc sees it: counts, cache sizes, and the order workers are pinned in. */
#ifndef CEIL_TOPOLOGY_H
#define CEIL_TOPOLOGY_H

#include "arrays.h"

#include <hwloc.h>
#include <stdint.h>

/* The most workers any team is given. */
enum { CEIL_MAX_WORKERS = 1024 };

struct ceil_topo {
    hwloc_topology_t topo;
    int this_system;           /* 0 when read from an XML file: nothing can be bound */
    unsigned packages, cores, pus, numa_nodes;
    uint64_t l2_bytes;         /* one L2 cache (0 if none) */
    unsigned l2_count;
    uint64_t l3_bytes;         /* one L3 cache (0 if none) */
    unsigned l3_count;
    uint64_t numa_bytes;       /* memory hwloc reports (0 if it reports none) */
    char cpu_model[128];
    char hypervisor[32];       /* this machine's hypervisor vendor, "" if none or not this machine */
    /* OS indices of the PUs, physical cores first and compact: the first PU of each core in
     * order, then the second PU of each core, and so on (likwid-pin's physical-first order). */
    int *pin_order;
    unsigned pin_count;
};

/* Loads this machine's topology (xml_path NULL) or another machine's hwloc XML export.
 * Returns 0, or -errno with a message. */
int ceil_topo_load(struct ceil_topo *t, const char *xml_path, char err[CEIL_ERRLEN]);
void ceil_topo_free(struct ceil_topo *t);

/* Worker w's CPU for a team of any size: pin_order[w % pin_count]. */
int ceil_topo_cpu_for(const struct ceil_topo *t, unsigned w);

/* Is `cpu` (an OS index) a PU this topology allows us to run on? */
int ceil_topo_has_cpu(const struct ceil_topo *t, int cpu);

/* Was this process started bound to fewer CPUs than it may use (by mpirun --bind-to, taskset,
 * likwid-pin)? 1 if so, 0 if not or unknown. This machine's topology only. */
int ceil_topo_started_bound(const struct ceil_topo *t);

#endif
