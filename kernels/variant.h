/* The one interface every execution model implements: prepare / run / release. */
#ifndef CEIL_VARIANT_H
#define CEIL_VARIANT_H

#include "arrays.h"
#include "kernel.h"
#include "partition.h"

#include <hwloc.h>

enum ceil_mode {
    CEIL_BATCHED, /* one dispatch: each worker runs all ticks on its slice */
    CEIL_PERTICK, /* one synchronised dispatch per tick, as a simulation loop does */
};

/* How a team synchronises, for the variants that have a choice (the variant table says which). */
enum ceil_barrier_kind {
    CEIL_BARRIER_FUTEX,   /* spin briefly, then sleep on a futex */
    CEIL_BARRIER_PTHREAD, /* pthread_barrier_t (PTHREAD_PROCESS_SHARED across processes): for comparison */
    CEIL_BARRIER_MPI,     /* MPI_Barrier: the MPI variant's default */
    CEIL_BARRIER_COUNT
};

/* Called by each worker thread, in its own thread, around its part of a run: before its first
 * tick and after its last. For per-thread instrumentation such as likwid's Marker API, which
 * counts only the threads that start a region. Serial and OpenMP call them; a process team
 * does not (markers across fork are unreliable: measure whole pinned runs instead). */
struct ceil_hooks {
    void (*enter)(void *ctx);
    void (*leave)(void *ctx);
    void *ctx;
};

struct ceil_config {
    const struct ceil_kernel *kernel;
    size_t n;
    unsigned workers;
    const int *cpus;            /* OS index of worker w's CPU, or NULL: leave affinity alone */
    hwloc_topology_t topology;  /* loaded; binds the workers when cpus is set */
    enum ceil_barrier_kind barrier;
    const struct ceil_hooks *hooks; /* NULL, or read by every run: may change between runs */
};

/* What every variant's state begins with; the harness reads it, only the variant writes it. */
struct ceil_run {
    const struct ceil_variant_ops *ops;
    struct ceil_config cfg;     /* cfg.cpus points at this run's own copy */
    struct ceil_arrays arrays;
    unsigned workers;           /* workers actually running (serial: 1) */
    struct ceil_slice *slices;  /* slices[w], from ceil_partition */
    int *cpu_of;                /* CPU worker w was last seen on, -1 if unknown */
    hwloc_bitmap_t caller_binding; /* the preparing thread's binding, restored on release */
    /* Where this process stands among the processes of one run: all of them for the variants
     * that run in one process; MPI ranks each have their own view (baseline_mpi). */
    int reporter;               /* this process prints and decides the exit status */
    int checker;                /* this process compares [check.begin, check.end) with serial */
    struct ceil_slice check;    /* the part of the arrays this process can see whole */
};

struct ceil_world;
struct ceil_system;

/* What a variant's own file implements. Its traits (name, modes, barriers, how it is launched
 * and shown) are its row in the variant table (harness/lib/variants.c), the only list. */
struct ceil_variant_ops {
    /* Maps the arrays, starts the workers, pins worker w to cfg->cpus[w] (when given) and has
     * each worker first-touch its own slice with the kernel's start values. Start-up cost
     * lives here, never in run. Returns 0 and *out, or -errno with a message in err. */
    int (*prepare)(const struct ceil_config *cfg, struct ceil_run **out, char err[CEIL_ERRLEN]);
    /* Runs `ticks` ticks in `mode` and blocks until every worker is done. Never times itself.
     * -EINTR when ceil_stop_request() was called; -ECHILD when a worker died. After an error
     * the run can only be released. */
    int (*run)(struct ceil_run *r, unsigned long ticks, enum ceil_mode mode, char err[CEIL_ERRLEN]);
    /* Stops the workers, restores the caller's CPU binding, unmaps. Accepts NULL. Prepare and
     * release are called from the main thread, outside any parallel region. */
    void (*release)(struct ceil_run *r);
    /* Optional, for variants spread over processes that each check a part (MPI): combines
     * every checker's verdict (1 equal, 0 not) and returns the run's, to every process. */
    int (*agree)(struct ceil_run *r, int equal);
    /* Optional: runs `count` systems of one world at the same time, one worker each, every
     * worker running its system's `ticks` ticks over the whole world (ceilings sim, race). */
    int (*systems)(const struct ceil_world *w, const struct ceil_system *const *s, unsigned count,
                   unsigned long ticks, char err[CEIL_ERRLEN]);
};

/* The OpenMP team, which also runs the probe's built-in loops in place of likwid-bench. */
extern const struct ceil_variant_ops ceil_omp_ops;

/* Shared by the variants. ------------------------------------------------------------- */

/* Fills the common part: copies cfg (and its CPU list), maps the arrays, computes the slices
 * for `workers` workers and saves the calling thread's binding. */
int ceil_run_setup(struct ceil_run *r, const struct ceil_variant_ops *v, const struct ceil_config *cfg,
                   unsigned workers, char err[CEIL_ERRLEN]);

/* All of ceil_run_setup but mapping the arrays: for a variant that brings its own memory. */
int ceil_run_setup_common(struct ceil_run *r, const struct ceil_variant_ops *v, const struct ceil_config *cfg,
                          unsigned workers, char err[CEIL_ERRLEN]);

/* Undoes ceil_run_setup; restores the calling thread's binding. */
void ceil_run_teardown(struct ceil_run *r);

/* Binds the calling thread to worker w's CPU (no-op without a CPU list) and records where it
 * runs. Safe in a forked child. */
int ceil_run_pin(struct ceil_run *r, unsigned w, char err[CEIL_ERRLEN]);

/* The same with the CPU given (cpu < 0: leave the binding as it is, record where it runs). */
int ceil_run_pin_to(struct ceil_run *r, unsigned w, int cpu, char err[CEIL_ERRLEN]);

/* Worker w's part of a batched run: `ticks` ticks on its slice. Between ticks (never inside
 * one), after at most about 64k elements of work, it checks *attention (if given) and the stop
 * flag, and returns -EINTR at once if either is set. *done (if given) gets the ticks done. */
int ceil_run_worker_ticks(const struct ceil_run *r, unsigned w, unsigned long ticks,
                          const volatile int *attention, unsigned long *done);

/* Stopping: the signal handlers of the command-line tools call ceil_stop_request(signo);
 * variants check it between ticks and while they wait. Async-signal-safe. */
void ceil_stop_request(int signo);
int ceil_stop_signal(void); /* the signal that asked, or 0 */
void ceil_stop_reset(void);
/* Writes "interrupted by signal N (name)" into err and returns -EINTR. */
int ceil_stop_error(char err[CEIL_ERRLEN]);

#endif
