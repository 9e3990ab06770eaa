// ceilings-bench's parts: the sweep's specs (specs.cc), the benchmark bodies (points.cc), the
// file output (reporter.cc), the machine context (context.cc) and the command line (main.cc).
// Everything a run shares lives in one Sweep that main owns; each registered benchmark gets a
// pointer to its Spec, and each Spec points back at the Sweep.
#ifndef CEIL_BENCH_SWEEP_H
#define CEIL_BENCH_SWEEP_H

extern "C" {
#include "cli.h"
#include "plan.h"
#include "point.h"
#include "topology.h"
}

#include <benchmark/benchmark.h>

#include <jansson.h>
#include <string>
#include <vector>

namespace bench {

// What a point measures: the loop (batched or per tick), the per-tick dispatch overhead, or
// the team's start-up.
enum class Family { Sweep, Dispatch, Startup };

struct Sweep;

// One registered benchmark: KERNEL/SERIES/MODE/n:N/workers:W.
struct Spec {
    Sweep *sweep;
    Family family;
    const ceil_kernel *kernel;
    const ceil_variant *variant;
    ceil_barrier_kind barrier;
    ceil_mode mode;
    uint64_t n;
    const ceil_plan_workers *workers;
    unsigned long ticks; // per repetition
};

// How long each sweep runs.
struct Settings {
    double seconds_per_run; // a repetition's ticks at one worker
    int repetitions;
    unsigned long dispatch_ticks;
    bool startup_dram;
    bool jobs_dram; // a launched job at the DRAM target maps, touches and checks a GB or more anew
};

// One line per finished repetition, with points done of total and time left. Printed by the
// benchmarks themselves: with random interleaving, Google Benchmark 1.7 reports a benchmark
// only after its last repetition, which would leave the display silent for most of a sweep.
class Progress {
public:
    void start(size_t total);
    void done(const Spec &s, const std::string &what);

private:
    size_t total_ = 0, done_ = 0;
    double start_ = 0;
};

struct Sweep {
    ceil_topo topo{};
    ceil_plan plan{};
    ceil_plan_size book{}; // the book's N, beside the plan's sizes
    ceil_refs *refs = nullptr;
    std::vector<Spec> specs; // stable addresses: filled before registration
    std::vector<std::string> failures;
    Progress progress;
    int repetitions = 1;
};

// specs.cc
std::string name_of(const Spec &s);
bool plan_specs(Sweep &sw, const Settings &set, std::string &err);
void register_specs(Sweep &sw);
size_t count_selected(const Sweep &sw);

// points.cc: the bodies Google Benchmark runs.
void sweep_point(benchmark::State &state, const Spec *s);
void dispatch_point(benchmark::State &state, const Spec *s);
void startup_point(benchmark::State &state, const Spec *s);
void job_point(benchmark::State &state, const Spec *s);
void job_dispatch_point(benchmark::State &state, const Spec *s);
std::string fmt(const char *f, double v);

// context.cc
void add_context(const Sweep &sw);

// reporter.cc
class Quiet : public benchmark::BenchmarkReporter {
public:
    bool ReportContext(const Context &) override { return true; }
    void ReportRuns(const std::vector<Run> &) override {}
};

// The file output: Google Benchmark's JSON, with a speedup counter over the reference variant
// at the same N (its median over this run's time) added once every run is in; and a flat CSV.
class Results : public benchmark::JSONReporter {
public:
    explicit Results(std::string csv_path) : csv_path_(std::move(csv_path)) {}
    void ReportRuns(const std::vector<Run> &runs) override;
    void Finalize() override;
    bool csv_ok = true, json_ok = true;

private:
    void team_cpu_aggregates();
    void add_speedups();
    void write_csv();
    std::string csv_path_;
    std::vector<Run> runs_;
};

} // namespace bench

#endif
