/* Reading likwid-perfctr's output (its text tables, or the CSV of -O) into JSON. */
#ifndef CEIL_LIKWID_PARSE_H
#define CEIL_LIKWID_PARSE_H

#include "arrays.h"

#include <jansson.h>
#include <stdio.h>

/* Parses a whole likwid-perfctr output. The result:
 *   {"format": "text"|"csv", "cpu": {"name", "type", "clock"},
 *    "regions": {REGION: {GROUP: {"group_index": 1, "cpus": ["Core 0", ...],
 *        "info":    {"RDTSC Runtime [s]": {"Core 0": 2.05, ...}, "call count": {...}},
 *        "events":  [{"event", "counter", "values": {CPU: n}, "stat": {"sum","min","max","avg"}}],
 *        "metrics": {METRIC: {"values": {CPU: n}, "stat": {"sum","min","max","avg"}}}}}}}
 * Region, group, event, metric and CPU names are exactly as likwid prints them; a run without
 * the Marker API has one region named "(whole run)". Values are numbers; likwid's "nan",
 * "inf" and "-" become null, never 0. "stat" is present when likwid printed STAT tables.
 * Strict: a table row whose width differs from its header, a value that is not a number, a
 * STAT row with no per-CPU row, or no table at all is an error "LINE: what" in err, and NULL. */
json_t *ceil_likwid_parse(FILE *in, const char *name, char err[CEIL_ERRLEN]);

/* The region name used for output without Marker API regions. */
#define CEIL_LIKWID_WHOLE_RUN "(whole run)"

#endif
