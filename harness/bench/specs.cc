// The sweep's specs, from the plan and the variant table: every kernel x variant x mode x size x
// worker count, the per-tick dispatch of every variant on each of its barriers, and start-up.
#include "sweep.h"

extern "C" {
#include "machine.h"
#include "launch.h"
#include "names.h"
}

#include <cmath>
#include <cstring>
#include <regex.h>

namespace bench {

std::string name_of(const Spec &s)
{
    char series[64], name[192];
    ceil_series_name(s.variant, s.barrier, series, sizeof series);
    const char *mode = s.family == Family::Dispatch  ? "dispatch"
                       : s.family == Family::Startup ? "startup"
                                                     : ceil_mode_name(s.mode);
    ceil_point_name_format(name, sizeof name, s.kernel->name, series, mode, s.n, s.workers->count);
    return name;
}

// Seconds per tick of the reference variant on kernel k at n, to size every point's ticks alike.
static double reference_tick_seconds(const ceil_kernel *k, uint64_t n, std::string &err)
{
    char msg[CEIL_ERRLEN];
    const ceil_variant_ops *ops = ceil_variant_reference()->ops;
    ceil_config cfg{};
    cfg.kernel = k;
    cfg.n = (size_t)n;
    cfg.workers = 1;
    ceil_run *run = nullptr;
    if (ops->prepare(&cfg, &run, msg) != 0 || ops->run(run, 1, CEIL_BATCHED, msg) != 0) {
        err = msg;
        ops->release(run);
        return -1;
    }
    double elapsed = 0;
    unsigned long ticks = 1;
    for (;; ticks *= 2) {
        double t0 = ceil_now();
        if (ops->run(run, ticks, CEIL_BATCHED, msg) != 0) {
            err = msg;
            ticks = 0;
            break;
        }
        if ((elapsed = ceil_now() - t0) >= 2e-3)
            break;
    }
    ops->release(run);
    return ticks ? elapsed / (double)ticks : -1;
}

static unsigned long ticks_for(double seconds, double per_tick)
{
    double t = std::round(seconds / per_tick);
    return t < 1 ? 1 : t > 1e7 ? 10000000UL : (unsigned long)t;
}

static const ceil_plan_size *target(const ceil_plan &plan, const char *level)
{
    for (unsigned i = 0; i < plan.n_sizes; i++)
        if (plan.sizes[i].target && strcmp(plan.sizes[i].target, level) == 0)
            return &plan.sizes[i];
    return nullptr;
}

// The book's N and kernels: its tables are the variants with CEIL_BOOK at 10,000,000 elements.
enum : uint64_t { BOOK_N = 10000000 };
static const char *const book_kernels[] = { "motion", "trig" };

// A launched variant starts a job per repetition (a process or ranks, first touch, a check): it
// runs at the target sizes only, and at the DRAM target only where the sweep allows. The book's
// N runs the variants of the book's tables only.
static bool runs_here(const Sweep &sw, const ceil_variant *v, const ceil_kernel *k, const ceil_plan_size *size,
                      const Settings &set)
{
    if (!ceil_variant_runs(v, k))
        return false;
    if (size == &sw.book)
        return (v->traits & CEIL_BOOK) && ceil_launcher_found(v);
    if (!(v->traits & CEIL_LAUNCHED))
        return true;
    return ceil_launcher_found(v) && size->target && (set.jobs_dram || strcmp(size->target, "DRAM") != 0);
}

// Every variant at one (kernel, size): the reference at one worker, the others at every count.
static void add_sweep_points(Sweep &sw, const Settings &set, const ceil_kernel *kern, const ceil_plan_size *size,
                             double per_tick)
{
    unsigned long ticks = ticks_for(set.seconds_per_run, per_tick);
    for (unsigned v = 0; v < ceil_variant_count; v++) {
        const ceil_variant *var = &ceil_variants[v];
        bool reference = var->traits & CEIL_REFERENCE;
        // a baseline kernel runs on the reference alone: the vectorisation gain
        if ((kern->baseline && !reference) || !runs_here(sw, var, kern, size, set))
            continue;
        for (unsigned w = 0; w < (reference ? 1 : sw.plan.n_workers); w++)
            for (unsigned m = 0; m <= CEIL_PERTICK; m++) {
                /* an emitting kernel's story is its scan and merge, not dispatch */
                if (!(var->modes & CEIL_MODE_BIT(m)) || (kern->merge && m == CEIL_PERTICK))
                    continue;
                sw.specs.push_back({ &sw, Family::Sweep, kern, var, var->barrier, (ceil_mode)m, size->n,
                                     &sw.plan.workers[w], ticks, 0, per_tick });
            }
    }
}

// Per-tick dispatch, every variant that has it on each of its barriers: 1024 elements per worker
// of the largest team, so that a tick is mostly dispatch.
static void add_dispatch_points(Sweep &sw, const Settings &set, const ceil_kernel *kern)
{
    uint64_t small = 1024ULL * sw.plan.workers[sw.plan.n_workers - 1].count;
    for (unsigned v = 0; v < ceil_variant_count; v++) {
        const ceil_variant *var = &ceil_variants[v];
        if ((var->traits & CEIL_REFERENCE) || !(var->modes & CEIL_MODE_BIT(CEIL_PERTICK)) ||
            !ceil_launcher_found(var))
            continue;
        for (unsigned b = 0; b < CEIL_BARRIER_COUNT; b++) {
            if (var->barriers ? !ceil_variant_accepts(var, (ceil_barrier_kind)b) : b != var->barrier)
                continue;
            // a pthread barrier costs 10-25 us a round trip here: fewer ticks for the same time
            unsigned long ticks = b == CEIL_BARRIER_PTHREAD ? set.dispatch_ticks / 10 + 1 : set.dispatch_ticks;
            for (unsigned w = 0; w < sw.plan.n_workers; w++)
                sw.specs.push_back({ &sw, Family::Dispatch, kern, var, (ceil_barrier_kind)b, CEIL_BATCHED, small,
                                     &sw.plan.workers[w], ticks, 0 });
        }
    }
}

// Start-up: team creation at a small size, first touch dominating at larger ones.
static void add_startup_points(Sweep &sw, const Settings &set, const ceil_kernel *kern)
{
    std::vector<const ceil_plan_size *> sizes = { target(sw.plan, "L2"), target(sw.plan, "L3") };
    if (set.startup_dram)
        sizes.push_back(target(sw.plan, "DRAM"));
    for (const ceil_plan_size *size : sizes)
        for (unsigned v = 0; size && v < ceil_variant_count; v++) {
            const ceil_variant *var = &ceil_variants[v];
            if (var->traits & CEIL_LAUNCHED)
                continue;
            for (unsigned w = 0; w < (var->traits & CEIL_REFERENCE ? 1 : sw.plan.n_workers); w++)
                sw.specs.push_back({ &sw, Family::Startup, kern, var, var->barrier, CEIL_BATCHED, size->n,
                                     &sw.plan.workers[w], 0, 0 });
        }
}

// A variant that runs a loop of its own (the book's numpy) has no reference to draw its in-core
// time from, and runs at the targets only: each team's part of the L2 target (N/W), on one worker,
// is that time for the team. numpy's temporaries take a third more memory than the arrays, so its
// one worker spills from L2 at the target where two workers' halves do not: on the 2-vCPU Xeon,
// motion in numpy ran 0.37 ns per element-tick at 262000 elements and 0.20 at 131000, and its
// 2-worker team at 262000 ran 3.98x its one worker. Batched, paired with serial as every point.
static void add_part_points(Sweep &sw, const Settings &set, const ceil_kernel *kern, std::string &err, size_t &sized)
{
    const ceil_plan_size *l2 = target(sw.plan, "L2");
    for (unsigned w = 0; l2 && w < sw.plan.n_workers; w++) {
        uint64_t n = (uint64_t)std::llround((double)l2->n / sw.plan.workers[w].count);
        bool planned = false;
        for (unsigned i = 0; i < sw.plan.n_sizes; i++)
            planned |= sw.plan.sizes[i].target && sw.plan.sizes[i].n == n;
        if (sw.plan.workers[w].count < 2 || planned)
            continue;
        unsigned long ticks = 0;
        double per_tick = 0;
        for (unsigned v = 0; v < ceil_variant_count; v++) {
            const ceil_variant *var = &ceil_variants[v];
            if (!ceil_variant_own_loop(var) || !ceil_variant_runs(var, kern) || !ceil_launcher_found(var))
                continue;
            if (!ticks) {
                if ((per_tick = reference_tick_seconds(kern, n, err)) < 0)
                    return;
                ticks = ticks_for(set.seconds_per_run, per_tick);
                sized++;
            }
            sw.specs.push_back({ &sw, Family::Sweep, kern, var, var->barrier, CEIL_BATCHED, n, &sw.plan.workers[0], ticks, 0,
                                 per_tick });
        }
    }
}

bool plan_specs(Sweep &sw, const Settings &set, std::string &err)
{
    std::vector<std::pair<const ceil_kernel *, const ceil_plan_size *>> points;
    for (unsigned k = 0; k < ceil_kernel_count; k++)
        for (unsigned i = 0; i < sw.plan.n_sizes; i++) {
            const ceil_plan_size *size = &sw.plan.sizes[i];
            // a baseline runs at the L2 and L3 targets only
            if (!ceil_kernels[k].baseline || (size->target && strcmp(size->target, "DRAM") != 0))
                points.emplace_back(&ceil_kernels[k], size);
        }
    sw.book.n = BOOK_N;
    bool planned = false;
    for (unsigned i = 0; i < sw.plan.n_sizes; i++)
        planned |= sw.plan.sizes[i].n == BOOK_N;
    for (const char *name : book_kernels)
        if (!planned && ceil_kernel_find(name))
            points.emplace_back(ceil_kernel_find(name), &sw.book);
    double t0 = ceil_now();
    for (auto &[kern, size] : points) {
        double per_tick = reference_tick_seconds(kern, size->n, err);
        if (per_tick < 0)
            return false;
        add_sweep_points(sw, set, kern, size, per_tick);
    }
    size_t parts = 0;
    for (unsigned k = 0; k < ceil_kernel_count; k++) {
        add_part_points(sw, set, &ceil_kernels[k], err, parts);
        if (!err.empty())
            return false;
    }
    printf("ceilings-bench: ticks per repetition sized from a serial tick at %zu (kernel, N) pairs (%.1f s)\n",
           points.size() + parts, ceil_now() - t0);
    const ceil_kernel *motion = ceil_kernel_find("motion");
    add_dispatch_points(sw, set, motion);
    add_startup_points(sw, set, motion);
    for (size_t i = 0; i < sw.specs.size(); i++)
        sw.specs[i].index = i;
    sw.records.assign(sw.specs.size(), Record{});
    return true;
}

void register_specs(Sweep &sw, const std::vector<size_t> &which, int repetitions)
{
    benchmark::ClearRegisteredBenchmarks();
    for (size_t i : which) {
        const Spec &s = sw.specs[i];
        bool launched = s.variant->traits & CEIL_LAUNCHED;
        std::string name = name_of(s);
        benchmark::internal::Benchmark *b = nullptr;
        switch (s.family) {
        case Family::Sweep:
            b = benchmark::RegisterBenchmark(name.c_str(), launched ? job_point : sweep_point, &s)
                    ->UseManualTime()
                    ->Iterations(1);
            break;
        case Family::Dispatch:
            b = launched
                    ? benchmark::RegisterBenchmark(name.c_str(), job_dispatch_point, &s)->UseManualTime()->Iterations(1)
                    : benchmark::RegisterBenchmark(name.c_str(), dispatch_point, &s)->UseManualTime()->Iterations(5);
            break;
        case Family::Startup:
            b = benchmark::RegisterBenchmark(name.c_str(), startup_point, &s)->UseManualTime()->Iterations(3);
            break;
        }
        b->Unit(benchmark::kMicrosecond)->Repetitions(repetitions);
    }
}

// The specs Google Benchmark will run, as its --benchmark_filter selects them.
std::vector<size_t> selected(const Sweep &sw, const std::vector<size_t> &which)
{
    std::string filter = benchmark::GetBenchmarkFilter();
    bool negate = !filter.empty() && filter[0] == '-';
    if (negate)
        filter.erase(0, 1);
    if (filter.empty() || filter == "all")
        filter = ".";
    regex_t re;
    if (regcomp(&re, filter.c_str(), REG_EXTENDED | REG_NOSUB) != 0)
        return which; /* Google Benchmark will say what is wrong with it */
    std::vector<size_t> out;
    for (size_t i : which)
        if ((regexec(&re, name_of(sw.specs[i]).c_str(), 0, nullptr, 0) == 0) != negate)
            out.push_back(i);
    regfree(&re);
    return out;
}

size_t count_selected(const Sweep &sw, const std::vector<size_t> &which, int repetitions)
{
    return selected(sw, which).size() * (size_t)repetitions;
}

} // namespace bench
