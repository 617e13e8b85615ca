/* In-place elementwise kernels of the OpenMP backend: `self` is operand 0 of the
   geometry and is both read and written; the inputs follow (addcmul/addcdiv: tensor1,
   tensor2; lerp: end, weight), already in self's dtype and broadcast to its shape by
   meta. An input may be `self` itself (same view): each element is read before it is
   written, and nothing else reads it. add_, sub_, mul_, div_ and clamp_ need no kernel
   of their own: the binary and unary kernels (omp_elementwise.h) write self directly. */
#ifndef SWIFTTORCH_OMP_INPLACE_H
#define SWIFTTORCH_OMP_INPLACE_H

#include <stdint.h>
#include "omp_elementwise.h"

typedef enum { ST_IP_ADDCMUL, ST_IP_ADDCDIV, ST_IP_LERP } st_inplace_op;

/* self = op(self, a, b) for float32/float64, computed in double and rounded once (as the
   reference): addcmul self + value * a * b, addcdiv self + value * a / b, lerp PyTorch's
   two-sided formula with weight b. Returns 0, or -1 for an unsupported op/dtype. */
int st_ip_ternary(int op, int dtype, const st_ew_geometry *g, void *self, const void *a,
                  const void *b, double value);
/* addcmul for int32/int64 in wrapping int64 arithmetic (the reference's domain). */
int st_ip_addcmul_int(int dtype, const st_ew_geometry *g, void *self, const void *a,
                      const void *b, int64_t value);
/* Every element of the strided `self` set to `pattern` (the bits of one element). */
int st_ip_fill(int itemsize, const st_ew_geometry *g, void *self, uint64_t pattern);

#endif
