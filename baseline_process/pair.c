/* Systems at the same time, one process each, starting together at a shared barrier. */
#include "pair.h"

#include "barrier.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

enum { MAX_SYSTEMS = 16 };

int ceil_systems_run_processes(const struct ceil_world *w, const struct ceil_system *const *s, unsigned count,
                               unsigned long ticks, char err[CEIL_ERRLEN])
{
    if (count == 0 || count > MAX_SYSTEMS) {
        snprintf(err, CEIL_ERRLEN, "%u systems: between 1 and %d run at once", count, MAX_SYSTEMS);
        return -EINVAL;
    }
    struct ceil_barrier *start = mmap(NULL, sizeof *start, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (start == MAP_FAILED) {
        snprintf(err, CEIL_ERRLEN, "cannot map a shared barrier: %s", strerror(errno));
        return -ENOMEM;
    }
    ceil_barrier_init(start, count, ceil_cpus_online(), 0);
    pid_t pids[MAX_SYSTEMS] = { 0 }, parent = getpid();
    int rc = 0;
    fflush(NULL);
    for (unsigned i = 1; i < count; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != parent)
                _exit(1);
            signal(SIGINT, SIG_IGN);
            ceil_barrier_wait(start, NULL, NULL, 0);
            for (unsigned long k = 0; k < ticks; k++)
                s[i]->tick(w, 0, w->n);
            _exit(0);
        }
        if (pid < 0) {
            rc = -errno;
            snprintf(err, CEIL_ERRLEN, "cannot fork the process for %s: %s", s[i]->name, strerror(errno));
            break;
        }
        pids[i] = pid;
    }
    if (rc == 0) {
        ceil_barrier_wait(start, NULL, NULL, 0);
        for (unsigned long k = 0; k < ticks; k++)
            s[0]->tick(w, 0, w->n);
    } else {
        for (unsigned i = 1; i < count; i++)
            if (pids[i] > 0)
                kill(pids[i], SIGKILL);
    }
    for (unsigned i = 1; i < count; i++) {
        int status;
        while (pids[i] > 0 && waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
            ;
        if (pids[i] > 0 && rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
            rc = -ECHILD;
            if (WIFSIGNALED(status))
                snprintf(err, CEIL_ERRLEN, "the process running %s was killed by signal %d (%s)", s[i]->name,
                         WTERMSIG(status), strsignal(WTERMSIG(status)));
            else
                snprintf(err, CEIL_ERRLEN, "the process running %s exited with status %d", s[i]->name,
                         WEXITSTATUS(status));
        }
    }
    ceil_barrier_destroy(start);
    munmap(start, sizeof *start);
    return rc;
}
