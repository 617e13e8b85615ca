// Elementwise kernels. The operators' meta rules have promoted the inputs to one dtype and
// broadcast them (stride 0) to the output's shape; floating-point math runs in double and
// is rounded once on store, integers and bool compute in wrapping int64, as the reference.

__device__ double stc_sigmoid(double x) {
    if (x >= 0) return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

// PyTorch's div_floor_floating: floor(a / b) through fmod, so exact results stay exact.
__device__ double stc_floor_divide(double a, double b) {
    if (b == 0) return a / b;
    double mod = fmod(a, b);
    double div = (a - mod) / b;
    if (mod != 0 && ((b < 0) != (mod < 0))) div -= 1;
    if (div == 0) return copysign(0.0, a / b);
    double floored = floor(div);
    if (div - floored > 0.5) floored += 1;
    return floored;
}

__device__ double stc_binary_f(int op, double a, double b, double alpha) {
    switch (op) {
    case STC_ADD: return a + alpha * b;
    case STC_SUB: return a - alpha * b;
    case STC_MUL: return a * b;
    case STC_DIV: return a / b;
    case STC_DIV_TRUNC: return trunc(a / b);
    case STC_DIV_FLOOR: return stc_floor_divide(a, b);
    case STC_POW: return pow(a, b);
    case STC_MAXIMUM: return stc_nan_max(a, b);
    case STC_MINIMUM: return stc_nan_min(a, b);
    case STC_EQ: return a == b;
    case STC_NE: return a != b;
    case STC_LT: return a < b;
    case STC_LE: return a <= b;
    case STC_GT: return a > b;
    default: return a >= b;
    }
}

__device__ long long stc_binary_i(int op, long long a, long long b, long long alpha, int* status) {
    switch (op) {
    case STC_ADD: return stc_wrap_add(a, stc_wrap_mul(alpha, b));
    case STC_SUB: return stc_wrap_sub(a, stc_wrap_mul(alpha, b));
    case STC_MUL: return stc_wrap_mul(a, b);
    case STC_DIV: case STC_DIV_TRUNC: case STC_DIV_FLOOR: {
        if (b == 0) { stc_set_status(status, STC_STATUS_DIVISION_BY_ZERO); return 0; }
        if (b == -1) return stc_wrap_sub(0, a);  // INT64_MIN / -1 wraps, as in C on the CPU
        long long q = a / b, r = a % b;
        if (op == STC_DIV_FLOOR && r != 0 && ((r < 0) != (b < 0))) q -= 1;
        return q;
    }
    case STC_POW: {
        if (b < 0) { stc_set_status(status, STC_STATUS_NEGATIVE_POWER); return 0; }
        long long result = 1, base = a;
        while (b > 0) {
            if (b & 1) result = stc_wrap_mul(result, base);
            base = stc_wrap_mul(base, base);
            b >>= 1;
        }
        return result;
    }
    case STC_MAXIMUM: return a > b ? a : b;
    case STC_MINIMUM: return a < b ? a : b;
    case STC_EQ: return a == b;
    case STC_NE: return a != b;
    case STC_LT: return a < b;
    case STC_LE: return a <= b;
    case STC_GT: return a > b;
    default: return a >= b;
    }
}

// out = op(a, b); `dt` is the inputs' dtype, `odt` the output's (bool for comparisons).
extern "C" __global__ void stc_binary(stc_ew_geom g, int op, int dt, int odt, void* out, const void* a,
                                      const void* b, double alpha, long long ialpha, int* status) {
    STC_GRID_STRIDE(i, g.n) {
        long long o = stc_offset(g, 0, i), ia = stc_offset(g, 1, i), ib = stc_offset(g, 2, i);
        if (stc_is_float(dt)) {
            stc_store_f(out, odt, o, stc_binary_f(op, stc_load_f(a, dt, ia), stc_load_f(b, dt, ib), alpha));
        } else {
            stc_store_i(out, odt, o, stc_binary_i(op, stc_load_i(a, dt, ia), stc_load_i(b, dt, ib), ialpha, status));
        }
    }
}

// Four floats, for 16-byte loads and stores.
struct alignas(16) stc_f4 { float x, y, z, w; };

__device__ __forceinline__ float stc_f32_binary(int op, float x, float y, float alpha) {
    switch (op) {
    case STC_ADD: return alpha == 1.0f ? x + y : (float)((double)x + (double)alpha * (double)y);
    case STC_SUB: return alpha == 1.0f ? x - y : (float)((double)x - (double)alpha * (double)y);
    case STC_MUL: return x * y;
    default: return x / y;
    }
}

// The common case, contiguous float32 arithmetic: no index arithmetic, no dtype switches,
// 16-byte accesses when every pointer allows them (`quads`). One rounding, as in double.
extern "C" __global__ void stc_binary_f32(long long n, int op, float* out, const float* a, const float* b,
                                          float alpha, int quads) {
    long long head = quads ? n / 4 : 0;
    STC_GRID_STRIDE(q, head) {
        stc_f4 x = ((const stc_f4*)a)[q], y = ((const stc_f4*)b)[q], r;
        r.x = stc_f32_binary(op, x.x, y.x, alpha);
        r.y = stc_f32_binary(op, x.y, y.y, alpha);
        r.z = stc_f32_binary(op, x.z, y.z, alpha);
        r.w = stc_f32_binary(op, x.w, y.w, alpha);
        ((stc_f4*)out)[q] = r;
    }
    STC_GRID_STRIDE(k, n - head * 4) {
        long long i = head * 4 + k;
        out[i] = stc_f32_binary(op, a[i], b[i], alpha);
    }
}

__device__ double stc_gelu(double x, bool tanh_approximation) {
    if (tanh_approximation) {
        const double k = 0.7978845608028654;  // sqrt(2 / pi)
        return 0.5 * x * (1.0 + tanh(k * (x + 0.044715 * x * x * x)));
    }
    return 0.5 * x * (1.0 + erf(x * 0.7071067811865476));
}

__device__ double stc_unary_f(int op, double x, double p0, double p1, int flags) {
    switch (op) {
    case STC_NEG: return -x;
    case STC_ABS: return fabs(x);
    case STC_EXP: return exp(x);
    case STC_LOG: return log(x);
    case STC_SQRT: return sqrt(x);
    case STC_RSQRT: return 1.0 / sqrt(x);
    case STC_SIN: return sin(x);
    case STC_COS: return cos(x);
    case STC_TANH: return tanh(x);
    case STC_SIGMOID: return stc_sigmoid(x);
    case STC_RELU: return x < 0 ? 0.0 : x;
    case STC_SILU: return x * stc_sigmoid(x);
    case STC_SIGN: return x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0);
    case STC_FLOOR: return floor(x);
    case STC_CEIL: return ceil(x);
    case STC_ROUND: return rint(x);
    case STC_RECIPROCAL: return 1.0 / x;
    case STC_LOG1P: return log1p(x);
    case STC_EXPM1: return expm1(x);
    case STC_ERF: return erf(x);
    case STC_SQUARE: return x * x;
    case STC_GELU: return stc_gelu(x, false);
    case STC_GELU_TANH: return stc_gelu(x, true);
    case STC_SOFTPLUS: return x * p0 > p1 ? x : log1p(exp(x * p0)) / p0;
    case STC_CLAMP: {
        double r = x;
        if (flags & STC_HAS_MIN) r = stc_nan_max(r, p0);
        if (flags & STC_HAS_MAX) r = stc_nan_min(r, p1);
        return r;
    }
    default: return x * p0;  // STC_SCALE
    }
}

__device__ long long stc_unary_i(int op, long long x, long long i0, long long i1, int flags) {
    switch (op) {
    case STC_NEG: return stc_wrap_sub(0, x);
    case STC_ABS: return x < 0 ? stc_wrap_sub(0, x) : x;
    case STC_RELU: return x < 0 ? 0 : x;
    case STC_SIGN: return x > 0 ? 1 : (x < 0 ? -1 : 0);
    case STC_SQUARE: return stc_wrap_mul(x, x);
    case STC_CLAMP: {
        long long r = x;
        if ((flags & STC_HAS_MIN) && r < i0) r = i0;
        if ((flags & STC_HAS_MAX) && r > i1) r = i1;
        return r;
    }
    case STC_SCALE: return stc_wrap_mul(x, i0);
    default: return x;  // floor, ceil, round: the identity on integers
    }
}

// Contiguous float32 unary functions in single precision (CUDA's float functions are within
// a few ulp, inside the float32 tolerance), 16-byte accesses when aligned.
__device__ __forceinline__ float stc_unary_f32(int op, float x, float p0, float p1, int flags) {
    switch (op) {
    case STC_NEG: return -x;
    case STC_ABS: return fabsf(x);
    case STC_EXP: return expf(x);
    case STC_LOG: return logf(x);
    case STC_SQRT: return sqrtf(x);
    case STC_RSQRT: return 1.0f / sqrtf(x);
    case STC_SIN: return sinf(x);
    case STC_COS: return cosf(x);
    case STC_TANH: return tanhf(x);
    case STC_SIGMOID: { if (x >= 0) return 1.0f / (1.0f + expf(-x)); float e = expf(x); return e / (1.0f + e); }
    case STC_RELU: return x < 0 ? 0.0f : x;
    case STC_SILU: { float e = x >= 0 ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x)); return x * e; }
    case STC_SIGN: return x > 0 ? 1.0f : (x < 0 ? -1.0f : 0.0f);
    case STC_FLOOR: return floorf(x);
    case STC_CEIL: return ceilf(x);
    case STC_ROUND: return rintf(x);
    case STC_RECIPROCAL: return 1.0f / x;
    case STC_SQUARE: return x * x;
    default: return (float)stc_unary_f(op, (double)x, (double)p0, (double)p1, flags);
    }
}

extern "C" __global__ void stc_unary_f32_kernel(long long n, int op, float* out, const float* a, float p0, float p1,
                                                int flags, int quads) {
    long long head = quads ? n / 4 : 0;
    STC_GRID_STRIDE(q, head) {
        stc_f4 x = ((const stc_f4*)a)[q], r;
        r.x = stc_unary_f32(op, x.x, p0, p1, flags);
        r.y = stc_unary_f32(op, x.y, p0, p1, flags);
        r.z = stc_unary_f32(op, x.z, p0, p1, flags);
        r.w = stc_unary_f32(op, x.w, p0, p1, flags);
        ((stc_f4*)out)[q] = r;
    }
    STC_GRID_STRIDE(k, n - head * 4) {
        long long i = head * 4 + k;
        out[i] = stc_unary_f32(op, a[i], p0, p1, flags);
    }
}

extern "C" __global__ void stc_unary(stc_ew_geom g, int op, int dt, int odt, void* out, const void* a,
                                     double p0, double p1, long long i0, long long i1, int flags) {
    STC_GRID_STRIDE(i, g.n) {
        long long o = stc_offset(g, 0, i), ia = stc_offset(g, 1, i);
        if (stc_is_float(dt)) {
            stc_store_f(out, odt, o, stc_unary_f(op, stc_load_f(a, dt, ia), p0, p1, flags));
        } else {
            stc_store_i(out, odt, o, stc_unary_i(op, stc_load_i(a, dt, ia), i0, i1, flags));
        }
    }
}

// out = condition ? a : b, copying elements of `size` bytes.
extern "C" __global__ void stc_where(stc_ew_geom g, int size, void* out, const unsigned char* condition,
                                     const void* a, const void* b) {
    STC_GRID_STRIDE(i, g.n) {
        long long o = stc_offset(g, 0, i);
        bool c = condition[stc_offset(g, 1, i)] != 0;
        const void* src = c ? a : b;
        long long s = stc_offset(g, c ? 2 : 3, i);
        if (size == 8) ((u64*)out)[o] = ((const u64*)src)[s];
        else if (size == 4) ((unsigned int*)out)[o] = ((const unsigned int*)src)[s];
        else ((unsigned char*)out)[o] = ((const unsigned char*)src)[s];
    }
}

// dst = src converted between dtypes; operand 0 is dst, operand 1 src (any strides).
extern "C" __global__ void stc_copy(stc_ew_geom g, int sdt, int ddt, void* dst, const void* src) {
    STC_GRID_STRIDE(i, g.n) {
        long long o = stc_offset(g, 0, i), s = stc_offset(g, 1, i);
        if (stc_is_float(sdt)) stc_store_f(dst, ddt, o, stc_load_f(src, sdt, s));
        else stc_store_i(dst, ddt, o, stc_load_i(src, sdt, s));
    }
}

// full, arange, linspace, eye into a contiguous output.
extern "C" __global__ void stc_fill(long long n, int kind, int dt, void* out, double p0, double p1, double p2,
                                    long long i0, long long i2, int float_value, long long columns) {
    STC_GRID_STRIDE(i, n) {
        switch (kind) {
        case STC_FILL:
            if (float_value) stc_store_f(out, dt, i, p0); else stc_store_i(out, dt, i, i0);
            break;
        case STC_ARANGE:
            if (float_value) stc_store_f(out, dt, i, p0 + (double)i * p2);
            else stc_store_i(out, dt, i, stc_wrap_add(i0, stc_wrap_mul(i, i2)));
            break;
        case STC_LINSPACE: {
            double v;
            if (n == 1) v = p0;
            else {
                double step = (p1 - p0) / (double)(n - 1);
                v = i < n / 2 ? p0 + step * (double)i : p1 - step * (double)(n - 1 - i);
            }
            stc_store_f(out, dt, i, v);
            break;
        }
        default:
            stc_store_i(out, dt, i, (i / columns) == (i % columns) ? 1 : 0);
            break;
        }
    }
}
