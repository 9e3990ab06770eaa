/* Totals from likwid's metric tables, and their per-element-tick form. */
#include "profile.h"

#include <string.h>

static double number_or(json_t *v, double fallback) { return json_is_number(v) ? json_number_value(v) : fallback; }

/* The sum over CPUs of a metric: likwid's STAT sum when printed, else the one CPU's value. */
static int metric_sum(json_t *metric, double *out)
{
    json_t *stat = json_object_get(metric, "stat");
    if (stat) {
        *out = number_or(json_object_get(stat, "sum"), 0);
        return json_is_number(json_object_get(stat, "sum")) ? 0 : -1;
    }
    double sum = 0;
    const char *cpu;
    json_t *v;
    json_object_foreach(json_object_get(metric, "values"), cpu, v) {
        if (!json_is_number(v))
            return -1;
        sum += json_number_value(v);
    }
    *out = sum;
    return 0;
}

/* flops = sum over CPUs of MFLOP/s x runtime; rates are per CPU, so STAT sums would not do. */
static int flops(json_t *metrics, json_t *rate, double *out)
{
    json_t *runtime = json_object_get(json_object_get(metrics, "Runtime (RDTSC) [s]"), "values");
    if (!runtime)
        return -1;
    double sum = 0;
    const char *cpu;
    json_t *v;
    json_object_foreach(json_object_get(rate, "values"), cpu, v) {
        json_t *seconds = json_object_get(runtime, cpu);
        if (!json_is_number(v) || !json_is_number(seconds))
            return -1;
        sum += json_number_value(v) * 1e6 * json_number_value(seconds);
    }
    *out = sum;
    return 0;
}

int ceil_totals_of(json_t *group, struct ceil_totals *t)
{
    memset(t, 0, sizeof *t);
    json_t *metrics = json_object_get(group, "metrics"), *m;
    const char *name;
    int rc = 0;
    json_object_foreach(metrics, name, m) {
        double v;
        if (strstr(name, "data volume [GBytes]") && !strstr(name, " read ") && !strstr(name, " write ") &&
            !strstr(name, " evict ") && !strstr(name, " load ")) {
            if (metric_sum(m, &v) != 0)
                continue;
            if (strncmp(name, "Memory", 6) == 0)
                t->memory_bytes = v * 1e9, t->has_memory = 1;
            else if (strncmp(name, "L2", 2) == 0)
                t->l2_bytes = v * 1e9, t->has_l2 = 1;
            else if (strncmp(name, "L3", 2) == 0)
                t->l3_bytes = v * 1e9, t->has_l3 = 1;
        } else if (strcmp(name, "SP [MFLOP/s]") == 0) {
            rc |= flops(metrics, m, &t->flops_sp);
            t->has_sp = rc == 0;
        } else if (strcmp(name, "DP [MFLOP/s]") == 0) {
            rc |= flops(metrics, m, &t->flops_dp);
            t->has_dp = rc == 0;
        }
    }
    return rc ? -1 : 0;
}

struct ceil_totals ceil_totals_diff(const struct ceil_totals *a, const struct ceil_totals *b)
{
    struct ceil_totals d = { 0 };
#define DIFF(q, has)                                                                                        \
    if (a->has && b->has)                                                                                   \
        d.q = a->q - b->q, d.has = 1;
    DIFF(memory_bytes, has_memory)
    DIFF(l2_bytes, has_l2)
    DIFF(l3_bytes, has_l3)
    DIFF(flops_sp, has_sp)
    DIFF(flops_dp, has_dp)
#undef DIFF
    return d;
}

json_t *ceil_totals_json(const struct ceil_totals *t, double elem_ticks)
{
    json_t *bytes = json_object(), *o = json_object();
    if (t->has_memory)
        json_object_set_new(bytes, "memory", json_real(t->memory_bytes / elem_ticks));
    if (t->has_l2)
        json_object_set_new(bytes, "L2", json_real(t->l2_bytes / elem_ticks));
    if (t->has_l3)
        json_object_set_new(bytes, "L3", json_real(t->l3_bytes / elem_ticks));
    json_object_set_new(o, "bytes_per_elem", bytes);
    if (t->has_sp || t->has_dp) {
        double f = (t->has_sp ? t->flops_sp : 0) + (t->has_dp ? t->flops_dp : 0);
        json_object_set_new(o, "flops_per_elem", json_real(f / elem_ticks));
        if (t->has_memory && t->memory_bytes > 0)
            json_object_set_new(o, "intensity", json_real(f / t->memory_bytes));
    }
    return o;
}
