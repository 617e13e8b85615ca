/* im2col and col2im of one plane for the "same" 3x3-style convolution on maps 4 or 8 wide
   (kernel_w 3, pad_w 1, unit stride and dilation across): the second layer of the digits
   CNN and most small-map layers of a VGG-like net.

   With those, a tap's output row is its input row shifted one element left, not at all, or
   one element right, with a zero shifted in. The padded-scratch path (nn_conv.c) built
   that with scalar stores into a scratch plane and read it back at once with vector loads
   that straddle those stores, which the CPU cannot forward: a stall per load, and a tenth
   of a digits-cnn epoch. Here each row is loaded once as a vector, the shifts are register
   shuffles against zero, and each tap's row is one vector store. Any vertical geometry
   (stride, dilation, padding, kernel height) is handled by choosing the input row. */
#define ST_OMP_INTERNAL
#include "omp_nn.h"
#include "omp_reduce.h" /* ST_CLONES */

#include <string.h>

int st__conv_rows_apply(int64_t in_w, int64_t kernel_w, int64_t pad_w, int64_t stride_w, int64_t dilation_w) {
    return (in_w == 4 || in_w == 8) && kernel_w == 3 && pad_w == 1 && stride_w == 1 && dilation_w == 1;
}

/* out[x] = v[x - 1] (zero in front) and out[x] = v[x + 1] (zero behind), for W lanes. */
#define FROM_LEFT_4(v, z) __builtin_shufflevector(v, z, 4, 0, 1, 2)
#define FROM_RIGHT_4(v, z) __builtin_shufflevector(v, z, 1, 2, 3, 4)
#define FROM_LEFT_8(v, z) __builtin_shufflevector(v, z, 8, 0, 1, 2, 3, 4, 5, 6)
#define FROM_RIGHT_8(v, z) __builtin_shufflevector(v, z, 1, 2, 3, 4, 5, 6, 7, 8)

/* The input row that output row y of tap row i reads, or -1 in the vertical padding. */
static inline int64_t source_row(const st_conv_rows *g, int64_t y, int64_t i) {
    const int64_t r = y * g->stride_h + i * g->dilation_h - g->pad_h;
    return r >= 0 && r < g->h ? r : -1;
}

/* Tap (i, 0) reads pixel x - 1, tap (i, 1) pixel x, tap (i, 2) pixel x + 1. */
#define IM2COL_ROWS(NAME, T, W)                                                                \
    static inline __attribute__((always_inline)) void NAME(const st_conv_rows *g, const T *restrict plane, int64_t ld, T *restrict dst) { \
        typedef T vec __attribute__((vector_size(W * sizeof(T))));                             \
        const vec zero = {0};                                                                  \
        for (int64_t i = 0; i < g->kernel_h; i++) {                                            \
            T *restrict d = dst + i * 3 * ld;                                                  \
            for (int64_t y = 0; y < g->out_h; y++, d += W) {                                   \
                const int64_t r = source_row(g, y, i);                                         \
                vec v = zero, left = zero, right = zero;                                       \
                if (r >= 0) {                                                                  \
                    memcpy(&v, plane + r * W, sizeof v);                                       \
                    left = FROM_LEFT_##W(v, zero);                                             \
                    right = FROM_RIGHT_##W(v, zero);                                           \
                }                                                                              \
                memcpy(d, &left, sizeof v);                                                    \
                memcpy(d + ld, &v, sizeof v);                                                  \
                memcpy(d + 2 * ld, &right, sizeof v);                                          \
            }                                                                                  \
        }                                                                                      \
    }

/* Pixel x receives tap (i, 0)'s value at x + 1, (i, 1)'s at x, (i, 2)'s at x - 1. For one
   tap row i, distinct output rows reach distinct input rows, so each pixel adds its taps
   in (i, j) order. The shifted-in zeros change nothing: a sum that starts at +0 is never
   -0, and x + 0 is x for every other x. */
#define COL2IM_ROWS(NAME, T, W)                                                                \
    static inline __attribute__((always_inline)) void NAME(const st_conv_rows *g, const T *restrict cols, int64_t ld, T *restrict plane) { \
        typedef T vec __attribute__((vector_size(W * sizeof(T))));                             \
        const vec zero = {0};                                                                  \
        for (int64_t k = 0; k < g->h * W; k++) plane[k] = 0;                                   \
        for (int64_t i = 0; i < g->kernel_h; i++) {                                            \
            const T *restrict s = cols + i * 3 * ld;                                           \
            for (int64_t y = 0; y < g->out_h; y++, s += W) {                                   \
                const int64_t r = source_row(g, y, i);                                         \
                if (r < 0) continue;                                                           \
                vec acc, c0, c1, c2;                                                           \
                memcpy(&acc, plane + r * W, sizeof acc);                                       \
                memcpy(&c0, s, sizeof c0);                                                     \
                memcpy(&c1, s + ld, sizeof c1);                                                \
                memcpy(&c2, s + 2 * ld, sizeof c2);                                            \
                acc += FROM_RIGHT_##W(c0, zero);                                               \
                acc += c1;                                                                     \
                acc += FROM_LEFT_##W(c2, zero);                                                \
                memcpy(plane + r * W, &acc, sizeof acc);                                       \
            }                                                                                  \
        }                                                                                      \
    }

/* The exported function for element type T: both widths' bodies inlined, one picked per
   call (the caller has checked the width). */
#define ROWS_ENTRY(NAME, BODY, T)                                                              \
    BODY(NAME##_w4, T, 4)                                                                      \
    BODY(NAME##_w8, T, 8)                                                                      \
    ST_CLONES void NAME(const st_conv_rows *g, const T *src, int64_t ld, T *dst) {             \
        if (g->w == 4) NAME##_w4(g, src, ld, dst);                                             \
        else NAME##_w8(g, src, ld, dst);                                                       \
    }
ROWS_ENTRY(st__im2col_rows_4, IM2COL_ROWS, uint32_t)
ROWS_ENTRY(st__im2col_rows_8, IM2COL_ROWS, uint64_t)
ROWS_ENTRY(st__col2im_rows_f32, COL2IM_ROWS, float)
ROWS_ENTRY(st__col2im_rows_f64, COL2IM_ROWS, double)
