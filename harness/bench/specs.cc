// The sweep's specs, from the schedule (schedule.h: every kernel x variant x mode x size x worker
// count, the per-tick dispatch of every variant on each of its barriers, and start-up, ranked
// and priced), with each (kernel, N)'s serial tick measured to size the ticks.
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

static double tick_of(const ceil_kernel *k, uint64_t n, void *ctx, char err[CEIL_ERRLEN])
{
    std::string why;
    double seconds = reference_tick_seconds(k, n, why);
    if (seconds < 0)
        snprintf(err, CEIL_ERRLEN, "%s", why.c_str());
    ++*(size_t *)ctx;
    return seconds;
}

bool plan_specs(Sweep &sw, double budget_s, std::string &err)
{
    char msg[CEIL_ERRLEN] = "";
    ceil_costs costs;
    ceil_costs_measure(&costs);
    size_t sized = 0;
    double t0 = ceil_now();
    if (ceil_schedule_make(&sw.schedule, &sw.plan, sw.plan.sweep, budget_s, 1, tick_of, &sized, &costs, msg) != 0) {
        err = msg;
        return false;
    }
    printf("ceilings-bench: ticks per repetition sized from a serial tick at %zu (kernel, N) pairs (%.1f s)\n", sized,
           ceil_now() - t0);
    for (size_t i = 0; i < sw.schedule.count; i++) {
        const ceil_sched_point &p = sw.schedule.points[i];
        Family family = p.family == CEIL_FAMILY_DISPATCH ? Family::Dispatch
                        : p.family == CEIL_FAMILY_STARTUP ? Family::Startup
                                                          : Family::Sweep;
        sw.specs.push_back({ &sw, family, p.kernel, p.variant, p.barrier, p.mode, p.n, &sw.plan.workers[p.workers],
                             p.ticks, i, p.tick_s });
    }
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
