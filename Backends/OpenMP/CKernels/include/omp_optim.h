/* Fused optimizer steps of the OpenMP backend: one call updates one parameter, in one
   pass over its parameter, gradient and state (contiguous arrays of one dtype, float32 or
   float64), in PyTorch's single-tensor update order, computed in double and rounded once
   per stored value (as the reference). Optional state (a momentum buffer without
   momentum, max_exp_avg_sq without amsgrad, grad_avg uncentered) is NULL. Each returns 0,
   or -1 for an unsupported dtype. */
#ifndef SWIFTTORCH_OMP_OPTIM_H
#define SWIFTTORCH_OMP_OPTIM_H

#include <stdint.h>

typedef struct {
    double lr, weight_decay, momentum, dampening;
    int32_t nesterov, maximize, is_first_step;
} st_sgd_hyper;

/* Adam and AdamW (decoupled). step_size = lr / (1 - beta1^t) and
   bias_correction2_sqrt = sqrt(1 - beta2^t) for this parameter's step t. */
typedef struct {
    double lr, beta1, beta2, weight_decay, eps, step_size, bias_correction2_sqrt;
    int32_t amsgrad, maximize, decoupled;
} st_adam_hyper;

typedef struct {
    double lr, alpha, eps, weight_decay, momentum;
    int32_t centered, maximize;
} st_rmsprop_hyper;

int st_fused_sgd(int dtype, int64_t n, void *param, const void *grad, void *momentum_buffer,
                 const st_sgd_hyper *h);
int st_fused_adam(int dtype, int64_t n, void *param, const void *grad, void *exp_avg,
                  void *exp_avg_sq, void *max_exp_avg_sq, const st_adam_hyper *h);
int st_fused_rmsprop(int dtype, int64_t n, void *param, const void *grad, void *square_avg,
                     void *grad_avg, void *momentum_buffer, const st_rmsprop_hyper *h);

#endif
