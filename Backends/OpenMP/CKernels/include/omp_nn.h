/* Convolution, pooling, normalisation, embedding, one_hot and dropout of the OpenMP backend.

   Every tensor here is contiguous (the Swift side makes it so: these kernels read whole
   planes, which a strided view would turn into gathers) and images are NCHW. Sizes and
   offsets count elements. Functions return 0, or a negative ST_ERR_* code (omp_reduce.h).
   Statistics and window sums are accumulated in double, as in the reference backend. */
#ifndef SWIFTTORCH_OMP_NN_H
#define SWIFTTORCH_OMP_NN_H

#include <stdint.h>
#include "openmp_kernels.h"
#include "omp_matmul.h"

/* ---- Convolution, lowered to im2col + a batched matrix product ----

   input [batch, in_channels, in_h, in_w], weight [out_channels, in_channels / groups,
   kernel_h, kernel_w], output [batch, out_channels, out_h, out_w]; out_h and out_w are
   already computed (and positive) by the operator's meta rule. */
typedef struct st_conv2d {
    int64_t batch, in_channels, in_h, in_w;
    int64_t out_channels, kernel_h, kernel_w;
    int64_t out_h, out_w;
    int64_t stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w, groups;
} st_conv2d;

/* The matrix product the lowering calls, with st_gemm_f32's contract (omp_matmul.h): the
   openmp backend passes st_gemm_f32 itself, the blas backend one built on cblas_sgemm.
   Every operand the lowering passes has a unit stride in one of its two dims. */
typedef int (*st_gemm_f32_fn)(const st_gemm_args *, const float *, const float *, float *);
typedef int (*st_gemm_f64_fn)(const st_gemm_args *, const double *, const double *, double *);

/* out = conv2d(x, w) + bias (bias may be NULL). */
int st_conv2d_forward_f32(const st_conv2d *p, const float *x, const float *w, const float *bias,
                          float *out, st_gemm_f32_fn gemm);
int st_conv2d_forward_f64(const st_conv2d *p, const double *x, const double *w, const double *bias,
                          double *out, st_gemm_f64_fn gemm);
/* grad_in [batch, in_channels, in_h, in_w] = the input gradient (col2im of wᵀ · grad_out);
   it is overwritten, not accumulated into. */
int st_conv2d_backward_input_f32(const st_conv2d *p, const float *grad_out, const float *w,
                                 float *grad_in, st_gemm_f32_fn gemm);
int st_conv2d_backward_input_f64(const st_conv2d *p, const double *grad_out, const double *w,
                                 double *grad_in, st_gemm_f64_fn gemm);
/* grad_w [out_channels, in_channels / groups, kernel_h, kernel_w] = sum over the batch of
   grad_out · im2col(x)ᵀ; overwritten. */
int st_conv2d_backward_weight_f32(const st_conv2d *p, const float *grad_out, const float *x,
                                  float *grad_w, st_gemm_f32_fn gemm);
int st_conv2d_backward_weight_f64(const st_conv2d *p, const double *grad_out, const double *x,
                                  double *grad_w, st_gemm_f64_fn gemm);

/* ---- Pooling over `planes` independent [in_h, in_w] images (batch × channels) ---- */
typedef struct st_pool2d {
    int64_t planes, in_h, in_w, out_h, out_w;
    int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
    /* avg_pool2d only (dilation is 1 there): */
    int32_t count_include_pad;
    int64_t divisor_override; /* 0: none */
} st_pool2d;

/* Max over each window (padding never wins; NaN does, as PyTorch: its CPU kernel keeps
   scanning after a NaN, so of several NaNs in a window the LAST, in row-major order, is
   reported); `indices` gets the winner's flat position h * in_w + w within its plane. */
int st_max_pool2d_f32(const st_pool2d *p, const float *x, float *out, int64_t *indices);
int st_max_pool2d_f64(const st_pool2d *p, const double *x, double *out, int64_t *indices);
/* The adjoint of max_pool2d over `planes` planes: grad_in [planes, in_plane] (overwritten)
   gets each grad_out value added at its plane's index (indices as max_pool2d wrote them),
   summed in double;
   ST_ERR_INDEX when an index lies outside its plane. */
int st_max_pool2d_backward_f32(int64_t planes, int64_t in_plane, int64_t out_plane, const float *grad_out,
                               const int64_t *indices, float *grad_in);
int st_max_pool2d_backward_f64(int64_t planes, int64_t in_plane, int64_t out_plane, const double *grad_out,
                               const int64_t *indices, double *grad_in);
/* Mean over each window with PyTorch's divisor rule (divisor_override, else the window
   clipped to input + padding when count_include_pad, else clipped to the input). */
int st_avg_pool2d_f32(const st_pool2d *p, const float *x, float *out);
int st_avg_pool2d_f64(const st_pool2d *p, const double *x, double *out);
/* The adjoint of avg_pool2d: grad_in (overwritten) gets each grad_out value spread over its
   window with the same divisor. */
int st_avg_pool2d_backward_f32(const st_pool2d *p, const float *grad_out, float *grad_in);
int st_avg_pool2d_backward_f64(const st_pool2d *p, const double *grad_out, double *grad_in);

/* ---- Normalisation ---- */

/* x viewed as [n, channels, inner]. training: per channel, mean and biased variance over
   n × inner go to save_mean and save_var and normalise x; otherwise running_mean and
   running_var do (save_* untouched, may be NULL). weight and bias may be NULL.
   out = (x - mean) / sqrt(var + eps) * weight + bias. */
int st_batch_norm_f32(int64_t n, int64_t channels, int64_t inner, const float *x,
                      const float *weight, const float *bias, const float *running_mean,
                      const float *running_var, int training, double eps, float *out,
                      float *save_mean, float *save_var);
int st_batch_norm_f64(int64_t n, int64_t channels, int64_t inner, const double *x,
                      const double *weight, const double *bias, const double *running_mean,
                      const double *running_var, int training, double eps, double *out,
                      double *save_mean, double *save_var);

/* x viewed as [rows, cols]; each row is normalised by its mean and biased variance, then
   scaled by weight[cols] and shifted by bias[cols] (either may be NULL). */
int st_layer_norm_f32(int64_t rows, int64_t cols, const float *x, const float *weight,
                      const float *bias, double eps, float *out);
int st_layer_norm_f64(int64_t rows, int64_t cols, const double *x, const double *weight,
                      const double *bias, double eps, double *out);

/* ---- Embedding, one_hot, dropout ---- */

/* out[i, :] = weight[indices[i], :] for `count` indices into `rows` rows of `dim` elements
   of `element_size` bytes (any dtype). ST_ERR_INDEX if an index is outside [0, rows). */
int st_embedding(int64_t count, const int64_t *indices, int64_t rows, int64_t dim,
                 int64_t element_size, const void *weight, void *out);

/* out [count, classes] int64: 1 at (i, x[i]), 0 elsewhere. ST_ERR_INDEX if x[i] is
   outside [0, classes). */
int st_one_hot(int64_t count, const int64_t *x, int64_t classes, int64_t *out);

/* The keep/drop decision of element i: the top 53 bits of SplitMix64's finaliser applied to
   seed + (i + 1) * 0x9E3779B97F4A7C15, as a uniform u in [0, 1); kept when u >= p. The
   reference backend computes the same function, so a seed gives one mask on every backend
   and any thread count. out[i] = x[i] * (kept ? scale : 0), in double, rounded once. */
int st_dropout_f32(int64_t count, const float *x, double p, double scale, uint64_t seed, float *out);
int st_dropout_f64(int64_t count, const double *x, double p, double scale, uint64_t seed, double *out);

#ifdef ST_OMP_INTERNAL
/* One input plane's rows for the "same" 3-tap-wide convolution on maps 4 or 8 wide
   (nn_conv_rows.c): kernel_w 3, pad_w 1, stride_w and dilation_w 1, so every tap's output
   row is its input row shifted by one element or not at all. Rows move as vectors with the
   shift done in registers. The vertical geometry is any. */
typedef struct st_conv_rows {
    int64_t h, w, out_h, stride_h, dilation_h, pad_h, kernel_h;
} st_conv_rows;

/* Whether a layer's columns take this path: kernel_w 3, pad_w 1, stride_w 1,
   dilation_w 1, in_w 4 or 8. */
int st__conv_rows_apply(int64_t in_w, int64_t kernel_w, int64_t pad_w, int64_t stride_w, int64_t dilation_w);

/* im2col of one plane: tap (i, j)'s out_h rows of w values go to dst + (i * 3 + j) * ld,
   zeros where the tap falls in the padding. Elements move as bits (4 or 8 bytes). */
void st__im2col_rows_4(const st_conv_rows *g, const uint32_t *plane, int64_t ld, uint32_t *dst);
void st__im2col_rows_8(const st_conv_rows *g, const uint64_t *plane, int64_t ld, uint64_t *dst);

/* col2im of one plane, the mirror: each pixel sums its taps in (i, j) order from zero,
   as col2im's other paths do, so the values are theirs bit for bit. */
void st__col2im_rows_f32(const st_conv_rows *g, const float *cols, int64_t ld, float *plane);
void st__col2im_rows_f64(const st_conv_rows *g, const double *cols, int64_t ld, double *plane);

/* max_pool2d of one float32 plane for 2x2 windows at stride 2 with no padding or dilation
   and output rows 4 or 8 wide (nn_pool_pairs.c): the general kernel's values and indices. */
int st__max_pool_pairs_apply(const st_pool2d *p);
void st__max_pool_pairs_f32(const st_pool2d *p, const float *x, float *out, int64_t *idx);
#endif

#endif
