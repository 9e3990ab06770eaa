/* The probe loops: daxpy (motion's pattern), copy, load, and FMA chains held in registers. */
#include "probe.h"

static void probe_init(float *const a[], size_t begin, size_t end)
{
    for (size_t i = begin; i < end; i++) {
        a[0][i] = 1.0f;
        if (a[1])
            a[1][i] = 0.5f;
    }
}

/* y[i] += 0.5 * x[i]: two loads and a store of float, as likwid-bench's daxpy_sp */
static void daxpy_tick(float *const a[], size_t begin, size_t end)
{
    float *restrict y = a[0];
    const float *restrict x = a[1];
#pragma omp simd
    for (size_t i = begin; i < end; i++)
        y[i] += 0.5f * x[i];
}

/* y[i] = x[i] */
static void copy_tick(float *const a[], size_t begin, size_t end)
{
    float *restrict y = a[0];
    const float *restrict x = a[1];
#pragma omp simd
    for (size_t i = begin; i < end; i++)
        y[i] = x[i];
}

/* the slice's sum, stored in its first element so that the loads cannot be dropped */
static void load_tick(float *const a[], size_t begin, size_t end)
{
    const float *restrict x = a[0];
    float s = 0;
#pragma omp simd reduction(+ : s)
    for (size_t i = begin; i < end; i++)
        s += x[i];
    if (begin < end)
        a[0][begin] = s * 1e-30f + x[begin];
}

enum { CHAIN = 128, ROUNDS = 64 }; /* 128 floats: 8 AVX-512 registers of independent FMA chains */

/* 2 x ROUNDS flops per element on values held in registers: the FMA units, not memory */
static void peakflops_tick(float *const a[], size_t begin, size_t end)
{
    float *restrict x = a[0];
    size_t i = begin;
    for (; i + CHAIN <= end; i += CHAIN) {
        float v[CHAIN];
        for (int j = 0; j < CHAIN; j++)
            v[j] = x[i + j];
        for (int r = 0; r < ROUNDS; r++) {
#pragma omp simd
            for (int j = 0; j < CHAIN; j++)
                v[j] = v[j] * 0.5f + 0.5f;
        }
        for (int j = 0; j < CHAIN; j++)
            x[i + j] = v[j];
    }
    for (; i < end; i++)
        for (int r = 0; r < ROUNDS; r++)
            x[i] = x[i] * 0.5f + 0.5f;
}

const struct ceil_kernel ceil_probe_daxpy = {
    .name = "daxpy", .formula = "y[i] += 0.5 * x[i]", .bound = "memory", .n_arrays = 2,
    .arrays = { { "y", CEIL_READ | CEIL_WRITE }, { "x", CEIL_READ } },
    .flops_per_elem = 2, .init = probe_init, .tick = daxpy_tick,
};
const struct ceil_kernel ceil_probe_copy = {
    .name = "copy", .formula = "y[i] = x[i]", .bound = "memory", .n_arrays = 2,
    .arrays = { { "y", CEIL_WRITE }, { "x", CEIL_READ } },
    .flops_per_elem = 0, .init = probe_init, .tick = copy_tick,
};
const struct ceil_kernel ceil_probe_load = {
    .name = "load", .formula = "s += x[i]", .bound = "memory", .n_arrays = 1,
    .arrays = { { "x", CEIL_READ } },
    .flops_per_elem = 1, .init = probe_init, .tick = load_tick,
};
const struct ceil_kernel ceil_probe_peakflops = {
    .name = "peakflops", .formula = "x = x * 0.5 + 0.5, 64 times, in registers", .bound = "compute", .n_arrays = 1,
    .arrays = { { "x", CEIL_READ | CEIL_WRITE } },
    .flops_per_elem = 2 * ROUNDS, .init = probe_init, .tick = peakflops_tick,
};
