/* A barrier for processes sharing memory: spin briefly, then sleep on a futex. */
#ifndef CEIL_BARRIER_H
#define CEIL_BARRIER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/* Lives in shared memory. One counter and one episode number: a centralised, sense-reversing
 * barrier. Fast while participants <= CPUs (they spin, a release costs one cache-line
 * transfer); with more participants than CPUs it stops spinning and sleeps at once, so a
 * descheduled participant is not starved by spinners. */
struct ceil_barrier {
    _Atomic uint32_t arrived;  /* in the current episode */
    _Atomic uint32_t episode;  /* the futex word: bumped when everyone has arrived */
    _Atomic uint32_t sleepers; /* in futex_wait: the releaser calls futex_wake only if any */
    uint32_t parties;
    uint32_t spins;            /* pause iterations before sleeping */
    int use_pthread;
    pthread_barrier_t pthread; /* the comparison: PTHREAD_PROCESS_SHARED */
};

/* Called while waiting, every `poll_ms` at most; a non-zero return abandons the wait and is
 * returned by ceil_barrier_wait. NULL: wait as long as it takes. */
typedef int ceil_barrier_poll(void *ctx);

/* Prepares b (already in shared memory) for `parties` participants. `cpus` is how many CPUs
 * they share: spinning is off when parties > cpus. Returns 0 or -errno. */
int ceil_barrier_init(struct ceil_barrier *b, unsigned parties, unsigned cpus, int use_pthread);
void ceil_barrier_destroy(struct ceil_barrier *b);

/* Waits until all parties have called it in this episode. Returns 0, or what poll returned.
 * A pthread barrier cannot be abandoned: poll is not called for it. */
int ceil_barrier_wait(struct ceil_barrier *b, ceil_barrier_poll *poll, void *ctx, int poll_ms);

/* CPUs online: how many CPUs the parties of a barrier on this machine can share (at least 1). */
unsigned ceil_cpus_online(void);

#endif
