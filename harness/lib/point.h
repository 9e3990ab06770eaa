/* One measured point: prepare a variant, time its ticks, check the arrays against serial. */
#ifndef CEIL_POINT_H
#define CEIL_POINT_H

#include "variants.h"

struct ceil_point {
    const struct ceil_variant *variant;
    struct ceil_config cfg;
    enum ceil_mode mode;
    unsigned long ticks; /* per timed repetition */
    unsigned reps;       /* timed repetitions, after one discarded warm-up tick */
    const struct ceil_hooks *hooks; /* around the timed repetitions only (markers), or NULL */
};

struct ceil_point_result {
    double best, median;   /* seconds for `ticks` ticks over the timed repetitions */
    double startup;        /* seconds in prepare: workers started, pinned, first touch */
    unsigned workers;      /* running */
    int *cpus;             /* where each worker runs (malloc'd, `workers` entries) */
    double merge;          /* seconds to merge an emitting kernel's segments, after the runs */
    size_t merged;         /* and the length of the merged list */
    int valid;             /* arrays equal serial's bit for bit after the same ticks */
    int reporter;          /* this process prints the result (not so on MPI ranks but one) */
    char mismatch[CEIL_ERRLEN];
};

/* Serial results kept for comparison, so that many points at one size share one reference. */
struct ceil_refs;
struct ceil_refs *ceil_refs_new(void);
void ceil_refs_free(struct ceil_refs *refs); /* accepts NULL */

/* The arrays serial holds after `ticks` ticks of kernel k over n elements: computed once per
 * (k, n, ticks) and kept in refs. Returns NULL with a message on failure. */
const struct ceil_arrays *ceil_refs_get(struct ceil_refs *refs, const struct ceil_kernel *k, size_t n,
                                        unsigned long ticks, char err[CEIL_ERRLEN]);

/* Frees the oldest references until those kept hold at most max_bytes of arrays (the newest is
 * always kept): a sweep that visits one (kernel, N) after another holds one size's, not all. */
void ceil_refs_trim(struct ceil_refs *refs, double max_bytes);

/* Compares elements [begin, end) of every array of `got` with `want` byte for byte, but for
 * scratch arrays (per-worker working state). Returns 1 if equal; otherwise 0 and describes the
 * first difference ("pos[17] = 1.5 (0x3fc00000) but serial has ..."). */
int ceil_arrays_equal_range(const struct ceil_kernel *k, const struct ceil_arrays *got,
                            const struct ceil_arrays *want, size_t begin, size_t end, char why[CEIL_ERRLEN]);

/* The same over every element. */
int ceil_arrays_equal(const struct ceil_kernel *k, const struct ceil_arrays *got,
                      const struct ceil_arrays *want, char why[CEIL_ERRLEN]);

/* Measures p: prepare (timed as start-up), one warm-up tick (every element touched once, a
 * first dispatch), p->reps timed runs, then the arrays checked against serial after
 * 1 + reps * ticks ticks (an emitting kernel's segments merged first, timed apart as
 * res->merge). A mismatch is not an error
 * here: res->valid says it, and the caller must not report the timings as a result.
 * Returns 0, or -errno (a worker died, interrupted, no memory) with a message. */
int ceil_point_measure(const struct ceil_point *p, struct ceil_refs *refs,
                       struct ceil_point_result *res, char err[CEIL_ERRLEN]);
void ceil_point_result_free(struct ceil_point_result *res);

#endif
