/* _softmax_backward_data, _log_softmax_backward_data and nll_loss_backward. Rows are split
   across threads; each row is one pass for its sum (in double, left to right, as the
   reference) and one write pass, which vectorises when the row is contiguous. */
#define ST_OMP_INTERNAL
#include "omp_backward.h"

#include <math.h>
#include <string.h>

#define LOADV(F64, p, i) ((F64) ? ((const double *)(p))[i] : (double)((const float *)(p))[i])
#define STOREV(F64, p, i, v) do { if (F64) ((double *)(p))[i] = (v); else ((float *)(p))[i] = (float)(v); } while (0)

static inline __attribute__((always_inline))
void softmax_backward_row(const int f64, const int logmode, const char *g, const char *y, char *o,
                          int64_t n, int64_t sg, int64_t sy, int64_t so) {
    double s = 0;
    if (logmode) for (int64_t i = 0; i < n; i++) s += LOADV(f64, g, i * sg);
    else for (int64_t i = 0; i < n; i++) s += LOADV(f64, g, i * sg) * LOADV(f64, y, i * sy);
    if (logmode) for (int64_t i = 0; i < n; i++) STOREV(f64, o, i * so, LOADV(f64, g, i * sg) - exp(LOADV(f64, y, i * sy)) * s);
    else for (int64_t i = 0; i < n; i++) STOREV(f64, o, i * so, LOADV(f64, y, i * sy) * (LOADV(f64, g, i * sg) - s));
}

/* One function per (dtype, log), with a contiguous-row specialisation the compiler vectorises. */
#define ROWS(NAME, F64, LOG)                                                                    \
    ST_CLONES static void NAME(const char *g, const char *y, char *o, int64_t n, int64_t sg,      \
                               int64_t sy, int64_t so) {                                       \
        if (sg == 1 && sy == 1 && so == 1) softmax_backward_row(F64, LOG, g, y, o, n, 1, 1, 1);  \
        else softmax_backward_row(F64, LOG, g, y, o, n, sg, sy, so);                           \
    }
ROWS(softmax_backward_f32, 0, 0)
ROWS(softmax_backward_f64, 1, 0)
ROWS(logsoftmax_backward_f32, 0, 1)
ROWS(logsoftmax_backward_f64, 1, 1)
typedef void (*row_fn)(const char *, const char *, char *, int64_t, int64_t, int64_t, int64_t);

typedef struct { row_fn row; const char *g, *y; char *o; int64_t es, n, sg, sy, so; } rows_ctx;
static void visit_row(const int64_t *offset, void *p) {
    const rows_ctx *c = p;
    c->row(c->g + offset[0] * c->es, c->y + offset[1] * c->es, c->o + offset[2] * c->es, c->n, c->sg, c->sy, c->so);
}

static int softmax_backward(int f64, int logmode, const void *grad, const void *y, const st_geom *g, void *out) {
    if (g->inner_ndim != 1) return ST_ERR_ARGUMENT;
    const int64_t rows = st_outer_count(g), n = g->inner_shape[0];
    if (rows == 0 || n == 0) return 0;
    rows_ctx c = {
        .row = logmode ? (f64 ? logsoftmax_backward_f64 : logsoftmax_backward_f32) : (f64 ? softmax_backward_f64 : softmax_backward_f32),
        .g = grad, .y = y, .o = out, .es = f64 ? 8 : 4, .n = n,
        .sg = g->inner_strides[0][0], .sy = g->inner_strides[1][0], .so = g->inner_strides[2][0],
    };
    st_for_each_row(g, omp_get_max_threads() > 1 && rows > 1 && rows * n >= ST_PAR_GRAIN, visit_row, &c);
    return 0;
}

int st_softmax_backward_f32(int log, const float *grad, const float *y, const st_geom *g, float *out) {
    return softmax_backward(0, log, grad, y, g, out);
}
int st_softmax_backward_f64(int log, const double *grad, const double *y, const st_geom *g, double *out) {
    return softmax_backward(1, log, grad, y, g, out);
}

/* Zeroes `out`, then writes w[t] * -(g / total) (mean) or w[t] * -g at each non-ignored
   target, as the reference does. Sequential: one store per sample. */
static int nll_loss_backward(const int f64, const st_nll_backward *p, const void *grad, const void *weight,
                             void *out, int64_t *bad) {
    const int64_t count = p->samples * p->inner;
    memset(out, 0, (size_t)(count * p->classes) * (f64 ? 8 : 4));
    for (int64_t i = 0; i < count; i++) {
        const int64_t t = p->target[i];
        if (t != p->ignore_index && (t < 0 || t >= p->classes)) { *bad = t; return ST_ERR_INDEX; }
    }
    double total = p->total_weight;
    if (p->reduction == 1 && !p->total_given) {
        total = 0;
        for (int64_t i = 0; i < count; i++) {
            const int64_t t = p->target[i];
            if (t != p->ignore_index) total += weight ? LOADV(f64, weight, t) : 1;
        }
    }
    for (int64_t i = 0; i < count; i++) {
        const int64_t t = p->target[i];
        if (t == p->ignore_index) continue;
        double gi = LOADV(f64, grad, p->grad_per_sample ? i : 0);
        if (p->reduction == 1) gi = gi / total;
        const double w = weight ? LOADV(f64, weight, t) : 1;
        const int64_t n = i / p->inner, s = i % p->inner;
        STOREV(f64, out, (n * p->classes + t) * p->inner + s, w * -gi);
    }
    return 0;
}

int st_nll_loss_backward_f32(const st_nll_backward *p, const float *grad, const float *weight, float *out, int64_t *bad) {
    return nll_loss_backward(0, p, grad, weight, out, bad);
}
int st_nll_loss_backward_f64(const st_nll_backward *p, const double *grad, const double *weight, double *out, int64_t *bad) {
    return nll_loss_backward(1, p, grad, weight, out, bad);
}
