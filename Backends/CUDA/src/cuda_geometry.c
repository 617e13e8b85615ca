/* Tensor descriptors to kernel parameters: elementwise iterations (with dims merged where
 * every operand allows it), reductions, and a device-side strided copy. */
#include <string.h>

#include "cuda_internal.h"

const st_tensor *stc_arg_tensor(const st_kernel_call *call, const char *name) {
    return st_tensor_argument(call, name);
}

CUdeviceptr stc_element_ptr(const st_tensor *t) {
    return (CUdeviceptr)(uintptr_t)t->data + (CUdeviceptr)(t->offset * (int64_t)st_dtype_size(t->dtype));
}

/* Row-major without gaps (size-1 dims may have any stride). */
int stc_contiguous(const st_tensor *t) {
    int64_t expected = 1;
    for (int d = t->rank - 1; d >= 0; d--) {
        if (t->shape[d] == 1) continue;
        if (t->shape[d] == 0) return 1;
        if (t->strides[d] != expected) return 0;
        expected *= t->shape[d];
    }
    return 1;
}

int stc_ew_init(stc_job *job, stc_ew_geom *g, const st_tensor *const *operands, int count) {
    memset(g, 0, sizeof *g);
    const st_tensor *dst = operands[0];
    int64_t shape[64], strides[STC_MAXOPS][64];
    int rank = 0;
    g->n = st_tensor_count(dst);
    if (dst->rank > 64) return stc_fail(job->call, ST_ERROR_SHAPE, "tensors of rank %d are not supported", dst->rank);
    for (int k = 0; k < count; k++) {
        const st_tensor *t = operands[k];
        if (t && t->rank != dst->rank)
            return stc_fail(job->call, ST_ERROR_SHAPE, "internal: operand %d has rank %d, the output %d", k, t->rank, dst->rank);
        if (t) g->offset[k] = t->offset;
    }
    /* Size-1 dims do not move any operand. */
    for (int d = 0; d < dst->rank; d++) {
        if (dst->shape[d] == 1) continue;
        shape[rank] = dst->shape[d];
        for (int k = 0; k < count; k++) strides[k][rank] = operands[k] ? operands[k]->strides[d] : 0;
        rank++;
    }
    /* Merge dim d into d + 1 when, for every operand, stepping d is stepping d + 1 shape times. */
    int merged = 0;
    for (int d = 0; d < rank; d++) {
        if (merged > 0) {
            int fits = 1;
            for (int k = 0; k < count; k++)
                if (strides[k][merged - 1] != strides[k][d] * shape[d]) { fits = 0; break; }
            if (fits) {
                shape[merged - 1] *= shape[d];
                for (int k = 0; k < count; k++) strides[k][merged - 1] = strides[k][d];
                continue;
            }
        }
        shape[merged] = shape[d];
        for (int k = 0; k < count; k++) strides[k][merged] = strides[k][d];
        merged++;
    }
    rank = merged;
    if (rank > STC_MAXDIM)
        return stc_fail(job->call, ST_ERROR_SHAPE, "the operands' layouts need %d dims after merging; at most %d are supported (make them contiguous first)", rank, STC_MAXDIM);
    g->rank = rank;
    for (int d = 0; d < rank; d++) g->shape[d] = shape[d];
    for (int k = 0; k < count; k++) {
        int zero = 1;
        for (int d = 0; d < rank; d++) { g->stride[k][d] = strides[k][d]; if (strides[k][d]) zero = 0; }
        if (!operands[k] || zero || g->n <= 1) g->mode[k] = STC_CONSTANT;
        else if (rank == 1 && strides[k][0] == 1) g->mode[k] = STC_CONTIGUOUS;
        else g->mode[k] = STC_STRIDED;
    }
    for (int k = count; k < STC_MAXOPS; k++) g->mode[k] = STC_CONSTANT;
    return ST_OK;
}

int stc_red_init(stc_job *job, stc_red_geom *g, const st_tensor *in, const st_tensor *out, uint32_t reduced) {
    memset(g, 0, sizeof *g);
    if (in->rank > STC_MAXDIM) return stc_fail(job->call, ST_ERROR_SHAPE, "tensors of rank %d are not supported (at most %d)", in->rank, STC_MAXDIM);
    int same_shape = out && out->rank == in->rank;
    g->outputs = 1;
    g->group = 1;
    g->offset = in->offset;
    for (int d = 0; d < in->rank; d++) {
        if (reduced & (1u << d)) {
            g->rshape[g->rrank] = in->shape[d];
            g->rstride[g->rrank] = in->strides[d];
            g->rout[g->rrank] = same_shape ? out->strides[d] : 0;
            g->rrank++;
            g->group *= in->shape[d];
        } else {
            g->kshape[g->krank] = in->shape[d];
            g->kstride[g->krank] = in->strides[d];
            g->kout[g->krank] = same_shape ? out->strides[d] : 0;
            g->krank++;
            g->outputs *= in->shape[d];
        }
    }
    if (!same_shape) {
        /* Merge reduced dims that step as one (a whole contiguous tensor is one dim): the
         * kernels then address members without dividing. Flat member order is unchanged. */
        int merged = 0;
        for (int d = 0; d < g->rrank; d++) {
            if (g->rshape[d] == 1) continue;  /* contributes index 0 only */
            if (merged > 0 && g->rstride[merged - 1] == g->rstride[d] * g->rshape[d]) {
                g->rshape[merged - 1] *= g->rshape[d];
                g->rstride[merged - 1] = g->rstride[d];
                continue;
            }
            g->rshape[merged] = g->rshape[d];
            g->rstride[merged] = g->rstride[d];
            merged++;
        }
        g->rrank = merged;
        /* Reductions write a contiguous output in kept-dim order. */
        long long s = 1;
        for (int d = g->krank - 1; d >= 0; d--) { g->kout[d] = s; s *= g->kshape[d]; }
    }
    return ST_OK;
}

uint32_t stc_dims_argument(const st_kernel_call *call, const char *name, int rank) {
    const st_argument *a = st_find_argument(call, name);
    uint32_t all = rank >= 32 ? 0xffffffffu : ((1u << rank) - 1);
    if (!a || a->kind == ST_VALUE_NONE) return all;
    if (a->kind == ST_VALUE_INT) {
        int64_t d = a->value.i < 0 ? a->value.i + rank : a->value.i;
        return d >= 0 && d < rank ? (1u << d) : 0;
    }
    if (a->kind != ST_VALUE_INT_LIST || a->count == 0) return all;
    uint32_t mask = 0;
    for (int i = 0; i < a->count; i++) {
        int64_t d = a->value.ints[i] < 0 ? a->value.ints[i] + rank : a->value.ints[i];
        if (d >= 0 && d < rank) mask |= 1u << d;
    }
    return mask;
}

/* dst (any strides) = src (same shape, any strides), converting the dtype; both on the device. */
int stc_copy_into(stc_job *job, const st_tensor *dst, const st_tensor *src) {
    stc_ew_geom g;
    const st_tensor *ops[2] = {dst, src};
    if (stc_ew_init(job, &g, ops, 2) != ST_OK) return ST_FAILED;
    if (g.n == 0) return ST_OK;
    int sdt = src->dtype, ddt = dst->dtype;
    void *d = dst->data, *s = src->data;
    void *params[] = {&g, &sdt, &ddt, &d, &s};
    return stc_launch(job, STC_K_COPY, stc_grid(job, g.n, 256), 1, 256, params);
}
