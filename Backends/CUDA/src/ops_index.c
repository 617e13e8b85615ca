/* Indexing: index_select and gather (copies), index_add and scatter_add (atomic adds into a
 * copy of self). Indices are checked on the device. */
#include <string.h>

#include "cuda_internal.h"

enum { INDEX_SELECT, GATHER, INDEX_ADD, SCATTER_ADD };

int32_t stc_k_index(const st_kernel_call *call) {
    stc_job job;
    if (stc_begin(call, &job) != ST_OK) return ST_FAILED;
    int kind = STC_OPCODE(call);
    const st_tensor *self = stc_arg_tensor(call, "self"), *index = stc_arg_tensor(call, "index"), *out = call->outputs[0];
    const st_tensor *source = kind == INDEX_ADD ? stc_arg_tensor(call, "source") : kind == SCATTER_ADD ? stc_arg_tensor(call, "src") : self;
    /* The iteration space: the output (select), the index (gather, scatter), the source (index_add). */
    const st_tensor *space = kind == INDEX_SELECT ? out : kind == INDEX_ADD ? source : index;
    int per_element = kind == GATHER || kind == SCATTER_ADD;
    if (space->rank > STC_MAXDIM || self->rank > STC_MAXDIM)
        return stc_fail(call, ST_ERROR_SHAPE, "tensors of rank above %d are not supported", STC_MAXDIM);
    if (kind == INDEX_SELECT && self->rank == 0 && st_tensor_count(index) != 1)
        return stc_fail(call, ST_ERROR_INVALID_ARGUMENT, "a 0-d self takes exactly one index, got %lld", (long long)st_tensor_count(index));
    stc_index_geom g;
    memset(&g, 0, sizeof g);
    g.rank = space->rank;
    g.n = st_tensor_count(space);
    g.dim = self->rank == 0 ? -1 : (int)st_int_argument(call, "dim", 0);
    g.per_element_index = per_element;
    g.size = self->rank == 0 ? 1 : self->shape[g.dim];
    g.index_offset = index->offset;
    if (!per_element) g.index_stride[0] = index->rank == 1 ? index->strides[0] : 0;
    for (int d = 0; d < space->rank; d++) {
        g.shape[d] = space->shape[d];
        if (per_element) g.index_stride[d] = index->strides[d];
    }
    /* The tensor read at the iterated positions ("a") and the one written ("out"). */
    const st_tensor *a = kind == INDEX_SELECT || kind == GATHER ? self : source;
    g.a_offset = a->offset;
    g.out_offset = out->offset;
    for (int d = 0; d < space->rank; d++) {
        g.a_stride[d] = d < a->rank ? a->strides[d] : 0;
        g.out_stride[d] = d < out->rank ? out->strides[d] : 0;
    }
    int idt = index->dtype;
    CUdeviceptr status_ptr = job.dev->status;
    void *pa = a->data, *pi = index->data, *po = out->data;
    if (stc_status_reset(&job) != ST_OK) return ST_FAILED;
    int status = ST_OK;
    if (kind == INDEX_SELECT || kind == GATHER) {
        if (g.n > 0) {
            int size = (int)st_dtype_size(out->dtype);
            void *params[] = {&g, &size, &idt, &pa, &pi, &po, &status_ptr};
            status = stc_launch(&job, STC_K_INDEX_COPY, stc_grid(&job, g.n, 256), 1, 256, params);
        }
    } else {
        if (out->dtype == ST_BOOL) return stc_fail(call, ST_ERROR_NOT_IMPLEMENTED, "bool tensors are not supported");
        status = stc_copy_into(&job, out, self);
        if (status == ST_OK && g.n > 0) {
            double scale = kind == INDEX_ADD ? st_double_argument(call, "alpha", 1.0) : 1.0;
            long long iscale = (long long)scale;
            int dt = out->dtype;
            void *params[] = {&g, &dt, &idt, &pa, &pi, &po, &scale, &iscale, &status_ptr};
            status = stc_launch(&job, STC_K_INDEX_ADD, stc_grid(&job, g.n, 256), 1, 256, params);
        }
    }
    return status == ST_OK ? stc_status_check(&job) : status;
}
