/* Elementwise, copy/conversion, creation and indexing kernels of the OpenMP backend.

   One entry point per op family. Every strided entry point takes an st_ew_geometry: the
   output's shape (already coalesced by the Swift side: size-1 dims dropped, mergeable
   dims merged, at most ST_MAX_DIMS) and, per operand, element strides (0 for broadcast
   dims). Operand 0 is always the output; inputs follow in the order the function names
   them. Base pointers already include each tensor's storage offset.

   The kernels split the n elements into one contiguous range per thread (only when n is
   large enough to pay for a parallel region) and walk each range row by row; a row (the
   innermost dim) takes a vectorised loop when its strides are 1 (or 0 for a broadcast
   scalar) and a strided loop otherwise. An input read across rows (a transposed view)
   is walked in 2-D tiles instead, so cache lines are reused. Nothing is copied to make
   inputs contiguous. Row loops are compiled for AVX-512, AVX2 and baseline x86-64 and
   picked at load time; results are bit-identical across them (no FMA contraction). */
#ifndef SWIFTTORCH_OMP_ELEMENTWISE_H
#define SWIFTTORCH_OMP_ELEMENTWISE_H

#include <stdint.h>
#include "openmp_kernels.h"

/* Output plus up to three inputs (where: condition, self, other). */
#define ST_EW_MAX_OPERANDS 4

/* Element types, in the order of Swift's DType cases. */
typedef enum {
    ST_DT_BOOL = 0, ST_DT_INT32 = 1, ST_DT_INT64 = 2, ST_DT_FLOAT32 = 3, ST_DT_FLOAT64 = 4
} st_dtype;

typedef struct {
    int32_t ndim;                                     /* 1 ... ST_MAX_DIMS */
    int64_t shape[ST_MAX_DIMS];
    int64_t strides[ST_EW_MAX_OPERANDS][ST_MAX_DIMS]; /* elements; [0] is the output */
} st_ew_geometry;

/* Binary ops: out = op(a, b). Comparisons write bool (uint8 0/1); the others write the
   input dtype. `alpha` scales b for add/sub (ignored elsewhere). */
typedef enum {
    ST_BIN_ADD, ST_BIN_SUB, ST_BIN_MUL, ST_BIN_DIV, ST_BIN_DIV_TRUNC, ST_BIN_DIV_FLOOR,
    ST_BIN_POW, ST_BIN_MAXIMUM, ST_BIN_MINIMUM,
    ST_BIN_EQ, ST_BIN_NE, ST_BIN_LT, ST_BIN_LE, ST_BIN_GT, ST_BIN_GE
} st_binary_op;

/* Unary ops: out = op(x), same dtype. Parameters: softplus (p0 beta, p1 threshold);
   clamp (p0 lower, p1 upper; pass -inf / +inf for a missing bound). */
typedef enum {
    ST_UN_NEG, ST_UN_ABS, ST_UN_EXP, ST_UN_LOG, ST_UN_SQRT, ST_UN_RSQRT, ST_UN_SIN, ST_UN_COS,
    ST_UN_TANH, ST_UN_SIGMOID, ST_UN_RELU, ST_UN_GELU, ST_UN_GELU_TANH, ST_UN_SILU,
    ST_UN_SOFTPLUS, ST_UN_SIGN, ST_UN_FLOOR, ST_UN_CEIL, ST_UN_ROUND, ST_UN_RECIPROCAL,
    ST_UN_LOG1P, ST_UN_EXPM1, ST_UN_ERF, ST_UN_SQUARE, ST_UN_CLAMP
} st_unary_op;

/* Each returns 0, or -1 for an op/dtype combination it does not implement. */
int st_ew_binary(int op, int dtype, const st_ew_geometry *g, void *out, const void *a,
                 const void *b, double alpha);
int st_ew_unary(int op, int dtype, const st_ew_geometry *g, void *out, const void *x,
                double p0, double p1);
/* Integer and bool variants (dtype ST_DT_BOOL/INT32/INT64), in the reference's int64
   domain: wrapping + - *, int32 results truncated, bool results stored as != 0. Binary:
   add (alpha), sub (alpha), mul, div trunc/floor, pow, maximum, minimum, comparisons.
   Unary: neg, abs, relu, sign, floor/ceil/round (identity), square, clamp (lo, hi; pass
   INT64_MIN / INT64_MAX for a missing bound). They return 0, -1 (no such op/dtype), or: */
#define ST_EW_INT_DIV_ZERO 2 /* an integer division by zero */
#define ST_EW_INT_NEG_POW 3  /* an integer raised to a negative power */
int st_ew_binary_int(int op, int dtype, const st_ew_geometry *g, void *out, const void *a,
                     const void *b, int64_t alpha);
int st_ew_unary_int(int op, int dtype, const st_ew_geometry *g, void *out, const void *x,
                    int64_t lo, int64_t hi);

/* out = cond ? a : b; cond is bool (uint8); a and b of any dtype (moved as bits). */
int st_ew_where(int dtype, const st_ew_geometry *g, void *out, const uint8_t *cond,
                const void *a, const void *b);

/* Strided copy with conversion from a float dtype to any dtype (float -> int truncates,
   NaN -> 0, saturates; float -> bool is x != 0). Same-dtype copies of any dtype too. */
int st_ew_copy(int src_dtype, int dst_dtype, const st_ew_geometry *g, void *out, const void *in);

/* Creation, contiguous outputs of any dtype. `pattern` holds the bits of one element
   (the Swift side converts the fill value by the reference's rules). */
int st_fill_pattern(int itemsize, int64_t n, void *out, uint64_t pattern);
/* out[i] = start + i * step: in double for float dtypes, in wrapping int64 (istart,
   istep) for integer dtypes. */
int st_arange(int dtype, int64_t n, void *out, double start, double step, int64_t istart,
              int64_t istep);
/* PyTorch's linspace in double (the first half counts up from start, the second down
   from end), converted to the dtype like a float source in st_ew_copy. */
int st_linspace(int dtype, int64_t n, void *out, double start, double end);
/* A rows x cols identity: zeros, and `one` (bits of 1 in the dtype) on the diagonal. */
int st_eye(int itemsize, int64_t rows, int64_t cols, void *out, uint64_t one);

/* Gather along one dim, expressed as a 3-operand strided loop over the output:
   operand 0 the output, operand 1 `self` (any dtype: elements move as bits) with the
   gathered dim's stride set to 0, operand 2 the index (int32 or int64). For each element, the index value i (negative
   counts from the end of `dim_size`) selects `self + i * dim_stride`. index_select is
   the same with a 1-D index broadcast (stride 0) over every other dim.
   Returns 0, -1 for unsupported dtypes, or 1 when an index is out of range; then
   *bad_index holds one offending value and the output is unspecified. */
int st_gather(int dtype, int index_dtype, const st_ew_geometry *g, void *out,
              const void *self, const void *index, int64_t dim_size, int64_t dim_stride,
              int64_t *bad_index);

/* index_add / scatter_add: out (already holding `self`) gets scale * src added at the
   index along one dim. The geometry covers the positions OFF the indexed dim (operand 0
   the output, 1 src, 2 index; index_add's 1-D index has stride 0 there); the indexed
   dim has n_dim steps with element strides src_dim_stride and index_dim_stride, and
   lands on out + i * dim_stride, i the wrapped index (checked against dim_size).
   Integer dtypes use iscale and wrap; floats use scale. out_count: out's element count
   (float32 and bool accumulate in a temporary wide copy). Returns 0, -1 unsupported
   dtypes, -2 out of memory, or 1 with *bad_index set for an index out of range. */
int st_scatter_add(int dtype, int index_dtype, const st_ew_geometry *g, int64_t n_dim,
                   int64_t src_dim_stride, int64_t index_dim_stride, void *out, int64_t out_count,
                   const void *src, const void *index, int64_t dim_size, int64_t dim_stride,
                   double scale, int64_t iscale, int64_t *bad_index);

#endif
