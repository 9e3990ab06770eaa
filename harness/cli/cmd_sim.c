/* ceilings sim: systems run at the same time only when the write-set rule allows it. */
#include "cli.h"
#include "commands.h"
#include "machine.h"
#include "world.h"

#include <stdlib.h>
#include <string.h>

static const char usage_head[] =
    "usage: ceilings sim SYSTEM,SYSTEM[,...] [--variant V] [--n N] [--ticks T]\n"
    "Runs the systems of a small simulation at the same time, one worker each (OpenMP threads\n"
    "or processes on shared memory), and checks the result equals running them one after the\n"
    "other. First it checks the rule: systems may run together with no lock only if no system\n"
    "writes a column another one writes or reads; otherwise it refuses, naming the column.\n"
    "\n"
    "  SYSTEMS            from: motion (writes pos_x, pos_y, energy; reads vel_x, vel_y),\n"
    "                     food_spawn (writes food), eat (writes food, energy)\n";

static const char usage_tail[] =
    "  -n, --n N          entities (default 100000)\n"
    "  -t, --ticks T      ticks (default 100)\n"
    "  -h, --help         this text\n"
    "Exit status: 0 equal to one after the other; 1 a run failed or differed; 2 bad usage or\n"
    "systems that may not run together.\n";

int ceil_cmd_sim(int argc, char **argv)
{
    const char *variant_text = NULL;
    uint64_t n = 100000, ticks = 100;
    const struct ceil_option options[] = {
        { "variant", 'v', CEIL_OPT_TEXT, &variant_text, 0, 0, NULL },
        { "n", 'n', CEIL_OPT_COUNT, &n, 1, 1ULL << 32, NULL },
        { "ticks", 't', CEIL_OPT_COUNT, &ticks, 1, UINT32_MAX, NULL },
        { NULL, 0, 0, NULL, 0, 0, NULL },
    };
    const struct ceil_command_line cl = { "sim", usage_head, ceil_print_systems_variants, usage_tail, options, 1, "SYSTEM,SYSTEM" };
    const struct ceil_variant *variant = ceil_systems_variant(NULL);
    int first, rc;
    if ((rc = ceil_parse_command_line(&cl, argc, argv, &first)) != 0)
        return rc < 0 ? CEIL_EXIT_OK : rc;
    if (variant_text && (rc = ceil_parse_systems_variant("sim", variant_text, &variant)) != 0)
        return rc;
    const struct ceil_system *systems[8];
    unsigned count;
    char err[CEIL_ERRLEN];
    if ((rc = ceil_parse_systems("sim", argv[first], systems, 8, &count)) != 0)
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
    rc = variant->ops->systems(&together, systems, count, ticks, err);
    double t1 = ceil_now();
    ceil_systems_run_sequential(&apart, systems, count, ticks);
    double t2 = ceil_now();
    char why[CEIL_ERRLEN];
    if (rc != 0)
        rc = ceil_fail("sim", "%s", err);
    else if (!ceil_world_equal(&together, &apart, why))
        rc = ceil_fail("sim", "%s at the same time differ from one after the other: %s", argv[first], why);
    else
        printf("%s as %u %s at the same time: equal to one after the other, bit for bit "
               "(%.3f ms together, %.3f ms one after the other)\n",
               argv[first], count, variant->label, (t1 - t0) * 1e3,
               (t2 - t1) * 1e3);
    ceil_world_unmap(&together);
    ceil_world_unmap(&apart);
    return rc;
}
