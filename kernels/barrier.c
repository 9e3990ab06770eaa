/* The futex barrier, and the pthread one it is compared with. */
#include "barrier.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { SPINS_DEFAULT = 4000 }; /* about 20-100 us of pause: longer than a barrier round trip */

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Not FUTEX_PRIVATE: the word is shared between processes. */
static long futex_wait(_Atomic uint32_t *word, uint32_t expected, const struct timespec *timeout)
{
    return syscall(SYS_futex, word, FUTEX_WAIT, expected, timeout, NULL, 0);
}

static void futex_wake_all(_Atomic uint32_t *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

int ceil_barrier_init(struct ceil_barrier *b, unsigned parties, unsigned cpus, int use_pthread)
{
    atomic_init(&b->arrived, 0);
    atomic_init(&b->episode, 0);
    atomic_init(&b->sleepers, 0);
    b->parties = parties;
    b->spins = parties > cpus ? 0 : SPINS_DEFAULT;
    b->use_pthread = use_pthread;
    if (!use_pthread)
        return 0;
    pthread_barrierattr_t attr;
    int rc = pthread_barrierattr_init(&attr);
    if (rc == 0)
        rc = pthread_barrierattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    if (rc == 0)
        rc = pthread_barrier_init(&b->pthread, &attr, parties);
    pthread_barrierattr_destroy(&attr);
    return -rc;
}

void ceil_barrier_destroy(struct ceil_barrier *b)
{
    if (b->use_pthread)
        pthread_barrier_destroy(&b->pthread);
}

int ceil_barrier_wait(struct ceil_barrier *b, ceil_barrier_poll *poll, void *ctx, int poll_ms)
{
    if (b->use_pthread) {
        int rc = pthread_barrier_wait(&b->pthread);
        return rc == 0 || rc == PTHREAD_BARRIER_SERIAL_THREAD ? 0 : -rc;
    }
    /* Read the episode before arriving: once we have arrived it may end at any moment. */
    uint32_t episode = atomic_load_explicit(&b->episode, memory_order_acquire);
    if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) + 1 == b->parties) {
        atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
        /* seq_cst pairs with the sleepers increment: either we see the sleeper, or its
         * futex_wait sees the new episode and does not sleep. */
        atomic_fetch_add(&b->episode, 1);
        if (atomic_load(&b->sleepers))
            futex_wake_all(&b->episode);
        return 0;
    }
    for (uint32_t i = 0; i < b->spins; i++) {
        if (atomic_load_explicit(&b->episode, memory_order_acquire) != episode)
            return 0;
        cpu_relax();
    }
    struct timespec timeout = { poll_ms / 1000, (long)(poll_ms % 1000) * 1000000L };
    atomic_fetch_add(&b->sleepers, 1);
    int rc = 0;
    while (atomic_load_explicit(&b->episode, memory_order_acquire) == episode) {
        futex_wait(&b->episode, episode, poll ? &timeout : NULL);
        if (poll && atomic_load_explicit(&b->episode, memory_order_acquire) == episode &&
            (rc = poll(ctx)) != 0)
            break;
    }
    atomic_fetch_sub(&b->sleepers, 1);
    return rc;
}

unsigned ceil_cpus_online(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}
