/* The check that every result depends on must be able to fail: a one-bit difference and a
 * variant that skips one element are both caught, and named. */
#include "expect.h"
#include "machine.h"
#include "point.h"
#include "team.h"

#include <string.h>

/* A broken variant: serial, except that each tick leaves the last element alone. */
static int lazy_run(struct ceil_run *r, unsigned long ticks, enum ceil_mode mode, char err[CEIL_ERRLEN])
{
    (void)mode;
    (void)err;
    for (unsigned long t = 0; t < ticks; t++)
        r->cfg.kernel->tick(r->arrays.a, 0, r->cfg.n - 1);
    return 0;
}

static struct ceil_variant lazy;
static struct ceil_variant_ops lazy_ops;

static int measure(const struct ceil_variant *v, const struct ceil_kernel *k, size_t n, unsigned workers,
                   enum ceil_mode mode, struct ceil_refs *refs, struct ceil_point_result *res)
{
    struct ceil_point p = {
        .variant = v,
        .cfg = { .kernel = k, .n = n, .workers = workers },
        .mode = mode,
        .ticks = 3,
        .reps = 2,
    };
    char err[CEIL_ERRLEN] = "";
    int rc = ceil_point_measure(&p, refs, res, err);
    EXPECT(rc == 0, "%s/%s n=%zu: %s", k->name, v->name, n, err);
    return rc;
}

int main(void)
{
    const struct ceil_kernel *motion = ceil_kernel_find("motion"), *trig = ceil_kernel_find("trig");
    char err[CEIL_ERRLEN], why[CEIL_ERRLEN];
    struct ceil_refs *refs = ceil_refs_new();

    /* one flipped bit in the read-only array is a difference, reported with its index */
    const struct ceil_arrays *want = ceil_refs_get(refs, motion, 1000, 4, err);
    struct ceil_config cfg = { .kernel = motion, .n = 1000, .workers = 1 };
    struct ceil_run *run = NULL;
    const struct ceil_variant *serial = ceil_variant_find("serial"), *omp = ceil_variant_find("omp"),
                              *proc = ceil_variant_find("proc");
    EXPECT(serial->ops->prepare(&cfg, &run, err) == 0, "%s", err);
    EXPECT(serial->ops->run(run, 4, CEIL_BATCHED, err) == 0, "%s", err);
    EXPECT(ceil_arrays_equal(motion, &run->arrays, want, why) == 1, "equal runs differ: %s", why);
    unsigned char *byte = (unsigned char *)&run->arrays.a[1][999];
    *byte ^= 1;
    EXPECT(ceil_arrays_equal(motion, &run->arrays, want, why) == 0, "a flipped bit went unseen");
    EXPECT(strstr(why, "vel[999]") != NULL, "the difference is described as '%s'", why);
    serial->ops->release(run);

    /* a variant that skips an element is invalid, whatever its speed */
    lazy_ops = *serial->ops;
    lazy_ops.run = lazy_run;
    lazy = *serial;
    lazy.name = "lazy";
    lazy.ops = &lazy_ops;
    struct ceil_point_result res;
    if (measure(&lazy, trig, 4099, 1, CEIL_BATCHED, refs, &res) == 0) {
        EXPECT(!res.valid, "the lazy variant passed as valid");
        EXPECT(strstr(res.mismatch, "out[4098]") != NULL, "mismatch described as '%s'", res.mismatch);
        ceil_point_result_free(&res);
    }

    /* more workers than CPUs: handled (the barrier sleeps instead of spinning), still exact;
     * 24 workers per tick, 200 ticks, must not take long on 2 vCPUs */
    for (unsigned v = 0; v < ceil_variant_count; v++) {
        const struct ceil_variant *vs = &ceil_variants[v];
        if (vs->traits & (CEIL_REFERENCE | CEIL_LAUNCHED))
            continue;
        double t0 = ceil_now();
        struct ceil_point over = { .variant = vs, .cfg = { .kernel = motion, .n = 10000, .workers = 24 },
                                   .mode = CEIL_PERTICK, .ticks = 100, .reps = 1 };
        char e2[CEIL_ERRLEN] = "";
        int rc = ceil_point_measure(&over, refs, &res, e2);
        EXPECT(rc == 0 && res.valid, "%s with 24 workers: %s %s", vs->name, e2, rc ? "" : res.mismatch);
        EXPECT(ceil_now() - t0 < 20, "%s with 24 workers took %.1f s", vs->name, ceil_now() - t0);
        if (rc == 0)
            ceil_point_result_free(&res);
    }

    /* and every variant of the table that runs in this process's team is valid on the same point */
    EXPECT(omp && proc && ceil_variant_find("threads"), "a variant of the table is missing");
    for (unsigned v = 0; v < ceil_variant_count; v++)
        for (int m = CEIL_BATCHED; m <= CEIL_PERTICK; m++) {
            const struct ceil_variant *real = &ceil_variants[v];
            if (real->traits & CEIL_LAUNCHED)
                continue;
            if (measure(real, trig, 4099, 3, (enum ceil_mode)m, refs, &res) == 0) {
                EXPECT(res.valid, "%s/%d differs: %s", real->name, m, res.mismatch);
                EXPECT(res.best > 0 && res.median >= res.best, "%s: best %g median %g", real->name, res.best,
                       res.median);
                ceil_point_result_free(&res);
            }
        }
    ceil_refs_free(refs);
    return EXPECT_DONE();
}
