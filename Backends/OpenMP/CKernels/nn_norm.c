/* batch_norm and layer_norm. Statistics are two-pass (the mean, then the mean squared
   deviation from it: no cancellation, unlike E[x^2] - E[x]^2) and accumulate in double in
   a fixed order, so results do not depend on the thread count. Each output is computed in
   double, (x - mean) / sqrt(var + eps) * weight + bias, and rounded once. */
#define ST_OMP_INTERNAL
#include "omp_nn.h"
#include "omp_reduce.h" /* thread helpers and error codes */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LOAD(f64, p, i) ((f64) ? ((const double *)(p))[i] : (double)((const float *)(p))[i])

/* Sum of (x - c) (or its square) over a contiguous run, in eight independent lanes (two
   4-wide vectors, so the loop runs at vector speed without reassociating anything),
   combined in a fixed tree, then the tail. */
static inline __attribute__((always_inline))
double run_sum(const int f64, const int sq, const void *p, int64_t n, double c) {
    st_v4d a0 = {0}, a1 = {0};
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        st_v4d v0, v1;
        if (f64) {
            memcpy(&v0, (const double *)p + i, sizeof v0);
            memcpy(&v1, (const double *)p + i + 4, sizeof v1);
        } else {
            st_v4f f0, f1;
            memcpy(&f0, (const float *)p + i, sizeof f0);
            memcpy(&f1, (const float *)p + i + 4, sizeof f1);
            v0 = __builtin_convertvector(f0, st_v4d);
            v1 = __builtin_convertvector(f1, st_v4d);
        }
        v0 -= c;
        v1 -= c;
        if (sq) { a0 += v0 * v0; a1 += v1 * v1; }
        else { a0 += v0; a1 += v1; }
    }
    double tail = 0;
    for (; i < n; i++) {
        const double d = LOAD(f64, p, i) - c;
        tail += sq ? d * d : d;
    }
    return ((a0[0] + a1[0]) + (a0[1] + a1[1])) + ((a0[2] + a1[2]) + (a0[3] + a1[3])) + tail;
}
ST_CLONES static double sum_f32(const void *p, int64_t n, double c) { return run_sum(0, 0, p, n, c); }
ST_CLONES static double sum_f64(const void *p, int64_t n, double c) { return run_sum(1, 0, p, n, c); }
ST_CLONES static double sqdev_f32(const void *p, int64_t n, double c) { return run_sum(0, 1, p, n, c); }
ST_CLONES static double sqdev_f64(const void *p, int64_t n, double c) { return run_sum(1, 1, p, n, c); }

/* out = (x - mean) / sd * scale + shift over a run of n elements. `per_elem`: scale and
   shift are arrays along the run (layer_norm), else one value each (batch_norm). An absent
   scale multiplies by 1 and an absent shift adds 0, as the reference backend does (so a
   -0 result becomes +0 there too). The flags are constants in each instance below, which
   keeps the loop free of branches and lets it vectorise. */
static inline __attribute__((always_inline))
void run_normalize(const int f64, const int per_elem, const int has_scale, const int has_shift, const void *x,
                   int64_t n, double mean, double sd, const void *scale, const void *shift, void *out) {
    const double sc = !per_elem && has_scale && scale ? LOAD(f64, scale, 0) : 1;
    const double sh = !per_elem && has_shift && shift ? LOAD(f64, shift, 0) : 0;
    for (int64_t i = 0; i < n; i++) {
        double v = (LOAD(f64, x, i) - mean) / sd;
        v = v * (per_elem && has_scale ? LOAD(f64, scale, i) : sc);
        v = v + (per_elem && has_shift ? LOAD(f64, shift, i) : sh);
        if (f64) ((double *)out)[i] = v;
        else ((float *)out)[i] = (float)v;
    }
}
typedef void (*normalize_fn)(const void *, int64_t, double, double, const void *, const void *, void *);
#define NORMALIZE(NAME, F64, PER, SC, SH)                                                       \
    ST_CLONES static void NAME(const void *x, int64_t n, double mean, double sd, const void *scale, \
                               const void *shift, void *out) {                                  \
        run_normalize(F64, PER, SC, SH, x, n, mean, sd, scale, shift, out);                     \
    }
/* batch_norm's per-channel scalars: read once per run, where present */
NORMALIZE(bn_normalize_f32, 0, 0, 1, 1)
NORMALIZE(bn_normalize_f64, 1, 0, 1, 1)
NORMALIZE(ln_normalize_f32_ws, 0, 1, 1, 1)
NORMALIZE(ln_normalize_f32_w, 0, 1, 1, 0)
NORMALIZE(ln_normalize_f32_s, 0, 1, 0, 1)
NORMALIZE(ln_normalize_f32, 0, 1, 0, 0)
NORMALIZE(ln_normalize_f64_ws, 1, 1, 1, 1)
NORMALIZE(ln_normalize_f64_w, 1, 1, 1, 0)
NORMALIZE(ln_normalize_f64_s, 1, 1, 0, 1)
NORMALIZE(ln_normalize_f64, 1, 1, 0, 0)
/* [f64][has weight][has bias] */
static const normalize_fn ln_normalize[2][2][2] = {
    {{ln_normalize_f32, ln_normalize_f32_s}, {ln_normalize_f32_w, ln_normalize_f32_ws}},
    {{ln_normalize_f64, ln_normalize_f64_s}, {ln_normalize_f64_w, ln_normalize_f64_ws}},
};

/* Training statistics come from one partial sum per (sample, channel) run, computed in
   parallel, then added per channel in sample order: parallel whether the tensor has many
   channels or a few large ones, and the same sums at any thread count. */
static int batch_norm(int f64, int64_t n, int64_t channels, int64_t inner, const void *x,
                      const void *weight, const void *bias, const void *running_mean,
                      const void *running_var, int training, double eps, void *out,
                      void *save_mean, void *save_var) {
    if (n < 0 || channels < 0 || inner < 0) return ST_ERR_ARGUMENT;
    if (!training && (!running_mean || !running_var)) return ST_ERR_ARGUMENT;
    if (channels == 0) return 0;
    const int64_t es = f64 ? 8 : 4, runs = n * channels, count = n * inner;
    const int par = runs * inner >= ST_PAR_GRAIN;
    double *mean = malloc((size_t)channels * sizeof(double));
    double *sd = malloc((size_t)channels * sizeof(double));
    double *part = training ? malloc((size_t)(runs > 0 ? runs : 1) * sizeof(double)) : NULL;
    if (!mean || !sd || (training && !part)) {
        free(mean); free(sd); free(part);
        return ST_ERR_MEMORY;
    }
    if (training) {
        for (int pass = 0; pass < 2; pass++) {
            #pragma omp parallel for schedule(static) if(par)
            for (int64_t r = 0; r < runs; r++) {
                const char *xr = (const char *)x + r * inner * es;
                const double c = pass ? mean[r % channels] : 0;
                part[r] = pass ? (f64 ? sqdev_f64 : sqdev_f32)(xr, inner, c) : (f64 ? sum_f64 : sum_f32)(xr, inner, 0);
            }
            for (int64_t c = 0; c < channels; c++) {
                double s = 0;
                for (int64_t i = 0; i < n; i++) s += part[i * channels + c];
                if (pass == 0) mean[c] = s / (double)count; /* 0 / 0 = NaN for no elements */
                else sd[c] = s / (double)count;           /* the biased variance, for now */
            }
        }
        for (int64_t c = 0; c < channels; c++) {
            if (save_mean) {
                if (f64) ((double *)save_mean)[c] = mean[c];
                else ((float *)save_mean)[c] = (float)mean[c];
            }
            if (save_var) {
                if (f64) ((double *)save_var)[c] = sd[c];
                else ((float *)save_var)[c] = (float)sd[c];
            }
            sd[c] = sqrt(sd[c] + eps);
        }
    } else {
        for (int64_t c = 0; c < channels; c++) {
            mean[c] = LOAD(f64, running_mean, c);
            sd[c] = sqrt(LOAD(f64, running_var, c) + eps);
        }
    }
    #pragma omp parallel for schedule(static) if(par)
    for (int64_t r = 0; r < runs; r++) {
        const int64_t c = r % channels;
        const char *w = weight ? (const char *)weight + c * es : NULL;
        const char *b = bias ? (const char *)bias + c * es : NULL;
        (f64 ? bn_normalize_f64 : bn_normalize_f32)((const char *)x + r * inner * es, inner, mean[c], sd[c], w, b,
                                                    (char *)out + r * inner * es);
    }
    free(mean);
    free(sd);
    free(part);
    return 0;
}

static int layer_norm(int f64, int64_t rows, int64_t cols, const void *x, const void *weight,
                      const void *bias, double eps, void *out) {
    if (rows < 0 || cols < 0) return ST_ERR_ARGUMENT;
    const int64_t es = f64 ? 8 : 4;
    const normalize_fn normalize = ln_normalize[f64][weight != NULL][bias != NULL];
    #pragma omp parallel for schedule(static) if(rows * cols >= ST_PAR_GRAIN)
    for (int64_t r = 0; r < rows; r++) {
        const char *xr = (const char *)x + r * cols * es;
        const double mean = (f64 ? sum_f64 : sum_f32)(xr, cols, 0) / (double)cols;
        const double var = (f64 ? sqdev_f64 : sqdev_f32)(xr, cols, mean) / (double)cols;
        normalize(xr, cols, mean, sqrt(var + eps), weight, bias, (char *)out + r * cols * es);
    }
    return 0;
}

int st_batch_norm_f32(int64_t n, int64_t channels, int64_t inner, const float *x,
                      const float *weight, const float *bias, const float *running_mean,
                      const float *running_var, int training, double eps, float *out,
                      float *save_mean, float *save_var) {
    return batch_norm(0, n, channels, inner, x, weight, bias, running_mean, running_var, training, eps, out,
                      save_mean, save_var);
}
int st_batch_norm_f64(int64_t n, int64_t channels, int64_t inner, const double *x,
                      const double *weight, const double *bias, const double *running_mean,
                      const double *running_var, int training, double eps, double *out,
                      double *save_mean, double *save_var) {
    return batch_norm(1, n, channels, inner, x, weight, bias, running_mean, running_var, training, eps, out,
                      save_mean, save_var);
}
int st_layer_norm_f32(int64_t rows, int64_t cols, const float *x, const float *weight,
                      const float *bias, double eps, float *out) {
    return layer_norm(0, rows, cols, x, weight, bias, eps, out);
}
int st_layer_norm_f64(int64_t rows, int64_t cols, const double *x, const double *weight,
                      const double *bias, double eps, double *out) {
    return layer_norm(1, rows, cols, x, weight, bias, eps, out);
}
