/* From likwid-perfctr tables to what a verdict needs: bytes and flops per element-tick. */
#ifndef CEIL_PROFILE_H
#define CEIL_PROFILE_H

#include <jansson.h>

/* Totals over the CPUs of one group of one region, from likwid's metrics:
 * every "... data volume [GBytes]" metric (memory, L2, L3: the name's first word is the key),
 * flops from "SP|DP [MFLOP/s]" x "Runtime (RDTSC) [s]" per CPU. A quantity the group does not
 * measure is absent, never 0. */
struct ceil_totals {
    double memory_bytes, l2_bytes, l3_bytes;
    int has_memory, has_l2, has_l3;
    double flops_sp, flops_dp;
    int has_sp, has_dp;
};

/* Fills t from a parsed group (ceil_likwid_parse: regions -> REGION -> GROUP). Returns 0, or
 * -1 when the group lacks what a total needs (no per-CPU runtime for the flops). */
int ceil_totals_of(json_t *group, struct ceil_totals *t);

/* a - b, quantity by quantity (present in both): the two-run difference for whole runs. */
struct ceil_totals ceil_totals_diff(const struct ceil_totals *a, const struct ceil_totals *b);

/* {"bytes_per_elem": {"memory": x, "L2": y, "L3": z}, "flops_per_elem": f, "intensity": f/x}
 * for `elem_ticks` element-ticks; keys only for what was measured. */
json_t *ceil_totals_json(const struct ceil_totals *t, double elem_ticks);

#endif
