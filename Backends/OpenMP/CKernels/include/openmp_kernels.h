/* SwiftTorch's OpenMP kernels: the C functions the Swift registration calls.
   Each family has its own header; this one only holds what all of them share. */
#ifndef SWIFTTORCH_OPENMP_KERNELS_H
#define SWIFTTORCH_OPENMP_KERNELS_H

#include <stdint.h>

/* The most dimensions a strided C kernel accepts; the Swift side coalesces dimensions
   (and falls back to the reference backend beyond this rank). */
#define ST_MAX_DIMS 8

/* Threads OpenMP uses in parallel regions (set once at start-up from
   SWIFTTORCH_NUM_THREADS, else OMP_NUM_THREADS, else all cores). */
int st_omp_max_threads(void);
void st_omp_set_threads(int n);

#endif
