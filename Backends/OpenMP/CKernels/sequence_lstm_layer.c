/* A whole LSTM layer in one call (st_lstm_layer_*). Run step by step from Swift, each time
   step was a parallel GEMM (h @ w_hh.T) and a parallel gate kernel: two fork-joins, a
   barrier, and a repacking of the same w_hh.T every step, for a product of only batch x
   hidden x 4 hidden. Here the batch rows are split across the threads once, and each thread
   runs every step for its rows: its slice of h @ w_hh.T against the w_hh.T packed once for
   the whole layer, then the gate row function of the fused cell, writing straight into the
   layer's outputs. Rows never wait for one another. */
#define ST_OMP_INTERNAL
#include "omp_matmul.h"
#include "omp_reduce.h" /* thread helpers and error codes */
#include "omp_scratch.h"
#include "omp_sequence.h"

#include <stdlib.h>
#include <string.h>

/* Below this many multiply-adds per step one thread runs the layer. */
#define LAYER_PAR_WORK (1 << 16)

#define LAYER(NAME, T, F64, ROW)                                                                           \
    int NAME(const st_lstm_layer_geometry *g, const T *ig, const T *hx, const T *cx, const T *w_hh,         \
             const T *bias, T *hs, T *cs, T *ws, T *hn, T *cn) {                                           \
        const int64_t steps = g->steps, batch = g->batch, h = g->hidden, width = 4 * h;                    \
        if (steps < 0 || batch < 0 || h < 0) return ST_ERR_ARGUMENT;                                       \
        if (batch == 0 || h == 0) return 0;                                                                \
        if (steps == 0) {                                                                                  \
            memcpy(hn, hx, (size_t)(batch * h) * sizeof(T));                                               \
            memcpy(cn, cx, (size_t)(batch * h) * sizeof(T));                                               \
            return 0;                                                                                      \
        }                                                                                                  \
        /* w_hh.T, as the product's right operand (k = h, n = 4h): w_hh read transposed. Once per  \
           layer, so it is an allocation of its own rather than a thread's scratch buffer. */     \
        T *packed = aligned_alloc(64, (st__gemm_packed_b_bytes(F64, h, width) + 63) / 64 * 64);        \
        T *zeros = calloc((size_t)width, sizeof(T)); /* the bias the row function adds twice */           \
        if (!packed || !zeros) { free(packed); free(zeros); return ST_ERR_MEMORY; }                        \
        st__gemm_pack_b(F64, h, width, w_hh, 1, h, packed);                                                \
        const T *b = bias ? bias : zeros;                                                                  \
        int status = 0;                                                                                    \
        _Pragma("omp parallel if(batch * h * width >= LAYER_PAR_WORK)")                                    \
        {                                                                                                  \
            int64_t lo, hi;                                                                                \
            st_thread_range(batch, &lo, &hi);                                                              \
            const int64_t rows = hi - lo;                                                                  \
            T *gates = rows > 0 ? st__scratch(ST_SCRATCH_LSTM_GATES, (size_t)(rows * width) * sizeof(T)) : NULL; \
            if (rows > 0 && !gates) __atomic_store_n(&status, ST_ERR_MEMORY, __ATOMIC_RELAXED);            \
            for (int64_t s = 0; gates && s < steps; s++) {                                                 \
                const int64_t t = g->reverse ? steps - 1 - s : s, prev = g->reverse ? t + 1 : t - 1;       \
                const T *hp = s == 0 ? hx + lo * h : hs + (prev * batch + lo) * h;                         \
                const T *cp = s == 0 ? cx + lo * h : cs + (prev * batch + lo) * h;                         \
                int e = st__gemm_rows_packed(F64, rows, h, width, hp, h, 1, packed, gates, width);         \
                if (e) { __atomic_store_n(&status, e, __ATOMIC_RELAXED); break; }                          \
                for (int64_t r = 0; r < rows; r++) {                                                       \
                    const int64_t at = t * batch + lo + r;                                                 \
                    ROW(h, ig + at * width, gates + r * width, cp + r * h, b, zeros, hs + at * h, cs + at * h, \
                        ws + at * width);                                                                  \
                }                                                                                          \
            }                                                                                              \
            if (rows > 0 && gates) {                                                                       \
                const int64_t last = (g->reverse ? 0 : steps - 1) * batch + lo;                            \
                memcpy(hn + lo * h, hs + last * h, (size_t)(rows * h) * sizeof(T));                        \
                memcpy(cn + lo * h, cs + last * h, (size_t)(rows * h) * sizeof(T));                        \
            }                                                                                              \
        }                                                                                                  \
        free(packed);                                                                                      \
        free(zeros);                                                                                       \
        return status;                                                                                     \
    }

LAYER(st_lstm_layer_f32, float, 0, st__lstm_row_f32)
LAYER(st_lstm_layer_f64, double, 1, st__lstm_row_f64)

/* The gradient, split the same way. Per thread, four row buffers of [rows, hidden] in one
   scratch block: dh (the gradient reaching h from the later steps), two for dc (the row
   function reads one and writes the other), and dh plus this step's output gradient. */
#define LAYER_BACKWARD(NAME, T, F64, ROW)                                                                  \
    int NAME(const st_lstm_layer_geometry *g, const T *go, const T *ghn, const T *gcn, const T *cx,        \
             const T *w_hh, const T *cs, const T *ws, T *dgates, T *dhx, T *dcx) {                         \
        const int64_t steps = g->steps, batch = g->batch, h = g->hidden, width = 4 * h;                    \
        if (steps < 0 || batch < 0 || h < 0) return ST_ERR_ARGUMENT;                                       \
        if (batch == 0 || h == 0) return 0;                                                                \
        /* w_hh as the right operand of dgates @ w_hh (k = 4h, n = h), read as it is stored. */            \
        T *packed = aligned_alloc(64, (st__gemm_packed_b_bytes(F64, width, h) + 63) / 64 * 64);        \
        if (!packed) return ST_ERR_MEMORY;                                                                 \
        st__gemm_pack_b(F64, width, h, w_hh, h, 1, packed);                                                \
        int status = 0;                                                                                    \
        _Pragma("omp parallel if(batch * h * width >= LAYER_PAR_WORK)")                                    \
        {                                                                                                  \
            int64_t lo, hi;                                                                                \
            st_thread_range(batch, &lo, &hi);                                                              \
            const int64_t rows = hi - lo, n = rows * h;                                                    \
            T *buffers = rows > 0 ? st__scratch(ST_SCRATCH_LSTM_GATES, (size_t)(4 * n) * sizeof(T)) : NULL; \
            if (rows > 0 && !buffers) __atomic_store_n(&status, ST_ERR_MEMORY, __ATOMIC_RELAXED);          \
            if (buffers) {                                                                                 \
                T *dh = buffers, *dc = buffers + n, *dc_next = buffers + 2 * n, *gh = buffers + 3 * n;     \
                for (int64_t i = 0; i < n; i++) {                                                          \
                    dh[i] = ghn ? ghn[lo * h + i] : 0;                                                     \
                    dc[i] = gcn ? gcn[lo * h + i] : 0;                                                     \
                }                                                                                          \
                /* Visiting order backwards: the last step visited first. */                              \
                for (int64_t s = steps - 1; s >= 0; s--) {                                                 \
                    const int64_t t = g->reverse ? steps - 1 - s : s, prev = g->reverse ? t + 1 : t - 1;   \
                    const T *cp = s == 0 ? cx + lo * h : cs + (prev * batch + lo) * h;                     \
                    for (int64_t i = 0; i < n; i++) gh[i] = dh[i] + (go ? go[(t * batch + lo) * h + i] : 0); \
                    T *dg = dgates + (t * batch + lo) * width;                                             \
                    for (int64_t r = 0; r < rows; r++)                                                     \
                        ROW(h, gh + r * h, dc + r * h, cp + r * h, cs + (t * batch + lo + r) * h,          \
                            ws + (t * batch + lo + r) * width, dg + r * width, dc_next + r * h);           \
                    T *swap = dc; dc = dc_next; dc_next = swap;                                            \
                    int e = st__gemm_rows_packed(F64, rows, width, h, dg, width, 1, packed, dh, h);        \
                    if (e) { __atomic_store_n(&status, e, __ATOMIC_RELAXED); break; }                      \
                }                                                                                          \
                memcpy(dhx + lo * h, dh, (size_t)n * sizeof(T));                                           \
                memcpy(dcx + lo * h, dc, (size_t)n * sizeof(T));                                           \
            }                                                                                              \
        }                                                                                                  \
        free(packed);                                                                                      \
        return status;                                                                                     \
    }

LAYER_BACKWARD(st_lstm_layer_backward_f32, float, 0, st__lstm_backward_row_f32)
LAYER_BACKWARD(st_lstm_layer_backward_f64, double, 1, st__lstm_backward_row_f64)
