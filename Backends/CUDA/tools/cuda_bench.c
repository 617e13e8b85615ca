/*
 * Times the CUDA plugin's kernels through the plugin ABI alone: a minimal C host that loads
 * libswifttorch_cuda.so, keeps the kernels it registers, and calls them the way SwiftTorch's
 * dispatcher does (a fresh output from the backend's allocator per call, released after).
 * It measures the kernels and the plugin's own overhead, not SwiftTorch's Swift dispatcher.
 * Workload names, shapes and units follow `swifttorch bench` and bench_pytorch.py.
 *
 * Two figures per workload, each the median of 7 runs after a warm-up: "sync" waits for the
 * GPU after every call; "pipelined" queues the calls and waits once at the end of a run.
 *
 * Build: cc -O2 -I Sources/CSwiftTorchABI/include Backends/CUDA/tools/cuda_bench.c -o cuda_bench -ldl
 * Run:   ./cuda_bench path/to/libswifttorch_cuda.so
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <swifttorch_plugin.h>
#include <time.h>

static const st_backend *cuda_backend;
static st_backend backend_copy;
static struct { char op[64]; st_kernel_fn fn; void *data; } kernels[128];
static int kernel_count;
static char last_error[2048];

static int32_t on_backend(void *host, const st_backend *b, void *err) {
    (void)host; (void)err;
    backend_copy = *b;
    cuda_backend = &backend_copy;
    if (!b->available) fprintf(stderr, "cuda unavailable: %s\n", b->unavailable_reason);
    return ST_OK;
}
static int32_t on_kernel(void *host, const char *backend, const char *op, uint32_t mask, st_kernel_fn fn, void *data, void *err) {
    (void)host; (void)backend; (void)mask; (void)err;
    snprintf(kernels[kernel_count].op, 64, "%s", op);
    kernels[kernel_count].fn = fn;
    kernels[kernel_count++].data = data;
    return ST_OK;
}
static void on_error(void *err, int32_t kind, const char *message) { (void)err; (void)kind; snprintf(last_error, sizeof last_error, "%s", message); }
static void on_notice(void *host, const char *message) { (void)host; fprintf(stderr, "%s\n", message); }

static st_host_api host = {
    .struct_size = sizeof(st_host_api), .abi_major = ST_ABI_MAJOR, .abi_minor = ST_ABI_MINOR,
    .register_backend = on_backend, .register_kernel = on_kernel, .report_error = on_error, .notice = on_notice,
};

/* A contiguous tensor; shape and strides live in the struct's own arrays. */
typedef struct { st_tensor t; int64_t shape[4], strides[4]; } tensor;

static void describe(tensor *x, int dtype, int rank, const int64_t *shape, void *data, int cuda) {
    memset(x, 0, sizeof *x);
    int64_t s = 1;
    for (int d = rank - 1; d >= 0; d--) { x->shape[d] = shape[d]; x->strides[d] = s; s *= shape[d]; }
    x->t = (st_tensor){.struct_size = sizeof(st_tensor), .device = {cuda ? ST_DEVICE_CUDA : ST_DEVICE_CPU, 0},
                       .dtype = dtype, .rank = rank, .shape = x->shape, .strides = x->strides, .data = data};
}

static void *device_alloc(size_t bytes) {
    void *p = NULL;
    if (cuda_backend->allocate(cuda_backend->context, (st_device){ST_DEVICE_CUDA, 0}, bytes, &p, NULL) != ST_OK) {
        fprintf(stderr, "allocation failed: %s\n", last_error);
        exit(1);
    }
    return p;
}
static void device_free(void *p) { cuda_backend->release(cuda_backend->context, (st_device){ST_DEVICE_CUDA, 0}, p); }

static int call(const char *op, st_argument *args, int count, const st_tensor *const *outs, int nouts) {
    for (int i = 0; i < kernel_count; i++) {
        if (strcmp(kernels[i].op, op) != 0) continue;
        st_kernel_call c = {.struct_size = sizeof c, .op = op, .backend = "cuda", .argument_count = count,
                            .output_count = nouts, .arguments = args, .outputs = outs, .kernel_data = kernels[i].data,
                            .host = &host};
        if (kernels[i].fn(&c) != ST_OK) { fprintf(stderr, "%s failed: %s\n", op, last_error); exit(1); }
        return 0;
    }
    fprintf(stderr, "no kernel for %s\n", op);
    exit(1);
}

static st_argument tensor_arg(const char *name, const st_tensor *const *t) {
    return (st_argument){.name = name, .kind = ST_VALUE_TENSOR, .count = 1, .value.tensors = t};
}

/* Waits for the GPU: a one-element copy to the host (the legacy stream orders it last). */
static void synchronize(tensor *any) {
    float host_value;
    tensor src = *any, dst;
    int64_t one[1] = {1};
    src.t.rank = 1; src.t.shape = one; src.t.strides = one;
    describe(&dst, any->t.dtype, 1, one, &host_value, 0);
    const st_tensor *s = &src.t, *d = &dst.t;
    st_argument args[3] = {tensor_arg("self", &s), {.name = "dtype", .kind = ST_VALUE_NONE}, {.name = "device", .kind = ST_VALUE_NONE}};
    call("_to_copy", args, 3, &d, 1);
}

/* One workload: op(inputs) -> output of `out_shape`, a fresh output each call. */
typedef struct { const char *name, *unit, *op; double flops; int rank, out_rank; int64_t shape[2], other[2], out[2]; int binary, kind; } workload;

static double run(workload *w, tensor *a, tensor *b, int iterations, int sync_each) {
    size_t out_count = 1;
    for (int d = 0; d < w->out_rank; d++) out_count *= (size_t)w->out[d];
    struct timespec t0, t1;
    synchronize(a);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < iterations; i++) {
        tensor out;
        void *data = device_alloc(out_count * 4);
        describe(&out, ST_FLOAT32, w->out_rank, w->out, data, 1);
        const st_tensor *pa = &a->t, *pb = &b->t, *po = &out.t;
        int64_t all[1];
        st_argument args[4];
        int n = 0;
        args[n++] = tensor_arg("self", &pa);
        if (w->kind == 1) args[n++] = tensor_arg(strcmp(w->op, "mm") == 0 ? "mat2" : "other", &pb);
        if (strcmp(w->op, "add") == 0) args[n++] = (st_argument){.name = "alpha", .kind = ST_VALUE_INT, .value.i = 1};
        if (w->kind == 2) args[n++] = (st_argument){.name = "dim", .kind = ST_VALUE_INT_LIST, .count = 0, .value.ints = all};
        if (w->kind == 3) args[n++] = (st_argument){.name = "dim", .kind = ST_VALUE_INT, .value.i = 1};
        call(w->op, args, n, &po, 1);
        if (sync_each) synchronize(&out);
        device_free(data);
    }
    synchronize(a);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return ((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9) / iterations;
}

static int by_value(const void *x, const void *y) { double a = *(const double *)x, b = *(const double *)y; return (a > b) - (a < b); }

static double measure(workload *w, tensor *a, tensor *b, int sync_each) {
    double once = run(w, a, b, 3, 1), times[7];
    int iterations = (int)(0.2 / (once > 1e-9 ? once : 1e-9));
    if (iterations < 1) iterations = 1;
    for (int r = 0; r < 7; r++) times[r] = run(w, a, b, iterations, sync_each);
    qsort(times, 7, sizeof times[0], by_value);
    double t = times[3];
    return strcmp(w->unit, "GFLOP/s") == 0 ? w->flops / t / 1e9 : t * (strcmp(w->unit, "ms") == 0 ? 1e3 : 1e6);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s libswifttorch_cuda.so\n", argv[0]); return 2; }
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!h) { fprintf(stderr, "dlopen: %s\n", dlerror()); return 1; }
    st_plugin_entry_fn entry = (st_plugin_entry_fn)dlsym(h, ST_PLUGIN_ENTRY_NAME);
    const st_plugin *plugin = entry ? entry() : NULL;
    if (!plugin || plugin->abi_major != ST_ABI_MAJOR) { fprintf(stderr, "not a plugin of this ABI\n"); return 1; }
    if (plugin->initialize(&host, NULL) != ST_OK || !cuda_backend || !cuda_backend->available) return 1;
    workload list[] = {
        {"mm-256", "GFLOP/s", "mm", 2.0 * 256 * 256 * 256, 2, 2, {256, 256}, {256, 256}, {256, 256}, 1, 1},
        {"mm-512", "GFLOP/s", "mm", 2.0 * 512 * 512 * 512, 2, 2, {512, 512}, {512, 512}, {512, 512}, 1, 1},
        {"mm-1024", "GFLOP/s", "mm", 2.0 * 1024 * 1024 * 1024, 2, 2, {1024, 1024}, {1024, 1024}, {1024, 1024}, 1, 1},
        {"mm-2048", "GFLOP/s", "mm", 2.0 * 2048 * 2048 * 2048, 2, 2, {2048, 2048}, {2048, 2048}, {2048, 2048}, 1, 1},
        {"mm-4096", "GFLOP/s", "mm", 2.0 * 4096 * 4096 * 4096, 2, 2, {4096, 4096}, {4096, 4096}, {4096, 4096}, 1, 1},
        {"add-16M", "ms", "add", 0, 1, 1, {16777216}, {16777216}, {16777216}, 1, 1},
        {"mul-16M", "ms", "mul", 0, 1, 1, {16777216}, {16777216}, {16777216}, 1, 1},
        {"exp-16M", "ms", "exp", 0, 1, 1, {16777216}, {16777216}, {16777216}, 0, 0},
        {"sum-16M", "ms", "sum", 0, 1, 0, {16777216}, {1}, {1}, 0, 2},
        {"softmax-4096x1024", "ms", "softmax", 0, 2, 2, {4096, 1024}, {1, 1}, {4096, 1024}, 0, 3},
        {"add-tiny", "us", "add", 0, 1, 1, {8}, {8}, {8}, 1, 1},
        {"add-64M", "ms", "add", 0, 1, 1, {67108864}, {67108864}, {67108864}, 1, 1},
    };
    printf("%-20s%14s%14s  unit\n", "workload", "sync", "pipelined");
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
        workload *w = &list[i];
        tensor a, b;
        size_t na = 1, nb = 1;
        for (int d = 0; d < w->rank; d++) { na *= (size_t)w->shape[d]; nb *= (size_t)w->other[d]; }
        describe(&a, ST_FLOAT32, w->rank, w->shape, device_alloc(na * 4), 1);
        describe(&b, ST_FLOAT32, w->rank, w->other, device_alloc(nb * 4), 1);
        /* Inputs: 0, 1/n, 2/n, ... (linspace), so that no input is all zeros. */
        for (int k = 0; k < 2; k++) {
            tensor *x = k ? &b : &a;
            const st_tensor *px = &x->t;
            int64_t size[1] = {(int64_t)(k ? nb : na)};
            st_argument args[3] = {{.name = "start", .kind = ST_VALUE_DOUBLE, .value.d = 0.0},
                                   {.name = "end", .kind = ST_VALUE_DOUBLE, .value.d = 1.0},
                                   {.name = "steps", .kind = ST_VALUE_INT, .value.i = size[0]}};
            call("linspace", args, 3, &px, 1);
        }
        double synced = measure(w, &a, &b, 1), pipelined = measure(w, &a, &b, 0);
        printf("%-20s%14.4g%14.4g  %s\n", w->name, synced, pipelined, w->unit);
        fflush(stdout);
        device_free(a.t.data);
        device_free(b.t.data);
    }
    return 0;
}
