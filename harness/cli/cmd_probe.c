/* ceilings probe: the machine's bandwidth and compute ceilings at the sweep's sizes and workers. */
#include "capture.h"
#include "cli.h"
#include "commands.h"
#include "cpulist.h"
#include "files.h"
#include "likwid_tools.h"
#include "machine.h"
#include "plan.h"
#include "probe.h"
#include "topology.h"
#include "trust.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: ceilings probe [--results DIR] [--sweep quick|default|full] [--builtin] [--json]\n"
    "       ceilings probe --rescale [--sweep KIND] [--max-bytes B] [--builtin] [--json]\n"
    "Measures the ceilings the verdicts compare against, at the sizes and worker counts\n"
    "`ceilings plan` gives the sweep (pinned physical cores first, like the sweep):\n"
    "  bandwidth  likwid-bench daxpy_sp (the motion kernel's access pattern: two float loads\n"
    "             and a store, 12 bytes per element) at every size and worker count, and how\n"
    "             it scales past one worker: the median of 3 pairs of runs at the targets,\n"
    "             of 2 between them;\n"
    "             copy and load at the L2, L3 and DRAM targets\n"
    "  compute    likwid-bench peakflops_sp in L1 at every worker count: how much faster W\n"
    "             workers compute than one (SMT and vCPUs sharing a core show up here), the\n"
    "             median of 5 pairs of runs, one worker then W, the order alternating;\n"
    "             and each kernel's own loop in L1 (built in), 3 pairs: where the FMA\n"
    "             chains leave a core's shared units idle, the kernel's loop may not\n"
    "each in the widest vector flavour the CPU has. Without likwid-bench (or with --builtin)\n"
    "built-in loops compiled with the kernels' flags stand in; every figure names its source.\n"
    "\n"
    "  -r, --results DIR  write DIR/probe.json\n"
    "  -s, --sweep KIND   the plan's sizes: quick, default or full (default: default)\n"
    "      --max-bytes B  no footprint above B bytes\n"
    "      --samples K    samples at the L2/L3/DRAM targets, best kept; a daxpy figure below 90%\n"
    "                     of the next larger size's is measured K more times (default 2; 1: once)\n"
    "      --builtin      use the built-in loops even where likwid-bench exists\n"
    "      --rescale      only the scalings past one worker, one pair of runs each: peakflops,\n"
    "                     and daxpy at the DRAM target (some seconds); what\n"
    "                     ceilings-bench measures again during the sweep, since the host's\n"
    "                     cores and memory move from minute to minute; with --json,\n"
    "                     {\"rescale\": [{kind, target, workers, scaling, pairs, n, bytes, ...}]}\n"
    "      --json         print probe.json instead of the tables\n"
    "  -h, --help         this text\n"
    "Exit status: 0 ok; 1 a measurement failed; 2 bad usage.\n";

enum probe_kind { DAXPY, COPY, LOAD, PEAKFLOPS, KINDS };

static const char *kind_names[KINDS] = { "daxpy", "copy", "load", "peakflops" };
static const struct ceil_kernel *builtin[KINDS] = { &ceil_probe_daxpy, &ceil_probe_copy, &ceil_probe_load,
                                                    &ceil_probe_peakflops };
/* likwid-bench's names, widest first; the first this CPU can run and likwid-bench lists wins */
static const char *const candidates[KINDS][7] = {
    { "daxpy_sp_avx512_fma", "daxpy_sp_avx512", "daxpy_sp_avx_fma", "daxpy_sp_avx", "daxpy_sp_sse", "daxpy_sp", NULL },
    { "copy_avx512", "copy_avx", "copy_sse", "copy", NULL },
    { "load_avx512", "load_avx", "load_sse", "load", NULL },
    { "peakflops_sp_avx512_fma", "peakflops_sp_avx512", "peakflops_sp_avx_fma", "peakflops_sp_avx",
      "peakflops_sp_sse", "peakflops_sp", NULL },
};
/* bytes moved per iteration per byte of working set, as likwid-bench counts its Data volume */
static const double traffic[KINDS] = { 1.5, 1.0, 1.0, 1.0 };

struct probe {
    struct ceil_topo topo;
    struct ceil_plan plan;
    struct ceil_likwid lw;
    const char *test[KINDS]; /* NULL: built-in */
    json_t *bandwidth, *compute, *incore;
    const struct ceil_kernel *own; /* measuring a kernel's own loop (built in) instead of the kind's */
    unsigned failures;
    unsigned samples; /* at the targets, and for a figure re-measured */
};

static int cpu_can(const char *test)
{
    int fma = strstr(test, "fma") != NULL;
    if (strstr(test, "avx512"))
        return __builtin_cpu_supports("avx512f") && (!fma || __builtin_cpu_supports("fma"));
    if (strstr(test, "avx"))
        return __builtin_cpu_supports("avx") && (!fma || __builtin_cpu_supports("fma"));
    if (strstr(test, "sse"))
        return __builtin_cpu_supports("sse2");
    return 1;
}

static void choose_tests(struct probe *p, int force_builtin)
{
    if (force_builtin || !p->lw.has_bench)
        return;
    char *list_argv[] = { "likwid-bench", "-a", NULL }, *listed = NULL;
    int status;
    if (ceil_spawn_capture(list_argv, 30, &listed, &status) != 0 || !listed) {
        free(listed);
        return;
    }
    for (int k = 0; k < KINDS; k++)
        for (int c = 0; candidates[k][c] && !p->test[k]; c++) {
            char line[64];
            snprintf(line, sizeof line, "\n%s - ", candidates[k][c]);
            if ((strstr(listed, line) || strncmp(listed, line + 1, strlen(line) - 1) == 0) && cpu_can(candidates[k][c]))
                p->test[k] = candidates[k][c];
        }
    free(listed);
}

struct measured {
    double rate;       /* GB/s, or GFlop/s for peakflops */
    double seconds;
    uint64_t bytes;    /* working set as run */
    int cpus[CEIL_MAX_WORKERS];
    unsigned n_cpus;
};

static double field(const char *out, const char *name)
{
    const char *at = strstr(out, name);
    return at ? strtod(at + strlen(name), NULL) : NAN;
}

static int likwid_bench(struct probe *p, enum probe_kind k, uint64_t bytes, unsigned workers, struct measured *m,
                        char err[CEIL_ERRLEN])
{
    (void)p;
    char where[64], iters[32];
    snprintf(where, sizeof where, "N:%llukB:%u", (unsigned long long)((bytes + 999) / 1000), workers);
    /* ~0.15 s at a guessed 60 GB/s per thread, at least 10 iterations; peakflops by count */
    double per_thread = traffic[k] * (double)bytes / workers;
    unsigned long n = k == PEAKFLOPS ? 50000 : (unsigned long)fmax(10, 0.15 * 60e9 / per_thread);
    snprintf(iters, sizeof iters, "%lu", n);
    char *argv[] = { "likwid-bench", "-t", (char *)p->test[k], "-W", where, "-i", iters, NULL };
    char *out = NULL;
    int status, rc = ceil_spawn_capture(argv, 300, &out, &status);
    memset(m, 0, sizeof *m);
    if (rc == 0 && status == 0 && out) {
        m->rate = k == PEAKFLOPS ? field(out, "MFlops/s:") * 1e-3 : field(out, "MByte/s:") * 1e-3;
        m->seconds = field(out, "\nTime:");
        m->bytes = (uint64_t)field(out, "Size (Byte):");
        for (const char *g = strstr(out, "\nGroup: "); g && m->n_cpus < CEIL_MAX_WORKERS; g = strstr(g + 1, "\nGroup: ")) {
            const char *on = strstr(g, "running on hwthread ");
            if (on && (!strchr(g + 1, '\n') || on < strchr(g + 1, '\n')))
                m->cpus[m->n_cpus++] = atoi(on + 20);
        }
    }
    if (rc != 0 || status != 0 || !out || !isfinite(m->rate) || m->rate <= 0) {
        char reason[CEIL_ERRLEN];
        ceil_capture_reason(out ? out : "", reason, sizeof reason);
        snprintf(err, CEIL_ERRLEN, "likwid-bench -t %s -W %s: exit %d: %.150s", p->test[k], where, status, reason);
        free(out);
        return -EIO;
    }
    free(out);
    return 0;
}

/* The built-in loop on an OpenMP team pinned like the sweep's (threads, as likwid-bench runs its own): best of three timed runs. */
static int builtin_run(struct probe *p, enum probe_kind k, uint64_t bytes, const struct ceil_plan_workers *w,
                       struct measured *m, char err[CEIL_ERRLEN])
{
    const struct ceil_kernel *kern = p->own ? p->own : builtin[k];
    size_t n = (size_t)(bytes / ceil_kernel_footprint(kern));
    struct ceil_config cfg = { .kernel = kern, .n = n, .workers = w->count, .cpus = w->cpus, .topology = p->topo.topo };
    struct ceil_run *run = NULL;
    int rc = ceil_omp_ops.prepare(&cfg, &run, err);
    unsigned long ticks = 1;
    double t = 0;
    if (rc == 0)
        rc = ceil_omp_ops.run(run, 1, CEIL_BATCHED, err);
    while (rc == 0) { /* grow until a run takes 20 ms, then aim at 100 ms */
        double t0 = ceil_now();
        rc = ceil_omp_ops.run(run, ticks, CEIL_BATCHED, err);
        if ((t = ceil_now() - t0) >= 0.02)
            break;
        ticks *= 2;
    }
    ticks = (unsigned long)fmax(1, ticks * 0.1 / t);
    double best = INFINITY;
    for (int rep = 0; rc == 0 && rep < 3; rep++) {
        double t0 = ceil_now();
        rc = ceil_omp_ops.run(run, ticks, CEIL_BATCHED, err);
        best = fmin(best, ceil_now() - t0);
    }
    memset(m, 0, sizeof *m);
    if (rc == 0) {
        double per_elem = k == PEAKFLOPS && !p->own ? kern->flops_per_elem : ceil_kernel_bytes(kern);
        double amount = (double)n * (double)ticks * per_elem;
        m->rate = amount / best * 1e-9;
        m->seconds = best;
        m->bytes = (uint64_t)(n * ceil_kernel_footprint(kern));
        for (unsigned i = 0; i < run->workers && i < CEIL_MAX_WORKERS; i++)
            m->cpus[m->n_cpus++] = run->cpu_of[i];
    }
    ceil_omp_ops.release(run);
    return rc;
}

static const char *source_of(const struct probe *p, enum probe_kind k)
{
    static char text[KINDS][96];
    if (p->test[k])
        snprintf(text[k], sizeof text[k], "likwid-bench %s %s", p->lw.version, p->test[k]);
    else
        snprintf(text[k], sizeof text[k], "built-in %s (ceilings' kernel flags; likwid-bench %s)", kind_names[k],
                 p->lw.has_bench ? "not used" : "not installed");
    return text[k];
}

static json_t *cpus_json(const struct measured *m)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < m->n_cpus; i++)
        json_array_append_new(a, json_integer(m->cpus[i]));
    return a;
}

static int measure(struct probe *p, enum probe_kind k, uint64_t bytes, unsigned wi, struct measured *m)
{
    char err[CEIL_ERRLEN];
    const struct ceil_plan_workers *w = &p->plan.workers[wi];
    int rc = p->test[k] && !p->own ? likwid_bench(p, k, bytes, w->count, m, err) : builtin_run(p, k, bytes, w, m, err);
    if (rc != 0) {
        fprintf(stderr, "ceilings probe: %s\n", err);
        p->failures++;
    }
    return rc;
}

/* A ceiling is the best rate the machine gives: the best of `tries` samples. */
static int measure_best(struct probe *p, enum probe_kind k, uint64_t bytes, unsigned wi, unsigned tries,
                        struct measured *best)
{
    int rc = -1;
    for (unsigned t = 0; t < tries && !ceil_stop_signal(); t++) {
        struct measured m;
        if (measure(p, k, bytes, wi, &m) == 0 && (rc != 0 || m.rate > best->rate)) {
            *best = m;
            rc = 0;
        }
    }
    return rc;
}

/* peakflops' working set per worker: well inside any L1 */
enum { PEAKFLOPS_BYTES = 16000 };

/* Pairs behind a scaling: peakflops at every count, daxpy at every size past one worker (more at
 * the targets), each kernel's own loop in L1 at every count. */
enum { COMPUTE_PAIRS = 5, BANDWIDTH_PAIRS = 3, BETWEEN_PAIRS = 2, INCORE_PAIRS = 3 };

static double paired_scaling(struct probe *p, enum probe_kind k, uint64_t bytes1, uint64_t bytesw, unsigned wi,
                             unsigned pairs, unsigned *n_pairs, double *lo, double *hi, double *rate_w,
                             struct measured *last, double *ones, size_t *n_ones);

static void probe_bandwidth(struct probe *p, enum probe_kind k, const struct ceil_plan_size *s, unsigned wi, int quiet)
{
    struct measured m;
    unsigned tries = s->target ? p->samples : 1; /* the targets, which verdicts lean on most */
    if (ceil_stop_signal() || measure_best(p, k, s->bytes, wi, tries, &m) != 0)
        return;
    const char *level = ceil_level_name(ceil_plan_level(&p->plan, s->bytes, wi));
    json_array_append_new(p->bandwidth,
                          json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s?, s:I, s:o, s:f, s:f}", "kind",
                                    kind_names[k], "source", source_of(p, k), "test",
                                    p->test[k] ? p->test[k] : builtin[k]->name, "n", (json_int_t)s->n, "bytes",
                                    (json_int_t)s->bytes, "bytes_run", (json_int_t)m.bytes, "level", level, "target",
                                    s->target, "workers", (json_int_t)p->plan.workers[wi].count, "cpus", cpus_json(&m),
                                    "gbps", m.rate, "seconds", m.seconds));
    json_t *entry = json_array_get(p->bandwidth, json_array_size(p->bandwidth) - 1);
    json_object_set_new(entry, "samples", json_integer(tries));
    /* how it scales from one worker, paired, at every size: the model scales our loop's data time
     * by it, and the ratio of two lone figures was off by up to 30% (motion's teams at the sizes
     * between the targets: 8 of the 17 misses of our loop in one sweep on the 2-vCPU EPYC). Fewer
     * pairs between the targets: each likwid-bench run costs a second of start-up */
    if (k == DAXPY && wi > 0) {
        unsigned pairs;
        double lo, hi, rate;
        struct measured last;
        double scaling = paired_scaling(p, k, s->bytes, s->bytes, wi, s->target ? BANDWIDTH_PAIRS : BETWEEN_PAIRS, &pairs,
                                        &lo, &hi, &rate, &last, NULL, NULL);
        if (pairs)
            json_object_update_new(entry, json_pack("{s:f, s:I, s:[f, f]}", "scaling", scaling, "pairs",
                                                    (json_int_t)pairs, "scaling_range", lo, hi));
    }
    if (!quiet)
        printf("%-6s %-12llu %-8s %-7s %-8u %9.2f GB/s\n", kind_names[k], (unsigned long long)s->n,
               s->target ? s->target : "-", level, p->plan.workers[wi].count, m.rate);
}

/* A larger working set is never faster: a daxpy figure below 90% of the next larger size's
 * was a noisy sample (a shared host), measured twice more and the best kept. */
static void remeasure_dips(struct probe *p, int json)
{
    for (unsigned w = 0; w < p->plan.n_workers && !ceil_stop_signal(); w++) {
        json_t *prev, *b;
        size_t i;
        for (int pass = 0; pass < 2; pass++) /* a fixed dip can reveal the one before it */
            for (prev = NULL, i = 0; i < json_array_size(p->bandwidth); i++) {
                b = json_array_get(p->bandwidth, i);
                if (strcmp(json_string_value(json_object_get(b, "kind")), "daxpy") != 0 ||
                    json_integer_value(json_object_get(b, "workers")) != p->plan.workers[w].count)
                    continue;
                double here = json_real_value(json_object_get(b, "gbps"));
                if (prev && p->samples > 1 && json_real_value(json_object_get(prev, "gbps")) < 0.9 * here) {
                    struct measured m;
                    uint64_t bytes = (uint64_t)json_integer_value(json_object_get(prev, "bytes"));
                    if (measure_best(p, DAXPY, bytes, w, p->samples, &m) == 0 &&
                        m.rate > json_real_value(json_object_get(prev, "gbps"))) {
                        json_object_set_new(prev, "gbps", json_real(m.rate));
                        json_object_set_new(prev, "seconds", json_real(m.seconds));
                    }
                    json_object_set_new(prev, "samples",
                                        json_integer(json_integer_value(json_object_get(prev, "samples")) + p->samples));
                    if (!json)
                        printf("%-6s %-12lld %-8s %-7s %-8u %9.2f GB/s (re-measured: below a larger size)\n",
                               "daxpy", (long long)json_integer_value(json_object_get(prev, "n")), "-", "-",
                               p->plan.workers[w].count, json_real_value(json_object_get(prev, "gbps")));
                }
                prev = b;
            }
    }
}

/* The scaling from one worker to plan.workers[wi], paired as the sweep pairs its teams: `pairs`
 * times one worker (bytes1) then W (bytesw), the order alternating, and the median of the
 * ratios, so that a moment when the host took a CPU moves one ratio, not the figure every
 * prediction at W rests on. NAN when no pair was measured; *n_pairs, *lo and *hi say how many
 * and their range, *rate_w the median rate at W; each 1-worker rate is added to ones. */
static double paired_scaling(struct probe *p, enum probe_kind k, uint64_t bytes1, uint64_t bytesw, unsigned wi,
                             unsigned pairs, unsigned *n_pairs, double *lo, double *hi, double *rate_w,
                             struct measured *last, double *ones, size_t *n_ones)
{
    double ratio[COMPUTE_PAIRS], rate[COMPUTE_PAIRS];
    size_t n = 0;
    for (unsigned i = 0; i < pairs && i < COMPUTE_PAIRS && !ceil_stop_signal(); i++) {
        struct measured m1, mw;
        int one_first = i % 2 == 0, ok = 1;
        if (one_first)
            ok = measure(p, k, bytes1, 0, &m1) == 0;
        ok = ok && measure(p, k, bytesw, wi, &mw) == 0;
        if (ok && !one_first)
            ok = measure(p, k, bytes1, 0, &m1) == 0;
        if (!ok)
            continue;
        if (ones)
            ones[(*n_ones)++] = m1.rate;
        ratio[n] = mw.rate / m1.rate;
        rate[n++] = mw.rate;
        *last = mw;
    }
    *n_pairs = (unsigned)n;
    if (!n)
        return NAN;
    *lo = *hi = ratio[0];
    for (size_t i = 1; i < n; i++)
        *lo = fmin(*lo, ratio[i]), *hi = fmax(*hi, ratio[i]);
    *rate_w = ceil_median(rate, n);
    return ceil_median(ratio, n);
}

/* peakflops in L1 at every worker count, and its scaling over one worker (paired_scaling). */
static void probe_compute(struct probe *p, int json)
{
    double ones[COMPUTE_PAIRS * CEIL_MAX_WORKERS];
    size_t n_ones = 0;
    for (unsigned w = 0; w < p->plan.n_workers && !ceil_stop_signal(); w++) {
        struct measured m = { 0 };
        double scaling = 1, gflops = NAN, lo = 1, hi = 1;
        unsigned pairs = 0;
        if (w == 0) {
            if (measure(p, PEAKFLOPS, PEAKFLOPS_BYTES, 0, &m) != 0)
                continue;
            gflops = ones[n_ones++] = m.rate;
        } else {
            scaling = paired_scaling(p, PEAKFLOPS, PEAKFLOPS_BYTES, (uint64_t)PEAKFLOPS_BYTES * p->plan.workers[w].count, w, COMPUTE_PAIRS,
                                     &pairs, &lo, &hi, &gflops, &m, ones, &n_ones);
            if (!pairs)
                continue;
        }
        json_array_append_new(p->compute,
                              json_pack("{s:s, s:s, s:s, s:I, s:o, s:f, s:f, s:I, s:[f, f]}", "kind", "peakflops",
                                        "source", source_of(p, PEAKFLOPS), "test",
                                        p->test[PEAKFLOPS] ? p->test[PEAKFLOPS] : "peakflops", "workers",
                                        (json_int_t)p->plan.workers[w].count, "cpus", cpus_json(&m), "gflops", gflops,
                                        "scaling", scaling, "pairs", (json_int_t)pairs, "scaling_range", lo, hi));
    }
    /* one worker's figure: the median of every 1-worker run */
    json_t *e = json_array_get(p->compute, 0);
    if (e && json_integer_value(json_object_get(e, "workers")) == 1 && n_ones)
        json_object_set_new(e, "gflops", json_real(ceil_median(ones, n_ones)));
    size_t i;
    json_array_foreach(p->compute, i, e) if (!json) printf(
        "%-6s %-12s %-8s %-7s %-8lld %9.2f GFlop/s (x%.2f of one worker%s)\n", "flops", "-", "-", "L1",
        (long long)json_integer_value(json_object_get(e, "workers")), json_real_value(json_object_get(e, "gflops")),
        json_real_value(json_object_get(e, "scaling")), i ? ", median of paired runs" : "");
}

/* Each kernel's own loop in L1 (PEAKFLOPS_BYTES per worker), built in, at every worker count past
 * one: its scaling over one worker (paired_scaling). A loop need not scale as peakflops' FMA
 * chains do: on the 16-vCPU Xeon trig's teams reached 4.0-5.6x at 8 workers while the chains,
 * about one 512-bit FMA a cycle per worker, scaled 7.67x. Recorded and reported; the model
 * scales in-core time by peakflops, which the sweep measures again as it runs (scaling by this,
 * measured once in seconds, fit EPYC sweeps worse: one probe's read 1.5x for motion inside an
 * episode of the host, where its teams ran 1.9-2.2x). */
static void probe_incore(struct probe *p, int json)
{
    for (unsigned k = 0; k < ceil_kernel_count && !ceil_stop_signal(); k++) {
        if (ceil_kernels[k].baseline)
            continue;
        p->own = &ceil_kernels[k];
        for (unsigned w = 1; w < p->plan.n_workers && !ceil_stop_signal(); w++) {
            struct measured m;
            double lo, hi, rate;
            unsigned pairs;
            uint64_t bytes_w = (uint64_t)PEAKFLOPS_BYTES * p->plan.workers[w].count;
            double scaling = paired_scaling(p, PEAKFLOPS, PEAKFLOPS_BYTES, bytes_w, w, INCORE_PAIRS, &pairs, &lo, &hi,
                                            &rate, &m, NULL, NULL);
            if (!pairs)
                continue;
            json_array_append_new(p->incore,
                                  json_pack("{s:s, s:s, s:I, s:I, s:o, s:f, s:I, s:[f, f]}", "kernel", p->own->name,
                                            "source", "built-in: the kernel's own loop on an OpenMP team", "workers",
                                            (json_int_t)p->plan.workers[w].count, "bytes_per_worker",
                                            (json_int_t)PEAKFLOPS_BYTES, "cpus", cpus_json(&m), "scaling", scaling,
                                            "pairs", (json_int_t)pairs, "scaling_range", lo, hi));
            if (!json)
                printf("%-6s %-12s %-8s %-7s %-8u %9s (x%.2f of one worker, %u pairs, %.2f-%.2f)\n", "incore",
                       p->own->name, "-", "L1", p->plan.workers[w].count, "", scaling, pairs, lo, hi);
        }
    }
    p->own = NULL;
}

/* --rescale: the scalings the model reads that moved most within a sweep, measured again
 * (RESCALE_PAIRS pairs per worker count, the order alternating): peakflops in L1 (the in-core time
 * of a compute-bound loop) and daxpy at the DRAM target. Samples at the L2 and L3 targets too
 * (sweep L, 2026-11-26) cost 5 s each and did not improve the fit (median error 5.2% without
 * them, 5.5% with). */
enum { RESCALE_PAIRS = 1 };

static json_t *rescale_entry(struct probe *p, enum probe_kind k, const struct ceil_plan_size *size, unsigned w)
{
    unsigned pairs;
    double lo, hi, rate;
    struct measured last;
    uint64_t bytes1 = size ? size->bytes : PEAKFLOPS_BYTES,
             bytesw = size ? size->bytes : (uint64_t)PEAKFLOPS_BYTES * p->plan.workers[w].count;
    double scaling = paired_scaling(p, k, bytes1, bytesw, w, RESCALE_PAIRS, &pairs, &lo, &hi, &rate, &last, NULL, NULL);
    if (!pairs)
        return NULL;
    json_t *e = json_pack("{s:s, s:s, s:s, s:I, s:f, s:f, s:I, s:[f, f]}", "kind", kind_names[k], "source",
                          source_of(p, k), "target", size ? size->target : "L1", "workers",
                          (json_int_t)p->plan.workers[w].count, k == PEAKFLOPS ? "gflops" : "gbps", rate, "scaling",
                          scaling, "pairs", (json_int_t)pairs, "scaling_range", lo, hi);
    if (size)
        json_object_update_new(e, json_pack("{s:I, s:I}", "n", (json_int_t)size->n, "bytes", (json_int_t)size->bytes));
    return e;
}

static json_t *probe_rescale(struct probe *p)
{
    json_t *out = json_array(), *e;
    for (unsigned w = 1; w < p->plan.n_workers && !ceil_stop_signal(); w++) {
        if ((e = rescale_entry(p, PEAKFLOPS, NULL, w)))
            json_array_append_new(out, e);
        for (unsigned s = 0; s < p->plan.n_sizes && !ceil_stop_signal(); s++)
            if (p->plan.sizes[s].target && !strcmp(p->plan.sizes[s].target, "DRAM") &&
                (e = rescale_entry(p, DAXPY, &p->plan.sizes[s], w)))
                json_array_append_new(out, e);
    }
    return out;
}

/* --rescale's figures as a table */
static void print_rescale(json_t *list)
{
    json_t *e;
    size_t i;
    json_array_foreach(list, i, e) {
        char at[48] = "";
        if (json_object_get(e, "n"))
            snprintf(at, sizeof at, " at n=%lld", (long long)json_integer_value(json_object_get(e, "n")));
        long long pairs = (long long)json_integer_value(json_object_get(e, "pairs"));
        printf("%s%s (%s target), %lld workers: x%.2f of one worker (%lld pair%s, %.2f-%.2f)\n",
               json_string_value(json_object_get(e, "kind")), at, json_string_value(json_object_get(e, "target")),
               (long long)json_integer_value(json_object_get(e, "workers")), json_real_value(json_object_get(e, "scaling")),
               pairs, pairs == 1 ? "" : "s",
               json_real_value(json_array_get(json_object_get(e, "scaling_range"), 0)),
               json_real_value(json_array_get(json_object_get(e, "scaling_range"), 1)));
    }
}

int ceil_cmd_probe(int argc, char **argv)
{
    const char *results = NULL;
    enum ceil_sweep sweep = CEIL_SWEEP_DEFAULT;
    uint64_t max_bytes = 0, samples = 2;
    int force_builtin = 0, json = 0, rescale = 0, first, rc;
    const struct ceil_option options[] = {
        { "results", 'r', CEIL_OPT_TEXT, &results, 0, 0, NULL },
        { "sweep", 's', CEIL_OPT_SWEEP, &sweep, 0, 0, NULL },
        { "max-bytes", 0, CEIL_OPT_COUNT, &max_bytes, 1, UINT64_MAX / 2, NULL },
        { "builtin", 0, CEIL_OPT_FLAG, &force_builtin, 0, 0, NULL },
        { "json", 0, CEIL_OPT_FLAG, &json, 0, 0, NULL },
        { "samples", 0, CEIL_OPT_COUNT, &samples, 1, 20, NULL },
        { "rescale", 0, CEIL_OPT_FLAG, &rescale, 0, 0, NULL },
        { NULL, 0, 0, NULL, 0, 0, NULL },
    };
    const struct ceil_command_line cl = { "probe", usage, NULL, NULL, options, 0, NULL };
    if ((rc = ceil_parse_command_line(&cl, argc, argv, &first)) != 0)
        return rc < 0 ? CEIL_EXIT_OK : rc;
    if (results && access(results, W_OK) != 0)
        return ceil_usage_error("probe", "--results: %s is not a writable folder", results);
    if (rescale && results)
        return ceil_usage_error("probe", "--rescale prints its figures: drop --results");

    struct probe p = { .samples = (unsigned)samples };
    char err[CEIL_ERRLEN];
    if (ceil_topo_load(&p.topo, NULL, err) != 0)
        return ceil_fail("probe", "%s", err);
    if (ceil_plan_make(&p.plan, &p.topo, sweep, ceil_mem_available(), "MemAvailable", max_bytes, err) != 0) {
        ceil_topo_free(&p.topo);
        return ceil_fail("probe", "%s", err);
    }
    ceil_install_stop_handlers();
    ceil_likwid_detect(&p.lw);
    choose_tests(&p, force_builtin);
    p.bandwidth = json_array();
    p.compute = json_array();
    p.incore = json_array();
    json_t *doc;
    if (rescale) {
        doc = json_pack("{s:o}", "rescale", probe_rescale(&p));
        json_decref(p.bandwidth);
        json_decref(p.compute);
        json_decref(p.incore);
        if (!json)
            print_rescale(json_object_get(doc, "rescale"));
    } else {
        if (!json) {
            printf("ceilings probe: bandwidth from %s; compute from %s\n", source_of(&p, DAXPY), source_of(&p, PEAKFLOPS));
            printf("%-6s %-12s %-8s %-7s %-8s %s\n", "test", "n", "target", "level", "workers", "rate");
        }
        for (unsigned s = 0; s < p.plan.n_sizes; s++)
            for (unsigned w = 0; w < p.plan.n_workers; w++) {
                probe_bandwidth(&p, DAXPY, &p.plan.sizes[s], w, json);
                if (p.plan.sizes[s].target) {
                    probe_bandwidth(&p, COPY, &p.plan.sizes[s], w, json);
                    probe_bandwidth(&p, LOAD, &p.plan.sizes[s], w, json);
                }
            }
        remeasure_dips(&p, json);
        probe_compute(&p, json);
        probe_incore(&p, json);
        doc = json_pack("{s:{s:s, s:s}, s:o, s:o, s:o, s:o, s:o}", "source", "bandwidth", source_of(&p, DAXPY),
                        "compute", source_of(&p, PEAKFLOPS), "likwid", ceil_likwid_json(&p.lw), "plan",
                        ceil_plan_json(&p.plan, &p.topo), "bandwidth", p.bandwidth, "compute", p.compute, "incore",
                        p.incore);
    }
    rc = CEIL_EXIT_OK;
    if (json) {
        json_dumpf(doc, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    }
    if (results) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/probe.json", results);
        if (!ceil_stop_signal() && ceil_write_json(path, doc, JSON_INDENT(2)) != 0)
            rc = ceil_fail("probe", "cannot write %s", path);
    }
    if (ceil_stop_signal())
        rc = ceil_fail("probe", "interrupted by signal %d%s", ceil_stop_signal(), results ? ": no probe.json written" : "");
    else if (p.failures)
        rc = ceil_fail("probe", "%u measurement(s) failed", p.failures);
    json_decref(doc);
    ceil_plan_free(&p.plan);
    ceil_topo_free(&p.topo);
    return rc;
}
