/* Strided copies with dtype conversion (_to_copy, contiguous(), cat's slices) and the
   creation ops (full, arange, linspace, eye).

   Conversions follow the reference exactly: a float becomes an integer by truncation
   toward zero with NaN -> 0 and saturation at the target's range (DType.integerValue,
   then Int32(clamping:)); a float becomes bool by x != 0 (so NaN -> true); integers
   become floats by one rounding from int64; int64 -> int32 wraps. */
#include <math.h>
#include "elementwise_internal.h"

static inline int64_t st_f_to_i64(double x) {
    return x != x ? 0
         : x >= 9223372036854775808.0 ? INT64_MAX
         : x <= -9223372036854775808.0 ? INT64_MIN
         : (int64_t)x;
}

static inline int32_t st_f_to_i32(double x) {
    return x != x ? 0
         : x >= 2147483647.0 ? INT32_MAX
         : x <= -2147483648.0 ? INT32_MIN
         : (int32_t)x;
}

/* Same-size copies move bits, so NaN payloads and -0.0 survive. */
ST_ROW1(copy_1, uint8_t, uint8_t, x)
ST_ROW1(copy_4, uint32_t, uint32_t, x)
ST_ROW1(copy_8, uint64_t, uint64_t, x)

/* From float32 / float64. */
ST_ROW1(f32_to_bool, uint8_t, float, x != 0)
ST_ROW1(f32_to_i32, int32_t, float, st_f_to_i32((double)x))
ST_ROW1(f32_to_i64, int64_t, float, st_f_to_i64((double)x))
ST_ROW1(f32_to_f64, double, float, (double)x)
ST_ROW1(f64_to_bool, uint8_t, double, x != 0)
ST_ROW1(f64_to_i32, int32_t, double, st_f_to_i32(x))
ST_ROW1(f64_to_i64, int64_t, double, st_f_to_i64(x))
ST_ROW1(f64_to_f32, float, double, (float)x)

/* From bool / int32 / int64, through int64 as the reference does. */
ST_ROW1(b_to_i32, int32_t, uint8_t, (int32_t)x)
ST_ROW1(b_to_i64, int64_t, uint8_t, (int64_t)x)
ST_ROW1(b_to_f32, float, uint8_t, (float)x)
ST_ROW1(b_to_f64, double, uint8_t, (double)x)
ST_ROW1(i32_to_bool, uint8_t, int32_t, x != 0)
ST_ROW1(i32_to_i64, int64_t, int32_t, (int64_t)x)
ST_ROW1(i32_to_f32, float, int32_t, (float)x) /* exact int32 -> float rounds once either way */
ST_ROW1(i32_to_f64, double, int32_t, (double)x)
ST_ROW1(i64_to_bool, uint8_t, int64_t, x != 0)
ST_ROW1(i64_to_i32, int32_t, int64_t, (int32_t)x) /* wraps, as Int32(truncatingIfNeeded:) */
ST_ROW1(i64_to_f32, float, int64_t, (float)x)     /* one rounding, as Float(Int64) */
ST_ROW1(i64_to_f64, double, int64_t, (double)x)

static const int st_itemsize[5] = {1, 4, 8, 4, 8};

/* [source][destination], both in st_dtype order; the diagonal moves bits. */
static const st_row_fn convert_rows[5][5] = {
    {copy_1, b_to_i32, b_to_i64, b_to_f32, b_to_f64},
    {i32_to_bool, copy_4, i32_to_i64, i32_to_f32, i32_to_f64},
    {i64_to_bool, i64_to_i32, copy_8, i64_to_f32, i64_to_f64},
    {f32_to_bool, f32_to_i32, f32_to_i64, copy_4, f32_to_f64},
    {f64_to_bool, f64_to_i32, f64_to_i64, f64_to_f32, copy_8},
};

int st_ew_copy(int src_dtype, int dst_dtype, const st_ew_geometry *g, void *out, const void *in) {
    if (src_dtype < 0 || src_dtype > 4 || dst_dtype < 0 || dst_dtype > 4) return -1;
    const int itemsize[2] = {st_itemsize[dst_dtype], st_itemsize[src_dtype]};
    void *const base[2] = {out, (void *)in};
    st_ew_ctx ctx = {0};
    st_ew_run(g, 2, base, itemsize, ST_EW_PARALLEL_MIN, convert_rows[src_dtype][dst_dtype], &ctx);
    return 0;
}

/* Creation ops write contiguous outputs: plain parallel loops, vectorised. */
#define ST_PAR_FOR _Pragma("omp parallel for schedule(static) if(n > ST_EW_PARALLEL_MIN)")

#define ST_FILL(SUF, T)                                                                \
    ST_CLONES static void fill_##SUF(int64_t n, T *restrict o, T v) {                  \
        ST_PAR_FOR                                                                     \
        for (int64_t i = 0; i < n; i++) o[i] = v;                                      \
    }
ST_FILL(1, uint8_t)
ST_FILL(4, uint32_t)
ST_FILL(8, uint64_t)

int st_fill_pattern(int itemsize, int64_t n, void *out, uint64_t pattern) {
    if (n <= 0) return 0;
    switch (itemsize) {
    case 1: fill_1(n, out, (uint8_t)pattern); return 0;
    case 4: fill_4(n, out, (uint32_t)pattern); return 0;
    case 8: fill_8(n, out, pattern); return 0;
    default: return -1;
    }
}

/* Element i of arange / linspace, stored by the dtype's conversion rule. */
#define ST_STORE(dtype, out, i, v)                                                     \
    switch (dtype) {                                                                   \
    case ST_DT_BOOL: ((uint8_t *)out)[i] = (v) != 0; break;                            \
    case ST_DT_INT32: ((int32_t *)out)[i] = st_f_to_i32(v); break;                     \
    case ST_DT_INT64: ((int64_t *)out)[i] = st_f_to_i64(v); break;                     \
    case ST_DT_FLOAT32: ((float *)out)[i] = (float)(v); break;                         \
    default: ((double *)out)[i] = (v); break;                                          \
    }

int st_arange(int dtype, int64_t n, void *out, double start, double step, int64_t istart,
              int64_t istep) {
    if (dtype < ST_DT_BOOL || dtype > ST_DT_FLOAT64) return -1;
    if (dtype == ST_DT_FLOAT32 || dtype == ST_DT_FLOAT64) {
        ST_PAR_FOR
        for (int64_t i = 0; i < n; i++) { ST_STORE(dtype, out, i, start + (double)i * step) }
    } else {
        /* Integers as the reference: start + i * step in wrapping int64, stored truncated. */
        ST_PAR_FOR
        for (int64_t i = 0; i < n; i++) {
            const int64_t v = (int64_t)((uint64_t)istart + (uint64_t)i * (uint64_t)istep);
            if (dtype == ST_DT_INT64) ((int64_t *)out)[i] = v;
            else if (dtype == ST_DT_INT32) ((int32_t *)out)[i] = (int32_t)v;
            else ((uint8_t *)out)[i] = v != 0;
        }
    }
    return 0;
}

int st_linspace(int dtype, int64_t n, void *out, double start, double end) {
    if (dtype < ST_DT_BOOL || dtype > ST_DT_FLOAT64) return -1;
    if (n <= 0) return 0;
    if (n == 1) { ST_STORE(dtype, out, 0, start) return 0; }
    const double step = (end - start) / (double)(n - 1);
    const int64_t half = n / 2;
    ST_PAR_FOR
    for (int64_t i = 0; i < n; i++) {
        const double v = i < half ? start + step * (double)i : end - step * (double)(n - 1 - i);
        ST_STORE(dtype, out, i, v)
    }
    return 0;
}

int st_eye(int itemsize, int64_t rows, int64_t cols, void *out, uint64_t one) {
    if (st_fill_pattern(itemsize, rows * cols, out, 0) != 0) return -1;
    const int64_t diag = rows < cols ? rows : cols;
    for (int64_t i = 0; i < diag; i++) {
        char *p = (char *)out + (i * cols + i) * itemsize;
        if (itemsize == 1) *(uint8_t *)p = (uint8_t)one;
        else if (itemsize == 4) *(uint32_t *)p = (uint32_t)one;
        else *(uint64_t *)p = one;
    }
    return 0;
}
