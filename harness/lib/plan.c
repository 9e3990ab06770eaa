/* Planning the sweep from the topology: worker counts, cache-level targets, a log-spaced sweep. */
#include "plan.h"

#include "machine.h"
#include "partition.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name;
    unsigned per_decade; /* log-spaced sizes between the smallest and the DRAM target */
} sweeps[] = {
    [CEIL_SWEEP_QUICK] = { "quick", 0 },
    [CEIL_SWEEP_DEFAULT] = { "default", 3 },
    [CEIL_SWEEP_FULL] = { "full", 6 },
};

static const uint64_t smallest_bytes = 32 * 1024; /* where the log sweep starts */

const char *ceil_sweep_name(enum ceil_sweep s) { return sweeps[s].name; }

int ceil_sweep_find(const char *text, enum ceil_sweep *out)
{
    for (unsigned s = 0; s < sizeof sweeps / sizeof sweeps[0]; s++)
        if (strcmp(text, sweeps[s].name) == 0) {
            *out = (enum ceil_sweep)s;
            return 0;
        }
    return -1;
}

const char *ceil_level_name(enum ceil_level l)
{
    static const char *names[] = { "L2", "L3", "DRAM", "between" };
    return names[l];
}

static void note(struct ceil_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct ceil_plan *p, const char *fmt, ...)
{
    if (p->n_notes == CEIL_PLAN_MAX_NOTES)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->notes[p->n_notes++], sizeof p->notes[0], fmt, ap);
    va_end(ap);
}

/* The caches of `type` above the given PUs, each counted once, added up. */
static uint64_t caches_used(const struct ceil_topo *t, const int *cpus, unsigned count, hwloc_obj_type_t type)
{
    hwloc_obj_t seen[CEIL_MAX_WORKERS];
    unsigned n_seen = 0;
    uint64_t bytes = 0;
    for (unsigned i = 0; i < count && n_seen < CEIL_MAX_WORKERS; i++) {
        hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(t->topo, (unsigned)cpus[i]);
        hwloc_obj_t cache = pu ? hwloc_get_ancestor_obj_by_type(t->topo, type, pu) : NULL;
        if (!cache)
            continue;
        unsigned j = 0;
        while (j < n_seen && seen[j] != cache)
            j++;
        if (j == n_seen) {
            seen[n_seen++] = cache;
            bytes += cache->attr->cache.size;
        }
    }
    return bytes;
}

static unsigned cores_used(const struct ceil_topo *t, const int *cpus, unsigned count)
{
    hwloc_obj_t seen[CEIL_MAX_WORKERS];
    unsigned n_seen = 0;
    for (unsigned i = 0; i < count && n_seen < CEIL_MAX_WORKERS; i++) {
        hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(t->topo, (unsigned)cpus[i]);
        hwloc_obj_t core = pu ? hwloc_get_ancestor_obj_by_type(t->topo, HWLOC_OBJ_CORE, pu) : pu;
        unsigned j = 0;
        while (j < n_seen && seen[j] != core)
            j++;
        if (j == n_seen)
            seen[n_seen++] = core;
    }
    return n_seen;
}

static int add_count(struct ceil_plan *p, const struct ceil_topo *t, unsigned count)
{
    if (count > t->pin_count || count > CEIL_MAX_WORKERS || p->n_workers == CEIL_PLAN_MAX_COUNTS)
        return 0;
    if (p->n_workers && p->workers[p->n_workers - 1].count >= count)
        return 0;
    struct ceil_plan_workers *w = &p->workers[p->n_workers];
    w->cpus = malloc(count * sizeof *w->cpus);
    if (!w->cpus)
        return -ENOMEM;
    memcpy(w->cpus, t->pin_order, count * sizeof *w->cpus);
    w->count = count;
    w->cores = cores_used(t, w->cpus, count);
    w->l2_bytes = caches_used(t, w->cpus, count, HWLOC_OBJ_L2CACHE);
    w->l3_bytes = caches_used(t, w->cpus, count, HWLOC_OBJ_L3CACHE);
    p->n_workers++;
    return 0;
}

enum ceil_level ceil_plan_level(const struct ceil_plan *p, uint64_t bytes, unsigned i)
{
    const struct ceil_plan_workers *w = &p->workers[i];
    if (w->l2_bytes && bytes <= w->l2_bytes)
        return CEIL_LEVEL_L2;
    if (w->l3_bytes && bytes <= w->l3_bytes)
        return CEIL_LEVEL_L3;
    if (bytes >= 4 * p->llc_bytes)
        return CEIL_LEVEL_DRAM;
    return CEIL_LEVEL_BETWEEN;
}

/* Elements for a footprint, to 3 significant digits (readable names), at least one grain,
 * rounded down (round < 0), up (round > 0) or to the nearest. */
static uint64_t elements_for(const struct ceil_plan *p, double bytes, int round)
{
    double n = bytes / p->footprint_per_elem;
    double scale = pow(10, floor(log10(n > 1 ? n : 1)) - 2), q = n / scale;
    q = round < 0 ? floor(q) : round > 0 ? ceil(q) : floor(q + 0.5);
    uint64_t r = (uint64_t)(q * scale);
    return r < CEIL_GRAIN ? CEIL_GRAIN : r;
}

/* A size; a target stays on its side of the boundary it was derived from (round). */
static void add_size(struct ceil_plan *p, double bytes, const char *target, int round)
{
    uint64_t n = elements_for(p, bytes, round);
    for (unsigned i = 0; i < p->n_sizes; i++) {
        /* a sweep size within 15% of another (a target, usually) adds nothing */
        double ratio = (double)p->sizes[i].n / (double)n;
        if (ratio > 1 / 1.15 && ratio < 1.15) {
            if (target && !p->sizes[i].target) {
                p->sizes[i].n = n;
                p->sizes[i].target = target;
            }
            return;
        }
    }
    if (p->n_sizes == CEIL_PLAN_MAX_SIZES)
        return;
    p->sizes[p->n_sizes++] = (struct ceil_plan_size){ .n = n, .target = target };
}

static int by_n(const void *a, const void *b)
{
    uint64_t x = ((const struct ceil_plan_size *)a)->n, y = ((const struct ceil_plan_size *)b)->n;
    return (x > y) - (x < y);
}

void ceil_format_bytes(double b, char *out, size_t len)
{
    static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    unsigned u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        u++;
    }
    snprintf(out, len, u ? "%.1f %s" : "%.0f %s", b, units[u]);
}

/* What the sweep holds at its largest size, in footprints: a team's arrays, its serial pair's and
 * the serial reference it is checked against (the bench keeps one size's at a time); or, while a
 * launched job runs, the reference and the job, which needs its arrays, its own serial check and
 * numpy's temporaries (about 3). */
enum { SWEEP_HOLDS = 4 };

/* Drops the largest sizes until what the sweep holds at the largest fits in 80% of the memory. */
static void fit_memory(struct ceil_plan *p)
{
    if (!p->mem_bytes)
        return;
    while (p->n_sizes) {
        double largest = (double)p->sizes[p->n_sizes - 1].bytes;
        double need = SWEEP_HOLDS * largest;
        if (need <= 0.8 * (double)p->mem_bytes)
            return;
        char a[32], b[32], c[32];
        ceil_format_bytes(largest, a, sizeof a);
        ceil_format_bytes(need, b, sizeof b);
        ceil_format_bytes((double)p->mem_bytes, c, sizeof c);
        note(p, "n=%" PRIu64 " (%s%s%s) skipped: the sweep would hold %s, more than 80%% of the %s of memory (%s)",
             p->sizes[p->n_sizes - 1].n, a, p->sizes[p->n_sizes - 1].target ? ", the " : "",
             p->sizes[p->n_sizes - 1].target ? p->sizes[p->n_sizes - 1].target : "", b, c, p->mem_source);
        p->n_sizes--;
    }
}

int ceil_plan_make(struct ceil_plan *p, const struct ceil_topo *t, enum ceil_sweep sweep,
                   uint64_t mem_bytes, const char *mem_source, uint64_t max_bytes, char err[CEIL_ERRLEN])
{
    memset(p, 0, sizeof *p);
    p->sweep = sweep;
    p->mem_bytes = mem_bytes;
    p->mem_source = mem_bytes ? mem_source : "unknown";
    for (unsigned k = 0; k < ceil_kernel_count; k++) {
        double fp = ceil_kernel_footprint(&ceil_kernels[k]), tr = ceil_kernel_bytes(&ceil_kernels[k]);
        p->footprint_per_elem = fp > p->footprint_per_elem ? fp : p->footprint_per_elem;
        p->traffic_per_elem = tr > p->traffic_per_elem ? tr : p->traffic_per_elem;
    }

    /* worker counts: 1, 2, 4, ... below the physical cores, the cores, then every PU (SMT) */
    unsigned cores = t->cores ? t->cores : t->pus;
    int rc = 0;
    for (unsigned c = 1; rc == 0 && c < cores; c *= 2)
        rc = add_count(p, t, c);
    if (rc == 0)
        rc = add_count(p, t, cores);
    if (rc == 0 && t->pus > cores)
        rc = add_count(p, t, t->pus);
    if (rc) {
        snprintf(err, CEIL_ERRLEN, "out of memory");
        ceil_plan_free(p);
        return rc;
    }
    if (cores > CEIL_MAX_WORKERS)
        note(p, "worker counts stop at %u: the machine has %u cores", CEIL_MAX_WORKERS, cores);
    if (t->cores == 0)
        note(p, "the topology shows no cores: PUs are taken as cores");
    if (t->hypervisor[0])
        note(p, "runs under a hypervisor (%s): cores, caches and memory are what the VM shows, not the host's",
             t->hypervisor);

    const struct ceil_plan_workers *top = &p->workers[p->n_workers - 1];
    p->llc_bytes = t->l3_count ? t->l3_bytes * t->l3_count : t->l2_bytes * t->l2_count;

    /* targets: half the caches the top worker count uses, between L2 and L3, 4x the LLC */
    if (top->l2_bytes)
        add_size(p, top->l2_bytes / 2.0, "L2", -1);
    else
        note(p, "no L2 point: the topology shows no L2 cache");
    if (top->l3_bytes && top->l3_bytes / 2.0 > 2.0 * top->l2_bytes)
        add_size(p, sqrt(2.0 * top->l2_bytes * (top->l3_bytes / 2.0)), "L3", 0);
    else
        note(p, "no L3 point: %s", top->l3_bytes ? "the L3 is not larger than four times the L2"
                                                  : "the topology shows no L3 cache");
    double dram = 4.0 * (double)p->llc_bytes;
    if (p->llc_bytes == 0)
        note(p, "no DRAM point: the topology shows no cache to size it from");
    else
        add_size(p, dram, "DRAM", 1);

    /* the sweep: per_decade sizes per factor of 10, from 32 KiB to the DRAM target */
    unsigned per = sweeps[sweep].per_decade;
    /* the targets only (quick): where the L2 target fills more than one worker's L2 (it is half
     * the top worker count's), half of one worker's L2 too, so that the model has an in-core time
     * from a size one worker's L2 holds (the 16-vCPU Xeon: an L2 target of 16 MiB against 2 MiB) */
    if (!per && p->workers[0].l2_bytes && top->l2_bytes / 2.0 > (double)p->workers[0].l2_bytes)
        add_size(p, p->workers[0].l2_bytes / 2.0, NULL, -1);
    if (per && p->llc_bytes)
        for (double b = (double)smallest_bytes; b <= dram * 1.001; b *= pow(10, 1.0 / per))
            add_size(p, b, NULL, 0);

    qsort(p->sizes, p->n_sizes, sizeof p->sizes[0], by_n);
    for (unsigned i = 0; i < p->n_sizes; i++)
        p->sizes[i].bytes = (uint64_t)((double)p->sizes[i].n * p->footprint_per_elem);
    if (max_bytes) {
        unsigned kept = 0, dropped = 0;
        for (unsigned i = 0; i < p->n_sizes; i++)
            if (p->sizes[i].bytes <= max_bytes)
                p->sizes[kept++] = p->sizes[i];
            else
                dropped++;
        if (dropped) {
            char cap[32];
            ceil_format_bytes((double)max_bytes, cap, sizeof cap);
            note(p, "%u size(s) above the %s cap skipped (--max-bytes)", dropped, cap);
        }
        p->n_sizes = kept;
    }
    fit_memory(p);
    if (!p->mem_bytes)
        note(p, "memory unknown: sizes are not checked against it");
    for (unsigned i = 0; i < p->n_sizes; i++)
        p->sizes[i].level = ceil_plan_level(p, p->sizes[i].bytes, p->n_workers - 1);
    if (p->n_sizes == 0) {
        snprintf(err, CEIL_ERRLEN, "no size fits: %s", p->n_notes ? p->notes[p->n_notes - 1] : "nothing planned");
        ceil_plan_free(p);
        return -ENOSPC;
    }
    return 0;
}

void ceil_plan_free(struct ceil_plan *p)
{
    for (unsigned i = 0; i < p->n_workers; i++)
        free(p->workers[i].cpus);
    p->n_workers = 0;
}

json_t *ceil_plan_json(const struct ceil_plan *p, const struct ceil_topo *t)
{
    json_t *topo = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b}",
                             "cpu_model", t->cpu_model, "packages", (json_int_t)t->packages,
                             "cores", (json_int_t)t->cores, "pus", (json_int_t)t->pus,
                             "numa_nodes", (json_int_t)t->numa_nodes, "l2_bytes", (json_int_t)t->l2_bytes,
                             "l2_count", (json_int_t)t->l2_count, "l3_bytes", (json_int_t)t->l3_bytes,
                             "l3_count", (json_int_t)t->l3_count, "numa_memory_bytes",
                             (json_int_t)t->numa_bytes, "smt", t->pus > t->cores && t->cores > 0);
    json_t *order = json_array();
    for (unsigned i = 0; i < t->pin_count; i++)
        json_array_append_new(order, json_integer(t->pin_order[i]));
    json_object_set_new(topo, "pin_order", order);
    json_t *workers = json_array();
    for (unsigned i = 0; i < p->n_workers; i++) {
        const struct ceil_plan_workers *w = &p->workers[i];
        json_t *cpus = json_array();
        for (unsigned c = 0; c < w->count; c++)
            json_array_append_new(cpus, json_integer(w->cpus[c]));
        json_array_append_new(workers, json_pack("{s:I, s:o, s:I, s:I, s:I}", "count", (json_int_t)w->count,
                                                 "cpus", cpus, "cores", (json_int_t)w->cores, "l2_bytes",
                                                 (json_int_t)w->l2_bytes, "l3_bytes", (json_int_t)w->l3_bytes));
    }
    json_t *sizes = json_array();
    for (unsigned i = 0; i < p->n_sizes; i++) {
        const struct ceil_plan_size *s = &p->sizes[i];
        json_t *levels = json_array();
        for (unsigned w = 0; w < p->n_workers; w++)
            json_array_append_new(levels, json_pack("{s:I, s:s}", "workers", (json_int_t)p->workers[w].count,
                                                    "level", ceil_level_name(ceil_plan_level(p, s->bytes, w))));
        json_array_append_new(sizes, json_pack("{s:I, s:I, s:s, s:s?, s:o}", "n", (json_int_t)s->n, "bytes",
                                               (json_int_t)s->bytes, "level", ceil_level_name(s->level),
                                               "target", s->target, "levels", levels));
    }
    json_t *notes = json_array();
    for (unsigned i = 0; i < p->n_notes; i++)
        json_array_append_new(notes, json_string(p->notes[i]));
    return json_pack("{s:s, s:o, s:f, s:f, s:I, s:{s:I, s:s}, s:o, s:o, s:o}", "sweep", ceil_sweep_name(p->sweep),
                     "topology", topo, "footprint_bytes_per_elem", p->footprint_per_elem, "traffic_bytes_per_elem", p->traffic_per_elem, "llc_bytes",
                     (json_int_t)p->llc_bytes, "memory", "bytes", (json_int_t)p->mem_bytes, "source",
                     p->mem_source, "sizes", sizes, "workers", workers, "notes", notes);
}

