/* Copies: _to_copy (dtype conversion and host<->device transfers), copy_, cat; and the
 * creation operators (full, arange, linspace, eye). */
#include <stdlib.h>
#include <string.h>

#include "cuda_internal.h"

static long long integer_scalar(const st_kernel_call *call, const char *name) {
    const st_argument *a = st_find_argument(call, name);
    if (!a) return 0;
    if (a->kind == ST_VALUE_INT || a->kind == ST_VALUE_BOOL) return a->value.i;
    double x = a->value.d;
    if (x != x) return 0;
    if (x >= 9.223372036854775807e18) return INT64_MAX;
    if (x <= -9.223372036854775808e18) return INT64_MIN;
    return (long long)x;
}

/* Host elements of a strided view into a contiguous buffer. */
static void gather_host(const st_tensor *t, char *to) {
    size_t size = st_dtype_size(t->dtype);
    int64_t n = st_tensor_count(t), index[64] = {0};
    const char *base = (const char *)t->data;
    for (int64_t i = 0; i < n; i++) {
        int64_t off = t->offset;
        for (int d = 0; d < t->rank; d++) off += index[d] * t->strides[d];
        memcpy(to + (size_t)i * size, base + off * (int64_t)size, size);
        for (int d = t->rank - 1; d >= 0; d--) {
            if (++index[d] < t->shape[d]) break;
            index[d] = 0;
        }
    }
}

/* A contiguous descriptor over device memory `ptr` with `like`'s shape. */
static st_tensor contiguous_view(const st_tensor *like, int dtype, CUdeviceptr ptr, int64_t *strides) {
    int64_t s = 1;
    for (int d = like->rank - 1; d >= 0; d--) { strides[d] = s; s *= like->shape[d]; }
    st_tensor t = *like;
    t.dtype = dtype;
    t.strides = strides;
    t.offset = 0;
    t.data = (void *)(uintptr_t)ptr;
    t.device.type = ST_DEVICE_CUDA;
    return t;
}

int32_t stc_k_to_copy(const st_kernel_call *call) {
    stc_job job;
    if (stc_begin(call, &job) != ST_OK) return ST_FAILED;
    const st_tensor *src = stc_arg_tensor(call, "self"), *out = call->outputs[0];
    int64_t n = st_tensor_count(out), strides[64];
    if (n == 0) return ST_OK;
    if (src->rank > 64) return stc_fail(call, ST_ERROR_SHAPE, "rank %d is not supported", src->rank);
    size_t src_bytes = (size_t)n * st_dtype_size(src->dtype), out_bytes = (size_t)n * st_dtype_size(out->dtype);
    int same = src->dtype == out->dtype;
    if (src->device.type == ST_DEVICE_CUDA && out->device.type == ST_DEVICE_CUDA) {
        if (src->device.index != out->device.index)
            return stc_fail(call, ST_ERROR_NOT_IMPLEMENTED, "copies between two GPUs (cuda:%d to cuda:%d) are not supported; go through the CPU",
                            src->device.index, out->device.index);
        return stc_copy_into(&job, out, src);
    }
    if (out->device.type == ST_DEVICE_CUDA) {  /* host to device */
        const void *host = (const char *)src->data + src->offset * (int64_t)st_dtype_size(src->dtype);
        char *packed = NULL;
        if (!stc_contiguous(src)) {
            packed = malloc(src_bytes);
            if (!packed) return stc_fail(call, ST_ERROR_RUNTIME, "out of host memory (%zu bytes)", src_bytes);
            gather_host(src, packed);
            host = packed;
        }
        int status;
        if (same) {
            status = stc_check(call, stc.cuMemcpyHtoD(stc_element_ptr(out), host, src_bytes), "cuMemcpyHtoD");
        } else {
            CUdeviceptr staging = 0;
            status = stc_temp(&job, src_bytes, &staging);
            if (status == ST_OK) status = stc_check(call, stc.cuMemcpyHtoD(staging, host, src_bytes), "cuMemcpyHtoD");
            if (status == ST_OK) {
                st_tensor view = contiguous_view(out, src->dtype, staging, strides);
                status = stc_copy_into(&job, out, &view);
            }
            if (staging) stc_free(job.dev, staging);
        }
        free(packed);
        return status;
    }
    /* device to host: convert and pack on the device first when needed */
    void *host = (char *)out->data + out->offset * (int64_t)st_dtype_size(out->dtype);
    if (same && stc_contiguous(src))
        return stc_check(call, stc.cuMemcpyDtoH(host, stc_element_ptr(src), src_bytes), "cuMemcpyDtoH");
    CUdeviceptr staging;
    if (stc_temp(&job, out_bytes, &staging) != ST_OK) return ST_FAILED;
    st_tensor view = contiguous_view(out, out->dtype, staging, strides);
    int status = stc_copy_into(&job, &view, src);
    if (status == ST_OK) status = stc_check(call, stc.cuMemcpyDtoH(host, staging, out_bytes), "cuMemcpyDtoH");
    stc_free(job.dev, staging);
    return status;
}

int32_t stc_k_copy_(const st_kernel_call *call) {
    stc_job job;
    if (stc_begin(call, &job) != ST_OK) return ST_FAILED;
    const st_tensor *dst = stc_arg_tensor(call, "self"), *src = stc_arg_tensor(call, "src");
    if (src->device.type != ST_DEVICE_CUDA)
        return stc_fail(call, ST_ERROR_INVALID_ARGUMENT, "the source is on the CPU; move it with .to(.cuda) first");
    return stc_copy_into(&job, dst, src);
}

int32_t stc_k_cat(const st_kernel_call *call) {
    stc_job job;
    if (stc_begin(call, &job) != ST_OK) return ST_FAILED;
    const st_tensor *out = call->outputs[0];
    const st_argument *list = st_find_argument(call, "tensors");
    int dim = (int)st_int_argument(call, "dim", 0);
    if (st_tensor_count(out) == 0) return ST_OK;
    int64_t start = 0;
    for (int i = 0; i < list->count; i++) {
        const st_tensor *t = list->value.tensors[i];
        if (st_tensor_count(t) == 0) continue;
        if (t->rank != out->rank) return stc_fail(call, ST_ERROR_SHAPE, "internal: input %d has rank %d, the output %d", i, t->rank, out->rank);
        st_tensor slot = *out;
        slot.shape = t->shape;
        slot.offset = out->offset + start * out->strides[dim];
        if (stc_copy_into(&job, &slot, t) != ST_OK) return ST_FAILED;
        start += t->shape[dim];
    }
    return ST_OK;
}

int32_t stc_k_creation(const st_kernel_call *call) {
    stc_job job;
    if (stc_begin(call, &job) != ST_OK) return ST_FAILED;
    const st_tensor *out = call->outputs[0];
    long long n = st_tensor_count(out), i0 = 0, i2 = 0, columns = 1;
    if (n == 0) return ST_OK;
    int kind = STC_OPCODE(call), dt = out->dtype, float_value = dt == ST_FLOAT32 || dt == ST_FLOAT64;
    double p0 = 0, p1 = 0, p2 = 0;
    switch (kind) {
    case STC_FILL: {
        const st_argument *v = st_find_argument(call, "fill_value");
        float_value = v->kind == ST_VALUE_DOUBLE;  /* a float fill goes through the float-to-int rule */
        p0 = st_double_argument(call, "fill_value", 0);
        i0 = integer_scalar(call, "fill_value");
        break;
    }
    case STC_ARANGE:
        p0 = st_double_argument(call, "start", 0); p2 = st_double_argument(call, "step", 1);
        i0 = integer_scalar(call, "start"); i2 = integer_scalar(call, "step");
        break;
    case STC_LINSPACE:
        p0 = float_value ? st_double_argument(call, "start", 0) : (double)integer_scalar(call, "start");
        p1 = float_value ? st_double_argument(call, "end", 0) : (double)integer_scalar(call, "end");
        break;
    default:
        columns = out->rank == 2 && out->shape[1] > 0 ? out->shape[1] : 1;
        break;
    }
    void *o = out->data;
    void *params[] = {&n, &kind, &dt, &o, &p0, &p1, &p2, &i0, &i2, &float_value, &columns};
    return stc_launch(&job, STC_K_FILL, stc_grid(&job, n, 256), 1, 256, params);
}
