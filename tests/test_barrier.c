/* The process barrier separates episodes: nobody leaves episode e before everybody has
 * arrived in it, with as many processes as CPUs and with more (where spinning must stop). */
#include "barrier.h"
#include "expect.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

enum { EPISODES = 3000 };

struct shared {
    struct ceil_barrier barrier;
    _Atomic unsigned arrivals;
};

/* Each process counts its arrival, waits, and checks that all arrivals of the episode are in. */
static int participant(struct shared *sh, unsigned parties)
{
    for (unsigned e = 1; e <= EPISODES; e++) {
        atomic_fetch_add(&sh->arrivals, 1);
        ceil_barrier_wait(&sh->barrier, NULL, NULL, 0);
        if (atomic_load(&sh->arrivals) < e * parties)
            return 1;
        ceil_barrier_wait(&sh->barrier, NULL, NULL, 0); /* nobody starts e+1 before all checked */
    }
    return 0;
}

static void run(unsigned parties, unsigned cpus, int use_pthread)
{
    struct shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    EXPECT(sh != MAP_FAILED, "no shared memory");
    if (sh == MAP_FAILED)
        return;
    atomic_init(&sh->arrivals, 0);
    EXPECT(ceil_barrier_init(&sh->barrier, parties, cpus, use_pthread) == 0, "barrier init");
    pid_t pids[64];
    for (unsigned p = 1; p < parties; p++)
        if ((pids[p] = fork()) == 0)
            _exit(participant(sh, parties));
    int bad = participant(sh, parties);
    EXPECT(!bad, "%u parties, pthread=%d: the parent left an episode early", parties, use_pthread);
    for (unsigned p = 1; p < parties; p++) {
        int status;
        waitpid(pids[p], &status, 0);
        EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
               "%u parties, pthread=%d: participant %u left an episode early", parties, use_pthread, p);
    }
    EXPECT(atomic_load(&sh->arrivals) == parties * EPISODES, "arrivals %u", atomic_load(&sh->arrivals));
    ceil_barrier_destroy(&sh->barrier);
    munmap(sh, sizeof *sh);
}

int main(void)
{
    unsigned cpus = ceil_cpus_online();
    run(2, cpus, 0);
    run(3, cpus, 0);
    run(2 * cpus + 1, cpus, 0); /* oversubscribed: sleeps at once */
    run(2, cpus, 1);
    run(3, cpus, 1);
    return EXPECT_DONE();
}
