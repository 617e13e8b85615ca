/* sum, mean, prod, amax, amin, var, std and logsumexp on top of the engine: each is one or
   two engine passes plus a per-output finish, with the reference backend's formulas. */
#define ST_OMP_INTERNAL
#include "omp_reduce.h"

#include <math.h>
#include <stdlib.h>

static int reduce(int op, int f64, const void *x, const st_geom *given, double correction, void *out) {
    st_geom g = *given;
    if (g.inner_ndim == 0) { /* nothing reduced: each output is its single element */
        const int64_t zero[ST_GEOM_OPERANDS] = {0};
        st_geom_add_inner(&g, 1, zero);
    }
    const int64_t outputs = st_outer_count(&g);
    const double n = (double)st_inner_count(&g);
    /* float64 outputs take the engine's doubles in place; float32 ones need a buffer. */
    double *res = f64 ? out : malloc(sizeof(double) * (size_t)(outputs ? outputs : 1));
    double *center = NULL;
    int rc = 0;
    if (!res) return ST_ERR_MEMORY;
    switch (op) {
    case ST_RED_SUM: rc = st_engine(ST_ACC_SUM, f64, x, &g, NULL, res); break;
    case ST_RED_PROD: rc = st_engine(ST_ACC_PROD, f64, x, &g, NULL, res); break;
    case ST_RED_AMAX: rc = st_engine(ST_ACC_MAX, f64, x, &g, NULL, res); break;
    case ST_RED_AMIN: rc = st_engine(ST_ACC_MIN, f64, x, &g, NULL, res); break;
    case ST_RED_MEAN: /* an empty group gives 0 / 0 = NaN, as in PyTorch */
        rc = st_engine(ST_ACC_SUM, f64, x, &g, NULL, res);
        for (int64_t o = 0; o < outputs; o++) res[o] /= n;
        break;
    case ST_RED_VAR:
    case ST_RED_STD:
        /* Two passes (mean, then squared deviations): no cancellation, unlike sum of squares. */
        center = malloc(sizeof(double) * (size_t)(outputs ? outputs : 1));
        if (!center) { rc = ST_ERR_MEMORY; break; }
        rc = st_engine(ST_ACC_SUM, f64, x, &g, NULL, center);
        for (int64_t o = 0; o < outputs; o++) center[o] /= n;
        if (!rc) rc = st_engine(ST_ACC_SQDEV, f64, x, &g, center, res);
        for (int64_t o = 0; o < outputs; o++) {
            double v = res[o] / fmax(0.0, n - correction);
            res[o] = op == ST_RED_STD ? sqrt(v) : v;
        }
        break;
    case ST_RED_LOGSUMEXP:
        /* Shift by the maximum unless it is infinite: all -inf then gives log(0) = -inf and
           a +inf gives +inf; NaN stays NaN. */
        center = malloc(sizeof(double) * (size_t)(outputs ? outputs : 1));
        if (!center) { rc = ST_ERR_MEMORY; break; }
        rc = st_engine(ST_ACC_MAX, f64, x, &g, NULL, center);
        for (int64_t o = 0; o < outputs; o++) if (isinf(center[o])) center[o] = 0;
        if (!rc) rc = st_engine(ST_ACC_SUMEXP, f64, x, &g, center, res);
        for (int64_t o = 0; o < outputs; o++) res[o] = log(res[o]) + center[o];
        break;
    default:
        rc = ST_ERR_ARGUMENT;
    }
    if (!f64) {
        float *o32 = out;
        for (int64_t o = 0; o < outputs; o++) o32[o] = (float)res[o];
        free(res);
    }
    free(center);
    return rc;
}

int st_reduce_f32(int op, const float *x, const st_geom *g, double correction, float *out) {
    return reduce(op, 0, x, g, correction, out);
}

int st_reduce_f64(int op, const double *x, const st_geom *g, double correction, double *out) {
    return reduce(op, 1, x, g, correction, out);
}
