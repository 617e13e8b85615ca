// Indexing: index_select and gather copy elements; index_add and scatter_add add them with
// atomics. Indices are checked on the device: a bad one sets the status word, which the
// host reads back and turns into an error.

__device__ bool stc_wrap_index(long long& idx, long long size, int* status) {
    if (idx < -size || idx >= size) { stc_set_status(status, STC_STATUS_INDEX); return false; }
    if (idx < 0) idx += size;
    return true;
}

// The index value for position i (coordinates under g.shape).
__device__ long long stc_index_at(const stc_index_geom& g, const void* index, int idt, long long i) {
    long long at = g.index_offset;
    if (g.per_element_index) at += stc_unravel(i, g.rank, g.shape, g.index_stride);
    else if (g.dim >= 0) {
        long long rest = i;
        for (int d = g.rank - 1; d > g.dim; --d) rest /= g.shape[d];
        at += (rest % g.shape[g.dim]) * g.index_stride[0];
    }
    return stc_load_i(index, idt, at);
}

// out[i] = a[position i with its dim coordinate replaced by the index], elements of `size` bytes.
extern "C" __global__ void stc_index_copy(stc_index_geom g, int size, int idt, const void* a, const void* index,
                                          void* out, int* status) {
    STC_GRID_STRIDE(i, g.n) {
        long long idx = stc_index_at(g, index, idt, i);
        if (!stc_wrap_index(idx, g.size, status)) continue;
        long long src = g.a_offset, rest = i;
        for (int d = g.rank - 1; d >= 0; --d) {
            long long c = rest % g.shape[d];
            rest /= g.shape[d];
            src += (d == g.dim ? idx : c) * g.a_stride[d];
        }
        long long dst = g.out_offset + stc_unravel(i, g.rank, g.shape, g.out_stride);
        if (size == 8) ((u64*)out)[dst] = ((const u64*)a)[src];
        else if (size == 4) ((unsigned int*)out)[dst] = ((const unsigned int*)a)[src];
        else ((unsigned char*)out)[dst] = ((const unsigned char*)a)[src];
    }
}

// out[position i with its dim coordinate replaced by the index] += scale * source[i].
extern "C" __global__ void stc_index_add(stc_index_geom g, int dt, int idt, const void* source, const void* index,
                                         void* out, double scale, long long iscale, int* status) {
    STC_GRID_STRIDE(i, g.n) {
        long long idx = stc_index_at(g, index, idt, i);
        if (!stc_wrap_index(idx, g.size, status)) continue;
        long long dst = g.out_offset, rest = i;
        for (int d = g.rank - 1; d >= 0; --d) {
            long long c = rest % g.shape[d];
            rest /= g.shape[d];
            dst += (d == g.dim ? idx : c) * g.out_stride[d];
        }
        long long src = g.a_offset + stc_unravel(i, g.rank, g.shape, g.a_stride);
        switch (dt) {
        case STC_FLOAT32: atomicAdd((float*)out + dst, (float)(scale * (double)((const float*)source)[src])); break;
        case STC_FLOAT64: atomicAdd((double*)out + dst, scale * ((const double*)source)[src]); break;
        case STC_INT32: atomicAdd((unsigned int*)out + dst, (unsigned int)(iscale * ((const int*)source)[src])); break;
        default: atomicAdd((u64*)out + dst, (u64)stc_wrap_mul(iscale, ((const long long*)source)[src])); break;
        }
    }
}

// Batched matrix product without cuBLAS: integers (wrapping), or floats when cuBLAS is
// missing (accumulating in double). out may already hold `c` (has_c) to scale and add.
extern "C" __global__ void stc_matmul_naive(stc_mm_params p, int dt, const void* a, const void* b, void* out) {
    STC_GRID_STRIDE(e, p.batch * p.m * p.n) {
        long long j = e % p.n, i = (e / p.n) % p.m, bt = e / (p.n * p.m);
        long long abase = bt * p.a_batch + i * p.a_row, bbase = bt * p.b_batch + j * p.b_col;
        if (stc_is_float(dt)) {
            double acc = 0;
            for (long long q = 0; q < p.k; q++) acc += stc_load_f(a, dt, abase + q * p.a_col) * stc_load_f(b, dt, bbase + q * p.b_row);
            double v = p.alpha * acc;
            if (p.has_c) v += p.beta * stc_load_f(out, dt, e);
            stc_store_f(out, dt, e, v);
        } else {
            long long acc = 0;
            for (long long q = 0; q < p.k; q++) acc = stc_wrap_add(acc, stc_wrap_mul(stc_load_i(a, dt, abase + q * p.a_col), stc_load_i(b, dt, bbase + q * p.b_row)));
            long long v = stc_wrap_mul(p.ialpha, acc);
            if (p.has_c) v = stc_wrap_add(v, stc_wrap_mul(p.ibeta, stc_load_i(out, dt, e)));
            stc_store_i(out, dt, e, v);
        }
    }
}
