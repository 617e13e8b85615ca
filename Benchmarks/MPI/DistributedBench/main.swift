// All-reduce bandwidth of SwiftTorchDistributed against plain MPI, on the sizes and in the
// units of Benchmarks/MPI/allreduce_bandwidth.c. The machine is shared (other builds, a load
// of 10 or more on 2 cores), so the three are timed in the same process, call by call in
// turn, and each figure is the fastest call of the slower rank:
// - mpi: MPI_Allreduce alone, timed around the MPI call on the communication thread;
// - allReduce: ProcessGroup.allReduce(sum) of a contiguous float32 tensor, as a caller sees it
//   (the hand-off to the communication thread and back included);
// - bucket: what a gradient bucket of that size adds to a backward pass: a synchronised
//   backward minus a `noSync` one, on a one-parameter model (Linear(n, 1), no bias): the copy
//   into the bucket, the all-reduce and the division by the world size.
// One line per size: bytes, then µs and MB/s for each.
//
//   swift build -c release --product distributed-bench
//   scripts/mpirun-local.sh 2 .build/release/distributed-bench
import Foundation
import SwiftTorch
import SwiftTorchDistributed

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}

/// The slowest rank's value of each of `values` (each rank's fastest call).
func slowestRank(_ group: ProcessGroup, _ values: [Double]) throws -> [Double] {
    let t = try Tensor(values, shape: [values.count])
    try group.allReduce(t, op: .max)
    return t.doubleValues()
}

runDistributed("distributed-bench") { group in
    let largest = 64 << 20
    if group.rank == 0 {
        print("# \(group.worldSize) ranks, float32, fastest call of the slower rank")
        print("# bytes mpi_us mpi_MB/s allReduce_us allReduce_MB/s bucket_us bucket_MB/s")
    }
    var bytes = 4096
    while bytes <= largest {
        let count = bytes / 4
        let rounds = bytes <= 1 << 20 ? 200 : (bytes <= 4 << 20 ? 100 : (bytes <= 16 << 20 ? 30 : 10))
        let tensor = try Tensor.zeros([count])
        let layer = Linear(count, 1, bias: false)
        let parallel = try DistributedDataParallel(layer, processGroup: group, bucketCapMB: Double(largest) / 1_048_576)
        let x = try Tensor.ones([1, count])
        func step(synchronised: Bool) throws {
            layer.zeroGrad()
            if synchronised { try parallel(x).sum().backward() } else { try parallel.noSync { try parallel(x).sum().backward() } }
        }
        var best = [Double](repeating: .infinity, count: 4)
        for round in -2..<rounds {  // two warm-up rounds
            let times = [try group.timeRawAllReduce(tensor), try seconds { try group.allReduce(tensor) },
                         try seconds { try step(synchronised: true) }, try seconds { try step(synchronised: false) }]
            if round >= 0 { best = zip(best, times).map { min($0, $1) } }
        }
        let slowest = try slowestRank(group, best)
        let (mpi, reduce, bucket) = (slowest[0], slowest[1], max(slowest[2] - slowest[3], 1e-9))
        if group.rank == 0 {
            print(String(format: "%d %.1f %.1f %.1f %.1f %.1f %.1f", bytes, mpi * 1e6, Double(bytes) / mpi / 1e6,
                         reduce * 1e6, Double(bytes) / reduce / 1e6, bucket * 1e6, Double(bytes) / bucket / 1e6))
        }
        bytes *= 4
    }
}
