/* The sweep's points, ranked by what they answer, priced, and fitted to a budget. */
#include "schedule.h"

#include "launch.h"
#include "machine.h"
#include "names.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static const struct ceil_sweep_settings settings[] = {
    [CEIL_SWEEP_QUICK] = { 0.02, 2, 2, 500, 0, 0, 0, 180, 90 },
    [CEIL_SWEEP_DEFAULT] = { 0.05, 4, 10, 2000, 0, 1, 120, 600, 150 },
    [CEIL_SWEEP_FULL] = { 0.20, 10, 20, 5000, 1, 1, 120, 0, 240 },
};

const struct ceil_sweep_settings *ceil_sweep_settings_of(enum ceil_sweep s) { return &settings[s]; }

/* Stated defaults, where nothing is measured before the sweep runs. */
static const double team_gain_exponent = 0.75;  /* a team of W runs W^0.75 times faster than serial */
static const double dispatch_futex_s = 5e-6;    /* one per-tick dispatch, spin-then-futex barrier */
static const double dispatch_pthread_s = 25e-6; /* the same, pthread barrier (13-25 us measured) */
static const double corun_s = 0.010;            /* the co-run tests around a team's repetition */
static const double mpirun_start_s = 1.0;       /* an mpirun job's start and end */
static const double python_start_s = 1.5;       /* a numpy job's: the interpreter, numpy, the pool */
static const double rescale_fixed_s = 6.0;      /* a rescale sample, besides first-touching daxpy's arrays */
enum { BOOK_N = 10000000 };                     /* the book's N, beside the plan's sizes */

const char *ceil_work_name(enum ceil_work w)
{
    static const char *names[] = { "teams", "serial pairs", "launched jobs", "first touch", "checks",
                                   "dispatch and start-up" };
    return names[w];
}

void ceil_costs_measure(struct ceil_costs *c)
{
    const size_t bytes = 16u << 20;
    ceil_costs_default(c);
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return;
    double t0 = ceil_now();
    memset(p, 1, bytes);
    double t1 = ceil_now();
    memset(p, 2, bytes);
    double t2 = ceil_now();
    munmap(p, bytes);
    c->touch_per_byte = (t1 - t0) / (double)bytes;
    c->rewrite_per_byte = (t2 - t1) / (double)bytes;
    c->source = "measured here";
}

void ceil_costs_default(struct ceil_costs *c)
{
    /* the slowest seen: a nested-hypervisor VM, 13 us a page fault; a serial tick at 1 ns an element */
    c->touch_per_byte = 13e-6 / 4096;
    c->rewrite_per_byte = 0.25e-6 / 4096;
    c->tick_per_elem = 1e-9;
    c->source = "stated defaults";
}

static int is_launched(const struct ceil_variant *v) { return (v->traits & CEIL_LAUNCHED) != 0; }
static int is_reference(const struct ceil_variant *v) { return (v->traits & CEIL_REFERENCE) != 0; }

static unsigned long ticks_for(double seconds, double per_tick)
{
    double t = round(seconds / per_tick);
    return t < 1 ? 1 : t > 1e7 ? 10000000UL : (unsigned long)t;
}

/* The points as they are generated, before they are ranked. */
struct build {
    struct ceil_schedule *s;
    const struct ceil_plan *p;
    const struct ceil_sweep_settings *set;
    size_t cap;
};

static int add(struct build *b, struct ceil_sched_point pt)
{
    if (b->s->count == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 256;
        struct ceil_sched_point *more = realloc(b->s->points, cap * sizeof *more);
        if (!more)
            return -ENOMEM;
        b->s->points = more;
        b->cap = cap;
    }
    char series[64];
    ceil_series_name(pt.variant, pt.barrier, series, sizeof series);
    const char *mode = pt.family == CEIL_FAMILY_DISPATCH  ? "dispatch"
                       : pt.family == CEIL_FAMILY_STARTUP ? "startup"
                                                          : ceil_mode_name(pt.mode);
    ceil_point_name_format(pt.name, sizeof pt.name, pt.kernel->name, series, mode, pt.n, b->p->workers[pt.workers].count);
    pt.seq = b->s->count;
    b->s->points[b->s->count++] = pt;
    return 0;
}

static const struct ceil_plan_size *target(const struct ceil_plan *p, const char *level)
{
    for (unsigned i = 0; i < p->n_sizes; i++)
        if (p->sizes[i].target && strcmp(p->sizes[i].target, level) == 0)
            return &p->sizes[i];
    return NULL;
}

/* A launched variant starts a job per repetition: at the target sizes only, the DRAM target where
 * the sweep allows. The book's N runs the variants of the book's tables only. */
static int runs_at(const struct build *b, const struct ceil_variant *v, const struct ceil_kernel *k,
                   const char *level, int book)
{
    if (!ceil_variant_runs(v, k))
        return 0;
    if (book)
        return (v->traits & CEIL_BOOK) && ceil_launcher_found(v);
    if (!is_launched(v))
        return 1;
    return ceil_launcher_found(v) && level && (b->set->jobs_dram || strcmp(level, "DRAM") != 0);
}

/* What a bandwidth point answers first: the target levels batched; then per tick; launched jobs;
 * the book's N; the sizes between. */
static int rank_of(const struct ceil_variant *v, enum ceil_mode m, const char *level, int book)
{
    if (book)
        return 4;
    if (!level)
        return 5;
    if (is_launched(v))
        return 3;
    return m == CEIL_BATCHED ? 0 : 1;
}

/* Every variant at one (kernel, N): the reference at one worker, the others at every count. */
static int add_sweep(struct build *b, const struct ceil_kernel *k, uint64_t n, const char *level, int book, double tick_s)
{
    unsigned long ticks = ticks_for(b->set->seconds_per_run, tick_s);
    for (unsigned v = 0; v < ceil_variant_count; v++) {
        const struct ceil_variant *var = &ceil_variants[v];
        /* a baseline kernel runs on the reference alone: the vectorisation gain */
        if ((k->baseline && !is_reference(var)) || !runs_at(b, var, k, level, book))
            continue;
        for (unsigned w = 0; w < (is_reference(var) ? 1 : b->p->n_workers); w++)
            for (unsigned m = 0; m <= CEIL_PERTICK; m++) {
                /* an emitting kernel's story is its scan and merge, not dispatch */
                if (!(var->modes & CEIL_MODE_BIT(m)) || (k->merge && m == CEIL_PERTICK))
                    continue;
                struct ceil_sched_point pt = { CEIL_FAMILY_SWEEP, k, var, var->barrier, (enum ceil_mode)m, n, w, ticks,
                                               tick_s, rank_of(var, (enum ceil_mode)m, level, book), 0, 0, "", 0 };
                if (add(b, pt))
                    return -ENOMEM;
            }
    }
    return 0;
}

/* A variant that runs a loop of its own (the book's numpy) has no reference to draw its in-core
 * time from: each team's part of the L2 target (N/W), on one worker, is that time for the team. */
static int add_parts(struct build *b, const struct ceil_kernel *k, ceil_serial_tick_fn *tick, void *ctx, char err[CEIL_ERRLEN])
{
    const struct ceil_plan_size *l2 = target(b->p, "L2");
    for (unsigned w = 0; l2 && w < b->p->n_workers; w++) {
        uint64_t n = (uint64_t)llround((double)l2->n / b->p->workers[w].count);
        int planned = 0;
        for (unsigned i = 0; i < b->p->n_sizes; i++)
            planned |= b->p->sizes[i].target && b->p->sizes[i].n == n;
        if (b->p->workers[w].count < 2 || planned)
            continue;
        double tick_s = 0;
        for (unsigned v = 0; v < ceil_variant_count; v++) {
            const struct ceil_variant *var = &ceil_variants[v];
            if (!ceil_variant_own_loop(var) || !ceil_variant_runs(var, k) || !ceil_launcher_found(var))
                continue;
            if (!tick_s && (tick_s = tick(k, n, ctx, err)) < 0)
                return -EIO;
            struct ceil_sched_point pt = { CEIL_FAMILY_SWEEP, k, var, var->barrier, CEIL_BATCHED, n, 0,
                                           ticks_for(b->set->seconds_per_run, tick_s), tick_s, 3, 0, 0, "", 0 };
            if (add(b, pt))
                return -ENOMEM;
        }
    }
    return 0;
}

/* Per-tick dispatch, every variant that has it on each of its barriers, at 1024 elements per
 * worker of the largest team; and start-up at the L2 and L3 targets (DRAM in the full sweep). */
static int add_dispatch_startup(struct build *b, const struct ceil_kernel *k)
{
    uint64_t small = 1024ULL * b->p->workers[b->p->n_workers - 1].count;
    for (unsigned v = 0; v < ceil_variant_count; v++) {
        const struct ceil_variant *var = &ceil_variants[v];
        if (is_reference(var) || !(var->modes & CEIL_MODE_BIT(CEIL_PERTICK)) || !ceil_launcher_found(var))
            continue;
        for (unsigned bar = 0; bar < CEIL_BARRIER_COUNT; bar++) {
            if (var->barriers ? !ceil_variant_accepts(var, (enum ceil_barrier_kind)bar) : bar != var->barrier)
                continue;
            /* a pthread barrier costs 10-25 us a round trip here: fewer ticks for the same time */
            unsigned long ticks = bar == CEIL_BARRIER_PTHREAD ? b->set->dispatch_ticks / 10 + 1 : b->set->dispatch_ticks;
            for (unsigned w = 0; w < b->p->n_workers; w++) {
                struct ceil_sched_point pt = { CEIL_FAMILY_DISPATCH, k, var, (enum ceil_barrier_kind)bar, CEIL_BATCHED,
                                               small, w, ticks, 0, 2, 0, 0, "", 0 };
                if (add(b, pt))
                    return -ENOMEM;
            }
        }
    }
    const struct ceil_plan_size *sizes[] = { target(b->p, "L2"), target(b->p, "L3"),
                                             b->set->startup_dram ? target(b->p, "DRAM") : NULL };
    for (unsigned i = 0; i < 3; i++)
        for (unsigned v = 0; sizes[i] && v < ceil_variant_count; v++) {
            const struct ceil_variant *var = &ceil_variants[v];
            for (unsigned w = 0; !is_launched(var) && w < (is_reference(var) ? 1 : b->p->n_workers); w++) {
                struct ceil_sched_point pt = { CEIL_FAMILY_STARTUP, k, var, var->barrier, CEIL_BATCHED, sizes[i]->n, w,
                                               0, 0, 6, 0, 0, "", 0 };
                if (add(b, pt))
                    return -ENOMEM;
            }
        }
    return 0;
}

/* Every (kernel, N) the sweep measures, its serial tick from `tick`, its points. */
static int generate(struct build *b, ceil_serial_tick_fn *tick, void *ctx, char err[CEIL_ERRLEN])
{
    int book_planned = 0, rc = 0;
    for (unsigned i = 0; i < b->p->n_sizes; i++)
        book_planned |= b->p->sizes[i].n == BOOK_N;
    for (unsigned k = 0; rc == 0 && k < ceil_kernel_count; k++) {
        const struct ceil_kernel *kern = &ceil_kernels[k];
        for (unsigned i = 0; rc == 0 && i < b->p->n_sizes; i++) {
            const struct ceil_plan_size *size = &b->p->sizes[i];
            if (kern->baseline && (!size->target || strcmp(size->target, "DRAM") == 0))
                continue; /* a baseline runs at the L2 and L3 targets only */
            double tick_s = tick(kern, size->n, ctx, err);
            rc = tick_s < 0 ? -EIO : add_sweep(b, kern, size->n, size->target, 0, tick_s);
        }
        int book = !book_planned && (!strcmp(kern->name, "motion") || !strcmp(kern->name, "trig"));
        if (rc == 0 && book) {
            double tick_s = tick(kern, BOOK_N, ctx, err);
            rc = tick_s < 0 ? -EIO : add_sweep(b, kern, BOOK_N, NULL, 1, tick_s);
        }
    }
    for (unsigned k = 0; rc == 0 && k < ceil_kernel_count; k++)
        rc = add_parts(b, &ceil_kernels[k], tick, ctx, err);
    if (rc == 0 && ceil_kernel_find("motion"))
        rc = add_dispatch_startup(b, ceil_kernel_find("motion"));
    if (rc == -ENOMEM)
        snprintf(err, CEIL_ERRLEN, "out of memory for the sweep's points");
    return rc;
}

/* Ranked; within a rank by N, so that every kernel gets a level before any gets the next, and
 * grouped by kernel at each N (the bench keeps one size's team, pair and reference); else as
 * generated. */
static int by_rank(const void *a, const void *b)
{
    const struct ceil_sched_point *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank - y->rank;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    if (x->kernel != y->kernel) /* the kernel table's order */
        return x->kernel < y->kernel ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* What the sweep keeps between points (a team, a serial pair, one size's references), so that a
 * point is charged the first touch and checks it brings, in the order the sweep takes it. */
struct kept {
    char team[200], pair[96], ref[96];
};

static void price(struct ceil_sched_point *pt, const struct ceil_plan *p, const struct ceil_sweep_settings *set,
                  const struct ceil_costs *c, struct kept *kept, double work[CEIL_WORK_COUNT])
{
    double reps = set->repetitions, w = p->workers[pt->workers].count;
    double bytes = ceil_kernel_footprint(pt->kernel) * (double)pt->n, dispatch;
    dispatch = pt->barrier == CEIL_BARRIER_PTHREAD ? dispatch_pthread_s : dispatch_futex_s;
    if (pt->family == CEIL_FAMILY_STARTUP) {
        work[CEIL_WORK_OTHER] += reps * 3 * (bytes * c->touch_per_byte + w * 1e-3);
        return;
    }
    if (pt->family == CEIL_FAMILY_DISPATCH) {
        double start = is_launched(pt->variant) ? 2 * mpirun_start_s : 0;
        work[CEIL_WORK_OTHER] += reps * (start + (is_launched(pt->variant) ? 1 : 5) * 2.0 * (double)pt->ticks * (dispatch + 1e-6));
        return;
    }
    double serial = pt->tick_s * (double)(pt->ticks + 1), team = serial / pow(w, team_gain_exponent);
    if (pt->mode == CEIL_PERTICK)
        team += (double)pt->ticks * dispatch;
    int paired = !is_reference(pt->variant);
    char key[200], at[96];
    snprintf(at, sizeof at, "%s/%llu", pt->kernel->name, (unsigned long long)pt->n);
    snprintf(key, sizeof key, "%s/%s/%u", at, pt->variant->name, pt->workers);
    work[CEIL_WORK_TEAMS] += reps * (team + (paired && w > 1 ? corun_s : 0));
    if (paired) {
        work[CEIL_WORK_PAIRS] += reps * (serial + bytes * c->rewrite_per_byte);
        if (strcmp(kept->pair, at) != 0)
            work[CEIL_WORK_TOUCH] += bytes * c->touch_per_byte;
        snprintf(kept->pair, sizeof kept->pair, "%s", at);
    }
    if (is_launched(pt->variant)) { /* the job maps its own: the bench lets its team and pair go */
        double start = pt->variant->launcher == CEIL_PYTHON ? python_start_s : mpirun_start_s;
        work[CEIL_WORK_JOBS] += reps * (start + serial + 2 * bytes * c->touch_per_byte);
        kept->team[0] = kept->pair[0] = '\0';
        return;
    }
    if (strcmp(kept->team, key) != 0)
        work[CEIL_WORK_TOUCH] += bytes * c->touch_per_byte;
    snprintf(kept->team, sizeof kept->team, "%s", key);
    work[CEIL_WORK_CHECKS] += reps * bytes * 2 * c->rewrite_per_byte; /* the rewrite before, the compare after */
    if (strcmp(kept->ref, at) != 0) /* the serial reference: mapped and run once per kernel and N */
        work[CEIL_WORK_CHECKS] += bytes * c->touch_per_byte + serial;
    snprintf(kept->ref, sizeof kept->ref, "%s", at);
}

/* Pass 1's time to its whole: more repetitions and pass 2, and the rescale samples. */
static double grown(const struct ceil_schedule *s, const struct ceil_plan *p, const struct ceil_sweep_settings *set,
                    double pass1, double *extra, double *rescale)
{
    const struct ceil_plan_size *dram = target(p, "DRAM");
    double sample = rescale_fixed_s + (dram ? 4 * (double)dram->bytes * s->costs.touch_per_byte : 0);
    *extra = set->max_repetitions > set->repetitions ? CEIL_EXTRA_SHARE * pass1 : 0;
    *rescale = set->rescale_every > 0 ? floor((pass1 + *extra) / set->rescale_every) * sample : 0;
    return pass1 + *extra + *rescale;
}

/* Prices every point in order, and keeps the longest prefix whose whole fits the budget. */
static void fit(struct ceil_schedule *s, const struct ceil_plan *p, const struct ceil_sweep_settings *set)
{
    struct kept kept = { "", "", "" };
    double pass1 = 0, extra, rescale, cut = 0;
    int past = 0;
    for (size_t i = 0; i < s->count; i++) {
        struct ceil_sched_point *pt = &s->points[i];
        double work[CEIL_WORK_COUNT] = { 0 }, sum = 0;
        price(pt, p, set, &s->costs, &kept, work);
        for (int k = 0; k < CEIL_WORK_COUNT; k++)
            sum += work[k];
        pt->estimate_s = sum;
        pass1 += sum;
        past |= s->budget_s > 0 && s->probe_s + grown(s, p, set, pass1, &extra, &rescale) > s->budget_s;
        pt->in_budget = !past;
        s->left_out += past;
        for (int k = 0; !past && k < CEIL_WORK_COUNT; k++)
            s->by_work[k] += work[k];
        cut += past ? 0 : sum;
    }
    s->all_s = s->probe_s + grown(s, p, set, pass1, &extra, &rescale);
    s->pass1_s = cut;
    s->estimate_s = s->probe_s + grown(s, p, set, cut, &s->extra_s, &s->rescale_s);
}

int ceil_schedule_make(struct ceil_schedule *s, const struct ceil_plan *p, enum ceil_sweep sweep, double budget_s,
                       int bench_only, ceil_serial_tick_fn *tick, void *ctx, const struct ceil_costs *costs,
                       char err[CEIL_ERRLEN])
{
    memset(s, 0, sizeof *s);
    s->costs = *costs;
    s->budget_s = budget_s;
    const struct ceil_sweep_settings *set = &settings[sweep];
    s->probe_s = bench_only ? 0 : set->probe_s;
    struct build b = { s, p, set, 0 };
    int rc = generate(&b, tick, ctx, err);
    if (rc) {
        ceil_schedule_free(s);
        return rc;
    }
    qsort(s->points, s->count, sizeof *s->points, by_rank);
    fit(s, p, set);
    return 0;
}

void ceil_schedule_free(struct ceil_schedule *s)
{
    free(s->points);
    s->points = NULL;
    s->count = 0;
}

json_t *ceil_schedule_json(const struct ceil_schedule *s)
{
    json_t *kinds = json_object(), *points = json_array();
    for (int k = 0; k < CEIL_WORK_COUNT; k++)
        json_object_set_new(kinds, ceil_work_name((enum ceil_work)k), json_real(s->by_work[k]));
    for (size_t i = 0; i < s->count; i++)
        json_array_append_new(points, json_pack("{s:s, s:f, s:b}", "name", s->points[i].name, "estimate_s",
                                                s->points[i].estimate_s, "in_budget", s->points[i].in_budget));
    return json_pack("{s:f, s:o, s:{s:f, s:f, s:f, s:f, s:o, s:s}, s:{s:I, s:f}, s:o}", "estimate_s", s->estimate_s,
                     "budget_s", s->budget_s > 0 ? json_real(s->budget_s) : json_null(), "estimate", "probe_s",
                     s->probe_s, "pass1_s", s->pass1_s, "extra_s", s->extra_s, "rescale_s", s->rescale_s, "by_kind",
                     kinds, "costs", s->costs.source, "left_out", "points", (json_int_t)s->left_out, "budget_s_for_all",
                     s->all_s, "points", points);
}
