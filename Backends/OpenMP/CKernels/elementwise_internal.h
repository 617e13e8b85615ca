/* Private to the elementwise/copy C files: the strided row driver and the macros that
   stamp out row functions. Not part of the module's public headers (include/). */
#ifndef SWIFTTORCH_ELEMENTWISE_INTERNAL_H
#define SWIFTTORCH_ELEMENTWISE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "omp_elementwise.h"

/* Below this many elements an op stays on the calling thread: a parallel region costs a
   few microseconds, which is about what 32K cheap elements take on one core. Ops that
   call libm or evaluate polynomials per element pay off earlier. */
#define ST_EW_PARALLEL_MIN 32768
#define ST_EW_PARALLEL_MIN_HEAVY 4096

/* What a row function needs besides pointers: scalar parameters, and for gather the
   indexed dim plus a place to report a bad index (written atomically, rarely). */
typedef struct {
    double alpha, p0, p1;
    float alphaf, p0f, p1f;
    int64_t ialpha, ilo, ihi; /* integer kernels */
    int64_t dim_size, dim_stride;
    int bad;
    int64_t bad_index;
} st_ew_ctx;

/* Processes n elements of one row: p[k] points at operand k's first element, s[k] is its
   stride in elements along the row. */
typedef void (*st_row_fn)(int64_t n, char *const *p, const int64_t *s, st_ew_ctx *ctx);

/* Runs `fn` over every row of the geometry; `itemsize[k]` is operand k's element size.
   Parallel (one contiguous element range per thread) only when the element count
   exceeds `parallel_min`. */
void st_ew_run(const st_ew_geometry *g, int nops, void *const *base, const int *itemsize,
               int64_t parallel_min, st_row_fn fn, st_ew_ctx *ctx);

/* Row functions are compiled three times (AVX-512, AVX2, baseline x86-64) and picked at
   load time by an ifunc resolver: SwiftPM builds C without -march, and we may not assume
   AVX-512 on every machine. -ffp-contract=off keeps the clones' results bit-identical. */
/* No clones under ThreadSanitizer: see ST_THREAD_SANITIZER in openmp_kernels.h. */
#if defined(__x86_64__) && defined(__linux__) && defined(__clang__) && !defined(ST_THREAD_SANITIZER)
#define ST_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define ST_CLONES
#endif

/* sqrt that vectorises: libm's sqrtf may set errno, so clang keeps it a call. */
#if defined(__has_builtin) && __has_builtin(__builtin_elementwise_sqrt)
#define ST_SQRT(x) __builtin_elementwise_sqrt(x)
#else
#define ST_SQRT(x) sqrt(x)
#endif

/* The pieces st_ew_run is made of, for drivers with another traversal (scatter): rows
   of elements [begin, end) in row-major order, with byte strides; and the start of
   thread t's share of n elements (64-aligned). */
void st_ew_run_range(const st_ew_geometry *g, int nops, void *const *base,
                     const int64_t (*bstride)[ST_MAX_DIMS], int64_t begin, int64_t end,
                     st_row_fn fn, st_ew_ctx *ctx);
int64_t st_ew_chunk_start(int64_t n, int t, int nt);

/* Row function stamps. The first branch of each is the contiguous case, written as a
   plain counted loop over restrict pointers so that clang vectorises it; the broadcast
   branches hoist the stride-0 operand; the last branch handles any strides. */
#define ST_ROW1(NAME, TO, TI, EXPR)                                                        \
    ST_CLONES static void NAME(int64_t n, char *const *p, const int64_t *s, st_ew_ctx *ctx) { \
        (void)ctx;                                                                         \
        TO *restrict o = (TO *)p[0];                                                       \
        const TI *restrict a = (const TI *)p[1];                                           \
        const int64_t so = s[0], sa = s[1];                                                \
        if (so == 1 && sa == 1) {                                                          \
            for (int64_t i = 0; i < n; i++) { const TI x = a[i]; o[i] = (EXPR); }          \
        } else {                                                                           \
            for (int64_t i = 0; i < n; i++) { const TI x = a[i * sa]; o[i * so] = (EXPR); } \
        }                                                                                  \
    }

#define ST_ROW2(NAME, TO, TI, EXPR)                                                        \
    ST_CLONES static void NAME(int64_t n, char *const *p, const int64_t *s, st_ew_ctx *ctx) { \
        (void)ctx;                                                                         \
        TO *restrict o = (TO *)p[0];                                                       \
        const TI *restrict a = (const TI *)p[1];                                           \
        const TI *restrict b = (const TI *)p[2];                                           \
        const int64_t so = s[0], sa = s[1], sb = s[2];                                     \
        if (so == 1 && sa == 1 && sb == 1) {                                               \
            for (int64_t i = 0; i < n; i++) { const TI x = a[i], y = b[i]; o[i] = (EXPR); } \
        } else if (so == 1 && sa == 1 && sb == 0) {                                        \
            const TI y = b[0];                                                             \
            for (int64_t i = 0; i < n; i++) { const TI x = a[i]; o[i] = (EXPR); }          \
        } else if (so == 1 && sa == 0 && sb == 1) {                                        \
            const TI x = a[0];                                                             \
            for (int64_t i = 0; i < n; i++) { const TI y = b[i]; o[i] = (EXPR); }          \
        } else {                                                                           \
            for (int64_t i = 0; i < n; i++) {                                              \
                const TI x = a[i * sa], y = b[i * sb];                                     \
                o[i * so] = (EXPR);                                                        \
            }                                                                              \
        }                                                                                  \
    }

#endif
