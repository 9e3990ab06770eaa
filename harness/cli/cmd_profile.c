/* ceilings profile: likwid-perfctr over the sweep's target points, parsed into per-element counts. */
#include "capture.h"
#include "cli.h"
#include "commands.h"
#include "cpulist.h"
#include "files.h"
#include "likwid_tools.h"
#include "likwid_parse.h"
#include "machine.h"
#include "names.h"
#include "plan.h"
#include "profile.h"
#include "topology.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_head[] =
    "usage: ceilings profile [--results DIR] [--groups G,G] [--max-bytes B]\n"
    "Runs likwid-perfctr over the sweep's target points (the L2, L3 and DRAM sizes of\n"
    "`ceilings plan`, every worker count, both kernels, batched) with the groups this CPU has\n"
    "for memory traffic and single-precision flops (MEM_SP or MEM, FLOPS_SP, L2, L3), and\n"
    "turns the counts into bytes and flops per element-tick and the operational intensity.\n";

static const char usage_tail[] =
    "When counters cannot be read (no PMU in a VM, an unknown CPU, no MSR access), it says so in\n"
    "one line, records why, and exits 0: verdicts then use the model alone.\n"
    "\n"
    "  -r, --results DIR   write DIR/profile.json (default: print only)\n"
    "  -g, --groups LIST   likwid groups to use instead of the default choice\n"
    "      --max-bytes B   no footprint above B bytes\n"
    "  -h, --help          this text\n"
    "Exit status: 0 ok (also when counters are unavailable); 1 a measurement failed; 2 bad usage.\n";

/* The help, with the variants each method measures (from the variant table). */
static void help(void)
{
    const char *methods[] = { "workers in this process: the Marker API region ceilings run opens around its timed\n"
                              "      repetitions",
                              "workers in processes of their own: two whole runs pinned with -C, at T and 2T ticks;\n"
                              "      start-up cancels in the difference, which holds equal parts of the team's ticks\n"
                              "      and of the serial check's (the same loop)" };
    for (unsigned hooks = 0; hooks < 2; hooks++) {
        printf("  ");
        for (unsigned i = 0, first = 1; i < ceil_variant_count; i++)
            if (!(ceil_variants[i].traits & CEIL_LAUNCHED) && !!(ceil_variants[i].traits & CEIL_HOOKS) == !hooks) {
                printf("%s%s", first ? "" : ", ", ceil_variants[i].name);
                first = 0;
            }
        printf(" (%s)\n", methods[hooks]);
    }
}

enum { MAX_GROUPS = 8 };

struct job {
    const char *groups[MAX_GROUPS];
    unsigned n_groups;
    const char *tmpdir;
    char exe[PATH_MAX];
    json_t *profiles;
    unsigned failures;
};

/* Runs `ceilings run ...` under likwid-perfctr into a temporary file and parses it. */
static json_t *measure(struct job *j, const char *group, const char *cpus, int marker, char *const run_args[],
                       char err[CEIL_ERRLEN])
{
    char out[PATH_MAX];
    snprintf(out, sizeof out, "%s/ceilings-profile-%d.txt", j->tmpdir, (int)getpid());
    char *argv[40] = { "likwid-perfctr", "-C", (char *)cpus, "-g", (char *)group, "-o", out };
    int a = 7;
    if (marker)
        argv[a++] = "-m";
    argv[a++] = j->exe;
    for (int i = 0; run_args[i] && a < 38; i++)
        argv[a++] = run_args[i];
    argv[a] = NULL;
    char *text = NULL;
    int status;
    int rc = ceil_spawn_capture(argv, 600, &text, &status);
    json_t *doc = NULL;
    if (rc != 0 || status != 0) {
        char reason[CEIL_ERRLEN];
        ceil_capture_reason(text ? text : "", reason, sizeof reason);
        snprintf(err, CEIL_ERRLEN, "likwid-perfctr exited %d: %.200s", status, reason);
    } else {
        FILE *f = fopen(out, "r");
        doc = f ? ceil_likwid_parse(f, out, err) : NULL;
        if (!f)
            snprintf(err, CEIL_ERRLEN, "likwid-perfctr wrote no %.200s", out);
        if (f)
            fclose(f);
    }
    unlink(out);
    free(text);
    return doc;
}

static json_t *group_of(json_t *doc, const char *region, const char *group)
{
    return json_object_get(json_object_get(json_object_get(doc, "regions"), region), group);
}

static void profile_point(struct job *j, const struct ceil_kernel *k, const struct ceil_variant *v, uint64_t n,
                          const struct ceil_plan_workers *w)
{
    char cpus[512], nbuf[32], wbuf[16], tbuf[32], tbuf2[32], region[192];
    ceil_format_cpulist(w->cpus, w->count, cpus, sizeof cpus);
    unsigned workers = v->traits & CEIL_REFERENCE ? 1 : w->count;
    if (workers == 1)
        snprintf(cpus, sizeof cpus, "%d", w->cpus[0]);
    double per_tick = ceil_kernel_bytes(k) * (double)n;
    unsigned long ticks = per_tick >= 1.2e9 ? 1 : (unsigned long)(1.2e9 / per_tick);
    const unsigned long reps = 3;
    snprintf(nbuf, sizeof nbuf, "%llu", (unsigned long long)n);
    snprintf(wbuf, sizeof wbuf, "%u", workers);
    snprintf(tbuf, sizeof tbuf, "%lu", ticks);
    snprintf(tbuf2, sizeof tbuf2, "%lu", 2 * ticks);
    ceil_point_name_format(region, sizeof region, k->name, v->name, ceil_mode_name(CEIL_BATCHED), n, workers);
    char *args[] = { "run", (char *)k->name, (char *)v->name, "--n", nbuf, "--workers", wbuf, "--ticks", tbuf,
                     "--reps", "3", "--cpus", cpus, "--json", NULL };
    for (unsigned g = 0; g < j->n_groups; g++) {
        char err[CEIL_ERRLEN] = "";
        struct ceil_totals t;
        double elem_ticks;
        const char *method;
        int ok = 0;
        if (v->traits & CEIL_HOOKS) {
            method = "marker region around the timed repetitions";
            elem_ticks = (double)reps * (double)ticks * (double)n;
            json_t *doc = measure(j, j->groups[g], cpus, 1, args, err);
            json_t *grp = doc ? group_of(doc, region, j->groups[g]) : NULL;
            if (doc && !grp)
                snprintf(err, CEIL_ERRLEN, "no region %s, group %s in likwid-perfctr's output", region, j->groups[g]);
            ok = grp && ceil_totals_of(grp, &t) == 0;
            json_decref(doc);
        } else {
            method = "two whole runs pinned with -C (T and 2T ticks), differenced";
            elem_ticks = 2.0 * (double)reps * (double)ticks * (double)n;
            json_t *one = measure(j, j->groups[g], cpus, 0, args, err);
            args[8] = tbuf2;
            json_t *two = one ? measure(j, j->groups[g], cpus, 0, args, err) : NULL;
            args[8] = tbuf;
            struct ceil_totals a, b;
            json_t *ga = one ? group_of(one, CEIL_LIKWID_WHOLE_RUN, j->groups[g]) : NULL;
            json_t *gb = two ? group_of(two, CEIL_LIKWID_WHOLE_RUN, j->groups[g]) : NULL;
            ok = ga && gb && ceil_totals_of(ga, &a) == 0 && ceil_totals_of(gb, &b) == 0;
            if (ok)
                t = ceil_totals_diff(&b, &a);
            json_decref(one);
            json_decref(two);
        }
        if (!ok) {
            fprintf(stderr, "ceilings profile: %s, group %s: %s\n", region, j->groups[g], err[0] ? err : "no totals");
            j->failures++;
            continue;
        }
        json_t *o = ceil_totals_json(&t, elem_ticks);
        json_object_set_new(o, "point", json_string(region));
        json_object_set_new(o, "group", json_string(j->groups[g]));
        json_object_set_new(o, "method", json_string(method));
        json_object_set_new(o, "model_bytes_per_elem", json_real(ceil_kernel_bytes(k)));
        json_object_set_new(o, "model_flops_per_elem", json_real(k->flops_per_elem));
        json_t *mem = json_object_get(json_object_get(o, "bytes_per_elem"), "memory");
        json_t *fl = json_object_get(o, "flops_per_elem");
        printf("%-44s %-9s bytes/elem %7.2f (model %.0f)  flops/elem %7.2f (model %.0f)\n", region,
               j->groups[g], mem ? json_real_value(mem) : NAN, ceil_kernel_bytes(k), fl ? json_real_value(fl) : NAN,
               k->flops_per_elem);
        json_array_append_new(j->profiles, o);
    }
}

int ceil_cmd_profile(int argc, char **argv)
{
    const char *results = NULL, *groups = NULL;
    uint64_t max_bytes = 0;
    int first, rc;
    const struct ceil_option options[] = {
        { "results", 'r', CEIL_OPT_TEXT, &results, 0, 0, NULL },
        { "groups", 'g', CEIL_OPT_TEXT, &groups, 0, 0, NULL },
        { "max-bytes", 0, CEIL_OPT_COUNT, &max_bytes, 1, UINT64_MAX / 2, NULL },
        { NULL, 0, 0, NULL, 0, 0, NULL },
    };
    const struct ceil_command_line cl = { "profile", usage_head, help, usage_tail, options, 0, NULL };
    if ((rc = ceil_parse_command_line(&cl, argc, argv, &first)) != 0)
        return rc < 0 ? CEIL_EXIT_OK : rc;
    if (results && access(results, W_OK) != 0)
        return ceil_usage_error("profile", "--results: %s is not a writable folder", results);

    struct ceil_likwid lw;
    ceil_likwid_detect(&lw);
    json_t *doc = json_pack("{s:o, s:[]}", "counters", ceil_likwid_json(&lw), "profiles");
    struct job j = { .profiles = json_object_get(doc, "profiles"), .tmpdir = results ? results : "/tmp" };
    rc = CEIL_EXIT_OK;
    if (!lw.counters) {
        printf("ceilings profile: hardware counters unavailable here (%s); verdicts use the model alone, "
               "and counter fields stay absent\n", lw.reason);
    } else {
        char *list = groups ? strdup(groups) : NULL;
        for (char *save = NULL, *g = list ? strtok_r(list, ",", &save) : NULL; g && j.n_groups < MAX_GROUPS;
             g = strtok_r(NULL, ",", &save)) {
            const char *found = ceil_likwid_group(&lw, (const char *const[]){ g, NULL });
            if (!found) {
                free(list);
                json_decref(doc);
                return ceil_usage_error("profile", "--groups: this CPU has no likwid group '%s' (likwid-perfctr -a)", g);
            }
            j.groups[j.n_groups++] = found;
        }
        free(list);
        if (!groups) {
            static const char *const memory[] = { "MEM_SP", "MEM", "MEM_DP", NULL }, *const sp[] = { "FLOPS_SP", NULL },
                                     *const l2[] = { "L2", NULL }, *const l3[] = { "L3", NULL };
            const char *m = ceil_likwid_group(&lw, memory);
            if (m)
                j.groups[j.n_groups++] = m;
            if ((!m || strcmp(m, "MEM_SP") != 0) && ceil_likwid_group(&lw, sp))
                j.groups[j.n_groups++] = ceil_likwid_group(&lw, sp);
            if (ceil_likwid_group(&lw, l2))
                j.groups[j.n_groups++] = ceil_likwid_group(&lw, l2);
            if (ceil_likwid_group(&lw, l3))
                j.groups[j.n_groups++] = ceil_likwid_group(&lw, l3);
        }
        ssize_t len = readlink("/proc/self/exe", j.exe, sizeof j.exe - 1);
        j.exe[len > 0 ? len : 0] = '\0';
        struct ceil_topo topo;
        struct ceil_plan plan;
        char err[CEIL_ERRLEN];
        if (ceil_topo_load(&topo, NULL, err) != 0 ||
            ceil_plan_make(&plan, &topo, CEIL_SWEEP_QUICK, ceil_mem_available(), "MemAvailable", max_bytes, err) != 0) {
            json_decref(doc);
            return ceil_fail("profile", "%s", err);
        }
        printf("ceilings profile: likwid %s, groups", lw.version);
        for (unsigned g = 0; g < j.n_groups; g++)
            printf(" %s", j.groups[g]);
        printf("\n");
        for (unsigned s = 0; s < plan.n_sizes && !ceil_stop_signal(); s++)
            for (unsigned k = 0; k < ceil_kernel_count; k++) {
                if (ceil_kernels[k].baseline)
                    continue;
                for (unsigned v = 0; v < ceil_variant_count; v++) {
                    const struct ceil_variant *var = &ceil_variants[v];
                    if (var->traits & CEIL_LAUNCHED) /* its ranks would need likwid-mpirun */
                        continue;
                    for (unsigned w = 0; w < (var->traits & CEIL_REFERENCE ? 1 : plan.n_workers); w++)
                        profile_point(&j, &ceil_kernels[k], var, plan.sizes[s].n, &plan.workers[w]);
                }
            }
        ceil_plan_free(&plan);
        ceil_topo_free(&topo);
        if (j.failures)
            rc = ceil_fail("profile", "%u measurement(s) failed", j.failures);
    }
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/profile.json", results ? results : ".");
    if (results && ceil_write_json(path, doc, JSON_INDENT(2)) != 0)
        rc = ceil_fail("profile", "cannot write %s", path);
    json_decref(doc);
    return rc;
}
