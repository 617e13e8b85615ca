/* cross_entropy (logits) and nll_loss (log-probabilities) over a class dim: one sample per
   outer index. Class-index targets: loss = (1 - ls) * nll + ls / C * smooth, with per
   sample nll = -w[t] * logp[t] and smooth = -sum_c w[c] * logp[c]; ignored samples add 0
   and no weight; "mean" divides by the total weight. Probability targets: per sample
   -sum_c logp[c] * p'[c] * w[c] (p' smoothed); "mean" divides by the sample count. */
#define ST_OMP_INTERNAL
#include "omp_reduce.h"

#include <math.h>

#define LOAD(f64, p, i) ((f64) ? ((const double *)(p))[i] : (double)((const float *)(p))[i])
#define STORE(f64, p, i, v) do { if (f64) ((double *)(p))[i] = (v); else ((float *)(p))[i] = (float)(v); } while (0)
#define MAX_TEAM 256

/* Shift and log-sum so that logp[c] = x[c] - shift - lse (log_softmax as x - max - log(sum
   exp(x - max))). Exponentials go 4 at a time through the vector exp. */
static inline __attribute__((always_inline))
void row_logsumexp(const int f64, const void *x, int64_t n, int64_t s, double *shift, double *lse) {
    double m = -__builtin_inf();
    for (int64_t c = 0; c < n; c++) m = st_nanmax(m, LOAD(f64, x, c * s));
    double sum = 0;
    int64_t c = 0;
    for (; c + 4 <= n; c += 4) {
        double b[4];
        for (int j = 0; j < 4; j++) b[j] = LOAD(f64, x, (c + j) * s) - m;
        st_exp4d(b);
        sum += (b[0] + b[1]) + (b[2] + b[3]);
    }
    for (; c < n; c++) sum += st_exp(LOAD(f64, x, c * s) - m);
    *shift = m;
    *lse = log(sum);
}

typedef struct sums { double nll, smooth, weight; } sums;

/* Samples [b, e): writes unreduced losses when `store`, else returns the sums. */
static inline __attribute__((always_inline))
int samples_impl(const int f64, const void *x, const int64_t *ti, const void *tp, const void *w,
                 const st_geom *g, const st_class_loss *opt, void *out, int64_t b, int64_t e, sums *acc) {
    const int64_t classes = g->inner_shape[0];
    const int64_t sx = g->inner_strides[0][0], st = g->inner_strides[1][0], ws = opt->weight_stride;
    const double ls = opt->label_smoothing;
    const int store = opt->reduction == ST_LOSS_NONE;
    st_cursor cursor;
    if (b < e) st_cursor_seek(&cursor, g, b);
    for (int64_t i = b; i < e; i++, st_cursor_next(&cursor, g)) {
        const int64_t xo = cursor.offset[0];
        double shift = 0, lse = 0;
        if (opt->logits) row_logsumexp(f64, (const char *)x + xo * (f64 ? 8 : 4), classes, sx, &shift, &lse);
#define LOGP(c) (LOAD(f64, x, xo + (c) * sx) - shift - lse)
        double loss;
        if (tp) {
            double s = 0;
            for (int64_t c = 0; c < classes; c++) {
                double p = LOAD(f64, tp, cursor.offset[1] + c * st);
                if (ls > 0) p = p * (1 - ls) + ls / (double)classes;
                s -= LOGP(c) * p * (w ? LOAD(f64, w, c * ws) : 1);
            }
            loss = s;
            acc->nll += s;
        } else {
            const int64_t t = ti[cursor.offset[1]];
            double nll = 0, smooth = 0;
            if (t != opt->ignore_index) {
                if (t < 0 || t >= classes) return ST_ERR_INDEX;
                double wt = w ? LOAD(f64, w, t * ws) : 1;
                nll = -wt * LOGP(t);
                acc->weight += wt;
                /* Only when used: 0 * inf (a class with logit -inf) would be NaN. */
                if (ls > 0)
                    for (int64_t c = 0; c < classes; c++) smooth -= (w ? LOAD(f64, w, c * ws) : 1) * LOGP(c);
            }
            acc->nll += nll;
            acc->smooth += smooth;
            loss = ls > 0 ? (1 - ls) * nll + smooth * (ls / (double)classes) : nll;
        }
#undef LOGP
        if (store) STORE(f64, out, cursor.offset[4], loss);
    }
    return 0;
}

ST_CLONES static int samples_f32(const void *x, const int64_t *ti, const void *tp, const void *w, const st_geom *g,
                                 const st_class_loss *o, void *out, int64_t b, int64_t e, sums *acc) {
    return samples_impl(0, x, ti, tp, w, g, o, out, b, e, acc);
}
ST_CLONES static int samples_f64(const void *x, const int64_t *ti, const void *tp, const void *w, const st_geom *g,
                                 const st_class_loss *o, void *out, int64_t b, int64_t e, sums *acc) {
    return samples_impl(1, x, ti, tp, w, g, o, out, b, e, acc);
}

static int class_loss(int f64, const void *x, const int64_t *ti, const void *tp, const void *w,
                      const st_geom *g, const st_class_loss *opt, void *out) {
    if (g->inner_ndim != 1 || (!ti && !tp)) return ST_ERR_ARGUMENT;
    const int64_t samples = st_outer_count(g), classes = g->inner_shape[0];
    const int threads = omp_get_max_threads() < MAX_TEAM ? omp_get_max_threads() : MAX_TEAM;
    sums partial[MAX_TEAM] = {{0, 0, 0}};
    int status[MAX_TEAM] = {0};
    #pragma omp parallel num_threads(threads) if(threads > 1 && samples * (classes + 1) >= ST_PAR_GRAIN / 4)
    {
        int64_t b, e;
        st_thread_range(samples, &b, &e);
        int t = omp_get_thread_num();
        status[t] = (f64 ? samples_f64 : samples_f32)(x, ti, tp, w, g, opt, out, b, e, &partial[t]);
    }
    sums total = {0, 0, 0};
    for (int t = 0; t < threads; t++) {
        if (status[t]) return status[t];
        total.nll += partial[t].nll;
        total.smooth += partial[t].smooth;
        total.weight += partial[t].weight;
    }
    if (opt->reduction == ST_LOSS_NONE) return 0;
    const double ls = opt->label_smoothing;
    double loss;
    if (tp) {
        loss = total.nll;
        if (opt->reduction == ST_LOSS_MEAN)
            loss = samples * classes == 0 ? __builtin_nan("") : loss / (double)samples;
    } else {
        double nll = total.nll, smooth = total.smooth;
        if (opt->reduction == ST_LOSS_MEAN) { nll /= total.weight; smooth /= total.weight; }
        loss = ls > 0 ? (1 - ls) * nll + smooth * (ls / (double)classes) : nll;
    }
    STORE(f64, out, 0, loss);
    return 0;
}

int st_class_loss_f32(const float *x, const int64_t *target_index, const float *target_prob,
                      const float *weight, const st_geom *g, const st_class_loss *opt, float *out) {
    return class_loss(0, x, target_index, target_prob, weight, g, opt, out);
}
int st_class_loss_f64(const double *x, const int64_t *target_index, const double *target_prob,
                      const double *weight, const st_geom *g, const st_class_loss *opt, double *out) {
    return class_loss(1, x, target_index, target_prob, weight, g, opt, out);
}
