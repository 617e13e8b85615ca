/* addmm's and linear's affine step after the product, one parallel pass over the output:
   out = alpha * out + beta * v, computed in double and rounded once. */
#define ST_OMP_INTERNAL
#include "omp_matmul.h"
#include "omp_reduce.h"

#define LOAD(f64, p, i) ((f64) ? ((const double *)(p))[i] : (double)((const float *)(p))[i])
#define STORE(f64, p, i, v) do { if (f64) ((double *)(p))[i] = (v); else ((float *)(p))[i] = (float)(v); } while (0)

static inline __attribute__((always_inline))
void affine_run(const int f64, void *out, int64_t o, int64_t n, double alpha, int product,
                const void *v, int64_t vo, int64_t vs, double beta) {
    for (int64_t i = 0; i < n; i++) {
        double p = product ? alpha * LOAD(f64, out, o + i) : 0;
        double add = v && beta != 0 ? beta * LOAD(f64, v, vo + i * vs) : 0;
        STORE(f64, out, o + i, product ? p + add : add);
    }
}

ST_CLONES static void run_f32(void *out, int64_t o, int64_t n, double alpha, int product, const void *v, int64_t vo, int64_t vs, double beta) {
    affine_run(0, out, o, n, alpha, product, v, vo, vs, beta);
}
ST_CLONES static void run_f64(void *out, int64_t o, int64_t n, double alpha, int product, const void *v, int64_t vo, int64_t vs, double beta) {
    affine_run(1, out, o, n, alpha, product, v, vo, vs, beta);
}

static int epilogue(int f64, void *out, int64_t count, double alpha, int product, const void *v,
                    double beta, int ndim, const int64_t *shape, const int64_t *strides) {
    if (product && alpha == 1 && (!v || beta == 0)) return 0;
    /* The view's dims as an st_geom (operand 0), walked run by run along the last dim. */
    st_geom g;
    st_geom_init(&g);
    for (int d = 0; v && d < ndim; d++) {
        int64_t s[ST_GEOM_OPERANDS] = {strides[d]};
        if (st_geom_add_outer(&g, shape[d], s)) return ST_ERR_RANK;
    }
    /* Without a view, runs are plain chunks of the output. */
    const int64_t len = g.outer_ndim ? g.outer_shape[g.outer_ndim - 1] : (v || count < 4096 ? count : 4096);
    const int64_t vs = g.outer_ndim ? g.outer_strides[0][g.outer_ndim - 1] : 0;
    if (len == 0 || count == 0) return 0;
    st_geom runs = g;
    if (runs.outer_ndim) runs.outer_ndim--;
    const int64_t nruns = (count + len - 1) / len;
    void (*run)(void *, int64_t, int64_t, double, int, const void *, int64_t, int64_t, double) = f64 ? run_f64 : run_f32;
    #pragma omp parallel if(count >= ST_PAR_GRAIN && omp_get_max_threads() > 1)
    {
        int64_t rb, re;
        st_thread_range(nruns, &rb, &re);
        st_cursor cursor;
        if (rb < re) st_cursor_seek(&cursor, &runs, rb);
        for (int64_t r = rb; r < re; r++) {
            int64_t n = count - r * len < len ? count - r * len : len;
            run(out, r * len, n, alpha, product, v, cursor.offset[0], vs, beta);
            st_cursor_next(&cursor, &runs);
        }
    }
    return 0;
}

int st_matmul_epilogue_f32(float *out, int64_t count, double alpha, int product, const float *v,
                           double beta, int ndim, const int64_t *shape, const int64_t *strides) {
    return epilogue(0, out, count, alpha, product, v, beta, ndim, shape, strides);
}
int st_matmul_epilogue_f64(double *out, int64_t count, double alpha, int product, const double *v,
                           double beta, int ndim, const int64_t *shape, const int64_t *strides) {
    return epilogue(1, out, count, alpha, product, v, beta, ndim, shape, strides);
}
