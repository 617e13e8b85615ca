/* threshold_backward (relu's backward) on the elementwise row driver: one pass over grad
   and self, vectorised where both are contiguous or one is a broadcast scalar. */
#include "elementwise_internal.h"
#include "omp_backward.h"

/* x is grad (operand 1), y is self (operand 2); float32 compares with the float threshold. */
ST_ROW2(threshold_backward_f32, float, float, y <= ctx->alphaf ? 0.0f : x)
ST_ROW2(threshold_backward_f64, double, double, y <= ctx->alpha ? 0.0 : x)

int st_threshold_backward(int dtype, const st_ew_geometry *g, void *out, const void *grad,
                          const void *self, double threshold) {
    if (dtype != ST_DT_FLOAT32 && dtype != ST_DT_FLOAT64) return -1;
    const int d = dtype == ST_DT_FLOAT64;
    st_ew_ctx ctx = {0};
    ctx.alpha = threshold;
    ctx.alphaf = (float)threshold;
    const int item = d ? 8 : 4;
    const int itemsize[3] = {item, item, item};
    void *const base[3] = {out, (void *)grad, (void *)self};
    st_ew_run(g, 3, base, itemsize, ST_EW_PARALLEL_MIN, d ? threshold_backward_f64 : threshold_backward_f32, &ctx);
    return 0;
}
