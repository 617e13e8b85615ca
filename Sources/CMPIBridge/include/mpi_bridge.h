// The MPI calls SwiftTorchDistributed makes, with plain C types only: Open MPI's handles
// (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM) are macros over casts that Swift cannot import.
// Every function returns an MPI error code (MPI_SUCCESS is 0); the communicator returns
// errors instead of aborting (MPI_ERRORS_RETURN), so the caller can throw them.
//
// All calls are made by one thread, the process group's communication thread, which is
// also the thread that initialises MPI (MPI_THREAD_FUNNELED).
#ifndef SWIFTTORCH_MPI_BRIDGE_H
#define SWIFTTORCH_MPI_BRIDGE_H

#include <stddef.h>

/// Element types, in SwiftTorch's names.
typedef enum {
    ST_MPI_BOOL = 0,
    ST_MPI_INT32 = 1,
    ST_MPI_INT64 = 2,
    ST_MPI_FLOAT32 = 3,
    ST_MPI_FLOAT64 = 4,
} st_mpi_dtype;

/// Reductions (an average is a sum that the caller divides).
typedef enum {
    ST_MPI_SUM = 0,
    ST_MPI_PRODUCT = 1,
    ST_MPI_MIN = 2,
    ST_MPI_MAX = 3,
} st_mpi_op;

/// Initialises MPI (MPI_THREAD_FUNNELED) and the library's own communicator, a duplicate
/// of MPI_COMM_WORLD with MPI_ERRORS_RETURN; gives this process's rank and the world size.
int st_mpi_init(int *rank, int *world_size);
/// MPI_Finalize, after freeing the communicator.
int st_mpi_finalize(void);
int st_mpi_barrier(void);
/// In place over `count` elements.
int st_mpi_allreduce(void *buffer, int count, st_mpi_dtype dtype, st_mpi_op op);
/// An in-place sum over all ranks divided by the world size: the average of floating-point
/// elements (float32 or float64; other dtypes are only summed). The division runs on the
/// calling thread right after the sum, while the buffer is still in cache.
int st_mpi_allreduce_average(void *buffer, int count, st_mpi_dtype dtype);
/// In place: `root`'s elements replace everyone else's.
int st_mpi_broadcast(void *buffer, int count, st_mpi_dtype dtype, int root);
/// `count` elements from every rank into `output` (world_size * count), in rank order.
int st_mpi_allgather(const void *input, void *output, int count, st_mpi_dtype dtype);
/// Reduces `input` (world_size * count elements) and leaves block `rank` in `output` (count).
int st_mpi_reduce_scatter(const void *input, void *output, int count, st_mpi_dtype dtype, st_mpi_op op);
/// MPI's own words for an error code, into `text` (at most `capacity` bytes, terminated).
void st_mpi_error_string(int code, char *text, int capacity);
/// Stops every process of the job (MPI_Abort on the world).
void st_mpi_abort(int code);

#endif
