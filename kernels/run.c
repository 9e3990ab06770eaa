/* What the variants share: setting up a run, pinning a worker, a worker's ticks, stopping. */
#include "variant.h"

#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static atomic_int stop_signal;

void ceil_stop_request(int signo) { atomic_store_explicit(&stop_signal, signo, memory_order_relaxed); }
int ceil_stop_signal(void) { return atomic_load_explicit(&stop_signal, memory_order_relaxed); }
void ceil_stop_reset(void) { atomic_store_explicit(&stop_signal, 0, memory_order_relaxed); }

int ceil_stop_error(char err[CEIL_ERRLEN])
{
    int sig = ceil_stop_signal();
    snprintf(err, CEIL_ERRLEN, "interrupted by signal %d (%s)", sig, sig ? strsignal(sig) : "none");
    return -EINTR;
}

int ceil_run_setup(struct ceil_run *r, const struct ceil_variant_ops *v, const struct ceil_config *cfg,
                   unsigned workers, char err[CEIL_ERRLEN])
{
    int rc = ceil_run_setup_common(r, v, cfg, workers, err);
    if (rc)
        return rc;
    rc = ceil_arrays_map(&r->arrays, cfg->kernel, cfg->n, err);
    if (rc)
        ceil_run_teardown(r);
    return rc;
}

int ceil_run_setup_common(struct ceil_run *r, const struct ceil_variant_ops *v, const struct ceil_config *cfg,
                          unsigned workers, char err[CEIL_ERRLEN])
{
    memset(r, 0, sizeof *r);
    r->ops = v;
    r->cfg = *cfg;
    r->cfg.cpus = NULL;
    r->workers = workers;
    if (cfg->cpus && !cfg->topology) {
        snprintf(err, CEIL_ERRLEN, "a CPU list needs a loaded topology to bind with");
        return -EINVAL;
    }
    int *cpus = cfg->cpus ? calloc(workers, sizeof *cpus) : NULL;
    r->cfg.cpus = cpus;
    r->slices = calloc(workers, sizeof *r->slices);
    /* Shared, so that forked workers can report where they run as threads do. */
    r->cpu_of = mmap(NULL, workers * sizeof *r->cpu_of, PROT_READ | PROT_WRITE,
                     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (r->cpu_of == MAP_FAILED)
        r->cpu_of = NULL;
    if (!r->slices || !r->cpu_of || (cfg->cpus && !cpus)) {
        snprintf(err, CEIL_ERRLEN, "out of memory for %u workers", workers);
        ceil_run_teardown(r);
        return -ENOMEM;
    }
    for (unsigned w = 0; w < workers; w++) {
        if (cpus)
            cpus[w] = cfg->cpus[w];
        r->slices[w] = ceil_partition(cfg->n, workers, w);
        r->cpu_of[w] = -1;
    }
    r->reporter = r->checker = 1;
    r->check = (struct ceil_slice){ 0, cfg->n };
    if (cpus) {
        r->caller_binding = hwloc_bitmap_alloc();
        if (!r->caller_binding ||
            hwloc_get_cpubind(cfg->topology, r->caller_binding, HWLOC_CPUBIND_THREAD) != 0) {
            int e = errno;
            snprintf(err, CEIL_ERRLEN, "cannot read the caller's CPU binding: %s", strerror(e));
            ceil_run_teardown(r);
            return -e;
        }
    }
    return 0;
}

void ceil_run_teardown(struct ceil_run *r)
{
    if (r->caller_binding) {
        hwloc_set_cpubind(r->cfg.topology, r->caller_binding, HWLOC_CPUBIND_THREAD);
        hwloc_bitmap_free(r->caller_binding);
    }
    ceil_arrays_unmap(&r->arrays);
    free((void *)r->cfg.cpus);
    free(r->slices);
    if (r->cpu_of)
        munmap(r->cpu_of, r->workers * sizeof *r->cpu_of);
    memset(r, 0, sizeof *r);
}

int ceil_run_pin(struct ceil_run *r, unsigned w, char err[CEIL_ERRLEN])
{
    return ceil_run_pin_to(r, w, r->cfg.cpus ? r->cfg.cpus[w] : -1, err);
}

int ceil_run_pin_to(struct ceil_run *r, unsigned w, int cpu, char err[CEIL_ERRLEN])
{
    if (cpu >= 0) {
        hwloc_bitmap_t set = hwloc_bitmap_alloc();
        int rc = set && hwloc_bitmap_only(set, (unsigned)cpu) == 0
                     ? hwloc_set_cpubind(r->cfg.topology, set, HWLOC_CPUBIND_THREAD)
                     : -1;
        int e = rc ? (errno ? errno : EINVAL) : 0;
        hwloc_bitmap_free(set);
        if (rc) {
            snprintf(err, CEIL_ERRLEN, "cannot pin worker %u to CPU %d: %s", w, cpu, strerror(e));
            return -e;
        }
    }
    r->cpu_of[w] = sched_getcpu();
    return 0;
}

int ceil_run_worker_ticks(const struct ceil_run *r, unsigned w, unsigned long ticks,
                          const volatile int *attention, unsigned long *done)
{
    ceil_tick_fn *tick = r->cfg.kernel->tick;
    float *const *arrays = r->arrays.a;
    struct ceil_slice s = r->slices[w];
    /* Look at the flags after about CHECK_ELEMS elements of work: every tick for a large slice,
     * every few ticks for a tiny one, where a check after each 30 ns tick measurably slowed
     * the loop (on 4100 elements, 2 workers: 580 GB/s, 900 without). */
    enum { CHECK_ELEMS = 65536 };
    size_t len = s.end - s.begin;
    unsigned long every = 1;
    while (every * 2 * (len ? len : 1) <= CHECK_ELEMS)
        every *= 2;
    unsigned long t = 0;
    int rc = 0;
    while (t < ticks) {
        tick(arrays, s.begin, s.end);
        t++;
        if ((t & (every - 1)) != 0 && t < ticks)
            continue;
        if ((attention && *attention) || ceil_stop_signal()) {
            rc = t < ticks || ceil_stop_signal() ? -EINTR : 0;
            break;
        }
    }
    if (done)
        *done = t;
    return rc;
}
