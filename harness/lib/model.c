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

double ceil_model_data_of(double measured_ns, double core_ns, double overlap)
{
    if (!(core_ns > 0) || !(measured_ns > 0))
        return NAN;
    if (measured_ns <= core_ns)
        return 0;
    double a = fmin(1, fmax(0, overlap));
    double td = measured_ns - (1 - a) * core_ns;
    if (td >= core_ns)
        return td;
    if (a >= 1)
        return 0;
    return fmin(core_ns, (measured_ns - core_ns) / (1 - a));
}

double ceil_model_curve(double footprint, const double *footprints, const double *shares, size_t n)
{
    if (!n)
        return NAN;
    if (footprint <= footprints[0])
        return shares[0];
    for (size_t i = 1; i < n; i++)
        if (footprint <= footprints[i]) {
            double t = log(footprint / footprints[i - 1]) / log(footprints[i] / footprints[i - 1]);
            return shares[i - 1] + t * (shares[i] - shares[i - 1]);
        }
    return shares[n - 1];
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
