/* Fused scaled dot-product attention: each query row's scores, softmax and weighted sum of
   values in one sweep, with only that row's scores in scratch memory (no [L, S] weights,
   no mask tensor, no causal mask, no separate softmax pass). Rows are shared among
   threads. float32 computes the dot products and exponentials in float (the vectorisable
   exp of elementwise_math.h) and the exponential sum in double. */
#include <math.h>
#include <stdlib.h>
#include "dropout_mask.h"
#include "elementwise_internal.h" /* ST_CLONES */
#include "elementwise_math.h"
#include "omp_reduce.h"          /* error codes, ST_EW_PARALLEL_MIN */
#include "omp_sequence.h"

static inline float exp_f32(float x) { return st_expf(x); }
static inline double exp_f64(double x) { return exp(x); }

#define ATTENTION(NAME, T, EXP)                                                                     \
    /* Row `row` (= b * L + i): writes out[row, :] and lse[row]; scores and acc are scratch of  \
       S and Ev elements. */                                                                     \
    ST_CLONES static void NAME##_row(const st_attention *p, int64_t row, const T *q, const T *k,    \
                                     const T *v, const void *mask, uint64_t threshold, T *out,      \
                                     T *lse, T *restrict scores, T *restrict acc) {                 \
        const int64_t L = p->query_length, S = p->key_length, E = p->features, Ev = p->value_features; \
        const int64_t b = row / L, i = row % L;                                                      \
        const T *qi = q + p->q_offset[b] + i * p->q_row;                                             \
        const T *kb = k + p->k_offset[b], *vb = v + p->v_offset[b];                                  \
        const T scale = (T)p->scale;                                                                 \
        const int64_t visible = p->causal && i + 1 < S ? i + 1 : S;                                  \
        T top = -INFINITY;                                                                           \
        int nan = 0;                                                                                 \
        for (int64_t j = 0; j < S; j++) {                                                            \
            T s = -INFINITY;                                                                         \
            if (j < visible) {                                                                       \
                const T *kj = kb + j * p->k_row;                                                     \
                T dot = 0;                                                                           \
                if (p->q_col == 1 && p->k_col == 1) {                                                \
                    for (int64_t d = 0; d < E; d++) dot += qi[d] * kj[d];                            \
                } else {                                                                             \
                    for (int64_t d = 0; d < E; d++) dot += qi[d * p->q_col] * kj[d * p->k_col];      \
                }                                                                                    \
                s = dot * scale;                                                                     \
                if (p->mask_kind != ST_ATTN_MASK_NONE) {                                             \
                    const int64_t m = p->m_offset[b] + i * p->m_row + j * p->m_col;                  \
                    if (p->mask_kind == ST_ATTN_MASK_BOOL) s = ((const uint8_t *)mask)[m] ? s : -INFINITY; \
                    else s += ((const T *)mask)[m];                                                  \
                }                                                                                    \
            }                                                                                        \
            nan |= s != s;                                                                           \
            top = s > top ? s : top;                                                                 \
            scores[j] = s;                                                                           \
        }                                                                                            \
        T *o = out + row * Ev;                                                                       \
        if (nan || top == -INFINITY) {                                                               \
            /* Every key masked: zeros (PyTorch's safe softmax); a NaN score: NaN. */                \
            for (int64_t d = 0; d < Ev; d++) o[d] = nan ? (T)NAN : 0;                                \
            lse[row] = nan ? (T)NAN : -INFINITY;                                                     \
            return;                                                                                  \
        }                                                                                            \
        double sum = 0;                                                                              \
        for (int64_t j = 0; j < S; j++) {                                                            \
            scores[j] = EXP(scores[j] - top);                                                        \
            sum += scores[j];                                                                        \
        }                                                                                            \
        lse[row] = (T)((double)top + log(sum));                                                      \
        const double keep = p->dropout_p > 0 ? (p->dropout_p >= 1 ? 0 : 1 / (1 - p->dropout_p)) : 1; \
        const T norm = (T)(keep / sum);                                                              \
        for (int64_t d = 0; d < Ev; d++) acc[d] = 0;                                                 \
        for (int64_t j = 0; j < S; j++) {                                                            \
            /* Masked and dropped keys still contribute 0 * value, as the product P @ V       \
               does: an infinite value makes NaN there too. */                                  \
            const int dropped = p->dropout_p > 0 && dropout_bits(p->seed, row * S + j) >> 11 < threshold; \
            const T w = dropped ? 0 : scores[j] * norm;                                              \
            const T *vj = vb + j * p->v_row;                                                         \
            if (p->v_col == 1) {                                                                     \
                for (int64_t d = 0; d < Ev; d++) acc[d] += w * vj[d];                                \
            } else {                                                                                 \
                for (int64_t d = 0; d < Ev; d++) acc[d] += w * vj[d * p->v_col];                     \
            }                                                                                        \
        }                                                                                            \
        for (int64_t d = 0; d < Ev; d++) o[d] = acc[d];                                              \
    }                                                                                                \
                                                                                                     \
    int NAME(const st_attention *p, const T *q, const T *k, const T *v, const void *mask, T *out, T *lse) { \
        if (p->batch < 0 || p->query_length < 0 || p->key_length < 0 || p->features < 0 ||           \
            p->value_features < 0 || (p->mask_kind != ST_ATTN_MASK_NONE && !p->m_offset))            \
            return ST_ERR_ARGUMENT;                                                                  \
        const int64_t rows = p->batch * p->query_length;                                             \
        const int64_t work = rows * p->key_length * (p->features + p->value_features + 1);           \
        const uint64_t threshold = keep_threshold(p->dropout_p);                                     \
        int failed = 0;                                                                              \
        _Pragma("omp parallel if(work >= ST_EW_PARALLEL_MIN) reduction(|:failed)")                         \
        {                                                                                            \
            T *scratch = malloc((size_t)(p->key_length + p->value_features + 1) * sizeof(T));        \
            /* Every thread reaches the worksharing loop, even one whose malloc failed. */           \
            _Pragma("omp for schedule(static)")                                                      \
            for (int64_t row = 0; row < rows; row++) {                                               \
                if (!scratch) { failed = 1; continue; }                                              \
                NAME##_row(p, row, q, k, v, mask, threshold, out, lse, scratch, scratch + p->key_length); \
            }                                                                                        \
            free(scratch);                                                                           \
        }                                                                                            \
        return failed ? ST_ERR_MEMORY : 0;                                                           \
    }
ATTENTION(st_attention_f32, float, exp_f32)
ATTENTION(st_attention_f64, double, exp_f64)
