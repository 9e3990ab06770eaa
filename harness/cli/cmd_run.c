/* ceilings run: one point, measured, checked against serial, printed. */
#include "build_info.h"
#include "cli.h"
#include "commands.h"
#include "cpulist.h"
#include "machine.h"
#include "markers.h"
#include "point.h"
#ifdef CEIL_HAVE_MPI
#include "mpi_team.h"
#endif
#include "topology.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char usage_head[] =
    "usage: ceilings run KERNEL VARIANT [--n N] [--workers W] [--ticks T] [--mode MODE] [--json]\n"
    "Runs one point, checks its arrays against a serial run bit for bit, and prints seconds,\n"
    "GB/s (bytes per element x N x T / s), ns per element-tick and the CPUs used.\n"
    "\n"
    "  KERNEL             motion (pos[i] += vel[i]*dt: memory-bound),\n"
    "                     trig (out[i] += sin(x[i])^2 + cos(x[i])^2: compute-bound),\n"
    "                     trig-scalar (trig without vector sin/cos) or starve (the indices\n"
    "                     whose energy <= 0, emitted per worker and merged in worker order)\n"
    "  VARIANT            one of:\n";

static const char usage_tail[] =
    "  -n, --n N          elements (default 1000000; 1e6 notation accepted)\n"
    "  -w, --workers W    workers (default: this machine's physical cores; a variant launched by\n"
    "                     mpirun: the job's size)\n"
    "  -t, --ticks T      ticks per timed repetition (default 100)\n"
    "  -m, --mode MODE    batched: one dispatch, every worker runs all T ticks (default)\n"
    "                     pertick: one synchronised dispatch per tick, as a simulation loop\n"
    "  -r, --reps R       timed repetitions after one discarded warm-up tick (default 5);\n"
    "                     seconds is the best of them, seconds_median their median\n"
    "  -c, --cpus LIST    CPUs for workers 0, 1, ... (\"0-3,8\"; default: physical cores first);\n"
    "                     a variant launched by mpirun: for the ranks of each machine in order;\n"
    "                     by default a rank that mpirun bound (--bind-to core) keeps its binding\n"
    "      --barrier KIND how a team meets per tick, for the variants that have a choice:\n";

static const char usage_end[] =
    "      --json         print one JSON object instead of the table\n"
    "  -h, --help         this text\n"
    "\n"
    "Exit status: 0 ok; 1 the run failed or its result differs from serial; 2 bad usage.\n";

/* The help, with the variants and their barriers from the variant table. */
static void help(void)
{
    fputs(usage_head, stdout);
    for (unsigned i = 0; i < ceil_variant_count; i++)
        printf("                       %-8s %s\n", ceil_variants[i].name, ceil_variants[i].summary);
    fputs(usage_tail, stdout);
    for (unsigned i = 0; i < ceil_variant_count; i++) {
        const struct ceil_variant *v = &ceil_variants[i];
        if (!v->barriers)
            continue;
        printf("                       %-8s %s (default)", v->name, ceil_barrier_name(v->barrier));
        for (unsigned b = 0; b < CEIL_BARRIER_COUNT; b++)
            if (b != v->barrier && ceil_variant_accepts(v, (enum ceil_barrier_kind)b))
                printf(" or %s", ceil_barrier_name((enum ceil_barrier_kind)b));
        printf("\n");
    }
    for (unsigned b = 0; b < CEIL_BARRIER_COUNT; b++)
        printf("                     %s: %s\n", ceil_barrier_name((enum ceil_barrier_kind)b),
               ceil_barrier_summary((enum ceil_barrier_kind)b));
    fputs(usage_end, stdout);
}

struct run_args {
    const struct ceil_kernel *kernel;
    const struct ceil_variant *variant;
    uint64_t n, workers, ticks, reps;
    enum ceil_mode mode;
    enum ceil_barrier_kind barrier;
    const char *cpus_text;
    int json;
    int barrier_given, workers_given;
};

#ifdef CEIL_HAVE_MPI
/* A variant launched by mpirun: one worker per rank, so the job decides how many. */
static int launched_workers(struct run_args *a)
{
    int size, rank;
    if (ceil_mpi_world(&size, &rank) != 0)
        return ceil_fail("run", "MPI cannot start");
    if (!a->workers_given)
        a->workers = (uint64_t)size;
    else if (a->workers != (uint64_t)size)
        return ceil_usage_error("run", "--workers: %llu, but the MPI job has %d rank(s): start it with mpirun -np %llu",
                                (unsigned long long)a->workers, size, (unsigned long long)a->workers);
    /* a machine holds its ranks' slices, and serial's result for them */
    uint64_t here = (a->n / (uint64_t)size + 16) * (uint64_t)ceil_mpi_host_ranks();
    return ceil_check_fits("run", a->kernel, here < a->n ? here : a->n, 2);
}
#endif

static int parse_args(int argc, char **argv, struct run_args *a, const struct ceil_topo *topo)
{
    a->n = 1000000;
    a->ticks = 100;
    a->reps = 5;
    const struct ceil_option options[] = {
        { "n", 'n', CEIL_OPT_COUNT, &a->n, 1, UINT64_MAX / 2, NULL },
        { "workers", 'w', CEIL_OPT_COUNT, &a->workers, 1, CEIL_MAX_WORKERS, &a->workers_given },
        { "ticks", 't', CEIL_OPT_COUNT, &a->ticks, 1, UINT32_MAX, NULL },
        { "mode", 'm', CEIL_OPT_MODE, &a->mode, 0, 0, NULL },
        { "reps", 'r', CEIL_OPT_COUNT, &a->reps, 1, 1000, NULL },
        { "cpus", 'c', CEIL_OPT_TEXT, &a->cpus_text, 0, 0, NULL },
        { "barrier", 0, CEIL_OPT_BARRIER, &a->barrier, 0, 0, &a->barrier_given },
        { "json", 0, CEIL_OPT_FLAG, &a->json, 0, 0, NULL },
        { NULL, 0, 0, NULL, 0, 0, NULL },
    };
    const struct ceil_command_line cl = { "run", NULL, help, NULL, options, 2, "KERNEL and VARIANT" };
    int first, rc;
    if ((rc = ceil_parse_command_line(&cl, argc, argv, &first)) != 0 ||
        (rc = ceil_parse_kernel("run", argv[first], &a->kernel)) != 0 ||
        (rc = ceil_parse_variant("run", argv[first + 1], &a->variant)) != 0)
        return rc;
    if (!ceil_variant_runs(a->variant, a->kernel))
        return ceil_usage_error("run", "KERNEL: the %s variant runs %s, not %s", a->variant->name, a->variant->kernels,
                                a->kernel->name);
    if (!a->workers_given)
        a->workers = topo->cores ? topo->cores : topo->pus;
    /* a variant with no barrier to choose synchronises its own way and ignores --barrier */
    if (!a->barrier_given)
        a->barrier = a->variant->barrier;
    else if (a->variant->barriers && !ceil_variant_accepts(a->variant, a->barrier))
        return ceil_usage_error("run", "--barrier: %s is not a barrier of the %s variant", ceil_barrier_name(a->barrier),
                                a->variant->name);
#ifdef CEIL_HAVE_MPI
    if (a->variant->launcher == CEIL_MPIRUN)
        return launched_workers(a);
#endif
    return ceil_check_fits("run", a->kernel, a->n, 2);
}

static void print_table(const struct run_args *a, const struct ceil_point_result *res, const char *cpus,
                        const char *thp)
{
    double bytes = ceil_kernel_bytes(a->kernel) * (double)a->n * (double)a->ticks;
    printf("%s/%s/%s  n=%llu  workers=%llu (running %u)  ticks=%llu  reps=%llu\n", a->kernel->name,
           a->variant->name, ceil_mode_name(a->mode), (unsigned long long)a->n,
           (unsigned long long)a->workers, res->workers, (unsigned long long)a->ticks,
           (unsigned long long)a->reps);
    if (!res->valid) {
        printf("  valid        NO: %s\n", res->mismatch);
        return;
    }
    printf("  seconds      %.6g best, %.6g median (the timed ticks only)\n", res->best, res->median);
    printf("  GB/s         %.2f (%.0f bytes per element-tick)\n", bytes / res->best * 1e-9,
           ceil_kernel_bytes(a->kernel));
    printf("  ns/elem-tick %.4f\n", res->best / ((double)a->n * (double)a->ticks) * 1e9);
    printf("  cpus         %s\n", cpus);
    printf("  start-up     %.3f ms (map, start workers, pin, first touch)\n", res->startup * 1e3);
    printf("  pages        %zu B, shared memory, THP shmem_enabled=%s\n", ceil_page_size(), thp);
    if (a->variant->barriers)
        printf("  barrier      %s\n", ceil_barrier_name(a->barrier));
    if (a->kernel->merge)
        printf("  merge        %.3f ms for %zu entries (once, after the runs; not in seconds)\n", res->merge * 1e3,
               res->merged);
    printf("  valid        yes: equal to serial bit for bit after %llu ticks\n",
           (unsigned long long)(1 + a->reps * a->ticks));
}

static void print_json(const struct run_args *a, const struct ceil_point_result *res, const char *thp)
{
    json_t *o = json_object();
    json_object_set_new(o, "kernel", json_string(a->kernel->name));
    json_object_set_new(o, "variant", json_string(a->variant->name));
    json_object_set_new(o, "mode", json_string(ceil_mode_name(a->mode)));
    json_object_set_new(o, "n", json_integer((json_int_t)a->n));
    json_object_set_new(o, "workers", json_integer((json_int_t)a->workers));
    json_object_set_new(o, "workers_running", json_integer(res->workers));
    json_object_set_new(o, "ticks", json_integer((json_int_t)a->ticks));
    json_object_set_new(o, "reps", json_integer((json_int_t)a->reps));
    json_object_set_new(o, "valid", json_boolean(res->valid));
    if (res->valid) {
        double elem_ticks = (double)a->n * (double)a->ticks;
        json_object_set_new(o, "seconds", json_real(res->best));
        json_object_set_new(o, "seconds_median", json_real(res->median));
        json_object_set_new(o, "gbps", json_real(ceil_kernel_bytes(a->kernel) * elem_ticks / res->best * 1e-9));
        json_object_set_new(o, "ns_per_elem_tick", json_real(res->best / elem_ticks * 1e9));
    } else {
        json_object_set_new(o, "error", json_string(res->mismatch));
    }
    json_t *cpus = json_array();
    for (unsigned w = 0; w < res->workers && res->cpus; w++)
        json_array_append_new(cpus, json_integer(res->cpus[w]));
    json_object_set_new(o, "cpus", cpus);
    json_object_set_new(o, "startup_seconds", json_real(res->startup));
    json_object_set_new(o, "bytes_per_elem", json_real(ceil_kernel_bytes(a->kernel)));
    json_object_set_new(o, "footprint_bytes", json_real(ceil_kernel_footprint(a->kernel) * (double)a->n));
    json_object_set_new(o, "page_size", json_integer((json_int_t)ceil_page_size()));
    json_object_set_new(o, "thp_shmem", json_string(thp));
    if (a->variant->barriers)
        json_object_set_new(o, "barrier", json_string(ceil_barrier_name(a->barrier)));
    if (a->kernel->merge && res->valid) {
        json_object_set_new(o, "merge_seconds", json_real(res->merge));
        json_object_set_new(o, "merged", json_integer((json_int_t)res->merged));
    }
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(9));
    fputc('\n', stdout);
    json_decref(o);
}

/* A Python variant: the point goes to its program, with the options checked here and the kernel's
 * facts from the table; it prints what run prints and checks itself against its own serial loop. */
static int hand_to_python(const struct run_args *a)
{
    if (!CEIL_REPORT_PYTHON[0])
        return ceil_fail("run", "%s/%s: no Python that imports numpy was found at configure time (apt-get install "
                                "python3-numpy python3-matplotlib, then meson setup --reconfigure)",
                         a->kernel->name, a->variant->name);
    char n[32], w[16], t[16], r[16], dt[32], bytes[32], fp[32];
    snprintf(n, sizeof n, "%llu", (unsigned long long)a->n);
    snprintf(w, sizeof w, "%llu", (unsigned long long)a->workers);
    snprintf(t, sizeof t, "%llu", (unsigned long long)a->ticks);
    snprintf(r, sizeof r, "%llu", (unsigned long long)a->reps);
    snprintf(dt, sizeof dt, "%.9g", (double)CEIL_MOTION_DT);
    snprintf(bytes, sizeof bytes, "%g", ceil_kernel_bytes(a->kernel));
    snprintf(fp, sizeof fp, "%g", ceil_kernel_footprint(a->kernel));
    char *args[] = { CEIL_REPORT_PYTHON, CEIL_NUMPY_SCRIPT, (char *)a->kernel->name, (char *)a->variant->name, "--n", n,
                     "--workers", w, "--ticks", t, "--reps", r, "--mode", (char *)ceil_mode_name(a->mode), "--dt", dt,
                     "--bytes-per-elem", bytes, "--footprint-per-elem", fp, a->json ? "--json" : NULL, NULL };
    fflush(NULL);
    execv(args[0], args);
    return ceil_fail("run", "cannot run %s: %s", args[0], strerror(errno));
}

int ceil_cmd_run(int argc, char **argv)
{
    struct ceil_topo topo;
    char err[CEIL_ERRLEN];
    /* first of all: a signal while the topology loads (a busy machine: more than 0.5 s) ends the
     * run as one mid-run does, exit 1 with its message, not by the default action */
    ceil_install_stop_handlers();
    if (ceil_topo_load(&topo, NULL, err) != 0)
        return ceil_fail("run", "%s", err);
    struct run_args a = { .mode = CEIL_BATCHED, .barrier = CEIL_BARRIER_FUTEX };
    int rc = parse_args(argc, argv, &a, &topo);
    if (rc == 0 && a.variant->launcher == CEIL_PYTHON) {
        ceil_topo_free(&topo);
        return hand_to_python(&a);
    }
    int *cpus = rc == 0 ? calloc(a.workers, sizeof *cpus) : NULL;
    if (rc == 0 && !cpus)
        rc = ceil_fail("run", "out of memory");
    if (rc == 0) {
        int given = 0;
        if (a.cpus_text && (given = ceil_parse_cpus("run", "--cpus", a.cpus_text, &topo, cpus,
                                                       (unsigned)a.workers)) < 0)
            rc = CEIL_EXIT_USAGE;
        for (unsigned w = 0; rc == 0 && w < a.workers; w++)
            cpus[w] = given ? cpus[w % (unsigned)given] : ceil_topo_cpu_for(&topo, w);
        if (rc == 0 && !given && a.variant->launcher == CEIL_MPIRUN && ceil_topo_started_bound(&topo)) {
            free(cpus); /* mpirun --bind-to core (or the like) placed the ranks: keep its binding */
            cpus = NULL;
        }
    }
    if (rc != 0) {
        free(cpus);
        ceil_topo_free(&topo);
        return rc < 0 ? CEIL_EXIT_OK : rc;
    }
    struct ceil_point p = {
        .variant = a.variant,
        .cfg = { .kernel = a.kernel, .n = (size_t)a.n, .workers = (unsigned)a.workers, .cpus = cpus,
                 .topology = topo.topo, .barrier = a.barrier },
        .mode = a.mode,
        .ticks = a.ticks,
        .reps = (unsigned)a.reps,
    };
    /* Under likwid-perfctr -m, one region per point, named as the benchmark names it. The
     * process team takes no markers (see struct ceil_hooks): profile measures it whole. */
    struct ceil_marker marker;
    char region[192];
    snprintf(region, sizeof region, "%s/%s/%s/n:%llu/workers:%llu", a.kernel->name, a.variant->name,
             ceil_mode_name(a.mode), (unsigned long long)a.n, (unsigned long long)a.workers);
    if (ceil_markers_init())
        p.hooks = ceil_marker_hooks(&marker, region);
    struct ceil_refs *refs = ceil_refs_new();
    struct ceil_point_result res;
    rc = refs ? ceil_point_measure(&p, refs, &res, err) : -1;
    int measured = rc;
    ceil_markers_close();
    if (rc == -EDOM) { /* an MPI job that cannot be formed as asked, the same on every rank: one says so */
        rc = ceil_usage_error("run", "%s/%s: %s", a.kernel->name, a.variant->name, err);
    } else if (rc == -EINVAL) { /* a CPU that cannot be bound: said by every rank, as it may be one rank's own */
        ceil_fail("run", "%s/%s: %s", a.kernel->name, a.variant->name, err);
        rc = CEIL_EXIT_USAGE;
    } else if (rc != 0) {
        rc = ceil_fail("run", "%s/%s: %s", a.kernel->name, a.variant->name, refs ? err : "out of memory");
    } else {
        char thp[32], cpu_text[256];
        ceil_thp_setting("shmem_enabled", thp, sizeof thp);
        ceil_format_cpulist(res.cpus, res.cpus ? res.workers : 0, cpu_text, sizeof cpu_text);
        if (res.reporter && a.json)
            print_json(&a, &res, thp);
        else if (res.reporter)
            print_table(&a, &res, cpu_text, thp);
        if (!res.valid && res.reporter)
            rc = ceil_fail("run", "%s/%s/%s differs from serial: %s", a.kernel->name, a.variant->name,
                           ceil_mode_name(a.mode), res.mismatch);
        ceil_point_result_free(&res);
    }
    ceil_refs_free(refs);
    free(cpus);
    ceil_topo_free(&topo);
#ifdef CEIL_HAVE_MPI
    if (measured == -EINTR && a.variant->launcher == CEIL_MPIRUN) /* the other ranks may wait in a barrier */
        ceil_mpi_abort(rc);
#endif
    return rc;
}
