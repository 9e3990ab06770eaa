/* Facts about this machine and build that a result must carry to be read correctly. */
#ifndef CEIL_MACHINE_H
#define CEIL_MACHINE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Bytes the kernel says can be allocated without swapping (MemAvailable), or 0 if unknown. */
uint64_t ceil_mem_available(void);

/* The selected word of a THP setting ("enabled" or "shmem_enabled"), e.g. "madvise",
 * or "unavailable". */
void ceil_thp_setting(const char *which, char *out, size_t len);

size_t ceil_page_size(void);

/* The hypervisor's CPUID vendor ("KVMKVMKVM", ...) if this runs in a VM, else "". */
void ceil_hypervisor(char *out, size_t len);

/* The compiler and the flags the kernels were built with. */
const char *ceil_build_compiler(void);
const char *ceil_build_flags(void);

/* The threads of this process and its live child processes, as CPU clocks: a team's CPU time,
 * forked workers included, is the difference of two readings while the team is alive. A thread
 * of this process reads exactly, also while it runs on another CPU; a child process's clock
 * lags by up to one scheduler tick (1-4 ms) while the child runs, so over short windows (a few
 * ms) a forked team's CPU time is low by up to a tick per worker. */
enum { CEIL_CPU_TREE_MAX = 1024 };
struct ceil_cpu_tree {
    clockid_t clocks[CEIL_CPU_TREE_MAX];
    long ids[CEIL_CPU_TREE_MAX];               /* thread or process id */
    unsigned char child[CEIL_CPU_TREE_MAX];    /* 1: a child process, 0: a thread of this one */
    unsigned count;
};

/* Finds every thread of this process, and the children of each (/proc/self/task/TID/children). */
void ceil_cpu_tree_find(struct ceil_cpu_tree *t);

/* CPU seconds used so far by the threads found. */
double ceil_cpu_tree_seconds(const struct ceil_cpu_tree *t);

/* Seconds the tasks found have waited so far while runnable, the CPU running something else:
 * the kernel's run delay (schedstat), to the nanosecond. The CPU time other tasks took from
 * ours, as our tasks saw it. NAN where the kernel keeps no schedstat. */
double ceil_cpu_tree_delay(const struct ceil_cpu_tree *t);

/* Seconds on the monotonic clock. */
double ceil_now(void);

#endif
