/* Unary elementwise ops for float32 and float64.

   float32: exp, log, log1p, expm1, tanh, sigmoid, silu, softplus and gelu(tanh) use the
   vectorisable float formulas of elementwise_math.h (within a few ulp of the float64
   reference, well inside the float32 tolerance); sin, cos, erf, gelu(erf) call libm in
   double, which is exactly the reference, parallel but not vectorised. Rounding ops,
   sqrt and the exactly rounded arithmetic ops run in float.
   float64: libm in double, as the reference computes, so results agree to the last bit
   wherever the formula is the same. */
#include <math.h>
#include "elementwise_internal.h"
#include "elementwise_math.h"

#define ST_SQRT_2_OVER_PI 0.7978845608028654

/* Selects keep NaN (x and the bounds), and `x > lo ? x : lo` picks lo for x = -0, lo = +0
   as the reference does. A missing bound arrives as -inf / +inf. */
#define ST_CLAMP_BODY                                                                  \
    T t = x != x ? x : x > lo ? x : lo;                                                \
    t = lo != lo ? lo : t;                                                             \
    t = t != t ? t : t < hi ? t : hi;                                                  \
    return hi != hi ? hi : t;
static inline float st_clampf(float x, float lo, float hi) { typedef float T; ST_CLAMP_BODY }
static inline double st_clamp(double x, double lo, double hi) { typedef double T; ST_CLAMP_BODY }

/* sign: NaN and -0 give +0, as in the reference. */
#define ST_SIGN(T, x) ((x) > 0 ? (T)1 : (x) < 0 ? (T)-1 : (T)0)

/* gelu(erf) exactly as the reference writes it, in double (1.4142135623730951 is the
   double nearest sqrt(2), what Swift's 2.0.squareRoot() gives). */
static inline double st_gelu_erf(double x) { return 0.5 * x * (1 + erf(x / 1.4142135623730951)); }

ST_ROW1(neg_f32, float, float, -x)
ST_ROW1(abs_f32, float, float, fabsf(x))
ST_ROW1(exp_f32, float, float, st_expf(x))
ST_ROW1(log_f32, float, float, st_logf(x))
ST_ROW1(sqrt_f32, float, float, ST_SQRT(x))
ST_ROW1(rsqrt_f32, float, float, (float)(1.0 / ST_SQRT((double)x)))
ST_ROW1(sin_f32, float, float, (float)sin((double)x))
ST_ROW1(cos_f32, float, float, (float)cos((double)x))
ST_ROW1(tanh_f32, float, float, st_tanhf(x))
ST_ROW1(sigmoid_f32, float, float, st_sigmoidf(x))
ST_ROW1(relu_f32, float, float, x < 0.0f ? 0.0f : x)
ST_ROW1(gelu_f32, float, float, (float)st_gelu_erf((double)x))
/* 0.5 x (1 + tanh(u)) = x sigmoid(2u): no cancellation for negative x. */
ST_ROW1(gelu_tanh_f32, float, float,
        x * st_sigmoidf(2.0f * ((float)ST_SQRT_2_OVER_PI * (x + 0.044715f * x * x * x))))
ST_ROW1(silu_f32, float, float, x * st_sigmoidf(x))
/* The threshold test in double, as the reference makes it; the rest in float. */
ST_ROW1(softplus_f32, float, float,
        (double)x * ctx->p0 > ctx->p1 ? x : st_log1pf(st_expf(x * ctx->p0f)) / ctx->p0f)
ST_ROW1(sign_f32, float, float, ST_SIGN(float, x))
ST_ROW1(floor_f32, float, float, floorf(x))
ST_ROW1(ceil_f32, float, float, ceilf(x))
ST_ROW1(round_f32, float, float, rintf(x)) /* default rounding mode: half to even */
ST_ROW1(reciprocal_f32, float, float, 1.0f / x)
ST_ROW1(log1p_f32, float, float, st_log1pf(x))
ST_ROW1(expm1_f32, float, float, st_expm1f(x))
ST_ROW1(erf_f32, float, float, (float)erf((double)x))
ST_ROW1(square_f32, float, float, x * x)
ST_ROW1(clamp_f32, float, float, st_clampf(x, ctx->p0f, ctx->p1f))

ST_ROW1(neg_f64, double, double, -x)
ST_ROW1(abs_f64, double, double, fabs(x))
ST_ROW1(exp_f64, double, double, exp(x))
ST_ROW1(log_f64, double, double, log(x))
ST_ROW1(sqrt_f64, double, double, ST_SQRT(x))
ST_ROW1(rsqrt_f64, double, double, 1.0 / ST_SQRT(x))
ST_ROW1(sin_f64, double, double, sin(x))
ST_ROW1(cos_f64, double, double, cos(x))
ST_ROW1(tanh_f64, double, double, tanh(x))
ST_ROW1(sigmoid_f64, double, double, st_sigmoid(x))
ST_ROW1(relu_f64, double, double, x < 0.0 ? 0.0 : x)
ST_ROW1(gelu_f64, double, double, st_gelu_erf(x))
ST_ROW1(gelu_tanh_f64, double, double,
        0.5 * x * (1 + tanh(ST_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))))
ST_ROW1(silu_f64, double, double, x * st_sigmoid(x))
ST_ROW1(softplus_f64, double, double,
        x * ctx->p0 > ctx->p1 ? x : log1p(exp(x * ctx->p0)) / ctx->p0)
ST_ROW1(sign_f64, double, double, ST_SIGN(double, x))
ST_ROW1(floor_f64, double, double, floor(x))
ST_ROW1(ceil_f64, double, double, ceil(x))
ST_ROW1(round_f64, double, double, rint(x))
ST_ROW1(reciprocal_f64, double, double, 1.0 / x)
ST_ROW1(log1p_f64, double, double, log1p(x))
ST_ROW1(expm1_f64, double, double, expm1(x))
ST_ROW1(erf_f64, double, double, erf(x))
ST_ROW1(square_f64, double, double, x * x)
ST_ROW1(clamp_f64, double, double, st_clamp(x, ctx->p0, ctx->p1))

typedef struct {
    st_row_fn f32, f64;
    int heavy; /* per-element cost high enough to go parallel sooner */
} st_unary_entry;

static const st_unary_entry unary_rows[] = {
    [ST_UN_NEG] = {neg_f32, neg_f64, 0},
    [ST_UN_ABS] = {abs_f32, abs_f64, 0},
    [ST_UN_EXP] = {exp_f32, exp_f64, 1},
    [ST_UN_LOG] = {log_f32, log_f64, 1},
    [ST_UN_SQRT] = {sqrt_f32, sqrt_f64, 0},
    [ST_UN_RSQRT] = {rsqrt_f32, rsqrt_f64, 0},
    [ST_UN_SIN] = {sin_f32, sin_f64, 1},
    [ST_UN_COS] = {cos_f32, cos_f64, 1},
    [ST_UN_TANH] = {tanh_f32, tanh_f64, 1},
    [ST_UN_SIGMOID] = {sigmoid_f32, sigmoid_f64, 1},
    [ST_UN_RELU] = {relu_f32, relu_f64, 0},
    [ST_UN_GELU] = {gelu_f32, gelu_f64, 1},
    [ST_UN_GELU_TANH] = {gelu_tanh_f32, gelu_tanh_f64, 1},
    [ST_UN_SILU] = {silu_f32, silu_f64, 1},
    [ST_UN_SOFTPLUS] = {softplus_f32, softplus_f64, 1},
    [ST_UN_SIGN] = {sign_f32, sign_f64, 0},
    [ST_UN_FLOOR] = {floor_f32, floor_f64, 0},
    [ST_UN_CEIL] = {ceil_f32, ceil_f64, 0},
    [ST_UN_ROUND] = {round_f32, round_f64, 0},
    [ST_UN_RECIPROCAL] = {reciprocal_f32, reciprocal_f64, 0},
    [ST_UN_LOG1P] = {log1p_f32, log1p_f64, 1},
    [ST_UN_EXPM1] = {expm1_f32, expm1_f64, 1},
    [ST_UN_ERF] = {erf_f32, erf_f64, 1},
    [ST_UN_SQUARE] = {square_f32, square_f64, 0},
    [ST_UN_CLAMP] = {clamp_f32, clamp_f64, 0},
};

int st_ew_unary(int op, int dtype, const st_ew_geometry *g, void *out, const void *x,
                double p0, double p1) {
    if (op < 0 || op > ST_UN_CLAMP) return -1;
    if (dtype != ST_DT_FLOAT32 && dtype != ST_DT_FLOAT64) return -1;
    const int d = dtype == ST_DT_FLOAT64;
    const st_unary_entry *e = &unary_rows[op];
    st_ew_ctx ctx = {0};
    ctx.p0 = p0;
    ctx.p1 = p1;
    ctx.p0f = (float)p0; /* rounding is monotonic, so clamping to the rounded bound */
    ctx.p1f = (float)p1; /* equals clamping in double and rounding the result */
    const int item = d ? 8 : 4;
    const int itemsize[2] = {item, item};
    void *const base[2] = {out, (void *)x};
    st_ew_run(g, 2, base, itemsize, e->heavy ? ST_EW_PARALLEL_MIN_HEAVY : ST_EW_PARALLEL_MIN,
              d ? e->f64 : e->f32, &ctx);
    return 0;
}
