// Losses, in two steps: per-sample (or per-element) terms in double, then one block that
// reduces them (or writes them out for reduction "none"). Formulas follow the reference
// backend (Backends/Reference/LossKernels.swift).

// cross_entropy / nll_loss, one thread per sample. t1 gets -w[t] * logp[t] (class indices)
// or -sum_c w_c p'_c logp_c (probabilities); t2 the smoothing term -sum_c w_c logp_c; wts
// the weight of the sample for "mean" (0 for ignored samples).
extern "C" __global__ void stc_class_loss(stc_class_geom g, int dt, const void* in, const void* target, int tdt,
                                          const void* weight, long long ignore, double smoothing,
                                          double* t1, double* t2, double* wts, int* status) {
    STC_GRID_STRIDE(s, g.samples) {
        long long base = g.in_offset + stc_unravel(s, g.krank, g.kshape, g.kin);
        long long tbase = g.target_offset + stc_unravel(s, g.krank, g.kshape, g.ktarget);
        double m = -STC_INF, lse = 0;
        if (g.logits) {
            for (long long c = 0; c < g.classes; c++) m = stc_nan_max(m, stc_load_f(in, dt, base + c * g.cin));
            double sum = 0;
            for (long long c = 0; c < g.classes; c++) sum += exp(stc_load_f(in, dt, base + c * g.cin) - m);
            lse = m + log(sum);
        }
        #define STC_LOGP(c) (g.logits ? stc_load_f(in, dt, base + (c) * g.cin) - lse : stc_load_f(in, dt, base + (c) * g.cin))
        #define STC_W(c) (g.has_weight ? stc_load_f(weight, dt, g.weight_offset + (c) * g.weight_stride) : 1.0)
        if (g.probabilities) {
            double acc = 0;
            for (long long c = 0; c < g.classes; c++) {
                double p = stc_load_f(target, tdt, tbase + c * g.ctarget);
                if (smoothing > 0) p = p * (1 - smoothing) + smoothing / (double)g.classes;
                acc -= STC_LOGP(c) * p * STC_W(c);
            }
            t1[s] = acc; t2[s] = 0; wts[s] = 1;
            continue;
        }
        long long t = stc_load_i(target, tdt, tbase);
        if (t == ignore) { t1[s] = 0; t2[s] = 0; wts[s] = 0; continue; }
        if (t < 0 || t >= g.classes) { stc_set_status(status, STC_STATUS_TARGET); t1[s] = 0; t2[s] = 0; wts[s] = 0; continue; }
        double w = STC_W(t);
        t1[s] = -w * STC_LOGP(t);
        wts[s] = w;
        double smooth = 0;
        if (smoothing > 0) {
            for (long long c = 0; c < g.classes; c++) smooth -= STC_W(c) * STC_LOGP(c);
        }
        t2[s] = smooth;
        #undef STC_LOGP
        #undef STC_W
    }
}

// mse_loss (kind 0) and binary_cross_entropy_with_logits (kind 1) terms: operands 1 self,
// 2 target, 3 weight, 4 pos_weight (absent ones are NULL), written contiguously.
extern "C" __global__ void stc_pointwise_loss(stc_ew_geom g, int kind, int dt, const void* x, const void* y,
                                              const void* weight, const void* pos_weight, double* terms) {
    STC_GRID_STRIDE(i, g.n) {
        double a = stc_load_f(x, dt, stc_offset(g, 1, i)), t = stc_load_f(y, dt, stc_offset(g, 2, i));
        double loss;
        if (kind == 0) {
            loss = (a - t) * (a - t);
        } else {
            double neg_log_sigmoid = log1p(exp(-fabs(a))) + (-a > 0 ? -a : 0.0);
            double log_weight = pos_weight ? 1 + (stc_load_f(pos_weight, dt, stc_offset(g, 4, i)) - 1) * t : 1.0;
            loss = (1 - t) * a + log_weight * neg_log_sigmoid;
            if (weight) loss *= stc_load_f(weight, dt, stc_offset(g, 3, i));
        }
        terms[i] = loss;
    }
}

// value_i = c1 * t1[i] + c2 * t2[i]. reduction 0 ("none") writes each; 1 ("sum") writes the
// sum; 2 ("mean") the sum over `divisor`, or over the sum of `wts` when given.
extern "C" __global__ void stc_loss_finish(long long n, int reduction, const double* t1, double c1, const double* t2,
                                           double c2, const double* wts, double divisor, void* out, int odt) {
    if (reduction == 0) {
        STC_GRID_STRIDE(i, n) stc_store_f(out, odt, i, c1 * t1[i] + (t2 ? c2 * t2[i] : 0.0));
        return;
    }
    __shared__ double sums[256];
    __shared__ double weights[256];
    double s = 0, w = 0;
    for (long long i = threadIdx.x; i < n; i += blockDim.x) {
        s += c1 * t1[i] + (t2 ? c2 * t2[i] : 0.0);
        if (wts) w += wts[i];
    }
    sums[threadIdx.x] = s;
    weights[threadIdx.x] = w;
    __syncthreads();
    for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) {
            sums[threadIdx.x] += sums[threadIdx.x + half];
            weights[threadIdx.x] += weights[threadIdx.x + half];
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        double v = sums[0];
        if (reduction == 2) v /= wts ? weights[0] : divisor;
        stc_store_f(out, odt, 0, v);
    }
}
