/* GEMM micro-kernels. One template, instantiated per instruction set with the tile that
   fits its register file (accumulators + B vectors + one broadcast):
     AVX-512 (32 zmm): f32 12 x 32, f64 12 x 16  (24 accumulators)
     AVX2+FMA (16 ymm): f32 6 x 16, f64 6 x 8    (12 accumulators)
     portable (16 xmm): f32 4 x 8,  f64 4 x 4    (8 accumulators)
   The package builds with -ffp-contract=off (elementwise results must not depend on fused
   multiply-adds); the kernels turn contraction back on locally, since a product is allowed
   FMA rounding and needs it for speed. The choice is made once, at first use. */
#define ST_OMP_INTERNAL
#include "omp_matmul.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef float v4f __attribute__((vector_size(16)));
typedef double v2d __attribute__((vector_size(16)));
typedef float v8f __attribute__((vector_size(32)));
typedef double v4d __attribute__((vector_size(32)));
typedef float v16f __attribute__((vector_size(64)));
typedef double v8d __attribute__((vector_size(64)));

/* MR rows x NV vectors of VL lanes. Constant trip counts: the compiler unrolls every loop
   and keeps `acc` in registers. */
#define ST_UKR(NAME, T, VT, VL, MR, NV, TARGET)                                               \
    TARGET static void NAME(int64_t kc, const void *ap, const void *bp, void *cp, int64_t ldc, \
                            int accumulate) {                                                  \
        _Pragma("clang fp contract(fast)")                                                     \
        const T *restrict a = ap;                                                              \
        const T *restrict b = bp;                                                              \
        T *restrict c = cp;                                                                    \
        VT acc[MR][NV];                                                                        \
        for (int i = 0; i < MR; i++)                                                           \
            for (int j = 0; j < NV; j++) acc[i][j] = (VT){0};                                  \
        for (int64_t p = 0; p < kc; p++) {                                                     \
            VT bv[NV];                                                                         \
            for (int j = 0; j < NV; j++) memcpy(&bv[j], b + j * VL, sizeof(VT));               \
            for (int i = 0; i < MR; i++) {                                                     \
                VT av; /* a splat: the compiler emits one broadcast load */                    \
                for (int l = 0; l < VL; l++) av[l] = a[i];                                     \
                for (int j = 0; j < NV; j++) acc[i][j] += av * bv[j];                          \
            }                                                                                  \
            a += MR;                                                                           \
            b += NV * VL;                                                                      \
        }                                                                                      \
        for (int i = 0; i < MR; i++)                                                           \
            for (int j = 0; j < NV; j++) {                                                     \
                VT v = acc[i][j];                                                              \
                if (accumulate) {                                                              \
                    VT old;                                                                    \
                    memcpy(&old, c + i * ldc + j * VL, sizeof(VT));                            \
                    v += old;                                                                  \
                }                                                                              \
                memcpy(c + i * ldc + j * VL, &v, sizeof(VT));                                  \
            }                                                                                  \
    }

#if defined(__x86_64__)
#define ST_AVX512 __attribute__((target("avx512f,avx2,fma")))
#define ST_AVX2 __attribute__((target("avx2,fma")))
ST_UKR(ukr_avx512_f32, float, v16f, 16, 12, 2, ST_AVX512)
ST_UKR(ukr_avx512_f64, double, v8d, 8, 12, 2, ST_AVX512)
ST_UKR(ukr_avx2_f32, float, v8f, 8, 6, 2, ST_AVX2)
ST_UKR(ukr_avx2_f64, double, v4d, 4, 6, 2, ST_AVX2)
#endif
ST_UKR(ukr_portable_f32, float, v4f, 4, 4, 2, )
ST_UKR(ukr_portable_f64, double, v2d, 2, 4, 2, )
#ifdef ST_GEMM_SELFTEST
/* The AVX-512 tiles on baseline x86-64, so their blocking logic can be tested anywhere. */
ST_UKR(ukr_wide_f32, float, v16f, 16, 12, 2, )
ST_UKR(ukr_wide_f64, double, v8d, 8, 12, 2, )
#endif

/* Cache blocks: mc a multiple of mr, nc of nr; kc x nr (a B micro-panel) fits L1. The
   AVX-512 sizes were picked on a 2-core slice of a Xeon (mc 96..480 and kc 128..384 all
   gave 185-200 GFLOP/s at 1024^3: the product is not sensitive to them there). */
static const st_gemm_kernel kernels[][2] = {
#if defined(__x86_64__)
    {{"avx512", 12, 32, 144, 256, 3072, ukr_avx512_f32}, {"avx512", 12, 16, 144, 256, 3072, ukr_avx512_f64}},
    {{"avx2", 6, 16, 144, 256, 4080, ukr_avx2_f32}, {"avx2", 6, 8, 72, 256, 4080, ukr_avx2_f64}},
#endif
    {{"portable", 4, 8, 128, 256, 2048, ukr_portable_f32}, {"portable", 4, 4, 64, 256, 2048, ukr_portable_f64}},
#ifdef ST_GEMM_SELFTEST
    {{"wide", 12, 32, 144, 192, 3072, ukr_wide_f32}, {"wide", 12, 16, 96, 192, 3072, ukr_wide_f64}},
#endif
};
enum { KERNEL_COUNT = sizeof kernels / sizeof kernels[0] };

static int supported(const char *name) {
#if defined(__x86_64__)
    if (!strcmp(name, "avx512")) return __builtin_cpu_supports("avx512f");
    if (!strcmp(name, "avx2")) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return 1;
}

/* Computed once; a data race on first use only stores the same value twice. */
static int chosen = -1;

static int choose(void) {
    const char *want = getenv("SWIFTTORCH_GEMM_KERNEL");
    for (int i = 0; want && i < KERNEL_COUNT; i++)
        if (!strcmp(kernels[i][0].name, want) && supported(want)) return i;
    for (int i = 0; i < KERNEL_COUNT; i++)
        if (supported(kernels[i][0].name)) return i;
    return KERNEL_COUNT - 1;
}

const st_gemm_kernel *st_gemm_kernel_for(int f64) {
    int i = __atomic_load_n(&chosen, __ATOMIC_RELAXED);
    if (i < 0) {
        i = choose();
        __atomic_store_n(&chosen, i, __ATOMIC_RELAXED);
    }
#ifdef ST_GEMM_SELFTEST
    /* Block-size experiments: SWIFTTORCH_GEMM_BLOCKS=mc,kc,nc (test builds only). */
    static st_gemm_kernel tuned[2];
    const char *blocks = getenv("SWIFTTORCH_GEMM_BLOCKS");
    if (blocks) {
        tuned[f64 ? 1 : 0] = kernels[i][f64 ? 1 : 0];
        long mc, kc, nc;
        if (sscanf(blocks, "%ld,%ld,%ld", &mc, &kc, &nc) == 3) {
            tuned[f64 ? 1 : 0].mc = mc; tuned[f64 ? 1 : 0].kc = kc; tuned[f64 ? 1 : 0].nc = nc;
        }
        return &tuned[f64 ? 1 : 0];
    }
#endif
    return &kernels[i][f64 ? 1 : 0];
}

const char *st_gemm_kernel_name(void) { return st_gemm_kernel_for(0)->name; }
