/* The model's arithmetic on synthetic inputs with known answers: a pure roofline, a pure ECM
 * sum, a footprint between levels, a per-tick point, and the overlap a measurement implies. */
#include "expect.h"
#include "model.h"

#include <math.h>

static int near(double a, double b) { return fabs(a - b) <= 1e-12 * fmax(1, fabs(b)); }

static double share_sum(const struct ceil_model_out *m)
{
    return m->core + m->level[0] + m->level[1] + m->level[2] + m->dispatch;
}

int main(void)
{
    struct ceil_model_out m;
    /* roofline (overlap 1): the larger term alone; in-core 2 ns on 2 workers scaling 2 -> 1 ns,
     * data 3 ns all in DRAM: 3 ns, all of it DRAM data */
    struct ceil_model_in roof = { .core_ns = 2, .scaling = 2, .data_ns = 3, .share = { 0, 0, 1 }, .overlap = 1 };
    ceil_model_predict(&roof, &m);
    EXPECT(near(m.ns, 3) && near(m.level[CEIL_LEVEL_DRAM], 1) && near(m.core, 0), "roofline %g %g", m.ns, m.core);
    /* ECM sum (overlap 0): 1 + 3 = 4 ns, in-core a quarter */
    struct ceil_model_in ecm = roof;
    ecm.overlap = 0;
    ceil_model_predict(&ecm, &m);
    EXPECT(near(m.ns, 4) && near(m.core, 0.25) && near(m.level[CEIL_LEVEL_DRAM], 0.75), "ECM %g %g", m.ns, m.core);
    /* half overlapped, compute-bound: Tc 4 > Td 2: 4 + 0.5 * 2 = 5 */
    struct ceil_model_in half = { .core_ns = 4, .scaling = 1, .data_ns = 2, .share = { 1, 0, 0 }, .overlap = 0.5 };
    ceil_model_predict(&half, &m);
    EXPECT(near(m.ns, 5) && near(m.core, 0.8) && near(m.level[CEIL_LEVEL_L2], 0.2), "half %g", m.ns);
    EXPECT(near(share_sum(&m), 1), "shares sum %g", share_sum(&m));
    /* a footprint between levels: 64 MiB over caches of 2 MiB and 32 MiB: half in L3, half DRAM */
    double share[CEIL_LEVEL_COUNT];
    ceil_model_shares(64 << 20, 2 << 20, 32 << 20, share);
    EXPECT(near(share[CEIL_LEVEL_L2], 0) && near(share[CEIL_LEVEL_L3], 0.5) && near(share[CEIL_LEVEL_DRAM], 0.5),
           "between %g %g %g", share[0], share[1], share[2]);
    ceil_model_shares(128 << 20, 2 << 20, 32 << 20, share);
    EXPECT(near(share[CEIL_LEVEL_DRAM], 1), "4x the L3 is all DRAM: %g", share[CEIL_LEVEL_DRAM]);
    ceil_model_shares(1 << 20, 2 << 20, 32 << 20, share);
    EXPECT(near(share[CEIL_LEVEL_L2], 1), "fits L2");
    ceil_model_shares(8 << 20, 2 << 20, 32 << 20, share);
    EXPECT(near(share[CEIL_LEVEL_L3], 1) && near(share[CEIL_LEVEL_L2], 0), "fits L3");
    struct ceil_model_in between = { .core_ns = 1, .scaling = 1, .data_ns = 2, .overlap = 1 };
    ceil_model_shares(64 << 20, 2 << 20, 32 << 20, between.share);
    ceil_model_predict(&between, &m);
    EXPECT(near(m.level[CEIL_LEVEL_L3], 0.5) && near(m.level[CEIL_LEVEL_DRAM], 0.5), "between shares");
    /* per tick: 0.5 us of dispatch over 1000 elements = 0.5 ns per element-tick on top */
    struct ceil_model_in tick = roof;
    tick.dispatch_ns = 0.5e3 / 1000;
    ceil_model_predict(&tick, &m);
    EXPECT(near(m.ns, 3.5) && near(m.dispatch, 0.5 / 3.5), "per tick %g %g", m.ns, m.dispatch);
    EXPECT(near(share_sum(&m), 1), "shares sum %g", share_sum(&m));
    /* the overlap a measurement implies, and the model giving the measurement back */
    double a = ceil_model_overlap(4.5, 4, 2);
    EXPECT(near(a, 0.75), "overlap %g", a);
    struct ceil_model_in back = { .core_ns = 4, .scaling = 1, .data_ns = 2, .share = { 1, 0, 0 }, .overlap = a };
    ceil_model_predict(&back, &m);
    EXPECT(near(m.ns, 4.5), "round trip %g", m.ns);
    EXPECT(ceil_model_overlap(10, 4, 2) == 0 && ceil_model_overlap(3, 4, 2) == 1, "clipped");
    EXPECT(isnan(ceil_model_overlap(3, 0, 2)), "no in-core time");
    /* the data time a measurement implies, and the model giving the measurement back: data
     * dominating (Tc 1, T 3, overlap 0.5: Td 2.5), in-core dominating (Tc 4, T 4.5, overlap 0.5:
     * Td 1), nothing beyond in-core (0) */
    double td = ceil_model_data_of(3, 1, 0.5);
    EXPECT(near(td, 2.5), "data dominating %g", td);
    struct ceil_model_in fit = { .core_ns = 1, .scaling = 1, .data_ns = td, .share = { 0, 0, 1 }, .overlap = 0.5 };
    ceil_model_predict(&fit, &m);
    EXPECT(near(m.ns, 3), "data round trip %g", m.ns);
    td = ceil_model_data_of(4.5, 4, 0.5);
    EXPECT(near(td, 1), "in-core dominating %g", td);
    EXPECT(ceil_model_data_of(3, 4, 0.5) == 0 && isnan(ceil_model_data_of(3, 0, 0.5)), "no data time");
    EXPECT(ceil_model_data_of(4, 4, 1) == 0, "a time equal to the in-core time holds no data time, even at overlap 1");
    /* the measured curve: log interpolation between points, held outside them */
    const double fp[] = { 1e6, 1e8 }, sh[] = { 0.2, 0.8 };
    EXPECT(near(ceil_model_curve(1e7, fp, sh, 2), 0.5), "curve midpoint %g", ceil_model_curve(1e7, fp, sh, 2));
    EXPECT(near(ceil_model_curve(1e3, fp, sh, 2), 0.2) && near(ceil_model_curve(1e9, fp, sh, 2), 0.8), "curve ends");
    return EXPECT_DONE();
}
