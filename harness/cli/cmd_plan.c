/* ceilings plan: the sizes and worker counts a sweep would run, from this or another topology. */
#include "cli.h"
#include "commands.h"
#include "machine.h"
#include "plan.h"
#include "schedule.h"

#include <inttypes.h>
#include <jansson.h>

static const char usage[] =
    "usage: ceilings plan [--topology FILE.xml] [--sweep quick|default|full] [--budget S] [--json]\n"
    "Prints the sizes a sweep runs (elements, footprint bytes, the cache level each targets)\n"
    "and the worker counts with the CPUs they are pinned to, planned from the topology hwloc\n"
    "reports: footprints in the L2 and L3 caches the workers use and in DRAM (at least 4x the\n"
    "last-level cache, STREAM's rule), and log-spaced sizes between; workers 1, 2, 4, ... up\n"
    "to the physical cores, then every logical CPU when there is SMT, physical cores first.\n"
    "\n"
    "  -t, --topology FILE  plan for another machine from its hwloc XML export (lstopo FILE.xml);\n"
    "                       its memory is then what the file reports\n"
    "  -s, --sweep KIND     quick (the three targets, and half of one worker's L2 where the L2\n"
    "                       target is more than one L2: the model's in-core size), default (3 sizes\n"
    "                       per decade between) or full (6 per decade); default: default\n"
    "      --max-bytes B    no footprint above B bytes\n"
    "      --budget S       the wall time the sweep keeps to, probe included (default: quick 180,\n"
    "                       default 600, full none; 0: none)\n"
    "      --json           print the plan as one JSON object, with the estimate and every point\n"
    "Then the sweep's price: each point's repetitions from a cost model (first touch and rewrite\n"
    "rates measured here, or the slowest seen for another machine's topology; a serial tick at\n"
    "1 ns an element), in the order the sweep takes them (for every worker count the target\n"
    "levels batched; then per tick, dispatch, launched jobs, the book's N, the sizes between,\n"
    "start-up), and which of them fit the budget.\n"
    "  -h, --help           this text\n";

/* A serial tick as the plan models it, before anything ran. */
static double modelled_tick(const struct ceil_kernel *k, uint64_t n, void *ctx, char err[CEIL_ERRLEN])
{
    (void)k;
    (void)err;
    return ((const struct ceil_costs *)ctx)->tick_per_elem * (double)n;
}

static void print_schedule(const struct ceil_schedule *s, FILE *out)
{
    fprintf(out, "\nestimate (%s: first touch %.1f us a page, a serial tick %.1f ns an element): about %.1f min:\n",
            s->costs.source, s->costs.touch_per_byte * 4096 * 1e6, s->costs.tick_per_elem * 1e9, s->estimate_s / 60);
    fprintf(out, "  probe %.0f s (a stated default), pass 1 %.0f s, more repetitions and pass 2 at most %.0f s, "
                 "rescale samples %.0f s\n  pass 1 by kind:", s->probe_s, s->pass1_s, s->extra_s, s->rescale_s);
    for (int k = 0; k < CEIL_WORK_COUNT; k++)
        fprintf(out, "%s %s %.0f s", k ? "," : "", ceil_work_name((enum ceil_work)k), s->by_work[k]);
    if (s->budget_s > 0)
        fprintf(out, "\nbudget %.0f s: %zu of %zu points fit; %zu left out (all of them: about %.1f min)\n",
                s->budget_s, s->count - s->left_out, s->count, s->left_out, s->all_s / 60);
    else
        fprintf(out, "\nno budget: all %zu points\n", s->count);
}

/* The plan as a table for people. */
static void print_plan(const struct ceil_plan *p, const struct ceil_topo *t, FILE *out)
{
    char l2[32], l3[32], mem[32];
    ceil_format_bytes((double)t->l2_bytes, l2, sizeof l2);
    ceil_format_bytes((double)t->l3_bytes, l3, sizeof l3);
    ceil_format_bytes((double)p->mem_bytes, mem, sizeof mem);
    fprintf(out, "%s sweep for %s: %u package(s), %u cores, %u PUs%s, %u NUMA node(s)\n",
            ceil_sweep_name(p->sweep), t->cpu_model, t->packages, t->cores, t->pus,
            t->pus > t->cores && t->cores ? " (SMT)" : "", t->numa_nodes);
    fprintf(out, "caches: L2 %s x %u, L3 %s x %u; memory %s%s%s\n", l2, t->l2_count, l3, t->l3_count,
            p->mem_bytes ? mem : "unknown", p->mem_bytes ? " from " : "", p->mem_bytes ? p->mem_source : "");
    fprintf(out, "\n%-8s %-6s %-9s %-9s %s\n", "workers", "cores", "L2 used", "L3 used", "cpus");
    for (unsigned i = 0; i < p->n_workers; i++) {
        const struct ceil_plan_workers *w = &p->workers[i];
        char a[32], b[32], cpus[256];
        ceil_format_bytes((double)w->l2_bytes, a, sizeof a);
        ceil_format_bytes((double)w->l3_bytes, b, sizeof b);
        size_t used = 0;
        cpus[0] = '\0';
        for (unsigned c = 0; c < w->count && used < sizeof cpus - 16; c++)
            used += (size_t)snprintf(cpus + used, sizeof cpus - used, "%s%d", c ? "," : "", w->cpus[c]);
        fprintf(out, "%-8u %-6u %-9s %-9s %s\n", w->count, w->cores, a, b, cpus);
    }
    fprintf(out, "\n%-12s %-10s %-8s %-7s %s\n", "n", "footprint", "target", "level", "level by workers");
    for (unsigned i = 0; i < p->n_sizes; i++) {
        const struct ceil_plan_size *s = &p->sizes[i];
        char b[32];
        ceil_format_bytes((double)s->bytes, b, sizeof b);
        fprintf(out, "%-12" PRIu64 " %-10s %-8s %-7s", s->n, b, s->target ? s->target : "-", ceil_level_name(s->level));
        for (unsigned w = 0; w < p->n_workers; w++)
            fprintf(out, " %u:%s", p->workers[w].count, ceil_level_name(ceil_plan_level(p, s->bytes, w)));
        fputc('\n', out);
    }
    fprintf(out, "\nfootprint: %.0f bytes per element resident; every element-tick moves %.0f bytes.\n",
            p->footprint_per_elem, p->traffic_per_elem);
    fprintf(out, "level: where a footprint sits for the top worker count: L2/L3 if it fits the caches\n"
                 "those workers use, DRAM if at least 4x the whole last-level cache, between otherwise.\n");
    for (unsigned i = 0; i < p->n_notes; i++)
        fprintf(out, "note: %s\n", p->notes[i]);
}

int ceil_cmd_plan(int argc, char **argv)
{
    const char *xml = NULL;
    enum ceil_sweep sweep = CEIL_SWEEP_DEFAULT;
    uint64_t max_bytes = 0, budget = UINT64_MAX;
    int json = 0, first, rc;
    const struct ceil_option options[] = {
        { "topology", 't', CEIL_OPT_TEXT, &xml, 0, 0, NULL },
        { "sweep", 's', CEIL_OPT_SWEEP, &sweep, 0, 0, NULL },
        { "max-bytes", 0, CEIL_OPT_COUNT, &max_bytes, 1, UINT64_MAX / 2, NULL },
        { "budget", 0, CEIL_OPT_COUNT, &budget, 0, 30 * 86400, NULL },
        { "json", 0, CEIL_OPT_FLAG, &json, 0, 0, NULL },
        { NULL, 0, 0, NULL, 0, 0, NULL },
    };
    const struct ceil_command_line cl = { "plan", usage, NULL, NULL, options, 0, NULL };
    if ((rc = ceil_parse_command_line(&cl, argc, argv, &first)) != 0)
        return rc < 0 ? CEIL_EXIT_OK : rc;

    struct ceil_topo topo;
    char err[CEIL_ERRLEN];
    if (ceil_topo_load(&topo, xml, err) != 0)
        return xml ? ceil_usage_error("plan", "--topology: %s", err) : ceil_fail("plan", "%s", err);
    struct ceil_plan plan;
    uint64_t mem = xml ? topo.numa_bytes : ceil_mem_available();
    rc = ceil_plan_make(&plan, &topo, sweep, mem, xml ? "the topology file" : "MemAvailable", max_bytes, err);
    if (rc != 0) {
        ceil_topo_free(&topo);
        return ceil_fail("plan", "%s", err);
    }
    struct ceil_costs costs;
    if (xml)
        ceil_costs_default(&costs);
    else
        ceil_costs_measure(&costs);
    struct ceil_schedule sched;
    double budget_s = budget != UINT64_MAX ? (double)budget : ceil_sweep_settings_of(sweep)->budget_s;
    if ((rc = ceil_schedule_make(&sched, &plan, sweep, budget_s, 0, modelled_tick, &costs, &costs, err)) != 0) {
        ceil_plan_free(&plan);
        ceil_topo_free(&topo);
        return ceil_fail("plan", "%s", err);
    }
    if (json) {
        json_t *o = ceil_plan_json(&plan, &topo);
        json_object_set_new(json_object_get(o, "topology"), "source", json_string(xml ? xml : "this machine"));
        json_object_update_new(o, ceil_schedule_json(&sched));
        json_dumpf(o, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(o);
    } else {
        print_plan(&plan, &topo, stdout);
        print_schedule(&sched, stdout);
    }
    ceil_schedule_free(&sched);
    ceil_plan_free(&plan);
    ceil_topo_free(&topo);
    return CEIL_EXIT_OK;
}
