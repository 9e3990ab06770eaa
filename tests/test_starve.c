/* starve: segments emitted per worker into their own slices and merged in worker order equal
 * a plain serial scan, for every size and worker count tried; and the merge keeps the order. */
#include "expect.h"
#include "kernel.h"
#include "partition.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void scan_and_merge(float *const a[], size_t n, unsigned workers, size_t *count)
{
    struct ceil_slice slices[64];
    for (unsigned w = 0; w < workers; w++) {
        slices[w] = ceil_partition(n, workers, w);
        ceil_starve_tick(a, slices[w].begin, slices[w].end);
    }
    *count = ceil_starve_merge(a, slices, workers);
}

int main(void)
{
    enum { MAX = 5000 };
    float *energy = malloc(MAX * sizeof *energy), *seg = malloc(MAX * 4), *out = malloc(MAX * 4);
    float *const a[3] = { energy, seg, out };
    static const size_t sizes[] = { 0, 1, 15, 16, 17, 31, 33, 257, 1000, 4099, MAX };
    for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        size_t n = sizes[s];
        for (unsigned workers = 1; workers <= 40; workers += workers < 4 ? 1 : 7) {
            ceil_starve_init(a, 0, n);
            size_t count;
            scan_and_merge(a, n, workers, &count);
            size_t want = 0, bad = 0;
            const uint32_t *list = (const uint32_t *)(const void *)out;
            for (size_t i = 0; i < n; i++)
                if (energy[i] <= 0.0f)
                    bad += want >= count || list[want++] != i;
            EXPECT(count == want && bad == 0, "n=%zu workers=%u: %zu merged, %zu expected, %zu out of place", n,
                   workers, count, want, bad);
            EXPECT(count == n || n == 0 || list[count] == CEIL_END, "n=%zu workers=%u: list not terminated", n, workers);
        }
    }
    /* about one in ten starves, so the kernel exercises both branches */
    ceil_starve_init(a, 0, MAX);
    size_t starving = 0;
    for (size_t i = 0; i < MAX; i++)
        starving += energy[i] <= 0.0f;
    EXPECT(starving > MAX / 20 && starving < MAX / 5, "%zu of %d starve", starving, MAX);
    free(energy);
    free(seg);
    free(out);
    return EXPECT_DONE();
}
