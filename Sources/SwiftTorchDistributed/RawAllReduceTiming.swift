import CMPIBridge
import Foundation
import SwiftTorch

extension ProcessGroup {
    /// Seconds that MPI_Allreduce (sum, in place) of the contiguous CPU tensor `buffer` takes
    /// on the communication thread, timed around the MPI call alone: plain MPI's cost in this
    /// very process, for the benchmark (Benchmarks/MPI/DistributedBench) to set beside
    /// ``allReduce(_:op:)``'s, call for call, on a machine whose load changes by the second.
    package func timeRawAllReduce(_ buffer: Tensor) throws -> Double {
        try checkUsable("timeRawAllReduce")
        guard let transport else { return 0 }
        let (pointer, count, type, storage) = (SendablePointer(raw: buffer.storage.data + buffer.offset * buffer.dtype.itemSize),
                                               Int32(buffer.count), buffer.dtype.mpiType, buffer.storage)
        let elapsed = ElapsedSeconds()
        try finish(transport.submit("timed MPI_Allreduce of \(buffer.dtype)\(describe(shape: buffer.shape))") {
            let start = ContinuousClock.now
            let code = withExtendedLifetime(storage) { st_mpi_allreduce(pointer.raw, count, type, ST_MPI_SUM) }
            elapsed.value = seconds(ContinuousClock.now - start)
            return code
        })
        return elapsed.value
    }
}

/// Written by the communication thread before it finishes the collective, read after.
private final class ElapsedSeconds: @unchecked Sendable {
    var value = 0.0
}
