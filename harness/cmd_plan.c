/* ceilings plan: the sizes and worker counts a sweep would run, from this or another topology. */
#include "cli.h"
#include "commands.h"
#include "machine.h"
#include "plan.h"

#include <getopt.h>
#include <jansson.h>

static const char usage[] =
    "usage: ceilings plan [--topology FILE.xml] [--sweep quick|default|full] [--json]\n"
    "Prints the sizes a sweep runs (elements, footprint bytes, the cache level each targets)\n"
    "and the worker counts with the CPUs they are pinned to, planned from the topology hwloc\n"
    "reports: footprints in the L2 and L3 caches the workers use and in DRAM (at least 4x the\n"
    "last-level cache, STREAM's rule), and log-spaced sizes between; workers 1, 2, 4, ... up\n"
    "to the physical cores, then every logical CPU when there is SMT, physical cores first.\n"
    "\n"
    "  -t, --topology FILE  plan for another machine from its hwloc XML export (lstopo FILE.xml);\n"
    "                       its memory is then what the file reports\n"
    "  -s, --sweep KIND     quick (the three targets), default (3 sizes per decade between) or\n"
    "                       full (6 per decade); default: default\n"
    "      --max-bytes B    no footprint above B bytes\n"
    "      --json           print the plan as one JSON object\n"
    "  -h, --help           this text\n";

enum { OPT_JSON = 256, OPT_MAX_BYTES };

int ceil_cmd_plan(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "topology", required_argument, NULL, 't' }, { "sweep", required_argument, NULL, 's' },
        { "max-bytes", required_argument, NULL, OPT_MAX_BYTES }, { "json", no_argument, NULL, OPT_JSON },
        { "help", no_argument, NULL, 'h' },           { NULL, 0, NULL, 0 },
    };
    const char *xml = NULL;
    enum ceil_sweep sweep = CEIL_SWEEP_DEFAULT;
    uint64_t max_bytes = 0;
    int json = 0, c, rc;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":t:s:h", longopts, NULL)) != -1) {
        switch (c) {
        case 't': xml = optarg; break;
        case 's':
            if ((rc = ceil_parse_sweep("plan", optarg, &sweep)) != 0)
                return rc;
            break;
        case OPT_MAX_BYTES:
            if ((rc = ceil_parse_count("plan", "--max-bytes", optarg, 1, UINT64_MAX / 2, &max_bytes)) != 0)
                return rc;
            break;
        case OPT_JSON: json = 1; break;
        case 'h': fputs(usage, stdout); return CEIL_EXIT_OK;
        case ':': return ceil_usage_error("plan", "%s needs a value (see --help)", argv[optind - 1]);
        default: return ceil_usage_error("plan", "unknown option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return ceil_usage_error("plan", "unexpected argument '%s' (see --help)", argv[optind]);

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
    if (json) {
        json_t *o = ceil_plan_json(&plan, &topo);
        json_object_set_new(json_object_get(o, "topology"), "source", json_string(xml ? xml : "this machine"));
        json_dumpf(o, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(o);
    } else {
        ceil_plan_print(&plan, &topo, stdout);
    }
    ceil_plan_free(&plan);
    ceil_topo_free(&topo);
    return CEIL_EXIT_OK;
}
