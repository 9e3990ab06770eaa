/* ceilings check: every kernel x variant x mode on edge cases, compared with serial byte for byte. */
#include "cli.h"
#include "commands.h"
#include "machine.h"
#include "mpi_launch.h"
#include "point.h"
#include "team.h"
#include "topology.h"

#include <getopt.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: ceilings check [--quick]\n"
    "Runs every kernel x variant x mode over edge cases (N = 1, 15, 17, 999983; workers 1, 2, 3,\n"
    "more than the CPUs, more than the elements) and compares each result with serial byte for\n"
    "byte. Where built with MPI and mpirun is found, the mpi variant too, one job per case with\n"
    "up to 3 ranks. Prints a table; exits 1 on any difference or failed run.\n"
    "\n"
    "  -q, --quick   fewer ticks and repetitions (the same cases; for mpi, 2 sizes and 2-3 ranks)\n"
    "  -h, --help    this text\n";

/* A variant as check runs it: the process team once per barrier. */
struct flavour {
    const struct ceil_variant *variant;
    enum ceil_barrier_kind barrier;
    const char *label;
};

static const struct flavour flavours[] = {
    { &ceil_variant_serial, CEIL_BARRIER_FUTEX, "serial" },
    { &ceil_variant_omp, CEIL_BARRIER_FUTEX, "omp" },
    { &ceil_variant_proc, CEIL_BARRIER_FUTEX, "proc" },
    { &ceil_variant_proc, CEIL_BARRIER_PTHREAD, "proc/pthread" },
};

static const size_t sizes[] = { 1, 15, 17, 999983 /* the largest prime below 1e6 */ };

#ifdef CEIL_HAVE_MPI
/* The mpi variant's cases: both modes with MPI_Barrier, and per tick with the futex barrier
 * in the shared window (its alternative to MPI_Barrier). */
static const struct mpi_flavour {
    enum ceil_mode mode;
    const char *barrier, *label;
} mpi_flavours[] = {
    { CEIL_BATCHED, "mpi", "mpi" },
    { CEIL_PERTICK, "mpi", "mpi" },
    { CEIL_PERTICK, "futex", "mpi/futex" },
};

/* One case as its own job, mpirun -np W ceilings run ... (which checks itself against serial).
 * Prints " W:ok", " W:DIFF" or " W:ERROR", and why to `fails`. Returns 1 if it passed. */
static int check_mpi_case(const struct ceil_kernel *k, const struct mpi_flavour *f, size_t n, unsigned w,
                          unsigned long ticks, unsigned reps, FILE *fails)
{
    char n_text[32], ticks_text[16], reps_text[16], workers[16], err[CEIL_ERRLEN];
    snprintf(n_text, sizeof n_text, "%zu", n);
    snprintf(ticks_text, sizeof ticks_text, "%lu", ticks);
    snprintf(reps_text, sizeof reps_text, "%u", reps);
    snprintf(workers, sizeof workers, "%u", w);
    char *args[] = { (char *)k->name, "mpi", "--n", n_text, "--ticks", ticks_text, "--reps", reps_text, "--mode",
                     (char *)ceil_mode_name(f->mode), "--barrier", (char *)f->barrier, "--workers", workers, NULL };
    json_t *result = NULL;
    int status = 0, rc = ceil_mpi_launch(w, args, 120, &result, &status, err);
    int same = rc == 0 && json_is_true(json_object_get(result, "valid")), ok = same && status == 0;
    const char *why = rc     ? err
                      : !same ? json_string_value(json_object_get(result, "error"))
                              : "equal to serial, but the job exited non-zero";
    printf(" %u:%s", w, ok ? "ok" : rc || same ? "ERROR" : "DIFF");
    if (!ok && fails)
        fprintf(fails, "  %s/%s/%s n=%zu workers=%u: %s\n", k->name, f->label, ceil_mode_name(f->mode), n, w,
                why ? why : "no reason given");
    fflush(stdout);
    json_decref(result);
    return ok;
}
#endif

enum { MAX_CASE_WORKERS = 8 };

/* Worker counts for size n: 1, 2, 3, one more than the CPUs, one more than the elements. */
static unsigned worker_counts(size_t n, unsigned cpus, unsigned out[MAX_CASE_WORKERS])
{
    unsigned want[] = { 1, 2, 3, cpus + 1, n < 64 ? (unsigned)n + 1 : 0 }, count = 0;
    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
        int seen = want[i] == 0;
        for (unsigned j = 0; j < count; j++)
            seen |= out[j] == want[i];
        if (!seen)
            out[count++] = want[i];
    }
    for (unsigned i = 1; i < count; i++) /* ascending, for reading */
        for (unsigned j = i; j > 0 && out[j - 1] > out[j]; j--) {
            unsigned tmp = out[j];
            out[j] = out[j - 1];
            out[j - 1] = tmp;
        }
    return count;
}

int ceil_cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "quick", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int quick = 0, c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
        if (c == 'q')
            quick = 1;
        else if (c == 'h') {
            fputs(usage, stdout);
            return CEIL_EXIT_OK;
        } else
            return ceil_usage_error("check", "unknown option '%s' (see --help)", argv[optind - 1]);
    }
    if (optind != argc)
        return ceil_usage_error("check", "unexpected argument '%s' (see --help)", argv[optind]);

    struct ceil_topo topo;
    char err[CEIL_ERRLEN];
    if (ceil_topo_load(&topo, NULL, err) != 0)
        return ceil_fail("check", "%s", err);
    ceil_install_stop_handlers();
    struct ceil_refs *refs = ceil_refs_new();
    int cpus[CEIL_MAX_WORKERS];
    for (unsigned w = 0; w < CEIL_MAX_WORKERS; w++)
        cpus[w] = ceil_topo_cpu_for(&topo, w);
    unsigned long ticks = quick ? 2 : 5;
    unsigned reps = quick ? 1 : 2, runs = 0, bad = 0;
    int stopped = 0;
    double t0 = ceil_now();
    char *fail_text = NULL; /* what went wrong, printed after the table */
    size_t fail_len = 0;
    FILE *fails = open_memstream(&fail_text, &fail_len);

    printf("%-7s %-13s %-8s %-7s %s\n", "kernel", "variant", "mode", "n", "workers:result");
    for (unsigned k = 0; k < ceil_kernel_count && !stopped; k++)
        for (unsigned f = 0; f < sizeof flavours / sizeof flavours[0] && !stopped; f++)
            for (int m = CEIL_BATCHED; m <= CEIL_PERTICK && !stopped; m++) {
                int serial = flavours[f].variant == &ceil_variant_serial;
                if (serial && m != CEIL_BATCHED)
                    continue; /* serial has nothing to dispatch: one mode */
                for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0] && !stopped; s++) {
                    unsigned counts[MAX_CASE_WORKERS];
                    unsigned nw = serial ? (counts[0] = 1) : worker_counts(sizes[s], topo.pus, counts);
                    printf("%-7s %-13s %-8s %-7zu", ceil_kernels[k].name, flavours[f].label,
                           serial ? "-" : ceil_mode_name((enum ceil_mode)m), sizes[s]);
                    for (unsigned i = 0; i < nw; i++) {
                        struct ceil_point p = {
                            .variant = flavours[f].variant,
                            .cfg = { .kernel = &ceil_kernels[k], .n = sizes[s], .workers = counts[i],
                                     .cpus = cpus, .topology = topo.topo, .barrier = flavours[f].barrier },
                            .mode = (enum ceil_mode)m,
                            .ticks = ticks,
                            .reps = reps,
                        };
                        struct ceil_point_result res;
                        int rc = ceil_point_measure(&p, refs, &res, err);
                        runs++;
                        if (rc != 0 || !res.valid) {
                            bad++;
                            printf(" %u:%s", counts[i], rc ? "ERROR" : "DIFF");
                            if (fails)
                                fprintf(fails, "  %s/%s/%s n=%zu workers=%u: %s\n", ceil_kernels[k].name,
                                        flavours[f].label, ceil_mode_name((enum ceil_mode)m), sizes[s],
                                        counts[i], rc ? err : res.mismatch);
                            stopped = ceil_stop_signal() != 0;
                        } else {
                            printf(" %u:ok", counts[i]);
                        }
                        if (rc == 0)
                            ceil_point_result_free(&res);
                        fflush(stdout);
                    }
                    printf("\n");
                }
            }
#ifdef CEIL_HAVE_MPI
    /* the MPI variant: every case its own job (see check_mpi_case) */
    if (!stopped && !ceil_mpi_launcher_found())
        printf("%-7s %-13s not checked: mpirun not found\n", "-", "mpi");
    for (unsigned k = 0; k < ceil_kernel_count && !stopped && ceil_mpi_launcher_found(); k++) {
        if (ceil_kernels[k].baseline)
            continue;
        for (unsigned f = 0; f < sizeof mpi_flavours / sizeof mpi_flavours[0] && !stopped; f++)
            for (unsigned s = quick ? 2 : 0; s < sizeof sizes / sizeof sizes[0] && !stopped; s++) {
                printf("%-7s %-13s %-8s %-7zu", ceil_kernels[k].name, mpi_flavours[f].label,
                       ceil_mode_name(mpi_flavours[f].mode), sizes[s]);
                for (unsigned w = quick ? 2 : 1; w <= 3 && !stopped; w++) {
                    runs++;
                    bad += !check_mpi_case(&ceil_kernels[k], &mpi_flavours[f], sizes[s], w, ticks, reps, fails);
                    stopped = ceil_stop_signal() != 0;
                }
                printf("\n");
            }
    }
#endif
    double secs = ceil_now() - t0;
    if (fails)
        fclose(fails);
    if (bad && fail_text)
        printf("\nfailures:\n%s", fail_text);
    free(fail_text);
    ceil_refs_free(refs);
    ceil_topo_free(&topo);
    if (stopped)
        return ceil_fail("check", "interrupted after %u runs", runs);
    if (bad)
        return ceil_fail("check", "%u of %u runs differ from serial or failed (%.1f s)", bad, runs, secs);
    printf("check: %u runs, every one equal to serial bit for bit (%.1f s)\n", runs, secs);
    return CEIL_EXIT_OK;
}
