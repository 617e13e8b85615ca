/* The strided driver every elementwise, copy and gather kernel runs on. */
#include "elementwise_internal.h"

#ifdef _OPENMP
/* The toolchain's clang has -fopenmp but ships no omp.h: declare what we call. */
extern int omp_get_max_threads(void);
extern int omp_in_parallel(void);
#else
static int omp_in_parallel(void) { return 0; }
#endif

/* Start of thread t's range: an equal share, rounded down to 64 elements so that two
   threads never write one cache line of the output (false sharing) and each range starts
   vector-aligned when the base is. */
int64_t st_ew_chunk_start(int64_t n, int t, int nt) {
    if (t >= nt) return n;
    int64_t share = n / nt;
    return (share * t) & ~(int64_t)63;
}

void st_ew_run_range(const st_ew_geometry *g, int nops, void *const *base,
                     const int64_t (*bstride)[ST_MAX_DIMS], int64_t begin, int64_t end,
                     st_row_fn fn, st_ew_ctx *ctx) {
    const int last = g->ndim - 1;
    int64_t idx[ST_MAX_DIMS];
    char *p[ST_EW_MAX_OPERANDS];
    int64_t inner[ST_EW_MAX_OPERANDS];
    int64_t rem = begin;
    for (int d = last; d >= 0; d--) {
        idx[d] = rem % g->shape[d];
        rem /= g->shape[d];
    }
    for (int k = 0; k < nops; k++) {
        char *q = (char *)base[k];
        for (int d = 0; d <= last; d++) q += idx[d] * bstride[k][d];
        p[k] = q;
        inner[k] = g->strides[k][last];
    }
    int64_t cur = begin;
    for (;;) {
        int64_t len = g->shape[last] - idx[last];
        if (len > end - cur) len = end - cur;
        fn(len, p, inner, ctx);
        cur += len;
        if (cur >= end) return;
        /* The row is done: back to its start, then carry into the outer dims. */
        for (int k = 0; k < nops; k++) p[k] -= idx[last] * bstride[k][last];
        idx[last] = 0;
        for (int d = last - 1; d >= 0; d--) {
            idx[d]++;
            for (int k = 0; k < nops; k++) p[k] += bstride[k][d];
            if (idx[d] < g->shape[d]) break;
            for (int k = 0; k < nops; k++) p[k] -= g->shape[d] * bstride[k][d];
            idx[d] = 0;
        }
    }
}

/* Transposed inputs. When an input walks the innermost dim with a large stride but has a
   small stride along some outer dim j (a transposed or permuted view), row order touches
   a new cache line (often a new page) per element. Walking TJ x TL tiles of (j, innermost)
   instead reuses each line TJ times while it is still in L1. Returns the dim j, or -1
   when every input is fine in row order. */
#define ST_TILE_J 16
#define ST_TILE_L 128

static int tiled_dim(const st_ew_geometry *g, int nops) {
    const int last = g->ndim - 1;
    if (last < 1 || g->shape[last] < ST_TILE_L / 2) return -1;
    for (int k = 0; k < nops; k++) {
        const int64_t sl = g->strides[k][last] < 0 ? -g->strides[k][last] : g->strides[k][last];
        if (sl <= 16) continue; /* already within a cache line or two */
        int best = -1;
        int64_t best_stride = sl;
        for (int d = 0; d < last; d++) {
            const int64_t sd = g->strides[k][d] < 0 ? -g->strides[k][d] : g->strides[k][d];
            if (sd != 0 && sd < best_stride && g->shape[d] >= ST_TILE_J) { best = d; best_stride = sd; }
        }
        if (best >= 0) return best;
    }
    return -1;
}

static void run_tiled(const st_ew_geometry *g, int nops, void *const *base,
                      const int64_t (*bstride)[ST_MAX_DIMS], int j, int64_t parallel_min,
                      st_row_fn fn, st_ew_ctx *ctx) {
    const int last = g->ndim - 1;
    const int64_t tj = (g->shape[j] + ST_TILE_J - 1) / ST_TILE_J;
    const int64_t tl = (g->shape[last] + ST_TILE_L - 1) / ST_TILE_L;
    int64_t outer = 1, n = 1;
    for (int d = 0; d < g->ndim; d++) {
        n *= g->shape[d];
        if (d != j && d != last) outer *= g->shape[d];
    }
    const int64_t units = outer * tj * tl;
    int64_t inner[ST_EW_MAX_OPERANDS];
    for (int k = 0; k < nops; k++) inner[k] = g->strides[k][last];
#pragma omp parallel for schedule(static) if (n > parallel_min && !omp_in_parallel())
    for (int64_t u = 0; u < units; u++) {
        /* Unit u: tile (jb, lb) of outer index o; tiles of one row band stay together. */
        const int64_t lb = u % tl, jb = (u / tl) % tj;
        int64_t o = u / (tl * tj);
        char *p[ST_EW_MAX_OPERANDS];
        for (int k = 0; k < nops; k++) p[k] = (char *)base[k];
        for (int d = last - 1; d >= 0; d--) {
            if (d == j) continue;
            const int64_t i = o % g->shape[d];
            o /= g->shape[d];
            for (int k = 0; k < nops; k++) p[k] += i * bstride[k][d];
        }
        const int64_t j0 = jb * ST_TILE_J, l0 = lb * ST_TILE_L;
        const int64_t j1 = j0 + ST_TILE_J < g->shape[j] ? j0 + ST_TILE_J : g->shape[j];
        const int64_t len = l0 + ST_TILE_L < g->shape[last] ? ST_TILE_L : g->shape[last] - l0;
        for (int64_t jj = j0; jj < j1; jj++) {
            char *q[ST_EW_MAX_OPERANDS];
            for (int k = 0; k < nops; k++) q[k] = p[k] + jj * bstride[k][j] + l0 * bstride[k][last];
            fn(len, q, inner, ctx);
        }
    }
}

void st_ew_run(const st_ew_geometry *g, int nops, void *const *base, const int *itemsize,
               int64_t parallel_min, st_row_fn fn, st_ew_ctx *ctx) {
    int64_t n = 1;
    for (int d = 0; d < g->ndim; d++) n *= g->shape[d];
    if (n <= 0 || g->ndim < 1 || g->ndim > ST_MAX_DIMS) return;
    if (g->ndim == 1 && n <= parallel_min) {
        /* One row, too short to share among threads (a tiny call, or a coalesced contiguous
           one): the row function is the whole loop, with no index arithmetic around it. */
        char *p[ST_EW_MAX_OPERANDS];
        int64_t inner[ST_EW_MAX_OPERANDS];
        for (int k = 0; k < nops; k++) {
            p[k] = (char *)base[k];
            inner[k] = g->strides[k][0];
        }
        fn(n, p, inner, ctx);
        return;
    }
    int64_t bstride[ST_EW_MAX_OPERANDS][ST_MAX_DIMS];
    for (int k = 0; k < nops; k++)
        for (int d = 0; d < g->ndim; d++) bstride[k][d] = g->strides[k][d] * itemsize[k];
    const int64_t (*bs)[ST_MAX_DIMS] = (const int64_t (*)[ST_MAX_DIMS])bstride;

    const int j = n > 4096 ? tiled_dim(g, nops) : -1;
    if (j >= 0) {
        run_tiled(g, nops, base, bs, j, parallel_min, fn, ctx);
        return;
    }
    int nt = 1;
#ifdef _OPENMP
    /* Inside someone else's parallel region we run serially rather than nest teams. */
    if (n > parallel_min && !omp_in_parallel()) nt = omp_get_max_threads();
#endif
    if (nt <= 1 || n < 64 * (int64_t)nt) {
        st_ew_run_range(g, nops, base, bs, 0, n, fn, ctx);
        return;
    }
#pragma omp parallel for schedule(static, 1) num_threads(nt)
    for (int t = 0; t < nt; t++) {
        const int64_t b = st_ew_chunk_start(n, t, nt), e = st_ew_chunk_start(n, t + 1, nt);
        if (b < e) st_ew_run_range(g, nops, base, bs, b, e, fn, ctx);
    }
}
