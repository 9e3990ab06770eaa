/* Medians and their intervals; the kernel's CPU accounting. */
#include "trust.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double ceil_median(const double *v, size_t n)
{
    if (n == 0)
        return NAN;
    double *s = malloc(n * sizeof *s);
    if (!s)
        return NAN;
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, by_value);
    double m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    free(s);
    return m;
}

/* Student's t, two-sided 95%, by degrees of freedom (1..30); 1.96 beyond. */
static double t95(size_t df)
{
    static const double t[] = { 0,     12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                2.201, 2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080,
                                2.074, 2.069,  2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042 };
    return df < sizeof t / sizeof *t ? t[df] : 1.96;
}

double ceil_median_spread(const double *v, size_t n)
{
    double m = ceil_median(v, n);
    if (n < 2 || !isfinite(m) || m == 0)
        return INFINITY;
    double *dev = malloc(n * sizeof *dev);
    if (!dev)
        return INFINITY;
    for (size_t i = 0; i < n; i++)
        dev[i] = fabs(v[i] - m);
    double s = 1.4826 * ceil_median(dev, n); /* the MAD, scaled to a normal's standard deviation */
    free(dev);
    return t95(n - 1) * 1.2533 * s / sqrt((double)n) / fabs(m);
}

int ceil_cpustat_parse(const char *text, struct ceil_cpustat *s)
{
    s->count = 0;
    for (const char *line = text; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        int cpu, used = 0;
        unsigned long long f[8] = { 0 };
        if (strncmp(line, "cpu", 3) != 0 || line[3] < '0' || line[3] > '9')
            continue;
        if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu%n", &cpu, &f[0], &f[1], &f[2], &f[3], &f[4],
                   &f[5], &f[6], &f[7], &used) != 9 || s->count >= CEIL_CPUSTAT_MAX)
            continue;
        /* user nice system idle iowait irq softirq steal */
        struct ceil_cpu_ticks *c = &s->cpu[s->count++];
        c->cpu = cpu;
        c->busy = f[0] + f[1] + f[2] + f[5] + f[6];
        c->idle = f[3] + f[4];
        c->steal = f[7];
    }
    return s->count ? (int)s->count : -1;
}

int ceil_cpustat_read(struct ceil_cpustat *s)
{
    static char text[1 << 16];
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return -1;
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = 0;
    return ceil_cpustat_parse(text, s);
}

static const struct ceil_cpu_ticks *cpu_in(const struct ceil_cpustat *s, int cpu)
{
    for (unsigned i = 0; i < s->count; i++)
        if (s->cpu[i].cpu == cpu)
            return &s->cpu[i];
    return NULL;
}

/* Sum over the listed CPUs (all when cpus is NULL) of after - before of steal or busy, in seconds. */
static double delta(const struct ceil_cpustat *before, const struct ceil_cpustat *after, const int *cpus,
                    unsigned ncpus, int steal)
{
    double hz = (double)sysconf(_SC_CLK_TCK), ticks = 0;
    unsigned n = cpus ? ncpus : after->count;
    for (unsigned i = 0; i < n; i++) {
        int id = cpus ? cpus[i] : after->cpu[i].cpu;
        const struct ceil_cpu_ticks *a = cpu_in(before, id), *b = cpu_in(after, id);
        if (!a || !b)
            continue;
        uint64_t x = steal ? a->steal : a->busy, y = steal ? b->steal : b->busy;
        ticks += y >= x ? (double)(y - x) : 0;
    }
    return ticks / (hz > 0 ? hz : 100);
}

double ceil_cpustat_steal(const struct ceil_cpustat *before, const struct ceil_cpustat *after, const int *cpus,
                          unsigned ncpus)
{
    return delta(before, after, cpus, ncpus, 1);
}

double ceil_cpustat_busy(const struct ceil_cpustat *before, const struct ceil_cpustat *after, const int *cpus,
                         unsigned ncpus)
{
    return delta(before, after, cpus, ncpus, 0);
}

double ceil_schedstat_delay(const char *text)
{
    unsigned long long run, wait;
    return text && sscanf(text, "%llu %llu", &run, &wait) == 2 ? (double)wait * 1e-9 : NAN;
}
