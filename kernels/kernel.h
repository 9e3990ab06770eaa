/* The kernel table: each kernel's pure inner loop and the facts every rate is computed from. */
#ifndef CEIL_KERNEL_H
#define CEIL_KERNEL_H

#include <stddef.h>

#include <stdint.h>

enum { CEIL_MAX_ARRAYS = 3 };

/* How a kernel touches one of its arrays. A written array is also read (a += b), so every
 * access costs its bytes once per direction and no write needs a write-allocate fill.
 * An EMIT array receives a few selected entries per tick, not one per element: it adds
 * nothing to the per-element model. A SCRATCH array holds per-worker working state whose
 * contents differ with the worker count by design: results are compared without it. */
enum ceil_access { CEIL_READ = 1, CEIL_WRITE = 2, CEIL_EMIT = 4, CEIL_SCRATCH = 8 };

/* The end of an emitted list, where it does not fill its space. */
#define CEIL_END UINT32_MAX

/* Fills elements [begin, end) of every array with the kernel's deterministic start values.
 * The worker that owns a slice calls it for that slice: this is the first touch. */
typedef void ceil_init_fn(float *const arrays[], size_t begin, size_t end);

/* One tick over elements [begin, end): the pure inner loop. No allocation, I/O, globals,
 * timing or threading inside; every variant calls exactly this compiled code. */
typedef void ceil_tick_fn(float *const arrays[], size_t begin, size_t end);

struct ceil_slice;

/* For kernels that emit: after the workers' ticks, gathers what each worker emitted into its
 * own slice of a scratch array, in worker order, into one list. Runs on one thread. Returns
 * the list's length. */
typedef size_t ceil_merge_fn(float *const arrays[], const struct ceil_slice *slices, unsigned workers);

struct ceil_array_decl {
    const char *name;
    unsigned access; /* CEIL_READ | CEIL_WRITE | CEIL_EMIT | CEIL_SCRATCH */
};

struct ceil_kernel {
    const char *name;
    const char *formula;        /* the loop body, for help text and reports */
    const char *bound;          /* the ceiling the model expects: "memory" or "compute" */
    int baseline;               /* not a subject: a reference the sweep runs serially only */
    unsigned n_arrays;
    struct ceil_array_decl arrays[CEIL_MAX_ARRAYS];
    double flops_per_elem;      /* model flops per element and tick (see kernels.c for how counted) */
    ceil_init_fn *init;
    ceil_tick_fn *tick;
    ceil_merge_fn *merge;       /* NULL for kernels that update their arrays in place */
};

extern const struct ceil_kernel ceil_kernels[];
extern const unsigned ceil_kernel_count;

/* The kernel named `name`, or NULL. */
const struct ceil_kernel *ceil_kernel_find(const char *name);

/* Bytes moved per element and tick: 4 for each read and each write the table declares (an
 * emitted list adds only its few entries, not counted per element). This is the one place
 * the "12 bytes per element" comes from. */
double ceil_kernel_bytes(const struct ceil_kernel *k);

/* Bytes a tick touches per element: one float in each array read or written element by
 * element (emitted lists excluded). */
double ceil_kernel_footprint(const struct ceil_kernel *k);

/* Loops and start values, exposed for the tests that check them directly. */
ceil_tick_fn ceil_motion_tick, ceil_trig_tick, ceil_trig_scalar_tick, ceil_starve_tick;
ceil_init_fn ceil_motion_init, ceil_trig_init, ceil_trig_scalar_init, ceil_starve_init;
ceil_merge_fn ceil_starve_merge;

/* The time step of the motion kernel. */
#define CEIL_MOTION_DT 0.001f

#endif
