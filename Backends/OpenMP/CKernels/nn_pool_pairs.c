/* max_pool2d's commonest window, 2x2 with stride 2 and no padding or dilation, on float32
   planes whose output rows are 4 or 8 wide (the digits CNN pools 8x8 maps to 4x4).

   The general plane kernel (nn_pool.c) reads each tap through an offset table, a gather
   per output and tap: about 40 instructions per output on those maps. Here an output row's
   two input rows are loaded as vectors and split into their even and odd columns, which are
   the four taps of every window in the row; the taps are then taken in row-major order
   with the plane kernel's rule (a larger value or any NaN replaces the winner), so values
   and indices are the same. */
#define ST_OMP_INTERNAL
#include "omp_nn.h"
#include "omp_reduce.h" /* ST_CLONES */

#include <string.h>

int st__max_pool_pairs_apply(const st_pool2d *p) {
    return p->kernel_h == 2 && p->kernel_w == 2 && p->stride_h == 2 && p->stride_w == 2 && p->pad_h == 0 &&
           p->pad_w == 0 && p->dilation_h == 1 && p->dilation_w == 1 && (p->out_w == 4 || p->out_w == 8) &&
           2 * p->out_w <= p->in_w && 2 * p->out_h <= p->in_h;
}

#define EVEN_4(v) __builtin_shufflevector(v, v, 0, 2, 4, 6)
#define ODD_4(v) __builtin_shufflevector(v, v, 1, 3, 5, 7)
#define EVEN_8(v) __builtin_shufflevector(v, v, 0, 2, 4, 6, 8, 10, 12, 14)
#define ODD_8(v) __builtin_shufflevector(v, v, 1, 3, 5, 7, 9, 11, 13, 15)

/* One plane, output rows OW wide: in_w is the input's row length. */
#define POOL_PAIRS(NAME, OW)                                                                   \
    static inline __attribute__((always_inline)) void NAME(const st_pool2d *p, const float *restrict x, \
                                                           float *restrict out, int64_t *restrict idx) { \
        typedef float rowv __attribute__((vector_size(2 * OW * sizeof(float))));               \
        typedef float outv __attribute__((vector_size(OW * sizeof(float))));                   \
        typedef int32_t maskv __attribute__((vector_size(OW * sizeof(int32_t))));              \
        typedef int64_t indexv __attribute__((vector_size(OW * sizeof(int64_t))));             \
        const int64_t W = p->in_w;                                                             \
        indexv column;                                                                         \
        for (int c = 0; c < OW; c++) column[c] = 2 * c;                                        \
        for (int64_t oh = 0; oh < p->out_h; oh++) {                                            \
            const int64_t top = 2 * oh * W;                                                    \
            rowv r0, r1;                                                                       \
            memcpy(&r0, x + top, sizeof r0);                                                   \
            memcpy(&r1, x + top + W, sizeof r1);                                               \
            const outv taps[4] = {EVEN_##OW(r0), ODD_##OW(r0), EVEN_##OW(r1), ODD_##OW(r1)};   \
            const int64_t shift[4] = {0, 1, W, W + 1};                                         \
            outv m = taps[0];                                                                  \
            indexv at = column + top;                                                          \
            for (int t = 1; t < 4; t++) {                                                      \
                const outv v = taps[t];                                                        \
                const maskv take = (v > m) | (v != v);                                         \
                const indexv wide = __builtin_convertvector(take, indexv);                     \
                m = (outv)((take & (maskv)v) | (~take & (maskv)m));                            \
                at = (wide & (column + top + shift[t])) | (~wide & at);                        \
            }                                                                                  \
            memcpy(out + oh * OW, &m, sizeof m);                                               \
            memcpy(idx + oh * OW, &at, sizeof at);                                             \
        }                                                                                      \
    }
POOL_PAIRS(pool_pairs_4, 4)
POOL_PAIRS(pool_pairs_8, 8)

ST_CLONES void st__max_pool_pairs_f32(const st_pool2d *p, const float *x, float *out, int64_t *idx) {
    if (p->out_w == 4) pool_pairs_4(p, x, out, idx);
    else pool_pairs_8(p, x, out, idx);
}
