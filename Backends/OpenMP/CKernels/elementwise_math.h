/* Branch-free float32 transcendentals that clang can inline and vectorise (libm's expf
   and friends are opaque calls, and we have no vector math library). Polynomials are
   Cephes's (S. Moshier), accurate to about 1-2 ulp; special values (NaN, +-inf, +-0,
   overflow, underflow to subnormals and zero) follow IEEE/libm, as the reference does.
   Everything is written with selects, never branches, so the loops stay vectorisable. */
#ifndef SWIFTTORCH_ELEMENTWISE_MATH_H
#define SWIFTTORCH_ELEMENTWISE_MATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float st_bits_to_f(int32_t i) { float f; memcpy(&f, &i, sizeof f); return f; }
static inline int32_t st_f_to_bits(float f) { int32_t i; memcpy(&i, &f, sizeof i); return i; }

/* e^x: x = k ln2 + r with |r| <= ln2/2, e^r by a degree-7 polynomial, 2^k applied in two
   halves so that results in the subnormal range round once and large k cannot overflow
   the exponent field. Clamping x to [-104, 89] keeps k in int range; beyond it the
   scaling itself yields 0 or inf. */
static inline float st_expf(float x) {
    float xc = x == x ? x : 0.0f;
    xc = xc < -104.0f ? -104.0f : xc;
    xc = xc > 89.0f ? 89.0f : xc;
    /* Adding 1.5 * 2^23 rounds to an integer (ties to even) without a libm call. */
    const float kf = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
    const int32_t k = (int32_t)kf;
    /* ln2 split in two (Cody-Waite) so that kf * hi is exact. */
    const float r = (xc - kf * 0.693359375f) - kf * -2.12194440e-4f;
    float q = 1.9875691500e-4f;
    q = q * r + 1.3981999507e-3f;
    q = q * r + 8.3334519073e-3f;
    q = q * r + 4.1665795894e-2f;
    q = q * r + 1.6666665459e-1f;
    q = q * r + 5.0000001201e-1f;
    const float e = (q * (r * r) + r) + 1.0f;
    const int32_t k1 = k / 2, k2 = k - k1;
    const float y = (e * st_bits_to_f((k1 + 127) << 23)) * st_bits_to_f((k2 + 127) << 23);
    return x == x ? y : x;
}

/* log(x): x = 2^e * m with m in [sqrt(1/2), sqrt(2)), log(m) by a degree-9 polynomial in
   m - 1. Subnormals are scaled by 2^25 first. */
static inline float st_logf(float x) {
    const int sub = x < 1.17549435e-38f;
    const float xs = sub ? x * 33554432.0f : x;
    const int32_t bits = st_f_to_bits(xs);
    int32_t ex = ((bits >> 23) & 0xff) - 126 - (sub ? 25 : 0);
    float m = st_bits_to_f((bits & 0x007fffff) | 0x3f000000); /* [0.5, 1) */
    const int low = m < 0.707106781186547524f;
    ex = low ? ex - 1 : ex;
    m = low ? (m + m) - 1.0f : m - 1.0f;
    const float z = m * m;
    float y = 7.0376836292e-2f;
    y = y * m - 1.1514610310e-1f;
    y = y * m + 1.1676998740e-1f;
    y = y * m - 1.2420140846e-1f;
    y = y * m + 1.4249322787e-1f;
    y = y * m - 1.6668057665e-1f;
    y = y * m + 2.0000714765e-1f;
    y = y * m - 2.4999993993e-1f;
    y = y * m + 3.3333331174e-1f;
    y = y * m * z;
    const float fe = (float)ex;
    y += -2.12194440e-4f * fe;
    y += -0.5f * z;
    float r = (m + y) + 0.693359375f * fe;
    r = x == INFINITY ? x : r;
    r = x == 0.0f ? -INFINITY : r;
    r = x < 0.0f ? NAN : r;
    return x == x ? r : x;
}

/* log(1 + x) by Kahan's trick: with w = fl(1 + x), log(w) * x / (w - 1) cancels the
   rounding of w, so small x keep full relative accuracy. */
static inline float st_log1pf(float x) {
    const float w = 1.0f + x;
    const float d = w - 1.0f;
    float r = st_logf(w) * (x / (d == 0.0f ? 1.0f : d));
    r = d == 0.0f ? x : r; /* also keeps -0.0 */
    return w == INFINITY ? w : r;
}

/* e^x - 1, Kahan's trick again: (u - 1) * x / log(u) with u = fl(e^x). */
static inline float st_expm1f(float x) {
    const float u = st_expf(x);
    const float um1 = u - 1.0f;
    const float lu = st_logf(u);
    float r = um1 * (x / (lu == 0.0f ? 1.0f : lu));
    r = u == 1.0f ? x : r;
    r = um1 == -1.0f ? -1.0f : r;
    return u == INFINITY ? u : r;
}

/* tanh: an odd polynomial below |x| = 0.625, else 1 - 2 / (e^{2|x|} + 1) (exact limit 1
   when the exponential overflows). */
static inline float st_tanhf(float x) {
    const float ax = fabsf(x);
    const float e = st_expf(ax + ax);
    const float big = copysignf(1.0f - 2.0f / (e + 1.0f), x);
    const float z = x * x;
    float q = -5.70498872745e-3f;
    q = q * z + 2.06390887954e-2f;
    q = q * z - 5.37397155531e-2f;
    q = q * z + 1.33314422036e-1f;
    q = q * z - 3.33332819422e-1f;
    /* copysign keeps tanh(-0) = -0, which the sum alone would turn into +0. */
    const float small = copysignf((q * z) * x + x, x);
    return ax < 0.625f ? small : big;
}

/* 1 / (1 + e^-x), with exp only ever seeing -|x| (the reference's two formulas). */
static inline float st_sigmoidf(float x) {
    const float e = st_expf(-fabsf(x));
    const float q = 1.0f / (1.0f + e);
    return x >= 0.0f ? q : e * q;
}

/* The same formulas in double, for float64's sigmoid-like ops that call libm's exp. */
static inline double st_sigmoid(double x) {
    if (x >= 0) return 1.0 / (1.0 + exp(-x));
    const double e = exp(x);
    return e / (1.0 + e);
}

#endif
