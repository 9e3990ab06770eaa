/* Systems run at the same time as OpenMP threads: one system per thread. */
#include "world.h"

#include <errno.h>
#include <omp.h>
#include <stdio.h>

int ceil_systems_run_threads(const struct ceil_world *w, const struct ceil_system *const *s, unsigned count,
                             unsigned long ticks, char err[CEIL_ERRLEN])
{
    unsigned got = 0;
#pragma omp parallel num_threads(count)
    {
        unsigned t = (unsigned)omp_get_thread_num();
        if (t == 0)
            got = (unsigned)omp_get_num_threads();
#pragma omp barrier
        if (got == count) /* start together, so that a conflict, if let in, has its chance */
            for (unsigned long k = 0; k < ticks; k++)
                s[t]->tick(w, 0, w->n);
    }
    if (got != count) {
        snprintf(err, CEIL_ERRLEN, "OpenMP started %u threads for %u systems", got, count);
        return -EAGAIN;
    }
    return 0;
}
