/* The emitting kernel: which entities starve (energy <= 0), found by workers in parallel.
 *
 * A worker's segment is its own slice of the `segment` array: it can select at most as many
 * indices as it has elements, so the slice holds them, and the partition that keeps the
 * workers' writes apart keeps their segments apart too. No per-worker buffer, no lock. */
#include "kernel.h"
#include "partition.h"

#include <string.h>

static uint32_t *as_indices(float *a) { return (uint32_t *)(void *)a; }

void ceil_starve_init(float *const arrays[], size_t begin, size_t end)
{
    float *energy = arrays[0];
    uint32_t *segment = as_indices(arrays[1]), *to_remove = as_indices(arrays[2]);
    for (size_t i = begin; i < end; i++) {
        /* about one in ten at or below zero, spread without pattern */
        energy[i] = (float)((uint32_t)(i * 2654435761u) >> 25) - 12.0f;
        segment[i] = 0;
        to_remove[i] = 0;
    }
}

void ceil_starve_tick(float *const arrays[], size_t begin, size_t end)
{
    const float *restrict energy = arrays[0];
    uint32_t *restrict segment = as_indices(arrays[1]);
    size_t k = begin;
    for (size_t i = begin; i < end; i++) {
        segment[k] = (uint32_t)i; /* written always, kept only when selected: no branch */
        k += energy[i] <= 0.0f;
    }
    if (k < end)
        segment[k] = CEIL_END;
}

size_t ceil_starve_merge(float *const arrays[], const struct ceil_slice *slices, unsigned workers)
{
    const uint32_t *segment = as_indices(arrays[1]);
    uint32_t *to_remove = as_indices(arrays[2]);
    size_t count = 0;
    for (unsigned w = 0; w < workers; w++) {
        size_t k = slices[w].begin;
        while (k < slices[w].end && segment[k] != CEIL_END)
            k++;
        memcpy(to_remove + count, segment + slices[w].begin, (k - slices[w].begin) * sizeof *to_remove);
        count += k - slices[w].begin;
    }
    if (workers && count < slices[workers - 1].end)
        to_remove[count] = CEIL_END;
    return count;
}
