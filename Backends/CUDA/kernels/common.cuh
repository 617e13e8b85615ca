// Device helpers shared by every kernel. NVRTC compiles this file after kernel_params.h;
// no CUDA headers are included (NVRTC provides the math functions and built-in variables).

typedef unsigned long long u64;

// Spelled with bit patterns: NVRTC has no <math.h> macros.
#define STC_INF __longlong_as_double(0x7ff0000000000000LL)
#define STC_NAN __longlong_as_double(0x7ff8000000000000LL)

// The element offset of operand k for linear element i of an elementwise iteration.
__device__ __forceinline__ long long stc_offset(const stc_ew_geom& g, int k, long long i) {
    if (g.mode[k] == STC_CONTIGUOUS) return g.offset[k] + i;
    if (g.mode[k] == STC_CONSTANT) return g.offset[k];
    long long off = g.offset[k];
    for (int d = g.rank - 1; d >= 0; --d) {
        long long s = g.shape[d];
        long long q = i / s;
        off += (i - q * s) * g.stride[k][d];
        i = q;
    }
    return off;
}

// Offset of position i of `shape` (rank dims) under `stride`.
__device__ __forceinline__ long long stc_unravel(long long i, int rank, const long long* shape, const long long* stride) {
    long long off = 0;
    for (int d = rank - 1; d >= 0; --d) {
        long long s = shape[d];
        long long q = i / s;
        off += (i - q * s) * stride[d];
        i = q;
    }
    return off;
}

__device__ __forceinline__ bool stc_isnan(double x) { return x != x; }

// Reads element i as a double (floating-point dtypes) or as an int64 (integers, bool).
__device__ __forceinline__ double stc_load_f(const void* p, int dt, long long i) {
    switch (dt) {
    case STC_FLOAT32: return (double)((const float*)p)[i];
    case STC_FLOAT64: return ((const double*)p)[i];
    case STC_INT32: return (double)((const int*)p)[i];
    case STC_INT64: return (double)((const long long*)p)[i];
    default: return ((const unsigned char*)p)[i] != 0 ? 1.0 : 0.0;
    }
}

__device__ __forceinline__ long long stc_load_i(const void* p, int dt, long long i) {
    switch (dt) {
    case STC_INT32: return (long long)((const int*)p)[i];
    case STC_INT64: return ((const long long*)p)[i];
    case STC_BOOL: return ((const unsigned char*)p)[i] != 0 ? 1 : 0;
    case STC_FLOAT32: return (long long)((const float*)p)[i];
    default: return (long long)((const double*)p)[i];
    }
}

// SwiftTorch's one float-to-integer rule: truncate, NaN -> 0, saturate (infinities too).
__device__ __forceinline__ long long stc_integer_value(double x) {
    if (x != x) return 0;
    if (x >= 9.223372036854775807e18) return 0x7fffffffffffffffLL;
    if (x <= -9.223372036854775808e18) return (long long)0x8000000000000000ULL;
    return (long long)trunc(x);
}

// Stores a double into any dtype: one rounding into float32; the integer rule for integers
// (int32 saturates, as the reference does); `!= 0` for bool (NaN is true).
__device__ __forceinline__ void stc_store_f(void* p, int dt, long long i, double v) {
    switch (dt) {
    case STC_FLOAT32: ((float*)p)[i] = (float)v; break;
    case STC_FLOAT64: ((double*)p)[i] = v; break;
    case STC_INT32: {
        long long x = stc_integer_value(v);
        ((int*)p)[i] = (int)(x > 2147483647LL ? 2147483647LL : (x < -2147483648LL ? -2147483648LL : x));
        break;
    }
    case STC_INT64: ((long long*)p)[i] = stc_integer_value(v); break;
    default: ((unsigned char*)p)[i] = v != 0.0 ? 1 : 0; break;
    }
}

// Stores an int64 into any dtype: wrapping into int32, one rounding into floats.
__device__ __forceinline__ void stc_store_i(void* p, int dt, long long i, long long v) {
    switch (dt) {
    case STC_FLOAT32: ((float*)p)[i] = (float)v; break;
    case STC_FLOAT64: ((double*)p)[i] = (double)v; break;
    case STC_INT32: ((int*)p)[i] = (int)(unsigned int)(u64)v; break;
    case STC_INT64: ((long long*)p)[i] = v; break;
    default: ((unsigned char*)p)[i] = v != 0 ? 1 : 0; break;
    }
}

__device__ __forceinline__ bool stc_is_float(int dt) { return dt == STC_FLOAT32 || dt == STC_FLOAT64; }

// Wrapping integer arithmetic (signed overflow is undefined in C++).
__device__ __forceinline__ long long stc_wrap_add(long long a, long long b) { return (long long)((u64)a + (u64)b); }
__device__ __forceinline__ long long stc_wrap_sub(long long a, long long b) { return (long long)((u64)a - (u64)b); }
__device__ __forceinline__ long long stc_wrap_mul(long long a, long long b) { return (long long)((u64)a * (u64)b); }

__device__ __forceinline__ double stc_nan_max(double a, double b) {
    if (stc_isnan(a) || stc_isnan(b)) return a + b;
    return a > b ? a : b;
}
__device__ __forceinline__ double stc_nan_min(double a, double b) {
    if (stc_isnan(a) || stc_isnan(b)) return a + b;
    return a < b ? a : b;
}

// Records the first error code a kernel meets.
__device__ __forceinline__ void stc_set_status(int* status, int code) {
    if (status) atomicCAS(status, 0, code);
}

#define STC_GRID_STRIDE(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (long long)blockDim.x * gridDim.x)
