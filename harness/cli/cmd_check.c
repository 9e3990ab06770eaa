/* ceilings check: every kernel x variant x mode on edge cases, compared with serial byte for byte. */
#include "cli.h"
#include "commands.h"
#include "machine.h"
#include "launch.h"
#include "point.h"
#include "topology.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char usage_head[] =
    "usage: ceilings check [--quick]\n"
    "Runs every kernel x variant x barrier x mode over edge cases (N = 1, 15, 17, 999983; workers\n"
    "1, 2, 3, more than the CPUs, more than the elements) and compares each result with serial\n"
    "byte for byte. A variant launched by mpirun is checked one job per case with up to 3 ranks,\n"
    "where mpirun is found. Prints a table; exits 1 on any difference or failed run.\n"
    "Variants:";

static const char usage_tail[] =
    "\n"
    "  -q, --quick   fewer ticks and repetitions (the same cases; launched variants: 2 sizes and\n"
    "                2-3 ranks)\n"
    "  -h, --help    this text\n";

static void help(void)
{
    for (unsigned i = 0; i < ceil_variant_count; i++)
        printf("%s %s", i ? "," : "", ceil_variants[i].name);
    printf(".\n");
}

static const size_t sizes[] = { 1, 15, 17, 999983 /* the largest prime below 1e6 */ };

/* One series of cases: a variant on one barrier in one mode. */
struct series {
    const struct ceil_variant *variant;
    enum ceil_barrier_kind barrier;
    enum ceil_mode mode;
    char name[48];
};

/* What a check run shares: settings, counts, and what failed (printed after the table). */
struct check {
    struct ceil_topo topo;
    struct ceil_refs *refs;
    int cpus[CEIL_MAX_WORKERS];
    unsigned long ticks;
    unsigned reps, runs, bad;
    int quick, stopped;
    FILE *fails;
};

static void report(struct check *c, const struct ceil_kernel *k, const struct series *s, size_t n, unsigned w,
                   int ok, const char *result, const char *why)
{
    c->runs++;
    printf(" %u:%s", w, result);
    fflush(stdout);
    if (ok)
        return;
    c->bad++;
    if (c->fails)
        fprintf(c->fails, "  %s/%s/%s n=%zu workers=%u: %s\n", k->name, s->name, ceil_mode_name(s->mode), n, w,
                why ? why : "no reason given");
    c->stopped = ceil_stop_signal() != 0;
}

/* A case of a launched variant as its own job (mpirun -np W ceilings run ..., or ceilings run ...
 * for a Python variant), which checks itself. */
static void check_job(struct check *c, const struct ceil_kernel *k, const struct series *s, size_t n, unsigned w)
{
    char n_text[32], ticks_text[16], reps_text[16], workers[16], err[CEIL_ERRLEN];
    snprintf(n_text, sizeof n_text, "%zu", n);
    snprintf(ticks_text, sizeof ticks_text, "%lu", c->ticks);
    snprintf(reps_text, sizeof reps_text, "%u", c->reps);
    snprintf(workers, sizeof workers, "%u", w);
    char *args[] = { (char *)k->name, (char *)s->variant->name, "--n", n_text, "--ticks", ticks_text, "--reps",
                     reps_text, "--mode", (char *)ceil_mode_name(s->mode), "--barrier",
                     (char *)ceil_barrier_name(s->barrier), "--workers", workers, NULL };
    json_t *result = NULL;
    int status = 0, rc = ceil_launch(s->variant, w, args, 120, &result, &status, err);
    int same = rc == 0 && json_is_true(json_object_get(result, "valid")), ok = same && status == 0;
    const char *why = rc     ? err
                      : !same ? json_string_value(json_object_get(result, "error"))
                              : "equal to serial, but the job exited non-zero";
    report(c, k, s, n, w, ok, ok ? "ok" : rc || same ? "ERROR" : "DIFF", why);
    json_decref(result);
}

/* A case in this process. */
static void check_case(struct check *c, const struct ceil_kernel *k, const struct series *s, size_t n, unsigned w)
{
    char err[CEIL_ERRLEN];
    struct ceil_point p = {
        .variant = s->variant,
        .cfg = { .kernel = k, .n = n, .workers = w, .cpus = c->cpus, .topology = c->topo.topo, .barrier = s->barrier },
        .mode = s->mode,
        .ticks = c->ticks,
        .reps = c->reps,
    };
    struct ceil_point_result res;
    int rc = ceil_point_measure(&p, c->refs, &res, err);
    report(c, k, s, n, w, rc == 0 && res.valid, rc ? "ERROR" : res.valid ? "ok" : "DIFF", rc ? err : res.mismatch);
    if (rc == 0)
        ceil_point_result_free(&res);
}

enum { MAX_CASE_WORKERS = 8 };

/* Worker counts for size n: 1, 2, 3, one more than the CPUs, one more than the elements; a
 * launched variant: 1 to 3 ranks (2 to 3 when quick). Ascending. */
static unsigned worker_counts(const struct check *c, const struct ceil_variant *v, size_t n,
                              unsigned out[MAX_CASE_WORKERS])
{
    unsigned count = 0;
    if (v->traits & CEIL_REFERENCE)
        out[count++] = 1;
    else if (v->traits & CEIL_LAUNCHED)
        for (unsigned w = c->quick ? 2 : 1; w <= 3; w++)
            out[count++] = w;
    else {
        unsigned want[] = { 1, 2, 3, c->topo.pus + 1, n < 64 ? (unsigned)n + 1 : 0 };
        for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
            int seen = want[i] == 0;
            for (unsigned j = 0; j < count; j++)
                seen |= out[j] == want[i];
            if (!seen)
                out[count++] = want[i];
        }
    }
    for (unsigned i = 1; i < count; i++)
        for (unsigned j = i; j > 0 && out[j - 1] > out[j]; j--) {
            unsigned tmp = out[j];
            out[j] = out[j - 1];
            out[j - 1] = tmp;
        }
    return count;
}

/* Every size of one series. */
static void check_series(struct check *c, const struct ceil_kernel *k, const struct series *s)
{
    int launched = (s->variant->traits & CEIL_LAUNCHED) != 0;
    if (launched && k->baseline)
        return;
    for (unsigned z = launched && c->quick ? 2 : 0; z < sizeof sizes / sizeof sizes[0] && !c->stopped; z++) {
        unsigned counts[MAX_CASE_WORKERS];
        unsigned nw = worker_counts(c, s->variant, sizes[z], counts);
        printf("%-11s %-16s %-8s %-7zu", k->name, s->name,
               s->variant->traits & CEIL_REFERENCE ? "-" : ceil_mode_name(s->mode), sizes[z]);
        for (unsigned i = 0; i < nw && !c->stopped; i++)
            (launched ? check_job : check_case)(c, k, s, sizes[z], counts[i]);
        printf("\n");
    }
}

/* Every kernel x barrier x mode of one variant. */
static void check_variant(struct check *c, const struct ceil_variant *v)
{
    if (!ceil_launcher_found(v)) {
        printf("%-11s %-16s not checked: %s\n", "-", v->name, ceil_launcher_missing(v));
        return;
    }
    for (unsigned k = 0; k < ceil_kernel_count && !c->stopped; k++)
        for (unsigned b = 0; b < CEIL_BARRIER_COUNT && !c->stopped && ceil_variant_runs(v, &ceil_kernels[k]); b++) {
            if (v->barriers ? !ceil_variant_accepts(v, (enum ceil_barrier_kind)b) : b != v->barrier)
                continue;
            for (unsigned m = 0; m <= CEIL_PERTICK && !c->stopped; m++) {
                if (!(v->modes & CEIL_MODE_BIT(m)))
                    continue;
                struct series s = { v, (enum ceil_barrier_kind)b, (enum ceil_mode)m, "" };
                ceil_series_name(v, s.barrier, s.name, sizeof s.name);
                check_series(c, &ceil_kernels[k], &s);
            }
        }
}

int ceil_cmd_check(int argc, char **argv)
{
    struct check c = { 0 };
    int first, rc;
    const struct ceil_option options[] = { { "quick", 'q', CEIL_OPT_FLAG, &c.quick, 0, 0, NULL },
                                           { NULL, 0, 0, NULL, 0, 0, NULL } };
    const struct ceil_command_line cl = { "check", usage_head, help, usage_tail, options, 0, NULL };
    if ((rc = ceil_parse_command_line(&cl, argc, argv, &first)) != 0)
        return rc < 0 ? CEIL_EXIT_OK : rc;
    char err[CEIL_ERRLEN];
    if (ceil_topo_load(&c.topo, NULL, err) != 0)
        return ceil_fail("check", "%s", err);
    ceil_install_stop_handlers();
    c.refs = ceil_refs_new();
    for (unsigned w = 0; w < CEIL_MAX_WORKERS; w++)
        c.cpus[w] = ceil_topo_cpu_for(&c.topo, w);
    c.ticks = c.quick ? 2 : 5;
    c.reps = c.quick ? 1 : 2;
    double t0 = ceil_now();
    char *fail_text = NULL; /* what went wrong, printed after the table */
    size_t fail_len = 0;
    c.fails = open_memstream(&fail_text, &fail_len);

    printf("%-11s %-16s %-8s %-7s %s\n", "kernel", "variant", "mode", "n", "workers:result");
    for (unsigned v = 0; v < ceil_variant_count && !c.stopped; v++)
        check_variant(&c, &ceil_variants[v]);
    double secs = ceil_now() - t0;
    if (c.fails)
        fclose(c.fails);
    if (c.bad && fail_text)
        printf("\nfailures:\n%s", fail_text);
    free(fail_text);
    ceil_refs_free(c.refs);
    ceil_topo_free(&c.topo);
    if (c.stopped)
        return ceil_fail("check", "interrupted after %u runs", c.runs);
    if (c.bad)
        return ceil_fail("check", "%u of %u runs differ from serial or failed (%.1f s)", c.bad, c.runs, secs);
    printf("check: %u runs, every one equal to serial bit for bit (%.1f s)\n", c.runs, secs);
    return CEIL_EXIT_OK;
}
