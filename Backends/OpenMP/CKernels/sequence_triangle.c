/* tril and triu: one pass over the output, copying kept elements from any view of the
   input and writing zero bits elsewhere. Elements move as bytes, so every dtype works. */
#include <string.h>
#include "omp_sequence.h"
#include "elementwise_internal.h" /* ST_EW_PARALLEL_MIN */
#include "omp_reduce.h"          /* error codes */

int st_triangle(int64_t itemsize, int64_t batch, int64_t rows, int64_t cols, int64_t diagonal, int upper,
                const void *in, const int64_t *in_offset, int64_t in_row, int64_t in_col, void *out) {
    if (itemsize <= 0 || itemsize > 8 || batch < 0 || rows < 0 || cols < 0) return ST_ERR_ARGUMENT;
    const int64_t lines = batch * rows;
    const char *src = (const char *)in;
    char *dst = (char *)out;
    #pragma omp parallel for schedule(static) if(lines * cols >= ST_EW_PARALLEL_MIN)
    for (int64_t line = 0; line < lines; line++) {
        const int64_t b = line / rows, i = line % rows;
        char *o = dst + line * cols * itemsize;
        /* Kept columns form one run: j <= i + diagonal (tril) or j >= i + diagonal (triu),
           clamped to [0, cols] without forming i + diagonal (diagonal may be huge). */
        int64_t first = 0, end = cols;
        if (upper) {
            first = diagonal <= -i ? 0 : diagonal - cols >= -i ? cols : i + diagonal;
        } else {
            end = diagonal < -i ? 0 : diagonal - cols >= -i ? cols : i + diagonal + 1;
        }
        memset(o, 0, (size_t)(first * itemsize));
        memset(o + end * itemsize, 0, (size_t)((cols - end) * itemsize));
        const char *s = src + (in_offset[b] + i * in_row) * itemsize;
        for (int64_t j = first; j < end; j++) memcpy(o + j * itemsize, s + j * in_col * itemsize, (size_t)itemsize);
    }
    return 0;
}
