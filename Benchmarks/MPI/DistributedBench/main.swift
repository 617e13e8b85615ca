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
//   step minus a `noSync` one, where a step is forward, backward and `zeroGrad()`. Both steps
//   compute the gradient into a new tensor and free it; the synchronised one adds the
//   bucket's work. Three cases:
//   - lone: Linear(n, 1) without bias, a bucket of one parameter, reduced in the gradient's
//     own memory (divided by the world size in place, the hand-off, the all-reduce, the wait);
//   - copied: Linear(n - 1, 1) with its bias, a bucket of two parameters in the default
//     layout (`gradientAsBucketView`): the gradients copied into the bucket, divided on the
//     way, then as above;
//   - copy layout: the same two-parameter bucket in PyTorch's default layout, which also
//     copies the average back into each gradient.
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

/// One training step of a `Linear(_, 1)` of `count` parameters under DDP, synchronised or
/// inside `noSync`: without bias, its bucket holds one parameter; with one, two.
struct BucketStep {
    let layer: Linear
    let parallel: DistributedDataParallel<Linear>
    let x: Tensor

    init(count: Int, bias: Bool, group: ProcessGroup, capMB: Double, gradientAsBucketView: Bool) throws {
        let inputs = bias ? count - 1 : count
        layer = Linear(inputs, 1, bias: bias)
        parallel = try DistributedDataParallel(layer, processGroup: group, bucketCapMB: capMB, gradientAsBucketView: gradientAsBucketView)
        x = try Tensor.ones([1, inputs])
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
        print("# bytes mpi_us mpi_MB/s allReduce_us allReduce_MB/s lone_us lone_MB/s copied_us copied_MB/s copyLayout_us copyLayout_MB/s")
    }
    var bytes = 4096
    while bytes <= largest {
        let count = bytes / 4
        let rounds = bytes <= 1 << 20 ? 200 : (bytes <= 4 << 20 ? 100 : (bytes <= 16 << 20 ? 30 : 10))
        let tensor = try Tensor.zeros([count])
        let capMB = Double(largest) / 1_048_576
        let steps = [
            try BucketStep(count: count, bias: false, group: group, capMB: capMB, gradientAsBucketView: true),
            try BucketStep(count: count, bias: true, group: group, capMB: capMB, gradientAsBucketView: true),
            try BucketStep(count: count, bias: true, group: group, capMB: capMB, gradientAsBucketView: false),
        ]
        var calls: [() throws -> Double] = [{ try group.timeRawAllReduce(tensor) }, { try seconds { try group.allReduce(tensor) } }]
        for step in steps {
            calls += [{ try seconds { try step.run(synchronised: true) } }, { try seconds { try step.run(synchronised: false) } }]
        }
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
        let buckets = steps.indices.map { max(t[2 + 2 * $0] - t[3 + 2 * $0], 1e-9) }
        if group.rank == 0 {
            let columns = ([t[0], t[1]] + buckets).map { String(format: "%.1f %.1f", $0 * 1e6, Double(bytes) / $0 / 1e6) }
            print("\(bytes) " + columns.joined(separator: " "))
        }
        bytes *= 4
    }
}
