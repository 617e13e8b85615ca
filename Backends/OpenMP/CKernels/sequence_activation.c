/* leaky_relu and elu on the strided elementwise driver (st_ew_run), like the unary ops of
   elementwise_unary.c but with their own parameters. */
#include <math.h>
#include "elementwise_internal.h"
#include "elementwise_math.h"
#include "omp_sequence.h"

/* ctx->p0 is the slope (leaky_relu) or alpha (elu); ctx->p1 elu's scale; ctx->alpha
   elu's input_scale. leaky_relu in double is the reference's one rounding of x * slope. */
ST_ROW1(leaky_relu_f32, float, float, x > 0 ? x : (float)((double)x * ctx->p0))
ST_ROW1(leaky_relu_f64, double, double, x > 0 ? x : x * ctx->p0)
ST_ROW1(elu_f32, float, float, x > 0 ? ctx->p1f * x : ctx->p1f * ctx->p0f * st_expm1f(ctx->alphaf * x))
ST_ROW1(elu_f64, double, double, x > 0 ? ctx->p1 * x : ctx->p1 * ctx->p0 * expm1(ctx->alpha * x))

static int run(int dtype, const st_ew_geometry *g, void *out, const void *x, st_row_fn f32, st_row_fn f64,
               int64_t parallel_min, st_ew_ctx *ctx) {
    st_row_fn fn;
    int size;
    if (dtype == ST_DT_FLOAT32) { fn = f32; size = 4; } else if (dtype == ST_DT_FLOAT64) { fn = f64; size = 8; } else return -1;
    void *base[2] = {out, (void *)x};
    const int itemsize[2] = {size, size};
    st_ew_run(g, 2, base, itemsize, parallel_min, fn, ctx);
    return 0;
}

int st_leaky_relu(int dtype, const st_ew_geometry *g, void *out, const void *x, double slope) {
    st_ew_ctx ctx = {.p0 = slope, .p0f = (float)slope};
    return run(dtype, g, out, x, leaky_relu_f32, leaky_relu_f64, ST_EW_PARALLEL_MIN, &ctx);
}

int st_elu(int dtype, const st_ew_geometry *g, void *out, const void *x, double alpha, double scale,
           double input_scale) {
    st_ew_ctx ctx = {.p0 = alpha, .p0f = (float)alpha, .p1 = scale, .p1f = (float)scale,
                     .alpha = input_scale, .alphaf = (float)input_scale};
    return run(dtype, g, out, x, elu_f32, elu_f64, ST_EW_PARALLEL_MIN_HEAVY, &ctx);
}
