/* The time model's arithmetic. */
#include "model.h"

#include <math.h>

const char *const ceil_model_level_names[CEIL_LEVEL_COUNT] = { "L2", "L3", "DRAM" };

void ceil_model_predict(const struct ceil_model_in *in, struct ceil_model_out *out)
{
    double tc = in->core_ns / (in->scaling > 0 ? in->scaling : 1), td = in->data_ns;
    double a = fmin(1, fmax(0, in->overlap));
    double core = tc >= td ? tc : (1 - a) * tc, data = tc >= td ? (1 - a) * td : td;
    double disp = in->dispatch_ns > 0 ? in->dispatch_ns : 0;
    out->ns = core + data + disp;
    double t = out->ns > 0 ? out->ns : 1;
    out->core = core / t;
    out->dispatch = disp / t;
    for (int l = 0; l < CEIL_LEVEL_COUNT; l++)
        out->level[l] = data * in->share[l] / t;
}

double ceil_model_overlap(double measured_ns, double core_ns, double data_ns)
{
    if (!(core_ns > 0) || !(data_ns > 0) || !isfinite(measured_ns))
        return NAN;
    return fmin(1, fmax(0, 1 - (measured_ns - fmax(core_ns, data_ns)) / fmin(core_ns, data_ns)));
}

void ceil_model_shares(double footprint, double l2, double l3, double share[CEIL_LEVEL_COUNT])
{
    for (int l = 0; l < CEIL_LEVEL_COUNT; l++)
        share[l] = 0;
    if (footprint <= l2)
        share[CEIL_LEVEL_L2] = 1;
    else if (footprint <= l3)
        share[CEIL_LEVEL_L3] = 1;
    else if (footprint >= 4 * l3) /* the plan's DRAM: a streaming loop finds nothing left in L3 */
        share[CEIL_LEVEL_DRAM] = 1;
    else {
        share[CEIL_LEVEL_L3] = l3 > 0 ? fmin(1, l3 / footprint) : 0;
        share[CEIL_LEVEL_DRAM] = 1 - share[CEIL_LEVEL_L3];
    }
}
