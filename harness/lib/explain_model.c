/* The model's glue in explain: its inputs from the folder and the probe, the fit, its verdicts. */
#include "explain.h"

#include "trust.h"
#include "variants.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct point *core_point(struct ctx *c, const struct point *p);
static double overlap_of(const double share[CEIL_LEVEL_COUNT], const struct ceil_ex_overlaps *overlap,
                         const char *kernel);

static int level_index(const char *level)
{
    for (int l = 0; l < CEIL_LEVEL_COUNT; l++)
        if (strcmp(level, ceil_model_level_names[l]) == 0)
            return l;
    return -1; /* "between" or unknown */
}

const char *const ceil_ex_kind_names[CEIL_EX_KINDS] = { "memory", "compute" };

/* The kind of a kernel's in-core time: its bound in the kernel table (memory where unknown). */
static int kind_of(const char *kernel)
{
    const struct ceil_kernel *k = ceil_kernel_find(kernel);
    for (int i = 0; k && i < CEIL_EX_KINDS; i++)
        if (!strcmp(k->bound, ceil_ex_kind_names[i]))
            return i;
    return CEIL_EX_MEMORY;
}

/* Where the memory-bound kernel's serial time has reached memory: the DRAM target; where the plan
 * could hold none, the largest planned size past the L3 target, if the serial time there is
 * within MEMORY_LEVELLED of the next smaller size's (nothing more of it comes from a cache).
 * The 2-vCPU Xeon VM reports its host's 480 MiB of L3, and four times that does not fit its
 * memory; motion's serial time there rises from 0.28 ns per element-tick at 46 MB to 0.55 at
 * 330 MB, and reads 0.55 at 700 MB and 1.5 GB too. */
#define MEMORY_LEVELLED 0.05
static void memory_n(struct ctx *c)
{
    const struct ceil_kernel *k = ceil_ex_memory_kernel();
    const char *ref = ceil_variant_reference()->name;
    c->memory_n = ceil_ex_target_n(c, "DRAM");
    c->memory_from = isfinite(c->memory_n) ? "the DRAM target" : NULL;
    if (isfinite(c->memory_n) || !k)
        return;
    double n3 = ceil_ex_target_n(c, "L3");
    const struct point *last = NULL, *before = NULL;
    json_t *s;
    size_t i;
    json_array_foreach(json_object_get(c->plan, "sizes"), i, s) {
        const struct point *q = ceil_ex_find(c, k->name, ref, "batched", ceil_ex_num(s, "n"), 1);
        if (!q || q->error || !(q->n > n3))
            continue;
        if (!last || q->n > last->n)
            before = last, last = q;
        else if (!before || q->n > before->n)
            before = q;
    }
    if (last && before && fabs(ceil_ex_model_ns(last) / ceil_ex_model_ns(before) - 1) <= MEMORY_LEVELLED) {
        c->memory_n = last->n;
        c->memory_from = "the largest size, where the serial time has levelled (no DRAM target)";
    }
}

void ceil_ex_dram_curve(struct ctx *c)
{
    const struct ceil_kernel *k = ceil_ex_memory_kernel();
    const char *ref = ceil_variant_reference()->name;
    memory_n(c);
    double n3 = ceil_ex_target_n(c, "L3"), nd = c->memory_n, l2, l3;
    ceil_ex_caches_of(c, 1, &l2, &l3);
    c->curve = json_array();
    c->curve_n = 0;
    const struct point *a = k && isfinite(n3) ? ceil_ex_find(c, k->name, ref, "batched", n3, 1) : NULL;
    const struct point *b = k && isfinite(nd) ? ceil_ex_find(c, k->name, ref, "batched", nd, 1) : NULL;
    if (!a || !b || a->error || b->error || !(l3 > 0) || !(ceil_ex_model_ns(b) > ceil_ex_model_ns(a)))
        return;
    double most = 0;
    json_t *s;
    size_t i;
    json_array_foreach(json_object_get(c->plan, "sizes"), i, s) {
        const struct point *q = ceil_ex_find(c, k->name, ref, "batched", ceil_ex_num(s, "n"), 1);
        if (!q || q->error || q->n < n3 || q->n > nd || c->curve_n == MAX_CURVE)
            continue;
        double d = (ceil_ex_model_ns(q) - ceil_ex_model_ns(a)) / (ceil_ex_model_ns(b) - ceil_ex_model_ns(a));
        most = q == b ? 1 : fmax(most, fmin(1, fmax(0, d)));
        c->curve_x[c->curve_n] = q->n * ceil_kernel_footprint(k) / l3;
        c->curve_share[c->curve_n++] = most;
        json_array_append_new(c->curve, json_pack("{s:f, s:f, s:f, s:s}", "n", q->n, "footprint_over_l3",
                                                  c->curve_x[c->curve_n - 1], "dram_share", most, "from", q->name));
    }
}

/* The data time per element-tick of the memory-bound kernel's serial run m, its time T less its
 * in-core time Tc where not overlapped (a): T = Td + (1 - a) Tc. NAN where not positive. */
static double serial_data_ns(struct ctx *c, const struct point *m, double a)
{
    const struct point *mc = core_point(c, m);
    double td = mc ? ceil_ex_model_ns(m) - (1 - a) * ceil_ex_model_ns(mc) : NAN;
    return td > 0 ? td : NAN;
}

/* The same at a footprint of fp bytes: interpolated (log-log) between the serial runs at the
 * planned sizes around it; below the smallest, that one's where it sits in one worker's L2 (all
 * smaller parts then run from L1 and L2 as it does); NAN otherwise. */
static double serial_data_ns_at(struct ctx *c, const struct ceil_kernel *mk, double fp, double a)
{
    double n = fp / ceil_kernel_footprint(mk);
    const struct point *lo = NULL, *hi = NULL;
    const char *ref = ceil_variant_reference()->name;
    for (size_t i = 0; i < c->count; i++) {
        const struct point *q = &c->pts[i];
        if (strcmp(q->variant, ref) || q->workers != 1 || strcmp(q->kernel, mk->name) || strcmp(q->mode, "batched") ||
            q->error || !isfinite(q->seconds))
            continue;
        if (q->n <= n && (!lo || q->n > lo->n))
            lo = q;
        if (q->n >= n && (!hi || q->n < hi->n))
            hi = q;
    }
    if (!lo && hi && !strcmp(ceil_ex_level_of(c, hi->n, 1), "L2"))
        return serial_data_ns(c, hi, a);
    if (!lo || !hi)
        return NAN;
    double tl = serial_data_ns(c, lo, a), th = serial_data_ns(c, hi, a);
    if (lo == hi)
        return tl;
    double x = log(n / lo->n) / log(hi->n / lo->n);
    return exp((1 - x) * log(tl) + x * log(th));
}

/* The data time of our loop at p's size and count, and the footprint's share in each level: one
 * worker's data time at this footprint as the sweep measured it, over how the probe's bandwidth
 * scales from one worker to W at that size; without that serial run, the table's bytes over the
 * probe's bandwidth. Past the L3 target the shares follow the measured DRAM curve. */
static double data_ns_shares(struct ctx *c, const struct point *p, double share[CEIL_LEVEL_COUNT])
{
    int approx;
    const char *source = "", *kind = ceil_ex_probe_kind(p->kernel);
    const struct ceil_kernel *k = ceil_kernel_find(p->kernel), *mk = ceil_ex_memory_kernel();
    double l2, l3, fp = k ? p->n * ceil_kernel_footprint(k) : NAN;
    ceil_ex_caches_of(c, p->workers, &l2, &l3);
    if (c->curve_n >= 2 && l3 > 0 && fp / l3 > c->curve_x[0]) {
        double d = ceil_model_curve(fp / l3, c->curve_x, c->curve_share, c->curve_n);
        share[CEIL_LEVEL_L2] = 0;
        share[CEIL_LEVEL_L3] = 1 - d;
        share[CEIL_LEVEL_DRAM] = d;
    } else
        ceil_model_shares(fp, l2, l3, share);
    double bw = ceil_ex_bandwidth_ceiling(c, kind, p->n, p->workers, ceil_ex_level_of(c, p->n, p->workers), &approx, &source);
    double scaling = ceil_ex_bandwidth_scaling_of(c, kind, p);
    double l3n = ceil_ex_target_n(c, "L3"), dn = c->memory_n;
    if (p->workers > 1 && isfinite(l3n) && isfinite(dn) && !strcmp(ceil_ex_level_of(c, p->n, p->workers), "between")) {
        /* between the L3 and DRAM targets, each level's part of the data scales as it does at its
         * target, where the probe pairs its runs (and the sweep takes its rescale samples): the
         * probe's lone samples at these sizes read 2.5x where the teams ran 1.6x */
        struct point at_dram = *p;
        at_dram.n = dn;
        struct point at_l3 = *p;
        at_l3.n = l3n;
        double s3 = ceil_ex_bandwidth_scaling_of(c, kind, &at_l3), sd = ceil_ex_bandwidth_scaling_of(c, kind, &at_dram);
        double w3 = share[CEIL_LEVEL_L3], wd = share[CEIL_LEVEL_DRAM];
        if (s3 > 0 && sd > 0 && w3 + wd > 0)
            scaling = (w3 + wd) / (w3 / s3 + wd / sd);
    }
    /* one worker's bandwidth at this footprint as the sweep measured it, not the probe minutes
     * before: the memory-bound kernel's serial run there, less its in-core part not overlapped
     * (the overlaps as fitted so far); the probe says how it scales with workers */
    double a = fmin(1, fmax(0, overlap_of(share, &c->overlap, mk ? mk->name : p->kernel)));
    double l2_1, l3_1, per = ceil_ex_kernel_bytes(p->kernel) / (mk ? ceil_kernel_bytes(mk) : NAN);
    ceil_ex_caches_of(c, 1, &l2_1, &l3_1);
    if (mk && p->workers > 1 && ceil_ex_runs_our_loop(p->variant) && !strcmp(ceil_ex_level_of(c, p->n, p->workers), "L2") &&
        l2_1 > 0 && l2 == p->workers * l2_1 && fp / p->workers >= l2_1 / 16) {
        /* A footprint the workers' private L2s hold, each part at least a sixteenth of one L2: each
         * worker runs as one worker does on its part (N/W), so one worker's data time at that
         * footprint, over how the workers' compute scales (their cores' L1 and L2 are theirs,
         * unless the host puts two on one core). The probe's paired daxpy scaling near one L2's
         * capacity read 2.3x in most EPYC probes and 1.69x (1.39-1.87) in one, while motion's
         * teams there ran 2.0-2.4x: a streaming loop fills no cache to the last line, and where
         * its 1-worker run starts to spill moves with the host. Below it too: at 19000 elements
         * the probe's pairs read 1.24x and 1.58x in one probe, 1.60x in another, and the teams
         * ran 1.7-1.9x in every sweep (76 kB parts, in L2 for one worker and for two). Parts
         * across the L1's edge are left out (8820 elements, 2 workers: 35 kB each against 32 kB),
         * where the serial runs' curve is too steep to read between its sizes (3.15x predicted,
         * 2.5x measured): parts of at least a sixteenth of an L2 (64-128 kB here), twice an L1
         * (32-48 kB) or more. */
        double td = serial_data_ns_at(c, mk, fp / p->workers, a), s = ceil_ex_compute_scaling_of(c, p);
        if (isfinite(td) && s > 0)
            return per * td / s;
    }
    const struct point *m = mk ? ceil_ex_serial_near(c, mk->name, fp / ceil_kernel_footprint(mk), INFINITY) : NULL;
    /* the probe measured this size (a kind it measured at the targets only, load, has daxpy's
     * figure here): the serial run's data time needs only its scaling */
    double probed = bw > 0 ? bw : ceil_ex_bandwidth_ceiling(c, "daxpy", p->n, p->workers, ceil_ex_level_of(c, p->n, p->workers), &approx, &source);
    if (m && fabs(log(m->n * ceil_kernel_footprint(mk) / fp)) < log(1.25) && probed > 0 && scaling > 0) {
        /* its data time dominates: T = Td + (1 - overlap) Tc */
        double td = serial_data_ns(c, m, a);
        if (isfinite(td))
            return per * td / scaling;
    }
    return ceil_ex_kernel_bytes(p->kernel) / bw;
}

static double data_ns(struct ctx *c, const struct point *p)
{
    double share[CEIL_LEVEL_COUNT];
    return data_ns_shares(c, p, share);
}

/* The largest size our loop's in-core time comes from: the largest planned size up to the L2
 * target whose footprint one worker's L2 holds; the L2 target where none does (explain warns:
 * ceil_ex_model_warnings). The 2-vCPU plans' L2 target is one L2. The 16-vCPU quick plan's is
 * eight L2s (2.09M elements), beside half of one L2 (131000): its 1-, 2- and 4-worker teams there
 * drew their in-core time from the target's serial run, an L3 rate, then from 131000's, an L2
 * rate, and motion's 4-worker teams were predicted 6.4x where they ran 3.7-4.1x. */
static double core_max_n(struct ctx *c, const char *kernel)
{
    double l2 = ceil_ex_l2_target(c), l2_1, l3_1, most = NAN;
    const struct ceil_kernel *k = ceil_kernel_find(kernel);
    ceil_ex_caches_of(c, 1, &l2_1, &l3_1);
    json_t *s;
    size_t i;
    json_array_foreach(json_object_get(c->plan, "sizes"), i, s) {
        double n = ceil_ex_num(s, "n");
        if (k && l2_1 > 0 && n * ceil_kernel_footprint(k) <= l2_1 && !(n > l2) && (isnan(most) || n > most))
            most = n; /* !(n > l2): no L2 target (NAN) bounds nothing */
    }
    return isfinite(most) ? most : l2;
}

/* The in-core time per element-tick on one worker: the reference's at the planned size nearest
 * the footprint each worker has (N/W), up to the largest one worker's L2 holds (core_max_n): the
 * innermost cache the plan measures that holds a worker's part, beyond which the data time takes
 * over. A variant that runs another loop (numpy) from its own 1-worker batched points, up to the
 * L2 target: the sweep runs them at each team's part of it (N/W). */
static const struct point *core_point(struct ctx *c, const struct point *p)
{
    int ours = ceil_ex_runs_our_loop(p->variant);
    double most = ours ? core_max_n(c, p->kernel) : ceil_ex_l2_target(c);
    return ceil_ex_one_worker_near(c, p->kernel, ours ? ceil_variant_reference()->name : p->variant,
                           fmin(p->n / p->workers, isfinite(most) ? most : p->n), isfinite(most) ? most : INFINITY);
}

/* The level whose overlap a 1-worker point fits: the plan's, but DRAM where the measured DRAM
 * share (past the L3 target) holds most of its data: the plan's level goes by the reported L3's
 * capacity, and a VM may report its host's (480 MiB on the 2-vCPU Xeon, where motion's serial
 * time has reached its memory plateau at 330 MB). */
static int share_level(struct ctx *c, const struct point *p)
{
    double share[CEIL_LEVEL_COUNT];
    data_ns_shares(c, p, share);
    return share[CEIL_LEVEL_DRAM] > 0.5 ? CEIL_LEVEL_DRAM : level_index(ceil_ex_level_of(c, p->n, 1));
}

json_t *ceil_ex_fit_overlaps(struct ctx *c, struct ceil_ex_overlaps *overlap)
{
    json_t *out = json_object();
    for (int k = 0; k < CEIL_EX_KINDS; k++) {
        json_t *kind = json_object();
        for (int l = 0; l < CEIL_LEVEL_COUNT; l++) {
            double v[MAX_FIT];
            size_t n = 0;
            json_t *from = json_array();
            for (size_t i = 0; i < c->count && n < MAX_FIT; i++) {
                struct point *p = &c->pts[i];
                const struct point *core = core_point(c, p);
                if (!ceil_ex_is_reference(p->variant) || strcmp(p->mode, "batched") || p->error || !p->stable || !core ||
                    ceil_kernel_find(p->kernel) == ceil_ex_memory_kernel() || kind_of(p->kernel) != k || core == p ||
                    share_level(c, p) != l)
                    continue;
                double a = ceil_model_overlap(ceil_ex_model_ns(p), ceil_ex_model_ns(core), data_ns(c, p));
                if (isfinite(a)) {
                    v[n++] = a;
                    json_array_append_new(from, json_string(p->name));
                }
            }
            overlap->of[k][l] = n ? ceil_median(v, n) : NAN;
            json_object_set_new(kind, ceil_model_level_names[l],
                                json_pack("{s:o, s:o}", "overlap", n ? json_real(overlap->of[k][l]) : json_null(), "from", from));
        }
        json_object_set_new(out, ceil_ex_kind_names[k], kind);
    }
    return out;
}

/* Whether p's in-core time is cache traffic: our loop of a kernel whose serial run at the L2
 * target already reaches CEIL_SERIAL_BW of the probe's bandwidth there (motion: L1-L2 traffic). */
static int core_is_traffic(struct ctx *c, const struct point *p)
{
    return ceil_ex_runs_our_loop(p->variant) && ceil_ex_serial_l2_fraction(c, p->kernel) >= CEIL_SERIAL_BW;
}

/* How the in-core time scales with workers: as the compute (peakflops) scaling, also for a
 * kernel whose in-core time is cache traffic (core_is_traffic: motion's L1-L2 traffic, in private
 * caches that scale as the cores do). Not as the probe's daxpy at the L2 target: that size fills
 * one worker's L2, so its 1-worker run spills and its paired scaling (2.3x on the 2-vCPU EPYC in
 * every probe) is capacity, which the in-core point at N/W already counts; scaling by it
 * predicted motion's teams in L3 12-27% too fast in two sweeps. Nor as the probe's run of the
 * kernel's own loop (incore): measured once, in a few seconds, it can fall inside one of the
 * host's episodes (motion's read 1.51-1.56x in all three pairs before a sweep whose teams ran
 * 1.9-2.2x), where peakflops is measured again through the sweep (the co-run tests around every
 * team repetition, and rescale: ceil_ex_compute_scaling_of). */
static double core_scaling(struct ctx *c, const struct point *p)
{
    return p->workers == 1 ? 1 : ceil_ex_compute_scaling_of(c, p);
}

/* The overlap of a footprint spread over the levels by share, for kernel's kind of in-core time:
 * each level's for that kind, else the other kind's (the sweep fitted none of this kind there),
 * else 1 (the roofline's). */
static double overlap_of(const double share[CEIL_LEVEL_COUNT], const struct ceil_ex_overlaps *overlap, const char *kernel)
{
    int k = kind_of(kernel);
    double a = 0;
    for (int l = 0; l < CEIL_LEVEL_COUNT; l++) {
        double v = overlap->of[k][l];
        if (!isfinite(v))
            v = overlap->of[1 - k][l];
        a += share[l] * (isfinite(v) ? v : 1);
    }
    return a;
}

/* The book's numpy pays the interpreter on every tick and worker whatever its part's size (the
 * calls, the temporaries' allocation, the GIL between threads): its kernel's and variant's
 * dispatch point's batched time per tick at that worker count, in ns (n = 2048: the elements'
 * part of it is a few percent). On the 2-vCPU EPYC, motion's: 1.9 us on one worker, 3.8 us on
 * two processes, 5.8 us on two threads, against 26 us of a tick at the L2 target. NAN where the
 * sweep has no such point (0 for our loop: its fixed cost is in its in-core time). */
static double numpy_fixed_ns(struct ctx *c, const struct point *p, double workers)
{
    if (ceil_ex_runs_our_loop(p->variant))
        return 0;
    const struct point *d = ceil_ex_dispatch_point(c, p->kernel, p->variant, workers);
    return d && d->batched_us > 0 ? d->batched_us * 1e3 : NAN;
}

/* What numpy's 1-worker point q spends per element-tick beyond that fixed cost (f1: per tick). */
static double numpy_variable_ns(const struct point *q, double f1)
{
    return ceil_ex_model_ns(q) - (isfinite(f1) ? f1 / q->n : 0);
}

/* numpy's data time: not the kernel table's bytes (its temporaries add traffic), but what its own
 * 1-worker run at N spends beyond its in-core time, scaled to W workers as our loop's data time
 * at that size scales. *factor: that data time over our loop's, numpy's traffic in table units. */
static double numpy_data_ns(struct ctx *c, const struct point *p, const struct ceil_ex_overlaps *overlap,
                            double share[CEIL_LEVEL_COUNT], double *factor)
{
    struct point one = *p;
    one.workers = 1;
    double share1[CEIL_LEVEL_COUNT];
    const struct point *own = ceil_ex_find(c, p->kernel, p->variant, "batched", p->n, 1), *core = core_point(c, &one);
    double d1 = data_ns_shares(c, &one, share1), dw = data_ns_shares(c, p, share);
    if (!own || own->error || !core || core->error)
        return NAN;
    double f1 = numpy_fixed_ns(c, p, 1);
    double td1 = ceil_model_data_of(numpy_variable_ns(own, f1), numpy_variable_ns(core, f1), overlap_of(share1, overlap, p->kernel));
    *factor = td1 / d1;
    return td1 * dw / d1;
}

/* Where the model (its prediction: predicted) misses the one-worker run of our loop `serial` by
 * more than CEIL_MODEL_MISS on the slow side (its own median, as its error), that run's data time
 * (its time less its in-core time, as the overlap composes them) over the bandwidth's: how far the
 * loop is from hiding memory's latency, which ECM assumes. NAN elsewhere: an unstable run, and the
 * memory-bound kernel (its data time is the bandwidth's). The caller says it only past the L2.
 * On the 2-vCPU Granite Rapids VM trig's serial runs past the L3 step took 1.36 ns per
 * element-tick where its in-core time (0.66) and the bandwidth's data time (0.44) sum to 1.10, and
 * starve's 1.35 where they sum to 0.59. Loops of the same bytes differ (throwaway loops of
 * 0.26-1.56 ns in-core paid +0.5 to +1.4 ns there), so no probe figure stands in for it. Their
 * teams of two ran 1.9-2.0x, as the model's ratio predicts. How the excess behaves on W workers is
 * not modelled: spread over W, it predicted the first 16-vCPU run's teams at 8 workers 30-60% too
 * fast; kept at this ratio to the bandwidth's, 30-50% too slow. So it is said beside the verdict,
 * and the prediction does not use it. */
static double latency_ratio(struct ctx *c, const struct point *serial, const struct ceil_model_out *predicted,
                            const struct ceil_ex_overlaps *overlap)
{
    const struct ceil_kernel *mk = ceil_ex_memory_kernel();
    const struct point *core = core_point(c, serial);
    if (!serial->stable || (mk && !strcmp(serial->kernel, mk->name)) || !core || core->error)
        return NAN; /* an unstable serial run's excess is as likely the host's */
    double share[CEIL_LEVEL_COUNT], td_bw = data_ns_shares(c, serial, share), t = ceil_ex_measured_ns(serial);
    if (!(t > (1 + CEIL_MODEL_MISS) * predicted->ns) || !(td_bw > 0))
        return NAN;
    double td = ceil_model_data_of(t, ceil_ex_model_ns(core), overlap_of(share, overlap, serial->kernel));
    return td > td_bw ? td / td_bw : NAN;
}

/* The model's prediction for p, or 0 when an input is missing. */
static int predict(struct ctx *c, const struct point *p, const struct ceil_ex_overlaps *overlap,
                   struct ceil_model_out *out)
{
    const struct point *core = core_point(c, p);
    double scaling = core_scaling(c, p), factor;
    const struct ceil_kernel *k = ceil_kernel_find(p->kernel);
    if (!core || core->error || !k || !isfinite(scaling))
        return 0;
    struct ceil_model_in in = { .core_ns = ceil_ex_model_ns(core), .scaling = scaling };
    in.data_ns = ceil_ex_runs_our_loop(p->variant) ? data_ns_shares(c, p, in.share) : numpy_data_ns(c, p, overlap, in.share, &factor);
    in.overlap = overlap_of(in.share, overlap, p->kernel);
    if (!strcmp(p->mode, "pertick") && !ceil_ex_is_reference(p->variant))
        in.dispatch_ns = ceil_ex_per_tick_overhead_us(c, p->variant, p->workers) * 1e3 / p->n;
    double f1 = numpy_fixed_ns(c, p, 1), fw = numpy_fixed_ns(c, p, p->workers);
    if (f1 > 0 && fw > 0) { /* numpy's fixed cost per tick: out of its 1-worker times, in at W, not divided */
        in.core_ns = numpy_variable_ns(core, f1);
        in.dispatch_ns += fw / p->n;
    }
    if (!isfinite(in.data_ns) || !isfinite(in.dispatch_ns))
        return 0;
    ceil_model_predict(&in, out);
    return isfinite(out->ns) && out->ns > 0;
}

enum { TERM_CORE, TERM_L2, TERM_L3, TERM_DRAM, TERM_DISPATCH, TERMS };

static void term_shares(const struct ceil_model_out *m, double share[TERMS])
{
    share[TERM_CORE] = m->core;
    share[TERM_L2] = m->level[CEIL_LEVEL_L2];
    share[TERM_L3] = m->level[CEIL_LEVEL_L3];
    share[TERM_DRAM] = m->level[CEIL_LEVEL_DRAM];
    share[TERM_DISPATCH] = m->dispatch;
}

/* The term with the largest share of the predicted time. */
static int dominant_term(const struct ceil_model_out *m)
{
    double share[TERMS];
    term_shares(m, share);
    int best = 0;
    for (int t = 1; t < TERMS; t++)
        if (share[t] > share[best])
            best = t;
    return best;
}

/* "DRAM data 81%, in-core 19%": the terms by share, largest first; returns the length. */
static int terms_text(const struct ceil_model_out *m, int traffic, char *out, size_t len)
{
    const char *names[TERMS] = { traffic ? "in-core (L1-L2 traffic)" : "in-core", "L2 data", "L3 data", "DRAM data",
                                 "dispatch" };
    double share[TERMS];
    term_shares(m, share);
    int used = 0, done[TERMS] = { 0 };
    for (int k = 0; k < TERMS; k++) {
        int best = -1;
        for (int j = 0; j < TERMS; j++)
            if (!done[j] && (best < 0 || share[j] > share[best]))
                best = j;
        done[best] = 1;
        if (share[best] >= 0.01)
            used += snprintf(out + used, len - (size_t)used, "%s%s %.0f%%", used ? ", " : "", names[best], 100 * share[best]);
    }
    return used;
}

/* "DRAM data 81%, in-core 19%; model -3%": the terms and the model's error; a team whose serial
 * run the model misses (latency: latency_ratio) says so, as its prediction goes through that run. */
static void model_text(const struct ceil_model_out *m, double error, int traffic, double latency, char *out, size_t len)
{
    int used = terms_text(m, traffic, out, len);
    double pct = round(100 * error);
    used += snprintf(out + used, len - (size_t)used, "; model %+.0f%%", pct == 0 ? 0.0 : pct); /* never "-0%" */
    if (isfinite(latency) && used > 0 && (size_t)used < len)
        snprintf(out + used, len - (size_t)used, " (but its serial run's data time is %.1fx the bandwidth's: latency)",
                 latency);
}

int ceil_ex_add_model(json_t *o, struct ctx *c, struct point *p, const struct ceil_ex_overlaps *overlap,
                     struct ceil_model_out *mp)
{
    struct ceil_model_out m, ms;
    if (p->error || !isfinite(p->seconds) || !predict(c, p, overlap, &m))
        return 0;
    *mp = m;
    p->predicted = m.ns;
    /* A team measured beside its serial pair is predicted through it: the model gives the speedup
     * over serial at N, the pair gives serial's time at that moment (the median of the pairs'
     * ratios, as the speedup is measured). The host's speed, which drifts by 15% within a sweep
     * on these VMs, then cancels, as it does in the measured speedup. The book's numpy is
     * predicted from its own 1-worker runs, not from our loop's predicted time: its speedup is
     * over serial's measured time (pooled), or the model's miss on serial would become numpy's
     * (trig at 1e7 on the 2-vCPU Xeon: serial +60%, numpy -42% through it). */
    int reference = ceil_ex_is_reference(p->variant);
    const struct point *serial = reference ? NULL : ceil_ex_find(c, p->kernel, ceil_variant_reference()->name, "batched", p->n, 1);
    int through_serial = serial && !serial->error && isfinite(serial->seconds) && predict(c, serial, overlap, &ms);
    /* the serial run's latency ratio (a reference point's own), where our loop's parts lie past the L2 */
    int past_l2 = ceil_ex_runs_our_loop(p->variant) && strcmp(ceil_ex_level_of(c, p->n, p->workers), "L2");
    p->latency = !past_l2 ? NAN
                 : reference ? latency_ratio(c, p, &m, overlap)
                 : through_serial ? latency_ratio(c, serial, &ms, overlap) : NAN;
    if (through_serial) {
        p->predicted_speedup = (ceil_ex_runs_our_loop(p->variant) ? ms.ns : ceil_ex_model_ns(serial)) / m.ns;
        json_object_set_new(o, "predicted_speedup", json_real(p->predicted_speedup));
        if (p->paired && isfinite(p->speedup) && p->speedup > 0)
            p->predicted = ceil_ex_measured_ns(p) * p->speedup / p->predicted_speedup;
    }
    json_object_set_new(o, "prediction", json_string(p->predicted != m.ns ? "the model's speedup over the serial run paired with it"
                                                                          : "the model's time"));
    p->model_error = ceil_ex_measured_ns(p) / p->predicted - 1;
    char text[256];
    model_text(&m, p->model_error, core_is_traffic(c, p), reference ? NAN : p->latency, text, sizeof text);
    json_object_set_new(o, "predicted_ns_per_elem_tick", json_real(p->predicted));
    json_object_set_new(o, "model_error", json_real(p->model_error));
    json_object_set_new(o, "shares", json_pack("{s:f, s:f, s:f, s:f, s:f}", "in_core", m.core, "L2", m.level[0], "L3",
                                               m.level[1], "DRAM", m.level[2], "dispatch", m.dispatch));
    json_object_set_new(o, "model_verdict", json_string(text));
    if (isfinite(p->latency))
        json_object_set_new(o, "serial_data_over_bandwidth", json_real(p->latency));
    return 1;
}

const char *ceil_ex_model_bound(struct ctx *c, const struct point *p, const struct ceil_model_out *m, const char *model_text_,
                               char *verdict, size_t len)
{
    if (fabs(p->model_error) > CEIL_MODEL_MISS) {
        char terms[160];
        terms_text(m, core_is_traffic(c, p), terms, sizeof terms);
        int used = snprintf(verdict, len,
                            "unexplained: the model misses by %+.0f%% (measured %.3g, predicted %.3g ns per element-tick; "
                            "predicted %s)", 100 * p->model_error, ceil_ex_measured_ns(p), p->predicted, terms);
        if (ceil_ex_is_reference(p->variant) && isfinite(p->latency) && used > 0 && (size_t)used < len)
            snprintf(verdict + used, len - (size_t)used,
                     ". Its data time is %.1fx what the bandwidth gives: memory's latency, which the loop does not "
                     "hide as ECM assumes, unless the host slowed this run", p->latency);
        return "unexplained";
    }
    int t = dominant_term(m);
    if (t == TERM_DISPATCH) {
        snprintf(verdict, len, "dispatch-bound: %s", model_text_);
        return "dispatch";
    }
    if (t == TERM_CORE && !core_is_traffic(c, p)) {
        snprintf(verdict, len, "compute-bound: %s", model_text_);
        return "compute";
    }
    snprintf(verdict, len, "bandwidth-bound (%s): %s", t == TERM_CORE ? "L1-L2" : ceil_model_level_names[t - TERM_L2],
             model_text_);
    return "bandwidth";
}

json_t *ceil_ex_validation(struct ctx *c)
{
    json_t *groups = json_object(), *out;
    double *all = calloc(c->count + 1, sizeof *all);
    size_t n = 0, within = 0;
    for (size_t i = 0; all && i < c->count; i++) {
        struct point *p = &c->pts[i];
        if (p->workers < 2 || !p->stable || !isfinite(p->model_error) || (strcmp(p->mode, "batched") && strcmp(p->mode, "pertick")))
            continue;
        all[n++] = fabs(p->model_error);
        within += fabs(p->model_error) <= CEIL_MODEL_MISS;
        char key[96];
        snprintf(key, sizeof key, "%s/%s", p->kernel, ceil_ex_level_of(c, p->n, p->workers));
        json_t *g = json_object_get(groups, key);
        if (!g)
            json_object_set_new(groups, key, g = json_pack("{s:i, s:i, s:f}", "points", 0, "within", 0, "sum_abs", 0.0));
        json_object_set_new(g, "points", json_integer(json_integer_value(json_object_get(g, "points")) + 1));
        json_object_set_new(g, "within", json_integer(json_integer_value(json_object_get(g, "within")) + (fabs(p->model_error) <= CEIL_MODEL_MISS)));
        json_object_set_new(g, "sum_abs", json_real(ceil_ex_num(g, "sum_abs") + fabs(p->model_error)));
    }
    const char *key;
    json_t *g;
    json_object_foreach(groups, key, g) {
        double pts = ceil_ex_num(g, "points");
        json_object_set_new(g, "mean_abs_error", json_real(ceil_ex_num(g, "sum_abs") / pts));
        json_object_set_new(g, "fraction_within", json_real(ceil_ex_num(g, "within") / pts));
        json_object_del(g, "sum_abs");
    }
    out = json_pack("{s:I, s:o, s:o, s:f, s:o}", "points", (json_int_t)n, "median_abs_error",
                    n ? json_real(ceil_median(all, n)) : json_null(), "fraction_within",
                    n ? json_real((double)within / (double)n) : json_null(), "tolerance", CEIL_MODEL_MISS,
                    "by_kernel_level", groups);
    free(all);
    return out;
}

json_t *ceil_ex_probe_warnings(struct ctx *c)
{
    json_t *out = json_array(), *e;
    size_t i;
    json_array_foreach(json_object_get(c->probe, "compute"), i, e) {
        double w = ceil_ex_num(e, "workers"), scaling = ceil_ex_num(e, "scaling"), v[MAX_FIT];
        size_t n = 0;
        for (size_t j = 0; w >= 2 && j < c->count && n < MAX_FIT; j++) {
            const struct point *p = &c->pts[j];
            const struct ceil_kernel *k = ceil_kernel_find(p->kernel);
            if (p->workers == w && p->stable && !p->error && !strcmp(p->mode, "batched") && ceil_ex_runs_our_loop(p->variant) &&
                !ceil_ex_is_reference(p->variant) && k && !k->baseline && !strcmp(k->bound, "compute") && isfinite(p->speedup))
                v[n++] = p->speedup;
        }
        double m = n ? ceil_median(v, n) : NAN, tests = ceil_ex_corun_compute_scaling(c, w);
        char text[400];
        if (isfinite(m) && isfinite(tests) && m > CEIL_PROBE_SLACK * tests) {
            /* the model's scaling there is the co-run tests', not the probe's */
            snprintf(text, sizeof text,
                     "the compute scaling the model takes at %.0f workers (%.2f, from the co-run tests around the "
                     "sweep's repetitions) is below what the compute-bound kernel measured there (median speedup "
                     "%.2f over %zu points): the host gave the teams more than the tests saw, and every "
                     "prediction at %.0f workers rests on it",
                     w, tests, m, n, w);
            json_array_append_new(out, json_string(text));
        } else if (isfinite(m) && !isfinite(tests) && m > CEIL_PROBE_SLACK * scaling) {
            snprintf(text, sizeof text,
                     "the probe's compute scaling at %.0f workers (%.2f) is below what the compute-bound kernel "
                     "measured there (median speedup %.2f over %zu points): the probe was disturbed while it ran. "
                     "Run `ceilings probe` again: every prediction at %.0f workers rests on it",
                     w, scaling, m, n, w);
            json_array_append_new(out, json_string(text));
        }
    }
    const char *section[] = { "compute", "bandwidth" }; /* the scalings the model reads */
    for (int s = 0; s < 2; s++) {
        json_array_foreach(json_object_get(c->probe, section[s]), i, e) {
            json_t *range = json_object_get(e, "scaling_range");
            double scaling = ceil_ex_num(e, "scaling"), lo = json_real_value(json_array_get(range, 0)),
                   hi = json_real_value(json_array_get(range, 1));
            const char *test = json_string_value(json_object_get(e, "test")), *target = json_string_value(json_object_get(e, "target"));
            if (!json_is_array(range) || !(scaling > 0) || !((hi - lo) / scaling > CEIL_PROBE_RANGE))
                continue;
            char text[400], tail[160];
            double tests = s == 0 ? ceil_ex_corun_compute_scaling(c, ceil_ex_num(e, "workers")) : NAN;
            if (isfinite(tests)) /* the model's compute scaling there is the co-run tests' */
                snprintf(tail, sizeof tail, "the model takes its compute scaling there from the co-run tests "
                                            "around the sweep's repetitions instead (%.2f)", tests);
            else
                snprintf(tail, sizeof tail, "the predictions there rest on it. Run `ceilings probe` again, with "
                                            "more --samples, on a quieter machine");
            snprintf(text, sizeof text,
                     "the probe's paired scaling of %s%s%s%s at %.0f workers spread %.2f-%.2f over its %.0f pairs "
                     "(median %.2f): the host disturbed it, and %s",
                     test ? test : section[s], target ? " at the " : "", target ? target : "", target ? " target" : "",
                     ceil_ex_num(e, "workers"), lo, hi, ceil_ex_num(e, "pairs"), scaling, tail);
            json_array_append_new(out, json_string(text));
        }
    }
    return out;
}

json_t *ceil_ex_model_warnings(struct ctx *c)
{
    json_t *out = json_array();
    double l2 = ceil_ex_l2_target(c), l2_1, l3_1, smallest = INFINITY;
    ceil_ex_caches_of(c, 1, &l2_1, &l3_1);
    for (size_t i = 0; i < c->count; i++) { /* the smallest size an in-core time can come from */
        const struct point *p = &c->pts[i];
        if (ceil_ex_is_reference(p->variant) && !strcmp(p->mode, "batched") && !p->error && isfinite(p->seconds))
            smallest = fmin(smallest, p->n);
    }
    if (!isfinite(smallest) || !(l2_1 > 0) || (isfinite(l2) && smallest > l2))
        return out;
    char list[300] = "", one[80];
    size_t used = 0;
    for (unsigned k = 0; k < ceil_kernel_count; k++) {
        const struct ceil_kernel *kernel = &ceil_kernels[k];
        double fp = smallest * ceil_kernel_footprint(kernel);
        if (kernel->baseline || !ceil_ex_serial_near(c, kernel->name, smallest, smallest) || fp <= l2_1)
            continue;
        snprintf(one, sizeof one, "%s%s %.1f MiB", used ? ", " : "", kernel->name, fp / 1048576);
        if (used + strlen(one) < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s", one);
    }
    if (!used)
        return out;
    char text[600];
    snprintf(text, sizeof text,
             "the in-core times come from n=%.0f at the smallest (%s), more than one worker's L2 (%.1f MiB) holds: they "
             "carry the next level's traffic, which the model then scales as compute. Sweep smaller sizes (the "
             "default sweep plans them from 32 KiB; the quick one, whose L2 target is sized for the top worker "
             "count's L2s, now adds half of one worker's L2 where that target is more than one L2)",
             smallest, list, l2_1 / 1048576);
    json_array_append_new(out, json_string(text));
    return out;
}

json_t *ceil_ex_model_summary(struct ctx *c, json_t *overlaps, const struct ceil_ex_overlaps *overlap)
{
    json_t *traffic = json_array();
    for (size_t i = 0; i < c->count; i++) { /* numpy's traffic, fitted on its own 1-worker points */
        const struct point *p = &c->pts[i];
        double share[CEIL_LEVEL_COUNT], factor = NAN;
        if (ceil_ex_runs_our_loop(p->variant) || p->workers != 1 || strcmp(p->mode, "batched") || p->error ||
            !isfinite(p->seconds) || !isfinite(numpy_data_ns(c, p, overlap, share, &factor)) || !isfinite(factor))
            continue;
        json_array_append_new(traffic, json_pack("{s:s, s:s, s:f, s:f, s:s}", "kernel", p->kernel, "variant", p->variant,
                                                 "n", p->n, "traffic_over_table", factor, "from", p->name));
    }
    json_t *core = json_object();
    for (size_t i = 0; i < c->count; i++) { /* the in-core times the points can draw on */
        const struct point *p = &c->pts[i];
        double most = ceil_ex_is_reference(p->variant) ? core_max_n(c, p->kernel) : NAN;
        if (!ceil_ex_is_reference(p->variant) || strcmp(p->mode, "batched") || p->error || !isfinite(p->seconds) ||
            (isfinite(most) && p->n > most))
            continue;
        json_t *list = json_object_get(core, p->kernel);
        if (!list)
            json_object_set_new(core, p->kernel, list = json_array());
        json_t *e = json_pack("{s:f, s:f, s:s}", "n", p->n, "ns_per_elem_tick", ceil_ex_model_ns(p), "from", p->name);
        if (p->pooled) /* how many serial repetitions its median pools: its own and the pairs' */
            json_object_set_new(e, "pooled_repetitions", json_integer((json_int_t)p->pooled));
        json_array_append_new(list, e);
    }
    json_t *memory = c->memory_from ? json_pack("{s:f, s:s}", "n", c->memory_n, "from", c->memory_from) : json_null();
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:O?, s:s, s:s, s:s, s:s}", "composition",
                     "T = max(Tc, Td) + (1 - overlap) min(Tc, Td) + dispatch per tick / N", "in_core", core, "overlap",
                     overlaps, "dram_share", json_incref(c->curve), "memory", memory, "numpy_traffic", traffic, "rescale", c->rescale,
                     "in_core_rule",
                     "the reference's ns per element-tick at the planned size nearest N/W, at most the largest planned size "
                     "one worker's L2 holds (the L2 target where none does; where "
                     "the teams were paired with serial runs, the median of every serial repetition at that kernel and "
                     "size: its own and the pairs', pooled_repetitions), over "
                     "the compute scaling at W workers (W over the co-run tests' usual ratio at W, where the sweep "
                     "ran them around its team repetitions; else, where the sweep measured peakflops again as it ran "
                     "(rescale), the median of the 3 samples nearest the point's time; else the probe's), for a "
                     "kernel whose in-core "
                     "time is cache traffic as well; numpy "
                     "variants: their own 1-worker batched points the same way, up to the L2 target",
                     "data_rule",
                     "bytes per element-tick (kernel table) over one worker's bandwidth at that footprint: the "
                     "memory-bound kernel's serial data time there (its time, pooled as the in-core time's, less its "
                     "in-core part not overlapped), "
                     "divided by the probe's paired daxpy scaling from 1 to W workers at that size (the nearest size "
                     "probed at its level; at the targets, and past the DRAM target at the DRAM level, where the sweep "
                     "measured it again as it ran (rescale), the median of the 3 samples nearest the point's time; between the "
                     "L3 and DRAM targets, the L3 target's and the DRAM target's scalings, mixed harmonically by the "
                     "point's L3 and DRAM shares); without that serial point, the probe's bandwidth at N and W. Shared over "
                     "L2, L3 and DRAM by what the workers' caches hold, past the L3 target by dram_share (the "
                     "memory-bound kernel's serial time between its L3 and DRAM plateaus at that footprint over the L3 "
                     "the workers use; the DRAM plateau's size: memory). numpy variants: their own 1-worker time at N beyond their in-core time "
                     "(numpy_traffic), scaled with workers as the table's data time",
                     "paired_rule",
                     "a team measured beside serial pairs is predicted through them: the model's speedup over serial at "
                     "N (predicted_speedup) applied to the pairs' serial time, the median of the pairs' ratios as the "
                     "measured speedup is (numpy variants: their predicted time's speedup over serial's measured, "
                     "pooled time, since they are predicted from their own 1-worker runs); other points: the model's time",
                     "fit", "overlaps, per kind of in-core time (the kernel table's bound: compute, whose arithmetic "
                     "overlaps with data transfers in ECM, and memory, whose loads and stores do not), each from that "
                     "kind's kernels (without the memory-bound kernel that gives the data time, in turn with its data "
                     "time: 4 rounds; each level's from the points the plan puts there, DRAM's also from those whose "
                     "dram_share is over one half; a level one kind has no points at takes the other kind's), "
                     "dram_share and numpy_traffic from one-worker runs only (the reference's own and the serial runs "
                     "paired with teams, never a team's time); every point at 2+ workers is held out");
}

json_t *ceil_ex_counters_by_level(struct ctx *c, const struct point *p)
{
    double share[3], b = ceil_ex_kernel_bytes(p->kernel);
    data_ns_shares(c, p, share);
    const char *keys[] = { "memory", "L3", "L2" };
    double model[] = { b * share[2], b * (share[1] + share[2]), b };
    json_t *out = json_object(), *e;
    size_t i;
    for (int l = 0; l < 3; l++) {
        json_t *row = json_pack("{s:f}", "model", model[l]);
        json_array_foreach(json_object_get(c->profile, "profiles"), i, e) {
            json_t *v = json_object_get(json_object_get(e, "bytes_per_elem"), keys[l]);
            if (strcmp(ceil_ex_str(e, "point"), p->name) || !json_is_number(v) || json_object_get(row, "measured"))
                continue;
            json_object_set_new(row, "measured", json_real(json_number_value(v)));
            json_object_set_new(row, "group", json_string(ceil_ex_str(e, "group")));
            if (model[l] > 0)
                json_object_set_new(row, "measured_over_model", json_real(json_number_value(v) / model[l]));
        }
        json_object_set_new(out, keys[l], row);
    }
    return out;
}
