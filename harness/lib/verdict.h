/* Verdicts: which ceiling binds at each point of a sweep, by how much, and how we know. */
#ifndef CEIL_VERDICT_H
#define CEIL_VERDICT_H

#include "arrays.h"

#include <jansson.h>

/* The thresholds, stated once. */
#define CEIL_REACHED 0.80        /* a ceiling binds when a point reaches this fraction of it */
#define CEIL_DISPATCH_BOUND 0.50 /* dispatch binds when it takes this share of a tick */
#define CEIL_SERIAL_BW 0.60      /* a kernel whose cache-resident serial run reaches this fraction
                                    of the bandwidth ceiling has no compute ceiling of its own */
#define CEIL_KNEE 0.25           /* the knee: adding workers gives less than this share of ideal */

/* How far a point can be trusted: the identities a measurement must satisfy, and the noise it
 * may carry. A point that breaks one is unstable: its verdict says so, and it is left out of
 * the verdict counts. */
#define CEIL_ONE_WORKER 0.10   /* a batched team of one worker runs its loop within this of serial */
#define CEIL_LEVEL 0.10        /* no batched point of our loop beats its best rate at a faster level
                                  (L2 < L3 < between < DRAM for its workers) by more than this */
#define CEIL_SUPERLINEAR 0.10  /* speedup <= workers x the caches' gain (serial at N/W over N), + this */
#define CEIL_SPREAD 0.15       /* the median's 95% interval, relative half-width, at most this: on
                                  the 2-vCPU EPYC VM two default sweeps in a row agreed (verdict
                                  and speedup within 10%) at 96% of the points both kept at 15%,
                                  98% at 10%, which left 28% of one sweep out */
#define CEIL_PROBE_SLACK 1.25  /* a compute-bound kernel scaling past the probe's compute scaling
                                  by more than this factor says the probe was disturbed */
#define CEIL_PROBE_RANGE 0.5   /* a probe scaling whose pairs spread wider than this share of their
                                  median is one the host disturbed: the 2-vCPU references' spread
                                  at most 0.23, the 16-vCPU quick probes' up to 1.33 */
#define CEIL_MODEL_MISS 0.15   /* the model misses a point beyond this relative error */
#define CEIL_BUSY 0.10         /* others' CPU time (run delay) plus steal, per second of the point */

/* Explains a results folder's documents: bench (Google Benchmark JSON, required), probe, plan
 * and profile (each may be NULL: what they would have given is then said to be missing).
 * Returns {"inputs", "missing", "points": [...], "knees": [...], "summary", "trust"}, or NULL with a
 * message when bench holds nothing to explain. Pure: reads the documents, writes nothing. */
json_t *ceil_explain(json_t *bench, json_t *probe, json_t *plan, json_t *profile, char err[CEIL_ERRLEN]);

#endif
