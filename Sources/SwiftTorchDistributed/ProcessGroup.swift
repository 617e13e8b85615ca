import CMPIBridge
import Foundation
import Synchronization
import SwiftTorch

/// The processes of one training job and the collectives between them, as PyTorch's
/// `torch.distributed` process group on its MPI backend.
///
/// Started by `mpirun -np N`, each process is one rank of a world of N; started alone, it is
/// a world of one, where every collective is a local copy, so the same program runs both
/// ways. Collectives work on CPU tensors of every dtype (reductions: not bool), contiguous
/// or not, and must be called by every rank in the same order with tensors of the same shape
/// and dtype. A failure (an MPI error, or no answer from the other ranks within the timeout,
/// see ``DistributedEnvironment``) is thrown as a ``TorchError`` and leaves the group
/// unusable: every later collective throws the first failure.
///
/// MPI may be initialised once per process: ``initialize()`` returns the same group until
/// ``destroy()``, which finalises MPI for good. ``runDistributed(_:_:)`` does both and stops
/// the whole job on an error.
public final class ProcessGroup: Sendable {
    /// This process's rank, in 0..<worldSize.
    public let rank: Int
    /// The number of processes.
    public let worldSize: Int
    /// How long a collective waits for the others before it throws; nil waits forever.
    public let timeout: Duration?
    /// The thread that calls MPI; nil in a world of one, which never initialises MPI.
    let transport: CommunicationThread?
    /// The first failure; once set, the group refuses every collective.
    private let failure = Mutex<TorchError?>(nil)
    private let destroyed = Atomic<Bool>(false)

    private static let current = Mutex<ProcessGroup?>(nil)
    private static let mpiFinalized = Atomic<Bool>(false)

    private init(rank: Int, worldSize: Int, timeout: Duration?, transport: CommunicationThread?) {
        self.rank = rank
        self.worldSize = worldSize
        self.timeout = timeout
        self.transport = transport
    }

    /// The process group of this job, from the environment `mpirun` sets (PyTorch's
    /// `init_process_group("mpi")`); a world of one without `mpirun`. Later calls return the
    /// same group.
    public static func initialize(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ProcessGroup {
        try current.withLock { current in
            if let current { return current }
            let settings = try DistributedEnvironment(environment)
            guard let launched = settings.launched else {
                let group = ProcessGroup(rank: 0, worldSize: 1, timeout: settings.timeout, transport: nil)
                current = group
                return group
            }
            guard !mpiFinalized.load(ordering: .relaxed) else {
                throw TorchError(.backendUnavailable, "ProcessGroup.initialize: MPI was finalised by an earlier destroy(); MPI can be initialised only once per process")
            }
            let thread = CommunicationThread()
            let ids = IDs()
            let started = thread.submit("MPI_Init") { st_mpi_init(&ids.rank, &ids.worldSize) }
            guard let code = started.wait(timeout: settings.timeout) else {
                throw TorchError(.io, "ProcessGroup.initialize: MPI did not start within \(describe(settings.timeout)) (\(DistributedEnvironment.timeoutVariable)) on rank \(launched.rank) of \(launched.worldSize)")
            }
            guard code == 0 else {
                throw TorchError(.backendUnavailable, "ProcessGroup.initialize: MPI_Init failed on rank \(launched.rank) of \(launched.worldSize): \(mpiErrorText(code))")
            }
            let (rank, size) = (Int(ids.rank), Int(ids.worldSize))
            guard rank == launched.rank, size == launched.worldSize else {
                throw TorchError(.backendUnavailable, "ProcessGroup.initialize: MPI reports rank \(rank) of \(size), but mpirun's environment says rank \(launched.rank) of \(launched.worldSize); was the program started by another MPI's launcher?")
            }
            let group = ProcessGroup(rank: rank, worldSize: size, timeout: settings.timeout, transport: thread)
            current = group
            return group
        }
    }

    /// Finalises MPI (PyTorch's `destroy_process_group`); every rank must call it, after its
    /// last collective. Open MPI's `mpirun` reports a process that exits without it as
    /// failed. A world of one has nothing to finalise.
    public func destroy() throws {
        guard !destroyed.exchange(true, ordering: .relaxed) else { return }
        ProcessGroup.current.withLock { if $0 === self { $0 = nil } }
        guard let transport else { return }
        try checkUsable("destroy")
        ProcessGroup.mpiFinalized.store(true, ordering: .relaxed)
        try finish(transport.submit("MPI_Finalize") { st_mpi_finalize() })
    }

    /// Waits until every rank has reached this call.
    public func barrier() throws {
        try checkUsable("barrier")
        guard let transport else { return }
        try finish(transport.submit("barrier") { st_mpi_barrier() })
    }

    /// Throws the group's first failure, if any, for an operation about to start.
    func checkUsable(_ operation: String) throws {
        if destroyed.load(ordering: .relaxed), operation != "destroy" {
            throw TorchError(.invalidArgument, "\(operation): the process group of rank \(rank) of \(worldSize) was destroyed")
        }
        if let failure = failure.withLock({ $0 }) {
            throw TorchError(failure.kind, "\(operation) on rank \(rank) of \(worldSize): the process group failed earlier and cannot be used: \(failure.message)")
        }
    }

    /// Waits for `collective` within the timeout; an MPI error or a timeout is thrown, and
    /// recorded so that the group refuses later collectives (after a timeout, the
    /// communication thread is still inside MPI, and MPI's state is unknown).
    func finish(_ collective: Collective) throws {
        let error: TorchError
        switch collective.wait(timeout: timeout) {
        case 0?:
            return
        case let code?:
            error = TorchError(.io, "\(collective.what) on rank \(rank) of \(worldSize): MPI failed: \(mpiErrorText(code))")
        case nil:
            error = TorchError(.io, "\(collective.what) on rank \(rank) of \(worldSize): no answer from the other ranks after \(describe(timeout)) (\(DistributedEnvironment.timeoutVariable)); a rank may have died or hung, or called a different collective or one with another shape or dtype")
        }
        failure.withLock { if $0 == nil { $0 = error } }
        throw error
    }

    /// Ends this process with `code` after writing `message` to standard error, for an error
    /// this rank cannot recover from; `mpirun` then stops every other process of the job
    /// (Open MPI's runtime ends a job whose process exits with an error or a signal).
    public func abort(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("rank \(rank) of \(worldSize): \(message)\n".utf8))
        fflush(nil)  // every open stream, so what this rank printed is not lost
        // Not through the communication thread: it may be stuck inside MPI. Exiting with an
        // error is enough, since mpirun then stops the other processes.
        _exit(code)
    }
}

/// The rank and size MPI_Init reports, written by the communication thread.
private final class IDs: @unchecked Sendable {
    var rank: Int32 = 0
    var worldSize: Int32 = 0
}

/// MPI's own words for an error code.
func mpiErrorText(_ code: Int32) -> String {
    var text = [CChar](repeating: 0, count: 512)
    st_mpi_error_string(code, &text, Int32(text.count))
    let message = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return "\(message) (MPI error \(code))"
}

/// `5 s`, or `no limit`.
func describe(_ timeout: Duration?) -> String {
    guard let timeout else { return "no limit" }
    return String(format: "%g s", seconds(timeout))
}
