/* The sweep plan: sizes from L2 to DRAM and worker counts, derived from the topology. */
#ifndef CEIL_PLAN_H
#define CEIL_PLAN_H

#include "topology.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

enum ceil_sweep { CEIL_SWEEP_QUICK, CEIL_SWEEP_DEFAULT, CEIL_SWEEP_FULL };

enum ceil_level { CEIL_LEVEL_L2, CEIL_LEVEL_L3, CEIL_LEVEL_DRAM, CEIL_LEVEL_BETWEEN };

enum { CEIL_PLAN_MAX_SIZES = 64, CEIL_PLAN_MAX_COUNTS = 32, CEIL_PLAN_MAX_NOTES = 16 };

struct ceil_plan_workers {
    unsigned count;
    int *cpus;          /* the first `count` CPUs of the pin order */
    unsigned cores;     /* distinct physical cores among them */
    uint64_t l2_bytes;  /* the L2 caches they use, added up */
    uint64_t l3_bytes;  /* the L3 caches they use, added up */
};

struct ceil_plan_size {
    uint64_t n;
    uint64_t bytes;            /* resident footprint: n x footprint bytes per element */
    enum ceil_level level;     /* where it sits when the top worker count runs */
    const char *target;        /* "L2", "L3", "DRAM" for the planned targets; NULL for the sweep */
};

struct ceil_plan {
    enum ceil_sweep sweep;
    double footprint_per_elem; /* bytes resident per element (8 for every kernel here) */
    double traffic_per_elem;   /* bytes moved per element-tick (12 for every kernel here) */
    uint64_t llc_bytes;        /* the whole last-level cache: all L3s (or all L2s without L3) */
    uint64_t mem_bytes;        /* memory the sizes must fit in (0: unknown, not checked) */
    const char *mem_source;    /* where mem_bytes came from */
    struct ceil_plan_workers workers[CEIL_PLAN_MAX_COUNTS];
    unsigned n_workers;
    struct ceil_plan_size sizes[CEIL_PLAN_MAX_SIZES];
    unsigned n_sizes;
    char notes[CEIL_PLAN_MAX_NOTES][200]; /* what was skipped or assumed, and why */
    unsigned n_notes;
};

/* Plans a sweep for topology t. mem_bytes: what the run may allocate (0: unknown).
 * max_bytes: no size above this footprint (0: no cap); a DRAM target above it is skipped and
 * noted. Sizes are kept when what the sweep holds at them (4 footprints: a team, its serial pair
 * and the reference; or the reference and a launched job) fits in 80% of mem_bytes. Returns 0 or
 * -errno with a message. */
int ceil_plan_make(struct ceil_plan *p, const struct ceil_topo *t, enum ceil_sweep sweep,
                   uint64_t mem_bytes, const char *mem_source, uint64_t max_bytes, char err[CEIL_ERRLEN]);
void ceil_plan_free(struct ceil_plan *p);

/* Where `bytes` of footprint sit for the i-th worker count: L2 if they fit the L2 caches those
 * workers use, L3 if they fit their L3 caches, DRAM if at least 4x the whole last-level cache
 * (STREAM's rule), otherwise between. */
enum ceil_level ceil_plan_level(const struct ceil_plan *p, uint64_t bytes, unsigned workers_index);

const char *ceil_level_name(enum ceil_level l);
const char *ceil_sweep_name(enum ceil_sweep s);
/* The sweep named `text`: 0, or -1 if there is none of that name. */
int ceil_sweep_find(const char *text, enum ceil_sweep *out);

/* "1.5 MiB": bytes for people. */
void ceil_format_bytes(double b, char *out, size_t len);

/* The plan as JSON: {"sweep", "topology": {...}, "sizes": [...], "workers": [...], "notes"}. */
json_t *ceil_plan_json(const struct ceil_plan *p, const struct ceil_topo *t);


#endif
