/* Losses: cross_entropy and nll_loss (class indices or probabilities, class weights,
 * ignore_index, label smoothing), mse_loss and binary_cross_entropy_with_logits. */
#include <string.h>

#include "cuda_internal.h"

static int reduction_code(const st_kernel_call *call) {
    const char *r = st_string_argument(call, "reduction", "mean");
    return strcmp(r, "none") == 0 ? 0 : (strcmp(r, "sum") == 0 ? 1 : 2);
}

/* Per-term values in `terms` (and optionally t2, wts) are reduced into the output. */
static int finish(stc_job *job, long long n, CUdeviceptr t1, double c1, CUdeviceptr t2, double c2, CUdeviceptr wts,
                  double divisor) {
    const st_tensor *out = job->call->outputs[0];
    int reduction = reduction_code(job->call), odt = out->dtype;
    void *p1 = (void *)(uintptr_t)t1, *p2 = (void *)(uintptr_t)t2, *pw = (void *)(uintptr_t)wts, *o = out->data;
    void *params[] = {&n, &reduction, &p1, &c1, &p2, &c2, &pw, &divisor, &o, &odt};
    if (reduction == 0) return n == 0 ? ST_OK : stc_launch(job, STC_K_LOSS_FINISH, stc_grid(job, n, 256), 1, 256, params);
    return stc_launch(job, STC_K_LOSS_FINISH, 1, 1, 256, params);
}

int32_t stc_k_class_loss(const st_kernel_call *call) {
    stc_job job;
    if (stc_begin(call, &job) != ST_OK) return ST_FAILED;
    const st_tensor *in = stc_arg_tensor(call, "self"), *target = stc_arg_tensor(call, "target");
    const st_tensor *weight = stc_arg_tensor(call, "weight");
    stc_class_geom g;
    memset(&g, 0, sizeof g);
    int class_dim = in->rank == 1 ? 0 : 1;
    if (in->rank > STC_MAXDIM + 1) return stc_fail(call, ST_ERROR_SHAPE, "inputs of rank %d are not supported", in->rank);
    g.classes = in->shape[class_dim];
    g.samples = 1;
    g.logits = STC_OPCODE(call);
    g.probabilities = target->dtype == ST_FLOAT32 || target->dtype == ST_FLOAT64;
    g.has_weight = weight != NULL;
    g.in_offset = in->offset;
    g.target_offset = target->offset;
    g.cin = in->strides[class_dim];
    g.ctarget = g.probabilities ? target->strides[class_dim] : 0;
    for (int d = 0, k = 0; d < in->rank; d++) {
        if (d == class_dim) continue;
        g.kshape[k] = in->shape[d];
        g.kin[k] = in->strides[d];
        /* Index targets lack the class dim; probability targets have the input's shape. */
        g.ktarget[k] = target->strides[g.probabilities ? d : k];
        g.samples *= in->shape[d];
        g.krank = ++k;
    }
    if (weight) { g.weight_stride = weight->strides[0]; g.weight_offset = weight->offset; }
    double smoothing = st_double_argument(call, "label_smoothing", 0.0);
    long long ignore = st_int_argument(call, "ignore_index", -100);
    long long n = g.samples;
    CUdeviceptr scratch;
    if (stc_temp(&job, (size_t)(n > 0 ? n : 1) * 3 * sizeof(double), &scratch) != ST_OK) return ST_FAILED;
    CUdeviceptr t1 = scratch, t2 = scratch + (CUdeviceptr)(n * 8), wts = scratch + (CUdeviceptr)(2 * n * 8);
    int status = stc_status_reset(&job);
    if (status == ST_OK && n > 0) {
        int dt = in->dtype, tdt = target->dtype;
        void *pin = in->data, *pt = target->data, *pw = weight ? weight->data : NULL;
        void *p1 = (void *)(uintptr_t)t1, *p2 = (void *)(uintptr_t)t2, *pws = (void *)(uintptr_t)wts;
        CUdeviceptr st = job.dev->status;
        void *params[] = {&g, &dt, &pin, &pt, &tdt, &pw, &ignore, &smoothing, &p1, &p2, &pws, &st};
        status = stc_launch(&job, STC_K_CLASS_LOSS, stc_grid(&job, n, 128), 1, 128, params);
    }
    if (status == ST_OK) {
        if (g.probabilities) status = finish(&job, n, t1, 1.0, 0, 0.0, 0, g.classes == 0 ? 0.0 : (double)n);
        else if (smoothing > 0) status = finish(&job, n, t1, 1 - smoothing, t2, smoothing / (double)g.classes, wts, 0);
        else status = finish(&job, n, t1, 1.0, 0, 0.0, wts, 0);
    }
    if (status == ST_OK) status = stc_status_check(&job);
    stc_free(job.dev, scratch);
    return status;
}

int32_t stc_k_pointwise_loss(const st_kernel_call *call) {
    stc_job job;
    if (stc_begin(call, &job) != ST_OK) return ST_FAILED;
    int kind = STC_OPCODE(call);
    const st_tensor *x = stc_arg_tensor(call, "self"), *y = stc_arg_tensor(call, "target");
    const st_tensor *w = kind ? stc_arg_tensor(call, "weight") : NULL, *pw = kind ? stc_arg_tensor(call, "pos_weight") : NULL;
    stc_ew_geom g;
    const st_tensor *ops[5] = {x, x, y, w, pw};
    if (stc_ew_init(&job, &g, ops, 5) != ST_OK) return ST_FAILED;
    long long n = g.n;
    CUdeviceptr terms;
    if (stc_temp(&job, (size_t)(n > 0 ? n : 1) * sizeof(double), &terms) != ST_OK) return ST_FAILED;
    int status = ST_OK;
    if (n > 0) {
        int dt = x->dtype;
        void *px = x->data, *py = y->data, *pww = w ? w->data : NULL, *ppw = pw ? pw->data : NULL;
        void *pt = (void *)(uintptr_t)terms;
        void *params[] = {&g, &kind, &dt, &px, &py, &pww, &ppw, &pt};
        status = stc_launch(&job, STC_K_POINTWISE_LOSS, stc_grid(&job, n, 256), 1, 256, params);
    }
    if (status == ST_OK) status = finish(&job, n, terms, 1.0, 0, 0.0, 0, (double)n);
    stc_free(job.dev, terms);
    return status;
}
