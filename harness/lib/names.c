/* Building and reading point names: the one place that knows their form. */
#include "names.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int ceil_point_name_format(char *out, size_t len, const char *kernel, const char *series, const char *mode, uint64_t n,
                           unsigned workers)
{
    return snprintf(out, len, "%s/%s/%s/n:%" PRIu64 "/workers:%u", kernel, series, mode, n, workers);
}

int ceil_point_name_parse(const char *text, struct ceil_point_name *out)
{
    unsigned long long n;
    unsigned w;
    int end = 0;
    memset(out, 0, sizeof *out);
    if (sscanf(text, "%31[^/]/%31[^/]/%15[^/]/n:%llu/workers:%u%n", out->kernel, out->series, out->mode, &n, &w, &end) != 5 ||
        text[end] != '\0')
        return -1;
    out->n = n;
    out->workers = w;
    return 0;
}
