// The plain-MPI baseline for SwiftTorchDistributed's all-reduce (osu_allreduce style):
// MPI_Allreduce (MPI_SUM) of float32 buffers from 4 KiB to 64 MiB, after warm-up calls,
// timed per call (see time_allreduce). Prints one line per size:
//   bytes  microseconds  MB/s (bytes / time; osu_allreduce reports the time per size)
//
//   mpicc -O2 -o allreduce_bandwidth Benchmarks/MPI/allreduce_bandwidth.c
//   mpirun --allow-run-as-root --oversubscribe -np 2 ./allreduce_bandwidth [--nonblocking]
//
// `--nonblocking` times MPI_Iallreduce completed by polling MPI_Test.
//
// `--scaled-copy` times what a data-parallel gradient bucket needs at the least: the
// gradient written into the buffer multiplied by 1 / ranks (the pass PyTorch's reducer and
// SwiftTorch's make, so the sum is the average), then the all-reduce. It is the plain-MPI
// floor for a DDP bucket (Benchmarks/MPI/DistributedBench's "bucket" column).
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The fastest of `rounds` calls on each rank, then the slowest rank's: on a shared machine
// (other builds, a load of 10 on 2 cores) the mean measures the scheduler more than MPI.
static double time_allreduce(float *buffer, const float *gradient, int count, int rounds, int nonblocking) {
    int ranks = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    const float factor = 1.0f / (float)ranks;
    double best = 1e30;
    MPI_Barrier(MPI_COMM_WORLD);
    for (int r = 0; r < rounds; r++) {
        double start = MPI_Wtime();
        if (gradient) {
            for (int i = 0; i < count; i++) buffer[i] = gradient[i] * factor;
        }
        if (nonblocking) {
            MPI_Request request;
            int done = 0;
            MPI_Iallreduce(MPI_IN_PLACE, buffer, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &request);
            while (!done) MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        } else {
            MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        }
        double elapsed = MPI_Wtime() - start;
        if (elapsed < best) best = elapsed;
    }
    double slowest = 0;
    MPI_Allreduce(&best, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return slowest;
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    int nonblocking = argc > 1 && strcmp(argv[1], "--nonblocking") == 0;
    int scaledCopy = argc > 1 && strcmp(argv[1], "--scaled-copy") == 0;
    const long largest = 64L << 20;
    float *buffer = malloc(largest), *gradient = scaledCopy ? malloc(largest) : NULL;
    for (long i = 0; i < largest / 4; i++) buffer[i] = 0.0f;
    for (long i = 0; scaledCopy && i < largest / 4; i++) gradient[i] = 1.0f;
    if (rank == 0) printf("# %s, float32, MPI_SUM\n# bytes microseconds MB/s\n",
                          nonblocking ? "MPI_Iallreduce + MPI_Test" : (scaledCopy ? "scaled copy + MPI_Allreduce" : "MPI_Allreduce"));
    for (long bytes = 4096; bytes <= largest; bytes *= 4) {
        int count = (int)(bytes / 4);
        int rounds = bytes <= (1L << 20) ? 200 : (bytes <= (4L << 20) ? 100 : (bytes <= (16L << 20) ? 30 : 10));
        time_allreduce(buffer, gradient, count, 2, nonblocking);  // warm-up: connections, buffers
        double seconds = time_allreduce(buffer, gradient, count, rounds, nonblocking);
        if (rank == 0) printf("%ld %.1f %.1f\n", bytes, seconds * 1e6, bytes / seconds / 1e6);
    }
    free(buffer);
    free(gradient);
    MPI_Finalize();
    return 0;
}
