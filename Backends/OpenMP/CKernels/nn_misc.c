/* embedding, one_hot and dropout. Index arguments are data: all of them are checked before
   anything is written, so a bad index leaves the output untouched. */
#define ST_OMP_INTERNAL
#include "omp_nn.h"
#include "omp_reduce.h" /* thread helpers and error codes */

#include <string.h>
#include "dropout_mask.h"

/* Returns the first index outside [0, limit), or -1 when all are valid. */
static int64_t first_bad(int64_t count, const int64_t *ix, int64_t limit) {
    int64_t bad = count;
    #pragma omp parallel for schedule(static) reduction(min:bad) if(count >= ST_PAR_GRAIN)
    for (int64_t i = 0; i < count; i++)
        if ((ix[i] < 0 || ix[i] >= limit) && i < bad) bad = i;
    return bad < count ? bad : -1;
}

int st_embedding(int64_t count, const int64_t *indices, int64_t rows, int64_t dim,
                 int64_t element_size, const void *weight, void *out) {
    if (count < 0 || rows < 0 || dim < 0 || element_size <= 0) return ST_ERR_ARGUMENT;
    if (first_bad(count, indices, rows) >= 0) return ST_ERR_INDEX;
    const size_t row = (size_t)(dim * element_size);
    #pragma omp parallel for schedule(static) if(count * dim >= ST_PAR_GRAIN)
    for (int64_t i = 0; i < count; i++)
        memcpy((char *)out + i * row, (const char *)weight + indices[i] * row, row);
    return 0;
}

int st_one_hot(int64_t count, const int64_t *x, int64_t classes, int64_t *out) {
    if (count < 0 || classes < 0) return ST_ERR_ARGUMENT;
    if (first_bad(count, x, classes) >= 0) return ST_ERR_INDEX;
    #pragma omp parallel for schedule(static) if(count * classes >= ST_PAR_GRAIN)
    for (int64_t i = 0; i < count; i++) {
        memset(out + i * classes, 0, (size_t)classes * sizeof(int64_t));
        out[i * classes + x[i]] = 1;
    }
    return 0;
}

#define DROPOUT(NAME, T)                                                                       \
    ST_CLONES static void NAME(int64_t begin, int64_t end, const T *restrict x, uint64_t threshold, \
                               double scale, uint64_t seed, T *restrict out) {                 \
        for (int64_t i = begin; i < end; i++) {                                                \
            const int keep = dropout_bits(seed, i) >> 11 >= threshold;                         \
            out[i] = (T)((double)x[i] * (keep ? scale : 0.0));                                 \
        }                                                                                      \
    }
DROPOUT(dropout_run_f32, float)
DROPOUT(dropout_run_f64, double)

static int dropout(int f64, int64_t count, const void *x, double p, double scale, uint64_t seed, void *out) {
    if (count < 0) return ST_ERR_ARGUMENT;
    const uint64_t threshold = keep_threshold(p);
    #pragma omp parallel if(count >= ST_PAR_GRAIN / 4)
    {
        int64_t b, e;
        st_thread_range(count, &b, &e);
        if (f64) dropout_run_f64(b, e, x, threshold, scale, seed, out);
        else dropout_run_f32(b, e, x, threshold, scale, seed, out);
    }
    return 0;
}

int st_dropout_f32(int64_t count, const float *x, double p, double scale, uint64_t seed, float *out) {
    return dropout(0, count, x, p, scale, seed, out);
}
int st_dropout_f64(int64_t count, const double *x, double p, double scale, uint64_t seed, double *out) {
    return dropout(1, count, x, p, scale, seed, out);
}
