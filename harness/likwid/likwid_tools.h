/* What likwid can do on this machine: its tools, its version, and whether counters work. */
#ifndef CEIL_LIKWID_TOOLS_H
#define CEIL_LIKWID_TOOLS_H

#include "arrays.h"

#include <jansson.h>

enum { CEIL_LIKWID_MAX_GROUPS = 96 };

struct ceil_likwid {
    int has_bench, has_perfctr;
    char version[32];          /* "5.2.2", or "" */
    int counters;              /* likwid-perfctr measured a trial group on this CPU */
    char reason[CEIL_ERRLEN];  /* why not, in likwid's own words */
    char groups[CEIL_LIKWID_MAX_GROUPS][32];
    unsigned n_groups;         /* what likwid-perfctr -a lists */
};

/* Finds the tools and tries the counters once: likwid-perfctr -a, then one trial measurement
 * of `true` on one CPU. Takes about a second; never fails (the result says what works). */
void ceil_likwid_detect(struct ceil_likwid *lw);

/* The first of the NULL-terminated `wanted` groups that this CPU has, or NULL. */
const char *ceil_likwid_group(const struct ceil_likwid *lw, const char *const wanted[]);

/* {"likwid_bench": bool, "likwid_perfctr": bool, "version", "available": bool, "reason",
 *  "groups": [...]}: "reason" only when counters are unavailable. */
json_t *ceil_likwid_json(const struct ceil_likwid *lw);

#endif
