// ceilings-bench's parts: the sweep's specs (specs.cc), its price before it runs (estimate.cc),
// the benchmark bodies (points.cc), the probe's scalings measured again as the sweep runs
// (rescale.cc), the file output
// (reporter.cc), the machine context (context.cc) and the command line (main.cc).
// Everything a run shares lives in one Sweep that main owns; each registered benchmark gets a
// pointer to its Spec, and each Spec points back at the Sweep.
#ifndef CEIL_BENCH_SWEEP_H
#define CEIL_BENCH_SWEEP_H

extern "C" {
#include "cli.h"
#include "plan.h"
#include "point.h"
#include "schedule.h"
#include "topology.h"
}

#include <benchmark/benchmark.h>

#include <jansson.h>
#include <map>
#include <set>
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
    size_t index;        // its Record in the Sweep
    double tick_s = 0;   // a serial tick at this kernel and N, as measured to size the ticks
};

// What the sweep learns of a point as its repetitions run, to decide which need more: each
// repetition's key value (the paired speedup of a team's point, else seconds per tick), by pass.
struct Record {
    std::vector<double> values[2];
    unsigned bodies = 0;   // repetitions run, every pass: a pair's order alternates with it
    double seconds = 0;    // wall time spent in its repetitions, all included
    bool failed = false;
};


// One line per finished repetition, with points done of total and time left. Printed by the
// benchmarks themselves: Google Benchmark 1.7 reports a benchmark only after its last
// repetition, which would leave the display silent for long stretches of a sweep.
class Progress {
public:
    void start(size_t total, const std::string &what);
    void done(const Spec &s, const std::string &what);

private:
    size_t total_ = 0, done_ = 0;
    double start_ = 0;
};

// A prepared run kept between repetitions: a team (or the serial pair) with its arrays mapped and
// first-touched, reused by the next repetition of the same kernel, N, variant, barrier and
// workers after its arrays are set to their start values again. The timed loop is the same; the
// mapping and first touch (13 us a page where a hypervisor makes faults slow) are paid once.
struct Kept {
    std::string key;
    ceil_run *run = nullptr;
};

struct Sweep {
    ceil_topo topo{};
    ceil_plan plan{};
    ceil_refs *refs = nullptr;
    std::vector<Spec> specs; // stable addresses: filled before registration
    std::vector<std::string> failures;
    std::vector<Record> records; // by Spec::index
    Progress progress;
    int repetitions = 1;   // the first pass's
    int max_repetitions = 1; // a noisy point's cap
    int pass = 1;          // 2: noisy points measured once more at the end
    double start = 0;      // the sweep's start on ceil_now()
    // `ceilings probe --rescale` every rescale_every seconds (0: never), its samples with their at_s
    double rescale_every = 0, rescale_last = 0;
    std::vector<std::string> rescale_argv;
    json_t *rescale = nullptr;
    Kept team, pair;        // the last point's team and serial pair (points.cc)
    double at_offset = 0;   // seconds from the first part's start to this part's (--resume)
    uint64_t max_bytes = 0; // --max-bytes, into the context (a resumed sweep plans the same)
    std::set<std::string> done; // points a resumed folder holds already: not measured again
    ceil_schedule schedule{}; // every point, ranked and priced, and which fit the budget
    double budget_s = 0;    // this run's (0: none), from `began`; past deadline (on ceil_now) nothing starts
    double began = 0;       // when the bench started: sizing the ticks is in the budget too
    double deadline = 0;
    std::set<std::string> left_out; // points past the budget: not measured
    double estimate_s = 0;  // what the sweep priced itself at before its first run (estimate.cc)
    std::map<std::string, double> overhead; // seconds outside timed ticks, by kind (points.cc)
    double refs_bytes = 0;  // the serial references kept: one size's (the largest planned)
};

// points.cc: releases the runs kept between repetitions (before a launched job, which needs the
// memory, and at the end).
void drop_kept(Sweep &sw);

// rescale.cc: runs `ceilings probe --rescale` when rescale_every seconds have passed since the
// last run ended (or the sweep's start), between repetitions; its figures go into sw.rescale, and
// into the results' context as "rescale" at the end. A failed run is said once and not retried.
void rescale_if_due(Sweep &sw);
void rescale_setup(Sweep &sw, double every, const char *self, const char *sweep, uint64_t max_bytes);
// The samples into the results' context ("rescale", a JSON list); frees them.
void rescale_finish(Sweep &sw);

// A point's spread: the relative half-width of its key value's median interval (trust.h).
double spread_of(const Record &r);

// estimate.cc: the schedule's price of the points about to run (all of them but those a resumed
// folder holds, and those past the budget), by phase and kind, printed before the first run and
// kept in sw.estimate_s.
void estimate(Sweep &sw, const std::vector<size_t> &which);

// Adds `seconds` to sw.overhead[kind] (prepare, checks, pairs, corun, launches).
void add_overhead(Sweep &sw, const char *kind, double seconds);

// specs.cc
std::string name_of(const Spec &s);
bool plan_specs(Sweep &sw, double budget_s, std::string &err);
// Registers the specs listed (indices into sw.specs), each to run `repetitions` times; the
// benchmarks registered before are cleared.
void register_specs(Sweep &sw, const std::vector<size_t> &which, int repetitions);
size_t count_selected(const Sweep &sw, const std::vector<size_t> &which, int repetitions);
std::vector<size_t> selected(const Sweep &sw, const std::vector<size_t> &which);

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
// The display while the passes run: nothing printed (the bodies print progress lines), every
// repetition kept for the file.
class Collector : public benchmark::BenchmarkReporter {
public:
    bool ReportContext(const Context &) override { return true; }
    void ReportRuns(const std::vector<Run> &runs) override;
    std::vector<Run> runs_;
};

// The file output: Google Benchmark's JSON (its own reporter) over every repetition of every
// pass, with the aggregates over all of them and the speedup counters; and a flat CSV.
class Results : public benchmark::JSONReporter {
public:
    explicit Results(std::string csv_path) : csv_path_(std::move(csv_path)) {}
    // Writes runs to json (and the CSV). Returns false when either file could not be written.
    bool write(const std::vector<Run> &runs, std::ostream &json);
    bool csv_ok = true, json_ok = true;

private:
    void gather(const std::vector<Run> &runs);
    std::vector<Run> aggregates() const;
    void add_speedups();
    void add_aggregate_speedups(std::vector<Run> &agg) const;
    void write_csv();
    std::string csv_path_;
    std::vector<Run> runs_;
    std::map<std::string, double> reference_; // "kernel/n" -> the reference's median seconds per tick
};

} // namespace bench

#endif
