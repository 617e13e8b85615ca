/* Integer and bool variants of the binary and unary ops, matching the reference's Int64
   domain: + - * wrap (computed on unsigned types, where C defines wrapping), results are
   stored truncated to the dtype (int32) or as != 0 (bool). Division by zero and negative
   integer exponents are reported (ST_EW_INT_DIV_ZERO / ST_EW_INT_NEG_POW), never trapped;
   INT_MIN / -1 wraps as the reference does. */
#include "elementwise_internal.h"

static void st_flag(st_ew_ctx *ctx, int64_t v) {
    __atomic_store_n(&ctx->bad_index, v, __ATOMIC_RELAXED);
    __atomic_store_n(&ctx->bad, 1, __ATOMIC_RELAXED);
}

/* Division in int64 (so int32's INT_MIN / -1 has room), truncating or flooring. */
static inline int64_t st_idiv(int64_t a, int64_t b, int floor_mode) {
    if (a == INT64_MIN && b == -1) return INT64_MIN;
    const int64_t q = a / b, r = a % b;
    return floor_mode && r != 0 && ((r < 0) != (b < 0)) ? q - 1 : q;
}

/* max(x, lo) then min(., hi), as the reference applies them (lo > hi gives hi). A
   missing bound arrives as INT64_MIN / INT64_MAX. */
static inline int64_t st_iclamp(int64_t x, int64_t lo, int64_t hi) {
    const int64_t t = x < lo ? lo : x;
    return t > hi ? hi : t;
}

/* base ** exponent by repeated squaring, wrapping; exponent >= 0 (checked by the caller). */
static inline int64_t st_ipow(int64_t base, int64_t e) {
    uint64_t result = 1, b = (uint64_t)base;
    while (e > 0) {
        if (e & 1) result *= b;
        b *= b;
        e >>= 1;
    }
    return (int64_t)result;
}

/* Scalar loops with error checks: they do not vectorise (x86 has no vector integer
   division) and need not. */
#define ST_INT_CHECKED_ROWS(SUF, T)                                                    \
    static void div_##SUF(int64_t n, char *const *p, const int64_t *s, st_ew_ctx *ctx) { \
        T *o = (T *)p[0];                                                              \
        const T *a = (const T *)p[1], *b = (const T *)p[2];                            \
        const int floor_mode = ctx->dim_size; /* reused as the mode flag */            \
        for (int64_t i = 0; i < n; i++) {                                              \
            const int64_t x = a[i * s[1]], y = b[i * s[2]];                            \
            if (y == 0) { st_flag(ctx, x); return; }                                   \
            o[i * s[0]] = (T)st_idiv(x, y, floor_mode);                                \
        }                                                                              \
    }                                                                                  \
    static void pow_##SUF(int64_t n, char *const *p, const int64_t *s, st_ew_ctx *ctx) { \
        T *o = (T *)p[0];                                                              \
        const T *a = (const T *)p[1], *b = (const T *)p[2];                            \
        for (int64_t i = 0; i < n; i++) {                                              \
            const int64_t x = a[i * s[1]], y = b[i * s[2]];                            \
            if (y < 0) { st_flag(ctx, y); return; }                                    \
            o[i * s[0]] = (T)st_ipow(x, y);                                            \
        }                                                                              \
    }

/* U is the unsigned type of T's width: wrapping arithmetic without undefined behaviour. */
#define ST_INT_ROWS(SUF, T, U)                                                         \
    ST_ROW2(add_##SUF, T, T, (T)((U)x + (U)ctx->ialpha * (U)y))                        \
    ST_ROW2(sub_##SUF, T, T, (T)((U)x - (U)ctx->ialpha * (U)y))                        \
    ST_ROW2(mul_##SUF, T, T, (T)((U)x * (U)y))                                         \
    ST_ROW2(maximum_##SUF, T, T, x > y ? x : y)                                        \
    ST_ROW2(minimum_##SUF, T, T, x < y ? x : y)                                        \
    ST_ROW2(eq_##SUF, uint8_t, T, x == y)                                              \
    ST_ROW2(ne_##SUF, uint8_t, T, x != y)                                              \
    ST_ROW2(lt_##SUF, uint8_t, T, x < y)                                               \
    ST_ROW2(le_##SUF, uint8_t, T, x <= y)                                              \
    ST_ROW2(gt_##SUF, uint8_t, T, x > y)                                               \
    ST_ROW2(ge_##SUF, uint8_t, T, x >= y)                                              \
    ST_ROW1(neg_##SUF, T, T, (T)((U)0 - (U)x))                                         \
    ST_ROW1(abs_##SUF, T, T, x < 0 ? (T)((U)0 - (U)x) : x)                             \
    ST_ROW1(relu_##SUF, T, T, x < 0 ? (T)0 : x)                                        \
    ST_ROW1(sign_##SUF, T, T, x > 0 ? (T)1 : x < 0 ? (T)-1 : (T)0)                     \
    ST_ROW1(copy_##SUF, T, T, x)                                                       \
    ST_ROW1(square_##SUF, T, T, (T)((U)x * (U)x))                                      \
    ST_ROW1(clamp_##SUF, T, T, (T)st_iclamp(x, ctx->ilo, ctx->ihi))                    \
    ST_INT_CHECKED_ROWS(SUF, T)

ST_INT_ROWS(i32, int32_t, uint32_t)
ST_INT_ROWS(i64, int64_t, uint64_t)

/* bool (0/1): the reference's int64 result stored as != 0, so add is or, mul is and. The
   sum wraps (unsigned), as the reference's: an alpha near INT64_MAX must not overflow a
   signed add, which C leaves undefined. */
ST_ROW2(add_b, uint8_t, uint8_t, ((uint64_t)x + (uint64_t)ctx->ialpha * (uint64_t)y) != 0)
ST_ROW2(mul_b, uint8_t, uint8_t, x & y)
ST_ROW2(maximum_b, uint8_t, uint8_t, x | y)
ST_ROW2(minimum_b, uint8_t, uint8_t, x & y)
ST_ROW2(eq_b, uint8_t, uint8_t, x == y)
ST_ROW2(ne_b, uint8_t, uint8_t, x != y)
ST_ROW2(lt_b, uint8_t, uint8_t, x < y)
ST_ROW2(le_b, uint8_t, uint8_t, x <= y)
ST_ROW2(gt_b, uint8_t, uint8_t, x > y)
ST_ROW2(ge_b, uint8_t, uint8_t, x >= y)
ST_ROW1(copy_b, uint8_t, uint8_t, x)
ST_ROW1(clamp_b, uint8_t, uint8_t, st_iclamp(x, ctx->ilo, ctx->ihi) != 0)

/* [op][0 bool, 1 int32, 2 int64]; NULL where PyTorch (and meta) has no such op. */
static const st_row_fn int_binary_rows[][3] = {
    [ST_BIN_ADD] = {add_b, add_i32, add_i64},
    [ST_BIN_SUB] = {NULL, sub_i32, sub_i64},
    [ST_BIN_MUL] = {mul_b, mul_i32, mul_i64},
    [ST_BIN_DIV_TRUNC] = {NULL, div_i32, div_i64},
    [ST_BIN_DIV_FLOOR] = {NULL, div_i32, div_i64},
    [ST_BIN_POW] = {NULL, pow_i32, pow_i64},
    [ST_BIN_MAXIMUM] = {maximum_b, maximum_i32, maximum_i64},
    [ST_BIN_MINIMUM] = {minimum_b, minimum_i32, minimum_i64},
    [ST_BIN_EQ] = {eq_b, eq_i32, eq_i64},
    [ST_BIN_NE] = {ne_b, ne_i32, ne_i64},
    [ST_BIN_LT] = {lt_b, lt_i32, lt_i64},
    [ST_BIN_LE] = {le_b, le_i32, le_i64},
    [ST_BIN_GT] = {gt_b, gt_i32, gt_i64},
    [ST_BIN_GE] = {ge_b, ge_i32, ge_i64},
};

static const st_row_fn int_unary_rows[][3] = {
    [ST_UN_NEG] = {NULL, neg_i32, neg_i64},
    [ST_UN_ABS] = {NULL, abs_i32, abs_i64},
    [ST_UN_RELU] = {copy_b, relu_i32, relu_i64},
    [ST_UN_SIGN] = {copy_b, sign_i32, sign_i64},
    /* Rounding is the identity on integers. */
    [ST_UN_FLOOR] = {copy_b, copy_i32, copy_i64},
    [ST_UN_CEIL] = {copy_b, copy_i32, copy_i64},
    [ST_UN_ROUND] = {copy_b, copy_i32, copy_i64},
    [ST_UN_SQUARE] = {copy_b, square_i32, square_i64},
    [ST_UN_CLAMP] = {clamp_b, clamp_i32, clamp_i64},
};

static const int st_int_itemsize[3] = {1, 4, 8};

int st_ew_binary_int(int op, int dtype, const st_ew_geometry *g, void *out, const void *a,
                     const void *b, int64_t alpha) {
    if (dtype < ST_DT_BOOL || dtype > ST_DT_INT64 || op < 0 || op > ST_BIN_GE) return -1;
    const st_row_fn fn = int_binary_rows[op][dtype];
    if (!fn) return -1;
    st_ew_ctx ctx = {0};
    ctx.ialpha = alpha;
    ctx.dim_size = op == ST_BIN_DIV_FLOOR;
    const int item = st_int_itemsize[dtype];
    const int itemsize[3] = {op >= ST_BIN_EQ ? 1 : item, item, item};
    void *const base[3] = {out, (void *)a, (void *)b};
    st_ew_run(g, 3, base, itemsize, ST_EW_PARALLEL_MIN, fn, &ctx);
    if (ctx.bad) return op == ST_BIN_POW ? ST_EW_INT_NEG_POW : ST_EW_INT_DIV_ZERO;
    return 0;
}

int st_ew_unary_int(int op, int dtype, const st_ew_geometry *g, void *out, const void *x,
                    int64_t lo, int64_t hi) {
    if (dtype < ST_DT_BOOL || dtype > ST_DT_INT64 || op < 0 || op > ST_UN_CLAMP) return -1;
    const st_row_fn fn = int_unary_rows[op][dtype];
    if (!fn) return -1;
    st_ew_ctx ctx = {0};
    ctx.ilo = lo;
    ctx.ihi = hi;
    const int itemsize[2] = {st_int_itemsize[dtype], st_int_itemsize[dtype]};
    void *const base[2] = {out, (void *)x};
    st_ew_run(g, 2, base, itemsize, ST_EW_PARALLEL_MIN, fn, &ctx);
    return 0;
}
