/* Elementwise operators: arithmetic, comparisons, unary functions, where. */
#include <math.h>
#include <string.h>

#include "cuda_internal.h"

/* A Scalar argument as int64 by the float-to-integer rule (NaN 0, saturating). */
static long long integer_value(double x) {
    if (x != x) return 0;
    if (x >= 9.223372036854775807e18) return INT64_MAX;
    if (x <= -9.223372036854775808e18) return INT64_MIN;
    return (long long)x;
}

static long long int_scalar(const st_argument *a, long long fallback) {
    if (!a) return fallback;
    if (a->kind == ST_VALUE_DOUBLE) return integer_value(a->value.d);
    if (a->kind == ST_VALUE_INT || a->kind == ST_VALUE_BOOL) return a->value.i;
    return fallback;
}

static int is_float(int dt) { return dt == ST_FLOAT32 || dt == ST_FLOAT64; }

/* Whether a device pointer allows 16-byte vector accesses. */
static int aligned16(const void *p) { return ((uintptr_t)p & 15) == 0; }

int32_t stc_k_binary(const st_kernel_call *call) {
    stc_job job;
    if (stc_begin(call, &job) != ST_OK) return ST_FAILED;
    int op = STC_OPCODE(call);
    const st_tensor *out = call->outputs[0];
    const st_tensor *a = stc_arg_tensor(call, "self");
    const st_tensor *b = stc_arg_tensor(call, op == STC_POW ? "exponent" : "other");
    if (op == STC_DIV) {
        const char *mode = st_string_argument(call, "rounding_mode", NULL);
        if (mode && strcmp(mode, "trunc") == 0) op = STC_DIV_TRUNC;
        else if (mode && strcmp(mode, "floor") == 0) op = STC_DIV_FLOOR;
    }
    double alpha = 1;
    long long ialpha = 1;
    if (op == STC_ADD || op == STC_SUB) {
        const st_argument *arg = st_find_argument(call, "alpha");
        alpha = st_double_argument(call, "alpha", 1.0);
        ialpha = int_scalar(arg, 1);
        if (!is_float(a->dtype) && arg && arg->kind == ST_VALUE_DOUBLE && (trunc(alpha) != alpha || !isfinite(alpha)))
            return stc_fail(call, ST_ERROR_INVALID_ARGUMENT, "alpha must be an integer for integer tensors, got %g", alpha);
    }
    stc_ew_geom g;
    const st_tensor *ops[3] = {out, a, b};
    if (stc_ew_init(&job, &g, ops, 3) != ST_OK) return ST_FAILED;
    if (g.n == 0) return ST_OK;
    void *o = out->data, *pa = a->data, *pb = b->data;
    int dt = a->dtype, odt = out->dtype;
    if (dt == ST_FLOAT32 && odt == ST_FLOAT32 && op <= STC_DIV && g.mode[0] == STC_CONTIGUOUS &&
        g.mode[1] == STC_CONTIGUOUS && g.mode[2] == STC_CONTIGUOUS) {
        void *fo = (void *)stc_element_ptr(out), *fa = (void *)stc_element_ptr(a), *fb = (void *)stc_element_ptr(b);
        float falpha = (float)alpha;
        long long n = g.n;
        int quads = aligned16(fo) && aligned16(fa) && aligned16(fb);
        void *params[] = {&n, &op, &fo, &fa, &fb, &falpha, &quads};
        return stc_launch(&job, STC_K_BINARY_F32, stc_grid(&job, (n + 3) / 4, 256), 1, 256, params);
    }
    /* Integer division and powers can fail on the data; only they pay for the check. */
    int checked = !is_float(dt) && (op == STC_DIV_TRUNC || op == STC_DIV_FLOOR || op == STC_DIV || op == STC_POW);
    CUdeviceptr status = checked ? job.dev->status : 0;
    if (checked && stc_status_reset(&job) != ST_OK) return ST_FAILED;
    void *params[] = {&g, &op, &dt, &odt, &o, &pa, &pb, &alpha, &ialpha, &status};
    if (stc_launch(&job, STC_K_BINARY, stc_grid(&job, g.n, 256), 1, 256, params) != ST_OK) return ST_FAILED;
    return checked ? stc_status_check(&job) : ST_OK;
}

int32_t stc_k_unary(const st_kernel_call *call) {
    stc_job job;
    if (stc_begin(call, &job) != ST_OK) return ST_FAILED;
    int op = STC_OPCODE(call), flags = 0;
    const st_tensor *out = call->outputs[0], *a = stc_arg_tensor(call, "self");
    double p0 = 0, p1 = 0;
    long long i0 = 0, i1 = 0;
    if (op == STC_GELU) {
        const char *mode = st_string_argument(call, "approximate", "none");
        if (strcmp(mode, "tanh") == 0) op = STC_GELU_TANH;
    } else if (op == STC_SOFTPLUS) {
        p0 = st_double_argument(call, "beta", 1.0);
        p1 = st_double_argument(call, "threshold", 20.0);
    } else if (op == STC_CLAMP) {
        const st_argument *lo = st_find_argument(call, "min"), *hi = st_find_argument(call, "max");
        if (lo && lo->kind != ST_VALUE_NONE) { flags |= STC_HAS_MIN; p0 = st_double_argument(call, "min", 0); i0 = int_scalar(lo, 0); }
        if (hi && hi->kind != ST_VALUE_NONE) { flags |= STC_HAS_MAX; p1 = st_double_argument(call, "max", 0); i1 = int_scalar(hi, 0); }
    }
    stc_ew_geom g;
    const st_tensor *ops[2] = {out, a};
    if (stc_ew_init(&job, &g, ops, 2) != ST_OK) return ST_FAILED;
    if (g.n == 0) return ST_OK;
    void *o = out->data, *pa = a->data;
    int dt = a->dtype, odt = out->dtype;
    if (dt == ST_FLOAT32 && odt == ST_FLOAT32 && g.mode[0] == STC_CONTIGUOUS && g.mode[1] == STC_CONTIGUOUS) {
        void *fo = (void *)stc_element_ptr(out), *fa = (void *)stc_element_ptr(a);
        long long n = g.n;
        float f0 = (float)p0, f1 = (float)p1;
        int quads = aligned16(fo) && aligned16(fa);
        void *fast[] = {&n, &op, &fo, &fa, &f0, &f1, &flags, &quads};
        return stc_launch(&job, STC_K_UNARY_F32, stc_grid(&job, (n + 3) / 4, 256), 1, 256, fast);
    }
    void *params[] = {&g, &op, &dt, &odt, &o, &pa, &p0, &p1, &i0, &i1, &flags};
    return stc_launch(&job, STC_K_UNARY, stc_grid(&job, g.n, 256), 1, 256, params);
}

int32_t stc_k_where(const st_kernel_call *call) {
    stc_job job;
    if (stc_begin(call, &job) != ST_OK) return ST_FAILED;
    const st_tensor *out = call->outputs[0];
    const st_tensor *c = stc_arg_tensor(call, "condition"), *a = stc_arg_tensor(call, "self"), *b = stc_arg_tensor(call, "other");
    stc_ew_geom g;
    const st_tensor *ops[4] = {out, c, a, b};
    if (stc_ew_init(&job, &g, ops, 4) != ST_OK) return ST_FAILED;
    if (g.n == 0) return ST_OK;
    int size = (int)st_dtype_size(out->dtype);
    void *o = out->data, *pc = c->data, *pa = a->data, *pb = b->data;
    void *params[] = {&g, &size, &o, &pc, &pa, &pb};
    return stc_launch(&job, STC_K_WHERE, stc_grid(&job, g.n, 256), 1, 256, params);
}
