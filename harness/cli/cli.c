/* Shared command-line plumbing: errors, parsing, the variant table, signals, the clock. */
#include "cli.h"

#include "commands.h"
#include "cpulist.h"
#include "machine.h"
#include "world.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One write per line: the ranks of an MPI job share a stderr. */
static void vsay(const char *cmd, const char *fmt, va_list ap)
{
    char line[1024];
    int n = snprintf(line, sizeof line, "ceilings%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    fprintf(stderr, "%s\n", line);
}

/* Every rank of an MPI job parses the same command line: one of them says what is wrong with it
 * (the launcher's rank variables: Open MPI's, then PMI's as MPICH and Slurm set it). */
static int other_rank(void)
{
    const char *rank = getenv("OMPI_COMM_WORLD_RANK");
    if (!rank)
        rank = getenv("PMI_RANK");
    return rank && strcmp(rank, "0") != 0;
}

int ceil_usage_error(const char *cmd, const char *fmt, ...)
{
    if (other_rank())
        return CEIL_EXIT_USAGE;
    va_list ap;
    va_start(ap, fmt);
    vsay(cmd, fmt, ap);
    va_end(ap);
    return CEIL_EXIT_USAGE;
}

int ceil_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsay(cmd, fmt, ap);
    va_end(ap);
    return CEIL_EXIT_FAIL;
}

int ceil_parse_count(const char *cmd, const char *opt, const char *text, uint64_t min, uint64_t max,
                     uint64_t *out)
{
    const char *p = text;
    while (*p >= '0' && *p <= '9')
        p++;
    uint64_t v;
    if (p != text && *p == '\0') {
        errno = 0;
        v = strtoull(text, NULL, 10);
        if (errno == ERANGE)
            return ceil_usage_error(cmd, "%s: '%s' is too large (at most %" PRIu64 ")", opt, text, max);
    } else {
        /* 1e6, 2.5e7: accepted when the value is a whole number a double holds exactly. */
        char *end;
        errno = 0;
        double d = text[0] == '-' || text[0] == '+' ? NAN : strtod(text, &end);
        if (isnan(d) || end == text || *end != '\0' || errno == ERANGE || d < 0 || d != floor(d))
            return ceil_usage_error(cmd, "%s: '%s' is not a whole number", opt, text);
        if (d > (double)max)
            return ceil_usage_error(cmd, "%s: '%s' is too large (at most %" PRIu64 ")", opt, text, max);
        if (d > 9007199254740992.0)
            return ceil_usage_error(cmd, "%s: '%s' is beyond 2^53, where e-notation is not exact: write it in digits",
                                    opt, text);
        v = (uint64_t)d;
    }
    if (v < min)
        return ceil_usage_error(cmd, "%s: '%s' is too small (at least %" PRIu64 ")", opt, text, min);
    if (v > max)
        return ceil_usage_error(cmd, "%s: '%s' is too large (at most %" PRIu64 ")", opt, text, max);
    *out = v;
    return 0;
}

int ceil_parse_kernel(const char *cmd, const char *text, const struct ceil_kernel **out)
{
    if ((*out = ceil_kernel_find(text)) != NULL)
        return 0;
    char names[128] = "";
    for (unsigned i = 0; i < ceil_kernel_count; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                 ceil_kernels[i].name);
    return ceil_usage_error(cmd, "KERNEL: unknown kernel '%s' (choose from %s)", text, names);
}

int ceil_parse_variant(const char *cmd, const char *text, const struct ceil_variant **out)
{
    if ((*out = ceil_variant_find(text)) != NULL)
        return 0;
    char names[256];
    ceil_variant_names(names, sizeof names);
    return ceil_usage_error(cmd, "VARIANT: unknown variant '%s' (choose from %s)", text, names);
}

static int parse_value(const struct ceil_command_line *cl, const struct ceil_option *o, const char *text)
{
    char opt[64];
    snprintf(opt, sizeof opt, "--%s", o->name);
    switch (o->kind) {
    case CEIL_OPT_FLAG: *(int *)o->value = 1; return 0;
    case CEIL_OPT_TEXT: *(const char **)o->value = text; return 0;
    case CEIL_OPT_COUNT: return ceil_parse_count(cl->cmd, opt, text, o->min, o->max, o->value);
    case CEIL_OPT_MODE: return ceil_parse_mode(cl->cmd, text, o->value);
    case CEIL_OPT_BARRIER: return ceil_parse_barrier(cl->cmd, text, o->value);
    case CEIL_OPT_SWEEP: return ceil_parse_sweep(cl->cmd, text, o->value);
    }
    return CEIL_EXIT_USAGE;
}

int ceil_parse_command_line(const struct ceil_command_line *cl, int argc, char **argv, int *first)
{
    enum { MAX_OPTIONS = 24, HELP = 1000 };
    struct option longopts[MAX_OPTIONS + 2];
    char shorts[2 * MAX_OPTIONS + 4] = ":h";
    unsigned n = 0;
    for (; cl->options && cl->options[n].name && n < MAX_OPTIONS; n++) {
        const struct ceil_option *o = &cl->options[n];
        int has_arg = o->kind == CEIL_OPT_FLAG ? no_argument : required_argument;
        longopts[n] = (struct option){ o->name, has_arg, NULL, o->short_name ? o->short_name : 256 + (int)n };
        if (o->short_name)
            snprintf(shorts + strlen(shorts), sizeof shorts - strlen(shorts), "%c%s", o->short_name,
                     has_arg == required_argument ? ":" : "");
    }
    longopts[n] = (struct option){ "help", no_argument, NULL, HELP };
    longopts[n + 1] = (struct option){ NULL, 0, NULL, 0 };
    opterr = 0;
    optind = 1;
    for (int c; (c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1;) {
        const struct ceil_option *o = NULL;
        for (unsigned i = 0; i < n && !o; i++)
            if (longopts[i].val == c)
                o = &cl->options[i];
        if (c == 'h' || c == HELP) {
            fputs(cl->usage ? cl->usage : "", stdout);
            if (cl->help)
                cl->help();
            fputs(cl->usage_tail ? cl->usage_tail : "", stdout);
            return -1;
        }
        if (c == ':')
            return ceil_usage_error(cl->cmd, "%s needs a value (see --help)", argv[optind - 1]);
        if (!o)
            return ceil_usage_error(cl->cmd, "unknown option '%s' (see --help)", argv[optind - 1]);
        int rc = parse_value(cl, o, optarg);
        if (rc)
            return rc;
        if (o->given)
            *o->given = 1;
    }
    if (cl->operands == 0 && optind != argc)
        return ceil_usage_error(cl->cmd, "unexpected argument '%s' (see --help)", argv[optind]);
    if (argc - optind != (int)cl->operands)
        return ceil_usage_error(cl->cmd, "expected %s, got %d arguments (see --help)", cl->operand_names,
                                argc - optind);
    *first = optind;
    return 0;
}

int ceil_parse_json_operand(const char *cmd, const char *usage, const char *operand, int argc, char **argv, int *json,
                            const char **arg)
{
    *json = 0;
    const struct ceil_option options[] = { { "json", 0, CEIL_OPT_FLAG, json, 0, 0, NULL }, { NULL, 0, 0, NULL, 0, 0, NULL } };
    const struct ceil_command_line cl = { cmd, usage, NULL, NULL, options, 1, operand };
    int first, rc = ceil_parse_command_line(&cl, argc, argv, &first);
    if (rc == 0)
        *arg = argv[first];
    return rc;
}

int ceil_parse_mode(const char *cmd, const char *text, enum ceil_mode *out)
{
    if (ceil_mode_find(text, out) == 0)
        return 0;
    return ceil_usage_error(cmd, "--mode: unknown mode '%s' (choose batched or pertick)", text);
}

int ceil_parse_barrier(const char *cmd, const char *text, enum ceil_barrier_kind *out)
{
    if (ceil_barrier_find(text, out) == 0)
        return 0;
    char names[128] = "";
    for (unsigned b = 0; b < CEIL_BARRIER_COUNT; b++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", b == 0 ? "" : b + 1 < CEIL_BARRIER_COUNT ? ", " : " or ",
                 ceil_barrier_name((enum ceil_barrier_kind)b));
    return ceil_usage_error(cmd, "--barrier: unknown barrier '%s' (choose %s)", text, names);
}

int ceil_parse_sweep(const char *cmd, const char *text, enum ceil_sweep *out)
{
    if (ceil_sweep_find(text, out) == 0)
        return 0;
    return ceil_usage_error(cmd, "--sweep: unknown sweep '%s' (choose quick, default or full)", text);
}

int ceil_parse_cpus(const char *cmd, const char *opt, const char *text, const struct ceil_topo *t, int *out,
                    unsigned max)
{
    char err[CEIL_ERRLEN];
    int count = ceil_parse_cpulist(text, t, out, max, err);
    if (count < 0)
        ceil_usage_error(cmd, "%s: %s", opt, err);
    return count;
}

const struct ceil_variant *ceil_systems_variant(const char *name)
{
    for (unsigned i = 0; i < ceil_variant_count; i++)
        if (ceil_variants[i].ops && ceil_variants[i].ops->systems && (!name || strcmp(ceil_variants[i].name, name) == 0))
            return &ceil_variants[i];
    return NULL;
}

int ceil_parse_systems_variant(const char *cmd, const char *text, const struct ceil_variant **out)
{
    if ((*out = ceil_systems_variant(text)) != NULL)
        return 0;
    char names[128] = "";
    for (unsigned i = 0, first = 1; i < ceil_variant_count; i++)
        if (ceil_systems_variant(ceil_variants[i].name)) {
            snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", first ? "" : " or ",
                     ceil_variants[i].name);
            first = 0;
        }
    return ceil_usage_error(cmd, "--variant: '%s' is not %s", text, names);
}

void ceil_print_systems_variants(void)
{
    printf("  -v, --variant V    ");
    for (unsigned i = 0, first = 1; i < ceil_variant_count; i++)
        if (ceil_systems_variant(ceil_variants[i].name)) {
            printf("%s%s (%s%s)", first ? "" : " or ", ceil_variants[i].name, ceil_variants[i].label,
                   first ? ", default" : "");
            first = 0;
        }
    printf("\n");
}

int ceil_parse_systems(const char *cmd, const char *text, const struct ceil_system **out, unsigned max,
                       unsigned *count)
{
    char *copy = strdup(text), *save = NULL;
    *count = 0;
    for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
        const struct ceil_system *s = ceil_system_find(name);
        if (!s || *count == max) {
            int rc = s ? ceil_usage_error(cmd, "SYSTEMS: at most %u systems", max)
                       : ceil_usage_error(cmd, "SYSTEMS: unknown system '%s' (choose motion, food_spawn, eat)", name);
            free(copy);
            return rc;
        }
        out[(*count)++] = s;
    }
    free(copy);
    return *count ? 0 : ceil_usage_error(cmd, "SYSTEMS: none named");
}

static void on_stop_signal(int signo) { ceil_stop_request(signo); }

void ceil_install_stop_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}


int ceil_check_fits(const char *cmd, const struct ceil_kernel *k, uint64_t n, unsigned copies)
{
    size_t one = n <= SIZE_MAX ? ceil_arrays_bytes(k, (size_t)n) : 0;
    uint64_t avail = ceil_mem_available();
    if (one == 0 || one > UINT64_MAX / copies)
        return ceil_usage_error(cmd, "--n: %" PRIu64 " elements overflow the address space", n);
    uint64_t need = (uint64_t)one * copies;
    if (avail && need > avail)
        return ceil_usage_error(cmd,
                                "--n: %" PRIu64 " elements of %s need %.1f GB (%u copies of the arrays), "
                                "more than the %.1f GB available",
                                n, k->name, (double)need * 1e-9, copies, (double)avail * 1e-9);
    return 0;
}
