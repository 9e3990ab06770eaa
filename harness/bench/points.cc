// The benchmark bodies: one repetition of a point per Google Benchmark run, checked against
// the reference variant after the same ticks. A wrong result fails the point, never a number.
#include "sweep.h"

extern "C" {
#include "corun.h"
#include "cpulist.h"
#include "machine.h"
#include "launch.h"
#include "trust.h"
}

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <sys/resource.h>
#include <initializer_list>

namespace bench {

std::string fmt(const char *f, double v)
{
    char buf[64];
    snprintf(buf, sizeof buf, f, v);
    return buf;
}

static std::string clock_text(double seconds)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%d:%02d", (int)seconds / 60, (int)seconds % 60);
    return buf;
}

void Progress::start(size_t total, const std::string &what)
{
    total_ = total;
    done_ = 0;
    start_ = ceil_now();
    printf("ceilings-bench: %s: %zu runs (points x repetitions), a point's repetitions back to back\n", what.c_str(),
           total_);
}

void Progress::done(const Spec &s, const std::string &what)
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

static void fail(benchmark::State &state, const Spec &s, const std::string &why)
{
    s.sweep->records[s.index].failed = true;
    state.SkipWithError(why.c_str());
    if (!ceil_stop_signal())
        s.sweep->failures.push_back(name_of(s) + ": " + why);
    s.sweep->progress.done(s, "ERROR: " + why);
}

static ceil_config config_of(const Spec &s)
{
    ceil_config cfg{};
    cfg.kernel = s.kernel;
    cfg.n = (size_t)s.n;
    cfg.workers = s.workers->count;
    cfg.cpus = s.workers->cpus;
    cfg.topology = s.sweep->topo.topo;
    cfg.barrier = s.barrier;
    return cfg;
}

// The arrays after `ticks` ticks must equal the reference's. Returns false (and fails the point) if not.
static bool validate(benchmark::State &state, const Spec &s, const ceil_run *run, unsigned long ticks)
{
    char err[CEIL_ERRLEN], why[CEIL_ERRLEN];
    double t0 = ceil_now();
    const ceil_arrays *want = ceil_refs_get(s.sweep->refs, s.kernel, (size_t)s.n, ticks, err);
    bool equal = want && ceil_arrays_equal(s.kernel, &run->arrays, want, why);
    add_overhead(*s.sweep, "checks", ceil_now() - t0);
    if (!want)
        fail(state, s, std::string("no serial reference: ") + err);
    else if (!equal)
        fail(state, s, std::string("differs from serial: ") + why);
    return equal;
}

// After ^C every point not yet run is skipped, not failed. The skipped repetition still enters
// the (empty) loop: one that never does reports 0 iterations, and Google Benchmark 1.7.1 aborts
// its statistics over a point's repetitions when their iteration counts differ (a point with two
// repetitions done and one skipped, as a ^C mid-pass leaves it).
// Past the budget, likewise: a point not yet started is left out, and listed.
static bool skipped_after_stop(benchmark::State &state, const Spec &s)
{
    bool stopped = ceil_stop_signal() != 0, late = !stopped && s.sweep->deadline > 0 && ceil_now() > s.sweep->deadline;
    if (late && s.sweep->records[s.index].bodies == 0)
        s.sweep->left_out.insert(name_of(s));
    else
        late = false; /* a point under way finishes its repetitions */
    if (stopped || late) {
        state.SkipWithError(stopped ? "interrupted" : "left out: past the budget");
        for (auto _ : state) {
        }
    }
    return stopped || late;
}

// What every bandwidth point reports for one repetition of s.ticks ticks that took `seconds`:
// Google Benchmark's iteration is one tick (its real_time the time of one tick, whatever ticks a
// machine sized), bytes and elements per tick, the rates, and an emitting kernel's merge.
// Returns GB/s.
static double set_rate_counters(benchmark::State &state, const Spec &s, double seconds, double workers_running,
                                double merge_seconds, double merged)
{
    double elem_ticks = (double)s.n * (double)s.ticks, bytes = ceil_kernel_bytes(s.kernel) * elem_ticks;
    state.SetBytesProcessed((int64_t)(ceil_kernel_bytes(s.kernel) * (double)s.n)); /* per tick: one iteration */
    state.SetItemsProcessed((int64_t)s.n);
    state.counters["gbps"] = bytes / seconds * 1e-9;
    state.counters["ns_per_elem_tick"] = seconds / elem_ticks * 1e9;
    state.counters["ticks"] = (double)s.ticks;
    state.counters["workers_running"] = workers_running;
    if (s.kernel->merge) {
        state.counters["merge_us"] = merge_seconds * 1e6;
        state.counters["merged"] = merged;
    }
    return bytes / seconds * 1e-9;
}

static void set_dispatch_counters(benchmark::State &state, const Spec &s, double batched, double pertick,
                                  benchmark::Counter::Flags flags)
{
    using C = benchmark::Counter;
    state.counters["overhead_us"] = C((pertick - batched) * 1e6, flags);
    state.counters["batched_us_per_tick"] = C(batched * 1e6, flags);
    state.counters["pertick_us_per_tick"] = C(pertick * 1e6, flags);
    state.counters["ticks"] = (double)s.ticks;
}

static void set_label(benchmark::State &state, const ceil_run *run)
{
    char cpus[256];
    ceil_format_cpulist(run->cpu_of, run->workers, cpus, sizeof cpus);
    state.SetLabel(std::string("cpus=") + cpus);
}

// The team of a point, started, with a warm-up tick in each of `modes` (every element touched
// once, a first dispatch). Returns 0 or -errno with the reason in err; *run is released by the caller.
static int start(const Spec &s, std::initializer_list<ceil_mode> modes, ceil_run **run, char err[CEIL_ERRLEN])
{
    ceil_config cfg = config_of(s);
    *run = nullptr;
    int rc = s.variant->ops->prepare(&cfg, run, err);
    for (ceil_mode m : modes)
        if (rc == 0)
            rc = s.variant->ops->run(*run, 1, m, err);
    return rc;
}

static void drop(Kept &k)
{
    if (k.run)
        k.run->ops->release(k.run);
    k = Kept{};
}

void drop_kept(Sweep &sw)
{
    drop(sw.team);
    drop(sw.pair);
}

// A run of cfg from k when k holds one under `key` (its arrays set to their start values again,
// each worker's slice where that worker first touched it), else a fresh one, prepared; then a
// warm-up tick in `mode`. The run stays in k: the caller gives it back with keep() or drop().
static int take(Sweep *sweep, Kept &k, const std::string &key, const ceil_variant_ops *ops, const ceil_config &cfg,
                ceil_mode mode, ceil_run **run, char err[CEIL_ERRLEN])
{
    int rc = 0;
    double t0 = ceil_now();
    if (k.run && k.key == key) {
        for (unsigned w = 0; w < k.run->workers; w++)
            cfg.kernel->init(k.run->arrays.a, k.run->slices[w].begin, k.run->slices[w].end);
    } else {
        drop(k);
        rc = ops->prepare(&cfg, &k.run, err);
        k.key = key;
    }
    add_overhead(*sweep, "prepare", ceil_now() - t0);
    if (rc == 0)
        rc = ops->run(k.run, 1, mode, err);
    *run = k.run;
    return rc;
}

// After a repetition: a run that failed, or whose result differed, is never used again.
static void keep(Kept &k, bool ok)
{
    if (!ok)
        drop(k);
}

static std::string team_key(const Spec &s)
{
    return std::string(s.variant->name) + "/" + ceil_barrier_name(s.barrier) + "/" + s.kernel->name + "/" +
           std::to_string(s.n) + "/" + std::to_string(s.workers->count);
}

// The team's CPU time over a repetition (every thread and forked worker: cpu/wall is its busy
// fraction), which the reporter turns into cpu_time per tick.
static void set_cpu_counter(benchmark::State &state, double cpu_seconds)
{
    state.counters["team_cpu_s"] = cpu_seconds;
}

// What else ran on the machine over a window: the CPU time other tasks took from ours while
// ours waited to run (their run delay, exact), or, for a job whose tasks this process cannot
// see, the busy time on the job's CPUs beyond the job's own CPU time (/proc/stat, 10 ms grain);
// and the hypervisor's steal on those CPUs. Both as shares of the window's wall time.
class Watch {
public:
    explicit Watch(const ceil_cpu_tree *tree) : tree_(tree)
    {
        ceil_cpustat_read(&before_);
        delay_ = tree ? ceil_cpu_tree_delay(tree) : NAN;
        children_ = children_cpu();
        t0_ = ceil_now();
    }
    void stop(const int *cpus, unsigned ncpus)
    {
        double wall = ceil_now() - t0_;
        ceil_cpustat after;
        ceil_cpustat_read(&after);
        double others = tree_ ? ceil_cpu_tree_delay(tree_) - delay_
                              : ceil_cpustat_busy(&before_, &after, cpus, ncpus) - (children_cpu() - children_);
        interference = wall > 0 ? std::max(0.0, others) / wall : NAN;
        steal = wall > 0 ? ceil_cpustat_steal(&before_, &after, cpus, ncpus) / wall : NAN;
    }
    double interference = NAN, steal = NAN;

private:
    static double children_cpu()
    {
        rusage u{};
        getrusage(RUSAGE_CHILDREN, &u);
        return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
    }
    const ceil_cpu_tree *tree_;
    ceil_cpustat before_;
    double delay_, children_, t0_;
};

// The tasks of this process and its children as they are now (the team, once started), and
// what else runs beside them from now on.
struct TeamWatch {
    ceil_cpu_tree tree;
    Watch watch;
    TeamWatch() : tree(found()), watch(&tree) {}
    static ceil_cpu_tree found()
    {
        ceil_cpu_tree t;
        ceil_cpu_tree_find(&t);
        return t;
    }
};

// The serial repetition a team's repetition is paired with: the reference variant, the same
// kernel, N and ticks, on the first worker's CPU, timed right before or after the team's.
struct Pair {
    double seconds = 0, interference = NAN, steal = NAN;
};

static bool paired(const Spec &s) { return s.family == Family::Sweep && !(s.variant->traits & CEIL_REFERENCE); }

// Pairs alternate: serial first on a point's even repetitions, after the team on odd ones.
static bool serial_first(const Spec &s) { return s.sweep->records[s.index].bodies % 2 == 0; }

static int measure_pair(const Spec &s, Pair &pair, char err[CEIL_ERRLEN])
{
    const ceil_variant_ops *ops = ceil_variant_reference()->ops;
    const ceil_plan_workers &one = s.sweep->plan.workers[0];
    ceil_config cfg{};
    cfg.kernel = s.kernel;
    cfg.n = (size_t)s.n;
    cfg.workers = 1;
    cfg.cpus = one.cpus;
    cfg.topology = s.sweep->topo.topo;
    ceil_run *run = nullptr;
    double began = ceil_now(), prepared = s.sweep->overhead["prepare"];
    /* the warm-up tick the team gets too */
    int rc = take(s.sweep, s.sweep->pair, std::string(s.kernel->name) + "/" + std::to_string(s.n), ops, cfg,
                  CEIL_BATCHED, &run, err);
    if (rc == 0) {
        TeamWatch serial;
        double t0 = ceil_now();
        rc = ops->run(run, s.ticks, CEIL_BATCHED, err);
        pair.seconds = ceil_now() - t0;
        serial.watch.stop(one.cpus, one.count);
        pair.interference = serial.watch.interference;
        pair.steal = serial.watch.steal;
    }
    keep(s.sweep->pair, rc == 0);
    add_overhead(*s.sweep, "pairs", ceil_now() - began - (s.sweep->overhead["prepare"] - prepared));
    return rc;
}

// The pair's counters on a repetition that took `seconds`: speedup is the pair's ratio.
static void set_pair_counters(benchmark::State &state, const Spec &s, const Pair &pair, double seconds, bool first)
{
    state.counters["speedup"] = pair.seconds / seconds;
    state.counters["serial_ns_per_elem_tick"] = pair.seconds / ((double)s.n * (double)s.ticks) * 1e9;
    state.counters["pair_order"] = first ? -1 : 1; /* serial before (-1) or after (+1) */
}

// What every repetition carries: what else ran (the larger of its own window's and its pair's),
// when it started in the sweep, and in which pass.
static void set_trust_counters(benchmark::State &state, const Spec &s, const Watch *w, const Pair *pair, double at)
{
    double interference = w ? w->interference : NAN, steal = w ? w->steal : NAN;
    if (pair) {
        interference = std::max(interference, pair->interference);
        steal = std::max(steal, pair->steal);
    }
    if (std::isfinite(interference))
        state.counters["interference"] = interference;
    if (std::isfinite(steal))
        state.counters["steal"] = steal;
    state.counters["at_s"] = at - s.sweep->start + s.sweep->at_offset;
    state.counters["pass"] = s.sweep->pass;
}

double spread_of(const Record &r)
{
    const std::vector<double> &v = r.values[0];
    return ceil_median_spread(v.data(), v.size());
}

static void record(const Spec &s, double value, double body_start);

// Whether the team's CPUs share a core right now (corun.h): together over alone, outside any
// timed region; NAN for a team of one worker or when the test fails (said once).
static double corun_ratio(const Spec &s)
{
    char err[CEIL_ERRLEN];
    double ratio;
    static bool warned = false;
    if (s.workers->count < 2)
        return NAN;
    double t0 = ceil_now();
    int rc = ceil_corun(s.sweep->topo.topo, s.workers->cpus, s.workers->count, &ratio, err);
    add_overhead(*s.sweep, "corun", ceil_now() - t0);
    if (rc == 0)
        return ratio;
    if (!warned && !ceil_stop_signal()) {
        fprintf(stderr, "ceilings-bench: the co-run test failed (%s): repetitions go without it\n", err);
        warned = true;
    }
    return NAN;
}

// The co-run test around a team's repetition, as counters: "corun_before", taken before its body
// (its serial pair included), and "corun", right after it. A host episode of a few milliseconds
// to seconds can begin or end inside the repetition; the after test alone missed those that ended
// before it (24 slow repetitions of one sweep here).
static void set_corun_counters(benchmark::State &state, const Spec &s, double before)
{
    if (std::isfinite(before))
        state.counters["corun_before"] = before;
    double after = corun_ratio(s);
    if (std::isfinite(after))
        state.counters["corun"] = after;
}

// A bandwidth point's repetition done: its pair's, co-run and trust counters, its record, its line.
static void finish_repetition(benchmark::State &state, const Spec &s, const Pair *pair, bool first, const Watch &watch,
                              double seconds, double gbps, double body, double corun_before)
{
    if (pair) {
        set_pair_counters(state, s, *pair, seconds, first);
        set_corun_counters(state, s, corun_before);
    }
    set_trust_counters(state, s, &watch, pair, body);
    record(s, pair ? pair->seconds / seconds : seconds / (double)s.ticks, body);
    s.sweep->progress.done(s, pair ? fmt("%8.2f GB/s", gbps) + fmt("  x%.2f serial", pair->seconds / seconds)
                                   : fmt("%8.2f GB/s", gbps));
}

// The repetition's key value into the point's record, for the sweep's next passes.
static void record(const Spec &s, double value, double body_start)
{
    Record &r = s.sweep->records[s.index];
    r.values[s.sweep->pass - 1].push_back(value);
    r.bodies++;
    r.seconds += ceil_now() - body_start;
}

// KERNEL/SERIES/{batched,pertick}: one repetition is `ticks` ticks after a warm-up tick, reported
// per tick (manual time: the repetition's wall time over its ticks). A team's repetition is
// paired with a serial one beside it.
void sweep_point(benchmark::State &state, const Spec *s)
{
    char err[CEIL_ERRLEN] = "";
    if (skipped_after_stop(state, *s))
        return;
    rescale_if_due(*s->sweep); /* before the repetition's time starts */
    ceil_refs_trim(s->sweep->refs, s->sweep->refs_bytes);
    bool pairs = paired(*s), first = serial_first(*s);
    double corun_before = pairs ? corun_ratio(*s) : NAN;
    double body = ceil_now();
    Pair pair;
    int rc = pairs && first ? measure_pair(*s, pair, err) : 0;
    const ceil_variant_ops *ops = s->variant->ops;
    ceil_run *run = nullptr;
    ceil_config cfg = config_of(*s);
    if (rc == 0)
        rc = take(s->sweep, s->sweep->team, team_key(*s), ops, cfg, s->mode, &run, err);
    double seconds = 0, cpu = 0, merge = 0;
    TeamWatch team;
    for (auto _ : state) {
        if (rc != 0)
            break;
        double c0 = ceil_cpu_tree_seconds(&team.tree), t0 = ceil_now();
        rc = ops->run(run, s->ticks, s->mode, err);
        seconds = ceil_now() - t0;
        cpu = ceil_cpu_tree_seconds(&team.tree) - c0;
        state.SetIterationTime(seconds / (double)s->ticks);
    }
    if (run)
        team.watch.stop(run->cpu_of, run->workers);
    size_t merged = 0;
    if (rc == 0 && s->kernel->merge) { /* an emitting kernel's segments, gathered after the runs */
        double m0 = ceil_now();
        merged = s->kernel->merge(run->arrays.a, run->slices, run->workers);
        merge = ceil_now() - m0;
    }
    bool valid = rc == 0 && validate(state, *s, run, 1 + s->ticks);
    unsigned workers = run ? run->workers : 0;
    if (valid)
        set_label(state, run);
    keep(s->sweep->team, valid);
    if (rc == 0 && valid && pairs && !first)
        rc = measure_pair(*s, pair, err);
    if (rc != 0) {
        fail(state, *s, err);
    } else if (valid) {
        double gbps = set_rate_counters(state, *s, seconds, workers, merge, (double)merged);
        set_cpu_counter(state, cpu);
        finish_repetition(state, *s, pairs ? &pair : nullptr, first, team.watch, seconds, gbps, body, corun_before);
    }
}

// KERNEL/SERIES/dispatch: EPCC's overhead, per tick: (pertick - batched) / ticks, on a size
// small enough that the dispatch is most of a tick. The time reported is the per-tick run's.
void dispatch_point(benchmark::State &state, const Spec *s)
{
    char err[CEIL_ERRLEN] = "";
    if (skipped_after_stop(state, *s))
        return;
    double body = ceil_now();
    const ceil_variant_ops *ops = s->variant->ops;
    ceil_run *run;
    int rc = start(*s, { CEIL_BATCHED, CEIL_PERTICK }, &run, err);
    double batched = 0, pertick = 0, cpu = 0;
    TeamWatch team;
    for (auto _ : state) {
        if (rc != 0)
            break;
        double t0 = ceil_now();
        rc = ops->run(run, s->ticks, CEIL_BATCHED, err);
        double tb = ceil_now(); /* the CPU clocks are read outside both timed windows */
        double c1 = ceil_cpu_tree_seconds(&team.tree), t1 = ceil_now();
        if (rc == 0)
            rc = ops->run(run, s->ticks, CEIL_PERTICK, err);
        double t2 = ceil_now();
        cpu += ceil_cpu_tree_seconds(&team.tree) - c1;
        state.SetIterationTime((t2 - t1) / (double)s->ticks); /* the time of one per-tick tick */
        batched += (tb - t0) / (double)s->ticks;
        pertick += (t2 - t1) / (double)s->ticks;
    }
    if (rc == 0)
        team.watch.stop(run->cpu_of, run->workers);
    if (rc != 0) {
        fail(state, *s, err);
    } else if (validate(state, *s, run, 2 + 2 * (unsigned long)state.iterations() * s->ticks)) {
        set_dispatch_counters(state, *s, batched, pertick, benchmark::Counter::kAvgIterations);
        set_cpu_counter(state, cpu);
        set_label(state, run);
        set_trust_counters(state, *s, &team.watch, nullptr, body);
        record(*s, (pertick - batched) / (double)state.iterations(), body);
        s->sweep->progress.done(*s, fmt("%8.3f us/tick dispatch", (pertick - batched) * 1e6 / (double)state.iterations()));
    }
    ops->release(run);
}

// KERNEL/SERIES/startup: prepare alone (map, start the team, pin, first touch), timed.
void startup_point(benchmark::State &state, const Spec *s)
{
    char err[CEIL_ERRLEN] = "";
    if (skipped_after_stop(state, *s))
        return;
    const ceil_variant_ops *ops = s->variant->ops;
    double body = ceil_now();
    ceil_config cfg = config_of(*s);
    int rc = 0;
    double total = 0, cpu = 0;
    for (auto _ : state) {
        ceil_run *run = nullptr;
        ceil_cpu_tree none{}, team{};
        double c0 = ceil_cpu_tree_seconds(&none), t0 = ceil_now();
        rc = ops->prepare(&cfg, &run, err);
        double t1 = ceil_now();
        ceil_cpu_tree_find(&team); /* workers forked in prepare: all their CPU time is start-up */
        cpu += ceil_cpu_tree_seconds(&team) - c0;
        total += t1 - t0;
        state.SetIterationTime(t1 - t0);
        if (rc == 0 && !validate(state, *s, run, 0))
            rc = -EINVAL;
        ops->release(run);
        if (rc != 0)
            break;
    }
    if (rc != 0 && rc != -EINVAL)
        fail(state, *s, err);
    if (rc == 0) {
        state.counters["first_touch_bytes"] = ceil_kernel_footprint(s->kernel) * (double)s->n;
        set_cpu_counter(state, cpu);
        set_trust_counters(state, *s, nullptr, nullptr, body); /* start-up is all our own work */
        record(*s, total / (double)state.iterations(), body);
        s->sweep->progress.done(*s, fmt("%8.3f ms start-up", total * 1e3 / (double)state.iterations()));
    }
}

// One job of a launched variant (launch.h) running KERNEL VARIANT ... --reps 1 --json, checked
// inside the job. One job per repetition, like every other point's repetition (each costs an
// mpirun start, about 0.4 s here, outside the
// timed region). Returns the JSON rank 0 printed, or nullptr with the reason in err.
static json_t *job(const Spec &s, ceil_mode mode, std::string &err)
{
    char cpus[512], msg[CEIL_ERRLEN];
    ceil_format_cpulist(s.workers->cpus, s.workers->count, cpus, sizeof cpus);
    std::vector<std::string> words = { s.kernel->name, s.variant->name, "--n", std::to_string(s.n), "--ticks",
                                       std::to_string(s.ticks), "--reps", "1", "--mode", ceil_mode_name(mode),
                                       "--workers", std::to_string(s.workers->count), "--cpus", cpus };
    if (s.variant->barriers) {
        words.push_back("--barrier");
        words.push_back(ceil_barrier_name(s.barrier));
    }
    std::vector<char *> args;
    for (std::string &w : words)
        args.push_back(&w[0]);
    args.push_back(nullptr);
    json_t *r = nullptr;
    int status = 0;
    double t0 = ceil_now();
    if (ceil_launch(s.variant, s.workers->count, args.data(), 600, &r, &status, msg) != 0) {
        err = msg;
        return nullptr;
    }
    add_overhead(*s.sweep, "launches", ceil_now() - t0 - json_number_value(json_object_get(r, "seconds")));
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

static void set_job_label(benchmark::State &state, json_t *r)
{
    std::string label = "cpus=";
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(r, "cpus"), i, c) label += (i ? "," : "") + std::to_string(json_integer_value(c));
    state.SetLabel(label + "; one job");
}

static double number(json_t *r, const char *key) { return json_number_value(json_object_get(r, key)); }

// KERNEL/SERIES/MODE of a launched variant: a job of its own per repetition, timed inside the job.
void job_point(benchmark::State &state, const Spec *s)
{
    if (skipped_after_stop(state, *s))
        return;
    drop(s->sweep->team); /* the job maps its own arrays: the team's memory is its */
    ceil_refs_trim(s->sweep->refs, 0);
    double body = ceil_now();
    bool pairs = paired(*s), first = serial_first(*s);
    for (auto _ : state) {
        char msg[CEIL_ERRLEN] = "";
        Pair pair;
        double corun_before = pairs ? corun_ratio(*s) : NAN;
        if (pairs && first && measure_pair(*s, pair, msg) != 0) {
            fail(state, *s, msg);
            break;
        }
        drop(s->sweep->pair); /* nor does the job share the pair's */
        std::string err;
        Watch watch(nullptr);
        json_t *r = job(*s, s->mode, err);
        watch.stop(s->workers->cpus, s->workers->count);
        if (!r) {
            fail(state, *s, err);
            break;
        }
        if (pairs && !first && measure_pair(*s, pair, msg) != 0) {
            json_decref(r);
            fail(state, *s, msg);
            break;
        }
        double seconds = number(r, "seconds");
        state.SetIterationTime(seconds / (double)s->ticks);
        // one job per iteration, and the point runs one iteration (Iterations(1))
        double gbps = set_rate_counters(state, *s, seconds, number(r, "workers_running"), number(r, "merge_seconds"),
                                        number(r, "merged"));
        set_job_label(state, r);
        if (json_is_number(json_object_get(r, "faults_per_tick"))) /* numpy: its temporaries' page faults */
            state.counters["faults_per_tick"] = number(r, "faults_per_tick");
        finish_repetition(state, *s, pairs ? &pair : nullptr, first, watch, seconds, gbps, body, corun_before);
        json_decref(r);
    }
}

// KERNEL/SERIES/dispatch of a launched variant: a batched and a per-tick job at the same small N
// (the difference per tick is the synchronisation).
void job_dispatch_point(benchmark::State &state, const Spec *s)
{
    if (skipped_after_stop(state, *s))
        return;
    double body = ceil_now();
    for (auto _ : state) {
        std::string err;
        Watch watch(nullptr);
        json_t *b = job(*s, CEIL_BATCHED, err), *p = b ? job(*s, CEIL_PERTICK, err) : nullptr;
        watch.stop(s->workers->cpus, s->workers->count);
        if (!p) {
            json_decref(b);
            fail(state, *s, err);
            break;
        }
        double batched = number(b, "seconds") / (double)s->ticks, pertick = number(p, "seconds") / (double)s->ticks;
        state.SetIterationTime(pertick);
        set_dispatch_counters(state, *s, batched, pertick, benchmark::Counter::kDefaults);
        set_job_label(state, p);
        set_trust_counters(state, *s, &watch, nullptr, body);
        record(*s, pertick - batched, body);
        s->sweep->progress.done(*s, fmt("%8.3f us/tick dispatch", (pertick - batched) * 1e6));
        json_decref(b);
        json_decref(p);
    }
}

} // namespace bench
