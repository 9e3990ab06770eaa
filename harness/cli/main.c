/* ceilings: the command-line tool. One table of commands; one file per command. */
#include "build_info.h"
#include "cli.h"
#include "commands.h"

#include <signal.h>
#include <string.h>

static int cmd_version(int argc, char **argv);

static const struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} commands[] = {
    { "run", ceil_cmd_run, "one point: a kernel, a variant, N, workers, ticks; checked against serial" },
    { "check", ceil_cmd_check, "every kernel x variant x mode on edge cases, compared with serial bit for bit" },
    { "plan", ceil_cmd_plan, "the sizes and worker counts a sweep runs, from this or another machine's topology" },
    { "explain", ceil_cmd_explain, "which ceiling binds at every point of a results folder, and the knees" },
    { "probe", ceil_cmd_probe, "the machine's bandwidth and compute ceilings (likwid-bench, or built-in loops)" },
    { "profile", ceil_cmd_profile, "likwid-perfctr over the sweep's target points: bytes and flops per element" },
    { "compare", ceil_cmd_compare, "two results folders through Google Benchmark's compare.py, matched by level" },
    { "parse-likwid", ceil_cmd_parse_likwid, "a saved likwid-perfctr output (text or -O CSV) as JSON" },
    { "sim", ceil_cmd_sim, "systems of a small simulation run together, when the write-set rule allows it" },
    { "race", ceil_cmd_race, "what the rule prevents: two systems writing one column, run together anyway" },
    { "version", cmd_version, "the version and how it was built" },
};
enum { COMMANDS = sizeof commands / sizeof commands[0] };

static int cmd_version(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("ceilings %s\ncompiler %s\nflags %s\n", CEIL_VERSION, CEIL_BUILD_COMPILER, CEIL_BUILD_FLAGS);
    return CEIL_EXIT_OK;
}

static void usage(void)
{
    printf("usage: ceilings COMMAND [options]   (ceilings COMMAND --help for each)\n"
           "When I add workers to a loop, where does the speedup stop, and why?\n\n");
    for (unsigned i = 0; i < COMMANDS; i++)
        printf("  %-13s %s\n", commands[i].name, commands[i].summary);
    printf("\nExit status: 0 ok; 1 a run failed or a result differs from serial; 2 bad usage.\n");
}

int main(int argc, char **argv)
{
    /* A file over the size limit (or a full disk) must be a write error, reported, not a kill */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2)
        return ceil_usage_error(NULL, "no command given (see ceilings --help)");
    const char *cmd = argv[1];
    for (unsigned i = 0; i < COMMANDS; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage();
        return CEIL_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0)
        return cmd_version(argc - 1, argv + 1);
    return ceil_usage_error(NULL, "unknown command '%s' (see ceilings --help)", cmd);
}
