/* The kernel table and the loops: traffic from the declarations, results that are right and
 * that a folded sin^2+cos^2 = 1 would not give. */
#include "expect.h"
#include "kernel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { N = 4099 }; /* not a multiple of 16: the vector body and both epilogues run */

int main(void)
{
    EXPECT(ceil_kernel_count == 4, "%u kernels", ceil_kernel_count);
    for (unsigned k = 0; k < ceil_kernel_count; k++) {
        const struct ceil_kernel *kern = &ceil_kernels[k];
        int emits = kern->merge != NULL;
        EXPECT(ceil_kernel_bytes(kern) == (emits ? 4 : 12), "%s moves %g bytes per element", kern->name,
               ceil_kernel_bytes(kern));
        EXPECT(ceil_kernel_footprint(kern) == (emits ? 4 : 8), "%s holds %g bytes per element", kern->name,
               ceil_kernel_footprint(kern));
        EXPECT(ceil_kernel_find(kern->name) == kern, "%s is not found by name", kern->name);
        unsigned writes = 0;
        for (unsigned a = 0; a < kern->n_arrays; a++)
            writes += (kern->arrays[a].access & CEIL_WRITE) != 0;
        EXPECT(writes == (emits ? 2u : 1u), "%s writes %u arrays", kern->name, writes);
    }
    EXPECT(ceil_kernel_find("nope") == NULL, "an unknown kernel is found");

    float *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    float *arrays[2] = { a, b };

    /* motion: one tick from the start values is pos + vel * dt, exactly as the loop computes it */
    ceil_motion_init(arrays, 0, N);
    float *pos0 = malloc(N * sizeof *pos0);
    memcpy(pos0, a, N * sizeof *a);
    ceil_motion_tick(arrays, 0, N);
    unsigned wrong = 0;
    for (size_t i = 0; i < N; i++)
        wrong += fabsf(a[i] - (pos0[i] + b[i] * CEIL_MOTION_DT)) > 1e-6f * (1 + fabsf(pos0[i]));
    EXPECT(wrong == 0, "motion: %u of %d elements are not pos + vel*dt", wrong, N);

    /* trig: every result within a few ulps of 1, and not all exactly 1.0f (folding would be) */
    ceil_trig_init(arrays, 0, N);
    ceil_trig_tick(arrays, 0, N);
    unsigned not_one = 0, far = 0;
    for (size_t i = 0; i < N; i++) {
        not_one += a[i] != 1.0f;
        far += fabsf(a[i] - 1.0f) > 1e-6f;
    }
    EXPECT(far == 0, "trig: %u results are not within 1e-6 of 1", far);
    EXPECT(not_one > 0, "trig: all %d results are exactly 1.0f: was sin^2+cos^2 folded?", N);
    EXPECT(not_one < N, "trig: no result is 1.0f");

    /* a slice touches its elements only */
    ceil_trig_init(arrays, 0, N);
    ceil_trig_tick(arrays, 32, 64);
    EXPECT(a[31] == 0.0f && a[64] == 0.0f && a[32] != 0.0f && a[63] != 0.0f,
           "trig on [32, 64) wrote outside it or missed its ends");
    free(a);
    free(b);
    free(pos0);
    return EXPECT_DONE();
}
