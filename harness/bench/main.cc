// ceilings-bench: the sweep as Google Benchmark benchmarks, planned from the topology.
//
// A thin wrapper: the variants do the work; Google Benchmark times it (wall clock: the default
// CPU timer cannot see worker threads or child processes), repeats it, interleaves the
// repetitions at random against drift, aggregates and writes the JSON. Every point's arrays are
// compared with the reference's after the same ticks; a difference fails the point and makes the
// process exit 1. Names parse back into their parts (names.h):
//   KERNEL/SERIES/MODE/n:N/workers:W   MODE: batched, pertick, dispatch or startup
#include "sweep.h"

extern "C" {
#include "files.h"
#include "machine.h"
}

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <ctime>
#include <sys/stat.h>

namespace {

// A point is noisy while the 95% interval of its median (its paired speedup, else its time)
// is wider than this either side.
constexpr double target_spread = 0.03;
// The time more repetitions and the second pass may take, as a share of the first pass's.
constexpr double extra_budget = CEIL_EXTRA_SHARE;

const char usage[] =
    "usage: ceilings-bench [--sweep quick|default|full] [--results DIR] [--max-repetitions R]\n"
    "                      [--benchmark_* flags]\n"
    "Runs every kernel x variant x mode over the sizes and worker counts `ceilings plan` gives\n"
    "for this machine, as Google Benchmark benchmarks named KERNEL/VARIANT/MODE/n:N/workers:W,\n"
    "each checked against serial bit for bit; plus per-tick dispatch overhead (MODE dispatch,\n"
    "every team on each of its barriers: VARIANT-BARRIER where not its default) and team\n"
    "start-up (MODE startup). Wall-clock time, repetitions in random order. A variant launched\n"
    "by mpirun runs at the target sizes (the quick sweep: L2 and L3) where mpirun is found,\n"
    "each repetition one job (--benchmark_filter=-mpi leaves them out). The book's numpy,\n"
    "which runs a loop of its own, runs there too and, on one worker, at each team's part of\n"
    "the L2 target (N/W): the in-core time the model gives that team.\n"
    "Each repetition of a team's point is paired with a serial repetition beside it (before\n"
    "and after, alternating): its speedup is the median of the per-pair ratios. Every\n"
    "repetition records what else ran: the CPU time others took from the workers (run delay)\n"
    "and the hypervisor's steal; a team's of 2+ workers, whether its CPUs shared a core (corun:\n"
    "a short FMA loop on all of them at once over one alone, right after the repetition).\n"
    "A point whose median's 95% interval is wider than 3% gets more repetitions (up to\n"
    "--max-repetitions), and if still noisy, a second pass at the end.\n"
    "\n"
    "  -s, --sweep KIND     quick, default or full (sizes per decade, repetitions, run length)\n"
    "  -r, --results DIR    write DIR/bench.json (Google Benchmark JSON), DIR/bench.csv and\n"
    "                       DIR/plan.json; files appear whole or not at all\n"
    "      --max-bytes B    no footprint above B bytes\n"
    "      --max-repetitions R  a noisy point's cap (quick: no more; default 10; full 20;\n"
    "                       with --benchmark_repetitions=N: N, no second pass)\n"
    "      --budget S       start nothing past S seconds: the points are ranked by what they\n"
    "                       answer and priced (ceilings plan shows them); those past the budget\n"
    "                       are left out and listed (default: quick 180, default 600, full none;\n"
    "                       0: none). ninja bench passes its budget less the probe's time\n"
    "      --resume DIR     measure what the partial sweep in DIR (interrupted, or stopped by a\n"
    "                       failing point) left out, on the same plan, and complete DIR's files\n"
    "      --rescale-every S  every S seconds, between repetitions, `ceilings probe --rescale`\n"
    "                       measures the scalings past one worker again: peakflops, and daxpy\n"
    "                       at the DRAM target (the host's cores and memory move;\n"
    "                       explain uses the samples nearest each point): default and full\n"
    "                       sweeps every 120 s, quick never; 0: never\n"
    "  -h, --help           this text\n"
    "Every --benchmark_* flag works: --benchmark_filter=motion/omp, --benchmark_repetitions=3,\n"
    "--benchmark_out=FILE (JSON, with the speedup counters), ... A point's repetitions run back to\n"
    "back, each team kept between them (its arrays set to their start values again), so that\n"
    "mapping and first touch are paid once per kernel, N and team.\n"
    "Interrupted (SIGINT, SIGTERM), it writes what it measured, marked \"partial\" in the context.\n"
    "Exit status: 0 ok; 1 a point failed or differs from serial, or the run was interrupted; 2 bad\n"
    "usage.\n";

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
    char part[4096];
    std::ofstream out(ceil_part_path(path.c_str(), part, sizeof part));
    out << text;
    out.close();
    return ceil_part_commit(path.c_str(), out.good()) == 0;
}

// What the command line asked for.
struct Options {
    ceil_sweep sweep = CEIL_SWEEP_DEFAULT;
    const char *results = nullptr;
    const char *resume = nullptr;
    json_t *old = nullptr; // the partial folder's bench.json (--resume)
    uint64_t max_bytes = 0, max_repetitions = 0;
    uint64_t rescale_every = UINT64_MAX; // seconds; UINT64_MAX: the sweep's
    uint64_t budget = UINT64_MAX;        // seconds; UINT64_MAX: the sweep's, 0: none
    std::string json_path, csv_path;
    std::vector<std::string> extra; // our defaults for Google Benchmark's flags
    const char *self = "ceilings-bench";
};

// Our options, then Google Benchmark's (theirs, initialised). Returns 0, -1 for --help, or an exit code.
// --benchmark_out and its format are ours: the file holds every pass, which we write.
int take_out_flags(std::vector<char *> &theirs, Options &o)
{
    std::vector<char *> kept;
    for (char *a : theirs) {
        if (strncmp(a, "--benchmark_out=", 16) == 0)
            o.json_path = a + 16;
        else if (strncmp(a, "--benchmark_out_format=", 23) == 0) {
            if (strcmp(a + 23, "json") != 0)
                return ceil_usage_error("bench", "--benchmark_out_format: only json is written (got '%s')", a + 23);
        } else
            kept.push_back(a);
    }
    theirs = kept;
    if (o.json_path.empty() && has_flag((int)theirs.size(), theirs.data(), "--benchmark_out"))
        return ceil_usage_error("bench", "--benchmark_out needs =FILE");
    return 0;
}

const char *context_text(json_t *doc, const char *key)
{
    return json_string_value(json_object_get(json_object_get(doc, "context"), key));
}

// A string member of obj, or `fallback`.
const char *text_or(json_t *obj, const char *key, const char *fallback)
{
    const char *t = json_string_value(json_object_get(obj, key));
    return t ? t : fallback;
}

// --resume DIR: the folder's bench.json, which must be partial; its sweep and cap are this run's.
int load_partial(Options &o)
{
    if (o.results)
        return ceil_usage_error("bench", "--resume DIR writes into DIR: drop --results");
    std::string path = std::string(o.resume) + "/bench.json";
    json_error_t e;
    if (!(o.old = json_load_file(path.c_str(), 0, &e)))
        return ceil_usage_error("bench", "--resume: cannot read %s: %s", path.c_str(), e.text);
    if (!json_is_true(json_object_get(json_object_get(o.old, "context"), "partial")))
        return ceil_usage_error("bench", "--resume: %s is a complete sweep: nothing to resume", o.resume);
    const char *sweep = context_text(o.old, "sweep"), *cap = context_text(o.old, "max_bytes");
    if (!sweep || ceil_sweep_find(sweep, &o.sweep) != 0)
        return ceil_usage_error("bench", "--resume: %s names no sweep kind in its context", path.c_str());
    o.max_bytes = cap ? strtoull(cap, nullptr, 10) : 0;
    o.results = o.resume;
    return 0;
}

int parse(int argc, char **argv, Options &o, std::vector<char *> &theirs, bench::Sweep &sw)
{
    std::vector<char *> ours = { argv[0] };
    o.self = argv[0];
    for (int i = 1; i < argc; i++)
        (strncmp(argv[i], "--benchmark_", 12) == 0 ? theirs : ours).push_back(argv[i]);
    const ceil_option options[] = {
        { "sweep", 's', CEIL_OPT_SWEEP, &o.sweep, 0, 0, nullptr },
        { "results", 'r', CEIL_OPT_TEXT, &o.results, 0, 0, nullptr },
        { "max-bytes", 0, CEIL_OPT_COUNT, &o.max_bytes, 1, UINT64_MAX / 2, nullptr },
        { "max-repetitions", 0, CEIL_OPT_COUNT, &o.max_repetitions, 1, 1000, nullptr },
        { "rescale-every", 0, CEIL_OPT_COUNT, &o.rescale_every, 0, 86400, nullptr },
        { "resume", 0, CEIL_OPT_TEXT, &o.resume, 0, 0, nullptr },
        { "budget", 0, CEIL_OPT_COUNT, &o.budget, 0, 30 * 86400, nullptr },
        { nullptr, 0, CEIL_OPT_FLAG, nullptr, 0, 0, nullptr },
    };
    const ceil_command_line cl = { "bench", usage, nullptr, nullptr, options, 0, nullptr };
    int first, rc = ceil_parse_command_line(&cl, (int)ours.size(), ours.data(), &first);
    if (rc != 0)
        return rc;
    if (o.resume && (rc = load_partial(o)) != 0)
        return rc;
    const ceil_sweep_settings &set = *ceil_sweep_settings_of(o.sweep);
    if (!has_flag(argc, argv, "--benchmark_repetitions="))
        o.extra.push_back("--benchmark_repetitions=" + std::to_string(set.repetitions));
    if (o.results && has_flag(argc, argv, "--benchmark_out"))
        return ceil_usage_error("bench", "--results writes the files itself: drop --benchmark_out");
    if ((rc = take_out_flags(theirs, o)) != 0)
        return rc;
    if (o.results) {
        if (mkdir(o.results, 0777) != 0 && errno != EEXIST)
            return ceil_fail("bench", "--results: cannot create %s: %s", o.results, strerror(errno));
        o.json_path = std::string(o.results) + "/bench.json";
        o.csv_path = std::string(o.results) + "/bench.csv";
    }
    for (std::string &e : o.extra)
        theirs.push_back(&e[0]);
    int gb_argc = (int)theirs.size();
    bool asked = has_flag(argc, argv, "--benchmark_repetitions=");
    sw.repetitions = std::max(1, flag_int(gb_argc, theirs.data(), "--benchmark_repetitions=", set.repetitions));
    sw.max_repetitions = o.max_repetitions ? (int)o.max_repetitions : asked ? sw.repetitions : set.max_repetitions;
    sw.max_repetitions = std::max(sw.max_repetitions, sw.repetitions);
    benchmark::Initialize(&gb_argc, theirs.data()); // consumes and reorders its flags
    return benchmark::ReportUnrecognizedArguments(gb_argc, theirs.data()) ? CEIL_EXIT_USAGE : 0;
}

// Seconds since the epoch of an ISO 8601 time with its offset ("2026-11-26T00:03:34+00:00"), or -1.
double epoch_of(const char *iso)
{
    struct tm tm{};
    const char *rest = iso ? strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm) : nullptr;
    if (!rest)
        return -1;
    int sign = 1, hours = 0, minutes = 0;
    if (*rest == '+' || *rest == '-')
        sign = *rest == '-' ? -1 : 1, sscanf(rest + 1, "%d:%d", &hours, &minutes);
    return (double)timegm(&tm) - sign * (hours * 3600.0 + minutes * 60.0);
}

// A resumed sweep: the same plan as the folder's (else exit 2), the points it holds left out,
// and this part's clock continuing the first part's, so that at_s orders the whole sweep.
int resume_from(bench::Sweep &sw, const Options &o)
{
    std::string path = std::string(o.resume) + "/plan.json";
    json_error_t e;
    json_t *plan = json_load_file(path.c_str(), 0, &e), *item;
    std::vector<uint64_t> was, now;
    size_t i;
    json_array_foreach(json_object_get(plan, "sizes"), i, item) was.push_back(json_integer_value(json_object_get(item, "n")));
    json_array_foreach(json_object_get(plan, "workers"), i, item) was.push_back(json_integer_value(json_object_get(item, "count")) << 48);
    json_decref(plan);
    for (unsigned k = 0; k < sw.plan.n_sizes; k++)
        now.push_back(sw.plan.sizes[k].n);
    for (unsigned k = 0; k < sw.plan.n_workers; k++)
        now.push_back((uint64_t)sw.plan.workers[k].count << 48);
    if (was != now)
        return ceil_usage_error("bench", "--resume: %s plans other sizes or worker counts than this machine and build "
                                "do now: resume where it was made", path.c_str());
    json_t *b;
    json_array_foreach(json_object_get(o.old, "benchmarks"), i, b) {
        const char *name = json_string_value(json_object_get(b, "run_name"));
        if (name && !json_is_true(json_object_get(b, "error_occurred")))
            sw.done.insert(name);
    }
    json_t *ctx = json_object_get(o.old, "context");
    double ended = epoch_of(context_text(o.old, "date")), took = json_number_value(json_object_get(ctx, "wall_s"));
    sw.at_offset = ended > 0 ? std::max(0.0, (double)time(nullptr) - ended) + took : took;
    printf("ceilings-bench: resuming %s: %zu points measured already\n", o.resume, sw.done.size());
    return 0;
}

// The plan, the specs and the context, before anything runs.
int prepare(bench::Sweep &sw, const Options &o)
{
    char err[CEIL_ERRLEN];
    int rc;
    if (ceil_topo_load(&sw.topo, nullptr, err) != 0)
        return ceil_fail("bench", "%s", err);
    if (ceil_plan_make(&sw.plan, &sw.topo, o.sweep, ceil_mem_available(), "MemAvailable", o.max_bytes, err) != 0)
        return ceil_fail("bench", "%s", err);
    for (unsigned i = 0; i < sw.plan.n_notes; i++)
        fprintf(stderr, "ceilings-bench: plan: %s\n", sw.plan.notes[i]);
    sw.max_bytes = o.max_bytes;
    if (o.old && (rc = resume_from(sw, o)) != 0)
        return rc;
    sw.refs = ceil_refs_new();
    for (unsigned i = 0; i < sw.plan.n_sizes; i++)
        sw.refs_bytes = std::max(sw.refs_bytes, (double)sw.plan.sizes[i].bytes);
    ceil_install_stop_handlers();
    std::string why;
    sw.budget_s = o.budget != UINT64_MAX ? (double)o.budget : ceil_sweep_settings_of(o.sweep)->budget_s;
    if (!bench::plan_specs(sw, sw.budget_s, why))
        return ceil_fail("bench", "sizing the ticks failed: %s", why.c_str());
    bench::add_context(sw);
    bench::rescale_setup(sw, o.rescale_every != UINT64_MAX ? (double)o.rescale_every : ceil_sweep_settings_of(o.sweep)->rescale_every,
                         o.self, ceil_sweep_name(o.sweep), o.max_bytes);
    if (o.results && !o.old) {
        json_t *plan = ceil_plan_json(&sw.plan, &sw.topo);
        char *text = json_dumps(plan, JSON_INDENT(2));
        bool ok = text && write_text(std::string(o.results) + "/plan.json", std::string(text) + "\n");
        free(text);
        json_decref(plan);
        if (!ok)
            return ceil_fail("bench", "cannot write %s/plan.json", o.results);
    }
    return 0;
}

// Runs the listed specs `repetitions` times each, in random order, into collect.
void run_pass(bench::Sweep &sw, bench::Collector &collect, const std::vector<size_t> &which, int repetitions,
              const std::string &what)
{
    bench::register_specs(sw, which, repetitions);
    sw.progress.start(bench::count_selected(sw, which, repetitions), what);
    benchmark::RunSpecifiedBenchmarks(&collect);
}

// The points still noisy, noisiest first, as many as fit in `seconds` at `repetitions` more each
// (from what their repetitions took so far); only those that `more` allows.
template <class Pred>
std::vector<size_t> noisy(const bench::Sweep &sw, int repetitions, double seconds, Pred more)
{
    std::vector<std::pair<double, size_t>> wide;
    for (size_t i = 0; i < sw.records.size(); i++) {
        const bench::Record &r = sw.records[i];
        double spread = bench::spread_of(r);
        if (!r.failed && !r.values[0].empty() && spread > target_spread && more(r))
            wide.emplace_back(spread, i);
    }
    std::sort(wide.rbegin(), wide.rend());
    std::vector<size_t> out;
    for (auto &[spread, i] : wide) {
        const bench::Record &r = sw.records[i];
        double cost = r.seconds / (double)std::max(1u, r.bodies) * repetitions;
        if (cost > seconds)
            continue;
        seconds -= cost;
        out.push_back(i);
    }
    return out;
}

// The points this run measures, in the schedule's order: those a resumed folder lacks, as
// --benchmark_filter selects them, while their price with its share of more repetitions and of
// rescale samples fits the budget; the rest are left out, and listed.
std::vector<size_t> in_budget(bench::Sweep &sw)
{
    std::vector<size_t> wanted;
    for (size_t i = 0; i < sw.specs.size(); i++)
        if (!sw.done.count(bench::name_of(sw.specs[i])))
            wanted.push_back(i);
    wanted = bench::selected(sw, wanted);
    const ceil_schedule &s = sw.schedule;
    double grow = (sw.max_repetitions > sw.repetitions ? 1 + extra_budget : 1) *
                  (s.pass1_s + s.extra_s > 0 ? 1 + s.rescale_s / (s.pass1_s + s.extra_s) : 1);
    double total = 0, left = sw.budget_s - (ceil_now() - sw.began); /* less what sizing the ticks took */
    std::vector<size_t> out;
    for (size_t i : wanted) {
        total += s.points[sw.specs[i].index].estimate_s;
        if (sw.budget_s > 0 && total * grow > left)
            sw.left_out.insert(bench::name_of(sw.specs[i]));
        else
            out.push_back(i);
    }
    return out;
}

// Every point `repetitions` times; then more repetitions, a few at a time, where a point's median
// is still uncertain and its cap allows; then, at the end, a second pass over the points still
// noisy, so that a point measured twice minutes apart can be checked against itself.
void measure(bench::Sweep &sw, bench::Collector &collect)
{
    std::vector<size_t> all = in_budget(sw);
    bench::estimate(sw, all);
    sw.start = ceil_now();
    sw.deadline = sw.budget_s > 0 ? sw.began + sw.budget_s : 0;
    run_pass(sw, collect, all, sw.repetitions, "pass 1");
    if (sw.max_repetitions <= sw.repetitions)
        return;
    double budget = extra_budget * (ceil_now() - sw.start), t0 = ceil_now();
    if (sw.deadline > 0) /* what the budget leaves, if less */
        budget = std::min(budget, sw.deadline - t0);
    int step = std::max(1, sw.repetitions / 2);
    for (int round = 2; !ceil_stop_signal(); round++) {
        double left = 0.6 * budget - (ceil_now() - t0);
        std::vector<size_t> more = noisy(sw, step, left, [&](const bench::Record &r) {
            return r.values[0].size() + (size_t)step <= (size_t)sw.max_repetitions;
        });
        if (more.empty())
            break;
        run_pass(sw, collect, more, step, "pass 1, round " + std::to_string(round) + ": more repetitions of the noisy points");
    }
    std::vector<size_t> again = noisy(sw, sw.repetitions, budget - (ceil_now() - t0), [](const bench::Record &) { return true; });
    if (again.empty() || ceil_stop_signal())
        return;
    sw.pass = 2;
    run_pass(sw, collect, again, sw.repetitions, "pass 2: the points still noisy, once more");
}

void measure_and_release(bench::Sweep &sw, bench::Collector &collect)
{
    measure(sw, collect);
    bench::drop_kept(sw);
}

// The runs to write: those past the budget, and after a stop those it skipped or cut short, are no
// measurement and stay out.
std::vector<benchmark::BenchmarkReporter::Run> measured(const bench::Collector &collect, bool stopped)
{
    std::vector<benchmark::BenchmarkReporter::Run> runs;
    for (const auto &r : collect.runs_)
        if (!(r.error_occurred && (r.error_message.rfind("left out", 0) == 0 ||
                                   (stopped && r.error_message.rfind("interrupted", 0) == 0))))
            runs.push_back(r);
    return runs;
}

// The sweep's own keys in Google Benchmark's context, typed: partial and why, and its wall time
// (every part's, when resumed). A resumed folder's benchmarks come first, its rescale samples too.
void complete_doc(json_t *doc, const bench::Sweep &sw, const Options &o, int stopped, double wall)
{
    json_t *ctx = json_object_get(doc, "context"), *benchmarks = json_object_get(doc, "benchmarks");
    if (o.old) {
        json_t *merged = json_array(), *b, *old_ctx = json_object_get(o.old, "context");
        size_t i;
        json_array_foreach(json_object_get(o.old, "benchmarks"), i, b)
            if (!json_is_true(json_object_get(b, "error_occurred")) ||
                strncmp(text_or(b, "error_message", ""), "interrupted", 11) != 0)
                json_array_append(merged, b);
        json_array_extend(merged, benchmarks);
        json_object_set_new(doc, "benchmarks", merged);
        json_t *earlier = json_loads(text_or(old_ctx, "rescale", "[]"), 0, nullptr);
        json_t *later = json_loads(text_or(ctx, "rescale", "[]"), 0, nullptr);
        if (json_is_array(earlier) && json_is_array(later) && json_array_size(earlier) + json_array_size(later)) {
            json_array_extend(earlier, later);
            char *text = json_dumps(earlier, JSON_COMPACT);
            json_object_set_new(ctx, "rescale", json_string(text ? text : "[]"));
            free(text);
        }
        json_decref(earlier);
        json_decref(later);
        wall += json_number_value(json_object_get(old_ctx, "wall_s"));
        json_object_set_new(ctx, "parts", json_integer(json_integer_value(json_object_get(old_ctx, "parts")) + 1));
    } else {
        json_object_set_new(ctx, "parts", json_integer(1));
    }
    json_t *overhead = json_object();
    for (auto &[kind, seconds] : sw.overhead)
        json_object_set_new(overhead, kind.c_str(), json_real(seconds));
    double estimate = sw.estimate_s;
    if (o.old) { /* every part's */
        json_t *old_ctx = json_object_get(o.old, "context"), *v;
        const char *kind;
        json_object_foreach(json_object_get(old_ctx, "overhead_s"), kind, v)
            json_object_set_new(overhead, kind, json_real(json_number_value(v) + json_number_value(json_object_get(overhead, kind))));
        estimate += json_number_value(json_object_get(old_ctx, "estimate_s"));
    }
    json_object_set_new(ctx, "overhead_s", overhead);
    json_object_set_new(ctx, "budget_s", sw.budget_s > 0 ? json_real(sw.budget_s) : json_null());
    json_t *left = json_array();
    for (const std::string &name : sw.left_out)
        json_array_append_new(left, json_string(name.c_str()));
    json_object_set_new(ctx, "left_out", json_pack("{s:o, s:f}", "points", left, "budget_s_for_all", sw.schedule.all_s));
    json_object_set_new(ctx, "estimate_s", json_real(estimate));
    json_object_set_new(ctx, "wall_s", json_real(wall));
    json_object_set_new(ctx, "partial", json_boolean(stopped != 0));
    if (stopped)
        json_object_set_new(ctx, "partial_reason",
                            json_sprintf("interrupted by signal %d (%s) after %.0f s", stopped, strsignal(stopped), wall));
}

// bench.json and bench.csv whole, or neither. A resumed folder's CSV rows stay, after the header.
bool write_files(const bench::Sweep &sw, const Options &o, const std::vector<benchmark::BenchmarkReporter::Run> &runs,
                 int stopped)
{
    char part[4096];
    std::string old_csv;
    if (o.old && !o.csv_path.empty()) {
        std::ifstream in(o.csv_path);
        std::string line;
        for (bool header = true; std::getline(in, line); header = false)
            if (!header && line.find(",interrupted") == std::string::npos)
                old_csv += line + "\n";
    }
    bench::Results file(o.csv_path.empty() ? "" : ceil_part_path(o.csv_path.c_str(), part, sizeof part));
    std::ostringstream text;
    bool ok = file.write(runs, text);
    json_t *doc = ok ? json_loads(text.str().c_str(), 0, nullptr) : nullptr;
    if (doc) {
        complete_doc(doc, sw, o, stopped, ceil_now() - sw.start);
        ok = json_dump_file(doc, ceil_part_path(o.json_path.c_str(), part, sizeof part), JSON_INDENT(2)) == 0;
        json_decref(doc);
    }
    ok = ok && doc;
    if (ok && !old_csv.empty()) {
        std::ofstream csv(ceil_part_path(o.csv_path.c_str(), part, sizeof part), std::ios::app);
        csv << old_csv;
        ok = csv.good();
    }
    if (!o.csv_path.empty())
        ok = ceil_part_commit(o.csv_path.c_str(), ok) == 0 && ok;
    ok = ceil_part_commit(o.json_path.c_str(), ok) == 0 && ok;
    if (!ok && !o.csv_path.empty())
        ceil_part_commit(o.csv_path.c_str(), 0);
    return ok;
}

// The result files whole, or none; then the exit status. Interrupted, what was measured is kept,
// marked partial; --resume measures the rest.
int finish(bench::Sweep &sw, const Options &o, const bench::Collector &collect)
{
    int stopped = ceil_stop_signal();
    std::vector<benchmark::BenchmarkReporter::Run> runs = measured(collect, stopped);
    bool write = !o.json_path.empty() && (!stopped || !runs.empty() || o.old);
    if (write && !write_files(sw, o, runs, stopped))
        return ceil_fail("bench", "cannot write the results into %s", o.results ? o.results : o.json_path.c_str());
    if (stopped && write)
        return ceil_fail("bench", "interrupted by signal %d: the %zu repetitions measured are in %s, marked partial; "
                         "ceilings-bench --resume %s measures the rest", stopped, runs.size(), o.json_path.c_str(),
                         o.results ? o.results : "DIR");
    if (stopped)
        return ceil_fail("bench", "interrupted by signal %d: nothing was measured yet", stopped);
    if (!sw.failures.empty()) {
        for (const std::string &f : sw.failures)
            fprintf(stderr, "ceilings-bench: FAILED %s\n", f.c_str());
        return ceil_fail("bench", "%zu point(s) failed or differ from serial", sw.failures.size());
    }
    printf("ceilings-bench: every point equal to serial bit for bit; the sweep took %.0f s against an estimate of "
           "%.0f s (%+.0f%%)\n", ceil_now() - sw.start, sw.estimate_s,
           sw.estimate_s > 0 ? 100 * ((ceil_now() - sw.start) / sw.estimate_s - 1) : 0.0);
    if (o.results)
        printf("ceilings-bench: results in %s (bench.json, bench.csv, plan.json)\n", o.results);
    return CEIL_EXIT_OK;
}

} // namespace

int main(int argc, char **argv)
{
    signal(SIGXFSZ, SIG_IGN); /* a file over the size limit must be a write error, not a kill */
    Options o;
    std::vector<char *> theirs = { argv[0] };
    bench::Sweep sw;
    sw.began = ceil_now();
    int rc = parse(argc, argv, o, theirs, sw);
    if (rc != 0) {
        json_decref(o.old); /* a --resume folder read before the usage error */
        return rc < 0 ? CEIL_EXIT_OK : rc;
    }
    if ((rc = prepare(sw, o)) == 0) {
        bench::Collector collect;
        measure_and_release(sw, collect);
        bench::rescale_finish(sw);
        rc = finish(sw, o, collect);
        benchmark::Shutdown(); /* after the file: it frees the context the file carries */
    }
    ceil_refs_free(sw.refs);
    ceil_schedule_free(&sw.schedule);
    json_decref(o.old);
    ceil_plan_free(&sw.plan);
    ceil_topo_free(&sw.topo);
    return rc;
}
