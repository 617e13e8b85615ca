/* Matrix products of the OpenMP backend: a blocked, packed, register-tiled GEMM (no BLAS).

   st_gemm_* computes C[b] = A[b] @ B[b] for every batch index b, where A[b] (m x k) starts
   at element a_offsets[b] with strides (a_rs, a_cs) and B[b] (k x n) at b_offsets[b] with
   strides (b_rs, b_cs): any strides, transposed and stride-0 (broadcast) views included, as
   packing reads them. C is contiguous [batch, m, n]. k == 0 writes zeros. Functions return
   0, or a negative ST_ERR_* code (omp_reduce.h). */
#ifndef SWIFTTORCH_OMP_MATMUL_H
#define SWIFTTORCH_OMP_MATMUL_H

#include <stddef.h>
#include <stdint.h>
#include "openmp_kernels.h"

typedef struct st_gemm_args {
    int64_t batch, m, n, k;
    const int64_t *a_offsets; /* one per batch index */
    const int64_t *b_offsets;
    int64_t a_rs, a_cs, b_rs, b_cs;
} st_gemm_args;

int st_gemm_f32(const st_gemm_args *args, const float *a, const float *b, float *c);
int st_gemm_f64(const st_gemm_args *args, const double *a, const double *b, double *c);

/* The affine step after a product, in one pass over the contiguous `out` (count elements):
   out = alpha * out + beta * v, where v is a strided view of out's shape (ndim dims,
   `shape`, `strides`; addmm's self or linear's bias) or NULL. `product` = 0 means out holds
   no product yet (addmm with alpha == 0): out = beta * v, with v's NaN kept only when
   beta != 0 (beta == 0 ignores v, as BLAS). */
int st_matmul_epilogue_f32(float *out, int64_t count, double alpha, int product, const float *v,
                           double beta, int ndim, const int64_t *shape, const int64_t *strides);
int st_matmul_epilogue_f64(double *out, int64_t count, double alpha, int product, const double *v,
                           double beta, int ndim, const int64_t *shape, const int64_t *strides);

/* Which micro-kernel st_gemm uses on this CPU ("avx512", "avx2", "portable"), for reports. */
const char *st_gemm_kernel_name(void);

#ifdef ST_OMP_INTERNAL
/* A register-tiled micro-kernel: c[MR x NR] (row stride ldc) = (accumulate ? c : 0) +
   a_packed (kc steps of MR values) x b_packed (kc steps of NR values). */
typedef void (*st_ukr)(int64_t kc, const void *a, const void *b, void *c, int64_t ldc, int accumulate);

typedef struct st_gemm_kernel {
    const char *name;
    int mr, nr;          /* register tile */
    int64_t mc, kc, nc;  /* cache blocks: A block mc x kc in L2, B panel kc x nc in L3 */
    st_ukr ukr;
} st_gemm_kernel;

/* The best kernel this CPU runs; SWIFTTORCH_GEMM_KERNEL=portable|avx2|avx512 overrides. */
const st_gemm_kernel *st_gemm_kernel_for(int f64);

/* A float32 micro-panel from `rows` (at most R) rows of a k-contiguous operand, row j at
   src + j * ld (matmul_pack_transposed.c): dst[p * R + j] = src[j * ld + p] for p < kc,
   zeros in rows [rows, R). */
void st__pack_transposed_f32(const float *src, int64_t ld, int64_t rows, int64_t kc, int R, float *dst);

/* One right operand B (k x n, strides brs and bcs) for many products: packed once into
   st__gemm_packed_b_bytes bytes by st__gemm_pack_b, then C (m x n, row stride ldc) = A B for
   any A (m x k, strides ars and acs) by st__gemm_rows_packed, on the calling thread alone
   (it uses the thread's ST_SCRATCH_GEMM_A buffer). Returns 0 or ST_ERR_MEMORY. */
size_t st__gemm_packed_b_bytes(int f64, int64_t k, int64_t n);
void st__gemm_pack_b(int f64, int64_t k, int64_t n, const void *b, int64_t brs, int64_t bcs, void *dst);
int st__gemm_rows_packed(int f64, int64_t m, int64_t k, int64_t n, const void *a, int64_t ars, int64_t acs,
                         const void *packed, void *c, int64_t ldc);

/* Matrix-vector products (matmul_gemv.c): y[o] = sum_p mat[o*os + p*ks] * vec[p*vs] for
   `outputs` contiguous values of y; `parallel` 0 keeps it on the calling thread. */
int st__gemv(int f64, int64_t outputs, int64_t k, const char *mat, int64_t os, int64_t ks,
             const char *vec, int64_t vs, char *y, int parallel);
#endif

#endif
