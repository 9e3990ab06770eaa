/* Counters check the model where they exist: explain sets the model's bytes per element through
 * each level beside what likwid-perfctr measured. No machine here has counters (no PMU in the
 * VMs), so the path runs on recorded output: the MEM_DP volume of the Skylake-SP fixture's
 * "Solve" region, taken as a profile of the committed EPYC reference's motion point at the DRAM
 * target (1e9 elements x 31 ticks: 12.05 bytes each, as in test_profile.c). The numbers are
 * another program's; what is checked is the arithmetic from a real likwid table to the verdict.
 * Usage: test_counters LIKWID_TEXT RESULTS_DIR */
#include "expect.h"
#include "likwid_parse.h"
#include "profile.h"
#include "verdict.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static json_t *load(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    json_error_t e;
    json_t *doc = json_load_file(path, 0, &e);
    EXPECT(doc != NULL, "%s: %s", path, e.text);
    return doc;
}

static json_t *point(json_t *doc, const char *name)
{
    json_t *p;
    size_t i;
    json_array_foreach(json_object_get(doc, "points"), i, p) if (!strcmp(json_string_value(json_object_get(p, "point")), name)) return p;
    return NULL;
}

static double real(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(b ? json_object_get(o, a) : o, b ? b : a);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    FILE *f = fopen(argv[1], "r");
    char err[CEIL_ERRLEN];
    json_t *parsed = f ? ceil_likwid_parse(f, argv[1], err) : NULL;
    EXPECT(parsed != NULL, "parse: %s", f ? err : "cannot open");
    if (f)
        fclose(f);
    json_t *bench = load(argv[2], "bench.json"), *probe = load(argv[2], "probe.json"), *plan = load(argv[2], "plan.json");
    if (!parsed || !bench || !probe || !plan)
        return EXPECT_DONE();

    /* the DRAM target of the recorded plan, and its motion point at the top worker count */
    json_t *s, *w;
    size_t i;
    double dram = NAN, l3 = NAN, top = 0;
    json_array_foreach(json_object_get(plan, "sizes"), i, s) {
        const char *t = json_string_value(json_object_get(s, "target"));
        if (t && !strcmp(t, "DRAM"))
            dram = real(s, "n", NULL);
        if (t && !strcmp(t, "L3"))
            l3 = real(s, "n", NULL);
    }
    json_array_foreach(json_object_get(plan, "workers"), i, w) top = fmax(top, real(w, "count", NULL));
    char at_dram[128], at_l3[128];
    snprintf(at_dram, sizeof at_dram, "motion/omp/batched/n:%.0f/workers:%.0f", dram, top);
    snprintf(at_l3, sizeof at_l3, "motion/omp/batched/n:%.0f/workers:%.0f", l3, top);

    /* profile.json as ceilings profile writes it, from the recorded table */
    struct ceil_totals t;
    EXPECT(ceil_totals_of(json_object_get(json_object_get(json_object_get(parsed, "regions"), "Solve"), "MEM_DP"), &t) == 0,
           "totals of Solve/MEM_DP");
    json_t *profiles = json_array();
    const char *names[] = { at_dram, at_l3 };
    for (int k = 0; k < 2; k++) {
        json_t *e = ceil_totals_json(&t, 31e9);
        json_object_set_new(e, "point", json_string(names[k]));
        json_object_set_new(e, "group", json_string("MEM_DP"));
        json_object_set_new(e, "model_bytes_per_elem", json_real(12));
        json_array_append_new(profiles, e);
    }
    json_t *profile = json_pack("{s:{s:b, s:[s]}, s:o}", "counters", "available", 1, "groups", "MEM_DP", "profiles", profiles);
    json_t *doc = ceil_explain(bench, probe, plan, profile, err);
    EXPECT(doc != NULL, "explain: %s", err);
    if (!doc)
        return EXPECT_DONE();

    const double measured = 373.5534 / 31; /* the STAT sum of the memory volume, over 31e9 */
    for (int k = 0; k < 2; k++) {
        json_t *p = point(doc, names[k]);
        json_t *by = json_object_get(json_object_get(p, "counters"), "by_level");
        EXPECT(by != NULL, "%s: no counters by level", names[k]);
        if (!by)
            continue;
        double model = real(by, "memory", "model"), got = real(by, "memory", "measured");
        EXPECT(fabs(got - measured) < 1e-9, "%s: measured %g bytes per element, the table says %g", names[k], got, measured);
        EXPECT(model >= 0 && model <= 12 + 1e-9, "%s: the model's DRAM bytes %g are within the table's 12", names[k], model);
        if (model > 0)
            EXPECT(fabs(real(by, "memory", "measured_over_model") - got / model) < 1e-9, "%s: ratio", names[k]);
        EXPECT(fabs(real(by, "L2", "model") - 12) < 1e-9, "%s: all 12 bytes pass L1-L2", names[k]);
        EXPECT(real(by, "L3", "model") >= model - 1e-9, "%s: what comes from DRAM passes L3 too", names[k]);
        EXPECT(!json_object_get(json_object_get(by, "L2"), "measured") && !json_object_get(json_object_get(by, "L3"), "measured"),
               "%s: MEM_DP measures no L2 or L3 volume: none is made up", names[k]);
    }
    /* at the DRAM target the footprint is all in DRAM, at the L3 target all in L3 */
    EXPECT(fabs(real(json_object_get(json_object_get(point(doc, at_dram), "counters"), "by_level"), "memory", "model") - 12) < 1e-9,
           "DRAM target: 12 bytes from DRAM");
    EXPECT(real(json_object_get(json_object_get(point(doc, at_l3), "counters"), "by_level"), "memory", "model") < 1e-9,
           "L3 target: nothing from DRAM");
    json_decref(doc);
    json_decref(profile);
    json_decref(parsed);
    json_decref(bench);
    json_decref(probe);
    json_decref(plan);
    return EXPECT_DONE();
}
