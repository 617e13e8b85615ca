/* Packing of a float32 GEMM operand whose k index is the contiguous one, for an A stored
   row-major ([m, k], the usual layout) and a B stored transposed ([n, k]: the weight
   gradient of a convolution and of a linear layer multiplies by such a Bᵀ).

   The micro-panel wants, for each k step p, the R values of R consecutive rows, so the
   plain pack gathers one value from each of R rows per step. Those rows are often 4 KiB
   apart (a folded convolution's 64 samples x 16 pixels), so all R land in the same L1 set
   and evict one another: on the digits CNN the gather was a tenth of the training time,
   most of it in the weight gradient's Bᵀ panel. Here 8 (or 4) rows are read as vectors of
   8 (4) consecutive k values and transposed in registers, so each row is read in whole
   cache lines, one after the other. Values only move: the result is the plain pack's,
   bit for bit. */
#define ST_OMP_INTERNAL
#include "omp_matmul.h"
#include "omp_reduce.h" /* ST_CLONES */

#include <string.h>

typedef float v8f __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

/* dst[p * R + j] = src[j * ld + p] for j < 8 and p < 8 (an 8 x 8 block turned over). */
static inline void transpose_8x8(const float *src, int64_t ld, float *dst, int R) {
    v8f r[8];
    for (int j = 0; j < 8; j++) memcpy(&r[j], src + j * ld, sizeof(v8f));
    /* Pairs of rows interleaved, then pairs of pairs, then the two halves. */
    v8f t[8], u[8];
    for (int j = 0; j < 8; j += 2) {
        t[j] = __builtin_shufflevector(r[j], r[j + 1], 0, 8, 1, 9, 4, 12, 5, 13);
        t[j + 1] = __builtin_shufflevector(r[j], r[j + 1], 2, 10, 3, 11, 6, 14, 7, 15);
    }
    for (int j = 0; j < 8; j += 4) {
        u[j] = __builtin_shufflevector(t[j], t[j + 2], 0, 1, 8, 9, 4, 5, 12, 13);
        u[j + 1] = __builtin_shufflevector(t[j], t[j + 2], 2, 3, 10, 11, 6, 7, 14, 15);
        u[j + 2] = __builtin_shufflevector(t[j + 1], t[j + 3], 0, 1, 8, 9, 4, 5, 12, 13);
        u[j + 3] = __builtin_shufflevector(t[j + 1], t[j + 3], 2, 3, 10, 11, 6, 7, 14, 15);
    }
    /* u[c] holds columns c and c + 4 of rows 0-3, u[c + 4] the same of rows 4-7. */
    for (int c = 0; c < 4; c++) {
        const v8f lo = __builtin_shufflevector(u[c], u[c + 4], 0, 1, 2, 3, 8, 9, 10, 11);
        const v8f hi = __builtin_shufflevector(u[c], u[c + 4], 4, 5, 6, 7, 12, 13, 14, 15);
        memcpy(dst + c * R, &lo, sizeof(v8f));
        memcpy(dst + (c + 4) * R, &hi, sizeof(v8f));
    }
}

/* The same for a 4 x 4 block. */
static inline void transpose_4x4(const float *src, int64_t ld, float *dst, int R) {
    v4f r[4];
    for (int j = 0; j < 4; j++) memcpy(&r[j], src + j * ld, sizeof(v4f));
    const v4f t0 = __builtin_shufflevector(r[0], r[1], 0, 4, 1, 5), t1 = __builtin_shufflevector(r[0], r[1], 2, 6, 3, 7);
    const v4f t2 = __builtin_shufflevector(r[2], r[3], 0, 4, 1, 5), t3 = __builtin_shufflevector(r[2], r[3], 2, 6, 3, 7);
    const v4f o[4] = {
        __builtin_shufflevector(t0, t2, 0, 1, 4, 5), __builtin_shufflevector(t0, t2, 2, 3, 6, 7),
        __builtin_shufflevector(t1, t3, 0, 1, 4, 5), __builtin_shufflevector(t1, t3, 2, 3, 6, 7),
    };
    for (int c = 0; c < 4; c++) memcpy(dst + c * R, &o[c], sizeof(v4f));
}

/* Rows [j0, j0 + width) of the panel, width 8 or 4, over all kc steps; the k steps left
   over after whole blocks are copied one by one. */
static inline void pack_rows(const float *src, int64_t ld, int64_t kc, int R, int64_t j0, int width, float *dst) {
    int64_t p = 0;
    if (width == 8)
        for (; p + 8 <= kc; p += 8) transpose_8x8(src + j0 * ld + p, ld, dst + p * R + j0, R);
    else
        for (; p + 4 <= kc; p += 4) transpose_4x4(src + j0 * ld + p, ld, dst + p * R + j0, R);
    for (; p < kc; p++)
        for (int j = 0; j < width; j++) dst[p * R + j0 + j] = src[(j0 + j) * ld + p];
}

ST_CLONES void st__pack_transposed_f32(const float *src, int64_t ld, int64_t rows, int64_t kc, int R, float *dst) {
    int64_t j = 0;
    for (; j + 8 <= rows; j += 8) pack_rows(src, ld, kc, R, j, 8, dst);
    for (; j + 4 <= rows; j += 4) pack_rows(src, ld, kc, R, j, 4, dst);
    /* The last rows (fewer than 4) one value at a time, then the zeros that pad the panel. */
    for (; j < rows; j++)
        for (int64_t p = 0; p < kc; p++) dst[p * R + j] = src[j * ld + p];
    if (rows < R)
        for (int64_t p = 0; p < kc; p++)
            for (int64_t z = rows; z < R; z++) dst[p * R + z] = 0;
}
