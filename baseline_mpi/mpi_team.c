/* The MPI variant: a shared-memory window per node holding its block, one rank a slice. */
#include "mpi_team.h"

#include "barrier.h"

#include <errno.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct mpi_run {
    struct ceil_run base; /* first: the harness sees a struct ceil_run */
    MPI_Comm node;        /* the ranks sharing this node's window */
    int rank, size, node_rank, node_size, nodes;
    int host_rank; /* place among the ranks on this machine (pretend nodes share one) */
    int have_win;
    MPI_Win win; /* the node's arrays */
    MPI_Win barrier_win;
    struct ceil_barrier *barrier; /* in barrier_win, for CEIL_BARRIER_FUTEX */
    int broken; /* a run ended early here: the other ranks may be in a barrier, so no collective follows */
};

static void finalize(void)
{
    int done;
    MPI_Finalized(&done);
    if (!done)
        MPI_Finalize();
}

int ceil_mpi_world(int *size, int *rank)
{
    int started;
    MPI_Initialized(&started);
    if (!started) {
        int provided;
        if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
            return -1;
        atexit(finalize);
    }
    MPI_Comm_size(MPI_COMM_WORLD, size);
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    return 0;
}

int ceil_mpi_host_ranks(void)
{
    MPI_Comm host;
    int size;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &host);
    MPI_Comm_size(host, &size);
    MPI_Comm_free(&host);
    return size;
}

static void sync_windows(struct mpi_run *m)
{
    if (m->have_win)
        MPI_Win_sync(m->win);
}

/* Every rank's writes are done and visible to every rank of its node. */
static void complete(struct mpi_run *m)
{
    sync_windows(m);
    MPI_Barrier(MPI_COMM_WORLD);
    sync_windows(m);
}

/* A stop request ends this rank's run at once, with the reason: main then ends the whole job
 * (ceil_mpi_abort), since ranks that left one by one would leave the rest waiting. */
static int stop_run(struct mpi_run *m, char err[CEIL_ERRLEN])
{
    m->broken = 1;
    int rc = ceil_stop_error(err);
    size_t used = strlen(err);
    snprintf(err + used, CEIL_ERRLEN - used, " on rank %d", m->rank);
    return rc;
}

void ceil_mpi_abort(int code)
{
    MPI_Abort(MPI_COMM_WORLD, code);
    _exit(code); /* MPI_Abort does not return; should it, this rank still ends */
}

static void mpi_release(struct ceil_run *r)
{
    if (!r)
        return;
    struct mpi_run *m = (struct mpi_run *)r;
    if (m->broken) { /* the windows are collective to free: left for ceil_mpi_abort to end */
        memset(&m->base.arrays, 0, sizeof m->base.arrays);
        ceil_run_teardown(r);
        free(m);
        return;
    }
    if (m->have_win)
        MPI_Win_free(&m->win);
    if (m->barrier) {
        if (m->node_rank == 0)
            ceil_barrier_destroy(m->barrier);
        MPI_Win_free(&m->barrier_win);
    }
    if (m->node != MPI_COMM_NULL)
        MPI_Comm_free(&m->node);
    memset(&m->base.arrays, 0, sizeof m->base.arrays); /* the window was the memory */
    ceil_run_teardown(r);
    free(m);
}

/* The node communicator: the ranks sharing memory, or the test's pretend nodes. */
static int split_nodes(struct mpi_run *m, char err[CEIL_ERRLEN])
{
    MPI_Comm shared;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, m->rank, MPI_INFO_NULL, &shared);
    MPI_Comm_rank(shared, &m->host_rank);
    const char *k = getenv("CEIL_MPI_NODE_RANKS");
    if (k && atoi(k) > 0) {
        int r;
        MPI_Comm_rank(shared, &r);
        MPI_Comm_split(shared, r / atoi(k), r, &m->node);
        MPI_Comm_free(&shared);
    } else {
        m->node = shared;
    }
    MPI_Comm_rank(m->node, &m->node_rank);
    MPI_Comm_size(m->node, &m->node_size);
    int leader = m->node_rank == 0, consecutive, first = m->rank - m->node_rank, mine;
    MPI_Allreduce(&leader, &m->nodes, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    /* a node's block is contiguous only if its ranks are: each must be first + its node rank */
    MPI_Allreduce(&first, &mine, 1, MPI_INT, MPI_MIN, m->node);
    int ok = mine == first;
    MPI_Allreduce(&ok, &consecutive, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!consecutive) {
        snprintf(err, CEIL_ERRLEN, "the ranks of a node are not consecutive: start the job with mpirun --map-by core");
        return -EDOM;
    }
    return 0;
}

/* The arrays of a node: one window, allocated by the node's first rank, holding the node's block
 * of every array laid out as ceil_arrays_map lays out the whole arrays for the other variants
 * (each array on a page of its own). The window comes one page larger: Open MPI 4.1 starts it
 * 264 bytes into a page (its segment header, 8 bytes past a cache line), and unaligned, AVX-512
 * loads split cache lines (motion at L2 lost a quarter of its speed). No page is touched here:
 * each rank's first touch of its own slice places it, as in the other variants. Arrays are then
 * indexed by global element, valid within the node's block. */
static int map_windows(struct mpi_run *m, char err[CEIL_ERRLEN])
{
    struct ceil_run *r = &m->base;
    const struct ceil_kernel *k = r->cfg.kernel;
    size_t node_begin = r->slices[m->rank - m->node_rank].begin;
    r->check = (struct ceil_slice){ node_begin, r->slices[m->rank - m->node_rank + m->node_size - 1].end };
    size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = ceil_arrays_bytes(k, r->check.end - node_begin);
    if (bytes == 0 || bytes > (size_t)PTRDIFF_MAX - page) {
        snprintf(err, CEIL_ERRLEN, "%zu elements of %s overflow the address space", r->check.end - node_begin, k->name);
        return -EOVERFLOW;
    }
    char *mine, *start;
    MPI_Aint size;
    int unit;
    if (MPI_Win_allocate_shared(m->node_rank == 0 ? (MPI_Aint)(bytes + page) : 0, 1, MPI_INFO_NULL, m->node, &mine,
                                &m->win) != MPI_SUCCESS) {
        snprintf(err, CEIL_ERRLEN, "MPI_Win_allocate_shared: cannot allocate %zu bytes", bytes + page);
        return -ENOMEM;
    }
    m->have_win = 1;
    MPI_Win_shared_query(m->win, 0, &size, &unit, &start);
    char *base = start + (page - (uintptr_t)start % page) % page;
    for (unsigned a = 0; a < k->n_arrays; a++)
        r->arrays.a[a] = (float *)(base + a * (bytes / k->n_arrays)) - node_begin;
    r->arrays.count = k->n_arrays;
    r->arrays.n = r->cfg.n;
    return 0;
}

static int map_barrier(struct mpi_run *m, char err[CEIL_ERRLEN])
{
    MPI_Aint size;
    int unit;
    struct ceil_barrier *mine;
    MPI_Win_allocate_shared(m->node_rank == 0 ? (MPI_Aint)sizeof *m->barrier : 0, 64, MPI_INFO_NULL, m->node, &mine,
                            &m->barrier_win);
    MPI_Win_shared_query(m->barrier_win, 0, &size, &unit, &m->barrier);
    int rc = m->node_rank == 0 ? ceil_barrier_init(m->barrier, (unsigned)m->node_size, ceil_cpus_online(), 0) : 0;
    MPI_Win_sync(m->barrier_win);
    MPI_Barrier(m->node);
    MPI_Win_sync(m->barrier_win);
    if (rc)
        snprintf(err, CEIL_ERRLEN, "cannot set up the shared barrier");
    return rc;
}

static int mpi_prepare(const struct ceil_config *cfg, struct ceil_run **out, char err[CEIL_ERRLEN])
{
    int size, rank;
    if (ceil_mpi_world(&size, &rank) != 0) {
        snprintf(err, CEIL_ERRLEN, "MPI cannot start");
        return -EIO;
    }
    if ((unsigned)size != cfg->workers) {
        snprintf(err, CEIL_ERRLEN, "%u workers, but the MPI job has %d rank(s): start it with mpirun -np %u",
                 cfg->workers, size, cfg->workers);
        return -EDOM;
    }
    struct mpi_run *m = calloc(1, sizeof *m);
    if (!m)
        return -ENOMEM;
    m->rank = rank;
    m->size = size;
    m->node = MPI_COMM_NULL;
    int rc = ceil_run_setup_common(&m->base, &ceil_mpi_ops, cfg, (unsigned)size, err);
    if (rc) {
        free(m);
        return rc;
    }
    if ((rc = split_nodes(m, err)) == 0) {
        if (m->nodes > 1 && cfg->kernel->merge) {
            snprintf(err, CEIL_ERRLEN, "%s merges one list from every worker: under MPI it runs on one node",
                     cfg->kernel->name);
            rc = -EDOM;
        } else if (m->nodes > 1 && cfg->barrier == CEIL_BARRIER_FUTEX) {
            snprintf(err, CEIL_ERRLEN, "the futex barrier synchronises one node: across %d nodes use --barrier mpi",
                     m->nodes);
            rc = -EDOM;
        }
    }
    if (rc == 0)
        rc = map_windows(m, err);
    if (rc == 0 && cfg->barrier == CEIL_BARRIER_FUTEX)
        rc = map_barrier(m, err);
    /* The CPU list is a machine's: a rank takes the entry of its place on its machine. Without
     * one (the launcher bound the ranks), the binding stays as it is. */
    int cpu = -1;
    if (rc == 0 && (rc = ceil_run_pin_to(&m->base, (unsigned)rank, cfg->cpus ? cfg->cpus[m->host_rank] : -1,
                                         err)) == 0)
        cpu = m->base.cpu_of[rank];
    int ok = rc == 0, all;
    MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!all) {
        if (rc == 0) {
            snprintf(err, CEIL_ERRLEN, "another rank could not start");
            rc = -EIO;
        }
        mpi_release(&m->base);
        return rc;
    }
    MPI_Gather(&cpu, 1, MPI_INT, m->base.cpu_of, 1, MPI_INT, 0, MPI_COMM_WORLD);
    struct ceil_slice s = m->base.slices[rank];
    cfg->kernel->init(m->base.arrays.a, s.begin, s.end); /* the first touch, in this rank's slice */
    complete(m);
    m->base.reporter = rank == 0;
    m->base.checker = m->node_rank == 0;
    *out = &m->base;
    return 0;
}

static int mpi_run(struct ceil_run *r, unsigned long ticks, enum ceil_mode mode, char err[CEIL_ERRLEN])
{
    struct mpi_run *m = (struct mpi_run *)r;
    const struct ceil_hooks *h = r->cfg.hooks;
    if (h)
        h->enter(h->ctx);
    if (mode == CEIL_BATCHED) {
        if (ceil_run_worker_ticks(r, (unsigned)m->rank, ticks, NULL, NULL) != 0)
            return stop_run(m, err);
    } else {
        ceil_tick_fn *tick = r->cfg.kernel->tick;
        struct ceil_slice s = r->slices[m->rank];
        for (unsigned long k = 0; k < ticks; k++) {
            tick(r->arrays.a, s.begin, s.end);
            if (ceil_stop_signal())
                return stop_run(m, err);
            if (m->barrier)
                ceil_barrier_wait(m->barrier, NULL, NULL, 0);
            else
                MPI_Barrier(MPI_COMM_WORLD);
        }
    }
    if (h)
        h->leave(h->ctx);
    complete(m);
    return 0;
}

static int mpi_agree(struct ceil_run *r, int equal)
{
    (void)r;
    int all;
    MPI_Allreduce(&equal, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all;
}

const struct ceil_variant_ops ceil_mpi_ops = { mpi_prepare, mpi_run, mpi_release, mpi_agree, NULL };
