/* ceilings explain: the verdict at every point of a results folder, printed and kept as JSON. */
#include "cli.h"
#include "commands.h"
#include "files.h"
#include "verdict.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: ceilings explain RESULTS_DIR [--json]\n"
    "Says for every point of a sweep which ceiling stops it, by how much, and how we know.\n"
    "A model in the spirit of ECM predicts each point's ns per element-tick from the probe's\n"
    "ceilings and the sweep's one-worker points (in-core time, data time per level with a\n"
    "fitted overlap, dispatch per tick); the verdict names the term that dominates:\n"
    "  bandwidth-bound (L1-L2 | L2 | L3 | DRAM)  a level's data time (L1-L2: cache traffic)\n"
    "  compute-bound   the in-core time\n"
    "  dispatch-bound  the team's per-tick dispatch\n"
    "  unexplained     the model misses the measurement by more than 15%: both are stated\n"
    "Without a probe, thresholds decide (80% of a ceiling, dispatch at half a tick); every\n"
    "point keeps their label as threshold_verdict. Where the sweep measured the scalings again\n"
    "as it ran (bench.json's rescale), the samples nearest each point's time are used.\n"
    "Per (kernel, N, variant, mode) it also gives the knee: the worker count after which adding\n"
    "workers gives less than a quarter of the ideal gain. Reads bench.json (required), probe.json,\n"
    "plan.json, profile.json (with counters: measured bytes per element and intensity), and\n"
    "writes RESULTS_DIR/verdicts.json.\n"
    "\n"
    "  --json      print verdicts.json instead of the table\n"
    "  -h, --help  this text\n"
    "Exit status: 0 ok; 1 a file is unreadable or a point failed; 2 bad usage.\n";

static json_t *load(const char *dir, const char *file, int required, int *rc)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    if (!required && access(path, F_OK) != 0)
        return NULL;
    json_error_t e;
    json_t *doc = json_load_file(path, 0, &e);
    if (!doc)
        *rc = ceil_fail("explain", "%s:%d: %s", path, e.line, e.text);
    return doc;
}

static const char *s(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static void percent(json_t *o, const char *k, char *out, size_t len)
{
    json_t *v = json_object_get(o, k);
    if (json_is_number(v))
        snprintf(out, len, "%.0f%%", 100 * json_number_value(v));
    else
        snprintf(out, len, "-");
}

static void print_table(const char *dir, json_t *doc)
{
    json_t *in = json_object_get(doc, "inputs"), *e;
    size_t i;
    printf("ceilings explain %s\n  bandwidth: %s\n  compute:   %s\n  counters:  %s\n", dir, s(in, "bandwidth"),
           s(in, "compute"), json_is_true(json_object_get(in, "counters")) ? "measured" : "none (model only)");
    json_array_foreach(json_object_get(doc, "missing"), i, e) printf("  missing:   %s\n", json_string_value(e));
    json_array_foreach(json_object_get(doc, "notes"), i, e) printf("  note:      %s\n", json_string_value(e));
    printf("\n%-46s %8s %6s %8s %8s  %s\n", "point", "GB/s", "of BW", "of comp.", "dispatch", "verdict");
    json_array_foreach(json_object_get(doc, "points"), i, e) {
        char bw[16], comp[16], disp[16];
        percent(e, "bandwidth_fraction", bw, sizeof bw);
        percent(e, "compute_fraction", comp, sizeof comp);
        percent(e, "dispatch_share", disp, sizeof disp);
        json_t *g = json_object_get(e, "gbps");
        printf("%-46s %8.2f %6s %8s %8s  %s\n", s(e, "point"), json_is_number(g) ? json_number_value(g) : NAN, bw,
               comp, disp, s(e, "verdict"));
    }
    printf("\nknees (the worker count after which adding workers gives under a quarter of the ideal gain):\n");
    json_array_foreach(json_object_get(doc, "knees"), i, e) {
        json_t *k = json_object_get(e, "knee_workers");
        size_t j;
        json_t *sp;
        printf("  %-12s n=%-11.0f %-5s %-8s speedup", s(e, "kernel"), json_number_value(json_object_get(e, "n")),
               s(e, "variant"), s(e, "mode"));
        json_array_foreach(json_object_get(e, "speedups"), j, sp) printf(" %.0f:%.2f", json_number_value(json_object_get(sp, "workers")),
                                                                         json_number_value(json_object_get(sp, "speedup")));
        if (json_is_number(k))
            printf("  knee at %.0f\n", json_number_value(k));
        else
            printf("  no knee\n");
    }
    const char *bound;
    printf("\npoints by verdict:");
    json_object_foreach(json_object_get(doc, "summary"), bound, e)
        printf("  %s %lld", bound, (long long)json_integer_value(e));
    printf("\n");
}

int ceil_cmd_explain(int argc, char **argv)
{
    int json, rc;
    const char *dir;
    if ((rc = ceil_parse_json_operand("explain", usage, "one RESULTS_DIR", argc, argv, &json, &dir)) != 0)
        return rc < 0 ? CEIL_EXIT_OK : rc;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/bench.json", dir);
    if (access(path, R_OK) != 0)
        return ceil_usage_error("explain", "RESULTS_DIR: %s has no bench.json (run ninja bench)", dir);
    json_t *bench = load(dir, "bench.json", 1, &rc), *probe = load(dir, "probe.json", 0, &rc);
    json_t *plan = load(dir, "plan.json", 0, &rc), *profile = load(dir, "profile.json", 0, &rc);
    json_t *doc = NULL;
    char err[CEIL_ERRLEN];
    if (rc == CEIL_EXIT_OK && !(doc = ceil_explain(bench, probe, plan, profile, err)))
        rc = ceil_fail("explain", "%s: %s", path, err);
    if (doc) {
        if (json)
            json_dumpf(doc, stdout, JSON_INDENT(2)), fputc('\n', stdout);
        else
            print_table(dir, doc);
        char out[PATH_MAX];
        snprintf(out, sizeof out, "%s/verdicts.json", dir);
        if (ceil_write_json(out, doc, JSON_INDENT(2)) != 0)
            rc = ceil_fail("explain", "cannot write %s", out);
        if (json_integer_value(json_object_get(json_object_get(doc, "summary"), "failed")) > 0)
            rc = ceil_fail("explain", "some points failed in the sweep: see their verdicts");
    }
    json_decref(doc);
    json_decref(bench);
    json_decref(probe);
    json_decref(plan);
    json_decref(profile);
    return rc;
}
