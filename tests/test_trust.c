/* The trust arithmetic: the median and its interval on synthetic repetitions, paired ratios,
 * and the kernel's CPU accounting on /proc/stat texts recorded on the 2-vCPU EPYC VM. */
#include "expect.h"
#include "trust.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char *slurp(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    static char text[4][1 << 16];
    static int next;
    char *t = text[next++ % 4];
    size_t len = fread(t, 1, sizeof text[0] - 1, f);
    fclose(f);
    t[len] = 0;
    return t;
}

static void intervals(void)
{
    double odd[] = { 3, 1, 2 }, even[] = { 4, 1, 3, 2 };
    EXPECT(ceil_median(odd, 3) == 2, "median %g", ceil_median(odd, 3));
    EXPECT(ceil_median(even, 4) == 2.5, "median %g", ceil_median(even, 4));
    EXPECT(odd[0] == 3, "the input was sorted in place");
    EXPECT(isnan(ceil_median(odd, 0)), "median of nothing");
    /* five values 0.98 0.99 1 1.01 1.02: median 1, MAD 0.01, s = 0.014826, t(4) = 2.776:
     * 2.776 * 1.2533 * 0.014826 / sqrt(5) = 0.023068 */
    double five[] = { 1.0, 0.98, 1.02, 0.99, 1.01 };
    double s5 = ceil_median_spread(five, 5);
    EXPECT(fabs(s5 - 0.023068) < 1e-5, "spread of five %.6f", s5);
    /* one wild value moves the median's interval no more than it moves the median */
    double wild[] = { 1.0, 0.98, 1.5, 0.99, 1.01 };
    EXPECT(fabs(ceil_median_spread(wild, 5) - s5) < 1e-9, "an outlier %.6f", ceil_median_spread(wild, 5));
    /* the same shape twice as wide: twice the spread; scaled values: the same relative spread */
    double wide[] = { 1.0, 0.96, 1.04, 0.98, 1.02 }, scaled[] = { 2.0, 1.96, 2.04, 1.98, 2.02 };
    EXPECT(fabs(ceil_median_spread(wide, 5) - 2 * s5) < 1e-9, "wide %.6f", ceil_median_spread(wide, 5));
    EXPECT(fabs(ceil_median_spread(scaled, 5) - s5) < 1e-9, "scaled %.6f", ceil_median_spread(scaled, 5));
    /* more repetitions of the same spread of values narrow the interval */
    double ten[] = { 1.0, 0.98, 1.02, 0.99, 1.01, 1.0, 0.98, 1.02, 0.99, 1.01 };
    EXPECT(ceil_median_spread(ten, 10) < s5 / 1.5, "ten %.6f", ceil_median_spread(ten, 10));
    EXPECT(isinf(ceil_median_spread(five, 1)), "one value has no interval");
    double same[] = { 2, 2, 2 };
    EXPECT(ceil_median_spread(same, 3) == 0, "identical values %.6f", ceil_median_spread(same, 3));
}

/* A machine that slows down between pairs: each pair's serial and team time slow alike, so the
 * per-pair ratios stay put while the times spread (what pairing is for). */
static void pairing(void)
{
    double drift[] = { 1.0, 1.3, 0.8, 1.6, 1.1, 0.9 }, serial[6], team[6], ratio[6];
    for (int i = 0; i < 6; i++) {
        serial[i] = 2.0 * drift[i];
        team[i] = 1.0 * drift[i] * (1 + 0.005 * (i % 2 ? 1 : -1));
        ratio[i] = serial[i] / team[i];
    }
    double unpaired = ceil_median(serial, 6) / ceil_median(team, 6);
    EXPECT(ceil_median_spread(team, 6) > 0.2, "the times spread %.3f", ceil_median_spread(team, 6));
    EXPECT(ceil_median_spread(ratio, 6) < 0.02, "the paired ratios do not %.4f", ceil_median_spread(ratio, 6));
    EXPECT(fabs(ceil_median(ratio, 6) - 2) < 0.03, "paired speedup %.4f", ceil_median(ratio, 6));
    EXPECT(fabs(unpaired - 2) < 0.1, "unpaired %.4f", unpaired);
}

static void cpustat(const char *dir)
{
    struct ceil_cpustat a, b, qa, qb;
    char *ta = slurp(dir, "epyc-hog-cpu1-a.txt"), *tb = slurp(dir, "epyc-hog-cpu1-b.txt");
    char *qta = slurp(dir, "epyc-quiet-a.txt"), *qtb = slurp(dir, "epyc-quiet-b.txt");
    EXPECT(ta && tb && qta && qtb, "recorded samples in %s", dir);
    if (!ta || !tb || !qta || !qtb)
        return;
    EXPECT(ceil_cpustat_parse(ta, &a) == 2 && ceil_cpustat_parse(tb, &b) == 2, "two CPUs");
    EXPECT(a.cpu[1].cpu == 1 && a.cpu[1].busy == 227167 + 90601 + 406 && a.cpu[1].steal == 193,
           "cpu1 fields %llu %llu", (unsigned long long)a.cpu[1].busy, (unsigned long long)a.cpu[1].steal);
    double hz = (double)sysconf(_SC_CLK_TCK);
    int one = 1, zero = 0;
    /* a busy loop on CPU 1 for the second between the readings: 101 ticks there, none on CPU 0 */
    EXPECT(fabs(ceil_cpustat_busy(&a, &b, &one, 1) - 101 / hz) < 1e-9, "cpu1 busy %.3f",
           ceil_cpustat_busy(&a, &b, &one, 1));
    EXPECT(ceil_cpustat_busy(&a, &b, &zero, 1) == 0, "cpu0 busy %.3f", ceil_cpustat_busy(&a, &b, &zero, 1));
    EXPECT(fabs(ceil_cpustat_busy(&a, &b, NULL, 0) - 101 / hz) < 1e-9, "all busy");
    /* minutes apart on a quiet machine: busy on both, no steal */
    EXPECT(ceil_cpustat_parse(qta, &qa) == 2 && ceil_cpustat_parse(qtb, &qb) == 2, "two CPUs");
    EXPECT(ceil_cpustat_steal(&qa, &qb, NULL, 0) == 0, "steal %.3f", ceil_cpustat_steal(&qa, &qb, NULL, 0));
    EXPECT(fabs(ceil_cpustat_busy(&qa, &qb, &zero, 1) - (6 + 17) / hz) < 1e-9, "cpu0 busy %.3f",
           ceil_cpustat_busy(&qa, &qb, &zero, 1));
    EXPECT(ceil_cpustat_parse("intr 1 2 3\nctxt 5\n", &a) == -1, "no cpu lines");
    int nine = 9;
    EXPECT(ceil_cpustat_busy(&qa, &qb, &nine, 1) == 0, "a CPU not in the text counts nothing");
}

static void schedstat(void)
{
    EXPECT(fabs(ceil_schedstat_delay("61054104 5913591 154\n") - 0.005913591) < 1e-12, "delay %.9f",
           ceil_schedstat_delay("61054104 5913591 154\n"));
    EXPECT(isnan(ceil_schedstat_delay("garbage")), "garbage");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_trust DATA_DIR\n");
        return 2;
    }
    intervals();
    pairing();
    cpustat(argv[1]);
    schedstat();
    return EXPECT_DONE();
}
