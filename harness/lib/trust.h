/* How far a measurement can be trusted: the median's interval over repetitions, and what else
 * ran on the machine meanwhile (the kernel's accounting: /proc/stat and each task's run delay). */
#ifndef CEIL_TRUST_H
#define CEIL_TRUST_H

#include <stddef.h>
#include <stdint.h>

/* The median of v[0..n) (v is not changed); NAN for n = 0. */
double ceil_median(const double *v, size_t n);

/* The relative half-width of a 95% interval for the median of v[0..n): the normal
 * approximation of the median's standard error, 1.2533 s / sqrt(n), with s robust to the odd
 * outlier as the median is (1.4826 x the median absolute deviation), times Student's t at n - 1
 * degrees of freedom for small n, over the median. INFINITY below 2 values or for a median of 0. */
double ceil_median_spread(const double *v, size_t n);

/* One CPU's line of /proc/stat, in clock ticks (USER_HZ). */
struct ceil_cpu_ticks {
    int cpu;
    uint64_t busy;  /* user + nice + system + irq + softirq */
    uint64_t idle;  /* idle + iowait */
    uint64_t steal; /* time the hypervisor ran something else while this vCPU wanted to run */
};

enum { CEIL_CPUSTAT_MAX = 512 };

struct ceil_cpustat {
    unsigned count;
    struct ceil_cpu_ticks cpu[CEIL_CPUSTAT_MAX];
};

/* Parses the text of /proc/stat (the cpuN lines; the "cpu" total is skipped). Returns the CPUs
 * found, or -1 when no cpuN line parses. */
int ceil_cpustat_parse(const char *text, struct ceil_cpustat *s);

/* Reads /proc/stat now. Returns the CPUs found, or -1. */
int ceil_cpustat_read(struct ceil_cpustat *s);

/* Seconds of steal, and of busy time, on the listed CPUs between two readings (all CPUs when
 * cpus is NULL). Ticks are USER_HZ (sysconf(_SC_CLK_TCK)): a 10 ms grain at 100 Hz. */
double ceil_cpustat_steal(const struct ceil_cpustat *before, const struct ceil_cpustat *after, const int *cpus,
                          unsigned ncpus);
double ceil_cpustat_busy(const struct ceil_cpustat *before, const struct ceil_cpustat *after, const int *cpus,
                         unsigned ncpus);

/* The run delay in a task's /proc/.../schedstat text (its second field, nanoseconds): how long
 * the task was runnable but waited while the CPU ran something else. Seconds, or NAN. */
double ceil_schedstat_delay(const char *text);

#endif
