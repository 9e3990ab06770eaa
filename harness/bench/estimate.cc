// The sweep priced before its first run. Each repetition's cost is modelled from what the sweep
// has measured by then (a serial tick at every kernel and N; this machine's first-touch and
// rewrite rates, measured here in a fraction of a second) and from stated defaults for what
// nothing has measured yet (a team's gain, a barrier's cost, a job's start). The bench records
// the estimate and the time it took, so that the model can be checked against every sweep.
#include "sweep.h"

extern "C" {
#include "machine.h"
}

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <sys/mman.h>

namespace bench {

namespace {

// Stated defaults, where nothing is measured before the sweep runs.
constexpr double team_gain_exponent = 0.75;   // a team of W runs W^0.75 times faster than serial
constexpr double dispatch_futex_s = 5e-6;     // one per-tick dispatch, spin-then-futex barrier
constexpr double dispatch_pthread_s = 25e-6;  // the same, pthread barrier (13-25 us measured)
constexpr double corun_s = 0.010;             // the co-run tests around a team's repetition
constexpr double mpirun_start_s = 1.0;        // an mpirun job's start and end
constexpr double python_start_s = 1.5;        // a numpy job's: the interpreter, numpy, the pool
constexpr double rescale_fixed_s = 6.0;       // a rescale sample, besides first-touching its DRAM arrays

// Seconds per byte to first-touch fresh shared memory, and to write it again.
struct Rates {
    double touch = 0, rewrite = 0;
};

Rates measure_rates()
{
    const size_t bytes = 16u << 20;
    Rates r;
    void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return r;
    double t0 = ceil_now();
    memset(p, 1, bytes);
    double t1 = ceil_now();
    memset(p, 2, bytes);
    double t2 = ceil_now();
    munmap(p, bytes);
    r.touch = (t1 - t0) / (double)bytes;
    r.rewrite = (t2 - t1) / (double)bytes;
    return r;
}

struct Cost {
    std::map<std::string, double> kind; // teams, serial pairs, launched jobs, first touch, checks, dispatch and start-up
    double total() const
    {
        double t = 0;
        for (auto &[k, v] : kind)
            t += v;
        return t;
    }
};

bool launched(const Spec &s) { return s.variant->traits & CEIL_LAUNCHED; }

// One repetition of a bandwidth point: the team's ticks, its pair's, the rewrite of both sets of
// arrays, the check, the co-run tests; a launched job also its start, first touch and own check.
void price_sweep(const Spec &s, const Rates &r, int reps, Cost &c)
{
    double bytes = ceil_kernel_footprint(s.kernel) * (double)s.n, w = s.workers->count;
    double serial = s.tick_s * (double)(s.ticks + 1), team = serial / std::pow(w, team_gain_exponent);
    if (s.mode == CEIL_PERTICK)
        team += (double)s.ticks * (s.barrier == CEIL_BARRIER_PTHREAD ? dispatch_pthread_s : dispatch_futex_s);
    bool paired = !(s.variant->traits & CEIL_REFERENCE);
    c.kind["teams"] += reps * (team + (paired && w > 1 ? corun_s : 0));
    if (paired)
        c.kind["serial pairs"] += reps * (serial + bytes * r.rewrite);
    if (launched(s)) {
        double start = s.variant->launcher == CEIL_PYTHON ? python_start_s : mpirun_start_s;
        c.kind["launched jobs"] += reps * (start + serial + 2 * bytes * r.touch);
        return;
    }
    c.kind["checks"] += reps * bytes * 2 * r.rewrite; /* the rewrite before, the compare after */
}

// Dispatch and start-up points: a handful of iterations at a small N, or prepare alone.
void price_other(const Spec &s, const Rates &r, int reps, Cost &c)
{
    double bytes = ceil_kernel_footprint(s.kernel) * (double)s.n;
    if (s.family == Family::Startup) {
        c.kind["dispatch and start-up"] += reps * 3 * (bytes * r.touch + s.workers->count * 1e-3);
        return;
    }
    double per_tick = s.barrier == CEIL_BARRIER_PTHREAD ? dispatch_pthread_s : dispatch_futex_s;
    int iterations = launched(s) ? 1 : 5;
    double start = launched(s) ? 2 * mpirun_start_s : 0;
    c.kind["dispatch and start-up"] += reps * (start + iterations * 2.0 * (double)s.ticks * (per_tick + 1e-6));
}

} // namespace

void add_overhead(Sweep &sw, const char *kind, double seconds) { sw.overhead[kind] += seconds; }

void estimate(Sweep &sw, const std::vector<size_t> &which, double extra_share)
{
    Rates r = measure_rates();
    Cost c;
    std::set<std::string> teams, pairs, refs;
    for (size_t i : which) {
        const Spec &s = sw.specs[i];
        double bytes = ceil_kernel_footprint(s.kernel) * (double)s.n;
        if (s.family != Family::Sweep) {
            price_other(s, r, sw.repetitions, c);
            continue;
        }
        price_sweep(s, r, sw.repetitions, c);
        std::string at = std::string(s.kernel->name) + "/" + std::to_string(s.n);
        if (!launched(s) && teams.insert(at + "/" + s.variant->name + "/" + std::to_string(s.workers->count)).second)
            c.kind["first touch"] += bytes * r.touch; /* a team kept across its repetitions and modes */
        if (!(s.variant->traits & CEIL_REFERENCE) && pairs.insert(at).second)
            c.kind["first touch"] += bytes * r.touch;
        if (!launched(s) && refs.insert(at + "/" + std::to_string(s.ticks)).second)
            c.kind["checks"] += bytes * r.touch + s.tick_s * (double)(s.ticks + 1); /* the serial reference */
    }
    double pass1 = c.total(), extra = extra_share * pass1;
    double dram = 0;
    for (unsigned i = 0; i < sw.plan.n_sizes; i++)
        if (sw.plan.sizes[i].target && !strcmp(sw.plan.sizes[i].target, "DRAM"))
            dram = (double)sw.plan.sizes[i].bytes;
    double sample = rescale_fixed_s + 4 * dram * r.touch; /* daxpy's arrays on one worker, then on all */
    double rescale = sw.rescale_every > 0 ? std::floor((pass1 + extra) / sw.rescale_every) * sample : 0;
    sw.estimate_s = pass1 + extra + rescale;
    std::string parts;
    for (auto &[k, v] : c.kind)
        if (v >= 0.5)
            parts += (parts.empty() ? "" : ", ") + k + fmt(" %.0f s", v);
    printf("ceilings-bench: estimate (first touch %.1f us a page here, rewrite %.2f us): pass 1 %.0f s (%s); "
           "more repetitions and pass 2 at most %.0f s; rescale samples %.0f s; in all about %.1f min\n",
           r.touch * 4096 * 1e6, r.rewrite * 4096 * 1e6, pass1, parts.c_str(), extra, rescale, sw.estimate_s / 60);
    fflush(stdout);
}

} // namespace bench
