/* Binary elementwise ops, comparisons and where, for float32 and float64.

   The reference computes in double and rounds once. For + - * / (and sqrt) the float32
   result is the same either way (double has more than 2 * 24 + 2 bits), so float32 runs
   in float; where float arithmetic could round differently (alpha != 1, truncating and
   flooring division, pow) float32 goes through double. */
#include <math.h>
#include "elementwise_internal.h"

/* PyTorch's div_floor_floating (the reference's floorDivide): through fmod so that
   exactly integral quotients are not pushed down by the rounding of a / b. */
static double st_floor_divide(double a, double b) {
    if (b == 0) return a / b;
    const double mod = fmod(a, b);
    double div = (a - mod) / b;
    if (mod != 0 && (b < 0) != (mod < 0)) div -= 1;
    if (div == 0) return copysign(0.0, a / b);
    double fl = floor(div);
    if (div - fl > 0.5) fl += 1;
    return fl;
}

/* NaN-propagating max/min; otherwise `a > b ? a : b`, the reference's choice for +-0. */
#define ST_MAXIMUM(x, y) ((x) != (x) ? (x) : (y) != (y) ? (y) : (x) > (y) ? (x) : (y))
#define ST_MINIMUM(x, y) ((x) != (x) ? (x) : (y) != (y) ? (y) : (x) < (y) ? (x) : (y))

#define ST_BINARY_ROWS(SUF, T)                                                         \
    ST_ROW2(add_##SUF, T, T, x + y)                                                    \
    ST_ROW2(sub_##SUF, T, T, x - y)                                                    \
    ST_ROW2(add_alpha_##SUF, T, T, (T)((double)x + ctx->alpha * (double)y))            \
    ST_ROW2(sub_alpha_##SUF, T, T, (T)((double)x - ctx->alpha * (double)y))            \
    ST_ROW2(mul_##SUF, T, T, x * y)                                                    \
    ST_ROW2(div_##SUF, T, T, x / y)                                                    \
    ST_ROW2(div_trunc_##SUF, T, T, (T)trunc((double)x / (double)y))                    \
    ST_ROW2(div_floor_##SUF, T, T, (T)st_floor_divide((double)x, (double)y))           \
    ST_ROW2(maximum_##SUF, T, T, ST_MAXIMUM(x, y))                                     \
    ST_ROW2(minimum_##SUF, T, T, ST_MINIMUM(x, y))                                     \
    ST_ROW2(eq_##SUF, uint8_t, T, x == y)                                              \
    ST_ROW2(ne_##SUF, uint8_t, T, x != y)                                              \
    ST_ROW2(lt_##SUF, uint8_t, T, x < y)                                               \
    ST_ROW2(le_##SUF, uint8_t, T, x <= y)                                              \
    ST_ROW2(gt_##SUF, uint8_t, T, x > y)                                               \
    ST_ROW2(ge_##SUF, uint8_t, T, x >= y)                                              \
    ST_ROW2(pow_##SUF, T, T, (T)pow((double)x, (double)y))

ST_BINARY_ROWS(f32, float)
ST_BINARY_ROWS(f64, double)

/* float32 pow with a broadcast exponent of 2 (x ** 2 is common): x * x is exactly what
   libm's pow gives (the double square of a float is exact), and it vectorises. float64
   keeps libm's pow, which may differ from x * x in the last bit. */
ST_ROW1(square_f32, float, float, x * x)
static void pow_fast_f32(int64_t n, char *const *p, const int64_t *s, st_ew_ctx *ctx) {
    if (s[2] == 0 && *(const float *)p[2] == 2.0f) {
        char *q[2] = {p[0], p[1]};
        const int64_t qs[2] = {s[0], s[1]};
        square_f32(n, q, qs, ctx);
    } else {
        pow_f32(n, p, s, ctx);
    }
}

/* Indexed by st_binary_op, then dtype (0 float32, 1 float64). */
static const st_row_fn binary_rows[][2] = {
    [ST_BIN_ADD] = {add_f32, add_f64},
    [ST_BIN_SUB] = {sub_f32, sub_f64},
    [ST_BIN_MUL] = {mul_f32, mul_f64},
    [ST_BIN_DIV] = {div_f32, div_f64},
    [ST_BIN_DIV_TRUNC] = {div_trunc_f32, div_trunc_f64},
    [ST_BIN_DIV_FLOOR] = {div_floor_f32, div_floor_f64},
    [ST_BIN_POW] = {pow_fast_f32, pow_f64},
    [ST_BIN_MAXIMUM] = {maximum_f32, maximum_f64},
    [ST_BIN_MINIMUM] = {minimum_f32, minimum_f64},
    [ST_BIN_EQ] = {eq_f32, eq_f64},
    [ST_BIN_NE] = {ne_f32, ne_f64},
    [ST_BIN_LT] = {lt_f32, lt_f64},
    [ST_BIN_LE] = {le_f32, le_f64},
    [ST_BIN_GT] = {gt_f32, gt_f64},
    [ST_BIN_GE] = {ge_f32, ge_f64},
};

int st_ew_binary(int op, int dtype, const st_ew_geometry *g, void *out, const void *a,
                 const void *b, double alpha) {
    if (op < 0 || op > ST_BIN_GE) return -1;
    if (dtype != ST_DT_FLOAT32 && dtype != ST_DT_FLOAT64) return -1;
    const int d = dtype == ST_DT_FLOAT64;
    st_row_fn fn = binary_rows[op][d];
    st_ew_ctx ctx = {0};
    ctx.alpha = alpha;
    /* alpha = 1 keeps the plain (vectorised, exactly rounded) add and sub. */
    if (op == ST_BIN_ADD && alpha != 1.0) fn = d ? add_alpha_f64 : add_alpha_f32;
    if (op == ST_BIN_SUB && alpha != 1.0) fn = d ? sub_alpha_f64 : sub_alpha_f32;
    const int item = d ? 8 : 4;
    const int itemsize[3] = {op >= ST_BIN_EQ ? 1 : item, item, item};
    void *const base[3] = {out, (void *)a, (void *)b};
    const int heavy = op == ST_BIN_POW || op == ST_BIN_DIV_FLOOR;
    st_ew_run(g, 3, base, itemsize, heavy ? ST_EW_PARALLEL_MIN_HEAVY : ST_EW_PARALLEL_MIN, fn, &ctx);
    return 0;
}

#define ST_WHERE_ROW(NAME, T)                                                          \
    ST_CLONES static void NAME(int64_t n, char *const *p, const int64_t *s, st_ew_ctx *ctx) { \
        (void)ctx;                                                                     \
        T *restrict o = (T *)p[0];                                                     \
        const uint8_t *restrict c = (const uint8_t *)p[1];                             \
        const T *restrict a = (const T *)p[2], *restrict b = (const T *)p[3];          \
        if (s[0] == 1 && s[1] == 1 && s[2] == 1 && s[3] == 1) {                        \
            for (int64_t i = 0; i < n; i++) o[i] = c[i] ? a[i] : b[i];                 \
        } else {                                                                       \
            for (int64_t i = 0; i < n; i++)                                            \
                o[i * s[0]] = c[i * s[1]] ? a[i * s[2]] : b[i * s[3]];                 \
        }                                                                              \
    }

/* Elements move as bits, so one variant per element size serves every dtype. */
ST_WHERE_ROW(where_1, uint8_t)
ST_WHERE_ROW(where_4, uint32_t)
ST_WHERE_ROW(where_8, uint64_t)

int st_ew_where(int dtype, const st_ew_geometry *g, void *out, const uint8_t *cond,
                const void *a, const void *b) {
    static const int sizes[5] = {1, 4, 8, 4, 8};
    if (dtype < ST_DT_BOOL || dtype > ST_DT_FLOAT64) return -1;
    const int item = sizes[dtype];
    const int itemsize[4] = {item, 1, item, item};
    void *const base[4] = {out, (void *)cond, (void *)a, (void *)b};
    st_ew_ctx ctx = {0};
    st_ew_run(g, 4, base, itemsize, ST_EW_PARALLEL_MIN,
              item == 1 ? where_1 : item == 4 ? where_4 : where_8, &ctx);
    return 0;
}
