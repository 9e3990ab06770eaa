// ceilings-bench: the sweep as Google Benchmark benchmarks, planned from the topology.
//
// A thin wrapper: the C variants do the work; Google Benchmark times it (wall clock: the
// default CPU timer cannot see worker threads or child processes), repeats it, interleaves
// the repetitions at random against drift, aggregates and writes the JSON. Every point's
// arrays are compared with serial's after the same ticks; a difference fails the point and
// makes the process exit 1. Names parse back into their parts:
//   KERNEL/VARIANT/MODE/n:N/workers:W   MODE: batched, pertick, dispatch or startup
extern "C" {
#include "build_info.h"
#include "cli.h"
#include "cpulist.h"
#include "likwid_tools.h"
#include "machine.h"
#include "mpi_launch.h"
#include "plan.h"
#include "point.h"
#include "team.h"
#include "topology.h"
}

#include <benchmark/benchmark.h>

#include <cerrno>
#include <csignal>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <getopt.h>
#include <map>
#include <regex.h>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

enum class Family { Sweep, Dispatch, Startup, Mpi, MpiDispatch };

// One registered benchmark.
struct Spec {
    Family family;
    const ceil_kernel *kernel;
    const ceil_variant *variant;
    const char *variant_label; // "proc-pthread" for the process team on the pthread barrier
    ceil_mode mode;
    ceil_barrier_kind barrier;
    uint64_t n;
    const ceil_plan_workers *workers;
    unsigned long ticks; // per iteration
};

// How long each sweep runs.
struct Settings {
    double seconds_per_run; // a repetition's ticks at one worker
    int repetitions;
    unsigned long dispatch_ticks;
    bool startup_dram;
    bool mpi_dram; // an MPI job at the DRAM target maps, touches and checks a GB or more anew: seconds each
};

const Settings settings_for[] = {
    /* quick   */ { 0.02, 2, 500, false, false },
    /* default */ { 0.05, 5, 2000, false, true },
    /* full    */ { 0.20, 10, 5000, true, true },
};

int flag_repetitions = 1; // the sweep's repetitions (Google Benchmark's flag, or the sweep's)

struct Run {
    ceil_topo topo{};
    ceil_plan plan{};
    ceil_refs *refs = nullptr;
    std::vector<Spec> specs; // stable addresses: reserved before registration
    std::vector<std::string> failures;
} g;

std::string name_of(const Spec &s)
{
    static const char *modes[] = { "batched", "pertick" };
    const char *mode = s.family == Family::Dispatch || s.family == Family::MpiDispatch ? "dispatch"
                       : s.family == Family::Startup ? "startup"
                                                     : modes[s.mode];
    return std::string(s.kernel->name) + "/" + s.variant_label + "/" + mode + "/n:" + std::to_string(s.n) +
           "/workers:" + std::to_string(s.workers->count);
}

ceil_config config_of(const Spec &s)
{
    ceil_config cfg{};
    cfg.kernel = s.kernel;
    cfg.n = (size_t)s.n;
    cfg.workers = s.workers->count;
    cfg.cpus = s.workers->cpus;
    cfg.topology = g.topo.topo;
    cfg.barrier = s.barrier;
    return cfg;
}

std::string fmt(const char *f, double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string clock_text(double seconds)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%d:%02d", (int)seconds / 60, (int)seconds % 60);
    return buf;
}

// One line per finished repetition, with points done of total and time left. Printed by the
// benchmarks themselves: with random interleaving, Google Benchmark 1.7 reports a benchmark
// only after its last repetition, which would leave the display silent for most of a sweep.
class Progress {
public:
    void start(size_t total)
    {
        total_ = total;
        start_ = ceil_now();
        printf("ceilings-bench: %zu runs (points x repetitions), repetitions in random order\n", total_);
    }

    void done(const Spec &s, const std::string &what)
    {
        done_++;
        double elapsed = ceil_now() - start_;
        double left = elapsed / (double)done_ * (double)(total_ > done_ ? total_ - done_ : 0);
        int width = (int)std::to_string(total_).size();
        printf("[%*zu/%zu %3.0f%%] %-50s %s  (%s, ~%s left)\n", width, done_, total_,
               100.0 * (double)done_ / (double)(total_ ? total_ : 1), name_of(s).c_str(), what.c_str(),
               clock_text(elapsed).c_str(), clock_text(left).c_str());
        fflush(stdout);
    }

private:
    size_t total_ = 0, done_ = 0;
    double start_ = 0;
} progress;

void fail(benchmark::State &state, const Spec &s, const std::string &why)
{
    state.SkipWithError(why.c_str());
    if (!ceil_stop_signal())
        g.failures.push_back(name_of(s) + ": " + why);
    progress.done(s, "ERROR: " + why);
}

// The arrays after `ticks` ticks must equal serial's. Returns false (and fails the point) if not.
bool validate(benchmark::State &state, const Spec &s, const ceil_run *run, unsigned long ticks)
{
    char err[CEIL_ERRLEN], why[CEIL_ERRLEN];
    const ceil_arrays *want = ceil_refs_get(g.refs, s.kernel, (size_t)s.n, ticks, err);
    if (!want) {
        fail(state, s, std::string("no serial reference: ") + err);
        return false;
    }
    if (!ceil_arrays_equal(s.kernel, &run->arrays, want, why)) {
        fail(state, s, std::string("differs from serial: ") + why);
        return false;
    }
    return true;
}

// After ^C every point not yet run is skipped, not failed.
bool skipped_after_stop(benchmark::State &state)
{
    bool stopped = ceil_stop_signal() != 0;
    if (stopped)
        state.SkipWithError("interrupted");
    return stopped;
}

// What every bandwidth point reports: bytes and element-ticks over `iterations` repetitions of
// s.ticks ticks, their rates, and an emitting kernel's merge. Returns the bytes of one repetition.
double set_rate_counters(benchmark::State &state, const Spec &s, double iterations, double workers_running,
                         double merge_seconds, double merged)
{
    double elem_ticks = (double)s.n * (double)s.ticks, bytes = ceil_kernel_bytes(s.kernel) * elem_ticks;
    state.SetBytesProcessed((int64_t)(bytes * iterations));
    state.SetItemsProcessed((int64_t)(elem_ticks * iterations));
    state.counters["gbps"] = benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["ns_per_elem_tick"] = benchmark::Counter(
        elem_ticks * 1e-9, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
    state.counters["ticks"] = (double)s.ticks;
    state.counters["workers_running"] = workers_running;
    if (s.kernel->merge) {
        state.counters["merge_us"] = merge_seconds * 1e6;
        state.counters["merged"] = merged;
    }
    return bytes;
}

void set_label(benchmark::State &state, const ceil_run *run)
{
    char cpus[256];
    ceil_format_cpulist(run->cpu_of, run->workers, cpus, sizeof cpus);
    state.SetLabel(std::string("cpus=") + cpus);
}

// KERNEL/VARIANT/{batched,pertick}: one repetition is `ticks` ticks after a warm-up tick.
void sweep_point(benchmark::State &state, const Spec *s)
{
    char err[CEIL_ERRLEN] = "";
    if (skipped_after_stop(state))
        return;
    ceil_config cfg = config_of(*s);
    ceil_run *run = nullptr;
    int rc = s->variant->prepare(&cfg, &run, err);
    if (rc == 0)
        rc = s->variant->run(run, 1, s->mode, err);
    double t0 = ceil_now();
    for (auto _ : state) {
        if (rc != 0)
            break;
        rc = s->variant->run(run, s->ticks, s->mode, err);
    }
    double seconds = ceil_now() - t0, merge = 0;
    size_t merged = 0;
    if (rc == 0 && s->kernel->merge) { /* an emitting kernel's segments, gathered after the runs */
        double m0 = ceil_now();
        merged = s->kernel->merge(run->arrays.a, run->slices, run->workers);
        merge = ceil_now() - m0;
    }
    if (rc != 0) {
        fail(state, *s, err);
    } else if (validate(state, *s, run, 1 + (unsigned long)state.iterations() * s->ticks)) {
        double iterations = (double)state.iterations(),
               bytes = set_rate_counters(state, *s, iterations, run->workers, merge, (double)merged);
        set_label(state, run);
        progress.done(*s, fmt("%8.2f GB/s", bytes * iterations / seconds * 1e-9));
    }
    s->variant->release(run);
}

// KERNEL/VARIANT/dispatch: EPCC's overhead, per tick: (pertick - batched) / ticks, on a size
// small enough that the dispatch is most of a tick. The time reported is the per-tick run's.
void dispatch_point(benchmark::State &state, const Spec *s)
{
    char err[CEIL_ERRLEN] = "";
    if (skipped_after_stop(state))
        return;
    ceil_config cfg = config_of(*s);
    ceil_run *run = nullptr;
    int rc = s->variant->prepare(&cfg, &run, err);
    if (rc == 0)
        rc = s->variant->run(run, 1, CEIL_BATCHED, err);
    if (rc == 0)
        rc = s->variant->run(run, 1, CEIL_PERTICK, err);
    double overhead = 0, batched = 0, pertick = 0;
    for (auto _ : state) {
        if (rc != 0)
            break;
        double t0 = ceil_now();
        rc = s->variant->run(run, s->ticks, CEIL_BATCHED, err);
        double t1 = ceil_now();
        if (rc == 0)
            rc = s->variant->run(run, s->ticks, CEIL_PERTICK, err);
        double t2 = ceil_now();
        state.SetIterationTime(t2 - t1);
        batched += (t1 - t0) / (double)s->ticks;
        pertick += (t2 - t1) / (double)s->ticks;
        overhead += ((t2 - t1) - (t1 - t0)) / (double)s->ticks;
    }
    if (rc != 0) {
        fail(state, *s, err);
    } else if (validate(state, *s, run, 2 + 2 * (unsigned long)state.iterations() * s->ticks)) {
        using C = benchmark::Counter;
        state.counters["overhead_us"] = C(overhead * 1e6, C::kAvgIterations);
        state.counters["batched_us_per_tick"] = C(batched * 1e6, C::kAvgIterations);
        state.counters["pertick_us_per_tick"] = C(pertick * 1e6, C::kAvgIterations);
        state.counters["ticks"] = (double)s->ticks;
        set_label(state, run);
        progress.done(*s, fmt("%8.3f us/tick dispatch", overhead * 1e6 / (double)state.iterations()));
    }
    s->variant->release(run);
}

// KERNEL/VARIANT/startup: prepare alone (map, start the team, pin, first touch), timed.
void startup_point(benchmark::State &state, const Spec *s)
{
    char err[CEIL_ERRLEN] = "";
    if (skipped_after_stop(state))
        return;
    ceil_config cfg = config_of(*s);
    int rc = 0;
    double total = 0;
    for (auto _ : state) {
        ceil_run *run = nullptr;
        double t0 = ceil_now();
        rc = s->variant->prepare(&cfg, &run, err);
        total += ceil_now() - t0;
        state.SetIterationTime(ceil_now() - t0);
        if (rc == 0 && !validate(state, *s, run, 0))
            rc = -EINVAL;
        s->variant->release(run);
        if (rc != 0)
            break;
    }
    if (rc != 0 && rc != -EINVAL)
        fail(state, *s, err);
    if (rc == 0) {
        state.counters["first_touch_bytes"] = ceil_kernel_footprint(s->kernel) * (double)s->n;
        progress.done(*s, fmt("%8.3f ms start-up", total * 1e3 / (double)state.iterations()));
    }
}

// One MPI job: mpirun -np W ceilings run KERNEL mpi ... --reps 1 --json, checked against serial
// inside the job. One job per repetition, so the repetitions interleave with every other point's
// like theirs (each costs an mpirun start, about 0.4 s here, outside the timed region). Returns
// the JSON rank 0 printed, or nullptr with the reason in err.
json_t *mpi_job(const Spec &s, ceil_mode mode, unsigned long ticks, std::string &err)
{
    char cpus[512], msg[CEIL_ERRLEN];
    ceil_format_cpulist(s.workers->cpus, s.workers->count, cpus, sizeof cpus);
    std::vector<std::string> words = { s.kernel->name, "mpi", "--n", std::to_string(s.n), "--ticks",
                                       std::to_string(ticks), "--reps", "1",
                                       "--mode", mode == CEIL_BATCHED ? "batched" : "pertick",
                                       "--barrier", s.barrier == CEIL_BARRIER_MPI ? "mpi" : "futex",
                                       "--workers", std::to_string(s.workers->count), "--cpus", cpus };
    std::vector<char *> args;
    for (std::string &w : words)
        args.push_back(&w[0]);
    args.push_back(nullptr);
    json_t *r = nullptr;
    int status = 0;
    if (ceil_mpi_launch(s.workers->count, args.data(), 600, &r, &status, msg) != 0) {
        err = msg;
        return nullptr;
    }
    if (!json_is_true(json_object_get(r, "valid"))) {
        const char *why = json_string_value(json_object_get(r, "error"));
        err = std::string("differs from serial: ") + (why ? why : "no reason given");
        json_decref(r);
        return nullptr;
    }
    if (status != 0) {
        err = "mpirun exited with status " + std::to_string(status) + " after a valid result";
        json_decref(r);
        return nullptr;
    }
    return r;
}

void set_mpi_label(benchmark::State &state, json_t *r)
{
    std::string label = "cpus=";
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(r, "cpus"), i, c) label += (i ? "," : "") + std::to_string(json_integer_value(c));
    state.SetLabel(label + "; one mpirun job");
}

// KERNEL/mpi/MODE: a job of its own per repetition, timed inside the job.
void mpi_point(benchmark::State &state, const Spec *s)
{
    if (skipped_after_stop(state))
        return;
    for (auto _ : state) {
        std::string err;
        json_t *r = mpi_job(*s, s->mode, s->ticks, err);
        if (!r) {
            fail(state, *s, err);
            break;
        }
        double seconds = json_number_value(json_object_get(r, "seconds"));
        state.SetIterationTime(seconds);
        // one job per iteration, and the point runs one iteration (Iterations(1))
        double bytes = set_rate_counters(state, *s, 1, json_number_value(json_object_get(r, "workers_running")),
                                         json_number_value(json_object_get(r, "merge_seconds")),
                                         json_number_value(json_object_get(r, "merged")));
        set_mpi_label(state, r);
        progress.done(*s, fmt("%8.2f GB/s", bytes / seconds * 1e-9));
        json_decref(r);
    }
}

// motion/mpi/dispatch and motion/mpi-futex/dispatch: what a per-tick MPI_Barrier costs against
// the process team's futex barrier placed in the shared window, as a batched and a per-tick job
// at the same small N (the difference per tick is the synchronisation).
void mpi_dispatch_point(benchmark::State &state, const Spec *s)
{
    if (skipped_after_stop(state))
        return;
    for (auto _ : state) {
        std::string err;
        json_t *b = mpi_job(*s, CEIL_BATCHED, s->ticks, err), *p = b ? mpi_job(*s, CEIL_PERTICK, s->ticks, err) : nullptr;
        if (!p) {
            json_decref(b);
            fail(state, *s, err);
            break;
        }
        double batched = json_number_value(json_object_get(b, "seconds")) / (double)s->ticks,
               pertick = json_number_value(json_object_get(p, "seconds")) / (double)s->ticks;
        state.SetIterationTime(pertick * (double)s->ticks);
        state.counters["overhead_us"] = (pertick - batched) * 1e6;
        state.counters["batched_us_per_tick"] = batched * 1e6;
        state.counters["pertick_us_per_tick"] = pertick * 1e6;
        state.counters["ticks"] = (double)s->ticks;
        set_mpi_label(state, p);
        progress.done(*s, fmt("%8.3f us/tick dispatch", (pertick - batched) * 1e6));
        json_decref(b);
        json_decref(p);
    }
}

// Seconds per serial tick of kernel k at n, to size every point's ticks alike.
double serial_tick_seconds(const ceil_kernel *k, uint64_t n, std::string &err)
{
    char msg[CEIL_ERRLEN];
    ceil_config cfg{};
    cfg.kernel = k;
    cfg.n = (size_t)n;
    cfg.workers = 1;
    ceil_run *run = nullptr;
    if (ceil_variant_serial.prepare(&cfg, &run, msg) != 0 || ceil_variant_serial.run(run, 1, CEIL_BATCHED, msg) != 0) {
        err = msg;
        ceil_variant_serial.release(run);
        return -1;
    }
    double elapsed = 0;
    unsigned long ticks = 1;
    for (;; ticks *= 2) {
        double t0 = ceil_now();
        if (ceil_variant_serial.run(run, ticks, CEIL_BATCHED, msg) != 0) {
            err = msg;
            ticks = 0;
            break;
        }
        if ((elapsed = ceil_now() - t0) >= 2e-3)
            break;
    }
    ceil_variant_serial.release(run);
    return ticks ? elapsed / (double)ticks : -1;
}

unsigned long ticks_for(double seconds, double per_tick)
{
    double t = std::round(seconds / per_tick);
    return t < 1 ? 1 : t > 1e7 ? 10000000UL : (unsigned long)t;
}

const ceil_plan_size *target(const char *level)
{
    for (unsigned i = 0; i < g.plan.n_sizes; i++)
        if (g.plan.sizes[i].target && strcmp(g.plan.sizes[i].target, level) == 0)
            return &g.plan.sizes[i];
    return nullptr;
}

// Fills g.specs from the plan. Returns false (with a message) if calibration fails.
bool plan_specs(const Settings &set, std::string &err)
{
    const ceil_plan_workers *one = &g.plan.workers[0];
    std::vector<std::pair<const ceil_kernel *, const ceil_plan_size *>> points;
    for (unsigned k = 0; k < ceil_kernel_count; k++) {
        const ceil_kernel *kern = &ceil_kernels[k];
        for (unsigned i = 0; i < g.plan.n_sizes; i++) {
            const ceil_plan_size *size = &g.plan.sizes[i];
            // a baseline runs serially at the L2 and L3 targets only: the vectorisation gain
            if (kern->baseline && !(size->target && strcmp(size->target, "DRAM") != 0))
                continue;
            points.emplace_back(kern, size);
        }
    }
    g.specs.reserve(points.size() * (1 + 4 * g.plan.n_workers) + 8 * g.plan.n_workers + 16);
    double t0 = ceil_now();
    for (auto &[kern, size] : points) {
        double per_tick = serial_tick_seconds(kern, size->n, err);
        if (per_tick < 0)
            return false;
        unsigned long ticks = ticks_for(set.seconds_per_run, per_tick);
        g.specs.push_back({ Family::Sweep, kern, &ceil_variant_serial, "serial", CEIL_BATCHED, CEIL_BARRIER_FUTEX,
                            size->n, one, ticks });
        if (kern->baseline)
            continue;
        for (unsigned w = 0; w < g.plan.n_workers; w++)
            for (const ceil_variant *v : { &ceil_variant_omp, &ceil_variant_proc })
                for (ceil_mode m : { CEIL_BATCHED, CEIL_PERTICK }) {
                    if (kern->merge && m == CEIL_PERTICK)
                        continue; /* an emitting kernel's story is its scan and merge, not dispatch */
                    g.specs.push_back({ Family::Sweep, kern, v, v->name, m, CEIL_BARRIER_FUTEX, size->n,
                                        &g.plan.workers[w], ticks });
                }
    }
    printf("ceilings-bench: ticks per repetition sized from a serial tick at %zu (kernel, N) pairs (%.1f s)\n",
           points.size(), ceil_now() - t0);

#ifdef CEIL_HAVE_MPI
    // MPI: a job per point, at the targets only (each job starts ranks and checks against serial);
    // the quick sweep leaves out the DRAM target
    if (ceil_mpi_launcher_found())
        for (const Spec &sweep : std::vector<Spec>(g.specs)) {
            if (sweep.family != Family::Sweep || sweep.variant != &ceil_variant_omp)
                continue;
            const ceil_plan_size *size = nullptr;
            for (unsigned i = 0; i < g.plan.n_sizes; i++)
                if (g.plan.sizes[i].n == sweep.n && g.plan.sizes[i].target)
                    size = &g.plan.sizes[i];
            if (size && (set.mpi_dram || strcmp(size->target, "DRAM") != 0))
                g.specs.push_back({ Family::Mpi, sweep.kernel, &ceil_variant_omp, "mpi", sweep.mode, CEIL_BARRIER_MPI,
                                    sweep.n, sweep.workers, sweep.ticks });
        }
#endif

    // dispatch: 1024 elements per worker of the largest team, so a tick is mostly dispatch
    const ceil_kernel *motion = ceil_kernel_find("motion");
    uint64_t small = 1024ULL * g.plan.workers[g.plan.n_workers - 1].count;
    for (unsigned w = 0; w < g.plan.n_workers; w++) {
        g.specs.push_back({ Family::Dispatch, motion, &ceil_variant_omp, "omp", CEIL_BATCHED, CEIL_BARRIER_FUTEX,
                            small, &g.plan.workers[w], set.dispatch_ticks });
        g.specs.push_back({ Family::Dispatch, motion, &ceil_variant_proc, "proc", CEIL_BATCHED,
                            CEIL_BARRIER_FUTEX, small, &g.plan.workers[w], set.dispatch_ticks });
        g.specs.push_back({ Family::Dispatch, motion, &ceil_variant_proc, "proc-pthread", CEIL_BATCHED,
                            CEIL_BARRIER_PTHREAD, small, &g.plan.workers[w], set.dispatch_ticks / 10 + 1 });
#ifdef CEIL_HAVE_MPI
        if (ceil_mpi_launcher_found()) {
            g.specs.push_back({ Family::MpiDispatch, motion, &ceil_variant_omp, "mpi", CEIL_BATCHED, CEIL_BARRIER_MPI,
                                small, &g.plan.workers[w], set.dispatch_ticks });
            g.specs.push_back({ Family::MpiDispatch, motion, &ceil_variant_omp, "mpi-futex", CEIL_BATCHED,
                                CEIL_BARRIER_FUTEX, small, &g.plan.workers[w], set.dispatch_ticks });
        }
#endif
    }

    // start-up: team creation at a small size, first touch dominating at larger ones
    std::vector<const ceil_plan_size *> startup_sizes = { target("L2"), target("L3") };
    if (set.startup_dram)
        startup_sizes.push_back(target("DRAM"));
    for (const ceil_plan_size *size : startup_sizes) {
        if (!size)
            continue;
        g.specs.push_back({ Family::Startup, motion, &ceil_variant_serial, "serial", CEIL_BATCHED,
                            CEIL_BARRIER_FUTEX, size->n, one, 0 });
        for (unsigned w = 0; w < g.plan.n_workers; w++)
            for (const ceil_variant *v : { &ceil_variant_omp, &ceil_variant_proc })
                g.specs.push_back({ Family::Startup, motion, v, v->name, CEIL_BATCHED, CEIL_BARRIER_FUTEX, size->n,
                                    &g.plan.workers[w], 0 });
    }
    return true;
}

void register_specs()
{
    for (const Spec &s : g.specs) {
        std::string name = name_of(s);
        benchmark::internal::Benchmark *b = nullptr;
        switch (s.family) {
        case Family::Sweep:
            b = benchmark::RegisterBenchmark(name.c_str(), sweep_point, &s)->UseRealTime()->Iterations(1);
            break;
        case Family::Dispatch:
            b = benchmark::RegisterBenchmark(name.c_str(), dispatch_point, &s)->UseManualTime()->Iterations(5);
            break;
        case Family::Startup:
            b = benchmark::RegisterBenchmark(name.c_str(), startup_point, &s)->UseManualTime()->Iterations(3);
            break;
        case Family::Mpi:
            b = benchmark::RegisterBenchmark(name.c_str(), mpi_point, &s)->UseManualTime()->Iterations(1);
            break;
        case Family::MpiDispatch:
            b = benchmark::RegisterBenchmark(name.c_str(), mpi_dispatch_point, &s)->UseManualTime()->Iterations(1);
            break;
        }
        b->Unit(benchmark::kMicrosecond);
    }
}

// The names Google Benchmark will run, as its --benchmark_filter selects them.
size_t count_selected()
{
    std::string filter = benchmark::GetBenchmarkFilter();
    bool negate = !filter.empty() && filter[0] == '-';
    if (negate)
        filter.erase(0, 1);
    if (filter.empty() || filter == "all")
        filter = ".";
    regex_t re;
    if (regcomp(&re, filter.c_str(), REG_EXTENDED | REG_NOSUB) != 0)
        return g.specs.size(); /* Google Benchmark will say what is wrong with it */
    size_t count = 0;
    for (const Spec &s : g.specs)
        count += ((regexec(&re, name_of(s).c_str(), 0, nullptr, 0) == 0) != negate) * (size_t)flag_repetitions;
    regfree(&re);
    return count;
}

// The display reporter: the benchmarks print their own progress (see Progress).
class Quiet : public benchmark::BenchmarkReporter {
public:
    bool ReportContext(const Context &) override { return true; }
    void ReportRuns(const std::vector<Run> &) override {}
};

struct Parts {
    std::string kernel, variant, mode;
    uint64_t n = 0;
    unsigned workers = 0;
};

Parts parse_name(const std::string &name)
{
    Parts p;
    std::vector<std::string> f;
    size_t at = 0;
    for (size_t slash; (slash = name.find('/', at)) != std::string::npos; at = slash + 1)
        f.push_back(name.substr(at, slash - at));
    f.push_back(name.substr(at));
    if (f.size() == 5) {
        p.kernel = f[0], p.variant = f[1], p.mode = f[2];
        p.n = std::stoull(f[3].substr(2));
        p.workers = (unsigned)std::stoul(f[4].substr(8));
    }
    return p;
}

// The file output: Google Benchmark's JSON, with a speedup counter over serial at the same N
// (serial's median over this run's time) added once every run is in; and a flat CSV.
class Results : public benchmark::JSONReporter {
public:
    explicit Results(std::string csv_path) : csv_path_(std::move(csv_path)) {}

    // Names stay KERNEL/VARIANT/MODE/n:N/workers:W: the "/iterations:1/real_time" Google
    // Benchmark appends says only what the context's "timer" key says for every point.
    void ReportRuns(const std::vector<Run> &runs) override
    {
        for (Run r : runs) {
            r.run_name.iterations.clear();
            r.run_name.time_type.clear();
            runs_.push_back(r);
        }
    }

    void Finalize() override
    {
        add_speedups();
        if (!runs_.empty())
            JSONReporter::ReportRuns(runs_);
        JSONReporter::Finalize();
        GetOutputStream().flush();
        json_ok = GetOutputStream().good(); /* a full disk shows here: the file is then removed */
        if (!csv_path_.empty())
            write_csv();
    }

    bool csv_ok = true, json_ok = true;

private:
    static double seconds(const Run &r) { return r.GetAdjustedRealTime() * 1e-6; } // all in microseconds

    void add_speedups()
    {
        std::map<std::string, double> serial; // "kernel/n" -> median seconds of a repetition
        for (const Run &r : runs_) {
            Parts p = parse_name(r.run_name.function_name);
            bool median = r.run_type == Run::RT_Aggregate ? r.aggregate_name == "median" : r.repetitions == 1;
            if (p.variant == "serial" && p.mode == "batched" && median && !r.error_occurred)
                serial[p.kernel + "/" + std::to_string(p.n)] = seconds(r);
        }
        std::map<std::string, std::vector<double>> per_rep;
        for (Run &r : runs_) {
            Parts p = parse_name(r.run_name.function_name);
            auto it = serial.find(p.kernel + "/" + std::to_string(p.n));
            if (it == serial.end() || r.error_occurred || (p.mode != "batched" && p.mode != "pertick"))
                continue;
            if (r.run_type == Run::RT_Iteration) {
                r.counters["speedup"] = it->second / seconds(r);
                per_rep[r.run_name.function_name].push_back(r.counters["speedup"]);
            }
        }
        for (Run &r : runs_) {
            auto reps = per_rep.find(r.run_name.function_name);
            if (r.run_type != Run::RT_Aggregate || reps == per_rep.end())
                continue;
            Parts p = parse_name(r.run_name.function_name);
            double s = serial[p.kernel + "/" + std::to_string(p.n)];
            const std::vector<double> &v = reps->second;
            double mean = 0, var = 0;
            for (double x : v)
                mean += x / (double)v.size();
            for (double x : v)
                var += (x - mean) * (x - mean) / (double)(v.size() > 1 ? v.size() - 1 : 1);
            if (r.aggregate_name == "mean" || r.aggregate_name == "median")
                r.counters["speedup"] = s / seconds(r);
            else if (r.aggregate_name == "stddev")
                r.counters["speedup"] = std::sqrt(var);
            else if (r.aggregate_name == "cv")
                r.counters["speedup"] = mean > 0 ? std::sqrt(var) / mean : 0;
        }
    }

    void write_csv()
    {
        std::ofstream out(csv_path_);
        out << "name,kernel,variant,mode,n,workers,run_type,aggregate,repetition,iterations,time_us,"
               "gbps,ns_per_elem_tick,speedup,overhead_us,label,error\n";
        for (const Run &r : runs_) {
            Parts p = parse_name(r.run_name.function_name);
            auto counter = [&](const char *k) {
                auto it = r.counters.find(k);
                return it == r.counters.end() ? std::string() : fmt("%.9g", it->second.value);
            };
            std::string error = r.error_message;
            for (char &c : error)
                if (c == ',' || c == '"' || c == '\n')
                    c = ';';
            out << r.run_name.function_name << ',' << p.kernel << ',' << p.variant << ',' << p.mode << ',' << p.n
                << ',' << p.workers << ',' << (r.run_type == Run::RT_Aggregate ? "aggregate" : "iteration") << ','
                << r.aggregate_name << ',' << (r.run_type == Run::RT_Aggregate ? -1 : r.repetition_index) << ','
                << r.iterations << ',' << (r.error_occurred ? std::string() : fmt("%.9g", r.GetAdjustedRealTime()))
                << ',' << counter("gbps") << ',' << counter("ns_per_elem_tick") << ',' << counter("speedup") << ','
                << counter("overhead_us") << ',' << r.report_label << ',' << error << '\n';
        }
        csv_ok = out.good();
    }

    std::string csv_path_;
    std::vector<Run> runs_;
};

const char usage[] =
    "usage: ceilings-bench [--sweep quick|default|full] [--results DIR] [--benchmark_* flags]\n"
    "Runs every kernel x variant x mode over the sizes and worker counts `ceilings plan` gives\n"
    "for this machine, as Google Benchmark benchmarks named KERNEL/VARIANT/MODE/n:N/workers:W,\n"
    "each checked against serial bit for bit; plus per-tick dispatch overhead (MODE dispatch)\n"
    "and team start-up (MODE startup). Wall-clock time, repetitions in random order.\n"
    "Where built with MPI and mpirun is found, KERNEL/mpi/MODE at the target sizes (the quick\n"
    "sweep: L2 and L3) and motion/mpi/dispatch, motion/mpi-futex/dispatch: each repetition one\n"
    "mpirun job (--benchmark_filter=-mpi leaves them out).\n"
    "\n"
    "  -s, --sweep KIND     quick, default or full (sizes per decade, repetitions, run length)\n"
    "  -r, --results DIR    write DIR/bench.json (Google Benchmark JSON), DIR/bench.csv and\n"
    "                       DIR/plan.json; files appear whole or not at all\n"
    "      --max-bytes B    no footprint above B bytes\n"
    "  -h, --help           this text\n"
    "Every --benchmark_* flag works: --benchmark_filter=motion/omp, --benchmark_repetitions=3,\n"
    "--benchmark_out=FILE (with the speedup counters), ... Exit status: 0 ok; 1 a point failed\n"
    "or differs from serial, or the run was interrupted; 2 bad usage.\n";

bool has_flag(int argc, char **argv, const char *prefix)
{
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], prefix, strlen(prefix)) == 0)
            return true;
    return false;
}

int flag_int(int argc, char **argv, const char *prefix, int fallback)
{
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], prefix, strlen(prefix)) == 0)
            return atoi(argv[i] + strlen(prefix));
    return fallback;
}

bool write_text(const std::string &path, const std::string &text)
{
    std::string part = path + ".part";
    std::ofstream out(part);
    out << text;
    out.close();
    if (!out.good() || rename(part.c_str(), path.c_str()) != 0) {
        remove(part.c_str());
        return false;
    }
    return true;
}

void add_context()
{
    const ceil_topo &t = g.topo;
    char buf[64];
    auto add = [](const char *k, const std::string &v) { benchmark::AddCustomContext(k, v); };
    add("ceilings_version", CEIL_VERSION);
    add("cpu_model", t.cpu_model);
    add("packages", std::to_string(t.packages));
    add("physical_cores", std::to_string(t.cores));
    add("logical_cpus", std::to_string(t.pus));
    add("numa_nodes", std::to_string(t.numa_nodes));
    add("l2_bytes", std::to_string(t.l2_bytes));
    add("l2_count", std::to_string(t.l2_count));
    add("l3_bytes", std::to_string(t.l3_bytes));
    add("l3_count", std::to_string(t.l3_count));
    add("hypervisor", t.hypervisor[0] ? t.hypervisor : "none");
    add("memory_available_bytes", std::to_string(ceil_mem_available()));
    ceil_thp_setting("enabled", buf, sizeof buf);
    add("thp_enabled", buf);
    ceil_thp_setting("shmem_enabled", buf, sizeof buf);
    add("thp_shmem_enabled", buf);
    add("page_size", std::to_string(ceil_page_size()));
    add("memory_policy", "one MAP_SHARED|MAP_ANONYMOUS mapping for every variant, first touch by the owning worker");
    add("compiler", ceil_build_compiler());
    add("build_flags", ceil_build_flags());
    add("hwloc_version", HWLOC_VERSION);
    add("benchmark_version", CEIL_BENCHMARK_VERSION);
    add("timer", "wall clock (UseRealTime; UseManualTime for dispatch and startup)");
    ceil_likwid lw;
    ceil_likwid_detect(&lw);
    add("likwid_version", lw.version[0] ? lw.version : "not installed");
    add("counters", lw.counters ? std::string("available") : std::string("unavailable: ") + lw.reason);
    add("sweep", ceil_sweep_name(g.plan.sweep));
#ifdef CEIL_HAVE_MPI
    ceil_mpi_launcher_version(buf, sizeof buf);
    add("mpi", buf);
#else
    add("mpi", "not built (configure with -Dmpi=enabled)");
#endif
    // the kernel table, so that reports read each kernel's facts instead of restating them
    json_t *kernels = json_array();
    for (unsigned k = 0; k < ceil_kernel_count; k++) {
        const ceil_kernel *kern = &ceil_kernels[k];
        json_array_append_new(kernels, json_pack("{s:s, s:s, s:s, s:f, s:f, s:f, s:b}", "name", kern->name, "formula",
                                                 kern->formula, "bound", kern->bound, "bytes_per_elem",
                                                 ceil_kernel_bytes(kern), "footprint_bytes_per_elem",
                                                 ceil_kernel_footprint(kern), "flops_per_elem", kern->flops_per_elem,
                                                 "baseline", kern->baseline));
    }
    char *text = json_dumps(kernels, JSON_COMPACT);
    add("kernels", text ? text : "[]");
    free(text);
    json_decref(kernels);
    std::string pins = "{";
    for (unsigned w = 0; w < g.plan.n_workers; w++) {
        char cpus[512];
        ceil_format_cpulist(g.plan.workers[w].cpus, g.plan.workers[w].count, cpus, sizeof cpus);
        pins += (w ? ", \"" : "\"") + std::to_string(g.plan.workers[w].count) + "\": [" + cpus + "]";
    }
    add("pin_map", pins + "}");
}

} // namespace

int main(int argc, char **argv)
{
    signal(SIGXFSZ, SIG_IGN); /* a file over the size limit must be a write error, not a kill */
    // Our defaults for Google Benchmark, unless the command line sets them.
    std::vector<std::string> extra;
    if (!has_flag(argc, argv, "--benchmark_enable_random_interleaving"))
        extra.push_back("--benchmark_enable_random_interleaving=true");

    static const struct option longopts[] = {
        { "sweep", required_argument, nullptr, 's' },   { "results", required_argument, nullptr, 'r' },
        { "max-bytes", required_argument, nullptr, 'm' }, { "help", no_argument, nullptr, 'h' },
        { nullptr, 0, nullptr, 0 },
    };
    // Our options first, Google Benchmark's after: split argv.
    std::vector<char *> ours = { argv[0] }, theirs = { argv[0] };
    for (int i = 1; i < argc; i++)
        (strncmp(argv[i], "--benchmark_", 12) == 0 ? theirs : ours).push_back(argv[i]);
    enum ceil_sweep sweep = CEIL_SWEEP_DEFAULT;
    const char *results = nullptr;
    uint64_t max_bytes = 0;
    int c, rc;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long((int)ours.size(), ours.data(), ":s:r:h", longopts, nullptr)) != -1) {
        switch (c) {
        case 's':
            if ((rc = ceil_parse_sweep("bench", optarg, &sweep)) != 0)
                return rc;
            break;
        case 'r': results = optarg; break;
        case 'm':
            if ((rc = ceil_parse_count("bench", "--max-bytes", optarg, 1, UINT64_MAX / 2, &max_bytes)) != 0)
                return rc;
            break;
        case 'h': fputs(usage, stdout); return CEIL_EXIT_OK;
        case ':': return ceil_usage_error("bench", "%s needs a value (see --help)", ours[optind - 1]);
        default: return ceil_usage_error("bench", "unknown option '%s' (see --help)", ours[optind - 1]);
        }
    }
    if (optind != (int)ours.size())
        return ceil_usage_error("bench", "unexpected argument '%s' (see --help)", ours[optind]);
    const Settings &set = settings_for[sweep];
    if (!has_flag(argc, argv, "--benchmark_repetitions="))
        extra.push_back("--benchmark_repetitions=" + std::to_string(set.repetitions));
    std::string json_path, csv_path;
    if (results) {
        if (has_flag(argc, argv, "--benchmark_out"))
            return ceil_usage_error("bench", "--results writes the files itself: drop --benchmark_out");
        if (mkdir(results, 0777) != 0 && errno != EEXIST)
            return ceil_fail("bench", "--results: cannot create %s: %s", results, strerror(errno));
        json_path = std::string(results) + "/bench.json";
        csv_path = std::string(results) + "/bench.csv";
        extra.push_back("--benchmark_out=" + json_path + ".part");
        extra.push_back("--benchmark_out_format=json");
    }
    for (std::string &e : extra)
        theirs.push_back(&e[0]);
    int gb_argc = (int)theirs.size();
    int repetitions = flag_int(gb_argc, theirs.data(), "--benchmark_repetitions=", set.repetitions);
    benchmark::Initialize(&gb_argc, theirs.data()); // consumes and reorders its flags
    if (benchmark::ReportUnrecognizedArguments(gb_argc, theirs.data()))
        return CEIL_EXIT_USAGE;

    char err[CEIL_ERRLEN];
    if (ceil_topo_load(&g.topo, nullptr, err) != 0)
        return ceil_fail("bench", "%s", err);
    if (ceil_plan_make(&g.plan, &g.topo, sweep, ceil_mem_available(), "MemAvailable", max_bytes, err) != 0)
        return ceil_fail("bench", "%s", err);
    for (unsigned i = 0; i < g.plan.n_notes; i++)
        fprintf(stderr, "ceilings-bench: plan: %s\n", g.plan.notes[i]);
    g.refs = ceil_refs_new();
    ceil_install_stop_handlers();
    std::string why;
    if (!plan_specs(set, why))
        return ceil_fail("bench", "sizing the ticks failed: %s", why.c_str());
    register_specs();
    add_context();

    if (results) {
        json_t *plan = ceil_plan_json(&g.plan, &g.topo);
        char *text = json_dumps(plan, JSON_INDENT(2));
        bool ok = text && write_text(std::string(results) + "/plan.json", std::string(text) + "\n");
        free(text);
        json_decref(plan);
        if (!ok)
            return ceil_fail("bench", "cannot write %s/plan.json", results);
    }
    bool want_file = results || has_flag(argc, argv, "--benchmark_out=");
    Quiet quiet;
    Results file(results ? csv_path + ".part" : "");
    flag_repetitions = repetitions;
    progress.start(count_selected());
    benchmark::RunSpecifiedBenchmarks(&quiet, want_file ? &file : nullptr);
    benchmark::Shutdown();
    ceil_refs_free(g.refs);

    int stopped = ceil_stop_signal();
    if (results) {
        if (stopped || !file.csv_ok || !file.json_ok || rename((csv_path + ".part").c_str(), csv_path.c_str()) != 0 ||
            rename((json_path + ".part").c_str(), json_path.c_str()) != 0) {
            remove((csv_path + ".part").c_str());
            remove((json_path + ".part").c_str());
            if (!stopped)
                return ceil_fail("bench", "cannot write the results into %s", results);
        }
    }
    ceil_plan_free(&g.plan);
    ceil_topo_free(&g.topo);
    if (stopped)
        return ceil_fail("bench", "interrupted by signal %d: no results written", stopped);
    if (!g.failures.empty()) {
        for (const std::string &f : g.failures)
            fprintf(stderr, "ceilings-bench: FAILED %s\n", f.c_str());
        return ceil_fail("bench", "%zu point(s) failed or differ from serial", g.failures.size());
    }
    printf("ceilings-bench: every point equal to serial bit for bit\n");
    if (results)
        printf("ceilings-bench: results in %s (bench.json, bench.csv, plan.json)\n", results);
    return CEIL_EXIT_OK;
}
