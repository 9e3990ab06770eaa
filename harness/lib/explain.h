/* Inside ceilings explain: one results folder's points and the lookups, trust checks and model
 * that turn them into verdicts (verdict.c). Internal to the library: ceil_explain (verdict.h) is
 * the interface. */
#ifndef CEIL_EXPLAIN_H
#define CEIL_EXPLAIN_H

#include "kernel.h"
#include "model.h"
#include "verdict.h"

#include <jansson.h>
#include <stddef.h>

enum { MAX_REPS = 64, MAX_FIT = 1024, MAX_CURVE = 64, MAX_COUNTS = 64 };

/* One benchmark point, its median repetition, and what its repetitions say of its trust. */
struct point {
    const char *name, *label;
    char kernel[32], variant[32], mode[16];
    double n, workers, seconds, ticks, gbps, speedup, cv, overhead_us;
    double batched_us; /* a dispatch point's batched time per tick, at its small N */
    int error;
    const char *error_message;
    /* each repetition's key value (the paired speedup, else its seconds) by pass, and the means
     * over its repetitions of what else ran */
    double values[2][MAX_REPS];
    size_t nvalues[2];
    int paired;
    double interference, steal, spread;
    double at_s; /* when it ran: the mean of its repetitions' seconds into the sweep (NAN: not recorded) */
    /* each repetition's seconds, and whether the co-run test before or after it found its CPUs
     * sharing a core, beside values */
    double rep_seconds[2][MAX_REPS];
    unsigned char rep_shared[2][MAX_REPS];
    /* the co-run test around each repetition (corun.h): how many carry it, how many read at least
     * CEIL_SHARED_CORE before or after (its CPUs shared a core), the largest ratio, and how many
     * of those were left out of the point's median (left_out: all of them, or none where too few
     * repetitions would remain) */
    size_t corun_reps, shared_reps, left_out;
    double corun_max, corun_usual; /* the largest ratio, and the sweep's usual at its worker count */
    int stable;
    json_t *reasons; /* why it is unstable: strings, by check */
    double predicted, model_error; /* the model's ns per element-tick, and measured / predicted - 1 */
    double predicted_speedup;      /* the model's serial time at N over its time for this point */
    /* where the model misses the one-worker run of our loop at its kernel and N on the slow side,
     * that run's data time over the bandwidth's (explain_model.c: latency_ratio); NAN elsewhere */
    double latency;
    /* a reference point's time as the model takes it: the median ns per element-tick of every
     * serial repetition at its kernel and N, its own and every team's pair (NAN: none paired) */
    double pooled_ns;
    size_t pooled;
};

/* The overlaps between in-core and data time: one per memory level for each kind of in-core time
 * the kernel table names (its `bound`). ECM splits a loop's in-core time into what overlaps with
 * data transfers (arithmetic, T_OL) and what does not (loads and stores, T_nOL); a compute-bound
 * kernel's in-core time is mostly the first, a memory-bound kernel's the second. On the 2-vCPU
 * Granite Rapids VM trig's serial time in L3 is its in-core time alone (0.67-0.68 ns per
 * element-tick against 0.66 in L2), where starve pays more than the sum of the two: one overlap
 * for both fitted 0, and predicted trig 14-18% slow there and its teams 19-24% too fast. */
enum { CEIL_EX_MEMORY, CEIL_EX_COMPUTE, CEIL_EX_KINDS };
extern const char *const ceil_ex_kind_names[CEIL_EX_KINDS]; /* the table's bounds: "memory", "compute" */
struct ceil_ex_overlaps {
    double of[CEIL_EX_KINDS][CEIL_LEVEL_COUNT];
};

struct ctx {
    struct point *pts;
    size_t count;
    json_t *probe, *plan, *profile, *missing;
    json_t *rescale; /* the probe's scalings measured again during the sweep (the context's "rescale"), or NULL */
    /* the DRAM share beyond the L3 target, measured by the memory-bound kernel's serial runs:
     * footprint over the L3 one worker uses, share; and the points it came from */
    double curve_x[MAX_CURVE], curve_share[MAX_CURVE];
    size_t curve_n;
    json_t *curve;
    /* the size where that kernel's serial time has reached memory: the DRAM target, or the
     * largest planned size where its time has levelled (ceil_ex_dram_curve; NAN: neither) */
    double memory_n;
    const char *memory_from;
    struct ceil_ex_overlaps overlap; /* the overlaps fitted so far (NAN: none yet) */
    /* the co-run test's usual ratio at each worker count: the median over the sweep's repetitions */
    double corun_workers[MAX_COUNTS], corun_usual[MAX_COUNTS];
    size_t corun_counts;
};

/* The folder (explain_folder.c): its points, and what the probe and the plan say of a size. */
double ceil_ex_num(json_t *o, const char *key);
const char *ceil_ex_str(json_t *o, const char *key);
int ceil_ex_is_reference(const char *variant);
struct point *ceil_ex_find(struct ctx *c, const char *kernel, const char *variant, const char *mode, double n,
                          double workers);
/* Each benchmark's median (its only run with one repetition), and its cv. */
int ceil_ex_load_points(struct ctx *c, json_t *bench);
/* A repetition's co-run ratio (corun.h): the larger of the tests before and after it (NAN: neither ran). */
double ceil_ex_rep_corun(json_t *run);
/* A repetition's worker count, from its name (NAN: not a point's name). */
double ceil_ex_rep_workers(json_t *run);
/* The co-run test's usual ratio at each worker count of the sweep (corun_usual), before
 * ceil_ex_load_repetitions. On a machine whose vCPUs share cores as a rule (the 16-vCPU Xeon at 16
 * workers: a median 1.85), that is the machine, which the probe's compute scaling carries too; an
 * episode of the host is a ratio CEIL_SHARED_CORE times the usual. */
void ceil_ex_corun_usual(struct ctx *c, json_t *bench);
/* The usual ratio at `workers` (1 where none was measured, or below 1). */
double ceil_ex_corun_usual_at(const struct ctx *c, double workers);
/* Whether a repetition of a team of `workers` ran while its CPUs shared a core beyond the usual. */
int ceil_ex_rep_shared(const struct ctx *c, json_t *run, double workers);
/* Every repetition of every point: its key value by pass, and the means of interference and steal.
 * Repetitions run while the team's CPUs shared a core are left out of the point's median (its
 * speedup, seconds and rate then the median of the others), unless fewer than half, or than two,
 * would remain: such a point is unstable (ceil_ex_check_noise). */
void ceil_ex_load_repetitions(struct ctx *c, json_t *bench);
/* The probe's test with the kernel's access pattern: daxpy (two streams read, one written,
 * as motion and trig) or, for a kernel whose only dense stream is read, load. */
const char *ceil_ex_probe_kind(const char *kernel);
/* The ceiling for `kind` at n and workers: the probe's figure at that size, or the nearest
 * size probed at the same worker count and level (*approx then says so). */
double ceil_ex_bandwidth_ceiling(struct ctx *c, const char *kind, double n, double workers, const char *level,
                                int *approx, const char **source);
/* How the probe's bandwidth for `kind` scales from one worker to `workers` at n: its paired
 * scaling where it measured one, else the ratio of its figures there, else at the nearest sizes. */
double ceil_ex_bandwidth_scaling(struct ctx *c, const char *kind, double n, double workers);
/* The same for point p, where the sweep measured that scaling again as it ran (rescale): at a
 * target it sampled, and past the DRAM target's start at the DRAM level, the median of the
 * RESCALE_NEAREST samples there at p's worker count nearest p's time (without one: of them all);
 * elsewhere as above. */
enum { RESCALE_NEAREST = 3 };
double ceil_ex_bandwidth_scaling_of(struct ctx *c, const char *kind, const struct point *p);
/* The kernel's serial run at the L2 target over the probe's 1-worker bandwidth there: at
 * CEIL_SERIAL_BW or more its time in cache is traffic, with no compute ceiling of its own. NAN
 * without that run or figure. */
double ceil_ex_serial_l2_fraction(struct ctx *c, const char *kernel);
/* How much faster W workers compute than one, as the co-run tests around the sweep's team
 * repetitions at that count read it: W over their usual ratio (ceil_ex_corun_usual_at); NAN
 * where the sweep ran no such test at W (it predates the test). */
double ceil_ex_corun_compute_scaling(const struct ctx *c, double workers);
/* How peakflops scales from one worker to p's worker count: W over the co-run tests' usual
 * ratio at W where the sweep ran them around its repetitions; else, where the sweep measured it
 * again as it ran, the median of the RESCALE_NEAREST samples nearest p's time; else the probe's
 * median of paired runs. */
double ceil_ex_compute_scaling_of(struct ctx *c, const struct point *p);
/* Bytes per element-tick of a kernel by name, from the kernel table. */
double ceil_ex_kernel_bytes(const char *name);
const char *ceil_ex_level_of(struct ctx *c, double n, double workers);
double ceil_ex_target_n(struct ctx *c, const char *level);
double ceil_ex_l2_target(struct ctx *c);
/* The plan's caches for `workers` workers: the L2 and L3 bytes they use. */
void ceil_ex_caches_of(struct ctx *c, double workers, double *l2, double *l3);
/* The dispatch point of `variant` at `workers` (any size), of `kernel` (NULL: of any), or NULL. */
const struct point *ceil_ex_dispatch_point(struct ctx *c, const char *kernel, const char *variant, double workers);
/* The dispatch points' per-tick overhead for this variant and worker count (any size). */
double ceil_ex_per_tick_overhead_us(struct ctx *c, const char *variant, double workers);
json_t *ceil_ex_profile_of(struct ctx *c, const char *name);
/* Runs our compiled loop (not the book's numpy): held to the one-worker identity. */
int ceil_ex_runs_our_loop(const char *series);
/* The 1-worker batched point of `kernel` run by `variant` at the measured size nearest (log) to
 * n, among sizes up to max_n; or NULL. */
struct point *ceil_ex_one_worker_near(struct ctx *c, const char *kernel, const char *variant, double n, double max_n);
struct point *ceil_ex_serial_near(struct ctx *c, const char *kernel, double n, double max_n);
/* A point's measured ns per element-tick. */
double ceil_ex_measured_ns(const struct point *p);
/* What the model takes as a point's ns per element-tick: a reference point's pooled serial
 * repetitions where the teams were paired (many more than its own, spread over the sweep: the
 * host's slow minutes move their median less), else its measured time. */
double ceil_ex_model_ns(const struct point *p);
/* Pools each reference point's repetitions with every pair's serial repetition at its kernel
 * and N (pooled_ns). */
void ceil_ex_pool_serial(struct ctx *c, json_t *bench);
/* The kernel whose serial runs measure where data comes from: the table's first memory-bound
 * subject that updates its arrays in place (motion). */
const struct ceil_kernel *ceil_ex_memory_kernel(void);

/* The trust checks (explain_trust.c): the identities a measurement must satisfy, and its noise. */
/* The identities: a team of one worker is serial; a slower level is not faster; a speedup is
 * not above what more workers and more cache explain; two passes agree. */
void ceil_ex_check_physics(struct ctx *c, struct point *p);
/* The noise: what else ran, and the interval of the median. */
void ceil_ex_check_noise(struct point *p);
/* "stable", "spread", "interference", "steal" (null where a folder did not measure them), and
 * the reasons when unstable. */
void ceil_ex_add_trust(json_t *o, const struct point *p);
/* How far the whole folder can be trusted: the counts, what fired, what else ran and when. */
json_t *ceil_ex_trust_summary(struct ctx *c, json_t *bench);

/* The model's glue (explain_model.c): its inputs from the folder, the fit, its verdicts. */
/* The DRAM share of a footprint past the L3 target, as the memory-bound kernel's serial runs
 * measure it: at each planned size from the L3 target to the DRAM target, how far its time has
 * gone from its L3 plateau (0) to its DRAM one (1), never less at a larger footprint. The cache
 * a hardware reports is not what a streaming loop keeps: on the Sapphire Rapids VM, whose L3
 * reads 260 MiB, motion runs at its DRAM time from 150 MB. */
void ceil_ex_dram_curve(struct ctx *c);
/* Fits the overlap of each level and kind on the reference's points at one worker of the kernels
 * of that kind (all but the one that gives the data time), as the median of what each implies. */
json_t *ceil_ex_fit_overlaps(struct ctx *c, struct ceil_ex_overlaps *overlap);
/* The model's fields of p; returns 0 when the model cannot predict it (*m then unset). */
int ceil_ex_add_model(json_t *o, struct ctx *c, struct point *p, const struct ceil_ex_overlaps *overlap,
                     struct ceil_model_out *mp);
/* The verdict from the model: the term that dominates the predicted time names the bound;
 * "unexplained" only where the model misses by more than CEIL_MODEL_MISS, with the numbers. */
const char *ceil_ex_model_bound(struct ctx *c, const struct point *p, const struct ceil_model_out *m, const char *model_text_,
                               char *verdict, size_t len);
/* The error over stable points held out of the fit (2+ workers): all, and by kernel and level. */
json_t *ceil_ex_validation(struct ctx *c);
/* The probe checked against the sweep: a compute-bound kernel's stable batched teams cannot
 * scale beyond the probe's compute scaling by much; when their median does, the probe was
 * disturbed while it ran (seen here: 2-worker peakflops equal to 1-worker), and every
 * prediction at that count rests on it. Likewise a compute or bandwidth scaling whose pairs
 * spread over more than CEIL_PROBE_RANGE of their median (the 16-vCPU host's quick probes).
 * Returns the warnings (an array, maybe empty). */
json_t *ceil_ex_probe_warnings(struct ctx *c);
/* The model's own inputs checked: a warning when even the smallest size an in-core time can come
 * from (serial, batched, up to the L2 target) is more than one worker's L2 holds (the quick plan
 * on 16 vCPUs: its L2 target is 8 MiB to 16 MiB of footprint). Returns an array, maybe empty. */
json_t *ceil_ex_model_warnings(struct ctx *c);
/* Every fitted parameter, with the points it came from. */
json_t *ceil_ex_model_summary(struct ctx *c, json_t *overlaps, const struct ceil_ex_overlaps *overlap);
/* The model's bytes per element-tick through each level beside what the counters measured, over
 * every group profiled at p: "memory" (DRAM) is the table's bytes times the footprint's DRAM
 * share, "L3" (between L2 and L3) times its L3 and DRAM shares, "L2" (between L1 and L2) all of
 * them. A level no group measured has no "measured". */
json_t *ceil_ex_counters_by_level(struct ctx *c, const struct point *p);

#endif
