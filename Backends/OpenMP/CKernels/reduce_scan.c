/* cumsum along one dim (inner_ndim == 1; operand 0 input, 1 output), running sums in
   double as the reference does. */
#define ST_OMP_INTERNAL
#include "omp_reduce.h"

#define LOAD(f64, p, i) ((f64) ? ((const double *)(p))[i] : (double)((const float *)(p))[i])
#define STORE(f64, p, i, v) do { if (f64) ((double *)(p))[i] = (v); else ((float *)(p))[i] = (float)(v); } while (0)

/* One row, starting from `acc`. */
static inline __attribute__((always_inline))
void scan_row(const int f64, const void *x, void *out, int64_t n, int64_t sx, int64_t so, double acc) {
    for (int64_t i = 0; i < n; i++) {
        acc += LOAD(f64, x, i * sx);
        STORE(f64, out, i * so, acc);
    }
}

/* w adjacent rows (stride 1 in input and output) scanned together: vectorises across them. */
static inline __attribute__((always_inline))
void scan_columns(const int f64, const void *x, void *out, int64_t w, int64_t n, int64_t sx, int64_t so) {
    double acc[ST_COL_WIDTH] = {0};
    for (int64_t i = 0; i < n; i++)
        for (int64_t j = 0; j < w; j++) {
            acc[j] += LOAD(f64, x, i * sx + j);
            STORE(f64, out, i * so + j, acc[j]);
        }
}

static inline __attribute__((always_inline))
double chunk_sum(const int f64, const void *x, int64_t n, int64_t sx) {
    double acc = 0;
    for (int64_t i = 0; i < n; i++) acc += LOAD(f64, x, i * sx);
    return acc;
}

ST_CLONES static void row_f32(const void *x, void *o, int64_t n, int64_t sx, int64_t so, double a) { scan_row(0, x, o, n, sx, so, a); }
ST_CLONES static void row_f64(const void *x, void *o, int64_t n, int64_t sx, int64_t so, double a) { scan_row(1, x, o, n, sx, so, a); }
ST_CLONES static void cols_f32(const void *x, void *o, int64_t w, int64_t n, int64_t sx, int64_t so) { scan_columns(0, x, o, w, n, sx, so); }
ST_CLONES static void cols_f64(const void *x, void *o, int64_t w, int64_t n, int64_t sx, int64_t so) { scan_columns(1, x, o, w, n, sx, so); }

typedef struct {
    void (*row)(const void *, void *, int64_t, int64_t, int64_t, double);
    const char *x;
    char *o;
    int64_t es, n, sx, so;
} scan_ctx;
static void scan_visit(const int64_t *offset, void *p) {
    const scan_ctx *c = p;
    c->row(c->x + offset[0] * c->es, c->o + offset[1] * c->es, c->n, c->sx, c->so, 0);
}

static int cumsum(int f64, const void *x, const st_geom *g, void *out) {
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
    void (*row)(const void *, void *, int64_t, int64_t, int64_t, double) = f64 ? row_f64 : row_f32;

    if (parallel && rows < threads) {
        /* Few long rows: each thread sums its chunk, then scans it from the sum of the chunks
           before it. */
        double partial[256];
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
                int t = omp_get_thread_num(), nt = omp_get_num_threads();
                partial[t] = f64 ? chunk_sum(1, xr + b * sx * es, e - b, sx) : chunk_sum(0, xr + b * sx * es, e - b, sx);
                #pragma omp barrier
                double start = 0;
                for (int k = 0; k < t && k < nt; k++) start += partial[k];
                row(xr + b * sx * es, orow + b * so * es, e - b, sx, so, start);
            }
            st_cursor_next(&cursor, g);
        }
        return 0;
    }

    const int columns = nd > 0 && g->outer_strides[0][nd - 1] == 1 && g->outer_strides[1][nd - 1] == 1
        && g->outer_shape[nd - 1] >= 4 && sx != 1;
    if (columns) {
        st_cols_fn cols = f64 ? cols_f64 : cols_f32;
        st_run_column_blocks(g, rows, es, xb, ob, cols, n, sx, so, parallel);
        return 0;
    }

    scan_ctx c = {row, xb, ob, es, n, sx, so};
    st_for_each_row(g, parallel, scan_visit, &c);
    return 0;
}

int st_cumsum_f32(const float *x, const st_geom *g, float *out) { return cumsum(0, x, g, out); }
int st_cumsum_f64(const double *x, const st_geom *g, double *out) { return cumsum(1, x, g, out); }
