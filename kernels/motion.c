/* The memory-bound kernel: pos[i] += vel[i] * dt, 12 bytes and 2 flops per element. */
#include "kernel.h"

void ceil_motion_init(float *const arrays[], size_t begin, size_t end)
{
    float *pos = arrays[0], *vel = arrays[1];
    for (size_t i = begin; i < end; i++) {
        pos[i] = (float)(i % 1024) * 0.5f;
        vel[i] = (float)((i * 7) % 13) - 6.0f;
    }
}

void ceil_motion_tick(float *const arrays[], size_t begin, size_t end)
{
    float *restrict pos = arrays[0];
    const float *restrict vel = arrays[1];
#pragma omp simd
    for (size_t i = begin; i < end; i++)
        pos[i] += vel[i] * CEIL_MOTION_DT;
}
