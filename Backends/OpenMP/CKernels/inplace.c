/* In-place addcmul, addcdiv, lerp and fill (see include/omp_inplace.h). The rows carry no
   `restrict` on self: an input may be self itself, and clang then vectorises behind a
   run-time overlap check instead of assuming one. */
#include <math.h>
#include <string.h>
#include "elementwise_internal.h"
#include "omp_inplace.h"

/* PyTorch's lerp, from the nearer end so that weight 1 gives `end` exactly. */
#define ST_LERP(x, e, w) (fabs(w) < 0.5 ? (x) + (w) * ((e) - (x)) : (e) - ((e) - (x)) * (1.0 - (w)))

/* x is self's element, y and z the inputs', v the scalar; all in double (or int64). */
#define ST_IP_ROW(NAME, T, W, EXPR)                                                     \
    ST_CLONES static void NAME(int64_t n, char *const *p, const int64_t *s, st_ew_ctx *ctx) { \
        T *o = (T *)p[0];                                                               \
        const T *a = (const T *)p[1], *b = (const T *)p[2];                             \
        const W v = (W)ctx->V;                                                          \
        (void)v;                                                                        \
        const int64_t so = s[0], sa = s[1], sb = s[2];                                  \
        if (so == 1 && sa == 1 && sb == 1) {                                            \
            for (int64_t i = 0; i < n; i++) { const W x = o[i], y = a[i], z = b[i]; o[i] = (T)(EXPR); } \
        } else if (so == 1 && sa == 1 && sb == 0) {                                     \
            const W z = b[0];                                                           \
            for (int64_t i = 0; i < n; i++) { const W x = o[i], y = a[i]; o[i] = (T)(EXPR); } \
        } else {                                                                        \
            for (int64_t i = 0; i < n; i++) {                                           \
                const W x = o[i * so], y = a[i * sa], z = b[i * sb];                    \
                o[i * so] = (T)(EXPR);                                                  \
            }                                                                           \
        }                                                                               \
    }

#define V alpha
ST_IP_ROW(addcmul_f32, float, double, x + v * y * z)
ST_IP_ROW(addcmul_f64, double, double, x + v * y * z)
ST_IP_ROW(addcdiv_f32, float, double, x + v * y / z)
ST_IP_ROW(addcdiv_f64, double, double, x + v * y / z)
ST_IP_ROW(lerp_f32, float, double, ST_LERP(x, y, z))
ST_IP_ROW(lerp_f64, double, double, ST_LERP(x, y, z))
#undef V
/* Unsigned arithmetic: C defines its wrapping, as the reference's &+ and &*. */
#define V ialpha
ST_IP_ROW(addcmul_i32, int32_t, uint64_t, (int64_t)(x + v * y * z))
ST_IP_ROW(addcmul_i64, int64_t, uint64_t, (int64_t)(x + v * y * z))
#undef V

static const st_row_fn ternary_rows[][2] = {
    [ST_IP_ADDCMUL] = {addcmul_f32, addcmul_f64},
    [ST_IP_ADDCDIV] = {addcdiv_f32, addcdiv_f64},
    [ST_IP_LERP] = {lerp_f32, lerp_f64},
};

int st_ip_ternary(int op, int dtype, const st_ew_geometry *g, void *self, const void *a,
                  const void *b, double value) {
    if (op < ST_IP_ADDCMUL || op > ST_IP_LERP) return -1;
    if (dtype != ST_DT_FLOAT32 && dtype != ST_DT_FLOAT64) return -1;
    const int d = dtype == ST_DT_FLOAT64, item = d ? 8 : 4;
    const int itemsize[3] = {item, item, item};
    void *const base[3] = {self, (void *)a, (void *)b};
    st_ew_ctx ctx = {0};
    ctx.alpha = value;
    st_ew_run(g, 3, base, itemsize, ST_EW_PARALLEL_MIN, ternary_rows[op][d], &ctx);
    return 0;
}

int st_ip_addcmul_int(int dtype, const st_ew_geometry *g, void *self, const void *a,
                      const void *b, int64_t value) {
    if (dtype != ST_DT_INT32 && dtype != ST_DT_INT64) return -1;
    const int item = dtype == ST_DT_INT64 ? 8 : 4;
    const int itemsize[3] = {item, item, item};
    void *const base[3] = {self, (void *)a, (void *)b};
    st_ew_ctx ctx = {0};
    ctx.ialpha = value;
    st_ew_run(g, 3, base, itemsize, ST_EW_PARALLEL_MIN, item == 8 ? addcmul_i64 : addcmul_i32, &ctx);
    return 0;
}

/* Fill rows: one per element size (elements are bits here). The pattern's bits travel in
   ctx->ialpha. */
#define ST_FILL_ROW(NAME, T)                                                            \
    ST_CLONES static void NAME(int64_t n, char *const *p, const int64_t *s, st_ew_ctx *ctx) { \
        T *o = (T *)p[0];                                                               \
        T v;                                                                            \
        memcpy(&v, &ctx->ialpha, sizeof v); /* the low bytes on little-endian x86 */    \
        const int64_t so = s[0];                                                        \
        if (so == 1) {                                                                  \
            for (int64_t i = 0; i < n; i++) o[i] = v;                                   \
        } else {                                                                        \
            for (int64_t i = 0; i < n; i++) o[i * so] = v;                              \
        }                                                                               \
    }

ST_FILL_ROW(fill_1, uint8_t)
ST_FILL_ROW(fill_4, uint32_t)
ST_FILL_ROW(fill_8, uint64_t)

int st_ip_fill(int itemsize, const st_ew_geometry *g, void *self, uint64_t pattern) {
    if (itemsize != 1 && itemsize != 4 && itemsize != 8) return -1;
    st_ew_ctx ctx = {0};
    memcpy(&ctx.ialpha, &pattern, sizeof pattern);
    void *const base[1] = {self};
    st_ew_run(g, 1, base, &itemsize, ST_EW_PARALLEL_MIN,
              itemsize == 1 ? fill_1 : itemsize == 4 ? fill_4 : fill_8, &ctx);
    return 0;
}
