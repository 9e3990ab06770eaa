/* Reading machine facts from /proc, /sys and CPUID. */
#include "machine.h"

#include "build_info.h"

#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

uint64_t ceil_mem_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return 0;
    char line[256];
    uint64_t kb = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "MemAvailable: %" SCNu64 " kB", &kb) == 1)
            break;
    fclose(f);
    return kb * 1024;
}

void ceil_thp_setting(const char *which, char *out, size_t len)
{
    char path[128], line[256];
    snprintf(path, sizeof path, "/sys/kernel/mm/transparent_hugepage/%s", which);
    snprintf(out, len, "unavailable");
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (fgets(line, sizeof line, f)) {
        char *open = strchr(line, '['), *close = open ? strchr(open, ']') : NULL;
        if (open && close)
            snprintf(out, len, "%.*s", (int)(close - open - 1), open + 1);
    }
    fclose(f);
}

size_t ceil_page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (size_t)p : 4096;
}

void ceil_hypervisor(char *out, size_t len)
{
    snprintf(out, len, "%s", "");
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    __cpuid(1, a, b, c, d);
    if (!(c & (1u << 31))) /* the hypervisor-present bit */
        return;
    __cpuid(0x40000000, a, b, c, d);
    char vendor[13];
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &c, 4);
    memcpy(vendor + 8, &d, 4);
    vendor[12] = '\0';
    snprintf(out, len, "%s", vendor[0] ? vendor : "unknown hypervisor");
#endif
}

const char *ceil_build_compiler(void) { return CEIL_BUILD_COMPILER; }
const char *ceil_build_flags(void) { return CEIL_BUILD_FLAGS; }

double ceil_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
