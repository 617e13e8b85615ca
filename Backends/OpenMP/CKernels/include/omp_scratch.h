/* Per-thread scratch buffers, kept from call to call (scratch.c). Internal to the kernels. */
#ifndef SWIFTTORCH_OMP_SCRATCH_H
#define SWIFTTORCH_OMP_SCRATCH_H
#ifdef ST_OMP_INTERNAL

#include <stddef.h>

/* One slot per buffer a kernel holds at once. A slot's buffer is valid until the same
   thread asks for that slot again, so a kernel that calls another must use other slots. */
enum {
    ST_SCRATCH_GEMM_A, /* a thread's packed block of A */
    ST_SCRATCH_GEMM_B, /* the packed panel of B, shared by the team */
    ST_SCRATCH_LSTM_GATES, /* a thread's rows of one step's hidden gates, or of its state gradients */
    ST_SCRATCH_SLOTS
};

/* This thread's buffer for `slot`, at least `bytes` long and 64-byte aligned, or NULL when
   memory runs out. Its contents are whatever the thread last left there. */
void *st__scratch(int slot, size_t bytes);

#endif /* ST_OMP_INTERNAL */
#endif
