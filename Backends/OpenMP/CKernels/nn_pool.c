/* max_pool2d, avg_pool2d and avg_pool2d's gradient over independent planes, with
   PyTorch's window rules (ATen's cpu_max_pool / cpu_avg_pool kernels): which element wins a
   max, where a window is clipped, and what an average divides by. Window sums accumulate
   in double. Forward kernels run one task per output row (a plane may be a single image);
   the gradient runs one task per plane, since windows of neighbouring rows overlap. */
#define ST_OMP_INTERNAL
#include "omp_nn.h"
#include "omp_reduce.h" /* thread helpers and error codes */

#include <stdlib.h>
#include <string.h>

static int pool_check(const st_pool2d *p) {
    if (p->planes < 0 || p->in_h < 0 || p->in_w < 0 || p->out_h < 0 || p->out_w < 0 ||
        p->kernel_h <= 0 || p->kernel_w <= 0 || p->stride_h <= 0 || p->stride_w <= 0 ||
        p->pad_h < 0 || p->pad_w < 0 || p->dilation_h <= 0 || p->dilation_w <= 0 || p->divisor_override < 0)
        return ST_ERR_ARGUMENT;
    return 0;
}

/* One output row of max_pool2d. The window starts at its first in-bounds tap (found by
   stepping the dilation, as ATen does) and that tap is the winner until a larger value or
   any NaN replaces it; ATen does not stop at a NaN, so the LAST NaN of a window wins. A
   window of -inf (or none in bounds) reports its first tap. */
#define MAX_POOL_ROW(NAME, T)                                                                  \
    ST_CLONES static void NAME(const st_pool2d *p, const T *restrict x, int64_t oh,            \
                               T *restrict out, int64_t *restrict idx) {                       \
        const int64_t W = p->in_w, dh = p->dilation_h, dw = p->dilation_w;                     \
        int64_t h0 = oh * p->stride_h - p->pad_h;                                               \
        int64_t h1 = h0 + (p->kernel_h - 1) * dh + 1;                                          \
        if (h1 > p->in_h) h1 = p->in_h;                                                        \
        while (h0 < 0) h0 += dh;                                                               \
        for (int64_t ow = 0; ow < p->out_w; ow++) {                                            \
            int64_t w0 = ow * p->stride_w - p->pad_w;                                          \
            int64_t w1 = w0 + (p->kernel_w - 1) * dw + 1;                                      \
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
    }
MAX_POOL_ROW(max_pool_row_f32, float)
MAX_POOL_ROW(max_pool_row_f64, double)

static int max_pool(int f64, const st_pool2d *p, const void *x, void *out, int64_t *indices) {
    int status = pool_check(p);
    if (status) return status;
    const int64_t rows = p->planes * p->out_h, in_plane = p->in_h * p->in_w;
    const int64_t work = rows * p->out_w * p->kernel_h * p->kernel_w;
    #pragma omp parallel for schedule(static) if(work >= ST_PAR_GRAIN)
    for (int64_t r = 0; r < rows; r++) {
        const int64_t pl = r / p->out_h, oh = r % p->out_h;
        if (f64)
            max_pool_row_f64(p, (const double *)x + pl * in_plane, oh, (double *)out + r * p->out_w, indices + r * p->out_w);
        else
            max_pool_row_f32(p, (const float *)x + pl * in_plane, oh, (float *)out + r * p->out_w, indices + r * p->out_w);
    }
    return 0;
}

/* ATen's average window: the pool size counts the window clipped to input + padding, the
   summed region is clipped to the input; *divisor is 0 for a window wholly in the padding
   (its output is 0). */
typedef struct avg_window { int64_t h0, h1, w0, w1; double divisor; } avg_window;

static inline avg_window avg_window_at(const st_pool2d *p, int64_t oh, int64_t ow) {
    avg_window a;
    a.h0 = oh * p->stride_h - p->pad_h;
    a.w0 = ow * p->stride_w - p->pad_w;
    a.h1 = a.h0 + p->kernel_h < p->in_h + p->pad_h ? a.h0 + p->kernel_h : p->in_h + p->pad_h;
    a.w1 = a.w0 + p->kernel_w < p->in_w + p->pad_w ? a.w0 + p->kernel_w : p->in_w + p->pad_w;
    const int64_t pool_size = (a.h1 - a.h0) * (a.w1 - a.w0);
    if (a.h0 < 0) a.h0 = 0;
    if (a.w0 < 0) a.w0 = 0;
    if (a.h1 > p->in_h) a.h1 = p->in_h;
    if (a.w1 > p->in_w) a.w1 = p->in_w;
    if (a.h0 >= a.h1 || a.w0 >= a.w1) {
        a.divisor = 0;
    } else {
        a.divisor = (double)(p->divisor_override ? p->divisor_override
                             : p->count_include_pad ? pool_size : (a.h1 - a.h0) * (a.w1 - a.w0));
    }
    return a;
}

#define AVG_POOL_ROW(NAME, T)                                                                  \
    ST_CLONES static void NAME(const st_pool2d *p, const T *restrict x, int64_t oh, T *restrict out) { \
        for (int64_t ow = 0; ow < p->out_w; ow++) {                                            \
            const avg_window a = avg_window_at(p, oh, ow);                                     \
            if (a.divisor == 0) { out[ow] = 0; continue; }                                     \
            double sum = 0;                                                                    \
            for (int64_t y = a.h0; y < a.h1; y++)                                              \
                for (int64_t xx = a.w0; xx < a.w1; xx++) sum += x[y * p->in_w + xx];           \
            out[ow] = (T)(sum / a.divisor);                                                    \
        }                                                                                      \
    }
AVG_POOL_ROW(avg_pool_row_f32, float)
AVG_POOL_ROW(avg_pool_row_f64, double)

static int avg_pool(int f64, const st_pool2d *p, const void *x, void *out) {
    int status = pool_check(p);
    if (status) return status;
    const int64_t rows = p->planes * p->out_h, in_plane = p->in_h * p->in_w;
    const int64_t work = rows * p->out_w * p->kernel_h * p->kernel_w;
    #pragma omp parallel for schedule(static) if(work >= ST_PAR_GRAIN)
    for (int64_t r = 0; r < rows; r++) {
        const int64_t pl = r / p->out_h, oh = r % p->out_h;
        if (f64) avg_pool_row_f64(p, (const double *)x + pl * in_plane, oh, (double *)out + r * p->out_w);
        else avg_pool_row_f32(p, (const float *)x + pl * in_plane, oh, (float *)out + r * p->out_w);
    }
    return 0;
}

/* One plane of the gradient, accumulated in the double plane `acc` (zeroed here). */
ST_CLONES static void avg_pool_backward_plane(const st_pool2d *p, int f64, const void *grad_out, double *restrict acc) {
    const int64_t W = p->in_w;
    memset(acc, 0, (size_t)(p->in_h * W) * sizeof(double));
    for (int64_t oh = 0; oh < p->out_h; oh++)
        for (int64_t ow = 0; ow < p->out_w; ow++) {
            const avg_window a = avg_window_at(p, oh, ow);
            if (a.divisor == 0) continue;
            const int64_t o = oh * p->out_w + ow;
            const double g = (f64 ? ((const double *)grad_out)[o] : (double)((const float *)grad_out)[o]) / a.divisor;
            for (int64_t y = a.h0; y < a.h1; y++)
                for (int64_t xx = a.w0; xx < a.w1; xx++) acc[y * W + xx] += g;
        }
}

static int avg_pool_backward(int f64, const st_pool2d *p, const void *grad_out, void *grad_in) {
    int status = pool_check(p);
    if (status) return status;
    const int64_t in_plane = p->in_h * p->in_w, out_plane = p->out_h * p->out_w;
    const int64_t work = p->planes * (out_plane * p->kernel_h * p->kernel_w + in_plane);
    if (p->planes * in_plane == 0) return 0;
    #pragma omp parallel if(work >= ST_PAR_GRAIN)
    {
        /* float32 planes go through a double scratch plane, rounded once. */
        double *scratch = f64 ? NULL : malloc((size_t)in_plane * sizeof(double));
        if (!f64 && !scratch) __atomic_store_n(&status, ST_ERR_MEMORY, __ATOMIC_RELAXED);
        #pragma omp for schedule(static)
        for (int64_t pl = 0; pl < p->planes; pl++) {
            if (f64) {
                avg_pool_backward_plane(p, 1, (const double *)grad_out + pl * out_plane, (double *)grad_in + pl * in_plane);
            } else if (scratch) {
                avg_pool_backward_plane(p, 0, (const float *)grad_out + pl * out_plane, scratch);
                float *g = (float *)grad_in + pl * in_plane;
                for (int64_t k = 0; k < in_plane; k++) g[k] = (float)scratch[k];
            }
        }
        free(scratch);
    }
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
