/* The sweep's points in the order it measures them, each priced, and the budget they must fit:
 * the plan (sizes, worker counts) times the kernel and variant tables, as ceilings-bench runs
 * them and ceilings plan shows them. */
#ifndef CEIL_SCHEDULE_H
#define CEIL_SCHEDULE_H

#include "plan.h"
#include "variants.h"

#include <jansson.h>

/* How long each sweep kind runs. */
struct ceil_sweep_settings {
    double seconds_per_run;       /* a repetition's ticks at one worker */
    int repetitions;              /* each point's, in pass 1 */
    int max_repetitions;          /* a noisy point's cap: more repetitions, then a second pass */
    unsigned long dispatch_ticks; /* a dispatch point's per-tick run */
    int startup_dram;             /* start-up points at the DRAM target too */
    int jobs_dram;                /* launched jobs at the DRAM target too */
    double rescale_every;         /* seconds between rescale samples (0: none) */
    double budget_s;              /* the wall time the sweep keeps to, probe included (0: none) */
    double probe_s;               /* what the probe is priced at: a stated default, not a model */
};
const struct ceil_sweep_settings *ceil_sweep_settings_of(enum ceil_sweep s);

/* More repetitions and the second pass take at most this share of pass 1's time. */
#define CEIL_EXTRA_SHARE 0.35

/* What the cost model knows of the machine: seconds per byte to first-touch fresh shared memory
 * and to write it again, and, where no serial tick was measured, seconds per element-tick. */
struct ceil_costs {
    double touch_per_byte, rewrite_per_byte, tick_per_elem;
    const char *source; /* "measured here" or "stated defaults" */
};
void ceil_costs_measure(struct ceil_costs *c); /* this machine, in a fraction of a second */
void ceil_costs_default(struct ceil_costs *c); /* another machine: the slowest seen, stated */

enum ceil_point_family { CEIL_FAMILY_SWEEP, CEIL_FAMILY_DISPATCH, CEIL_FAMILY_STARTUP };

/* The kinds of work a sweep's time goes to, as the estimate splits it. */
enum ceil_work { CEIL_WORK_TEAMS, CEIL_WORK_PAIRS, CEIL_WORK_JOBS, CEIL_WORK_TOUCH, CEIL_WORK_CHECKS, CEIL_WORK_OTHER,
                 CEIL_WORK_COUNT };
const char *ceil_work_name(enum ceil_work w);

struct ceil_sched_point {
    enum ceil_point_family family;
    const struct ceil_kernel *kernel;
    const struct ceil_variant *variant;
    enum ceil_barrier_kind barrier;
    enum ceil_mode mode;
    uint64_t n;
    unsigned workers;     /* index into the plan's worker counts */
    unsigned long ticks;  /* per repetition */
    double tick_s;        /* one serial tick at (kernel, n): measured, or modelled */
    int rank;             /* what it answers, 0 first (schedule.c says the order) */
    double estimate_s;    /* its pass-1 repetitions, with the first touch and checks it brings */
    int in_budget;
    char name[160];       /* KERNEL/SERIES/MODE/n:N/workers:W */
    size_t seq;           /* the order it was generated in: ties keep it */
};

struct ceil_schedule {
    struct ceil_sched_point *points; /* in the order the sweep takes them */
    size_t count;
    struct ceil_costs costs;
    double by_work[CEIL_WORK_COUNT]; /* pass 1's estimate of the points in the budget, by kind */
    double pass1_s, extra_s, rescale_s, probe_s; /* the phases, of the points in the budget */
    double estimate_s;               /* probe + pass 1 + extra + rescale, in the budget */
    double all_s;                    /* the same for every point: the budget that would measure all */
    double budget_s;                 /* 0: none */
    size_t left_out;                 /* points past the budget */
};

/* One serial tick of kernel k over n elements, in seconds (measured by the bench, modelled by
 * ceilings plan); < 0 fails, with a message. */
typedef double ceil_serial_tick_fn(const struct ceil_kernel *k, uint64_t n, void *ctx, char err[CEIL_ERRLEN]);

/* Every point of the sweep p plans, ranked by what it answers (for every worker count, the target
 * levels batched for every kernel; then per tick; dispatch; launched jobs; the book's N; the sizes
 * between; start-up), grouped by kernel and N within a rank, each priced; those whose running
 * total fits budget_s (0: none) marked in_budget. `bench_only`: the probe is not priced (the bench
 * runs after it). Returns 0, or -errno with a message. */
int ceil_schedule_make(struct ceil_schedule *s, const struct ceil_plan *p, enum ceil_sweep sweep, double budget_s,
                       int bench_only, ceil_serial_tick_fn *tick, void *ctx, const struct ceil_costs *costs,
                       char err[CEIL_ERRLEN]);
void ceil_schedule_free(struct ceil_schedule *s); /* accepts a zeroed schedule */

/* {"estimate_s", "budget_s", "estimate": {phases, by kind}, "left_out", "points": [{"name",
 * "estimate_s", "in_budget"}]}: what ceilings plan --json adds to the plan. */
json_t *ceil_schedule_json(const struct ceil_schedule *s);

#endif
