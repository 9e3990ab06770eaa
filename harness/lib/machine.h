/* Facts about this machine and build that a result must carry to be read correctly. */
#ifndef CEIL_MACHINE_H
#define CEIL_MACHINE_H

#include <stddef.h>
#include <stdint.h>

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

/* Seconds on the monotonic clock. */
double ceil_now(void);

#endif
