/* Mapping the kernel arrays: page-aligned arrays in one shared anonymous mapping. */
#include "arrays.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static size_t page_size(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (size_t)p : 4096;
}

/* Bytes of one array rounded up to a page, or 0 on overflow. */
static size_t array_stride(size_t n)
{
    size_t page = page_size();
    if (n > (SIZE_MAX - page) / sizeof(float))
        return 0;
    return (n * sizeof(float) + page - 1) / page * page;
}

size_t ceil_arrays_bytes(const struct ceil_kernel *k, size_t n)
{
    size_t stride = array_stride(n ? n : 1);
    if (stride == 0 || stride > SIZE_MAX / k->n_arrays)
        return 0;
    return stride * k->n_arrays;
}

int ceil_arrays_map(struct ceil_arrays *arr, const struct ceil_kernel *k, size_t n,
                    char err[CEIL_ERRLEN])
{
    memset(arr, 0, sizeof *arr);
    size_t bytes = ceil_arrays_bytes(k, n);
    if (bytes == 0) {
        snprintf(err, CEIL_ERRLEN, "%zu elements of %s overflow the address space", n, k->name);
        return -EOVERFLOW;
    }
    void *base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        int e = errno;
        snprintf(err, CEIL_ERRLEN, "cannot map %zu bytes of shared memory: %s", bytes, strerror(e));
        return -e;
    }
    size_t stride = bytes / k->n_arrays;
    for (unsigned a = 0; a < k->n_arrays; a++)
        arr->a[a] = (float *)((char *)base + a * stride);
    arr->count = k->n_arrays;
    arr->n = n;
    arr->base = base;
    arr->bytes = bytes;
    return 0;
}

void ceil_arrays_unmap(struct ceil_arrays *arr)
{
    if (arr->base)
        munmap(arr->base, arr->bytes);
    memset(arr, 0, sizeof *arr);
}
