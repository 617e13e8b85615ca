/* softmax and log_softmax along one dim (inner_ndim == 1; operand 0 input, 1 output).
   Per row: one pass for the maximum, one for the sum of exp(x - max) (softmax stores the
   exponentials on the way), one write pass: out *= 1 / sum, or out = x - max - log(sum)
   (never log(softmax), which underflows). Sums accumulate in double; float32 rows use the
   float32 exp. A NaN maximum (a NaN in the row) makes the row NaN, as in the reference. */
#define ST_OMP_INTERNAL
#include "omp_reduce.h"

#include <math.h>

#define LOAD(f64, p, i) ((f64) ? ((const double *)(p))[i] : (double)((const float *)(p))[i])

/* Maximum of n elements (stride s), NaN if any is NaN; -inf for none. */
static inline __attribute__((always_inline))
double chunk_max(const int f64, const void *p, int64_t n, int64_t s) {
    double m = -__builtin_inf();
    int64_t i = 0;
    if (s == 1 && !f64 && n >= 8) {
        const float *pf = p;
        st_v8f a;
        st_v8i nan = {0};
        memcpy(&a, pf, sizeof a);
        for (i = 8; i + 8 <= n; i += 8) {
            st_v8f v;
            memcpy(&v, pf + i, sizeof v);
            nan |= v != v;
            a = ST_SELECT(st_v8f, st_v8i, v > a, v, a);
        }
        nan |= a != a;
        for (int j = 0; j < 8; j++) { if (nan[j]) return __builtin_nan(""); m = st_nanmax(m, a[j]); }
    } else if (s == 1 && f64 && n >= 4) {
        const double *pd = p;
        st_v4d a;
        st_v4l nan = {0};
        memcpy(&a, pd, sizeof a);
        for (i = 4; i + 4 <= n; i += 4) {
            st_v4d v;
            memcpy(&v, pd + i, sizeof v);
            nan |= v != v;
            a = ST_SELECT(st_v4d, st_v4l, v > a, v, a);
        }
        nan |= a != a;
        for (int j = 0; j < 4; j++) { if (nan[j]) return __builtin_nan(""); m = st_nanmax(m, a[j]); }
    }
    for (; i < n; i++) m = st_nanmax(m, LOAD(f64, p, i * s));
    return m;
}

/* Sum of exp(x - m); softmax (`store`) also writes the exponentials to out. */
static inline __attribute__((always_inline))
double chunk_expsum(const int f64, const int store, const void *x, void *out, int64_t n,
                    int64_t sx, int64_t so, double m) {
    double sum = 0;
    int64_t i = 0;
    if (sx == 1 && (so == 1 || !store)) {
        st_v4d acc = {0};
        if (f64) {
            const double *xd = x;
            for (; i + 8 <= n; i += 8) {
                double b[8];
                for (int j = 0; j < 8; j++) b[j] = xd[i + j] - m;
                st_exp8d(b);
                if (store) memcpy((double *)out + i, b, sizeof b);
                st_v4d v0, v1;
                memcpy(&v0, b, sizeof v0); memcpy(&v1, b + 4, sizeof v1);
                acc += v0 + v1;
            }
        } else {
            const float *xf = x;
            const float mf = (float)m;
            for (; i + 16 <= n; i += 16) {
                float b[16];
                for (int j = 0; j < 16; j++) b[j] = xf[i + j] - mf;
                st_exp16f(b);
                if (store) memcpy((float *)out + i, b, sizeof b);
                for (int h = 0; h < 16; h += 8) {
                    st_v4f lo, hi;
                    memcpy(&lo, b + h, sizeof lo); memcpy(&hi, b + h + 4, sizeof hi);
                    acc += __builtin_convertvector(lo, st_v4d) + __builtin_convertvector(hi, st_v4d);
                }
            }
        }
        sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    }
    for (; i < n; i++) {
        if (f64) {
            double e = st_exp(((const double *)x)[i * sx] - m);
            if (store) ((double *)out)[i * so] = e;
            sum += e;
        } else {
            float e = st_expf(((const float *)x)[i * sx] - (float)m);
            if (store) ((float *)out)[i * so] = e;
            sum += e;
        }
    }
    return sum;
}

/* softmax: out *= k (k = 1 / sum); log_softmax: out = x - m - k (k = log(sum)). */
static inline __attribute__((always_inline))
void chunk_finish(const int f64, const int logmode, const void *x, void *out, int64_t n,
                  int64_t sx, int64_t so, double m, double k) {
    if (f64) {
        const double *xd = x;
        double *od = out;
        if (logmode) for (int64_t i = 0; i < n; i++) od[i * so] = xd[i * sx] - m - k;
        else for (int64_t i = 0; i < n; i++) od[i * so] *= k;
    } else {
        const float *xf = x;
        float *of = out;
        const float mf = (float)m, kf = (float)k;
        if (logmode) for (int64_t i = 0; i < n; i++) of[i * so] = xf[i * sx] - mf - kf;
        else for (int64_t i = 0; i < n; i++) of[i * so] *= kf;
    }
}

/* One function per (dtype, log) that runs a pass over a chunk: pass 0 max, 1 sums, 2 write. */
#define PASSES(NAME, F64, LOG)                                                                 \
    ST_CLONES static double NAME(int pass, const void *x, void *out, int64_t n, int64_t sx,   \
                                 int64_t so, double m, double k) {                             \
        if (pass == 0) return chunk_max(F64, x, n, sx);                                        \
        if (pass == 1) return chunk_expsum(F64, !(LOG), x, out, n, sx, so, m);                 \
        if (sx == 1 && so == 1) chunk_finish(F64, LOG, x, out, n, 1, 1, m, k);                 \
        else chunk_finish(F64, LOG, x, out, n, sx, so, m, k);                                  \
        return 0;                                                                              \
    }
PASSES(softmax_f32, 0, 0)
PASSES(softmax_f64, 1, 0)
PASSES(logsoftmax_f32, 0, 1)
PASSES(logsoftmax_f64, 1, 1)
typedef double (*pass_fn)(int, const void *, void *, int64_t, int64_t, int64_t, double, double);

static inline double finish_constant(int logmode, double sum) { return logmode ? log(sum) : 1.0 / sum; }

/* Column layout: w adjacent rows (stride 1 in input and output) processed together, each
   pass vectorised across them. */
static inline __attribute__((always_inline))
void columns_impl(const int f64, const int logmode, const void *x, void *out, int64_t w, int64_t n,
                  int64_t sx, int64_t so) {
    double m[ST_COL_WIDTH], s[ST_COL_WIDTH], k[ST_COL_WIDTH];
    for (int64_t j = 0; j < w; j++) { m[j] = -__builtin_inf(); s[j] = 0; }
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < w; j++) m[j] = st_nanmax(m[j], LOAD(f64, x, i * sx + j));
    for (int64_t i = 0; i < n; i++) {
        if (f64) {
            double b[ST_COL_WIDTH];
            for (int64_t j = 0; j < w; j++) b[j] = ((const double *)x)[i * sx + j] - m[j];
            for (int64_t j = w; j % 4; j++) b[j] = 0; /* pad the last vector */
            for (int64_t j = 0; j < w; j += 4) st_exp4d(b + j);
            for (int64_t j = 0; j < w; j++) s[j] += b[j];
            if (!logmode) memcpy((double *)out + i * so, b, sizeof(double) * (size_t)w);
        } else {
            float b[ST_COL_WIDTH];
            for (int64_t j = 0; j < w; j++) b[j] = ((const float *)x)[i * sx + j] - (float)m[j];
            for (int64_t j = w; j % 8; j++) b[j] = 0;
            for (int64_t j = 0; j < w; j += 8) st_exp8f(b + j);
            for (int64_t j = 0; j < w; j++) s[j] += b[j];
            if (!logmode) memcpy((float *)out + i * so, b, sizeof(float) * (size_t)w);
        }
    }
    for (int64_t j = 0; j < w; j++) k[j] = finish_constant(logmode, s[j]);
    for (int64_t i = 0; i < n; i++) {
        if (f64) {
            const double *xr = (const double *)x + i * sx;
            double *orow = (double *)out + i * so;
            if (logmode) for (int64_t j = 0; j < w; j++) orow[j] = xr[j] - m[j] - k[j];
            else for (int64_t j = 0; j < w; j++) orow[j] *= k[j];
        } else {
            const float *xr = (const float *)x + i * sx;
            float *orow = (float *)out + i * so;
            if (logmode) for (int64_t j = 0; j < w; j++) orow[j] = xr[j] - (float)m[j] - (float)k[j];
            else for (int64_t j = 0; j < w; j++) orow[j] *= (float)k[j];
        }
    }
}

#define COLUMNS(NAME, F64, LOG)                                                                 \
    ST_CLONES static void NAME(const void *x, void *o, int64_t w, int64_t n, int64_t sx, int64_t so) { \
        columns_impl(F64, LOG, x, o, w, n, sx, so);                                             \
    }
COLUMNS(softmax_cols_f32, 0, 0)
COLUMNS(softmax_cols_f64, 1, 0)
COLUMNS(logsoftmax_cols_f32, 0, 1)
COLUMNS(logsoftmax_cols_f64, 1, 1)

typedef struct { pass_fn pass; int logmode; const char *x; char *o; int64_t es, n, sx, so; } rows_ctx;
static void softmax_visit(const int64_t *offset, void *p) {
    const rows_ctx *c = p;
    const char *xr = c->x + offset[0] * c->es;
    char *orow = c->o + offset[1] * c->es;
    double m = c->pass(0, xr, orow, c->n, c->sx, c->so, 0, 0);
    double s = c->pass(1, xr, orow, c->n, c->sx, c->so, m, 0);
    c->pass(2, xr, orow, c->n, c->sx, c->so, m, finish_constant(c->logmode, s));
}

static int softmax(int f64, int logmode, const void *x, const st_geom *g, void *out) {
    if (g->inner_ndim != 1) return ST_ERR_ARGUMENT;
    const int64_t es = f64 ? 8 : 4;
    const int64_t rows = st_outer_count(g), n = g->inner_shape[0];
    const int64_t sx = g->inner_strides[0][0], so = g->inner_strides[1][0];
    const char *xb = x;
    char *ob = out;
    if (rows == 0 || n == 0) return 0;
    const int threads = omp_get_max_threads();
    const int parallel = threads > 1 && rows * n >= ST_PAR_GRAIN;
    const int nd = g->outer_ndim;
    pass_fn pass = logmode ? (f64 ? logsoftmax_f64 : logsoftmax_f32) : (f64 ? softmax_f64 : softmax_f32);

    if (parallel && rows < threads) {
        /* Few long rows: the team shares each row; partial maxima and sums combine in thread
           order between the passes. */
        double maxima[256], sums[256];
        const int team = threads < 256 ? threads : 256;
        st_cursor cursor;
        st_cursor_seek(&cursor, g, 0);
        for (int64_t r = 0; r < rows; r++) {
            const char *xr = xb + cursor.offset[0] * es;
            char *orow = ob + cursor.offset[1] * es;
            #pragma omp parallel num_threads(team)
            {
                int64_t b, e;
                st_thread_range(n, &b, &e);
                const int t = omp_get_thread_num(), nt = omp_get_num_threads();
                const void *xc = xr + b * sx * es;
                void *oc = orow + b * so * es;
                maxima[t] = pass(0, xc, oc, e - b, sx, so, 0, 0);
                #pragma omp barrier
                double m = -__builtin_inf();
                for (int k = 0; k < nt; k++) m = st_nanmax(m, maxima[k]);
                sums[t] = pass(1, xc, oc, e - b, sx, so, m, 0);
                #pragma omp barrier
                double s = 0;
                for (int k = 0; k < nt; k++) s += sums[k];
                pass(2, xc, oc, e - b, sx, so, m, finish_constant(logmode, s));
            }
            st_cursor_next(&cursor, g);
        }
        return 0;
    }

    const int columns = nd > 0 && g->outer_strides[0][nd - 1] == 1 && g->outer_strides[1][nd - 1] == 1
        && g->outer_shape[nd - 1] >= 4 && (sx != 1 || so != 1);
    if (columns) {
        st_cols_fn cols = logmode ? (f64 ? logsoftmax_cols_f64 : logsoftmax_cols_f32)
                               : (f64 ? softmax_cols_f64 : softmax_cols_f32);
        st_run_column_blocks(g, rows, es, xb, ob, cols, n, sx, so, parallel);
        return 0;
    }

    rows_ctx c = {pass, logmode, xb, ob, es, n, sx, so};
    st_for_each_row(g, parallel, softmax_visit, &c);
    return 0;
}

int st_softmax_f32(int log, const float *x, const st_geom *g, float *out) { return softmax(0, log, x, g, out); }
int st_softmax_f64(int log, const double *x, const st_geom *g, double *out) { return softmax(1, log, x, g, out); }
