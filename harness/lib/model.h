/* The time model, in the spirit of ECM (Execution-Cache-Memory; Hager, Treibig, Wellein): a
 * point's time per element-tick composed from the kernel's in-core time, its data time from the
 * probe's bandwidth, and the team's dispatch, with an overlap between in-core and data time
 * fitted per memory level on one worker. Pure arithmetic: explain (explain_model.c) supplies the
 * measured inputs and fits the overlaps. */
#ifndef CEIL_MODEL_H
#define CEIL_MODEL_H

#include <stddef.h>

enum ceil_model_level { CEIL_LEVEL_L2, CEIL_LEVEL_L3, CEIL_LEVEL_DRAM, CEIL_LEVEL_COUNT };

extern const char *const ceil_model_level_names[CEIL_LEVEL_COUNT]; /* "L2", "L3", "DRAM" */

struct ceil_model_in {
    double core_ns;      /* in-core ns per element-tick on one worker */
    double scaling;      /* the compute scaling at this worker count (1 on one worker) */
    double data_ns;      /* bytes per element-tick over the bandwidth at this footprint and count */
    double share[CEIL_LEVEL_COUNT]; /* the footprint's part in each level (sums to 1) */
    double overlap;      /* 0: in-core and data time add up (ECM on Intel); 1: the larger alone */
    double dispatch_ns;  /* the team's per-tick dispatch over N (per-tick mode), else 0 */
};

struct ceil_model_out {
    double ns;                          /* predicted ns per element-tick */
    double core, level[CEIL_LEVEL_COUNT], dispatch; /* shares of ns: they sum to 1 */
};

/* T = max(Tc, Td) + (1 - overlap) min(Tc, Td) + dispatch, Tc = core_ns / scaling, Td = data_ns.
 * The larger of Tc and Td counts whole in the shares, the smaller its non-overlapped part; the
 * data part is split over the levels by their share of the footprint. */
void ceil_model_predict(const struct ceil_model_in *in, struct ceil_model_out *out);

/* The overlap one measurement implies: 1 - (T - max) / min, clipped to [0, 1]; NAN when a term
 * is not positive. */
double ceil_model_overlap(double measured_ns, double core_ns, double data_ns);

/* The data time one measurement implies, the inverse of the composition: T = Td + (1 - overlap) Tc
 * when data dominates (taken first: the larger data time), else T = Tc + (1 - overlap) Td; 0 when
 * T is not above Tc; NAN when an input is not positive. */
double ceil_model_data_of(double measured_ns, double core_ns, double overlap);

/* The DRAM share of a footprint from a measured curve: n points (footprint, share) in rising
 * footprint, interpolated in log footprint, held at the first and last share outside them. */
double ceil_model_curve(double footprint, const double *footprints, const double *shares, size_t n);

/* The footprint's part in each level for caches of l2 and l3 bytes (what the workers use): all in
 * the first level that holds it whole; all in DRAM from 4 x l3 (the plan's DRAM, STREAM's rule);
 * between, L3 is credited with l3/footprint and DRAM the rest (an attribution of the probe's
 * measured time there, an upper bound on what LRU leaves in L3). */
void ceil_model_shares(double footprint, double l2, double l3, double share[CEIL_LEVEL_COUNT]);

#endif
