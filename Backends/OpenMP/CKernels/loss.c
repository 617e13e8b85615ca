/* mse_loss, binary_cross_entropy_with_logits, cross_entropy and nll_loss, following the
   reference backend (and PyTorch's ATen formulas). Terms are computed in double; reduced
   losses add per-thread partial sums in thread order, so results are deterministic. */
#define ST_OMP_INTERNAL
#include "omp_reduce.h"

#include <math.h>

#define LOAD(f64, p, i) ((f64) ? ((const double *)(p))[i] : (double)((const float *)(p))[i])
#define STORE(f64, p, i, v) do { if (f64) ((double *)(p))[i] = (v); else ((float *)(p))[i] = (float)(v); } while (0)
#define MAX_TEAM 256

enum { MSE, BCE };

/* One run of n elements of an elementwise loss; operands advance by their `s[k]`. Writes
   each term (reduction none) or returns their sum. */
static inline __attribute__((always_inline))
double run_terms(const int loss, const int f64, const void *const *p, const int64_t *off,
                 const int64_t *s, int64_t n, int store) {
    double sum = 0;
    for (int64_t i = 0; i < n; i++) {
        double x = LOAD(f64, p[0], off[0] + i * s[0]), t = LOAD(f64, p[1], off[1] + i * s[1]);
        double term;
        if (loss == MSE) {
            term = (x - t) * (x - t);
        } else {
            /* -log_sigmoid(x) = log1p(exp(-|x|)) + max(-x, 0): finite for any logit. */
            double neg_log_sigmoid = log1p(exp(-fabs(x))) + fmax(-x, 0.0);
            double log_weight = p[3] ? 1 + (LOAD(f64, p[3], off[3] + i * s[3]) - 1) * t : 1;
            term = (1 - t) * x + log_weight * neg_log_sigmoid;
            if (p[2]) term *= LOAD(f64, p[2], off[2] + i * s[2]);
        }
        if (store) STORE(f64, p[4], off[4] + i * s[4], term);
        else sum += term;
    }
    return sum;
}

ST_CLONES static double mse_f32(const void *const *p, const int64_t *o, const int64_t *s, int64_t n, int st) { return run_terms(MSE, 0, p, o, s, n, st); }
ST_CLONES static double mse_f64(const void *const *p, const int64_t *o, const int64_t *s, int64_t n, int st) { return run_terms(MSE, 1, p, o, s, n, st); }
ST_CLONES static double bce_f32(const void *const *p, const int64_t *o, const int64_t *s, int64_t n, int st) { return run_terms(BCE, 0, p, o, s, n, st); }
ST_CLONES static double bce_f64(const void *const *p, const int64_t *o, const int64_t *s, int64_t n, int st) { return run_terms(BCE, 1, p, o, s, n, st); }
typedef double (*terms_fn)(const void *const *, const int64_t *, const int64_t *, int64_t, int);

/* Elementwise loss over the outer dims (every element), run by run along the last dim. */
static int elementwise_loss(terms_fn terms, int f64, const void *const *p, const st_geom *g, int reduction) {
    const int64_t count = st_outer_count(g);
    const int nd = g->outer_ndim;
    const int64_t len = nd ? g->outer_shape[nd - 1] : 1;
    int64_t s[ST_GEOM_OPERANDS];
    for (int k = 0; k < ST_GEOM_OPERANDS; k++) s[k] = nd ? g->outer_strides[k][nd - 1] : 0;
    st_geom runs = *g;
    if (nd) runs.outer_ndim--;
    const int threads = omp_get_max_threads() < MAX_TEAM ? omp_get_max_threads() : MAX_TEAM;
    const int store = reduction == ST_LOSS_NONE;
    double partial[MAX_TEAM] = {0};
    #pragma omp parallel num_threads(threads) if(threads > 1 && count >= ST_PAR_GRAIN / 4)
    {
        int64_t b, e;
        st_thread_range(count, &b, &e);
        double sum = 0;
        st_cursor cursor;
        int64_t pos = len ? b % len : 0;
        if (b < e) st_cursor_seek(&cursor, &runs, len ? b / len : 0);
        while (b < e) {
            int64_t n = len - pos < e - b ? len - pos : e - b;
            int64_t off[ST_GEOM_OPERANDS];
            for (int k = 0; k < ST_GEOM_OPERANDS; k++) off[k] = cursor.offset[k] + pos * s[k];
            sum += terms(p, off, s, n, store);
            b += n;
            pos = 0;
            st_cursor_next(&cursor, &runs);
        }
        partial[omp_get_thread_num()] = sum;
    }
    if (!store) {
        double total = 0;
        for (int t = 0; t < threads; t++) total += partial[t];
        if (reduction == ST_LOSS_MEAN) total /= (double)count; /* 0 / 0 = NaN when empty */
        STORE(f64, p[4], 0, total);
    }
    return 0;
}

int st_mse_loss_f32(const float *x, const float *t, const st_geom *g, int reduction, float *out) {
    const void *p[ST_GEOM_OPERANDS] = {x, t, NULL, NULL, out};
    return elementwise_loss(mse_f32, 0, p, g, reduction);
}
int st_mse_loss_f64(const double *x, const double *t, const st_geom *g, int reduction, double *out) {
    const void *p[ST_GEOM_OPERANDS] = {x, t, NULL, NULL, out};
    return elementwise_loss(mse_f64, 1, p, g, reduction);
}
int st_bce_logits_f32(const float *x, const float *t, const float *w, const float *pw,
                      const st_geom *g, int reduction, float *out) {
    const void *p[ST_GEOM_OPERANDS] = {x, t, w, pw, out};
    return elementwise_loss(bce_f32, 0, p, g, reduction);
}
int st_bce_logits_f64(const double *x, const double *t, const double *w, const double *pw,
                      const st_geom *g, int reduction, double *out) {
    const void *p[ST_GEOM_OPERANDS] = {x, t, w, pw, out};
    return elementwise_loss(bce_f64, 1, p, g, reduction);
}
