/* Whether a team's CPUs share a core right now, as far as the guest can tell: the probe's
 * peakflops loop (FMA chains in L1, kernels/probe.c) on all of them at once, against the same
 * loop on the first of them alone.
 *
 * On the 2-vCPU EPYC VM the host places the two vCPUs on one core's SMT siblings for moments at a
 * time; neither the guest's topology, its steal time nor the run delay shows it. A 2-worker
 * compute-bound repetition then runs at 1.1-1.2x instead of 2x, and the probe's peakflops scaling,
 * sampled during the sweep, reads 1.01-1.02x. Loops on separate cores take as long together as
 * alone (ratio near 1); on one core's siblings, or time-sliced on one CPU, about twice as long. */
#ifndef CEIL_CORUN_H
#define CEIL_CORUN_H

#include "arrays.h" /* CEIL_ERRLEN */

#include <hwloc.h>

/* A ratio at or above this says some of the CPUs shared a core while the loops ran. */
#define CEIL_SHARED_CORE 1.5

/* Runs the loop on cpus[0] alone, then on cpus[0..n) at once (the pthread team, one worker per
 * CPU, the same elements per worker), each the best of two runs of about a millisecond. Sets
 * *ratio to together / alone (1 for n < 2). Returns 0, or -errno with the reason in err. */
int ceil_corun(hwloc_topology_t topo, const int *cpus, unsigned n, double *ratio, char err[CEIL_ERRLEN]);

#endif
