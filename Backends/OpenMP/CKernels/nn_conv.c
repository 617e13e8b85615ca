/* conv2d and its two gradients, lowered to im2col / col2im around a batched matrix product
   that the caller supplies (so the blas backend reuses the lowering with its own sgemm).

   cols holds, per sample, one row per (c, i, j) of input channel and kernel tap and one
   column per output pixel: [in_channels * kernel_h * kernel_w, out_h * out_w]. Group g of
   sample n is then the contiguous row block [g * K_g, (g + 1) * K_g), and a whole chunk of
   samples goes through ONE gemm call of batch (samples x groups), whose contiguous output
   [samples * groups, Cout_g, out_h * out_w] is already the NCHW output. Samples are taken
   in chunks so that cols stays under ST_CONV_COLS_BUDGET bytes.

   Layers with small out_h * out_w (and enough taps: conv_folds) make that a batch of
   tiny products (64 x 16 x 288 for a 32 -> 64 channel 3x3 layer on 4x4 images), slow
   with st_gemm and slower still with one cblas call each. They fold the chunk's samples
   into the columns instead: cols is [groups, K_g, samples * out_h * out_w] (column =
   sample * out_h * out_w + pixel) and each pass makes ONE product per group (batch =
   groups): the forward one into a scratch [groups, Cout_g, samples * out_h * out_w] that
   is then copied to NCHW; the input gradient's from grad_out copied into that layout;
   the weight gradient's with k = samples * out_h * out_w, summed over chunks in double.

   The forward pass folds the bias into the product: each group's rows of cols get one more
   row of ones, and the weight one more column holding the bias. That costs one more step
   of k, much less than a separate pass over the whole output (a quarter of the forward
   time of a first layer, where k is only 9). */
#define ST_OMP_INTERNAL
#include "omp_nn.h"
#include "omp_reduce.h" /* thread helpers and error codes */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Small enough that a chunk's cols are still in cache when the product reads them (or
   col2im reads what the product wrote), and that malloc reuses the buffer from call to
   call rather than mapping fresh pages (glibc maps blocks above 32 MiB anew each time):
   with 64 MiB, a 32 -> 64 channel 3x3 layer on 26x26 images ran twice as slow, most of it
   in page faults and cache misses. Still a whole batch of small first-layer samples
   (cols of 24 KiB each for 28x28 MNIST) per chunk. Overridable for tests. */
#ifndef ST_CONV_COLS_BUDGET
#define ST_CONV_COLS_BUDGET ((int64_t)2 << 20)
#endif

typedef struct conv {
    int64_t n, c, h, w, cout, kh, kw, oh, ow, sh, sw, ph, pw, dh, dw, groups;
    int64_t khw, ohw, cg, og, kg;               /* K_g = Cin_g * kh * kw */
    int64_t in_sample, col_sample, out_sample;  /* elements per sample */
    int pointwise;                              /* cols == x: no im2col / col2im */
} conv;

static int conv_init(const st_conv2d *p, conv *q) {
    q->n = p->batch; q->c = p->in_channels; q->h = p->in_h; q->w = p->in_w;
    q->cout = p->out_channels; q->kh = p->kernel_h; q->kw = p->kernel_w;
    q->oh = p->out_h; q->ow = p->out_w; q->sh = p->stride_h; q->sw = p->stride_w;
    q->ph = p->pad_h; q->pw = p->pad_w; q->dh = p->dilation_h; q->dw = p->dilation_w;
    q->groups = p->groups;
    if (q->n < 0 || q->c < 0 || q->h < 0 || q->w < 0 || q->cout < 0 || q->kh < 0 || q->kw < 0 ||
        q->oh < 0 || q->ow < 0 || q->sh <= 0 || q->sw <= 0 || q->ph < 0 || q->pw < 0 ||
        q->dh <= 0 || q->dw <= 0 || q->groups <= 0 || q->c % q->groups || q->cout % q->groups)
        return ST_ERR_ARGUMENT;
    q->khw = q->kh * q->kw;
    q->ohw = q->oh * q->ow;
    q->cg = q->c / q->groups;
    q->og = q->cout / q->groups;
    q->kg = q->cg * q->khw;
    q->in_sample = q->c * q->h * q->w;
    q->col_sample = q->c * q->khw * q->ohw;
    q->out_sample = q->cout * q->ohw;
    q->pointwise = q->kh == 1 && q->kw == 1 && q->sh == 1 && q->sw == 1 && q->ph == 0 &&
                   q->pw == 0 && q->oh == q->h && q->ow == q->w;
    return 0;
}

/* Layers with few output pixels per sample and enough taps fold a chunk's samples into one
   product per group (see the top of the file). Measured on 2 cores, batch 64, forward +
   both gradients, per-sample -> folded, st_gemm / OpenBLAS: 32 -> 64 channels 3x3 on 4x4
   (K_g 288, 16 pixels) 6.0 -> 2.9 / 8.9 -> 2.9 ms; on 8x8 (64 pixels) 9.0 -> 6.2 /
   13.4 -> 6.8 ms; 8 -> 64 on 4x4 (K_g 72) 1.07 -> 0.69 / 1.28 -> 0.84 ms. But 1 -> 32 on
   8x8 (K_g 9) 0.79 -> 3.2 / 0.60 -> 1.1 ms and 4 -> 32 (K_g 36) 0.71 -> 1.2 / 1.2 ->
   1.9 ms: with few taps the product is cheap and the two extra passes over the output
   (and, for the weight gradient, one long k with nothing to split between threads) cost
   more; 16 -> 32 on 12x12 (144 pixels) 4.3 -> 4.8 ms with st_gemm. */
#ifndef ST_CONV_FOLD_OHW
#define ST_CONV_FOLD_OHW 64
#endif
#ifndef ST_CONV_FOLD_MIN_K
#define ST_CONV_FOLD_MIN_K 64
#endif

/* Whether the folded layout serves this layer; it then goes through im2col even when
   pointwise, since x is not in the folded layout. */
static int conv_folds(conv *q) {
    const int folds = q->n > 1 && q->ohw <= ST_CONV_FOLD_OHW && q->kg >= ST_CONV_FOLD_MIN_K;
    if (folds) q->pointwise = 0;
    return folds;
}

/* Samples per chunk: as many as the cols budget holds, at least one. */
static int64_t conv_chunk(const conv *q, int64_t es, int64_t col_sample) {
    if (q->pointwise) return q->n;
    const int64_t per = col_sample * es;
    int64_t chunk = per > 0 ? ST_CONV_COLS_BUDGET / per : q->n;
    if (chunk < 1) chunk = 1;
    return chunk < q->n ? chunk : q->n;
}

/* The output positions [*lo, *hi) whose tap lands inside [0, size): pos = o * stride + off. */
static void valid_range(int64_t size, int64_t stride, int64_t off, int64_t count, int64_t *lo, int64_t *hi) {
    int64_t a = off >= 0 ? 0 : (-off + stride - 1) / stride;
    int64_t b = size - 1 - off < 0 ? 0 : (size - 1 - off) / stride + 1;
    if (a > count) a = count;
    if (b > count) b = count;
    if (b < a) b = a;
    *lo = a;
    *hi = b;
}

/* Elements move as bits in im2col, so one copy per element size serves both dtypes. */
#define IM2COL_ROW(NAME, T)                                                                    \
    ST_CLONES static void NAME(const conv *q, const T *restrict plane, int64_t i, int64_t j,   \
                               T *restrict dst) {                                              \
        const int64_t ow = q->ow, w = q->w, sw = q->sw;                                        \
        const int64_t offh = i * q->dh - q->ph, offw = j * q->dw - q->pw;                      \
        int64_t oh0, oh1, ow0, ow1;                                                            \
        valid_range(q->h, q->sh, offh, q->oh, &oh0, &oh1);                                     \
        valid_range(w, sw, offw, ow, &ow0, &ow1);                                              \
        /* Rows of cols that fall in the vertical padding are contiguous runs of zeros. */     \
        memset(dst, 0, (size_t)(oh0 * ow) * sizeof(T));                                        \
        memset(dst + oh1 * ow, 0, (size_t)((q->oh - oh1) * ow) * sizeof(T));                   \
        const int64_t n = ow1 - ow0;                                                           \
        for (int64_t y = oh0; y < oh1; y++) {                                                  \
            const T *restrict src = plane + (y * q->sh + offh) * w + ow0 * sw + offw;          \
            T *restrict d = dst + y * ow;                                                      \
            for (int64_t x = 0; x < ow0; x++) d[x] = 0;                                        \
            if (sw == 1) {                                                                     \
                /* A shifted copy of the input row. */                                         \
                for (int64_t x = 0; x < n; x++) d[ow0 + x] = src[x];                           \
            } else {                                                                           \
                for (int64_t x = 0; x < n; x++) d[ow0 + x] = src[x * sw];                      \
            }                                                                                  \
            for (int64_t x = ow1; x < ow; x++) d[x] = 0;                                       \
        }                                                                                      \
    }
IM2COL_ROW(im2col_row_4, uint32_t)
IM2COL_ROW(im2col_row_8, uint64_t)

/* Small images with narrow output rows (4x4 for a second layer on 8x8 digits) make the
   per-row copies above a handful of elements each, between two memset calls and the
   window arithmetic: most of the time went there, not into copying. For those, a task
   takes a whole input plane, copies it once into a zero-padded scratch (at most
   ST_IM2COL_PAD elements), and then every (tap, output row) is a plain copy from it, with
   no bounds and no zeroing of cols. Same values as the row path, padding included. The
   copies are a few elements each: no_builtin keeps them inline loops rather than memcpy
   calls (which cost more than the copy at that size; no clones then, which clang does not
   combine with no_builtin, and a copy needs none). */
#define ST_IM2COL_PAD 1024
/* One tap's output rows, copied from the padded scratch. Output rows of 4 and 8 elements
   (the 4x4 and 8x8 maps of the digits CNN) get a constant count, so each row is one or two
   vector moves rather than a counted loop (13 instructions per element became about 5,
   scratch included; callgrind over a digits-cnn epoch). */
#define IM2COL_TAP_ROWS(T, OW, SW)                                                             \
    for (int64_t y = 0; y < oh; y++) {                                                         \
        const T *restrict src = s0 + y * sh * wp;                                              \
        for (int64_t x = 0; x < (OW); x++) d[y * (OW) + x] = src[x * (SW)];                    \
    }
#define IM2COL_PADDED(NAME, T)                                                                 \
    __attribute__((no_builtin("memcpy", "memset"))) static void NAME(                          \
        const conv *q, const T *restrict plane, int64_t ld, T *restrict dst, T *restrict pad) {  \
        const int64_t h = q->h, w = q->w, wp = w + 2 * q->pw, hp = h + 2 * q->ph;              \
        const int64_t oh = q->oh, ow = q->ow, sh = q->sh, sw = q->sw;                          \
        for (int64_t k = 0; k < q->ph * wp; k++) pad[k] = 0;                                   \
        for (int64_t k = (h + q->ph) * wp; k < hp * wp; k++) pad[k] = 0;                       \
        for (int64_t y = 0; y < h; y++) {                                                      \
            T *restrict row = pad + (y + q->ph) * wp;                                          \
            for (int64_t x = 0; x < q->pw; x++) { row[x] = 0; row[w + q->pw + x] = 0; }        \
            for (int64_t x = 0; x < w; x++) row[q->pw + x] = plane[y * w + x];                 \
        }                                                                                      \
        for (int64_t i = 0; i < q->kh; i++)                                                    \
            for (int64_t j = 0; j < q->kw; j++) {                                              \
                const T *restrict s0 = pad + i * q->dh * wp + j * q->dw;                       \
                T *restrict d = dst + (i * q->kw + j) * ld;                                    \
                if (sw == 1 && ow == 4) IM2COL_TAP_ROWS(T, 4, 1)                               \
                else if (sw == 1 && ow == 8) IM2COL_TAP_ROWS(T, 8, 1)                          \
                else IM2COL_TAP_ROWS(T, ow, sw)                                                \
            }                                                                                  \
    }
IM2COL_PADDED(im2col_padded_4, uint32_t)
IM2COL_PADDED(im2col_padded_8, uint64_t)

/* Maps 4 or 8 wide under a "same" 3-wide kernel take the shifted-row path
   (nn_conv_rows.c), ahead of the padded-scratch one. */
static int conv_rows_apply(const conv *q) { return st__conv_rows_apply(q->w, q->kw, q->pw, q->sw, q->dw); }

static st_conv_rows conv_rows(const conv *q) {
    return (st_conv_rows){q->h, q->w, q->oh, q->sh, q->dh, q->ph, q->kh};
}

/* cols of `count` samples starting at x, with `stride` rows per group (K_g, or K_g + 1
   where a bias row follows, which this leaves alone), `ld` elements from row to row and
   sample s's columns starting at s * `sstride`; one task per row of taps. Per-sample
   layout: ld = out_h * out_w, sstride = groups * stride * ld. Folded layout ([groups,
   stride, samples * out_h * out_w]): ld = samples * out_h * out_w, sstride = out_h * out_w. */
static void im2col(const conv *q, int64_t es, const void *x, int64_t count, int64_t stride, int64_t ld,
                   int64_t sstride, void *cols) {
    const int64_t rows = count * q->c * q->khw, per_c = q->khw;
    if (conv_rows_apply(q)) {
        const st_conv_rows g = conv_rows(q);
        const int64_t planes = count * q->c;
        #pragma omp parallel for schedule(static) if(rows * q->ohw >= ST_PAR_GRAIN)
        for (int64_t pl = 0; pl < planes; pl++) {
            const int64_t s = pl / q->c, ch = pl % q->c, gr = ch / q->cg;
            const int64_t dst = s * sstride + (gr * stride + (ch - gr * q->cg) * per_c) * ld;
            if (es == 4) st__im2col_rows_4(&g, (const uint32_t *)x + pl * q->h * q->w, ld, (uint32_t *)cols + dst);
            else st__im2col_rows_8(&g, (const uint64_t *)x + pl * q->h * q->w, ld, (uint64_t *)cols + dst);
        }
        return;
    }
    if (q->ow < 16 && (q->h + 2 * q->ph) * (q->w + 2 * q->pw) <= ST_IM2COL_PAD) {
        const int64_t planes = count * q->c;
        #pragma omp parallel for schedule(static) if(rows * q->ohw >= ST_PAR_GRAIN)
        for (int64_t pl = 0; pl < planes; pl++) {
            uint64_t pad[ST_IM2COL_PAD]; /* holds ST_IM2COL_PAD elements of either size */
            const int64_t s = pl / q->c, ch = pl % q->c, g = ch / q->cg;
            const int64_t dst = s * sstride + (g * stride + (ch - g * q->cg) * per_c) * ld;
            if (es == 4)
                im2col_padded_4(q, (const uint32_t *)x + pl * q->h * q->w, ld, (uint32_t *)cols + dst, (uint32_t *)pad);
            else
                im2col_padded_8(q, (const uint64_t *)x + pl * q->h * q->w, ld, (uint64_t *)cols + dst, pad);
        }
        return;
    }
    #pragma omp parallel for schedule(static) if(rows * q->ohw >= ST_PAR_GRAIN)
    for (int64_t r = 0; r < rows; r++) {
        const int64_t plane = r / per_c, tap = r % per_c; /* plane = sample * c + channel */
        const int64_t off = plane * q->h * q->w, s = plane / q->c, ch = plane % q->c, g = ch / q->cg;
        const int64_t dst = s * sstride + (g * stride + (ch - g * q->cg) * per_c + tap) * ld;
        if (es == 4)
            im2col_row_4(q, (const uint32_t *)x + off, tap / q->kw, tap % q->kw, (uint32_t *)cols + dst);
        else
            im2col_row_8(q, (const uint64_t *)x + off, tap / q->kw, tap % q->kw, (uint64_t *)cols + dst);
    }
}

/* One input plane of the input gradient: zeroed, then every (i, j) row of cols that reads
   the plane added back to the pixel it came from, in a fixed order. */
#define COL2IM_PLANE(NAME, T)                                                                  \
    ST_CLONES static void NAME(const conv *q, const T *restrict cols, int64_t ld,              \
                               T *restrict plane) {                                            \
        const int64_t ow = q->ow, w = q->w, sw = q->sw;                                        \
        memset(plane, 0, (size_t)(q->h * w) * sizeof(T));                                      \
        for (int64_t i = 0; i < q->kh; i++)                                                    \
            for (int64_t j = 0; j < q->kw; j++) {                                              \
                const T *restrict src = cols + (i * q->kw + j) * ld;                           \
                const int64_t offh = i * q->dh - q->ph, offw = j * q->dw - q->pw;              \
                int64_t oh0, oh1, ow0, ow1;                                                    \
                valid_range(q->h, q->sh, offh, q->oh, &oh0, &oh1);                             \
                valid_range(w, sw, offw, ow, &ow0, &ow1);                                      \
                const int64_t n = ow1 - ow0;                                                   \
                for (int64_t y = oh0; y < oh1; y++) {                                          \
                    T *restrict d = plane + (y * q->sh + offh) * w + ow0 * sw + offw;          \
                    const T *restrict s = src + y * ow + ow0;                                  \
                    if (sw == 1) {                                                             \
                        for (int64_t x = 0; x < n; x++) d[x] += s[x];                          \
                    } else {                                                                   \
                        for (int64_t x = 0; x < n; x++) d[x * sw] += s[x];                     \
                    }                                                                          \
                }                                                                              \
            }                                                                                  \
    }
COL2IM_PLANE(col2im_plane_f32, float)
COL2IM_PLANE(col2im_plane_f64, double)

/* The small-plane path of col2im, the mirror of im2col's: every tap's rows are added into a
   zero-padded scratch plane with no bounds (what lands in the padding is dropped with it),
   then the interior is copied out. For one tap, distinct output positions reach distinct
   pixels, so each pixel still sums its taps in (i, j) order from zero: the same values as
   col2im_plane, bit for bit. */
#define COL2IM_TAP_ROWS(T, OW, SW)                                                             \
    for (int64_t y = 0; y < oh; y++) {                                                         \
        T *restrict d = d0 + y * sh * wp;                                                      \
        const T *restrict s = src + y * (OW);                                                  \
        for (int64_t x = 0; x < (OW); x++) d[x * (SW)] += s[x];                                \
    }
#define COL2IM_PADDED(NAME, T)                                                                 \
    __attribute__((no_builtin("memcpy", "memset"))) static void NAME(                          \
        const conv *q, const T *restrict cols, int64_t ld, T *restrict plane, T *restrict pad) { \
        const int64_t h = q->h, w = q->w, wp = w + 2 * q->pw, hp = h + 2 * q->ph;              \
        const int64_t oh = q->oh, ow = q->ow, sh = q->sh, sw = q->sw;                          \
        for (int64_t k = 0; k < hp * wp; k++) pad[k] = 0;                                      \
        for (int64_t i = 0; i < q->kh; i++)                                                    \
            for (int64_t j = 0; j < q->kw; j++) {                                              \
                const T *restrict src = cols + (i * q->kw + j) * ld;                           \
                T *restrict d0 = pad + i * q->dh * wp + j * q->dw;                             \
                if (sw == 1 && ow == 4) COL2IM_TAP_ROWS(T, 4, 1)                               \
                else if (sw == 1 && ow == 8) COL2IM_TAP_ROWS(T, 8, 1)                          \
                else COL2IM_TAP_ROWS(T, ow, sw)                                                \
            }                                                                                  \
        for (int64_t y = 0; y < h; y++)                                                        \
            for (int64_t x = 0; x < w; x++) plane[y * w + x] = pad[(y + q->ph) * wp + q->pw + x]; \
    }
COL2IM_PADDED(col2im_padded_f32, float)
COL2IM_PADDED(col2im_padded_f64, double)

/* A plane's rows of cols only touch that plane, so planes are independent tasks. cols as
   im2col writes them with K_g rows per group (ld and sstride as there). */
static void col2im(const conv *q, int f64, const void *cols, int64_t count, int64_t ld, int64_t sstride,
                   void *grad_in) {
    const int64_t planes = count * q->c, prow = q->khw * q->ohw, psize = q->h * q->w;
    if (conv_rows_apply(q)) {
        const st_conv_rows g = conv_rows(q);
        #pragma omp parallel for schedule(static) if(planes * prow >= ST_PAR_GRAIN)
        for (int64_t pl = 0; pl < planes; pl++) {
            const int64_t at = pl / q->c * sstride + pl % q->c * q->khw * ld;
            if (f64) st__col2im_rows_f64(&g, (const double *)cols + at, ld, (double *)grad_in + pl * psize);
            else st__col2im_rows_f32(&g, (const float *)cols + at, ld, (float *)grad_in + pl * psize);
        }
        return;
    }
    if (q->ow < 16 && (q->h + 2 * q->ph) * (q->w + 2 * q->pw) <= ST_IM2COL_PAD) {
        #pragma omp parallel for schedule(static) if(planes * prow >= ST_PAR_GRAIN)
        for (int64_t pl = 0; pl < planes; pl++) {
            uint64_t pad[ST_IM2COL_PAD]; /* holds ST_IM2COL_PAD elements of either dtype */
            const int64_t at = pl / q->c * sstride + pl % q->c * q->khw * ld;
            if (f64) col2im_padded_f64(q, (const double *)cols + at, ld, (double *)grad_in + pl * psize, (double *)pad);
            else col2im_padded_f32(q, (const float *)cols + at, ld, (float *)grad_in + pl * psize, (float *)pad);
        }
        return;
    }
    #pragma omp parallel for schedule(static) if(planes * prow >= ST_PAR_GRAIN)
    for (int64_t pl = 0; pl < planes; pl++) {
        const int64_t at = pl / q->c * sstride + pl % q->c * q->khw * ld;
        if (f64) col2im_plane_f64(q, (const double *)cols + at, ld, (double *)grad_in + pl * psize);
        else col2im_plane_f32(q, (const float *)cols + at, ld, (float *)grad_in + pl * psize);
    }
}

/* Between a chunk's NCHW planes [count, out_channels, out_h * out_w] and the folded
   [out_channels, count * out_h * out_w] (= [groups, Cout_g, count * out_h * out_w]) the
   folded products read or write: one contiguous copy per plane. */
static void fold_planes(const conv *q, int64_t es, int64_t count, const void *src, void *dst, int to_folded) {
    const int64_t planes = count * q->cout, ohw = q->ohw, len = count * ohw;
    #pragma omp parallel for schedule(static) if(planes * ohw >= ST_PAR_GRAIN)
    for (int64_t pl = 0; pl < planes; pl++) {
        const int64_t nchw = pl * ohw, folded = pl % q->cout * len + pl / q->cout * ohw;
        if (to_folded) memcpy((char *)dst + folded * es, (const char *)src + nchw * es, (size_t)(ohw * es));
        else memcpy((char *)dst + nchw * es, (const char *)src + folded * es, (size_t)(ohw * es));
    }
}

/* Both dtypes' gemm, so the drivers below are written once. */
typedef struct gemm_fns {
    st_gemm_f32_fn f32;
    st_gemm_f64_fn f64;
} gemm_fns;

static int call_gemm(int f64, gemm_fns g, const st_gemm_args *args, const void *a, const void *b, void *c) {
    if (f64 ? !g.f64 : !g.f32) return ST_ERR_ARGUMENT;
    return f64 ? g.f64(args, a, b, c) : g.f32(args, a, b, c);
}

/* out[plane] += bias[plane % cout] over `planes` output planes; bias NULL: zeros when
   `fill` (no product was written), else nothing. */
static void add_bias(const conv *q, int f64, const void *bias, int64_t planes, void *out, int fill) {
    const int64_t ohw = q->ohw;
    #pragma omp parallel for schedule(static) if(planes * ohw >= ST_PAR_GRAIN)
    for (int64_t pl = 0; pl < planes; pl++) {
        const int64_t co = pl % q->cout;
        if (f64) {
            double *o = (double *)out + pl * ohw;
            const double b = bias ? ((const double *)bias)[co] : 0;
            if (fill) for (int64_t k = 0; k < ohw; k++) o[k] = b;
            else for (int64_t k = 0; k < ohw; k++) o[k] += b;
        } else {
            float *o = (float *)out + pl * ohw;
            const float b = bias ? ((const float *)bias)[co] : 0;
            if (fill) for (int64_t k = 0; k < ohw; k++) o[k] = b;
            else for (int64_t k = 0; k < ohw; k++) o[k] += b;
        }
    }
}

static int conv_forward(int f64, const st_conv2d *p, const void *x, const void *w, const void *bias,
                        void *out, gemm_fns gemm) {
    conv q;
    int status = conv_init(p, &q);
    if (status) return status;
    const int64_t es = f64 ? 8 : 4;
    if (q.n == 0 || q.out_sample == 0) return 0;
    if (q.kg == 0) { /* no taps: the output is the bias alone */
        add_bias(&q, f64, bias, q.n * q.cout, out, 1);
        return 0;
    }
    const int folded = conv_folds(&q);
    /* Pointwise convolutions read x in place, so they have no row to put the bias in. */
    const int fold = bias && !q.pointwise;
    const int64_t kb = q.kg + fold, col_sample = q.groups * kb * q.ohw;
    const int64_t chunk = conv_chunk(&q, es, col_sample), batch = folded ? q.groups : chunk * q.groups;
    /* Row length of cols: folded, that of a full chunk even for a shorter last one, so
       the ones rows stay where they were written. */
    const int64_t ld = folded ? chunk * q.ohw : q.ohw;
    char *cols = q.pointwise ? NULL : malloc((size_t)(chunk * col_sample * es));
    char *prod = folded ? malloc((size_t)(chunk * q.out_sample * es)) : NULL;
    char *wb = fold ? malloc((size_t)(q.cout * kb * es)) : NULL;
    int64_t *offs = malloc((size_t)(2 * batch) * sizeof(int64_t));
    if ((!q.pointwise && !cols) || (folded && !prod) || (fold && !wb) || !offs) {
        free(cols); free(prod); free(wb); free(offs);
        return ST_ERR_MEMORY;
    }
    if (fold) {
        for (int64_t co = 0; co < q.cout; co++) {
            memcpy(wb + co * kb * es, (const char *)w + co * q.kg * es, (size_t)(q.kg * es));
            memcpy(wb + (co * kb + q.kg) * es, (const char *)bias + co * es, (size_t)es);
        }
        /* The ones rows, which im2col never overwrites. */
        for (int64_t b = 0; b < batch; b++) {
            char *row = cols + (b * kb + q.kg) * ld * es;
            for (int64_t k = 0; k < ld; k++) {
                if (f64) ((double *)row)[k] = 1;
                else ((float *)row)[k] = 1;
            }
        }
    }
    for (int64_t n0 = 0; n0 < q.n && !status; n0 += chunk) {
        const int64_t nb = q.n - n0 < chunk ? q.n - n0 : chunk;
        const char *xb = (const char *)x + n0 * q.in_sample * es;
        char *ob = (char *)out + n0 * q.out_sample * es;
        if (folded) {
            /* [groups, Cout_g, nb * out_h * out_w] into prod, then to NCHW. */
            im2col(&q, es, xb, nb, kb, ld, q.ohw, cols);
            for (int64_t g = 0; g < q.groups; g++) {
                offs[g] = g * q.og * kb;
                offs[batch + g] = g * kb * ld;
            }
            const st_gemm_args args = {q.groups, q.og, nb * q.ohw, kb, offs, offs + batch, kb, 1, ld, 1};
            status = call_gemm(f64, gemm, &args, fold ? wb : w, cols, prod);
            if (!status) fold_planes(&q, es, nb, prod, ob, 0);
            continue;
        }
        if (!q.pointwise) im2col(&q, es, xb, nb, kb, q.ohw, q.groups * kb * q.ohw, cols);
        for (int64_t b = 0; b < nb * q.groups; b++) {
            const int64_t s = b / q.groups, g = b % q.groups;
            offs[b] = g * q.og * kb;                                           /* weight group g */
            offs[batch + b] = q.pointwise ? s * q.in_sample + g * q.kg * q.ohw : b * kb * q.ohw; /* its cols */
        }
        const st_gemm_args args = {nb * q.groups, q.og, q.ohw, kb, offs, offs + batch, kb, 1, q.ohw, 1};
        status = call_gemm(f64, gemm, &args, fold ? wb : w, q.pointwise ? xb : cols, ob);
        /* While the chunk's output is still warm in cache. */
        if (!status && bias && !fold) add_bias(&q, f64, bias, nb * q.cout, ob, 0);
    }
    free(cols);
    free(prod);
    free(wb);
    free(offs);
    return status;
}

static int conv_backward_input(int f64, const st_conv2d *p, const void *grad_out, const void *w,
                               void *grad_in, gemm_fns gemm) {
    conv q;
    int status = conv_init(p, &q);
    if (status) return status;
    const int64_t es = f64 ? 8 : 4;
    if (q.n * q.in_sample == 0) return 0;
    if (q.out_sample == 0 || q.kg == 0) { /* no output, or no taps: nothing flows back */
        memset(grad_in, 0, (size_t)(q.n * q.in_sample * es));
        return 0;
    }
    const int folded = conv_folds(&q);
    /* Pointwise: the product's [n * groups, K_g, h * w] output is grad_in itself. */
    const int64_t chunk = conv_chunk(&q, es, q.col_sample), batch = folded ? q.groups : chunk * q.groups;
    char *cols = q.pointwise ? NULL : malloc((size_t)(chunk * q.col_sample * es));
    char *gt = folded ? malloc((size_t)(chunk * q.out_sample * es)) : NULL;
    int64_t *offs = malloc((size_t)(2 * batch) * sizeof(int64_t));
    if ((!q.pointwise && !cols) || (folded && !gt) || !offs) { free(cols); free(gt); free(offs); return ST_ERR_MEMORY; }
    for (int64_t n0 = 0; n0 < q.n && !status; n0 += chunk) {
        const int64_t nb = q.n - n0 < chunk ? q.n - n0 : chunk;
        char *gb = (char *)grad_in + n0 * q.in_sample * es;
        if (folded) {
            /* grad_out as [groups, Cout_g, len], the product into cols [groups, K_g, len]. */
            const int64_t len = nb * q.ohw;
            fold_planes(&q, es, nb, (const char *)grad_out + n0 * q.out_sample * es, gt, 1);
            for (int64_t g = 0; g < q.groups; g++) {
                offs[g] = g * q.og * q.kg;
                offs[batch + g] = g * q.og * len;
            }
            const st_gemm_args args = {q.groups, q.kg, len, q.og, offs, offs + batch, 1, q.kg, len, 1};
            status = call_gemm(f64, gemm, &args, w, gt, cols);
            if (!status) col2im(&q, f64, cols, nb, len, q.ohw, gb);
            continue;
        }
        for (int64_t b = 0; b < nb * q.groups; b++) {
            const int64_t s = n0 + b / q.groups, g = b % q.groups;
            offs[b] = g * q.og * q.kg;                              /* weight group g, transposed */
            offs[batch + b] = s * q.out_sample + g * q.og * q.ohw;  /* grad_out[s, group g] */
        }
        const st_gemm_args args = {nb * q.groups, q.kg, q.ohw, q.og, offs, offs + batch, 1, q.kg, q.ohw, 1};
        status = call_gemm(f64, gemm, &args, w, grad_out, q.pointwise ? gb : cols);
        if (!status && !q.pointwise) col2im(&q, f64, cols, nb, q.ohw, q.col_sample, gb);
    }
    free(cols);
    free(gt);
    free(offs);
    return status;
}

static int conv_backward_weight(int f64, const st_conv2d *p, const void *grad_out, const void *x,
                                void *grad_w, gemm_fns gemm) {
    conv q;
    int status = conv_init(p, &q);
    if (status) return status;
    const int64_t es = f64 ? 8 : 4, wsize = q.cout * q.kg;
    if (wsize == 0) return 0;
    if (q.n == 0 || q.ohw == 0) {
        memset(grad_w, 0, (size_t)(wsize * es));
        return 0;
    }
    /* Samples are summed in double, in sample order, so the result does not depend on
       chunking or thread count. With fewer taps than output channels (a first layer:
       K_g = 9, Cout_g = 32) the transposed product cols · grad_outᵀ, [K_g, Cout_g], is
       faster (0.75 against 0.95 ms there): register tiles are wider than tall (6 x 16 in
       st_gemm's AVX2 kernel), so the small side wastes less padding as the rows. */
    const int flip = q.kg < q.og;
    const int folded = conv_folds(&q);
    const int64_t chunk = conv_chunk(&q, es, q.col_sample), batch = folded ? q.groups : chunk * q.groups;
    char *cols = q.pointwise ? NULL : malloc((size_t)(chunk * q.col_sample * es));
    char *gt = folded ? malloc((size_t)(chunk * q.out_sample * es)) : NULL;
    char *part = malloc((size_t)((folded ? 1 : chunk) * wsize * es));
    double *acc = calloc((size_t)wsize, sizeof(double));
    int64_t *offs = malloc((size_t)(2 * batch) * sizeof(int64_t));
    if ((!q.pointwise && !cols) || (folded && !gt) || !part || !acc || !offs) status = ST_ERR_MEMORY;
    for (int64_t n0 = 0; n0 < q.n && !status; n0 += chunk) {
        const int64_t nb = q.n - n0 < chunk ? q.n - n0 : chunk;
        const char *xb = (const char *)x + n0 * q.in_sample * es;
        int64_t *go_off = offs + (flip ? batch : 0), *col_off = offs + (flip ? 0 : batch);
        int64_t parts = nb;
        if (folded) {
            /* One product per group over the chunk's len = nb * out_h * out_w pixels: grad_out
               as [groups, Cout_g, len] times cols [groups, K_g, len] transposed. */
            const int64_t len = nb * q.ohw;
            im2col(&q, es, xb, nb, q.kg, len, q.ohw, cols);
            fold_planes(&q, es, nb, (const char *)grad_out + n0 * q.out_sample * es, gt, 1);
            for (int64_t g = 0; g < q.groups; g++) {
                go_off[g] = g * q.og * len;
                col_off[g] = g * q.kg * len;
            }
            if (flip) {
                const st_gemm_args args = {q.groups, q.kg, q.og, len, offs, offs + batch, len, 1, 1, len};
                status = call_gemm(f64, gemm, &args, cols, gt, part);
            } else {
                const st_gemm_args args = {q.groups, q.og, q.kg, len, offs, offs + batch, len, 1, 1, len};
                status = call_gemm(f64, gemm, &args, gt, cols, part);
            }
            parts = 1;
        } else {
            if (!q.pointwise) im2col(&q, es, xb, nb, q.kg, q.ohw, q.col_sample, cols);
            for (int64_t b = 0; b < nb * q.groups; b++) {
                const int64_t s = b / q.groups, g = b % q.groups;
                go_off[b] = (n0 + s) * q.out_sample + g * q.og * q.ohw; /* grad_out[n0 + s, group g] */
                col_off[b] = s * q.col_sample + g * q.kg * q.ohw;       /* its rows of cols */
            }
            const void *cb = q.pointwise ? xb : cols;
            if (flip) {
                const st_gemm_args args = {nb * q.groups, q.kg, q.og, q.ohw, offs, offs + batch, q.ohw, 1, 1, q.ohw};
                status = call_gemm(f64, gemm, &args, cb, grad_out, part);
            } else {
                const st_gemm_args args = {nb * q.groups, q.og, q.kg, q.ohw, offs, offs + batch, q.ohw, 1, 1, q.ohw};
                status = call_gemm(f64, gemm, &args, grad_out, cb, part);
            }
        }
        if (status) break;
        /* part[s] is [groups, Cout_g, K_g] (grad_w's layout), or [groups, K_g, Cout_g]. */
        #pragma omp parallel for schedule(static) if(parts * wsize >= ST_PAR_GRAIN)
        for (int64_t e = 0; e < wsize; e++) {
            const int64_t g = e / (q.og * q.kg), co = e / q.kg % q.og, k = e % q.kg;
            const int64_t at = flip ? (g * q.kg + k) * q.og + co : e;
            double sum = acc[e];
            if (f64) for (int64_t s = 0; s < parts; s++) sum += ((const double *)part)[s * wsize + at];
            else for (int64_t s = 0; s < parts; s++) sum += ((const float *)part)[s * wsize + at];
            acc[e] = sum;
        }
    }
    if (!status) {
        if (f64) memcpy(grad_w, acc, (size_t)wsize * sizeof(double));
        else for (int64_t e = 0; e < wsize; e++) ((float *)grad_w)[e] = (float)acc[e];
    }
    free(cols);
    free(gt);
    free(part);
    free(acc);
    free(offs);
    return status;
}

int st_conv2d_forward_f32(const st_conv2d *p, const float *x, const float *w, const float *bias,
                          float *out, st_gemm_f32_fn gemm) {
    return conv_forward(0, p, x, w, bias, out, (gemm_fns){gemm, NULL});
}
int st_conv2d_forward_f64(const st_conv2d *p, const double *x, const double *w, const double *bias,
                          double *out, st_gemm_f64_fn gemm) {
    return conv_forward(1, p, x, w, bias, out, (gemm_fns){NULL, gemm});
}
int st_conv2d_backward_input_f32(const st_conv2d *p, const float *grad_out, const float *w,
                                 float *grad_in, st_gemm_f32_fn gemm) {
    return conv_backward_input(0, p, grad_out, w, grad_in, (gemm_fns){gemm, NULL});
}
int st_conv2d_backward_input_f64(const st_conv2d *p, const double *grad_out, const double *w,
                                 double *grad_in, st_gemm_f64_fn gemm) {
    return conv_backward_input(1, p, grad_out, w, grad_in, (gemm_fns){NULL, gemm});
}
int st_conv2d_backward_weight_f32(const st_conv2d *p, const float *grad_out, const float *x,
                                  float *grad_w, st_gemm_f32_fn gemm) {
    return conv_backward_weight(0, p, grad_out, x, grad_w, (gemm_fns){gemm, NULL});
}
int st_conv2d_backward_weight_f64(const st_conv2d *p, const double *grad_out, const double *x,
                                  double *grad_w, st_gemm_f64_fn gemm) {
    return conv_backward_weight(1, p, grad_out, x, grad_w, (gemm_fns){NULL, gemm});
}
