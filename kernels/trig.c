/* The compute-bound kernel: out[i] += sinf(x[i])^2 + cosf(x[i])^2, through libmvec.
 *
 * gcc 12 merges sinf and cosf into one scalar sincosf before the vectoriser runs, and glibc
 * 2.36 declares the vector variants only under -ffast-math. So this file declares them itself
 * and meson compiles it alone with -fno-math-errno -fno-builtin-sinf -fno-builtin-cosf: the
 * loop then calls _ZGV*_sinf/_ZGV*_cosf (tests/trig_symbols.sh checks the object file).
 *
 * Compiled a second time with CEIL_TRIG_SCALAR and default flags, it is the same loop as a
 * plain -O3 build leaves it (one scalar sincosf per element): the baseline that the
 * vectorisation gain is measured against. */
#include "kernel.h"

#ifdef CEIL_TRIG_SCALAR
#include <math.h>
#define TRIG_INIT ceil_trig_scalar_init
#define TRIG_TICK ceil_trig_scalar_tick
#else
__attribute__((simd("notinbranch"))) float sinf(float);
__attribute__((simd("notinbranch"))) float cosf(float);
#define TRIG_INIT ceil_trig_init
#define TRIG_TICK ceil_trig_tick
#endif

void TRIG_INIT(float *const arrays[], size_t begin, size_t end)
{
    float *out = arrays[0], *x = arrays[1];
    for (size_t i = begin; i < end; i++) {
        out[i] = 0.0f;
        /* |x| <= 50: far below the 1e4 where the vector variants take their slow path. */
        x[i] = (float)(i % 10007) * 0.01f - 50.0f;
    }
}

void TRIG_TICK(float *const arrays[], size_t begin, size_t end)
{
    float *restrict out = arrays[0];
    const float *restrict x = arrays[1];
#ifndef CEIL_TRIG_SCALAR
#pragma omp simd
#endif
    for (size_t i = begin; i < end; i++) {
        float s = sinf(x[i]), c = cosf(x[i]);
        out[i] += s * s + c * c;
    }
}
