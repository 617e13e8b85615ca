// Reductions, softmax and cumsum. Floating-point inputs accumulate in double, integers and
// bool in wrapping int64. State fields per operation (stc_red_state):
//   sum/mean/prod: a (float) or i (integer);
//   extrema:       a (float) or i (integer) is the value, j its index (-1: none yet);
//   var/std:       Welford's count a, mean b, sum of squared deviations c;
//   logsumexp:     a the largest finite value, b the sum of exp(x - a), i flags (1 NaN, 2 +inf).

#define STC_BLOCK 256

// Offset of member j of a group; one reduced dim (the usual case) needs no division.
__device__ __forceinline__ long long stc_member(const stc_red_geom& g, long long j) {
    return g.rrank == 1 ? j * g.rstride[0] : stc_unravel(j, g.rrank, g.rshape, g.rstride);
}
__device__ __forceinline__ long long stc_member_out(const stc_red_geom& g, long long j) {
    return g.rrank == 1 ? j * g.rout[0] : stc_unravel(j, g.rrank, g.rshape, g.rout);
}

__device__ stc_red_state stc_identity(int op) {
    stc_red_state s;
    s.a = (op == STC_R_PROD) ? 1.0 : 0.0;
    s.b = 0; s.c = 0;
    s.i = (op == STC_R_PROD) ? 1 : 0;
    s.j = -1;
    if (op == STC_R_LOGSUMEXP) { s.a = -STC_INF; s.i = 0; }
    return s;
}

__device__ bool stc_is_extremum(int op) {
    return op == STC_R_AMAX || op == STC_R_AMIN || op == STC_R_MAX || op == STC_R_MIN ||
           op == STC_R_ARGMAX || op == STC_R_ARGMIN;
}
__device__ bool stc_largest(int op) { return op == STC_R_AMAX || op == STC_R_MAX || op == STC_R_ARGMAX; }

// First NaN wins, then the larger (smaller) value, then the smaller index.
__device__ stc_red_state stc_pick(int op, bool fl, stc_red_state x, stc_red_state y) {
    if (x.j < 0) return y;
    if (y.j < 0) return x;
    if (fl) {
        bool xn = stc_isnan(x.a), yn = stc_isnan(y.a);
        if (xn || yn) return (xn && yn) ? (x.j < y.j ? x : y) : (xn ? x : y);
        if (x.a == y.a) return x.j < y.j ? x : y;
        return (stc_largest(op) ? x.a > y.a : x.a < y.a) ? x : y;
    }
    if (x.i == y.i) return x.j < y.j ? x : y;
    return (stc_largest(op) ? x.i > y.i : x.i < y.i) ? x : y;
}

__device__ stc_red_state stc_combine(int op, bool fl, stc_red_state x, stc_red_state y) {
    if (stc_is_extremum(op)) return stc_pick(op, fl, x, y);
    stc_red_state r = x;
    switch (op) {
    case STC_R_SUM: case STC_R_MEAN:
        if (fl) r.a = x.a + y.a; else r.i = stc_wrap_add(x.i, y.i);
        break;
    case STC_R_PROD:
        if (fl) r.a = x.a * y.a; else r.i = stc_wrap_mul(x.i, y.i);
        break;
    case STC_R_VAR: case STC_R_STD: {
        double n = x.a + y.a;
        if (y.a == 0) return x;
        if (x.a == 0) return y;
        double delta = y.b - x.b;
        r.a = n;
        r.b = x.b + delta * (y.a / n);
        r.c = x.c + y.c + delta * delta * (x.a * y.a / n);
        break;
    }
    default: {  // logsumexp
        r.i = x.i | y.i;
        double m = x.a > y.a ? x.a : y.a;
        if (m == -STC_INF) { r.a = m; r.b = 0; break; }
        r.a = m;
        r.b = (x.a == -STC_INF ? 0.0 : x.b * exp(x.a - m)) + (y.a == -STC_INF ? 0.0 : y.b * exp(y.a - m));
        break;
    }
    }
    return r;
}

// Folds element (value, position j) into a thread's state.
__device__ void stc_accumulate(int op, bool fl, stc_red_state& s, const void* in, int dt, long long at, long long j) {
    stc_red_state e = stc_identity(op);
    if (fl) {
        double v = stc_load_f(in, dt, at);
        if (op == STC_R_VAR || op == STC_R_STD) { e.a = 1; e.b = v; e.c = 0; }
        else if (op == STC_R_LOGSUMEXP) {
            if (stc_isnan(v)) e.i = 1;
            else if (v == STC_INF) e.i = 2;
            else if (v != -STC_INF) { e.a = v; e.b = 1; }
        } else { e.a = v; e.j = j; }
    } else {
        e.i = stc_load_i(in, dt, at);
        e.j = j;
    }
    s = stc_combine(op, fl, s, e);
}

// This thread's share of members [begin, end) of a group with stride `stride`, summed in
// double with four independent loads per step.
template <typename T>
__device__ double stc_sum_range(const T* p, long long stride, long long begin, long long end) {
    double acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
    long long step = blockDim.x, j = begin + threadIdx.x;
    for (; j + 3 * step < end; j += 4 * step) {
        T x0 = p[j * stride], x1 = p[(j + step) * stride], x2 = p[(j + 2 * step) * stride], x3 = p[(j + 3 * step) * stride];
        acc0 += (double)x0; acc1 += (double)x1; acc2 += (double)x2; acc3 += (double)x3;
    }
    for (; j < end; j += step) acc0 += (double)p[j * stride];
    return (acc0 + acc1) + (acc2 + acc3);
}

// Tree reduction of one state per thread; thread 0 gets the result.
__device__ stc_red_state stc_block_reduce(int op, bool fl, stc_red_state s) {
    __shared__ stc_red_state shared[STC_BLOCK];
    shared[threadIdx.x] = s;
    __syncthreads();
    for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) shared[threadIdx.x] = stc_combine(op, fl, shared[threadIdx.x], shared[threadIdx.x + half]);
        __syncthreads();
    }
    return shared[0];
}

__device__ void stc_finalize(int op, bool fl, stc_red_state s, long long group, double correction,
                             void* out0, void* out1, int odt, long long o) {
    switch (op) {
    case STC_R_SUM: case STC_R_PROD:
        if (fl) stc_store_f(out0, odt, o, s.a); else stc_store_i(out0, odt, o, s.i);
        break;
    case STC_R_MEAN: stc_store_f(out0, odt, o, s.a / (double)group); break;
    case STC_R_ARGMAX: case STC_R_ARGMIN: ((long long*)out0)[o] = s.j; break;
    case STC_R_VAR: case STC_R_STD: {
        double d = s.a - correction;
        double v = (s.a == 0 ? STC_NAN : s.c) / (d > 0 ? d : 0.0);
        stc_store_f(out0, odt, o, op == STC_R_STD ? sqrt(v) : v);
        break;
    }
    case STC_R_LOGSUMEXP: {
        double v = (s.i & 1) ? STC_NAN : ((s.i & 2) ? STC_INF : (s.a == -STC_INF ? -STC_INF : log(s.b) + s.a));
        stc_store_f(out0, odt, o, v);
        break;
    }
    default:  // amax, amin, max, min
        if (fl) stc_store_f(out0, odt, o, s.a); else stc_store_i(out0, odt, o, s.i);
        if (out1) ((long long*)out1)[o] = s.j;
        break;
    }
}

// Block (o, s) reduces split s of group o; with one split it writes the result, otherwise
// its partial state.
extern "C" __global__ void stc_reduce(stc_red_geom g, int op, int dt, int odt, const void* in, void* out0,
                                      void* out1, double correction, int splits, stc_red_state* partial) {
    long long o = blockIdx.x;
    bool fl = stc_is_float(dt);
    long long base = g.offset + stc_unravel(o, g.krank, g.kshape, g.kstride);
    long long chunk = (g.group + splits - 1) / splits;
    long long begin = chunk * blockIdx.y, end = begin + chunk < g.group ? begin + chunk : g.group;
    stc_red_state s = stc_identity(op);
    if (fl && (op == STC_R_SUM || op == STC_R_MEAN) && g.rrank == 1) {
        // The hot case, a plain sum along one stride, typed so that the unrolled loads issue
        // together (a dtype switch per load would serialise them).
        s.a = dt == STC_FLOAT32 ? stc_sum_range((const float*)in + base, g.rstride[0], begin, end)
                                : stc_sum_range((const double*)in + base, g.rstride[0], begin, end);
    } else if (fl && (op == STC_R_SUM || op == STC_R_MEAN)) {
        for (long long j = begin + threadIdx.x; j < end; j += blockDim.x) s.a += stc_load_f(in, dt, base + stc_member(g, j));
    } else {
        for (long long j = begin + threadIdx.x; j < end; j += blockDim.x) stc_accumulate(op, fl, s, in, dt, base + stc_member(g, j), j);
    }
    s = stc_block_reduce(op, fl, s);
    if (threadIdx.x != 0) return;
    if (splits == 1) stc_finalize(op, fl, s, g.group, correction, out0, out1, odt, o);
    else partial[o * splits + blockIdx.y] = s;
}

extern "C" __global__ void stc_reduce_finish(long long group, int op, int dt, int odt, void* out0, void* out1,
                                             double correction, int splits, const stc_red_state* partial) {
    long long o = blockIdx.x;
    bool fl = stc_is_float(dt);
    stc_red_state s = stc_identity(op);
    for (int k = threadIdx.x; k < splits; k += blockDim.x) s = stc_combine(op, fl, s, partial[o * splits + k]);
    s = stc_block_reduce(op, fl, s);
    if (threadIdx.x == 0) stc_finalize(op, fl, s, group, correction, out0, out1, odt, o);
}

// softmax / log_softmax of row o (one block per row): the maximum (NaN wins), the sum of
// exp(x - max), then the outputs; never log(softmax(x)).
extern "C" __global__ void stc_softmax(stc_red_geom g, int logarithm, int dt, const void* in, void* out) {
    __shared__ double shared[STC_BLOCK];
    long long o = blockIdx.x;
    long long base = g.offset + stc_unravel(o, g.krank, g.kshape, g.kstride);
    long long obase = stc_unravel(o, g.krank, g.kshape, g.kout);
    double m = -STC_INF;
    for (long long j = threadIdx.x; j < g.group; j += blockDim.x) {
        m = stc_nan_max(m, stc_load_f(in, dt, base + stc_member(g, j)));
    }
    shared[threadIdx.x] = m;
    __syncthreads();
    for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) shared[threadIdx.x] = stc_nan_max(shared[threadIdx.x], shared[threadIdx.x + half]);
        __syncthreads();
    }
    m = shared[0];
    __syncthreads();
    double sum = 0;
    for (long long j = threadIdx.x; j < g.group; j += blockDim.x) {
        sum += exp(stc_load_f(in, dt, base + stc_member(g, j)) - m);
    }
    shared[threadIdx.x] = sum;
    __syncthreads();
    for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) shared[threadIdx.x] += shared[threadIdx.x + half];
        __syncthreads();
    }
    sum = shared[0];
    double log_sum = log(sum);
    for (long long j = threadIdx.x; j < g.group; j += blockDim.x) {
        double x = stc_load_f(in, dt, base + stc_member(g, j));
        double v = logarithm ? x - m - log_sum : exp(x - m) / sum;
        stc_store_f(out, dt, obase + stc_member_out(g, j), v);
    }
}

// Running sums along the reduced dim, one thread per line.
extern "C" __global__ void stc_cumsum(stc_red_geom g, int dt, const void* in, void* out) {
    STC_GRID_STRIDE(o, g.outputs) {
        long long base = g.offset + stc_unravel(o, g.krank, g.kshape, g.kstride);
        long long obase = stc_unravel(o, g.krank, g.kshape, g.kout);
        double sf = 0;
        long long si = 0;
        for (long long j = 0; j < g.group; j++) {
            long long at = base + stc_member(g, j);
            long long to = obase + stc_member_out(g, j);
            if (stc_is_float(dt)) { sf += stc_load_f(in, dt, at); stc_store_f(out, dt, to, sf); }
            else { si = stc_wrap_add(si, stc_load_i(in, dt, at)); stc_store_i(out, dt, to, si); }
        }
    }
}

// softmax / log_softmax of contiguous float32 rows of up to 4096 elements (one block of 256
// threads per row): the row is read once into registers, reductions use warp shuffles, the
// sum is kept in double.
#define STC_ROW_ITEMS 16

__device__ __forceinline__ float stc_nan_maxf(float a, float b) {
    if (a != a || b != b) return a + b;
    return a > b ? a : b;
}

extern "C" __global__ void stc_softmax_rows_f32(long long rows, long long n, long long row_stride, int logarithm,
                                                const float* in, float* out) {
    __shared__ float shared_max[32];
    __shared__ double shared_sum[32];
    const float* x = in + (long long)blockIdx.x * row_stride;
    float* y = out + (long long)blockIdx.x * n;
    float v[STC_ROW_ITEMS];
    float m = -__int_as_float(0x7f800000);
    #pragma unroll
    for (int k = 0; k < STC_ROW_ITEMS; k++) {
        long long j = threadIdx.x + (long long)k * blockDim.x;
        v[k] = j < n ? x[j] : m;
        if (j < n) m = stc_nan_maxf(m, v[k]);
    }
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    for (int o = 16; o > 0; o >>= 1) m = stc_nan_maxf(m, __shfl_xor_sync(0xffffffffu, m, o));
    if (lane == 0) shared_max[warp] = m;
    __syncthreads();
    m = shared_max[0];
    for (int w = 1; w < warps; w++) m = stc_nan_maxf(m, shared_max[w]);
    double sum = 0;
    float e[STC_ROW_ITEMS];
    #pragma unroll
    for (int k = 0; k < STC_ROW_ITEMS; k++) {
        long long j = threadIdx.x + (long long)k * blockDim.x;
        e[k] = j < n ? expf(v[k] - m) : 0.0f;
        sum += (double)e[k];
    }
    for (int o = 16; o > 0; o >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, o);
    if (lane == 0) shared_sum[warp] = sum;
    __syncthreads();
    sum = 0;
    for (int w = 0; w < warps; w++) sum += shared_sum[w];
    float log_sum = (float)log(sum), inverse = (float)(1.0 / sum);
    #pragma unroll
    for (int k = 0; k < STC_ROW_ITEMS; k++) {
        long long j = threadIdx.x + (long long)k * blockDim.x;
        if (j < n) y[j] = logarithm ? (v[k] - m) - log_sum : e[k] * inverse;
    }
}
