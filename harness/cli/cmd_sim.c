/* ceilings sim: systems run at the same time only when the write-set rule allows it. */
#include "cli.h"
#include "commands.h"
#include "machine.h"
#include "pair.h"
#include "world.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: ceilings sim SYSTEM,SYSTEM[,...] [--variant omp|proc] [--n N] [--ticks T]\n"
    "Runs the systems of a small simulation at the same time, one worker each (OpenMP threads\n"
    "or processes on shared memory), and checks the result equals running them one after the\n"
    "other. First it checks the rule: systems may run together with no lock only if no system\n"
    "writes a column another one writes or reads; otherwise it refuses, naming the column.\n"
    "\n"
    "  SYSTEMS            from: motion (writes pos_x, pos_y, energy; reads vel_x, vel_y),\n"
    "                     food_spawn (writes food), eat (writes food, energy)\n"
    "  -v, --variant V    omp (threads, default) or proc (processes)\n"
    "  -n, --n N          entities (default 100000)\n"
    "  -t, --ticks T      ticks (default 100)\n"
    "  -h, --help         this text\n"
    "Exit status: 0 equal to one after the other; 1 a run failed or differed; 2 bad usage or\n"
    "systems that may not run together.\n";

int ceil_cmd_sim(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "variant", required_argument, NULL, 'v' }, { "n", required_argument, NULL, 'n' },
        { "ticks", required_argument, NULL, 't' },   { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *variant = "omp", *n_text = "100000", *t_text = "100";
    int c, rc;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":v:n:t:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'v': variant = optarg; break;
        case 'n': n_text = optarg; break;
        case 't': t_text = optarg; break;
        case 'h': fputs(usage, stdout); return CEIL_EXIT_OK;
        case ':': return ceil_usage_error("sim", "%s needs a value (see --help)", argv[optind - 1]);
        default: return ceil_usage_error("sim", "unknown option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (argc - optind != 1)
        return ceil_usage_error("sim", "expected SYSTEM,SYSTEM (see --help)");
    if (strcmp(variant, "omp") != 0 && strcmp(variant, "proc") != 0)
        return ceil_usage_error("sim", "--variant: '%s' is not omp or proc", variant);
    uint64_t n, ticks;
    const struct ceil_system *systems[8];
    unsigned count;
    char err[CEIL_ERRLEN];
    if ((rc = ceil_parse_count("sim", "--n", n_text, 1, 1ULL << 32, &n)) != 0 ||
        (rc = ceil_parse_count("sim", "--ticks", t_text, 1, UINT32_MAX, &ticks)) != 0 ||
        (rc = ceil_parse_systems("sim", argv[optind], systems, 8, &count)) != 0)
        return rc;
    if (ceil_systems_check(systems, count, err) != 0)
        return ceil_usage_error("sim", "refused: %s", err);
    struct ceil_world together, apart;
    if (ceil_world_map(&together, n, err) != 0 || ceil_world_map(&apart, n, err) != 0) {
        ceil_world_unmap(&together);
        return ceil_fail("sim", "%s", err);
    }
    ceil_world_init(&together);
    ceil_world_init(&apart);
    double t0 = ceil_now();
    rc = strcmp(variant, "omp") == 0 ? ceil_systems_run_threads(&together, systems, count, ticks, err)
                                     : ceil_systems_run_processes(&together, systems, count, ticks, err);
    double t1 = ceil_now();
    ceil_systems_run_sequential(&apart, systems, count, ticks);
    double t2 = ceil_now();
    char why[CEIL_ERRLEN];
    if (rc != 0)
        rc = ceil_fail("sim", "%s", err);
    else if (!ceil_world_equal(&together, &apart, why))
        rc = ceil_fail("sim", "%s at the same time differ from one after the other: %s", argv[optind], why);
    else
        printf("%s as %u %s at the same time: equal to one after the other, bit for bit "
               "(%.3f ms together, %.3f ms one after the other)\n",
               argv[optind], count, strcmp(variant, "omp") == 0 ? "OpenMP threads" : "processes", (t1 - t0) * 1e3,
               (t2 - t1) * 1e3);
    ceil_world_unmap(&together);
    ceil_world_unmap(&apart);
    return rc;
}
