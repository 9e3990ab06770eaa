/* What every ceilings subcommand shares: exit codes, usage errors, number and name parsing. */
#ifndef CEIL_CLI_H
#define CEIL_CLI_H

#include "plan.h"
#include "variants.h"

#include <stdint.h>
#include <stdio.h>

enum { CEIL_EXIT_OK = 0, CEIL_EXIT_FAIL = 1, CEIL_EXIT_USAGE = 2 };

/* Prints "ceilings CMD: MESSAGE" on one line to stderr and returns CEIL_EXIT_USAGE. */
int ceil_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "ceilings CMD: MESSAGE" on one line to stderr and returns CEIL_EXIT_FAIL. */
int ceil_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses a whole number for option `opt`: digits ("1000000") or an integral value in
 * scientific notation ("1e6"), within [min, max]. Returns 0, or prints a usage error naming
 * the option and returns CEIL_EXIT_USAGE. */
int ceil_parse_count(const char *cmd, const char *opt, const char *text, uint64_t min, uint64_t max,
                     uint64_t *out);

/* The kernel, variant, mode and barrier named `text`, or a usage error listing the choices. */
int ceil_parse_kernel(const char *cmd, const char *text, const struct ceil_kernel **out);
int ceil_parse_variant(const char *cmd, const char *text, const struct ceil_variant **out);
int ceil_parse_mode(const char *cmd, const char *text, enum ceil_mode *out);
int ceil_parse_barrier(const char *cmd, const char *text, enum ceil_barrier_kind *out);

/* The sweep named `text`, or a usage error naming --sweep. */
int ceil_parse_sweep(const char *cmd, const char *text, enum ceil_sweep *out);

/* A CPU list for option `opt` (ceil_parse_cpulist): the count, or a usage error and -1. */
int ceil_parse_cpus(const char *cmd, const char *opt, const char *text, const struct ceil_topo *t, int *out,
                    unsigned max);

/* Variants that can run the systems of a world together (ops->systems): the one named `name`, or
 * with NULL the default (the first); NULL if none. */
const struct ceil_variant *ceil_systems_variant(const char *name);

/* The systems variant named `text`, or a usage error naming --variant and listing the choices. */
int ceil_parse_systems_variant(const char *cmd, const char *text, const struct ceil_variant **out);

/* The --variant line of sim's and race's help, from the table. */
void ceil_print_systems_variants(void);

struct ceil_system;
/* Parses "motion,food_spawn" into at most `max` systems, or a usage error naming SYSTEMS. */
int ceil_parse_systems(const char *cmd, const char *text, const struct ceil_system **out, unsigned max,
                       unsigned *count);

/* One option of a command, for ceil_parse_command_line. The value is parsed as it is read, with
 * the same errors everywhere ("--n: '0' is too small (at least 1)"). */
enum ceil_option_kind {
    CEIL_OPT_FLAG,    /* int: set to 1 */
    CEIL_OPT_TEXT,    /* const char *: the text as given */
    CEIL_OPT_COUNT,   /* uint64_t: a whole number in [min, max] (ceil_parse_count) */
    CEIL_OPT_MODE,    /* enum ceil_mode */
    CEIL_OPT_BARRIER, /* enum ceil_barrier_kind */
    CEIL_OPT_SWEEP,   /* enum ceil_sweep */
};

struct ceil_option {
    const char *name; /* the long name, without "--"; NULL ends a table */
    char short_name;  /* or 0 */
    enum ceil_option_kind kind;
    void *value;
    uint64_t min, max; /* CEIL_OPT_COUNT */
    int *given;        /* set to 1 when the option appears, or NULL */
};

/* A command's command line: its name (for errors), its help, its options, and how many operands
 * (words that are not options) it takes, named in the error when the count is wrong. */
struct ceil_command_line {
    const char *cmd;
    const char *usage;  /* printed by --help (-h), then: */
    void (*help)(void); /* what the table gives (NULL: nothing), then: */
    const char *usage_tail; /* or NULL */
    const struct ceil_option *options;
    unsigned operands;
    const char *operand_names; /* "KERNEL and VARIANT", "one FILE"; with operands > 0 */
};

/* Parses argv[1..argc): the options in any order, anywhere, and exactly cl->operands operands,
 * which end up at argv[*first..argc). Returns 0; -1 after printing the help for --help (the
 * command then exits 0); or CEIL_EXIT_USAGE after one line naming what is wrong. */
int ceil_parse_command_line(const struct ceil_command_line *cl, int argc, char **argv, int *first);

/* The command line of a command that takes --json, --help and one operand (`operand`, e.g.
 * "one FILE", in errors): ceil_parse_command_line with those. Returns 0 with *json and *arg set,
 * -1 after --help, or CEIL_EXIT_USAGE. */
int ceil_parse_json_operand(const char *cmd, const char *usage, const char *operand, int argc, char **argv, int *json,
                            const char **arg);

/* SIGINT and SIGTERM ask running variants to stop (ceil_stop_request); the command then
 * cleans up and exits 1. */
void ceil_install_stop_handlers(void);

#endif
