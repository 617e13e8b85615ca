/* Fused backward kernels of the OpenMP backend (threshold_backward, _softmax_backward_data,
   _log_softmax_backward_data, nll_loss_backward): one pass where a derivative formula
   would dispatch a chain of elementwise and reduction calls. */
#ifndef SWIFTTORCH_OMP_BACKWARD_H
#define SWIFTTORCH_OMP_BACKWARD_H

#include <stdint.h>
#include "omp_elementwise.h"
#include "omp_reduce.h"

/* out = self <= threshold ? 0 : grad, the threshold compared in the tensors' dtype.
   Operands of `g`: 0 out, 1 grad, 2 self. Returns 0, or -1 for a dtype it lacks. */
int st_threshold_backward(int dtype, const st_ew_geometry *g, void *out, const void *grad,
                          const void *self, double threshold);

/* Along one inner dim (inner_ndim == 1); operands 0 grad_output, 1 output, 2 result.
   softmax: result = y * (g - sum(g * y)); log (`log` != 0): result = g - exp(y) * sum(g).
   Computed in double, rounded once on store. */
int st_softmax_backward_f32(int log, const float *grad, const float *y, const st_geom *g, float *out);
int st_softmax_backward_f64(int log, const double *grad, const double *y, const st_geom *g, double *out);

/* nll_loss's gradient in its input, laid out [samples, classes, inner] (contiguous `out`).
   `target` holds samples * inner class indices (contiguous), `grad` one value (`grad_per
   _sample` 0) or one per target; `weight` classes values or NULL. Reduction: 0 none,
   1 mean, 2 sum. Unless `total_given`, "mean" divides by the weights of the non-ignored
   targets, summed here. Returns 0, or ST_ERR_INDEX with *bad set to the offending class. */
typedef struct st_nll_backward {
    int64_t samples, classes, inner;
    const int64_t *target;
    int64_t ignore_index;
    int reduction;
    int grad_per_sample;
    int total_given;
    double total_weight;
} st_nll_backward;
int st_nll_loss_backward_f32(const st_nll_backward *p, const float *grad, const float *weight, float *out, int64_t *bad);
int st_nll_loss_backward_f64(const st_nll_backward *p, const double *grad, const double *weight, double *out, int64_t *bad);

#endif
