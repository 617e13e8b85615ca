import SwiftTorch

/// What `mpirun` and the user tell a process through its environment.
///
/// - `OMPI_COMM_WORLD_SIZE`, `OMPI_COMM_WORLD_RANK`: set by Open MPI's `mpirun` for each
///   process it starts. Without them the process is a world of one and MPI is never
///   initialised (no singleton start-up, which would fork an Open MPI daemon).
/// - `SWIFTTORCH_DIST_TIMEOUT`: seconds a collective may wait for the other ranks before it
///   throws (default 300; `0` waits forever). A rank that dies is noticed sooner: `mpirun`
///   stops the whole job when a process exits with an error or a signal.
struct DistributedEnvironment: Equatable {
    /// Rank and size from `mpirun`, or nil without it.
    var launched: (rank: Int, worldSize: Int)?
    /// How long a collective may wait; nil waits forever.
    var timeout: Duration?

    static let timeoutVariable = "SWIFTTORCH_DIST_TIMEOUT"
    static let defaultTimeout = Duration.seconds(300)

    init(_ environment: [String: String]) throws {
        if let sizeText = environment["OMPI_COMM_WORLD_SIZE"] {
            let rankText = environment["OMPI_COMM_WORLD_RANK"] ?? ""
            guard let size = Int(sizeText), size >= 1, let rank = Int(rankText), (0..<size).contains(rank) else {
                throw TorchError(.invalidArgument, "ProcessGroup: mpirun's environment is inconsistent: OMPI_COMM_WORLD_SIZE=\(sizeText), OMPI_COMM_WORLD_RANK=\(rankText); the size must be a positive integer and the rank in 0..<size")
            }
            launched = (rank, size)
        }
        if let text = environment[Self.timeoutVariable] {
            guard let seconds = Double(text), seconds >= 0, seconds.isFinite else {
                throw TorchError(.invalidArgument, "ProcessGroup: \(Self.timeoutVariable)=\(text) is not a number of seconds; give a number >= 0 (0 waits forever)")
            }
            timeout = seconds == 0 ? nil : .milliseconds(Int64((seconds * 1000).rounded(.up)))
        } else {
            timeout = Self.defaultTimeout
        }
    }

    static func == (a: Self, b: Self) -> Bool {
        a.launched?.rank == b.launched?.rank && a.launched?.worldSize == b.launched?.worldSize && a.timeout == b.timeout
    }
}
