/* The process team: fork once, pin, first-touch, then run commands between two barriers. */
#include "team.h"

#include "barrier.h"

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { POLL_MS = 50, EXIT_GRACE_MS = 1000 };
enum team_op { OP_INIT, OP_TICKS, OP_EXIT };

/* What a worker reports back after a command. */
struct slot {
    int rc;
    char msg[CEIL_ERRLEN];
};

/* The team's shared memory: the command, the two barriers, each worker's report. */
struct shared {
    _Alignas(64) struct ceil_barrier start;
    _Alignas(64) struct ceil_barrier end;
    _Alignas(64) volatile int abort; /* parent to workers: leave now */
    int op;
    unsigned long ticks;
    struct slot slot[];
};

/* Fault injection, for the tests of failure handling: CEIL_INJECT=WHERE:WORKER[:SIGNAL] (see
 * team.h). Read once when a team starts; nothing is checked in the tick loop. */
enum inject_where { INJECT_NONE, INJECT_START, INJECT_TICK, INJECT_BARRIER, INJECT_FORK, INJECT_EXIT };

struct inject {
    enum inject_where where;
    unsigned worker;
    int sig;
};

struct ceil_team {
    struct ceil_run *run;
    struct inject inject;
    struct shared *sh;
    size_t sh_bytes;
    unsigned workers;
    pid_t *pids;        /* pids[w] > 0 while worker w (w >= 1) is not reaped; pids[0] is us */
    int torn_down;      /* workers gone after a failure: only ceil_team_stop may follow */
    int killed;         /* a worker was killed, or the owner released, maybe inside a barrier */
    char why[CEIL_ERRLEN];
    /* The pthread barrier cannot be abandoned, so with it a watchdog thread polls instead; on a
     * death it tears the team down, sets `dead` and signals the owner (the thread that drives the
     * team), which leaves its barrier (release_owner) and returns the error to its caller. */
    pthread_t watchdog, owner;
    int has_watchdog, has_release;
    volatile int dead;  /* the watchdog tore the team down; dead_rc says why (-ECHILD, -EINTR) */
    int dead_rc;
    pthread_mutex_t lock;
    pthread_cond_t quit_cond;
    int quit;
};

/* A signal handler the teams share, installed by the first and restored by the last. */
struct shared_handler {
    int (*signo)(void); /* SIGRTMIN is not a constant */
    void (*fn)(int);
    int flags;
    unsigned users;
    struct sigaction saved;
};

static int install_handler(struct shared_handler *h)
{
    if (h->users++ > 0)
        return 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h->fn;
    sa.sa_flags = h->flags;
    sigemptyset(&sa.sa_mask);
    if (sigaction(h->signo(), &sa, &h->saved) != 0) {
        h->users--;
        return -errno;
    }
    return 0;
}

static void restore_handler(struct shared_handler *h)
{
    if (h->users > 0 && --h->users == 0)
        sigaction(h->signo(), &h->saved, NULL);
}

/* Set by SIGCHLD: the parent checks it between its own ticks. */
static volatile int child_event;

static void on_sigchld(int signo)
{
    (void)signo;
    child_event = 1;
}

static int sigchld_number(void) { return SIGCHLD; }
static struct shared_handler sigchld_handler = { .signo = sigchld_number, .fn = on_sigchld,
                                                 .flags = SA_RESTART | SA_NOCLDSTOP };
static int install_sigchld(void) { return install_handler(&sigchld_handler); }
static void restore_sigchld(void) { restore_handler(&sigchld_handler); }

/* SIGRTMIN, while a team with the watchdog exists: the owner waiting at a pthread barrier jumps
 * out of it. glibc's barrier holds no lock, so nothing but the barrier itself is left behind, and
 * a barrier left so is never used or destroyed again. */
static __thread sigjmp_buf *release_jump; /* set while this thread waits at a pthread barrier */

static void release_owner(int signo)
{
    (void)signo;
    if (release_jump)
        siglongjmp(*release_jump, 1);
}

static int release_number(void) { return SIGRTMIN; }
static struct shared_handler release_handler = { .signo = release_number, .fn = release_owner };
static int install_release(void) { return install_handler(&release_handler); }
static void restore_release(void) { restore_handler(&release_handler); }

static void describe_death(struct ceil_team *t, unsigned w, int status)
{
    int cpu = t->run->cfg.cpus ? t->run->cfg.cpus[w] : -1;
    if (WIFSIGNALED(status))
        snprintf(t->why, sizeof t->why, "worker %u (pid %d, CPU %d) was killed by signal %d (%s)",
                 w, (int)t->pids[w], cpu, WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(t->why, sizeof t->why, "worker %u (pid %d, CPU %d) exited with status %d", w,
                 (int)t->pids[w], cpu, WEXITSTATUS(status));
}

/* Has a worker died, or was a stop requested? Reaps a dead worker. Returns 0 or -errno. */
static int team_poll(void *ctx)
{
    struct ceil_team *t = ctx;
    if (ceil_stop_signal())
        return ceil_stop_error(t->why);
    for (unsigned w = 1; w < t->workers; w++) {
        int status;
        if (t->pids[w] > 0 && waitpid(t->pids[w], &status, WNOHANG) == t->pids[w]) {
            if (t->sh->op == OP_EXIT && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                t->pids[w] = 0; /* told to leave, and left: not a death */
                continue;
            }
            describe_death(t, w, status);
            t->pids[w] = 0;
            return -ECHILD;
        }
    }
    return 0;
}

static void kill_and_reap(struct ceil_team *t)
{
    t->sh->abort = 1;
    for (unsigned w = 1; w < t->workers; w++) {
        if (t->pids[w] > 0) {
            kill(t->pids[w], SIGKILL);
            t->killed = 1;
        }
    }
    for (unsigned w = 1; w < t->workers; w++) {
        while (t->pids[w] > 0 && waitpid(t->pids[w], NULL, 0) < 0 && errno == EINTR)
            ;
        t->pids[w] = 0;
    }
    t->torn_down = 1;
}

/* glibc's pthread_barrier_destroy waits for every party that entered the barrier to leave it;
 * a worker killed inside it never leaves. So after a kill the barriers are only unmapped: they
 * hold nothing else. */
static void destroy_barriers(struct ceil_team *t)
{
    if (t->killed)
        return;
    ceil_barrier_destroy(&t->sh->start);
    ceil_barrier_destroy(&t->sh->end);
}

static int team_fail(struct ceil_team *t, int rc, char err[CEIL_ERRLEN])
{
    pthread_mutex_lock(&t->lock); /* the watchdog may be tearing down too */
    if (!t->torn_down)
        kill_and_reap(t);
    pthread_mutex_unlock(&t->lock);
    snprintf(err, CEIL_ERRLEN, "%s", t->why);
    return rc;
}

/* Worker w's part of the current command; `attention` interrupts a batched loop. */
static int do_op(struct ceil_team *t, unsigned w, unsigned long ticks, const volatile int *attention,
                 unsigned long *done)
{
    struct ceil_run *r = t->run;
    if (t->sh->op == OP_INIT) {
        r->cfg.kernel->init(r->arrays.a, r->slices[w].begin, r->slices[w].end);
        return 0;
    }
    return ceil_run_worker_ticks(r, w, ticks, attention, done);
}

static void inject_here(const struct ceil_team *t, unsigned w, enum inject_where where)
{
    if (t->inject.where == where && t->inject.worker == w) {
        signal(t->inject.sig, SIG_DFL);
        raise(t->inject.sig);
    }
}

static _Noreturn void worker_main(struct ceil_team *t, unsigned w, pid_t parent)
{
    struct shared *sh = t->sh;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(1);
    signal(SIGINT, SIG_IGN); /* the parent handles ^C and tears the team down */
    signal(SIGTERM, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    inject_here(t, w, INJECT_START);
    int pin_rc = ceil_run_pin(t->run, w, sh->slot[w].msg);
    for (int first_ticks = 1;;) {
        ceil_barrier_wait(&sh->start, NULL, NULL, 0);
        if (sh->abort || sh->op == OP_EXIT)
            _exit(0);
        int ticking = sh->op == OP_TICKS;
        if (ticking && first_ticks && t->inject.where == INJECT_TICK && t->inject.worker == w) {
            do_op(t, w, sh->ticks > 1 ? sh->ticks / 2 : 1, &sh->abort, NULL); /* part way through */
            inject_here(t, w, INJECT_TICK);
        }
        sh->slot[w].rc = pin_rc ? pin_rc : do_op(t, w, sh->ticks, &sh->abort, NULL);
        if (ticking && first_ticks)
            inject_here(t, w, INJECT_BARRIER);
        first_ticks &= !ticking;
        ceil_barrier_wait(&sh->end, NULL, NULL, 0);
    }
}

/* "start:1:KILL", "tick:2:SEGV", "barrier:1", "fork:2": -EINVAL for anything else. */
static int parse_inject(const char *text, struct inject *in, char err[CEIL_ERRLEN])
{
    static const struct { const char *name; enum inject_where where; } wheres[] = {
        { "start", INJECT_START }, { "tick", INJECT_TICK }, { "barrier", INJECT_BARRIER }, { "fork", INJECT_FORK },
        { "exit", INJECT_EXIT },
    };
    static const struct { const char *name; int sig; } sigs[] = {
        { "KILL", SIGKILL }, { "SEGV", SIGSEGV }, { "TERM", SIGTERM }, { "ABRT", SIGABRT }, { "BUS", SIGBUS },
    };
    char where[16] = "", sig[16] = "KILL";
    unsigned worker;
    memset(in, 0, sizeof *in);
    if (!text || !*text)
        return 0;
    int got = sscanf(text, "%15[a-z]:%u:%15[A-Z]", where, &worker, sig);
    for (unsigned i = 0; got >= 2 && i < sizeof wheres / sizeof wheres[0]; i++)
        if (strcmp(where, wheres[i].name) == 0)
            in->where = wheres[i].where;
    for (unsigned i = 0; in->where && i < sizeof sigs / sizeof sigs[0]; i++)
        if (strcmp(sig, sigs[i].name) == 0)
            in->sig = sigs[i].sig;
    if (!in->where || !in->sig || worker == 0) {
        snprintf(err, CEIL_ERRLEN, "CEIL_INJECT='%s': expected WHERE:WORKER[:SIGNAL], WHERE one of start, tick, "
                 "barrier, fork, exit, WORKER >= 1, SIGNAL one of KILL, SEGV, TERM, ABRT, BUS", text);
        memset(in, 0, sizeof *in);
        return -EINVAL;
    }
    in->worker = worker;
    return 0;
}

/* The owner's wait at barrier b. With the futex barrier it polls the workers while it waits;
 * with the pthread barrier the watchdog does, and releases it (-ECHILD or -EINTR) on a death. */
static int owner_wait(struct ceil_team *t, struct ceil_barrier *b)
{
    if (!t->has_watchdog)
        return ceil_barrier_wait(b, team_poll, t, POLL_MS);
    sigjmp_buf jump;
    if (sigsetjmp(jump, 1)) { /* released: the barrier keeps our arrival, so it is never destroyed */
        release_jump = NULL;
        t->killed = 1;
        return t->dead_rc;
    }
    release_jump = &jump;
    int rc = __atomic_load_n(&t->dead, __ATOMIC_ACQUIRE) ? t->dead_rc : ceil_barrier_wait(b, NULL, NULL, 0);
    release_jump = NULL;
    return rc;
}

/* The parent's own part of a command. With the futex barrier it polls the workers whenever
 * SIGCHLD arrives between its ticks; with the pthread barrier the watchdog does that, and its
 * verdict ends the ticks. */
static int parent_op(struct ceil_team *t)
{
    const volatile int *attention = t->has_watchdog ? &t->dead : &child_event;
    unsigned long total = t->sh->ticks, done_all = 0;
    for (;;) {
        unsigned long done = 0;
        int rc = do_op(t, 0, total - done_all, attention, &done);
        done_all += done;
        if (rc == 0)
            return 0;
        if (t->has_watchdog) /* the watchdog's verdict, or a stop request */
            return __atomic_load_n(&t->dead, __ATOMIC_ACQUIRE) ? t->dead_rc : ceil_stop_error(t->why);
        child_event = 0;
        if ((rc = team_poll(t)) != 0)
            return rc;
        if (done_all >= total)
            return 0;
    }
}

static int team_command(struct ceil_team *t, enum team_op op, unsigned long ticks, char err[CEIL_ERRLEN])
{
    struct shared *sh = t->sh;
    if (t->torn_down) {
        snprintf(err, CEIL_ERRLEN, "the process team is gone: %.200s", t->why);
        return -ECHILD;
    }
    sh->op = (int)op;
    sh->ticks = ticks;
    int rc = owner_wait(t, &sh->start);
    if (rc)
        return team_fail(t, rc, err);
    if (op == OP_EXIT)
        return 0;
    if ((rc = parent_op(t)) != 0)
        return team_fail(t, rc, err);
    if ((rc = owner_wait(t, &sh->end)) != 0)
        return team_fail(t, rc, err);
    for (unsigned w = 1; w < t->workers; w++) {
        if (sh->slot[w].rc) {
            snprintf(t->why, sizeof t->why, "worker %u: %.200s", w, sh->slot[w].msg);
            return team_fail(t, sh->slot[w].rc, err);
        }
    }
    return 0;
}

static void *watchdog_main(void *arg)
{
    struct ceil_team *t = arg;
    pthread_mutex_lock(&t->lock);
    while (!t->quit) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += POLL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&t->quit_cond, &t->lock, &until);
        int rc;
        if (!t->quit && !t->torn_down && (rc = team_poll(t)) != 0) {
            /* the owner may be inside pthread_barrier_wait for good: tear down, then release it */
            kill_and_reap(t);
            t->dead_rc = rc;
            __atomic_store_n(&t->dead, 1, __ATOMIC_RELEASE);
            pthread_kill(t->owner, SIGRTMIN);
        }
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

static void stop_watchdog(struct ceil_team *t)
{
    if (!t->has_watchdog)
        return;
    pthread_mutex_lock(&t->lock);
    t->quit = 1;
    pthread_cond_signal(&t->quit_cond);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->watchdog, NULL); /* a release it sent reached us inside the join */
    t->has_watchdog = 0;
    if (t->has_release)
        restore_release();
    t->has_release = 0;
}

int ceil_team_start(struct ceil_run *r, struct ceil_team **out, char err[CEIL_ERRLEN])
{
    struct ceil_team *t = calloc(1, sizeof *t);
    if (!t)
        return -ENOMEM;
    t->run = r;
    t->workers = r->workers;
    t->pids = calloc(r->workers, sizeof *t->pids);
    t->sh_bytes = sizeof *t->sh + r->workers * sizeof t->sh->slot[0];
    t->sh = mmap(NULL, t->sh_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->quit_cond, NULL);
    int rc = parse_inject(getenv("CEIL_INJECT"), &t->inject, err);
    if (rc)
        goto fail;
    if (!t->pids || t->sh == MAP_FAILED) {
        t->sh = t->sh == MAP_FAILED ? NULL : t->sh;
        snprintf(err, CEIL_ERRLEN, "cannot map the team's shared control block: %s", strerror(errno));
        rc = -ENOMEM;
        goto fail;
    }
    int use_pthread = r->cfg.barrier == CEIL_BARRIER_PTHREAD;
    unsigned cpus = ceil_cpus_online();
    if ((rc = ceil_barrier_init(&t->sh->start, t->workers, cpus, use_pthread)) != 0 ||
        (rc = ceil_barrier_init(&t->sh->end, t->workers, cpus, use_pthread)) != 0) {
        snprintf(err, CEIL_ERRLEN, "cannot set up the team's barriers: %s", strerror(-rc));
        goto fail;
    }
    if ((rc = install_sigchld()) != 0) {
        snprintf(err, CEIL_ERRLEN, "cannot install the SIGCHLD handler: %s", strerror(-rc));
        goto fail_barriers;
    }
    pid_t parent = getpid();
    t->pids[0] = parent;
    fflush(NULL); /* a child never flushes, but nothing buffered should be there twice */
    for (unsigned w = 1; w < t->workers; w++) {
        pid_t pid = t->inject.where == INJECT_FORK && t->inject.worker == w ? (errno = EAGAIN, -1) : fork();
        if (pid == 0)
            worker_main(t, w, parent);
        if (pid < 0) {
            rc = -errno;
            snprintf(t->why, sizeof t->why, "cannot fork worker %u of %u: %s", w, t->workers,
                     strerror(errno));
            kill_and_reap(t);
            snprintf(err, CEIL_ERRLEN, "%s", t->why);
            goto fail_handler;
        }
        t->pids[w] = pid;
    }
    if (use_pthread) {
        t->owner = pthread_self();
        t->has_release = (rc = install_release()) == 0;
        if (rc == 0)
            rc = -pthread_create(&t->watchdog, NULL, watchdog_main, t);
        if (rc != 0) {
            snprintf(t->why, sizeof t->why, "cannot start the team's watchdog: %s", strerror(-rc));
            team_fail(t, rc, err);
            if (t->has_release)
                restore_release();
            goto fail_handler;
        }
        t->has_watchdog = 1;
    }
    if ((rc = ceil_run_pin(r, 0, err)) != 0) {
        snprintf(t->why, sizeof t->why, "%s", err);
        stop_watchdog(t);
        team_fail(t, rc, err);
        goto fail_handler;
    }
    if ((rc = team_command(t, OP_INIT, 0, err)) != 0) {
        stop_watchdog(t);
        goto fail_handler;
    }
    *out = t;
    return 0;

fail_handler:
    restore_sigchld();
fail_barriers:
    destroy_barriers(t);
fail:
    if (t->sh && t->sh != MAP_FAILED)
        munmap(t->sh, t->sh_bytes);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->quit_cond);
    free(t->pids);
    free(t);
    return rc;
}

int ceil_team_ticks(struct ceil_team *t, unsigned long ticks, enum ceil_mode mode, char err[CEIL_ERRLEN])
{
    if (mode == CEIL_BATCHED)
        return team_command(t, OP_TICKS, ticks, err);
    for (unsigned long k = 0; k < ticks; k++) {
        int rc = team_command(t, OP_TICKS, 1, err);
        if (rc)
            return rc;
    }
    return 0;
}

int ceil_team_pid(const struct ceil_team *t, unsigned w)
{
    return w < t->workers ? (int)t->pids[w] : -1;
}

/* Reaps the workers after OP_EXIT, giving them EXIT_GRACE_MS before SIGKILL. */
static void reap_with_grace(struct ceil_team *t)
{
    struct timespec nap = { 0, 1000000L };
    for (int waited = 0; waited < EXIT_GRACE_MS; waited++) {
        unsigned left = 0;
        for (unsigned w = 1; w < t->workers; w++) {
            if (t->pids[w] > 0 && waitpid(t->pids[w], NULL, WNOHANG) == t->pids[w])
                t->pids[w] = 0;
            left += t->pids[w] > 0;
        }
        if (left == 0)
            return;
        nanosleep(&nap, NULL);
    }
    kill_and_reap(t);
}

void ceil_team_stop(struct ceil_team *t)
{
    if (!t)
        return;
    char err[CEIL_ERRLEN];
    int told = !t->torn_down && team_command(t, OP_EXIT, 0, err) == 0;
    if (told && t->inject.where == INJECT_EXIT) {
        struct timespec slow = { 0, 3 * POLL_MS * 1000000L }; /* a parent descheduled before it reaps */
        nanosleep(&slow, NULL);
    }
    /* Past the exit command no one waits in a barrier: the watchdog has nothing left to guard,
     * and the reap below is then the only waitpid. */
    stop_watchdog(t);
    if (told)
        reap_with_grace(t);
    if (!t->torn_down)
        kill_and_reap(t);
    restore_sigchld();
    destroy_barriers(t);
    munmap(t->sh, t->sh_bytes);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->quit_cond);
    free(t->pids);
    free(t);
}
