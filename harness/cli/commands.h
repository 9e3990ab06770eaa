/* The ceilings subcommands; each parses its own arguments and returns the exit status. */
#ifndef CEIL_COMMANDS_H
#define CEIL_COMMANDS_H

#include "kernel.h"

#include <stdint.h>

int ceil_cmd_run(int argc, char **argv);
int ceil_cmd_check(int argc, char **argv);
int ceil_cmd_compare(int argc, char **argv);
int ceil_cmd_plan(int argc, char **argv);
int ceil_cmd_parse_likwid(int argc, char **argv);
int ceil_cmd_profile(int argc, char **argv);
int ceil_cmd_probe(int argc, char **argv);
int ceil_cmd_explain(int argc, char **argv);
int ceil_cmd_sim(int argc, char **argv);
int ceil_cmd_race(int argc, char **argv);


/* Is there memory for `copies` copies of kernel k's arrays at n elements? Otherwise prints a
 * usage error naming --n and returns CEIL_EXIT_USAGE: checked before anything is allocated. */
int ceil_check_fits(const char *cmd, const struct ceil_kernel *k, uint64_t n, unsigned copies);

#endif
