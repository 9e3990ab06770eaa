/* What every ceilings subcommand shares: exit codes, usage errors, number and name parsing. */
#ifndef CEIL_CLI_H
#define CEIL_CLI_H

#include "plan.h"
#include "variant.h"

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

struct ceil_system;
/* Parses "motion,food_spawn" into at most `max` systems, or a usage error naming SYSTEMS. */
int ceil_parse_systems(const char *cmd, const char *text, const struct ceil_system **out, unsigned max,
                       unsigned *count);

/* The command line of a command that takes --json, --help and one operand (called `operand` in
 * errors, e.g. "FILE"). Returns 0 with *json and *arg set; -1 after printing `usage` for --help
 * (exit 0); or a usage error (CEIL_EXIT_USAGE). */
int ceil_parse_json_operand(const char *cmd, const char *usage, const char *operand, int argc, char **argv,
                            int *json, const char **arg);

const char *ceil_mode_name(enum ceil_mode m);
const char *ceil_barrier_name(enum ceil_barrier_kind b);

/* The variants, in the order reports list them. */
extern const struct ceil_variant *const ceil_variants[];
extern const unsigned ceil_variant_count;

/* SIGINT and SIGTERM ask running variants to stop (ceil_stop_request); the command then
 * cleans up and exits 1. */
void ceil_install_stop_handlers(void);

#endif
