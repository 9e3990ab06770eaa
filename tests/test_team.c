/* The process team: workers pinned where asked, the caller's binding given back, a dead worker
 * reported and every child reaped, a stop request honoured. */
#include "expect.h"
#include "team.h"
#include "topology.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int alive(int pid) { return pid > 0 && kill(pid, 0) == 0; }

int main(void)
{
    const struct ceil_variant_ops *proc = &ceil_proc_ops;
    struct ceil_topo topo;
    char err[CEIL_ERRLEN];
    if (ceil_topo_load(&topo, NULL, err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    enum { W = 3 };
    int cpus[W];
    for (unsigned w = 0; w < W; w++)
        cpus[w] = ceil_topo_cpu_for(&topo, w);
    struct ceil_config cfg = { .kernel = ceil_kernel_find("motion"), .n = 100000, .workers = W,
                               .cpus = cpus, .topology = topo.topo };

    hwloc_bitmap_t before = hwloc_bitmap_alloc(), after = hwloc_bitmap_alloc();
    hwloc_get_cpubind(topo.topo, before, HWLOC_CPUBIND_THREAD);

    /* pinned where asked; binding restored; children gone after release */
    struct ceil_run *r = NULL;
    EXPECT(proc->prepare(&cfg, &r, err) == 0, "%s", err);
    if (r) {
        for (unsigned w = 0; w < W; w++)
            EXPECT(r->cpu_of[w] == cpus[w], "worker %u runs on CPU %d, pinned to %d", w, r->cpu_of[w], cpus[w]);
        EXPECT(proc->run(r, 10, CEIL_PERTICK, err) == 0, "%s", err);
        int pids[W];
        for (unsigned w = 0; w < W; w++)
            pids[w] = ceil_proc_pid(r, w);
        EXPECT(pids[0] == getpid(), "worker 0 is not the caller");
        proc->release(r);
        for (unsigned w = 1; w < W; w++)
            EXPECT(!alive(pids[w]), "worker %u (pid %d) outlived release", w, pids[w]);
    }
    hwloc_get_cpubind(topo.topo, after, HWLOC_CPUBIND_THREAD);
    EXPECT(hwloc_bitmap_isequal(before, after), "the caller's CPU binding was not restored");

    /* a worker killed between commands: the next command fails, names it, reaps everyone */
    r = NULL;
    EXPECT(proc->prepare(&cfg, &r, err) == 0, "%s", err);
    if (r) {
        int victim = ceil_proc_pid(r, 2), other = ceil_proc_pid(r, 1);
        kill(victim, SIGKILL);
        int rc = proc->run(r, 1000, CEIL_BATCHED, err);
        EXPECT(rc == -ECHILD, "run returned %d after a worker died", rc);
        EXPECT(strstr(err, "worker 2") && strstr(err, "signal 9"), "reported as '%s'", err);
        EXPECT(!alive(other), "worker 1 (pid %d) survived its team", other);
        EXPECT(proc->run(r, 1, CEIL_BATCHED, err) == -ECHILD, "a broken team ran again");
        proc->release(r);
    }

    /* a stop request ends a long run at the next tick */
    r = NULL;
    EXPECT(proc->prepare(&cfg, &r, err) == 0, "%s", err);
    if (r) {
        ceil_stop_request(SIGINT);
        int rc = proc->run(r, 100000000, CEIL_BATCHED, err);
        EXPECT(rc == -EINTR, "run returned %d after a stop request", rc);
        ceil_stop_reset();
        proc->release(r);
    }
    hwloc_bitmap_free(before);
    hwloc_bitmap_free(after);
    ceil_topo_free(&topo);
    return EXPECT_DONE();
}
