// The file output: Google Benchmark's JSON over every repetition of every pass, with its
// aggregates, a speedup counter, and the same runs as CSV.
#include "sweep.h"

extern "C" {
#include "names.h"
#include "trust.h"
}

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>

namespace bench {

using Run = benchmark::BenchmarkReporter::Run;

static double seconds(const Run &r) { return r.GetAdjustedRealTime() * 1e-6; } // all in microseconds

static ceil_point_name parts_of(const Run &r)
{
    ceil_point_name p;
    if (ceil_point_name_parse(r.run_name.function_name.c_str(), &p) != 0)
        p = ceil_point_name{};
    return p;
}

static std::string reference_key(const ceil_point_name &p) { return std::string(p.kernel) + "/" + std::to_string(p.n); }

static double counter(const Run &r, const char *key)
{
    auto it = r.counters.find(key);
    return it == r.counters.end() ? NAN : it->second.value;
}

void Collector::ReportRuns(const std::vector<Run> &runs)
{
    for (const Run &r : runs)
        if (r.run_type == Run::RT_Iteration)
            runs_.push_back(r);
}

// Google Benchmark's statistics, as it computes them over the repetitions.
static double statistic(const std::string &name, std::vector<double> v)
{
    double n = (double)v.size(), mean = 0, squares = 0;
    for (double x : v)
        mean += x / n, squares += x * x / n;
    double stddev = v.size() > 1 ? std::sqrt(std::max(0.0, n / (n - 1) * (squares - mean * mean))) : 0;
    if (name == "mean")
        return mean;
    if (name == "median")
        return ceil_median(v.data(), v.size());
    if (name == "stddev")
        return stddev;
    return mean != 0 ? stddev / mean : 0; /* cv */
}

// Names stay KERNEL/SERIES/MODE/n:N/workers:W: the "/iterations:1/manual_time" Google Benchmark
// appends says only what the context's "timer" key says for every point. Its CPU timer sees the
// main thread alone: a repetition's cpu_time becomes the team's (team_cpu_s, per tick as
// real_time). Repetitions are numbered across passes, each point's together, in the order the
// points first finished.
void Results::gather(const std::vector<Run> &runs)
{
    std::map<std::string, std::vector<Run>> by_name;
    std::vector<std::string> order;
    for (Run r : runs) {
        r.run_name.iterations.clear();
        r.run_name.time_type.clear();
        r.run_name.repetitions.clear(); /* "/repeats:N": the passes set their own counts */
        double cpu = counter(r, "team_cpu_s"), ticks = counter(r, "ticks");
        if (!r.error_occurred && std::isfinite(cpu))
            r.cpu_accumulated_time = cpu / (std::isfinite(ticks) ? ticks : 1);
        std::vector<Run> &v = by_name[r.run_name.function_name];
        if (v.empty())
            order.push_back(r.run_name.function_name);
        v.push_back(r);
    }
    runs_.clear();
    for (const std::string &name : order) {
        std::vector<Run> &v = by_name[name];
        for (size_t i = 0; i < v.size(); i++) {
            v[i].repetition_index = (int64_t)i;
            v[i].repetitions = (int64_t)v.size();
            runs_.push_back(v[i]);
        }
    }
}

// Each point's mean, median, stddev and cv over all its repetitions, every pass, as Google
// Benchmark 1.7 stores them: the time statistics over per-iteration times times the
// aggregate's iterations (its repetitions), the bare ratio for cv; counters as they are.
std::vector<Run> Results::aggregates() const
{
    std::vector<Run> out;
    for (size_t i = 0; i < runs_.size();) {
        size_t j = i;
        std::vector<const Run *> ok;
        for (; j < runs_.size() && runs_[j].run_name.function_name == runs_[i].run_name.function_name; j++)
            if (!runs_[j].error_occurred)
                ok.push_back(&runs_[j]);
        std::vector<Run> mine;
        for (const char *name : { "mean", "median", "stddev", "cv" }) {
            if (ok.size() < 2)
                break;
            Run a = *ok[0];
            a.run_type = Run::RT_Aggregate;
            a.aggregate_name = name;
            a.aggregate_unit = strcmp(name, "cv") ? benchmark::kTime : benchmark::kPercentage;
            a.repetition_index = -1;
            a.repetitions = (int64_t)(j - i);
            a.iterations = (benchmark::IterationCount)ok.size();
            std::vector<double> real, cpu;
            for (const Run *r : ok) {
                real.push_back(r->real_accumulated_time / (double)r->iterations);
                cpu.push_back(r->cpu_accumulated_time / (double)r->iterations);
            }
            double scale = strcmp(name, "cv") ? (double)a.iterations : 1;
            a.real_accumulated_time = statistic(name, real) * scale;
            a.cpu_accumulated_time = statistic(name, cpu) * scale;
            for (auto &kv : a.counters) {
                std::vector<double> v;
                for (const Run *r : ok)
                    v.push_back(counter(*r, kv.first.c_str()));
                kv.second.value = statistic(name, v);
            }
            mine.push_back(a);
        }
        out.insert(out.end(), mine.begin(), mine.end());
        i = j;
    }
    return out;
}

bool Results::write(const std::vector<Run> &runs, std::ostream &json)
{
    gather(runs);
    add_speedups();
    std::vector<Run> all;
    std::vector<Run> agg = aggregates();
    add_aggregate_speedups(agg);
    for (size_t i = 0, a = 0; i < runs_.size(); i++) { /* each point's aggregates after its last repetition */
        all.push_back(runs_[i]);
        bool last = i + 1 == runs_.size() || runs_[i + 1].run_name.function_name != runs_[i].run_name.function_name;
        for (; last && a < agg.size() && agg[a].run_name.function_name == runs_[i].run_name.function_name; a++)
            all.push_back(agg[a]);
    }
    runs_ = all;
    SetOutputStream(&json);
    SetErrorStream(&std::cerr);
    Context context;
    JSONReporter::ReportContext(context);
    if (!runs_.empty())
        JSONReporter::ReportRuns(runs_);
    JSONReporter::Finalize();
    json.flush();
    json_ok = json.good(); /* a full disk shows here: the file is then removed */
    if (!csv_path_.empty())
        write_csv();
    return json_ok && csv_ok;
}

// A repetition paired with a serial one has its own speedup, the pair's ratio (points.cc); every
// team's repetition also gets speedup_unpaired: the reference's median repetition at the same
// kernel and N over this repetition's time, as a separate serial run would give it.
void Results::add_speedups()
{
    const char *reference = ceil_variant_reference()->name;
    std::map<std::string, std::vector<double>> ref_times;
    for (const Run &r : runs_) {
        ceil_point_name p = parts_of(r);
        if (!strcmp(p.series, reference) && !strcmp(p.mode, "batched") && !r.error_occurred)
            ref_times[reference_key(p)].push_back(seconds(r));
    }
    for (auto &kv : ref_times)
        reference_[kv.first] = ceil_median(kv.second.data(), kv.second.size());
    for (Run &r : runs_) {
        ceil_point_name p = parts_of(r);
        auto it = reference_.find(reference_key(p));
        if (it == reference_.end() || r.error_occurred || (strcmp(p.mode, "batched") && strcmp(p.mode, "pertick")))
            continue;
        double unpaired = it->second / seconds(r);
        if (r.counters.count("pair_order"))
            r.counters["speedup_unpaired"] = unpaired;
        else
            r.counters["speedup"] = unpaired;
    }
}

// The aggregates' speedups. Paired: the statistics of the per-pair ratios (aggregates() took
// them), and the median's "spread", the relative half-width of its 95% interval. Unpaired (the
// reference itself): the reference's median over the aggregate's time, as before pairing.
// Every point's median gets its "spread": the paired ratio's, else its time's (or overhead's).
void Results::add_aggregate_speedups(std::vector<Run> &agg) const
{
    std::map<std::string, std::vector<double>> ratios; /* each repetition's key value, as record() in points.cc */
    for (const Run &r : runs_)
        if (!r.error_occurred)
            ratios[r.run_name.function_name].push_back(r.counters.count("pair_order") ? counter(r, "speedup")
                                                       : r.counters.count("overhead_us") ? counter(r, "overhead_us")
                                                                                         : seconds(r));
    for (Run &a : agg) {
        auto it = reference_.find(reference_key(parts_of(a)));
        bool paired = a.counters.count("pair_order") != 0;
        if (it != reference_.end() && (a.aggregate_name == "mean" || a.aggregate_name == "median")) {
            double unpaired = it->second / seconds(a);
            a.counters[paired ? "speedup_unpaired" : "speedup"] = unpaired;
        }
        auto v = ratios.find(a.run_name.function_name);
        if (a.aggregate_name == "median" && v != ratios.end())
            a.counters["spread"] = ceil_median_spread(v->second.data(), v->second.size());
    }
}

void Results::write_csv()
{
    std::ofstream out(csv_path_);
    out << "name,kernel,variant,mode,n,workers,run_type,aggregate,repetition,iterations,time_us,"
           "gbps,ns_per_elem_tick,speedup,overhead_us,label,error\n";
    for (const Run &r : runs_) {
        ceil_point_name p = parts_of(r);
        auto field = [&](const char *k) {
            double v = counter(r, k);
            return std::isfinite(v) ? fmt("%.9g", v) : std::string();
        };
        std::string error = r.error_message;
        for (char &c : error)
            if (c == ',' || c == '"' || c == '\n')
                c = ';';
        out << r.run_name.function_name << ',' << p.kernel << ',' << p.series << ',' << p.mode << ',' << p.n << ','
            << p.workers << ',' << (r.run_type == Run::RT_Aggregate ? "aggregate" : "iteration") << ','
            << r.aggregate_name << ',' << (r.run_type == Run::RT_Aggregate ? -1 : r.repetition_index) << ','
            << r.iterations << ',' << (r.error_occurred ? std::string() : fmt("%.9g", r.GetAdjustedRealTime())) << ','
            << field("gbps") << ',' << field("ns_per_elem_tick") << ',' << field("speedup") << ','
            << field("overhead_us") << ',' << r.report_label << ',' << error << '\n';
    }
    csv_ok = out.good();
}

} // namespace bench
