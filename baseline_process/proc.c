/* The process variant: the same loops and partition, run by a forked team on shared memory. */
#include "team.h"

#include "pair.h"

#include <errno.h>
#include <stdlib.h>

struct proc_run {
    struct ceil_run base; /* first: the harness sees a struct ceil_run */
    struct ceil_team *team;
};

static void proc_release(struct ceil_run *r)
{
    if (!r)
        return;
    struct proc_run *p = (struct proc_run *)r;
    ceil_team_stop(p->team);
    ceil_run_teardown(r);
    free(p);
}

static int proc_prepare(const struct ceil_config *cfg, struct ceil_run **out, char err[CEIL_ERRLEN])
{
    struct proc_run *p = calloc(1, sizeof *p);
    if (!p)
        return -ENOMEM;
    int rc = ceil_run_setup(&p->base, &ceil_proc_ops, cfg, cfg->workers, err);
    if (rc == 0)
        rc = ceil_team_start(&p->base, &p->team, err);
    if (rc) {
        proc_release(&p->base);
        return rc;
    }
    *out = &p->base;
    return 0;
}

static int proc_run(struct ceil_run *r, unsigned long ticks, enum ceil_mode mode, char err[CEIL_ERRLEN])
{
    return ceil_team_ticks(((struct proc_run *)r)->team, ticks, mode, err);
}

int ceil_proc_pid(const struct ceil_run *r, unsigned w)
{
    return r->ops == &ceil_proc_ops ? ceil_team_pid(((const struct proc_run *)r)->team, w) : -1;
}

const struct ceil_variant_ops ceil_proc_ops = { proc_prepare, proc_run, proc_release, NULL, ceil_systems_run_processes };
