/* Counter totals from real likwid-perfctr output: the flops and bytes the verdicts use must give
 * back likwid's own operational intensity, per core, from the same tables. */
#include "expect.h"
#include "likwid_parse.h"
#include "profile.h"

#include <math.h>

static double metric(json_t *group, const char *name, const char *cpu)
{
    return json_number_value(json_object_get(json_object_get(json_object_get(json_object_get(group, "metrics"), name),
                                                             "values"),
                                             cpu));
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    FILE *f = fopen(argv[1], "r");
    char err[CEIL_ERRLEN];
    json_t *doc = f ? ceil_likwid_parse(f, argv[1], err) : NULL;
    EXPECT(doc != NULL, "parse: %s", f ? err : "cannot open");
    if (!doc)
        return 1;
    json_t *solve = json_object_get(json_object_get(json_object_get(doc, "regions"), "Solve"), "MEM_DP");
    struct ceil_totals t;
    EXPECT(ceil_totals_of(solve, &t) == 0, "totals of Solve/MEM_DP");
    EXPECT(t.has_memory && fabs(t.memory_bytes - 373.5534e9) < 1e3, "memory bytes %g (STAT sum 373.5534 GB)",
           t.memory_bytes);
    EXPECT(!t.has_l2 && !t.has_l3 && !t.has_sp, "MEM_DP measures no L2, L3 or SP flops");
    EXPECT(t.has_dp, "DP flops");

    /* per core, flops / bytes is likwid's "Operational intensity" (printed to 4 decimals) */
    const char *cores[] = { "Core 0", "Core 14" };
    double flops_all = 0;
    for (int c = 0; c < 2; c++) {
        double flops = metric(solve, "DP [MFLOP/s]", cores[c]) * 1e6 * metric(solve, "Runtime (RDTSC) [s]", cores[c]);
        double bytes = metric(solve, "Memory data volume [GBytes]", cores[c]) * 1e9;
        double printed = metric(solve, "Operational intensity", cores[c]);
        EXPECT(fabs(flops / bytes - printed) < 1e-4, "%s: flops/bytes %.5f, likwid printed %.4f", cores[c],
               flops / bytes, printed);
        flops_all += flops;
    }
    EXPECT(fabs(t.flops_dp - flops_all) < 1e-6 * flops_all, "DP flops %g, per core they add to %g", t.flops_dp,
           flops_all);

    /* per element-tick: a point of 1e9 elements x 31 ticks would have moved 12.05 bytes each */
    json_t *per = ceil_totals_json(&t, 31e9);
    double bpe = json_real_value(json_object_get(json_object_get(per, "bytes_per_elem"), "memory"));
    EXPECT(fabs(bpe - 373.5534 / 31) < 1e-9, "bytes per element %g", bpe);
    EXPECT(fabs(json_real_value(json_object_get(per, "intensity")) - flops_all / 373.5534e9) < 1e-9, "intensity");
    EXPECT(!json_object_get(json_object_get(per, "bytes_per_elem"), "L2"), "an unmeasured L2 volume is absent, not 0");

    /* the two-run difference keeps what both measured */
    struct ceil_totals setup;
    ceil_totals_of(json_object_get(json_object_get(json_object_get(doc, "regions"), "Setup"), "MEM_DP"), &setup);
    struct ceil_totals d = ceil_totals_diff(&t, &setup);
    EXPECT(d.has_memory && fabs(d.memory_bytes - (373.5534e9 - 1.9531e9)) < 1e3, "difference %g", d.memory_bytes);
    json_decref(per);
    json_decref(doc);
    fclose(f);
    return EXPECT_DONE();
}
