/* The partition contract: exact cover, disjoint, in order, grain-aligned, balanced. */
#include "expect.h"
#include "partition.h"

#include <stdint.h>

static void check(size_t n, unsigned workers)
{
    size_t next = 0, smallest = SIZE_MAX, largest = 0;
    for (unsigned w = 0; w < workers; w++) {
        struct ceil_slice s = ceil_partition(n, workers, w);
        EXPECT(s.begin == next, "n=%zu W=%u w=%u begins at %zu, previous ended at %zu", n, workers, w,
               s.begin, next);
        EXPECT(s.begin <= s.end && s.end <= n, "n=%zu W=%u w=%u slice [%zu, %zu)", n, workers, w,
               s.begin, s.end);
        EXPECT(s.begin % CEIL_GRAIN == 0, "n=%zu W=%u w=%u begins off-grain at %zu", n, workers, w, s.begin);
        EXPECT(s.end % CEIL_GRAIN == 0 || s.end == n, "n=%zu W=%u w=%u ends off-grain at %zu", n,
               workers, w, s.end);
        size_t len = s.end - s.begin;
        smallest = len < smallest ? len : smallest;
        largest = len > largest ? len : largest;
        next = s.end;
    }
    EXPECT(next == n, "n=%zu W=%u: slices end at %zu", n, workers, next);
    EXPECT(largest - smallest <= CEIL_GRAIN, "n=%zu W=%u: sizes range %zu..%zu", n, workers, smallest,
           largest);
}

int main(void)
{
    for (size_t n = 0; n <= 600; n++)
        for (unsigned w = 1; w <= 40; w++)
            check(n, w);
    static const size_t big[] = { 999983, 1000000, 16777216 + 5, (size_t)1 << 40, SIZE_MAX - CEIL_GRAIN };
    static const unsigned teams[] = { 1, 2, 3, 7, 16, 17, 64, 1000, 1024 };
    for (unsigned i = 0; i < sizeof big / sizeof big[0]; i++)
        for (unsigned j = 0; j < sizeof teams / sizeof teams[0]; j++)
            check(big[i], teams[j]);
    /* The grain keeps writers on separate cache lines: 16 floats are 64 bytes. */
    EXPECT(CEIL_GRAIN * sizeof(float) == 64, "grain is %zu bytes", CEIL_GRAIN * sizeof(float));
    return EXPECT_DONE();
}
