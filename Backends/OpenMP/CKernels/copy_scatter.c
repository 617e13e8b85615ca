/* index_add and scatter_add: out[..., index[p], ...] += scale * src[p] along one dim.

   Parallel yet deterministic, and in the reference's order: the positions off the indexed
   dim (the "rest") are split among threads, and each thread walks the indexed dim in
   order, so every output element receives its contributions from one thread, in
   increasing position, exactly as the reference's sequential loop adds them. float32
   accumulates in a double copy of the output (the reference adds in double and rounds
   once); bool in an int64 copy (its int64 sum is stored as != 0); int32/int64 wrap. */
#include <stdlib.h>
#include "elementwise_internal.h"

#ifdef _OPENMP
extern int omp_get_max_threads(void);
extern int omp_in_parallel(void);
#endif

static void st_scatter_bad(st_ew_ctx *ctx, int64_t v) {
    __atomic_store_n(&ctx->bad_index, v, __ATOMIC_RELAXED);
    __atomic_store_n(&ctx->bad, 1, __ATOMIC_RELAXED);
}

/* Operands: 0 the accumulator A (the indexed dim's stride in ctx), 1 src T, 2 index I.
   ADD combines the accumulator `a` with the source value `xv`. */
#define ST_SCATTER_ROW(NAME, A, T, I, ADD)                                             \
    ST_CLONES static void NAME(int64_t n, char *const *p, const int64_t *s, st_ew_ctx *ctx) { \
        A *restrict o = (A *)p[0];                                                     \
        const T *restrict x = (const T *)p[1];                                         \
        const I *restrict ix = (const I *)p[2];                                        \
        const int64_t size = ctx->dim_size, ds = ctx->dim_stride;                      \
        if (s[2] == 0) { /* one index for the whole row: index_add's common case */    \
            const int64_t v = (int64_t)ix[0], w = v < 0 ? v + size : v;                \
            if (w < 0 || w >= size) { st_scatter_bad(ctx, v); return; }                \
            A *restrict d = o + w * ds;                                                \
            if (s[0] == 1 && s[1] == 1) {                                              \
                for (int64_t i = 0; i < n; i++) { const A a = d[i]; const T xv = x[i]; d[i] = (A)(ADD); } \
            } else {                                                                   \
                for (int64_t i = 0; i < n; i++) {                                      \
                    const A a = d[i * s[0]];                                           \
                    const T xv = x[i * s[1]];                                          \
                    d[i * s[0]] = (A)(ADD);                                            \
                }                                                                      \
            }                                                                          \
            return;                                                                    \
        }                                                                              \
        for (int64_t i = 0; i < n; i++) {                                              \
            const int64_t v = (int64_t)ix[i * s[2]], w = v < 0 ? v + size : v;         \
            if (w < 0 || w >= size) { st_scatter_bad(ctx, v); return; }                \
            A *d = o + i * s[0] + w * ds;                                              \
            const A a = *d;                                                            \
            const T xv = x[i * s[1]];                                                  \
            *d = (A)(ADD);                                                             \
        }                                                                              \
    }

#define ST_SCATTER_ROWS(SUF, A, T, ADD)                                                \
    ST_SCATTER_ROW(scatter_##SUF##_i32, A, T, int32_t, ADD)                            \
    ST_SCATTER_ROW(scatter_##SUF##_i64, A, T, int64_t, ADD)

ST_SCATTER_ROWS(b, int64_t, uint8_t, (int64_t)((uint64_t)a + (uint64_t)ctx->ialpha * (uint64_t)xv))
ST_SCATTER_ROWS(i32, int32_t, int32_t, (int32_t)((uint32_t)a + (uint32_t)ctx->ialpha * (uint32_t)xv))
ST_SCATTER_ROWS(i64, int64_t, int64_t, (int64_t)((uint64_t)a + (uint64_t)ctx->ialpha * (uint64_t)xv))
ST_SCATTER_ROWS(f32, double, float, a + ctx->alpha * (double)xv)
ST_SCATTER_ROWS(f64, double, double, a + ctx->alpha * xv)

/* [dtype][index is int64] */
static const st_row_fn scatter_rows[5][2] = {
    {scatter_b_i32, scatter_b_i64},     {scatter_i32_i32, scatter_i32_i64},
    {scatter_i64_i32, scatter_i64_i64}, {scatter_f32_i32, scatter_f32_i64},
    {scatter_f64_i32, scatter_f64_i64},
};

/* float32 and bool accumulate in a wider copy of the output. */
static void widen(int dtype, int64_t n, const void *out, void *acc) {
#pragma omp parallel for schedule(static) if (n > ST_EW_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) {
        if (dtype == ST_DT_FLOAT32) ((double *)acc)[i] = ((const float *)out)[i];
        else ((int64_t *)acc)[i] = ((const uint8_t *)out)[i];
    }
}

static void narrow(int dtype, int64_t n, void *out, const void *acc) {
#pragma omp parallel for schedule(static) if (n > ST_EW_PARALLEL_MIN)
    for (int64_t i = 0; i < n; i++) {
        if (dtype == ST_DT_FLOAT32) ((float *)out)[i] = (float)((const double *)acc)[i];
        else ((uint8_t *)out)[i] = ((const int64_t *)acc)[i] != 0;
    }
}

int st_scatter_add(int dtype, int index_dtype, const st_ew_geometry *g, int64_t n_dim,
                   int64_t src_dim_stride, int64_t index_dim_stride, void *out, int64_t out_count,
                   const void *src, const void *index, int64_t dim_size, int64_t dim_stride,
                   double scale, int64_t iscale, int64_t *bad_index) {
    static const int sizes[5] = {1, 4, 8, 4, 8};
    if (dtype < ST_DT_BOOL || dtype > ST_DT_FLOAT64) return -1;
    if (index_dtype != ST_DT_INT32 && index_dtype != ST_DT_INT64) return -1;
    int64_t rest = 1;
    for (int d = 0; d < g->ndim; d++) rest *= g->shape[d];
    if (rest <= 0 || n_dim <= 0) return 0;
    const int wide = dtype == ST_DT_FLOAT32 || dtype == ST_DT_BOOL;
    const int acc_size = wide ? 8 : sizes[dtype], isz = index_dtype == ST_DT_INT64 ? 8 : 4;
    void *acc = out;
    if (wide) {
        acc = malloc((size_t)out_count * 8);
        if (!acc) return -2;
        widen(dtype, out_count, out, acc);
    }
    const st_row_fn fn = scatter_rows[dtype][index_dtype == ST_DT_INT64];
    const int itemsize[3] = {acc_size, sizes[dtype], isz};
    int64_t bstride[3][ST_MAX_DIMS];
    for (int k = 0; k < 3; k++)
        for (int d = 0; d < g->ndim; d++) bstride[k][d] = g->strides[k][d] * itemsize[k];
    st_ew_ctx ctx = {0};
    ctx.alpha = scale;
    ctx.ialpha = iscale;
    ctx.dim_size = dim_size;
    ctx.dim_stride = dim_stride;
    int nt = 1;
#ifdef _OPENMP
    if (rest * n_dim > ST_EW_PARALLEL_MIN && rest >= 128 && !omp_in_parallel()) nt = omp_get_max_threads();
#endif
    /* Each thread owns a range of the rest and walks the indexed dim over all of it. */
#pragma omp parallel for schedule(static, 1) num_threads(nt) if (nt > 1)
    for (int t = 0; t < nt; t++) {
        const int64_t b = st_ew_chunk_start(rest, t, nt), e = st_ew_chunk_start(rest, t + 1, nt);
        for (int64_t j = 0; j < n_dim && b < e; j++) {
            void *const base[3] = {acc, (char *)src + j * src_dim_stride * itemsize[1],
                                   (char *)index + j * index_dim_stride * isz};
            st_ew_run_range(g, 3, base, (const int64_t (*)[ST_MAX_DIMS])bstride, b, e, fn, &ctx);
        }
    }
    if (wide) {
        narrow(dtype, out_count, out, acc);
        free(acc);
    }
    if (ctx.bad) {
        if (bad_index) *bad_index = ctx.bad_index;
        return 1;
    }
    return 0;
}
