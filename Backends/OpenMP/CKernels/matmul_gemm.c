/* The blocked GEMM (the BLIS loop nest): for each nc-wide panel of B and kc-deep slice of
   K, the team packs the B panel into nr-wide micro-panels together; each thread then owns a
   rectangle of C (rows split across a thread grid, and columns when C is wide), packs its
   own mc x kc blocks of A into mr-tall micro-panels and runs the micro-kernel over them.
   Packing reads A and B through their strides, so transposed and broadcast views cost
   nothing extra, and pads edges with zeros so the micro-kernel always sees full tiles. */
#define ST_OMP_INTERNAL
#include "omp_matmul.h"
#include "omp_reduce.h" /* thread helpers and error codes */
#include "omp_scratch.h"

#include <stdlib.h>
#include <string.h>

/* Below this many multiply-adds one thread is faster than waking the team. */
#define PAR_WORK (1 << 17)

#define ROUND_UP(x, m) (((x) + (m) - 1) / (m) * (m))

/* A[i0.., p0..] (mc x kc) into micro-panels of mr rows: panel r holds, for each p, the mr
   values A[i0 + r*mr + i][p0 + p]. */
static void pack_a(int f64, const st_gemm_kernel *kr, const char *a, int64_t rs, int64_t cs,
                   int64_t mc, int64_t kc, void *dst) {
    const int mr = kr->mr;
    for (int64_t r = 0; r < mc; r += mr) {
        int64_t rows = mc - r < mr ? mc - r : mr;
        if (!f64 && cs == 1 && rs != 1) { /* row-major A: k contiguous */
            st__pack_transposed_f32((const float *)a + r * rs, rs, rows, kc, mr, (float *)dst + r * kc);
            continue;
        }
        if (f64) {
            double *d = (double *)dst + r * kc;
            const double *s = (const double *)a + r * rs;
            for (int64_t p = 0; p < kc; p++, d += mr) {
                int64_t i = 0;
                for (; i < rows; i++) d[i] = s[i * rs + p * cs];
                for (; i < mr; i++) d[i] = 0;
            }
        } else {
            float *d = (float *)dst + r * kc;
            const float *s = (const float *)a + r * rs;
            for (int64_t p = 0; p < kc; p++, d += mr) {
                int64_t i = 0;
                for (; i < rows; i++) d[i] = s[i * rs + p * cs];
                for (; i < mr; i++) d[i] = 0;
            }
        }
    }
}

/* Micro-panel `q` (nr columns from column q*nr) of B[p0.., j0..] (kc x nc). */
static void pack_b_panel(int f64, const st_gemm_kernel *kr, const char *b, int64_t rs, int64_t cs,
                         int64_t nc, int64_t kc, int64_t q, void *dst) {
    const int nr = kr->nr;
    const int64_t j0 = q * nr, cols = nc - j0 < nr ? nc - j0 : nr, es = f64 ? 8 : 4;
    if (!f64 && rs == 1 && cs != 1) { /* B stored transposed: k contiguous */
        st__pack_transposed_f32((const float *)b + j0 * cs, cs, cols, kc, nr, (float *)dst + j0 * kc);
        return;
    }
    if (cs == 1 && cols == nr && (nr * es == 128 || nr * es == 64)) {
        /* Whole rows of a row-major B: a fixed-size copy per k step is a few vector moves,
           where the counted loop below spent about 3 instructions per element. */
        char *d = (char *)dst + j0 * kc * es;
        const char *s = b + j0 * es;
        if (nr * es == 128)
            for (int64_t p = 0; p < kc; p++) memcpy(d + p * 128, s + p * rs * es, 128);
        else
            for (int64_t p = 0; p < kc; p++) memcpy(d + p * 64, s + p * rs * es, 64);
        return;
    }
    if (f64) {
        double *d = (double *)dst + j0 * kc;
        const double *s = (const double *)b + j0 * cs;
        for (int64_t p = 0; p < kc; p++, d += nr) {
            int64_t j = 0;
            if (cs == 1) for (; j < cols; j++) d[j] = s[p * rs + j];
            else for (; j < cols; j++) d[j] = s[p * rs + j * cs];
            for (; j < nr; j++) d[j] = 0;
        }
    } else {
        float *d = (float *)dst + j0 * kc;
        const float *s = (const float *)b + j0 * cs;
        for (int64_t p = 0; p < kc; p++, d += nr) {
            int64_t j = 0;
            if (cs == 1) for (; j < cols; j++) d[j] = s[p * rs + j];
            else for (; j < cols; j++) d[j] = s[p * rs + j * cs];
            for (; j < nr; j++) d[j] = 0;
        }
    }
}

/* C[rows x cols] (row stride ldc) from a packed A block and the micro-panels [q0, q1) of a
   packed B panel. Edge tiles go through a scratch tile. */
static void macro_kernel(int f64, const st_gemm_kernel *kr, int64_t mc, int64_t kc, int64_t n0, int64_t n1,
                         const char *apack, const char *bpack, char *c, int64_t ldc, int accumulate) {
    const int mr = kr->mr, nr = kr->nr;
    const int64_t es = f64 ? 8 : 4;
    _Alignas(64) char tile[12 * 32 * 8];
    for (int64_t j = n0; j < n1; j += nr) {
        const int64_t cols = n1 - j < nr ? n1 - j : nr;
        const char *bp = bpack + j * kc * es;
        for (int64_t i = 0; i < mc; i += mr) {
            const int64_t rows = mc - i < mr ? mc - i : mr;
            const char *ap = apack + i * kc * es;
            char *cp = c + (i * ldc + j) * es;
            if (rows == mr && cols == nr) {
                kr->ukr(kc, ap, bp, cp, ldc, accumulate);
                continue;
            }
            kr->ukr(kc, ap, bp, tile, nr, 0);
            for (int64_t r = 0; r < rows; r++)
                for (int64_t s = 0; s < cols; s++) {
                    if (f64) {
                        double v = ((double *)tile)[r * nr + s], *d = (double *)cp + r * ldc + s;
                        *d = accumulate ? *d + v : v;
                    } else {
                        float v = ((float *)tile)[r * nr + s], *d = (float *)cp + r * ldc + s;
                        *d = accumulate ? *d + v : v;
                    }
                }
        }
    }
}

/* Splits `threads` into a grid tm x tn that keeps each thread's block of C near square. */
static void thread_grid(int threads, int64_t m, int64_t n, int *tm, int *tn) {
    *tm = threads; *tn = 1;
    double best = -1;
    for (int r = 1; r <= threads; r++) {
        if (threads % r) continue;
        double h = (double)m / r, w = (double)n / (threads / r);
        double score = h < w ? h / w : w / h; /* 1 = square */
        if (score > best) { best = score; *tm = r; *tn = threads / r; }
    }
}

/* One product, computed by the whole team of the enclosing parallel region (`shared`), or
   by the calling thread alone, with no region of its own: the batched path runs one
   product per thread inside its region, so it must not work-share or wait on the team. */
static void gemm_team(int f64, const st_gemm_kernel *kr, int64_t m, int64_t n, int64_t k,
                      const char *a, int64_t ars, int64_t acs, const char *b, int64_t brs, int64_t bcs,
                      char *c, void *bpack, int shared, int *status) {
    const int64_t es = f64 ? 8 : 4;
    const int64_t kcmax = k < kr->kc ? k : kr->kc, ncmax = n < kr->nc ? n : kr->nc;
    const int t = shared ? omp_get_thread_num() : 0, nt = shared ? omp_get_num_threads() : 1;
    int tm, tn;
    thread_grid(nt, m, ncmax, &tm, &tn);
    /* This thread's rows [mb, me) (whole micro-tiles) and share of each panel's columns. */
    const int64_t tiles_m = (m + kr->mr - 1) / kr->mr;
    const int64_t mb = tiles_m * (t / tn) / tm * kr->mr, me0 = tiles_m * (t / tn + 1) / tm * kr->mr;
    const int64_t me = me0 < m ? me0 : m;
    const int64_t mcmax = kr->mc < me - mb ? kr->mc : (me > mb ? me - mb : 1);
    void *apack = st__scratch(ST_SCRATCH_GEMM_A, (size_t)ROUND_UP(ROUND_UP(mcmax, kr->mr) * kcmax * es, 64));
    if (!apack) __atomic_store_n(status, ST_ERR_MEMORY, __ATOMIC_RELAXED);
    for (int64_t jc = 0; jc < n; jc += kr->nc) {
        const int64_t nc = n - jc < kr->nc ? n - jc : kr->nc;
        const int64_t panels = (nc + kr->nr - 1) / kr->nr;
        const int64_t qb = panels * (t % tn) / tn * kr->nr, qe0 = panels * (t % tn + 1) / tn * kr->nr;
        const int64_t qe = qe0 < nc ? qe0 : nc;
        for (int64_t pc = 0; pc < k; pc += kr->kc) {
            const int64_t kc = k - pc < kr->kc ? k - pc : kr->kc;
            const char *bsrc = b + (pc * brs + jc * bcs) * es;
            if (shared) {
                #pragma omp for schedule(static)
                for (int64_t q = 0; q < panels; q++) pack_b_panel(f64, kr, bsrc, brs, bcs, nc, kc, q, bpack);
                /* (the loop's implicit barrier: the panel is complete) */
            } else {
                for (int64_t q = 0; q < panels; q++) pack_b_panel(f64, kr, bsrc, brs, bcs, nc, kc, q, bpack);
            }
            if (apack && qb < qe) {
                for (int64_t ic = mb; ic < me; ic += kr->mc) {
                    const int64_t mc = me - ic < kr->mc ? me - ic : kr->mc;
                    pack_a(f64, kr, a + (ic * ars + pc * acs) * es, ars, acs, mc, kc, apack);
                    macro_kernel(f64, kr, mc, kc, qb, qe, apack, bpack, c + (ic * n + jc) * es, n, pc > 0);
                }
            }
            if (shared) {
                #pragma omp barrier /* before the panel is packed again */
            }
        }
    }
}

/* Products this small cost less as plain loops than packing (and its allocations) does. */
#define TINY_WORK 4096

static void gemm_tiny(int f64, int64_t m, int64_t n, int64_t k, const char *a, int64_t ars, int64_t acs,
                      const char *b, int64_t brs, int64_t bcs, char *c) {
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            if (f64) {
                const double *ap = (const double *)a + i * ars, *bp = (const double *)b + j * bcs;
                double acc = 0;
                for (int64_t p = 0; p < k; p++) acc += ap[p * acs] * bp[p * brs];
                ((double *)c)[i * n + j] = acc;
            } else {
                const float *ap = (const float *)a + i * ars, *bp = (const float *)b + j * bcs;
                float acc = 0;
                for (int64_t p = 0; p < k; p++) acc += ap[p * acs] * bp[p * brs];
                ((float *)c)[i * n + j] = acc;
            }
        }
}

static int gemm_one(int f64, const st_gemm_kernel *kr, int64_t m, int64_t n, int64_t k,
                    const char *a, int64_t ars, int64_t acs, const char *b, int64_t brs, int64_t bcs,
                    char *c, void *bpack, int parallel) {
    int status = 0;
    if (m * n * k <= TINY_WORK) {
        gemm_tiny(f64, m, n, k, a, ars, acs, b, brs, bcs, c);
    } else if (n == 1) {
        status = st__gemv(f64, m, k, a, ars, acs, b, brs, c, parallel);
    } else if (m == 1) {
        status = st__gemv(f64, n, k, b, bcs, brs, a, acs, c, parallel);
    } else if (parallel) {
        #pragma omp parallel
        gemm_team(f64, kr, m, n, k, a, ars, acs, b, brs, bcs, c, bpack, 1, &status);
    } else {
        gemm_team(f64, kr, m, n, k, a, ars, acs, b, brs, bcs, c, bpack, 0, &status);
    }
    return status;
}

/* A right operand used by many products (a recurrent layer's w_hh.T, once per time step),
   packed once: the (jc, pc) blocks of the loop nest above, one after another, each as
   gemm_team packs it. */
size_t st__gemm_packed_b_bytes(int f64, int64_t k, int64_t n) {
    const st_gemm_kernel *kr = st_gemm_kernel_for(f64);
    size_t total = 0;
    for (int64_t jc = 0; jc < n; jc += kr->nc) {
        const int64_t nc = n - jc < kr->nc ? n - jc : kr->nc;
        total += (size_t)(ROUND_UP(nc, kr->nr) * k * (f64 ? 8 : 4));
    }
    return total;
}

void st__gemm_pack_b(int f64, int64_t k, int64_t n, const void *b, int64_t brs, int64_t bcs, void *dst) {
    const st_gemm_kernel *kr = st_gemm_kernel_for(f64);
    const int64_t es = f64 ? 8 : 4;
    char *d = dst;
    for (int64_t jc = 0; jc < n; jc += kr->nc) {
        const int64_t nc = n - jc < kr->nc ? n - jc : kr->nc, panels = (nc + kr->nr - 1) / kr->nr;
        for (int64_t pc = 0; pc < k; pc += kr->kc) {
            const int64_t kc = k - pc < kr->kc ? k - pc : kr->kc;
            for (int64_t q = 0; q < panels; q++)
                pack_b_panel(f64, kr, (const char *)b + (pc * brs + jc * bcs) * es, brs, bcs, nc, kc, q, d);
            d += ROUND_UP(nc, kr->nr) * kc * es;
        }
    }
}

int st__gemm_rows_packed(int f64, int64_t m, int64_t k, int64_t n, const void *a, int64_t ars, int64_t acs,
                         const void *packed, void *c, int64_t ldc) {
    const st_gemm_kernel *kr = st_gemm_kernel_for(f64);
    const int64_t es = f64 ? 8 : 4;
    if (m <= 0 || n <= 0) return 0;
    if (k <= 0) {
        for (int64_t i = 0; i < m; i++) memset((char *)c + i * ldc * es, 0, (size_t)(n * es));
        return 0;
    }
    const int64_t mcmax = m < kr->mc ? m : kr->mc, kcmax = k < kr->kc ? k : kr->kc;
    void *apack = st__scratch(ST_SCRATCH_GEMM_A, (size_t)ROUND_UP(ROUND_UP(mcmax, kr->mr) * kcmax * es, 64));
    if (!apack) return ST_ERR_MEMORY;
    const char *bp = packed;
    for (int64_t jc = 0; jc < n; jc += kr->nc) {
        const int64_t nc = n - jc < kr->nc ? n - jc : kr->nc;
        for (int64_t pc = 0; pc < k; pc += kr->kc) {
            const int64_t kc = k - pc < kr->kc ? k - pc : kr->kc;
            for (int64_t ic = 0; ic < m; ic += kr->mc) {
                const int64_t mc = m - ic < kr->mc ? m - ic : kr->mc;
                pack_a(f64, kr, (const char *)a + (ic * ars + pc * acs) * es, ars, acs, mc, kc, apack);
                macro_kernel(f64, kr, mc, kc, 0, nc, apack, bp, (char *)c + (ic * ldc + jc) * es, ldc, pc > 0);
            }
            bp += ROUND_UP(nc, kr->nr) * kc * es;
        }
    }
    return 0;
}

static int gemm(int f64, const st_gemm_args *g, const void *a, const void *b, void *c) {
    const int64_t es = f64 ? 8 : 4;
    const int64_t m = g->m, n = g->n, k = g->k, mn = m * n;
    if (g->batch <= 0 || mn == 0) return 0;
    if (k == 0) { memset(c, 0, (size_t)(g->batch * mn * es)); return 0; }
    const st_gemm_kernel *kr = st_gemm_kernel_for(f64);
    const int threads = omp_get_max_threads();
    const double work = (double)m * (double)n * (double)k;
    const size_t bsize = (size_t)ROUND_UP(ROUND_UP(n < kr->nc ? n : kr->nc, kr->nr) * (k < kr->kc ? k : kr->kc) * es, 64);
    const char *ab = a, *bb = b;
    char *cb = c;
    int status = 0;
    if (threads > 1 && g->batch >= threads && work < 4.0 * PAR_WORK * threads) {
        /* Many small products: one per thread at a time, each with its own B buffer. */
        #pragma omp parallel if(work * (double)g->batch >= PAR_WORK)
        {
            void *bpack = st__scratch(ST_SCRATCH_GEMM_B, bsize);
            int64_t lo, hi;
            st_thread_range(g->batch, &lo, &hi);
            for (int64_t i = lo; i < hi && bpack; i++) {
                int s = gemm_one(f64, kr, m, n, k, ab + g->a_offsets[i] * es, g->a_rs, g->a_cs,
                                 bb + g->b_offsets[i] * es, g->b_rs, g->b_cs, cb + i * mn * es, bpack, 0);
                if (s) __atomic_store_n(&status, s, __ATOMIC_RELAXED);
            }
            if (!bpack) __atomic_store_n(&status, ST_ERR_MEMORY, __ATOMIC_RELAXED);
        }
        return status;
    }
    void *bpack = st__scratch(ST_SCRATCH_GEMM_B, bsize);
    if (!bpack) return ST_ERR_MEMORY;
    for (int64_t i = 0; i < g->batch && !status; i++)
        status = gemm_one(f64, kr, m, n, k, ab + g->a_offsets[i] * es, g->a_rs, g->a_cs,
                          bb + g->b_offsets[i] * es, g->b_rs, g->b_cs, cb + i * mn * es, bpack,
                          threads > 1 && work >= PAR_WORK);
    return status;
}

int st_gemm_f32(const st_gemm_args *args, const float *a, const float *b, float *c) {
    return gemm(0, args, a, b, c);
}

int st_gemm_f64(const st_gemm_args *args, const double *a, const double *b, double *c) {
    return gemm(1, args, a, b, c);
}
