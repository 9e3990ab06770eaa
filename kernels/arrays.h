/* The arrays a kernel runs on: one shared mapping, placed the same way for every variant. */
#ifndef CEIL_ARRAYS_H
#define CEIL_ARRAYS_H

#include "kernel.h"

#include <stddef.h>

enum { CEIL_ERRLEN = 256 };

struct ceil_arrays {
    float *a[CEIL_MAX_ARRAYS];
    unsigned count;
    size_t n;
    void *base;   /* the mapping */
    size_t bytes; /* its length */
};

/* Maps room for the kernel's arrays of n floats each: one MAP_SHARED|MAP_ANONYMOUS mapping,
 * each array page-aligned. Serial and OpenMP runs use it too, although they need no sharing,
 * so that all variants get the same page policy (shared memory: THP by shmem_enabled) and
 * nothing differs but the execution model. No page is touched here: each worker's init call
 * on its own slice is the first touch. Nothing is created in /dev/shm.
 * Returns 0, or -errno with a message in err. */
int ceil_arrays_map(struct ceil_arrays *arr, const struct ceil_kernel *k, size_t n,
                    char err[CEIL_ERRLEN]);

/* Unmaps; accepts a zeroed or already-unmapped struct. */
void ceil_arrays_unmap(struct ceil_arrays *arr);

/* Bytes the mapping for n elements of kernel k will take, or 0 if that overflows size_t. */
size_t ceil_arrays_bytes(const struct ceil_kernel *k, size_t n);

#endif
