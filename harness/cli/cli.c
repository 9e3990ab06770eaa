/* Shared command-line plumbing: errors, parsing, the variant table, signals, the clock. */
#include "cli.h"

#include "commands.h"
#include "cpulist.h"
#include "machine.h"
#include "team.h"
#ifdef CEIL_HAVE_MPI
#include "mpi_team.h"
#endif
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

const struct ceil_variant *const ceil_variants[] = {
    &ceil_variant_serial,
    &ceil_variant_omp,
    &ceil_variant_proc,
#ifdef CEIL_HAVE_MPI
    &ceil_variant_mpi,
#endif
};
const unsigned ceil_variant_count = sizeof ceil_variants / sizeof ceil_variants[0];

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
    char names[128] = "";
    for (unsigned i = 0; i < ceil_variant_count; i++) {
        if (strcmp(ceil_variants[i]->name, text) == 0) {
            *out = ceil_variants[i];
            return 0;
        }
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                 ceil_variants[i]->name);
    }
    return ceil_usage_error(cmd, "VARIANT: unknown variant '%s' (choose from %s)", text, names);
}

int ceil_parse_json_operand(const char *cmd, const char *usage, const char *operand, int argc, char **argv,
                            int *json, const char **arg)
{
    static const struct option longopts[] = {
        { "json", no_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    *json = 0;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":jh", longopts, NULL)) != -1) {
        if (c == 'j')
            *json = 1;
        else if (c == 'h') {
            fputs(usage, stdout);
            return -1;
        } else
            return ceil_usage_error(cmd, "unknown option '%s' (see --help)", argv[optind - 1]);
    }
    if (argc - optind != 1)
        return ceil_usage_error(cmd, "expected one %s, got %d arguments (see --help)", operand, argc - optind);
    *arg = argv[optind];
    return 0;
}

const char *ceil_mode_name(enum ceil_mode m) { return m == CEIL_BATCHED ? "batched" : "pertick"; }

const char *ceil_barrier_name(enum ceil_barrier_kind b)
{
    return b == CEIL_BARRIER_FUTEX ? "futex" : b == CEIL_BARRIER_PTHREAD ? "pthread" : "mpi";
}

int ceil_parse_mode(const char *cmd, const char *text, enum ceil_mode *out)
{
    if (strcmp(text, "batched") == 0)
        *out = CEIL_BATCHED;
    else if (strcmp(text, "pertick") == 0)
        *out = CEIL_PERTICK;
    else
        return ceil_usage_error(cmd, "--mode: unknown mode '%s' (choose batched or pertick)", text);
    return 0;
}

int ceil_parse_barrier(const char *cmd, const char *text, enum ceil_barrier_kind *out)
{
    if (strcmp(text, "futex") == 0)
        *out = CEIL_BARRIER_FUTEX;
    else if (strcmp(text, "pthread") == 0)
        *out = CEIL_BARRIER_PTHREAD;
    else if (strcmp(text, "mpi") == 0)
        *out = CEIL_BARRIER_MPI;
    else
        return ceil_usage_error(cmd, "--barrier: unknown barrier '%s' (choose futex, pthread or mpi)", text);
    return 0;
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
