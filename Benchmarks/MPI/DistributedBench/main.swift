// All-reduce bandwidth of SwiftTorchDistributed against plain MPI, on the sizes and in the
// units of Benchmarks/MPI/allreduce_bandwidth.c. The machine is shared (other builds, a load
// of 10 or more on 2 cores), so every path is timed in the same process, call by call in
// turn, each call after a barrier (so no rank's head start is counted), and each figure is
// the fastest call of the slower rank:
// - mpi: MPI_Allreduce alone, timed around the MPI call on the communication thread, on a
//   buffer an untimed call has just brought into the cache (the plain program's buffer and
//   the bucket path's are warm too; a cold one takes up to twice as long at 4 MiB);
// - allReduce: ProcessGroup.allReduce(sum) of a contiguous float32 tensor, as a caller sees it
//   (the hand-off to the communication thread and back included);
// - bucket: what a gradient bucket of that size adds to a training step: a synchronised
//   step minus a `noSync` one, on a one-parameter model (Linear(n, 1), no bias), where a step
//   is forward, backward and `zeroGrad()`. Both steps compute the gradient into a new tensor
//   and free it; the synchronised one adds the bucket's work: the gradient copied into the
//   bucket (divided by the world size on the way), the hand-off, the all-reduce and the wait.
//   Measured for both gradient layouts: `gradientAsBucketView` (the default) and the copy
//   layout, which also copies the average back into the gradient.
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

/// One training step of `Linear(n, 1)` under DDP, synchronised or inside `noSync`.
struct BucketStep {
    let layer: Linear
    let parallel: DistributedDataParallel<Linear>
    let x: Tensor

    init(count: Int, group: ProcessGroup, capMB: Double, gradientAsBucketView: Bool) throws {
        layer = Linear(count, 1, bias: false)
        parallel = try DistributedDataParallel(layer, processGroup: group, bucketCapMB: capMB, gradientAsBucketView: gradientAsBucketView)
        x = try Tensor.ones([1, count])
    }

    /// Forward, backward and `zeroGrad()`: whichever path, the step ends having freed what it
    /// allocated, so the two differ by the bucket's work alone.
    func run(synchronised: Bool) throws {
        if synchronised { try parallel(x).sum().backward() } else { try parallel.noSync { try parallel(x).sum().backward() } }
        layer.zeroGrad()
    }
}

runDistributed("distributed-bench") { group in
    let largest = 64 << 20
    if group.rank == 0 {
        print("# \(group.worldSize) ranks, float32, fastest call of the slower rank, each call after a barrier")
        print("# bytes mpi_us mpi_MB/s allReduce_us allReduce_MB/s bucket_us bucket_MB/s copyBucket_us copyBucket_MB/s")
    }
    var bytes = 4096
    while bytes <= largest {
        let count = bytes / 4
        let rounds = bytes <= 1 << 20 ? 200 : (bytes <= 4 << 20 ? 100 : (bytes <= 16 << 20 ? 30 : 10))
        let tensor = try Tensor.zeros([count])
        let capMB = Double(largest) / 1_048_576
        let view = try BucketStep(count: count, group: group, capMB: capMB, gradientAsBucketView: true)
        let copy = try BucketStep(count: count, group: group, capMB: capMB, gradientAsBucketView: false)
        let calls: [() throws -> Double] = [
            { try group.timeRawAllReduce(tensor) }, { try seconds { try group.allReduce(tensor) } },
            { try seconds { try view.run(synchronised: true) } }, { try seconds { try view.run(synchronised: false) } },
            { try seconds { try copy.run(synchronised: true) } }, { try seconds { try copy.run(synchronised: false) } },
        ]
        var best = [Double](repeating: .infinity, count: calls.count)
        for round in -2..<rounds {  // two warm-up rounds
            // Untimed: brings `tensor` into the cache, as the bucket path's buffer is (just
            // written) and as the plain program's is (the same buffer call after call).
            _ = try group.timeRawAllReduce(tensor)
            for (i, call) in calls.enumerated() {
                try group.barrier()
                let time = try call()
                if round >= 0 { best[i] = min(best[i], time) }
            }
        }
        let t = try slowestRank(group, best)
        let (mpi, reduce) = (t[0], t[1])
        let (bucket, copyBucket) = (max(t[2] - t[3], 1e-9), max(t[4] - t[5], 1e-9))
        if group.rank == 0 {
            let columns = [mpi, reduce, bucket, copyBucket].map { String(format: "%.1f %.1f", $0 * 1e6, Double(bytes) / $0 / 1e6) }
            print("\(bytes) " + columns.joined(separator: " "))
        }
        bytes *= 4
    }
}
