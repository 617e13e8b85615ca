import Foundation
import SwiftTorch
import SwiftTorchDistributed

/// Rank 1 dies (SIGKILL), throws, or hangs before an all-reduce the others wait in. The
/// others must not hang: mpirun stops the job when a rank dies or exits with an error, and
/// a rank that hangs leaves the others' all-reduce to time out (SWIFTTORCH_DIST_TIMEOUT).
func checkFailure(_ mode: String, _ group: ProcessGroup) throws {
    try expect(group.worldSize >= 2, "failure checks need at least 2 ranks")
    try group.barrier()
    if group.rank == 1 {
        switch mode {
        case "fail-die":
            print("rank 1: killing itself")
            fflush(nil)
            kill(getpid(), SIGKILL)
        case "fail-throw":
            throw TorchError(.invalidArgument, "rank 1 fails on purpose before the all-reduce")
        default:
            print("rank 1: hanging")
            fflush(nil)
            sleep(600)
        }
    }
    let t = try Tensor.ones([4])
    try group.allReduce(t)
    print("rank \(group.rank): the all-reduce returned although rank 1 \(mode)")
}
