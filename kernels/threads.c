/* The threads variant: a persistent team of plain pthreads in one process, pinned like the
 * process team and meeting at the same spin-then-futex barrier (release, then join) for every
 * command. Beside omp (the same process, the OpenMP runtime) and proc (the same team and
 * barrier, as processes) it separates what the runtime costs from what processes cost. */
#include "barrier.h"
#include "variant.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct ceil_variant_ops ceil_threads_ops;

enum team_op { OP_INIT, OP_TICKS, OP_EXIT };

/* What a worker reports back after a command. */
struct slot {
    int rc;
    char msg[CEIL_ERRLEN];
};

struct threads_run {
    struct ceil_run base; /* first: the harness sees a struct ceil_run */
    _Alignas(64) struct ceil_barrier start;
    _Alignas(64) struct ceil_barrier end;
    _Alignas(64) int op;   /* the command, written by worker 0 before the start barrier */
    unsigned long ticks;
    int enter, leave;      /* call the hooks before / after these ticks */
    struct slot *slots;
    pthread_t *threads;    /* threads[w] runs worker w >= 1; worker 0 is the caller */
    unsigned started;      /* threads created */
    /* Before the barriers: the created threads wait here until all exist (go) or one could not
     * be created (abandon), so that a failed start never leaves a barrier short of parties. */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int go, abandon, barriers_ready;
};

struct worker_arg {
    struct threads_run *t;
    unsigned w;
};

/* Worker w's part of the current command. */
static int do_op(struct threads_run *t, unsigned w)
{
    struct ceil_run *r = &t->base;
    if (t->op == OP_INIT) {
        r->cfg.kernel->init(r->arrays.a, r->slices[w].begin, r->slices[w].end);
        return 0;
    }
    const struct ceil_hooks *h = r->cfg.hooks;
    if (h && t->enter)
        h->enter(h->ctx);
    int rc = ceil_run_worker_ticks(r, w, t->ticks, NULL, NULL);
    if (h && t->leave)
        h->leave(h->ctx);
    return rc;
}

static void *worker_main(void *arg)
{
    struct threads_run *t = ((struct worker_arg *)arg)->t;
    unsigned w = ((struct worker_arg *)arg)->w;
    free(arg);
    pthread_mutex_lock(&t->lock);
    while (!t->go && !t->abandon)
        pthread_cond_wait(&t->cond, &t->lock);
    int abandon = t->abandon;
    pthread_mutex_unlock(&t->lock);
    if (abandon)
        return NULL;
    int pin_rc = ceil_run_pin(&t->base, w, t->slots[w].msg);
    for (;;) {
        ceil_barrier_wait(&t->start, NULL, NULL, 0);
        if (t->op == OP_EXIT)
            return NULL;
        t->slots[w].rc = pin_rc ? pin_rc : do_op(t, w);
        ceil_barrier_wait(&t->end, NULL, NULL, 0);
    }
}

/* One command: every worker runs its part between the start and the end barrier, worker 0 here. */
static int command(struct threads_run *t, enum team_op op, unsigned long ticks, int enter, int leave,
                   char err[CEIL_ERRLEN])
{
    t->op = (int)op;
    t->ticks = ticks;
    t->enter = enter;
    t->leave = leave;
    ceil_barrier_wait(&t->start, NULL, NULL, 0);
    if (op == OP_EXIT)
        return 0;
    t->slots[0].rc = do_op(t, 0);
    ceil_barrier_wait(&t->end, NULL, NULL, 0);
    for (unsigned w = 0; w < t->base.workers; w++)
        if (t->slots[w].rc == -EINTR)
            return ceil_stop_error(err);
    for (unsigned w = 0; w < t->base.workers; w++)
        if (t->slots[w].rc) {
            snprintf(err, CEIL_ERRLEN, "worker %u: %.200s", w, t->slots[w].msg);
            return t->slots[w].rc;
        }
    return 0;
}

static void threads_release(struct ceil_run *r)
{
    if (!r)
        return;
    struct threads_run *t = (struct threads_run *)r;
    char err[CEIL_ERRLEN];
    pthread_mutex_lock(&t->lock);
    int running = t->go;
    t->abandon = !t->go;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    if (running)
        command(t, OP_EXIT, 0, 0, 0, err);
    for (unsigned w = 1; w <= t->started; w++)
        pthread_join(t->threads[w], NULL);
    if (t->barriers_ready) {
        ceil_barrier_destroy(&t->start);
        ceil_barrier_destroy(&t->end);
    }
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->cond);
    free(t->threads);
    free(t->slots);
    ceil_run_teardown(r);
    free(t);
}

/* Creates workers 1..W-1 and lets them go once all exist; or, if one cannot be created, sends
 * those that exist home. */
static int start_team(struct threads_run *t, char err[CEIL_ERRLEN])
{
    unsigned workers = t->base.workers;
    int use_pthread = t->base.cfg.barrier == CEIL_BARRIER_PTHREAD, rc;
    if ((rc = ceil_barrier_init(&t->start, workers, ceil_cpus_online(), use_pthread)) != 0 ||
        (rc = ceil_barrier_init(&t->end, workers, ceil_cpus_online(), use_pthread)) != 0) {
        snprintf(err, CEIL_ERRLEN, "cannot set up the team's barriers: %s", strerror(-rc));
        return rc;
    }
    t->barriers_ready = 1;
    for (unsigned w = 1; w < workers; w++) {
        struct worker_arg *a = malloc(sizeof *a);
        if (a)
            *a = (struct worker_arg){ t, w };
        rc = a ? pthread_create(&t->threads[w], NULL, worker_main, a) : ENOMEM;
        if (rc) {
            free(a);
            snprintf(err, CEIL_ERRLEN, "cannot start worker thread %u of %u: %s", w, workers, strerror(rc));
            return -rc;
        }
        t->started = w;
    }
    pthread_mutex_lock(&t->lock);
    t->go = 1;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
    return 0;
}

static int threads_prepare(const struct ceil_config *cfg, struct ceil_run **out, char err[CEIL_ERRLEN])
{
    /* aligned, as the barriers are, to keep each on its own cache line */
    size_t size = (sizeof(struct threads_run) + 63) / 64 * 64;
    struct threads_run *t = aligned_alloc(64, size);
    if (!t)
        return -ENOMEM;
    memset(t, 0, size);
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, NULL);
    int rc = ceil_run_setup(&t->base, &ceil_threads_ops, cfg, cfg->workers, err);
    if (rc) {
        pthread_mutex_destroy(&t->lock);
        pthread_cond_destroy(&t->cond);
        free(t);
        return rc;
    }
    t->slots = calloc(cfg->workers, sizeof *t->slots);
    t->threads = calloc(cfg->workers, sizeof *t->threads);
    if (!t->slots || !t->threads) {
        snprintf(err, CEIL_ERRLEN, "out of memory for %u workers", cfg->workers);
        rc = -ENOMEM;
    }
    if (rc == 0)
        rc = start_team(t, err);
    if (rc == 0)
        rc = ceil_run_pin(&t->base, 0, err);
    if (rc == 0) /* every worker first-touches its own slice */
        rc = command(t, OP_INIT, 0, 0, 0, err);
    if (rc) {
        threads_release(&t->base);
        return rc;
    }
    *out = &t->base;
    return 0;
}

static int threads_run(struct ceil_run *r, unsigned long ticks, enum ceil_mode mode, char err[CEIL_ERRLEN])
{
    struct threads_run *t = (struct threads_run *)r;
    if (mode == CEIL_BATCHED)
        return command(t, OP_TICKS, ticks, 1, 1, err);
    for (unsigned long k = 0; k < ticks; k++) {
        /* decided before the command, so that every worker that entered the hooks also leaves */
        int last = k + 1 == ticks || ceil_stop_signal() != 0;
        int rc = command(t, OP_TICKS, 1, k == 0, last, err);
        if (rc)
            return rc;
        if (last && k + 1 < ticks)
            return ceil_stop_error(err);
    }
    return 0;
}

const struct ceil_variant_ops ceil_threads_ops = { threads_prepare, threads_run, threads_release, NULL, NULL };
