/* The variant table (see variants.h): one row per execution model. */
#include "variants.h"

#include <stdio.h>
#include <string.h>

/* Each variant's operations, from its own file. */
extern const struct ceil_variant_ops ceil_serial_ops, ceil_omp_ops, ceil_proc_ops, ceil_threads_ops, ceil_mpi_ops;

enum {
    BATCHED = CEIL_MODE_BIT(CEIL_BATCHED),
    BOTH = CEIL_MODE_BIT(CEIL_BATCHED) | CEIL_MODE_BIT(CEIL_PERTICK),
    FUTEX = CEIL_BARRIER_BIT(CEIL_BARRIER_FUTEX),
    PTHREAD = CEIL_BARRIER_BIT(CEIL_BARRIER_PTHREAD),
    MPI = CEIL_BARRIER_BIT(CEIL_BARRIER_MPI),
};

/* clang-format off */
/* name, label, summary, ops, modes, barriers, default barrier, traits, launcher, kernels, per-tick dispatch,
 * colour, marker */
const struct ceil_variant ceil_variants[] = {
    { "serial", "serial", "one worker over the whole range: the reference", &ceil_serial_ops, BATCHED, 0, CEIL_BARRIER_FUTEX, CEIL_REFERENCE | CEIL_HOOKS | CEIL_BOOK, CEIL_IN_PROCESS, NULL, "nothing to dispatch", "black", "x" },
    { "omp", "OpenMP threads", "OpenMP threads in one process, thread t on slice t", &ceil_omp_ops, BOTH, 0, CEIL_BARRIER_FUTEX, CEIL_HOOKS | CEIL_BOOK, CEIL_IN_PROCESS, NULL, "a parallel region per tick", "tab:blue", "o" },
    { "proc", "processes", "forked processes writing disjoint slices of shared memory", &ceil_proc_ops, BOTH, FUTEX | PTHREAD, CEIL_BARRIER_FUTEX, CEIL_BOOK, CEIL_IN_PROCESS, NULL, "release and join through the barrier", "tab:orange", "s" },
    { "threads", "pthreads", "a team of plain pthreads in one process on the futex barrier, as proc", &ceil_threads_ops, BOTH, FUTEX | PTHREAD, CEIL_BARRIER_FUTEX, CEIL_HOOKS | CEIL_BOOK, CEIL_IN_PROCESS, NULL, "release and join through the barrier", "tab:purple", "^" },
#ifdef CEIL_HAVE_MPI
    { "mpi", "MPI ranks", "one MPI rank per worker (mpirun -np W); a node's ranks share MPI-3 windows", &ceil_mpi_ops, BOTH, MPI | FUTEX, CEIL_BARRIER_MPI, CEIL_LAUNCHED, CEIL_MPIRUN, NULL, "the ranks meet at the barrier", "tab:green", "D" },
#endif
    { "numpy", "numpy processes (the book)", "the book's method: numpy in a process pool on one shared_memory block (Python)", NULL, BOTH, 0, CEIL_BARRIER_FUTEX, CEIL_LAUNCHED | CEIL_BOOK, CEIL_PYTHON, "motion,trig", "a pool.map per tick", "tab:brown", "P" },
    { "numpy-threads", "numpy threads (the book)", "the book's exercise 2: the same numpy slices on threading.Thread (Python)", NULL, BOTH, 0, CEIL_BARRIER_FUTEX, CEIL_HOOKS | CEIL_LAUNCHED | CEIL_BOOK, CEIL_PYTHON, "motion,trig", "new threads per tick", "tab:pink", "X" },
};
/* clang-format on */
const unsigned ceil_variant_count = sizeof ceil_variants / sizeof ceil_variants[0];

static const struct {
    const char *name, *summary;
} barriers[CEIL_BARRIER_COUNT] = {
    [CEIL_BARRIER_FUTEX] = { "futex", "spin briefly, then sleep on a futex" },
    [CEIL_BARRIER_PTHREAD] = { "pthread", "pthread_barrier_t, process-shared where the team is processes" },
    [CEIL_BARRIER_MPI] = { "mpi", "MPI_Barrier" },
};

static const char *const modes[] = { [CEIL_BATCHED] = "batched", [CEIL_PERTICK] = "pertick" };

const struct ceil_variant *ceil_variant_find(const char *name)
{
    for (unsigned i = 0; i < ceil_variant_count; i++)
        if (strcmp(ceil_variants[i].name, name) == 0)
            return &ceil_variants[i];
    return NULL;
}

const struct ceil_variant *ceil_variant_reference(void)
{
    for (unsigned i = 0; i < ceil_variant_count; i++)
        if (ceil_variants[i].traits & CEIL_REFERENCE)
            return &ceil_variants[i];
    return &ceil_variants[0];
}

void ceil_variant_names(char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < ceil_variant_count && used < len; i++)
        used += (size_t)snprintf(out + used, len - used, "%s%s", i ? ", " : "", ceil_variants[i].name);
}

int ceil_variant_runs(const struct ceil_variant *v, const struct ceil_kernel *k)
{
    if (!v->kernels)
        return 1;
    size_t len = strlen(k->name);
    for (const char *at = v->kernels; (at = strstr(at, k->name)) != NULL; at += len)
        if ((at == v->kernels || at[-1] == ',') && (at[len] == ',' || at[len] == '\0'))
            return 1;
    return 0;
}

int ceil_variant_own_loop(const struct ceil_variant *v) { return v->launcher == CEIL_PYTHON; }

int ceil_variant_accepts(const struct ceil_variant *v, enum ceil_barrier_kind b)
{
    return (v->barriers & CEIL_BARRIER_BIT(b)) != 0;
}

const char *ceil_barrier_name(enum ceil_barrier_kind b) { return barriers[b].name; }
const char *ceil_barrier_summary(enum ceil_barrier_kind b) { return barriers[b].summary; }

int ceil_barrier_find(const char *name, enum ceil_barrier_kind *out)
{
    for (unsigned b = 0; b < CEIL_BARRIER_COUNT; b++)
        if (strcmp(barriers[b].name, name) == 0) {
            *out = (enum ceil_barrier_kind)b;
            return 0;
        }
    return -1;
}

const char *ceil_mode_name(enum ceil_mode m) { return modes[m]; }

int ceil_mode_find(const char *name, enum ceil_mode *out)
{
    for (unsigned m = 0; m < sizeof modes / sizeof modes[0]; m++)
        if (strcmp(modes[m], name) == 0) {
            *out = (enum ceil_mode)m;
            return 0;
        }
    return -1;
}

void ceil_series_name(const struct ceil_variant *v, enum ceil_barrier_kind b, char *out, size_t len)
{
    if (!v->barriers || b == v->barrier)
        snprintf(out, len, "%s", v->name);
    else
        snprintf(out, len, "%s-%s", v->name, barriers[b].name);
}

static json_t *variant_json(const struct ceil_variant *v)
{
    json_t *ms = json_array(), *bs = json_array();
    for (unsigned m = 0; m < sizeof modes / sizeof modes[0]; m++)
        if (v->modes & CEIL_MODE_BIT(m))
            json_array_append_new(ms, json_string(modes[m]));
    if (v->barriers) /* the default first */
        json_array_append_new(bs, json_string(barriers[v->barrier].name));
    for (unsigned b = 0; b < CEIL_BARRIER_COUNT; b++)
        if ((v->barriers & CEIL_BARRIER_BIT(b)) && b != v->barrier)
            json_array_append_new(bs, json_string(barriers[b].name));
    static const char *const launchers[] = { "none", "mpirun", "python" };
    json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:b, s:b, s:b, s:b, s:s, s:s, s:s, s:s}", "name", v->name, "label",
                          v->label, "summary", v->summary, "modes", ms, "barriers", bs, "reference",
                          (v->traits & CEIL_REFERENCE) != 0, "hooks", (v->traits & CEIL_HOOKS) != 0, "launched",
                          (v->traits & CEIL_LAUNCHED) != 0, "book", (v->traits & CEIL_BOOK) != 0, "launcher",
                          launchers[v->launcher], "pertick", v->pertick, "color", v->color, "marker", v->marker);
    json_object_set_new(o, "kernels", v->kernels ? json_string(v->kernels) : json_null());
    return o;
}

json_t *ceil_variants_json(void)
{
    json_t *vs = json_array(), *bs = json_array();
    for (unsigned i = 0; i < ceil_variant_count; i++)
        json_array_append_new(vs, variant_json(&ceil_variants[i]));
    for (unsigned b = 0; b < CEIL_BARRIER_COUNT; b++)
        json_array_append_new(bs, json_pack("{s:s, s:s}", "name", barriers[b].name, "summary", barriers[b].summary));
    return json_pack("{s:o, s:o}", "variants", vs, "barriers", bs);
}
