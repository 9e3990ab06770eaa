/* A results folder's points for explain, and what its probe and plan say about a size. */
#include "explain.h"

#include "corun.h"
#include "names.h"
#include "trust.h"
#include "variants.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double ceil_ex_num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

const char *ceil_ex_str(json_t *o, const char *key)
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

int ceil_ex_is_reference(const char *variant) { return strcmp(variant, ceil_variant_reference()->name) == 0; }

struct point *ceil_ex_find(struct ctx *c, const char *kernel, const char *variant, const char *mode, double n,
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

int ceil_ex_load_points(struct ctx *c, json_t *bench)
{
    json_t *runs = json_object_get(bench, "benchmarks"), *r;
    size_t i;
    c->pts = calloc(json_array_size(runs) + 1, sizeof *c->pts);
    if (!c->pts)
        return -1;
    json_array_foreach(runs, i, r) {
        const char *agg = ceil_ex_str(r, "aggregate_name");
        int single = ceil_ex_num(r, "repetitions") <= 1 || !json_is_number(json_object_get(r, "repetitions"));
        int take = strcmp(ceil_ex_str(r, "run_type"), "aggregate") == 0 ? strcmp(agg, "median") == 0 : single;
        struct point p = { 0 };
        if (parse_name(ceil_ex_str(r, "run_name"), &p) != 0)
            continue;
        if (!take && strcmp(agg, "cv") != 0 && !json_is_true(json_object_get(r, "error_occurred")))
            continue;
        struct point *have = ceil_ex_find(c, p.kernel, p.variant, p.mode, p.n, p.workers);
        if (strcmp(agg, "cv") == 0) {
            if (have)
                have->cv = ceil_ex_num(r, "real_time");
            else {
                p.cv = ceil_ex_num(r, "real_time");
                p.seconds = NAN;
                p.name = ceil_ex_str(r, "run_name");
                c->pts[c->count++] = p;
            }
            continue;
        }
        struct point *dst = have ? have : &c->pts[c->count++];
        double cv = have ? have->cv : 0;
        *dst = p;
        dst->cv = cv;
        dst->name = ceil_ex_str(r, "run_name");
        dst->label = ceil_ex_str(r, "label");
        dst->error = json_is_true(json_object_get(r, "error_occurred"));
        dst->error_message = ceil_ex_str(r, "error_message");
        dst->ticks = ceil_ex_num(r, "ticks");
        /* a repetition's seconds, from its rate: real_time is a repetition's time in older folders
         * and one tick's since, while ns per element-tick means the same in both */
        dst->seconds = isfinite(ceil_ex_num(r, "ns_per_elem_tick")) ? ceil_ex_num(r, "ns_per_elem_tick") * dst->n * dst->ticks * 1e-9
                                                             : ceil_ex_num(r, "real_time") * 1e-6;
        dst->gbps = ceil_ex_num(r, "gbps");
        dst->speedup = ceil_ex_num(r, "speedup");
        dst->overhead_us = ceil_ex_num(r, "overhead_us");
        dst->batched_us = ceil_ex_num(r, "batched_us_per_tick");
    }
    return 0;
}

double ceil_ex_rep_corun(json_t *run)
{
    return fmax(ceil_ex_num(run, "corun"), ceil_ex_num(run, "corun_before")); /* NAN only if both are */
}

double ceil_ex_rep_workers(json_t *run)
{
    struct point q = { 0 };
    return parse_name(ceil_ex_str(run, "run_name"), &q) == 0 ? q.workers : NAN;
}

void ceil_ex_corun_usual(struct ctx *c, json_t *bench)
{
    json_t *runs = json_object_get(bench, "benchmarks"), *r;
    size_t i, total = json_array_size(runs), n = 0;
    double *x = calloc(2 * total + 1, sizeof *x), *v = x + total; /* each tested repetition's ratio, then a count's */
    double *w = calloc(total + 1, sizeof *w);
    c->corun_counts = 0;
    json_array_foreach(runs, i, r) { /* one pass: each tested repetition's ratio and worker count */
        double ratio = ceil_ex_rep_corun(r), workers = ceil_ex_rep_workers(r);
        if (!x || !w || !isfinite(ratio) || !isfinite(workers) || strcmp(ceil_ex_str(r, "run_type"), "iteration"))
            continue; /* not the aggregates' rows: their stddev and cv carry the ratio's spread */
        x[n] = ratio, w[n++] = workers;
        size_t k;
        for (k = 0; k < c->corun_counts && c->corun_workers[k] != workers; k++)
            ;
        if (k == c->corun_counts && k < MAX_COUNTS)
            c->corun_workers[c->corun_counts++] = workers;
    }
    for (size_t k = 0; k < c->corun_counts; k++) {
        size_t m = 0;
        for (size_t j = 0; j < n; j++)
            if (w[j] == c->corun_workers[k])
                v[m++] = x[j];
        c->corun_usual[k] = ceil_median(v, m);
    }
    free(x);
    free(w);
}

double ceil_ex_corun_usual_at(const struct ctx *c, double workers)
{
    for (size_t k = 0; k < c->corun_counts; k++)
        if (c->corun_workers[k] == workers)
            return fmax(1, c->corun_usual[k]);
    return 1;
}

int ceil_ex_rep_shared(const struct ctx *c, json_t *run, double workers)
{
    double x = ceil_ex_rep_corun(run);
    return isfinite(x) && x >= CEIL_SHARED_CORE * ceil_ex_corun_usual_at(c, workers);
}

/* The shared-core repetitions out of p's values, and p's median from the rest (ceil_ex_load_repetitions). */
static void leave_out_shared(struct point *p)
{
    size_t total = p->nvalues[0] + p->nvalues[1], kept = 0;
    if (!p->shared_reps || 2 * p->shared_reps > p->corun_reps || total - p->shared_reps < 2 || p->error)
        return;
    double value[2 * MAX_REPS], secs[2 * MAX_REPS];
    for (int pass = 0; pass < 2; pass++) {
        size_t n = 0;
        for (size_t i = 0; i < p->nvalues[pass]; i++) {
            if (p->rep_shared[pass][i])
                continue;
            value[kept] = p->values[pass][i], secs[kept++] = p->rep_seconds[pass][i];
            p->values[pass][n] = p->values[pass][i], p->rep_seconds[pass][n] = p->rep_seconds[pass][i];
            p->rep_shared[pass][n++] = 0;
        }
        p->nvalues[pass] = n;
    }
    p->left_out = total - kept;
    double s = ceil_median(secs, kept);
    if (p->paired)
        p->speedup = ceil_median(value, kept);
    if (isfinite(s) && s > 0 && isfinite(p->seconds) && p->seconds > 0) {
        p->gbps *= p->seconds / s;
        p->seconds = s;
    }
}

void ceil_ex_load_repetitions(struct ctx *c, json_t *bench)
{
    json_t *runs = json_object_get(bench, "benchmarks"), *r;
    size_t i;
    double *sum_i = calloc(c->count + 1, sizeof *sum_i), *sum_s = calloc(c->count + 1, sizeof *sum_s);
    size_t *n_i = calloc(c->count + 1, sizeof *n_i), *n_s = calloc(c->count + 1, sizeof *n_s);
    double *at = calloc(c->count + 1, sizeof *at);
    size_t *n_at = calloc(c->count + 1, sizeof *n_at);
    json_array_foreach(runs, i, r) {
        struct point q = { 0 }, *p;
        if (strcmp(ceil_ex_str(r, "run_type"), "iteration") != 0 || json_is_true(json_object_get(r, "error_occurred")) ||
            parse_name(ceil_ex_str(r, "run_name"), &q) != 0 || !(p = ceil_ex_find(c, q.kernel, q.variant, q.mode, q.n, q.workers)) ||
            !sum_i || !at || !n_at)
            continue;
        size_t k = (size_t)(p - c->pts);
        int pass = ceil_ex_num(r, "pass") == 2 ? 1 : 0;
        p->paired |= json_is_number(json_object_get(r, "pair_order"));
        double ticks = isfinite(ceil_ex_num(r, "ticks")) ? ceil_ex_num(r, "ticks") : 1;
        double secs = isfinite(ceil_ex_num(r, "ns_per_elem_tick")) ? ceil_ex_num(r, "ns_per_elem_tick") * q.n * ticks * 1e-9
                                                           : ceil_ex_num(r, "real_time") * 1e-6;
        double v = json_is_number(json_object_get(r, "pair_order")) ? ceil_ex_num(r, "speedup") : secs;
        double corun = ceil_ex_rep_corun(r);
        int shared = ceil_ex_rep_shared(c, r, q.workers);
        if (isfinite(v) && p->nvalues[pass] < MAX_REPS) {
            p->rep_seconds[pass][p->nvalues[pass]] = secs;
            p->rep_shared[pass][p->nvalues[pass]] = (unsigned char)shared;
            p->values[pass][p->nvalues[pass]++] = v;
        }
        if (isfinite(ceil_ex_num(r, "interference")))
            sum_i[k] += ceil_ex_num(r, "interference"), n_i[k]++;
        if (isfinite(ceil_ex_num(r, "steal")))
            sum_s[k] += ceil_ex_num(r, "steal"), n_s[k]++;
        if (isfinite(ceil_ex_num(r, "at_s")))
            at[k] += ceil_ex_num(r, "at_s"), n_at[k]++;
        if (isfinite(corun)) {
            p->corun_reps++;
            p->shared_reps += shared;
            p->corun_max = fmax(p->corun_max, corun);
        }
    }
    for (size_t k = 0; sum_i && k < c->count; k++) {
        struct point *p = &c->pts[k];
        p->interference = n_i[k] ? sum_i[k] / (double)n_i[k] : NAN;
        p->steal = n_s[k] ? sum_s[k] / (double)n_s[k] : NAN;
        p->at_s = at && n_at && n_at[k] ? at[k] / (double)n_at[k] : NAN;
        p->corun_usual = ceil_ex_corun_usual_at(c, p->workers);
        leave_out_shared(p);
        double all[2 * MAX_REPS];
        memcpy(all, p->values[0], p->nvalues[0] * sizeof *all);
        memcpy(all + p->nvalues[0], p->values[1], p->nvalues[1] * sizeof *all);
        p->spread = ceil_median_spread(all, p->nvalues[0] + p->nvalues[1]);
    }
    free(sum_i);
    free(sum_s);
    free(n_i);
    free(n_s);
    free(at);
    free(n_at);
}

const char *ceil_ex_probe_kind(const char *kernel)
{
    const struct ceil_kernel *k = ceil_kernel_find(kernel);
    if (!k)
        return "daxpy";
    for (unsigned a = 0; a < k->n_arrays; a++)
        if ((k->arrays[a].access & CEIL_WRITE) && !(k->arrays[a].access & CEIL_EMIT))
            return "daxpy";
    return "load";
}

double ceil_ex_bandwidth_ceiling(struct ctx *c, const char *kind, double n, double workers, const char *level,
                                int *approx, const char **source)
{
    json_t *b;
    size_t i;
    double best = NAN, dist = INFINITY;
    *approx = 0;
    json_array_foreach(json_object_get(c->probe, "bandwidth"), i, b) {
        if (strcmp(ceil_ex_str(b, "kind"), kind) != 0 || ceil_ex_num(b, "workers") != workers)
            continue;
        double d = fabs(log(ceil_ex_num(b, "n") / n));
        if (d == 0) {
            *source = ceil_ex_str(b, "source");
            return ceil_ex_num(b, "gbps");
        }
        if (d < dist && (strcmp(ceil_ex_str(b, "level"), level) == 0 || strcmp(level, "unknown") == 0))
            dist = d, best = ceil_ex_num(b, "gbps"), *source = ceil_ex_str(b, "source");
    }
    *approx = isfinite(best);
    return best;
}

double ceil_ex_bandwidth_scaling(struct ctx *c, const char *kind, double n, double workers)
{
    json_t *b;
    size_t i;
    double one = NAN, w = NAN;
    if (workers == 1)
        return 1;
    json_array_foreach(json_object_get(c->probe, "bandwidth"), i, b) {
        if (strcmp(ceil_ex_str(b, "kind"), kind) != 0 || ceil_ex_num(b, "n") != n)
            continue;
        if (ceil_ex_num(b, "workers") == workers && isfinite(ceil_ex_num(b, "scaling")))
            return ceil_ex_num(b, "scaling");
        if (ceil_ex_num(b, "workers") == workers)
            w = ceil_ex_num(b, "gbps");
        if (ceil_ex_num(b, "workers") == 1)
            one = ceil_ex_num(b, "gbps");
    }
    if (isfinite(one) && isfinite(w))
        return w / one;
    /* a size the probe did not measure (the book's N): the paired scaling nearest it at its level */
    const char *level = ceil_ex_level_of(c, n, workers);
    double best = NAN, dist = INFINITY;
    json_array_foreach(json_object_get(c->probe, "bandwidth"), i, b) {
        double d = fabs(log(ceil_ex_num(b, "n") / n));
        if (!strcmp(ceil_ex_str(b, "kind"), kind) && ceil_ex_num(b, "workers") == workers &&
            isfinite(ceil_ex_num(b, "scaling")) && !strcmp(ceil_ex_str(b, "level"), level) && d < dist)
            dist = d, best = ceil_ex_num(b, "scaling");
    }
    if (isfinite(best))
        return best;
    int approx;
    const char *source = "";
    double s = ceil_ex_bandwidth_ceiling(c, kind, n, workers, ceil_ex_level_of(c, n, workers), &approx, &source) /
               ceil_ex_bandwidth_ceiling(c, kind, n, 1, ceil_ex_level_of(c, n, 1), &approx, &source);
    /* a kind the probe measured at the targets only (copy, load) at a size between them: how
     * daxpy, measured at every planned size, scales there */
    return isfinite(s) || !strcmp(kind, "daxpy") ? s : ceil_ex_bandwidth_scaling(c, "daxpy", n, workers);
}

static int by_distance(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

/* The median of the RESCALE_NEAREST samples the sweep took of `kind` at n (any n when n is NAN)
 * and `workers`, nearest in time to at_s (of them all when at_s is unknown); NAN without one. */
static double rescale_near(struct ctx *c, const char *kind, double n, double workers, double at_s)
{
    json_t *e;
    size_t i, count = 0;
    double near[64][2];
    json_array_foreach(c->rescale, i, e) {
        double s = ceil_ex_num(e, "scaling"), at = ceil_ex_num(e, "at_s");
        if (count < 64 && !strcmp(ceil_ex_str(e, "kind"), kind) && (isnan(n) || ceil_ex_num(e, "n") == n) &&
            ceil_ex_num(e, "workers") == workers && isfinite(s) && s > 0)
            near[count][0] = isfinite(at_s) && isfinite(at) ? fabs(at - at_s) : 0, near[count++][1] = s;
    }
    if (!count)
        return NAN;
    qsort(near, count, sizeof near[0], by_distance);
    size_t k = isfinite(at_s) && count > RESCALE_NEAREST ? RESCALE_NEAREST : count;
    double v[64];
    for (i = 0; i < k; i++)
        v[i] = near[i][1];
    return ceil_median(v, k);
}

double ceil_ex_bandwidth_scaling_of(struct ctx *c, const char *kind, const struct point *p)
{
    json_t *e;
    size_t i;
    double dram = NAN, s;
    int sampled = 0;
    if (p->workers == 1)
        return 1;
    json_array_foreach(c->rescale, i, e) if (!strcmp(ceil_ex_str(e, "kind"), kind)) {
        sampled |= ceil_ex_num(e, "n") == p->n;
        if (!strcmp(ceil_ex_str(e, "target"), "DRAM"))
            dram = ceil_ex_num(e, "n");
    }
    /* at a target the samples' own; past the DRAM target's start, the DRAM target's */
    double at = sampled ? p->n : !strcmp(ceil_ex_level_of(c, p->n, p->workers), "DRAM") ? dram : NAN;
    if (isfinite(at) && isfinite(s = rescale_near(c, kind, at, p->workers, p->at_s)))
        return s;
    return ceil_ex_bandwidth_scaling(c, kind, p->n, p->workers);
}

double ceil_ex_serial_l2_fraction(struct ctx *c, const char *kernel)
{
    double n = ceil_ex_l2_target(c);
    const struct point *s = isfinite(n) ? ceil_ex_find(c, kernel, ceil_variant_reference()->name, "batched", n, 1) : NULL;
    int approx;
    const char *source = "";
    if (!s || s->error)
        return NAN;
    return s->gbps / ceil_ex_bandwidth_ceiling(c, ceil_ex_probe_kind(kernel), n, 1, "L2", &approx, &source);
}

/* How the probe's peakflops scales from one worker to `workers`: its median of paired runs. */
static double probe_compute_scaling(struct ctx *c, double workers)
{
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(c->probe, "compute"), i, e) if (ceil_ex_num(e, "workers") == workers) return ceil_ex_num(e, "scaling");
    return NAN;
}

/* ceil_ex_corun_compute_scaling: the test runs the probe's peakflops loop on the team's CPUs at
 * once against the first alone, the same elements a worker, so W over its ratio is peakflops'
 * scaling, taken right before and after every repetition at that count (hundreds of tests)
 * rather than in the probe's 5 pairs and the rescale samples' one pair each. */
double ceil_ex_corun_compute_scaling(const struct ctx *c, double workers)
{
    for (size_t k = 0; workers > 1 && k < c->corun_counts; k++)
        if (c->corun_workers[k] == workers && isfinite(c->corun_usual[k]))
            return workers / ceil_ex_corun_usual_at(c, workers);
    return NAN;
}

/* One worker's compute over W's: the co-run tests' where the sweep ran them, else the rescale
 * samples nearest the point's time, else the probe's pairs. On the 2-vCPU Granite Rapids VM the
 * tests read two workers 1.024x as long together as one alone, as a rule (1.95x), where the probe
 * and the samples read 2.00x; on the 16-vCPU host 1.68x at 8 workers (4.77x), where that sweep's
 * three samples read 8.34, 7.32 and 4.13, and its trig teams ran 3.9-6.9x. */
double ceil_ex_compute_scaling_of(struct ctx *c, const struct point *p)
{
    double s = p->workers == 1 ? 1 : ceil_ex_corun_compute_scaling(c, p->workers);
    if (!isfinite(s))
        s = rescale_near(c, "peakflops", NAN, p->workers, p->at_s);
    return isfinite(s) ? s : probe_compute_scaling(c, p->workers);
}

double ceil_ex_kernel_bytes(const char *name)
{
    const struct ceil_kernel *k = ceil_kernel_find(name);
    return k ? ceil_kernel_bytes(k) : NAN;
}

const char *ceil_ex_level_of(struct ctx *c, double n, double workers)
{
    json_t *s, *l;
    size_t i, j;
    json_array_foreach(json_object_get(c->plan, "sizes"), i, s) {
        if (ceil_ex_num(s, "n") != n)
            continue;
        json_array_foreach(json_object_get(s, "levels"), j, l) if (ceil_ex_num(l, "workers") == workers) return ceil_ex_str(l, "level");
    }
    /* a size the plan did not list (the book's N = 1e7): the plan's rule (ceil_plan_level) on
     * the plan's caches for that count */
    double fp = ceil_ex_num(c->plan, "footprint_bytes_per_elem") * n, llc = ceil_ex_num(c->plan, "llc_bytes"), l2 = NAN, l3 = NAN;
    json_array_foreach(json_object_get(c->plan, "workers"), i, s) if (ceil_ex_num(s, "count") == workers)
    {
        l2 = ceil_ex_num(s, "l2_bytes");
        l3 = ceil_ex_num(s, "l3_bytes");
    }
    if (!isfinite(fp) || !isfinite(l2))
        return "unknown";
    return fp <= l2 ? "L2" : fp <= l3 ? "L3" : fp >= 4 * llc ? "DRAM" : "between";
}

double ceil_ex_target_n(struct ctx *c, const char *level)
{
    json_t *s;
    size_t i;
    json_array_foreach(json_object_get(c->plan, "sizes"), i, s) if (strcmp(ceil_ex_str(s, "target"), level) == 0) return ceil_ex_num(s, "n");
    return NAN;
}

double ceil_ex_l2_target(struct ctx *c) { return ceil_ex_target_n(c, "L2"); }

void ceil_ex_caches_of(struct ctx *c, double workers, double *l2, double *l3)
{
    json_t *w;
    size_t i;
    *l2 = *l3 = NAN;
    json_array_foreach(json_object_get(c->plan, "workers"), i, w) if (ceil_ex_num(w, "count") == workers)
    {
        *l2 = ceil_ex_num(w, "l2_bytes");
        *l3 = ceil_ex_num(w, "l3_bytes");
    }
}

const struct point *ceil_ex_dispatch_point(struct ctx *c, const char *kernel, const char *variant, double workers)
{
    for (size_t i = 0; i < c->count; i++) {
        const struct point *d = &c->pts[i];
        if (!strcmp(d->variant, variant) && !strcmp(d->mode, "dispatch") && d->workers == workers && !d->error &&
            (!kernel || !strcmp(d->kernel, kernel)))
            return d;
    }
    return NULL;
}

double ceil_ex_per_tick_overhead_us(struct ctx *c, const char *variant, double workers)
{
    const struct point *d = ceil_ex_dispatch_point(c, NULL, variant, workers);
    return d ? fmax(0, d->overhead_us) : NAN;
}

json_t *ceil_ex_profile_of(struct ctx *c, const char *name)
{
    json_t *p;
    size_t i;
    json_array_foreach(json_object_get(c->profile, "profiles"), i, p) if (strcmp(ceil_ex_str(p, "point"), name) == 0) return p;
    return NULL;
}

int ceil_ex_runs_our_loop(const char *series)
{
    const struct ceil_variant *v = ceil_variant_find(series);
    return v && !ceil_variant_own_loop(v);
}

struct point *ceil_ex_one_worker_near(struct ctx *c, const char *kernel, const char *variant, double n, double max_n)
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

struct point *ceil_ex_serial_near(struct ctx *c, const char *kernel, double n, double max_n)
{
    return ceil_ex_one_worker_near(c, kernel, ceil_variant_reference()->name, n, max_n);
}

double ceil_ex_measured_ns(const struct point *p) { return p->seconds / (p->n * p->ticks) * 1e9; }

double ceil_ex_model_ns(const struct point *p) { return p->pooled ? p->pooled_ns : ceil_ex_measured_ns(p); }

void ceil_ex_pool_serial(struct ctx *c, json_t *bench)
{
    json_t *runs = json_object_get(bench, "benchmarks"), *r;
    size_t i, total = json_array_size(runs);
    double *v = calloc(total + 1, sizeof *v);
    for (size_t k = 0; v && k < c->count; k++) {
        struct point *s = &c->pts[k];
        s->pooled_ns = NAN;
        s->pooled = 0;
        if (!ceil_ex_is_reference(s->variant) || strcmp(s->mode, "batched") || s->workers != 1 || s->error)
            continue;
        size_t n = 0, paired = 0;
        json_array_foreach(runs, i, r) {
            struct point q = { 0 };
            if (strcmp(ceil_ex_str(r, "run_type"), "iteration") || json_is_true(json_object_get(r, "error_occurred")) ||
                parse_name(ceil_ex_str(r, "run_name"), &q) != 0 || q.n != s->n || strcmp(q.kernel, s->kernel))
                continue;
            int own = !strcmp(q.variant, s->variant) && !strcmp(q.mode, "batched") && q.workers == 1;
            double x = ceil_ex_num(r, own ? "ns_per_elem_tick" : "serial_ns_per_elem_tick");
            if ((own || json_is_number(json_object_get(r, "pair_order"))) && isfinite(x) && x > 0) {
                v[n++] = x;
                paired += !own;
            }
        }
        if (paired) {
            s->pooled_ns = ceil_median(v, n);
            s->pooled = n;
        }
    }
    free(v);
}

const struct ceil_kernel *ceil_ex_memory_kernel(void)
{
    for (unsigned k = 0; k < ceil_kernel_count; k++)
        if (!ceil_kernels[k].baseline && !strcmp(ceil_kernels[k].bound, "memory") && !ceil_kernels[k].merge)
            return &ceil_kernels[k];
    return NULL;
}
