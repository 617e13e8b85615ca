/* The reduction engine: sum, prod, max, min, sum of squared deviations and sum of
   exponentials over the inner dims of an st_geom, accumulated in double (float32 inputs
   too: a 100,000-term float32 sum then carries ~11 correct digits), into one double per
   outer index. st_reduce_* (reduce_ops.c) builds mean, var, std and logsumexp on it. */
#define ST_OMP_INTERNAL
#include "omp_reduce.h"

#include <math.h>
#include <stdlib.h>

void st_geom_init(st_geom *g) { memset(g, 0, sizeof *g); }

int st_geom_add_outer(st_geom *g, int64_t size, const int64_t *strides) {
    if (g->outer_ndim >= ST_GEOM_MAX_DIMS) return ST_ERR_RANK;
    int d = g->outer_ndim++;
    g->outer_shape[d] = size;
    for (int k = 0; k < ST_GEOM_OPERANDS; k++) g->outer_strides[k][d] = strides[k];
    return 0;
}

int st_geom_add_inner(st_geom *g, int64_t size, const int64_t *strides) {
    if (g->inner_ndim >= ST_GEOM_MAX_DIMS) return ST_ERR_RANK;
    int d = g->inner_ndim++;
    g->inner_shape[d] = size;
    for (int k = 0; k < ST_GEOM_OPERANDS; k++) g->inner_strides[k][d] = strides[k];
    return 0;
}

/* Sum-like runs restart their vector accumulators every block and add the block's total to
   a running double: blocked summation, so float64 runs of 10^8 terms stay accurate too. */
#define SUM_BLOCK 2048
/* Columns reduced together in the column layout; fold blocked sums every COL_FOLD steps. */
#define COL_FOLD 256

/* Four 4-wide double vectors from element i (floats are widened exactly). */
#define LOAD4D(f64, p, i) ({                                                        \
    st_v4d v_;                                                                      \
    if (f64) memcpy(&v_, (const double *)(p) + (i), sizeof v_);                     \
    else { st_v4f f_; memcpy(&f_, (const float *)(p) + (i), sizeof f_);             \
           v_ = __builtin_convertvector(f_, st_v4d); }                              \
    v_; })

/* One contiguous run of n elements. `f64` and `kind` are constants after inlining. */
static inline __attribute__((always_inline))
double run_contiguous(const int kind, const int f64, const void *p, int64_t n, double c) {
    const float *pf = p;
    const double *pd = p;
    double acc = st_acc_identity(kind);
    int64_t i = 0;
    if (kind == ST_ACC_SUM || kind == ST_ACC_SQDEV) {
        while (i + 16 <= n) {
            int64_t stop = i + SUM_BLOCK < n ? i + SUM_BLOCK : n;
            st_v4d a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
            for (; i + 16 <= stop; i += 16) {
                st_v4d v0 = LOAD4D(f64, p, i), v1 = LOAD4D(f64, p, i + 4);
                st_v4d v2 = LOAD4D(f64, p, i + 8), v3 = LOAD4D(f64, p, i + 12);
                if (kind == ST_ACC_SQDEV) {
                    v0 -= c; v1 -= c; v2 -= c; v3 -= c;
                    v0 *= v0; v1 *= v1; v2 *= v2; v3 *= v3;
                }
                a0 += v0; a1 += v1; a2 += v2; a3 += v3;
            }
            st_v4d s = (a0 + a1) + (a2 + a3);
            acc += (s[0] + s[1]) + (s[2] + s[3]);
        }
    } else if (kind == ST_ACC_PROD) {
        st_v4d a0 = {1, 1, 1, 1}, a1 = a0, a2 = a0, a3 = a0;
        for (; i + 16 <= n; i += 16) {
            a0 *= LOAD4D(f64, p, i); a1 *= LOAD4D(f64, p, i + 4);
            a2 *= LOAD4D(f64, p, i + 8); a3 *= LOAD4D(f64, p, i + 12);
        }
        st_v4d s = (a0 * a1) * (a2 * a3);
        acc = (s[0] * s[1]) * (s[2] * s[3]);
    } else if (kind == ST_ACC_MAX || kind == ST_ACC_MIN) {
        /* Plain compare-select (ignores NaN) plus a NaN flag: both vectorise. */
        st_v4d a0 = {0}, a1 = {0};
        st_v4l nan = {0};
        if (n >= 8) {
            a0 = LOAD4D(f64, p, 0); a1 = LOAD4D(f64, p, 4);
            for (i = 8; i + 8 <= n; i += 8) {
                st_v4d v0 = LOAD4D(f64, p, i), v1 = LOAD4D(f64, p, i + 4);
                nan |= (v0 != v0) | (v1 != v1);
                if (kind == ST_ACC_MAX) {
                    a0 = ST_SELECT(st_v4d, st_v4l, v0 > a0, v0, a0);
                    a1 = ST_SELECT(st_v4d, st_v4l, v1 > a1, v1, a1);
                } else {
                    a0 = ST_SELECT(st_v4d, st_v4l, v0 < a0, v0, a0);
                    a1 = ST_SELECT(st_v4d, st_v4l, v1 < a1, v1, a1);
                }
            }
            nan |= (a0 != a0) | (a1 != a1);
            if (nan[0] | nan[1] | nan[2] | nan[3]) return __builtin_nan("");
            for (int j = 0; j < 4; j++) {
                acc = st_acc_combine(kind, acc, a0[j]);
                acc = st_acc_combine(kind, acc, a1[j]);
            }
        }
    } else { /* ST_ACC_SUMEXP: exp(x - c); float32 takes the float exp, 16 lanes at a time. */
        st_v4d a0 = {0}, a1 = {0};
        if (f64) {
            for (; i + 8 <= n; i += 8) {
                double b[8];
                for (int j = 0; j < 8; j++) b[j] = pd[i + j] - c;
                st_exp8d(b);
                st_v4d v0, v1;
                memcpy(&v0, b, sizeof v0); memcpy(&v1, b + 4, sizeof v1);
                a0 += v0; a1 += v1;
            }
        } else {
            const float cf = (float)c;
            for (; i + 16 <= n; i += 16) {
                float b[16];
                for (int j = 0; j < 16; j++) b[j] = pf[i + j] - cf;
                st_exp16f(b);
                for (int h = 0; h < 16; h += 8) {
                    st_v4f lo, hi;
                    memcpy(&lo, b + h, sizeof lo); memcpy(&hi, b + h + 4, sizeof hi);
                    a0 += __builtin_convertvector(lo, st_v4d);
                    a1 += __builtin_convertvector(hi, st_v4d);
                }
            }
        }
        st_v4d s = a0 + a1;
        acc = (s[0] + s[1]) + (s[2] + s[3]);
    }
    for (; i < n; i++) acc = st_acc_step(kind, f64, acc, f64 ? pd[i] : (double)pf[i], c);
    return acc;
}

static inline __attribute__((always_inline))
double run_impl(const int kind, const int f64, const void *p, int64_t n, int64_t stride, double c) {
    if (stride == 1) return run_contiguous(kind, f64, p, n, c);
    const float *pf = p;
    const double *pd = p;
    double acc = st_acc_identity(kind);
    for (int64_t i = 0; i < n; i++) acc = st_acc_step(kind, f64, acc, f64 ? pd[i * stride] : (double)pf[i * stride], c);
    return acc;
}

/* Column layout: `w` adjacent outputs (stride 1) reduced together over the inner flat range
   [ib, ie), vectorised across the columns. `p` points at column 0 of inner index 0. */
static inline __attribute__((always_inline))
void column_impl(const int kind, const int f64, const void *p, int64_t w, const st_geom *g,
                 int64_t ib, int64_t ie, const double *center, double *out) {
    static const double zeros[ST_COL_WIDTH];
    const double *c = center ? center : zeros;
    double total[ST_COL_WIDTH], block[ST_COL_WIDTH];
    for (int64_t j = 0; j < w; j++) total[j] = block[j] = st_acc_identity(kind);
    const int sumlike = kind == ST_ACC_SUM || kind == ST_ACC_SQDEV || kind == ST_ACC_SUMEXP;
    st_inner_walk walk;
    int64_t off = st_inner_walk_seek(&walk, g, ib);
    int steps = 0;
    for (int64_t flat = ib; flat < ie; flat++) {
        if (kind == ST_ACC_SUMEXP) {
            /* exp wants whole vectors: stage the shifted values, 8 at a time. */
            if (f64) {
                double b[ST_COL_WIDTH];
                const double *row = (const double *)p + off;
                for (int64_t j = 0; j < w; j++) b[j] = row[j] - c[j];
                for (int64_t j = w; j % 4; j++) b[j] = 0; /* pad the last vector */
                for (int64_t j = 0; j < w; j += 4) st_exp4d(b + j);
                for (int64_t j = 0; j < w; j++) block[j] += b[j];
            } else {
                float b[ST_COL_WIDTH];
                const float *row = (const float *)p + off;
                for (int64_t j = 0; j < w; j++) b[j] = row[j] - (float)c[j];
                for (int64_t j = w; j % 8; j++) b[j] = 0;
                for (int64_t j = 0; j < w; j += 8) st_exp8f(b + j);
                for (int64_t j = 0; j < w; j++) block[j] += (double)b[j];
            }
        } else if (f64) {
            const double *row = (const double *)p + off;
            for (int64_t j = 0; j < w; j++) block[j] = st_acc_step(kind, 1, block[j], row[j], c[j]);
        } else {
            const float *row = (const float *)p + off;
            for (int64_t j = 0; j < w; j++) block[j] = st_acc_step(kind, 0, block[j], (double)row[j], c[j]);
        }
        if (sumlike && ++steps == COL_FOLD) {
            for (int64_t j = 0; j < w; j++) { total[j] += block[j]; block[j] = 0; }
            steps = 0;
        }
        off = st_inner_walk_next(&walk, g, off);
    }
    for (int64_t j = 0; j < w; j++) out[j] = sumlike ? total[j] + block[j] : block[j];
}

/* One clone-dispatched function per (kind, dtype) for each layout. */
#define INSTANTIATE(KIND, F64, NAME)                                                        \
    ST_CLONES static double run_##NAME(const void *p, int64_t n, int64_t s, double c) {   \
        return run_impl(KIND, F64, p, n, s, c);                                             \
    }                                                                                       \
    ST_CLONES static void col_##NAME(const void *p, int64_t w, const st_geom *g, int64_t ib, \
                                     int64_t ie, const double *c, double *o) {              \
        column_impl(KIND, F64, p, w, g, ib, ie, c, o);                                      \
    }
INSTANTIATE(ST_ACC_SUM, 0, sum_f32)
INSTANTIATE(ST_ACC_SUM, 1, sum_f64)
INSTANTIATE(ST_ACC_PROD, 0, prod_f32)
INSTANTIATE(ST_ACC_PROD, 1, prod_f64)
INSTANTIATE(ST_ACC_MAX, 0, max_f32)
INSTANTIATE(ST_ACC_MAX, 1, max_f64)
INSTANTIATE(ST_ACC_MIN, 0, min_f32)
INSTANTIATE(ST_ACC_MIN, 1, min_f64)
INSTANTIATE(ST_ACC_SQDEV, 0, sqdev_f32)
INSTANTIATE(ST_ACC_SQDEV, 1, sqdev_f64)
INSTANTIATE(ST_ACC_SUMEXP, 0, sumexp_f32)
INSTANTIATE(ST_ACC_SUMEXP, 1, sumexp_f64)

typedef double (*run_fn)(const void *, int64_t, int64_t, double);
typedef void (*col_fn)(const void *, int64_t, const st_geom *, int64_t, int64_t, const double *, double *);

static run_fn run_for(int kind, int f64) {
    static const run_fn table[ST_ACC_KINDS][2] = {
        {run_sum_f32, run_sum_f64}, {run_prod_f32, run_prod_f64}, {run_max_f32, run_max_f64},
        {run_min_f32, run_min_f64}, {run_sqdev_f32, run_sqdev_f64}, {run_sumexp_f32, run_sumexp_f64}};
    return table[kind][f64];
}

static col_fn col_for(int kind, int f64) {
    static const col_fn table[ST_ACC_KINDS][2] = {
        {col_sum_f32, col_sum_f64}, {col_prod_f32, col_prod_f64}, {col_max_f32, col_max_f64},
        {col_min_f32, col_min_f64}, {col_sqdev_f32, col_sqdev_f64}, {col_sumexp_f32, col_sumexp_f64}};
    return table[kind][f64];
}

/* The inner flat range [ib, ie) of one output, as runs along the last inner dim. */
static double reduce_rows(run_fn run, int kind, const char *base, size_t es, const st_geom *g,
                          int64_t ib, int64_t ie, double c) {
    int last = g->inner_ndim - 1;
    int64_t len = g->inner_shape[last], stride = g->inner_strides[0][last];
    double acc = st_acc_identity(kind);
    st_inner_walk walk;
    int64_t flat = ib - ib % len;
    int64_t off = st_inner_walk_seek(&walk, g, flat);
    int64_t pos = ib - flat;
    while (ib < ie) {
        int64_t n = len - pos < ie - ib ? len - pos : ie - ib;
        acc = st_acc_combine(kind, acc, run(base + (off + pos * stride) * (int64_t)es, n, stride, c));
        ib += n;
        pos = 0;
        off = st_inner_walk_next_run(&walk, g, off);
    }
    return acc;
}

int st_engine(int kind, int f64, const void *x, const st_geom *g, const double *center, double *res) {
    const size_t es = f64 ? sizeof(double) : sizeof(float);
    const char *base = x;
    const int64_t outputs = st_outer_count(g), inner = st_inner_count(g);
    if (g->inner_ndim < 1) return ST_ERR_ARGUMENT;
    if (outputs == 0) return 0;
    if (inner == 0) {
        for (int64_t o = 0; o < outputs; o++) res[o] = st_acc_identity(kind);
        return 0;
    }
    const int nd = g->outer_ndim;
    const int columns = nd > 0 && g->outer_strides[0][nd - 1] == 1 && g->outer_shape[nd - 1] >= 4
        && g->inner_strides[0][g->inner_ndim - 1] != 1;
    /* Column tasks: one per block of up to ST_COL_WIDTH adjacent outputs. */
    const int64_t width = columns ? g->outer_shape[nd - 1] : 1;
    const int64_t blocks = (width + ST_COL_WIDTH - 1) / ST_COL_WIDTH;
    const int64_t tasks = columns ? outputs / width * blocks : outputs;
    st_geom rows = *g; /* the outer dims without the column dim, to seek a task's row */
    if (columns) rows.outer_ndim--;
    run_fn run = run_for(kind, f64);
    col_fn col = col_for(kind, f64);
    const int threads = omp_get_max_threads();
    const int parallel = threads > 1 && outputs * inner >= ST_PAR_GRAIN;

    /* Many outputs: threads take whole tasks. Few: threads split every task's inner range
       and their partial results are combined in thread order (deterministic). */
    const int split_inner = parallel && tasks < threads;
    double *partial = NULL;
    if (split_inner) {
        partial = malloc(sizeof(double) * (size_t)threads * (size_t)outputs);
        if (!partial) return ST_ERR_MEMORY;
        for (int64_t i = 0; i < (int64_t)threads * outputs; i++) partial[i] = st_acc_identity(kind);
    }
    #pragma omp parallel if(parallel)
    {
        int64_t tb = 0, te = tasks, ib = 0, ie = inner;
        double *dst = res;
        if (split_inner) {
            st_thread_range(inner, &ib, &ie);
            dst = partial + (int64_t)omp_get_thread_num() * outputs;
        } else {
            st_thread_range(tasks, &tb, &te);
        }
        st_cursor cursor;
        if (columns) {
            for (int64_t t = tb; t < te; t++) {
                int64_t row = t / blocks, j0 = t % blocks * ST_COL_WIDTH;
                int64_t w = width - j0 < ST_COL_WIDTH ? width - j0 : ST_COL_WIDTH;
                st_cursor_seek(&cursor, &rows, row);
                int64_t o0 = row * width + j0;
                col(base + (cursor.offset[0] + j0) * (int64_t)es, w, g, ib, ie,
                    center ? center + o0 : NULL, dst + o0);
            }
        } else if (tb < te) {
            st_cursor_seek(&cursor, g, tb);
            for (int64_t o = tb; o < te; o++) {
                dst[o] = reduce_rows(run, kind, base + cursor.offset[0] * (int64_t)es, es, g, ib, ie,
                                     center ? center[o] : 0);
                st_cursor_next(&cursor, g);
            }
        }
    }
    if (split_inner) {
        for (int64_t o = 0; o < outputs; o++) {
            double acc = partial[o];
            for (int t = 1; t < threads; t++) acc = st_acc_combine(kind, acc, partial[(int64_t)t * outputs + o]);
            res[o] = acc;
        }
        free(partial);
    }
    return 0;
}
