// The checks of SwiftTorchDistributed that need several processes, run under mpirun by
// Tests/Distributed/run.sh, which asserts what they print and how they end:
//
//   distributed-checks collectives     every collective, every dtype, against local values
//   distributed-checks equivalence     1 process on batches of 64 == N ranks on 64 / N each
//   distributed-checks fail-die|fail-throw|fail-hang
//                                       rank 1 dies, throws or hangs; the others must not hang
//
// A failed check throws, so the rank exits with status 1 and mpirun stops the job.
import Foundation
import SwiftTorch
import SwiftTorchDistributed

struct CheckFailure: Error, CustomStringConvertible {
    let description: String
}

func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw CheckFailure(description: "check failed: \(message())") }
}

let mode = CommandLine.arguments.dropFirst().first ?? ""
runDistributed("distributed-checks \(mode)") { group in
    switch mode {
    case "collectives": try checkCollectives(group)
    case "equivalence": try checkEquivalence(group)
    case "fail-die", "fail-throw", "fail-hang": try checkFailure(mode, group)
    default: throw CheckFailure(description: "unknown mode '\(mode)'; modes: collectives, equivalence, fail-die, fail-throw, fail-hang")
    }
}
