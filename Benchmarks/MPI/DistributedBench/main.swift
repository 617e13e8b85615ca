// All-reduce bandwidth of SwiftTorchDistributed, on the sizes and in the units of the plain
// MPI baseline (Benchmarks/MPI/allreduce_bandwidth.c), one line per size:
//   bytes  allReduce µs  allReduce MB/s  DDP bucket µs  DDP bucket MB/s
// - allReduce: ProcessGroup.allReduce(sum) of a contiguous float32 tensor (the
//   communication thread's hand-off included);
// - DDP bucket: what a gradient bucket of that size adds to a backward pass, measured as a
//   synchronised backward minus a `noSync` one on a one-parameter model (Linear(n, 1)):
//   the copy into the bucket, the all-reduce, the division by the world size.
// Each figure is the fastest call of the slower rank (see `time`).
//
//   swift build -c release --product distributed-bench
//   scripts/mpirun-local.sh 2 .build/release/distributed-bench
import Foundation
import SwiftTorch
import SwiftTorchDistributed

/// The fastest of `rounds` calls of `body` on each rank (after two warm-up calls), then the
/// slowest rank's, in seconds, as Benchmarks/MPI/allreduce_bandwidth.c times MPI.
func time(_ group: ProcessGroup, rounds: Int, _ body: () throws -> Void) throws -> Double {
    try body()
    try body()
    try group.barrier()
    var best = Double.infinity
    for _ in 0..<rounds {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    let slowest = try Tensor([best], shape: [1])
    try group.allReduce(slowest, op: .max)
    return try slowest.item()
}

runDistributed("distributed-bench") { group in
    let largest = 64 << 20
    if group.rank == 0 { print("# \(group.worldSize) ranks, float32\n# bytes allReduce_us allReduce_MB/s ddp_bucket_us ddp_bucket_MB/s") }
    var bytes = 4096
    while bytes <= largest {
        let count = bytes / 4
        let rounds = bytes <= 1 << 20 ? 200 : (bytes <= 16 << 20 ? 20 : 5)
        let tensor = try Tensor.zeros([count])
        let reduce = try time(group, rounds: rounds) { try group.allReduce(tensor) }

        let layer = Linear(count, 1, bias: false)
        let parallel = try DistributedDataParallel(layer, processGroup: group, bucketCapMB: Double(largest) / 1_048_576)
        let x = try Tensor.ones([1, count])
        let synced = try time(group, rounds: rounds) {
            layer.zeroGrad()
            try parallel(x).sum().backward()
        }
        let local = try time(group, rounds: rounds) {
            layer.zeroGrad()
            try parallel.noSync { try parallel(x).sum().backward() }
        }
        let bucket = max(synced - local, 1e-9)
        if group.rank == 0 {
            print(String(format: "%d %.1f %.1f %.1f %.1f", bytes, reduce * 1e6, Double(bytes) / reduce / 1e6, bucket * 1e6, Double(bytes) / bucket / 1e6))
        }
        bytes *= 4
    }
}
