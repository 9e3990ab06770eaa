/* The serial variant: one worker, the whole range, the reference every other variant must equal. */
#include "variant.h"

#include <errno.h>
#include <stdlib.h>

extern const struct ceil_variant_ops ceil_serial_ops;

static int serial_prepare(const struct ceil_config *cfg, struct ceil_run **out, char err[CEIL_ERRLEN])
{
    struct ceil_run *r = malloc(sizeof *r);
    if (!r)
        return -ENOMEM;
    int rc = ceil_run_setup(r, &ceil_serial_ops, cfg, 1, err);
    if (rc == 0)
        rc = ceil_run_pin(r, 0, err);
    if (rc) {
        ceil_run_teardown(r);
        free(r);
        return rc;
    }
    cfg->kernel->init(r->arrays.a, 0, cfg->n);
    *out = r;
    return 0;
}

/* Batched and per-tick are the same thing with one worker: there is nothing to dispatch. */
static int serial_run(struct ceil_run *r, unsigned long ticks, enum ceil_mode mode, char err[CEIL_ERRLEN])
{
    (void)mode;
    const struct ceil_hooks *h = r->cfg.hooks;
    if (h)
        h->enter(h->ctx);
    int rc = ceil_run_worker_ticks(r, 0, ticks, NULL, NULL);
    if (h)
        h->leave(h->ctx);
    return rc ? ceil_stop_error(err) : 0;
}

static void serial_release(struct ceil_run *r)
{
    if (!r)
        return;
    ceil_run_teardown(r);
    free(r);
}

const struct ceil_variant_ops ceil_serial_ops = { serial_prepare, serial_run, serial_release, NULL, NULL };
