// The sweep's price, printed before its first run: the schedule's cost model (schedule.h) over
// the points about to run, by phase and by kind of work. The bench records it beside the time it
// took, so that every sweep checks the model.
#include "sweep.h"

extern "C" {
#include "machine.h"
}

#include <cmath>

namespace bench {

void add_overhead(Sweep &sw, const char *kind, double seconds) { sw.overhead[kind] += seconds; }

void estimate(Sweep &sw, const std::vector<size_t> &which)
{
    double by[CEIL_WORK_COUNT] = {}, pass1 = 0;
    for (size_t i : which)
        pass1 += sw.schedule.points[sw.specs[i].index].estimate_s;
    for (int k = 0; k < CEIL_WORK_COUNT; k++) /* the schedule's split, scaled to the points that run */
        by[k] = sw.schedule.pass1_s > 0 ? sw.schedule.by_work[k] * pass1 / sw.schedule.pass1_s : 0;
    double extra = sw.max_repetitions > sw.repetitions ? CEIL_EXTRA_SHARE * pass1 : 0;
    double grown = sw.schedule.pass1_s > 0 ? (sw.schedule.rescale_s / (sw.schedule.pass1_s + sw.schedule.extra_s)) : 0;
    double rescale = std::isfinite(grown) ? grown * (pass1 + extra) : 0;
    sw.estimate_s = pass1 + extra + rescale;
    std::string parts;
    for (int k = 0; k < CEIL_WORK_COUNT; k++)
        if (by[k] >= 0.5)
            parts += (parts.empty() ? "" : ", ") + std::string(ceil_work_name((ceil_work)k)) + fmt(" %.0f s", by[k]);
    printf("ceilings-bench: estimate (first touch %.1f us a page here): pass 1 %.0f s (%s); more repetitions and "
           "pass 2 at most %.0f s; rescale samples %.0f s; in all about %.1f min",
           sw.schedule.costs.touch_per_byte * 4096 * 1e6, pass1, parts.c_str(), extra, rescale, sw.estimate_s / 60);
    if (sw.budget_s > 0)
        printf("; budget %.0f s: %zu points left out (all of them would take about %.1f min)", sw.budget_s,
               sw.left_out.size(), sw.schedule.all_s / 60);
    printf("\n");
    fflush(stdout);
}

} // namespace bench
