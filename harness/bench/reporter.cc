// The file output: Google Benchmark's JSON with a speedup counter, and the same runs as CSV.
#include "sweep.h"

extern "C" {
#include "names.h"
}

#include <algorithm>
#include <cmath>
#include <fstream>
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

// Names stay KERNEL/SERIES/MODE/n:N/workers:W: the "/iterations:1/manual_time" Google Benchmark
// appends says only what the context's "timer" key says for every point. Its CPU timer sees the
// main thread alone: a repetition's cpu_time becomes the team's (team_cpu_s, per tick as real_time).
void Results::ReportRuns(const std::vector<Run> &runs)
{
    for (Run r : runs) {
        r.run_name.iterations.clear();
        r.run_name.time_type.clear();
        auto cpu = r.counters.find("team_cpu_s"), ticks = r.counters.find("ticks");
        if (r.run_type == Run::RT_Iteration && !r.error_occurred && cpu != r.counters.end())
            r.cpu_accumulated_time = cpu->second.value / (ticks != r.counters.end() ? ticks->second.value : 1);
        runs_.push_back(r);
    }
}

// Google Benchmark's statistics, as it computes them over the repetitions' accumulated times.
static double statistic(const std::string &name, std::vector<double> v)
{
    double n = (double)v.size(), mean = 0, squares = 0;
    for (double x : v)
        mean += x / n, squares += x * x / n;
    double stddev = v.size() > 1 ? std::sqrt(std::max(0.0, n / (n - 1) * (squares - mean * mean))) : 0;
    std::sort(v.begin(), v.end());
    if (name == "mean")
        return mean;
    if (name == "median")
        return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    if (name == "stddev")
        return stddev;
    return mean != 0 ? stddev / mean : 0; /* cv */
}

// The aggregates' cpu_time again, over the team's CPU times of the repetitions. As Google
// Benchmark 1.7 stores them: a statistic of the per-iteration times times the aggregate's
// iterations (the repetitions), or the bare ratio for cv.
void Results::team_cpu_aggregates()
{
    std::map<std::string, std::vector<double>> cpu;
    for (const Run &r : runs_)
        if (r.run_type == Run::RT_Iteration && !r.error_occurred && r.counters.count("team_cpu_s"))
            cpu[r.run_name.function_name].push_back(r.cpu_accumulated_time / (double)r.iterations);
    for (Run &r : runs_) {
        auto it = cpu.find(r.run_name.function_name);
        const std::string &a = r.aggregate_name;
        if (r.run_type != Run::RT_Aggregate || it == cpu.end())
            continue;
        if (a == "mean" || a == "median" || a == "stddev")
            r.cpu_accumulated_time = statistic(a, it->second) * (double)r.iterations;
        else if (a == "cv")
            r.cpu_accumulated_time = statistic(a, it->second);
    }
}

void Results::Finalize()
{
    team_cpu_aggregates();
    add_speedups();
    if (!runs_.empty())
        JSONReporter::ReportRuns(runs_);
    JSONReporter::Finalize();
    GetOutputStream().flush();
    json_ok = GetOutputStream().good(); /* a full disk shows here: the file is then removed */
    if (!csv_path_.empty())
        write_csv();
}

// speedup = the reference's median repetition at the same kernel and N over this repetition's
// time; the aggregates get the median's and mean's ratio and the repetitions' spread.
void Results::add_speedups()
{
    const char *reference = ceil_variant_reference()->name;
    std::map<std::string, double> ref; // "kernel/n" -> median seconds of a repetition
    for (const Run &r : runs_) {
        ceil_point_name p = parts_of(r);
        bool median = r.run_type == Run::RT_Aggregate ? r.aggregate_name == "median" : r.repetitions == 1;
        if (!strcmp(p.series, reference) && !strcmp(p.mode, "batched") && median && !r.error_occurred)
            ref[reference_key(p)] = seconds(r);
    }
    std::map<std::string, std::vector<double>> per_rep;
    for (Run &r : runs_) {
        ceil_point_name p = parts_of(r);
        auto it = ref.find(reference_key(p));
        if (it == ref.end() || r.error_occurred || (strcmp(p.mode, "batched") && strcmp(p.mode, "pertick")))
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
        double s = ref[reference_key(parts_of(r))];
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

void Results::write_csv()
{
    std::ofstream out(csv_path_);
    out << "name,kernel,variant,mode,n,workers,run_type,aggregate,repetition,iterations,time_us,"
           "gbps,ns_per_elem_tick,speedup,overhead_us,label,error\n";
    for (const Run &r : runs_) {
        ceil_point_name p = parts_of(r);
        auto counter = [&](const char *k) {
            auto it = r.counters.find(k);
            return it == r.counters.end() ? std::string() : fmt("%.9g", it->second.value);
        };
        std::string error = r.error_message;
        for (char &c : error)
            if (c == ',' || c == '"' || c == '\n')
                c = ';';
        out << r.run_name.function_name << ',' << p.kernel << ',' << p.series << ',' << p.mode << ',' << p.n << ','
            << p.workers << ',' << (r.run_type == Run::RT_Aggregate ? "aggregate" : "iteration") << ','
            << r.aggregate_name << ',' << (r.run_type == Run::RT_Aggregate ? -1 : r.repetition_index) << ','
            << r.iterations << ',' << (r.error_occurred ? std::string() : fmt("%.9g", r.GetAdjustedRealTime())) << ','
            << counter("gbps") << ',' << counter("ns_per_elem_tick") << ',' << counter("speedup") << ','
            << counter("overhead_us") << ',' << r.report_label << ',' << error << '\n';
    }
    csv_ok = out.good();
}

} // namespace bench
