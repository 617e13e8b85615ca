#include "openmp_kernels.h"

#ifdef _OPENMP
/* The toolchain's clang has -fopenmp but ships no omp.h: declare what we call. */
extern int omp_get_max_threads(void);
extern void omp_set_num_threads(int);
#endif

int st_omp_max_threads(void) {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

void st_omp_set_threads(int n) {
#ifdef _OPENMP
    if (n > 0) omp_set_num_threads(n);
#else
    (void)n;
#endif
}
