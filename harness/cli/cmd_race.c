/* ceilings race: what the write-set rule prevents, shown by breaking it on purpose. */
#include "cli.h"
#include "commands.h"
#include "world.h"

#include <string.h>

static const char usage_head[] =
    "usage: ceilings race [--trials K] [--variant V] [--n N] [--ticks T]\n"
    "Runs motion and eat, which both write `energy`, at the same time without any lock, K\n"
    "times, and counts the trials whose result differs from running them one after the other:\n"
    "the race the rule exists to prevent. `ceilings sim motion,eat`, which checks the rule,\n"
    "refuses the same request; this command says so first.\n"
    "\n"
    "  -k, --trials K     trials (default 50)\n";

static const char usage_tail[] =
    "  -n, --n N          entities (default 4096: small, so that the two often touch the same lines)\n"
    "  -t, --ticks T      ticks per trial (default 1000)\n"
    "  -h, --help         this text\n"
    "Exit status: 0 the demonstration ran (whether or not it caught the race); 1 a run failed;\n"
    "2 bad usage.\n";

int ceil_cmd_race(int argc, char **argv)
{
    const char *variant_text = NULL;
    uint64_t trials = 50, n = 4096, ticks = 1000;
    const struct ceil_option options[] = {
        { "trials", 'k', CEIL_OPT_COUNT, &trials, 1, 100000, NULL },
        { "variant", 'v', CEIL_OPT_TEXT, &variant_text, 0, 0, NULL },
        { "n", 'n', CEIL_OPT_COUNT, &n, 1, 1ULL << 28, NULL },
        { "ticks", 't', CEIL_OPT_COUNT, &ticks, 1, UINT32_MAX, NULL },
        { NULL, 0, 0, NULL, 0, 0, NULL },
    };
    const struct ceil_command_line cl = { "race", usage_head, ceil_print_systems_variants, usage_tail, options, 0, NULL };
    const struct ceil_variant *variant = ceil_systems_variant(NULL);
    int first, rc;
    if ((rc = ceil_parse_command_line(&cl, argc, argv, &first)) != 0)
        return rc < 0 ? CEIL_EXIT_OK : rc;
    if (variant_text && (rc = ceil_parse_systems_variant("race", variant_text, &variant)) != 0)
        return rc;

    const struct ceil_system *pair[2] = { ceil_system_find("motion"), ceil_system_find("eat") };
    char err[CEIL_ERRLEN], why[CEIL_ERRLEN] = "";
    if (ceil_systems_check(pair, 2, err) == 0)
        return ceil_fail("race", "the rule lets motion and eat run together: the demonstration needs a conflict");
    printf("the rule: ceilings sim motion,eat refuses: %s\n", err);

    struct ceil_world w, reference;
    if (ceil_world_map(&w, n, err) != 0 || ceil_world_map(&reference, n, err) != 0) {
        ceil_world_unmap(&w);
        return ceil_fail("race", "%s", err);
    }
    ceil_world_init(&reference);
    ceil_systems_run_sequential(&reference, pair, 2, ticks);
    ceil_install_stop_handlers();
    uint64_t differed = 0, done = 0;
    for (; done < trials && rc == 0 && !ceil_stop_signal(); done++) {
        ceil_world_init(&w);
        rc = variant->ops->systems(&w, pair, 2, ticks, err);
        char first[CEIL_ERRLEN];
        if (rc == 0 && !ceil_world_equal(&w, &reference, first)) {
            if (!differed++)
                memcpy(why, first, sizeof why);
        }
    }
    ceil_world_unmap(&w);
    ceil_world_unmap(&reference);
    if (rc != 0)
        return ceil_fail("race", "%s", err);
    if (ceil_stop_signal())
        return ceil_fail("race", "interrupted after %llu trials", (unsigned long long)done);
    char who[64];
    snprintf(who, sizeof who, "two %s", variant->label);
    if (differed)
        printf("the race: run without the rule as %s, %llu of %llu trials differed from one after the other "
               "(%llu entities, %llu ticks); the first: %s\n",
               who, (unsigned long long)differed, (unsigned long long)done, (unsigned long long)n,
               (unsigned long long)ticks, why);
    else
        printf("the race: run without the rule as %s, none of %llu trials differed from one after the other "
               "(%llu entities, %llu ticks): not caught here, which does not make it safe\n",
               who, (unsigned long long)done, (unsigned long long)n, (unsigned long long)ticks);
    return CEIL_EXIT_OK;
}
