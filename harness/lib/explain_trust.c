/* The trust checks of explain: the identities a measurement must satisfy, and its noise. */
#include "explain.h"

#include "corun.h"
#include "trust.h"
#include "variants.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void ceil_ex_check_physics(struct ctx *c, struct point *p)
{
    int batched = strcmp(p->mode, "batched") == 0;
    if (batched && p->workers == 1 && !ceil_ex_is_reference(p->variant) && ceil_ex_runs_our_loop(p->variant) &&
        isfinite(p->speedup) && fabs(p->speedup - 1) > CEIL_ONE_WORKER)
        unstable(p, "one_worker", "1-worker team %.2fx serial", p->speedup, 0, 0, 0);
    /* our loop only: the book's numpy pays the interpreter per tick, which larger N amortise */
    int rank = ceil_ex_runs_our_loop(p->variant) ? level_rank(ceil_ex_level_of(c, p->n, p->workers)) : -1;
    double best = NAN, best_n = NAN;
    for (size_t i = 0; batched && rank > 0 && i < c->count; i++) {
        struct point *q = &c->pts[i];
        int r = level_rank(ceil_ex_level_of(c, q->n, q->workers));
        if (r >= 0 && r < rank && q->workers == p->workers && !strcmp(q->kernel, p->kernel) &&
            !strcmp(q->variant, p->variant) && !strcmp(q->mode, p->mode) && !q->error && !(q->gbps <= best))
            best = q->gbps, best_n = q->n;
    }
    if (isfinite(best) && p->gbps > (1 + CEIL_LEVEL) * best)
        unstable(p, "level", "%.1f GB/s beats the best at a faster level (%.1f GB/s at n=%.0f) by %.0f%%", p->gbps, best,
                 best_n, 100 * (p->gbps / best - 1));
    struct point *whole = ceil_ex_serial_near(c, p->kernel, p->n, INFINITY);
    struct point *part = ceil_ex_serial_near(c, p->kernel, p->n / p->workers, INFINITY);
    if (p->workers >= 2 && !ceil_ex_is_reference(p->variant) && whole && whole->n == p->n && part && isfinite(p->speedup)) {
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

void ceil_ex_check_noise(struct point *p)
{
    double busy = (isfinite(p->interference) ? p->interference : 0) + (isfinite(p->steal) ? p->steal : 0);
    if (busy > CEIL_BUSY)
        unstable(p, "interference", "others took %.0f%% of a CPU and the hypervisor %.0f%% while it ran",
                 100 * (isfinite(p->interference) ? p->interference : 0), 100 * (isfinite(p->steal) ? p->steal : 0), 0, 0);
    /* those repetitions are left out of its median (ceil_ex_load_repetitions) unless too many */
    if (p->shared_reps > p->left_out)
        unstable(p, "shared_core",
                 "%.0f of %.0f repetitions ran while its CPUs shared a core (the same FMA loop on all of them took up "
                 "to %.1fx as long as on one, %.2fx as a rule): too many to leave out",
                 (double)p->shared_reps, (double)p->corun_reps, p->corun_max, p->corun_usual);
    if (isfinite(p->spread) && p->spread > CEIL_SPREAD)
        unstable(p, "spread", "its median's 95%% interval is +-%.0f%%", 100 * p->spread, 0, 0, 0);
}

void ceil_ex_add_trust(json_t *o, const struct point *p)
{
    json_object_set_new(o, "stable", json_boolean(p->stable));
    json_object_set_new(o, "spread", isfinite(p->spread) ? json_real(p->spread) : json_null());
    json_object_set_new(o, "interference", isfinite(p->interference) ? json_real(p->interference) : json_null());
    json_object_set_new(o, "steal", isfinite(p->steal) ? json_real(p->steal) : json_null());
    json_object_set_new(o, "paired", json_boolean(p->paired));
    json_object_set_new(o, "repetitions", json_integer((json_int_t)(p->nvalues[0] + p->nvalues[1])));
    if (p->nvalues[1])
        json_object_set_new(o, "second_pass_repetitions", json_integer((json_int_t)p->nvalues[1]));
    if (p->left_out) /* not in repetitions: their CPUs shared a core */
        json_object_set_new(o, "shared_core_left_out", json_integer((json_int_t)p->left_out));
    if (p->reasons)
        json_object_set_new(o, "unstable_reasons", json_incref(p->reasons));
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
static json_t *timeline(const struct ctx *c, json_t *bench)
{
    enum { MINUTES = 240 };
    double sum_i[MINUTES] = { 0 }, max_i[MINUTES] = { 0 }, sum_s[MINUTES] = { 0 };
    size_t reps[MINUTES] = { 0 }, corun[MINUTES] = { 0 }, shared[MINUTES] = { 0 }, i;
    json_t *r, *out = json_array();
    json_array_foreach(json_object_get(bench, "benchmarks"), i, r) {
        double at = ceil_ex_num(r, "at_s"), x = ceil_ex_num(r, "interference"), st = ceil_ex_num(r, "steal");
        if (strcmp(ceil_ex_str(r, "run_type"), "iteration") || !isfinite(at) || at < 0 || at / 60 >= MINUTES)
            continue;
        size_t m = (size_t)(at / 60);
        reps[m]++;
        double workers = ceil_ex_rep_workers(r);
        if (isfinite(ceil_ex_rep_corun(r)) && isfinite(workers)) {
            corun[m]++;
            shared[m] += ceil_ex_rep_shared(c, r, workers);
        }
        sum_i[m] += isfinite(x) ? x : 0;
        max_i[m] = fmax(max_i[m], isfinite(x) ? x : 0);
        sum_s[m] += isfinite(st) ? st : 0;
    }
    for (size_t m = 0; m < MINUTES; m++) {
        if (!reps[m])
            continue;
        json_t *e = json_pack("{s:I, s:I, s:f, s:f, s:f}", "minute", (json_int_t)m, "repetitions", (json_int_t)reps[m],
                              "interference_mean", sum_i[m] / (double)reps[m], "interference_max", max_i[m],
                              "steal_mean", sum_s[m] / (double)reps[m]);
        if (corun[m]) /* of the repetitions that ran the co-run test, how many found a core shared */
            json_object_set_new(e, "shared_core", json_pack("{s:I, s:I}", "tested", (json_int_t)corun[m], "shared",
                                                            (json_int_t)shared[m]));
        json_array_append_new(out, e);
    }
    return out;
}

json_t *ceil_ex_trust_summary(struct ctx *c, json_t *bench)
{
    json_t *checks = json_object(), *list = json_array();
    size_t total = 0, stable = 0, remeasured = 0, paired = 0, measured = 0, tested = 0, shared = 0, left_out = 0;
    for (size_t i = 0; i < c->count; i++) {
        struct point *p = &c->pts[i];
        if (strcmp(p->mode, "batched") && strcmp(p->mode, "pertick"))
            continue;
        total++;
        tested += p->corun_reps;
        shared += p->shared_reps;
        left_out += p->left_out;
        stable += p->stable;
        remeasured += p->nvalues[1] > 0;
        paired += p->paired;
        measured += isfinite(p->interference) || isfinite(p->steal);
        json_t *reason;
        size_t k;
        json_array_foreach(p->reasons, k, reason) {
            const char *check = ceil_ex_str(reason, "check");
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
    json_t *out = json_pack("{s:I, s:I, s:I, s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:s}", "points", (json_int_t)total,
                            "stable", (json_int_t)stable, "unstable", (json_int_t)(total - stable), "checks", checks,
                            "paired", (json_int_t)paired, "remeasured", (json_int_t)remeasured, "interference",
                            interference, "steal", steal, "timeline", timeline(c, bench), "unstable_points", list,
                            "advice", advice);
    if (tested) { /* the team repetitions that ran the co-run test, how many found a core shared beyond the
                   * usual at their worker count, how many of those were left out of their point's median;
                   * and the usual ratio by worker count */
        json_t *usual = json_array();
        for (size_t k = 0; k < c->corun_counts; k++)
            json_array_append_new(usual, json_pack("{s:f, s:f}", "workers", c->corun_workers[k], "ratio", c->corun_usual[k]));
        json_object_set_new(out, "shared_core", json_pack("{s:I, s:I, s:I, s:f, s:o}", "tested", (json_int_t)tested, "shared",
                                                          (json_int_t)shared, "left_out", (json_int_t)left_out,
                                                          "threshold", CEIL_SHARED_CORE, "usual", usual));
    }
    return out;
}
