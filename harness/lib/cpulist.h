/* CPU lists in the notation of likwid-pin -c and taskset -c: "0-3,8,10-11". */
#ifndef CEIL_CPULIST_H
#define CEIL_CPULIST_H

#include "topology.h"

/* Parses `text` into at most `max` OS CPU indices, in the order written. Every CPU must exist
 * in the topology. Returns the count, or -1 with what is wrong in err. */
int ceil_parse_cpulist(const char *text, const struct ceil_topo *t, int *out, unsigned max, char err[CEIL_ERRLEN]);

/* Writes "0,1,2" for a list (truncating with "..." if it does not fit). */
void ceil_format_cpulist(const int *cpus, unsigned count, char *out, size_t len);

#endif
