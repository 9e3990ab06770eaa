/* The verdict rules, over the documents of a results folder. */
#include "verdict.h"

#include "kernel.h"
#include "model.h"
#include "names.h"
#include "trust.h"
#include "variants.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_REPS = 64, MAX_FIT = 1024, MAX_CURVE = 64 };

/* One benchmark point, its median repetition, and what its repetitions say of its trust. */
struct point {
    const char *name, *label;
    char kernel[32], variant[32], mode[16];
    double n, workers, seconds, ticks, gbps, speedup, cv, overhead_us;
    int error;
    const char *error_message;
    /* each repetition's key value (the paired speedup, else its seconds) by pass, and the means
     * over its repetitions of what else ran */
    double values[2][MAX_REPS];
    size_t nvalues[2];
    int paired;
    double interference, steal, spread;
    int stable;
    json_t *reasons; /* why it is unstable: strings, by check */
    double predicted, model_error; /* the model's ns per element-tick, and measured / predicted - 1 */
    double predicted_speedup;      /* the model's serial time at N over its time for this point */
};

struct ctx {
    struct point *pts;
    size_t count;
    json_t *probe, *plan, *profile, *missing;
    /* the DRAM share beyond the L3 target, measured by the memory-bound kernel's serial runs:
     * footprint over the L3 one worker uses, share; and the points it came from */
    double curve_x[MAX_CURVE], curve_share[MAX_CURVE];
    size_t curve_n;
    json_t *curve;
    double overlap[3]; /* the overlaps fitted so far (NAN: none yet, taken as 1) */
};

static double num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static int parse_name(const char *name, struct point *p)
{
    struct ceil_point_name pn;
    if (ceil_point_name_parse(name, &pn) != 0)
        return -1;
    snprintf(p->kernel, sizeof p->kernel, "%s", pn.kernel);
    snprintf(p->variant, sizeof p->variant, "%s", pn.series);
    snprintf(p->mode, sizeof p->mode, "%s", pn.mode);
    p->n = (double)pn.n;
    p->workers = pn.workers;
    return 0;
}

static int is_reference(const char *variant) { return strcmp(variant, ceil_variant_reference()->name) == 0; }

static struct point *find(struct ctx *c, const char *kernel, const char *variant, const char *mode, double n,
                          double workers)
{
    for (size_t i = 0; i < c->count; i++) {
        struct point *p = &c->pts[i];
        if (p->n == n && p->workers == workers && !strcmp(p->kernel, kernel) && !strcmp(p->variant, variant) &&
            !strcmp(p->mode, mode))
            return p;
    }
    return NULL;
}

/* Each benchmark's median (its only run with one repetition), and its cv. */
static int load_points(struct ctx *c, json_t *bench)
{
    json_t *runs = json_object_get(bench, "benchmarks"), *r;
    size_t i;
    c->pts = calloc(json_array_size(runs) + 1, sizeof *c->pts);
    if (!c->pts)
        return -1;
    json_array_foreach(runs, i, r) {
        const char *agg = str(r, "aggregate_name");
        int single = num(r, "repetitions") <= 1 || !json_is_number(json_object_get(r, "repetitions"));
        int take = strcmp(str(r, "run_type"), "aggregate") == 0 ? strcmp(agg, "median") == 0 : single;
        struct point p = { 0 };
        if (parse_name(str(r, "run_name"), &p) != 0)
            continue;
        if (!take && strcmp(agg, "cv") != 0 && !json_is_true(json_object_get(r, "error_occurred")))
            continue;
        struct point *have = find(c, p.kernel, p.variant, p.mode, p.n, p.workers);
        if (strcmp(agg, "cv") == 0) {
            if (have)
                have->cv = num(r, "real_time");
            else {
                p.cv = num(r, "real_time");
                p.seconds = NAN;
                p.name = str(r, "run_name");
                c->pts[c->count++] = p;
            }
            continue;
        }
        struct point *dst = have ? have : &c->pts[c->count++];
        double cv = have ? have->cv : 0;
        *dst = p;
        dst->cv = cv;
        dst->name = str(r, "run_name");
        dst->label = str(r, "label");
        dst->error = json_is_true(json_object_get(r, "error_occurred"));
        dst->error_message = str(r, "error_message");
        dst->ticks = num(r, "ticks");
        /* a repetition's seconds, from its rate: real_time is a repetition's time in older folders
         * and one tick's since, while ns per element-tick means the same in both */
        dst->seconds = isfinite(num(r, "ns_per_elem_tick")) ? num(r, "ns_per_elem_tick") * dst->n * dst->ticks * 1e-9
                                                             : num(r, "real_time") * 1e-6;
        dst->gbps = num(r, "gbps");
        dst->speedup = num(r, "speedup");
        dst->overhead_us = num(r, "overhead_us");
    }
    return 0;
}

/* Every repetition of every point: its key value by pass, and the means of interference and steal. */
static void load_repetitions(struct ctx *c, json_t *bench)
{
    json_t *runs = json_object_get(bench, "benchmarks"), *r;
    size_t i;
    double *sum_i = calloc(c->count + 1, sizeof *sum_i), *sum_s = calloc(c->count + 1, sizeof *sum_s);
    size_t *n_i = calloc(c->count + 1, sizeof *n_i), *n_s = calloc(c->count + 1, sizeof *n_s);
    json_array_foreach(runs, i, r) {
        struct point q = { 0 }, *p;
        if (strcmp(str(r, "run_type"), "iteration") != 0 || json_is_true(json_object_get(r, "error_occurred")) ||
            parse_name(str(r, "run_name"), &q) != 0 || !(p = find(c, q.kernel, q.variant, q.mode, q.n, q.workers)) ||
            !sum_i)
            continue;
        size_t k = (size_t)(p - c->pts);
        int pass = num(r, "pass") == 2 ? 1 : 0;
        p->paired |= json_is_number(json_object_get(r, "pair_order"));
        double ticks = isfinite(num(r, "ticks")) ? num(r, "ticks") : 1;
        double secs = isfinite(num(r, "ns_per_elem_tick")) ? num(r, "ns_per_elem_tick") * q.n * ticks * 1e-9
                                                           : num(r, "real_time") * 1e-6;
        double v = json_is_number(json_object_get(r, "pair_order")) ? num(r, "speedup") : secs;
        if (isfinite(v) && p->nvalues[pass] < MAX_REPS)
            p->values[pass][p->nvalues[pass]++] = v;
        if (isfinite(num(r, "interference")))
            sum_i[k] += num(r, "interference"), n_i[k]++;
        if (isfinite(num(r, "steal")))
            sum_s[k] += num(r, "steal"), n_s[k]++;
    }
    for (size_t k = 0; sum_i && k < c->count; k++) {
        struct point *p = &c->pts[k];
        p->interference = n_i[k] ? sum_i[k] / (double)n_i[k] : NAN;
        p->steal = n_s[k] ? sum_s[k] / (double)n_s[k] : NAN;
        double all[2 * MAX_REPS];
        memcpy(all, p->values[0], p->nvalues[0] * sizeof *all);
        memcpy(all + p->nvalues[0], p->values[1], p->nvalues[1] * sizeof *all);
        p->spread = ceil_median_spread(all, p->nvalues[0] + p->nvalues[1]);
    }
    free(sum_i);
    free(sum_s);
    free(n_i);
    free(n_s);
}

/* The probe's test with the kernel's access pattern: daxpy (two streams read, one written,
 * as motion and trig) or, for a kernel whose only dense stream is read, load. */
static const char *probe_kind(const char *kernel)
{
    const struct ceil_kernel *k = ceil_kernel_find(kernel);
    if (!k)
        return "daxpy";
    for (unsigned a = 0; a < k->n_arrays; a++)
        if ((k->arrays[a].access & CEIL_WRITE) && !(k->arrays[a].access & CEIL_EMIT))
            return "daxpy";
    return "load";
}

/* The ceiling for `kind` at n and workers: the probe's figure at that size, or the nearest
 * size probed at the same worker count and level (*approx then says so). */
static double bandwidth_ceiling(struct ctx *c, const char *kind, double n, double workers, const char *level,
                                int *approx, const char **source)
{
    json_t *b;
    size_t i;
    double best = NAN, dist = INFINITY;
    *approx = 0;
    json_array_foreach(json_object_get(c->probe, "bandwidth"), i, b) {
        if (strcmp(str(b, "kind"), kind) != 0 || num(b, "workers") != workers)
            continue;
        double d = fabs(log(num(b, "n") / n));
        if (d == 0) {
            *source = str(b, "source");
            return num(b, "gbps");
        }
        if (d < dist && (strcmp(str(b, "level"), level) == 0 || strcmp(level, "unknown") == 0))
            dist = d, best = num(b, "gbps"), *source = str(b, "source");
    }
    *approx = isfinite(best);
    return best;
}

static double compute_scaling(struct ctx *c, double workers)
{
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(c->probe, "compute"), i, e) if (num(e, "workers") == workers) return num(e, "scaling");
    return NAN;
}

/* Bytes per element-tick of a kernel by name, from the kernel table. */
static double ceil_kernel_bytes_of(const char *name)
{
    const struct ceil_kernel *k = ceil_kernel_find(name);
    return k ? ceil_kernel_bytes(k) : NAN;
}

static const char *level_of(struct ctx *c, double n, double workers)
{
    json_t *s, *l;
    size_t i, j;
    json_array_foreach(json_object_get(c->plan, "sizes"), i, s) {
        if (num(s, "n") != n)
            continue;
        json_array_foreach(json_object_get(s, "levels"), j, l) if (num(l, "workers") == workers) return str(l, "level");
    }
    /* a size the plan did not list (the book's N = 1e7): the plan's rule (ceil_plan_level) on
     * the plan's caches for that count */
    double fp = num(c->plan, "footprint_bytes_per_elem") * n, llc = num(c->plan, "llc_bytes"), l2 = NAN, l3 = NAN;
    json_array_foreach(json_object_get(c->plan, "workers"), i, s) if (num(s, "count") == workers)
    {
        l2 = num(s, "l2_bytes");
        l3 = num(s, "l3_bytes");
    }
    if (!isfinite(fp) || !isfinite(l2))
        return "unknown";
    return fp <= l2 ? "L2" : fp <= l3 ? "L3" : fp >= 4 * llc ? "DRAM" : "between";
}

static double target_n(struct ctx *c, const char *level);
static double l2_target(struct ctx *c) { return target_n(c, "L2"); }

/* The dispatch points' per-tick overhead for this variant and worker count (any size). */
static double per_tick_overhead_us(struct ctx *c, const char *variant, double workers)
{
    for (size_t i = 0; i < c->count; i++) {
        struct point *d = &c->pts[i];
        if (!strcmp(d->variant, variant) && !strcmp(d->mode, "dispatch") && d->workers == workers && !d->error)
            return fmax(0, d->overhead_us);
    }
    return NAN;
}

/* A kernel's own compute rate on one worker (elements per second at the L2 target, where
 * memory is closest), or NAN when that run already sits at the bandwidth ceiling: then the
 * kernel has no compute ceiling apart from bandwidth. */
static double compute_rate1(struct ctx *c, const char *kernel, json_t *notes)
{
    double n = l2_target(c);
    struct point *s = isfinite(n) ? find(c, kernel, ceil_variant_reference()->name, "batched", n, 1) : NULL;
    if (!s || s->error || !isfinite(s->seconds))
        return NAN;
    int approx;
    const char *source = "";
    double bw = bandwidth_ceiling(c, probe_kind(kernel), n, 1, "L2", &approx, &source);
    double frac = s->gbps / bw, rate = s->n * s->ticks / s->seconds;
    char text[256];
    if (isfinite(frac) && frac >= CEIL_SERIAL_BW) {
        snprintf(text, sizeof text,
                 "%s: serial at the L2 target reaches %.0f%% of the bandwidth ceiling: no compute ceiling of its own",
                 kernel, 100 * frac);
        json_array_append_new(notes, json_string(text));
        return NAN;
    }
    snprintf(text, sizeof text,
             "%s: compute ceiling = its serial rate at the L2 target (%.3g elements/s, %.0f%% of bandwidth) "
             "x the probe's compute scaling",
             kernel, rate, 100 * frac);
    json_array_append_new(notes, json_string(text));
    return rate;
}

static double data_ns_shares(struct ctx *c, const struct point *p, double share[3]);

/* The model's bytes per element-tick through each level beside what the counters measured, over
 * every group profiled at p: "memory" (DRAM) is the table's bytes times the footprint's DRAM
 * share, "L3" (between L2 and L3) times its L3 and DRAM shares, "L2" (between L1 and L2) all of
 * them. A level no group measured has no "measured". */
static json_t *counters_by_level(struct ctx *c, const struct point *p)
{
    double share[3], b = ceil_kernel_bytes_of(p->kernel);
    data_ns_shares(c, p, share);
    const char *keys[] = { "memory", "L3", "L2" };
    double model[] = { b * share[2], b * (share[1] + share[2]), b };
    json_t *out = json_object(), *e;
    size_t i;
    for (int l = 0; l < 3; l++) {
        json_t *row = json_pack("{s:f}", "model", model[l]);
        json_array_foreach(json_object_get(c->profile, "profiles"), i, e) {
            json_t *v = json_object_get(json_object_get(e, "bytes_per_elem"), keys[l]);
            if (strcmp(str(e, "point"), p->name) || !json_is_number(v) || json_object_get(row, "measured"))
                continue;
            json_object_set_new(row, "measured", json_real(json_number_value(v)));
            json_object_set_new(row, "group", json_string(str(e, "group")));
            if (model[l] > 0)
                json_object_set_new(row, "measured_over_model", json_real(json_number_value(v) / model[l]));
        }
        json_object_set_new(out, keys[l], row);
    }
    return out;
}

static json_t *profile_of(struct ctx *c, const char *name)
{
    json_t *p;
    size_t i;
    json_array_foreach(json_object_get(c->profile, "profiles"), i, p) if (strcmp(str(p, "point"), name) == 0) return p;
    return NULL;
}

/* The trust checks. ------------------------------------------------------------------ */

static void unstable(struct point *p, const char *check, const char *fmt, double a, double b, double x, double y)
{
    char text[256];
    snprintf(text, sizeof text, fmt, a, b, x, y);
    if (!p->reasons)
        p->reasons = json_array();
    json_array_append_new(p->reasons, json_pack("{s:s, s:s}", "check", check, "why", text));
    p->stable = 0;
}

static int level_rank(const char *level)
{
    static const char *const order[] = { "L2", "L3", "between", "DRAM" };
    for (int i = 0; i < 4; i++)
        if (strcmp(level, order[i]) == 0)
            return i;
    return -1;
}

/* Runs our compiled loop (not the book's numpy): held to the one-worker identity. */
static int runs_our_loop(const char *series)
{
    const struct ceil_variant *v = ceil_variant_find(series);
    return v && v->launcher != CEIL_PYTHON;
}

/* The 1-worker batched point of `kernel` run by `variant` at the measured size nearest (log) to
 * n, among sizes up to max_n; or NULL. */
static struct point *one_worker_near(struct ctx *c, const char *kernel, const char *variant, double n, double max_n)
{
    struct point *best = NULL;
    for (size_t i = 0; i < c->count; i++) {
        struct point *q = &c->pts[i];
        if (strcmp(q->variant, variant) || q->workers != 1 || strcmp(q->kernel, kernel) || strcmp(q->mode, "batched") || q->error ||
            !isfinite(q->gbps) || !isfinite(q->seconds) || q->n > max_n)
            continue;
        if (!best || fabs(log(q->n / n)) < fabs(log(best->n / n)))
            best = q;
    }
    return best;
}

static struct point *serial_near(struct ctx *c, const char *kernel, double n, double max_n)
{
    return one_worker_near(c, kernel, ceil_variant_reference()->name, n, max_n);
}

/* The identities: a team of one worker is serial; a slower level is not faster; a speedup is
 * not above what more workers and more cache explain; two passes agree. */
static void check_physics(struct ctx *c, struct point *p)
{
    int batched = strcmp(p->mode, "batched") == 0;
    if (batched && p->workers == 1 && !is_reference(p->variant) && runs_our_loop(p->variant) &&
        isfinite(p->speedup) && fabs(p->speedup - 1) > CEIL_ONE_WORKER)
        unstable(p, "one_worker", "1-worker team %.2fx serial", p->speedup, 0, 0, 0);
    /* our loop only: the book's numpy pays the interpreter per tick, which larger N amortise */
    int rank = runs_our_loop(p->variant) ? level_rank(level_of(c, p->n, p->workers)) : -1;
    double best = NAN, best_n = NAN;
    for (size_t i = 0; batched && rank > 0 && i < c->count; i++) {
        struct point *q = &c->pts[i];
        int r = level_rank(level_of(c, q->n, q->workers));
        if (r >= 0 && r < rank && q->workers == p->workers && !strcmp(q->kernel, p->kernel) &&
            !strcmp(q->variant, p->variant) && !strcmp(q->mode, p->mode) && !q->error && !(q->gbps <= best))
            best = q->gbps, best_n = q->n;
    }
    if (isfinite(best) && p->gbps > (1 + CEIL_LEVEL) * best)
        unstable(p, "level", "%.1f GB/s beats the best at a faster level (%.1f GB/s at n=%.0f) by %.0f%%", p->gbps, best,
                 best_n, 100 * (p->gbps / best - 1));
    struct point *whole = serial_near(c, p->kernel, p->n, INFINITY);
    struct point *part = serial_near(c, p->kernel, p->n / p->workers, INFINITY);
    if (p->workers >= 2 && !is_reference(p->variant) && whole && whole->n == p->n && part && isfinite(p->speedup)) {
        double caches = fmax(1, part->gbps / whole->gbps), most = p->workers * caches * (1 + CEIL_SUPERLINEAR);
        if (p->speedup > most)
            unstable(p, "superlinear", "%.2fx on %.0f workers is above workers x the caches' gain (%.2f, serial at n=%.0f)",
                     p->speedup, p->workers, caches, part->n);
    }
    if (p->nvalues[0] >= 2 && p->nvalues[1] >= 2) {
        double m1 = ceil_median(p->values[0], p->nvalues[0]), m2 = ceil_median(p->values[1], p->nvalues[1]);
        double s1 = ceil_median_spread(p->values[0], p->nvalues[0]), s2 = ceil_median_spread(p->values[1], p->nvalues[1]);
        if (fabs(m2 / m1 - 1) > s1 + s2)
            unstable(p, "passes", "the second pass differs by %.0f%%, more than the two intervals (%.0f%% + %.0f%%)",
                     100 * (m2 / m1 - 1), 100 * s1, 100 * s2, 0);
    }
}

/* The noise: what else ran, and the interval of the median. */
static void check_noise(struct point *p)
{
    double busy = (isfinite(p->interference) ? p->interference : 0) + (isfinite(p->steal) ? p->steal : 0);
    if (busy > CEIL_BUSY)
        unstable(p, "interference", "others took %.0f%% of a CPU and the hypervisor %.0f%% while it ran",
                 100 * (isfinite(p->interference) ? p->interference : 0), 100 * (isfinite(p->steal) ? p->steal : 0), 0, 0);
    if (isfinite(p->spread) && p->spread > CEIL_SPREAD)
        unstable(p, "spread", "its median's 95%% interval is +-%.0f%%", 100 * p->spread, 0, 0, 0);
}

/* The model (model.h). ------------------------------------------------------------------ */

/* A point's measured ns per element-tick. */
static double measured_ns(const struct point *p) { return p->seconds / (p->n * p->ticks) * 1e9; }

static int level_index(const char *level)
{
    for (int l = 0; l < CEIL_LEVEL_COUNT; l++)
        if (strcmp(level, ceil_model_level_names[l]) == 0)
            return l;
    return -1; /* "between" or unknown */
}

/* The plan's caches for `workers` workers: the L2 and L3 bytes they use. */
static void caches_of(struct ctx *c, double workers, double *l2, double *l3)
{
    json_t *w;
    size_t i;
    *l2 = *l3 = NAN;
    json_array_foreach(json_object_get(c->plan, "workers"), i, w) if (num(w, "count") == workers)
    {
        *l2 = num(w, "l2_bytes");
        *l3 = num(w, "l3_bytes");
    }
}

static double target_n(struct ctx *c, const char *level)
{
    json_t *s;
    size_t i;
    json_array_foreach(json_object_get(c->plan, "sizes"), i, s) if (strcmp(str(s, "target"), level) == 0) return num(s, "n");
    return NAN;
}

/* The kernel whose serial runs measure where data comes from: the table's first memory-bound
 * subject that updates its arrays in place (motion). */
static const struct ceil_kernel *memory_kernel(void)
{
    for (unsigned k = 0; k < ceil_kernel_count; k++)
        if (!ceil_kernels[k].baseline && !strcmp(ceil_kernels[k].bound, "memory") && !ceil_kernels[k].merge)
            return &ceil_kernels[k];
    return NULL;
}

/* The DRAM share of a footprint past the L3 target, as the memory-bound kernel's serial runs
 * measure it: at each planned size from the L3 target to the DRAM target, how far its time has
 * gone from its L3 plateau (0) to its DRAM one (1), never less at a larger footprint. The cache
 * a hardware reports is not what a streaming loop keeps: on the Sapphire Rapids VM, whose L3
 * reads 260 MiB, motion runs at its DRAM time from 150 MB. */
static void dram_curve(struct ctx *c)
{
    const struct ceil_kernel *k = memory_kernel();
    const char *ref = ceil_variant_reference()->name;
    double n3 = target_n(c, "L3"), nd = target_n(c, "DRAM"), l2, l3;
    caches_of(c, 1, &l2, &l3);
    c->curve = json_array();
    c->curve_n = 0;
    const struct point *a = k && isfinite(n3) ? find(c, k->name, ref, "batched", n3, 1) : NULL;
    const struct point *b = k && isfinite(nd) ? find(c, k->name, ref, "batched", nd, 1) : NULL;
    if (!a || !b || a->error || b->error || !(l3 > 0) || !(measured_ns(b) > measured_ns(a)))
        return;
    double most = 0;
    json_t *s;
    size_t i;
    json_array_foreach(json_object_get(c->plan, "sizes"), i, s) {
        const struct point *q = find(c, k->name, ref, "batched", num(s, "n"), 1);
        if (!q || q->error || q->n < n3 || q->n > nd || c->curve_n == MAX_CURVE)
            continue;
        double d = (measured_ns(q) - measured_ns(a)) / (measured_ns(b) - measured_ns(a));
        most = q == b ? 1 : fmax(most, fmin(1, fmax(0, d)));
        c->curve_x[c->curve_n] = q->n * ceil_kernel_footprint(k) / l3;
        c->curve_share[c->curve_n++] = most;
        json_array_append_new(c->curve, json_pack("{s:f, s:f, s:f, s:s}", "n", q->n, "footprint_over_l3",
                                                  c->curve_x[c->curve_n - 1], "dram_share", most, "from", q->name));
    }
}

/* The data time of our loop at p's size and count: bytes per element-tick over the probe's
 * bandwidth there, and the footprint's share in each level. Past the L3 target, the measured
 * curve splits it between the probe's L3 and DRAM targets. */
static const struct point *core_point(struct ctx *c, const struct point *p);
static double overlap_of(const double share[CEIL_LEVEL_COUNT], const double overlap[CEIL_LEVEL_COUNT]);

static double data_ns_shares(struct ctx *c, const struct point *p, double share[CEIL_LEVEL_COUNT])
{
    int approx;
    const char *source = "", *kind = probe_kind(p->kernel);
    const struct ceil_kernel *k = ceil_kernel_find(p->kernel), *mk = memory_kernel();
    double l2, l3, fp = k ? p->n * ceil_kernel_footprint(k) : NAN;
    caches_of(c, p->workers, &l2, &l3);
    if (c->curve_n >= 2 && l3 > 0 && fp / l3 > c->curve_x[0]) {
        double d = ceil_model_curve(fp / l3, c->curve_x, c->curve_share, c->curve_n);
        share[CEIL_LEVEL_L2] = 0;
        share[CEIL_LEVEL_L3] = 1 - d;
        share[CEIL_LEVEL_DRAM] = d;
    } else
        ceil_model_shares(fp, l2, l3, share);
    double bw = bandwidth_ceiling(c, kind, p->n, p->workers, level_of(c, p->n, p->workers), &approx, &source);
    double bw1 = bandwidth_ceiling(c, kind, p->n, 1, level_of(c, p->n, 1), &approx, &source);
    /* one worker's bandwidth at this footprint as the sweep measured it, not the probe minutes
     * before: the memory-bound kernel's serial run there, less its in-core part not overlapped
     * (the overlaps as fitted so far); the probe says how it scales with workers */
    const struct point *m = mk ? serial_near(c, mk->name, fp / ceil_kernel_footprint(mk), INFINITY) : NULL;
    const struct point *mc = m ? core_point(c, m) : NULL;
    if (m && mc && fabs(log(m->n * ceil_kernel_footprint(mk) / fp)) < log(1.25) && bw1 > 0 && bw > 0) {
        /* its data time dominates: T = Td + (1 - overlap) Tc */
        double a = fmin(1, fmax(0, overlap_of(share, c->overlap)));
        double td = measured_ns(m) - (1 - a) * measured_ns(mc);
        if (td > 0)
            return ceil_kernel_bytes_of(p->kernel) / ceil_kernel_bytes(mk) * td * bw1 / bw;
    }
    return ceil_kernel_bytes_of(p->kernel) / bw;
}

static double data_ns(struct ctx *c, const struct point *p)
{
    double share[CEIL_LEVEL_COUNT];
    return data_ns_shares(c, p, share);
}

/* The in-core time per element-tick on one worker: the reference's at the planned size nearest
 * the footprint each worker has (N/W), up to the L2 target: the innermost cache the plan measures
 * that holds a worker's part, beyond which the data time takes over. A variant that runs another
 * loop (numpy) the same way from its own 1-worker batched points. */
static const struct point *core_point(struct ctx *c, const struct point *p)
{
    double l2 = l2_target(c);
    return one_worker_near(c, p->kernel, runs_our_loop(p->variant) ? ceil_variant_reference()->name : p->variant,
                           fmin(p->n / p->workers, isfinite(l2) ? l2 : p->n), isfinite(l2) ? l2 : INFINITY);
}

/* Fits the overlap of each level on the reference's points at one worker (all but the one that
 * gives the in-core time), as the median of what each implies. */
static json_t *fit_overlaps(struct ctx *c, double overlap[CEIL_LEVEL_COUNT])
{
    json_t *out = json_object();
    for (int l = 0; l < CEIL_LEVEL_COUNT; l++) {
        double v[MAX_FIT];
        size_t n = 0;
        json_t *from = json_array();
        for (size_t i = 0; i < c->count && n < MAX_FIT; i++) {
            struct point *p = &c->pts[i];
            const struct point *core = core_point(c, p);
            if (!is_reference(p->variant) || strcmp(p->mode, "batched") || p->error || !p->stable || !core ||
                ceil_kernel_find(p->kernel) == memory_kernel() ||
                core == p || level_index(level_of(c, p->n, 1)) != l)
                continue;
            double a = ceil_model_overlap(measured_ns(p), measured_ns(core), data_ns(c, p));
            if (isfinite(a)) {
                v[n++] = a;
                json_array_append_new(from, json_string(p->name));
            }
        }
        overlap[l] = n ? ceil_median(v, n) : NAN;
        json_object_set_new(out, ceil_model_level_names[l],
                            json_pack("{s:o, s:o}", "overlap", n ? json_real(overlap[l]) : json_null(), "from", from));
    }
    return out;
}

/* How the in-core time scales with workers. A kernel whose serial run at the L2 target already
 * reaches CEIL_SERIAL_BW of the probe's bandwidth there spends its "in-core" time moving data
 * between L1 and L2, which scales as the probe's L2 bandwidth does (private L2s: more than the
 * cores); any other, as the probe's compute (peakflops) scaling. */
static double core_scaling(struct ctx *c, const struct point *p)
{
    if (p->workers == 1)
        return 1;
    double n = l2_target(c);
    const struct point *s = isfinite(n) ? find(c, p->kernel, ceil_variant_reference()->name, "batched", n, 1) : NULL;
    int approx;
    const char *source = "";
    double bw1 = isfinite(n) ? bandwidth_ceiling(c, probe_kind(p->kernel), n, 1, "L2", &approx, &source) : NAN;
    if (s && !s->error && runs_our_loop(p->variant) && s->gbps / bw1 >= CEIL_SERIAL_BW)
        return bandwidth_ceiling(c, probe_kind(p->kernel), n, p->workers, "L2", &approx, &source) / bw1;
    return compute_scaling(c, p->workers);
}

static double overlap_of(const double share[CEIL_LEVEL_COUNT], const double overlap[CEIL_LEVEL_COUNT])
{
    double a = 0;
    for (int l = 0; l < CEIL_LEVEL_COUNT; l++)
        a += share[l] * (isfinite(overlap[l]) ? overlap[l] : 1);
    return a;
}

/* numpy's data time: not the kernel table's bytes (its temporaries add traffic), but what its own
 * 1-worker run at N spends beyond its in-core time, scaled to W workers as our loop's data time
 * at that size scales. *factor: that data time over our loop's, numpy's traffic in table units. */
static double numpy_data_ns(struct ctx *c, const struct point *p, const double overlap[CEIL_LEVEL_COUNT],
                            double share[CEIL_LEVEL_COUNT], double *factor)
{
    struct point one = *p;
    one.workers = 1;
    double share1[CEIL_LEVEL_COUNT];
    const struct point *own = find(c, p->kernel, p->variant, "batched", p->n, 1), *core = core_point(c, &one);
    double d1 = data_ns_shares(c, &one, share1), dw = data_ns_shares(c, p, share);
    if (!own || own->error || !core || core->error)
        return NAN;
    double td1 = ceil_model_data_of(measured_ns(own), measured_ns(core), overlap_of(share1, overlap));
    *factor = td1 / d1;
    return td1 * dw / d1;
}

/* The model's prediction for p, or 0 when an input is missing. */
static int predict(struct ctx *c, const struct point *p, const double overlap[CEIL_LEVEL_COUNT],
                   struct ceil_model_out *out)
{
    const struct point *core = core_point(c, p);
    double scaling = core_scaling(c, p), factor;
    const struct ceil_kernel *k = ceil_kernel_find(p->kernel);
    if (!core || core->error || !k || !isfinite(scaling))
        return 0;
    struct ceil_model_in in = { .core_ns = measured_ns(core), .scaling = scaling };
    in.data_ns = runs_our_loop(p->variant) ? data_ns_shares(c, p, in.share) : numpy_data_ns(c, p, overlap, in.share, &factor);
    in.overlap = overlap_of(in.share, overlap);
    if (!strcmp(p->mode, "pertick") && !is_reference(p->variant))
        in.dispatch_ns = per_tick_overhead_us(c, p->variant, p->workers) * 1e3 / p->n;
    if (!isfinite(in.data_ns) || !isfinite(in.dispatch_ns))
        return 0;
    ceil_model_predict(&in, out);
    return isfinite(out->ns) && out->ns > 0;
}

/* Whether p's in-core time is cache traffic: our loop of a kernel whose in-core time scales as
 * the probe's L2 bandwidth (core_scaling). */
static int core_is_traffic(struct ctx *c, const struct point *p)
{
    double n = l2_target(c);
    const struct point *s = isfinite(n) ? find(c, p->kernel, ceil_variant_reference()->name, "batched", n, 1) : NULL;
    int approx;
    const char *source = "";
    double bw1 = isfinite(n) ? bandwidth_ceiling(c, probe_kind(p->kernel), n, 1, "L2", &approx, &source) : NAN;
    return s && !s->error && runs_our_loop(p->variant) && s->gbps / bw1 >= CEIL_SERIAL_BW;
}

enum { TERM_CORE, TERM_L2, TERM_L3, TERM_DRAM, TERM_DISPATCH, TERMS };

/* The term with the largest share of the predicted time. */
static int dominant_term(const struct ceil_model_out *m)
{
    double share[TERMS] = { m->core, m->level[0], m->level[1], m->level[2], m->dispatch };
    int best = 0;
    for (int t = 1; t < TERMS; t++)
        if (share[t] > share[best])
            best = t;
    return best;
}

/* "DRAM data 81%, in-core 19%; model -3%": the terms by share, largest first. */
static void model_text(const struct ceil_model_out *m, double error, int traffic, char *out, size_t len)
{
    const char *names[] = { traffic ? "in-core (L1-L2 traffic)" : "in-core", "L2 data", "L3 data", "DRAM data", "dispatch" };
    double share[] = { m->core, m->level[0], m->level[1], m->level[2], m->dispatch };
    int used = 0, done[5] = { 0 };
    for (int k = 0; k < 5; k++) {
        int best = -1;
        for (int j = 0; j < 5; j++)
            if (!done[j] && (best < 0 || share[j] > share[best]))
                best = j;
        done[best] = 1;
        if (share[best] >= 0.01)
            used += snprintf(out + used, len - (size_t)used, "%s%s %.0f%%", used ? ", " : "", names[best], 100 * share[best]);
    }
    snprintf(out + used, len - (size_t)used, "; model %+.0f%%", 100 * error);
}

/* The model's fields of p; returns 0 when the model cannot predict it (*m then unset). */
static int add_model(json_t *o, struct ctx *c, struct point *p, const double overlap[CEIL_LEVEL_COUNT],
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
     * on these VMs, then cancels, as it does in the measured speedup. */
    const struct point *serial = is_reference(p->variant) ? NULL : find(c, p->kernel, ceil_variant_reference()->name, "batched", p->n, 1);
    if (serial && !serial->error && isfinite(serial->seconds) && predict(c, serial, overlap, &ms)) {
        p->predicted_speedup = ms.ns / m.ns;
        json_object_set_new(o, "predicted_speedup", json_real(p->predicted_speedup));
        if (p->paired && isfinite(p->speedup) && p->speedup > 0)
            p->predicted = measured_ns(p) * p->speedup / p->predicted_speedup;
    }
    json_object_set_new(o, "prediction", json_string(p->predicted != m.ns ? "the model's speedup over the serial run paired with it"
                                                                          : "the model's time"));
    p->model_error = measured_ns(p) / p->predicted - 1;
    char text[160];
    model_text(&m, p->model_error, core_is_traffic(c, p), text, sizeof text);
    json_object_set_new(o, "predicted_ns_per_elem_tick", json_real(p->predicted));
    json_object_set_new(o, "model_error", json_real(p->model_error));
    json_object_set_new(o, "shares", json_pack("{s:f, s:f, s:f, s:f, s:f}", "in_core", m.core, "L2", m.level[0], "L3",
                                               m.level[1], "DRAM", m.level[2], "dispatch", m.dispatch));
    json_object_set_new(o, "model_verdict", json_string(text));
    return 1;
}

/* The verdict from the model: the term that dominates the predicted time names the bound;
 * "unexplained" only where the model misses by more than CEIL_MODEL_MISS, with the numbers. */
static const char *model_bound(struct ctx *c, const struct point *p, const struct ceil_model_out *m, const char *model_text_,
                               char *verdict, size_t len)
{
    if (fabs(p->model_error) > CEIL_MODEL_MISS) {
        snprintf(verdict, len,
                 "unexplained: the model misses by %+.0f%% (measured %.3g, predicted %.3g ns per element-tick; "
                 "predicted %s)", 100 * p->model_error, measured_ns(p), p->predicted, model_text_);
        char *cut = strstr(verdict, "; model ");
        if (cut)
            snprintf(cut, len - (size_t)(cut - verdict), ")");
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

/* The error over stable points held out of the fit (2+ workers): all, and by kernel and level. */
static json_t *validation(struct ctx *c)
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
        snprintf(key, sizeof key, "%s/%s", p->kernel, level_of(c, p->n, p->workers));
        json_t *g = json_object_get(groups, key);
        if (!g)
            json_object_set_new(groups, key, g = json_pack("{s:i, s:i, s:f}", "points", 0, "within", 0, "sum_abs", 0.0));
        json_object_set_new(g, "points", json_integer(json_integer_value(json_object_get(g, "points")) + 1));
        json_object_set_new(g, "within", json_integer(json_integer_value(json_object_get(g, "within")) + (fabs(p->model_error) <= CEIL_MODEL_MISS)));
        json_object_set_new(g, "sum_abs", json_real(num(g, "sum_abs") + fabs(p->model_error)));
    }
    const char *key;
    json_t *g;
    json_object_foreach(groups, key, g) {
        double pts = num(g, "points");
        json_object_set_new(g, "mean_abs_error", json_real(num(g, "sum_abs") / pts));
        json_object_set_new(g, "fraction_within", json_real(num(g, "within") / pts));
        json_object_del(g, "sum_abs");
    }
    out = json_pack("{s:I, s:o, s:o, s:f, s:o}", "points", (json_int_t)n, "median_abs_error",
                    n ? json_real(ceil_median(all, n)) : json_null(), "fraction_within",
                    n ? json_real((double)within / (double)n) : json_null(), "tolerance", CEIL_MODEL_MISS,
                    "by_kernel_level", groups);
    free(all);
    return out;
}

/* The probe checked against the sweep: a compute-bound kernel's stable batched teams cannot
 * scale beyond the probe's compute scaling by much; when their median does, the probe was
 * disturbed while it ran (seen here: 2-worker peakflops equal to 1-worker), and every
 * prediction at that count rests on it. Returns the warnings (an array, maybe empty). */
static json_t *probe_warnings(struct ctx *c)
{
    json_t *out = json_array(), *e;
    size_t i;
    json_array_foreach(json_object_get(c->probe, "compute"), i, e) {
        double w = num(e, "workers"), scaling = num(e, "scaling"), v[MAX_FIT];
        size_t n = 0;
        for (size_t j = 0; w >= 2 && j < c->count && n < MAX_FIT; j++) {
            const struct point *p = &c->pts[j];
            const struct ceil_kernel *k = ceil_kernel_find(p->kernel);
            if (p->workers == w && p->stable && !p->error && !strcmp(p->mode, "batched") && runs_our_loop(p->variant) &&
                !is_reference(p->variant) && k && !k->baseline && !strcmp(k->bound, "compute") && isfinite(p->speedup))
                v[n++] = p->speedup;
        }
        double m = n ? ceil_median(v, n) : NAN;
        if (isfinite(m) && m > CEIL_PROBE_SLACK * scaling) {
            char text[400];
            snprintf(text, sizeof text,
                     "the probe's compute scaling at %.0f workers (%.2f) is below what the compute-bound kernel "
                     "measured there (median speedup %.2f over %zu points): the probe was disturbed while it ran. "
                     "Run `ceilings probe` again: every prediction at %.0f workers rests on it",
                     w, scaling, m, n, w);
            json_array_append_new(out, json_string(text));
        }
    }
    return out;
}

/* Every fitted parameter, with the points it came from. */
static json_t *model_summary(struct ctx *c, json_t *overlaps, const double overlap[CEIL_LEVEL_COUNT])
{
    json_t *traffic = json_array();
    for (size_t i = 0; i < c->count; i++) { /* numpy's traffic, fitted on its own 1-worker points */
        const struct point *p = &c->pts[i];
        double share[CEIL_LEVEL_COUNT], factor = NAN;
        if (runs_our_loop(p->variant) || p->workers != 1 || strcmp(p->mode, "batched") || p->error ||
            !isfinite(p->seconds) || !isfinite(numpy_data_ns(c, p, overlap, share, &factor)) || !isfinite(factor))
            continue;
        json_array_append_new(traffic, json_pack("{s:s, s:s, s:f, s:f, s:s}", "kernel", p->kernel, "variant", p->variant,
                                                 "n", p->n, "traffic_over_table", factor, "from", p->name));
    }
    json_t *core = json_object();
    double l2 = l2_target(c);
    for (size_t i = 0; i < c->count; i++) { /* the in-core times the points can draw on */
        const struct point *p = &c->pts[i];
        if (!is_reference(p->variant) || strcmp(p->mode, "batched") || p->error || !isfinite(p->seconds) ||
            (isfinite(l2) && p->n > l2))
            continue;
        json_t *list = json_object_get(core, p->kernel);
        if (!list)
            json_object_set_new(core, p->kernel, list = json_array());
        json_array_append_new(list, json_pack("{s:f, s:f, s:s}", "n", p->n, "ns_per_elem_tick", measured_ns(p), "from", p->name));
    }
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:s}", "composition",
                     "T = max(Tc, Td) + (1 - overlap) min(Tc, Td) + dispatch per tick / N", "in_core", core, "overlap",
                     overlaps, "dram_share", json_incref(c->curve), "numpy_traffic", traffic, "in_core_rule",
                     "the reference's ns per element-tick at the planned size nearest N/W, at most the L2 target, over "
                     "the probe's compute scaling at W workers, or its L2 bandwidth scaling for a kernel whose serial "
                     "run at the L2 target reaches the serial-bandwidth threshold of it; numpy variants: their own "
                     "1-worker batched points the same way",
                     "data_rule",
                     "bytes per element-tick (kernel table) over the probe's bandwidth at that N and W (nearest size probed "
                     "at the same level); shared over L2, L3 and DRAM by what the workers' caches hold; past the L3 "
                     "target, split between the probe's L3 and DRAM targets by dram_share, the memory-bound kernel's "
                     "serial time between its L3 and DRAM plateaus at that footprint over the L3 the workers use; "
                     "numpy variants: their own 1-worker time at N beyond their in-core time (numpy_traffic), scaled "
                     "with workers as the table's data time",
                     "fit", "overlaps, dram_share and numpy_traffic from one-worker points only; every point at 2+ "
                     "workers is held out");
}

/* "stable", "spread", "interference", "steal" (null where a folder did not measure them), and
 * the reasons when unstable. */
static void add_trust(json_t *o, const struct point *p)
{
    json_object_set_new(o, "stable", json_boolean(p->stable));
    json_object_set_new(o, "spread", isfinite(p->spread) ? json_real(p->spread) : json_null());
    json_object_set_new(o, "interference", isfinite(p->interference) ? json_real(p->interference) : json_null());
    json_object_set_new(o, "steal", isfinite(p->steal) ? json_real(p->steal) : json_null());
    json_object_set_new(o, "paired", json_boolean(p->paired));
    json_object_set_new(o, "repetitions", json_integer((json_int_t)(p->nvalues[0] + p->nvalues[1])));
    if (p->nvalues[1])
        json_object_set_new(o, "second_pass_repetitions", json_integer((json_int_t)p->nvalues[1]));
    if (p->reasons)
        json_object_set_new(o, "unstable_reasons", json_incref(p->reasons));
}

static json_t *explain_point(struct ctx *c, struct point *p, double rate1, const double overlap[CEIL_LEVEL_COUNT])
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:f, s:f}", "point", p->name, "kernel", p->kernel, "variant",
                          p->variant, "mode", p->mode, "n", p->n, "workers", p->workers);
    if (p->error || !isfinite(p->seconds)) {
        json_object_set_new(o, "bound", json_string("failed"));
        json_object_set_new(o, "verdict", json_string("failed"));
        json_object_set_new(o, "why", json_string(p->error ? p->error_message : "no median"));
        p->stable = 0;
        add_trust(o, p);
        return o;
    }
    const char *level = level_of(c, p->n, p->workers), *source = "";
    int approx;
    double bw = bandwidth_ceiling(c, probe_kind(p->kernel), p->n, p->workers, level, &approx, &source);
    double bw_frac = p->gbps / bw;
    double scaling = compute_scaling(c, p->workers);
    double rate = p->n * p->ticks / p->seconds;
    double compute_frac = rate / (rate1 * scaling);
    double over = is_reference(p->variant) ? 0 : per_tick_overhead_us(c, p->variant, p->workers);
    double tick_us = p->seconds / p->ticks * 1e6;
    double share = !isfinite(over) ? NAN : strcmp(p->mode, "pertick") == 0 ? over / tick_us : over / (p->seconds * 1e6);
    share = fmin(share, 1);
    double busy = isfinite(share) ? 1 - share : 1; /* the tick's time outside dispatch */
    double bw_eff = bw_frac / busy, compute_eff = compute_frac / busy;

    const char *bound;
    char verdict[384], why[768];
    char compute_text[64], dispatch_text[64];
    if (isfinite(compute_frac))
        snprintf(compute_text, sizeof compute_text, "%.0f%% of the compute ceiling", 100 * compute_frac);
    else
        snprintf(compute_text, sizeof compute_text, "no compute ceiling of its own");
    if (is_reference(p->variant))
        snprintf(dispatch_text, sizeof dispatch_text, "no dispatch (%s)", p->variant);
    else if (isfinite(share))
        snprintf(dispatch_text, sizeof dispatch_text, "dispatch %.0f%% of the time", 100 * share);
    else
        snprintf(dispatch_text, sizeof dispatch_text, "dispatch unmeasured");
    int used = snprintf(why, sizeof why, "%.1f GB/s is %.0f%% of the bandwidth ceiling (%.1f GB/s%s); %s; %s",
                        p->gbps, 100 * bw_frac, bw, approx ? ", from the nearest size probed" : "", compute_text,
                        dispatch_text);
    if (isfinite(share) && share >= CEIL_DISPATCH_BOUND) {
        bound = "dispatch";
        snprintf(verdict, sizeof verdict, "dispatch-bound");
    } else if ((isfinite(bw_eff) && bw_eff >= CEIL_REACHED) || (isfinite(compute_eff) && compute_eff >= CEIL_REACHED)) {
        int by_bw = isfinite(bw_eff) && (!isfinite(compute_eff) || bw_eff >= compute_eff);
        bound = by_bw ? "bandwidth" : "compute";
        int n = by_bw ? snprintf(verdict, sizeof verdict, "bandwidth-bound (%s)", level)
                      : snprintf(verdict, sizeof verdict, "compute-bound");
        if (isfinite(share) && share >= 0.2) /* visible, though not what binds */
            snprintf(verdict + n, sizeof verdict - (size_t)n, " + dispatch %.0f%%", 100 * share);
        if (by_bw && bw_frac > 1.2)
            snprintf(why + used, sizeof why - (size_t)used,
                     ". The probe's figure is below the kernel's here: at this size its own overhead per "
                     "pass limits it, so the ceiling is a lower bound");
    } else {
        bound = "unexplained";
        snprintf(verdict, sizeof verdict, "unexplained");
        /* no single ceiling: is the time between max and sum of the compute and memory times? */
        double t = 1 / rate, tc = 1 / (rate1 * scaling), tm = ceil_kernel_bytes_of(p->kernel) / (bw * 1e9);
        if (isfinite(tc) && isfinite(tm) && t >= 0.95 * fmax(tc, tm) && t <= 1.05 * (tc + tm))
            snprintf(why + used, sizeof why - (size_t)used,
                     ". Neither ceiling alone: %.3f ns per element lies between the compute and memory times' "
                     "maximum (%.3f) and sum (%.3f): they overlap only in part (%.0f%%)",
                     t * 1e9, fmax(tc, tm) * 1e9, (tc + tm) * 1e9, 100 * (tc + tm - t) / fmin(tc, tm));
    }
    json_object_set_new(o, "level", json_string(level));
#define SET_NUM(key, v)                                                                                             \
    if (isfinite(v))                                                                                                \
        json_object_set_new(o, key, json_real(v));
    SET_NUM("gbps", p->gbps)
    SET_NUM("cv", p->cv)
    SET_NUM("bandwidth_ceiling_gbps", bw)
    SET_NUM("bandwidth_fraction", bw_frac)
    SET_NUM("speedup", p->speedup)
    SET_NUM("compute_scaling", scaling)
    SET_NUM("compute_fraction", compute_frac)
    SET_NUM("dispatch_us", over)
    SET_NUM("dispatch_share", share)
#undef SET_NUM
    add_trust(o, p);
    struct ceil_model_out m;
    if (add_model(o, c, p, overlap, &m)) { /* the model's verdict; the thresholds' stays beside it */
        json_object_set_new(o, "threshold_verdict", json_string(verdict));
        bound = model_bound(c, p, &m, str(o, "model_verdict"), verdict, sizeof verdict);
    }
    if (isfinite(bw)) {
        json_object_set_new(o, "bandwidth_source", json_string(source));
        json_object_set_new(o, "bandwidth_test", json_string(probe_kind(p->kernel)));
    }
    json_object_set_new(o, "bound", json_string(bound));
    if (!p->stable) {
        const char *first = str(json_array_get(p->reasons, 0), "why");
        size_t used_v = strlen(verdict);
        snprintf(verdict + used_v, sizeof verdict - used_v, ", unstable: %s", first);
    }
    json_object_set_new(o, "verdict", json_string(verdict));
    json_object_set_new(o, "why", json_string(why));
    json_t *counted = profile_of(c, p->name);
    if (counted) { /* only with counters: what the hardware saw */
        json_t *bytes = json_object_get(json_object_get(counted, "bytes_per_elem"), "memory");
        json_t *k = json_pack("{s:O?, s:f, s:O?, s:s}", "bytes_per_elem", bytes, "model_bytes_per_elem",
                              num(counted, "model_bytes_per_elem"), "intensity", json_object_get(counted, "intensity"),
                              "group", str(counted, "group"));
        if (runs_our_loop(p->variant))
            json_object_set_new(k, "by_level", counters_by_level(c, p));
        json_object_set_new(o, "counters", k);
    }
    return o;
}

/* The median and the maximum of a point field over the explained points, and how many are
 * above `above`; null where no point measured it. */
static json_t *field_summary(struct ctx *c, size_t offset, double above)
{
    double *v = calloc(c->count + 1, sizeof *v), max = 0;
    size_t n = 0, over = 0;
    for (size_t i = 0; v && i < c->count; i++) {
        struct point *p = &c->pts[i];
        double x = *(const double *)(const void *)((const char *)p + offset);
        if ((strcmp(p->mode, "batched") && strcmp(p->mode, "pertick")) || !isfinite(x))
            continue;
        v[n++] = x;
        max = fmax(max, x);
        over += x > above;
    }
    json_t *o = n ? json_pack("{s:f, s:f, s:I}", "median", ceil_median(v, n), "max", max, "points_above", (json_int_t)over)
                  : json_null();
    free(v);
    return o;
}

/* What else ran, minute by minute of the sweep, over every repetition that says when it ran. */
static json_t *timeline(json_t *bench)
{
    enum { MINUTES = 240 };
    double sum_i[MINUTES] = { 0 }, max_i[MINUTES] = { 0 }, sum_s[MINUTES] = { 0 };
    size_t reps[MINUTES] = { 0 }, i;
    json_t *r, *out = json_array();
    json_array_foreach(json_object_get(bench, "benchmarks"), i, r) {
        double at = num(r, "at_s"), x = num(r, "interference"), st = num(r, "steal");
        if (strcmp(str(r, "run_type"), "iteration") || !isfinite(at) || at < 0 || at / 60 >= MINUTES)
            continue;
        size_t m = (size_t)(at / 60);
        reps[m]++;
        sum_i[m] += isfinite(x) ? x : 0;
        max_i[m] = fmax(max_i[m], isfinite(x) ? x : 0);
        sum_s[m] += isfinite(st) ? st : 0;
    }
    for (size_t m = 0; m < MINUTES; m++)
        if (reps[m])
            json_array_append_new(out, json_pack("{s:I, s:I, s:f, s:f, s:f}", "minute", (json_int_t)m, "repetitions",
                                                 (json_int_t)reps[m], "interference_mean", sum_i[m] / (double)reps[m],
                                                 "interference_max", max_i[m], "steal_mean", sum_s[m] / (double)reps[m]));
    return out;
}

/* How far the whole folder can be trusted: the counts, what fired, what else ran and when. */
static json_t *trust_summary(struct ctx *c, json_t *bench)
{
    json_t *checks = json_object(), *list = json_array();
    size_t total = 0, stable = 0, remeasured = 0, paired = 0, measured = 0;
    for (size_t i = 0; i < c->count; i++) {
        struct point *p = &c->pts[i];
        if (strcmp(p->mode, "batched") && strcmp(p->mode, "pertick"))
            continue;
        total++;
        stable += p->stable;
        remeasured += p->nvalues[1] > 0;
        paired += p->paired;
        measured += isfinite(p->interference) || isfinite(p->steal);
        json_t *reason;
        size_t k;
        json_array_foreach(p->reasons, k, reason) {
            const char *check = str(reason, "check");
            json_object_set_new(checks, check, json_integer(json_integer_value(json_object_get(checks, check)) + 1));
        }
        if (!p->stable)
            json_array_append_new(list, json_string(p->name));
    }
    double share = total ? (double)(total - stable) / (double)total : 0;
    json_t *interference = field_summary(c, offsetof(struct point, interference), CEIL_BUSY);
    json_t *steal = field_summary(c, offsetof(struct point, steal), CEIL_BUSY);
    char advice[512];
    if (!measured)
        snprintf(advice, sizeof advice, "An older folder: no repetition recorded what else ran or was paired with "
                                        "serial. Run the sweep again with this version to know how far to trust it.");
    else if (share > 0.15)
        snprintf(advice, sizeof advice, "%.0f%% of the points are unstable: the machine was busy or drifting. Quiet it "
                                        "(close other programs; on a VM, another time or host) and run the sweep again.",
                 100 * share);
    else
        snprintf(advice, sizeof advice, "%.0f%% of the points are unstable and left out of the verdict counts; the rest "
                                        "hold within their intervals.", 100 * share);
    return json_pack("{s:I, s:I, s:I, s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:s}", "points", (json_int_t)total, "stable",
                     (json_int_t)stable, "unstable", (json_int_t)(total - stable), "checks", checks, "paired",
                     (json_int_t)paired, "remeasured", (json_int_t)remeasured, "interference", interference, "steal",
                     steal, "timeline", timeline(bench), "unstable_points", list, "advice", advice);
}

/* kernel, n, variant, mode, workers: the order a table is read in */
static int by_point(const void *a, const void *b)
{
    const struct point *x = a, *y = b;
    int d = strcmp(x->kernel, y->kernel);
    if (!d)
        d = (x->n > y->n) - (x->n < y->n);
    if (!d)
        d = strcmp(x->variant, y->variant);
    if (!d)
        d = strcmp(x->mode, y->mode);
    return d ? d : (x->workers > y->workers) - (x->workers < y->workers);
}

static int by_workers(const void *a, const void *b)
{
    double x = (*(struct point *const *)a)->workers, y = (*(struct point *const *)b)->workers;
    return (x > y) - (x < y);
}

/* The knee of each (kernel, n, variant, mode): the last worker count before adding workers
 * gives less than CEIL_KNEE of the ideal gain. */
static json_t *knees(struct ctx *c)
{
    json_t *out = json_array();
    struct point **row = calloc(c->count + 1, sizeof *row);
    for (size_t i = 0; row && i < c->count; i++) {
        struct point *p = &c->pts[i];
        if (strcmp(p->mode, "batched") && strcmp(p->mode, "pertick"))
            continue;
        if (is_reference(p->variant))
            continue;
        int first = 1; /* handle each group once, at its first member */
        for (size_t j = 0; j < i; j++)
            first &= !(c->pts[j].n == p->n && !strcmp(c->pts[j].kernel, p->kernel) &&
                       !strcmp(c->pts[j].variant, p->variant) && !strcmp(c->pts[j].mode, p->mode));
        if (!first)
            continue;
        size_t m = 0;
        for (size_t j = 0; j < c->count; j++)
            if (c->pts[j].n == p->n && !strcmp(c->pts[j].kernel, p->kernel) && !strcmp(c->pts[j].variant, p->variant) &&
                !strcmp(c->pts[j].mode, p->mode) && !c->pts[j].error && isfinite(c->pts[j].speedup))
                row[m++] = &c->pts[j];
        if (m < 2)
            continue;
        qsort(row, m, sizeof *row, by_workers);
        json_t *speedups = json_array();
        double knee = NAN, efficiency = NAN;
        for (size_t j = 0; j < m; j++) {
            json_array_append_new(speedups, json_pack("{s:f, s:f}", "workers", row[j]->workers, "speedup", row[j]->speedup));
            if (j + 1 < m && !isfinite(knee)) {
                double e = (row[j + 1]->speedup / row[j]->speedup - 1) / (row[j + 1]->workers / row[j]->workers - 1);
                if (e < CEIL_KNEE)
                    knee = row[j]->workers, efficiency = e;
            }
        }
        json_t *k = json_pack("{s:s, s:f, s:s, s:s, s:o}", "kernel", p->kernel, "n", p->n, "variant", p->variant,
                              "mode", p->mode, "speedups", speedups);
        json_object_set_new(k, "knee_workers", isfinite(knee) ? json_real(knee) : json_null());
        if (isfinite(efficiency))
            json_object_set_new(k, "marginal_efficiency", json_real(efficiency));
        /* the model's curve: its serial time over its time at each count, and its knee */
        json_t *predicted = json_array();
        double pknee = NAN, prev = NAN, prev_w = NAN;
        for (size_t j = 0; j < m && isfinite(row[j]->predicted_speedup); j++) {
            double sp = row[j]->predicted_speedup;
            json_array_append_new(predicted, json_pack("{s:f, s:f}", "workers", row[j]->workers, "speedup", sp));
            if (isfinite(prev) && !isfinite(pknee) && (sp / prev - 1) / (row[j]->workers / prev_w - 1) < CEIL_KNEE)
                pknee = prev_w;
            prev = sp, prev_w = row[j]->workers;
        }
        if (json_array_size(predicted) == m) {
            json_object_set_new(k, "predicted_speedups", predicted);
            json_object_set_new(k, "predicted_knee_workers", isfinite(pknee) ? json_real(pknee) : json_null());
        } else
            json_decref(predicted);
        json_array_append_new(out, k);
    }
    free(row);
    return out;
}

/* The variant and kernel tables the sweep wrote into its context, for the reports; a folder
 * from before the context held the variants gets this build's table, and says so. */
/* Whether any point of the folder ran variant `name` (on any barrier). */
static int measured(const struct ctx *c, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < c->count; i++)
        if (!strncmp(c->pts[i].variant, name, len) && (!c->pts[i].variant[len] || c->pts[i].variant[len] == '-'))
            return 1;
    return 0;
}

static json_t *facts(const struct ctx *c, json_t *bench)
{
    json_t *context = json_object_get(bench, "context");
    json_t *variants = json_loads(str(context, "variants"), 0, NULL);
    json_t *kernels = json_loads(str(context, "kernels"), 0, NULL);
    json_t *out = json_object();
    if (variants) {
        json_object_set_new(out, "variants_source", json_string("the sweep's context"));
    } else {
        variants = ceil_variants_json();
        json_t *rows = json_object_get(variants, "variants"), *v;
        for (size_t i = json_array_size(rows); i-- > 0;) /* only the variants this folder measured */
            if ((v = json_array_get(rows, i)) && !measured(c, str(v, "name")))
                json_array_remove(rows, i);
        json_object_set_new(out, "variants_source",
                            json_string("this build's variant table, the variants this folder measured: the sweep's "
                                        "context has none (an older folder)"));
    }
    json_object_update(out, variants);
    json_decref(variants);
    if (kernels)
        json_object_set_new(out, "kernels", kernels);
    return out;
}

json_t *ceil_explain(json_t *bench, json_t *probe, json_t *plan, json_t *profile, char err[CEIL_ERRLEN])
{
    struct ctx c = { .probe = probe, .plan = plan ? plan : json_object_get(probe, "plan"), .profile = profile };
    json_t *missing = json_array(), *notes = json_array();
    if (!probe)
        json_array_append_new(missing, json_string("probe.json: no bandwidth or compute ceilings measured "
                                                   "(ceilings probe): only dispatch can be judged"));
    if (!c.plan)
        json_array_append_new(missing, json_string("plan.json: cache levels unknown"));
    json_t *counters = json_object_get(profile, "counters");
    if (!profile)
        json_array_append_new(missing, json_string("profile.json: no counter profile (ceilings profile)"));
    else if (!json_is_true(json_object_get(counters, "available")))
        json_array_append_new(missing, json_pack("s+", "hardware counters unavailable: ", str(counters, "reason")));
    if (load_points(&c, bench) != 0 || c.count == 0) {
        snprintf(err, CEIL_ERRLEN, "no benchmark named KERNEL/VARIANT/MODE/n:N/workers:W to explain");
        free(c.pts);
        json_decref(missing);
        json_decref(notes);
        return NULL;
    }
    qsort(c.pts, c.count, sizeof *c.pts, by_point);
    load_repetitions(&c, bench);
    for (size_t i = 0; i < c.count; i++) {
        struct point *p = &c.pts[i];
        p->stable = 1;
        p->predicted = p->model_error = p->predicted_speedup = NAN;
        if (!strcmp(p->mode, "batched") || !strcmp(p->mode, "pertick")) {
            check_physics(&c, p);
            check_noise(p);
        }
    }
    /* each kernel's compute rate on one worker, found once */
    json_t *rates = json_object();
    for (size_t i = 0; probe && i < c.count; i++)
        if (!json_object_get(rates, c.pts[i].kernel))
        {
            double r = compute_rate1(&c, c.pts[i].kernel, notes);
            json_object_set_new(rates, c.pts[i].kernel, isfinite(r) ? json_real(r) : json_null());
        }
    double overlap[CEIL_LEVEL_COUNT];
    dram_curve(&c);
    /* the overlaps and the sweep's own data time depend on each other: fitted in turn, from
     * the roofline's overlap (1), a fixed number of rounds */
    json_t *overlaps = NULL;
    for (int l = 0; l < CEIL_LEVEL_COUNT; l++)
        c.overlap[l] = NAN;
    for (int round = 0; round < 4; round++) {
        json_decref(overlaps);
        overlaps = fit_overlaps(&c, overlap);
        memcpy(c.overlap, overlap, sizeof overlap);
    }
    json_t *points = json_array();
    json_t *summary = json_object();
    json_int_t stable = 0, unexplained = 0;
    for (size_t i = 0; i < c.count; i++) {
        struct point *p = &c.pts[i];
        if (strcmp(p->mode, "batched") && strcmp(p->mode, "pertick"))
            continue;
        json_t *o = explain_point(&c, p, num(rates, p->kernel), overlap);
        const char *bound = p->stable || p->error ? str(o, "bound") : "unstable"; /* counted apart */
        stable += p->stable && !p->error;
        unexplained += p->stable && !p->error && !strcmp(bound, "unexplained");
        json_object_set_new(summary, bound, json_integer(json_integer_value(json_object_get(summary, bound)) + 1));
        json_array_append_new(points, o);
    }
    json_t *doc = json_pack("{s:{s:s, s:s, s:b}, s:o, s:o, s:o, s:o, s:o}", "inputs", "bandwidth",
                            probe ? str(json_object_get(probe, "source"), "bandwidth") : "none", "compute",
                            probe ? str(json_object_get(probe, "source"), "compute") : "none", "counters",
                            json_is_true(json_object_get(counters, "available")),
                            "missing", missing, "notes", notes, "points", points, "knees", knees(&c), "summary", summary);
    json_object_set_new(doc, "thresholds", json_pack("{s:f, s:f, s:f, s:f}", "reached", CEIL_REACHED, "dispatch_bound",
                                                     CEIL_DISPATCH_BOUND, "serial_bandwidth", CEIL_SERIAL_BW, "knee",
                                                     CEIL_KNEE));
    json_object_set_new(doc, "trust", trust_summary(&c, bench));
    json_object_set_new(doc, "model", model_summary(&c, overlaps, overlap));
    json_object_set_new(doc, "validation", validation(&c));
    json_object_update_new(json_object_get(doc, "validation"),
                           json_pack("{s:I, s:I, s:o}", "stable_points", stable, "unexplained", unexplained,
                                     "fraction_unexplained", stable ? json_real((double)unexplained / (double)stable) : json_null()));
    json_t *warnings = probe_warnings(&c), *w;
    size_t wi;
    json_array_foreach(warnings, wi, w) json_array_append(json_object_get(doc, "notes"), w);
    json_object_set_new(json_object_get(doc, "validation"), "probe_warnings", warnings);
    json_object_set_new(json_object_get(doc, "thresholds"), "trust",
                        json_pack("{s:f, s:f, s:f, s:f, s:f}", "one_worker", CEIL_ONE_WORKER, "level", CEIL_LEVEL,
                                  "superlinear", CEIL_SUPERLINEAR, "spread", CEIL_SPREAD, "busy", CEIL_BUSY));
    json_t *tables = facts(&c, bench);
    json_object_update(doc, tables);
    json_decref(tables);
    json_decref(rates);
    for (size_t i = 0; i < c.count; i++)
        json_decref(c.pts[i].reasons);
    json_decref(c.curve);
    free(c.pts);
    return doc;
}
