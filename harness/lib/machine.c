/* Reading machine facts from /proc, /sys and CPUID. */
#include "machine.h"

#include "build_info.h"
#include "trust.h"

#include <math.h>
#include <dirent.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
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

static double clock_seconds(clockid_t id)
{
    struct timespec ts;
    return clock_gettime(id, &ts) == 0 ? (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9 : 0;
}

/* A thread's CPU clock from its id: the kernel's encoding (CPUCLOCK_PERTHREAD | CPUCLOCK_SCHED).
 * It reads a thread running on another CPU exactly, but only for threads of this process. */
static clockid_t thread_clock(long tid) { return (clockid_t)((~(unsigned long)tid << 3) | 6); }

/* Adds the clock of every thread of this process, and the process clock of each of their children
 * (a process clock counts a child running right now only up to its last scheduler tick). */
static void add_tree(struct ceil_cpu_tree *t)
{
    char path[300];
    DIR *tasks = opendir("/proc/self/task");
    for (struct dirent *d; tasks && (d = readdir(tasks)) != NULL;) {
        if (d->d_name[0] == '.')
            continue;
        if (t->count < CEIL_CPU_TREE_MAX) {
            t->ids[t->count] = atol(d->d_name);
            t->child[t->count] = 0;
            t->clocks[t->count++] = thread_clock(atol(d->d_name));
        }
        snprintf(path, sizeof path, "/proc/self/task/%s/children", d->d_name);
        FILE *f = fopen(path, "r");
        for (long child; f && t->count < CEIL_CPU_TREE_MAX && fscanf(f, "%ld", &child) == 1;)
            if (clock_getcpuclockid((pid_t)child, &t->clocks[t->count]) == 0) {
                t->ids[t->count] = child;
                t->child[t->count++] = 1;
            }
        if (f)
            fclose(f);
    }
    if (tasks)
        closedir(tasks);
}

void ceil_cpu_tree_find(struct ceil_cpu_tree *t)
{
    t->count = 0;
    add_tree(t);
}

double ceil_cpu_tree_seconds(const struct ceil_cpu_tree *t)
{
    double total = 0;
    for (unsigned i = 0; i < t->count; i++)
        total += clock_seconds(t->clocks[i]);
    return total;
}

double ceil_cpu_tree_delay(const struct ceil_cpu_tree *t)
{
    char path[64], text[128];
    double total = 0;
    int seen = 0;
    for (unsigned i = 0; i < t->count; i++) {
        snprintf(path, sizeof path, t->child[i] ? "/proc/%ld/schedstat" : "/proc/self/task/%ld/schedstat", t->ids[i]);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        double d = fgets(text, sizeof text, f) ? ceil_schedstat_delay(text) : NAN;
        fclose(f);
        if (isfinite(d))
            total += d, seen = 1;
    }
    return seen ? total : NAN;
}
