/*
 * Kernel parameter structs and operation codes, shared word for word by the host C code
 * and the device source that NVRTC compiles at run time (build.sh prepends this file to
 * it), so both sides always agree on the layout. Plain C: no includes, no C++.
 */
#ifndef STC_KERNEL_PARAMS_H
#define STC_KERNEL_PARAMS_H

#define STC_MAXDIM 8
#define STC_MAXOPS 5

/* dtype codes: the ABI's st_dtype values. */
#define STC_BOOL 0
#define STC_INT32 1
#define STC_INT64 2
#define STC_FLOAT32 3
#define STC_FLOAT64 4

/* How an operand is addressed for linear element i: offset + i, offset, or by strides. */
#define STC_CONTIGUOUS 0
#define STC_CONSTANT 1
#define STC_STRIDED 2

/* Status word codes a kernel may set (the host reads it back after such kernels). */
#define STC_STATUS_DIVISION_BY_ZERO 1
#define STC_STATUS_NEGATIVE_POWER 2
#define STC_STATUS_INDEX 3
#define STC_STATUS_TARGET 4

/* An elementwise iteration: operand 0 is the destination, 1.. the inputs; every operand
 * is viewed with the same (coalesced) shape, each with its own strides and offset. */
typedef struct {
    long long n;
    int rank;
    int mode[STC_MAXOPS];
    long long shape[STC_MAXDIM];
    long long stride[STC_MAXOPS][STC_MAXDIM];
    long long offset[STC_MAXOPS];
} stc_ew_geom;

/* Binary operations. */
enum {
    STC_ADD, STC_SUB, STC_MUL, STC_DIV, STC_DIV_TRUNC, STC_DIV_FLOOR, STC_POW,
    STC_MAXIMUM, STC_MINIMUM, STC_EQ, STC_NE, STC_LT, STC_LE, STC_GT, STC_GE,
};

/* Unary operations. */
enum {
    STC_NEG, STC_ABS, STC_EXP, STC_LOG, STC_SQRT, STC_RSQRT, STC_SIN, STC_COS, STC_TANH,
    STC_SIGMOID, STC_RELU, STC_SILU, STC_SIGN, STC_FLOOR, STC_CEIL, STC_ROUND, STC_RECIPROCAL,
    STC_LOG1P, STC_EXPM1, STC_ERF, STC_SQUARE, STC_GELU, STC_GELU_TANH, STC_SOFTPLUS,
    STC_CLAMP, STC_SCALE,
};

/* Clamp's flags: which bounds are present. */
#define STC_HAS_MIN 1
#define STC_HAS_MAX 2

/* A reduction: `outputs` groups of `group` elements. Group o, member j is at
 * offset + (o over kshape/kstride) + (j over rshape/rstride); softmax and cumsum write
 * element (o, j) at (o over kshape/kout) + (j over rshape/rout). */
typedef struct {
    long long outputs;
    long long group;
    int krank;
    int rrank;
    long long kshape[STC_MAXDIM];
    long long kstride[STC_MAXDIM];
    long long kout[STC_MAXDIM];
    long long rshape[STC_MAXDIM];
    long long rstride[STC_MAXDIM];
    long long rout[STC_MAXDIM];
    long long offset;
} stc_red_geom;

/* Reductions. */
enum {
    STC_R_SUM, STC_R_MEAN, STC_R_PROD, STC_R_AMAX, STC_R_AMIN, STC_R_MAX, STC_R_MIN,
    STC_R_ARGMAX, STC_R_ARGMIN, STC_R_VAR, STC_R_STD, STC_R_LOGSUMEXP,
};

/* A reduction's running state (see reduce.cu for what each op keeps where). */
typedef struct {
    double a, b, c;
    long long i, j;
} stc_red_state;

/* Class-probability losses (cross_entropy, nll_loss): one sample per position of the
 * input without its class dim. */
typedef struct {
    long long samples;
    long long classes;
    int krank;
    int has_weight;
    int probabilities;   /* target holds probabilities (same shape as the input) */
    int logits;          /* input holds logits: apply log_softmax first */
    long long kshape[STC_MAXDIM];
    long long kin[STC_MAXDIM];
    long long ktarget[STC_MAXDIM];
    long long cin;        /* input stride along the class dim */
    long long ctarget;    /* probability target stride along the class dim */
    long long in_offset;
    long long target_offset;
    long long weight_stride;
    long long weight_offset;
} stc_class_geom;

/* Indexing: iterate `n` positions of `shape`; `dim` is where the index applies (-1 for a
 * 0-d self). gather/scatter read the index at every position, index_select/index_add at
 * the position's `dim` coordinate only. */
typedef struct {
    long long n;
    int rank;
    int dim;
    int per_element_index;
    int pad;
    long long shape[STC_MAXDIM];
    long long a_stride[STC_MAXDIM];   /* the iterated tensor (gather: self; scatter: source) */
    long long out_stride[STC_MAXDIM];
    long long index_stride[STC_MAXDIM];
    long long a_offset;
    long long out_offset;
    long long index_offset;
    long long size;                   /* self's size along dim (1 for 0-d) */
} stc_index_geom;

/* Batched matrix product without cuBLAS (integers, or when cuBLAS is missing). */
typedef struct {
    long long batch, m, n, k;
    long long a_batch, a_row, a_col;
    long long b_batch, b_row, b_col;
    double alpha, beta;
    long long ialpha, ibeta;
    int has_c;
    int pad;
} stc_mm_params;

/* Creation kinds. */
enum { STC_FILL, STC_ARANGE, STC_LINSPACE, STC_EYE };

#endif
