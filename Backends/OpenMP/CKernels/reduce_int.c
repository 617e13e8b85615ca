/* int64 reductions (sum, prod, amax, amin, max/min/argmax/argmin, cumsum), for integer and
   bool inputs that the meta rules widen to int64. Sums and products wrap on overflow, as
   PyTorch's (unsigned arithmetic: no undefined behaviour). Integer min/max/add reductions
   vectorise without reassociation flags, so plain loops suffice; the split across threads is
   the engine's: whole outputs per thread, or slices of the inner range for few outputs. */
#define ST_OMP_INTERNAL
#include "omp_reduce.h"

#include <stdlib.h>

static inline uint64_t identity(int op) {
    switch (op) {
    case ST_RED_PROD: return 1;
    case ST_RED_AMAX: return (uint64_t)INT64_MIN;
    case ST_RED_AMIN: return (uint64_t)INT64_MAX;
    default: return 0;
    }
}

static inline uint64_t combine(int op, uint64_t a, uint64_t b) {
    switch (op) {
    case ST_RED_PROD: return a * b;
    case ST_RED_AMAX: return (int64_t)b > (int64_t)a ? b : a;
    case ST_RED_AMIN: return (int64_t)b < (int64_t)a ? b : a;
    default: return a + b;
    }
}

static inline __attribute__((always_inline)) uint64_t run_impl(const int op, const int64_t *p, int64_t n, int64_t s) {
    uint64_t acc = identity(op);
    if (s == 1) for (int64_t i = 0; i < n; i++) acc = combine(op, acc, (uint64_t)p[i]);
    else for (int64_t i = 0; i < n; i++) acc = combine(op, acc, (uint64_t)p[i * s]);
    return acc;
}

ST_CLONES static uint64_t run_sum(const int64_t *p, int64_t n, int64_t s) { return run_impl(ST_RED_SUM, p, n, s); }
ST_CLONES static uint64_t run_prod(const int64_t *p, int64_t n, int64_t s) { return run_impl(ST_RED_PROD, p, n, s); }
ST_CLONES static uint64_t run_max(const int64_t *p, int64_t n, int64_t s) { return run_impl(ST_RED_AMAX, p, n, s); }
ST_CLONES static uint64_t run_min(const int64_t *p, int64_t n, int64_t s) { return run_impl(ST_RED_AMIN, p, n, s); }

/* An inner flat range [ib, ie) of the output at `base`, run by run. */
static uint64_t inner_range(int op, const int64_t *base, const st_geom *g, int64_t ib, int64_t ie) {
    uint64_t (*run)(const int64_t *, int64_t, int64_t) =
        op == ST_RED_PROD ? run_prod : op == ST_RED_AMAX ? run_max : op == ST_RED_AMIN ? run_min : run_sum;
    const int last = g->inner_ndim - 1;
    const int64_t len = g->inner_shape[last], stride = g->inner_strides[0][last];
    uint64_t acc = identity(op);
    st_inner_walk walk;
    int64_t flat = ib - ib % len;
    int64_t off = st_inner_walk_seek(&walk, g, flat), pos = ib - flat;
    while (ib < ie) {
        int64_t n = len - pos < ie - ib ? len - pos : ie - ib;
        acc = combine(op, acc, run(base + off + pos * stride, n, stride));
        ib += n;
        pos = 0;
        off = st_inner_walk_next_run(&walk, g, off);
    }
    return acc;
}

int st_reduce_i64(int op, const int64_t *x, const st_geom *given, int64_t *out) {
    if (op != ST_RED_SUM && op != ST_RED_PROD && op != ST_RED_AMAX && op != ST_RED_AMIN) return ST_ERR_ARGUMENT;
    st_geom g = *given;
    if (g.inner_ndim == 0) {
        const int64_t zero[ST_GEOM_OPERANDS] = {0};
        st_geom_add_inner(&g, 1, zero);
    }
    const int64_t outputs = st_outer_count(&g), inner = st_inner_count(&g);
    if (outputs == 0) return 0;
    const int threads = omp_get_max_threads();
    const int parallel = threads > 1 && outputs * inner >= ST_PAR_GRAIN;
    const int split_inner = parallel && outputs < threads;
    uint64_t *partial = split_inner ? malloc(sizeof(uint64_t) * (size_t)threads * (size_t)outputs) : NULL;
    if (split_inner && !partial) return ST_ERR_MEMORY;
    for (int64_t i = 0; split_inner && i < (int64_t)threads * outputs; i++) partial[i] = identity(op);
    #pragma omp parallel if(parallel)
    {
        int64_t ob = 0, oe = outputs, ib = 0, ie = inner;
        uint64_t *dst = (uint64_t *)out;
        if (split_inner) {
            st_thread_range(inner, &ib, &ie);
            dst = partial + (int64_t)omp_get_thread_num() * outputs;
        } else {
            st_thread_range(outputs, &ob, &oe);
        }
        st_cursor cursor;
        if (ob < oe) st_cursor_seek(&cursor, &g, ob);
        for (int64_t o = ob; o < oe; o++) {
            dst[o] = inner < 1 || ib >= ie ? identity(op) : inner_range(op, x + cursor.offset[0], &g, ib, ie);
            st_cursor_next(&cursor, &g);
        }
    }
    if (split_inner) {
        for (int64_t o = 0; o < outputs; o++) {
            uint64_t acc = partial[o];
            for (int t = 1; t < threads; t++) acc = combine(op, acc, partial[(int64_t)t * outputs + o]);
            out[o] = (int64_t)acc;
        }
        free(partial);
    }
    return 0;
}

/* First extremum in row-major order of the inner dims. One thread per output range; the
   flattened case (few outputs, many elements) is rare enough for integers to stay serial. */
int st_argreduce_i64(int largest, const int64_t *x, const st_geom *g, int64_t *values, int64_t *indices) {
    const int64_t outputs = st_outer_count(g), inner = st_inner_count(g);
    if (outputs == 0) return 0;
    if (inner == 0) return ST_ERR_ARGUMENT;
    st_geom gg = *g;
    if (gg.inner_ndim == 0) {
        const int64_t zero[ST_GEOM_OPERANDS] = {0};
        st_geom_add_inner(&gg, 1, zero);
    }
    #pragma omp parallel if(omp_get_max_threads() > 1 && outputs > 1 && outputs * inner >= ST_PAR_GRAIN)
    {
        int64_t ob, oe;
        st_thread_range(outputs, &ob, &oe);
        st_cursor cursor;
        if (ob < oe) st_cursor_seek(&cursor, &gg, ob);
        for (int64_t o = ob; o < oe; o++) {
            st_inner_walk walk;
            const int64_t *base = x + cursor.offset[0];
            int64_t off = st_inner_walk_seek(&walk, &gg, 0);
            int64_t best = base[off], at = 0;
            for (int64_t i = 1; i < inner; i++) {
                off = st_inner_walk_next(&walk, &gg, off);
                int64_t v = base[off];
                if (largest ? v > best : v < best) { best = v; at = i; }
            }
            if (values) values[o] = best;
            indices[o] = at;
            st_cursor_next(&cursor, &gg);
        }
    }
    return 0;
}

typedef struct { const int64_t *x; int64_t *out; int64_t n, sx, so; } cumsum_ctx;
static void cumsum_row(const int64_t *offset, void *p) {
    const cumsum_ctx *c = p;
    uint64_t acc = 0;
    const int64_t *xr = c->x + offset[0];
    int64_t *orow = c->out + offset[1];
    for (int64_t i = 0; i < c->n; i++) { acc += (uint64_t)xr[i * c->sx]; orow[i * c->so] = (int64_t)acc; }
}

int st_cumsum_i64(const int64_t *x, const st_geom *g, int64_t *out) {
    if (g->inner_ndim != 1) return ST_ERR_ARGUMENT;
    const int64_t rows = st_outer_count(g), n = g->inner_shape[0];
    cumsum_ctx c = {x, out, n, g->inner_strides[0][0], g->inner_strides[1][0]};
    st_for_each_row(g, omp_get_max_threads() > 1 && rows > 1 && rows * n >= ST_PAR_GRAIN, cumsum_row, &c);
    return 0;
}
