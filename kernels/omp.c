/* The OpenMP variant: a team of threads, thread t always on partition slice t. */
#include "variant.h"
#include "world.h"

#include <errno.h>
#include <omp.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first error any thread of a team hit; read after the region's closing barrier. */
struct team_error {
    atomic_int rc;
    char msg[CEIL_ERRLEN];
};

static void team_fail(struct team_error *te, int rc, const char *msg)
{
    int none = 0;
    if (atomic_compare_exchange_strong(&te->rc, &none, rc))
        snprintf(te->msg, sizeof te->msg, "%s", msg);
}

/* With OMP_PROC_BIND set, libgomp places its threads itself and may move them again for a
 * later team: binding them a second time would only fight it. We then record where they are. */
static int libgomp_binds(void) { return omp_get_proc_bind() != omp_proc_bind_false; }

static int team_size_error(unsigned got, unsigned asked, char err[CEIL_ERRLEN])
{
    snprintf(err, CEIL_ERRLEN, "OpenMP started %u threads of the %u asked (see OMP_THREAD_LIMIT)",
             got, asked);
    return -EAGAIN;
}

/* OpenMP runs alive. The last release ends libgomp's thread pool (omp_pause_resource_all),
 * so that the next prepare creates its team as the process variant forks its own: start-up
 * then counts thread creation for both, and no pinned idle thread outlives its run. */
static unsigned live_runs;

static void omp_release(struct ceil_run *r)
{
    if (!r)
        return;
    ceil_run_teardown(r);
    free(r);
    if (--live_runs == 0)
        omp_pause_resource_all(omp_pause_hard);
}

static int omp_prepare(const struct ceil_config *cfg, struct ceil_run **out, char err[CEIL_ERRLEN])
{
    struct ceil_run *r = malloc(sizeof *r);
    if (!r)
        return -ENOMEM;
    int rc = ceil_run_setup(r, &ceil_omp_ops, cfg, cfg->workers, err);
    if (rc) {
        free(r);
        return rc;
    }
    live_runs++;
    omp_set_dynamic(0);
    struct team_error te = { 0 };
    unsigned got = 0;
    int own_binding = !libgomp_binds();
#pragma omp parallel num_threads(r->workers)
    {
        unsigned t = (unsigned)omp_get_thread_num();
        if (t == 0)
            got = (unsigned)omp_get_num_threads();
        if ((unsigned)omp_get_num_threads() == r->workers) {
            char msg[CEIL_ERRLEN];
            int prc = 0;
            if (own_binding)
                prc = ceil_run_pin(r, t, msg);
            else
                r->cpu_of[t] = sched_getcpu();
            if (prc)
                team_fail(&te, prc, msg);
            else
                cfg->kernel->init(r->arrays.a, r->slices[t].begin, r->slices[t].end);
        }
    }
    rc = got != r->workers ? team_size_error(got, r->workers, err) : atomic_load(&te.rc);
    if (rc) {
        if (te.rc)
            snprintf(err, CEIL_ERRLEN, "%s", te.msg);
        omp_release(r);
        return rc;
    }
    *out = r;
    return 0;
}

static int omp_run(struct ceil_run *r, unsigned long ticks, enum ceil_mode mode, char err[CEIL_ERRLEN])
{
    ceil_tick_fn *tick = r->cfg.kernel->tick;
    float *const *arrays = r->arrays.a;
    const struct ceil_slice *slices = r->slices;
    const struct ceil_hooks *h = r->cfg.hooks;
    unsigned got = 0;
    atomic_int stopped = 0;
    if (mode == CEIL_BATCHED) {
#pragma omp parallel num_threads(r->workers)
        {
            unsigned t = (unsigned)omp_get_thread_num();
            if (t == 0)
                got = (unsigned)omp_get_num_threads();
            if ((unsigned)omp_get_num_threads() == r->workers) {
                if (h)
                    h->enter(h->ctx);
                if (ceil_run_worker_ticks(r, t, ticks, NULL, NULL) != 0)
                    atomic_store(&stopped, 1);
                if (h)
                    h->leave(h->ctx);
            }
        }
        if (got != r->workers)
            return team_size_error(got, r->workers, err);
    } else {
        for (unsigned long k = 0; k < ticks; k++) {
            /* decided once, before the region, so that every thread that entered also leaves */
            int last = k + 1 == ticks || ceil_stop_signal() != 0;
#pragma omp parallel num_threads(r->workers)
            {
                unsigned t = (unsigned)omp_get_thread_num();
                if (t == 0)
                    got = (unsigned)omp_get_num_threads();
                if ((unsigned)omp_get_num_threads() == r->workers) {
                    if (h && k == 0) /* libgomp keeps thread t for team slot t between regions */
                        h->enter(h->ctx);
                    tick(arrays, slices[t].begin, slices[t].end);
                    if (h && last)
                        h->leave(h->ctx);
                }
            }
            if (got != r->workers)
                return team_size_error(got, r->workers, err);
            if (last && k + 1 < ticks) {
                atomic_store(&stopped, 1);
                break;
            }
        }
    }
    return atomic_load(&stopped) ? ceil_stop_error(err) : 0;
}

const struct ceil_variant_ops ceil_omp_ops = { omp_prepare, omp_run, omp_release, NULL, ceil_systems_run_threads };
