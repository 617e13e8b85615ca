/* Fused scaled dot-product attention, FlashAttention's shape on the CPU: query rows go in
   tiles of up to ST_ATTN_TILE rows of one batch entry, each thread with its own tile of
   scores [rows, S] (never the [L, S] weights of a whole entry, no mask tensor, no causal
   mask). Per tile: the scores by the backend's GEMM (st_gemm, omp_matmul.h), one pass per
   row for scale, mask, maximum, exponentials, sum and dropout, then the weights times the
   values by the GEMM again, straight into the output rows. float32 computes the
   exponentials in float (the vectorisable exp of elementwise_math.h) and their sum in
   double. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dropout_mask.h"
#include "elementwise_internal.h" /* ST_CLONES, ST_EW_PARALLEL_MIN */
#include "elementwise_math.h"
#include "omp_matmul.h"
#include "omp_reduce.h"          /* error codes */
#include "omp_sequence.h"

/* Query rows per tile: a tile of scores is ST_ATTN_TILE x S elements. */
#define ST_ATTN_TILE 64

static inline float exp_f32(float x) { return st_expf(x); }
static inline double exp_f64(double x) { return exp(x); }

/* What a row's softmax found: weights, no visible key (zeros), or a NaN score (NaN). */
enum { ROW_WEIGHTS, ROW_EMPTY, ROW_NAN };

#define ATTENTION(NAME, T, EXP, GEMM)                                                               \
    /* Row i of entry b: its scores s[0, S) become the (dropped-out) weights in place;     \
       returns what it found and writes the row's log-sum-exp. */                              \
    ST_CLONES static int NAME##_softmax_row(const st_attention *p, const void *mask, int64_t b, int64_t i, \
                                            uint64_t threshold, T *restrict s, T *lse) {          \
        const int64_t S = p->key_length, row = b * p->query_length + i;                             \
        const int64_t visible = p->causal && i + 1 < S ? i + 1 : S;                                  \
        const T scale = (T)p->scale;                                                                 \
        T top = -INFINITY;                                                                           \
        int nan = 0;                                                                                 \
        for (int64_t j = 0; j < S; j++) {                                                            \
            T x = j < visible ? s[j] * scale : -INFINITY;                                            \
            if (j < visible && p->mask_kind != ST_ATTN_MASK_NONE) {                                  \
                const int64_t m = p->m_offset[b] + i * p->m_row + j * p->m_col;                      \
                if (p->mask_kind == ST_ATTN_MASK_BOOL) x = ((const uint8_t *)mask)[m] ? x : -INFINITY; \
                else x += ((const T *)mask)[m];                                                      \
            }                                                                                        \
            nan |= x != x;                                                                           \
            top = x > top ? x : top;                                                                 \
            s[j] = x;                                                                                \
        }                                                                                            \
        if (nan || top == -INFINITY) {                                                               \
            for (int64_t j = 0; j < S; j++) s[j] = 0;                                                \
            *lse = nan ? (T)NAN : -INFINITY;                                                         \
            return nan ? ROW_NAN : ROW_EMPTY;                                                        \
        }                                                                                            \
        /* Two loops: the exponentials vectorise only without the in-order sum beside them. */   \
        for (int64_t j = 0; j < S; j++) s[j] = EXP(s[j] - top);                                      \
        double sum = 0;                                                                              \
        for (int64_t j = 0; j < S; j++) sum += s[j];                                                 \
        *lse = (T)((double)top + log(sum));                                                          \
        const double keep = p->dropout_p > 0 ? (p->dropout_p >= 1 ? 0 : 1 / (1 - p->dropout_p)) : 1; \
        const T norm = (T)(keep / sum);                                                              \
        for (int64_t j = 0; j < S; j++) s[j] *= norm;                                                \
        if (p->dropout_p > 0)                                                                        \
            for (int64_t j = 0; j < S; j++)                                                          \
                if (dropout_bits(p->seed, row * S + j) >> 11 < threshold) s[j] = 0;                  \
        return ROW_WEIGHTS;                                                                          \
    }                                                                                                \
                                                                                                     \
    /* Rows [i0, i0 + m) of entry b, with `tile` scratch of m x S. */                            \
    static int NAME##_tile(const st_attention *p, const T *q, const T *k, const T *v, const void *mask, \
                           uint64_t threshold, int64_t b, int64_t i0, int64_t m, T *tile, T *out, T *lse) { \
        const int64_t L = p->query_length, S = p->key_length, Ev = p->value_features;               \
        /* scores = Q[b, i0:i0+m] @ K[b]ᵀ: K's element (d, j) is at j * k_row + d * k_col. */       \
        const int64_t q_off = p->q_offset[b] + i0 * p->q_row, k_off = p->k_offset[b], v_off = p->v_offset[b], zero = 0; \
        const st_gemm_args scores = {1, m, S, p->features, &q_off, &k_off, p->q_row, p->q_col, p->k_col, p->k_row}; \
        int status = GEMM(&scores, q, k, tile);                                                      \
        if (status) return status;                                                                   \
        int kinds[ST_ATTN_TILE];                                                                     \
        for (int64_t r = 0; r < m; r++)                                                              \
            kinds[r] = NAME##_softmax_row(p, mask, b, i0 + r, threshold, tile + r * S, lse + b * L + i0 + r); \
        /* out rows = weights @ V[b]; the rows are consecutive in the contiguous output. */      \
        T *o = out + (b * L + i0) * Ev;                                                              \
        const st_gemm_args values = {1, m, Ev, S, &zero, &v_off, S, 1, p->v_row, p->v_col};         \
        status = GEMM(&values, tile, v, o);                                                          \
        if (status) return status;                                                                   \
        /* Rows without weights: zeros even against an infinite value, or NaN. */                  \
        for (int64_t r = 0; r < m; r++)                                                              \
            if (kinds[r] != ROW_WEIGHTS)                                                             \
                for (int64_t d = 0; d < Ev; d++) o[r * Ev + d] = kinds[r] == ROW_NAN ? (T)NAN : 0;   \
        return 0;                                                                                    \
    }                                                                                                \
                                                                                                     \
    int NAME(const st_attention *p, const T *q, const T *k, const T *v, const void *mask, T *out, T *lse) { \
        if (p->batch < 0 || p->query_length < 0 || p->key_length < 0 || p->features < 0 ||           \
            p->value_features < 0 || (p->mask_kind != ST_ATTN_MASK_NONE && !p->m_offset))            \
            return ST_ERR_ARGUMENT;                                                                  \
        const int64_t L = p->query_length, S = p->key_length;                                        \
        const int64_t per_entry = (L + ST_ATTN_TILE - 1) / ST_ATTN_TILE, tiles = p->batch * per_entry; \
        const int64_t work = p->batch * L * S * (p->features + p->value_features + 1);               \
        const uint64_t threshold = keep_threshold(p->dropout_p);                                     \
        int status = 0;                                                                              \
        _Pragma("omp parallel if(work >= ST_EW_PARALLEL_MIN && tiles > 1)")                          \
        {                                                                                            \
            T *tile = malloc((size_t)(ST_ATTN_TILE * S + 1) * sizeof(T));                            \
            /* Every thread reaches the worksharing loop, even one whose malloc failed. */           \
            _Pragma("omp for schedule(static, 1)")                                                   \
            for (int64_t t = 0; t < tiles; t++) {                                                    \
                const int64_t b = t / per_entry, i0 = (t % per_entry) * ST_ATTN_TILE;                \
                const int64_t m = L - i0 < ST_ATTN_TILE ? L - i0 : ST_ATTN_TILE;                     \
                const int s = tile ? NAME##_tile(p, q, k, v, mask, threshold, b, i0, m, tile, out, lse) : ST_ERR_MEMORY; \
                if (s) __atomic_store_n(&status, s, __ATOMIC_RELAXED);                               \
            }                                                                                        \
            free(tile);                                                                              \
        }                                                                                            \
        return status;                                                                               \
    }
ATTENTION(st_attention_f32, float, exp_f32, st_gemm_f32)
ATTENTION(st_attention_f64, double, exp_f64, st_gemm_f64)
