/* Reductions (sum ... logsumexp), softmax / log_softmax and cumsum. */
#include "cuda_internal.h"

/* A power of two between 32 and 256 that covers `group` where it can. */
static unsigned block_for(long long group) {
    unsigned b = 32;
    while (b < 256 && (long long)b < group) b *= 2;
    return b;
}

int32_t stc_k_reduce(const st_kernel_call *call) {
    stc_job job;
    if (stc_begin(call, &job) != ST_OK) return ST_FAILED;
    int op = STC_OPCODE(call);
    const st_tensor *in = stc_arg_tensor(call, "self"), *out0 = call->outputs[0];
    const st_tensor *out1 = call->output_count > 1 ? call->outputs[1] : NULL;
    uint32_t mask = in->rank == 0 ? 0 : stc_dims_argument(call, "dim", in->rank);
    stc_red_geom g;
    if (stc_red_init(&job, &g, in, NULL, mask) != ST_OK) return ST_FAILED;
    if (g.outputs == 0) return ST_OK;
    double correction = st_double_argument(call, "correction", 1.0);
    int dt = in->dtype, odt = out0->dtype;
    void *pin = in->data, *o0 = out0->data, *o1 = out1 ? out1->data : NULL;
    /* Few large groups: split each across blocks, then combine the partial states. */
    long long sms = job.dev->sm_count > 0 ? job.dev->sm_count : 80;
    int splits = 1;
    if (g.outputs < 2 * sms && g.group >= 16384) {
        long long s = (8 * sms + g.outputs - 1) / g.outputs;
        if (s > g.group / 4096) s = g.group / 4096;
        if (s > 1024) s = 1024;
        splits = s > 1 ? (int)s : 1;
    }
    CUdeviceptr partial = 0;
    if (splits > 1 && stc_temp(&job, (size_t)(g.outputs * splits) * sizeof(stc_red_state), &partial) != ST_OK) return ST_FAILED;
    void *pp = (void *)(uintptr_t)partial;
    void *params[] = {&g, &op, &dt, &odt, &pin, &o0, &o1, &correction, &splits, &pp};
    unsigned block = splits > 1 ? 256 : block_for(g.group);
    int status = stc_launch(&job, STC_K_REDUCE, (unsigned)g.outputs, (unsigned)splits, block, params);
    if (status == ST_OK && splits > 1) {
        long long group = g.group;
        void *finish[] = {&group, &op, &dt, &odt, &o0, &o1, &correction, &splits, &pp};
        status = stc_launch(&job, STC_K_REDUCE_FINISH, (unsigned)g.outputs, 1, block_for(splits), finish);
    }
    if (partial) stc_free(job.dev, partial);
    return status;
}

int32_t stc_k_softmax(const st_kernel_call *call) {
    stc_job job;
    if (stc_begin(call, &job) != ST_OK) return ST_FAILED;
    int logarithm = STC_OPCODE(call);
    const st_tensor *in = stc_arg_tensor(call, "self"), *out = call->outputs[0];
    uint32_t mask = in->rank == 0 ? 0 : stc_dims_argument(call, "dim", in->rank);
    stc_red_geom g;
    if (stc_red_init(&job, &g, in, out, mask) != ST_OK) return ST_FAILED;
    if (g.outputs == 0 || g.group == 0) return ST_OK;
    int dt = in->dtype;
    void *pin = in->data, *o = out->data;
    /* Contiguous float32 rows along the last dim, up to 16 elements per thread: one read. */
    if (dt == ST_FLOAT32 && in->rank > 0 && mask == (1u << (in->rank - 1)) && stc_contiguous(in) &&
        stc_contiguous(out) && g.group <= 4096) {
        long long rows = g.outputs, n = g.group, stride = n;
        void *fin = (void *)stc_element_ptr(in), *fout = (void *)stc_element_ptr(out);
        unsigned block = 32;
        while (block < 256 && (long long)block * 16 < n) block *= 2;
        void *fast[] = {&rows, &n, &stride, &logarithm, &fin, &fout};
        return stc_launch(&job, STC_K_SOFTMAX_ROWS_F32, (unsigned)rows, 1, block, fast);
    }
    void *params[] = {&g, &logarithm, &dt, &pin, &o};
    return stc_launch(&job, STC_K_SOFTMAX, (unsigned)g.outputs, 1, block_for(g.group), params);
}

int32_t stc_k_cumsum(const st_kernel_call *call) {
    stc_job job;
    if (stc_begin(call, &job) != ST_OK) return ST_FAILED;
    const st_tensor *in = stc_arg_tensor(call, "self"), *out = call->outputs[0];
    uint32_t mask = in->rank == 0 ? 0 : stc_dims_argument(call, "dim", in->rank);
    stc_red_geom g;
    if (stc_red_init(&job, &g, in, out, mask) != ST_OK) return ST_FAILED;
    if (g.outputs == 0 || g.group == 0) return ST_OK;
    int dt = in->dtype;
    void *pin = in->data, *o = out->data;
    void *params[] = {&g, &dt, &pin, &o};
    return stc_launch(&job, STC_K_CUMSUM, stc_grid(&job, g.outputs, 128), 1, 128, params);
}
