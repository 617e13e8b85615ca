/*
 * A minimal SwiftTorch backend plugin, the worked example of Docs/plugins.md: a CPU
 * backend named "fixture" with one kernel, `add` for float32 (any strides, the `alpha`
 * argument included). Tests build it with `cc -shared -fPIC` and load it at run time.
 */
#include <swifttorch_plugin.h>

/* Calls so far: tests read it (dlsym) to see that the dispatcher really ran this kernel. */
__attribute__((visibility("default"))) long fixture_add_calls = 0;

/* out = self + alpha * other. The dispatcher has already broadcast `self` and `other` to
 * the output's shape (stride 0 on expanded dims) and promoted them to float32; the output
 * is contiguous. */
static int32_t fixture_add(const st_kernel_call *call) {
    const st_tensor *a = st_tensor_argument(call, "self");
    const st_tensor *b = st_tensor_argument(call, "other");
    const st_tensor *out = call->outputs[0];
    double alpha = st_double_argument(call, "alpha", 1.0);
    if (!a || !b || a->rank != out->rank || a->rank > 16) {
        call->host->report_error(call->error_context, ST_ERROR_SHAPE, "fixture add: unexpected operands");
        return ST_FAILED;
    }
    fixture_add_calls++;
    const float *pa = (const float *)a->data, *pb = (const float *)b->data;
    float *po = (float *)out->data;
    int64_t n = st_tensor_count(out), index[16] = {0};
    for (int64_t i = 0; i < n; i++) {
        int64_t oa = a->offset, ob = b->offset;
        for (int32_t d = 0; d < out->rank; d++) {
            oa += index[d] * a->strides[d];
            ob += index[d] * b->strides[d];
        }
        po[i] = (float)((double)pa[oa] + alpha * (double)pb[ob]);
        /* Next index, row-major (an odometer). */
        for (int32_t d = out->rank - 1; d >= 0; d--) {
            if (++index[d] < out->shape[d]) break;
            index[d] = 0;
        }
    }
    return ST_OK;
}

static int32_t fixture_initialize(const st_host_api *host, void *error_context) {
    st_backend backend = {
        .struct_size = sizeof(st_backend),
        .name = "fixture",
        .device_type = ST_DEVICE_CPU,
        .available = 1,
        .details = "a test plugin: add (float32) only",
    };
    if (host->register_backend(host->host_context, &backend, error_context) != ST_OK) return ST_FAILED;
    return host->register_kernel(host->host_context, "fixture", "add", ST_DTYPE_BIT(ST_FLOAT32),
                                 fixture_add, NULL, error_context);
}

static const st_plugin plugin = {
    .struct_size = sizeof(st_plugin),
    .abi_major = ST_ABI_MAJOR,
    .abi_minor = ST_ABI_MINOR,
    .name = "fixture",
    .version = "1.0",
    .initialize = fixture_initialize,
};

ST_PLUGIN_EXPORT { return &plugin; }
