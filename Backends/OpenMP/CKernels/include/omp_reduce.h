/* Reductions, softmax and losses of the OpenMP backend.

   Every kernel reads its input through an `st_geom`: the Swift side splits a strided view
   into OUTER dimensions (one output element, or one row, per index, in row-major order) and
   INNER dimensions (the elements combined into that output), drops size-1 dimensions and
   merges adjacent ones, so kernels see few dimensions and can spot contiguous runs. Several
   operands (input, output, target, weights) share one geometry, each with its own strides.
   Strides and offsets count elements. Functions return 0, or a negative ST_ERR_* code. */
#ifndef SWIFTTORCH_OMP_REDUCE_H
#define SWIFTTORCH_OMP_REDUCE_H

#include <stdint.h>
#include "openmp_kernels.h"

/* More than ST_MAX_DIMS: a reduction may keep up to that many dims AND reduce as many. */
#define ST_GEOM_MAX_DIMS 16
#define ST_GEOM_OPERANDS 5

typedef struct st_geom {
    int32_t outer_ndim;
    int32_t inner_ndim;
    int64_t outer_shape[ST_GEOM_MAX_DIMS];
    int64_t inner_shape[ST_GEOM_MAX_DIMS];
    int64_t outer_strides[ST_GEOM_OPERANDS][ST_GEOM_MAX_DIMS];
    int64_t inner_strides[ST_GEOM_OPERANDS][ST_GEOM_MAX_DIMS];
} st_geom;

/* Builders, so Swift never indexes the nested C arrays (imported as tuples). `strides`
   holds one stride per operand (ST_GEOM_OPERANDS values). */
void st_geom_init(st_geom *g);
int st_geom_add_outer(st_geom *g, int64_t size, const int64_t *strides);
int st_geom_add_inner(st_geom *g, int64_t size, const int64_t *strides);

#define ST_ERR_RANK (-1)       /* more dims than ST_GEOM_MAX_DIMS */
#define ST_ERR_MEMORY (-2)     /* scratch allocation failed */
#define ST_ERR_INDEX (-3)      /* a class index out of range */
#define ST_ERR_ARGUMENT (-4)   /* an unknown op code or a geometry the kernel does not take */

/* ---- Reductions over the inner dims; `out` is contiguous, one value per outer index. ---- */
enum {
    ST_RED_SUM, ST_RED_MEAN, ST_RED_PROD, ST_RED_AMAX, ST_RED_AMIN,
    ST_RED_VAR, ST_RED_STD, ST_RED_LOGSUMEXP
};
/* `correction` is used by VAR/STD only. */
int st_reduce_f32(int op, const float *x, const st_geom *g, double correction, float *out);
int st_reduce_f64(int op, const double *x, const st_geom *g, double correction, double *out);

/* int64 (integer and bool inputs widened by the meta rules): SUM, PROD, AMAX, AMIN only;
   sums and products wrap on overflow, as in PyTorch. */
int st_reduce_i64(int op, const int64_t *x, const st_geom *g, int64_t *out);

/* max/min/argmax/argmin: the first extremum (or first NaN) in row-major order of the inner
   dims, which the caller does not reorder. `values` may be NULL. */
int st_argreduce_f32(int largest, const float *x, const st_geom *g, float *values, int64_t *indices);
int st_argreduce_f64(int largest, const double *x, const st_geom *g, double *values, int64_t *indices);
int st_argreduce_i64(int largest, const int64_t *x, const st_geom *g, int64_t *values, int64_t *indices);

/* ---- Along one inner dim (inner_ndim == 1): operand 0 is the input, 1 the output. ---- */
int st_cumsum_f32(const float *x, const st_geom *g, float *out);
int st_cumsum_f64(const double *x, const st_geom *g, double *out);
int st_cumsum_i64(const int64_t *x, const st_geom *g, int64_t *out);
int st_softmax_f32(int log, const float *x, const st_geom *g, float *out);
int st_softmax_f64(int log, const double *x, const st_geom *g, double *out);

/* ---- Losses. `reduction`: ST_LOSS_NONE writes one value per element/sample into the
   contiguous `out`; SUM and MEAN write one value. ---- */
enum { ST_LOSS_NONE, ST_LOSS_SUM, ST_LOSS_MEAN };

/* Elementwise losses: outer_ndim dims over every element, inner_ndim == 0. Operands:
   0 input, 1 target, 2 weight (or unused), 3 pos_weight (or unused), 4 output. */
int st_mse_loss_f32(const float *x, const float *t, const st_geom *g, int reduction, float *out);
int st_mse_loss_f64(const double *x, const double *t, const st_geom *g, int reduction, double *out);
int st_bce_logits_f32(const float *x, const float *t, const float *w, const float *pw,
                      const st_geom *g, int reduction, float *out);
int st_bce_logits_f64(const double *x, const double *t, const double *w, const double *pw,
                      const st_geom *g, int reduction, double *out);

/* cross_entropy / nll_loss: outer = samples, inner = the class dim (inner_ndim == 1).
   Operands: 0 input, 1 target (int64 class indices, outer strides only, or probabilities,
   outer and inner strides), 4 output (outer strides). `weight` (NULL: none) has
   `weight_stride`. `logits`: apply log_softmax first (cross_entropy). */
typedef struct st_class_loss {
    int32_t logits;
    int32_t reduction;
    int64_t ignore_index;
    double label_smoothing;
    int64_t weight_stride;
} st_class_loss;
int st_class_loss_f32(const float *x, const int64_t *target_index, const float *target_prob,
                      const float *weight, const st_geom *g, const st_class_loss *opt, float *out);
int st_class_loss_f64(const double *x, const int64_t *target_index, const double *target_prob,
                      const double *weight, const st_geom *g, const st_class_loss *opt, double *out);

#ifdef ST_OMP_INTERNAL
/* ===== Helpers shared by the kernel files only (the Swift importer never sees them). ===== */
#include <string.h>

#ifdef _OPENMP
/* The toolchain's clang ships no omp.h: declare what we call. */
extern int omp_get_thread_num(void);
extern int omp_get_num_threads(void);
extern int omp_get_max_threads(void);
#else
static inline int omp_get_thread_num(void) { return 0; }
static inline int omp_get_num_threads(void) { return 1; }
static inline int omp_get_max_threads(void) { return 1; }
#endif

/* Below about this many elements a parallel region (a few microseconds to wake the team)
   costs more than a second core saves. */
#define ST_PAR_GRAIN 32768

/* This thread's share [*begin, *end) of n items, inside a parallel region. */
static inline void st_thread_range(int64_t n, int64_t *begin, int64_t *end) {
    int64_t t = omp_get_thread_num(), nt = omp_get_num_threads();
    *begin = n * t / nt;
    *end = n * (t + 1) / nt;
}

/* Walks the outer dims in row-major order, tracking every operand's offset: seeking costs
   one division per dim, stepping is amortised O(1). */
typedef struct st_cursor {
    int64_t index[ST_GEOM_MAX_DIMS];
    int64_t offset[ST_GEOM_OPERANDS];
} st_cursor;

static inline void st_cursor_seek(st_cursor *c, const st_geom *g, int64_t flat) {
    for (int k = 0; k < ST_GEOM_OPERANDS; k++) c->offset[k] = 0;
    for (int d = g->outer_ndim - 1; d >= 0; d--) {
        int64_t size = g->outer_shape[d];
        int64_t i = size ? flat % size : 0;
        flat = size ? flat / size : 0;
        c->index[d] = i;
        for (int k = 0; k < ST_GEOM_OPERANDS; k++) c->offset[k] += i * g->outer_strides[k][d];
    }
}

static inline void st_cursor_next(st_cursor *c, const st_geom *g) {
    for (int d = g->outer_ndim - 1; d >= 0; d--) {
        for (int k = 0; k < ST_GEOM_OPERANDS; k++) c->offset[k] += g->outer_strides[k][d];
        if (++c->index[d] < g->outer_shape[d]) return;
        for (int k = 0; k < ST_GEOM_OPERANDS; k++) c->offset[k] -= g->outer_strides[k][d] * g->outer_shape[d];
        c->index[d] = 0;
    }
}

static inline int64_t st_outer_count(const st_geom *g) {
    int64_t n = 1;
    for (int d = 0; d < g->outer_ndim; d++) n *= g->outer_shape[d];
    return n;
}

static inline int64_t st_inner_count(const st_geom *g) {
    int64_t n = 1;
    for (int d = 0; d < g->inner_ndim; d++) n *= g->inner_shape[d];
    return n;
}

/* GCC vector extensions: 256-bit ones map to AVX2 registers in the x86-64-v3 clones (and
   to SSE pairs in portable ones); 512-bit ones to register pairs, two independent chains.
   Helpers that take or return them are macros: a function would change the ABI between
   the clones (clang rejects that). */
typedef float st_v8f __attribute__((vector_size(32)));
typedef int32_t st_v8i __attribute__((vector_size(32)));
typedef double st_v4d __attribute__((vector_size(32)));
typedef int64_t st_v4l __attribute__((vector_size(32)));
typedef float st_v4f __attribute__((vector_size(16)));
typedef float st_v16f __attribute__((vector_size(64)));
typedef int32_t st_v16i __attribute__((vector_size(64)));
typedef double st_v8d __attribute__((vector_size(64)));
typedef int64_t st_v8l __attribute__((vector_size(64)));

#define ST_SELECT(VT, IT, mask, a, b) ((VT)(((mask) & (IT)(a)) | (~(mask) & (IT)(b))))

/* The hot loops are compiled twice and picked at load time (ifunc): x86-64-v3 (AVX2, FMA)
   where the CPU has it, else baseline x86-64. */
/* No clones under ThreadSanitizer: see ST_THREAD_SANITIZER in openmp_kernels.h. */
#if defined(__x86_64__) && defined(__linux__) && !defined(ST_THREAD_SANITIZER)
#define ST_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define ST_CLONES
#endif

/* exp in place over one vector of floats (Cephes' polynomial, about 1 ulp). Clamping keeps
   2^n finite and the float-to-int conversion defined (NaN lanes compute exp(0) and are
   patched at the end, with +inf); the scale is applied in two halves so subnormal results
   come out right. Shifts run on unsigned lanes, where they are always defined.
   Contraction is allowed here (FMA where the clone has it): exp is not an exactly rounded
   op anyway, and the fused steps are both faster and more accurate. Generated at two
   widths: 8 lanes, and 16 (two independent register chains per step, which hides the
   polynomial's latency). */
#define ST_DEFINE_EXPF(NAME, VF, VI)                                                            \
    static inline __attribute__((always_inline)) void NAME(float *p) {                          \
        _Pragma("clang fp contract(fast)")                                                      \
        VF x;                                                                                   \
        memcpy(&x, p, sizeof x);                                                                \
        VF xc = ST_SELECT(VF, VI, x > 88.72283935546875f, (VF){} + 88.72283935546875f, x);     \
        xc = ST_SELECT(VF, VI, xc < -104.0f, (VF){} - 104.0f, xc);                             \
        xc = ST_SELECT(VF, VI, xc != xc, (VF){}, xc);                                           \
        VF fx = xc * 1.44269504088896341f;                                                      \
        fx = (fx + 12582912.0f) - 12582912.0f; /* round to nearest integer */                   \
        VF r = xc - fx * 0.693359375f;                                                          \
        r = r - fx * -2.12194440e-4f;                                                           \
        VF y = (VF){} + 1.9875691500e-4f;                                                       \
        y = y * r + 1.3981999507e-3f;                                                           \
        y = y * r + 8.3334519073e-3f;                                                           \
        y = y * r + 4.1665795894e-2f;                                                           \
        y = y * r + 1.6666665459e-1f;                                                           \
        y = y * r + 5.0000001201e-1f;                                                           \
        y = y * (r * r) + r + 1.0f;                                                             \
        VI n = __builtin_convertvector(fx, VI);                                                 \
        VI n1 = n >> 1, n2 = n - n1;                                                            \
        typedef uint32_t VU __attribute__((vector_size(sizeof(VI))));                            \
        VF res = (y * (VF)((VU)(n1 + 127) << 23)) * (VF)((VU)(n2 + 127) << 23);                 \
        res = ST_SELECT(VF, VI, x > 88.72283935546875f, (VF){} + __builtin_inff(), res);       \
        res = ST_SELECT(VF, VI, x != x, x, res);                                                \
        memcpy(p, &res, sizeof res);                                                            \
    }
ST_DEFINE_EXPF(st_exp8f, st_v8f, st_v8i)
ST_DEFINE_EXPF(st_exp16f, st_v16f, st_v16i)

/* exp in place over one vector of doubles: n = round(x / ln 2), r = x - n ln 2 (two-part
   ln 2), a degree-12 Taylor polynomial (|r| <= 0.35: truncation below 2e-16), scale in
   halves. Widths 4 and 8, as above. */
#define ST_DEFINE_EXPD(NAME, VD, VL)                                                            \
    static inline __attribute__((always_inline)) void NAME(double *p) {                         \
        _Pragma("clang fp contract(fast)")                                                      \
        VD x;                                                                                   \
        memcpy(&x, p, sizeof x);                                                                \
        VD xc = ST_SELECT(VD, VL, x > 709.79, (VD){} + 709.79, x);                             \
        xc = ST_SELECT(VD, VL, xc < -746.0, (VD){} - 746.0, xc);                               \
        xc = ST_SELECT(VD, VL, xc != xc, (VD){}, xc);                                           \
        typedef uint64_t VU __attribute__((vector_size(sizeof(VL))));                            \
        VD shifted = xc * 1.4426950408889634 + 6755399441055744.0; /* 1.5 * 2^52 */            \
        VD fx = shifted - 6755399441055744.0;                                                   \
        VL n = (VL)((VU)shifted << 32) >> 32; /* the integer sits in the low mantissa bits */    \
        VD r = xc - fx * 6.93147180369123816490e-01;                                            \
        r = r - fx * 1.90821492927058770002e-10;                                                \
        VD y = (VD){} + 2.08767569878680989792e-09; /* 1/12! */                                 \
        y = y * r + 2.50521083854417187751e-08;                                                 \
        y = y * r + 2.75573192239858906526e-07;                                                 \
        y = y * r + 2.75573192239858906526e-06;                                                 \
        y = y * r + 2.48015873015873015873e-05;                                                 \
        y = y * r + 1.98412698412698412698e-04;                                                 \
        y = y * r + 1.38888888888888888889e-03;                                                 \
        y = y * r + 8.33333333333333333333e-03;                                                 \
        y = y * r + 4.16666666666666666667e-02;                                                 \
        y = y * r + 1.66666666666666666667e-01;                                                 \
        y = y * r + 0.5;                                                                        \
        y = y * r + 1.0;                                                                        \
        y = y * r + 1.0;                                                                        \
        VL n1 = n >> 1, n2 = n - n1;                                                            \
        VD res = (y * (VD)((VU)(n1 + 1023) << 52)) * (VD)((VU)(n2 + 1023) << 52);               \
        res = ST_SELECT(VD, VL, x > 709.782712893384, (VD){} + __builtin_inf(), res);          \
        res = ST_SELECT(VD, VL, x != x, x, res);                                                \
        memcpy(p, &res, sizeof res);                                                            \
    }
ST_DEFINE_EXPD(st_exp4d, st_v4d, st_v4l)
ST_DEFINE_EXPD(st_exp8d, st_v8d, st_v8l)

/* Scalar forms for tails and strided loops: the same arithmetic, so results do not depend
   on where an element falls. */
static inline __attribute__((always_inline)) float st_expf(float x) {
    float b[8] = {x, 0, 0, 0, 0, 0, 0, 0};
    st_exp8f(b);
    return b[0];
}
static inline __attribute__((always_inline)) double st_exp(double x) {
    double b[4] = {x, 0, 0, 0};
    st_exp4d(b);
    return b[0];
}

/* Max with NaN winning, as PyTorch's max/amax/softmax shift. */
static inline double st_nanmax(double a, double b) { return (a != a || a >= b) ? a : b; }
static inline double st_nanmin(double a, double b) { return (a != a || a <= b) ? a : b; }


/* ---- The reduction engine (reduce_core.c) ---- */
/* What the engine accumulates per output: SQDEV is sum (x - c)^2 and SUMEXP sum exp(x - c),
   with one centre c per output. */
enum { ST_ACC_SUM, ST_ACC_PROD, ST_ACC_MAX, ST_ACC_MIN, ST_ACC_SQDEV, ST_ACC_SUMEXP, ST_ACC_KINDS };

/* Outputs reduced together in the column layout (contiguous outputs, strided reduction). */
#define ST_COL_WIDTH 64

/* A kernel over up to ST_COL_WIDTH adjacent rows at once (outputs contiguous in the last
   outer dim, the scanned dim strided): (x, out, width, n, x stride, out stride). */
typedef void (*st_cols_fn)(const void *, void *, int64_t, int64_t, int64_t, int64_t);

/* Runs `cols` over blocks of ST_COL_WIDTH adjacent outputs of the last outer dim, the
   blocks split across threads; shared by cumsum and softmax. */
static inline void st_run_column_blocks(const st_geom *g, int64_t rows, int64_t es, const char *xb, char *ob,
                                        st_cols_fn cols, int64_t n, int64_t sx, int64_t so, int parallel) {
    const int nd = g->outer_ndim;
    const int64_t width = g->outer_shape[nd - 1];
    const int64_t blocks = (width + ST_COL_WIDTH - 1) / ST_COL_WIDTH;
    const int64_t tasks = rows / width * blocks;
    st_geom outer = *g;
    outer.outer_ndim--;
    #pragma omp parallel if(parallel)
    {
        int64_t tb, te;
        st_thread_range(tasks, &tb, &te);
        st_cursor cursor;
        for (int64_t t = tb; t < te; t++) {
            int64_t j0 = t % blocks * ST_COL_WIDTH;
            int64_t w = width - j0 < ST_COL_WIDTH ? width - j0 : ST_COL_WIDTH;
            st_cursor_seek(&cursor, &outer, t / blocks);
            cols(xb + (cursor.offset[0] + j0) * es, ob + (cursor.offset[1] + j0) * es, w, n, sx, so);
        }
    }
}

/* Calls visit(offsets, ctx) for every outer index in row-major order (`offsets`: each
   operand's element offset), the rows split evenly across threads when `parallel`: the
   row loop of the along-dim kernels (cumsum, the softmax backwards). */
typedef void (*st_row_visit)(const int64_t *offset, void *ctx);
static inline void st_for_each_row(const st_geom *g, int parallel, st_row_visit visit, void *ctx) {
    const int64_t rows = st_outer_count(g);
    #pragma omp parallel if(parallel)
    {
        int64_t rb, re;
        st_thread_range(rows, &rb, &re);
        st_cursor cursor;
        if (rb < re) st_cursor_seek(&cursor, g, rb);
        for (int64_t r = rb; r < re; r++) {
            visit(cursor.offset, ctx);
            st_cursor_next(&cursor, g);
        }
    }
}

/* Reduces operand 0 of `g` into res[outer index] (double); `center` (one per output) for
   SQDEV and SUMEXP, else NULL. */
int st_engine(int kind, int f64, const void *x, const st_geom *g, const double *center, double *res);

static inline double st_acc_identity(int kind) {
    switch (kind) {
    case ST_ACC_PROD: return 1;
    case ST_ACC_MAX: return -__builtin_inf();
    case ST_ACC_MIN: return __builtin_inf();
    default: return 0;
    }
}

static inline __attribute__((always_inline)) double st_acc_combine(int kind, double a, double b) {
    switch (kind) {
    case ST_ACC_PROD: return a * b;
    case ST_ACC_MAX: return st_nanmax(a, b);
    case ST_ACC_MIN: return st_nanmin(a, b);
    default: return a + b;
    }
}

static inline __attribute__((always_inline)) double st_acc_step(int kind, int f64, double acc, double v, double c) {
    switch (kind) {
    case ST_ACC_SQDEV: { double d = v - c; return acc + d * d; }
    case ST_ACC_SUMEXP: return acc + (f64 ? st_exp(v - c) : (double)st_expf((float)v - (float)c));
    default: return st_acc_combine(kind, acc, v);
    }
}

/* Walks the inner dims of operand 0 in row-major order. */
typedef struct st_inner_walk { int64_t index[ST_GEOM_MAX_DIMS]; } st_inner_walk;

static inline int64_t st_inner_walk_seek(st_inner_walk *w, const st_geom *g, int64_t flat) {
    int64_t off = 0;
    for (int d = g->inner_ndim - 1; d >= 0; d--) {
        int64_t size = g->inner_shape[d];
        int64_t i = size ? flat % size : 0;
        flat = size ? flat / size : 0;
        w->index[d] = i;
        off += i * g->inner_strides[0][d];
    }
    return off;
}

/* Advances dims [0, last] by one; returns the new offset. */
static inline int64_t st_inner_walk_step(st_inner_walk *w, const st_geom *g, int64_t off, int last) {
    for (int d = last; d >= 0; d--) {
        off += g->inner_strides[0][d];
        if (++w->index[d] < g->inner_shape[d]) return off;
        off -= g->inner_strides[0][d] * g->inner_shape[d];
        w->index[d] = 0;
    }
    return off;
}

/* The next element, or the start of the next run along the last inner dim. */
static inline int64_t st_inner_walk_next(st_inner_walk *w, const st_geom *g, int64_t off) {
    return st_inner_walk_step(w, g, off, g->inner_ndim - 1);
}
static inline int64_t st_inner_walk_next_run(st_inner_walk *w, const st_geom *g, int64_t off) {
    return st_inner_walk_step(w, g, off, g->inner_ndim - 2);
}

#endif /* ST_OMP_INTERNAL */
#endif
