/*
 * The CUDA backend as a SwiftTorch plugin (libswifttorch_cuda.so): plain C, no CUDA toolkit
 * at build time. At load it opens the driver, NVRTC and cuBLAS (cuda_libraries.c); where
 * that fails it still registers the backend "cuda", as unavailable with the reason, so
 * `swifttorch info` and SWIFTTORCH_BACKEND=cuda can say what was searched and what failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_internal.h"

static int32_t backend_allocate(void *context, st_device device, size_t bytes, void **pointer, void *error_context) {
    (void)context;
    char error[512];
    stc_device *d = stc_device_get(device.index, error, sizeof error);
    CUresult r = 0;
    CUdeviceptr p = 0;
    if (d && stc_alloc(d, bytes, &p, &r)) {
        *pointer = (void *)(uintptr_t)p;
        return ST_OK;
    }
    if (d) {
        snprintf(error, sizeof error, "cuda: allocating %zu bytes on cuda:%d failed: %s (%.1f MiB already in use by SwiftTorch)",
                 bytes, device.index, stc_error_name(r), (double)d->pool.bytes_live / 1048576.0);
    }
    stc_host->report_error(error_context, ST_ERROR_RUNTIME, error);
    return ST_FAILED;
}

static void backend_release(void *context, st_device device, void *pointer) {
    (void)context;
    char error[128];
    stc_device *d = stc_device_get(device.index, error, sizeof error);
    if (d) stc_free(d, (CUdeviceptr)(uintptr_t)pointer);
}

/* Every operator with a CUDA kernel, and the operation code its handler receives. */
static const struct { const char *op; st_kernel_fn fn; int code; } kernels[] = {
    {"add", stc_k_binary, STC_ADD}, {"sub", stc_k_binary, STC_SUB}, {"mul", stc_k_binary, STC_MUL},
    {"div", stc_k_binary, STC_DIV}, {"pow", stc_k_binary, STC_POW}, {"maximum", stc_k_binary, STC_MAXIMUM},
    {"minimum", stc_k_binary, STC_MINIMUM}, {"eq", stc_k_binary, STC_EQ}, {"ne", stc_k_binary, STC_NE},
    {"lt", stc_k_binary, STC_LT}, {"le", stc_k_binary, STC_LE}, {"gt", stc_k_binary, STC_GT},
    {"ge", stc_k_binary, STC_GE}, {"where", stc_k_where, 0},
    {"neg", stc_k_unary, STC_NEG}, {"abs", stc_k_unary, STC_ABS}, {"exp", stc_k_unary, STC_EXP},
    {"log", stc_k_unary, STC_LOG}, {"sqrt", stc_k_unary, STC_SQRT}, {"rsqrt", stc_k_unary, STC_RSQRT},
    {"sin", stc_k_unary, STC_SIN}, {"cos", stc_k_unary, STC_COS}, {"tanh", stc_k_unary, STC_TANH},
    {"sigmoid", stc_k_unary, STC_SIGMOID}, {"relu", stc_k_unary, STC_RELU}, {"silu", stc_k_unary, STC_SILU},
    {"sign", stc_k_unary, STC_SIGN}, {"floor", stc_k_unary, STC_FLOOR}, {"ceil", stc_k_unary, STC_CEIL},
    {"round", stc_k_unary, STC_ROUND}, {"reciprocal", stc_k_unary, STC_RECIPROCAL},
    {"log1p", stc_k_unary, STC_LOG1P}, {"expm1", stc_k_unary, STC_EXPM1}, {"erf", stc_k_unary, STC_ERF},
    {"square", stc_k_unary, STC_SQUARE}, {"gelu", stc_k_unary, STC_GELU}, {"softplus", stc_k_unary, STC_SOFTPLUS},
    {"clamp", stc_k_unary, STC_CLAMP},
    {"_to_copy", stc_k_to_copy, 0}, {"copy_", stc_k_copy_, 0}, {"cat", stc_k_cat, 0},
    {"full", stc_k_creation, STC_FILL}, {"arange", stc_k_creation, STC_ARANGE},
    {"linspace", stc_k_creation, STC_LINSPACE}, {"eye", stc_k_creation, STC_EYE},
    {"sum", stc_k_reduce, STC_R_SUM}, {"mean", stc_k_reduce, STC_R_MEAN}, {"prod", stc_k_reduce, STC_R_PROD},
    {"amax", stc_k_reduce, STC_R_AMAX}, {"amin", stc_k_reduce, STC_R_AMIN}, {"max", stc_k_reduce, STC_R_MAX},
    {"min", stc_k_reduce, STC_R_MIN}, {"argmax", stc_k_reduce, STC_R_ARGMAX}, {"argmin", stc_k_reduce, STC_R_ARGMIN},
    {"var", stc_k_reduce, STC_R_VAR}, {"std", stc_k_reduce, STC_R_STD}, {"logsumexp", stc_k_reduce, STC_R_LOGSUMEXP},
    {"softmax", stc_k_softmax, 0}, {"log_softmax", stc_k_softmax, 1}, {"cumsum", stc_k_cumsum, 0},
    {"mm", stc_k_matmul, 0}, {"bmm", stc_k_matmul, 0}, {"matmul", stc_k_matmul, 0},
    {"addmm", stc_k_matmul, 0}, {"linear", stc_k_matmul, 0},
    {"cross_entropy", stc_k_class_loss, 1}, {"nll_loss", stc_k_class_loss, 0},
    {"mse_loss", stc_k_pointwise_loss, 0}, {"binary_cross_entropy_with_logits", stc_k_pointwise_loss, 1},
    {"index_select", stc_k_index, 0}, {"gather", stc_k_index, 1}, {"index_add", stc_k_index, 2},
    {"scatter_add", stc_k_index, 3},
};

/* Why CUDA cannot run here, or "" when it can; `details` gets the facts for `info`. */
static void probe(char *reason, size_t reason_capacity, char *details, size_t details_capacity) {
    reason[0] = 0;
    details[0] = 0;
    if (!stc_load_libraries(reason, reason_capacity)) return;
    CUresult r = stc.cuInit(0);
    if (r != 0) {
        const char *text = NULL;
        stc.cuGetErrorString(r, &text);
        snprintf(reason, reason_capacity, "cuInit failed: %s (%s)", stc_error_name(r), text ? text : "");
        return;
    }
    int count = 0, driver = 0;
    stc.cuDeviceGetCount(&count);
    stc.cuDriverGetVersion(&driver);
    if (count == 0) { snprintf(reason, reason_capacity, "the NVIDIA driver reports no CUDA device"); return; }
    size_t used = 0;
    for (int i = 0; i < count && i < STC_MAX_DEVICES; i++) {
        CUdevice dev;
        char name[256] = "?";
        int major = 0, minor = 0, sms = 0;
        size_t memory = 0;
        stc.cuDeviceGet(&dev, i);
        stc.cuDeviceGetName(name, sizeof name, dev);
        stc.cuDeviceGetAttribute(&major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
        stc.cuDeviceGetAttribute(&minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
        stc.cuDeviceGetAttribute(&sms, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev);
        stc.cuDeviceTotalMem(&memory, dev);
        used += (size_t)snprintf(details + used, details_capacity - used, "cuda:%d %s (sm_%d%d, %d SMs, %.1f GiB)\n", i, name,
                                 major, minor, sms, (double)memory / 1073741824.0);
        if (used >= details_capacity) return;
    }
    int nv_major = 0, nv_minor = 0;
    stc.nvrtcVersion(&nv_major, &nv_minor);
    snprintf(details + used, details_capacity - used,
             "CUDA driver API %d.%d; NVRTC %d.%d; kernel cache: %s\n%s"
             "TF32 in matrix products: %s (SWIFTTORCH_CUDA_TF32=1 allows it); launch blocking: %s\n"
             "caching allocator (SWIFTTORCH_CUDA_STATS=1 prints its counts at exit)",
             driver / 1000, (driver % 1000) / 10, nv_major, nv_minor, stc_cache_description(), stc_library_report(),
             stc_tf32 ? "on" : "off", stc_launch_blocking ? "on" : "off (SWIFTTORCH_CUDA_LAUNCH_BLOCKING=1)");
}

/* Whether `name` is an entry of the comma-separated `list`. */
static int listed(const char *list, const char *name) {
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0) return 1;
        if (!end) break;
        p = end + 1;
    }
    return 0;
}

static int32_t initialize(const st_host_api *host, void *error_context) {
    stc_host = host;
    const char *tf32 = getenv("SWIFTTORCH_CUDA_TF32");
    stc_tf32 = tf32 && strcmp(tf32, "1") == 0;
    const char *blocking = getenv("SWIFTTORCH_CUDA_LAUNCH_BLOCKING");
    stc_launch_blocking = blocking && strcmp(blocking, "1") == 0;
    static char reason[8192], details[4096];
    probe(reason, sizeof reason, details, sizeof details);
    st_backend backend = {
        .struct_size = sizeof(st_backend),
        .name = "cuda",
        .device_type = ST_DEVICE_CUDA,
        .available = reason[0] == 0,
        .unavailable_reason = reason,
        .details = details,
        .allocate = backend_allocate,
        .release = backend_release,
    };
    if (host->register_backend(host->host_context, &backend, error_context) != ST_OK) return ST_FAILED;
    if (!backend.available) return ST_OK;  /* loaded, but nothing to run: no kernels */
    const char *stats = getenv("SWIFTTORCH_CUDA_STATS");
    if (stats && strcmp(stats, "1") == 0) atexit(stc_print_stats);
    /* SWIFTTORCH_CUDA_DISABLE=op,op: leave these kernels out (to bisect a wrong result, or to
     * exercise SWIFTTORCH_CUDA_FALLBACK=cpu). */
    const char *disabled = getenv("SWIFTTORCH_CUDA_DISABLE");
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
        if (disabled && listed(disabled, kernels[i].op)) continue;
        /* An operator this SwiftTorch does not declare is skipped: the plugin may be newer. */
        host->register_kernel(host->host_context, "cuda", kernels[i].op, 0, kernels[i].fn,
                              (void *)(intptr_t)kernels[i].code, error_context);
    }
    return ST_OK;
}

static const st_plugin plugin = {
    .struct_size = sizeof(st_plugin),
    .abi_major = ST_ABI_MAJOR,
    .abi_minor = ST_ABI_MINOR,
    .name = "cuda",
    .version = "0.1.0",
    .initialize = initialize,
};

ST_PLUGIN_EXPORT { return &plugin; }
