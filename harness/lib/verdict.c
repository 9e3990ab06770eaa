/* The verdict rules, over the documents of a results folder. */
#include "verdict.h"

#include "explain.h"
#include "variants.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A kernel's own compute rate on one worker (elements per second at the L2 target, where
 * memory is closest), or NAN when that run already sits at the bandwidth ceiling: then the
 * kernel has no compute ceiling apart from bandwidth. */
static double compute_rate1(struct ctx *c, const char *kernel, json_t *notes)
{
    double n = ceil_ex_l2_target(c);
    struct point *s = isfinite(n) ? ceil_ex_find(c, kernel, ceil_variant_reference()->name, "batched", n, 1) : NULL;
    if (!s || s->error || !isfinite(s->seconds))
        return NAN;
    double frac = ceil_ex_serial_l2_fraction(c, kernel), rate = s->n * s->ticks / s->seconds;
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
             "x the compute scaling (the co-run tests' where the sweep ran them, else the probe's)",
             kernel, rate, 100 * frac);
    json_array_append_new(notes, json_string(text));
    return rate;
}

/* Only with counters: what the hardware saw at p, beside the model's bytes. */
static void add_counters(json_t *o, struct ctx *c, const struct point *p)
{
    json_t *counted = ceil_ex_profile_of(c, p->name);
    if (!counted)
        return;
    json_t *bytes = json_object_get(json_object_get(counted, "bytes_per_elem"), "memory");
    json_t *k = json_pack("{s:O?, s:f, s:O?, s:s}", "bytes_per_elem", bytes, "model_bytes_per_elem",
                          ceil_ex_num(counted, "model_bytes_per_elem"), "intensity", json_object_get(counted, "intensity"),
                          "group", ceil_ex_str(counted, "group"));
    if (ceil_ex_runs_our_loop(p->variant))
        json_object_set_new(k, "by_level", ceil_ex_counters_by_level(c, p));
    json_object_set_new(o, "counters", k);
}

/* A point that failed, or has no median: its verdict says so, and it counts as unstable. */
static json_t *failed_point(json_t *o, struct point *p)
{
    json_object_set_new(o, "bound", json_string("failed"));
    json_object_set_new(o, "verdict", json_string("failed"));
    json_object_set_new(o, "why", json_string(p->error ? p->error_message : "no median"));
    p->stable = 0;
    ceil_ex_add_trust(o, p);
    return o;
}

static json_t *explain_point(struct ctx *c, struct point *p, double rate1, const struct ceil_ex_overlaps *overlap)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:f, s:f}", "point", p->name, "kernel", p->kernel, "variant",
                          p->variant, "mode", p->mode, "n", p->n, "workers", p->workers);
    if (p->error || !isfinite(p->seconds))
        return failed_point(o, p);
    const char *level = ceil_ex_level_of(c, p->n, p->workers), *source = "";
    int approx;
    double bw = ceil_ex_bandwidth_ceiling(c, ceil_ex_probe_kind(p->kernel), p->n, p->workers, level, &approx, &source);
    double bw_frac = p->gbps / bw;
    double scaling = ceil_ex_compute_scaling_of(c, p);
    double rate = p->n * p->ticks / p->seconds;
    double compute_frac = rate / (rate1 * scaling);
    double over = ceil_ex_is_reference(p->variant) ? 0 : ceil_ex_per_tick_overhead_us(c, p->variant, p->workers);
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
    if (ceil_ex_is_reference(p->variant))
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
        double t = 1 / rate, tc = 1 / (rate1 * scaling), tm = ceil_ex_kernel_bytes(p->kernel) / (bw * 1e9);
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
    ceil_ex_add_trust(o, p);
    struct ceil_model_out m;
    if (ceil_ex_add_model(o, c, p, overlap, &m)) { /* the model's verdict; the thresholds' stays beside it */
        json_object_set_new(o, "threshold_verdict", json_string(verdict));
        bound = ceil_ex_model_bound(c, p, &m, ceil_ex_str(o, "model_verdict"), verdict, sizeof verdict);
    }
    if (isfinite(bw)) {
        json_object_set_new(o, "bandwidth_source", json_string(source));
        json_object_set_new(o, "bandwidth_test", json_string(ceil_ex_probe_kind(p->kernel)));
    }
    json_object_set_new(o, "bound", json_string(bound));
    if (!p->stable) {
        const char *first = ceil_ex_str(json_array_get(p->reasons, 0), "why");
        size_t used_v = strlen(verdict);
        snprintf(verdict + used_v, sizeof verdict - used_v, ", unstable: %s", first);
    }
    json_object_set_new(o, "verdict", json_string(verdict));
    json_object_set_new(o, "why", json_string(why));
    add_counters(o, c, p);
    return o;
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
        if (ceil_ex_is_reference(p->variant))
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
    json_t *variants = json_loads(ceil_ex_str(context, "variants"), 0, NULL);
    json_t *kernels = json_loads(ceil_ex_str(context, "kernels"), 0, NULL);
    json_t *out = json_object();
    if (variants) {
        json_object_set_new(out, "variants_source", json_string("the sweep's context"));
    } else {
        variants = ceil_variants_json();
        json_t *rows = json_object_get(variants, "variants"), *v;
        for (size_t i = json_array_size(rows); i-- > 0;) /* only the variants this folder measured */
            if ((v = json_array_get(rows, i)) && !measured(c, ceil_ex_str(v, "name")))
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

/* Every bandwidth point's verdict; the verdicts counted in summary, unstable ones apart. */
static json_t *explain_points(struct ctx *c, json_t *rates, const struct ceil_ex_overlaps *overlap, json_t *summary,
                              json_int_t *stable, json_int_t *unexplained)
{
    json_t *points = json_array();
    for (size_t i = 0; i < c->count; i++) {
        struct point *p = &c->pts[i];
        if (strcmp(p->mode, "batched") && strcmp(p->mode, "pertick"))
            continue;
        json_t *o = explain_point(c, p, ceil_ex_num(rates, p->kernel), overlap);
        const char *bound = p->stable || p->error ? ceil_ex_str(o, "bound") : "unstable";
        *stable += p->stable && !p->error;
        *unexplained += p->stable && !p->error && !strcmp(bound, "unexplained");
        json_object_set_new(summary, bound, json_integer(json_integer_value(json_object_get(summary, bound)) + 1));
        json_array_append_new(points, o);
    }
    return points;
}

/* The warnings of one kind, in the notes and under validation.KEY. */
static void add_warnings(json_t *doc, const char *key, json_t *warnings)
{
    json_t *w;
    size_t i;
    json_array_foreach(warnings, i, w) json_array_append(json_object_get(doc, "notes"), w);
    json_object_set_new(json_object_get(doc, "validation"), key, warnings);
}

/* An interrupted sweep (its context says partial): said first under missing, with the reason,
 * since every count and fit is over what was measured. */
static void mark_partial(json_t *doc, json_t *ctx)
{
    int partial = json_is_true(json_object_get(ctx, "partial"));
    json_object_set_new(doc, "partial", json_boolean(partial));
    if (!partial)
        return;
    const char *why = json_string_value(json_object_get(ctx, "partial_reason"));
    json_object_set_new(doc, "partial_reason", json_string(why ? why : "not given"));
    json_array_insert_new(json_object_get(doc, "missing"), 0,
                          json_sprintf("the sweep is partial (%s): ninja bench, or ceilings-bench --resume on this "
                                       "folder, measures the rest", why ? why : "reason not given"));
}

json_t *ceil_explain(json_t *bench, json_t *probe, json_t *plan, json_t *profile, char err[CEIL_ERRLEN])
{
    struct ctx c = { .probe = probe, .plan = plan ? plan : json_object_get(probe, "plan"), .profile = profile, .memory_n = NAN };
    const char *rescale = json_string_value(json_object_get(json_object_get(bench, "context"), "rescale"));
    c.rescale = rescale ? json_loads(rescale, 0, NULL) : NULL; /* the probe's scaling, measured again in the sweep */
    if (c.rescale && !json_is_array(c.rescale)) {
        json_decref(c.rescale);
        c.rescale = NULL;
    }
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
        json_array_append_new(missing, json_pack("s+", "hardware counters unavailable: ", ceil_ex_str(counters, "reason")));
    if (ceil_ex_load_points(&c, bench) != 0 || c.count == 0) {
        snprintf(err, CEIL_ERRLEN, "no benchmark named KERNEL/VARIANT/MODE/n:N/workers:W to explain");
        free(c.pts);
        json_decref(c.rescale);
        json_decref(missing);
        json_decref(notes);
        return NULL;
    }
    qsort(c.pts, c.count, sizeof *c.pts, by_point);
    ceil_ex_corun_usual(&c, bench);
    ceil_ex_load_repetitions(&c, bench);
    ceil_ex_pool_serial(&c, bench);
    for (size_t i = 0; i < c.count; i++) {
        struct point *p = &c.pts[i];
        p->stable = 1;
        p->predicted = p->model_error = p->predicted_speedup = p->latency = NAN;
        if (!strcmp(p->mode, "batched") || !strcmp(p->mode, "pertick")) {
            ceil_ex_check_physics(&c, p);
            ceil_ex_check_noise(p);
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
    struct ceil_ex_overlaps overlap;
    ceil_ex_dram_curve(&c);
    /* the overlaps and the sweep's own data time depend on each other: fitted in turn, from
     * the roofline's overlap (1), a fixed number of rounds */
    json_t *overlaps = NULL;
    for (int k = 0; k < CEIL_EX_KINDS; k++)
        for (int l = 0; l < CEIL_LEVEL_COUNT; l++)
            c.overlap.of[k][l] = NAN;
    for (int round = 0; round < 4; round++) {
        json_decref(overlaps);
        overlaps = ceil_ex_fit_overlaps(&c, &overlap);
        c.overlap = overlap;
    }
    json_t *summary = json_object();
    json_int_t stable = 0, unexplained = 0;
    json_t *points = explain_points(&c, rates, &overlap, summary, &stable, &unexplained);
    json_t *doc = json_pack("{s:{s:s, s:s, s:b}, s:o, s:o, s:o, s:o, s:o}", "inputs", "bandwidth",
                            probe ? ceil_ex_str(json_object_get(probe, "source"), "bandwidth") : "none", "compute",
                            probe ? ceil_ex_str(json_object_get(probe, "source"), "compute") : "none", "counters",
                            json_is_true(json_object_get(counters, "available")),
                            "missing", missing, "notes", notes, "points", points, "knees", knees(&c), "summary", summary);
    json_object_set_new(doc, "thresholds", json_pack("{s:f, s:f, s:f, s:f}", "reached", CEIL_REACHED, "dispatch_bound",
                                                     CEIL_DISPATCH_BOUND, "serial_bandwidth", CEIL_SERIAL_BW, "knee",
                                                     CEIL_KNEE));
    json_object_set_new(doc, "trust", ceil_ex_trust_summary(&c, bench));
    json_object_set_new(doc, "model", ceil_ex_model_summary(&c, overlaps, &overlap));
    json_object_set_new(doc, "validation", ceil_ex_validation(&c));
    json_object_update_new(json_object_get(doc, "validation"),
                           json_pack("{s:I, s:I, s:o}", "stable_points", stable, "unexplained", unexplained,
                                     "fraction_unexplained", stable ? json_real((double)unexplained / (double)stable) : json_null()));
    add_warnings(doc, "probe_warnings", ceil_ex_probe_warnings(&c));
    add_warnings(doc, "model_warnings", ceil_ex_model_warnings(&c));
    json_object_set_new(json_object_get(doc, "thresholds"), "trust",
                        json_pack("{s:f, s:f, s:f, s:f, s:f}", "one_worker", CEIL_ONE_WORKER, "level", CEIL_LEVEL,
                                  "superlinear", CEIL_SUPERLINEAR, "spread", CEIL_SPREAD, "busy", CEIL_BUSY));
    mark_partial(doc, json_object_get(bench, "context"));
    json_t *tables = facts(&c, bench);
    json_object_update(doc, tables);
    json_decref(tables);
    json_decref(rates);
    for (size_t i = 0; i < c.count; i++)
        json_decref(c.pts[i].reasons);
    json_decref(c.curve);
    free(c.pts);
    json_decref(c.rescale);
    return doc;
}
