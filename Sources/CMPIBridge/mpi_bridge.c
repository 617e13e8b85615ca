#include "mpi_bridge.h"

#include <mpi.h>
#include <stdio.h>

// The library's communicator: a duplicate of the world, so that its error handler and
// its messages never mix with those of other code in the process that uses MPI.
static MPI_Comm st_comm = MPI_COMM_NULL;

static MPI_Datatype st_datatype(st_mpi_dtype dtype) {
    switch (dtype) {
    case ST_MPI_BOOL: return MPI_C_BOOL;
    case ST_MPI_INT32: return MPI_INT32_T;
    case ST_MPI_INT64: return MPI_INT64_T;
    case ST_MPI_FLOAT32: return MPI_FLOAT;
    case ST_MPI_FLOAT64: return MPI_DOUBLE;
    }
    return MPI_DATATYPE_NULL;
}

static MPI_Op st_operation(st_mpi_op op) {
    switch (op) {
    case ST_MPI_SUM: return MPI_SUM;
    case ST_MPI_PRODUCT: return MPI_PROD;
    case ST_MPI_MIN: return MPI_MIN;
    case ST_MPI_MAX: return MPI_MAX;
    }
    return MPI_OP_NULL;
}

int st_mpi_init(int *rank, int *world_size) {
    int initialized = 0, provided = 0, code;
    MPI_Initialized(&initialized);
    if (!initialized) {
        code = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
        if (code != MPI_SUCCESS) return code;
    }
    // Errors on the world during set-up are returned too, not fatal.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    if ((code = MPI_Comm_dup(MPI_COMM_WORLD, &st_comm)) != MPI_SUCCESS) return code;
    if ((code = MPI_Comm_set_errhandler(st_comm, MPI_ERRORS_RETURN)) != MPI_SUCCESS) return code;
    if ((code = MPI_Comm_rank(st_comm, rank)) != MPI_SUCCESS) return code;
    return MPI_Comm_size(st_comm, world_size);
}

int st_mpi_finalize(void) {
    if (st_comm != MPI_COMM_NULL) MPI_Comm_free(&st_comm);
    return MPI_Finalize();
}

int st_mpi_barrier(void) { return MPI_Barrier(st_comm); }

int st_mpi_allreduce(void *buffer, int count, st_mpi_dtype dtype, st_mpi_op op) {
    return MPI_Allreduce(MPI_IN_PLACE, buffer, count, st_datatype(dtype), st_operation(op), st_comm);
}

int st_mpi_allreduce_average(void *buffer, int count, st_mpi_dtype dtype) {
    int code = MPI_Allreduce(MPI_IN_PLACE, buffer, count, st_datatype(dtype), MPI_SUM, st_comm);
    int size = 1;
    if (code != MPI_SUCCESS || (code = MPI_Comm_size(st_comm, &size)) != MPI_SUCCESS) return code;
    // Divided, not multiplied by 1/size, so the result is the one `sum / size` gives.
    if (dtype == ST_MPI_FLOAT32) {
        float *p = buffer, n = (float)size;
        for (int i = 0; i < count; i++) p[i] /= n;
    } else if (dtype == ST_MPI_FLOAT64) {
        double *p = buffer, n = (double)size;
        for (int i = 0; i < count; i++) p[i] /= n;
    }
    return MPI_SUCCESS;
}

int st_mpi_broadcast(void *buffer, int count, st_mpi_dtype dtype, int root) {
    return MPI_Bcast(buffer, count, st_datatype(dtype), root, st_comm);
}

int st_mpi_allgather(const void *input, void *output, int count, st_mpi_dtype dtype) {
    return MPI_Allgather(input, count, st_datatype(dtype), output, count, st_datatype(dtype), st_comm);
}

int st_mpi_reduce_scatter(const void *input, void *output, int count, st_mpi_dtype dtype, st_mpi_op op) {
    return MPI_Reduce_scatter_block(input, output, count, st_datatype(dtype), st_operation(op), st_comm);
}

void st_mpi_error_string(int code, char *text, int capacity) {
    char message[MPI_MAX_ERROR_STRING];
    int length = 0;
    if (MPI_Error_string(code, message, &length) != MPI_SUCCESS) length = snprintf(message, sizeof message, "MPI error %d", code);
    snprintf(text, (size_t)capacity, "%.*s", length, message);
}

void st_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }
