/* Parsing and printing CPU lists. */
#include "cpulist.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_cpu(const char *s, char **end, long *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    *out = strtol(s, end, 10);
    return errno || *out > 1000000 ? -1 : 0;
}

int ceil_parse_cpulist(const char *text, const struct ceil_topo *t, int *out, unsigned max, char err[CEIL_ERRLEN])
{
    unsigned count = 0;
    const char *s = text;
    for (;;) {
        char *end;
        long lo, hi;
        if (parse_cpu(s, &end, &lo) != 0)
            break;
        hi = lo;
        if (*end == '-' && parse_cpu(end + 1, &end, &hi) != 0)
            break;
        if (hi < lo) {
            snprintf(err, CEIL_ERRLEN, "'%.100s': range %ld-%ld runs backwards", text, lo, hi);
            return -1;
        }
        for (long c = lo; c <= hi; c++) {
            if (!ceil_topo_has_cpu(t, (int)c)) {
                snprintf(err, CEIL_ERRLEN, "CPU %ld is not one this process can use (see likwid-topology)", c);
                return -1;
            }
            if (count == max) {
                snprintf(err, CEIL_ERRLEN, "'%.100s' names more than %u CPUs", text, max);
                return -1;
            }
            out[count++] = (int)c;
        }
        if (*end == '\0')
            return (int)count;
        if (*end != ',')
            break;
        s = end + 1;
    }
    snprintf(err, CEIL_ERRLEN, "'%.100s' is not a CPU list like 0-3,8", text);
    return -1;
}

void ceil_format_cpulist(const int *cpus, unsigned count, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < count; i++) {
        int n = snprintf(out + used, len - used, "%s%d", i ? "," : "", cpus[i]);
        if (n < 0 || (size_t)n >= len - used) {
            snprintf(out + (len > 4 ? len - 4 : 0), len > 4 ? 4 : len, "...");
            return;
        }
        used += (size_t)n;
    }
}
