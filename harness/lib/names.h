/* A point's name, KERNEL/SERIES/MODE/n:N/workers:W: how the sweep, the Marker API regions, the
 * profile and the verdicts name one point (SERIES is a variant, or VARIANT-BARRIER on another
 * barrier than its default; MODE is batched, pertick, dispatch or startup). */
#ifndef CEIL_NAMES_H
#define CEIL_NAMES_H

#include <stddef.h>
#include <stdint.h>

struct ceil_point_name {
    char kernel[32], series[32], mode[16];
    uint64_t n;
    unsigned workers;
};

/* Writes the name into out (len bytes); returns what snprintf returns. */
int ceil_point_name_format(char *out, size_t len, const char *kernel, const char *series, const char *mode, uint64_t n,
                           unsigned workers);

/* Reads a name back: 0, or -1 if `text` is not one. */
int ceil_point_name_parse(const char *text, struct ceil_point_name *out);

#endif
