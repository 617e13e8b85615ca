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
/* The LSTM cell's gradient from its saved cy and workspace, one pass per row (every
   operand contiguous): with dc = grad_cy + grad_hy * o * (1 - tanh(cy)^2), grad_gates
   [batch, 4 hidden] = (dc g i (1 - i), dc cx f (1 - f), dc i (1 - g^2),
   grad_hy tanh(cy) o (1 - o)) and grad_cx = dc f. grad_hy or grad_cy NULL counts as zeros;
   grad_bias [4 hidden], unless NULL, gets grad_gates summed over the batch (in double). */
int st_fused_lstm_cell_backward_f32(int64_t batch, int64_t hidden, const float *grad_hy, const float *grad_cy,
                                    const float *cx, const float *cy, const float *workspace,
                                    float *grad_gates, float *grad_cx, float *grad_bias);
int st_fused_lstm_cell_backward_f64(int64_t batch, int64_t hidden, const double *grad_hy, const double *grad_cy,
                                    const double *cx, const double *cy, const double *workspace,
                                    double *grad_gates, double *grad_cx, double *grad_bias);
/* Gates r, z, n: r and z are sigmoids of the summed sides, hn = hidden side of n (its
   bias included), n = tanh(input side of n + r * hn), hy = (1 - z) * n + z * hx;
   workspace [batch, 4 hidden] = r, z, n, hn. */
int st_fused_gru_cell_f32(const st_cell_geometry *p, const float *input_gates, const float *hidden_gates,
                          const float *hx, const float *input_bias, const float *hidden_bias,
                          float *hy, float *workspace);
int st_fused_gru_cell_f64(const st_cell_geometry *p, const double *input_gates, const double *hidden_gates,
                          const double *hx, const double *input_bias, const double *hidden_bias,
                          double *hy, double *workspace);
/* The GRU cell's gradient from hx and its workspace [r, z, n, hn], one pass per row (every
   operand contiguous): with dn = grad_hy (1 - z) (1 - n^2), dr = dn hn r (1 - r) and
   dz = grad_hy (hx - n) z (1 - z), grad_input_gates [batch, 3 hidden] = (dr, dz, dn),
   grad_hidden_gates = (dr, dz, dn r) and grad_hx = grad_hy z. grad_input_bias and
   grad_hidden_bias [3 hidden], unless NULL, get their gates' gradient summed over the batch
   (in double). */
int st_fused_gru_cell_backward_f32(int64_t batch, int64_t hidden, const float *grad_hy, const float *hx,
                                   const float *workspace, float *grad_input_gates, float *grad_hidden_gates,
                                   float *grad_hx, float *grad_input_bias, float *grad_hidden_bias);
int st_fused_gru_cell_backward_f64(int64_t batch, int64_t hidden, const double *grad_hy, const double *hx,
                                   const double *workspace, double *grad_input_gates, double *grad_hidden_gates,
                                   double *grad_hx, double *grad_input_bias, double *grad_hidden_bias);

/* ---- Fused scaled dot-product attention ----
   For each of `batch` entries: query [L, E], key [S, E], value [S, Ev] and an optional
   mask [L, S], each a view given by a per-entry start offset and its row / column
   strides (0 along broadcast dims). Query rows go in tiles of at most 64 rows of one
   entry; per tile, st_gemm computes the scores into a per-thread [rows, S] buffer, one
   pass per row scales them, applies the mask (-inf where a bool mask is false, added
   when float; causal: -inf where j > i) and turns them into weights (maximum,
   exponentials, sum), and st_gemm multiplies the weights by the values into the output.
   No [L, S] matrix of a whole entry, mask tensor or causal mask is made. Dropout keeps
   weight (b, i, j) by the dropout mask of element (b * L + i) * S + j for `seed`
   (st_dropout_*'s function, omp_nn.h), scaling kept weights by 1 / (1 - p). Outputs: out
   contiguous [batch, L, Ev] and lse [batch, L] = max + log(sum), -inf for a row with every
   key masked (whose output is zeros); a NaN score makes its row NaN. */
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

/* ---- A whole LSTM layer (one direction) after its input projection ----
   input_gates [steps, batch, 4 hidden] (x @ w_ih.T for every step), hx and cx [batch,
   hidden], w_hh [4 hidden, hidden] and bias [4 hidden] (b_ih + b_hh) or NULL, all
   contiguous. Step t (from the last to the first when `reverse`) computes the gates
   input_gates[t] + h @ w_hh.T + bias and the cell of st_fused_lstm_cell, from the previous
   step's h and c (hx and cx for the first). Writes hs and cs [steps, batch, hidden] (every
   step's h and c), workspace [steps, batch, 4 hidden] (the activated gates) and the last
   step's h and c into hn and cn. Batch rows are independent, so each thread runs every step
   for its own rows, with w_hh packed once for all of them: no barrier per step. */
typedef struct st_lstm_layer_geometry {
    int64_t steps, batch, hidden;
    int reverse;
} st_lstm_layer_geometry;

int st_lstm_layer_f32(const st_lstm_layer_geometry *g, const float *input_gates, const float *hx, const float *cx,
                      const float *w_hh, const float *bias, float *hs, float *cs, float *workspace, float *hn, float *cn);
int st_lstm_layer_f64(const st_lstm_layer_geometry *g, const double *input_gates, const double *hx, const double *cx,
                      const double *w_hh, const double *bias, double *hs, double *cs, double *workspace, double *hn,
                      double *cn);

/* Its gradient, from the saved cs and workspace: back through the steps in reverse visiting
   order, each step's cell gradient (st_fused_lstm_cell_backward's) taking grad_output[t] plus
   the gradient the later step sent to h (dgates @ w_hh), and the one it sent to c. Writes
   grad_gates [steps, batch, 4 hidden] (the input gates' gradient, which the bias's and
   w_hh's are sums and products of), grad_hx and grad_cx [batch, hidden]. grad_output
   [steps, batch, hidden], grad_hn and grad_cn may be NULL (zeros). Split by batch rows as the
   forward. */
int st_lstm_layer_backward_f32(const st_lstm_layer_geometry *g, const float *grad_output, const float *grad_hn,
                               const float *grad_cn, const float *cx, const float *w_hh, const float *cs,
                               const float *workspace, float *grad_gates, float *grad_hx, float *grad_cx);
int st_lstm_layer_backward_f64(const st_lstm_layer_geometry *g, const double *grad_output, const double *grad_hn,
                               const double *grad_cn, const double *cx, const double *w_hh, const double *cs,
                               const double *workspace, double *grad_gates, double *grad_hx, double *grad_cx);

#ifdef ST_OMP_INTERNAL
/* The cell's gradient for one row (sequence_cells.c), as st_fused_lstm_cell_backward. */
void st__lstm_backward_row_f32(int64_t h, const float *gh, const float *gc, const float *cx, const float *cy,
                               const float *ws, float *dg, float *dcx);
void st__lstm_backward_row_f64(int64_t h, const double *gh, const double *gc, const double *cx, const double *cy,
                               const double *ws, double *dg, double *dcx);
/* One row of the LSTM cell (sequence_cells.c): `h` values of each gate from ig + hg + bi +
   bh, the new c and h, and the activated gates. */
void st__lstm_row_f32(int64_t h, const float *ig, const float *hg, const float *cx, const float *bi, const float *bh,
                      float *hy, float *cy, float *ws);
void st__lstm_row_f64(int64_t h, const double *ig, const double *hg, const double *cx, const double *bi,
                      const double *bh, double *hy, double *cy, double *ws);
#endif

#endif
