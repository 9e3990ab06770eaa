/* Splitting [0, n) into grain-aligned, balanced, disjoint slices. */
#include "partition.h"

struct ceil_slice ceil_partition(size_t n, unsigned workers, unsigned w)
{
    size_t grains = n / CEIL_GRAIN + (n % CEIL_GRAIN != 0);
    size_t base = grains / workers, spare = grains % workers;
    size_t first_big = workers - spare; /* workers from here on get base + 1 grains */
    size_t start = (size_t)w * base + (w > first_big ? w - first_big : 0);
    size_t count = base + (w >= first_big);
    struct ceil_slice s;
    s.begin = start * CEIL_GRAIN < n ? start * CEIL_GRAIN : n;
    s.end = (start + count) * CEIL_GRAIN < n ? (start + count) * CEIL_GRAIN : n;
    return s;
}
