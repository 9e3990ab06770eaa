/* ceilings race: what the write-set rule prevents, shown by breaking it on purpose. */
#include "cli.h"
#include "commands.h"
#include "pair.h"
#include "world.h"

#include <getopt.h>
#include <string.h>

static const char usage[] =
    "usage: ceilings race [--trials K] [--variant omp|proc] [--n N] [--ticks T]\n"
    "Runs motion and eat, which both write `energy`, at the same time without any lock, K\n"
    "times, and counts the trials whose result differs from running them one after the other:\n"
    "the race the rule exists to prevent. `ceilings sim motion,eat`, which checks the rule,\n"
    "refuses the same request; this command says so first.\n"
    "\n"
    "  -k, --trials K     trials (default 50)\n"
    "  -v, --variant V    omp (threads, default) or proc (processes on shared memory)\n"
    "  -n, --n N          entities (default 4096: small, so that the two often touch the same lines)\n"
    "  -t, --ticks T      ticks per trial (default 1000)\n"
    "  -h, --help         this text\n"
    "Exit status: 0 the demonstration ran (whether or not it caught the race); 1 a run failed;\n"
    "2 bad usage.\n";

int ceil_cmd_race(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "trials", required_argument, NULL, 'k' }, { "variant", required_argument, NULL, 'v' },
        { "n", required_argument, NULL, 'n' },      { "ticks", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
    };
    const char *variant = "omp", *k_text = "50", *n_text = "4096", *t_text = "1000";
    int c, rc;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":k:v:n:t:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k': k_text = optarg; break;
        case 'v': variant = optarg; break;
        case 'n': n_text = optarg; break;
        case 't': t_text = optarg; break;
        case 'h': fputs(usage, stdout); return CEIL_EXIT_OK;
        case ':': return ceil_usage_error("race", "%s needs a value (see --help)", argv[optind - 1]);
        default: return ceil_usage_error("race", "unknown option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (optind != argc)
        return ceil_usage_error("race", "unexpected argument '%s' (see --help)", argv[optind]);
    if (strcmp(variant, "omp") != 0 && strcmp(variant, "proc") != 0)
        return ceil_usage_error("race", "--variant: '%s' is not omp or proc", variant);
    uint64_t trials, n, ticks;
    if ((rc = ceil_parse_count("race", "--trials", k_text, 1, 100000, &trials)) != 0 ||
        (rc = ceil_parse_count("race", "--n", n_text, 1, 1ULL << 28, &n)) != 0 ||
        (rc = ceil_parse_count("race", "--ticks", t_text, 1, UINT32_MAX, &ticks)) != 0)
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
        rc = strcmp(variant, "omp") == 0 ? ceil_systems_run_threads(&w, pair, 2, ticks, err)
                                         : ceil_systems_run_processes(&w, pair, 2, ticks, err);
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
    const char *who = strcmp(variant, "omp") == 0 ? "two OpenMP threads" : "two processes";
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
