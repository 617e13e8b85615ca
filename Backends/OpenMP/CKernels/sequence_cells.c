/* The gate arithmetic of the LSTM and GRU cells after their two matrix products: one
   pass per batch row adds the gate inputs and biases, applies the activations and writes
   the new state and the workspace the gradient reads. float32 uses the vectorisable
   sigmoid and tanh of elementwise_math.h; float64 calls libm, as the reference does. */
#include <math.h>
#include <stdlib.h>
#include "elementwise_internal.h" /* ST_CLONES, ST_EW_PARALLEL_MIN_HEAVY */
#include "elementwise_math.h"
#include "omp_reduce.h"          /* error codes */
#include "omp_sequence.h"

static inline double st_tanh_f64(double x) { return tanh(x); }
static inline double st_sigmoid_f64(double x) { return st_sigmoid(x); }

/* Optional operands (biases, output gradients) are never tested for NULL inside a row loop:
   compilers vectorise `b ? b[c] : 0` as a masked load from NULL + c, which AVX-512 machines
   (Zen 4) run through a slow fault-suppression assist on every vector (a fifth of an LSTM
   training step). A missing operand reads a row of zeros instead. */
static const void *or_zeros(const void *p, int64_t n, size_t element, void **owned) {
    if (p) return p;
    *owned = calloc(n > 0 ? (size_t)n : 1, element);
    return *owned;
}
#define BIAS(b, c) ((b)[c])

/* Not static: the whole-layer kernel (sequence_lstm_layer.c) runs the same row. */
#define LSTM_ROW(NAME, T, SIGMOID, TANH)                                                           \
    ST_CLONES void NAME(int64_t h, const T *restrict ig, const T *restrict hg, const T *restrict cx, \
                               const T *restrict bi, const T *restrict bh, T *restrict hy, T *restrict cy, \
                               T *restrict ws) {                                                   \
        for (int64_t j = 0; j < h; j++) {                                                          \
            const T i = SIGMOID(ig[j] + hg[j] + BIAS(bi, j) + BIAS(bh, j));                         \
            const T f = SIGMOID(ig[h + j] + hg[h + j] + BIAS(bi, h + j) + BIAS(bh, h + j));         \
            const T g = TANH(ig[2 * h + j] + hg[2 * h + j] + BIAS(bi, 2 * h + j) + BIAS(bh, 2 * h + j)); \
            const T o = SIGMOID(ig[3 * h + j] + hg[3 * h + j] + BIAS(bi, 3 * h + j) + BIAS(bh, 3 * h + j)); \
            const T c = f * cx[j] + i * g;                                                         \
            cy[j] = c;                                                                             \
            hy[j] = o * TANH(c);                                                                   \
            ws[j] = i; ws[h + j] = f; ws[2 * h + j] = g; ws[3 * h + j] = o;                        \
        }                                                                                          \
    }
LSTM_ROW(st__lstm_row_f32, float, st_sigmoidf, st_tanhf)
LSTM_ROW(st__lstm_row_f64, double, st_sigmoid_f64, st_tanh_f64)

#define GRU_ROW(NAME, T, SIGMOID, TANH)                                                            \
    ST_CLONES static void NAME(int64_t h, const T *restrict ig, const T *restrict hg, const T *restrict hx, \
                               const T *restrict bi, const T *restrict bh, T *restrict hy, T *restrict ws) { \
        for (int64_t j = 0; j < h; j++) {                                                          \
            const T r = SIGMOID(ig[j] + BIAS(bi, j) + hg[j] + BIAS(bh, j));                         \
            const T z = SIGMOID(ig[h + j] + BIAS(bi, h + j) + hg[h + j] + BIAS(bh, h + j));         \
            const T hn = hg[2 * h + j] + BIAS(bh, 2 * h + j);                                      \
            const T n = TANH(ig[2 * h + j] + BIAS(bi, 2 * h + j) + r * hn);                        \
            hy[j] = (1 - z) * n + z * hx[j];                                                       \
            ws[j] = r; ws[h + j] = z; ws[2 * h + j] = n; ws[3 * h + j] = hn;                       \
        }                                                                                          \
    }
GRU_ROW(gru_row_f32, float, st_sigmoidf, st_tanhf)
GRU_ROW(gru_row_f64, double, st_sigmoid_f64, st_tanh_f64)

/* Row strides may be anything non-negative: rows of a broadcast (stride 0) or overlapping
   view are only read. */
static int valid(const st_cell_geometry *p) {
    return p->batch >= 0 && p->hidden >= 0 && p->input_ld >= 0 && p->hidden_ld >= 0 && p->state_ld >= 0;
}

#define LSTM(NAME, T, ROW)                                                                          \
    int NAME(const st_cell_geometry *p, const T *ig, const T *hg, const T *cx, const T *bi, const T *bh, \
             T *hy, T *cy, T *ws) {                                                                 \
        if (!valid(p)) return ST_ERR_ARGUMENT;                                                         \
        const int64_t h = p->hidden;                                                                \
        void *own_i = NULL, *own_h = NULL;                                                          \
        const T *bi_ = or_zeros(bi, 4 * h, sizeof(T), &own_i), *bh_ = or_zeros(bh, 4 * h, sizeof(T), &own_h); \
        if (!bi_ || !bh_) { free(own_i); free(own_h); return ST_ERR_MEMORY; }                       \
        _Pragma("omp parallel for schedule(static) if(p->batch * h >= ST_EW_PARALLEL_MIN_HEAVY)")   \
        for (int64_t b = 0; b < p->batch; b++)                                                      \
            ROW(h, ig + b * p->input_ld, hg + b * p->hidden_ld, cx + b * p->state_ld, bi_, bh_,     \
                hy + b * h, cy + b * h, ws + b * 4 * h);                                            \
        free(own_i); free(own_h);                                                                   \
        return 0;                                                                                   \
    }
LSTM(st_fused_lstm_cell_f32, float, st__lstm_row_f32)
LSTM(st_fused_lstm_cell_f64, double, st__lstm_row_f64)

#define GRU(NAME, T, ROW)                                                                           \
    int NAME(const st_cell_geometry *p, const T *ig, const T *hg, const T *hx, const T *bi, const T *bh, \
             T *hy, T *ws) {                                                                        \
        if (!valid(p)) return ST_ERR_ARGUMENT;                                                         \
        const int64_t h = p->hidden;                                                                \
        void *own_i = NULL, *own_h = NULL;                                                          \
        const T *bi_ = or_zeros(bi, 3 * h, sizeof(T), &own_i), *bh_ = or_zeros(bh, 3 * h, sizeof(T), &own_h); \
        if (!bi_ || !bh_) { free(own_i); free(own_h); return ST_ERR_MEMORY; }                       \
        _Pragma("omp parallel for schedule(static) if(p->batch * h >= ST_EW_PARALLEL_MIN_HEAVY)")   \
        for (int64_t b = 0; b < p->batch; b++)                                                      \
            ROW(h, ig + b * p->input_ld, hg + b * p->hidden_ld, hx + b * p->state_ld, bi_, bh_,     \
                hy + b * h, ws + b * 4 * h);                                                        \
        free(own_i); free(own_h);                                                                   \
        return 0;                                                                                   \
    }
GRU(st_fused_gru_cell_f32, float, gru_row_f32)
GRU(st_fused_gru_cell_f64, double, gru_row_f64)

/* One row of the GRU cell's gradient, from the workspace [r, z, n, hn] and hx: the n gate's
   pre-activation gradient dn reaches the hidden side scaled by r. */
#define GRU_BACKWARD_ROW(NAME, T)                                                                  \
    ST_CLONES static void NAME(int64_t h, const T *restrict gy, const T *restrict hx, const T *restrict ws, \
                               T *restrict di, T *restrict dh, T *restrict dhx) {                  \
        for (int64_t j = 0; j < h; j++) {                                                          \
            const T r = ws[j], z = ws[h + j], n = ws[2 * h + j], hn = ws[3 * h + j], g = gy[j];     \
            const T dn = g * (1 - z) * (1 - n * n);                                                \
            const T dr = dn * hn * r * (1 - r);                                                    \
            const T dz = g * (hx[j] - n) * z * (1 - z);                                            \
            di[j] = dr; di[h + j] = dz; di[2 * h + j] = dn;                                        \
            dh[j] = dr; dh[h + j] = dz; dh[2 * h + j] = dn * r;                                    \
            dhx[j] = g * z;                                                                        \
        }                                                                                          \
    }
GRU_BACKWARD_ROW(gru_backward_row_f32, float)
GRU_BACKWARD_ROW(gru_backward_row_f64, double)

/* Column sums of a [batch, width] block: each column's batch summed in order, in double, as
   the reference does. */
#define COLUMN_SUMS(NAME, T)                                                                       \
    static void NAME(int64_t batch, int64_t width, const T *m, T *sums) {                          \
        _Pragma("omp parallel for schedule(static) if(batch * width >= ST_EW_PARALLEL_MIN_HEAVY)")  \
        for (int64_t c = 0; c < width; c++) {                                                      \
            double sum = 0;                                                                        \
            for (int64_t b = 0; b < batch; b++) sum += m[b * width + c];                           \
            sums[c] = (T)sum;                                                                      \
        }                                                                                          \
    }
COLUMN_SUMS(column_sums_f32, float)
COLUMN_SUMS(column_sums_f64, double)

#define GRU_BACKWARD(NAME, T, ROW, SUMS)                                                            \
    int NAME(int64_t batch, int64_t h, const T *gy, const T *hx, const T *ws, T *di, T *dh, T *dhx, \
             T *dbi, T *dbh) {                                                                      \
        if (batch < 0 || h < 0) return ST_ERR_ARGUMENT;                                             \
        _Pragma("omp parallel for schedule(static) if(batch * h >= ST_EW_PARALLEL_MIN_HEAVY)")      \
        for (int64_t b = 0; b < batch; b++)                                                         \
            ROW(h, gy + b * h, hx + b * h, ws + b * 4 * h, di + b * 3 * h, dh + b * 3 * h, dhx + b * h); \
        if (dbi) SUMS(batch, 3 * h, di, dbi);                                                       \
        if (dbh) SUMS(batch, 3 * h, dh, dbh);                                                       \
        return 0;                                                                                   \
    }
GRU_BACKWARD(st_fused_gru_cell_backward_f32, float, gru_backward_row_f32, column_sums_f32)
GRU_BACKWARD(st_fused_gru_cell_backward_f64, double, gru_backward_row_f64, column_sums_f64)

/* Not static: the whole-layer backward (sequence_lstm_layer.c) runs the same row. */
#define LSTM_BACKWARD_ROW(NAME, T, TANH)                                                           \
    ST_CLONES void NAME(int64_t h, const T *restrict gh, const T *restrict gc, const T *restrict cx, \
                               const T *restrict cy, const T *restrict ws, T *restrict dg, T *restrict dcx) { \
        for (int64_t j = 0; j < h; j++) {                                                          \
            const T i = ws[j], f = ws[h + j], g = ws[2 * h + j], o = ws[3 * h + j];                 \
            const T t = TANH(cy[j]), dh = gh[j];                                                   \
            const T dc = gc[j] + dh * o * (1 - t * t);                                             \
            dg[j] = dc * g * i * (1 - i);                                                          \
            dg[h + j] = dc * cx[j] * f * (1 - f);                                                  \
            dg[2 * h + j] = dc * i * (1 - g * g);                                                  \
            dg[3 * h + j] = dh * t * o * (1 - o);                                                  \
            dcx[j] = dc * f;                                                                       \
        }                                                                                          \
    }
LSTM_BACKWARD_ROW(st__lstm_backward_row_f32, float, st_tanhf)
LSTM_BACKWARD_ROW(st__lstm_backward_row_f64, double, st_tanh_f64)

#define LSTM_BACKWARD(NAME, T, ROW, SUMS)                                                               \
    int NAME(int64_t batch, int64_t h, const T *gh, const T *gc, const T *cx, const T *cy, const T *ws, \
             T *dg, T *dcx, T *dbias) {                                                             \
        if (batch < 0 || h < 0) return ST_ERR_ARGUMENT;                                             \
        /* A missing output gradient is one row of zeros that every batch row reads. */             \
        void *own_h = NULL, *own_c = NULL;                                                          \
        const T *zh = or_zeros(gh, h, sizeof(T), &own_h), *zc = or_zeros(gc, h, sizeof(T), &own_c); \
        if (!zh || !zc) { free(own_h); free(own_c); return ST_ERR_MEMORY; }                         \
        const int64_t sh = gh ? h : 0, sc = gc ? h : 0;                                             \
        _Pragma("omp parallel for schedule(static) if(batch * h >= ST_EW_PARALLEL_MIN_HEAVY)")      \
        for (int64_t b = 0; b < batch; b++)                                                         \
            ROW(h, zh + b * sh, zc + b * sc, cx + b * h, cy + b * h, ws + b * 4 * h,                \
                dg + b * 4 * h, dcx + b * h);                                                       \
        free(own_h); free(own_c);                                                                   \
        if (dbias) SUMS(batch, 4 * h, dg, dbias);                                                   \
        return 0;                                                                                   \
    }
LSTM_BACKWARD(st_fused_lstm_cell_backward_f32, float, st__lstm_backward_row_f32, column_sums_f32)
LSTM_BACKWARD(st_fused_lstm_cell_backward_f64, double, st__lstm_backward_row_f64, column_sums_f64)
