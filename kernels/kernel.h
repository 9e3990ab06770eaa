/* The kernel table: each kernel's pure inner loop and the facts every rate is computed from. */
#ifndef CEIL_KERNEL_H
#define CEIL_KERNEL_H

#include <stddef.h>

enum { CEIL_MAX_ARRAYS = 2 };

/* How a kernel touches one of its arrays. A written array is also read (a += b), so every
 * access costs its bytes once per direction and no write needs a write-allocate fill. */
enum ceil_access { CEIL_READ = 1, CEIL_WRITE = 2 };

/* Fills elements [begin, end) of every array with the kernel's deterministic start values.
 * The worker that owns a slice calls it for that slice: this is the first touch. */
typedef void ceil_init_fn(float *const arrays[], size_t begin, size_t end);

/* One tick over elements [begin, end): the pure inner loop. No allocation, I/O, globals,
 * timing or threading inside; every variant calls exactly this compiled code. */
typedef void ceil_tick_fn(float *const arrays[], size_t begin, size_t end);

struct ceil_array_decl {
    const char *name;
    unsigned access; /* CEIL_READ | CEIL_WRITE */
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
};

extern const struct ceil_kernel ceil_kernels[];
extern const unsigned ceil_kernel_count;

/* The kernel named `name`, or NULL. */
const struct ceil_kernel *ceil_kernel_find(const char *name);

/* Bytes moved per element and tick: 4 for each read and each write the table declares.
 * This is the one place the "12 bytes per element" comes from. */
double ceil_kernel_bytes(const struct ceil_kernel *k);

/* Bytes resident per element: one float in each array. */
double ceil_kernel_footprint(const struct ceil_kernel *k);

/* Flops per byte moved, from the model. */
double ceil_kernel_intensity(const struct ceil_kernel *k);

/* Loops and start values, exposed for the tests that check them directly. */
ceil_tick_fn ceil_motion_tick, ceil_trig_tick, ceil_trig_scalar_tick;
ceil_init_fn ceil_motion_init, ceil_trig_init, ceil_trig_scalar_init;

/* The time step of the motion kernel. */
#define CEIL_MOTION_DT 0.001f

#endif
