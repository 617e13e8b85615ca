/* max/min with indices, argmax and argmin: the position (row-major over the inner dims) of
   the first extremum, or of the first NaN when there is one, as PyTorch. Values are compared
   as double (exact for float32). */
#define ST_OMP_INTERNAL
#include "omp_reduce.h"

#include <stdlib.h>

typedef struct best { double v; int64_t i; } best;

/* `a` comes from earlier elements than `b`: a NaN in `a` wins, then one in `b`; a tie keeps `a`. */
static inline best better(int largest, best a, best b) {
    if (a.i < 0 || (b.i >= 0 && a.v == a.v && (b.v != b.v || (largest ? b.v > a.v : b.v < a.v)))) return b;
    return a;
}

/* Scans n elements (stride s) numbered from `first`, updating *b; returns 1 at a NaN (the
   scan can stop: nothing later wins). Contiguous data is checked 32 at a time with a
   vectorisable test, and only chunks holding a candidate are scanned element by element. */
static inline __attribute__((always_inline))
int scan_impl(const int largest, const int f64, const void *p, int64_t n, int64_t s, int64_t first, best *b) {
    const float *pf = p;
    const double *pd = p;
    int64_t k = 0;
    if (b->i < 0 && n > 0) { b->v = f64 ? pd[0] : pf[0]; b->i = first; }
    if (b->v != b->v) return 1;
    if (s == 1) {
        for (; k + 32 <= n; k += 32) {
            const double bv = b->v;
            int hit = 0;
            for (int j = 0; j < 32; j++) {
                double v = f64 ? pd[k + j] : pf[k + j];
                hit |= (v != v) | (largest ? v > bv : v < bv);
            }
            if (!hit) continue;
            for (int j = 0; j < 32; j++) {
                double v = f64 ? pd[k + j] : pf[k + j];
                if (v != v) { b->v = v; b->i = first + k + j; return 1; }
                if (largest ? v > b->v : v < b->v) { b->v = v; b->i = first + k + j; }
            }
        }
    }
    for (; k < n; k++) {
        double v = f64 ? pd[k * s] : pf[k * s];
        if (v != v) { b->v = v; b->i = first + k; return 1; }
        if (largest ? v > b->v : v < b->v) { b->v = v; b->i = first + k; }
    }
    return 0;
}

ST_CLONES static int scan_max_f32(const void *p, int64_t n, int64_t s, int64_t f, best *b) { return scan_impl(1, 0, p, n, s, f, b); }
ST_CLONES static int scan_max_f64(const void *p, int64_t n, int64_t s, int64_t f, best *b) { return scan_impl(1, 1, p, n, s, f, b); }
ST_CLONES static int scan_min_f32(const void *p, int64_t n, int64_t s, int64_t f, best *b) { return scan_impl(0, 0, p, n, s, f, b); }
ST_CLONES static int scan_min_f64(const void *p, int64_t n, int64_t s, int64_t f, best *b) { return scan_impl(0, 1, p, n, s, f, b); }
typedef int (*scan_fn)(const void *, int64_t, int64_t, int64_t, best *);

/* One output's inner flat range [ib, ie), run by run along the last inner dim. */
static best scan_rows(scan_fn scan, const char *base, size_t es, const st_geom *g, int64_t ib, int64_t ie) {
    best b = {0, -1};
    int last = g->inner_ndim - 1;
    int64_t len = g->inner_shape[last], stride = g->inner_strides[0][last];
    st_inner_walk walk;
    int64_t flat = ib - ib % len;
    int64_t off = st_inner_walk_seek(&walk, g, flat);
    int64_t pos = ib - flat;
    while (ib < ie) {
        int64_t n = len - pos < ie - ib ? len - pos : ie - ib;
        if (scan(base + (off + pos * stride) * (int64_t)es, n, stride, ib, &b)) break;
        ib += n;
        pos = 0;
        off = st_inner_walk_next_run(&walk, g, off);
    }
    return b;
}

/* Column layout: w adjacent outputs scanned together over inner range [ib, ie); branch-free
   updates, so the column loop vectorises. */
static inline __attribute__((always_inline))
void column_impl(const int largest, const int f64, const void *p, int64_t w, const st_geom *g,
                 int64_t ib, int64_t ie, best *out) {
    double bv[ST_COL_WIDTH];
    int64_t bi[ST_COL_WIDTH], nan[ST_COL_WIDTH];
    st_inner_walk walk;
    int64_t off = st_inner_walk_seek(&walk, g, ib);
    for (int64_t j = 0; j < w; j++) {
        double v = f64 ? ((const double *)p)[off + j] : ((const float *)p)[off + j];
        bv[j] = v; bi[j] = ib; nan[j] = v != v;
    }
    for (int64_t i = ib + 1; i < ie; i++) {
        off = st_inner_walk_next(&walk, g, off);
        for (int64_t j = 0; j < w; j++) {
            double v = f64 ? ((const double *)p)[off + j] : ((const float *)p)[off + j];
            int64_t take = !nan[j] & ((v != v) | (largest ? v > bv[j] : v < bv[j]));
            bv[j] = take ? v : bv[j];
            bi[j] = take ? i : bi[j];
            nan[j] |= v != v;
        }
    }
    for (int64_t j = 0; j < w; j++) { out[j].v = bv[j]; out[j].i = ie > ib ? bi[j] : -1; }
}

ST_CLONES static void col_max_f32(const void *p, int64_t w, const st_geom *g, int64_t ib, int64_t ie, best *o) { column_impl(1, 0, p, w, g, ib, ie, o); }
ST_CLONES static void col_max_f64(const void *p, int64_t w, const st_geom *g, int64_t ib, int64_t ie, best *o) { column_impl(1, 1, p, w, g, ib, ie, o); }
ST_CLONES static void col_min_f32(const void *p, int64_t w, const st_geom *g, int64_t ib, int64_t ie, best *o) { column_impl(0, 0, p, w, g, ib, ie, o); }
ST_CLONES static void col_min_f64(const void *p, int64_t w, const st_geom *g, int64_t ib, int64_t ie, best *o) { column_impl(0, 1, p, w, g, ib, ie, o); }
typedef void (*col_fn)(const void *, int64_t, const st_geom *, int64_t, int64_t, best *);

/* Same task split as the reduction engine: whole outputs (or column blocks) per thread, or,
   with fewer tasks than threads, every thread scans a slice of each and the slices combine
   in order. */
static int argreduce(int largest, int f64, const void *x, const st_geom *given, void *values, int64_t *indices) {
    st_geom gg = *given;
    if (gg.inner_ndim == 0) {
        const int64_t zero[ST_GEOM_OPERANDS] = {0};
        st_geom_add_inner(&gg, 1, zero);
    }
    const st_geom *g = &gg;
    const size_t es = f64 ? sizeof(double) : sizeof(float);
    const char *base = x;
    const int64_t outputs = st_outer_count(g), inner = st_inner_count(g);
    if (outputs == 0) return 0;
    if (inner == 0) return ST_ERR_ARGUMENT; /* no identity: the meta rules reject this */
    const int nd = g->outer_ndim;
    const int columns = nd > 0 && g->outer_strides[0][nd - 1] == 1 && g->outer_shape[nd - 1] >= 4
        && g->inner_strides[0][g->inner_ndim - 1] != 1;
    const int64_t width = columns ? g->outer_shape[nd - 1] : 1;
    const int64_t blocks = (width + ST_COL_WIDTH - 1) / ST_COL_WIDTH;
    const int64_t tasks = columns ? outputs / width * blocks : outputs;
    st_geom rows = *g;
    if (columns) rows.outer_ndim--;
    scan_fn scan = largest ? (f64 ? scan_max_f64 : scan_max_f32) : (f64 ? scan_min_f64 : scan_min_f32);
    col_fn col = largest ? (f64 ? col_max_f64 : col_max_f32) : (f64 ? col_min_f64 : col_min_f32);
    const int threads = omp_get_max_threads();
    const int parallel = threads > 1 && outputs * inner >= ST_PAR_GRAIN;
    const int split_inner = parallel && tasks < threads;
    best *res = malloc(sizeof(best) * (size_t)outputs * (size_t)(split_inner ? threads : 1));
    if (!res) return ST_ERR_MEMORY;
    if (split_inner)
        for (int64_t i = 0; i < (int64_t)threads * outputs; i++) res[i] = (best){0, -1};
    #pragma omp parallel if(parallel)
    {
        int64_t tb = 0, te = tasks, ib = 0, ie = inner;
        best *dst = res;
        if (split_inner) {
            st_thread_range(inner, &ib, &ie);
            dst = res + (int64_t)omp_get_thread_num() * outputs;
        } else {
            st_thread_range(tasks, &tb, &te);
        }
        st_cursor cursor;
        if (columns) {
            for (int64_t t = tb; t < te && ib < ie; t++) {
                int64_t row = t / blocks, j0 = t % blocks * ST_COL_WIDTH;
                int64_t w = width - j0 < ST_COL_WIDTH ? width - j0 : ST_COL_WIDTH;
                st_cursor_seek(&cursor, &rows, row);
                col(base + (cursor.offset[0] + j0) * (int64_t)es, w, g, ib, ie, dst + row * width + j0);
            }
        } else if (tb < te) {
            st_cursor_seek(&cursor, g, tb);
            for (int64_t o = tb; o < te; o++) {
                dst[o] = scan_rows(scan, base + cursor.offset[0] * (int64_t)es, es, g, ib, ie);
                st_cursor_next(&cursor, g);
            }
        }
    }
    for (int64_t o = 0; o < outputs; o++) {
        best b = res[o];
        if (split_inner)
            for (int t = 1; t < threads; t++) b = better(largest, b, res[(int64_t)t * outputs + o]);
        indices[o] = b.i;
        if (values) {
            if (f64) ((double *)values)[o] = b.v;
            else ((float *)values)[o] = (float)b.v;
        }
    }
    free(res);
    return 0;
}

int st_argreduce_f32(int largest, const float *x, const st_geom *g, float *values, int64_t *indices) {
    return argreduce(largest, 0, x, g, values, indices);
}

int st_argreduce_f64(int largest, const double *x, const st_geom *g, double *values, int64_t *indices) {
    return argreduce(largest, 1, x, g, values, indices);
}
