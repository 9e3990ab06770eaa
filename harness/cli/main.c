/* ceilings: the command-line tool. Dispatches to one subcommand per file. */
#include "build_info.h"
#include "cli.h"
#include "commands.h"

#include <signal.h>
#include <string.h>

static const char usage[] =
    "usage: ceilings COMMAND [options]   (ceilings COMMAND --help for each)\n"
    "When I add workers to a loop, where does the speedup stop, and why?\n"
    "\n"
    "  run      one point: a kernel, a variant, N, workers, ticks; checked against serial\n"
    "  check    every kernel x variant x mode on edge cases, compared with serial bit for bit\n"
    "  plan     the sizes and worker counts a sweep runs, from this or another machine's topology\n"
    "  explain  which ceiling binds at every point of a results folder, and the knees\n"
    "  probe    the machine's bandwidth and compute ceilings (likwid-bench, or built-in loops)\n"
    "  profile  likwid-perfctr over the sweep's target points: bytes and flops per element\n"
    "  parse-likwid  a saved likwid-perfctr output (text or -O CSV) as JSON\n"
    "  sim      systems of a small simulation run together, when the write-set rule allows it\n"
    "  race     what the rule prevents: two systems writing one column, run together anyway\n"
    "  version  the version and how it was built\n"
    "\n"
    "Exit status: 0 ok; 1 a run failed or a result differs from serial; 2 bad usage.\n";

int main(int argc, char **argv)
{
    /* A file over the size limit (or a full disk) must be a write error, reported, not a kill */
    signal(SIGXFSZ, SIG_IGN);
    if (argc < 2)
        return ceil_usage_error(NULL, "no command given (see ceilings --help)");
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0)
        return ceil_cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return ceil_cmd_check(argc - 1, argv + 1);
    if (strcmp(cmd, "plan") == 0)
        return ceil_cmd_plan(argc - 1, argv + 1);
    if (strcmp(cmd, "parse-likwid") == 0)
        return ceil_cmd_parse_likwid(argc - 1, argv + 1);
    if (strcmp(cmd, "profile") == 0)
        return ceil_cmd_profile(argc - 1, argv + 1);
    if (strcmp(cmd, "probe") == 0)
        return ceil_cmd_probe(argc - 1, argv + 1);
    if (strcmp(cmd, "explain") == 0)
        return ceil_cmd_explain(argc - 1, argv + 1);
    if (strcmp(cmd, "sim") == 0)
        return ceil_cmd_sim(argc - 1, argv + 1);
    if (strcmp(cmd, "race") == 0)
        return ceil_cmd_race(argc - 1, argv + 1);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return CEIL_EXIT_OK;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("ceilings %s\ncompiler %s\nflags %s\n", CEIL_VERSION, CEIL_BUILD_COMPILER, CEIL_BUILD_FLAGS);
        return CEIL_EXIT_OK;
    }
    return ceil_usage_error(NULL, "unknown command '%s' (see ceilings --help)", cmd);
}
