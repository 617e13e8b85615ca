/* SwiftTorch's OpenMP kernels: the C functions the Swift registration calls.
   Each family has its own header; this one only holds what all of them share. */
#ifndef SWIFTTORCH_OPENMP_KERNELS_H
#define SWIFTTORCH_OPENMP_KERNELS_H

#include <stdint.h>

/* The most dimensions a strided C kernel accepts; the Swift side coalesces dimensions
   (and falls back to the reference backend beyond this rank). */
#define ST_MAX_DIMS 8

/* Set in ThreadSanitizer builds, where the kernels compile without target_clones: TSan
   instruments the ifunc resolvers that pick a clone, and the dynamic loader runs those
   before the TSan runtime is set up, so the process would die while loading. Only
   scripts/sanitizers.sh makes such a build; it takes the baseline loops. */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define ST_THREAD_SANITIZER 1
#endif
#endif

/* Threads OpenMP uses in parallel regions (set once at start-up from
   SWIFTTORCH_NUM_THREADS, else OMP_NUM_THREADS, else all cores). */
int st_omp_max_threads(void);
void st_omp_set_threads(int n);

#endif
