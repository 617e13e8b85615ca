/* max_pool2d, avg_pool2d and avg_pool2d's gradient over independent planes, with
   PyTorch's window rules (ATen's cpu_max_pool / cpu_avg_pool kernels): which element wins a
   max, where a window is clipped, and what an average divides by.

   The forward kernels run one task per output row. Within a row, the outputs whose window
   lies wholly inside the input's width (all but a few at the edges) are computed tap by
   tap across the row: every output still sees its taps in row-major order, so maxima,
   indices and sums come out exactly as one window at a time would give them, but the loop
   over outputs vectorises. Window sums accumulate in double, in that order. */
#define ST_OMP_INTERNAL
#include "omp_nn.h"
#include "omp_reduce.h" /* thread helpers and error codes */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* divisor_override only divides (0 means none): PyTorch takes any non-zero value, negative
   ones included, so the kernel does too. */
static int pool_check(const st_pool2d *p) {
    if (p->planes < 0 || p->in_h < 0 || p->in_w < 0 || p->out_h < 0 || p->out_w < 0 ||
        p->kernel_h <= 0 || p->kernel_w <= 0 || p->stride_h <= 0 || p->stride_w <= 0 ||
        p->pad_h < 0 || p->pad_w < 0 || p->dilation_h <= 0 || p->dilation_w <= 0)
        return ST_ERR_ARGUMENT;
    return 0;
}

static inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/* The outputs [*lo, *hi) of a row whose window, `span` wide, lies inside [0, in_w). */
static void inner_columns(const st_pool2d *p, int64_t span, int64_t *lo, int64_t *hi) {
    const int64_t s = p->stride_w;
    int64_t a = (p->pad_w + s - 1) / s;                           /* ow * s - pad >= 0 */
    int64_t b = p->in_w - span + p->pad_w < 0 ? 0 : floor_div(p->in_w - span + p->pad_w, s) + 1;
    if (a > p->out_w) a = p->out_w;
    if (b > p->out_w) b = p->out_w;
    *lo = a;
    *hi = b > a ? b : a;
}

/* ---- max_pool2d ----
   A window starts at its first in-bounds tap (found by stepping the dilation, as ATen
   does), which stays the winner until a larger value or any NaN replaces it. ATen does not
   stop at a NaN, so the LAST NaN of a window wins. A window of -inf (or with no tap in
   bounds) reports its first tap. */
#define MAX_POOL_ROW(NAME, T)                                                                  \
    ST_CLONES static void NAME(const st_pool2d *p, int64_t ca, int64_t cb, const T *restrict x, \
                               int64_t oh, T *restrict out, int64_t *restrict idx) {           \
        const int64_t W = p->in_w, dh = p->dilation_h, dw = p->dilation_w, sw = p->stride_w;   \
        const int64_t pw = p->pad_w, kw = p->kernel_w, ow_n = p->out_w;                       \
        int64_t h0 = oh * p->stride_h - p->pad_h;                                              \
        int64_t h1 = h0 + (p->kernel_h - 1) * dh + 1;                                          \
        if (h1 > p->in_h) h1 = p->in_h;                                                        \
        while (h0 < 0) h0 += dh;                                                               \
        for (int64_t ow = 0; ow < ow_n; ow++) {                                                \
            if (ow == ca) ow = cb; /* the inner columns are done below */                      \
            if (ow >= ow_n) break;                                                             \
            int64_t w0 = ow * sw - pw;                                                         \
            int64_t w1 = w0 + (kw - 1) * dw + 1;                                               \
            if (w1 > W) w1 = W;                                                                \
            while (w0 < 0) w0 += dw;                                                           \
            int64_t best = h0 * W + w0;                                                        \
            T m = -__builtin_inf();                                                            \
            for (int64_t y = h0; y < h1; y += dh)                                              \
                for (int64_t xx = w0; xx < w1; xx += dw) {                                     \
                    const T v = x[y * W + xx];                                                 \
                    if (v > m || v != v) { m = v; best = y * W + xx; }                         \
                }                                                                              \
            out[ow] = m;                                                                       \
            idx[ow] = best;                                                                    \
        }                                                                                      \
        for (int64_t ow = ca; ow < cb; ow++) {                                                 \
            out[ow] = -__builtin_inf();                                                        \
            idx[ow] = h0 * W + ow * sw - pw;                                                   \
        }                                                                                      \
        for (int64_t y = h0; y < h1; y += dh)                                                  \
            for (int64_t j = 0; j < kw; j++) {                                                 \
                const int64_t base = y * W + j * dw - pw; /* + ow * sw */                      \
                /* Constant strides let the loop vectorise (as interleaved loads). */          \
                if (sw == 1) { MAX_TAP(T, 1) }                                                 \
                else if (sw == 2) { MAX_TAP(T, 2) }                                            \
                else { MAX_TAP(T, sw) }                                                        \
            }                                                                                  \
    }
/* One tap of the inner columns: a branch-free select, which the vectoriser turns into
   blends (a branch here mispredicts on every other element of random data). */
#define MAX_TAP(T, S)                                                                          \
    for (int64_t ow = ca; ow < cb; ow++) {                                                     \
        const T v = x[base + ow * (S)], m = out[ow];                                           \
        const int take = (v > m) | (v != v);                                                   \
        out[ow] = take ? v : m;                                                                \
        idx[ow] = take ? base + ow * (S) : idx[ow];                                            \
    }
MAX_POOL_ROW(max_pool_row_f32, float)
MAX_POOL_ROW(max_pool_row_f64, double)

/* Narrow rows (a few outputs each, as in small images) leave the row kernel above almost
   nothing to vectorise: its scalar tail then mispredicts on every other tap of random
   data. When every window lies wholly inside the input, a plane is done as one loop over
   all its outputs per tap instead: output o's window starts at off[o] (its first tap,
   within the plane) and tap t adds tap[t]. The taps still come in row-major order with the
   same rule, so values and indices are those of the row kernel. The first tap alone
   decides the start (v > -inf or NaN takes it; -inf leaves -inf at that same index). */
#define MAX_POOL_PLANE(NAME, T)                                                                \
    ST_CLONES static void NAME(int64_t n, int64_t taps, const int32_t *restrict off,            \
                               const int32_t *restrict tap, const T *restrict x, T *restrict out, \
                               int64_t *restrict idx) {                                        \
        for (int64_t o = 0; o < n; o++) { out[o] = x[off[o]]; idx[o] = off[o]; }               \
        for (int64_t t = 1; t < taps; t++) {                                                   \
            const int32_t d = tap[t];                                                          \
            for (int64_t o = 0; o < n; o++) {                                                  \
                const int32_t at = off[o] + d;                                                 \
                const T v = x[at], m = out[o];                                                 \
                const int take = (v > m) | (v != v);                                           \
                out[o] = take ? v : m;                                                         \
                idx[o] = take ? (int64_t)at : idx[o];                                          \
            }                                                                                  \
        }                                                                                      \
    }
MAX_POOL_PLANE(max_pool_plane_f32, float)
MAX_POOL_PLANE(max_pool_plane_f64, double)

/* Whether every window of the call lies inside the input and rows are narrow enough for
   max_pool_plane; then fills its tables (off: out_h * out_w, tap: kernel_h * kernel_w). */
static int32_t *max_pool_plane_tables(const st_pool2d *p) {
    const int64_t OH = p->out_h, OW = p->out_w, W = p->in_w;
    if (OW >= 16 || OH == 0 || OW == 0 || p->pad_h || p->pad_w) return NULL;
    if ((OH - 1) * p->stride_h + (p->kernel_h - 1) * p->dilation_h >= p->in_h) return NULL;
    if ((OW - 1) * p->stride_w + (p->kernel_w - 1) * p->dilation_w >= W) return NULL;
    if (p->in_h * W > INT32_MAX || OH * OW > (1 << 20) || p->kernel_h * p->kernel_w > (1 << 20)) return NULL;
    const int64_t taps = p->kernel_h * p->kernel_w;
    int32_t *t = malloc((size_t)(OH * OW + taps) * sizeof(int32_t));
    if (!t) return NULL;
    for (int64_t oh = 0; oh < OH; oh++)
        for (int64_t ow = 0; ow < OW; ow++) t[oh * OW + ow] = (int32_t)(oh * p->stride_h * W + ow * p->stride_w);
    for (int64_t i = 0; i < p->kernel_h; i++)
        for (int64_t j = 0; j < p->kernel_w; j++) t[OH * OW + i * p->kernel_w + j] = (int32_t)(i * p->dilation_h * W + j * p->dilation_w);
    return t;
}

static int max_pool(int f64, const st_pool2d *p, const void *x, void *out, int64_t *indices) {
    int status = pool_check(p);
    if (status) return status;
    const int64_t rows = p->planes * p->out_h, in_plane = p->in_h * p->in_w, ow_n = p->out_w;
    const int64_t work = rows * ow_n * p->kernel_h * p->kernel_w;
    if (!f64 && st__max_pool_pairs_apply(p)) {
        const int64_t out_plane = p->out_h * ow_n;
        #pragma omp parallel for schedule(static) if(work >= ST_PAR_GRAIN)
        for (int64_t pl = 0; pl < p->planes; pl++)
            st__max_pool_pairs_f32(p, (const float *)x + pl * in_plane, (float *)out + pl * out_plane, indices + pl * out_plane);
        return 0;
    }
    int32_t *tables = max_pool_plane_tables(p);
    if (tables) {
        const int64_t out_plane = p->out_h * ow_n, taps = p->kernel_h * p->kernel_w;
        const int32_t *off = tables, *tap = tables + out_plane;
        #pragma omp parallel for schedule(static) if(work >= ST_PAR_GRAIN)
        for (int64_t pl = 0; pl < p->planes; pl++) {
            if (f64)
                max_pool_plane_f64(out_plane, taps, off, tap, (const double *)x + pl * in_plane, (double *)out + pl * out_plane, indices + pl * out_plane);
            else
                max_pool_plane_f32(out_plane, taps, off, tap, (const float *)x + pl * in_plane, (float *)out + pl * out_plane, indices + pl * out_plane);
        }
        free(tables);
        return 0;
    }
    int64_t ca, cb;
    inner_columns(p, (p->kernel_w - 1) * p->dilation_w + 1, &ca, &cb);
    #pragma omp parallel for schedule(static) if(work >= ST_PAR_GRAIN)
    for (int64_t r = 0; r < rows; r++) {
        const int64_t pl = r / p->out_h, oh = r % p->out_h;
        if (f64)
            max_pool_row_f64(p, ca, cb, (const double *)x + pl * in_plane, oh, (double *)out + r * ow_n, indices + r * ow_n);
        else
            max_pool_row_f32(p, ca, cb, (const float *)x + pl * in_plane, oh, (float *)out + r * ow_n, indices + r * ow_n);
    }
    return 0;
}

/* ---- max_pool2d backward ----
   One task per plane: each grad_out value is added at its saved index, in output order,
   into a zeroed double row of the plane (so float32 sums of overlapping windows round once,
   as scatter_add's do), which is then written out once: no separate zero-filled tensor. An
   index outside the plane is reported, not written. */
static int max_pool_backward(int f64, int64_t planes, int64_t in_plane, int64_t out_plane, const void *grad_out,
                             const int64_t *indices, void *grad_in) {
    if (planes < 0 || in_plane < 0 || out_plane < 0) return ST_ERR_ARGUMENT;
    if (planes == 0 || in_plane == 0) return 0;
    int bad = 0, status = 0;
    const int64_t work = planes * (in_plane + out_plane);
    #pragma omp parallel if(work >= ST_PAR_GRAIN) reduction(|:bad)
    {
        double *acc = f64 ? NULL : malloc((size_t)in_plane * sizeof(double));
        if (!f64 && !acc) __atomic_store_n(&status, ST_ERR_MEMORY, __ATOMIC_RELAXED);
        #pragma omp for schedule(static)
        for (int64_t pl = 0; pl < planes; pl++) {
            const int64_t *restrict ix = indices + pl * out_plane;
            if (f64) {
                double *restrict dst = (double *)grad_in + pl * in_plane;
                const double *restrict src = (const double *)grad_out + pl * out_plane;
                memset(dst, 0, (size_t)in_plane * sizeof(double));
                for (int64_t o = 0; o < out_plane; o++) {
                    const int64_t i = ix[o];
                    if ((uint64_t)i >= (uint64_t)in_plane) { bad = 1; continue; }
                    dst[i] += src[o];
                }
            } else if (acc) {
                float *restrict dst = (float *)grad_in + pl * in_plane;
                const float *restrict src = (const float *)grad_out + pl * out_plane;
                memset(acc, 0, (size_t)in_plane * sizeof(double));
                for (int64_t o = 0; o < out_plane; o++) {
                    const int64_t i = ix[o];
                    if ((uint64_t)i >= (uint64_t)in_plane) { bad = 1; continue; }
                    acc[i] += (double)src[o];
                }
                for (int64_t i = 0; i < in_plane; i++) dst[i] = (float)acc[i];
            }
        }
        free(acc);
    }
    if (status) return status;
    return bad ? ST_ERR_INDEX : 0;
}

/* ---- avg_pool2d ----
   ATen's window: the pool size counts the window clipped to input + padding, the summed
   region is the window clipped to the input. Both clip each axis on its own, so the
   divisor is a row factor times a column factor (or divisor_override). */
typedef struct avg_axis { int64_t lo, hi, pooled; } avg_axis;

static inline avg_axis avg_axis_at(int64_t o, int64_t stride, int64_t pad, int64_t k, int64_t size) {
    avg_axis a;
    a.lo = o * stride - pad;
    a.hi = a.lo + k < size + pad ? a.lo + k : size + pad;
    a.pooled = a.hi - a.lo;
    if (a.lo < 0) a.lo = 0;
    if (a.hi > size) a.hi = size;
    return a;
}

/* The divisor of an output whose window clips to `rows` x `cols`; 0 when the clipped
   window is empty (the output is 0, and nothing flows back). */
static inline double avg_divisor(const st_pool2d *p, avg_axis rows, avg_axis cols) {
    if (rows.lo >= rows.hi || cols.lo >= cols.hi) return 0;
    if (p->divisor_override) return (double)p->divisor_override;
    return p->count_include_pad ? (double)(rows.pooled * cols.pooled)
                                : (double)((rows.hi - rows.lo) * (cols.hi - cols.lo));
}

#define SUM_TAP(S) for (int64_t ow = ca; ow < cb; ow++) sums[ow] += x[base + ow * (S)];
#define AVG_POOL_ROW(NAME, T)                                                                  \
    ST_CLONES static void NAME(const st_pool2d *p, int64_t ca, int64_t cb, const T *restrict x, \
                               int64_t oh, T *restrict out, double *restrict sums) {           \
        const int64_t W = p->in_w, sw = p->stride_w, pw = p->pad_w, kw = p->kernel_w;          \
        const avg_axis rows = avg_axis_at(oh, p->stride_h, p->pad_h, p->kernel_h, p->in_h);   \
        for (int64_t ow = 0; ow < p->out_w; ow++) {                                            \
            if (ow == ca) ow = cb; /* the inner columns are done below */                      \
            if (ow >= p->out_w) break;                                                         \
            const avg_axis cols = avg_axis_at(ow, sw, pw, kw, W);                              \
            const double d = avg_divisor(p, rows, cols);                                       \
            double sum = 0;                                                                    \
            for (int64_t y = rows.lo; y < rows.hi; y++)                                        \
                for (int64_t xx = cols.lo; xx < cols.hi; xx++) sum += x[y * W + xx];           \
            out[ow] = d == 0 ? 0 : (T)(sum / d);                                               \
        }                                                                                      \
        if (ca == cb) return;                                                                  \
        /* Inner columns span kw in full, so they share one divisor. */                       \
        const double d = avg_divisor(p, rows, avg_axis_at(ca, sw, pw, kw, W));                 \
        for (int64_t ow = ca; ow < cb; ow++) sums[ow] = 0;                                     \
        for (int64_t y = rows.lo; y < rows.hi; y++)                                            \
            for (int64_t j = 0; j < kw; j++) {                                                 \
                const int64_t base = y * W + j - pw;                                           \
                if (sw == 1) { SUM_TAP(1) }                                                    \
                else if (sw == 2) { SUM_TAP(2) }                                               \
                else { SUM_TAP(sw) }                                                           \
            }                                                                                  \
        for (int64_t ow = ca; ow < cb; ow++) out[ow] = d == 0 ? 0 : (T)(sums[ow] / d);         \
    }
AVG_POOL_ROW(avg_pool_row_f32, float)
AVG_POOL_ROW(avg_pool_row_f64, double)

static int avg_pool(int f64, const st_pool2d *p, const void *x, void *out) {
    int status = pool_check(p);
    if (status) return status;
    const int64_t rows = p->planes * p->out_h, in_plane = p->in_h * p->in_w, ow_n = p->out_w;
    const int64_t work = rows * ow_n * p->kernel_h * p->kernel_w;
    int64_t ca, cb;
    inner_columns(p, p->kernel_w, &ca, &cb);
    #pragma omp parallel if(work >= ST_PAR_GRAIN)
    {
        double *sums = malloc((size_t)(ow_n > 0 ? ow_n : 1) * sizeof(double));
        if (!sums) __atomic_store_n(&status, ST_ERR_MEMORY, __ATOMIC_RELAXED);
        #pragma omp for schedule(static)
        for (int64_t r = 0; r < rows; r++) {
            if (!sums) continue;
            const int64_t pl = r / p->out_h, oh = r % p->out_h;
            if (f64) avg_pool_row_f64(p, ca, cb, (const double *)x + pl * in_plane, oh, (double *)out + r * ow_n, sums);
            else avg_pool_row_f32(p, ca, cb, (const float *)x + pl * in_plane, oh, (float *)out + r * ow_n, sums);
        }
        free(sums);
    }
    return status;
}

/* ---- avg_pool2d backward ----
   Each input row y is assembled on its own, in a double row buffer written out once (no
   zeroing pass, no float32 accumulation): it receives the shares (grad_out / divisor) of
   the output rows oh whose windows cover it, and within one output row, tap column j adds
   share[ow] to pixel ow * stride - pad + j across the whole row (a loop that vectorises).
   Taking oh upwards and j DOWNWARDS gives every pixel its shares in (oh, ow) order, the
   order a scatter over the outputs adds them in. One task per plane, whose shares are
   computed once into a scratch plane. */
typedef struct avg_back {
    int64_t *oh_lo, *oh_hi;   /* the output rows whose windows cover input row y */
    int64_t *j_lo, *j_hi;     /* the outputs whose tap column j lands inside the row */
    double *row_div, *col_div; /* divisor = row_div[oh] * col_div[ow] */
} avg_back;

/* One tap column: acc[ow * S + off] += s[ow]. */
#define SCATTER_TAP(S)                                                                         \
    for (int64_t ow = lo; ow < hi; ow++) acc[ow * (S) + off] += s[ow];

ST_CLONES static void avg_back_plane(const st_pool2d *p, const avg_back *g, int f64, const void *grad_out,
                                     void *grad_in, double *restrict share, double *restrict acc) {
    const int64_t OW = p->out_w, W = p->in_w, sw = p->stride_w;
    for (int64_t oh = 0; oh < p->out_h; oh++)
        for (int64_t ow = 0; ow < OW; ow++) {
            const double v = f64 ? ((const double *)grad_out)[oh * OW + ow] : (double)((const float *)grad_out)[oh * OW + ow];
            const double d = p->divisor_override ? (double)p->divisor_override : g->row_div[oh] * g->col_div[ow];
            share[oh * OW + ow] = v / d;
        }
    for (int64_t y = 0; y < p->in_h; y++) {
        for (int64_t x = 0; x < W; x++) acc[x] = 0;
        for (int64_t oh = g->oh_lo[y]; oh < g->oh_hi[y]; oh++) {
            const double *restrict s = share + oh * OW;
            for (int64_t j = p->kernel_w - 1; j >= 0; j--) {
                const int64_t lo = g->j_lo[j], hi = g->j_hi[j], off = j - p->pad_w;
                if (sw == 1) { SCATTER_TAP(1) }
                else if (sw == 2) { SCATTER_TAP(2) }
                else { SCATTER_TAP(sw) }
            }
        }
        if (f64) memcpy((double *)grad_in + y * W, acc, (size_t)W * sizeof(double));
        else for (int64_t x = 0; x < W; x++) ((float *)grad_in)[y * W + x] = (float)acc[x];
    }
}

static int avg_pool_backward(int f64, const st_pool2d *p, const void *grad_out, void *grad_in) {
    int status = pool_check(p);
    if (status) return status;
    const int64_t H = p->in_h, W = p->in_w, OH = p->out_h, OW = p->out_w, KW = p->kernel_w;
    const int64_t in_plane = H * W, out_plane = OH * OW, es = f64 ? 8 : 4;
    if (p->planes * in_plane == 0) return 0;
    if (out_plane == 0) {
        memset(grad_in, 0, (size_t)(p->planes * in_plane * es));
        return 0;
    }
    avg_back g;
    int64_t *ix = malloc((size_t)(2 * H + 2 * KW) * sizeof(int64_t));
    double *dv = malloc((size_t)(OH + OW) * sizeof(double));
    if (!ix || !dv) { free(ix); free(dv); return ST_ERR_MEMORY; }
    g.oh_lo = ix; g.oh_hi = ix + H; g.j_lo = ix + 2 * H; g.j_hi = ix + 2 * H + KW;
    g.row_div = dv; g.col_div = dv + OH;
    for (int64_t y = 0; y < H; y++) {
        /* oh * sh - ph <= y < oh * sh - ph + kh */
        int64_t a = floor_div(y + p->pad_h - p->kernel_h, p->stride_h) + 1, b = floor_div(y + p->pad_h, p->stride_h) + 1;
        g.oh_lo[y] = a < 0 ? 0 : a;
        g.oh_hi[y] = b > OH ? OH : b;
    }
    for (int64_t j = 0; j < KW; j++) {
        /* 0 <= ow * sw - pw + j < in_w */
        int64_t a = j >= p->pad_w ? 0 : (p->pad_w - j + p->stride_w - 1) / p->stride_w;
        int64_t b = W - 1 + p->pad_w - j < 0 ? 0 : (W - 1 + p->pad_w - j) / p->stride_w + 1;
        g.j_lo[j] = a > OW ? OW : a;
        g.j_hi[j] = b > OW ? OW : b;
    }
    /* An in-bounds pixel's window is never empty, so these factors are never 0 where used. */
    for (int64_t o = 0; o < OH; o++) {
        const avg_axis a = avg_axis_at(o, p->stride_h, p->pad_h, p->kernel_h, H);
        g.row_div[o] = (double)(p->count_include_pad ? a.pooled : a.hi - a.lo);
    }
    for (int64_t o = 0; o < OW; o++) {
        const avg_axis a = avg_axis_at(o, p->stride_w, p->pad_w, p->kernel_w, W);
        g.col_div[o] = (double)(p->count_include_pad ? a.pooled : a.hi - a.lo);
    }
    const int64_t work = p->planes * (out_plane + in_plane);
    #pragma omp parallel if(work >= ST_PAR_GRAIN)
    {
        double *share = malloc((size_t)(out_plane + W) * sizeof(double));
        if (!share) __atomic_store_n(&status, ST_ERR_MEMORY, __ATOMIC_RELAXED);
        #pragma omp for schedule(static)
        for (int64_t pl = 0; pl < p->planes; pl++) {
            if (share)
                avg_back_plane(p, &g, f64, (const char *)grad_out + pl * out_plane * es,
                               (char *)grad_in + pl * in_plane * es, share, share + out_plane);
        }
        free(share);
    }
    free(ix);
    free(dv);
    return status;
}

int st_max_pool2d_f32(const st_pool2d *p, const float *x, float *out, int64_t *indices) { return max_pool(0, p, x, out, indices); }
int st_max_pool2d_f64(const st_pool2d *p, const double *x, double *out, int64_t *indices) { return max_pool(1, p, x, out, indices); }
int st_avg_pool2d_f32(const st_pool2d *p, const float *x, float *out) { return avg_pool(0, p, x, out); }
int st_avg_pool2d_f64(const st_pool2d *p, const double *x, double *out) { return avg_pool(1, p, x, out); }
int st_avg_pool2d_backward_f32(const st_pool2d *p, const float *grad_out, float *grad_in) {
    return avg_pool_backward(0, p, grad_out, grad_in);
}
int st_avg_pool2d_backward_f64(const st_pool2d *p, const double *grad_out, double *grad_in) {
    return avg_pool_backward(1, p, grad_out, grad_in);
}
int st_max_pool2d_backward_f32(int64_t planes, int64_t in_plane, int64_t out_plane, const float *grad_out,
                               const int64_t *indices, float *grad_in) {
    return max_pool_backward(0, planes, in_plane, out_plane, grad_out, indices, grad_in);
}
int st_max_pool2d_backward_f64(int64_t planes, int64_t in_plane, int64_t out_plane, const double *grad_out,
                               const int64_t *indices, double *grad_in) {
    return max_pool_backward(1, planes, in_plane, out_plane, grad_out, indices, grad_in);
}
