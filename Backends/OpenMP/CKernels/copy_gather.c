/* gather and index_select as one strided loop over the output (see omp_elementwise.h).
   Index values are data: each is checked, and a bad one is reported, never followed. */
#include "elementwise_internal.h"

/* Records one offending index; threads may race to report, any of their values will do. */
static void st_report_bad(st_ew_ctx *ctx, int64_t v) {
    __atomic_store_n(&ctx->bad_index, v, __ATOMIC_RELAXED);
    __atomic_store_n(&ctx->bad, 1, __ATOMIC_RELAXED);
}

/* Operands: 0 output, 1 self (gathered dim's stride zeroed), 2 index. When the index is
   constant along the row (index_select with the row inside one selected slice, e.g.
   embedding lookups) the row is a plain strided copy, contiguous in the common case. */
#define ST_GATHER_ROW(NAME, T, I)                                                      \
    ST_CLONES static void NAME(int64_t n, char *const *p, const int64_t *s, st_ew_ctx *ctx) { \
        T *restrict o = (T *)p[0];                                                     \
        const T *restrict x = (const T *)p[1];                                         \
        const I *restrict ix = (const I *)p[2];                                        \
        const int64_t so = s[0], sx = s[1], si = s[2];                                 \
        const int64_t size = ctx->dim_size, ds = ctx->dim_stride;                      \
        if (si == 0) {                                                                 \
            const int64_t v = (int64_t)ix[0], w = v < 0 ? v + size : v;                \
            if (w < 0 || w >= size) { st_report_bad(ctx, v); return; }                 \
            const T *restrict src = x + w * ds;                                        \
            if (so == 1 && sx == 1) {                                                  \
                for (int64_t i = 0; i < n; i++) o[i] = src[i];                         \
            } else {                                                                   \
                for (int64_t i = 0; i < n; i++) o[i * so] = src[i * sx];               \
            }                                                                          \
            return;                                                                    \
        }                                                                              \
        for (int64_t i = 0; i < n; i++) {                                              \
            const int64_t v = (int64_t)ix[i * si], w = v < 0 ? v + size : v;           \
            if (w < 0 || w >= size) { st_report_bad(ctx, v); return; }                 \
            o[i * so] = x[i * sx + w * ds];                                            \
        }                                                                              \
    }

/* Elements move as bits: one variant per element size serves every dtype. */
ST_GATHER_ROW(gather_1_i32, uint8_t, int32_t)
ST_GATHER_ROW(gather_1_i64, uint8_t, int64_t)
ST_GATHER_ROW(gather_4_i32, uint32_t, int32_t)
ST_GATHER_ROW(gather_4_i64, uint32_t, int64_t)
ST_GATHER_ROW(gather_8_i32, uint64_t, int32_t)
ST_GATHER_ROW(gather_8_i64, uint64_t, int64_t)

int st_gather(int dtype, int index_dtype, const st_ew_geometry *g, void *out,
              const void *self, const void *index, int64_t dim_size, int64_t dim_stride,
              int64_t *bad_index) {
    static const int sizes[5] = {1, 4, 8, 4, 8};
    if (dtype < ST_DT_BOOL || dtype > ST_DT_FLOAT64) return -1;
    if (index_dtype != ST_DT_INT32 && index_dtype != ST_DT_INT64) return -1;
    const int item = sizes[dtype], i64 = index_dtype == ST_DT_INT64;
    static const st_row_fn rows[3][2] = {
        {gather_1_i32, gather_1_i64}, {gather_4_i32, gather_4_i64}, {gather_8_i32, gather_8_i64}};
    const st_row_fn fn = rows[item == 1 ? 0 : item == 4 ? 1 : 2][i64];
    const int itemsize[3] = {item, item, i64 ? 8 : 4};
    void *const base[3] = {out, (void *)self, (void *)index};
    st_ew_ctx ctx = {0};
    ctx.dim_size = dim_size;
    ctx.dim_stride = dim_stride;
    st_ew_run(g, 3, base, itemsize, ST_EW_PARALLEL_MIN, fn, &ctx);
    if (ctx.bad) {
        if (bad_index) *bad_index = ctx.bad_index;
        return 1;
    }
    return 0;
}
