/* The one partition every variant uses to split [0, n) between workers. */
#ifndef CEIL_PARTITION_H
#define CEIL_PARTITION_H

#include <stddef.h>

/* Slices are whole multiples of this many elements (64 bytes of floats: one cache line, one
 * AVX-512 vector), except the tail of the last non-empty slice. Two reasons:
 * - every slice starts where serial's vector loop has a chunk boundary, so the compiler's
 *   16-wide body, 8-wide and scalar epilogues cover the same elements in every variant, and
 *   the sin/cos kernel's results are equal bit for bit (scalar and vector sinf differ in the
 *   last bit);
 * - no two workers write the same cache line. */
enum { CEIL_GRAIN = 16 };

struct ceil_slice {
    size_t begin, end; /* half-open */
};

/* Worker w's slice of [0, n) among `workers` (w < workers, workers >= 1,
 * n <= SIZE_MAX - CEIL_GRAIN).
 * The slices cover [0, n) exactly, in worker order, and are disjoint. Sizes differ by at most
 * CEIL_GRAIN elements: the spare grains go to the last workers, the one holding the short
 * tail among them. Workers beyond the available grains get empty slices. Pure; any thread. */
struct ceil_slice ceil_partition(size_t n, unsigned workers, unsigned w);

#endif
