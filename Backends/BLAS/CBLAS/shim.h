/* OpenBLAS's CBLAS interface. Not named cblas.h and not guarded with CBLAS_H: either
   collides with OpenBLAS's own header guard and leaves the module empty. */
#ifndef SWIFTTORCH_CBLAS_SHIM_H
#define SWIFTTORCH_CBLAS_SHIM_H
#include <cblas.h>
#endif
