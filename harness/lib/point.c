/* Measuring one point and checking it against the serial reference. */
#include "point.h"

#include "machine.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ref {
    const struct ceil_kernel *kernel;
    size_t n;
    unsigned long ticks;
    struct ceil_run *run; /* a released-on-free serial run holding the arrays */
    struct ref *next;
};

struct ceil_refs {
    struct ref *head;
};

struct ceil_refs *ceil_refs_new(void) { return calloc(1, sizeof(struct ceil_refs)); }

void ceil_refs_free(struct ceil_refs *refs)
{
    if (!refs)
        return;
    for (struct ref *r = refs->head, *next; r; r = next) {
        next = r->next;
        ceil_variant_reference()->ops->release(r->run);
        free(r);
    }
    free(refs);
}

const struct ceil_arrays *ceil_refs_get(struct ceil_refs *refs, const struct ceil_kernel *k, size_t n,
                                        unsigned long ticks, char err[CEIL_ERRLEN])
{
    for (struct ref *r = refs->head; r; r = r->next)
        if (r->kernel == k && r->n == n && r->ticks == ticks)
            return &r->run->arrays;
    struct ref *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, CEIL_ERRLEN, "out of memory for a serial reference");
        return NULL;
    }
    struct ceil_config cfg = { .kernel = k, .n = n, .workers = 1 };
    const struct ceil_variant_ops *serial = ceil_variant_reference()->ops;
    int rc = serial->prepare(&cfg, &r->run, err);
    if (rc == 0 && (rc = serial->run(r->run, ticks, CEIL_BATCHED, err)) != 0)
        serial->release(r->run);
    if (rc == 0 && k->merge)
        k->merge(r->run->arrays.a, r->run->slices, r->run->workers);
    if (rc) {
        free(r);
        return NULL;
    }
    r->kernel = k;
    r->n = n;
    r->ticks = ticks;
    r->next = refs->head;
    refs->head = r;
    return &r->run->arrays;
}

void ceil_refs_trim(struct ceil_refs *refs, double max_bytes)
{
    double held = 0;
    for (struct ref **at = &refs->head; *at;) {
        struct ref *r = *at;
        double bytes = ceil_kernel_footprint(r->kernel) * (double)r->n;
        if (at != &refs->head && held + bytes > max_bytes) { /* the newest first: older ones go */
            *at = r->next;
            ceil_variant_reference()->ops->release(r->run);
            free(r);
            continue;
        }
        held += bytes;
        at = &r->next;
    }
}

int ceil_arrays_equal(const struct ceil_kernel *k, const struct ceil_arrays *got,
                      const struct ceil_arrays *want, char why[CEIL_ERRLEN])
{
    return ceil_arrays_equal_range(k, got, want, 0, got->n, why);
}

int ceil_arrays_equal_range(const struct ceil_kernel *k, const struct ceil_arrays *got,
                            const struct ceil_arrays *want, size_t begin, size_t end, char why[CEIL_ERRLEN])
{
    if (got->n != want->n || got->count != want->count || end > got->n || begin > end) {
        snprintf(why, CEIL_ERRLEN, "shapes differ: %zu elements x %u arrays, serial %zu x %u", got->n,
                 got->count, want->n, want->count);
        return 0;
    }
    for (unsigned a = 0; a < got->count; a++) {
        if ((k->arrays[a].access & CEIL_SCRATCH) ||
            memcmp(got->a[a] + begin, want->a[a] + begin, (end - begin) * sizeof(float)) == 0)
            continue;
        size_t i = begin;
        while (memcmp(&got->a[a][i], &want->a[a][i], sizeof(float)) == 0)
            i++;
        uint32_t gb, wb;
        memcpy(&gb, &got->a[a][i], sizeof gb);
        memcpy(&wb, &want->a[a][i], sizeof wb);
        snprintf(why, CEIL_ERRLEN, "%s[%zu] = %.9g (0x%08x) but serial has %.9g (0x%08x)",
                 k->arrays[a].name, i, (double)got->a[a][i], gb, (double)want->a[a][i], wb);
        return 0;
    }
    return 1;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The serial result over [begin, end) alone, for a process that sees only that part of the
 * arrays (an MPI node's first rank): serial's loop over the same elements, in arrays of
 * end - begin elements indexed by global element. The part starts on a vector-chunk boundary
 * (the partition's grain) and ends on one or at n, so the loop's vector body and epilogues
 * cover the same elements as serial's over everything. Unmap with ceil_arrays_unmap. */
static int reference_part(const struct ceil_kernel *k, size_t n, struct ceil_slice part, unsigned long ticks,
                          struct ceil_arrays *out, char err[CEIL_ERRLEN])
{
    int rc = ceil_arrays_map(out, k, part.end - part.begin, err);
    if (rc)
        return rc;
    for (unsigned a = 0; a < out->count; a++)
        out->a[a] -= part.begin;
    out->n = n;
    k->init(out->a, part.begin, part.end);
    for (unsigned long t = 0; t < ticks; t++)
        k->tick(out->a, part.begin, part.end);
    return 0;
}

int ceil_point_measure(const struct ceil_point *p, struct ceil_refs *refs,
                       struct ceil_point_result *res, char err[CEIL_ERRLEN])
{
    memset(res, 0, sizeof *res);
    double *times = calloc(p->reps, sizeof *times);
    if (!times) {
        snprintf(err, CEIL_ERRLEN, "out of memory");
        return -ENOMEM;
    }
    struct ceil_run *run = NULL;
    double t0 = ceil_now();
    int rc = p->variant->ops->prepare(&p->cfg, &run, err);
    res->startup = ceil_now() - t0;
    if (rc == 0) /* the warm-up: discarded, as STREAM discards its first pass */
        rc = p->variant->ops->run(run, 1, p->mode, err);
    if (rc == 0)
        run->cfg.hooks = p->hooks;
    for (unsigned i = 0; rc == 0 && i < p->reps; i++) {
        t0 = ceil_now();
        rc = p->variant->ops->run(run, p->ticks, p->mode, err);
        times[i] = ceil_now() - t0;
    }
    if (run)
        run->cfg.hooks = NULL;
    if (rc == 0 && p->cfg.kernel->merge && run->checker) { /* whoever sees every segment */
        t0 = ceil_now();
        res->merged = p->cfg.kernel->merge(run->arrays.a, run->slices, run->workers);
        res->merge = ceil_now() - t0;
    }
    if (rc == 0) {
        unsigned long total = 1 + (unsigned long)p->reps * p->ticks;
        /* a process that sees only part of the arrays needs serial's result for that part only */
        int part = run->check.begin != 0 || run->check.end != p->cfg.n;
        struct ceil_arrays own = { 0 };
        const struct ceil_arrays *want = NULL;
        if (run->checker && part)
            want = (rc = reference_part(p->cfg.kernel, p->cfg.n, run->check, total, &own, err)) == 0 ? &own : NULL;
        else if (run->checker && !(want = ceil_refs_get(refs, p->cfg.kernel, p->cfg.n, total, err)))
            rc = -ENOMEM;
        int equal = 1;
        if (want)
            equal = ceil_arrays_equal_range(p->cfg.kernel, &run->arrays, want, run->check.begin, run->check.end,
                                            res->mismatch);
        ceil_arrays_unmap(&own);
        if (p->variant->ops->agree) { /* collective: every process takes part, also one that failed */
            int mine = rc == 0 && equal;
            equal = p->variant->ops->agree(run, mine);
            if (!equal && mine)
                snprintf(res->mismatch, sizeof res->mismatch,
                         "another node's part differs from serial or could not be checked");
        }
        res->valid = equal;
        res->reporter = run->reporter;
    }
    if (rc == 0) {
        qsort(times, p->reps, sizeof *times, cmp_double);
        res->best = times[0];
        res->median = p->reps % 2 ? times[p->reps / 2]
                                  : 0.5 * (times[p->reps / 2 - 1] + times[p->reps / 2]);
        res->workers = run->workers;
        res->cpus = malloc(run->workers * sizeof *res->cpus);
        if (res->cpus)
            memcpy(res->cpus, run->cpu_of, run->workers * sizeof *res->cpus);
    }
    p->variant->ops->release(run);
    free(times);
    return rc;
}

void ceil_point_result_free(struct ceil_point_result *res)
{
    free(res->cpus);
    res->cpus = NULL;
}
