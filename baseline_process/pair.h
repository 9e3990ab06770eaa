/* Systems run at the same time as processes on the shared world. */
#ifndef CEIL_PAIR_H
#define CEIL_PAIR_H

#include "world.h"

/* System 0 in the caller, every other system in a forked child, all on the world's shared
 * mapping, each running its `ticks` ticks over the whole world after one common start. The
 * rule is not checked here (see ceil_systems_run_threads). Reaps every child; a child that
 * dies is an error naming its system and how it died. Returns 0 or -errno. */
int ceil_systems_run_processes(const struct ceil_world *w, const struct ceil_system *const *s, unsigned count,
                               unsigned long ticks, char err[CEIL_ERRLEN]);

#endif
