/* A persistent team of forked worker processes running a kernel on shared memory. */
#ifndef CEIL_TEAM_H
#define CEIL_TEAM_H

#include "variant.h"

/* The variant built on the team (proc.c). */
extern const struct ceil_variant_ops ceil_proc_ops;

/* The process id of worker w of a proc run (worker 0 is the caller), or -1; for tests. */
int ceil_proc_pid(const struct ceil_run *r, unsigned w);

struct ceil_team; /* opaque */

/* Forks r->workers - 1 workers (the caller is worker 0, as the master thread is in OpenMP),
 * has each pin itself to its CPU and first-touch its slice. The arrays of r must be mapped
 * shared (ceil_arrays_map). Children die with the parent (PR_SET_PDEATHSIG) and ignore
 * SIGINT, which the parent handles. Returns 0 and *out, or -errno with a message. */
int ceil_team_start(struct ceil_run *r, struct ceil_team **out, char err[CEIL_ERRLEN]);

/* Fault injection, for the tests of the failure handling (tests/faults.sh). When the
 * environment has CEIL_INJECT=WHERE:WORKER[:SIGNAL] as a team starts, worker WORKER (>= 1)
 * raises SIGNAL (KILL, SEGV, TERM, ABRT or BUS; default KILL) at WHERE: start (as soon as it
 * is forked), tick (half way through its first run), barrier (as it reaches the end barrier
 * of its first run); or, with WHERE fork, forking it fails with EAGAIN, as RLIMIT_NPROC would
 * make it fail (which root is exempt from); or, with WHERE exit, the parent waits 3 x POLL_MS
 * after telling the workers to exit before it reaps them, as a descheduled parent would (the
 * workers exit cleanly: a stop must not read that as a death). A malformed value fails the
 * team's start. */

/* Runs `ticks` ticks: batched (one command, every worker loops) or per tick (one command and
 * two barriers per tick). Blocks until done. If a worker dies or a stop is requested, the
 * parent notices within POLL_MS (between its own ticks, or while it waits), kills and reaps
 * every worker, and returns -ECHILD or -EINTR with the reason in err. */
int ceil_team_ticks(struct ceil_team *t, unsigned long ticks, enum ceil_mode mode, char err[CEIL_ERRLEN]);

/* Asks the workers to exit, reaps them (killing any that lingers past a second) and frees
 * the team. Accepts NULL and a team already torn down by a failure. */
void ceil_team_stop(struct ceil_team *t);

/* The process id of worker w (worker 0 is the caller), or -1. */
int ceil_team_pid(const struct ceil_team *t, unsigned w);

#endif
