/*
 * Matrix products: mm, bmm, matmul, addmm, linear. Every one becomes
 *     C[batch, m, n] = alpha * A[batch, m, k] @ B[batch, k, n] + beta * C0
 * with C contiguous. Float32/float64 go to cuBLAS (TF32 off unless SWIFTTORCH_CUDA_TF32=1),
 * which reads row-major operands as transposed column-major ones, so strided and transposed
 * views need no copy; anything else, and integers, take a contiguous copy or a plain kernel.
 */
#include "cuda_internal.h"

/* A [batch, rows, cols] view: a base pointer and element strides. */
typedef struct {
    const st_tensor *t;
    long long batch, rows, cols, bstride, s0, s1, offset;
    CUdeviceptr base;
} matrix;

/* Views the last two dims of `t` as the matrix and the others as one batch dim, if their
 * strides allow; returns 0 if a copy is needed. */
static int as_matrix(const st_tensor *t, long long rows, long long cols, long long s0, long long s1, int lead, matrix *m) {
    m->t = t; m->rows = rows; m->cols = cols; m->s0 = s0; m->s1 = s1;
    m->batch = 1; m->bstride = 0; m->offset = t->offset; m->base = (CUdeviceptr)(uintptr_t)t->data;
    for (int d = 0; d < lead; d++) m->batch *= t->shape[d];
    long long expected = -1;
    for (int d = lead - 1; d >= 0; d--) {
        if (t->shape[d] == 1) continue;
        if (expected < 0) m->bstride = t->strides[d];
        else if (t->strides[d] != expected) return 0;
        expected = t->strides[d] * t->shape[d];
    }
    return 1;
}

/* cuBLAS's view of a row-major [r, c] matrix: *transposed = 0 when it is stored row by row
 * (cuBLAS sees its transpose, op N), 1 when column by column (op T); *ld its leading dim. */
static int gemm_layout(long long r, long long c, long long s0, long long s1, int *transposed, long long *ld) {
    long long need = c > 1 ? c : 1;
    if (c == 1 || s1 == 1) {
        if (r == 1) { *ld = need; *transposed = 0; return 1; }
        if (s0 >= need) { *ld = s0; *transposed = 0; return 1; }
    }
    need = r > 1 ? r : 1;
    if (r == 1 || s0 == 1) {
        if (c == 1) { *ld = need; *transposed = 1; return 1; }
        if (s1 >= need) { *ld = s1; *transposed = 1; return 1; }
    }
    return 0;
}

/* Copies a matrix operand into contiguous scratch memory (freed by the caller). */
static int pack(stc_job *job, const st_tensor *t, matrix *m, CUdeviceptr *scratch) {
    int64_t strides[64];
    long long n = st_tensor_count(t), s = 1;
    for (int d = t->rank - 1; d >= 0; d--) { strides[d] = s; s *= t->shape[d]; }
    if (stc_temp(job, (size_t)(n > 0 ? n : 1) * st_dtype_size(t->dtype), scratch) != ST_OK) return ST_FAILED;
    st_tensor view = *t;
    view.strides = strides;
    view.offset = 0;
    view.data = (void *)(uintptr_t)*scratch;
    if (stc_copy_into(job, &view, t) != ST_OK) return ST_FAILED;
    m->base = *scratch; m->offset = 0;
    m->s0 = m->cols; m->s1 = 1; m->bstride = m->rows * m->cols;
    return ST_OK;
}

static int cublas_handle(stc_job *job) {
    if (job->dev->cublas) return ST_OK;
    cublasStatus_t s = stc.cublasCreate(&job->dev->cublas);
    if (s != 0) return stc_fail(job->call, ST_ERROR_RUNTIME, "cublasCreate failed with status %d", s);
    stc.cublasSetMathMode(job->dev->cublas, stc_tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH);
    return ST_OK;
}

static int gemm(stc_job *job, int dt, matrix *a, matrix *b, long long m, long long n, long long k, long long batch,
                double alpha, double beta, CUdeviceptr c) {
    int ta, tb;
    long long lda, ldb;
    if (!gemm_layout(a->rows, a->cols, a->s0, a->s1, &ta, &lda) || !gemm_layout(b->rows, b->cols, b->s0, b->s1, &tb, &ldb))
        return stc_fail(job->call, ST_ERROR_RUNTIME, "internal: operand layout");
    if (cublas_handle(job) != ST_OK) return ST_FAILED;
    size_t size = st_dtype_size(dt);
    CUdeviceptr pa = a->base + (CUdeviceptr)(a->offset * (long long)size), pb = b->base + (CUdeviceptr)(b->offset * (long long)size);
    /* Column-major: C^T (n x m) = B^T (n x k) * A^T (k x m). */
    cublasStatus_t s;
    if (dt == ST_FLOAT32) {
        float fa = (float)alpha, fb = (float)beta;
        s = stc.cublasSgemmStridedBatched(job->dev->cublas, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N,
                                          (int)n, (int)m, (int)k, &fa, (const float *)(uintptr_t)pb, (int)ldb, b->bstride,
                                          (const float *)(uintptr_t)pa, (int)lda, a->bstride, &fb, (float *)(uintptr_t)c,
                                          (int)n, m * n, (int)batch);
    } else {
        s = stc.cublasDgemmStridedBatched(job->dev->cublas, tb ? CUBLAS_OP_T : CUBLAS_OP_N, ta ? CUBLAS_OP_T : CUBLAS_OP_N,
                                          (int)n, (int)m, (int)k, &alpha, (const double *)(uintptr_t)pb, (int)ldb, b->bstride,
                                          (const double *)(uintptr_t)pa, (int)lda, a->bstride, &beta, (double *)(uintptr_t)c,
                                          (int)n, m * n, (int)batch);
    }
    if (s != 0) return stc_fail(job->call, ST_ERROR_RUNTIME, "cuBLAS gemm failed with status %d (m %lld, n %lld, k %lld)", s, m, n, k);
    return stc_after_launch(job, "cuBLAS gemm");
}

int32_t stc_k_matmul(const st_kernel_call *call) {
    stc_job job;
    if (stc_begin(call, &job) != ST_OK) return ST_FAILED;
    const st_tensor *out = call->outputs[0];
    const st_tensor *x, *y, *c0 = NULL;
    const char *op = call->op;
    int linear = op[0] == 'l', addmm = op[0] == 'a';
    double alpha = 1, beta = linear ? 1 : 0;
    matrix a, b;
    int ok_a, ok_b;
    if (linear) {
        /* input [..., k] as [rows, k]; weight [n, k] read as its transpose [k, n]. */
        x = stc_arg_tensor(call, "input"); y = stc_arg_tensor(call, "weight"); c0 = stc_arg_tensor(call, "bias");
        int r = x->rank;
        ok_a = as_matrix(x, 1, x->shape[r - 1], 0, x->strides[r - 1], r - 1, &a);
        a.rows = a.batch; a.s0 = a.batch > 1 ? a.bstride : a.cols; a.batch = 1; a.bstride = 0;
        ok_b = y->rank == 2 ? as_matrix(y, y->shape[1], y->shape[0], y->strides[1], y->strides[0], 0, &b)
                            : as_matrix(y, y->shape[0], 1, y->strides[0], 0, 0, &b);
    } else {
        x = stc_arg_tensor(call, addmm ? "mat1" : "self");
        y = stc_arg_tensor(call, op[0] == 'm' && op[1] == 'a' ? "other" : "mat2");
        if (addmm) {
            c0 = stc_arg_tensor(call, "self");
            alpha = st_double_argument(call, "alpha", 1);
            beta = st_double_argument(call, "beta", 1);
        }
        int r = x->rank;
        ok_a = as_matrix(x, x->shape[r - 2], x->shape[r - 1], x->strides[r - 2], x->strides[r - 1], r - 2, &a);
        ok_b = as_matrix(y, y->shape[r - 2], y->shape[r - 1], y->strides[r - 2], y->strides[r - 1], r - 2, &b);
    }
    long long m = a.rows, k = a.cols, n = b.cols, batch = a.batch;
    if (!linear && b.batch != batch && b.batch != 1) ok_b = 0;
    if (st_tensor_count(out) == 0) return ST_OK;
    int has_c = c0 != NULL && beta != 0;
    if (has_c && stc_copy_into(&job, out, c0) != ST_OK) return ST_FAILED;
    CUdeviceptr c = stc_element_ptr(out);
    int dt = out->dtype;
    if (alpha == 0 || k == 0) {  /* no product: beta * C0, or zeros */
        if (has_c && beta != 1) {
            int op_scale = STC_SCALE, flags = 0;
            double p1 = 0; long long i0 = (long long)beta, i1 = 0;
            stc_ew_geom g;
            const st_tensor *ops[2] = {out, out};
            if (stc_ew_init(&job, &g, ops, 2) != ST_OK) return ST_FAILED;
            void *o = out->data;
            void *params[] = {&g, &op_scale, &dt, &dt, &o, &o, &beta, &p1, &i0, &i1, &flags};
            return stc_launch(&job, STC_K_UNARY, stc_grid(&job, g.n, 256), 1, 256, params);
        }
        /* Products are never bool, so the output is whole 32-bit words. */
        if (!has_c) return stc_check(call, stc.cuMemsetD32(c, 0, (size_t)st_tensor_count(out) * st_dtype_size(dt) / 4), "cuMemsetD32");
        return ST_OK;
    }
    CUdeviceptr scratch_a = 0, scratch_b = 0;
    int ta, tb;
    long long ld;
    int status = ST_OK;
    int use_cublas = stc_have_cublas && (dt == ST_FLOAT32 || dt == ST_FLOAT64);
    if (use_cublas && (!ok_a || !gemm_layout(a.rows, a.cols, a.s0, a.s1, &ta, &ld))) status = pack(&job, x, &a, &scratch_a);
    if (status == ST_OK && use_cublas && (!ok_b || !gemm_layout(b.rows, b.cols, b.s0, b.s1, &tb, &ld))) ok_b = 0;
    if (status == ST_OK && !use_cublas && !ok_a) status = pack(&job, x, &a, &scratch_a);
    if (status == ST_OK && !ok_b) {
        status = pack(&job, y, &b, &scratch_b);
        /* A packed weight [n, k] is still read as its transpose. */
        if (linear) { b.s0 = 1; b.s1 = y->rank == 2 ? b.rows : 0; b.bstride = 0; }
    }
    if (status == ST_OK && b.batch == 1 && batch > 1) b.bstride = 0;
    if (status == ST_OK && use_cublas) {
        status = gemm(&job, dt, &a, &b, m, n, k, batch, alpha, has_c ? beta : 0, c);
    } else if (status == ST_OK) {
        stc_mm_params p = {batch, m, n, k, a.bstride, a.s0, a.s1, b.bstride, b.s0, b.s1, alpha, beta,
                           (long long)alpha, (long long)beta, has_c, 0};
        void *pa = (void *)(uintptr_t)(a.base + (CUdeviceptr)(a.offset * (long long)st_dtype_size(dt)));
        void *pb = (void *)(uintptr_t)(b.base + (CUdeviceptr)(b.offset * (long long)st_dtype_size(dt)));
        void *pc = (void *)(uintptr_t)c;
        void *params[] = {&p, &dt, &pa, &pb, &pc};
        status = stc_launch(&job, STC_K_MATMUL_NAIVE, stc_grid(&job, batch * m * n, 256), 1, 256, params);
    }
    if (scratch_a) stc_free(job.dev, scratch_a);
    if (scratch_b) stc_free(job.dev, scratch_b);
    return status;
}
