/* Private to the C kernels: the dropout keep decision that st_dropout_* (nn_misc.c) and
   fused attention (sequence_attention.c) share, so one seed draws one mask in both, and
   in the reference backend's dropoutKeeps. */
#ifndef SWIFTTORCH_DROPOUT_MASK_H
#define SWIFTTORCH_DROPOUT_MASK_H

#include <stdint.h>

/* SplitMix64's finaliser of element i's counter: a pure function of (seed, i), so the mask
   does not depend on how elements are split across threads. */
static inline uint64_t dropout_bits(uint64_t seed, int64_t i) {
    uint64_t z = seed + ((uint64_t)i + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* u = (z >> 11) * 2^-53 is exact, so u >= p exactly when the integer z >> 11 reaches
   ceil(p * 2^53) (p * 2^53 is exact too): the decision needs no integer-to-double
   conversion, which AVX2 lacks, and the loop vectorises. */
static inline uint64_t keep_threshold(double p) {
    if (p != p) return UINT64_MAX;            /* u >= NaN is false: drop everything */
    if (p <= 0) return 0;                     /* every u >= p */
    if (p > 1) return (uint64_t)1 << 53;      /* no u reaches it */
    return (uint64_t)__builtin_ceil(p * 0x1.0p53);
}

#endif
