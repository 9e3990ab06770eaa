/* Whether a team's CPUs share a core right now: peakflops on all of them against one alone. */
#include "corun.h"

#include "machine.h"
#include "probe.h"
#include "variants.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>

/* 4096 floats a worker (16 kB: in any L1), 256 ticks: about a millisecond on one core here */
enum { CORUN_ELEMS = 4096, CORUN_TICKS = 256, CORUN_TRIES = 2 };

/* The best of CORUN_TRIES timed runs of the loop on cpus[0..n), one worker each. */
static int best_seconds(hwloc_topology_t topo, const int *cpus, unsigned n, double *best, char err[CEIL_ERRLEN])
{
    const struct ceil_variant *team = ceil_variant_find("threads");
    if (!team || !team->ops) {
        snprintf(err, CEIL_ERRLEN, "no pthread team to run the co-run test on");
        return -ENOSYS;
    }
    struct ceil_config cfg = { .kernel = &ceil_probe_peakflops, .n = (size_t)CORUN_ELEMS * n, .workers = n,
                               .cpus = cpus, .topology = topo };
    struct ceil_run *run = NULL;
    int rc = team->ops->prepare(&cfg, &run, err);
    if (rc == 0)
        rc = team->ops->run(run, 1, CEIL_BATCHED, err); /* warm: the loop's code and data in cache */
    *best = INFINITY;
    for (int t = 0; rc == 0 && t < CORUN_TRIES; t++) {
        double t0 = ceil_now();
        rc = team->ops->run(run, CORUN_TICKS, CEIL_BATCHED, err);
        *best = fmin(*best, ceil_now() - t0);
    }
    team->ops->release(run);
    return rc;
}

int ceil_corun(hwloc_topology_t topo, const int *cpus, unsigned n, double *ratio, char err[CEIL_ERRLEN])
{
    double alone, together;
    *ratio = 1;
    if (n < 2)
        return 0;
    int rc = best_seconds(topo, cpus, 1, &alone, err);
    if (rc == 0)
        rc = best_seconds(topo, cpus, n, &together, err);
    if (rc == 0)
        *ratio = together / alone;
    return rc;
}
