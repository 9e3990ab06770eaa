/* The kernel table: one row per kernel, and the rates derived from it. */
#include "kernel.h"

#include <string.h>

const struct ceil_kernel ceil_kernels[] = {
    {
        .name = "motion",
        .formula = "pos[i] += vel[i] * dt",
        .bound = "memory",
        .n_arrays = 2,
        .arrays = { { "pos", CEIL_READ | CEIL_WRITE }, { "vel", CEIL_READ } },
        /* one multiply, one add (fused into one FMA where the CPU has it) */
        .flops_per_elem = 2,
        .init = ceil_motion_init,
        .tick = ceil_motion_tick,
    },
    {
        .name = "trig",
        .formula = "out[i] += sinf(x[i])^2 + cosf(x[i])^2",
        .bound = "compute",
        .n_arrays = 2,
        .arrays = { { "out", CEIL_READ | CEIL_WRITE }, { "x", CEIL_READ } },
        /* 4 in the body (2 mul, 2 add) + 19 for sinf + 21 for cosf: the floating-point
         * instructions on the fast path of glibc 2.36 libmvec's _ZGVeN16v_sinf_skx and
         * _ZGVeN16v_cosf_skx (an FMA counts 2), read off their disassembly. A model: other
         * glibc versions and vector widths differ by a few flops. */
        .flops_per_elem = 44,
        .init = ceil_trig_init,
        .tick = ceil_trig_tick,
    },
    {
        .name = "trig-scalar",
        .formula = "out[i] += sinf(x[i])^2 + cosf(x[i])^2, scalar libm",
        .bound = "compute",
        .baseline = 1,
        .n_arrays = 2,
        .arrays = { { "out", CEIL_READ | CEIL_WRITE }, { "x", CEIL_READ } },
        /* the same model as trig: the work is the same, only the instructions differ */
        .flops_per_elem = 44,
        .init = ceil_trig_scalar_init,
        .tick = ceil_trig_scalar_tick,
    },
    {
        .name = "starve",
        .formula = "to_remove = [i for i if energy[i] <= 0], per worker, merged in worker order",
        .bound = "memory",
        .n_arrays = 3,
        /* each worker emits into its own slice of `segment`; merge gathers them into to_remove */
        .arrays = { { "energy", CEIL_READ },
                    { "segment", CEIL_WRITE | CEIL_EMIT | CEIL_SCRATCH },
                    { "to_remove", CEIL_WRITE | CEIL_EMIT } },
        .flops_per_elem = 0, /* one compare per element, no arithmetic */
        .init = ceil_starve_init,
        .tick = ceil_starve_tick,
        .merge = ceil_starve_merge,
    },
};

const unsigned ceil_kernel_count = sizeof ceil_kernels / sizeof ceil_kernels[0];

const struct ceil_kernel *ceil_kernel_find(const char *name)
{
    for (unsigned i = 0; i < ceil_kernel_count; i++)
        if (strcmp(ceil_kernels[i].name, name) == 0)
            return &ceil_kernels[i];
    return NULL;
}

double ceil_kernel_bytes(const struct ceil_kernel *k)
{
    double bytes = 0;
    for (unsigned a = 0; a < k->n_arrays; a++) {
        if (k->arrays[a].access & CEIL_EMIT)
            continue;
        if (k->arrays[a].access & CEIL_READ)
            bytes += sizeof(float);
        if (k->arrays[a].access & CEIL_WRITE)
            bytes += sizeof(float);
    }
    return bytes;
}

double ceil_kernel_footprint(const struct ceil_kernel *k)
{
    double bytes = 0;
    for (unsigned a = 0; a < k->n_arrays; a++)
        if (!(k->arrays[a].access & CEIL_EMIT))
            bytes += sizeof(float);
    return bytes;
}
