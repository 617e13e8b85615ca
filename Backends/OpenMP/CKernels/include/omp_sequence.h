/* Sequence-model kernels of the OpenMP backend: the parametrised activations, the
   triangles, the fused recurrent-cell gates and fused scaled dot-product attention.
   Sizes, strides and offsets count elements. Functions return 0, or a negative ST_ERR_*
   code (omp_reduce.h). masked_fill needs nothing here: it is st_ew_where with the fill
   value seen through stride 0. */
#ifndef SWIFTTORCH_OMP_SEQUENCE_H
#define SWIFTTORCH_OMP_SEQUENCE_H

#include <stdint.h>
#include "openmp_kernels.h"
#include "omp_elementwise.h"

/* ---- leaky_relu and elu over an st_ew_geometry (operand 0 the output, 1 the input) ----
   leaky_relu: x > 0 ? x : slope * x.
   elu: x > 0 ? scale * x : scale * alpha * expm1(input_scale * x).
   float32 computes leaky_relu's product in double (so it is the reference's single
   rounding) and elu with the vectorisable expm1 of elementwise_math.h. -1 for another
   dtype. */
int st_leaky_relu(int dtype, const st_ew_geometry *g, void *out, const void *x, double slope);
int st_elu(int dtype, const st_ew_geometry *g, void *out, const void *x, double alpha, double scale,
           double input_scale);

/* ---- tril / triu ----
   `batch` matrices of rows x cols; matrix b of the input starts at element in_offset[b]
   and steps in_row / in_col elements per row / column (any view). The output is
   contiguous [batch, rows, cols]. Element (i, j) is kept when j - i <= diagonal (tril,
   upper = 0) or j - i >= diagonal (triu); the others are zero bits. Any dtype of
   `itemsize` bytes. */
int st_triangle(int64_t itemsize, int64_t batch, int64_t rows, int64_t cols, int64_t diagonal, int upper,
                const void *in, const int64_t *in_offset, int64_t in_row, int64_t in_col, void *out);

/* ---- Fused recurrent-cell gates, after the two matrix products ----
   input_gates and hidden_gates are [batch, gates * hidden] and the state [batch, hidden],
   each with unit column stride and its own non-negative row stride (ld; 0 or overlapping
   rows are fine, they are only read); biases [gates * hidden] or NULL. Outputs are contiguous. One pass per row computes every gate. */
typedef struct st_cell_geometry {
    int64_t batch, hidden;
    int64_t input_ld, hidden_ld, state_ld;
} st_cell_geometry;

/* gates = input_gates + hidden_gates + biases, in the order i, f, g, o:
   cy = sigmoid(f) * cx + sigmoid(i) * tanh(g), hy = sigmoid(o) * tanh(cy), and
   workspace [batch, 4 hidden] = the activated gates. */
int st_fused_lstm_cell_f32(const st_cell_geometry *p, const float *input_gates, const float *hidden_gates,
                           const float *cx, const float *input_bias, const float *hidden_bias,
                           float *hy, float *cy, float *workspace);
int st_fused_lstm_cell_f64(const st_cell_geometry *p, const double *input_gates, const double *hidden_gates,
                           const double *cx, const double *input_bias, const double *hidden_bias,
                           double *hy, double *cy, double *workspace);
/* Gates r, z, n: r and z are sigmoids of the summed sides, hn = hidden side of n (its
   bias included), n = tanh(input side of n + r * hn), hy = (1 - z) * n + z * hx;
   workspace [batch, 4 hidden] = r, z, n, hn. */
int st_fused_gru_cell_f32(const st_cell_geometry *p, const float *input_gates, const float *hidden_gates,
                          const float *hx, const float *input_bias, const float *hidden_bias,
                          float *hy, float *workspace);
int st_fused_gru_cell_f64(const st_cell_geometry *p, const double *input_gates, const double *hidden_gates,
                          const double *hx, const double *input_bias, const double *hidden_bias,
                          double *hy, double *workspace);

/* ---- Fused scaled dot-product attention ----
   For each of `batch` entries: query [L, E], key [S, E], value [S, Ev] and an optional
   mask [L, S], each a view given by a per-entry start offset and its row / column
   strides (0 along broadcast dims). For each query row i, one pass computes the scores
   s_j = scale * q_i . k_j (+ mask, or -inf where a bool mask is false or, causal, where
   j > i), their maximum and exponential sum, and the weighted sum of values, with only
   that row's scores in scratch memory. Dropout keeps weight (b, i, j) by the dropout
   mask of element (b * L + i) * S + j for `seed` (st_dropout_*'s function, omp_nn.h),
   scaling kept weights by 1 / (1 - p). Outputs: out contiguous [batch, L, Ev] and lse
   [batch, L] = max + log(sum), -inf for a row with every key masked (whose output is
   zeros); a NaN score makes its row NaN. */
#define ST_ATTN_MASK_NONE 0 /* mask_kind: no mask */
#define ST_ATTN_MASK_BOOL 1 /* uint8 0/1: false masks the key out */
#define ST_ATTN_MASK_ADD 2  /* the element type: added to the score */
typedef struct st_attention {
    int64_t batch, query_length, key_length, features, value_features;
    int64_t q_row, q_col, k_row, k_col, v_row, v_col, m_row, m_col;
    const int64_t *q_offset, *k_offset, *v_offset, *m_offset; /* m_offset may be NULL without a mask */
    int mask_kind, causal;
    double scale, dropout_p;
    uint64_t seed;
} st_attention;

int st_attention_f32(const st_attention *p, const float *q, const float *k, const float *v, const void *mask,
                     float *out, float *lse);
int st_attention_f64(const st_attention *p, const double *q, const double *k, const double *v, const void *mask,
                     double *out, double *lse);

#endif
