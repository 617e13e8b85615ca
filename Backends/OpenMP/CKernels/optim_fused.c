/* Fused optimizer steps (see include/omp_optim.h). Each element's update is written out
   once, in the reference's order (Backends/Reference/OptimizerKernels.swift), so float64
   results match it bit for bit and float32 ones round at the same stores. The options
   are loop-invariant branches, which clang unswitches; large parameters are split into
   blocks across threads. */
#include <math.h>
#include "elementwise_internal.h"
#include "omp_elementwise.h"
#include "omp_optim.h"

/* About ten flops and four or five streams per element: below this many elements a
   parallel region costs more than it saves. Blocks are 64-element multiples, so no two
   threads write one cache line. */
#define ST_OPT_PARALLEL_MIN 16384
#define ST_OPT_BLOCK 4096

/* Runs BODY(begin, end) over [0, n): serially when small, else block by block in parallel. */
#define ST_OPT_RUN(n, BODY)                                                             \
    do {                                                                                \
        const int64_t n_ = (n);                                                         \
        if (n_ < ST_OPT_PARALLEL_MIN) {                                                 \
            BODY(0, n_);                                                                \
        } else {                                                                        \
            const int64_t blocks_ = (n_ + ST_OPT_BLOCK - 1) / ST_OPT_BLOCK;             \
            _Pragma("omp parallel for schedule(static)")                                \
            for (int64_t k_ = 0; k_ < blocks_; k_++) {                                  \
                const int64_t b_ = k_ * ST_OPT_BLOCK;                                   \
                BODY(b_, b_ + ST_OPT_BLOCK < n_ ? b_ + ST_OPT_BLOCK : n_);              \
            }                                                                           \
        }                                                                               \
    } while (0)

/* Runs the float32 or float64 body over [0, n) and returns 0, or -1 for another dtype. */
#define ST_OPT_BY_DTYPE(dtype, n, BODY_F32, BODY_F64)                                   \
    do {                                                                                \
        if ((dtype) == ST_DT_FLOAT32) ST_OPT_RUN(n, BODY_F32);                          \
        else if ((dtype) == ST_DT_FLOAT64) ST_OPT_RUN(n, BODY_F64);                     \
        else return -1;                                                                 \
        return 0;                                                                       \
    } while (0)

/* PyTorch's lerp, from the nearer end. */
static inline double st_lerp(double x, double e, double w) {
    return fabs(w) < 0.5 ? x + w * (e - x) : e - (e - x) * (1.0 - w);
}

#define ST_SGD(SUF, T)                                                                  \
    ST_CLONES static void sgd_##SUF(int64_t begin, int64_t end, T *restrict p,          \
                                    const T *restrict gr, T *restrict buf,              \
                                    const st_sgd_hyper *h) {                            \
        const double lr = h->lr, wd = h->weight_decay, mom = h->momentum;               \
        const double damp = 1.0 - h->dampening;                                         \
        const int nesterov = h->nesterov, maximize = h->maximize, first = h->is_first_step; \
        for (int64_t i = begin; i < end; i++) {                                         \
            double g = maximize ? -(double)gr[i] : (double)gr[i];                       \
            if (wd != 0) g += wd * (double)p[i];                                        \
            if (mom != 0) {                                                             \
                const double b = first ? g : (double)buf[i] * mom + damp * g;           \
                buf[i] = (T)b;                                                          \
                g = nesterov ? g + mom * b : b;                                         \
            }                                                                           \
            p[i] = (T)((double)p[i] + -lr * g);                                         \
        }                                                                               \
    }
ST_SGD(f32, float)
ST_SGD(f64, double)

int st_fused_sgd(int dtype, int64_t n, void *param, const void *grad, void *momentum_buffer,
                 const st_sgd_hyper *h) {
#define ST_SGD_BODY_F32(b, e) sgd_f32(b, e, param, grad, momentum_buffer, h)
#define ST_SGD_BODY_F64(b, e) sgd_f64(b, e, param, grad, momentum_buffer, h)
    ST_OPT_BY_DTYPE(dtype, n, ST_SGD_BODY_F32, ST_SGD_BODY_F64);
}

#define ST_ADAM(SUF, T)                                                                 \
    ST_CLONES static void adam_##SUF(int64_t begin, int64_t end, T *restrict p,         \
                                     const T *restrict gr, T *restrict m_, T *restrict v_, \
                                     T *restrict vmax_, const st_adam_hyper *h) {       \
        const double lr = h->lr, b1 = h->beta1, b2 = h->beta2, wd = h->weight_decay;    \
        const double eps = h->eps, step_size = h->step_size, bc2 = h->bias_correction2_sqrt; \
        const int maximize = h->maximize, decoupled = h->decoupled;                     \
        for (int64_t i = begin; i < end; i++) {                                         \
            double g = maximize ? -(double)gr[i] : (double)gr[i];                       \
            double pv = p[i];                                                           \
            if (wd != 0) {                                                              \
                if (decoupled) pv *= 1 - lr * wd; else g += wd * pv;                    \
            }                                                                           \
            const double m = st_lerp(m_[i], g, 1 - b1);                                 \
            const double v = (double)v_[i] * b2 + (1 - b2) * g * g;                     \
            m_[i] = (T)m;                                                               \
            v_[i] = (T)v;                                                               \
            double second = v;                                                          \
            if (vmax_) {                                                                \
                const double old = vmax_[i];                                            \
                second = old != old || v != v ? NAN : old > v ? old : v;                \
                vmax_[i] = (T)second;                                                   \
            }                                                                           \
            const double denom = ST_SQRT(second) / bc2 + eps;                           \
            p[i] = (T)(pv + -step_size * m / denom);                                    \
        }                                                                               \
    }
ST_ADAM(f32, float)
ST_ADAM(f64, double)

int st_fused_adam(int dtype, int64_t n, void *param, const void *grad, void *exp_avg,
                  void *exp_avg_sq, void *max_exp_avg_sq, const st_adam_hyper *h) {
    void *vmax = h->amsgrad ? max_exp_avg_sq : NULL;
#define ST_ADAM_BODY_F32(b, e) adam_f32(b, e, param, grad, exp_avg, exp_avg_sq, vmax, h)
#define ST_ADAM_BODY_F64(b, e) adam_f64(b, e, param, grad, exp_avg, exp_avg_sq, vmax, h)
    ST_OPT_BY_DTYPE(dtype, n, ST_ADAM_BODY_F32, ST_ADAM_BODY_F64);
}

#define ST_RMSPROP(SUF, T)                                                              \
    ST_CLONES static void rmsprop_##SUF(int64_t begin, int64_t end, T *restrict p,      \
                                        const T *restrict gr, T *restrict sq_,          \
                                        T *restrict gavg_, T *restrict buf_,            \
                                        const st_rmsprop_hyper *h) {                    \
        const double lr = h->lr, alpha = h->alpha, eps = h->eps, wd = h->weight_decay;  \
        const double mom = h->momentum;                                                 \
        const int maximize = h->maximize;                                               \
        for (int64_t i = begin; i < end; i++) {                                         \
            double g = maximize ? -(double)gr[i] : (double)gr[i];                       \
            if (wd != 0) g += wd * (double)p[i];                                        \
            const double sq = (double)sq_[i] * alpha + (1 - alpha) * g * g;             \
            sq_[i] = (T)sq;                                                             \
            double avg;                                                                 \
            if (gavg_) {                                                                \
                const double ga = st_lerp(gavg_[i], g, 1 - alpha);                      \
                gavg_[i] = (T)ga;                                                       \
                avg = ST_SQRT(sq + -1.0 * ga * ga);                                     \
            } else {                                                                    \
                avg = ST_SQRT(sq);                                                      \
            }                                                                           \
            avg += eps;                                                                 \
            if (buf_) {                                                                 \
                const double b = (double)buf_[i] * mom + g / avg;                       \
                buf_[i] = (T)b;                                                         \
                p[i] = (T)((double)p[i] + -lr * b);                                     \
            } else {                                                                    \
                p[i] = (T)((double)p[i] + -lr * g / avg);                               \
            }                                                                           \
        }                                                                               \
    }
ST_RMSPROP(f32, float)
ST_RMSPROP(f64, double)

int st_fused_rmsprop(int dtype, int64_t n, void *param, const void *grad, void *square_avg,
                     void *grad_avg, void *momentum_buffer, const st_rmsprop_hyper *h) {
    void *gavg = h->centered ? grad_avg : NULL;
    void *buf = h->momentum > 0 ? momentum_buffer : NULL;
#define ST_RMSPROP_BODY_F32(b, e) rmsprop_f32(b, e, param, grad, square_avg, gavg, buf, h)
#define ST_RMSPROP_BODY_F64(b, e) rmsprop_f64(b, e, param, grad, square_avg, gavg, buf, h)
    ST_OPT_BY_DTYPE(dtype, n, ST_RMSPROP_BODY_F32, ST_RMSPROP_BODY_F64);
}
