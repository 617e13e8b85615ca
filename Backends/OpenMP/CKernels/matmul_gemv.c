/* Matrix-vector products (n == 1, or m == 1): packing would copy the whole matrix to use
   one column of each register tile, tripling the memory traffic of a memory-bound product.
   Each output is instead a dot product of a matrix line with the vector, read in place:
   along the matrix's contiguous dim when it has one (dot form), else across outputs
   (axpy form, contiguous in the output direction). Float32 accumulates in float32, as the
   GEMM does. */
#define ST_OMP_INTERNAL
#include "omp_matmul.h"
#include "omp_reduce.h"

#include <stdlib.h>

#define PAR_WORK (1 << 17)
#define AXPY_BLOCK 256

/* sum_p mat[p] * vec[p], both contiguous. */
static inline __attribute__((always_inline)) double dot_impl(const int f64, const void *mat, const void *vec, int64_t k) {
    _Pragma("clang fp contract(fast)")
    int64_t p = 0;
    if (f64) {
        const double *a = mat, *b = vec;
        st_v4d s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
        for (; p + 16 <= k; p += 16) {
            st_v4d a0, a1, a2, a3, b0, b1, b2, b3;
            memcpy(&a0, a + p, 32); memcpy(&a1, a + p + 4, 32); memcpy(&a2, a + p + 8, 32); memcpy(&a3, a + p + 12, 32);
            memcpy(&b0, b + p, 32); memcpy(&b1, b + p + 4, 32); memcpy(&b2, b + p + 8, 32); memcpy(&b3, b + p + 12, 32);
            s0 += a0 * b0; s1 += a1 * b1; s2 += a2 * b2; s3 += a3 * b3;
        }
        st_v4d s = (s0 + s1) + (s2 + s3);
        double acc = (s[0] + s[1]) + (s[2] + s[3]);
        for (; p < k; p++) acc += a[p] * b[p];
        return acc;
    }
    const float *a = mat, *b = vec;
    st_v8f s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    for (; p + 32 <= k; p += 32) {
        st_v8f a0, a1, a2, a3, b0, b1, b2, b3;
        memcpy(&a0, a + p, 32); memcpy(&a1, a + p + 8, 32); memcpy(&a2, a + p + 16, 32); memcpy(&a3, a + p + 24, 32);
        memcpy(&b0, b + p, 32); memcpy(&b1, b + p + 8, 32); memcpy(&b2, b + p + 16, 32); memcpy(&b3, b + p + 24, 32);
        s0 += a0 * b0; s1 += a1 * b1; s2 += a2 * b2; s3 += a3 * b3;
    }
    st_v8f s = (s0 + s1) + (s2 + s3);
    float acc = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    for (; p < k; p++) acc += a[p] * b[p];
    return acc;
}

/* y[o] = sum_p vec[p] * mat[o + p * ks] for o < w (outputs contiguous in the matrix). */
static inline __attribute__((always_inline))
void axpy_impl(const int f64, const void *mat, int64_t ks, const void *vec, int64_t k, int64_t w, void *y) {
    _Pragma("clang fp contract(fast)")
    if (f64) {
        double acc[AXPY_BLOCK] = {0};
        for (int64_t p = 0; p < k; p++) {
            const double *row = (const double *)mat + p * ks, v = ((const double *)vec)[p];
            for (int64_t o = 0; o < w; o++) acc[o] += v * row[o];
        }
        memcpy(y, acc, sizeof(double) * (size_t)w);
    } else {
        float acc[AXPY_BLOCK] = {0};
        for (int64_t p = 0; p < k; p++) {
            const float *row = (const float *)mat + p * ks, v = ((const float *)vec)[p];
            for (int64_t o = 0; o < w; o++) acc[o] += v * row[o];
        }
        memcpy(y, acc, sizeof(float) * (size_t)w);
    }
}

ST_CLONES static double dot_f32(const void *m, const void *v, int64_t k) { return dot_impl(0, m, v, k); }
ST_CLONES static double dot_f64(const void *m, const void *v, int64_t k) { return dot_impl(1, m, v, k); }
ST_CLONES static void axpy_f32(const void *m, int64_t ks, const void *v, int64_t k, int64_t w, void *y) { axpy_impl(0, m, ks, v, k, w, y); }
ST_CLONES static void axpy_f64(const void *m, int64_t ks, const void *v, int64_t k, int64_t w, void *y) { axpy_impl(1, m, ks, v, k, w, y); }

/* y[o] (contiguous, `outputs` values) = sum_p mat[o * os + p * ks] * vec[p * vs]. Called by
   the calling team's master only when `parallel` is 0. */
int st__gemv(int f64, int64_t outputs, int64_t k, const char *mat, int64_t os, int64_t ks,
             const char *vec, int64_t vs, char *y, int parallel) {
    const int64_t es = f64 ? 8 : 4;
    /* The vector is small: make it contiguous once, so every dot streams both operands. */
    char *packed = NULL;
    if (vs != 1) {
        packed = malloc((size_t)(k * es + 64));
        if (!packed) return ST_ERR_MEMORY;
        for (int64_t p = 0; p < k; p++) memcpy(packed + p * es, vec + p * vs * es, (size_t)es);
        vec = packed;
    }
    const int axpy = ks != 1 && os == 1;
    const int64_t tasks = axpy ? (outputs + AXPY_BLOCK - 1) / AXPY_BLOCK : outputs;
    #pragma omp parallel if(parallel && outputs * k >= PAR_WORK && omp_get_max_threads() > 1)
    {
        int64_t tb, te;
        st_thread_range(tasks, &tb, &te);
        for (int64_t t = tb; t < te; t++) {
            if (axpy) {
                int64_t o = t * AXPY_BLOCK, w = outputs - o < AXPY_BLOCK ? outputs - o : AXPY_BLOCK;
                (f64 ? axpy_f64 : axpy_f32)(mat + o * es, ks, vec, k, w, y + o * es);
            } else if (ks == 1) {
                double v = (f64 ? dot_f64 : dot_f32)(mat + t * os * es, vec, k);
                if (f64) ((double *)y)[t] = v; else ((float *)y)[t] = (float)v;
            } else if (f64) {
                const double *row = (const double *)mat + t * os;
                double acc = 0;
                for (int64_t p = 0; p < k; p++) acc += row[p * ks] * ((const double *)vec)[p];
                ((double *)y)[t] = acc;
            } else {
                const float *row = (const float *)mat + t * os;
                float acc = 0;
                for (int64_t p = 0; p < k; p++) acc += row[p * ks] * ((const float *)vec)[p];
                ((float *)y)[t] = acc;
            }
        }
    }
    free(packed);
    return 0;
}
