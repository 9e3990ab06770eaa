/* Built-in stand-ins for likwid-bench's daxpy_sp, copy, load and peakflops_sp. */
#ifndef CEIL_PROBE_H
#define CEIL_PROBE_H

#include "kernel.h"

/* Kernels in the shape of the kernel table (run by the same variants, with the same pinning
 * and first touch) but not in it: they measure ceilings, not subjects. Compiled with the
 * kernels' flags. Bytes follow likwid-bench's counting (no write-allocate fill). */
extern const struct ceil_kernel ceil_probe_daxpy, ceil_probe_copy, ceil_probe_load, ceil_probe_peakflops;

#endif
