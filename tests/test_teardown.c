/* The process team torn down many times over: workers that leave when told to are not reported
 * as dead, with either barrier. A watchdog poll between the exit command and the reap once read
 * a clean exit as a death and ended the process; CEIL_INJECT=exit:1 (a parent slow to reap)
 * widens that window past a poll in every round that sets it. */
#include "expect.h"
#include "team.h"

#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const unsigned teams[] = { 2, 9 }; /* 9 on 2 CPUs: the barrier sleeps rather than spins */

static void one_team(unsigned workers, enum ceil_barrier_kind barrier, unsigned round)
{
    char err[CEIL_ERRLEN];
    struct ceil_config cfg = { .kernel = ceil_kernel_find("motion"), .n = 4096, .workers = workers,
                               .barrier = barrier };
    struct ceil_run *r = NULL;
    int rc = ceil_proc_ops.prepare(&cfg, &r, err);
    EXPECT(rc == 0, "round %u: %s", round, err);
    if (rc)
        return;
    rc = ceil_proc_ops.run(r, 1, CEIL_BATCHED, err);
    EXPECT(rc == 0, "round %u: %s", round, err);
    ceil_proc_ops.release(r);
}

int main(int argc, char **argv)
{
    unsigned rounds = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 200, slow = 10;
    static const enum ceil_barrier_kind barriers[] = { CEIL_BARRIER_PTHREAD, CEIL_BARRIER_FUTEX };
    double t0 = now();
    unsigned done = 0;
    for (unsigned b = 0; b < sizeof barriers / sizeof barriers[0]; b++) {
        setenv("CEIL_INJECT", "exit:1", 1);
        for (unsigned i = 0; i < slow; i++, done++)
            one_team(teams[i % 2], barriers[b], i);
        unsetenv("CEIL_INJECT");
        for (unsigned i = 0; i < rounds; i++, done++)
            one_team(teams[i % 2], barriers[b], i);
    }
    printf("%u teams of 2 and 9 workers started and stopped (%u with a slow reap) in %.1f s\n", done,
           2 * slow, now() - t0);
    return EXPECT_DONE();
}
