import Foundation
import SwiftTorch

/// Runs a distributed program's body with its process group and ends the process: on
/// success every rank finalises MPI and exits with status 0; on an error the rank prints it
/// (naming its rank) and exits with status 1, and `mpirun` stops the other ranks, so a
/// failure on one rank never leaves the others waiting. Alone (no `mpirun`) it runs as a
/// world of one.
public func runDistributed(_ name: String, _ body: (ProcessGroup) throws -> Void) -> Never {
    let group: ProcessGroup
    do {
        group = try ProcessGroup.initialize()
    } catch {
        FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
        exit(1)
    }
    do {
        try body(group)
        try group.destroy()
    } catch {
        group.abort("\(name): \(error)")
    }
    exit(0)
}
